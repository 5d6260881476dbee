"""Exactly-once (and at-most-once) sending, end to end over real HTTP against `fake.serve()`.

A message is never sent twice by sesflow (or botocore underneath) once the request may have
reached SES; it is sent again only when SES certainly did not take it. A bulk run sends each
address once, journals every outcome, refuses a second run on the same journal and a journal
it cannot trust, and stops cleanly (with a partial report) when the journal's disk fills up.
"""

from __future__ import annotations

import json
import socket
import sqlite3
import textwrap
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config

import sesflow
from conftest import calls_in_flight, fill_disk, read_journal, spawn, wait_for_deliveries
from sesflow import InlineTemplate, Recipient
from sesflow.testing import FakeClock, FakeSES

SENDER = "news@example.com"
TEMPLATE = InlineTemplate("Hi", text="Hello")
BOB = "bob@example.com"

Serve = Callable[..., tuple[FakeSES, str]]


@pytest.fixture
def serve() -> Iterator[Serve]:
    """Make served fakes (real clock, unlimited daily quota, the sender verified)."""
    fakes: list[FakeSES] = []

    def make(**options: Any) -> tuple[FakeSES, str]:
        fake = FakeSES(max_24_hour_send=-1, **options)
        fake.verify(SENDER)
        fakes.append(fake)
        return fake, fake.serve()

    yield make
    for fake in fakes:
        fake.stop()


def _boto3_client(url: str, config: Config | None = None) -> Any:
    return boto3.client(
        "sesv2",
        region_name="us-east-1",
        endpoint_url=url,
        aws_access_key_id="x",
        aws_secret_access_key="x",
        config=config,
    )


CLIENTS = ["sesflow-built", "boto3-default-retries", "boto3-standard-5-attempts"]


def _ses(kind: str, url: str, clock: FakeClock) -> sesflow.SES:
    """An SES whose client is built by sesflow, or a plain boto3 client injected as is.

    Its waits go to `clock` (recorded in `clock.sleeps`, not slept): the clock moves by
    them, as the limiter every send takes its recipients from expects of a clock.
    """
    timing: dict[str, Any] = {"sleep": clock.sleep, "clock": clock}
    if kind == "sesflow-built":
        return sesflow.SES("us-east-1", endpoint_url=url, **timing)
    if kind == "boto3-default-retries":
        return sesflow.SES(client=_boto3_client(url), **timing)
    config = Config(retries={"mode": "standard", "max_attempts": 5})
    return sesflow.SES(client=_boto3_client(url, config), **timing)


def _stats(url: str) -> dict[str, Any]:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(f"{url}/_sesflow/stats", timeout=5) as answer:
        document: dict[str, Any] = json.loads(answer.read())
    return document


def _addresses(count: int, prefix: str = "user") -> list[str]:
    return [f"{prefix}{i}@example.com" for i in range(count)]


# 1. A single send whose answer is lost is never sent again.


def _raw_message() -> EmailMessage:
    message = EmailMessage()
    message["To"] = BOB
    message["Subject"] = "Raw"
    message.set_content("Full MIME control.")
    return message


SINGLE_SENDS: dict[str, Callable[[sesflow.Sender], object]] = {
    "send": lambda sender: sender.send(BOB, "Hi", text="x"),
    "send_template": lambda sender: sender.send_template(BOB, TEMPLATE, data={"name": "Bob"}),
    "send_raw": lambda sender: sender.send_raw(_raw_message()),
}


@pytest.mark.parametrize("verb", list(SINGLE_SENDS))
@pytest.mark.parametrize("kind", CLIENTS)
def test_a_send_whose_answer_is_lost_raises_maybe_sent_and_is_delivered_once(
    serve: Serve, kind: str, verb: str
) -> None:
    fake, url = serve()
    clock = FakeClock()
    sender = _ses(kind, url, clock).sender(SENDER)
    fake.inject_faults(drop_after=1.0, operations=["SendEmail"])
    with pytest.raises(sesflow.MaybeSentError) as caught:
        SINGLE_SENDS[verb](sender)
    assert caught.value.operation == "SendEmail"
    assert caught.value.recipients == (BOB,)
    assert caught.value.retryable is False
    assert fake.call_count("SendEmail") == 1  # neither sesflow nor botocore sent it again
    assert fake.deliveries(BOB) == 1
    assert clock.sleeps == []


