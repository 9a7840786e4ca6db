"""Origin regular expressions, as Starlette and django-cors-headers accept them, made strict.

The core takes no regular expressions, so an expression becomes an origin predicate that
full-matches the request's Origin. Before that, each expression is checked at configuration
time: it must compile, must not match `null`, must not contain an unescaped `.` between host
characters (`app.example.com` would also match `appxexample.com`), and, with credentials, must
neither match an unrelated origin nor start with plain `http://`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from ..config import ConfigError, Problem
from ..policy import Policy

# An origin nobody configures on purpose: an expression that matches it matches any origin.
UNRELATED_ORIGIN = "https://corsguard-unrelated-origin.invalid"

# `.` preceded by a letter or digit and followed by one, not escaped and not in a class. It is a
# text check, so an unusual expression can slip past it; the full match at request time stays exact.
_UNESCAPED_DOT = re.compile(r"(?<![\\\[])(?<=[A-Za-z0-9])\.(?=[A-Za-z0-9])")
# An expression that starts by allowing plain http, unless the host that follows is loopback.
_PLAIN_HTTP = re.compile(r"\^?\(?(?:http://|http:\\/\\/|https\?://|http\|https\)://)"
                         r"(?!localhost\b|127\\?\.|\\?\[::1\\?\])")


def compile_origin_regexes(option: str, expressions: Iterable[object], credentials: bool,
                           problems: list[Problem], allow_insecure: bool = False
                           ) -> list[re.Pattern[str]]:
    """Compile and check origin expressions; append a `Problem` for each one that is unsafe.

    `allow_insecure` mirrors `dangerously_allow_insecure_origins` for plain-http expressions.
    """
    compiled: list[re.Pattern[str]] = []
    for expression in expressions:
        regex = _compile(option, expression, problems)
        if regex is None:
            continue
        found = _check(regex, credentials and not allow_insecure, credentials)
        problems.extend(Problem(code, regex.pattern, hint, option) for code, hint in found)
        if not found:
            compiled.append(regex)
    return compiled


def _compile(option: str, expression: object, problems: list[Problem]) -> re.Pattern[str] | None:
    if isinstance(expression, re.Pattern) and isinstance(expression.pattern, str):
        return expression
    if not isinstance(expression, str):
        problems.append(Problem("origin-regex-invalid", expression, "expected a regular expression "
                                "as a str, such as r'https://[a-z0-9-]+\\.example\\.com'", option))
        return None
    try:
        return re.compile(expression)
    except re.error as error:
        problems.append(Problem("origin-regex-invalid", expression, f"does not compile: {error}; "
                                "fix the expression", option))
        return None


def _check(regex: re.Pattern[str], check_http: bool, credentials: bool) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    if regex.fullmatch("null"):
        found.append(("origin-null", ("the expression matches the origin `null`, which sandboxed "
                      "iframes and local files share; make it match only your origins")))
    if _UNESCAPED_DOT.search(regex.pattern):
        found.append(("origin-regex-unescaped-dot", ("an unescaped `.` matches any character, so "
                      "`app.example.com` also matches `appxexample.com`; write `\\.`")))
    if credentials and regex.fullmatch(UNRELATED_ORIGIN):
        found.append(("origin-wildcard-with-credentials", (f"the expression matches any origin (even "
                      f"{UNRELATED_ORIGIN}), which with credentials lets every website read your "
                      "users' data; restrict it to your own hosts")))
    elif check_http and _PLAIN_HTTP.match(regex.pattern):
        found.append(("origin-insecure", ("the expression allows plain-http origins, which anyone on "
                      "the network path can impersonate; require https:// (or set "
                      "dangerously_allow_insecure_origins=True)")))
    return found


def regex_predicate(regexes: list[re.Pattern[str]]) -> Callable[[str], bool]:
    """Return a predicate that allows an origin when one of `regexes` matches all of it."""
    patterns = tuple(regexes)

    def matches_origin_regex(origin: str) -> bool:
        return any(pattern.fullmatch(origin) is not None for pattern in patterns)

    return matches_origin_regex


def build_policy_with_regexes(option: str, expressions: Iterable[object], options: dict[str, Any]) -> Policy:
    """Build a `Policy` from core `options` plus origin expressions, raising every problem at once.

    The expressions become the origin predicate, so `allow_origin_predicate` must not be set too.
    """
    problems: list[Problem] = []
    expressions = list(expressions)
    if expressions and options.get("allow_origin_predicate") is not None:
        problems.append(Problem("option-type", expressions, f"pass {option} or allow_origin_predicate, "
                                "not both; test the expressions inside the predicate", option))
    elif expressions:
        regexes = compile_origin_regexes(option, expressions, options.get("allow_credentials") is True,
                                         problems, options.get("dangerously_allow_insecure_origins") is True)
        if regexes:
            options = {**options, "allow_origin_predicate": regex_predicate(regexes)}
    try:
        policy = Policy(**options)
    except ConfigError as error:
        # A rejected expression is already reported, so "no origin at all" would be noise.
        problems.extend(problem for problem in error.problems
                        if not expressions or problem.code != "origins-missing")
    if problems:
        raise ConfigError(problems)
    return policy
