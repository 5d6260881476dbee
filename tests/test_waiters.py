"""Waiters: backoff, every status path, throttled polls — on a virtual clock."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

import sesflow
from sesflow._waiting import Backoff
from sesflow.testing import FakeClock, FakeSES


def test_success_after_pending(ses: sesflow.SES, fake: FakeSES, clock: FakeClock) -> None:
    ident = ses.identity("alice@example.com").create()
    fake.transition("alice@example.com", "SUCCESS", after_polls=3)
    assert ident.wait_until_verified(timeout=600, poll_interval=5) is ident
    assert ident.verified
    assert fake.call_count("GetEmailIdentity") == 4
    assert clock.sleeps == [5.0, 10.0, 20.0]
    assert clock() == 35.0


def test_backoff_is_capped_at_max_interval(
    ses: sesflow.SES, fake: FakeSES, clock: FakeClock
) -> None:
    ident = ses.identity("alice@example.com").create()
    fake.transition("alice@example.com", "SUCCESS", after_polls=6)
    ident.wait_until_verified(timeout=600, poll_interval=2, max_interval=12)
    assert clock.sleeps == [2.0, 4.0, 8.0, 12.0, 12.0, 12.0]
    assert fake.call_count("GetEmailIdentity") == 7


def test_failed_raises_at_once_with_the_reason_and_the_records(
    ses: sesflow.SES, fake: FakeSES, clock: FakeClock
) -> None:
    dom = ses.domain("example.com").create()
    fake.transition("example.com", "FAILED", aspect="dkim", after_polls=1)
    with pytest.raises(sesflow.VerificationFailedError) as caught:
        dom.wait_until_dkim_verified(timeout=3600, poll_interval=10)
    error = caught.value
    assert fake.call_count("GetEmailIdentity") == 2
    assert clock.sleeps == [10.0]
    assert error.identity == "example.com"
    assert error.check == "dkim"
    assert error.status == "FAILED"
    assert error.error_type == "TYPE_NOT_FOUND"
    assert error.records is not None
    assert [r.type for r in error.records] == ["CNAME"] * 3
    assert "TYPE_NOT_FOUND: the DNS records were not found" in str(error)
    for record in error.records:
        assert record.to_bind() in str(error)


def test_temporary_failure_keeps_waiting_until_success(
    ses: sesflow.SES, fake: FakeSES, clock: FakeClock
) -> None:
    dom = ses.domain("example.com").create()
    fake.transition("example.com", "TEMPORARY_FAILURE", aspect="dkim", after_polls=1)
    fake.transition("example.com", "SUCCESS", aspect="dkim", after_polls=2)
    dom.wait_until_dkim_verified(timeout=3600, poll_interval=5)
    assert dom.dkim_status is sesflow.DkimStatus.SUCCESS
    seen = [c for c in fake.calls if c.operation == "GetEmailIdentity"]
    assert len(seen) == 4
    assert clock.sleeps == [5.0, 10.0, 20.0]


def test_timeout_carries_the_last_status(ses: sesflow.SES, fake: FakeSES, clock: FakeClock) -> None:
    ident = ses.identity("alice@example.com").create()
    with pytest.raises(sesflow.WaiterTimeoutError) as caught:
        ident.wait_until_verified(timeout=60, poll_interval=5)
    error = caught.value
    # Polls at 0, 5, 15, 35 and, cut to the deadline, 60; never past it.
    assert clock.sleeps == [5.0, 10.0, 20.0, 25.0]
    assert error.polls == 5 == fake.call_count("GetEmailIdentity")
    assert error.last_status == "PENDING"
    assert error.elapsed == 60.0
    assert isinstance(error, TimeoutError)
    assert "last status: PENDING" in str(error)


def test_no_poll_comes_sooner_than_poll_interval_before_the_deadline(
    ses: sesflow.SES, fake: FakeSES, clock: FakeClock
) -> None:
    ident = ses.identity("alice@example.com").create()
    with pytest.raises(sesflow.WaiterTimeoutError):
        ident.wait_until_verified(timeout=17, poll_interval=5)
    # 0, 5, 15; then only 2 s are left, less than poll_interval: give up, don't poll early.
    assert clock.sleeps == [5.0, 10.0]
    assert fake.call_count("GetEmailIdentity") == 3


def test_a_throttled_poll_is_waited_out(ses: sesflow.SES, fake: FakeSES, clock: FakeClock) -> None:
    ident = ses.identity("alice@example.com").create()
    fake.set_status("alice@example.com", verification="SUCCESS")
    fake.fail_next(
        "GetEmailIdentity", "TooManyRequestsException", "Too many requests", status=429, times=2
    )
    ident.wait_until_verified(timeout=600, poll_interval=5)
    assert ident.verified
    assert fake.call_count("GetEmailIdentity") == 3
    assert clock.sleeps == [5.0, 10.0]


def test_throttled_to_the_end_times_out_naming_the_throttle(
    ses: sesflow.SES, fake: FakeSES, clock: FakeClock
) -> None:
    ident = ses.identity("alice@example.com").create()
    fake.fail_next(
        "GetEmailIdentity", "TooManyRequestsException", "Too many requests", status=429,
        times=100,
    )  # fmt: skip
    with pytest.raises(sesflow.WaiterTimeoutError) as caught:
        ident.wait_until_verified(timeout=30, poll_interval=5)
    assert caught.value.last_status is None
    assert isinstance(caught.value.__cause__, sesflow.ThrottledError)
    assert "Too many requests" in str(caught.value)


def test_a_missing_identity_fails_the_wait_at_once(ses: sesflow.SES, fake: FakeSES) -> None:
    with pytest.raises(sesflow.NotFoundError):
        ses.identity("ghost@example.com").wait_until_verified(timeout=600)
    assert fake.call_count("GetEmailIdentity") == 1


def test_verification_failed_for_an_email_identity(ses: sesflow.SES, fake: FakeSES) -> None:
    ident = ses.identity("alice@example.com").create()
    fake.set_status("alice@example.com", verification="FAILED")
    with pytest.raises(sesflow.VerificationFailedError) as caught:
        ident.wait_until_verified()
    assert caught.value.check == "verification"
    assert caught.value.records is None
    assert "new verification link" in str(caught.value)


def test_domain_verification_follows_dkim(
    ses: sesflow.SES, fake: FakeSES, clock: FakeClock
) -> None:
    dom = ses.domain("example.com").create()
    fake.transition("example.com", "SUCCESS", after_polls=2)
    dom.wait_until_verified(timeout=600, poll_interval=5)
    assert dom.verified
    assert dom.dkim_status is sesflow.DkimStatus.SUCCESS


def test_mail_from_waiter(ses: sesflow.SES, fake: FakeSES, clock: FakeClock) -> None:
    dom = ses.domain("example.com").create(mail_from="mail.example.com")
    fake.transition("example.com", "SUCCESS", aspect="mail_from", after_polls=1)
    dom.wait_until_mail_from_verified(timeout=600, poll_interval=5)
    assert dom.mail_from_status is sesflow.MailFromDomainStatus.SUCCESS


def test_mail_from_failure_names_the_mx_and_spf_records(ses: sesflow.SES, fake: FakeSES) -> None:
    dom = ses.domain("example.com").create(mail_from="mail.example.com")
    fake.set_status("example.com", mail_from="FAILED", error_type="HOST_NOT_FOUND")
    with pytest.raises(sesflow.VerificationFailedError) as caught:
        dom.wait_until_mail_from_verified()
    assert caught.value.records is not None
    assert [r.type for r in caught.value.records] == ["MX", "TXT"]
    assert "mail.example.com. 1800 IN MX 10 feedback-smtp.us-east-1.amazonses.com." in str(
        caught.value
    )


def test_waiting_for_mail_from_without_one_is_an_error(ses: sesflow.SES) -> None:
    dom = ses.domain("example.com").create()
    with pytest.raises(sesflow.ValidationError, match="set_mail_from"):
        dom.wait_until_mail_from_verified()


@given(
    poll_interval=st.floats(0.1, 100),
    max_interval=st.floats(0.1, 1000),
    timeout=st.floats(0, 10_000),
    polls=st.integers(1, 200),
    now_fraction=st.floats(0, 1.2),
)
def test_backoff_delays_stay_within_their_bounds(
    poll_interval: float, max_interval: float, timeout: float, polls: int, now_fraction: float
) -> None:
    backoff = Backoff(poll_interval, max_interval, deadline=timeout)
    now = timeout * now_fraction
    delay = backoff.delay(polls, now=now)
    if delay is None:
        assert timeout - now < poll_interval
    else:
        assert delay >= poll_interval
        assert delay <= max(max_interval, poll_interval)
        assert now + delay <= timeout + 1e-9


@given(st.lists(st.sampled_from(["PENDING", "TEMPORARY_FAILURE", "NOT_STARTED"]), max_size=8))
def test_any_run_of_unsettled_statuses_ends_in_success(statuses: list[str]) -> None:
    clock = FakeClock()
    fake = FakeSES(clock=clock)
    ses = sesflow.SES(client=fake.client(), sleep=clock.sleep, clock=clock)
    ident = ses.identity("a@example.com").create()
    for status in statuses:
        fake.transition("a@example.com", status, after_polls=1)
    fake.transition("a@example.com", "SUCCESS", after_polls=1)
    ident.wait_until_verified(timeout=10**6, poll_interval=1)
    assert ident.verification_status is sesflow.VerificationStatus.SUCCESS
    assert all(s >= 1 for s in clock.sleeps)
