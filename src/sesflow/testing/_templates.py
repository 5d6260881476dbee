"""Email templates: stored, listed, and rendered as SES renders them.

Names and sizes are validated as SES does (at most 64 letters, digits, `-` and `_`; at most
500 KB; a subject is required; 10,000 per region). Rendering uses the Handlebars subset of
`sesflow.testing._render`. `TestRenderEmailTemplate` answers a MIME message with the
rendered subject and text/HTML parts, or `BadRequestException` naming the first variable the
data lacks, as SES does.
"""

from __future__ import annotations

import copy
import datetime as dt
import email.policy
import email.utils
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

from sesflow.testing._context import Context
from sesflow.testing._fake import FakeError, Handlers, operation
from sesflow.testing._paging import paginate
from sesflow.testing._render import TemplateRenderError, TemplateSyntaxError, check, render

__all__ = [
    "TemplateContent",
    "TemplateHandlers",
    "TemplateStore",
    "parse_template_data",
    "validate_template_content",
]

_TEMPLATE_NAME = re.compile(r"[A-Za-z0-9_-]{1,64}\Z")
_MAX_TEMPLATE_BYTES = 500 * 1024
_MAX_TEMPLATES = 10_000
_MAX_TEMPLATE_DATA = 262_144
_TEMPLATE_ARN = re.compile(r"arn:aws[\w-]*:ses:[\w-]*:\d*:template/(?P<name>.+)\Z")


@dataclass(frozen=True)
class TemplateContent:
    """Subject and parts of a template, stored or sent inline."""

    subject: str | None
    text: str | None
    html: str | None

    @classmethod
    def from_params(cls, content: Mapping[str, Any]) -> TemplateContent:
        return cls(content.get("Subject"), content.get("Text"), content.get("Html"))

    def to_params(self) -> dict[str, str]:
        parts = {"Subject": self.subject, "Text": self.text, "Html": self.html}
        return {key: value for key, value in parts.items() if value is not None}

    def render(self, data: Mapping[str, Any]) -> tuple[str, str | None, str | None]:
        """Return the rendered (subject, text, html); raises `TemplateRenderError`."""
        subject = render(self.subject or "", data, html=False)
        text = None if self.text is None else render(self.text, data, html=False)
        html = None if self.html is None else render(self.html, data, html=True)
        return subject, text, html


@dataclass
class _StoredTemplate:
    content: TemplateContent
    created: dt.datetime
    tags: list[dict[str, str]] = field(default_factory=list)


def validate_template_content(content: Mapping[str, Any]) -> TemplateContent:
    """Check template content as SES does and return it; raises `FakeError`."""
    parsed = TemplateContent.from_params(content)
    if not parsed.subject:
        raise FakeError("BadRequestException", "The template subject is required.")
    size = sum(len(part.encode("utf-8")) for part in parsed.to_params().values())
    if size > _MAX_TEMPLATE_BYTES:
        raise FakeError(
            "BadRequestException",
            f"The template is {size} bytes; templates may be at most {_MAX_TEMPLATE_BYTES}.",
        )
    for part in parsed.to_params().values():
        try:
            check(part)
        except TemplateSyntaxError as exc:
            raise FakeError("BadRequestException", f"The template is not valid: {exc}") from None
    return parsed


def parse_template_data(text: str | None) -> dict[str, Any]:
    """Decode `TemplateData`: a JSON object (absent means `{}`); raises `FakeError`."""
    if text is None:
        return {}
    if len(text) > _MAX_TEMPLATE_DATA:
        raise FakeError(
            "BadRequestException",
            f"The template data is {len(text)} characters; the limit is {_MAX_TEMPLATE_DATA}.",
        )
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise FakeError(
            "BadRequestException", "The template data is invalid: it must be a JSON object."
        )
    return data


