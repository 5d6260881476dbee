"""Redis stops in the middle of a bulk run that paces on it: the run stops with the clear
error, nothing goes out past the rate or unthrottled, the journal (SQLite) agrees with what
SES accepted, and a rerun with the same journal (once Redis is back) sends the rest, each
recipient once.

The machine's Redis cannot be stopped by a test: each test starts a `redis-server` of its
own on a free port (nothing saved to disk) and kills it.
"""

from __future__ import annotations

import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

import sesflow
from conftest import calls_in_flight, free_port, prompted, read_journal
from sesflow import InlineTemplate, LimiterUnavailableError
from sesflow.redis import RedisLimiter
from sesflow.testing import FakeSES

SENDER = "news@example.com"
TEMPLATE = InlineTemplate("Hi", text="Hello")
RATE = 200


class RedisServer:
    """A `redis-server` process of the test's own."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.url = f"redis://127.0.0.1:{port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.skip("redis-server is not installed (apt-get install redis-server)")
        options = ["--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
        self.process = subprocess.Popen(
            [binary, *options, "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis.from_url(self.url)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                assert time.monotonic() < deadline, "redis-server did not start"
                time.sleep(0.02)
        client.close()

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)


@pytest.fixture
def own_redis() -> Iterator[RedisServer]:
    server = RedisServer(free_port())
    server.start()
    yield server
    server.kill()


@pytest.fixture
def served() -> Iterator[FakeSES]:
    fake = FakeSES(max_send_rate=RATE, max_24_hour_send=-1)
    fake.verify(SENDER)
    fake.serve()
    yield fake
    fake.stop()


def _send(fake: FakeSES, url: str, journal: Path, addresses: list[str]) -> sesflow.BulkReport:
    limiter = RedisLimiter(url, rate=RATE, key="outage-test")
    ses = sesflow.SES("us-east-1", endpoint_url=fake.endpoint_url, limiter=limiter)
    try:
        return ses.sender(SENDER).send_bulk(addresses, TEMPLATE, journal=journal)
    finally:
        ses.close()
        limiter.close()


def test_redis_stopping_mid_run_stops_it_cleanly_and_a_rerun_resumes(
    served: FakeSES, own_redis: RedisServer, tmp_path: Path
) -> None:
    fake = served
    journal = tmp_path / "spring.journal"
    addresses = [f"r{i}@example.net" for i in range(800)]
    outcome: dict[str, BaseException] = {}

    def run() -> None:
        try:
            _send(fake, own_redis.url, journal, addresses)
        except BaseException as exc:  # checked below, in the test's thread
            outcome["error"] = exc

    runner = threading.Thread(target=run)
    with prompted():  # the fake counts arrivals in this process: see prompt()
        runner.start()
        deadline = time.monotonic() + 30
        while sum(fake.delivery_counts().values()) < 150:
            assert time.monotonic() < deadline, "the run made no progress"
            time.sleep(0.01)
        own_redis.kill()
        runner.join(60)
    assert not runner.is_alive()

    error = outcome.get("error")
    assert isinstance(error, LimiterUnavailableError), repr(error)
    assert f"127.0.0.1:{own_redis.port}" in str(error)
    report = sesflow.partial_report(error)
    assert report is not None
    delivered = fake.delivery_counts()
    assert 150 <= report.sent < len(addresses)
    assert report.sent == len(delivered)
    assert set(delivered.values()) == {1}
    # Nothing past the rate, and nothing after the limiter went away but the calls it had
    # already granted (which finished, and were journaled).
    stats = fake.stats()
    assert stats.throttled_calls == 0
    assert stats.peak_recipients_per_second <= RATE
    states = read_journal(journal)
    assert {a for a, state in states.items() if state == "sent"} == set(delivered)
    assert calls_in_flight(journal) == 0

    # Redis is back, empty (it kept nothing), as a restart takes: more than the second in
    # which the last grants of the old state still count at SES.
    time.sleep(1.1)
    own_redis.start()
    with prompted():
        again = _send(fake, own_redis.url, journal, addresses)
    assert again.skipped == report.sent
    assert again.sent == len(addresses) - report.sent
    assert set(fake.delivery_counts().values()) == {1}
    assert len(fake.delivery_counts()) == len(addresses)
    # The fake counts by arrival: on a loaded machine one call granted at the end of a
    # window can arrive in the next one (then it is throttled and retried: still once each,
    # checked above). A restart that let a burst through would be throttled many times.
    assert fake.stats().throttled_calls <= 1


def test_an_unreachable_redis_at_the_start_sends_nothing_and_keeps_the_journal(
    served: FakeSES, tmp_path: Path
) -> None:
    fake = served
    journal = tmp_path / "spring.journal"
    url = f"redis://127.0.0.1:{free_port()}/0"
    with pytest.raises(LimiterUnavailableError) as caught:
        _send(fake, url, journal, ["a@example.net", "b@example.net"])
    report = sesflow.partial_report(caught.value)
    assert report is not None
    assert (report.sent, report.unsent) == (0, 2)
    assert fake.stats().calls.get("SendBulkEmail", 0) == 0
    assert calls_in_flight(journal) == 0
    assert read_journal(journal) == {}
