"""Django middleware applying corsguard's policy; works in both sync (WSGI) and async (ASGI) stacks.

Put it first in MIDDLEWARE. Then it responds to preflights before any authentication, CSRF or
redirecting middleware runs, and adds CORS headers to every response of the layers below,
including their 401, 403, 404 and 500 responses.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from asgiref.sync import async_to_sync, iscoroutinefunction, markcoroutinefunction
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase

from ..._headers import merge_vary
from ...policy import Decision, Policy
from . import conf

logger = logging.getLogger("corsguard")

GetResponse = Callable[[HttpRequest], Any]


def _first_element(value: str | None) -> str | None:
    """Return the first element of a header that the server may have joined with commas."""
    if value is None or "," not in value:
        return value
    return value.partition(",")[0].strip(" \t")


def _request_values(request: HttpRequest) -> tuple[str, str | None, str | None, str | None, str | None]:
    meta = request.META
    return (
        request.method or "GET",
        _first_element(meta.get("HTTP_ORIGIN")),
        _first_element(meta.get("HTTP_ACCESS_CONTROL_REQUEST_METHOD")),
        meta.get("HTTP_ACCESS_CONTROL_REQUEST_HEADERS"),
        _first_element(meta.get("HTTP_ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK")),
    )


def _header_mapping(request: HttpRequest) -> dict[str, str]:
    return {name.lower(): value for name, value in request.headers.items()}


def _decide(policy: Policy, request: HttpRequest, predicate_allows: bool) -> Decision:
    method, origin, request_method, request_headers, private_network = _request_values(request)
    decision = policy.decide(method, origin, request_method, request_headers, private_network,
                             predicate_allows=predicate_allows)
    if not decision.allowed and logger.isEnabledFor(logging.DEBUG):
        logger.debug("CORS request refused: %s (path %r)", decision.reason, request.path_info[:200])
    return decision


def _preflight_response(decision: Decision) -> HttpResponse:
    assert decision.preflight_status is not None
    response = HttpResponse(status=decision.preflight_status)
    _apply(response, decision)
    return response


def _apply(response: HttpResponseBase, decision: Decision) -> None:
    for name, value in decision.headers:
        response[name] = value
    if decision.vary:
        existing = response.get("Vary")
        response["Vary"] = merge_vary([existing] if existing else [], decision.vary)


class CORSMiddleware:
    """Apply the policy that `CORSGUARD` (or django-cors-headers' settings) configures."""

    sync_capable = True
    async_capable = True

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response
        self.async_mode = iscoroutinefunction(get_response)
        if self.async_mode:
            markcoroutinefunction(self)
        conf.get()  # Fail at startup, not on the first request, when the settings are invalid.

    def __call__(self, request: HttpRequest) -> HttpResponseBase | Awaitable[HttpResponseBase]:
        if self.async_mode:
            return self.__acall__(request)
        policy = conf.get().policy_for(request.path_info)
        if policy is None:
            response: HttpResponseBase = self.get_response(request)
            return response

        predicate_allows = False
        origin = _first_element(request.META.get("HTTP_ORIGIN"))
        if policy.needs_predicate(origin):
            assert origin is not None
            result = policy.call_predicate(origin, _header_mapping(request))
            if inspect.isawaitable(result):
                # As Django does for async views in a sync stack: run it on an event loop.
                result = async_to_sync(_await)(result)
            predicate_allows = result is True
        return self._respond(policy, request, predicate_allows)

    def _respond(self, policy: Policy, request: HttpRequest, predicate_allows: bool) -> HttpResponseBase:
        decision = _decide(policy, request, predicate_allows)
        if decision.preflight_status is not None:
            return _preflight_response(decision)
        response: HttpResponseBase = self.get_response(request)
        _apply(response, decision)
        return response

    async def __acall__(self, request: HttpRequest) -> HttpResponseBase:
        policy = conf.get().policy_for(request.path_info)
        if policy is None:
            response: HttpResponseBase = await self.get_response(request)
            return response

        predicate_allows = False
        origin = _first_element(request.META.get("HTTP_ORIGIN"))
        if policy.needs_predicate(origin):
            assert origin is not None
            result = policy.call_predicate(origin, _header_mapping(request))
            if inspect.isawaitable(result):
                result = await result
            predicate_allows = result is True

        decision = _decide(policy, request, predicate_allows)
        if decision.preflight_status is not None:
            return _preflight_response(decision)
        response = await self.get_response(request)
        _apply(response, decision)
        return response


async def _await(awaitable: Awaitable[Any]) -> Any:
    return await awaitable
