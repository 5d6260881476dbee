"""How sesflow's one implementation waits and runs things side by side.

The bulk engine, the limiter, the `SES` root and the PostgreSQL journal need a few
primitives that block: locks held across a call or a sleep (re-entrant ones too), a
bounded work queue, worker start and join, a condition to wait on, a sleep in real time,
and blocking file or database work. `THREADS` gives them with threads (the
sync API); `sesflow._bridge.LoopRuntime` gives the same with asyncio tasks on one event
loop (`sesflow.aio`). The logic above is the same for both: only what it waits with
differs.

Locks held only for a few statements, never across a wait, stay `threading.Lock`
everywhere: on one event loop thread nothing can switch inside them.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from types import TracebackType
from typing import Any, Protocol, TypeVar

__all__ = ["THREADS", "Runtime", "Worker", "WorkQueue", "WaitLock"]

T = TypeVar("T")


class WaitLock(Protocol):
    """A lock that may be held across a wait (a call, a sleep)."""

    def __enter__(self) -> object: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
        /,
    ) -> object: ...


class Waitable(Protocol):
    """A condition: `with cond:`, then `cond.wait(timeout)` or `cond.notify_all()`."""

    def __enter__(self) -> object: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
        /,
    ) -> object: ...

    def wait(self, timeout: float) -> object: ...

    def notify_all(self) -> None: ...


class WorkQueue(Protocol[T]):
    """A bounded queue: `put` raises `queue.Full` after `timeout` seconds."""

    def put(self, item: T, *, timeout: float | None = None) -> None: ...

    def get(self) -> T: ...


class Worker(Protocol):
    """A started worker (a thread, or a task)."""

    def join(self) -> None: ...


class Runtime(Protocol):
    """What sesflow waits with."""

    def lock(self) -> WaitLock: ...

    def rlock(self) -> WaitLock:
        """A re-entrant `lock()`: its holder (a thread, or a task's greenlet) may take it
        again. (On an event loop a `threading.RLock` excludes nothing: every task runs on
        the loop's one thread, so each would "own" it.)"""
        ...

    def condition(self) -> Waitable: ...

    def queue(self, maxsize: int) -> WorkQueue[Any]: ...

    def start(self, target: Callable[[], None], name: str) -> Worker: ...

    def sleep(self, seconds: float) -> None:
        """Wait `seconds` in real time (not on an injected clock)."""
        ...

    def blocking(self, function: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
        """Run blocking file or database work (a journal's), off the loop if there is one."""
        ...

    def offload(self, target: T) -> T:
        """`target` (a journal store), with each of its methods run through `blocking`."""
        ...


class _Threads:
    """The sync API's runtime: threads, and the standard library's locks and queues."""

    def lock(self) -> WaitLock:
        return threading.Lock()

    def rlock(self) -> WaitLock:
        return threading.RLock()

    def condition(self) -> Waitable:
        return threading.Condition()

    def queue(self, maxsize: int) -> WorkQueue[Any]:
        return queue.Queue(maxsize)

    def start(self, target: Callable[[], None], name: str) -> Worker:
        thread = threading.Thread(target=target, name=name, daemon=True)
        thread.start()
        return thread

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)

    def blocking(self, function: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
        return function(*args, **kwargs)

    def offload(self, target: T) -> T:
        return target

    def __repr__(self) -> str:
        return "THREADS"


#: The runtime of the sync API.
THREADS: Runtime = _Threads()
