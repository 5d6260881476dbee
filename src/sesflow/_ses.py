"""The root object: `SES`, which owns the clients, the clock and the call path."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

import boto3
from botocore import xform_name
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from botocore.exceptions import ConnectionError as BotoConnectionError
from tenacity import Retrying, retry_if_exception, stop_after_attempt, wait_exponential, wait_random

from ._errors import (
    ApiError,
    SendingPausedError,
    ServiceError,
    SesflowError,
    ThrottledError,
    TransportError,
    ValidationError,
    name_unresolved,
    translate,
)
from ._logging import logger
from ._paging import PAGE_SIZE, VERIFICATION_PAGE_SIZE, pages
from ._ratelimit import Limiter, RateLimiter, Unpaced, is_limiter
from ._runtime import THREADS, Runtime
from ._validate import validate_address, validate_domain
from ._version import __version__

if TYPE_CHECKING:
    import datetime as dt

    from types_boto3_route53 import Route53Client
    from types_boto3_sesv2 import SESV2Client

    from ._account import Account
    from ._admin.dedicated_ips import DedicatedIp
    from ._admin.endpoints import MultiRegionEndpoint
    from ._admin.exports import ExportJob, ExportSource, ExportStatus, MessageFilter
    from ._admin.insights import EmailAddressInsights, SentMessage
    from ._admin.tenants import Tenant, TenantSendingStatus
    from ._configuration_set import ConfigurationSet
    from ._contact_list import ContactList
    from ._domain import Domain
    from ._findings import DoctorReport
    from ._identity import Identity
    from ._ip_pool import DedicatedIpPool
    from ._sender import Sender
    from ._suppression import SuppressionList
    from ._template import Template
    from ._verification import VerificationTemplate

__all__ = ["SES"]

#: Attempts for a management call (create, get, delete...) that SES throttles or fails
#: transiently. SES allows about one management request per second.
MANAGEMENT_ATTEMPTS = 6


#: Operations that send mail. SES has no idempotency token for them: a request that may
#: have reached SES is never sent again, by sesflow or by botocore underneath.
SEND_OPERATIONS = frozenset({"SendEmail", "SendBulkEmail", "SendCustomVerificationEmail"})

# True while sesflow itself makes a send call in this thread (or task): the guard below
# then stops botocore's own retries. A user's direct calls on an injected client keep
# whatever retry policy the user gave that client.
_SESFLOW_SENDING: ContextVar[bool] = ContextVar("sesflow_sending", default=False)


def guard_sends(client: Any) -> None:
    """Stop botocore from retrying sesflow's send calls on `client`, whatever its config.

    botocore decides retries in its `needs-retry` event; a handler that raises there ends
    the call with that error, so a send is made once per sesflow attempt — every attempt
    goes through sesflow's limiter and its rule of never resending what may have arrived.
    Idempotent (one handler per operation and client).

    Raises:
        ValidationError: the client has no botocore event system (its retries cannot be
            governed), before any call.
    """
    try:
        events = client.meta.events
        service = client.meta.service_model.service_id.hyphenize()
    except AttributeError:
        raise ValidationError(
            f"client: {type(client).__name__} is not a botocore client; sesflow cannot stop "
            "its retries from resending mail. Pass a boto3 'sesv2' client.",
            field="client",
        ) from None

    def no_resend(
        response: tuple[Any, Mapping[str, Any]] | None = None,
        caught_exception: BaseException | None = None,
        operation: Any = None,
        **_: Any,
    ) -> None:
        if not _SESFLOW_SENDING.get():
            return
        if caught_exception is not None:
            raise caught_exception
        if response is not None:
            http, parsed = response
            if http.status_code >= 300:
                error = parsed.get("Error") or {}
                code = error.get("QueryErrorCode") or error.get("Code")
                raise client.exceptions.from_code(code)(parsed, operation.name)
        return

    for name in SEND_OPERATIONS:
        events.register_first(
            f"needs-retry.{service}.{name}", no_resend, unique_id=f"sesflow-no-resend-{name}"
        )


def certainly_unsent(exc: BaseException) -> bool:
    """Whether a failed send certainly did not reach SES (so it may be sent again).

    A throttle (429) or a 5xx error response is SES saying it did not take the message;
    a connection refused before the request left never reached it. A connection lost
    after the request was sent (a read timeout, a reset) may have.
    """
    if isinstance(exc, TransportError):
        return not exc.ambiguous
    return isinstance(exc, ThrottledError | ServiceError)


def _fail_unresolved_at_once(client: Any) -> None:
    """Stop botocore retrying, on a client sesflow built, a call whose host does not resolve.

    With sesflow's default config botocore makes one attempt anyway; this holds when the
    user's `botocore_config` asks for retries: a misspelt region or a wrong endpoint_url
    would otherwise sit through botocore's backoff before sesflow can say what is wrong.
    """
    events = client.meta.events
    service = client.meta.service_model.service_id.hyphenize()

    def stop(caught_exception: BaseException | None = None, **_: Any) -> None:
        if isinstance(caught_exception, BotoConnectionError) and name_unresolved(caught_exception):
            raise caught_exception
        return

    events.register_first(f"needs-retry.{service}", stop, unique_id=f"sesflow-unresolved-{service}")


def _shared_clock(
    client: object, sleep: Callable[[float], None], clock: Callable[[], float]
) -> tuple[Callable[[float], None], Callable[[], float]]:
    """The sleep and clock to use with `client`: a `FakeSES` client on a virtual clock
    (`sesflow.testing`) brings its clock, and a different one is refused, loudly: sesflow
    would pace on one clock while the fake enforces SES's rate on the other."""
    fake_clock = getattr(client, "sesflow_fake_clock", None)
    if fake_clock is None:
        return sleep, clock
    if clock is fake_clock:
        if sleep is time.sleep and fake_clock is not time.monotonic:
            raise ValidationError(
                "sleep: a real sleep with the fake's virtual clock would wait forever (real "
                "time does not move it); pass sleep=clock.sleep, or leave both out",
                field="sleep",
            )
        return sleep, clock
    fake_sleep = getattr(fake_clock, "sleep", None)
    if clock is time.monotonic and sleep is time.sleep and callable(fake_sleep):
        return fake_sleep, fake_clock  # the one easy wiring: the fake's clock, shared
    where = "real time" if fake_clock is time.monotonic else "another clock"
    raise ValidationError(
        f"clock: the FakeSES behind client= runs on {where}, not on the clock given: sesflow "
        "would pace on one clock while the fake enforces the rate on the other. Give the "
        "fake the clock (FakeSES(clock=clock)) and leave clock= and sleep= out of SES()",
        field="clock",
    )


