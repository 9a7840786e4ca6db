"""Per-route CORS policies: choose a `Policy` from the path the framework routes on.

A route table maps path patterns to policies. Three kinds of key are accepted:

- an exact path, such as ``/api/admin/keys``;
- a segment pattern, where a whole segment ``*`` matches exactly one non-empty segment and a
  final segment ``**`` matches zero or more segments: ``/api/**`` covers ``/api``, ``/api/`` and
  everything below ``/api/``, but never ``/apiadmin``;
- a compiled regular expression (``re.compile(...)``), always full-matched against the path.

Precedence, most specific first: an exact path wins over any pattern. Among segment patterns
that match, the one whose segments are more specific at the first position where they differ
wins, a literal segment being more specific than ``*`` and ``*`` more specific than ``**``.
Regular expressions come last, in the order they were given. A path that matches no key gets the
default policy. A route whose value is ``None`` gets no CORS headers at all.

Paths are compared as the router sees them: case-sensitively, without decoding percent escapes a
second time (servers already decode them once), and without normalising ``//``. Browsers remove
``.`` and ``..`` segments before sending a request, so a path that still contains one comes from
some other client; it matches no route and gets no CORS headers, because a router or proxy might
normalise it into a path that a route table would have treated differently.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .config import ConfigError, CORSConfig, Problem
from .policy import Policy

RouteKey = str | re.Pattern[str]
RouteValue = Policy | CORSConfig | Mapping[str, Any] | None

# Segment ranks, lower is more specific.
_LITERAL = 0
_ONE_SEGMENT = 1
_ANY_SEGMENTS = 2


@dataclass(frozen=True, slots=True)
class _SegmentPattern:
    text: str
    segments: tuple[str, ...]
    ranks: tuple[int, ...]
    policy: Policy | None

    def matches(self, segments: list[str]) -> bool:
        if self.ranks[-1] == _ANY_SEGMENTS:
            fixed = self.segments[:-1]
            if len(segments) < len(fixed):
                return False
        else:
            fixed = self.segments
            if len(segments) != len(fixed):
                return False
        for expected, actual in zip(fixed, segments):
            if expected == "*":
                if not actual:
                    return False
            elif expected != actual:
                return False
        return True


class Router:
    """A compiled route table: `policy_for(path)` returns the policy for a routed path.

    `routes` maps keys (see the module documentation) to a `Policy`, a `CORSConfig`, a mapping of
    `CORSConfig` options, or None for "no CORS". Every problem in every route is raised at once,
    in one `ConfigError` whose problems name the route in their `option`.
    """

    __slots__ = ("_exact", "_patterns", "_regexes", "default")

    def __init__(self, routes: Mapping[RouteKey, RouteValue], default: Policy | None = None) -> None:
        self.default = default
        self._exact: dict[str, Policy | None] = {}
        self._patterns: list[_SegmentPattern] = []
        self._regexes: list[tuple[re.Pattern[str], Policy | None]] = []
        problems: list[Problem] = []
        if not isinstance(routes, Mapping):
            raise ConfigError([Problem("option-type", routes, "expected a mapping of path patterns "
                                       "to policies, such as {'/api/**': Policy(...)}", "routes")])
        for key, value in routes.items():
            policy = _compile_value(key, value, problems)
            self._add(key, policy, problems)
        if problems:
            raise ConfigError(problems)
        self._patterns.sort(key=lambda pattern: pattern.ranks)

    def _add(self, key: object, policy: Policy | None, problems: list[Problem]) -> None:
        if isinstance(key, re.Pattern):
            if not isinstance(key.pattern, str):
                problems.append(Problem("route-invalid", key, "compile the expression from a str, "
                                        "not bytes", "routes"))
                return
            self._regexes.append((key, policy))
            return
        if not isinstance(key, str):
            problems.append(Problem("route-invalid", key, "a route is a path such as '/api/**' or a "
                                    "compiled regular expression", "routes"))
            return
        segments, hint = _parse_route(key)
        if segments is None:
            problems.append(Problem("route-invalid", key, hint, "routes"))
            return
        ranks = tuple(_rank(segment) for segment in segments)
        if all(rank == _LITERAL for rank in ranks):
            self._exact[key] = policy
            return
        self._patterns.append(_SegmentPattern(key, segments, ranks, policy))

    def policy_for(self, path: str) -> Policy | None:
        """Return the policy of the most specific route matching `path`, else the default."""
        if path in self._exact:
            return self._exact[path]
        segments = path.split("/")[1:] if path.startswith("/") else None
        if segments is None or "." in segments or ".." in segments:
            return None
        for pattern in self._patterns:
            if pattern.matches(segments):
                return pattern.policy
        for regex, policy in self._regexes:
            if regex.fullmatch(path):
                return policy
        return self.default


def _rank(segment: str) -> int:
    if segment == "**":
        return _ANY_SEGMENTS
    if segment == "*":
        return _ONE_SEGMENT
    return _LITERAL


def _parse_route(text: str) -> tuple[tuple[str, ...] | None, str]:
    """Split a route into segments; return None and a hint when it is malformed."""
    if not text.startswith("/"):
        return None, f"a route starts with '/', such as {'/' + text!r}"
    segments = tuple(text.split("/")[1:])
    for index, segment in enumerate(segments):
        if segment in (".", ".."):
            return None, "browsers remove '.' and '..' segments, so this route never matches"
        if segment == "**" and index != len(segments) - 1:
            return None, "'**' may only be the last segment, as in '/api/**'"
        if "*" in segment and segment not in ("*", "**"):
            return None, ("'*' stands for a whole segment ('/files/*'); for partial segments use a "
                          "compiled regular expression")
    return segments, ""


def _compile_value(key: object, value: object, problems: list[Problem]) -> Policy | None:
    """Turn a route's value into a Policy, collecting its configuration problems under the route."""
    if value is None or isinstance(value, Policy):
        return value
    label = key.pattern if isinstance(key, re.Pattern) else key
    try:
        if isinstance(value, CORSConfig):
            return Policy(value)
        if isinstance(value, Mapping):
            return Policy(**dict(value))
    except ConfigError as error:
        for problem in error.problems:
            option = f"routes[{label!r}].{problem.option}" if problem.option else f"routes[{label!r}]"
            problems.append(Problem(problem.code, problem.value, problem.hint, option))
        return None
    problems.append(Problem("option-type", value, "expected a Policy, a CORSConfig, a dict of "
                            "options or None", f"routes[{label!r}]"))
    return None


