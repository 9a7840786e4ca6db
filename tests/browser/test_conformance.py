"""Every browser conformance case, replayed through the checker with recorded responses."""

from __future__ import annotations

from typing import Any

import pytest

from corsguard.browser import Checker, RecordedResponse, RecordedTransport, Verdict

from .conformance import BROWSER_CASES, FakeClock, fetch_request, load_cases, response_of, run_case

CASES = load_cases(BROWSER_CASES)
COOKIE_CASES = [case for case in CASES if case["category"] == "cookies"]

# Cases whose expected values contradict the Fetch standard; each reason is listed in docs/browser.md.
WRONG_CASES = {
    "pf-ct-over-128": "the Content-Type value is exactly 128 bytes, which Fetch still safelists "
                      "(only a value longer than 128 bytes fails); the WPT original is far longer",
}


def _case_params(cases: list[dict[str, Any]]) -> list[Any]:
    params = []
    for case in cases:
        marks = []
        if case["id"] in WRONG_CASES:
            marks.append(pytest.mark.xfail(strict=True, reason=WRONG_CASES[case["id"]]))
        params.append(pytest.param(case, id=case["id"], marks=marks))
    return params


def preflight_request_dict(verdict: Verdict, index: int = 0) -> dict[str, str | None] | None:
    if len(verdict.preflights) <= index:
        return None
    headers = dict(verdict.preflights[index])
    return {
        "method": "OPTIONS",
        "access-control-request-method": headers.get("access-control-request-method"),
        "access-control-request-headers": headers.get("access-control-request-headers"),
        "origin": headers.get("origin"),
        "accept": headers.get("accept"),
    }


def error_dict(verdict: Verdict) -> dict[str, str | None] | None:
    if verdict.error is None:
        return None
    return {"stage": verdict.error.stage, "chromium": verdict.error.chromium, "firefox": verdict.error.firefox}


def actual_exchanges(verdict: Verdict) -> list[Any]:
    return [exchange for exchange in verdict.exchanges if exchange.stage == "actual"]


def assert_matches_expected(verdict: Verdict, expected: dict[str, Any]) -> None:
    assert verdict.verdict == expected["verdict"]
    assert error_dict(verdict) == expected["error"]
    assert verdict.preflight_needed == expected["preflight_needed"]
    assert preflight_request_dict(verdict) == expected["preflight_request"]
    visible = list(verdict.visible_headers) if verdict.visible_headers is not None else None
    assert visible == expected["visible_response_headers"]
    assert verdict.credentials_attached == expected["credentials_attached"]
    assert verdict.origin_header == expected["request_origin_header"]
    assert verdict.response_type == expected["response_type"]
    assert bool(actual_exchanges(verdict)) == expected["actual_request_sent"]


def assert_extras(verdict: Verdict, expected: dict[str, Any]) -> None:
    if "origins_sent" in expected:
        sent = [dict(exchange.request_headers).get("origin") for exchange in actual_exchanges(verdict)]
        assert sent == expected["origins_sent"]
    if "final_method" in expected:
        assert verdict.final_method == expected["final_method"]
    if "normalized_method" in expected:
        assert actual_exchanges(verdict)[-1].method == expected["normalized_method"]
        assert dict(verdict.preflight_request or ()).get("access-control-request-method") == \
            expected["normalized_method"]
    if "preflights_sent" in expected:
        assert len(verdict.preflights) == expected["preflights_sent"]
    if "second_preflight_request" in expected:
        assert preflight_request_dict(verdict, 1) == expected["second_preflight_request"]
    if "request_headers_dropped" in expected:
        assert list(verdict.request_headers_dropped) == expected["request_headers_dropped"]
        for exchange in verdict.exchanges:
            names = {name.lower() for name, _ in exchange.request_headers}
            assert not names & set(expected["request_headers_dropped"])
    if "headers_removed_on_redirect" in expected:
        assert list(verdict.headers_removed_on_redirect) == expected["headers_removed_on_redirect"]
    if "throws" in expected:
        assert verdict.error is not None
        assert verdict.error.stage == "request"
        assert not verdict.exchanges
    if "cookie_stored" in expected:
        # The conformance data keeps cookie eligibility (SameSite, third-party blocking) to the
        # cookie cases; here "stored" means the browser handed the Set-Cookie to its cookie store
        # instead of ignoring it for lack of credentials.
        processed = [outcome for outcome in verdict.cookies if outcome.action in ("stored", "rejected")]
        assert bool(processed) == expected["cookie_stored"]


