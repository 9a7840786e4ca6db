"""Flask: the `CORS` extension, per-blueprint and per-view policies, and `cross_origin`.

    cors = CORS(app, allow_origins=["https://app.example.com"], allow_credentials=True)
    CORS(admin_blueprint, allow_origins=["https://admin.example.com"], allow_credentials=True)

    @app.get("/public")
    @cross_origin(allow_origins=["*"])
    def public(): ...

The extension wraps `app.wsgi_app`, so it runs before Flask's request handling: preflights are
answered before any `before_request` hook (authentication included), and every response gets
its CORS headers, including error pages and the 500 of an unhandled exception. Options are those
of `corsguard.CORSConfig`; app-wide ones may also come from `app.config["CORSGUARD"]`.

A request gets the first policy found in this order: the view's (`cross_origin` or
`no_cross_origin`), its blueprint's (the innermost one for nested blueprints), the `routes`
table of the app, the app's default. A preflight is matched to the view that will serve its
requested method (Access-Control-Request-Method), not to Flask's automatic OPTIONS handler.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

from flask import Blueprint, Flask
from flask.sansio.blueprints import BlueprintSetupState
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RoutingException

from .. import wsgi
from ..config import ConfigError, Problem
from ..policy import Policy
from ..routing import RouteKey, Router, RouteValue, build_router, wsgi_route_path

EXTENSION_KEY = "corsguard"
VIEW_ATTRIBUTE = "corsguard_policy"
CONFIG_KEY = "CORSGUARD"
ENDPOINT_CACHE_SIZE = 4096
# The environ keys that Flask's URL matching reads, besides the method.
_MATCH_KEYS = ("PATH_INFO", "SCRIPT_NAME", "HTTP_HOST", "SERVER_NAME", "SERVER_PORT", "wsgi.url_scheme")

# flask-cors option names and what to write in corsguard, for a helpful error.
FLASK_CORS_NAMES: Mapping[str, str] = {
    "origins": "write allow_origins=[...] (exact origins or https://*.example.com patterns, no "
               "regular expressions)",
    "supports_credentials": "write allow_credentials=True",
    "methods": "write allow_methods=[...]",
    "resources": "use routes={'/api/**': {...}}, a blueprint policy or @cross_origin",
    "send_wildcard": "corsguard sends `*` only when allow_origins=['*'] without credentials",
    "vary_header": "corsguard always sends Vary: Origin where the answer depends on the origin",
    "automatic_options": "corsguard responds to preflights itself; use preflight_passthrough=True to "
                         "let views answer them",
    "always_send": "corsguard sends CORS headers only to requests with an Origin header",
    "intercept_exceptions": "corsguard wraps the whole app, so error responses always get headers",
}

ViewFunction = TypeVar("ViewFunction", bound=Callable[..., Any])


def _compile(policy: Policy | None, options: Mapping[str, Any], label: str) -> Policy:
    if policy is not None:
        if options:
            raise TypeError(f"{label}: pass either a Policy or options, not both")
        return policy
    problems = [Problem("option-unknown", name, hint, label)
                for name, hint in FLASK_CORS_NAMES.items() if name in options]
    known = {name: value for name, value in options.items() if name not in FLASK_CORS_NAMES}
    try:
        compiled = Policy(**known)
    except ConfigError as error:
        problems.extend(error.problems)
    if problems:
        raise ConfigError(problems)
    return compiled


def cross_origin(policy: Policy | None = None, **options: Any) -> Callable[[ViewFunction], ViewFunction]:
    """Give one view its own policy; works above or below `@app.route`.

    The options are validated when the module is imported, not on the first request.
    """
    compiled = _compile(policy, options, "cross_origin")

    def mark(view: ViewFunction) -> ViewFunction:
        setattr(view, VIEW_ATTRIBUTE, compiled)
        return view

    return mark


def no_cross_origin(view: ViewFunction) -> ViewFunction:
    """Send no CORS headers for this view, whatever its blueprint or the app configure."""
    setattr(view, VIEW_ATTRIBUTE, None)
    return view


class _AppState:
    """Per-app state of the extension, stored in `app.extensions["corsguard"]`."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.default: Policy | None = None
        self.router: Router | None = None
        self.blueprints: dict[str, Policy | None] = {}
        self.inner = app.wsgi_app
        self._middlewares: dict[int, wsgi.CORSMiddleware] = {}
        self._lock = threading.Lock()
        self._scoped: bool | None = None
        self._endpoints: dict[tuple[Any, ...], str | None] = {}

    def _needs_matching(self) -> bool:
        """Tell whether any blueprint or view has a policy, so requests must be matched to views.

        Flask forbids adding views or blueprints once it has handled a request, so the answer
        computed on the first request stays true.
        """
        if self._scoped is None:
            self._scoped = bool(self.blueprints) or any(
                hasattr(view, VIEW_ATTRIBUTE) for view in self.app.view_functions.values())
        return self._scoped

    def __call__(self, environ: dict[str, Any], start_response: wsgi.StartResponse) -> Iterable[bytes]:
        policy = self.policy_for(environ)
        if policy is None:
            return self.inner(environ, start_response)
        return self._middleware(policy)(environ, start_response)

    def _middleware(self, policy: Policy) -> wsgi.CORSMiddleware:
        middleware = self._middlewares.get(id(policy))
        if middleware is None:
            with self._lock:
                middleware = self._middlewares.setdefault(
                    id(policy), wsgi.CORSMiddleware(self.inner, policy=policy))
        return middleware

    def policy_for(self, environ: dict[str, Any]) -> Policy | None:
        """Return the policy of the view, blueprint, route or app that serves this request."""
        if self._needs_matching():
            endpoint = self._endpoint(environ)
            if endpoint is not None:
                view = self.app.view_functions.get(endpoint)
                if view is not None and hasattr(view, VIEW_ATTRIBUTE):
                    scoped = getattr(view, VIEW_ATTRIBUTE)
                    return scoped if isinstance(scoped, Policy) else None
                found, policy = self._blueprint_policy(endpoint)
                if found:
                    return policy
        if self.router is not None:
            return self.router.policy_for(wsgi_route_path(environ))
        return self.default

    def _endpoint(self, environ: dict[str, Any]) -> str | None:
        """Match the request as Flask will, with the preflight's requested method; None if no match."""
        method = environ.get("REQUEST_METHOD", "GET")
        requested = environ.get("HTTP_ACCESS_CONTROL_REQUEST_METHOD")
        if method == "OPTIONS" and requested and environ.get("HTTP_ORIGIN"):
            method = requested.partition(",")[0].strip(" \t")
        # Matching builds a Request and a URL adapter, far more work than the rest of the request
        # path, so results are cached by everything Flask's matching reads; a full cache is emptied.
        key = (method, *(environ.get(name) for name in _MATCH_KEYS))
        try:
            return self._endpoints[key]
        except KeyError:
            pass
        endpoint = self._match(environ, method)
        if len(self._endpoints) >= ENDPOINT_CACHE_SIZE:
            self._endpoints.clear()
        self._endpoints[key] = endpoint
        return endpoint

    def _match(self, environ: dict[str, Any], method: str) -> str | None:
        try:
            adapter = self.app.create_url_adapter(self.app.request_class(environ))
            if adapter is None:
                return None
            endpoint, _ = adapter.match(method=method)
        except (HTTPException, RoutingException):  # no route, wrong method, redirect, untrusted Host
            return None
        return endpoint if isinstance(endpoint, str) else None

    def _blueprint_policy(self, endpoint: str) -> tuple[bool, Policy | None]:
        name = endpoint.rpartition(".")[0]
        while name:
            if name in self.blueprints:
                return True, self.blueprints[name]
            name = name.rpartition(".")[0]
        return False, None


