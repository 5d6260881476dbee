"""FakeSES over real HTTP/1.1 on loopback, for code and benchmarks that need sockets.

The server answers through the same `dispatch()` as the in-process
client, from a `ThreadingHTTPServer` on a daemon thread, with keep-alive. Each request waits
`latency` (± `jitter`) seconds of real time, half before it is processed and half before
the answer is written, so arrivals at the fake lag the client's send by half a round trip as on
a network. An injected `drop_before`/`drop_after` fault closes the connection without an
answer. Under `/_sesflow/` it serves the control endpoints (`_control.py`): the outbox as
JSON, reset, identities verified or failed on demand.

One request goes through `_Handler._handle`: checks every request passes first (`_refused`),
then one branch per API: the control endpoints, SES v1's Query API (a form-encoded
`POST /` with `Action=...`), and SES v2's REST-JSON API.

Safe to leave running on a laptop: it binds only loopback addresses, and refuses requests
addressed to any other host name (`Host`), or sent by a web page of another origin
(`Origin`), so neither a cross-site form nor a DNS-rebinding page can send mail through it or
read its outbox. A body over `MAX_BODY_BYTES` (SES's 40 MB message limit, base64-encoded,
with room) is refused with SES's error before a byte of it is read; a malformed
`Content-Length` is a 400; and a connection that sends nothing for `timeout` seconds is
closed, freeing its thread.

Serving runs in real time: the fake must use `clock=time.monotonic` (the default), since rate
enforcement compares arrival times that the network, not a test, decides.
"""

from __future__ import annotations

import contextlib
import ipaddress
import math
import random
import re
import socket
import socketserver
import sys
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any, Protocol, cast
from urllib.parse import urlsplit

from botocore.config import Config

from sesflow.testing._codec import encode_error
from sesflow.testing._control import PREFIX, Controlled, control
from sesflow.testing._fake import _PLACEHOLDER_KEY, DroppedConnectionError, _isolated_session
from sesflow.testing._v1_codec import is_query_request

if TYPE_CHECKING:
    from collections.abc import Mapping

    from types_boto3_sesv2 import SESV2Client

__all__ = [
    "DEFAULT_TIMEOUT",
    "MAX_BODY_BYTES",
    "Loopback",
    "Served",
    "http_client",
    "is_loopback_host",
    "shut_down",
]

