"""Shared-limiter benchmark: one rate across processes (`sesflow.redis.RedisLimiter`), and what
the Redis limiter costs the client against the in-process one.

Run by hand, not in CI (about 3 minutes on 2 cores; needs a Redis server, by default
redis://127.0.0.1:6379/0; the figures are in docs/performance.md, "Shared rate"):

    .venv/bin/python benchmarks/limiter.py all        # or: shared cpu
    .venv/bin/python benchmarks/limiter.py shared --redis redis://127.0.0.1:6379/0

Every figure is taken against a `FakeSES` served over HTTP on 127.0.0.1 by a separate process
(`benchmarks/_server.py`), which enforces `MaxSendRate` as SES does: recipients counted by
arrival over a sliding second, HTTP 429 past it. Nothing reaches AWS.

Parts:
  shared  four client processes, each `send_bulk` of its own 5,000 recipients, share one
          `RedisLimiter` at 1,000/s against one server at 1,000/s (20 ms latency): the
          server's 429s, its busiest second, and the rate reached together (steady pace by
          arrival, first call to last, and recipients over the wall time of the slowest)
  cpu     client CPU per 100,000 recipients of `send_bulk` with a `RedisLimiter` vs the
          default in-process limiter, server at 100,000/s and 0 ms (so pacing and waiting do
          not dominate): interleaved pairs (each side first in every other round), the median
          of the per-round ratios; and the limiter alone (2,000 acquires of 50, no sends)
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _server import SENDER, FakeServer
from bulk import (
    CPU_LATENCY,
    CPU_RATE,
    TEMPLATE,
    Results,
    _settle,
    header,
    recipients,
    run_bulk,
)

import sesflow
from sesflow.redis import RedisLimiter

SHARED_RATE = 1000.0
PROCESSES = 4
PER_PROCESS = 5000


def _child(url: str, redis_url: str, key: str, prefix: str, count: int) -> None:
    """One of the shared part's processes: warm up, say "ready", wait for "go", send."""
    limiter = RedisLimiter(redis_url, rate=SHARED_RATE, key=key)
    sender = sesflow.SES("us-east-1", endpoint_url=url, limiter=limiter).sender(SENDER)
    sender.send_bulk(recipients(1, f"{prefix}warm"), TEMPLATE)
    print("ready", flush=True)
    sys.stdin.readline()
    started = time.monotonic()
    report = sender.send_bulk(recipients(count, prefix), TEMPLATE)
    print(
        json.dumps(
            {"sent": report.sent, "failed": report.failed, "wall": time.monotonic() - started}
        ),
        flush=True,
    )


def _steady(arrivals: list[tuple[float, int]], warm: int) -> tuple[float, int]:
    """(the steady pace by arrival as a share of the rate, the busiest sliding second) of the
    arrivals after the first `warm` (the warm-up calls)."""
    calls: dict[float, int] = {}
    for arrived, size in arrivals[warm:]:
        calls[arrived] = calls.get(arrived, 0) + size
    times = sorted(calls)
    steady = (sum(calls.values()) - calls[times[0]]) / (times[-1] - times[0]) / SHARED_RATE
    busiest = total = start = 0
    for t in times:
        total += calls[t]
        while times[start] <= t - 1.0:
            total -= calls[times[start]]
            start += 1
        busiest = max(busiest, total)
    return steady, busiest


