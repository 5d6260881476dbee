"""`sesflow.postgres.PostgresJournal` against a real PostgreSQL: the journal's semantics
(resume, transient and permanent failures, lost answers under both policies, refusals
before any call, a connection lost mid-run), and the claims and leases that let
concurrent runs share a campaign (white-box, through the store a run opens)."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import psycopg
import pytest

import sesflow
import sesflow._postgres  # white-box: the page size of failures()
from conftest import CHILD_ENV
from sesflow import InlineTemplate, JournalError, JournalInUseError, ValidationError
from sesflow._bulk import check_entry  # white-box: the payload a claim keeps
from sesflow.postgres import PostgresJournal
from sesflow.testing import FakeClock, FakeSES

SENDER = "news@example.com"
TEMPLATE = InlineTemplate("Hi", text="Hello")
IDENTITY = "from=news@example.com;template=t"


def _addresses(count: int, prefix: str = "user") -> list[str]:
    return [f"{prefix}{i}@example.com" for i in range(count)]


@pytest.fixture
def journal_of(postgres_dsn: str, pg_schema: str) -> Callable[..., PostgresJournal]:
    """Journals in this test's schema (a campaign of its own each, unless named)."""

    def make(campaign: str = "spring", **options: Any) -> PostgresJournal:
        return PostgresJournal(postgres_dsn, campaign=campaign, schema=pg_schema, **options)

    return make


@pytest.fixture
def fake_sender() -> tuple[FakeSES, sesflow.Sender]:
    clock = FakeClock()
    fake = FakeSES(clock=clock, max_send_rate=1000, max_24_hour_send=-1)
    fake.verify(SENDER)
    ses = sesflow.SES(client=fake.client(), sleep=clock.sleep, clock=clock)
    return fake, ses.sender(SENDER)


@pytest.fixture
def stores() -> Iterator[list[Any]]:
    """Stores a test opened by hand; closed at the end, whatever happened."""
    opened: list[Any] = []
    yield opened
    for store in opened:
        store.close()


def _open(journal: PostgresJournal, stores: list[Any], identity: str = IDENTITY) -> Any:
    store = journal._open_run(identity)
    stores.append(store)
    return store


def _die(store: Any) -> None:
    """What SIGKILL does to a run: its lease is no longer renewed (nothing else happens)."""
    store._stopping.set()
    store._renewer.join()


def _expire(journal: PostgresJournal) -> None:
    time.sleep(journal.lease + 0.2)


def _identity(dsn: str, schema: str) -> str:
    """The sender and template the (only) campaign in `schema` was made for."""
    with psycopg.connect(dsn) as connection:
        row = connection.execute(f'SELECT identity FROM "{schema}".campaigns').fetchone()
    assert row is not None
    return str(row[0])


# 1. Claims and leases, white-box.


def test_a_live_runs_claims_are_busy_for_the_others(
    journal_of: Callable[..., PostgresJournal], stores: list[Any]
) -> None:
    journal = journal_of()
    first, second = _open(journal, stores), _open(journal, stores)
    assert (first.run, second.run) == (1, 2)
    assert first.claim(["a@x.com", "b@x.com"]) == {}  # taken, nothing to say
    call = first.begin(["b@x.com"])
    assert second.claim(["a@x.com", "b@x.com", "c@x.com"]) == {
        "a@x.com": "busy",
        "b@x.com": "busy",
    }
    first.finish([call], [("b@x.com", "m-1")])
    assert second.claim(["b@x.com"]) == {"b@x.com": "sent"}


