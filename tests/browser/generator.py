"""Deterministic generator of server behaviours for the Chromium differential test.

A behaviour is the responses a loopback server sends at one or more URLs (hops), plus the fetch
calls a page makes against it. Header values are templates, resolved once the servers have ports:

- `{origin}`: the page's serialized origin (`null` on an opaque page),
- `{page}`, `{api}`, `{api2}`: base URLs of the page server and the two API servers,
- `{hop0}`, `{hop1}`, ...: absolute URLs of the behaviour's hops,
- `{hop1_userinfo}`: the same URL with `user:secret@` in it.

Hop 0 of a behaviour is the URL the first fetch starts at. The same list comes out on every call,
in the same order, so case ids are stable between runs.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

# Page kinds: a page on another port of the same host (cross-origin, same-site), a page on
# `localhost` (cross-site to 127.0.0.1) and a sandboxed iframe (opaque origin, serialized `null`).
SAME_SITE = "same-site"
CROSS_SITE = "cross-site"
OPAQUE = "opaque"

ACAO = "Access-Control-Allow-Origin"
ACAC = "Access-Control-Allow-Credentials"
ACAM = "Access-Control-Allow-Methods"
ACAH = "Access-Control-Allow-Headers"
ACEH = "Access-Control-Expose-Headers"
ACMA = "Access-Control-Max-Age"

Lines = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Reply:
    """One HTTP response as header lines, in order, duplicates kept."""

    status: int = 200
    headers: Lines = ()


@dataclass(frozen=True)
class Hop:
    """A URL of a behaviour: the server that hosts it and its responses to OPTIONS and to other methods."""

    server: str = "api"  # api | api2 | page
    actual: Reply = Reply()
    preflight: Reply | None = None  # None: OPTIONS gets the `actual` reply too


@dataclass(frozen=True)
class Fetch:
    """One `fetch()` call made by the page, starting at hop `start`."""

    method: str = "GET"
    headers: Lines = ()
    credentials: str = "same-origin"
    mode: str = "cors"
    redirect: str = "follow"
    start: int = 0
    delay_ms: int = 0  # pause before this call, to let a preflight cache entry expire


@dataclass(frozen=True)
class Behaviour:
    """A server behaviour with the fetch calls that exercise it."""

    id: str
    description: str
    hops: tuple[Hop, ...]
    fetches: tuple[Fetch, ...] = (Fetch(),)
    page: str = SAME_SITE
    tags: frozenset[str] = field(default_factory=frozenset)


def allow(*lines: tuple[str, str], status: int = 200) -> Reply:
    return Reply(status, lines)


def _origin_values() -> list[tuple[str, str | list[str] | None]]:
    """ACAO variants: (label, value); a list means several header lines, None means absent."""
    return [
        ("exact", "{origin}"),
        ("star", "*"),
        ("null", "null"),
        ("upper-scheme", "HTTP://127.0.0.1:{page_port}"),
        ("trailing-slash", "{origin}/"),
        ("with-path", "{origin}/app"),
        ("two-lines", ["{origin}", "{origin}"]),
        ("origin-and-star-lines", ["{origin}", "*"]),
        ("star-star-lines", ["*", "*"]),
        ("list-one-line", "{origin}, http://127.0.0.1:9"),
        ("space-list", "{origin} {origin}"),
        ("padded", "  {origin}\t"),
        ("padded-star", " *  "),
        ("empty", ""),
        ("scheme-relative", "//x"),
        ("double-star", "**"),
        ("quoted-star", '"*"'),
        ("other-port", "http://127.0.0.1:9"),
        ("localhost-host", "http://localhost:{page_port}"),
        ("absent", None),
    ]


def _acao_lines(value: str | list[str] | None) -> Lines:
    if value is None:
        return ()
    if isinstance(value, list):
        return tuple((ACAO, item) for item in value)
    return ((ACAO, value),)


def origin_behaviours() -> Iterator[Behaviour]:
    for label, value in _origin_values():
        for credentials in ("omit", "include"):
            lines = _acao_lines(value)
            if credentials == "include":
                lines += ((ACAC, "true"),)
            yield Behaviour(
                id=f"acao-{label}-{credentials}",
                description=f"GET, ACAO {label}, credentials {credentials}",
                hops=(Hop(actual=Reply(200, lines + (("Content-Type", "text/plain"),))),),
                fetches=(Fetch(credentials=credentials),),
            )
    yield Behaviour(
        id="acao-exact-same-origin-mode",
        description="GET with the default credentials mode and ACAO equal to the origin",
        hops=(Hop(actual=allow((ACAO, "{origin}"))),),
    )


def credentials_behaviours() -> Iterator[Behaviour]:
    variants: list[tuple[str, Lines]] = [
        ("true", ((ACAC, "true"),)),
        ("absent", ()),
        ("capital-true", ((ACAC, "True"),)),
        ("upper-true", ((ACAC, "TRUE"),)),
        ("quoted-true", ((ACAC, '"true"'),)),
        ("one", ((ACAC, "1"),)),
        ("list-one-line", ((ACAC, "true, true"),)),
        ("two-lines", ((ACAC, "true"), (ACAC, "true"))),
        ("padded", ((ACAC, "  true\t"),)),
        ("false", ((ACAC, "false"),)),
        ("empty", ((ACAC, ""),)),
    ]
    for label, lines in variants:
        yield Behaviour(
            id=f"acac-{label}-include",
            description=f"credentialed GET, ACAO exact, ACAC {label}",
            hops=(Hop(actual=Reply(200, ((ACAO, "{origin}"),) + lines)),),
            fetches=(Fetch(credentials="include"),),
        )
    for label in ("absent", "false"):
        lines = () if label == "absent" else ((ACAC, "false"),)
        yield Behaviour(
            id=f"acac-{label}-omit",
            description=f"non-credentialed GET, ACAO exact, ACAC {label}",
            hops=(Hop(actual=Reply(200, ((ACAO, "{origin}"),) + lines)),),
            fetches=(Fetch(credentials="omit"),),
        )


def _preflighted(
    case_id: str,
    description: str,
    preflight: Reply,
    fetch: Fetch,
    actual: Reply | None = None,
) -> Behaviour:
    if actual is None:
        actual_lines: Lines = ((ACAO, "{origin}"),)
        if fetch.credentials == "include":
            actual_lines += ((ACAC, "true"),)
        actual = Reply(200, actual_lines)
    return Behaviour(id=case_id, description=description, hops=(Hop(actual=actual, preflight=preflight),),
                     fetches=(fetch,))


def _preflight_base(credentials: str) -> Lines:
    if credentials == "include":
        return ((ACAO, "{origin}"), (ACAC, "true"))
    return ((ACAO, "{origin}"),)


def method_behaviours() -> Iterator[Behaviour]:
    variants: list[tuple[str, str, str, Lines]] = [
        ("put-exact", "PUT", "omit", ((ACAM, "PUT"),)),
        ("put-lowercase-acam", "PUT", "omit", ((ACAM, "put"),)),
        ("put-in-list", "PUT", "omit", ((ACAM, "GET, PUT, DELETE"),)),
        ("put-list-no-spaces", "PUT", "omit", ((ACAM, "GET,PUT"),)),
        ("put-two-lines", "PUT", "omit", ((ACAM, "GET"), (ACAM, "PUT"))),
        ("put-empty-elements", "PUT", "omit", ((ACAM, ", PUT,,"),)),
        ("put-star-omit", "PUT", "omit", ((ACAM, "*"),)),
        ("put-star-include", "PUT", "include", ((ACAM, "*"),)),
        ("put-star-and-put-include", "PUT", "include", ((ACAM, "*, PUT"),)),
        ("put-absent", "PUT", "omit", ()),
        ("put-other-method", "PUT", "omit", ((ACAM, "POST, DELETE"),)),
        ("put-invalid-token", "PUT", "omit", ((ACAM, "PUT, Bad method"),)),
        ("put-padded", "PUT", "omit", ((ACAM, "  PUT  "),)),
        ("patch-upper-acam", "patch", "omit", ((ACAM, "PATCH"),)),
        ("patch-lower-acam", "patch", "omit", ((ACAM, "patch"),)),
        ("put-method-lowercase", "put", "omit", ((ACAM, "PUT"),)),
        ("delete-mixed-case", "Delete", "omit", ((ACAM, "DELETE"),)),
        ("custom-method", "FROB", "omit", ((ACAM, "FROB"),)),
        ("custom-method-case", "FROB", "omit", ((ACAM, "frob"),)),
        ("put-include-exact", "PUT", "include", ((ACAM, "PUT"),)),
        ("get-lowercase-no-preflight", "get", "omit", ()),
        ("post-no-preflight", "POST", "omit", ()),
    ]
    for label, method, credentials, lines in variants:
        preflight = Reply(204, _preflight_base(credentials) + lines)
        yield _preflighted(f"acam-{label}", f"{method} with ACAM {label}", preflight,
                           Fetch(method=method, credentials=credentials))


def header_behaviours() -> Iterator[Behaviour]:
    x_foo: Lines = (("X-Foo", "1"),)
    auth: Lines = (("Authorization", "Bearer t"),)
    variants: list[tuple[str, Lines, str, Lines]] = [
        ("exact", x_foo, "omit", ((ACAH, "x-foo"),)),
        ("upper-acah", x_foo, "omit", ((ACAH, "X-FOO"),)),
        ("in-list", x_foo, "omit", ((ACAH, "x-bar, x-foo"),)),
        ("two-lines", x_foo, "omit", ((ACAH, "x-bar"), (ACAH, "x-foo"))),
        ("star-omit", x_foo, "omit", ((ACAH, "*"),)),
        ("star-include", x_foo, "include", ((ACAH, "*"),)),
        ("star-and-name-include", x_foo, "include", ((ACAH, "*, x-foo"),)),
        ("absent", x_foo, "omit", ()),
        ("other-name", x_foo, "omit", ((ACAH, "x-bar"),)),
        ("invalid-token", x_foo, "omit", ((ACAH, "x-foo, x bar"),)),
        ("empty-elements", x_foo, "omit", ((ACAH, ",x-foo,"),)),
        ("authorization-star-omit", auth, "omit", ((ACAH, "*"),)),
        ("authorization-star-include", auth, "include", ((ACAH, "*"),)),
        ("authorization-listed-include", auth, "include", ((ACAH, "authorization"),)),
        ("authorization-and-foo-star", auth + x_foo, "omit", ((ACAH, "*"),)),
        ("two-headers-one-listed", (("X-A", "1"), ("X-B", "2")), "omit", ((ACAH, "x-a"),)),
        ("two-headers-listed", (("X-B", "1"), ("x-a", "2")), "omit", ((ACAH, "X-A, X-B"),)),
        ("json-content-type", (("Content-Type", "application/json"),), "omit", ((ACAH, "content-type"),)),
        ("json-content-type-unlisted", (("Content-Type", "application/json"),), "omit", ()),
    ]
    for label, headers, credentials, lines in variants:
        preflight = Reply(204, _preflight_base(credentials) + lines)
        yield _preflighted(f"acah-{label}", f"request headers with ACAH {label}", preflight,
                           Fetch(method="GET", headers=headers, credentials=credentials))


def trigger_behaviours() -> Iterator[Behaviour]:
    """Requests whose verdict depends only on whether a preflight is sent: the preflight fails."""
    deny = Reply(403, ())
    variants: list[tuple[str, str, Lines]] = [
        ("post-text-plain", "POST", (("Content-Type", "text/plain;charset=utf-8"),)),
        ("post-form", "POST", (("Content-Type", "application/x-www-form-urlencoded"),)),
        ("post-multipart", "POST", (("Content-Type", "multipart/form-data; boundary=x"),)),
        ("post-json", "POST", (("Content-Type", "application/json"),)),
        ("post-bad-mime", "POST", (("Content-Type", "text /plain"),)),
        ("range-simple", "GET", (("Range", "bytes=0-10"),)),
        ("range-suffix", "GET", (("Range", "bytes=-10"),)),
        ("range-two", "GET", (("Range", "bytes=0-1,3-4"),)),
        ("dpr", "GET", (("DPR", "2"),)),
        ("viewport-width", "GET", (("Viewport-Width", "800"),)),
        ("save-data-on", "GET", (("Save-Data", "on"),)),
        ("accept-128", "GET", (("Accept", "a" * 128),)),
        ("accept-129", "GET", (("Accept", "a" * 129),)),
        ("accept-unsafe-byte", "GET", (("Accept", "text/html(x)"),)),
        ("content-language-ok", "GET", (("Content-Language", "en-US"),)),
        ("content-language-bad", "GET", (("Content-Language", "en@x"),)),
        ("accept-language-ok", "GET", (("Accept-Language", "de, en;q=0.5"),)),
        ("four-long-safelisted", "POST", (("Accept", "a" * 128), ("Accept-Language", "b" * 128),
                                          ("Content-Language", "c" * 128),
                                          ("Content-Type", "text/plain;x=" + "d" * 115))),
        ("forbidden-header-dropped", "GET", (("Accept-Charset", "utf-8"),)),
        ("head", "HEAD", ()),
    ]
    for label, method, headers in variants:
        yield Behaviour(
            id=f"trigger-{label}",
            description=f"{method} {label}: a preflight would be refused",
            hops=(Hop(actual=allow((ACAO, "*")), preflight=deny),),
            fetches=(Fetch(method=method, headers=headers, credentials="omit"),),
        )


def preflight_status_behaviours() -> Iterator[Behaviour]:
    for status in (200, 204, 206, 299, 304, 400, 403, 404, 500, 503):
        yield _preflighted(f"preflight-status-{status}", f"preflight answered {status}",
                           Reply(status, _preflight_base("omit") + ((ACAM, "PUT"),)),
                           Fetch(method="PUT", credentials="omit"))
    for status in (301, 302, 307, 308):
        redirecting = Reply(status, _preflight_base("omit") + ((ACAM, "PUT"), ("Location", "{hop1}")))
        yield Behaviour(
            id=f"preflight-redirect-{status}",
            description=f"preflight answered {status} with a Location",
            hops=(Hop(actual=allow((ACAO, "{origin}")), preflight=redirecting),
                  Hop(server="api2", actual=allow((ACAO, "*")))),
            fetches=(Fetch(method="PUT", credentials="omit"),),
        )
    yield _preflighted("preflight-302-no-location", "preflight answered 302 without a Location",
                       Reply(302, _preflight_base("omit") + ((ACAM, "PUT"),)),
                       Fetch(method="PUT", credentials="omit"))
    yield _preflighted("preflight-404-no-acao", "preflight answered 404 without ACAO",
                       Reply(404, ()), Fetch(method="PUT", credentials="omit"))
    cors_variants: list[tuple[str, str, Lines]] = [
        ("star-include", "include", ((ACAO, "*"), (ACAC, "true"), (ACAM, "PUT"))),
        ("no-acac-include", "include", ((ACAO, "{origin}"), (ACAM, "PUT"))),
        ("mismatch", "omit", ((ACAO, "http://127.0.0.1:9"), (ACAM, "PUT"))),
        ("two-acao", "omit", ((ACAO, "{origin}"), (ACAO, "{origin}"), (ACAM, "PUT"))),
        ("invalid-acao", "omit", ((ACAO, "//x"), (ACAM, "PUT"))),
        ("null-acao", "omit", ((ACAO, "null"), (ACAM, "PUT"))),
        ("acac-upper-include", "include", ((ACAO, "{origin}"), (ACAC, "TRUE"), (ACAM, "PUT"))),
    ]
    for label, credentials, lines in cors_variants:
        yield _preflighted(f"preflight-cors-{label}", f"preflight CORS check: {label}",
                           Reply(204, lines), Fetch(method="PUT", credentials=credentials))
    yield _preflighted("preflight-ok-actual-no-acao", "preflight passes, the actual response lacks ACAO",
                       Reply(204, _preflight_base("omit") + ((ACAM, "PUT"),)),
                       Fetch(method="PUT", credentials="omit"), actual=Reply(200, ()))
    yield _preflighted("preflight-ok-actual-500", "preflight passes, the actual response is a 500 with ACAO",
                       Reply(204, _preflight_base("omit") + ((ACAM, "PUT"),)),
                       Fetch(method="PUT", credentials="omit"), actual=allow((ACAO, "*"), status=500))


def max_age_behaviours() -> Iterator[Behaviour]:
    """Two identical preflighted fetches: the preflight cache decides whether the second is sent."""
    values: list[tuple[str, Lines]] = [
        ("60", ((ACMA, "60"),)),
        ("0", ((ACMA, "0"),)),
        ("absent", ()),
        ("not-a-number", ((ACMA, "abc"),)),
        ("negative", ((ACMA, "-1"),)),
        ("two-lines", ((ACMA, "60"), (ACMA, "60"))),
        ("over-cap", ((ACMA, "86400"),)),
        ("fraction", ((ACMA, "1.5"),)),
    ]
    for label, lines in values:
        yield Behaviour(
            id=f"max-age-{label}",
            description=f"two PUTs, max-age {label}",
            hops=(Hop(actual=allow((ACAO, "{origin}")),
                      preflight=Reply(204, ((ACAO, "{origin}"), (ACAM, "PUT")) + lines)),),
            fetches=(Fetch(method="PUT", credentials="omit"), Fetch(method="PUT", credentials="omit")),
        )
    both = ((ACAO, "{origin}"), (ACAC, "true"), (ACAM, "PUT"), (ACMA, "60"))
    yield Behaviour(
        id="cache-omit-then-include",
        description="a non-credentialed preflight does not cover a credentialed request",
        hops=(Hop(actual=allow((ACAO, "{origin}"), (ACAC, "true")), preflight=Reply(204, both)),),
        fetches=(Fetch(method="PUT", credentials="omit"), Fetch(method="PUT", credentials="include")),
    )
    yield Behaviour(
        id="cache-include-then-omit",
        description="a credentialed preflight covers a later non-credentialed request",
        hops=(Hop(actual=allow((ACAO, "{origin}"), (ACAC, "true")), preflight=Reply(204, both)),),
        fetches=(Fetch(method="PUT", credentials="include"), Fetch(method="PUT", credentials="omit")),
    )
    yield Behaviour(
        id="cache-new-header",
        description="a cached method does not cover a new request header",
        hops=(Hop(actual=allow((ACAO, "{origin}")),
                  preflight=Reply(204, ((ACAO, "{origin}"), (ACAM, "PUT"), (ACAH, "x-a, x-b"), (ACMA, "60")))),),
        fetches=(Fetch(method="PUT", credentials="omit"),
                 Fetch(method="PUT", headers=(("X-B", "1"),), credentials="omit")),
    )


def cache_edge_behaviours() -> Iterator[Behaviour]:
    """More preflight-cache cases: two or three fetches in a row against the same behaviour."""
    put = Fetch(method="PUT", credentials="omit")
    for label, value in (("padded", "  60  "), ("trailing-garbage", "60abc"), ("plus-sign", "+60"),
                         ("exponent", "6e1"), ("huge", "99999999999999999999")):
        yield Behaviour(
            id=f"max-age-{label}", description=f"two PUTs, max-age {value!r}",
            hops=(Hop(actual=allow((ACAO, "{origin}")),
                      preflight=Reply(204, ((ACAO, "{origin}"), (ACAM, "PUT"), (ACMA, value)))),),
            fetches=(put, put),
        )
    yield Behaviour(
        id="cache-star-method-covers-other",
        description="a cached ACAM * covers another method without credentials",
        hops=(Hop(actual=allow((ACAO, "*")), preflight=Reply(204, ((ACAO, "*"), (ACAM, "*"), (ACMA, "60")))),),
        fetches=(put, Fetch(method="DELETE", credentials="omit")),
    )
    yield Behaviour(
        id="cache-star-method-include",
        description="a cached ACAM * is literal for a later credentialed request",
        hops=(Hop(actual=allow((ACAO, "{origin}"), (ACAC, "true")),
                  preflight=Reply(204, ((ACAO, "{origin}"), (ACAC, "true"), (ACAM, "*"), (ACMA, "60")))),),
        fetches=(put, Fetch(method="PUT", credentials="include")),
    )
    yield Behaviour(
        id="cache-cleared-by-failed-actual",
        description="an actual response that fails the CORS check clears the cached preflight",
        hops=(Hop(actual=Reply(200, ()), preflight=Reply(204, ((ACAO, "{origin}"), (ACAM, "PUT"), (ACMA, "60")))),),
        fetches=(put, put),
    )
    yield Behaviour(
        id="cache-per-url",
        description="a preflight cached for one URL does not cover another",
        hops=(Hop(actual=allow((ACAO, "{origin}")), preflight=Reply(204, ((ACAO, "{origin}"), (ACAM, "PUT"), (ACMA, "60")))),
              Hop(actual=allow((ACAO, "{origin}")), preflight=Reply(204, ((ACAO, "{origin}"), (ACAM, "PUT"))))),
        fetches=(put, Fetch(method="PUT", credentials="omit", start=1)),
    )
    yield Behaviour(
        id="cache-three-headers",
        description="a cached header list covers a subset and is topped up for a new header",
        hops=(Hop(actual=allow((ACAO, "{origin}")),
                  preflight=Reply(204, ((ACAO, "{origin}"), (ACAH, "x-a, x-b, x-c"), (ACMA, "60")))),),
        fetches=(Fetch(headers=(("X-A", "1"), ("X-B", "1")), credentials="omit"),
                 Fetch(headers=(("X-B", "1"),), credentials="omit"),
                 Fetch(headers=(("X-C", "1"),), credentials="omit")),
    )


def malformed_value_behaviours() -> Iterator[Behaviour]:
    """Header values with bytes outside HTTP tokens: non-ASCII (obs-text), separators, inner tabs."""
    actual_cases: list[tuple[str, Lines, str]] = [
        ("acao-non-ascii", ((ACAO, "{origin}\u00e9"),), "omit"),
        ("acao-inner-tab", ((ACAO, "http://127.0.0.1:\t{page_port}"),), "omit"),
        ("acao-trailing-dot-host", ((ACAO, "http://127.0.0.1.:{page_port}"),), "omit"),
        ("acao-port-letters", ((ACAO, "http://127.0.0.1:9x9"),), "omit"),
        ("acao-port-out-of-range", ((ACAO, "http://127.0.0.1:99999"),), "omit"),
        ("acao-non-ascii-host", ((ACAO, "http://b\u00fccher.example"),), "omit"),
        # The UTF-8 bytes of "bücher", written one latin-1 character per byte.
        ("acao-utf8-host", ((ACAO, "http://b\u00c3\u00bccher.example"),), "omit"),
        ("acao-no-host", ((ACAO, "http://"),), "omit"),
        ("acao-opaque-scheme", ((ACAO, "data:,x"),), "omit"),
        ("acac-non-ascii", ((ACAO, "{origin}"), (ACAC, "tru\u00e9")), "include"),
        ("aceh-non-ascii", ((ACAO, "{origin}"), (ACEH, "x-custom, x-\u00f6ther"), ("X-Custom", "1")), "omit"),
    ]
    for label, lines, credentials in actual_cases:
        yield Behaviour(id=f"malformed-{label}", description=f"response header value: {label}",
                        hops=(Hop(actual=Reply(200, lines)),), fetches=(Fetch(credentials=credentials),))
    origin: Lines = ((ACAO, "{origin}"),)
    preflight_cases: list[tuple[str, Lines, Lines]] = [
        ("acam-semicolon", (), origin + ((ACAM, "PUT;"),)),
        ("acam-non-ascii", (), origin + ((ACAM, "PUT, P\u00dcT"),)),
        ("acah-non-ascii", (("X-Foo", "1"),), origin + ((ACAM, "PUT"), (ACAH, "x-foo, x-f\u00f6o"))),
        ("acah-slash", (("X-Foo", "1"),), origin + ((ACAM, "PUT"), (ACAH, "x-foo/1"))),
    ]
    for label, headers, lines in preflight_cases:
        yield _preflighted(f"malformed-{label}", f"preflight header value: {label}", Reply(204, lines),
                           Fetch(method="PUT", headers=headers, credentials="omit"))


def cache_expiry_behaviours() -> Iterator[Behaviour]:
    """Two PUTs with a pause between them: the second needs a new preflight once max-age has passed."""
    for label, max_age, delay_ms in (("expired", "1", 1300), ("still-fresh", "3", 600)):
        yield Behaviour(
            id=f"max-age-{label}",
            description=f"two PUTs {delay_ms} ms apart, max-age {max_age}",
            hops=(Hop(actual=allow((ACAO, "{origin}")),
                      preflight=Reply(204, ((ACAO, "{origin}"), (ACAM, "PUT"), (ACMA, max_age)))),),
            fetches=(Fetch(method="PUT", credentials="omit"),
                     Fetch(method="PUT", credentials="omit", delay_ms=delay_ms)),
        )


def exposure_behaviours() -> Iterator[Behaviour]:
    body: Lines = (("Content-Type", "text/plain"), ("Cache-Control", "no-store"), ("X-Custom", "1"),
                   ("X-Other", "2"), ("Set-Cookie", "exposed_probe=1; SameSite=Lax"))
    variants: list[tuple[str, Lines]] = [
        ("absent", ()),
        ("one-name", ((ACEH, "X-Custom"),)),
        ("lowercase-list", ((ACEH, "x-custom, x-other"),)),
        ("two-lines", ((ACEH, "x-custom"), (ACEH, "x-other"))),
        ("star", ((ACEH, "*"),)),
        ("star-and-name", ((ACEH, "*, x-custom"),)),
        ("set-cookie", ((ACEH, "Set-Cookie, X-Custom"),)),
        ("unknown-name", ((ACEH, "x-missing"),)),
        ("invalid-token", ((ACEH, "x custom, x-other"),)),
    ]
    for label, lines in variants:
        for credentials in ("omit", "include"):
            origin_lines: Lines = ((ACAO, "{origin}"),)
            if credentials == "include":
                origin_lines += ((ACAC, "true"),)
            yield Behaviour(
                id=f"aceh-{label}-{credentials}",
                description=f"exposed headers {label}, credentials {credentials}",
                hops=(Hop(actual=Reply(200, origin_lines + lines + body)),),
                fetches=(Fetch(credentials=credentials),),
            )


def status_behaviours() -> Iterator[Behaviour]:
    for status in (201, 204, 404, 500):
        yield Behaviour(id=f"status-{status}-star", description=f"actual response {status} with ACAO *",
                        hops=(Hop(actual=allow((ACAO, "*"), status=status)),),
                        fetches=(Fetch(credentials="omit"),))
    yield Behaviour(id="status-500-no-acao", description="actual response 500 without ACAO",
                    hops=(Hop(actual=Reply(500, ())),), fetches=(Fetch(credentials="omit"),))
    yield Behaviour(id="status-302-no-location", description="302 without Location, with ACAO *",
                    hops=(Hop(actual=allow((ACAO, "*"), status=302)),), fetches=(Fetch(credentials="omit"),))


def _redirect(status: int, location: str, *lines: tuple[str, str]) -> Reply:
    return Reply(status, lines + (("Location", location),))


def redirect_behaviours() -> Iterator[Behaviour]:
    star = (ACAO, "*")
    exact = (ACAO, "{origin}")
    cases: list[tuple[str, str, tuple[Hop, ...], Fetch]] = [
        ("same-origin", "302 within the API origin",
         (Hop(actual=_redirect(302, "{hop1}", exact)), Hop(actual=allow(exact))), Fetch()),
        ("same-origin-relative", "302 with a relative Location",
         (Hop(actual=_redirect(302, "/c/{id}/1", exact)), Hop(actual=allow(exact))), Fetch()),
        ("cross-origin-star", "302 to another origin, final ACAO *",
         (Hop(actual=_redirect(302, "{hop1}", star)), Hop(server="api2", actual=allow(star))), Fetch()),
        ("cross-origin-null", "302 to another origin, final ACAO null",
         (Hop(actual=_redirect(302, "{hop1}", star)), Hop(server="api2", actual=allow((ACAO, "null")))),
         Fetch()),
        ("cross-origin-exact", "302 to another origin, final ACAO is the page origin",
         (Hop(actual=_redirect(302, "{hop1}", star)), Hop(server="api2", actual=allow(exact))), Fetch()),
        ("cross-origin-absent", "302 to another origin, final response lacks ACAO",
         (Hop(actual=_redirect(302, "{hop1}", star)), Hop(server="api2", actual=Reply(200, ()))), Fetch()),
        ("no-acao-on-redirect", "302 without ACAO",
         (Hop(actual=_redirect(302, "{hop1}")), Hop(server="api2", actual=allow(star))), Fetch()),
        ("mismatch-on-redirect", "302 with a wrong ACAO",
         (Hop(actual=_redirect(302, "{hop1}", (ACAO, "http://127.0.0.1:9"))),
          Hop(server="api2", actual=allow(star))), Fetch()),
        ("to-initiator-null", "302 back to the page origin, final ACAO null",
         (Hop(actual=_redirect(302, "{hop1}", star)), Hop(server="page", actual=allow((ACAO, "null")))),
         Fetch()),
        ("to-initiator-exact", "302 back to the page origin, final ACAO is the page origin",
         (Hop(actual=_redirect(302, "{hop1}", star)), Hop(server="page", actual=allow(exact))), Fetch()),
        ("to-initiator-none", "302 back to the page origin, final response lacks ACAO",
         (Hop(actual=_redirect(302, "{hop1}", star)), Hop(server="page", actual=Reply(200, ()))), Fetch()),
        ("userinfo-cross-origin", "302 to a URL with userinfo on another origin",
         (Hop(actual=_redirect(302, "{hop1_userinfo}", star)), Hop(server="api2", actual=allow(star))),
         Fetch()),
        ("userinfo-same-origin", "302 to a URL with userinfo on the same origin",
         (Hop(actual=_redirect(302, "{hop1_userinfo}", exact)), Hop(actual=allow(exact))), Fetch()),
        ("include-null-acac", "credentialed 302 to another origin, final ACAO null and ACAC true",
         (Hop(actual=_redirect(302, "{hop1}", exact, (ACAC, "true"))),
          Hop(server="api2", actual=allow((ACAO, "null"), (ACAC, "true")))), Fetch(credentials="include")),
        ("include-star-final", "credentialed 302 to another origin, final ACAO *",
         (Hop(actual=_redirect(302, "{hop1}", exact, (ACAC, "true"))),
          Hop(server="api2", actual=allow(star, (ACAC, "true")))), Fetch(credentials="include")),
        ("include-no-acac-on-redirect", "credentialed 302 whose redirect response lacks ACAC",
         (Hop(actual=_redirect(302, "{hop1}", exact)),
          Hop(server="api2", actual=allow((ACAO, "null"), (ACAC, "true")))), Fetch(credentials="include")),
        ("three-hops", "302 to api2, 302 back to api, final ACAO null",
         (Hop(actual=_redirect(302, "{hop1}", star)), Hop(server="api2", actual=_redirect(302, "{hop2}", star)),
          Hop(actual=allow((ACAO, "null")))), Fetch()),
        ("three-hops-exact", "302 to api2, 302 back to api, final ACAO is the page origin",
         (Hop(actual=_redirect(302, "{hop1}", star)), Hop(server="api2", actual=_redirect(302, "{hop2}", star)),
          Hop(actual=allow(exact))), Fetch()),
        ("post-303", "POST answered 303 to another origin",
         (Hop(actual=_redirect(303, "{hop1}", star)), Hop(server="api2", actual=allow(star))),
         Fetch(method="POST", headers=(("Content-Type", "text/plain"),))),
        ("post-301", "POST answered 301 within the origin",
         (Hop(actual=_redirect(301, "{hop1}", exact)), Hop(actual=allow(exact))),
         Fetch(method="POST", headers=(("Content-Type", "text/plain"),))),
        ("post-307", "POST answered 307 within the origin",
         (Hop(actual=_redirect(307, "{hop1}", exact)), Hop(actual=allow(exact))),
         Fetch(method="POST", headers=(("Content-Type", "text/plain"),))),
        ("manual", "redirect mode manual",
         (Hop(actual=_redirect(302, "{hop1}", star)), Hop(server="api2", actual=allow(star))),
         Fetch(redirect="manual")),
        ("error", "redirect mode error",
         (Hop(actual=_redirect(302, "{hop1}", star)), Hop(server="api2", actual=allow(star))),
         Fetch(redirect="error")),
        ("bad-scheme", "302 to a non-HTTP URL",
         (Hop(actual=_redirect(302, "ftp://127.0.0.1/x", star)),), Fetch()),
    ]
    for label, description, hops, fetch in cases:
        yield Behaviour(id=f"redirect-{label}", description=description, hops=hops, fetches=(fetch,))

    put_preflight = Reply(204, ((ACAO, "*"), (ACAM, "PUT")))
    yield Behaviour(
        id="redirect-preflighted-307-cross-origin",
        description="preflighted PUT answered 307 to another origin: a new preflight there with Origin null",
        hops=(Hop(actual=_redirect(307, "{hop1}", star), preflight=put_preflight),
              Hop(server="api2", actual=allow(star), preflight=put_preflight)),
        fetches=(Fetch(method="PUT", credentials="omit"),),
    )
    yield Behaviour(
        id="redirect-preflighted-307-second-preflight-fails",
        description="preflighted PUT answered 307; the preflight at the new origin is refused",
        hops=(Hop(actual=_redirect(307, "{hop1}", star), preflight=put_preflight),
              Hop(server="api2", actual=allow(star), preflight=Reply(204, ((ACAO, "*"),)))),
        fetches=(Fetch(method="PUT", credentials="omit"),),
    )
    auth_preflight = Reply(204, ((ACAO, "*"), (ACAH, "authorization")))
    yield Behaviour(
        id="redirect-authorization-cross-origin",
        description="request with Authorization answered 307 to another origin",
        hops=(Hop(actual=_redirect(307, "{hop1}", star), preflight=auth_preflight),
              Hop(server="api2", actual=allow(star), preflight=auth_preflight)),
        fetches=(Fetch(headers=(("Authorization", "Bearer t"),), credentials="omit"),),
    )


def mode_behaviours() -> Iterator[Behaviour]:
    star = allow((ACAO, "*"))
    cases: list[tuple[str, Fetch, tuple[Hop, ...]]] = [
        ("no-cors-get", Fetch(mode="no-cors"), (Hop(actual=Reply(200, ())),)),
        ("no-cors-include", Fetch(mode="no-cors", credentials="include"), (Hop(actual=Reply(200, ())),)),
        ("no-cors-post", Fetch(method="POST", mode="no-cors", headers=(("Content-Type", "text/plain"),)),
         (Hop(actual=star),)),
        ("no-cors-custom-header-dropped", Fetch(mode="no-cors", headers=(("X-Foo", "1"),)),
         (Hop(actual=Reply(200, ()), preflight=Reply(403, ())),)),
        ("no-cors-put", Fetch(method="PUT", mode="no-cors"), (Hop(actual=star),)),
        ("no-cors-redirect-manual", Fetch(mode="no-cors", redirect="manual"),
         (Hop(actual=_redirect(302, "{hop1}")), Hop(server="api2", actual=star))),
        ("no-cors-redirect-follow", Fetch(mode="no-cors"),
         (Hop(actual=_redirect(302, "{hop1}")), Hop(server="api2", actual=Reply(200, ())))),
        ("same-origin-mode", Fetch(mode="same-origin"), (Hop(actual=star),)),
        ("cors-forbidden-method", Fetch(method="TRACE"), (Hop(actual=star),)),
    ]
    for label, fetch, hops in cases:
        yield Behaviour(id=f"mode-{label}", description=f"request mode case {label}", hops=hops,
                        fetches=(fetch,))


def _cookie_echo() -> Hop:
    return Hop(actual=allow((ACAO, "{origin}"), (ACAC, "true")))


def cookie_behaviours() -> Iterator[Behaviour]:
    """Set-Cookie on a credentialed response, then a second fetch that shows which cookies go out.

    Cookie names start with the behaviour's tag (`{cookie}`), so cookies from other cases in the same
    browser never count.
    """
    attributes = [
        ("plain", ""),
        ("lax", "; SameSite=Lax"),
        ("strict", "; SameSite=Strict"),
        ("none-insecure", "; SameSite=None"),
        ("none-secure", "; SameSite=None; Secure"),
        ("secure", "; Secure"),
        ("partitioned", "; SameSite=None; Secure; Partitioned"),
        ("bad-domain", "; Domain=example.com"),
        ("ip-domain", "; Domain=127.0.0.1"),
        ("httponly", "; HttpOnly; Path=/"),
        ("expired", "; Max-Age=0"),
    ]
    for label, attribute in attributes:
        set_lines: Lines = ((ACAO, "{origin}"), (ACAC, "true"), ("Set-Cookie", "{cookie}=1" + attribute))
        for page in (SAME_SITE, CROSS_SITE):
            if page == CROSS_SITE and label not in ("plain", "none-secure", "partitioned", "none-insecure"):
                continue
            suffix = "" if page == SAME_SITE else "-cross-site"
            yield Behaviour(
                id=f"cookie-{label}{suffix}",
                description=f"credentialed Set-Cookie ({label}) from a {page} page, then a credentialed GET",
                hops=(Hop(actual=Reply(200, set_lines)), _cookie_echo()),
                fetches=(Fetch(credentials="include"), Fetch(credentials="include", start=1)),
                page=page,
                tags=frozenset({"cookies"}),
            )
    yield Behaviour(
        id="cookie-set-without-include",
        description="Set-Cookie on a response to a request without credentials is ignored",
        hops=(Hop(actual=allow((ACAO, "{origin}"), ("Set-Cookie", "{cookie}=1; SameSite=Lax"))), _cookie_echo()),
        fetches=(Fetch(credentials="same-origin"), Fetch(credentials="include", start=1)),
        tags=frozenset({"cookies"}),
    )
    yield Behaviour(
        id="cookie-set-on-blocked-response",
        description="Set-Cookie on a credentialed response that fails the CORS check is still stored",
        hops=(Hop(actual=allow((ACAO, "*"), (ACAC, "true"), ("Set-Cookie", "{cookie}=1; SameSite=Lax"))),
              _cookie_echo()),
        fetches=(Fetch(credentials="include"), Fetch(credentials="include", start=1)),
        tags=frozenset({"cookies"}),
    )
    yield Behaviour(
        id="cookie-not-sent-without-include",
        description="a stored cookie is not sent on a request with the default credentials mode",
        hops=(Hop(actual=allow((ACAO, "{origin}"), (ACAC, "true"), ("Set-Cookie", "{cookie}=1; SameSite=Lax"))),
              _cookie_echo()),
        fetches=(Fetch(credentials="include"), Fetch(credentials="same-origin", start=1)),
        tags=frozenset({"cookies"}),
    )


def cookie_edge_behaviours() -> Iterator[Behaviour]:
    """Cookie prefixes, Set-Cookie on preflights and redirects, Path scoping and deletion."""
    grant: Lines = ((ACAO, "{origin}"), (ACAC, "true"))
    include = Fetch(credentials="include")
    cookies = frozenset({"cookies"})

    def set_then_echo(label: str, description: str, *lines: str, page: str = SAME_SITE) -> Behaviour:
        set_lines = grant + tuple(("Set-Cookie", line) for line in lines)
        return Behaviour(f"cookie-{label}", description, (Hop(actual=Reply(200, set_lines)), _cookie_echo()),
                         (include, Fetch(credentials="include", start=1)), page, cookies)

    yield set_then_echo("host-prefix", "a __Host- cookie with Secure and Path=/", "__Host-{cookie}=1; Secure; Path=/")
    yield set_then_echo("host-prefix-with-domain", "a __Host- cookie with a Domain attribute",
                        "__Host-{cookie}=1; Secure; Path=/; Domain=127.0.0.1")
    yield set_then_echo("secure-prefix-insecure", "a __Secure- cookie without Secure", "__Secure-{cookie}=1")
    yield set_then_echo("two-lines", "two Set-Cookie lines", "{cookie}_a=1", "{cookie}_b=2; SameSite=Strict")
    yield set_then_echo("nameless", "a Set-Cookie line without a name", "{cookie}")
    yield set_then_echo("opaque-origin", "Set-Cookie on a credentialed fetch from a sandboxed iframe",
                        "{cookie}=1; SameSite=None; Secure", page=OPAQUE)
    yield set_then_echo("domain-localhost-cross-site", "a cross-site page's fetch sets Domain=localhost",
                        "{cookie}=1; Domain=localhost", page=CROSS_SITE)
    yield Behaviour(
        "cookie-set-on-redirect-omit", "Set-Cookie on a redirect response to a request without credentials",
        (Hop(actual=_redirect(302, "{hop1}", (ACAO, "*"), ("Set-Cookie", "{cookie}=1; Path=/"))),
         Hop(actual=allow((ACAO, "*")))),
        (Fetch(credentials="omit"),), tags=cookies)
    yield Behaviour(
        "cookie-set-on-preflight", "Set-Cookie on a preflight response is ignored",
        (Hop(actual=Reply(200, grant), preflight=Reply(204, grant + ((ACAM, "PUT"), ("Set-Cookie", "{cookie}=1")))),
         _cookie_echo()),
        (Fetch(method="PUT", credentials="include"), Fetch(credentials="include", start=1)), tags=cookies)
    yield Behaviour(
        "cookie-set-on-redirect", "Set-Cookie on a credentialed redirect response is stored",
        (Hop(actual=_redirect(302, "{hop1}", *grant, ("Set-Cookie", "{cookie}=1"))),
         Hop(server="api2", actual=allow((ACAO, "null"), (ACAC, "true"))), _cookie_echo()),
        (include, Fetch(credentials="include", start=2)), tags=cookies)
    yield Behaviour(
        "cookie-path-scoped", "a cookie with Path=/c/<id>/1 goes to that path only",
        (Hop(actual=Reply(200, grant + (("Set-Cookie", "{cookie}=1; Path=/c/{id}/1"),))), _cookie_echo(),
         _cookie_echo()),
        (include, Fetch(credentials="include", start=1), Fetch(credentials="include", start=2)), tags=cookies)
    yield Behaviour(
        "cookie-deleted", "Max-Age=0 on a later response deletes the cookie",
        (Hop(actual=Reply(200, grant + (("Set-Cookie", "{cookie}=1; Path=/"),))),
         Hop(actual=Reply(200, grant + (("Set-Cookie", "{cookie}=1; Path=/; Max-Age=0"),))), _cookie_echo()),
        (include, Fetch(credentials="include", start=1), Fetch(credentials="include", start=2)), tags=cookies)


def opaque_origin_behaviours() -> Iterator[Behaviour]:
    variants: list[tuple[str, Lines, str]] = [
        ("null", ((ACAO, "null"),), "omit"),
        ("star", ((ACAO, "*"),), "omit"),
        ("page-origin", ((ACAO, "{page}"),), "omit"),
        ("null-include", ((ACAO, "null"), (ACAC, "true")), "include"),
        ("star-include", ((ACAO, "*"), (ACAC, "true")), "include"),
        ("absent", (), "omit"),
    ]
    for label, lines, credentials in variants:
        yield Behaviour(
            id=f"opaque-origin-{label}",
            description=f"fetch from a sandboxed iframe (Origin null), ACAO {label}",
            hops=(Hop(actual=Reply(200, lines)),),
            fetches=(Fetch(credentials=credentials),),
            page=OPAQUE,
        )
    yield Behaviour(
        id="opaque-origin-preflight",
        description="preflighted PUT from a sandboxed iframe, preflight ACAO null",
        hops=(Hop(actual=allow((ACAO, "null")), preflight=Reply(204, ((ACAO, "null"), (ACAM, "PUT")))),),
        fetches=(Fetch(method="PUT", credentials="omit"),),
        page=OPAQUE,
    )


def cross_site_behaviours() -> Iterator[Behaviour]:
    """A few plain CORS cases from a page on `localhost`, a different site from 127.0.0.1."""
    variants: list[tuple[str, Lines, str]] = [
        ("exact", ((ACAO, "{origin}"),), "omit"),
        ("exact-include", ((ACAO, "{origin}"), (ACAC, "true")), "include"),
        ("ip-origin", ((ACAO, "http://127.0.0.1:{page_port}"),), "omit"),
    ]
    for label, lines, credentials in variants:
        yield Behaviour(
            id=f"cross-site-{label}",
            description=f"fetch from a localhost page to 127.0.0.1, ACAO {label}",
            hops=(Hop(actual=Reply(200, lines)),),
            fetches=(Fetch(credentials=credentials),),
            page=CROSS_SITE,
        )


def request_header_behaviours() -> Iterator[Behaviour]:
    """More preflight triggers, including Chromium's extra safelist and its merging of repeated names."""
    deny = Reply(403, ())
    variants: list[tuple[str, str, Lines]] = [
        ("repeated-accept-over-128", "GET", (("Accept", "a" * 100), ("Accept", "b" * 100))),
        ("repeated-accept-short", "GET", (("Accept", "a"), ("Accept", "b"))),
        ("user-agent", "GET", (("User-Agent", "corsguard-test"),)),
        ("content-type-charset", "POST", (("Content-Type", "text/plain; charset=utf-8"),)),
        ("content-type-upper", "POST", (("Content-Type", "TEXT/PLAIN"),)),
        ("content-type-form-charset", "POST", (("Content-Type", "application/x-www-form-urlencoded;charset=UTF-8"),)),
        ("content-type-two-types", "POST", (("Content-Type", "text/plain, text/html"),)),
        ("content-type-multipart-bare", "POST", (("Content-Type", "multipart/form-data"),)),
        ("range-open-end", "GET", (("Range", "bytes=0-"),)),
        ("range-reversed", "GET", (("Range", "bytes=5-1"),)),
        ("range-units", "GET", (("Range", "items=0-1"),)),
        ("ect-4g", "GET", (("ECT", "4g"),)),
        ("ect-5g", "GET", (("ECT", "5g"),)),
        ("rtt-integer", "GET", (("RTT", "50"),)),
        ("rtt-fraction", "GET", (("RTT", "5.5"),)),
        ("downlink-fraction", "GET", (("Downlink", "1.5"),)),
        ("device-memory", "GET", (("Device-Memory", "8"),)),
        ("width-word", "GET", (("Width", "wide"),)),
        ("save-data-off", "GET", (("Save-Data", "off"),)),
        ("intervention", "GET", (("Intervention", "<https://example.com>"),)),
        ("accept-language-underscore", "GET", (("Accept-Language", "en_US"),)),
        ("content-language-empty", "GET", (("Content-Language", ""),)),
        ("method-override-forbidden", "GET", (("X-HTTP-Method-Override", "TRACE"),)),
        ("method-override-allowed", "GET", (("X-HTTP-Method-Override", "PUT"),)),
        ("method-mixed-case-get", "Get", ()),
        # Headers.append strips leading and trailing HTTP whitespace before the safelist check.
        ("content-type-padded", "POST", (("Content-Type", "  text/plain \t"),)),
        ("range-trailing-space", "GET", (("Range", "bytes=0-1 "),)),
        ("accept-language-padded", "GET", (("Accept-Language", " en "),)),
        ("header-name-mixed-case", "GET", (("x-FoO", "1"),)),
        ("method-lower-post", "post", (("Content-Type", "text/plain"),)),
    ]
    for label, method, headers in variants:
        yield Behaviour(
            id=f"trigger-{label}",
            description=f"{method} {label}: a preflight would be refused",
            hops=(Hop(actual=allow((ACAO, "*")), preflight=deny),),
            fetches=(Fetch(method=method, headers=headers, credentials="omit"),),
        )
    for label, headers in (("header-value-nul", (("X-Foo", "a\u0000b"),)), ("header-name-space", (("X Foo", "1"),)),
                           ("header-value-newline", (("X-Foo", "a\nb"),))):
        yield Behaviour(id=f"mode-{label}", description=f"fetch with an invalid header ({label}) is rejected",
                        hops=(Hop(actual=allow((ACAO, "*"))),), fetches=(Fetch(headers=headers),))
    for label, method in (("connect", "CONNECT"), ("track", "TRACK"), ("not-a-token", "BAD METHOD")):
        yield Behaviour(id=f"mode-method-{label}", description=f"fetch with method {method!r} is rejected",
                        hops=(Hop(actual=allow((ACAO, "*"))),), fetches=(Fetch(method=method),))


