"""The account: sandbox, sending quotas and their bookkeeping, production access.

`FakeAccount` is the live, editable state behind `GetAccount` and behind every rule a
send is checked against (paused, suspended, sandbox, rate, daily quota). The daily quota is
counted as SES counts it: recipients accepted in the last 24 hours by the fake's
`wall_clock`, mailbox-simulator recipients excepted, plus `FakeAccount.sent_offset`.

Production access works as in SES: `PutAccountDetails` with `ProductionAccessEnabled` from
the sandbox files a request whose review is `PENDING` (with a `CaseId`), and any further
`PutAccountDetails` while it is pending is refused with HTTP 409 `ConflictException`. Nobody
reviews it until a test says so: `FakeSES.grant_production_access`,
`FakeSES.deny_production_access`, or a scripted `FakeSES.review_transition` (after N
`GetAccount` calls or N seconds). `GRANTED`
takes the account out of the sandbox and raises its quotas to production ones; `DENIED` and
`FAILED` leave it in the sandbox, free to ask again.
"""

from __future__ import annotations

import math
import re
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sesflow.testing._configuration_sets import check_suppression_validation
from sesflow.testing._context import Context
from sesflow.testing._countdown import settle_due
from sesflow.testing._fake import FakeError, Handlers, operation
from sesflow.testing._plain import plain
from sesflow.testing._rate import SlidingWindow

__all__ = ["AccountHandlers", "AccountStore", "FakeAccount", "FakeAccountDetails"]

_DAY = 24 * 60 * 60.0
PRODUCTION_RATE = 14.0
PRODUCTION_DAILY = 50_000.0
SANDBOX_RATE = 1.0
SANDBOX_DAILY = 200.0
REVIEW_STATUSES = ("PENDING", "FAILED", "GRANTED", "DENIED")
_MAIL_TYPES = ("MARKETING", "TRANSACTIONAL")
_CONTACT_LANGUAGES = ("EN", "JA")
_SUPPRESSION_REASONS = ("BOUNCE", "COMPLAINT")
# The SES v2 model's limits; botocore checks minimum lengths but no maxima or patterns.
_MAX_WEBSITE_URL = 1000
_MAX_USE_CASE = 5000
_MAX_CONTACTS = 4
_CONTACT_ADDRESS = re.compile(r"(?=.{6,254}\Z).+@.+\Z", re.DOTALL)


@dataclass(eq=False)
class FakeAccountDetails:
    """The production-access request on file (`GetAccount`'s `Details`). Edit it freely.

    Examples:
        >>> fake.account.details = FakeAccountDetails(
        ...     mail_type="TRANSACTIONAL",
        ...     website_url="https://example.com",
        ...     review_status="PENDING",
        ...     review_case_id="case-1",
        ... )
        >>> client.get_account()["Details"]["ReviewDetails"]
        {'Status': 'PENDING', 'CaseId': 'case-1'}

    Attributes:
        mail_type: `MARKETING` or `TRANSACTIONAL`.
        website_url: The website named in the request.
        contact_language: `EN` or `JA`.
        use_case_description: The use case given (deprecated in the SES model).
        additional_contact_email_addresses: 1-4 more addresses SES may write to.
        review_status: `ReviewDetails.Status` (`PENDING FAILED GRANTED DENIED`), or
            `None` for no review.
        review_case_id: `ReviewDetails.CaseId`.
    """

    mail_type: str
    website_url: str
    contact_language: str = "EN"
    use_case_description: str | None = None
    additional_contact_email_addresses: list[str] = field(default_factory=list)
    review_status: str | None = None
    review_case_id: str | None = None

    def to_response(self) -> dict[str, Any]:
        """Render as `GetAccount`'s `Details` member.

        Examples:
            >>> details = FakeAccountDetails(mail_type="MARKETING", website_url="https://a.example")
            >>> details.to_response()
            {'MailType': 'MARKETING', 'WebsiteURL': 'https://a.example', 'ContactLanguage': 'EN',
             'UseCaseDescription': None, 'AdditionalContactEmailAddresses': None}
        """
        details: dict[str, Any] = {
            "MailType": self.mail_type,
            "WebsiteURL": self.website_url,
            "ContactLanguage": self.contact_language,
            "UseCaseDescription": self.use_case_description,
            "AdditionalContactEmailAddresses": list(self.additional_contact_email_addresses)
            or None,
        }
        if self.review_status is not None:
            details["ReviewDetails"] = {
                "Status": self.review_status,
                "CaseId": self.review_case_id,
            }
        return details


