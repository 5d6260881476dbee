"""The account-level suppression list, and what it does to sends.

As in SES, a message to an address on the list is accepted (a `MessageId`; a bulk entry
answers `SUCCESS`; it counts against the rate and the daily quota) but not delivered to that
address, when the entry's reason is one the message is suppressing for: the configuration
set's `SuppressionOptions.SuppressedReasons` once set (an empty list turns the list off for
that set), else the account's `SuppressionAttributes.SuppressedReasons`. Every such recipient
is recorded in `FakeSES.suppressed_recipients` and left out of
`deliveries()`.

Addresses compare without regard to case, for sends and for the list operations alike; an
entry keeps the spelling it was last put with. In the sandbox `PutSuppressedDestination` and
`DeleteSuppressedDestination` are refused with HTTP 400 `BadRequestException`, as SES
keeps the list for accounts with production access (the exact message SES gives is not
documented; this one is the fake's). Reads work everywhere, and the `suppress` knob works in
the sandbox too, since SES itself adds addresses that bounce there. A request naming a
`TenantName` works on that tenant's own list (`NotFoundException` for a missing tenant);
sends are withheld by the account-level list only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sesflow.testing._account import AccountStore
from sesflow.testing._context import Context
from sesflow.testing._fake import FakeError, Handlers, operation
from sesflow.testing._identities import is_email_address
from sesflow.testing._paging import paginate, read_token
from sesflow.testing._plain import plain

__all__ = [
    "FakeSuppressedDestination",
    "FakeSuppressedRecipient",
    "SuppressionHandlers",
    "SuppressionStore",
]

SUPPRESSION_REASONS = ("BOUNCE", "COMPLAINT")
_PAGING_KIND = "suppressed-destinations"


@dataclass(frozen=True)
class FakeSuppressedDestination:
    """One entry of the account-level suppression list.

    Examples:
        >>> entry = fake.suppress("bounced@example.org", "BOUNCE")
        >>> entry.email_address, entry.reason
        ('bounced@example.org', 'BOUNCE')

    Attributes:
        email_address: `EmailAddress`, as last put.
        reason: `BOUNCE` or `COMPLAINT`.
        last_update_time: `LastUpdateTime` (aware UTC), from the fake's `wall_clock`.
        message_id: `Attributes.MessageId`: the message that put it there, if any.
        feedback_id: `Attributes.FeedbackId`: the bounce or complaint feedback, if any.
    """

    email_address: str
    reason: str
    last_update_time: dt.datetime
    message_id: str | None = None
    feedback_id: str | None = None

    def to_response(self) -> dict[str, Any]:
        """Render as `GetSuppressedDestination`'s `SuppressedDestination`.

        Examples:
            >>> entry = fake.suppress("bounced@example.org", "BOUNCE", message_id="0100-ex-000000")
            >>> answer = entry.to_response()
            >>> answer["Reason"], answer["Attributes"]
            ('BOUNCE', {'MessageId': '0100-ex-000000', 'FeedbackId': None})
        """
        answer: dict[str, Any] = {
            "EmailAddress": self.email_address,
            "Reason": self.reason,
            "LastUpdateTime": self.last_update_time,
        }
        if self.message_id is not None or self.feedback_id is not None:
            answer["Attributes"] = {"MessageId": self.message_id, "FeedbackId": self.feedback_id}
        return answer

    def __repr__(self) -> str:
        return (
            f"FakeSuppressedDestination({self.email_address!r}, {self.reason}, "
            f"last_update_time={self.last_update_time.isoformat()})"
        )


@dataclass(frozen=True, slots=True)
class FakeSuppressedRecipient:
    """A recipient of an accepted message that was not delivered: it is on the suppression list.

    Examples:
        >>> _ = fake.suppress("gone@example.org", "BOUNCE")
        >>> _ = sender.send(["gone@example.org", "bob@example.org"], "Hi", text="Yo")  # accepted
        >>> [held] = fake.suppressed_recipients
        >>> held.address, held.reason, held.operation
        ('gone@example.org', 'BOUNCE', 'SendEmail')
        >>> fake.deliveries("gone@example.org"), fake.deliveries("bob@example.org")
        (0, 1)

    Attributes:
        message_id: The `MessageId` SES answered for the message.
        operation: `"SendEmail"` or `"SendBulkEmail"`.
        address: The recipient, as the message named it (display name removed).
        reason: The suppression-list entry's reason.
        configuration_set: The configuration set the message was sent with, if any.
        arrived: The fake's `clock()` when the request arrived.
    """

    message_id: str
    operation: str
    address: str
    reason: str
    configuration_set: str | None
    arrived: float


class SuppressionStore:
    """The account-level suppression list, and the recipients it withheld from sends.

    Sending asks it which recipients of an accepted message to withhold (`withhold()`).

    Examples:
        >>> suppression = SuppressionStore(Context("us-east-1", "123456789012", clock, clock, 7))
        >>> _ = suppression.put("gone@example.org", "BOUNCE")
        >>> suppression.entry("GONE@example.org").reason
        'BOUNCE'
    """

    def __init__(self, context: Context) -> None:
        self._context = context
        # Keyed by the address in lower case (see the module docstring).
        self.entries: dict[str, tuple[int, FakeSuppressedDestination]] = {}
        self._recipients: list[FakeSuppressedRecipient] = []

    def __len__(self) -> int:
        return len(self.entries)

    @property
    def recipients(self) -> list[FakeSuppressedRecipient]:
        """Every recipient withheld so far, oldest first (a copy)."""
        return list(self._recipients)

    def destinations(self) -> list[FakeSuppressedDestination]:
        """Every entry of the list, oldest first."""
        return [entry for _, entry in self.entries.values()]

    def suppress(
        self,
        address: str,
        reason: str,
        *,
        message_id: str | None = None,
        feedback_id: str | None = None,
    ) -> FakeSuppressedDestination:
        """Put `address` on the list, for a test; `ValueError` if the values are bad."""
        checked = plain(reason)
        if checked not in SUPPRESSION_REASONS:
            raise ValueError(f"reason must be BOUNCE or COMPLAINT, got {reason!r}")
        if not is_email_address(address):
            raise ValueError(f"not an email address: {address!r}")
        return self.put(address, checked, message_id=message_id, feedback_id=feedback_id)

    def put(
        self,
        address: str,
        reason: str,
        *,
        message_id: str | None = None,
        feedback_id: str | None = None,
    ) -> FakeSuppressedDestination:
        """Put (or replace) the entry for `address`; an update keeps the entry's place."""
        key = address.lower()
        entry = FakeSuppressedDestination(
            email_address=address,
            reason=reason,
            last_update_time=self._context.wall_now(),
            message_id=message_id,
            feedback_id=feedback_id,
        )
        previous = self.entries.get(key)
        # An update keeps the entry's place, so paging through the list stays stable.
        sequence = previous[0] if previous is not None else self._context.sequence.next()
        self.entries[key] = (sequence, entry)
        return entry

    def entry(self, address: str) -> FakeSuppressedDestination:
        """The entry for `address`; `NotFoundException` if it is not on the list."""
        entry = self.entries.get(address.lower())
        if entry is None:
            raise FakeError(
                "NotFoundException",
                f"Email address {address} does not exist on your suppression list.",
            )
        return entry[1]

    def withhold(
        self,
        operation_name: str,
        message_id: str,
        keys: Sequence[str],
        *,
        reasons: Sequence[str],
        configuration_set: str | None,
        arrived: float,
    ) -> list[str]:
        """Record and return the recipients of an accepted message the list withholds.

        `keys` are the recipients in `address_key` form; `reasons` are the suppressed
        reasons that apply to the message (the configuration set's, else the account's).
        """
        withheld: list[str] = []
        if not self.entries or not reasons:
            return withheld
        for key in keys:
            entry = self.entries.get(key.lower())
            if entry is None or entry[1].reason not in reasons:
                continue
            self._recipients.append(
                FakeSuppressedRecipient(
                    message_id=message_id,
                    operation=operation_name,
                    address=key,
                    reason=entry[1].reason,
                    configuration_set=configuration_set,
                    arrived=arrived,
                )
            )
            withheld.append(key)
        return withheld


