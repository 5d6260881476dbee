"""The account-level suppression list, and what it does to sends.

As in SES, a message to an address on the list is accepted (a ``MessageId``; a bulk entry
answers ``SUCCESS``; it counts against the rate and the daily quota) but not delivered to that
address, when the entry's reason is one the message is suppressing for: the configuration
set's ``SuppressionOptions.SuppressedReasons`` once set (an empty list turns the list off for
that set), else the account's ``SuppressionAttributes.SuppressedReasons``. Every such recipient
is recorded in :attr:`~_SuppressionOps.suppressed_recipients` and left out of
:meth:`~sesflow.testing.FakeSES.deliveries`.

Addresses compare without regard to case, for sends and for the list operations alike; an
entry keeps the spelling it was last put with. In the sandbox ``PutSuppressedDestination`` and
``DeleteSuppressedDestination`` are refused with HTTP 400 ``BadRequestException``, as SES
keeps the list for accounts with production access (the exact message SES gives is not
documented; this one is the fake's). Reads work everywhere, and the ``suppress`` knob works in
the sandbox too, since SES itself adds addresses that bounce there. The fake keeps no tenants,
so a ``TenantName`` is answered with ``NotFoundException``.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sesflow.testing._account import _AccountOps
from sesflow.testing._configuration_sets import _ConfigurationSetOps
from sesflow.testing._fake import FakeError, _read_token, operation
from sesflow.testing._identities import _is_email_address
from sesflow.testing._outbox import _OutboxOps

__all__ = ["FakeSuppressedDestination", "FakeSuppressedRecipient"]

SUPPRESSION_REASONS = ("BOUNCE", "COMPLAINT")
_PAGING_KIND = "suppressed-destinations"


@dataclass(frozen=True)
class FakeSuppressedDestination:
    """One entry of the account-level suppression list.

    Examples:
        ```python
        entry = fake.suppress("bounced@example.org", "BOUNCE")
        assert (entry.email_address, entry.reason) == ("bounced@example.org", "BOUNCE")
        ```

    Attributes:
        email_address: ``EmailAddress``, as last put.
        reason: ``BOUNCE`` or ``COMPLAINT``.
        last_update_time: ``LastUpdateTime`` (aware UTC), from the fake's ``wall_clock``.
        message_id: ``Attributes.MessageId``: the message that put it there, if any.
        feedback_id: ``Attributes.FeedbackId``: the bounce or complaint feedback, if any.
    """

    email_address: str
    reason: str
    last_update_time: dt.datetime
    message_id: str | None = None
    feedback_id: str | None = None

    def to_response(self) -> dict[str, Any]:
        """Render as ``GetSuppressedDestination``'s ``SuppressedDestination``.

        Examples:
            ```python
            assert entry.to_response()["Reason"] == "BOUNCE"
            ```
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
        ```python
        fake.suppress("gone@example.org", "BOUNCE")
        client.send_email(...)  # to gone@example.org and bob@example.org: accepted
        [held] = fake.suppressed_recipients
        assert (held.address, held.reason) == ("gone@example.org", "BOUNCE")
        assert fake.deliveries("gone@example.org") == 0
        ```

    Attributes:
        message_id: The ``MessageId`` SES answered for the message.
        operation: ``"SendEmail"`` or ``"SendBulkEmail"``.
        address: The recipient, as the message named it (display name removed).
        reason: The suppression-list entry's reason.
        configuration_set: The configuration set the message was sent with, if any.
        arrived: The fake's ``clock()`` when the request arrived.
    """

    message_id: str
    operation: str
    address: str
    reason: str
    configuration_set: str | None
    arrived: float


class _SuppressionOps(_OutboxOps, _AccountOps, _ConfigurationSetOps):
    """The suppression-list operations, the knobs, and the check sends make against it."""

    # Keyed by the address in lower case (see the module docstring).
    _suppression_list: dict[str, tuple[int, FakeSuppressedDestination]]
    _suppressed_recipients: list[FakeSuppressedRecipient]

    def _reset_state(self) -> None:
        super()._reset_state()
        self._suppression_list = {}
        self._suppressed_recipients = []

    def _repr_parts(self) -> list[str]:
        parts = super()._repr_parts()
        if self._suppression_list:
            parts.append(f"suppression_list={len(self._suppression_list)}")
        return parts

    # --- knobs ---------------------------------------------------------------------------

    def suppress(
        self,
        address: str,
        reason: str,
        *,
        message_id: str | None = None,
        feedback_id: str | None = None,
    ) -> FakeSuppressedDestination:
        """Put ``address`` on the account-level suppression list, as a bounce or complaint would.

        Works in the sandbox too (SES adds addresses that bounce there), unlike
        ``PutSuppressedDestination``. Putting an address again replaces its entry.

        Examples:
            ```python
            fake.suppress("bounced@example.org", "BOUNCE", message_id="0100...-000000")
            got = client.get_suppressed_destination(EmailAddress="bounced@example.org")
            assert got["SuppressedDestination"]["Attributes"]["MessageId"] == "0100...-000000"
            ```

        Args:
            address: The email address.
            reason: ``BOUNCE`` or ``COMPLAINT`` (a string or str-enum).
            message_id: ``Attributes.MessageId`` to report.
            feedback_id: ``Attributes.FeedbackId`` to report.

        Returns:
            The entry now on the list.

        Raises:
            ValueError: Not an email address, or an unknown reason.
        """
        plain = _plain(reason)
        if plain not in SUPPRESSION_REASONS:
            raise ValueError(f"reason must be BOUNCE or COMPLAINT, got {reason!r}")
        if not _is_email_address(address):
            raise ValueError(f"not an email address: {address!r}")
        with self._lock:
            return self._put_entry(address, plain, message_id=message_id, feedback_id=feedback_id)

    def suppressed_destinations(self) -> list[FakeSuppressedDestination]:
        """Every entry of the account-level suppression list, oldest first.

        Examples:
            ```python
            fake.suppress("a@example.org", "COMPLAINT")
            assert [e.email_address for e in fake.suppressed_destinations()] == ["a@example.org"]
            ```
        """
        with self._lock:
            return [entry for _, entry in self._suppression_list.values()]

    @property
    def suppressed_recipients(self) -> list[FakeSuppressedRecipient]:
        """Every recipient a send was accepted for but not delivered to, oldest first (a copy).

        Kept whether or not the fake keeps messages; cleared by :meth:`reset`.

        Examples:
            ```python
            assert [r.address for r in fake.suppressed_recipients] == ["gone@example.org"]
            ```
        """
        with self._lock:
            return list(self._suppressed_recipients)

    # --- the check sends make ------------------------------------------------------------

    def _withhold_suppressed(
        self,
        operation_name: str,
        message_id: str,
        keys: Sequence[str],
        *,
        configuration_set: str | None,
        delivered: bool,
        arrived: float,
    ) -> None:
        """Record an accepted message's suppressed recipients, and take back their deliveries.

        ``keys`` are the recipients in :func:`address_key` form, as just recorded.
        """
        # A message that failed to render reached nobody; suppression has nothing to withhold.
        if not delivered or not self._suppression_list:
            return
        reasons = self._configuration_set_suppressed_reasons(configuration_set)
        if reasons is None:
            reasons = list(self._account.suppressed_reasons)
        if not reasons:
            return
        for key in keys:
            entry = self._suppression_list.get(key.lower())
            if entry is None or entry[1].reason not in reasons:
                continue
            self._suppressed_recipients.append(
                FakeSuppressedRecipient(
                    message_id=message_id,
                    operation=operation_name,
                    address=key,
                    reason=entry[1].reason,
                    configuration_set=configuration_set,
                    arrived=arrived,
                )
            )
            self._deliveries[key] -= 1
            if self._deliveries[key] <= 0:
                del self._deliveries[key]

    # --- helpers -------------------------------------------------------------------------

    def _put_entry(
        self,
        address: str,
        reason: str,
        *,
        message_id: str | None = None,
        feedback_id: str | None = None,
    ) -> FakeSuppressedDestination:
        key = address.lower()
        entry = FakeSuppressedDestination(
            email_address=address,
            reason=reason,
            last_update_time=self._wall_now(),
            message_id=message_id,
            feedback_id=feedback_id,
        )
        previous = self._suppression_list.get(key)
        # An update keeps the entry's place, so paging through the list stays stable.
        sequence = previous[0] if previous is not None else self._next_sequence()
        self._suppression_list[key] = (sequence, entry)
        return entry

    def _entry(self, params: Mapping[str, Any]) -> FakeSuppressedDestination:
        address = params["EmailAddress"]
        entry = self._suppression_list.get(address.lower())
        if entry is None:
            raise FakeError(
                "NotFoundException",
                f"Email address {address} does not exist on your suppression list.",
            )
        return entry[1]

    def _check_writable(self) -> None:
        if self._account.in_sandbox:
            raise FakeError(
                "BadRequestException",
                "Your account is in the Amazon SES sandbox: the account-level suppression list "
                "can be changed only with production access.",
            )

    # --- operations ----------------------------------------------------------------------

    @operation("PutSuppressedDestination")
    def _put_suppressed_destination(self, params: Mapping[str, Any]) -> None:
        _no_tenant(params)
        address = params["EmailAddress"]
        reason = params["Reason"]
        if reason not in SUPPRESSION_REASONS:
            raise FakeError(
                "BadRequestException", f"Invalid Reason <{reason}>: use BOUNCE or COMPLAINT."
            )
        if not _is_email_address(address):
            raise FakeError("BadRequestException", f"Invalid email address <{address}>.")
        self._check_writable()
        self._put_entry(address, reason)

    @operation("GetSuppressedDestination")
    def _get_suppressed_destination(self, params: Mapping[str, Any]) -> dict[str, Any]:
        _no_tenant(params)
        return {"SuppressedDestination": self._entry(params).to_response()}

    @operation("DeleteSuppressedDestination")
    def _delete_suppressed_destination(self, params: Mapping[str, Any]) -> None:
        _no_tenant(params)
        entry = self._entry(params)
        self._check_writable()
        del self._suppression_list[entry.email_address.lower()]

    @operation("ListSuppressedDestinations")
    def _list_suppressed_destinations(self, params: Mapping[str, Any]) -> dict[str, Any]:
        _no_tenant(params)
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
                _read_token(_PAGING_KIND, token)
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
            for sequence, entry in self._suppression_list.values()
            if entry.reason in reasons
            and (start is None or entry.last_update_time >= start)
            and (end is None or entry.last_update_time <= end)
        ]
        items.sort(key=lambda item: item[0])
        page, next_token = self._paginate(_PAGING_KIND, items, params)
        return {"SuppressedDestinationSummaries": page, "NextToken": next_token}


def _no_tenant(params: Mapping[str, Any]) -> None:
    tenant = params.get("TenantName")
    if tenant is not None:
        raise FakeError("NotFoundException", f"Tenant <{tenant}> does not exist.")


def _plain(value: object) -> str:
    return str(value.value if isinstance(value, enum.Enum) else value)
