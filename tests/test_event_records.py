"""SES event records → typed events: every event type, identity notifications, bad input.

The sample records follow the shapes in AWS's "Examples of event data that Amazon SES
publishes to Amazon SNS" and "Amazon SNS notification examples for Amazon SES".
"""

from __future__ import annotations

import dataclasses
import inspect
import json
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import sesflow
from sesflow.events import _parse, _records
from sesflow.events._parse import parse_event, parse_timestamp
from sesflow.events._records import (
    BouncedRecipient,
    BounceEvent,
    ClickEvent,
    ComplaintEvent,
    DelayedRecipient,
    DeliveryDelayEvent,
    DeliveryEvent,
    EventParseError,
    OpenEvent,
    RejectEvent,
    RenderingFailureEvent,
    SendEvent,
    SesEvent,
    SubscriptionEvent,
    TopicPreferences,
)

MESSAGE_ID = "EXAMPLE7c191be45-e9aedb9a-02f9-4d12-a87d-dd0099a07f8a-000000"

# The `mail` object shared by the event-publishing samples: full headers, commonHeaders
# and tags, as a configuration set publishes them.
MAIL = """
  "mail": {
    "timestamp": "2017-08-05T00:40:02.012Z",
    "source": "Sender Name <sender@example.com>",
    "sourceArn": "arn:aws:ses:us-east-1:123456789012:identity/sender@example.com",
    "sendingAccountId": "123456789012",
    "messageId": "EXAMPLE7c191be45-e9aedb9a-02f9-4d12-a87d-dd0099a07f8a-000000",
    "destination": ["recipient@example.com"],
    "headersTruncated": false,
    "headers": [
      {"name": "From", "value": "Sender Name <sender@example.com>"},
      {"name": "To", "value": "recipient@example.com"},
      {"name": "Subject", "value": "Message sent from Amazon SES"},
      {"name": "MIME-Version", "value": "1.0"},
      {"name": "Content-Type",
       "value": "multipart/alternative; boundary=\\"----=_Part_7307378_1629847660.15168407\\""},
      {"name": "X-SES-MESSAGE-TAGS",
       "value": "myCustomTag1=myCustomTagValue1, myCustomTag2=myCustomTagValue2"}
    ],
    "commonHeaders": {
      "from": ["Sender Name <sender@example.com>"],
      "to": ["recipient@example.com"],
      "messageId": "EXAMPLE7c191be45-e9aedb9a-02f9-4d12-a87d-dd0099a07f8a-000000",
      "subject": "Message sent from Amazon SES"
    },
    "tags": {
      "ses:configuration-set": ["ConfigSet"],
      "ses:source-ip": ["192.0.2.0"],
      "ses:from-domain": ["example.com"],
      "ses:caller-identity": ["ses_user"],
      "ses:operation": ["SendEmail"],
      "myCustomTag1": ["myCustomTagValue1"],
      "myCustomTag2": ["myCustomTagValue2"]
    }
  }
"""

SEND = (
    """{
  "eventType": "Send",
"""
    + MAIL
    + """,
  "send": {}
}"""
)

DELIVERY = (
    """{
  "eventType": "Delivery",
"""
    + MAIL
    + """,
  "delivery": {
    "timestamp": "2017-08-05T00:40:13.133Z",
    "processingTimeMillis": 11121,
    "recipients": ["recipient@example.com"],
    "smtpResponse": "250 2.6.0 Message received",
    "reportingMTA": "a8-70.smtp-out.amazonses.com"
  }
}"""
)

BOUNCE = (
    """{
  "eventType": "Bounce",
  "bounce": {
    "bounceType": "Permanent",
    "bounceSubType": "General",
    "bouncedRecipients": [
      {
        "emailAddress": "recipient@example.com",
        "action": "failed",
        "status": "5.1.1",
        "diagnosticCode": "smtp; 550 5.1.1 user unknown"
      }
    ],
    "timestamp": "2017-08-05T00:41:02.669Z",
    "feedbackId": "01000157c44f053b-61b59c11-9236-11e6-8f96-7be8aexample-000000",
    "reportingMTA": "dsn; mta.example.com"
  },
"""
    + MAIL
    + "}"
)

COMPLAINT = (
    """{
  "eventType": "Complaint",
  "complaint": {
    "complainedRecipients": [{"emailAddress": "recipient@example.com"}],
    "timestamp": "2017-08-05T00:41:02.669Z",
    "feedbackId": "01000157c44f053b-61b59c11-9236-11e6-8f96-7be8aexample-000000",
    "userAgent": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/60.0.3112.90",
    "complaintFeedbackType": "abuse",
    "complaintSubType": null,
    "arrivalDate": "2017-08-05T00:41:02.669Z"
  },
"""
    + MAIL
    + "}"
)

REJECT = (
    """{
  "eventType": "Reject",
"""
    + MAIL
    + """,
  "reject": {"reason": "Bad content"}
}"""
)

OPEN = (
    """{
  "eventType": "Open",
"""
    + MAIL
    + """,
  "open": {
    "ipAddress": "192.0.2.1",
    "timestamp": "2017-08-09T22:00:19.652Z",
    "userAgent": "Mozilla/5.0 (iPhone; CPU iPhone OS 10_3_3 like Mac OS X) Mobile/14G60"
  }
}"""
)

CLICK = (
    """{
  "eventType": "Click",
  "click": {
    "ipAddress": "192.0.2.1",
    "link": "https://docs.aws.amazon.com/ses/latest/DeveloperGuide/send-email-smtp.html",
    "linkTags": {"samplekey0": ["samplevalue0"], "samplekey1": ["samplevalue1", "other"]},
    "timestamp": "2017-08-09T23:51:25.570Z",
    "userAgent": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/60.0.3112.90"
  },
"""
    + MAIL
    + "}"
)

