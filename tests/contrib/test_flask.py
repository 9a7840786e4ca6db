"""Flask: the extension, blueprint and view policies, errors and authentication."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Blueprint, Flask, jsonify, request
from flask.testing import FlaskClient

from corsguard import ConfigError, Policy
from corsguard.contrib.flask import CORS, cross_origin, no_cross_origin
from corsguard.servers import serve_wsgi

from .live import browser_check, exchange_with_protected_route

APP_ORIGIN = "https://app.example.com"
ADMIN_ORIGIN = "https://admin.example.com"
EVIL_ORIGIN = "https://evil.example"
CREDENTIALED: dict[str, Any] = {"allow_origins": [APP_ORIGIN], "allow_credentials": True,
                                "allow_methods": ["GET", "POST", "PUT"], "allow_headers": ["Authorization"]}


def _build_app(**cors_options: Any) -> Flask:
    app = Flask(__name__)

    @app.get("/items")
    def list_items() -> Any:
        return jsonify(["a"])

    @app.post("/items")
    @cross_origin(allow_origins=[ADMIN_ORIGIN], allow_credentials=True, allow_methods=["POST"],
                  allow_headers=["Content-Type"])
    def create_item() -> Any:
        return jsonify("created"), 201

    @cross_origin(allow_origins=["*"])
    @app.get("/public")
    def public() -> Any:
        return "public"

    @app.get("/internal")
    @no_cross_origin
    def internal() -> Any:
        return "internal"

    @app.get("/boom")
    def boom() -> Any:
        raise RuntimeError("view failed")

    @app.before_request
    def require_token() -> Any:
        if request.path.startswith("/private/") and request.headers.get("Authorization") != "Bearer good":
            return jsonify({"error": "not authenticated"}), 401
        return None

    @app.get("/private/secret")
    def secret() -> Any:
        return jsonify({"secret": 42})

    CORS(app, **(cors_options or CREDENTIALED))
    return app


def _client(app: Flask | None = None) -> FlaskClient:
    return (app or _build_app()).test_client()


def _preflight(client: FlaskClient, path: str, method: str, origin: str = APP_ORIGIN,
               headers: str | None = None) -> Any:
    request_headers = {"Origin": origin, "Access-Control-Request-Method": method}
    if headers is not None:
        request_headers["Access-Control-Request-Headers"] = headers
    return client.options(path, headers=request_headers)


# --- app-wide policy ------------------------------------------------------------------------


def test_app_policy_allows_listed_origin() -> None:
    response = _client().get("/items", headers={"Origin": APP_ORIGIN})
    assert response.headers["Access-Control-Allow-Origin"] == APP_ORIGIN
    assert response.headers["Access-Control-Allow-Credentials"] == "true"
    assert response.headers["Vary"] == "Origin"


def test_app_policy_refuses_other_origin() -> None:
    response = _client().get("/items", headers={"Origin": EVIL_ORIGIN})
    assert "Access-Control-Allow-Origin" not in response.headers
    assert response.headers["Vary"] == "Origin"


def test_options_from_app_config() -> None:
    app = Flask(__name__)
    app.config["CORSGUARD"] = {"allow_origins": [APP_ORIGIN], "allow_methods": ["PUT"]}
    app.add_url_rule("/x", "x", lambda: "x")
    CORS(app, max_age=60)
    response = _preflight(app.test_client(), "/x", "PUT")
    assert response.status_code == 204
    assert response.headers["Access-Control-Max-Age"] == "60"


def test_init_app_factory() -> None:
    cors = CORS(allow_origins=[APP_ORIGIN])
    app = Flask(__name__)
    app.add_url_rule("/x", "x", lambda: "x")
    cors.init_app(app)
    response = app.test_client().get("/x", headers={"Origin": APP_ORIGIN})
    assert response.headers["Access-Control-Allow-Origin"] == APP_ORIGIN


def test_routes_table() -> None:
    app = Flask(__name__)
    app.add_url_rule("/api/v1/x", "x", lambda: "x")
    app.add_url_rule("/y", "y", lambda: "y")
    CORS(app, routes={"/api/**": {"allow_origins": ["*"]}}, allow_origins=[APP_ORIGIN])
    client = app.test_client()
    assert client.get("/api/v1/x", headers={"Origin": EVIL_ORIGIN}).headers["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Origin" not in client.get("/y", headers={"Origin": EVIL_ORIGIN}).headers


# --- view and blueprint policies ------------------------------------------------------------


def test_view_policy_below_route() -> None:
    response = _client().post("/items", headers={"Origin": ADMIN_ORIGIN})
    assert response.status_code == 201
    assert response.headers["Access-Control-Allow-Origin"] == ADMIN_ORIGIN


def test_view_policy_above_route() -> None:
    response = _client().get("/public", headers={"Origin": EVIL_ORIGIN})
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_view_policy_replaces_app_policy() -> None:
    response = _client().post("/items", headers={"Origin": APP_ORIGIN})
    assert "Access-Control-Allow-Origin" not in response.headers


def test_preflight_uses_requested_method_view() -> None:
    client = _client()
    post = _preflight(client, "/items", "POST", ADMIN_ORIGIN, "content-type")
    put = _preflight(client, "/items", "PUT", APP_ORIGIN)
    assert post.status_code == 204
    assert post.headers["Access-Control-Allow-Origin"] == ADMIN_ORIGIN
    assert put.status_code == 204
    assert put.headers["Access-Control-Allow-Origin"] == APP_ORIGIN


def test_no_cross_origin_view() -> None:
    response = _client().get("/internal", headers={"Origin": APP_ORIGIN})
    assert "Access-Control-Allow-Origin" not in response.headers
    assert "Vary" not in response.headers


def _blueprint_app(register_first: bool) -> Flask:
    app = Flask(__name__)
    admin = Blueprint("admin", __name__)
    reports = Blueprint("reports", __name__)
    admin.add_url_rule("/keys", "keys", lambda: "keys")
    reports.add_url_rule("/daily", "daily", lambda: "daily")
    admin.register_blueprint(reports, url_prefix="/reports")
    CORS(admin, allow_origins=[ADMIN_ORIGIN], allow_credentials=True)
    CORS(reports, allow_origins=["https://reports.example.com"])
    if register_first:
        app.register_blueprint(admin, url_prefix="/admin")
        CORS(app, allow_origins=[APP_ORIGIN])
    else:
        CORS(app, allow_origins=[APP_ORIGIN])
        app.register_blueprint(admin, url_prefix="/admin")
    app.add_url_rule("/home", "home", lambda: "home")
    return app


@pytest.mark.parametrize("register_first", [True, False])
def test_blueprint_policy(register_first: bool) -> None:
    client = _blueprint_app(register_first).test_client()
    admin = client.get("/admin/keys", headers={"Origin": ADMIN_ORIGIN})
    app_origin = client.get("/admin/keys", headers={"Origin": APP_ORIGIN})
    home = client.get("/home", headers={"Origin": APP_ORIGIN})
    assert admin.headers["Access-Control-Allow-Origin"] == ADMIN_ORIGIN
    assert "Access-Control-Allow-Origin" not in app_origin.headers
    assert home.headers["Access-Control-Allow-Origin"] == APP_ORIGIN


def test_nested_blueprint_innermost_wins() -> None:
    client = _blueprint_app(True).test_client()
    response = client.get("/admin/reports/daily", headers={"Origin": "https://reports.example.com"})
    assert response.headers["Access-Control-Allow-Origin"] == "https://reports.example.com"


def test_blueprint_without_app_policy() -> None:
    app = Flask(__name__)
    admin = Blueprint("admin", __name__)
    admin.add_url_rule("/keys", "keys", lambda: "keys")
    CORS(admin, allow_origins=[ADMIN_ORIGIN])
    app.register_blueprint(admin, url_prefix="/admin")
    app.add_url_rule("/home", "home", lambda: "home")
    client = app.test_client()
    assert client.get("/admin/keys", headers={"Origin": ADMIN_ORIGIN}).headers["Access-Control-Allow-Origin"]
    assert "Vary" not in client.get("/home", headers={"Origin": ADMIN_ORIGIN}).headers


def test_untrusted_host_falls_back_to_app_policy() -> None:
    app = _build_app()
    app.config["TRUSTED_HOSTS"] = ["api.example.com"]
    response = app.test_client().get("/public", headers={"Origin": EVIL_ORIGIN})
    assert response.status_code == 400
    assert "Access-Control-Allow-Origin" not in response.headers


# --- errors and authentication --------------------------------------------------------------


def test_500_carries_cors_headers() -> None:
    response = _client().get("/boom", headers={"Origin": APP_ORIGIN})
    assert response.status_code == 500
    assert response.headers["Access-Control-Allow-Origin"] == APP_ORIGIN


def test_404_carries_cors_headers() -> None:
    response = _client().get("/missing", headers={"Origin": APP_ORIGIN})
    assert response.status_code == 404
    assert response.headers["Access-Control-Allow-Origin"] == APP_ORIGIN


def test_preflight_skips_before_request_auth() -> None:
    response = _preflight(_client(), "/private/secret", "GET", headers="authorization")
    assert response.status_code == 204
    assert response.headers["Access-Control-Allow-Headers"] == "authorization"


def test_unauthenticated_request_gets_401_with_cors() -> None:
    response = _client().get("/private/secret", headers={"Origin": APP_ORIGIN})
    assert response.status_code == 401
    assert response.headers["Access-Control-Allow-Origin"] == APP_ORIGIN
    assert response.headers["Access-Control-Allow-Credentials"] == "true"


# --- configuration errors -------------------------------------------------------------------


def test_flask_cors_names_rejected_with_hint() -> None:
    with pytest.raises(ConfigError) as caught:
        CORS(Flask(__name__), origins="*", supports_credentials=True)
    problems = caught.value.problems
    assert [problem.code for problem in problems] == ["option-unknown", "option-unknown", "origins-missing"]
    assert [problem.value for problem in problems[:2]] == ["origins", "supports_credentials"]
    assert "allow_origins=[...]" in problems[0].hint
    assert "allow_credentials=True" in problems[1].hint


def test_wildcard_with_credentials_rejected() -> None:
    with pytest.raises(ConfigError) as caught:
        CORS(Flask(__name__), allow_origins=["*"], allow_credentials=True)
    assert [problem.code for problem in caught.value.problems] == ["origin-wildcard-with-credentials"]


def test_decorator_validates_at_import() -> None:
    with pytest.raises(ConfigError) as caught:
        cross_origin(allow_origins="https://app.example.com")
    assert [problem.code for problem in caught.value.problems] == ["option-bare-string"]


def test_app_config_must_be_dict() -> None:
    app = Flask(__name__)
    app.config["CORSGUARD"] = ["https://app.example.com"]
    with pytest.raises(ConfigError):
        CORS(app)


def test_policy_and_options_together_rejected() -> None:
    with pytest.raises(TypeError):
        cross_origin(Policy(allow_origins=[APP_ORIGIN]), allow_credentials=True)


# --- real server ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def live_url() -> Iterator[str]:
    with serve_wsgi(_build_app()) as url:
        yield url


@pytest.mark.server
def test_live_preflight_401_and_500(live_url: str) -> None:
    exchange = exchange_with_protected_route(live_url, APP_ORIGIN, error_path="/boom")
    assert exchange.preflight.status_code == 204
    assert exchange.unauthenticated.status_code == 401
    assert exchange.unauthenticated.headers["access-control-allow-origin"] == APP_ORIGIN
    assert exchange.failed is not None
    assert exchange.failed.status_code == 500
    assert exchange.failed.headers["access-control-allow-origin"] == APP_ORIGIN


@pytest.mark.server
def test_live_checker_view_policies(live_url: str) -> None:
    admin_post = browser_check(f"{live_url}/items", ADMIN_ORIGIN, "POST", ["Content-Type: application/json"])
    app_post = browser_check(f"{live_url}/items", APP_ORIGIN, "POST", ["Content-Type: application/json"])
    assert admin_post.allowed, admin_post.verdict
    assert not app_post.allowed


@pytest.mark.server
def test_live_checker_reads_401(live_url: str) -> None:
    result = browser_check(f"{live_url}/private/secret", APP_ORIGIN)
    assert result.allowed, result.verdict


def test_routes_from_app_config() -> None:
    app = Flask(__name__)
    app.config["CORSGUARD"] = {"allow_origins": [APP_ORIGIN], "routes": {"/open": {"allow_origins": ["*"]}}}
    app.add_url_rule("/open", "open", lambda: "open")
    CORS(app)
    response = app.test_client().get("/open", headers={"Origin": EVIL_ORIGIN})
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_cached_match_keyed_by_host() -> None:
    app = Flask(__name__, host_matching=True, static_host="static.example.com")
    app.add_url_rule("/x", "public_x", cross_origin(allow_origins=["*"])(lambda: "public"),
                     host="public.example.com")
    app.add_url_rule("/x", "private_x", lambda: "private", host="private.example.com")
    CORS(app, allow_origins=[APP_ORIGIN])
    client = app.test_client()
    for _ in range(2):
        public = client.get("/x", headers={"Origin": EVIL_ORIGIN, "Host": "public.example.com"})
        private = client.get("/x", headers={"Origin": EVIL_ORIGIN, "Host": "private.example.com"})
        assert public.headers["Access-Control-Allow-Origin"] == "*"
        assert "Access-Control-Allow-Origin" not in private.headers
