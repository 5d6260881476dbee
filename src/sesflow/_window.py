"""How many bulk calls to keep in flight: sized from the measured latency and the rate.

As TCP sizes its window from the bandwidth and the round-trip time, the bulk sender
keeps in flight what the pace needs and no more (Little's law: calls in flight =
calls per second x seconds per call). Each finished call reports the wall time it took
and the CPU time its thread spent on it, from which:

- `cpu`: the client's CPU seconds per call (a running average);
- `wait`: the seconds a call waits off the CPU for the network and SES — the *smallest*
  `wall - cpu` among recent calls, as BBR takes the minimum round-trip time: with several
  threads a call also waits for its turn at the interpreter (one thread runs Python at a
  time), and that queueing must not make the window grow, or more threads would mean
  more waiting and a larger window again;
- calls per second needed: the rate's, `rate / batch`, but never more than the client
  can do, `1 / cpu` (when the client is the bottleneck, extra threads only add
  switching).

The window is `pace x (cpu + wait)`, with a quarter more for jitter and one call of
slack when the rate (not the client) sets the pace, between 1 and the maximum. With
20 ms calls at 1,000 recipients/s that is 2 calls; with 200 ms calls at 2,000/s, 11;
with no latency and no rate limit, about 2 (the client's work and SES's overlap).
A worker leaves the pool only after the window has been smaller than the pool for a
while (`retire_below`), so the pool does not churn.
"""

from __future__ import annotations

import math
import threading
from collections import deque

__all__ = ["CallWindow"]


class CallWindow:
    """The number of calls to keep in flight, learnt from finished calls. Thread-safe.

    Args:
        rate: recipients per second allowed.
        batch: recipients per call.
        maximum: the most calls in flight, whatever the measurements say.
        initial: the window before any call has finished.

    Examples:
        >>> window = CallWindow(rate=1000, batch=50, maximum=64)
        >>> for _ in range(20):
        ...     _ = window.observe(wall=0.020, cpu=0.002)
        >>> window.size
        2
    """

    #: Weight of the newest measurement in the running average of the CPU per call.
    SMOOTHING = 0.2
    #: Calls over which the smallest off-CPU wait is taken, and over which the window
    #: must stay below the pool before a worker retires.
    HISTORY = 32

    def __init__(self, *, rate: float, batch: int, maximum: int, initial: int = 2) -> None:
        self.calls_per_second = rate / max(1, batch)
        self.maximum = max(1, maximum)
        self._size = max(1, min(initial, self.maximum))
        self._cpu: float | None = None
        self._waits: deque[float] = deque(maxlen=self.HISTORY)
        self._sizes: deque[int] = deque(maxlen=self.HISTORY)
        self._lock = threading.Lock()

    @property
    def size(self) -> int:
        """Calls to keep in flight now."""
        return self._size

    def retire_below(self) -> int:
        """A pool larger than this should shrink: the largest window of recent calls."""
        with self._lock:
            return max(self._sizes, default=self._size)

    def observe(self, *, wall: float, cpu: float) -> int:
        """Take one finished call's wall and CPU seconds; return the new window."""
        with self._lock:
            cpu = max(0.0, cpu)
            self._cpu = cpu if self._cpu is None else self._cpu + self.SMOOTHING * (cpu - self._cpu)
            self._waits.append(max(0.0, wall - cpu))
            self._size = window_size(
                self.calls_per_second,
                cpu=self._cpu,
                wait=min(self._waits),
                maximum=self.maximum,
            )
            self._sizes.append(self._size)
            return self._size

    def __repr__(self) -> str:
        return f"CallWindow(size={self._size}, maximum={self.maximum})"


def window_size(calls_per_second: float, *, cpu: float, wait: float, maximum: int) -> int:
    """The window for a pace of `calls_per_second` and calls that take `cpu` seconds of
    the client's CPU and `wait` seconds off it; between 1 and `maximum`.

    Examples:
        >>> window_size(40, cpu=0.003, wait=0.197, maximum=64)   # 2,000/s at 200 ms
        11
        >>> window_size(2000, cpu=0.0015, wait=0.0013, maximum=64)  # no limit, no latency
        2
    """
    cpu = max(cpu, 1e-6)
    client_bound = 1.0 / cpu < calls_per_second
    if client_bound:
        # The client sets the pace: overlap its work with SES's, no more.
        needed = (cpu + wait) / cpu
        size = math.ceil(needed - 1e-9)
    else:
        needed = calls_per_second * (cpu + wait) * 1.25
        size = math.ceil(needed - 1e-9) + 1
    return max(1, min(maximum, size))
