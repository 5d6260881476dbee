"""An in-memory SES v2 for tests: real boto3 clients, no network, scriptable state.

:class:`FakeSES` answers a real boto3 ``sesv2`` client in-process through botocore's event
hooks, so botocore's parameter validation, REST-JSON serialisation and response parsing all run
exactly as against AWS; only the socket is missing. Identities start ``PENDING`` as in SES and
move when a test says so; :class:`FakeClock` lets waits and timed transitions run instantly.

Example:
    ```python
    from sesflow.testing import FakeClock, FakeSES

    clock = FakeClock()
    fake = FakeSES(clock=clock)
    client = fake.client()
    client.create_email_identity(EmailIdentity="example.com")
    fake.transition("example.com", "SUCCESS", after_seconds=300)
    clock.advance(300)
    assert client.get_email_identity(EmailIdentity="example.com")["VerifiedForSendingStatus"]
    ```
"""

from __future__ import annotations

from sesflow.testing._clock import FakeClock
from sesflow.testing._fake import FakeCall, FakeError
from sesflow.testing._identities import FakeIdentity, _IdentityOps

__all__ = ["FakeCall", "FakeClock", "FakeError", "FakeIdentity", "FakeSES"]


class FakeSES(_IdentityOps):
    """An in-memory SES v2 (one account, one region) behind real boto3 clients.

    Every request is logged (:attr:`calls`), may be failed on purpose (:meth:`fail_next`),
    and is answered under one lock, so clients may be shared across threads. An operation the
    fake does not implement (see :meth:`implemented_operations`) raises
    :class:`NotImplementedError` naming it, rather than answering something wrong.

    Identities start ``PENDING`` as in SES and move only when a test says so:
    :meth:`set_status` (now), :meth:`transition` (after N polls or seconds, chained),
    :meth:`identity_state` (edit the record), or ``auto_verify=True``.

    Example:
        ```python
        fake = FakeSES(auto_verify=True)
        ses = sesflow.SES(client=fake.client())
        ses.identity("alice@example.com").create()
        assert fake.identity_state("alice@example.com").verification_status == "SUCCESS"
        ```

    Args:
        region: The region the fake plays.
        account_id: The 12-digit account id it reports.
        clock: Monotonic seconds (default :func:`time.monotonic`); drives timed transitions.
            Pass a :class:`FakeClock` to control time.
        wall_clock: Epoch seconds (default :func:`time.time`); stamps response timestamps.
        auto_verify: Make new identities, DKIM set-ups and MAIL FROM domains ``SUCCESS`` at
            once.
        seed: Seeds the generator of DKIM tokens and other random values.
        signing_hosted_zone: The ``SigningHostedZone`` of Easy DKIM.
    """
