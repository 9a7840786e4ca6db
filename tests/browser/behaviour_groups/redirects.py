"""Behaviours about response statuses, redirect chains and request modes."""

from __future__ import annotations

from collections.abc import Iterator

from tests.browser.generator import (
    ACAC,
    ACAH,
    ACAM,
    ACAO,
    Behaviour,
    Fetch,
    Hop,
    Reply,
    allow,
    redirect,
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


def redirect_behaviours() -> Iterator[Behaviour]:
    star = (ACAO, "*")
    exact = (ACAO, "{origin}")
    cases: list[tuple[str, str, tuple[Hop, ...], Fetch]] = [
        ("same-origin", "302 within the API origin",
         (Hop(actual=redirect(302, "{hop1}", exact)), Hop(actual=allow(exact))), Fetch()),
        ("same-origin-relative", "302 with a relative Location",
         (Hop(actual=redirect(302, "/c/{id}/1", exact)), Hop(actual=allow(exact))), Fetch()),
        ("cross-origin-star", "302 to another origin, final ACAO *",
         (Hop(actual=redirect(302, "{hop1}", star)), Hop(server="api2", actual=allow(star))), Fetch()),
        ("cross-origin-null", "302 to another origin, final ACAO null",
         (Hop(actual=redirect(302, "{hop1}", star)), Hop(server="api2", actual=allow((ACAO, "null")))),
         Fetch()),
        ("cross-origin-exact", "302 to another origin, final ACAO is the page origin",
         (Hop(actual=redirect(302, "{hop1}", star)), Hop(server="api2", actual=allow(exact))), Fetch()),
        ("cross-origin-absent", "302 to another origin, final response lacks ACAO",
         (Hop(actual=redirect(302, "{hop1}", star)), Hop(server="api2", actual=Reply(200, ()))), Fetch()),
        ("no-acao-on-redirect", "302 without ACAO",
         (Hop(actual=redirect(302, "{hop1}")), Hop(server="api2", actual=allow(star))), Fetch()),
        ("mismatch-on-redirect", "302 with a wrong ACAO",
         (Hop(actual=redirect(302, "{hop1}", (ACAO, "http://127.0.0.1:9"))),
          Hop(server="api2", actual=allow(star))), Fetch()),
        ("to-initiator-null", "302 back to the page origin, final ACAO null",
         (Hop(actual=redirect(302, "{hop1}", star)), Hop(server="page", actual=allow((ACAO, "null")))),
         Fetch()),
        ("to-initiator-exact", "302 back to the page origin, final ACAO is the page origin",
         (Hop(actual=redirect(302, "{hop1}", star)), Hop(server="page", actual=allow(exact))), Fetch()),
        ("to-initiator-none", "302 back to the page origin, final response lacks ACAO",
         (Hop(actual=redirect(302, "{hop1}", star)), Hop(server="page", actual=Reply(200, ()))), Fetch()),
        ("userinfo-cross-origin", "302 to a URL with userinfo on another origin",
         (Hop(actual=redirect(302, "{hop1_userinfo}", star)), Hop(server="api2", actual=allow(star))),
         Fetch()),
        ("userinfo-same-origin", "302 to a URL with userinfo on the same origin",
         (Hop(actual=redirect(302, "{hop1_userinfo}", exact)), Hop(actual=allow(exact))), Fetch()),
        ("include-null-acac", "credentialed 302 to another origin, final ACAO null and ACAC true",
         (Hop(actual=redirect(302, "{hop1}", exact, (ACAC, "true"))),
          Hop(server="api2", actual=allow((ACAO, "null"), (ACAC, "true")))), Fetch(credentials="include")),
        ("include-star-final", "credentialed 302 to another origin, final ACAO *",
         (Hop(actual=redirect(302, "{hop1}", exact, (ACAC, "true"))),
          Hop(server="api2", actual=allow(star, (ACAC, "true")))), Fetch(credentials="include")),
        ("include-no-acac-on-redirect", "credentialed 302 whose redirect response lacks ACAC",
         (Hop(actual=redirect(302, "{hop1}", exact)),
          Hop(server="api2", actual=allow((ACAO, "null"), (ACAC, "true")))), Fetch(credentials="include")),
        ("three-hops", "302 to api2, 302 back to api, final ACAO null",
         (Hop(actual=redirect(302, "{hop1}", star)), Hop(server="api2", actual=redirect(302, "{hop2}", star)),
          Hop(actual=allow((ACAO, "null")))), Fetch()),
        ("three-hops-exact", "302 to api2, 302 back to api, final ACAO is the page origin",
         (Hop(actual=redirect(302, "{hop1}", star)), Hop(server="api2", actual=redirect(302, "{hop2}", star)),
          Hop(actual=allow(exact))), Fetch()),
        ("post-303", "POST answered 303 to another origin",
         (Hop(actual=redirect(303, "{hop1}", star)), Hop(server="api2", actual=allow(star))),
         Fetch(method="POST", headers=(("Content-Type", "text/plain"),))),
        ("post-301", "POST answered 301 within the origin",
         (Hop(actual=redirect(301, "{hop1}", exact)), Hop(actual=allow(exact))),
         Fetch(method="POST", headers=(("Content-Type", "text/plain"),))),
        ("post-307", "POST answered 307 within the origin",
         (Hop(actual=redirect(307, "{hop1}", exact)), Hop(actual=allow(exact))),
         Fetch(method="POST", headers=(("Content-Type", "text/plain"),))),
        ("manual", "redirect mode manual",
         (Hop(actual=redirect(302, "{hop1}", star)), Hop(server="api2", actual=allow(star))),
         Fetch(redirect="manual")),
        ("error", "redirect mode error",
         (Hop(actual=redirect(302, "{hop1}", star)), Hop(server="api2", actual=allow(star))),
         Fetch(redirect="error")),
        ("bad-scheme", "302 to a non-HTTP URL",
         (Hop(actual=redirect(302, "ftp://127.0.0.1/x", star)),), Fetch()),
    ]
    for label, description, hops, fetch in cases:
        yield Behaviour(id=f"redirect-{label}", description=description, hops=hops, fetches=(fetch,))

    put_preflight = Reply(204, ((ACAO, "*"), (ACAM, "PUT")))
    yield Behaviour(
        id="redirect-preflighted-307-cross-origin",
        description="preflighted PUT answered 307 to another origin: a new preflight there with Origin null",
        hops=(Hop(actual=redirect(307, "{hop1}", star), preflight=put_preflight),
              Hop(server="api2", actual=allow(star), preflight=put_preflight)),
        fetches=(Fetch(method="PUT", credentials="omit"),),
    )
    yield Behaviour(
        id="redirect-preflighted-307-second-preflight-fails",
        description="preflighted PUT answered 307; the preflight at the new origin is refused",
        hops=(Hop(actual=redirect(307, "{hop1}", star), preflight=put_preflight),
              Hop(server="api2", actual=allow(star), preflight=Reply(204, ((ACAO, "*"),)))),
        fetches=(Fetch(method="PUT", credentials="omit"),),
    )
    auth_preflight = Reply(204, ((ACAO, "*"), (ACAH, "authorization")))
    yield Behaviour(
        id="redirect-authorization-cross-origin",
        description="request with Authorization answered 307 to another origin",
        hops=(Hop(actual=redirect(307, "{hop1}", star), preflight=auth_preflight),
              Hop(server="api2", actual=allow(star), preflight=auth_preflight)),
        fetches=(Fetch(headers=(("Authorization", "Bearer t"),), credentials="omit"),),
    )


def redirect_edge_behaviours() -> Iterator[Behaviour]:
    star = (ACAO, "*")
    put_preflight = Reply(204, ((ACAO, "*"), (ACAM, "PUT")))
    foo_preflight = Reply(204, ((ACAO, "{origin}"), (ACAH, "x-foo")))
    cases: list[tuple[str, str, tuple[Hop, ...], Fetch]] = [
        ("put-308-cross-origin", "preflighted PUT answered 308 to another origin",
         (Hop(actual=redirect(308, "{hop1}", star), preflight=put_preflight),
          Hop(server="api2", actual=allow(star), preflight=put_preflight)), Fetch(method="PUT")),
        ("post-301-cross-origin", "POST answered 301 to another origin becomes a GET",
         (Hop(actual=redirect(301, "{hop1}", star)), Hop(server="api2", actual=allow(star))),
         Fetch(method="POST", headers=(("Content-Type", "text/plain"),))),
        ("preflighted-same-origin-307", "preflighted GET answered 307 within the origin: a new preflight",
         (Hop(actual=redirect(307, "{hop1}", (ACAO, "{origin}")), preflight=foo_preflight),
          Hop(actual=allow((ACAO, "{origin}")), preflight=foo_preflight)), Fetch(headers=(("X-Foo", "1"),))),
        ("too-many", "a redirect to itself, again and again",
         (Hop(actual=redirect(302, "{hop0}", star)),), Fetch()),
        ("fragment", "302 to a URL with a fragment",
         (Hop(actual=redirect(302, "{hop1}#part", star)), Hop(server="api2", actual=allow(star))), Fetch()),
        ("include-null-no-acac", "credentialed 302 to another origin, final ACAO null without ACAC",
         (Hop(actual=redirect(302, "{hop1}", (ACAO, "{origin}"), (ACAC, "true"))),
          Hop(server="api2", actual=allow((ACAO, "null")))), Fetch(credentials="include")),
        ("include-to-initiator", "credentialed 302 back to the page origin, final ACAO null and ACAC true",
         (Hop(actual=redirect(302, "{hop1}", (ACAO, "{origin}"), (ACAC, "true"))),
          Hop(server="page", actual=allow((ACAO, "null"), (ACAC, "true")))), Fetch(credentials="include")),
        ("head-cross-origin", "HEAD answered 302 to another origin",
         (Hop(actual=redirect(302, "{hop1}", star)), Hop(server="api2", actual=allow(star))), Fetch(method="HEAD")),
    ]
    for label, description, hops, fetch in cases:
        yield Behaviour(id=f"redirect-{label}", description=description, hops=hops, fetches=(fetch,))


def redirect_method_behaviours() -> Iterator[Behaviour]:
    """Method and header changes across cross-origin redirects, with the preflights they cause."""
    star = (ACAO, "*")
    foo_preflight = Reply(204, ((ACAO, "*"), (ACAH, "x-foo")))
    null_foo_preflight = Reply(204, ((ACAO, "null"), (ACAH, "x-foo")))
    cases: list[tuple[str, str, tuple[Hop, ...], Fetch]] = [
        ("preflighted-302-cross-origin", "GET with X-Foo answered 302 to another origin: a new preflight",
         (Hop(actual=redirect(302, "{hop1}", star), preflight=foo_preflight),
          Hop(server="api2", actual=allow(star), preflight=null_foo_preflight)),
         Fetch(headers=(("X-Foo", "1"),))),
        ("put-303-cross-origin", "preflighted PUT answered 303 to another origin becomes a GET",
         (Hop(actual=redirect(303, "{hop1}", star), preflight=Reply(204, ((ACAO, "*"), (ACAM, "PUT")))),
          Hop(server="api2", actual=allow(star), preflight=Reply(403, ()))), Fetch(method="PUT")),
        ("post-307-cross-origin", "POST answered 307 to another origin stays a POST",
         (Hop(actual=redirect(307, "{hop1}", star)), Hop(server="api2", actual=allow(star))),
         Fetch(method="POST", headers=(("Content-Type", "text/plain"),))),
        ("json-post-302-cross-origin", "preflighted JSON POST answered 302 becomes a GET without a body",
         (Hop(actual=redirect(302, "{hop1}", star), preflight=Reply(204, ((ACAO, "*"), (ACAH, "content-type")))),
          Hop(server="api2", actual=allow(star), preflight=Reply(403, ()))),
         Fetch(method="POST", headers=(("Content-Type", "application/json"),))),
    ]
    for label, description, hops, fetch in cases:
        yield Behaviour(id=f"redirect-{label}", description=description, hops=hops, fetches=(fetch,))


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
         (Hop(actual=redirect(302, "{hop1}")), Hop(server="api2", actual=star))),
        ("no-cors-redirect-follow", Fetch(mode="no-cors"),
         (Hop(actual=redirect(302, "{hop1}")), Hop(server="api2", actual=Reply(200, ())))),
        ("same-origin-mode", Fetch(mode="same-origin"), (Hop(actual=star),)),
        ("cors-forbidden-method", Fetch(method="TRACE"), (Hop(actual=star),)),
    ]
    for label, fetch, hops in cases:
        yield Behaviour(id=f"mode-{label}", description=f"request mode case {label}", hops=hops,
                        fetches=(fetch,))
