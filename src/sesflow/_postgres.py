"""`PostgresJournal` and the store a run opens with it: the SQL, the claims, the leases.

The public face is `sesflow.postgres`, whose documentation says what it does; this module
says how. A recipient's row (`recipients`, one per campaign and address) is `claimed` by a
run (no call made yet), `in_flight` (a call carrying it was made, no answer yet), `sent`,
`failed`, `deferred` (only transient errors: a later run tries again) or `ambiguous` (a
call's answer was lost and the run gave up); `ambiguous` (the column) counts the calls
carrying it whose answer was lost. A run (`runs`) holds its `claimed` and `in_flight`
rows while its lease lasts; another run may take them over once it has expired.
"""

from __future__ import annotations

import json
import os
import re
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import nullcontext, suppress
from typing import TYPE_CHECKING, Any, TypeVar

from ._bulk import bulk_status
from ._errors import JournalError, JournalInUseError, MissingExtraError, ValidationError
from ._journal import FINAL, JournalReader, JournalStore, Leftover
from ._logging import logger
from ._report import BulkFailure, BulkReport
from ._runtime import THREADS, Runtime

if TYPE_CHECKING:
    import psycopg

__all__ = ["PostgresJournal"]

#: The layout of the tables; a schema of another format is refused.
FORMAT_VERSION = 1
#: The first key of the advisory lock taken while the schema is checked or created ("sesf").
_LOCK_CLASS = 0x73657366
_SCHEMA_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}")
#: Outcome rows written per page of `failures()`.
_PAGE = 1000
#: Statements retried after PostgreSQL broke a deadlock or a serialization conflict.
_ATTEMPTS = 5
#: Seconds between two attempts to reconnect after a failed one.
_RECONNECT_PAUSE = 1.0

T = TypeVar("T")
Connection = Any  # psycopg.Connection[Any], imported lazily


def _require_psycopg() -> None:
    try:
        import psycopg  # noqa: F401
    except ImportError as exc:  # pragma: no cover - exercised by a subprocess test
        raise MissingExtraError(
            "PostgresJournal needs the 'psycopg' package (version 3): "
            "pip install 'sesflow[postgres]'"
        ) from exc


_TABLES = """
CREATE SCHEMA IF NOT EXISTS {s};
CREATE TABLE {s}.meta (key text PRIMARY KEY, value text NOT NULL);
CREATE TABLE {s}.campaigns (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name text NOT NULL UNIQUE,
    identity text NOT NULL,
    runs integer NOT NULL DEFAULT 0,
    created timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE TABLE {s}.runs (
    campaign bigint NOT NULL REFERENCES {s}.campaigns ON DELETE CASCADE,
    run integer NOT NULL,
    host text NOT NULL,
    pid integer NOT NULL,
    started timestamptz NOT NULL,
    lease_until timestamptz NOT NULL,
    lapses integer NOT NULL DEFAULT 0,
    ended timestamptz,
    PRIMARY KEY (campaign, run)
);
CREATE TABLE {s}.recipients (
    campaign bigint NOT NULL,
    address text NOT NULL,
    state text NOT NULL,
    run integer NOT NULL,
    payload text,
    message_id text,
    status text,
    error text,
    ambiguous integer NOT NULL DEFAULT 0,
    updated timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (campaign, address)
);
CREATE INDEX recipients_open ON {s}.recipients (campaign, address)
    WHERE state IN ('claimed', 'in_flight');
CREATE INDEX recipients_failed ON {s}.recipients (campaign, address) WHERE state = 'failed'
"""

# A recipient's row: `state` is `claimed` (taken by `run`, no call made), `in_flight` (a
# call carrying it was made, no answer yet), `sent`, `failed`, `deferred` (only transient
# errors: a later run tries again) or `ambiguous` (a call's answer was lost and the run
# gave up). `ambiguous` counts the calls carrying it whose answer was lost. A run holds
# its `claimed` and `in_flight` rows while its lease (in `runs`) lasts.

# Recipients are always found by address, one index look-up each (a lateral subquery
# that the planner cannot turn into a join), in address order (so that concurrent runs
# lock rows in one order), and updated by their row id. A hash join, which the planner
# picks for a table without statistics (a new campaign's), would read all of the
# campaign's rows for every batch. A run is gone when no run row says its lease lasts.

_CLAIM = """
WITH input AS (
    SELECT i.address, nullif(i.payload, '') AS payload
    FROM unnest(string_to_array(%(a)s, E'\n'), string_to_array(%(p)s, E'\n'))
         AS i(address, payload)
),
fresh AS (
    INSERT INTO {s}.recipients AS r (campaign, address, state, run, payload)
    SELECT %(c)s, address, 'claimed', %(me)s, payload FROM input ORDER BY address
    ON CONFLICT (campaign, address) DO NOTHING
    RETURNING r.address
),
free AS (
    SELECT o.address, o.state, o.id
    FROM (SELECT address FROM input ORDER BY address) AS i
    CROSS JOIN LATERAL (
        SELECT r.address, r.state, r.ctid AS id FROM {s}.recipients AS r
        WHERE r.campaign = %(c)s AND r.address = i.address AND (
            r.state IN ('deferred', 'ambiguous')
            OR (r.state IN ('claimed', 'in_flight') AND r.run <> %(me)s AND NOT EXISTS (
                SELECT 1 FROM {s}.runs AS h
                WHERE h.campaign = r.campaign AND h.run = r.run
                  AND h.lease_until >= clock_timestamp())))
        FOR UPDATE OF r SKIP LOCKED
    ) AS o
),
taken AS (
    UPDATE {s}.recipients AS r
    SET state = 'claimed', run = %(me)s, payload = input.payload, updated = clock_timestamp(),
        ambiguous = r.ambiguous + (free.state = 'in_flight')::int
    FROM free JOIN input USING (address)
    WHERE r.ctid = free.id
    RETURNING r.address, free.state AS prior
)
SELECT address, verdict FROM (
    SELECT input.address,
           CASE WHEN fresh.address IS NOT NULL THEN NULL
                WHEN taken.address IS NOT NULL THEN
                     CASE WHEN taken.prior IN ('in_flight', 'ambiguous') THEN 'ambiguous' END
                WHEN old.state IN ('sent', 'failed') THEN old.state
                ELSE 'busy' END AS verdict
    FROM input
    LEFT JOIN fresh USING (address)
    LEFT JOIN taken USING (address)
    LEFT JOIN LATERAL (
        SELECT o.state FROM {s}.recipients AS o
        WHERE o.campaign = %(c)s AND o.address = input.address
        LIMIT 1
    ) AS old ON true
) AS verdicts
WHERE verdict IS NOT NULL
"""

