"""ASGI middleware: reads the CORS request headers, gets the policy's decision and applies it.

Works with any ASGI 3 application (Starlette, FastAPI, Litestar, Quart, Django's ASGI handler).
Scopes other than "http" (websocket, lifespan) pass through untouched.
"""

from __future__ import annotations

import copy
import inspect
import logging
from collections.abc import Awaitable, Callable, Mapping, MutableMapping
from typing import Any

from ._headers import MAX_STORED_KEY_BYTES, STORE_SIZE, PlanCache, merge_vary
from .policy import Decision, Policy
from .routing import RouteKey, RouteValue, asgi_route_path, build_policies, decides_by_header_values

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

logger = logging.getLogger("corsguard")

_CORS_REQUEST_HEADER_NAMES = frozenset({
    b"origin", b"access-control-request-method", b"access-control-request-headers",
    b"access-control-request-private-network",
})


RawCORSHeaders = tuple[bytes | None, bytes | None, bytes | None, bytes | None]


def read_cors_header_bytes(raw_headers: Any) -> RawCORSHeaders:
    """Return the first Origin, first ACRM, all ACRH lines joined with ",", and first ACRPN, raw."""
    origin = request_method = private_network = None
    request_headers: list[bytes] = []
    for name, value in raw_headers:
        if name not in _CORS_REQUEST_HEADER_NAMES:
            continue
        if name == b"origin":
            if origin is None:
                origin = value
        elif name == b"access-control-request-method":
            if request_method is None:
                request_method = value
        elif name == b"access-control-request-headers":
            request_headers.append(value)
        elif name == b"access-control-request-private-network" and private_network is None:
            private_network = value
    joined = b",".join(request_headers) if request_headers else None
    return origin, request_method, joined, private_network


def read_cors_headers(raw_headers: Any) -> tuple[str | None, str | None, str | None, str | None]:
    """Return the first Origin, first ACRM, all ACRH lines joined with ",", and first ACRPN."""
    origin, request_method, request_headers, private_network = read_cors_header_bytes(raw_headers)
    return _decode(origin), _decode(request_method), _decode(request_headers), _decode(private_network)


def _decode(value: bytes | None) -> str | None:
    return None if value is None else value.decode("latin-1")


