"""Behaviours that vary one CORS response header or one request header at a time."""

from __future__ import annotations

from collections.abc import Iterator

from tests.browser.generator import (
    ACAC,
    ACAH,
    ACAM,
    ACAO,
    ACEH,
    Behaviour,
    Fetch,
    Hop,
    Lines,
    Reply,
    allow,
    preflight_base,
    preflighted,
)


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
        preflight = Reply(204, preflight_base(credentials) + lines)
        yield preflighted(f"acam-{label}", f"{method} with ACAM {label}", preflight,
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
        preflight = Reply(204, preflight_base(credentials) + lines)
        yield preflighted(f"acah-{label}", f"request headers with ACAH {label}", preflight,
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
        yield preflighted(f"malformed-{label}", f"preflight header value: {label}", Reply(204, lines),
                           Fetch(method="PUT", headers=headers, credentials="omit"))


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


def method_and_exposure_edge_behaviours() -> Iterator[Behaviour]:
    """OPTIONS and lowercase methods under wildcards, HEAD with a preflight, literal `*` names."""
    for label, method, lines in (("options-method", "OPTIONS", ((ACAM, "OPTIONS"),)),
                                 ("patch-lowercase-star", "patch", ((ACAM, "*"),)),
                                 ("head-with-header", "HEAD", ((ACAH, "x-foo"),))):
        headers: Lines = (("X-Foo", "1"),) if method == "HEAD" else ()
        yield preflighted(f"acam-{label}", f"{method} with {lines[0][0]} {lines[0][1]}",
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
