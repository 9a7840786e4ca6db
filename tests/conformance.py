"""Load the server conformance cases and compare a middleware's response with them.

The cases live in `tests/data/conformance/server-cases.jsonl` (one JSON object per line). Each
layer under test (the policy core, the ASGI and WSGI adapters, the framework integrations) turns
a case into a response, and `compare` reports every way that response differs from the expected
one: the status, whether the app ran, the CORS headers, and the verdict a browser would reach.
Known, deliberate differences are listed in `DEVIATIONS` and on docs/deviations.md.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
# A copy of the shared conformance data, kept in the repository so that a clean checkout can run it.
CONFORMANCE_DIR = Path(os.environ.get("CORSGUARD_CONFORMANCE_DIR", REPO / "tests" / "data" / "conformance"))

LIST_HEADERS = {"vary", "access-control-allow-methods", "access-control-allow-headers",
                "access-control-expose-headers"}
CORS_HEADERS = {"access-control-allow-origin", "access-control-allow-credentials",
                "access-control-allow-methods", "access-control-allow-headers",
                "access-control-expose-headers", "access-control-max-age",
                "access-control-allow-private-network", "vary"}

# Case id -> (the aspects that differ, why). Each reason is repeated on docs/deviations.md.
DEVIATIONS: dict[str, tuple[frozenset[str], str]] = {}


def _deviation(ids: str, aspects: str, reason: str) -> None:
    for case_id in ids.split():
        DEVIATIONS[case_id] = (frozenset(aspects.split()), reason)


_deviation("J-MW-030 J-MW-032", "status headers",
           "debug mode: the reference answers refused preflights with 204 to help debugging; corsguard "
           "has no debug mode and always answers 403, which browsers report the same way")
_deviation("J-MW-026", "status headers verdict",
           "more than 16 empty elements in Access-Control-Request-Headers: the reference skips parsing "
           "when allow_headers is ['*'] with credentials; corsguard always parses and refuses")
_deviation("R-SPEC-029 R-SPEC-030", "status handler headers",
           "an OPTIONS request without Origin is not a CORS request, so corsguard passes it to the app; "
           "rs/cors answers it as a preflight")
_deviation("R-ACRH-019 R-ACRH-020 R-ACRH-022", "status headers verdict",
           "two bytes of whitespace around a requested header name: rs/cors refuses, jub0bs/cors "
           "accepts (J-ACRH-003); corsguard follows jub0bs/cors")
_deviation("R-SPEC-001", "headers",
           "any origin without credentials: corsguard sends Access-Control-Allow-Origin: * on every "
           "response, as jub0bs/cors does (J-MW-034), so a cached response serves every origin; rs/cors "
           "sends Vary: Origin instead")
_deviation("R-SPEC-017 R-SPEC-022 R-SPEC-027 R-ACRH-025", "headers",
           "rs/cors lists a safelisted requested method (GET) in Access-Control-Allow-Methods; corsguard "
           "omits it because browsers never check the header for GET, HEAD and POST, and answers `*` "
           "rather than echoing when any header is allowed without credentials")
_deviation("T-003", "status headers",
           "tower-http answers preflights with 200 and echoes the request; corsguard answers 204 (200 "
           "with preflight_status=200) and `*` without credentials, which browsers accept the same way")
_deviation("R-SPEC-020", "config",
           "rs/cors grants credentials to a plain-http origin; corsguard rejects that configuration "
           "(origin-insecure) unless dangerously_allow_insecure_origins=True")
_deviation("R-SPEC-014 R-SPEC-018 R-ACRH-024 R-ACRH-026", "status",
           "a refused preflight gets 403, not rs/cors's 204, so the failure shows in the network panel")


@dataclass(frozen=True)
class Response:
    """What one layer produced for a case."""

    status: int
    headers: list[tuple[str, str]]  # only the headers the CORS layer added, Vary included
    handler_called: bool


def load(name: str) -> list[dict[str, Any]]:
    with open(CONFORMANCE_DIR / name, encoding="utf-8") as file:
        return [json.loads(line) for line in file if line.strip()]


def server_cases(*kinds: str) -> list[dict[str, Any]]:
    return [case for case in load("server-cases.jsonl") if case["kind"] in kinds]


def request_cases() -> list[dict[str, Any]]:
    """Request cases that state an expectation (the X-EDGE cases only ask not to crash)."""
    return [case for case in server_cases("request") if case.get("expected")]


def edge_cases() -> list[dict[str, Any]]:
    return [case for case in server_cases("request") if not case.get("expected")]


def _origin_predicate(text: str) -> Callable[..., bool]:
    if text == "origin matches regex ^http://foo":
        return lambda origin: re.match(r"^http://foo", origin) is not None

    if text == "origin matches ^http://foo and request header Authorization equals 'secret'":
        def predicate(origin: str, headers: Mapping[str, str]) -> bool:
            return origin.startswith("http://foo") and headers.get("authorization") == "secret"
        return predicate
    raise ValueError(f"no predicate for {text!r}")


def options_for(case: dict[str, Any]) -> dict[str, Any]:
    """Translate a case's neutral policy into corsguard keyword options."""
    policy = case["policy"]
    extras = case.get("policy_extras") or {}
    options: dict[str, Any] = {
        "allow_origins": policy["allowed_origins"],
        "allow_credentials": policy["allow_credentials"],
        "allow_methods": policy["allowed_methods"],
        "allow_headers": policy["allowed_request_headers"],
        "expose_headers": policy["exposed_headers"],
        "max_age": policy["max_age_seconds"],
        "allow_private_network": policy["private_network"],
    }
    if extras.get("tolerate_insecure_origins"):
        options["dangerously_allow_insecure_origins"] = True
    if "options_success_status" in extras:
        options["preflight_status"] = extras["options_success_status"]
    if extras.get("options_passthrough"):
        options["preflight_passthrough"] = True
    if "origin_predicate" in extras:
        options["allow_origin_predicate"] = _origin_predicate(extras["origin_predicate"])
    return options


