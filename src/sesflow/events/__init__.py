"""Receiving SES events: verify SNS messages and parse event records into typed objects.

    >>> from sesflow.events import SnsVerifier, handle_sns
    >>> verifier = SnsVerifier(allowed_topic_arns={topic_arn},  # your SNS topics
    ...                        cert_fetcher=fake.cert_fetcher)  # in tests; AWS's by default
    >>> handle_sns(body, headers, verifier=verifier,  # the HTTP POST that SNS made
    ...            on_event=lambda event: print(event.event_type, event.destination))
    Bounce ('bob@example.com',)
    200

Verification needs the optional `cryptography` package: `pip install "sesflow[events]"`.
Parsing needs nothing beyond the standard library.
"""

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
from sesflow.events._sns import (
    InvalidSignatureError,
    MissingExtraError,
    RecentMessages,
    SnsMessage,
    SnsVerifier,
)
from sesflow.events._webhook import confirm_subscription, handle_sns, parse_sns

__all__ = [
    "BounceEvent",
    "BouncedRecipient",
    "ClickEvent",
    "ComplaintEvent",
    "DelayedRecipient",
    "DeliveryDelayEvent",
    "DeliveryEvent",
    "EventParseError",
    "InvalidSignatureError",
    "MissingExtraError",
    "OpenEvent",
    "RecentMessages",
    "RejectEvent",
    "RenderingFailureEvent",
    "SendEvent",
    "SesEvent",
    "SnsMessage",
    "SnsVerifier",
    "SubscriptionEvent",
    "TopicPreferences",
    "confirm_subscription",
    "handle_sns",
    "parse_event",
    "parse_sns",
    "parse_timestamp",
]
