"""Django: the middleware (sync and async), settings, django-cors-headers names and system checks."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from corsguard import PROBLEM_CODES

from .django_project import MIDDLEWARE, configure
from .live import browser_check, exchange_with_protected_route

configure()

from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.test import AsyncClient, Client, override_settings

from corsguard.contrib.django import checks, conf
from corsguard.servers import serve_wsgi

APP_ORIGIN = "https://app.example.com"
EVIL_ORIGIN = "https://evil.example"


def _client() -> Client:
    return Client(raise_request_exception=False)


def _preflight(client: Client, path: str, method: str = "PUT", headers: str | None = None,
               origin: str = APP_ORIGIN) -> Any:
    extra = {"HTTP_ORIGIN": origin, "HTTP_ACCESS_CONTROL_REQUEST_METHOD": method}
    if headers is not None:
        extra["HTTP_ACCESS_CONTROL_REQUEST_HEADERS"] = headers
    return client.options(path, **extra)  # type: ignore[arg-type]


@contextlib.contextmanager
def legacy_settings(**values: Any) -> Iterator[None]:
    """Use only django-cors-headers' names: override them and remove CORSGUARD."""
    with override_settings(**values):
        del settings.CORSGUARD
        conf.on_setting_changed(conf.SETTING)
        try:
            yield
        finally:
            conf.on_setting_changed(conf.SETTING)


def _check_ids(**values: Any) -> list[str | None]:
    with override_settings(**values):
        return [message.id for message in checks.check_settings()]


def _legacy_check_ids(**values: Any) -> list[str | None]:
    with legacy_settings(**values):
        return [message.id for message in checks.check_settings()]


# --- the middleware -------------------------------------------------------------------------


def test_allowed_origin_gets_headers() -> None:
    response = _client().get("/api/items", HTTP_ORIGIN=APP_ORIGIN)
    assert response["Access-Control-Allow-Origin"] == APP_ORIGIN
    assert response["Access-Control-Allow-Credentials"] == "true"


def test_vary_merged_with_view_vary() -> None:
    response = _client().get("/api/items", HTTP_ORIGIN=APP_ORIGIN)
    assert response["Vary"] == "Accept-Encoding, Origin"


def test_refused_origin_gets_vary_only() -> None:
    response = _client().get("/api/items", HTTP_ORIGIN=EVIL_ORIGIN)
    assert "Access-Control-Allow-Origin" not in response
    assert "Access-Control-Allow-Credentials" not in response
    assert response["Vary"] == "Accept-Encoding, Origin"


def test_preflight_short_circuits() -> None:
    response = _preflight(_client(), "/api/items", "PUT", "authorization,content-type")
    assert response.status_code == 204
    assert response["Access-Control-Allow-Methods"] == "PUT"
    assert response["Access-Control-Allow-Headers"] == "authorization,content-type"


def test_preflight_for_unknown_path_answered() -> None:
    assert _preflight(_client(), "/nowhere").status_code == 204


def test_refused_preflight_gets_403() -> None:
    response = _preflight(_client(), "/api/items", "PATCH")
    assert response.status_code == 403
    assert "Access-Control-Allow-Origin" not in response


def test_options_without_acrm_reaches_view() -> None:
    response = _client().options("/api/items", HTTP_ORIGIN=APP_ORIGIN)
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == APP_ORIGIN


def test_500_carries_cors_headers() -> None:
    response = _client().get("/boom", HTTP_ORIGIN=APP_ORIGIN)
    assert response.status_code == 500
    assert response["Access-Control-Allow-Origin"] == APP_ORIGIN


def test_404_carries_cors_headers() -> None:
    response = _client().get("/missing", HTTP_ORIGIN=APP_ORIGIN)
    assert response.status_code == 404
    assert response["Access-Control-Allow-Origin"] == APP_ORIGIN


