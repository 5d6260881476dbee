"""Bulk-sender benchmark: pacing, CPU, memory and journal cost of `Sender.send_bulk()`.

Run by hand, not in CI (about 6 minutes for `all` on 2 cores, plus any wait for a quiet
machine; the figures and their interpretation are in docs/performance.md):

    .venv/bin/python benchmarks/bulk.py all          # or any of: a b c d e alt
    .venv/bin/python benchmarks/bulk.py diag         # where c's and e's CPU goes (~2.5 min)
    .venv/bin/python benchmarks/bulk.py c --profile  # cProfile of every client thread

Before each part, and each round of c and e, the benchmark waits (up to --settle seconds) until
other processes use under 0.1 core, and it reports how busy they kept the machine: CPU figures
taken next to a test run are not worth much on 2 cores.

Every figure is taken against a `FakeSES` served over HTTP on 127.0.0.1 by a separate process
(`benchmarks/_server.py`: unlimited daily quota, `keep_messages=False`, verified sender, the
given `MaxSendRate` and latency), so the CPU time and RSS measured here are the client's only.
Nothing reaches AWS: every client has the fake's loopback `endpoint_url` and dummy credentials.

Parts:
  a    achieved/requested rate, peak one-second window and 429s at 100/s and 1,000/s (20 ms)
  b    achieved/requested rate at 2,000/s with 200 ms latency
  c    client CPU per 100,000 recipients: send_bulk vs a plain single-threaded boto3 loop of
       pre-built 50-entry SendBulkEmail calls (the baseline), and vs a 64-thread pool of the
       same calls (for comparison), same server (100,000/s, 0 ms)
  d    peak RSS of a fresh client process for 100,000 vs 1,000,000 distinct recipients (a
       generator, no journal: repeats are tracked in a temporary on-disk set)
  e    CPU overhead of the journal: send_bulk with vs without `journal=`
  alt  the common alternatives: a SendEmail loop with time.sleep(1/rate), and SendEmail
       calls without pacing (sequential, and from a 10-thread pool) at 100/s
  diag (not in `all`) where c's and e's CPU goes: send_bulk against an in-process stub
       client, send_bulk with botocore's parameter validation off, the journal's cost
       against the stub client
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import hashlib
import json
import logging
import os
import platform
import pstats
import resource
import shlex
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Literal

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

import _server  # noqa: E402
from _server import SENDER, FakeServer  # noqa: E402

SUBJECT = "sesflow benchmark"
TEXT = "Hello from the sesflow bulk benchmark."
#: Part c, d and e: a rate and latency at which pacing and waiting do not dominate.
CPU_RATE = 100_000.0
CPU_LATENCY = 0.0


def _dummy_credentials() -> None:
    """Dummy credentials only, and no instance-metadata look-up: nothing may reach AWS."""
    os.environ.update(
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_SESSION_TOKEN="testing",
        AWS_EC2_METADATA_DISABLED="true",
        AWS_DEFAULT_REGION="us-east-1",
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
    )
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_SESV2"):
        os.environ.pop(name, None)


_dummy_credentials()

import boto3  # noqa: E402
import botocore  # noqa: E402
from botocore.config import Config  # noqa: E402
from botocore.hooks import HierarchicalEmitter  # noqa: E402
from botocore.model import ServiceId  # noqa: E402

import sesflow  # noqa: E402

TEMPLATE = sesflow.InlineTemplate(SUBJECT, text=TEXT)  # no variables: every entry delivers


# --- results ---------------------------------------------------------------------------------


@dataclass
class Row:
    part: str
    what: str
    value: str
    target: str = ""
    met: bool | None = None


@dataclass
class Results:
    rows: list[Row] = field(default_factory=list)
    background: dict[str, float] = field(default_factory=dict)

    def add(
        self, part: str, what: str, value: str, target: str = "", met: bool | None = None
    ) -> None:
        self.rows.append(Row(part, what, value, target, met))
        verdict = "" if met is None else ("  [met]" if met else "  [MISSED]")
        aim = f"  (target {target})" if target else ""
        print(f"  {what}: {value}{aim}{verdict}", flush=True)

    def table(self) -> str:
        head = ("part", "figure", "measured", "target", "")
        body = [
            (
                r.part,
                r.what,
                r.value,
                r.target,
                "" if r.met is None else ("met" if r.met else "MISSED"),
            )
            for r in self.rows
        ]
        widths = [max(len(str(x[i])) for x in [head, *body]) for i in range(len(head))]
        lines = ["  ".join(str(c).ljust(w) for c, w in zip(head, widths, strict=True)).rstrip()]
        lines.append("  ".join("-" * w for w in widths))
        lines += [
            "  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
            for row in body
        ]
        return "\n".join(lines)


class _LogCapture(logging.Handler):
    """Keeps sesflow's log lines (INFO and up): the run's rate, batch size and workers."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())

    def plan(self) -> str:
        """The last run's plan (rate, batch, workers) and how many workers it used."""
        found: list[str] = []
        for prefix in ("bulk send: rate", "bulk send: done"):
            for line in reversed(self.lines):
                if line.startswith(prefix):
                    found.append(line.removeprefix("bulk send: "))
                    break
        return "; ".join(found) or "?"

    def warnings(self) -> list[str]:
        return [line for line in self.lines if not line.startswith("bulk send:")]


