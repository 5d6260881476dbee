"""Custom verification emails: your branding and redirect URLs on SES's verification link.

A custom verification email template holds the sender, subject and HTML that SES sends when an
application verifies one of its users' addresses (`SendCustomVerificationEmail`); SES appends
the verification link and a short disclaimer. The user's click lands on the template's success
(or failure) URL. SES's rules, checked here before any call: at most 50 templates per region;
content under 10 MB, whose HTML may use only the tags and attributes SES lists (no comments);
success and failure URLs. Sending one needs production access (not the sandbox).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from html.parser import HTMLParser
from typing import TYPE_CHECKING, Any, Self

from ._errors import AlreadyExistsError, MessageRejectedError, NotFoundError, ValidationError
from ._logging import logger, mask
from ._message import SendResult, format_from, subject_text
from ._paging import pages
from ._resource import NamedResource
from ._validate import validate_address, validate_name, validate_tags

if TYPE_CHECKING:
    from ._ses import SES

__all__ = [
    "MAX_VERIFICATION_CONTENT",
    "MAX_VERIFICATION_TEMPLATES",
    "VerificationTemplate",
    "check_verification_html",
    "list_verification_templates",
    "send_verification",
]

#: Custom verification email templates SES keeps per region.
MAX_VERIFICATION_TEMPLATES = 50
#: A template's content must be smaller than this (10 MB).
MAX_VERIFICATION_CONTENT = 10 * 1024 * 1024

_URL = re.compile(r"^https?://[^\s/?#]+\.[^\s/?#]+(?:[/?#]\S*)?\Z", re.IGNORECASE)
_COMMON = frozenset({"class", "id", "style", "title"})
# The HTML tags SES allows in custom verification emails, and their attributes beyond
# class, id, style and title (SES Developer Guide, custom verification email FAQ, Q5).
_EXTRA_ATTRIBUTES: dict[str, frozenset[str]] = {
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
        "abbr",
        "acronym",
        "address",
        "area",
        "b",
        "bdo",
        "big",
        "blockquote",
        "body",
        "br",
        "button",
        "caption",
        "center",
        "cite",
        "code",
        "col",
        "colgroup",
        "dd",
        "del",
        "dfn",
        "dir",
        "div",
        "dl",
        "dt",
        "em",
        "fieldset",
        "font",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "head",
        "hr",
        "html",
        "i",
        "img",
        "input",
        "ins",
        "kbd",
        "label",
        "legend",
        "li",
        "map",
        "menu",
        "ol",
        "optgroup",
        "option",
        "p",
        "pre",
        "q",
        "s",
        "samp",
        "select",
        "small",
        "span",
        "strike",
        "strong",
        "sub",
        "sup",
        "table",
        "tbody",
        "td",
        "textarea",
        "tfoot",
        "th",
        "thead",
        "tr",
        "tt",
        "u",
        "ul",
        "var",
    }
)


class _Checker(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problem: str | None = None

    def _refuse(self, problem: str) -> None:
        if self.problem is None:
            self.problem = problem

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _TAGS:
            self._refuse(f"the tag <{tag}> is not allowed")
            return
        allowed = _COMMON | _EXTRA_ATTRIBUTES.get(tag, frozenset())
        for name, _ in attrs:
            if name not in allowed:
                self._refuse(f"the attribute {name!r} is not allowed on <{tag}>")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_comment(self, data: str) -> None:
        self._refuse("comments (<!-- ... -->) are not allowed")


def check_verification_html(content: str, *, field: str = "content") -> None:
    """Refuse content SES would refuse in a custom verification email (`ValidationError`).

    Examples:
        >>> check_verification_html("<p>Welcome! One click and you are in.</p>")
        >>> check_verification_html("<p>Hi</p><script>alert(1)</script>")
        Traceback (most recent call last):
        sesflow._errors.ValidationError: content: the tag <script> is not allowed in a \
