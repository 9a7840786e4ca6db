"""Public bug reports about credentialed CORS, replayed through the checker.

Each `browser-verdict` and `both` case of the bug file is rebuilt from its reproduction (the report
gives prose, so the requests and responses are written out here) and must reach the right verdict
with an explanation that names the cause and a fix that names the setting.
"""

from __future__ import annotations

import pytest

from corsguard.browser import Checker, FetchRequest, RecordedResponse, RecordedTransport, Verdict

from .conformance import BUG_CASES, load_cases

BROWSER_BUG_IDS = sorted(case["id"] for case in load_cases(BUG_CASES) if case["kind"] in ("browser-verdict", "both"))


def run(request: FetchRequest, responses: dict[tuple[str, str], RecordedResponse], profile: str = "spec") -> Verdict:
    return Checker(profile).check(request, RecordedTransport(responses))


def test_every_browser_bug_case_has_a_test() -> None:
    tested = {name.removeprefix("test_").replace("_", "-") for name in globals() if name.startswith("test_")}
    missing = [case_id for case_id in BROWSER_BUG_IDS if case_id not in tested]
    assert missing == []


def test_starlette_graphql_preflight_400() -> None:
    request = FetchRequest(
        "http://api.example.com:30540/graphql", "http://app.example.com:8080", "POST",
        headers=(("Access-Control-Allow-Origin", "*"), ("Authorization", "Bearer t"),
                 ("Content-Type", "application/json")),
    )
    verdict = run(request, {("OPTIONS", "*"): RecordedResponse(400, ())})
    assert verdict.verdict == "blocked"
    assert verdict.error is not None
    assert verdict.error.stage == "preflight"
    assert verdict.error.chromium == "PreflightMissingAllowOriginHeader"
    assert dict(verdict.preflight_request or ())["access-control-request-headers"] == \
        "access-control-allow-origin,authorization,content-type"
    assert "Access-Control-Allow-Origin" in verdict.explanation
    assert "400" in verdict.explanation
    assert "allow_origins" in verdict.fix


def test_starlette_graphql_preflight_400_even_with_200() -> None:
    request = FetchRequest(
        "http://api.example.com:30540/graphql", "http://app.example.com:8080", "POST",
        headers=(("Access-Control-Allow-Origin", "*"), ("Authorization", "Bearer t"),
                 ("Content-Type", "application/json")),
    )
    granted_origin = RecordedResponse(200, (("Access-Control-Allow-Origin", "http://app.example.com:8080"),))
    verdict = run(request, {("OPTIONS", "*"): granted_origin})
    assert verdict.error is not None
    assert verdict.error.chromium == "HeaderDisallowedByPreflightResponse"
    assert verdict.error.failed_parameter == "access-control-allow-origin"
    assert "response header" in verdict.explanation
    assert "allow_headers" in verdict.fix


def test_fastapi_cookie_domain_url_samesite_none() -> None:
    request = FetchRequest("http://localhost:8000/login", "http://localhost:3000", "POST",
                           headers=(("Content-Type", "application/x-www-form-urlencoded"),),
                           credentials="include")
    grant = (("Access-Control-Allow-Origin", "http://localhost:3000"), ("Access-Control-Allow-Credentials", "true"))
    line = "refresh_token_test=abc; Domain=http://localhost:3000; Max-Age=600; Path=/; SameSite=none"
    set_cookie = ("Set-Cookie", line)
    verdict = run(request, {("*", "*"): RecordedResponse(200, (*grant, set_cookie))})
    assert verdict.verdict == "allowed"
    [outcome] = verdict.cookies
    assert outcome.action == "rejected"
    assert outcome.reason == "InvalidDomain"
    assert "Domain" in verdict.explanation
    assert "Omit `Domain`" in verdict.fix


def test_fastapi_cookie_without_domain_still_needs_secure() -> None:
    request = FetchRequest("http://localhost:8000/login", "http://localhost:3000", "POST", credentials="include")
    grant = (("Access-Control-Allow-Origin", "http://localhost:3000"), ("Access-Control-Allow-Credentials", "true"))
    set_cookie = ("Set-Cookie", "refresh_token_test=abc; Max-Age=600; Path=/; SameSite=none")
    verdict = run(request, {("*", "*"): RecordedResponse(200, (*grant, set_cookie))})
    [outcome] = verdict.cookies
    assert outcome.reason == "SameSiteNoneInsecure"
    assert "Secure" in verdict.fix


