"""The outbox: every message the fake accepted, and per-recipient delivery counts.

Stored compactly, since a benchmark may push a million recipients through one fake: messages are
slotted frozen dataclasses holding tuples, and ``FakeSES(keep_messages=False)`` keeps no message
at all, only the per-recipient counts and one ``(arrival, recipients)`` pair per message (in two
flat arrays), and logs send calls without their parameters.
"""

from __future__ import annotations

import email.utils
from array import array
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sesflow.testing._fake import FakeCall, FakeSESBase

__all__ = ["FakeAttachment", "FakeMessage"]

SEND_OPERATIONS = frozenset({"SendEmail", "SendBulkEmail"})


@dataclass(frozen=True, slots=True)
class FakeAttachment:
    """One attachment of a ``Simple`` message, as sent.

    Examples:
        ```python
        attachment = fake.outbox[-1].attachments[0]
        assert (attachment.filename, attachment.content) == ("a.txt", b"hello")
        ```

    Attributes:
        filename: ``FileName``.
        content: The decoded ``RawContent``.
        content_type: ``ContentType``, if given.
        disposition: ``ContentDisposition``, if given.
    """

    filename: str
    content: bytes
    content_type: str | None = None
    disposition: str | None = None


@dataclass(frozen=True, slots=True)
class FakeMessage:
    """One message the fake accepted (one per ``SendEmail``, one per bulk entry).

    Template sends carry the rendered ``subject``/``text``/``html``. A template the data could
    not fill is accepted as SES accepts it (a ``MessageId``, counted against the quotas) but
    not delivered: ``rendering_error`` says why, as SES's Rendering Failure event would.

    Examples:
        ```python
        client.send_email(
            FromEmailAddress="news@example.com",
            Destination={"ToAddresses": ["bob@example.com"]},
            Content={"Simple": {"Subject": {"Data": "Hi"}, "Body": {"Text": {"Data": "Yo"}}}},
        )
        message = fake.outbox[-1]
        assert (message.to, message.subject, message.text) == (("bob@example.com",), "Hi", "Yo")
        ```

    Attributes:
        message_id: The ``MessageId`` SES answered.
        operation: ``"SendEmail"`` or ``"SendBulkEmail"``.
        from_address: ``FromEmailAddress`` (or the raw message's ``From``), as given.
        to: To addresses, as given.
        cc: Cc addresses.
        bcc: Bcc addresses.
        subject: The (rendered) subject.
        text: The (rendered) text part, if any.
        html: The (rendered) HTML part, if any.
        raw: The MIME bytes of a ``Raw`` message, else ``None``.
        template_name: The stored template's name, for a send by name or ARN.
        template_content: The inline ``TemplateContent`` (``Subject``/``Text``/``Html``).
        template_data: The data the template was rendered with (bulk: default data merged with
            the entry's replacement data).
        headers: ``(name, value)`` pairs: the ``Headers`` sent (a raw message's own headers).
        tags: Message tags, name to value.
        configuration_set: The configuration set the message was sent with (the sender
            identity's default one when the request names none).
        reply_to: ``ReplyToAddresses``.
        attachments: ``Simple`` attachments.
        rendering_error: Why the template could not be rendered; ``None`` if it was.
        arrived: The fake's ``clock()`` when the request arrived.
        wall_time: The fake's ``wall_clock()`` then.
    """

    message_id: str
    operation: str
    from_address: str
    to: tuple[str, ...]
    cc: tuple[str, ...] = ()
    bcc: tuple[str, ...] = ()
    subject: str | None = None
    text: str | None = None
    html: str | None = None
    raw: bytes | None = None
    template_name: str | None = None
    template_content: Mapping[str, str] | None = None
    template_data: Mapping[str, Any] | None = None
    headers: tuple[tuple[str, str], ...] = ()
    tags: Mapping[str, str] | None = None
    configuration_set: str | None = None
    reply_to: tuple[str, ...] = ()
    attachments: tuple[FakeAttachment, ...] = ()
    rendering_error: str | None = None
    arrived: float = 0.0
    wall_time: float = 0.0

    @property
    def recipients(self) -> tuple[str, ...]:
        """To, Cc and Bcc addresses together.

        Examples:
            ```python
            assert fake.outbox[-1].recipients == ("a@example.com", "b@example.com")
            ```
        """
        return self.to + self.cc + self.bcc

    @property
    def delivered(self) -> bool:
        """Whether the message went out (it was not a rendering failure).

        Examples:
            ```python
            assert all(message.delivered for message in fake.outbox)
            ```
        """
        return self.rendering_error is None

    def __repr__(self) -> str:
        return (
            f"FakeMessage({self.message_id!r}, {self.operation}, from={self.from_address!r}, "
            f"recipients={list(self.recipients)!r}, subject={self.subject!r})"
        )


