"""The FakeSES engine: one dispatcher behind every way of reaching the fake.

A request, whether it comes from a boto3 client's `before-send` hook or from the loopback
HTTP server, goes through `FakeSESBase.dispatch()`: decode with the service model, log it,
fire any injected fault, run the operation's handler under the fake's lock, encode the answer.

Operations live in `Handlers` classes (one module per concept: identities, account,
sending, ...), whose methods are marked with `operation()`. A handler object is built with
the stores it reads and changes, passed explicitly; it never sees the fake. `FakeSES` (in
`_fake_ses.py`) builds the stores and handlers in one place and installs the handlers here;
adding a concept means writing a store and a `Handlers` class and building them there, never
editing this module.
"""

from __future__ import annotations

import contextlib
import copy
import difflib
import functools
import os
import threading
import time
from collections import Counter, deque
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any, ClassVar, TypeVar, cast
from urllib.parse import urlsplit

import botocore.loaders
import botocore.session
from botocore.awsrequest import AWSPreparedRequest, AWSResponse
from botocore.compat import HTTPHeaders
from botocore.config import Config
from botocore.exceptions import ConnectionClosedError, EndpointConnectionError

from sesflow.testing._codec import (
    RequestDecodeError,
    RouteNotFoundError,
    decode_request,
    encode_error,
    encode_response,
)
from sesflow.testing._faults import THROTTLE_MESSAGE, RandomFaults, check_plan
from sesflow.testing._model import route_aliases, sesv2_model

if TYPE_CHECKING:
    from types_boto3_sesv2 import SESV2Client

__all__ = [
    "DroppedConnectionError",
    "FakeCall",
    "FakeError",
    "FakeSESBase",
    "Handler",
    "Handlers",
    "operation",
    "sesv2_model",
]

_F = TypeVar("_F", bound=Callable[..., Any])
_OPERATION_ATTR = "__sesflow_fake_operation__"
# Credentials only so botocore signs without looking for real ones; nothing is ever sent.
_PLACEHOLDER_KEY = "testing"
_NO_RETRIES = Config(retries={"total_max_attempts": 1})


@functools.cache
def _shared_loader() -> botocore.loaders.Loader:
    # Parsing the service JSON is most of the cost of a client; every fake shares one loader.
    return botocore.loaders.create_loader(os.environ.get("AWS_DATA_PATH"))


def _isolated_session() -> botocore.session.Session:
    # Neither the caller's AWS_PROFILE nor their config file may change (or break, with
    # ProfileNotFound) a session that only ever talks to the fake. Each entry is
    # (config key, environment variable, default, converter).
    session = botocore.session.Session(
        session_vars={
            "profile": (None, None, None, None),
            "config_file": (None, None, os.devnull, None),
        }
    )
    session.register_component("data_loader", _shared_loader())
    return session


def operation(name: str) -> Callable[[_F], _F]:
    """Mark a method of a `Handlers` class as the handler of the SES v2 operation `name`.

    The handler receives the decoded parameters (member names as keys, as a boto3 caller wrote
    them) and returns the output members, or raises `FakeError`. It runs under the
    fake's lock, so it may read and change state freely.

    Examples:
        >>> class AccountHandlers(Handlers):
        ...     @operation("GetAccount")
        ...     def _get_account(self, params: Mapping[str, Any]) -> dict[str, Any]:
        ...         return {"ProductionAccessEnabled": False}
        >>> AccountHandlers.operations
        {'GetAccount': '_get_account'}
    """

    def mark(func: _F) -> _F:
        setattr(func, _OPERATION_ATTR, name)
        return func

    return mark


#: The attribute of a fake's client that carries the fake's clock (read by `sesflow.SES`).
FAKE_CLOCK_ATTRIBUTE = "sesflow_fake_clock"
#: The attribute that carries the fake's account id (read by `sesflow.SES.account_id`).
FAKE_ACCOUNT_ATTRIBUTE = "sesflow_fake_account_id"


