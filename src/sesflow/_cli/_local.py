"""`sesflow local`: a FakeSES served over HTTP on loopback, as a local SES for development."""

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
    from sesflow.testing import FakeSES

    args = ctx.args
    region = args.region or "us-east-1"
    fake = FakeSES(region=region, sandbox=args.sandbox, max_send_rate=args.rate)
    try:
        fake.verify(*args.verify or ())
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
            "outbox_url": f"{url}/_sesflow/outbox",
            "stats_url": f"{url}/_sesflow/stats",
            "environment": {"AWS_ENDPOINT_URL_SESV2": url},
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
    verified = ", ".join(info["verified"]) or "none yet (SES calls create them: PENDING)"
    return f"""\
A local SES (sesflow FakeSES) is serving SES v2 at {url}
  region {region}, {sandbox}, {info["max_send_rate"]:g} recipients/s
  verified identities: {verified}

Point your tools at it (any credentials work):
  boto3    boto3.client("sesv2", region_name="{region}", endpoint_url="{url}")
  AWS CLI  aws sesv2 --endpoint-url {url} --region {region} get-account
  sesflow  sesflow --endpoint-url {url} --region {region} account
  any SDK  export AWS_ENDPOINT_URL_SESV2={url} AWS_DEFAULT_REGION={region}
           export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing

Outbox: {info["outbox_url"]}   Stats: {info["stats_url"]}
Accepted messages are logged below. Press Ctrl-C to stop.
"""


def register(commands: Any) -> None:
    """Add `sesflow local` to the command tree."""
    parser = add_command(
        commands,
        "local",
        _local,
        help="serve a local fake SES v2 for development",
        description=(
            "Serve sesflow's FakeSES over HTTP on loopback: an SES v2 endpoint that tools\n"
            "in any language can point at. It checks requests as SES does (verified\n"
            "senders, the sandbox, the sending rate, templates) and keeps what it accepts\n"
            "in memory: GET /_sesflow/outbox shows it, GET /_sesflow/stats summarises it.\n"
            "State is lost when it stops."
        ),
        epilog=(
            "example:\n"
            "  sesflow local --port 7373 --verify news@example.com example.com\n"
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
        help="addresses or domains to create already verified",
    )
