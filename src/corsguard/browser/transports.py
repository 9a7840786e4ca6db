"""Ways to reach a server: live HTTP, an ASGI or WSGI app in process, or recorded responses.

A transport sends exactly the headers the checker gives it and never follows redirects: the
checker handles each hop the way a browser does.
"""

from __future__ import annotations

import asyncio
import io
import sys
import urllib.parse
from collections.abc import Callable, Coroutine, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, Protocol

from .model import HeaderLines, RecordedResponse

if TYPE_CHECKING:
    import httpx
    from typing_extensions import Self

DEFAULT_TIMEOUT_SECONDS = 10.0


class TransportError(Exception):
    """The request got no HTTP response (connection refused, timeout, no recorded response)."""


class Transport(Protocol):
    def send(self, method: str, url: str, headers: HeaderLines) -> RecordedResponse:
        """Send one request and return the response without following redirects."""
        ...


class HTTPTransport:
    """Send requests over the network with httpx; redirects are returned, never followed."""

    def __init__(self, client: httpx.Client | None = None, timeout: float = DEFAULT_TIMEOUT_SECONDS) -> None:
        import http.cookiejar

        import httpx

        # httpx's default cookie jar would store Set-Cookie and send it on later requests; the
        # checker decides which cookies a browser sends, so the default client keeps none.
        no_cookies = http.cookiejar.CookieJar(http.cookiejar.DefaultCookiePolicy(allowed_domains=[]))
        self._owns_client = client is None
        self._client = client if client is not None else httpx.Client(
            timeout=timeout, follow_redirects=False, cookies=no_cookies)

    def send(self, method: str, url: str, headers: HeaderLines) -> RecordedResponse:
        import httpx

        encoded = [(name.encode("latin-1"), value.encode("latin-1")) for name, value in headers]
        try:
            request = self._client.build_request(method, url, headers=encoded)
            # httpx upper-cases every method; browsers send `patch` as written (Fetch normalizes only
            # DELETE, GET, HEAD, OPTIONS, POST and PUT).
            request.method = method
            response = self._client.send(request, follow_redirects=False)
        except httpx.HTTPError as error:
            raise TransportError(f"{method} {url} failed: {error}") from error
        lines = tuple(
            (name.decode("latin-1"), value.decode("latin-1")) for name, value in response.headers.raw
        )
        return RecordedResponse(response.status_code, lines, url, response.content)

    def close(self) -> None:
        if self._owns_client:
            self._client.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _split_target(url: str) -> tuple[str, str, str, int, str, str]:
    parts = urllib.parse.urlsplit(url)
    scheme = parts.scheme or "http"
    host = parts.hostname or "localhost"
    port = parts.port or (443 if scheme == "https" else 80)
    path = urllib.parse.unquote(parts.path or "/")
    return scheme, host, parts.netloc.rpartition("@")[2], port, path, parts.query