def preflight_edge_behaviours() -> Iterator[Behaviour]:
    variants: list[tuple[str, str, Lines, Lines]] = [
        ("padded-acao", "omit", (), ((ACAO, "  {origin} "), (ACAM, "PUT"))),
        ("padded-acac", "include", (), ((ACAO, "{origin}"), (ACAC, " true "), (ACAM, "PUT"))),
        ("padded-method-list", "omit", (), ((ACAO, "{origin}"), (ACAM, "GET ,  PUT"))),
        ("null-acao-real-origin", "omit", (), ((ACAO, "null"), (ACAM, "PUT"))),
        ("star-and-authorization", "omit", (("Authorization", "Bearer t"),),
         ((ACAO, "{origin}"), (ACAM, "PUT"), (ACAH, "*, authorization"))),
        ("authorization-upper", "include", (("Authorization", "Bearer t"),),
         ((ACAO, "{origin}"), (ACAC, "true"), (ACAM, "PUT"), (ACAH, "AUTHORIZATION"))),
        ("duplicate-acah", "omit", (("X-Foo", "1"),),
         ((ACAO, "{origin}"), (ACAM, "PUT"), (ACAH, "x-foo"), (ACAH, "x-foo"))),
        ("star-headers-and-methods", "omit", (("X-Foo", "1"),), ((ACAO, "*"), (ACAM, "*"), (ACAH, "*"))),
        ("star-everything-include", "include", (("X-Foo", "1"),),
         ((ACAO, "{origin}"), (ACAC, "true"), (ACAM, "*"), (ACAH, "*"))),
        ("max-age-ignored-on-failure", "omit", (), ((ACAO, "{origin}"), (ACAM, "POST"), (ACMA, "600"))),
    ]
    for label, credentials, headers, lines in variants:
        yield _preflighted(f"preflight-edge-{label}", f"PUT preflight edge case: {label}", Reply(204, lines),
                           Fetch(method="PUT", headers=headers, credentials=credentials))


