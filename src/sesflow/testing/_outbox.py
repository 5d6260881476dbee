"""The outbox: every message the fake accepted, and per-recipient delivery counts.

Stored compactly, since a benchmark may push a million recipients through one fake: messages are
slotted frozen dataclasses holding tuples, and `FakeSES(keep_messages=False)` keeps no message
at all, only the per-recipient counts and one `(arrival, recipients)` pair per message (in two
flat arrays), and logs send calls without their parameters.
"""

from __future__ import annotations

import email.utils
from array import array
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sesflow.testing._mime import build_mime

__all__ = ["SEND_OPERATIONS", "FakeAttachment", "FakeMessage", "Outbox", "address_key"]

SEND_OPERATIONS = frozenset({"SendEmail", "SendBulkEmail"})


@dataclass(frozen=True, slots=True)
class FakeAttachment:
    """One attachment of a message, as sent (a `Simple` one's, or a part of a `Raw` one).

    Examples:
        >>> _ = sender.send("bob@example.com", "Notes", text="Attached.",
        ...                 attachments=[Attachment("a.txt", b"hello")])
        >>> attachment = fake.outbox[-1].attachments[0]
        >>> attachment.filename, attachment.content, attachment.content_type
        ('a.txt', b'hello', 'text/plain')

    Attributes:
        filename: `FileName`.
        content: The decoded `RawContent`.
        content_type: `ContentType`, if given.
        disposition: `ContentDisposition`, if given.
    """

    filename: str
    content: bytes
    content_type: str | None = None
    disposition: str | None = None