def check_options(
    region_name: str | None,
    client: object | None,
    endpoint_url: str | None,
    botocore_config: Config | None,
    limiter: object | None,
) -> None:
    """Refuse, before any client is built, `SES` options that cannot work (for
    `sesflow.aio.AsyncSES` too, which builds its clients later, on the event loop)."""
    if limiter is not None and not is_limiter(limiter):
        raise ValidationError(
            f"limiter: {type(limiter).__name__} is not a sesflow.Limiter (it needs rate, "
            "acquire(count, *, cancel=None), throttled() and succeeded())",
            field="limiter",
        )
    if region_name is not None and (not isinstance(region_name, str) or not region_name):
        raise ValidationError(
            f"region_name: expected a region name such as 'us-east-1', got {region_name!r}",
            field="region_name",
            value=region_name,
        )
    if client is not None:
        # An injected client already has its region, endpoint and configuration:
        # options that would build one are refused, not silently ignored.
        ignored = [
            name
            for name, value in (
                ("region_name", region_name),
                ("endpoint_url", endpoint_url),
                ("botocore_config", botocore_config),
            )
            if value is not None
        ]
        if ignored:
            raise ValidationError(
                f"{ignored[0]}: given together with client=, which already has its region, "
                f"endpoint and configuration (set {', '.join(ignored)} on that client "
                "instead, or leave client= out and sesflow builds the client)",
                field=ignored[0],
            )


def _default_config() -> Config:
    # botocore would otherwise retry 429s, 5xx and LimitExceededException on its own,
    # underneath sesflow's classification and backoff: two retry layers stacked.
    return Config(
        retries={"total_max_attempts": 1, "mode": "standard"},
        user_agent_extra=f"sesflow/{__version__}",
        # The bulk sender keeps up to 64 calls in flight; urllib3's default pool of 10
        # would drop and re-open connections.
        max_pool_connections=64,
    )


