"""A sliding window of arrivals: how SES enforces `MaxSendRate`.

SES counts recipients by the moment each request arrives, not messages or API calls, over the
last second. A window keeps `(time, count)` pairs newer than its span and their running total;
the total just after an arrival is the load of the window ending there, so the largest such
total is the busiest second of the whole run (`SlidingWindow.peak`).
"""

from __future__ import annotations

from collections import deque

__all__ = ["SlidingWindow"]


class SlidingWindow:
    """Counts added within the last `span` seconds of a monotonic clock.

    Examples:
        >>> window = SlidingWindow(1.0)
        >>> window.add(0.0, 10)
        >>> window.used(0.5), window.used(1.0)
        (10, 0)
    """

    __slots__ = ("_events", "_span", "_total", "peak")

    def __init__(self, span: float) -> None:
        self._span = span
        self._events: deque[tuple[float, int]] = deque()
        self._total = 0
        self.peak = 0
        """The largest total the window ever held."""

    def used(self, now: float) -> int:
        """Return the total of the arrivals in `(now - span, now]`.

        Examples:
            >>> window = SlidingWindow(1.0)
            >>> window.add(2.0, 3)
            >>> window.used(2.5), window.used(5.0)
            (3, 0)
        """
        events = self._events
        # An arrival exactly one span ago has left the window: a clock reading of t + span
        # starts a fresh second.
        while events and now - events[0][0] >= self._span:
            self._total -= events.popleft()[1]
        return self._total

    def add(self, now: float, count: int) -> None:
        """Record `count` arriving at `now` (not earlier than the last arrival).

        Examples:
            >>> window = SlidingWindow(1.0)
            >>> window.add(2.0, 3)
            >>> window.add(2.5, 4)
            >>> window
            SlidingWindow(span=1.0, total=7, peak=7)
        """
        if count <= 0:
            return
        self.used(now)
        self._events.append((now, count))
        self._total += count
        self.peak = max(self.peak, self._total)

    def __repr__(self) -> str:
        return f"SlidingWindow(span={self._span!r}, total={self._total}, peak={self.peak})"
