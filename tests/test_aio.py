"""sesflow.aio against the sync API: the scenarios that matter most, written once and run on
both (the `api` fixture, tests/aio_support.py); then what only the async API has: a bulk run
that never blocks the event loop, `redis.asyncio` pacing, a PostgreSQL journal on the loop,
`AwaitRequiredError`, and the clients an `AsyncSES` builds and closes itself.
"""

from __future__ import annotations

import asyncio
import gc
import json
import time
from collections import Counter
from collections.abc import Callable
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

import sesflow
from aio_support import Api
from conftest import calls_in_flight, read_journal
from sesflow import InlineTemplate, aio
from sesflow.events import BounceEvent, SesEvent, SnsVerifier
from sesflow.testing import FakeClock, FakeSES

pytest.importorskip(
    "aiobotocore", reason="the async extra is not installed here: pip install 'sesflow[async]'"
)

SENDER = "news@example.com"
BOB = "bob@example.com"
TEMPLATE = InlineTemplate("Spring news", text="Hello, here is what is new.")
TOPIC = "arn:aws:sns:us-east-1:123456789012:ses-events"


def _addresses(count: int, prefix: str = "user") -> list[str]:
    return [f"{prefix}{i}@example.com" for i in range(count)]


def _bulk_fake(clock: FakeClock | None = None, rate: float = 2000, **options: Any) -> FakeSES:
    fake = FakeSES(
        clock=clock if clock is not None else FakeClock(),
        max_send_rate=rate,
        max_24_hour_send=-1,
        **options,
    )
    fake.verify(SENDER)
    return fake


def _sent_once(fake: FakeSES, addresses: list[str]) -> None:
    """Everyone in `addresses` got exactly one message, and nobody else got any."""
    counts = fake.delivery_counts()
    assert set(counts) == set(addresses)
    assert set(counts.values()) == {1}


# --- 1. identity and domain set-up, with the waiters ----------------------------------------------


def test_an_identity_is_created_and_waited_for_on_the_virtual_clock(api: Api) -> None:
    clock = FakeClock()
    fake = FakeSES(clock=clock, seed=7)
    ses = api.connect(fake)
    ident = ses.identity("alice@example.com").create()
    assert ident.verification_status is sesflow.VerificationStatus.PENDING
    fake.transition("alice@example.com", "SUCCESS", after_polls=3)
    assert ident.wait_until_verified(timeout=600, poll_interval=5) == ident
    assert ident.verified
    assert fake.call_count("GetEmailIdentity") == 4
    assert clock.sleeps == [5.0, 10.0, 20.0]
    assert clock() == 35.0
    assert [i.name for i in ses.identities()] == ["alice@example.com"]


def test_a_waiter_times_out_naming_the_check(api: Api) -> None:
    clock = FakeClock()
    fake = FakeSES(clock=clock)
    ident = api.connect(fake).identity("alice@example.com").create()
    with pytest.raises(sesflow.WaiterTimeoutError) as caught:
        ident.wait_until_verified(timeout=100, poll_interval=10)
    assert caught.value.check == "verification"
    assert clock() >= 100


def test_a_domain_is_set_up_and_its_dkim_and_mail_from_waited_for(api: Api) -> None:
    clock = FakeClock()
    fake = FakeSES(clock=clock, seed=7)
    ses = api.connect(fake)
    dom = ses.domain("example.com").create(
        dkim=sesflow.EasyDkim(key_length=1024),
        mail_from="mail.example.com",
        behavior_on_mx_failure=sesflow.BehaviorOnMxFailure.REJECT_MESSAGE,
    )
    created = dom.dkim_status
    assert created is sesflow.DkimStatus.PENDING
    # create() leaves the MAIL FROM state to a later GetEmailIdentity: the sync API makes
    # it on first read, the async one needs it awaited (see test_..._after_create_...).
    assert dom.refresh().mail_from_domain == "mail.example.com"
    assert fake.identity_state("example.com").next_signing_key_length == "RSA_1024_BIT"
    fake.transition("example.com", "TEMPORARY_FAILURE", aspect="dkim", after_polls=1)
    fake.transition("example.com", "SUCCESS", aspect="dkim", after_polls=2)
    dom.wait_until_dkim_verified(timeout=3600, poll_interval=5)
    assert dom.dkim_status is sesflow.DkimStatus.SUCCESS
    assert clock.sleeps == [5.0, 10.0, 20.0]
    fake.transition("example.com", "SUCCESS", aspect="mail_from", after_polls=1)
    dom.wait_until_mail_from_verified(timeout=600, poll_interval=5)
    assert dom.mail_from_status is sesflow.MailFromDomainStatus.SUCCESS


