"""FakeSES: builds one store per SES concept, wires the operation handlers, exposes the knobs.

The stores hold all the state, each its own (`_identities.py`: identities; `_account.py`:
the account and its quotas; `_outbox.py`: what was accepted; ...). `FakeSES._build()`
makes them in dependency order, handing each the stores it reads as constructor arguments, then
builds the `Handlers` objects with the stores they need and
installs them in the dispatcher (`_fake.py`). `reset` simply builds everything again.

The public methods here are the test knobs: each takes the fake's lock and asks one store.
Nothing but this class sees more than one store at a time, except handlers and stores that were
handed another store on purpose (sending, events, the suppression check).
"""

from __future__ import annotations

import math
import time
from collections import Counter
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self

from botocore.config import Config

from sesflow.testing._account import (
    PRODUCTION_DAILY,
    PRODUCTION_RATE,
    AccountHandlers,
    AccountStore,
    FakeAccount,
)
from sesflow.testing._admin_knobs import AdminKnobs
from sesflow.testing._authorization import Authorizer, IdentityPolicyHandlers
from sesflow.testing._configuration_sets import (
    ConfigurationSetHandlers,
    ConfigurationSetStore,
    FakeConfigurationSet,
)
from sesflow.testing._contacts import ContactListHandlers, ContactListKnobs, ContactListStore
from sesflow.testing._context import Context
from sesflow.testing._endpoints import EndpointHandlers, EndpointStore
from sesflow.testing._events import EventStore, FakeEventDelivery
from sesflow.testing._exports import ExportHandlers, ExportStore
from sesflow.testing._fake import FakeSESBase, Handlers
from sesflow.testing._identities import (
    Aspect,
    FakeIdentity,
    IdentityHandlers,
    IdentitySettings,
    IdentityStore,
)
from sesflow.testing._insights import AddressInsightsStore, InsightsHandlers
from sesflow.testing._ip_pools import FakeDedicatedIpPool, IpPoolHandlers, IpPoolStore
from sesflow.testing._metrics import MetricsHandlers, MetricsStore
from sesflow.testing._outbox import SEND_OPERATIONS, FakeMessage, Outbox
from sesflow.testing._sending import SendingHandlers
from sesflow.testing._serve import DEFAULT_TIMEOUT, Loopback, http_client, shut_down
from sesflow.testing._sns import SES_EVENT_SUBJECT, SnsStore, check_version
from sesflow.testing._stats import FakeStats
from sesflow.testing._suppression import (
    FakeSuppressedDestination,
    FakeSuppressedRecipient,
    SuppressionHandlers,
    SuppressionStore,
)
from sesflow.testing._templates import TemplateHandlers, TemplateStore
from sesflow.testing._tenants import TenantHandlers, TenantStore
from sesflow.testing._v1 import QueryApi
from sesflow.testing._verification import VerificationHandlers, VerificationTemplateStore

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from types_boto3_sesv2 import SESV2Client

__all__ = ["FakeSES"]


def _check_delay(value: float) -> None:
    if isinstance(value, bool) or not (
        isinstance(value, int | float) and math.isfinite(value) and value >= 0
    ):
        raise ValueError(f"auto_verify_after must be a non-negative number, got {value!r}")


