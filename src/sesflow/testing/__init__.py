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

import math
import typing

from sesflow.testing._account import FakeAccount, FakeAccountDetails, _AccountOps
from sesflow.testing._clock import FakeClock
from sesflow.testing._configuration_sets import (
    FakeConfigurationSet,
    FakeEventDestination,
    _ConfigurationSetOps,
)
from sesflow.testing._events import FakeEventDelivery
from sesflow.testing._fake import FakeCall, FakeError
from sesflow.testing._faults import _FaultOps
from sesflow.testing._identities import FakeIdentity, _IdentityOps
from sesflow.testing._ip_pools import FakeDedicatedIpPool, _IpPoolOps
from sesflow.testing._outbox import FakeAttachment, FakeMessage, _OutboxOps
from sesflow.testing._sending import _SendingOps
from sesflow.testing._serve import _ServeOps
from sesflow.testing._sns import SES_EVENT_SUBJECT as _SES_EVENT_SUBJECT
from sesflow.testing._sns import _check_version, _SnsOps
from sesflow.testing._stats import FakeStats, _StatsOps
from sesflow.testing._suppression import (
    FakeSuppressedDestination,
    FakeSuppressedRecipient,
    _SuppressionOps,
)
from sesflow.testing._templates import _TemplateOps

if typing.TYPE_CHECKING:
    from collections.abc import Callable

__all__ = [
    "FakeAccount",
    "FakeAccountDetails",
    "FakeAttachment",
    "FakeCall",
    "FakeClock",
    "FakeConfigurationSet",
    "FakeDedicatedIpPool",
    "FakeError",
    "FakeEventDelivery",
    "FakeEventDestination",
    "FakeIdentity",
    "FakeMessage",
    "FakeSES",
    "FakeStats",
    "FakeSuppressedDestination",
    "FakeSuppressedRecipient",
]


