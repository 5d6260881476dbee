"""Domain identities: DKIM (Easy or BYO), custom MAIL FROM, DNS records, Route 53."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self

from ._dkim import Byodkim, EasyDkim
from ._dns import DnsRecord, DnsRecords
from ._enums import (
    BehaviorOnMxFailure,
    DkimStatus,
    MailFromDomainStatus,
    RecordPurpose,
    coerce_enum,
)
from ._errors import AlreadyExistsError, ValidationError
from ._identity import Identity
from ._logging import logger
from ._route53 import publish_records
from ._validate import validate_subdomain

if TYPE_CHECKING:
    from ._ses import SES

__all__ = ["Domain"]

#: Where Easy DKIM CNAMEs point when SES's answer does not name the zone.
DEFAULT_SIGNING_HOSTED_ZONE = "dkim.amazonses.com"
DEFAULT_DMARC = "v=DMARC1; p=none;"
SPF_VALUE = "v=spf1 include:amazonses.com ~all"


class Domain(Identity):
    """A domain identity: DKIM, custom MAIL FROM, and the DNS records they need.

    Shares `Identity`'s verbs (`refresh`, `exists`, `delete`, `wait_until_verified`).
    Get one from `ses.domain(name)`.

    Examples:
        >>> dom = ses.domain("example.com").create(
        ...     dkim=EasyDkim(key_length=2048), mail_from="mail.example.com"
        ... )
        >>> print(dom.dns_records())  # an aligned table; `.to_bind()` for zone-file lines
        TYPE   NAME                       VALUE                                   PURPOSE
        CNAME  ..._domainkey.example.com  ....dkim.amazonses.com.                 dkim
        CNAME  ..._domainkey.example.com  ....dkim.amazonses.com.                 dkim
        CNAME  ..._domainkey.example.com  ....dkim.amazonses.com.                 dkim
        MX     mail.example.com           10 feedback-smtp.us-east-1.amazonses.com.  mail_from_mx
        TXT    mail.example.com           "v=spf1 include:amazonses.com ~all"     mail_from_spf
        TXT    _dmarc.example.com         "v=DMARC1; p=none;"                     dmarc
        >>> # needs AWS: a Route 53 hosted zone for example.com
        >>> dom.publish_to_route53()  # doctest: +SKIP
        >>> fake.transition("example.com", "SUCCESS", after_polls=3)  # as SES's DNS check
        >>> dom.wait_until_dkim_verified(timeout=72 * 3600)
        Domain('example.com', verification_status=SUCCESS, dkim_status=SUCCESS,
               mail_from_status=PENDING)
    """

    def __init__(self, ses: SES, name: str) -> None:
        super().__init__(ses, name)
        self._byodkim: Byodkim | None = None

    def _status_summary(self) -> str:
        parts = [f"verification_status={self.verification_status.value}"]
        state = self._state or {}
        dkim = (state.get("DkimAttributes") or {}).get("Status")
        if dkim:
            parts.append(f"dkim_status={dkim}")
        mail_from = (state.get("MailFromAttributes") or {}).get("MailFromDomainStatus")
        if mail_from:
            parts.append(f"mail_from_status={mail_from}")
        return ", ".join(parts)

    # Verbs

    def create(
        self,
        *,
        dkim: EasyDkim | Byodkim | None = None,
        mail_from: str | None = None,
        behavior_on_mx_failure: BehaviorOnMxFailure | str = BehaviorOnMxFailure.USE_DEFAULT_VALUE,
        configuration_set: str | None = None,
        tags: Mapping[str, str] | None = None,
        verification_template: str | None = None,
    ) -> Self:
        """Create the domain identity with DKIM and, optionally, a custom MAIL FROM.

        Idempotent and declarative: if the domain exists already, its DKIM signing
        settings, MAIL FROM domain and default configuration set are brought in line
        with the arguments (only what differs is changed).

        Args:
            dkim: `EasyDkim(key_length=2048)` (the default) or `Byodkim(selector, pem)`.
            mail_from: a subdomain of this domain to use as the envelope sender
                (lets SPF align for DMARC); needs an MX and an SPF record.
            behavior_on_mx_failure: what SES does if the MAIL FROM MX record is missing.
            configuration_set: the default configuration set for mail sent from it.
            tags: `{key: value}` tags for the new identity.
            verification_template: not for a domain (refused): a domain is verified
                through its DNS records, not by email.

        Raises:
            ValidationError: `mail_from` is not a subdomain of the domain, or a bad
                DKIM, tag or name argument.

        Examples:
            >>> ses.domain("example.com").create(mail_from="mail.example.com")
            Domain('example.com', verification_status=PENDING, dkim_status=PENDING, ...)
        """
        if verification_template is not None:
            raise ValidationError(
                "verification_template: a domain is verified through its DNS records; custom "
                "verification emails are for email-address identities",
                field="verification_template",
            )
        dkim = EasyDkim() if dkim is None else dkim
        if not isinstance(dkim, EasyDkim | Byodkim):
            raise ValidationError(
                f"dkim: expected EasyDkim(...) or Byodkim(...), got {dkim!r}",
                field="dkim",
                value=dkim,
            )
        behavior = coerce_enum(
            BehaviorOnMxFailure, behavior_on_mx_failure, field="behavior_on_mx_failure"
        )
        mail_from_domain = (
            validate_subdomain(mail_from, self._name, field="mail_from")
            if mail_from is not None
            else None
        )
        params = self._create_params(configuration_set=configuration_set, tags=tags)
        params["DkimSigningAttributes"] = _signing_attributes(dkim)
        if isinstance(dkim, Byodkim):
            self._byodkim = dkim
        try:
            response = self._ses._call("CreateEmailIdentity", **params)
        except AlreadyExistsError:
            logger.info("domain %s exists already; reconciling its settings", self._name)
            self.refresh()
            self._reconcile_dkim(dkim)
            self._reconcile_configuration_set(configuration_set)
            self._reconcile_mail_from(mail_from_domain, behavior)
            return self
        logger.info("created domain %s", self._name)
        self._take_created(response, configuration_set)
        if mail_from_domain is not None:
            self._put_mail_from(mail_from_domain, behavior)
        return self

    def _reconcile_dkim(self, dkim: EasyDkim | Byodkim) -> None:
        attrs: Mapping[str, Any] = (self._state or {}).get("DkimAttributes") or {}
        origin = str(attrs.get("SigningAttributesOrigin") or "AWS_SES")
        if isinstance(dkim, EasyDkim):
            length = attrs.get("NextSigningKeyLength") or attrs.get("CurrentSigningKeyLength")
            if origin.startswith("AWS_SES") and length in (None, dkim.signing_key_length):
                return
        elif origin == "EXTERNAL" and list(attrs.get("Tokens") or ()) == [dkim.selector]:
            return
        response = self._ses._call(
            "PutEmailIdentityDkimSigningAttributes",
            EmailIdentity=self._name,
            SigningAttributesOrigin="EXTERNAL" if isinstance(dkim, Byodkim) else "AWS_SES",
            SigningAttributes=_signing_attributes(dkim),
        )
        logger.info("changed DKIM signing of %s", self._name)
        assert self._state is not None
        self._state["DkimAttributes"] = {
            **attrs,
            "Status": response.get("DkimStatus"),
            "Tokens": response.get("DkimTokens") or [],
            "SigningHostedZone": response.get("SigningHostedZone"),
            "SigningAttributesOrigin": "EXTERNAL" if isinstance(dkim, Byodkim) else "AWS_SES",
        }

    def _reconcile_mail_from(self, mail_from: str | None, behavior: BehaviorOnMxFailure) -> None:
        if mail_from is None:
            return
        current: Mapping[str, Any] = (self._state or {}).get("MailFromAttributes") or {}
        if (
            current.get("MailFromDomain") == mail_from
            and current.get("BehaviorOnMxFailure", BehaviorOnMxFailure.USE_DEFAULT_VALUE.value)
            == behavior.value
        ):
            return
        self._put_mail_from(mail_from, behavior)

    def _put_mail_from(self, mail_from: str, behavior: BehaviorOnMxFailure) -> None:
        self._ses._call(
            "PutEmailIdentityMailFromAttributes",
            EmailIdentity=self._name,
            MailFromDomain=mail_from,
            BehaviorOnMxFailure=behavior.value,
        )
        logger.info("set MAIL FROM of %s to %s", self._name, mail_from)
        assert self._state is not None
        self._state["MailFromAttributes"] = {
            "MailFromDomain": mail_from,
            "MailFromDomainStatus": "PENDING",
            "BehaviorOnMxFailure": behavior.value,
        }

    def set_mail_from(
        self,
        mail_from: str | None,
        *,
        behavior_on_mx_failure: BehaviorOnMxFailure | str = BehaviorOnMxFailure.USE_DEFAULT_VALUE,
    ) -> Self:
        """Set (or, with None, remove) the custom MAIL FROM domain.

        Args:
            mail_from: a subdomain of this domain, e.g. `"mail.example.com"`, or None.
            behavior_on_mx_failure: what SES does if the MX record is missing.

        Examples:
            >>> dom = ses.domain("example.com").create(mail_from="mail.example.com")
            >>> dom.set_mail_from("bounce.example.com",
            ...                   behavior_on_mx_failure="REJECT_MESSAGE")
            Domain('example.com', ...)
            >>> dom.mail_from_domain
            'bounce.example.com'
        """
        behavior = coerce_enum(
            BehaviorOnMxFailure, behavior_on_mx_failure, field="behavior_on_mx_failure"
        )
        if mail_from is None:
            self._ses._call("PutEmailIdentityMailFromAttributes", EmailIdentity=self._name)
            if self._state is not None:
                self._state.pop("MailFromAttributes", None)
            return self
        name = validate_subdomain(mail_from, self._name, field="mail_from")
        if self._state is None:
            self._state = {}
        self._put_mail_from(name, behavior)
        self._complete = False
        return self

    # Status

    @property
    def dkim_status(self) -> DkimStatus:
        """The DKIM check's status as of the last `create()`/`refresh()`.

        Examples:
            >>> dom = ses.domain("example.com").create(mail_from="mail.example.com")
            >>> fake.verify("example.com")
            >>> dom.refresh().dkim_status
            <DkimStatus.SUCCESS: 'SUCCESS'>
        """
        attrs = self._dkim_attributes()
        return DkimStatus(attrs.get("Status") or "NOT_STARTED")

    def _dkim_attributes(self) -> Mapping[str, Any]:
        state = self._any_state()
        if "DkimAttributes" not in state:
            state = self._full_state()
        attrs: Mapping[str, Any] = state.get("DkimAttributes") or {}
        return attrs

    @property
    def mail_from_domain(self) -> str | None:
        """The custom MAIL FROM domain, or None if none is set.

        Examples:
            >>> dom = ses.domain("example.com").create(mail_from="mail.example.com")
            >>> dom.mail_from_domain
            'mail.example.com'
        """
        attrs: Mapping[str, Any] = self._full_state().get("MailFromAttributes") or {}
        value = attrs.get("MailFromDomain")
        return str(value) if value else None

    @property
    def mail_from_status(self) -> MailFromDomainStatus | None:
        """The MAIL FROM check's status, or None if no custom MAIL FROM is set.

        Examples:
            >>> dom = ses.domain("example.com").create(mail_from="mail.example.com")
            >>> dom.mail_from_status
            <MailFromDomainStatus.PENDING: 'PENDING'>
        """
        attrs: Mapping[str, Any] = self._full_state().get("MailFromAttributes") or {}
        if not attrs.get("MailFromDomain"):
            return None
        return MailFromDomainStatus(attrs.get("MailFromDomainStatus") or "PENDING")

    # DNS

    def dns_records(
        self,
        dmarc: str | None = DEFAULT_DMARC,
        *,
        ttl: int = 1800,
        byodkim: Byodkim | None = None,
    ) -> DnsRecords:
        """The DNS records this domain needs, built from what SES reports.

        - DKIM: Easy DKIM's three CNAMEs `<token>._domainkey.<domain>` →
          `<token>.<SigningHostedZone>`, or BYODKIM's TXT `<selector>._domainkey.<domain>`
          = `p=<public key>`;
        - custom MAIL FROM: MX 10 `feedback-smtp.<region>.amazonses.com` and the SPF TXT;
        - DMARC: TXT `_dmarc.<domain>` = `dmarc` (None leaves it out).

        Args:
            dmarc: the DMARC policy text, or None.
            ttl: the records' TTL in seconds.
            byodkim: the BYODKIM key, needed only when this `Domain` object did not
                create the BYODKIM identity itself (SES never returns the key).

        Examples:
            >>> records = ses.domain("example.com").create().dns_records(
            ...     dmarc="v=DMARC1; p=quarantine; rua=mailto:dmarc@example.com")
            >>> print(records.with_purpose("dmarc").to_bind())
            _dmarc.example.com. 1800 IN TXT "v=DMARC1; p=quarantine; rua=mailto:dmarc@example.com"
        """
        if dmarc is not None and (not isinstance(dmarc, str) or not dmarc.startswith("v=DMARC1")):
            raise ValidationError(
                f"dmarc: {dmarc!r} is not a DMARC policy (it must start with 'v=DMARC1')",
                field="dmarc",
                value=dmarc,
            )
        state = self._full_state()
        records = [*self._dkim_records(state, ttl=ttl, byodkim=byodkim or self._byodkim)]
        records += self._mail_from_records(state, ttl=ttl)
        if dmarc is not None:
            records.append(
                DnsRecord(f"_dmarc.{self._name}", "TXT", dmarc, ttl, purpose=RecordPurpose.DMARC)
            )
        return DnsRecords(records)

    def _dkim_records(
        self, state: Mapping[str, Any], *, ttl: int, byodkim: Byodkim | None
    ) -> list[DnsRecord]:
        attrs: Mapping[str, Any] = state.get("DkimAttributes") or {}
        tokens = [str(t) for t in attrs.get("Tokens") or ()]
        if attrs.get("SigningAttributesOrigin") == "EXTERNAL":
            if byodkim is None:
                raise ValidationError(
                    f"byodkim: {self._name} signs with a key of your own (BYODKIM) and SES "
                    "does not return it; pass dns_records(byodkim=Byodkim(selector, pem))",
                    field="byodkim",
                )
            return [
                DnsRecord(
                    f"{byodkim.selector}._domainkey.{self._name}",
                    "TXT",
                    f"p={byodkim.public_key_base64}",
                    ttl,
                    purpose=RecordPurpose.DKIM,
                )
            ]
        zone = str(attrs.get("SigningHostedZone") or DEFAULT_SIGNING_HOSTED_ZONE).rstrip(".")
        return [
            DnsRecord(
                f"{token}._domainkey.{self._name}",
                "CNAME",
                f"{token}.{zone}",
                ttl,
                purpose=RecordPurpose.DKIM,
            )
            for token in tokens
        ]

    def _mail_from_records(self, state: Mapping[str, Any], *, ttl: int) -> list[DnsRecord]:
        attrs: Mapping[str, Any] = state.get("MailFromAttributes") or {}
        mail_from = attrs.get("MailFromDomain")
        if not mail_from:
            return []
        return [
            DnsRecord(
                str(mail_from),
                "MX",
                f"feedback-smtp.{self._ses.region}.amazonses.com",
                ttl,
                priority=10,
                purpose=RecordPurpose.MAIL_FROM_MX,
            ),
            DnsRecord(str(mail_from), "TXT", SPF_VALUE, ttl, purpose=RecordPurpose.MAIL_FROM_SPF),
        ]

    def publish_to_route53(
        self,
        hosted_zone_id: str | None = None,
        *,
        dmarc: str | None = DEFAULT_DMARC,
        ttl: int = 1800,
        byodkim: Byodkim | None = None,
    ) -> str:
        """UPSERT every record of `dns_records()` into Route 53; return the change id.

        Without `hosted_zone_id`, the hosted zone whose name is the longest suffix of
        the domain is used (a public zone over a private one of the same name).
        Re-running is safe: UPSERT replaces the records rather than adding copies.

        Raises:
            NotFoundError: no hosted zone in the account matches the domain.

        Examples:
            >>> # needs AWS: a Route 53 hosted zone for example.com
            >>> change_id = ses.domain("example.com").publish_to_route53()  # doctest: +SKIP
        """
        records = self.dns_records(dmarc, ttl=ttl, byodkim=byodkim)
        return publish_records(self._ses, self._name, records, hosted_zone_id=hosted_zone_id)

    # Waiting

    def wait_until_dkim_verified(
        self,
        *,
        timeout: float = 3600.0,
        poll_interval: float = 15.0,
        max_interval: float = 60.0,
    ) -> Self:
        """Poll until SES finds the DKIM records (DKIM status `SUCCESS`).

        Raises:
            VerificationFailedError: DKIM `FAILED`; carries SES's reason and the DKIM
                records that must exist (`exc.records`).
            WaiterTimeoutError: `timeout` passed; carries the last status.

        Examples:
            >>> dom = ses.domain("example.com").create(mail_from="mail.example.com")
            >>> # needs AWS: a Route 53 hosted zone for example.com
            >>> dom.publish_to_route53()  # doctest: +SKIP
            >>> fake.transition("example.com", "SUCCESS", after_polls=3)  # as SES's DNS check
            >>> dom.wait_until_dkim_verified(timeout=72 * 3600)
            Domain('example.com', verification_status=SUCCESS, dkim_status=SUCCESS,
                   mail_from_status=PENDING)
        """
        self._wait("dkim", _dkim_status_of, timeout, poll_interval, max_interval)
        return self

    def wait_until_mail_from_verified(
        self,
        *,
        timeout: float = 3600.0,
        poll_interval: float = 15.0,
        max_interval: float = 60.0,
    ) -> Self:
        """Poll until SES finds the MAIL FROM MX record (status `SUCCESS`).

        Raises:
            ValidationError: the domain has no custom MAIL FROM domain to wait for.
            VerificationFailedError: MAIL FROM `FAILED`; carries the MX and SPF records.
            WaiterTimeoutError: `timeout` passed; carries the last status.

        Examples:
            >>> dom = ses.domain("example.com").create(mail_from="mail.example.com")
            >>> fake.transition("example.com", "SUCCESS", aspect="mail_from", after_seconds=300)
            >>> dom.set_mail_from("mail.example.com").wait_until_mail_from_verified(timeout=3600)
            Domain('example.com', ...)
            >>> dom.mail_from_status
            <MailFromDomainStatus.SUCCESS: 'SUCCESS'>
        """
        if self.refresh().mail_from_domain is None:
            raise ValidationError(
                f"mail_from: {self._name} has no custom MAIL FROM domain to wait for; "
                "call set_mail_from() first",
                field="mail_from",
            )
        self._wait("mail_from", _mail_from_status_of, timeout, poll_interval, max_interval)
        return self

    def _failure_hint(self, check: str) -> tuple[str, DnsRecords | None]:
        try:
            records = self.dns_records(dmarc=None)
        except ValidationError:
            return "", None  # BYODKIM, and we were not given the key
        if check == "mail_from":
            records = records.with_purpose(RecordPurpose.MAIL_FROM_MX, RecordPurpose.MAIL_FROM_SPF)
            fix = "Publish them, then call set_mail_from() again to restart the check."
        else:
            records = records.with_purpose(RecordPurpose.DKIM)
            fix = (
                "Publish them, then restart the check: after FAILED, SES looks again only "
                "when the identity is re-created or its DKIM signing attributes are put again."
            )
        return f" These records must exist in DNS:\n{records.to_bind()}\n{fix}", records


def _signing_attributes(dkim: EasyDkim | Byodkim) -> dict[str, str]:
    if isinstance(dkim, Byodkim):
        return {
            "DomainSigningSelector": dkim.selector,
            "DomainSigningPrivateKey": dkim.private_key_base64,
        }
    return {"NextSigningKeyLength": dkim.signing_key_length}


def _dkim_status_of(response: Mapping[str, Any]) -> str | None:
    attrs: Mapping[str, Any] = response.get("DkimAttributes") or {}
    status = attrs.get("Status")
    return str(status) if status else None


def _mail_from_status_of(response: Mapping[str, Any]) -> str | None:
    attrs: Mapping[str, Any] = response.get("MailFromAttributes") or {}
    status = attrs.get("MailFromDomainStatus")
    return str(status) if status else None
