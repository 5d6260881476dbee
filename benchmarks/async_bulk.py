"""Sync vs async benchmark: `sesflow.SES` against `sesflow.aio.AsyncSES`, in one run.

Run by hand, not in CI (about 5 minutes on 2 cores, plus any wait for a quiet machine; the
figures and their interpretation are in docs/performance.md, "Async API"):

    .venv/bin/python benchmarks/async_bulk.py            # every part, 3 paired rounds
    .venv/bin/python benchmarks/async_bulk.py --quick    # 1 round, shorter runs (~1.5 min)
    .venv/bin/python benchmarks/async_bulk.py cpu --profile   # cProfile the async client

Every measurement runs in a fresh client process (so CPU time and peak RSS are that client's
own) against a fresh `FakeSES` served over HTTP by another process (`benchmarks/_server.py`),
so the server's 429 count and peak one-second window are that run's. Sync and async runs
alternate within each round (each goes first in every other round) and the figures are
medians over rounds. Helpers (server, recipients, quiet-machine checks) come from
`benchmarks/bulk.py`.

Parts:
  rate    achieved/requested, peak one-second window and 429s: `send_bulk` at 100/s and
          1,000/s (20 ms latency) and 2,000/s (200 ms latency), sync vs async
  cpu     client CPU per 100,000 recipients and peak RSS (server 100,000/s, 0 ms)
  single  1,000 concurrent `Sender.send` calls from one event loop: `AsyncSES` with
          `asyncio.gather` vs `asyncio.to_thread` over the sync sender (the loop's default
          executor, and a 64-thread one); server 100,000/s, 50 ms latency
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import pstats
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bulk
from _server import SENDER, FakeServer
from bulk import SUBJECT, TEMPLATE, TEXT, Results, recipients

import sesflow

SINGLE_RATE = 100_000.0
SINGLE_LATENCY = 0.05
SINGLES = 1000


# --- the client, in its own process ----------------------------------------------------------


class _ThreadPeak:
    """The most OS threads this process had at once (sampled every 5 ms; not counting the
    sampler itself)."""

    def __init__(self) -> None:
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    @staticmethod
    def _threads() -> int:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("Threads:"):
                    return int(line.split()[1])
        return 0

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self._threads() - 1)
            self._stop.wait(0.005)

    def __enter__(self) -> _ThreadPeak:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join()


def _hwm_mb() -> float:
    """VmHWM: this process's peak RSS since exec (not carried over from the parent)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def _measure(fn: Callable[[], int], profile: bool) -> dict[str, Any]:
    profiler = cProfile.Profile() if profile else None
    with _ThreadPeak() as threads:
        cpu0, wall0 = time.process_time(), time.monotonic()
        if profiler is not None:
            profiler.enable()
        sent = fn()
        if profiler is not None:
            profiler.disable()
        wall, cpu = time.monotonic() - wall0, time.process_time() - cpu0
    if profiler is not None:
        # This thread only (the sync sender's workers are not in it); wall-clock timer.
        pstats.Stats(profiler, stream=sys.stderr).sort_stats("tottime").print_stats(25)
    return {"sent": sent, "wall": wall, "cpu": cpu, "threads": threads.peak, "hwm_mb": _hwm_mb()}


def _aio_session() -> Any:
    from aiobotocore.session import get_session

    session = get_session()
    session.set_credentials("testing", "testing")
    return session