@dataclass(eq=False)
class FakeAccount:
    """The fake's live account state, at `FakeSES.account`. Tests read and edit it.

    Every send is checked against it at the moment it arrives, so an edit applies to the next
    request. `FakeSES.reset()` replaces it with a fresh one built from the constructor's
    options.

    Examples:
        >>> fake = FakeSES(sandbox=True)
        >>> fake.account.in_sandbox, fake.account.max_send_rate, fake.account.max_24_hour_send
        (True, 1.0, 200.0)
        >>> fake.account.sent_offset = 199  # one recipient left today
        >>> fake.account.sending_enabled = False  # sends now fail with SendingPausedException

    Attributes:
        max_24_hour_send: `Max24HourSend`: recipients per rolling 24 hours; -1 = unlimited.
        max_send_rate: `MaxSendRate`: recipients per second (a sliding one-second window).
        production_access_enabled: `ProductionAccessEnabled`; false means the sandbox:
            recipients must be verified or mailbox-simulator addresses.
        sending_enabled: `SendingEnabled`; false makes sends fail with
            `SendingPausedException`.
        enforcement_status: `EnforcementStatus` (`HEALTHY PROBATION SHUTDOWN`).
        suspended: Sends fail with `AccountSuspendedException`.
        sent_offset: Added to the recipients counted in the last 24 hours, so a test can start
            near the quota.
        throttle_entries: Over the rate, answer `SendBulkEmail` 200 with the entries past the
            budget `ACCOUNT_THROTTLED` instead of refusing the whole call with HTTP 429.
        dedicated_ip_auto_warmup_enabled: `DedicatedIpAutoWarmupEnabled`.
        suppressed_reasons: `SuppressionAttributes.SuppressedReasons`: which reasons
            of the account-level suppression list stop delivery.
        details: `Details`: the production-access request, or `None`.
        suppression_validation: `SuppressionAttributes.ValidationAttributes`, if set.
        vdm_attributes: `VdmAttributes` (Virtual Deliverability Manager), as last put with
            `PutAccountVdmAttributes`; `None` leaves them out of `GetAccount` (VDM off).
    """

    max_24_hour_send: float = PRODUCTION_DAILY
    max_send_rate: float = PRODUCTION_RATE
    production_access_enabled: bool = True
    sending_enabled: bool = True
    enforcement_status: str = "HEALTHY"
    suspended: bool = False
    sent_offset: float = 0.0
    throttle_entries: bool = False
    dedicated_ip_auto_warmup_enabled: bool = False
    suppressed_reasons: list[str] = field(default_factory=lambda: ["BOUNCE", "COMPLAINT"])
    details: FakeAccountDetails | None = None
    suppression_validation: dict[str, Any] | None = None
    vdm_attributes: dict[str, Any] | None = None

    @property
    def in_sandbox(self) -> bool:
        """Whether the account is in the sandbox (no production access).

        Examples:
            >>> FakeSES(sandbox=True).account.in_sandbox, FakeSES().account.in_sandbox
            (True, False)
        """
        return not self.production_access_enabled

    @property
    def unlimited_daily_quota(self) -> bool:
        """Whether `max_24_hour_send` is -1 (or any negative number): no daily quota.

        Examples:
            >>> fake.account.max_24_hour_send = -1
            >>> fake.account.unlimited_daily_quota
            True
        """
        return self.max_24_hour_send < 0


@dataclass
class _ReviewStep:
    """A queued review outcome and the countdown towards it."""

    to: str
    after_polls: int | None
    after_seconds: float | None
    max_send_rate: float
    max_24_hour_send: float
    # The clock reading the countdown runs from: when it was queued (or, if queued before any
    # request was filed, when one is), or when the step before it took effect.
    start: float = 0.0
    polls: int = 0