RENDERING_FAILURE = """{
  "eventType": "Rendering Failure",
  "mail": {
    "timestamp": "2018-01-22T18:43:06.197Z",
    "source": "sender@example.com",
    "sourceArn": "arn:aws:ses:us-east-1:123456789012:identity/sender@example.com",
    "sendingAccountId": "123456789012",
    "messageId": "EXAMPLE7c191be45-e9aedb9a-02f9-4d12-a87d-dd0099a07f8a-000000",
    "destination": ["recipient@example.com"],
    "headersTruncated": false,
    "tags": {"ses:configuration-set": ["ConfigSet"]}
  },
  "failure": {
    "errorMessage": "Attribute 'attributeName' is not present in the rendering data.",
    "templateName": "MyTemplate"
  }
}"""

DELIVERY_DELAY = """{
  "eventType": "DeliveryDelay",
  "mail": {
    "timestamp": "2020-06-16T00:15:40.641Z",
    "source": "sender@example.com",
    "sourceArn": "arn:aws:ses:us-east-1:123456789012:identity/sender@example.com",
    "sendingAccountId": "123456789012",
    "messageId": "EXAMPLE7c191be45-e9aedb9a-02f9-4d12-a87d-dd0099a07f8a-000000",
    "destination": ["recipient@example.com"],
    "headersTruncated": false,
    "tags": {"ses:configuration-set": ["ConfigSet"]}
  },
  "deliveryDelay": {
    "timestamp": "2020-06-16T00:25:40.095Z",
    "delayType": "TransientCommunicationFailure",
    "expirationTime": "2020-06-16T00:25:40.914Z",
    "delayedRecipients": [{
      "emailAddress": "recipient@example.com",
      "status": "4.4.1",
      "diagnosticCode": "smtp; 421 4.4.1 Unable to connect to remote host"
    }]
  }
}"""

SUBSCRIPTION = (
    """{
  "eventType": "Subscription",
"""
    + MAIL
    + """,
  "subscription": {
    "contactList": "ContactListName",
    "timestamp": "2022-01-12T01:00:17.910Z",
    "source": "UnsubscribeHeader",
    "newTopicPreferences": {
      "unsubscribeAll": true,
      "topicSubscriptionStatus": [
        {"topicName": "ExampleTopicName", "subscriptionStatus": "OptOut"}
      ]
    },
    "oldTopicPreferences": {
      "unsubscribeAll": false,
      "topicSubscriptionStatus": [
        {"topicName": "ExampleTopicName", "subscriptionStatus": "OptIn"},
        {"topicName": "Other", "subscriptionStatus": "OptIn"}
      ]
    }
  }
}"""
)

# Identity notifications (`notificationType`): no tags, `sourceIp`/`callerIdentity`,
# `remoteMtaIp`, and timestamps in the forms the notification docs show.
NOTIFICATION_BOUNCE = """{
  "notificationType": "Bounce",
  "bounce": {
    "bounceType": "Permanent",
    "reportingMTA": "dns; email.example.com",
    "bouncedRecipients": [
      {
        "emailAddress": "jane@example.com",
        "status": "5.1.1",
        "action": "failed",
        "diagnosticCode": "smtp; 550 5.1.1 <jane@example.com>... User"
      },
      {"emailAddress": "richard@example.com"}
    ],
    "bounceSubType": "General",
    "timestamp": "2016-01-27T14:59:38.237Z",
    "feedbackId": "00000138111222aa-33322211-cccc-cccc-cccc-ddddaaaa068a-000000",
    "remoteMtaIp": "127.0.2.0"
  },
  "mail": {
    "timestamp": "2018-10-08T14:05:45 +0000",
    "source": "john@example.com",
    "sourceArn": "arn:aws:ses:us-east-1:888888888888:identity/example.com",
    "sourceIp": "127.0.3.0",
    "sendingAccountId": "123456789012",
    "callerIdentity": "IAM_user_or_role_name",
    "messageId": "00000138111222aa-33322211-cccc-cccc-cccc-ddddaaaa0680-000000",
    "destination": ["jane@example.com", "mary@example.com", "richard@example.com"],
    "headersTruncated": false,
    "headers": [
      {"name": "From", "value": "\\"John Doe\\" <john@example.com>"},
      {"name": "To",
       "value": "\\"Jane Doe\\" <jane@example.com>, \\"Mary Doe\\" <mary@example.com>"},
      {"name": "Message-ID", "value": "custom-message-ID"},
      {"name": "Subject", "value": "Hello"},
      {"name": "Content-Type", "value": "text/plain; charset=\\"UTF-8\\""},
      {"name": "Content-Transfer-Encoding", "value": "base64"},
      {"name": "Date", "value": "Wed, 27 Jan 2016 14:05:45 +0000"}
    ],
    "commonHeaders": {
      "from": ["John Doe <john@example.com>"],
      "date": "Wed, 27 Jan 2016 14:05:45 +0000",
      "to": ["Jane Doe <jane@example.com>, Mary Doe <mary@example.com>"],
      "messageId": "custom-message-ID",
      "subject": "Hello"
    }
  }
}"""

NOTIFICATION_COMPLAINT = """{
  "notificationType": "Complaint",
  "complaint": {
    "userAgent": "AnyCompany Feedback Loop (V0.01)",
    "complainedRecipients": [{"emailAddress": "richard@example.com"}],
    "complaintFeedbackType": "abuse",
    "arrivalDate": "2016-01-27T14:59:38.237Z",
    "timestamp": "2016-01-27T14:59:38.237Z",
    "feedbackId": "000001378603177f-18c07c78-fa81-4a58-9dd1-fedc3cb8f49a-000000"
  },
  "mail": {
    "timestamp": "2016-01-27T14:59:38.237Z",
    "messageId": "000001378603177f-7a5433e7-8edb-42ae-af10-f0181f34d6ee-000000",
    "source": "john@example.com",
    "sourceArn": "arn:aws:ses:us-east-1:888888888888:identity/example.com",
    "sourceIp": "127.0.3.0",
    "sendingAccountId": "123456789012",
    "callerIdentity": "IAM_user_or_role_name",
    "destination": ["jane@example.com", "mary@example.com", "richard@example.com"]
  }
}"""