def _state(app: Flask) -> _AppState:
    """Return the app's state, installing the WSGI wrapper the first time."""
    state = app.extensions.get(EXTENSION_KEY)
    if isinstance(state, _AppState):
        return state
    state = _AppState(app)
    app.extensions[EXTENSION_KEY] = state
    # The usual `app.wsgi_app = middleware`, written so that type checkers accept replacing a method.
    vars(app)["wsgi_app"] = state
    return state


class CORS:
    """The Flask extension; given a `Blueprint`, it sets that blueprint's policy instead.

    `CORS(app, **options)` or `CORS(**options).init_app(app)` sets the app-wide default policy,
    built from `app.config["CORSGUARD"]` updated with `options`. `routes` maps path patterns to
    policies (see `corsguard.routing`). Every problem raises one `ConfigError` at once.
    """

    def __init__(self, app: Flask | Blueprint | None = None, *, policy: Policy | None = None,
                 routes: Mapping[RouteKey, RouteValue] | None = None, **options: Any) -> None:
        self.policy = policy
        self.routes = routes
        self.options = options
        if isinstance(app, Blueprint):
            self.init_blueprint(app)
        elif app is not None:
            self.init_app(app)

    def init_app(self, app: Flask) -> None:
        """Set the app-wide policy (and routes) of `app`, validating them now."""
        configured = app.config.get(CONFIG_KEY) or {}
        if not isinstance(configured, Mapping):
            raise ConfigError([Problem("option-type", configured, "app.config['CORSGUARD'] is a dict "
                                       "of corsguard options", CONFIG_KEY)])
        options = {**configured, **self.options}
        routes = options.pop("routes", None) if self.routes is None else self.routes
        default = None
        if self.policy is not None or options:
            default = _compile(self.policy, options, "CORS")
        router = None if routes is None else build_router(routes, default, {})
        state = _state(app)
        state.default = default
        state.router = router

    def init_blueprint(self, blueprint: Blueprint) -> None:
        """Give every view of `blueprint` this policy, in each app that registers it."""
        policy = _compile(self.policy, self.options, f"CORS({blueprint.name!r})")
        if self.routes is not None:
            raise TypeError("routes apply to an app, not to a blueprint")

        def register(setup: BlueprintSetupState) -> None:
            if not isinstance(setup.app, Flask):
                raise TypeError("corsguard's Flask extension needs a flask.Flask app")
            name = f"{setup.name_prefix}.{setup.name}".lstrip(".")
            _state(setup.app).blueprints[name] = policy

        blueprint.record(register)
