"""The journal: private, durable, locked, one campaign per file, one row per recipient."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import fill_disk
from sesflow import JournalError, JournalInUseError, ValidationError
from sesflow._journal import RESERVE_BYTES, Journal


def test_created_private_in_wal_mode(tmp_path: Path) -> None:
    path = tmp_path / "c.journal"
    with Journal.open(path, campaign="a") as journal:
        journal.begin(["x@example.com"])
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        wal = Path(f"{path}-wal")
        assert stat.S_IMODE(wal.stat().st_mode) == 0o600
        lock = Path(f"{path}.lock")
        assert stat.S_IMODE(lock.stat().st_mode) == 0o600
    mode = sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"


def test_outcomes_and_calls_in_flight(tmp_path: Path) -> None:
    path = tmp_path / "c.journal"
    with Journal.open(path, campaign="a") as journal:
        assert journal.run == 1
        answered = journal.begin(["a@x.com", "b@x.com"])
        journal.finish([answered], [("a@x.com", "m-1")], [("b@x.com", "MESSAGE_REJECTED", "no")])
        refused = journal.begin(["c@x.com"])
        journal.abandon([refused])  # a 429: certainly not sent
        journal.begin(["d@x.com", "e@x.com"])  # the process dies before the answer
        # During a run, outcomes are written one row per call, and looked up by address
        # only once filed (by counts() here, or by the next open).
        assert journal.states(["a@x.com", "b@x.com"]) == {}
        assert journal.counts() == {"sent": 1, "failed": 1, "calls_in_flight": 1}
        assert journal.states(["a@x.com", "b@x.com", "c@x.com", "d@x.com"]) == {
            "a@x.com": ("sent", 1),
            "b@x.com": ("failed", 1),
        }
    with Journal.open(path, campaign="a") as journal:
        assert journal.run == 2
        # The unanswered call's recipients are ambiguous now; the refused one is unknown.
        assert journal.states(["a@x.com", "c@x.com", "d@x.com", "e@x.com"]) == {
            "a@x.com": ("sent", 1),
            "d@x.com": ("ambiguous", 0),
            "e@x.com": ("ambiguous", 0),
        }
        assert journal.counts() == {"ambiguous": 2, "failed": 1, "sent": 1}
        assert journal.has_history
        resent = journal.begin(["d@x.com"])
        journal.finish([resent], [("d@x.com", "m-2")], [])
    with Journal.open(path, campaign="a") as journal:
        assert journal.states(["d@x.com"]) == {"d@x.com": ("sent", 2)}  # an outcome wins


def test_transient_failures_are_deferred_not_final(tmp_path: Path) -> None:
    path = tmp_path / "c.journal"
    with Journal.open(path, campaign="a") as journal:
        call = journal.begin(["t@x.com", "l@x.com"])
        journal.finish(
            [call],
            deferred=[("t@x.com", "TRANSIENT_FAILURE", "503")],
            ambiguous=["l@x.com"],
        )
        assert not journal.has_history
    with Journal.open(path, campaign="a") as journal:
        assert journal.states(["t@x.com", "l@x.com"]) == {
            "t@x.com": ("deferred", 1),
            "l@x.com": ("ambiguous", 1),
        }
    # An earlier run's in-flight call never downgrades a final outcome.
    with Journal.open(path, campaign="a") as journal:
        call = journal.begin(["s@x.com"])
        journal.finish([call], [("s@x.com", "m")])
        journal.begin(["s@x.com"])  # sent again by mistake, then killed
    with Journal.open(path, campaign="a") as journal:
        assert journal.states(["s@x.com"]) == {"s@x.com": ("sent", 3)}


def test_another_campaign_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "c.journal"
    Journal.open(path, campaign="from=a@x.com;template=welcome").close()
    with pytest.raises(ValidationError, match="another campaign") as caught:
        Journal.open(path, campaign="from=a@x.com;template=promo")
    assert caught.value.field == "journal"


def test_a_file_that_is_not_sqlite_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("x" * 200)
    with pytest.raises(JournalError, match="not a sesflow journal") as caught:
        Journal.open(path, campaign="a")
    assert caught.value.path == str(path)
    assert path.read_text() == "x" * 200


def test_another_applications_database_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "app.db"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT)")
    db.execute("INSERT INTO users (email) VALUES ('a@x.com')")
    db.commit()
    db.close()
    before = path.read_bytes()
    with pytest.raises(JournalError, match="another application's SQLite database"):
        Journal.open(path, campaign="a")
    assert path.read_bytes() == before  # no table added, no journal mode changed
    tables = {r[0] for r in sqlite3.connect(path).execute("SELECT name FROM sqlite_schema")}
    assert tables == {"users"}


def _journal_with_rows(path: Path, count: int) -> None:
    with Journal.open(path, campaign="a") as journal:
        for start in range(0, count, 50):
            batch = [f"user{i}@example.com" for i in range(start, start + 50)]
            call = journal.begin(batch)
            journal.finish([call], [(a, "m" * 60) for a in batch])
    db = sqlite3.connect(path)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()


def test_a_damaged_journal_is_refused_before_use(tmp_path: Path) -> None:
    path = tmp_path / "c.journal"
    _journal_with_rows(path, 2000)
    page = sqlite3.connect(path).execute("PRAGMA page_size").fetchone()[0]
    size = path.stat().st_size
    assert size > 8 * page
    with path.open("r+b") as stream:  # zero a page in the middle of the recipients
        stream.seek((size // page // 2) * page)
        stream.write(b"\0" * page)
    with pytest.raises(JournalError, match="damaged"):
        Journal.open(path, campaign="a")


def test_a_truncated_header_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "c.journal"
    _journal_with_rows(path, 50)
    path.write_bytes(path.read_bytes()[:50])
    with pytest.raises(JournalError, match="not a sesflow journal"):
        Journal.open(path, campaign="a")


def test_an_unwritable_place_is_a_validation_error(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="cannot create"):
        Journal.open(tmp_path / "missing-dir" / "j", campaign="a")


def test_a_read_only_journal_says_so(small_disk: Path, read_only_disk: Callable[[], None]) -> None:
    path = small_disk / "c.journal"
    _journal_with_rows(path, 50)
    read_only_disk()
    with pytest.raises(JournalError, match="read-only"):
        Journal.open(path, campaign="a")


def test_a_second_open_is_refused_and_names_the_holder(tmp_path: Path) -> None:
    path = tmp_path / "c.journal"
    first = Journal.open(path, campaign="a")
    call = first.begin(["a@x.com"])
    with pytest.raises(JournalInUseError, match="in use by another run") as caught:
        Journal.open(path, campaign="a")
    assert f"process {os.getpid()}" in caught.value.holder
    assert str(path) in str(caught.value)
    # The refused open did not settle the live run's call as ambiguous.
    first.finish([call], [("a@x.com", "m-1")])
    assert first.counts() == {"sent": 1}
    first.close()
    with Journal.open(path, campaign="a") as again:  # free once the holder closed it
        assert again.counts() == {"sent": 1}


HOLDER = textwrap.dedent(
    """
    import sys, time
    sys.path.insert(0, sys.argv[2])
    from sesflow._journal import Journal
    journal = Journal.open(sys.argv[1], campaign="a")
    journal.begin(["a@x.com"])
    print("locked", flush=True)
    time.sleep(60)
    """
)


def test_the_lock_dies_with_its_process(tmp_path: Path) -> None:
    path = tmp_path / "c.journal"
    src = str(Path(__file__).parent.parent / "src")
    child = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(path), src], stdout=subprocess.PIPE, text=True
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "locked"
        started = time.monotonic()
        with pytest.raises(JournalInUseError) as caught:
            Journal.open(path, campaign="a")
        assert time.monotonic() - started < 2  # refused at once, no waiting
        assert f"process {child.pid}" in caught.value.holder
    finally:
        child.kill()
        child.communicate()
    # SIGKILL released the lock; the killed run's call is ambiguous now.
    with Journal.open(path, campaign="a") as journal:
        assert journal.states(["a@x.com"]) == {"a@x.com": ("ambiguous", 0)}


def test_outcomes_answered_on_a_full_disk_are_still_written(small_disk: Path) -> None:
    path = small_disk / "c.journal"
    journal = Journal.open(path, campaign="a")
    lock = Path(f"{path}.lock")
    assert lock.stat().st_blocks * 512 >= RESERVE_BYTES  # a real reserve, not a sparse file
    batches = [[f"u{c}-{i}@example.com" for i in range(50)] for c in range(4)]
    calls = [journal.begin(b) for b in batches]
    filler = fill_disk(small_disk)

    def finish_all() -> None:
        for call, batch in zip(calls, batches, strict=True):
            journal.finish([call], [(a, "m" * 60) for a in batch])

    with pytest.raises(JournalError, match="the disk is full") as caught:
        finish_all()
    assert "Every outcome SES answered is recorded" in str(caught.value)
    assert journal.unwritten == 0
    assert not journal._db.in_transaction  # every transaction ended
    journal.close()
    filler.unlink()
    with Journal.open(path, campaign="a") as again:
        counts = again.counts()
    # Every answer given to finish() is recorded, the one that hit the full disk
    # included; the calls not finished yet stay in flight (ambiguous on this open).
    assert counts["sent"] >= 50
    assert counts["sent"] + counts.get("ambiguous", 0) == 200


def test_a_disk_too_full_for_the_reserve_is_refused_before_use(small_disk: Path) -> None:
    filler = fill_disk(small_disk)
    filler_size = filler.stat().st_size
    with filler.open("r+b") as stream:  # leave room for the journal, not the reserve
        stream.truncate(filler_size - 96 * 1024)
    with pytest.raises(JournalError, match="in reserve"):
        Journal.open(small_disk / "c.journal", campaign="a")


def test_the_lock_file_names_its_holder(tmp_path: Path) -> None:
    path = tmp_path / "c.journal"
    with Journal.open(path, campaign="a"):
        line = Path(f"{path}.lock").read_bytes().split(b"\n", 1)[0]
        info = json.loads(line)
        assert info["pid"] == os.getpid()
    assert Path(f"{path}.lock").read_bytes() == b""  # released and emptied
