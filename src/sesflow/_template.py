"""Stored email templates: create or update, render, delete."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self

from ._errors import AlreadyExistsError, BadRequestError, NotFoundError, ValidationError
from ._logging import logger
from ._message import InlineTemplate, template_data
from ._resource import NamedResource

if TYPE_CHECKING:
    pass

__all__ = ["Template"]


class Template(NamedResource):
    """A stored email template (SES syntax: `{{name}}`).

    Get one from `ses.template(name)`; nothing is sent to AWS until a verb is called.

    Examples:
        >>> tpl = ses.template("welcome").put(
        ...     "Welcome, {{name}}!", html="<p>Hi {{name}}</p>", text="Hi {{name}}")
        >>> print(tpl.render({"name": "Ann"}))
        >>> ses.sender("news@example.com").send_template("welcome", "ann@example.com",
        ...                                              {"name": "Ann"})
    """

    def put(self, subject: str, html: str | None = None, text: str | None = None) -> Self:
        """Create the template, or update it if it exists (idempotent).

        Raises:
            ValidationError: no subject, neither html nor text, or over 500 KB.

        Examples:
            >>> ses.template("welcome").put("Welcome, {{name}}!", text="Hi {{name}}")
            Template('welcome')
        """
        content = InlineTemplate(subject, html=html, text=text)._to_ses()
        try:
            self._ses._call("CreateEmailTemplate", TemplateName=self._name, TemplateContent=content)
            logger.info("created template %s", self._name)
        except AlreadyExistsError:
            self._ses._call("UpdateEmailTemplate", TemplateName=self._name, TemplateContent=content)
            logger.info("updated template %s", self._name)
        return self

    def get(self) -> InlineTemplate:
        """The stored content, as an `InlineTemplate`.

        Raises:
            NotFoundError: no such template.

        Examples:
            >>> ses.template("welcome").get().subject
            'Welcome, {{name}}!'
        """
        response = self._ses._call("GetEmailTemplate", TemplateName=self._name)
        content: Mapping[str, Any] = response.get("TemplateContent") or {}
        return InlineTemplate(
            str(content.get("Subject") or ""), html=content.get("Html"), text=content.get("Text")
        )

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
        logger.info("deleted template %s", self._name)