_LOG = _LogCapture()
logging.getLogger("sesflow").addHandler(_LOG)
logging.getLogger("sesflow").setLevel(logging.INFO)


# --- helpers ---------------------------------------------------------------------------------


def recipients(count: int, prefix: str = "r") -> Iterator[str]:
    """`count` distinct addresses, made lazily (as a CSV reader would hand them over)."""
    for i in range(count):
        yield f"{prefix}{i}@example.net"


def scaled(count: float, scale: float, minimum: int = 50) -> int:
    return max(minimum, round(count * scale))


def sesflow_sender(url: str) -> sesflow.Sender:
    return sesflow.SES("us-east-1", endpoint_url=url).sender(SENDER)


def boto3_client(url: str, *, sesflow_like: bool = False) -> Any:
    """A plain boto3 sesv2 client: botocore's defaults, or (`sesflow_like`) the connection
    pool and retry settings sesflow gives its own client (64 sockets, 1 attempt)."""
    config = (
        Config(max_pool_connections=64, retries={"total_max_attempts": 1, "mode": "standard"})
        if sesflow_like
        else None
    )
    return boto3.Session().client("sesv2", region_name="us-east-1", endpoint_url=url, config=config)


@dataclass
class Timing:
    wall: float
    cpu: float
    sent: int


def timed(fn: Callable[[], int]) -> Timing:
    cpu0, wall0 = time.process_time(), time.monotonic()
    sent = fn()
    return Timing(time.monotonic() - wall0, time.process_time() - cpu0, sent)


def run_bulk(
    url: str,
    count: int,
    *,
    journal: str | None = None,
    prefix: str = "r",
    sender: sesflow.Sender | None = None,
) -> Timing:
    # Built outside the timed region, like the baseline's boto3 client.
    sender = sender or sesflow_sender(url)

    def go() -> int:
        report = sender.send_bulk(recipients(count, prefix), TEMPLATE, journal=journal)
        if report.sent != count:
            raise RuntimeError(f"send_bulk sent {report.sent} of {count}: {report!r}")
        return report.sent

    return timed(go)


def arrival_span_ratio(arrivals: list[tuple[float, int]], rate: float) -> float:
    """The steady pace by arrival at the server: recipients after the first call's, over the
    time from the first call's arrival to the last one's (start-up and the last round trip
    are not in it)."""
    calls: dict[float, int] = {}
    for arrived, size in arrivals:
        calls[arrived] = calls.get(arrived, 0) + size
    times = sorted(calls)
    if len(times) < 2:
        return float("nan")
    return (sum(calls.values()) - calls[times[0]]) / (times[-1] - times[0]) / rate


def ratio_text(value: float) -> str:
    return f"{value:.3f}"


# --- profiling -------------------------------------------------------------------------------


class ThreadProfile:
    """cProfile (per-thread CPU time) of every thread started in the block, and this one."""

    def __init__(self) -> None:
        self.profiles: list[cProfile.Profile] = []
        self._run: Callable[[threading.Thread], None] | None = None

    def __enter__(self) -> ThreadProfile:
        original = threading.Thread.run
        profiles = self.profiles

        def run(thread: threading.Thread) -> None:
            profile = cProfile.Profile(time.thread_time)
            profiles.append(profile)
            profile.enable()
            try:
                original(thread)
            finally:
                profile.disable()

        self._run = original
        threading.Thread.run = run  # type: ignore[method-assign,assignment]
        main = cProfile.Profile(time.thread_time)
        profiles.append(main)
        main.enable()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.profiles[0].disable()
        if self._run is not None:
            threading.Thread.run = self._run  # type: ignore[method-assign,assignment]

    def print(self, title: str, limit: int = 30) -> None:
        stats = pstats.Stats(self.profiles[0])
        for profile in self.profiles[1:]:
            with contextlib.suppress(TypeError):  # a profile that saw no call
                stats.add(profile)
        print(f"\n--- profile: {title} (all threads; tottime) ---")
        stats.sort_stats("tottime").print_stats(limit)
        print(f"--- profile: {title} (all threads; cumulative) ---")
        stats.sort_stats("cumulative").print_stats(limit)


# --- parts -----------------------------------------------------------------------------------


def part_a(results: Results, args: argparse.Namespace) -> None:
    seconds = 20 * args.scale
    print(f"(a) pacing at 100/s and 1,000/s, 20 ms latency, {seconds:g} s worth of recipients")
    for rate in (100.0, 1000.0):
        count = scaled(rate * seconds, 1.0)
        with FakeServer(rate=rate, latency=0.02) as server:
            timing = run_bulk(server.url, count)
            stats, arrivals = server.stats(), server.arrivals()
        ratio = timing.sent / timing.wall / rate
        label = f"{rate:,.0f}/s"
        print(
            f" {label}: {timing.sent:,} recipients in {timing.wall:.2f} s ({_LOG.plan()}); "
            f"calls {stats['calls']}"
        )
        results.add("a", f"{label} achieved/requested", ratio_text(ratio), ">= 0.97", ratio >= 0.97)
        results.add(
            "a",
            f"{label} steady pace by arrival (first to last call)",
            ratio_text(arrival_span_ratio(arrivals, rate)),
        )
        peak = int(stats["peak_recipients_per_second"])
        results.add(
            "a",
            f"{label} peak recipients in one second",
            f"{peak:,}",
            f"<= {rate:,.0f}",
            peak <= rate,
        )
        throttled = int(stats["throttled_calls"])
        results.add("a", f"{label} 429s from the server", str(throttled), "0", throttled == 0)


