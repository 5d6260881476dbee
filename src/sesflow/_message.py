"""What a message is made of, and the checks SES would otherwise make after the call.

Everything here raises `ValidationError` naming the field and the position of the bad
item (`to[2]`, `attachments[0]`), before any AWS call.
"""

from __future__ import annotations

import json
import mimetypes
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from email.header import Header
from email.utils import formataddr, parseaddr
from pathlib import Path
from typing import Any

from ._errors import ValidationError
from ._validate import CONTROL_CHARACTER, validate_address, validate_name

__all__ = [
    "MAX_HEADERS",
    "MAX_HEADER_VALUE",
    "MAX_MESSAGE_BYTES",
    "MAX_RECIPIENTS",
    "MAX_TEMPLATE_DATA",
    "Attachment",
    "InlineTemplate",
    "Recipient",
    "SendResult",
    "address_list",
    "header_list",
    "subject_text",
    "tag_list",
    "template_content",
    "template_data",
]

#: Recipients (To + Cc + Bcc) in one message.
MAX_RECIPIENTS = 50
#: Custom headers in one message.
MAX_HEADERS = 15
#: Characters in one custom header's value (after RFC 2047 encoding).
MAX_HEADER_VALUE = 995
#: SES v2's message size limit, after base64, attachments included.
MAX_MESSAGE_BYTES = 40 * 1024 * 1024
#: Characters of template data.
MAX_TEMPLATE_DATA = 262_144

# `\Z`, not `$`: `$` also matches before a trailing newline.
_HEADER_NAME = re.compile(r"^[!-9;-~]{1,126}\Z")
_TAG = re.compile(r"^[A-Za-z0-9_-]{1,256}\Z")
# RFC 2045: `type/subtype` tokens, then `; attribute=value` parameters (token or quoted).
_MIME_NAME = r"[!#$%&'*+.^_`{|}~0-9A-Za-z-]+"
_QUOTED = r'"(?:[ !#-\[\]-~]|\\[ -~])*"'
_MIME_TYPE = re.compile(
    rf"{_MIME_NAME}/{_MIME_NAME}(?: *; *{_MIME_NAME}=(?:{_MIME_NAME}|{_QUOTED}))*"
)
# SES's limits on an attachment's FileName, ContentType and ContentId (botocore model).
_MAX_FILENAME = 255
_MAX_CONTENT_TYPE = 78
_MAX_CONTENT_ID = 78


def _refuse_control(value: str, *, field: str, what: str) -> None:
    """Raise `ValidationError` if `value` holds a line break or other control character."""
    control = CONTROL_CHARACTER.search(value)
    if control:
        raise ValidationError(
            f"{field}: {value!r} contains a line break or control character "
            f"({control.group()!r} at position {control.start()}); {what} must be one line of "
            "printable text",
            field=field,
            value=value,
        )


def _encoded_words(text: str) -> str:
    """`text` as RFC 2047 UTF-8 encoded-words on one line.

    `Header.encode` folds a long value onto several lines; adjacent encoded-words
    separated by a space decode to the same text, so the lines are joined with one.
    """
    folded = Header(text, "utf-8").encode()
    return " ".join(line.strip() for line in folded.splitlines())


def subject_text(value: object, *, field: str = "subject") -> str:
    """Return `value` if it can be a subject line, or raise `ValidationError`.

    A subject is a non-blank str on one line: a CR, LF, TAB or other control character
    is refused (a line break in a header starts another header).

    Examples:
        >>> subject_text("Your March report")
        'Your March report'
    """
    if not isinstance(value, str):
        raise ValidationError(
            f"{field}: expected the subject as str, got {type(value).__name__}",
            field=field,
            value=value,
        )
    if not value.strip():
        raise ValidationError(f"{field}: a subject is required", field=field, value=value)
    _refuse_control(value, field=field, what="a subject")
    return value