#: This run's rows among the addresses `%(a)s` (one per line), as `r`.
_MINE = """
FROM (SELECT address FROM unnest(string_to_array(%(a)s, E'\n')) AS u(address)
      ORDER BY address) AS u
CROSS JOIN LATERAL (
    SELECT ctid AS id FROM {s}.recipients WHERE campaign = %(c)s AND address = u.address LIMIT 1
) AS o
WHERE r.ctid = o.id AND r.run = %(me)s
"""

# The schema's name goes in through psycopg's `sql.Identifier`, every value as a parameter.
_BEGIN = (
    "UPDATE {s}.recipients AS r SET state = 'in_flight', updated = clock_timestamp()"  # noqa: S608
    + _MINE
    + "AND r.state IN ('claimed', 'in_flight')"
)

_LOST = "UPDATE {s}.recipients AS r SET ambiguous = r.ambiguous + 1" + _MINE  # noqa: S608

_RELEASE = (
    "UPDATE {s}.recipients AS r SET state = 'claimed', updated = clock_timestamp()"  # noqa: S608
    + _MINE
    + "AND r.state = 'in_flight'"
)

_FINISH = """
INSERT INTO {s}.recipients AS r (campaign, address, state, run, message_id, status, error)
SELECT %(c)s, u->>0, u->>1, %(me)s, u->>2, u->>3, u->>4
FROM json_array_elements(%(rows)s::json) AS u
ORDER BY u->>0
ON CONFLICT (campaign, address) DO UPDATE SET
    state = excluded.state, run = excluded.run, message_id = excluded.message_id,
    status = excluded.status, error = excluded.error, updated = clock_timestamp(),
    payload = CASE WHEN excluded.state IN ('sent', 'failed') THEN NULL ELSE r.payload END
WHERE excluded.state = 'sent' OR (r.run = %(me)s AND r.state IN ('claimed', 'in_flight'))
"""

# The lease test is a subquery, not a join: when a row is locked after another run changed
# it, PostgreSQL checks the new row against the conditions again, and a subquery is asked
# again about the new holder (a left join would keep the old one's answer).
_LEFTOVERS = """
WITH orphan AS (
    SELECT r.address, r.state, r.ctid AS id FROM {s}.recipients AS r
    WHERE r.campaign = %(c)s AND r.state IN ('claimed', 'in_flight') AND r.run <> %(me)s
      AND NOT EXISTS (
          SELECT 1 FROM {s}.runs AS h
          WHERE h.campaign = r.campaign AND h.run = r.run AND h.lease_until >= clock_timestamp())
    ORDER BY r.address
    LIMIT %(n)s
    FOR UPDATE OF r SKIP LOCKED
)
UPDATE {s}.recipients AS r
SET state = 'claimed', run = %(me)s, updated = clock_timestamp(),
    ambiguous = r.ambiguous + (orphan.state = 'in_flight')::int
FROM orphan
WHERE r.ctid = orphan.id
RETURNING r.address, r.payload, orphan.state = 'in_flight'
"""

_OTHERS_HOLD = """
SELECT EXISTS (
    SELECT 1 FROM {s}.recipients AS r
    JOIN {s}.runs AS h ON h.campaign = r.campaign AND h.run = r.run
    WHERE r.campaign = %(c)s AND r.state IN ('claimed', 'in_flight') AND r.run <> %(me)s
      AND h.lease_until >= clock_timestamp()
)
"""

_RENEW = """
UPDATE {s}.runs
SET lease_until = clock_timestamp() + make_interval(secs => %(lease)s),
    lapses = lapses + (lease_until < clock_timestamp())::int
WHERE campaign = %(c)s AND run = %(me)s
RETURNING lapses
"""

_END = """
UPDATE {s}.runs SET ended = clock_timestamp(),
                    lease_until = least(lease_until, clock_timestamp())
WHERE campaign = %(c)s AND run = %(me)s
"""


class _ConnectionLostError(JournalError):
    """The connection to PostgreSQL is gone (or could not be made)."""


def _cause(exc: BaseException) -> str:
    """An error's first line, which is what PostgreSQL and libpq put the reason in."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


class _Source:
    """Where connections come from: a DSN (this module's own connections, made again
    after a loss), or the caller's connection (shared, one statement at a time)."""

    def __init__(self, target: str | Connection, *, connect_timeout: float) -> None:
        import psycopg
        from psycopg.conninfo import conninfo_to_dict

        self.connect_timeout = connect_timeout
        self.shared_lock: threading.Lock | None = None
        if isinstance(target, str):
            try:
                params = conninfo_to_dict(target)
            except psycopg.Error as exc:
                raise ValidationError(
                    f"journal: not a PostgreSQL connection string ({_cause(exc)})",
                    field="journal",
                ) from exc
            self.dsn: str | None = target
            self.connection: Connection | None = None
            self.where = _display(
                params.get("user"), params.get("host"), params.get("port"), params.get("dbname")
            )
        elif isinstance(target, psycopg.Connection):
            self.dsn = None
            self.connection = target
            self.shared_lock = threading.Lock()
            info = target.info
            self.where = _display(info.user, info.host, info.port, info.dbname)
        else:
            raise ValidationError(
                "journal: PostgresJournal takes a connection string or a psycopg Connection, "
                f"got {type(target).__name__}",
                field="journal",
            )

    def link(self, name: str, *, synchronous: bool = True, runtime: Runtime = THREADS) -> _Link:
        return _Link(self, name, synchronous=synchronous, runtime=runtime)


def _on_loop(runtime: Runtime) -> bool:
    """Whether `runtime` runs on an event loop (`sesflow.aio`): its waits are awaits."""
    from ._bridge import LoopRuntime

    return isinstance(runtime, LoopRuntime)


def _async_psycopg_here() -> bool:
    """Whether psycopg's async connections work on the running event loop (not on
    Windows' proactor loop, which has no `add_reader`)."""
    import asyncio

    proactor = getattr(asyncio, "ProactorEventLoop", None)  # Windows' only
    return proactor is None or not isinstance(asyncio.get_running_loop(), proactor)


def _display(user: object, host: object, port: object, dbname: object) -> str:
    """A DSN as messages show it: never with a password."""
    who = f"{user}@" if user else ""
    where = str(host or "localhost")
    if "," in where or "/" in where:  # several hosts, or a socket directory
        where = f"[{where}]"
    return f"postgresql://{who}{where}{f':{port}' if port else ''}/{dbname or ''}"