def part_b(results: Results, args: argparse.Namespace) -> None:
    rate, seconds = 2000.0, 30 * args.scale
    count = scaled(rate * seconds, 1.0)
    print(f"(b) 2,000/s with 200 ms latency, {count:,} recipients ({seconds:g} s worth)")
    with FakeServer(rate=rate, latency=0.2) as server:
        timing = run_bulk(server.url, count)
        stats, arrivals = server.stats(), server.arrivals()
    ratio = timing.sent / timing.wall / rate
    print(
        f" {timing.sent:,} recipients in {timing.wall:.2f} s ({_LOG.plan()}); "
        f"calls {stats['calls']}"
    )
    results.add("b", "2,000/s achieved/requested", ratio_text(ratio), ">= 0.95", ratio >= 0.95)
    results.add(
        "b",
        "2,000/s steady pace by arrival (first to last call)",
        ratio_text(arrival_span_ratio(arrivals, rate)),
    )
    results.add(
        "b",
        "2,000/s peak recipients in one second / 429s",
        f"{int(stats['peak_recipients_per_second']):,} / {stats['throttled_calls']}",
    )


def _boto3_bulk(url: str, count: int, workers: int) -> Timing:
    """Pre-built 50-entry SendBulkEmail requests: a plain loop (`workers=1`, the baseline
    the target is set against) or a thread pool (for comparison)."""
    client = boto3_client(url, sesflow_like=True)
    content = {
        "Template": {"TemplateContent": {"Subject": SUBJECT, "Text": TEXT}, "TemplateData": "{}"}
    }
    addresses = list(recipients(count, "b"))
    requests = [
        {
            "FromEmailAddress": SENDER,
            "DefaultContent": content,
            "BulkEmailEntries": [
                {"Destination": {"ToAddresses": [a]}} for a in addresses[i : i + 50]
            ],
        }
        for i in range(0, count, 50)
    ]

    def send(request: dict[str, Any]) -> int:
        answer = client.send_bulk_email(**request)
        return sum(1 for r in answer["BulkEmailEntryResults"] if r["Status"] == "SUCCESS")

    def go() -> int:
        if workers == 1:
            sent = sum(send(request) for request in requests)
        else:
            with ThreadPoolExecutor(workers) as pool:
                sent = sum(pool.map(send, requests))
        if sent != count:
            raise RuntimeError(f"boto3 baseline sent {sent} of {count}")
        return sent

    return timed(go)


#: Threads of the pool compared with in (c): the most calls send_bulk keeps in flight.
POOL_WORKERS = 64


