"""A minimal Django project for the integration tests: settings, a token-auth middleware, views."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import django
from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path

MIDDLEWARE = [
    "corsguard.contrib.django.middleware.CORSMiddleware",
    "django.middleware.common.CommonMiddleware",
    "tests.contrib.django_project.TokenAuthMiddleware",
]


def configure() -> None:
    """Configure Django once per process; each test sets CORS settings with override_settings."""
    if settings.configured:
        return
    settings.configure(
        DEBUG=False,
        SECRET_KEY="corsguard-tests-only",
        ALLOWED_HOSTS=["testserver", "127.0.0.1", "localhost"],
        ROOT_URLCONF="tests.contrib.django_project",
        INSTALLED_APPS=["django.contrib.contenttypes", "corsguard.contrib.django"],
        MIDDLEWARE=MIDDLEWARE,
        DATABASES={},
        USE_TZ=True,
        CORSGUARD={"allow_origins": ["https://app.example.com"], "allow_credentials": True,
                   "allow_methods": ["GET", "POST", "PUT", "DELETE"],
                   "allow_headers": ["Authorization", "Content-Type"]},
    )
    django.setup()


class TokenAuthMiddleware:
    """Reject requests to /private and below without `Authorization: Bearer good`, with 401."""

    def __init__(self, get_response: Callable[[HttpRequest], Any]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> Any:
        protected = request.path_info == "/private" or request.path_info.startswith("/private/")
        if protected and request.headers.get("Authorization") != "Bearer good":
            return JsonResponse({"error": "not authenticated"}, status=401)
        return self.get_response(request)


def items(request: HttpRequest) -> HttpResponse:
    response = JsonResponse(["a", "b"], safe=False)
    response["Vary"] = "Accept-Encoding"
    return response


def secret(request: HttpRequest) -> HttpResponse:
    return JsonResponse({"secret": 42})


def boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("view failed")


urlpatterns = [
    path("api/items", items),
    path("public/items", items),
    path("private/secret", secret),
    path("boom", boom),
]
