"""FakeSES production access: PutAccountDetails, the review and its outcomes, account Puts."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest
from botocore.exceptions import ClientError

from conftest import needs_sesv2
from sesflow.testing import FakeAccountDetails, FakeClock, FakeSES

if TYPE_CHECKING:
    from types_boto3_sesv2 import SESV2Client

SIMPLE: Any = {"Simple": {"Subject": {"Data": "Hi"}, "Body": {"Text": {"Data": "Hello"}}}}
REQUEST: Any = {
    "MailType": "MARKETING",
    "WebsiteURL": "https://example.com",
    "ProductionAccessEnabled": True,
}


@pytest.fixture
def fake(clock: FakeClock) -> FakeSES:
    fake = FakeSES(clock=clock, sandbox=True, seed=9)
    fake.verify("example.com")
    return fake


@pytest.fixture
def client(fake: FakeSES) -> SESV2Client:
    return fake.client()


def _refused(call: Callable[..., Any], **params: Any) -> tuple[str, int]:
    with pytest.raises(ClientError) as excinfo:
        call(**params)
    response = excinfo.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]


def _review(client: SESV2Client) -> Any:
    return client.get_account()["Details"]["ReviewDetails"]


def _status(client: SESV2Client) -> str:
    return str(_review(client)["Status"])


def _send(client: SESV2Client, to: str = "stranger@example.org") -> str:
    return client.send_email(
        FromEmailAddress="news@example.com",
        Destination={"ToAddresses": [to]},
        Content=SIMPLE,
    )["MessageId"]


# --- PutAccountDetails -----------------------------------------------------------------------


def test_a_request_from_the_sandbox_is_pending_with_a_case(client: SESV2Client) -> None:
    client.put_account_details(
        **REQUEST,
        ContactLanguage="JA",
        UseCaseDescription="Receipts for orders.",
        AdditionalContactEmailAddresses=["ops@example.com", "cto@example.com"],
    )
    account = client.get_account()
    details = account["Details"]
    assert details["ReviewDetails"]["Status"] == "PENDING"
    assert details["ReviewDetails"]["CaseId"].isdigit()
    assert {key: value for key, value in details.items() if key != "ReviewDetails"} == {
        "MailType": "MARKETING",
        "WebsiteURL": "https://example.com",
        "ContactLanguage": "JA",
        "UseCaseDescription": "Receipts for orders.",
        "AdditionalContactEmailAddresses": ["ops@example.com", "cto@example.com"],
    }
    assert account["ProductionAccessEnabled"] is False
    assert account["SendQuota"]["MaxSendRate"] == 1.0


def test_any_request_while_a_review_is_pending_is_a_409_conflict(
    fake: FakeSES, client: SESV2Client
) -> None:
    client.put_account_details(**REQUEST)
    case = _review(client)["CaseId"]
    with pytest.raises(ClientError) as excinfo:
        client.put_account_details(MailType="TRANSACTIONAL", WebsiteURL="https://other.example")
    response = excinfo.value.response
    assert (response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]) == (
        "ConflictException",
        409,
    )
    assert case in response["Error"]["Message"]
    # Nothing changed.
    assert client.get_account()["Details"]["MailType"] == "MARKETING"
    assert fake.account.details is not None
    assert fake.account.details.review_case_id == case


def test_details_without_production_access_open_no_review(client: SESV2Client) -> None:
    client.put_account_details(MailType="TRANSACTIONAL", WebsiteURL="https://example.com")
    details = client.get_account()["Details"]
    assert details["MailType"] == "TRANSACTIONAL"
    assert details["ContactLanguage"] == "EN"
    assert "ReviewDetails" not in details
    client.put_account_details(MailType="MARKETING", WebsiteURL="https://example.com")


def test_an_account_with_production_access_opens_no_review() -> None:
    client = FakeSES().client()
    client.put_account_details(**REQUEST)
    account = client.get_account()
    assert "ReviewDetails" not in account["Details"]
    assert account["ProductionAccessEnabled"] is True


_BAD_DETAILS: dict[str, dict[str, Any]] = {
    "mail type": {"MailType": "NEWSLETTER"},
    "language": {"ContactLanguage": "FR"},
    "long url": {"WebsiteURL": "https://example.com/" + "x" * 1000},
    "long use case": {"UseCaseDescription": "x" * 5001},
    "five contacts": {"AdditionalContactEmailAddresses": [f"c{i}@example.com" for i in range(5)]},
    "not an address": {"AdditionalContactEmailAddresses": ["ok@example.com", "nobody"]},
}


@pytest.mark.parametrize("change", _BAD_DETAILS.values(), ids=list(_BAD_DETAILS))
def test_bad_details_are_refused(client: SESV2Client, change: dict[str, Any]) -> None:
    assert _refused(client.put_account_details, **{**REQUEST, **change}) == (
        "BadRequestException",
        400,
    )
    assert "Details" not in client.get_account()


# --- outcomes ----------------------------------------------------------------------------------


def test_granted_leaves_the_sandbox_with_a_production_quota(
    fake: FakeSES, client: SESV2Client
) -> None:
    assert _refused(_send, client=client) == ("MessageRejected", 400)
    client.put_account_details(**REQUEST)
    case = _review(client)["CaseId"]
    fake.grant_production_access()
    account = client.get_account()
    assert account["Details"]["ReviewDetails"] == {"Status": "GRANTED", "CaseId": case}
    assert account["ProductionAccessEnabled"] is True
    assert account["SendQuota"]["MaxSendRate"] == 14.0
    assert account["SendQuota"]["Max24HourSend"] == 50_000.0
    assert not fake.account.in_sandbox
    assert _send(client)  # unverified recipients are fine now


def test_a_grant_can_carry_its_own_quota(fake: FakeSES, client: SESV2Client) -> None:
    client.put_account_details(**REQUEST)
    fake.grant_production_access(max_send_rate=200, max_24_hour_send=-1)
    quota = client.get_account()["SendQuota"]
    assert (quota["MaxSendRate"], quota["Max24HourSend"]) == (200.0, -1.0)


def test_denied_stays_in_the_sandbox_and_may_ask_again(fake: FakeSES, client: SESV2Client) -> None:
    client.put_account_details(**REQUEST)
    first = _review(client)["CaseId"]
    fake.deny_production_access()
    account = client.get_account()
    assert account["Details"]["ReviewDetails"] == {"Status": "DENIED", "CaseId": first}
    assert account["ProductionAccessEnabled"] is False
    assert account["SendQuota"]["MaxSendRate"] == 1.0
    assert _refused(_send, client=client) == ("MessageRejected", 400)
    client.put_account_details(**{**REQUEST, "WebsiteURL": "https://better.example"})
    again = _review(client)
    assert again["Status"] == "PENDING"
    assert again["CaseId"] != first


def test_knobs_need_a_request_on_file(fake: FakeSES) -> None:
    for knob in (fake.grant_production_access, fake.deny_production_access):
        with pytest.raises(ValueError, match="no production-access request"):
            knob()
    assert fake.account.in_sandbox


def test_a_request_set_by_hand_can_be_decided(fake: FakeSES, client: SESV2Client) -> None:
    fake.account.details = FakeAccountDetails(
        mail_type="TRANSACTIONAL", website_url="https://example.com", review_status="PENDING"
    )
    fake.grant_production_access()
    assert _status(client) == "GRANTED"


# --- scripted reviews ------------------------------------------------------------------------


def test_a_review_decided_after_polls(fake: FakeSES, client: SESV2Client) -> None:
    client.put_account_details(**REQUEST)
    fake.review_transition("GRANTED", after_polls=2)
    assert [_status(client) for _ in range(3)] == ["PENDING", "PENDING", "GRANTED"]
    assert client.get_account()["ProductionAccessEnabled"] is True


def test_steps_chain_and_a_new_request_restarts_the_countdown(
    fake: FakeSES, client: SESV2Client
) -> None:
    fake.review_transition("DENIED", after_polls=1)
    fake.review_transition("GRANTED", after_polls=2)
    # Queued before any request: these polls do not count.
    assert "Details" not in client.get_account()
    assert "Details" not in client.get_account()
    client.put_account_details(**REQUEST)
    assert [_status(client) for _ in range(2)] == ["PENDING", "DENIED"]
    client.put_account_details(**REQUEST)  # asks again after the denial
    assert [_status(client) for _ in range(3)] == ["PENDING", "PENDING", "GRANTED"]


def test_a_timed_review_applies_to_sends_without_a_poll(
    fake: FakeSES, client: SESV2Client, clock: FakeClock
) -> None:
    client.put_account_details(**REQUEST)
    fake.review_transition("GRANTED", after_seconds=3600)
    clock.advance(3599)
    assert _refused(_send, client=client) == ("MessageRejected", 400)
    polls = fake.call_count("GetAccount")
    clock.advance(1)
    assert _send(client)
    assert fake.call_count("GetAccount") == polls
    assert fake.account.max_send_rate == 14


def test_failed_leaves_the_sandbox_closed_but_allows_a_new_request(
    fake: FakeSES, client: SESV2Client
) -> None:
    client.put_account_details(**REQUEST)
    fake.review_transition("FAILED")
    assert _status(client) == "FAILED"
    assert client.get_account()["ProductionAccessEnabled"] is False
    client.put_account_details(**REQUEST)
    assert _status(client) == "PENDING"


@pytest.mark.parametrize(
    "kwargs",
    [
        {"to": "APPROVED"},
        {"to": "GRANTED", "after_polls": 1, "after_seconds": 1.0},
        {"to": "GRANTED", "after_polls": -1},
        {"to": "GRANTED", "after_polls": True},
        {"to": "GRANTED", "after_seconds": float("nan")},
        {"to": "GRANTED", "max_send_rate": -1},
    ],
)
def test_bad_review_transitions_are_refused(fake: FakeSES, kwargs: dict[str, Any]) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - the knobs raise plain ValueError
        fake.review_transition(**kwargs)


def test_case_ids_repeat_with_the_seed_and_reset_forgets_the_review(clock: FakeClock) -> None:
    cases = []
    for _ in range(2):
        client = FakeSES(clock=clock, sandbox=True, seed=4).client()
        client.put_account_details(**REQUEST)
        cases.append(_review(client)["CaseId"])
    assert cases[0] == cases[1]
    fake = FakeSES(clock=clock, sandbox=True, seed=4)
    fake.client().put_account_details(**REQUEST)
    fake.review_transition("GRANTED", after_polls=5)
    fake.reset()
    assert fake.account.details is None
    client = fake.client()
    client.put_account_details(**REQUEST)
    assert _status(client) == "PENDING"  # the queued step went with the reset
    assert _review(client)["CaseId"] == cases[0]


# --- other account Puts ----------------------------------------------------------------------


def test_sending_attributes_pause_and_resume_the_account(client: SESV2Client) -> None:
    client.put_account_sending_attributes(SendingEnabled=False)
    assert client.get_account()["SendingEnabled"] is False
    assert _refused(_send, client=client, to="success@simulator.amazonses.com") == (
        "SendingPausedException",
        400,
    )
    client.put_account_sending_attributes(SendingEnabled=True)
    assert _send(client, "success@simulator.amazonses.com")
    client.put_account_sending_attributes()  # left out means false
    assert client.get_account()["SendingEnabled"] is False


@needs_sesv2("PutAccountSuppressionAttributesRequest.ValidationAttributes")
def test_suppression_attributes(client: SESV2Client) -> None:
    client.put_account_suppression_attributes(SuppressedReasons=["COMPLAINT", "COMPLAINT"])
    assert client.get_account()["SuppressionAttributes"] == {"SuppressedReasons": ["COMPLAINT"]}
    validation: Any = {"ConditionThreshold": {"ConditionThresholdEnabled": "DISABLED"}}
    client.put_account_suppression_attributes(ValidationAttributes=validation)
    assert client.get_account()["SuppressionAttributes"] == {
        "SuppressedReasons": [],
        "ValidationAttributes": validation,
    }
    call: Any = client.put_account_suppression_attributes
    assert _refused(call, SuppressedReasons=["SPAM"]) == ("BadRequestException", 400)
    bad: Any = {"ConditionThreshold": {"ConditionThresholdEnabled": "ON"}}
    assert _refused(call, ValidationAttributes=bad) == ("BadRequestException", 400)


def test_dedicated_ip_warmup_attributes(client: SESV2Client) -> None:
    client.put_account_dedicated_ip_warmup_attributes(AutoWarmupEnabled=True)
    assert client.get_account()["DedicatedIpAutoWarmupEnabled"] is True
