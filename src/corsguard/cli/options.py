"""Parse and validate the values of `corsguard check` options before any request is sent."""

from __future__ import annotations

import urllib.parse

from ..fetch import is_token
from ..origin import is_loopback_host, parse_origin
from .errors import CLIError

# Characters RFC 6265 (section 4.1.1) allows in a cookie value: visible ASCII except
# double quote, comma, semicolon and backslash.
_COOKIE_VALUE_CHARACTERS = frozenset(chr(c) for c in range(0x21, 0x7F)) - set('",;\\')
_HTTP_WHITESPACE = " \t"


def parse_url(text: str) -> str:
    """Return `text` if it is an absolute http or https URL with a host, else raise CLIError."""
    if not text or any(ch.isspace() for ch in text):
        raise CLIError(f"invalid URL {text!r}: it is empty or contains whitespace")
    try:
        parts = urllib.parse.urlsplit(text)
        parts.port  # noqa: B018 - reading .port validates it and raises ValueError when it is bad
    except ValueError as exc:
        raise CLIError(f"invalid URL {text!r}: {exc}") from None
    scheme = _typed_scheme(text)
    suggestion = _suggest_url(text, scheme)
    hint = f"; did you mean {suggestion}?" if suggestion else ""
    if scheme is not None and scheme.lower() not in ("http", "https"):
        raise CLIError(f"invalid URL {text!r}: the scheme {scheme!r} is not http or https{hint}")
    if not parts.scheme or not parts.netloc or not parts.hostname:
        raise CLIError(f"invalid URL {text!r}: expected an absolute URL such as http://127.0.0.1:8000/data{hint}")
    return text


def _typed_scheme(text: str) -> str | None:
    """Return the scheme `text` starts with, or None when the text before ":" is a host and port."""
    scheme, colon, rest = text.partition(":")
    if not colon or not scheme[:1].isalpha() or any(not (ch.isalnum() or ch in "+-.") for ch in scheme):
        return None
    port = rest.split("/", 1)[0]
    if port.isdigit() and not rest.startswith("/"):
        return None  # "localhost:8000/data" names a host and a port, not a scheme
    return scheme


def _suggest_url(text: str, scheme: str | None) -> str | None:
    """Suggest the http:// or https:// URL that a URL with a missing or mistyped scheme stands for."""
    if scheme is None:
        if text.startswith("/") and not text.startswith("//"):
            return None  # a bare path names no host
        rest, secure = text, False
    elif not set(scheme.lower()) <= set("htps") or "p" not in scheme.lower():
        return None  # another scheme such as ftp or data, not a typo of http
    else:
        rest, secure = text[len(scheme) + 1:], scheme.lower().endswith("s")
    candidate = ("https://" if secure else "http://") + rest.lstrip("/")
    if candidate == text:
        return None
    try:
        parts = urllib.parse.urlsplit(candidate)
        parts.port  # noqa: B018 - reading .port validates it
    except ValueError:
        return None
    return candidate if parts.hostname else None


def parse_origin_option(text: str) -> str:
    """Return the page origin as browsers serialize it, or "null"; raise CLIError with a hint."""
    if text == "null" or parse_origin(text) is not None:
        return text
    suggestion = _suggest_origin(text)
    hint = f"; did you mean {suggestion}?" if suggestion else ""
    raise CLIError(
        f"invalid --origin {text!r}: expected a serialized origin such as https://app.example.com "
        f"(scheme, host and port only, lowercase, no path or trailing slash) or null{hint}"
    )


def _suggest_origin(text: str) -> str | None:
    try:
        parts = urllib.parse.urlsplit(text.strip())
        port = parts.port
    except ValueError:
        return None
    if "://" not in text:
        # "localhost:5173" or "app.example.com": the scheme is missing. Local development
        # servers mostly use http, other hosts mostly https.
        return _suggest_origin_without_scheme(text.strip())
    if not parts.scheme or not parts.hostname:
        return None
    scheme = parts.scheme.lower()
    host = parts.hostname.lower()
    if ":" in host:
        host = f"[{host}]"
    default_port = {"http": 80, "https": 443}.get(scheme)
    candidate = f"{scheme}://{host}" if port in (None, default_port) else f"{scheme}://{host}:{port}"
    return candidate if parse_origin(candidate) is not None else None


def _suggest_origin_without_scheme(text: str) -> str | None:
    try:
        host = urllib.parse.urlsplit(f"http://{text}").hostname
    except ValueError:
        return None
    if not host:
        return None
    scheme = "http" if is_loopback_host(host) else "https"
    candidate = _suggest_origin(f"{scheme}://{text}")
    return candidate if candidate != text else None


def parse_header(text: str) -> tuple[str, str]:
    """Split a `Name: value` option into the name and the value with HTTP whitespace stripped."""
    name, colon, value = text.lstrip().partition(":")
    if not colon:
        raise CLIError(f"invalid header {text!r}: expected 'Name: value'")
    if not is_token(name):
        raise CLIError(
            f"invalid header {text!r}: the name {name!r} is not an HTTP token "
            "(letters, digits and !#$%&'*+-.^_`|~, no spaces before the colon)"
        )
    value = value.strip(_HTTP_WHITESPACE)
    if any(ch in value for ch in "\r\n\0"):
        raise CLIError(f"invalid header {text!r}: the value contains CR, LF or NUL")
    try:
        value.encode("latin-1")
    except UnicodeEncodeError:
        raise CLIError(f"invalid header {text!r}: the value has characters outside Latin-1") from None
    return name, value


def parse_cookie(text: str) -> tuple[str, str]:
    """Split a `name=value[; attributes]` cookie jar entry into the name and the rest.

    The name must be a token and the value RFC 6265 cookie octets. Attributes such as
    `SameSite=None; Secure` stay after the value, which is how the checker reads a jar entry.
    """
    pair, semicolon, attributes = text.partition(";")
    name, equals, value = pair.strip(_HTTP_WHITESPACE).partition("=")
    if not equals:
        raise CLIError(f"invalid cookie {text!r}: expected 'name=value', optionally followed by '; attributes'")
    if not is_token(name):
        raise CLIError(f"invalid cookie {text!r}: the name {name!r} is not an HTTP token")
    bare = value[1:-1] if len(value) >= 2 and value[0] == value[-1] == '"' else value
    bad = sorted({ch for ch in bare if ch not in _COOKIE_VALUE_CHARACTERS})
    if bad:
        raise CLIError(
            f"invalid cookie {text!r}: the value contains {''.join(bad)!r}; "
            "spaces, quotes, commas and backslashes are not allowed (a semicolon starts the attributes)"
        )
    attributes = attributes.strip(_HTTP_WHITESPACE)
    return name, f"{value}; {attributes}" if semicolon and attributes else value


def parse_method(text: str) -> str:
    """Return the method as given (case matters to CORS); raise CLIError unless it is a token."""
    if not is_token(text):
        raise CLIError(f"invalid --method {text!r}: a method is an HTTP token such as GET or PUT")
    return text