class FakeError(Exception):
    """An SES error response; raise it from an operation handler.

    Examples:
        >>> FakeError("NotFoundException", "Email identity a@b.com does not exist.")
        FakeError('NotFoundException', 'Email identity a@b.com does not exist.', status=404)
        >>> FakeError("NoSuchCode", "Not in the SES model.").status
        400

    Args:
        code: The error code botocore reports as `Error.Code`.
        message: The message botocore reports as `Error.Message`.
        status: The HTTP status. `None` takes the status the SES v2 model gives `code`
            (404 for `NotFoundException`, 429 for `TooManyRequestsException`, ...), and 400
            for a code the model does not know.
    """

    def __init__(self, code: str, message: str, status: int | None = None) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = modeled_status(code) if status is None else int(status)

    def __repr__(self) -> str:
        return f"FakeError({self.code!r}, {self.message!r}, status={self.status})"


class DroppedConnectionError(Exception):
    """The connection breaks instead of carrying an answer; raised by `dispatch()`.

    Each transport turns it into what a broken connection looks like there: the in-process
    client raises botocore's `EndpointConnectionError` (`processed=False`) or
    `ConnectionClosedError` (`processed=True`); the HTTP server closes the socket without
    answering.

    Examples:
        >>> DroppedConnectionError(processed=True)  # the mail went out; the answer is lost
        DroppedConnectionError('connection dropped after the request was processed')

    Args:
        processed: Whether the fake handled the request (and kept its effects) before the
            connection broke.
    """

    def __init__(self, *, processed: bool) -> None:
        when = "after" if processed else "before"
        super().__init__(f"connection dropped {when} the request was processed")
        self.processed = processed


def modeled_status(code: str) -> int:
    """Return the HTTP status the SES v2 model assigns to the error `code` (400 if unknown).

    Examples:
        >>> modeled_status("TooManyRequestsException"), modeled_status("NotFoundException")
        (429, 404)
        >>> modeled_status("NoSuchCode")
        400
    """
    return _modeled_statuses().get(code, 400)


@functools.cache
def _modeled_statuses() -> dict[str, int]:
    model = sesv2_model()
    statuses: dict[str, int] = {}
    for shape in model.error_shapes:
        error = shape.metadata.get("error", {})
        statuses[str(error.get("code", shape.name))] = int(error.get("httpStatusCode", 400))
    return statuses


@dataclass(frozen=True)
class FakeCall:
    """One request the fake received, as logged in `FakeSESBase.calls`.

    Examples:
        >>> _ = client.get_email_identity(EmailIdentity="news@example.com")
        >>> call = fake.calls[-1]
        >>> call.operation, call.params, call.time
        ('GetEmailIdentity', {'EmailIdentity': 'news@example.com'}, 0.0)

    Attributes:
        operation: The SES v2 operation name.
        params: The decoded parameters (a private copy).
        time: The fake's `clock()` when the request arrived.
    """

    operation: str
    params: Mapping[str, Any]
    time: float


class _RawBody:
    """The `raw` of a synthetic `AWSResponse`: botocore only streams it."""

    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self._body

    def read(self, amt: int | None = None) -> bytes:
        data, self._body = (self._body, b"") if amt is None else self._split(amt)
        return data

    def _split(self, amt: int) -> tuple[bytes, bytes]:
        return self._body[:amt], self._body[amt:]


class _AsyncBody:
    """The `raw` of a synthetic aiobotocore response: it reads asynchronously."""

    def __init__(self, body: bytes) -> None:
        self._body = body

    async def read(self, amt: int | None = None) -> bytes:
        data, self._body = (
            (self._body, b"") if amt is None else (self._body[:amt], self._body[amt:])
        )
        return data


Handler = Callable[[dict[str, Any]], Mapping[str, Any] | None]


