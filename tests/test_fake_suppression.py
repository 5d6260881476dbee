"""FakeSES suppression list: its operations, the sandbox, and what it does to sends."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest
from botocore.exceptions import ClientError

from conftest import needs_sesv2
from sesflow.testing import FakeClock, FakeSES, FakeSuppressedDestination, FakeSuppressedRecipient

if TYPE_CHECKING:
    from types_boto3_sesv2 import SESV2Client

WALL = 1_700_000_000.0
SENDER = "news@example.com"
SIMPLE: Any = {"Simple": {"Subject": {"Data": "Hi"}, "Body": {"Text": {"Data": "Hello"}}}}


class WallClock:
    def __init__(self) -> None:
        self.now = WALL

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def wall() -> WallClock:
    return WallClock()


@pytest.fixture
def fake(clock: FakeClock, wall: WallClock) -> FakeSES:
    fake = FakeSES(clock=clock, wall_clock=wall, seed=2, max_send_rate=1000)
    fake.verify("example.com")
    return fake


@pytest.fixture
def client(fake: FakeSES) -> SESV2Client:
    return fake.client()


def _at(seconds: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(seconds, dt.UTC)


def _refused(call: Callable[..., Any], **params: Any) -> tuple[str, int, str]:
    with pytest.raises(ClientError) as excinfo:
        call(**params)
    response = excinfo.value.response
    return (
        response["Error"]["Code"],
        response["ResponseMetadata"]["HTTPStatusCode"],
        response["Error"]["Message"],
    )


def _listed(client: SESV2Client, **params: Any) -> list[str]:
    page = client.list_suppressed_destinations(**params)
    return [item["EmailAddress"] for item in page["SuppressedDestinationSummaries"]]


def _send(client: SESV2Client, *to: str, **params: Any) -> str:
    return client.send_email(
        FromEmailAddress=SENDER, Destination={"ToAddresses": list(to)}, Content=SIMPLE, **params
    )["MessageId"]


# --- the list operations -------------------------------------------------------------------------


def test_put_then_get(client: SESV2Client) -> None:
    client.put_suppressed_destination(EmailAddress="gone@example.org", Reason="BOUNCE")
    got = client.get_suppressed_destination(EmailAddress="gone@example.org")
    assert got["SuppressedDestination"] == {
        "EmailAddress": "gone@example.org",
        "Reason": "BOUNCE",
        "LastUpdateTime": _at(WALL),
    }


def test_a_second_put_updates_reason_and_time_in_place(
    client: SESV2Client, wall: WallClock
) -> None:
    client.put_suppressed_destination(EmailAddress="a@example.org", Reason="BOUNCE")
    client.put_suppressed_destination(EmailAddress="b@example.org", Reason="BOUNCE")
    wall.now += 60
    client.put_suppressed_destination(EmailAddress="A@example.org", Reason="COMPLAINT")
    got = client.get_suppressed_destination(EmailAddress="a@example.org")["SuppressedDestination"]
    assert (got["EmailAddress"], got["Reason"], got["LastUpdateTime"]) == (
        "A@example.org",
        "COMPLAINT",
        _at(WALL + 60),
    )
    assert _listed(client) == ["A@example.org", "b@example.org"]


def test_missing_addresses_are_not_found(client: SESV2Client) -> None:
    for call in (client.get_suppressed_destination, client.delete_suppressed_destination):
        code, status, message = _refused(call, EmailAddress="nobody@example.org")
        assert (code, status) == ("NotFoundException", 404)
        assert "nobody@example.org" in message


def test_delete_takes_an_address_off_the_list(client: SESV2Client) -> None:
    client.put_suppressed_destination(EmailAddress="gone@example.org", Reason="BOUNCE")
    client.delete_suppressed_destination(EmailAddress="GONE@example.org")  # any case
    code, status, _ = _refused(client.get_suppressed_destination, EmailAddress="gone@example.org")
    assert (code, status) == ("NotFoundException", 404)
    assert _listed(client) == []


@pytest.mark.parametrize(
    ("address", "reason"), [("gone@example.org", "SPAM"), ("not-an-address", "BOUNCE")]
)
def test_bad_puts_are_refused(client: SESV2Client, address: str, reason: str) -> None:
    call: Any = client.put_suppressed_destination
    assert _refused(call, EmailAddress=address, Reason=reason)[:2] == ("BadRequestException", 400)
    assert _listed(client) == []


@needs_sesv2("PutSuppressedDestinationRequest.TenantName")
def test_tenants_are_not_found(client: SESV2Client) -> None:
    client.put_suppressed_destination(EmailAddress="gone@example.org", Reason="BOUNCE")
    calls: list[tuple[Callable[..., Any], dict[str, Any]]] = [
        (client.put_suppressed_destination, {"EmailAddress": "x@example.org", "Reason": "BOUNCE"}),
        (client.get_suppressed_destination, {"EmailAddress": "gone@example.org"}),
        (client.delete_suppressed_destination, {"EmailAddress": "gone@example.org"}),
        (client.list_suppressed_destinations, {}),
    ]
    for call, params in calls:
        assert _refused(call, TenantName="acme", **params)[:2] == ("NotFoundException", 404)
    assert _listed(client) == ["gone@example.org"]


# --- listing -------------------------------------------------------------------------------------


def test_list_pages_and_filters(client: SESV2Client, wall: WallClock) -> None:
    reasons: list[Any] = ["BOUNCE", "COMPLAINT", "BOUNCE", "BOUNCE", "COMPLAINT"]
    for i, reason in enumerate(reasons):
        wall.now = WALL + 100 * i
        client.put_suppressed_destination(EmailAddress=f"u{i}@example.org", Reason=reason)
    first = client.list_suppressed_destinations(PageSize=2)
    assert [s["EmailAddress"] for s in first["SuppressedDestinationSummaries"]] == [
        "u0@example.org",
        "u1@example.org",
    ]
    assert first["SuppressedDestinationSummaries"][1] == {
        "EmailAddress": "u1@example.org",
        "Reason": "COMPLAINT",
        "LastUpdateTime": _at(WALL + 100),
    }
    rest = _listed(client, PageSize=10, NextToken=first["NextToken"])
    assert rest == ["u2@example.org", "u3@example.org", "u4@example.org"]
    assert _listed(client, Reasons=["COMPLAINT"]) == ["u1@example.org", "u4@example.org"]
    assert _listed(client, StartDate=_at(WALL + 200)) == [
        "u2@example.org",
        "u3@example.org",
        "u4@example.org",
    ]
    assert _listed(client, EndDate=_at(WALL + 100)) == ["u0@example.org", "u1@example.org"]
    assert _listed(
        client, Reasons=["BOUNCE"], StartDate=_at(WALL + 100), EndDate=_at(WALL + 300)
    ) == ["u2@example.org", "u3@example.org"]


def test_bad_list_requests_are_refused(client: SESV2Client) -> None:
    call: Any = client.list_suppressed_destinations
    assert _refused(call, Reasons=["SPAM"])[:2] == ("BadRequestException", 400)
    assert _refused(call, StartDate=_at(WALL), EndDate=_at(WALL - 1))[:2] == (
        "BadRequestException",
        400,
    )
    assert _refused(call, NextToken="not-a-token")[:2] == ("InvalidNextTokenException", 400)
    # A token from another listing is not one of this listing's.
    for name in ("a", "b"):
        client.create_configuration_set(ConfigurationSetName=name)
    other = client.list_configuration_sets(PageSize=1)["NextToken"]
    assert _refused(call, NextToken=other)[:2] == ("InvalidNextTokenException", 400)


# --- the sandbox ---------------------------------------------------------------------------------


def test_the_sandbox_refuses_writes_but_not_reads_or_the_knob(clock: FakeClock) -> None:
    fake = FakeSES(clock=clock, sandbox=True)
    client = fake.client()
    code, status, message = _refused(
        client.put_suppressed_destination, EmailAddress="gone@example.org", Reason="BOUNCE"
    )
    assert (code, status) == ("BadRequestException", 400)
    assert "sandbox" in message
    fake.suppress("gone@example.org", "BOUNCE")  # as SES adds a hard bounce in the sandbox
    assert _listed(client) == ["gone@example.org"]
    assert client.get_suppressed_destination(EmailAddress="gone@example.org")
    assert _refused(client.delete_suppressed_destination, EmailAddress="gone@example.org")[:2] == (
        "BadRequestException",
        400,
    )
    fake.account.details = None
    client.put_account_details(
        MailType="MARKETING", WebsiteURL="https://example.com", ProductionAccessEnabled=True
    )
    fake.grant_production_access()
    client.delete_suppressed_destination(EmailAddress="gone@example.org")
    assert _listed(client) == []


# --- the knobs ----------------------------------------------------------------------------------


def test_suppress_reports_its_attributes(fake: FakeSES, client: SESV2Client) -> None:
    entry = fake.suppress("gone@example.org", "COMPLAINT", message_id="m-1", feedback_id="f-1")
    assert entry == FakeSuppressedDestination(
        "gone@example.org", "COMPLAINT", _at(WALL), "m-1", "f-1"
    )
    got = client.get_suppressed_destination(EmailAddress="gone@example.org")
    assert got["SuppressedDestination"]["Attributes"] == {"MessageId": "m-1", "FeedbackId": "f-1"}
    assert fake.suppressed_destinations() == [entry]
    assert repr(entry) == (
        "FakeSuppressedDestination('gone@example.org', COMPLAINT, "
        "last_update_time=2023-11-14T22:13:20+00:00)"
    )
    assert "suppression_list=1" in repr(fake)


@pytest.mark.parametrize(("address", "reason"), [("x@example.org", "SPAM"), ("nope", "BOUNCE")])
def test_suppress_refuses_bad_input(fake: FakeSES, address: str, reason: str) -> None:
    with pytest.raises(ValueError, match=r"BOUNCE or COMPLAINT|not an email address"):
        fake.suppress(address, reason)
    assert fake.suppressed_destinations() == []


# --- sends ------------------------------------------------------------------------------------


def test_a_send_is_accepted_but_not_delivered_to_a_suppressed_recipient(
    fake: FakeSES, client: SESV2Client, clock: FakeClock
) -> None:
    client.put_suppressed_destination(EmailAddress="gone@example.org", Reason="BOUNCE")
    clock.advance(5)
    message_id = _send(client, "Gone <GONE@Example.org>", "ok@example.org")
    assert fake.deliveries("ok@example.org") == 1
    assert fake.deliveries("gone@example.org") == 0
    assert "GONE@example.org" not in fake.delivery_counts()
    assert fake.suppressed_recipients == [
        FakeSuppressedRecipient(message_id, "SendEmail", "GONE@example.org", "BOUNCE", None, 5.0)
    ]
    # Accepted whole: in the outbox, and counted against the daily quota as SES counts it.
    assert fake.outbox[-1].message_id == message_id
    assert client.get_account()["SendQuota"]["SentLast24Hours"] == 2.0


def test_a_bulk_entry_to_a_suppressed_recipient_still_succeeds(
    fake: FakeSES, client: SESV2Client
) -> None:
    fake.suppress("gone@example.org", "COMPLAINT")
    answer = client.send_bulk_email(
        FromEmailAddress=SENDER,
        DefaultContent={"Template": {"TemplateContent": {"Subject": "Hi", "Text": "Hello"}}},
        BulkEmailEntries=[
            {"Destination": {"ToAddresses": ["gone@example.org"]}},
            {"Destination": {"ToAddresses": ["ok@example.org"]}},
        ],
    )
    results = answer["BulkEmailEntryResults"]
    assert [r["Status"] for r in results] == ["SUCCESS", "SUCCESS"]
    assert [r.operation for r in fake.suppressed_recipients] == ["SendBulkEmail"]
    assert fake.suppressed_recipients[0].message_id == results[0]["MessageId"]
    assert fake.delivery_counts() == {"ok@example.org": 1}


def test_only_the_accounts_reasons_suppress(fake: FakeSES, client: SESV2Client) -> None:
    fake.suppress("bounced@example.org", "BOUNCE")
    fake.suppress("complained@example.org", "COMPLAINT")
    client.put_account_suppression_attributes(SuppressedReasons=["BOUNCE"])
    _send(client, "bounced@example.org", "complained@example.org")
    assert fake.delivery_counts() == {"complained@example.org": 1}
    client.put_account_suppression_attributes(SuppressedReasons=[])
    _send(client, "bounced@example.org")
    assert fake.deliveries("bounced@example.org") == 1


def test_a_configuration_sets_reasons_override_the_accounts(
    fake: FakeSES, client: SESV2Client
) -> None:
    fake.suppress("bounced@example.org", "BOUNCE")
    fake.suppress("complained@example.org", "COMPLAINT")
    client.create_configuration_set(
        ConfigurationSetName="none", SuppressionOptions={"SuppressedReasons": []}
    )
    client.create_configuration_set(
        ConfigurationSetName="complaints", SuppressionOptions={"SuppressedReasons": ["COMPLAINT"]}
    )
    client.create_configuration_set(ConfigurationSetName="inherits")
    both = ("bounced@example.org", "complained@example.org")
    _send(client, *both, ConfigurationSetName="none")
    assert fake.delivery_counts() == dict.fromkeys(both, 1)
    fake.clear_outbox()
    _send(client, *both, ConfigurationSetName="complaints")
    assert fake.delivery_counts() == {"bounced@example.org": 1}
    fake.clear_outbox()
    client.put_account_suppression_attributes(SuppressedReasons=["COMPLAINT"])
    _send(client, *both, ConfigurationSetName="inherits")
    assert fake.delivery_counts() == {"bounced@example.org": 1}
    assert [r.configuration_set for r in fake.suppressed_recipients] == [
        "complaints",
        "inherits",
    ]


def test_an_identitys_default_set_decides_too(fake: FakeSES, client: SESV2Client) -> None:
    fake.suppress("gone@example.org", "BOUNCE")
    client.create_configuration_set(
        ConfigurationSetName="none", SuppressionOptions={"SuppressedReasons": []}
    )
    client.put_email_identity_configuration_set_attributes(
        EmailIdentity="example.com", ConfigurationSetName="none"
    )
    _send(client, "gone@example.org")
    assert fake.deliveries("gone@example.org") == 1
    assert fake.suppressed_recipients == []


def test_earlier_deliveries_are_kept_and_removal_restores_delivery(
    fake: FakeSES, client: SESV2Client
) -> None:
    _send(client, "later@example.org")
    fake.suppress("later@example.org", "BOUNCE")
    _send(client, "later@example.org", "later@example.org")
    assert fake.deliveries("later@example.org") == 1
    assert len(fake.suppressed_recipients) == 2
    client.delete_suppressed_destination(EmailAddress="later@example.org")
    _send(client, "later@example.org")
    assert fake.deliveries("later@example.org") == 2


def test_a_rendering_failure_withholds_nothing_more(fake: FakeSES, client: SESV2Client) -> None:
    fake.suppress("gone@example.org", "BOUNCE")
    client.send_email(
        FromEmailAddress=SENDER,
        Destination={"ToAddresses": ["gone@example.org"]},
        Content={"Template": {"TemplateContent": {"Subject": "Hi {{name}}", "Text": "x"}}},
    )
    assert fake.outbox[-1].rendering_error is not None
    assert fake.suppressed_recipients == []
    assert fake.delivery_counts() == {}


def test_suppression_works_without_kept_messages(clock: FakeClock) -> None:
    fake = FakeSES(clock=clock, keep_messages=False)
    fake.verify("example.com")
    fake.suppress("gone@example.org", "BOUNCE")
    _send(fake.client(), "gone@example.org", "ok@example.org")
    assert fake.delivery_counts() == {"ok@example.org": 1}
    assert [r.address for r in fake.suppressed_recipients] == ["gone@example.org"]


def test_reset_empties_the_list_and_the_record(fake: FakeSES, client: SESV2Client) -> None:
    fake.suppress("gone@example.org", "BOUNCE")
    _send(client, "gone@example.org")
    fake.reset()
    assert fake.suppressed_destinations() == []
    assert fake.suppressed_recipients == []
    assert _listed(fake.client()) == []
