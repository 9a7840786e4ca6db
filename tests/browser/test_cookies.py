"""The cookie layer: storing Set-Cookie, sending cookies, SameSite and third-party blocking."""

from __future__ import annotations

import pytest

from corsguard.browser import Checker, CookieOutcome, FetchRequest, RecordedResponse, RecordedTransport
from corsguard.browser.cookies import CookieContext, parse_set_cookie, registrable_domain, site_of
from corsguard.browser.model import parse_url

from .conformance import FakeClock

PAGE = "https://app.example.com"
SAME_SITE_API = "https://api.example.com"
CROSS_SITE_API = "https://api.example.net"


def grant(origin: str = PAGE) -> tuple[tuple[str, str], ...]:
    return (("Access-Control-Allow-Origin", origin), ("Access-Control-Allow-Credentials", "true"))


def set_then_send(api: str, set_cookie: str, checker: Checker | None = None,
                  page: str = PAGE) -> tuple[list[CookieOutcome], list[CookieOutcome], str]:
    """Let the API set a cookie through a credentialed fetch, then fetch again; return both outcomes."""
    checker = checker or Checker(clock=FakeClock())
    request = FetchRequest(f"{api}/login", page, "POST", credentials="include")
    first = checker.check(request, RecordedTransport({("*", "*"): RecordedResponse(200, (*grant(page),
                                                                                          ("Set-Cookie", set_cookie)))}))
    again = FetchRequest(f"{api}/me", page, credentials="include")
    second = checker.check(again, RecordedTransport({("*", "*"): RecordedResponse(200, grant(page))}))
    cookie_header = dict(second.exchanges[-1].request_headers).get("cookie", "")
    return list(first.cookies), list(second.cookies), cookie_header


@pytest.mark.parametrize("host, site", [
    ("api.example.com", "example.com"), ("a.b.example.co.uk", "example.co.uk"), ("127.0.0.1", "127.0.0.1"),
    ("localhost", "localhost"), ("user.github.io", "user.github.io"), ("example.com.", "example.com"),
])
def test_registrable_domain(host: str, site: str) -> None:
    assert registrable_domain(host) == site


def test_site_is_schemeful() -> None:
    assert site_of("http", "a.example.com") != site_of("https", "a.example.com")


def test_same_site_lax_cookie_stored_and_sent() -> None:
    stored, sent, header = set_then_send(SAME_SITE_API, "sid=1; Path=/")
    assert [outcome.action for outcome in stored] == ["stored"]
    assert [outcome.action for outcome in sent] == ["sent"]
    assert header == "sid=1"


@pytest.mark.parametrize("attributes, reason", [
    ("", "SchemefulSameSiteUnspecifiedTreatedAsLax"),
    ("; SameSite=Lax", "SchemefulSameSiteLax"),
    ("; SameSite=Strict", "SchemefulSameSiteStrict"),
    ("; SameSite=None", "SameSiteNoneInsecure"),
])
def test_cross_site_cookie_rejected_at_set(attributes: str, reason: str) -> None:
    stored, _, header = set_then_send(CROSS_SITE_API, "sid=1" + attributes)
    assert [(outcome.action, outcome.reason) for outcome in stored] == [("rejected", reason)]
    assert header == ""


def test_cross_site_none_secure_cookie_works() -> None:
    stored, sent, header = set_then_send(CROSS_SITE_API, "sid=1; SameSite=None; Secure")
    assert stored[0].action == "stored"
    assert sent[0].action == "sent"
    assert header == "sid=1"


def test_chromium_blocks_third_party_by_default() -> None:
    checker = Checker("chromium", clock=FakeClock())
    stored, _, header = set_then_send(CROSS_SITE_API, "sid=1; SameSite=None; Secure", checker)
    assert stored[0].reason == "UserPreferences"
    assert header == ""
    allowing = Checker("chromium", clock=FakeClock(), third_party_cookies=True)
    assert set_then_send(CROSS_SITE_API, "sid=1; SameSite=None; Secure", allowing)[2] == "sid=1"


def test_partitioned_cookie_survives_third_party_blocking() -> None:
    checker = Checker("chromium", clock=FakeClock())
    stored, _, header = set_then_send(CROSS_SITE_API, "chips=1; SameSite=None; Secure; Partitioned", checker)
    assert stored[0].action == "stored"
    assert header == "chips=1"


