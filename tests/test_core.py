"""Unit tests of the policy core: origin patterns, matching, preflights, Vary, and the import rule."""

from __future__ import annotations

import ast
import asyncio
import re
from pathlib import Path
from typing import Any

import pytest

from corsguard import PROBLEM_CODES, ConfigError, ConfigWarning, Policy, RequestKind
from corsguard._headers import merge_vary
from corsguard.asgi import CORSMiddleware as ASGIMiddleware
from corsguard.wsgi import CORSMiddleware as WSGIMiddleware

SRC = Path(__file__).resolve().parent.parent / "src" / "corsguard"
CORE_MODULES = ["fetch.py", "origin.py", "config.py", "policy.py", "_matcher.py", "_public_suffixes.py"]
IO_MODULES = {"socket", "ssl", "asyncio", "http", "urllib", "io", "os", "subprocess", "select", "selectors",
              "threading", "multiprocessing", "logging", "httpx", "requests", "shutil", "pathlib", "tempfile"}


@pytest.mark.parametrize("module", CORE_MODULES)
def test_core_imports_no_io_module(module: str) -> None:
    tree = ast.parse((SRC / module).read_text(encoding="utf-8"))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            imported.add(node.module.split(".")[0])
    assert not imported & IO_MODULES
    stdlib_or_own = imported - {"__future__"}
    import sys
    assert all(name in sys.stdlib_module_names for name in stdlib_or_own), stdlib_or_own


def test_problem_codes_are_documented() -> None:
    page = (SRC.parent.parent / "docs" / "config-errors.md").read_text(encoding="utf-8")
    documented = re.findall(r"^\| `([a-z0-9-]+)` \|", page, flags=re.MULTILINE)
    assert len(documented) == len(set(documented))
    assert set(documented) == set(PROBLEM_CODES)


def test_problem_codes_used_in_source_are_known() -> None:
    used = set()
    for path in SRC.rglob("*.py"):
        used.update(re.findall(r'\("((?:origin|origins|method|header|expose|max-age|option|preflight|predicate)'
                               r'-[a-z-]+)"', path.read_text(encoding="utf-8")))
    assert used <= set(PROBLEM_CODES), used - set(PROBLEM_CODES)


def _codes(**options: Any) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        Policy(**options)
    return [problem.code for problem in caught.value.problems]


@pytest.mark.parametrize(("origin", "code"), [
    ("https://example.com/", "origin-path"),
    ("https://example.com/path", "origin-path"),
    ("https://example.com?x", "origin-path"),
    ("https://user:pw@example.com", "origin-userinfo"),
    ("HTTPS://example.com", "origin-uppercase"),
    ("https://Example.com", "origin-uppercase"),
    ("https://exämple.com", "origin-non-ascii"),
    ("https://example.com:443", "origin-default-port"),
    ("http://example.com:80", "origin-default-port"),
    ("https://example.com:0", "origin-port"),
    ("https://example.com:65536", "origin-port"),
    ("https://example.com:08080", "origin-port"),
    ("https://example.com:", "origin-port"),
    ("https://*.*.example.com", "origin-wildcard"),
    ("https://a.*.example.com", "origin-wildcard"),
    ("https://*example.com", "origin-wildcard"),
    ("https://*.127.0.0.1", "origin-wildcard"),
    ("https://127.1", "origin-ip"),
    ("https://[0:0:0:0:0:0:0:1]", "origin-ip"),
    ("https://1:6060", "origin-host"),
    ("https://exa mple.com", "origin-host"),
    ("example.com", "origin-invalid"),
    (" https://example.com", "origin-invalid"),
    ("null", "origin-null"),
    ("file:///etc", "origin-file"),
])
def test_invalid_origin_patterns(origin: str, code: str) -> None:
    assert _codes(allow_origins=[origin]) == [code]


@pytest.mark.parametrize("origin", [
    "https://example.com", "https://example.com:8443", "http://localhost:*", "https://*.example.com",
    "https://*.example.com:*", "http://127.0.0.1:3000", "http://[::1]:8000", "https://xn--bcher-kva.de",
    "https://example.com.",
])
def test_valid_origin_patterns(origin: str) -> None:
    Policy(allow_origins=[origin], allow_credentials=True)


