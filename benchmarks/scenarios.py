"""The configurations and requests every stack is measured with.

Every CORS layer gets the same policy, written in its own configuration language: credentials on,
the same methods, request headers, exposed headers and max-age, and the same allowed origins. The
allowed request comes from the last configured origin, the worst case for layers that scan a list.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

ALLOW_METHODS = ("GET", "POST", "PUT", "DELETE")
ALLOW_HEADERS = ("authorization", "content-type", "x-request-id")
EXPOSE_HEADERS = ("x-request-id",)
MAX_AGE_SECONDS = 600
DISALLOWED_ORIGIN = "https://evil.example.net"

# Hostile inputs: an Access-Control-Request-Headers value of 64 KiB made of thousands of distinct,
# sorted names (so a layer cannot reject it on the first out-of-order name), and a request that
# repeats the Origin line many times.
HOSTILE_ACRH_BYTES = 64 * 1024
HOSTILE_ORIGIN_LINES = 1000
# corsguard memoizes up to 4,096 decisions per policy. Cycling through twice as many allowed
# origins makes every request miss that memo, which shows the cost of matching itself.
ROTATING_ORIGINS = 8192


@dataclass(frozen=True)
class OriginSet:
    """A set of configured origins: `count` exact origins, or `count` subdomain patterns."""

    count: int
    subdomains: bool

    @property
    def label(self) -> str:
        if not self.subdomains:
            return f"{self.count:,} exact"
        if self.count == 1:
            return "1 subdomain pattern"
        return f"{self.count:,} subdomain patterns"

    def tenant_domain(self, index: int) -> str:
        return f"tenant{index}.example.com"

    def allowed_origin_at(self, index: int) -> str:
        if self.subdomains:
            return f"https://api.{self.tenant_domain(index)}"
        return f"https://app{index}.example.com"

    def patterns(self) -> list[str]:
        """Return the corsguard and Litestar form: exact origins or `https://*.domain`."""
        if self.subdomains:
            return [f"https://*.{self.tenant_domain(i)}" for i in range(self.count)]
        return [f"https://app{i}.example.com" for i in range(self.count)]

    def regexes(self) -> list[str]:
        """Return one regular expression per subdomain pattern, for peers without `*.` patterns."""
        return [rf"https://[a-z0-9-]+(?:\.[a-z0-9-]+)*\.{re.escape(self.tenant_domain(i))}"
                for i in range(self.count)]

    @property
    def allowed_origin(self) -> str:
        return self.allowed_origin_at(self.count - 1)


@dataclass(frozen=True)
class Request:
    """One request, described once and translated into an ASGI scope and a WSGI environ."""

    name: str
    method: str
    headers: tuple[tuple[str, str], ...] = field(default=())
    # Whether a correct layer responds with Access-Control-Allow-Origin. None skips the check.
    expect_allow_origin: bool | None = False
    # When set, each call sends the next of these as its Origin, in turn.
    origin_variants: tuple[str, ...] = ()

    def variants(self) -> list[Request]:
        """Return this request once per Origin variant, or just itself."""
        if not self.origin_variants:
            return [self]
        others = tuple((name, value) for name, value in self.headers if name != "origin")
        return [Request(self.name, self.method, (*others, ("origin", origin)), self.expect_allow_origin)
                for origin in self.origin_variants]


def standard_requests(origins: OriginSet) -> list[Request]:
    """Return the five requests measured for every origin set."""
    allowed = origins.allowed_origin
    common = (("host", "api.example.com"), ("user-agent", "bench"), ("accept", "*/*"),
              ("cookie", "session=abc"))
    requests = [
        Request("actual, allowed origin", "GET", (*common, ("origin", allowed)), True),
        Request("actual, disallowed origin", "GET", (*common, ("origin", DISALLOWED_ORIGIN))),
        Request("no Origin", "GET", common),
        Request("preflight, allowed", "OPTIONS",
                (*common, ("origin", allowed), ("access-control-request-method", "PUT"),
                 ("access-control-request-headers", "authorization,content-type")), True),
        Request("preflight, refused", "OPTIONS",
                (*common, ("origin", DISALLOWED_ORIGIN), ("access-control-request-method", "PUT"),
                 ("access-control-request-headers", "authorization,content-type"))),
    ]
    if origins.count >= ROTATING_ORIGINS:
        rotating = tuple(origins.allowed_origin_at(origins.count - 1 - i) for i in range(ROTATING_ORIGINS))
        requests.append(Request(f"actual, {ROTATING_ORIGINS:,} allowed origins in turn", "GET",
                                (*common, ("origin", allowed)), True, rotating))
    return requests


def hostile_acrh_value() -> str:
    """Return sorted, distinct header names joined with "," and filling nearly 64 KiB."""
    names: list[str] = []
    size = -1
    while True:
        name = f"x-custom-header-{len(names):05d}"
        if size + 1 + len(name) > HOSTILE_ACRH_BYTES:
            return ",".join(names)
        names.append(name)
        size += 1 + len(name)


def hostile_requests(origins: OriginSet) -> list[Request]:
    """Return the hostile requests: a 64 KiB ACRH preflight and an actual request with many Origin lines."""
    allowed = origins.allowed_origin
    common = (("host", "api.example.com"), ("user-agent", "bench"), ("accept", "*/*"))
    acrh = hostile_acrh_value()
    many_origins = tuple(("origin", allowed if i == 0 else f"https://other{i}.example.org")
                         for i in range(HOSTILE_ORIGIN_LINES))
    return [
        Request(f"hostile: preflight, ACRH {len(acrh) // 1024} KiB, {acrh.count(',') + 1:,} names",
                "OPTIONS", (*common, ("origin", allowed), ("access-control-request-method", "PUT"),
                            ("access-control-request-headers", acrh)), None),
        Request(f"hostile: actual, {HOSTILE_ORIGIN_LINES:,} Origin lines", "GET",
                (*common, *many_origins), None),
    ]


def origin_sets(quick: bool) -> list[OriginSet]:
    if quick:
        return [OriginSet(1, False), OriginSet(1, True)]
    return [OriginSet(1, False), OriginSet(1_000, False), OriginSet(1_000, True),
            OriginSet(100_000, False), OriginSet(100_000, True)]
