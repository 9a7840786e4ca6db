"""Headless Chromium and `corsguard check --profile chromium` agree on the demo's API.

Two front-end pages on loopback (one allowed by the API's policy, one not) call the API on a
third port with `credentials: "include"`. The API returns the session's JSON only when the
`sessionId` cookie reaches it. Chromium's outcome is read in the page and over the DevTools
protocol (`Network.loadingFailed` and its `corsErrorStatus`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from click.testing import CliRunner

from corsguard.cli import main
from corsguard.cli.demo_apps import (
    CSRF_HEADER,
    DEMO_SESSION_ID,
    SESSION_COOKIE,
    build_api,
    frontend_app,
    misconfigured_api,
)
from corsguard.servers import serve_asgi, serve_wsgi
from tests.support.chromium import launch_chromium

pytestmark = [pytest.mark.browser, pytest.mark.server]

# Chromium delivers DevTools events to the sync Playwright API only while a Playwright call runs,
# so each fetch is followed by a short wait inside Playwright.
EVENT_WAIT_MS = 300

FETCH_SCRIPT = """async ([url, headers]) => {
  try {
    const response = await fetch(url, {credentials: "include", headers});
    return {ok: true, status: response.status, headers: [...response.headers.keys()],
            body: await response.text()};
  } catch (error) {
    return {ok: false, error: String(error)};
  }
}"""


@dataclass(frozen=True)
class Stack:
    allowed_page: str
    disallowed_page: str
    api: str
    misconfigured_api: str


@dataclass(frozen=True)
class BrowserOutcome:
    verdict: str
    status: int | None
    headers: tuple[str, ...]
    body: str
    cors_error: str | None
    failed_parameter: str | None


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    with serve_asgi(frontend_app) as allowed, serve_asgi(frontend_app) as disallowed, \
            serve_asgi(build_api(allowed)) as api, serve_wsgi(misconfigured_api) as misconfigured:
        yield Stack(allowed, disallowed, api, misconfigured)


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    with launch_chromium() as browser:
        yield browser


def new_page_with_cookie(chromium: Any, api: str) -> tuple[Any, Any]:
    """Open a fresh context (empty preflight cache) with the session cookie for the API in its jar."""
    context = chromium.new_context()
    context.add_cookies([{"name": SESSION_COOKIE, "value": DEMO_SESSION_ID, "url": api}])
    return context, context.new_page()


def browser_fetch(chromium: Any, page_origin: str, url: str, headers: dict[str, str]) -> BrowserOutcome:
    context, page = new_page_with_cookie(chromium, url)
    try:
        failures: list[dict[str, Any]] = []
        urls: dict[str, str] = {}
        cdp = context.new_cdp_session(page)

        def record_request(event: dict[str, Any]) -> None:
            urls[event["requestId"]] = event["request"]["url"]

        def record_failure(event: dict[str, Any]) -> None:
            failures.append(event)

        cdp.on("Network.requestWillBeSent", record_request)
        cdp.on("Network.loadingFailed", record_failure)
        cdp.send("Network.enable")

        page.goto(f"{page_origin}/")
        result = page.evaluate(FETCH_SCRIPT, [url, headers])
        page.wait_for_timeout(EVENT_WAIT_MS)
    finally:
        context.close()

    statuses = [f.get("corsErrorStatus") for f in failures if urls.get(f["requestId"]) == url]
    cors_status = next((s for s in statuses if s), None) or {}
    if result["ok"]:
        return BrowserOutcome("allowed", result["status"], tuple(sorted(result["headers"])), result["body"],
                              None, None)
    return BrowserOutcome("blocked", None, (), "", cors_status.get("corsError"), cors_status.get("failedParameter"))


def corsguard_check(page_origin: str, url: str, headers: dict[str, str]) -> tuple[int, dict[str, Any]]:
    args = ["check", url, "--origin", page_origin, "--credentials", "include", "--profile", "chromium",
            "--cookie", f"{SESSION_COOKIE}={DEMO_SESSION_ID}", "--json"]
    for name, value in headers.items():
        args += ["-H", f"{name}: {value}"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code in (0, 1), result.output
    return result.exit_code, json.loads(result.output)


def test_allowed_page_reads_session(chromium: Any, stack: Stack) -> None:
    outcome = browser_fetch(chromium, stack.allowed_page, f"{stack.api}/data", {})
    assert outcome.verdict == "allowed"
    assert outcome.status == 200
    assert json.loads(outcome.body)["user"] == "ada"

    status, verdict = corsguard_check(stack.allowed_page, f"{stack.api}/data", {})
    assert status == 0
    assert verdict["verdict"] == "allowed"
    assert verdict["status"] == outcome.status
    assert sorted(verdict["visible_headers"]) == list(outcome.headers)
    assert "x-request-id" in outcome.headers
    assert verdict["credentials_attached"]["actual"] is True


def test_disallowed_page_is_blocked(chromium: Any, stack: Stack) -> None:
    outcome = browser_fetch(chromium, stack.disallowed_page, f"{stack.api}/data", {})
    assert outcome.verdict == "blocked"
    assert outcome.cors_error == "MissingAllowOriginHeader"

    status, verdict = corsguard_check(stack.disallowed_page, f"{stack.api}/data", {})
    assert status == 1
    assert verdict["verdict"] == "blocked"
    assert verdict["error"]["chromium"] == outcome.cors_error


def test_wildcard_with_credentials_blocked(chromium: Any, stack: Stack) -> None:
    outcome = browser_fetch(chromium, stack.allowed_page, f"{stack.misconfigured_api}/data", {})
    assert outcome.verdict == "blocked"
    assert outcome.cors_error == "WildcardOriginNotAllowed"

    status, verdict = corsguard_check(stack.allowed_page, f"{stack.misconfigured_api}/data", {})
    assert status == 1
    assert verdict["error"]["chromium"] == outcome.cors_error


def test_preflighted_header_allowed(chromium: Any, stack: Stack) -> None:
    headers = {CSRF_HEADER: "d3m0"}
    outcome = browser_fetch(chromium, stack.allowed_page, f"{stack.api}/data", headers)
    assert outcome.verdict == "allowed"
    assert json.loads(outcome.body)["user"] == "ada"

    status, verdict = corsguard_check(stack.allowed_page, f"{stack.api}/data", headers)
    assert status == 0
    assert verdict["preflight_needed"] is True
    assert verdict["verdict"] == "allowed"
    assert sorted(verdict["visible_headers"]) == list(outcome.headers)


def test_preflighted_header_refused(chromium: Any, stack: Stack) -> None:
    headers = {"X-Debug": "1"}
    outcome = browser_fetch(chromium, stack.allowed_page, f"{stack.api}/data", headers)
    assert outcome.verdict == "blocked"
    assert outcome.cors_error == "PreflightMissingAllowOriginHeader"

    status, verdict = corsguard_check(stack.allowed_page, f"{stack.api}/data", headers)
    assert status == 1
    assert verdict["error"]["stage"] == "preflight"
    assert verdict["error"]["chromium"] == outcome.cors_error


def load_frontend_page(chromium: Any, page_origin: str, api: str) -> str:
    """Load the front-end page, whose own script calls the API, and return what it displays."""
    context, page = new_page_with_cookie(chromium, api)
    try:
        page.goto(f"{page_origin}/?api={api}")
        page.wait_for_function("document.getElementById('out').textContent !== 'loading...'")
        return page.text_content("#out") or ""
    finally:
        context.close()


def test_frontend_page_shows_data(chromium: Any, stack: Stack) -> None:
    displayed = json.loads(load_frontend_page(chromium, stack.allowed_page, stack.api))
    assert displayed["status"] == 200
    assert displayed["body"]["user"] == "ada"


def test_disallowed_frontend_page_gets_type_error(chromium: Any, stack: Stack) -> None:
    displayed = load_frontend_page(chromium, stack.disallowed_page, stack.api)
    assert displayed == "TypeError: Failed to fetch"


LOGIN_THEN_DATA_SCRIPT = """async (api) => {
  const login = await fetch(api + "/login", {method: "POST", credentials: "include"});
  const data = await fetch(api + "/data", {credentials: "include"});
  return {login: login.status, status: data.status, body: await data.json()};
}"""


def test_login_response_sets_cookie(chromium: Any, stack: Stack) -> None:
    context = chromium.new_context()
    try:
        page = context.new_page()
        page.goto(f"{stack.allowed_page}/")
        result = page.evaluate(LOGIN_THEN_DATA_SCRIPT, stack.api)
        jar = {cookie["name"]: cookie["value"] for cookie in context.cookies(stack.api)}
    finally:
        context.close()
    assert result["login"] == 200
    assert result["status"] == 200
    assert result["body"]["user"] == "ada"
    assert jar == {SESSION_COOKIE: DEMO_SESSION_ID}

    cli = CliRunner().invoke(main, ["check", f"{stack.api}/login", "--origin", stack.allowed_page, "--method",
                                    "POST", "--credentials", "include", "--profile", "chromium", "--json"])
    assert cli.exit_code == 0, cli.output
    cookies = json.loads(cli.output)["cookies"]
    assert [(c["name"], c["action"]) for c in cookies] == [(SESSION_COOKIE, "stored")]