def asgi_route_path(scope: Mapping[str, Any]) -> str:
    """Return the path an ASGI router matches: `path` without the `root_path` mount prefix.

    Starlette and Django's ASGI handler both strip `root_path` this way; the server has already
    percent-decoded `path` once.
    """
    path: str = scope["path"]
    root_path: str = scope.get("root_path", "")
    if not root_path or not path.startswith(root_path):
        return path
    if path == root_path:
        return ""
    if path[len(root_path)] == "/":
        return path[len(root_path):]
    return path


def wsgi_route_path(environ: Mapping[str, Any]) -> str:
    """Return `PATH_INFO` as the text a WSGI framework routes on.

    PEP 3333 carries the decoded path bytes as a latin-1 `str`; Werkzeug and Django turn those
    bytes back into UTF-8 text (invalid bytes become U+FFFD), so the route table sees the same.
    """
    raw = environ.get("PATH_INFO", "")
    if not isinstance(raw, str):
        return ""
    try:
        return raw.encode("latin-1").decode("utf-8", "replace")
    except UnicodeEncodeError:
        return raw


def build_router(routes: Mapping[RouteKey, RouteValue], policy: Policy | None,
                 options: Mapping[str, Any]) -> Router:
    """Build the router of a middleware from its `routes`, `policy` and keyword options.

    The default policy is `policy`, else one built from `options`, else None (no CORS outside the
    routes). Problems in the default and in the routes are raised together.
    """
    problems: list[Problem] = []
    default = policy
    if default is None and options:
        try:
            default = Policy(**options)
        except ConfigError as error:
            problems.extend(error.problems)
    try:
        router = Router(routes, default)
    except ConfigError as error:
        problems.extend(error.problems)
    if problems:
        raise ConfigError(problems)
    return router


def build_policies(policy: Policy | None, routes: Mapping[RouteKey, RouteValue] | None,
                   options: Mapping[str, Any]) -> tuple[Policy | None, Router | None]:
    """Return an adapter's default policy and its router, which is None without `routes`."""
    if routes is None:
        return (policy if policy is not None else Policy(**options)), None
    router = build_router(routes, policy, options)
    return router.default, router


def decides_by_header_values(policy: Policy | None, router: Router | None) -> bool:
    """Return True when every decision depends only on the CORS request header values.

    That holds without routes and without an origin predicate, so an adapter can keep each
    decision's response headers by the raw header values.
    """
    return router is None and policy is not None and not policy.has_origin_predicate