# 2. A single send is retried when SES certainly did not take it.


@pytest.mark.parametrize(
    ("code", "message", "status"),
    [
        ("TooManyRequestsException", "Maximum sending rate exceeded.", None),
        ("ServiceUnavailable", "Service Unavailable", 503),
    ],
    ids=["throttled-429", "unavailable-503"],
)
@pytest.mark.parametrize("kind", CLIENTS)
def test_a_send_refused_by_ses_is_retried_by_sesflow_alone(
    serve: Serve, kind: str, code: str, message: str, status: int | None
) -> None:
    fake, url = serve()
    clock = FakeClock()
    sender = _ses(kind, url, clock).sender(SENDER)
    fake.fail_next("SendEmail", code, message, status=status, times=2)
    result = sender.send(BOB, "Hi", text="x")
    assert result.message_id
    assert fake.deliveries(BOB) == 1
    assert len(clock.sleeps) == 2  # sesflow's backoff, twice
    assert fake.call_count("SendEmail") == 3  # botocore added no attempt of its own


def _refused_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@pytest.mark.parametrize("kind", CLIENTS)
def test_a_refused_connection_is_retried_then_raises_an_unambiguous_transport_error(
    kind: str,
) -> None:
    clock = FakeClock()
    sender = _ses(kind, _refused_url(), clock).sender(SENDER)
    with pytest.raises(sesflow.TransportError) as caught:
        sender.send(BOB, "Hi", text="x")
    assert not isinstance(caught.value, sesflow.MaybeSentError)
    assert caught.value.ambiguous is False
    assert len(clock.sleeps) == 5  # six attempts, every one certainly unsent


def test_a_connection_dropped_before_processing_is_retried_then_raises_transport_error() -> None:
    # In-process the fake can say the request never arrived (EndpointConnectionError).
    clock = FakeClock()
    fake = FakeSES(max_24_hour_send=-1, clock=clock)
    fake.verify(SENDER)
    sender = sesflow.SES(client=fake.client()).sender(SENDER)  # waits on the fake's clock
    fake.inject_faults(drop_before=1.0, operations=["SendEmail"])
    with pytest.raises(sesflow.TransportError) as caught:
        sender.send(BOB, "Hi", text="x")
    assert not isinstance(caught.value, sesflow.MaybeSentError)
    assert caught.value.ambiguous is False
    assert fake.injected_faults["drop_before"] == 6
    assert len(clock.sleeps) == 5
    assert fake.deliveries(BOB) == 0


def test_over_http_a_connection_closed_unanswered_is_maybe_sent(serve: Serve) -> None:
    # Over a socket, a close after the request was written looks the same whether or not
    # the server processed it: sesflow must not resend.
    fake, url = serve()
    clock = FakeClock()
    sender = _ses("boto3-default-retries", url, clock).sender(SENDER)
    fake.inject_faults(drop_before=1.0, operations=["SendEmail"])
    with pytest.raises(sesflow.MaybeSentError):
        sender.send(BOB, "Hi", text="x")
    assert fake.injected_faults["drop_before"] == 1
    assert clock.sleeps == []
    assert fake.deliveries(BOB) == 0


# 3. At-most-once through an injected client with botocore's default retries.


def test_at_most_once_with_a_retrying_client_sends_nobody_twice(serve: Serve) -> None:
    fake, url = serve(max_send_rate=1000)
    ses = sesflow.SES(client=_boto3_client(url))
    fake.inject_faults(seed=3, drop_after=0.2, operations=["SendBulkEmail"])
    report = ses.sender(SENDER).send_bulk(_addresses(1000), TEMPLATE, delivery="at-most-once")
    counts = fake.delivery_counts()
    assert fake.injected_faults["drop_after"] > 0
    assert max(counts.values()) == 1
    assert report.sent + report.failed == 1000
    ambiguous = [f for f in report.failures if f.status == "AMBIGUOUS"]
    assert len(ambiguous) == report.ambiguous > 0
    assert report.failed == len(ambiguous)
    # Every SendBulkEmail the fake received was answered or dropped after processing.
    assert len(counts) == 1000
    stats = _stats(url)
    assert stats["peak_recipients_per_second"] <= 1000
    assert stats["throttled_calls"] == 0
    assert fake.throttled_calls == 0


