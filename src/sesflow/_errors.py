"""sesflow's error tree and the one place botocore errors are translated into it.

Everything sesflow raises derives from `SesflowError`. Errors that come from an AWS
answer derive from `ApiError`, which keeps SES's error `code`, `message`, the
`operation` that failed and the `request_id`, and chains the botocore exception as
`__cause__` (`raise ... from`), so nothing AWS said is lost.

Classification is by error code *and* message: SES reuses codes (a daily-quota hit and
a resource quota both come back as `LimitExceededException`), and moto and older SES
versions use other spellings of the same codes.
"""

from __future__ import annotations

import difflib
import functools
import socket
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self
from urllib.parse import urlsplit

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    HTTPClientError,
    ParamValidationError,
)
from botocore.exceptions import ConnectionError as BotoConnectionError

if TYPE_CHECKING:
    from ._dns import DnsRecords

__all__ = [
    "AccessDeniedError",
    "AccountSuspendedError",
    "AlreadyExistsError",
    "ApiError",
    "BadRequestError",
    "ConflictError",
    "DailyQuotaExceededError",
    "JournalError",
    "JournalInUseError",
    "LimitExceededError",
    "LimiterUnavailableError",
    "MailFromDomainNotVerifiedError",
    "MaybeSentError",
    "MessageRejectedError",
    "MissingExtraError",
    "NotFoundError",
    "SendingPausedError",
    "ServiceError",
    "SesflowError",
    "ThrottledError",
    "TransportError",
    "ValidationError",
    "VerificationFailedError",
    "WaiterTimeoutError",
    "translate",
]


class SesflowError(Exception):
    """The root of every error sesflow raises.

    Examples:
        >>> try:
        ...     raise NotFoundError("no such identity")
        ... except SesflowError as exc:
        ...     print(type(exc).__name__, exc)
        NotFoundError no such identity
    """

    #: Whether trying the same thing again later may succeed.
    retryable: bool = False


class ValidationError(SesflowError, ValueError):
    """Bad input, raised before any AWS call. Also a `ValueError`.

    `field` names the argument (and the item's position, e.g. `to[2]`), `value` is what
    was given.

    Examples:
        >>> try:
        ...     SES(client=FakeSES().client()).identity("not-an-address")
        ... except ValidationError as exc:
        ...     print(exc.field)
        address
    """

    def __init__(self, message: str, *, field: str | None = None, value: object = None) -> None:
        super().__init__(message)
        self.field = field
        self.value = value


class ApiError(SesflowError):
    """An error answered by AWS (or a transport failure talking to it).

    Attributes:
        code: SES's error code, e.g. `"NotFoundException"` (None if raised by sesflow).
        message: SES's error message.
        operation: the API operation, e.g. `"GetEmailIdentity"`.
        request_id: AWS's request id, for support cases.
        status_code: the HTTP status of the answer.

    Examples:
        >>> try:
        ...     ses.identity("nobody@example.com").refresh()
        ... except ApiError as exc:
        ...     print(exc.code, exc.operation)
        NotFoundException GetEmailIdentity
    """

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        operation: str | None = None,
        request_id: str | None = None,
        status_code: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.operation = operation
        self.request_id = request_id
        self.status_code = status_code

    def with_message(self, message: str) -> Self:
        """The same error (class and every attribute: code, operation, request id, and a
        subclass's own, such as `TransportError.ambiguous`) with a clearer message.

        Examples:
            >>> try:
            ...     ses.sender("nobody@example.com").send("bob@example.com", "Hi", text="...")
            ... except MessageRejectedError as exc:
            ...     clearer = exc.with_message(exc.message + " Verify the sender first.")
            >>> type(clearer).__name__, clearer.operation, clearer.message.endswith("first.")
            ('MessageRejectedError', 'SendEmail', True)
        """
        # Every attribute is kept (a subclass's own too: `ambiguous`, `recipients`, ...),
        # without calling `__init__`, whose signature differs from class to class.
        clone = type(self).__new__(type(self), message)
        clone.__dict__.update(self.__dict__)
        clone.args = (message,)
        clone.message = message
        return clone

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(code={self.code!r}, message={self.message!r}, "
            f"operation={self.operation!r}, request_id={self.request_id!r})"
        )


