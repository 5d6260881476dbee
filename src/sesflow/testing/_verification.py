"""Custom verification email templates, and `SendCustomVerificationEmail`.

Templates are checked as SES checks them (SES Developer Guide, custom verification email FAQ):
at most 50 per region; a name of at most 64 letters, digits, `-` and `_`; a sender that is
a verified identity (or on a verified domain); a subject; content under 10 MB whose HTML
uses only the tags and attributes SES lists, and no comments; success and failure URLs.

`SendCustomVerificationEmail` sends one as SES would: refused while the account is in the
sandbox (custom verification emails need production access; the fake answers
`MessageRejected`), while sending is paused (`SendingPausedException`, the account's or the
configuration set's), or when the template's sender is no longer verified. It creates the
address's identity (`PENDING`, or `SUCCESS` under `auto_verify`) if it does not exist, counts
one recipient against the quotas, and puts the email, with SES's link and disclaimer appended,
in the outbox (`operation="SendCustomVerificationEmail"`).
"""

from __future__ import annotations

import copy
import datetime as dt
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

from sesflow.testing._account import AccountStore
from sesflow.testing._configuration_sets import ConfigurationSetStore
from sesflow.testing._context import Context
from sesflow.testing._fake import FakeError, Handlers, operation
from sesflow.testing._faults import THROTTLE_MESSAGE
from sesflow.testing._identities import IdentityStore, is_email_address
from sesflow.testing._outbox import FakeMessage, Outbox, address_key
from sesflow.testing._paging import paginate

__all__ = ["VerificationHandlers", "VerificationTemplateStore"]

MAX_TEMPLATES = 50
MAX_CONTENT_BYTES = 10 * 1024 * 1024
MAX_PAGE_SIZE = 50
_NAME = re.compile(r"[A-Za-z0-9_-]{1,64}\Z")
_URL = re.compile(r"https?://\S+\Z", re.IGNORECASE)
_COMMON = frozenset({"class", "id", "style", "title"})
_EXTRA: dict[str, frozenset[str]] = {
    "blockquote": frozenset({"cite"}),
    "col": frozenset({"span", "width"}),
    "colgroup": frozenset({"span", "width"}),
    "img": frozenset({"align", "alt", "height", "src", "width"}),
    "ol": frozenset({"start", "type"}),
    "q": frozenset({"cite"}),
    "table": frozenset({"summary", "width"}),
    "td": frozenset({"abbr", "axis", "colspan", "rowspan", "width"}),
    "th": frozenset({"abbr", "axis", "colspan", "rowspan", "scope", "width"}),
    "ul": frozenset({"type"}),
}
_TAGS = frozenset(
    {
        *("abbr", "acronym", "address", "area", "b", "bdo", "big", "blockquote", "body"),
        *("br", "button", "caption", "center", "cite", "code", "col", "colgroup", "dd"),
        *("del", "dfn", "dir", "div", "dl", "dt", "em", "fieldset", "font", "form"),
        *("h1", "h2", "h3", "h4", "h5", "h6", "head", "hr", "html", "i", "img", "input"),
        *("ins", "kbd", "label", "legend", "li", "map", "menu", "ol", "optgroup"),
        *("option", "p", "pre", "q", "s", "samp", "select", "small", "span", "strike"),
        *("strong", "sub", "sup", "table", "tbody", "td", "textarea", "tfoot", "th"),
        *("thead", "tr", "tt", "u", "ul", "var"),
    }
)
#: What SES appends to every custom verification email (it cannot be removed).
DISCLAIMER = (
    "If you did not request to verify this email address, please disregard this message. "
    "If you have any concerns, please forward this message to the following email address "
    "along with your questions or comments: aws-email-domain-verification@amazon.com"
)