# Enough pooled connections for ~64 sending threads, with room to spare.
_POOL_CONNECTIONS = 128
#: The largest request body the server reads: SES's 40 MB message limit, base64-encoded
#: (4/3 as long) inside a JSON request, with a margin. Anything larger is refused unread.
MAX_BODY_BYTES = 56 * 1024 * 1024
#: The message SES answers a message over its limit with.
_TOO_LARGE = "Message length is more than 41943040 bytes long."
#: Seconds a connection may stay silent (no request, or a request not finished) before it
#: is closed. Keep-alive clients reconnect by themselves.
DEFAULT_TIMEOUT = 30.0
_DIGITS = re.compile(r"[0-9]{1,20}\Z")


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
        timeout: float | None = DEFAULT_TIMEOUT,
    ) -> None:
        # Read by TCPServer.__init__ to create the listening socket.
        self.address_family = family
        self.fake = fake
        self.latency = latency
        self.jitter = jitter
        self.idle_timeout = timeout
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

    def setup(self) -> None:
        # A read that waits longer raises TimeoutError, which handle_one_request answers by
        # closing the connection (StreamRequestHandler.setup leaves a timeout of None alone).
        super().setup()
        self.connection.settimeout(self.server.idle_timeout)

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

    # --- one request --------------------------------------------------------------------

    def _handle(self) -> None:
        if self._refused():
            return
        body = self._body()
        if body is None:
            return
        if self.path.startswith(PREFIX):
            reply = control(self.server.fake, self.command, self.path, body)
            self._write(
                reply.status,
                {"Content-Type": reply.content_type, "Content-Length": str(len(reply.body))},
                reply.body,
            )
        elif is_query_request(self.command, self.path, dict(self.headers.items())):
            # SES v1 (the Query API, answered in XML): a form-encoded POST / with Action=...
            self._answer(body, self.server.fake.dispatch_query)
        else:
            self._answer(body, self.server.fake.dispatch)

    def _answer(
        self,
        body: bytes,
        dispatch: Callable[[str, str, dict[str, str], bytes], tuple[int, dict[str, str], bytes]],
    ) -> None:
        delay = self.server.delay()
        if delay:
            time.sleep(delay / 2)
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

    # --- checks every request passes ------------------------------------------------------

    def _refused(self) -> bool:
        """Answer (403) and return True for a request a web page could have made."""
        host = self.headers.get("Host")
        if host is not None and not is_loopback_host(host):
            self._refuse(
                403,
                "AccessDeniedException",
                f"this local SES answers only requests addressed to a loopback host, not "
                f"Host: {host}",
            )
            return True
        origin = self.headers.get("Origin")
        if origin is not None and not is_loopback_host(urlsplit(origin).netloc or origin):
            self._refuse(
                403,
                "AccessDeniedException",
                f"this local SES answers no requests from web pages of other origins "
                f"(Origin: {origin})",
            )
            return True
        return False

    def handle_expect_100(self) -> bool:
        # A client that asks first (curl does for large bodies) is refused before it sends.
        if self._refused() or self._length() is None:
            return False
        return super().handle_expect_100()

    def _length(self) -> int | None:
        """The body's length, or None after refusing a malformed or oversized request."""
        if self.headers.get("Transfer-Encoding") is not None:
            self._refuse(411, "BadRequestException", "send a Content-Length, not chunks")
            return None
        values = self.headers.get_all("Content-Length") or []
        if not values:
            return 0
        if len(set(values)) != 1 or not _DIGITS.match(values[0].strip()):
            self._refuse(400, "BadRequestException", "the Content-Length header is malformed")
            return None
        length = int(values[0].strip())
        if length > MAX_BODY_BYTES:
            # Refused before reading it; the connection closes, so the rest is never read.
            self._refuse(400, "MessageRejected", _TOO_LARGE)
            return None
        return length

    def _body(self) -> bytes | None:
        """The request body, or None after refusing a malformed or oversized request."""
        length = self._length()
        if length is None:
            return None
        return self.rfile.read(length) if length else b""

    def _refuse(self, status: int, code: str, message: str) -> None:
        """Answer an error and close the connection (what is left of the request is unread)."""
        self.close_connection = True
        status, headers, payload = encode_error(code, message, status)
        headers["Connection"] = "close"
        self._write(status, headers, payload)

    def _write(self, status: int, headers: dict[str, str], payload: bytes) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)


def is_loopback_host(host: str) -> bool:
    """Whether a `Host` header (or an origin's authority) names this machine's loopback.

    `localhost` and its subdomains (`*.localhost`, RFC 6761) and loopback addresses, with
    or without a port.

    Examples:
        ```python
        assert is_loopback_host("127.0.0.1:7373") and is_loopback_host("[::1]:7373")
        assert not is_loopback_host("evil.example:7373")
        ```
    """
    name = host.strip().rpartition("@")[2]
    if name.startswith("["):
        name = name[1:].partition("]")[0]
    elif name.count(":") == 1:
        name = name.partition(":")[0]
    name = name.rstrip(".").lower()
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


class Served(Controlled, Protocol):
    """What the server needs of a fake: the dispatcher, and what the control endpoints use."""

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


class Loopback:
    """One fake's HTTP server: started by `FakeSES.serve`, stopped by `FakeSES.stop`.

    Kept apart from the stores, so that `FakeSES.reset` forgets state but keeps serving.

    Examples:
        >>> loopback = Loopback()
        >>> url = loopback.start(FakeSES(), host="127.0.0.1", port=0, latency=0.0, jitter=0.0,
        ...                      timeout=30.0)
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

    def start(
        self,
        served: Served,
        *,
        host: str,
        port: int,
        latency: float,
        jitter: float,
        timeout: float | None = DEFAULT_TIMEOUT,
    ) -> str:
        """Serve `served` from a daemon thread and return the URL; `RuntimeError` if serving."""
        family = _loopback_family(host)
        for name, value in (("latency", latency), ("jitter", jitter)):
            if not (math.isfinite(value) and value >= 0):
                raise ValueError(f"{name} must be a non-negative number of seconds, got {value!r}")
        if timeout is not None and not (math.isfinite(timeout) and timeout > 0):
            raise ValueError(f"timeout must be a positive number of seconds, got {timeout!r}")
        if self._server is not None:
            raise RuntimeError(f"this FakeSES is already serving at {self.url}")
        bind_host = "127.0.0.1" if host == "localhost" else host
        server = _Server(
            (bind_host, port),
            served,
            family=family,
            latency=float(latency),
            jitter=float(jitter),
            timeout=None if timeout is None else float(timeout),
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