def test_a_failed_dkim_check_raises_at_once_with_the_records(api: Api) -> None:
    clock = FakeClock()
    fake = FakeSES(clock=clock)
    dom = api.connect(fake).domain("example.com").create()
    fake.transition("example.com", "FAILED", aspect="dkim", after_polls=1)
    with pytest.raises(sesflow.VerificationFailedError) as caught:
        dom.wait_until_dkim_verified(timeout=3600, poll_interval=10)
    assert fake.call_count("GetEmailIdentity") == 2
    assert clock.sleeps == [10.0]
    assert caught.value.error_type == "TYPE_NOT_FOUND"
    assert caught.value.records is not None
    assert [r.type for r in caught.value.records] == ["CNAME"] * 3


# --- 2. single sends ------------------------------------------------------------------------------


def _raw() -> EmailMessage:
    message = EmailMessage()
    message["To"] = BOB
    message["Subject"] = "Raw"
    message.set_content("Full MIME control.")
    return message


SINGLE_SENDS = {
    "send": lambda sender: sender.send(BOB, "Hi", text="x"),
    "send_template": lambda sender: sender.send_template(BOB, TEMPLATE, data={"name": "Bob"}),
    "send_raw": lambda sender: sender.send_raw(_raw()),
}


@pytest.mark.parametrize("verb", list(SINGLE_SENDS))
def test_a_single_send_is_delivered_once_and_retried_only_when_refused(api: Api, verb: str) -> None:
    clock = FakeClock()
    fake = FakeSES(clock=clock)
    fake.verify(SENDER)
    sender = api.connect(fake).sender(SENDER)
    result = SINGLE_SENDS[verb](sender)
    assert isinstance(result, sesflow.SendResult)
    assert result.message_id
    assert fake.deliveries(BOB) == 1
    # Refused twice (SES certainly did not take it): retried by sesflow, after its backoff.
    fake.fail_next("SendEmail", "TooManyRequestsException", "Maximum sending rate exceeded.",
                   times=2)  # fmt: skip
    calls = fake.call_count("SendEmail")
    SINGLE_SENDS[verb](sender)
    assert fake.deliveries(BOB) == 2
    assert fake.call_count("SendEmail") == calls + 3  # twice refused, then taken
    assert len([s for s in clock.sleeps if s >= 0.5]) == 2  # sesflow's backoff, twice
    # The answer is lost (SES took it): never sent again, MaybeSentError.
    fake.inject_faults(drop_after=1.0, operations=["SendEmail"])
    calls = fake.call_count("SendEmail")
    with pytest.raises(sesflow.MaybeSentError) as caught:
        SINGLE_SENDS[verb](sender)
    assert caught.value.recipients == (BOB,)
    assert caught.value.retryable is False
    assert fake.call_count("SendEmail") == calls + 1
    assert fake.deliveries(BOB) == 3


def test_a_send_refused_for_good_raises_the_same_error(api: Api) -> None:
    fake = FakeSES(clock=FakeClock(), sandbox=True)
    fake.verify(SENDER)
    sender = api.connect(fake).sender(SENDER)
    with pytest.raises(sesflow.SesflowError) as caught:
        sender.send("stranger@example.com", "Hi", text="x")
    assert "stranger@example.com" in str(caught.value)
    assert fake.delivery_counts() == {}


# --- 3. a bulk run under faults, with the journal -------------------------------------------------

FAULTS: dict[str, Any] = {
    "seed": 42,
    "throttle": 0.10,
    "server_error": 0.05,
    "drop_before": 0.05,
    "drop_after": 0.03,
    "transient_entry": 0.05,
}