def redirect_edge_behaviours() -> Iterator[Behaviour]:
    star = (ACAO, "*")
    put_preflight = Reply(204, ((ACAO, "*"), (ACAM, "PUT")))
    foo_preflight = Reply(204, ((ACAO, "{origin}"), (ACAH, "x-foo")))
    cases: list[tuple[str, str, tuple[Hop, ...], Fetch]] = [
        ("put-308-cross-origin", "preflighted PUT answered 308 to another origin",
         (Hop(actual=_redirect(308, "{hop1}", star), preflight=put_preflight),
          Hop(server="api2", actual=allow(star), preflight=put_preflight)), Fetch(method="PUT")),
        ("post-301-cross-origin", "POST answered 301 to another origin becomes a GET",
         (Hop(actual=_redirect(301, "{hop1}", star)), Hop(server="api2", actual=allow(star))),
         Fetch(method="POST", headers=(("Content-Type", "text/plain"),))),
        ("preflighted-same-origin-307", "preflighted GET answered 307 within the origin: a new preflight",
         (Hop(actual=_redirect(307, "{hop1}", (ACAO, "{origin}")), preflight=foo_preflight),
          Hop(actual=allow((ACAO, "{origin}")), preflight=foo_preflight)), Fetch(headers=(("X-Foo", "1"),))),
        ("too-many", "a redirect to itself, again and again",
         (Hop(actual=_redirect(302, "{hop0}", star)),), Fetch()),
        ("fragment", "302 to a URL with a fragment",
         (Hop(actual=_redirect(302, "{hop1}#part", star)), Hop(server="api2", actual=allow(star))), Fetch()),
        ("include-null-no-acac", "credentialed 302 to another origin, final ACAO null without ACAC",
         (Hop(actual=_redirect(302, "{hop1}", (ACAO, "{origin}"), (ACAC, "true"))),
          Hop(server="api2", actual=allow((ACAO, "null")))), Fetch(credentials="include")),
        ("include-to-initiator", "credentialed 302 back to the page origin, final ACAO null and ACAC true",
         (Hop(actual=_redirect(302, "{hop1}", (ACAO, "{origin}"), (ACAC, "true"))),
          Hop(server="page", actual=allow((ACAO, "null"), (ACAC, "true")))), Fetch(credentials="include")),
        ("head-cross-origin", "HEAD answered 302 to another origin",
         (Hop(actual=_redirect(302, "{hop1}", star)), Hop(server="api2", actual=allow(star))), Fetch(method="HEAD")),
    ]
    for label, description, hops, fetch in cases:
        yield Behaviour(id=f"redirect-{label}", description=description, hops=hops, fetches=(fetch,))


