"""FakeSES sending: SendEmail and SendBulkEmail, SES's rules, rate and quota, the outbox."""

from __future__ import annotations

import json
import re
from collections import Counter
from email.message import EmailMessage
from typing import TYPE_CHECKING, Any

import pytest
from botocore.exceptions import ClientError

from sesflow.testing import FakeAttachment, FakeClock, FakeSES

if TYPE_CHECKING:
    from types_boto3_sesv2 import SESV2Client

WALL = 1_700_000_000.0
SENDER = "news@example.com"
MESSAGE_ID = re.compile(
    r"0100[0-9a-f]{12}-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}-000000\Z"
)
SIMPLE: Any = {"Simple": {"Subject": {"Data": "Hi"}, "Body": {"Text": {"Data": "Hello"}}}}


class WallClock:
    def __init__(self, start: float = WALL) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def wall() -> WallClock:
    return WallClock()


@pytest.fixture
def fake(clock: FakeClock, wall: WallClock) -> FakeSES:
    fake = FakeSES(clock=clock, wall_clock=wall, seed=5, max_send_rate=1000)
    fake.verify("example.com")
    return fake


@pytest.fixture
def client(fake: FakeSES) -> SESV2Client:
    return fake.client()


def _error(excinfo: pytest.ExceptionInfo[ClientError]) -> tuple[str, int, str]:
    response = excinfo.value.response
    return (
        response["Error"]["Code"],
        response["ResponseMetadata"]["HTTPStatusCode"],
        response["Error"]["Message"],
    )


def _send(client: SESV2Client, *to: str, **params: Any) -> str:
    params.setdefault("FromEmailAddress", SENDER)
    params.setdefault("Content", SIMPLE)
    if to:
        params.setdefault("Destination", {"ToAddresses": list(to)})
    return client.send_email(**params)["MessageId"]


def _refused(client: SESV2Client, *to: str, **params: Any) -> tuple[str, int, str]:
    with pytest.raises(ClientError) as caught:
        _send(client, *to, **params)
    return _error(caught)


def _bulk(
    client: SESV2Client,
    entries: list[dict[str, Any]] | int,
    *,
    template: dict[str, Any] | None = None,
    **params: Any,
) -> list[dict[str, Any]]:
    if isinstance(entries, int):
        entries = [{"Destination": {"ToAddresses": [f"u{i}@example.org"]}} for i in range(entries)]
    params.setdefault("FromEmailAddress", SENDER)
    default = template or {"TemplateContent": {"Subject": "Hi", "Text": "Hello"}}
    request: dict[str, Any] = {
        **params,
        "DefaultContent": {"Template": default},
        "BulkEmailEntries": entries,
    }
    answer = client.send_bulk_email(**request)
    return [dict(result) for result in answer["BulkEmailEntryResults"]]


def _statuses(results: list[dict[str, Any]]) -> list[str]:
    return [result["Status"] for result in results]


def _sent(fake: FakeSES) -> list[tuple[str, tuple[str, ...], str | None]]:
    """The outbox as (sender, recipients, subject), in sending order."""
    return [(m.from_address, m.recipients, m.subject) for m in fake.outbox]


# --- SendEmail: Simple -----------------------------------------------------------------------


def test_a_simple_message_lands_in_the_outbox(fake: FakeSES, client: SESV2Client) -> None:
    message_id = client.send_email(
        FromEmailAddress="News <news@example.com>",
        Destination={
            "ToAddresses": ["Bob <bob@example.org>"],
            "CcAddresses": ["carol@example.org"],
            "BccAddresses": ["dan@example.org"],
        },
        ReplyToAddresses=["help@example.com"],
        Content={
            "Simple": {
                "Subject": {"Data": "Hi"},
                "Body": {"Text": {"Data": "Hello"}, "Html": {"Data": "<p>Hello</p>"}},
                "Headers": [{"Name": "X-Campaign", "Value": "spring"}],
                "Attachments": [
                    {"FileName": "a.txt", "RawContent": b"hello", "ContentType": "text/plain"}
                ],
            }
        },
        EmailTags=[{"Name": "campaign", "Value": "spring"}],
    )["MessageId"]
    assert MESSAGE_ID.match(message_id)
    [message] = fake.outbox
    assert message.message_id == message_id
    assert message.operation == "SendEmail"
    assert message.from_address == "News <news@example.com>"
    assert message.to == ("Bob <bob@example.org>",)
    assert message.cc == ("carol@example.org",)
    assert message.bcc == ("dan@example.org",)
    assert message.recipients == message.to + message.cc + message.bcc
    assert (message.subject, message.text, message.html) == ("Hi", "Hello", "<p>Hello</p>")
    assert message.headers == (("X-Campaign", "spring"),)
    assert message.tags == {"campaign": "spring"}
    assert message.reply_to == ("help@example.com",)
    assert message.attachments == (FakeAttachment("a.txt", b"hello", "text/plain"),)
    assert message.raw is None
    assert message.template_name is None
    assert message.delivered
    assert message.arrived == 0.0
    assert message.wall_time == WALL
    assert "bob@example.org" in repr(message)


