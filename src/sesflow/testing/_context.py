"""What every store of one fake shares: its clocks, region, account, seed and resource order.

A `Context` is made once per fake (and again on `reset`) and handed to each store that
needs it, so that no store reads another's attributes to learn the time or the region.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field

__all__ = ["Context", "Sequence"]


class Sequence:
    """A number that grows with every resource of any kind, so paging stays stable under deletes.

    One counter for every store, as one fake has always numbered its resources in one series.

    Examples:
        >>> numbers = Sequence()
        >>> numbers.next(), numbers.next()
        (1, 2)
    """

    __slots__ = ("_last",)

    def __init__(self) -> None:
        self._last = 0

    def next(self) -> int:
        """Return the next number.

        Examples:
            >>> Sequence().next()
            1
        """
        self._last += 1
        return self._last


@dataclass(frozen=True)
class Context:
    """The fake's fixed settings, and the resource sequence its stores share.

    Examples:
        >>> import time
        >>> context = Context("us-east-1", "123456789012", time.monotonic, time.time, seed=1)
        >>> context.region, context.sequence.next()
        ('us-east-1', 1)

    Attributes:
        region: The region the fake plays.
        account_id: The account id it reports.
        clock: Monotonic seconds.
        wall_clock: Epoch seconds.
        seed: The fake's seed, or `None`.
        sequence: The shared resource counter.
    """

    region: str
    account_id: str
    clock: Callable[[], float]
    wall_clock: Callable[[], float]
    seed: int | None
    sequence: Sequence = field(default_factory=Sequence)

    def wall_now(self) -> dt.datetime:
        """Return `wall_clock` as an aware UTC datetime.

        Examples:
            >>> context = Context("us-east-1", "123456789012", clock, lambda: 1_700_000_000,
            ...                   seed=1)
            >>> context.wall_now()
            datetime.datetime(2023, 11, 14, 22, 13, 20, tzinfo=datetime.timezone.utc)
        """
        return dt.datetime.fromtimestamp(self.wall_clock(), dt.UTC)

    def generator(self, label: str | None = None) -> random.Random:
        """Return a generator of its own for one use, seeded from the fake's seed and `label`.

        Each use draws from its own generator so that, say, filing an account review does not
        shift the DKIM tokens or message ids a seeded test expects.

        Examples:
            >>> context = Context("us-east-1", "123456789012", clock, clock, seed=1)
            >>> context.generator("events").random() == context.generator("events").random()
            True
            >>> context.generator("events").random() == context.generator("message-ids").random()
            False
        """
        if label is None:
            return random.Random(self.seed)
        return random.Random(None if self.seed is None else f"{label}:{self.seed}")
