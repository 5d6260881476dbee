"""`sesflow identity`: verify email addresses; look up, wait for or delete any identity."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._app import Context, add_command, add_group, add_tags, seconds, tags_of
from ._output import Result, fields_text, render_table

if TYPE_CHECKING:
    from sesflow import SES, Identity

__all__ = ["describe", "lookup", "register"]


def lookup(ses: SES, name: str) -> Identity:
    """The identity called `name`: a `Domain` when it has no `@`, else an `Identity`.

    Examples:
        >>> lookup(ses, "example.com")
        Domain('example.com')
    """
    return ses.identity(name) if "@" in name else ses.domain(name)


def describe(ident: Identity) -> dict[str, Any]:
    """An identity's state as a flat dict (loads it if needed).

    Examples:
        >>> describe(ses.identity("a@example.com").create())["verification_status"]
        'PENDING'
    """
    from sesflow import Domain

    info: dict[str, Any] = {
        "identity": ident.name,
        "type": ident.identity_type.value,
        "verification_status": ident.verification_status.value,
        "verified_for_sending": ident.verified,
        "configuration_set": ident.configuration_set,
    }
    if isinstance(ident, Domain):
        mail_from = ident.mail_from_status
        info["dkim_status"] = ident.dkim_status.value
        info["mail_from_domain"] = ident.mail_from_domain
        info["mail_from_status"] = None if mail_from is None else mail_from.value
    return info


def _create(ctx: Context) -> Result:
    args = ctx.args
    ident = ctx.ses.identity(args.address).create(
        configuration_set=args.configuration_set, tags=tags_of(args)
    )
    info = describe(ident)
    text = fields_text(info.items())
    if not info["verified_for_sending"]:
        text += (
            f"\n\nSES has emailed a verification link to {ident.name} (it expires after 24 "
            f"hours).\nWait for the click with: sesflow identity wait {ident.name}"
        )
    return Result(info, text)


def _status(ctx: Context) -> Result:
    info = describe(lookup(ctx.ses, ctx.args.name).refresh())
    return Result(info, fields_text(info.items()))


def _wait(ctx: Context) -> Result:
    args = ctx.args
    ident = lookup(ctx.ses, args.name)
    options = {
        key: value
        for key, value in (("timeout", args.timeout), ("poll_interval", args.poll_interval))
        if value is not None
    }
    ctx.note(f"waiting for SES to verify {ident.name} ...")
    info = describe(ident.wait_until_verified(**options))
    return Result(info, f"{ident.name} is verified.\n\n{fields_text(info.items())}")


def _delete(ctx: Context) -> Result:
    ident = lookup(ctx.ses, ctx.args.name)
    ident.delete()
    return Result({"deleted": ident.name}, f"Deleted {ident.name} (if it existed).")


def _list(ctx: Context) -> Result:
    rows = [
        {
            "identity": ident.name,
            "type": ident.identity_type.value,
            "verification_status": ident.verification_status.value,
        }
        for ident in ctx.ses.identities()
    ]
    text = render_table(["IDENTITY", "TYPE", "STATUS"], [list(r.values()) for r in rows])
    return Result({"identities": rows}, text if rows else "No identities in this region.")


def register(commands: Any) -> None:
    """Add `sesflow identity ...` to the command tree."""
    _, sub = add_group(
        commands,
        "identity",
        help="email identities: create, status, wait, delete, list",
        description=(
            "Email identities. 'create' takes an email address (use 'sesflow domain setup'\n"
            "for domains); 'status', 'wait' and 'delete' take an address or a domain."
        ),
    )
    create = add_command(
        sub,
        "create",
        _create,
        help="create an email identity (SES mails it a verification link)",
        epilog="example:\n  sesflow identity create news@example.com --configuration-set marketing",
    )
    create.add_argument("address", metavar="ADDRESS", help="the email address to verify")
    create.add_argument(
        "--configuration-set", metavar="NAME", help="the default configuration set for its mail"
    )
    add_tags(create)

    status = add_command(
        sub, "status", _status, help="show the status of an identity (domains: DKIM, MAIL FROM)"
    )
    status.add_argument("name", metavar="ADDRESS|DOMAIN")

    wait = add_command(
        sub,
        "wait",
        _wait,
        help="wait until SES reports the identity verified",
        description=(
            "Poll until SES reports the identity verified, backing off from --poll-interval\n"
            "up to a minute. Exits 1 when SES reports FAILED or --timeout passes."
        ),
    )
    wait.add_argument("name", metavar="ADDRESS|DOMAIN")
    wait.add_argument(
        "--timeout", type=seconds, metavar="S", help="give up after S seconds (default 600)"
    )
    wait.add_argument(
        "--poll-interval",
        type=seconds,
        metavar="S",
        help="the first wait between polls (default 5)",
    )

    delete = add_command(sub, "delete", _delete, help="delete an identity (no error if missing)")
    delete.add_argument("name", metavar="ADDRESS|DOMAIN")

    add_command(sub, "list", _list, help="list every identity in the region")
