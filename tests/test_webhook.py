"""handle_sns end to end: FakeSES events → signed SNS envelopes → typed events."""

from __future__ import annotations

import json
import logging
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
# Another AWS account's topic: it can subscribe any endpoint, and sign with SNS's key.
FOREIGN_TOPIC = "arn:aws:sns:us-east-1:999999999999:not-yours"


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


def _confirm_refusals(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [
        r
        for r in caplog.records
        if r.name == "sesflow.events"
        and r.levelno == logging.ERROR
        and "allow-list" in r.getMessage()
    ]


def test_confirming_without_an_allow_list_is_refused(caplog: pytest.LogCaptureFixture) -> None:
    fake = FakeSES()
    envelope = fake.sns_subscription_confirmation(FOREIGN_TOPIC, "https://example.com/ses")
    verifier = SnsVerifier(cert_fetcher=fake.cert_fetcher)
    visited: list[str] = []
    status = handle_sns(envelope, None, verifier=verifier, on_event=lambda e: None,
                        confirm_subscriptions=True, confirm=visited.append)  # fmt: skip
    assert status == 403
    assert visited == []
    [record] = _confirm_refusals(caplog)
    assert FOREIGN_TOPIC in record.getMessage()
    assert "allowed_topic_arns" in record.getMessage()
    # Not asked to confirm: left waiting, as before.
    assert handle_sns(envelope, None, verifier=verifier, on_event=lambda e: None,
                      confirm=visited.append) == 200  # fmt: skip
    assert visited == []


def test_confirming_follows_the_allow_list(caplog: pytest.LogCaptureFixture) -> None:
    fake = FakeSES()
    envelope = fake.sns_subscription_confirmation(FOREIGN_TOPIC, "https://example.com/ses")
    visited: list[str] = []
    allowed = SnsVerifier(allowed_topic_arns={FOREIGN_TOPIC}, cert_fetcher=fake.cert_fetcher)
    assert handle_sns(envelope, None, verifier=allowed, on_event=lambda e: None,
                      confirm_subscriptions=True, confirm=visited.append) == 200  # fmt: skip
    assert visited == [envelope["SubscribeURL"]]
    others = SnsVerifier(allowed_topic_arns={TOPIC}, cert_fetcher=fake.cert_fetcher)
    assert handle_sns(envelope, None, verifier=others, on_event=lambda e: None,
                      confirm_subscriptions=True, confirm=visited.append) == 403  # fmt: skip
    assert visited == [envelope["SubscribeURL"]]
    assert _confirm_refusals(caplog) == []


def _moved_subject(envelope: dict[str, str]) -> dict[str, str]:
    # `Subject\n<s>\n` moved into the MessageId: the string to sign is byte for byte the same.
    moved = {k: v for k, v in envelope.items() if k != "Subject"}
    moved["MessageId"] = f"{envelope['MessageId']}\nSubject\n{envelope['Subject']}"
    return moved


def test_a_replay_with_a_moved_field_never_reaches_on_event(
    sending: tuple[FakeSES, sesflow.Sender],
) -> None:
    fake, sender = sending
    sender.send("bounce@simulator.amazonses.com", "Hello", text="x")
    envelope = fake.sns_messages()[-1]
    assert envelope["Subject"]
    verifier = _verifier(fake)
    received: list[SesEvent] = []
    assert handle_sns(envelope, None, verifier=verifier, on_event=received.append) == 200
    assert handle_sns(_moved_subject(envelope), None, verifier=verifier,
                      on_event=received.append) == 403  # fmt: skip
    assert len(received) == 1


def test_duplicates_are_keyed_on_what_was_signed(
    sending: tuple[FakeSES, sesflow.Sender], monkeypatch: pytest.MonkeyPatch
) -> None:
    fake, sender = sending
    sender.send("bounce@simulator.amazonses.com", "Hello", text="x")
    envelope = fake.sns_messages()[-1]
    verifier = _verifier(fake)
    moved = _moved_subject(envelope)
    # Without the line-break check the moved envelope verifies (under another MessageId)...
    monkeypatch.setattr("sesflow.events._sns._SINGLE_LINE", (), raising=False)
    received: list[SesEvent] = []
    assert handle_sns(envelope, None, verifier=verifier, on_event=received.append) == 200
    # ...and the duplicate window still drops it.
    assert handle_sns(moved, None, verifier=verifier, on_event=received.append) == 200
    assert len(received) == 1
    replayed, original = verifier.verify(moved), verifier.verify(envelope)
    assert replayed.message_id != original.message_id
    assert replayed.signed_digest == original.signed_digest


def test_a_genuine_redelivery_is_answered_and_handled_once(
    sending: tuple[FakeSES, sesflow.Sender],
) -> None:
    fake, sender = sending
    sender.send("bounce@simulator.amazonses.com", "Hello", text="x")
    body = json.dumps(fake.sns_messages()[-1]).encode()
    verifier = _verifier(fake)
    received: list[SesEvent] = []
    headers = {"x-amz-sns-message-type": "Notification"}
    for _ in range(3):  # SNS retries with the very same body
        assert handle_sns(body, headers, verifier=verifier, on_event=received.append) == 200
    assert len(received) == 1
    assert isinstance(received[0], BounceEvent)