custom verification email (SES allows a fixed list of tags and attributes; see the docs)
    """
    checker = _Checker()
    checker.feed(content)
    checker.close()
    if checker.problem is not None:
        raise ValidationError(
            f"{field}: {checker.problem} in a custom verification email (SES allows a fixed "
            "list of tags and attributes; see the docs)",
            field=field,
        )


def _url(value: object, field: str) -> str:
    if not isinstance(value, str) or not _URL.match(value):
        raise ValidationError(f"{field}: {value!r} is not an http(s) URL", field=field, value=value)
    return value


def _content(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValidationError("content: the email needs a body", field="content", value=value)
    size = len(value.encode("utf-8"))
    if size >= MAX_VERIFICATION_CONTENT:
        raise ValidationError(
            f"content: {size} bytes; SES wants custom verification emails under 10 MB",
            field="content",
        )
    check_verification_html(value)
    return value


class VerificationTemplate(NamedResource):
    """A custom verification email template: how your application's users are asked to
    confirm their addresses, with your sender, subject, HTML and landing pages.

    Get one from `ses.verification_template(name)`; nothing is sent to AWS until a verb is
    called. Its verbs are every resource's: `create()`, `refresh()`, `exists()`,
    `delete()`; `send(address)` sends it. A template's content is what it is for, so
    `create()` makes the stored template hold the content given, creating or updating it.

    Examples:
        >>> fake.verify("verify@example.com")
        >>> tpl = ses.verification_template("welcome-verify").create(
        ...     from_address="Example <verify@example.com>",
        ...     subject="Confirm your address",
        ...     content="<h1>Welcome!</h1><p>One click and you are in.</p>",
        ...     success_url="https://example.com/verified",
        ...     failure_url="https://example.com/verify-failed",
        ... )
        >>> tpl.send("new.user@example.org")
        SendResult(message_id='...')
        >>> fake.outbox[-1].subject
        'Confirm your address'
    """

    def __init__(self, ses: SES, name: str) -> None:
        super().__init__(ses, name)
        self._state: dict[str, Any] | None = None
        self._complete = False

    # Lifecycle

    def create(
        self,
        *,
        from_address: str,
        subject: str,
        content: str,
        success_url: str,
        failure_url: str,
        tags: Mapping[str, str] | None = None,
    ) -> Self:
        """Store the template with this content: create it, or update it if it exists.

        Idempotent: calling it again with the same content changes nothing.

        Args:
            from_address: the sender, `"verify@example.com"` or `"Example
                <verify@example.com>"`; it must be a verified identity (or on a verified
                domain).
            subject: the subject line.
            content: the body, HTML (SES's allowed tags and attributes only) or plain
                text; SES appends the verification link and a disclaimer.
            success_url: where the user lands after a successful click.
            failure_url: where the user lands when verification fails.
            tags: `{key: value}` tags for a new template.

        Raises:
            ValidationError: a bad address, subject, content or URL (no call made).
            LimitExceededError: the region has 50 templates already.
            BadRequestError: SES refused it, e.g. a sender that is not verified.

        Examples:
            >>> fake.verify("example.com")
            >>> ses.verification_template("welcome-verify").create(
            ...     from_address="verify@example.com", subject="Confirm your address",
            ...     content="<p>One click and you are in.</p>",
            ...     success_url="https://example.com/ok", failure_url="https://example.com/no")
            VerificationTemplate('welcome-verify')
        """
        fields: dict[str, Any] = {
            "FromEmailAddress": format_from(from_address),
            "TemplateSubject": subject_text(subject),
            "TemplateContent": _content(content),
            "SuccessRedirectionURL": _url(success_url, "success_url"),
            "FailureRedirectionURL": _url(failure_url, "failure_url"),
        }
        tag_list = validate_tags(tags)
        created: dict[str, Any] = {"TemplateName": self._name, **fields}
        if tag_list:
            created["Tags"] = tag_list
        try:
            self._ses._call("CreateCustomVerificationEmailTemplate", **created)
            logger.info("created verification template %s", self._name)
        except AlreadyExistsError:
            self._ses._call(
                "UpdateCustomVerificationEmailTemplate", TemplateName=self._name, **fields
            )
            logger.info("updated verification template %s", self._name)
        self._state = dict(fields)
        self._complete = False
        return self

    def refresh(self) -> Self:
        """Load the stored template (`GetCustomVerificationEmailTemplate`).

        Raises:
            NotFoundError: no such template.

        Examples:
            >>> fake.verify("example.com")
            >>> _ = ses.verification_template("welcome-verify").create(
            ...     from_address="verify@example.com", subject="Confirm your address",
            ...     content="<p>One click and you are in.</p>",
            ...     success_url="https://example.com/ok", failure_url="https://example.com/no")
            >>> ses.verification_template("welcome-verify").refresh().success_url
            'https://example.com/ok'
        """
        response = self._ses._call("GetCustomVerificationEmailTemplate", TemplateName=self._name)
        self._state = {k: v for k, v in response.items() if k != "ResponseMetadata"}
        self._complete = True
        return self

    def exists(self) -> bool:
        """Whether the template is stored.

        Examples:
            >>> ses.verification_template("nope").exists()
            False
        """
        try:
            self.refresh()
        except NotFoundError:
            return False
        return True

    def delete(self) -> None:
        """Delete the template. Idempotent.

        Examples:
            >>> ses.verification_template("welcome-verify").delete()
        """
        try:
            self._ses._call("DeleteCustomVerificationEmailTemplate", TemplateName=self._name)
        except NotFoundError:
            return
        finally:
            self._state = None
            self._complete = False
        logger.info("deleted verification template %s", self._name)

    def send(self, address: str, *, configuration_set: str | None = None) -> SendResult:
        """Send the verification email to `address` (`SendCustomVerificationEmail`).

        SES creates the email-address identity (if needed) and sends this template with a
        verification link; the identity turns `SUCCESS` when the user clicks it. Sending
        again sends a new link (links expire after 24 hours).

        Args:
            address: the address to verify.
            configuration_set: a configuration set for the verification email itself.

        Raises:
            ValidationError: a bad address or configuration set name (no call made).
            NotFoundError: no such template or configuration set.
            MessageRejectedError: SES refused: the account is in the sandbox (custom
                verification emails need production access), or the template's sender is
                not verified.
            SendingPausedError: sending is paused for the account or configuration set.

        Examples:
            >>> fake.verify("example.com")
            >>> tpl = ses.verification_template("welcome-verify").create(
            ...     from_address="verify@example.com", subject="Confirm your address",
            ...     content="<p>One click and you are in.</p>",
            ...     success_url="https://example.com/ok", failure_url="https://example.com/no")
            >>> tpl.send("new.user@example.org").message_id
            '...'
            >>> ses.identity("new.user@example.org").refresh().verification_status
            <VerificationStatus.PENDING: 'PENDING'>
        """
        return send_verification(
            self._ses,
            self._name,
            validate_address(address),
            configuration_set=configuration_set,
        )

    # State, as of the last create/refresh (loaded on first use)

    def _field(self, key: str) -> str | None:
        if self._state is None or (key not in self._state and not self._complete):
            self.refresh()
        assert self._state is not None
        value = self._state.get(key)
        return None if value is None else str(value)

    def _load_summary(self, item: Mapping[str, Any]) -> None:
        self._state = {k: v for k, v in item.items() if k != "TemplateName"}
        self._complete = False

    @property
    def from_address(self) -> str:
        """The sender.

        Examples:
            >>> fake.verify("example.com")
            >>> ses.verification_template("v").create(
            ...     from_address="verify@example.com", subject="Confirm",
            ...     content="<p>Hi</p>", success_url="https://example.com/ok",
            ...     failure_url="https://example.com/no").from_address
            'verify@example.com'
        """
        return self._field("FromEmailAddress") or ""

    @property
    def subject(self) -> str:
        """The subject line.

        Examples:
            >>> fake.verify("example.com")
            >>> ses.verification_template("v").create(
            ...     from_address="verify@example.com", subject="Confirm",
            ...     content="<p>Hi</p>", success_url="https://example.com/ok",
            ...     failure_url="https://example.com/no").subject
            'Confirm'
        """
        return self._field("TemplateSubject") or ""

    @property
    def content(self) -> str:
        """The body (HTML or text) SES puts above the link.

        Examples:
            >>> fake.verify("example.com")
            >>> ses.verification_template("v").create(
            ...     from_address="verify@example.com", subject="Confirm",
            ...     content="<p>Hi</p>", success_url="https://example.com/ok",
            ...     failure_url="https://example.com/no").content
            '<p>Hi</p>'
        """
        return self._field("TemplateContent") or ""

    @property
    def success_url(self) -> str:
        """Where the user lands after verifying.

        Examples:
            >>> fake.verify("example.com")
            >>> ses.verification_template("v").create(
            ...     from_address="verify@example.com", subject="Confirm",
            ...     content="<p>Hi</p>", success_url="https://example.com/ok",
            ...     failure_url="https://example.com/no").success_url
            'https://example.com/ok'
        """
        return self._field("SuccessRedirectionURL") or ""

    @property
    def failure_url(self) -> str:
        """Where the user lands when verification fails.

        Examples:
            >>> fake.verify("example.com")
            >>> ses.verification_template("v").create(
            ...     from_address="verify@example.com", subject="Confirm",
            ...     content="<p>Hi</p>", success_url="https://example.com/ok",
            ...     failure_url="https://example.com/no").failure_url
            'https://example.com/no'
        """
        return self._field("FailureRedirectionURL") or ""

    @property
    def tags(self) -> dict[str, str]:
        """The template's tags as `{key: value}` (loaded by `refresh()`).

        Examples:
            >>> fake.verify("example.com")
            >>> _ = ses.verification_template("v").create(
            ...     from_address="verify@example.com", subject="Confirm",
            ...     content="<p>Hi</p>", success_url="https://example.com/ok",
            ...     failure_url="https://example.com/no", tags={"team": "growth"})
            >>> ses.verification_template("v").refresh().tags
            {'team': 'growth'}
        """
        if not self._complete:
            self.refresh()
        assert self._state is not None
        return {t["Key"]: t["Value"] for t in self._state.get("Tags") or ()}


def send_verification(
    ses: SES, template: str, address: str, *, configuration_set: str | None
) -> SendResult:
    """`SendCustomVerificationEmail`, with SES's refusal explained."""
    params: dict[str, Any] = {"EmailAddress": address, "TemplateName": template}
    if configuration_set is not None:
        params["ConfigurationSetName"] = validate_name(configuration_set, field="configuration_set")
    try:
        response = ses._call("SendCustomVerificationEmail", **params)
    except MessageRejectedError as exc:
        if "production access" not in exc.message.lower() and "sandbox" not in exc.message.lower():
            raise
        raise exc.with_message(
            exc.message + " Custom verification emails need production access in "
            f"{ses.region}: ses.account().request_production_access(...); until then, "
            "ses.identity(address).create() sends SES's own verification email."
        ) from exc
    logger.info("sent verification template %s to %s", template, mask(address))
    return SendResult(str(response["MessageId"]))


def list_verification_templates(ses: SES, *, page_size: int) -> Iterator[VerificationTemplate]:
    """Every stored custom verification email template, page by page."""
    for item in pages(
        ses._lister("ListCustomVerificationEmailTemplates"),
        "CustomVerificationEmailTemplates",
        page_size=page_size,
    ):
        template = VerificationTemplate(ses, str(item["TemplateName"]))
        template._load_summary(item)
        yield template
