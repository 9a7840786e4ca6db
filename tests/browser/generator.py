"""Deterministic generator of server behaviours for the Chromium differential test.

A behaviour is the responses a loopback server sends at one or more URLs (hops), plus the fetch
calls a page makes against it. Header values are templates, resolved once the servers have ports:

- `{origin}`: the page's serialized origin (`null` on an opaque page),
- `{page}`, `{api}`, `{api2}`: base URLs of the page server and the two API servers,
- `{hop0}`, `{hop1}`, ...: absolute URLs of the behaviour's hops,
- `{hop1_userinfo}`: the same URL with `user:secret@` in it.

Hop 0 of a behaviour is the URL the first fetch starts at. The behaviours themselves are defined by
topic in tests/browser/behaviour_groups/. The same list comes out on every call, in the same order,
so case ids are stable between runs.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Page kinds: a page on another port of the same host (cross-origin, same-site), a page on
# `localhost` (cross-site to 127.0.0.1) and a sandboxed iframe (opaque origin, serialized `null`).
SAME_SITE = "same-site"
CROSS_SITE = "cross-site"
OPAQUE = "opaque"

ACAO = "Access-Control-Allow-Origin"
ACAC = "Access-Control-Allow-Credentials"
ACAM = "Access-Control-Allow-Methods"
ACAH = "Access-Control-Allow-Headers"
ACEH = "Access-Control-Expose-Headers"
ACMA = "Access-Control-Max-Age"

Lines = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Reply:
    """One HTTP response as header lines, in order, duplicates kept."""

    status: int = 200
    headers: Lines = ()


@dataclass(frozen=True)
class Hop:
    """A URL of a behaviour: the server that hosts it and its responses to OPTIONS and to other methods."""

    server: str = "api"  # api | api2 | page
    actual: Reply = Reply()
    preflight: Reply | None = None  # None: OPTIONS gets the `actual` reply too


@dataclass(frozen=True)
class Fetch:
    """One `fetch()` call made by the page, starting at hop `start`."""

    method: str = "GET"
    headers: Lines = ()
    credentials: str = "same-origin"
    mode: str = "cors"
    redirect: str = "follow"
    start: int = 0
    delay_ms: int = 0  # pause before this call, to let a preflight cache entry expire


@dataclass(frozen=True)
class Behaviour:
    """A server behaviour with the fetch calls that exercise it."""

    id: str
    description: str
    hops: tuple[Hop, ...]
    fetches: tuple[Fetch, ...] = (Fetch(),)
    page: str = SAME_SITE
    tags: frozenset[str] = field(default_factory=frozenset)


def allow(*lines: tuple[str, str], status: int = 200) -> Reply:
    return Reply(status, lines)


def preflighted(
    case_id: str,
    description: str,
    preflight: Reply,
    fetch: Fetch,
    actual: Reply | None = None,
) -> Behaviour:
    if actual is None:
        actual_lines: Lines = ((ACAO, "{origin}"),)
        if fetch.credentials == "include":
            actual_lines += ((ACAC, "true"),)
        actual = Reply(200, actual_lines)
    return Behaviour(id=case_id, description=description, hops=(Hop(actual=actual, preflight=preflight),),
                     fetches=(fetch,))


def preflight_base(credentials: str) -> Lines:
    if credentials == "include":
        return ((ACAO, "{origin}"), (ACAC, "true"))
    return ((ACAO, "{origin}"),)


def redirect(status: int, location: str, *lines: tuple[str, str]) -> Reply:
    return Reply(status, lines + (("Location", location),))


def cookie_echo() -> Hop:
    return Hop(actual=allow((ACAO, "{origin}"), (ACAC, "true")))


def behaviours() -> list[Behaviour]:
    """Return every behaviour, in a fixed order, with unique ids."""
    # Imported here because the group modules build on the classes and helpers above.
    from tests.browser.behaviour_groups import headers, pages, preflights, redirects

    groups = (
        headers.origin_behaviours, headers.credentials_behaviours, headers.method_behaviours,
        headers.header_behaviours, headers.trigger_behaviours, preflights.preflight_status_behaviours,
        preflights.max_age_behaviours, preflights.cache_edge_behaviours, preflights.cache_expiry_behaviours,
        headers.malformed_value_behaviours, headers.exposure_behaviours, redirects.status_behaviours,
        redirects.redirect_behaviours, redirects.mode_behaviours, pages.cookie_behaviours,
        pages.cookie_edge_behaviours, pages.opaque_origin_behaviours, pages.cross_site_behaviours,
        headers.request_header_behaviours, preflights.preflight_edge_behaviours,
        redirects.redirect_edge_behaviours, pages.other_page_behaviours,
        headers.method_and_exposure_edge_behaviours, redirects.redirect_method_behaviours,
    )
    result = [behaviour for group in groups for behaviour in group()]
    ids = [behaviour.id for behaviour in result]
    duplicates = sorted({case_id for case_id in ids if ids.count(case_id) > 1})
    if duplicates:
        raise ValueError(f"duplicate behaviour ids: {duplicates}")
    return result
