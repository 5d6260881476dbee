"""The account: sandbox status, sending quota, production-access review."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Self

from ._enums import ReviewStatus

if TYPE_CHECKING:
    from ._ses import SES

__all__ = ["Account", "ReviewDetails", "SendQuota"]


@dataclass(frozen=True, slots=True)
class SendQuota:
    """The account's sending limits in this region, counted in **recipients**.

    Attributes:
        max_24_hour_send: recipients per rolling 24 hours; -1 means unlimited.
        max_send_rate: recipients per second.
        sent_last_24_hours: recipients sent in the last 24 hours.

    Example:
        >>> quota = ses.account().quota
        >>> quota.max_send_rate, quota.remaining_24h
        (14.0, 49200.0)
    """

    max_24_hour_send: float
    max_send_rate: float
    sent_last_24_hours: float

    @property
    def unlimited(self) -> bool:
        """Whether the daily quota is unlimited (`Max24HourSend` is -1).

        Example:
            >>> SendQuota(-1, 500, 10).unlimited
            True
        """
        return self.max_24_hour_send < 0

    @property
    def remaining_24h(self) -> float:
        """Recipients that may still be sent in the rolling 24 hours (-1: unlimited).

        Example:
            >>> SendQuota(200, 1, 150).remaining_24h
            50.0
        """
        if self.unlimited:
            return -1.0
        return max(0.0, float(self.max_24_hour_send) - float(self.sent_last_24_hours))


@dataclass(frozen=True, slots=True)
class ReviewDetails:
    """The state of a production-access request.

    Example:
        >>> ses.account().review
        ReviewDetails(status=<ReviewStatus.PENDING: 'PENDING'>, case_id='1234567890')
    """

    status: ReviewStatus
    case_id: str | None


class Account:
    """A snapshot of `GetAccount`: sandbox status, quota, review.

    Get one with `ses.account()`; call `refresh()` for a newer snapshot.

    Example:
        >>> acct = ses.account()
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

        Example:
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

        Example:
            >>> ses.account().raw["EnforcementStatus"]
            'HEALTHY'
        """
        return dict(self._response)

    @property
    def quota(self) -> SendQuota:
        """The sending quota (`SendQuota`).

        Example:
            >>> ses.account().quota.remaining_24h
            200.0
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

        Example:
            >>> ses.account().in_sandbox
            True
        """
        return not self._response.get("ProductionAccessEnabled", False)

    @property
    def sending_enabled(self) -> bool:
        """Whether the account may send at all.

        Example:
            >>> ses.account().sending_enabled
            True
        """
        return bool(self._response.get("SendingEnabled", True))

    @property
    def enforcement_status(self) -> str:
        """`HEALTHY`, `PROBATION` or `SHUTDOWN`.

        Example:
            >>> ses.account().enforcement_status
            'HEALTHY'
        """
        return str(self._response.get("EnforcementStatus") or "HEALTHY")

    @property
    def review(self) -> ReviewDetails | None:
        """The production-access review, or None if none was requested.

        Example:
            >>> ses.account().review is None
            True
        """
        details: Mapping[str, Any] = self._response.get("Details") or {}
        review: Mapping[str, Any] = details.get("ReviewDetails") or {}
        if not review.get("Status"):
            return None
        return ReviewDetails(ReviewStatus(review["Status"]), review.get("CaseId"))

    def __repr__(self) -> str:
        quota = self.quota
        return (
            f"Account(region={self._ses.region!r}, in_sandbox={self.in_sandbox}, "
            f"max_send_rate={quota.max_send_rate:g}, max_24_hour_send={quota.max_24_hour_send:g}, "
            f"sent_last_24_hours={quota.sent_last_24_hours:g})"
        )
