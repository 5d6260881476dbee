"""`sesflow send-bulk`: a campaign from a CSV or JSON Lines file, streamed row by row."""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from sesflow import NotFoundError, SesflowError, partial_report

from ._app import CliError, Context, add_command, add_limiter, interrupt_code
from ._output import Result, jsonable, render_table
from ._template import json_object

if TYPE_CHECKING:
    from sesflow import BulkReport, Recipient
    from sesflow.postgres import PostgresJournal

__all__ = [
    "RowProblem",
    "add_journal_options",
    "journal_label",
    "journal_of",
    "read_recipients",
    "register",
]

_SHOWN_FAILURES = 20
_JSONL_KEYS = frozenset({"email", "data", "tags", "headers"})
_FORMATS = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl"}
#: A --journal with one of these schemes is a PostgreSQL journal; anything else is a file.
POSTGRES_SCHEMES = ("postgresql://", "postgres://")


def journal_of(args: argparse.Namespace) -> str | PostgresJournal | None:
    """`--journal` as the library takes it: a file path, or a `PostgresJournal` for a
    `postgresql://` URL (with `--campaign`, and `--journal-schema`).

    Examples:
        >>> args = argparse.Namespace(journal="spring.journal", campaign=None,
        ...                           journal_schema="sesflow")
        >>> journal_of(args)
        'spring.journal'
    """
    journal: str | None = args.journal
    campaign: str | None = args.campaign
    if journal is None or not journal.startswith(POSTGRES_SCHEMES):
        if campaign is not None:
            raise CliError(
                "--campaign names a campaign in a PostgreSQL journal "
                "(--journal postgresql://...); a journal file holds one campaign"
            )
        return journal
    if campaign is None:
        raise CliError(
            "--journal postgresql://... needs --campaign NAME: every run that shares the "
            "campaign gives the same name"
        )
    from sesflow.postgres import PostgresJournal

    return PostgresJournal(journal, campaign=campaign, schema=args.journal_schema)


def journal_label(journal: str | PostgresJournal | None) -> str | None:
    """How messages name a journal: its path, or its database and campaign (never the
    password a URL may carry).

    Examples:
        >>> journal_label("spring.journal")
        'spring.journal'
    """
    if journal is None or isinstance(journal, str):
        return journal
    return f"{journal.where} (campaign {journal.campaign})"


def add_journal_options(parser: argparse.ArgumentParser, *, shared_only: bool = False) -> None:
    """`--journal`, `--campaign` and `--journal-schema`, as `send-bulk` takes them (and
    `campaign`, which reads a PostgreSQL journal only: `shared_only`)."""
    if shared_only:
        parser.add_argument(
            "--journal",
            required=True,
            metavar="URL",
            help="the PostgreSQL journal the campaign's runs share (postgresql://...)",
        )
    else:
        parser.add_argument(
            "--journal",
            metavar="FILE|URL",
            help="record every outcome here; a rerun resumes from it. A file (SQLite, one "
            "run at a time), or a postgresql:// URL (shared: runs of one --campaign in "
            "several processes or machines split it)",
        )
    parser.add_argument(
        "--campaign",
        required=shared_only,
        metavar="NAME",
        help="the campaign's name in a PostgreSQL journal (the same in every run sharing it)",
    )
    parser.add_argument(
        "--journal-schema",
        default="sesflow",
        metavar="NAME",
        help="the PostgreSQL schema of the journal's tables (default: sesflow)",
    )


@dataclass(frozen=True, slots=True)
class RowProblem:
    """A row of the recipients file that is not a recipient at all (bad JSON, no email).

    Examples:
        >>> RowProblem(7, "not a JSON object")
        RowProblem(line=7, problem='not a JSON object')
    """

    line: int
    problem: str


def _file_format(path: str, given: str | None) -> str:
    if given is not None:
        return given
    fmt = _FORMATS.get(Path(path).suffix.lower())
    if fmt is None:
        raise CliError(
            f"--recipients: cannot tell the format of {path!r} from its name; use a .csv or "
            ".jsonl file, or give --recipients-format"
        )
    return fmt


