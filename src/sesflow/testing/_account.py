"""The account: sandbox, sending quotas and their bookkeeping, ``GetAccount``.

:class:`FakeAccount` is the live, editable state behind ``GetAccount`` and behind every rule a
send is checked against (paused, suspended, sandbox, rate, daily quota). The daily quota is
counted as SES counts it: recipients accepted in the last 24 hours by the fake's
``wall_clock``, mailbox-simulator recipients excepted, plus :attr:`FakeAccount.sent_offset`.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sesflow.testing._fake import FakeSESBase, operation
from sesflow.testing._rate import SlidingWindow

__all__ = ["FakeAccount", "FakeAccountDetails"]

_DAY = 24 * 60 * 60.0
PRODUCTION_RATE = 14.0
PRODUCTION_DAILY = 50_000.0
SANDBOX_RATE = 1.0
SANDBOX_DAILY = 200.0


@dataclass(eq=False)
class FakeAccountDetails:
    """The production-access request on file (``GetAccount``'s ``Details``). Edit it freely.

    Example:
        ```python
        fake.account.details = FakeAccountDetails(
            mail_type="TRANSACTIONAL",
            website_url="https://example.com",
            review_status="PENDING",
            review_case_id="case-1",
        )
        assert client.get_account()["Details"]["ReviewDetails"]["Status"] == "PENDING"
        ```

    Attributes:
        mail_type: ``MARKETING`` or ``TRANSACTIONAL``.
        website_url: The website named in the request.
        contact_language: ``EN`` or ``JA``.
        use_case_description: The use case given (deprecated in the SES model).
        additional_contact_email_addresses: 1-4 more addresses SES may write to.
        review_status: ``ReviewDetails.Status`` (``PENDING FAILED GRANTED DENIED``), or
            ``None`` for no review.
        review_case_id: ``ReviewDetails.CaseId``.
    """

    mail_type: str
    website_url: str
    contact_language: str = "EN"
    use_case_description: str | None = None
    additional_contact_email_addresses: list[str] = field(default_factory=list)
    review_status: str | None = None
    review_case_id: str | None = None

    def to_response(self) -> dict[str, Any]:
        """Render as ``GetAccount``'s ``Details`` member.

        Example:
            ```python
            details = FakeAccountDetails(mail_type="MARKETING", website_url="https://a.example")
            assert details.to_response()["MailType"] == "MARKETING"
            ```
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
    """The fake's live account state, at :attr:`FakeSES.account`. Tests read and edit it.

    Every send is checked against it at the moment it arrives, so an edit applies to the next
    request. :meth:`FakeSES.reset` replaces it with a fresh one built from the constructor's
    options.

    Example:
        ```python
        fake = FakeSES(sandbox=True)
        assert fake.account.max_send_rate == 1 and fake.account.in_sandbox
        fake.account.sent_offset = 199  # one recipient left today
        fake.account.sending_enabled = False  # sends now fail with SendingPausedException
        ```

    Attributes:
        max_24_hour_send: ``Max24HourSend``: recipients per rolling 24 hours; -1 = unlimited.
        max_send_rate: ``MaxSendRate``: recipients per second (a sliding one-second window).
        production_access_enabled: ``ProductionAccessEnabled``; false means the sandbox:
            recipients must be verified or mailbox-simulator addresses.
        sending_enabled: ``SendingEnabled``; false makes sends fail with
            ``SendingPausedException``.
        enforcement_status: ``EnforcementStatus`` (``HEALTHY PROBATION SHUTDOWN``).
        suspended: Sends fail with ``AccountSuspendedException``.
        sent_offset: Added to the recipients counted in the last 24 hours, so a test can start
            near the quota.
        throttle_entries: Over the rate, answer ``SendBulkEmail`` 200 with the entries past the
            budget ``ACCOUNT_THROTTLED`` instead of refusing the whole call with HTTP 429.
        dedicated_ip_auto_warmup_enabled: ``DedicatedIpAutoWarmupEnabled``.
        suppressed_reasons: ``SuppressionAttributes.SuppressedReasons``.
        details: ``Details``: the production-access request, or ``None``.
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

    @property
    def in_sandbox(self) -> bool:
        """Whether the account is in the sandbox (no production access).

        Example:
            ```python
            assert FakeSES(sandbox=True).account.in_sandbox
            ```
        """
        return not self.production_access_enabled

    @property
    def unlimited_daily_quota(self) -> bool:
        """Whether ``max_24_hour_send`` is -1 (or any negative number): no daily quota.

        Example:
            ```python
            fake.account.max_24_hour_send = -1
            assert fake.account.unlimited_daily_quota
            ```
        """
        return self.max_24_hour_send < 0


class _AccountOps(FakeSESBase):
    """``GetAccount``, the account state, and the ledgers the quotas are checked against."""

    # Constructor options (set by FakeSES before the base initialiser runs, which builds the
    # first account through _reset_state).
    _sandbox: bool = False
    _max_send_rate_option: float | None = None
    _max_24_hour_send_option: float | None = None
    _throttle_entries_option: bool = False

    _account: FakeAccount
    # (wall second, recipients) of accepted messages that count against the daily quota.
    _sent_ledger: deque[tuple[float, int]]
    _sent_total: int
    # Recipients by arrival on ``clock``: what the rate is enforced against.
    _window: SlidingWindow

    def _reset_state(self) -> None:
        super()._reset_state()
        sandbox = self._sandbox
        rate = self._max_send_rate_option
        daily = self._max_24_hour_send_option
        self._account = FakeAccount(
            max_send_rate=(SANDBOX_RATE if sandbox else PRODUCTION_RATE) if rate is None else rate,
            max_24_hour_send=(
                (SANDBOX_DAILY if sandbox else PRODUCTION_DAILY) if daily is None else daily
            ),
            production_access_enabled=not sandbox,
            throttle_entries=self._throttle_entries_option,
        )
        self._sent_ledger = deque()
        self._sent_total = 0
        self._window = SlidingWindow(1.0)

    def _repr_parts(self) -> list[str]:
        account = self._account
        parts = [
            f"sandbox={account.in_sandbox}",
            f"max_send_rate={account.max_send_rate:g}",
            f"max_24_hour_send={account.max_24_hour_send:g}",
        ]
        return [*super()._repr_parts(), *parts]

    @property
    def account(self) -> FakeAccount:
        """The live account state; edit its fields to change what SES enforces and reports.

        Example:
            ```python
            fake.account.max_send_rate = 10
            assert client.get_account()["SendQuota"]["MaxSendRate"] == 10
            ```
        """
        return self._account

    @account.setter
    def account(self, value: FakeAccount) -> None:
        if not isinstance(value, FakeAccount):
            raise TypeError(f"account must be a FakeAccount, got {type(value).__name__}")
        with self._lock:
            self._account = value

    def sent_last_24_hours(self) -> float:
        """``SentLast24Hours``: recipients accepted in the last 24 hours, plus ``sent_offset``.

        Counted by the fake's ``wall_clock``; mailbox-simulator recipients are not counted.

        Example:
            ```python
            client.send_email(...)  # to two recipients
            assert fake.sent_last_24_hours() == 2
            ```
        """
        with self._lock:
            return self._sent_in_window() + float(self._account.sent_offset)

    def _sent_in_window(self) -> int:
        cutoff = self.wall_clock() - _DAY
        ledger = self._sent_ledger
        while ledger and ledger[0][0] <= cutoff:
            self._sent_total -= ledger.popleft()[1]
        return self._sent_total

    def _daily_room(self) -> float:
        """How many more recipients the daily quota allows now (``inf`` if unlimited)."""
        account = self._account
        if account.unlimited_daily_quota:
            return math.inf
        used = self._sent_in_window() + float(account.sent_offset)
        return max(0.0, float(account.max_24_hour_send) - used)

    def _count_sent(self, recipients: int) -> None:
        if not recipients:
            return
        # One entry per whole second, rounded up, keeps a million sends to ~86,400 entries; a
        # send then leaves the window up to a second late, never early.
        second = float(math.ceil(self.wall_clock()))
        ledger = self._sent_ledger
        if ledger and ledger[-1][0] == second:
            ledger[-1] = (second, ledger[-1][1] + recipients)
        else:
            ledger.append((second, recipients))
        self._sent_total += recipients

    @operation("GetAccount")
    def _get_account(self, params: Mapping[str, Any]) -> dict[str, Any]:
        account = self._account
        return {
            "SendQuota": {
                "Max24HourSend": -1.0
                if account.unlimited_daily_quota
                else float(account.max_24_hour_send),
                "MaxSendRate": float(account.max_send_rate),
                "SentLast24Hours": float(self._sent_in_window() + account.sent_offset),
            },
            "ProductionAccessEnabled": account.production_access_enabled,
            "SendingEnabled": account.sending_enabled,
            "EnforcementStatus": account.enforcement_status,
            "DedicatedIpAutoWarmupEnabled": account.dedicated_ip_auto_warmup_enabled,
            "SuppressionAttributes": {"SuppressedReasons": list(account.suppressed_reasons)},
            "Details": None if account.details is None else account.details.to_response(),
        }