class FakeSES(
    _ServeOps,
    _SnsOps,
    _SendingOps,
    _StatsOps,
    _SuppressionOps,
    _FaultOps,
    _OutboxOps,
    _TemplateOps,
    _AccountOps,
    _IdentityOps,
    _ConfigurationSetOps,
    _IpPoolOps,
):
    """An in-memory SES v2 (one account, one region) behind real boto3 clients.

    Every request is logged (:attr:`calls`), may be failed on purpose (:meth:`fail_next`,
    :meth:`inject_faults`), and is answered under one lock, so clients may be shared across
    threads. An operation the fake does not implement (see :meth:`implemented_operations`)
    raises :class:`NotImplementedError` naming it, rather than answering something wrong.

    Identities start ``PENDING`` as in SES and move only when a test says so:
    :meth:`set_status` (now), :meth:`transition` (after N polls or seconds, chained),
    :meth:`identity_state` (edit the record), :meth:`verify`, or ``auto_verify=True``.

    Sending is checked as SES checks it (verified sender, sandbox recipients, 50 recipients
    per message, templates, configuration sets, MAIL FROM, paused or suspended account) and
    paced as SES paces it: by recipients, against ``MaxSendRate`` over a sliding second of
    :attr:`clock` (HTTP 429 past it) and ``Max24HourSend`` over 24 hours of
    :attr:`wall_clock`. Accepted mail lands in :attr:`outbox`; :meth:`deliveries` counts it
    per recipient, leaving out recipients on the suppression list
    (:attr:`suppressed_recipients`). :meth:`serve` answers the same state over real HTTP.

    A message sent with a configuration set publishes SES event records to its enabled event
    destinations (:meth:`events`, :meth:`event_deliveries`), the mailbox simulator behaving
    as in SES; records for SNS destinations come as signed SNS envelopes
    (:meth:`sns_messages`, verifiable with :attr:`sns_certificate_pem` and
    :meth:`cert_fetcher`; these need the ``sesflow[events]`` extra).

    Configuration sets keep every option group and up to 10 event destinations
    (:meth:`configuration_set_state`); dedicated IP pools exist to be named
    (:meth:`dedicated_ip_pool_state`); a production-access request stays ``PENDING`` until
    :meth:`grant_production_access`, :meth:`deny_production_access` or a scripted
    :meth:`review_transition`; :meth:`suppress` puts an address on the suppression list.

    Examples:
        ```python
        fake = FakeSES(auto_verify=True)
        ses = sesflow.SES(client=fake.client())
        ses.identity("alice@example.com").create()
        assert fake.identity_state("alice@example.com").verification_status == "SUCCESS"
        ```

    Args:
        region: The region the fake plays.
        account_id: The 12-digit account id it reports.
        clock: Monotonic seconds (default :func:`time.monotonic`); drives timed transitions
            and the send-rate window. Pass a :class:`FakeClock` to control time (not with
            :meth:`serve`, which runs in real time).
        wall_clock: Epoch seconds (default :func:`time.time`); stamps response timestamps and
            message ids, and dates sends for the 24-hour quota.
        auto_verify: Make new identities, DKIM set-ups and MAIL FROM domains ``SUCCESS`` at
            once.
        seed: Seeds the generator of DKIM tokens, message ids and other random values.
        signing_hosted_zone: The ``SigningHostedZone`` of Easy DKIM.
        sandbox: Start in the sandbox: only verified or mailbox-simulator recipients, and
            unless given below 1 recipient per second and 200 per 24 hours.
        max_send_rate: ``MaxSendRate`` in recipients per second (default 14; sandbox 1).
        max_24_hour_send: ``Max24HourSend`` (default 50,000; sandbox 200; -1 = unlimited).
        throttle_entries: Over the rate, answer ``SendBulkEmail`` with the entries that do not
            fit ``ACCOUNT_THROTTLED`` instead of refusing the call with 429 (also
            ``fake.account.throttle_entries``).
        keep_messages: Keep every accepted :class:`FakeMessage`. ``False`` keeps only
            per-recipient counts and arrival times, and logs send calls without their
            parameters: for runs of millions of recipients. Such a fake keeps no event
            records either.
        sns_signature_version: ``SignatureVersion`` of SNS envelopes: ``"1"`` (RSA SHA1, as
            SNS signs by default) or ``"2"`` (RSA SHA256); each call may ask for the other.
        sns_subject: The ``Subject`` of SNS notifications, signed with them; SES publishes
            events with ``"Amazon SES Email Event Notification"``. ``None`` leaves the key
            out, as in SNS messages published without a subject.
    """

    def __init__(
        self,
        *,
        region: str = "us-east-1",
        account_id: str = "123456789012",
        clock: Callable[[], float] | None = None,
        wall_clock: Callable[[], float] | None = None,
        auto_verify: bool = False,
        seed: int | None = None,
        signing_hosted_zone: str = "dkim.amazonses.com",
        sandbox: bool = False,
        max_send_rate: float | None = None,
        max_24_hour_send: float | None = None,
        throttle_entries: bool = False,
        keep_messages: bool = True,
        sns_signature_version: str = "1",
        sns_subject: str | None = _SES_EVENT_SUBJECT,
    ) -> None:
        if max_send_rate is not None and not (math.isfinite(max_send_rate) and max_send_rate >= 0):
            raise ValueError(f"max_send_rate must be a non-negative number, got {max_send_rate!r}")
        if max_24_hour_send is not None and not math.isfinite(max_24_hour_send):
            raise ValueError(f"max_24_hour_send must be a number, got {max_24_hour_send!r}")
        # Read by the mixins' _reset_state, which the base initialiser runs.
        self._sandbox = bool(sandbox)
        self._max_send_rate_option = None if max_send_rate is None else float(max_send_rate)
        self._max_24_hour_send_option = (
            None if max_24_hour_send is None else float(max_24_hour_send)
        )
        self._throttle_entries_option = bool(throttle_entries)
        self._keep_messages = bool(keep_messages)
        self._sns_signature_version = _check_version(sns_signature_version)
        self._sns_subject = sns_subject
        super().__init__(
            region=region,
            account_id=account_id,
            clock=clock,
            wall_clock=wall_clock,
            auto_verify=auto_verify,
            seed=seed,
            signing_hosted_zone=signing_hosted_zone,
        )
