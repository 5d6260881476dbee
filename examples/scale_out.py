"""One campaign split over worker processes, one account rate shared through Redis.

The third recipe of docs/scaling.md: a task queue (RQ here; a Celery task is the same
function) runs one task per worker, every task runs the *same* `send_bulk` of the same
campaign, and together they send each recipient once, never faster than the account's
rate:

- `RedisLimiter` gives every process of the account one rate (the fake below enforces
  it with 429s, as SES does: none happen);
- `PostgresJournal` splits the campaign: each recipient is claimed by one run, and a
  run that dies leaves its recipients to the others.

Run as a script, it plays against a served fake SES (no AWS account), with the Redis and
PostgreSQL named by `REDIS_URL` and `DATABASE_URL` (default: the local ones,
`redis://127.0.0.1:6379/0` and `postgresql://postgres@127.0.0.1:5432/test`).
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import uuid
from collections.abc import Iterator

import psycopg
from redis import Redis
from rq import Queue, SimpleWorker

import sesflow
from sesflow.postgres import PostgresJournal
from sesflow.redis import RedisLimiter
from sesflow.testing import FakeSES

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
DATABASE_URL = os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")


def recipients() -> Iterator[str]:
    """Every worker reads the same list (a CSV file, a query): the journal splits it."""
    for i in range(2_000):
        yield f"reader{i}@example.net"


# --8<-- [start:task]
def send_share(endpoint_url: str | None, limiter_key: str, schema: str) -> dict[str, int]:
    """The task each worker runs: the whole campaign, shared with the other workers."""
    ses = sesflow.SES(
        "eu-west-1",
        endpoint_url=endpoint_url,  # None in production
        limiter=RedisLimiter(REDIS_URL, key=limiter_key),  # the account's MaxSendRate
    )
    journal = PostgresJournal(DATABASE_URL, campaign="spring-2026", schema=schema)
    report = ses.sender("news@example.com").send_bulk(recipients(), "spring-news", journal=journal)
    return {"sent": report.sent, "skipped": report.skipped, "failed": report.failed}


# --8<-- [end:task]


def work(queue_name: str) -> None:
    """One worker process: `rq worker --burst spring` does the same from a shell."""
    connection = Redis.from_url(REDIS_URL)
    SimpleWorker([Queue(queue_name, connection=connection)], connection=connection).work(burst=True)


def main() -> None:
    # Dummy credentials: the fake checks signatures' shape, not their keys.
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
    fake = FakeSES(region="eu-west-1", max_send_rate=500, keep_messages=False)
    fake.verify("example.com")
    fake.client().create_email_template(
        TemplateName="spring-news",
        TemplateContent={"Subject": "Spring news", "Text": "Hello from the spring issue."},
    )
    run = uuid.uuid4().hex[:8]  # this run's own queue, limiter key and schema
    queue_name, limiter_key, schema = f"spring-{run}", f"sesflow:example:{run}", f"spring_{run}"
    url = fake.serve()
    connection = Redis.from_url(REDIS_URL)
    queue = Queue(queue_name, connection=connection)
    # A task is named by its module, as a worker imports it (here: this file, found on the
    # workers' path; in an application, the module that holds your tasks).
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    jobs = [queue.enqueue("scale_out.send_share", url, limiter_key, schema) for _ in range(3)]
    context = multiprocessing.get_context("fork")
    workers = [context.Process(target=work, args=(queue_name,)) for _ in range(3)]
    try:
        for process in workers:
            process.start()
        for process in workers:
            process.join()
        for number, job in enumerate(jobs, 1):
            print(f"worker {number}: {job.return_value()}")
        journal = PostgresJournal(DATABASE_URL, campaign="spring-2026", schema=schema)
        print("campaign:", journal.report())
        counts = fake.delivery_counts()
        print(f"deliveries: {len(counts)} recipients, at most {max(counts.values())} each")
        stats = fake.stats()
        print(
            f"throttled calls: {stats.throttled_calls}; busiest second: "
            f"{stats.peak_recipients_per_second} recipients (the rate: 500)"
        )
    finally:
        for process in workers:
            process.kill()
        connection.delete(limiter_key)
        fake.stop()
        # The example's own schema; a real campaign keeps its journal.
        with psycopg.connect(DATABASE_URL, autocommit=True) as db:
            db.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


if __name__ == "__main__":
    main()
