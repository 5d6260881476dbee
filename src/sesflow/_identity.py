"""Email-address identities: create, look up, wait for the owner's click, delete."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self

from ._enums import IdentityType, VerificationStatus
from ._errors import AlreadyExistsError, NotFoundError, ValidationError, VerificationFailedError
from ._logging import logger, mask
from ._validate import validate_name, validate_tags
from ._waiting import Poll, wait_for

if TYPE_CHECKING:
    from ._authorization import IdentityPolicy
    from ._dns import DnsRecords
    from ._ses import SES

__all__ = ["Identity"]


class Identity:
    """An SES identity: an email address (or, as `Domain`, a domain).

    Get one from `ses.identity(address)`; nothing is sent to AWS until a verb is
    called. Status properties reflect the last `create()` or `refresh()` (the first
    access loads them if neither has run).

    Examples:
        >>> _ = ses.configuration_set("marketing").create()
        >>> ident = ses.identity("alice@example.com").create(configuration_set="marketing")
        >>> ident.verification_status
        <VerificationStatus.PENDING: 'PENDING'>
        >>> fake.transition("alice@example.com", "SUCCESS", after_seconds=90)  # Alice clicks
        >>> ident.wait_until_verified(timeout=600)  # until Alice clicks the link
        Identity('alice@example.com', verification_status=SUCCESS)
        >>> ident.verified
        True
    """

    _check_name = "verification"

    def __init__(self, ses: SES, name: str) -> None:
        self._ses = ses
        self._name = name
        self._state: dict[str, Any] | None = None
        self._complete = False

    @property
    def name(self) -> str:
        """The identity as SES knows it: the address (or domain name).

        Examples:
            >>> ses.identity("Alice@Example.COM").name
            'Alice@example.com'
        """
        return self._name

    def __repr__(self) -> str:
        if self._state is None:
            return f"{type(self).__name__}({self._name!r})"
        return f"{type(self).__name__}({self._name!r}, {self._status_summary()})"

    def _status_summary(self) -> str:
        return f"verification_status={self.verification_status.value}"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Identity):
            return NotImplemented
        return type(self) is type(other) and self._name == other._name

    def __hash__(self) -> int:
        return hash((type(self).__name__, self._name))

    # State

    def _load_summary(self, item: Mapping[str, Any]) -> None:
        """Take the partial state a ListEmailIdentities item carries."""
        self._state = {
            "IdentityType": item.get("IdentityType"),
            "VerificationStatus": item.get("VerificationStatus"),
        }
        self._complete = False

    def _full_state(self) -> dict[str, Any]:
        if self._state is None or not self._complete:
            self.refresh()
        assert self._state is not None
        return self._state

    def _any_state(self) -> dict[str, Any]:
        if self._state is None:
            self.refresh()
        assert self._state is not None
        return self._state

    def _take(self, response: Mapping[str, Any]) -> None:
        self._state = {k: v for k, v in response.items() if k != "ResponseMetadata"}
        self._complete = True

    # Verbs

    def create(
        self,
        *,
        configuration_set: str | None = None,
        tags: Mapping[str, str] | None = None,
        verification_template: str | None = None,
    ) -> Self:
        """Create the identity; SES emails the address a verification link.

        Idempotent: if the identity exists already this is not an error — its state is
        loaded, and its default configuration set is changed to `configuration_set`
        when one is given and differs.

        Args:
            configuration_set: the default configuration set for mail sent from it.
            tags: `{key: value}` tags for the new identity.
            verification_template: a custom verification email template
                (`ses.verification_template(name)`): SES sends the link with your branding
                and redirect URLs (`SendCustomVerificationEmail`) instead of its own
                email. Needs production access; not with `tags`.

        Returns:
            this identity, with its state loaded.

        Examples:
            >>> _ = ses.configuration_set("marketing").create()
            >>> ses.identity("alice@example.com").create(configuration_set="marketing")
            Identity('alice@example.com', verification_status=PENDING)
        """
        if verification_template is not None:
            return self._create_with_template(verification_template, configuration_set, tags)
        params = self._create_params(configuration_set=configuration_set, tags=tags)
        try:
            response = self._ses._call("CreateEmailIdentity", **params)
        except AlreadyExistsError:
            logger.info("identity %s exists already", mask(self._name))
            self.refresh()
            self._reconcile_configuration_set(configuration_set)
            return self
        logger.info("created identity %s", mask(self._name))
        self._take_created(response, configuration_set)
        return self

    def _create_with_template(
        self,
        template: str,
        configuration_set: str | None,
        tags: Mapping[str, str] | None,
    ) -> Self:
        """`create(verification_template=...)`: SendCustomVerificationEmail, once."""
        from ._verification import send_verification

        name = validate_name(template, field="verification_template")
        if tags:
            raise ValidationError(
                "tags: SendCustomVerificationEmail creates the identity without tags; create "
                "it without verification_template to tag it",
                field="tags",
            )
        self._create_params(configuration_set=configuration_set, tags=None)
        if self.exists():
            logger.info("identity %s exists already", mask(self._name))
        else:
            send_verification(self._ses, name, self._name, configuration_set=None)
            logger.info("sent a custom verification email to %s", mask(self._name))
            self.refresh()
        self._reconcile_configuration_set(configuration_set)
        return self

    @property
    def arn(self) -> str:
        """The identity's ARN (`arn:aws:ses:REGION:ACCOUNT:identity/NAME`), as sending
        authorization policies and delegate senders name it (account from `ses.account_id`).

        Examples:
            >>> ses.identity("alice@example.com").arn
            'arn:aws:ses:us-east-1:123456789012:identity/alice@example.com'
        """
        from ._authorization import identity_arn

        return identity_arn(self._ses.region, self._ses.account_id, self._name)

    def policy(self, name: str) -> IdentityPolicy:
        """A sending authorization policy of this identity, by name (no AWS call).

        Examples:
            >>> ses.domain("example.com").policy("let-app-send")
            IdentityPolicy('example.com', 'let-app-send')
        """
        from ._authorization import IdentityPolicy

        return IdentityPolicy(self, name)

    def policies(self) -> list[IdentityPolicy]:
        """Every sending authorization policy attached to the identity, by name
        (`GetEmailIdentityPolicies`; each policy's text is loaded).

        Raises:
            NotFoundError: the identity does not exist.

        Examples:
            >>> fake.verify("example.com")
            >>> _ = ses.domain("example.com").policy("app").create(
            ...     SendingPolicy.allow("111122223333"))
            >>> ses.domain("example.com").policies()
            [IdentityPolicy('example.com', 'app')]
        """
        from ._authorization import identity_policies

        return identity_policies(self)

    def _take_created(self, response: Mapping[str, Any], configuration_set: str | None) -> None:
        """Take CreateEmailIdentity's answer, which carries only part of the state."""
        self._take(response)
        assert self._state is not None
        self._state.setdefault(
            "VerificationStatus",
            "SUCCESS" if response.get("VerifiedForSendingStatus") else "PENDING",
        )
        if configuration_set is not None:
            self._state.setdefault("ConfigurationSetName", configuration_set)
        self._complete = False

    def _create_params(
        self, *, configuration_set: str | None, tags: Mapping[str, str] | None
    ) -> dict[str, Any]:
        params: dict[str, Any] = {"EmailIdentity": self._name}
        if configuration_set is not None:
            params["ConfigurationSetName"] = validate_name(
                configuration_set, field="configuration_set"
            )
        tag_list = validate_tags(tags)
        if tag_list:
            params["Tags"] = tag_list
        return params

    def _reconcile_configuration_set(self, configuration_set: str | None) -> None:
        assert self._state is not None
        if (
            configuration_set is None
            or self._state.get("ConfigurationSetName") == configuration_set
        ):
            return
        self._ses._call(
            "PutEmailIdentityConfigurationSetAttributes",
            EmailIdentity=self._name,
            ConfigurationSetName=configuration_set,
        )
        self._state["ConfigurationSetName"] = configuration_set

    def set_configuration_set(self, configuration_set: str | None) -> Self:
        """Set (or, with None, clear) the identity's default configuration set.

        Examples:
            >>> _ = ses.configuration_set("marketing").create()
            >>> ses.identity("alice@example.com").create().set_configuration_set("marketing")
            Identity('alice@example.com', verification_status=PENDING)
        """
        params: dict[str, Any] = {"EmailIdentity": self._name}
        if configuration_set is not None:
            params["ConfigurationSetName"] = validate_name(
                configuration_set, field="configuration_set"
            )
        self._ses._call("PutEmailIdentityConfigurationSetAttributes", **params)
        if self._state is not None:
            if configuration_set is None:
                self._state.pop("ConfigurationSetName", None)
            else:
                self._state["ConfigurationSetName"] = configuration_set
        return self

    def refresh(self) -> Self:
        """Load the identity's current state (`GetEmailIdentity`).

        Raises:
            NotFoundError: the identity does not exist.

        Examples:
            >>> ident = ses.identity("alice@example.com").create()
            >>> fake.verify("alice@example.com")
            >>> ident.refresh().verification_status
            <VerificationStatus.SUCCESS: 'SUCCESS'>
        """
        self._take(self._get())
        return self

    def _get(self, *, retry: bool = True) -> dict[str, Any]:
        return self._ses._call("GetEmailIdentity", retry=retry, EmailIdentity=self._name)

    def exists(self) -> bool:
        """Whether SES has this identity (and, if so, load its state).

        Examples:
            >>> ses.identity("nobody@example.com").exists()
            False
        """
        try:
            self.refresh()
        except NotFoundError:
            return False
        return True

    def delete(self) -> None:
        """Delete the identity. Idempotent: deleting a missing identity is not an error.

        Examples:
            >>> ses.identity("alice@example.com").delete()
        """
        try:
            self._ses._call("DeleteEmailIdentity", EmailIdentity=self._name)
        except NotFoundError:
            logger.info("identity %s was already gone", mask(self._name))
        else:
            logger.info("deleted identity %s", mask(self._name))
        self._state = None
        self._complete = False

    # Status

    @property
    def identity_type(self) -> IdentityType:
        """`EMAIL_ADDRESS`, `DOMAIN` or `MANAGED_DOMAIN`.

        Examples:
            >>> ses.domain("example.com").create().identity_type
            <IdentityType.DOMAIN: 'DOMAIN'>
        """
        return IdentityType(self._any_state().get("IdentityType") or "EMAIL_ADDRESS")

    @property
    def verification_status(self) -> VerificationStatus:
        """The verification status as of the last `create()`/`refresh()`.

        Examples:
            >>> ses.identity("alice@example.com").create().verification_status
            <VerificationStatus.PENDING: 'PENDING'>
        """
        state = self._any_state()
        status = state.get("VerificationStatus")
        if status is None:
            # Older answers lack VerificationStatus; fall back on the sending flag.
            status = "SUCCESS" if state.get("VerifiedForSendingStatus") else "PENDING"
        return VerificationStatus(status)

    @property
    def verified(self) -> bool:
        """Whether SES lets you send from it (`VerifiedForSendingStatus`).

        Examples:
            >>> ident = ses.identity("alice@example.com").create()
            >>> fake.verify("alice@example.com")
            >>> ident.refresh().verified
            True
        """
        return bool(self._full_state().get("VerifiedForSendingStatus"))

    @property
    def configuration_set(self) -> str | None:
        """The identity's default configuration set, if any.

        Examples:
            >>> _ = ses.configuration_set("cs").create()
            >>> ses.identity("a@example.com").create(configuration_set="cs").configuration_set
            'cs'
        """
        value = self._full_state().get("ConfigurationSetName")
        return str(value) if value else None

    @property
    def tags(self) -> dict[str, str]:
        """The identity's tags as `{key: value}`.

        Examples:
            >>> ident = ses.identity("alice@example.com").create(tags={"team": "growth"})
            >>> ident.refresh().tags
            {'team': 'growth'}
        """
        return {t["Key"]: t["Value"] for t in self._full_state().get("Tags") or ()}

    # Waiting

    def wait_until_verified(
        self,
        *,
        timeout: float = 600.0,
        poll_interval: float = 5.0,
        max_interval: float = 60.0,
    ) -> Self:
        """Poll until SES reports the identity verified.

        Waits through `PENDING`, `NOT_STARTED` and `TEMPORARY_FAILURE`, and through
        throttled polls; the first wait is `poll_interval`, later ones double up to
        `max_interval`.

        Raises:
            VerificationFailedError: SES reported `FAILED` (at once, with its reason).
            WaiterTimeoutError: `timeout` seconds passed; carries the last status.
            NotFoundError: the identity does not exist.

        Examples:
            >>> fake.transition("alice@example.com", "SUCCESS", after_seconds=300)  # the click
            >>> ses.identity("alice@example.com").create().wait_until_verified(timeout=900)
            Identity('alice@example.com', verification_status=SUCCESS)
        """
        self._wait(
            self._check_name, self._verification_status_of, timeout, poll_interval, max_interval
        )
        return self

    @staticmethod
    def _verification_status_of(response: Mapping[str, Any]) -> str | None:
        status = response.get("VerificationStatus")
        if status is None:
            status = "SUCCESS" if response.get("VerifiedForSendingStatus") else "PENDING"
        return str(status)

    def _wait(
        self,
        check: str,
        status_of: Any,
        timeout: float,
        poll_interval: float,
        max_interval: float,
    ) -> Poll:
        def poll() -> Poll:
            response = self._get(retry=False)
            self._take(response)
            return Poll(status_of(response), response)

        result = wait_for(
            poll,
            identity=self._name,
            check=check,
            timeout=timeout,
            poll_interval=poll_interval,
            max_interval=max_interval,
            sleep=self._ses.sleep,
            clock=self._ses.clock,
        )
        if result.status == "FAILED":
            raise self._failure(check, result.response)
        return result

    def _failure(self, check: str, response: Mapping[str, Any]) -> VerificationFailedError:
        info: Mapping[str, Any] = response.get("VerificationInfo") or {}
        error_type = info.get("ErrorType")
        reason = (
            f" ({error_type}: {_ERROR_TYPES.get(error_type, 'see VerificationInfo')})"
            if error_type
            else ""
        )
        what = {"verification": "verification", "dkim": "DKIM", "mail_from": "MAIL FROM"}[check]
        hint, records = self._failure_hint(check)
        return VerificationFailedError(
            f"{what} of {self._name} FAILED{reason}.{hint}",
            identity=self._name,
            check=check,
            status="FAILED",
            error_type=error_type,
            records=records,
            details=info,
        )

    def _failure_hint(self, check: str) -> tuple[str, DnsRecords | None]:
        """What to do about a FAILED check, and the DNS records it needs (if any)."""
        return (
            " Create the identity again to send a new verification link (links expire "
            "after 24 hours).",
            None,
        )


#: SES's `VerificationInfo.ErrorType` values, explained.
_ERROR_TYPES = {
    "SERVICE_ERROR": "an error inside SES; try again later",
    "DNS_SERVER_ERROR": "the DNS server could not be reached or answered with an error",
    "HOST_NOT_FOUND": "the DNS name does not exist",
    "TYPE_NOT_FOUND": "the DNS records were not found",
    "INVALID_VALUE": "the DNS records exist but have the wrong values",
    "REPLICATION_ACCESS_DENIED": "not permitted to replicate the primary region's identity",
    "REPLICATION_PRIMARY_NOT_FOUND": "the primary identity for replication was not found",
    "REPLICATION_PRIMARY_BYO_DKIM_NOT_SUPPORTED": "BYODKIM primaries cannot be replicated",
    "REPLICATION_REPLICA_AS_PRIMARY_NOT_SUPPORTED": "a replica cannot serve as a primary",
    "REPLICATION_PRIMARY_INVALID_REGION": "the primary identity's region is not valid",
}
