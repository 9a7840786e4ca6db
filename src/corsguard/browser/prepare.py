"""Request-time checks: what `fetch()` rejects or silently changes before anything is sent."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urldefrag

from ..fetch import SAFELISTED_METHODS, is_forbidden_method, is_token, normalize_method
from .model import FetchRequest, ParsedURL, parse_url
from .profiles import Profile
from .safelist import header_value_problem, is_forbidden_request_header, is_no_cors_safelisted_header

# Fetch, "HTTP whitespace": stripped from both ends of a header value script sets.
_HTTP_WHITESPACE = " \t\r\n"


@dataclass(frozen=True, slots=True)
class PreparedRequest:
    """A request after the Request constructor and Headers guards have run."""

    url: ParsedURL
    initiator: ParsedURL | None  # None for an opaque origin
    serialized_origin: str
    method: str
    headers: list[tuple[str, str]]
    dropped: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class RequestProblem:
    """A request `fetch()` refuses before sending anything, with the offending value."""

    code: str
    value: str


def parse_initiator(origin: str) -> ParsedURL | None:
    """Parse the page's origin; None for `null`. Raise ValueError for anything else invalid."""
    if origin == "null":
        return None
    parsed = parse_url(origin)
    if parsed is None or parsed.origin is None or parsed.has_userinfo:
        raise ValueError(f"origin must be a serialized origin such as https://app.example.com, or null; "
                         f"got {origin!r}")
    return parsed


def prepare(request: FetchRequest, profile: Profile) -> PreparedRequest | RequestProblem:
    """Run the checks of the Request constructor and Headers object, as `fetch()` does."""
    initiator = parse_initiator(request.origin)
    serialized_origin = "null" if initiator is None or initiator.origin is None else initiator.origin.serialize()

    # Fetch sends no fragment, and the preflight cache keys URLs without it.
    url = parse_url(urldefrag(request.url).url)
    if url is None:
        return RequestProblem("InvalidURL", request.url)
    if url.has_userinfo:
        return RequestProblem("URLContainsCredentials", request.url)

    if not is_token(request.method):
        return RequestProblem("InvalidMethod", request.method)
    if is_forbidden_method(request.method):
        return RequestProblem("ForbiddenMethod", request.method)
    method = normalize_method(request.method)
    if request.mode == "no-cors" and method not in SAFELISTED_METHODS:
        return RequestProblem("NoCorsMethodNotSafelisted", method)

    headers: list[tuple[str, str]] = []
    dropped: list[str] = []
    for name, raw_value in request.headers:
        value = raw_value.strip(_HTTP_WHITESPACE)
        problem = header_value_problem(name, value)
        if problem is not None:
            return RequestProblem(problem, f"{name}: {raw_value}")
        if _is_dropped(name, value, request.mode, profile):
            dropped.append(name.lower())
        else:
            headers.append((name, value))
    return PreparedRequest(url, initiator, serialized_origin, method, headers, tuple(dropped))


def _is_dropped(name: str, value: str, mode: str, profile: Profile) -> bool:
    """Tell whether the Headers object silently drops a header script sets."""
    if is_forbidden_request_header(name, value):
        return True
    if profile.forbids_user_agent and name.lower() == "user-agent":
        return True
    return mode == "no-cors" and not is_no_cors_safelisted_header(name, value)
