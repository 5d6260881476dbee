"""The addresses a bulk run without a journal has taken, so a repeat is sent once.

Lists with repeats are normal (CSV exports, merged segments). A run with a journal asks
the journal; a run without one keeps the addresses it took in a private, temporary
SQLite database (`sqlite3.connect("")`: on disk in the temporary directory, deleted when
closed, holding at most a few MB of cache in memory), so memory stays flat for any
number of recipients, where a Python set of a million addresses would take about 100 MB.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

__all__ = ["SeenAddresses"]


class SeenAddresses:
    """A set of addresses on disk, for one run.

    Example:
        >>> seen = SeenAddresses()
        >>> seen.take(["a@example.com", "b@example.com", "a@example.com"])
        [True, True, False]
        >>> seen.take(["b@example.com"])
        [False]
        >>> seen.close()
    """

    def __init__(self) -> None:
        # A private temporary database: nobody else can open it, and nothing of it is
        # left once it is closed (or the process dies: the file is already unlinked).
        self._db = sqlite3.connect("", check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=OFF")
        self._db.execute("PRAGMA synchronous=OFF")
        self._db.execute("CREATE TABLE seen (address TEXT PRIMARY KEY) WITHOUT ROWID")

    def take(self, addresses: Sequence[str]) -> list[bool]:
        """Record `addresses`; for each, True if this is its first time in the run."""
        marks = ",".join("?" * len(addresses))
        known = {
            row[0]
            for row in self._db.execute(
                f"SELECT address FROM seen WHERE address IN ({marks})",  # noqa: S608
                addresses,
            )
        }
        first: list[bool] = []
        new: list[tuple[str]] = []
        for address in addresses:
            fresh = address not in known
            first.append(fresh)
            if fresh:
                known.add(address)
                new.append((address,))
        if new:
            self._db.executemany("INSERT INTO seen (address) VALUES (?)", new)
        return first

    def close(self) -> None:
        """Delete the temporary database."""
        self._db.close()