class NotFoundError(ApiError, LookupError):
    """The resource does not exist (SES's `NotFoundException`). Also a `LookupError`.

    Examples:
        >>> ses.identity("nobody@example.com").refresh()
        Traceback (most recent call last):
        sesflow._errors.NotFoundError: GetEmailIdentity: NotFoundException: ...
    """


class AlreadyExistsError(ApiError):
    """The resource already exists (`AlreadyExistsException` and its older spellings).

    sesflow's `create()` verbs are idempotent and do not raise this.

    Examples:
        >>> issubclass(AlreadyExistsError, ApiError)
        True
    """


class ConflictError(ApiError):
    """The request conflicts with the resource's state (`ConflictException`).

    Examples:
        >>> issubclass(ConflictError, ApiError)
        True
    """


class BadRequestError(ApiError):
    """SES refused the request as malformed (`BadRequestException`). Not retried.

    Examples:
        >>> issubclass(BadRequestError, ApiError)
        True
    """


class LimitExceededError(ApiError):
    """A resource quota was reached, e.g. 10,000 identities per region. Not retried.

    Examples:
        >>> issubclass(LimitExceededError, ApiError)
        True
    """


class ThrottledError(ApiError):
    """SES throttled the request (HTTP 429, "Maximum sending rate exceeded", ...).

    Retryable: sesflow backs off and tries again itself.

    Examples:
        >>> ThrottledError("slow down").retryable
        True
    """

    retryable = True


class DailyQuotaExceededError(ApiError):
    """The account's 24-hour sending quota is used up. Never retried in a loop.

    Examples:
        >>> DailyQuotaExceededError("Daily message quota exceeded.").retryable
        False
    """


class MessageRejectedError(ApiError):
    """SES rejected the message (`MessageRejected`), e.g. an unverified address.

    Examples:
        >>> issubclass(MessageRejectedError, ApiError)
        True
    """


class MailFromDomainNotVerifiedError(MessageRejectedError):
    """The sender's custom MAIL FROM domain is not verified.

    Examples:
        >>> issubclass(MailFromDomainNotVerifiedError, MessageRejectedError)
        True
    """


class SendingPausedError(ApiError):
    """Sending is paused for the account or the configuration set.

    Examples:
        >>> issubclass(SendingPausedError, ApiError)
        True
    """


class AccountSuspendedError(ApiError):
    """The account may not send email (`AccountSuspendedException`).

    Examples:
        >>> issubclass(AccountSuspendedError, ApiError)
        True
    """


class AccessDeniedError(ApiError):
    """The caller may not do this (HTTP 403 `AccessDeniedException`). Not retried.

    Raised when IAM denies the call, and when a send on behalf of another account
    (`FromEmailAddressIdentityArn`) is not allowed by the identity owner's sending
    authorization policies.

    Examples:
        >>> issubclass(AccessDeniedError, ApiError)
        True
    """


class ServiceError(ApiError):
    """An error on AWS's side (HTTP 5xx). Retryable.

    Examples:
        >>> ServiceError("Internal failure", status_code=500).retryable
        True
    """

    retryable = True


class TransportError(ApiError):
    """The connection to AWS failed. Retryable, unless the endpoint's name cannot be resolved.

    `ambiguous` is True when the request may have reached AWS before the connection
    broke (so it may have taken effect), False when it certainly did not. An endpoint
    whose host name does not resolve (a misspelt region, a wrong `endpoint_url`, no
    network) is not `retryable`: waiting would not fix it.

    Examples:
        >>> TransportError("connection reset", ambiguous=True).ambiguous
        True
    """

    retryable = True

    def __init__(
        self,
        message: str,
        *,
        ambiguous: bool,
        operation: str | None = None,
        retryable: bool = True,
    ) -> None:
        super().__init__(message, operation=operation)
        self.ambiguous = ambiguous
        self.retryable = retryable