class _Link:
    """One connection, one statement at a time; made again on the next use after a loss
    (a DSN's only: the caller's own connection cannot be).

    On an event loop (`runtime` is `sesflow.aio`'s), a DSN's connection is a psycopg
    `AsyncConnection`, used through `_LoopConnection`: the same code, each wait awaited."""

    def __init__(
        self, source: _Source, name: str, *, synchronous: bool = True, runtime: Runtime = THREADS
    ) -> None:
        self.source = source
        self.name = name[:63]  # PostgreSQL keeps 63 bytes of application_name
        self.synchronous = synchronous
        self.on_loop = _on_loop(runtime)
        if self.on_loop and source.dsn is None:  # pragma: no cover - the journal offloads
            raise AssertionError("a caller's connection is used in worker threads")
        # Held across statements: a loop's lock on an event loop.
        self.lock = source.shared_lock or runtime.lock()
        self.connection: Connection | None = source.connection
        self._failed_at = 0.0

    def run(self, doing: str, work: Callable[[Connection], T], *, transaction: bool = False) -> T:
        """`work(connection)` in a transaction of its own (one statement: autocommit).

        Raises:
            _ConnectionLostError: the connection is gone, or cannot be made.
            JournalError: PostgreSQL refused the work.
        """
        from psycopg import errors, pq

        with self.lock:
            connection = self._connection()
            caller_owned = self.source.dsn is None
            if caller_owned and connection.info.transaction_status != pq.TransactionStatus.IDLE:
                raise JournalError(
                    f"journal {self.source.where}: the connection given to PostgresJournal is "
                    "inside a transaction; the journal commits each record itself, so give it "
                    "an idle connection (or one in autocommit mode)",
                    path=self.source.where,
                )
            for attempt in range(_ATTEMPTS):
                try:
                    explicit = transaction or not connection.autocommit
                    with connection.transaction() if explicit else nullcontext():
                        return work(connection)
                except (errors.DeadlockDetected, errors.SerializationFailure):
                    # PostgreSQL broke a deadlock (or a serialization conflict) by failing
                    # this statement: nothing of it was written; run it again.
                    if attempt == _ATTEMPTS - 1:
                        raise
                except Exception as exc:
                    if connection.closed or connection.broken:
                        self._drop()
                        raise _ConnectionLostError(
                            f"the connection to PostgreSQL was lost ({_cause(exc)})",
                            path=self.source.where,
                        ) from exc
                    if isinstance(exc, JournalError | ValidationError):
                        raise
                    if not isinstance(exc, errors.Error):
                        raise
                    raise JournalError(
                        f"journal {self.source.where}: PostgreSQL refused {doing}: {_cause(exc)}",
                        path=self.source.where,
                    ) from exc
            raise AssertionError("unreachable")  # pragma: no cover

    def _connection(self) -> Connection:
        if self.connection is not None:
            return self.connection
        if self.source.dsn is None:
            raise _ConnectionLostError(
                "the connection given to PostgresJournal is closed or broken",
                path=self.source.where,
            )
        if time.monotonic() - self._failed_at < _RECONNECT_PAUSE:
            raise _ConnectionLostError("PostgreSQL cannot be reached", path=self.source.where)
        self.connection = self._connect()
        return self.connection

    def _connect(self) -> Connection:
        import psycopg

        assert self.source.dsn is not None
        options: dict[str, Any] = {
            "autocommit": True,
            "connect_timeout": max(1, round(self.source.connect_timeout)),
            "application_name": self.name,
        }
        try:
            if self.on_loop:
                from ._bridge import await_shielded

                connection: Connection = _LoopConnection(
                    await_shielded(psycopg.AsyncConnection.connect(self.source.dsn, **options))
                )
            else:
                connection = psycopg.connect(self.source.dsn, **options)
            if not self.synchronous:
                connection.execute("SET synchronous_commit = off")
            return connection
        except psycopg.Error as exc:
            self._failed_at = time.monotonic()
            raise _ConnectionLostError(
                f"cannot connect to PostgreSQL at {self.source.where} ({_cause(exc)})",
                path=self.source.where,
            ) from exc

    def reconnect(self) -> bool:
        """A new connection in place of a lost one (a DSN's only); whether it worked."""
        with self.lock:
            if self.source.dsn is None:
                return False
            self._drop()
            self._failed_at = 0.0
            try:
                self.connection = self._connect()
            except _ConnectionLostError:
                return False
            return True

    def _drop(self) -> None:
        if self.source.dsn is None:
            return  # the caller's connection: theirs to close
        connection, self.connection = self.connection, None
        if connection is not None:
            with suppress(Exception):
                connection.close()

    def close(self) -> None:
        with self.lock:
            self._drop()


class _LoopConnection:
    """A psycopg `AsyncConnection` as the journal's (sync) code uses a connection: each of
    its waits awaited on the event loop (`sesflow._bridge`), shielded from cancellation,
    so that a statement the server may have run is never left half known: a cancelled
    run's statement finishes, then the cancellation goes on."""

    def __init__(self, connection: psycopg.AsyncConnection[Any]) -> None:
        self._connection = connection

    @property
    def autocommit(self) -> bool:
        return self._connection.autocommit

    @property
    def closed(self) -> bool:
        return self._connection.closed

    @property
    def broken(self) -> bool:
        return self._connection.broken

    @property
    def info(self) -> Any:
        return self._connection.info

    def execute(self, query: Any, params: Any = None) -> _LoopCursor:
        from ._bridge import await_shielded

        return _LoopCursor(await_shielded(self._connection.execute(query, params)))

    def cursor(self) -> _LoopCursor:
        return _LoopCursor(self._connection.cursor())

    def transaction(self) -> _LoopTransaction:
        return _LoopTransaction(self._connection.transaction())

    def close(self) -> None:
        from ._bridge import await_shielded

        await_shielded(self._connection.close())


class _LoopCursor:
    """A psycopg `AsyncCursor`, used as a sync one (see `_LoopConnection`)."""

    def __init__(self, cursor: psycopg.AsyncCursor[Any]) -> None:
        self._cursor = cursor

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    def fetchone(self) -> Any:
        from ._bridge import await_only

        return await_only(self._cursor.fetchone())

    def fetchall(self) -> list[Any]:
        from ._bridge import await_only

        return await_only(self._cursor.fetchall())

    def __iter__(self) -> Iterator[Any]:
        return iter(self.fetchall())

    def executemany(self, query: Any, params_seq: Iterable[Any]) -> None:
        from ._bridge import await_shielded

        await_shielded(self._cursor.executemany(query, params_seq))


class _LoopTransaction:
    """`AsyncConnection.transaction()` as a sync context manager (see `_LoopConnection`)."""

    def __init__(self, context: Any) -> None:
        self._context = context

    def __enter__(self) -> Any:
        from ._bridge import await_shielded

        return await_shielded(self._context.__aenter__())

    def __exit__(self, *exc_info: Any) -> Any:
        from ._bridge import await_shielded

        return await_shielded(self._context.__aexit__(*exc_info))


