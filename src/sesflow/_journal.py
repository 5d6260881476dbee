"""The bulk sender's journal: every recipient's outcome, durable across crashes.

A journal is an SQLite file (standard library, WAL mode, created with mode 0600). Each
recipient moves `queued` → `sending` → `sent` | `failed`, and each move is committed
before the next step, so a run killed at any instant (SIGKILL included) leaves a
journal that says exactly who certainly got the message (`sent`), who certainly did not
(`queued`), and who may have (`sending`: the request was started, its answer lost).

A later run with the same journal skips `sent` and permanently `failed` recipients and
sends the rest; `sending` ones are resent under the at-least-once policy (and counted as
ambiguous) or recorded as failed under at-most-once.

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

__all__ = ["Journal"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS recipients (
    address TEXT PRIMARY KEY,
    state TEXT NOT NULL,
    run INTEGER NOT NULL DEFAULT 0,
    message_id TEXT,
    status TEXT,
    error TEXT
) WITHOUT ROWID;
"""
# States after which a recipient is never sent again by a resumed run.
FINAL = ("sent", "failed")


class Journal:
    """An open journal file for one campaign.

    Example:
        >>> with Journal.open("campaign.db", campaign="from=a@example.com;template=t") as j:
        ...     j.states(["ann@example.com"])
        {}
    """

    def __init__(self, path: Path, connection: sqlite3.Connection, run: int) -> None:
        self.path = path
        #: This run's number; recipients queued by it carry it, to spot repeats.
        self.run = run
        self._db = connection
        self._lock = threading.Lock()

    @classmethod
    def open(cls, path: str | os.PathLike[str], *, campaign: str) -> Journal:
        """Open (or create, mode 0600) the journal at `path` for `campaign`.

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
        runs = db.execute("SELECT value FROM meta WHERE key = 'runs'").fetchone()
        run = int(runs[0]) + 1 if runs else 1
        db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('runs', ?)", (str(run),))
        for suffix in ("-wal", "-shm"):
            side = Path(f"{file}{suffix}")
            if side.exists():
                side.chmod(0o600)
        return cls(file, db, run)

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

    def states(self, addresses: Sequence[str]) -> dict[str, tuple[str, int]]:
        """`(state, run)` of each of `addresses` that the journal knows."""
        if not addresses:
            return {}
        marks = ",".join("?" * len(addresses))
        with self._lock:
            rows = self._db.execute(
                f"SELECT address, state, run FROM recipients WHERE address IN ({marks})",  # noqa: S608
                tuple(addresses),
            ).fetchall()
        return {address: (state, run) for address, state, run in rows}

    def queue(self, addresses: Iterable[str]) -> None:
        """Record `addresses` as accepted into the run (not yet sent)."""
        with self._lock:
            self._db.execute("BEGIN")
            self._db.executemany(
                "INSERT INTO recipients (address, state, run) VALUES (?, 'queued', ?) "
                "ON CONFLICT (address) DO UPDATE SET state = 'queued', run = excluded.run "
                "WHERE state NOT IN ('sent', 'failed')",
                ((a, self.run) for a in addresses),
            )
            self._db.execute("COMMIT")

    def sending(self, addresses: Iterable[str]) -> None:
        """Record that a request carrying `addresses` is about to be made."""
        with self._lock:
            self._db.execute("BEGIN")
            self._db.executemany(
                "UPDATE recipients SET state = 'sending' WHERE address = ?",
                ((a,) for a in addresses),
            )
            self._db.execute("COMMIT")

    def unsent(self, addresses: Iterable[str]) -> None:
        """Record that a request was certainly not made after all (back to `queued`)."""
        with self._lock:
            self._db.execute("BEGIN")
            self._db.executemany(
                "UPDATE recipients SET state = 'queued' WHERE address = ? AND state = 'sending'",
                ((a,) for a in addresses),
            )
            self._db.execute("COMMIT")

    def outcomes(
        self,
        sent: Iterable[tuple[str, str]],
        failed: Iterable[tuple[str, str, str]],
    ) -> None:
        """Record final outcomes: `(address, message_id)` sent, `(address, status, error)`
        failed — in one transaction."""
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
            self._db.execute("COMMIT")

    def counts(self) -> dict[str, int]:
        """How many recipients are in each state.

        Example:
            >>> journal.counts()
            {'sent': 1998, 'failed': 2}
        """
        with self._lock:
            rows = self._db.execute(
                "SELECT state, COUNT(*) FROM recipients GROUP BY state"
            ).fetchall()
        return dict(rows)

    def __repr__(self) -> str:
        return f"Journal({str(self.path)!r})"
