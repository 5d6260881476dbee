"""`sesflow tenant`: tenants, the customers a SaaS product sends for, and their resources."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._app import Context, add_command, add_group, add_tags, tags_of
from ._output import Result, fields_text, render_table

if TYPE_CHECKING:
    from sesflow import ConfigurationSet, Identity, Template, Tenant

__all__ = ["register"]

_KINDS = ("identity", "config-set", "template")


def _csv(text: str) -> list[str]:
    return [part.strip().upper() for part in text.split(",") if part.strip()]


def _describe(tenant: Tenant) -> dict[str, Any]:
    tenant.refresh()
    suppression = tenant.suppression
    return {
        "name": tenant.name,
        "tenant_id": tenant.tenant_id,
        "arn": tenant.arn,
        "sending_status": tenant.sending_status.value,
        "suppression_scope": None if suppression.scope is None else suppression.scope.value,
        "suppressed_reasons": sorted(r.value for r in suppression.reasons),
        "tags": tenant.tags,
        "resources": [
            {"type": r.resource_type.value, "name": r.name, "arn": r.arn}
            for r in tenant.resources()
        ],
    }


def _show_result(tenant: Tenant) -> Result:
    info = _describe(tenant)
    fields = fields_text(
        (key, ", ".join(value) if key == "suppressed_reasons" else value)
        for key, value in info.items()
        if key not in ("resources", "tags")
    )
    tags = ", ".join(f"{k}={v}" for k, v in info["tags"].items())
    if tags:
        fields += "\n" + fields_text([("tags", tags)])
    if not info["resources"]:
        return Result(info, fields + "\n\nNo resources: associate an identity to send with.")
    rows = [(r["type"], r["name"]) for r in info["resources"]]
    return Result(info, fields + "\n\n" + render_table(("RESOURCE", "NAME"), rows))


def _resource(ctx: Context, text: str) -> Identity | ConfigurationSet | Template | str:
    """`identity:NAME`, `config-set:NAME`, `template:NAME`, or an ARN as given."""
    if text.startswith("arn:"):
        return text
    kind, sep, name = text.partition(":")
    if not sep or kind not in _KINDS or not name:
        ctx.usage_error(
            f"{text!r}: name a resource as identity:NAME, config-set:NAME, template:NAME "
            "or give its ARN"
        )
    ses = ctx.ses
    if kind == "identity":
        return ses.identity(name) if "@" in name else ses.domain(name)
    if kind == "config-set":
        return ses.configuration_set(name)
    return ses.template(name)


def _create(ctx: Context) -> Result:
    args = ctx.args
    reasons = None if args.suppressed_reasons is None else _csv(args.suppressed_reasons)
    tenant = ctx.ses.tenant(args.name).create(
        suppression_scope=args.suppression_scope, suppressed_reasons=reasons, tags=tags_of(args)
    )
    return _show_result(tenant)


def _show(ctx: Context) -> Result:
    return _show_result(ctx.ses.tenant(ctx.args.name))


def _delete(ctx: Context) -> Result:
    tenant = ctx.ses.tenant(ctx.args.name)
    tenant.delete()
    return Result({"deleted": tenant.name}, f"Deleted tenant {tenant.name} (if it existed).")


def _list(ctx: Context) -> Result:
    args = ctx.args
    tenants = list(ctx.ses.tenants(name_contains=args.contains, sending_status=args.sending_status))
    data = [{"name": t.name, "sending_status": t.sending_status.value} for t in tenants]
    if not data:
        return Result({"tenants": []}, "No tenants.")
    rows = [(d["name"], d["sending_status"]) for d in data]
    return Result({"tenants": data}, render_table(("TENANT", "SENDING"), rows))


def _associate(ctx: Context) -> Result:
    tenant = ctx.ses.tenant(ctx.args.name)
    tenant.associate(*(_resource(ctx, text) for text in ctx.args.resources))
    return _show_result(tenant)


def _disassociate(ctx: Context) -> Result:
    tenant = ctx.ses.tenant(ctx.args.name)
    tenant.disassociate(*(_resource(ctx, text) for text in ctx.args.resources))
    return _show_result(tenant)


def register(commands: Any) -> None:
    """Add `sesflow tenant ...` to the command tree."""
    _, sub = add_group(commands, "tenant", help="tenants: the customers you send for")
    create = add_command(
        sub,
        "create",
        _create,
        help="create a tenant (an existing one is kept)",
        epilog=(
            "example:\n"
            "  sesflow tenant create acme --tag customer-id=4711\n"
            "  sesflow tenant associate acme identity:acme.example template:welcome"
        ),
    )
    create.add_argument("name", metavar="NAME")
    create.add_argument(
        "--suppression-scope",
        choices=("ACCOUNT", "TENANT"),
        type=str.upper,
        help="TENANT: a suppression list of its own; ACCOUNT: the account's",
    )
    create.add_argument(
        "--suppressed-reasons",
        metavar="REASONS",
        help="what puts an address on its list: BOUNCE, COMPLAINT (comma-separated)",
    )
    add_tags(create)
    show = add_command(sub, "show", _show, help="show a tenant and its resources")
    show.add_argument("name", metavar="NAME")
    listing = add_command(sub, "list", _list, help="list the tenants")
    listing.add_argument("--contains", metavar="TEXT", help="only names containing TEXT")
    listing.add_argument(
        "--sending-status",
        choices=("ENABLED", "REINSTATED", "DISABLED"),
        type=str.upper,
        help="only tenants with this sending status",
    )
    delete = add_command(sub, "delete", _delete, help="delete a tenant (not its resources)")
    delete.add_argument("name", metavar="NAME")
    for name, handler, what in (
        ("associate", _associate, "let a tenant send with resources"),
        ("disassociate", _disassociate, "take resources away from a tenant"),
    ):
        parser = add_command(
            sub,
            name,
            handler,
            help=what,
            epilog=(
                "RESOURCE: identity:NAME (an address or a domain), config-set:NAME,\n"
                "template:NAME, or an ARN."
            ),
        )
        parser.add_argument("name", metavar="NAME")
        parser.add_argument("resources", metavar="RESOURCE", nargs="+")