class _Sql:
    """The statements, written out once for a schema, as bytes: composing them for each
    execution would cost more client CPU than the rest of psycopg's work."""

    def __init__(self, schema: str) -> None:
        # `schema` passed `_SCHEMA_NAME` (letters, digits, _): quoted, it is a safe name.
        assert _SCHEMA_NAME.fullmatch(schema)
        name = f'"{schema}"'

        def compose(text: str) -> bytes:
            return text.replace("{s}", name).encode()

        self.claim = compose(_CLAIM)
        self.begin = compose(_BEGIN)
        self.lost = compose(_LOST)
        self.release = compose(_RELEASE)
        self.finish = compose(_FINISH)
        self.leftovers = compose(_LEFTOVERS)
        self.others_hold = compose(_OTHERS_HOLD)
        self.renew = compose(_RENEW)
        self.end = compose(_END)
        self.tables = [compose(part) for part in _TABLES.split(";")]
        self.meta = compose("SELECT key, value FROM {s}.meta")
        self.insert_meta = compose("INSERT INTO {s}.meta (key, value) VALUES (%s, %s)")
        self.campaign = compose("SELECT id, identity FROM {s}.campaigns WHERE name = %s")
        self.insert_campaign = compose(
            "INSERT INTO {s}.campaigns (name, identity) VALUES (%s, %s) "
            "ON CONFLICT (name) DO NOTHING"
        )
        self.campaign_for_update = compose(
            "SELECT id, identity FROM {s}.campaigns WHERE name = %s FOR UPDATE"
        )
        self.next_run = compose(
            "UPDATE {s}.campaigns SET runs = runs + 1 WHERE id = %s RETURNING runs"
        )
        self.insert_run = compose(
            "INSERT INTO {s}.runs (campaign, run, host, pid, started, lease_until) "
            "VALUES (%s, %s, %s, %s, clock_timestamp(), "
            "clock_timestamp() + make_interval(secs => %s))"
        )
        self.state = compose(
            "SELECT r.state, h.lease_until >= clock_timestamp() FROM {s}.recipients AS r "
            "LEFT JOIN {s}.runs AS h ON h.campaign = r.campaign AND h.run = r.run "
            "WHERE r.campaign = %(c)s AND r.address = %(a)s"
        )
        self.report_counts = compose(
            "SELECT state, count(*), sum(ambiguous) FROM {s}.recipients "
            "WHERE campaign = %(c)s GROUP BY state"
        )
        # A run's end: when it ended, when its lease expired (it died), or now (going).
        self.report_times = compose(
            "SELECT extract(epoch FROM max(CASE WHEN ended IS NOT NULL THEN ended "
            "WHEN lease_until < clock_timestamp() THEN lease_until ELSE clock_timestamp() END) "
            "- min(started)) FROM {s}.runs WHERE campaign = %(c)s"
        )
        self.failures = compose(
            "SELECT address, status, error FROM {s}.recipients "
            "WHERE campaign = %(c)s AND state = 'failed' AND address > %(after)s "
            "ORDER BY address LIMIT %(n)s"
        )
        self.lock_campaign = compose("SELECT id FROM {s}.campaigns WHERE id = %(c)s FOR UPDATE")
        self.live_run = compose(
            "SELECT run, pid, host, started FROM {s}.runs WHERE campaign = %(c)s "
            "AND ended IS NULL AND lease_until >= clock_timestamp() ORDER BY run LIMIT 1"
        )
        self.delete_recipients = compose("DELETE FROM {s}.recipients WHERE campaign = %(c)s")
        self.delete_campaign = compose("DELETE FROM {s}.campaigns WHERE id = %(c)s")


