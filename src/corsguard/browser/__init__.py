"""The browser half of corsguard: what Chromium, Firefox or the Fetch standard do with a fetch.

`Checker.check(request, transport)` runs the browser's side of the CORS protocol against a live
server, an ASGI or WSGI app in process, or recorded responses, and returns a `Verdict`.
"""

from .checker import Checker, check
from .errors import CHROMIUM_ERRORS, FIREFOX_REASONS, ErrorInfo
from .model import CookieOutcome, CorsFailure, Exchange, FetchRequest, RecordedResponse
from .profiles import PROFILES, Profile
from .transports import (
                         ASGITransport,
                         HTTPTransport,
                         RecordedTransport,
                         Transport,
                         TransportError,
                         WSGITransport,
)
from .verdict import Verdict

__all__ = [
    "CHROMIUM_ERRORS",
    "FIREFOX_REASONS",
    "PROFILES",
    "ASGITransport",
    "Checker",
    "CookieOutcome",
    "CorsFailure",
    "ErrorInfo",
    "Exchange",
    "FetchRequest",
    "HTTPTransport",
    "Profile",
    "RecordedResponse",
    "RecordedTransport",
    "Transport",
    "TransportError",
    "Verdict",
    "WSGITransport",
    "check",
]
