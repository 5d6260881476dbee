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
from typing import Any, TypeVar

from ._errors import MissingExtraError, SesflowError

__all__ = ["AwaitRequiredError", "await_only", "bridged", "resolve", "run"]

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
