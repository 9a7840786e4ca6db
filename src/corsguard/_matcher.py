"""Origin matching whose cost does not grow with the number of configured origins.

Exact origins live in a set of their serializations, so the common case is one hash lookup on the
raw header value, with no parsing. Patterns are indexed by key: `(scheme, host)` for any-port
patterns and `(scheme, parent domain, port)` for subdomain patterns. A request origin with n
labels in its host costs at most n + 1 lookups, however many patterns are configured.
"""

from __future__ import annotations

from collections.abc import Iterable

from .origin import ANY_PORT, OriginPattern, parse_origin


class OriginMatcher:
    __slots__ = ("_exact", "_any_port", "_subdomains", "has_patterns")

    def __init__(self, patterns: Iterable[OriginPattern]) -> None:
        exact: set[str] = set()
        any_port: set[tuple[str, str]] = set()
        subdomains: set[tuple[str, str, int | None]] = set()
        for pattern in patterns:
            if pattern.is_any:
                continue
            if pattern.subdomains:
                subdomains.add((pattern.scheme, pattern.host, pattern.port))
            elif pattern.port == ANY_PORT:
                any_port.add((pattern.scheme, pattern.host))
            else:
                exact.add(pattern.text)
        self._exact = frozenset(exact)
        self._any_port = frozenset(any_port)
        self._subdomains = frozenset(subdomains)
        self.has_patterns = bool(any_port or subdomains)

    def __len__(self) -> int:
        return len(self._exact) + len(self._any_port) + len(self._subdomains)

    def matches(self, value: str) -> bool:
        """Tell whether the `Origin` header value `value` is allowed. Never raises."""
        if value in self._exact:
            return True
        if not self.has_patterns:
            return False
        origin = parse_origin(value)
        if origin is None:
            return False
        scheme, host, port = origin.scheme, origin.host, origin.port
        if (scheme, host) in self._any_port:
            return True
        if not self._subdomains:
            return False
        # Try every parent domain of the host: "a.b.example.com" -> "b.example.com", "example.com", ...
        start = host.find(".")
        while start != -1:
            parent = host[start + 1 :]
            if (scheme, parent, port) in self._subdomains or (scheme, parent, ANY_PORT) in self._subdomains:
                return True
            start = host.find(".", start + 1)
        return False