def test_a_dead_runs_claims_are_free_and_its_calls_in_flight_ambiguous(
    journal_of: Callable[..., PostgresJournal], stores: list[Any]
) -> None:
    journal = journal_of(lease=0.6)
    dead = _open(journal, stores)
    dead.claim(["queued@x.com", "flying@x.com"])
    dead.begin(["flying@x.com"])
    _die(dead)
    live = _open(journal, stores)
    assert live.claim(["queued@x.com", "flying@x.com"]) == {
        "queued@x.com": "busy",
        "flying@x.com": "busy",
    }  # until the lease expires
    _expire(journal)
    assert live.claim(["queued@x.com", "flying@x.com"]) == {"flying@x.com": "ambiguous"}
    assert journal.report().ambiguous == 1  # the dead run's call: its answer is lost


def test_a_closed_run_frees_its_claims_at_once(
    journal_of: Callable[..., PostgresJournal], stores: list[Any]
) -> None:
    journal = journal_of()
    first = _open(journal, stores)
    first.claim(["queued@x.com", "flying@x.com"])
    first.begin(["flying@x.com"])  # interrupted with the call in flight
    first.close()
    second = _open(journal, stores)
    assert second.claim(["queued@x.com", "flying@x.com"]) == {"flying@x.com": "ambiguous"}


def test_calls_that_did_not_go_out_give_their_recipients_back(
    journal_of: Callable[..., PostgresJournal], stores: list[Any]
) -> None:
    journal = journal_of(lease=0.6)
    dead = _open(journal, stores)
    dead.claim(["refused@x.com", "lost@x.com", "retry@x.com"])
    dead.abandon([dead.begin(["refused@x.com"])])  # a 429: certainly not sent
    lost = dead.begin(["lost@x.com"])
    dead.lost(lost)  # the answer was lost: it may have been sent
    dead.abandon([dead.begin(["lost@x.com"])])  # its retry got a 429
    answered = dead.begin(["retry@x.com"])
    dead.finish([answered])  # SES answered "throttled" for it: not sent, no outcome
    _die(dead)
    _expire(journal)
    other = _open(journal, stores)
    assert other.claim(["refused@x.com", "lost@x.com", "retry@x.com"]) == {
        "lost@x.com": "ambiguous"
    }


def test_a_run_whose_lease_lapsed_stops_before_sending_again(
    journal_of: Callable[..., PostgresJournal], stores: list[Any]
) -> None:
    journal = journal_of(lease=0.6)
    stalled = _open(journal, stores)
    stalled.claim(["x@x.com"])
    _die(stalled)  # stalled, not dead: it will try to go on
    _expire(journal)
    other = _open(journal, stores)
    assert other.claim(["x@x.com"]) == {}
    with pytest.raises(JournalError, match="lease lapsed"):
        stalled.begin(["x@x.com"])
    # A sent outcome still counts, whoever holds the recipient; other outcomes of a
    # recipient taken over do not overwrite the new holder's.
    stalled.finish([], [], [("x@x.com", "MESSAGE_REJECTED", "late")])
    assert other.claim(["y@x.com"]) == {}
    call = other.begin(["x@x.com"])
    other.finish([call], [("x@x.com", "m-2")])
    assert journal.report().failed == 0


def test_leftovers_are_taken_over_until_no_live_run_holds_any(
    journal_of: Callable[..., PostgresJournal], stores: list[Any]
) -> None:
    journal = journal_of(lease=0.6)
    dead = _open(journal, stores)
    payload = '["{\\"name\\":\\"Ann\\"}",null,null]'
    dead.claim(["ann@x.com", "bob@x.com", "cy@x.com"], [payload, None, None])
    dead.begin(["bob@x.com"])
    _die(dead)
    live = _open(journal, stores)
    live.claim(["dan@x.com"])  # this run's own claims are never leftovers
    survivor = _open(journal, stores)
    survivor.claim(["eve@x.com"])  # another live run holds one
    _expire(journal)
    taken = live.leftovers(2)
    assert taken == [("ann@x.com", payload, False), ("bob@x.com", None, True)]
    assert live.leftovers(2) == [("cy@x.com", None, False)]
    started = time.monotonic()
    assert live.leftovers(2) is None  # survivor still holds eve: wait and ask again
    assert time.monotonic() - started >= 0.1
    survivor.finish([survivor.begin(["eve@x.com"])], [("eve@x.com", "m-eve")])
    assert live.leftovers(2) == []


