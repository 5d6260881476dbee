"""Single sends on FakeSES, and SES's refusals explained."""

from __future__ import annotations

from email.message import EmailMessage

import pytest

import sesflow
from sesflow import Attachment, InlineTemplate
from sesflow.testing import FakeClock, FakeSES


def test_send_simple_and_template_and_raw(ses: sesflow.SES, fake: FakeSES) -> None:
    fake.verify("news@example.com")
    sender = ses.sender("News <news@example.com>", message_tags={"app": "web"})
    first = sender.send(
        ["bob@example.com"], "Hello", text="Hi", cc="cc@example.com",
        attachments=[Attachment("a.txt", b"x")],
    )  # fmt: skip
    ses.template("welcome").create("Welcome {{name}}", text="Hi {{name}}")
    second = sender.send_template("ann@example.com", "welcome", data={"name": "Ann"})
    third = sender.send_template(
        "c@example.com", InlineTemplate("Yo {{n}}", text="{{n}}!"), data={"n": 1}
    )
    raw = EmailMessage()
    raw["To"] = "dan@example.com"
    raw["Subject"] = "Raw"
    raw.set_content("Body")
    fourth = sender.send_raw(raw)
    ids = {first.message_id, second.message_id, third.message_id, fourth.message_id}
    assert len(ids) == 4
    counts = fake.delivery_counts()
    for address in ("bob@example.com", "cc@example.com", "ann@example.com", "c@example.com",
                    "dan@example.com"):  # fmt: skip
        assert counts[address] == 1
    message = next(m for m in fake.outbox if m.message_id == first.message_id)
    assert message.subject == "Hello"
    assert dict(message.tags or {}) == {"app": "web"}


def test_sandbox_refusal_says_so(clock: FakeClock) -> None:
    fake = FakeSES(clock=clock, sandbox=True, region="eu-west-1")
    fake.verify("news@example.com")
    ses = sesflow.SES(client=fake.client(), sleep=clock.sleep, clock=clock)
    with pytest.raises(sesflow.MessageRejectedError) as caught:
        ses.sender("news@example.com").send("stranger@example.org", "Hi", text="x")
    text = str(caught.value)
    assert "sandbox in eu-west-1" in text
    assert "stranger@example.org" in text
    assert "request_production_access" in text
    assert caught.value.code == "MessageRejected"
    assert isinstance(caught.value.__cause__, sesflow.MessageRejectedError)


def test_unverified_sender_names_the_identity_and_region(ses: sesflow.SES) -> None:
    with pytest.raises(sesflow.MessageRejectedError) as caught:
        ses.sender("news@example.com").send("bob@example.com", "Hi", text="x")
    text = str(caught.value)
    assert "The sender news@example.com (or its domain) is not a verified identity" in text
    assert "us-east-1" in text
    assert "identities are per region" in text


def test_the_mailbox_simulator_works_from_the_sandbox(clock: FakeClock) -> None:
    fake = FakeSES(clock=clock, sandbox=True)
    fake.verify("news@example.com")
    ses = sesflow.SES(client=fake.client(), sleep=clock.sleep, clock=clock)
    ses.sender("news@example.com").send("success+1@simulator.amazonses.com", "Hi", text="x")
    assert fake.deliveries("success+1@simulator.amazonses.com") == 1


def test_a_throttled_single_send_is_retried(
    ses: sesflow.SES, fake: FakeSES, clock: FakeClock
) -> None:
    fake.verify("news@example.com")
    fake.fail_next("SendEmail", "TooManyRequestsException", "Maximum sending rate exceeded.")
    ses.sender("news@example.com").send("bob@example.com", "Hi", text="x")
    assert fake.deliveries("bob@example.com") == 1
    assert len(clock.sleeps) == 1


def test_the_daily_quota_on_a_single_send(clock: FakeClock) -> None:
    fake = FakeSES(clock=clock, max_24_hour_send=1)
    fake.verify("news@example.com")
    ses = sesflow.SES(client=fake.client(), sleep=clock.sleep, clock=clock)
    sender = ses.sender("news@example.com")
    sender.send("a@example.com", "Hi", text="x")
    with pytest.raises(sesflow.DailyQuotaExceededError):
        sender.send("b@example.com", "Hi", text="x")
    assert fake.stats().calls["SendEmail"] == 2  # never retried in a loop
    # The one wait was the limiter's even spacing (1/14 of a 1.02 s window), before it.
    assert clock.sleeps == [pytest.approx(1.02 / 14)]


def test_account_snapshot(ses: sesflow.SES, fake: FakeSES) -> None:
    account = ses.account()
    assert not account.in_sandbox
    assert account.quota.max_send_rate == fake.account.max_send_rate
    assert account.quota.remaining_24h == account.quota.max_24_hour_send
    assert account.sending_enabled
    assert account.enforcement_status == "HEALTHY"
    assert account.review is None
    fake.account.sent_offset = 100
    assert account.refresh().quota.sent_last_24_hours == 100
    assert "in_sandbox=False" in repr(account)
    assert sesflow.SendQuota(-1, 10, 5).remaining_24h == -1
