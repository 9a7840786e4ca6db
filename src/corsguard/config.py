"""User-facing configuration and its validation.

`CORSConfig` holds the options as the user wrote them. `validate` checks all of them at once and
either returns a `ValidConfig` (normalized, ready to compile) or raises one `ConfigError` that lists
every problem, each with a stable code from `PROBLEM_CODES`, the offending value and a hint.
"""

from __future__ import annotations

import difflib
import inspect
import warnings
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from . import fetch
from ._public_suffixes import is_public_suffix
from .origin import OriginPattern, parse_pattern

MAX_AGE_LIMIT_SECONDS = 86400

OriginPredicate = Callable[..., bool | Awaitable[bool]]

# Every code a Problem can carry, with what it means. Codes are stable: tests and users match on them.
PROBLEM_CODES: Mapping[str, str] = {
    "option-unknown": "an option name that corsguard does not know",
    "option-type": "an option of the wrong type",
    "option-bare-string": "a bare string where a list of strings is expected",
    "origins-missing": "no allowed origin and no origin predicate",
    "origin-wildcard-with-credentials": "`*` in allow_origins while allow_credentials is on",
    "origin-null": "the `null` origin",
    "origin-file": "a file: origin",
    "origin-invalid": "a string that is not of the form scheme://host[:port]",
    "origin-path": "an origin with a path, trailing slash, query or fragment",
    "origin-userinfo": "an origin with a user name or password",
    "origin-uppercase": "an origin with upper-case letters in its scheme or host",
    "origin-non-ascii": "an origin with a non-ASCII host",
    "origin-host": "an origin whose host is not a valid host name or IP address",
    "origin-ip": "an origin whose IP address is not in canonical form",
    "origin-port": "an origin with a port outside 1..65535 or with leading zeros",
    "origin-default-port": "an origin that spells out its scheme's default port",
    "origin-wildcard": "a wildcard other than one whole leading `*.` label on a host name",
    "origin-insecure": "a non-https, non-loopback origin while allow_credentials is on",
    "origin-public-suffix": "`*.` in front of a public suffix while allow_credentials is on",
    "method-invalid": "a method that is not an RFC 9110 token",
    "method-forbidden": "CONNECT, TRACE or TRACK, which browsers never send",
    "header-invalid": "a request header name that is not an RFC 9110 token",
    "header-forbidden": "a forbidden request header name, which script cannot set",
    "header-prohibited": "a CORS response header name in allow_headers",
    "expose-invalid": "an exposed header name that is not an RFC 9110 token",
    "expose-forbidden": "Set-Cookie or Set-Cookie2, which browsers never expose",
    "expose-prohibited": "a CORS protocol header name in expose_headers",
    "expose-wildcard-with-credentials": "`*` in expose_headers while allow_credentials is on",
    "max-age-range": "a max_age outside 0..86400 seconds",
    "preflight-status": "a preflight_status other than 200 or 204",
    "predicate-signature": "an origin predicate that does not take one or two positional arguments",
    "origin-regex-invalid": "an origin regular expression that is not a string or does not compile",
    "origin-regex-unescaped-dot": "an unescaped `.` between host characters in an origin regular expression",
    "route-invalid": "a per-route key that is not a valid path pattern or regular expression",
}


@dataclass(frozen=True, slots=True)
class Problem:
    """One configuration problem: its stable code, the offending value and how to fix it."""

    code: str
    value: object
    hint: str
    option: str = ""

    def __str__(self) -> str:
        where = f"{self.option}: " if self.option else ""
        return f"[{self.code}] {where}{self.value!r}: {self.hint}"


