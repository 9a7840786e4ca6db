"""The CORS preflight: when it is needed, the exact OPTIONS request, and validating its response.

Validation runs in the order Chromium and Firefox use: a redirect is refused first, then the CORS
check, the ok status, parsing both Access-Control-Allow-Methods and -Headers, the method, and
the headers.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..fetch import ACAH, ACAM, ACMA, SAFELISTED_METHODS, is_token, split_list
from .cors_check import CheckFailure, cors_check, preflight_name
from .model import REDIRECT_STATUSES, HeaderLines, RecordedResponse, get_header, header_lines
from .profiles import DEFAULT_MAX_AGE_SECONDS, Profile

AUTHORIZATION = "authorization"


@dataclass(frozen=True, slots=True)
class PreflightResult:
    """What a successful preflight granted, as the preflight cache stores it."""

    methods: tuple[str, ...]
    header_names: tuple[str, ...]  # lowercase
    max_age_seconds: float


def build_preflight_headers(origin: str, method: str, unsafe_names: list[str]) -> HeaderLines:
    """Return the preflight's CORS headers: Origin, ACRM, ACRH (when needed) and Accept."""
    headers = [("origin", origin), ("access-control-request-method", method)]
    if unsafe_names:
        # Fetch: the names are lowercased, sorted and joined by "," without spaces.
        headers.append(("access-control-request-headers", ",".join(unsafe_names)))
    headers.append(("accept", "*/*"))
    return tuple(headers)


def _parse_list(headers: HeaderLines, name: str) -> list[str] | None:
    """Parse a comma list of tokens from all lines of `name`; None when an element is not a token."""
    elements = [element for value in header_lines(headers, name) for element in split_list(value)]
    return elements if all(is_token(element) for element in elements) else None


def parse_max_age(headers: HeaderLines, profile: Profile) -> float | None:
    """Return how long the result may be cached, or None when the profile would not cache it."""
    value = get_header(headers, ACMA)
    if value is None:
        seconds = DEFAULT_MAX_AGE_SECONDS
    elif value.isascii() and value.isdigit():
        seconds = int(value)
    elif value.startswith("-") and value[1:].isascii() and value[1:].isdigit():
        seconds = 0  # Chromium turns a negative max-age into 0.
    elif profile.cache_unparseable_max_age:
        seconds = DEFAULT_MAX_AGE_SECONDS
    else:
        return None
    if profile.max_age_cap_seconds is not None:
        seconds = min(seconds, profile.max_age_cap_seconds)
    return float(seconds)


def allows_method(method: str, allowed: tuple[str, ...] | list[str], credentials: bool) -> bool:
    """Tell whether a preflight result lets `method` through (byte-for-byte comparison)."""
    if method in SAFELISTED_METHODS or method in allowed:
        return True
    return "*" in allowed and not credentials


def allows_header(name: str, allowed: tuple[str, ...] | list[str], credentials: bool,
                  profile: Profile) -> bool:
    """Tell whether a preflight result lets the (lowercase) request header `name` through."""
    if name in allowed:
        return True
    if "*" not in allowed or credentials:
        return False
    return name != AUTHORIZATION or profile.authorization_under_wildcard


@dataclass(frozen=True, slots=True)
class PreflightOutcome:
    """A validated preflight: either a failure or the result to cache (and any warnings)."""

    failure: CheckFailure | None
    result: PreflightResult | None
    warnings: tuple[str, ...] = ()


def validate_preflight(response: RecordedResponse, origin: str, method: str, unsafe_names: list[str],
                       credentials: bool, profile: Profile) -> PreflightOutcome:
    """Validate a preflight response for the request it was sent for."""
    headers = response.headers
    if response.status in REDIRECT_STATUSES and get_header(headers, "location") is not None:
        return _fail("PreflightDisallowedRedirect", "CORSExternalRedirectNotAllowed", None)

    failure = cors_check(headers, origin, credentials)
    if failure is not None:
        return _fail(preflight_name(failure.chromium), failure.firefox, failure.failed_parameter)

    if not 200 <= response.status <= 299:
        return _fail("PreflightInvalidStatus", "CORSPreflightDidNotSucceed", str(response.status))

    methods = _parse_list(headers, ACAM)
    header_names = _parse_list(headers, ACAH)
    if methods is None:
        return _fail("InvalidAllowMethodsPreflightResponse", "CORSInvalidAllowMethod", get_header(headers, ACAM))
    if header_names is None:
        return _fail("InvalidAllowHeadersPreflightResponse", "CORSInvalidAllowHeader", get_header(headers, ACAH))
    allowed_names = [name.lower() for name in header_names]

    if not allows_method(method, methods, credentials):
        return _fail("MethodDisallowedByPreflightResponse", "CORSMethodNotFound", method)

    warnings: list[str] = []
    for name in unsafe_names:
        if not allows_header(name, allowed_names, credentials, profile):
            return _fail("HeaderDisallowedByPreflightResponse", "CORSMissingAllowHeaderFromPreflight", name)
        if name == AUTHORIZATION and name not in allowed_names and profile.authorization_wildcard_warning:
            warnings.append(profile.authorization_wildcard_warning)

    max_age = parse_max_age(headers, profile)
    result = None
    if max_age is not None:
        result = PreflightResult(tuple(methods), tuple(allowed_names), max_age)
    return PreflightOutcome(None, result, tuple(warnings))


def _fail(chromium: str, firefox: str, parameter: str | None) -> PreflightOutcome:
    return PreflightOutcome(CheckFailure(chromium, firefox, parameter), None)