class SES:
    """The entry point: one SES account and region.

    Builds its own `sesv2` client from `session` (a `boto3.Session`; the default
    session if None), with botocore's retries off — sesflow classifies errors and backs
    off itself — and a `sesflow/<version>` User-Agent suffix. Pass `client=` to use a
    client of your own as it is (a stubbed, moto or `FakeSES` client, say).

    Args:
        region_name: the AWS region; None takes the session's default.
        session: the `boto3.Session` to build clients from.
        client: an `sesv2` client to use as given.
        route53_client: a `route53` client for `Domain.publish_to_route53()`; built
            from the session on first use if None.
        botocore_config: a `botocore.config.Config` merged over sesflow's defaults
            (set `retries` here to choose a retry policy deliberately; it applies to
            management calls: botocore never retries a send, see `MaybeSentError`).
        endpoint_url: another SES endpoint for the client sesflow builds, e.g. a
            served `FakeSES` (`fake.serve()`) or a VPC endpoint.
        sleep: how sesflow waits (`time.sleep`); inject a fake in tests.
        clock: a monotonic clock in seconds (`time.monotonic`); inject a fake in tests.
        limiter: what every send through this object takes its recipients from (a
            `sesflow.Limiter`): single sends and every bulk run, concurrent ones
            included. None: an in-process limiter at the account's `MaxSendRate`, read
            once, on the first send. `sesflow.redis.RedisLimiter` shares one rate
            between processes and machines.

    Examples:
        >>> import sesflow
        >>> # needs AWS: credentials for a real account
        >>> ses = sesflow.SES("eu-west-1")  # doctest: +SKIP
        >>> ses.identity("alice@example.com").create()
        Identity('alice@example.com', verification_status=PENDING)

        Offline, against the fake:

        >>> from sesflow.testing import FakeClock, FakeSES
        >>> clock = FakeClock()
        >>> ses = sesflow.SES(client=FakeSES(clock=clock).client())  # shares the fake's clock
        >>> ses.clock is clock
        True
    """

    # How this SES waits: threads (sesflow.aio's core waits with event-loop tasks).
    _runtime: Runtime = THREADS

    def __init__(
        self,
        region_name: str | None = None,
        *,
        session: boto3.Session | None = None,
        client: SESV2Client | None = None,
        route53_client: Route53Client | None = None,
        botocore_config: Config | None = None,
        endpoint_url: str | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        limiter: Limiter | None = None,
    ) -> None:
        check_options(region_name, client, endpoint_url, botocore_config, limiter)
        sleep, clock = _shared_clock(client, sleep, clock)
        self._session = session
        self._config = _default_config()
        if botocore_config is not None:
            self._config = self._config.merge(botocore_config)
        self._endpoint_url = endpoint_url
        self._bulk_client: SESV2Client | None = None
        self._owns_client = client is None
        if client is None:
            client = self._new_client(
                "sesv2", region_name=region_name, config=self._config, endpoint_url=endpoint_url
            )
        guard_sends(client)
        self._client: SESV2Client = client
        self._route53: Route53Client | None = route53_client
        self.sleep = sleep
        self.clock = clock
        self._limiter: Limiter | None = limiter
        # Held across a GetAccount call: the runtime's locks (a task's, on an event loop).
        self._limiter_lock = self._runtime.lock()
        self._rate_lock = self._runtime.lock()
        self._max_send_rate: float | None = None
        bind = getattr(limiter, "_bind", None)
        if callable(bind):
            # sesflow's own shared limiters learn the region (their default key), the
            # account's rate (when not given) and how to wait from the SES they serve.
            bind(region=self.region, account_rate=self._account_rate, sleep=sleep)

    @property
    def limiter(self) -> Limiter:
        """The limiter every send through this object takes its recipients from.

        The one given as `SES(limiter=...)`, else an in-process one at the account's
        `MaxSendRate`, made on first use (one `GetAccount` call).

        Examples:
            >>> ses.limiter.rate == fake.account.max_send_rate
            True
        """
        limiter = self._limiter
        if limiter is not None:
            return limiter
        with self._limiter_lock:
            if self._limiter is None:
                try:
                    rate = self._account_rate()
                except NotImplementedError:
                    # Only a stand-in raises this (moto implements no GetAccount; SES always
                    # answers it): nothing reaches SES, so its sends go unpaced, said once.
                    logger.warning(
                        "this endpoint does not implement GetAccount: sends through this SES "
                        "are not paced (give SES(limiter=...) one with its own rate to pace them)"
                    )
                    self._limiter = Unpaced()
                else:
                    self._limiter = RateLimiter(
                        rate, clock=self.clock, sleep=self.sleep, runtime=self._runtime
                    )
            return self._limiter

    def _seed_account_rate(self, rate: float) -> None:
        """A `GetAccount` answer read for another reason (a bulk run's quotas): it also
        gives the default limiter its rate, when that is not read yet (one call, not two)."""
        with self._rate_lock:
            if self._max_send_rate is None and rate > 0:
                self._max_send_rate = rate

    def _account_rate(self) -> float:
        """The account's `MaxSendRate`, read once (a positive number)."""
        with self._rate_lock:
            return self._read_account_rate()

    def _read_account_rate(self) -> float:
        if self._max_send_rate is None:
            from ._account import Account

            try:
                rate = Account._load(self).quota.max_send_rate
            except ApiError as exc:
                if exc.status_code != 403:
                    raise
                raise exc.with_message(
                    f"{exc.message} (sesflow paces every send by the account's MaxSendRate, "
                    "read with GetAccount: allow ses:GetAccount, or give SES(limiter=...) a "
                    "limiter with its own rate)"
                ) from exc
            if rate <= 0:
                raise SendingPausedError(
                    f"the account's MaxSendRate in {self.region} is {rate:g}; nothing can be sent",
                    operation="GetAccount",
                )
            self._max_send_rate = rate
        return self._max_send_rate

    def _new_client(self, service: str, **options: Any) -> Any:
        """A client sesflow builds (and so owns): from the session, failing at once on a
        host that does not resolve. (`sesflow.aio` builds aiobotocore clients here.)"""
        session: Any = self._boto_session()  # the stubs type client() per service name
        client = session.client(service, **options)
        _fail_unresolved_at_once(client)
        return client

    def _boto_session(self) -> boto3.Session:
        if self._session is None:
            self._session = boto3.Session()
        return self._session

    @property
    def client(self) -> SESV2Client:
        """The `sesv2` client sesflow calls.

        Examples:
            >>> ses.client.meta.region_name
            'us-east-1'
        """
        return self._client

    @property
    def route53_client(self) -> Route53Client:
        """The `route53` client, built from the session on first use.

        Examples:
            >>> ses.route53_client.meta.service_model.service_name
            'route53'
        """
        if self._route53 is None:
            self._route53 = self._new_client("route53", config=self._config)
        return self._route53

    @property
    def region(self) -> str:
        """The region of the `sesv2` client, e.g. `"us-east-1"`.

        Examples:
            >>> sesflow.SES("eu-west-1").region
            'eu-west-1'
        """
        return str(self._client.meta.region_name)

    @property
    def account_id(self) -> str:
        """The 12-digit AWS account id the credentials belong to, asked of STS
        (`GetCallerIdentity`) once; a `FakeSES` client brings its own. Set it to skip STS.

        Identity ARNs are built from it (`Identity.arn`, sending authorization policies).
        With `client=`, STS is asked with the session's credentials (the default session's
        if none was given): set the id when the injected client's account differs.

        Examples:
            >>> ses.account_id
            '123456789012'
            >>> ses.account_id = "444455556666"  # known already: no STS call
        """
        known: str | None = getattr(self, "_account_id", None)
        if known is None:
            known = getattr(self._client, "sesflow_fake_account_id", None)
        if known is None:
            sts = self._new_client("sts", region_name=self.region, config=self._config)
            known = str(self._invoke(sts, "GetCallerIdentity", {}, retry=True)["Account"])
        self._account_id: str | None = known
        return known

    @account_id.setter
    def account_id(self, value: str) -> None:
        if not isinstance(value, str) or not (len(value) == 12 and value.isdigit()):
            raise ValidationError(
                f"account_id: expected 12 digits, got {value!r}", field="account_id", value=value
            )
        self._account_id = value

    def __repr__(self) -> str:
        return f"SES(region={self.region!r})"

    def close(self) -> None:
        """Close the clients' connection pools (the `sesv2` one, and `route53` if built).

        Examples:
            >>> with sesflow.SES(client=FakeSES().client()) as ses:
            ...     ses.identity("alice@example.com").create()
            Identity('alice@example.com', verification_status=PENDING)
        """
        self._client.close()
        if self._bulk_client is not None:
            self._bulk_client.close()
        if self._route53 is not None:
            self._route53.close()

    def _sending_client(self) -> SESV2Client:
        """The client bulk sends go through.

        sesflow builds and checks every field of a SendBulkEmail request itself, so when it
        owns the clients, the bulk path skips botocore's second pass over each 50-entry
        request (a sixth of the client's CPU per call). An injected client is used as given.
        """
        if not self._owns_client:
            return self._client
        if self._bulk_client is None:
            self._bulk_client = self._new_client(
                "sesv2",
                region_name=self.region,
                config=self._config.merge(Config(parameter_validation=False)),
                endpoint_url=self._endpoint_url,
            )
            guard_sends(self._bulk_client)
        return self._bulk_client

    def __enter__(self) -> SES:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # Factories: none of these call AWS.

    def identity(self, address: str) -> Identity:
        """An email-address identity (no AWS call until you use it).

        Examples:
            >>> ident = ses.identity("alice@example.com").create()
            >>> fake.transition("alice@example.com", "SUCCESS", after_seconds=60)  # the click
            >>> ident.wait_until_verified(timeout=600)
            Identity('alice@example.com', verification_status=SUCCESS)
        """
        from ._identity import Identity

        if isinstance(address, str) and "@" not in address and "." in address:
            raise ValidationError(
                f"address: {address!r} is a domain; use ses.domain({address!r})",
                field="address",
                value=address,
            )
        return Identity(self, validate_address(address))

    def domain(self, name: str) -> Domain:
        """A domain identity (no AWS call until you use it).

        Examples:
            >>> dom = ses.domain("example.com").create(mail_from="mail.example.com")
            >>> print(dom.dns_records().with_purpose("mail_from_mx", "mail_from_spf").to_bind())
            mail.example.com. 1800 IN MX 10 feedback-smtp.us-east-1.amazonses.com.
            mail.example.com. 1800 IN TXT "v=spf1 include:amazonses.com ~all"
        """
        from ._domain import Domain

        return Domain(self, validate_domain(name, field="domain"))

    def sender(
        self,
        from_address: str,
        *,
        configuration_set: str | None = None,
        reply_to: str | Iterable[str] = (),
        message_tags: Mapping[str, str] | None = None,
        max_rate: float | None = None,
        from_identity_arn: str | None = None,
        feedback_forwarding_address: str | None = None,
        feedback_identity_arn: str | None = None,
        open_tracking: bool | None = None,
        click_tracking: bool | None = None,
        tenant: str | Tenant | None = None,
        endpoint_id: str | None = None,
    ) -> Sender:
        """A `Sender` for mail from `from_address` (no AWS call until you send).

        See `Sender` for the options: `from_identity_arn`, `feedback_forwarding_address`
        and `feedback_identity_arn` send on behalf of another account; `open_tracking` and
        `click_tracking` override tracking for every message.

        Examples:
            >>> sender = ses.sender("Example News <news@example.com>",
            ...                     configuration_set="marketing", max_rate=50)
            >>> _ = ses.configuration_set("marketing").create()
            >>> sender.send("bob@example.com", "Hello", text="Hi!")
            SendResult(message_id='...')
        """
        from ._sender import Sender

        return Sender(
            self,
            from_address,
            configuration_set=configuration_set,
            reply_to=reply_to,
            message_tags=message_tags,
            max_rate=max_rate,
            from_identity_arn=from_identity_arn,
            feedback_forwarding_address=feedback_forwarding_address,
            feedback_identity_arn=feedback_identity_arn,
            open_tracking=open_tracking,
            click_tracking=click_tracking,
            tenant=tenant,
            endpoint_id=endpoint_id,
        )

    def configuration_set(self, name: str) -> ConfigurationSet:
        """A configuration set (no AWS call until you use it).

        Examples:
            >>> ses.configuration_set("marketing").create(tls_policy="REQUIRE")
            ConfigurationSet('marketing')
        """
        from ._configuration_set import ConfigurationSet

        return ConfigurationSet(self, name)

    def configuration_sets(self, *, page_size: int = PAGE_SIZE) -> Iterator[ConfigurationSet]:
        """Every configuration set in the region, across all pages.

        Examples:
            >>> _ = ses.configuration_set("marketing").create()
            >>> [cs.name for cs in ses.configuration_sets()]
            ['marketing']
        """
        from ._configuration_set import ConfigurationSet

        listing = pages(
            self._lister("ListConfigurationSets"), "ConfigurationSets", page_size=page_size
        )
        for name in listing:
            yield ConfigurationSet(self, str(name))

    def ip_pool(self, name: str) -> DedicatedIpPool:
        """A dedicated IP pool (no AWS call until you use it).

        Examples:
            >>> ses.ip_pool("marketing-ips").create()
            DedicatedIpPool('marketing-ips')
        """
        from ._ip_pool import DedicatedIpPool

        return DedicatedIpPool(self, name)

    def ip_pools(self, *, page_size: int = PAGE_SIZE) -> Iterator[DedicatedIpPool]:
        """Every dedicated IP pool in the region, across all pages.

        Examples:
            >>> _ = ses.ip_pool("marketing-ips").create()
            >>> [p.name for p in ses.ip_pools()]
            ['marketing-ips']
        """
        from ._ip_pool import DedicatedIpPool

        listing = pages(
            self._lister("ListDedicatedIpPools"), "DedicatedIpPools", page_size=page_size
        )
        for name in listing:
            yield DedicatedIpPool(self, str(name))

    # Dedicated IPs, tenants, multi-region endpoints, insights and exports (sesflow._admin).

    def dedicated_ip(self, ip: str) -> DedicatedIp:
        """One of the account's dedicated IP addresses (no AWS call until you use it).

        Examples:
            >>> fake.lease_dedicated_ip("198.51.100.7", warmup_percentage=20)
            >>> ses.dedicated_ip("198.51.100.7").warmup_percentage
            20
        """
        from ._admin.dedicated_ips import DedicatedIp

        return DedicatedIp(self, ip)

    def dedicated_ips(self, *, page_size: int = PAGE_SIZE) -> Iterator[DedicatedIp]:
        """Every dedicated IP address of the account, across all pages (`GetDedicatedIps`).

        Examples:
            >>> fake.lease_dedicated_ip("198.51.100.7")
            >>> [ip.ip for ip in ses.dedicated_ips()]
            ['198.51.100.7']
        """
        from ._admin.dedicated_ips import dedicated_ips

        return dedicated_ips(self, page_size=page_size)

    def tenant(self, name: str) -> Tenant:
        """A tenant: the resources and reputation of one of your customers (no AWS call
        until you use it).

        Examples:
            >>> ses.tenant("acme").create()
            Tenant('acme')
        """
        from ._admin.tenants import Tenant

        return Tenant(self, name)

    def tenants(
        self,
        *,
        name_contains: str | None = None,
        sending_status: TenantSendingStatus | str | None = None,
        page_size: int = PAGE_SIZE,
    ) -> Iterator[Tenant]:
        """Every tenant, across all pages; optionally those whose name contains a text,
        or with one sending status.

        Examples:
            >>> for name in ("acme", "acme-eu", "globex"):
            ...     _ = ses.tenant(name).create()
            >>> [t.name for t in ses.tenants(name_contains="acme")]
            ['acme', 'acme-eu']
        """
        from ._admin.tenants import tenants

        return tenants(
            self, name_contains=name_contains, sending_status=sending_status, page_size=page_size
        )

    def resource_tenants(
        self,
        resource: Identity | ConfigurationSet | Template | str,
        *,
        page_size: int = PAGE_SIZE,
    ) -> Iterator[Tenant]:
        """Every tenant an identity, configuration set or template (or an ARN) is
        associated with.

        SES never tells a caller its account id: for an object (not an ARN), sesflow reads
        it from one tenant's ARN (one `ListTenants` call).

        Examples:
            >>> ident = ses.identity("news@example.com")
            >>> ses.tenant("acme").create().associate(ident)
            >>> [t.name for t in ses.resource_tenants(ident)]
            ['acme']
        """
        from ._admin.tenants import resource_tenants

        return resource_tenants(self, resource, page_size=page_size)

    def multi_region_endpoint(self, name: str) -> MultiRegionEndpoint:
        """A multi-region ("global") endpoint whose primary is this region (no AWS call
        until you use it).

        Examples:
            >>> ses.multi_region_endpoint("global").create(secondary_region="eu-west-1")
            MultiRegionEndpoint('global')
        """
        from ._admin.endpoints import MultiRegionEndpoint

        return MultiRegionEndpoint(self, name)

    def multi_region_endpoints(
        self, *, page_size: int = PAGE_SIZE
    ) -> Iterator[MultiRegionEndpoint]:
        """Every multi-region endpoint whose primary is this region, across all pages.

        Examples:
            >>> _ = ses.multi_region_endpoint("global").create(secondary_region="eu-west-1")
            >>> [(e.name, e.regions) for e in ses.multi_region_endpoints()]
            [('global', ('us-east-1', 'eu-west-1'))]
        """
        from ._admin.endpoints import multi_region_endpoints

        return multi_region_endpoints(self, page_size=page_size)

    def message(self, message_id: str) -> SentMessage:
        """A message SES accepted, by its id, for its insights (no AWS call until you
        ask).

        Examples:
            >>> result = sender.send("bob@example.com", "Hi", text="Yo")
            >>> [bob] = ses.message(result.message_id).insights().recipients
            >>> [e.type.value for e in bob.events]
            ['SEND', 'DELIVERY']
        """
        from ._admin.insights import SentMessage

        return SentMessage(self, message_id)

    def address_insights(self, address: str) -> EmailAddressInsights:
        """SES's checks of an address before you send to it (`GetEmailAddressInsights`;
        a paid call).

        Raises:
            ValidationError: not an email address (before any call).

        Examples:
            >>> insights = ses.address_insights("info@example.com")
            >>> insights.valid.value, insights.is_role_address.value
            ('HIGH', 'HIGH')
        """
        from ._admin.insights import address_insights

        return address_insights(self, address)

    def export_messages(
        self,
        start: dt.datetime,
        end: dt.datetime,
        *,
        include: MessageFilter | None = None,
        exclude: MessageFilter | None = None,
        max_results: int | None = None,
        data_format: str = "CSV",
    ) -> ExportJob:
        """Start exporting the insights of the messages sent between `start` and `end`
        (`CreateExportJob`); returns the job.

        Args:
            start: the first send time to export (naive: UTC).
            end: the last one.
            include: only messages matching this `MessageFilter`.
            exclude: leave out messages matching this one.
            max_results: at most this many messages, 1-10,000 (SES's default: 1,000).
            data_format: `"CSV"` or `"JSON"`.

        Raises:
            ValidationError: bad dates, filters or format (before any call).

        Examples:
            >>> import datetime as dt
            >>> job = ses.export_messages(
            ...     dt.datetime(2026, 3, 1), dt.datetime(2026, 3, 8),
            ...     include=MessageFilter(last_delivery_events=["PERMANENT_BOUNCE"]))
            >>> job.wait_until_completed().status.value
            'COMPLETED'
        """
        from ._admin.exports import export_messages

        return export_messages(
            self,
            start,
            end,
            include=include,
            exclude=exclude,
            max_results=max_results,
            data_format=data_format,
        )

    def export_metrics(
        self,
        start: dt.datetime,
        end: dt.datetime,
        *,
        metrics: Iterable[str | tuple[str, str]],
        dimensions: Mapping[str, str | Iterable[str]],
        data_format: str = "CSV",
    ) -> ExportJob:
        """Start exporting Virtual Deliverability Manager metrics (`CreateExportJob`).

        Args:
            start: the start of the period.
            end: its end.
            metrics: 1-10 metric names (`SEND`, `DELIVERY`, `PERMANENT_BOUNCE`,
                `COMPLAINT`, `OPEN`, `CLICK`, ...; as volumes), or `(name, "RATE" |
                "VOLUME")` pairs.
            dimensions: 1-3 of `EMAIL_IDENTITY`, `CONFIGURATION_SET`, `ISP`,
                `TENANT_NAME`, each with one value or up to 10.
            data_format: `"CSV"` or `"JSON"`.

        Examples:
            >>> import datetime as dt
            >>> job = ses.export_metrics(
            ...     dt.datetime(2026, 3, 1), dt.datetime(2026, 3, 8),
            ...     metrics=["SEND", ("PERMANENT_BOUNCE", "RATE")],
            ...     dimensions={"EMAIL_IDENTITY": "example.com"})
            >>> job.source.value
            'METRICS_DATA'
        """
        from ._admin.exports import export_metrics

        return export_metrics(
            self, start, end, metrics=metrics, dimensions=dimensions, data_format=data_format
        )

    def export_job(self, job_id: str) -> ExportJob:
        """An export job, by its id (no AWS call until you use it).

        Examples:
            >>> import datetime as dt
            >>> job = ses.export_messages(dt.datetime(2026, 3, 1), dt.datetime(2026, 3, 8))
            >>> ses.export_job(job.job_id) == job
            True
        """
        from ._admin.exports import ExportJob

        return ExportJob(self, job_id)

    def export_jobs(
        self,
        *,
        source: ExportSource | str | None = None,
        status: ExportStatus | str | None = None,
        page_size: int = PAGE_SIZE,
    ) -> Iterator[ExportJob]:
        """Every export job, across all pages; optionally of one source or status.

        Examples:
            >>> import datetime as dt
            >>> job = ses.export_messages(dt.datetime(2026, 3, 1), dt.datetime(2026, 3, 8))
            >>> [j.job_id for j in ses.export_jobs(source="MESSAGE_INSIGHTS")] == [job.job_id]
            True
        """
        from ._admin.exports import export_jobs

        return export_jobs(self, source=source, status=status, page_size=page_size)

    @property
    def suppression_list(self) -> SuppressionList:
        """The account's suppression list in this region.

        Examples:
            >>> ses.suppression_list.add("bounced@example.com", "BOUNCE")
        """
        from ._suppression import SuppressionList

        return SuppressionList(self)

    def template(self, name: str) -> Template:
        """A stored email template (no AWS call until you use it).

        Examples:
            >>> ses.template("welcome").create("Welcome, {{name}}!", text="Hi {{name}}")
            Template('welcome')
        """
        from ._template import Template

        return Template(self, name)

    def templates(self, *, page_size: int = PAGE_SIZE) -> Iterator[Template]:
        """Every stored template in the region, across all pages.

        Examples:
            >>> [t.name for t in ses.templates()]
            ['welcome']
        """
        from ._template import Template

        for item in pages(
            self._lister("ListEmailTemplates"), "TemplatesMetadata", page_size=page_size
        ):
            yield Template(self, str(item["TemplateName"]))

    def verification_template(self, name: str) -> VerificationTemplate:
        """A custom verification email template (no AWS call until you use it).

        Examples:
            >>> ses.verification_template("welcome-verify")
            VerificationTemplate('welcome-verify')
        """
        from ._verification import VerificationTemplate

        return VerificationTemplate(self, name)

    def verification_templates(
        self, *, page_size: int = VERIFICATION_PAGE_SIZE
    ) -> Iterator[VerificationTemplate]:
        """Every custom verification email template in the region, across all pages.

        `page_size` defaults to 50: `ListCustomVerificationEmailTemplates` accepts no more.

        Examples:
            >>> fake.verify("verify@example.com")
            >>> _ = ses.verification_template("welcome-verify").create(
            ...     from_address="verify@example.com", subject="Confirm your address",
            ...     content="<p>One click and you are in.</p>",
            ...     success_url="https://example.com/ok", failure_url="https://example.com/no")
            >>> [t.name for t in ses.verification_templates()]
            ['welcome-verify']
        """
        from ._verification import list_verification_templates

        return list_verification_templates(self, page_size=page_size)

    def contact_list(self, name: str) -> ContactList:
        """A contact list (no AWS call until you use it); SES allows one per account.

        Examples:
            >>> ses.contact_list("newsletter").create(topics=[Topic("weekly", "Weekly digest")])
            ContactList('newsletter')
        """
        from ._contact_list import ContactList

        return ContactList(self, name)

    def contact_lists(self, *, page_size: int = PAGE_SIZE) -> Iterator[ContactList]:
        """Every contact list in the region, across all pages (SES allows one).

        Examples:
            >>> _ = ses.contact_list("newsletter").create()
            >>> [c.name for c in ses.contact_lists()]
            ['newsletter']
        """
        from ._contact_list import ContactList

        for item in pages(self._lister("ListContactLists"), "ContactLists", page_size=page_size):
            yield ContactList(self, str(item["ContactListName"]))

    def account(self) -> Account:
        """A snapshot of the account (calls `GetAccount`).

        Examples:
            >>> acct = ses.account()
            >>> acct.in_sandbox, acct.quota.remaining_24h
            (False, 50000.0)
        """
        from ._account import Account

        return Account._load(self)

    def identities(self, *, page_size: int = PAGE_SIZE) -> Iterator[Identity]:
        """Every identity in the region, email addresses and domains, across all pages.

        Domains come back as `Domain` objects; each carries the status from the listing.

        Examples:
            >>> for ident in ses.identities():
            ...     print(ident.name, ident.verification_status.value)
            news@example.com SUCCESS
        """
        from ._domain import Domain
        from ._identity import Identity

        for item in pages(
            self._lister("ListEmailIdentities"), "EmailIdentities", page_size=page_size
        ):
            name = str(item["IdentityName"])
            if item.get("IdentityType") == "EMAIL_ADDRESS":
                ident: Identity = Identity(self, name)
            else:
                ident = Domain(self, name)
            ident._load_summary(item)
            yield ident

    def doctor(
        self,
        domain: str,
        *,
        configuration_set: str | None = None,
        bulk: bool = False,
        resolver: Any = None,
        unsubscribe: object = None,
    ) -> DoctorReport:
        """Check everything between `domain` and mail that arrives; return the findings.

        SES's side: the identity (exists in this region, verified, DKIM and MAIL FROM
        `SUCCESS`), the account (sandbox, sending, enforcement status), the configuration
        set (`configuration_set`, else the identity's default: an event destination for
        bounces and complaints, suppression on). Live DNS, asked of the domain's own
        nameservers: the DKIM records, the MAIL FROM MX and SPF, the DMARC policy, and the
        From domain's alignment with DKIM and SPF. With `bulk=True`, also one-click
        unsubscribe and, where Virtual Deliverability Manager is on, the bounce and
        complaint rates of the last 14 days. Each finding carries the exact fix.

        Nothing is changed; an AWS error in one part becomes an error finding, the others
        still run. Without dnspython (`pip install 'sesflow[dns]'`) the DNS part is one
        error finding saying it was not checked.

        Args:
            domain: the From domain (a subdomain of a verified domain works too).
            configuration_set: the configuration set your mail is sent with.
            bulk: check what bulk senders need (Gmail, Yahoo, Outlook.com rules).
            resolver: a `dns.resolver.Resolver` to find the nameservers with (None: the
                system's); tests point it at a DNS server on loopback.
            unsubscribe: the `sesflow.Unsubscribe` you give `send_bulk`, to check it.

        Raises:
            ValidationError: `domain` or `configuration_set` is malformed.

        Examples:
            >>> dom = ses.domain("example.com").create(mail_from="mail.example.com")
            >>> fake.set_status("example.com", verification="SUCCESS", mail_from="SUCCESS")
            >>> dns = FakeDNS()                      # DNS on loopback, for the example
            >>> dns.publish(dom.dns_records())       # as if published at your DNS host
            >>> report = ses.doctor("example.com", resolver=dns.resolver())
            >>> report.ok, [f.check for f in report.warnings]
            (True, ['configuration set'])
            >>> dns.unpublish("_dmarc.example.com")
            >>> again = ses.doctor("example.com", resolver=dns.resolver())
            >>> print(again.with_code("dns.dmarc")[0].fix)
            publish a DMARC record at the organisational domain (example.com); p=none to start,
            and add rua=mailto:... to receive aggregate reports
            >>> dns.stop()
        """
        from ._doctor import run_doctor

        return run_doctor(
            self,
            domain,
            configuration_set=configuration_set,
            bulk=bulk,
            resolver=resolver,
            unsubscribe=unsubscribe,
        )

    # The call path: every AWS call goes through here, so errors are translated once.

    def _lister(self, operation: str) -> Callable[..., Mapping[str, Any]]:
        def call(**params: Any) -> Mapping[str, Any]:
            return self._call(operation, **params)

        return call

    def _call(self, operation: str, *, retry: bool = True, **params: Any) -> dict[str, Any]:
        """Call an `sesv2` operation by its API name, translating errors."""
        return self._invoke(self._client, operation, params, retry=retry)

    def _send_call(self, operation: str, params: Mapping[str, Any], *, recipients: int) -> Any:
        """Make a single send: each attempt first takes `recipients` from the limiter
        (the retries too: each one SES takes counts against the rate), and tells it
        whether SES throttled the call."""
        return self._invoke(self._client, operation, params, retry=True, recipients=recipients)

    def _call_route53(self, operation: str, **params: Any) -> dict[str, Any]:
        """Call a `route53` operation by its API name, translating errors."""
        return self._invoke(self.route53_client, operation, params, retry=True)

    def _invoke(
        self,
        client: Any,
        operation: str,
        params: Mapping[str, Any],
        *,
        retry: bool,
        recipients: int | None = None,
    ) -> dict[str, Any]:
        method = getattr(client, xform_name(operation))
        sends = operation in SEND_OPERATIONS
        limiter = self.limiter if recipients is not None else None

        def attempt() -> dict[str, Any]:
            if limiter is None:
                return call()
            assert recipients is not None
            limiter.acquire(recipients)
            try:
                response = call()
            except ThrottledError:
                limiter.throttled()
                raise
            limiter.succeeded()
            return response

        def call() -> dict[str, Any]:
            logger.debug("calling %s", operation)
            token = _SESFLOW_SENDING.set(sends)
            try:
                response: dict[str, Any] = method(**params)
            except (ClientError, BotoCoreError) as exc:
                raise translate(exc, operation, region=client.meta.region_name) from exc
            finally:
                _SESFLOW_SENDING.reset(token)
            return response

        if not retry:
            return attempt()

        # A send is retried only when SES certainly did not take it; anything may be
        # retried only when trying again can work (an unresolvable endpoint cannot).
        def retryable(e: BaseException) -> bool:
            if not (isinstance(e, SesflowError) and e.retryable):
                return False
            return certainly_unsent(e) if sends else True

        retrying = Retrying(
            retry=retry_if_exception(retryable),
            stop=stop_after_attempt(MANAGEMENT_ATTEMPTS),
            wait=wait_exponential(multiplier=1.0, max=20.0) + wait_random(0, 1.0),
            sleep=self.sleep,
            reraise=True,
            before_sleep=lambda state: logger.info(
                "%s: %s; retrying (attempt %d)",
                operation,
                state.outcome.exception() if state.outcome else "?",
                state.attempt_number,
            ),
        )
        return retrying(attempt)
