"""`sesflow identity-policy`: sending authorization policies on an identity."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from ._app import Context, add_command, add_group, read_text
from ._output import Result

if TYPE_CHECKING:
    from sesflow import Identity

__all__ = ["register"]


def _identity(ctx: Context, name: str) -> Identity:
    if "@" in name:
        return ctx.ses.identity(name)
    return ctx.ses.domain(name)


def _create(ctx: Context) -> Result:
    from sesflow import SendingPolicy

    args = ctx.args
    if (args.file is None) == (args.allow is None):
        ctx.usage_error("give exactly one of --file and --allow")
    if args.file is not None and (args.from_address or args.recipient):
        ctx.usage_error("--from and --recipient go with --allow (write them into the --file)")
    if args.account_id is not None:
        ctx.ses.account_id = args.account_id
    ident = _identity(ctx, args.identity)
    policy: Any
    if args.file is not None:
        policy = read_text(args.file, option="--file")
    else:
        policy = SendingPolicy.allow(
            args.allow,
            from_addresses=args.from_address or (),
            recipients=args.recipient or (),
        )
    created = ident.policy(args.name).create(policy)
    document = created.document
    text = f"Attached policy {created.name} to {ident.name}.\n\n{json.dumps(document, indent=2)}"
    if args.file is None:
        text += f"\n\nA delegate sends with FromEmailAddressIdentityArn={ident.arn}"
    return Result({"identity": ident.name, "policy": created.name, "document": document}, text)


def _list(ctx: Context) -> Result:
    ident = _identity(ctx, ctx.args.identity)
    policies = {p.name: p.document for p in ident.policies()}
    if not policies:
        return Result({"identity": ident.name, "policies": {}}, f"{ident.name} has no policies.")
    text = "\n\n".join(f"{name}:\n{json.dumps(doc, indent=2)}" for name, doc in policies.items())
    return Result({"identity": ident.name, "policies": policies}, text)


def _delete(ctx: Context) -> Result:
    args = ctx.args
    ident = _identity(ctx, args.identity)
    ident.policy(args.name).delete()
    return Result(
        {"identity": ident.name, "deleted": args.name},
        f"Detached policy {args.name} from {ident.name} (if it was there).",
    )


def register(commands: Any) -> None:
    """Add `sesflow identity-policy ...` to the command tree."""
    _, sub = add_group(
        commands,
        "identity-policy",
        help="sending authorization: let other accounts send as your identities",
        description=(
            "Sending authorization policies: let other AWS accounts (or their IAM roles)\n"
            "send from an identity you own, on conditions. The identity must be verified."
        ),
    )
    create = add_command(
        sub,
        "create",
        _create,
        help="attach a policy (or replace the one of that name)",
        epilog=(
            "examples:\n"
            "  sesflow identity-policy create example.com let-app-send \\\n"
            "      --allow 111122223333 --from 'billing@example.com'\n"
            "  sesflow identity-policy create example.com custom --file policy.json"
        ),
    )
    create.add_argument("identity", metavar="IDENTITY", help="an email address or a domain")
    create.add_argument("name", metavar="NAME", help="the policy's name")
    create.add_argument(
        "--file", metavar="FILE", help="a whole policy document (JSON; - for stdin)"
    )
    create.add_argument(
        "--allow",
        action="extend",
        nargs="+",
        metavar="PRINCIPAL",
        help="who may send: account ids, IAM ARNs or AWS services",
    )
    create.add_argument(
        "--from",
        dest="from_address",
        action="extend",
        nargs="+",
        metavar="PATTERN",
        help="From addresses allowed (* and ? wildcards)",
    )
    create.add_argument(
        "--recipient",
        action="extend",
        nargs="+",
        metavar="PATTERN",
        help="every recipient must match one of these",
    )
    create.add_argument(
        "--account-id",
        metavar="ID",
        help="your account id, for the identity's ARN (default: asked of STS; give it "
        "with sesflow local)",
    )

    show = add_command(sub, "list", _list, help="show every policy attached to an identity")
    show.add_argument("identity", metavar="IDENTITY")

    delete = add_command(sub, "delete", _delete, help="detach a policy (no error if missing)")
    delete.add_argument("identity", metavar="IDENTITY")
    delete.add_argument("name", metavar="NAME")