def _marked_operations(cls: type) -> dict[str, str]:
    """Map each SES v2 operation a class's methods are marked for to the method's name."""
    operations: dict[str, str] = {}
    for klass in reversed(cls.__mro__):
        for attribute, value in vars(klass).items():
            name = getattr(value, _OPERATION_ATTR, None)
            if name is None:
                continue
            previous = operations.get(name)
            if previous is not None and previous != attribute:
                raise TypeError(f"{cls.__name__}: both {previous} and {attribute} handle {name}")
            operations[name] = attribute
    unknown = sorted(set(operations) - set(sesv2_model().operation_names))
    if unknown:
        raise TypeError(f"{cls.__name__}: {unknown} are not SES v2 operations")
    return operations


class Handlers:
    """A group of operation handlers: methods marked with `operation()`.

    Subclasses take the stores they need as constructor arguments and keep them; a handler
    reads and changes state only through them. The registry is per class, so
    `FakeSESBase.implemented_operations()` is known without building a fake.

    Examples:
        >>> class TemplateHandlers(Handlers):
        ...     def __init__(self, templates: TemplateStore) -> None:
        ...         self._templates = templates
        ...
        ...     @operation("DeleteEmailTemplate")
        ...     def _delete(self, params: Mapping[str, Any]) -> None:
        ...         self._templates.delete(params["TemplateName"])
        >>> TemplateHandlers.operations
        {'DeleteEmailTemplate': '_delete'}
    """

    operations: ClassVar[dict[str, str]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.operations = _marked_operations(cls)

    def bound(self) -> dict[str, Handler]:
        """Return this object's handlers by operation name.

        Examples:
            >>> class AccountHandlers(Handlers):
            ...     @operation("GetAccount")
            ...     def _get_account(self, params: Mapping[str, Any]) -> dict[str, Any]:
            ...         return {"ProductionAccessEnabled": False}
            >>> AccountHandlers().bound()["GetAccount"]({})
            {'ProductionAccessEnabled': False}
        """
        return {name: getattr(self, attribute) for name, attribute in self.operations.items()}


class FakeSESBase:
    """The dispatcher, call log, fault injection and client factory shared by every operation.

    Not used directly: `FakeSES` builds the stores and installs the
    handlers (`_build()`). Handlers come from the `Handlers` classes named in
    `_handler_types`; a subclass may also mark its own methods with `operation()`,
    which then answer in place of those.

    Examples:
        >>> fake = FakeSES()
        >>> client = fake.client()
        >>> _ = client.create_email_identity(EmailIdentity="alice@example.com")
        >>> fake.call_count("CreateEmailIdentity")
        1
    """

    # The Handlers classes whose objects _build installs; known per class, before any fake.
    _handler_types: ClassVar[tuple[type[Handlers], ...]] = ()
    # The operations the class's own methods handle (over the handler objects').
    _operations: ClassVar[dict[str, str]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        seen: dict[str, str] = {}
        for handler_type in cls._handler_types:
            for name in handler_type.operations:
                other = seen.setdefault(name, handler_type.__name__)
                if other != handler_type.__name__:
                    raise TypeError(
                        f"{cls.__name__}: both {other} and {handler_type.__name__} handle {name}"
                    )
        cls._operations = _marked_operations(cls)

    def __init__(
        self,
        *,
        region: str = "us-east-1",
        account_id: str = "123456789012",
        clock: Callable[[], float] | None = None,
        wall_clock: Callable[[], float] | None = None,
        seed: int | None = None,
    ) -> None:
        if not region:
            raise ValueError("region must not be empty")
        if not (len(account_id) == 12 and account_id.isdigit()):
            raise ValueError(f"account_id must be 12 digits, got {account_id!r}")
        self.region = region
        """The region whose SES this fake plays."""
        self.account_id = account_id
        """The AWS account id the fake reports."""
        self.clock: Callable[[], float] = clock if clock is not None else time.monotonic
        """Monotonic seconds: drives timed transitions and stamps `FakeCall`."""
        self.wall_clock: Callable[[], float] = wall_clock if wall_clock is not None else time.time
        """Epoch seconds: stamps the timestamps in responses."""
        self._seed = seed
        self._model = sesv2_model()
        self._lock = threading.RLock()
        self._calls: list[FakeCall] = []
        # Counted apart from the log, which a fake keeping no messages thins out.
        self._call_counts: Counter[str] = Counter()
        self._statuses: Counter[int] = Counter()
        self._faults: dict[str, deque[tuple[str, str, int]]] = {}
        self._random_faults = RandomFaults()
        # Operations whose calls are logged without their parameters (see keep_messages).
        self._unlogged_params: frozenset[str] = frozenset()
        self._handlers: dict[str, Handler] = {}
        self._build()

    # --- state ---------------------------------------------------------------------------

    def _build(self) -> None:
        """Build fresh stores and install their handlers; run at start and by `reset()`."""
        self._install(())

    def _install(self, handlers: Iterable[Handlers]) -> None:
        """Answer each operation with the handler objects' methods, the class's own first."""
        objects = list(handlers)
        if [type(h) for h in objects] != list(type(self)._handler_types):
            raise TypeError("_install needs one object of each of _handler_types, in order")
        table: dict[str, Handler] = {}
        for handler in objects:
            table.update(handler.bound())
        for name, attribute in type(self)._operations.items():
            table[name] = getattr(self, attribute)
        self._handlers = table

    def reset(self) -> None:
        """Return to a fresh fake: no resources, no call log, no pending faults.

        The knobs given to the constructor (region, clocks, `auto_verify`, seed) stay, and the
        random generator is re-seeded, so a seeded fake replays the same tokens after a reset.

        Examples:
            >>> _ = sender.send("bob@example.com", "Hi", text="Yo")
            >>> fake.reset()
            >>> fake.calls, fake.outbox
            ([], [])
            >>> client.list_email_identities()["EmailIdentities"]
            []
        """
        with self._lock:
            self._calls.clear()
            self._call_counts.clear()
            self._statuses.clear()
            self._faults.clear()
            self._random_faults = RandomFaults()
            self._build()

    # --- the call log and faults ---------------------------------------------------------

    @property
    def calls(self) -> list[FakeCall]:
        """Every request received, oldest first (a snapshot copy).

        Calls answered with an injected fault are logged too: the request did reach SES.

        Examples:
            >>> fake.reset()
            >>> _ = client.create_email_identity(EmailIdentity="alice@example.com")
            >>> [c.operation for c in fake.calls]
            ['CreateEmailIdentity']
        """
        with self._lock:
            return list(self._calls)

    def call_count(self, operation: str) -> int:
        """Return how many requests for `operation` the fake received.

        Examples:
            >>> for _ in range(3):
            ...     _ = client.get_email_identity(EmailIdentity="news@example.com")
            >>> fake.call_count("GetEmailIdentity")
            3
            >>> fake.call_count("GetEmailIdentities")
            Traceback (most recent call last):
            ValueError: 'GetEmailIdentities' is not an SES v2 operation; did you mean ...?

        Raises:
            ValueError: `operation` is not an SES v2 operation name (a typo would otherwise
                count as zero and make an assertion pass).
        """
        self._check_operation(operation)
        with self._lock:
            return self._call_counts[operation]

    @property
    def throttled_calls(self) -> int:
        """How many requests were answered HTTP 429, whatever the cause.

        Rate enforcement, injected throttles and `fail_next()` with status 429 all count.

        Examples:
            >>> fake.throttled_calls
            0
            >>> fake.fail_next("GetAccount", "TooManyRequestsException", "Too many requests")
            >>> ses.account().in_sandbox  # sesflow waits and asks again
            False
            >>> fake.throttled_calls
            1
        """
        with self._lock:
            return self._statuses[429]

    def fail_next(
        self,
        operation: str,
        code: str,
        message: str,
        *,
        status: int | None = None,
        times: int = 1,
    ) -> None:
        """Answer the next `times` requests for `operation` with an error instead.

        Faults queue up: two calls to `fail_next` fail the next two requests in order.

        Examples:
            >>> fake.fail_next("GetAccount", "TooManyRequestsException", "Too many requests")
            >>> try:
            ...     client.get_account()
            ... except client.exceptions.TooManyRequestsException as exc:
            ...     print(exc.response["Error"]["Message"])
            Too many requests
            >>> client.get_account()["SendingEnabled"]  # the next request is answered
            True

        Args:
            operation: The SES v2 operation name, e.g. `"GetEmailIdentity"`.
            code: The error code, e.g. `"TooManyRequestsException"`.
            message: The error message.
            status: The HTTP status; `None` takes the one the SES model gives `code` (429
                for `TooManyRequestsException`), or 400.
            times: How many consecutive requests fail.

        Raises:
            ValueError: Unknown operation, or `times` below 1.
        """
        self._check_operation(operation)
        if isinstance(times, bool) or not isinstance(times, int) or times < 1:
            raise ValueError(f"times must be a positive integer, got {times!r}")
        resolved = modeled_status(code) if status is None else int(status)
        with self._lock:
            queue = self._faults.setdefault(operation, deque())
            queue.extend([(code, message, resolved)] * times)

    def inject_faults(
        self,
        *,
        seed: int = 0,
        throttle: float = 0.0,
        server_error: float = 0.0,
        drop_before: float = 0.0,
        drop_after: float = 0.0,
        transient_entry: float = 0.0,
        operations: Iterable[str] = ("SendEmail", "SendBulkEmail"),
    ) -> None:
        """Fail requests at random, reproducibly, until `clear_faults()`.

        Each probability is per request (`transient_entry`: per bulk entry). At most one of
        `drop_before`, `throttle`, `server_error`, `drop_after` hits a request, so
        their sum must not exceed 1. Calling again replaces the plan and restarts the
        generator. Faults queued with `fail_next()` answer first.

        What each fault does:

        - `throttle`: HTTP 429 `TooManyRequestsException` "Maximum sending rate
          exceeded."; not processed.
        - `server_error`: HTTP 500 `InternalServiceErrorException` or 503
          `ServiceUnavailable` (even odds); not processed.
        - `drop_before`: the connection breaks before the request is processed; in-process
          the client raises `EndpointConnectionError`, over HTTP the connection closes
          unanswered. Not processed and not even logged in `calls`.
        - `drop_after`: the request is processed (mail accepted, in the outbox) and then the
          connection breaks: `ConnectionClosedError` in-process, an unanswered close over
          HTTP.
        - `transient_entry`: that `SendBulkEmail` entry's `Status` is
          `TRANSIENT_FAILURE`; the entry is not sent.

        Examples:
            >>> fake.inject_faults(seed=1, throttle=0.5)
            >>> report = sender.send_bulk(recipients, "welcome")  # the code under test
            >>> report.sent, fake.injected_faults["throttle"]
            (2, 1)
            >>> fake.clear_faults()

        Args:
            seed: Seeds the generator the draws come from.
            throttle: Probability of a 429.
            server_error: Probability of a 500 or 503.
            drop_before: Probability that the connection breaks before the request is
                processed.
            drop_after: Probability that it breaks after the request was processed.
            transient_entry: Probability, per bulk entry, of `TRANSIENT_FAILURE`.
            operations: The SES v2 operations the per-request faults apply to.

        Raises:
            ValueError: A probability outside [0, 1], per-request probabilities adding up to
                more than 1, or an unknown operation.
        """
        if isinstance(operations, str):
            operations = (operations,)
        chosen = frozenset(operations)
        plan = check_plan(
            seed=seed,
            throttle=throttle,
            server_error=server_error,
            drop_before=drop_before,
            drop_after=drop_after,
            transient_entry=transient_entry,
            operations=chosen,
        )
        for operation in chosen:
            self._check_operation(operation)
        with self._lock:
            self._random_faults.plan(plan)

    def clear_faults(self) -> None:
        """Stop injecting random faults (queued `fail_next()` faults stay).

        Examples:
            >>> fake.inject_faults(seed=1, throttle=1.0)  # every send throttled
            >>> fake.clear_faults()
            >>> sender.send("bob@example.com", "Hi", text="Yo")
            SendResult(message_id='...')
        """
        with self._lock:
            self._random_faults.clear()

    @property
    def injected_faults(self) -> Counter[str]:
        """How many of each random fault fired so far (a copy), by kind.

        Kinds are `drop_before`, `throttle`, `server_error`, `drop_after` and
        `transient_entry`. `reset()` sets them back to zero; `clear_faults()` does
        not.

        Examples:
            >>> fake.inject_faults(seed=1, drop_after=1.0, operations=["GetAccount"])
            >>> try:
            ...     client.get_account()
            ... except Exception as exc:
            ...     print(type(exc).__name__)
            ConnectionClosedError
            >>> fake.injected_faults
            Counter({'drop_after': 1})
        """
        with self._lock:
            return self._random_faults.counts

    @classmethod
    def implemented_operations(cls) -> list[str]:
        """Return the names of the SES v2 operations this fake answers, sorted.

        Examples:
            >>> "GetEmailIdentity" in FakeSES.implemented_operations()
            True
        """
        names = set(cls._operations)
        for handler_type in cls._handler_types:
            names.update(handler_type.operations)
        return sorted(names)

    def _check_operation(self, operation: str) -> None:
        if operation not in self._model.operation_names:
            close = difflib.get_close_matches(operation, self._model.operation_names, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise ValueError(f"{operation!r} is not an SES v2 operation{hint}")

    # --- dispatch ------------------------------------------------------------------------

    def dispatch(
        self, method: str, path: str, headers: Mapping[str, str], body: bytes
    ) -> tuple[int, dict[str, str], bytes]:
        """Answer one HTTP request to the SES v2 REST API.

        This is the entry point every transport shares: the boto3 hook of `client()`
        calls it, and so can an HTTP server.

        Examples:
            >>> import json
            >>> status, headers, answer = fake.dispatch(
            ...     "POST", "/v2/email/identities", {}, b'{"EmailIdentity": "example.com"}'
            ... )
            >>> status, json.loads(answer)["IdentityType"]
            (200, 'DOMAIN')

        Args:
            method: The HTTP method.
            path: The path, still percent-encoded, with the query string if any.
            headers: The request headers.
            body: The raw request body.

        Returns:
            `(status, headers, body)` of the response.

        Raises:
            NotImplementedError: The operation exists in SES v2 but the fake has no handler.
            DroppedConnectionError: An injected fault breaks the connection instead of
                answering.
        """
        route, _, query = path.partition("?")
        try:
            name, params = decode_request(
                self._model, method, route, query, headers, body, aliases=route_aliases()
            )
        except RouteNotFoundError as exc:
            return encode_error("UnknownOperationException", str(exc), 404)
        except RequestDecodeError as exc:
            return encode_error("SerializationException", str(exc), 400)
        response = self._serve_call(name, params)
        with self._lock:
            self._statuses[response[0]] += 1
        return response

    def _serve_call(self, name: str, params: dict[str, Any]) -> tuple[int, dict[str, str], bytes]:
        """Log one decoded request and answer it: a queued or random fault, or the handler's.

        It may raise `DroppedConnectionError` instead of answering.
        """
        with self._lock:
            random_faults = self._random_faults
            # Faults queued with fail_next answer first, and then nothing is drawn.
            if self._faults.get(name) or not random_faults.applies(name):
                return self._answer(name, params)
            draw = random_faults.draw(name)
            if draw.kind == "drop_before":
                raise DroppedConnectionError(processed=False)
            if draw.kind == "throttle":
                self._log_call(name, params)
                return encode_error("TooManyRequestsException", THROTTLE_MESSAGE, 429)
            if draw.kind == "server_error":
                self._log_call(name, params)
                if draw.which < 0.5:
                    return encode_error(
                        "InternalServiceErrorException", "Internal service error.", 500
                    )
                return encode_error("ServiceUnavailable", "Service Unavailable", 503)
            response = self._answer(name, params)
            if draw.kind == "drop_after":
                raise DroppedConnectionError(processed=True)
            return response

    def _answer(self, name: str, params: dict[str, Any]) -> tuple[int, dict[str, str], bytes]:
        """Log a request and answer it: a fault queued by `fail_next()`, or the handler."""
        self._log_call(name, params)
        faults = self._faults.get(name)
        if faults:
            return encode_error(*faults.popleft())
        handler = self._handlers.get(name)
        if handler is None:
            raise NotImplementedError(f"FakeSES does not implement the SES v2 operation {name!r}")
        try:
            result = handler(params)
        except FakeError as err:
            return encode_error(err.code, err.message, err.status)
        return encode_response(self._model.operation_model(name), result or {})

    def _log_call(self, name: str, params: Mapping[str, Any]) -> None:
        """Record a request in `calls` (without its parameters if so configured)."""
        self._call_counts[name] += 1
        if name in self._unlogged_params:
            # Copying every bulk request's 50 entries would dwarf the counts kept instead.
            self._calls.append(FakeCall(name, {}, self.clock()))
            return
        self._calls.append(FakeCall(name, copy.deepcopy(params), self.clock()))

    # --- clients -------------------------------------------------------------------------

    def client(
        self, *, region_name: str | None = None, config: Config | None = None
    ) -> SESV2Client:
        """Return a real boto3 `sesv2` client whose requests this fake answers in-process.

        botocore still validates parameters, serialises the request and parses the response;
        only the network send is replaced, so no socket is ever opened. The client has dummy
        credentials (so no credential lookup or IMDS), ignores `AWS_PROFILE` and the AWS
        config file, and has botocore retries off, so each call is exactly one request (a
        `config` with its own `retries` overrides that). Its endpoint is a host under
        `.invalid` that can never resolve, which also keeps moto's `mock_aws` from
        answering in the fake's place.

        Examples:
            >>> client = fake.client()
            >>> _ = client.create_email_identity(EmailIdentity="alice@example.com")
            >>> sesflow.SES(client=client).identity("alice@example.com").refresh()
            Identity('alice@example.com', verification_status=PENDING)

        Args:
            region_name: The client's region; defaults to the fake's. The fake keeps one
                region's state whatever the client's region.
            config: Extra botocore configuration, merged over the fake's.
        """
        merged = _NO_RETRIES if config is None else _NO_RETRIES.merge(config)
        # What boto3.client() does, minus boto3.Session: that would append its resource path
        # to the shared loader on every call. No boto3 handler concerns sesv2 clients.
        region = region_name or self.region
        client = cast(
            "SESV2Client",
            _isolated_session().create_client(
                "sesv2",
                region_name=region,
                # A host under .invalid (RFC 2606) never resolves, so even a request that somehow
                # escaped the hook could not reach AWS; and request interceptors that match AWS
                # hosts (moto's mock_aws, for one) leave these requests to the fake.
                endpoint_url=f"https://email.{region}.fake-ses.invalid",
                aws_access_key_id=_PLACEHOLDER_KEY,
                aws_secret_access_key=_PLACEHOLDER_KEY,
                config=merged,
            ),
        )
        # The stubs type every handler as returning None; a before-send handler that returns a
        # response is exactly how botocore lets one replace the network send. It goes first so
        # that moto's handler (registered on every client while moto is imported) never
        # answers for the fake inside a `mock_aws()` block.
        client.meta.events.register_first("before-send.sesv2", self._answer_send)  # type: ignore[arg-type]
        # The clock the fake enforces SES's rate on, carried by the client: an SES built on
        # it shares that clock, or refuses a different one (two clocks would pace sends on
        # one and enforce the rate on the other).
        setattr(client, FAKE_CLOCK_ATTRIBUTE, self.clock)
        # And its account id, which `sesflow.SES.account_id` would otherwise ask STS for.
        setattr(client, FAKE_ACCOUNT_ATTRIBUTE, self.account_id)
        return client

    @contextlib.asynccontextmanager
    async def async_client(
        self, *, region_name: str | None = None, config: Config | None = None
    ) -> AsyncIterator[Any]:
        """An aiobotocore `sesv2` client whose requests this fake answers in-process, as
        `client()` does for boto3: `async with fake.async_client() as client:`. For
        `sesflow.aio.AsyncSES(client=client)`, or your own aiobotocore code.

        Needs aiobotocore (`pip install "sesflow[async]"`).

        Examples:
            >>> import asyncio
            >>> async def main():
            ...     async with fake.async_client() as client:
            ...         await client.create_email_identity(EmailIdentity="ann@example.com")
            ...         return (await client.list_email_identities())["EmailIdentities"]
            >>> "ann@example.com" in [i["IdentityName"] for i in asyncio.run(main())]
            True
        """
        try:
            from aiobotocore.session import AioSession
        except ImportError:
            raise ImportError(
                "FakeSES.async_client() needs the 'aiobotocore' package: "
                "pip install 'sesflow[async]'"
            ) from None
        merged = _NO_RETRIES if config is None else _NO_RETRIES.merge(config)
        region = region_name or self.region
        session: Any = AioSession(  # the stubs type create_client() per service name
            session_vars={
                "profile": (None, None, None, None),
                "config_file": (None, None, os.devnull, None),
            }
        )
        session.register_component("data_loader", _shared_loader())
        async with session.create_client(
            "sesv2",
            region_name=region,
            endpoint_url=f"https://email.{region}.fake-ses.invalid",
            aws_access_key_id=_PLACEHOLDER_KEY,
            aws_secret_access_key=_PLACEHOLDER_KEY,
            config=merged,
        ) as client:
            client.meta.events.register_first("before-send.sesv2", self._answer_async)
            setattr(client, FAKE_CLOCK_ATTRIBUTE, self.clock)
            setattr(client, FAKE_ACCOUNT_ATTRIBUTE, self.account_id)
            yield client

    async def _answer_async(self, request: AWSPreparedRequest, **kwargs: Any) -> Any:
        from aiobotocore.awsrequest import AioAWSResponse

        answer = self._answer_send(request, **kwargs)
        return AioAWSResponse(
            answer.url, answer.status_code, cast(Any, answer.headers), _AsyncBody(answer.raw.read())
        )

    def _answer_send(self, request: AWSPreparedRequest, **_: Any) -> AWSResponse:
        url = urlsplit(request.url)
        path = (url.path or "/") + (f"?{url.query}" if url.query else "")
        headers = {key: _text(value) for key, value in request.headers.items()}
        try:
            status, out_headers, body = self.dispatch(
                request.method, path, headers, _body_bytes(request.body)
            )
        except DroppedConnectionError as dropped:
            if dropped.processed:
                raise ConnectionClosedError(endpoint_url=request.url) from None
            raise EndpointConnectionError(endpoint_url=request.url) from None
        return AWSResponse(request.url, status, HTTPHeaders.from_dict(out_headers), _RawBody(body))

    def __repr__(self) -> str:
        with self._lock:
            parts = [f"region={self.region!r}", f"account_id={self.account_id!r}"]
            parts += self._repr_parts()
            parts.append(f"calls={len(self._calls)}")
        return f"{type(self).__name__}({', '.join(parts)})"

    def _repr_parts(self) -> list[str]:
        """Short `name=value` summaries of state; `FakeSES` lists its stores'."""
        return []


def _text(value: str | bytes) -> str:
    return value.decode("latin-1") if isinstance(value, bytes) else str(value)


def _body_bytes(body: str | bytes | bytearray | IO[bytes] | IO[str] | None) -> bytes:
    if body is None:
        return b""
    if isinstance(body, str):
        return body.encode("utf-8")
    if isinstance(body, bytes | bytearray):
        return bytes(body)
    data = body.read()
    if hasattr(body, "seek"):
        # botocore may re-read a file body (e.g. to sign it); leave it where we found it.
        body.seek(0)
    return data.encode("utf-8") if isinstance(data, str) else bytes(data)
