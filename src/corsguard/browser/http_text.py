"""Read a request and its responses written as raw HTTP/1.1 text into a recorded fetch.

The text contains HTTP messages one after another: the request first, then the responses. Header
lines follow each start line up to a blank line; anything after that blank line (a body) is
skipped until the next request or status line.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from .model import RecordedResponse
from .recording import RecordedFetch, RecordingError, origin_from_headers, rebuild_request

__all__ = ["parse_http_text"]


_REQUEST_LINE = re.compile(r"^(?P<method>[!#$%&'*+.^_`|~0-9A-Za-z-]+) +(?P<target>\S+) +HTTP/\d(\.\d)?$")
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
_STATUS_LINE = re.compile(r"^HTTP/\d(\.\d)? +(?P<status>\d{3})(?: .*)?$")


@dataclass
class _Message:
    start: str
    line_number: int
    headers: list[tuple[str, str]] = field(default_factory=list)


def _split_messages(text: str, name: str) -> list[_Message]:
    """Split text into HTTP messages: each starts at a request or status line; bodies are skipped."""
    messages: list[_Message] = []
    in_headers = False
    for number, raw_line in enumerate(text.splitlines(), start=1):
        line = raw_line.rstrip("\r")
        if _REQUEST_LINE.match(line) or _STATUS_LINE.match(line):
            messages.append(_Message(line, number))
            in_headers = True
        elif not messages and line.strip():
            raise RecordingError(f"{name}: line {number} is not an HTTP request or status line: {line[:60]!r}")
        elif in_headers and not line.strip():
            in_headers = False
        elif in_headers:
            key, colon, value = line.partition(":")
            if not colon or not _TOKEN.fullmatch(key):
                raise RecordingError(f"{name}: line {number} is not a header line (name: value): {line[:60]!r}")
            messages[-1].headers.append((key, value.strip(" \t")))
    if not messages:
        raise RecordingError(f"{name} contains no HTTP message")
    return messages


def _request_url(message: _Message, name: str) -> tuple[str, str]:
    match = _REQUEST_LINE.match(message.start)
    assert match is not None
    target = match.group("target")
    if target.startswith(("http://", "https://")):
        return match.group("method"), target
    host = next((value for key, value in message.headers if key.lower() == "host"), None)
    if host is None or not target.startswith("/"):
        raise RecordingError(f"{name}: the request on line {message.line_number} has a relative target "
                             f"{target!r} and no Host header; write the absolute URL instead")
    # An https page cannot fetch http URLs (mixed content), so its requests went over https.
    origin = next((value for key, value in message.headers if key.lower() == "origin"), "")
    scheme = "https" if host.endswith(":443") or origin.startswith("https://") else "http"
    return match.group("method"), f"{scheme}://{host}{target}"


def parse_http_text(texts: Sequence[tuple[str, str]], credentials: str | None = None,
                    origin: str | None = None) -> RecordedFetch:
    """Build one fetch from raw HTTP messages: the request first, then the responses.

    `texts` is a list of (name, text) pairs, read in order as one stream. A response directly
    after an `OPTIONS` request with `Access-Control-Request-Method` is that preflight's; every
    other response is replayed in the order given, whatever the checker requests.
    """
    messages: list[tuple[_Message, str]] = []
    for name, text in texts:
        messages += [(message, name) for message in _split_messages(text, name)]
    first, first_name = messages[0]
    if not _REQUEST_LINE.match(first.start):
        raise RecordingError(f"{first_name}: the first message must be the request, not {first.start[:40]!r}")
    method, url = _request_url(first, first_name)
    headers = tuple(first.headers)

    responses: dict[tuple[str, str], list[RecordedResponse]] = {}
    pending: tuple[str, str] | None = None  # the (method, URL) of an explicit request awaiting its response
    preflight_recorded = False
    for message, name in messages[1:]:
        status = _STATUS_LINE.match(message.start)
        if status is None:
            pending = _request_url(message, name)
            continue
        key = pending if pending is not None else ("*", "*")
        preflight_recorded = preflight_recorded or (pending is not None and pending[0].upper() == "OPTIONS")
        responses.setdefault(key, []).append(RecordedResponse(int(status.group("status")), tuple(message.headers)))
        pending = None
    if not responses:
        raise RecordingError(f"{texts[-1][0]}: no HTTP response follows the request")

    entry: dict[str, Any] = {"request": {"method": method, "url": url}}
    page_origin = origin or origin_from_headers(headers)
    if page_origin is None:
        raise RecordingError(f"{first_name}: the request has no Origin or Referer header; pass --origin")
    request, notes = rebuild_request(entry, headers, page_origin, credentials)
    return RecordedFetch(f"{method} {url}", request, responses, True, None, preflight_recorded, (), tuple(notes))
