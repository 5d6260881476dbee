"""Journal benchmark: `sesflow.postgres.PostgresJournal` against the SQLite journal.

Run by hand, not in CI (about 10 minutes for `all` on 2 cores, plus any wait for a quiet
machine; the figures and their interpretation are in docs/performance.md):

    PYTHONPATH=src .venv/bin/python benchmarks/journal.py all     # or any of: cpu split

It needs a PostgreSQL (`--dsn`, default `$SESFLOW_TEST_POSTGRES_DSN` or
`postgresql://postgres@127.0.0.1:5432/test`); it works in a schema of its own, dropped at
the end. Every figure is taken against a `FakeSES` served over HTTP on 127.0.0.1 by a
separate process (`benchmarks/_server.py`: unlimited daily quota, `keep_messages=False`,
the given MaxSendRate, no latency), and nothing reaches AWS.

Parts:
  cpu    client CPU per 100,000 recipients: send_bulk without a journal, with the SQLite
         journal and with a PostgresJournal, in rounds (the order turns each round), the
         median of each over the quiet rounds, and of each journal's overhead over the run
         without one in the same round; plus the PostgreSQL server's CPU per 100,000 (its
         processes on this machine, read from /proc)
  split  a campaign's throughput at an unlimited rate: 4 worker processes sharing one
         PostgresJournal (recipients/s from the first worker's start to the last one's
         end, and each worker's share), then, for comparison, 1 process with a
         PostgresJournal and 1 with the SQLite journal, the same recipients
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

import bulk  # noqa: E402  (its helpers; importing it sets dummy AWS credentials)
from _server import SENDER, FakeServer  # noqa: E402

import sesflow  # noqa: E402

DEFAULT_DSN = os.environ.get(
    "SESFLOW_TEST_POSTGRES_DSN", "postgresql://postgres@127.0.0.1:5432/test"
)
#: An account rate no run reaches: pacing never waits.
UNLIMITED = 1_000_000.0
MODES = ("none", "sqlite", "postgres")


# --- the PostgreSQL server's CPU ------------------------------------------------------------


def postgres_cpu() -> float:
    """CPU seconds used so far by the `postgres` processes of this machine (0.0 if none):
    the live ones', and the exited backends' (which the postmaster reaped: its children's
    time)."""
    total = 0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat") as stat:
                text = stat.read()
        except OSError:
            continue
        name, rest = text[text.index("(") + 1 : text.rindex(")")], text[text.rindex(")") + 1 :]
        if name.startswith("postgres"):
            fields = rest.split()
            total += sum(int(field) for field in fields[11:15])  # utime stime cutime cstime
    return total / os.sysconf("SC_CLK_TCK")


class _Usage(bulk._RoundUsage):
    """Other processes' load during a round, leaving out the fake server and PostgreSQL."""

    def __init__(self, server: FakeServer) -> None:
        self.postgres = postgres_cpu()
        super().__init__(server)

    def cores(self) -> float:
        postgres = postgres_cpu() - self.postgres
        elapsed = time.monotonic() - self.started
        return max(0.0, super().cores() - postgres / elapsed)


# --- runs -----------------------------------------------------------------------------------


class Journals:
    """Journals for the runs: SQLite files in a temporary directory, PostgreSQL campaigns
    in a schema of the benchmark's own; both removed by `close()`."""

    def __init__(self, dsn: str) -> None:
        self.dsn = dsn
        self.schema = f"sesflow_bench_{uuid.uuid4().hex[:10]}"
        self.tmp = tempfile.mkdtemp(prefix="sesflow-bench-")

    def make(self, mode: str) -> Any:
        if mode == "none":
            return None
        name = uuid.uuid4().hex[:12]
        if mode == "sqlite":
            return os.path.join(self.tmp, f"{name}.journal")
        from sesflow.postgres import PostgresJournal

        return PostgresJournal(self.dsn, campaign=name, schema=self.schema)

    def close(self) -> None:
        import psycopg

        with psycopg.connect(self.dsn, autocommit=True) as connection:
            connection.execute(f'DROP SCHEMA IF EXISTS "{self.schema}" CASCADE')
        for name in os.listdir(self.tmp):
            os.unlink(os.path.join(self.tmp, name))
        os.rmdir(self.tmp)