class PostgresJournal:
    """A bulk campaign's journal on PostgreSQL: `send_bulk(..., journal=PostgresJournal(...))`.

    Any number of runs of the same campaign (same sender, template and recipients), in
    any number of processes on any number of machines, split it between them: each
    recipient is claimed by one run, sent once, and recorded; what a run that dies
    leaves is taken over by the others (see `sesflow.postgres`). The SQLite
    journal (`journal="file.journal"`) serves one run at a time.

    Args:
        dsn_or_connection: a connection string (`"postgresql://user@host/db"`, or
            `"host=... dbname=..."`), from which each run opens its own connections
            (three: claims and outcomes, calls, the lease) and opens them again after a
            loss (under `sesflow.aio`, psycopg's async connections, used on the event
            loop); or a psycopg `Connection`, which every run and the lease renewal
            share, one statement at a time under a lock (the bulk workers are threads;
            under `sesflow.aio`, the run's journal work goes to worker threads), and
            which is left open. It must be idle (or in autocommit mode) when the journal
            uses it: the journal commits each record itself. A lost shared connection
            cannot be replaced, so prefer a connection string for long campaigns.
        campaign: the campaign's name (a run of another sender or template under the
            same name is refused before any call).
        schema: the PostgreSQL schema that holds the journal's tables, created on first
            use; a schema holding other tables is refused.
        lease: seconds a run holds its recipients without renewing (it renews every
            third of it). A run that dies is noticed once its lease expires.
        connect_timeout: seconds to wait for a connection.

    Raises:
        MissingExtraError: `psycopg` is not installed (`pip install "sesflow[postgres]"`).
        ValidationError: a bad argument.

    Examples:
        >>> journal = PostgresJournal(dsn, campaign="spring-2026", lease=10.0)
        >>> journal
        PostgresJournal('postgresql://postgres@127.0.0.1:5432/test', campaign='spring-2026')
        >>> report = sender.send_bulk(recipients, "welcome", journal=journal)
        >>> (report.sent, journal.report().sent)
        (2, 2)
        >>> sender.send_bulk(recipients, "welcome", journal=journal).skipped  # done already
        2
    """

    def __init__(
        self,
        dsn_or_connection: str | psycopg.Connection[Any],
        *,
        campaign: str,
        schema: str = "sesflow",
        lease: float = 30.0,
        connect_timeout: float = 10.0,
    ) -> None:
        _require_psycopg()
        if not isinstance(campaign, str) or not campaign.strip() or len(campaign) > 200:
            raise ValidationError(
                f"campaign: a name of 1 to 200 characters is required, got {campaign!r}",
                field="campaign",
            )
        if not isinstance(schema, str) or not _SCHEMA_NAME.fullmatch(schema):
            raise ValidationError(
                f"schema: a plain PostgreSQL name (letters, digits, _) is required, got {schema!r}",
                field="schema",
            )
        for name, value, least in (("lease", lease, 0.5), ("connect_timeout", connect_timeout, 0)):
            if isinstance(value, bool) or not isinstance(value, int | float) or not value > least:
                raise ValidationError(
                    f"{name}: seconds above {least:g} are required, got {value!r}", field=name
                )
        self.campaign = campaign
        self.schema = schema
        self.lease = float(lease)
        self._source = _Source(dsn_or_connection, connect_timeout=float(connect_timeout))
        self._sql = _Sql(schema)

    @property
    def where(self) -> str:
        """The database, as messages show it (never with a password).

        Examples:
            >>> PostgresJournal("postgresql://ann:secret@db.example.com/mail",
            ...                 campaign="spring").where
            'postgresql://ann@db.example.com/mail'
        """
        return self._source.where

    def __repr__(self) -> str:
        return f"PostgresJournal({self.where!r}, campaign={self.campaign!r})"

    # Reading the campaign, from any process

    def report(self) -> BulkReport:
        """The whole campaign's report: every run, every process, finished or not.

        `total` counts the recipients any run took; `sent` and `failed` (permanent
        failures, listed in `failures`) are final; `unsent` counts the rest: being sent,
        left by a run that died, or waiting for a later run (`deferred`: only transient
        errors; `ambiguous`: an answer lost). `ambiguous` adds up the calls whose answer
        was lost, per recipient they carried (under at-least-once each may have received
        the message twice). `duration` runs from the first run's start to the last one's
        end (or now, while one is going). `skipped` and `repeats` are 0: they belong to
        runs. A campaign no run has started reports zeros.

        Raises:
            JournalError: PostgreSQL cannot be reached, or the schema is not a journal's.

        Examples:
            >>> journal = PostgresJournal(dsn, campaign="spring-2026")
            >>> _ = sender.send_bulk([*recipients, "bad@@example.com"], "welcome",
            ...                      journal=journal)
            >>> report = journal.report()
            >>> report.total, report.sent, report.failed, report.unsent
            (3, 2, 1, 0)
        """
        query = self._sql

        def read(connection: Connection, campaign: int) -> BulkReport:
            counts: Counter[str] = Counter()
            ambiguous = 0
            for state, count, lost in connection.execute(query.report_counts, {"c": campaign}):
                counts[state] = count
                ambiguous += lost or 0
            row = connection.execute(query.report_times, {"c": campaign}).fetchone()
            duration = float(row[0]) if row is not None and row[0] is not None else 0.0
            total = sum(counts.values())
            return BulkReport(
                total=total,
                sent=counts["sent"],
                failed=counts["failed"],
                skipped=0,
                ambiguous=ambiguous,
                failures=(),
                duration=duration,
                unsent=total - counts["sent"] - counts["failed"],
            )

        empty = BulkReport(total=0, sent=0, failed=0, skipped=0, ambiguous=0)
        report = self._read("reading the campaign's report", read, empty)
        if report.failed:
            report = _with_failures(report, tuple(self.failures()))
        return report

    def failures(self) -> Iterator[BulkFailure]:
        """The campaign's permanent failures, one `BulkFailure` each, by address (read a
        page at a time, so any number of them runs in constant memory).

        Raises:
            JournalError: PostgreSQL cannot be reached, or the schema is not a journal's.

        Examples:
            >>> journal = PostgresJournal(dsn, campaign="spring-2026")
            >>> _ = sender.send_bulk(["bad@@example.com", "ann@example.com"], "welcome",
            ...                      journal=journal)
            >>> [(f.address, f.status.value) for f in journal.failures()]
            [('bad@@example.com', 'INVALID_RECIPIENT')]
        """
        after = ""
        query = self._sql
        while True:

            def page(connection: Connection, campaign: int, after: str = after) -> list[Any]:
                rows: list[Any] = connection.execute(
                    query.failures, {"c": campaign, "after": after, "n": _PAGE}
                ).fetchall()
                return rows

            rows: list[Any] = self._read("reading the campaign's failures", page, [])
            for address, status, error in rows:
                yield BulkFailure(address, *bulk_status(status or "FAILED", error or ""))
            if len(rows) < _PAGE:
                return
            after = rows[-1][0]

    def delete(self) -> None:
        """Forget the campaign: its recipients and runs (the tables stay). Idempotent.

        A later run of the same name starts from scratch (it would send everyone again).

        Raises:
            JournalInUseError: a run of the campaign is going (it names the run).
            JournalError: PostgreSQL cannot be reached, or the schema is not a journal's.

        Examples:
            >>> journal = PostgresJournal(dsn, campaign="spring-2026")
            >>> _ = sender.send_bulk(recipients, "welcome", journal=journal)
            >>> journal.delete()
            >>> journal.report().total
            0
        """
        query = self._sql
        where = self.where

        def delete(connection: Connection, campaign: int) -> None:
            connection.execute(query.lock_campaign, {"c": campaign})
            live = connection.execute(query.live_run, {"c": campaign}).fetchone()
            if live is not None:
                run, pid, host, started = live
                holder = f"run {run}: process {pid} on {host}, since {started:%Y-%m-%dT%H:%M:%SZ}"
                raise JournalInUseError(
                    f"journal {where}: campaign {self.campaign!r} has a run going ({holder}); "
                    "delete it once no run is going",
                    path=where,
                    holder=holder,
                )
            connection.execute(query.delete_recipients, {"c": campaign})
            connection.execute(query.delete_campaign, {"c": campaign})

        self._read("deleting the campaign", delete, None, transaction=True)

    def _read(
        self,
        doing: str,
        work: Callable[[Connection, int], T],
        missing: T,
        *,
        transaction: bool = False,
    ) -> T:
        """`work(connection, campaign id)` on a connection of its own (or the shared one);
        `missing` when the schema or the campaign does not exist yet."""
        link = self._source.link(f"sesflow journal: {self.campaign}")
        query = self._sql

        def read(connection: Connection) -> T:
            if not _has_tables(connection, self.schema):
                return missing
            _check_meta(connection, query, self.where, self.schema)
            row = connection.execute(query.campaign, (self.campaign,)).fetchone()
            if row is None:
                return missing
            return work(connection, row[0])

        try:
            return link.run(doing, read, transaction=transaction)
        except _ConnectionLostError as exc:
            raise JournalError(
                f"journal {self.where}: {exc} while {doing}", path=self.where
            ) from exc.__cause__
        finally:
            link.close()

    # The JournalBackend protocol (for send_bulk and check_bulk)

    def _open_run(self, identity: str, *, runtime: Runtime = THREADS) -> JournalStore:
        if self._in_threads(runtime):
            # The store runs in worker threads, as a whole (its statements, its locks and
            # its lease thread), each of its methods waited for on the loop.
            store: JournalStore = runtime.offload(runtime.blocking(_Store, self, identity))
            return store
        return _Store(self, identity, runtime)

    def _view(self, identity: str, *, runtime: Runtime = THREADS) -> JournalReader:
        if self._in_threads(runtime):
            view: JournalReader = runtime.offload(runtime.blocking(_View, self, identity))
            return view
        return _View(self, identity, runtime)

    def _in_threads(self, runtime: Runtime) -> bool:
        """Whether a run on `runtime` (an event loop's) does its journal work in worker
        threads: with the caller's (sync) connection, or where psycopg's async connections
        cannot run (Windows' default event loop, the proactor)."""
        return _on_loop(runtime) and (self._source.dsn is None or not _async_psycopg_here())