class AccountStore:
    """The account: its live `FakeAccount`, review script, and quota ledgers.

    Sending asks it, through its methods, for the daily room left (`daily_room()`), counts
    accepted recipients into it (`count_sent()`) and paces by its send-rate window
    (`window`).

    Examples:
        >>> account = AccountStore(Context("us-east-1", "123456789012", clock, clock, seed=7),
        ...                        sandbox=True)
        >>> account.account.in_sandbox, account.daily_room()
        (True, 200.0)

    Args:
        context: The fake's clocks and seed.
        sandbox: Start in the sandbox.
        max_send_rate: `MaxSendRate`; `None` takes the default (sandbox 1, else 14).
        max_24_hour_send: `Max24HourSend`; `None` takes the default (200, else 50,000).
        throttle_entries: `FakeAccount.throttle_entries`.
    """

    def __init__(
        self,
        context: Context,
        *,
        sandbox: bool = False,
        max_send_rate: float | None = None,
        max_24_hour_send: float | None = None,
        throttle_entries: bool = False,
    ) -> None:
        self._context = context
        self._review_steps: deque[_ReviewStep] = deque()
        # A generator of its own, so filing a request does not shift DKIM tokens or ids.
        self._case_random = context.generator("case-ids")
        rate, daily = max_send_rate, max_24_hour_send
        self._account = FakeAccount(
            max_send_rate=(SANDBOX_RATE if sandbox else PRODUCTION_RATE) if rate is None else rate,
            max_24_hour_send=(
                (SANDBOX_DAILY if sandbox else PRODUCTION_DAILY) if daily is None else daily
            ),
            production_access_enabled=not sandbox,
            throttle_entries=throttle_entries,
        )
        # (wall second, recipients) of accepted messages that count against the daily quota.
        self._sent_ledger: deque[tuple[float, int]] = deque()
        self._sent_total = 0
        self.window = SlidingWindow(1.0)
        """Recipients by arrival on `clock`: what the rate is enforced against."""

    @property
    def account(self) -> FakeAccount:
        """The live account, once any review whose time has come (by `clock`) is decided."""
        # Every rule reads the account through here, so a review due by now is decided before
        # any request is checked against the sandbox or quotas.
        if self._review_steps:
            self.settle_review(poll=False)
        return self._account

    @account.setter
    def account(self, value: FakeAccount) -> None:
        self._account = value

    def repr_parts(self) -> list[str]:
        """`sandbox`, `max_send_rate` and `max_24_hour_send` for the fake's repr."""
        account = self.account
        return [
            f"sandbox={account.in_sandbox}",
            f"max_send_rate={account.max_send_rate:g}",
            f"max_24_hour_send={account.max_24_hour_send:g}",
        ]

    def sent_last_24_hours(self) -> float:
        """`SentLast24Hours`: recipients accepted in the last 24 hours, plus `sent_offset`."""
        return self.sent_in_window() + float(self.account.sent_offset)

    def sent_in_window(self) -> int:
        """Recipients accepted in the last 24 hours of `wall_clock` (not `sent_offset`)."""
        cutoff = self._context.wall_clock() - _DAY
        ledger = self._sent_ledger
        while ledger and ledger[0][0] <= cutoff:
            self._sent_total -= ledger.popleft()[1]
        return self._sent_total

    def daily_room(self) -> float:
        """How many more recipients the daily quota allows now (`inf` if unlimited)."""
        account = self._account
        if account.unlimited_daily_quota:
            return math.inf
        used = self.sent_in_window() + float(account.sent_offset)
        return max(0.0, float(account.max_24_hour_send) - used)

    def count_sent(self, recipients: int) -> None:
        """Count an accepted message's quota recipients against the daily quota."""
        if not recipients:
            return
        # One entry per whole second, rounded up, keeps a million sends to ~86,400 entries; a
        # send then leaves the window up to a second late, never early.
        second = float(math.ceil(self._context.wall_clock()))
        ledger = self._sent_ledger
        if ledger and ledger[-1][0] == second:
            ledger[-1] = (second, ledger[-1][1] + recipients)
        else:
            ledger.append((second, recipients))
        self._sent_total += recipients

    # --- production access ----------------------------------------------------------

    def grant_production_access(
        self,
        *,
        max_send_rate: float = PRODUCTION_RATE,
        max_24_hour_send: float = PRODUCTION_DAILY,
    ) -> None:
        """Decide the production-access request on file: `GRANTED`, now."""
        rate, daily = _granted_quota(max_send_rate, max_24_hour_send)
        self._require_request()
        self._decide("GRANTED", rate, daily)

    def deny_production_access(self) -> None:
        """Decide the production-access request on file: `DENIED`, now."""
        self._require_request()
        self._decide("DENIED", PRODUCTION_RATE, PRODUCTION_DAILY)

    def review_transition(
        self,
        to: str,
        *,
        after_polls: int | None = None,
        after_seconds: float | None = None,
        max_send_rate: float = PRODUCTION_RATE,
        max_24_hour_send: float = PRODUCTION_DAILY,
    ) -> None:
        """Queue a review outcome that arrives later, as AWS's human review would."""
        status = _review_status(to)
        if after_polls is not None and after_seconds is not None:
            raise ValueError("give after_polls or after_seconds, not both")
        if after_polls is None and after_seconds is None:
            after_polls = 0
        if after_polls is not None and (
            isinstance(after_polls, bool) or not isinstance(after_polls, int) or after_polls < 0
        ):
            raise ValueError(f"after_polls must be a non-negative integer, got {after_polls!r}")
        if after_seconds is not None and not (math.isfinite(after_seconds) and after_seconds >= 0):
            raise ValueError(f"after_seconds must be a non-negative number, got {after_seconds!r}")
        rate, daily = _granted_quota(max_send_rate, max_24_hour_send)
        self._review_steps.append(
            _ReviewStep(
                to=status,
                after_polls=after_polls,
                after_seconds=None if after_seconds is None else float(after_seconds),
                max_send_rate=rate,
                max_24_hour_send=daily,
                start=self._context.clock(),
            )
        )

    def request_on_file(self) -> bool:
        """Whether a production-access request is on file (under review or decided)."""
        details = self._account.details
        return details is not None and details.review_status is not None

    def _require_request(self) -> None:
        if not self.request_on_file():
            raise ValueError(
                "no production-access request is on file: PutAccountDetails with "
                "ProductionAccessEnabled=True files one (or set fake.account.details)"
            )

    def _decide(self, status: str, rate: float, daily: float) -> None:
        account = self._account
        if account.details is not None:
            account.details.review_status = status
        if status == "GRANTED":
            account.production_access_enabled = True
            account.max_send_rate = rate
            account.max_24_hour_send = daily

    def settle_review(self, *, poll: bool) -> None:
        """Apply the review steps that are due; `poll` counts one `GetAccount`."""
        # Dormant until a request is filed: nobody reviews what was never asked for.
        if not self.request_on_file():
            return
        settle_due(
            self._review_steps,
            self._context.clock(),
            poll=poll,
            apply=lambda step: self._decide(step.to, step.max_send_rate, step.max_24_hour_send),
        )

    def file_request(self) -> str:
        """Start the review of a request just filed; return its new case id."""
        if self._review_steps:
            # Scripted outcomes count from the request, not from when they were queued.
            self._review_steps[0].start = self._context.clock()
            self._review_steps[0].polls = 0
        return str(self._case_random.randrange(10**9, 10**10))