@pytest.mark.parametrize(("options", "codes"), [
    ({"allow_origins": ["http://app.example.com"], "allow_credentials": True}, ["origin-insecure"]),
    ({"allow_origins": ["https://*.com"], "allow_credentials": True}, ["origin-public-suffix"]),
    ({"allow_origins": ["https://*.github.io"], "allow_credentials": True}, ["origin-public-suffix"]),
    ({"allow_origins": ["https://a.com"], "allow_methods": ["CONNECT", "bad method"]},
     ["method-forbidden", "method-invalid"]),
    ({"allow_origins": ["https://a.com"], "allow_headers": ["Cookie", "Sec-Foo", "x y"]},
     ["header-forbidden", "header-forbidden", "header-invalid"]),
    ({"allow_origins": ["https://a.com"], "expose_headers": ["Set-Cookie", "Origin", "x y"]},
     ["expose-forbidden", "expose-prohibited", "expose-invalid"]),
    ({"allow_origins": ["https://a.com"], "max_age": 86401}, ["max-age-range"]),
    ({"allow_origins": ["https://a.com"], "max_age": "600"}, ["option-type"]),
    ({"allow_origins": ["https://a.com"], "preflight_status": 404}, ["preflight-status"]),
    ({"allow_origins": ["https://a.com"], "allow_methods": "PUT"}, ["option-bare-string"]),
    ({"allow_origins": []}, ["origins-missing"]),
    ({"allow_origins": ["https://a.com"], "allow_orgins": []}, ["option-unknown"]),
    ({"allow_origins": ["https://a.com"], "allow_origin_predicate": lambda: True}, ["predicate-signature"]),
])
def test_config_problems(options: dict[str, Any], codes: list[str]) -> None:
    assert sorted(_codes(**options)) == sorted(codes)


def test_all_problems_reported_at_once() -> None:
    codes = _codes(allow_origins=["*", "http://x.com/"], allow_credentials=True, allow_methods=["TRACE"],
                   expose_headers=["*"], max_age=-5, allow_orgin="x")
    assert sorted(codes) == sorted(["option-unknown", "origin-wildcard-with-credentials", "origin-path",
                                    "method-forbidden", "expose-wildcard-with-credentials", "max-age-range"])


def test_insecure_origin_opt_in() -> None:
    Policy(allow_origins=["http://app.example.com"], allow_credentials=True,
           dangerously_allow_insecure_origins=True)


def test_wildcard_headers_with_credentials_warn_about_authorization() -> None:
    with pytest.warns(ConfigWarning, match="Authorization"):
        Policy(allow_origins=["https://a.com"], allow_credentials=True, allow_headers=["*"])


@pytest.mark.parametrize(("pattern", "origin", "allowed"), [
    ("https://*.example.com", "https://a.example.com", True),
    ("https://*.example.com", "https://a.b.example.com", True),
    ("https://*.example.com", "https://example.com", False),
    ("https://*.example.com", "https://a.example.com:8443", False),
    ("https://*.example.com", "http://a.example.com", False),
    ("https://*.example.com", "https://aexample.com", False),
    ("https://*.example.com:*", "https://a.example.com:8443", True),
    ("http://localhost:*", "http://localhost:3000", True),
    ("http://localhost:*", "http://localhost", True),
    ("http://localhost:*", "http://a.localhost:3000", False),
    ("https://example.com", "https://example.com:443", False),
    ("https://example.com", "https://EXAMPLE.com", False),
    ("https://example.com", "https://example.com/", False),
])
def test_origin_matching(pattern: str, origin: str, allowed: bool) -> None:
    assert Policy(allow_origins=[pattern]).is_origin_allowed(origin) is allowed


def _preflight(policy: Policy, method: str, headers: str | None = None, origin: str = "https://a.com") -> Any:
    return policy.decide("OPTIONS", origin, method, headers)


def test_preflight_methods_compare_case_sensitively() -> None:
    policy = Policy(allow_origins=["https://a.com"], allow_methods=["PATCH"])
    assert _preflight(policy, "PATCH").allowed
    assert not _preflight(policy, "patch").allowed


