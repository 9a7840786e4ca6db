"""The checker against real apps: in process through ASGI and WSGI, and over loopback HTTP."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import pytest

from corsguard.asgi import CORSMiddleware as ASGICORSMiddleware
from corsguard.browser import (
    ASGITransport,
    Checker,
    FetchRequest,
    HTTPTransport,
    RecordedResponse,
    RecordedTransport,
    Transport,
    TransportError,
    WSGITransport,
    check,
)
from corsguard.servers import serve_asgi, serve_wsgi
from corsguard.wsgi import CORSMiddleware as WSGICORSMiddleware

PAGE = "https://app.example.com"
OTHER_PAGE = "https://evil.example.net"
POLICY = {
    "allow_origins": [PAGE],
    "allow_credentials": True,
    "allow_methods": ["GET", "POST", "PUT", "patch"],
    "allow_headers": ["Authorization", "Content-Type", "X-Request-Id"],
    "expose_headers": ["X-Total-Count"],
    "max_age": 600,
}


# Small apps: each records the requests it receives, so tests can see what the checker sent.

class ASGIApp:
    def __init__(self, headers: list[tuple[bytes, bytes]] | None = None, status: int = 200,
                 preflight: tuple[int, list[tuple[bytes, bytes]]] | None = None) -> None:
        self.headers = headers or []
        self.status = status
        self.preflight = preflight
        self.seen: list[tuple[str, dict[str, str]]] = []

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        request_headers = {name.decode(): value.decode() for name, value in scope["headers"]}
        self.seen.append((scope["method"], request_headers))
        status, headers = self.status, self.headers
        if scope["method"] == "OPTIONS" and self.preflight is not None:
            status, headers = self.preflight
        base = [(b"content-type", b"text/plain"), (b"x-total-count", b"3")]
        await send({"type": "http.response.start", "status": status, "headers": base + headers})
        await send({"type": "http.response.body", "body": b"" if status in (204, 304) else b"ok"})


class WSGIApp:
    def __init__(self, headers: list[tuple[str, str]] | None = None, status: str = "200 OK") -> None:
        self.headers = headers or []
        self.status = status
        self.seen: list[tuple[str, dict[str, str]]] = []

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        request_headers = {key[5:].lower().replace("_", "-"): value for key, value in environ.items()
                           if key.startswith("HTTP_")}
        self.seen.append((environ["REQUEST_METHOD"], request_headers))
        start_response(self.status, [("Content-Type", "text/plain"), ("X-Total-Count", "3"), *self.headers])
        return [b"ok"]


def guarded_asgi() -> Any:
    return ASGICORSMiddleware(ASGIApp(), **POLICY)


def guarded_wsgi() -> Any:
    return WSGICORSMiddleware(WSGIApp(), **POLICY)


TRANSPORTS: dict[str, Callable[[], Transport]] = {
    "asgi": lambda: ASGITransport(guarded_asgi()),
    "wsgi": lambda: WSGITransport(guarded_wsgi()),
}


@pytest.mark.parametrize("kind", TRANSPORTS)
def test_middleware_credentialed_get_allowed(kind: str) -> None:
    request = FetchRequest("https://api.example.com/items", PAGE, credentials="include")
    verdict = Checker().check(request, TRANSPORTS[kind]())
    assert verdict.verdict == "allowed"
    assert verdict.visible_headers == ("content-type", "x-total-count")
    assert verdict.credentials_attached == {"preflight": None, "actual": True}
    assert verdict.warnings == ()


@pytest.mark.parametrize("kind", TRANSPORTS)
def test_middleware_preflighted_put_allowed(kind: str) -> None:
    request = FetchRequest("https://api.example.com/items/1", PAGE, "PUT",
                           headers=(("Content-Type", "application/json"), ("Authorization", "Bearer t")),
                           credentials="include")
    verdict = Checker().check(request, TRANSPORTS[kind]())
    assert verdict.verdict == "allowed"
    assert verdict.preflight_needed is True
    assert dict(verdict.preflight_request or ())["access-control-request-headers"] == "authorization,content-type"
    assert verdict.exchanges[0].response is not None
    assert 200 <= verdict.exchanges[0].response.status <= 299


@pytest.mark.parametrize("kind", TRANSPORTS)
def test_middleware_lowercase_patch_allowed(kind: str) -> None:
    request = FetchRequest("https://api.example.com/items/1", PAGE, "patch", credentials="include")
    verdict = Checker().check(request, TRANSPORTS[kind]())
    assert verdict.verdict == "allowed"
    assert verdict.exchanges[-1].method == "patch"


@pytest.mark.parametrize("kind", TRANSPORTS)
def test_middleware_unknown_origin_blocked(kind: str) -> None:
    request = FetchRequest("https://api.example.com/items", OTHER_PAGE, credentials="include")
    verdict = Checker().check(request, TRANSPORTS[kind]())
    assert verdict.error is not None
    assert verdict.error.chromium == "MissingAllowOriginHeader"
    assert "allow_origins" in verdict.fix


@pytest.mark.parametrize("kind", TRANSPORTS)
def test_middleware_header_not_allowed(kind: str) -> None:
    request = FetchRequest("https://api.example.com/items", PAGE, headers=(("X-Debug", "1"),),
                           credentials="include")
    verdict = Checker().check(request, TRANSPORTS[kind]())
    assert verdict.error is not None
    assert verdict.error.stage == "preflight"
    # corsguard refuses a disallowed preflight with 403 and no CORS headers.
    assert verdict.error.chromium == "PreflightMissingAllowOriginHeader"
    assert "403" in verdict.explanation


@pytest.mark.parametrize("kind", TRANSPORTS)
def test_middleware_preflight_cached(kind: str) -> None:
    transport = TRANSPORTS[kind]()
    checker = Checker()
    request = FetchRequest("https://api.example.com/items/1", PAGE, "PUT", credentials="include")
    assert checker.check(request, transport).preflight_needed is True
    second = checker.check(request, transport)
    assert second.preflight_needed is False
    assert second.preflight_from_cache is True


def test_asgi_request_headers_as_browser_sends() -> None:
    app = ASGIApp([(b"access-control-allow-origin", PAGE.encode())])
    request = FetchRequest("https://api.example.com/items?page=2", PAGE, headers=(("Accept", "application/json"),),
                           cookies=(("sid", "abc; SameSite=None; Secure"),))
    Checker().check(request, ASGITransport(app))
    [(method, headers)] = app.seen
    assert method == "GET"
    assert headers["origin"] == PAGE
    assert headers["accept"] == "application/json"
    assert "cookie" not in headers  # credentials mode same-origin, cross-origin: no cookies


def test_asgi_cookie_sent_with_include() -> None:
    app = ASGIApp([(b"access-control-allow-origin", PAGE.encode()), (b"access-control-allow-credentials", b"true")])
    # api.example.net is another site than app.example.com, so only the SameSite=None cookie goes.
    request = FetchRequest("https://api.example.net/items", PAGE, credentials="include",
                           cookies=(("sid", "abc; SameSite=None; Secure"), ("lax", "1")))
    verdict = Checker().check(request, ASGITransport(app))
    [(_, headers)] = app.seen
    assert headers["cookie"] == "sid=abc"
    assert {outcome.name: outcome.action for outcome in verdict.cookies} == {"sid": "sent", "lax": "not-sent"}


def test_asgi_reflecting_app_warns_without_vary() -> None:
    app = ASGIApp([(b"access-control-allow-origin", PAGE.encode()), (b"access-control-allow-credentials", b"true")])
    request = FetchRequest("https://api.example.com/items", PAGE, credentials="include")
    verdict = Checker().check(request, ASGITransport(app))
    assert verdict.verdict == "allowed"
    assert any("Vary: Origin" in warning for warning in verdict.warnings)


def test_asgi_null_origin_app_warns() -> None:
    app = ASGIApp([(b"access-control-allow-origin", b"null")])
    verdict = Checker().check(FetchRequest("https://api.example.com/items", "null"), ASGITransport(app))
    assert verdict.verdict == "allowed"
    assert any("`null`" in warning for warning in verdict.warnings)


def test_asgi_wildcard_with_credentials_blocked() -> None:
    app = ASGIApp([(b"access-control-allow-origin", b"*"), (b"access-control-allow-credentials", b"true")])
    verdict = Checker().check(FetchRequest("https://api.example.com/items", PAGE, credentials="include"),
                              ASGITransport(app))
    assert verdict.error is not None
    assert verdict.error.chromium == "WildcardOriginNotAllowed"


def test_asgi_auth_layer_rejects_preflight() -> None:
    app = ASGIApp(preflight=(401, []))
    request = FetchRequest("https://api.example.com/items", PAGE, headers=(("Authorization", "Bearer t"),))
    verdict = Checker().check(request, ASGITransport(app))
    assert verdict.error is not None
    assert verdict.error.chromium == "PreflightMissingAllowOriginHeader"
    assert "401" in verdict.explanation


def test_wsgi_duplicate_acao_blocked() -> None:
    app = WSGIApp([("Access-Control-Allow-Origin", PAGE), ("Access-Control-Allow-Origin", PAGE)])
    verdict = Checker().check(FetchRequest("https://api.example.com/items", PAGE), WSGITransport(app))
    assert verdict.error is not None
    assert verdict.error.chromium == "MultipleAllowOriginValues"
    assert verdict.error.firefox == "CORSMultipleAllowOriginNotAllowed"


def test_wsgi_redirect_followed_with_tainted_origin() -> None:
    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ["PATH_INFO"] == "/old":
            start_response("302 Found", [("Location", "https://cdn.example.com/new"),
                                         ("Access-Control-Allow-Origin", PAGE)])
        else:
            seen.append(environ.get("HTTP_ORIGIN", ""))
            start_response("200 OK", [("Access-Control-Allow-Origin", "*")])
        return [b""]

    seen: list[str] = []
    verdict = Checker().check(FetchRequest("https://api.example.com/old", PAGE), WSGITransport(app))
    assert verdict.verdict == "allowed"
    assert seen == ["null"]


def test_wsgi_app_crash_is_network_error() -> None:
    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        raise RuntimeError("boom")

    verdict = Checker().check(FetchRequest("https://api.example.com/x", PAGE), WSGITransport(app))
    assert verdict.error is not None
    assert verdict.error.code == "NetworkError"
    assert verdict.error.firefox == "CORSDidNotSucceed"


def test_recorded_transport_sequence_and_missing() -> None:
    transport = RecordedTransport([RecordedResponse(200, ()), RecordedResponse(204, ())])
    assert transport.send("GET", "https://a.example/", ()).status == 200
    assert transport.send("GET", "https://a.example/", ()).status == 204
    with pytest.raises(TransportError):
        transport.send("GET", "https://a.example/", ())


def test_recorded_transport_exact_key_wins() -> None:
    transport = RecordedTransport({("*", "*"): RecordedResponse(500, ()),
                                   ("GET", "https://a.example/x"): [RecordedResponse(201, ()),
                                                                    RecordedResponse(202, ())]})
    statuses = [transport.send("GET", "https://a.example/x", ()).status for _ in range(3)]
    assert statuses == [201, 202, 202]
    assert transport.send("POST", "https://a.example/x", ()).status == 500


# Real servers on loopback.

@pytest.mark.server
def test_http_transport_against_uvicorn() -> None:
    app = ASGICORSMiddleware(ASGIApp(), **{**POLICY, "allow_origins": ["http://127.0.0.1:1"]})
    with serve_asgi(app) as base_url, HTTPTransport() as transport:
        checker = Checker("chromium")
        allowed = checker.check(FetchRequest(f"{base_url}/items", "http://127.0.0.1:1", "PUT",
                                             headers=(("X-Request-Id", "7"),), credentials="include"), transport)
        blocked = checker.check(FetchRequest(f"{base_url}/items", "http://localhost:1", credentials="include"),
                                transport)
    assert allowed.verdict == "allowed"
    assert allowed.preflight_needed is True
    assert dict(allowed.preflight_request or ())["access-control-request-headers"] == "x-request-id"
    assert blocked.error is not None
    assert blocked.error.chromium == "MissingAllowOriginHeader"


@pytest.mark.server
def test_http_transport_keeps_lowercase_method() -> None:
    app = ASGIApp([(b"access-control-allow-origin", b"*")],
                  preflight=(204, [(b"access-control-allow-origin", b"*"), (b"access-control-allow-methods", b"patch")]))
    with serve_asgi(app) as base_url:
        verdict = check(FetchRequest(f"{base_url}/x", "http://127.0.0.1:1", "patch"))
    assert verdict.verdict == "allowed"
    assert [method for method, _ in app.seen] == ["OPTIONS", "patch"]
    assert app.seen[0][1]["access-control-request-method"] == "patch"


@pytest.mark.server
def test_http_transport_does_not_follow_redirects() -> None:
    app = WSGIApp([("Location", "/elsewhere"), ("Access-Control-Allow-Origin", "*")], status="302 Found")
    with serve_wsgi(app) as base_url:
        verdict = check(FetchRequest(f"{base_url}/start", "http://127.0.0.1:1", redirect="manual"))
    assert verdict.verdict == "opaqueredirect"
    assert len(app.seen) == 1


@pytest.mark.server
def test_http_transport_connection_refused() -> None:
    with serve_asgi(ASGIApp()) as base_url:
        pass  # the server is stopped again, so its port refuses connections
    verdict = check(FetchRequest(f"{base_url}/x", "http://127.0.0.1:1"))
    assert verdict.error is not None
    assert verdict.error.code == "NetworkError"


def test_allowed_explanation_names_hidden_headers() -> None:
    request = FetchRequest("https://api.example.com/items", PAGE, "PUT", credentials="include")
    verdict = Checker().check(request, ASGITransport(ASGICORSMiddleware(ASGIApp(), **{**POLICY, "expose_headers": []})))
    assert verdict.verdict == "allowed"
    assert "x-total-count" in verdict.explanation
    assert "expose_headers" in verdict.explanation
    assert "preflight" in verdict.explanation


def test_allowed_explanation_leaves_out_server_headers() -> None:
    app = ASGIApp([(b"date", b"Fri, 04 Dec 2026 23:00:00 GMT"), (b"server", b"uvicorn"),
                   (b"access-control-allow-origin", PAGE.encode()), (b"access-control-allow-credentials", b"true")])
    verdict = Checker().check(FetchRequest("https://api.example.com/items", PAGE, credentials="include"),
                              ASGITransport(app))
    assert verdict.verdict == "allowed"
    assert "cannot read x-total-count:" in verdict.explanation


def test_wildcard_with_credentials_header_warns() -> None:
    app = ASGIApp([(b"access-control-allow-origin", b"*"), (b"access-control-allow-credentials", b"true")])
    verdict = Checker().check(FetchRequest("https://api.example.com/items", PAGE), ASGITransport(app))
    assert verdict.verdict == "allowed"
    assert any("never works" in warning for warning in verdict.warnings)