class AccountHandlers(Handlers):
    """`GetAccount` and the account `Put*` operations."""

    def __init__(self, account: AccountStore, context: Context) -> None:
        self._store = account
        self._context = context

    # --- operations ----------------------------------------------------------------------

    @operation("GetAccount")
    def _get_account(self, params: Mapping[str, Any]) -> dict[str, Any]:
        self._store.settle_review(poll=True)
        account = self._store.account
        suppression: dict[str, Any] = {"SuppressedReasons": list(account.suppressed_reasons)}
        if account.suppression_validation is not None:
            suppression["ValidationAttributes"] = account.suppression_validation
        answer: dict[str, Any] = {
            "SendQuota": {
                "Max24HourSend": -1.0
                if account.unlimited_daily_quota
                else float(account.max_24_hour_send),
                "MaxSendRate": float(account.max_send_rate),
                "SentLast24Hours": float(self._store.sent_in_window() + account.sent_offset),
            },
            "ProductionAccessEnabled": account.production_access_enabled,
            "SendingEnabled": account.sending_enabled,
            "EnforcementStatus": account.enforcement_status,
            "DedicatedIpAutoWarmupEnabled": account.dedicated_ip_auto_warmup_enabled,
            "SuppressionAttributes": suppression,
            "Details": None if account.details is None else account.details.to_response(),
        }
        if account.vdm_attributes is not None:
            answer["VdmAttributes"] = account.vdm_attributes
        return answer

    @operation("PutAccountDetails")
    def _put_account_details(self, params: Mapping[str, Any]) -> None:
        account = self._store.account
        if account.details is not None and account.details.review_status == "PENDING":
            raise FakeError(
                "ConflictException",
                "A review of your production access request is pending (case "
                f"{account.details.review_case_id}); wait for its outcome before changing "
                "your account details.",
            )
        details = _checked_details(params)
        previous = account.details
        if previous is not None:
            # A decided review stays on file until a new request replaces it.
            details.review_status = previous.review_status
            details.review_case_id = previous.review_case_id
        if params.get("ProductionAccessEnabled") and account.in_sandbox:
            details.review_status = "PENDING"
            details.review_case_id = self._store.file_request()
        account.details = details

    @operation("PutAccountSendingAttributes")
    def _put_account_sending(self, params: Mapping[str, Any]) -> None:
        # As for every Put*Attributes boolean, leaving it out means false.
        self._store.account.sending_enabled = bool(params.get("SendingEnabled", False))

    @operation("PutAccountSuppressionAttributes")
    def _put_account_suppression(self, params: Mapping[str, Any]) -> None:
        reasons = list(params.get("SuppressedReasons") or [])
        for reason in reasons:
            if reason not in _SUPPRESSION_REASONS:
                raise FakeError(
                    "BadRequestException",
                    f"Invalid SuppressedReasons <{reason}>: use BOUNCE or COMPLAINT.",
                )
        validation = params.get("ValidationAttributes")
        check_suppression_validation(validation)
        account = self._store.account
        # Leaving the reasons out (or empty) turns the account-level list off for sends.
        account.suppressed_reasons = list(dict.fromkeys(reasons))
        if validation is not None:
            account.suppression_validation = dict(validation)

    @operation("PutAccountVdmAttributes")
    def _put_account_vdm(self, params: Mapping[str, Any]) -> None:
        # The whole VdmAttributes structure is replaced, as SES does.
        self._store.account.vdm_attributes = dict(params["VdmAttributes"])

    @operation("PutAccountDedicatedIpWarmupAttributes")
    def _put_account_warmup(self, params: Mapping[str, Any]) -> None:
        self._store.account.dedicated_ip_auto_warmup_enabled = bool(
            params.get("AutoWarmupEnabled", False)
        )


