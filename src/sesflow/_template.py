"""Stored email templates: create (or update), refresh, render, delete."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self

from ._errors import AlreadyExistsError, BadRequestError, NotFoundError, ValidationError
from ._logging import logger
from ._message import InlineTemplate, template_data
from ._resource import NamedResource

__all__ = ["Template"]


class Template(NamedResource):
    """A stored email template (SES syntax: `{{name}}`).

    Get one from `ses.template(name)`; nothing is sent to AWS until a verb is called.
    Its verbs are every resource's: `create()`, `refresh()`, `exists()`, `delete()`.
    A template's content is what it is for, so `create()` makes the stored template hold
    the content given, creating it or updating it (see the API conventions page).

    Examples:
        >>> tpl = ses.template("welcome").create(
        ...     "Welcome, {{name}}!", html="<p>Hi {{name}}</p>", text="Hi {{name}}")
        >>> "Welcome, Ann!" in tpl.render({"name": "Ann"})
        True
        >>> ses.sender("news@example.com").send_template(
        ...     "ann@example.com", "welcome", data={"name": "Ann"})
        SendResult(message_id='...')
    """

    _content: InlineTemplate | None = None

    def create(self, subject: str, *, html: str | None = None, text: str | None = None) -> Self:
        """Store the template with this content: create it, or update it if it exists.

        Idempotent: calling it again with the same content changes nothing.

        Raises:
            ValidationError: no subject, neither html nor text, or over 500 KB.

        Examples:
            >>> ses.template("welcome").create("Welcome, {{name}}!", text="Hi {{name}}")
            Template('welcome')
        """
        inline = InlineTemplate(subject, html=html, text=text)
        content = inline._to_ses()
        try:
            self._ses._call("CreateEmailTemplate", TemplateName=self._name, TemplateContent=content)
            logger.info("created template %s", self._name)
        except AlreadyExistsError:
            self._ses._call("UpdateEmailTemplate", TemplateName=self._name, TemplateContent=content)
            logger.info("updated template %s", self._name)
        self._content = inline
        return self

    def refresh(self) -> Self:
        """Load the stored content (`GetEmailTemplate`).

        Raises:
            NotFoundError: no such template.

        Examples:
            >>> ses.template("welcome").refresh().content.subject
            'Welcome, {{name}}!'
        """
        response = self._ses._call("GetEmailTemplate", TemplateName=self._name)
        content: Mapping[str, Any] = response.get("TemplateContent") or {}
        self._content = InlineTemplate(
            str(content.get("Subject") or ""), html=content.get("Html"), text=content.get("Text")
        )
        return self

    @property
    def content(self) -> InlineTemplate:
        """The content as of the last `create()` or `refresh()` (loaded on first use).

        Raises:
            NotFoundError: no such template.

        Examples:
            >>> ses.template("welcome").content.text
            'Hi {{name}}'
        """
        if self._content is None:
            self.refresh()
        assert self._content is not None
        return self._content

    def render(self, data: Mapping[str, Any] | None = None) -> str:
        """Render with `data` on SES (`TestRenderEmailTemplate`); return the MIME text.

        Raises:
            ValidationError: SES could not render it, e.g. a variable missing from
                `data` (the message names it).
            NotFoundError: no such template.

        Examples:
            >>> "Welcome, Ann!" in ses.template("welcome").render({"name": "Ann"})
            True
        """
        payload = template_data(data)
        try:
            response = self._ses._call(
                "TestRenderEmailTemplate", TemplateName=self._name, TemplateData=payload
            )
        except BadRequestError as exc:
            raise ValidationError(
                f"data: SES could not render {self._name!r}: {exc.message}", field="data"
            ) from exc
        return str(response["RenderedTemplate"])

    def exists(self) -> bool:
        """Whether the template is stored.

        Examples:
            >>> ses.template("nope").exists()
            False
        """
        try:
            self._ses._call("GetEmailTemplate", TemplateName=self._name)
        except NotFoundError:
            return False
        return True

    def delete(self) -> None:
        """Delete the template. Idempotent.

        Examples:
            >>> ses.template("welcome").delete()
        """
        try:
            self._ses._call("DeleteEmailTemplate", TemplateName=self._name)
        except NotFoundError:
            return
        finally:
            self._content = None
        logger.info("deleted template %s", self._name)