def test_preflight_skips_auth_middleware() -> None:
    response = _preflight(_client(), "/private/secret", "GET", "authorization")
    assert response.status_code == 204
    assert response["Access-Control-Allow-Origin"] == APP_ORIGIN


def test_unauthenticated_request_gets_401_with_cors() -> None:
    response = _client().get("/private/secret", HTTP_ORIGIN=APP_ORIGIN)
    assert response.status_code == 401
    assert response["Access-Control-Allow-Origin"] == APP_ORIGIN
    assert response["Access-Control-Allow-Credentials"] == "true"


def test_authenticated_request_passes() -> None:
    response = _client().get("/private/secret", HTTP_ORIGIN=APP_ORIGIN, HTTP_AUTHORIZATION="Bearer good")
    assert response.status_code == 200
    assert response.json() == {"secret": 42}


def test_repeated_origin_uses_first_element() -> None:
    response = _client().get("/api/items", HTTP_ORIGIN=f"{APP_ORIGIN}, {EVIL_ORIGIN}")
    assert response["Access-Control-Allow-Origin"] == APP_ORIGIN


@pytest.mark.asyncio
async def test_async_stack_allows_origin() -> None:
    response = await AsyncClient(raise_request_exception=False).get("/api/items", headers={"Origin": APP_ORIGIN})
    assert response["Access-Control-Allow-Origin"] == APP_ORIGIN
    assert response["Vary"] == "Accept-Encoding, Origin"