def test_fastapi_cookie_ignored_without_include() -> None:
    request = FetchRequest("http://localhost:8000/login", "http://localhost:3000", "POST")
    response = RecordedResponse(200, (("Access-Control-Allow-Origin", "http://localhost:3000"),
                                      ("Set-Cookie", "refresh_token_test=abc; Path=/")))
    verdict = run(request, {("*", "*"): response})
    [outcome] = verdict.cookies
    assert outcome.action == "ignored"


def test_flask_cors_preflight_missing_allow_credentials() -> None:
    request = FetchRequest("http://api.example.com:5000/img", "http://app.example.com:8080", "POST",
                           headers=(("Content-Type", "application/json"),), credentials="include")
    preflight = RecordedResponse(200, (("Access-Control-Allow-Origin", "http://app.example.com:8080"),
                                       ("Access-Control-Allow-Headers", "content-type")))
    verdict = run(request, {("OPTIONS", "*"): preflight})
    assert verdict.error is not None
    assert verdict.error.chromium == "PreflightInvalidAllowCredentials"
    assert verdict.error.firefox == "CORSMissingAllowCredentials"
    assert "Access-Control-Allow-Credentials" in verdict.explanation
    assert "allow_credentials=True" in verdict.fix
    assert not [exchange for exchange in verdict.exchanges if exchange.stage == "actual"]


def test_flask_cors_preflight_trailing_slash_redirect() -> None:
    request = FetchRequest("http://api.example.com:5000/journal", "http://app.example.com:3000",
                           headers=(("Authorization", "Bearer t"),), credentials="include")
    verdict = run(request, {("OPTIONS", "*"): RecordedResponse(308, (("Location", "/journal/"),))})
    assert verdict.error is not None
    assert verdict.error.chromium == "PreflightDisallowedRedirect"
    assert verdict.error.firefox == "CORSExternalRedirectNotAllowed"
    assert "redirect" in verdict.explanation
    assert "trailing-slash" in verdict.fix


def test_aiohttp_cors_auth_middleware_rejects_preflight() -> None:
    request = FetchRequest("https://api.example.com/api/data", "https://app.example.com",
                           headers=(("Authorization", "Bearer t"),))
    verdict = run(request, {("OPTIONS", "*"): RecordedResponse(401, ())})
    assert verdict.error is not None
    assert verdict.error.chromium == "PreflightMissingAllowOriginHeader"
    assert "401" in verdict.explanation
    assert verdict.credentials_attached["preflight"] is False


def test_aiohttp_cors_401_with_grant_headers() -> None:
    request = FetchRequest("https://api.example.com/api/data", "https://app.example.com",
                           headers=(("Authorization", "Bearer t"),))
    preflight = RecordedResponse(401, (("Access-Control-Allow-Origin", "https://app.example.com"),
                                       ("Access-Control-Allow-Headers", "authorization")))
    verdict = run(request, {("OPTIONS", "*"): preflight})
    assert verdict.error is not None
    assert verdict.error.chromium == "PreflightInvalidStatus"
    assert "401" in verdict.explanation
    assert "auth" in verdict.fix


@pytest.mark.parametrize("profile", ["spec", "chromium", "firefox"])
def test_axios_withcredentials_against_wildcard_api(profile: str) -> None:
    response = RecordedResponse(200, (("Access-Control-Allow-Origin", "*"), ("Content-Type", "application/json")))
    credentialed = FetchRequest("http://public-api.example.org/", "http://app.example.com:8080",
                                headers=(("Accept", "application/json, text/plain, */*"),), credentials="include")
    verdict = run(credentialed, {("*", "*"): response}, profile)
    assert verdict.error is not None
    assert verdict.error.chromium == "WildcardOriginNotAllowed"
    assert verdict.error.firefox == "CORSNotSupportingCredentials"
    assert "*" in verdict.explanation
    assert "credentials" in verdict.fix

    anonymous = FetchRequest("http://public-api.example.org/", "http://app.example.com:8080",
                             headers=(("Accept", "application/json, text/plain, */*"),))
    assert run(anonymous, {("*", "*"): response}, profile).verdict == "allowed"


