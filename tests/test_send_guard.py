"""No send is made twice underneath: botocore's retries are governed on every client.

In-process (FakeSES's client with botocore retries turned on); the same over real HTTP is
in test_exactly_once.py.
"""

from __future__ import annotations

import pytest
from botocore.config import Config

import sesflow
from sesflow import InlineTemplate, MaybeSentError, TransportError, ValidationError
from sesflow.testing import FakeClock, FakeSES

RETRYING = Config(retries={"mode": "standard", "max_attempts": 5})


def _setup() -> tuple[FakeSES, FakeClock, sesflow.SES]:
    clock = FakeClock()
    fake = FakeSES(clock=clock, max_send_rate=1000, max_24_hour_send=-1)
    fake.verify("news@example.com")
    ses = sesflow.SES(client=fake.client(config=RETRYING), sleep=clock.sleep, clock=clock)
    return fake, clock, ses


def test_a_client_whose_retries_cannot_be_governed_is_refused() -> None:
    with pytest.raises(ValidationError, match="not a botocore client") as caught:
        sesflow.SES(client=object())  # type: ignore[arg-type]
    assert caught.value.field == "client"


def test_a_lost_answer_is_not_resent_by_a_retrying_injected_client() -> None:
    fake, clock, ses = _setup()
    fake.inject_faults(drop_after=1.0, operations=["SendEmail"])
    sender = ses.sender("news@example.com")
    with pytest.raises(MaybeSentError) as caught:
        sender.send(["bob@example.com", "ann@example.com"], "Hi", text="x", cc="cc@example.com")
    assert caught.value.operation == "SendEmail"
    assert caught.value.recipients == ("bob@example.com", "ann@example.com", "cc@example.com")
    assert caught.value.retryable is False
    assert "may or may not have been sent" in str(caught.value)
    assert fake.deliveries("bob@example.com") == 1
    assert fake.call_count("SendEmail") == 1
    assert clock() == 0  # sesflow did not wait to try again either


def test_template_and_raw_sends_are_guarded_too() -> None:
    from email.message import EmailMessage

    fake, _, ses = _setup()
    fake.inject_faults(drop_after=1.0, operations=["SendEmail"])
    sender = ses.sender("news@example.com")
    with pytest.raises(MaybeSentError):
        sender.send_template("t@example.com", InlineTemplate("Hi", text="x"), data={})
    message = EmailMessage()
    message["To"] = "r@example.com"
    message["Subject"] = "Raw"
    message.set_content("x")
    with pytest.raises(MaybeSentError) as caught:
        sender.send_raw(message)
    assert caught.value.recipients == ("r@example.com",)
    assert fake.deliveries("t@example.com") == fake.deliveries("r@example.com") == 1


@pytest.mark.parametrize(
    ("code", "status"),
    [("TooManyRequestsException", 429), ("ServiceUnavailable", 503)],
)
def test_answers_that_say_not_sent_are_retried_by_sesflow(code: str, status: int) -> None:
    fake, clock, ses = _setup()
    fake.fail_next("SendEmail", code, "try again", status=status, times=2)
    result = ses.sender("news@example.com").send("bob@example.com", "Hi", text="x")
    assert result.message_id
    assert fake.deliveries("bob@example.com") == 1
    # Three requests: sesflow's own attempts, each through its backoff (botocore's five
    # configured attempts did not stack under them).
    assert fake.call_count("SendEmail") == 3
    assert clock() > 0


def test_a_connection_refused_is_retried_and_then_reported_as_not_sent() -> None:
    fake, _, ses = _setup()
    fake.inject_faults(drop_before=1.0, operations=["SendEmail"])
    with pytest.raises(TransportError) as caught:
        ses.sender("news@example.com").send("bob@example.com", "Hi", text="x")
    assert not isinstance(caught.value, MaybeSentError)
    assert caught.value.ambiguous is False
    assert fake.deliveries("bob@example.com") == 0


def test_the_users_own_calls_keep_their_clients_retries() -> None:
    fake, _, ses = _setup()
    fake.fail_next("SendEmail", "ServiceUnavailable", "busy", status=503)
    # Called directly, not through sesflow: botocore's configured retries still apply.
    ses.client.send_email(
        FromEmailAddress="news@example.com",
        Destination={"ToAddresses": ["bob@example.com"]},
        Content={"Simple": {"Subject": {"Data": "Hi"}, "Body": {"Text": {"Data": "x"}}}},
    )
    assert fake.call_count("SendEmail") == 2
    assert fake.deliveries("bob@example.com") == 1


def test_management_calls_keep_the_clients_retries() -> None:
    fake, _, ses = _setup()
    fake.fail_next("GetAccount", "ServiceUnavailable", "busy", status=503)
    assert ses.account().sending_enabled
    assert fake.call_count("GetAccount") == 2


def test_bulk_at_most_once_with_a_retrying_client_sends_nobody_twice() -> None:
    fake, _, ses = _setup()
    fake.inject_faults(seed=5, drop_after=0.3, operations=["SendBulkEmail"])
    addresses = [f"user{i}@example.com" for i in range(500)]
    report = ses.sender("news@example.com").send_bulk(
        addresses, InlineTemplate("Hi", text="x"), delivery="at-most-once"
    )
    counts = fake.delivery_counts()
    assert max(counts.values()) == 1
    assert report.sent + report.failed == 500
    assert report.failed == report.ambiguous > 0
    assert {f.status for f in report.failures} == {"AMBIGUOUS"}
    assert sum(counts.values()) == 500  # every lost answer was in fact delivered once