def _with_failures(report: BulkReport, failures: tuple[BulkFailure, ...]) -> BulkReport:
    from dataclasses import replace

    return replace(report, failures=failures)


def _has_tables(connection: Connection, schema: str) -> bool:
    row = connection.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = %s", (schema,)
    ).fetchone()
    return bool(row and row[0])


def _check_meta(connection: Connection, query: _Sql, where: str, schema: str) -> None:
    """Refuse a schema that is not a sesflow journal's, or of another format."""
    tables = {
        row[0]
        for row in connection.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s",
            (schema,),
        )
    }
    if not {"meta", "campaigns", "runs", "recipients"} <= tables:
        raise JournalError(
            f"journal {where}: schema {schema!r} holds tables that are not a sesflow "
            f"journal's ({', '.join(sorted(tables))}); sesflow leaves it untouched. Give "
            "PostgresJournal a schema of its own (schema=...).",
            path=where,
        )
    meta = dict(connection.execute(query.meta).fetchall())
    if meta.get("application") != "sesflow":
        raise JournalError(
            f"journal {where}: schema {schema!r} is not a sesflow journal's (its meta table "
            "says otherwise); sesflow leaves it untouched.",
            path=where,
        )
    if meta.get("format") != str(FORMAT_VERSION):
        raise JournalError(
            f"journal {where}: schema {schema!r} has journal format {meta.get('format')!r}; "
            f"this sesflow reads format {FORMAT_VERSION}",
            path=where,
        )


def _prepare_schema(connection: Connection, query: _Sql, where: str, schema: str) -> None:
    """Create the tables on first use, or check them; concurrent first uses are safe (an
    advisory lock makes them take turns). Called in a transaction."""
    connection.execute("SELECT pg_advisory_xact_lock(%s, hashtext(%s))", (_LOCK_CLASS, schema))
    if _has_tables(connection, schema):
        _check_meta(connection, query, where, schema)
        return
    for statement in query.tables:
        connection.execute(statement)
    connection.cursor().executemany(
        query.insert_meta, [("application", "sesflow"), ("format", str(FORMAT_VERSION))]
    )


