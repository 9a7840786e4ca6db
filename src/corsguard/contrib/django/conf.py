"""Read corsguard's Django settings, or django-cors-headers' names, into a compiled route table.

Two sources, never mixed:

- `CORSGUARD`, one dict: every `corsguard.CORSConfig` option (`allow_origin_predicate` may be a
  dotted import path), plus `allow_origin_regexes` (full-matched expressions), `routes` (see
  `corsguard.routing`, matched on `request.path_info`) and `urls_regex` (CORS only for paths that
  `re.match` it, as django-cors-headers' `CORS_URLS_REGEX`).
- Without `CORSGUARD`, django-cors-headers' settings and defaults, for migration: see
  `LEGACY_OPTIONS`. Its old aliases (`CORS_ORIGIN_WHITELIST`, `CORS_ORIGIN_REGEX_WHITELIST`,
  `CORS_ORIGIN_ALLOW_ALL`) are read too.

The result is compiled once and rebuilt when a test changes these settings.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ...config import ConfigError, Problem
from ...policy import Policy
from ...routing import Router
from .._regex import compile_origin_regexes, regex_predicate
from . import defaults

SETTING = "CORSGUARD"
EXTRA_KEYS = ("allow_origin_regexes", "routes", "urls_regex")

# corsguard option -> (django-cors-headers setting, its old alias or "", default when unset).
LEGACY_OPTIONS: Mapping[str, tuple[str, str, object]] = {
    "allow_origins": ("CORS_ALLOWED_ORIGINS", "CORS_ORIGIN_WHITELIST", ()),
    "allow_origin_regexes": ("CORS_ALLOWED_ORIGIN_REGEXES", "CORS_ORIGIN_REGEX_WHITELIST", ()),
    "allow_all_origins": ("CORS_ALLOW_ALL_ORIGINS", "CORS_ORIGIN_ALLOW_ALL", False),
    "allow_credentials": ("CORS_ALLOW_CREDENTIALS", "", False),
    "allow_methods": ("CORS_ALLOW_METHODS", "", defaults.default_methods),
    "allow_headers": ("CORS_ALLOW_HEADERS", "", defaults.default_headers),
    "expose_headers": ("CORS_EXPOSE_HEADERS", "", ()),
    "max_age": ("CORS_PREFLIGHT_MAX_AGE", "", defaults.default_max_age),
    "allow_private_network": ("CORS_ALLOW_PRIVATE_NETWORK", "", False),
    "urls_regex": ("CORS_URLS_REGEX", "", None),
}
LEGACY_SETTINGS = tuple(name for names in LEGACY_OPTIONS.values() for name in names[:2] if name)


@dataclass(frozen=True, slots=True)
class DjangoCORS:
    """The compiled settings: which policy applies to a request path, and where they came from."""

    router: Router
    urls_regex: re.Pattern[str] | None
    source: str

    def policy_for(self, path_info: str) -> Policy | None:
        if self.urls_regex is not None and self.urls_regex.match(path_info) is None:
            return None
        return self.router.policy_for(path_info)


def uses_legacy_settings(settings: Any) -> bool:
    return not hasattr(settings, SETTING) and any(hasattr(settings, name) for name in LEGACY_SETTINGS)


def build(settings: Any) -> DjangoCORS:
    """Compile the settings; raise one `ConfigError` naming the Django setting of each problem."""
    problems: list[Problem] = []
    if uses_legacy_settings(settings):
        options, label = _read_legacy(settings, problems), _legacy_label(settings)
        source = "django-cors-headers settings"
    else:
        options, label = _read_corsguard(settings, problems), _corsguard_label
        source = SETTING
    urls_regex = _compile_urls_regex(options.pop("urls_regex", None), label("urls_regex"), problems)
    routes = options.pop("routes", None) or {}
    regexes = options.pop("allow_origin_regexes", ())
    _add_regex_predicate(options, regexes, label("allow_origin_regexes"), problems)

    found: list[Problem] = []
    default: Policy | None = None
    router: Router | None = None
    # With routes and no origin setting, paths outside the routes get no CORS headers.
    routes_only = bool(routes) and not regexes and not options.get("allow_origins") and (
        options.get("allow_origin_predicate") is None)
    try:
        default = None if routes_only else Policy(**options)
    except ConfigError as error:
        found.extend(error.problems)
    try:
        router = Router(routes, default)
    except ConfigError as error:
        found.extend(error.problems)
    if regexes:
        found = [problem for problem in found if problem.code != "origins-missing"]
    problems.extend(Problem(p.code, p.value, p.hint, label(p.option)) for p in found)
    if problems or router is None:
        raise ConfigError(problems)
    return DjangoCORS(router, urls_regex, source)


def _read_corsguard(settings: Any, problems: list[Problem]) -> dict[str, Any]:
    value = getattr(settings, SETTING, {})
    if not isinstance(value, Mapping):
        problems.append(Problem("option-type", value, "CORSGUARD is a dict of corsguard options, such "
                                "as {'allow_origins': ['https://app.example.com']}", SETTING))
        return {}
    options = dict(value)
    predicate = options.get("allow_origin_predicate")
    if isinstance(predicate, str):
        options["allow_origin_predicate"] = _import_predicate(predicate, problems)
    return options


def _import_predicate(path: str, problems: list[Problem]) -> Any:
    from django.utils.module_loading import import_string

    try:
        return import_string(path)
    except ImportError as error:
        problems.append(Problem("option-type", path, f"could not import it ({error}); give a "
                                "dotted path to a function, such as 'myapp.cors.is_tenant_origin'",
                                "CORSGUARD['allow_origin_predicate']"))
        return None


def _read_legacy(settings: Any, problems: list[Problem]) -> dict[str, Any]:
    values = {option: _legacy_value(settings, option) for option in LEGACY_OPTIONS}
    options: dict[str, Any] = {
        "allow_origins": values["allow_origins"],
        "allow_credentials": values["allow_credentials"],
        "allow_methods": values["allow_methods"],
        "allow_headers": values["allow_headers"],
        "expose_headers": values["expose_headers"],
        "allow_private_network": values["allow_private_network"],
        "allow_origin_regexes": values["allow_origin_regexes"],
        "urls_regex": values["urls_regex"],
        # django-cors-headers sends no Access-Control-Max-Age when the setting is 0.
        "max_age": values["max_age"] or None,
    }
    if values["allow_all_origins"] is True:
        options["allow_origins"] = ["*"]
    elif values["allow_all_origins"] is not False:
        problems.append(Problem("option-type", values["allow_all_origins"], "expected True or False",
                                _legacy_name(settings, "allow_all_origins")))
    return options


def _legacy_value(settings: Any, option: str) -> object:
    name, alias, default = LEGACY_OPTIONS[option]
    if hasattr(settings, name):
        return getattr(settings, name)
    if alias and hasattr(settings, alias):
        return getattr(settings, alias)
    return default


def _legacy_name(settings: Any, option: str) -> str:
    name, alias, _ = LEGACY_OPTIONS[option]
    return alias if alias and not hasattr(settings, name) and hasattr(settings, alias) else name


def _legacy_label(settings: Any) -> Callable[[str], str]:
    def label(option: str) -> str:
        head, _, rest = option.partition(".")
        if head == "allow_origins" and _legacy_value(settings, "allow_all_origins") is True:
            return _legacy_name(settings, "allow_all_origins")
        if head in LEGACY_OPTIONS:
            return _legacy_name(settings, head) + (f".{rest}" if rest else "")
        return option

    return label


def _corsguard_label(option: str) -> str:
    if not option or option == SETTING:
        return SETTING
    head = re.split(r"[.\[]", option, maxsplit=1)[0]
    return f"{SETTING}[{head!r}]{option[len(head):]}"


def _compile_urls_regex(value: object, label: str, problems: list[Problem]) -> re.Pattern[str] | None:
    if value is None:
        return None
    if isinstance(value, re.Pattern) and isinstance(value.pattern, str):
        return value
    if not isinstance(value, str):
        problems.append(Problem("route-invalid", value, "expected a regular expression as a str", label))
        return None
    try:
        return re.compile(value)
    except re.error as error:
        problems.append(Problem("route-invalid", value, f"does not compile: {error}", label))
        return None


def _add_regex_predicate(options: dict[str, Any], regexes: object, label: str,
                         problems: list[Problem]) -> None:
    if not regexes:
        return
    if isinstance(regexes, (str, re.Pattern)):
        problems.append(Problem("option-bare-string", regexes, "write a list of expressions, such as "
                                f"[{regexes!r}]", label))
        return
    if not isinstance(regexes, (list, tuple)):
        problems.append(Problem("option-type", regexes, "expected a list of regular expressions", label))
        return
    if options.get("allow_origin_predicate") is not None:
        problems.append(Problem("option-type", regexes, "set allow_origin_regexes or "
                                "allow_origin_predicate, not both; test the expressions inside the "
                                "predicate", label))
        return
    credentials = options.get("allow_credentials") is True
    insecure_ok = options.get("dangerously_allow_insecure_origins") is True
    compiled = compile_origin_regexes(label, regexes, credentials, problems, insecure_ok)
    if compiled:
        options["allow_origin_predicate"] = regex_predicate(compiled)


_lock = threading.Lock()
_compiled: DjangoCORS | None = None


def get() -> DjangoCORS:
    """Return the compiled settings, building them on first use; raises `ConfigError`."""
    global _compiled
    compiled = _compiled
    if compiled is None:
        from django.conf import settings

        with _lock:
            compiled = _compiled = build(settings)
    return compiled


def on_setting_changed(setting: str, **kwargs: Any) -> None:
    """Drop the compiled settings when a test overrides one of ours (Django's setting_changed)."""
    global _compiled
    if setting == SETTING or setting in LEGACY_SETTINGS:
        with _lock:
            _compiled = None