class _Html(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problem: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.problem is not None:
            return
        if tag not in _TAGS:
            self.problem = f"the tag <{tag}> is not allowed"
            return
        for name, _ in attrs:
            if name not in _COMMON | _EXTRA.get(tag, frozenset()):
                self.problem = f"the attribute {name} is not allowed on <{tag}>"
                return

    def handle_comment(self, data: str) -> None:
        self.problem = self.problem or "comments are not allowed"


@dataclass
class _StoredTemplate:
    from_address: str
    subject: str
    content: str
    success_url: str
    failure_url: str
    created: dt.datetime
    tags: list[dict[str, str]] = field(default_factory=list)

    def summary(self, name: str) -> dict[str, Any]:
        return {
            "TemplateName": name,
            "FromEmailAddress": self.from_address,
            "TemplateSubject": self.subject,
            "SuccessRedirectionURL": self.success_url,
            "FailureRedirectionURL": self.failure_url,
        }


class VerificationTemplateStore:
    """The custom verification email templates, numbered in the fake's resource sequence."""

    def __init__(self, context: Context) -> None:
        self._context = context
        self.templates: dict[str, tuple[int, _StoredTemplate]] = {}

    def get(self, name: str) -> _StoredTemplate:
        """Template `name`; `NotFoundException` if missing."""
        entry = self.templates.get(name)
        if entry is None:
            raise FakeError(
                "NotFoundException", f"Custom verification email template {name} does not exist."
            )
        return entry[1]


class VerificationHandlers(Handlers):
    """The custom verification template operations and `SendCustomVerificationEmail`."""

    def __init__(
        self,
        context: Context,
        *,
        templates: VerificationTemplateStore,
        identities: IdentityStore,
        configuration_sets: ConfigurationSetStore,
        account: AccountStore,
        outbox: Outbox,
    ) -> None:
        self._context = context
        self._templates = templates
        self._identities = identities
        self._configuration_sets = configuration_sets
        self._account = account
        self._outbox = outbox
        self._ids = context.generator("verification-message-ids")

    # --- checks ---------------------------------------------------------------------------

    def _checked(self, params: Mapping[str, Any]) -> dict[str, str]:
        sender = params["FromEmailAddress"]
        bare = _bare(sender)
        if not is_email_address(bare):
            raise FakeError("BadRequestException", f"Invalid FromEmailAddress <{sender}>.")
        if self._identities.verified(bare) is None:
            raise FakeError(
                "BadRequestException",
                f"The FromEmailAddress {bare} is not verified in {self._context.region}; "
                "verify it (or its domain) first.",
            )
        subject = params["TemplateSubject"]
        if not subject.strip():
            raise FakeError("BadRequestException", "The TemplateSubject is required.")
        content = params["TemplateContent"]
        size = len(content.encode("utf-8"))
        if not content.strip() or size >= MAX_CONTENT_BYTES:
            raise FakeError(
                "BadRequestException",
                f"The TemplateContent is {size} bytes; it must be non-empty and under 10 MB.",
            )
        checker = _Html()
        checker.feed(content)
        checker.close()
        if checker.problem is not None:
            raise FakeError(
                "BadRequestException",
                f"The TemplateContent is not valid for a custom verification email: "
                f"{checker.problem}.",
            )
        for key in ("SuccessRedirectionURL", "FailureRedirectionURL"):
            if not _URL.match(params[key]):
                raise FakeError("BadRequestException", f"Invalid {key} <{params[key]}>.")
        return {
            "from_address": sender,
            "subject": subject,
            "content": content,
            "success_url": params["SuccessRedirectionURL"],
            "failure_url": params["FailureRedirectionURL"],
        }

    # --- operations -----------------------------------------------------------------------

    @operation("CreateCustomVerificationEmailTemplate")
    def _create(self, params: Mapping[str, Any]) -> None:
        name = params["TemplateName"]
        if not _NAME.match(name):
            raise FakeError(
                "BadRequestException",
                f"Invalid template name <{name}>: use at most 64 letters, digits, underscores "
                "and dashes.",
            )
        fields = self._checked(params)
        if name in self._templates.templates:
            raise FakeError(
                "AlreadyExistsException",
                f"Custom verification email template {name} already exists.",
            )
        if len(self._templates.templates) >= MAX_TEMPLATES:
            raise FakeError(
                "LimitExceededException",
                f"The limit of {MAX_TEMPLATES} custom verification email templates is reached.",
            )
        stored = _StoredTemplate(
            **fields,
            created=self._context.wall_now(),
            tags=copy.deepcopy(list(params.get("Tags") or [])),
        )
        self._templates.templates[name] = (self._context.sequence.next(), stored)

    @operation("GetCustomVerificationEmailTemplate")
    def _get(self, params: Mapping[str, Any]) -> dict[str, Any]:
        name = params["TemplateName"]
        stored = self._templates.get(name)
        return {
            **stored.summary(name),
            "TemplateContent": stored.content,
            "Tags": copy.deepcopy(stored.tags),
        }

    @operation("UpdateCustomVerificationEmailTemplate")
    def _update(self, params: Mapping[str, Any]) -> None:
        stored = self._templates.get(params["TemplateName"])
        for key, value in self._checked(params).items():
            setattr(stored, key, value)

    @operation("DeleteCustomVerificationEmailTemplate")
    def _delete(self, params: Mapping[str, Any]) -> None:
        name = params["TemplateName"]
        self._templates.get(name)
        del self._templates.templates[name]

    @operation("ListCustomVerificationEmailTemplates")
    def _list(self, params: Mapping[str, Any]) -> dict[str, Any]:
        size = params.get("PageSize", MAX_PAGE_SIZE)
        if not 1 <= size <= MAX_PAGE_SIZE:
            raise FakeError(
                "BadRequestException", f"PageSize must be between 1 and {MAX_PAGE_SIZE}."
            )
        items = [
            (sequence, stored.summary(name))
            for name, (sequence, stored) in self._templates.templates.items()
        ]
        page, token = paginate("custom-verification-templates", items, {**params, "PageSize": size})
        return {"CustomVerificationEmailTemplates": page, "NextToken": token}

    @operation("SendCustomVerificationEmail")
    def _send(self, params: Mapping[str, Any]) -> dict[str, Any]:
        account = self._account.account
        if account.suspended:
            raise FakeError(
                "AccountSuspendedException",
                "The message can't be sent because the account has been suspended.",
            )
        if not account.sending_enabled:
            raise FakeError(
                "SendingPausedException",
                "The message can't be sent because the account's ability to send email is "
                "currently paused.",
            )
        address = params["EmailAddress"]
        if not is_email_address(address):
            raise FakeError("BadRequestException", f"Invalid email address <{address}>.")
        template = self._templates.get(params["TemplateName"])
        configuration_set = params.get("ConfigurationSetName")
        if configuration_set is not None and not self._configuration_sets.sending_enabled(
            configuration_set
        ):
            raise FakeError(
                "SendingPausedException",
                f"Sending is paused for configuration set <{configuration_set}>.",
            )
        if account.in_sandbox:
            raise FakeError(
                "MessageRejected",
                "Production access not granted: custom verification emails can be sent only "
                "from an account out of the sandbox.",
            )
        sender = _bare(template.from_address)
        if self._identities.verified(sender) is None:
            raise FakeError(
                "MessageRejected",
                "Email address is not verified. The following identities failed the check in "
                f"region {self._context.region.upper()}: {sender}",
            )
        if self._account.daily_room() < 1:
            raise FakeError("LimitExceededException", "Daily message quota exceeded.")
        now = self._context.clock()
        if self._account.window.used(now) + 1 > account.max_send_rate:
            raise FakeError("TooManyRequestsException", THROTTLE_MESSAGE, 429)
        if self._identities.lookup(address) is None:
            self._identities.create({"EmailIdentity": address})
        self._account.window.add(now, 1)
        self._account.count_sent(1)
        message_id = self._message_id()
        link = (
            f"https://email-verification.{self._context.region}.amazonaws.com/"
            f"?Context={self._context.account_id}&Identity.IdentityName={address}"
            f"&Namespace=SES&Signature={uuid.UUID(int=self._ids.getrandbits(128)).hex}"
        )
        message = FakeMessage(
            message_id=message_id,
            operation="SendCustomVerificationEmail",
            from_address=template.from_address,
            to=(address,),
            subject=template.subject,
            html=f'{template.content}\n<p><a href="{link}">{link}</a></p>\n<p>{DISCLAIMER}</p>',
            configuration_set=configuration_set,
            arrived=now,
            wall_time=self._context.wall_clock(),
        )
        self._outbox.record((address_key(address),), arrived=now, delivered=True, message=message)
        return {"MessageId": message_id}

    def _message_id(self) -> str:
        millis = int(self._context.wall_clock() * 1000)
        random_part = uuid.UUID(int=self._ids.getrandbits(128), version=4)
        return f"0100{millis:012x}-{random_part}-000000"


def _bare(address: str) -> str:
    import email.utils

    bare = email.utils.parseaddr(address)[1] or address
    local, _, domain = bare.rpartition("@")
    return f"{local}@{domain.lower()}"
