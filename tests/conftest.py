"""Shared fixtures: a fake SES with a virtual clock, moto, RSA keys, services, no network."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NoReturn

import boto3
import botocore
import botocore.session
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from moto import mock_aws

import sesflow
from example_events import RECORDS, TOPIC_ARN, sns_deliveries
from sesflow import events, testing
from sesflow.testing import FakeClock, FakeSES

# --- the botocore installed beside the tests ----------------------------------------------------


def _installed_sesv2() -> Any:
    return botocore.session.get_session().get_service_model("sesv2")


def sesv2_lacks(*names: str) -> list[str]:
    """Which of `names` the installed botocore's sesv2 model lacks: operations
    (`"UpdateConfigurationSet"`) or members of a shape (`"DeliveryOptions.SharedPoolDeliveryMode"`).
    """
    model = _installed_sesv2()
    missing = []
    for name in names:
        shape_name, dot, member = name.partition(".")
        if not dot:
            if name not in model.operation_names:
                missing.append(name)
        elif member not in model.shape_for(shape_name).members:
            missing.append(name)
    return missing


def needs_sesv2(*names: str) -> pytest.MarkDecorator:
    """Skip a test that sends what the installed botocore cannot express.

    The fake answers every operation and member of its own copy of the newest model, whatever
    botocore is installed; but a test that drives it through a boto3 client can only send what
    that client's model has. The run on the newest botocore covers these tests; the run on the
    supported minimum (`make unit-min`) skips them, saying which botocore lacks what.
    """
    missing = sesv2_lacks(*names)
    return pytest.mark.skipif(
        bool(missing),
        reason=f"botocore {botocore.__version__} cannot send {', '.join(missing)} (newer)",
    )


#: moto 5.2 reads `PageSize` from a GET list route's query string as text and fails in its
#: paginator (TypeError); botocore before 1.43.107 sends ListEmailIdentities and
#: ListConfigurationSets that way. Real SES (and FakeSES) answer both routes.
LISTINGS_ARE_GET = _installed_sesv2().operation_model("ListEmailIdentities").http["method"] == "GET"


def skip_listing_on_moto(ses: sesflow.SES) -> None:
    """Skip, on moto only, a test about to list identities or configuration sets that this
    botocore sends as GET (see `LISTINGS_ARE_GET`)."""
    if LISTINGS_ARE_GET and not hasattr(ses.client, "sesflow_fake_clock"):
        pytest.skip(f"moto mis-reads the GET listings botocore {botocore.__version__} sends")


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
        unavailable(f"cannot mount a tmpfs ({done.stderr.strip()}); run the tests as root")
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


#: Where the sesflow under test lives: a child process imports this copy, not whatever
#: sesflow the interpreter has installed.
SRC = str(Path(sesflow.__file__).resolve().parent.parent)

#: The environment of a child process that talks to a served FakeSES: dummy credentials,
#: no instance metadata, nothing of the test runner's AWS settings; and the same sesflow as
#: this process (a work tree run with PYTHONPATH=src must not test an installed copy).
CHILD_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_EC2_METADATA_DISABLED": "true",
    "PATH": "/usr/bin:/bin",
    "PYTHONPATH": SRC,
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


class LocalProcess:
    """`sesflow local` running in a child process (`python -m sesflow --json local ...`).

    `url` is the endpoint it printed; `pid` its process id (to read its memory and threads
    from /proc); `stop()` ends it with SIGTERM, as a process manager would.
    """

    def __init__(self, *args: str, env: dict[str, str] | None = None) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "sesflow", "--json", "local", "--port", "0", *args],
            env={**CHILD_ENV, **(env or {})},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        lines: list[str] = []
        for line in self.process.stdout:  # one JSON document, printed before serving
            lines.append(line)
            if line.startswith("}"):
                break
        if not lines or not lines[-1].startswith("}"):
            self.stop()
            raise AssertionError(f"sesflow local did not start: {self.process.communicate()}")
        self.info: dict[str, Any] = json.loads("".join(lines))
        self.url: str = self.info["endpoint_url"]
        self.pid = self.process.pid

    def proc_status(self, field: str) -> int:
        """A number from /proc/<pid>/status, e.g. `VmRSS` (kB) or `Threads`."""
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            name, _, value = line.partition(":")
            if name == field:
                return int(value.split()[0])
        raise KeyError(field)

    def stop(self) -> tuple[str, str]:
        """End it (SIGTERM) and return its remaining (stdout, stderr)."""
        if self.process.poll() is None:
            self.process.terminate()
        out, err = self.process.communicate(timeout=30)
        return out, err


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


# --- services: real servers the tests talk to (Redis; the same pattern for PostgreSQL) -------


def unavailable(reason: str) -> NoReturn:
    """Skip the test, saying why and how to get what it needs, except under `CI=true`,
    where it fails: CI must run every test (a service, a tool environment, awscrt, ...)."""
    if os.environ.get("CI") == "true":
        pytest.fail(reason)
    pytest.skip(reason)


#: The environments `make clients` builds (tests/clients/*.txt): tools sesflow did not write.
CLIENTS = Path(os.environ.get("SESFLOW_CLIENTS") or Path(__file__).parent.parent / ".venv-clients")


def service_url(env: str, default: str, *, reachable: Callable[[str], str | None], how: str) -> str:
    """The URL of a service the tests need: `$env`, else `default`.

    `reachable(url)` returns None when the service answers, else what went wrong. An
    unreachable service skips the test, saying how to start it (`how`), except under
    `CI=true`, where it fails: CI must run every test.
    """
    url = os.environ.get(env, default)
    problem = reachable(url)
    if problem is not None:
        unavailable(f"{url} is unreachable ({problem}); start it ({how}) or set {env}")
    return url


def _redis_problem(url: str) -> str | None:
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
    try:
        client.ping()
    except (redis.RedisError, OSError) as exc:
        return f"{type(exc).__name__}: {exc}"
    finally:
        client.close()
    return None


REDIS_ENV = "SESFLOW_TEST_REDIS_URL"
REDIS_DEFAULT = "redis://127.0.0.1:6379/0"
REDIS_HOW = "redis-server --daemonize yes --port 6379 --save '' --appendonly no"


@pytest.fixture(scope="session")
def redis_url() -> str:
    """The test Redis (`$SESFLOW_TEST_REDIS_URL`, default `redis://127.0.0.1:6379/0`)."""
    return service_url(REDIS_ENV, REDIS_DEFAULT, reachable=_redis_problem, how=REDIS_HOW)


@pytest.fixture
def redis_key(redis_url: str) -> Iterator[str]:
    """A key prefix of this test's own; every key under it is deleted afterwards."""
    key = f"sesflow-test:{uuid.uuid4().hex[:12]}"
    yield key
    delete_keys(redis_url, key)


