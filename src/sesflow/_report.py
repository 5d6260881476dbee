"""What a bulk run reports: counts, every failure, pace; its progress updates; each
recipient's result; and the partial report of a run that stopped."""

from __future__ import annotations

import html
from dataclasses import dataclass

from ._enums import BulkEmailStatus
from ._errors import SesflowError

__all__ = [
    "BulkFailure",
    "BulkProgress",
    "BulkReport",
    "BulkResult",
    "BulkSendError",
    "attach_report",
    "partial_report",
]

#: The attribute a stopped run's partial report travels in, on whatever exception stopped it.
_REPORT_ATTRIBUTE = "__sesflow_partial_report__"


@dataclass(frozen=True, slots=True)
class BulkFailure:
    """One recipient that was not sent.

    Attributes:
        address: the recipient.
        status: SES's status (`MESSAGE_REJECTED`, ...), or sesflow's own:
            `INVALID_RECIPIENT` for a recipient sesflow refused itself, `AMBIGUOUS` for
            one whose call's answer was lost (at-most-once runs).
        error: what SES (or sesflow) said.

    Examples:
        >>> failure = BulkFailure("bad@@example.com", BulkEmailStatus.INVALID_RECIPIENT, "no")
        >>> failure.status is BulkEmailStatus.INVALID_RECIPIENT
        True
    """

    address: str
    status: BulkEmailStatus
    error: str


@dataclass(frozen=True, slots=True)
class BulkResult:
    """One recipient's outcome, as `send_bulk(on_result=...)` receives it.

    Attributes:
        address: the recipient.
        status: `SUCCESS`, or why it was not sent (see `BulkFailure.status`).
        message_id: SES's message id when sent, else None.
        error: what SES (or sesflow) said when not sent, else None.

    Examples:
        >>> result = BulkResult("ann@example.com", BulkEmailStatus.SUCCESS, message_id="0100-1")
        >>> result.sent
        True
    """

    address: str
    status: BulkEmailStatus
    message_id: str | None = None
    error: str | None = None

    @property
    def sent(self) -> bool:
        """Whether SES accepted the message for this recipient."""
        return self.status is BulkEmailStatus.SUCCESS


@dataclass(frozen=True, slots=True)
class BulkProgress:
    """A progress update, given to a `progress=` callable after each batch.

    Examples:
        >>> sender.send_bulk(recipients, "welcome",
        ...                  progress=lambda p: print(p.done, p.sent, f"{p.rate:.0f}/s"))
        2 2 0/s
        BulkReport(total=2, sent=2, failed=0, skipped=0, repeats=0, ambiguous=0, unsent=0,
                   rate=0.0/s)
    """

    read: int
    sent: int
    failed: int
    skipped: int
    elapsed: float

    @property
    def done(self) -> int:
        """Recipients finished: sent, failed or skipped.

        Examples:
            >>> BulkProgress(read=10, sent=7, failed=1, skipped=2, elapsed=1.0).done
            10
        """
        return self.sent + self.failed + self.skipped

    @property
    def rate(self) -> float:
        """Recipients sent per second so far.

        Examples:
            >>> BulkProgress(read=10, sent=8, failed=0, skipped=0, elapsed=2.0).rate
            4.0
        """
        return self.sent / self.elapsed if self.elapsed > 0 else 0.0


