"""Vocabulary of the WHATWG Fetch standard that both halves of corsguard share.

Header names are kept lowercase, as HTTP/2 and ASGI carry them. Nothing here performs I/O.
"""

from __future__ import annotations

# Request headers of the CORS protocol.
ORIGIN = "origin"
ACRM = ACCESS_CONTROL_REQUEST_METHOD = "access-control-request-method"
ACRH = ACCESS_CONTROL_REQUEST_HEADERS = "access-control-request-headers"
ACRPN = ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK = "access-control-request-private-network"

# Response headers of the CORS protocol.
ACAO = ACCESS_CONTROL_ALLOW_ORIGIN = "access-control-allow-origin"
ACAC = ACCESS_CONTROL_ALLOW_CREDENTIALS = "access-control-allow-credentials"
ACAM = ACCESS_CONTROL_ALLOW_METHODS = "access-control-allow-methods"
ACAH = ACCESS_CONTROL_ALLOW_HEADERS = "access-control-allow-headers"
ACEH = ACCESS_CONTROL_EXPOSE_HEADERS = "access-control-expose-headers"
ACMA = ACCESS_CONTROL_MAX_AGE = "access-control-max-age"
ACAPN = ACCESS_CONTROL_ALLOW_PRIVATE_NETWORK = "access-control-allow-private-network"
VARY = "vary"

CORS_RESPONSE_HEADER_NAMES = frozenset({ACAO, ACAC, ACAM, ACAH, ACEH, ACMA, ACAPN})

# Fetch, "CORS-safelisted method".
SAFELISTED_METHODS = frozenset({"GET", "HEAD", "POST"})
# Fetch, "forbidden method": script cannot send these, so no policy may allow them.
FORBIDDEN_METHODS = frozenset({"CONNECT", "TRACE", "TRACK"})
# Fetch, "normalize a method": these six are upper-cased, every other method keeps its case.
NORMALIZED_METHODS = frozenset({"DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"})

# Fetch, "forbidden request-header": a browser drops these when script sets them.
FORBIDDEN_REQUEST_HEADER_NAMES = frozenset(
    {
        "accept-charset",
        "accept-encoding",
        "access-control-request-headers",
        "access-control-request-method",
        "access-control-request-private-network",
        "connection",
        "content-length",
        "cookie",
        "cookie2",
        "date",
        "dnt",
        "expect",
        "host",
        "keep-alive",
        "origin",
        "referer",
        "set-cookie",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "via",
    }
)
FORBIDDEN_REQUEST_HEADER_PREFIXES = ("proxy-", "sec-")

# Fetch, "forbidden response-header name": never readable by script.
FORBIDDEN_RESPONSE_HEADER_NAMES = frozenset({"set-cookie", "set-cookie2"})

# Fetch, "CORS-safelisted response-header name": readable without Access-Control-Expose-Headers.
SAFELISTED_RESPONSE_HEADER_NAMES = frozenset(
    {
        "cache-control",
        "content-language",
        "content-length",
        "content-type",
        "expires",
        "last-modified",
        "pragma",
    }
)

# RFC 9110, section 5.6.2: tchar.
TOKEN_CHARACTERS = frozenset("!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
_DELETE_TOKEN_CHARACTERS = str.maketrans("", "", "".join(TOKEN_CHARACTERS))

# RFC 9110, section 5.6.3: optional whitespace.
OWS = " \t"


def is_token(text: str) -> bool:
    """Tell whether `text` is a non-empty RFC 9110 token."""
    return bool(text) and not text.translate(_DELETE_TOKEN_CHARACTERS)


def normalize_method(method: str) -> str:
    """Normalize a method as Fetch does: upper-case the six standard methods, keep the rest."""
    upper = method.upper()
    return upper if upper in NORMALIZED_METHODS else method


def is_forbidden_method(method: str) -> bool:
    return method.upper() in FORBIDDEN_METHODS


def is_forbidden_request_header_name(name: str) -> bool:
    lower = name.lower()
    return lower in FORBIDDEN_REQUEST_HEADER_NAMES or lower.startswith(FORBIDDEN_REQUEST_HEADER_PREFIXES)


def split_list(value: str) -> list[str]:
    """Split an RFC 9110 comma-separated list, trim OWS and drop empty elements."""
    elements = []
    for raw in value.split(","):
        element = raw.strip(OWS)
        if element:
            elements.append(element)
    return elements