def delete_keys(url: str, key: str) -> None:
    """Delete every Redis key that starts with `key` or its hash-tagged form `{key}`."""
    import redis

    client = redis.Redis.from_url(url)
    try:
        for pattern in (f"{key}*", f"{{{key}*"):
            names = list(client.scan_iter(match=pattern, count=1000))
            if names:
                client.delete(*names)
    finally:
        client.close()


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on (right now)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def peak(grants: list[tuple[float, int]], span: float) -> int:
    """The most recipients granted within any window `[t, t + span)`; its maximum starts at
    a grant, so a two-pointer walk over the sorted grants finds it."""
    ordered = sorted(grants)
    best = total = start = 0
    for stamp, count in ordered:
        total += count
        while ordered[start][0] <= stamp - span:
            total -= ordered[start][1]
            start += 1
        best = max(best, total)
    return best


def prompt() -> None:
    """Run this process ahead of the machine's other work (as root; elsewhere as it is).

    SES counts recipients by arrival, and so does the fake, by reading its clock when a
    request comes in. On a machine busy with other work a process can wait tens of
    milliseconds for a core, more than the limiter's headroom, and a request read late (or
    sent late) lands in the next second. These tests measure the limiters' pacing, not the
    machine's scheduler: their processes go first.
    """
    with contextlib.suppress(OSError):
        os.setpriority(os.PRIO_PROCESS, 0, -10)


@contextlib.contextmanager
def prompted() -> Iterator[None]:
    """`prompt()` this process for the block, then give its priority back.

    Within the block, threads also hand the GIL over every 0.5 ms instead of 5 ms: a thread
    whose turn at the limiter came waits for the interpreter no longer than that while its
    neighbours build their requests.
    """
    before = os.getpriority(os.PRIO_PROCESS, 0)
    interval = sys.getswitchinterval()
    prompt()
    sys.setswitchinterval(0.0005)
    try:
        yield
    finally:
        sys.setswitchinterval(interval)
        with contextlib.suppress(OSError):
            os.setpriority(os.PRIO_PROCESS, 0, before)


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
            "clients": 0,
        }
        config.stash[EXAMPLE_COUNTS] = counts
    return counts