def _review_status(value: object) -> str:
    status = plain(value)
    if status not in REVIEW_STATUSES:
        raise ValueError(f"review status must be one of {list(REVIEW_STATUSES)}, got {value!r}")
    return status


def _granted_quota(rate: float, daily: float) -> tuple[float, float]:
    if not (math.isfinite(rate) and rate >= 0):
        raise ValueError(f"max_send_rate must be a non-negative number, got {rate!r}")
    if not math.isfinite(daily):
        raise ValueError(f"max_24_hour_send must be a number, got {daily!r}")
    return float(rate), float(daily)


def _checked_details(params: Mapping[str, Any]) -> FakeAccountDetails:
    """`PutAccountDetails`'s request, checked as SES checks it (HTTP 400 otherwise)."""
    mail_type = params["MailType"]
    if mail_type not in _MAIL_TYPES:
        raise FakeError("BadRequestException", f"Invalid MailType <{mail_type}>.")
    language = params.get("ContactLanguage", "EN")
    if language not in _CONTACT_LANGUAGES:
        raise FakeError("BadRequestException", f"Invalid ContactLanguage <{language}>.")
    url = params["WebsiteURL"]
    if not 1 <= len(url) <= _MAX_WEBSITE_URL:
        raise FakeError(
            "BadRequestException", f"WebsiteURL must be 1 to {_MAX_WEBSITE_URL} characters."
        )
    use_case = params.get("UseCaseDescription")
    if use_case is not None and len(use_case) > _MAX_USE_CASE:
        raise FakeError(
            "BadRequestException",
            f"UseCaseDescription must be at most {_MAX_USE_CASE} characters.",
        )
    contacts = list(params.get("AdditionalContactEmailAddresses") or [])
    if "AdditionalContactEmailAddresses" in params and not 1 <= len(contacts) <= _MAX_CONTACTS:
        raise FakeError(
            "BadRequestException",
            f"Give 1 to {_MAX_CONTACTS} AdditionalContactEmailAddresses, not {len(contacts)}.",
        )
    for contact in contacts:
        if not _CONTACT_ADDRESS.match(contact):
            raise FakeError(
                "BadRequestException", f"Invalid AdditionalContactEmailAddresses <{contact}>."
            )
    return FakeAccountDetails(
        mail_type=mail_type,
        website_url=url,
        contact_language=language,
        use_case_description=use_case,
        additional_contact_email_addresses=contacts,
    )