def _faulty_run(api: Api, journal: Path, count: int = 3000) -> tuple[FakeSES, sesflow.BulkReport]:
    fake = _bulk_fake()
    fake.inject_faults(**FAULTS)
    sender = api.connect(fake).sender(SENDER)
    report = sender.send_bulk(
        _addresses(count), TEMPLATE, journal=journal, concurrency=1, delivery="at-most-once"
    )
    return fake, report


def test_a_bulk_run_under_faults_sends_nobody_twice_and_journals_everyone(
    api: Api, tmp_path: Path
) -> None:
    journal = tmp_path / "c.journal"
    addresses = _addresses(3000)
    fake, report = _faulty_run(api, journal)
    faults = fake.injected_faults
    assert faults["throttle"] > 0
    assert faults["server_error"] > 0
    assert faults["drop_before"] > 0
    assert faults["drop_after"] > 0
    assert faults["transient_entry"] > 0
    # Every recipient has an outcome: sent, or ambiguous (its answer lost; at most once).
    assert (report.total, report.skipped) == (3000, 0)
    assert report.sent + report.failed == 3000
    assert report.ambiguous > 0
    assert report.failed == report.ambiguous
    assert {f.status for f in report.failures} == {sesflow.BulkEmailStatus.AMBIGUOUS}
    # Nobody got two messages; everyone sent got one; only an ambiguous one may have none
    # (a 5xx, say, may or may not have been taken: at most once does not try again).
    ambiguous = {f.address for f in report.failures}
    counts = fake.delivery_counts()
    assert set(counts.values()) == {1}
    assert set(addresses) - ambiguous <= set(counts) <= set(addresses)
    assert len(counts) >= report.sent
    states = read_journal(journal)
    assert set(states) == set(addresses)
    assert {a for a, s in states.items() if s != "sent"} == ambiguous
    # at most once: an ambiguous recipient is journaled as failed for good
    assert Counter(states.values()) == {"sent": report.sent, "failed": report.ambiguous}
    assert calls_in_flight(journal) == 0
    # A later run on the journal sends nobody: all sent, or maybe sent.
    fake.clear_faults()
    calls = fake.call_count("SendBulkEmail")
    again = (
        api.connect(fake)
        .sender(SENDER)
        .send_bulk(addresses, TEMPLATE, journal=journal, delivery="at-most-once")
    )
    assert (again.sent, again.skipped) == (0, 3000)
    assert fake.call_count("SendBulkEmail") == calls
    assert fake.delivery_counts() == counts


def test_both_apis_make_the_same_faulty_run_call_for_call(tmp_path: Path) -> None:
    """Same seed, one worker: the async engine is the sync one, so the runs are the same."""
    outcomes = []
    for kind in ("sync", "async"):
        api = Api(kind)
        try:
            fake, report = _faulty_run(api, tmp_path / f"{kind}.journal", count=1000)
        finally:
            api.close()
        sizes = [len(c.params["BulkEmailEntries"]) for c in fake.calls if c.params]
        outcomes.append(
            (
                report.sent,
                report.failed,
                report.ambiguous,
                sorted(f.address for f in report.failures),
                fake.injected_faults,
                sizes,
                read_journal(tmp_path / f"{kind}.journal"),
            )
        )
    assert outcomes[0] == outcomes[1]


# --- 4. resume after an interrupt (Ctrl-C) or a cancellation --------------------------------------


