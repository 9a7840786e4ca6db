"""Behaviours about the preflight: its status and edge cases, and the preflight cache."""

from __future__ import annotations

from collections.abc import Iterator

from tests.browser.generator import (
    ACAC,
    ACAH,
    ACAM,
    ACAO,
    ACMA,
    Behaviour,
    Fetch,
    Hop,
    Lines,
    Reply,
    allow,
    preflight_base,
    preflighted,
)


def preflight_status_behaviours() -> Iterator[Behaviour]:
    for status in (200, 204, 206, 299, 304, 400, 403, 404, 500, 503):
        yield preflighted(f"preflight-status-{status}", f"preflight answered {status}",
                           Reply(status, preflight_base("omit") + ((ACAM, "PUT"),)),
                           Fetch(method="PUT", credentials="omit"))
    for status in (301, 302, 307, 308):
        redirecting = Reply(status, preflight_base("omit") + ((ACAM, "PUT"), ("Location", "{hop1}")))
        yield Behaviour(
            id=f"preflight-redirect-{status}",
            description=f"preflight answered {status} with a Location",
            hops=(Hop(actual=allow((ACAO, "{origin}")), preflight=redirecting),
                  Hop(server="api2", actual=allow((ACAO, "*")))),
            fetches=(Fetch(method="PUT", credentials="omit"),),
        )
    yield preflighted("preflight-302-no-location", "preflight answered 302 without a Location",
                       Reply(302, preflight_base("omit") + ((ACAM, "PUT"),)),
                       Fetch(method="PUT", credentials="omit"))
    yield preflighted("preflight-404-no-acao", "preflight answered 404 without ACAO",
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
        yield preflighted(f"preflight-cors-{label}", f"preflight CORS check: {label}",
                           Reply(204, lines), Fetch(method="PUT", credentials=credentials))
    yield preflighted("preflight-ok-actual-no-acao", "preflight passes, the actual response lacks ACAO",
                       Reply(204, preflight_base("omit") + ((ACAM, "PUT"),)),
                       Fetch(method="PUT", credentials="omit"), actual=Reply(200, ()))
    yield preflighted("preflight-ok-actual-500", "preflight passes, the actual response is a 500 with ACAO",
                       Reply(204, preflight_base("omit") + ((ACAM, "PUT"),)),
                       Fetch(method="PUT", credentials="omit"), actual=allow((ACAO, "*"), status=500))


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
        yield preflighted(f"preflight-edge-{label}", f"PUT preflight edge case: {label}", Reply(204, lines),
                           Fetch(method="PUT", headers=headers, credentials=credentials))


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