def test_the_message_id_carries_the_send_time(wall: WallClock, client: SESV2Client) -> None:
    message_id = _send(client, "a@example.org")
    assert int(message_id[4:16], 16) == int(WALL * 1000)


def test_message_ids_are_unique_and_repeat_with_the_seed(clock: FakeClock) -> None:
    def ids() -> list[str]:
        fake = FakeSES(clock=clock, wall_clock=lambda: WALL, seed=11, max_send_rate=1000)
        fake.verify("example.com")
        client = fake.client()
        return [_send(client, "a@example.org") for _ in range(50)]

    first = ids()
    assert len(set(first)) == 50
    assert ids() == first


def test_deliveries_count_each_recipient(fake: FakeSES, client: SESV2Client) -> None:
    _send(client, "a@example.org", "b@example.org")
    _send(client, "A@EXAMPLE.org", Destination={"CcAddresses": ["Bee <b@example.org>"]})
    assert fake.deliveries("a@example.org") == 1
    assert fake.deliveries("A@example.org") == 0  # local parts are case-sensitive
    assert fake.deliveries("b@Example.ORG") == 2
    assert fake.deliveries("nobody@example.org") == 0
    assert fake.delivery_counts() == Counter({"b@example.org": 2, "a@example.org": 1})


def test_clear_outbox_forgets_messages_but_not_the_quota(
    fake: FakeSES, client: SESV2Client
) -> None:
    _send(client, "a@example.org")
    fake.clear_outbox()
    assert fake.outbox == []
    assert fake.delivery_counts() == Counter()
    assert fake.arrivals() == []
    assert fake.sent_last_24_hours() == 1


# --- SendEmail: Raw --------------------------------------------------------------------------


def _mime(**headers: str) -> bytes:
    message = EmailMessage()
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content("plain body")
    message.add_alternative("<p>html body</p>", subtype="html")
    return message.as_bytes()


def test_a_raw_message_takes_sender_and_recipients_from_its_headers(
    fake: FakeSES, client: SESV2Client
) -> None:
    raw = _mime(From="News <news@example.com>", To="a@example.org, Bee <b@example.org>",
                Cc="c@example.org", Subject="Raw hi")  # fmt: skip
    client.send_email(Content={"Raw": {"Data": raw}})
    [message] = fake.outbox
    assert message.from_address == "News <news@example.com>"
    assert message.to == ("a@example.org", "Bee <b@example.org>")
    assert message.cc == ("c@example.org",)
    assert message.subject == "Raw hi"
    assert message.text is not None
    assert message.text.strip() == "plain body"
    assert message.html is not None
    assert message.html.strip() == "<p>html body</p>"
    assert message.raw == raw
    assert ("Subject", "Raw hi") in message.headers
    assert fake.deliveries("b@example.org") == 1


def test_a_raw_message_destination_overrides_its_headers(
    fake: FakeSES, client: SESV2Client
) -> None:
    raw = _mime(From="news@example.com", To="a@example.org", Subject="x")
    client.send_email(
        FromEmailAddress="other@example.com",
        Destination={"BccAddresses": ["z@example.org"]},
        Content={"Raw": {"Data": raw}},
    )
    [message] = fake.outbox
    assert message.from_address == "other@example.com"
    assert (message.to, message.bcc) == ((), ("z@example.org",))
    assert fake.deliveries("a@example.org") == 0


def test_a_raw_message_without_a_sender_is_refused(client: SESV2Client) -> None:
    raw = _mime(To="a@example.org", Subject="x")
    code, status, message = _refused(client, FromEmailAddress="", Content={"Raw": {"Data": raw}})
    assert (code, status) == ("BadRequestException", 400)
    assert "From" in message


def test_a_raw_message_without_recipients_is_refused(client: SESV2Client) -> None:
    raw = _mime(From="news@example.com", Subject="x")
    assert _refused(client, Content={"Raw": {"Data": raw}})[:2] == ("BadRequestException", 400)


# --- SendEmail: Template ---------------------------------------------------------------------


def _store_template(client: SESV2Client, name: str = "welcome") -> None:
    client.create_email_template(
        TemplateName=name,
        TemplateContent={
            "Subject": "Hi {{name}}",
            "Text": "Hello {{name}}",
            "Html": "<b>{{name}}</b>",
        },
    )


def test_a_stored_template_is_rendered_with_the_data(fake: FakeSES, client: SESV2Client) -> None:
    _store_template(client)
    content = {"Template": {"TemplateName": "welcome", "TemplateData": '{"name": "<Ana>"}'}}
    _send(client, "a@example.org", Content=content)
    [message] = fake.outbox
    assert (message.subject, message.text, message.html) == (
        "Hi <Ana>",
        "Hello <Ana>",
        "<b>&lt;Ana&gt;</b>",
    )
    assert message.template_name == "welcome"
    assert message.template_content is None
    assert message.template_data == {"name": "<Ana>"}


