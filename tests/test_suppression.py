"""The suppression list on FakeSES, and the exact requests."""

from __future__ import annotations

import datetime as dt

import boto3
import pytest
from botocore.stub import Stubber

import sesflow
from sesflow import SuppressionReason
from sesflow.testing import FakeClock, FakeSES


def test_add_get_remove_iterate(ses: sesflow.SES) -> None:
    sl = ses.suppression_list
    assert sl.get("a@example.com") is None
    sl.add("a@example.com", SuppressionReason.BOUNCE)
    sl.add("b@example.com", "COMPLAINT")
    entry = sl.get("a@example.com")
    assert entry is not None
    assert entry.reason is SuppressionReason.BOUNCE
    assert isinstance(entry.last_update_time, dt.datetime)
    assert "b@example.com" in sl
    assert {e.address for e in sl} == {"a@example.com", "b@example.com"}
    assert [e.address for e in sl.filter(reasons=["COMPLAINT"])] == ["b@example.com"]
    sl.add("a@example.com", "COMPLAINT")  # changes the reason
    entry = sl.get("a@example.com")
    assert entry is not None
    assert entry.reason is SuppressionReason.COMPLAINT
    sl.remove("a@example.com")
    sl.remove("a@example.com")  # idempotent
    assert "a@example.com" not in sl


def test_iteration_walks_every_page(ses: sesflow.SES, fake: FakeSES) -> None:
    for i in range(7):
        ses.suppression_list.add(f"u{i}@example.com", "BOUNCE")
    assert len(list(ses.suppression_list.filter(page_size=3))) == 7
    assert fake.call_count("ListSuppressedDestinations") == 3


def test_date_filters(ses: sesflow.SES) -> None:
    ses.suppression_list.add("old@example.com", "BOUNCE")
    future = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
    assert list(ses.suppression_list.filter(start=future)) == []
    assert [e.address for e in ses.suppression_list.filter(end=future)] == ["old@example.com"]


def test_sandbox_refusal_is_explained(clock: FakeClock) -> None:
    fake = FakeSES(clock=clock, sandbox=True)
    ses = sesflow.SES(client=fake.client(), sleep=clock.sleep, clock=clock)
    with pytest.raises(sesflow.BadRequestError, match="sandbox"):
        ses.suppression_list.add("a@example.com", "BOUNCE")


def test_suppressed_recipients_are_not_delivered(ses: sesflow.SES, fake: FakeSES) -> None:
    fake.verify("news@example.com")
    ses.suppression_list.add("gone@example.com", "BOUNCE")
    ses.sender("news@example.com").send(["gone@example.com", "ok@example.com"], "Hi", text="x")
    assert fake.deliveries("ok@example.com") == 1
    assert fake.deliveries("gone@example.com") == 0


def test_bad_input_is_refused(ses: sesflow.SES, fake: FakeSES) -> None:
    with pytest.raises(sesflow.ValidationError, match="reason"):
        ses.suppression_list.add("a@example.com", "SPAM")
    with pytest.raises(sesflow.ValidationError, match="address"):
        ses.suppression_list.add("nope", "BOUNCE")
    with pytest.raises(sesflow.ValidationError, match="reasons"):
        list(ses.suppression_list.filter(reasons=["SPAM"]))
    assert fake.calls == []


def test_requests_are_exact() -> None:
    client = boto3.client("sesv2", region_name="us-east-1")
    ses = sesflow.SES(client=client)
    with Stubber(client) as stub:
        stub.add_response("put_suppressed_destination", {},
                          {"EmailAddress": "a@example.com", "Reason": "BOUNCE"})  # fmt: skip
        stub.add_response("delete_suppressed_destination", {}, {"EmailAddress": "a@example.com"})
        stub.add_response(
            "list_suppressed_destinations",
            {"SuppressedDestinationSummaries": []},
            {"Reasons": ["BOUNCE", "COMPLAINT"], "PageSize": 100},
        )
        ses.suppression_list.add("a@example.com", "BOUNCE")
        ses.suppression_list.remove("a@example.com")
        assert list(ses.suppression_list.filter(reasons=["COMPLAINT", "BOUNCE"])) == []
        stub.assert_no_pending_responses()
