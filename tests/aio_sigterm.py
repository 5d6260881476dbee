"""Run by tests/test_aio.py as a process of its own: an asyncio program whose SIGTERM
cancels its bulk run, as docs/async.md shows (`loop.add_signal_handler`). Prints
`progress N` lines, then `stopped N` (the partial report's sent) or `done SENT SKIPPED`.

    python tests/aio_sigterm.py ENDPOINT_URL JOURNAL COUNT
"""

from __future__ import annotations

import asyncio
import signal
import sys

import sesflow
from sesflow import BulkProgress, InlineTemplate
from sesflow.aio import AsyncSES


async def main(url: str, journal: str, count: int) -> None:
    from aiobotocore.session import get_session

    session = get_session()
    session.set_credentials("testing", "testing")  # the fake checks no keys
    async with AsyncSES("us-east-1", session=session, endpoint_url=url) as ses:
        run = asyncio.current_task()
        assert run is not None
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, run.cancel)

        def progress(now: BulkProgress) -> None:
            print("progress", now.sent, flush=True)

        recipients = [f"r{i}@example.net" for i in range(count)]
        try:
            report = await ses.sender("news@example.com").send_bulk(
                recipients, InlineTemplate("Hi", text="x"), journal=journal, progress=progress
            )
        except asyncio.CancelledError as stop:
            stopped = sesflow.partial_report(stop)
            assert stopped is not None
            print("stopped", stopped.sent, flush=True)
            return
        print("done", report.sent, report.skipped, flush=True)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3])))