def part_c(results: Results, args: argparse.Namespace) -> None:
    count = scaled(100_000 * args.scale, 1.0)
    rounds = args.rounds
    print(
        f"(c) client CPU, {count:,} recipients per run, {rounds} rounds, each: send_bulk, a "
        f"single-threaded boto3 loop (the baseline), a {POOL_WORKERS}-thread boto3 pool; "
        f"server MaxSendRate {CPU_RATE:,.0f}/s, latency {CPU_LATENCY * 1000:g} ms"
    )
    bulk: list[Timing] = []
    loop: list[Timing] = []
    pool: list[Timing] = []
    quiet: list[bool] = []
    with FakeServer(rate=CPU_RATE, latency=CPU_LATENCY) as server:
        # Warm every path (service model loading, imports) outside the measured runs.
        run_bulk(server.url, 500, prefix="w")
        _boto3_bulk(server.url, 500, 1)
        _boto3_bulk(server.url, 500, POOL_WORKERS)
        profile = ThreadProfile() if args.profile else None
        for i in _rounds(rounds, quiet):
            _settle(args.settle, quiet=True)
            usage = _RoundUsage(server)
            # Each side goes first in every other round: the first run after the settle
            # pause pays for a cold start, and that must not always fall on one side.
            if i % 2:
                loop.append(_boto3_bulk(server.url, count, 1))
                pool.append(_boto3_bulk(server.url, count, POOL_WORKERS))
            if profile is not None and i == 0:
                with profile:
                    bulk.append(run_bulk(server.url, count))
            else:
                bulk.append(run_bulk(server.url, count))
            if not i % 2:
                loop.append(_boto3_bulk(server.url, count, 1))
                pool.append(_boto3_bulk(server.url, count, POOL_WORKERS))
            others = usage.cores()
            quiet.append(others < QUIET_CORES and not (profile is not None and i == 0))
            print(
                f" round {i + 1}: send_bulk {bulk[-1].cpu:.2f} s CPU ({bulk[-1].wall:.2f} s wall), "
                f"boto3 loop {loop[-1].cpu:.2f} s ({loop[-1].wall:.2f} s wall), boto3 pool "
                f"{pool[-1].cpu:.2f} s ({pool[-1].wall:.2f} s wall); ratio to the loop "
                f"{bulk[-1].cpu / loop[-1].cpu:.2f}; other processes {others:.2f} cores"
                + ("" if quiet[-1] else " (not quiet: left out)"),
                flush=True,
            )
        stats = server.stats()
    print(f" send_bulk: {_LOG.plan()}; server calls {stats['calls']}")
    per = 100_000 / count
    b_cpu, how = _quiet_median([t.cpu * per for t in bulk], quiet, rounds)
    l_cpu, _ = _quiet_median([t.cpu * per for t in loop], quiet, rounds)
    p_cpu, _ = _quiet_median([t.cpu * per for t in pool], quiet, rounds)
    # Each round's runs share the machine's state: compare within rounds.
    to_loop = [b.cpu / o.cpu for b, o in zip(bulk, loop, strict=True)]
    to_pool = [b.cpu / o.cpu for b, o in zip(bulk, pool, strict=True)]
    ratio, _ = _quiet_median(to_loop, quiet, rounds)
    pool_ratio, _ = _quiet_median(to_pool, quiet, rounds)
    results.add("c", f"send_bulk CPU s per 100k recipients ({how})", f"{b_cpu:.2f}")
    results.add("c", "boto3 single-threaded loop CPU s per 100k (baseline)", f"{l_cpu:.2f}")
    results.add("c", f"boto3 {POOL_WORKERS}-thread pool CPU s per 100k", f"{p_cpu:.2f}")
    results.add(
        "c",
        "CPU ratio send_bulk / boto3 loop (median of paired rounds)",
        f"{ratio:.3f} (rounds {', '.join(f'{x:.2f}' for x in to_loop)})",
        "<= 1.15",
        ratio <= 1.15,
    )
    results.add(
        "c",
        f"CPU ratio send_bulk / boto3 {POOL_WORKERS}-thread pool (for comparison)",
        f"{pool_ratio:.3f} (rounds {', '.join(f'{x:.2f}' for x in to_pool)})",
    )
    b_wall, _ = _quiet_median([t.wall * per for t in bulk], quiet, rounds)
    l_wall, _ = _quiet_median([t.wall * per for t in loop], quiet, rounds)
    p_wall, _ = _quiet_median([t.wall * per for t in pool], quiet, rounds)
    walls = f"{b_wall:.2f} / {l_wall:.2f} / {p_wall:.2f}"
    results.add("c", "wall s per 100k, send_bulk / loop / pool", walls)
    if profile is not None:
        profile.print("send_bulk, no journal, round 1")


def _memory_kb() -> dict[str, int]:
    """VmRSS and VmHWM (this process's peak RSS since exec) from /proc/self/status."""
    found: dict[str, int] = {}
    with open("/proc/self/status") as status:
        for line in status:
            name, _, rest = line.partition(":")
            if name in ("VmRSS", "VmHWM"):
                found[name] = int(rest.split()[0])
    return found


def _rss_child(url: str, count: int) -> None:
    """In a fresh process: send `count` recipients from a generator, report peak RSS."""
    sender = sesflow_sender(url)
    before = _memory_kb()
    timing = run_bulk(url, count, sender=sender)
    after = _memory_kb()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    maxrss = usage.ru_maxrss
    print(
        json.dumps(
            {
                "setup_hwm_kb": before["VmHWM"],
                "hwm_kb": after["VmHWM"],
                "rss_kb": after["VmRSS"],
                "maxrss_kb": maxrss,
                "wall": timing.wall,
                "sent": timing.sent,
                "cpu": usage.ru_utime + usage.ru_stime,
            }
        )
    )