def apply_decision(raw_headers: list[tuple[bytes, bytes]], decision: Decision) -> list[tuple[bytes, bytes]]:
    """Return response headers with the decision's CORS headers set and its Vary names merged."""
    cors = [(name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in decision.headers]
    replaced = {name for name, _ in cors}
    if decision.vary:
        replaced.add(b"vary")
    existing_vary = []
    headers = []
    for name, value in raw_headers:
        lower = name.lower()
        if lower == b"vary":
            existing_vary.append(value.decode("latin-1"))
        if lower not in replaced:
            headers.append((name, value))
    headers.extend(cors)
    if decision.vary:
        headers.append((b"vary", merge_vary(existing_vary, decision.vary).encode("latin-1")))
    return headers


class EncodedDecision:
    """A decision's response headers as ASGI bytes, built once per decision object.

    `tail` contains the CORS headers followed by `vary: <names>`; `conflict_lengths` holds the
    lengths of those names.
    """

    __slots__ = ("conflict_lengths", "decision", "forwards_with_headers", "preflight_headers",
                 "preflight_status", "rejected", "tail")

    def __init__(self, decision: Decision) -> None:
        self.decision = decision
        self.rejected = not decision.allowed
        self.preflight_status = decision.preflight_status
        cors = [(name.lower().encode("latin-1"), value.encode("latin-1"))
                for name, value in decision.headers]
        vary = [(b"vary", ", ".join(decision.vary).encode("latin-1"))] if decision.vary else []
        self.tail = (*cors, *vary)
        self.conflict_lengths = frozenset(len(name) for name, _ in self.tail)
        self.preflight_headers = self.tail
        if decision.preflight_status is not None and decision.preflight_status != 204:
            self.preflight_headers = (*self.tail, (b"content-length", b"0"))
        # True for an allowed request that goes to the app with headers to add, the common case.
        self.forwards_with_headers = (decision.allowed and decision.preflight_status is None
                                      and bool(self.tail))


class CORSMiddleware:
    """Apply a corsguard `Policy` to an ASGI app; options are those of `CORSConfig`.

    With `routes` (see `corsguard.routing`), each request gets the policy of the most specific
    route matching its path; `policy` or the options then set the default for other paths, and
    without either, other paths get no CORS headers.
    """

    def __init__(self, app: ASGIApp, policy: Policy | None = None,
                 routes: Mapping[RouteKey, RouteValue] | None = None, **options: Any) -> None:
        self.app = app
        self.policy, self.router = build_policies(policy, routes, options)
        self._plans: PlanCache[EncodedDecision] = PlanCache(EncodedDecision)
        # The encoded decision is kept by the raw Origin for methods other than OPTIONS, and by
        # the four CORS request header values for OPTIONS.
        self._stores_decisions = decides_by_header_values(self.policy, self.router)
        self._by_origin: dict[bytes | None, EncodedDecision] = {}
        self._by_preflight: dict[RawCORSHeaders, EncodedDecision] = {}

    def with_app(self, app: ASGIApp) -> CORSMiddleware:
        """Return this middleware around another app, sharing its policy, routes and caches.

        Integrations that build the app later (Starlette's middleware stack, Litestar's route
        handlers) validate the configuration once and bind it to each app with this.
        """
        bound = copy.copy(self)
        bound.app = app
        return bound

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        encoded: EncodedDecision | None
        if not self._stores_decisions:
            encoded = await self._decide(scope, scope["method"])
            if encoded is None:
                await self.app(scope, receive, send)
                return
        elif scope["method"] == "OPTIONS":
            raw = read_cors_header_bytes(scope["headers"])
            encoded = self._by_preflight.get(raw) or self._decide_and_store("OPTIONS", raw)
        else:
            # The hot path of every API call: `read_origin_bytes` inlined to save a call, then a
            # dict lookup.
            for name, raw_origin in scope["headers"]:
                if name == b"origin":
                    break
            else:
                raw_origin = None
            try:
                encoded = self._by_origin[raw_origin]
            except KeyError:
                encoded = self._decide_and_store(scope["method"], (raw_origin, None, None, None))

        if not encoded.forwards_with_headers:  # so the common case costs one test
            if encoded.rejected and logger.isEnabledFor(logging.DEBUG):
                logger.debug("CORS request refused: %s (path %s)", encoded.decision.reason,
                             scope.get("path", "")[:200])
            if encoded.preflight_status is not None:
                await send({"type": "http.response.start", "status": encoded.preflight_status,
                            "headers": list(encoded.preflight_headers)})
                await send({"type": "http.response.body", "body": b""})
                return
            if not encoded.tail:
                await self.app(scope, receive, send)
                return

        # A plain function returning `send`'s awaitable saves a coroutine per message.
        def send_with_cors(message: Message) -> Awaitable[None]:
            if message["type"] == "http.response.start":
                headers = [*message.get("headers", ())]
                # Append the CORS headers unless a response header name has the length of one of
                # theirs. Comparing lengths finds a conflict in any letter case without lowering.
                lengths = encoded.conflict_lengths
                for name, _ in headers:
                    if len(name) in lengths:
                        message["headers"] = apply_decision(headers, encoded.decision)
                        break
                else:
                    headers += encoded.tail
                    message["headers"] = headers
            return send(message)

        await self.app(scope, receive, send_with_cors)

    def _decide_and_store(self, method: str, raw: RawCORSHeaders) -> EncodedDecision:
        """Decide from raw CORS request header values and keep the result if the values are short."""
        assert self.policy is not None
        origin, request_method, request_headers, private_network = (_decode(value) for value in raw)
        decision = self.policy.decide(method, origin, request_method, request_headers, private_network)
        encoded = self._plans.plan(decision)
        if sum(len(value) for value in raw if value is not None) <= MAX_STORED_KEY_BYTES:
            if method == "OPTIONS":
                store: dict[Any, EncodedDecision] = self._by_preflight
                key: Any = raw
            else:
                store, key = self._by_origin, raw[0]
            if len(store) >= STORE_SIZE:
                store.clear()
            store[key] = encoded
        return encoded

    async def _decide(self, scope: Scope, method: str) -> EncodedDecision | None:
        """Decide with routes or an origin predicate; return None when no policy applies."""
        router = self.router
        policy = self.policy if router is None else router.policy_for(asgi_route_path(scope))
        if policy is None:
            return None
        if method == "OPTIONS":
            origin, request_method, request_headers, private_network = read_cors_headers(scope["headers"])
        else:
            origin = _decode(read_origin_bytes(scope["headers"]))
            request_method = request_headers = private_network = None
        predicate_allows = False
        if policy.has_origin_predicate and policy.needs_predicate(origin):
            assert origin is not None
            result = policy.call_predicate(origin, _header_mapping(scope["headers"]))
            if inspect.isawaitable(result):
                result = await result
            predicate_allows = result is True
        decision = policy.decide(method, origin, request_method, request_headers, private_network,
                                 predicate_allows=predicate_allows)
        return self._plans.plan(decision)


def read_origin_bytes(raw_headers: Any) -> bytes | None:
    """Return the raw value of the first Origin line, or None."""
    for name, value in raw_headers:
        if name == b"origin":
            origin: bytes = value
            return origin
    return None


def _header_mapping(raw_headers: Any) -> dict[str, str]:
    """Map lowercase header names to their first value, for an origin predicate."""
    mapping: dict[str, str] = {}
    for name, value in raw_headers:
        mapping.setdefault(name.decode("latin-1").lower(), value.decode("latin-1"))
    return mapping
