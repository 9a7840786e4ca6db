"""Every error id has an explanation and a server-side fix, and docs/errors.md lists it."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from corsguard.browser import (
    CHROMIUM_ERRORS,
    FIREFOX_REASONS,
    Checker,
    ErrorInfo,
    FetchRequest,
    RecordedResponse,
    RecordedTransport,
)
from corsguard.browser.errors import COOKIE_REASONS
from corsguard.browser.explain import explain_failure
from corsguard.browser.model import CorsFailure

from .conformance import BROWSER_CASES, load_cases

SOURCE = Path(__file__).resolve().parents[2] / "src" / "corsguard" / "browser"
ERRORS_DOC = Path(__file__).resolve().parents[2] / "docs" / "errors.md"
# A fix names a corsguard setting, a header, a cookie attribute, or says no server change helps.
FIX_VOCABULARY = re.compile(
    r"allow_origins|allow_credentials|allow_methods|allow_headers|preflight_status|Access-Control-|"
    r"`Location`|`Domain`|Secure|SameSite|Partitioned|Path=|https|server|client"
)


def emitted_codes() -> set[str]:
    """Collect every error id the checker's source can put into a CorsFailure."""
    codes: set[str] = set()
    for path in SOURCE.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) in (
                    "_fail", "RequestProblem", "CheckFailure"):
                codes |= {argument.value for argument in node.args[:2]
                          if isinstance(argument, ast.Constant) and isinstance(argument.value, str)
                          and argument.value[:1].isupper()}
    return codes


def test_emitted_codes_found() -> None:
    # Guards the scan above: a few ids from each stage must be among those it finds.
    assert {"PreflightInvalidStatus", "NoCorsMethodNotSafelisted", "RedirectContainsCredentials",
            "MissingAllowOriginHeader", "NetworkError"} <= emitted_codes()


@pytest.mark.parametrize("code", sorted(emitted_codes() | {"Preflight" + name for name in (
    "MissingAllowOriginHeader", "MultipleAllowOriginValues", "InvalidAllowOriginValue", "AllowOriginMismatch",
    "WildcardOriginNotAllowed", "InvalidAllowCredentials")}))
def test_every_emitted_code_explained(code: str) -> None:
    info = CHROMIUM_ERRORS.get(code) or FIREFOX_REASONS.get(code)
    assert info is not None, f"{code} has no entry in corsguard.browser.errors"
    assert info.explanation.strip()
    assert info.fix.strip()


def test_every_conformance_name_explained() -> None:
    names: set[str] = set()
    for case in load_cases(BROWSER_CASES):
        error = case["expected"]["error"]
        if error:
            names |= {name for name in (error["chromium"], error["firefox"]) if name}
    assert sorted(names - set(CHROMIUM_ERRORS) - set(FIREFOX_REASONS)) == []


@pytest.mark.parametrize("table", [CHROMIUM_ERRORS, FIREFOX_REASONS, COOKIE_REASONS], ids=["chromium", "firefox", "cookie"])
def test_fixes_name_a_setting_or_header(table: dict[str, ErrorInfo]) -> None:
    for code, info in table.items():
        assert FIX_VOCABULARY.search(info.fix), f"{code}: the fix names no setting or header"


@pytest.mark.parametrize("code", sorted(CHROMIUM_ERRORS))
def test_templates_fill_without_gaps(code: str) -> None:
    context = {"origin": "https://app.example", "page_origin": "https://app.example", "url": "https://api.example/r",
               "method": "PUT", "credentials": "include", "tainted": False, "response": None, "unsafe_headers": []}
    explanation, fix = explain_failure(CorsFailure("actual", code, code, None, "x-value"), context)
    for text in (explanation, fix):
        assert "{" not in text
        assert "?" not in text.replace("`?`", "")


@pytest.mark.parametrize("code", sorted(set(CHROMIUM_ERRORS) | set(FIREFOX_REASONS) | set(COOKIE_REASONS)))
def test_errors_doc_lists_every_id(code: str) -> None:
    assert f"`{code}`" in ERRORS_DOC.read_text(encoding="utf-8")


def test_blocked_verdict_carries_explanation_and_fix() -> None:
    request = FetchRequest("https://api.example/r", "https://app.example", credentials="include")
    response = RecordedResponse(200, (("Access-Control-Allow-Origin", "https://app.example"),))
    verdict = Checker().check(request, RecordedTransport({("*", "*"): response}))
    assert verdict.error is not None
    assert "Access-Control-Allow-Credentials" in verdict.explanation
    assert "allow_credentials=True" in verdict.fix
    assert verdict.to_dict()["error"]["chromium"] == "InvalidAllowCredentials"