def part_cpu(results: bulk.Results, args: argparse.Namespace, journals: Journals) -> None:
    count = bulk.scaled(100_000 * args.scale, 1.0)
    rounds = args.rounds
    print(
        f"(cpu) client CPU, {count:,} recipients per run, {rounds} quiet rounds wanted, each: "
        "no journal, SQLite journal, PostgresJournal (order turning); server "
        f"{UNLIMITED:,.0f}/s, no latency"
    )
    cpu: dict[str, list[float]] = {mode: [] for mode in MODES}
    walls: dict[str, list[float]] = {mode: [] for mode in MODES}
    pg_server: list[float] = []
    quiet: list[bool] = []
    with FakeServer(rate=UNLIMITED, latency=0.0) as server:
        sender = bulk.sesflow_sender(server.url)
        for mode in MODES:  # warm every path (imports, the schema) outside the measured runs
            bulk.run_bulk(server.url, 500, prefix=f"w{mode}", journal=journals.make(mode))
        for i in bulk._rounds(rounds, quiet):
            bulk._settle(args.settle, quiet=True)
            usage = _Usage(server)
            order = MODES[i % 3 :] + MODES[: i % 3]
            for mode in order:
                journal = journals.make(mode)
                before = postgres_cpu()
                timing = bulk.run_bulk(
                    server.url, count, prefix=f"r{i}{mode}", journal=journal, sender=sender
                )
                if mode == "postgres":
                    pg_server.append(postgres_cpu() - before)
                cpu[mode].append(timing.cpu)
                walls[mode].append(timing.wall)
            others = usage.cores()
            quiet.append(others < bulk.QUIET_CORES)
            print(
                f" round {i + 1} ({', '.join(order)}): "
                + ", ".join(f"{m} {cpu[m][-1]:.2f} s CPU ({walls[m][-1]:.2f} s)" for m in MODES)
                + f"; PostgreSQL server {pg_server[-1]:.2f} s; other processes {others:.2f} cores"
                + ("" if quiet[-1] else " (not quiet: left out)"),
                flush=True,
            )
    per = 100_000 / count
    for mode, label in (("none", "no journal"), ("sqlite", "SQLite journal")):
        value, how = bulk._quiet_median([c * per for c in cpu[mode]], quiet, rounds)
        results.add("cpu", f"send_bulk CPU s per 100k, {label} ({how})", f"{value:.2f}")
    value, _ = bulk._quiet_median([c * per for c in cpu["postgres"]], quiet, rounds)
    results.add("cpu", "send_bulk CPU s per 100k, PostgresJournal", f"{value:.2f}")
    for mode, label in (("sqlite", "SQLite journal"), ("postgres", "PostgresJournal")):
        extra = [(j - n) * per for j, n in zip(cpu[mode], cpu["none"], strict=True)]
        share = [j / n - 1 for j, n in zip(cpu[mode], cpu["none"], strict=True)]
        value, _ = bulk._quiet_median(extra, quiet, rounds)
        ratio, _ = bulk._quiet_median(share, quiet, rounds)
        results.add(
            "cpu",
            f"{label}: client CPU s per 100k over no journal (median of rounds)",
            f"{value:+.2f} ({ratio:+.0%}; rounds {', '.join(f'{x:+.0%}' for x in share)})",
        )
    paired = [p / s for p, s in zip(cpu["postgres"], cpu["sqlite"], strict=True)]
    value, _ = bulk._quiet_median(paired, quiet, rounds)
    results.add(
        "cpu",
        "client CPU ratio PostgresJournal / SQLite journal (median of paired rounds)",
        f"{value:.2f} (rounds {', '.join(f'{x:.2f}' for x in paired)})",
    )
    value, _ = bulk._quiet_median([c * per for c in pg_server], quiet, rounds)
    results.add("cpu", "PostgreSQL server CPU s per 100k (its processes' /proc)", f"{value:.2f}")
    wall = {m: bulk._quiet_median([w * per for w in walls[m]], quiet, rounds)[0] for m in MODES}
    results.add(
        "cpu",
        "wall s per 100k: no journal / SQLite / PostgresJournal",
        " / ".join(f"{wall[m]:.2f}" for m in MODES),
    )


