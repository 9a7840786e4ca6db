"""The preflight cache: keys, lifetimes per profile, credentials, wildcards, and clearing."""

from __future__ import annotations

import pytest

from corsguard.browser import Checker, FetchRequest, RecordedResponse, RecordedTransport

from .conformance import FakeClock

PAGE = "https://app.example"
URL = "https://api.example/r"


def preflight(*headers: tuple[str, str], status: int = 204) -> RecordedResponse:
    return RecordedResponse(status, (("Access-Control-Allow-Origin", PAGE), ("Access-Control-Allow-Credentials", "true"),
                                     *headers))


ACTUAL = RecordedResponse(200, (("Access-Control-Allow-Origin", PAGE), ("Access-Control-Allow-Credentials", "true")))


def transport(pre: RecordedResponse, actual: RecordedResponse = ACTUAL) -> RecordedTransport:
    return RecordedTransport({("OPTIONS", "*"): pre, ("*", "*"): actual})


def put(url: str = URL, credentials: str = "same-origin", origin: str = PAGE,
        headers: tuple[tuple[str, str], ...] = ()) -> FetchRequest:
    return FetchRequest(url, origin, "PUT", headers=headers, credentials=credentials)


def preflights_for(checker: Checker, clock: FakeClock, steps: list[float], pre: RecordedResponse,
                   request: FetchRequest | None = None) -> list[bool]:
    """Run the request once per step, advancing the clock first; return whether each preflighted."""
    results = []
    for seconds in steps:
        clock.advance(seconds)
        verdict = checker.check(request or put(), transport(pre))
        assert verdict.verdict == "allowed"
        results.append(verdict.preflight_needed)
    return results


@pytest.mark.parametrize("profile", ["spec", "chromium", "firefox"])
def test_default_max_age_five_seconds(profile: str) -> None:
    clock = FakeClock()
    pre = preflight(("Access-Control-Allow-Methods", "PUT"))
    assert preflights_for(Checker(profile, clock=clock), clock, [0, 4.9, 0.2], pre) == [True, False, True]


@pytest.mark.parametrize("profile, cap", [("chromium", 7200), ("firefox", 86400)])
def test_max_age_capped_per_profile(profile: str, cap: int) -> None:
    clock = FakeClock()
    pre = preflight(("Access-Control-Allow-Methods", "PUT"), ("Access-Control-Max-Age", "100000"))
    assert preflights_for(Checker(profile, clock=clock), clock, [0, cap - 1, 2], pre) == [True, False, True]


def test_spec_profile_keeps_server_max_age() -> None:
    clock = FakeClock()
    pre = preflight(("Access-Control-Allow-Methods", "PUT"), ("Access-Control-Max-Age", "100000"))
    assert preflights_for(Checker("spec", clock=clock), clock, [0, 99999], pre) == [True, False]


@pytest.mark.parametrize("max_age", ["0", "-5"])
def test_zero_or_negative_max_age_not_cached(max_age: str) -> None:
    clock = FakeClock()
    pre = preflight(("Access-Control-Allow-Methods", "PUT"), ("Access-Control-Max-Age", max_age))
    assert preflights_for(Checker("chromium", clock=clock), clock, [0, 0.1], pre) == [True, True]


def test_cache_keyed_by_url_and_origin() -> None:
    clock = FakeClock()
    checker = Checker(clock=clock)
    pre = preflight(("Access-Control-Allow-Methods", "PUT"), ("Access-Control-Max-Age", "60"))
    assert checker.check(put(), transport(pre)).preflight_needed is True
    assert checker.check(put(URL + "?page=2"), transport(pre)).preflight_needed is True
    other = preflight(("Access-Control-Allow-Methods", "PUT"), ("Access-Control-Max-Age", "60"))
    other_origin = put(origin="https://other.example")
    assert checker.check(other_origin, transport(other)).preflight_needed is True
    assert checker.check(put(), transport(pre)).preflight_needed is False


def test_omit_entry_does_not_serve_include() -> None:
    clock = FakeClock()
    checker = Checker(clock=clock)
    pre = preflight(("Access-Control-Allow-Methods", "PUT"), ("Access-Control-Max-Age", "60"))
    assert checker.check(put(credentials="omit"), transport(pre)).preflight_needed is True
    assert checker.check(put(credentials="include"), transport(pre)).preflight_needed is True
    assert checker.check(put(credentials="omit"), transport(pre)).preflight_needed is False


def test_cached_wildcard_method_serves_other_methods() -> None:
    clock = FakeClock()
    checker = Checker(clock=clock)
    star = RecordedResponse(204, (("Access-Control-Allow-Origin", "*"), ("Access-Control-Allow-Methods", "*"),
                                  ("Access-Control-Max-Age", "60")))
    anonymous = RecordedResponse(200, (("Access-Control-Allow-Origin", "*"),))
    assert checker.check(put(credentials="omit"), transport(star, anonymous)).verdict == "allowed"
    later = checker.check(FetchRequest(URL, PAGE, "DELETE", credentials="omit"), transport(star, anonymous))
    assert later.preflight_from_cache is True


