"""Glue between a fetch and the cookie layer: the Cookie header to send, Set-Cookie to store."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from .cookies import CookieContext, cookie_from_jar_entry, decide_send, parse_set_cookie
from .model import CookieOutcome, FetchRequest, ParsedURL, RecordedResponse, parse_url

if TYPE_CHECKING:
    from .checker import Checker


def attach_cookies(checker: Checker, request: FetchRequest, url: ParsedURL,
                   context: CookieContext) -> tuple[str, list[CookieOutcome]]:
    """Return the Cookie header for a credentialed request to `url`, and one outcome per cookie."""
    now = checker.clock()
    path = urlsplit(url.text).path or "/"
    candidates = list(checker.cookie_jar)
    target = parse_url(request.url)
    if target is not None and target.host == url.host:
        candidates += [cookie_from_jar_entry(name, value, url) for name, value in request.cookies]

    # RFC 6265, section 5.4: longer paths first.
    candidates.sort(key=lambda cookie: -len(cookie.path))
    sent: list[str] = []
    outcomes: list[CookieOutcome] = []
    for cookie in candidates:
        outcome = decide_send(cookie, url, path, context, now)
        if outcome is None:
            continue
        outcomes.append(outcome)
        if outcome.action == "sent":
            sent.append(f"{cookie.name}={cookie.value}" if cookie.name else cookie.value)
    return "; ".join(sent), outcomes


def store_response_cookies(checker: Checker, response: RecordedResponse, url: ParsedURL,
                           context: CookieContext) -> list[CookieOutcome]:
    """Store every Set-Cookie of a credentialed response the browser accepts; return the outcomes."""
    now = checker.clock()
    outcomes = []
    for name, value in response.headers:
        if name.lower() != "set-cookie":
            continue
        cookie, outcome = parse_set_cookie(value, url, context, now)
        if cookie is not None:
            checker.cookie_jar.store(cookie, now)
        outcomes.append(outcome)
    return outcomes


def ignored_cookies(response: RecordedResponse, url: ParsedURL, detail: str) -> list[CookieOutcome]:
    """Return an `ignored` outcome for each Set-Cookie of a response sent without credentials."""
    outcomes = []
    for name, value in response.headers:
        if name.lower() != "set-cookie":
            continue
        cookie_name, equals, _ = value.partition(";")[0].partition("=")
        label = cookie_name.strip() if equals and cookie_name.strip() else "(nameless)"
        outcomes.append(CookieOutcome(label, "ignored", url.text, None, detail))
    return outcomes
