"""Origins (RFC 6454 tuples) and the origin patterns a policy is configured with.

`parse_origin` reads an `Origin` request header and never raises: a value that is not the exact
serialization a browser sends is simply not an origin. `parse_pattern` reads configuration and
reports every problem it finds as `(code, hint)` pairs, so that configuration errors can be
collected and raised together.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}
ANY_PORT = -1

# 64 bytes of scheme, "://", a 253-byte host, ":" and 5 digits of port.
MAX_ORIGIN_LENGTH = 326
MAX_HOST_LENGTH = 253
MAX_LABEL_LENGTH = 63

_SCHEME_FIRST = frozenset("abcdefghijklmnopqrstuvwxyz")
_SCHEME_REST = _SCHEME_FIRST | frozenset("0123456789+.-")
_HOST_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-_.")
_DIGITS = frozenset("0123456789")


@dataclass(frozen=True, slots=True)
class Origin:
    """A tuple origin: scheme, host and port (None when the port is the scheme's default)."""

    scheme: str
    host: str
    port: int | None = None

    def serialize(self) -> str:
        if self.port is None:
            return f"{self.scheme}://{self.host}"
        return f"{self.scheme}://{self.host}:{self.port}"

    def __str__(self) -> str:
        return self.serialize()

    @property
    def is_potentially_trustworthy(self) -> bool:
        """Whether browsers treat this origin as secure: https, or a loopback host."""
        return self.scheme in ("https", "wss") or is_loopback_host(self.host)


def is_loopback_host(host: str) -> bool:
    """Tell whether `host` is a loopback IP address or a `localhost` name."""
    name = host.removesuffix(".")
    if name == "localhost" or name.endswith(".localhost"):
        return True
    literal = name[1:-1] if name.startswith("[") else name
    try:
        return ipaddress.ip_address(literal).is_loopback
    except ValueError:
        return False


def _split_authority(text: str) -> tuple[str, str, str] | None:
    """Split `scheme://host[:port]` into its three parts, or None when there is no `://`."""
    scheme, separator, rest = text.partition("://")
    if not separator:
        return None
    if rest.startswith("["):
        close = rest.find("]")
        if close == -1:
            return scheme, rest, ""
        host, after = rest[: close + 1], rest[close + 1 :]
        if after.startswith(":"):
            return scheme, host, after[1:]
        return scheme, host + after, ""
    host, _, port = rest.partition(":")
    return scheme, host, port


def _is_scheme(scheme: str) -> bool:
    return 0 < len(scheme) <= 64 and scheme[0] in _SCHEME_FIRST and set(scheme) <= _SCHEME_REST


def _parse_port(text: str) -> int | None:
    """Parse 1 to 5 digits without a leading zero into a port in 1..65535, or return None."""
    if not text or len(text) > 5 or not set(text) <= _DIGITS or text[0] == "0":
        return None
    port = int(text)
    return port if port <= 65535 else None


def _host_problem(host: str) -> tuple[str, str] | None:
    """Return the problem with a host name or IP literal as (code, hint), or None if it is valid."""
    if not host:
        return ("origin-invalid", "write the origin as scheme://host[:port]")
    if not host.isascii():
        try:
            encoded = host.encode("idna").decode("ascii")
        except UnicodeError:
            encoded = "its Punycode (xn--) form"
        return ("origin-non-ascii", f"browsers send the Punycode form; write {encoded}")
    if host != host.lower():
        return ("origin-uppercase", f"browsers send hosts in lower case; write {host.lower()}")
    if host.startswith("["):
        return _ipv6_problem(host)
    name = host.removesuffix(".")
    if len(name) > MAX_HOST_LENGTH or not set(name) <= _HOST_CHARACTERS:
        return ("origin-host", "a host is made of letters, digits, '-', '_' and '.'")
    labels = name.split(".")
    if any(not label or len(label) > MAX_LABEL_LENGTH for label in labels):
        return ("origin-host", "each dot-separated label of a host has 1 to 63 characters")
    if labels[-1][0] in _DIGITS:
        return _ipv4_problem(host)
    for label in labels:
        if label.startswith("xn--"):
            try:
                label.encode("ascii").decode("idna")
            except UnicodeError:
                return ("origin-host", f"the Punycode label {label!r} does not decode")
    return None


def _ipv4_problem(name: str) -> tuple[str, str] | None:
    try:
        address = ipaddress.IPv4Address(name)
    except ValueError:
        labels = name.split(".")
        if 1 < len(labels) <= 4 and all(label.isdigit() or label.startswith("0x") for label in labels):
            return ("origin-ip", "browsers send IPv4 addresses as four decimal numbers, such as 127.0.0.1")
        return ("origin-host", "a host whose last label starts with a digit must be an IPv4 address")
    if str(address) != name:
        return ("origin-ip", f"browsers send IP addresses in canonical form; write {address}")
    return None


def _ipv6_problem(host: str) -> tuple[str, str] | None:
    if not host.endswith("]") or "%" in host:
        return ("origin-host", "write an IPv6 address in brackets, without a zone, such as [::1]")
    try:
        address = ipaddress.IPv6Address(host[1:-1])
    except ValueError:
        return ("origin-host", "the bracketed host is not an IPv6 address")
    if address.ipv4_mapped is not None:
        return ("origin-ip", f"write the IPv4 address {address.ipv4_mapped} instead of its IPv6 form")
    if address.compressed != host[1:-1]:
        return ("origin-ip", f"browsers send IPv6 addresses compressed; write [{address.compressed}]")
    return None


def parse_origin(value: str) -> Origin | None:
    """Parse an `Origin` header value; return None unless it is a browser's exact serialization.

    Cost is linear in the length of `value`, and no input raises.
    """
    if len(value) > MAX_ORIGIN_LENGTH:
        return None
    parts = _split_authority(value)
    if parts is None:
        return None
    scheme, host, port_text = parts
    if not _is_scheme(scheme) or _host_problem(host) is not None:
        return None
    port: int | None = None
    if port_text or value.endswith(":"):
        port = _parse_port(port_text)
        if port is None or DEFAULT_PORTS.get(scheme) == port:
            return None
    return Origin(scheme, host, port)


@dataclass(frozen=True, slots=True)
class OriginPattern:
    """One entry of `allow_origins`, validated.

    `is_any` is `*`. Otherwise the pattern matches `scheme`, then either exactly `host` or, when
    `subdomains` is set, any host with one or more labels in front of `host`; `port` is None for
    the default port, a number, or `ANY_PORT`.
    """

    text: str
    scheme: str = ""
    host: str = ""
    port: int | None = None
    subdomains: bool = False
    is_any: bool = False

    @property
    def is_exact(self) -> bool:
        return not self.is_any and not self.subdomains and self.port != ANY_PORT

    @property
    def is_secure(self) -> bool:
        """Whether credentials may be shared with what this pattern matches without an opt-in."""
        return self.scheme in ("https", "wss") or is_loopback_host(self.host)


def parse_pattern(text: str) -> tuple[OriginPattern | None, list[tuple[str, str]]]:
    """Validate one configured origin pattern; return it, or None and its problems as (code, hint)."""
    if text == "*":
        return OriginPattern(text, is_any=True), []
    if text == "null":
        return None, [("origin-null", ("`null` is the origin of sandboxed and file: documents and "
                       "matches all of them at once; allow real origins instead"))]
    if len(text) > MAX_ORIGIN_LENGTH:
        return None, [("origin-invalid", f"an origin has at most {MAX_ORIGIN_LENGTH} characters")]
    if text != text.strip():
        return None, [("origin-invalid", f"remove the surrounding whitespace: {text.strip()!r}")]
    parts = _split_authority(text)
    if parts is None:
        return None, [("origin-invalid", ("write the origin as scheme://host[:port], such as "
                       "https://app.example.com"))]
    scheme, host, port_text = parts
    if scheme.lower() == "file":
        return None, [("origin-file", ("file: documents send the origin `null`; serve the page over "
                       "http(s) instead"))]
    if not _is_scheme(scheme):
        hint = (f"browsers send the scheme in lower case; write {scheme.lower()}"
                if _is_scheme(scheme.lower()) else "the scheme must be a letter followed by letters, "
                "digits, '+', '-' or '.'")
        code = "origin-uppercase" if _is_scheme(scheme.lower()) else "origin-invalid"
        return None, [(code, hint)]
    rest = text[len(scheme) + 3 :]
    cut = next((i for i, character in enumerate(rest) if character in "/?#"), -1)
    if cut != -1:
        return None, [("origin-path", ("an origin has no path, trailing slash, query or fragment; "
                       f"write {text[: len(scheme) + 3 + cut]}"))]
    if "@" in rest:
        return None, [("origin-userinfo", ("an origin has no user name or password; remove the part "
                       "before '@'"))]

    subdomains = host.startswith("*.")
    base = host[2:] if subdomains else host
    if "*" in base:
        return None, [("origin-wildcard", ("a wildcard is allowed only as one whole leading label, "
                       "as in https://*.example.com"))]
    problem = _host_problem(base)
    if problem is not None:
        code, hint = problem
        if code == "origin-uppercase":
            hint = f"browsers send origins in lower case; write {text.lower()}"
        return None, [(code, hint)]
    if subdomains and (base.startswith("[") or base.rstrip(".").split(".")[-1][0] in _DIGITS):
        return None, [("origin-wildcard", "IP addresses have no subdomains; list the addresses")]

    port: int | None = None
    if port_text == "*":
        port = ANY_PORT
    elif port_text or text.endswith(":"):
        port = _parse_port(port_text)
        if port is None:
            return None, [("origin-port", ("a port is a number from 1 to 65535 without leading zeros, "
                           "or * for any port"))]
        if DEFAULT_PORTS.get(scheme) == port:
            return None, [("origin-default-port", (f"browsers omit the default port; write "
                           f"{scheme}://{host}"))]
    return OriginPattern(text, scheme, base, port, subdomains=subdomains), []
