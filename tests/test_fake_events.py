"""FakeSES event publishing: SES's record format, the mailbox simulator, filters, destinations."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import pytest

from sesflow import EventType
from sesflow.testing import FakeClock, FakeEventDelivery, FakeSES

if TYPE_CHECKING:
    from types_boto3_sesv2 import SESV2Client

WALL = 1_700_000_000.0  # 2023-11-14T22:13:20Z
SENDER = "news@example.com"
TOPIC = "arn:aws:sns:us-east-1:123456789012:ses-events"
ALL_TYPES = ["SEND", "DELIVERY", "BOUNCE", "COMPLAINT", "REJECT", "RENDERING_FAILURE"]
ISO_MILLIS = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\Z")
FEEDBACK_ID = re.compile(r"0100[0-9a-f]{12}-[0-9a-f-]{36}-000000\Z")
SIMPLE: Any = {"Simple": {"Subject": {"Data": "Hi"}, "Body": {"Text": {"Data": "Hello"}}}}
SIM = "simulator.amazonses.com"


@pytest.fixture
def fake() -> FakeSES:
    fake = FakeSES(clock=FakeClock(), wall_clock=lambda: WALL, seed=3, max_send_rate=1000)
    fake.verify("example.com")
    return fake


@pytest.fixture
def client(fake: FakeSES) -> SESV2Client:
    return fake.client()


def _destination(
    client: SESV2Client,
    name: str = "to-sns",
    types: list[str] | None = None,
    *,
    configuration_set: str = "marketing",
    enabled: bool = True,
    target: dict[str, Any] | None = None,
) -> None:
    existing = client.list_configuration_sets()["ConfigurationSets"]
    if configuration_set not in existing:
        client.create_configuration_set(ConfigurationSetName=configuration_set)
    definition: Any = {
        "Enabled": enabled,
        "MatchingEventTypes": types or ALL_TYPES,
        **(target or {"SnsDestination": {"TopicArn": TOPIC}}),
    }
    client.create_configuration_set_event_destination(
        ConfigurationSetName=configuration_set,
        EventDestinationName=name,
        EventDestination=definition,
    )


def _send(client: SESV2Client, *to: str, **params: Any) -> str:
    params.setdefault("FromEmailAddress", SENDER)
    params.setdefault("Content", SIMPLE)
    params.setdefault("ConfigurationSetName", "marketing")
    params.setdefault("Destination", {"ToAddresses": list(to)})
    return client.send_email(**params)["MessageId"]


def _types(fake: FakeSES) -> list[str]:
    return [record["eventType"] for record in fake.events()]


# --- the record format -----------------------------------------------------------------------


def test_a_delivered_message_publishes_send_then_delivery_in_ses_format(
    fake: FakeSES, client: SESV2Client
) -> None:
    _destination(client)
    message_id = client.send_email(
        FromEmailAddress="News <news@example.com>",
        Destination={"ToAddresses": ["Bob <bob@example.org>"], "CcAddresses": ["cc@example.org"]},
        Content={
            "Simple": {
                "Subject": {"Data": "Spring sale"},
                "Body": {"Text": {"Data": "Hello"}, "Html": {"Data": "<p>Hello</p>"}},
                "Headers": [{"Name": "X-Campaign", "Value": "spring"}],
            }
        },
        EmailTags=[{"Name": "campaign", "Value": "spring"}],
        ConfigurationSetName="marketing",
    )["MessageId"]

    send, to_bob, to_cc = fake.events()
    assert set(send) == {"eventType", "mail", "send"}
    assert (send["eventType"], send["send"]) == ("Send", {})
    mail = send["mail"]
    assert set(mail) == {
        "timestamp",
        "messageId",
        "source",
        "sourceArn",
        "sendingAccountId",
        "destination",
        "headersTruncated",
        "headers",
        "commonHeaders",
        "tags",
    }
    assert mail["timestamp"] == "2023-11-14T22:13:20.000Z"
    assert mail["messageId"] == message_id
    assert mail["source"] == "News <news@example.com>"
    assert mail["sourceArn"] == "arn:aws:ses:us-east-1:123456789012:identity/example.com"
    assert mail["sendingAccountId"] == "123456789012"
    assert mail["destination"] == ["Bob <bob@example.org>", "cc@example.org"]
    assert mail["headersTruncated"] is False
    headers = {header["name"]: header["value"] for header in mail["headers"]}
    assert headers["From"] == "News <news@example.com>"
    assert headers["To"] == "Bob <bob@example.org>"
    assert headers["Cc"] == "cc@example.org"
    assert headers["Subject"] == "Spring sale"
    assert headers["MIME-Version"] == "1.0"
    assert headers["Content-Type"].startswith("multipart/alternative; boundary=")
    assert headers["X-Campaign"] == "spring"
    assert mail["commonHeaders"] == {
        "from": ["News <news@example.com>"],
        "to": ["Bob <bob@example.org>"],
        "messageId": message_id,
        "subject": "Spring sale",
    }
    assert mail["tags"] == {
        "ses:configuration-set": ["marketing"],
        "ses:source-ip": ["192.0.2.10"],
        "ses:from-domain": ["example.com"],
        "ses:caller-identity": ["fake-ses-user"],
        "campaign": ["spring"],
    }

    assert to_bob["eventType"] == "Delivery"
    assert to_bob["mail"]["messageId"] == message_id
    assert to_bob["mail"]["tags"]["ses:outgoing-ip"] == ["192.0.2.25"]
    delivery = to_bob["delivery"]
    assert set(delivery) == {
        "timestamp",
        "processingTimeMillis",
        "recipients",
        "smtpResponse",
        "reportingMTA",
        "remoteMtaIp",
    }
    assert delivery["timestamp"] == "2023-11-14T22:13:20.750Z"
    assert delivery["processingTimeMillis"] == 750
    assert delivery["recipients"] == ["bob@example.org"]
    assert delivery["smtpResponse"].startswith("250 ")
    assert delivery["reportingMTA"].endswith(".amazonses.com")
    assert to_cc["delivery"]["recipients"] == ["cc@example.org"]


def test_a_template_send_names_its_subject_only_once_rendered(
    fake: FakeSES, client: SESV2Client
) -> None:
    _destination(client)
    client.create_email_template(
        TemplateName="welcome", TemplateContent={"Subject": "Hi {{name}}", "Text": "Yo"}
    )
    _send(
        client,
        "ana@example.org",
        Content={"Template": {"TemplateName": "welcome", "TemplateData": '{"name": "Ana"}'}},
    )
    send, delivery = fake.events()
    # SES publishes Send before rendering; later records carry the rendered subject.
    assert "subject" not in send["mail"]["commonHeaders"]
    assert "Subject" not in {header["name"] for header in send["mail"]["headers"]}
    assert delivery["mail"]["commonHeaders"]["subject"] == "Hi Ana"


def test_a_rendering_failure_publishes_send_and_the_failure_but_no_delivery(
    fake: FakeSES, client: SESV2Client
) -> None:
    _destination(client)
    client.create_email_template(
        TemplateName="welcome", TemplateContent={"Subject": "Hi {{name}}", "Text": "Yo"}
    )
    message_id = _send(
        client,
        "ana@example.org",
        Content={"Template": {"TemplateName": "welcome", "TemplateData": "{}"}},
    )
    assert _types(fake) == ["Send", "Rendering Failure"]
    failure = fake.events()[1]
    assert failure["failure"] == {
        "errorMessage": "Attribute 'name' is not present in the rendering data.",
        "templateName": "welcome",
    }
    assert failure["mail"]["messageId"] == message_id
    # The message never rendered, so it has no headers to report.
    assert "headers" not in failure["mail"]
    assert "commonHeaders" not in failure["mail"]


def test_a_raw_message_reports_its_own_headers(fake: FakeSES, client: SESV2Client) -> None:
    _destination(client, types=["SEND"])
    raw = (
        b"From: News <news@example.com>\r\nTo: Bob <bob@example.org>\r\nSubject: Raw hi\r\n"
        b"X-Mailer: test\r\nContent-Type: text/plain\r\n\r\nHello\r\n"
    )
    _send(client, Content={"Raw": {"Data": raw}}, Destination={})
    [send] = fake.events()
    headers = [(h["name"], h["value"]) for h in send["mail"]["headers"]]
    assert ("X-Mailer", "test") in headers
    assert send["mail"]["commonHeaders"]["to"] == ["Bob <bob@example.org>"]
    assert send["mail"]["commonHeaders"]["subject"] == "Raw hi"


def test_bulk_entries_publish_per_message_with_their_own_tags(
    fake: FakeSES, client: SESV2Client
) -> None:
    _destination(client, types=["SEND"])
    answer = client.send_bulk_email(
        FromEmailAddress=SENDER,
        ConfigurationSetName="marketing",
        DefaultContent={"Template": {"TemplateContent": {"Subject": "Hi", "Text": "Yo"}}},
        DefaultEmailTags=[{"Name": "campaign", "Value": "spring"}],
        BulkEmailEntries=[
            {"Destination": {"ToAddresses": ["a@example.org"]}},
            {
                "Destination": {"ToAddresses": ["b@example.org"]},
                "ReplacementTags": [{"Name": "campaign", "Value": "vip"}],
            },
        ],
    )
    ids = [result["MessageId"] for result in answer["BulkEmailEntryResults"]]
    records = fake.events()
    assert [record["mail"]["messageId"] for record in records] == ids
    assert [record["mail"]["tags"]["campaign"] for record in records] == [["spring"], ["vip"]]


# --- the mailbox simulator and the suppression list -----------------------------------------


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        (f"success@{SIM}", ["Send", "Delivery"]),
        (f"ooto@{SIM}", ["Send", "Delivery"]),
        (f"bounce@{SIM}", ["Send", "Bounce"]),
        (f"complaint@{SIM}", ["Send", "Delivery", "Complaint"]),
        (f"suppressionlist@{SIM}", ["Send", "Bounce"]),
        (f"bounce+run7@{SIM}", ["Send", "Bounce"]),
        (f"Complaint+x@{SIM.upper()}", ["Send", "Delivery", "Complaint"]),
        ("someone@example.org", ["Send", "Delivery"]),
    ],
)
def test_the_mailbox_simulator_publishes_what_ses_publishes(
    fake: FakeSES, client: SESV2Client, address: str, expected: list[str]
) -> None:
    _destination(client)
    _send(client, address)
    assert _types(fake) == expected


def test_a_simulated_bounce_is_permanent_and_general(fake: FakeSES, client: SESV2Client) -> None:
    _destination(client, types=["BOUNCE"])
    _send(client, f"bounce@{SIM}")
    [record] = fake.events()
    bounce = record["bounce"]
    assert (bounce["bounceType"], bounce["bounceSubType"]) == ("Permanent", "General")
    assert bounce["bouncedRecipients"] == [
        {
            "emailAddress": f"bounce@{SIM}",
            "action": "failed",
            "status": "5.1.1",
            "diagnosticCode": "smtp; 550 5.1.1 user unknown",
        }
    ]
    assert ISO_MILLIS.match(bounce["timestamp"])
    assert bounce["timestamp"] > record["mail"]["timestamp"]
    assert FEEDBACK_ID.match(bounce["feedbackId"])
    assert bounce["reportingMTA"].startswith("dns; ")


def test_a_simulated_complaint_follows_its_delivery(fake: FakeSES, client: SESV2Client) -> None:
    _destination(client, types=["DELIVERY", "COMPLAINT"])
    _send(client, f"complaint@{SIM}")
    delivery, complaint = fake.events()
    detail = complaint["complaint"]
    assert set(detail) == {
        "complainedRecipients",
        "timestamp",
        "feedbackId",
        "complaintFeedbackType",
        "userAgent",
        "arrivalDate",
    }
    assert detail["complainedRecipients"] == [{"emailAddress": f"complaint@{SIM}"}]
    assert detail["complaintFeedbackType"] == "abuse"
    assert detail["arrivalDate"] == delivery["delivery"]["timestamp"]
    assert detail["timestamp"] > detail["arrivalDate"]
    assert FEEDBACK_ID.match(detail["feedbackId"])


def test_the_suppressionlist_simulator_bounces_as_if_suppressed(
    fake: FakeSES, client: SESV2Client
) -> None:
    _destination(client, types=["BOUNCE"])
    _send(client, f"suppressionlist@{SIM}")
    [record] = fake.events()
    assert record["bounce"]["bounceType"] == "Permanent"
    assert record["bounce"]["bounceSubType"] == "OnAccountSuppressionList"
    assert "suppression list" in record["bounce"]["bouncedRecipients"][0]["diagnosticCode"]
    assert record["bounce"]["reportingMTA"] == "dns; amazonses.com"


def test_a_recipient_on_the_suppression_list_bounces_and_the_rest_are_delivered(
    fake: FakeSES, client: SESV2Client
) -> None:
    _destination(client)
    fake.suppress("Gone@Example.org", "BOUNCE")
    _send(client, "gone@example.org", "ok@example.org")
    send, bounce, delivery = fake.events()
    assert send["eventType"] == "Send"
    assert bounce["bounce"]["bounceSubType"] == "OnAccountSuppressionList"
    assert bounce["bounce"]["bouncedRecipients"][0]["emailAddress"] == "gone@example.org"
    assert delivery["delivery"]["recipients"] == ["ok@example.org"]


def test_a_suppression_list_the_set_turns_off_lets_the_mail_through(
    fake: FakeSES, client: SESV2Client
) -> None:
    _destination(client)
    client.put_configuration_set_suppression_options(
        ConfigurationSetName="marketing", SuppressedReasons=[]
    )
    fake.suppress("gone@example.org", "BOUNCE")
    _send(client, "gone@example.org")
    assert _types(fake) == ["Send", "Delivery"]


# --- scripted outcomes -----------------------------------------------------------------------


def test_a_scripted_delay_publishes_a_delivery_delay(fake: FakeSES, client: SESV2Client) -> None:
    _destination(client, types=["DELIVERY", "DELIVERY_DELAY"])
    client.put_configuration_set_delivery_options(
        ConfigurationSetName="marketing", MaxDeliverySeconds=600
    )
    fake.recipient_outcome("Slow <Slow@Example.ORG>", EventType.DELIVERY_DELAY)
    _send(client, "slow@example.org")
    [record] = fake.events()
    assert record["eventType"] == "DeliveryDelay"
    delay = record["deliveryDelay"]
    assert delay["delayType"] == "TransientCommunicationFailure"
    # MaxDeliverySeconds after the send is when SES gives up.
    assert delay["expirationTime"] == "2023-11-14T22:23:20.000Z"
    assert delay["delayedRecipients"] == [
        {
            "emailAddress": "slow@example.org",
            "status": "4.4.1",
            "diagnosticCode": "smtp; 421 4.4.1 Unable to connect to remote host",
        }
    ]
    assert ISO_MILLIS.match(delay["timestamp"])
    assert "reportingMTA" in delay


def test_a_scripted_reject_stops_the_whole_message(fake: FakeSES, client: SESV2Client) -> None:
    _destination(client)
    fake.recipient_outcome("virus@example.org", "REJECT")
    _send(client, "ok@example.org", "virus@example.org")
    assert _types(fake) == ["Send", "Reject"]
    assert fake.events()[1]["reject"] == {"reason": "Bad content"}


def test_a_scripted_soft_bounce_and_its_reset(fake: FakeSES, client: SESV2Client) -> None:
    _destination(client, types=["BOUNCE", "DELIVERY"])
    fake.recipient_outcome(
        "full@example.org", "BOUNCE", bounce_type="Transient", bounce_subtype="MailboxFull"
    )
    _send(client, "full@example.org")
    [record] = fake.events()
    assert (record["bounce"]["bounceType"], record["bounce"]["bounceSubType"]) == (
        "Transient",
        "MailboxFull",
    )
    assert record["bounce"]["bouncedRecipients"][0]["status"].startswith("4.")
    fake.recipient_outcome("full@example.org", None)
    _send(client, "full@example.org")
    assert _types(fake) == ["Bounce", "Delivery"]


def test_an_unknown_outcome_is_refused(fake: FakeSES) -> None:
    with pytest.raises(ValueError, match="outcome must be one of"):
        fake.recipient_outcome("a@example.org", "OPEN")


# --- which sends publish, and where ----------------------------------------------------------


def test_no_configuration_set_means_no_events(fake: FakeSES, client: SESV2Client) -> None:
    _destination(client)
    client.send_email(
        FromEmailAddress=SENDER, Destination={"ToAddresses": ["a@example.org"]}, Content=SIMPLE
    )
    assert fake.events() == []
    assert len(fake.outbox) == 1


def test_a_disabled_destination_receives_nothing(fake: FakeSES, client: SESV2Client) -> None:
    _destination(client, enabled=False)
    _send(client, f"bounce@{SIM}")
    assert fake.events() == []
    assert fake.event_deliveries() == []


def test_only_the_matching_event_types_are_published(fake: FakeSES, client: SESV2Client) -> None:
    _destination(client, types=["BOUNCE"])
    _send(client, f"success@{SIM}", f"bounce@{SIM}")
    assert _types(fake) == ["Bounce"]


def test_the_sender_identity_default_set_publishes(fake: FakeSES, client: SESV2Client) -> None:
    _destination(client, types=["SEND"], configuration_set="default-set")
    client.put_email_identity_configuration_set_attributes(
        EmailIdentity="example.com", ConfigurationSetName="default-set"
    )
    client.send_email(
        FromEmailAddress=SENDER, Destination={"ToAddresses": ["a@example.org"]}, Content=SIMPLE
    )
    [record] = fake.events()
    assert record["mail"]["tags"]["ses:configuration-set"] == ["default-set"]


def test_one_record_goes_to_every_matching_destination(fake: FakeSES, client: SESV2Client) -> None:
    _destination(client, "to-sns", ["SEND", "DELIVERY"])
    _destination(
        client,
        "to-bus",
        ["DELIVERY"],
        target={
            "EventBridgeDestination": {
                "EventBusArn": "arn:aws:events:us-east-1:123456789012:event-bus/default"
            }
        },
    )
    _send(client, "a@example.org")
    assert _types(fake) == ["Send", "Delivery"]
    deliveries = fake.event_deliveries()
    assert [(d.destination, d.kind, d.record["eventType"]) for d in deliveries] == [
        ("to-sns", "SnsDestination", "Send"),
        ("to-sns", "SnsDestination", "Delivery"),
        ("to-bus", "EventBridgeDestination", "Delivery"),
    ]
    assert all(isinstance(d, FakeEventDelivery) for d in deliveries)
    name, kind, record = deliveries[2]
    assert record == fake.events()[1]
    assert (name, kind) == ("to-bus", "EventBridgeDestination")


def test_events_filter_by_configuration_set_and_type(fake: FakeSES, client: SESV2Client) -> None:
    _destination(client, configuration_set="marketing")
    _destination(client, configuration_set="receipts")
    _send(client, f"bounce@{SIM}", ConfigurationSetName="marketing")
    _send(client, "a@example.org", ConfigurationSetName="receipts")
    assert [r["eventType"] for r in fake.events(configuration_set="receipts")] == [
        "Send",
        "Delivery",
    ]
    bounces = [fake.events(event_type=kind) for kind in ("BOUNCE", "Bounce", EventType.BOUNCE)]
    assert all(len(found) == 1 for found in bounces)
    assert bounces[0] == bounces[1] == bounces[2]
    assert fake.events("marketing", "DELIVERY") == []
    assert len(fake.events(event_type="Send")) == 2


def test_an_unknown_event_type_filter_is_refused(fake: FakeSES) -> None:
    with pytest.raises(ValueError, match="not an event type"):
        fake.events(event_type="BOUNCED")


def test_records_are_private_copies(fake: FakeSES, client: SESV2Client) -> None:
    _destination(client, types=["SEND"])
    _send(client, "a@example.org")
    fake.events()[0]["mail"]["messageId"] = "tampered"
    fake.event_deliveries()[0].record["eventType"] = "tampered"
    assert fake.events()[0]["mail"]["messageId"] != "tampered"
    assert fake.events()[0]["eventType"] == "Send"


def test_clear_events_and_reset_forget_records(fake: FakeSES, client: SESV2Client) -> None:
    _destination(client)
    fake.recipient_outcome("slow@example.org", "DELIVERY_DELAY")
    _send(client, "a@example.org")
    fake.clear_events()
    assert fake.events() == []
    assert fake.event_deliveries() == []
    _send(client, "slow@example.org")
    # The delay is still scripted (no Delivery; this destination takes no DELIVERY_DELAY).
    assert _types(fake) == ["Send"]
    fake.reset()
    assert fake.events() == []
    fake.verify("example.com")
    _destination(client, types=["DELIVERY"])
    _send(client, "slow@example.org")
    assert _types(fake) == ["Delivery"]


def test_a_fake_keeping_no_messages_keeps_no_events() -> None:
    fake = FakeSES(keep_messages=False, max_send_rate=1000)
    fake.verify("example.com")
    client = fake.client()
    _destination(client)
    _send(client, "a@example.org")
    assert fake.events() == []
    assert fake.deliveries("a@example.org") == 1


def test_seeded_fakes_publish_the_same_feedback_ids() -> None:
    def bounce_ids() -> list[str]:
        fake = FakeSES(clock=FakeClock(), wall_clock=lambda: WALL, seed=11)
        fake.verify("example.com")
        client = fake.client()
        _destination(client, types=["BOUNCE"])
        _send(client, f"bounce@{SIM}", f"suppressionlist@{SIM}")
        return [record["bounce"]["feedbackId"] for record in fake.events()]

    first = bounce_ids()
    assert first == bounce_ids()
    assert len(set(first)) == 2
