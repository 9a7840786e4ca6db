"""CORS-safelisted request headers and the list of names a preflight must ask for.

Every function here is total: arbitrary text returns a verdict, never an exception.
"""

from __future__ import annotations

from ..fetch import is_forbidden_method, is_forbidden_request_header_name, is_token

# Fetch, "CORS-safelisted request-header": a value longer than this is never safelisted.
MAX_SAFELISTED_VALUE_BYTES = 128
# Fetch, "CORS-unsafe request-header names": past this many bytes of safelisted values in total,
# every safelisted header needs the preflight too.
MAX_SAFELISTED_TOTAL_BYTES = 1024

SAFELISTED_CONTENT_TYPES = frozenset(
    {"application/x-www-form-urlencoded", "multipart/form-data", "text/plain"}
)
NO_CORS_SAFELISTED_NAMES = frozenset({"accept", "accept-language", "content-language", "content-type"})

# Fetch, "CORS-unsafe request-header byte": controls other than tab, DEL, and these characters.
_UNSAFE_CHARACTERS = frozenset('"():<>?@[\\]{}\x7f') | frozenset(chr(c) for c in range(0x20) if c != 0x09)
_LANGUAGE_CHARACTERS = frozenset(
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz *,-.;="
)
# Fetch, "HTTP whitespace" (used by the MIME type parser).
_HTTP_WHITESPACE = " \t\r\n"
_DIGITS = frozenset("0123456789")

# Chromium also safelists these client-hint names (services/network/public/cpp/cors/cors.cc).
_CHROMIUM_ECT_VALUES = frozenset({"slow-2g", "2g", "3g", "4g"})
CHROMIUM_EXTRA_SAFELISTED_NAMES = frozenset(
    {"dpr", "device-memory", "downlink", "ect", "rtt", "save-data", "viewport-width", "width",
     "intervention"}
)

# Fetch, "forbidden request-header": these override headers are forbidden when they name a
# forbidden method.
_METHOD_OVERRIDE_NAMES = frozenset({"x-http-method", "x-http-method-override", "x-method-override"})


def value_byte_length(value: str) -> int:
    """Count bytes as Fetch does: script header values are byte strings, one byte per code point
    up to U+00FF (larger code points make `fetch()` throw, so they are counted as UTF-8 here)."""
    return sum(1 if ord(character) <= 0xFF else len(character.encode("utf-8", "surrogatepass"))
               for character in value)


def has_unsafe_byte(value: str) -> bool:
    return any(character in _UNSAFE_CHARACTERS for character in value)


def mime_essence(value: str) -> str | None:
    """Parse a MIME type as the WHATWG MIME Sniffing standard does; return its essence or None.

    Only the type and subtype can make parsing fail; parameters never do.
    """
    text = value.strip(_HTTP_WHITESPACE)
    slash = text.find("/")
    if slash == -1:
        return None
    media_type = text[:slash]
    if not is_token(media_type):
        return None
    semicolon = text.find(";", slash + 1)
    subtype = text[slash + 1 :] if semicolon == -1 else text[slash + 1 : semicolon]
    subtype = subtype.rstrip(_HTTP_WHITESPACE)
    if not is_token(subtype):
        return None
    return f"{media_type.lower()}/{subtype.lower()}"


def is_simple_range(value: str) -> bool:
    """Tell whether a Range value is one `bytes=start-[end]` range, as Fetch safelists it."""
    if not value.startswith("bytes="):
        return False
    start, dash, end = value[6:].partition("-")
    if not dash or not start or not set(start) <= _DIGITS or not set(end) <= _DIGITS:
        return False
    return not end or int(start) <= int(end)


def _is_decimal(value: str, fraction: bool) -> bool:
    whole, dot, rest = value.partition(".")
    if not whole or not set(whole) <= _DIGITS:
        return False
    if not dot:
        return True
    return fraction and bool(rest) and set(rest) <= _DIGITS


def _is_chromium_client_hint(name: str, value: str) -> bool:
    if name == "intervention":
        return True
    if name == "save-data":
        return value == "on"
    if name in ("dpr", "device-memory", "downlink"):
        return _is_decimal(value, fraction=True)
    if name in ("width", "viewport-width", "rtt"):
        return _is_decimal(value, fraction=False)
    if name == "ect":
        return value in _CHROMIUM_ECT_VALUES
    return False


def is_safelisted_header(name: str, value: str, chromium_extras: bool = False) -> bool:
    """Tell whether (name, value) is a CORS-safelisted request header."""
    if value_byte_length(value) > MAX_SAFELISTED_VALUE_BYTES:
        return False
    lower = name.lower()
    if lower == "accept":
        return not has_unsafe_byte(value)
    if lower in ("accept-language", "content-language"):
        return set(value) <= _LANGUAGE_CHARACTERS
    if lower == "content-type":
        return not has_unsafe_byte(value) and mime_essence(value) in SAFELISTED_CONTENT_TYPES
    if lower == "range":
        return is_simple_range(value)
    if chromium_extras and lower in CHROMIUM_EXTRA_SAFELISTED_NAMES:
        return _is_chromium_client_hint(lower, value)
    return False


def is_no_cors_safelisted_header(name: str, value: str) -> bool:
    """Tell whether a `no-cors` request may carry (name, value); other headers are dropped."""
    return name.lower() in NO_CORS_SAFELISTED_NAMES and is_safelisted_header(name, value)


def merge_duplicate_names(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Combine lines with the same name into one value joined by ", ", as Chromium does."""
    merged: dict[str, tuple[str, list[str]]] = {}
    for name, value in headers:
        entry = merged.setdefault(name.lower(), (name, []))
        entry[1].append(value)
    return [(name, ", ".join(values)) for name, values in merged.values()]


def unsafe_header_names(headers: list[tuple[str, str]], chromium_extras: bool = False) -> list[str]:
    """Return Fetch's "CORS-unsafe request-header names": lowercased, unique, sorted by byte."""
    unsafe: set[str] = set()
    safelisted: set[str] = set()
    safelisted_bytes = 0
    for name, value in headers:
        if is_safelisted_header(name, value, chromium_extras):
            safelisted.add(name.lower())
            safelisted_bytes += value_byte_length(value)
        else:
            unsafe.add(name.lower())
    if safelisted_bytes > MAX_SAFELISTED_TOTAL_BYTES:
        unsafe |= safelisted
    return sorted(unsafe, key=lambda name: name.encode("utf-8", "surrogatepass"))


def is_forbidden_request_header(name: str, value: str) -> bool:
    """Tell whether script may not set (name, value); browsers silently drop such headers."""
    if is_forbidden_request_header_name(name):
        return True
    if name.lower() in _METHOD_OVERRIDE_NAMES:
        return any(is_forbidden_method(part.strip(" \t")) for part in value.split(","))
    return False


def header_value_problem(name: str, value: str) -> str | None:
    """Return why script cannot set this header at all (a TypeError), or None when it can."""
    if not is_token(name):
        return "InvalidHeaderName"
    if any(character in "\x00\r\n" for character in value) or any(ord(c) > 0xFF for c in value):
        return "InvalidHeaderValue"
    return None
