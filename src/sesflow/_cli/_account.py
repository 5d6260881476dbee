"""`sesflow account`: the sandbox, the quota, and the production-access request."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._app import Context, add_command
from ._output import Result, fields_text

if TYPE_CHECKING:
    from sesflow import Account

__all__ = ["register"]


def _describe(ctx: Context, acct: Account) -> dict[str, Any]:
    quota = acct.quota
    review = acct.review
    return {
        "region": ctx.ses.region,
        "in_sandbox": acct.in_sandbox,
        "sending_enabled": acct.sending_enabled,
        "enforcement_status": acct.enforcement_status,
        "max_24_hour_send": quota.max_24_hour_send,
        "max_send_rate": quota.max_send_rate,
        "sent_last_24_hours": quota.sent_last_24_hours,
        "remaining_24h": quota.remaining_24h,
        "review_status": None if review is None else review.status.value,
        "review_case_id": None if review is None else review.case_id,
    }


def _text(info: dict[str, Any]) -> str:
    def count(value: float) -> str:
        return "unlimited" if value < 0 else f"{value:,.0f}"

    lines = fields_text(
        [
            ("region", info["region"]),
            ("sandbox", info["in_sandbox"]),
            ("sending enabled", info["sending_enabled"]),
            ("enforcement", info["enforcement_status"]),
            ("quota per 24 h", count(info["max_24_hour_send"])),
            ("sent in 24 h", count(info["sent_last_24_hours"])),
            ("remaining", count(info["remaining_24h"])),
            ("max send rate", f"{info['max_send_rate']:g} recipients/s"),
            ("review", info["review_status"]),
            ("review case", info["review_case_id"]),
        ]
    )
    if info["in_sandbox"] and info["review_status"] is None:
        lines += (
            "\n\nIn the sandbox, mail goes only to verified identities. To lift that:"
            "\n  sesflow account request-production-access --mail-type TRANSACTIONAL"
            " --website-url URL"
        )
    return lines


def _show(ctx: Context) -> Result:
    info = _describe(ctx, ctx.ses.account())
    return Result(info, _text(info))


def _request(ctx: Context) -> Result:
    args = ctx.args
    acct = ctx.ses.account().request_production_access(
        args.mail_type,
        args.website_url,
        use_case_description=args.use_case,
        additional_contacts=args.contact or (),
        contact_language=args.language,
    )
    info = _describe(ctx, acct)
    review = ""
    if info["review_status"]:
        case = f", case {info['review_case_id']}" if info["review_case_id"] else ""
        review = f" (review {info['review_status']}{case})"
    text = (
        f"Requested production access{review}.\n"
        "AWS answers by email within 24 hours (usually 1-2); check with: sesflow account"
    )
    return Result(info, text)


def _pause(ctx: Context) -> Result:
    acct = ctx.ses.account().update_sending(enabled=False)
    info = _describe(ctx, acct)
    return Result(
        info,
        f"Paused sending for the account in {info['region']}.\n"
        "Every send fails with SendingPausedError until: sesflow account resume",
    )


def _resume(ctx: Context) -> Result:
    acct = ctx.ses.account().update_sending(enabled=True)
    info = _describe(ctx, acct)
    return Result(info, f"Resumed sending for the account in {info['region']}.")


def register(commands: Any) -> None:
    """Add `sesflow account [show]`, `request-production-access`, `pause` and `resume`."""
    group = add_command(
        commands,
        "account",
        _show,
        help="the sandbox, the sending quota, production access",
        description=(
            "Show the account in this region: whether it is in the sandbox, its sending\n"
            "quota (recipients per 24 hours and per second) and any production-access\n"
            "review. 'sesflow account' alone is 'sesflow account show'."
        ),
    )
    sub = group.add_subparsers(title="commands", metavar="COMMAND", dest="account_command")
    add_command(sub, "show", _show, help="show the account (the default)")
    request = add_command(
        sub,
        "request-production-access",
        _request,
        help="ask AWS to take the account out of the sandbox",
        description=(
            "File the console's 'Request production access' form. AWS answers within 24\n"
            "hours (usually 1-2); with production access the account may send to any\n"
            "address, and its quota and rate are raised."
        ),
        epilog=(
            "example:\n"
            "  sesflow account request-production-access --mail-type MARKETING \\\n"
            "      --website-url https://example.com --use-case 'Monthly newsletter' \\\n"
            "      --contact ops@example.com"
        ),
    )
    request.add_argument(
        "--mail-type", required=True, choices=("MARKETING", "TRANSACTIONAL"), type=str.upper
    )
    request.add_argument("--website-url", required=True, metavar="URL", help="your website")
    request.add_argument("--use-case", metavar="TEXT", help="how and to whom you will send")
    request.add_argument(
        "--contact",
        action="extend",
        nargs="+",
        metavar="ADDR",
        help="up to 4 more addresses AWS may contact",
    )
    request.add_argument(
        "--language", choices=("EN", "JA"), default="EN", type=str.upper, help="default EN"
    )
    add_command(sub, "pause", _pause, help="pause sending for the whole account")
    add_command(sub, "resume", _resume, help="resume sending for the account")