class FakeSES(FakeSESBase, ContactListKnobs, AdminKnobs):
    """An in-memory SES v2 (one account, one region) behind real boto3 clients.

    Every request is logged (`calls`), may be failed on purpose (`fail_next()`,
    `inject_faults()`), and is answered under one lock, so clients may be shared across
    threads. An operation the fake does not implement (see `implemented_operations()`)
    raises `NotImplementedError` naming it, rather than answering something wrong.

    Identities start `PENDING` as in SES and move only when a test says so:
    `set_status()` (now), `transition()` (after N polls or seconds, chained),
    `identity_state()` (edit the record), `verify()`, or `auto_verify=True`.

    Sending is checked as SES checks it (verified sender, sandbox recipients, 50 recipients
    per message, templates, configuration sets, MAIL FROM, paused or suspended account) and
    paced as SES paces it: by recipients, against `MaxSendRate` over a sliding second of
    `clock` (HTTP 429 past it) and `Max24HourSend` over 24 hours of
    `wall_clock`. Accepted mail lands in `outbox`; `deliveries()` counts it
    per recipient, leaving out recipients on the suppression list
    (`suppressed_recipients`). `serve()` answers the same state over real HTTP.

    A message sent with a configuration set publishes SES event records to its enabled event
    destinations (`events()`, `event_deliveries()`), the mailbox simulator behaving
    as in SES; records for SNS destinations come as signed SNS envelopes
    (`sns_messages()`, verifiable with `sns_certificate_pem` and
    `cert_fetcher()`; these need the `sesflow[events]` extra).

    Configuration sets keep every option group and up to 10 event destinations
    (`configuration_set_state()`); dedicated IP pools exist to be named
    (`dedicated_ip_pool_state()`); a production-access request stays `PENDING` until
    `grant_production_access()`, `deny_production_access()` or a scripted
    `review_transition()`; `suppress()` puts an address on the suppression list.

    Virtual Deliverability Manager's `BatchGetMetricData` answers from every message accepted
    (sends, bounces, complaints per day, identity and configuration set, as VDM counts them:
    single-recipient messages, no mailbox simulator); `PutAccountVdmAttributes` is kept and
    shown by `GetAccount` (`fake.account.vdm_attributes`).

    Examples:
        >>> fake = FakeSES(auto_verify=True)
        >>> ses = sesflow.SES(client=fake.client())
        >>> ses.identity("alice@example.com").create()
        Identity('alice@example.com', verification_status=SUCCESS)
        >>> fake.identity_state("alice@example.com").verification_status
        'SUCCESS'

    Args:
        region: The region the fake plays.
        account_id: The 12-digit account id it reports.
        clock: Monotonic seconds (default `time.monotonic()`); drives timed transitions
            and the send-rate window. Pass a `FakeClock` to control time (not with
            `serve()`, which runs in real time).
        wall_clock: Epoch seconds (default `time.time()`); stamps response timestamps and
            message ids, and dates sends for the 24-hour quota.
        auto_verify: Make new identities, DKIM set-ups and MAIL FROM domains `SUCCESS` on
            their own: at once, or `auto_verify_after` seconds later.
        auto_verify_after: Seconds of `clock` an auto-verified check stays `PENDING` before
            it succeeds (0: at once), as SES's DNS checks take a while.
        seed: Seeds the generator of DKIM tokens, message ids and other random values.
        signing_hosted_zone: The `SigningHostedZone` of Easy DKIM.
        sandbox: Start in the sandbox: only verified or mailbox-simulator recipients, and
            unless given below 1 recipient per second and 200 per 24 hours.
        max_send_rate: `MaxSendRate` in recipients per second (default 14; sandbox 1).
        max_24_hour_send: `Max24HourSend` (default 50,000; sandbox 200; -1 = unlimited).
        throttle_entries: Over the rate, answer `SendBulkEmail` with the entries that do not
            fit `ACCOUNT_THROTTLED` instead of refusing the call with 429 (also
            `fake.account.throttle_entries`).
        keep_messages: Keep every accepted `FakeMessage`. `False` keeps only
            per-recipient counts and arrival times, and logs send calls without their
            parameters: for runs of millions of recipients. Such a fake keeps no event
            records either.
        sns_signature_version: `SignatureVersion` of SNS envelopes: `"1"` (RSA SHA1, as
            SNS signs by default) or `"2"` (RSA SHA256); each call may ask for the other.
        sns_subject: The `Subject` of SNS notifications, signed with them; SES publishes
            events with `"Amazon SES Email Event Notification"`. `None` leaves the key
            out, as in SNS messages published without a subject.
    """

    _handler_types = (
        IdentityHandlers,
        ConfigurationSetHandlers,
        IpPoolHandlers,
        TemplateHandlers,
        AccountHandlers,
        SuppressionHandlers,
        SendingHandlers,
        ContactListHandlers,
        MetricsHandlers,
        VerificationHandlers,
        IdentityPolicyHandlers,
        TenantHandlers,
        EndpointHandlers,
        InsightsHandlers,
        ExportHandlers,
    )

    def __init__(
        self,
        *,
        region: str = "us-east-1",
        account_id: str = "123456789012",
        clock: Callable[[], float] | None = None,
        wall_clock: Callable[[], float] | None = None,
        auto_verify: bool = False,
        auto_verify_after: float = 0.0,
        seed: int | None = None,
        signing_hosted_zone: str = "dkim.amazonses.com",
        sandbox: bool = False,
        max_send_rate: float | None = None,
        max_24_hour_send: float | None = None,
        throttle_entries: bool = False,
        keep_messages: bool = True,
        sns_signature_version: str = "1",
        sns_subject: str | None = SES_EVENT_SUBJECT,
    ) -> None:
        if max_send_rate is not None and not (math.isfinite(max_send_rate) and max_send_rate >= 0):
            raise ValueError(f"max_send_rate must be a non-negative number, got {max_send_rate!r}")
        if max_24_hour_send is not None and not math.isfinite(max_24_hour_send):
            raise ValueError(f"max_24_hour_send must be a number, got {max_24_hour_send!r}")
        # Every store is built from these, by _build, which the base initialiser runs (and
        # reset runs again).
        self._sandbox = bool(sandbox)
        self._max_send_rate_option = None if max_send_rate is None else float(max_send_rate)
        self._max_24_hour_send_option = (
            None if max_24_hour_send is None else float(max_24_hour_send)
        )
        self._throttle_entries_option = bool(throttle_entries)
        self._keep_messages = bool(keep_messages)
        self._sns_signature_version = check_version(sns_signature_version)
        self._sns_subject = sns_subject
        _check_delay(auto_verify_after)
        # Kept by the fake, not a store, so that an edit survives reset.
        self._identity_settings = IdentitySettings(
            auto_verify=auto_verify,
            auto_verify_after=float(auto_verify_after),
            signing_hosted_zone=signing_hosted_zone,
        )
        self._loopback = Loopback()
        # The fakes of the accounts linked with this one (`link()`), this one included: one
        # list shared by every linked fake, and kept across `reset()`.
        self._peers: list[FakeSES] = [self]
        super().__init__(
            region=region, account_id=account_id, clock=clock, wall_clock=wall_clock, seed=seed
        )

    # --- the stores ------------------------------------------------------------------------

    def _build(self) -> None:
        """Build every store, in dependency order, and install the handlers over them."""
        context = Context(self.region, self.account_id, self.clock, self.wall_clock, self._seed)
        self._pools = IpPoolStore(context)
        self._configuration_sets = ConfigurationSetStore(context)
        self._identities = IdentityStore(context, self._configuration_sets, self._identity_settings)
        self._templates = TemplateStore(context)
        self._account = AccountStore(
            context,
            sandbox=self._sandbox,
            max_send_rate=self._max_send_rate_option,
            max_24_hour_send=self._max_24_hour_send_option,
            throttle_entries=self._throttle_entries_option,
        )
        self._suppression = SuppressionStore(context)
        self._contacts = ContactListStore(context)
        self._outbox = Outbox(keep_messages=self._keep_messages)
        self._sns = SnsStore(
            context, signature_version=self._sns_signature_version, subject=self._sns_subject
        )
        self._events = EventStore(context, self._configuration_sets, self._identities, self._sns)
        self._metrics = MetricsStore(context)
        self._tenants = TenantStore(context)
        self._endpoints = EndpointStore(context)
        self._exports = ExportStore(context, self._outbox)
        self._address_insights = AddressInsightsStore()
        # A fake that keeps no messages logs send calls without their (large) parameters.
        self._unlogged_params = frozenset() if self._keep_messages else SEND_OPERATIONS
        handlers: list[Handlers] = [
            IdentityHandlers(self._identities, self._configuration_sets),
            ConfigurationSetHandlers(self._configuration_sets, self._pools),
            IpPoolHandlers(self._pools),
            TemplateHandlers(self._templates, context),
            AccountHandlers(self._account, context),
            SuppressionHandlers(
                self._suppression, self._account, tenant_lists=self._tenants.suppression_list
            ),
            SendingHandlers(
                context,
                identities=self._identities,
                configuration_sets=self._configuration_sets,
                templates=self._templates,
                account=self._account,
                suppression=self._suppression,
                outbox=self._outbox,
                events=self._events,
                faults=self._random_faults,
                contacts=self._contacts,
                metrics=self._metrics,
                authorizer=Authorizer(context, self._identities, self._linked_identities),
                checks=(self._tenants.check_send, self._endpoints.check_send),
            ),
            ContactListHandlers(self._contacts),
            MetricsHandlers(self._metrics),
            VerificationHandlers(
                context,
                templates=VerificationTemplateStore(context),
                identities=self._identities,
                configuration_sets=self._configuration_sets,
                account=self._account,
                outbox=self._outbox,
            ),
            IdentityPolicyHandlers(self._identities, context),
            TenantHandlers(
                self._tenants,
                context,
                identities=self._identities,
                configuration_sets=self._configuration_sets,
                templates=self._templates,
            ),
            EndpointHandlers(self._endpoints, context),
            InsightsHandlers(
                context,
                outbox=self._outbox,
                events=self._events,
                suppression=self._suppression,
                addresses=self._address_insights,
            ),
            ExportHandlers(self._exports, context),
        ]
        self._install(handlers)
        # SES v1 (the Query API), answered by running the v2 operations above.
        self._query_api = QueryApi(
            context,
            call=self._serve_v2,
            outbox=self._outbox,
            suppression=self._suppression,
            events=self._events,
        )

    def _linked_identities(self, account_id: str) -> IdentityStore | None:
        for fake in self._peers:
            if fake.account_id == account_id:
                return fake._identities
        return None

    def link(self, *others: FakeSES) -> None:
        """Join other accounts' fakes (same region) with this one, for sending authorization.

        A send through one of them may then name an identity of another by its ARN
        (`FromEmailAddressIdentityArn`): it goes through when that identity is verified and
        its sending authorization policies allow the sending account (else HTTP 403
        `AccessDeniedException`). Linked fakes share one lock; link them before use.

        Examples:
            >>> owner = FakeSES(account_id="444455556666", auto_verify=True)
            >>> delegate = FakeSES(account_id="111122223333")
            >>> owner.link(delegate)
            >>> owner_ses = sesflow.SES(client=owner.client())
            >>> _ = owner_ses.domain("example.com").create().policy("app").create(
            ...     SendingPolicy.allow("111122223333", from_addresses=["billing@example.com"]))
            >>> sesflow.SES(client=delegate.client()).sender(
            ...     "billing@example.com",
            ...     from_identity_arn="arn:aws:ses:us-east-1:444455556666:identity/example.com",
            ... ).send("bob@example.org", "Your invoice", text="Attached.")
            SendResult(message_id='...')

        Raises:
            ValueError: a fake of another region, or a second fake of one account id.
        """
        with self._lock:
            group = self._peers
            for other in others:
                if other.region != self.region:
                    raise ValueError(
                        f"cannot link a fake of {other.region} with one of {self.region}: an "
                        "identity is used in its own region only"
                    )
                if other._peers is group:
                    continue
                taken = {fake.account_id for fake in group}
                for fake in other._peers:
                    if fake.account_id in taken:
                        raise ValueError(f"account {fake.account_id} is linked already")
                for fake in list(other._peers):
                    group.append(fake)
                    fake._peers = group
                    fake._lock = self._lock

    @property
    def auto_verify(self) -> bool:
        """When true, new identities, DKIM set-ups and MAIL FROM domains succeed at once."""
        return self._identity_settings.auto_verify

    @auto_verify.setter
    def auto_verify(self, value: bool) -> None:
        self._identity_settings.auto_verify = value

    @property
    def auto_verify_after(self) -> float:
        """Seconds an auto-verified identity, DKIM set-up or MAIL FROM stays `PENDING`."""
        return self._identity_settings.auto_verify_after

    @auto_verify_after.setter
    def auto_verify_after(self, value: float) -> None:
        _check_delay(value)
        self._identity_settings.auto_verify_after = float(value)

    @property
    def signing_hosted_zone(self) -> str:
        """The `SigningHostedZone` Easy DKIM tokens point into."""
        return self._identity_settings.signing_hosted_zone

    @signing_hosted_zone.setter
    def signing_hosted_zone(self, value: str) -> None:
        self._identity_settings.signing_hosted_zone = value

    # --- identities ---------------------------------------------------------------------

    def identity_state(self, name: str) -> FakeIdentity:
        """Return the live state of identity `name` (edits show in later responses).

        Transitions whose time has come are applied first; poll-counted ones are not touched.

        Examples:
            >>> _ = client.create_email_identity(EmailIdentity="example.com")
            >>> state = fake.identity_state("example.com")
            >>> state.verification_status, len(state.dkim_tokens)
            ('PENDING', 3)

        Raises:
            KeyError: No such identity.
        """
        with self._lock:
            return self._identities.state(name)

    def set_status(
        self,
        name: str,
        *,
        verification: str | None = None,
        dkim: str | None = None,
        mail_from: str | None = None,
        error_type: str | None = None,
    ) -> None:
        """Change identity statuses now.

        For a domain, `verification` sets the DKIM status too (a domain's verification in
        SES v2 is its DKIM check) unless `dkim` is given as well. Queued transitions stay
        queued. `error_type` alone changes the reason of a failure already showing.

        Examples:
            >>> _ = client.create_email_identity(EmailIdentity="example.com")
            >>> fake.set_status("example.com", verification="FAILED", error_type="HOST_NOT_FOUND")
            >>> identity = client.get_email_identity(EmailIdentity="example.com")
            >>> identity["VerificationStatus"], identity["VerificationInfo"]["ErrorType"]
            ('FAILED', 'HOST_NOT_FOUND')

        Args:
            name: The identity.
            verification: New `VerificationStatus` (a string or str-enum).
            dkim: New `DkimStatus`.
            mail_from: New `MailFromDomainStatus` (the identity must have a MAIL FROM domain).
            error_type: `VerificationInfo.ErrorType` while a status is FAILED or
                TEMPORARY_FAILURE; defaults to `TYPE_NOT_FOUND` / `DNS_SERVER_ERROR`.

        Raises:
            KeyError: No such identity.
            ValueError: An unknown status or error type, nothing to set, or an `error_type`
                with no failure to explain.
        """
        with self._lock:
            self._identities.set_status(
                name,
                verification=verification,
                dkim=dkim,
                mail_from=mail_from,
                error_type=error_type,
            )

    def transition(
        self,
        name: str,
        to: str,
        *,
        aspect: Aspect | None = None,
        after_polls: int | None = None,
        after_seconds: float | None = None,
        error_type: str | None = None,
    ) -> None:
        """Queue a status change that happens later, as SES's DNS checks would.

        With `after_polls=N` the next N `GetEmailIdentity` responses for this identity
        still show the current status and the one after shows `to`. With `after_seconds`
        it happens once the fake's `clock` has moved that far. Giving neither means
        `after_polls=0` (the next poll shows it).

        Transitions for the same `aspect` chain: each counts from the moment the one before
        it took effect, so the response that first shows a step is the first of the next
        step's N. Transitions for different aspects run side by side.

        An identity that does not exist yet can be scripted in advance (for code under test
        that creates it): the countdown starts when it is created. Deleting an identity drops
        its transitions.

        Examples:
            >>> _ = client.create_email_identity(EmailIdentity="example.com")
            >>> fake.transition("example.com", "TEMPORARY_FAILURE", after_polls=2)
            >>> fake.transition("example.com", "SUCCESS", after_polls=2)
            >>> [client.get_email_identity(EmailIdentity="example.com")["VerificationStatus"]
            ...  for _ in range(5)]
            ['PENDING', 'PENDING', 'TEMPORARY_FAILURE', 'TEMPORARY_FAILURE', 'SUCCESS']

            By time instead, on the fake's `clock`:

            >>> _ = client.create_email_identity(EmailIdentity="alice@example.com")
            >>> fake.transition("alice@example.com", "SUCCESS", after_seconds=60)
            >>> clock.advance(60)
            >>> fake.identity_state("alice@example.com").verification_status
            'SUCCESS'

        Args:
            name: The identity.
            to: The status to move to (a string or str-enum).
            aspect: `"verification"`, `"dkim"` or `"mail_from"`; `None` means
                verification, and DKIM too for a domain.
            after_polls: How many polls still show the old status.
            after_seconds: How long (by `clock`) until the change.
            error_type: `VerificationInfo.ErrorType` while `to` is a failure; defaults to
                `TYPE_NOT_FOUND` (FAILED) / `DNS_SERVER_ERROR` (TEMPORARY_FAILURE).

        Raises:
            ValueError: Bad status, aspect, error type or countdown; both countdowns given;
                a `mail_from` transition for an existing identity without a MAIL FROM
                domain.
        """
        with self._lock:
            self._identities.transition(
                name,
                to,
                aspect=aspect,
                after_polls=after_polls,
                after_seconds=after_seconds,
                error_type=error_type,
            )

    def verify(self, *identities: str) -> None:
        """Create each identity if it does not exist, and make it `SUCCESS` now.

        A domain's DKIM status becomes `SUCCESS` too (a domain's verification in SES v2 is
        its DKIM check), and so does the MAIL FROM status of an identity with a custom MAIL
        FROM domain. Queued transitions stay queued. The shortcut for a test that only wants
        to send; `sesflow local` serves it as `POST /_sesflow/identities/{identity}/verify`.

        Examples:
            >>> fake.verify("example.com", "alice@other.example")
            >>> fake.identity_state("example.com").dkim_status
            'SUCCESS'
            >>> ses.sender("alice@other.example").send("bob@example.com", "Hi", text="Yo")
            SendResult(message_id='...')

        Raises:
            ValueError: A name that is neither an email address nor a domain.
        """
        with self._lock:
            self._identities.verify(*identities)

    def fail_verification(self, name: str, *, error_type: str | None = None) -> FakeIdentity:
        """Make identity `name` fail verification now, as SES does when its DNS records are
        missing: verification `FAILED`, a domain's DKIM too, and its MAIL FROM if it has one.

        Waiters polling it stop with their failure at the next poll. Queued transitions stay
        queued. `sesflow local` serves it as `POST /_sesflow/identities/{identity}/fail`.

        Examples:
            ```python
            client.create_email_identity(EmailIdentity="example.com")
            fake.fail_verification("example.com", error_type="HOST_NOT_FOUND")
            info = client.get_email_identity(EmailIdentity="example.com")["VerificationInfo"]
            assert info["ErrorType"] == "HOST_NOT_FOUND"
            ```

        Args:
            name: The identity, which must exist.
            error_type: `VerificationInfo.ErrorType`; `None` reports `TYPE_NOT_FOUND`.

        Returns:
            The live identity record.

        Raises:
            KeyError: No such identity.
            ValueError: An unknown error type.
        """
        with self._lock:
            return self._identities.fail(name, error_type=error_type)

    # --- configuration sets and dedicated IP pools ---------------------------------------

    def configuration_set_state(self, name: str) -> FakeConfigurationSet:
        """Return a snapshot of configuration set `name`: options and event destinations.

        Examples:
            >>> _ = client.create_configuration_set(ConfigurationSetName="marketing")
            >>> _ = client.create_configuration_set_event_destination(
            ...     ConfigurationSetName="marketing",
            ...     EventDestinationName="to-sns",
            ...     EventDestination={
            ...         "Enabled": True,
            ...         "MatchingEventTypes": ["BOUNCE"],
            ...         "SnsDestination": {"TopicArn": "arn:aws:sns:us-east-1:123456789012:t"},
            ...     },
            ... )
            >>> state = fake.configuration_set_state("marketing")
            >>> [(d.name, d.matching_event_types) for d in state.event_destinations]
            [('to-sns', ('BOUNCE',))]

        Raises:
            KeyError: No such configuration set.
        """
        with self._lock:
            return self._configuration_sets.state(name)

    def dedicated_ip_pool_state(self, name: str) -> FakeDedicatedIpPool:
        """Return a snapshot of the dedicated IP pool `name`.

        Examples:
            >>> _ = client.create_dedicated_ip_pool(PoolName="transactional")
            >>> fake.dedicated_ip_pool_state("transactional").scaling_mode
            'STANDARD'

        Raises:
            KeyError: No such pool.
        """
        with self._lock:
            return self._pools.state(name)

    # --- the account ----------------------------------------------------------------------

    @property
    def account(self) -> FakeAccount:
        """The live account state; edit its fields to change what SES enforces and reports.

        Examples:
            >>> fake.account.max_send_rate = 10
            >>> client.get_account()["SendQuota"]["MaxSendRate"]
            10.0
        """
        with self._lock:
            return self._account.account

    @account.setter
    def account(self, value: FakeAccount) -> None:
        if not isinstance(value, FakeAccount):
            raise TypeError(f"account must be a FakeAccount, got {type(value).__name__}")
        with self._lock:
            self._account.account = value

    def sent_last_24_hours(self) -> float:
        """`SentLast24Hours`: recipients accepted in the last 24 hours, plus `sent_offset`.

        Counted by the fake's `wall_clock`; mailbox-simulator recipients are not counted.

        Examples:
            >>> _ = sender.send(["ann@example.com", "bob@example.com"], "Hi", text="Yo")
            >>> fake.sent_last_24_hours()
            2.0
        """
        with self._lock:
            return self._account.sent_last_24_hours()

    def grant_production_access(
        self,
        *,
        max_send_rate: float = PRODUCTION_RATE,
        max_24_hour_send: float = PRODUCTION_DAILY,
    ) -> None:
        """Decide the production-access request on file: `GRANTED`, now.

        The account leaves the sandbox and gets a production quota: `max_send_rate`
        recipients per second and `max_24_hour_send` per 24 hours (-1 = unlimited). Queued
        `review_transition()` steps stay queued.

        Examples:
            >>> fake = FakeSES(sandbox=True)
            >>> client = fake.client()
            >>> _ = client.put_account_details(
            ...     MailType="TRANSACTIONAL",
            ...     WebsiteURL="https://example.com",
            ...     ProductionAccessEnabled=True,
            ... )
            >>> fake.grant_production_access()
            >>> account = client.get_account()
            >>> account["ProductionAccessEnabled"], account["Details"]["ReviewDetails"]["Status"]
            (True, 'GRANTED')
            >>> account["SendQuota"]["MaxSendRate"]
            14.0

        Raises:
            ValueError: No production-access request is on file (`PutAccountDetails` with
                `ProductionAccessEnabled`, or `fake.account.details`), or a quota is not a
                number.
        """
        with self._lock:
            self._account.grant_production_access(
                max_send_rate=max_send_rate, max_24_hour_send=max_24_hour_send
            )

    def deny_production_access(self) -> None:
        """Decide the production-access request on file: `DENIED`, now.

        The account stays in the sandbox, and may file a new request.

        Examples:
            >>> fake = FakeSES(sandbox=True)
            >>> client = fake.client()
            >>> _ = client.put_account_details(
            ...     MailType="TRANSACTIONAL", WebsiteURL="https://example.com",
            ...     ProductionAccessEnabled=True,
            ... )
            >>> fake.deny_production_access()
            >>> account = client.get_account()
            >>> account["ProductionAccessEnabled"], account["Details"]["ReviewDetails"]["Status"]
            (False, 'DENIED')

        Raises:
            ValueError: No production-access request is on file.
        """
        with self._lock:
            self._account.deny_production_access()

    def review_transition(
        self,
        to: str,
        *,
        after_polls: int | None = None,
        after_seconds: float | None = None,
        max_send_rate: float = PRODUCTION_RATE,
        max_24_hour_send: float = PRODUCTION_DAILY,
    ) -> None:
        """Queue a review outcome that arrives later, as AWS's human review would.

        With `after_polls=N` the next N `GetAccount` responses still show the current
        review status and the one after shows `to`; with `after_seconds` it happens once
        the fake's `clock` has moved that far (checked on every request, so a send sees a
        timed `GRANTED` as soon as it is due). Neither means `after_polls=0`. Steps chain:
        each counts from the moment the one before it took effect.

        A step may be queued before the code under test files its request: the countdown then
        starts when `PutAccountDetails` files one, and no `GetAccount` before that counts.
        Filing a new request (after `DENIED` or `FAILED`) restarts the next step's
        countdown.

        Examples:
            >>> fake = FakeSES(sandbox=True)
            >>> client = fake.client()
            >>> fake.review_transition("GRANTED", after_polls=2)
            >>> _ = client.put_account_details(
            ...     MailType="MARKETING", WebsiteURL="https://example.com",
            ...     ProductionAccessEnabled=True,
            ... )
            >>> [client.get_account()["Details"]["ReviewDetails"]["Status"] for _ in range(3)]
            ['PENDING', 'PENDING', 'GRANTED']

        Args:
            to: `PENDING`, `FAILED`, `GRANTED` or `DENIED` (a string or str-enum).
            after_polls: How many `GetAccount` responses still show the old status.
            after_seconds: How long (by `clock`) until the change.
            max_send_rate: For `GRANTED`: the production `MaxSendRate`.
            max_24_hour_send: For `GRANTED`: the production `Max24HourSend`.

        Raises:
            ValueError: An unknown status, both countdowns, or a bad countdown or quota.
        """
        with self._lock:
            self._account.review_transition(
                to,
                after_polls=after_polls,
                after_seconds=after_seconds,
                max_send_rate=max_send_rate,
                max_24_hour_send=max_24_hour_send,
            )

    # --- the suppression list -------------------------------------------------------------

    def suppress(
        self,
        address: str,
        reason: str,
        *,
        message_id: str | None = None,
        feedback_id: str | None = None,
    ) -> FakeSuppressedDestination:
        """Put `address` on the account-level suppression list, as a bounce or complaint would.

        Works in the sandbox too (SES adds addresses that bounce there), unlike
        `PutSuppressedDestination`. Putting an address again replaces its entry.

        Examples:
            >>> _ = fake.suppress("bounced@example.org", "BOUNCE", message_id="0100-example-000000")
            >>> got = client.get_suppressed_destination(EmailAddress="bounced@example.org")
            >>> entry = got["SuppressedDestination"]
            >>> entry["Reason"], entry["Attributes"]["MessageId"]
            ('BOUNCE', '0100-example-000000')

        Args:
            address: The email address.
            reason: `BOUNCE` or `COMPLAINT` (a string or str-enum).
            message_id: `Attributes.MessageId` to report.
            feedback_id: `Attributes.FeedbackId` to report.

        Returns:
            The entry now on the list.

        Raises:
            ValueError: Not an email address, or an unknown reason.
        """
        with self._lock:
            return self._suppression.suppress(
                address, reason, message_id=message_id, feedback_id=feedback_id
            )

    def suppressed_destinations(self) -> list[FakeSuppressedDestination]:
        """Every entry of the account-level suppression list, oldest first.

        Examples:
            >>> _ = fake.suppress("a@example.org", "COMPLAINT")
            >>> [(e.email_address, e.reason) for e in fake.suppressed_destinations()]
            [('a@example.org', 'COMPLAINT')]
        """
        with self._lock:
            return self._suppression.destinations()

    @property
    def suppressed_recipients(self) -> list[FakeSuppressedRecipient]:
        """Every recipient a send was accepted for but not delivered to, oldest first (a copy).

        Kept whether or not the fake keeps messages; cleared by `reset()`.

        Examples:
            >>> _ = fake.suppress("gone@example.org", "BOUNCE")
            >>> _ = sender.send(["gone@example.org", "bob@example.com"], "Hi", text="Yo")
            >>> [(r.address, r.reason) for r in fake.suppressed_recipients]
            [('gone@example.org', 'BOUNCE')]
            >>> fake.deliveries("gone@example.org"), fake.deliveries("bob@example.com")
            (0, 1)
        """
        with self._lock:
            return self._suppression.recipients

    # --- the outbox -----------------------------------------------------------------------

    @property
    def outbox(self) -> list[FakeMessage]:
        """Every message accepted, oldest first (a copy).

        Examples:
            >>> _ = sender.send("bob@example.com", "Welcome", text="Hi Bob")
            >>> [(m.to, m.subject) for m in fake.outbox]
            [(('bob@example.com',), 'Welcome')]

        Raises:
            RuntimeError: The fake was made with `keep_messages=False`; use
                `deliveries()`, `delivery_counts()` and `arrivals()`.
        """
        if not self._outbox.keep_messages:
            raise RuntimeError(
                "this FakeSES keeps no messages (keep_messages=False); use deliveries(), "
                "delivery_counts() or arrivals()"
            )
        with self._lock:
            return self._outbox.messages

    def deliveries(self, address: str) -> int:
        """How many accepted, delivered messages had `address` among their recipients.

        Addresses compare without display names and with the domain in any case.

        Examples:
            >>> _ = sender.send("bob@example.com", "Hi", text="Yo")
            >>> fake.deliveries("Bob <bob@EXAMPLE.com>"), fake.deliveries("ann@example.com")
            (1, 0)
        """
        with self._lock:
            return self._outbox.deliveries(address)

    def delivery_counts(self) -> Counter[str]:
        """Deliveries per recipient address (a copy); see `deliveries()`.

        Examples:
            >>> _ = sender.send_bulk(recipients, "welcome")
            >>> fake.delivery_counts()
            Counter({'ann@example.com': 1, 'bob@example.com': 1})
        """
        with self._lock:
            return self._outbox.delivery_counts()

    def arrivals(self) -> list[tuple[float, int]]:
        """`(clock reading, recipients)` of every accepted message, oldest first.

        Examples:
            >>> _ = sender.send(["ann@example.com", "bob@example.com"], "Hi", text="Yo")
            >>> clock.advance(1.5)
            >>> _ = sender.send("bob@example.com", "Hi again", text="Yo")
            >>> fake.arrivals()
            [(0.0, 2), (1.5, 1)]
        """
        with self._lock:
            return self._outbox.arrivals()

    def clear_outbox(self) -> None:
        """Forget accepted messages and delivery counts (not the quotas they used).

        Examples:
            >>> _ = sender.send("bob@example.com", "Hi", text="Yo")
            >>> fake.clear_outbox()
            >>> fake.outbox, fake.delivery_counts()
            ([], Counter())
        """
        with self._lock:
            self._outbox.clear()

    # --- events and SNS -------------------------------------------------------------------

    def events(
        self, configuration_set: str | None = None, event_type: str | None = None
    ) -> list[dict[str, Any]]:
        """Every event record published, oldest first, decoded (private copies).

        A record is listed once however many destinations received it.

        Examples:
            >>> _ = ses.configuration_set("marketing").create().add_event_destination(
            ...     "to-sns", ["SEND", "BOUNCE"], SnsDestination(topic_arn))
            >>> marketing = ses.sender("news@example.com", configuration_set="marketing")
            >>> _ = marketing.send("bounce@simulator.amazonses.com", "Hi", text="Yo")
            >>> [record["eventType"] for record in fake.events()]
            ['Send', 'Bounce']
            >>> [bounce] = fake.events(event_type="BOUNCE")
            >>> bounce["bounce"]["bounceType"]
            'Permanent'

        Args:
            configuration_set: Only records of messages sent with this configuration set.
            event_type: Only this type: an SES `EventType` value (`"BOUNCE"`,
                `"RENDERING_FAILURE"`, a `sesflow.EventType`) or a record's `eventType`
                (`"Bounce"`, `"Rendering Failure"`).

        Raises:
            ValueError: `event_type` is not an event type.
        """
        with self._lock:
            return self._events.events(configuration_set, event_type)

    def event_deliveries(self) -> list[FakeEventDelivery]:
        """Every (destination name, destination kind, record) delivery, oldest first.

        A record that two destinations matched is listed twice, once for each, in the order
        the set's destinations were created.

        Examples:
            >>> _ = ses.configuration_set("marketing").create().add_event_destination(
            ...     "to-sns", ["SEND", "DELIVERY"], SnsDestination(topic_arn))
            >>> marketing = ses.sender("news@example.com", configuration_set="marketing")
            >>> _ = marketing.send("bob@example.com", "Hi", text="Yo")
            >>> [(d.destination, d.record["eventType"]) for d in fake.event_deliveries()]
            [('to-sns', 'Send'), ('to-sns', 'Delivery')]
        """
        with self._lock:
            return self._events.event_deliveries()

    def clear_events(self) -> None:
        """Forget every event record and delivery (and so the SNS envelopes made from them).

        Scripted outcomes (`recipient_outcome()`) stay.

        Examples:
            >>> _ = ses.configuration_set("marketing").create().add_event_destination(
            ...     "to-sns", ["SEND"], SnsDestination(topic_arn))
            >>> _ = ses.sender("news@example.com", configuration_set="marketing").send(
            ...     "bob@example.com", "Hi", text="Yo")
            >>> len(fake.events())
            1
            >>> fake.clear_events()
            >>> fake.events(), fake.sns_messages()
            ([], [])
        """
        with self._lock:
            self._events.clear()

    def recipient_outcome(
        self,
        address: str,
        outcome: str | None,
        *,
        bounce_type: str = "Permanent",
        bounce_subtype: str = "General",
        delay_type: str = "TransientCommunicationFailure",
    ) -> None:
        """Script what happens to mail for `address` from now on, for its event records.

        Only the records change: the outbox and `deliveries()` count the message as
        accepted as before. The account-level suppression list still comes first.

        Examples:
            >>> fake.recipient_outcome("slow@example.org", "DELIVERY_DELAY")
            >>> _ = ses.configuration_set("marketing").create().add_event_destination(
            ...     "to-sns", ["DELIVERY", "DELIVERY_DELAY"], SnsDestination(topic_arn))
            >>> _ = ses.sender("news@example.com", configuration_set="marketing").send(
            ...     "slow@example.org", "Hi", text="Yo")
            >>> [delay] = fake.events()
            >>> delay["eventType"], delay["deliveryDelay"]["delayType"]
            ('DeliveryDelay', 'TransientCommunicationFailure')

        Args:
            address: The recipient; compared without display name and regardless of case.
            outcome: `DELIVERY`, `BOUNCE`, `COMPLAINT` (a delivery, then a complaint),
                `DELIVERY_DELAY` (a delay, nothing after it yet), `REJECT` (the whole
                message is rejected as carrying a virus), or `None` to go back to the
                default rules. `sesflow.EventType` members work too.
            bounce_type: `bounceType` of a `BOUNCE`, e.g. `"Transient"`.
            bounce_subtype: `bounceSubType` of a `BOUNCE`, e.g. `"MailboxFull"`.
            delay_type: `delayType` of a `DELIVERY_DELAY`, e.g. `"MailboxFull"`.

        Raises:
            ValueError: An unknown outcome.
        """
        with self._lock:
            self._events.recipient_outcome(
                address,
                outcome,
                bounce_type=bounce_type,
                bounce_subtype=bounce_subtype,
                delay_type=delay_type,
            )

    def sns_messages(
        self, topic_arn: str | None = None, *, signature_version: str | None = None
    ) -> list[dict[str, str]]:
        """The SNS `Notification` envelopes for every record sent to an SNS destination.

        Each is a dict as SNS POSTs it as JSON to an HTTP(S) subscriber, oldest first:
        `Type`, `MessageId`, `TopicArn`, `Subject` (unless `sns_subject=None`),
        `Message` (the record as a JSON string), `Timestamp`, `SignatureVersion`,
        `Signature`, `SigningCertURL` and `UnsubscribeURL`. An envelope is the same on
        every call but for the signature version asked for.

        Examples:
            >>> import json
            >>> _ = ses.configuration_set("marketing").create().add_event_destination(
            ...     "to-sns", ["BOUNCE"], SnsDestination(topic_arn))
            >>> _ = ses.sender("news@example.com", configuration_set="marketing").send(
            ...     "bounce@simulator.amazonses.com", "Hi", text="Yo")
            >>> [envelope] = fake.sns_messages(topic_arn)
            >>> envelope["Type"], json.loads(envelope["Message"])["eventType"]
            ('Notification', 'Bounce')
            >>> verifier = SnsVerifier(allowed_topic_arns={topic_arn},
            ...                        cert_fetcher=fake.cert_fetcher)
            >>> verifier.verify(envelope).topic_arn
            'arn:aws:sns:us-east-1:123456789012:ses-events'

        Args:
            topic_arn: Only envelopes for this topic.
            signature_version: `"1"` (SHA1) or `"2"` (SHA256); `None` takes the fake's
                `sns_signature_version`.

        Raises:
            ImportError: `cryptography` is not installed (`pip install 'sesflow[events]'`).
            ValueError: An unknown signature version.
        """
        with self._lock:
            return self._sns.messages(topic_arn, signature_version=signature_version)

    def sns_subscription_confirmation(
        self, topic_arn: str, endpoint: str, *, signature_version: str | None = None
    ) -> dict[str, str]:
        """Build the signed `SubscriptionConfirmation` SNS sends `endpoint` on subscribing.

        Keys: `Type`, `MessageId`, `Token`, `TopicArn`, `Message`, `SubscribeURL`
        (`https://sns.<region>.amazonaws.com/?Action=ConfirmSubscription&TopicArn=...&Token=...`),
        `Timestamp`, `SignatureVersion`, `Signature` and `SigningCertURL`. Each call
        makes a new token.

        Examples:
            >>> envelope = fake.sns_subscription_confirmation(
            ...     "arn:aws:sns:us-east-1:123456789012:ses-events", "https://example.com/sns"
            ... )
            >>> envelope["Type"], envelope["SubscribeURL"].endswith("&Token=" + envelope["Token"])
            ('SubscriptionConfirmation', True)

        Args:
            topic_arn: The topic being subscribed to.
            endpoint: The `http`/`https` URL subscribing (where SNS would POST this).
            signature_version: `"1"` or `"2"`; `None` takes the fake's
                `sns_signature_version`.

        Raises:
            ImportError: `cryptography` is not installed (`pip install 'sesflow[events]'`).
            ValueError: Not an SNS topic ARN, an endpoint that is not an HTTP(S) URL, or an
                unknown signature version.
        """
        with self._lock:
            return self._sns.subscription_confirmation(
                topic_arn, endpoint, signature_version=signature_version
            )

    @property
    def sns_certificate_pem(self) -> bytes:
        """The PEM of the test certificate whose key signs every envelope of this process.

        A self-signed X.509 certificate for `sns.amazonaws.com` with an RSA 2048 key, made
        at first use and cached for the process.

        Examples:
            >>> from cryptography import x509
            >>> certificate = x509.load_pem_x509_certificate(fake.sns_certificate_pem)
            >>> certificate.subject.rfc4514_string(), certificate.public_key().key_size
            ('CN=sns.amazonaws.com', 2048)

        Raises:
            ImportError: `cryptography` is not installed (`pip install 'sesflow[events]'`).
        """
        return self._sns.certificate_pem

    def cert_fetcher(self, url: str) -> bytes:
        """Return the test certificate for this fake's `SigningCertURL`; refuse other URLs.

        Pass it to a verifier under test (`cert_fetcher=fake.cert_fetcher`) so that it
        fetches the certificate without a network. It answers the URL of the fake's region
        and of every region its envelopes named, exactly, and raises for anything else (a
        verifier should never fetch those).

        Examples:
            >>> envelope = fake.sns_subscription_confirmation(topic_arn, "https://example.com/sns")
            >>> fake.cert_fetcher(envelope["SigningCertURL"]) == fake.sns_certificate_pem
            True
            >>> fake.cert_fetcher("https://sns.us-east-1.amazonaws.com/other.pem")
            Traceback (most recent call last):
            ValueError: FakeSES serves no SNS signing certificate at 'https://sns.us-east-1.amazonaws.com/other.pem'

        Raises:
            ImportError: `cryptography` is not installed (`pip install 'sesflow[events]'`).
            ValueError: `url` is not one of this fake's certificate URLs.
        """
        with self._lock:
            return self._sns.cert_fetcher(url)

    # --- stats and serving -----------------------------------------------------------------

    def stats(self) -> FakeStats:
        """Return a snapshot of the fake's counters.

        Examples:
            >>> _ = sender.send_bulk(recipients, "welcome")
            >>> stats = fake.stats()
            >>> stats.calls["SendBulkEmail"], stats.recipients_accepted, stats.throttled_calls
            (1, 2, 0)
        """
        with self._lock:
            return FakeStats(
                calls=dict(self._call_counts),
                throttled_calls=self._statuses[429],
                peak_recipients_per_second=self._account.window.peak,
                messages_accepted=self._outbox.messages_accepted,
                recipients_accepted=self._outbox.recipients_accepted,
                rendering_failures=self._outbox.rendering_failures,
                injected_faults=dict(self._random_faults.counts),
            )

    def _stats_json(self) -> dict[str, Any]:
        """`stats()` as JSON-ready data (what `/_sesflow/stats` serves)."""
        return self.stats().to_json()

    def _outbox_summary(self, *, per_recipient: bool) -> dict[str, Any]:
        """What `/_sesflow/outbox` serves: count, recipients, arrivals, deliveries per address."""
        with self._lock:
            return self._outbox.summary(per_recipient=per_recipient)

    def serve(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        latency: float = 0.0,
        jitter: float = 0.0,
        timeout: float | None = DEFAULT_TIMEOUT,
    ) -> str:
        """Answer SES v2 over real HTTP/1.1 on loopback, from a daemon thread.

        The server shares this fake's state with `client()`. It runs until `stop()`
        (or the end of a `with fake:` block). Each request sleeps `latency` seconds of
        real time, give or take a uniform `jitter`, half before it is processed and half
        before the answer goes back. Injected `drop_before`/`drop_after` faults close the
        connection without answering.

        Under `/_sesflow/` it serves control endpoints as JSON: `GET /_sesflow/messages`
        (the outbox, filterable by `recipient=` and `subject=`), `GET
        /_sesflow/messages/{id}/raw` (a message's MIME), `DELETE /_sesflow/messages`
        (`clear_outbox()`), `POST /_sesflow/reset` (`reset()`), `POST
        /_sesflow/identities/{identity}/verify` and `.../fail` (`verify()`,
        `fail_verification()`), `GET /_sesflow/stats` (`stats()`) and `GET
        /_sesflow/outbox` (counts). `LocalOutbox` is a client for them.

        It is safe to leave running: it listens on loopback only, refuses requests whose
        `Host` is not a loopback name or address and requests a web page of another origin
        sent (`Origin`), refuses bodies over SES's message size unread, and closes
        connections silent for `timeout` seconds.

        Examples:
            >>> with FakeSES(max_send_rate=100) as fake:  # on real time: not a FakeClock
            ...     url = fake.serve(latency=0.02, jitter=0.005)
            ...     client = fake.http_client()  # or boto3.client("sesv2", endpoint_url=url, ...)
            ...     client.get_account()["SendQuota"]["MaxSendRate"]
            100.0

        Args:
            host: A loopback address (`127.0.0.1`, `::1` or `localhost`).
            port: The port; 0 picks a free one.
            latency: Seconds added to every round trip.
            jitter: The most, in seconds, by which one round trip's latency varies.
            timeout: Seconds a connection may stay silent before it is closed (`None`:
                never).

        Returns:
            The endpoint URL, e.g. `"http://127.0.0.1:54321"`.

        Raises:
            ValueError: A host that is not loopback, negative or non-finite times, a timeout
                that is not positive, or a fake not running on `time.monotonic`.
            RuntimeError: The fake is already serving.
        """
        if self.clock is not time.monotonic:
            raise ValueError(
                "serve() runs in real time: make the FakeSES with clock=time.monotonic (the "
                "default), not a virtual clock"
            )
        with self._lock:
            return self._loopback.start(
                self, host=host, port=port, latency=latency, jitter=jitter, timeout=timeout
            )

    def dispatch_query(
        self, method: str, path: str, headers: Mapping[str, str], body: bytes
    ) -> tuple[int, dict[str, str], bytes]:
        """Answer one SES v1 request (the Query API: a form-encoded `POST /` with `Action`).

        The action runs as the SES v2 operation(s) that do the same (see `_v1.py`), over the
        same state and rules, and is logged and faulted under their names; the answer is v1's
        XML, errors included. `serve()` sends every form-encoded `POST /` here.

        Examples:
            >>> status, headers, xml = fake.dispatch_query(
            ...     "POST", "/", {}, b"Action=VerifyEmailIdentity&EmailAddress=ann%40example.com"
            ... )
            >>> status, headers["Content-Type"], fake.identity_state("ann@example.com").name
            (200, 'text/xml', 'ann@example.com')

        Args:
            method: The HTTP method (`POST`).
            path: The path (`/`).
            headers: The request headers.
            body: The form-encoded body.

        Returns:
            `(status, headers, body)` of the response.

        Raises:
            DroppedConnectionError: An injected fault breaks the connection instead.
        """
        with self._lock:
            return self._query_api.answer(body)

    def _serve_v2(self, name: str, params: dict[str, Any]) -> tuple[int, dict[str, str], bytes]:
        """Run one v2 operation for a v1 action, as `dispatch` would after decoding."""
        with self._lock:
            response = self._serve_call(name, params)
            self._statuses[response[0]] += 1
            return response

    @property
    def endpoint_url(self) -> str | None:
        """The URL `serve()` returned, or `None` while not serving.

        Examples:
            >>> with FakeSES() as fake:
            ...     url = fake.serve()
            ...     fake.endpoint_url == url, url.startswith("http://127.0.0.1:")
            (True, True)
        """
        return self._loopback.url

    def stop(self) -> None:
        """Stop serving and close every open connection (nothing happens if not serving).

        Examples:
            >>> fake = FakeSES()
            >>> _ = fake.serve()
            >>> fake.stop()
            >>> fake.endpoint_url is None
            True
        """
        with self._lock:
            server, thread = self._loopback.detach()
        shut_down(server, thread)

    def http_client(
        self,
        *,
        region_name: str | None = None,
        config: Config | None = None,
        **kwargs: Any,
    ) -> SESV2Client:
        """Return a boto3 `sesv2` client that talks to `serve()`'s endpoint over HTTP.

        It has dummy credentials, botocore retries off (one attempt per call), no proxies,
        and a connection pool of 128, enough for about 64 sending threads. `config` is
        merged over that; other keyword arguments go to `create_client`.

        Examples:
            >>> with FakeSES() as fake:
            ...     _ = fake.serve()
            ...     fake.http_client().get_account()["SendingEnabled"]
            True

        Raises:
            RuntimeError: The fake is not serving.
        """
        url = self._loopback.url
        if url is None:
            raise RuntimeError("call serve() before http_client()")
        return http_client(url, region_name=region_name or self.region, config=config, **kwargs)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def _repr_parts(self) -> list[str]:
        parts: list[str] = []
        if len(self._pools):
            parts.append(f"dedicated_ip_pools={len(self._pools)}")
        parts += [
            f"configuration_sets={len(self._configuration_sets)}",
            f"identities={len(self._identities)}",
            *self._account.repr_parts(),
            f"templates={len(self._templates)}",
            f"outbox={self._outbox.messages_accepted}",
        ]
        seed = self._random_faults.seed
        if seed is not None:
            parts.append(f"faults=seed {seed}")
        if len(self._suppression):
            parts.append(f"suppression_list={len(self._suppression)}")
        if len(self._events):
            parts.append(f"events={len(self._events)}")
        parts += self._admin_repr_parts()
        url = self._loopback.url
        if url is not None:
            parts.append(f"serving={url!r}")
        return parts
