"""Fetch Metadata request headers (`Sec-Fetch-*`), which browsers add to every request.

Servers that apply a resource isolation policy read them, so the checker sends them as Chromium
and Firefox do: only to potentially trustworthy URLs (https, or loopback over http).
"""

from __future__ import annotations

from .cookies import is_secure_url, site_of
from .model import HeaderLines, ParsedURL


def fetch_site(initiator: ParsedURL | None, url_list: list[ParsedURL]) -> str:
    """Return `Sec-Fetch-Site`: how the page relates to every URL the request has visited."""
    if initiator is None:
        return "cross-site"
    if all(url.origin == initiator.origin for url in url_list):
        return "same-origin"
    page_site = site_of(initiator.scheme, initiator.host)
    if all(site_of(url.scheme, url.host) == page_site for url in url_list):
        return "same-site"
    return "cross-site"


def metadata_headers(mode: str, initiator: ParsedURL | None, url_list: list[ParsedURL]) -> HeaderLines:
    """Return the `Sec-Fetch-*` headers of a `fetch()` request, or none for an insecure URL."""
    if not url_list or not is_secure_url(url_list[-1]):
        return ()
    return (
        ("sec-fetch-site", fetch_site(initiator, url_list)),
        ("sec-fetch-mode", mode),
        ("sec-fetch-dest", "empty"),
    )
