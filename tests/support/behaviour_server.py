"""Loopback servers that serve generated behaviours, for the Chromium differential test.

Three `ThreadingHTTPServer`s on 127.0.0.1 with ports chosen by the system: the page server (also
the "initiator" origin that redirects can lead back to) and two API servers. Every server routes
`/c/<behaviour id>/<hop>` to the behaviour's reply and writes the response bytes itself, so
duplicate and oddly padded header lines reach the client exactly as generated. Each request is
logged, so a test can compare what Chromium sent with what the checker sent.
"""

from __future__ import annotations

import contextlib
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.browser.generator import CROSS_SITE, OPAQUE, Behaviour, Reply

PATH_PATTERN = re.compile(r"^/c/(?P<id>[a-z0-9-]+)/(?P<hop>\d+)(?:\?.*)?$")

PAGE_HTML = b"<!doctype html><title>corsguard differential</title><p>page</p>"
# The iframe's document gets an opaque origin because the sandbox lacks allow-same-origin.
SANDBOX_HTML = b'<!doctype html><title>sandbox host</title><iframe sandbox="allow-scripts" src="/inner"></iframe>'
INNER_HTML = b"<!doctype html><title>sandboxed</title><p>inner</p>"

REASONS = {200: "OK", 201: "Created", 204: "No Content", 206: "Partial Content", 301: "Moved Permanently",
           302: "Found", 303: "See Other", 304: "Not Modified", 307: "Temporary Redirect",
           308: "Permanent Redirect", 400: "Bad Request", 403: "Forbidden", 404: "Not Found",
           500: "Internal Server Error", 503: "Service Unavailable"}


@dataclass(frozen=True)
class SeenRequest:
    """A request as one of the servers received it."""

    server: str
    behaviour_id: str
    hop: int
    method: str
    headers: tuple[tuple[str, str], ...]

    def header(self, name: str) -> str | None:
        for key, value in self.headers:
            if key.lower() == name:
                return value
        return None


@dataclass
class BehaviourServers:
    """Base URLs of the running servers, the behaviours they serve and the request log."""

    page_port: int
    api_port: int
    api2_port: int
    behaviours: dict[str, Behaviour]
    log: list[SeenRequest] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def page_origin(self, page: str) -> str:
        host = "localhost" if page == CROSS_SITE else "127.0.0.1"
        return f"http://{host}:{self.page_port}"

    def request_origin(self, behaviour: Behaviour) -> str:
        """Return the serialized origin the page's fetch calls carry (`null` for the sandbox)."""
        return "null" if behaviour.page == OPAQUE else self.page_origin(behaviour.page)

    def hop_url(self, behaviour: Behaviour, hop: int, userinfo: bool = False) -> str:
        server = behaviour.hops[hop].server
        if server == "page":
            base = self.page_origin(behaviour.page)
        else:
            base = f"http://127.0.0.1:{self.api_port if server == 'api' else self.api2_port}"
        if userinfo:
            base = base.replace("http://", "http://user:secret@", 1)
        return f"{base}/c/{behaviour.id}/{hop}"

    def cookie_prefix(self, behaviour: Behaviour) -> str:
        return "ck_" + behaviour.id.replace("-", "_")

    def resolve(self, behaviour: Behaviour, template: str) -> str:
        """Fill a generator template (see tests/browser/generator.py) for this behaviour."""
        values = {
            "origin": self.request_origin(behaviour),
            "page_port": str(self.page_port),
            "page": self.page_origin(behaviour.page),
            "api": f"http://127.0.0.1:{self.api_port}",
            "api2": f"http://127.0.0.1:{self.api2_port}",
            "cookie": self.cookie_prefix(behaviour),
            "id": behaviour.id,
        }
        for hop in range(len(behaviour.hops)):
            values[f"hop{hop}"] = self.hop_url(behaviour, hop)
            values[f"hop{hop}_userinfo"] = self.hop_url(behaviour, hop, userinfo=True)
        return template.format_map(values)

    def reply_lines(self, behaviour: Behaviour, reply: Reply) -> tuple[tuple[str, str], ...]:
        return tuple((name, self.resolve(behaviour, value)) for name, value in reply.headers)

    def requests_for(self, behaviour_id: str) -> list[SeenRequest]:
        with self.lock:
            return [seen for seen in self.log if seen.behaviour_id == behaviour_id]

    def clear_log(self) -> None:
        with self.lock:
            self.log.clear()


def _make_handler(name: str, state: BehaviourServers) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            return

        def handle_any(self) -> None:
            # Read the body first: leftover bytes on a keep-alive connection would be parsed as
            # the next request and produce bogus failures.
            length = int(self.headers.get("Content-Length") or 0)
            if length:
                self.rfile.read(length)
            if name == "page" and self.command == "GET" and self.path in ("/", "/sandbox", "/inner"):
                body = {"/": PAGE_HTML, "/sandbox": SANDBOX_HTML, "/inner": INNER_HTML}[self.path]
                self._write(200, (("Content-Type", "text/html"),), body)
                return
            match = PATH_PATTERN.match(self.path)
            behaviour = state.behaviours.get(match.group("id")) if match else None
            if match is None or behaviour is None or int(match.group("hop")) >= len(behaviour.hops):
                self._write(404, (), b"")
                return
            hop_index = int(match.group("hop"))
            with state.lock:
                state.log.append(SeenRequest(name, behaviour.id, hop_index, self.command,
                                             tuple(self.headers.items())))
            hop = behaviour.hops[hop_index]
            reply = hop.preflight if self.command == "OPTIONS" and hop.preflight is not None else hop.actual
            self._write(reply.status, state.reply_lines(behaviour, reply), b"ok")

        def _write(self, status: int, lines: tuple[tuple[str, str], ...], body: bytes) -> None:
            if self.command == "HEAD" or status in (204, 304):
                body = b""
            head = [f"HTTP/1.1 {status} {REASONS.get(status, 'Status')}"]
            head += [f"{key}: {value}" for key, value in lines]
            if status not in (204, 304):
                head.append(f"Content-Length: {len(body)}")
            data = ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body
            self.wfile.write(data)
            self.wfile.flush()

        do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_HEAD = handle_any

        def __getattr__(self, attribute: str) -> Any:
            # Methods such as FROB or lowercase `patch` have no do_* method of their own.
            if attribute.startswith("do_"):
                return self.handle_any
            raise AttributeError(attribute)

    return Handler


@contextlib.contextmanager
def serve_behaviours(behaviours: list[Behaviour]) -> Iterator[BehaviourServers]:
    """Start the page server and both API servers on 127.0.0.1; stop them on exit."""
    servers = [ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler) for _ in range(3)]
    state = BehaviourServers(
        page_port=servers[0].server_address[1],
        api_port=servers[1].server_address[1],
        api2_port=servers[2].server_address[1],
        behaviours={behaviour.id: behaviour for behaviour in behaviours},
    )
    threads = []
    for name, server in zip(("page", "api", "api2"), servers):
        server.RequestHandlerClass = _make_handler(name, state)
        server.daemon_threads = True
        thread = threading.Thread(target=server.serve_forever, name=f"behaviour-{name}", daemon=True)
        thread.start()
        threads.append(thread)
    try:
        yield state
    finally:
        for server in servers:
            server.shutdown()
            server.server_close()
        for thread in threads:
            thread.join(timeout=5)