def _stop_then_resume(
    api: Api, journal: Callable[[], Any], concurrency: int, sqlite: Path | None = None
) -> None:
    """A run stopped after 300 results (Ctrl-C, or its task cancelled), then resumed on the
    same journal: everyone gets exactly one message."""
    addresses = _addresses(2000)
    fake = _bulk_fake(rate=500)
    fake.inject_faults(seed=3, throttle=0.1, drop_before=0.02)
    ses = api.connect(fake)
    results: list[sesflow.BulkResult] = []

    def on_result(result: sesflow.BulkResult) -> None:
        results.append(result)
        if len(results) == 300:
            api.interrupt()

    with pytest.raises(api.Interrupt) as caught:
        ses.sender(SENDER).send_bulk(
            addresses, TEMPLATE, journal=journal(), on_result=on_result, concurrency=concurrency
        )
    stopped = sesflow.partial_report(caught.value)
    assert stopped is not None
    assert 300 <= stopped.sent < 2000
    assert stopped.failed == 0
    # What the stopped run sent is exactly what the fake has (and the journal says so).
    delivered = set(fake.delivery_counts())
    assert len(delivered) == stopped.sent
    assert {r.address for r in results} == delivered
    if sqlite is not None:
        states = read_journal(sqlite)
        assert {a for a, s in states.items() if s == "sent"} == delivered
        assert calls_in_flight(sqlite) == 0
    # Resumed on the same journal: the rest are sent, nobody twice.
    resumed = ses.sender(SENDER).send_bulk(addresses, TEMPLATE, journal=journal())
    assert (resumed.skipped, resumed.sent, resumed.failed) == (stopped.sent, 2000 - stopped.sent, 0)
    _sent_once(fake, addresses)


@pytest.mark.parametrize("concurrency", [1, 4])
def test_a_stopped_run_resumes_and_everyone_gets_one_message(
    api: Api, tmp_path: Path, concurrency: int
) -> None:
    path = tmp_path / "c.journal"
    _stop_then_resume(api, lambda: path, concurrency, sqlite=path)


def test_a_postgres_journal_serves_a_stopped_run_and_its_resume(
    api: Api, postgres_dsn: str, pg_schema: str
) -> None:
    from sesflow.postgres import PostgresJournal

    def journal() -> PostgresJournal:
        return PostgresJournal(postgres_dsn, campaign="spring", schema=pg_schema)

    _stop_then_resume(api, journal, concurrency=1)


def test_loop_queue_put_with_a_timeout_never_swallows_a_cancellation() -> None:
    """What a bulk run's main task does (`_put`: `work.put(batch, timeout=0.05)`) when it is
    cancelled in the loop step a worker takes a batch: the cancellation must win."""
    from sesflow._bridge import LoopRuntime, run

    async def main() -> None:
        work = LoopRuntime().queue(1)
        await run(work.put, "first")
        putter = asyncio.ensure_future(run(work.put, "second", timeout=5))
        await asyncio.sleep(0.01)  # waiting for room
        work._queue.get_nowait()  # a worker takes a batch: room for the putter ...
        putter.cancel()  # ... and the run is cancelled in the same step
        with pytest.raises(asyncio.CancelledError):
            await putter

    asyncio.run(main())


def test_loop_condition_wait_never_swallows_a_cancellation() -> None:
    from sesflow._bridge import LoopRuntime, run

    async def main() -> None:
        done = LoopRuntime().condition()

        def wait() -> object:
            with done:
                return done.wait(5)

        waiter = asyncio.ensure_future(run(wait))
        await asyncio.sleep(0.01)

        def notify() -> None:
            with done:
                done.notify_all()

        await run(notify)
        waiter.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiter

    asyncio.run(main())


# --- 5. events: a send's SNS notifications, verified and parsed -----------------------------------


