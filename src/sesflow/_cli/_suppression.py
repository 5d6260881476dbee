"""`sesflow suppression`: the account-level suppression list."""

from __future__ import annotations

from typing import Any

from ._app import Context, add_command, add_group
from ._output import Result, fields_text, jsonable, render_table

__all__ = ["register"]

_REASONS = ("BOUNCE", "COMPLAINT")


def _add(ctx: Context) -> Result:
    args = ctx.args
    ctx.ses.suppression_list.add(args.address, args.reason)
    return Result(
        {"address": args.address, "reason": args.reason, "suppressed": True},
        f"Suppressed {args.address} ({args.reason}): SES will not send to it.",
    )


def _remove(ctx: Context) -> Result:
    address = ctx.args.address
    ctx.ses.suppression_list.remove(address)
    return Result(
        {"address": address, "suppressed": False},
        f"Removed {address} from the suppression list (if it was on it).",
    )


def _get(ctx: Context) -> Result:
    entry = ctx.ses.suppression_list.get(ctx.args.address)
    if entry is None:
        return Result(
            {"address": ctx.args.address, "suppressed": False},
            f"{ctx.args.address} is not on the suppression list.",
        )
    data = {"suppressed": True, **jsonable(entry)}
    return Result(data, fields_text(data.items()))


def _list(ctx: Context) -> Result:
    reasons = ctx.args.reason
    entries = list(ctx.ses.suppression_list.filter(reasons=reasons))
    rows = [
        (
            e.address,
            e.reason.value,
            e.last_update_time.isoformat(timespec="seconds") if e.last_update_time else "",
        )
        for e in entries
    ]
    text = (
        render_table(["ADDRESS", "REASON", "LAST UPDATE"], rows)
        if rows
        else ("The suppression list is empty" + (f" for {', '.join(reasons)}." if reasons else "."))
    )
    return Result({"suppressed": entries}, text)


def register(commands: Any) -> None:
    """Add `sesflow suppression ...` to the command tree."""
    _, sub = add_group(
        commands,
        "suppression",
        help="the suppression list: addresses SES will not send to",
    )
    add = add_command(sub, "add", _add, help="put an address on the suppression list")
    add.add_argument("address", metavar="ADDRESS")
    add.add_argument("--reason", required=True, choices=_REASONS, type=str.upper)
    remove = add_command(sub, "remove", _remove, help="take an address off the list")
    remove.add_argument("address", metavar="ADDRESS")
    get = add_command(sub, "get", _get, help="show whether (and why) an address is suppressed")
    get.add_argument("address", metavar="ADDRESS")
    listing = add_command(sub, "list", _list, help="list the suppressed addresses")
    listing.add_argument(
        "--reason",
        action="append",
        choices=_REASONS,
        type=str.upper,
        help="only this reason (repeatable)",
    )