class ASGITransport:
    """Call an ASGI 3 application in process, without sockets."""

    def __init__(self, app: Any, client: tuple[str, int] = ("127.0.0.1", 50000)) -> None:
        self._app = app
        self._client = client

    def send(self, method: str, url: str, headers: HeaderLines) -> RecordedResponse:
        scheme, host, netloc, port, path, query = _split_target(url)
        raw_headers = [(b"host", netloc.encode("latin-1"))]
        raw_headers += [(name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in headers]
        scope = {
            "type": "http", "asgi": {"version": "3.0", "spec_version": "2.3"}, "http_version": "1.1",
            "method": method, "scheme": scheme, "path": path, "raw_path": path.encode("utf-8"),
            "query_string": query.encode("latin-1"), "root_path": "", "headers": raw_headers,
            "client": self._client, "server": (host, port),
        }
        try:
            return _run_coroutine(self._call(scope, url))
        except TransportError:
            raise
        except Exception as error:  # the app crashed: a browser gets a network error
            raise TransportError(f"{method} {url}: the ASGI app raised {error!r}") from error

    async def _call(self, scope: dict[str, Any], url: str) -> RecordedResponse:
        status: int | None = None
        lines: list[tuple[str, str]] = []
        body = bytearray()
        request_sent = False

        async def receive() -> dict[str, Any]:
            nonlocal request_sent
            if not request_sent:
                request_sent = True
                return {"type": "http.request", "body": b"", "more_body": False}
            return {"type": "http.disconnect"}

        async def send(message: Mapping[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                lines.extend((bytes(n).decode("latin-1"), bytes(v).decode("latin-1"))
                             for n, v in message.get("headers", []))
            elif message["type"] == "http.response.body":
                body.extend(message.get("body", b""))

        await self._app(scope, receive, send)
        if status is None:
            raise TransportError(f"{scope['method']} {url}: the ASGI app sent no response")
        return RecordedResponse(status, tuple(lines), url, bytes(body))


def _run_coroutine(coroutine: Coroutine[Any, Any, RecordedResponse]) -> RecordedResponse:
    """Run a coroutine to completion, in a helper thread when this thread already runs a loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="corsguard-asgi") as pool:
        return pool.submit(asyncio.run, coroutine).result()


class WSGITransport:
    """Call a WSGI application in process, without sockets."""

    def __init__(self, app: Callable[..., Iterable[bytes]], remote_addr: str = "127.0.0.1") -> None:
        self._app = app
        self._remote_addr = remote_addr

    def send(self, method: str, url: str, headers: HeaderLines) -> RecordedResponse:
        scheme, host, netloc, port, path, query = _split_target(url)
        environ: dict[str, Any] = {
            "REQUEST_METHOD": method, "SCRIPT_NAME": "", "PATH_INFO": path, "QUERY_STRING": query,
            "SERVER_NAME": host, "SERVER_PORT": str(port), "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": self._remote_addr, "HTTP_HOST": netloc, "CONTENT_LENGTH": "0",
            "wsgi.version": (1, 0), "wsgi.url_scheme": scheme, "wsgi.input": io.BytesIO(b""),
            "wsgi.errors": sys.stderr, "wsgi.multithread": False, "wsgi.multiprocess": False,
            "wsgi.run_once": False,
        }
        for name, value in headers:
            key = name.upper().replace("-", "_")
            if key == "CONTENT_TYPE":
                environ["CONTENT_TYPE"] = value
                continue
            key = "HTTP_" + key
            environ[key] = f"{environ[key]},{value}" if key in environ else value
        started: list[Any] = []

        def start_response(status: str, response_headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            started[:] = [status, response_headers]
            return lambda data: body.extend(data)

        body = bytearray()
        try:
            result = self._app(environ, start_response)
            try:
                for chunk in result:
                    body.extend(chunk)
            finally:
                close = getattr(result, "close", None)
                if close is not None:
                    close()
        except Exception as error:  # the app crashed: a browser gets a network error
            raise TransportError(f"{method} {url}: the WSGI app raised {error!r}") from error
        if not started:
            raise TransportError(f"{method} {url}: the WSGI app never called start_response")
        status = int(str(started[0]).split(" ", 1)[0])
        return RecordedResponse(status, tuple((str(n), str(v)) for n, v in started[1]), url, bytes(body))


ResponseSpec = RecordedResponse | Sequence[RecordedResponse]


class RecordedTransport:
    """Replay recorded responses.

    `responses` is either a list served in order whatever is asked, or a mapping from
    `(method, url)` to a response (or a list of responses served in turn, the last one repeating).
    `"*"` as the method or the URL matches anything; exact keys win over wildcards. Every request
    received is kept in `requests` as `(method, url, headers)`.
    """

    def __init__(self, responses: Mapping[tuple[str, str], ResponseSpec] | Sequence[RecordedResponse]) -> None:
        self.requests: list[tuple[str, str, HeaderLines]] = []
        self._queue: list[RecordedResponse] | None = None
        self._table: dict[tuple[str, str], list[RecordedResponse]] = {}
        self._served: dict[tuple[str, str], int] = {}
        if isinstance(responses, Mapping):
            for key, spec in responses.items():
                self._table[key] = [spec] if isinstance(spec, RecordedResponse) else list(spec)
        else:
            self._queue = list(responses)

    def send(self, method: str, url: str, headers: HeaderLines) -> RecordedResponse:
        self.requests.append((method, url, headers))
        if self._queue is not None:
            if not self._queue:
                raise TransportError(f"no recorded response left for {method} {url}")
            return self._queue.pop(0)
        for key in ((method, url), (method, "*"), ("*", url), ("*", "*")):
            if self._table.get(key):
                index = self._served.get(key, 0)
                self._served[key] = index + 1
                responses = self._table[key]
                return responses[min(index, len(responses) - 1)]
        raise TransportError(f"no recorded response for {method} {url}")
