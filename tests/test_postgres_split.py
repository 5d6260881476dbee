"""One campaign split between worker processes on one `PostgresJournal`, over real HTTP
against one served `FakeSES`: each recipient delivered once, the work spread, the whole
campaign reported from another process; and a worker killed with SIGKILL part-way.

The workers start together, each paced at its own `max_rate` (as runs that share a campaign
should be: rates adding up to no more than the account's)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from typing import Any

import pytest

from conftest import CHILD_ENV
from sesflow.testing import FakeSES

COUNT = 20_000
WORKERS = 4
#: Each worker's share of the fake account's rate (recipients per second).
RATE = 1500.0
#: Short leases, so that a killed worker's recipients are taken over within seconds.
LEASE = 2.0
_SRC = CHILD_ENV["PYTHONPATH"]

WORKER = textwrap.dedent(
    """
    import json, sys
    import sesflow
    from sesflow import InlineTemplate
    from sesflow.postgres import PostgresJournal

    endpoint, dsn, schema, count, lease, RATE = sys.argv[1:6] + [float(sys.argv[6])]
    journal = PostgresJournal(dsn, campaign="spring", schema=schema, lease=float(lease))
    ses = sesflow.SES("us-east-1", endpoint_url=endpoint)
    ses.client  # built (botocore's service model loaded) before the start
    sender = ses.sender("news@example.com")
    recipients = (f"user{i}@example.com" for i in range(int(count)))
    print("ready", flush=True)
    sys.stdin.readline()  # every worker starts at once
    # Each worker paced at its share of the account's rate, as the docs advise for runs
    # that share a campaign: on one busy machine, a worker that got more CPU would
    # otherwise take more than its share (nothing wrong, but not what this test is about).
    report = sender.send_bulk(
        recipients, InlineTemplate("Hi", text="Hello"), journal=journal, max_rate=RATE
    )
    print(json.dumps({"sent": report.sent, "skipped": report.skipped, "total": report.total,
                      "failed": report.failed, "ambiguous": report.ambiguous}))
    """
)

REPORT = textwrap.dedent(
    """
    import json, sys
    from sesflow.postgres import PostgresJournal

    dsn, schema = sys.argv[1:3]
    report = PostgresJournal(dsn, campaign="spring", schema=schema).report()
    print(json.dumps({"total": report.total, "sent": report.sent, "failed": report.failed,
                      "unsent": report.unsent, "ambiguous": report.ambiguous}))
    """
)


def _spawn(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, *args],
        env=CHILD_ENV,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _workers(url: str, dsn: str, schema: str) -> list[subprocess.Popen[str]]:
    """The workers, started together once all have imported everything (one that started
    sending while the others were still importing would take more than its share: nothing
    wrong with that, but not what the split is about)."""
    workers = [
        _spawn("-c", WORKER, url, dsn, schema, str(COUNT), str(LEASE), str(RATE))
        for _ in range(WORKERS)
    ]
    try:
        for worker in workers:
            assert worker.stdout is not None
            assert worker.stdout.readline().strip() == "ready", worker.communicate()
        for worker in workers:
            assert worker.stdin is not None
            worker.stdin.write("go\n")
            worker.stdin.flush()
    except BaseException:
        _stop_all(workers)
        raise
    return workers


def _result(process: subprocess.Popen[str], timeout: float = 180) -> dict[str, Any]:
    out, err = process.communicate(timeout=timeout)
    assert process.returncode == 0, err
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return result


def _campaign_report(dsn: str, schema: str) -> dict[str, Any]:
    """The campaign's report, read by a process that took no part in it."""
    return _result(_spawn("-c", REPORT, dsn, schema), timeout=60)


@pytest.fixture
def served() -> Any:
    fake = FakeSES(max_send_rate=100_000, max_24_hour_send=-1, keep_messages=False)
    fake.verify("news@example.com")
    with fake:
        yield fake, fake.serve()


def _stop_all(processes: list[subprocess.Popen[str]]) -> None:
    for process in processes:
        if process.poll() is None:
            process.kill()
            process.communicate()


def test_four_workers_split_a_campaign_and_deliver_each_recipient_once(
    served: Any, postgres_dsn: str, pg_schema: str
) -> None:
    fake, url = served
    workers = _workers(url, postgres_dsn, pg_schema)
    try:
        results = [_result(worker) for worker in workers]
    finally:
        _stop_all(workers)
    counts = fake.delivery_counts()
    assert len(counts) == COUNT
    assert set(counts.values()) == {1}  # every recipient exactly once
    sent = [r["sent"] for r in results]
    assert sum(sent) == COUNT
    assert min(sent) > 0  # every worker took part
    assert max(sent) <= COUNT // 2  # and none did more than half
    # Each worker read every recipient: it sent its share and skipped the others'.
    assert all(r["sent"] + r["skipped"] == r["total"] == COUNT for r in results)
    assert all(r["ambiguous"] == 0 and r["failed"] == 0 for r in results)
    report = _campaign_report(postgres_dsn, pg_schema)
    assert report == {"total": COUNT, "sent": COUNT, "failed": 0, "unsent": 0, "ambiguous": 0}


def test_a_worker_killed_part_way_leaves_its_share_to_the_others(
    served: Any, postgres_dsn: str, pg_schema: str
) -> None:
    fake, url = served
    workers = _workers(url, postgres_dsn, pg_schema)
    try:
        deadline = time.monotonic() + 120
        while sum(fake.delivery_counts().values()) < COUNT // 4:
            assert all(w.poll() is None for w in workers), "a worker ended early"
            assert time.monotonic() < deadline, "the campaign made no progress"
            time.sleep(0.01)
        victim = workers[0]
        victim.send_signal(signal.SIGKILL)
        victim.communicate()
        assert victim.returncode == -signal.SIGKILL
        delivered_at_kill = sum(fake.delivery_counts().values())
        assert delivered_at_kill < COUNT
        results = [_result(worker) for worker in workers[1:]]
    finally:
        _stop_all(workers)
    counts = fake.delivery_counts()
    # The remaining workers finished the campaign, the killed one's share included.
    assert len(counts) == COUNT
    report = _campaign_report(postgres_dsn, pg_schema)
    assert (report["total"], report["sent"], report["failed"], report["unsent"]) == (
        COUNT,
        COUNT,
        0,
        0,
    )
    # Only recipients of calls in flight at the kill can have it twice, and each of them
    # counts in `ambiguous` (the killed worker's calls in flight, taken over by another).
    duplicates = sum(n - 1 for n in counts.values())
    assert duplicates <= report["ambiguous"]
    assert report["ambiguous"] == sum(r["ambiguous"] for r in results)
    assert all(r["failed"] == 0 for r in results)


def test_the_children_import_this_sesflow() -> None:
    done = subprocess.run(
        [sys.executable, "-c", "import sesflow.postgres; print(sesflow.postgres.__file__)"],
        env=CHILD_ENV,
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.strip() == os.path.join(_SRC, "sesflow", "postgres.py")