def test_a_run_sends_what_a_dead_run_left_with_its_data_tags_and_headers(
    journal_of: Callable[..., PostgresJournal],
    fake_sender: tuple[FakeSES, sesflow.Sender],
    stores: list[Any],
    postgres_dsn: str,
    pg_schema: str,
) -> None:
    fake, sender = fake_sender
    journal = journal_of(lease=0.6)
    template = InlineTemplate("Hi {{name}}", text="Hello {{name}}")
    everyone = {"name": "friend"}
    sender.send_bulk(["ann@example.com"], template, default_data=everyone, journal=journal)
    # A run that died with Bob claimed and Cy in a call in flight.
    bob = sesflow.Recipient(
        "bob@example.com",
        data={"name": "Bob"},
        message_tags={"segment": "vip"},
        headers={"X-Campaign": "spring"},
    )
    entry, _ = check_entry(bob, everyone)
    assert entry is not None
    dead = _open(journal, stores, _identity(postgres_dsn, pg_schema))
    dead.claim(["bob@example.com", "cy@example.com"], [entry.payload(), None])
    dead.begin(["cy@example.com"])
    _die(dead)
    _expire(journal)
    report = sender.send_bulk(["dan@example.com"], template, default_data=everyone, journal=journal)
    # Dan; then Bob, sent from what his claim kept, and Cy, ambiguous, sent again.
    assert (report.total, report.sent, report.ambiguous) == (3, 3, 1)
    sent = {message.to[0]: message for message in fake.outbox}
    assert sorted(sent) == [f"{n}@example.com" for n in ("ann", "bob", "cy", "dan")]
    assert sent["bob@example.com"].subject == "Hi Bob"
    assert sent["bob@example.com"].tags == {"segment": "vip"}
    assert ("X-Campaign", "spring") in sent["bob@example.com"].headers
    assert sent["cy@example.com"].subject == "Hi friend"
    assert journal.report().ambiguous == 1


def test_concurrent_first_runs_create_the_schema_once(
    journal_of: Callable[..., PostgresJournal], stores: list[Any]
) -> None:
    journal = journal_of()
    opened: list[Any] = []
    errors: list[BaseException] = []
    start = threading.Barrier(6)

    def open_one() -> None:
        start.wait()
        try:
            opened.append(journal._open_run(IDENTITY))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=open_one) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    stores.extend(opened)
    assert errors == []
    assert sorted(store.run for store in opened) == [1, 2, 3, 4, 5, 6]


# 2. The journal's semantics, end to end (a FakeSES in-process, on a virtual clock).


def test_a_rerun_resumes_without_resending(
    journal_of: Callable[..., PostgresJournal], fake_sender: tuple[FakeSES, sesflow.Sender]
) -> None:
    fake, sender = fake_sender
    journal = journal_of()
    first = sender.send_bulk(_addresses(300), TEMPLATE, journal=journal)
    assert (first.sent, first.skipped) == (300, 0)
    again = sender.send_bulk([*_addresses(300), "new@example.com"], TEMPLATE, journal=journal)
    assert (again.sent, again.skipped, again.total) == (1, 300, 301)
    counts = fake.delivery_counts()
    assert len(counts) == 301
    assert set(counts.values()) == {1}
    report = journal.report()
    assert (report.total, report.sent, report.failed, report.unsent) == (301, 301, 0, 0)
    assert report.duration > 0