class TemplateStore:
    """The stored email templates, and how a send's `Template` member finds its content.

    Examples:
        >>> templates = TemplateStore(Context("us-east-1", "123456789012", clock, clock, seed=7))
        >>> name, content = templates.resolve({"TemplateContent": {"Subject": "Hi {{name}}"}})
        >>> name, content.subject
        (None, 'Hi {{name}}')
    """

    def __init__(self, context: Context) -> None:
        self._context = context
        # Owned here; the template handlers below add, edit and remove entries.
        self.templates: dict[str, tuple[int, _StoredTemplate]] = {}

    def __len__(self) -> int:
        return len(self.templates)

    def add(self, name: str, stored: _StoredTemplate) -> None:
        """Keep a new template, numbered after every resource so far."""
        self.templates[name] = (self._context.sequence.next(), stored)

    def get(self, name: str) -> _StoredTemplate:
        """Template `name`; `NotFoundException` if missing."""
        entry = self.templates.get(name)
        if entry is None:
            raise FakeError("NotFoundException", f"Template {name} does not exist.")
        return entry[1]

    def resolve(self, template: Mapping[str, Any]) -> tuple[str | None, TemplateContent]:
        """Return `(stored name or None, content)` for a send's `Template` member."""
        given = [
            key for key in ("TemplateName", "TemplateArn", "TemplateContent") if key in template
        ]
        if len(given) != 1:
            raise FakeError(
                "BadRequestException",
                "Give exactly one of TemplateName, TemplateArn and TemplateContent.",
            )
        if "TemplateContent" in template:
            return None, validate_template_content(template["TemplateContent"])
        name = template.get("TemplateName")
        if name is None:
            match = _TEMPLATE_ARN.match(template["TemplateArn"])
            if match is None:
                raise FakeError("BadRequestException", "The TemplateArn is not valid.")
            name = match["name"]
        return name, self.get(name).content


class TemplateHandlers(Handlers):
    """Template operations; `TestRenderEmailTemplate` dates its MIME message by the clock."""

    def __init__(self, templates: TemplateStore, context: Context) -> None:
        self._templates = templates
        self._context = context

    # --- operations ----------------------------------------------------------------------

    @operation("CreateEmailTemplate")
    def _create_email_template(self, params: Mapping[str, Any]) -> None:
        name = params["TemplateName"]
        if not _TEMPLATE_NAME.match(name):
            raise FakeError(
                "BadRequestException",
                f"Invalid template name <{name}>: use at most 64 letters, digits, underscores "
                "and dashes.",
            )
        content = validate_template_content(params["TemplateContent"])
        if name in self._templates.templates:
            raise FakeError("AlreadyExistsException", f"Template {name} already exists.")
        if len(self._templates) >= _MAX_TEMPLATES:
            raise FakeError(
                "LimitExceededException", f"The limit of {_MAX_TEMPLATES} templates is reached."
            )
        stored = _StoredTemplate(
            content, self._context.wall_now(), copy.deepcopy(params.get("Tags", []))
        )
        self._templates.add(name, stored)

    @operation("GetEmailTemplate")
    def _get_email_template(self, params: Mapping[str, Any]) -> dict[str, Any]:
        name = params["TemplateName"]
        stored = self._templates.get(name)
        return {
            "TemplateName": name,
            "TemplateContent": stored.content.to_params(),
            "Tags": copy.deepcopy(stored.tags),
        }

    @operation("UpdateEmailTemplate")
    def _update_email_template(self, params: Mapping[str, Any]) -> None:
        stored = self._templates.get(params["TemplateName"])
        stored.content = validate_template_content(params["TemplateContent"])

    @operation("DeleteEmailTemplate")
    def _delete_email_template(self, params: Mapping[str, Any]) -> None:
        name = params["TemplateName"]
        self._templates.get(name)
        del self._templates.templates[name]

    @operation("ListEmailTemplates")
    def _list_email_templates(self, params: Mapping[str, Any]) -> dict[str, Any]:
        items = [
            (sequence, {"TemplateName": name, "CreatedTimestamp": stored.created})
            for name, (sequence, stored) in self._templates.templates.items()
        ]
        page, token = paginate("templates", items, params)
        return {"TemplatesMetadata": page, "NextToken": token}

    @operation("TestRenderEmailTemplate")
    def _test_render_email_template(self, params: Mapping[str, Any]) -> dict[str, Any]:
        stored = self._templates.get(params["TemplateName"])
        data = parse_template_data(params["TemplateData"])
        try:
            subject, text, html = stored.content.render(data)
        except TemplateRenderError as exc:
            raise FakeError("BadRequestException", str(exc)) from None
        return {"RenderedTemplate": self._mime(subject, text, html)}

    def _mime(self, subject: str, text: str | None, html: str | None) -> str:
        message = EmailMessage(policy=email.policy.SMTPUTF8)
        message["Date"] = email.utils.format_datetime(self._context.wall_now())
        message["Subject"] = subject
        parts = [(body, subtype) for body, subtype in ((text, "plain"), (html, "html")) if body]
        if not parts:
            message.set_content("", cte="7bit")
        for i, (body, subtype) in enumerate(parts):
            # 8bit keeps the rendered text readable in the answer, as SES's own rendering is.
            cte = "7bit" if body.isascii() else "8bit"
            if i == 0:
                message.set_content(body, subtype=subtype, cte=cte)
            else:
                message.add_alternative(body, subtype=subtype, cte=cte)
        for part in message.iter_parts():
            # add_alternative makes each part a whole message; only the top carries this.
            del part["MIME-Version"]
        return message.as_string()
