"""Headless Chromium from Debian's `chromium` package, driven by Playwright.

Locally a missing browser skips the test; under CI (the CI environment variable is set) it fails,
so that a broken install cannot pass silently.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest

CHROMIUM_PATH = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
]


def require_chromium() -> None:
    """Skip (locally) or fail (under CI) when Chromium or Playwright is missing."""
    problem = ""
    if not (os.path.exists(CHROMIUM_PATH) or shutil.which("chromium")):
        problem = f"Chromium is not installed at {CHROMIUM_PATH} (apt-get install chromium)"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            problem = "Playwright is not installed (pip install playwright)"
    if problem:
        if os.environ.get("CI"):
            pytest.fail(problem)
        pytest.skip(problem)


@contextlib.contextmanager
def launch_chromium() -> Iterator[Any]:
    """Yield a Playwright Browser running Debian's headless Chromium with a fresh profile."""
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM_PATH,
            headless=True,
            args=CHROMIUM_ARGS,
        )
        try:
            yield browser
        finally:
            browser.close()