def test_a_template_by_arn(fake: FakeSES, client: SESV2Client) -> None:
    _store_template(client)
    arn = "arn:aws:ses:us-east-1:123456789012:template/welcome"
    _send(
        client,
        "a@example.org",
        Content={"Template": {"TemplateArn": arn, "TemplateData": '{"name": "B"}'}},
    )
    assert fake.outbox[0].template_name == "welcome"
    assert fake.outbox[0].subject == "Hi B"


def test_an_inline_template_is_kept_with_the_message(fake: FakeSES, client: SESV2Client) -> None:
    inline = {"Subject": "Yo {{n}}", "Text": "T {{n}}"}
    _send(
        client,
        "a@example.org",
        Content={"Template": {"TemplateContent": inline, "TemplateData": '{"n": 1}'}},
    )
    [message] = fake.outbox
    assert message.template_content == inline
    assert (message.subject, message.text, message.html) == ("Yo 1", "T 1", None)


def test_a_missing_stored_template_is_not_found(fake: FakeSES, client: SESV2Client) -> None:
    code, status, message = _refused(
        client, "a@example.org", Content={"Template": {"TemplateName": "nope"}}
    )
    assert (code, status) == ("NotFoundException", 404)
    assert "nope" in message
    assert fake.outbox == []


@pytest.mark.parametrize("data", ["{not json", "[1]", '"x"'])
def test_template_data_that_is_not_an_object_is_a_bad_request(
    client: SESV2Client, data: str
) -> None:
    _store_template(client)
    code, status, message = _refused(
        client,
        "a@example.org",
        Content={"Template": {"TemplateName": "welcome", "TemplateData": data}},
    )
    assert (code, status) == ("BadRequestException", 400)
    assert "template data is invalid" in message


def test_a_template_data_gap_is_accepted_but_not_delivered(
    fake: FakeSES, client: SESV2Client
) -> None:
    # SES accepts the call and reports a Rendering Failure event instead of delivering.
    _store_template(client)
    message_id = _send(
        client,
        "a@example.org",
        Content={"Template": {"TemplateName": "welcome", "TemplateData": "{}"}},
    )
    assert MESSAGE_ID.match(message_id)
    [message] = fake.outbox
    assert not message.delivered
    assert message.rendering_error == "Attribute 'name' is not present in the rendering data."
    assert fake.deliveries("a@example.org") == 0
    assert fake.stats().rendering_failures == 1
    assert fake.sent_last_24_hours() == 1


def test_template_and_simple_together_are_refused(client: SESV2Client) -> None:
    content = {**SIMPLE, "Template": {"TemplateContent": {"Subject": "x"}}}
    assert _refused(client, "a@example.org", Content=content)[:2] == ("BadRequestException", 400)


def test_a_template_needs_exactly_one_source(client: SESV2Client) -> None:
    content = {"Template": {"TemplateName": "a", "TemplateContent": {"Subject": "x"}}}
    assert _refused(client, "a@example.org", Content=content)[:2] == ("BadRequestException", 400)


# --- SendEmail: request checks ---------------------------------------------------------------


def test_at_most_fifty_recipients(client: SESV2Client) -> None:
    fifty = {
        "ToAddresses": [f"t{i}@example.org" for i in range(30)],
        "BccAddresses": [f"b{i}@example.org" for i in range(20)],
    }
    _send(client, Destination=fifty)
    fifty["CcAddresses"] = ["one-more@example.org"]
    code, status, message = _refused(client, Destination=fifty)
    assert (code, status) == ("BadRequestException", 400)
    assert "51" in message


def test_a_message_needs_a_recipient(client: SESV2Client) -> None:
    assert _refused(client, Destination={"ToAddresses": []})[:2] == ("BadRequestException", 400)


@pytest.mark.parametrize("address", ["not-an-address", "a@b", "ünï@example.org", "a@exämple.org"])
def test_illegal_addresses_are_refused(client: SESV2Client, address: str) -> None:
    code, status, message = _refused(client, address)
    assert (code, status) == ("BadRequestException", 400)
    assert "Illegal address" in message


def test_at_most_fifteen_headers(client: SESV2Client) -> None:
    headers = [{"Name": f"X-H{i}", "Value": "v"} for i in range(16)]
    content = {"Simple": {**SIMPLE["Simple"], "Headers": headers}}
    assert _refused(client, "a@example.org", Content=content)[:2] == ("BadRequestException", 400)
    content["Simple"]["Headers"] = headers[:15]
    _send(client, "a@example.org", Content=content)


@pytest.mark.parametrize(
    "tag", [{"Name": "has space", "Value": "v"}, {"Name": "n", "Value": "a.b"}]
)
def test_message_tags_are_checked(client: SESV2Client, tag: dict[str, str]) -> None:
    assert _refused(client, "a@example.org", EmailTags=[tag])[:2] == ("BadRequestException", 400)


# --- SendEmail: the sender, configuration sets, MAIL FROM, the account -----------------------


