"""Behaviours about cookies, and fetches from the sandboxed iframe and the cross-site page."""

from __future__ import annotations

from collections.abc import Iterator

from tests.browser.generator import (
    ACAC,
    ACAM,
    ACAO,
    CROSS_SITE,
    OPAQUE,
    SAME_SITE,
    Behaviour,
    Fetch,
    Hop,
    Lines,
    Reply,
    allow,
    cookie_echo,
    redirect,
)


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
                hops=(Hop(actual=Reply(200, set_lines)), cookie_echo()),
                fetches=(Fetch(credentials="include"), Fetch(credentials="include", start=1)),
                page=page,
                tags=frozenset({"cookies"}),
            )
    yield Behaviour(
        id="cookie-set-without-include",
        description="Set-Cookie on a response to a request without credentials is ignored",
        hops=(Hop(actual=allow((ACAO, "{origin}"), ("Set-Cookie", "{cookie}=1; SameSite=Lax"))), cookie_echo()),
        fetches=(Fetch(credentials="same-origin"), Fetch(credentials="include", start=1)),
        tags=frozenset({"cookies"}),
    )
    yield Behaviour(
        id="cookie-set-on-blocked-response",
        description="Set-Cookie on a credentialed response that fails the CORS check is still stored",
        hops=(Hop(actual=allow((ACAO, "*"), (ACAC, "true"), ("Set-Cookie", "{cookie}=1; SameSite=Lax"))),
              cookie_echo()),
        fetches=(Fetch(credentials="include"), Fetch(credentials="include", start=1)),
        tags=frozenset({"cookies"}),
    )
    yield Behaviour(
        id="cookie-not-sent-without-include",
        description="a stored cookie is not sent on a request with the default credentials mode",
        hops=(Hop(actual=allow((ACAO, "{origin}"), (ACAC, "true"), ("Set-Cookie", "{cookie}=1; SameSite=Lax"))),
              cookie_echo()),
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
        return Behaviour(f"cookie-{label}", description, (Hop(actual=Reply(200, set_lines)), cookie_echo()),
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
        (Hop(actual=redirect(302, "{hop1}", (ACAO, "*"), ("Set-Cookie", "{cookie}=1; Path=/"))),
         Hop(actual=allow((ACAO, "*")))),
        (Fetch(credentials="omit"),), tags=cookies)
    yield Behaviour(
        "cookie-set-on-preflight", "Set-Cookie on a preflight response is ignored",
        (Hop(actual=Reply(200, grant), preflight=Reply(204, grant + ((ACAM, "PUT"), ("Set-Cookie", "{cookie}=1")))),
         cookie_echo()),
        (Fetch(method="PUT", credentials="include"), Fetch(credentials="include", start=1)), tags=cookies)
    yield Behaviour(
        "cookie-set-on-redirect", "Set-Cookie on a credentialed redirect response is stored",
        (Hop(actual=redirect(302, "{hop1}", *grant, ("Set-Cookie", "{cookie}=1"))),
         Hop(server="api2", actual=allow((ACAO, "null"), (ACAC, "true"))), cookie_echo()),
        (include, Fetch(credentials="include", start=2)), tags=cookies)
    yield Behaviour(
        "cookie-path-scoped", "a cookie with Path=/c/<id>/1 goes to that path only",
        (Hop(actual=Reply(200, grant + (("Set-Cookie", "{cookie}=1; Path=/c/{id}/1"),))), cookie_echo(),
         cookie_echo()),
        (include, Fetch(credentials="include", start=1), Fetch(credentials="include", start=2)), tags=cookies)
    yield Behaviour(
        "cookie-deleted", "Max-Age=0 on a later response deletes the cookie",
        (Hop(actual=Reply(200, grant + (("Set-Cookie", "{cookie}=1; Path=/"),))),
         Hop(actual=Reply(200, grant + (("Set-Cookie", "{cookie}=1; Path=/; Max-Age=0"),))), cookie_echo()),
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


def other_page_behaviours() -> Iterator[Behaviour]:
    """Preflights, redirects and modes from the sandboxed iframe and the cross-site page."""
    null_grant: Lines = ((ACAO, "null"), (ACAC, "true"))
    cases: list[tuple[str, str, str, tuple[Hop, ...], Fetch]] = [
        ("opaque-origin-redirect-null", "302 to another origin from the sandbox, final ACAO null", OPAQUE,
         (Hop(actual=redirect(302, "{hop1}", (ACAO, "null"))), Hop(server="api2", actual=allow((ACAO, "null")))),
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
         CROSS_SITE, (Hop(actual=redirect(302, "{hop1}", (ACAO, "{origin}"))),
                      Hop(server="page", actual=allow((ACAO, "null")))), Fetch()),
        ("cross-site-include-star", "credentialed fetch from the localhost page, ACAO *", CROSS_SITE,
         (Hop(actual=allow((ACAO, "*"), (ACAC, "true"))),), Fetch(credentials="include")),
        ("cross-site-no-cors-include", "credentialed no-cors fetch from the localhost page", CROSS_SITE,
         (Hop(actual=Reply(200, ())),), Fetch(mode="no-cors", credentials="include")),
    ]
    for case_id, description, page, hops, fetch in cases:
        yield Behaviour(id=case_id, description=description, hops=hops, fetches=(fetch,), page=page)
