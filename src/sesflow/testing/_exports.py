"""Export jobs: message insights and metrics, exported to a file SES hosts.

A job is `CREATED`, `PROCESSING` from 5 seconds after it was made and `COMPLETED` from 30
(on the fake's `clock`: a waiter on a `FakeClock` gets there at once); it then has a
pre-signed-looking `S3Url` (under `fake-ses.invalid`, which never resolves: the fake writes
no file), a `CompletedTimestamp` and `Statistics`. `FakeSES.set_export_job_status()` ends a
job now, `FAILED` with a message, say. `CancelExportJob` cancels a job still running and
refuses one that is done (`BadRequestException`).

A message insights export counts the kept messages sent (by `wall_clock`) between its
dates that match its `FromEmailAddress`, `Destination` and `Subject` filters, up to
`MaxResults` (1,000 by default); its `Isp`, `TenantName` and last-event filters are
checked but not applied to the count. A metrics export counts nothing (the fake keeps no
metrics): its statistics are 0.

What the fake checks, as SES does: exactly one data source; `S3Url` left out of the
request; `StartDate` before `EndDate`; at most 10,000 `MaxResults`, 10 metrics, 3
dimensions of at most 10 values, 5 values a filter (1 subject) (`BadRequestException`).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from sesflow.testing._context import Context
from sesflow.testing._fake import FakeError, Handlers, operation
from sesflow.testing._outbox import Outbox, address_key
from sesflow.testing._paging import paginate
from sesflow.testing._plain import plain

__all__ = ["EXPORT_STATUSES", "ExportHandlers", "ExportStore", "FakeExportJob"]

EXPORT_STATUSES = ("CREATED", "PROCESSING", "COMPLETED", "FAILED", "CANCELLED")
_RUNNING = ("CREATED", "PROCESSING")
#: Seconds of the fake's clock after which a job is PROCESSING, then COMPLETED.
PROCESSING_AFTER = 5.0
COMPLETED_AFTER = 30.0
_MAX_RESULTS = 10_000
_DEFAULT_RESULTS = 1_000
_FILTER_LIMITS = {
    "FromEmailAddress": 5,
    "Destination": 5,
    "Subject": 1,
    "Isp": 5,
    "TenantName": 5,
    "LastDeliveryEvent": 5,
    "LastEngagementEvent": 2,
}


@dataclass(frozen=True)
class FakeExportJob:
    """A snapshot of one export job, from `FakeSES.export_job_state()`.

    Examples:
        >>> import datetime as dt
        >>> job_id = client.create_export_job(
        ...     ExportDataSource={"MessageInsightsDataSource": {
        ...         "StartDate": dt.datetime(2026, 1, 1), "EndDate": dt.datetime(2026, 1, 2)}},
        ...     ExportDestination={"DataFormat": "CSV"},
        ... )["JobId"]
        >>> fake.export_job_state(job_id).status
        'CREATED'

    Attributes:
        job_id: `JobId`.
        source: `METRICS_DATA` or `MESSAGE_INSIGHTS`.
        status: `JobStatus`.
        data_format: `CSV` or `JSON`.
        data_source: The `ExportDataSource` member as given.
        created: `CreatedTimestamp`.
        completed: `CompletedTimestamp`, once finished.
        exported: `Statistics.ExportedRecordsCount` once completed.
        error_message: `FailureInfo.ErrorMessage` of a failed job.
    """

    job_id: str
    source: str
    status: str
    data_format: str
    data_source: Mapping[str, Any]
    created: dt.datetime
    completed: dt.datetime | None = None
    exported: int | None = None
    error_message: str | None = None

    def __repr__(self) -> str:
        return f"FakeExportJob({self.job_id!r}, {self.source}, status={self.status!r})"


class ExportStore:
    """The export jobs, and the clock they run on.

    Examples:
        >>> store = ExportStore(Context("us-east-1", "123456789012", clock, clock, seed=7),
        ...                     Outbox())
        >>> store.get("nope")
        Traceback (most recent call last):
        sesflow.testing._fake.FakeError: NotFoundException: Export job <nope> does not exist.
    """

    def __init__(self, context: Context, outbox: Outbox) -> None:
        self._context = context
        self._outbox = outbox
        self._ids = context.generator("export-job-ids")
        self.jobs: dict[str, tuple[int, FakeExportJob]] = {}
        self._started: dict[str, float] = {}

    def __len__(self) -> int:
        return len(self.jobs)

    def new_id(self) -> str:
        """A fresh `JobId` (a UUID)."""
        return str(uuid.UUID(int=self._ids.getrandbits(128), version=4))

    def add(self, job: FakeExportJob) -> None:
        """Keep a new job, started now."""
        self.jobs[job.job_id] = (self._context.sequence.next(), job)
        self._started[job.job_id] = self._context.clock()

    def _settle(self, job_id: str) -> FakeExportJob:
        sequence, job = self.jobs[job_id]
        if job.status not in _RUNNING:
            return job
        elapsed = self._context.clock() - self._started[job_id]
        if elapsed >= COMPLETED_AFTER:
            job = replace(
                job,
                status="COMPLETED",
                completed=self._context.wall_now(),
                exported=self._count(job),
            )
        elif elapsed >= PROCESSING_AFTER:
            job = replace(job, status="PROCESSING")
        self.jobs[job_id] = (sequence, job)
        return job

    def state(self, job_id: str) -> FakeExportJob:
        """Job `job_id`, for a test; `KeyError` if missing."""
        if job_id not in self.jobs:
            raise KeyError(f"FakeSES has no export job {job_id!r}")
        return self._settle(job_id)

    def get(self, job_id: str) -> FakeExportJob:
        """Job `job_id`, for a request; `NotFoundException` if missing."""
        if job_id not in self.jobs:
            raise FakeError("NotFoundException", f"Export job <{job_id}> does not exist.")
        return self._settle(job_id)

    def all(self) -> list[tuple[int, FakeExportJob]]:
        """Every job with its sequence number, settled."""
        return [(self.jobs[job_id][0], self._settle(job_id)) for job_id in list(self.jobs)]

    def finish(self, job_id: str, status: str, *, error_message: str | None = None) -> None:
        """End job `job_id` now with `status`, for a test (`KeyError`, `ValueError`)."""
        checked = plain(status)
        if checked not in EXPORT_STATUSES:
            raise ValueError(f"status must be one of {', '.join(EXPORT_STATUSES)}, got {status!r}")
        job = self.state(job_id)
        sequence = self.jobs[job_id][0]
        done = checked not in _RUNNING
        self.jobs[job_id] = (
            sequence,
            replace(
                job,
                status=checked,
                completed=self._context.wall_now() if done else None,
                exported=self._count(job) if checked == "COMPLETED" else None,
                error_message=error_message if checked == "FAILED" else None,
            ),
        )
        if not done:
            self._started[job_id] = self._context.clock() - (
                PROCESSING_AFTER if checked == "PROCESSING" else 0.0
            )

    def _count(self, job: FakeExportJob) -> int:
        source = job.data_source.get("MessageInsightsDataSource")
        if source is None or not self._outbox.keep_messages:
            return 0
        start = source["StartDate"].timestamp()
        end = source["EndDate"].timestamp()
        include: Mapping[str, Sequence[str]] = source.get("Include") or {}
        exclude: Mapping[str, Sequence[str]] = source.get("Exclude") or {}
        count = 0
        for message in self._outbox.messages:
            if not start <= message.wall_time <= end:
                continue
            if include and not _matches(message, include, every=True):
                continue
            if exclude and _matches(message, exclude, every=False):
                continue
            count += 1
        return min(count, int(source.get("MaxResults", _DEFAULT_RESULTS)))


def _matches(message: Any, filters: Mapping[str, Sequence[str]], *, every: bool) -> bool:
    """Whether `message` matches the filters the fake applies (see the module docstring)."""
    results: list[bool] = []
    sender = address_key(message.from_address)
    recipients = {address_key(a) for a in message.recipients}
    for key, values in filters.items():
        wanted = {v.lower() for v in values}
        if key == "FromEmailAddress":
            results.append(sender.lower() in wanted)
        elif key == "Destination":
            results.append(any(r.lower() in wanted for r in recipients))
        elif key == "Subject":
            results.append((message.subject or "").lower() in wanted)
    if not results:
        return every
    return all(results) if every else any(results)


class ExportHandlers(Handlers):
    """Export job operations."""

    def __init__(self, exports: ExportStore, context: Context) -> None:
        self._exports = exports
        self._context = context

    @operation("CreateExportJob")
    def _create(self, params: Mapping[str, Any]) -> dict[str, Any]:
        source: Mapping[str, Any] = params["ExportDataSource"]
        kinds = [k for k in ("MetricsDataSource", "MessageInsightsDataSource") if k in source]
        if len(kinds) != 1:
            raise FakeError(
                "BadRequestException",
                "Give exactly one of MetricsDataSource and MessageInsightsDataSource.",
            )
        destination: Mapping[str, Any] = params["ExportDestination"]
        if "S3Url" in destination:
            raise FakeError(
                "BadRequestException",
                "Do not give ExportDestination.S3Url: SES writes the file and returns its URL "
                "in GetExportJob.",
            )
        data = source[kinds[0]]
        if data["StartDate"] >= data["EndDate"]:
            raise FakeError("BadRequestException", "StartDate must be before EndDate.")
        if kinds[0] == "MetricsDataSource":
            _check_metrics(data)
            kind = "METRICS_DATA"
        else:
            _check_insights(data)
            kind = "MESSAGE_INSIGHTS"
        job = FakeExportJob(
            job_id=self._exports.new_id(),
            source=kind,
            status="CREATED",
            data_format=destination["DataFormat"],
            data_source=dict(source),
            created=self._context.wall_now(),
        )
        self._exports.add(job)
        return {"JobId": job.job_id}

    @operation("GetExportJob")
    def _get(self, params: Mapping[str, Any]) -> dict[str, Any]:
        job = self._exports.get(params["JobId"])
        destination: dict[str, Any] = {"DataFormat": job.data_format}
        answer: dict[str, Any] = {
            "JobId": job.job_id,
            "ExportSourceType": job.source,
            "JobStatus": job.status,
            "ExportDestination": destination,
            "ExportDataSource": dict(job.data_source),
            "CreatedTimestamp": job.created,
        }
        if job.completed is not None:
            answer["CompletedTimestamp"] = job.completed
        if job.status == "COMPLETED":
            extension = job.data_format.lower()
            destination["S3Url"] = (
                f"https://ses-exports.{self._context.region}.fake-ses.invalid/{job.job_id}."
                f"{extension}?X-Amz-Expires=300"
            )
            answer["Statistics"] = {
                "ProcessedRecordsCount": job.exported or 0,
                "ExportedRecordsCount": job.exported or 0,
            }
        if job.status == "FAILED":
            answer["FailureInfo"] = {"ErrorMessage": job.error_message or "The export failed."}
        return answer

    @operation("ListExportJobs")
    def _list(self, params: Mapping[str, Any]) -> dict[str, Any]:
        source = params.get("ExportSourceType")
        status = params.get("JobStatus")
        items: list[tuple[int, dict[str, Any]]] = []
        for sequence, job in self._exports.all():
            if (source is not None and job.source != source) or (
                status is not None and job.status != status
            ):
                continue
            summary: dict[str, Any] = {
                "JobId": job.job_id,
                "ExportSourceType": job.source,
                "JobStatus": job.status,
                "CreatedTimestamp": job.created,
            }
            if job.completed is not None:
                summary["CompletedTimestamp"] = job.completed
            items.append((sequence, summary))
        page, token = paginate("export-jobs", items, params)
        return {"ExportJobs": page, "NextToken": token}

    @operation("CancelExportJob")
    def _cancel(self, params: Mapping[str, Any]) -> None:
        job = self._exports.get(params["JobId"])
        if job.status not in _RUNNING:
            raise FakeError(
                "BadRequestException",
                f"Export job <{job.job_id}> is {job.status}; only a CREATED or PROCESSING job "
                "can be cancelled.",
            )
        self._exports.finish(job.job_id, "CANCELLED")


def _check_metrics(data: Mapping[str, Any]) -> None:
    metrics: Sequence[Any] = data["Metrics"]
    if len(metrics) > 10:
        raise FakeError("BadRequestException", "At most 10 metrics can be exported.")
    dimensions: Mapping[str, Sequence[str]] = data["Dimensions"]
    if len(dimensions) > 3:
        raise FakeError("BadRequestException", "At most 3 dimensions can be given.")
    for name, values in dimensions.items():
        if len(values) > 10:
            raise FakeError(
                "BadRequestException", f"At most 10 values can be given for dimension {name}."
            )


def _check_insights(data: Mapping[str, Any]) -> None:
    limit = data.get("MaxResults")
    if limit is not None and limit > _MAX_RESULTS:
        raise FakeError("BadRequestException", f"MaxResults must be at most {_MAX_RESULTS}.")
    for which in ("Include", "Exclude"):
        filters: Mapping[str, Sequence[str]] = data.get(which) or {}
        for key, values in filters.items():
            most = _FILTER_LIMITS.get(key, 5)
            if len(values) > most:
                raise FakeError(
                    "BadRequestException", f"{which}.{key} takes at most {most} values."
                )
