"""The journal: private, durable, one campaign per file, one row per recipient."""

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
        journal.begin(["x@example.com"])
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        wal = Path(f"{path}-wal")
        assert stat.S_IMODE(wal.stat().st_mode) == 0o600
    mode = sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"


def test_outcomes_and_calls_in_flight(tmp_path: Path) -> None:
    path = tmp_path / "c.journal"
    with Journal.open(path, campaign="a") as journal:
        answered = journal.begin(["a@x.com", "b@x.com"])
        journal.finish([answered], [("a@x.com", "m-1")], [("b@x.com", "MESSAGE_REJECTED", "no")])
        refused = journal.begin(["c@x.com"])
        journal.abandon([refused])  # a 429: certainly not sent
        journal.begin(["d@x.com", "e@x.com"])  # the process dies before the answer
        assert journal.counts() == {"sent": 1, "failed": 1, "calls_in_flight": 1}
        assert journal.states(["a@x.com", "b@x.com", "c@x.com", "d@x.com"]) == {
            "a@x.com": "sent",
            "b@x.com": "failed",
        }
    with Journal.open(path, campaign="a") as journal:
        # The unanswered call's recipients are ambiguous now; the refused one is unknown.
        assert journal.states(["a@x.com", "c@x.com", "d@x.com", "e@x.com"]) == {
            "a@x.com": "sent",
            "d@x.com": "ambiguous",
            "e@x.com": "ambiguous",
        }
        assert journal.counts() == {"sent": 1, "failed": 1, "ambiguous": 2}
        resent = journal.begin(["d@x.com"])
        journal.finish([resent], [("d@x.com", "m-2")], [])
        assert journal.states(["d@x.com"]) == {"d@x.com": "sent"}  # an outcome wins


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
