"""Seeded random faults: throttles, server errors, broken connections, failed bulk entries.

Each request for a chosen operation draws one uniform number that picks at most one fault, the
probabilities laid end to end (so they must add up to at most 1), and a second that picks which
server error; each `SendBulkEmail` entry draws once more for `transient_entry`. Draws come
from a generator seeded by `FakeSES.inject_faults` and are made whatever the outcome, so the
same seed and the same sequence of calls give the same faults.

`RandomFaults` holds the plan, the generator and the counts. The dispatcher asks it
about every request (`RandomFaults.draw()`) and fires what it picks; the bulk-send handler
asks it about every entry (`RandomFaults.transient_entry()`).
"""

from __future__ import annotations

import math
import random
from collections import Counter
from dataclasses import dataclass

__all__ = ["THROTTLE_MESSAGE", "RandomFaults"]

THROTTLE_MESSAGE = "Maximum sending rate exceeded."
KINDS = ("drop_before", "throttle", "server_error", "drop_after")


@dataclass(frozen=True)
class FaultPlan:
    """What `inject_faults` asked for."""

    seed: int
    probabilities: tuple[float, float, float, float]  # in KINDS order
    transient_entry: float
    operations: frozenset[str]


@dataclass(frozen=True)
class FaultDraw:
    """One request's draw: the fault it fires (`None`: none), and the server error's pick."""

    kind: str | None
    which: float


class RandomFaults:
    """The random-fault plan, its generator, and how many of each fault fired.

    Examples:
        >>> faults = RandomFaults()
        >>> faults.plan(FaultPlan(1, (0.0, 1.0, 0.0, 0.0), 0.0, frozenset({"SendEmail"})))
        >>> faults.applies("SendEmail"), faults.applies("GetAccount")
        (True, False)
        >>> faults.draw("SendEmail").kind, faults.counts
        ('throttle', Counter({'throttle': 1}))
    """

    def __init__(self) -> None:
        self._plan: FaultPlan | None = None
        self._random = random.Random(0)
        self._counts: Counter[str] = Counter()

    @property
    def seed(self) -> int | None:
        """The seed of the plan in force, or `None` when no faults are injected."""
        return None if self._plan is None else self._plan.seed

    @property
    def counts(self) -> Counter[str]:
        """How many of each fault fired (a copy)."""
        return Counter(self._counts)

    def plan(self, plan: FaultPlan) -> None:
        """Replace the plan and restart the generator from its seed."""
        self._plan = plan
        self._random = random.Random(plan.seed)

    def clear(self) -> None:
        """Stop injecting (the counts stay)."""
        self._plan = None

    def applies(self, operation: str) -> bool:
        """Whether requests for `operation` draw at all."""
        return self._plan is not None and operation in self._plan.operations

    def draw(self, operation: str) -> FaultDraw:
        """Draw for one request for `operation` (call only when `applies()`)."""
        plan = self._plan
        assert plan is not None
        assert operation in plan.operations
        pick = self._random.random()
        which = self._random.random()
        kind = _pick(pick, plan.probabilities)
        if kind is not None:
            self._counts[kind] += 1
        return FaultDraw(kind, which)

    def transient_entry(self, operation: str) -> bool:
        """Draw for one bulk entry: should it fail with `TRANSIENT_FAILURE`?"""
        plan = self._plan
        if plan is None or operation not in plan.operations:
            return False
        if self._random.random() < plan.transient_entry:
            self._counts["transient_entry"] += 1
            return True
        return False


def check_plan(
    *,
    seed: int,
    throttle: float,
    server_error: float,
    drop_before: float,
    drop_after: float,
    transient_entry: float,
    operations: frozenset[str],
) -> FaultPlan:
    """Check `inject_faults`'s probabilities and return the plan; `ValueError` if bad."""
    per_request = (drop_before, throttle, server_error, drop_after)
    for name, value in (
        *zip(KINDS, per_request, strict=True),
        ("transient_entry", transient_entry),
    ):
        if not (isinstance(value, int | float) and math.isfinite(value) and 0 <= value <= 1):
            raise ValueError(f"{name} must be a probability between 0 and 1, got {value!r}")
    if math.fsum(per_request) > 1 + 1e-9:
        raise ValueError("drop_before + throttle + server_error + drop_after must not exceed 1")
    return FaultPlan(
        seed=seed,
        probabilities=(float(drop_before), float(throttle), float(server_error), float(drop_after)),
        transient_entry=float(transient_entry),
        operations=operations,
    )


def _pick(draw: float, probabilities: tuple[float, ...]) -> str | None:
    edge = 0.0
    for kind, probability in zip(KINDS, probabilities, strict=True):
        edge += probability
        if draw < edge:
            return kind
    return None
