"""CORS-safelisted request headers, the unsafe-name list and request-time checks."""

from __future__ import annotations

import pytest

from corsguard.browser import Checker, FetchRequest, RecordedResponse, RecordedTransport
from corsguard.browser.safelist import (
    is_forbidden_request_header,
    is_no_cors_safelisted_header,
    is_safelisted_header,
    is_simple_range,
    mime_essence,
    unsafe_header_names,
)


@pytest.mark.parametrize("value", [
    "text/plain", "TEXT/PLAIN", "text/plain;", "text/plain;garbage", "text/plain; charset=utf-8",
    "multipart/form-data; boundary=x", "application/x-www-form-urlencoded", " text/plain ",
])
def test_content_type_safelisted(value: str) -> None:
    assert is_safelisted_header("Content-Type", value)


@pytest.mark.parametrize("value", [
    "text /plain", "text/plain,text/plain", ",text/plain", "text\t/\tplain", "text/plain\v",
    "application/json", "text/html", "text/plain; x=\"a\"", "application/csp-report", "text", "/plain",
])
def test_content_type_not_safelisted(value: str) -> None:
    assert not is_safelisted_header("Content-Type", value)


def test_mime_essence_lowercases() -> None:
    assert mime_essence("Text/Plain ; charset=x") == "text/plain"


def test_value_length_limit_128_bytes() -> None:
    assert is_safelisted_header("Accept", "a" * 128)
    assert not is_safelisted_header("Accept", "a" * 129)
    # Header values are byte strings: U+00E9 is one byte, not two as in UTF-8.
    assert is_safelisted_header("Accept", "\u00e9" * 128)
    assert not is_safelisted_header("Accept", "\u00e9" * 129)


@pytest.mark.parametrize("value, safelisted", [
    ("en-US,en;q=0.9", True), ("bzh", True), ("en@x", False), ("en_US", False), ("*", True),
])
def test_language_values(value: str, safelisted: bool) -> None:
    assert is_safelisted_header("Accept-Language", value) is safelisted
    assert is_safelisted_header("Content-Language", value) is safelisted


@pytest.mark.parametrize("character", ['"', "(", ")", ":", "<", ">", "?", "@", "[", "\\", "]", "{", "}",
                                       "\x7f", "\x01", "\x1f"])
def test_accept_unsafe_bytes(character: str) -> None:
    assert not is_safelisted_header("Accept", f"text/html{character}")


def test_accept_allows_tab_and_separators() -> None:
    assert is_safelisted_header("Accept", "text/html,\tapplication/json;q=0.9, */*")


@pytest.mark.parametrize("value, simple", [
    ("bytes=0-10", True), ("bytes=5-", True), ("bytes=10-10", True), ("bytes=-500", False),
    ("bytes=10-5", False), ("bytes=0-1,2-3", False), ("bytes= 0-1", False), ("bytes=0-1 ", False),
    ("items=0-1", False), ("bytes=a-1", False), ("bytes=0", False),
])
def test_simple_range(value: str, simple: bool) -> None:
    assert is_simple_range(value) is simple
    assert is_safelisted_header("Range", value) is simple


def test_authorization_never_safelisted() -> None:
    assert not is_safelisted_header("Authorization", "Bearer t")


@pytest.mark.parametrize("name, value, safelisted", [
    ("DPR", "2", True), ("DPR", "1.5", True), ("DPR", "x", False), ("Width", "100", True),
    ("Width", "1.5", False), ("Viewport-Width", "800", True), ("Device-Memory", "8", True),
    ("RTT", "50", True), ("Downlink", "1.7", True), ("ECT", "4g", True), ("ECT", "5g", False),
    ("Save-Data", "on", True), ("Save-Data", "off", False), ("Intervention", "<x>", True),
])
def test_chromium_client_hints(name: str, value: str, safelisted: bool) -> None:
    assert is_safelisted_header(name, value, chromium_extras=True) is safelisted
    assert not is_safelisted_header(name, value)


def test_unsafe_names_sorted_lowercase_unique() -> None:
    headers = [("X-B", "1"), ("x-a", "1"), ("X-A", "2"), ("Content-Type", "application/json"),
               ("Accept", "text/plain")]
    assert unsafe_header_names(headers) == ["content-type", "x-a", "x-b"]


def test_unsafe_names_total_over_1024_bytes() -> None:
    headers = [("Accept", "a" * 128)] * 8 + [("Accept-Language", "b")]
    assert unsafe_header_names(headers) == ["accept", "accept-language"]
    assert unsafe_header_names([("Accept", "a" * 128)] * 8) == []


