"""`sesflow local`: a FakeSES served over HTTP on loopback, as a local SES for development.

The banner it prints is meant to be pasted: each line works as printed on a machine with no
AWS set-up at all (dummy credentials wherever a client insists on some).
"""

from __future__ import annotations

import datetime as dt
import signal
import sys
import threading
from typing import TYPE_CHECKING, Any

from ._app import CliError, Context, add_command, seconds
from ._output import Result, dump_json

if TYPE_CHECKING:
    from sesflow.testing import FakeMessage, FakeSES

__all__ = ["register", "watch"]

DEFAULT_PORT = 7373
#: What a client that insists on credentials is given: any value works.
DUMMY_KEY = "testing"
#: Seconds between looks at the outbox for new messages to log.
POLL = 0.5
_LOGGED_PER_POLL = 20


def _message_line(message: FakeMessage) -> str:
    stamp = dt.datetime.fromtimestamp(message.wall_time).strftime("%H:%M:%S")
    to = ", ".join(message.recipients)
    if len(to) > 40:
        to = to[:37] + "..."
    subject = message.subject if message.subject is not None else "(raw)"
    failed = f"  [not rendered: {message.rendering_error}]" if message.rendering_error else ""
    return f"{stamp}  {message.operation:<13} {message.from_address} -> {to}: {subject!r}{failed}"


def watch(fake: FakeSES, stop: threading.Event, log: Any) -> None:
    """Log each message the fake accepts, until `stop` is set (Ctrl-C sets it).

    Examples:
        >>> stop = threading.Event()
        >>> _ = sender.send("bob@example.com", "Hello", text="Hi Bob!")
        >>> threading.Timer(3 * POLL, stop.set).start()
        >>> lines = []
        >>> watch(fake, stop, lines.append)  # returns when `stop` is set
        >>> lines  # the time it arrived, the operation, from -> to: subject
        ["...  SendEmail     news@example.com -> bob@example.com: 'Hello'"]
    """
    seen = 0
    while not stop.wait(POLL):
        messages = fake.outbox
        fresh = messages[seen:]
        seen = len(messages)
        for message in fresh[:_LOGGED_PER_POLL]:
            log(_message_line(message))
        if len(fresh) > _LOGGED_PER_POLL:
            log(f"          ... and {len(fresh) - _LOGGED_PER_POLL:,} more messages")


def _wait(fake: FakeSES, ctx: Context) -> None:
    # Runs until Ctrl-C (or SIGTERM, from a process manager); tests replace it to drive the
    # served fake and then return.
    stop = threading.Event()
    previous = None
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        watch(fake, stop, ctx.note if ctx.json else print)
    except KeyboardInterrupt:
        stop.set()
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _local(ctx: Context) -> Result:
    from ._local_fake import LocalSES  # not at import: every command loads this module

    args = ctx.args
    region = args.region or "us-east-1"
    auto_verify = args.auto_verify is not None
    try:
        fake = LocalSES(
            startup_verified=tuple(args.verify or ()),
            region=region,
            sandbox=args.sandbox,
            max_send_rate=args.rate,
            auto_verify=auto_verify,
            auto_verify_after=args.auto_verify or 0.0,
        )
    except ValueError as exc:
        raise CliError(f"--verify: {exc}") from exc
    with fake:
        try:
            url = fake.serve(host=args.host, port=args.port)
        except ValueError as exc:  # not a loopback address
            raise CliError(f"--host: {exc}") from exc
        quota = fake.account
        info = {
            "endpoint_url": url,
            "region": region,
            "sandbox": args.sandbox,
            "max_send_rate": quota.max_send_rate,
            "verified": list(args.verify or ()),
            "auto_verify": auto_verify,
            "auto_verify_after": args.auto_verify or 0.0,
            "messages_url": f"{url}/_sesflow/messages",
            "reset_url": f"{url}/_sesflow/reset",
            "outbox_url": f"{url}/_sesflow/outbox",
            "stats_url": f"{url}/_sesflow/stats",
            "environment": {
                "AWS_ENDPOINT_URL_SESV2": url,
                "AWS_DEFAULT_REGION": region,
                "AWS_ACCESS_KEY_ID": DUMMY_KEY,
                "AWS_SECRET_ACCESS_KEY": DUMMY_KEY,
            },
        }
        if ctx.json:
            dump_json(info, sys.stdout)
            sys.stdout.flush()
        else:
            print(_banner(info), flush=True)
        _wait(fake, ctx)
        stats = fake.stats()
    ctx.note(f"stopped; the fake accepted {stats.recipients_accepted:,} recipients")
    return Result(info, printed=True)