@dataclass(frozen=True, slots=True)
class BulkReport:
    """The outcome of `Sender.send_bulk()`, for every recipient read.

    `total == sent + failed + skipped + unsent`; `unsent` is non-zero only when an error
    stopped the run (those recipients were read but not sent; a resumed run sends them).
    `ambiguous` adds up, for every request whose answer was lost after it was sent, the
    recipients in it (under at-least-once they were sent again, so each may have received
    the message twice). `skipped` counts the recipients not sent because they were
    finished already: `repeats` of them were listed again in this run (each address is
    sent once per run, with or without a journal), the rest were finished by an earlier
    run with the same journal, or (`opted_out`) had left the run's contact-list topic
    (`send_bulk(..., contact_list=..., topic=...)`).

    Examples:
        >>> report = sender.send_bulk(recipients, "welcome")
        >>> report  # the clock is the fake's: no time passed
        BulkReport(total=2, sent=2, failed=0, skipped=0, repeats=0, ambiguous=0, unsent=0,
                   rate=0.0/s)
        >>> report.raise_for_failures()  # raises if any recipient failed
    """

    total: int
    sent: int
    failed: int
    skipped: int
    ambiguous: int
    failures: tuple[BulkFailure, ...] = ()
    duration: float = 0.0
    unsent: int = 0
    repeats: int = 0
    opted_out: int = 0

    @property
    def rate(self) -> float:
        """Recipients sent per second over the run.

        Examples:
            >>> took_half_a_second = lambda progress: clock.advance(0.5)  # the fake's clock
            >>> round(sender.send_bulk(recipients, "welcome", progress=took_half_a_second).rate)
            4
        """
        return self.sent / self.duration if self.duration > 0 else 0.0

    @property
    def ok(self) -> bool:
        """True when no recipient failed.

        Examples:
            >>> report.ok
            True
        """
        return self.failed == 0

    def raise_for_failures(self) -> None:
        """Raise `BulkSendError` if any recipient failed.

        Examples:
            >>> sender.send_bulk(recipients, "welcome").raise_for_failures()
        """
        if self.failed:
            raise BulkSendError(
                f"{self.failed} of {self.total} recipients failed "
                f"(first: {self.failures[0].address}: {self.failures[0].status})",
                report=self,
            )

    def __repr__(self) -> str:
        return (
            f"BulkReport(total={self.total}, sent={self.sent}, failed={self.failed}, "
            f"skipped={self.skipped}, repeats={self.repeats}, "
            + (f"opted_out={self.opted_out}, " if self.opted_out else "")
            + f"ambiguous={self.ambiguous}, "
            f"unsent={self.unsent}, "
            f"rate={self.rate:.1f}/s)"
        )

    def _repr_html_(self) -> str:
        """An HTML summary and the first failures, for notebooks.

        Examples:
            >>> html = report._repr_html_()  # what `report` shows in Jupyter
            >>> html.startswith("<table>"), "<td>2</td>" in html
            (True, True)
        """
        cells = "".join(
            f"<td>{value}</td>"
            for value in (
                self.total,
                self.sent,
                self.failed,
                self.skipped,
                self.ambiguous,
                f"{self.duration:.1f} s",
                f"{self.rate:.1f}/s",
            )
        )
        head = "".join(
            f"<th>{h}</th>"
            for h in ("Total", "Sent", "Failed", "Skipped", "Ambiguous", "Duration", "Rate")
        )
        out = f"<table><tr>{head}</tr><tr>{cells}</tr></table>"
        if self.failures:
            rows = "".join(
                f"<tr><td>{html.escape(f.address)}</td><td>{html.escape(f.status.value)}</td>"
                f"<td>{html.escape(f.error)}</td></tr>"
                for f in self.failures[:20]
            )
            more = len(self.failures) - 20
            tail = f"<p>... and {more} more</p>" if more > 0 else ""
            out += (
                f"<table><tr><th>Address</th><th>Status</th><th>Error</th></tr>{rows}</table>{tail}"
            )
        return out


class BulkSendError(SesflowError):
    """Raised by `BulkReport.raise_for_failures()`; carries the report.

    Examples:
        >>> try:
        ...     report.raise_for_failures()
        ... except BulkSendError as exc:
        ...     print(exc.report.failed)
    """

    def __init__(self, message: str, *, report: BulkReport) -> None:
        super().__init__(message)
        self.report = report


def attach_report(error: BaseException, report: BulkReport) -> None:
    """Attach a stopped run's partial report to the exception that stopped it (any
    exception: sesflow's, an `OSError`, a `KeyboardInterrupt`), unchanged otherwise."""
    setattr(error, _REPORT_ATTRIBUTE, report)


def partial_report(error: BaseException) -> BulkReport | None:
    """The partial report of the bulk run that `error` stopped, or None.

    Whatever stops `send_bulk()` (a `SesflowError`, an interrupt, a failing recipients
    iterable...) is re-raised unchanged, carrying the report of what the run did before
    it stopped: who was sent, who failed, how many were read but not sent (`unsent`).
    This is the typed way to read it.

    Examples:
        >>> fake.account.sending_enabled = False  # SES paused the account
        >>> try:
        ...     sender.send_bulk(recipients, "welcome", journal="news.journal")
        ... except (sesflow.SesflowError, KeyboardInterrupt) as exc:
        ...     report = sesflow.partial_report(exc)
        ...     print(type(exc).__name__, report.sent, report.unsent)
        SendingPausedError 0 2
    """
    report = getattr(error, _REPORT_ATTRIBUTE, None)
    if report is None and isinstance(error, BulkSendError):
        report = error.report
    return report if isinstance(report, BulkReport) else None