def _child(mode: str, kind: str, url: str, count: int, profile: bool) -> dict[str, Any]:
    """One measured run; warm-up (clients built, GetAccount, one call) is outside it."""
    if kind == "bulk" and mode == "sync":
        sender = sesflow.SES("us-east-1", endpoint_url=url).sender(SENDER)
        sender.send_bulk(["warm@example.net"], TEMPLATE)
        time.sleep(1.1)  # the warm-up call leaves the server's one-second window

        def go() -> int:
            return sender.send_bulk(recipients(count), TEMPLATE).sent

        return _measure(go, profile)
    if kind == "bulk" and mode == "async":
        from sesflow.aio import AsyncSES

        async def main() -> dict[str, Any]:
            async with AsyncSES("us-east-1", session=_aio_session(), endpoint_url=url) as ses:
                sender = ses.sender(SENDER)
                await sender.send_bulk(["warm@example.net"], TEMPLATE)
                await asyncio.sleep(1.1)
                return await _measure_async(
                    lambda: _sent(sender.send_bulk(recipients(count), TEMPLATE)), profile
                )

        return asyncio.run(main())
    if kind == "single" and mode == "async":
        from sesflow.aio import AsyncSES

        async def main() -> dict[str, Any]:
            async with AsyncSES("us-east-1", session=_aio_session(), endpoint_url=url) as ses:
                sender = ses.sender(SENDER)
                await sender.send(to="warm@example.net", subject=SUBJECT, text=TEXT)

                async def all_sends() -> int:
                    results = await asyncio.gather(
                        *(
                            sender.send(to=f"s{i}@example.net", subject=SUBJECT, text=TEXT)
                            for i in range(count)
                        )
                    )
                    return len(results)

                return await _measure_async(all_sends, profile)

        return asyncio.run(main())
    if kind == "single" and mode in ("thread", "thread64"):
        sync_sender = sesflow.SES("us-east-1", endpoint_url=url).sender(SENDER)
        sync_sender.send(to="warm@example.net", subject=SUBJECT, text=TEXT)

        async def main() -> dict[str, Any]:
            if mode == "thread64":
                asyncio.get_running_loop().set_default_executor(ThreadPoolExecutor(64))

            async def all_sends() -> int:
                results = await asyncio.gather(
                    *(
                        asyncio.to_thread(
                            sync_sender.send, to=f"s{i}@example.net", subject=SUBJECT, text=TEXT
                        )
                        for i in range(count)
                    )
                )
                return len(results)

            return await _measure_async(all_sends, profile)

        return asyncio.run(main())
    raise SystemExit(f"unknown child {mode} {kind}")


async def _sent(report: Coroutine[Any, Any, sesflow.BulkReport]) -> int:
    return (await report).sent


async def _measure_async(
    make: Callable[[], Coroutine[Any, Any, int]], profile: bool
) -> dict[str, Any]:
    profiler = cProfile.Profile() if profile else None
    with _ThreadPeak() as threads:
        cpu0, wall0 = time.process_time(), time.monotonic()
        if profiler is not None:
            profiler.enable()
        sent = await make()
        if profiler is not None:
            profiler.disable()
        wall, cpu = time.monotonic() - wall0, time.process_time() - cpu0
    if profiler is not None:
        # Greenlet switches blur cProfile's call tree; tottime still shows where time went.
        pstats.Stats(profiler, stream=sys.stderr).sort_stats("tottime").print_stats(25)
    return {"sent": sent, "wall": wall, "cpu": cpu, "threads": threads.peak, "hwm_mb": _hwm_mb()}


# --- the parent: servers, rounds, medians ----------------------------------------------------


def _run_child(mode: str, kind: str, url: str, count: int, profile: bool) -> dict[str, Any]:
    command = [sys.executable, __file__, "_child", mode, kind, url, str(count)]
    done = subprocess.run(
        command + (["--profile"] if profile else []), capture_output=True, text=True
    )
    if done.returncode != 0 or not done.stdout.strip():
        raise RuntimeError(f"client {mode} {kind} failed:\n{done.stderr[-3000:]}")
    if profile:
        print(f"\n--- cProfile of the {mode} {kind} client (tottime) ---\n{done.stderr}")
    data: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    if profile:
        print(f"--- {mode} {kind} plan: {data.get('plan', '?')}")
    if data["sent"] != count:
        raise RuntimeError(f"client {mode} {kind} sent {data['sent']} of {count}")
    return data


def _one(
    mode: str, kind: str, rate: float, latency: float, count: int, profile: bool = False
) -> dict[str, Any]:
    """A fresh server and a fresh client process: the run's own 429s, peak and arrivals."""
    with FakeServer(rate=rate, latency=latency) as server:
        data = _run_child(mode, kind, server.url, count, profile)
        stats = server.stats()
        arrivals = server.arrivals() if kind == "bulk" else []
    data["peak"] = int(stats["peak_recipients_per_second"])
    data["throttled"] = int(stats["throttled_calls"])
    if arrivals:
        warm = min(t for t, _ in arrivals)  # the warm-up call's
        data["steady"] = bulk.arrival_span_ratio([a for a in arrivals if a[0] != warm], rate)
    return data


def _rounds(
    args: argparse.Namespace, modes: list[str], run: Callable[[str], dict[str, Any]]
) -> tuple[dict[str, list[dict[str, Any]]], list[bool]]:
    """Rounds of one run per mode (the order rotates every round), each after the machine
    settled; `quiet[i]` says whether other processes left round i alone."""
    runs: dict[str, list[dict[str, Any]]] = {m: [] for m in modes}
    quiet: list[bool] = []
    for i in bulk._rounds(args.rounds, quiet):
        bulk._settle(args.settle, quiet=True)
        usage, start = bulk._Usage(), time.monotonic()
        order = modes[i % len(modes) :] + modes[: i % len(modes)]
        for mode in order:
            runs[mode].append(run(mode))
        cores = usage.others() / (time.monotonic() - start)
        quiet.append(cores < bulk.QUIET_CORES)
        print(
            f"  round {i + 1}: "
            + "; ".join(
                f"{m} {runs[m][-1]['wall']:.2f} s wall, {runs[m][-1]['cpu']:.2f} s CPU"
                for m in modes
            )
            + f"; other processes {cores:.2f} cores"
            + ("" if quiet[-1] else " (not quiet: left out)"),
            flush=True,
        )
    return runs, quiet