def test_at_most_once_ambiguous_recipients_are_not_sent_by_a_later_run(
    serve: Serve, tmp_path: Path
) -> None:
    fake, url = serve(max_send_rate=5000)
    journal = tmp_path / "c.journal"
    sender = sesflow.SES("us-east-1", endpoint_url=url).sender(SENDER)
    addresses = _addresses(500)
    fake.inject_faults(seed=5, drop_after=0.3, operations=["SendBulkEmail"])
    first = sender.send_bulk(addresses, TEMPLATE, journal=journal, delivery="at-most-once")
    assert first.ambiguous > 0
    assert first.sent + first.failed == 500
    fake.clear_faults()
    calls = fake.call_count("SendBulkEmail")
    again = sender.send_bulk(addresses, TEMPLATE, journal=journal, delivery="at-most-once")
    assert (again.sent, again.failed, again.skipped) == (0, 0, 500)
    assert fake.call_count("SendBulkEmail") == calls
    counts = fake.delivery_counts()
    assert len(counts) == 500
    assert set(counts.values()) == {1}


# 4. Repeats in the list are sent once.


def _twice(addresses: list[str], distance: int) -> list[str]:
    """Each address twice, `distance` items between its two copies (less in the last block)."""
    listed: list[str] = []
    for start in range(0, len(addresses), distance + 1):
        block = addresses[start : start + distance + 1]
        listed += block + block
    return listed


@pytest.mark.parametrize("with_journal", [False, True], ids=["no-journal", "journal"])
@pytest.mark.parametrize("distance", [0, 1, 50, 300])
def test_each_repeated_address_is_sent_once(
    serve: Serve, tmp_path: Path, distance: int, with_journal: bool
) -> None:
    fake, url = serve(max_send_rate=5000)
    addresses = _addresses(600)
    listed = _twice(addresses, distance)
    assert len(listed) == 1200
    journal = tmp_path / "c.journal" if with_journal else None
    ses = sesflow.SES("us-east-1", endpoint_url=url)
    report = ses.sender(SENDER).send_bulk(listed, TEMPLATE, concurrency=8, journal=journal)
    counts = fake.delivery_counts()
    assert len(counts) == 600
    assert set(counts.values()) == {1}
    assert (report.sent, report.repeats, report.skipped, report.failed) == (600, 600, 600, 0)


# 5. One run at a time per journal.

CAMPAIGN = textwrap.dedent(
    """
    import sys
    import sesflow
    from sesflow import InlineTemplate

    endpoint, journal, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    ses = sesflow.SES("us-east-1", endpoint_url=endpoint)
    sender = ses.sender("news@example.com")
    recipients = (f"user{i}@example.com" for i in range(count))
    report = sender.send_bulk(recipients, InlineTemplate("Hi", text="Hello"), journal=journal)
    print(report)
    """
)


