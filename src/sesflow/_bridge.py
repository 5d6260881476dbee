"""Running sesflow's one implementation on an event loop (`sesflow.aio`).

sesflow's logic — validation, request building, error translation, retries, pacing, the
bulk engine and the journal's bookkeeping — is written once, as plain functions. The
async API runs that same code in a greenlet on the event loop's thread: where the code
reaches an I/O point (an AWS call, a sleep, a lock it must wait for, a journal write),
the async transport hands an awaitable to `await_only`, which suspends the greenlet and
lets the coroutine that drives it (`run`) await the awaitable on the loop. Nothing blocks
the loop, and no line of logic exists twice. (SQLAlchemy's asyncio extension works the
same way, for the same reason: one body of logic, two kinds of I/O.)

This module is the ground floor of that: it imports `greenlet` only when first used, and
nothing above it.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from typing import Any, Generic, TypeVar

from ._errors import MissingExtraError, SesflowError

__all__ = [
    "AwaitRequiredError",
    "LoopRuntime",
    "await_only",
    "await_shielded",
    "bridged",
    "resolve",
    "run",
]

T = TypeVar("T")

#: The attribute that marks a greenlet `run` started (greenlets take attributes).
_MARK = "sesflow_bridge"


class AwaitRequiredError(SesflowError):
    """Something in `sesflow.aio` needed an AWS call (or another wait) where async code
    cannot wait: a property that would load state on first access, read before any verb
    loaded it. `await` the resource's `refresh()` (or the verb that loads it) first.

    Examples:
        >>> raise AwaitRequiredError("Identity.verification_status is not loaded yet")
        Traceback (most recent call last):
        ...
        sesflow._bridge.AwaitRequiredError: Identity.verification_status is not loaded yet
    """


def _greenlet() -> Any:
    try:
        import greenlet
    except ImportError:  # pragma: no cover - the async extra brings it
        raise MissingExtraError(
            "sesflow.aio needs the 'greenlet' package: pip install 'sesflow[async]'"
        ) from None
    return greenlet


def bridged() -> bool:
    """Whether the caller runs inside `run` (so it may `await_only`)."""
    try:
        import greenlet
    except ImportError:
        return False
    return bool(getattr(greenlet.getcurrent(), _MARK, False))


def await_only(awaitable: Awaitable[T]) -> T:
    """Wait for `awaitable` on the event loop from code that `run` is running.

    Raises:
        AwaitRequiredError: called outside `run` (no coroutine is there to await it).
    """
    current = _greenlet().getcurrent()
    if not getattr(current, _MARK, False):
        if inspect.iscoroutine(awaitable):
            awaitable.close()  # never awaited: say so by closing it, not with a warning
        raise AwaitRequiredError(
            "this needs an AWS call (or another wait), which async code must await: await "
            "the resource's refresh() or the verb that loads it first"
        )
    # The driving coroutine awaits it and switches back with the result (or throws).
    result: T = current.parent.switch(awaitable)
    return result


def await_shielded(awaitable: Awaitable[T]) -> T:
    """`await_only`, for work that must not be left half done (a journal write): a
    cancellation meanwhile lets the work finish first, then goes on as the interrupt it
    is (the work's result, or its error, is dropped: the interrupt wins)."""
    import asyncio

    future = asyncio.ensure_future(awaitable)
    try:
        return await_only(asyncio.shield(future))
    except asyncio.CancelledError:
        if not future.done():
            await_only(asyncio.wait([future]))
        if not future.cancelled():
            future.exception()  # retrieved, so asyncio does not log it as forgotten
        raise


def resolve(value: Any) -> Any:
    """`value`, awaited first when it is awaitable: a call on a client that may be an
    async one (`redis.asyncio`, say) gives its result either way."""
    if inspect.isawaitable(value):
        return await_only(value)
    return value


async def run(function: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
    """Run `function(*args, **kwargs)` in a greenlet, awaiting each awaitable it hands
    to `await_only`; return its result or raise its exception.

    The greenlet shares the calling task's context, so context variables set on either
    side (sesflow's "this is a send" flag, which botocore's retry hook reads inside the
    awaited client call) are seen on the other. An exception raised while awaiting
    (`asyncio.CancelledError` included) is thrown into the function at its `await_only`,
    so cancellation reaches the sync code as an interrupt reaches it in a thread: the
    bulk engine treats it as Ctrl-C.
    """
    greenlet = _greenlet()
    here = greenlet.getcurrent()
    child = greenlet.greenlet(function, parent=here)
    setattr(child, _MARK, True)
    child.gr_context = here.gr_context
    result: Any = child.switch(*args, **kwargs)
    while not child.dead:
        try:
            value = await result
        except BaseException as exc:
            result = child.throw(exc)
        else:
            result = child.switch(value)
    return result  # type: ignore[no-any-return]


async def _within(seconds: float, awaitable: Awaitable[T]) -> T:
    """`awaitable`, or TimeoutError after `seconds`. Not `asyncio.wait_for`: on Python
    3.11 it drops a cancellation that arrives in the loop step in which the inner wait
    completes (fixed in 3.12), and a cancelled bulk run would then go on sending."""
    import asyncio

    async with asyncio.timeout(seconds):
        return await awaitable


class LoopRuntime:
    """`sesflow._runtime.Runtime` on an event loop: what the sync API does with threads,
    done with asyncio tasks, each running its part of the one implementation in a
    greenlet (`run`); every wait is an `await_only`."""

    def lock(self) -> _LoopLock:
        return _LoopLock()

    def rlock(self) -> _LoopRLock:
        return _LoopRLock()

    def condition(self) -> _LoopCondition:
        return _LoopCondition()

    def queue(self, maxsize: int) -> _LoopQueue[Any]:
        return _LoopQueue(maxsize)

    def start(self, target: Callable[[], None], name: str) -> _Task:
        import asyncio

        return _Task(asyncio.ensure_future(run(target)), name)

    def sleep(self, seconds: float) -> None:
        import asyncio

        await_only(asyncio.sleep(seconds))

    def blocking(self, function: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
        """Run `function` in a worker thread; wait for it without blocking the loop.

        A cancellation meanwhile waits for the thread's work to end first (a journal
        write is not left half-known), then goes on as the interrupt it is.
        """
        import asyncio

        return await_shielded(asyncio.to_thread(function, *args, **kwargs))

    def offload(self, target: T) -> T:
        return _Offloaded(target, self)  # type: ignore[return-value]

    def __repr__(self) -> str:
        return "LoopRuntime()"


class _LoopLock:
    def __init__(self) -> None:
        import asyncio

        self._lock = asyncio.Lock()

    def __enter__(self) -> _LoopLock:
        await_only(self._lock.acquire())
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._lock.release()


class _LoopRLock:
    """A re-entrant `_LoopLock`: owned by the greenlet that took it (each task runs its
    part of the implementation in a greenlet of its own, all on the loop's thread)."""

    def __init__(self) -> None:
        import asyncio

        self._lock = asyncio.Lock()
        self._owner: object = None
        self._depth = 0

    def __enter__(self) -> _LoopRLock:
        me = _greenlet().getcurrent()
        if self._owner is me:
            self._depth += 1
            return self
        await_only(self._lock.acquire())
        self._owner, self._depth = me, 1
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._depth -= 1
        if not self._depth:
            self._owner = None
            self._lock.release()


class _LoopCondition:
    def __init__(self) -> None:
        import asyncio

        self._condition = asyncio.Condition()

    def __enter__(self) -> _LoopCondition:
        await_only(self._condition.acquire())
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._condition.release()

    def wait(self, timeout: float) -> bool:

        try:
            await_only(_within(timeout, self._condition.wait()))
        except TimeoutError:
            return False
        return True

    def notify_all(self) -> None:
        self._condition.notify_all()


class _LoopQueue(Generic[T]):
    def __init__(self, maxsize: int) -> None:
        import asyncio

        self._queue: asyncio.Queue[T] = asyncio.Queue(maxsize)

    def put(self, item: T, *, timeout: float | None = None) -> None:
        import asyncio
        import queue

        if not self._queue.full():
            self._queue.put_nowait(item)
            # An asyncio queue with room does not suspend: give the loop a turn anyway, or
            # the feeding greenlet could fill the whole queue without letting others run.
            await_only(asyncio.sleep(0))
            return
        if timeout is None:
            await_only(self._queue.put(item))
            return
        try:
            await_only(_within(timeout, self._queue.put(item)))
        except TimeoutError:
            raise queue.Full from None

    def get(self) -> T:
        import asyncio

        if self._queue.empty():
            return await_only(self._queue.get())
        item = self._queue.get_nowait()
        # As in `put`: a worker that always finds work would otherwise never let go.
        await_only(asyncio.sleep(0))
        return item


class _Task:
    def __init__(self, task: Any, name: str) -> None:
        self._task = task
        self.name = name

    def join(self) -> None:
        import asyncio

        # Shielded: an interrupt of the joiner does not cancel the worker (its call in
        # flight finishes and is journaled); the joiner decides what to do next.
        await_only(asyncio.shield(self._task))


class _Offloaded:
    """Any object whose methods do blocking I/O (a journal store), each call of them
    run by `LoopRuntime.blocking`; its plain attributes read as they are."""

    def __init__(self, target: object, runtime: LoopRuntime) -> None:
        self._target = target
        self._runtime = runtime

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._target, name)
        if not callable(value):
            return value
        runtime = self._runtime

        def offloaded(*args: Any, **kwargs: Any) -> Any:
            return runtime.blocking(value, *args, **kwargs)

        return offloaded

    def __repr__(self) -> str:
        return repr(self._target)