class SuppressionHandlers(Handlers):
    """The suppression-list operations; writes are refused in the sandbox."""

    def __init__(
        self,
        suppression: SuppressionStore,
        account: AccountStore,
        tenant_lists: Callable[[str], SuppressionStore] | None = None,
    ) -> None:
        self._suppression = suppression
        self._account = account
        # A tenant's own list, by tenant name (`NotFoundException` for a missing tenant).
        self._tenant_lists = tenant_lists

    def _list_of(self, params: Mapping[str, Any]) -> SuppressionStore:
        """The list a request names: a tenant's (`TenantName`), else the account's."""
        tenant = params.get("TenantName")
        if tenant is None:
            return self._suppression
        if self._tenant_lists is None:
            raise FakeError("NotFoundException", f"Tenant <{tenant}> does not exist.")
        return self._tenant_lists(tenant)

    def _check_writable(self) -> None:
        if self._account.account.in_sandbox:
            raise FakeError(
                "BadRequestException",
                "Your account is in the Amazon SES sandbox: the account-level suppression list "
                "can be changed only with production access.",
            )

    # --- operations ----------------------------------------------------------------------

    @operation("PutSuppressedDestination")
    def _put_suppressed_destination(self, params: Mapping[str, Any]) -> None:
        store = self._list_of(params)
        address = params["EmailAddress"]
        reason = params["Reason"]
        if reason not in SUPPRESSION_REASONS:
            raise FakeError(
                "BadRequestException", f"Invalid Reason <{reason}>: use BOUNCE or COMPLAINT."
            )
        if not is_email_address(address):
            raise FakeError("BadRequestException", f"Invalid email address <{address}>.")
        self._check_writable()
        store.put(address, reason)

    @operation("GetSuppressedDestination")
    def _get_suppressed_destination(self, params: Mapping[str, Any]) -> dict[str, Any]:
        store = self._list_of(params)
        return {"SuppressedDestination": store.entry(params["EmailAddress"]).to_response()}

    @operation("DeleteSuppressedDestination")
    def _delete_suppressed_destination(self, params: Mapping[str, Any]) -> None:
        store = self._list_of(params)
        entry = store.entry(params["EmailAddress"])
        self._check_writable()
        del store.entries[entry.email_address.lower()]

    @operation("ListSuppressedDestinations")
    def _list_suppressed_destinations(self, params: Mapping[str, Any]) -> dict[str, Any]:
        store = self._list_of(params)
        reasons = params.get("Reasons") or list(SUPPRESSION_REASONS)
        for reason in reasons:
            if reason not in SUPPRESSION_REASONS:
                raise FakeError(
                    "BadRequestException", f"Invalid Reasons <{reason}>: use BOUNCE or COMPLAINT."
                )
        start = params.get("StartDate")
        end = params.get("EndDate")
        if start is not None and end is not None and start > end:
            raise FakeError("BadRequestException", "StartDate must not be after EndDate.")
        token = params.get("NextToken")
        if token is not None:
            try:
                read_token(_PAGING_KIND, token)
            except FakeError:
                # This operation has a modeled error of its own for a bad token.
                raise FakeError(
                    "InvalidNextTokenException", "The NextToken is not valid."
                ) from None
        items = [
            (
                sequence,
                {
                    "EmailAddress": entry.email_address,
                    "Reason": entry.reason,
                    "LastUpdateTime": entry.last_update_time,
                },
            )
            for sequence, entry in store.entries.values()
            if entry.reason in reasons
            and (start is None or entry.last_update_time >= start)
            and (end is None or entry.last_update_time <= end)
        ]
        items.sort(key=lambda item: item[0])
        page, next_token = paginate(_PAGING_KIND, items, params)
        return {"SuppressedDestinationSummaries": page, "NextToken": next_token}
