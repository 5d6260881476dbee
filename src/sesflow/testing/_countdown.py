"""Queued state changes that take effect after N polls or N seconds, written once.

Identity transitions and production-access reviews both move this way: each step waits
for its countdown, and the next step's countdown starts when the one before takes effect.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import Protocol, TypeVar

__all__ = ["Countdown", "settle_due"]


class Countdown(Protocol):
    """A queued step: due `after_polls` polls or `after_seconds` seconds from `start`."""

    after_polls: int | None
    after_seconds: float | None
    start: float
    polls: int


StepT = TypeVar("StepT", bound=Countdown)


def settle_due(
    steps: deque[StepT], now: float, *, poll: bool, apply: Callable[[StepT], None]
) -> None:
    """Apply, in order, the steps whose countdown has run out; `poll` counts one poll."""
    while steps:
        head = steps[0]
        if head.after_seconds is not None:
            effective = head.start + head.after_seconds
            if now < effective:
                return
        else:
            if not poll:
                return
            # This response is one of the N for whichever step is counting when it is
            # made, including a step that became current while making it.
            head.polls += 1
            if head.after_polls is not None and head.polls <= head.after_polls:
                return
            effective = now
        steps.popleft()
        apply(head)
        if steps:
            steps[0].start = effective
            steps[0].polls = 0
