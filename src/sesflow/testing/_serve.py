"""FakeSES over real HTTP/1.1 on loopback, for code and benchmarks that need sockets.

The server answers through the same `dispatch()` as the in-process
client, from a `ThreadingHTTPServer` on a daemon thread, with keep-alive. Each request waits
`latency` (± `jitter`) seconds of real time, half before it is processed and half before
the answer is written, so arrivals at the fake lag the client's send by half a round trip as on
a network. An injected `drop_before`/`drop_after` fault closes the connection without an
answer. Two read-only endpoints serve summaries as JSON to other processes:
`GET /_sesflow/stats` (`stats()`) and `GET /_sesflow/outbox`
(count, recipients, `[arrival, recipients]` pairs and, unless `?per_recipient=0`, the
deliveries per address).

Serving runs in real time: the fake must use `clock=time.monotonic` (the default), since rate
enforcement compares arrival times that the network, not a test, decides.
"""

from __future__ import annotations

import contextlib
import ipaddress
import json
import math
import random
import socket
import socketserver
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any, Protocol, cast
from urllib.parse import parse_qs

from botocore.config import Config

from sesflow.testing._codec import encode_error
from sesflow.testing._fake import _PLACEHOLDER_KEY, DroppedConnectionError, _isolated_session
from sesflow.testing._v1_codec import is_query_request

if TYPE_CHECKING:
    from collections.abc import Mapping

    from types_boto3_sesv2 import SESV2Client

__all__ = ["Loopback", "Served", "http_client", "shut_down"]

