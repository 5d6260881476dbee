"""The bulk sender's journal: every recipient's outcome, durable across crashes.

A journal is an SQLite file (standard library, WAL mode, created with mode 0600). Before
each `SendBulkEmail` call the journal records the call's recipients as *in flight* (one
row per call); when the answer arrives, it records the outcome of each of the call's
recipients as one row for the whole call, which names the calls it settles: a single
`INSERT`, atomic by itself. Two statements per call, each its own transaction, and
compact JSON, are what keep the journal's cost low (every statement also hands the GIL
to the other threads). A call that certainly did not go out (a 429, a 5xx, a refused
connection) is simply forgotten. So a run killed at any instant (SIGKILL included)
leaves a journal that says exactly who certainly got the message (`sent`), and who may
have (their call was in flight, and no outcome names it: its answer was lost).

Recipient states:

- `sent` — SES accepted the message (final);
- `failed` — a permanent failure, e.g. `MESSAGE_REJECTED` (final);
- `deferred` — only transient errors (throttles, 5xx) until this run gave up: a later run
  with the journal tries again;
- `ambiguous` — a call carrying the recipient got no answer: it may have been sent. A
  later run sends it again under at-least-once, or records it under at-most-once.

When a journal is opened, the outcomes of the earlier runs are filed by recipient (one
row each, looked up by address), the calls they settle are forgotten, and the recipients
of calls an earlier run left in flight become `ambiguous`. Repeats within one run are
the bulk sender's business (it keeps the addresses a run took), so during a run the
journal only writes.

One run at a time: a journal is locked for the whole run through its lock file
(`<journal>.lock`, an advisory `flock` that the operating system releases when the
process dies, SIGKILL included). The lock file names the holder (process, host, start)
and also keeps a reserve of disk space: when the disk fills up mid-run, the reserve is
given back so that the outcomes SES already answered can still be written, and the run
stops with `JournalError` instead of losing them.

The journal refuses, before touching them, files that are not SQLite, SQLite databases of
another application (it marks its own with an SQLite `application_id`), damaged files
(`PRAGMA quick_check`), and read-only ones; and a journal made for another sender or
template.

`JournalStore` is what the bulk sender asks of a journal, whatever keeps it: this SQLite
file (one run at a time), or a store shared by concurrent runs of one campaign
(`sesflow.postgres.PostgresJournal`), which a `JournalBackend` opens for each run.
"""

from __future__ import annotations

import errno
import json
import os
import socket
import sqlite3
import sys
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import IO, Any, NamedTuple, Protocol, runtime_checkable

from ._errors import JournalError, JournalInUseError, ValidationError
from ._runtime import THREADS, Runtime

__all__ = [
    "FINAL",
    "Journal",
    "JournalBackend",
    "JournalReader",
    "JournalStore",
    "JournalView",
    "Leftover",
    "decode_outcome",
    "encode_outcome",
    "open_reader",
    "open_store",
    "settled_calls",
]

#: Written into the SQLite header of every journal (`PRAGMA application_id`): "SESF".
APPLICATION_ID = 0x53455346
#: The journal's layout; a journal of another version is refused.
FORMAT_VERSION = 4
#: Bytes of disk kept in reserve by the lock file, given back when the disk fills up.
RESERVE_BYTES = 512 * 1024

