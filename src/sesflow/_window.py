"""How many bulk calls to keep in flight: sized from the measured latency and the rate.

As TCP sizes its window from the bandwidth and the round-trip time, the bulk sender
keeps in flight what the pace needs and no more: more threads than needed only add
switching, since one thread runs Python at a time. Each finished call reports the wall
time it took; the smallest among recent calls is the round trip (as BBR takes the
minimum RTT: queueing behind other threads or at a busy server must not count as
latency). The window is reconsidered once per round (as many finished calls as the
window, at least 2, over at least `ROUND_SECONDS`: a round of two calls a few
milliseconds long is mostly noise), from the rate of calls delivered in that round:

- the round delivered the rate (90 % of it or more: the limiter's headroom keeps the
  pace at 98 %): the rate is the bottleneck, so size for it by Little's law, `calls per
  second x the mean time a call takes`, with a quarter more for jitter and one call of
  slack (1,000/s at 20 ms: 2 calls; 2,000/s at 200 ms: 11). Calls waiting for their
  turn at the limiter are no sign of it: at 100,000/s two calls that start together
  wait a fraction of a millisecond whatever the window;
- the rate is not reached and the last growth delivered at least half of its
  proportional gain (four times the calls in flight, at least 2.5 times the calls
  delivered), or this is the first round: grow the window fourfold (as TCP's slow
  start), never past what the rate needs (the bulk sender starts the threads a growth
  needs at once, so the next round measures the new window);
- the last growth delivered less than that: the client or the server is the
  bottleneck, not latency, so go back to the window that delivered the most, hold it
  for a while (`HOLD` rounds), then probe once more; each probe that does not help
  doubles the hold (up to `MAX_HOLD`), since every probe costs threads and switching,
  and a run that is CPU-bound stays so. If the window it goes back to is itself a
  growth, the window it grew from is tried first, for one round, and kept if it delivers
  90 % as much (`KEEP_SMALLER`): a growth kept on a noisy round (the first one warms up
  connections) is undone, rather than paid for in threads for the rest of the run.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable

__all__ = ["CallWindow"]


class CallWindow:
    """The number of calls to keep in flight, learnt from finished calls. Thread-safe.

    Args:
        rate: recipients per second allowed.
        batch: recipients per call.
        maximum: the most calls in flight, whatever the measurements say.
        initial: the window before any round has finished.
        clock: seconds, for the delivered rate (`time.perf_counter`).

    Examples:
        >>> now = [0.0]
        >>> window = CallWindow(rate=1000, batch=50, maximum=64, clock=lambda: now[0])
        >>> for _ in range(40):   # 20 calls/s asked and delivered, 20 ms calls
        ...     now[0] += 0.05
        ...     _ = window.observe(wall=0.020)
        >>> window.size
        2
    """

    #: Calls over which the smallest round trip is taken.
    HISTORY = 64
    #: The shortest round: a round of two calls a few milliseconds long is mostly noise.
    ROUND_SECONDS = 0.02
    #: Rounds to hold the best window after a probe that did not help; doubled after
    #: each further probe that did not help, up to `MAX_HOLD`.
    HOLD = 128
    MAX_HOLD = 4096
    #: A delivered rate this close to the asked one counts as reaching it.
    REACHED = 0.9
    #: The share of a larger window's proportional gain that it must deliver to be kept:
    #: where latency is the bottleneck, four times the calls in flight deliver about four
    #: times as much; where the client or the server is, far less (overlapping the
    #: client's work with SQLite's or SES's gives a little), and those threads cost CPU.
    GAIN_SHARE = 0.5
    #: The share of the best delivered rate that a smaller window must deliver to be kept.
    KEEP_SMALLER = 0.9

    def __init__(
        self,
        *,
        rate: float,
        batch: int,
        maximum: int,
        initial: int = 2,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        self.calls_per_second = rate / max(1, batch)
        self.maximum = max(1, maximum)
        self._clock = clock
        # Never more to start with than one second of calls at the rate.
        self._size = max(1, min(initial, self.maximum, math.ceil(self.calls_per_second)))
        self._initial = self._size
        self._shrinking: tuple[float, int] | None = None  # (delivered, window) while trying less
        self._walls: deque[float] = deque(maxlen=self.HISTORY)
        self._round_start: float | None = None
        self._round_calls = 0
        self._best: tuple[float, int] | None = None  # (delivered rate, window)
        self._expected = 1.0  # what the last growth must deliver, as a multiple of the best
        self._hold = 0
        self._next_hold = self.HOLD
        self._lock = threading.Lock()

    @property
    def size(self) -> int:
        """Calls to keep in flight now."""
        return self._size

    def observe(self, *, wall: float) -> int:
        """Take one finished call's wall time; return the window."""
        with self._lock:
            now = self._clock()
            self._walls.append(max(0.0, wall))
            if self._round_start is None:
                self._round_start = now
                return self._size
            self._round_calls += 1
            elapsed, calls = now - self._round_start, self._round_calls
            if calls < max(2, self._size) or elapsed < self.ROUND_SECONDS:
                return self._size
            self._round_start, self._round_calls = now, 0
            delivered = calls / elapsed if elapsed > 0 else float("inf")
            rate_bound = delivered >= self.REACHED * self.calls_per_second
            self._size = self._next(delivered, rate_bound)
            return self._size

    def _next(self, delivered: float, rate_bound: bool) -> int:
        if rate_bound:
            # Little's law needs the mean time in flight (jitter included), not the least.
            self._best, self._hold, self._next_hold = None, 0, self.HOLD
            self._shrinking = None
            mean = sum(self._walls) / len(self._walls)
            return window_size(self.calls_per_second, round_trip=mean, maximum=self.maximum)
        needed = window_size(
            self.calls_per_second, round_trip=min(self._walls), maximum=self.maximum
        )
        shrinking = self._shrinking
        if shrinking is not None:
            # The smaller window keeps it if it delivers nearly as much, for fewer threads.
            self._shrinking = None
            return self._settle(
                self._size if delivered >= shrinking[0] * self.KEEP_SMALLER else shrinking[1]
            )
        if self._hold > 0:
            self._hold -= 1
            return self._size
        best = self._best
        if best is None or delivered > best[0] * self._expected:
            # More in flight delivered more (or this is the first look): keep growing.
            if best is not None:
                self._next_hold = self.HOLD  # the growth helped: probing pays here
            if best is None or delivered > best[0]:
                self._best = (delivered, self._size)
            grown = max(1, min(needed, self._size * 4))
            self._expected = 1 + (grown / self._size - 1) * self.GAIN_SHARE
            return grown
        # A larger window delivered no more: the client or the server is the bottleneck.
        # Go back to the window that delivered the most, and hold it — unless that one is
        # itself a growth: then first try the window it grew from (one round), since a
        # growth can be kept on a noisy or warming-up round and nothing else shrinks it.
        self._best = None  # probe afresh after the hold
        if best[1] > self._initial:
            self._shrinking = best
            return max(self._initial, best[1] // 4)
        return self._settle(best[1])

    def _settle(self, size: int) -> int:
        self._hold = self._next_hold
        self._next_hold = min(self.MAX_HOLD, self._next_hold * 2)
        return size

    def __repr__(self) -> str:
        return f"CallWindow(size={self._size}, maximum={self.maximum})"


def window_size(calls_per_second: float, *, round_trip: float, maximum: int) -> int:
    """Calls in flight for `calls_per_second` with calls of `round_trip` seconds (Little's
    law), a quarter more for jitter and one call of slack; between 1 and `maximum`.

    Examples:
        >>> window_size(40, round_trip=0.2, maximum=64)   # 2,000/s at 200 ms
        11
        >>> window_size(20, round_trip=0.02, maximum=64)  # 1,000/s at 20 ms
        2
    """
    needed = calls_per_second * max(0.0, round_trip) * 1.25
    return max(1, min(maximum, math.ceil(needed - 1e-9) + 1))