def test_an_unverified_sender_is_rejected_by_name(fake: FakeSES, client: SESV2Client) -> None:
    code, status, message = _refused(
        client, "a@example.org", FromEmailAddress="Me <me@elsewhere.example>"
    )
    assert (code, status) == ("MessageRejected", 400)
    assert message == (
        "Email address is not verified. The following identities failed the check in region "
        "US-EAST-1: me@elsewhere.example"
    )
    assert fake.outbox == []


def test_a_pending_identity_does_not_send(fake: FakeSES, client: SESV2Client) -> None:
    client.create_email_identity(EmailIdentity="pending@other.example")
    assert (
        _refused(client, "a@example.org", FromEmailAddress="pending@other.example")[0]
        == "MessageRejected"
    )
    assert fake.outbox == []
    fake.verify("pending@other.example")
    message_id = _send(client, "a@example.org", FromEmailAddress="pending@other.example")
    assert _sent(fake) == [("pending@other.example", ("a@example.org",), "Hi")]
    assert fake.outbox[0].message_id == message_id


def test_a_verified_address_sends_without_its_domain(client: SESV2Client, fake: FakeSES) -> None:
    fake.verify("solo@other.example")
    _send(client, "a@example.org", FromEmailAddress="solo@other.example")
    assert (
        _refused(client, "a@example.org", FromEmailAddress="else@other.example")[0]
        == "MessageRejected"
    )
    assert _sent(fake) == [("solo@other.example", ("a@example.org",), "Hi")]


def test_the_domain_is_matched_in_any_case(fake: FakeSES, client: SESV2Client) -> None:
    # example.com is verified in lower case; the sender's domain matches it in any case.
    first = _send(client, "a@example.org", FromEmailAddress="news@EXAMPLE.com")
    second = _send(client, "b@example.org", FromEmailAddress="News <info@Example.Com>")
    # A domain that differs by more than case is still refused, and sends nothing.
    assert _refused(client, "c@example.org", FromEmailAddress="news@EXAMPLE.net")[0] == (
        "MessageRejected"
    )
    assert _sent(fake) == [
        ("news@EXAMPLE.com", ("a@example.org",), "Hi"),
        ("News <info@Example.Com>", ("b@example.org",), "Hi"),
    ]
    assert [m.message_id for m in fake.outbox] == [first, second]
    assert all(m.delivered for m in fake.outbox)
    assert fake.deliveries("c@example.org") == 0
    assert fake.sent_last_24_hours() == 2


def test_a_sender_identity_arn(fake: FakeSES, client: SESV2Client) -> None:
    arn = "arn:aws:ses:us-east-1:123456789012:identity/example.com"
    _send(client, "a@example.org", FromEmailAddressIdentityArn=arn)
    other = "arn:aws:ses:us-east-1:123456789012:identity/other.example"
    assert (
        _refused(client, "a@example.org", FromEmailAddressIdentityArn=other)[0] == "MessageRejected"
    )
    assert _sent(fake) == [(SENDER, ("a@example.org",), "Hi")]


def test_a_missing_configuration_set_is_not_found(client: SESV2Client) -> None:
    code, status, message = _refused(client, "a@example.org", ConfigurationSetName="nope")
    assert (code, status) == ("NotFoundException", 404)
    assert "nope" in message


def test_a_paused_configuration_set_pauses_its_sends(fake: FakeSES, client: SESV2Client) -> None:
    client.create_configuration_set(
        ConfigurationSetName="paused", SendingOptions={"SendingEnabled": False}
    )
    client.create_configuration_set(ConfigurationSetName="live")
    assert _refused(client, "a@example.org", ConfigurationSetName="paused")[:2] == (
        "SendingPausedException",
        400,
    )
    _send(client, "a@example.org", ConfigurationSetName="live")
    assert fake.outbox[-1].configuration_set == "live"


def test_the_sender_identity_default_configuration_set_applies(
    fake: FakeSES, client: SESV2Client
) -> None:
    client.create_configuration_set(ConfigurationSetName="default-set")
    client.put_email_identity_configuration_set_attributes(
        EmailIdentity="example.com", ConfigurationSetName="default-set"
    )
    _send(client, "a@example.org")
    assert fake.outbox[-1].configuration_set == "default-set"


@pytest.mark.parametrize(
    ("behavior", "refused"), [("REJECT_MESSAGE", True), ("USE_DEFAULT_VALUE", False)]
)
def test_an_unverified_mail_from_domain(
    fake: FakeSES, client: SESV2Client, behavior: str, refused: bool
) -> None:
    client.put_email_identity_mail_from_attributes(
        EmailIdentity="example.com",
        MailFromDomain="mail.example.com",
        BehaviorOnMxFailure=behavior,  # type: ignore[arg-type]
    )
    if refused:
        code, status, message = _refused(client, "a@example.org")
        assert (code, status) == ("MailFromDomainNotVerifiedException", 400)
        assert "mail.example.com" in message
        assert fake.outbox == []
        fake.set_status("example.com", mail_from="SUCCESS")
    _send(client, "a@example.org")
    assert _sent(fake) == [(SENDER, ("a@example.org",), "Hi")]


