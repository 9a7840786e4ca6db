"""Fetches read back from recorded traffic, and how the checker replays them.

`har.parse_har` reads HAR files (from Chrome's or Firefox's DevTools, or Playwright) and
`http_text.parse_http_text` reads raw HTTP messages. Both return `RecordedFetch` values, which
`check_recorded` replays through a fresh `Checker`.

A recording does not store everything a fetch depends on. What is inferred is listed in each
fetch's `notes`:

- the page origin: the `Origin` request header, else the `Referer`, else the HAR page entry;
- the request mode: `Sec-Fetch-Mode`, else `cors`;
- the credentials mode: `include` when the request carried cookies, else `same-origin`;
- the headers script set: the recorded headers minus those the browser adds itself.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..origin import parse_origin
from .checker import Checker
from .model import FetchRequest, HeaderLines, RecordedResponse, get_header, parse_url
from .transports import RecordedTransport
from .verdict import Verdict


class RecordingError(ValueError):
    """A HAR file or HTTP text that cannot be read; the message is one line naming the problem."""


@dataclass(frozen=True)
class RecordedFetch:
    """One cross-origin fetch from a recording, ready to check with `RecordedTransport`.

    `responses` maps (method, URL) to the recorded responses in order. `complete` is False when
    the recording lacks a response the fetch must have received. `failure` is the browser's own
    error text from the recording (such as `net::ERR_FAILED`), if any.
    """

    label: str
    request: FetchRequest
    responses: Mapping[tuple[str, str], Sequence[RecordedResponse]]
    complete: bool = True
    failure: str | None = None
    preflight_recorded: bool = False
    entries: tuple[int, ...] = ()
    notes: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class RecordedVerdict:
    """The checker's verdict on a recorded fetch, and what the recording could not tell.

    `outcome` is the verdict, except `blocked-unrecorded` when the recording ends in a browser
    failure without the response that caused it, and `incomplete` when a response is missing and
    no failure was recorded.
    """

    fetch: RecordedFetch
    verdict: Verdict
    outcome: str
    notes: tuple[str, ...]


def check_recorded(fetch: RecordedFetch, profile: str = "spec") -> RecordedVerdict:
    """Replay a recorded fetch through a fresh `Checker`.

    A recording without the preflight but with the actual request shows the browser accepted
    the preflight (or had it cached). The check then assumes a preflight response that allows
    exactly what the preflight requested, and records that in `notes`.
    """
    responses = {key: list(value) for key, value in fetch.responses.items()}
    notes = list(fetch.notes)
    while True:
        verdict = Checker(profile).check(fetch.request, _WithoutFragments(RecordedTransport(responses)))
        error = verdict.error
        if error is None or error.code != "NetworkError":
            return RecordedVerdict(fetch, verdict, verdict.verdict, tuple(notes))
        last = verdict.exchanges[-1] if verdict.exchanges else None
        inferred = _inferred_preflight(last, responses, fetch.request.credentials == "include")
        if last is None or inferred is None:
            break
        responses[("OPTIONS", last.url)] = [inferred]
        notes.append(f"preflight for {last.url} not recorded: the browser sent the actual request, so it "
                     f"accepted the preflight; assumed a preflight response allowing what it requested")
    if fetch.failure is not None:
        notes.append(f"the recording contains no response for this step, only the browser's error "
                     f"{fetch.failure}: it does not show which CORS check failed")
        return RecordedVerdict(fetch, verdict, "blocked-unrecorded", tuple(notes))
    notes.append("the recording lacks a response this fetch needs, and no browser error")
    return RecordedVerdict(fetch, verdict, "incomplete", tuple(notes))


class _WithoutFragments:
    """Look up recorded responses by URL without `#fragment`, as browsers record and send URLs."""

    def __init__(self, inner: RecordedTransport) -> None:
        self.inner = inner

    def send(self, method: str, url: str, headers: HeaderLines) -> RecordedResponse:
        return self.inner.send(method, url.partition("#")[0], headers)


def _inferred_preflight(exchange: Any, responses: Mapping[tuple[str, str], Sequence[RecordedResponse]],
                        include: bool) -> RecordedResponse | None:
    if exchange is None or exchange.stage != "preflight" or ("OPTIONS", exchange.url) in responses:
        return None
    if not any(url == exchange.url and method != "OPTIONS" for method, url in responses):
        return None
    requested = {name.lower(): value for name, value in exchange.request_headers}
    headers = [("Access-Control-Allow-Origin", requested.get("origin", "null")),
               ("Access-Control-Allow-Methods", requested.get("access-control-request-method", ""))]
    if "access-control-request-headers" in requested:
        headers.append(("Access-Control-Allow-Headers", requested["access-control-request-headers"]))
    if include:
        headers.append(("Access-Control-Allow-Credentials", "true"))
    return RecordedResponse(204, tuple(headers), exchange.url)


def rebuild_request(entry: dict[str, Any], headers: HeaderLines, origin: str,
                     credentials: str | None) -> tuple[FetchRequest, list[str]]:
    notes = []
    mode = get_header(headers, "sec-fetch-mode")
    if mode not in ("cors", "no-cors", "same-origin"):
        notes.append("request mode not recorded (no Sec-Fetch-Mode); assumed cors")
        mode = "cors"
    cookies = request_cookies(entry, headers)
    if credentials is None and cookies:
        credentials = "include"
        notes.append("credentials mode include: the request carried cookies")
    elif credentials is None:
        credentials = "same-origin"
        # Recordings made without sensitive data (such as DevTools' sanitized HAR export) drop
        # Cookie headers, so a missing cookie does not prove the page omitted credentials.
        notes.append("credentials mode same-origin: the request carried no cookies (if the recording "
                     "left out cookies, pass --credentials include)")
    script_headers = tuple((key, value) for key, value in headers if not browser_added(key, value))
    request = FetchRequest(url=entry["request"]["url"], origin=origin, method=entry["request"]["method"],
                           headers=script_headers, mode=mode, credentials=credentials, cookies=cookies)
    return request, notes


def request_cookies(entry: dict[str, Any], headers: HeaderLines) -> HeaderLines:
    cookie_header = get_header(headers, "cookie")
    cookies: list[tuple[str, str]] = []
    if cookie_header:
        for part in cookie_header.replace(", ", "; ").split(";"):
            key, equals, value = part.strip().partition("=")
            if equals and key:
                cookies.append((key, value))
    if not cookies:
        for item in entry["request"].get("cookies") or []:
            if isinstance(item, dict) and isinstance(item.get("name"), str):
                cookies.append((item["name"], str(item.get("value", ""))))
    return tuple(cookies)


# Headers a browser adds to a fetch by itself. Forbidden request-header names (Cookie, Origin,
# Sec-*, ...) are dropped by the checker anyway. These are the remaining ones that would otherwise
# look like script-set headers and trigger a preflight that never happened.
_BROWSER_ADDED = frozenset({"user-agent", "priority", "upgrade-insecure-requests", "purpose", "x-client-data"})


def browser_added(name: str, value: str) -> bool:
    """Tell whether a recorded request header was added by the browser, not by script."""
    lowered = name.lower()
    if lowered.startswith((":", "sec-ch-")) or lowered in _BROWSER_ADDED:
        return True
    # DevTools' "Disable cache" adds these to every request.
    return lowered in ("pragma", "cache-control") and value.strip().lower() == "no-cache"



def origin_of(url: Any) -> str | None:
    if not isinstance(url, str):
        return None
    parsed = parse_url(url)
    if parsed is None or parsed.origin is None:
        return None
    return parsed.origin.serialize()


def origin_from_headers(headers: HeaderLines) -> str | None:
    origin_header = get_header(headers, "origin")
    if origin_header == "null" or (origin_header is not None and parse_origin(origin_header) is not None):
        return origin_header
    return origin_of(get_header(headers, "referer"))

