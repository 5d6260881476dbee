"""Shared fixtures: a fake SES with a virtual clock, moto, RSA keys, and no network."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from moto import mock_aws

import sesflow
from sesflow import testing
from sesflow.testing import FakeClock, FakeSES


@pytest.fixture(autouse=True)
def _offline(monkeypatch: pytest.MonkeyPatch) -> None:
    """AWS is unreachable here, and nothing may try to reach it."""
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_EC2_METADATA_DISABLED": "true",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)

    def refuse(self: socket.socket, address: Any) -> None:
        host = address[0] if isinstance(address, tuple) else address
        if host in ("127.0.0.1", "::1", "localhost"):
            return original(self, address)
        raise AssertionError(f"a test tried to open a network connection to {address!r}")

    original = socket.socket.connect
    monkeypatch.setattr(socket.socket, "connect", refuse)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def fake(clock: FakeClock) -> FakeSES:
    return FakeSES(clock=clock, seed=7)


@pytest.fixture
def ses(fake: FakeSES, clock: FakeClock) -> sesflow.SES:
    return sesflow.SES(client=fake.client(), sleep=clock.sleep, clock=clock)


@pytest.fixture
def moto_ses(clock: FakeClock) -> Iterator[sesflow.SES]:
    with mock_aws():
        yield sesflow.SES(
            client=boto3.client("sesv2", region_name="us-east-1"),
            route53_client=boto3.client("route53", region_name="us-east-1"),
            sleep=clock.sleep,
            clock=clock,
        )


@pytest.fixture(params=["moto", "fake"])
def any_ses(request: pytest.FixtureRequest, clock: FakeClock) -> Iterator[sesflow.SES]:
    """The same scenario on moto and on FakeSES, to keep the fake honest."""
    if request.param == "fake":
        yield sesflow.SES(client=FakeSES(clock=clock).client(), sleep=clock.sleep, clock=clock)
    else:
        with mock_aws():
            yield sesflow.SES(
                client=boto3.client("sesv2", region_name="us-east-1"),
                sleep=clock.sleep,
                clock=clock,
            )


def _pem(bits: int, fmt: serialization.PrivateFormat) -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    return key.private_bytes(serialization.Encoding.PEM, fmt, serialization.NoEncryption()).decode(
        "ascii"
    )


@pytest.fixture(scope="session")
def pkcs8_pem() -> str:
    return _pem(2048, serialization.PrivateFormat.PKCS8)


@pytest.fixture(scope="session")
def pkcs1_pem() -> str:
    return _pem(1024, serialization.PrivateFormat.TraditionalOpenSSL)


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 2 MB tmpfs, to fill a disk for real. Needs root (CI runs as root)."""
    yield from mount_tmpfs(tmp_path / "disk", "2m")


def mount_tmpfs(point: Path, size: str) -> Iterator[Path]:
    point.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs", str(point)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        reason = f"cannot mount a tmpfs ({done.stderr.strip()}); run the tests as root"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    try:
        yield point
    finally:
        subprocess.run(["umount", "-l", str(point)], check=False)


@pytest.fixture
def read_only_disk(small_disk: Path) -> Callable[[], None]:
    """Call it to make `small_disk` read-only (as root, file modes do not stop writes)."""

    def remount() -> None:
        subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)

    return remount


def fill_disk(disk: Path) -> Path:
    """Fill the file system of `disk` to the last byte; return the filler file."""
    filler = disk / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        for size in (65536, 4096, 1):
            try:
                while True:
                    os.write(fd, b"\1" * size)
            except OSError:
                pass
    finally:
        os.close(fd)
    return filler


def read_journal(path: Path) -> dict[str, str]:
    """Every recipient's state in a journal file, this run's outcomes included.

    Reads the file as it is (no lock, nothing changed), so it also works on the journal of a
    killed run: the per-recipient rows of earlier runs, then the per-call outcome rows in
    order (a later outcome wins), as `Journal.open` files them.
    """
    import sqlite3

    from sesflow._journal import decode_outcome

    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        states = dict(db.execute("SELECT address, state FROM recipients").fetchall())
        for run, records in db.execute("SELECT run, records FROM outcomes ORDER BY id"):
            for address, state, *_ in decode_outcome(run, records):
                states[address] = state
    finally:
        db.close()
    return states


def calls_in_flight(path: Path) -> int:
    """How many calls a journal file records as made and not answered (no outcome names
    them)."""
    import sqlite3

    from sesflow._journal import settled_calls

    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        settled = {
            call
            for (calls,) in db.execute("SELECT calls FROM outcomes")
            for call in settled_calls(calls)
        }
        made = {row[0] for row in db.execute("SELECT id FROM calls")}
        return len(made - settled)
    finally:
        db.close()


#: The environment of a child process that talks to a served FakeSES: dummy credentials,
#: no instance metadata, nothing of the test runner's AWS settings; and the same sesflow
#: as this test run imports, wherever that comes from (a worktree's `src`, say).
CHILD_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_EC2_METADATA_DISABLED": "true",
    "PATH": "/usr/bin:/bin",
    "PYTHONPATH": str(Path(sesflow.__file__).resolve().parent.parent),
}


