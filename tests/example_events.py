"""SES event records and signed SNS deliveries for the examples (docstrings and docs pages).

The records are one message, `news@example.com` → `bob@example.com` through the configuration
set `marketing`, seen by each of the ten event types, in the shapes of AWS's "Examples of event
data that Amazon SES publishes to Amazon SNS": fixed values, so examples print the same every
time.

The SNS deliveries are what SNS POSTs to a webhook: a `FakeSES` publishes a bounce of Bob to
the topic `TOPIC_ARN` and signs it with its test certificate (`FakeSES.cert_fetcher` hands
that out, to any fake of the same region). An envelope is only good for `max_age` (an hour by
default) after its `Timestamp`, so they are made again every ten minutes.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

import sesflow
from sesflow.testing import FakeSES

TOPIC_ARN = "arn:aws:sns:us-east-1:123456789012:ses-events"
MESSAGE_ID = "0100018f2b4a6c1e-7d3f5e9a-1c2b-4d6e-8f0a-2b4c6d8e0f1a-000000"
FEEDBACK_ID = "0100018f2b4a7d2f-0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d-000000"

_MAIL = {
    "timestamp": "2024-05-01T12:00:00.000Z",
    "source": "news@example.com",
    "sourceArn": "arn:aws:ses:us-east-1:123456789012:identity/news@example.com",
    "sendingAccountId": "123456789012",
    "messageId": MESSAGE_ID,
    "destination": ["bob@example.com"],
    "headersTruncated": False,
    "commonHeaders": {
        "from": ["news@example.com"],
        "to": ["bob@example.com"],
        "messageId": MESSAGE_ID,
        "subject": "Spring news",
    },
    "tags": {
        "ses:configuration-set": ["marketing"],
        "ses:from-domain": ["example.com"],
        "campaign": ["spring"],
    },
}
_BROWSER = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) Mobile/15E148"


def _record(event_type: str, detail_key: str, detail: dict[str, Any]) -> str:
    return json.dumps({"eventType": event_type, "mail": _MAIL, detail_key: detail})


#: Each event type's record as JSON text (what an SNS message's `Message` holds), by the
#: name examples use.
RECORDS = {
    "send_record": _record("Send", "send", {}),
    "delivery_record": _record("Delivery", "delivery", {
        "timestamp": "2024-05-01T12:00:02.345Z",
        "processingTimeMillis": 2345,
        "recipients": ["bob@example.com"],
        "smtpResponse": "250 2.6.0 Message received",
        "reportingMTA": "a8-70.smtp-out.amazonses.com",
    }),
    "bounce_record": _record("Bounce", "bounce", {
        "bounceType": "Permanent",
        "bounceSubType": "General",
        "bouncedRecipients": [{
            "emailAddress": "bob@example.com",
            "action": "failed",
            "status": "5.1.1",
            "diagnosticCode": "smtp; 550 5.1.1 user unknown",
        }],
        "timestamp": "2024-05-01T12:00:03.000Z",
        "feedbackId": FEEDBACK_ID,
        "reportingMTA": "dns; a8-70.smtp-out.amazonses.com",
    }),
    "complaint_record": _record("Complaint", "complaint", {
        "complainedRecipients": [{"emailAddress": "bob@example.com"}],
        "timestamp": "2024-05-01T13:15:00.000Z",
        "feedbackId": FEEDBACK_ID,
        "userAgent": "Yahoo!-Mail-Feedback/2.0",
        "complaintFeedbackType": "abuse",
        "arrivalDate": "2024-05-01T13:14:58.000Z",
    }),
    "reject_record": _record("Reject", "reject", {"reason": "Bad content"}),
    "open_record": _record("Open", "open", {
        "ipAddress": "192.0.2.1",
        "timestamp": "2024-05-01T12:30:19.652Z",
        "userAgent": _BROWSER,
    }),
    "click_record": _record("Click", "click", {
        "ipAddress": "192.0.2.1",
        "link": "https://example.com/spring",
        "linkTags": {"campaign": ["spring"]},
        "timestamp": "2024-05-01T12:31:02.000Z",
        "userAgent": _BROWSER,
    }),
    "rendering_failure_record": _record("Rendering Failure", "failure", {
        "templateName": "welcome",
        "errorMessage": "Attribute 'name' is not present in the rendering data.",
    }),
    "delivery_delay_record": _record("DeliveryDelay", "deliveryDelay", {
        "timestamp": "2024-05-01T12:10:00.000Z",
        "delayType": "TransientCommunicationFailure",
        "expirationTime": "2024-05-01T23:00:00.000Z",
        "delayedRecipients": [{
            "emailAddress": "bob@example.com",
            "status": "4.4.1",
            "diagnosticCode": "smtp; 421 4.4.1 Unable to connect to remote host",
        }],
    }),
    "subscription_record": _record("Subscription", "subscription", {
        "contactList": "Customers",
        "timestamp": "2024-05-01T14:00:00.000Z",
        "source": "UnsubscribeHeader",
        "newTopicPreferences": {
            "unsubscribeAll": True,
            "topicSubscriptionStatus": [
                {"topicName": "Newsletter", "subscriptionStatus": "OptOut"}
            ],
        },
        "oldTopicPreferences": {
            "unsubscribeAll": False,
            "topicSubscriptionStatus": [
                {"topicName": "Newsletter", "subscriptionStatus": "OptIn"}
            ],
        },
    }),
}  # fmt: skip


@dataclass(frozen=True)
class SnsDeliveries:
    """Signed SNS HTTP deliveries to a webhook subscribed to `TOPIC_ARN`."""

    #: The body of the POST that delivers the `Notification` of Bob's bounce.
    body: bytes
    #: Its HTTP headers, as SNS sends them.
    headers: dict[str, str]
    #: The body of the `SubscriptionConfirmation` SNS POSTs to a new subscriber.
    subscription_body: bytes


def _publish() -> SnsDeliveries:
    fake = FakeSES(seed=7)
    fake.verify("news@example.com")
    fake.recipient_outcome("bob@example.com", "BOUNCE")
    ses = sesflow.SES(client=fake.client())
    marketing = ses.configuration_set("marketing").create()
    marketing.add_event_destination("to-sns", ["BOUNCE"], sesflow.SnsDestination(TOPIC_ARN))
    ses.sender("news@example.com", configuration_set="marketing").send(
        "bob@example.com", "Spring news", text="Hi Bob"
    )
    [bounce] = fake.sns_messages(TOPIC_ARN)
    confirmation = fake.sns_subscription_confirmation(TOPIC_ARN, "https://example.com/ses-events")
    return SnsDeliveries(
        body=json.dumps(bounce).encode(),
        headers={
            "x-amz-sns-message-type": bounce["Type"],
            "x-amz-sns-message-id": bounce["MessageId"],
            "x-amz-sns-topic-arn": bounce["TopicArn"],
        },
        subscription_body=json.dumps(confirmation).encode(),
    )


_REFRESH = 600.0  # seconds: well inside a verifier's default max_age of an hour
_made: dict[int, SnsDeliveries] = {}


def sns_deliveries() -> SnsDeliveries:
    """The deliveries, signed at most ten minutes ago (signing takes a while: not per example)."""
    period = int(time.time() // _REFRESH)
    deliveries = _made.get(period)
    if deliveries is None:
        _made.clear()
        deliveries = _made[period] = _publish()
    return deliveries