def test_a_sends_bounce_comes_back_as_a_verified_event_once(api: Api) -> None:
    fake = FakeSES()
    fake.verify(SENDER)
    ses = api.connect(fake)
    events = ses.configuration_set("events").create()
    events.add_event_destination(
        "to-sns", ["SEND", "DELIVERY", "BOUNCE"], sesflow.SnsDestination(TOPIC)
    )
    assert [d.name for d in events.event_destinations()] == ["to-sns"]
    ses.sender(SENDER, configuration_set="events").send(
        "bounce@simulator.amazonses.com", "Hello", text="x"
    )
    verifier = SnsVerifier(allowed_topic_arns={TOPIC}, cert_fetcher=fake.cert_fetcher)
    received: list[SesEvent] = []
    failing = [True]

    def on_event(event: SesEvent) -> None:
        if failing[0] and isinstance(event, BounceEvent):
            failing[0] = False
            raise RuntimeError("database down")
        received.append(event)

    envelopes = fake.sns_messages(topic_arn=TOPIC)
    assert len(envelopes) >= 2

    def deliver(envelope: dict[str, Any]) -> int:
        return api.handle_sns(
            json.dumps(envelope),
            {"x-amz-sns-message-type": envelope["Type"]},
            verifier=verifier,
            on_event=on_event,
        )

    statuses = [deliver(envelope) for envelope in envelopes]
    assert statuses.count(500) == 1  # the bounce, whose handler failed: SNS will retry
    assert set(statuses) == {200, 500}
    retried = envelopes[statuses.index(500)]
    assert deliver(retried) == 200
    assert deliver(retried) == 200  # a redelivery: answered, not passed on again
    bounces = [e for e in received if isinstance(e, BounceEvent)]
    assert len(bounces) == 1
    assert [r.email_address for r in bounces[0].bounced_recipients] == [
        "bounce@simulator.amazonses.com"
    ]
    forged = json.dumps(retried).replace("bounce@simulator", "ceo@simulator")
    assert deliver(json.loads(forged)) == 403
    assert len(received) == len(envelopes)


# --- 6. the event loop is never blocked by a bulk run ---------------------------------------------


class _Gaps:
    """The longest wait between the ticks of a coroutine asking to wake every 10 ms, and
    the full (generation 2) garbage collections that ran meanwhile, to say why."""

    def __init__(self) -> None:
        self.gaps: list[float] = []
        self.collections: list[float] = []
        self._started = 0.0

    def _on_gc(self, phase: str, info: dict[str, Any]) -> None:
        if info["generation"] == 2:
            if phase == "start":
                self._started = time.perf_counter()
            else:
                self.collections.append(time.perf_counter() - self._started)

    async def measure(self, work: Any) -> Any:
        done = asyncio.Event()

        async def tick() -> None:
            last = time.perf_counter()
            while not done.is_set():
                await asyncio.sleep(0.01)
                now = time.perf_counter()
                self.gaps.append(now - last)
                last = now

        ticker = asyncio.create_task(tick())
        await asyncio.sleep(0.02)  # ticking before the work starts
        gc.callbacks.append(self._on_gc)
        try:
            return await work
        finally:
            gc.callbacks.remove(self._on_gc)
            done.set()
            await ticker

    def check(self, limit: float = 0.050) -> None:
        assert len(self.gaps) > 10
        worst = max(self.gaps)
        pauses = ", ".join(f"{p * 1000:.0f}" for p in sorted(self.collections, reverse=True)[:5])
        assert worst < limit, (
            f"the event loop was blocked for {worst * 1000:.1f} ms (limit {limit * 1000:.0f} "
            f"ms); full garbage collections meanwhile took [{pauses}] ms"
        )


def test_a_bulk_run_of_20000_never_blocks_the_event_loop_for_50_ms(tmp_path: Path) -> None:
    """In a process of its own (tests/loop_gaps.py says why), with the start-up heap frozen
    as a server does: a full collection of the test process's heap (pytest's, every earlier
    test's) would otherwise be measured as the run's. docs/performance.md has the figures
    without the freeze."""
    import json
    import subprocess
    import sys

    probe = Path(__file__).parent / "loop_gaps.py"
    command = [sys.executable, str(probe), "20000", str(tmp_path / "c.journal"), "--freeze"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=600, check=True)
    figures = json.loads(done.stdout.splitlines()[-1])
    assert (figures["sent"], figures["delivered"]) == (20_000, 20_000)
    assert figures["ticks"] > 50  # the ticker ran beside the whole run
    assert figures["worst"] < 0.050, (
        f"the event loop was blocked for {figures['worst'] * 1000:.1f} ms (limit 50 ms); full "
        f"garbage collections meanwhile took {figures['collections']} s"
    )


# --- 7. redis.asyncio paces an async bulk run -----------------------------------------------------


