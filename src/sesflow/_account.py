"""The account: sandbox status, sending quota, production-access review."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Self

from ._enums import ContactLanguage, MailType, ReviewStatus, SuppressionReason, coerce_enum
from ._errors import ConflictError, ValidationError
from ._validate import validate_address
from ._vdm import VdmSettings, account_vdm_params, flag, vdm_of_account

if TYPE_CHECKING:
    from ._ses import SES

__all__ = ["Account", "ReviewDetails", "SendQuota"]

_URL = re.compile(r"^https?://[^\s/?#]+\.[^\s/?#]+(?:[/?#]\S*)?\Z", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class SendQuota:
    """The account's sending limits in this region, counted in **recipients**.

    Attributes:
        max_24_hour_send: recipients per rolling 24 hours; -1 means unlimited.
        max_send_rate: recipients per second.
        sent_last_24_hours: recipients sent in the last 24 hours.

    Examples:
        >>> quota = ses.account().quota
        >>> quota.max_send_rate, quota.remaining_24h
        (14.0, 50000.0)
    """

    max_24_hour_send: float
    max_send_rate: float
    sent_last_24_hours: float

    @property
    def unlimited(self) -> bool:
        """Whether the daily quota is unlimited (`Max24HourSend` is -1).

        Examples:
            >>> SendQuota(-1, 500, 10).unlimited
            True
        """
        return self.max_24_hour_send < 0

    @property
    def remaining_24h(self) -> float:
        """Recipients that may still be sent in the rolling 24 hours (-1: unlimited).

        Examples:
            >>> SendQuota(200, 1, 150).remaining_24h
            50.0
        """
        if self.unlimited:
            return -1.0
        return max(0.0, float(self.max_24_hour_send) - float(self.sent_last_24_hours))


@dataclass(frozen=True, slots=True)
class ReviewDetails:
    """The state of a production-access request.

    Examples:
        >>> ses = sesflow.SES(client=FakeSES(sandbox=True).client())  # a new account
        >>> acct = ses.account().request_production_access(
        ...     "MARKETING", "https://example.com",
        ...     use_case_description="Monthly newsletter to opted-in customers.")
        >>> acct.review
        ReviewDetails(status=<ReviewStatus.PENDING: 'PENDING'>, case_id='...')
    """

    status: ReviewStatus
    case_id: str | None


class Account:
    """A snapshot of `GetAccount`: sandbox status, quota, review.

    Get one with `ses.account()`; call `refresh()` for a newer snapshot.

    Examples:
        >>> acct = ses.account()
        >>> acct.in_sandbox, acct.quota.max_send_rate
        (False, 14.0)
        >>> sandboxed = sesflow.SES(client=FakeSES(sandbox=True).client())  # a new account
        >>> acct = sandboxed.account()
        >>> acct.in_sandbox, acct.quota.max_send_rate
        (True, 1.0)
    """

    def __init__(self, ses: SES, response: Mapping[str, Any]) -> None:
        self._ses = ses
        self._response: dict[str, Any] = {
            k: v for k, v in response.items() if k != "ResponseMetadata"
        }

    @classmethod
    def _load(cls, ses: SES) -> Account:
        return cls(ses, ses._call("GetAccount"))

    def refresh(self) -> Self:
        """Take a new snapshot (`GetAccount`).

        Examples:
            >>> ses.account().refresh().in_sandbox
            False
        """
        self._response = {
            k: v for k, v in self._ses._call("GetAccount").items() if k != "ResponseMetadata"
        }
        return self

    @property
    def raw(self) -> dict[str, Any]:
        """The whole `GetAccount` answer.

        Examples:
            >>> ses.account().raw["EnforcementStatus"]
            'HEALTHY'
        """
        return dict(self._response)

    @property
    def quota(self) -> SendQuota:
        """The sending quota (`SendQuota`).

        Examples:
            >>> ses.account().quota.remaining_24h
            50000.0
        """
        quota: Mapping[str, Any] = self._response.get("SendQuota") or {}
        return SendQuota(
            max_24_hour_send=float(quota.get("Max24HourSend", 0.0)),
            max_send_rate=float(quota.get("MaxSendRate", 0.0)),
            sent_last_24_hours=float(quota.get("SentLast24Hours", 0.0)),
        )

    @property
    def in_sandbox(self) -> bool:
        """True while the account lacks production access (`ProductionAccessEnabled`).

        Examples:
            >>> ses.account().in_sandbox
            False
        """
        return not self._response.get("ProductionAccessEnabled", False)

    @property
    def sending_enabled(self) -> bool:
        """Whether the account may send at all.

        Examples:
            >>> ses.account().sending_enabled
            True
        """
        return bool(self._response.get("SendingEnabled", True))

    @property
    def enforcement_status(self) -> str:
        """`HEALTHY`, `PROBATION` or `SHUTDOWN`.

        Examples:
            >>> ses.account().enforcement_status
            'HEALTHY'
        """
        return str(self._response.get("EnforcementStatus") or "HEALTHY")

    @property
    def review(self) -> ReviewDetails | None:
        """The production-access review, or None if none was requested.

        Examples:
            >>> ses.account().review is None
            True
        """
        details: Mapping[str, Any] = self._response.get("Details") or {}
        review: Mapping[str, Any] = details.get("ReviewDetails") or {}
        if not review.get("Status"):
            return None
        return ReviewDetails(ReviewStatus(review["Status"]), review.get("CaseId"))

    def request_production_access(
        self,
        mail_type: MailType | str,
        website_url: str,
        use_case_description: str | None = None,
        additional_contacts: Iterable[str] = (),
        contact_language: ContactLanguage | str = ContactLanguage.EN,
    ) -> Self:
        """Ask AWS to take the account out of the sandbox (`PutAccountDetails`).

        AWS answers within 24 hours (usually 1-2); watch `refresh().review`. Returns
        this account, refreshed.

        Args:
            mail_type: `MARKETING` or `TRANSACTIONAL`.
            website_url: your website, `http(s)://...`.
            use_case_description: how you will send (SES marks this field deprecated but
                reviewers read it when given).
            additional_contacts: up to 4 more addresses AWS may contact.
            contact_language: `EN` or `JA`.

        Raises:
            ValidationError: a bad mail type, URL, contact list or language.
            ConflictError: a review is already open (the message gives its case).

        Examples:
            >>> ses = sesflow.SES(client=FakeSES(sandbox=True).client())  # a new account
            >>> acct = ses.account().request_production_access(
            ...     "MARKETING", "https://example.com",
            ...     use_case_description="Monthly newsletter to opted-in customers.",
            ...     additional_contacts=["ops@example.com"])
            >>> acct.review.status
            <ReviewStatus.PENDING: 'PENDING'>
        """
        kind = coerce_enum(MailType, mail_type, field="mail_type")
        language = coerce_enum(ContactLanguage, contact_language, field="contact_language")
        if not isinstance(website_url, str) or not _URL.match(website_url):
            raise ValidationError(
                f"website_url: {website_url!r} is not an http(s) URL", field="website_url"
            )
        contacts = [
            validate_address(a, field=f"additional_contacts[{i}]")
            for i, a in enumerate(
                [additional_contacts]
                if isinstance(additional_contacts, str)
                else additional_contacts
            )
        ]
        if len(contacts) > 4:
            raise ValidationError(
                f"additional_contacts: {len(contacts)} given; SES accepts 1 to 4",
                field="additional_contacts",
            )
        params: dict[str, Any] = {
            "MailType": kind.value,
            "WebsiteURL": website_url,
            "ContactLanguage": language.value,
            "ProductionAccessEnabled": True,
        }
        if use_case_description:
            params["UseCaseDescription"] = use_case_description
        if contacts:
            params["AdditionalContactEmailAddresses"] = contacts
        try:
            self._ses._call("PutAccountDetails", **params)
        except ConflictError as exc:
            review = self.refresh().review
            case = f" (case {review.case_id}, {review.status.value})" if review else ""
            raise exc.with_message(
                f"a production-access review is already open{case}; wait for its answer "
                "before asking again"
            ) from exc
        return self.refresh()

    # Switches: each calls one Put* operation and updates this snapshot to match.

    def update_sending(self, *, enabled: bool) -> Self:
        """Pause (`enabled=False`) or resume sending for the whole account in this region
        (`PutAccountSendingAttributes`). While paused, every send fails with
        `SendingPausedError`; `sending_enabled` reads the switch.

        Examples:
            >>> ses.account().update_sending(enabled=False).sending_enabled
            False
            >>> try:
            ...     sender.send("bob@example.com", "Hi", text="...")
            ... except SendingPausedError:
            ...     print("paused")
            paused
            >>> ses.account().update_sending(enabled=True).sending_enabled
            True
        """
        value = flag(enabled, field="enabled")
        self._ses._call("PutAccountSendingAttributes", SendingEnabled=value)
        self._response["SendingEnabled"] = value
        return self

    @property
    def suppressed_reasons(self) -> frozenset[SuppressionReason]:
        """Which reasons put an address on the account's suppression list (and keep mail
        from it): `BOUNCE`, `COMPLAINT`, both, or none.

        Examples:
            >>> sorted(r.value for r in ses.account().suppressed_reasons)
            ['BOUNCE', 'COMPLAINT']
        """
        attributes: Mapping[str, Any] = self._response.get("SuppressionAttributes") or {}
        return frozenset(SuppressionReason(r) for r in attributes.get("SuppressedReasons") or ())

    def update_suppression(self, reasons: Iterable[SuppressionReason | str]) -> Self:
        """Set which reasons the account-level suppression list applies to
        (`PutAccountSuppressionAttributes`); empty turns it off for the account.

        A configuration set's own `update_suppression()` overrides this for its mail.

        Raises:
            ValidationError: a reason other than `BOUNCE` and `COMPLAINT` (no call made).

        Examples:
            >>> acct = ses.account().update_suppression(["BOUNCE"])
            >>> acct.suppressed_reasons
            frozenset({<SuppressionReason.BOUNCE: 'BOUNCE'>})
        """
        items = [reasons] if isinstance(reasons, str) else list(reasons)
        chosen = sorted(
            {
                coerce_enum(SuppressionReason, r, field=f"reasons[{i}]").value
                for i, r in enumerate(items)
            }
        )
        self._ses._call("PutAccountSuppressionAttributes", SuppressedReasons=chosen)
        attributes = dict(self._response.get("SuppressionAttributes") or {})
        attributes["SuppressedReasons"] = chosen
        self._response["SuppressionAttributes"] = attributes
        return self

    @property
    def vdm(self) -> VdmSettings:
        """The account's Virtual Deliverability Manager settings (`VdmAttributes`).

        Examples:
            >>> ses.account().vdm
            VdmSettings(enabled=None, engagement_metrics=None, optimized_shared_delivery=None)
        """
        return vdm_of_account(self._response.get("VdmAttributes"))

    def update_vdm(
        self,
        *,
        enabled: bool,
        engagement_metrics: bool | None = None,
        optimized_shared_delivery: bool | None = None,
    ) -> Self:
        """Turn Virtual Deliverability Manager on or off for the account
        (`PutAccountVdmAttributes`), with its dashboard's engagement metrics and its
        guardian's optimized shared delivery (None leaves them out of the request).

        Raises:
            ValidationError: a switch that is not a bool (no call made).

        Examples:
            >>> ses.account().update_vdm(enabled=True, engagement_metrics=True,
            ...                          optimized_shared_delivery=False).vdm
            VdmSettings(enabled=True, engagement_metrics=True, optimized_shared_delivery=False)
        """
        attributes = account_vdm_params(enabled, engagement_metrics, optimized_shared_delivery)
        self._ses._call("PutAccountVdmAttributes", VdmAttributes=attributes)
        self._response["VdmAttributes"] = attributes
        return self

    def __repr__(self) -> str:
        quota = self.quota
        return (
            f"Account(region={self._ses.region!r}, in_sandbox={self.in_sandbox}, "
            f"max_send_rate={quota.max_send_rate:g}, max_24_hour_send={quota.max_24_hour_send:g}, "
            f"sent_last_24_hours={quota.sent_last_24_hours:g})"
        )