NOTIFICATION_DELIVERY = """{
  "notificationType": "Delivery",
  "mail": {
    "timestamp": "2016-01-27T14:59:38.237Z",
    "messageId": "0000014644fe5ef6-9a483358-9170-4cb4-a269-f5dcdf415321-000000",
    "source": "john@example.com",
    "sourceArn": "arn:aws:ses:us-east-1:888888888888:identity/example.com",
    "sourceIp": "127.0.3.0",
    "sendingAccountId": "123456789012",
    "callerIdentity": "IAM_user_or_role_name",
    "destination": ["jane@example.com"]
  },
  "delivery": {
    "timestamp": "2016-01-27T14:59:38.237Z",
    "recipients": ["jane@example.com"],
    "processingTimeMillis": 546,
    "reportingMTA": "a8-70.smtp-out.amazonses.com",
    "smtpResponse": "250 ok:  Message 64111812 accepted",
    "remoteMtaIp": "127.0.2.0"
  }
}"""

ALL_SAMPLES = {
    "Send": (SEND, SendEvent),
    "Delivery": (DELIVERY, DeliveryEvent),
    "Bounce": (BOUNCE, BounceEvent),
    "Complaint": (COMPLAINT, ComplaintEvent),
    "Reject": (REJECT, RejectEvent),
    "Open": (OPEN, OpenEvent),
    "Click": (CLICK, ClickEvent),
    "Rendering Failure": (RENDERING_FAILURE, RenderingFailureEvent),
    "DeliveryDelay": (DELIVERY_DELAY, DeliveryDelayEvent),
    "Subscription": (SUBSCRIPTION, SubscriptionEvent),
    "notification Bounce": (NOTIFICATION_BOUNCE, BounceEvent),
    "notification Complaint": (NOTIFICATION_COMPLAINT, ComplaintEvent),
    "notification Delivery": (NOTIFICATION_DELIVERY, DeliveryEvent),
}


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def record(text: str) -> dict[str, Any]:
    decoded: dict[str, Any] = json.loads(text)
    return decoded


# -- every event type ------------------------------------------------------------------


@pytest.mark.parametrize(("text", "cls"), ALL_SAMPLES.values(), ids=list(ALL_SAMPLES))
def test_every_sample_parses_to_its_class_and_keeps_raw(text: str, cls: type[SesEvent]) -> None:
    event = parse_event(text)
    assert type(event) is cls
    assert event.raw == json.loads(text)
    assert event.timestamp.tzinfo is UTC
    data = json.loads(text)
    assert event.is_notification == ("notificationType" in data)
    assert event.event_type == data.get("eventType", data.get("notificationType"))


def test_base_fields_come_from_mail() -> None:
    event = parse_event(SEND)
    assert isinstance(event, SendEvent)
    assert event.event_type == "Send"
    assert event.message_id == MESSAGE_ID
    assert event.timestamp == at("2017-08-05T00:40:02.012")
    assert event.source == "Sender Name <sender@example.com>"
    assert event.source_arn == "arn:aws:ses:us-east-1:123456789012:identity/sender@example.com"
    assert event.sending_account_id == "123456789012"
    assert event.destination == ("recipient@example.com",)
    assert event.tags["ses:configuration-set"] == ("ConfigSet",)
    assert event.tags["myCustomTag2"] == ("myCustomTagValue2",)
    assert len(event.tags) == 7
    assert event.headers[0] == ("From", "Sender Name <sender@example.com>")
    assert event.headers[-1][0] == "X-SES-MESSAGE-TAGS"
    assert len(event.headers) == 6
    assert event.common_headers["subject"] == "Message sent from Amazon SES"
    assert event.common_headers["to"] == ["recipient@example.com"]
    assert event.headers_truncated is False
    assert event.is_notification is False


def test_delivery() -> None:
    event = parse_event(DELIVERY)
    assert isinstance(event, DeliveryEvent)
    assert event.delivered_at == at("2017-08-05T00:40:13.133")
    assert event.processing_time_millis == 11121
    assert event.recipients == ("recipient@example.com",)
    assert event.smtp_response == "250 2.6.0 Message received"
    assert event.reporting_mta == "a8-70.smtp-out.amazonses.com"
    assert event.remote_mta_ip is None


def test_bounce() -> None:
    event = parse_event(BOUNCE)
    assert isinstance(event, BounceEvent)
    assert event.bounce_type == "Permanent"
    assert event.bounce_sub_type == "General"
    assert event.is_permanent
    assert event.bounced_recipients == (
        BouncedRecipient(
            email_address="recipient@example.com",
            action="failed",
            status="5.1.1",
            diagnostic_code="smtp; 550 5.1.1 user unknown",
        ),
    )
    assert event.feedback_id == "01000157c44f053b-61b59c11-9236-11e6-8f96-7be8aexample-000000"
    assert event.bounced_at == at("2017-08-05T00:41:02.669")
    assert event.reporting_mta == "dsn; mta.example.com"
    assert event.remote_mta_ip is None


def test_complaint() -> None:
    event = parse_event(COMPLAINT)
    assert isinstance(event, ComplaintEvent)
    assert event.complained_recipients == ("recipient@example.com",)
    assert event.complaint_feedback_type == "abuse"
    assert event.complaint_sub_type is None  # JSON null
    assert (event.user_agent or "").startswith("Mozilla/5.0")
    assert event.feedback_id == "01000157c44f053b-61b59c11-9236-11e6-8f96-7be8aexample-000000"
    assert event.complained_at == at("2017-08-05T00:41:02.669")
    assert event.arrival_date == at("2017-08-05T00:41:02.669")


def test_reject() -> None:
    event = parse_event(REJECT)
    assert isinstance(event, RejectEvent)
    assert event.reason == "Bad content"


