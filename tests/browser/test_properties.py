"""Property tests: parsers never raise on arbitrary input, and the verdict is deterministic."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from corsguard.browser import Checker, FetchRequest, RecordedResponse, RecordedTransport
from corsguard.browser.cookies import CookieContext, parse_set_cookie
from corsguard.browser.cors_check import cors_check, visible_headers
from corsguard.browser.model import parse_url
from corsguard.browser.preflight import parse_max_age, validate_preflight
from corsguard.browser.profiles import PROFILES
from corsguard.browser.safelist import (
    header_value_problem,
    is_forbidden_request_header,
    is_safelisted_header,
    is_simple_range,
    mime_essence,
    unsafe_header_names,
)

from .conformance import FakeClock

NAMES = st.sampled_from([
    "Access-Control-Allow-Origin", "Access-Control-Allow-Credentials", "Access-Control-Allow-Methods",
    "Access-Control-Allow-Headers", "Access-Control-Expose-Headers", "Access-Control-Max-Age", "Location",
    "Set-Cookie", "Vary", "Content-Type", "X-Custom",
])
VALUES = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["*", "null", "true", "True", "https://app.example", "https://app.example, *", "PUT",
                     "x-a, *", "60", "-1", "abc", "https://cdn.example/next", "/relative", "data:,x",
                     "https://u:p@api.example/x", "sid=1; SameSite=None; Secure", "bytes=0-10"]),
)
HEADER_LINES = st.lists(st.tuples(NAMES, VALUES), max_size=8).map(tuple)
REQUEST_HEADERS = st.lists(st.tuples(st.one_of(st.text(max_size=12), st.sampled_from(
    ["Content-Type", "Accept", "Range", "Authorization", "X-A", "DPR", "Cookie", "User-Agent"])), VALUES), max_size=5)
PROFILE_NAMES = st.sampled_from(sorted(PROFILES))


@given(st.text(), st.text())
def test_safelist_total(name: str, value: str) -> None:
    is_safelisted_header(name, value)
    is_safelisted_header(name, value, chromium_extras=True)
    is_forbidden_request_header(name, value)
    header_value_problem(name, value)
    mime_essence(value)
    is_simple_range(value)


@given(st.lists(st.tuples(st.text(max_size=20), st.text(max_size=200)), max_size=10))
def test_unsafe_names_sorted_unique_lowercase(headers: list[tuple[str, str]]) -> None:
    names = unsafe_header_names(headers)
    assert names == sorted(set(names), key=lambda name: name.encode("utf-8", "surrogatepass"))
    assert all(name == name.lower() for name in names)


@given(HEADER_LINES, st.sampled_from(["https://app.example", "null"]), st.booleans(), PROFILE_NAMES)
def test_response_parsers_total(headers: tuple[tuple[str, str], ...], origin: str, credentials: bool,
                                profile: str) -> None:
    failure = cors_check(headers, origin, credentials)
    visible_headers(headers, credentials)
    parse_max_age(headers, PROFILES[profile])
    validate_preflight(RecordedResponse(204, headers), origin, "PUT", ["x-a"], credentials, PROFILES[profile])
    if credentials and failure is None:
        assert {name.lower(): value for name, value in headers}.get("access-control-allow-origin") != "*"


@given(st.text(max_size=80), st.text(max_size=40))
def test_url_and_cookie_parsers_total(line: str, url_text: str) -> None:
    parse_url(url_text)
    parse_url(url_text, base="https://api.example/a/b")
    url = parse_url("https://api.example.com/x")
    assert url is not None
    parse_set_cookie(line, url, CookieContext("https://example.com", True), 0.0)
    parse_set_cookie(line, url, CookieContext(None, False), 0.0)


fetch_requests = st.builds(
    FetchRequest,
    url=st.sampled_from(["https://api.example/r", "https://app.example/same", "http://127.0.0.1:8002/x",
                         "ftp://api.example/f", "not a url", "https://u:p@api.example/"]),
    origin=st.sampled_from(["https://app.example", "null", "http://127.0.0.1:8001"]),
    method=st.one_of(st.sampled_from(["GET", "post", "PUT", "patch", "OPTIONS", "TRACE", "*"]), st.text(max_size=8)),
    headers=REQUEST_HEADERS.map(tuple),
    mode=st.sampled_from(["cors", "no-cors", "same-origin"]),
    credentials=st.sampled_from(["omit", "same-origin", "include"]),
    redirect=st.sampled_from(["follow", "manual", "error"]),
    cookies=st.lists(st.tuples(st.sampled_from(["sid", "a"]), VALUES), max_size=2).map(tuple),
)
responses = st.builds(RecordedResponse, status=st.sampled_from([200, 204, 302, 307, 401, 500]), headers=HEADER_LINES)


def run_twice(request: FetchRequest, table: dict[tuple[str, str], RecordedResponse], profile: str) -> list[object]:
    results = []
    for _ in range(2):
        checker = Checker(profile, clock=FakeClock())
        results.append(checker.check(request, RecordedTransport(dict(table))).to_dict())
    return results


@settings(max_examples=120, deadline=None)
@given(fetch_requests, responses, responses, PROFILE_NAMES)
def test_checker_total_and_deterministic(request: FetchRequest, preflight: RecordedResponse,
                                         actual: RecordedResponse, profile: str) -> None:
    table = {("OPTIONS", "*"): preflight, ("*", "*"): actual}
    first, second = run_twice(request, table, profile)
    assert first == second
    assert json.loads(json.dumps(first)) == first
    verdict = first
    assert isinstance(verdict, dict)
    assert verdict["verdict"] in ("allowed", "blocked", "opaque", "opaqueredirect")
    assert (verdict["error"] is None) is (verdict["verdict"] != "blocked")
    assert verdict["explanation"]
    if verdict["verdict"] == "blocked":
        assert verdict["fix"]
        assert verdict["visible_headers"] is None
    for lines in verdict["preflights"]:
        requested = dict(map(tuple, lines)).get("access-control-request-headers")
        assert requested is None or " " not in requested
    for exchange in verdict["exchanges"]:
        if exchange["stage"] == "preflight":
            assert "cookie" not in {name.lower() for name, _ in exchange["request_headers"]}
