"""Per-route policies: route syntax, precedence, path handling, and both middleware adapters."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from corsguard import ConfigError, Policy
from corsguard.asgi import CORSMiddleware as ASGICORSMiddleware
from corsguard.routing import Router, asgi_route_path, wsgi_route_path
from corsguard.wsgi import CORSMiddleware as WSGICORSMiddleware

PUBLIC = Policy(allow_origins=["*"])
ADMIN = Policy(allow_origins=["https://admin.example"], allow_credentials=True)
APP = Policy(allow_origins=["https://app.example"], allow_credentials=True, allow_methods=["PUT"])


def test_exact_path_beats_pattern() -> None:
    router = Router({"/api/**": PUBLIC, "/api/admin/keys": ADMIN})
    assert router.policy_for("/api/admin/keys") is ADMIN
    assert router.policy_for("/api/admin/other") is PUBLIC


def test_literal_segment_beats_star() -> None:
    router = Router({"/api/*/keys": PUBLIC, "/api/admin/*": ADMIN})
    assert router.policy_for("/api/admin/keys") is ADMIN
    assert router.policy_for("/api/users/keys") is PUBLIC


def test_star_beats_double_star() -> None:
    router = Router({"/api/**": PUBLIC, "/api/*": ADMIN})
    assert router.policy_for("/api/x") is ADMIN
    assert router.policy_for("/api/x/y") is PUBLIC


def test_precedence_ignores_insertion_order() -> None:
    forward = Router({"/**": PUBLIC, "/api/**": APP, "/api/admin/**": ADMIN})
    backward = Router({"/api/admin/**": ADMIN, "/api/**": APP, "/**": PUBLIC})
    for router in (forward, backward):
        assert router.policy_for("/api/admin/keys") is ADMIN
        assert router.policy_for("/api/users") is APP
        assert router.policy_for("/other") is PUBLIC


def test_patterns_beat_regexes() -> None:
    router = Router({re.compile(r"/api/.*"): PUBLIC, "/api/admin/**": ADMIN})
    assert router.policy_for("/api/admin/keys") is ADMIN
    assert router.policy_for("/api/users") is PUBLIC


def test_regex_is_full_matched() -> None:
    router = Router({re.compile(r"/api"): PUBLIC})
    assert router.policy_for("/api") is PUBLIC
    assert router.policy_for("/api/x") is None
    assert router.policy_for("/apiadmin") is None


def test_double_star_is_segment_bounded() -> None:
    router = Router({"/api/**": PUBLIC})
    assert router.policy_for("/api") is PUBLIC
    assert router.policy_for("/api/") is PUBLIC
    assert router.policy_for("/api/a/b/c") is PUBLIC
    assert router.policy_for("/apiadmin") is None


def test_star_needs_non_empty_segment() -> None:
    router = Router({"/files/*": PUBLIC})
    assert router.policy_for("/files/a") is PUBLIC
    assert router.policy_for("/files/") is None
    assert router.policy_for("/files/a/b") is None


def test_default_applies_outside_routes() -> None:
    router = Router({"/public/**": PUBLIC}, default=APP)
    assert router.policy_for("/public/x") is PUBLIC
    assert router.policy_for("/private") is APP


def test_none_route_disables_cors() -> None:
    router = Router({"/internal/**": None}, default=APP)
    assert router.policy_for("/internal/metrics") is None


def test_path_matching_is_case_sensitive() -> None:
    router = Router({"/public/**": PUBLIC})
    assert router.policy_for("/PUBLIC/admin") is None


def test_plus_is_not_a_space() -> None:
    router = Router({"/service+path": ADMIN, "/service path": PUBLIC})
    assert router.policy_for("/service+path") is ADMIN


def test_percent_escapes_are_not_decoded_again() -> None:
    router = Router({"/a/b": ADMIN}, default=PUBLIC)
    assert router.policy_for("/a%2Fb") is PUBLIC


def test_dot_segments_get_no_cors() -> None:
    router = Router({"/api/**": PUBLIC}, default=APP)
    assert router.policy_for("/api/../private/data") is None
    assert router.policy_for("/api/./x") is None


def test_mapping_and_config_values_compile() -> None:
    router = Router({"/a": {"allow_origins": ["https://a.example"]}})
    policy = router.policy_for("/a")
    assert policy is not None
    assert policy.is_origin_allowed("https://a.example")


@pytest.mark.parametrize(("route", "fragment"), [
    ("api/**", "starts with '/'"),
    ("/api/**/x", "last segment"),
    ("/api/v*", "whole segment"),
    ("/api/../x", "never matches"),
])
def test_malformed_route_rejected(route: str, fragment: str) -> None:
    with pytest.raises(ConfigError) as caught:
        Router({route: PUBLIC})
    (problem,) = caught.value.problems
    assert problem.code == "route-invalid"
    assert fragment in problem.hint


def test_every_route_problem_reported_at_once() -> None:
    with pytest.raises(ConfigError) as caught:
        Router({
            "/a": {"allow_origins": ["*"], "allow_credentials": True},
            "/b": {"allow_origins": "https://b.example"},
            "c": PUBLIC,
        })
    problems = caught.value.problems
    assert [problem.code for problem in problems] == [
        "origin-wildcard-with-credentials", "option-bare-string", "route-invalid"]
    assert problems[0].option == "routes['/a'].allow_origins"
    assert problems[1].option == "routes['/b'].allow_origins"


def test_asgi_route_path_strips_root_path() -> None:
    assert asgi_route_path({"path": "/mount/api", "root_path": "/mount"}) == "/api"
    assert asgi_route_path({"path": "/mountain", "root_path": "/mount"}) == "/mountain"
    assert asgi_route_path({"path": "/api", "root_path": ""}) == "/api"


def test_wsgi_route_path_decodes_utf8() -> None:
    raw = "/caf\u00e9".encode().decode("latin-1")
    assert wsgi_route_path({"PATH_INFO": raw}) == "/caf\u00e9"
    assert wsgi_route_path({}) == ""


async def _asgi_app(scope: Any, receive: Any, send: Any) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
    await send({"type": "http.response.body", "body": b"ok"})


def _wsgi_app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"ok"]


ROUTES: dict[Any, Any] = {"/public/**": PUBLIC, "/admin/**": ADMIN}


def _asgi_client() -> httpx.AsyncClient:
    app = ASGICORSMiddleware(_asgi_app, routes=ROUTES, allow_origins=["https://app.example"])
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")


def _wsgi_client() -> httpx.Client:
    app = WSGICORSMiddleware(_wsgi_app, routes=ROUTES, allow_origins=["https://app.example"])
    return httpx.Client(transport=httpx.WSGITransport(app=app), base_url="http://testserver")


@pytest.mark.parametrize(("path", "origin", "expected"), [
    ("/public/x", "https://evil.example", "*"),
    ("/admin/keys", "https://admin.example", "https://admin.example"),
    ("/admin/keys", "https://app.example", None),
    ("/other", "https://app.example", "https://app.example"),
    ("/other", "https://admin.example", None),
])
@pytest.mark.asyncio
async def test_asgi_routes(path: str, origin: str, expected: str | None) -> None:
    async with _asgi_client() as client:
        response = await client.get(path, headers={"Origin": origin})
    assert response.headers.get("access-control-allow-origin") == expected


@pytest.mark.parametrize(("path", "origin", "expected"), [
    ("/public/x", "https://evil.example", "*"),
    ("/admin/keys", "https://admin.example", "https://admin.example"),
    ("/admin/keys", "https://app.example", None),
    ("/other", "https://app.example", "https://app.example"),
    ("/other", "https://admin.example", None),
])
def test_wsgi_routes(path: str, origin: str, expected: str | None) -> None:
    with _wsgi_client() as client:
        response = client.get(path, headers={"Origin": origin})
    assert response.headers.get("access-control-allow-origin") == expected


@pytest.mark.asyncio
async def test_asgi_without_default_passes_through() -> None:
    app = ASGICORSMiddleware(_asgi_app, routes={"/api/**": APP})
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        response = await client.get("/elsewhere", headers={"Origin": "https://app.example"})
    assert "access-control-allow-origin" not in response.headers
    assert "vary" not in response.headers


def test_wsgi_route_preflight_uses_route_policy() -> None:
    app = WSGICORSMiddleware(_wsgi_app, routes={"/api/**": APP})
    with httpx.Client(transport=httpx.WSGITransport(app=app), base_url="http://t") as client:
        response = client.options("/api/x", headers={"Origin": "https://app.example",
                                                      "Access-Control-Request-Method": "PUT"})
    assert response.status_code == 204
    assert response.headers["access-control-allow-methods"] == "PUT"


def test_middleware_reports_default_and_route_problems_together() -> None:
    with pytest.raises(ConfigError) as caught:
        WSGICORSMiddleware(_wsgi_app, routes={"/a": {"allow_origins": []}},
                           allow_origins=["https://x.example/"])
    codes = [problem.code for problem in caught.value.problems]
    assert codes == ["origin-path", "origins-missing"]