def test_transient_failures_are_not_final(
    journal_of: Callable[..., PostgresJournal], fake_sender: tuple[FakeSES, sesflow.Sender]
) -> None:
    fake, sender = fake_sender
    journal = journal_of()
    fake.inject_faults(server_error=1.0, operations=["SendBulkEmail"])
    first = sender.send_bulk(_addresses(120), TEMPLATE, journal=journal)
    assert (first.sent, first.failed) == (0, 120)
    assert {f.status for f in first.failures} == {"TRANSIENT_FAILURE"}
    report = journal.report()
    assert (report.failed, report.unsent) == (0, 120)  # deferred: not failed for good
    fake.clear_faults()
    again = sender.send_bulk(_addresses(120), TEMPLATE, journal=journal)
    assert (again.sent, again.skipped, again.failed) == (120, 0, 0)
    assert set(fake.delivery_counts().values()) == {1}
    assert len(fake.delivery_counts()) == 120


def test_permanent_failures_are_not_sent_again(
    journal_of: Callable[..., PostgresJournal], postgres_dsn: str
) -> None:
    clock = FakeClock()
    fake = FakeSES(clock=clock, sandbox=True, max_send_rate=1000, max_24_hour_send=-1)
    verified, unverified = _addresses(10, "ok"), _addresses(10, "nope")
    fake.verify(SENDER, *verified)
    sender = sesflow.SES(client=fake.client(), sleep=clock.sleep, clock=clock).sender(SENDER)
    journal = journal_of()
    first = sender.send_bulk(verified + unverified, TEMPLATE, journal=journal)
    assert (first.sent, first.failed) == (10, 10)
    fake.verify(*unverified)  # they could be sent now, but failed for good in the journal
    calls = fake.call_count("SendBulkEmail")
    again = sender.send_bulk(verified + unverified, TEMPLATE, journal=journal)
    assert (again.sent, again.failed, again.skipped) == (0, 0, 20)
    assert fake.call_count("SendBulkEmail") == calls
    failures = list(journal.failures())
    assert [f.address for f in failures] == sorted(unverified)
    assert {f.status for f in failures} == {"MESSAGE_REJECTED"}
    assert journal.report().failures == tuple(failures)


def test_at_most_once_lost_answers_are_failed_and_never_resent(
    journal_of: Callable[..., PostgresJournal], fake_sender: tuple[FakeSES, sesflow.Sender]
) -> None:
    fake, sender = fake_sender
    journal = journal_of()
    addresses = _addresses(500)
    fake.inject_faults(seed=5, drop_after=0.3, operations=["SendBulkEmail"])
    first = sender.send_bulk(addresses, TEMPLATE, journal=journal, delivery="at-most-once")
    lost = [f for f in first.failures if f.status == "AMBIGUOUS"]
    assert len(lost) == first.ambiguous > 0
    assert first.sent + first.failed == 500
    fake.clear_faults()
    calls = fake.call_count("SendBulkEmail")
    again = sender.send_bulk(addresses, TEMPLATE, journal=journal, delivery="at-most-once")
    assert (again.sent, again.failed, again.skipped) == (0, 0, 500)
    assert fake.call_count("SendBulkEmail") == calls
    assert max(fake.delivery_counts().values()) == 1
    report = journal.report()
    assert (report.sent, report.failed, report.ambiguous) == (first.sent, len(lost), len(lost))


def test_at_least_once_a_lost_answer_is_resent_and_counted(
    journal_of: Callable[..., PostgresJournal], fake_sender: tuple[FakeSES, sesflow.Sender]
) -> None:
    fake, sender = fake_sender
    journal = journal_of()
    fake.inject_faults(seed=3, drop_after=0.3, operations=["SendBulkEmail"])
    report = sender.send_bulk(_addresses(500), TEMPLATE, journal=journal)
    assert (report.sent, report.failed) == (500, 0)
    counts = fake.delivery_counts()
    duplicates = sum(n - 1 for n in counts.values())
    assert duplicates > 0
    assert report.ambiguous >= duplicates
    campaign = journal.report()
    assert (campaign.sent, campaign.unsent, campaign.ambiguous) == (500, 0, report.ambiguous)