def test_cached_wildcard_headers_never_cover_authorization_in_spec() -> None:
    clock = FakeClock()
    checker = Checker(clock=clock)
    star = RecordedResponse(204, (("Access-Control-Allow-Origin", "*"), ("Access-Control-Allow-Headers", "*"),
                                  ("Access-Control-Max-Age", "60")))
    anonymous = RecordedResponse(200, (("Access-Control-Allow-Origin", "*"),))
    first = FetchRequest(URL, PAGE, headers=(("X-A", "1"),))
    assert checker.check(first, transport(star, anonymous)).verdict == "allowed"
    with_auth = FetchRequest(URL, PAGE, headers=(("X-A", "1"), ("Authorization", "Bearer t")))
    verdict = checker.check(with_auth, transport(star, anonymous))
    assert verdict.preflight_needed is True
    assert verdict.error is not None
    assert verdict.error.chromium == "HeaderDisallowedByPreflightResponse"


@pytest.mark.parametrize("profile", ["chromium", "firefox"])
def test_authorization_under_wildcard_engines(profile: str) -> None:
    star = RecordedResponse(204, (("Access-Control-Allow-Origin", "*"), ("Access-Control-Allow-Headers", "*")))
    anonymous = RecordedResponse(200, (("Access-Control-Allow-Origin", "*"),))
    request = FetchRequest(URL, PAGE, headers=(("X-Foo", "1"), ("Authorization", "Bearer t")), credentials="omit")
    verdict = Checker(profile).check(request, transport(star, anonymous))
    assert verdict.verdict == "allowed"
    if profile == "firefox":
        assert "CORSAllowHeaderFromPreflightDeprecation" in verdict.warnings


def test_failed_preflight_clears_entries() -> None:
    clock = FakeClock()
    checker = Checker(clock=clock)
    good = preflight(("Access-Control-Allow-Methods", "PUT, DELETE"), ("Access-Control-Max-Age", "60"))
    assert checker.check(put(), transport(good)).preflight_needed is True
    bad = RecordedResponse(500, ())
    failed = checker.check(put(headers=(("X-New", "1"),)), transport(bad))
    assert failed.error is not None
    assert checker.check(put(), transport(good)).preflight_needed is True


@pytest.mark.parametrize("profile, clears", [("spec", True), ("firefox", True), ("chromium", False)])
def test_failed_actual_response_clears_entries(profile: str, clears: bool) -> None:
    clock = FakeClock()
    checker = Checker(profile, clock=clock)
    good = preflight(("Access-Control-Allow-Methods", "PUT"), ("Access-Control-Max-Age", "60"))
    assert checker.check(put(), transport(good, RecordedResponse(200, ()))).error is not None
    assert checker.check(put(), transport(good)).preflight_needed is clears


def test_firefox_keeps_at_most_100_urls() -> None:
    clock = FakeClock()
    checker = Checker("firefox", clock=clock)
    pre = preflight(("Access-Control-Allow-Methods", "PUT"), ("Access-Control-Max-Age", "600"))
    for index in range(101):
        checker.check(put(f"{URL}?n={index}"), transport(pre))
    assert checker.check(put(f"{URL}?n=100"), transport(pre)).preflight_needed is False
    assert checker.check(put(f"{URL}?n=0"), transport(pre)).preflight_needed is True


def _header_preflights(profile: str) -> list[bool]:
    clock = FakeClock()
    checker = Checker(profile, clock=clock)
    results = []
    for name in ("X-A", "X-B", "X-A"):
        pre = RecordedResponse(204, (("Access-Control-Allow-Origin", "*"), ("Access-Control-Allow-Headers", name),
                                     ("Access-Control-Max-Age", "60")))
        anonymous = RecordedResponse(200, (("Access-Control-Allow-Origin", "*"),))
        verdict = checker.check(FetchRequest(URL, PAGE, headers=((name, "1"),)), transport(pre, anonymous))
        results.append(verdict.preflight_needed)
    return results


def test_spec_cache_adds_results() -> None:
    assert _header_preflights("spec") == [True, True, False]
    assert _header_preflights("firefox") == [True, True, False]


def test_chromium_cache_replaces_results() -> None:
    assert _header_preflights("chromium") == [True, True, True]


def test_chromium_skips_long_urls() -> None:
    clock = FakeClock()
    checker = Checker("chromium", clock=clock)
    pre = preflight(("Access-Control-Allow-Methods", "PUT"), ("Access-Control-Max-Age", "60"))
    long_url = URL + "?q=" + "a" * 1024
    assert checker.check(put(long_url), transport(pre)).preflight_needed is True
    assert checker.check(put(long_url), transport(pre)).preflight_needed is True


def test_fragment_not_part_of_cache_key() -> None:
    clock = FakeClock()
    checker = Checker(clock=clock)
    pre = preflight(("Access-Control-Allow-Methods", "PUT"), ("Access-Control-Max-Age", "60"))
    first = checker.check(put(URL + "#one"), transport(pre))
    assert first.exchanges[0].url == URL
    assert checker.check(put(URL + "#two"), transport(pre)).preflight_needed is False