def example_namespace(*, with_report: bool = False) -> dict[str, Any]:
    """The names every example may use without defining them.

    `clock` (a `FakeClock`), `fake` (a `FakeSES` on it), `ses` (an `SES` on the fake's client,
    sharing its clock), `client` (that boto3 `sesv2` client), `sender` (mail from the verified
    `news@example.com`), a stored template `"welcome"` (`Welcome, {{name}}!`), `recipients`
    (Ann and Bob, with a `name` each), and with `with_report` the `report` of
    `sender.send_bulk(recipients, "welcome")`. Plus
    `sesflow` and the public names of `sesflow`, `sesflow.events` and `sesflow.testing`.

    For events (see `example_events`): `topic_arn` (an SNS topic), `verifier` (an
    `SnsVerifier` allowing that topic, fetching FakeSES's test certificate), `body` and
    `headers` (the HTTP POST by which SNS delivers a signed notification of a bounce of
    `bob@example.com`), `subscription_body` (a signed `SubscriptionConfirmation`), and the
    JSON text of an SES record of each event type: `send_record`, `delivery_record`,
    `bounce_record`, `complaint_record`, `reject_record`, `open_record`, `click_record`,
    `rendering_failure_record`, `delivery_delay_record` and `subscription_record` (all of
    one message from `news@example.com` to `bob@example.com`).
    Plus `redis_url` (the test Redis) and a fresh `redis_key` for `sesflow.redis`'s examples.
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
    namespace.update({name: getattr(events, name) for name in events.__all__})
    namespace.update({name: getattr(testing, name) for name in testing.__all__})
    deliveries = sns_deliveries()
    namespace.update(
        sesflow=sesflow,
        clock=clock,
        fake=fake,
        ses=ses,
        client=ses.client,
        sender=sender,
        recipients=recipients,
        topic_arn=TOPIC_ARN,
        verifier=events.SnsVerifier(allowed_topic_arns={TOPIC_ARN}, cert_fetcher=fake.cert_fetcher),
        body=deliveries.body,
        headers=dict(deliveries.headers),
        subscription_body=deliveries.subscription_body,
        **RECORDS,
        # sesflow.redis's examples use the test Redis, each under a key of its own (it
        # expires by itself a minute after its last use).
        redis_url=os.environ.get(REDIS_ENV, REDIS_DEFAULT),
        redis_key=f"sesflow-doctest:{uuid.uuid4().hex[:12]}",
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
        f"{counts['needs_aws']} marked as needing AWS, not run; {counts['clients']} run by "
        "test_local_clients.py in their tools' environments)"
    )


def botocore_lacks(shape: str, member: str) -> str | None:
    """Why a test cannot run on the installed botocore, or None: its SES v2 model has no
    `member` in `shape` (sesflow refuses such calls before sending; `make unit-min` runs the
    suite on the oldest supported botocore, which lacks a few of the newest fields)."""
    import botocore
    import botocore.session

    model = botocore.session.get_session().get_service_model("sesv2")
    if member in getattr(model.shape_for(shape), "members", {}):  # a StructureShape's
        return None
    return f"botocore {botocore.__version__} has no {shape}.{member} (a newer botocore does)"


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
        unavailable(
            f"PostgreSQL is not reachable at {POSTGRES_DSN} ({down}). Start one, e.g. "
            "`docker run -d -p 5432:5432 -e POSTGRES_HOST_AUTH_METHOD=trust -e POSTGRES_DB=test "
            "postgres:15`, or point SESFLOW_TEST_POSTGRES_DSN at one"
        )
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


# --- sesflow.aio: one scenario body for both APIs (tests/aio_support.py) -----------------------


@pytest.fixture(params=["sync", "async"])
def api(request: pytest.FixtureRequest) -> Iterator[Any]:
    """The sync API, or the async one behind the same sync-looking surface (`aio_support.Api`):
    a scenario written once against it runs on both."""
    from aio_support import Api

    made = Api(request.param)
    try:
        yield made
    finally:
        made.close()
