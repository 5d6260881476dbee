"""Virtual Deliverability Manager's metrics: `BatchGetMetricData`, from what the fake accepted.

Every accepted message is counted as it is accepted, by UTC day (of the fake's
`wall_clock`), sending identity and configuration set, the way the SES v2 model documents
VDM's metrics:

- only messages to exactly one recipient count, and never the mailbox simulator;
- `SEND`: each such message (a template that failed to render is not sent, so not counted);
- `PERMANENT_BOUNCE` / `TRANSIENT_BOUNCE`: its bounce (`FakeSES.recipient_outcome`), but
  not a bounce made by the account-level suppression list;
- `DELIVERY`: delivered (also when it then drew a complaint); `DELIVERY_COMPLAINT`: the same
  (the fake treats every mailbox provider as having a feedback loop with SES);
- `COMPLAINT`: a complaint;
- `OPEN`, `CLICK`, `DELIVERY_OPEN`, `DELIVERY_CLICK`: always 0 (nobody reads the mail).

Counting does not depend on configuration-set event destinations, nor on VDM being turned
on (`PutAccountVdmAttributes`, which the fake stores and `GetAccount` reports): the fake
answers for every message it accepted since it was made or reset (`clear_outbox()` leaves
the counts). The `ISP` and `TENANT_NAME` dimensions are not modelled.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sesflow.testing._context import Context
from sesflow.testing._fake import FakeError, Handlers, operation

__all__ = ["METRICS", "MetricsHandlers", "MetricsStore"]

_DAY = 86_400
METRICS = (
    "SEND",
    "COMPLAINT",
    "PERMANENT_BOUNCE",
    "TRANSIENT_BOUNCE",
    "OPEN",
    "CLICK",
    "DELIVERY",
    "DELIVERY_OPEN",
    "DELIVERY_CLICK",
    "DELIVERY_COMPLAINT",
)
_DIMENSIONS = ("EMAIL_IDENTITY", "CONFIGURATION_SET")

#: (UTC day number, identity, configuration set or "")
_Key = tuple[int, str, str]


class MetricsStore:
    """VDM's daily counters, filled as messages are accepted (`record()`).

    Examples:
        ```python
        metrics = MetricsStore(context)
        metrics.record("example.com", None, ("bob@example.org",), rendered=True,
                       withheld=Counter(), simulator=lambda a: False,
                       outcome=lambda a: ("COMPLAINT", "Permanent"))
        assert metrics.total("COMPLAINT", {"EMAIL_IDENTITY": "example.com"}) == 1
        ```
    """

    def __init__(self, context: Context) -> None:
        self._context = context
        self._counts: dict[_Key, Counter[str]] = {}

    def record(
        self,
        identity: str,
        configuration_set: str | None,
        keys: Sequence[str],
        *,
        rendered: bool,
        withheld: Mapping[str, int],
        simulator: Callable[[str], bool],
        outcome: Callable[[str], tuple[str, str]],
    ) -> None:
        """Count one accepted message (`keys`: its recipients in `address_key` form)."""
        if not rendered or len(keys) != 1 or simulator(keys[0]):
            return
        key = keys[0]
        day = int(self._context.wall_clock() // _DAY)
        counts = self._counts.setdefault((day, identity, configuration_set or ""), Counter())
        counts["SEND"] += 1
        if withheld.get(key, 0) > 0:
            return  # a bounce made by the suppression list: VDM leaves it out
        kind, bounce_type = outcome(key)
        if kind == "BOUNCE":
            if bounce_type in ("Permanent", "Transient"):
                counts[f"{bounce_type.upper()}_BOUNCE"] += 1
        elif kind in ("DELIVERY", "COMPLAINT"):
            counts["DELIVERY"] += 1
            counts["DELIVERY_COMPLAINT"] += 1
            if kind == "COMPLAINT":
                counts["COMPLAINT"] += 1

    def series(
        self, metric: str, dimensions: Mapping[str, str], start: dt.datetime, end: dt.datetime
    ) -> tuple[list[dt.datetime], list[int]]:
        """One value per UTC day from `start`'s day to `end`'s, for the matching messages."""
        first, last = _day(start), _day(end)
        values = [0] * (last - first + 1)
        for (day, identity, configuration_set), counts in self._counts.items():
            if not first <= day <= last or not _matches(dimensions, identity, configuration_set):
                continue
            values[day - first] += counts[metric]
        stamps = [dt.datetime.fromtimestamp(d * _DAY, dt.UTC) for d in range(first, last + 1)]
        return stamps, values

    def total(self, metric: str, dimensions: Mapping[str, str] | None = None) -> int:
        """`metric` summed over every day, for the matching messages."""
        return sum(
            counts[metric]
            for (_, identity, configuration_set), counts in self._counts.items()
            if _matches(dimensions or {}, identity, configuration_set)
        )


def _day(moment: dt.datetime) -> int:
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)
    return int(aware.timestamp() // _DAY)


def _matches(dimensions: Mapping[str, str], identity: str, configuration_set: str) -> bool:
    wanted_identity = dimensions.get("EMAIL_IDENTITY")
    wanted_set = dimensions.get("CONFIGURATION_SET")
    if wanted_identity is not None and wanted_identity.lower() != identity.lower():
        return False
    return wanted_set is None or wanted_set == configuration_set


class MetricsHandlers(Handlers):
    """`BatchGetMetricData`, answered from the `MetricsStore`."""

    def __init__(self, metrics: MetricsStore) -> None:
        self._metrics = metrics

    @operation("BatchGetMetricData")
    def _batch_get_metric_data(self, params: Mapping[str, Any]) -> dict[str, Any]:
        queries = params["Queries"]
        ids = [q["Id"] for q in queries]
        if len(set(ids)) != len(ids):
            raise FakeError("BadRequestException", "Query Ids must be unique within a batch.")
        results = []
        for query in queries:
            dimensions: Mapping[str, str] = query.get("Dimensions") or {}
            unknown = sorted(set(dimensions) - set(_DIMENSIONS))
            if unknown:
                raise NotImplementedError(
                    f"FakeSES does not model the VDM dimension(s) {unknown}; it answers "
                    f"{', '.join(_DIMENSIONS)}"
                )
            if query["Namespace"] != "VDM" or query["Metric"] not in METRICS:
                raise FakeError(
                    "BadRequestException",
                    f"Query {query['Id']}: unknown namespace or metric "
                    f"{query['Namespace']}/{query['Metric']}.",
                )
            start, end = query["StartDate"], query["EndDate"]
            if start > end:
                raise FakeError(
                    "BadRequestException",
                    f"Query {query['Id']}: StartDate must not be after EndDate.",
                )
            stamps, values = self._metrics.series(query["Metric"], dimensions, start, end)
            results.append({"Id": query["Id"], "Timestamps": stamps, "Values": values})
        return {"Results": results, "Errors": []}