def test_open() -> None:
    event = parse_event(OPEN)
    assert isinstance(event, OpenEvent)
    assert event.ip_address == "192.0.2.1"
    assert "iPhone" in (event.user_agent or "")
    assert event.opened_at == at("2017-08-09T22:00:19.652")


def test_click() -> None:
    event = parse_event(CLICK)
    assert isinstance(event, ClickEvent)
    assert (
        event.link == "https://docs.aws.amazon.com/ses/latest/DeveloperGuide/send-email-smtp.html"
    )
    assert dict(event.link_tags) == {
        "samplekey0": ("samplevalue0",),
        "samplekey1": ("samplevalue1", "other"),
    }
    assert event.ip_address == "192.0.2.1"
    assert event.user_agent is not None
    assert event.clicked_at == at("2017-08-09T23:51:25.570")


def test_rendering_failure_has_a_space_and_its_details_under_failure() -> None:
    event = parse_event(RENDERING_FAILURE)
    assert isinstance(event, RenderingFailureEvent)
    assert event.event_type == "Rendering Failure"
    assert event.template_name == "MyTemplate"
    assert event.error_message == "Attribute 'attributeName' is not present in the rendering data."
    # No headers in this record: defaults, not errors.
    assert event.headers == ()
    assert dict(event.common_headers) == {}


def test_rendering_failure_without_the_space_is_accepted_and_kept_as_given() -> None:
    data = record(RENDERING_FAILURE)
    data["eventType"] = "RenderingFailure"
    event = parse_event(data)
    assert isinstance(event, RenderingFailureEvent)
    assert event.event_type == "RenderingFailure"


def test_delivery_delay() -> None:
    event = parse_event(DELIVERY_DELAY)
    assert isinstance(event, DeliveryDelayEvent)
    assert event.delay_type == "TransientCommunicationFailure"
    assert event.delayed_recipients == (
        DelayedRecipient(
            email_address="recipient@example.com",
            status="4.4.1",
            diagnostic_code="smtp; 421 4.4.1 Unable to connect to remote host",
        ),
    )
    assert event.expiration_time == at("2020-06-16T00:25:40.914")
    assert event.delayed_at == at("2020-06-16T00:25:40.095")
    assert event.reporting_mta is None


def test_delivery_delay_is_not_a_bounce() -> None:
    event = parse_event(DELIVERY_DELAY)
    assert not isinstance(event, BounceEvent)
    assert not hasattr(event, "is_permanent")
    assert not hasattr(event, "bounce_type")


@pytest.mark.parametrize(
    "delay_type",
    [
        "InternalFailure",
        "General",
        "MailboxFull",
        "SpamDetected",
        "RecipientServerError",
        "IPFailure",
        "TransientCommunicationFailure",
        "BYOIPHostNameLookupUnavailable",
        "Undetermined",
        "SendingDeferral",
        "SomethingSesAddsNextYear",
    ],
)
def test_delay_types_are_open_strings(delay_type: str) -> None:
    data = record(DELIVERY_DELAY)
    data["deliveryDelay"]["delayType"] = delay_type
    event = parse_event(data)
    assert isinstance(event, DeliveryDelayEvent)
    assert event.delay_type == delay_type


def test_subscription() -> None:
    event = parse_event(SUBSCRIPTION)
    assert isinstance(event, SubscriptionEvent)
    assert event.contact_list == "ContactListName"
    assert event.subscribed_at == at("2022-01-12T01:00:17.910")
    assert event.subscription_source == "UnsubscribeHeader"
    assert event.source == "Sender Name <sender@example.com>"  # the sender, not the change
    assert event.new_topic_preferences == TopicPreferences(
        unsubscribe_all=True, topic_subscription_statuses={"ExampleTopicName": "OptOut"}
    )
    old = event.old_topic_preferences
    assert old is not None
    assert old.unsubscribe_all is False
    assert dict(old.topic_subscription_statuses) == {"ExampleTopicName": "OptIn", "Other": "OptIn"}


def test_subscription_preferences_may_be_partial_or_missing() -> None:
    data = record(SUBSCRIPTION)
    data["subscription"] = {
        "timestamp": "2022-01-12T01:00:17.910Z",
        "newTopicPreferences": {"unsubscribeAll": True},
    }
    event = parse_event(data)
    assert isinstance(event, SubscriptionEvent)
    assert event.new_topic_preferences == TopicPreferences(unsubscribe_all=True)
    assert event.old_topic_preferences is None
    assert event.contact_list is None
    assert event.subscription_source is None


def test_topic_statuses_given_as_a_mapping_are_accepted() -> None:
    data = record(SUBSCRIPTION)
    data["subscription"]["newTopicPreferences"]["topicSubscriptionStatus"] = {"News": "OptIn"}
    event = parse_event(data)
    assert isinstance(event, SubscriptionEvent)
    assert event.new_topic_preferences is not None
    assert dict(event.new_topic_preferences.topic_subscription_statuses) == {"News": "OptIn"}


# -- identity notifications ------------------------------------------------------------


def test_notification_bounce() -> None:
    event = parse_event(NOTIFICATION_BOUNCE)
    assert isinstance(event, BounceEvent)
    assert event.is_notification
    assert event.event_type == "Bounce"
    # The notification docs write this one with a space before the offset.
    assert event.timestamp == at("2018-10-08T14:05:45")
    assert event.remote_mta_ip == "127.0.2.0"
    assert event.reporting_mta == "dns; email.example.com"
    assert [r.email_address for r in event.bounced_recipients] == [
        "jane@example.com",
        "richard@example.com",
    ]
    without_dsn = event.bounced_recipients[1]
    assert (without_dsn.action, without_dsn.status, without_dsn.diagnostic_code) == (None,) * 3
    assert event.tags == {}  # identity notifications carry no tags
    assert ("Message-ID", "custom-message-ID") in event.headers
    assert event.common_headers["date"] == "Wed, 27 Jan 2016 14:05:45 +0000"