def test_a_redis_asyncio_limiter_paces_an_async_bulk_run(redis_url: str, redis_key: str) -> None:
    import redis
    import redis.asyncio

    from conftest import peak
    from sesflow.redis import RedisLimiter

    fake = FakeSES(max_send_rate=5000, max_24_hour_send=-1)  # real time: Redis's clock
    fake.verify(SENDER)
    gaps = _Gaps()

    async def main() -> tuple[sesflow.BulkReport, float]:
        shared = redis.asyncio.Redis.from_url(redis_url)
        limiter = RedisLimiter(shared, rate=100, key=redis_key)
        try:
            async with fake.async_client() as client:
                ses = aio.AsyncSES(client=client, limiter=limiter)
                assert ses.limiter is limiter
                await ses.account()
                started = time.monotonic()
                report = await gaps.measure(
                    ses.sender(SENDER).send_bulk(_addresses(250), TEMPLATE, concurrency=2)
                )
                return report, time.monotonic() - started
        finally:
            limiter.close()
            await shared.aclose()

    report, elapsed = asyncio.run(main())
    assert report.sent == 250
    _sent_once(fake, _addresses(250))
    grants = [
        (call.time, len(call.params["BulkEmailEntries"]))
        for call in fake.calls
        if call.operation == "SendBulkEmail"
    ]
    assert peak(grants, 1.0) <= 100  # never more than the shared rate in any second
    assert elapsed >= 1.4  # 250 at 100/s: at least one and a half windows of 1.02 s
    probe = redis.Redis.from_url(redis_url)
    try:
        assert list(probe.scan_iter(match=f"*{redis_key}*"))  # the state is in Redis
    finally:
        probe.close()
    gaps.check()  # the limiter's round trips are awaited, never waited for on the loop


# --- 8. AwaitRequiredError, and the clients an AsyncSES builds and closes -------------------------


def test_a_lazy_property_of_a_fresh_async_resource_must_be_awaited_first() -> None:
    fake = FakeSES(clock=FakeClock())
    fake.verify("alice@example.com")

    async def main() -> None:
        async with fake.async_client() as client:
            ses = aio.AsyncSES(client=client)
            ident = ses.identity("alice@example.com")
            with pytest.raises(aio.AwaitRequiredError, match=r"refresh\(\)"):
                _ = ident.verification_status
            assert fake.call_count("GetEmailIdentity") == 0  # nothing was half-called
            assert isinstance(aio.AwaitRequiredError("x"), sesflow.SesflowError)
            assert (await ident.refresh()) == ident
            assert ident.verification_status is sesflow.VerificationStatus.SUCCESS
            assert ident.verified  # loaded now: plain reads from here on
            # create() leaves the MAIL FROM state to a GetEmailIdentity the sync API makes
            # on first read; here it must be awaited.
            dom = await ses.domain("example.com").create(mail_from="mail.example.com")
            calls = fake.call_count("GetEmailIdentity")
            with pytest.raises(aio.AwaitRequiredError):
                _ = dom.mail_from_domain
            assert fake.call_count("GetEmailIdentity") == calls
            assert (await dom.refresh()).mail_from_domain == "mail.example.com"

    asyncio.run(main())


def test_an_unopened_async_ses_says_to_open_it_first() -> None:
    async def main() -> None:
        ses = aio.AsyncSES("us-east-1", endpoint_url="http://127.0.0.1:9")
        assert repr(ses) == "AsyncSES(not opened)"
        with pytest.raises(aio.AwaitRequiredError, match="async with AsyncSES"):
            _ = ses.region
        await ses.close()
        with pytest.raises(sesflow.ValidationError, match="closed"):
            await ses.identity("alice@example.com").create()

    asyncio.run(main())


