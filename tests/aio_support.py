"""One scenario body, two APIs: a facade that drives `sesflow.aio` with sync-looking calls.

`Api("sync")` hands out `sesflow.SES` objects as they are. `Api("async")` runs an event
loop in a background thread and hands out `Synced` proxies of `AsyncSES` and its resources:
every call made through one runs on that loop and, when it returns an awaitable, is awaited
to completion there; an async iterator is stepped one awaited `__anext__` at a time; async
resources returned are wrapped again. So a test written once against the sync surface
exercises the async API for real (greenlets, loop tasks, `await_only`), not a copy of it.

`api.interrupt()` is the stop a user gives a run: Ctrl-C for the sync API (a
`KeyboardInterrupt` raised where it is called), and, for the async API, the cancellation of
the task running the current call (`api.Interrupt` is the exception each raises).
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import threading
from collections.abc import Callable, Iterator
from typing import Any

import sesflow
from sesflow import aio
from sesflow.aio._base import AsyncResource
from sesflow.events import handle_sns
from sesflow.testing import FakeSES

__all__ = ["KINDS", "Api", "LoopThread", "Synced"]

KINDS = ["sync", "async"]


class LoopThread:
    """An event loop running in a daemon thread; `call` runs a function on it."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self._thread.start()
        #: The task running the current `call` (the one `Api.interrupt` cancels).
        self.current: asyncio.Task[Any] | None = None

    def call(self, function: Callable[[], Any]) -> Any:
        """`function()` run on the loop, awaited there when it returns an awaitable; its
        exception (a `CancelledError` included, with what sesflow attached to it) is
        re-raised here as it is."""

        async def runner() -> tuple[bool, Any]:
            self.current = asyncio.current_task()
            try:
                result = function()
                if inspect.isawaitable(result):
                    result = await result
            except BaseException as exc:  # handed over to the caller's thread
                return False, exc
            finally:
                self.current = None
            return True, result

        ok, value = asyncio.run_coroutine_threadsafe(runner(), self.loop).result()
        if not ok:
            raise value
        return value

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join()
        self.loop.close()


def _plain(value: Any) -> Any:
    """The async object behind a proxy passed as an argument."""
    if isinstance(value, Synced):
        return value._target
    return value


class Synced:
    """A sync-looking view of an async object of `sesflow.aio`, driven on a `LoopThread`."""

    def __init__(self, target: Any, loop: LoopThread) -> None:
        self._target = target
        self._loop = loop

    def _adapt(self, value: Any) -> Any:
        if isinstance(value, AsyncResource):
            return Synced(value, self._loop)
        if type(value) in (list, tuple) and value and isinstance(value[0], AsyncResource):
            return type(value)(Synced(item, self._loop) for item in value)
        if hasattr(value, "__anext__"):
            return self._steps(value)
        return value

    def _steps(self, iterator: Any) -> Iterator[Any]:
        while True:
            try:
                item = self._loop.call(iterator.__anext__)
            except StopAsyncIteration:
                return
            yield self._adapt(item)

    def __getattr__(self, name: str) -> Any:
        target = self._target
        value = self._loop.call(lambda: getattr(target, name))
        if inspect.ismethod(value):

            def method(*args: Any, **kwargs: Any) -> Any:
                plain_args = [_plain(a) for a in args]
                plain_kwargs = {k: _plain(v) for k, v in kwargs.items()}
                return self._adapt(self._loop.call(lambda: value(*plain_args, **plain_kwargs)))

            return method
        return self._adapt(value)

    def __eq__(self, other: object) -> bool:
        return bool(self._target == _plain(other))

    def __hash__(self) -> int:
        return hash(self._target)

    def __repr__(self) -> str:
        return repr(self._target)


class Api:
    """The sync or the async API, behind the sync surface (see the module's docstring)."""

    def __init__(self, kind: str) -> None:
        assert kind in KINDS
        self.kind = kind
        self.loop: LoopThread | None = LoopThread() if kind == "async" else None
        self._exits = contextlib.ExitStack()
        #: What `interrupt()` makes the interrupted call raise.
        self.Interrupt: type[BaseException] = (
            KeyboardInterrupt if kind == "sync" else asyncio.CancelledError
        )

    @property
    def is_async(self) -> bool:
        return self.loop is not None

    def connect(self, fake: FakeSES, **options: Any) -> Any:
        """An `SES` (sync) or a `Synced(AsyncSES)` on `fake`'s in-process client, on the
        fake's clock (`options` go to the constructor, `limiter=` say)."""
        loop = self.loop
        if loop is None:
            return sesflow.SES(client=fake.client(), **options)
        context = fake.async_client()
        client = loop.call(context.__aenter__)
        self._exits.callback(lambda: loop.call(lambda: context.__aexit__(None, None, None)))
        ses = loop.call(lambda: aio.AsyncSES(client=client, **options))
        return Synced(ses, loop)

    def run(self, function: Callable[[], Any]) -> Any:
        """`function()` on the loop, awaited (async); called here (sync)."""
        if self.loop is None:
            return function()
        return self.loop.call(function)

    def interrupt(self) -> None:
        """Stop the current call as a user would: Ctrl-C, or cancelling its task."""
        if self.loop is None:
            raise KeyboardInterrupt
        task = self.loop.current
        assert task is not None, "interrupt() is for callbacks of a call in progress"
        assert asyncio.current_task() is not task  # a bulk worker's task, not the caller's
        task.cancel()

    def handle_sns(self, body: Any, headers: Any, **options: Any) -> int:
        """`sesflow.events.handle_sns`, or `sesflow.aio.handle_sns` awaited on the loop."""
        if self.loop is None:
            return handle_sns(body, headers, **options)
        status: int = self.loop.call(lambda: aio.handle_sns(body, headers, **options))
        return status

    def close(self) -> None:
        self._exits.close()
        if self.loop is not None:
            self.loop.close()
