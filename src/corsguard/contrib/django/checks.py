"""Django system checks: corsguard's configuration problems, with stable ids.

Every corsguard problem code maps to one id below; the ids never change meaning, so they can be
listed in SILENCED_SYSTEM_CHECKS (for warnings) or matched in tests. `manage.py check` and
`runserver` run these checks under the "corsguard" and "security" tags.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from typing import Any

from django.conf import settings
from django.core import checks

from ...config import PROBLEM_CODES, ConfigError, ConfigWarning, Problem
from . import conf

MIDDLEWARE_PATH = "corsguard.contrib.django.middleware.CORSMiddleware"

# corsguard problem code -> Django check id. Append new codes at the end; never renumber.
ERROR_IDS: Mapping[str, str] = {
    "option-unknown": "corsguard.E001",
    "option-type": "corsguard.E002",
    "option-bare-string": "corsguard.E003",
    "origins-missing": "corsguard.E004",
    "origin-wildcard-with-credentials": "corsguard.E005",
    "origin-null": "corsguard.E006",
    "origin-file": "corsguard.E007",
    "origin-invalid": "corsguard.E008",
    "origin-path": "corsguard.E009",
    "origin-userinfo": "corsguard.E010",
    "origin-uppercase": "corsguard.E011",
    "origin-non-ascii": "corsguard.E012",
    "origin-host": "corsguard.E013",
    "origin-ip": "corsguard.E014",
    "origin-port": "corsguard.E015",
    "origin-default-port": "corsguard.E016",
    "origin-wildcard": "corsguard.E017",
    "origin-insecure": "corsguard.E018",
    "origin-public-suffix": "corsguard.E019",
    "method-invalid": "corsguard.E020",
    "method-forbidden": "corsguard.E021",
    "header-invalid": "corsguard.E022",
    "header-forbidden": "corsguard.E023",
    "header-prohibited": "corsguard.E024",
    "expose-invalid": "corsguard.E025",
    "expose-forbidden": "corsguard.E026",
    "expose-prohibited": "corsguard.E027",
    "expose-wildcard-with-credentials": "corsguard.E028",
    "max-age-range": "corsguard.E029",
    "preflight-status": "corsguard.E030",
    "predicate-signature": "corsguard.E031",
    "origin-regex-invalid": "corsguard.E032",
    "origin-regex-unescaped-dot": "corsguard.E033",
    "route-invalid": "corsguard.E034",
}
# A problem code newer than this table; the test suite fails until the table lists it.
UNMAPPED_ERROR_ID = "corsguard.E099"

WARNING_IDS: Mapping[str, str] = {
    "middleware-missing": "corsguard.W001",
    "middleware-late": "corsguard.W002",
    "both-sources": "corsguard.W003",
    "two-cors-middlewares": "corsguard.W004",
    "config-warning": "corsguard.W005",
}

# Middleware that can answer a request, or reject it, before a later CORS middleware runs.
ANSWERING_MIDDLEWARE = (
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.auth.middleware.RemoteUserMiddleware",
    "django.middleware.locale.LocaleMiddleware",
)


def register() -> None:
    checks.register(check_settings, "corsguard", checks.Tags.security)
    checks.register(check_middleware, "corsguard", checks.Tags.security)


def check_settings(app_configs: Sequence[Any] | None = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Compile the CORS settings and turn every problem and warning into a check message."""
    messages: list[checks.CheckMessage] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConfigWarning)
        try:
            conf.build(settings)
        except ConfigError as error:
            messages.extend(_error(problem) for problem in error.problems)
    for warning in caught:
        if issubclass(warning.category, ConfigWarning):
            messages.append(checks.Warning(str(warning.message), id=WARNING_IDS["config-warning"]))
    if hasattr(settings, conf.SETTING) and any(hasattr(settings, name) for name in conf.LEGACY_SETTINGS):
        ignored = sorted(name for name in conf.LEGACY_SETTINGS if hasattr(settings, name))
        messages.append(checks.Warning(
            f"CORSGUARD is set, so these django-cors-headers settings are ignored: {', '.join(ignored)}",
            hint="move what you need into CORSGUARD and delete them", id=WARNING_IDS["both-sources"]))
    return messages


def _error(problem: Problem) -> checks.Error:
    where = f"{problem.option}: " if problem.option else ""
    meaning = PROBLEM_CODES.get(problem.code, problem.code)
    return checks.Error(f"{where}{problem.value!r} is rejected: {meaning} [{problem.code}]",
                        hint=problem.hint, id=ERROR_IDS.get(problem.code, UNMAPPED_ERROR_ID))


def check_middleware(app_configs: Sequence[Any] | None = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Check that the middleware is installed, comes before answering middleware, and is alone."""
    middleware = [str(path) for path in getattr(settings, "MIDDLEWARE", None) or ()]
    if MIDDLEWARE_PATH not in middleware:
        return [checks.Warning(f"{MIDDLEWARE_PATH} is not in MIDDLEWARE, so no CORS headers are sent",
                               hint="add it as the first entry of MIDDLEWARE",
                               id=WARNING_IDS["middleware-missing"])]
    messages: list[checks.CheckMessage] = []
    position = middleware.index(MIDDLEWARE_PATH)
    earlier = [path for path in middleware[:position] if path in ANSWERING_MIDDLEWARE]
    if earlier:
        messages.append(checks.Warning(
            f"{', '.join(earlier)} run(s) before corsguard, so preflights and their error "
            "responses can be answered without CORS headers",
            hint="move corsguard's middleware above them, ideally first", id=WARNING_IDS["middleware-late"]))
    if "corsheaders.middleware.CorsMiddleware" in middleware:
        messages.append(checks.Warning(
            "django-cors-headers' CorsMiddleware is also installed, so responses get two sets of CORS "
            "headers", hint="remove corsheaders.middleware.CorsMiddleware",
            id=WARNING_IDS["two-cors-middlewares"]))
    return messages