def _median(
    runs: list[dict[str, Any]],
    quiet: list[bool],
    wanted: int,
    fn: Callable[[dict[str, Any]], float],
) -> tuple[float, str]:
    return bulk._quiet_median([fn(r) for r in runs], quiet, wanted)


def _each(runs: list[dict[str, Any]], fn: Callable[[dict[str, Any]], float], fmt: str) -> str:
    return ", ".join(format(fn(r), fmt) for r in runs)


def part_rate(results: Results, args: argparse.Namespace) -> None:
    seconds = args.seconds
    for rate, latency in ((100.0, 0.02), (1000.0, 0.02), (2000.0, 0.2)):
        count = round(rate * seconds)
        label = f"{rate:,.0f}/s, {latency * 1000:g} ms"
        print(f"(rate) {label}: {count:,} recipients ({seconds:g} s worth) per run")

        def run(mode: str, rate: float = rate, latency: float = latency, count: int = count) -> Any:
            return _one(mode, "bulk", rate, latency, count)

        runs, quiet = _rounds(args, ["sync", "async"], run)
        for mode in ("sync", "async"):
            r = runs[mode]

            def achieved(d: dict[str, Any], rate: float = rate) -> float:
                return float(d["sent"] / d["wall"] / rate)

            ratio, how = _median(r, quiet, args.rounds, achieved)
            steady, _ = _median(r, quiet, args.rounds, lambda d: d["steady"])
            results.add(
                "rate",
                f"{label} {mode}: achieved/requested ({how}) [rounds]",
                f"{ratio:.3f} [{_each(r, achieved, '.3f')}]",
            )
            results.add("rate", f"{label} {mode}: steady pace by arrival", f"{steady:.3f}")
            results.add(
                "rate",
                f"{label} {mode}: peak 1-s window / 429s (worst round)",
                f"{max(d['peak'] for d in r):,} / {max(d['throttled'] for d in r)}",
                f"<= {rate:,.0f} / 0",
                max(d["peak"] for d in r) <= rate and max(d["throttled"] for d in r) == 0,
            )


def part_cpu(results: Results, args: argparse.Namespace) -> None:
    count = args.cpu_count
    per = 100_000 / count
    print(
        f"(cpu) client CPU and peak RSS, {count:,} recipients per run; server "
        f"{bulk.CPU_RATE:,.0f}/s, {bulk.CPU_LATENCY * 1000:g} ms"
    )

    def run(mode: str) -> Any:
        return _one(mode, "bulk", bulk.CPU_RATE, bulk.CPU_LATENCY, count)

    runs, quiet = _rounds(args, ["sync", "async"], run)
    for mode in ("sync", "async"):
        r = runs[mode]
        cpu, how = _median(r, quiet, args.rounds, lambda d: d["cpu"] * per)
        wall, _ = _median(r, quiet, args.rounds, lambda d: d["wall"] * per)
        hwm, _ = _median(r, quiet, args.rounds, lambda d: d["hwm_mb"])
        results.add(
            "cpu",
            f"{mode}: CPU s per 100k ({how}) [rounds]",
            f"{cpu:.2f} [{_each(r, lambda d: d['cpu'] * per, '.2f')}]",
        )
        results.add("cpu", f"{mode}: wall s per 100k", f"{wall:.2f}")
        results.add("cpu", f"{mode}: peak RSS (VmHWM), MB", f"{hwm:.1f}")
        results.add("cpu", f"{mode}: peak threads", str(max(d["threads"] for d in r)))
    pairs = [a["cpu"] / s["cpu"] for a, s in zip(runs["async"], runs["sync"], strict=True)]
    ratio, _ = bulk._quiet_median(pairs, quiet, args.rounds)
    results.add(
        "cpu",
        "CPU ratio async / sync (median of paired rounds)",
        f"{ratio:.3f} [{', '.join(f'{x:.2f}' for x in pairs)}]",
    )
    if args.profile:
        _one("async", "bulk", bulk.CPU_RATE, bulk.CPU_LATENCY, count, profile=True)
        _one("sync", "bulk", bulk.CPU_RATE, bulk.CPU_LATENCY, count, profile=True)


