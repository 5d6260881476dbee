"""FakeSES's account: GetAccount, sandbox and quota options, SentLast24Hours bookkeeping."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from botocore.exceptions import ClientError

from sesflow.testing import FakeAccount, FakeAccountDetails, FakeClock, FakeSES

if TYPE_CHECKING:
    from types_boto3_sesv2 import SESV2Client

DAY = 24 * 60 * 60


class WallClock:
    """Epoch seconds that a test moves by hand."""

    def __init__(self, start: float = 1_700_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now


def _quota(client: SESV2Client) -> Any:
    return client.get_account()["SendQuota"]


def _send(client: SESV2Client, *to: str) -> dict[str, Any]:
    return dict(
        client.send_email(
            FromEmailAddress="news@example.com",
            Destination={"ToAddresses": list(to)},
            Content={"Simple": {"Subject": {"Data": "Hi"}, "Body": {"Text": {"Data": "Hello"}}}},
        )
    )


def test_a_production_account_by_default() -> None:
    account = FakeSES().client().get_account()
    assert account["SendQuota"] == {
        "Max24HourSend": 50_000.0,
        "MaxSendRate": 14.0,
        "SentLast24Hours": 0.0,
    }
    assert account["ProductionAccessEnabled"] is True
    assert account["SendingEnabled"] is True
    assert account["EnforcementStatus"] == "HEALTHY"
    assert account["DedicatedIpAutoWarmupEnabled"] is False
    assert account["SuppressionAttributes"] == {"SuppressedReasons": ["BOUNCE", "COMPLAINT"]}
    assert "Details" not in account


def test_a_sandbox_account_has_sandbox_quotas() -> None:
    fake = FakeSES(sandbox=True)
    account = fake.client().get_account()
    assert account["ProductionAccessEnabled"] is False
    assert account["SendQuota"]["MaxSendRate"] == 1.0
    assert account["SendQuota"]["Max24HourSend"] == 200.0
    assert fake.account.in_sandbox


def test_explicit_quotas_win_over_the_sandbox_defaults() -> None:
    fake = FakeSES(sandbox=True, max_send_rate=5, max_24_hour_send=1000)
    assert _quota(fake.client())["MaxSendRate"] == 5.0
    assert _quota(fake.client())["Max24HourSend"] == 1000.0
    assert fake.account.in_sandbox


def test_an_unlimited_daily_quota_reads_minus_one() -> None:
    fake = FakeSES(max_24_hour_send=-1)
    assert fake.account.unlimited_daily_quota
    assert _quota(fake.client())["Max24HourSend"] == -1.0


def test_edits_to_the_account_show_in_the_next_answer() -> None:
    fake = FakeSES()
    client = fake.client()
    fake.account.sending_enabled = False
    fake.account.enforcement_status = "PROBATION"
    fake.account.max_send_rate = 200
    fake.account.production_access_enabled = False
    fake.account.suppressed_reasons = ["BOUNCE"]
    account = client.get_account()
    assert account["SendingEnabled"] is False
    assert account["EnforcementStatus"] == "PROBATION"
    assert account["SendQuota"]["MaxSendRate"] == 200.0
    assert account["ProductionAccessEnabled"] is False
    assert account["SuppressionAttributes"]["SuppressedReasons"] == ["BOUNCE"]


def test_details_and_review_are_reported_when_set() -> None:
    fake = FakeSES()
    fake.account.details = FakeAccountDetails(
        mail_type="TRANSACTIONAL",
        website_url="https://example.com",
        use_case_description="Receipts",
        additional_contact_email_addresses=["ops@example.com"],
        review_status="PENDING",
        review_case_id="case-1",
    )
    details = fake.client().get_account()["Details"]
    assert details == {
        "MailType": "TRANSACTIONAL",
        "WebsiteURL": "https://example.com",
        "ContactLanguage": "EN",
        "UseCaseDescription": "Receipts",
        "AdditionalContactEmailAddresses": ["ops@example.com"],
        "ReviewDetails": {"Status": "PENDING", "CaseId": "case-1"},
    }


def test_details_without_a_review_have_no_review_details() -> None:
    details = FakeAccountDetails(mail_type="MARKETING", website_url="https://a.example")
    assert "ReviewDetails" not in details.to_response()
    assert "AdditionalContactEmailAddresses" not in {
        key for key, value in details.to_response().items() if value is not None
    }


def test_sent_last_24_hours_counts_recipients_not_messages() -> None:
    fake = FakeSES(clock=FakeClock(), wall_clock=WallClock())
    fake.verify("example.com")
    client = fake.client()
    _send(client, "a@example.org", "b@example.org", "c@example.org")
    _send(client, "d@example.org")
    assert _quota(client)["SentLast24Hours"] == 4.0
    assert fake.sent_last_24_hours() == 4.0


def test_mailbox_simulator_recipients_do_not_count_against_the_daily_quota() -> None:
    fake = FakeSES(clock=FakeClock(), wall_clock=WallClock())
    fake.verify("example.com")
    client = fake.client()
    _send(client, "success@simulator.amazonses.com", "bounce+x@simulator.amazonses.com")
    _send(client, "real@example.org")
    assert _quota(client)["SentLast24Hours"] == 1.0


def test_sends_leave_the_24_hour_window_by_the_wall_clock() -> None:
    wall = WallClock()
    fake = FakeSES(clock=FakeClock(), wall_clock=wall)
    fake.verify("example.com")
    client = fake.client()
    _send(client, "a@example.org", "b@example.org")
    wall.now += DAY / 2
    _send(client, "c@example.org")
    assert _quota(client)["SentLast24Hours"] == 3.0
    wall.now += DAY / 2
    assert _quota(client)["SentLast24Hours"] == 1.0  # the first send is exactly a day old
    wall.now += DAY / 2
    assert _quota(client)["SentLast24Hours"] == 0.0


def test_a_send_leaves_the_window_up_to_a_second_late_never_early() -> None:
    wall = WallClock(1_700_000_000.25)
    fake = FakeSES(clock=FakeClock(), wall_clock=wall)
    fake.verify("example.com")
    client = fake.client()
    _send(client, "a@example.org")
    wall.now += DAY
    assert _quota(client)["SentLast24Hours"] == 1.0
    wall.now = 1_700_000_001.0 + DAY
    assert _quota(client)["SentLast24Hours"] == 0.0


def test_the_sent_offset_starts_a_test_near_the_quota() -> None:
    fake = FakeSES(clock=FakeClock(), max_24_hour_send=100)
    fake.verify("example.com")
    fake.account.sent_offset = 99
    client = fake.client()
    assert _quota(client)["SentLast24Hours"] == 99.0
    _send(client, "a@example.org")
    with pytest.raises(ClientError) as caught:
        _send(client, "b@example.org")
    assert caught.value.response["Error"]["Code"] == "LimitExceededException"
    assert _quota(client)["SentLast24Hours"] == 100.0


def test_reset_rebuilds_the_account_from_the_constructor_options() -> None:
    fake = FakeSES(sandbox=True, max_send_rate=3)
    fake.account.max_send_rate = 99
    fake.account.suspended = True
    fake.reset()
    assert fake.account.max_send_rate == 3
    assert fake.account.max_24_hour_send == 200
    assert not fake.account.suspended
    assert fake.account.in_sandbox


def test_throttle_entries_can_be_set_at_construction() -> None:
    assert FakeSES(throttle_entries=True).account.throttle_entries
    assert not FakeSES().account.throttle_entries


@pytest.mark.parametrize(
    "options",
    [
        {"max_send_rate": -1},
        {"max_send_rate": float("nan")},
        {"max_24_hour_send": float("inf")},
    ],
)
def test_bad_quota_options_are_refused(options: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="max_"):
        FakeSES(**options)


def test_the_account_can_be_replaced_only_by_a_fake_account() -> None:
    fake = FakeSES()
    fake.account = FakeAccount(max_send_rate=2)
    assert _quota(fake.client())["MaxSendRate"] == 2.0
    with pytest.raises(TypeError):
        fake.account = {"max_send_rate": 2}  # type: ignore[assignment]


def test_the_repr_shows_the_account() -> None:
    text = repr(FakeSES(sandbox=True))
    assert "sandbox=True" in text
    assert "max_send_rate=1" in text
    assert "max_24_hour_send=200" in text
