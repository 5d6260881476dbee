"""A virtual monotonic clock, so tests that wait never sleep for real."""

from __future__ import annotations

import math
import threading

__all__ = ["FakeClock"]


class FakeClock:
    """A monotonic clock that only moves when told to.

    Pass `clock` as the clock and `clock.sleep` as the sleep function wherever sesflow waits:
    sleeping advances the clock at once and is recorded in `sleeps`, so a test of a waiter
    or a rate limiter runs in microseconds and can assert exactly how long it would have waited.
    The same clock can drive `FakeSES` timed transitions.

    Examples:
        >>> clock = FakeClock()
        >>> fake = FakeSES(clock=clock)
        >>> ses = SES(client=fake.client())  # waits on the fake's clock
        >>> fake.transition("alice@example.com", "SUCCESS", after_polls=2)
        >>> ses.identity("alice@example.com").create().wait_until_verified(poll_interval=5.0)
        Identity('alice@example.com', verification_status=SUCCESS)
        >>> clock(), clock.sleeps
        (15.0, [5.0, 10.0])

    Args:
        start: The reading before any time passes, in seconds.

    Thread-safe: several threads may sleep on the same clock; each sleep adds its own duration.
    """

    def __init__(self, start: float = 0.0) -> None:
        self._now = _checked(start, "start", allow_negative=True)
        self._sleeps: list[float] = []
        self._lock = threading.Lock()

    def __call__(self) -> float:
        """Return the current reading in seconds.

        Examples:
            >>> FakeClock(start=10.0)()
            10.0
        """
        with self._lock:
            return self._now

    @property
    def now(self) -> float:
        """The current reading in seconds (the same as calling the clock).

        Examples:
            >>> clock = FakeClock()
            >>> clock.advance(3)
            >>> clock.now
            3.0
        """
        return self()

    @property
    def sleeps(self) -> list[float]:
        """Every duration passed to `sleep()`, oldest first (a copy).

        Examples:
            >>> clock.sleep(1.0)
            >>> clock.sleep(2.0)
            >>> clock.sleeps
            [1.0, 2.0]
        """
        with self._lock:
            return list(self._sleeps)

    @property
    def slept(self) -> float:
        """The total of every `sleep()` so far, in seconds.

        Examples:
            >>> clock.sleep(1.0)
            >>> clock.sleep(0.5)
            >>> clock.slept
            1.5
        """
        with self._lock:
            return math.fsum(self._sleeps)

    def sleep(self, seconds: float) -> None:
        """Advance the clock by `seconds` at once and record the sleep.

        Examples:
            >>> clock.sleep(5)
            >>> clock(), clock
            (5.0, FakeClock(now=5.0, sleeps=1))
            >>> clock.sleep(-1)
            Traceback (most recent call last):
            ValueError: sleep length must not be negative, got -1

        Raises:
            ValueError: `seconds` is negative or not a finite number (as `time.sleep()`
                rejects a negative duration).
        """
        seconds = _checked(seconds, "sleep length")
        with self._lock:
            self._sleeps.append(seconds)
            self._now += seconds

    def advance(self, seconds: float) -> None:
        """Move the clock forward without recording a sleep (time passing elsewhere).

        Examples:
            >>> _ = client.create_email_identity(EmailIdentity="example.com")
            >>> fake.transition("example.com", "SUCCESS", after_seconds=60)
            >>> clock.advance(60)
            >>> fake.identity_state("example.com").verification_status, clock.sleeps
            ('SUCCESS', [])

        Raises:
            ValueError: `seconds` is negative or not finite: a monotonic clock never goes back.
        """
        seconds = _checked(seconds, "advance")
        with self._lock:
            self._now += seconds

    def __repr__(self) -> str:
        with self._lock:
            return f"FakeClock(now={self._now!r}, sleeps={len(self._sleeps)})"


def _checked(value: float, what: str, *, allow_negative: bool = False) -> float:
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"{what} must be a finite number of seconds, got {value!r}")
    if number < 0 and not allow_negative:
        raise ValueError(f"{what} must not be negative, got {value!r}")
    return number