def test_notification_complaint() -> None:
    event = parse_event(NOTIFICATION_COMPLAINT)
    assert isinstance(event, ComplaintEvent)
    assert event.is_notification
    assert event.complained_recipients == ("richard@example.com",)
    assert event.complaint_sub_type is None  # absent entirely here
    assert event.user_agent == "AnyCompany Feedback Loop (V0.01)"
    assert event.headers == ()
    assert event.headers_truncated is False
    assert event.raw["mail"]["callerIdentity"] == "IAM_user_or_role_name"  # kept in raw


def test_notification_delivery() -> None:
    event = parse_event(NOTIFICATION_DELIVERY)
    assert isinstance(event, DeliveryEvent)
    assert event.is_notification
    assert event.processing_time_millis == 546
    assert event.remote_mta_ip == "127.0.2.0"
    assert event.recipients == ("jane@example.com",)


def test_notification_types_beyond_the_three_parse_to_the_base_class() -> None:
    data = record(NOTIFICATION_DELIVERY)
    data["notificationType"] = "Received"
    event = parse_event(data)
    assert type(event) is SesEvent
    assert event.is_notification
    assert event.event_type == "Received"


def test_event_type_wins_over_notification_type() -> None:
    data = record(BOUNCE)
    data["notificationType"] = "Delivery"
    event = parse_event(data)
    assert isinstance(event, BounceEvent)
    assert not event.is_notification


# -- bounce types ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("bounce_type", "permanent"),
    [("Permanent", True), ("Transient", False), ("Undetermined", False), ("Weird", False)],
)
def test_is_permanent(bounce_type: str, permanent: bool) -> None:
    data = record(BOUNCE)
    data["bounce"]["bounceType"] = bounce_type
    event = parse_event(data)
    assert isinstance(event, BounceEvent)
    assert event.bounce_type == bounce_type
    assert event.is_permanent is permanent


def test_is_permanent_is_false_without_a_bounce_type() -> None:
    event = BounceEvent(message_id="m", timestamp=datetime.now(UTC), source="s")
    assert event.bounce_type is None
    assert not event.is_permanent


# -- unknown types, unknown and missing fields -----------------------------------------


def test_an_unknown_event_type_gives_a_plain_event_with_raw_kept() -> None:
    data = record(SEND)
    del data["send"]
    data["eventType"] = "Teleport"
    data["teleport"] = {"destination": "Mars", "timestamp": "not even a time"}
    event = parse_event(data)
    assert type(event) is SesEvent
    assert event.event_type == "Teleport"
    assert event.message_id == MESSAGE_ID
    assert event.raw["teleport"] == {"destination": "Mars", "timestamp": "not even a time"}
    assert event.raw == data


def test_unknown_fields_are_ignored_but_kept_in_raw() -> None:
    data = record(BOUNCE)
    data["newTopLevel"] = {"a": [1, 2]}
    data["mail"]["futureMailField"] = "x"
    data["bounce"]["futureBounceField"] = 42
    data["bounce"]["bouncedRecipients"][0]["futureRecipientField"] = None
    event = parse_event(data)
    assert isinstance(event, BounceEvent)
    plain = parse_event(BOUNCE)
    assert dataclasses.replace(event, raw=plain.raw) == plain
    assert event.raw["newTopLevel"] == {"a": [1, 2]}
    assert event.raw["mail"]["futureMailField"] == "x"
    assert event.raw["bounce"]["futureBounceField"] == 42


def test_missing_optional_fields_become_none() -> None:
    data = {
        "eventType": "Bounce",
        "mail": {"messageId": "m-1", "timestamp": "2024-01-01T00:00:00Z", "source": "a@b.c"},
        "bounce": {"bounceType": "Transient"},
    }
    event = parse_event(data)
    assert isinstance(event, BounceEvent)
    assert event.bounce_sub_type is None
    assert event.feedback_id is None
    assert event.bounced_at is None
    assert event.bounced_recipients == ()
    assert event.source_arn is None
    assert event.sending_account_id is None
    assert event.destination == ()
    assert event.tags == {}
    assert event.headers == ()
    assert event.common_headers == {}
    assert event.headers_truncated is False


@pytest.mark.parametrize("name", ["Send", "Delivery", "Bounce", "Click", "Subscription"])
def test_a_missing_detail_object_reads_as_empty(name: str) -> None:
    data = {
        "eventType": name,
        "mail": {"messageId": "m-1", "timestamp": "2024-01-01T00:00:00Z", "source": "a@b.c"},
    }
    event = parse_event(data)
    assert type(event) is ALL_SAMPLES[name][1]
    for f in dataclasses.fields(event):
        if f.name not in {x.name for x in dataclasses.fields(SesEvent)}:
            assert getattr(event, f.name) in (None, (), {}), f.name


def test_headers_truncated_given_as_a_string() -> None:
    data = record(SEND)
    data["mail"]["headersTruncated"] = "true"
    assert parse_event(data).headers_truncated is True


def test_a_lone_tag_string_is_one_value() -> None:
    data = record(SEND)
    data["mail"]["tags"]["single"] = "value"
    assert parse_event(data).tags["single"] == ("value",)


def test_an_unreadable_arrival_date_does_not_cost_the_complaint() -> None:
    data = record(COMPLAINT)
    data["complaint"]["arrivalDate"] = "sometime last week"
    event = parse_event(data)
    assert isinstance(event, ComplaintEvent)
    assert event.arrival_date is None
    assert event.complained_at is not None


# -- input forms -----------------------------------------------------------------------


@pytest.mark.parametrize(("text", "cls"), ALL_SAMPLES.values(), ids=list(ALL_SAMPLES))
def test_text_bytes_and_dict_input_agree(text: str, cls: type[SesEvent]) -> None:
    from_text = parse_event(text)
    from_bytes = parse_event(text.encode())
    from_dict = parse_event(json.loads(text))
    assert from_text == from_bytes == from_dict
    assert hash(from_text) == hash(from_dict)


def test_bytes_with_a_bom_are_accepted() -> None:
    assert parse_event(b"\xef\xbb\xbf" + SEND.encode()).message_id == MESSAGE_ID


