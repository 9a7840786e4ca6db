"""The CORS-preflight cache, keyed as browsers key it: origin, URL and credentials.

Fetch stores one entry per granted method and per granted header name. Like Chromium, a cached
`*` is re-judged against each new request, so it is a wildcard only for requests without
credentials, and never covers `Authorization` unless the profile lets it.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from .preflight import PreflightResult, allows_header, allows_method
from .profiles import Profile

Clock = Callable[[], float]


@dataclass(slots=True)
class _Entry:
    methods: tuple[str, ...]
    header_names: tuple[str, ...]
    credentials: bool
    expires_at: float


CacheKey = tuple[str, str]  # (serialized origin, URL)


class PreflightCache:
    """Preflight results per (origin, URL), each with its credentials flag and expiry time."""

    def __init__(self, profile: Profile, clock: Clock = time.monotonic) -> None:
        self._profile = profile
        self._clock = clock
        self._entries: OrderedDict[CacheKey, list[_Entry]] = OrderedDict()

    def __len__(self) -> int:
        return sum(len(entries) for entries in self._entries.values())

    def _live_entries(self, key: CacheKey, credentials: bool) -> list[_Entry]:
        now = self._clock()
        entries = [entry for entry in self._entries.get(key, []) if entry.expires_at > now]
        if key in self._entries:
            self._entries[key] = entries
            self._entries.move_to_end(key)
        # An entry made with credentials also serves requests without them, not the reverse.
        return [entry for entry in entries if entry.credentials or not credentials]

    def covers(self, origin: str, url: str, method: str, unsafe_names: list[str], credentials: bool) -> bool:
        """Tell whether cached results grant this method and every unsafe header name."""
        entries = self._live_entries((origin, url), credentials)
        if not entries:
            return False
        method_ok = any(allows_method(method, entry.methods, credentials) for entry in entries)
        if not method_ok:
            return False
        return all(
            any(allows_header(name, entry.header_names, credentials, self._profile) for entry in entries)
            for name in unsafe_names
        )

    def store(self, origin: str, url: str, result: PreflightResult, credentials: bool) -> None:
        """Record a successful preflight's result; max-age 0 stores nothing."""
        if result.max_age_seconds <= 0:
            return
        limit_url = self._profile.max_cached_url_length
        if limit_url is not None and len(url) >= limit_url:
            return
        entry = _Entry(result.methods, result.header_names, credentials, self._clock() + result.max_age_seconds)
        key = (origin, url)
        if self._profile.cache_replaces_entries:
            self._entries[key] = [entry]
        else:
            self._entries.setdefault(key, []).append(entry)
        self._entries.move_to_end(key)
        limit = self._profile.max_cache_entries
        while limit is not None and len(self._entries) > limit:
            self._entries.popitem(last=False)

    def clear(self, origin: str, url: str) -> None:
        """Drop every entry for (origin, URL), as browsers do after a network error."""
        self._entries.pop((origin, url), None)
