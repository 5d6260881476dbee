"""MIME as SES delivers it: built for `Simple` and template sends, trimmed for `Raw` ones.

A raw message goes out as it was sent, less the headers SES reads and removes itself
(`X-SES-CONFIGURATION-SET`, `X-SES-MESSAGE-TAGS` and the sending-authorization ARNs). For the
other sends SES writes the MIME; the fake writes an equivalent one (From, To, Cc, Reply-To,
Subject, Date, Message-ID, the custom headers, text and HTML alternatives, attachments), for
tools that want to look at the message as a mail client would.
"""

from __future__ import annotations

import email.policy
import email.utils
from collections.abc import Iterable, Sequence
from email.message import EmailMessage, Message

__all__ = ["SES_HEADERS", "attachments_of", "build_mime", "ses_header", "strip_headers"]

#: The headers SES acts on and removes from a raw message before delivering it.
SES_HEADERS = frozenset(
    {
        "x-ses-configuration-set",
        "x-ses-message-tags",
        "x-ses-source-arn",
        "x-ses-from-arn",
        "x-ses-return-path-arn",
    }
)
_BUILT = frozenset({"from", "to", "cc", "bcc", "reply-to", "subject", "date", "message-id"})


def strip_headers(raw: bytes, names: Iterable[str] = SES_HEADERS) -> bytes:
    """Remove the header fields `names` (folded lines included) from a raw message, byte for
    byte: everything else stays as it was.

    Examples:
        ```python
        raw = b"X-SES-MESSAGE-TAGS: a=b\\r\\nSubject: Hi\\r\\n\\r\\nbody"
        assert strip_headers(raw) == b"Subject: Hi\\r\\n\\r\\nbody"
        ```
    """
    dropped = {name.lower() for name in names}
    crlf, lf = raw.find(b"\r\n\r\n"), raw.find(b"\n\n")
    if crlf >= 0 and (lf < 0 or crlf <= lf):
        head, rest = raw[: crlf + 2], raw[crlf + 2 :]
    elif lf >= 0:
        head, rest = raw[: lf + 1], raw[lf + 1 :]
    else:
        head, rest = raw, b""
    kept: list[bytes] = []
    skipping = False
    for line in head.splitlines(keepends=True):
        if line[:1] in (b" ", b"\t"):  # a folded continuation of the field above
            if not skipping:
                kept.append(line)
            continue
        name = line.partition(b":")[0].strip().decode("latin-1").lower()
        skipping = name in dropped
        if not skipping:
            kept.append(line)
    return b"".join(kept) + rest


def ses_header(parsed: Message, name: str) -> str | None:
    """The value of an SES header of a parsed message (`None` when absent)."""
    value = parsed.get(name)
    return None if value is None else str(value).strip()


def attachments_of(parsed: EmailMessage) -> list[tuple[str, bytes, str, str | None]]:
    """`(filename, content, content type, disposition)` of each attachment of a message."""
    found: list[tuple[str, bytes, str, str | None]] = []
    if not parsed.is_multipart():
        return found
    for part in parsed.iter_attachments():
        payload = part.get_payload(decode=True)
        content = payload if isinstance(payload, bytes) else b""
        found.append(
            (
                part.get_filename() or "",
                content,
                part.get_content_type(),
                part.get_content_disposition(),
            )
        )
    return found


def build_mime(
    *,
    message_id: str,
    wall_time: float,
    from_address: str,
    to: Sequence[str],
    cc: Sequence[str],
    reply_to: Sequence[str],
    subject: str | None,
    text: str | None,
    html: str | None,
    headers: Sequence[tuple[str, str]],
    attachments: Sequence[tuple[str, bytes, str | None, str | None]],
) -> bytes:
    """The MIME SES would write for a `Simple` or template message.

    Examples:
        ```python
        mime = build_mime(message_id="0100-x-000000", wall_time=0.0, from_address="a@b.c",
                          to=["d@e.f"], cc=[], reply_to=[], subject="Hi", text="Yo",
                          html=None, headers=[], attachments=[])
        assert b"Subject: Hi" in mime
        ```
    """
    message = EmailMessage(policy=email.policy.SMTP)
    message["From"] = from_address
    if to:
        message["To"] = ", ".join(to)
    if cc:
        message["Cc"] = ", ".join(cc)
    if reply_to:
        message["Reply-To"] = ", ".join(reply_to)
    message["Subject"] = subject or ""
    message["Date"] = email.utils.formatdate(wall_time, usegmt=True)
    message["Message-ID"] = f"<{message_id}@email.amazonses.com>"
    for name, value in headers:
        if name.lower() not in _BUILT:
            message[name] = value
    if text is not None:
        message.set_content(text)
        if html is not None:
            message.add_alternative(html, subtype="html")
    elif html is not None:
        message.set_content(html, subtype="html")
    for filename, content, content_type, disposition in attachments:
        maintype, _, subtype = (content_type or "application/octet-stream").partition("/")
        message.add_attachment(
            content,
            maintype=maintype,
            subtype=subtype or "octet-stream",
            filename=filename,
            disposition=disposition or "attachment",
        )
    return message.as_bytes()