def preexisting_vary(case: dict[str, Any]) -> str | None:
    """The Vary value the app sets itself, for cases that check merging."""
    return "Accept-Encoding" if (case.get("policy_extras") or {}).get("preexisting_vary") else None


def header_lines(case: dict[str, Any]) -> list[tuple[str, str]]:
    return [(name, value) for name, value in case["request"]["headers"]]


def _normalize(headers: list[tuple[str, str]]) -> dict[str, Any]:
    """Group header lines by lowercase name; list-valued headers become sets of lowercase names."""
    grouped: dict[str, Any] = {}
    for name, value in headers:
        lower = name.lower()
        if lower not in CORS_HEADERS:
            continue
        if lower in LIST_HEADERS:
            items = {item.strip(" \t").lower() for item in value.split(",")} - {""}
            grouped.setdefault(lower, set()).update(items)
        else:
            grouped.setdefault(lower, []).append(value)
    return {name: value for name, value in grouped.items() if value}


def browser_verdict(case: dict[str, Any], response: Response) -> str:
    """Approximate the Fetch CORS check for a case, as the conformance data defines it.

    The credentials mode is "include" exactly when the policy allows credentials.
    """
    lines = header_lines(case)
    origin = next((value for name, value in lines if name.lower() == "origin"), None)
    if origin is None:
        return "not-a-cors-request"
    credentials = case["policy"]["allow_credentials"]
    got: dict[str, list[str]] = {}
    for name, value in response.headers:
        got.setdefault(name.lower(), []).append(value.strip(" \t"))
    acao = ", ".join(got.get("access-control-allow-origin", [])) or None
    if acao is None or (acao != origin and not (acao == "*" and not credentials)):
        return "fail"
    if credentials and ", ".join(got.get("access-control-allow-credentials", [])) != "true":
        return "fail"
    request_method = next((value for name, value in lines
                           if name.lower() == "access-control-request-method"), None)
    if case["request"]["method"] != "OPTIONS" or request_method is None:
        return "pass"
    if not 200 <= response.status <= 299:
        return "fail"
    methods = {item.strip() for value in got.get("access-control-allow-methods", []) for item in value.split(",")}
    if request_method not in {"GET", "HEAD", "POST"} and request_method not in methods and not (
            "*" in methods and not credentials):
        return "fail"
    allowed = {item.strip().lower() for value in got.get("access-control-allow-headers", [])
               for item in value.split(",")}
    requested = {item.strip(" \t").lower() for name, value in lines
                 if name.lower() == "access-control-request-headers" for item in value.split(",")} - {""}
    for name in requested:
        wildcard = "*" in allowed and not credentials and name != "authorization"
        if name not in allowed and not wildcard:
            return "fail"
    return "pass"


def compare(case: dict[str, Any], response: Response) -> set[str]:
    """Return the aspects in which `response` differs from the case's expectation."""
    expected = case["expected"]
    differences = set()
    if expected["status"] == "from_handler":
        if not response.handler_called:
            differences.add("handler")
    elif response.status != expected["status"]:
        differences.add("status")
    if expected.get("handler_called") is not None and response.handler_called != expected["handler_called"]:
        differences.add("handler")

    want = _normalize([(name, value) for name, values in expected["cors_headers"].items() for value in values])
    got = _normalize(response.headers)
    # corsguard adds Vary: Origin (and the preflight request headers) to every response that depends
    # on them. The reference sometimes adds none, so extra Vary names are never a difference.
    if not want.get("vary", set()) <= got.get("vary", set()):
        differences.add("headers")
    want.pop("vary", None)
    got.pop("vary", None)
    if want != got:
        differences.add("headers")

    if expected["browser_verdict"] != "depends-on-handler" and browser_verdict(case, response) != expected[
            "browser_verdict"]:
        differences.add("verdict")
    return differences


def check(case: dict[str, Any], response: Response) -> None:
    """Assert that `response` matches the case, apart from its documented deviations."""
    differences = compare(case, response)
    allowed, reason = DEVIATIONS.get(case["id"], (frozenset(), ""))
    unexpected = differences - allowed
    assert not unexpected, (
        f"{case['id']} ({case['description']}): differs in {sorted(unexpected)}; "
        f"got status {response.status}, handler called {response.handler_called}, "
        f"headers {response.headers}; expected {case['expected']}"
    )
    if allowed:
        assert differences, f"{case['id']} no longer deviates; remove it from DEVIATIONS and the docs"


def ids(cases: list[dict[str, Any]]) -> Iterator[str]:
    return (case["id"] for case in cases)
