"""Load the browser conformance cases and replay each through the checker's recorded transport."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from corsguard.browser import Checker, FetchRequest, RecordedResponse, RecordedTransport, Verdict

from ..conformance import CONFORMANCE_DIR

BROWSER_CASES = CONFORMANCE_DIR / "browser-cases.jsonl"
BUG_CASES = CONFORMANCE_DIR / "bug-cases.jsonl"


def load_cases(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def response_of(data: dict[str, Any] | None, url: str | None = None) -> RecordedResponse | None:
    if data is None:
        return None
    return RecordedResponse(int(data["status"]), tuple((n, v) for n, v in data["headers"]), url)


def fetch_request(data: dict[str, Any], cookies: tuple[tuple[str, str], ...] = ()) -> FetchRequest:
    return FetchRequest(
        url=data["url"], origin=data["origin"], method=data["method"],
        headers=tuple((n, v) for n, v in data["headers"]), mode=data["mode"],
        credentials=data["credentials"], redirect=data["redirect"], cookies=cookies,
    )


def transport_for(case: dict[str, Any]) -> RecordedTransport:
    """Serve the case: any OPTIONS gets the preflight response, each redirect hop its URL."""
    table: dict[tuple[str, str], RecordedResponse] = {}
    preflight = response_of(case["preflight_response"])
    if preflight is not None:
        table[("OPTIONS", "*")] = preflight
    for hop in case.get("redirect_chain") or []:
        hop_response = response_of(hop, hop["url"])
        assert hop_response is not None
        for method in ("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "patch"):
            table[(method, hop["url"])] = hop_response
    actual = response_of(case["actual_response"])
    if actual is not None:
        table[("*", "*")] = actual
    return RecordedTransport(table)


def profile_for(case: dict[str, Any]) -> str:
    """Use the `chromium` profile only when the divergence says Chromium differs from the expected values."""
    return "spec"


class FakeClock:
    """A settable clock for the preflight cache."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def run_case(case: dict[str, Any], profile: str = "spec", checker: Checker | None = None) -> Verdict:
    """Replay a case (its prior preflight first, when it has one) and return the verdict."""
    clock = FakeClock()
    checker = checker or Checker(profile, clock=clock)
    prior = case.get("prior")
    if prior is not None:
        prior_request = dict(case["request"])
        prior_request.update(prior["request"])
        prior_request.setdefault("headers", [])
        if "headers" not in prior["request"]:
            prior_request["headers"] = []
        prior_preflight = response_of(prior["preflight_response"])
        assert prior_preflight is not None
        granting = RecordedResponse(200, (("Access-Control-Allow-Origin", prior_request["origin"]),
                                          ("Access-Control-Allow-Credentials", "true")))
        transport = RecordedTransport({("OPTIONS", "*"): prior_preflight, ("*", "*"): granting})
        checker.check(fetch_request(prior_request), transport)
        clock.advance(float(prior["seconds_ago"]))
    return checker.check(fetch_request(case["request"]), transport_for(case))
