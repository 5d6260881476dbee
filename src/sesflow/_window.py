"""How many bulk calls to keep in flight: sized from the measured latency and the rate.

As TCP sizes its window from the bandwidth and the round-trip time, the bulk sender
keeps in flight what the pace needs and no more (Little's law: calls in flight =
calls per second x seconds per call). Each finished call reports two times: the wall
time it took and the CPU time its thread spent on it. From their running averages:

- calls per second needed: the rate's, `rate / batch`, but never more than the client
  can do, `1 / cpu` (Python runs one thread at a time, so extra threads only add
  switching when the client itself is the bottleneck);
- seconds per call: the wall time (CPU plus the wait for the network and SES).

The window is that product with a quarter more for jitter, plus one call of slack when
the rate (not the client) sets the pace, between 1 and the maximum. With 20 ms calls at
1,000 recipients/s that is 2 calls; with 200 ms calls at 2,000/s, 11; with no latency
and no rate limit, about as many as hide SES's own processing time.
"""

from __future__ import annotations

import math
import threading

__all__ = ["CallWindow"]


class CallWindow:
    """The number of calls to keep in flight, learnt from finished calls. Thread-safe.

    Args:
        rate: recipients per second allowed.
        batch: recipients per call.
        maximum: the most calls in flight, whatever the measurements say.
        initial: the window before any call has finished.

    Example:
        >>> window = CallWindow(rate=1000, batch=50, maximum=64)
        >>> for _ in range(20):
        ...     window.observe(wall=0.020, cpu=0.002)
        >>> window.size
        2
    """

    #: Weight of the newest measurement in the running averages.
    SMOOTHING = 0.2
    #: Margin over the computed window, for jitter in the latency.
    MARGIN = 1.25

    def __init__(self, *, rate: float, batch: int, maximum: int, initial: int = 2) -> None:
        self.calls_per_second = rate / max(1, batch)
        self.maximum = max(1, maximum)
        self._size = max(1, min(initial, self.maximum))
        self._wall: float | None = None
        self._cpu: float | None = None
        self._lock = threading.Lock()

    @property
    def size(self) -> int:
        """Calls to keep in flight now."""
        return self._size

    def observe(self, *, wall: float, cpu: float) -> int:
        """Take one finished call's wall and CPU seconds; return the new window."""
        with self._lock:
            if self._wall is None or self._cpu is None:
                self._wall, self._cpu = wall, cpu
            else:
                a = self.SMOOTHING
                self._wall += a * (wall - self._wall)
                self._cpu += a * (cpu - self._cpu)
            self._size = window_size(
                self.calls_per_second, wall=self._wall, cpu=self._cpu, maximum=self.maximum
            )
            return self._size

    def __repr__(self) -> str:
        return f"CallWindow(size={self._size}, maximum={self.maximum})"


def window_size(calls_per_second: float, *, wall: float, cpu: float, maximum: int) -> int:
    """The window for a pace of `calls_per_second` and calls of `wall` seconds, `cpu` of
    them on the client's CPU; between 1 and `maximum`.

    Example:
        >>> window_size(40, wall=0.2, cpu=0.003, maximum=64)   # 2,000/s at 200 ms
        11
        >>> window_size(2000, wall=0.006, cpu=0.003, maximum=64)  # no limit, no latency
        3
    """
    cpu = max(cpu, 1e-6)
    client_bound = 1.0 / cpu < calls_per_second
    pace = min(calls_per_second, 1.0 / cpu)
    needed = pace * max(wall, cpu) * CallWindow.MARGIN
    size = math.ceil(needed - 1e-9) + (0 if client_bound else 1)
    return max(1, min(maximum, size))
