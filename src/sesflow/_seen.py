"""The addresses a bulk run without a journal has taken, so a repeat is sent once.

Lists with repeats are normal (CSV exports, merged segments). A run with a journal asks
the journal; a run without one keeps the addresses it took here: in memory up to a fixed
budget (`MEMORY_LIMIT` addresses, about 12 MB), then in a private, temporary SQLite
database (`sqlite3.connect("")`: on disk in the temporary directory, deleted when closed,
with a few MB of cache), to which the in-memory set moves in one transaction each time it
fills. Memory therefore stays bounded for any number of recipients (a Python set of a
million addresses would take about 100 MB), and a run that fits the budget pays one set
look-up per address.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Container, Sequence

__all__ = ["MEMORY_LIMIT", "SeenAddresses"]

#: Addresses kept in memory before they move to the temporary database.
MEMORY_LIMIT = 131_072


class SeenAddresses:
    """An exact set of addresses for one run, bounded in memory.

    Examples:
        >>> seen = SeenAddresses()
        >>> seen.take(["a@example.com", "b@example.com", "a@example.com"])
        [True, True, False]
        >>> seen.take(["b@example.com"])
        [False]
        >>> seen.close()
    """

    def __init__(self, *, memory_limit: int = MEMORY_LIMIT) -> None:
        self._memory_limit = max(1, memory_limit)
        self._recent: set[str] = set()
        self._db: sqlite3.Connection | None = None

    def take(self, addresses: Sequence[str]) -> list[bool]:
        """Record `addresses`; for each, True if this is its first time in the run."""
        recent = self._recent
        on_disk = self._on_disk(addresses) if self._db is not None else ()
        batch = set(addresses)
        if not on_disk and len(batch) == len(addresses) and recent.isdisjoint(batch):
            # The common case, in a few C-level set operations: no repeats at all.
            recent |= batch
            first = [True] * len(addresses)
        else:
            first = self._one_by_one(addresses, on_disk)
        if len(recent) > self._memory_limit:
            self._spill()
        return first

    def _one_by_one(self, addresses: Sequence[str], on_disk: Container[str]) -> list[bool]:
        recent = self._recent
        first: list[bool] = []
        for address in addresses:
            fresh = address not in recent and address not in on_disk
            if fresh:
                recent.add(address)
            first.append(fresh)
        return first

    def __len__(self) -> int:
        on_disk = 0
        if self._db is not None:
            on_disk = self._db.execute("SELECT COUNT(*) FROM seen").fetchone()[0]
        return len(self._recent) + on_disk

    def _on_disk(self, addresses: Sequence[str]) -> set[str]:
        assert self._db is not None
        marks = ",".join("?" * len(addresses))
        return {
            row[0]
            for row in self._db.execute(
                f"SELECT address FROM seen WHERE address IN ({marks})",  # noqa: S608
                addresses,
            )
        }

    def _spill(self) -> None:
        """Move the in-memory set to the temporary database, in one transaction."""
        if self._db is None:
            # A private temporary database: nobody else can open it, and nothing of it
            # is left once it is closed.
            self._db = sqlite3.connect("", check_same_thread=False, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=OFF")
            self._db.execute("PRAGMA synchronous=OFF")
            self._db.execute("CREATE TABLE seen (address TEXT PRIMARY KEY) WITHOUT ROWID")
        self._db.execute("BEGIN")
        # Sorted: B-tree inserts in key order touch each page once.
        self._db.executemany(
            "INSERT INTO seen (address) VALUES (?)", ((a,) for a in sorted(self._recent))
        )
        self._db.execute("COMMIT")
        self._recent = set()

    def close(self) -> None:
        """Forget everything; delete the temporary database."""
        self._recent = set()
        if self._db is not None:
            self._db.close()
            self._db = None