def test_raw_is_the_record_as_given_and_read_only() -> None:
    data = record(SEND)
    event = parse_event(data)
    assert event.raw == data
    with pytest.raises(TypeError):
        event.raw["eventType"] = "Bounce"  # type: ignore[index]
    with pytest.raises(TypeError):
        event.tags["new"] = ("x",)  # type: ignore[index]
    with pytest.raises(dataclasses.FrozenInstanceError):
        event.message_id = "other"  # type: ignore[misc]


# -- timestamps ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2017-08-05T00:41:02.669Z", "2017-08-05T00:41:02.669"),
        ("2017-08-05T00:41:02Z", "2017-08-05T00:41:02"),
        ("2017-08-05T00:41:02+00:00", "2017-08-05T00:41:02"),
        ("2017-08-05T00:41:02.669+00:00", "2017-08-05T00:41:02.669"),
        ("2017-08-05T00:41:02+0000", "2017-08-05T00:41:02"),
        ("2018-10-08T14:05:45 +0000", "2018-10-08T14:05:45"),
        ("2009-12-03T04:24:21.000-05:00", "2009-12-03T09:24:21"),
        ("2017-08-05T02:41:02+02:00", "2017-08-05T00:41:02"),
        ("2017-08-05T00:41:02.123456789Z", "2017-08-05T00:41:02.123456"),
        ("2017-08-05T00:41:02.6Z", "2017-08-05T00:41:02.600"),
        ("2017-08-05 00:41:02", "2017-08-05T00:41:02"),
        ("2017-08-05T00:41:02", "2017-08-05T00:41:02"),
        ("2017-08-05t00:41:02z", "2017-08-05T00:41:02"),
        ("2017-08-05 00:41:02 UTC", "2017-08-05T00:41:02"),
        ("  2017-08-05T00:41:02Z \n", "2017-08-05T00:41:02"),
        ("2017-08-05", "2017-08-05T00:00:00"),
        ("Sat, 05 Aug 2017 00:41:02 +0000", "2017-08-05T00:41:02"),
        ("Sat, 05 Aug 2017 02:41:02 +0200", "2017-08-05T00:41:02"),
        ("1501893662", "2017-08-05T00:41:02"),
        ("1501893662669", "2017-08-05T00:41:02.669"),
        ("20170805", "2017-08-05T00:00:00"),
        ("20170805T004102Z", "2017-08-05T00:41:02"),
    ],
)
def test_parse_timestamp_formats(text: str, expected: str) -> None:
    parsed = parse_timestamp(text)
    assert parsed == at(expected)
    assert parsed.tzinfo is UTC


def test_parse_timestamp_numbers_and_datetimes() -> None:
    assert parse_timestamp(1501893662) == at("2017-08-05T00:41:02")
    assert parse_timestamp(1501893662.669) == at("2017-08-05T00:41:02.669")
    assert parse_timestamp(1501893662669) == at("2017-08-05T00:41:02.669")  # milliseconds
    assert parse_timestamp(datetime(2017, 8, 5, 0, 41, 2)) == at("2017-08-05T00:41:02")
    plus_two = timezone(timedelta(hours=2))
    converted = parse_timestamp(datetime(2017, 8, 5, 2, 41, 2, tzinfo=plus_two))
    assert converted == at("2017-08-05T00:41:02")
    assert converted.tzinfo is UTC


@pytest.mark.parametrize(
    "garbage",
    [
        "",
        "   ",
        "yesterday",
        "2017-13-45T00:00:00Z",
        "2017-08-05T25:00:00Z",
        "2017-08-05T00:41:02+99:00",
        "0001-01-01T00:00:00+01:00",  # out of range once moved to UTC
        "9" * 400,
        "x" * 10_000,
        True,
        None,
        [],
        {},
        float("nan"),
        float("inf"),
        10**400,
    ],
)
def test_parse_timestamp_rejects_garbage(garbage: object) -> None:
    with pytest.raises(EventParseError):
        parse_timestamp(garbage)


def test_a_bad_timestamp_in_a_record_names_the_field() -> None:
    data = record(BOUNCE)
    data["bounce"]["timestamp"] = "the day after tomorrow"
    with pytest.raises(EventParseError, match=r"bounce\.timestamp") as caught:
        parse_event(data)
    assert caught.value.field == "bounce.timestamp"
    assert caught.value.event_type == "Bounce"


# -- bad input -------------------------------------------------------------------------


def test_event_parse_error_is_a_value_error_and_a_sesflow_error() -> None:
    assert issubclass(EventParseError, ValueError)
    assert issubclass(EventParseError, sesflow.SesflowError)


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ("", "not valid JSON"),
        ("{not json", "not valid JSON"),
        ("[1, 2]", "not a JSON object"),
        ('"a string"', "not a JSON object"),
        ("null", "not a JSON object"),
        (b"\xff\xfe\x00garbage", "not"),
        ("Successfully validated SNS topic for Amazon SES event publishing.", "not valid JSON"),
        (42, "expected a JSON object"),
        (None, "expected a JSON object"),
        (["eventType", "Send"], "expected a JSON object"),
    ],
)
def test_input_that_is_not_a_json_object(bad: Any, message: str) -> None:
    with pytest.raises(EventParseError, match=message):
        parse_event(bad)


def test_a_record_without_mail_says_so() -> None:
    data = record(BOUNCE)
    del data["mail"]
    with pytest.raises(EventParseError, match="no 'mail' object") as caught:
        parse_event(data)
    assert caught.value.field == "mail"
    assert caught.value.event_type == "Bounce"


def test_the_ses_topic_test_notification_is_recognisable() -> None:
    # SES sends this when an identity's notification topic is set; it has no `mail`.
    body = json.dumps(
        {
            "notificationType": "AmazonSnsSubscriptionSucceeded",
            "message": "You have successfully subscribed your Amazon SNS topic ...",
        }
    )
    with pytest.raises(EventParseError) as caught:
        parse_event(body)
    assert caught.value.event_type == "AmazonSnsSubscriptionSucceeded"


