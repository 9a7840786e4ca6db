"""The cookie layer: whether a Set-Cookie is stored and whether a cookie goes out with a request.

Follows RFC 6265bis as Chromium applies it: `SameSite` defaults to Lax, `SameSite=None` needs
`Secure`, loopback hosts count as secure, a `Domain` must domain-match the responding host, and
when third-party cookies are blocked a cross-site context may only use `Partitioned` cookies.
Reasons use the names of Chromium's DevTools protocol (`Network.SetCookieBlockedReason` and
`Network.CookieBlockedReason`).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

from .._public_suffixes import MULTI_LABEL_PUBLIC_SUFFIXES
from ..origin import is_loopback_host
from .model import CookieOutcome, ParsedURL


@dataclass(frozen=True, slots=True)
class Cookie:
    """A cookie as the jar keeps it."""

    name: str
    value: str
    host: str
    domain: str | None  # None for a host-only cookie
    path: str
    secure: bool
    same_site: str  # "none" | "lax" | "strict" | "unspecified"
    partition_site: str | None  # the top-level site of a Partitioned cookie
    expires_at: float | None


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def registrable_domain(host: str) -> str:
    """Return the host's registrable domain (eTLD+1), or the host itself for IPs and bare names."""
    host = host.rstrip(".").lower()
    if _is_ip(host) or "." not in host:
        return host
    labels = host.split(".")
    suffix_length = 2 if ".".join(labels[-2:]) in MULTI_LABEL_PUBLIC_SUFFIXES else 1
    return ".".join(labels[-(suffix_length + 1):]) if len(labels) > suffix_length else host


def site_of(scheme: str, host: str) -> str:
    """Return the schemeful site: scheme and registrable domain."""
    return f"{scheme}://{registrable_domain(host)}"


def is_secure_url(url: ParsedURL) -> bool:
    return url.scheme in ("https", "wss") or is_loopback_host(url.host)


def _default_path(url: ParsedURL) -> str:
    path = urlsplit(url.text).path
    if not path.startswith("/") or path.count("/") <= 1:
        return "/"
    return path[: path.rfind("/")]


def _domain_matches(host: str, domain: str) -> bool:
    return host == domain or (not _is_ip(host) and host.endswith("." + domain))


def _path_matches(request_path: str, cookie_path: str) -> bool:
    if request_path == cookie_path:
        return True
    if not request_path.startswith(cookie_path):
        return False
    return cookie_path.endswith("/") or request_path[len(cookie_path)] == "/"


@dataclass(frozen=True, slots=True)
class CookieContext:
    """The context of a request: the page's site and the third-party cookie mode."""

    top_level_site: str | None  # None for an opaque origin: every request is then cross-site
    third_party: str  # "allow" | "block" | "partition"
    lax_by_default: bool = True  # whether a cookie without SameSite counts as Lax

    def crosses_site(self, same_site: str) -> bool:
        """Tell whether a cookie with this SameSite value may be used in a cross-site context."""
        return same_site == "none" or (same_site == "unspecified" and not self.lax_by_default)

    def is_cross_site(self, url: ParsedURL) -> bool:
        return self.top_level_site is None or self.top_level_site != site_of(url.scheme, url.host)


def parse_set_cookie(line: str, url: ParsedURL, context: CookieContext,
                     now: float) -> tuple[Cookie | None, CookieOutcome]:
    """Decide whether a Set-Cookie line from `url` is stored; return the cookie and the outcome."""
    pair, *attribute_texts = line.split(";")
    name, equals, value = pair.partition("=")
    name, value = (name.strip(), value.strip()) if equals else ("", name.strip())
    label = name or "(nameless)"
    if not name and not value:
        return None, _rejected(label, url, "NoCookieContent", "the Set-Cookie line has no name and no value")

    attributes: dict[str, str] = {}
    for text in attribute_texts:
        key, _, attribute_value = text.partition("=")
        attributes[key.strip().lower()] = attribute_value.strip()

    secure = "secure" in attributes
    same_site = attributes.get("samesite", "").lower()
    same_site = same_site if same_site in ("none", "lax", "strict") else "unspecified"
    host = url.host.lower()

    domain: str | None = None
    if attributes.get("domain"):
        domain = attributes["domain"].lstrip(".").lower()
        if not _domain_matches(host, domain) or (
            domain != host and registrable_domain(domain) == domain and "." not in domain
        ) or domain in MULTI_LABEL_PUBLIC_SUFFIXES:
            return None, _rejected(label, url, "InvalidDomain",
                                   f"Domain={attributes['domain']} does not domain-match the host {host}; "
                                   "omit Domain to make a host-only cookie")
        if _is_ip(host):
            domain = None  # Chromium: Domain equal to an IP host leaves a host-only cookie.

    if secure and not is_secure_url(url):
        return None, _rejected(label, url, "SecureOnly", "a Secure cookie cannot be set over plain http")
    if (name.startswith("__Secure-") and not secure) or (
        name.startswith("__Host-") and (not secure or domain is not None or attributes.get("path") != "/")
    ):
        return None, _rejected(label, url, "InvalidPrefix", "the cookie name's prefix requires other attributes")

    partitioned = "partitioned" in attributes
    if partitioned and not secure:
        return None, _rejected(label, url, "InvalidPartitioned", "a Partitioned cookie must be Secure")

    cross_site = context.is_cross_site(url)
    if cross_site and context.third_party == "block" and not partitioned:
        return None, _rejected(label, url, "UserPreferences",
                               "the browser blocks third-party cookies, and this response is cross-site "
                               "to the page; only a Partitioned cookie would be stored")
    if same_site == "none" and not secure:
        return None, _rejected(label, url, "SameSiteNoneInsecure", "SameSite=None requires the Secure attribute")
    if cross_site and not context.crosses_site(same_site):
        return None, _rejected(label, url, _cross_site_reason(same_site),
                               f"a SameSite={same_site.capitalize() if same_site != 'unspecified' else 'Lax (default)'} "
                               "cookie cannot be set by a cross-site request; use SameSite=None; Secure")

    expires_at = None
    max_age = attributes.get("max-age")
    if max_age is not None and max_age.lstrip("-").isdigit():
        expires_at = now + int(max_age)
    # Firefox's Total Cookie Protection stores every cross-site cookie in the page's partition.
    if cross_site and context.third_party == "partition":
        partitioned = True
    cookie = Cookie(name, value, host, domain, attributes.get("path") or _default_path(url), secure, same_site,
                    context.top_level_site if partitioned else None, expires_at)
    if expires_at is not None and expires_at <= now:
        return cookie, CookieOutcome(label, "stored", url.text, None, "stored as expired, which deletes it")
    return cookie, CookieOutcome(label, "stored", url.text)


