"""Redirects of CORS requests: checks per hop, tainting, header removal, method rewriting, limits."""

from __future__ import annotations

import pytest

from corsguard.browser import Checker, FetchRequest, RecordedResponse, RecordedTransport, Verdict

PAGE = "https://app.example"
API = "https://api.example"
CDN = "https://cdn.example"
STAR = (("Access-Control-Allow-Origin", "*"),)


def hop(location: str, status: int = 302, *headers: tuple[str, str]) -> RecordedResponse:
    return RecordedResponse(status, (("Location", location), *headers))


def run(request: FetchRequest, table: dict[tuple[str, str], RecordedResponse]) -> Verdict:
    return Checker().check(request, RecordedTransport(table))


def sent_headers(verdict: Verdict) -> list[dict[str, str]]:
    return [dict(exchange.request_headers) for exchange in verdict.exchanges if exchange.stage == "actual"]


def test_authorization_dropped_across_origins() -> None:
    request = FetchRequest(f"{API}/a", PAGE, headers=(("Authorization", "Bearer t"),))
    table = {
        ("OPTIONS", "*"): RecordedResponse(204, (*STAR, ("Access-Control-Allow-Headers", "authorization"))),
        ("GET", f"{API}/a"): hop(f"{CDN}/b", 307, *STAR),
        ("GET", f"{CDN}/b"): RecordedResponse(200, STAR),
    }
    verdict = run(request, table)
    assert verdict.verdict == "allowed"
    first, second = sent_headers(verdict)
    assert first["Authorization"] == "Bearer t"
    assert "Authorization" not in second
    assert verdict.headers_removed_on_redirect == ("authorization",)
    # Without Authorization the GET at the new origin needs no preflight.
    assert len(verdict.preflights) == 1


def test_authorization_kept_same_origin() -> None:
    request = FetchRequest(f"{API}/a", PAGE, headers=(("Authorization", "Bearer t"),))
    grant = (*STAR, ("Access-Control-Allow-Headers", "authorization"))
    table = {("OPTIONS", "*"): RecordedResponse(204, grant), ("GET", f"{API}/a"): hop(f"{API}/b", 307, *STAR),
             ("GET", f"{API}/b"): RecordedResponse(200, STAR)}
    verdict = run(request, table)
    assert [headers.get("Authorization") for headers in sent_headers(verdict)] == ["Bearer t", "Bearer t"]
    assert len(verdict.preflights) == 2


@pytest.mark.parametrize("status, method, final", [
    (301, "POST", "GET"), (302, "POST", "GET"), (303, "POST", "GET"), (303, "PUT", "GET"),
    (307, "POST", "POST"), (308, "POST", "POST"), (301, "PUT", "PUT"), (303, "HEAD", "HEAD"),
])
def test_method_rewriting(status: int, method: str, final: str) -> None:
    grant = (*STAR, ("Access-Control-Allow-Methods", "PUT, POST"))
    request = FetchRequest(f"{API}/a", PAGE, method, headers=(("Content-Type", "text/plain"),))
    table = {("OPTIONS", "*"): RecordedResponse(204, grant), (method, f"{API}/a"): hop(f"{API}/b", status, *STAR),
             ("*", f"{API}/b"): RecordedResponse(200, STAR)}
    verdict = run(request, table)
    assert verdict.verdict == "allowed"
    assert verdict.final_method == final
    last = sent_headers(verdict)[-1]
    assert ("Content-Type" in last) is (final == method)


def test_twenty_redirects_allowed_twenty_one_not() -> None:
    def chain(length: int) -> dict[tuple[str, str], RecordedResponse]:
        table = {("GET", f"{API}/{n}"): hop(f"{API}/{n + 1}", 302, *STAR) for n in range(length)}
        table[("GET", f"{API}/{length}")] = RecordedResponse(200, STAR)
        return table

    assert run(FetchRequest(f"{API}/0", PAGE), chain(20)).verdict == "allowed"
    verdict = run(FetchRequest(f"{API}/0", PAGE), chain(21))
    assert verdict.error is not None
    assert verdict.error.code == "TooManyRedirects"
    assert verdict.error.chromium is None


