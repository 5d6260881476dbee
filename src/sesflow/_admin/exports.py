"""Export jobs: SES writes message insights or deliverability metrics to a file you
download.

`ses.export_messages(start, end, ...)` and `ses.export_metrics(start, end, ...)` start a
job (`CreateExportJob`); `job.wait_until_completed()` polls it; `job.download_url` is then a
pre-signed S3 URL to the file (valid for five minutes after each `refresh()`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Self

from sesflow._enums import coerce_enum
from sesflow._errors import BadRequestError, ValidationError, VerificationFailedError
from sesflow._logging import logger
from sesflow._paging import PAGE_SIZE, pages
from sesflow._waiting import Poll, wait_for

if TYPE_CHECKING:
    from sesflow._ses import SES

__all__ = [
    "ExportJob",
    "ExportSource",
    "ExportStatus",
    "MessageFilter",
    "export_jobs",
    "export_messages",
    "export_metrics",
]

_DATA_FORMATS = ("CSV", "JSON")
_METRICS = (
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
_AGGREGATIONS = ("RATE", "VOLUME")
_DIMENSIONS = ("EMAIL_IDENTITY", "CONFIGURATION_SET", "ISP", "TENANT_NAME")
_DELIVERY_EVENTS = (
    "SEND",
    "DELIVERY",
    "TRANSIENT_BOUNCE",
    "PERMANENT_BOUNCE",
    "UNDETERMINED_BOUNCE",
    "COMPLAINT",
)
_ENGAGEMENT_EVENTS = ("OPEN", "CLICK")
_MAX_RESULTS = 10_000


class ExportStatus(StrEnum):
    """Where an export job is (`JobStatus`).

    Examples:
        >>> ExportStatus("COMPLETED") is ExportStatus.COMPLETED
        True
    """

    CREATED = "CREATED"
    PROCESSING = "PROCESSING"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"
    CANCELLED = "CANCELLED"


class ExportSource(StrEnum):
    """What an export job exports (`ExportSourceType`).

    Examples:
        >>> ExportSource.MESSAGE_INSIGHTS == "MESSAGE_INSIGHTS"
        True
    """

    METRICS_DATA = "METRICS_DATA"
    MESSAGE_INSIGHTS = "MESSAGE_INSIGHTS"


def _strings(value: Iterable[str] | str, *, field: str, most: int) -> tuple[str, ...]:
    items = (value,) if isinstance(value, str) else tuple(value)
    if len(items) > most:
        raise ValidationError(f"{field}: at most {most}, got {len(items)}", field=field)
    for item in items:
        if not isinstance(item, str) or not item:
            raise ValidationError(
                f"{field}: expected non-empty strs, got {item!r}", field=field, value=item
            )
    return items


def _choices(
    value: Iterable[str] | str, *, field: str, allowed: tuple[str, ...]
) -> tuple[str, ...]:
    items = _strings(value, field=field, most=len(allowed))
    for item in items:
        if item not in allowed:
            raise ValidationError(
                f"{field}: {item!r} is not one of {', '.join(allowed)}", field=field, value=item
            )
    return items


@dataclass(frozen=True, slots=True, init=False)
class MessageFilter:
    """Which messages a message export keeps (`include=`) or leaves out (`exclude=`).

    Each field matches any of its values; fields combine with AND. SES allows up to five
    values a field (one subject). Every argument takes one str or an iterable of them.

    Args:
        from_addresses: sender addresses.
        destinations: recipient addresses.
        subjects: one subject line.
        isps: recipients' ISPs, e.g. `"Gmail"`.
        tenants: tenant names.
        last_delivery_events: `SEND`, `DELIVERY`, `TRANSIENT_BOUNCE`,
            `PERMANENT_BOUNCE`, `UNDETERMINED_BOUNCE`, `COMPLAINT`.
        last_engagement_events: `OPEN`, `CLICK`.

    Examples:
        >>> MessageFilter(last_delivery_events=["PERMANENT_BOUNCE"], isps="Gmail")._to_ses()
        {'Isp': ['Gmail'], 'LastDeliveryEvent': ['PERMANENT_BOUNCE']}
    """

    from_addresses: tuple[str, ...]
    destinations: tuple[str, ...]
    subjects: tuple[str, ...]
    isps: tuple[str, ...]
    tenants: tuple[str, ...]
    last_delivery_events: tuple[str, ...]
    last_engagement_events: tuple[str, ...]

    def __init__(
        self,
        *,
        from_addresses: Iterable[str] | str = (),
        destinations: Iterable[str] | str = (),
        subjects: Iterable[str] | str = (),
        isps: Iterable[str] | str = (),
        tenants: Iterable[str] | str = (),
        last_delivery_events: Iterable[str] | str = (),
        last_engagement_events: Iterable[str] | str = (),
    ) -> None:
        set_ = object.__setattr__
        set_(self, "from_addresses", _strings(from_addresses, field="from_addresses", most=5))
        set_(self, "destinations", _strings(destinations, field="destinations", most=5))
        set_(self, "subjects", _strings(subjects, field="subjects", most=1))
        set_(self, "isps", _strings(isps, field="isps", most=5))
        set_(self, "tenants", _strings(tenants, field="tenants", most=5))
        set_(
            self,
            "last_delivery_events",
            _choices(last_delivery_events, field="last_delivery_events", allowed=_DELIVERY_EVENTS),
        )
        set_(
            self,
            "last_engagement_events",
            _choices(
                last_engagement_events, field="last_engagement_events", allowed=_ENGAGEMENT_EVENTS
            ),
        )

    def _to_ses(self) -> dict[str, list[str]]:
        pairs = (
            ("FromEmailAddress", self.from_addresses),
            ("Destination", self.destinations),
            ("Subject", self.subjects),
            ("Isp", self.isps),
            ("TenantName", self.tenants),
            ("LastDeliveryEvent", self.last_delivery_events),
            ("LastEngagementEvent", self.last_engagement_events),
        )
        return {key: list(values) for key, values in pairs if values}


class ExportJob:
    """An export job, by its id (`ses.export_job(job_id)`, or what `ses.export_messages()`
    and `ses.export_metrics()` return).

    Examples:
        >>> import datetime as dt
        >>> end = dt.datetime.now(dt.UTC)
        >>> job = ses.export_messages(end - dt.timedelta(days=1), end, data_format="JSON")
        >>> job.wait_until_completed().status
        <ExportStatus.COMPLETED: 'COMPLETED'>
        >>> job.download_url.startswith("https://")
        True
    """

    def __init__(self, ses: SES, job_id: str) -> None:
        if not isinstance(job_id, str) or not job_id:
            raise ValidationError(
                f"job_id: expected an export job id, got {job_id!r}", field="job_id", value=job_id
            )
        self._ses = ses
        self.job_id = job_id
        self._state: Mapping[str, Any] | None = None
        self._full = False  # the state is GetExportJob's whole answer, not a summary

    def __repr__(self) -> str:
        return f"ExportJob({self.job_id!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ExportJob) and other.job_id == self.job_id

    def __hash__(self) -> int:
        return hash(("ExportJob", self.job_id))

    def _take(self, state: Mapping[str, Any], *, full: bool = True) -> Self:
        self._state = dict(state)
        self._full = full
        return self

    def _get(self, *, retry: bool) -> dict[str, Any]:
        return self._ses._call("GetExportJob", retry=retry, JobId=self.job_id)

    def refresh(self) -> Self:
        """Load the job's current state (`GetExportJob`).

        Raises:
            NotFoundError: no such job.

        Examples:
            >>> job = ses.export_messages(dt.datetime(2026, 1, 1), dt.datetime(2026, 1, 2))
            >>> ses.export_job(job.job_id).refresh().source.value
            'MESSAGE_INSIGHTS'
        """
        return self._take(self._get(retry=True))

    def _field(self, name: str) -> Any:
        if self._state is None or (not self._full and name not in self._state):
            self.refresh()
        assert self._state is not None
        return self._state.get(name)

    @property
    def status(self) -> ExportStatus:
        """`CREATED`, `PROCESSING`, `COMPLETED`, `FAILED` or `CANCELLED`, as of the last
        `refresh()` (loaded on first use).

        Examples:
            >>> ses.export_messages(dt.datetime(2026, 1, 1), dt.datetime(2026, 1, 2)).status
            <ExportStatus.CREATED: 'CREATED'>
        """
        return ExportStatus(self._field("JobStatus"))

    @property
    def source(self) -> ExportSource:
        """What the job exports.

        Examples:
            >>> ses.export_metrics(dt.datetime(2026, 1, 1), dt.datetime(2026, 1, 2),
            ...                    metrics=["SEND"], dimensions={"ISP": "Gmail"}).source.value
            'METRICS_DATA'
        """
        return ExportSource(self._field("ExportSourceType"))

    @property
    def created(self) -> dt.datetime | None:
        """When the job was created.

        Examples:
            >>> job = ses.export_messages(dt.datetime(2026, 1, 1), dt.datetime(2026, 1, 2))
            >>> job.created.tzinfo is not None
            True
        """
        value = self._field("CreatedTimestamp")
        return value if isinstance(value, dt.datetime) else None

    @property
    def download_url(self) -> str | None:
        """Where to download the file once `COMPLETED`: a pre-signed URL valid for five
        minutes after the `refresh()` that brought it (None before).

        Examples:
            >>> job = ses.export_messages(dt.datetime(2026, 1, 1), dt.datetime(2026, 1, 2))
            >>> print(job.download_url)
            None
        """
        destination: Mapping[str, Any] = self._field("ExportDestination") or {}
        url = destination.get("S3Url")
        return None if url is None else str(url)

    @property
    def exported_records(self) -> int | None:
        """How many records the file holds, once known.

        Examples:
            >>> job = ses.export_messages(dt.datetime(2026, 1, 1), dt.datetime(2026, 1, 2))
            >>> job.wait_until_completed().exported_records
            0
        """
        statistics: Mapping[str, Any] = self._field("Statistics") or {}
        value = statistics.get("ExportedRecordsCount")
        return None if value is None else int(value)

    @property
    def failure(self) -> str | None:
        """Why the job failed (`FailureInfo.ErrorMessage`), or None.

        Examples:
            >>> job = ses.export_messages(dt.datetime(2026, 1, 1), dt.datetime(2026, 1, 2))
            >>> print(job.failure)
            None
        """
        info: Mapping[str, Any] = self._field("FailureInfo") or {}
        message = info.get("ErrorMessage")
        return None if message is None else str(message)

    def cancel(self) -> Self:
        """Cancel the job (`CancelExportJob`). A job already finished is left as it is.

        Raises:
            NotFoundError: no such job.

        Examples:
            >>> job = ses.export_messages(dt.datetime(2026, 1, 1), dt.datetime(2026, 1, 2))
            >>> job.cancel().status
            <ExportStatus.CANCELLED: 'CANCELLED'>
        """
        try:
            self._ses._call("CancelExportJob", JobId=self.job_id)
        except BadRequestError:
            # SES refuses to cancel a job that is done; say so only if it is not.
            if self.refresh().status in (ExportStatus.CREATED, ExportStatus.PROCESSING):
                raise
            return self
        logger.info("cancelled export job %s", self.job_id)
        return self.refresh()

    def wait_until_completed(
        self,
        *,
        timeout: float = 3600.0,
        poll_interval: float = 15.0,
        max_interval: float = 120.0,
    ) -> Self:
        """Poll until the job is `COMPLETED`.

        Raises:
            VerificationFailedError: the job `FAILED` or was `CANCELLED` (at once);
                `check` is `"export_job"`, `details` SES's answer.
            WaiterTimeoutError: `timeout` seconds passed; carries the last status.
            NotFoundError: no such job.

        Examples:
            >>> job = ses.export_messages(dt.datetime(2026, 1, 1), dt.datetime(2026, 1, 2))
            >>> job.wait_until_completed(timeout=600).status.value
            'COMPLETED'
        """

        def poll() -> Poll:
            response = self._get(retry=False)
            self._take(response)
            return Poll(str(response.get("JobStatus")), response)

        result = wait_for(
            poll,
            identity=self.job_id,
            check="export_job",
            timeout=timeout,
            poll_interval=poll_interval,
            max_interval=max_interval,
            sleep=self._ses.sleep,
            clock=self._ses.clock,
            settled=frozenset({"COMPLETED", "FAILED", "CANCELLED"}),
        )
        if result.status != "COMPLETED":
            info: Mapping[str, Any] = result.response.get("FailureInfo") or {}
            reason = info.get("ErrorMessage")
            raise VerificationFailedError(
                f"export job {self.job_id} is {result.status}" + (f": {reason}" if reason else ""),
                identity=self.job_id,
                check="export_job",
                status=str(result.status),
                error_type=reason,
                details=result.response,
            )
        return self


def _dates(start: dt.datetime, end: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    for name, value in (("start", start), ("end", end)):
        if not isinstance(value, dt.datetime):
            raise ValidationError(
                f"{name}: expected a datetime, got {type(value).__name__}", field=name, value=value
            )
    aware = [v if v.tzinfo is not None else v.replace(tzinfo=dt.UTC) for v in (start, end)]
    if aware[0] >= aware[1]:
        raise ValidationError(
            f"end: {end.isoformat()} is not after start {start.isoformat()}", field="end"
        )
    return aware[0], aware[1]


def _destination(data_format: str) -> dict[str, str]:
    if data_format not in _DATA_FORMATS:
        raise ValidationError(
            f"data_format: {data_format!r} is not one of {', '.join(_DATA_FORMATS)}",
            field="data_format",
            value=data_format,
        )
    return {"DataFormat": data_format}


def _create(ses: SES, source: Mapping[str, Any], data_format: str) -> ExportJob:
    response = ses._call(
        "CreateExportJob",
        ExportDataSource=dict(source),
        ExportDestination=_destination(data_format),
    )
    job = ExportJob(ses, str(response["JobId"]))
    logger.info("started export job %s", job.job_id)
    return job


def export_messages(
    ses: SES,
    start: dt.datetime,
    end: dt.datetime,
    *,
    include: MessageFilter | None = None,
    exclude: MessageFilter | None = None,
    max_results: int | None = None,
    data_format: str = "CSV",
) -> ExportJob:
    """Start a message insights export; see `SES.export_messages`."""
    begin, finish = _dates(start, end)
    source: dict[str, Any] = {"StartDate": begin, "EndDate": finish}
    for name, value, key in (("include", include, "Include"), ("exclude", exclude, "Exclude")):
        if value is None:
            continue
        if not isinstance(value, MessageFilter):
            raise ValidationError(
                f"{name}: expected a MessageFilter, got {type(value).__name__}", field=name
            )
        source[key] = value._to_ses()
    if max_results is not None:
        if (
            isinstance(max_results, bool)
            or not isinstance(max_results, int)
            or not 1 <= max_results <= _MAX_RESULTS
        ):
            raise ValidationError(
                f"max_results: expected an int from 1 to {_MAX_RESULTS}, got {max_results!r}",
                field="max_results",
                value=max_results,
            )
        source["MaxResults"] = max_results
    _destination(data_format)
    return _create(ses, {"MessageInsightsDataSource": source}, data_format)


def export_metrics(
    ses: SES,
    start: dt.datetime,
    end: dt.datetime,
    *,
    metrics: Iterable[str | tuple[str, str]],
    dimensions: Mapping[str, str | Iterable[str]],
    data_format: str = "CSV",
) -> ExportJob:
    """Start a metrics export; see `SES.export_metrics`."""
    begin, finish = _dates(start, end)
    if isinstance(metrics, str):
        metrics = [metrics]
    wanted: list[dict[str, str]] = []
    for metric in metrics:
        name, aggregation = (metric, "VOLUME") if isinstance(metric, str) else tuple(metric)
        if name not in _METRICS:
            raise ValidationError(
                f"metrics: {name!r} is not one of {', '.join(_METRICS)}", field="metrics"
            )
        if aggregation not in _AGGREGATIONS:
            raise ValidationError(
                f"metrics: aggregation {aggregation!r} is not RATE or VOLUME", field="metrics"
            )
        wanted.append({"Name": name, "Aggregation": aggregation})
    if not 1 <= len(wanted) <= 10:
        raise ValidationError(f"metrics: give 1 to 10, got {len(wanted)}", field="metrics")
    if not isinstance(dimensions, Mapping) or not 1 <= len(dimensions) <= 3:
        raise ValidationError(
            "dimensions: give 1 to 3 of EMAIL_IDENTITY, CONFIGURATION_SET, ISP, TENANT_NAME, "
            "each with its values, e.g. {'ISP': ['Gmail']}",
            field="dimensions",
        )
    by: dict[str, list[str]] = {}
    for key, values in dimensions.items():
        if key not in _DIMENSIONS:
            raise ValidationError(
                f"dimensions: {key!r} is not one of {', '.join(_DIMENSIONS)}",
                field="dimensions",
                value=key,
            )
        listed = _strings(values, field=f"dimensions[{key!r}]", most=10)
        if not listed:
            raise ValidationError(
                f"dimensions[{key!r}]: give at least one value", field=f"dimensions[{key!r}]"
            )
        by[key] = list(listed)
    _destination(data_format)
    source = {
        "Dimensions": by,
        "Namespace": "VDM",
        "Metrics": wanted,
        "StartDate": begin,
        "EndDate": finish,
    }
    return _create(ses, {"MetricsDataSource": source}, data_format)


def export_jobs(
    ses: SES,
    *,
    source: ExportSource | str | None = None,
    status: ExportStatus | str | None = None,
    page_size: int = PAGE_SIZE,
) -> Iterator[ExportJob]:
    """Every export job, optionally of one source and status; see `SES.export_jobs`."""
    params: dict[str, Any] = {}
    if source is not None:
        params["ExportSourceType"] = coerce_enum(ExportSource, source, field="source").value
    if status is not None:
        params["JobStatus"] = coerce_enum(ExportStatus, status, field="status").value
    for item in pages(ses._lister("ListExportJobs"), "ExportJobs", page_size=page_size, **params):
        yield ExportJob(ses, str(item["JobId"]))._take(item, full=False)
