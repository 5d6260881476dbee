"""Run by tests/test_aio.py in a process of its own: an async bulk run of N recipients on
the in-process fake, with a coroutine ticking every 10 ms beside it; prints one JSON line
with the longest gap between ticks, the full garbage collections meanwhile, and the report.

A process of its own, because a full garbage collection scans the whole heap: in the test
process that heap is pytest's and every earlier test's, and its pauses would be measured
as the bulk run's. Here the heap is what an application sending mail has: sesflow,
aiobotocore, and (as a stand-in for SES) the fake's state.

    python tests/loop_gaps.py 20000 /tmp/run.journal [--freeze]

`--freeze` moves what exists once the clients are made (the modules, botocore's endpoint
data and service models: over 50,000 objects) out of the collector's reach, as
`gc.freeze()` is meant to be used by a server after start-up: what is left to measure is
sesflow's own code between two awaits, and the collection of what the run itself makes.
"""

from __future__ import annotations

import asyncio
import gc
import json
import sys
import time
from typing import Any

from sesflow import InlineTemplate
from sesflow.aio import AsyncSES
from sesflow.testing import FakeClock, FakeSES

SENDER = "news@example.com"


async def main(count: int, journal: str, *, freeze: bool = False) -> dict[str, Any]:
    fake = FakeSES(
        clock=FakeClock(), max_send_rate=20_000, max_24_hour_send=-1, keep_messages=False
    )
    fake.verify(SENDER)
    gaps: list[float] = []
    collections: list[float] = []
    started = [0.0]

    def on_gc(phase: str, info: dict[str, Any]) -> None:
        if info["generation"] == 2:
            if phase == "start":
                started[0] = time.perf_counter()
            else:
                collections.append(time.perf_counter() - started[0])

    async with fake.async_client() as client:
        ses = AsyncSES(client=client)
        await ses.account()  # the first call imports aiohttp's connector: once per process
        if freeze:
            gc.collect()
            gc.freeze()
        done = asyncio.Event()

        async def tick() -> None:
            last = time.perf_counter()
            while not done.is_set():
                await asyncio.sleep(0.01)
                now = time.perf_counter()
                gaps.append(now - last)
                last = now

        ticker = asyncio.create_task(tick())
        await asyncio.sleep(0.02)
        gc.callbacks.append(on_gc)
        try:
            report = await ses.sender(SENDER).send_bulk(
                [f"user{i}@example.com" for i in range(count)],
                InlineTemplate("Spring news", text="Hello, here is what is new."),
                journal=journal,
            )
        finally:
            gc.callbacks.remove(on_gc)
            done.set()
            await ticker
    return {
        "ticks": len(gaps),
        "worst": max(gaps),
        "collections": sorted(collections, reverse=True)[:5],
        "sent": report.sent,
        "delivered": len(fake.delivery_counts()),
    }


if __name__ == "__main__":
    count, journal = int(sys.argv[1]), sys.argv[2]
    print(json.dumps(asyncio.run(main(count, journal, freeze="--freeze" in sys.argv[3:]))))