def test_relative_location_resolved() -> None:
    table = {("GET", f"{API}/a/b"): hop("../c", 302, *STAR), ("GET", f"{API}/c"): RecordedResponse(200, STAR)}
    verdict = run(FetchRequest(f"{API}/a/b", PAGE), table)
    assert verdict.final_url == f"{API}/c"
    assert verdict.origin_header == PAGE


def test_redirect_to_non_http_scheme() -> None:
    verdict = run(FetchRequest(f"{API}/a", PAGE), {("GET", f"{API}/a"): hop("data:,hello", 302, *STAR)})
    assert verdict.error is not None
    assert verdict.error.chromium == "CorsDisabledScheme"
    assert verdict.error.stage == "redirect"


def test_redirect_mode_error() -> None:
    verdict = run(FetchRequest(f"{API}/a", PAGE, redirect="error"), {("GET", f"{API}/a"): hop(f"{API}/b", 302, *STAR)})
    assert verdict.error is not None
    assert verdict.error.code == "RedirectModeError"
    assert verdict.error.chromium is None


def test_redirect_mode_manual_checks_cors_first() -> None:
    ok = run(FetchRequest(f"{API}/a", PAGE, redirect="manual"), {("GET", f"{API}/a"): hop(f"{CDN}/b", 302, *STAR)})
    assert ok.verdict == "opaqueredirect"
    assert ok.status == 0
    assert ok.visible_headers == ()
    blocked = run(FetchRequest(f"{API}/a", PAGE, redirect="manual"), {("GET", f"{API}/a"): hop(f"{CDN}/b")})
    assert blocked.error is not None
    assert blocked.error.chromium == "MissingAllowOriginHeader"
    assert blocked.error.stage == "redirect"


def test_redirect_status_without_location_is_final() -> None:
    verdict = run(FetchRequest(f"{API}/a", PAGE), {("GET", f"{API}/a"): RecordedResponse(302, STAR)})
    assert verdict.verdict == "allowed"
    assert verdict.status == 302


def test_same_origin_redirect_to_cross_origin_no_cors() -> None:
    verdict = run(FetchRequest(f"{PAGE}/a", PAGE, mode="no-cors", credentials="include"),
                  {("GET", f"{PAGE}/a"): hop(f"{API}/b"), ("GET", f"{API}/b"): RecordedResponse(200, ())})
    assert verdict.verdict == "opaque"
    assert verdict.credentials_attached["actual"] is True


def test_same_origin_mode_redirect_to_other_origin() -> None:
    verdict = run(FetchRequest(f"{PAGE}/a", PAGE, mode="same-origin"), {("GET", f"{PAGE}/a"): hop(f"{API}/b")})
    assert verdict.error is not None
    assert verdict.error.chromium == "DisallowedByMode"
    assert verdict.error.stage == "redirect"


def test_cors_tainting_sticks_after_return_to_page_origin() -> None:
    table = {("GET", f"{API}/a"): hop(f"{PAGE}/b", 302, *STAR), ("GET", f"{PAGE}/b"): RecordedResponse(200, ())}
    verdict = run(FetchRequest(f"{API}/a", PAGE), table)
    assert verdict.error is not None
    assert verdict.error.chromium == "MissingAllowOriginHeader"
    assert "redirected" in verdict.explanation
    assert "Avoid the cross-origin redirect" in verdict.fix


@pytest.mark.parametrize("mode", ["manual", "error"])
def test_redirect_status_without_location_ignores_mode(mode: str) -> None:
    verdict = run(FetchRequest(f"{API}/a", PAGE, redirect=mode), {("GET", f"{API}/a"): RecordedResponse(302, STAR)})
    assert verdict.verdict == "allowed"
    assert verdict.status == 302