def test_partitioned_cookie_keyed_by_top_level_site() -> None:
    checker = Checker("chromium", clock=FakeClock())
    set_then_send(CROSS_SITE_API, "chips=1; SameSite=None; Secure; Partitioned", checker)
    other_page = "https://shop.example.org"
    request = FetchRequest(f"{CROSS_SITE_API}/me", other_page, credentials="include")
    verdict = checker.check(request, RecordedTransport({("*", "*"): RecordedResponse(200, grant(other_page))}))
    assert "cookie" not in dict(verdict.exchanges[-1].request_headers)


def test_secure_cookie_over_plain_http_rejected() -> None:
    stored, _, _ = set_then_send("http://api.example.com", "sid=1; Secure", page="http://app.example.com")
    assert stored[0].reason == "SecureOnly"


def test_loopback_counts_as_secure() -> None:
    stored, _, header = set_then_send("http://127.0.0.1:8002", "sid=1; SameSite=None; Secure",
                                      page="http://127.0.0.1:8001")
    assert stored[0].action == "stored"
    assert header == "sid=1"


@pytest.mark.parametrize("domain, accepted", [
    ("example.com", True), (".example.com", True), ("api.example.com", True), ("other.com", False),
    ("http://localhost:3000", False), ("com", False), ("co.uk", False), ("xample.com", False),
])
def test_domain_attribute(domain: str, accepted: bool) -> None:
    stored, _, _ = set_then_send(SAME_SITE_API, f"sid=1; Domain={domain}")
    assert (stored[0].action == "stored") is accepted
    if not accepted:
        assert stored[0].reason == "InvalidDomain"


def test_domain_cookie_sent_to_sibling_host() -> None:
    checker = Checker(clock=FakeClock())
    set_then_send(SAME_SITE_API, "sid=1; Domain=example.com", checker)
    request = FetchRequest("https://files.example.com/x", PAGE, credentials="include")
    verdict = checker.check(request, RecordedTransport({("*", "*"): RecordedResponse(200, grant())}))
    assert dict(verdict.exchanges[-1].request_headers)["cookie"] == "sid=1"


def test_host_only_cookie_not_sent_to_sibling_host() -> None:
    checker = Checker(clock=FakeClock())
    set_then_send(SAME_SITE_API, "sid=1", checker)
    request = FetchRequest("https://files.example.com/x", PAGE, credentials="include")
    verdict = checker.check(request, RecordedTransport({("*", "*"): RecordedResponse(200, grant())}))
    assert "cookie" not in dict(verdict.exchanges[-1].request_headers)


def test_path_attribute_limits_sending() -> None:
    checker = Checker(clock=FakeClock())
    _, sent, header = set_then_send(SAME_SITE_API, "sid=1; Path=/admin", checker)
    assert header == ""
    assert sent == []


def test_max_age_expiry_uses_clock() -> None:
    clock = FakeClock()
    checker = Checker(clock=clock)
    set_then_send(SAME_SITE_API, "sid=1; Max-Age=10", checker)
    clock.advance(11)
    request = FetchRequest(f"{SAME_SITE_API}/me", PAGE, credentials="include")
    verdict = checker.check(request, RecordedTransport({("*", "*"): RecordedResponse(200, grant())}))
    assert "cookie" not in dict(verdict.exchanges[-1].request_headers)


def test_max_age_zero_deletes() -> None:
    checker = Checker(clock=FakeClock())
    set_then_send(SAME_SITE_API, "sid=1", checker)
    _, _, header = set_then_send(SAME_SITE_API, "sid=; Max-Age=0", checker)
    assert header == ""


def test_cookie_prefixes() -> None:
    assert set_then_send(SAME_SITE_API, "__Secure-a=1")[0][0].reason == "InvalidPrefix"
    assert set_then_send(SAME_SITE_API, "__Host-a=1; Secure; Path=/; Domain=example.com")[0][0].reason == "InvalidPrefix"
    assert set_then_send(SAME_SITE_API, "__Host-a=1; Secure; Path=/")[0][0].action == "stored"


def test_no_cookies_without_include_cross_origin() -> None:
    request = FetchRequest(f"{SAME_SITE_API}/me", PAGE, cookies=(("sid", "1"),))
    verdict = Checker().check(request, RecordedTransport({("*", "*"): RecordedResponse(200, grant())}))
    assert verdict.credentials_attached["actual"] is False
    assert "cookie" not in dict(verdict.exchanges[-1].request_headers)