def _rejected(name: str, url: ParsedURL, reason: str, detail: str) -> CookieOutcome:
    return CookieOutcome(name, "rejected", url.text, reason, detail)


def _cross_site_reason(same_site: str) -> str:
    return {"strict": "SchemefulSameSiteStrict", "lax": "SchemefulSameSiteLax"}.get(
        same_site, "SchemefulSameSiteUnspecifiedTreatedAsLax")


def decide_send(cookie: Cookie, url: ParsedURL, path: str, context: CookieContext,
                now: float) -> CookieOutcome | None:
    """Decide whether a stored cookie goes out with a request to `url`; None if it does not apply."""
    host = url.host.lower()
    if cookie.domain is None and host != cookie.host:
        return None
    if cookie.domain is not None and not _domain_matches(host, cookie.domain):
        return None
    if not _path_matches(path, cookie.path):
        return None
    if cookie.expires_at is not None and cookie.expires_at <= now:
        return None
    label = cookie.name or "(nameless)"
    if cookie.secure and not is_secure_url(url):
        return CookieOutcome(label, "not-sent", url.text, "SecureOnly", "a Secure cookie is not sent over plain http")
    if cookie.partition_site is not None and cookie.partition_site != context.top_level_site:
        return None
    cross_site = context.is_cross_site(url)
    if cross_site and context.third_party == "block" and cookie.partition_site is None:
        return CookieOutcome(label, "not-sent", url.text, "UserPreferences",
                             "the browser blocks third-party cookies on this cross-site request")
    if cross_site and context.third_party == "partition" and cookie.partition_site is None:
        return CookieOutcome(label, "not-sent", url.text, "ThirdPartyCookiePartitioned",
                             "the cookie belongs to the API's own first-party jar, which a cross-site page "
                             "cannot use")
    if cross_site and not context.crosses_site(cookie.same_site):
        return CookieOutcome(label, "not-sent", url.text, _cross_site_reason(cookie.same_site),
                             "the cookie is not SameSite=None, and this request is cross-site")
    return CookieOutcome(label, "sent", url.text)


def cookie_from_jar_entry(name: str, value: str, url: ParsedURL) -> Cookie:
    """Build a cookie the browser already holds for `url` from `(name, "value[; attributes]")`."""
    cookie_value, *attribute_texts = value.split(";")
    attributes: dict[str, str] = {}
    for text in attribute_texts:
        key, _, attribute_value = text.partition("=")
        attributes[key.strip().lower()] = attribute_value.strip()
    same_site = attributes.get("samesite", "").lower()
    same_site = same_site if same_site in ("none", "lax", "strict") else "unspecified"
    domain = attributes.get("domain", "").lstrip(".").lower() or None
    return Cookie(name, cookie_value.strip(), url.host.lower(), domain, attributes.get("path") or "/",
                  "secure" in attributes, same_site, None, None)


class CookieJar:
    """Cookies stored during a checker's life; a newer cookie replaces one with the same key."""

    def __init__(self) -> None:
        self._cookies: list[Cookie] = []

    def __iter__(self) -> Iterator[Cookie]:
        return iter(list(self._cookies))

    def __len__(self) -> int:
        return len(self._cookies)

    def store(self, cookie: Cookie, now: float) -> None:
        key = (cookie.name, cookie.domain or cookie.host, cookie.path, cookie.partition_site)
        self._cookies = [
            existing for existing in self._cookies
            if (existing.name, existing.domain or existing.host, existing.path, existing.partition_site) != key
        ]
        if cookie.expires_at is None or cookie.expires_at > now:
            self._cookies.append(cookie)

    def clear(self) -> None:
        self._cookies.clear()
