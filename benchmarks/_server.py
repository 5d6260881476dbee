"""A served `FakeSES` in its own process, for `benchmarks/bulk.py`.

Run as a script, it builds a production-mode `FakeSES` (unlimited daily quota,
`keep_messages=False`, the benchmark's sender domain verified), serves it on 127.0.0.1 with
the given latency, prints the endpoint URL on one line of stdout, and serves until its stdin
closes. `FakeServer` starts and stops such a process and reads its stats over HTTP, so the
benchmark's client process holds only the client's CPU time and memory.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import urllib.request
from pathlib import Path
from types import TracebackType
from typing import Any, Self

#: The benchmark's sender; its domain is verified in the fake.
SENDER_DOMAIN = "bench.example.com"
SENDER = f"news@{SENDER_DOMAIN}"
#: CPUs new servers are pinned to (None: not pinned); `bulk.py --pin` sets it.
SERVER_CPUS: set[int] | None = None


def _serve(rate: float, latency: float, jitter: float, cpus: set[int] | None = None) -> None:
    if cpus:
        os.sched_setaffinity(0, cpus)  # before any thread starts: they all inherit it
    from sesflow.testing import FakeSES

    fake = FakeSES(max_send_rate=rate, max_24_hour_send=-1, keep_messages=False)
    fake.verify(SENDER_DOMAIN)
    url = fake.serve(host="127.0.0.1", latency=latency, jitter=jitter)
    print(url, flush=True)
    try:
        sys.stdin.read()  # until the parent closes the pipe (or dies)
    finally:
        fake.stop()


class FakeServer:
    """A `FakeSES` served by a child process; use as a context manager.

    Example:
        >>> with FakeServer(rate=100, latency=0.02) as server:
        ...     ses = sesflow.SES("us-east-1", endpoint_url=server.url)
        ...     print(server.stats()["throttled_calls"])
    """

    def __init__(
        self, *, rate: float, latency: float, jitter: float = 0.0, cpus: set[int] | None = None
    ) -> None:
        self.rate = rate
        self.latency = latency
        self.jitter = jitter
        self.cpus = cpus if cpus is not None else SERVER_CPUS
        self.url = ""
        self._process: subprocess.Popen[str] | None = None

    def __enter__(self) -> Self:
        self._process = subprocess.Popen(
            [
                sys.executable,
                str(Path(__file__).resolve()),
                "--rate",
                repr(self.rate),
                "--latency",
                repr(self.latency),
                "--jitter",
                repr(self.jitter),
                "--cpus",
                ",".join(str(cpu) for cpu in sorted(self.cpus or ())),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self._process.stdout is not None
        line = self._process.stdout.readline().strip()
        if not line.startswith("http://127.0.0.1:"):
            self._stop()
            raise RuntimeError(f"the fake server did not start (said {line!r})")
        self.url = line
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._stop()

    def _stop(self) -> None:
        process = self._process
        if process is None:
            return
        self._process = None
        if process.stdin is not None:
            process.stdin.close()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout is not None:
            process.stdout.close()

    def _get(self, path: str) -> Any:
        with urllib.request.urlopen(self.url + path, timeout=60) as answer:
            return json.load(answer)

    def stats(self) -> dict[str, Any]:
        """`GET /_sesflow/stats`: calls per operation, 429s, peak recipients per second."""
        return dict(self._get("/_sesflow/stats"))

    def arrivals(self) -> list[tuple[float, int]]:
        """`(arrival on the server's monotonic clock, recipients)` of every accepted message."""
        summary = self._get("/_sesflow/outbox?per_recipient=0")
        return [(float(t), int(n)) for t, n in summary["arrivals"]]

    def cpu_seconds(self) -> float:
        """CPU time the server process has used so far (all its threads), from /proc."""
        if self._process is None:
            return 0.0
        with open(f"/proc/{self._process.pid}/stat") as stat:
            # Fields after the command name (which may hold spaces): utime is the 12th.
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rate", type=float, required=True)
    parser.add_argument("--latency", type=float, default=0.0)
    parser.add_argument("--jitter", type=float, default=0.0)
    parser.add_argument("--cpus", default="", help="pin the server to these CPUs (0,1,...)")
    args = parser.parse_args()
    cpus = {int(cpu) for cpu in args.cpus.split(",") if cpu}
    _serve(args.rate, args.latency, args.jitter, cpus or None)


if __name__ == "__main__":
    main()
