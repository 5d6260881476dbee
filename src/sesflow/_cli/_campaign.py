"""`sesflow campaign report`: a shared campaign's report, from its PostgreSQL journal."""

from __future__ import annotations

from typing import Any

from ._app import CliError, Context, add_command, add_group
from ._bulk import POSTGRES_SCHEMES, add_journal_options, journal_of, report_data
from ._output import Result, render_table

__all__ = ["register"]

_SHOWN_FAILURES = 20


def _report(ctx: Context) -> Result:
    args = ctx.args
    if not args.journal.startswith(POSTGRES_SCHEMES):
        raise CliError(
            "--journal: 'campaign report' reads a PostgreSQL journal (postgresql://...); "
            "a journal file's runs print their own reports"
        )
    journal = journal_of(args)
    assert journal is not None
    assert not isinstance(journal, str)
    report = journal.report()
    if not report.total:
        raise CliError(
            f"no run of campaign {args.campaign!r} recorded anything in {journal.where} "
            f"(schema {args.journal_schema})"
        )
    lines = [
        f"Campaign {args.campaign} ({journal.where}, schema {args.journal_schema})",
        f"Sent {report.sent:,} of {report.total:,} recipients in {report.duration:,.1f} s "
        f"({report.rate:,.1f}/s).",
        f"  sent {report.sent:,}   failed {report.failed:,}   unsent {report.unsent:,}   "
        f"ambiguous {report.ambiguous:,}",
    ]
    if report.unsent:
        lines.append(
            f"  unsent: {report.unsent:,} being sent, or waiting for a run to finish them "
            "(the same send-bulk command again)"
        )
    if report.failures:
        rows = [(f.address, f.status, f.error) for f in report.failures[:_SHOWN_FAILURES]]
        lines += ["", render_table(["FAILED", "STATUS", "ERROR"], rows)]
        more = len(report.failures) - _SHOWN_FAILURES
        if more > 0:
            lines.append(f"... and {more:,} more (--json lists them all)")
    data: dict[str, Any] = {
        "campaign": args.campaign,
        "journal": journal.where,
        "schema": args.journal_schema,
        "report": report_data(report),
    }
    return Result(data, "\n".join(lines))


def register(commands: Any) -> None:
    """Add `sesflow campaign ...` to the command tree."""
    _, sub = add_group(
        commands,
        "campaign",
        help="bulk campaigns shared through a PostgreSQL journal",
    )
    report = add_command(
        sub,
        "report",
        _report,
        help="the whole campaign's report: every run, every process",
        description=(
            "Print the report of a campaign that runs of 'sesflow send-bulk --journal\n"
            "postgresql://... --campaign NAME' share: every run's outcomes, in any process\n"
            "or machine, finished or still going. Exit code 1 when no run of the campaign\n"
            "recorded anything."
        ),
        epilog=(
            "example:\n"
            "  sesflow campaign report --journal postgresql://mail@db/mail --campaign spring"
        ),
    )
    add_journal_options(report, shared_only=True)