def test_chromium_merges_duplicate_names() -> None:
    request = FetchRequest("https://api.example/r", "https://app.example",
                           headers=(("Accept", "a" * 100), ("Accept", "b" * 100)))
    transport = RecordedTransport({("*", "*"): RecordedResponse(200, (("Access-Control-Allow-Origin", "*"),
                                                                       ("Access-Control-Allow-Headers", "accept")))})
    assert Checker("spec").check(request, transport).preflight_needed is False
    chromium = Checker("chromium").check(request, transport)
    assert chromium.preflight_needed is True
    assert dict(chromium.preflight_request or ())["access-control-request-headers"] == "accept"


@pytest.mark.parametrize("name, value", [
    ("Cookie", "a=1"), ("Origin", "https://x.example"), ("Host", "x"), ("Sec-Fetch-Mode", "cors"),
    ("Proxy-Authorization", "x"), ("Access-Control-Request-Method", "PUT"), ("Content-Length", "3"),
    ("X-HTTP-Method-Override", "TRACE"), ("X-Method-Override", "get, connect"),
])
def test_forbidden_request_headers(name: str, value: str) -> None:
    assert is_forbidden_request_header(name, value)


def test_method_override_allowed_for_normal_methods() -> None:
    assert not is_forbidden_request_header("X-HTTP-Method-Override", "PATCH")


def test_no_cors_safelist() -> None:
    assert is_no_cors_safelisted_header("Content-Type", "text/plain")
    assert not is_no_cors_safelisted_header("Content-Type", "application/json")
    assert not is_no_cors_safelisted_header("Range", "bytes=0-1")
    assert not is_no_cors_safelisted_header("X-Custom", "1")


def _check(request: FetchRequest) -> str | None:
    transport = RecordedTransport({("*", "*"): RecordedResponse(200, (("Access-Control-Allow-Origin", "*"),))})
    verdict = Checker().check(request, transport)
    if verdict.error is not None and verdict.error.stage == "request":
        assert not verdict.exchanges
    return None if verdict.error is None else verdict.error.code


@pytest.mark.parametrize("method, code", [
    ("CONNECT", "ForbiddenMethod"), ("trace", "ForbiddenMethod"), ("TrAcK", "ForbiddenMethod"),
    ("BAD METHOD", "InvalidMethod"), ("", "InvalidMethod"),
])
def test_bad_methods_rejected_before_sending(method: str, code: str) -> None:
    assert _check(FetchRequest("https://api.example/r", "https://app.example", method)) == code


def test_forbidden_header_dropped_silently() -> None:
    request = FetchRequest("https://api.example/r", "https://app.example",
                           headers=(("Cookie", "a=1"), ("Origin", "https://evil.example")))
    transport = RecordedTransport({("*", "*"): RecordedResponse(200, (("Access-Control-Allow-Origin", "*"),))})
    verdict = Checker().check(request, transport)
    assert verdict.verdict == "allowed"
    assert verdict.preflight_needed is False
    assert verdict.request_headers_dropped == ("cookie", "origin")
    sent = dict(verdict.exchanges[0].request_headers)
    assert sent["origin"] == "https://app.example"
    assert "Cookie" not in sent
    assert "Origin" not in sent


@pytest.mark.parametrize("name, value, code", [
    ("Bad Name", "1", "InvalidHeaderName"), ("X-A", "a\r\nb", "InvalidHeaderValue"),
    ("X-A", "\u20ac", "InvalidHeaderValue"),
])
def test_invalid_headers_throw(name: str, value: str, code: str) -> None:
    assert _check(FetchRequest("https://api.example/r", "https://app.example", headers=((name, value),))) == code


def test_url_with_credentials_throws() -> None:
    assert _check(FetchRequest("https://u:p@api.example/r", "https://app.example")) == "URLContainsCredentials"


def test_non_http_scheme_in_cors_mode() -> None:
    assert _check(FetchRequest("ftp://api.example/r", "https://app.example")) == "CorsDisabledScheme"


def test_same_origin_mode_cross_origin() -> None:
    request = FetchRequest("https://api.example/r", "https://app.example", mode="same-origin")
    assert _check(request) == "DisallowedByMode"


def test_bad_request_options_raise() -> None:
    with pytest.raises(ValueError, match="credentials"):
        FetchRequest("https://api.example/r", "https://app.example", credentials="always")
    with pytest.raises(ValueError, match="origin"):
        Checker().check(FetchRequest("https://api.example/r", "app.example"), RecordedTransport([]))


def test_origin_serialized_like_browser() -> None:
    transport = RecordedTransport({("*", "*"): RecordedResponse(200, (("Access-Control-Allow-Origin", "*"),))})
    for page, serialized in [("https://B\u00fccher.example", "https://xn--bcher-kva.example"),
                             ("HTTP://App.Example:80/", "http://app.example"), ("http://[::1]:3000", "http://[::1]:3000")]:
        verdict = Checker().check(FetchRequest("https://api.example/r", page), transport)
        assert verdict.origin_header == serialized