def test_a_record_without_a_type_says_so() -> None:
    data = record(BOUNCE)
    del data["eventType"]
    with pytest.raises(EventParseError, match="neither 'eventType' nor 'notificationType'"):
        parse_event(data)


@pytest.mark.parametrize("missing", ["messageId", "timestamp", "source"])
def test_required_mail_fields(missing: str) -> None:
    data = record(SEND)
    del data["mail"][missing]
    with pytest.raises(EventParseError, match=rf"mail\.{missing}: is missing") as caught:
        parse_event(data)
    assert caught.value.field == f"mail.{missing}"


@pytest.mark.parametrize(
    ("path", "value", "where"),
    [
        (("eventType",), 7, "eventType"),
        (("mail",), "text", "mail"),
        (("mail", "messageId"), 12, "mail.messageId"),
        (("mail", "destination"), "a@b.c", "mail.destination"),
        (("mail", "destination"), ["a@b.c", 3], "mail.destination[1]"),
        (("mail", "tags"), ["x"], "mail.tags"),
        (("mail", "tags", "ses:configuration-set"), [1], "mail.tags.ses:configuration-set[0]"),
        (("mail", "headers"), [{"value": "v"}], "mail.headers[0].name"),
        (("mail", "headersTruncated"), "maybe", "mail.headersTruncated"),
        (("bounce",), ["not", "an", "object"], "bounce"),
        (("bounce", "bounceType"), 5, "bounce.bounceType"),
        (("bounce", "bouncedRecipients"), [{"status": "5.1.1"}], "bounce.bouncedRecipients[0]"),
        (("bounce", "bouncedRecipients"), ["x@y.z"], "bounce.bouncedRecipients[0]"),
    ],
)
def test_wrong_types_name_the_field(path: tuple[str, ...], value: Any, where: str) -> None:
    data = record(BOUNCE)
    target = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    with pytest.raises(EventParseError) as caught:
        parse_event(data)
    assert caught.value.field is not None
    assert caught.value.field.startswith(where)
    assert where in str(caught.value)


def test_processing_time_must_be_a_whole_number() -> None:
    data = record(DELIVERY)
    data["delivery"]["processingTimeMillis"] = "546"
    event = parse_event(data)
    assert isinstance(event, DeliveryEvent)
    assert event.processing_time_millis == 546
    data["delivery"]["processingTimeMillis"] = 1.5
    with pytest.raises(EventParseError, match="processingTimeMillis"):
        parse_event(data)


# -- the records themselves ------------------------------------------------------------


def test_repr_is_readable_and_leaves_out_raw_and_headers() -> None:
    event = parse_event(BOUNCE)
    text = repr(event)
    assert text.startswith("BounceEvent(event_type='Bounce', message_id=")
    assert "timestamp=2017-08-05T00:40:02.012000+00:00" in text
    assert "bounce_type='Permanent'" in text
    assert "raw=" not in text
    assert "headers" not in text
    assert "Content-Type" not in text
    assert "remote_mta_ip" not in text  # None is left out
    assert len(text) < len(BOUNCE) / 2


def test_events_can_be_built_by_keyword() -> None:
    now = datetime(2024, 1, 1, tzinfo=UTC)
    event = ClickEvent(
        message_id="m-1",
        timestamp=now,
        source="me@example.com",
        link="https://example.com",
        link_tags={"campaign": ("spring",)},
    )
    assert event.event_type == "Click"
    assert event.link_tags["campaign"] == ("spring",)
    assert RenderingFailureEvent(message_id="m", timestamp=now, source="s").event_type == (
        "Rendering Failure"
    )
    assert DeliveryDelayEvent(message_id="m", timestamp=now, source="s").event_type == (
        "DeliveryDelay"
    )


PUBLIC = sorted({*_records.__all__, *_parse.__all__})


def test_the_modules_export_the_agreed_names() -> None:
    agreed = sorted(
        [
            "BounceEvent",
            "BouncedRecipient",
            "ClickEvent",
            "ComplaintEvent",
            "DelayedRecipient",
            "DeliveryDelayEvent",
            "DeliveryEvent",
            "EventParseError",
            "OpenEvent",
            "RejectEvent",
            "RenderingFailureEvent",
            "SendEvent",
            "SesEvent",
            "SubscriptionEvent",
            "TopicPreferences",
            "parse_event",
            "parse_timestamp",
        ]
    )
    assert agreed == PUBLIC


@pytest.mark.parametrize("name", PUBLIC)
def test_every_public_name_has_a_docstring_with_an_example(name: str) -> None:
    obj = getattr(_records, name, None) or getattr(_parse, name)
    doc = inspect.getdoc(obj) or ""
    assert "Examples:" in doc, name
    for attr, member in vars(obj).items() if isinstance(obj, type) else ():
        if isinstance(member, property):
            assert ">>>" in (inspect.getdoc(member.fget) or ""), f"{name}.{attr}"


# -- properties ------------------------------------------------------------------------

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12)
)
json_values = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)

timestamps = (
    st.datetimes(
        min_value=datetime(1971, 1, 1),
        max_value=datetime(9998, 1, 1),
        timezones=st.sampled_from([UTC, timezone(timedelta(hours=-5)), timezone.max]),
    ).map(datetime.isoformat)
    | st.sampled_from(["2017-08-05T00:41:02.669Z", "2018-10-08T14:05:45 +0000", "garbage"])
    | json_values
)
text_or_any = st.text(max_size=12) | json_values
texts = st.text(max_size=12)
text_lists = st.lists(st.text(max_size=8), max_size=3)
good_timestamps = st.datetimes(
    min_value=datetime(1971, 1, 1),
    max_value=datetime(9998, 1, 1),
    timezones=st.sampled_from([UTC, timezone(timedelta(hours=-5))]),
).map(lambda moment: moment.isoformat().replace("+00:00", "Z"))