WORKER = textwrap.dedent(
    """
    import json, os, sys, time
    import sesflow
    from sesflow.postgres import PostgresJournal

    url, sender, journal, campaign, schema, count = sys.argv[1:7]
    if journal.startswith("postgresql://"):
        journal = PostgresJournal(journal, campaign=campaign, schema=schema)
    ses = sesflow.SES("us-east-1", endpoint_url=url)
    template = sesflow.InlineTemplate("sesflow benchmark", text="Hello.")
    recipients = (f"s{i}@example.net" for i in range(int(count)))
    ses.sender(sender).send_bulk(["warm@example.net"], template)  # load the models first
    started, cpu = time.time(), time.process_time()
    report = ses.sender(sender).send_bulk(recipients, template, journal=journal)
    print(json.dumps({"started": started, "ended": time.time(), "sent": report.sent,
                      "skipped": report.skipped, "cpu": time.process_time() - cpu}))
    """
)


def _workers(
    n: int, url: str, journal: str, campaign: str, schema: str, count: int
) -> list[dict[str, Any]]:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, url, SENDER, journal, campaign, schema, str(count)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(n)
    ]
    results = []
    for process in processes:
        out, err = process.communicate(timeout=1800)
        if process.returncode != 0:
            raise RuntimeError(f"a worker failed: {err.strip()[-2000:]}")
        results.append(json.loads(out.strip().splitlines()[-1]))
        bulk._GRANDCHILDREN[0] += results[-1]["cpu"]
    return results


def part_split(results: bulk.Results, args: argparse.Namespace, journals: Journals) -> None:
    count = bulk.scaled(100_000 * args.scale, 1.0)
    rounds = max(1, args.rounds - 1)
    print(
        f"(split) {count:,} recipients, unlimited rate, no latency, {rounds} round(s) of: 4 "
        "worker processes on one PostgresJournal; 1 process, PostgresJournal; 1 process, "
        "SQLite journal"
    )
    setups: list[tuple[str, int, str]] = [
        ("4 processes, one PostgresJournal", 4, "postgres"),
        ("1 process, PostgresJournal", 1, "postgres"),
        ("1 process, SQLite journal", 1, "sqlite"),
    ]
    rates: dict[str, list[float]] = {label: [] for label, _, _ in setups}
    shares: list[list[int]] = []
    fake_cpu: dict[str, list[float]] = {label: [] for label, _, _ in setups}
    for i in range(rounds):
        for label, n, mode in setups:
            bulk._settle(args.settle, quiet=True)
            with FakeServer(rate=UNLIMITED, latency=0.0) as server:
                journal = (
                    os.path.join(journals.tmp, f"split-{i}.journal")
                    if mode == "sqlite"
                    else journals.dsn
                )
                before = server.cpu_seconds()
                done = _workers(n, server.url, journal, f"split-{i}-{n}", journals.schema, count)
                server_cpu = server.cpu_seconds() - before
            sent = sum(d["sent"] for d in done)
            if sent != count:
                raise RuntimeError(f"{label}: {sent:,} sent of {count:,}")
            wall = max(d["ended"] for d in done) - min(d["started"] for d in done)
            rates[label].append(count / wall)
            fake_cpu[label].append(server_cpu / wall)
            if n > 1:
                shares.append(sorted(d["sent"] for d in done))
            print(
                f" round {i + 1}, {label}: {count / wall:,.0f} recipients/s ({wall:.1f} s); "
                f"per worker sent {[d['sent'] for d in done]}; the fake server used "
                f"{server_cpu / wall:.2f} cores",
                flush=True,
            )
    for label, _, _ in setups:
        results.add(
            "split",
            f"{label}: recipients/s (median of {rounds})",
            f"{statistics.median(rates[label]):,.0f} (rounds "
            f"{', '.join(f'{r:,.0f}' for r in rates[label])}; fake server "
            f"{statistics.median(fake_cpu[label]):.2f} cores)",
        )
    results.add(
        "split",
        "4 processes: each worker's share of the recipients, smallest to largest",
        "; ".join(" / ".join(f"{s / count:.0%}" for s in share) for share in shares),
    )


