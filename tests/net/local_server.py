"""A loopback HTTP server for the network tests, and a guard that keeps tests offline.

The server runs a test's ``app(handler, method)`` for every request and records each
one (time, host, method, path) and the most requests it ever had in flight, overall and
per host name. ``127.0.0.1`` and ``localhost`` reach the same server but count as two
hosts for the client, which is how per-host limits are tested.
"""

from __future__ import annotations

import socket
import struct
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

LOOPBACK = ("127.0.0.1", "localhost")


class Handler(BaseHTTPRequestHandler):
    """Hands each request to the server's app; helpers to answer or drop it."""

    server: LocalServer
    host = ""
    counted = False

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the server's own log is the record."""

    def do_HEAD(self) -> None:
        self.server.dispatch(self, "HEAD")

    def do_GET(self) -> None:
        self.server.dispatch(self, "GET")

    def answer(self, status: int, headers: dict[str, str] | None = None, body: bytes = b"") -> None:
        self.server.done(self)
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def reset(self) -> None:
        """Drop the connection abruptly: the client sees a reset, not an answer."""
        self.server.done(self)
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()
        self.close_connection = True


class KeepAliveHandler(Handler):
    """HTTP/1.1: the connection stays open for the client's next request."""

    protocol_version = "HTTP/1.1"


App = Callable[[Handler, str], None]


class LocalServer(ThreadingHTTPServer):
    """A threading server on 127.0.0.1 with a free port, recording what it is asked."""

    daemon_threads = True
    request_queue_size = 256

    def __init__(self, app: App, keep_alive: bool = False) -> None:
        handler = KeepAliveHandler if keep_alive else Handler
        super().__init__(("127.0.0.1", 0), handler)
        self.app = app
        self.lock = threading.Lock()
        self.log: list[tuple[float, str, str, str]] = []
        self.in_flight: Counter[str] = Counter()
        self.max_total = 0
        self.max_per_host: Counter[str] = Counter()
        self.connections: set[tuple[str, int]] = set()

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.server_address[1]}{path}"

    def dispatch(self, handler: Handler, method: str) -> None:
        handler.host = (handler.headers.get("Host") or "").rsplit(":", 1)[0]
        handler.counted = True
        with self.lock:
            self.log.append((time.monotonic(), handler.host, method, handler.path))
            self.connections.add(handler.client_address)
            self.in_flight[handler.host] += 1
            self.max_total = max(self.max_total, sum(self.in_flight.values()))
            self.max_per_host[handler.host] = max(self.max_per_host[handler.host], self.in_flight[handler.host])
        try:
            self.app(handler, method)
        finally:
            self.done(handler)

    def done(self, handler: Handler) -> None:
        """The request stops counting as in flight just before its answer leaves, since
        the client may send its next request as soon as it has the answer."""
        with self.lock:
            if handler.counted:
                handler.counted = False
                self.in_flight[handler.host] -= 1

    def requests(self, path: str | None = None) -> list[tuple[float, str, str, str]]:
        """The recorded requests, all or for one path."""
        with self.lock:
            return [r for r in self.log if path is None or r[3] == path]

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Dropped connections are on purpose; nothing to print."""


@contextmanager
def serve(app: App, keep_alive: bool = False) -> Iterator[LocalServer]:
    """Run ``app`` on a loopback server for the duration of a ``with`` block."""
    server = LocalServer(app, keep_alive)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def offline(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make every host name but the loopback ones fail to resolve, as DNS would for an
    unknown name: nothing a test does can reach the internet."""
    real = socket.getaddrinfo

    def resolve(host: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else str(host)
        if name not in LOOPBACK:
            raise socket.gaierror(socket.EAI_NONAME, f"{name}: not resolved in tests")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