def test_axios_withcredentials_inside_headers_set_cookie() -> None:
    request = FetchRequest("https://api.example.com/signin", "https://app.example.com", "POST",
                           headers=(("withCredentials", "true"), ("Content-Type", "application/json")))
    preflight = RecordedResponse(204, (("Access-Control-Allow-Origin", "https://app.example.com"),
                                       ("Access-Control-Allow-Headers", "content-type, withcredentials")))
    actual = RecordedResponse(200, (("Access-Control-Allow-Origin", "https://app.example.com"),
                                    ("Access-Control-Expose-Headers", "Date, X-Powered-By, Set-Cookie"),
                                    ("Date", "Fri, 04 Dec 2026 20:00:00 GMT"), ("X-Powered-By", "Express"),
                                    ("Set-Cookie", "session=abc; Path=/")))
    verdict = run(request, {("OPTIONS", "*"): preflight, ("POST", "*"): actual})
    assert verdict.verdict == "allowed"
    assert dict(verdict.preflight_request or ())["access-control-request-headers"] == "content-type,withcredentials"
    assert verdict.visible_headers == ("date", "x-powered-by")
    assert [outcome.action for outcome in verdict.cookies] == ["ignored"]
    assert verdict.credentials_attached["actual"] is False


def test_axios_withcredentials_header_not_granted() -> None:
    request = FetchRequest("https://api.example.com/signin", "https://app.example.com", "POST",
                           headers=(("withCredentials", "true"), ("Content-Type", "application/json")))
    preflight = RecordedResponse(204, (("Access-Control-Allow-Origin", "https://app.example.com"),
                                       ("Access-Control-Allow-Headers", "content-type")))
    verdict = run(request, {("OPTIONS", "*"): preflight})
    assert verdict.error is not None
    assert verdict.error.failed_parameter == "withcredentials"
    assert "option, not a header" in verdict.explanation


def test_so_redirect_after_preflight() -> None:
    request = FetchRequest("https://api.example.com/documents/123", "https://app.example.com",
                           headers=(("Authorization", "Bearer t"),))
    preflight = RecordedResponse(204, (("Access-Control-Allow-Origin", "https://app.example.com"),
                                       ("Access-Control-Allow-Headers", "Accept, Authorization, Content-Type")))
    redirect = RecordedResponse(303, (("Location", "/documents/abc"),))
    verdict = run(request, {("OPTIONS", "*"): preflight, ("GET", "https://api.example.com/documents/123"): redirect})
    assert verdict.error is not None
    assert verdict.error.stage == "redirect"
    assert verdict.error.chromium == "MissingAllowOriginHeader"
    assert "allow_origins" in verdict.fix


def test_so_redirect_after_preflight_granted_hops() -> None:
    request = FetchRequest("https://api.example.com/documents/123", "https://app.example.com",
                           headers=(("Authorization", "Bearer t"),))
    grant = (("Access-Control-Allow-Origin", "https://app.example.com"),)
    preflight = RecordedResponse(204, (*grant, ("Access-Control-Allow-Headers", "Authorization")))
    redirect = RecordedResponse(303, (*grant, ("Location", "/documents/abc")))
    final = RecordedResponse(200, (*grant, ("Content-Type", "application/json")))
    verdict = run(request, {("OPTIONS", "*"): preflight,
                            ("GET", "https://api.example.com/documents/123"): redirect,
                            ("GET", "https://api.example.com/documents/abc"): final})
    assert verdict.verdict == "allowed"
    assert [exchange.url for exchange in verdict.exchanges if exchange.stage == "preflight"] == [
        "https://api.example.com/documents/123", "https://api.example.com/documents/abc"]
    last = verdict.exchanges[-1]
    assert dict(last.request_headers)["Authorization"] == "Bearer t"
    assert dict(last.request_headers)["origin"] == "https://app.example.com"