class MaybeSentError(ApiError):
    """A send whose answer was lost after the request may have reached SES.

    SES has no idempotency token: sending again could deliver the message twice, so
    sesflow never retries such a send (and stops botocore from retrying it). The message
    may or may not have been sent; the caller decides — look for it in your SES events
    (a `Send` or `Delivery` event for the recipients), or accept a possible duplicate and
    send again. Not retryable.

    Attributes:
        operation: the API operation, e.g. `"SendEmail"`.
        recipients: every recipient of the request (To, Cc and Bcc).
        ambiguous: always True.

    Examples:
        >>> with FakeSES() as lossy:  # served over HTTP, every answer lost on the way back
        ...     lossy.verify("news@example.com")
        ...     lossy.inject_faults(drop_after=1.0)
        ...     _ = lossy.serve()
        ...     sender = SES(client=lossy.http_client()).sender("news@example.com")
        ...     try:
        ...         sender.send("bob@example.com", "Your receipt", text="...")
        ...     except MaybeSentError as exc:
        ...         print(exc.operation, exc.recipients)
        ...     print(lossy.deliveries("bob@example.com"))  # it was sent after all
        SendEmail ('bob@example.com',)
        1
    """

    ambiguous = True

    def __init__(
        self, message: str, *, operation: str | None = None, recipients: tuple[str, ...] = ()
    ) -> None:
        super().__init__(message, operation=operation)
        self.recipients = recipients


class JournalError(SesflowError):
    """The bulk journal cannot be used, or stopped working mid-run.

    Raised before any call for a file that is not a sesflow journal (another
    application's database, a damaged file), a read-only one, or too little disk, or a
    PostgreSQL that cannot be reached; and mid-run when the journal cannot record (the
    disk filled up, the file was damaged, the connection to PostgreSQL was lost): the run
    stops, with every outcome SES already answered recorded where it could be, and the
    error carries the partial `report`. Fix the cause and run again with the same
    journal: it resumes without resending.

    Attributes:
        path: the journal's path (for a `PostgresJournal`, its database, without the
            password).

    Examples:
        >>> from pathlib import Path
        >>> _ = Path("news.journal").write_text("not a journal")
        >>> try:
        ...     sender.send_bulk(recipients, "welcome", journal="news.journal")
        ... except JournalError as exc:
        ...     print(exc.path, sesflow.partial_report(exc))  # no report: nothing was sent
        news.journal None
    """

    def __init__(self, message: str, *, path: str) -> None:
        super().__init__(message)
        self.path = path


class JournalInUseError(JournalError):
    """Another run holds the journal: one run at a time may use a journal file.

    Attributes:
        path: the journal's path.
        holder: who holds it, e.g. `"process 4242 on worker-1, since 2026-12-03T09:00:00Z"`.

    Examples:
        >>> def stop_on_first(progress):  # a second run, while the first one holds it
        ...     try:
        ...         sender.send_bulk(recipients, "welcome", journal="news.journal")
        ...     except JournalInUseError as exc:
        ...         print(exc.holder)
        >>> _ = sender.send_bulk(recipients, "welcome", journal="news.journal",
        ...                      progress=stop_on_first)
        process ... on ..., since ...Z
    """

    def __init__(self, message: str, *, path: str, holder: str) -> None:
        super().__init__(message, path=path)
        self.holder = holder


class LimiterUnavailableError(SesflowError):
    """The shared rate limiter cannot be used (its Redis server is down or unreachable).

    Raised by a send before it makes its call: nothing goes out unthrottled. A bulk run
    stops with it (calls in flight finish and are journaled; `sesflow.partial_report(exc)`
    gives what was sent), and a rerun with the same journal resumes once the limiter is
    back.

    Attributes:
        key: the limiter's key (where its shared state lives).

    Examples:
        >>> from sesflow.redis import RedisLimiter
        >>> ses = SES(client=fake.client(), limiter=RedisLimiter("redis://127.0.0.1:1"))
        >>> try:
        ...     ses.sender("news@example.com").send("bob@example.com", "Hi", text="x")
        ... except LimiterUnavailableError as exc:
        ...     print(exc.key)
        sesflow:limiter:us-east-1
        >>> fake.outbox  # nothing was sent
        []
    """

    retryable = True

    def __init__(self, message: str, *, key: str) -> None:
        super().__init__(message)
        self.key = key