class _Store:
    """One run's part in a shared campaign: the `JournalStore` of a `PostgresJournal`.

    Three connections (one shared one, when the caller gave a connection): claims and
    outcomes commit asynchronously (no wait for the disk); calls (`begin`) commit
    synchronously, which also makes every earlier commit durable (the write-ahead log is
    one sequence), so a claim is on disk before its call is made. A PostgreSQL crash can
    lose only outcomes written since: their recipients come back in flight (ambiguous),
    never sent twice silently. The lease has a connection of its own, so that a slow
    statement never delays a renewal. Calls and outcomes are each written by one thread at
    a time, each write taking all that are waiting (a group commit: one wait for the disk
    serves every worker that was waiting).

    The same code runs a `sesflow.aio` run on its event loop (`runtime`): the locks held
    across statements, the lease renewal and its waits are the runtime's (a task, not a
    thread), and the connections are async ones (see `_Link`)."""

    shared = True

    def __init__(self, journal: PostgresJournal, identity: str, runtime: Runtime = THREADS) -> None:
        self.journal = journal
        self.where = journal.where
        self._sql = journal._sql
        self._lease = journal.lease
        self._runtime = runtime
        source, campaign = journal._source, journal.campaign
        self._link = source.link(f"sesflow journal: {campaign}", synchronous=False, runtime=runtime)
        self._calls_link = source.link(f"sesflow calls: {campaign}", runtime=runtime)
        self._lease_link = source.link(
            f"sesflow lease: {campaign}", synchronous=False, runtime=runtime
        )
        # The bookkeeping below; never held while waiting for PostgreSQL.
        self._state = threading.Lock()
        # Calls made and not settled: their recipients.
        self._calls: dict[int, tuple[str, ...]] = {}
        self._next_call = 0
        # How many unsettled calls carry each recipient, and the recipients a call with a
        # lost answer may have sent (those never go back to `claimed`).
        self._carried: Counter[str] = Counter()
        self._maybe_sent: set[str] = set()
        # Outcomes waiting to be written, oldest first (kept after a failed write), and
        # the tickets of the group commit: finishes queued, and finishes written.
        self._pending: list[dict[str, tuple[str, str | None, str | None, str | None]]] = []
        self._queued = 0
        self._written = 0
        self._writer = runtime.rlock()
        # The same for calls: those waiting to be recorded, and the verdict of each
        # recorded one (True: all its recipients marked; an error: the write failed).
        self._to_begin: list[tuple[int, tuple[str, ...]]] = []
        self._begun: dict[int, bool | JournalError] = {}
        self._beginner = runtime.lock()
        self._recovering = False
        self._closed = False
        try:
            self.campaign, self.run = self._link.run(
                "opening the campaign", lambda c: self._start(c, identity), transaction=True
            )
        except _ConnectionLostError as exc:
            self._close_links()
            raise JournalError(
                f"journal {self.where}: {exc}; nothing was sent. Check that PostgreSQL is "
                "running and that the connection string is right.",
                path=self.where,
            ) from exc.__cause__
        except BaseException:
            self._close_links()
            raise
        self._lapses = 0
        self._stopping = _Signal(runtime)
        self._renewer = runtime.start(self._renew, f"sesflow-lease-{self.run}")

    def _start(self, connection: Connection, identity: str) -> tuple[int, int]:
        journal = self.journal
        query = self._sql
        _prepare_schema(connection, query, self.where, journal.schema)
        connection.execute(query.insert_campaign, (journal.campaign, identity))
        row = connection.execute(query.campaign_for_update, (journal.campaign,)).fetchone()
        assert row is not None
        campaign, made_for = row
        if made_for != identity:
            raise ValidationError(
                f"journal: campaign {journal.campaign!r} in {self.where} was made for another "
                f"sender or template ({made_for}); this run is {identity}. Give a new "
                "campaign name for a new campaign.",
                field="journal",
            )
        run = connection.execute(query.next_run, (campaign,)).fetchone()[0]
        connection.execute(
            query.insert_run,
            (campaign, run, socket.gethostname(), os.getpid(), self._lease),
        )
        return campaign, run

    def __repr__(self) -> str:
        return f"<PostgresJournal run {self.run} of {self.journal.campaign!r} in {self.where}>"

    # The JournalStore protocol

    def claim(
        self, addresses: Sequence[str], payloads: Sequence[str | None] | None = None
    ) -> dict[str, str]:
        # Lists travel as one text each (lines; a checked address holds no line break,
        # nor does compact JSON): psycopg's pure-Python array adaptation costs far more.
        has_payloads = payloads is not None and any(p is not None for p in payloads)
        params = {
            "a": "\n".join(addresses),
            "p": "\n".join(p or "" for p in payloads) if payloads and has_payloads else None,
            "c": self.campaign,
            "me": self.run,
        }

        def claim(connection: Connection) -> dict[str, str]:
            return dict(connection.execute(self._sql.claim, params).fetchall())

        return self._io(self._link, "claiming recipients", claim)

    def begin(self, addresses: Iterable[str]) -> int:
        carried = tuple(addresses)
        with self._state:
            self._next_call += 1
            call = self._next_call
            self._to_begin.append((call, carried))
        with self._beginner:
            with self._state:
                batch, self._to_begin = self._to_begin, []
            if batch:
                self._record_calls(batch)
        with self._state:
            verdict = self._begun.pop(call)
        if verdict is not True:
            self._release_quietly(carried)
            if isinstance(verdict, JournalError):
                raise verdict
            raise JournalError(
                f"journal {self.where}: this run's lease lapsed (it stalled for longer "
                f"than {self._lease:g} s) and another run took over some of its "
                "recipients; the run stopped before sending them again. Every outcome "
                "SES answered is recorded: run again to finish the campaign.",
                path=self.where,
            )
        with self._state:
            self._calls[call] = carried
            self._carried.update(carried)
        return call

    def _record_calls(self, batch: list[tuple[int, tuple[str, ...]]]) -> None:
        """Mark the recipients of every waiting call in flight, in one statement; leave
        each call's verdict for its thread. Called by one thread at a time."""
        addresses = {address for _, carried in batch for address in carried}
        params = {"a": "\n".join(addresses), "c": self.campaign, "me": self.run}

        def begin(connection: Connection) -> int:
            count: int = connection.execute(self._sql.begin, params).rowcount
            return count

        verdicts: dict[int, bool | JournalError] = {}
        try:
            marked = self._io(self._calls_link, "recording a call before making it", begin)
        except JournalError as exc:
            verdicts = {call: exc for call, _ in batch}
        else:
            # A recipient not marked was taken over by another run: this run's lease
            # lapsed, and it stops; which call it belonged to does not matter.
            verdicts = {call: marked == len(addresses) for call, _ in batch}
        with self._state:
            self._begun.update(verdicts)

    def lost(self, call: int) -> None:
        with self._state:
            carried = self._calls.get(call, ())
            self._maybe_sent.update(carried)
        params = {"a": "\n".join(carried), "c": self.campaign, "me": self.run}

        def lost(connection: Connection) -> None:
            connection.execute(self._sql.lost, params)

        self._io(self._link, "recording a lost answer", lost)

    def abandon(self, calls: Iterable[int]) -> None:
        with self._state:
            free = self._settle(calls, answered=())
        if free:
            self._io(self._link, "forgetting a call that did not go out", self._release(free))

    def finish(
        self,
        calls: Iterable[int],
        sent: Iterable[tuple[str, str]] = (),
        failed: Iterable[tuple[str, str, str]] = (),
        *,
        deferred: Iterable[tuple[str, str, str]] = (),
        ambiguous: Iterable[str] = (),
    ) -> None:
        rows: dict[str, tuple[str, str | None, str | None, str | None]] = {}
        for address, message_id in sent:
            rows[address] = ("sent", message_id, None, None)
        for address, status, error in failed:
            rows[address] = ("failed", None, status, error)
        for address, status, error in deferred:
            rows[address] = ("deferred", None, status, error)
        for address in ambiguous:
            rows[address] = ("ambiguous", None, None, None)
        with self._state:
            # Recipients of the settled calls without an outcome (to be sent again, or
            # left unsent by a run that stops) go back to `claimed`, unless a lost answer
            # may have sent them.
            for address in self._settle(calls, answered=rows):
                rows[address] = ("claimed", None, None, None)
            if not rows:
                return
            self._pending.append(rows)
            self._queued += 1
            ticket = self._queued
        self._write(ticket)

    def leftovers(self, limit: int) -> list[Leftover] | None:
        params = {"c": self.campaign, "me": self.run, "n": limit}

        def take(connection: Connection) -> list[Leftover] | bool:
            rows = connection.execute(self._sql.leftovers, params).fetchall()
            if rows:
                return [Leftover(a, p, bool(m)) for a, p, m in rows]
            row = connection.execute(self._sql.others_hold, params).fetchone()
            return bool(row and row[0])

        taken = self._io(self._link, "taking over recipients other runs left", take)
        if isinstance(taken, list):
            return taken
        if not taken:
            return []
        # Another live run holds some: it may still die with them. The lease runs on
        # PostgreSQL's clock, so this waits in real time (not on an injected clock).
        self._runtime.sleep(min(1.0, self._lease / 4))
        return None

    def close(self) -> None:
        with self._state:
            if self._closed:
                return
            self._closed = True
        self._stopping.set()
        try:
            self._renewer.join()  # (interrupted, the renewal still ends: it was told to)
            self._write(None)
        finally:
            try:
                with suppress(JournalError):
                    # Its claims are free (or ambiguous) for other runs at once; should
                    # this fail, they are when the lease expires.
                    self._link.run("ending the run", self._end)
            finally:
                self._close_links()

    @property
    def unwritten(self) -> int:
        """Outcomes SES answered that are not written yet (non-zero only after an error)."""
        with self._state:
            return self._unwritten_count()

    # Inside

    def _settle(self, calls: Iterable[int], answered: Iterable[str]) -> list[str]:
        """Forget `calls`; return their recipients that go back to `claimed` (no outcome in
        `answered`, no other call in flight, and no lost answer that may have sent them).
        Called with the state lock held."""
        answered = set(answered)
        self._maybe_sent -= answered
        free: list[str] = []
        for call in calls:
            for address in self._calls.pop(call, ()):
                self._carried[address] -= 1
                if self._carried[address] > 0:
                    continue
                del self._carried[address]
                if address not in answered and address not in self._maybe_sent:
                    free.append(address)
        return free

    def _release(self, addresses: list[str]) -> Callable[[Connection], None]:
        """The statement that gives recipients of calls not made back to `claimed`."""
        params = {"a": "\n".join(addresses), "c": self.campaign, "me": self.run}

        def release(connection: Connection) -> None:
            connection.execute(self._sql.release, params)

        return release

    def _release_quietly(self, carried: tuple[str, ...]) -> None:
        """A call will not be made: its recipients go back to `claimed` if they can (if
        they cannot, they become ambiguous once the lease expires: conservative)."""
        with self._state:
            free = [a for a in carried if not self._carried[a] and a not in self._maybe_sent]
        if free:
            with suppress(JournalError):
                self._link.run("returning recipients of a call not made", self._release(free))

    def _write(self, ticket: int | None) -> None:
        """Write the waiting outcomes, until finish number `ticket` is written (all of
        them for None). Whoever writes takes every outcome waiting then: the others find
        theirs written when their turn comes, and return at once."""
        with self._writer:
            with self._state:
                if not self._pending or (ticket is not None and self._written >= ticket):
                    return
                batch = list(self._pending)
                upto = self._queued
            rows: dict[str, tuple[str, str | None, str | None, str | None]] = {}
            for outcome in batch:
                rows.update(outcome)  # a later outcome of a recipient wins
            params = {
                "rows": json.dumps(
                    [[address, *outcome] for address, outcome in rows.items()],
                    separators=(",", ":"),
                ),
                "c": self.campaign,
                "me": self.run,
            }

            def write(connection: Connection) -> None:
                connection.execute(self._sql.finish, params)

            self._io(self._link, "recording outcomes SES answered", write)
            with self._state:
                del self._pending[: len(batch)]
                self._written = upto

    def _end(self, connection: Connection) -> None:
        connection.execute(self._sql.end, {"c": self.campaign, "me": self.run})

    def _io(self, link: _Link, doing: str, work: Callable[[Connection], T]) -> T:
        """`work` on `link`; after a lost connection, write what SES answered through a
        new one, and stop the run (`JournalError`)."""
        try:
            return link.run(doing, work)
        except _ConnectionLostError as exc:
            raise self._recover(link, exc, doing) from exc.__cause__

    def _recover(self, link: _Link, exc: JournalError, doing: str) -> JournalError:
        # Like the SQLite journal's disk reserve: one new connection, to record what SES
        # answered; the run stops all the same (something is wrong with the database or
        # the way to it).
        with self._writer:
            if not self._recovering:
                self._recovering = True
                try:
                    # (The outcomes' own connection reconnects on its next use, if lost.)
                    if link.reconnect():
                        with suppress(JournalError):
                            self._write(None)
                finally:
                    self._recovering = False
            with self._state:
                pending = self._unwritten_count()
        tail = (
            f" {pending} outcomes SES answered could not be written: once the lease expires, "
            "other runs (or a later one) treat those recipients as ambiguous."
            if pending
            else " Every outcome SES answered is recorded: run again to resume."
        )
        return JournalError(
            f"journal {self.where}: {exc} while {doing}; the run stopped.{tail}",
            path=self.where,
        )

    def _unwritten_count(self) -> int:
        # Called with the state lock held.
        return sum(1 for rows in self._pending for state, *_ in rows.values() if state != "claimed")

    def _close_links(self) -> None:
        for link in (self._link, self._calls_link, self._lease_link):
            link.close()

    def _renew(self) -> None:
        """The lease thread (or task): renew every third of the lease, in real time (the lease runs
        on PostgreSQL's clock, not on the run's injected one)."""
        params = {"c": self.campaign, "me": self.run, "lease": self._lease}
        while not self._stopping.wait(self._lease / 3):
            try:
                row = self._lease_link.run(
                    "renewing the run's lease",
                    lambda connection: connection.execute(self._sql.renew, params).fetchone(),
                )
            except JournalError as exc:
                # The journal's own statements notice a lost PostgreSQL too, and stop the
                # run; a lease connection alone lost is made again on the next turn.
                logger.warning("bulk journal: could not renew the run's lease: %s", exc)
                continue
            lapses = row[0] if row is not None else 0
            if lapses > self._lapses:
                self._lapses = lapses
                logger.warning(
                    "bulk journal: run %d of %r renewed its lease late (it stalled for longer "
                    "than %g s): other runs may have taken over its recipients",
                    self.run,
                    self.journal.campaign,
                    self._lease,
                )


