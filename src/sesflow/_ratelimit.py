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

`Limiter` is the protocol every send takes its recipients from (one per `SES` object);
`RateLimiter` is its in-process implementation, and `sesflow.redis.RedisLimiter` shares
one across processes and machines.
"""

from __future__ import annotations

import inspect
import math
import threading
from collections import deque
from collections.abc import Callable
from typing import Protocol, overload, runtime_checkable

from ._errors import ValidationError
from ._runtime import THREADS, Runtime
from ._validate import validate_max_rate

__all__ = [
    "MAX_BATCH",
    "Limiter",
    "Pace",
    "RateLimiter",
    "Unpaced",
    "batch_size",
    "capacity_of",
    "is_limiter",
]


@runtime_checkable
class Limiter(Protocol):
    """What every send takes its recipients from: one limiter per `SES` object.

    `SES(limiter=...)` takes any object with these four members; by default each `SES`
    makes an in-process one at the account's `MaxSendRate` (read once, on the first
    send), and `sesflow.redis.RedisLimiter` shares one between processes and machines.
    sesflow calls them like this, from any number of threads at once:

    - before each call that sends, `acquire(n)` with `n` the recipients SES will count
      (To + Cc + Bcc of a message; the entries of a `SendBulkEmail` call, at most 50 and
      never more than `rate` allows in one second). It blocks until those recipients may
      go and counts them as sent *now*: the call follows at once. A bulk run passes
      `cancel`, checked while waiting; once it returns true, `acquire` gives up and
      returns False, counting nothing (a stopped run makes no further call). If the
      limiter cannot tell (its server is down), `acquire` raises
      `LimiterUnavailableError`: nothing is sent unthrottled.
    - after SES throttled a call (HTTP 429, or `ACCOUNT_THROTTLED` entries),
      `throttled()`; after a call that went through, `succeeded()`. A limiter slows down
      on the first and recovers on the second, or ignores both.
    - `rate`: recipients per second at full pace; a bulk run sizes its batches and the
      calls it keeps in flight from it.

    Examples:
        A limiter of your own: one global lock and a fixed pace (no throttle feedback).

        >>> import threading, time
        >>> class Spaced:
        ...     rate = 10.0
        ...     def __init__(self):
        ...         self._lock, self._next = threading.Lock(), 0.0
        ...     def acquire(self, count, *, cancel=None):
        ...         with self._lock:
        ...             now = clock()
        ...             clock.sleep(max(0.0, self._next - now))
        ...             self._next = max(now, self._next) + count / self.rate
        ...         return True
        ...     def throttled(self): pass
        ...     def succeeded(self): pass
        >>> isinstance(Spaced(), Limiter)
        True
        >>> ses = SES(client=fake.client(), limiter=Spaced())
        >>> ses.sender("news@example.com").send(["ann@example.com", "bob@example.com"],
        ...                                     "Hi", text="Hello")
        SendResult(message_id='...')
    """

    @property
    def rate(self) -> float:
        """Recipients per second at full pace."""
        ...

    def acquire(self, count: int, *, cancel: Callable[[], bool] | None = None) -> bool:
        """Block until `count` recipients may be sent and count them; False if `cancel()`
        turned true first (nothing counted)."""
        ...

    def throttled(self) -> None:
        """SES throttled a call: slow down."""
        ...

    def succeeded(self) -> None:
        """A call went through: recover towards full pace."""
        ...


class Unpaced:
    """A limiter that lets everything go at once: for an endpoint that cannot tell the
    account's rate because it is not SES (moto implements no `GetAccount`).

    Examples:
        >>> limiter = Unpaced()
        >>> limiter.acquire(50), limiter.rate
        (True, inf)
    """

    rate = math.inf

    def acquire(self, count: int, *, cancel: Callable[[], bool] | None = None) -> bool:
        return True

    def throttled(self) -> None:
        pass

    def succeeded(self) -> None:
        pass


def is_limiter(value: object) -> bool:
    """Whether `value` has the `Limiter` members, looked up without running them.

    (`isinstance(value, Limiter)` reads the `rate` property on Python 3.11, which may call
    AWS or fail before the limiter is given to an `SES`.)
    """
    missing = object()
    return all(
        inspect.getattr_static(value, name, missing) is not missing
        for name in ("rate", "acquire", "throttled", "succeeded")
    )


def capacity_of(limiter: Limiter) -> int:
    """Recipients one call may carry now: the limiter's current `capacity` where it has
    one (sesflow's own slow down after throttles), else what `rate` allows in a second."""
    capacity = getattr(limiter, "capacity", None)
    if isinstance(capacity, int) and not isinstance(capacity, bool) and capacity >= 1:
        return capacity
    return max(1, math.floor(limiter.rate + 1e-9))


#: SendBulkEmail entries per call (the documented limit for bulk templated sends).
MAX_BATCH = 50


def batch_size(capacity: int) -> int:
    """Entries per call: at most 50, never more than a window holds, and sized so whole
    batches fill the window (51/s sends 2 x 25, not 50 + 1 left over)."""
    calls = -(-capacity // MAX_BATCH)
    return max(1, capacity // calls)


class RateLimiter:
    """A sliding-window limiter of recipients per second, safe to share between threads:
    the in-process `Limiter`.

    Args:
        rate: recipients per second (SES's `MaxSendRate`).
        headroom: fraction of a second added to the window (0.02: 1.02 s windows).
        clock: monotonic seconds.
        sleep: how to wait.

    Examples:
        >>> limiter = RateLimiter(14, clock=clock, sleep=clock.sleep)
        >>> limiter.grant(7)    # at once
        0.0
        >>> limiter.grant(7)    # half a window later
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
        runtime: Runtime = THREADS,
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
        self._turn = runtime.lock()  # held while sleeping: a task's lock on an event loop

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
        """Seconds to wait before `count` recipients may go at `now` (0: go now).

        A batch cut before a slow-down may exceed the slowed capacity; it still never
        passes the full rate. One message with more recipients than the full rate allows
        in a window (a 3-recipient message at 1/s) cannot be split: it goes alone, into
        an empty window.
        """
        if count < 1:
            raise ValueError(f"a batch of {count} recipients")
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
    def grant(self, count: int, *, inner: Callable[[], bool] | None = None) -> float: ...
    @overload
    def grant(
        self,
        count: int,
        *,
        cancel: Callable[[], bool],
        inner: Callable[[], bool] | None = None,
    ) -> float | None: ...

    def grant(
        self,
        count: int,
        *,
        cancel: Callable[[], bool] | None = None,
        inner: Callable[[], bool] | None = None,
    ) -> float | None:
        """Wait until `count` recipients may be sent, record them, return the send time.

        Callers take turns, so send starts are spaced in the order they asked. The state
        lock is released while waiting and the wait is worked out again after it, so a
        throttle reported meanwhile (`throttled()`) applies to this send too. With
        `cancel`, the wait is checked every `CANCEL_POLL` seconds at most and gives up
        (returns None, recording nothing) once `cancel()` is true: a stopped run makes
        no call that was only waiting for its turn.

        `inner`: another limiter's acquire, called once this one would let the send go,
        still in this one's turn; the send is recorded here only when `inner` granted it
        (returned True), at the time it did. So a campaign's cap and the account's
        shared limiter compose: neither counts a send the other is still holding back
        (which would let the real sends bunch past its rate), and neither holds budget
        while the other waits.
        """
        with self._turn:
            while True:
                if cancel is not None and cancel():
                    return None
                with self._lock:
                    now = self._clock()
                    wait = self.delay(count, now)
                    if wait <= 0 and inner is None:
                        self.record(count, now)
                        return now
                if wait <= 0:
                    break
                self._sleep(wait if cancel is None else min(wait, self.CANCEL_POLL))
            # Still our turn: nobody else records here meanwhile, so the window only
            # frees up while `inner` waits.
            assert inner is not None
            if not inner():
                return None
            with self._lock:
                now = self._clock()
                self.record(count, now)
                return now

    def acquire(self, count: int, *, cancel: Callable[[], bool] | None = None) -> bool:
        """`Limiter.acquire`: wait until `count` recipients may be sent and record them.

        Examples:
            >>> limiter = RateLimiter(14, clock=clock, sleep=clock.sleep)
            >>> limiter.acquire(14), clock()
            (True, 0.0)
            >>> limiter.acquire(1), clock()  # the next window
            (True, 1.02)
        """
        if cancel is None:
            self.grant(count)
            return True
        return self.grant(count, cancel=cancel) is not None

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


class Pace:
    """What one bulk run takes its recipients from: the `SES`'s limiter, shared with every
    other send, under the run's own cap (`send_bulk(max_rate=...)`) when it has one.

    The cap goes first and hands over to the shared limiter in its turn (see
    `RateLimiter.grant`). A throttle is reported to both: the account's pace slows for
    everyone, and the campaign's own cap (when that is what limits it) slows at once.
    """

    def __init__(self, shared: Limiter, cap: RateLimiter | None = None) -> None:
        self.shared = shared
        self.cap = cap

    @property
    def rate(self) -> float:
        rate = self.shared.rate
        return rate if self.cap is None else min(rate, self.cap.rate)

    @property
    def capacity(self) -> int:
        capacity = capacity_of(self.shared)
        return capacity if self.cap is None else min(capacity, self.cap.capacity)

    def acquire(self, count: int, *, cancel: Callable[[], bool]) -> bool:
        if self.cap is None:
            return self.shared.acquire(count, cancel=cancel)
        shared = self.shared
        granted = self.cap.grant(
            count, cancel=cancel, inner=lambda: shared.acquire(count, cancel=cancel)
        )
        return granted is not None

    def throttled(self) -> None:
        self.shared.throttled()
        if self.cap is not None:
            self.cap.throttled()

    def succeeded(self) -> None:
        self.shared.succeeded()
        if self.cap is not None:
            self.cap.succeeded()

    def __repr__(self) -> str:
        return f"Pace(shared={self.shared!r}, cap={self.cap!r})"
