"""HTTP-redirect fetch: what changes in a request when it follows a redirect (Fetch, 4.4)."""

from __future__ import annotations

from dataclasses import dataclass

from .model import ParsedURL

# Fetch, HTTP-redirect fetch: more than this many redirects is a network error.
MAX_REDIRECTS = 20

# Fetch, "request-body-header name": dropped when a redirect turns the request into a GET.
REQUEST_BODY_HEADER_NAMES = frozenset({"content-encoding", "content-language", "content-location", "content-type"})
# Fetch, "CORS non-wildcard request-header name": dropped when a redirect crosses origins.
CROSS_ORIGIN_DROPPED_HEADER_NAMES = frozenset({"authorization"})


@dataclass(frozen=True, slots=True)
class RedirectedRequest:
    """The request after one redirect: method, headers, and whether the origin is now tainted."""

    method: str
    headers: list[tuple[str, str]]
    removed_headers: tuple[str, ...]
    tainted_origin: bool


def rewrites_to_get(status: int, method: str) -> bool:
    """Tell whether a redirect turns the request into a GET without a body."""
    return (status in (301, 302) and method == "POST") or (status == 303 and method not in ("GET", "HEAD"))


def follow(status: int, method: str, headers: list[tuple[str, str]], current: ParsedURL, location: ParsedURL,
           initiator: ParsedURL | None, tainted_origin: bool) -> RedirectedRequest:
    """Apply the method rewrite, header removals and origin tainting of one redirect."""
    removed: list[str] = []
    kept = list(headers)
    if rewrites_to_get(status, method):
        method = "GET"
        removed += [name.lower() for name, _ in kept if name.lower() in REQUEST_BODY_HEADER_NAMES]
        kept = [(name, value) for name, value in kept if name.lower() not in REQUEST_BODY_HEADER_NAMES]

    crosses_origin = location.origin != current.origin
    if crosses_origin:
        removed += [name.lower() for name, _ in kept if name.lower() in CROSS_ORIGIN_DROPPED_HEADER_NAMES]
        kept = [(name, value) for name, value in kept if name.lower() not in CROSS_ORIGIN_DROPPED_HEADER_NAMES]

    # Fetch, "redirect-taint": a hop to another origin from a URL that is not the page's own
    # origin makes the request's origin serialize as `null` from then on.
    initiator_is_current = initiator is not None and initiator.origin == current.origin
    if crosses_origin and not initiator_is_current:
        tainted_origin = True
    return RedirectedRequest(method, kept, tuple(removed), tainted_origin)


def userinfo_forbidden(location: ParsedURL, mode: str, cors_tainted: bool, initiator: ParsedURL | None) -> bool:
    """Tell whether a Location with `user:password@` must fail the fetch (Fetch, HTTP-redirect fetch)."""
    if not location.has_userinfo:
        return False
    if cors_tainted:
        return True
    same_as_initiator = initiator is not None and initiator.origin == location.origin
    return mode == "cors" and not same_as_initiator
