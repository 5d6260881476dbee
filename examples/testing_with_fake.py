"""Testing code that uses sesflow, offline, with FakeSES and a virtual clock.

These are pytest-style tests of a small piece of application code; run as a script, it
runs them and prints what passed.
"""

from __future__ import annotations

import pytest

import sesflow
from sesflow.testing import FakeClock, FakeSES


def onboard_sender(ses: sesflow.SES, address: str) -> bool:
    """Application code under test: verify a sender; say whether it is ready in time."""
    identity = ses.identity(address).create()
    try:
        identity.wait_until_verified(timeout=300, poll_interval=10)
    except sesflow.WaiterTimeoutError:
        return False
    return True


# --8<-- [start:test]
def test_onboarding_succeeds_once_the_owner_clicks() -> None:
    fake = FakeSES(auto_verify=True)  # every new identity is verified at once
    ses = sesflow.SES(client=fake.client())
    assert onboard_sender(ses, "alice@example.com")
    assert fake.identity_state("alice@example.com").verification_status == "SUCCESS"


def test_onboarding_gives_up_after_five_minutes() -> None:
    clock = FakeClock()  # no real sleeping: the test takes milliseconds
    fake = FakeSES(clock=clock)
    ses = sesflow.SES(client=fake.client(), sleep=clock.sleep, clock=clock)
    assert not onboard_sender(ses, "bob@example.com")  # nobody clicks
    assert clock() == 300
    assert fake.call_count("GetEmailIdentity") == 8  # 0, 10, 30, 70, 130, 190, 250, 300 s


# --8<-- [end:test]


# --8<-- [start:waiter]
def test_waiting_through_a_temporary_failure() -> None:
    clock = FakeClock()
    fake = FakeSES(clock=clock)
    ses = sesflow.SES(client=fake.client(), sleep=clock.sleep, clock=clock)
    dom = ses.domain("example.com").create()
    # SES's DNS check: pending for 2 polls, a DNS hiccup for 1, then found.
    fake.transition("example.com", "TEMPORARY_FAILURE", aspect="dkim", after_polls=2)
    fake.transition("example.com", "SUCCESS", aspect="dkim", after_polls=1)
    dom.wait_until_dkim_verified(timeout=3600, poll_interval=15)
    assert dom.dkim_status is sesflow.DkimStatus.SUCCESS
    assert clock.sleeps == [15, 30, 60]  # backoff from poll_interval up to max_interval


# --8<-- [end:waiter]


# --8<-- [start:faults]
def test_a_throttled_call_is_retried() -> None:
    clock = FakeClock()
    fake = FakeSES(clock=clock)
    ses = sesflow.SES(client=fake.client(), sleep=clock.sleep, clock=clock)
    fake.fail_next("CreateEmailIdentity", "TooManyRequestsException", "Too many requests",
                   status=429)  # fmt: skip
    ses.identity("carol@example.com").create()  # retried after a backoff
    assert fake.call_count("CreateEmailIdentity") == 2
    assert len(clock.sleeps) == 1


def test_a_failed_dkim_check_explains_itself() -> None:
    fake = FakeSES()
    ses = sesflow.SES(client=fake.client())
    dom = ses.domain("example.com").create()
    fake.set_status("example.com", dkim="FAILED", verification="FAILED")
    with pytest.raises(sesflow.VerificationFailedError) as caught:
        dom.wait_until_dkim_verified()
    assert caught.value.error_type == "TYPE_NOT_FOUND"
    assert caught.value.records is not None
    assert len(caught.value.records) == 3  # the CNAMEs that must exist


# --8<-- [end:faults]


if __name__ == "__main__":
    for name, test in sorted(globals().items()):
        if name.startswith("test_") and callable(test):
            test()
            print(f"passed: {name}")