@contextmanager
def _open(path: str) -> Iterator[IO[str]]:
    if path == "-":
        yield sys.stdin
        return
    try:
        # utf-8-sig: spreadsheet programs often start a CSV with a byte-order mark.
        stream = open(path, encoding="utf-8-sig", newline="")  # noqa: SIM115 - closed below
    except OSError as exc:
        raise CliError(f"--recipients: cannot read {path!r}: {exc.strerror or exc}") from exc
    with stream:
        yield stream


def _csv_rows(stream: IO[str], path: str) -> Iterator[tuple[int, Recipient | RowProblem]]:
    from sesflow import Recipient

    reader = csv.DictReader(stream)
    try:
        columns = reader.fieldnames or []
    except (UnicodeDecodeError, csv.Error) as exc:
        raise CliError(f"{path}: not a readable CSV file ({exc})") from exc
    email = next((c for c in columns if c.strip().lower() == "email"), None)
    if email is None:
        shown = ", ".join(repr(c) for c in columns) or "none"
        raise CliError(f"{path} has no 'email' column (columns: {shown})")

    def rows() -> Iterator[tuple[int, Recipient | RowProblem]]:
        for row in reader:
            if None in row:
                yield reader.line_num, RowProblem(reader.line_num, "more fields than columns")
                continue
            address = (row.pop(email) or "").strip()
            data = {key: value for key, value in row.items() if key}
            yield reader.line_num, Recipient(address, data=data or None)

    return rows()