PARTS: dict[str, Callable[[bulk.Results, argparse.Namespace, Journals], None]] = {
    "cpu": part_cpu,
    "split": part_split,
}


def header(argv: list[str], dsn: str) -> str:
    import psycopg

    with psycopg.connect(dsn) as connection:
        server = connection.execute("SHOW server_version").fetchone()
        synchronous = connection.execute("SHOW synchronous_commit").fetchone()
    dirty = bulk._git("status", "--porcelain", "--", "src/sesflow").splitlines()
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return "\n".join(
        [
            f"command:  PYTHONPATH=src python {shlex.join(['benchmarks/journal.py', *argv])}",
            f"python:   {platform.python_version()}, sesflow {sesflow.__version__}, psycopg "
            f"{psycopg.__version__} ({psycopg.pq.__impl__} implementation)",
            f"postgres: {server[0] if server else '?'} on 127.0.0.1 (this machine), "
            f"synchronous_commit {synchronous[0] if synchronous else '?'}",
            f"machine:  nproc {len(os.sched_getaffinity(0))}, {platform.system()} "
            f"{platform.release()}, load average {load}",
            f"source:   commit {bulk._git('rev-parse', '--short', 'HEAD')}"
            + (f" + {len(dirty)} uncommitted change(s) in src/sesflow" if dirty else ""),
            "server:   FakeSES in a separate process (benchmarks/_server.py), HTTP/1.1 on "
            "127.0.0.1, keep_messages=False, Max24HourSend -1",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("parts", nargs="*", default=["all"], help="cpu split, or all")
    parser.add_argument("--dsn", default=DEFAULT_DSN, help="the PostgreSQL to use")
    parser.add_argument("--scale", type=float, default=1.0, help="multiply every count by this")
    parser.add_argument(
        "--rounds", type=int, default=4, help="quiet rounds wanted in cpu (split runs one less)"
    )
    parser.add_argument(
        "--settle",
        type=float,
        default=60.0,
        help="before each round, wait up to this many seconds for other processes to go quiet",
    )
    args = parser.parse_args()
    parts = list(PARTS) if "all" in args.parts else args.parts
    unknown = [p for p in parts if p not in PARTS]
    if unknown:
        parser.error(f"unknown part(s) {', '.join(unknown)}; choose from {', '.join(PARTS)}, all")
    print(header(sys.argv[1:], args.dsn))
    if args.scale != 1.0:
        print(f"NOTE: counts scaled by {args.scale:g} (--scale); figures are not the reference run")
    print()
    results = bulk.Results()
    journals = Journals(args.dsn)
    started = time.monotonic()
    try:
        for part in parts:
            t0, usage = time.monotonic(), bulk._Usage()
            PARTS[part](results, args, journals)
            others = usage.others()
            print(
                f" [{part}: {time.monotonic() - t0:.0f} s; other processes used {others:.1f} "
                "CPU-s meanwhile, PostgreSQL's included]\n",
                flush=True,
            )
    finally:
        journals.close()
    print(f"Summary ({time.monotonic() - started:.0f} s in all)\n")
    print(results.table())


if __name__ == "__main__":
    main()