def part_shared(results: Results, args: argparse.Namespace) -> None:
    print(
        f"(shared) {PROCESSES} processes x {PER_PROCESS:,} recipients, one RedisLimiter at "
        f"{SHARED_RATE:,.0f}/s, one server at {SHARED_RATE:,.0f}/s, 20 ms latency"
    )
    key = f"sesflow-bench:{uuid.uuid4().hex[:8]}"
    with FakeServer(rate=SHARED_RATE, latency=0.02) as server:
        common = [sys.executable, __file__, "_child", "--url", server.url, "--redis", args.redis]
        children = [
            subprocess.Popen(
                [*common, "--key", key, "--prefix", f"p{n}-", "--count", str(PER_PROCESS)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
            )
            for n in range(PROCESSES)
        ]
        for child in children:
            assert child.stdout is not None
            assert child.stdout.readline().strip() == "ready"
        time.sleep(1.1)  # the warm-up calls leave the server's sliding second
        for child in children:
            assert child.stdin is not None
            child.stdin.write("go\n")
            child.stdin.flush()
        reports = [json.loads(child.communicate()[0].splitlines()[-1]) for child in children]
        stats, arrivals = server.stats(), server.arrivals()
    sent = sum(r["sent"] for r in reports)
    wall = max(r["wall"] for r in reports)
    steady, busiest = _steady(arrivals, PROCESSES)
    print(f" sent {sent:,} (failed {sum(r['failed'] for r in reports)}) in {wall:.2f} s")
    throttled = int(stats["throttled_calls"])
    results.add("shared", "429s from the server", str(throttled), "0", throttled == 0)
    peak = int(stats["peak_recipients_per_second"])
    results.add(
        "shared",
        "peak recipients in one second (server)",
        f"{peak:,}",
        f"<= {SHARED_RATE:,.0f}",
        peak <= SHARED_RATE,
    )
    results.add(
        "shared",
        "together: steady pace by arrival / rate",
        f"{steady:.3f}",
        ">= 0.95",
        steady >= 0.95,
    )
    results.add(
        "shared",
        "together: recipients / wall time of the slowest / rate",
        f"{sent / wall / SHARED_RATE:.3f}",
    )
    results.add("shared", "busiest second after the warm-up (by arrival)", f"{busiest:,}")


def _limiter_alone(redis_url: str) -> tuple[float, float]:
    """CPU seconds for 2,000 acquires of 50 (100,000 recipients): in-process, then Redis."""
    ses = sesflow.SES(client=sesflow.testing.FakeSES(max_send_rate=CPU_RATE).client())
    local = ses.limiter  # the default: in-process, at the fake's 100,000/s
    shared = RedisLimiter(redis_url, rate=CPU_RATE, key=f"sesflow-bench:{uuid.uuid4().hex[:8]}")
    cpus = []
    for limiter in (local, shared):
        start = time.process_time()
        for _ in range(2000):
            limiter.acquire(50)
        cpus.append(time.process_time() - start)
    shared.close()
    return cpus[0], cpus[1]


def part_cpu(results: Results, args: argparse.Namespace) -> None:
    count = 100_000
    rounds = args.rounds
    print(
        f"(cpu) client CPU, {count:,} recipients per run, {rounds} interleaved rounds of "
        f"send_bulk with the in-process limiter and with a RedisLimiter; server at "
        f"{CPU_RATE:,.0f}/s, {CPU_LATENCY * 1000:g} ms"
    )
    local_cpu: list[float] = []
    redis_cpu: list[float] = []
    with FakeServer(rate=CPU_RATE, latency=CPU_LATENCY) as server:
        key = f"sesflow-bench:{uuid.uuid4().hex[:8]}"
        redis_sender = sesflow.SES(
            "us-east-1",
            endpoint_url=server.url,
            limiter=RedisLimiter(args.redis, rate=CPU_RATE, key=key),
        ).sender(SENDER)

        def local() -> None:
            local_sender = sesflow.SES("us-east-1", endpoint_url=server.url).sender(SENDER)
            local_cpu.append(run_bulk(server.url, count, sender=local_sender).cpu)

        def shared() -> None:
            redis_cpu.append(run_bulk(server.url, count, sender=redis_sender).cpu)

        run_bulk(server.url, 500, prefix="w", sender=redis_sender)  # warm both paths
        run_bulk(server.url, 500, prefix="w2")
        for i in range(rounds):
            _settle(args.settle, quiet=True)
            first, second = (local, shared) if i % 2 == 0 else (shared, local)
            first()
            second()
            print(
                f" round {i + 1}: in-process {local_cpu[-1]:.2f} s CPU, Redis "
                f"{redis_cpu[-1]:.2f} s CPU; ratio {redis_cpu[-1] / local_cpu[-1]:.3f}",
                flush=True,
            )
    ratios = [r / p for r, p in zip(redis_cpu, local_cpu, strict=True)]
    results.add(
        "cpu",
        "send_bulk CPU s per 100k, in-process limiter (median)",
        f"{statistics.median(local_cpu):.2f}",
    )
    results.add(
        "cpu",
        "send_bulk CPU s per 100k, RedisLimiter (median)",
        f"{statistics.median(redis_cpu):.2f}",
    )
    results.add(
        "cpu",
        "CPU ratio RedisLimiter / in-process (median of interleaved pairs)",
        f"{statistics.median(ratios):.3f} (rounds {', '.join(f'{x:.2f}' for x in ratios)})",
    )
    alone_local, alone_redis = _limiter_alone(args.redis)
    results.add(
        "cpu",
        "the limiter alone: CPU s per 100k (2,000 acquires of 50), in-process / Redis",
        f"{alone_local:.3f} / {alone_redis:.3f}",
    )


PARTS = {"shared": part_shared, "cpu": part_cpu}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("parts", nargs="*", default=["all"], help="shared cpu, or all")
    parser.add_argument(
        "--redis",
        default=os.environ.get("SESFLOW_TEST_REDIS_URL", "redis://127.0.0.1:6379/0"),
        help="the Redis server to share the rate through",
    )
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds in cpu")
    parser.add_argument(
        "--settle",
        type=float,
        default=60.0,
        help="before each part and round, wait up to this long for other processes to go quiet",
    )
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--key", help=argparse.SUPPRESS)
    parser.add_argument("--prefix", help=argparse.SUPPRESS)
    parser.add_argument("--count", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.parts == ["_child"]:
        _child(args.url, args.redis, args.key, args.prefix, args.count)
        return
    parts = list(PARTS) if "all" in args.parts else args.parts
    unknown = [p for p in parts if p not in PARTS]
    if unknown:
        parser.error(f"unknown part(s) {', '.join(unknown)}; choose from {', '.join(PARTS)}, all")
    print(header(sys.argv[1:]).replace("benchmarks/bulk.py", "benchmarks/limiter.py"))
    print(f"redis:    {args.redis}\n")
    results = Results()
    for part in parts:
        _settle(args.settle)
        started = time.monotonic()
        PARTS[part](results, args)
        print(f" [{part}: {time.monotonic() - started:.0f} s]\n", flush=True)
    print("Summary\n")
    print(results.table())


if __name__ == "__main__":
    main()