def test_a_paused_account_cannot_send(fake: FakeSES, client: SESV2Client) -> None:
    fake.account.sending_enabled = False
    assert _refused(client, "a@example.org")[:2] == ("SendingPausedException", 400)
    assert _bulk_refused(client)[:2] == ("SendingPausedException", 400)


def test_a_suspended_account_cannot_send(fake: FakeSES, client: SESV2Client) -> None:
    fake.account.suspended = True
    assert _refused(client, "a@example.org")[:2] == ("AccountSuspendedException", 400)
    assert _bulk_refused(client)[:2] == ("AccountSuspendedException", 400)


def _bulk_refused(
    client: SESV2Client, entries: list[dict[str, Any]] | int = 1, **params: Any
) -> tuple[str, int, str]:
    with pytest.raises(ClientError) as caught:
        _bulk(client, entries, **params)
    return _error(caught)


# --- the sandbox -----------------------------------------------------------------------------


@pytest.fixture
def sandbox(clock: FakeClock) -> FakeSES:
    fake = FakeSES(clock=clock, sandbox=True, max_send_rate=1000)
    fake.verify("example.com", "friend@example.org")
    return fake


def test_the_sandbox_sends_only_to_verified_recipients(sandbox: FakeSES) -> None:
    client = sandbox.client()
    _send(client, "friend@example.org")
    code, status, message = _refused(
        client, "friend@example.org", "stranger@example.org", "x@else.example"
    )
    assert (code, status) == ("MessageRejected", 400)
    assert message.endswith("US-EAST-1: stranger@example.org, x@else.example")
    assert sandbox.deliveries("friend@example.org") == 1


def test_the_sandbox_names_an_unverified_sender_and_recipients_together(sandbox: FakeSES) -> None:
    message = _refused(
        sandbox.client(), "stranger@example.org", FromEmailAddress="me@else.example"
    )[2]
    assert message.endswith(": me@else.example, stranger@example.org")


def test_the_sandbox_sends_to_a_verified_domain_and_the_mailbox_simulator(sandbox: FakeSES) -> None:
    client = sandbox.client()
    recipients = (
        "anyone@example.com",
        "success@simulator.amazonses.com",
        "bounce+run-1@simulator.amazonses.com",
    )
    _send(client, *recipients)
    assert _refused(client, "someone@simulator.amazonses.com")[0] == "MessageRejected"
    assert _sent(sandbox) == [(SENDER, recipients, "Hi")]
    assert sandbox.deliveries("someone@simulator.amazonses.com") == 0


@pytest.mark.parametrize("how", ["account edit", "granted request"])
def test_leaving_the_sandbox_lifts_the_recipient_rule(sandbox: FakeSES, how: str) -> None:
    client = sandbox.client()
    # In the sandbox the unverified recipient is refused and nothing is sent ...
    assert _refused(client, "stranger@example.org")[0] == "MessageRejected"
    assert sandbox.outbox == []
    assert client.get_account()["ProductionAccessEnabled"] is False
    if how == "account edit":
        sandbox.account.production_access_enabled = True
    else:
        client.put_account_details(
            MailType="TRANSACTIONAL",
            WebsiteURL="https://example.com",
            UseCaseDescription="receipts",
            ProductionAccessEnabled=True,
        )
        sandbox.grant_production_access()
    # ... and once out of it, the same send goes out to the same unverified recipients.
    assert not sandbox.account.in_sandbox
    assert client.get_account()["ProductionAccessEnabled"] is True
    message_id = _send(client, "stranger@example.org", "x@else.example")
    [message] = sandbox.outbox
    assert message.message_id == message_id
    assert (message.from_address, message.to, message.subject) == (
        SENDER,
        ("stranger@example.org", "x@else.example"),
        "Hi",
    )
    assert message.delivered
    assert sandbox.deliveries("stranger@example.org") == 1
    assert sandbox.deliveries("x@else.example") == 1


def test_a_sandbox_bulk_send_rejects_only_the_unverified_entries(sandbox: FakeSES) -> None:
    entries: list[dict[str, Any]] = [
        {"Destination": {"ToAddresses": ["friend@example.org"]}},
        {"Destination": {"ToAddresses": ["stranger@example.org"]}},
        {"Destination": {"ToAddresses": ["ooto@simulator.amazonses.com"]}},
    ]
    results = _bulk(sandbox.client(), entries)
    assert _statuses(results) == ["SUCCESS", "MESSAGE_REJECTED", "SUCCESS"]
    assert "stranger@example.org" in results[1]["Error"]
    assert "MessageId" not in results[1]
    assert sandbox.deliveries("stranger@example.org") == 0


# --- SendBulkEmail ---------------------------------------------------------------------------


def test_a_bulk_send_answers_one_result_per_entry(fake: FakeSES, client: SESV2Client) -> None:
    results = _bulk(client, 3)
    assert _statuses(results) == ["SUCCESS"] * 3
    ids = [result["MessageId"] for result in results]
    assert all(MESSAGE_ID.match(message_id) for message_id in ids)
    assert [message.message_id for message in fake.outbox] == ids
    assert {message.operation for message in fake.outbox} == {"SendBulkEmail"}
    assert fake.delivery_counts() == Counter({f"u{i}@example.org": 1 for i in range(3)})