def _banner(info: dict[str, Any]) -> str:
    url, region = info["endpoint_url"], info["region"]
    sandbox = "in the sandbox" if info["sandbox"] else "not in the sandbox"
    verified = ", ".join(info["verified"]) or "none yet"
    if info["auto_verify"]:
        after = info["auto_verify_after"]
        created = f"verified {after:g} s after creation" if after else "verified at once"
    else:
        created = "PENDING until verified (POST .../verify, or --auto-verify)"
    keys = f"AWS_ACCESS_KEY_ID={DUMMY_KEY} AWS_SECRET_ACCESS_KEY={DUMMY_KEY}"
    return f"""\
A local SES (sesflow FakeSES) is serving SES v2 and v1 (the Query API) at {url}
  region {region}, {sandbox}, {info["max_send_rate"]:g} recipients/s
  verified identities: {verified}; identities created over HTTP: {created}

Point your tools at it (it takes any credentials, but most clients want some):
  AWS CLI  {keys} aws sesv2 --endpoint-url {url} --region {region} get-account
  boto3    boto3.client("sesv2", endpoint_url="{url}", region_name="{region}", \
aws_access_key_id="{DUMMY_KEY}", aws_secret_access_key="{DUMMY_KEY}")
  sesflow  sesflow --endpoint-url {url} --region {region} account
  any SDK  export AWS_ENDPOINT_URL_SESV2={url} AWS_REGION={region} \
AWS_DEFAULT_REGION={region} {keys}

What was sent, as JSON (newest last; filter with ?recipient=ADDRESS&subject=TEXT):
  curl {info["messages_url"]}
Start over; verify (or .../fail) an identity:
  curl -X POST {info["reset_url"]}
  curl -X POST {url}/_sesflow/identities/example.com/verify
Accepted messages are logged below. Press Ctrl-C to stop.
"""


def _delay(text: str) -> float:
    if text.strip() in ("0", "0.0"):
        return 0.0
    return seconds(text)


def register(commands: Any) -> None:
    """Add `sesflow local` to the command tree."""
    parser = add_command(
        commands,
        "local",
        _local,
        help="serve a local fake SES (v2 and v1) for development",
        description=(
            "Serve sesflow's FakeSES over HTTP on loopback: an SES v2 (and v1 Query API)\n"
            "endpoint that tools in any language can point at. It checks requests as SES\n"
            "does (verified senders, the sandbox, the sending rate, templates) and keeps\n"
            "what it accepts in memory: GET /_sesflow/messages lists it as JSON,\n"
            "POST /_sesflow/reset starts over, POST /_sesflow/identities/IDENTITY/verify\n"
            "(or .../fail) settles an identity. It answers only requests addressed to a\n"
            "loopback host. State is lost when it stops."
        ),
        epilog=(
            "example:\n"
            "  sesflow local --port 7373 --verify news@example.com example.com\n"
            "  sesflow local --auto-verify 5   # created identities verify 5 s later\n"
            "  aws sesv2 --endpoint-url http://127.0.0.1:7373 --region us-east-1 \\\n"
            "      get-account"
        ),
    )
    parser.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help=f"default {DEFAULT_PORT}; 0 picks one"
    )
    parser.add_argument(
        "--host", default="127.0.0.1", help="a loopback address (default 127.0.0.1)"
    )
    parser.add_argument(
        "--rate", type=seconds, metavar="R", help="MaxSendRate, recipients/s (default 14)"
    )
    parser.add_argument(
        "--sandbox", action="store_true", help="start in the sandbox (verified recipients only)"
    )
    parser.add_argument(
        "--verify",
        action="extend",
        nargs="+",
        metavar="IDENTITY",
        help="addresses or domains to create already verified (again after each reset)",
    )
    parser.add_argument(
        "--auto-verify",
        nargs="?",
        const=0.0,
        type=_delay,
        metavar="SECONDS",
        help="verify identities, DKIM and MAIL FROM set up over HTTP by themselves, "
        "at once or SECONDS later",
    )
