"""The server conformance table, run through the Starlette and Django integrations.

Request cases go through a real Starlette app (corsguard installed outside its error layer) and a
real Django stack (corsguard's middleware, `CORSGUARD` settings). Config cases go through the
Starlette constructor and through Django's system checks.
"""

from __future__ import annotations

import warnings
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.routing import Mount
from starlette.testclient import TestClient

from corsguard import ConfigError, ConfigWarning, Policy
from corsguard.contrib.starlette import CORSMiddleware as StarletteCORSMiddleware
from corsguard.contrib.starlette import install

from .. import conformance
from ..conformance import Response
from .django_project import configure

configure()

from django.http import HttpRequest, HttpResponse
from django.test import Client, override_settings
from django.urls import path

from corsguard.contrib.django import checks

pytestmark = pytest.mark.filterwarnings("ignore::corsguard.ConfigWarning")

REQUEST_CASES = conformance.request_cases()
CONFIG_CASES = conformance.server_cases("config")
APP_STATUS = 200
CORSGUARD_ONLY = ["corsguard.contrib.django.middleware.CORSMiddleware"]

# Codes by the field a case's expected error names, as in the core conformance test.
FIELD_PREFIX = {"origin": "origin", "method": "method", "request_header": "header",
                "exposed_header": "expose", "max_age": "max-age"}


def _added_headers(final: list[tuple[str, str]], app_vary: str | None) -> list[tuple[str, str]]:
    """Keep the CORS headers and the Vary names the middleware added to the app's response."""
    app_names = {name.strip().lower() for name in (app_vary or "").split(",") if name.strip()}
    added = []
    for name, value in final:
        lower = name.lower()
        if lower == "vary":
            names = [item.strip() for item in value.split(",") if item.strip().lower() not in app_names]
            if names:
                added.append((name, ", ".join(names)))
        elif lower.startswith("access-control-"):
            added.append((name, value))
    return added


def _check_request_case(case: dict[str, Any], run: Any) -> None:
    try:
        response = run(case)
    except ConfigError:
        allowed, _ = conformance.DEVIATIONS.get(case["id"], (frozenset(), ""))
        assert "config" in allowed, f"{case['id']}: corsguard rejects the configuration"
        return
    conformance.check(case, response)


# --- Starlette ------------------------------------------------------------------------------


def run_starlette(case: dict[str, Any]) -> Response:
    called: list[bool] = []
    vary = conformance.preexisting_vary(case)

    async def endpoint(scope: Any, receive: Any, send: Any) -> None:
        called.append(True)
        headers = [(b"content-type", b"text/plain")]
        if vary:
            headers.append((b"vary", vary.encode()))
        await send({"type": "http.response.start", "status": APP_STATUS, "headers": headers})
        await send({"type": "http.response.body", "body": b"ok"})

    app = Starlette(routes=[Mount("/", app=endpoint)])
    install(app, policy=Policy(**conformance.options_for(case)))
    headers = [(name.encode("latin-1"), value.encode("latin-1")) for name, value in conformance.header_lines(case)]
    with TestClient(app) as client:
        response = client.request(case["request"]["method"], "/", headers=headers)
    final = [(name.decode("latin-1"), value.decode("latin-1")) for name, value in response.headers.raw]
    return Response(response.status_code, _added_headers(final, vary), bool(called))


@pytest.mark.parametrize("case", REQUEST_CASES, ids=list(conformance.ids(REQUEST_CASES)))
def test_starlette_request_case(case: dict[str, Any]) -> None:
    _check_request_case(case, run_starlette)


def _expected_problem_codes(case: dict[str, Any], problems: list[str]) -> None:
    for error in case["expected"]["config_errors"]:
        prefix = FIELD_PREFIX[error["field"]]
        assert any(code.startswith(prefix) for code in problems), f"no {prefix}* problem for {error} in {problems}"


@pytest.mark.parametrize("case", CONFIG_CASES, ids=list(conformance.ids(CONFIG_CASES)))
def test_starlette_config_case(case: dict[str, Any]) -> None:
    options = conformance.options_for(case)
    if case["expected"]["outcome"] == "config_accepted":
        StarletteCORSMiddleware(Starlette(), **options)
        return
    with pytest.raises(ConfigError) as caught:
        StarletteCORSMiddleware(Starlette(), **options)
    _expected_problem_codes(case, [problem.code for problem in caught.value.problems])


# --- Django ---------------------------------------------------------------------------------

_django_calls: list[bool] = []
_django_vary: list[str | None] = [None]


def conformance_view(request: HttpRequest) -> HttpResponse:
    _django_calls.append(True)
    response = HttpResponse("ok", content_type="text/plain", status=APP_STATUS)
    if _django_vary[0]:
        response["Vary"] = _django_vary[0]
    return response


urlpatterns = [path("", conformance_view)]


def run_django(case: dict[str, Any]) -> Response:
    _django_calls.clear()
    _django_vary[0] = conformance.preexisting_vary(case)
    environ: dict[str, str] = {}
    for name, value in conformance.header_lines(case):
        key = "HTTP_" + name.upper().replace("-", "_")
        environ[key] = f"{environ[key]},{value}" if key in environ else value
    settings_override = override_settings(CORSGUARD=conformance.options_for(case), MIDDLEWARE=CORSGUARD_ONLY,
                                          ROOT_URLCONF=__name__)
    with settings_override:
        response = Client().generic(case["request"]["method"], "/", **environ)  # type: ignore[arg-type]
    final = [(name, value) for name, value in response.items()]
    return Response(response.status_code, _added_headers(final, _django_vary[0]), bool(_django_calls))


@pytest.mark.parametrize("case", REQUEST_CASES, ids=list(conformance.ids(REQUEST_CASES)))
def test_django_request_case(case: dict[str, Any]) -> None:
    _check_request_case(case, run_django)


@pytest.mark.parametrize("case", CONFIG_CASES, ids=list(conformance.ids(CONFIG_CASES)))
def test_django_config_case(case: dict[str, Any]) -> None:
    with override_settings(CORSGUARD=conformance.options_for(case)), warnings.catch_warnings():
        warnings.simplefilter("ignore", ConfigWarning)
        messages = checks.check_settings()
    errors = [message for message in messages if message.is_serious()]
    if case["expected"]["outcome"] == "config_accepted":
        assert errors == []
        return
    codes = [code for code, check_id in checks.ERROR_IDS.items()
             for message in errors if message.id == check_id]
    assert len(codes) == len(errors)
    _expected_problem_codes(case, codes)
