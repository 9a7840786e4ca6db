"""The checker's result: a frozen Verdict and its JSON form."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from .model import CookieOutcome, CorsFailure, Exchange, HeaderLines


@dataclass(frozen=True, slots=True)
class Verdict:
    """Outcome of one fetch in the browser, with the reasons.

    `preflight_needed` is whether a preflight was sent; when the preflight cache covered the request
    instead, `preflight_from_cache` is set. `verdict` is `allowed`, `blocked`, `opaque` (a `no-cors` response script cannot read) or
    `opaqueredirect` (`redirect: "manual"`). `visible_headers` is None when blocked.
    `credentials_attached` maps `preflight` and `actual` to whether cookies and HTTP
    authentication go out with that request, or None when the request was not sent.
    """

    verdict: str
    preflight_needed: bool
    preflight_request: HeaderLines | None
    error: CorsFailure | None
    visible_headers: tuple[str, ...] | None
    status: int | None
    credentials_attached: dict[str, bool | None]
    exchanges: tuple[Exchange, ...]
    cookies: tuple[CookieOutcome, ...]
    explanation: str
    fix: str
    warnings: tuple[str, ...]
    profile: str
    response_type: str | None = None  # "basic" | "cors" | "opaque" | "opaqueredirect"
    origin_header: str | None = None  # Origin on the last request (None when not sent)
    final_url: str | None = None
    final_method: str | None = None
    request_headers_dropped: tuple[str, ...] = ()
    headers_removed_on_redirect: tuple[str, ...] = ()  # lowercase names, e.g. authorization
    preflights: tuple[HeaderLines, ...] = field(default=())
    preflight_from_cache: bool = False  # a preflight was needed and the cache covered it

    @property
    def allowed(self) -> bool:
        return self.verdict == "allowed"

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict whose keys follow the fields."""
        data = asdict(self)
        data["preflight_request"] = _lines(self.preflight_request)
        data["preflights"] = [_lines(lines) for lines in self.preflights]
        data["visible_headers"] = list(self.visible_headers) if self.visible_headers is not None else None
        data["exchanges"] = [
            {
                "stage": exchange.stage,
                "method": exchange.method,
                "url": exchange.url,
                "request_headers": _lines(exchange.request_headers),
                "response": None if exchange.response is None else {
                    "status": exchange.response.status,
                    "headers": _lines(exchange.response.headers),
                },
            }
            for exchange in self.exchanges
        ]
        data["warnings"] = list(self.warnings)
        data["request_headers_dropped"] = list(self.request_headers_dropped)
        data["headers_removed_on_redirect"] = list(self.headers_removed_on_redirect)
        data["cookies"] = [asdict(outcome) for outcome in self.cookies]
        return data


def _lines(lines: HeaderLines | None) -> list[list[str]] | None:
    return None if lines is None else [[name, value] for name, value in lines]
