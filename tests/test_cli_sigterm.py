"""SIGTERM stops a bulk run cleanly: calls in flight finish and are journaled, nobody twice.

`sesflow send-bulk` turns SIGTERM into an interrupt (exit code 143, 128 + 15) and prints the
partial report; a library caller gets the same with `sesflow.interrupt_on_sigterm()`.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

import sesflow
from conftest import CHILD_ENV, calls_in_flight, read_journal, spawn, wait_for_deliveries
from sesflow import InlineTemplate
from sesflow.testing import FakeSES

SENDER = "news@example.com"
RATE = 300


@pytest.fixture
def served() -> Iterator[tuple[FakeSES, str]]:
    with FakeSES(max_send_rate=RATE, max_24_hour_send=-1) as fake:
        url = fake.serve()
        fake.verify(SENDER)
        fake.client().create_email_template(
            TemplateName="news", TemplateContent={"Subject": "Hi", "Text": "Hello"}
        )
        yield fake, url


def _addresses(count: int) -> list[str]:
    return [f"reader{i}@example.net" for i in range(count)]


def _journal_state(journal: Path) -> tuple[set[str], int]:
    """The addresses the journal records as sent, and its calls in flight."""
    sent = {a for a, state in read_journal(journal).items() if state == "sent"}
    return sent, calls_in_flight(journal)


def _terminate_after(
    fake: FakeSES, process: subprocess.Popen[str], delivered: int
) -> tuple[str, str, float]:
    """SIGTERM `process` once `delivered` recipients arrived; its output and exit time."""
    wait_for_deliveries(fake, process, delivered)
    process.send_signal(signal.SIGTERM)
    signalled = time.monotonic()
    try:
        out, err = process.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        raise AssertionError("the run did not stop within 10 s of SIGTERM") from None
    return out, err, time.monotonic() - signalled


def test_sigterm_stops_send_bulk_with_143_and_a_rerun_sends_nobody_twice(
    served: tuple[FakeSES, str], tmp_path: Path
) -> None:
    fake, url = served
    count = 3000
    recipients = tmp_path / "list.csv"
    recipients.write_text("email,name\n" + "".join(f"{a},R\n" for a in _addresses(count)))
    journal = tmp_path / "news.journal"
    command = [
        sys.executable,
        "-m",
        "sesflow",
        "--endpoint-url",
        url,
        "--region",
        "us-east-1",
        "send-bulk",
        "--from",
        SENDER,
        "--template",
        "news",
        "--recipients",
        str(recipients),
        "--journal",
        str(journal),
        "--rate",
        str(RATE),
        "--no-progress",
    ]
    process = spawn(*command[1:])
    out, err, took = _terminate_after(fake, process, 500)
    assert process.returncode == 143, (out, err)
    assert took < 10
    assert "unsent" in out
    assert "interrupted" in err
    sent, in_flight = _journal_state(journal)
    assert in_flight == 0  # every call in flight finished and was journaled
    delivered = fake.delivery_counts()
    assert sent == set(delivered)  # the journal knows exactly who got it
    assert 500 <= len(sent) < count
    assert f"Sent {len(sent):,} of " in out  # the report printed agrees with the journal
    assert f"sent {len(sent):,}   failed 0" in out

    again = subprocess.run(command, env=CHILD_ENV, capture_output=True, text=True, timeout=60)
    assert again.returncode == 0, again.stderr
    assert f"skipped {len(sent):,}" in again.stdout
    counts = fake.delivery_counts()
    assert len(counts) == count
    assert set(counts.values()) == {1}


LIBRARY_RUN = textwrap.dedent(
    """
    import json
    import sys
    import sesflow
    from sesflow import InlineTemplate

    endpoint, journal, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    options = json.loads(sys.argv[4]) if len(sys.argv) > 4 else {}
    sender = sesflow.SES("us-east-1", endpoint_url=endpoint).sender("news@example.com")
    recipients = (f"reader{i}@example.net" for i in range(count))
    with sesflow.interrupt_on_sigterm():
        try:
            report = sender.send_bulk(recipients, InlineTemplate("Hi", text="Hello"),
                                      journal=journal, **options)
        except KeyboardInterrupt as exc:
            print("interrupted", exc.args, repr(sesflow.partial_report(exc)), flush=True)
            sys.exit(3)
    print("done", repr(report))
    """
)


def test_interrupt_on_sigterm_stops_send_bulk_with_its_report(
    served: tuple[FakeSES, str], tmp_path: Path
) -> None:
    fake, url = served
    count = 1500
    journal = tmp_path / "news.journal"
    process = spawn("-c", LIBRARY_RUN, url, str(journal), str(count))
    out, err, took = _terminate_after(fake, process, 300)
    assert process.returncode == 3, (out, err)
    assert took < 10
    assert out.startswith("interrupted ('SIGTERM',) BulkReport(total=")
    sent, in_flight = _journal_state(journal)
    assert in_flight == 0
    delivered = fake.delivery_counts()
    assert sent == set(delivered)
    assert f" sent={len(sent)}," in out

    sender = sesflow.SES("us-east-1", endpoint_url=url).sender(SENDER)
    report = sender.send_bulk(
        _addresses(count), InlineTemplate("Hi", text="Hello"), journal=journal
    )
    assert report.skipped == len(sent)
    assert report.sent == count - len(sent)
    counts = fake.delivery_counts()
    assert len(counts) == count
    assert set(counts.values()) == {1}


def test_sigterm_makes_no_call_that_was_only_waiting_for_its_pacing_turn(
    served: tuple[FakeSES, str], tmp_path: Path
) -> None:
    # At 1 recipient per second, four workers each hold a batch waiting for the limiter.
    # None of those calls is in flight when SIGTERM arrives: none may be made after it,
    # and the run stops at once rather than after the pacing waits.
    fake, url = served
    journal = tmp_path / "slow.journal"
    options = json.dumps({"max_rate": 1, "concurrency": 4})
    process = spawn("-c", LIBRARY_RUN, url, str(journal), "50", options)
    deadline = time.monotonic() + 30
    while fake.call_count("SendBulkEmail") < 1:
        if process.poll() is not None:
            raise AssertionError(process.communicate())
        assert time.monotonic() < deadline, "the campaign made no progress"
        time.sleep(0.005)
    time.sleep(0.05)  # the first call answered; the next may start only ~1 s after it
    calls = fake.call_count("SendBulkEmail")
    out, err, took = _terminate_after(fake, process, 0)
    assert process.returncode == 3, (out, err)
    assert fake.call_count("SendBulkEmail") == calls  # nothing sent after the stop
    assert took < 1.0  # no waiting out the pacing of calls that will not be made
    assert f" sent={calls}," in out
    sent, in_flight = _journal_state(journal)
    assert in_flight == 0
    assert sent == set(fake.delivery_counts())