def test_a_campaign_of_another_sender_or_template_is_refused_before_any_call(
    journal_of: Callable[..., PostgresJournal], fake_sender: tuple[FakeSES, sesflow.Sender]
) -> None:
    fake, sender = fake_sender
    journal = journal_of()
    sender.send_bulk(_addresses(5), TEMPLATE, journal=journal)
    calls = fake.call_count("GetAccount"), fake.call_count("SendBulkEmail")
    with pytest.raises(ValidationError, match="made for another sender or template") as caught:
        sender.send_bulk(_addresses(5), InlineTemplate("Other", text="x"), journal=journal)
    assert caught.value.field == "journal"
    assert (fake.call_count("GetAccount"), fake.call_count("SendBulkEmail")) == calls


def test_postgres_unreachable_at_the_start_is_a_clear_error_before_any_call(
    fake_sender: tuple[FakeSES, sesflow.Sender],
) -> None:
    fake, sender = fake_sender
    journal = PostgresJournal(
        "postgresql://postgres:secret@127.0.0.1:1/test", campaign="spring", connect_timeout=2
    )
    with pytest.raises(JournalError, match="cannot connect to PostgreSQL") as caught:
        sender.send_bulk(_addresses(5), TEMPLATE, journal=journal)
    message = str(caught.value)
    assert "postgresql://postgres@127.0.0.1:1/test" in message
    assert "secret" not in message
    assert "nothing was sent" in message
    assert caught.value.path == "postgresql://postgres@127.0.0.1:1/test"
    assert sesflow.partial_report(caught.value) is None
    assert (fake.call_count("GetAccount"), fake.call_count("SendBulkEmail")) == (0, 0)
    with pytest.raises(JournalError, match="cannot connect to PostgreSQL"):
        journal.report()


def test_a_connection_killed_mid_run_stops_it_and_a_rerun_resumes_without_resending(
    postgres_dsn: str, pg_schema: str
) -> None:
    campaign = f"killed-{uuid.uuid4().hex[:8]}"
    journal = PostgresJournal(postgres_dsn, campaign=campaign, schema=pg_schema)
    fake = FakeSES(max_send_rate=2000, max_24_hour_send=-1)
    fake.verify(SENDER)
    addresses = _addresses(3000)
    killed: list[int] = []
    lock = threading.Lock()

    def kill_on_500th(result: sesflow.BulkResult) -> None:
        with lock:
            if fake.delivery_counts().total() >= 500 and not killed:
                with psycopg.connect(postgres_dsn, autocommit=True) as admin:
                    # The run's connections for claims, outcomes and calls (its lease's
                    # is left alone: it would only be made again).
                    rows = admin.execute(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE application_name = ANY(%s)",
                        ([f"sesflow journal: {campaign}", f"sesflow calls: {campaign}"],),
                    ).fetchall()
                killed.append(len(rows))

    with fake:
        sender = sesflow.SES("us-east-1", endpoint_url=fake.serve()).sender(SENDER)
        with pytest.raises(JournalError, match="connection to PostgreSQL was lost") as caught:
            sender.send_bulk(addresses, TEMPLATE, journal=journal, on_result=kill_on_500th)
        assert killed == [2]
        assert "Every outcome SES answered is recorded" in str(caught.value)
        first = sesflow.partial_report(caught.value)
        assert first is not None
        assert 500 <= first.sent < 3000
        assert journal.report().sent == first.sent  # nothing SES answered was lost
        again = sender.send_bulk(addresses, TEMPLATE, journal=journal)
    counts = fake.delivery_counts()
    assert len(counts) == 3000
    assert set(counts.values()) == {1}
    assert (again.sent, again.skipped, again.ambiguous) == (3000 - first.sent, first.sent, 0)


# 3. What a PostgresJournal takes.