# Enough pooled connections for ~64 sending threads, with room to spare.
_POOL_CONNECTIONS = 128


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256

    def __init__(
        self,
        address: tuple[str, int],
        fake: Served,
        *,
        family: socket.AddressFamily,
        latency: float,
        jitter: float,
    ) -> None:
        # Read by TCPServer.__init__ to create the listening socket.
        self.address_family = family
        self.fake = fake
        self.latency = latency
        self.jitter = jitter
        self._random = random.Random()
        self._random_lock = threading.Lock()
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(address, _Handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind looks the host up with getfqdn (a DNS query); not needed here.
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name = str(host)
        self.server_port = int(port)

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        # Remembered so stop() can end keep-alive connections, whose threads outlive
        # serve_forever and would otherwise go on answering.
        with self._connections_lock:
            self._connections.add(request)
        try:
            super().process_request_thread(request, client_address)
        finally:
            with self._connections_lock:
                self._connections.discard(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that goes away mid-request (killed, timed out, its pool closed) is routine
        # for a test server; only report what is not a broken connection.
        if isinstance(sys.exc_info()[1], ConnectionError | TimeoutError):
            return
        super().handle_error(request, client_address)

    def close_connections(self) -> None:
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):  # already closed by the client
                connection.shutdown(socket.SHUT_RDWR)

    def delay(self) -> float:
        if self.latency == 0 and self.jitter == 0:
            return 0.0
        with self._random_lock:
            offset = self._random.uniform(-self.jitter, self.jitter) if self.jitter else 0.0
        return max(0.0, self.latency + offset)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Answers are written as headers then body; without TCP_NODELAY, Nagle's algorithm and
    # delayed ACKs would add tens of milliseconds to every keep-alive round trip.
    disable_nagle_algorithm = True
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet: a benchmark makes thousands of requests."""

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def do_PUT(self) -> None:
        self._handle()

    def do_DELETE(self) -> None:
        self._handle()

    def do_PATCH(self) -> None:
        self._handle()

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        if self.path.startswith("/_sesflow/"):
            self._internal()
            return
        delay = self.server.delay()
        if delay:
            time.sleep(delay / 2)
        dispatch = self.server.fake.dispatch
        if is_query_request(self.command, self.path, dict(self.headers.items())):  # SES v1
            dispatch = self.server.fake.dispatch_query
        try:
            status, headers, payload = dispatch(
                self.command, self.path, dict(self.headers.items()), body
            )
        except DroppedConnectionError:
            # Nothing written: the client sees the connection close without an answer.
            self.close_connection = True
            return
        except NotImplementedError as exc:
            status, headers, payload = encode_error("NotImplemented", str(exc), 501)
        except Exception as exc:  # answer rather than hang the client; the test sees the text
            status, headers, payload = encode_error("InternalFailure", repr(exc), 500)
        if delay:
            time.sleep(delay / 2)
        self._write(status, headers, payload)

    def _internal(self) -> None:
        route, _, query = self.path.partition("?")
        fake = self.server.fake
        document: Any
        if self.command != "GET":
            status, document = 405, {"message": "only GET is served under /_sesflow/"}
        elif route == "/_sesflow/stats":
            status, document = 200, fake._stats_json()
        elif route == "/_sesflow/outbox":
            flags = parse_qs(query).get("per_recipient", ["1"])
            per_recipient = flags[-1].lower() not in ("0", "false", "no")
            status, document = 200, fake._outbox_summary(per_recipient=per_recipient)
        else:
            status, document = 404, {"message": f"nothing at {route}"}
        payload = json.dumps(document).encode("utf-8")
        headers = {"Content-Type": "application/json", "Content-Length": str(len(payload))}
        self._write(status, headers, payload)

    def _write(self, status: int, headers: dict[str, str], payload: bytes) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)


class Served(Protocol):
    """What the server needs of a fake: the dispatcher, and the two summaries it serves."""

    def dispatch(
        self, method: str, path: str, headers: Mapping[str, str], body: bytes
    ) -> tuple[int, dict[str, str], bytes]:
        """Answer one SES v2 request."""
        ...

    def dispatch_query(
        self, method: str, path: str, headers: Mapping[str, str], body: bytes
    ) -> tuple[int, dict[str, str], bytes]:
        """Answer one SES v1 (Query API) request."""
        ...

    def _stats_json(self) -> dict[str, Any]:
        """What `/_sesflow/stats` serves."""
        ...

    def _outbox_summary(self, *, per_recipient: bool) -> dict[str, Any]:
        """What `/_sesflow/outbox` serves."""
        ...


class Loopback:
    """One fake's HTTP server: started by `FakeSES.serve`, stopped by `FakeSES.stop`.

    Kept apart from the stores, so that `FakeSES.reset` forgets state but keeps serving.

    Examples:
        >>> loopback = Loopback()
        >>> url = loopback.start(FakeSES(), host="127.0.0.1", port=0, latency=0.0, jitter=0.0)
        >>> url == loopback.url, url.startswith("http://127.0.0.1:")
        (True, True)
        >>> shut_down(*loopback.detach())
        >>> print(loopback.url)
        None
    """

    def __init__(self) -> None:
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self.url: str | None = None
        """The endpoint URL while serving, else `None`."""

    def start(self, served: Served, *, host: str, port: int, latency: float, jitter: float) -> str:
        """Serve `served` from a daemon thread and return the URL; `RuntimeError` if serving."""
        family = _loopback_family(host)
        for name, value in (("latency", latency), ("jitter", jitter)):
            if not (math.isfinite(value) and value >= 0):
                raise ValueError(f"{name} must be a non-negative number of seconds, got {value!r}")
        if self._server is not None:
            raise RuntimeError(f"this FakeSES is already serving at {self.url}")
        bind_host = "127.0.0.1" if host == "localhost" else host
        server = _Server(
            (bind_host, port), served, family=family, latency=float(latency), jitter=float(jitter)
        )
        thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="FakeSES-http",
            daemon=True,
        )
        thread.start()
        bound_port = server.server_address[1]
        shown = f"[{bind_host}]" if family == socket.AF_INET6 else bind_host
        self._server, self._thread = server, thread
        self.url = f"http://{shown}:{bound_port}"
        return self.url

    def detach(self) -> tuple[_Server | None, threading.Thread | None]:
        """Forget the server (under the fake's lock); `shut_down()` it after."""
        server, thread = self._server, self._thread
        self._server = self._thread = self.url = None
        return server, thread


def shut_down(server: _Server | None, thread: threading.Thread | None) -> None:
    """Stop a detached server and close its connections (outside the fake's lock)."""
    if server is None:
        return
    # Outside the lock: handler threads may be waiting for it to finish their requests.
    server.shutdown()
    server.server_close()
    server.close_connections()
    if thread is not None:
        thread.join(timeout=5)


def http_client(
    url: str, *, region_name: str, config: Config | None = None, **kwargs: Any
) -> SESV2Client:
    """A boto3 `sesv2` client for `url`: dummy credentials, one attempt, a big pool."""
    base = Config(
        retries={"total_max_attempts": 1},
        max_pool_connections=_POOL_CONNECTIONS,
        proxies={},
    )
    merged = base if config is None else base.merge(config)
    return cast(
        "SESV2Client",
        _isolated_session().create_client(
            "sesv2",
            region_name=region_name,
            endpoint_url=url,
            aws_access_key_id=_PLACEHOLDER_KEY,
            aws_secret_access_key=_PLACEHOLDER_KEY,
            config=merged,
            **kwargs,
        ),
    )


def _loopback_family(host: str) -> socket.AddressFamily:
    if host == "localhost":
        return socket.AF_INET
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        raise ValueError(f"serve() binds only to a loopback address, got {host!r}") from None
    if not address.is_loopback:
        raise ValueError(f"serve() binds only to a loopback address, got {host!r}")
    return socket.AF_INET6 if address.version == 6 else socket.AF_INET
