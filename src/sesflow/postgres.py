"""A bulk campaign's journal on PostgreSQL, shared by any number of concurrent runs.

    >>> from sesflow.postgres import PostgresJournal
    >>> journal = PostgresJournal(dsn, campaign="spring-2026")
    >>> report = sender.send_bulk(recipients, "welcome", journal=journal)
    >>> journal.report().sent  # the whole campaign, from any process
    2

Needs the optional `psycopg` package (version 3): `pip install "sesflow[postgres]"`. This
module imports it on first use: `PostgresJournal(...)` raises `MissingExtraError` when it is
missing.

The same `send_bulk(...)` (same sender, template, campaign name and recipients) started in
several processes on several machines splits the campaign between them:

- **Claims.** Before a worker sends a batch it claims the batch's recipients, in one
  statement: a recipient no run has taken is inserted for this run (a unique key on
  campaign and address makes the claim atomic: `INSERT ... ON CONFLICT DO NOTHING`); one
  that can be taken again (`deferred`, `ambiguous`, or held by a run that died) is taken
  over (`SELECT ... FOR UPDATE SKIP LOCKED`, then `UPDATE`). The others are skipped: those
  a run finished (`sent`, `failed`) and those another live run holds (`busy`).
- **Calls.** Before each `SendBulkEmail` call the run marks its recipients *in flight*,
  with a synchronous commit (durable when the call is made; claims commit without waiting
  for the disk, and a synchronous commit makes every earlier one durable too). Outcomes
  are written when the answer arrives (without waiting for the disk: a PostgreSQL crash
  could lose the last few, whose recipients then count as ambiguous). Concurrent workers'
  writes are grouped, one statement (and one wait for the disk) for all that wait.
- **Leases.** Each run has a row with a lease, renewed by a background thread every third
  of its length. A recipient is held by a run while that run's lease lasts. Lease times
  are PostgreSQL's (`clock_timestamp()`), so the machines' clocks do not matter. A run
  that dies leaves its recipients *claimed* (not sent: free again once the lease expires)
  or *in flight* (a call carrying them was made and never answered: ambiguous once the
  lease expires). A run whose own lease lapsed (it stalled for longer than the lease)
  stops with `JournalError` before its next call, since others may have taken over.
- **Leftovers.** Once its input is read, a run takes over what runs that died left, and it
  ends when no other live run holds a recipient of the campaign: the remaining runs
  finish the campaign. (The payload a recipient carries besides its address — template
  data, tags, headers — is kept with its claim until it is finished, for this.)
- **Delivery.** Recipients taken over from a call in flight count in `ambiguous`:
  at-least-once sends them again, at-most-once records them as failed with status
  `AMBIGUOUS`. A request that may have reached SES is never repeated silently.
- **Failures.** PostgreSQL unreachable at the start raises `JournalError` before any call.
  A connection lost mid-run stops the run with `JournalError`; the outcomes SES already
  answered are written first through a new connection (when the DSN allows one), or
  kept and counted in the message.

The tables (`campaigns`, `runs`, `recipients`, `meta`) live in a schema of their own
(`schema=`, default `sesflow`), created on first use under an advisory lock (so
concurrent first runs are safe). A schema that holds other tables is refused.
"""

from sesflow._errors import MissingExtraError
from sesflow._postgres import PostgresJournal

__all__ = ["MissingExtraError", "PostgresJournal"]