def _spawner() -> subprocess.Popen[str]:
    """A small process, started before this one grows, that starts part d's clients.

    On Linux a child's `ru_maxrss` starts at its parent's peak RSS (the kernel carries the
    high-water mark over fork and exec), so clients started by this process, which holds
    100,000 pre-built requests by part d, would report this process's peak, not theirs.
    """
    code = (
        "import subprocess, sys\n"
        "for line in sys.stdin:\n"
        "    out = subprocess.run(line.split('\\0'), capture_output=True, text=True).stdout\n"
        "    print(out.strip().splitlines()[-1] if out.strip() else '{}', flush=True)\n"
    )
    return subprocess.Popen(
        [sys.executable, "-S", "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )


_SPAWNER: subprocess.Popen[str] | None = None


def part_d(results: Results, args: argparse.Namespace) -> None:
    sizes = [scaled(100_000 * args.scale, 1.0), scaled(1_000_000 * args.scale, 1.0)]
    print(
        f"(d) peak RSS of a fresh client process per run, recipients from a generator; "
        f"server {CPU_RATE:,.0f}/s, {CPU_LATENCY * 1000:g} ms"
    )
    spawner = _SPAWNER or _spawner()
    assert spawner.stdin is not None
    assert spawner.stdout is not None
    peaks: list[float] = []
    for count in sizes:
        with FakeServer(rate=CPU_RATE, latency=CPU_LATENCY) as server:
            command = [sys.executable, __file__, "_rss", "--url", server.url, "--count", str(count)]
            spawner.stdin.write("\0".join(command) + "\n")
            spawner.stdin.flush()
            data = json.loads(spawner.stdout.readline())
        if not data:
            raise RuntimeError(f"the part d client for {count:,} recipients failed")
        _GRANDCHILDREN[0] += data["cpu"]
        peak = data["maxrss_kb"] / 1024
        peaks.append(peak)
        print(
            f" {count:,}: {data['sent']:,} sent in {data['wall']:.1f} s; peak RSS "
            f"(ru_maxrss) {peak:.1f} MB, VmHWM {data['hwm_kb'] / 1024:.1f} MB (after set-up, "
            f"before sending: {data['setup_hwm_kb'] / 1024:.1f} MB), RSS at the end "
            f"{data['rss_kb'] / 1024:.1f} MB"
        )
        results.add(
            "d", f"peak RSS, {count:,} recipients", f"{peak:.1f} MB", "<= 150 MB", peak <= 150
        )
    growth = peaks[1] - peaks[0]
    results.add(
        "d",
        f"RSS growth {sizes[0]:,} -> {sizes[1]:,}",
        f"{growth:+.1f} MB ({growth / peaks[0]:+.1%})",
        "flat",
    )


def part_e(results: Results, args: argparse.Namespace) -> None:
    count = scaled(100_000 * args.scale, 1.0)
    rounds = args.rounds
    tmp = tempfile.mkdtemp(prefix="sesflow-bench-")
    print(
        f"(e) journal CPU overhead, {count:,} recipients per run, {rounds} rounds alternating; "
        f"journal files in {tmp}; server {CPU_RATE:,.0f}/s, {CPU_LATENCY * 1000:g} ms"
    )
    plain: list[Timing] = []
    journaled: list[Timing] = []
    quiet: list[bool] = []
    try:
        with FakeServer(rate=CPU_RATE, latency=CPU_LATENCY) as server:
            run_bulk(server.url, 500, prefix="w", journal=os.path.join(tmp, "warm.db"))
            profile = ThreadProfile() if args.profile else None
            for i in _rounds(rounds, quiet):
                _settle(args.settle, quiet=True)
                usage = _RoundUsage(server)
                path = os.path.join(tmp, f"journal-{i}.db")
                # Each side goes first in every other round (see part c).
                if not i % 2:
                    plain.append(run_bulk(server.url, count))
                if profile is not None and i == 0:
                    with profile:
                        journaled.append(run_bulk(server.url, count, journal=path))
                else:
                    journaled.append(run_bulk(server.url, count, journal=path))
                if i % 2:
                    plain.append(run_bulk(server.url, count))
                others = usage.cores()
                quiet.append(others < QUIET_CORES and not (profile is not None and i == 0))
                print(
                    f" round {i + 1}: without {plain[-1].cpu:.2f} s CPU ({plain[-1].wall:.2f} s "
                    f"wall), with journal {journaled[-1].cpu:.2f} s CPU "
                    f"({journaled[-1].wall:.2f} s wall); overhead "
                    f"{journaled[-1].cpu / plain[-1].cpu - 1:+.0%}; other processes "
                    f"{others:.2f} cores" + ("" if quiet[-1] else " (not quiet: left out)"),
                    flush=True,
                )
    finally:
        for name in os.listdir(tmp):
            os.unlink(os.path.join(tmp, name))
        os.rmdir(tmp)
    per = 100_000 / count
    p_cpu, how = _quiet_median([t.cpu * per for t in plain], quiet, rounds)
    j_cpu, _ = _quiet_median([t.cpu * per for t in journaled], quiet, rounds)
    pairs = [j.cpu / p.cpu - 1 for j, p in zip(journaled, plain, strict=True)]
    overhead, _ = _quiet_median(pairs, quiet, rounds)
    results.add("e", f"send_bulk CPU s per 100k, no journal ({how})", f"{p_cpu:.2f}")
    results.add("e", "send_bulk CPU s per 100k, journal", f"{j_cpu:.2f}")
    results.add(
        "e",
        "journal CPU overhead (median of paired rounds)",
        f"{overhead:+.1%} (rounds {', '.join(f'{x:+.0%}' for x in pairs)})",
        "<= 10 %",
        overhead <= 0.10,
    )
    if profile is not None:
        profile.print("send_bulk with journal, round 1")


def _send_email(client: Any, address: str) -> None:
    client.send_email(
        FromEmailAddress=SENDER,
        Destination={"ToAddresses": [address]},
        Content={"Simple": {"Subject": {"Data": SUBJECT}, "Body": {"Text": {"Data": TEXT}}}},
    )


def part_alt(results: Results, args: argparse.Namespace) -> None:
    seconds = 10 * args.scale
    print(
        f"(alt) plain boto3 SendEmail, one recipient per call, 20 ms latency, default client "
        f"config (botocore {botocore.__version__}: standard retries, 3 attempts)"
    )
    for rate in (100.0, 1000.0):
        with FakeServer(rate=rate, latency=0.02) as server:
            client = boto3_client(server.url)
            _send_email(client, "warm@example.net")
            sent, start = 0, time.monotonic()
            while time.monotonic() - start < seconds:
                _send_email(client, f"s{sent}@example.net")
                sent += 1
                time.sleep(1 / rate)
            wall = time.monotonic() - start
            stats = server.stats()
        label = f"{rate:,.0f}/s"
        results.add(
            "alt",
            f"sleep(1/rate) loop at {label}: achieved/requested",
            f"{sent / wall / rate:.3f} ({sent / wall:.1f}/s)",
        )
        results.add("alt", f"sleep(1/rate) loop at {label}: 429s", str(stats["throttled_calls"]))
    count = scaled(100 * seconds, 1.0)
    for label, workers in (("sequential, no sleep", 1), ("10-thread pool", 10)):
        with FakeServer(rate=100.0, latency=0.02) as server:
            client = boto3_client(server.url)
            _send_email(client, "warm@example.net")
            time.sleep(1.1)  # the warm-up send leaves the window
            failures = 0

            def one(address: str, client: Any = client) -> bool:
                try:
                    _send_email(client, address)
                except client.exceptions.TooManyRequestsException:
                    return False
                return True

            start = time.monotonic()
            with ThreadPoolExecutor(workers) as pool:
                outcomes = list(pool.map(one, recipients(count, "u")))
            wall = time.monotonic() - start
            failures = outcomes.count(False)
            stats = server.stats()
        calls = stats["calls"].get("SendEmail", 0) - 1
        results.add(
            "alt",
            f"no pacing at 100/s, {label}: 429s / calls",
            f"{stats['throttled_calls']:,} / {calls:,} ({count:,} messages, {wall:.1f} s, "
            f"{count / wall:.0f} msg/s attempted)",
        )
        results.add(
            "alt",
            f"no pacing at 100/s, {label}: messages lost after boto3's retries",
            f"{failures:,} of {count:,}",
        )


class _StubClient:
    """An sesv2 client stand-in that answers at once, in-process: no botocore, no HTTP."""

    class meta:  # noqa: N801 - mirrors botocore's `client.meta`
        region_name = "us-east-1"
        # sesflow hooks its no-resend guard into a client's botocore events.
        events = HierarchicalEmitter()
        service_model = SimpleNamespace(service_id=ServiceId("SESv2"))

    def get_account(self, **params: Any) -> dict[str, Any]:
        quota = {"Max24HourSend": -1.0, "MaxSendRate": CPU_RATE, "SentLast24Hours": 0.0}
        return {"SendQuota": quota, "ProductionAccessEnabled": True, "SendingEnabled": True}

    def send_bulk_email(self, **params: Any) -> dict[str, Any]:
        ok = {"Status": "SUCCESS", "MessageId": "0100000000000000-stub-000000"}
        return {"BulkEmailEntryResults": [ok for _ in params["BulkEmailEntries"]]}


def _switches() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_nvcsw


def part_diag(results: Results, args: argparse.Namespace) -> None:
    """Where c's and e's CPU goes (not part of `all`): see docs/performance.md."""
    count = scaled(100_000 * args.scale, 1.0)
    per = 100_000 / count
    print(f"(diag) where the client CPU goes, {count:,} recipients per run")
    # 1. sesflow's own work: send_bulk against a stub client (no botocore, no HTTP).
    workers: int | Literal["auto"]
    for workers in ("auto", 1):
        cpus = []
        for _ in range(3):
            sender = sesflow.SES(client=_StubClient()).sender(SENDER)  # type: ignore[arg-type]

            def go(
                sender: sesflow.Sender = sender, workers: int | Literal["auto"] = workers
            ) -> int:
                return sender.send_bulk(recipients(count), TEMPLATE, concurrency=workers).sent

            cpus.append(timed(go).cpu)
        label = "adaptive workers" if workers == "auto" else f"{workers} worker"
        results.add(
            "diag",
            f"send_bulk vs a stub client ({label}, {_LOG.plan()}): CPU s per 100k",
            f"{statistics.median(cpus) * per:.2f}",
        )
    # 2. The same rounds as c, plus send_bulk with botocore's parameter validation off.
    quiet: list[bool] = []
    runs: dict[str, list[tuple[float, int]]] = {"bulk": [], "bulk-nv": [], "boto3": []}
    with FakeServer(rate=CPU_RATE, latency=CPU_LATENCY) as server:
        run_bulk(server.url, 500, prefix="w")
        workers_c = POOL_WORKERS
        _boto3_bulk(server.url, 500, workers_c)
        unvalidated = Config(parameter_validation=False)
        for i in _rounds(args.rounds, quiet):
            _settle(args.settle, quiet=True)
            usage = _RoundUsage(server)
            for name in runs:
                before = _switches()
                if name == "bulk":
                    timing = run_bulk(server.url, count)
                elif name == "bulk-nv":
                    ses = sesflow.SES(
                        "us-east-1", endpoint_url=server.url, botocore_config=unvalidated
                    )
                    timing = run_bulk(server.url, count, sender=ses.sender(SENDER))
                else:
                    timing = _boto3_bulk(server.url, count, workers_c)
                runs[name].append((timing.cpu, _switches() - before))
            others = usage.cores()
            quiet.append(others < QUIET_CORES)
            print(
                f" round {i + 1}: "
                + ", ".join(f"{n} {r[-1][0]:.2f} s CPU" for n, r in runs.items())
                + f"; other processes {others:.2f} cores",
                flush=True,
            )
    for name, label in (
        ("bulk", "send_bulk"),
        ("bulk-nv", "send_bulk, botocore parameter_validation=False"),
        ("boto3", f"boto3 {workers_c}-thread pool"),
    ):
        cpu, how = _quiet_median([c * per for c, _ in runs[name]], quiet, args.rounds)
        switches, _ = _quiet_median([float(w) * per for _, w in runs[name]], quiet, args.rounds)
        ratio, _ = _quiet_median(
            [c / b for (c, _), (b, _) in zip(runs[name], runs["boto3"], strict=True)],
            quiet,
            args.rounds,
        )
        results.add(
            "diag",
            f"{label}: CPU s / voluntary switches per 100k, ratio to boto3 ({how})",
            f"{cpu:.2f} / {switches:,.0f} / {ratio:.3f}",
        )
    # 3. The journal's cost without HTTP: send_bulk against the stub client, one worker,
    # with and without a journal (alternating), so SQLite's work stands out.
    with tempfile.TemporaryDirectory(prefix="sesflow-bench-") as tmp:
        paired: dict[str, list[float]] = {"none": [], "journal": []}
        for i in range(6):
            for mode in ("none", "journal") if i % 2 else ("journal", "none"):
                sender = sesflow.SES(client=_StubClient()).sender(SENDER)  # type: ignore[arg-type]
                path = os.path.join(tmp, f"j{i}.db") if mode == "journal" else None

                def run(sender: sesflow.Sender = sender, path: str | None = path) -> int:
                    report = sender.send_bulk(
                        recipients(count), TEMPLATE, concurrency=1, journal=path
                    )
                    return report.sent

                paired[mode].append(timed(run).cpu)
        extra = [j - n for j, n in zip(paired["journal"], paired["none"], strict=True)]
        results.add(
            "diag",
            "the journal's own CPU vs a stub client (1 worker): s per 100k, median of 6 pairs",
            f"{statistics.median(extra) * per:.3f}",
        )


PARTS: dict[str, Callable[[Results, argparse.Namespace], None]] = {
    "a": part_a,
    "b": part_b,
    "c": part_c,
    "d": part_d,
    "e": part_e,
    "alt": part_alt,
    "diag": part_diag,
}


# --- a quiet machine --------------------------------------------------------------------------

_CORES = len(os.sched_getaffinity(0))
#: CPU seconds of part d's clients, which the spawner (not this process) reaps.
_GRANDCHILDREN = [0.0]
#: Other processes' average load (cores) under which a round counts as undisturbed.
QUIET_CORES = 0.1
_TICK = os.sysconf("SC_CLK_TCK")


def _busy_seconds() -> float:
    """CPU-seconds the whole machine has been busy (all cores), from /proc/stat."""
    with open("/proc/stat") as stat:
        fields = [int(x) for x in stat.readline().split()[1:]]
    idle = fields[3] + fields[4]  # idle, iowait
    return (sum(fields[:8]) - idle) / _TICK


class _Usage:
    """Machine busy time minus this process's and its (reaped) children's: other work."""

    def __init__(self) -> None:
        self.busy = _busy_seconds()
        self.own = self._own()

    @staticmethod
    def _own() -> float:
        me = resource.getrusage(resource.RUSAGE_SELF)
        kids = resource.getrusage(resource.RUSAGE_CHILDREN)
        return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime + _GRANDCHILDREN[0]

    def others(self) -> float:
        return max(0.0, (_busy_seconds() - self.busy) - (self._own() - self.own))


class _RoundUsage(_Usage):
    """Like `_Usage`, also leaving out a live (not yet reaped) server's CPU."""

    def __init__(self, server: FakeServer) -> None:
        self.server = server
        self.started = time.monotonic()
        self.server_cpu = server.cpu_seconds()
        super().__init__()

    def cores(self) -> float:
        """Cores other processes kept busy on average since the start."""
        server = self.server.cpu_seconds() - self.server_cpu
        return max(0.0, self.others() - server) / (time.monotonic() - self.started)


def _rounds(wanted: int, quiet: list[bool]) -> Iterator[int]:
    """Round numbers until `wanted` rounds were quiet (at most twice `wanted` rounds)."""
    for i in range(2 * wanted):
        if sum(quiet) >= wanted:
            return
        yield i


def _quiet_median(values: list[float], quiet: list[bool], wanted: int) -> tuple[float, str]:
    """The median over rounds the rest of the machine left alone (over all rounds if fewer
    than `wanted` were)."""
    chosen = [v for v, q in zip(values, quiet, strict=True) if q]
    if len(chosen) >= wanted:
        return statistics.median(chosen), f"median of {len(chosen)} quiet rounds"
    return statistics.median(values), f"median of all rounds: fewer than {wanted} were quiet"


def _settle(limit: float, *, quiet: bool = False) -> None:
    """Wait (up to `limit` seconds) until other processes use under `QUIET_CORES` cores."""
    deadline = time.monotonic() + limit
    while True:
        usage = _Usage()
        time.sleep(1.0)
        load = usage.others()
        if load < QUIET_CORES or time.monotonic() >= deadline:
            if load >= QUIET_CORES:
                print(f"NOTE: the machine is busy ({load:.1f} cores used by others); going on")
            return
        if not quiet:
            print(f" (waiting: other processes use {load:.1f} cores)", flush=True)
        time.sleep(2.0)


# --- header ----------------------------------------------------------------------------------


def _git(*args: str) -> str:
    try:
        return subprocess.run(
            ["git", "-C", str(ROOT), *args], capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "?"


def header(argv: list[str]) -> str:
    cpu = "?"
    with contextlib.suppress(OSError), open("/proc/cpuinfo") as info:
        cpu = next((ln.split(":", 1)[1].strip() for ln in info if ln.startswith("model name")), "?")
    digest = hashlib.sha256()
    for name in (
        "_bulk.py",
        "_ratelimit.py",
        "_journal.py",
        "_ses.py",
        "_sender.py",
        "_validate.py",
    ):
        digest.update((ROOT / "src" / "sesflow" / name).read_bytes())
    dirty = _git("status", "--porcelain", "--", "src/sesflow").splitlines()
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return "\n".join(
        [
            f"command:  python {shlex.join(['benchmarks/bulk.py', *argv])}",
            f"python:   {platform.python_version()} ({platform.python_implementation()}), "
            f"boto3 {boto3.__version__}, botocore {botocore.__version__}, "
            f"sesflow {sesflow.__version__}",
            f"machine:  nproc {len(os.sched_getaffinity(0))}, {cpu}, {platform.system()} "
            f"{platform.release()}, load average {load}",
            f"source:   commit {_git('rev-parse', '--short', 'HEAD')}"
            + (f" + {len(dirty)} uncommitted change(s) in src/sesflow" if dirty else "")
            + f"; sha256(_bulk, _ratelimit, _journal, _ses, _sender, _validate) "
            f"{digest.hexdigest()[:12]}",
            "server:   FakeSES in a separate process (benchmarks/_server.py), HTTP/1.1 on "
            "127.0.0.1, keep_messages=False, Max24HourSend -1"
            + (f"; pinned to CPU {sorted(_server.SERVER_CPUS)}" if _server.SERVER_CPUS else ""),
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("parts", nargs="*", default=["all"], help="a b c d e alt diag, or all")
    parser.add_argument("--scale", type=float, default=1.0, help="multiply every count by this")
    parser.add_argument(
        "--rounds",
        type=int,
        default=4,
        help="quiet alternating rounds wanted in c and e (at most twice as many are run)",
    )
    parser.add_argument(
        "--pin",
        action="store_true",
        help="pin this client to CPU 0 and the fake servers to CPU 1",
    )
    parser.add_argument(
        "--profile", action="store_true", help="cProfile round 1 of c and e (figures then skewed)"
    )
    parser.add_argument(
        "--settle",
        type=float,
        default=120.0,
        help="before each part, wait up to this many seconds for other processes to go quiet",
    )
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--count", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.parts == ["_rss"]:
        _rss_child(args.url, args.count)
        return
    parts = [p for p in PARTS if p != "diag"] if "all" in args.parts else args.parts
    unknown = [p for p in parts if p not in PARTS]
    if unknown:
        parser.error(f"unknown part(s) {', '.join(unknown)}; choose from {', '.join(PARTS)}, all")
    global _SPAWNER
    if args.pin:
        os.sched_setaffinity(0, {0})
        _server.SERVER_CPUS = {1}
    if "d" in parts:
        _SPAWNER = _spawner()  # while this process is still small; see `_spawner`
    print(header(sys.argv[1:]))
    if args.scale != 1.0:
        print(f"NOTE: counts scaled by {args.scale:g} (--scale); figures are not the reference run")
    if args.profile:
        print("NOTE: --profile: CPU figures of profiled rounds are inflated by the profiler")
    print()
    results = Results()
    started = time.monotonic()
    for part in parts:
        _settle(args.settle)
        t0, usage = time.monotonic(), _Usage()
        PARTS[part](results, args)
        others = usage.others()
        print(
            f" [{part}: {time.monotonic() - t0:.0f} s; other processes used {others:.1f} CPU-s "
            f"meanwhile ({others / (time.monotonic() - t0) / _CORES:.0%} of the machine)]\n",
            flush=True,
        )
        results.background[part] = others / (time.monotonic() - t0) / _CORES
    if _SPAWNER is not None and _SPAWNER.stdin is not None:
        _SPAWNER.stdin.close()
        _SPAWNER.wait()
    print(f"Summary ({time.monotonic() - started:.0f} s in all)\n")
    print(results.table())
    busy = {part: share for part, share in results.background.items() if share >= 0.05}
    if busy:
        print(
            "\nWARNING: other processes were busy during "
            + ", ".join(f"{part} ({share:.0%} of the machine)" for part, share in busy.items())
            + "; CPU and pacing figures of those parts may be skewed: run them again."
        )
    if _LOG.warnings():
        print("\nsesflow log (warnings, retries):")
        for line in _LOG.warnings()[:20]:
            print(f"  {line}")


if __name__ == "__main__":
    main()
