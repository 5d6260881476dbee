"""`sesflow ip-pool`: dedicated IP pools, for configuration sets to send through."""

from __future__ import annotations

from typing import Any

from ._app import Context, add_command, add_group, add_tags, tags_of
from ._output import Result

__all__ = ["register"]


def _create(ctx: Context) -> Result:
    args = ctx.args
    pool = ctx.ses.ip_pool(args.name).create(scaling_mode=args.scaling_mode, tags=tags_of(args))
    mode = pool.scaling_mode
    return Result({"name": pool.name, "scaling_mode": mode}, f"IP pool {pool.name} ({mode}).")


def _delete(ctx: Context) -> Result:
    pool = ctx.ses.ip_pool(ctx.args.name)
    pool.delete()
    return Result({"deleted": pool.name}, f"Deleted IP pool {pool.name} (if it existed).")


def _list(ctx: Context) -> Result:
    names = [pool.name for pool in ctx.ses.ip_pools()]
    return Result({"ip_pools": names}, "\n".join(names) if names else "No dedicated IP pools.")


def register(commands: Any) -> None:
    """Add `sesflow ip-pool ...` to the command tree."""
    _, sub = add_group(commands, "ip-pool", help="dedicated IP pools (for configuration sets)")
    create = add_command(
        sub,
        "create",
        _create,
        help="create a dedicated IP pool (an existing one is kept)",
        epilog=(
            "example:\n"
            "  sesflow ip-pool create marketing-ips\n"
            "  sesflow config-set create marketing --sending-pool marketing-ips"
        ),
    )
    create.add_argument("name", metavar="NAME")
    create.add_argument(
        "--scaling-mode",
        choices=("STANDARD", "MANAGED"),
        default="STANDARD",
        type=str.upper,
        help="STANDARD (you manage the IPs, the default) or MANAGED",
    )
    add_tags(create)
    delete = add_command(sub, "delete", _delete, help="delete a dedicated IP pool")
    delete.add_argument("name", metavar="NAME")
    add_command(sub, "list", _list, help="list the dedicated IP pools")
