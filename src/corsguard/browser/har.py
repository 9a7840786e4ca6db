"""Read HAR files (HTTP Archive 1.2) into recorded fetches the checker can replay.

Chrome's and Firefox's DevTools export HAR files, and Playwright records them. A HAR file contains
one entry per request the browser made. `parse_har` finds the cross-origin fetches among them,
joins each to its recorded preflight and redirect hops, and returns one `RecordedFetch` per fetch.
Problems with the file raise `RecordingError` with a one-line message naming the problem.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from .model import (
    REDIRECT_STATUSES,
    FetchRequest,
    HeaderLines,
    RecordedResponse,
    get_header,
    parse_url,
    strip_userinfo,
)
from .recording import RecordedFetch, RecordingError, origin_from_headers, origin_of, rebuild_request

__all__ = ["load_har", "parse_har"]

# HAR statuses of 0 or -1 mean the browser recorded no response (a blocked or aborted request).
_NO_STATUS = 0
_ABORTED = "net::ERR_ABORTED"


def load_har(path: str, credentials: str | None = None, origin: str | None = None) -> list[RecordedFetch]:
    """Read a HAR file from `path`; see `parse_har`."""
    try:
        with open(path, "rb") as stream:
            data = stream.read()
    except OSError as error:
        raise RecordingError(f"cannot read {path}: {error.strerror or error}") from None
    return parse_har(data, name=path, credentials=credentials, origin=origin)


def parse_har(data: bytes | str, name: str = "HAR", credentials: str | None = None,
              origin: str | None = None) -> list[RecordedFetch]:
    """Return every cross-origin fetch recorded in a HAR document.

    `credentials` and `origin` override the inferred credentials mode and page origin.
    """
    document = _decode_json(data, name)
    entries = _entries(document, name)
    pages = _page_origins(document, entries)
    recording = _Recording(entries)
    fetches = []
    for index, entry in enumerate(entries):
        if index in recording.consumed or recording.preflight[index] or _is_navigation(entry):
            continue
        fetch = _build_fetch(index, recording, pages, credentials, origin)
        if fetch is not None:
            fetches.append(fetch)
    for index, entry in enumerate(entries):
        if index not in recording.consumed and recording.preflight[index]:
            fetches.append(_fetch_from_preflight(index, entry, credentials, origin))
    return sorted(fetches, key=lambda fetch: fetch.entries[0])


class _Recording:
    """The entries of a HAR file, indexed by URL, and which entries already belong to a fetch."""

    def __init__(self, entries: list[dict[str, Any]]) -> None:
        self.entries = entries
        self.consumed: set[int] = set()
        self.preflight = [_is_preflight(entry) for entry in entries]
        self.preflights_by_url: dict[str, list[int]] = {}
        self.requests_by_url: dict[str, list[int]] = {}
        for index, entry in enumerate(entries):
            table = self.preflights_by_url if self.preflight[index] else self.requests_by_url
            table.setdefault(_comparable_url(entry["request"]["url"]), []).append(index)

    def preflight_before(self, index: int) -> int | None:
        """Take the closest unused preflight for the same URL recorded before entry `index`."""
        candidates = self.preflights_by_url.get(_comparable_url(self.entries[index]["request"]["url"]), [])
        for earlier in reversed(candidates):
            if earlier < index and earlier not in self.consumed:
                self.consumed.add(earlier)
                return earlier
        return None

    def request_after(self, index: int, url: str) -> int | None:
        """Take the first unused request for `url` recorded after entry `index`."""
        for later in self.requests_by_url.get(_comparable_url(url), []):
            if later > index and later not in self.consumed:
                self.consumed.add(later)
                return later
        return None


# Reading the document


def _decode_json(data: bytes | str, name: str) -> Any:
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise RecordingError(f"{name} is not UTF-8 text (invalid byte at offset {error.start})") from None
    else:
        text = data
    if not text.strip():
        raise RecordingError(f"{name} is empty")
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        # A file cut short ends inside a string, or before the value or delimiter the parser expects.
        at_end = error.pos >= len(text.rstrip()) - 1 and error.msg != "Extra data"
        if error.msg.startswith("Unterminated string") or at_end:
            raise RecordingError(f"{name} is truncated: the JSON ends at line {error.lineno} "
                                 f"before the document is complete") from None
        raise RecordingError(f"{name} is not valid JSON: {error.msg} at line {error.lineno}, "
                             f"column {error.colno}") from None


def _entries(document: Any, name: str) -> list[dict[str, Any]]:
    if not isinstance(document, dict) or not isinstance(document.get("log"), dict):
        raise RecordingError(f"{name} is not a HAR file: the top level has no \"log\" object")
    entries = document["log"].get("entries")
    if not isinstance(entries, list):
        raise RecordingError(f"{name} is not a HAR file: log.entries is missing or not a list")
    for index, entry in enumerate(entries):
        _check_entry(entry, index, name)
    return entries


def _check_entry(entry: Any, index: int, name: str) -> None:
    where = f"{name}: entry {index}"
    if not isinstance(entry, dict):
        raise RecordingError(f"{where} is not an object")
    request = entry.get("request")
    if not isinstance(request, dict):
        raise RecordingError(f"{where} has no request object")
    for key in ("method", "url"):
        if not isinstance(request.get(key), str) or not request[key]:
            raise RecordingError(f"{where}: request.{key} is missing or not a string")
    _header_list(request.get("headers", []), f"{where}: request.headers")
    response = entry.get("response")
    if response is None:
        return
    if not isinstance(response, dict):
        raise RecordingError(f"{where}: response is not an object")
    status = response.get("status", _NO_STATUS)
    if not isinstance(status, int) or isinstance(status, bool):
        raise RecordingError(f"{where}: response.status {status!r} is not an integer")
    _header_list(response.get("headers", []), f"{where}: response.headers")


def _header_list(value: Any, where: str) -> HeaderLines:
    if not isinstance(value, list):
        raise RecordingError(f"{where} is not a list")
    lines = []
    for position, item in enumerate(value):
        if not isinstance(item, dict) or not isinstance(item.get("name"), str) or not isinstance(
                item.get("value", ""), str):
            raise RecordingError(f"{where}[{position}] is not a {{name, value}} pair of strings")
        lines.append((item["name"], item.get("value", "")))
    return tuple(lines)


# One entry's parts


def _request_headers(entry: dict[str, Any]) -> HeaderLines:
    return _header_list(entry["request"].get("headers", []), "request.headers")


def _response(entry: dict[str, Any], url: str) -> RecordedResponse | None:
    response = entry.get("response")
    if not isinstance(response, dict):
        return None
    status = response.get("status", _NO_STATUS)
    headers = _header_list(response.get("headers", []), "response.headers")
    # HTTP/2 pseudo-headers in Chrome's export are not response headers.
    headers = tuple((name, value) for name, value in headers if not name.startswith(":"))
    if status <= _NO_STATUS and not headers:
        return None
    if status <= _NO_STATUS:
        status = 200  # headers without a status line: the CORS check of a non-redirect ignores it
    return RecordedResponse(status, headers, url)


def _response_object(entry: dict[str, Any]) -> dict[str, Any]:
    response = entry.get("response")
    return response if isinstance(response, dict) else {}


def _failure_text(entry: dict[str, Any]) -> str | None:
    response = _response_object(entry)
    for value in (response.get("_failureText"), response.get("_error"), entry.get("_failureText")):
        if isinstance(value, str) and value:
            return value
    return None


def _is_preflight(entry: dict[str, Any]) -> bool:
    if entry.get("_resourceType") == "preflight":
        return True
    request = entry["request"]
    return request["method"].upper() == "OPTIONS" and get_header(
        _request_headers(entry), "access-control-request-method") is not None


def _is_navigation(entry: dict[str, Any]) -> bool:
    mode = get_header(_request_headers(entry), "sec-fetch-mode")
    return mode == "navigate" or entry.get("_resourceType") in ("document", "navigation")


# Page origins


def _page_origins(document: Any, entries: list[dict[str, Any]]) -> dict[str, str]:
    """Map HAR page ids to the origin of the page's document, where the file shows it."""
    origins: dict[str, str] = {}
    for page in document["log"].get("pages") or []:
        if isinstance(page, dict) and isinstance(page.get("id"), str):
            origin = origin_of(page.get("title"))
            if origin is not None:
                origins[page["id"]] = origin
    for entry in entries:
        page_id = entry.get("pageref")
        if isinstance(page_id, str) and page_id not in origins and _is_navigation(entry):
            origin = origin_of(entry["request"]["url"])
            if origin is not None:
                origins[page_id] = origin
    return origins