MODES_SINGLE = {
    "async": "AsyncSES + gather",
    "thread": "to_thread, default executor",
    "thread64": "to_thread, 64-thread executor",
}


def part_single(results: Results, args: argparse.Namespace) -> None:
    count = args.singles
    print(
        f"(single) {count:,} concurrent Sender.send calls from one event loop; server "
        f"{SINGLE_RATE:,.0f}/s, {SINGLE_LATENCY * 1000:g} ms"
    )

    def run(mode: str) -> Any:
        return _one(mode, "single", SINGLE_RATE, SINGLE_LATENCY, count)

    runs, quiet = _rounds(args, list(MODES_SINGLE), run)
    for mode, label in MODES_SINGLE.items():
        r = runs[mode]
        wall, how = _median(r, quiet, args.rounds, lambda d: d["wall"])
        cpu, _ = _median(r, quiet, args.rounds, lambda d: d["cpu"])
        results.add(
            "single",
            f"{label}: wall s / CPU s ({how}) [wall rounds]",
            f"{wall:.2f} / {cpu:.2f} [{_each(r, lambda d: d['wall'], '.2f')}]",
        )
        results.add(
            "single",
            f"{label}: peak threads / peak RSS MB / 429s",
            f"{max(d['threads'] for d in r)} / {max(d['hwm_mb'] for d in r):.1f} / "
            f"{max(d['throttled'] for d in r)}",
        )
    if args.profile:
        _one("async", "single", SINGLE_RATE, SINGLE_LATENCY, count, profile=True)


PARTS: dict[str, Callable[[Results, argparse.Namespace], None]] = {
    "rate": part_rate,
    "cpu": part_cpu,
    "single": part_single,
}


def _header(argv: list[str]) -> str:
    import aiobotocore
    import greenlet  # type: ignore[import-untyped,unused-ignore]

    lines = bulk.header(argv).splitlines()
    lines[0] = f"command:  python benchmarks/async_bulk.py {' '.join(argv)}".rstrip()
    lines[1] += f", aiobotocore {aiobotocore.__version__}, greenlet {greenlet.__version__}"
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("parts", nargs="*", default=["all"], help="rate cpu single, or all")
    parser.add_argument("--quick", action="store_true", help="1 round, shorter runs")
    parser.add_argument("--rounds", type=int, help="quiet rounds wanted per figure (default 3)")
    parser.add_argument("--seconds", type=float, help="seconds of sending per rate run (6)")
    parser.add_argument("--cpu-count", type=int, help="recipients per cpu run (100,000)")
    parser.add_argument("--singles", type=int, default=SINGLES, help="single sends per run")
    parser.add_argument("--settle", type=float, default=60.0, help="wait for quiet, seconds")
    parser.add_argument("--profile", action="store_true", help="also cProfile one client")
    if sys.argv[1:2] == ["_child"]:
        mode, kind, url, count = sys.argv[2:6]
        data = _child(mode, kind, url, int(count), "--profile" in sys.argv)
        data["plan"] = bulk._LOG.plan() if kind == "bulk" else ""
        print(json.dumps(data), flush=True)
        return
    args = parser.parse_args()
    args.rounds = args.rounds or (1 if args.quick else 3)
    args.seconds = args.seconds or (3.0 if args.quick else 6.0)
    args.cpu_count = args.cpu_count or (30_000 if args.quick else 100_000)
    parts = list(PARTS) if "all" in args.parts else args.parts
    unknown = [p for p in parts if p not in PARTS]
    if unknown:
        parser.error(f"unknown part(s) {', '.join(unknown)}; choose from {', '.join(PARTS)}")
    print(_header(sys.argv[1:]))
    print(
        f"rounds: {args.rounds} quiet rounds wanted (at most {2 * args.rounds} run), sync and "
        "async alternating; every run a fresh client process and a fresh server\n"
    )
    results = Results()
    started = time.monotonic()
    for part in parts:
        bulk._settle(args.settle)
        t0, usage = time.monotonic(), bulk._Usage()
        PARTS[part](results, args)
        share = usage.others() / (time.monotonic() - t0) / bulk._CORES
        print(f" [{part}: {time.monotonic() - t0:.0f} s; others used {share:.0%} of the machine]\n")
        results.background[part] = share
    print(f"Summary ({time.monotonic() - started:.0f} s in all)\n")
    print(results.table())
    busy = {p: s for p, s in results.background.items() if s >= 0.05}
    if busy:
        print(
            "\nWARNING: other processes were busy during "
            + ", ".join(f"{p} ({s:.0%})" for p, s in busy.items())
            + "; figures of those parts may be skewed."
        )


if __name__ == "__main__":
    main()
