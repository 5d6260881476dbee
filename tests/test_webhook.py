"""handle_sns end to end: FakeSES events → signed SNS envelopes → typed events."""

from __future__ import annotations

import json
from typing import Any

import pytest

import sesflow
from sesflow.events import (
    BounceEvent,
    ComplaintEvent,
    DeliveryEvent,
    InvalidSignatureError,
    RecentMessages,
    SesEvent,
    SnsVerifier,
    handle_sns,
    parse_sns,
)
from sesflow.testing import FakeSES

TOPIC = "arn:aws:sns:us-east-1:123456789012:ses-events"


@pytest.fixture
def sending() -> tuple[FakeSES, sesflow.Sender]:
    fake = FakeSES()
    fake.verify("news@example.com")
    ses = sesflow.SES(client=fake.client())
    cs = ses.configuration_set("events").create()
    cs.add_event_destination(
        "to-sns", ["SEND", "DELIVERY", "BOUNCE", "COMPLAINT"], sesflow.SnsDestination(TOPIC)
    )
    return fake, ses.sender("news@example.com", configuration_set="events")


def _verifier(fake: FakeSES) -> SnsVerifier:
    return SnsVerifier(allowed_topic_arns={TOPIC}, cert_fetcher=fake.cert_fetcher)


def test_a_bounce_end_to_end(sending: tuple[FakeSES, sesflow.Sender]) -> None:
    fake, sender = sending
    sender.send("bounce@simulator.amazonses.com", "Hello", text="x")
    received: list[SesEvent] = []
    verifier = _verifier(fake)
    statuses = [
        handle_sns(json.dumps(env), {"x-amz-sns-message-type": env["Type"]},
                   verifier=verifier, on_event=received.append)
        for env in fake.sns_messages(topic_arn=TOPIC)
    ]  # fmt: skip
    assert statuses
    assert set(statuses) == {200}
    bounces = [e for e in received if isinstance(e, BounceEvent)]
    assert len(bounces) == 1
    bounce = bounces[0]
    assert bounce.is_permanent
    assert [r.email_address for r in bounce.bounced_recipients] == [
        "bounce@simulator.amazonses.com"
    ]
    assert bounce.source.endswith("news@example.com")
    assert {type(e).__name__ for e in received} >= {"SendEvent", "BounceEvent"}


def test_a_complaint_and_a_delivery(sending: tuple[FakeSES, sesflow.Sender]) -> None:
    fake, sender = sending
    sender.send("complaint@simulator.amazonses.com", "Hello", text="x")
    events = [parse_sns(_verifier(fake).verify(env)) for env in fake.sns_messages()]
    assert any(isinstance(e, DeliveryEvent) for e in events)
    complaint = next(e for e in events if isinstance(e, ComplaintEvent))
    assert complaint.complained_recipients == ("complaint@simulator.amazonses.com",)


def test_redeliveries_are_ignored_and_failures_retried(
    sending: tuple[FakeSES, sesflow.Sender],
) -> None:
    fake, sender = sending
    sender.send("success@simulator.amazonses.com", "Hello", text="x")
    envelope = fake.sns_messages()[0]
    verifier = _verifier(fake)
    calls: list[SesEvent] = []

    def flaky(event: SesEvent) -> None:
        calls.append(event)
        if len(calls) == 1:
            raise RuntimeError("database down")

    seen = RecentMessages()
    assert handle_sns(envelope, None, verifier=verifier, on_event=flaky, seen=seen) == 500
    assert handle_sns(envelope, None, verifier=verifier, on_event=flaky, seen=seen) == 200
    assert handle_sns(envelope, None, verifier=verifier, on_event=flaky, seen=seen) == 200
    assert len(calls) == 2  # retried after the failure, then deduplicated


def test_forgeries_are_403_and_never_reach_on_event(
    sending: tuple[FakeSES, sesflow.Sender],
) -> None:
    fake, sender = sending
    sender.send("bounce@simulator.amazonses.com", "Hello", text="x")
    envelope = fake.sns_messages()[-1]
    record = json.loads(envelope["Message"])
    record["bounce"]["bouncedRecipients"][0]["emailAddress"] = "ceo@example.com"
    forged = {**envelope, "Message": json.dumps(record)}
    called: list[Any] = []
    verifier = _verifier(fake)
    assert handle_sns(forged, None, verifier=verifier, on_event=called.append) == 403
    other_topic = SnsVerifier(allowed_topic_arns={TOPIC + "-x"}, cert_fetcher=fake.cert_fetcher)
    assert handle_sns(envelope, None, verifier=other_topic, on_event=called.append) == 403
    assert handle_sns(b"{}", None, verifier=verifier, on_event=called.append) == 403
    assert called == []


def test_a_mismatched_message_type_header_is_refused(
    sending: tuple[FakeSES, sesflow.Sender],
) -> None:
    fake, sender = sending
    sender.send("success@simulator.amazonses.com", "Hello", text="x")
    envelope = fake.sns_messages()[0]
    status = handle_sns(
        envelope,
        {"X-Amz-Sns-Message-Type": "SubscriptionConfirmation"},
        verifier=_verifier(fake),
        on_event=lambda e: None,
    )
    assert status == 400


def test_subscriptions_are_confirmed_only_when_asked() -> None:
    fake = FakeSES()
    envelope = fake.sns_subscription_confirmation(TOPIC, "https://example.com/ses-events")
    verifier = _verifier(fake)
    visited: list[str] = []
    assert handle_sns(envelope, None, verifier=verifier, on_event=lambda e: None,
                      confirm=visited.append) == 200  # fmt: skip
    assert visited == []
    assert handle_sns(envelope, None, verifier=verifier, on_event=lambda e: None,
                      confirm_subscriptions=True, confirm=visited.append) == 200  # fmt: skip
    assert visited == [envelope["SubscribeURL"]]


def test_a_subscribe_url_off_sns_is_not_visited() -> None:
    from sesflow.events import confirm_subscription

    with pytest.raises(InvalidSignatureError):
        confirm_subscription("https://evil.example/?Action=ConfirmSubscription")
    with pytest.raises(InvalidSignatureError):
        confirm_subscription("http://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription")


def test_recent_messages_are_bounded() -> None:
    now = [0.0]
    seen = RecentMessages(window=10, max_size=3, clock=lambda: now[0])
    assert all(seen.add(f"m{i}") for i in range(5))
    assert len(seen) == 3
    assert not seen.add("m4")
    now[0] = 100
    assert seen.add("m4")  # forgotten after the window
