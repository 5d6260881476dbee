"""`PostgresJournal` under `sesflow.aio`: the same journal, on psycopg's async connections
on the event loop (no worker thread, and the loop never blocked): a full run, a resume after
the run's task is cancelled part-way, two concurrent runs splitting one campaign, a campaign
read by `check_bulk`, and a caller's own (sync) connection, whose work goes to threads.

The journal's semantics are tested with the sync API in test_postgres_journal.py; here, that
the one implementation keeps them when it runs on the loop."""

from __future__ import annotations

import asyncio
import concurrent.futures
import functools
import gc
import time
from collections.abc import Callable, Coroutine
from typing import Any

import psycopg
import pytest

from sesflow import BulkResult, CheckVerdict, JournalError, partial_report
from sesflow.aio import AsyncSES
from sesflow.postgres import PostgresJournal
from sesflow.testing import FakeSES

pytest.importorskip("aiobotocore")

SENDER = "news@example.com"


def _addresses(count: int, prefix: str = "user") -> list[str]:
    return [f"{prefix}{i}@example.com" for i in range(count)]


def _on_a_fake(
    main: Callable[[FakeSES, AsyncSES], Coroutine[Any, Any, Any]], *, rate: float = 2000
) -> tuple[FakeSES, Any]:
    """`main(fake, ses)` on a new event loop, with an `AsyncSES` on a fake (template "t")."""
    fake = FakeSES(max_send_rate=rate, max_24_hour_send=-1)
    fake.verify(SENDER)

    async def run() -> Any:
        async with fake.async_client() as client:
            ses = AsyncSES(client=client)
            await ses.template("t").create(subject="Hi", text="Hello")
            return await main(fake, ses)

    return fake, asyncio.run(run())


def _each_once(fake: FakeSES, addresses: list[str]) -> None:
    counts = fake.delivery_counts()
    assert sorted(counts) == sorted(addresses)
    assert set(counts.values()) == {1}


class _RecordingExecutor(concurrent.futures.ThreadPoolExecutor):
    """The loop's default executor (`asyncio.to_thread`'s), recording what it was given."""

    def __init__(self) -> None:
        super().__init__(max_workers=4)
        self.ran: list[str] = []

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Any:
        target = fn
        while isinstance(target, functools.partial):  # to_thread: partial(ctx.run, f, ...)
            target = target.args[0] if target.func.__name__ == "run" else target.func
        self.ran.append(getattr(target, "__qualname__", repr(target)))
        return super().submit(fn, *args, **kwargs)


def _measured_run(dsn: str, schema: str, campaign: str) -> dict[str, Any]:
    """A 5,000-recipient run on a new loop, measured: the ticker's gaps, the run's
    connections as PostgreSQL saw them, and what went to worker threads."""
    addresses = _addresses(5000)
    # A short lease: renewed (by a task on the loop) every third of a second.
    journal = PostgresJournal(dsn, campaign=campaign, schema=schema, lease=1.0)
    executor = _RecordingExecutor()
    gaps: list[float] = []
    seen: set[str] = set()

    async def main(fake: FakeSES, ses: AsyncSES) -> Any:
        asyncio.get_running_loop().set_default_executor(executor)
        running = True

        async def tick() -> None:
            last = time.perf_counter()
            while running:
                await asyncio.sleep(0.01)
                now = time.perf_counter()
                gaps.append(now - last)
                last = now

        async def watch() -> None:
            # The run's connections, as PostgreSQL sees them (asked from this loop,
            # through an async connection of the test's own).
            async with await psycopg.AsyncConnection.connect(dsn, autocommit=True) as admin:
                while running:
                    cursor = await admin.execute(
                        "SELECT application_name FROM pg_stat_activity "
                        "WHERE application_name LIKE %s",
                        (f"sesflow %: {campaign}",),
                    )
                    seen.update(row[0] for row in await cursor.fetchall())
                    await asyncio.sleep(0.05)

        ticker, watcher = asyncio.create_task(tick()), asyncio.create_task(watch())
        try:
            return await ses.sender(SENDER).send_bulk(addresses, "t", journal=journal)
        finally:
            running = False
            await ticker
            await watcher

    # A collection of the test process's heap (botocore's models, pytest's state) can
    # itself take tens of milliseconds, journal or not: out of the measure.
    gc.collect()
    gc.disable()
    try:
        fake, report = _on_a_fake(main)
    finally:
        gc.enable()
        executor.shutdown()
    assert (report.sent, report.total, report.failed, report.ambiguous) == (5000, 5000, 0, 0)
    _each_once(fake, addresses)
    assert journal.report().sent == 5000
    return {"gaps": gaps, "seen": seen, "threads": executor.ran}


