"""The root object: `SES`, which owns the clients, the clock and the call path."""

from __future__ import annotations

import threading
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
from ._paging import PAGE_SIZE, pages
from ._ratelimit import Limiter, RateLimiter, is_limiter
from ._validate import validate_address, validate_domain
from ._version import __version__

if TYPE_CHECKING:
    from types_boto3_route53 import Route53Client
    from types_boto3_sesv2 import SESV2Client

    from ._account import Account
    from ._configuration_set import ConfigurationSet
    from ._domain import Domain
    from ._identity import Identity
    from ._ip_pool import DedicatedIpPool
    from ._sender import Sender
    from ._suppression import SuppressionList
    from ._template import Template

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
        sleep, clock = _shared_clock(client, sleep, clock)
        self._session = session
        self._config = _default_config()
        if botocore_config is not None:
            self._config = self._config.merge(botocore_config)
        self._endpoint_url = endpoint_url
        self._bulk_client: SESV2Client | None = None
        self._owns_client = client is None
        if client is None:
            client = self._boto_session().client(
                "sesv2", region_name=region_name, config=self._config, endpoint_url=endpoint_url
            )
            _fail_unresolved_at_once(client)
        guard_sends(client)
        self._client: SESV2Client = client
        self._route53: Route53Client | None = route53_client
        self.sleep = sleep
        self.clock = clock
        self._limiter: Limiter | None = limiter
        self._limiter_lock = threading.Lock()
        self._rate_lock = threading.Lock()
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
                self._limiter = RateLimiter(
                    self._account_rate(), clock=self.clock, sleep=self.sleep
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
            self._route53 = self._boto_session().client("route53", config=self._config)
            _fail_unresolved_at_once(self._route53)
        return self._route53

    @property
    def region(self) -> str:
        """The region of the `sesv2` client, e.g. `"us-east-1"`.

        Examples:
            >>> sesflow.SES("eu-west-1").region
            'eu-west-1'
        """
        return str(self._client.meta.region_name)

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
            self._bulk_client = self._boto_session().client(
                "sesv2",
                region_name=self.region,
                config=self._config.merge(Config(parameter_validation=False)),
                endpoint_url=self._endpoint_url,
            )
            _fail_unresolved_at_once(self._bulk_client)
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
    ) -> Sender:
        """A `Sender` for mail from `from_address` (no AWS call until you send).

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