class _Signal:
    """`threading.Event`'s `set` and `wait`, on the runtime's condition (so that a task on
    an event loop can wait for it without blocking the loop)."""

    def __init__(self, runtime: Runtime) -> None:
        self._condition = runtime.condition()
        self._set = False

    def set(self) -> None:
        with self._condition:
            self._set = True
            self._condition.notify_all()

    def wait(self, timeout: float) -> bool:
        """Whether it is set, after waiting up to `timeout` seconds for it."""
        with self._condition:
            if not self._set:
                self._condition.wait(timeout)
            return self._set


class _View:
    """A campaign read as it is, changing nothing (for `Sender.check_bulk`)."""

    def __init__(self, journal: PostgresJournal, identity: str, runtime: Runtime = THREADS) -> None:
        self.journal = journal
        self._link = journal._source.link(f"sesflow check: {journal.campaign}", runtime=runtime)
        query = journal._sql

        def open_view(connection: Connection) -> int | None:
            if not _has_tables(connection, journal.schema):
                return None
            _check_meta(connection, query, journal.where, journal.schema)
            row = connection.execute(query.campaign, (journal.campaign,)).fetchone()
            if row is None:
                return None
            if row[1] != identity:
                raise ValidationError(
                    f"journal: campaign {journal.campaign!r} in {journal.where} was made for "
                    f"another sender or template ({row[1]}); this run is {identity}.",
                    field="journal",
                )
            return int(row[0])

        try:
            self._campaign = self._link.run("opening the campaign", open_view)
        except _ConnectionLostError as exc:
            self._link.close()
            raise JournalError(
                f"journal {journal.where}: {exc}", path=journal.where
            ) from exc.__cause__
        except BaseException:
            self._link.close()
            raise

    def state(self, address: str) -> str | None:
        if self._campaign is None:
            return None
        params = {"c": self._campaign, "a": address}

        def read(connection: Connection) -> Any:
            return connection.execute(self.journal._sql.state, params).fetchone()

        try:
            row = self._link.run("reading a recipient's state", read)
        except _ConnectionLostError as exc:
            raise JournalError(
                f"journal {self.journal.where}: {exc}", path=self.journal.where
            ) from exc.__cause__
        if row is None:
            return None
        state, live = row
        if state in FINAL or state in ("deferred", "ambiguous"):
            return str(state)
        if live:
            return "busy"
        return "ambiguous" if state == "in_flight" else None

    def close(self) -> None:
        self._link.close()

    def __enter__(self) -> _View:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
