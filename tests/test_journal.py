"""The journal: private, durable, one campaign per file."""

from __future__ import annotations

import sqlite3
import stat
from pathlib import Path

import pytest

from sesflow import ValidationError
from sesflow._journal import Journal


def test_created_private_in_wal_mode(tmp_path: Path) -> None:
    path = tmp_path / "c.journal"
    with Journal.open(path, campaign="a") as journal:
        journal.queue(["x@example.com"])
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        wal = Path(f"{path}-wal")
        assert stat.S_IMODE(wal.stat().st_mode) == 0o600
    mode = sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"


def test_states_move_and_survive_reopening(tmp_path: Path) -> None:
    path = tmp_path / "c.journal"
    with Journal.open(path, campaign="a") as journal:
        assert journal.run == 1
        journal.queue(["a@x.com", "b@x.com", "c@x.com"])
        journal.sending(["a@x.com", "b@x.com"])
        journal.outcomes([("a@x.com", "m-1")], [])
        journal.unsent(["c@x.com"])  # only a `sending` row moves back
        assert journal.counts() == {"sent": 1, "sending": 1, "queued": 1}
    with Journal.open(path, campaign="a") as journal:
        assert journal.run == 2
        states = journal.states(["a@x.com", "b@x.com", "c@x.com", "new@x.com"])
        assert states == {
            "a@x.com": ("sent", 1),
            "b@x.com": ("sending", 1),
            "c@x.com": ("queued", 1),
        }
        # Queuing again never reopens a finished recipient.
        journal.queue(["a@x.com", "b@x.com"])
        assert journal.states(["a@x.com", "b@x.com"]) == {
            "a@x.com": ("sent", 1),
            "b@x.com": ("queued", 2),
        }


def test_failures_are_recorded_with_status(tmp_path: Path) -> None:
    with Journal.open(tmp_path / "j", campaign="a") as journal:
        journal.queue(["a@x.com"])
        journal.outcomes([], [("a@x.com", "MESSAGE_REJECTED", "bad")])
        assert journal.counts() == {"failed": 1}


def test_another_campaign_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "c.journal"
    Journal.open(path, campaign="from=a@x.com;template=welcome").close()
    with pytest.raises(ValidationError, match="another campaign") as caught:
        Journal.open(path, campaign="from=a@x.com;template=promo")
    assert caught.value.field == "journal"


def test_a_file_that_is_not_a_journal_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("x" * 200)
    with pytest.raises(ValidationError, match="not a sesflow journal"):
        Journal.open(path, campaign="a")


def test_an_unwritable_place_is_a_validation_error(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="cannot create"):
        Journal.open(tmp_path / "missing-dir" / "j", campaign="a")