def other_page_behaviours() -> Iterator[Behaviour]:
    """Preflights, redirects and modes from the sandboxed iframe and the cross-site page."""
    null_grant: Lines = ((ACAO, "null"), (ACAC, "true"))
    cases: list[tuple[str, str, str, tuple[Hop, ...], Fetch]] = [
        ("opaque-origin-redirect-null", "302 to another origin from the sandbox, final ACAO null", OPAQUE,
         (Hop(actual=_redirect(302, "{hop1}", (ACAO, "null"))), Hop(server="api2", actual=allow((ACAO, "null")))),
         Fetch()),
        ("opaque-origin-preflight-include", "credentialed PUT from the sandbox, ACAO null with ACAC", OPAQUE,
         (Hop(actual=allow(*null_grant), preflight=Reply(204, null_grant + ((ACAM, "PUT"),))),),
         Fetch(method="PUT", credentials="include")),
        ("opaque-origin-preflight-star-include", "credentialed PUT from the sandbox, preflight ACAO *", OPAQUE,
         (Hop(actual=allow(*null_grant), preflight=Reply(204, ((ACAO, "*"), (ACAC, "true"), (ACAM, "PUT")))),),
         Fetch(method="PUT", credentials="include")),
        ("opaque-origin-no-cors", "no-cors fetch from the sandbox", OPAQUE, (Hop(actual=Reply(200, ())),),
         Fetch(mode="no-cors", credentials="include")),
        ("opaque-origin-no-cors-omit", "no-cors fetch without credentials from the sandbox", OPAQUE,
         (Hop(actual=Reply(200, ())),), Fetch(mode="no-cors", credentials="omit")),
        ("opaque-origin-no-cors-post", "no-cors POST from the sandbox", OPAQUE, (Hop(actual=Reply(200, ())),),
         Fetch(method="POST", mode="no-cors", headers=(("Content-Type", "text/plain"),))),
        ("opaque-origin-no-cors-head", "no-cors HEAD from the sandbox", OPAQUE, (Hop(actual=Reply(200, ())),),
         Fetch(method="HEAD", mode="no-cors")),
        ("cross-site-preflight", "PUT from the localhost page", CROSS_SITE,
         (Hop(actual=allow((ACAO, "{origin}")), preflight=Reply(204, ((ACAO, "{origin}"), (ACAM, "PUT")))),),
         Fetch(method="PUT", credentials="omit")),
        ("cross-site-redirect-to-initiator", "302 from 127.0.0.1 back to the localhost page, final ACAO null",
         CROSS_SITE, (Hop(actual=_redirect(302, "{hop1}", (ACAO, "{origin}"))),
                      Hop(server="page", actual=allow((ACAO, "null")))), Fetch()),
        ("cross-site-include-star", "credentialed fetch from the localhost page, ACAO *", CROSS_SITE,
         (Hop(actual=allow((ACAO, "*"), (ACAC, "true"))),), Fetch(credentials="include")),
        ("cross-site-no-cors-include", "credentialed no-cors fetch from the localhost page", CROSS_SITE,
         (Hop(actual=Reply(200, ())),), Fetch(mode="no-cors", credentials="include")),
    ]
    for case_id, description, page, hops, fetch in cases:
        yield Behaviour(id=case_id, description=description, hops=hops, fetches=(fetch,), page=page)