# Each strategy below comes well-formed, with one field broken, or as any JSON at all, so
# the fuzzing reaches the typed classes as well as every error path.
MAIL_FIELDS: dict[str, st.SearchStrategy[Any]] = {
    "sourceArn": texts,
    "sendingAccountId": texts,
    "destination": text_lists,
    "tags": st.dictionaries(texts, text_lists, max_size=3),
    "headers": st.lists(st.fixed_dictionaries({"name": texts, "value": texts}), max_size=3),
    "commonHeaders": st.dictionaries(texts, json_values, max_size=3),
    "headersTruncated": st.booleans(),
}
good_mails = st.fixed_dictionaries(
    {"messageId": texts, "timestamp": good_timestamps, "source": texts}, optional=MAIL_FIELDS
)
mails = (
    good_mails
    | st.fixed_dictionaries(
        {},
        optional={
            "messageId": text_or_any,
            "timestamp": timestamps,
            "source": text_or_any,
            **{key: value | json_values for key, value in MAIL_FIELDS.items()},
        },
    )
    | json_values
)
recipients = st.lists(
    st.fixed_dictionaries(
        {"emailAddress": texts},
        optional={"action": texts, "status": texts, "diagnosticCode": texts},
    ),
    max_size=3,
)
preferences = st.fixed_dictionaries(
    {},
    optional={
        "unsubscribeAll": st.booleans(),
        "topicSubscriptionStatus": st.lists(
            st.fixed_dictionaries({"topicName": texts, "subscriptionStatus": texts}),
            max_size=3,
        ),
    },
)
DETAIL_FIELDS: dict[str, st.SearchStrategy[Any]] = {
    "timestamp": good_timestamps,
    "arrivalDate": good_timestamps,
    "expirationTime": good_timestamps,
    "bouncedRecipients": recipients,
    "delayedRecipients": recipients,
    "complainedRecipients": recipients,
    "recipients": text_lists,
    "linkTags": st.dictionaries(texts, text_lists, max_size=3),
    "processingTimeMillis": st.integers(min_value=0),
    "newTopicPreferences": preferences,
    "oldTopicPreferences": preferences,
    **dict.fromkeys(
        [
            "bounceType",
            "bounceSubType",
            "feedbackId",
            "reportingMTA",
            "remoteMtaIp",
            "complaintFeedbackType",
            "complaintSubType",
            "userAgent",
            "smtpResponse",
            "reason",
            "ipAddress",
            "link",
            "templateName",
            "errorMessage",
            "delayType",
            "contactList",
            "source",
        ],
        texts,
    ),
}
details = (
    st.fixed_dictionaries({}, optional=DETAIL_FIELDS)
    | st.fixed_dictionaries(
        {}, optional={key: value | json_values for key, value in DETAIL_FIELDS.items()}
    )
    | json_values
)
TYPES = [
    "Send",
    "Delivery",
    "Bounce",
    "Complaint",
    "Reject",
    "Open",
    "Click",
    "Rendering Failure",
    "DeliveryDelay",
    "Subscription",
    "Unknown",
]
DETAIL_KEYS = [
    "send",
    "delivery",
    "bounce",
    "complaint",
    "reject",
    "open",
    "click",
    "failure",
    "deliveryDelay",
    "subscription",
]
detail_objects = dict.fromkeys(DETAIL_KEYS, details)
records = (
    st.fixed_dictionaries(
        {"eventType": st.sampled_from(TYPES), "mail": mails}, optional=detail_objects
    )
    | st.fixed_dictionaries(
        {"notificationType": st.sampled_from(["Bounce", "Complaint", "Delivery", "Received"])},
        optional={"mail": mails, **detail_objects},
    )
    | st.fixed_dictionaries(
        {},
        optional={
            "eventType": json_values,
            "notificationType": json_values,
            "mail": mails,
            **detail_objects,
        },
    )
)


def _check(data: Mapping[str, Any]) -> None:
    try:
        event = parse_event(data)
    except EventParseError:
        return
    assert event.raw == data
    assert event.timestamp.tzinfo is UTC
    assert isinstance(event.message_id, str)
    assert parse_event(json.dumps(data)) == event  # JSON text round-trips to the same event
    repr(event)


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(st.text(max_size=10), json_values, max_size=6))
def test_arbitrary_json_objects_only_ever_raise_event_parse_error(
    data: dict[str, Any],
) -> None:
    _check(data)


@settings(max_examples=300, deadline=None)
@given(records)
def test_record_shaped_objects_only_ever_raise_event_parse_error(data: dict[str, Any]) -> None:
    _check(data)


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(list(ALL_SAMPLES.values())), st.dictionaries(st.text(), json_values))
def test_extra_top_level_fields_never_change_the_typed_event(
    sample: tuple[str, type[SesEvent]], extra: dict[str, Any]
) -> None:
    text, cls = sample
    data = json.loads(text)
    expected = parse_event(data)
    known = {"eventType", "notificationType", "mail", *DETAIL_KEYS}
    data.update({k: v for k, v in extra.items() if k not in known})
    event = parse_event(data)
    assert type(event) is cls
    assert event.raw == data
    assert dataclasses.replace(event, raw=expected.raw) == expected


@settings(max_examples=150, deadline=None)
@given(timestamps)
def test_parse_timestamp_gives_aware_utc_or_event_parse_error(value: Any) -> None:
    try:
        parsed = parse_timestamp(value)
    except EventParseError:
        return
    assert parsed.tzinfo is UTC


@settings(max_examples=150, deadline=None)
@given(
    st.datetimes(
        min_value=datetime(1, 1, 2),
        max_value=datetime(9999, 12, 30),
        timezones=st.sampled_from([UTC, timezone(timedelta(hours=-5, minutes=-30)), timezone.min]),
    )
)
def test_parse_timestamp_reads_every_isoformat(moment: datetime) -> None:
    assert parse_timestamp(moment.isoformat()) == moment
    assert parse_timestamp(moment.isoformat().replace("+00:00", "Z")) == moment