class ConfigError(ValueError):
    """Invalid CORS configuration; `problems` lists every problem found, not only the first."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = tuple(problems)
        lines = "\n".join(f"  - {problem}" for problem in self.problems)
        super().__init__(f"invalid CORS configuration, {len(self.problems)} problem(s):\n{lines}")


class ConfigWarning(UserWarning):
    """A legal setting that is probably not what the user meant."""


@dataclass(frozen=True, slots=True)
class CORSConfig:
    """The options of a CORS policy as the user writes them; `validate` checks them."""

    allow_origins: tuple[str, ...] | list[str] = ()
    allow_credentials: bool = False
    allow_methods: tuple[str, ...] | list[str] = ()
    allow_headers: tuple[str, ...] | list[str] = ()
    expose_headers: tuple[str, ...] | list[str] = ()
    max_age: int | None = None
    allow_private_network: bool = False
    preflight_status: int = 204
    preflight_passthrough: bool = False
    allow_origin_predicate: OriginPredicate | None = None
    dangerously_allow_insecure_origins: bool = False
    dangerously_allow_public_suffix_wildcards: bool = False

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> CORSConfig:
        """Build a config from keyword options; unknown names raise `option-unknown` problems."""
        config, problems = cls.split_options(options)
        if problems:
            raise ConfigError(problems)
        return config

    @classmethod
    def split_options(cls, options: Mapping[str, Any]) -> tuple[CORSConfig, list[Problem]]:
        """Build a config from the known options; return it with a problem for each unknown one."""
        known = {item.name for item in fields(cls)}
        problems = [Problem("option-unknown", name, _suggest_option(name, known))
                    for name in options if name not in known]
        return cls(**{name: value for name, value in options.items() if name in known}), problems


def _suggest_option(name: str, known: set[str]) -> str:
    if name == "allow_origin_regex":
        return ("corsguard takes no regular expressions here; use a pattern such as "
                "https://*.example.com, or allow_origin_predicate")
    close = difflib.get_close_matches(name, sorted(known), n=1)
    return f"did you mean {close[0]!r}?" if close else f"known options: {', '.join(sorted(known))}"


@dataclass(frozen=True, slots=True)
class ValidConfig:
    """A validated, normalized configuration: the input of `Policy`."""

    origins: tuple[OriginPattern, ...]
    allow_any_origin: bool
    allow_credentials: bool
    methods: frozenset[str]
    allow_any_method: bool
    headers: frozenset[str]
    allow_any_header: bool
    expose_headers: tuple[str, ...]
    expose_any_header: bool
    max_age: int | None
    allow_private_network: bool
    preflight_status: int
    preflight_passthrough: bool
    origin_predicate: OriginPredicate | None
    predicate_takes_headers: bool
    warnings: tuple[str, ...] = field(default=())


def _as_list(option: str, value: object, problems: list[Problem]) -> list[str]:
    if isinstance(value, str):
        problems.append(Problem("option-bare-string", value, f"write {option}=[{value!r}]", option))
        return []
    if not isinstance(value, Iterable):
        problems.append(Problem("option-type", value, "expected a list of strings", option))
        return []
    items = list(value)
    for item in items:
        if not isinstance(item, str):
            problems.append(Problem("option-type", item, "expected a string", option))
    return [item for item in items if isinstance(item, str)]


def _check_bool(option: str, value: object, problems: list[Problem]) -> bool:
    if not isinstance(value, bool):
        problems.append(Problem("option-type", value, "expected True or False", option))
        return False
    return value


def _validate_origins(config: CORSConfig, credentials: bool, problems: list[Problem]
                      ) -> list[OriginPattern]:
    texts = _as_list("allow_origins", config.allow_origins, problems)
    if not texts and config.allow_origin_predicate is None and not isinstance(config.allow_origins, str):
        problems.append(Problem("origins-missing", list(texts), "list the origins of your front ends, "
                                "such as ['https://app.example.com']", "allow_origins"))
    patterns = []
    for text in texts:
        pattern, found = parse_pattern(text)
        for code, hint in found:
            problems.append(Problem(code, text, hint, "allow_origins"))
        if pattern is None:
            continue
        patterns.append(pattern)
        if not credentials:
            continue
        if pattern.is_any:
            problems.append(Problem(
                "origin-wildcard-with-credentials", text,
                "browsers reject `*` on credentialed responses, and reflecting any origin with "
                "credentials lets every website read your users' data; list the origins", "allow_origins"))
        elif not pattern.is_secure and not config.dangerously_allow_insecure_origins:
            problems.append(Problem(
                "origin-insecure", text,
                "anyone on the network path can impersonate a plain-http origin and read credentialed "
                "responses; use https (or set dangerously_allow_insecure_origins=True)", "allow_origins"))
        elif (pattern.subdomains and is_public_suffix(pattern.host)
              and not config.dangerously_allow_public_suffix_wildcards):
            problems.append(Problem(
                "origin-public-suffix", text,
                f"anyone can register a name under {pattern.host}; list your own subdomains (or set "
                "dangerously_allow_public_suffix_wildcards=True)", "allow_origins"))
    return patterns


def _validate_methods(config: CORSConfig, problems: list[Problem]) -> tuple[frozenset[str], bool]:
    methods = set()
    allow_any = False
    for method in _as_list("allow_methods", config.allow_methods, problems):
        if method == "*":
            allow_any = True
        elif not fetch.is_token(method):
            problems.append(Problem("method-invalid", method, "a method is an RFC 9110 token, such as "
                                    "PUT", "allow_methods"))
        elif fetch.is_forbidden_method(method):
            problems.append(Problem("method-forbidden", method, "browsers never send this method; "
                                    "remove it", "allow_methods"))
        else:
            methods.add(fetch.normalize_method(method))
    return frozenset(methods - fetch.SAFELISTED_METHODS), allow_any


def _validate_request_headers(config: CORSConfig, problems: list[Problem]) -> tuple[frozenset[str], bool]:
    names = set()
    allow_any = False
    for name in _as_list("allow_headers", config.allow_headers, problems):
        lower = name.lower()
        if name == "*":
            allow_any = True
        elif not fetch.is_token(name):
            problems.append(Problem("header-invalid", name, "a header name is an RFC 9110 token, such "
                                    "as X-Request-Id", "allow_headers"))
        elif fetch.is_forbidden_request_header_name(lower):
            problems.append(Problem("header-forbidden", name, "browsers never let script send this "
                                    "header; remove it", "allow_headers"))
        elif lower in fetch.CORS_RESPONSE_HEADER_NAMES:
            problems.append(Problem("header-prohibited", name, "this is a response header; the client "
                                    "should not send it, so do not allow it", "allow_headers"))
        else:
            names.add(lower)
    return frozenset(names), allow_any


def _validate_expose_headers(config: CORSConfig, credentials: bool, problems: list[Problem]
                             ) -> tuple[tuple[str, ...], bool]:
    names = set()
    expose_any = False
    for name in _as_list("expose_headers", config.expose_headers, problems):
        lower = name.lower()
        if name == "*":
            expose_any = True
            if credentials:
                problems.append(Problem(
                    "expose-wildcard-with-credentials", name, "browsers read `*` literally on "
                    "credentialed responses; list the headers script must read", "expose_headers"))
        elif not fetch.is_token(name):
            problems.append(Problem("expose-invalid", name, "a header name is an RFC 9110 token",
                                    "expose_headers"))
        elif lower in fetch.FORBIDDEN_RESPONSE_HEADER_NAMES:
            problems.append(Problem("expose-forbidden", name, "browsers never expose cookies to "
                                    "script; remove it", "expose_headers"))
        elif lower in fetch.CORS_RESPONSE_HEADER_NAMES | {fetch.ORIGIN, fetch.ACRM, fetch.ACRH}:
            problems.append(Problem("expose-prohibited", name, "this CORS protocol header means "
                                    "nothing to script; remove it", "expose_headers"))
        elif lower not in fetch.SAFELISTED_RESPONSE_HEADER_NAMES:
            names.add(lower)
    return tuple(sorted(names)), expose_any


def _validate_predicate(predicate: object, problems: list[Problem]) -> bool:
    """Check the origin predicate; return whether it takes the request headers as second argument."""
    if predicate is None:
        return False
    if not callable(predicate):
        problems.append(Problem("option-type", predicate, "expected a function of the origin",
                                "allow_origin_predicate"))
        return False
    try:
        parameters = inspect.signature(predicate).parameters.values()
    except (TypeError, ValueError):
        return False
    positional = [p for p in parameters if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
                  and p.default is p.empty]
    if len(positional) not in (1, 2) and not any(p.kind is p.VAR_POSITIONAL for p in parameters):
        problems.append(Problem("predicate-signature", predicate, "write predicate(origin) or "
                                "predicate(origin, headers) returning a bool", "allow_origin_predicate"))
    return len(positional) == 2


def validate(config: CORSConfig, problems: list[Problem] | None = None) -> ValidConfig:
    """Check every option of `config`; return it normalized or raise one `ConfigError`.

    `problems` found earlier (such as unknown option names) are raised together with these.
    """
    problems = list(problems or ())
    credentials = _check_bool("allow_credentials", config.allow_credentials, problems)
    for option in ("allow_private_network", "preflight_passthrough",
                   "dangerously_allow_insecure_origins", "dangerously_allow_public_suffix_wildcards"):
        _check_bool(option, getattr(config, option), problems)

    patterns = _validate_origins(config, credentials, problems)
    methods, any_method = _validate_methods(config, problems)
    headers, any_header = _validate_request_headers(config, problems)
    exposed, expose_any = _validate_expose_headers(config, credentials, problems)
    takes_headers = _validate_predicate(config.allow_origin_predicate, problems)

    max_age = config.max_age
    if max_age is not None and (not isinstance(max_age, int) or isinstance(max_age, bool)):
        problems.append(Problem("option-type", max_age, "expected a number of seconds or None", "max_age"))
        max_age = None
    elif max_age is not None and not 0 <= max_age <= MAX_AGE_LIMIT_SECONDS:
        problems.append(Problem("max-age-range", max_age, f"use 0 (no caching) to "
                                f"{MAX_AGE_LIMIT_SECONDS}, or None to omit the header", "max_age"))
    if config.preflight_status not in (200, 204):
        problems.append(Problem("preflight-status", config.preflight_status, "use 204 or 200",
                                "preflight_status"))
    if problems:
        raise ConfigError(problems)

    notes = []
    if credentials and any_header and "authorization" not in headers:
        notes.append("allow_headers=['*'] does not cover Authorization, which browsers never send "
                     "under a wildcard; add 'Authorization' if clients send it")
    for note in notes:
        warnings.warn(note, ConfigWarning, stacklevel=3)

    any_origin = any(pattern.is_any for pattern in patterns)
    return ValidConfig(
        origins=tuple(pattern for pattern in patterns if not pattern.is_any),
        allow_any_origin=any_origin,
        allow_credentials=credentials,
        methods=methods,
        allow_any_method=any_method,
        headers=headers,
        allow_any_header=any_header,
        expose_headers=exposed,
        expose_any_header=expose_any,
        max_age=max_age,
        allow_private_network=config.allow_private_network,
        preflight_status=config.preflight_status,
        preflight_passthrough=config.preflight_passthrough,
        origin_predicate=config.allow_origin_predicate,
        predicate_takes_headers=takes_headers,
        warnings=tuple(notes),
    )
