"""The checker: runs one fetch the way a browser does, hop by hop, and returns a Verdict.

The steps follow the Fetch standard's main fetch, HTTP fetch and HTTP-redirect fetch: request
checks, response tainting, the preflight (through the cache), the actual request with its
cookies, the CORS check of every response, and each redirect.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from ..fetch import SAFELISTED_METHODS
from .cache import Clock, PreflightCache
from .cookies import CookieContext, CookieJar, site_of
from .cors_check import basic_visible_headers, cors_check, hidden_headers, visible_headers
from .explain import explain_cookies, explain_failure, explain_success, success_warnings
from .metadata import metadata_headers
from .model import (
    REDIRECT_STATUSES,
    CookieOutcome,
    CorsFailure,
    Exchange,
    FetchRequest,
    HeaderLines,
    ParsedURL,
    RecordedResponse,
    get_header,
    parse_url,
)
from .preflight import build_preflight_headers, validate_preflight
from .prepare import PreparedRequest, RequestProblem, prepare
from .profiles import Profile, get_profile
from .redirects import MAX_REDIRECTS, follow, userinfo_forbidden
from .request_cookies import attach_cookies, ignored_cookies, store_response_cookies
from .safelist import merge_duplicate_names, unsafe_header_names
from .transports import Transport, TransportError
from .verdict import Verdict

# Firefox's reason for a request that got no HTTP response.
_FIREFOX_NETWORK_ERROR = "CORSDidNotSucceed"


class Checker:
    """Checks fetches against servers; keeps the preflight cache and cookie jar between checks.

    `clock` returns seconds (monotonic); inject one to test the preflight cache's expiry.
    `third_party_cookies` (True to allow, False to block) overrides the profile's default: the spec
    profile allows them, Chromium's headless default blocks them, Firefox partitions them.
    """

    def __init__(self, profile: str = "spec", clock: Clock = time.monotonic,
                 third_party_cookies: bool | None = None) -> None:
        self.profile: Profile = get_profile(profile)
        self.clock = clock
        self.preflight_cache = PreflightCache(self.profile, clock)
        self.cookie_jar = CookieJar()
        if third_party_cookies is None:
            self.third_party_cookies = self.profile.third_party_cookies
        else:
            self.third_party_cookies = "allow" if third_party_cookies else "block"

    def check(self, request: FetchRequest, transport: Transport) -> Verdict:
        """Run `request` against `transport` and return what the browser would do."""
        return _Fetch(self, request, transport).run()


def check(request: FetchRequest, transport: Transport | None = None, profile: str = "spec") -> Verdict:
    """Check one request with a fresh Checker; live HTTP (httpx) when `transport` is None."""
    if transport is not None:
        return Checker(profile).check(request, transport)
    from .transports import HTTPTransport

    with HTTPTransport() as http:
        return Checker(profile).check(request, http)


@dataclass
class _State:
    """Request state that changes from hop to hop."""

    url: ParsedURL
    method: str
    headers: list[tuple[str, str]]
    tainted_origin: bool = False
    tainting: str = "basic"  # Fetch "response tainting": basic | cors | opaque
    redirects: int = 0
    preflighted: bool = False
    removed_headers: list[str] = field(default_factory=list)
    url_list: list[ParsedURL] = field(default_factory=list)  # every URL visited, this one last


class _Fetch:
    def __init__(self, checker: Checker, request: FetchRequest, transport: Transport) -> None:
        self.checker = checker
        self.profile = checker.profile
        self.request = request
        self.transport = transport
        self.include = request.credentials == "include"
        self.exchanges: list[Exchange] = []
        self.preflights: list[HeaderLines] = []
        self.cookies: list[CookieOutcome] = []
        self.warnings: list[str] = []
        self.preflight_needed = False
        self.preflight_from_cache = False
        self.credentials: dict[str, bool | None] = {"preflight": None, "actual": None}
        self.origin_header: str | None = None
        self.prepared: PreparedRequest | None = None
        self.state: _State | None = None
        self.hidden_headers: list[str] = []
        self.cookie_context = CookieContext(None, checker.third_party_cookies, checker.profile.same_site_lax_by_default)

    # Entry point

    def run(self) -> Verdict:
        prepared = prepare(self.request, self.profile)
        if isinstance(prepared, RequestProblem):
            return self._fail("request", prepared.code, None, None, prepared.value)
        self.prepared = prepared
        initiator = prepared.initiator
        top_site = None if initiator is None else site_of(initiator.scheme, initiator.host)
        self.cookie_context = CookieContext(top_site, self.checker.third_party_cookies,
                                            self.profile.same_site_lax_by_default)
        self.state = _State(prepared.url, prepared.method, list(prepared.headers), url_list=[prepared.url])
        while True:
            outcome = self._hop(self.state)
            if outcome is not None:
                return outcome

    # One pass of main fetch

    def _classify(self, state: _State) -> Verdict | None:
        """Set the response tainting for this hop, or fail on the request mode."""
        assert self.prepared is not None
        stage = "redirect" if state.redirects else "request"
        same_origin = self.prepared.initiator is not None and state.url.origin == self.prepared.initiator.origin
        if same_origin and state.tainting == "basic":
            return None
        if self.request.mode == "same-origin":
            return self._fail(stage, "DisallowedByMode", "DisallowedByMode", None, state.url.text)
        if self.request.mode == "no-cors":
            if self.request.redirect != "follow":
                return self._fail(stage, "NoCorsRedirectModeNotFollow", "NoCorsRedirectModeNotFollow", None,
                                  self.request.redirect)
            state.tainting = "opaque"
            return None
        if not state.url.is_http:
            return self._fail(stage, "CorsDisabledScheme", "CorsDisabledScheme", "CORSRequestNotHttp", state.url.scheme)
        state.tainting = "cors"
        return None

    def _serialized_origin(self, state: _State) -> str:
        assert self.prepared is not None
        return "null" if state.tainted_origin else self.prepared.serialized_origin

    def _hop(self, state: _State) -> Verdict | None:
        failed = self._classify(state)
        if failed is not None:
            return failed
        origin = self._serialized_origin(state)
        attach = self.include or (self.request.credentials == "same-origin" and state.tainting == "basic")

        if state.tainting == "cors":
            # Every request of a CORS hop carries Origin, so a failed preflight still reports it.
            self.origin_header = origin
            failed = self._preflight_if_needed(state, origin)
            if failed is not None:
                return failed

        response = self._send_actual(state, origin, attach)
        if response is None:
            return self._fail("actual", "NetworkError", None, _FIREFOX_NETWORK_ERROR, state.url.text)
        if attach:
            self.cookies += store_response_cookies(self.checker, response, state.url, self.cookie_context)
        else:
            self.cookies += ignored_cookies(response, state.url, "credentials are not attached to this "
                                            "request, so the browser ignores its Set-Cookie")

        # Chromium's and Firefox's network stacks treat a 3xx without Location as a final response.
        location = get_header(response.headers, "location") if response.status in REDIRECT_STATUSES else None
        if state.tainting == "cors":
            failure = cors_check(response.headers, origin, self.include)
            if failure is not None:
                if state.preflighted and self.profile.failed_response_clears_cache:
                    self.checker.preflight_cache.clear(origin, state.url.text)
                return self._fail("actual" if location is None else "redirect", failure.chromium,
                                  failure.chromium, failure.firefox, failure.failed_parameter, response)

        if location is None:
            return self._finish(state, response, origin)
        if self.request.redirect == "error":
            return self._fail("redirect", "RedirectModeError", None, None, location, response)
        if self.request.redirect == "manual":
            return self._verdict("opaqueredirect", None, (), 0, "opaqueredirect")
        return self._redirect(state, response, location)

    # Preflight

    def _preflight_if_needed(self, state: _State, origin: str) -> Verdict | None:
        headers = state.headers
        if self.profile.merge_duplicate_request_headers:
            headers = merge_duplicate_names(headers)
        unsafe = unsafe_header_names(headers, self.profile.chromium_safelist_extras)
        if state.method in SAFELISTED_METHODS and not unsafe:
            return None
        cache = self.checker.preflight_cache
        if cache.covers(origin, state.url.text, state.method, unsafe, self.include):
            self.preflight_from_cache = True
            return None
        self.preflight_needed = True

        self.preflights.append(build_preflight_headers(origin, state.method, unsafe))
        assert self.prepared is not None
        preflight_headers = self.preflights[-1] + metadata_headers("cors", self.prepared.initiator, state.url_list)
        self.credentials["preflight"] = False
        state.preflighted = True
        try:
            response = self.transport.send("OPTIONS", state.url.text, preflight_headers)
        except TransportError:
            self.exchanges.append(Exchange("preflight", "OPTIONS", state.url.text, preflight_headers, None))
            return self._fail("preflight", "NetworkError", None, _FIREFOX_NETWORK_ERROR, state.url.text)
        self.exchanges.append(Exchange("preflight", "OPTIONS", state.url.text, preflight_headers, response))
        self.cookies += ignored_cookies(response, state.url,
                                        "a preflight never carries credentials, so its Set-Cookie is ignored")

        outcome = validate_preflight(response, origin, state.method, unsafe, self.include, self.profile)
        self.warnings += outcome.warnings
        if outcome.failure is not None:
            cache.clear(origin, state.url.text)
            failure = outcome.failure
            return self._fail("preflight", failure.chromium, failure.chromium, failure.firefox,
                              failure.failed_parameter, response)
        if outcome.result is not None:
            cache.store(origin, state.url.text, outcome.result, self.include)
        return None

    # Actual request

    def _send_actual(self, state: _State, origin: str, attach: bool) -> RecordedResponse | None:
        headers = list(state.headers)
        opaque_page = self.prepared is not None and self.prepared.initiator is None
        if (state.tainting == "cors" or state.method not in ("GET", "HEAD")
                or (opaque_page and self.include and self.profile.null_origin_on_credentialed_no_cors)):
            headers.append(("origin", origin))
            self.origin_header = origin
        else:
            self.origin_header = None
        self.credentials["actual"] = attach
        if attach:
            cookie_header, outcomes = attach_cookies(self.checker, self.request, state.url, self.cookie_context)
            self.cookies += outcomes
            if cookie_header:
                headers.append(("cookie", cookie_header))
        assert self.prepared is not None
        lines = tuple(headers) + metadata_headers(self.request.mode, self.prepared.initiator, state.url_list)
        try:
            response = self.transport.send(state.method, state.url.text, lines)
        except TransportError:
            self.exchanges.append(Exchange("actual", state.method, state.url.text, lines, None))
            return None
        self.exchanges.append(Exchange("actual", state.method, state.url.text, lines, response))
        return response

    # Redirects

    def _redirect(self, state: _State, response: RecordedResponse, location_text: str) -> Verdict | None:
        assert self.prepared is not None
        location = parse_url(location_text, base=state.url.text)
        if location is None:
            return self._fail("redirect", "InvalidRedirectLocation", None, None, location_text, response)
        if not location.is_http:
            if self.request.mode == "cors":
                return self._fail("redirect", "CorsDisabledScheme", "CorsDisabledScheme", "CORSRequestNotHttp",
                                  location.scheme, response)
            return self._fail("redirect", "InvalidRedirectLocation", None, None, location_text, response)
        state.redirects += 1
        if state.redirects > MAX_REDIRECTS:
            return self._fail("redirect", "TooManyRedirects", None, None, str(MAX_REDIRECTS), response)

        cors_tainted = state.tainting == "cors"
        redirected = follow(response.status, state.method, state.headers, state.url, location,
                            self.prepared.initiator, state.tainted_origin)
        if userinfo_forbidden(location, self.request.mode, cors_tainted, self.prepared.initiator):
            # Report the Origin and credentials the next request would have carried.
            next_basic = (not cors_tainted and self.prepared.initiator is not None
                          and location.origin == self.prepared.initiator.origin)
            self.origin_header = "null" if redirected.tainted_origin else self.prepared.serialized_origin
            self.credentials["actual"] = self.include or (self.request.credentials == "same-origin" and next_basic)
            return self._fail("redirect", "RedirectContainsCredentials", "RedirectContainsCredentials", None,
                              location_text, response)

        state.url = location
        state.url_list.append(location)
        state.method = redirected.method
        state.headers = redirected.headers
        state.tainted_origin = redirected.tainted_origin
        state.removed_headers += redirected.removed_headers
        state.preflighted = False
        return None

    # Results

    def _finish(self, state: _State, response: RecordedResponse, origin: str) -> Verdict:
        if state.tainting == "opaque":
            return self._verdict("opaque", None, (), 0, "opaque")
        if state.tainting == "basic":
            return self._verdict("allowed", None, basic_visible_headers(response.headers), response.status, "basic")
        self.warnings += success_warnings(response, origin, self.include)
        visible = visible_headers(response.headers, self.include)
        self.hidden_headers = hidden_headers(response.headers, visible)
        return self._verdict("allowed", None, visible, response.status, "cors")

    def _fail(self, stage: str, code: str, chromium: str | None, firefox: str | None, parameter: str | None,
              response: RecordedResponse | None = None) -> Verdict:
        failure = CorsFailure(stage, code, chromium, firefox, parameter)
        return self._verdict("blocked", failure, None, None, None, response)

    def _verdict(self, verdict: str, failure: CorsFailure | None, visible: tuple[str, ...] | None,
                 status: int | None, response_type: str | None,
                 failed_response: RecordedResponse | None = None) -> Verdict:
        context = _context(self, failed_response)
        if failure is not None:
            explanation, fix = explain_failure(failure, context)
        else:
            explanation, fix = explain_success(verdict, context)
        cookie_sentences, cookie_fixes = explain_cookies(self.cookies)
        explanation = " ".join([explanation, *cookie_sentences])
        fix = " ".join(part for part in [fix, *cookie_fixes] if part)
        state = self.state
        return Verdict(
            verdict=verdict,
            preflight_needed=self.preflight_needed,
            preflight_from_cache=self.preflight_from_cache,
            preflight_request=self.preflights[0] if self.preflights else None,
            error=failure,
            visible_headers=visible,
            status=status,
            credentials_attached=dict(self.credentials),
            exchanges=tuple(self.exchanges),
            cookies=tuple(self.cookies),
            explanation=explanation,
            fix=fix,
            warnings=tuple(dict.fromkeys(self.warnings)),
            profile=self.profile.name,
            response_type=response_type,
            origin_header=self.origin_header,
            final_url=None if state is None else state.url.text,
            final_method=None if state is None else state.method,
            request_headers_dropped=() if self.prepared is None else self.prepared.dropped,
            headers_removed_on_redirect=() if state is None else tuple(state.removed_headers),
            preflights=tuple(self.preflights),
        )


def _context(fetch: _Fetch, response: RecordedResponse | None) -> dict[str, object]:
    """Collect the facts explanations may quote."""
    state = fetch.state
    return {
        "origin": fetch.request.origin if state is None else fetch._serialized_origin(state),
        "page_origin": fetch.request.origin,
        "url": fetch.request.url if state is None else state.url.text,
        "method": fetch.request.method if state is None else state.method,
        "credentials": fetch.request.credentials,
        "mode": fetch.request.mode,
        "redirect": fetch.request.redirect,
        "tainted": bool(state and state.tainted_origin),
        "response": response,
        "request_headers": [] if state is None else [name.lower() for name, _ in state.headers],
        "profile": fetch.profile.name,
        "unsafe_headers": [] if state is None else unsafe_header_names(state.headers),
        "hidden_headers": fetch.hidden_headers,
        "preflight_sent": fetch.preflight_needed,
        "preflight_from_cache": fetch.preflight_from_cache,
        "credentials_attached": fetch.credentials["actual"],
        "cookies_sent": any(outcome.action == "sent" for outcome in fetch.cookies),
    }