@dataclass(frozen=True, slots=True)
class SendResult:
    """What SES answered for one message.

    Examples:
        >>> result = sender.send("bob@example.com", "Hi", text="Hello")
        >>> result.message_id
        '010001...-000000'
    """

    message_id: str


def _refuse_longer(value: str, limit: int, *, field: str) -> None:
    if len(value) > limit:
        raise ValidationError(
            f"{field}: {len(value)} characters; SES allows {limit}", field=field, value=value
        )


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file attached to a message (sent with SES v2's native `Attachments`).

    Args:
        filename: the name the recipient sees.
        content: the file's bytes.
        content_type: a MIME type; guessed from `filename` if None.
        inline: True to show it inline (e.g. an image referenced by `cid:`).
        content_id: the `Content-ID` for inline use.

    Examples:
        >>> Attachment("report.csv", b"a,b\\n1,2\\n").content_type
        'text/csv'
        >>> _ = Path("report.pdf").write_bytes(b"%PDF-1.7 ...")
        >>> sender.send("bob@example.com", "Report", text="Attached.",
        ...             attachments=[Attachment.from_path("report.pdf")])
        SendResult(message_id='...')
    """

    filename: str
    content: bytes = field(repr=False)
    content_type: str | None = None
    inline: bool = False
    content_id: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.filename, str) or not self.filename.strip():
            raise ValidationError(
                "filename: an attachment needs a file name", field="filename", value=self.filename
            )
        _refuse_control(self.filename, field="filename", what="a file name")
        _refuse_longer(self.filename, _MAX_FILENAME, field="filename")
        if not isinstance(self.content, bytes | bytearray | memoryview):
            raise ValidationError(
                f"content: expected bytes, got {type(self.content).__name__}", field="content"
            )
        if self.content_type is None:
            guessed = mimetypes.guess_type(self.filename)[0] or "application/octet-stream"
            object.__setattr__(self, "content_type", guessed)
        else:
            _check_content_type(self.content_type)
        if self.content_id is not None:
            if not isinstance(self.content_id, str):
                raise ValidationError(
                    f"content_id: expected a str, got {type(self.content_id).__name__}",
                    field="content_id",
                    value=self.content_id,
                )
            _refuse_control(self.content_id, field="content_id", what="a Content-ID")
            _refuse_longer(self.content_id, _MAX_CONTENT_ID, field="content_id")

    @classmethod
    def from_path(
        cls, path: str | Path, *, content_type: str | None = None, inline: bool = False
    ) -> Attachment:
        """Read a file into an `Attachment` named after it.

        Examples:
            >>> _ = Path("invoice.pdf").write_bytes(b"%PDF-1.7 ...")
            >>> Attachment.from_path("invoice.pdf").content_type
            'application/pdf'
        """
        file = Path(path)
        try:
            data = file.read_bytes()
        except OSError as exc:
            raise ValidationError(
                f"path: cannot read {str(file)!r}: {exc.strerror}", field="path", value=str(file)
            ) from exc
        return cls(file.name, data, content_type, inline=inline)

    def __repr__(self) -> str:
        return (
            f"Attachment(filename={self.filename!r}, content_type={self.content_type!r}, "
            f"size={len(self.content)})"
        )

    def _to_ses(self) -> dict[str, Any]:
        item: dict[str, Any] = {
            "RawContent": bytes(self.content),
            "FileName": self.filename,
            "ContentType": self.content_type,
            "ContentDisposition": "INLINE" if self.inline else "ATTACHMENT",
            "ContentTransferEncoding": "BASE64",
        }
        if self.content_id:
            item["ContentId"] = self.content_id
        return item


def _check_content_type(value: object) -> None:
    if not isinstance(value, str):
        raise ValidationError(
            f"content_type: expected a MIME type as str, got {type(value).__name__}",
            field="content_type",
            value=value,
        )
    _refuse_control(value, field="content_type", what="a MIME type")
    if len(value) > _MAX_CONTENT_TYPE or not _MIME_TYPE.fullmatch(value):
        raise ValidationError(
            f"content_type: {value!r} is not a MIME type (type/subtype with optional "
            f"'; name=value' parameters, at most {_MAX_CONTENT_TYPE} characters, e.g. "
            "'application/pdf')",
            field="content_type",
            value=value,
        )


@dataclass(frozen=True, slots=True)
class InlineTemplate:
    """Template content sent with each request, so nothing needs storing first.

    Uses SES's template syntax (`{{name}}`). At least one of `html` and `text`.

    Examples:
        >>> tpl = InlineTemplate("Hello {{name}}", text="Hi {{name}}, welcome!")
        >>> sender.send_bulk(["a@example.com"], tpl, default_data={"name": "friend"})
        BulkReport(total=1, sent=1, failed=0, skipped=0, repeats=0, ambiguous=0, unsent=0, rate=...)
        >>> fake.outbox[-1].subject
        'Hello friend'
    """

    subject: str
    html: str | None = None
    text: str | None = None

    def __post_init__(self) -> None:
        subject_text(self.subject)
        if not (self.html or self.text):
            raise ValidationError("html: a template needs html or text (or both)", field="html")
        size = sum(len((s or "").encode("utf-8")) for s in (self.subject, self.html, self.text))
        if size > 500 * 1024:
            raise ValidationError(
                f"html: the template is {size} bytes; SES allows 500 KB", field="html"
            )

    def _to_ses(self) -> dict[str, str]:
        content = {"Subject": self.subject}
        if self.html:
            content["Html"] = self.html
        if self.text:
            content["Text"] = self.text
        return content


@dataclass(frozen=True, slots=True)
class Recipient:
    """One recipient of a bulk send, with their own template data, message tags and
    headers.

    Attributes:
        address: the recipient's address.
        data: template variables, merged over the run's `default_data`.
        message_tags: message tags `{name: value}` for this recipient's message.
        headers: custom headers for this recipient's message (e.g. `List-Unsubscribe`).

    Examples:
        >>> ann = Recipient("ann@example.com", data={"name": "Ann"}, message_tags={"tier": "vip"})
        >>> ann.message_tags
        {'tier': 'vip'}
    """

    address: str
    data: Mapping[str, Any] | None = None
    message_tags: Mapping[str, str] | None = None
    headers: Mapping[str, str] | None = None


def format_from(value: object, *, field: str = "from_address") -> str:
    """Check a sender (`addr` or `Name <addr>`); return it as SES wants it."""
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(f"{field}: a sender address is required", field=field, value=value)
    # Before parseaddr, which would silently drop what follows a line break.
    _refuse_control(value, field=field, what="the sender (display name and address)")
    name, address = parseaddr(value)
    address = address or value
    address = validate_address(address, field=field)
    if not name:
        return address
    if name.isascii():
        return formataddr((name, address))
    # SES wants a non-ASCII display name MIME-encoded (RFC 2047), on one line.
    return f"{_encoded_words(name)} <{address}>"


def address_list(value: object, *, field: str, allow_empty: bool = True) -> list[str]:
    """Validate `value` (one address or an iterable of them) into a list."""
    items: list[object]
    if value is None:
        items = []
    elif isinstance(value, str):
        items = [value]
    elif isinstance(value, Iterable):
        items = list(value)
    else:
        raise ValidationError(
            f"{field}: expected an address or a list of addresses, got {type(value).__name__}",
            field=field,
            value=value,
        )
    if not items and not allow_empty:
        raise ValidationError(f"{field}: at least one address is required", field=field)
    return [validate_address(item, field=f"{field}[{i}]") for i, item in enumerate(items)]


def header_list(value: Mapping[str, str] | None, *, field: str = "headers") -> list[dict[str, str]]:
    """Validate custom headers into SES's `[{"Name", "Value"}]` list.

    A non-ASCII value is sent as RFC 2047 encoded-words (SES takes printable ASCII
    only); a value must be one line, without control characters, and at most
    `MAX_HEADER_VALUE` characters once encoded.
    """
    if not value:
        return []
    if not isinstance(value, Mapping):
        raise ValidationError(
            f"{field}: expected a mapping of header names to values", field=field, value=value
        )
    if len(value) > MAX_HEADERS:
        raise ValidationError(
            f"{field}: {len(value)} headers; SES allows at most {MAX_HEADERS} per message",
            field=field,
        )
    headers = []
    for name, header_value in value.items():
        if not isinstance(name, str) or not _HEADER_NAME.match(name):
            raise ValidationError(
                f"{field}: {name!r} is not a valid header name", field=f"{field}[{name!r}]"
            )
        where = f"{field}[{name!r}]"
        if not isinstance(header_value, str) or "\r" in header_value or "\n" in header_value:
            raise ValidationError(
                f"{where}: the value must be a str without line breaks", field=where
            )
        control = CONTROL_CHARACTER.search(header_value)
        if control:
            raise ValidationError(
                f"{where}: the value contains a control character ({control.group()!r} at "
                f"position {control.start()}); SES accepts printable characters only",
                field=where,
            )
        if not header_value:
            raise ValidationError(f"{where}: the value is empty", field=where)
        ascii_value = header_value.isascii()
        encoded = header_value if ascii_value else _encoded_words(header_value)
        if "\r" in encoded or "\n" in encoded:  # pragma: no cover - _encoded_words joins folds
            raise ValidationError(f"{where}: the encoded value has a line break", field=where)
        if len(encoded) > MAX_HEADER_VALUE:
            how = "" if ascii_value else " once RFC 2047-encoded"
            raise ValidationError(
                f"{where}: the value is {len(encoded)} characters{how}; SES allows "
                f"{MAX_HEADER_VALUE}",
                field=where,
            )
        headers.append({"Name": name, "Value": encoded})
    return headers


def tag_list(
    value: Mapping[str, str] | None, *, field: str = "message_tags"
) -> list[dict[str, str]]:
    """Validate message tags into SES's `[{"Name", "Value"}]` list."""
    if not value:
        return []
    if not isinstance(value, Mapping):
        raise ValidationError(f"{field}: expected a mapping of tag names to values", field=field)
    tags = []
    for name, tag_value in value.items():
        for part, what in ((name, "name"), (tag_value, "value")):
            if not isinstance(part, str) or not _TAG.match(part):
                raise ValidationError(
                    f"{field}[{name!r}]: tag {what} {part!r} must be 1-256 ASCII letters, "
                    "digits, '_' or '-'",
                    field=f"{field}[{name!r}]",
                    value=part,
                )
        tags.append({"Name": name, "Value": tag_value})
    return tags


def template_data(value: object, *, field: str = "data") -> str:
    """Serialise template data to the JSON object string SES wants."""
    if value is None:
        return "{}"
    if not isinstance(value, Mapping):
        raise ValidationError(
            f"{field}: template data must be a mapping (a JSON object), got {type(value).__name__}",
            field=field,
        )
    try:
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    except RecursionError:
        raise ValidationError(
            f"{field}: template data is nested too deeply to serialise", field=field
        ) from None
    except (TypeError, ValueError) as exc:
        raise ValidationError(f"{field}: not JSON-serialisable: {exc}", field=field) from None
    if len(text) > MAX_TEMPLATE_DATA:
        raise ValidationError(
            f"{field}: {len(text)} characters of template data; SES allows {MAX_TEMPLATE_DATA}",
            field=field,
        )
    return text


def template_content(template: object) -> dict[str, Any]:
    """A template argument (a stored template's name, or an `InlineTemplate`) as SES's
    `Template` content: `TemplateName`, or `TemplateContent` sent inline."""
    if isinstance(template, InlineTemplate):
        return {"TemplateContent": template._to_ses()}
    if isinstance(template, str):
        return {"TemplateName": validate_name(template, field="template")}
    raise ValidationError(
        f"template: expected a template name or an InlineTemplate, got {type(template).__name__}",
        field="template",
    )