def test_replacement_data_merges_over_the_defaults(fake: FakeSES, client: SESV2Client) -> None:
    template = {
        "TemplateContent": {"Subject": "{{greeting}} {{name}}", "Text": "{{name}}"},
        "TemplateData": json.dumps({"greeting": "Hi", "name": "you"}),
        "Headers": [{"Name": "X-A", "Value": "default"}, {"Name": "X-B", "Value": "b"}],
    }
    entries: list[dict[str, Any]] = [
        {
            "Destination": {"ToAddresses": ["a@example.org"]},
            "ReplacementEmailContent": {
                "ReplacementTemplate": {"ReplacementTemplateData": '{"name": "Ana"}'}
            },
            "ReplacementTags": [{"Name": "who", "Value": "ana"}],
            "ReplacementHeaders": [{"Name": "X-A", "Value": "ana"}],
        },
        {"Destination": {"ToAddresses": ["b@example.org"]}},
    ]
    _bulk(
        client,
        entries,
        template=template,
        DefaultEmailTags=[{"Name": "run", "Value": "r1"}, {"Name": "who", "Value": "all"}],
    )
    first, second = fake.outbox
    assert (first.subject, first.text) == ("Hi Ana", "Ana")
    assert first.template_data == {"greeting": "Hi", "name": "Ana"}
    assert first.tags == {"run": "r1", "who": "ana"}
    assert first.headers == (("X-A", "ana"), ("X-B", "b"))
    assert (second.subject, second.tags) == ("Hi you", {"run": "r1", "who": "all"})
    assert second.headers == (("X-A", "default"), ("X-B", "b"))
    assert first.template_content == template["TemplateContent"]


def test_a_bulk_send_by_stored_template(fake: FakeSES, client: SESV2Client) -> None:
    _store_template(client)
    results = _bulk(
        client, 2, template={"TemplateName": "welcome", "TemplateData": '{"name": "N"}'}
    )
    assert _statuses(results) == ["SUCCESS", "SUCCESS"]
    assert [m.subject for m in fake.outbox] == ["Hi N", "Hi N"]
    assert fake.outbox[0].template_name == "welcome"


def test_bad_entries_fail_alone(fake: FakeSES, client: SESV2Client) -> None:
    entries: list[dict[str, Any]] = [
        {"Destination": {"ToAddresses": ["ok@example.org"]}},
        {"Destination": {"ToAddresses": ["not an address"]}},
        {"Destination": {"ToAddresses": []}},
        {"Destination": {"ToAddresses": [f"x{i}@example.org" for i in range(51)]}},
        {
            "Destination": {"ToAddresses": ["bad-data@example.org"]},
            "ReplacementEmailContent": {"ReplacementTemplate": {"ReplacementTemplateData": "[]"}},
        },
    ]
    results = _bulk(client, entries)
    assert _statuses(results) == ["SUCCESS"] + ["INVALID_PARAMETER"] * 4
    assert all(result.get("Error") for result in results[1:])
    assert len(fake.outbox) == 1


def test_a_bulk_call_holds_at_most_fifty_entries(client: SESV2Client) -> None:
    assert _statuses(_bulk(client, 50)) == ["SUCCESS"] * 50
    code, status, message = _bulk_refused(client, 51)
    assert (code, status) == ("BadRequestException", 400)
    assert "51" in message


def test_call_wide_problems_refuse_the_whole_bulk_call(fake: FakeSES, client: SESV2Client) -> None:
    assert _bulk_refused(client, template={"TemplateName": "nope"})[:2] == (
        "NotFoundException",
        404,
    )
    assert _bulk_refused(client, ConfigurationSetName="nope")[:2] == ("NotFoundException", 404)
    assert _bulk_refused(client, FromEmailAddress="me@else.example")[:2] == ("MessageRejected", 400)
    bad_data = {"TemplateContent": {"Subject": "x"}, "TemplateData": "[]"}
    assert _bulk_refused(client, template=bad_data)[:2] == ("BadRequestException", 400)
    assert fake.outbox == []


def test_a_rendering_gap_in_one_entry_is_still_a_success(
    fake: FakeSES, client: SESV2Client
) -> None:
    template = {"TemplateContent": {"Subject": "Hi {{name}}"}}
    entries: list[dict[str, Any]] = [
        {
            "Destination": {"ToAddresses": ["a@example.org"]},
            "ReplacementEmailContent": {
                "ReplacementTemplate": {"ReplacementTemplateData": '{"name": "A"}'}
            },
        },
        {"Destination": {"ToAddresses": ["b@example.org"]}},
    ]
    assert _statuses(_bulk(client, entries, template=template)) == ["SUCCESS", "SUCCESS"]
    assert [m.delivered for m in fake.outbox] == [True, False]
    assert fake.delivery_counts() == Counter({"a@example.org": 1})


# --- the rate, by recipients over a sliding second --------------------------------------------


