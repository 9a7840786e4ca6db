"""Values the checker reads and writes: the script's request, recorded responses, exchanges.

Header lists are kept as lines, in order, because duplicate lines change the outcome: two
`Access-Control-Allow-Origin` lines never match an origin.
"""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass, field

from ..origin import DEFAULT_PORTS, Origin

HeaderLines = tuple[tuple[str, str], ...]

MODES = ("cors", "no-cors", "same-origin")
CREDENTIALS_MODES = ("omit", "same-origin", "include")
REDIRECT_MODES = ("follow", "manual", "error")
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})

# Fetch, "HTTP whitespace" is stripped from both ends of header values read from the network.
_HTTP_TAB_OR_SPACE = " \t"


@dataclass(frozen=True, slots=True)
class FetchRequest:
    """A request as script hands it to `fetch()`, plus the page's origin and its cookie jar.

    `origin` is the page's serialized origin, or `null` for an opaque origin (sandboxed frames,
    `data:` and `file:` documents). `cookies` are jar entries the browser holds for the target:
    `(name, value)`, where the value may carry Set-Cookie attributes after a `;`, such as
    `("sid", "abc; SameSite=None; Secure")`.
    """

    url: str
    origin: str
    method: str = "GET"
    headers: HeaderLines = ()
    mode: str = "cors"
    credentials: str = "same-origin"
    redirect: str = "follow"
    cookies: HeaderLines = ()

    def __post_init__(self) -> None:
        problems = []
        if self.mode not in MODES:
            problems.append(f"mode must be one of {', '.join(MODES)}, not {self.mode!r}")
        if self.credentials not in CREDENTIALS_MODES:
            problems.append(f"credentials must be one of {', '.join(CREDENTIALS_MODES)}, "
                            f"not {self.credentials!r}")
        if self.redirect not in REDIRECT_MODES:
            problems.append(f"redirect must be one of {', '.join(REDIRECT_MODES)}, not {self.redirect!r}")
        if problems:
            raise ValueError("; ".join(problems))
        object.__setattr__(self, "headers", tuple((str(n), str(v)) for n, v in self.headers))
        object.__setattr__(self, "cookies", tuple((str(n), str(v)) for n, v in self.cookies))


@dataclass(frozen=True, slots=True)
class RecordedResponse:
    """A response as the server sent it: status and header lines (duplicates kept)."""

    status: int
    headers: HeaderLines = ()
    url: str | None = None
    body: bytes = b""

    def __post_init__(self) -> None:
        object.__setattr__(self, "headers", tuple((str(n), str(v)) for n, v in self.headers))


@dataclass(frozen=True, slots=True)
class Exchange:
    """One request the browser sent (or would send) and the response it got."""

    stage: str  # "preflight" or "actual"
    method: str
    url: str
    request_headers: HeaderLines
    response: RecordedResponse | None = None


@dataclass(frozen=True, slots=True)
class CorsFailure:
    """Why a fetch failed: the stage, corsguard's error id and each browser's name for it.

    `code` is the Chromium `CorsError` name when Chromium has one, otherwise a corsguard id for a
    failure that browsers report as a plain network error or `TypeError`.
    """

    stage: str  # "request" | "preflight" | "redirect" | "actual"
    code: str
    chromium: str | None
    firefox: str | None
    failed_parameter: str | None = None


@dataclass(frozen=True, slots=True)
class CookieOutcome:
    """What the browser did with one cookie: stored, rejected, sent, not sent or ignored.

    `reason` uses Chromium's DevTools names for blocked cookies (`SameSiteNoneInsecure`,
    `UserPreferences`, ...) and is None when nothing blocked the cookie.
    """

    name: str
    action: str  # "stored" | "rejected" | "ignored" | "sent" | "not-sent"
    url: str
    reason: str | None = None
    detail: str = ""


@dataclass(frozen=True, slots=True)
class ParsedURL:
    """The parts of an absolute URL that CORS decisions depend on."""

    text: str
    scheme: str
    host: str
    port: int | None  # None for the scheme's default port
    has_userinfo: bool
    origin: Origin | None = field(default=None)

    @property
    def is_http(self) -> bool:
        return self.scheme in ("http", "https")


def parse_url(text: str, base: str | None = None) -> ParsedURL | None:
    """Parse an absolute URL (or one relative to `base`); return None when it is not valid."""
    try:
        absolute = urllib.parse.urljoin(base, text) if base is not None else text
        parts = urllib.parse.urlsplit(absolute)
        port = parts.port
        host = parts.hostname or ""
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if not scheme:
        return None
    if scheme in DEFAULT_PORTS and not host:
        return None
    if port == DEFAULT_PORTS.get(scheme):
        port = None
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    if not host.isascii():
        # NOTE: Python's codec implements IDNA 2003; browsers use UTS #46, which differs for a
        # few characters (such as ß).
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            return None
    has_userinfo = parts.username is not None or parts.password is not None or "@" in parts.netloc
    origin = Origin(scheme, host, port) if scheme in DEFAULT_PORTS else None
    return ParsedURL(absolute, scheme, host, port, has_userinfo, origin)


def strip_userinfo(url: ParsedURL) -> str:
    """Return the URL text without `user:password@`."""
    if not url.has_userinfo:
        return url.text
    parts = urllib.parse.urlsplit(url.text)
    netloc = parts.netloc.rpartition("@")[2]
    return urllib.parse.urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def header_lines(headers: HeaderLines, name: str) -> list[str]:
    """Return the values of every line named `name` (any case), trimmed of spaces and tabs."""
    return [value.strip(_HTTP_TAB_OR_SPACE) for line_name, value in headers if line_name.lower() == name]


def get_header(headers: HeaderLines, name: str) -> str | None:
    """Read a header as Fetch's "get" does: all lines joined with ", ", or None when absent."""
    values = header_lines(headers, name)
    return ", ".join(values) if values else None