def _page_origin(entry: dict[str, Any], pages: dict[str, str]) -> tuple[str | None, str]:
    headers = _request_headers(entry)
    from_headers = origin_from_headers(headers)
    if from_headers is not None:
        source = "Origin" if get_header(headers, "origin") == from_headers else "Referer"
        return from_headers, f"the {source} request header"
    page_id = entry.get("pageref")
    if isinstance(page_id, str) and page_id in pages:
        return pages[page_id], "the HAR page entry"
    return None, ""


# Building one fetch


def _build_fetch(index: int, recording: _Recording, pages: dict[str, str], credentials: str | None,
                 origin_override: str | None) -> RecordedFetch | None:
    entries = recording.entries
    entry = entries[index]
    url = entry["request"]["url"]
    target = parse_url(url)
    if target is None or not target.is_http:
        return None
    page_origin, origin_source = _page_origin(entry, pages)
    if origin_override is not None:
        page_origin, origin_source = origin_override, "--origin"
    if page_origin is None:
        return None
    if page_origin != "null" and target.origin is not None and target.origin.serialize() == page_origin:
        return None  # same-origin: no CORS

    notes = [f"page origin {page_origin} from {origin_source}"]
    headers = _request_headers(entry)
    request, request_notes = rebuild_request(entry, headers, page_origin, credentials)
    notes += request_notes
    hops = _redirect_hops(index, recording)
    responses: dict[tuple[str, str], list[RecordedResponse]] = {}
    preflight_recorded = False
    complete = True
    failure = None
    for hop_index in hops:
        hop = entries[hop_index]
        hop_url = hop["request"]["url"]
        preflight = recording.preflight_before(hop_index)
        if preflight is not None:
            preflight_response = _response(entries[preflight], hop_url)
            if preflight_response is not None:
                responses.setdefault(("OPTIONS", hop_url), []).append(preflight_response)
                preflight_recorded = True
        response = _response(hop, hop_url)
        if response is None:
            complete = False
            failure = _failure_text(hop) or failure
        elif _response_object(hop).get("status", _NO_STATUS) <= _NO_STATUS:
            notes.append(f"no status recorded for {hop_url}, only headers; assumed 200")
            responses.setdefault((hop["request"]["method"], hop_url), []).append(response)
        else:
            responses.setdefault((hop["request"]["method"], hop_url), []).append(response)
    if len(hops) > 1 and failure == _ABORTED and _response(entries[hops[-1]], url) is None:
        # The browser cancelled the request to the Location instead of failing it: that is what
        # `redirect: "manual"` does. A CORS failure would be net::ERR_FAILED.
        request = dataclasses.replace(request, redirect="manual")
        complete, failure = True, None
        notes.append("redirect mode manual: the browser cancelled the request to the Location (net::ERR_ABORTED)")
    label = f"entry {index}: {request.method} {url}"
    return RecordedFetch(label, request, responses, complete, failure, preflight_recorded, tuple(hops),
                         tuple(notes))