def test_wildcard_methods_echo_with_credentials() -> None:
    credentialed = Policy(allow_origins=["https://a.com"], allow_credentials=True, allow_methods=["*"])
    assert dict(_preflight(credentialed, "PURGE").headers)["Access-Control-Allow-Methods"] == "PURGE"
    anonymous = Policy(allow_origins=["https://a.com"], allow_methods=["*"])
    assert dict(_preflight(anonymous, "PURGE").headers)["Access-Control-Allow-Methods"] == "*"


def test_authorization_never_covered_by_wildcard() -> None:
    policy = Policy(allow_origins=["https://a.com"], allow_headers=["*"])
    assert not _preflight(policy, "GET", "authorization").allowed
    assert _preflight(policy, "GET", "x-foo").allowed
    listed = Policy(allow_origins=["https://a.com"], allow_headers=["*", "Authorization"])
    assert dict(_preflight(listed, "GET", "authorization").headers)["Access-Control-Allow-Headers"] == \
        "*,authorization"


def test_refused_preflight_is_403_without_cors_headers() -> None:
    policy = Policy(allow_origins=["https://a.com"], allow_methods=["PUT"])
    decision = _preflight(policy, "DELETE")
    assert decision.preflight_status == 403
    assert decision.headers == ()
    assert decision.kind is RequestKind.PREFLIGHT


def test_preflight_passthrough_calls_the_app() -> None:
    policy = Policy(allow_origins=["https://a.com"], allow_methods=["PUT"], preflight_passthrough=True)
    assert _preflight(policy, "PUT").preflight_status is None
    assert _preflight(policy, "DELETE").preflight_status is None


def test_preflight_status_200() -> None:
    policy = Policy(allow_origins=["https://a.com"], allow_methods=["PUT"], preflight_status=200)
    assert _preflight(policy, "PUT").preflight_status == 200


def test_private_network_opt_in() -> None:
    policy = Policy(allow_origins=["https://a.com"], allow_methods=["PUT"], allow_private_network=True)
    decision = policy.decide("OPTIONS", "https://a.com", "PUT", None, "true")
    assert ("Access-Control-Allow-Private-Network", "true") in decision.headers
    assert "Access-Control-Request-Private-Network" in decision.vary


def test_hostile_request_headers_are_refused_not_raised() -> None:
    policy = Policy(allow_origins=["https://a.com"], allow_headers=["*"])
    names = ",".join(f"x-{index:06d}" for index in range(8000))
    assert len(names) > 64 * 1024
    assert _preflight(policy, "GET", names).allowed
    assert not _preflight(policy, "GET", names + ",x-000001").allowed
    assert not _preflight(policy, "GET", "\x00\xff" * 40000).allowed


@pytest.mark.parametrize(("existing", "names", "merged"), [
    ([], ("Origin",), "Origin"),
    (["Accept-Encoding"], ("Origin",), "Accept-Encoding, Origin"),
    (["origin"], ("Origin",), "origin"),
    (["Accept-Encoding", "Cookie"], ("Origin",), "Accept-Encoding, Cookie, Origin"),
    (["Accept-Encoding, Origin"], ("Origin", "Access-Control-Request-Method"),
     "Accept-Encoding, Origin, Access-Control-Request-Method"),
    (["*"], ("Origin",), "*"),
])
def test_vary_merge(existing: list[str], names: tuple[str, ...], merged: str) -> None:
    assert merge_vary(existing, names) == merged


@pytest.mark.parametrize("scope_type", ["websocket", "lifespan"])
def test_asgi_passes_other_scopes_untouched(scope_type: str) -> None:
    seen = []

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        seen.append((scope, receive, send))

    async def receive() -> dict[str, Any]:
        return {}

    async def send(message: dict[str, Any]) -> None:
        return None

    scope = {"type": scope_type, "headers": [(b"origin", b"https://evil.example")]}
    asyncio.run(ASGIMiddleware(app, allow_origins=["https://a.com"])(scope, receive, send))
    assert seen == [(scope, receive, send)]


def test_describe_normalizes() -> None:
    policy = Policy(allow_origins=["https://a.example.com", "https://*.example.com", "https://b.com"],
                    allow_methods=["get", "PUT", "put"], allow_headers=["X-B", "x-a"], expose_headers=["ETag"])
    assert policy.describe() == {
        "allow_origins": ["https://*.example.com", "https://b.com"],
        "allow_credentials": False, "allow_methods": ["PUT"], "allow_headers": ["x-a", "x-b"],
        "expose_headers": ["etag"], "max_age": None}