def test_a_run_journals_on_the_loop_without_blocking_it(postgres_dsn: str, pg_schema: str) -> None:
    longest: list[float] = []
    for attempt in range(3):
        campaign = f"spring-{attempt}"
        run = _measured_run(postgres_dsn, pg_schema, campaign)
        # No journal work (no work at all) went to a worker thread: it ran on the loop...
        assert run["threads"] == []
        # ...through the run's three connections (PostgreSQL's async ones)...
        assert run["seen"] == {
            f"sesflow journal: {campaign}",
            f"sesflow calls: {campaign}",
            f"sesflow lease: {campaign}",
        }
        # ...and the loop was never blocked for long meanwhile. (On a busy machine, the
        # loop's thread may not get a CPU for a while, journal or not: a run so delayed is
        # measured again. A journal that blocked the loop would block it every time.)
        assert len(run["gaps"]) > 100
        longest.append(max(run["gaps"]))
        if longest[-1] < 0.05:
            break
    else:
        pytest.fail(f"the event loop was blocked for {min(longest) * 1000:.0f} ms at least")


def test_a_cancelled_run_resumes_without_sending_anyone_twice(
    postgres_dsn: str, pg_schema: str
) -> None:
    addresses = _addresses(3000)
    journal = PostgresJournal(postgres_dsn, campaign="spring", schema=pg_schema)

    async def main(fake: FakeSES, ses: AsyncSES) -> tuple[Any, Any, int]:
        sender = ses.sender(SENDER)
        task = asyncio.create_task(sender.send_bulk(addresses, "t", journal=journal))
        while fake.delivery_counts().total() < 500:
            assert not task.done()
            await asyncio.sleep(0.005)
        task.cancel()
        with pytest.raises(asyncio.CancelledError) as caught:
            await task
        delivered = fake.delivery_counts().total()
        again = await sender.send_bulk(addresses, "t", journal=journal)
        return partial_report(caught.value), again, delivered

    fake, (first, again, delivered) = _on_a_fake(main)
    assert 500 <= delivered < 3000
    assert first is not None
    assert first.sent == delivered  # every answer SES gave before the stop was recorded
    _each_once(fake, addresses)
    assert (again.sent, again.skipped, again.ambiguous) == (3000 - delivered, delivered, 0)
    report = journal.report()
    assert (report.total, report.sent, report.unsent, report.ambiguous) == (3000, 3000, 0, 0)


def test_a_connection_killed_mid_run_stops_it_and_a_rerun_resumes(
    postgres_dsn: str, pg_schema: str
) -> None:
    addresses = _addresses(3000)
    journal = PostgresJournal(postgres_dsn, campaign="spring", schema=pg_schema)
    killed: list[int] = []

    async def main(fake: FakeSES, ses: AsyncSES) -> tuple[Any, Any]:
        def kill_on_500th(result: BulkResult) -> None:
            # (A callback runs on the loop: this short blocking admin call is the test's.)
            if fake.delivery_counts().total() >= 500 and not killed:
                with psycopg.connect(postgres_dsn, autocommit=True) as admin:
                    rows = admin.execute(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE application_name = ANY(%s)",
                        (["sesflow journal: spring", "sesflow calls: spring"],),
                    ).fetchall()
                killed.append(len(rows))

        sender = ses.sender(SENDER)
        with pytest.raises(JournalError, match="connection to PostgreSQL was lost") as caught:
            await sender.send_bulk(addresses, "t", journal=journal, on_result=kill_on_500th)
        assert "Every outcome SES answered is recorded" in str(caught.value)
        first = partial_report(caught.value)
        return first, await sender.send_bulk(addresses, "t", journal=journal)

    fake, (first, again) = _on_a_fake(main)
    assert killed == [2]
    assert first is not None
    assert 500 <= first.sent < 3000
    _each_once(fake, addresses)
    assert (again.sent, again.skipped, again.ambiguous) == (3000 - first.sent, first.sent, 0)


