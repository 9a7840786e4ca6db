"""Run ASGI and WSGI apps on real loopback servers in a background thread.

Used by `corsguard demo`, by the test suite and by anyone who wants to check an app over real
sockets. Servers listen on 127.0.0.1 only, on a free port chosen by the system. Needs the `cli`
extra (uvicorn and waitress).
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from typing import Any

STARTUP_TIMEOUT_SECONDS = 10.0


@contextlib.contextmanager
def serve_asgi(app: Any) -> Iterator[str]:
    """Serve an ASGI app with uvicorn on 127.0.0.1 and a free port; yield its base URL."""
    import uvicorn

    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="off",
                            access_log=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="corsguard-uvicorn", daemon=True)
    thread.start()
    deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start on 127.0.0.1")
        time.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=STARTUP_TIMEOUT_SECONDS)


@contextlib.contextmanager
def serve_wsgi(app: Any) -> Iterator[str]:
    """Serve a WSGI app with waitress on 127.0.0.1 and a free port; yield its base URL."""
    from waitress.server import create_server

    server = create_server(app, host="127.0.0.1", port=0, threads=4, clear_untrusted_proxy_headers=True)
    port = server.effective_port
    thread = threading.Thread(target=server.run, name="corsguard-waitress", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        _stop_waitress(server)
        thread.join(timeout=STARTUP_TIMEOUT_SECONDS)


def _stop_waitress(server: Any) -> None:
    # Closing waitress's sockets from this thread races with its select() loop (EBADF in the
    # server thread), and a worker that finishes later writes to a closed trigger pipe. So stop the
    # workers first, then close every socket from inside the loop, which ends once none is left.
    server.task_dispatcher.shutdown()

    def close_all() -> None:
        for dispatcher in list(server._map.values()):
            dispatcher.close()

    server.trigger.pull_trigger(close_all)