def _asgi_get(middleware: ASGIMiddleware, headers: list[tuple[bytes, bytes]], method: str = "GET") -> dict[str, str]:
    sent: list[dict[str, Any]] = []

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
        await send({"type": "http.response.body", "body": b"ok"})

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b""}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    middleware.app = app
    asyncio.run(middleware({"type": "http", "method": method, "path": "/", "headers": headers}, receive, send))
    return {name.decode(): value.decode() for name, value in sent[0]["headers"]}


def test_asgi_answers_repeated_origins_the_same() -> None:
    middleware = ASGIMiddleware(lambda *args: None, allow_origins=["https://a.com"], allow_credentials=True)
    for _ in range(3):
        allowed = _asgi_get(middleware, [(b"origin", b"https://a.com")])
        refused = _asgi_get(middleware, [(b"origin", b"https://b.com")])
        absent = _asgi_get(middleware, [])
        assert allowed["access-control-allow-origin"] == "https://a.com"
        assert allowed["access-control-allow-credentials"] == "true"
        assert "access-control-allow-origin" not in refused
        assert refused["vary"] == "Origin"
        assert "access-control-allow-origin" not in absent
        assert absent["vary"] == "Origin"


def test_asgi_keeps_no_decision_for_oversized_origins() -> None:
    middleware = ASGIMiddleware(lambda *args: None, allow_origins=["https://a.com"])
    for index in range(50):
        _asgi_get(middleware, [(b"origin", b"https://" + b"x" * 1100 + str(index).encode())])
    assert middleware._by_origin == {}
    long_names = b",".join(b"x-%04d" % index for index in range(200))
    for method in ("PUT", "DELETE"):
        _asgi_get(middleware, [(b"origin", b"https://a.com"), (b"access-control-request-method", method.encode()),
                               (b"access-control-request-headers", long_names)], method="OPTIONS")
    assert middleware._by_preflight == {}


def test_asgi_answers_repeated_preflights_the_same() -> None:
    middleware = ASGIMiddleware(lambda *args: None, allow_origins=["https://a.com"], allow_credentials=True,
                                allow_methods=["PUT"], allow_headers=["X-Foo"])
    allowed_request = [(b"origin", b"https://a.com"), (b"access-control-request-method", b"PUT"),
                       (b"access-control-request-headers", b"x-foo")]
    refused_request = [(b"origin", b"https://a.com"), (b"access-control-request-method", b"DELETE")]
    for _ in range(3):
        allowed = _asgi_get(middleware, allowed_request, method="OPTIONS")
        refused = _asgi_get(middleware, refused_request, method="OPTIONS")
        not_preflight = _asgi_get(middleware, [(b"origin", b"https://a.com")], method="OPTIONS")
        assert allowed["access-control-allow-methods"] == "PUT"
        assert allowed["access-control-allow-headers"] == "x-foo"
        assert "access-control-allow-origin" not in refused
        assert not_preflight["access-control-allow-origin"] == "https://a.com"
    assert len(middleware._by_preflight) == 3


def test_asgi_logs_every_refusal(caplog: pytest.LogCaptureFixture) -> None:
    middleware = ASGIMiddleware(lambda *args: None, allow_origins=["https://a.com"])
    with caplog.at_level("DEBUG", logger="corsguard"):
        for _ in range(2):
            _asgi_get(middleware, [(b"origin", b"https://b.com")])
    assert [record.getMessage() for record in caplog.records] == [
        "CORS request refused: origin not allowed (path /)"] * 2


def test_asgi_with_app_shares_the_policy() -> None:
    middleware = ASGIMiddleware(lambda *args: None, allow_origins=["https://a.com"], allow_credentials=True)
    bound = middleware.with_app(lambda *args: None)
    assert bound is not middleware
    assert bound.policy is middleware.policy
    headers = _asgi_get(bound, [(b"origin", b"https://a.com")])
    assert headers["access-control-allow-origin"] == "https://a.com"