def test_two_concurrent_runs_split_one_campaign(postgres_dsn: str, pg_schema: str) -> None:
    addresses = _addresses(4000)

    async def main(fake: FakeSES, ses: AsyncSES) -> list[Any]:
        sender = ses.sender(SENDER)
        runs = [
            sender.send_bulk(
                addresses,
                "t",
                journal=PostgresJournal(postgres_dsn, campaign="spring", schema=pg_schema),
                max_rate=1000,
            )
            for _ in range(2)
        ]
        return list(await asyncio.gather(*runs))

    fake, reports = _on_a_fake(main, rate=2000)
    _each_once(fake, addresses)
    assert sum(r.sent for r in reports) == 4000
    assert min(r.sent for r in reports) > 0  # both took part
    assert all(r.sent + r.skipped == r.total == 4000 for r in reports)
    assert all(r.ambiguous == 0 and r.failed == 0 for r in reports)
    whole = PostgresJournal(postgres_dsn, campaign="spring", schema=pg_schema).report()
    assert (whole.total, whole.sent, whole.unsent) == (4000, 4000, 0)


def test_check_bulk_reads_the_campaign_on_the_loop(postgres_dsn: str, pg_schema: str) -> None:
    journal = PostgresJournal(postgres_dsn, campaign="spring", schema=pg_schema)

    async def main(fake: FakeSES, ses: AsyncSES) -> list[Any]:
        sender = ses.sender(SENDER)
        await sender.send_bulk(_addresses(3), "t", journal=journal)
        checks = sender.check_bulk(_addresses(5), "t", journal=journal)
        return [check.verdict async for check in checks]

    _, verdicts = _on_a_fake(main)
    assert verdicts == [CheckVerdict.FINISHED] * 3 + [CheckVerdict.SEND] * 2


def test_a_callers_sync_connection_works_through_worker_threads(
    postgres_dsn: str, pg_schema: str
) -> None:
    addresses = _addresses(300)
    with psycopg.connect(postgres_dsn, autocommit=True) as connection:
        journal = PostgresJournal(connection, campaign="spring", schema=pg_schema)

        async def main(fake: FakeSES, ses: AsyncSES) -> tuple[Any, Any]:
            sender = ses.sender(SENDER)
            first = await sender.send_bulk(addresses, "t", journal=journal)
            return first, await sender.send_bulk(addresses, "t", journal=journal)

        fake, (first, again) = _on_a_fake(main)
        assert not connection.closed  # the caller's, left open
    assert (first.sent, again.sent, again.skipped) == (300, 0, 300)
    _each_once(fake, addresses)


def test_where_psycopg_cannot_run_on_the_loop_the_journal_uses_threads(
    postgres_dsn: str, pg_schema: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Windows' default loop (the proactor) has no add_reader, which psycopg's async
    # connections need: there, the journal's work goes to worker threads (as with SQLite).
    monkeypatch.setattr(asyncio, "ProactorEventLoop", asyncio.BaseEventLoop, raising=False)
    addresses = _addresses(300)
    journal = PostgresJournal(postgres_dsn, campaign="spring", schema=pg_schema)
    executor = _RecordingExecutor()

    async def main(fake: FakeSES, ses: AsyncSES) -> Any:
        asyncio.get_running_loop().set_default_executor(executor)
        return await ses.sender(SENDER).send_bulk(addresses, "t", journal=journal)

    fake, report = _on_a_fake(main)
    executor.shutdown()
    assert report.sent == 300
    _each_once(fake, addresses)
    assert "_Store" in executor.ran  # opened in a worker thread, as the SQLite journal is


def test_the_loops_reentrant_lock_excludes_other_tasks_and_lets_its_holder_in_again() -> None:
    # (The journal's outcome writer takes it again while recovering from a lost
    # connection; a threading.RLock would let every task on the loop's thread in.)
    from sesflow._bridge import LoopRuntime, await_only, run

    runtime = LoopRuntime()
    lock = runtime.rlock()
    inside: list[str] = []
    overlaps: list[list[str]] = []

    def hold(name: str) -> None:
        with lock:
            with lock:  # its holder gets in again
                inside.append(name)
                if len(inside) > 1:
                    overlaps.append(list(inside))
                await_only(asyncio.sleep(0.01))  # a wait while holding it
                inside.remove(name)
            await_only(asyncio.sleep(0))

    async def main() -> None:
        await asyncio.gather(*(run(hold, f"task{i}") for i in range(5)))

    asyncio.run(main())
    assert overlaps == []
    assert inside == []
