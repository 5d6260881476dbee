"""`sesflow ip-pool`: dedicated IP pools, for configuration sets to send through."""

from __future__ import annotations

from typing import Any

from ._app import Context, add_command, add_group, add_tags, tags_of
from ._output import Result, render_table

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


def _ip_data(ip: Any) -> dict[str, Any]:
    return {
        "ip": ip.ip,
        "pool": ip.pool,
        "warmup_status": ip.warmup_status.value,
        "warmup_percentage": ip.warmup_percentage,
    }


def _ips_result(ips: list[Any], *, empty: str) -> Result:
    data = [_ip_data(ip) for ip in ips]
    if not data:
        return Result({"dedicated_ips": []}, empty)
    rows = [(d["ip"], d["pool"] or "(default)", d["warmup_status"], f"{d['warmup_percentage']}%")
            for d in data]  # fmt: skip
    return Result({"dedicated_ips": data}, render_table(("IP", "POOL", "WARM-UP", "DONE"), rows))


def _ips(ctx: Context) -> Result:
    name = ctx.args.name
    if name is None:
        return _ips_result(list(ctx.ses.dedicated_ips()), empty="No dedicated IPs.")
    return _ips_result(list(ctx.ses.ip_pool(name).ips()), empty=f"No dedicated IPs in {name}.")


def _move_ip(ctx: Context) -> Result:
    ip = ctx.ses.dedicated_ip(ctx.args.ip).move_to(ctx.args.pool)
    return _ips_result([ip], empty="")


def _warmup(ctx: Context) -> Result:
    ip = ctx.ses.dedicated_ip(ctx.args.ip).update_warmup(ctx.args.percentage)
    return _ips_result([ip], empty="")


def _scaling(ctx: Context) -> Result:
    pool = ctx.ses.ip_pool(ctx.args.name).update_scaling_mode(ctx.args.scaling_mode)
    mode = pool.scaling_mode
    return Result({"name": pool.name, "scaling_mode": mode}, f"IP pool {pool.name} ({mode}).")


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
    ips = add_command(
        sub, "ips", _ips, help="list the account's dedicated IPs, or those of one pool"
    )
    ips.add_argument("name", metavar="POOL", nargs="?")
    move = add_command(sub, "move-ip", _move_ip, help="move a dedicated IP into a pool")
    move.add_argument("ip", metavar="IP")
    move.add_argument("pool", metavar="POOL")
    warmup = add_command(
        sub, "warmup", _warmup, help="set how far a dedicated IP's warm-up has gone (0-100)"
    )
    warmup.add_argument("ip", metavar="IP")
    warmup.add_argument("percentage", metavar="PERCENT", type=int)
    scaling = add_command(
        sub, "scaling", _scaling, help="change a pool's scaling mode (STANDARD to MANAGED)"
    )
    scaling.add_argument("name", metavar="POOL")
    scaling.add_argument("scaling_mode", metavar="MODE", choices=("STANDARD", "MANAGED"),
                         type=str.upper)  # fmt: skip
