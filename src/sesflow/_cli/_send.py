"""`sesflow send`: one message, with text, HTML and attachments."""

from __future__ import annotations

import argparse
from typing import Any

from ._app import Context, add_command, add_limiter, key_value, read_text, tags_of
from ._output import Result

__all__ = ["header", "register"]


def header(text: str) -> tuple[str, str]:
    """An argparse type for `--header 'Name: value'`.

    Examples:
        >>> header("List-Unsubscribe: <https://example.com/u>")
        ('List-Unsubscribe', '<https://example.com/u>')
    """
    name, sep, value = text.partition(":")
    if not sep or not name.strip():
        raise argparse.ArgumentTypeError(f"expected 'Name: value', got {text!r}")
    return name.strip(), value.strip()


def _send(ctx: Context) -> Result:
    from sesflow import Attachment

    args = ctx.args
    # Files are read (and refused) before the sender is even built: nothing goes out on a typo.
    text = read_text(args.text, option="--text") if args.text else None
    html = read_text(args.html, option="--html") if args.html else None
    attachments = [Attachment.from_path(path) for path in args.attach or ()]
    sender = ctx.ses.sender(
        args.from_address,
        configuration_set=args.configuration_set,
        reply_to=args.reply_to or (),
    )
    result = sender.send(
        args.to,
        args.subject,
        text=text,
        html=html,
        cc=args.cc or (),
        bcc=args.bcc or (),
        attachments=attachments,
        headers=dict(args.header) if args.header else None,
        message_tags=tags_of(args),
    )
    count = len(args.to) + len(args.cc or ()) + len(args.bcc or ())
    return Result(
        {"message_id": result.message_id, "recipients": count},
        f"Sent to {count} recipient{'s' if count != 1 else ''}: message id {result.message_id}",
    )


def register(commands: Any) -> None:
    """Add `sesflow send` to the command tree."""
    parser = add_command(
        commands,
        "send",
        _send,
        help="send one message (text, HTML, attachments)",
        description=(
            "Send one message from a verified identity. To + Cc + Bcc hold at most 50\n"
            "addresses; for more, use 'sesflow send-bulk'. The body comes from files\n"
            "(--text - reads it from stdin)."
        ),
        epilog=(
            "example:\n"
            "  echo 'The report is attached.' | sesflow send --from reports@example.com \\\n"
            "      --to ann@example.com --subject 'Monthly report' --text - \\\n"
            "      --attach report.pdf"
        ),
    )
    parser.add_argument("--from", dest="from_address", required=True, metavar="ADDR")
    parser.add_argument(
        "--to", required=True, action="extend", nargs="+", metavar="ADDR", help="recipients"
    )
    parser.add_argument("--subject", required=True, metavar="S")
    parser.add_argument("--text", metavar="FILE|-", help="the plain-text body (- for stdin)")
    parser.add_argument("--html", metavar="FILE", help="the HTML body")
    parser.add_argument(
        "--attach", action="extend", nargs="+", metavar="FILE", help="files to attach"
    )
    parser.add_argument("--cc", action="extend", nargs="+", metavar="ADDR")
    parser.add_argument("--bcc", action="extend", nargs="+", metavar="ADDR")
    parser.add_argument("--reply-to", action="extend", nargs="+", metavar="ADDR")
    parser.add_argument("--configuration-set", metavar="NAME")
    parser.add_argument(
        "--header",
        action="append",
        type=header,
        metavar="'NAME: VALUE'",
        help="a custom header, e.g. List-Unsubscribe (repeatable)",
    )
    parser.add_argument(
        "--tag",
        action="append",
        type=key_value,
        metavar="NAME=VALUE",
        help="a message tag, visible in events (repeatable)",
    )
    add_limiter(parser)
