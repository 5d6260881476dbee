"""`sesflow send-bulk` streams its CSV: peak memory does not grow with the file.

Each run is a subprocess (`python -m sesflow send-bulk ...`) that reports its own peak RSS,
against a FakeSES served from this process. Run the file as a script for the figures in
docs/performance.md:

    .venv/bin/python tests/test_cli_memory.py 2000 20000 200000
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sesflow.testing import FakeSES

# The child runs the command line, then prints its own high-water mark (Linux: kilobytes).
_CHILD = """\
import resource, sys
from sesflow._cli import main
code = main(sys.argv[1:])
print(f"PEAK_RSS_KB={resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}", file=sys.stderr)
sys.exit(code)
"""
RATE = 10_000


def write_csv(path: Path, rows: int) -> Path:
    with path.open("w") as f:
        f.write("email,name,city\n")
        for i in range(rows):
            f.write(f"reader{i:07d}@example.net,Reader {i},Paris\n")
    return path


def send_bulk_peak_rss(
    rows: int, directory: Path, *, concurrency: int | None = None
) -> tuple[int, float]:
    """Peak RSS in KiB and wall seconds of `sesflow send-bulk` over a CSV of `rows` rows."""
    recipients = write_csv(directory / f"list-{rows}.csv", rows)
    with FakeSES(max_send_rate=RATE, max_24_hour_send=-1, keep_messages=False) as fake:
        url = fake.serve()
        fake.verify("news@example.com")
        fake.client().create_email_template(
            TemplateName="spring",
            TemplateContent={"Subject": "Spring for {{name}}", "Text": "Hi {{name}}, {{city}}"},
        )
        env = {**os.environ, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
        command = [
            sys.executable,
            "-c",
            _CHILD,
            "--endpoint-url",
            url,
            "--region",
            "us-east-1",
            "send-bulk",
            "--from",
            "news@example.com",
            "--template",
            "spring",
            "--recipients",
            str(recipients),
            "--no-progress",
            "--journal",
            str(directory / f"{rows}.journal"),
        ]
        if concurrency is not None:
            command += ["--concurrency", str(concurrency)]
        started = time.monotonic()
        done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
        took = time.monotonic() - started
        assert done.returncode == 0, done.stderr
        assert f"Sent {rows:,} of {rows:,} recipients" in done.stdout
        assert len(fake.delivery_counts()) == rows
    match = re.search(r"PEAK_RSS_KB=(\d+)", done.stderr)
    assert match, done.stderr
    return int(match.group(1)), took


@pytest.mark.skipif(sys.platform != "linux", reason="ru_maxrss is in KiB on Linux")
def test_send_bulk_memory_is_flat_in_the_file_size(tmp_path: Path) -> None:
    # A fixed number of worker threads: at the default, a longer run warms up more of them
    # (up to 64 at this rate), which is memory too, but not the file's.
    small, _ = send_bulk_peak_rss(2_000, tmp_path, concurrency=4)
    large, _ = send_bulk_peak_rss(20_000, tmp_path, concurrency=4)
    # 18,000 more rows held in memory would be about 8 MiB (some 450 bytes a row).
    assert large - small < 4 * 1024, f"peak RSS {small} KiB -> {large} KiB"


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        for count in [int(a) for a in sys.argv[1:]] or [2_000, 20_000]:
            peak, seconds = send_bulk_peak_rss(count, Path(tmp))  # the default concurrency
            print(f"{count:>9,} rows: peak RSS {peak / 1024:6.1f} MiB, {seconds:5.1f} s")