def method_and_exposure_edge_behaviours() -> Iterator[Behaviour]:
    """OPTIONS and lowercase methods under wildcards, HEAD with a preflight, literal `*` names."""
    for label, method, lines in (("options-method", "OPTIONS", ((ACAM, "OPTIONS"),)),
                                 ("patch-lowercase-star", "patch", ((ACAM, "*"),)),
                                 ("head-with-header", "HEAD", ((ACAH, "x-foo"),))):
        headers: Lines = (("X-Foo", "1"),) if method == "HEAD" else ()
        yield _preflighted(f"acam-{label}", f"{method} with {lines[0][0]} {lines[0][1]}",
                           Reply(204, ((ACAO, "{origin}"),) + lines),
                           Fetch(method=method, headers=headers, credentials="omit"))
    for credentials in ("omit", "include"):
        grant: Lines = ((ACAO, "{origin}"), (ACAC, "true")) if credentials == "include" else ((ACAO, "{origin}"),)
        yield Behaviour(
            id=f"aceh-literal-star-header-{credentials}",
            description=f"a response header literally named `*` with ACEH *, credentials {credentials}",
            hops=(Hop(actual=Reply(200, grant + ((ACEH, "*"), ("*", "1"), ("X-Custom", "1")))),),
            fetches=(Fetch(credentials=credentials),),
        )
    yield Behaviour(
        id="aceh-case-differs", description="ACEH names in upper case, response header in lower case",
        hops=(Hop(actual=Reply(200, ((ACAO, "{origin}"), (ACEH, "X-CUSTOM"), ("x-custom", "1")))),),
        fetches=(Fetch(credentials="omit"),),
    )


