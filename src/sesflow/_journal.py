"""The bulk sender's journal: every recipient's outcome, durable across crashes.

A journal is an SQLite file (standard library, WAL mode, created with mode 0600). Before
each `SendBulkEmail` call the journal records the call's recipients as *in flight* (one
row per call); when the answer arrives, it records each recipient's outcome (`sent` with
its message id, or `failed` with SES's status) and forgets the in-flight row, in one
transaction. A call that certainly did not go out (a 429, a 5xx, a refused connection) is
simply forgotten. So a run killed at any instant (SIGKILL included) leaves a journal that
says exactly who certainly got the message (`sent`), and who may have (their call was in
flight: its answer was lost).

When a journal is opened again, the recipients of calls left in flight become
*ambiguous*: a resumed run sends them again under the at-least-once policy (counting
them in `ambiguous`), or records them as failed under at-most-once. Recipients recorded
`sent` or `failed` are skipped.

Only one row per recipient is ever written — its outcome — plus two per call, which keeps
the journal's cost to a fraction of the calls' own.

The journal records which sender and template it was made for, and refuses to be used
for another campaign.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path

from ._errors import ValidationError

__all__ = ["FINAL", "Journal"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS recipients (
    address TEXT PRIMARY KEY,
    state TEXT NOT NULL,
    message_id TEXT,
    status TEXT,
    error TEXT
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS calls (id INTEGER PRIMARY KEY, addresses TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS ambiguous (address TEXT PRIMARY KEY) WITHOUT ROWID;
"""
#: States after which a recipient is never sent again by a resumed run.
FINAL = ("sent", "failed")


class Journal:
    """An open journal file for one campaign.

    Example:
        >>> with Journal.open("campaign.db", campaign="from=a@example.com;template=t") as j:
        ...     j.states(["ann@example.com"])
        {}
    """

    def __init__(self, path: Path, connection: sqlite3.Connection) -> None:
        self.path = path
        self._db = connection
        self._lock = threading.Lock()

    @classmethod
    def open(cls, path: str | os.PathLike[str], *, campaign: str) -> Journal:
        """Open (or create, mode 0600) the journal at `path` for `campaign`.

        Calls an earlier run left in flight turn into ambiguous recipients.

        Raises:
            ValidationError: the journal belongs to another campaign, or is not a journal.
        """
        file = Path(path)
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
        try:
            db = sqlite3.connect(file, check_same_thread=False, isolation_level=None)
            db.execute("PRAGMA journal_mode=WAL")
            # NORMAL is durable against a process crash in WAL mode (not power loss),
            # which is what a killed campaign needs, at a fraction of FULL's cost.
            db.execute("PRAGMA synchronous=NORMAL")
            db.executescript(_SCHEMA)
            row = db.execute("SELECT value FROM meta WHERE key = 'campaign'").fetchone()
        except sqlite3.DatabaseError as exc:
            raise ValidationError(
                f"journal: {str(file)!r} is not a sesflow journal ({exc})", field="journal"
            ) from exc
        if row is None:
            db.execute("INSERT INTO meta (key, value) VALUES ('campaign', ?)", (campaign,))
        elif row[0] != campaign:
            db.close()
            raise ValidationError(
                f"journal: {str(file)!r} was made for another campaign ({row[0]}); this run is "
                f"{campaign}. Use a new journal file for a new campaign.",
                field="journal",
            )
        cls._settle_unfinished(db)
        for suffix in ("-wal", "-shm"):
            side = Path(f"{file}{suffix}")
            if side.exists():
                side.chmod(0o600)
        return cls(file, db)

    @staticmethod
    def _settle_unfinished(db: sqlite3.Connection) -> None:
        """Turn the recipients of calls an earlier run never finished into ambiguous ones."""
        db.execute("BEGIN")
        for (addresses,) in db.execute("SELECT addresses FROM calls").fetchall():
            db.executemany(
                "INSERT OR IGNORE INTO ambiguous (address) VALUES (?)",
                ((a,) for a in addresses.split("\n")),
            )
        db.execute("DELETE FROM calls")
        db.execute("COMMIT")

    def close(self) -> None:
        """Close the file.

        Example:
            >>> journal.close()
        """
        with self._lock:
            self._db.close()

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def states(self, addresses: Sequence[str]) -> dict[str, str]:
        """The state of each of `addresses` the journal knows: `sent`, `failed`, or
        `ambiguous` (in a call an earlier run never finished, and no outcome since)."""
        if not addresses:
            return {}
        marks = ",".join("?" * len(addresses))
        with self._lock:
            rows = self._db.execute(
                f"SELECT address, state FROM recipients WHERE address IN ({marks}) "  # noqa: S608
                f"UNION ALL SELECT address, 'ambiguous' FROM ambiguous WHERE address IN ({marks})",
                (*addresses, *addresses),
            ).fetchall()
        states: dict[str, str] = {}
        for address, state in rows:
            if states.get(address) not in FINAL:
                states[address] = state
        return states

    def begin(self, addresses: Iterable[str]) -> int:
        """Record that a call carrying `addresses` is about to be made; return its id."""
        with self._lock:
            cursor = self._db.execute(
                "INSERT INTO calls (addresses) VALUES (?)", ("\n".join(addresses),)
            )
            call_id = cursor.lastrowid
        assert call_id is not None
        return call_id

    def abandon(self, calls: Iterable[int]) -> None:
        """Forget calls that certainly did not go out."""
        with self._lock:
            self._db.executemany("DELETE FROM calls WHERE id = ?", ((c,) for c in calls))

    def finish(
        self,
        calls: Iterable[int],
        sent: Iterable[tuple[str, str]],
        failed: Iterable[tuple[str, str, str]],
    ) -> None:
        """Record outcomes — `(address, message_id)` sent, `(address, status, error)`
        failed — and forget the answered `calls`, in one transaction."""
        with self._lock:
            self._db.execute("BEGIN")
            self._db.executemany(
                "INSERT INTO recipients (address, state, message_id) VALUES (?, 'sent', ?) "
                "ON CONFLICT (address) DO UPDATE SET state = 'sent', "
                "message_id = excluded.message_id",
                sent,
            )
            self._db.executemany(
                "INSERT INTO recipients (address, state, status, error) "
                "VALUES (?, 'failed', ?, ?) ON CONFLICT (address) DO UPDATE SET "
                "state = 'failed', status = excluded.status, error = excluded.error",
                failed,
            )
            self._db.executemany("DELETE FROM calls WHERE id = ?", ((c,) for c in calls))
            self._db.execute("COMMIT")

    def counts(self) -> dict[str, int]:
        """How many recipients are in each state, and how many calls are in flight.

        Example:
            >>> journal.counts()
            {'sent': 1998, 'failed': 2}
        """
        with self._lock:
            rows = self._db.execute(
                "SELECT state, COUNT(*) FROM recipients GROUP BY state"
            ).fetchall()
            in_flight = self._db.execute("SELECT COUNT(*) FROM calls").fetchone()[0]
            ambiguous = self._db.execute(
                "SELECT COUNT(*) FROM ambiguous WHERE address NOT IN "
                "(SELECT address FROM recipients)"
            ).fetchone()[0]
        counts = dict(rows)
        if in_flight:
            counts["calls_in_flight"] = in_flight
        if ambiguous:
            counts["ambiguous"] = ambiguous
        return counts

    def __repr__(self) -> str:
        return f"Journal({str(self.path)!r})"