def _redirect_hops(index: int, recording: _Recording) -> list[int]:
    """Follow recorded redirects from entry `index`: each later entry fetching the Location."""
    hops = [index]
    recording.consumed.add(index)
    current = index
    while True:
        entry = recording.entries[current]
        response = _response_object(entry)
        status = response.get("status", _NO_STATUS)
        if status not in REDIRECT_STATUSES:
            return hops
        location = response.get("redirectURL") or get_header(
            _header_list(response.get("headers", []), "response.headers"), "location")
        target = parse_url(location, base=entry["request"]["url"]) if location else None
        following = None if target is None else recording.request_after(current, target.text)
        if following is None:
            return hops
        hops.append(following)
        current = following


def _comparable_url(url: str) -> str:
    """Return the URL as browsers record it: without `#fragment` and without userinfo."""
    parsed = parse_url(url)
    if parsed is None:
        return url
    return strip_userinfo(parsed).partition("#")[0]


def _fetch_from_preflight(index: int, entry: dict[str, Any], credentials: str | None,
                          origin_override: str | None) -> RecordedFetch:
    """Rebuild a fetch whose preflight was recorded but whose actual request was not.

    Browsers record no actual request when the preflight fails, so the fetch is rebuilt from the
    preflight's Access-Control-Request-Method and -Headers. The header values are not recorded;
    the placeholder contains `(`, a CORS-unsafe byte, so each header stays one that needs a preflight.
    """
    headers = _request_headers(entry)
    url = entry["request"]["url"]
    method = get_header(headers, "access-control-request-method") or "GET"
    names = [item.strip() for item in (get_header(headers, "access-control-request-headers") or "").split(",")]
    origin = origin_override or get_header(headers, "origin") or "null"
    script_headers = tuple((item, "(not recorded)") for item in names if item)
    mode = credentials or "same-origin"
    request = FetchRequest(url=url, origin=origin, method=method, headers=script_headers, credentials=mode)
    response = _response(entry, url)
    responses = {("OPTIONS", url): [response]} if response is not None else {}
    source = "from --credentials" if credentials else "assumed"
    note = (f"only the preflight was recorded: method and header names come from it, header values "
            f"are not known; credentials mode {mode} ({source})")
    return RecordedFetch(f"entry {index}: preflight for {method} {url}", request, responses, False,
                         _failure_text(entry), response is not None, (index,), (note,))

