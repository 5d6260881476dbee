"""`sesflow verification-template`: custom verification emails (your branding on SES's link)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._app import Context, add_command, add_group, add_tags, read_text, tags_of
from ._output import Result, fields_text

if TYPE_CHECKING:
    from sesflow import VerificationTemplate

__all__ = ["register"]


def _describe(tpl: VerificationTemplate) -> dict[str, Any]:
    return {
        "template": tpl.name,
        "from_address": tpl.from_address,
        "subject": tpl.subject,
        "success_url": tpl.success_url,
        "failure_url": tpl.failure_url,
    }


def _create(ctx: Context) -> Result:
    args = ctx.args
    tpl = ctx.ses.verification_template(args.name).create(
        from_address=args.from_address,
        subject=args.subject,
        content=read_text(args.content, option="--content"),
        success_url=args.success_url,
        failure_url=args.failure_url,
        tags=tags_of(args),
    )
    info = _describe(tpl)
    text = fields_text(info.items()) + (
        f"\n\nStored. Send it with: sesflow verification-template send {tpl.name} ADDRESS"
    )
    return Result(info, text)


def _show(ctx: Context) -> Result:
    tpl = ctx.ses.verification_template(ctx.args.name).refresh()
    info = {**_describe(tpl), "content": tpl.content}
    text = fields_text(_describe(tpl).items()) + f"\n\n--- content ---\n{tpl.content.rstrip()}"
    return Result(info, text)


def _list(ctx: Context) -> Result:
    found = [_describe(tpl) for tpl in ctx.ses.verification_templates()]
    names = [item["template"] for item in found]
    text = "\n".join(names) if names else "No custom verification email templates."
    return Result({"verification_templates": found}, text)


def _delete(ctx: Context) -> Result:
    tpl = ctx.ses.verification_template(ctx.args.name)
    tpl.delete()
    return Result(
        {"deleted": tpl.name}, f"Deleted verification template {tpl.name} (if it existed)."
    )


def _send(ctx: Context) -> Result:
    args = ctx.args
    result = ctx.ses.verification_template(args.name).send(
        args.address, configuration_set=args.configuration_set
    )
    text = (
        f"Sent {args.name} to {args.address} (message {result.message_id}).\n"
        f"Wait for the click with: sesflow identity wait {args.address}"
    )
    return Result({"address": args.address, "message_id": result.message_id}, text)


def register(commands: Any) -> None:
    """Add `sesflow verification-template ...` to the command tree."""
    _, sub = add_group(
        commands,
        "verification-template",
        help="custom verification emails: your sender, HTML and landing pages",
        description=(
            "Custom verification email templates: how your application asks its users to\n"
            "confirm their addresses, with your sender, subject, HTML and redirect URLs.\n"
            "SES appends the verification link. Sending one needs production access."
        ),
    )
    create = add_command(
        sub,
        "create",
        _create,
        help="create or update a template",
        epilog=(
            "example:\n"
            "  sesflow verification-template create welcome --from verify@example.com \\\n"
            "      --subject 'Confirm your address' --content welcome.html \\\n"
            "      --success-url https://example.com/ok --failure-url https://example.com/no"
        ),
    )
    create.add_argument("name", metavar="NAME")
    create.add_argument(
        "--from", dest="from_address", required=True, metavar="ADDR", help="a verified sender"
    )
    create.add_argument("--subject", required=True, metavar="S", help="the subject line")
    create.add_argument(
        "--content", required=True, metavar="FILE", help="the HTML body, from a file (- for stdin)"
    )
    create.add_argument("--success-url", required=True, metavar="URL", help="after verifying")
    create.add_argument("--failure-url", required=True, metavar="URL", help="when it fails")
    add_tags(create)

    show = add_command(sub, "show", _show, help="show a template, its content included")
    show.add_argument("name", metavar="NAME")

    add_command(sub, "list", _list, help="list the templates (at most 50 per region)")

    delete = add_command(sub, "delete", _delete, help="delete a template (no error if missing)")
    delete.add_argument("name", metavar="NAME")

    send = add_command(
        sub,
        "send",
        _send,
        help="send the verification email to an address",
        epilog="example:\n  sesflow verification-template send welcome new.user@example.org",
    )
    send.add_argument("name", metavar="NAME")
    send.add_argument("address", metavar="ADDRESS")
    send.add_argument(
        "--configuration-set", metavar="NAME", help="a configuration set for the email"
    )