class MissingExtraError(SesflowError, ImportError):
    """An optional dependency is missing; the message names the extra to install.

    Raised on first use of what needs it, never on import. The extras: `events`
    (cryptography, verifying SNS signatures), `redis` (`sesflow.redis.RedisLimiter`),
    `postgres` (`sesflow.postgres.PostgresJournal`), `dns` (the doctor's live DNS checks),
    `crt` (SigV4a for multi-region endpoints), `progress`, `async` (`sesflow.aio`:
    aiobotocore and greenlet).

    Examples:
        Without `cryptography`, `SnsVerifier.verify` raises one that says what to install:

        >>> exc = MissingExtraError("verifying SNS signatures needs the 'cryptography' "
        ...                         "package: pip install 'sesflow[events]'")
        >>> print(exc)
        verifying SNS signatures needs the 'cryptography' package: pip install 'sesflow[events]'
        >>> isinstance(exc, ImportError), isinstance(exc, SesflowError)
        (True, True)
    """


class VerificationFailedError(SesflowError):
    """SES reported `FAILED` for a verification, DKIM or MAIL FROM check.

    Attributes:
        identity: the identity's name.
        check: `"verification"`, `"dkim"` or `"mail_from"`.
        status: the status SES reported.
        error_type: SES's `VerificationInfo.ErrorType` (e.g. `"TYPE_NOT_FOUND"`), if any.
        records: the DNS records that must exist for the check to pass, if known.
        details: the raw `VerificationInfo` SES returned.

    Examples:
        >>> dom = ses.domain("example.com").create()
        >>> fake.transition("example.com", "FAILED", after_polls=2, error_type="TYPE_NOT_FOUND")
        >>> try:
        ...     dom.wait_until_dkim_verified(timeout=3600)
        ... except VerificationFailedError as exc:
        ...     print(exc.error_type)
        ...     print(exc.records.with_purpose("dkim").to_bind())
        TYPE_NOT_FOUND
        ujzde8gxd6ncf10epf91dhodzdoc9is0._domainkey.example.com. 1800 IN CNAME ...
        j8ht9lgmxg9edn581u33xtplpft75v2s._domainkey.example.com. 1800 IN CNAME ...
        eh60kvj50ce9uvw53efr4edt2sywb3wk._domainkey.example.com. 1800 IN CNAME ...
    """

    def __init__(
        self,
        message: str,
        *,
        identity: str,
        check: str,
        status: str,
        error_type: str | None = None,
        records: DnsRecords | None = None,
        details: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.identity = identity
        self.check = check
        self.status = status
        self.error_type = error_type
        self.records = records
        self.details: Mapping[str, Any] = details or {}


class WaiterTimeoutError(SesflowError, TimeoutError):
    """A waiter ran out of time. Also a `TimeoutError`.

    Attributes:
        identity: the identity's name.
        check: `"verification"`, `"dkim"` or `"mail_from"`.
        last_status: the last status seen (None if no poll succeeded).
        elapsed: seconds waited, by the injected clock.
        polls: how many times SES was asked.

    Examples:
        >>> try:
        ...     ses.identity("alice@example.com").create().wait_until_verified(timeout=60)
        ... except WaiterTimeoutError as exc:
        ...     print(exc.last_status)
        PENDING
    """

    def __init__(
        self,
        message: str,
        *,
        identity: str,
        check: str,
        last_status: str | None,
        elapsed: float,
        polls: int,
    ) -> None:
        super().__init__(message)
        self.identity = identity
        self.check = check
        self.last_status = last_status
        self.elapsed = elapsed
        self.polls = polls


# Codes by meaning. Several spellings each: SES v1 and v2, moto, Route 53.
_NOT_FOUND = frozenset(
    {
        "NotFoundException",
        "NotFound",
        "ResourceNotFoundException",
        "ConfigurationSetDoesNotExist",
        "ConfigurationSetDoesNotExistException",
        "TemplateDoesNotExist",
        "TemplateDoesNotExistException",
        "EventDestinationDoesNotExist",
        "NoSuchHostedZone",
        "NoSuchChange",
        "404",
    }
)
_ALREADY_EXISTS = frozenset(
    {
        "AlreadyExistsException",
        "AlreadyExists",
        "ConfigurationSetAlreadyExistsException",
        "ConfigurationSetAlreadyExists",
        "EventDestinationAlreadyExists",
        "TemplateAlreadyExists",
        "HostedZoneAlreadyExists",
    }
)
_THROTTLED = frozenset(
    {
        "TooManyRequestsException",
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestThrottled",
        "RequestThrottledException",
        "PriorRequestNotComplete",
        "SlowDown",
        "429",
    }
)
_BAD_REQUEST = frozenset(
    {
        "BadRequestException",
        "InvalidParameterValue",
        "InvalidParameterValueException",
        "InvalidInput",
        "InvalidNextTokenException",
        "InvalidNextToken",
        "ValidationError",
        "ValidationException",
        "InvalidChangeBatch",
        "InvalidDomainName",
    }
)
_BY_CODE: dict[str, type[ApiError]] = {
    "ConflictException": ConflictError,
    "MessageRejected": MessageRejectedError,
    "MessageRejectedException": MessageRejectedError,
    "MailFromDomainNotVerifiedException": MailFromDomainNotVerifiedError,
    "MailFromDomainNotVerified": MailFromDomainNotVerifiedError,
    "SendingPausedException": SendingPausedError,
    "ConfigurationSetSendingPausedException": SendingPausedError,
    "AccountSendingPausedException": SendingPausedError,
    "AccountSuspendedException": AccountSuspendedError,
    "AccessDeniedException": AccessDeniedError,
    "AccessDenied": AccessDeniedError,
    "ProductionAccessNotGranted": MessageRejectedError,
    "ProductionAccessNotGrantedException": MessageRejectedError,
    "ConcurrentModificationException": ServiceError,
    "InternalServiceErrorException": ServiceError,
    "InternalFailure": ServiceError,
    "ServiceUnavailable": ServiceError,
    "ServiceUnavailableException": ServiceError,
}
_BY_CODE.update(dict.fromkeys(_NOT_FOUND, NotFoundError))
_BY_CODE.update(dict.fromkeys(_ALREADY_EXISTS, AlreadyExistsError))
_BY_CODE.update(dict.fromkeys(_THROTTLED, ThrottledError))
_BY_CODE.update(dict.fromkeys(_BAD_REQUEST, BadRequestError))


def _classify(code: str, message: str, status: int | None) -> type[ApiError]:
    lowered = message.lower()
    # The message decides first: SES answers both of these under more than one code.
    if "daily message quota exceeded" in lowered:
        return DailyQuotaExceededError
    if "maximum sending rate exceeded" in lowered:
        return ThrottledError
    if code in ("LimitExceededException", "LimitExceeded"):
        return LimitExceededError
    if code in _BY_CODE:
        return _BY_CODE[code]
    if status is not None:
        if status == 429:
            return ThrottledError
        if status >= 500:
            return ServiceError
        if status == 404:
            return NotFoundError
        if status == 409:
            return ConflictError
        if status == 403:
            return AccessDeniedError
    return ApiError


def name_unresolved(exc: BaseException) -> bool:
    """Whether `exc` (a botocore connection error) failed resolving the endpoint's host name.

    botocore keeps urllib3's error in `kwargs["error"]`; urllib3 chains the resolver's
    `socket.gaierror` beneath it.
    """
    seen: set[int] = set()
    pending: list[BaseException | None] = [exc]
    while pending:
        error = pending.pop()
        if error is None or id(error) in seen:
            continue
        seen.add(id(error))
        if isinstance(error, socket.gaierror):
            return True
        inner = getattr(error, "kwargs", {}).get("error")
        pending += [error.__cause__, error.__context__]
        if isinstance(inner, BaseException):
            pending.append(inner)
    return False


@functools.cache
def _known_regions() -> frozenset[str]:
    """The regions botocore knows an SES endpoint in, across all partitions."""
    import botocore.session

    session = botocore.session.get_session()
    return frozenset(
        region
        for partition in session.get_available_partitions()
        for region in session.get_available_regions("sesv2", partition)
    )


def _unresolved(exc: Exception, operation: str, region: str | None) -> TransportError:
    """A name-resolution failure: one clear line at once, since no retry can fix it."""
    endpoint = str(getattr(exc, "kwargs", {}).get("endpoint_url") or "")
    host = urlsplit(endpoint).hostname or endpoint or "the endpoint"
    where = f"region {region!r}, endpoint {endpoint}" if region else f"endpoint {endpoint}"
    message = f"{operation}: cannot resolve the host name {host} ({where})"
    # Only an AWS host built from the region says the region is at fault; a custom
    # endpoint_url or a lost network are the other causes.
    if region and region in host and region not in _known_regions():
        close = difflib.get_close_matches(region, sorted(_known_regions()), n=1)
        message += f": {region!r} is not a region botocore knows for SES"
        message += f" (did you mean {close[0]!r}?)" if close else ""
    else:
        message += ": check the endpoint_url, and that this machine has network and DNS"
    return TransportError(
        message + ". Not retried.", ambiguous=False, operation=operation, retryable=False
    )


def translate(exc: Exception, operation: str, *, region: str | None = None) -> SesflowError:
    """Translate a botocore exception raised by `operation` into sesflow's tree.

    The caller raises the result `from exc`. Exceptions that are not botocore's are
    returned as a plain `ApiError` wrapping their text. `region` (the client's) is named
    in the message when the endpoint cannot be reached at all.
    """
    if isinstance(exc, ClientError):
        response: Mapping[str, Any] = exc.response
        error: Mapping[str, Any] = response.get("Error") or {}
        meta: Mapping[str, Any] = response.get("ResponseMetadata") or {}
        status = meta.get("HTTPStatusCode")
        code = str(error.get("Code") or (status if status is not None else "Unknown"))
        message = str(error.get("Message") or "")
        cls = _classify(code, message, status)
        text = f"{operation}: {code}: {message}" if message else f"{operation}: {code}"
        return cls(
            text,
            code=code,
            operation=operation,
            request_id=meta.get("RequestId"),
            status_code=status,
        )
    if isinstance(exc, ParamValidationError):
        # botocore's own client-side checks; sesflow validates first, so this means
        # a value slipped past it. Report it as bad input all the same.
        return ValidationError(f"{operation}: {exc}")
    if isinstance(exc, BotoConnectionError) and name_unresolved(exc):
        # The request never left; retrying only waits out the backoff (half a minute)
        # for an answer that cannot change.
        return _unresolved(exc, operation, region)
    if isinstance(exc, BotoConnectionError):
        # Connecting failed (refused, connect timeout): the request never left.
        return TransportError(
            f"{operation}: could not connect: {exc}", ambiguous=False, operation=operation
        )
    if isinstance(exc, HTTPClientError):
        # Read timeouts and dropped connections: AWS may have acted on the request.
        return TransportError(
            f"{operation}: the connection failed after the request was sent: {exc}",
            ambiguous=True,
            operation=operation,
        )
    if isinstance(exc, BotoCoreError):
        # Missing credentials, a bad endpoint and the like: retrying will not help.
        return ApiError(f"{operation}: {exc}", operation=operation)
    return ApiError(f"{operation}: {exc}", operation=operation)
