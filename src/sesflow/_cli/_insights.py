"""`sesflow insights`: what happened to a message, and what SES thinks of an address."""

from __future__ import annotations

from typing import Any

from ._app import Context, add_command, add_group
from ._output import Result, fields_text, render_table

__all__ = ["register"]

_CHECKS = (
    "valid",
    "has_valid_syntax",
    "has_valid_dns_records",
    "mailbox_exists",
    "is_role_address",
    "is_disposable",
    "is_random_input",
)


def _message(ctx: Context) -> Result:
    insights = ctx.ses.message(ctx.args.message_id).insights()
    rows = []
    for recipient in insights.recipients:
        for event in recipient.events:
            detail = " ".join(
                part
                for part in (event.bounce_type, event.bounce_subtype, event.complaint_feedback_type)
                if part
            )
            when = "" if event.timestamp is None else event.timestamp.isoformat(timespec="seconds")
            rows.append((recipient.address, event.type.value, when, detail))
    header = fields_text(
        [("message_id", insights.message_id), ("from", insights.from_address),
         ("subject", insights.subject)]
    )  # fmt: skip
    table = render_table(("RECIPIENT", "EVENT", "TIME", "DETAIL"), rows) if rows else "No events."
    return Result(insights, header + "\n\n" + table)


def _address(ctx: Context) -> Result:
    insights = ctx.ses.address_insights(ctx.args.address)
    pairs: list[tuple[str, Any]] = [("address", insights.address)]
    for name in _CHECKS:
        verdict = getattr(insights, name)
        pairs.append((name, None if verdict is None else verdict.value))
    pairs.append(("risky", insights.risky))
    data = dict(pairs)
    return Result(data, fields_text(pairs))


def register(commands: Any) -> None:
    """Add `sesflow insights ...` to the command tree."""
    _, sub = add_group(
        commands, "insights", help="a message's delivery events; an address's checks"
    )
    message = add_command(
        sub,
        "message",
        _message,
        help="the events of a sent message, per recipient (needs VDM on)",
    )
    message.add_argument("message_id", metavar="MESSAGE_ID")
    address = add_command(
        sub,
        "address",
        _address,
        help="SES's checks of an address before sending to it (a paid call)",
    )
    address.add_argument("address", metavar="ADDRESS")