@pytest.mark.parametrize("case", _case_params([c for c in CASES if c["category"] != "cookies"]))
def test_case_matches_spec_profile(case: dict[str, Any]) -> None:
    verdict = run_case(case, "spec")
    assert_matches_expected(verdict, case["expected"])
    assert_extras(verdict, case["expected"])


@pytest.mark.parametrize("profile", ["chromium", "firefox"])
@pytest.mark.parametrize("case", _case_params([c for c in CASES if c["category"] != "cookies"
                                               and "browser_divergence" not in c]))
def test_case_matches_engine_profile(case: dict[str, Any], profile: str) -> None:
    verdict = run_case(case, profile)
    assert_matches_expected(verdict, case["expected"])
    assert_extras(verdict, case["expected"])


def _case(case_id: str) -> dict[str, Any]:
    return next(case for case in CASES if case["id"] == case_id)


@pytest.mark.parametrize("profile", ["spec", "chromium", "firefox"])
def test_acao_list_same_names_every_profile(profile: str) -> None:
    case = _case("acao-list-single-line")
    verdict = run_case(case, profile)
    assert_matches_expected(verdict, case["expected"])


def test_dpr_client_hint_chromium_no_preflight() -> None:
    verdict = run_case(_case("pf-dpr-client-hint"), "chromium")
    assert verdict.verdict == "allowed"
    assert verdict.preflight_needed is False
    assert verdict.credentials_attached == {"preflight": None, "actual": False}


def test_dpr_client_hint_firefox_preflights() -> None:
    case = _case("pf-dpr-client-hint")
    verdict = run_case(case, "firefox")
    assert_matches_expected(verdict, case["expected"])


def test_garbage_max_age_chromium_cached() -> None:
    case = _case("cache-max-age-garbage")
    verdict = run_case(case, "chromium")
    assert_matches_expected(verdict, case["expected"])


def test_garbage_max_age_firefox_not_cached() -> None:
    case = dict(_case("cache-max-age-garbage"))
    case["preflight_response"] = case["prior"]["preflight_response"]
    verdict = run_case(case, "firefox")
    assert verdict.verdict == "allowed"
    assert verdict.preflight_needed is True
    assert verdict.preflight_from_cache is False


# Browser experiment on loopback: the API set these five cookies through a credentialed CORS
# response before the request of each cookie case.
EXPERIMENT_SET_COOKIES = (
    "lax=1",
    "strict=1; SameSite=Strict",
    "none_insecure=1; SameSite=None",
    "none_secure=1; SameSite=None; Secure",
    "chips=1; SameSite=None; Secure; Partitioned",
)
# Whether the case ran with third-party cookies allowed (profile pref cookie_controls_mode=0).
THIRD_PARTY_COOKIES_ALLOWED = {"cookies-cross-site-3pc-allowed": True}


@pytest.mark.parametrize("case", _case_params(COOKIE_CASES))
def test_cookie_case_chromium(case: dict[str, Any]) -> None:
    checker = Checker("chromium", clock=FakeClock(),
                      third_party_cookies=THIRD_PARTY_COOKIES_ALLOWED.get(case["id"]))
    actual = response_of(case["actual_response"])
    assert actual is not None
    setter = RecordedResponse(actual.status, actual.headers + tuple(("Set-Cookie", line)
                                                                    for line in EXPERIMENT_SET_COOKIES))
    first = checker.check(fetch_request(case["request"]), RecordedTransport({("*", "*"): setter}))
    rejected = {outcome.name: outcome.reason for outcome in first.cookies if outcome.action == "rejected"}
    assert rejected == case["expected"]["cookies_rejected_at_set"]

    verdict = checker.check(fetch_request(case["request"]), RecordedTransport({("*", "*"): actual}))
    assert_matches_expected(verdict, case["expected"])
    sent = [outcome.name for outcome in verdict.cookies if outcome.action == "sent"]
    assert sorted(sent) == sorted(case["expected"]["cookies_sent_names"])
    cookie_header = dict(actual_exchanges(verdict)[-1].request_headers).get("cookie", "")
    assert sorted(part.split("=")[0] for part in cookie_header.split("; ") if part) == sorted(sent)