def test_a_psycopg_connection_is_shared_under_a_lock_and_left_open(
    postgres_dsn: str, pg_schema: str
) -> None:
    fake = FakeSES(max_send_rate=5000, max_24_hour_send=-1)
    fake.verify(SENDER)
    with fake, psycopg.connect(postgres_dsn, autocommit=True) as connection:
        journal = PostgresJournal(connection, campaign="spring", schema=pg_schema)
        assert journal.where == "postgresql://postgres@127.0.0.1:5432/test"
        sender = sesflow.SES("us-east-1", endpoint_url=fake.serve()).sender(SENDER)
        report = sender.send_bulk(_addresses(1000), TEMPLATE, journal=journal, concurrency=8)
        assert report.sent == 1000
        assert not connection.closed
        assert journal.report().sent == 1000
        assert set(fake.delivery_counts().values()) == {1}


def test_a_connection_inside_a_transaction_is_refused_before_any_call(
    postgres_dsn: str, pg_schema: str, fake_sender: tuple[FakeSES, sesflow.Sender]
) -> None:
    fake, sender = fake_sender
    with psycopg.connect(postgres_dsn) as connection:
        connection.execute("SELECT 1")  # not autocommit: a transaction is open now
        journal = PostgresJournal(connection, campaign="spring", schema=pg_schema)
        with pytest.raises(JournalError, match="inside a transaction"):
            sender.send_bulk(_addresses(5), TEMPLATE, journal=journal)
    assert fake.call_count("GetAccount") == 0


def test_a_schema_of_another_application_is_refused_untouched(
    postgres_dsn: str, pg_schema: str, fake_sender: tuple[FakeSES, sesflow.Sender]
) -> None:
    fake, sender = fake_sender
    with psycopg.connect(postgres_dsn, autocommit=True) as connection:
        connection.execute(f'CREATE SCHEMA "{pg_schema}"')
        connection.execute(f'CREATE TABLE "{pg_schema}".users (id int, email text)')
    journal = PostgresJournal(postgres_dsn, campaign="spring", schema=pg_schema)
    with pytest.raises(JournalError, match="not a sesflow journal's"):
        sender.send_bulk(_addresses(5), TEMPLATE, journal=journal)
    with psycopg.connect(postgres_dsn) as connection:
        tables = connection.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s",
            (pg_schema,),
        ).fetchall()
    assert tables == [("users",)]
    assert fake.call_count("GetAccount") == 0


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"campaign": ""}, "campaign"),
        ({"schema": "a; DROP TABLE x"}, "schema"),
        ({"lease": 0.1}, "lease"),
        ({"connect_timeout": 0}, "connect_timeout"),
    ],
)
def test_bad_options_are_validation_errors(options: dict[str, Any], field: str) -> None:
    arguments: dict[str, Any] = {"campaign": "spring", **options}
    with pytest.raises(ValidationError) as caught:
        PostgresJournal("postgresql://postgres@127.0.0.1/test", **arguments)
    assert caught.value.field == field


def test_a_postgresql_url_as_a_journal_path_says_what_is_needed(
    fake_sender: tuple[FakeSES, sesflow.Sender],
) -> None:
    _, sender = fake_sender
    with pytest.raises(ValidationError, match="PostgresJournal"):
        sender.send_bulk(["a@example.com"], TEMPLATE, journal="postgresql://db/mail")
    with pytest.raises(ValidationError, match="connection string"):
        PostgresJournal("postgresql://db/mail?nonsense=1", campaign="spring")


def test_messages_never_show_the_password() -> None:
    journal = PostgresJournal("postgresql://ann:s3cret@db.example.com:6543/mail", campaign="c")
    assert journal.where == "postgresql://ann@db.example.com:6543/mail"
    assert "s3cret" not in repr(journal)