def test_preflight_never_carries_cookies() -> None:
    request = FetchRequest(f"{SAME_SITE_API}/me", PAGE, "PUT", credentials="include", cookies=(("sid", "1"),))
    preflight = RecordedResponse(204, (*grant(), ("Access-Control-Allow-Methods", "PUT")))
    verdict = Checker().check(request, RecordedTransport({("OPTIONS", "*"): preflight,
                                                          ("*", "*"): RecordedResponse(200, grant())}))
    preflight_headers, actual_headers = (dict(exchange.request_headers) for exchange in verdict.exchanges)
    assert "cookie" not in preflight_headers
    assert actual_headers["cookie"] == "sid=1"
    assert verdict.credentials_attached == {"preflight": False, "actual": True}


def test_blocked_response_still_sends_and_stores_cookies() -> None:
    request = FetchRequest(f"{SAME_SITE_API}/me", PAGE, credentials="include", cookies=(("sid", "1"),))
    response = RecordedResponse(200, (("Access-Control-Allow-Origin", "*"), ("Set-Cookie", "new=1")))
    verdict = Checker().check(request, RecordedTransport({("*", "*"): response}))
    assert verdict.verdict == "blocked"
    assert {outcome.name: outcome.action for outcome in verdict.cookies} == {"sid": "sent", "new": "stored"}


@pytest.mark.parametrize("line", ["", ";", "=", "a", "=;;;", "a=b; Domain=", "a=b; Max-Age=x; SameSite=weird"])
def test_odd_set_cookie_lines_never_raise(line: str) -> None:
    url = parse_url("https://api.example.com/x")
    assert url is not None
    cookie, outcome = parse_set_cookie(line, url, CookieContext("https://example.com", False), 0.0)
    assert outcome.action in ("stored", "rejected")
    assert (cookie is None) is (outcome.action == "rejected")


def test_firefox_partitions_cross_site_cookies() -> None:
    checker = Checker("firefox", clock=FakeClock())
    stored, _, header = set_then_send(CROSS_SITE_API, "sid=1; SameSite=None; Secure", checker)
    assert stored[0].action == "stored"
    assert header == "sid=1"
    # A cookie the browser holds from a first-party visit to the API stays in the API's own jar.
    request = FetchRequest(f"{CROSS_SITE_API}/me", PAGE, credentials="include",
                           cookies=(("own", "1; SameSite=None; Secure"),))
    verdict = checker.check(request, RecordedTransport({("*", "*"): RecordedResponse(200, grant())}))
    reasons = {outcome.name: outcome.reason for outcome in verdict.cookies}
    assert reasons == {"sid": None, "own": "ThirdPartyCookiePartitioned"}
    assert "Total Cookie Protection" in verdict.explanation


def test_firefox_partition_not_shared_with_other_site() -> None:
    checker = Checker("firefox", clock=FakeClock())
    set_then_send(CROSS_SITE_API, "sid=1; SameSite=None; Secure", checker)
    other_page = "https://shop.example.org"
    request = FetchRequest(f"{CROSS_SITE_API}/me", other_page, credentials="include")
    verdict = checker.check(request, RecordedTransport({("*", "*"): RecordedResponse(200, grant(other_page))}))
    assert "cookie" not in dict(verdict.exchanges[-1].request_headers)


def test_firefox_cookie_without_samesite_crosses_sites() -> None:
    stored, _, header = set_then_send(CROSS_SITE_API, "sid=1", Checker("firefox", clock=FakeClock()))
    assert stored[0].action == "stored"
    assert header == "sid=1"
    assert set_then_send(CROSS_SITE_API, "sid=1")[0][0].reason == "SchemefulSameSiteUnspecifiedTreatedAsLax"


def test_domain_equal_to_ip_is_host_only() -> None:
    stored, _, header = set_then_send("http://127.0.0.1:8002", "__Host-a=1; Secure; Path=/; Domain=127.0.0.1",
                                      page="http://127.0.0.1:8001")
    assert stored[0].action == "stored"
    assert header == "__Host-a=1"


def test_preflight_set_cookie_ignored() -> None:
    request = FetchRequest(f"{SAME_SITE_API}/me", PAGE, "PUT", credentials="include")
    preflight = RecordedResponse(204, (*grant(), ("Access-Control-Allow-Methods", "PUT"), ("Set-Cookie", "pre=1")))
    verdict = Checker().check(request, RecordedTransport({("OPTIONS", "*"): preflight,
                                                          ("*", "*"): RecordedResponse(200, grant())}))
    assert [(outcome.name, outcome.action) for outcome in verdict.cookies] == [("pre", "ignored")]
