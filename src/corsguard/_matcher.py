"""Origin matching whose cost does not grow with the number of configured origins.

Exact origins live in a set of their serializations, so the common case is one hash lookup on the
raw header value, with no parsing. Patterns are indexed by key: `(scheme, host)` for any-port
patterns and `(scheme, parent domain, port text)` for subdomain patterns. A request origin with n
labels in its host costs at most 2n + 1 lookups, however many patterns are configured.

Lookups run on the raw parts of the header value. Only a value that hits a key is then checked to
be an origin as browsers serialize it, so a disallowed origin is refused without being parsed.
"""

from __future__ import annotations

from collections.abc import Iterable

from .origin import (
    ANY_PORT,
    MAX_HOST_LENGTH,
    MAX_LABEL_LENGTH,
    MAX_ORIGIN_LENGTH,
    OriginPattern,
    _split_authority,
    parse_origin,
)

# The port text of a subdomain key: "" for the scheme's default port, "*" for any port.
_DEFAULT_PORT_TEXT = ""
_ANY_PORT_TEXT = "*"
# Characters of host labels as `parse_origin` accepts them, plus the dot between labels.
_HOST_NAME_CHARACTERS = "abcdefghijklmnopqrstuvwxyz0123456789-_."


class OriginMatcher:
    __slots__ = ("_any_port", "_exact", "_subdomains", "has_patterns")

    def __init__(self, patterns: Iterable[OriginPattern]) -> None:
        exact: set[str] = set()
        any_port: set[tuple[str, str]] = set()
        subdomains: dict[str, set[tuple[str, str]]] = {}
        for pattern in patterns:
            if pattern.is_any:
                continue
            if pattern.subdomains:
                subdomains.setdefault(pattern.host, set()).add((pattern.scheme, _port_text(pattern.port)))
            elif pattern.port == ANY_PORT:
                any_port.add((pattern.scheme, pattern.host))
            else:
                exact.add(pattern.text)
        self._exact = frozenset(exact)
        self._any_port = frozenset(any_port)
        # Parent domain -> the (scheme, port text) pairs allowed on its subdomains. Most parents
        # share the same pairs, so equal sets are stored once.
        shared: dict[frozenset[tuple[str, str]], frozenset[tuple[str, str]]] = {}
        self._subdomains = {parent: shared.setdefault(frozenset(keys), frozenset(keys))
                            for parent, keys in subdomains.items()}
        self.has_patterns = bool(any_port or subdomains)

    def __len__(self) -> int:
        return len(self._exact) + len(self._any_port) + sum(map(len, self._subdomains.values()))

    def matches(self, value: str) -> bool:
        """Tell whether the `Origin` header value `value` is allowed. Never raises."""
        if value in self._exact:
            return True
        if not self.has_patterns or len(value) > MAX_ORIGIN_LENGTH:
            return False
        parts = _split_authority(value)
        if parts is None:
            return False
        scheme, host, port_text = parts
        if self._any_port and (scheme, host) in self._any_port:
            return parse_origin(value) is not None
        if host.startswith("["):
            return False

        # Try every parent domain of the host: "a.b.example.com" -> "b.example.com", "example.com", ...
        subdomains = self._subdomains
        start = host.find(".")
        while start != -1:
            keys = subdomains.get(host[start + 1 :])
            if keys is not None:
                if (scheme, port_text) in keys:
                    return _is_serialized_subdomain(value, host, start)
                if (scheme, _ANY_PORT_TEXT) in keys:
                    return parse_origin(value) is not None
            start = host.find(".", start + 1)
        return False


def _port_text(port: int | None) -> str:
    if port is None:
        return _DEFAULT_PORT_TEXT
    if port == ANY_PORT:
        return _ANY_PORT_TEXT
    return str(port)


def _is_serialized_subdomain(value: str, host: str, parent_start: int) -> bool:
    """Tell whether `value`, whose host ends in a configured parent domain, is a browser's origin.

    The scheme, the parent domain and the port text are equal to those of a validated pattern, so
    only the labels in front of the parent remain to check. Labels that need an IDNA check, and
    anything unusual, go through the full `parse_origin`.
    """
    prefix = host[:parent_start]
    name_length = len(host) - 1 if host.endswith(".") else len(host)
    if (
        not prefix
        or prefix.strip(_HOST_NAME_CHARACTERS)
        or name_length > MAX_HOST_LENGTH
        or value.endswith(":")
        or "xn--" in prefix
    ):
        return parse_origin(value) is not None
    for label in prefix.split("."):
        if not label or len(label) > MAX_LABEL_LENGTH:
            return False
    return True