def address_key(address: str) -> str:
    """The form recipients are counted under: the bare address, its domain lower-cased.

    Examples:
        ```python
        assert address_key("Bob <bob@Example.COM>") == "bob@example.com"
        ```
    """
    bare = email.utils.parseaddr(address)[1] or address
    local, at, domain = bare.rpartition("@")
    return f"{local}{at}{domain.lower()}" if at else bare


class _OutboxOps(FakeSESBase):
    """Keeps what was accepted, and answers questions about it."""

    # Constructor option, set by FakeSES before the base initialiser runs.
    _keep_messages: bool = True

    _messages: list[FakeMessage]
    _deliveries: Counter[str]
    _arrival_times: array[float]
    _arrival_sizes: array[int]
    _recipients_accepted: int
    _rendering_failures: int

    def _reset_state(self) -> None:
        super()._reset_state()
        self._clear_outbox()

    def _clear_outbox(self) -> None:
        self._messages = []
        self._deliveries = Counter()
        self._arrival_times = array("d")
        self._arrival_sizes = array("l")
        self._recipients_accepted = 0
        self._rendering_failures = 0

    def _repr_parts(self) -> list[str]:
        return [*super()._repr_parts(), f"outbox={len(self._arrival_sizes)}"]

    def _log_call(self, name: str, params: Mapping[str, Any]) -> None:
        if self._keep_messages or name not in SEND_OPERATIONS:
            super()._log_call(name, params)
            return
        # Copying every bulk request's 50 entries would dwarf the counts kept instead.
        self._call_counts[name] += 1
        self._calls.append(FakeCall(name, {}, self.clock()))

    def _record(
        self,
        keys: tuple[str, ...],
        *,
        arrived: float,
        delivered: bool,
        message: FakeMessage | None,
    ) -> None:
        """Keep an accepted message (``message`` is ``None`` when messages are not kept).

        ``keys`` are the recipients already in :func:`address_key` form.
        """
        self._arrival_times.append(arrived)
        self._arrival_sizes.append(len(keys))
        self._recipients_accepted += len(keys)
        if delivered:
            self._deliveries.update(keys)
        else:
            self._rendering_failures += 1
        if message is not None and self._keep_messages:
            self._messages.append(message)

    # --- public ---------------------------------------------------------------------------

    @property
    def outbox(self) -> list[FakeMessage]:
        """Every message accepted, oldest first (a copy).

        Examples:
            ```python
            assert [m.subject for m in fake.outbox] == ["Welcome"]
            ```

        Raises:
            RuntimeError: The fake was made with ``keep_messages=False``; use
                :meth:`deliveries`, :meth:`delivery_counts` and :meth:`arrivals`.
        """
        if not self._keep_messages:
            raise RuntimeError(
                "this FakeSES keeps no messages (keep_messages=False); use deliveries(), "
                "delivery_counts() or arrivals()"
            )
        with self._lock:
            return list(self._messages)

    def deliveries(self, address: str) -> int:
        """How many accepted, delivered messages had ``address`` among their recipients.

        Addresses compare without display names and with the domain in any case.

        Examples:
            ```python
            assert fake.deliveries("bob@example.com") == 1  # delivered exactly once
            ```
        """
        with self._lock:
            return self._deliveries[address_key(address)]

    def delivery_counts(self) -> Counter[str]:
        """Deliveries per recipient address (a copy); see :meth:`deliveries`.

        Examples:
            ```python
            counts = fake.delivery_counts()
            assert max(counts.values()) == 1  # nobody got a message twice
            ```
        """
        with self._lock:
            return Counter(self._deliveries)

    def arrivals(self) -> list[tuple[float, int]]:
        """``(clock reading, recipients)`` of every accepted message, oldest first.

        Examples:
            ```python
            assert fake.arrivals() == [(0.0, 2)]
            ```
        """
        with self._lock:
            return list(zip(self._arrival_times, self._arrival_sizes, strict=True))

    def clear_outbox(self) -> None:
        """Forget accepted messages and delivery counts (not the quotas they used).

        Examples:
            ```python
            fake.clear_outbox()
            assert fake.delivery_counts() == Counter()
            ```
        """
        with self._lock:
            self._clear_outbox()