@pytest.fixture
def paced(clock: FakeClock) -> FakeSES:
    fake = FakeSES(clock=clock, max_send_rate=10)
    fake.verify("example.com")
    return fake


def _ten(prefix: str) -> list[str]:
    return [f"{prefix}{i}@example.org" for i in range(10)]


def test_the_rate_is_a_sliding_second_of_recipients(paced: FakeSES, clock: FakeClock) -> None:
    client = paced.client()
    _send(client, *_ten("a"))  # 10 recipients at t=0: the whole budget
    clock.advance(0.5)
    code, status, message = _refused(client, "late@example.org")
    assert (code, status, message) == (
        "TooManyRequestsException",
        429,
        "Maximum sending rate exceeded.",
    )
    clock.advance(0.51)  # t = 1.01: the first send has left the window
    _send(client, "late@example.org")
    assert paced.throttled_calls == 1
    assert paced.deliveries("late@example.org") == 1


def test_the_window_slides_rather_than_resetting(paced: FakeSES, clock: FakeClock) -> None:
    client = paced.client()
    _send(client, *_ten("a")[:5])
    clock.advance(0.6)
    _send(client, *_ten("b")[:5])
    clock.advance(0.6)  # t = 1.2: the first five left, the second five are still in
    assert _refused(client, *_ten("c")[:6])[0] == "TooManyRequestsException"
    _send(client, *_ten("c")[:5])
    assert paced.stats().peak_recipients_per_second == 10


def test_an_arrival_exactly_one_second_later_is_in_a_new_window(
    paced: FakeSES, clock: FakeClock
) -> None:
    client = paced.client()
    _send(client, *_ten("a"))
    clock.advance(1.0)
    _send(client, *_ten("b"))


def test_a_call_with_more_recipients_than_the_rate_is_always_refused(paced: FakeSES) -> None:
    client = paced.client()
    assert _refused(client, *_ten("a"), "one-more@example.org")[1] == 429
    assert _bulk_refused(client, 11)[1] == 429
    assert paced.outbox == []
    assert paced.throttled_calls == 2


def test_a_throttled_bulk_call_sends_nothing(paced: FakeSES, clock: FakeClock) -> None:
    client = paced.client()
    _send(client, *_ten("a")[:6])
    assert _bulk_refused(client, 5)[1] == 429
    assert len(paced.outbox) == 1
    assert paced.sent_last_24_hours() == 6


def test_simulator_recipients_count_against_the_rate(paced: FakeSES) -> None:
    client = paced.client()
    _send(client, *[f"success+{i}@simulator.amazonses.com" for i in range(10)])
    assert _refused(client, "a@example.org")[0] == "TooManyRequestsException"


def test_per_entry_throttling_answers_200_with_the_rest_throttled(clock: FakeClock) -> None:
    fake = FakeSES(clock=clock, max_send_rate=10, throttle_entries=True)
    fake.verify("example.com")
    client = fake.client()
    _send(client, *_ten("a")[:4])
    results = _bulk(client, 8)
    assert _statuses(results) == ["SUCCESS"] * 6 + ["ACCOUNT_THROTTLED"] * 2
    assert results[-1]["Error"] == "Maximum sending rate exceeded."
    assert fake.throttled_calls == 0
    assert fake.deliveries("u6@example.org") == 0
    # SendEmail has no entries to throttle: it is still refused whole.
    assert _refused(client, "b@example.org")[1] == 429


def test_per_entry_throttling_can_be_switched_on_later(paced: FakeSES) -> None:
    paced.account.throttle_entries = True
    assert _statuses(_bulk(paced.client(), 12)).count("ACCOUNT_THROTTLED") == 2


# --- the daily quota -------------------------------------------------------------------------


@pytest.fixture
def quota(clock: FakeClock, wall: WallClock) -> FakeSES:
    fake = FakeSES(clock=clock, wall_clock=wall, max_24_hour_send=5, max_send_rate=1000)
    fake.verify("example.com")
    return fake


def test_send_email_past_the_daily_quota_is_limit_exceeded(quota: FakeSES) -> None:
    client = quota.client()
    _send(client, "a@example.org", "b@example.org", "c@example.org")
    code, status, message = _refused(client, "d@example.org", "e@example.org", "f@example.org")
    assert (code, status, message) == (
        "LimitExceededException",
        400,
        "Daily message quota exceeded.",
    )
    _send(client, "d@example.org", "e@example.org")  # exactly the quota
    assert _refused(client, "g@example.org")[0] == "LimitExceededException"
    assert quota.sent_last_24_hours() == 5


def test_bulk_entries_past_the_daily_quota_fail_alone(quota: FakeSES) -> None:
    client = quota.client()
    _send(client, "a@example.org", "b@example.org", "c@example.org")
    results = _bulk(client, 4)
    assert _statuses(results) == ["SUCCESS", "SUCCESS"] + ["ACCOUNT_DAILY_QUOTA_EXCEEDED"] * 2
    assert results[2]["Error"] == "Daily message quota exceeded."
    assert quota.sent_last_24_hours() == 5


