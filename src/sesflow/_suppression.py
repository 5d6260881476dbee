"""The account-level suppression list: addresses SES will not send to."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ._enums import SuppressionReason, coerce_enum
from ._errors import BadRequestError, NotFoundError
from ._logging import logger, mask
from ._paging import PAGE_SIZE, pages
from ._validate import validate_address

if TYPE_CHECKING:
    from ._ses import SES

__all__ = ["SuppressedDestination", "SuppressionList"]


@dataclass(frozen=True, slots=True)
class SuppressedDestination:
    """An address on the suppression list, and why.

    Examples:
        >>> ses.suppression_list.add("bounced@example.com", "BOUNCE")
        >>> ses.suppression_list.get("bounced@example.com")
        SuppressedDestination(address='bounced@example.com',
                              reason=<SuppressionReason.BOUNCE: 'BOUNCE'>, ...)
    """

    address: str
    reason: SuppressionReason
    last_update_time: dt.datetime | None = None
    message_id: str | None = None
    feedback_id: str | None = None

    @classmethod
    def _from_ses(cls, item: Mapping[str, Any]) -> SuppressedDestination:
        attributes: Mapping[str, Any] = item.get("Attributes") or {}
        return cls(
            address=str(item["EmailAddress"]),
            reason=SuppressionReason(item["Reason"]),
            last_update_time=item.get("LastUpdateTime"),
            message_id=attributes.get("MessageId"),
            feedback_id=attributes.get("FeedbackId"),
        )


class SuppressionList:
    """The account's suppression list in this region: `ses.suppression_list`.

    Iterating walks every page. SES adds addresses itself after hard bounces and
    complaints (for the reasons the account suppresses); you can add and remove them.

    Examples:
        >>> ses.suppression_list.add("bounced@example.com", SuppressionReason.BOUNCE)
        >>> "bounced@example.com" in ses.suppression_list
        True
        >>> for entry in ses.suppression_list.filter(reasons=["COMPLAINT"]):
        ...     print(entry.address)
    """

    def __init__(self, ses: SES, *, tenant: str | None = None) -> None:
        self._ses = ses
        # A tenant's own list (`tenant.suppression_list`): every call names it.
        self._scope: dict[str, Any] = {} if tenant is None else {"TenantName": tenant}

    def __repr__(self) -> str:
        tenant = self._scope.get("TenantName")
        extra = f", tenant={tenant!r}" if tenant is not None else ""
        return f"SuppressionList(region={self._ses.region!r}{extra})"

    def add(self, address: str, reason: SuppressionReason | str) -> None:
        """Put `address` on the list (or change its reason).

        Raises:
            ValidationError: a malformed address or an unknown reason.
            BadRequestError: SES refused, e.g. because the account is in the sandbox
                (the message says so).

        Examples:
            >>> ses.suppression_list.add("angry@example.com", "COMPLAINT")
        """
        email = validate_address(address)
        why = coerce_enum(SuppressionReason, reason, field="reason")
        try:
            self._ses._call(
                "PutSuppressedDestination", EmailAddress=email, Reason=why.value, **self._scope
            )
        except BadRequestError as exc:
            raise self._explain(exc) from exc
        logger.info("suppressed %s (%s)", mask(email), why.value)

    def _explain(self, exc: BadRequestError) -> BadRequestError:
        from ._account import Account

        try:
            in_sandbox = Account._load(self._ses).in_sandbox
        except Exception:
            return exc
        if not in_sandbox:
            return exc
        return exc.with_message(
            f"{exc.message} The account is in the SES sandbox in {self._ses.region}, where "
            "SES refuses changes to the suppression list; request production access first."
        )

    def remove(self, address: str) -> None:
        """Take `address` off the list. Idempotent.

        Examples:
            >>> ses.suppression_list.remove("angry@example.com")
        """
        email = validate_address(address)
        try:
            self._ses._call("DeleteSuppressedDestination", EmailAddress=email, **self._scope)
        except NotFoundError:
            return
        except BadRequestError as exc:
            raise self._explain(exc) from exc
        logger.info("unsuppressed %s", mask(email))

    def get(self, address: str) -> SuppressedDestination | None:
        """The entry for `address`, or None if it is not on the list.

        Examples:
            >>> ses.suppression_list.get("fine@example.com") is None
            True
        """
        email = validate_address(address)
        try:
            response = self._ses._call(
                "GetSuppressedDestination", EmailAddress=email, **self._scope
            )
        except NotFoundError:
            return None
        return SuppressedDestination._from_ses(response["SuppressedDestination"])

    def __contains__(self, address: object) -> bool:
        return isinstance(address, str) and self.get(address) is not None

    def __iter__(self) -> Iterator[SuppressedDestination]:
        return self.filter()

    def filter(
        self,
        *,
        reasons: Iterable[SuppressionReason | str] | None = None,
        start: dt.datetime | None = None,
        end: dt.datetime | None = None,
        page_size: int = PAGE_SIZE,
    ) -> Iterator[SuppressedDestination]:
        """Every entry, optionally only some reasons and a time range of last update.

        Examples:
            >>> ses.suppression_list.add("bounced@example.com", "BOUNCE")
            >>> since = dt.datetime.now(dt.UTC) - dt.timedelta(days=7)
            >>> [e.address for e in ses.suppression_list.filter(reasons=["BOUNCE"], start=since)]
            ['bounced@example.com']
        """
        params: dict[str, Any] = {}
        if reasons is not None:
            params["Reasons"] = sorted(
                {coerce_enum(SuppressionReason, r, field="reasons").value for r in reasons}
            )
        if start is not None:
            params["StartDate"] = start
        if end is not None:
            params["EndDate"] = end
        listing = pages(
            self._ses._lister("ListSuppressedDestinations"),
            "SuppressedDestinationSummaries",
            page_size=page_size,
            **params,
            **self._scope,
        )
        for item in listing:
            yield SuppressedDestination._from_ses(item)
