"""The small apps that `corsguard demo` serves on loopback; the Chromium test serves them too.

- the front end: a page that calls the API with `fetch(..., {credentials: "include"})`;
- the example API: `POST /login` sets the `sessionId` cookie, and `GET /data` returns the JSON of
  the session that cookie names. corsguard's ASGI middleware allows one front-end origin with
  credentials;
- a misconfigured API that sends `Access-Control-Allow-Origin: *` and
  `Access-Control-Allow-Credentials: true` on every response, a combination browsers reject.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from ..asgi import CORSMiddleware

if TYPE_CHECKING:
    from starlette.requests import Request
    from starlette.responses import JSONResponse

SESSION_COOKIE = "sessionId"
DEMO_SESSION_ID = "s3cr3t-demo-session"
SESSIONS = {DEMO_SESSION_ID: {"user": "ada", "plan": "pro", "cart": ["keyboard", "coffee"]}}
CSRF_HEADER = "X-CSRF-Token"
REQUEST_ID_HEADER = "X-Request-Id"

FRONTEND_PAGE = b"""<!doctype html>
<html><head><meta charset="utf-8"><title>corsguard demo front end</title></head>
<body>
<p>Calls <code>GET {api}/data</code> with <code>credentials: "include"</code>;
the API is given as <code>?api=http://127.0.0.1:PORT</code>.</p>
<pre id="out">loading...</pre>
<script>
async function loadData(api) {
  const response = await fetch(api + "/data", {credentials: "include"});
  return {status: response.status, body: await response.json()};
}
const api = new URLSearchParams(location.search).get("api");
if (api) {
  loadData(api).then(
    (result) => { document.getElementById("out").textContent = JSON.stringify(result); },
    (error) => { document.getElementById("out").textContent = String(error); });
}
</script>
</body></html>
"""


async def frontend_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """Serve the front-end page at every path (an ASGI app with no framework)."""
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"text/html; charset=utf-8"),
                            (b"content-length", str(len(FRONTEND_PAGE)).encode())]})
    await send({"type": "http.response.body", "body": FRONTEND_PAGE})


async def _data(request: Request) -> JSONResponse:
    from starlette.responses import JSONResponse

    session = SESSIONS.get(request.cookies.get(SESSION_COOKIE, ""))
    if session is None:
        return JSONResponse({"error": f"missing or unknown {SESSION_COOKIE} cookie"}, status_code=401)
    return JSONResponse(session, headers={REQUEST_ID_HEADER: "demo-1"})


async def _login(request: Request) -> JSONResponse:
    from starlette.responses import JSONResponse

    response = JSONResponse({"user": SESSIONS[DEMO_SESSION_ID]["user"]})
    response.set_cookie(SESSION_COOKIE, DEMO_SESSION_ID, path="/", httponly=True, samesite="lax")
    return response


def build_api(frontend_origin: str) -> CORSMiddleware:
    """Build the example API, allowing `frontend_origin` with credentials and the CSRF header."""
    from starlette.applications import Starlette
    from starlette.routing import Route

    app = Starlette(routes=[Route("/data", _data, methods=["GET"]), Route("/login", _login, methods=["POST"])])
    return CORSMiddleware(
        app,
        allow_origins=[frontend_origin],
        allow_credentials=True,
        allow_methods=["GET", "POST"],
        allow_headers=[CSRF_HEADER],
        expose_headers=[REQUEST_ID_HEADER],
        max_age=600,
    )


def misconfigured_api(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
    """Respond like a server that sends `*` and also allows credentials, to every request (WSGI)."""
    body = json.dumps({"user": "ada", "note": "served with ACAO * and ACAC true"}).encode()
    start_response("200 OK", [
        ("Content-Type", "application/json"),
        ("Content-Length", str(len(body))),
        ("Access-Control-Allow-Origin", "*"),
        ("Access-Control-Allow-Credentials", "true"),
    ])
    return [body]
