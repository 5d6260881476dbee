"""The hand-written half of `sesflow.aio`: the async root, the resource base, the bridge
to aiobotocore. The resource classes themselves (`_api.py`) are generated from the sync
ones by `scripts/generate_aio.py`: each method runs the sync method through
`sesflow._bridge.run`, so no logic is written twice (see docs/design/async.md).
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import inspect
import time
from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any, Generic, Self, TypeVar, cast

from sesflow._bridge import AwaitRequiredError, LoopRuntime, await_only, resolve, run
from sesflow._errors import MissingExtraError, ValidationError
from sesflow._ses import SES, _fail_unresolved_at_once, _shared_clock, check_options

if TYPE_CHECKING:
    from aiobotocore.session import AioSession
    from botocore.config import Config
    from types_aiobotocore_sesv2 import SESV2Client

    from sesflow._ratelimit import Limiter

__all__ = ["AsyncResource", "AsyncSESBase", "register", "sync_iterable", "unwrap", "wrap"]

S = TypeVar("S")
T = TypeVar("T")

#: sync resource class -> its async twin (filled by `_api.py`).
_TWINS: dict[type, type[AsyncResource[Any]]] = {}


def register(sync: type, twin: type[AsyncResource[Any]]) -> None:
    _TWINS[sync] = twin


def wrap(ses: AsyncSESBase, value: Any, owner: AsyncResource[Any] | None = None) -> Any:
    """The async view of what a sync method returned: resources get their async twin
    (the owner itself when the method returned its own sync object), lists and tuples of
    them a list or tuple of twins; values (reports, enums, records) are returned as they are."""
    if owner is not None and value is owner._made:
        return owner
    kind = type(value)
    if kind in (list, tuple) and value and type(value[0]) in _TWINS:
        return kind(wrap(ses, item) for item in value)
    for klass in kind.__mro__:
        twin = _TWINS.get(klass)
        if twin is not None:
            return twin._of(ses, value)
    return value


def unwrap(value: Any) -> Any:
    """The sync object behind an async resource passed as an argument."""
    if isinstance(value, AsyncResource):
        return value._sync
    return value


def sync_iterable(values: Iterable[T] | AsyncIterable[T]) -> Iterable[T]:
    """`values` for the sync implementation: an async iterable is read one item at a
    time on the loop (from the greenlet that reads it: the bulk run's feeder), lazily, as
    a sync one is."""
    if isinstance(values, AsyncIterable):
        return _drain_async(values)
    return values


def _drain_async(values: AsyncIterable[T]) -> Iterator[T]:
    iterator = values.__aiter__()
    while True:
        try:
            item = await_only(iterator.__anext__())
        except StopAsyncIteration:
            return
        yield item


class _Bridged:
    """An aiobotocore client, seen by the sync implementation as a botocore one: each
    operation's coroutine is awaited on the loop (`await_only`); `meta`, `exceptions`
    and attributes pass through."""

    def __init__(self, client: Any) -> None:
        self._aio = client

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._aio, name)
        if name not in self._aio.meta.method_to_api_mapping:
            return value  # meta, exceptions, a fake's clock...

        def call(*args: Any, **kwargs: Any) -> Any:
            # aiobotocore's operation methods are plain functions returning coroutines.
            return resolve(value(*args, **kwargs))

        return call

    def close(self) -> None:
        """Owned clients are closed by `AsyncSES.close()`; a given one by its owner."""


class _LoopSES(SES):
    """The sync `SES` root as `sesflow.aio` runs it: event-loop tasks instead of threads,
    aiobotocore clients it builds on the session it was given (and closes), bridged."""

    _runtime = LoopRuntime()

    def __init__(self, *, aio_session: Any, stack: contextlib.AsyncExitStack, **options: Any):
        self._aio_session = aio_session
        self._stack = stack
        super().__init__(**options)

    def _new_client(self, service: str, **options: Any) -> Any:
        if self._aio_session is None:  # a client was given; another one is needed now
            self._aio_session = _new_session()
        context = self._aio_session.create_client(service, **options)
        client = await_only(self._stack.enter_async_context(context))
        _fail_unresolved_at_once(client)
        return _Bridged(client)


def _new_session() -> AioSession:
    from aiobotocore.session import get_session

    return get_session()


def _is_aio_client(client: object) -> bool:
    from aiobotocore.client import AioBaseClient

    return isinstance(client, AioBaseClient)


def _on_loop(sleep: Callable[[float], object]) -> Callable[[float], None]:
    """A sleep the sync implementation can call: an async one is awaited on the loop; a
    sync one (a `FakeClock`'s, which only moves virtual time) is called, and then the
    loop gets a turn, so that other tasks run while one "sleeps" on a fake clock."""

    def sleep_on_loop(seconds: float) -> None:
        result = sleep(seconds)
        if inspect.isawaitable(result):
            await_only(result)
        else:
            await_only(asyncio.sleep(0))

    return sleep_on_loop


class AsyncResource(Generic[S]):
    """An async twin: the sync resource it runs, made now or on first use (a factory
    called before the `AsyncSES` opened its clients)."""

    def __init__(self, ses: AsyncSESBase, make: Callable[[SES], S]) -> None:
        self._ses = ses
        self._make: Callable[[SES], S] | None = make
        self._made: S | None = None
        if ses._core is not None:
            self._made = make(ses._core)  # validates its arguments now, as the sync one does

    @classmethod
    def _of(cls, ses: AsyncSESBase, made: Any) -> Self:
        twin = cls.__new__(cls)
        twin._ses, twin._make, twin._made = ses, None, made
        return twin

    @property
    def _sync(self) -> S:
        if self._made is None:
            assert self._make is not None
            self._made = self._make(self._ses._sync)
        return self._made

    async def _call(self, name: str, /, *args: Any, **kwargs: Any) -> Any:
        await self._ses._ready()
        result = await run(lambda: getattr(self._sync, name)(*args, **kwargs))
        return wrap(self._ses, result, self)

    def _get(self, name: str) -> Any:
        try:
            value = getattr(self._sync, name)
        except AwaitRequiredError as exc:
            kind = type(self._sync).__name__
            raise AwaitRequiredError(
                f"{kind}.{name} is not loaded yet, and a property cannot await the call that "
                f"loads it: `await ....refresh()` first (the sync {kind} would call AWS here)"
            ) from exc
        return wrap(self._ses, value, self)

    def _iterate(self, name: str, /, *args: Any, **kwargs: Any) -> AsyncIterator[Any]:
        return _Pages(self, name, args, kwargs)

    def __repr__(self) -> str:
        if self._made is None:
            return f"<{type(self).__name__} (not made yet: the AsyncSES is not opened)>"
        return repr(self._made)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, AsyncResource):
            return NotImplemented
        return type(self) is type(other) and self._sync == other._sync

    def __hash__(self) -> int:
        return hash(self._sync)


class AsyncSESBase(AsyncResource[SES]):
    """What `AsyncSES` adds to the generated methods: construction, clients, closing."""

    def __init__(
        self,
        region_name: str | None = None,
        *,
        session: AioSession | None = None,
        client: Any | None = None,
        route53_client: Any | None = None,
        botocore_config: Config | None = None,
        endpoint_url: str | None = None,
        sleep: Callable[[float], Awaitable[object] | object] = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
        limiter: Limiter | None = None,
    ) -> None:
        """The options of `sesflow.SES`, for asyncio.

        Args:
            region_name: the AWS region; None takes the session's default.
            session: an aiobotocore `AioSession` to build clients from (a new one if None).
            client: an aiobotocore `sesv2` client, already entered (`async with
                session.create_client("sesv2") as client`), used as given and left open;
                `FakeSES().async_client()` gives one in tests.
            route53_client: an aiobotocore `route53` client for `publish_to_route53()`.
            botocore_config: a `botocore.config.Config` merged over sesflow's defaults.
            endpoint_url: another SES endpoint (a served `FakeSES`, a VPC endpoint).
            sleep: how sesflow waits: an async function (`asyncio.sleep`), or a
                `FakeClock`'s `sleep` in tests.
            clock: a monotonic clock in seconds.
            limiter: what every send takes its recipients from (`sesflow.Limiter`); a
                `sesflow.redis.RedisLimiter` on a `redis.asyncio.Redis` client shares a rate
                between processes without blocking the loop.

        The clients sesflow builds are built on `open()` (or `async with`, or the first
        awaited call) and closed by `close()`.
        """
        if importlib.util.find_spec("aiobotocore") is None:
            raise MissingExtraError(
                "sesflow.aio needs the 'aiobotocore' package: pip install 'sesflow[async]'"
            )
        if session is not None and not callable(getattr(session, "create_client", None)):
            raise ValidationError(
                f"session: expected an aiobotocore AioSession, got {type(session).__name__}",
                field="session",
            )
        if client is not None and not _is_aio_client(client):
            raise ValidationError(
                f"client: expected an aiobotocore 'sesv2' client (entered: `async with "
                f"session.create_client('sesv2') as client`), got {type(client).__name__}",
                field="client",
            )
        check_options(region_name, client, endpoint_url, botocore_config, limiter)
        self._session = session  # made by open() when None
        self._stack = contextlib.AsyncExitStack()
        # The sync clock/sleep wiring (a FakeSES client's virtual clock) decides first; the
        # sleep it settles on is then made to wait on the loop.
        default_sleep = sleep is asyncio.sleep
        chosen, clock = _shared_clock(client, time.sleep if default_sleep else sleep, clock)  # type: ignore[arg-type]
        loop_sleep = _on_loop(asyncio.sleep if chosen is time.sleep else chosen)
        self._options: dict[str, Any] = {
            "region_name": region_name,
            "client": None if client is None else _Bridged(client),
            "route53_client": None if route53_client is None else _Bridged(route53_client),
            "botocore_config": botocore_config,
            "endpoint_url": endpoint_url,
            "sleep": loop_sleep,
            "clock": clock,
            "limiter": limiter,
        }
        self._core: SES | None = None
        self._ses = self
        self._make = None
        self._made = None
        self._closed = False
        if client is not None:
            # Nothing to await: a given client is ready, so the root is built now (and
            # bad options are refused now, as the sync SES refuses them).
            self._core = self._build()

    def _build(self) -> SES:
        core = _LoopSES(aio_session=self._session, stack=self._stack, **self._options)
        self._made = core
        return core

    @property
    def _sync(self) -> SES:
        """The sync root this runs (ready once opened: always, with `client=`)."""
        if self._core is None:
            from sesflow._bridge import bridged

            if not bridged():
                from sesflow._bridge import AwaitRequiredError

                raise AwaitRequiredError(
                    "AsyncSES builds its clients on first use, which must be awaited: open it "
                    "first (`async with AsyncSES(...) as ses:` or `await ses.open()`)"
                )
            self._core = self._build()
        return self._core

    async def _ready(self) -> None:
        if self._core is None:
            if self._closed:
                raise ValidationError("this AsyncSES is closed", field="ses")
            if self._session is None:
                # Importing aiobotocore (aiohttp's connector builds its TLS contexts as it
                # is imported) takes a few hundred milliseconds: in a thread, not on the loop.
                self._session = await asyncio.to_thread(_new_session)
            await run(lambda: self._sync)

    async def open(self) -> Self:
        """Build the clients (done by `async with`, or by the first awaited call).

        Examples:
            >>> import asyncio
            >>> from sesflow.aio import AsyncSES
            >>> async def main():
            ...     async with fake.async_client() as client:
            ...         ses = await AsyncSES(client=client).open()
            ...         print(ses)
            ...         await ses.close()
            >>> asyncio.run(main())
            AsyncSES(region='us-east-1')
        """
        await self._ready()
        return self

    async def close(self) -> None:
        """Close the clients this `AsyncSES` built (a client given is left to its owner)."""
        self._closed = True
        await self._stack.aclose()

    async def __aenter__(self) -> Self:
        return await self.open()

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    @property
    def client(self) -> SESV2Client:
        """The aiobotocore `sesv2` client sesflow calls (for calls sesflow does not wrap).

        Examples:
            >>> from sesflow.aio import AsyncSES
            >>> async def main():
            ...     async with fake.async_client() as client:
            ...         ses = AsyncSES(client=client)
            ...         return ses.client is client
            >>> asyncio.run(main())
            True
        """
        client: Any = self._sync._client
        return cast("SESV2Client", client._aio if isinstance(client, _Bridged) else client)

    @property
    def route53_client(self) -> Any:
        """The aiobotocore `route53` client (built on first use by an awaited call)."""
        client = self._sync.route53_client
        return client._aio if isinstance(client, _Bridged) else client

    def __repr__(self) -> str:
        if self._core is None:
            return "AsyncSES(not opened)"
        return f"AsyncSES(region={self._core.region!r})"


_END = object()


class _Pages(AsyncIterator[Any]):
    """A listing: the sync iterator, stepped one item at a time through the bridge (it
    fetches a page when it runs out, as the sync one does)."""

    def __init__(
        self, owner: AsyncResource[Any], name: str, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> None:
        self._owner, self._name, self._args, self._kwargs = owner, name, args, kwargs
        self._iterator: Any = None

    def __aiter__(self) -> Self:
        return self

    async def __anext__(self) -> Any:
        owner = self._owner
        await owner._ses._ready()
        if self._iterator is None:
            self._iterator = await run(
                lambda: iter(getattr(owner._sync, self._name)(*self._args, **self._kwargs))
            )
        item = await run(next, self._iterator, _END)
        if item is _END:
            raise StopAsyncIteration
        return wrap(owner._ses, item)