@dataclass(frozen=True, slots=True)
class FakeMessage:
    """One message the fake accepted (one per `SendEmail`, one per bulk entry).

    Template sends carry the rendered `subject`/`text`/`html`. A template the data could
    not fill is accepted as SES accepts it (a `MessageId`, counted against the quotas) but
    not delivered: `rendering_error` says why, as SES's Rendering Failure event would.

    Examples:
        >>> _ = client.send_email(
        ...     FromEmailAddress="news@example.com",
        ...     Destination={"ToAddresses": ["bob@example.com"]},
        ...     Content={"Simple": {"Subject": {"Data": "Hi"}, "Body": {"Text": {"Data": "Yo"}}}},
        ... )
        >>> message = fake.outbox[-1]
        >>> message.operation, message.to, message.subject, message.text
        ('SendEmail', ('bob@example.com',), 'Hi', 'Yo')

    Attributes:
        message_id: The `MessageId` SES answered.
        operation: `"SendEmail"` or `"SendBulkEmail"`.
        from_address: `FromEmailAddress` (or the raw message's `From`), as given.
        to: To addresses, as given.
        cc: Cc addresses.
        bcc: Bcc addresses.
        subject: The (rendered) subject.
        text: The (rendered) text part, if any.
        html: The (rendered) HTML part, if any.
        raw: The MIME bytes of a `Raw` message, else `None` (less the `X-SES-*` headers
            SES acts on and removes: see `as_bytes()`).
        template_name: The stored template's name, for a send by name or ARN.
        template_content: The inline `TemplateContent` (`Subject`/`Text`/`Html`).
        template_data: The data the template was rendered with (bulk: default data merged with
            the entry's replacement data).
        headers: `(name, value)` pairs: the `Headers` sent (a raw message's own headers,
            but the `X-SES-*` ones SES removes).
        tags: Message tags, name to value.
        configuration_set: The configuration set the message was sent with (the sender
            identity's default one when the request names none).
        reply_to: `ReplyToAddresses`.
        attachments: The attachments: a `Simple` message's, or a `Raw` one's MIME parts
            that are not its text or HTML body.
        rendering_error: Why the template could not be rendered; `None` if it was.
        arrived: The fake's `clock()` when the request arrived.
        wall_time: The fake's `wall_clock()` then.
        from_identity_arn: `FromEmailAddressIdentityArn`: the identity sent as (another
            account's, for a delegate sender).
        feedback_forwarding_address: `FeedbackForwardingEmailAddress`.
        configuration_overrides: `ConfigurationOverrides` (per-send tracking), as sent.
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
    from_identity_arn: str | None = None
    feedback_forwarding_address: str | None = None
    configuration_overrides: Mapping[str, Any] | None = None

    @property
    def recipients(self) -> tuple[str, ...]:
        """To, Cc and Bcc addresses together.

        Examples:
            >>> _ = sender.send("ann@example.com", "Hi", text="Yo", cc="bob@example.com")
            >>> fake.outbox[-1].recipients
            ('ann@example.com', 'bob@example.com')
        """
        return self.to + self.cc + self.bcc

    def as_bytes(self) -> bytes:
        """The message as SES would deliver it, as MIME.

        A `Raw` message is the one sent, without the `X-SES-CONFIGURATION-SET`,
        `X-SES-MESSAGE-TAGS` and sending-authorization headers SES removes. For the others
        the fake writes the MIME SES would (From, To, Cc, Reply-To, Subject, Date,
        Message-ID, the custom headers, the text and HTML parts, the attachments).

        Examples:
            ```python
            mime = email.message_from_bytes(fake.outbox[-1].as_bytes())
            assert mime["Subject"] == "Hi"
            ```
        """
        if self.raw is not None:
            return self.raw
        return build_mime(
            message_id=self.message_id,
            wall_time=self.wall_time,
            from_address=self.from_address,
            to=self.to,
            cc=self.cc,
            reply_to=self.reply_to,
            subject=self.subject,
            text=self.text,
            html=self.html,
            headers=self.headers,
            attachments=[
                (item.filename, item.content, item.content_type, item.disposition)
                for item in self.attachments
            ],
        )

    @property
    def delivered(self) -> bool:
        """Whether the message went out (it was not a rendering failure).

        Examples:
            >>> _ = sender.send_template("bob@example.com", "welcome", data={"name": "Bob"})
            >>> _ = sender.send_template("ann@example.com", "welcome", data={})  # no name
            >>> [(m.to, m.delivered) for m in fake.outbox]
            [(('bob@example.com',), True), (('ann@example.com',), False)]
            >>> fake.outbox[-1].rendering_error
            "Attribute 'name' is not present in the rendering data."
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
        >>> address_key("Bob <bob@Example.COM>")
        'bob@example.com'
    """
    bare = email.utils.parseaddr(address)[1] or address
    local, at, domain = bare.rpartition("@")
    return f"{local}{at}{domain.lower()}" if at else bare


class Outbox:
    """What was accepted: the messages (if kept), deliveries per recipient, arrivals, counts.

    Sending records into it (`record()`); the suppression check takes back deliveries it
    withheld (`take_back()`); stats and the served summary read its counts.

    Examples:
        >>> outbox = Outbox(keep_messages=False)
        >>> outbox.record(("bob@example.com",), arrived=0.0, delivered=True, message=None)
        >>> outbox.deliveries("Bob <bob@EXAMPLE.com>"), outbox.messages_accepted, outbox.messages
        (1, 1, [])
    """

    def __init__(self, *, keep_messages: bool = True) -> None:
        self.keep_messages = keep_messages
        self.clear()

    def clear(self) -> None:
        """Forget accepted messages and delivery counts."""
        self._messages: list[FakeMessage] = []
        self._deliveries: Counter[str] = Counter()
        self._arrival_times = array("d")
        self._arrival_sizes = array("l")
        self._recipients_accepted = 0
        self._rendering_failures = 0

    def record(
        self,
        keys: tuple[str, ...],
        *,
        arrived: float,
        delivered: bool,
        message: FakeMessage | None,
    ) -> None:
        """Keep an accepted message (`message` is `None` when messages are not kept).

        `keys` are the recipients already in `address_key()` form.
        """
        self._arrival_times.append(arrived)
        self._arrival_sizes.append(len(keys))
        self._recipients_accepted += len(keys)
        if delivered:
            self._deliveries.update(keys)
        else:
            self._rendering_failures += 1
        if message is not None and self.keep_messages:
            self._messages.append(message)

    def take_back(self, key: str) -> None:
        """Undo one delivery to `key` (a recipient withheld after all)."""
        self._deliveries[key] -= 1
        if self._deliveries[key] <= 0:
            del self._deliveries[key]

    @property
    def messages(self) -> list[FakeMessage]:
        """Every message kept, oldest first (a copy)."""
        return list(self._messages)

    @property
    def messages_accepted(self) -> int:
        """Messages accepted, kept or not."""
        return len(self._arrival_sizes)

    @property
    def recipients_accepted(self) -> int:
        """Their recipients, summed."""
        return self._recipients_accepted

    @property
    def rendering_failures(self) -> int:
        """Accepted messages whose template could not be rendered."""
        return self._rendering_failures

    def deliveries(self, address: str) -> int:
        """Deliveries to `address`, compared as `address_key()` compares."""
        return self._deliveries[address_key(address)]

    def delivery_counts(self) -> Counter[str]:
        """Deliveries per recipient (a copy)."""
        return Counter(self._deliveries)

    def arrivals(self) -> list[tuple[float, int]]:
        """`(clock reading, recipients)` of every accepted message, oldest first."""
        return list(zip(self._arrival_times, self._arrival_sizes, strict=True))

    def summary(self, *, per_recipient: bool) -> dict[str, Any]:
        """What `/_sesflow/outbox` serves."""
        summary: dict[str, Any] = {
            "count": len(self._arrival_sizes),
            "recipients": self._recipients_accepted,
            "arrivals": [
                [arrived, size]
                for arrived, size in zip(self._arrival_times, self._arrival_sizes, strict=True)
            ],
        }
        if per_recipient:
            summary["per_recipient"] = dict(self._deliveries)
        return summary
