"""Polling SES until a check settles, with backoff, on tenacity.

SES v2 has no waiters of its own. These poll `GetEmailIdentity` and:

- return on `SUCCESS`;
- keep waiting on `PENDING`, `NOT_STARTED` and `TEMPORARY_FAILURE` (SES looks again
  by itself; DKIM and MAIL FROM checks can take up to 72 hours);
- fail at once on `FAILED`, with SES's reason;
- wait out throttled or failed polls (SES allows about one management request per
  second) instead of giving up;
- poll no more often than every `poll_interval` seconds, backing off to `max_interval`,
  and never past the deadline.

All waiting goes through the injected `sleep` and `clock`, so tests never sleep.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tenacity import RetryCallState, Retrying, retry_if_exception, retry_if_result

from ._errors import SesflowError, WaiterTimeoutError
from ._validate import validate_seconds

__all__ = ["Backoff", "Poll", "wait_for"]

#: Statuses after which SES is done looking.
_SETTLED = frozenset({"SUCCESS", "FAILED"})


@dataclass(frozen=True, slots=True)
class Poll:
    """What one poll saw: the status of the check and the whole answer."""

    status: str | None
    response: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Backoff:
    """The delays between polls: `poll_interval`, doubling up to `max_interval`.

    Each delay is also cut to the time left before the deadline; when less than
    `poll_interval` is left, the waiter gives up rather than poll early.

    Examples:
        >>> b = Backoff(poll_interval=5, max_interval=60, deadline=1000.0)
        >>> [b.delay(n, now=0.0) for n in (1, 2, 3, 4, 5, 6)]
        [5.0, 10.0, 20.0, 40.0, 60, 60]
    """

    poll_interval: float
    max_interval: float
    deadline: float

    def delay(self, polls: int, *, now: float) -> float | None:
        """The delay before poll number `polls + 1`, or None if it would miss the deadline."""
        growth = self.poll_interval * 2.0 ** min(polls - 1, 62)
        delay = min(max(growth, self.poll_interval), max(self.max_interval, self.poll_interval))
        remaining = self.deadline - now
        if remaining < self.poll_interval or remaining <= 0:
            return None
        return min(delay, remaining)


def wait_for(
    poll: Callable[[], Poll],
    *,
    identity: str,
    check: str,
    timeout: float,
    poll_interval: float,
    max_interval: float,
    sleep: Callable[[float], None],
    clock: Callable[[], float],
    settled: frozenset[str] = _SETTLED,
) -> Poll:
    """Poll until the check's status settles (`SUCCESS` or `FAILED`, or one of `settled`);
    return that poll.

    Raises `WaiterTimeoutError` (with the last status seen) when time runs out; errors
    that are not retryable (e.g. `NotFoundError`) propagate at once.
    """
    timeout = validate_seconds(timeout, field="timeout")
    poll_interval = validate_seconds(poll_interval, field="poll_interval", allow_zero=False)
    max_interval = validate_seconds(max_interval, field="max_interval", allow_zero=False)
    start = clock()
    backoff = Backoff(poll_interval, max_interval, start + timeout)
    last: list[str | None] = [None]

    def attempt() -> Poll:
        result = poll()
        last[0] = result.status
        return result

    def next_delay(state: RetryCallState) -> float | None:
        return backoff.delay(state.attempt_number, now=clock())

    def stop(state: RetryCallState) -> bool:
        return next_delay(state) is None

    def wait(state: RetryCallState) -> float:
        return next_delay(state) or 0.0

    def timed_out(state: RetryCallState) -> Poll:
        elapsed = clock() - start
        cause = state.outcome.exception() if state.outcome else None
        message = (
            f"{check} of {identity} did not finish within {timeout:g} s "
            f"(last status: {last[0] or 'unknown'}; {state.attempt_number} polls)"
        )
        if cause is not None:
            message += f"; the last poll failed: {cause}"
        error = WaiterTimeoutError(
            message,
            identity=identity,
            check=check,
            last_status=last[0],
            elapsed=elapsed,
            polls=state.attempt_number,
        )
        raise error from cause

    retrying = Retrying(
        retry=(
            retry_if_result(lambda p: p.status not in settled)
            | retry_if_exception(lambda e: isinstance(e, SesflowError) and e.retryable)
        ),
        stop=stop,
        wait=wait,
        sleep=sleep,
        retry_error_callback=timed_out,
    )
    return retrying(attempt)