def redirect_method_behaviours() -> Iterator[Behaviour]:
    """Method and header changes across cross-origin redirects, with the preflights they cause."""
    star = (ACAO, "*")
    foo_preflight = Reply(204, ((ACAO, "*"), (ACAH, "x-foo")))
    null_foo_preflight = Reply(204, ((ACAO, "null"), (ACAH, "x-foo")))
    cases: list[tuple[str, str, tuple[Hop, ...], Fetch]] = [
        ("preflighted-302-cross-origin", "GET with X-Foo answered 302 to another origin: a new preflight",
         (Hop(actual=_redirect(302, "{hop1}", star), preflight=foo_preflight),
          Hop(server="api2", actual=allow(star), preflight=null_foo_preflight)),
         Fetch(headers=(("X-Foo", "1"),))),
        ("put-303-cross-origin", "preflighted PUT answered 303 to another origin becomes a GET",
         (Hop(actual=_redirect(303, "{hop1}", star), preflight=Reply(204, ((ACAO, "*"), (ACAM, "PUT")))),
          Hop(server="api2", actual=allow(star), preflight=Reply(403, ()))), Fetch(method="PUT")),
        ("post-307-cross-origin", "POST answered 307 to another origin stays a POST",
         (Hop(actual=_redirect(307, "{hop1}", star)), Hop(server="api2", actual=allow(star))),
         Fetch(method="POST", headers=(("Content-Type", "text/plain"),))),
        ("json-post-302-cross-origin", "preflighted JSON POST answered 302 becomes a GET without a body",
         (Hop(actual=_redirect(302, "{hop1}", star), preflight=Reply(204, ((ACAO, "*"), (ACAH, "content-type")))),
          Hop(server="api2", actual=allow(star), preflight=Reply(403, ()))),
         Fetch(method="POST", headers=(("Content-Type", "application/json"),))),
    ]
    for label, description, hops, fetch in cases:
        yield Behaviour(id=f"redirect-{label}", description=description, hops=hops, fetches=(fetch,))


def behaviours() -> list[Behaviour]:
    """Return every behaviour, in a fixed order, with unique ids."""
    groups = (
        origin_behaviours, credentials_behaviours, method_behaviours, header_behaviours,
        trigger_behaviours, preflight_status_behaviours, max_age_behaviours, cache_edge_behaviours,
        cache_expiry_behaviours, malformed_value_behaviours, exposure_behaviours,
        status_behaviours, redirect_behaviours, mode_behaviours, cookie_behaviours,
        cookie_edge_behaviours, opaque_origin_behaviours, cross_site_behaviours, request_header_behaviours,
        preflight_edge_behaviours, redirect_edge_behaviours, other_page_behaviours,
        method_and_exposure_edge_behaviours, redirect_method_behaviours,
    )
    result = [behaviour for group in groups for behaviour in group()]
    ids = [behaviour.id for behaviour in result]
    duplicates = sorted({case_id for case_id in ids if ids.count(case_id) > 1})
    if duplicates:
        raise ValueError(f"duplicate behaviour ids: {duplicates}")
    return result
