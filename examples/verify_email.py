"""Verify an email address and wait until its owner clicks the link.

Run as a script it plays against the offline fake SES, where "clicking the link" is a
line of test code; pass your own `sesflow.SES("eu-west-1")` to `verify()` for real.
"""

from __future__ import annotations

import sesflow
from sesflow.testing import FakeClock, FakeSES


# --8<-- [start:verify]
def verify(ses: sesflow.SES, address: str) -> sesflow.Identity:
    identity = ses.identity(address).create(tags={"owner": "docs"})
    print(f"{identity.name}: {identity.verification_status.value}; check the inbox")
    try:
        identity.wait_until_verified(timeout=3600, poll_interval=10)
    except sesflow.WaiterTimeoutError as exc:
        print(f"still {exc.last_status} after {exc.elapsed:.0f} s; the link expires in 24 h")
        raise
    print(f"{identity.name}: verified for sending: {identity.verified}")
    return identity


# --8<-- [end:verify]


if __name__ == "__main__":
    clock = FakeClock()  # waits run instantly on a virtual clock
    fake = FakeSES(clock=clock)
    ses = sesflow.SES(client=fake.client(), sleep=clock.sleep, clock=clock)
    # Alice's identity was created earlier; she clicks the link 90 s from now.
    fake.client().create_email_identity(EmailIdentity="alice@example.com")
    fake.transition("alice@example.com", "SUCCESS", after_seconds=90)
    verify(ses, "alice@example.com")