@pytest.mark.asyncio
async def test_async_stack_preflight_and_401() -> None:
    client = AsyncClient(raise_request_exception=False)
    preflight = await client.options("/private/secret", headers={
        "Origin": APP_ORIGIN, "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "authorization"})
    actual = await client.get("/private/secret", headers={"Origin": APP_ORIGIN})
    assert preflight.status_code == 204
    assert actual.status_code == 401
    assert actual["Access-Control-Allow-Origin"] == APP_ORIGIN


async def _tenant_origin(origin: str) -> bool:
    return origin == "https://tenant.example.net"


def tenant_origin(origin: str) -> bool:
    return origin == "https://tenant.example.net"


@pytest.mark.asyncio
async def test_async_predicate_awaited() -> None:
    with override_settings(CORSGUARD={"allow_origin_predicate": _tenant_origin}):
        client = AsyncClient()
        response = await client.get("/api/items", headers={"Origin": "https://tenant.example.net"})
    assert response["Access-Control-Allow-Origin"] == "https://tenant.example.net"


def test_predicate_from_dotted_path() -> None:
    with override_settings(CORSGUARD={"allow_origin_predicate": f"{__name__}.tenant_origin"}):
        allowed = _client().get("/api/items", HTTP_ORIGIN="https://tenant.example.net")
        refused = _client().get("/api/items", HTTP_ORIGIN=EVIL_ORIGIN)
    assert allowed["Access-Control-Allow-Origin"] == "https://tenant.example.net"
    assert "Access-Control-Allow-Origin" not in refused


def test_async_predicate_runs_in_sync_stack() -> None:
    with override_settings(CORSGUARD={"allow_origin_predicate": _tenant_origin}):
        allowed = _client().get("/api/items", HTTP_ORIGIN="https://tenant.example.net")
        refused = _client().get("/api/items", HTTP_ORIGIN=EVIL_ORIGIN)
    assert allowed["Access-Control-Allow-Origin"] == "https://tenant.example.net"
    assert "Access-Control-Allow-Origin" not in refused


def test_routes_choose_policy_by_path_info() -> None:
    with override_settings(CORSGUARD={"allow_origins": [APP_ORIGIN],
                                      "routes": {"/public/**": {"allow_origins": ["*"]}}}):
        public = _client().get("/public/items", HTTP_ORIGIN=EVIL_ORIGIN)
        api = _client().get("/api/items", HTTP_ORIGIN=EVIL_ORIGIN)
    assert public["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Origin" not in api


def test_invalid_settings_fail_at_startup() -> None:
    settings_override = override_settings(CORSGUARD={"allow_origins": ["*"], "allow_credentials": True})
    with settings_override, pytest.raises(ValueError, match="origin-wildcard-with-credentials"):
        _client().get("/api/items")


# --- django-cors-headers settings -----------------------------------------------------------


def test_legacy_allowed_origins() -> None:
    with legacy_settings(CORS_ALLOWED_ORIGINS=[APP_ORIGIN], CORS_ALLOW_CREDENTIALS=True):
        response = _client().get("/api/items", HTTP_ORIGIN=APP_ORIGIN)
    assert response["Access-Control-Allow-Origin"] == APP_ORIGIN
    assert response["Access-Control-Allow-Credentials"] == "true"


def test_legacy_defaults_apply() -> None:
    with legacy_settings(CORS_ALLOWED_ORIGINS=[APP_ORIGIN]):
        response = _preflight(_client(), "/api/items", "PATCH", "x-csrftoken,x-requested-with")
    assert response.status_code == 204
    assert response["Access-Control-Max-Age"] == "86400"


def test_legacy_zero_max_age_omits_header() -> None:
    with legacy_settings(CORS_ALLOWED_ORIGINS=[APP_ORIGIN], CORS_PREFLIGHT_MAX_AGE=0):
        response = _preflight(_client(), "/api/items", "PUT")
    assert "Access-Control-Max-Age" not in response


def test_legacy_alias_whitelist() -> None:
    with legacy_settings(CORS_ORIGIN_WHITELIST=[APP_ORIGIN]):
        response = _client().get("/api/items", HTTP_ORIGIN=APP_ORIGIN)
    assert response["Access-Control-Allow-Origin"] == APP_ORIGIN


def test_legacy_allow_all_without_credentials() -> None:
    with legacy_settings(CORS_ALLOW_ALL_ORIGINS=True):
        response = _client().get("/api/items", HTTP_ORIGIN=EVIL_ORIGIN)
    assert response["Access-Control-Allow-Origin"] == "*"


def test_legacy_regex_is_full_matched() -> None:
    with legacy_settings(CORS_ALLOWED_ORIGIN_REGEXES=[r"https://\w+\.example\.org"]):
        allowed = _client().get("/api/items", HTTP_ORIGIN="https://a.example.org")
        refused = _client().get("/api/items", HTTP_ORIGIN="https://a.example.org.evil.com")
    assert allowed["Access-Control-Allow-Origin"] == "https://a.example.org"
    assert "Access-Control-Allow-Origin" not in refused


def test_legacy_urls_regex_limits_cors() -> None:
    with legacy_settings(CORS_ALLOWED_ORIGINS=[APP_ORIGIN], CORS_URLS_REGEX=r"^/api/.*$"):
        inside = _client().get("/api/items", HTTP_ORIGIN=APP_ORIGIN)
        outside = _client().get("/public/items", HTTP_ORIGIN=APP_ORIGIN)
        preflight = _preflight(_client(), "/public/items")
    assert inside["Access-Control-Allow-Origin"] == APP_ORIGIN
    assert "Access-Control-Allow-Origin" not in outside
    assert outside["Vary"] == "Accept-Encoding"
    assert preflight.status_code != 204


def test_legacy_compiled_urls_regex() -> None:
    with legacy_settings(CORS_ALLOWED_ORIGINS=[APP_ORIGIN], CORS_URLS_REGEX=re.compile(r"^/public/")):
        response = _client().get("/public/items", HTTP_ORIGIN=APP_ORIGIN)
    assert response["Access-Control-Allow-Origin"] == APP_ORIGIN


# --- system checks --------------------------------------------------------------------------


def test_valid_settings_pass_checks() -> None:
    assert checks.check_settings() == []
    assert checks.check_middleware() == []


def test_every_problem_code_has_check_id() -> None:
    assert set(checks.ERROR_IDS) == set(PROBLEM_CODES)


def test_check_ids_are_unique() -> None:
    ids = [*checks.ERROR_IDS.values(), *checks.WARNING_IDS.values()]
    assert len(ids) == len(set(ids))


def test_check_wildcard_with_credentials() -> None:
    assert _check_ids(CORSGUARD={"allow_origins": ["*"], "allow_credentials": True}) == ["corsguard.E005"]


def test_check_message_names_setting() -> None:
    with override_settings(CORSGUARD={"allow_origins": ["https://app.example.com/"]}):
        (message,) = checks.check_settings()
    assert message.msg.startswith("CORSGUARD['allow_origins']: 'https://app.example.com/'")
    assert message.hint


def test_check_corsguard_not_a_dict() -> None:
    assert _check_ids(CORSGUARD=["https://app.example.com"]) == ["corsguard.E002", "corsguard.E004"]


def test_check_unknown_option() -> None:
    assert _check_ids(CORSGUARD={"allow_origins": [APP_ORIGIN], "allow_origin": []}) == ["corsguard.E001"]


def test_check_route_problem() -> None:
    ids = _check_ids(CORSGUARD={"allow_origins": [APP_ORIGIN], "routes": {"api/**": {"allow_origins": ["*"]}}})
    assert ids == ["corsguard.E034"]


def test_check_config_warning() -> None:
    ids = _check_ids(CORSGUARD={"allow_origins": [APP_ORIGIN], "allow_credentials": True,
                                "allow_headers": ["*"]})
    assert ids == ["corsguard.W005"]


def test_legacy_check_allow_all_with_credentials() -> None:
    with legacy_settings(CORS_ALLOW_ALL_ORIGINS=True, CORS_ALLOW_CREDENTIALS=True):
        (message,) = checks.check_settings()
    assert message.id == "corsguard.E005"
    assert message.msg.startswith("CORS_ALLOW_ALL_ORIGINS:")


@pytest.mark.parametrize(("origins", "expected"), [
    (["null"], "corsguard.E006"),
    (["file://"], "corsguard.E007"),
    (["example.com"], "corsguard.E008"),
    (["https://example.com/"], "corsguard.E009"),
    (["https://Example.com"], "corsguard.E011"),
    (["https://example.com:443"], "corsguard.E016"),
])
def test_legacy_check_origin_forms(origins: list[str], expected: str) -> None:
    assert _legacy_check_ids(CORS_ALLOWED_ORIGINS=origins) == [expected]


def test_legacy_check_unanchored_dot_regex() -> None:
    ids = _legacy_check_ids(CORS_ALLOWED_ORIGIN_REGEXES=[r"https://app.example.com"])
    assert ids == ["corsguard.E033"]


def test_legacy_check_bad_urls_regex() -> None:
    assert _legacy_check_ids(CORS_ALLOWED_ORIGINS=[APP_ORIGIN], CORS_URLS_REGEX="(") == ["corsguard.E034"]


def test_legacy_check_forbidden_default_free() -> None:
    assert _legacy_check_ids(CORS_ALLOWED_ORIGINS=[APP_ORIGIN]) == []


def test_check_both_sources_warns() -> None:
    assert _check_ids(CORS_ALLOWED_ORIGINS=[APP_ORIGIN]) == ["corsguard.W003"]


def test_check_middleware_missing() -> None:
    with override_settings(MIDDLEWARE=MIDDLEWARE[1:]):
        assert [message.id for message in checks.check_middleware()] == ["corsguard.W001"]


def test_check_middleware_after_common() -> None:
    with override_settings(MIDDLEWARE=[MIDDLEWARE[1], MIDDLEWARE[0]]):
        assert [message.id for message in checks.check_middleware()] == ["corsguard.W002"]


def test_check_two_cors_middlewares() -> None:
    with override_settings(MIDDLEWARE=[*MIDDLEWARE, "corsheaders.middleware.CorsMiddleware"]):
        assert [message.id for message in checks.check_middleware()] == ["corsguard.W004"]


def test_checks_registered_with_django() -> None:
    from django.core.checks import run_checks

    with override_settings(CORSGUARD={"allow_origins": "https://app.example.com"}):
        ids = [message.id for message in run_checks(tags=["corsguard"])]
    assert ids == ["corsguard.E003"]


# --- real server ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def live_url() -> Iterator[str]:
    with serve_wsgi(WSGIHandler()) as url:
        yield url


@pytest.mark.server
def test_live_preflight_401_and_500(live_url: str) -> None:
    exchange = exchange_with_protected_route(live_url, APP_ORIGIN, error_path="/boom")
    assert exchange.preflight.status_code == 204
    assert exchange.unauthenticated.status_code == 401
    assert exchange.unauthenticated.headers["access-control-allow-origin"] == APP_ORIGIN
    assert exchange.failed is not None
    assert exchange.failed.status_code == 500
    assert exchange.failed.headers["access-control-allow-origin"] == APP_ORIGIN


@pytest.mark.server
def test_live_checker_allows_credentialed_read(live_url: str) -> None:
    result = browser_check(f"{live_url}/private/secret", APP_ORIGIN, "GET", ["Authorization: Bearer good"])
    assert result.allowed, result.verdict


@pytest.mark.server
def test_live_checker_blocks_other_origin(live_url: str) -> None:
    result = browser_check(f"{live_url}/api/items", EVIL_ORIGIN)
    assert not result.allowed


def test_routes_without_default_origins() -> None:
    with override_settings(CORSGUARD={"routes": {"/public/**": {"allow_origins": ["*"]}}}):
        public = _client().get("/public/items", HTTP_ORIGIN=EVIL_ORIGIN)
        api = _client().get("/api/items", HTTP_ORIGIN=APP_ORIGIN)
    assert public["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Origin" not in api
    assert api["Vary"] == "Accept-Encoding"


@pytest.mark.server
def test_live_asgi_preflight_and_401() -> None:
    from django.core.handlers.asgi import ASGIHandler

    from corsguard.servers import serve_asgi

    with serve_asgi(ASGIHandler()) as url, httpx.Client(base_url=url) as client:
        preflight = client.options("/private/secret", headers={
            "Origin": APP_ORIGIN, "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "authorization"})
        actual = client.get("/private/secret", headers={"Origin": APP_ORIGIN})
    assert preflight.status_code == 204
    assert actual.status_code == 401
    assert actual.headers["access-control-allow-origin"] == APP_ORIGIN


def test_corsguard_urls_regex() -> None:
    with override_settings(CORSGUARD={"allow_origins": [APP_ORIGIN], "urls_regex": r"^/api/"}):
        inside = _client().get("/api/items", HTTP_ORIGIN=APP_ORIGIN)
        outside = _client().get("/public/items", HTTP_ORIGIN=APP_ORIGIN)
    assert inside["Access-Control-Allow-Origin"] == APP_ORIGIN
    assert "Access-Control-Allow-Origin" not in outside


def test_corsguard_origin_regexes() -> None:
    with override_settings(CORSGUARD={"allow_origin_regexes": [r"https://[a-z]+\.example\.org"],
                                      "allow_credentials": True}):
        allowed = _client().get("/api/items", HTTP_ORIGIN="https://shop.example.org")
        refused = _client().get("/api/items", HTTP_ORIGIN="https://shop.example.org.evil.com")
    assert allowed["Access-Control-Allow-Origin"] == "https://shop.example.org"
    assert "Access-Control-Allow-Origin" not in refused


def test_check_corsguard_unsafe_regex() -> None:
    ids = _check_ids(CORSGUARD={"allow_origin_regexes": ["https://.*"], "allow_credentials": True})
    assert ids == ["corsguard.E005"]