@pytest.mark.parametrize("container", [list, tuple, iter], ids=["list", "tuple", "iterator"])
def test_asgi_merges_app_headers_any_case(container: Any) -> None:
    app_headers = [(b"content-type", b"text/plain"), (b"Vary", b"Accept-Encoding"),
                   (b"Access-Control-Allow-Origin", b"*")]
    sent: list[dict[str, Any]] = []

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": container(app_headers)})
        await send({"type": "http.response.body", "body": b"ok"})

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    middleware = ASGIMiddleware(app, allow_origins=["https://a.com"], allow_credentials=True)
    scope = {"type": "http", "method": "GET", "path": "/", "headers": [(b"origin", b"https://a.com")]}
    for _ in range(2):
        sent.clear()
        asyncio.run(middleware(dict(scope), None, send))
        headers = [(name.decode().lower(), value.decode()) for name, value in sent[0]["headers"]]
        assert sorted(headers) == [
            ("access-control-allow-credentials", "true"), ("access-control-allow-origin", "https://a.com"),
            ("content-type", "text/plain"), ("vary", "Accept-Encoding, Origin")]
    # The app's own header list is never changed, so a response object can be sent again.
    assert len(app_headers) == 3


def _wsgi_get(middleware: WSGIMiddleware, origin: str | None) -> dict[str, str]:
    sent: list[list[tuple[str, str]]] = []

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        sent.append(headers)

    middleware.app = app
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/"}
    if origin is not None:
        environ["HTTP_ORIGIN"] = origin
    middleware(environ, start_response)
    return {name.lower(): value for name, value in sent[0]}


def test_wsgi_answers_repeated_origins_the_same() -> None:
    middleware = WSGIMiddleware(lambda *args: [], allow_origins=["https://a.com"], allow_credentials=True)
    for _ in range(3):
        allowed = _wsgi_get(middleware, "https://a.com")
        joined = _wsgi_get(middleware, "https://a.com, https://b.com")
        refused = _wsgi_get(middleware, "https://b.com")
        absent = _wsgi_get(middleware, None)
        assert allowed["access-control-allow-origin"] == "https://a.com"
        assert joined["access-control-allow-origin"] == "https://a.com"
        assert "access-control-allow-origin" not in refused
        assert refused["vary"] == "Origin"
        assert absent["vary"] == "Origin"
    assert len(middleware._by_origin) == 4


def test_wsgi_skips_oversized_origins() -> None:
    middleware = WSGIMiddleware(lambda *args: [], allow_origins=["https://a.com"])
    for index in range(50):
        headers = _wsgi_get(middleware, "https://" + "x" * 1100 + str(index))
        assert headers["vary"] == "Origin"
    assert middleware._by_origin == {}


def test_describe_drops_covered_origins() -> None:
    policy = Policy(allow_origins=[
        "https://*.example.com", "https://a.example.com", "https://x.y.example.com",
        "https://*.b.example.com", "http://c.example.com:8080", "https://d.example.com:8443",
        "https://*.example.org:8443", "https://e.example.org:8443", "https://f.example.org",
        "https://example.com", "https://*.example.net:*", "https://g.example.net:9000"])
    assert policy.describe()["allow_origins"] == [
        "http://c.example.com:8080", "https://*.example.com", "https://*.example.net:*",
        "https://*.example.org:8443", "https://d.example.com:8443", "https://example.com",
        "https://f.example.org"]


def test_describe_linear_in_patterns() -> None:
    tenants = [f"https://*.tenant{index}.example.com" for index in range(20_000)]
    apps = [f"https://app.tenant{index}.example.com" for index in range(20_000)]
    policy = Policy(allow_origins=[*tenants, *apps])
    assert policy.describe()["allow_origins"] == sorted(tenants)


@pytest.mark.parametrize("method", ["GET", "HEAD", "POST"])
def test_safelisted_method_preflight_passes(method: str) -> None:
    # Browsers preflight a safelisted method too, for example an XHR POST with an upload listener.
    policy = Policy(allow_origins=["https://app.example.com"], allow_credentials=True)
    decision = policy.decide("OPTIONS", "https://app.example.com", method, None, None)
    assert decision.allowed
    assert decision.preflight_status == 204
    assert ("Access-Control-Allow-Origin", "https://app.example.com") in decision.headers


def test_unlisted_method_preflight_rejected() -> None:
    policy = Policy(allow_origins=["https://app.example.com"], allow_credentials=True)
    decision = policy.decide("OPTIONS", "https://app.example.com", "PUT", None, None)
    assert not decision.allowed
    assert decision.preflight_status == 403