def spawn(*args: str) -> subprocess.Popen[str]:
    """Run `python *args` in a child process with CHILD_ENV, its output captured as text."""
    return subprocess.Popen(
        [sys.executable, *args],
        env=CHILD_ENV,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for_deliveries(
    fake: FakeSES, process: subprocess.Popen[str], at_least: int, *, timeout: float = 30
) -> None:
    """Wait until `fake` delivered `at_least` recipients while `process` is still running."""
    deadline = time.monotonic() + timeout
    while sum(fake.delivery_counts().values()) < at_least:
        if process.poll() is not None:
            raise AssertionError(process.communicate())
        assert time.monotonic() < deadline, "the campaign made no progress"
        time.sleep(0.01)


# --- examples: docstring examples (`>>>`) and the docs' ```python blocks ---------------------

#: What the example tests ran, for the summary line `pytest_terminal_summary` prints.
EXAMPLE_COUNTS: pytest.StashKey[dict[str, Any]] = pytest.StashKey()


def example_counts(config: pytest.Config) -> dict[str, Any]:
    """The example counters of this run (docstring examples, their modules, docs blocks)."""
    counts = config.stash.get(EXAMPLE_COUNTS, None)
    if counts is None:
        counts = {
            "examples": 0,
            "skipped": 0,
            "modules": set(),
            "blocks": 0,
            "included": 0,
            "needs_aws": 0,
        }
        config.stash[EXAMPLE_COUNTS] = counts
    return counts


def example_namespace(*, with_report: bool = False) -> dict[str, Any]:
    """The names every example may use without defining them.

    `clock` (a `FakeClock`), `fake` (a `FakeSES` on it), `ses` (an `SES` on the fake's client,
    sharing its clock), `sender` (mail from the verified `news@example.com`), a stored template
    `"welcome"` (`Welcome, {{name}}!`), `recipients` (Ann and Bob, with a `name` each), and
    with `with_report` the `report` of `sender.send_bulk(recipients, "welcome")`. Plus
    `sesflow` and the public names of `sesflow` and `sesflow.testing`.
    """
    clock = FakeClock()
    fake = FakeSES(clock=clock, seed=7)
    ses = sesflow.SES(client=fake.client())
    fake.verify("news@example.com")
    ses.template("welcome").create(
        "Welcome, {{name}}!", html="<p>Hi {{name}}</p>", text="Hi {{name}}"
    )
    sender = ses.sender("news@example.com")
    recipients = [
        sesflow.Recipient("ann@example.com", data={"name": "Ann"}),
        sesflow.Recipient("bob@example.com", data={"name": "Bob"}),
    ]
    namespace: dict[str, Any] = {name: getattr(sesflow, name) for name in sesflow.__all__}
    namespace.update({name: getattr(testing, name) for name in testing.__all__})
    namespace.update(
        sesflow=sesflow,
        clock=clock,
        fake=fake,
        ses=ses,
        sender=sender,
        recipients=recipients,
    )
    if with_report:
        namespace["report"] = sender.send_bulk(recipients, "welcome")
    return namespace


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    counts = config.stash.get(EXAMPLE_COUNTS, None)
    if counts is None:
        return
    skipped = f", {counts['skipped']} skipped" if counts["skipped"] else ""
    terminalreporter.write_line(
        f"examples: executed {counts['examples']} docstring examples in "
        f"{len(counts['modules'])} modules{skipped}; ran {counts['blocks']} docs code blocks "
        f"(and {counts['included']} included from examples/, run by test_examples.py; "
        f"{counts['needs_aws']} marked as needing AWS, not run)"
    )


# --- PostgreSQL (sesflow.postgres) -------------------------------------------------------------

#: The PostgreSQL the journal tests use; each test works in a schema of its own and drops it.
POSTGRES_DSN = os.environ.get(
    "SESFLOW_TEST_POSTGRES_DSN", "postgresql://postgres@127.0.0.1:5432/test"
)
_POSTGRES_DOWN: list[str] = []  # why it cannot be reached, once found out


def postgres_unreachable() -> str | None:
    """Why the test PostgreSQL cannot be used, or None when it can (asked once per run)."""
    if not _POSTGRES_DOWN:
        try:
            import psycopg

            with psycopg.connect(POSTGRES_DSN, connect_timeout=3) as connection:
                connection.execute("SELECT 1")
        except Exception as exc:
            _POSTGRES_DOWN.append(f"{type(exc).__name__}: {str(exc).strip()}")
        else:
            _POSTGRES_DOWN.append("")
    return _POSTGRES_DOWN[0] or None


def require_postgres() -> str:
    """The test DSN; skips the test when PostgreSQL is unreachable (fails it under CI)."""
    down = postgres_unreachable()
    if down is not None:
        reason = (
            f"PostgreSQL is not reachable at {POSTGRES_DSN} ({down}). Start one, e.g. "
            "`docker run -d -p 5432:5432 -e POSTGRES_HOST_AUTH_METHOD=trust -e POSTGRES_DB=test "
            "postgres:15`, or point SESFLOW_TEST_POSTGRES_DSN at one"
        )
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return POSTGRES_DSN


@pytest.fixture
def postgres_dsn() -> str:
    return require_postgres()


@pytest.fixture
def pg_schema(postgres_dsn: str) -> Iterator[str]:
    """A schema name of this test's own, dropped (with everything in it) afterwards."""
    import uuid

    import psycopg

    schema = f"sesflow_test_{uuid.uuid4().hex[:12]}"
    yield schema
    with psycopg.connect(postgres_dsn, autocommit=True) as connection:
        connection.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