def test_without_psycopg_the_extra_is_named() -> None:
    code = (
        "import sys\n"
        "sys.modules['psycopg'] = None\n"
        "import sesflow.postgres\n"  # importing the module needs nothing
        "try:\n"
        "    sesflow.postgres.PostgresJournal('postgresql://db/x', campaign='c')\n"
        "except sesflow.postgres.MissingExtraError as exc:\n"
        "    assert isinstance(exc, ImportError)\n"
        "    print(exc)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], env=CHILD_ENV, capture_output=True, text=True, check=True
    )
    assert "pip install 'sesflow[postgres]'" in done.stdout


# 4. Reading a campaign from any process.


def test_a_campaign_no_run_started_reports_zeros(
    journal_of: Callable[..., PostgresJournal],
) -> None:
    report = journal_of("never").report()
    assert (report.total, report.sent, report.failed, report.unsent) == (0, 0, 0, 0)
    assert list(journal_of("never").failures()) == []


def test_failures_are_read_a_page_at_a_time(
    journal_of: Callable[..., PostgresJournal],
    fake_sender: tuple[FakeSES, sesflow.Sender],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _, sender = fake_sender
    journal = journal_of()
    bad = [f"bad{i}@@example.com" for i in range(7)]
    sender.send_bulk([*bad, "ann@example.com"], TEMPLATE, journal=journal)
    monkeypatch.setattr(sesflow._postgres, "_PAGE", 3)
    failures = list(journal.failures())
    assert [f.address for f in failures] == sorted(bad)
    assert {f.status for f in failures} == {"INVALID_RECIPIENT"}


def test_delete_forgets_the_campaign_but_not_while_a_run_holds_it(
    journal_of: Callable[..., PostgresJournal],
    fake_sender: tuple[FakeSES, sesflow.Sender],
    stores: list[Any],
    postgres_dsn: str,
    pg_schema: str,
) -> None:
    _, sender = fake_sender
    journal = journal_of()
    sender.send_bulk(_addresses(20), TEMPLATE, journal=journal)
    running = _open(journal, stores, _identity(postgres_dsn, pg_schema))
    with pytest.raises(JournalInUseError, match="has a run going") as caught:
        journal.delete()
    assert caught.value.holder.startswith(f"run {running.run}: process ")
    assert journal.report().sent == 20
    running.close()
    journal.delete()
    journal.delete()  # idempotent
    assert journal.report().total == 0


def test_check_bulk_reads_a_shared_campaign(
    journal_of: Callable[..., PostgresJournal],
    fake_sender: tuple[FakeSES, sesflow.Sender],
    stores: list[Any],
    postgres_dsn: str,
    pg_schema: str,
) -> None:
    _, sender = fake_sender
    journal = journal_of(lease=0.6)
    sender.send_bulk(["done@example.com"], TEMPLATE, journal=journal)
    identity = _identity(postgres_dsn, pg_schema)
    dead = _open(journal, stores, identity)  # more runs of the same campaign
    dead.claim(["flying@example.com"])
    dead.begin(["flying@example.com"])
    _die(dead)
    live = _open(journal, stores, identity)
    live.claim(["held@example.com"])
    _expire(journal)
    checks = sender.check_bulk(
        ["done@example.com", "held@example.com", "flying@example.com", "new@example.com"],
        TEMPLATE,
        journal=journal,
    )
    assert [c.verdict.value for c in checks] == ["finished", "taken", "ambiguous", "send"]


# 5. The tests' own PostgreSQL: skipped when unreachable, saying how to start one; failed
#    under CI, where it must be there.


def test_an_unreachable_test_postgres_skips_and_fails_under_ci(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import conftest

    monkeypatch.setattr(conftest, "POSTGRES_DSN", "postgresql://postgres@127.0.0.1:1/test")
    monkeypatch.setattr(conftest, "_POSTGRES_DOWN", [])
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match=r"Start one, e\.g\. `docker run") as skipped:
        conftest.require_postgres()
    assert "SESFLOW_TEST_POSTGRES_DSN" in str(skipped.value)
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="PostgreSQL is not reachable at"):
        conftest.require_postgres()
