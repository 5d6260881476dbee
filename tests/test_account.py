"""The account: sandbox, quota, production-access requests and their review."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

import sesflow
from sesflow.testing import FakeClock, FakeSES


@pytest.fixture
def sandbox(clock: FakeClock) -> tuple[FakeSES, sesflow.SES]:
    fake = FakeSES(clock=clock, sandbox=True)
    return fake, sesflow.SES(client=fake.client(), sleep=clock.sleep, clock=clock)


def test_request_then_granted_leaves_the_sandbox(sandbox: tuple[FakeSES, sesflow.SES]) -> None:
    fake, ses = sandbox
    before = ses.account()
    assert before.in_sandbox
    assert before.quota.max_send_rate == 1
    assert before.quota.max_24_hour_send == 200
    assert before.review is None
    after = before.request_production_access(
        sesflow.MailType.MARKETING,
        "https://example.com",
        use_case_description="A monthly newsletter to customers who opted in.",
        additional_contacts=["ops@example.com"],
        contact_language="JA",
    )
    assert after.review is not None
    assert after.review.status is sesflow.ReviewStatus.PENDING
    assert after.review.case_id
    assert after.in_sandbox
    fake.grant_production_access()
    granted = ses.account()
    assert granted.review is not None
    assert granted.review.status is sesflow.ReviewStatus.GRANTED
    assert not granted.in_sandbox
    assert granted.quota.max_24_hour_send > before.quota.max_24_hour_send
    assert granted.quota.max_send_rate > before.quota.max_send_rate


def test_a_second_request_while_one_is_open_is_a_clear_conflict(
    sandbox: tuple[FakeSES, sesflow.SES],
) -> None:
    _, ses = sandbox
    account = ses.account().request_production_access("TRANSACTIONAL", "http://example.com/app")
    assert account.review is not None
    case = account.review.case_id
    with pytest.raises(sesflow.ConflictError) as caught:
        account.request_production_access("TRANSACTIONAL", "http://example.com/app")
    assert "already open" in str(caught.value)
    assert str(case) in str(caught.value)
    assert caught.value.code == "ConflictException"


def test_a_denied_review_stays_in_the_sandbox(sandbox: tuple[FakeSES, sesflow.SES]) -> None:
    fake, ses = sandbox
    ses.account().request_production_access("MARKETING", "https://example.com")
    fake.deny_production_access()
    account = ses.account()
    assert account.in_sandbox
    assert account.review is not None
    assert account.review.status is sesflow.ReviewStatus.DENIED


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"mail_type": "NEWSLETTER"}, "mail_type"),
        ({"website_url": "example.com"}, "website_url"),
        ({"website_url": "ftp://example.com"}, "website_url"),
        ({"website_url": "https://"}, "website_url"),
        ({"additional_contacts": ["a@x.com"] * 5}, "additional_contacts"),
        ({"additional_contacts": ["ok@x.com", "nope"]}, "additional_contacts[1]"),
        ({"contact_language": "FR"}, "contact_language"),
    ],
)
def test_bad_requests_are_refused_before_any_call(
    sandbox: tuple[FakeSES, sesflow.SES], kwargs: dict[str, Any], field: str
) -> None:
    fake, ses = sandbox
    account = ses.account()
    calls = len(fake.calls)
    arguments: dict[str, Any] = {"mail_type": "MARKETING", "website_url": "https://example.com"}
    arguments.update(kwargs)
    with pytest.raises(sesflow.ValidationError) as caught:
        account.request_production_access(**arguments)
    assert caught.value.field == field
    assert len(fake.calls) == calls


@pytest.fixture
def stubbed() -> Iterator[tuple[sesflow.SES, Stubber]]:
    client = boto3.client("sesv2", region_name="us-east-1")
    with Stubber(client) as stub:
        yield sesflow.SES(client=client), stub
        stub.assert_no_pending_responses()


def test_request_is_exact(stubbed: tuple[sesflow.SES, Stubber]) -> None:
    ses, stub = stubbed
    account = {"SendQuota": {"Max24HourSend": 200, "MaxSendRate": 1, "SentLast24Hours": 0},
               "ProductionAccessEnabled": False}  # fmt: skip
    stub.add_response("get_account", account, {})
    stub.add_response(
        "put_account_details",
        {},
        {
            "MailType": "MARKETING",
            "WebsiteURL": "https://example.com",
            "ContactLanguage": "EN",
            "ProductionAccessEnabled": True,
            "UseCaseDescription": "Newsletters",
            "AdditionalContactEmailAddresses": ["ops@example.com", "cto@example.com"],
        },
    )
    stub.add_response("get_account", account, {})
    ses.account().request_production_access(
        "MARKETING",
        "https://example.com",
        use_case_description="Newsletters",
        additional_contacts=["ops@example.com", "cto@example.com"],
    )