def _jsonl_rows(stream: IO[str]) -> Iterator[tuple[int, Recipient | RowProblem]]:
    from sesflow import Recipient

    for number, line in enumerate(stream, 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            yield number, RowProblem(number, f"not valid JSON ({exc.msg})")
            continue
        if not isinstance(item, dict):
            yield number, RowProblem(number, "not a JSON object")
            continue
        unknown = sorted(set(item) - _JSONL_KEYS)
        if unknown:
            yield (
                number,
                RowProblem(number, f"unknown keys {unknown} (expected email, data, tags, headers)"),
            )
            continue
        if not isinstance(item.get("email"), str):
            yield number, RowProblem(number, "no 'email' string")
            continue
        wrong = [k for k in ("data", "tags", "headers") if not isinstance(item.get(k), dict | None)]
        if wrong:
            yield number, RowProblem(number, f"{wrong[0]!r} must be a JSON object")
            continue
        recipient = Recipient(
            item["email"].strip(),
            data=item.get("data"),
            message_tags=item.get("tags"),
            headers=item.get("headers"),
        )
        yield number, recipient


def read_recipients(
    stream: IO[str], path: str, fmt: str
) -> Iterator[tuple[int, Recipient | RowProblem]]:
    """`(line number, Recipient or RowProblem)` for each row, read lazily.

    A CSV file's header is read at once: a file without an `email` column is refused
    (`CliError`) before anything else happens.

    Examples:
        >>> _ = Path("list.csv").write_text("email,name\\nann@example.com,Ann\\n")
        >>> with open("list.csv", newline="") as f:
        ...     first = next(read_recipients(f, "list.csv", "csv"))
        >>> first  # (line number, recipient)
        (2, Recipient(address='ann@example.com', data={'name': 'Ann'}, message_tags=None,
                      headers=None))
    """
    rows = _csv_rows(stream, path) if fmt == "csv" else _jsonl_rows(stream)
    return _readable(rows, path)


def _readable(
    rows: Iterator[tuple[int, Recipient | RowProblem]], path: str
) -> Iterator[tuple[int, Recipient | RowProblem]]:
    # A file that stops decoding halfway is found only when that row is read: make it a
    # one-line error like the others rather than a traceback.
    try:
        yield from rows
    except (UnicodeDecodeError, csv.Error) as exc:
        raise CliError(f"{path}: unreadable after the last good row ({exc})") from exc


def _strict(rows: Iterator[tuple[int, Recipient | RowProblem]], path: str) -> Iterator[Recipient]:
    # In a real run a broken row stops the campaign: what was read is sent, the journal
    # knows who got it, and a rerun after fixing the file resumes.
    for _, row in rows:
        if isinstance(row, RowProblem):
            raise CliError(
                f"{path}, line {row.line}: {row.problem} (--dry-run checks the whole file)"
            )
        yield row


def report_data(report: BulkReport) -> dict[str, Any]:
    """A report as JSON data (every failure included).

    Examples:
        >>> report_data(report)["sent"]
        2
    """
    data: dict[str, Any] = jsonable(report)
    data["rate"] = round(report.rate, 3)
    return data


def rate(text: str) -> float:
    """An argparse type for `--rate`: a number; the library checks it (one check, one
    message: `send_bulk(max_rate=...)` refuses a bad rate before any call).

    Examples:
        >>> rate("50")
        50.0
    """
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None


def report_text(report: BulkReport, *, journal: str | None, fix_first: str | None = None) -> str:
    """A report for people: counts, pace, the first failures, and how to send the rest.

    `fix_first` is what must be done before a rerun can send the rest (a rerun alone would
    stop the same way).

    Examples:
        >>> print(report_text(report, journal=None))
        Sent 2 of 2 recipients in 0.0 s (0.0/s).
          sent 2   failed 0   skipped 0   ambiguous 0   unsent 0
    """
    lines = [
        f"Sent {report.sent:,} of {report.total:,} recipients in {report.duration:,.1f} s "
        f"({report.rate:,.1f}/s).",
        f"  sent {report.sent:,}   failed {report.failed:,}   skipped {report.skipped:,}   "
        f"ambiguous {report.ambiguous:,}   unsent {report.unsent:,}",
    ]
    if report.skipped and journal:
        lines.append(f"  skipped: already sent (or failed for good) according to {journal}")
        if "(campaign " in journal:
            lines[-1] += ", or being sent by another run of the campaign"
    unsent = f"{report.unsent:,}"
    if report.failures:
        rows = [(f.address, f.status, f.error) for f in report.failures[:_SHOWN_FAILURES]]
        lines += ["", render_table(["FAILED", "STATUS", "ERROR"], rows)]
        more = len(report.failures) - _SHOWN_FAILURES
        if more > 0:
            lines.append(f"... and {more:,} more (--json lists them all)")
    if fix_first is not None:
        if report.unsent and journal:
            then = f"Then run the same command again (same --journal) to send the other {unsent}."
        elif not report.sent:
            then = "Then run the same command again."
        else:
            then = (
                f"Then send to the other {unsent}: the same command again would also send to "
                f"the {report.sent:,} already sent (a run with --journal skips them)."
            )
        lines.append(f"\n{fix_first}\n{then}")
    elif report.unsent and journal:
        lines.append(f"\nRun the same command again (same --journal) to send the other {unsent}.")
    return "\n".join(lines)


def _fix_first(exc: BaseException, args: argparse.Namespace, region: str) -> str | None:
    """What to do before a rerun, when the run stopped on something a rerun cannot change."""
    if not isinstance(exc, NotFoundError):
        return None
    said = f"{getattr(exc, 'code', '')} {exc}".lower()
    if "template" in said:
        return (
            f"The template {args.template!r} does not exist in {region}. Create it:\n"
            f"  sesflow template create {args.template} --subject S --html FILE --text FILE\n"
            "(or name an existing one with --template; 'sesflow template list' lists them)"
        )
    if "configuration set" in said or "configuration_set" in said:
        return (
            f"The configuration set {args.configuration_set!r} does not exist in {region}. "
            f"Create it:\n  sesflow config-set create {args.configuration_set}\n"
            "(or leave out --configuration-set)"
        )
    return None


def _dry_run(ctx: Context, rows: Iterator[tuple[int, Recipient | RowProblem]]) -> Result:
    from collections import deque

    from sesflow import CheckVerdict

    args = ctx.args
    sender = ctx.ses.sender(args.from_address, configuration_set=args.configuration_set)
    template_found = ctx.ses.template(args.template).exists()
    out = sys.stdout
    read = valid = skipped = 0
    invalid: list[dict[str, Any]] = []
    given: deque[tuple[int, Recipient]] = deque()  # each recipient handed to check_bulk

    def recipients() -> Iterator[Recipient]:
        # Rows the file itself gets wrong never reach the checks; the others are
        # checked by the library, exactly as send_bulk would check them.
        nonlocal read
        for line, row in rows:
            read += 1
            if isinstance(row, RowProblem):
                invalid.append({"line": line, "email": None, "problem": row.problem})
                continue
            given.append((line, row))
            yield row

    stopped: CliError | None = None
    if ctx.json:
        # Streamed by hand so a file of millions of rows never sits in memory.
        out.write('{\n  "dry_run": true,\n  "recipients": [')
    try:
        checks = sender.check_bulk(
            recipients(), args.template, default_data=args.default_data, journal=journal_of(args)
        )
        for check in checks:
            line, row = given.popleft()
            if check.verdict is CheckVerdict.INVALID:
                invalid.append({"line": line, "email": check.address, "problem": check.reason})
                continue
            if not check.will_send:
                skipped += 1
                if not ctx.json:
                    out.write(f"line {line}: SKIP {check.address}: {check.reason}\n")
                continue
            valid += 1
            data = None if check.data is None else json.loads(check.data)
            if ctx.json:
                item = {
                    "line": line,
                    "email": check.address,
                    "data": data,
                    "tags": row.message_tags,
                }
                if check.verdict is CheckVerdict.AMBIGUOUS:
                    item["note"] = check.reason
                out.write(("\n    " if valid == 1 else ",\n    ") + json.dumps(item))
            else:
                shown = "" if data is None else "  " + json.dumps(data, ensure_ascii=False)
                out.write(f"would send to {check.address}{shown}\n")
    except CliError as exc:
        stopped = exc  # the document still closes, with what was read
    summary = {
        "from": sender.from_address,
        "template": args.template,
        "template_found": template_found,
        "configuration_set": args.configuration_set,
        "read": read,
        "would_send": valid,
        "skipped": skipped,
        "invalid": len(invalid),
        "stopped": None if stopped is None else str(stopped),
    }
    if ctx.json:
        out.write('\n  ],\n  "invalid": [')
        out.write(",".join("\n    " + json.dumps(item) for item in invalid))
        out.write(f'\n  ],\n  "summary": {json.dumps(summary)}\n}}\n')
    else:
        for item in invalid:
            out.write(f"line {item['line']}: INVALID {item['email'] or ''}: {item['problem']}\n")
        found = "found" if template_found else f"NOT FOUND in {ctx.ses.region}"
        skips = f", {skipped:,} skipped (repeats, or finished in the journal)" if skipped else ""
        out.write(
            f"\nDry run: {read:,} rows read, {valid:,} would be sent{skips}, "
            f"{len(invalid):,} invalid; template {args.template} {found}. Nothing was sent.\n"
        )
    out.flush()
    if stopped is None and not template_found:
        stopped = CliError(f"template {args.template!r} does not exist in {ctx.ses.region}")
    if stopped is not None:
        failure = ctx.failure(stopped)
        failure.printed = True
        return failure
    return Result(None, printed=True, code=1 if invalid else 0)


def _send_bulk(ctx: Context) -> Result:
    args = ctx.args
    fmt = _file_format(args.recipients, args.recipients_format)
    with _open(args.recipients) as stream:
        rows = read_recipients(stream, args.recipients, fmt)
        if args.dry_run:
            return _dry_run(ctx, rows)
        journal = journal_of(args)
        label = journal_label(journal)
        sender = ctx.ses.sender(args.from_address, configuration_set=args.configuration_set)
        try:
            report = sender.send_bulk(
                _strict(rows, args.recipients),
                args.template,
                default_data=args.default_data,
                journal=journal,
                progress=not args.no_progress,
                concurrency="auto" if args.concurrency is None else args.concurrency,
                max_rate=args.rate,
                delivery=args.delivery,
            )
        except (SesflowError, CliError, KeyboardInterrupt) as exc:
            partial = partial_report(exc)
            if partial is None:
                raise
            code = interrupt_code(exc) if isinstance(exc, KeyboardInterrupt) else 1
            shown = CliError("interrupted") if isinstance(exc, KeyboardInterrupt) else exc
            return ctx.failure(
                shown,
                data={"report": report_data(partial)},
                text=report_text(
                    partial,
                    journal=label,
                    fix_first=_fix_first(exc, args, ctx.ses.region),
                ),
                code=code,
            )
    text = report_text(report, journal=label)
    if report.failed:
        return ctx.failure(
            CliError(f"{report.failed:,} of {report.total:,} recipients failed"),
            data={"report": report_data(report)},
            text=text,
        )
    return Result({"report": report_data(report)}, text)


def register(commands: Any) -> None:
    """Add `sesflow send-bulk` to the command tree."""
    parser = add_command(
        commands,
        "send-bulk",
        _send_bulk,
        help="send a template to every row of a CSV or JSONL file",
        description=(
            "Send a stored template to every row of --recipients, read one row at a time\n"
            "(constant memory), paced under the account's sending rate, with a progress\n"
            "bar on stderr and a report at the end. With --journal a stopped or crashed\n"
            "run resumes: recipients the journal records as sent are skipped. With a\n"
            "PostgreSQL journal (--journal postgresql://... --campaign NAME) the same\n"
            "command run in several processes or machines splits the campaign; 'sesflow\n"
            "campaign report' reports the whole campaign.\n"
            "\n"
            "recipients files:\n"
            "  .csv    a header row with an 'email' column; the other columns become that\n"
            "          recipient's template data\n"
            '  .jsonl  one JSON object per line: {"email": ..., "data": {...},\n'
            '          "tags": {...}} (data, tags and headers optional)\n'
            "\n"
            "--dry-run reads and checks every row and prints what would be sent, without\n"
            "sending. Exit code 1 when a recipient failed or the run stopped early."
        ),
        epilog=(
            "example:\n"
            "  sesflow send-bulk --from 'News <news@example.com>' --template spring \\\n"
            "      --recipients subscribers.csv --journal spring.journal --rate 50\n"
            "  # several senders of one account, one rate between them:\n"
            "  sesflow send-bulk ... --limiter redis://cache.internal:6379/0"
        ),
    )
    parser.add_argument("--from", dest="from_address", required=True, metavar="ADDR")
    parser.add_argument("--template", required=True, metavar="NAME", help="a stored template")
    parser.add_argument("--recipients", required=True, metavar="FILE", help=".csv or .jsonl")
    parser.add_argument(
        "--recipients-format",
        choices=("csv", "jsonl"),
        help="the file's format, when its name does not say (e.g. - for stdin)",
    )
    parser.add_argument(
        "--default-data",
        type=json_object,
        metavar="JSON|@FILE",
        help="template data for everyone; each row's data is merged over it",
    )
    parser.add_argument(
        "--rate",
        type=rate,
        metavar="R",
        help="recipients per second (default and ceiling: the account's MaxSendRate)",
    )
    add_journal_options(parser)
    parser.add_argument(
        "--dry-run", action="store_true", help="check every row and print what would be sent"
    )
    parser.add_argument("--configuration-set", metavar="NAME")
    parser.add_argument(
        "--concurrency",
        type=int,
        metavar="N",
        help="calls in flight (default: sized from the latency and the rate)",
    )
    parser.add_argument(
        "--delivery",
        choices=("at-least-once", "at-most-once"),
        default="at-least-once",
        help="when an answer is lost: resend (default) or record as failed",
    )
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    add_limiter(parser)
