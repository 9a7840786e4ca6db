"""Helpers for end-to-end tests: ask `corsguard check` about a real server on 127.0.0.1.

Locally, a missing `corsguard.browser` skips the check; under CI it fails, as Chromium does.
"""

from __future__ import annotations

import importlib
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pytest


@dataclass(frozen=True)
class CheckResult:
    exit_code: int
    verdict: dict[str, Any]

    @property
    def allowed(self) -> bool:
        return self.verdict.get("verdict") == "allowed"


def browser_check(url: str, origin: str, method: str = "GET", headers: Sequence[str] = (),
                  credentials: str = "include") -> CheckResult:
    """Run `corsguard check --json` on `url` and return its exit status and verdict."""
    if not os.environ.get("CI") and not _checker_available():
        pytest.skip("the browser checker (corsguard.browser) is not available")
    from click.testing import CliRunner

    from corsguard.cli import main

    arguments = ["check", url, "--origin", origin, "--method", method, "--credentials", credentials,
                 "--json"]
    for header in headers:
        arguments += ["-H", header]
    result = CliRunner().invoke(main, arguments, catch_exceptions=False)
    assert result.exit_code in (0, 1), result.output
    return CheckResult(result.exit_code, json.loads(result.output))


def _checker_available() -> bool:
    try:
        module = importlib.import_module("corsguard.browser")
    except ImportError:
        return False
    return hasattr(module, "Checker") and hasattr(module, "FetchRequest")


@dataclass(frozen=True)
class AuthExchange:
    """Responses of a live server with an auth-protected route and, optionally, a failing one."""

    preflight: Any
    unauthenticated: Any
    failed: Any | None


def exchange_with_protected_route(live_url: str, origin: str, error_path: str | None = None) -> AuthExchange:
    """Send a preflight and an anonymous GET to /private/secret, and a GET to `error_path`."""
    import httpx

    with httpx.Client(base_url=live_url) as client:
        preflight = client.options("/private/secret", headers={
            "Origin": origin, "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "authorization"})
        unauthenticated = client.get("/private/secret", headers={"Origin": origin})
        failed = client.get(error_path, headers={"Origin": origin}) if error_path else None
    return AuthExchange(preflight, unauthenticated, failed)
