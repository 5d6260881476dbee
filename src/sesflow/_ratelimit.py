"""Pacing by recipients per second, the way SES counts them.

SES refuses a send that would put more than `MaxSendRate` recipients into one second.
The limiter keeps a log of recent sends and lets a batch go only when no sliding window
of `window` seconds would then hold more than `capacity` recipients. The window is a
little longer than one second (2 % by default): SES counts arrivals, and network jitter
bunches them, so the headroom absorbs a few milliseconds of it.

Within the window, sends are also spread evenly — a batch of `n` is followed by a gap
of `n / capacity` windows before the next may start — so a second's budget is not spent
in one burst at its start (which network jitter would then push into the next second).

After a throttle the limiter slows down (multiplicatively) and then recovers gradually
with each successful call, so a rate that SES enforces below the advertised one is found
instead of hammered.
"""

from __future__ import annotations

import math
import threading
from collections import deque
from collections.abc import Callable
from typing import overload

from ._errors import ValidationError
from ._validate import validate_max_rate

__all__ = ["MAX_BATCH", "RateLimiter", "batch_size"]

#: SendBulkEmail entries per call (the documented limit for bulk templated sends).
MAX_BATCH = 50


def batch_size(capacity: int) -> int:
    """Entries per call: at most 50, never more than a window holds, and sized so whole
    batches fill the window (51/s sends 2 x 25, not 50 + 1 left over)."""
    calls = -(-capacity // MAX_BATCH)
    return max(1, capacity // calls)


class RateLimiter:
    """A sliding-window limiter of recipients per second, safe to share between threads.

    Args:
        rate: recipients per second (SES's `MaxSendRate`).
        headroom: fraction of a second added to the window (0.02: 1.02 s windows).
        clock: monotonic seconds.
        sleep: how to wait.

    Examples:
        >>> limiter = RateLimiter(14, clock=clock, sleep=clock.sleep)
        >>> limiter.acquire(7)    # at once
        0.0
        >>> limiter.acquire(7)    # half a window later
        0.51
    """

    #: Slowest pace after throttles, as a fraction of `rate`.
    MIN_FACTOR = 0.25
    #: Lateness of a send (seconds) that the even spacing catches up on: sleep overshoot.
    CATCH_UP = 0.005

    def __init__(
        self,
        rate: float,
        *,
        headroom: float = 0.02,
        clock: Callable[[], float],
        sleep: Callable[[float], None],
    ) -> None:
        rate = validate_max_rate(rate)
        if not 0 <= headroom < 1:
            raise ValidationError(
                f"headroom: must be in [0, 1), got {headroom!r}", field="headroom"
            )
        self.rate = rate
        self.headroom = headroom
        self._clock = clock
        self._sleep = sleep
        self._factor = 1.0
        self._log: deque[tuple[float, int]] = deque()
        self._in_window = 0
        self._earliest = float("-inf")  # when the next send may start, by even spacing
        # `_lock` guards the state and is never held while sleeping, so a throttle
        # reported by one thread takes effect for the others at once. `_turn` orders the
        # acquirers (first come, first served); the one whose turn it is sleeps with it.
        self._lock = threading.Lock()
        self._turn = threading.Lock()

    @property
    def capacity(self) -> int:
        """Recipients allowed in one window at the current pace (at least 1).

        Examples:
            >>> RateLimiter(14.5, clock=clock, sleep=clock.sleep).capacity
            14
        """
        return max(1, math.floor(self.rate * self._factor + 1e-9))

    @property
    def window(self) -> float:
        """The window length in seconds: one second plus the headroom.

        Examples:
            >>> RateLimiter(10, clock=clock, sleep=clock.sleep).window
            1.02
        """
        return 1.0 + self.headroom

    @property
    def factor(self) -> float:
        """The current pace as a fraction of `rate` (below 1 after throttles)."""
        return self._factor

    def _expire(self, now: float) -> None:
        # A nanosecond of slack: sums of float seconds drift, and a wait of 1e-16 s
        # would not move a clock that is a large float.
        horizon = now - self.window + 1e-9
        while self._log and self._log[0][0] <= horizon:
            self._in_window -= self._log.popleft()[1]

    @property
    def full_capacity(self) -> int:
        """Recipients allowed in one window at full pace: `floor(rate)`, at least 1."""
        return max(1, math.floor(self.rate + 1e-9))

    def delay(self, count: int, now: float) -> float:
        """Seconds to wait before `count` recipients may go at `now` (0: go now)."""
        if count > self.full_capacity:
            raise ValueError(f"a batch of {count} is larger than the window ({self.full_capacity})")
        # A batch cut before a slow-down may exceed the slowed capacity; it still never
        # passes the full rate.
        capacity = max(self.capacity, count)
        self._expire(now)
        spacing = max(0.0, self._earliest - now)
        if spacing <= 1e-9:
            spacing = 0.0
        excess = self._in_window + count - capacity
        if excess <= 0:
            return spacing
        # Find when enough old entries will have left the window.
        freed = 0
        for stamp, size in self._log:
            freed += size
            if freed >= excess:
                return max(spacing, stamp + self.window - now)
        return self.window  # unreachable while count <= capacity

    def record(self, count: int, now: float) -> None:
        """Note that `count` recipients were sent at `now`."""
        self._log.append((now, count))
        self._in_window += count
        spacing = count * self.window / self.capacity
        # Keep the schedule: a send that starts a little late because a sleep overshot
        # (a fraction of a millisecond, more on a busy machine) does not push every later
        # one back, which over thousands of calls would lose a few % of the rate. Only
        # that much is caught up: a send held back longer (by the window, or after an
        # idle spell) starts the schedule again from now. The sliding window above still
        # caps every second.
        late = now - self._earliest
        base = self._earliest if 0 < late <= min(self.CATCH_UP, spacing / 2) else now
        self._earliest = base + spacing

    #: Longest single sleep while a `cancel` check is given, so a stop is seen quickly.
    CANCEL_POLL = 0.1

    @overload
    def acquire(self, count: int) -> float: ...
    @overload
    def acquire(self, count: int, *, cancel: Callable[[], bool]) -> float | None: ...

    def acquire(self, count: int, *, cancel: Callable[[], bool] | None = None) -> float | None:
        """Wait until `count` recipients may be sent, record them, return the send time.

        Callers take turns, so send starts are spaced in the order they asked. The state
        lock is released while waiting and the wait is worked out again after it, so a
        throttle reported meanwhile (`throttled()`) applies to this send too. With
        `cancel`, the wait is checked every `CANCEL_POLL` seconds at most and gives up
        (returns None, recording nothing) once `cancel()` is true: a stopped run makes
        no call that was only waiting for its turn.
        """
        with self._turn:
            while True:
                if cancel is not None and cancel():
                    return None
                with self._lock:
                    now = self._clock()
                    wait = self.delay(count, now)
                    if wait <= 0:
                        self.record(count, now)
                        return now
                self._sleep(wait if cancel is None else min(wait, self.CANCEL_POLL))

    def throttled(self) -> None:
        """SES throttled us: slow down to 80 % of the current pace (not below 25 %)."""
        with self._lock:
            self._factor = max(self.MIN_FACTOR, self._factor * 0.8)

    def succeeded(self) -> None:
        """A call went through: recover 5 % of the rate towards full pace."""
        if self._factor < 1.0:
            with self._lock:
                self._factor = min(1.0, self._factor + 0.05)

    def __repr__(self) -> str:
        return (
            f"RateLimiter(rate={self.rate:g}, window={self.window:g}, "
            f"capacity={self.capacity}, factor={self._factor:.2f})"
        )
