"""WSGI stacks: Flask and Django apps bare, behind corsguard, and behind flask-cors or django-cors-headers.

Apps are called directly with a prebuilt environ and a `start_response` that records nothing. The
response body is iterated and closed, as a WSGI server does, so that frameworks that do work on
`close()` (Django sends its request_finished signal there) pay for it in every measurement.
"""

from __future__ import annotations

import io
import sys
import time
from collections.abc import Callable, Iterable
from typing import Any

from corsguard.wsgi import CORSMiddleware as CorsguardMiddleware

from .scenarios import ALLOW_HEADERS, ALLOW_METHODS, EXPOSE_HEADERS, MAX_AGE_SECONDS, OriginSet, Request

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def bare_app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    """Respond to every request with 200 and a two-byte body: the app the framework-free layer wraps."""
    start_response("200 OK", [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", "2")])
    return [b"ok"]


def corsguard_layer(app: WSGIApp, origins: OriginSet) -> WSGIApp:
    return CorsguardMiddleware(app, allow_origins=origins.patterns(), allow_credentials=True,
                               allow_methods=list(ALLOW_METHODS), allow_headers=list(ALLOW_HEADERS),
                               expose_headers=list(EXPOSE_HEADERS), max_age=MAX_AGE_SECONDS)


def flask_app(cors: OriginSet | None = None) -> WSGIApp:
    """Return a Flask app with one route; with `cors`, flask-cors is configured on it."""
    from flask import Flask

    app = Flask("corsguard_benchmark")

    @app.route("/", methods=list(ALLOW_METHODS))
    def index() -> str:
        return "ok"

    if cors is not None:
        from flask_cors import CORS

        origins = cors.regexes() if cors.subdomains else cors.patterns()
        CORS(app, origins=origins, supports_credentials=True, methods=list(ALLOW_METHODS),
             allow_headers=list(ALLOW_HEADERS), expose_headers=list(EXPOSE_HEADERS),
             max_age=MAX_AGE_SECONDS)
    return app


def _django_index(request: Any) -> Any:
    from django.http import HttpResponse

    return HttpResponse("ok", content_type="text/plain; charset=utf-8")


urlpatterns: list[Any] = []


def _setup_django() -> None:
    import django
    from django.conf import settings

    if settings.configured:
        return
    settings.configure(
        DEBUG=False,
        SECRET_KEY="corsguard-benchmark-only",
        ALLOWED_HOSTS=["*"],
        ROOT_URLCONF=__name__,
        INSTALLED_APPS=["corsheaders"],
        MIDDLEWARE=[],
        USE_TZ=True,
        LOGGING_CONFIG=None,
    )
    django.setup()
    from django.urls import path

    urlpatterns.append(path("", _django_index))


def django_app(cors: OriginSet | None = None) -> WSGIApp:
    """Return Django's WSGI handler; with `cors`, django-cors-headers is its only middleware.

    django-cors-headers reads its settings on every request, and Django settings are global, so
    the `cors` settings apply to every handler from here on: measure one origin set at a time.
    """
    _setup_django()
    from django.conf import settings
    from django.core.handlers.wsgi import WSGIHandler

    if cors is None:
        settings.MIDDLEWARE = []
        return WSGIHandler()
    settings.CORS_ALLOWED_ORIGINS = [] if cors.subdomains else cors.patterns()
    settings.CORS_ALLOWED_ORIGIN_REGEXES = cors.regexes() if cors.subdomains else []
    settings.CORS_ALLOW_CREDENTIALS = True
    settings.CORS_ALLOW_METHODS = list(ALLOW_METHODS)
    settings.CORS_ALLOW_HEADERS = list(ALLOW_HEADERS)
    settings.CORS_EXPOSE_HEADERS = list(EXPOSE_HEADERS)
    settings.CORS_PREFLIGHT_MAX_AGE = MAX_AGE_SECONDS
    settings.MIDDLEWARE = ["corsheaders.middleware.CorsMiddleware"]
    handler = WSGIHandler()
    settings.MIDDLEWARE = []
    return handler


def build_environ(request: Request) -> dict[str, Any]:
    """Build the environ a WSGI server would: repeated header lines are joined with ","."""
    environ: dict[str, Any] = {
        "REQUEST_METHOD": request.method,
        "SCRIPT_NAME": "",
        "PATH_INFO": "/",
        "QUERY_STRING": "",
        "SERVER_NAME": "api.example.com",
        "SERVER_PORT": "443",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "https",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    for name, value in request.headers:
        key = "HTTP_" + name.upper().replace("-", "_")
        environ[key] = f"{environ[key]},{value}" if key in environ else value
    return environ


def _start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
    return None


def time_function(app: WSGIApp, request: Request) -> Callable[[int], float]:
    """Return a pyperf time function that runs `request` through `app` `loops` times."""
    environs = [build_environ(variant) for variant in request.variants()]
    count = len(environs)

    def run(loops: int) -> float:
        copy = dict
        start_response = _start_response
        start = time.perf_counter()
        for index in range(loops):
            body = app(copy(environs[index % count]), start_response)
            for _chunk in body:
                pass
            close = getattr(body, "close", None)
            if close is not None:
                close()
        return time.perf_counter() - start

    return run


def respond(app: WSGIApp, request: Request) -> tuple[int, dict[str, str]]:
    """Run `request` once and return the status and the response headers (lowercase names)."""
    captured: list[tuple[str, list[tuple[str, str]]]] = []

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        captured.append((status, headers))
        return None

    body = app(build_environ(request.variants()[0]), start_response)
    for _chunk in body:
        pass
    close = getattr(body, "close", None)
    if close is not None:
        close()
    status, headers = captured[0]
    return int(status.split()[0]), {name.lower(): value for name, value in headers}
