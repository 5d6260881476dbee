"""One rate for everything that sends, end to end over real HTTP against one served FakeSES that
enforces `MaxSendRate` as SES does (HTTP 429 past it, by arrival).

- Four processes, each running `send_bulk` of its own recipients, share one `RedisLimiter`
  at 1,000/s: the fake never throttles, never sees more than 1,000 in a second, and they
  reach the rate together.
- In one process with the default (in-process) limiter, two concurrent `send_bulk` runs and
  a thread of single sends: the same.

These run in real time (a few seconds each) and assert correctness; the one speed figure the
issue asks for (together >= 0.95 of the rate) is asserted here at a bound that a loaded
2-core machine keeps (0.8), and measured properly by `benchmarks/limiter.py`. SES (and the
fake) count recipients by arrival, so the limiter's headroom must absorb how much later one
sender's call arrives than another's: the four processes here use 10 % (see the child).
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from typing import Any

import pytest

import sesflow
from conftest import CHILD_ENV, peak, prompted
from sesflow import InlineTemplate

SENDER = "news@example.com"
TEMPLATE = InlineTemplate("Hi", text="Hello")


class RemoteFake:
    """A FakeSES served by a child process: its rate is counted on a server whose threads
    never wait for the clients' share of a GIL (in-process, a client thread that holds it
    could delay the server's reading of the clock, and with it the arrivals it counts)."""

    CODE = """
import os, sys
try:
    os.setpriority(os.PRIO_PROCESS, 0, -10)  # see prompt()
except OSError:
    pass
from sesflow.testing import FakeSES
fake = FakeSES(max_send_rate=float(sys.argv[1]), max_24_hour_send=-1, keep_messages=False)
fake.verify("news@example.com")
print(fake.serve(), flush=True)
sys.stdin.read()
fake.stop()
"""

    def __init__(self, rate: float) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", self.CODE, repr(rate)],
            env=CHILD_ENV,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        self.url = self.process.stdout.readline().strip()
        if not self.url.startswith("http://127.0.0.1:"):
            self.stop()
            raise AssertionError(f"the fake did not start (said {self.url!r})")

    def _get(self, path: str) -> dict[str, Any]:
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with opener.open(self.url + path, timeout=30) as answer:
            document: dict[str, Any] = json.load(answer)
        return document

    def stats(self) -> dict[str, Any]:
        return self._get("/_sesflow/stats")

    def arrivals(self) -> list[tuple[float, int]]:
        summary = self._get("/_sesflow/outbox?per_recipient=0")
        return [(float(t), int(n)) for t, n in summary["arrivals"]]

    def deliveries(self) -> dict[str, int]:
        per_recipient: dict[str, int] = self._get("/_sesflow/outbox")["per_recipient"]
        return per_recipient

    def stop(self) -> None:
        assert self.process.stdin is not None
        assert self.process.stdout is not None
        self.process.stdin.close()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process.stdout.close()


@pytest.fixture
def serve() -> Iterator[Callable[[float], RemoteFake]]:
    fakes: list[RemoteFake] = []

    def start(rate: float) -> RemoteFake:
        fakes.append(RemoteFake(rate))
        return fakes[-1]

    yield start
    for fake in fakes:
        fake.stop()


def steady_ratio(arrivals: list[tuple[float, int]], rate: float) -> float:
    """Recipients after the first arrival, over the time from the first arrival to the last,
    as a share of `rate` (start-up and the last round trip are not in it)."""
    times = sorted(t for t, _ in arrivals)
    first = min(arrivals)[0]
    later = sum(n for t, n in arrivals if t > first)
    return later / (times[-1] - first) / rate


CHILD = """
import json, os, sys
try:
    os.setpriority(os.PRIO_PROCESS, 0, -10)  # see prompt() in the test
except OSError:
    pass
import sesflow
from sesflow.redis import RedisLimiter
url, redis_url, key, prefix, count = sys.argv[1:6]
# 10 % headroom: four client processes, the fake and Redis share two cores here (with
# whatever else the machine runs), and a process that wakes late sends late; SES counts by
# arrival. (The default 2 % is measured by benchmarks/limiter.py on a quiet machine.)
class Recorded(RedisLimiter):
    # Keeps each grant's Redis time: the limiter's own bound is checked on those.
    grants = []

    def grant(self, count, *, cancel=None):
        stamp = super().grant(count, cancel=cancel)
        if stamp is not None:
            self.grants.append((stamp, count))
        return stamp


limiter = Recorded(redis_url, rate=1000, key=key, headroom=0.1)
ses = sesflow.SES("us-east-1", endpoint_url=url, limiter=limiter)
sender = ses.sender("news@example.com")
recipients = [f"{prefix}{i}@example.net" for i in range(int(count))]
template = sesflow.InlineTemplate("Hi", text="Hello")
sender.send_bulk(recipients[:1], template)  # warm up: imports, the connection, the model
print("ready", flush=True)
sys.stdin.readline()  # all start together
report = sender.send_bulk(recipients[1:], template)
print(json.dumps({"sent": report.sent + 1, "failed": report.failed}), flush=True)
print(json.dumps(Recorded.grants), flush=True)
"""


