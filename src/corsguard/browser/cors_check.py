"""The CORS check (Fetch, "CORS check") and how each engine names its failures.

The check itself is the standard's; the classification follows Chromium's
`services/network/public/cpp/cors/cors.cc` (CheckAccess) and Firefox's
`nsCORSListenerProxy::CheckRequestApproved`, which test the same conditions in different orders.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..fetch import (
    ACAC,
    ACAO,
    ACEH,
    FORBIDDEN_RESPONSE_HEADER_NAMES,
    SAFELISTED_RESPONSE_HEADER_NAMES,
    is_token,
    split_list,
)
from .model import HeaderLines, get_header, header_lines

_SPECIAL_SCHEMES = frozenset({"http", "https", "ws", "wss", "ftp", "file"})
_SCHEME_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789+-.")
_TAB_AND_NEWLINE = str.maketrans("", "", "\t\n\r")
# URL standard, "forbidden host code point" (plus space), for hosts of special URLs.
_FORBIDDEN_HOST_CHARACTERS = frozenset(" #%/:<>?@[\\]^|\x00")


@dataclass(frozen=True, slots=True)
class CheckFailure:
    """A failed CORS check: Chromium's and Firefox's names, and the offending value."""

    chromium: str
    firefox: str
    failed_parameter: str | None


def header_text(value: str) -> str | None:
    """Decode a header value kept one character per byte as UTF-8; None when it is not UTF-8.

    Values holding characters above U+00FF were decoded already and are returned unchanged.
    """
    try:
        raw = value.encode("latin-1")
    except UnicodeEncodeError:
        return value
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _shown(value: str) -> str:
    """Return a header value as Chromium's DevTools shows it: UTF-8 when it decodes."""
    text = header_text(value)
    return value if text is None else text


def _parses_as_url(value: str) -> bool:
    """Approximate Chromium's GURL validity test for an Access-Control-Allow-Origin value.

    As in the URL standard, tabs and newlines are removed first. A special scheme then needs a
    host without forbidden characters, and a numeric port of at most 65535.
    """
    text = header_text(value)
    if text is None:
        return False  # bytes that are not UTF-8 make the URL parser fail
    text = text.translate(_TAB_AND_NEWLINE)
    scheme, colon, rest = text.partition(":")
    if not colon or not scheme or not scheme[0].isascii() or not scheme[0].isalpha():
        return False
    if not set(scheme.lower()) <= _SCHEME_CHARACTERS:
        return False
    if scheme.lower() not in _SPECIAL_SCHEMES:
        return True
    authority = rest.lstrip("/\\")
    for separator in "/?#\\":
        authority = authority.split(separator, 1)[0]
    host_port = authority.rpartition("@")[2]
    if host_port.startswith("["):
        host, _, port = host_port[1:].partition("]")
        port = port.removeprefix(":")
    else:
        host, _, port = host_port.partition(":")
    if not host or any(character in _FORBIDDEN_HOST_CHARACTERS for character in host):
        return False
    return not port or (port.isascii() and port.isdigit() and int(port) <= 65535)


def _chromium_mismatch(value: str) -> str:
    if " " in value or "," in value:
        return "MultipleAllowOriginValues"
    if value == "null":
        return "AllowOriginMismatch"
    if not _parses_as_url(value):
        return "InvalidAllowOriginValue"
    return "AllowOriginMismatch"


def cors_check(headers: HeaderLines, origin: str, credentials: bool) -> CheckFailure | None:
    """Run the CORS check on response headers; return None when it passes.

    `origin` is the request's serialized origin (`null` for opaque or tainted origins) and
    `credentials` is whether the request's credentials mode is `include`.
    """
    lines = header_lines(headers, ACAO)
    allow_origin = get_header(headers, ACAO)
    if allow_origin is None:
        return CheckFailure("MissingAllowOriginHeader", "CORSMissingAllowOrigin", None)

    failure = _origin_failure(allow_origin, len(lines), origin, credentials)
    if failure is not None or not credentials:
        return failure

    # Fetch: with credentials, Access-Control-Allow-Credentials must be exactly `true`.
    allow_credentials = get_header(headers, ACAC)
    if allow_credentials != "true":
        return CheckFailure("InvalidAllowCredentials", "CORSMissingAllowCredentials", _shown(allow_credentials or ""))
    return None


def _origin_failure(value: str, line_count: int, origin: str, credentials: bool) -> CheckFailure | None:
    if value == "*" and not credentials:
        return None
    if value == origin:
        return None

    if value == "*":
        chromium = "WildcardOriginNotAllowed"
    else:
        chromium = _chromium_mismatch(value)

    if line_count > 1:
        firefox = "CORSMultipleAllowOriginNotAllowed"
    elif value == "*":
        firefox = "CORSNotSupportingCredentials"
    else:
        firefox = "CORSAllowOriginNotMatchingOrigin"
    return CheckFailure(chromium, firefox, _shown(value))


def preflight_name(chromium: str) -> str:
    """Return the name Chromium uses when a CORS check fails on a preflight response."""
    return "Preflight" + chromium


def visible_headers(headers: HeaderLines, credentials: bool) -> tuple[str, ...]:
    """Return the lowercase header names script can read on a CORS response, sorted.

    Safelisted response headers, plus those listed in Access-Control-Expose-Headers; `*` exposes
    every name unless credentials are included. Set-Cookie is never exposed.
    """
    present = {name.lower() for name, _ in headers}
    exposed = {name.lower() for value in header_lines(headers, ACEH) for name in split_list(value)}
    if not all(is_token(name) for name in exposed):
        # Fetch, "extract header list values": one invalid element voids the whole list.
        exposed = set()
    if "*" in exposed and not credentials:
        readable = set(present)
    else:
        readable = set(SAFELISTED_RESPONSE_HEADER_NAMES | exposed) & present
    return tuple(sorted(readable - FORBIDDEN_RESPONSE_HEADER_NAMES))


def basic_visible_headers(headers: HeaderLines) -> tuple[str, ...]:
    """Return the header names script can read on a same-origin response (all but Set-Cookie)."""
    return tuple(sorted({name.lower() for name, _ in headers} - FORBIDDEN_RESPONSE_HEADER_NAMES))


# Response headers scripts have no use for, left out when explanations list unreadable headers.
# Most servers add `date` and `server` to each response, so naming them would bury the useful names.
_UNINTERESTING_HIDDEN_HEADERS = frozenset({"vary", "connection", "keep-alive", "transfer-encoding", "server",
                                           "date"})


def hidden_headers(headers: HeaderLines, visible: tuple[str, ...]) -> list[str]:
    """Return response header names script cannot read, leaving out CORS and cookie headers."""
    names = dict.fromkeys(name.lower() for name, _ in headers)
    return [name for name in names
            if name not in visible and name not in _UNINTERESTING_HIDDEN_HEADERS
            and not name.startswith(("access-control-", "set-cookie"))]
