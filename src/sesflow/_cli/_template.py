"""`sesflow template`: stored email templates."""

from __future__ import annotations

import argparse
import json
from typing import Any

from ._app import Context, add_command, add_group, read_text
from ._output import Result, fields_text

__all__ = ["json_object", "register"]


def json_object(text: str) -> dict[str, Any]:
    """An argparse type: a JSON object given inline or as `@FILE` (`@-` reads stdin).

    Examples:
        >>> json_object('{"name": "Ann"}')
        {'name': 'Ann'}
    """
    source = "the JSON"
    if text.startswith("@"):
        source = text[1:]
        try:
            text = read_text(source, option="@FILE")
        except Exception as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise argparse.ArgumentTypeError(f"{source} is not valid JSON: {exc}") from None
    if not isinstance(value, dict):
        raise argparse.ArgumentTypeError(f"{source} must be a JSON object ({{...}})")
    return value


def _put(ctx: Context) -> Result:
    args = ctx.args
    html = read_text(args.html, option="--html") if args.html else None
    text = read_text(args.text, option="--text") if args.text else None
    tpl = ctx.ses.template(args.name).create(args.subject, html=html, text=text)
    return Result({"template": tpl.name, "stored": True}, f"Stored template {tpl.name}.")


def _show(ctx: Context) -> Result:
    content = ctx.ses.template(ctx.args.name).refresh().content
    info = {
        "template": ctx.args.name,
        "subject": content.subject,
        "html": content.html,
        "text": content.text,
    }
    parts = [fields_text([("template", info["template"]), ("subject", content.subject)])]
    for part in ("html", "text"):
        body = info[part]
        if body is not None:
            parts.append(f"--- {part} ---\n{body.rstrip()}")
    return Result(info, "\n\n".join(parts))


def _render(ctx: Context) -> Result:
    rendered = ctx.ses.template(ctx.args.name).render(ctx.args.data)
    return Result({"template": ctx.args.name, "rendered": rendered}, rendered.rstrip("\n"))


def _delete(ctx: Context) -> Result:
    tpl = ctx.ses.template(ctx.args.name)
    tpl.delete()
    return Result({"deleted": tpl.name}, f"Deleted template {tpl.name} (if it existed).")


def _list(ctx: Context) -> Result:
    names = [tpl.name for tpl in ctx.ses.templates()]
    return Result({"templates": names}, "\n".join(names) if names else "No stored templates.")


def register(commands: Any) -> None:
    """Add `sesflow template ...` to the command tree."""
    _, sub = add_group(commands, "template", help="stored email templates ({{variables}})")
    put = add_command(
        sub,
        "create",
        _put,
        help="create or update a template",
        epilog=(
            "example:\n"
            "  sesflow template create spring --subject 'Spring news for {{name}}' \\\n"
            "      --html spring.html --text spring.txt"
        ),
    )
    put.add_argument("name", metavar="NAME")
    put.add_argument("--subject", required=True, metavar="S", help="the subject ({{vars}} allowed)")
    put.add_argument("--html", metavar="FILE", help="the HTML part, from a file (- for stdin)")
    put.add_argument("--text", metavar="FILE", help="the text part, from a file (- for stdin)")

    show = add_command(sub, "show", _show, help="show a template's subject, HTML and text")
    show.add_argument("name", metavar="NAME")

    render = add_command(
        sub,
        "render",
        _render,
        help="render a template with data (prints the MIME text)",
        epilog='example:\n  sesflow template render spring --data \'{"name": "Ann"}\'',
    )
    render.add_argument("name", metavar="NAME")
    render.add_argument(
        "--data",
        type=json_object,
        default={},
        metavar="JSON|@FILE",
        help="the template data: a JSON object, or @FILE to read it from a file",
    )

    delete = add_command(sub, "delete", _delete, help="delete a template (no error if missing)")
    delete.add_argument("name", metavar="NAME")

    add_command(sub, "list", _list, help="list the stored templates")
