"""Seeded random faults: throttles, server errors, broken connections, failed bulk entries.

Each request for a chosen operation draws one uniform number that picks at most one fault, the
probabilities laid end to end (so they must add up to at most 1), and a second that picks which
server error; each ``SendBulkEmail`` entry draws once more for ``transient_entry``. Draws come
from a generator seeded by :meth:`~_FaultOps.inject_faults` and are made whatever the outcome,
so the same seed and the same sequence of calls give the same faults.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sesflow.testing._codec import encode_error
from sesflow.testing._fake import DroppedConnectionError, FakeSESBase

__all__: list[str] = []

THROTTLE_MESSAGE = "Maximum sending rate exceeded."
_KINDS = ("drop_before", "throttle", "server_error", "drop_after")


@dataclass(frozen=True)
class _FaultPlan:
    seed: int
    probabilities: tuple[float, float, float, float]  # in _KINDS order
    transient_entry: float
    operations: frozenset[str]


class _FaultOps(FakeSESBase):
    """:meth:`inject_faults` and the request wrapper that fires them."""

    _fault_plan: _FaultPlan | None
    _fault_random: random.Random
    _fault_counts: Counter[str]

    def _reset_state(self) -> None:
        super()._reset_state()
        self._fault_plan = None
        self._fault_random = random.Random(0)
        self._fault_counts = Counter()

    def _repr_parts(self) -> list[str]:
        plan = self._fault_plan
        return [*super()._repr_parts(), *([] if plan is None else [f"faults=seed {plan.seed}"])]

    def inject_faults(
        self,
        *,
        seed: int = 0,
        throttle: float = 0.0,
        server_error: float = 0.0,
        drop_before: float = 0.0,
        drop_after: float = 0.0,
        transient_entry: float = 0.0,
        operations: Iterable[str] = ("SendEmail", "SendBulkEmail"),
    ) -> None:
        """Fail requests at random, reproducibly, until :meth:`clear_faults`.

        Each probability is per request (``transient_entry``: per bulk entry). At most one of
        ``drop_before``, ``throttle``, ``server_error``, ``drop_after`` hits a request, so
        their sum must not exceed 1. Calling again replaces the plan and restarts the
        generator. Faults queued with :meth:`fail_next` answer first.

        What each fault does:

        - ``throttle``: HTTP 429 ``TooManyRequestsException`` "Maximum sending rate
          exceeded."; not processed.
        - ``server_error``: HTTP 500 ``InternalServiceErrorException`` or 503
          ``ServiceUnavailable`` (even odds); not processed.
        - ``drop_before``: the connection breaks before the request is processed; in-process
          the client raises ``EndpointConnectionError``, over HTTP the connection closes
          unanswered. Not processed and not even logged in :attr:`calls`.
        - ``drop_after``: the request is processed (mail accepted, in the outbox) and then the
          connection breaks: ``ConnectionClosedError`` in-process, an unanswered close over
          HTTP.
        - ``transient_entry``: that ``SendBulkEmail`` entry's ``Status`` is
          ``TRANSIENT_FAILURE``; the entry is not sent.

        Examples:
            ```python
            fake.inject_faults(seed=1, throttle=0.05, drop_after=0.01, transient_entry=0.02)
            ...  # run the code under test
            assert fake.injected_faults["throttle"] > 0
            fake.clear_faults()
            ```

        Args:
            seed: Seeds the generator the draws come from.
            throttle: Probability of a 429.
            server_error: Probability of a 500 or 503.
            drop_before: Probability that the connection breaks before the request is
                processed.
            drop_after: Probability that it breaks after the request was processed.
            transient_entry: Probability, per bulk entry, of ``TRANSIENT_FAILURE``.
            operations: The SES v2 operations the per-request faults apply to.

        Raises:
            ValueError: A probability outside [0, 1], per-request probabilities adding up to
                more than 1, or an unknown operation.
        """
        per_request = (drop_before, throttle, server_error, drop_after)
        for name, value in (
            *zip(_KINDS, per_request, strict=True),
            ("transient_entry", transient_entry),
        ):
            if not (isinstance(value, int | float) and math.isfinite(value) and 0 <= value <= 1):
                raise ValueError(f"{name} must be a probability between 0 and 1, got {value!r}")
        if math.fsum(per_request) > 1 + 1e-9:
            raise ValueError("drop_before + throttle + server_error + drop_after must not exceed 1")
        if isinstance(operations, str):
            operations = (operations,)
        chosen = frozenset(operations)
        for operation in chosen:
            self._check_operation(operation)
        with self._lock:
            self._fault_plan = _FaultPlan(
                seed=seed,
                probabilities=(
                    float(drop_before),
                    float(throttle),
                    float(server_error),
                    float(drop_after),
                ),
                transient_entry=float(transient_entry),
                operations=chosen,
            )
            self._fault_random = random.Random(seed)

    def clear_faults(self) -> None:
        """Stop injecting random faults (queued :meth:`fail_next` faults stay).

        Examples:
            ```python
            fake.clear_faults()
            ```
        """
        with self._lock:
            self._fault_plan = None

    @property
    def injected_faults(self) -> Counter[str]:
        """How many of each random fault fired so far (a copy), by kind.

        Kinds are ``drop_before``, ``throttle``, ``server_error``, ``drop_after`` and
        ``transient_entry``. :meth:`reset` sets them back to zero; :meth:`clear_faults` does
        not.

        Examples:
            ```python
            assert fake.injected_faults["drop_after"] == 1
            ```
        """
        with self._lock:
            return Counter(self._fault_counts)

    def _serve_call(self, name: str, params: dict[str, Any]) -> tuple[int, dict[str, str], bytes]:
        with self._lock:
            plan = self._fault_plan
            if plan is None or name not in plan.operations or self._faults.get(name):
                return super()._serve_call(name, params)
            pick = self._fault_random.random()
            which = self._fault_random.random()
            kind = _pick(pick, plan.probabilities)
            if kind is not None:
                self._fault_counts[kind] += 1
            if kind == "drop_before":
                raise DroppedConnectionError(processed=False)
            if kind == "throttle":
                self._log_call(name, params)
                return encode_error("TooManyRequestsException", THROTTLE_MESSAGE, 429)
            if kind == "server_error":
                self._log_call(name, params)
                if which < 0.5:
                    return encode_error(
                        "InternalServiceErrorException", "Internal service error.", 500
                    )
                return encode_error("ServiceUnavailable", "Service Unavailable", 503)
            response = super()._serve_call(name, params)
            if kind == "drop_after":
                raise DroppedConnectionError(processed=True)
            return response

    def _transient_entry(self, operation: str) -> bool:
        """Draw for one bulk entry: should it fail with ``TRANSIENT_FAILURE``?"""
        plan = self._fault_plan
        if plan is None or operation not in plan.operations:
            return False
        if self._fault_random.random() < plan.transient_entry:
            self._fault_counts["transient_entry"] += 1
            return True
        return False


def _pick(draw: float, probabilities: tuple[float, ...]) -> str | None:
    edge = 0.0
    for kind, probability in zip(_KINDS, probabilities, strict=True):
        edge += probability
        if draw < edge:
            return kind
    return None