def test_the_simulator_still_works_past_the_daily_quota(quota: FakeSES) -> None:
    quota.account.sent_offset = 5
    client = quota.client()
    _send(client, "success@simulator.amazonses.com")
    assert _refused(client, "a@example.org")[0] == "LimitExceededException"
    assert _sent(quota) == [(SENDER, ("success@simulator.amazonses.com",), "Hi")]
    assert quota.sent_last_24_hours() == 5  # simulator recipients are not counted


def test_the_quota_frees_up_as_sends_age(quota: FakeSES, wall: WallClock) -> None:
    client = quota.client()
    _send(client, *[f"x{i}@example.org" for i in range(5)])
    assert _refused(client, "a@example.org")[0] == "LimitExceededException"
    wall.now += 24 * 3600
    assert quota.sent_last_24_hours() == 0
    _send(client, "a@example.org")
    assert quota.sent_last_24_hours() == 1
    assert [m.recipients for m in quota.outbox] == [
        tuple(f"x{i}@example.org" for i in range(5)),
        ("a@example.org",),
    ]


def test_an_unlimited_quota_never_runs_out(clock: FakeClock) -> None:
    fake = FakeSES(clock=clock, max_24_hour_send=-1, max_send_rate=1000)
    fake.verify("example.com")
    client = fake.client()
    assert fake.account.unlimited_daily_quota
    assert client.get_account()["SendQuota"]["Max24HourSend"] == -1
    fake.account.sent_offset = 10**9
    _send(client, "a@example.org", "b@example.org")
    results = _bulk(client, 3)
    assert _statuses(results) == ["SUCCESS"] * 3
    assert _sent(fake) == [
        (SENDER, ("a@example.org", "b@example.org"), "Hi"),
        *[(SENDER, (f"u{i}@example.org",), "Hi") for i in range(3)],
    ]
    # The sends are still counted; they just never run into a limit.
    assert fake.sent_last_24_hours() == 10**9 + 5
    # The same count against a finite quota is refused: the offset really is past any quota.
    fake.account.max_24_hour_send = 10**9
    assert _refused(client, "c@example.org")[0] == "LimitExceededException"
    assert len(fake.outbox) == 4


# --- keep_messages=False, verify, stats ------------------------------------------------------


def test_without_kept_messages_only_counts_and_arrivals_remain(clock: FakeClock) -> None:
    fake = FakeSES(clock=clock, keep_messages=False, max_send_rate=1000)
    fake.verify("example.com")
    client = fake.client()
    _send(client, "a@example.org", "b@example.org")
    clock.advance(0.25)
    _bulk(client, 3)
    with pytest.raises(RuntimeError, match="keep_messages=False"):
        _ = fake.outbox
    assert fake.deliveries("a@example.org") == 1
    assert sum(fake.delivery_counts().values()) == 5
    assert fake.arrivals() == [(0.0, 2), (0.25, 1), (0.25, 1), (0.25, 1)]
    sends = [call for call in fake.calls if call.operation.startswith("Send")]
    assert [call.params for call in sends] == [{}, {}]
    assert fake.call_count("SendBulkEmail") == 1
    assert [call.operation for call in fake.calls] == ["SendEmail", "SendBulkEmail"]


def test_verify_creates_and_verifies_identities(fake: FakeSES, client: SESV2Client) -> None:
    client.create_email_identity(EmailIdentity="pending@else.example")
    fake.verify("pending@else.example", "new.example")
    assert fake.identity_state("pending@else.example").verification_status == "SUCCESS"
    domain = client.get_email_identity(EmailIdentity="new.example")
    assert domain["VerifiedForSendingStatus"] is True
    assert domain["DkimAttributes"]["Status"] == "SUCCESS"
    assert len(domain["DkimAttributes"]["Tokens"]) == 3
    with pytest.raises(ValueError, match="Invalid"):
        fake.verify("not an identity")


def test_stats_summarise_the_run(paced: FakeSES, clock: FakeClock) -> None:
    client = paced.client()
    _send(client, *_ten("a")[:7])
    clock.advance(0.5)
    _refused(client, *_ten("b")[:4])
    _bulk(client, 3)
    stats = paced.stats()
    assert stats.calls == {"SendEmail": 2, "SendBulkEmail": 1}
    assert stats.throttled_calls == 1
    assert stats.peak_recipients_per_second == 10
    assert (stats.messages_accepted, stats.recipients_accepted) == (4, 10)
    assert stats.to_json()["calls"]["SendEmail"] == 2


def test_reset_empties_the_outbox_and_the_ledgers(fake: FakeSES, client: SESV2Client) -> None:
    _send(client, "a@example.org")
    fake.reset()
    assert fake.outbox == []
    assert fake.sent_last_24_hours() == 0
    assert fake.stats().peak_recipients_per_second == 0
    assert fake.throttled_calls == 0


def test_send_operations_are_implemented() -> None:
    implemented = set(FakeSES.implemented_operations())
    assert {"SendEmail", "SendBulkEmail", "GetAccount", "TestRenderEmailTemplate"} <= implemented
