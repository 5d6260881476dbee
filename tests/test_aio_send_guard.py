"""test_send_guard.py's promise under sesflow.aio: an aiobotocore client with retries on
never sends a sesflow send twice underneath, while the user's own calls and management
calls keep the client's retries (the "this is a send" flag crosses the greenlet bridge into
the awaited call, and no further)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from botocore.config import Config

from sesflow import InlineTemplate, MaybeSentError
from sesflow.aio import AsyncSES
from sesflow.testing import FakeClock, FakeSES

pytest.importorskip(
    "aiobotocore", reason="the async extra is not installed here: pip install 'sesflow[async]'"
)

RETRYING = Config(retries={"mode": "standard", "max_attempts": 5})


def _fake() -> FakeSES:
    fake = FakeSES(clock=FakeClock(), max_send_rate=1000, max_24_hour_send=-1)
    fake.verify("news@example.com")
    return fake


def _with_ses(fake: FakeSES, work: Any) -> Any:
    async def main() -> Any:
        async with fake.async_client(config=RETRYING) as client:
            return await work(AsyncSES(client=client), client)

    return asyncio.run(main())


def test_a_lost_answer_is_not_resent_by_a_retrying_async_client() -> None:
    fake = _fake()
    fake.inject_faults(drop_after=1.0, operations=["SendEmail"])

    async def work(ses: AsyncSES, client: Any) -> MaybeSentError:
        with pytest.raises(MaybeSentError) as caught:
            await ses.sender("news@example.com").send("bob@example.com", "Hi", text="x")
        return caught.value

    error = _with_ses(fake, work)
    assert error.operation == "SendEmail"
    assert error.recipients == ("bob@example.com",)
    assert fake.deliveries("bob@example.com") == 1
    assert fake.call_count("SendEmail") == 1


def test_the_users_own_calls_and_management_calls_keep_the_clients_retries() -> None:
    fake = _fake()
    fake.fail_next("SendEmail", "ServiceUnavailable", "busy", status=503)
    fake.fail_next("GetAccount", "ServiceUnavailable", "busy", status=503)

    async def work(ses: AsyncSES, client: Any) -> bool:
        await client.send_email(  # the user's own call, not through sesflow
            FromEmailAddress="news@example.com",
            Destination={"ToAddresses": ["bob@example.com"]},
            Content={"Simple": {"Subject": {"Data": "Hi"}, "Body": {"Text": {"Data": "x"}}}},
        )
        account = await ses.account()
        return account.sending_enabled

    assert _with_ses(fake, work) is True
    assert fake.call_count("SendEmail") == 2
    assert fake.deliveries("bob@example.com") == 1
    assert fake.call_count("GetAccount") == 2


def test_async_bulk_at_most_once_with_a_retrying_client_sends_nobody_twice() -> None:
    fake = _fake()
    fake.inject_faults(seed=5, drop_after=0.3, operations=["SendBulkEmail"])
    addresses = [f"user{i}@example.com" for i in range(500)]

    async def work(ses: AsyncSES, client: Any) -> Any:
        return await ses.sender("news@example.com").send_bulk(
            addresses, InlineTemplate("Hi", text="x"), delivery="at-most-once"
        )

    report = _with_ses(fake, work)
    counts = fake.delivery_counts()
    assert max(counts.values()) == 1
    assert report.sent + report.failed == 500
    assert report.failed == report.ambiguous > 0
    assert sum(counts.values()) == 500  # every lost answer was in fact delivered once
