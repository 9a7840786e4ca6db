"""Fetch Metadata (`Sec-Fetch-*`) headers on the requests the checker sends."""

from __future__ import annotations

import pytest

from corsguard.browser import Checker, FetchRequest, RecordedResponse, RecordedTransport, Verdict

STAR = (("Access-Control-Allow-Origin", "*"),)


def sent(verdict: Verdict) -> list[dict[str, str]]:
    return [dict(exchange.request_headers) for exchange in verdict.exchanges]


def run(request: FetchRequest, table: dict[tuple[str, str], RecordedResponse] | None = None) -> Verdict:
    responses = table or {("*", "*"): RecordedResponse(200, STAR)}
    return Checker().check(request, RecordedTransport(responses))


@pytest.mark.parametrize("url, site", [
    ("https://app.example.com/x", "same-origin"),
    ("https://api.example.com/x", "same-site"),
    ("https://api.example.net/x", "cross-site"),
])
def test_sec_fetch_site(url: str, site: str) -> None:
    headers = sent(run(FetchRequest(url, "https://app.example.com")))[-1]
    assert headers["sec-fetch-site"] == site
    assert headers["sec-fetch-mode"] == "cors"
    assert headers["sec-fetch-dest"] == "empty"


def test_plain_http_public_host_no_metadata() -> None:
    headers = sent(run(FetchRequest("http://api.example.com/x", "https://app.example.com")))[-1]
    assert not [name for name in headers if name.startswith("sec-fetch-")]


def test_loopback_http_gets_metadata() -> None:
    verdict = run(FetchRequest("http://127.0.0.1:8002/x", "http://127.0.0.1:8001"))
    assert sent(verdict)[-1]["sec-fetch-site"] == "same-site"


def test_opaque_origin_is_cross_site() -> None:
    assert sent(run(FetchRequest("https://api.example.com/x", "null")))[-1]["sec-fetch-site"] == "cross-site"


def test_preflight_mode_is_cors() -> None:
    request = FetchRequest("https://api.example.com/x", "https://app.example.com", "PUT", mode="cors")
    table = {("OPTIONS", "*"): RecordedResponse(204, (*STAR, ("Access-Control-Allow-Methods", "PUT"))),
             ("*", "*"): RecordedResponse(200, STAR)}
    preflight, actual = sent(run(request, table))
    assert preflight["sec-fetch-mode"] == "cors"
    assert actual["sec-fetch-mode"] == "cors"
    assert "sec-fetch-mode" not in dict(run(request, table).preflight_request or ())


def test_no_cors_mode_header() -> None:
    verdict = run(FetchRequest("https://api.example.com/x", "https://app.example.com", mode="no-cors"))
    assert sent(verdict)[-1]["sec-fetch-mode"] == "no-cors"


def test_redirect_through_other_site_is_cross_site() -> None:
    table = {("GET", "https://app.example.com/a"): RecordedResponse(302, (("Location", "https://cdn.example.net/b"),)),
             ("GET", "https://cdn.example.net/b"): RecordedResponse(302, (*STAR, ("Location", "https://app.example.com/c"))),
             ("GET", "https://app.example.com/c"): RecordedResponse(200, STAR)}
    verdict = run(FetchRequest("https://app.example.com/a", "https://app.example.com"), table)
    assert [headers["sec-fetch-site"] for headers in sent(verdict)] == ["same-origin", "cross-site", "cross-site"]


@pytest.mark.parametrize("profile, credentials, origin", [
    ("spec", "include", None), ("firefox", "include", None), ("chromium", "include", "null"),
    ("chromium", "omit", None), ("chromium", "same-origin", None),
])
def test_no_cors_get_from_opaque_page(profile: str, credentials: str, origin: str | None) -> None:
    request = FetchRequest("https://api.example.com/x", "null", mode="no-cors", credentials=credentials)
    verdict = Checker(profile).check(request, RecordedTransport({("*", "*"): RecordedResponse(200, ())}))
    assert verdict.verdict == "opaque"
    assert verdict.origin_header == origin
    assert dict(verdict.exchanges[-1].request_headers).get("origin") == origin