_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE recipients (
    address TEXT PRIMARY KEY,
    state TEXT NOT NULL,
    run INTEGER NOT NULL,
    message_id TEXT,
    status TEXT,
    error TEXT
) WITHOUT ROWID;
CREATE TABLE calls (id INTEGER PRIMARY KEY, addresses TEXT NOT NULL);
CREATE TABLE outcomes (
    id INTEGER PRIMARY KEY,
    run INTEGER NOT NULL,
    calls TEXT NOT NULL,
    records TEXT NOT NULL
);
"""
_TABLES = frozenset({"meta", "recipients", "calls", "outcomes"})
#: States after which a recipient is never sent again by a resumed run.
FINAL = frozenset({"sent", "failed"})
_SQLITE_MAGIC = b"SQLite format 3\x00"


class Leftover(NamedTuple):
    """A recipient a run that died (or stopped) left unfinished, taken over by this run."""

    address: str
    #: What the recipient's SES entry carried besides its address (see `JournalStore.claim`).
    payload: str | None
    #: Whether a call carrying it may have gone out (the run died while it was in flight).
    maybe_sent: bool


class JournalStore(Protocol):
    """What a bulk run records in: the extension point every journal backend implements.

    A run *claims* recipients before it sends them (`claim`), records each call before
    making it (`begin`) and its outcomes when the answer arrives (`finish`), forgets a
    call that certainly did not go out (`abandon`), marks one whose answer was lost
    (`lost`), and, once its input is read, takes over what runs that died left
    (`leftovers`). The SQLite `Journal` serves one run at a time; a shared store lets
    concurrent runs of one campaign split it. Every method may raise `JournalError`.
    """

    #: Whether other runs may use the store at the same time. A run then gives each
    #: claim the recipient's payload, so that another run can take it over.
    shared: bool

    def claim(
        self, addresses: Sequence[str], payloads: Sequence[str | None] | None = None
    ) -> dict[str, str]:
        """Take `addresses` (no repeats) for this run.

        Returns the addresses not simply taken, with why: `sent` or `failed` (finished:
        skip it), `busy` (another live run holds it: skip it), or `ambiguous` (taken, but
        a call carrying it may have gone out: resend or record it by the run's policy).
        """
        ...

    def begin(self, addresses: Iterable[str]) -> int:
        """Record that a call carrying `addresses` is about to be made; return its id."""
        ...

    def lost(self, call: int) -> None:
        """The answer to `call` was lost: its recipients may have been sent. The call
        stays in flight until `finish` names it."""
        ...

    def abandon(self, calls: Iterable[int]) -> None:
        """Forget calls that certainly did not go out."""
        ...

    def finish(
        self,
        calls: Iterable[int],
        sent: Iterable[tuple[str, str]] = (),
        failed: Iterable[tuple[str, str, str]] = (),
        *,
        deferred: Iterable[tuple[str, str, str]] = (),
        ambiguous: Iterable[str] = (),
    ) -> None:
        """Record outcomes and settle the `calls` they answer (see `Journal.finish`)."""
        ...

    def leftovers(self, limit: int) -> list[Leftover] | None:
        """Take over up to `limit` recipients that runs which died left unfinished.

        `[]` when there are none and no other live run holds any (the campaign is done,
        as far as this run can help); None when none can be taken yet but another live
        run still holds some (the store waited a little: ask again).
        """
        ...

    def close(self) -> None:
        """Write what is pending and end the run."""
        ...


class JournalReader(Protocol):
    """A journal read without changing it (`Sender.check_bulk`)."""

    def state(self, address: str) -> str | None:
        """`sent`, `failed`, `deferred`, `ambiguous`, `busy` (another live run is sending
        it), or None if no run took it."""
        ...

    def close(self) -> None: ...


@runtime_checkable
class JournalBackend(Protocol):
    """A journal that is not a file: it opens a `JournalStore` for each run
    (`sesflow.postgres.PostgresJournal`)."""

    def _open_run(self, identity: str, *, runtime: Runtime = THREADS) -> JournalStore:
        """Open the store for one run that sends `identity` (sender and template, as
        `campaign_of` writes them); refuse, before any call, a campaign made for another.

        The store is used with `runtime` (`sesflow.aio`'s runs on an event loop): it
        waits with that runtime's primitives, or runs its I/O through its `offload`."""
        ...

    def _view(self, identity: str, *, runtime: Runtime = THREADS) -> JournalReader:
        """A read-only view of the campaign, for `check_bulk` (used with `runtime`)."""
        ...


def open_store(
    journal: str | os.PathLike[str] | JournalBackend,
    *,
    identity: str,
    runtime: Runtime = THREADS,
) -> JournalStore:
    """The store a run records in: the SQLite journal at a path, or a backend's; ready to
    be used with `runtime` (on an event loop, the SQLite journal's work runs in worker
    threads; a backend decides for itself: PostgreSQL's runs on the loop)."""
    if isinstance(journal, JournalBackend):
        return journal._open_run(identity, runtime=runtime)
    return runtime.offload(runtime.blocking(Journal.open, journal, campaign=identity))


def open_reader(
    journal: str | os.PathLike[str] | JournalBackend,
    *,
    identity: str,
    runtime: Runtime = THREADS,
) -> JournalReader:
    """A read-only view of the journal (`check_bulk`), used with `runtime` (on an event
    loop, the SQLite file is read in worker threads)."""
    if isinstance(journal, JournalBackend):
        return journal._view(identity, runtime=runtime)
    return runtime.offload(runtime.blocking(JournalView.open, journal, campaign=identity))


class Journal:
    """An open, locked journal file for one campaign.

    Examples:
        >>> with Journal.open("campaign.db", campaign="from=a@example.com;template=t") as j:
        ...     j.states(["ann@example.com"])
        {}
    """

    def __init__(
        self, path: Path, connection: sqlite3.Connection, lock: _LockFile, run: int
    ) -> None:
        self.path = path
        self.run = run
        #: Whether earlier runs recorded any recipient (if not, nothing needs looking up).
        self.has_history = (
            connection.execute("SELECT 1 FROM recipients LIMIT 1").fetchone() is not None
        )
        self._db = connection
        self._lockfile = lock
        self._lock = threading.Lock()
        # Outcomes SES answered that could not be written yet (the disk was full):
        # kept until they are, and written before anything else. `(calls, records)`.
        self._unwritten: list[tuple[str, str]] = []
        self._closed = False

    # Opening

    @classmethod
    def open(cls, path: str | os.PathLike[str], *, campaign: str) -> Journal:
        """Lock, check and open (or create, mode 0600) the journal at `path` for `campaign`.

        Calls an earlier run left in flight turn into ambiguous recipients.

        Raises:
            JournalInUseError: another run holds the journal (it names the holder).
            JournalError: not a sesflow journal (another application's database, a
                damaged or truncated file), read-only, or no room on the disk.
            ValidationError: the journal belongs to another campaign, or the path is
                not usable.
        """
        file = Path(path)
        if file.exists() and not file.is_file():
            raise ValidationError(f"journal: {str(file)!r} is not a file", field="journal")
        lock = _LockFile.acquire(file)
        try:
            _check_header(file)
            db = _connect(file)
            try:
                run = _prepare(db, file, campaign)
            except BaseException:
                db.close()
                raise
        except BaseException:
            lock.release()
            raise
        for suffix in ("-wal", "-shm"):
            side = Path(f"{file}{suffix}")
            if side.exists():
                side.chmod(0o600)
        return cls(file, db, lock, run)

    # Reading

    def states(self, addresses: Sequence[str]) -> dict[str, tuple[str, int]]:
        """`(state, run)` for each of `addresses` the journal knows from finished runs
        (this run's outcomes are filed when the journal is opened again, or by `counts`)."""
        if not addresses:
            return {}
        marks = ",".join("?" * len(addresses))
        with self._lock, self._errors("reading"):
            rows = self._db.execute(
                f"SELECT address, state, run FROM recipients WHERE address IN ({marks})",  # noqa: S608
                addresses,
            ).fetchall()
        return {address: (state, run) for address, state, run in rows}

    # The JournalStore protocol, for a file only one run uses at a time.

    #: One run at a time (the lock file): no other run can take a recipient over.
    shared = False

    def claim(
        self, addresses: Sequence[str], payloads: Sequence[str | None] | None = None
    ) -> dict[str, str]:
        """What earlier runs did with `addresses` (`JournalStore.claim`): finished ones
        (`sent`, `failed`) and `ambiguous` ones; a `deferred` one is simply taken again."""
        if not self.has_history:
            return {}
        return {a: state for a, (state, _) in self.states(addresses).items() if state != "deferred"}

    def lost(self, call: int) -> None:
        """Nothing to do: the call stays in flight until an outcome names it."""

    def leftovers(self, limit: int) -> list[Leftover] | None:
        """Nothing, ever: no other run uses the file meanwhile."""
        return []

    def counts(self) -> dict[str, int]:
        """How many recipients are in each state, and how many calls are in flight.

        Examples:
            >>> _ = sender.send_bulk(recipients, "welcome", journal="welcome.journal")
            >>> campaign = "from=news@example.com;template=welcome"
            >>> with Journal.open("welcome.journal", campaign=campaign) as journal:
            ...     journal.counts()
            {'sent': 2}
        """
        with self._lock, self._errors("reading"):
            self._write_unwritten()
            with self._transaction():
                _file_outcomes(self._db)
            rows = self._db.execute(
                "SELECT state, COUNT(*) FROM recipients GROUP BY state ORDER BY state"
            ).fetchall()
            in_flight = self._db.execute("SELECT COUNT(*) FROM calls").fetchone()[0]
        counts = dict(rows)
        if in_flight:
            counts["calls_in_flight"] = in_flight
        return counts

    # Writing

    def begin(self, addresses: Iterable[str]) -> int:
        """Record that a call carrying `addresses` is about to be made; return its id.

        Durable when it returns: the call may be made.
        """
        with self._lock, self._errors("recording a call before making it"):
            self._write_unwritten()
            cursor = self._db.execute(
                "INSERT INTO calls (addresses) VALUES (?)", ("\n".join(addresses),)
            )
            call_id = cursor.lastrowid
        assert call_id is not None
        return call_id

    def abandon(self, calls: Iterable[int]) -> None:
        """Forget calls that certainly did not go out."""
        with self._lock, self._errors("forgetting a call that did not go out"):
            self._db.executemany("DELETE FROM calls WHERE id = ?", ((c,) for c in calls))

    def finish(
        self,
        calls: Iterable[int],
        sent: Iterable[tuple[str, str]] = (),
        failed: Iterable[tuple[str, str, str]] = (),
        *,
        deferred: Iterable[tuple[str, str, str]] = (),
        ambiguous: Iterable[str] = (),
    ) -> None:
        """Record outcomes and forget the answered `calls`, in one transaction.

        `sent`: `(address, message_id)`; `failed` (permanent) and `deferred` (transient,
        retried by a later run): `(address, status, error)`; `ambiguous`: addresses that
        may have been sent. If the disk is full, the outcomes are kept, the disk reserve
        is given back to write them, and `JournalError` says the run must stop.
        """
        records = encode_outcome(sent, failed, deferred, ambiguous)
        with self._lock:
            self._unwritten.append((" ".join(map(str, calls)), records))
            with self._errors("recording outcomes SES answered"):
                self._write_unwritten()

    def _write_unwritten(self) -> None:
        # Called with the lock held. Everything pending goes in one transaction.
        pending = self._unwritten
        if not pending:
            return
        rows = [(self.run, calls, records) for calls, records in pending]
        insert = "INSERT INTO outcomes (run, calls, records) VALUES (?, ?, ?)"
        if len(rows) == 1:
            self._db.execute(insert, rows[0])  # one statement: atomic by itself
        else:
            with self._transaction():
                self._db.executemany(insert, rows)
        pending.clear()

    @property
    def unwritten(self) -> int:
        """Outcomes SES answered that are not written yet (non-zero only after an error)."""
        with self._lock:
            return self._unwritten_count()

    def _unwritten_count(self) -> int:
        # Called with the lock held (or after an error, by the thread that holds it).
        return sum(len(decode_outcome(0, records)) for _, records in self._unwritten)

    def close(self) -> None:
        """Write what is pending, close the file, and release the lock.

        Raises:
            JournalError: outcomes SES answered could not be written (they are named
                in the message as a count; a later run sends those recipients again
                as ambiguous).

        Examples:
            >>> journal = Journal.open("campaign.db", campaign="from=a@example.com;template=t")
            >>> journal.close()
        """
        with self._lock:
            if self._closed:
                return
            self._closed = True
            try:
                with self._errors("recording outcomes SES answered"):
                    self._write_unwritten()
            finally:
                try:
                    self._db.close()
                finally:
                    self._lockfile.release()

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Journal({str(self.path)!r})"

    # Error handling: every transaction ends; every SQLite error is named.

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            # SQLite may already have rolled back (it does on some disk-full errors).
            if self._db.in_transaction:
                self._db.execute("ROLLBACK")
            raise
        try:
            self._db.execute("COMMIT")
        except BaseException:
            if self._db.in_transaction:
                self._db.execute("ROLLBACK")
            raise

    @contextmanager
    def _errors(self, doing: str) -> Iterator[None]:
        try:
            yield
        except sqlite3.Error as exc:
            if _is_disk_full(exc) and self._lockfile.give_back_reserve():
                # The reserve is free now: the outcomes SES answered can still be
                # written; the run must stop all the same.
                with suppress(sqlite3.Error):
                    self._write_unwritten()
                raise self._error(exc, doing) from exc
            raise self._error(exc, doing) from exc

    def _error(self, exc: sqlite3.Error, doing: str) -> JournalError:
        pending = self._unwritten_count()
        lost = (
            f" {pending} outcomes SES answered could not be written: a later run treats "
            "those recipients as ambiguous."
            if pending
            else " Every outcome SES answered is recorded: resume with the same journal."
        )
        return JournalError(
            f"journal {str(self.path)!r}: {_cause(exc)} while {doing}; the run stopped.{lost}",
            path=str(self.path),
        )


def _is_disk_full(exc: sqlite3.Error) -> bool:
    code = getattr(exc, "sqlite_errorcode", None)
    return code == sqlite3.SQLITE_FULL or "disk is full" in str(exc)


def _cause(exc: BaseException) -> str:
    """The real cause of an SQLite error, in words a user can act on."""
    text = str(exc)
    code = getattr(exc, "sqlite_errorcode", None)
    if code == sqlite3.SQLITE_FULL or "disk is full" in text:
        return "the disk is full"
    if code == sqlite3.SQLITE_READONLY or "readonly" in text:
        return "the file is read-only (check its permissions and its directory's)"
    if code in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB) or "malformed" in text:
        return "the file is damaged"
    if code == sqlite3.SQLITE_CANTOPEN or "unable to open" in text:
        return "the file cannot be opened (check its directory's permissions)"
    if code == sqlite3.SQLITE_IOERR or "disk I/O error" in text:
        return f"a disk I/O error ({text})"
    return f"SQLite error: {text}"


# Opening, step by step


def _check_header(file: Path) -> None:
    """Refuse, without touching it, a file that is not a sesflow journal."""
    try:
        with file.open("rb") as stream:
            header = stream.read(100)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise JournalError(
            f"journal {str(file)!r}: cannot read it: {exc.strerror}", path=str(file)
        ) from exc
    if not header:
        return  # empty: created by an earlier open that stopped before writing
    if not header.startswith(_SQLITE_MAGIC) or len(header) < 100:
        raise JournalError(
            f"journal {str(file)!r} is not a sesflow journal (not an SQLite database: "
            "another kind of file, or a damaged one); sesflow leaves it untouched. Give a "
            "new path for a new journal.",
            path=str(file),
        )
    application_id = int.from_bytes(header[68:72], "big")
    if application_id != APPLICATION_ID:
        raise JournalError(
            f"journal {str(file)!r} is another application's SQLite database "
            f"(application_id {application_id:#x}), not a sesflow journal; sesflow leaves it "
            "untouched. Give a new path for a new journal.",
            path=str(file),
        )


def _connect(file: Path) -> sqlite3.Connection:
    if not file.exists():
        # Create it private before SQLite writes a byte: it holds recipient addresses.
        try:
            fd = os.open(file, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        except OSError as exc:
            raise ValidationError(
                f"journal: cannot create {str(file)!r}: {exc.strerror}", field="journal"
            ) from exc
        else:
            os.close(fd)
    if not os.access(file, os.W_OK):
        raise JournalError(
            f"journal {str(file)!r}: the file is read-only (no write permission); a journal "
            "must be writable to record outcomes.",
            path=str(file),
        )
    try:
        db = sqlite3.connect(file, check_same_thread=False, isolation_level=None)
    except sqlite3.Error as exc:
        raise JournalError(f"journal {str(file)!r}: {_cause(exc)}", path=str(file)) from exc
    return db


def _prepare(db: sqlite3.Connection, file: Path, campaign: str) -> int:
    """Check or create the schema, settle an earlier run's calls; return this run's id."""
    try:
        fresh = db.execute("SELECT COUNT(*) FROM sqlite_schema").fetchone()[0] == 0
        if not fresh:
            check = db.execute("PRAGMA quick_check").fetchone()[0]
            if check != "ok":
                raise JournalError(
                    f"journal {str(file)!r} is damaged (SQLite quick_check: {check}); sesflow "
                    "will not send from it. Restore it from a copy, or start a new journal "
                    "(the recipients it recorded would then be sent again).",
                    path=str(file),
                )
            tables = {row[0] for row in db.execute("SELECT name FROM sqlite_schema")}
            if not tables >= _TABLES:
                raise JournalError(
                    f"journal {str(file)!r} is not a sesflow journal (tables {sorted(tables)})",
                    path=str(file),
                )
        if fresh:
            # Marked before WAL mode, so the mark is in the main file's header at once
            # (in WAL mode it would wait in the -wal file until a checkpoint).
            db.execute(f"PRAGMA application_id={APPLICATION_ID}")
        db.execute("PRAGMA journal_mode=WAL")
        # NORMAL is durable against a process crash in WAL mode (not power loss),
        # which is what a killed campaign needs, at a fraction of FULL's cost.
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute("BEGIN IMMEDIATE")
        try:
            if fresh:
                for statement in _SCHEMA.split(";"):
                    if statement.strip():
                        db.execute(statement)
                db.executemany(
                    "INSERT INTO meta (key, value) VALUES (?, ?)",
                    [("format", str(FORMAT_VERSION)), ("campaign", campaign), ("runs", "0")],
                )
            meta = _checked_meta(db, file, campaign)
            run = int(meta.get("runs", "0")) + 1
            db.execute("UPDATE meta SET value = ? WHERE key = 'runs'", (str(run),))
            _file_outcomes(db)
            _settle_unfinished(db)
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise
    except sqlite3.Error as exc:
        raise JournalError(f"journal {str(file)!r}: {_cause(exc)}", path=str(file)) from exc
    return run


def encode_outcome(
    sent: Iterable[tuple[str, str]],
    failed: Iterable[tuple[str, str, str]] = (),
    deferred: Iterable[tuple[str, str, str]] = (),
    ambiguous: Iterable[str] = (),
) -> str:
    """One call's outcomes as compact JSON: flat lists of strings for the common case (the
    sent addresses and their message ids), which the JSON encoder writes fastest.

    Examples:
        >>> encode_outcome([("ann@example.com", "0100-a")], [("bob@example.com", "X", "no")])
        '{"sent":["ann@example.com"],"ids":["0100-a"],"failed":[["bob@example.com","X","no"]]}'
    """
    record: dict[str, list[Any]] = {}
    pairs = list(sent)
    if pairs:
        record["sent"] = [address for address, _ in pairs]
        record["ids"] = [message_id for _, message_id in pairs]
    for key, values in (("failed", failed), ("deferred", deferred)):
        rows = [list(row) for row in values]
        if rows:
            record[key] = rows
    unknown = list(ambiguous)
    if unknown:
        record["ambiguous"] = unknown
    return json.dumps(record, separators=(",", ":"))


def decode_outcome(run: int, records: str) -> list[tuple[Any, ...]]:
    """`(address, state, run, message_id, status, error)` rows of one outcome record.

    Raises:
        sqlite3.DatabaseError: the record is damaged (a damaged page inside a record
            passes SQLite's structural check).
    """
    try:
        record = json.loads(records)
        sent, ids = record.get("sent", []), record.get("ids", [])
        if len(sent) != len(ids):
            raise ValueError("sent addresses and message ids differ in number")
        rows: list[tuple[Any, ...]] = [
            (str(a), "sent", run, str(m), None, None) for a, m in zip(sent, ids, strict=True)
        ]
        for state in ("failed", "deferred"):
            rows += [
                (str(a), state, run, None, str(st), str(e)) for a, st, e in record.get(state, [])
            ]
        rows += [(str(a), "ambiguous", run, None, None, None) for a in record.get("ambiguous", [])]
    except (ValueError, TypeError, AttributeError) as exc:
        raise sqlite3.DatabaseError(f"database disk image is malformed ({exc})") from exc
    return rows


def settled_calls(calls: str) -> list[int]:
    """The call ids an outcome row settles (raises `sqlite3.DatabaseError` if damaged)."""
    try:
        return [int(c) for c in calls.split()]
    except (ValueError, AttributeError) as exc:
        raise sqlite3.DatabaseError(f"database disk image is malformed ({exc})") from exc


def _checked_meta(db: sqlite3.Connection, file: Path, campaign: str) -> dict[str, str]:
    """The journal's `meta` table, refused unless of this format and this campaign."""
    meta = dict(db.execute("SELECT key, value FROM meta").fetchall())
    if meta.get("format") != str(FORMAT_VERSION):
        raise JournalError(
            f"journal {str(file)!r} has format {meta.get('format')!r}; this sesflow "
            f"reads format {FORMAT_VERSION}",
            path=str(file),
        )
    if meta.get("campaign") != campaign:
        raise ValidationError(
            f"journal: {str(file)!r} was made for another campaign "
            f"({meta.get('campaign')}); this run is {campaign}. Use a new journal "
            "file for a new campaign.",
            field="journal",
        )
    return meta


def _file_outcomes(db: sqlite3.Connection) -> None:
    """File the per-call outcome rows by recipient (a later outcome replaces an earlier),
    and forget the calls they settle."""
    rows = db.execute("SELECT run, calls, records FROM outcomes ORDER BY id").fetchall()
    for run, calls, records in rows:
        db.executemany(
            "INSERT OR REPLACE INTO recipients (address, state, run, message_id, status, error) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            decode_outcome(run, records),
        )
        db.executemany("DELETE FROM calls WHERE id = ?", ((c,) for c in settled_calls(calls)))
    if rows:
        db.execute("DELETE FROM outcomes")


def _settle_unfinished(db: sqlite3.Connection) -> None:
    """Turn the recipients of calls an earlier run never finished into ambiguous ones."""
    for (addresses,) in db.execute("SELECT addresses FROM calls").fetchall():
        db.executemany(
            "INSERT INTO recipients (address, state, run) VALUES (?, 'ambiguous', 0) "
            "ON CONFLICT (address) DO UPDATE SET state = 'ambiguous' "
            "WHERE state NOT IN ('sent', 'failed')",
            ((a,) for a in addresses.split("\n") if a),
        )
    db.execute("DELETE FROM calls")


class _LockFile:
    """`<journal>.lock`: the run's exclusive lock, its holder, and a disk reserve."""

    def __init__(self, path: Path, stream: IO[bytes]) -> None:
        self.path = path
        self._stream = stream
        self._reserved = False

    @classmethod
    def acquire(cls, journal: Path) -> _LockFile:
        path = Path(f"{journal}.lock")
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as exc:
            if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
                raise JournalError(
                    f"journal {str(journal)!r}: its place is read-only ({exc.strerror}: "
                    f"{str(path)!r}); a journal must be writable to record outcomes.",
                    path=str(journal),
                ) from exc
            raise ValidationError(
                f"journal: cannot create {str(path)!r}: {exc.strerror}", field="journal"
            ) from exc
        stream = os.fdopen(fd, "r+b")
        try:
            _lock(stream)
        except BlockingIOError:
            holder = _holder(stream)
            stream.close()
            raise JournalInUseError(
                f"journal {str(journal)!r} is in use by another run ({holder}); one run at a "
                "time may use a journal. Wait for it to finish, or stop it (it resumes "
                "cleanly).",
                path=str(journal),
                holder=holder,
            ) from None
        except BaseException:
            stream.close()
            raise
        lock = cls(path, stream)
        try:
            lock._write_holder()
            lock._reserve()
        except BaseException:
            lock.release()
            raise
        return lock

    def _write_holder(self) -> None:
        info = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "since": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        }
        self._stream.seek(0)
        self._stream.truncate()
        self._stream.write(json.dumps(info).encode() + b"\n")
        self._stream.flush()

    def _reserve(self) -> None:
        """Keep RESERVE_BYTES of real (not sparse) disk for the outcomes of a full disk."""
        fd = self._stream.fileno()
        start = os.fstat(fd).st_size
        try:
            if hasattr(os, "posix_fallocate"):
                os.posix_fallocate(fd, start, RESERVE_BYTES)
            else:  # pragma: no cover - platforms without posix_fallocate
                self._stream.seek(start)
                self._stream.write(b"\0" * RESERVE_BYTES)
                self._stream.flush()
                os.fsync(fd)
        except OSError as exc:
            raise JournalError(
                f"journal {str(self.path)[:-5]!r}: cannot keep {RESERVE_BYTES // 1024} KiB of "
                f"disk in reserve next to it ({exc.strerror}); free some space first.",
                path=str(self.path)[:-5],
            ) from exc
        self._reserved = True

    def give_back_reserve(self) -> bool:
        """Free the reserve (keeping the lock); True if there was one to free."""
        if not self._reserved:
            return False
        self._reserved = False
        self._write_holder()  # truncates the file to the holder line
        return True

    def release(self) -> None:
        try:
            if not self._stream.closed:
                self._stream.seek(0)
                self._stream.truncate()
        except OSError:
            pass
        finally:
            self._stream.close()  # closing the file releases the lock


def _lock(stream: IO[bytes]) -> None:
    """Take the lock without waiting; `BlockingIOError` if another run holds it."""
    if sys.platform == "win32":  # pragma: no cover - not tested here
        import msvcrt

        try:
            msvcrt.locking(stream.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError as exc:
            raise BlockingIOError(str(exc)) from exc
    else:
        import fcntl

        # flock, not fcntl's POSIX locks: it conflicts between two opens in one process
        # too, and the operating system drops it when the process dies.
        fcntl.flock(stream.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)


def _holder(stream: IO[bytes]) -> str:
    try:
        stream.seek(0)
        info = json.loads(stream.readline(4096).decode())
        return f"process {info['pid']} on {info['host']}, since {info['since']}"
    except (OSError, ValueError, KeyError, TypeError):
        return "holder unknown"


class JournalView:
    """A journal read as it is, changing nothing and taking no lock: what a run would
    find in it (for `Sender.check_bulk`). A run using it meanwhile is not disturbed
    (SQLite's WAL mode lets readers and one writer work at once).

    Examples:
        >>> _ = sender.send_bulk(recipients, "welcome", journal="welcome.journal")
        >>> campaign = "from=news@example.com;template=welcome"
        >>> with JournalView.open("welcome.journal", campaign=campaign) as view:
        ...     view.state("ann@example.com")
        'sent'
    """

    def __init__(self, db: sqlite3.Connection | None, recent: dict[str, str]) -> None:
        self._db = db
        self._recent = recent

    @classmethod
    def open(cls, path: str | os.PathLike[str], *, campaign: str) -> JournalView:
        """Open the journal at `path` read-only; a missing file reads as empty.

        Raises:
            JournalError: not a sesflow journal, or damaged.
            ValidationError: the journal belongs to another campaign.
        """
        file = Path(path)
        if not file.exists():
            return cls(None, {})
        _check_header(file)
        try:
            # Read by one caller at a time, from whichever worker thread sesflow.aio uses.
            db = sqlite3.connect(
                f"{file.resolve().as_uri()}?mode=ro", uri=True, check_same_thread=False
            )
        except sqlite3.Error as exc:
            raise JournalError(f"journal {str(file)!r}: {_cause(exc)}", path=str(file)) from exc
        try:
            _checked_meta(db, file, campaign)
            # What the next open would file: the last run's outcomes, then its calls
            # left in flight (ambiguous unless an outcome finished the recipient).
            recent: dict[str, str] = {}
            settled: set[int] = set()
            for run, calls, records in db.execute(
                "SELECT run, calls, records FROM outcomes ORDER BY id"
            ):
                for address, state, *_ in decode_outcome(run, records):
                    recent[address] = state
                settled.update(settled_calls(calls))
            for call, addresses in db.execute("SELECT id, addresses FROM calls"):
                if call in settled:
                    continue
                for address in addresses.split("\n"):
                    if address and recent.get(address) not in FINAL:
                        recent[address] = "ambiguous"
        except sqlite3.Error as exc:
            db.close()
            raise JournalError(f"journal {str(file)!r}: {_cause(exc)}", path=str(file)) from exc
        except BaseException:
            db.close()
            raise
        return cls(db, recent)

    def state(self, address: str) -> str | None:
        """`sent`, `failed`, `deferred`, `ambiguous`, or None if the journal never saw it."""
        state = self._recent.get(address)
        if state is not None or self._db is None:
            return state
        row = self._db.execute(
            "SELECT state FROM recipients WHERE address = ?", (address,)
        ).fetchone()
        return None if row is None else str(row[0])

    def close(self) -> None:
        if self._db is not None:
            self._db.close()

    def __enter__(self) -> JournalView:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