def test_four_processes_share_one_rate(
    serve: Callable[[float], RemoteFake], redis_url: str, redis_key: str
) -> None:
    fake = serve(1000)
    per_process = 1000
    children = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                textwrap.dedent(CHILD),
                fake.url,
                redis_url,
                redis_key,
                f"p{n}-",
                str(per_process),
            ],
            env=CHILD_ENV,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(4)
    ]
    try:
        for child in children:
            assert child.stdout is not None
            assert child.stdout.readline().strip() == "ready", child.communicate()
        time.sleep(1.1)  # the warm-up calls leave the fake's sliding second
        start = len(fake.arrivals())
        for child in children:
            assert child.stdin is not None
            child.stdin.write("go\n")
            child.stdin.flush()
        reports = []
        grants: list[tuple[float, int]] = []
        for child in children:
            out, err = child.communicate(timeout=120)
            assert child.returncode == 0, err
            *_, report, granted = out.splitlines()
            reports.append(json.loads(report))
            grants += [(t, n) for t, n in json.loads(granted)]
    finally:
        for child in children:
            if child.poll() is None:
                child.kill()
    assert reports == [{"sent": per_process, "failed": 0}] * 4
    # The limiter's own bound, by Redis's clock: no sliding second of grants over the rate.
    assert sum(n for _, n in grants) >= 4 * per_process  # more if a call was retried
    assert peak(grants, 1.0) <= 1000
    stats = fake.stats()
    assert stats["throttled_calls"] == 0
    assert stats["peak_recipients_per_second"] <= 1000
    assert stats["recipients_accepted"] == 4 * per_process
    deliveries = fake.deliveries()
    assert len(deliveries) == 4 * per_process
    assert set(deliveries.values()) == {1}  # each address once
    ratio = steady_ratio(fake.arrivals()[start:], 1000)
    assert ratio >= 0.8, f"together {ratio:.3f} of the rate (at most 1 / 1.1 here)"


def test_concurrent_runs_and_single_sends_share_the_default_limiter(
    serve: Callable[[float], RemoteFake],
) -> None:
    fake = serve(200)
    ses = sesflow.SES("us-east-1", endpoint_url=fake.url)
    sender = ses.sender(SENDER)
    # Warm up, as the processes above do: a client's first call of an operation builds
    # botocore's serializer for it, tens of milliseconds that would make that call arrive
    # late, past the headroom. Then let the warm-up leave the fake's sliding second.
    sender.send_bulk(["warm@example.net"], TEMPLATE)
    sender.send("warm@example.com", "Hi", text="x")
    time.sleep(1.1)
    errors: list[BaseException] = []

    def guarded(work: Callable[[], None]) -> threading.Thread:
        def run() -> None:
            try:
                work()
            except BaseException as exc:  # reported below, in the test's thread
                errors.append(exc)

        return threading.Thread(target=run)

    def campaign(prefix: str) -> None:
        # One call in flight per run is all 200/s needs here (no latency), and fewer threads
        # waiting for the GIL means fewer calls that leave late.
        addresses = [f"{prefix}{i}@example.net" for i in range(300)]
        report = sender.send_bulk(addresses, TEMPLATE, concurrency=1)
        assert (report.sent, report.failed) == (300, 0)

    def singles() -> None:
        for i in range(20):
            sender.send(f"s{i}@example.com", "Hi", text="x", cc=f"c{i}@example.com")

    threads = [guarded(lambda: campaign("a")), guarded(lambda: campaign("b")), guarded(singles)]
    with prompted():
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
    assert errors == []
    stats = fake.stats()
    assert stats["recipients_accepted"] == 2 + 640
    assert stats["throttled_calls"] == 0
    assert stats["peak_recipients_per_second"] <= 200
    assert ses.limiter.rate == 200
    ses.close()