def test_a_second_run_on_a_journal_in_use_is_refused_at_once(serve: Serve, tmp_path: Path) -> None:
    count = 1500
    fake, url = serve(max_send_rate=200)
    journal = tmp_path / "campaign.journal"
    child = spawn("-c", CAMPAIGN, url, str(journal), str(count))
    try:
        wait_for_deliveries(fake, child, 1)
        get_account = fake.call_count("GetAccount")
        ses = sesflow.SES("us-east-1", endpoint_url=url)
        others = _addresses(100, prefix="other")
        started = time.monotonic()
        with pytest.raises(sesflow.JournalInUseError) as caught:
            ses.sender(SENDER).send_bulk(others, TEMPLATE, journal=journal)
        assert time.monotonic() - started < 2
        assert str(journal) in str(caught.value)
        assert f"process {child.pid}" in str(caught.value)
        assert f"process {child.pid}" in caught.value.holder
        assert fake.call_count("GetAccount") == get_account  # refused before any call
        out, err = child.communicate(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
            child.communicate()
    assert child.returncode == 0, err
    assert f"sent={count}" in out
    counts = fake.delivery_counts()
    assert all(fake.deliveries(a) == 0 for a in others)
    bulk_recipients = {
        entry["Destination"]["ToAddresses"][0]
        for call in fake.calls
        if call.operation == "SendBulkEmail"
        for entry in call.params["BulkEmailEntries"]
    }
    assert bulk_recipients == set(_addresses(count))
    assert len(counts) == count
    assert set(counts.values()) == {1}


# 6. A journal whose disk fills up mid-run.


def test_a_full_journal_disk_stops_the_run_and_a_rerun_resends_nobody(
    serve: Serve, small_disk: Path
) -> None:
    fake, url = serve(max_send_rate=3000)
    journal = small_disk / "c.journal"
    addresses = _addresses(1500)
    sender = sesflow.SES("us-east-1", endpoint_url=url).sender(SENDER)
    results = 0
    filled: list[Path] = []
    lock = threading.Lock()

    def on_result(result: sesflow.BulkResult) -> None:
        nonlocal results
        with lock:
            results += 1
            if results == 300:
                filled.append(fill_disk(small_disk))

    with pytest.raises(sesflow.JournalError, match="disk is full") as caught:
        sender.send_bulk(addresses, TEMPLATE, journal=journal, on_result=on_result)
    assert filled
    first = sesflow.partial_report(caught.value)
    assert isinstance(first, sesflow.BulkReport)
    assert first.sent >= 300
    assert first.sent < 1500
    assert caught.value.path == str(journal)
    filled[0].unlink()

    again = sender.send_bulk(addresses, TEMPLATE, journal=journal)
    counts = fake.delivery_counts()
    assert len(counts) == 1500
    assert set(counts.values()) == {1}  # nobody twice
    assert again.skipped == first.sent
    assert again.sent == 1500 - first.sent
    assert again.failed == 0
    assert set(read_journal(journal).values()) == {"sent"}
    assert len(read_journal(journal)) == 1500
    assert calls_in_flight(journal) == 0


# 7. A journal sesflow cannot trust is refused before any call.


def _calls(fake: FakeSES) -> tuple[int, int]:
    return fake.call_count("SendBulkEmail"), fake.call_count("GetAccount")


def test_a_damaged_journal_is_refused_before_any_call(serve: Serve, tmp_path: Path) -> None:
    fake, url = serve(max_send_rate=5000)
    journal = tmp_path / "c.journal"
    addresses = _addresses(2000)
    sender = sesflow.SES("us-east-1", endpoint_url=url).sender(SENDER)
    assert sender.send_bulk(addresses, TEMPLATE, journal=journal).sent == 2000
    # A second run files the first run's outcomes by recipient (and skips everyone).
    assert sender.send_bulk(addresses, TEMPLATE, journal=journal).skipped == 2000
    db = sqlite3.connect(journal)
    try:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        page = db.execute("PRAGMA page_size").fetchone()[0]
        leaves = [
            row[0]
            for row in db.execute(
                "SELECT pageno FROM dbstat WHERE name = 'recipients' AND pagetype = 'leaf' "
                "ORDER BY pageno"
            )
        ]
    finally:
        db.close()
    assert len(leaves) > 8
    with journal.open("r+b") as stream:  # zero a page of recipients in the middle
        stream.seek((leaves[len(leaves) // 2] - 1) * page)
        stream.write(b"\0" * page)
    before = _calls(fake)
    with pytest.raises(sesflow.JournalError, match="damaged"):
        sender.send_bulk(addresses, TEMPLATE, journal=journal)
    assert _calls(fake) == before
    assert sum(fake.delivery_counts().values()) == 2000


def test_another_applications_database_is_refused_untouched(serve: Serve, tmp_path: Path) -> None:
    fake, url = serve(max_send_rate=5000)
    path = tmp_path / "app.db"
    db = sqlite3.connect(path)
    try:
        db.execute("CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT)")
        db.execute("INSERT INTO users (email) VALUES ('a@x.com')")
        db.commit()
    finally:
        db.close()
    before = path.read_bytes()
    sender = sesflow.SES("us-east-1", endpoint_url=url).sender(SENDER)
    with pytest.raises(sesflow.JournalError, match="another application's SQLite database"):
        sender.send_bulk(_addresses(10), TEMPLATE, journal=path)
    assert path.read_bytes() == before
    assert _calls(fake) == (0, 0)
    assert fake.delivery_counts() == {}


def test_a_text_file_is_refused_as_a_journal(serve: Serve, tmp_path: Path) -> None:
    fake, url = serve(max_send_rate=5000)
    path = tmp_path / "notes.txt"
    path.write_text("remember the milk\n" * 20)
    sender = sesflow.SES("us-east-1", endpoint_url=url).sender(SENDER)
    with pytest.raises(sesflow.JournalError, match="not a sesflow journal"):
        sender.send_bulk(_addresses(10), TEMPLATE, journal=path)
    assert path.read_text() == "remember the milk\n" * 20
    assert _calls(fake) == (0, 0)


# 8. Transient failures are retried by a later run; permanent ones are not.


def test_transient_failures_are_sent_by_a_later_run(tmp_path: Path) -> None:
    clock = FakeClock()
    fake = FakeSES(clock=clock, max_send_rate=1000, max_24_hour_send=-1)
    fake.verify(SENDER)
    sender = sesflow.SES(client=fake.client(), sleep=clock.sleep, clock=clock).sender(SENDER)
    journal = tmp_path / "c.journal"
    addresses = _addresses(120)
    fake.inject_faults(server_error=1.0, operations=["SendBulkEmail"])
    first = sender.send_bulk(addresses, TEMPLATE, journal=journal)
    assert (first.sent, first.failed) == (0, 120)
    assert {f.status for f in first.failures} == {"TRANSIENT_FAILURE"}
    assert fake.delivery_counts() == {}
    fake.clear_faults()
    again = sender.send_bulk(addresses, TEMPLATE, journal=journal)
    assert (again.sent, again.skipped, again.failed) == (120, 0, 0)
    counts = fake.delivery_counts()
    assert len(counts) == 120
    assert set(counts.values()) == {1}


def test_permanent_failures_are_not_sent_again_by_a_later_run(tmp_path: Path) -> None:
    clock = FakeClock()
    fake = FakeSES(clock=clock, sandbox=True, max_send_rate=1000, max_24_hour_send=-1)
    verified, unverified = _addresses(10, "ok"), _addresses(10, "nope")
    fake.verify(SENDER, *verified)
    sender = sesflow.SES(client=fake.client(), sleep=clock.sleep, clock=clock).sender(SENDER)
    journal = tmp_path / "c.journal"
    first = sender.send_bulk(verified + unverified, TEMPLATE, journal=journal)
    assert (first.sent, first.failed) == (10, 10)
    assert {f.address for f in first.failures} == set(unverified)
    assert {f.status for f in first.failures} == {"MESSAGE_REJECTED"}
    fake.verify(*unverified)  # they could be sent now, but failed for good in the journal
    calls = fake.call_count("SendBulkEmail")
    again = sender.send_bulk(verified + unverified, TEMPLATE, journal=journal)
    assert (again.sent, again.failed, again.skipped) == (0, 0, 20)
    assert fake.call_count("SendBulkEmail") == calls
    assert all(fake.deliveries(a) == 0 for a in unverified)
    assert all(fake.deliveries(a) == 1 for a in verified)


# 9. One bad recipient fails alone.


def test_each_unusable_recipient_fails_alone(serve: Serve) -> None:
    fake, url = serve(max_send_rate=5000)
    deep: dict[str, Any] = {}
    for _ in range(5000):
        deep = {"a": deep}
    good = _addresses(100)
    bad: list[str | Recipient] = [
        Recipient("deep@example.com", data=deep),
        Recipient("list@example.com", data=[1, 2]),  # type: ignore[arg-type]
        "bob@example.org\n",
    ]
    recipients: list[str | Recipient] = [*good[:40], bad[0], *good[40:70], bad[1]]
    recipients += [bad[2], *good[70:]]
    sender = sesflow.SES("us-east-1", endpoint_url=url).sender(SENDER)
    report = sender.send_bulk(recipients, TEMPLATE)
    assert (report.total, report.sent, report.failed) == (103, 100, 3)
    assert {(f.address, f.status) for f in report.failures} == {
        ("deep@example.com", "INVALID_RECIPIENT"),
        ("list@example.com", "INVALID_RECIPIENT"),
        ("bob@example.org\n", "INVALID_RECIPIENT"),
    }
    counts = fake.delivery_counts()
    assert set(counts) == set(good)
    assert set(counts.values()) == {1}