def test_an_async_ses_builds_its_clients_on_the_session_and_closes_them() -> None:
    from aiobotocore.session import get_session

    fake = FakeSES()
    fake.verify(SENDER)
    url = fake.serve()
    session = get_session()
    made: list[Any] = []
    create_client = session.create_client

    def recording(*args: Any, **kwargs: Any) -> Any:
        context = create_client(*args, **kwargs)
        made.append((args, kwargs))
        return context

    session.create_client = recording  # type: ignore[method-assign]

    async def main() -> list[Any]:
        async with aio.AsyncSES("us-east-1", endpoint_url=url, session=session) as ses:
            assert ses.region == "us-east-1"
            ident = await ses.identity("alice@example.com").create()
            assert ident.name == "alice@example.com"
            result = await ses.sender(SENDER).send(to=BOB, subject="Hi", text="x")
            assert result.message_id
            client: Any = ses.client  # its aiohttp sessions, below the typed surface
            assert client.meta.endpoint_url == url
            pools = list(client._endpoint.http_session._sessions.values())
            assert pools
            assert not any(pool.closed for pool in pools)
        return pools

    try:
        pools = asyncio.run(main())
    finally:
        fake.stop()
    assert [args[0] if args else kwargs.get("service_name") for args, kwargs in made] == ["sesv2"]
    assert fake.deliveries(BOB) == 1
    assert fake.call_count("CreateEmailIdentity") == 1
    assert all(pool.closed for pool in pools)  # closed by the `async with`


# --- 9. check_bulk reads a SQLite journal off the loop -------------------------------------------


def test_check_bulk_reads_a_sqlite_journal_in_worker_threads(tmp_path: Path) -> None:
    """The same verdicts as the sync API, and the file work goes to the loop's executor
    (a counting one, set for the test), not the loop's thread."""
    import concurrent.futures

    submitted: list[str] = []

    class Counting(concurrent.futures.ThreadPoolExecutor):
        def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Any:
            submitted.append(getattr(args[0] if args else fn, "__qualname__", repr(fn)))
            return super().submit(fn, *args, **kwargs)

    fake = _bulk_fake(rate=1000)
    path = tmp_path / "c.journal"
    addresses = _addresses(10)

    async def main() -> list[str]:
        asyncio.get_running_loop().set_default_executor(Counting(max_workers=2))
        async with fake.async_client() as client:
            sender = aio.AsyncSES(client=client).sender(SENDER)
            await sender.send_bulk(addresses[:5], TEMPLATE, journal=path)
            submitted.clear()
            checks = sender.check_bulk([*addresses, "not an address"], TEMPLATE, journal=path)
            return [check.verdict.value async for check in checks]

    verdicts = asyncio.run(main())
    assert verdicts == ["finished"] * 5 + ["send"] * 5 + ["invalid"]
    assert any("JournalView.open" in name for name in submitted), submitted
    assert sum("state" in name for name in submitted) == 10, submitted  # each lookup


# --- 10. SIGTERM to an asyncio program stops its run cleanly ------------------------------------


def test_sigterm_cancels_an_async_run_cleanly_and_a_rerun_resumes(tmp_path: Path) -> None:
    """A process stopped as systemd, Kubernetes or Docker stop it (SIGTERM), its handler
    cancelling the run: the calls in flight finish and are journaled; a rerun with the
    journal sends the rest, and nobody gets two messages. (Over HTTP, the fake served here.)"""
    import os
    import signal
    import subprocess
    import sys

    fake = FakeSES(max_send_rate=200, max_24_hour_send=-1)
    fake.verify(SENDER)
    url = fake.serve()
    probe = [sys.executable, str(Path(__file__).parent / "aio_sigterm.py"), url]
    journal = str(tmp_path / "c.journal")
    try:
        child = subprocess.Popen(
            [*probe, journal, "1000"], stdout=subprocess.PIPE, text=True, env=os.environ
        )
        assert child.stdout is not None
        for line in child.stdout:  # until the run is well under way
            if line.startswith("progress") and int(line.split()[1]) >= 100:
                child.send_signal(signal.SIGTERM)
                break
        rest = child.communicate(timeout=60)[0].split("\n")
        assert child.returncode == 0
        [stopped] = [int(line.split()[1]) for line in rest if line.startswith("stopped")]
        assert 100 <= stopped < 1000
        assert len(fake.delivery_counts()) == stopped  # what it says it sent, no more

        again = subprocess.run(
            [*probe, journal, "1000"], capture_output=True, text=True, timeout=60, check=True
        )
        [done] = [line for line in again.stdout.splitlines() if line.startswith("done")]
        assert done == f"done {1000 - stopped} {stopped}"
        counts = fake.delivery_counts()
        assert len(counts) == 1000
        assert set(counts.values()) == {1}
    finally:
        fake.stop()
