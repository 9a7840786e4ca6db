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
