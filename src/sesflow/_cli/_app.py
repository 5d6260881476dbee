"""The command tree, the global options, the one place `SES` is built, and error handling."""

from __future__ import annotations

import argparse
import functools
import ipaddress
import logging
import re
import sys
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn
from urllib.parse import urlsplit

from sesflow import SesflowError, __version__, interrupt_on_sigterm

from ._output import Result, dump_json

if TYPE_CHECKING:
    import boto3

    from sesflow import SES, Limiter

__all__ = [
    "LIMITER_SCHEMES",
    "CliError",
    "Context",
    "Handler",
    "add_command",
    "add_group",
    "add_limiter",
    "add_tags",
    "build_parser",
    "cli_hints",
    "command_parsers",
    "key_value",
    "limiter_from_url",
    "read_bytes",
    "read_text",
    "run",
    "seconds",
    "tags_of",
]

Handler = Callable[["Context"], Result]

PROG = "sesflow"
_DESCRIPTION = """\
Amazon SES v2 from the command line: verify addresses and domains, print and
publish their DNS records, manage configuration sets, templates and the
suppression list, send one message or a campaign from a CSV file, check SNS
event messages, and run a local SES.

Every command is a thin layer over the sesflow Python API; --json prints one
JSON document for scripts. AWS credentials and region come from boto3's usual
chain (environment, ~/.aws, an IAM role), or from --profile and --region.
"""
_EPILOG = """\
examples:
  sesflow identity create news@example.com
  sesflow domain setup example.com --mail-from mail.example.com --route53
  sesflow doctor example.com --configuration-set marketing
  sesflow send-bulk --from news@example.com --template spring \\
      --recipients list.csv --journal spring.journal
  sesflow local --verify news@example.com

Run 'sesflow COMMAND --help' for a command's options.
"""


class CliError(Exception):
    """A problem the command line found itself: an unreadable file, a CSV without an
    `email` column, and the like. Printed as one line; exit code 1.

    Examples:
        >>> raise CliError("recipients.csv has no 'email' column")
        Traceback (most recent call last):
        sesflow._cli._app.CliError: recipients.csv has no 'email' column
    """


class Context:
    """What a command handler gets: the parsed arguments, and `SES` built on first use.

    Examples:
        >>> def show(ctx: Context) -> Result:
        ...     return Result({"region": ctx.ses.region}, ctx.ses.region)
    """

    def __init__(self, args: argparse.Namespace, parser: argparse.ArgumentParser) -> None:
        self.args = args
        self._parser: argparse.ArgumentParser = getattr(args, "command_parser", parser)
        self._clients: list[Any] = []

    @property
    def json(self) -> bool:
        """Whether `--json` was given."""
        return bool(self.args.json)

    @functools.cached_property
    def session(self) -> boto3.Session:
        """The boto3 session every client is built from (`--profile`, `--region`).

        For a loopback `--endpoint-url` (`sesflow local`), placeholder credentials and
        `us-east-1` stand in for whatever is not configured: a local SES takes any.
        """
        import boto3

        session = boto3.Session(profile_name=self.args.profile, region_name=self.args.region)
        if not _is_loopback(self.args.endpoint_url):
            return session
        credentials = session.get_credentials()
        if credentials is not None and session.region_name is not None:
            return session
        frozen = credentials.get_frozen_credentials() if credentials is not None else None
        return boto3.Session(
            aws_access_key_id=frozen.access_key if frozen else "local",
            aws_secret_access_key=frozen.secret_key if frozen else "local",
            aws_session_token=frozen.token if frozen else None,
            region_name=session.region_name or "us-east-1",
        )

    @functools.cached_property
    def ses(self) -> SES:
        """The `SES` root, built from the global options (and a command's `--limiter`): the
        only place it is built."""
        from sesflow import SES

        url = getattr(self.args, "limiter", None)
        return SES(
            self.args.region,
            session=self.session,
            endpoint_url=self.args.endpoint_url,
            limiter=limiter_from_url(url) if url else None,
        )

    def client(self, service: str) -> Any:
        """A boto3 client of another service (SNS, ...) in the same session and region."""
        client = self.session.client(service, region_name=self.ses.region)  # type: ignore[call-overload]
        self._clients.append(client)
        return client

    def close(self) -> None:
        """Close the clients' connection pools (when `main()` runs in a longer process)."""
        if "ses" in self.__dict__:  # built: cached_property keeps it in the instance dict
            self.ses.close()
        for client in self._clients:
            client.close()

    def usage_error(self, message: str) -> NoReturn:
        """Stop with argparse's usage message and exit code 2."""
        self._parser.error(message)

    def note(self, text: str) -> None:
        """A line for the person at the terminal (stderr), never part of the output."""
        print(text, file=sys.stderr, flush=True)

    def failure(
        self,
        exc: BaseException,
        *,
        data: dict[str, Any] | None = None,
        text: str = "",
        code: int = 1,
    ) -> Result:
        """The result that reports `exc`: one `sesflow: error:` line on stderr, after `text`.

        With `--json` the document on stdout holds `{"error": {...}}` and `data`.
        """
        message = cli_hints(str(exc) or type(exc).__name__)
        first, _, rest = message.partition("\n")
        if self.args.debug and exc.__traceback__ is not None:
            traceback.print_exception(exc, file=sys.stderr)
        # Multi-line messages (a waiter's records to publish) keep their detail, indented.
        lines = [f"{PROG}: error: {first}", *(f"  {line}" for line in rest.splitlines())]
        error: dict[str, Any] = {"type": type(exc).__name__, "message": message}
        for attr in ("code", "field", "operation", "check", "status"):
            value = getattr(exc, attr, None)
            if isinstance(value, str | int) and not isinstance(value, bool):
                error[attr] = value
        return Result({"error": error, **(data or {})}, text, code, errors=lines)


def _domain_of(match: re.Match[str]) -> str:
    address = match.group(1)
    domain = address.rpartition("@")[2]
    return f"sesflow identity create {address} or sesflow domain setup {domain}"


# The library's errors suggest the Python call that fixes them; at the command line the
# same advice is a sesflow command. Most specific first: each applies once, in order.
_HINTS: list[tuple[re.Pattern[str], str | Callable[[re.Match[str]], str]]] = [
    (
        re.compile(
            r"\(ses\.domain\('([^']+)'\)\.dns_records\(\)\) "
            r"or set behavior_on_mx_failure='USE_DEFAULT_VALUE'"
        ),
        r"(sesflow domain records \1) or send from amazonses.com while it is missing "
        r"(sesflow domain setup \1 --mail-from SUBDOMAIN --behavior-on-mx-failure "
        r"USE_DEFAULT_VALUE)",
    ),
    (re.compile(r"ses\.domain\('([^']+)'\)\.dns_records\(\)"), r"sesflow domain records \1"),
    (
        re.compile(r"ses\.identity\('([^']+)'\)\.create\(\) or ses\.domain\(\.\.\.\)\.create\(\)"),
        _domain_of,
    ),
    (re.compile(r"ses\.identity\(\.\.\.\)\.create\(\)"), "sesflow identity create ADDRESS"),
    (
        re.compile(r"ses\.account\(\)\.request_production_access\(\.\.\.\)"),
        "sesflow account request-production-access --mail-type TYPE --website-url URL",
    ),
    (re.compile(r"pass hosted_zone_id=$"), "pass --hosted-zone-id"),
    (
        re.compile(r"pass dns_records\(byodkim=Byodkim\(selector, pem\)\)"),
        "pass --byodkim-selector S --byodkim-key FILE",
    ),
    (re.compile(r"use send_bulk\(\) for more"), "use sesflow send-bulk for more"),
]


def cli_hints(message: str) -> str:
    """`message` with its Python-API advice said as sesflow commands.

    Examples:
        >>> cli_hints("Verify it in us-east-1 (ses.identity(...).create()).")
        'Verify it in us-east-1 (sesflow identity create ADDRESS).'
    """
    for pattern, replacement in _HINTS:
        message = pattern.sub(replacement, message)
    return message


#: `--limiter` URL schemes, and the backend each picks.
LIMITER_SCHEMES = {"redis": "redis", "rediss": "redis", "unix": "redis"}


def limiter_from_url(url: str) -> Limiter:
    """The shared limiter a `--limiter` URL names: its scheme picks the backend.

    Examples:
        >>> limiter_from_url("redis://127.0.0.1:6379/0")
        RedisLimiter(key='sesflow:limiter:?', rate=the account's, factor=1.00)
        >>> limiter_from_url("memcached://cache:11211")
        Traceback (most recent call last):
        sesflow._cli._app.CliError: --limiter: unknown scheme 'memcached' in ...
    """
    scheme = urlsplit(url).scheme.lower()
    if LIMITER_SCHEMES.get(scheme) == "redis":
        from sesflow.redis import RedisLimiter

        return RedisLimiter(url)
    raise CliError(
        f"--limiter: unknown scheme {scheme!r} in {url!r}; use redis://HOST:6379/0 "
        "(or rediss://, unix://)"
    )


def add_limiter(parser: argparse.ArgumentParser) -> None:
    """Add `--limiter URL` to a command that sends."""
    parser.add_argument(
        "--limiter",
        metavar="URL",
        help=(
            "share one sending rate with every process using the same limiter, e.g. "
            "redis://HOST:6379/0 (needs sesflow[redis]); default: this process's own"
        ),
    )


def _is_loopback(url: str | None) -> bool:
    host = urlsplit(url).hostname if url else None
    if host is None:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def read_bytes(path: str, *, option: str) -> bytes:
    """The bytes of `path` (`-` reads stdin); an unreadable file is a `CliError`.

    Examples:
        >>> _ = Path("key.pem").write_bytes(b"-----BEGIN PRIVATE KEY-----...")
        >>> read_bytes("key.pem", option="--byodkim-key")
        b'-----BEGIN PRIVATE KEY-----...'
        >>> read_bytes("missing.pem", option="--byodkim-key")
        Traceback (most recent call last):
        sesflow._cli._app.CliError: --byodkim-key: cannot read 'missing.pem': No such file or ...
    """
    if path == "-":
        return sys.stdin.buffer.read()
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise CliError(f"{option}: cannot read {path!r}: {exc.strerror or exc}") from exc


def read_text(path: str, *, option: str) -> str:
    """The UTF-8 text of `path` (`-` reads stdin); unreadable or not UTF-8 is a `CliError`.

    Examples:
        >>> _ = Path("body.html").write_text("<p>Hi {{name}}</p>", encoding="utf-8")
        >>> read_text("body.html", option="--html")
        '<p>Hi {{name}}</p>'
    """
    data = read_bytes(path, option=option)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CliError(f"{option}: {path!r} is not UTF-8 text ({exc.reason})") from exc


# Building the parser


def _global_options(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    # Leaf commands repeat the global options with SUPPRESS defaults, so they may also come
    # after the command (`sesflow account --json`) without resetting values given before it.
    default: Any = argparse.SUPPRESS if suppress else None
    flag: Any = argparse.SUPPRESS if suppress else False
    group = parser.add_argument_group("global options")
    group.add_argument(
        "--region", default=default, metavar="REGION", help="the AWS region (default: boto3's)"
    )
    group.add_argument(
        "--profile", default=default, metavar="NAME", help="a profile from ~/.aws/config"
    )
    group.add_argument(
        "--endpoint-url",
        default=default,
        metavar="URL",
        help="another SES endpoint, e.g. 'sesflow local' (which needs no AWS set-up)",
    )
    group.add_argument(
        "--json", action="store_true", default=flag, help="print one JSON document on stdout"
    )
    group.add_argument(
        "--debug",
        action="store_true",
        default=flag,
        help="log sesflow's AWS calls and show tracebacks",
    )


@functools.cache
def _globals_parent() -> argparse.ArgumentParser:
    parent = argparse.ArgumentParser(add_help=False)
    _global_options(parent, suppress=True)
    return parent


def add_group(
    subparsers: Any, name: str, *, help: str, description: str | None = None
) -> tuple[argparse.ArgumentParser, Any]:
    """Add a command group (`sesflow identity ...`); return it and its subcommands.

    Examples:
        >>> subparsers = argparse.ArgumentParser(prog="sesflow").add_subparsers()
        >>> group, commands = add_group(subparsers, "identity", help="email identities")
        >>> group.prog
        'sesflow identity'
    """
    parser: argparse.ArgumentParser = subparsers.add_parser(
        name,
        help=help,
        description=description or help[:1].upper() + help[1:] + ".",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(title="commands", metavar="COMMAND", dest=f"{name}_command")
    commands.required = True
    return parser, commands


def add_command(
    subparsers: Any,
    name: str,
    handler: Handler,
    *,
    help: str,
    description: str | None = None,
    epilog: str | None = None,
) -> argparse.ArgumentParser:
    """Add a command that runs `handler`, with the global options repeated on it.

    Examples:
        >>> def show_status(ctx: Context) -> Result:
        ...     return Result({"status": "ok"}, "ok")
        >>> subparsers = argparse.ArgumentParser(prog="sesflow").add_subparsers()
        >>> group, commands = add_group(subparsers, "identity", help="email identities")
        >>> parser = add_command(commands, "status", show_status, help="show the status")
        >>> parser.parse_args([]).handler is show_status
        True
    """
    parser: argparse.ArgumentParser = subparsers.add_parser(
        name,
        help=help,
        description=description or help[:1].upper() + help[1:] + ".",
        epilog=epilog,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        parents=[_globals_parent()],
    )
    parser.set_defaults(handler=handler, command_parser=parser)
    return parser


def build_parser() -> argparse.ArgumentParser:
    """The whole command tree.

    Examples:
        >>> build_parser().parse_args(["account"]).handler
        <function _show at 0x...>
    """
    from . import (
        _account,
        _campaign,
        _config_set,
        _demo,
        _doctor,
        _domain,
        _endpoint,
        _events,
        _identity,
        _identity_policy,
        _insights,
        _ip_pool,
        _local,
        _send,
        _suppression,
        _template,
        _tenant,
        _verification,
    )
    from . import _bulk as _bulk_cli

    parser = argparse.ArgumentParser(
        prog=PROG,
        description=_DESCRIPTION,
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    _global_options(parser, suppress=False)
    commands = parser.add_subparsers(title="commands", metavar="COMMAND", dest="command")
    commands.required = True
    for module in (
        _identity,
        _domain,
        _doctor,
        _config_set,
        _ip_pool,
        _account,
        _template,
        _verification,
        _identity_policy,
        _send,
        _bulk_cli,
        _campaign,
        _events,
        _suppression,
        _tenant,
        _endpoint,
        _insights,
        _demo,
        _local,
    ):
        module.register(commands)
    return parser


def command_parsers(
    parser: argparse.ArgumentParser, path: tuple[str, ...] = (PROG,)
) -> Iterator[tuple[tuple[str, ...], argparse.ArgumentParser]]:
    """Every parser in the tree, depth first, with its command path.

    Examples:
        >>> [" ".join(path) for path, _ in command_parsers(build_parser())][:2]
        ['sesflow', 'sesflow identity']
    """
    yield path, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, child in action.choices.items():
                yield from command_parsers(child, (*path, name))


# Running


class _StderrHandler(logging.Handler):
    # Looks sys.stderr up at each record, so a replaced stderr (tests, redirection) is used.
    def emit(self, record: logging.LogRecord) -> None:
        try:
            print(f"{PROG}: {record.levelname.lower()}: {self.format(record)}", file=sys.stderr)
        except Exception:
            self.handleError(record)


@contextmanager
def _logging(debug: bool) -> Iterator[None]:
    logger = logging.getLogger("sesflow")
    handler = _StderrHandler()
    previous = logger.level
    logger.addHandler(handler)
    # Warnings (a rate above the account's, ...) always show; the call log only with --debug.
    logger.setLevel(logging.DEBUG if debug else logging.WARNING)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(previous)


def _exit_code(exc: SystemExit) -> int:
    if exc.code is None:
        return 0
    return exc.code if isinstance(exc.code, int) else 2


def _emit(ctx: Context, result: Result) -> None:
    if result.printed:
        pass
    elif ctx.json:
        dump_json(result.data, sys.stdout)
    elif result.text:
        print(result.text)
    sys.stdout.flush()
    # After the output, so the error is the last thing on the terminal.
    for line in result.errors:
        print(line, file=sys.stderr)


def interrupt_code(exc: KeyboardInterrupt) -> int:
    """128 + the signal: 130 for Ctrl-C (SIGINT), 143 for SIGTERM."""
    return 143 if exc.args == ("SIGTERM",) else 130


def run(argv: Sequence[str] | None = None) -> int:
    """Parse `argv`, run the command, print its output; return the exit code.

    Examples:
        >>> with FakeSES() as local:  # `sesflow local`, in-process
        ...     run(["--json", "--endpoint-url", local.serve(), "identity", "list"])
        {
          "identities": []
        }
        0
    """
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version, or a usage error (exit code 2)
        return _exit_code(exc)
    ctx = Context(args, parser)
    from botocore.exceptions import BotoCoreError, NoRegionError

    # SIGTERM (systemd, Kubernetes, docker stop) stops a command as Ctrl-C does: a bulk
    # send lets its calls in flight finish and journals them.
    with _logging(bool(args.debug)), interrupt_on_sigterm():
        result: Result
        try:
            result = args.handler(ctx)
        except SystemExit as exc:  # ctx.usage_error()
            return _exit_code(exc)
        except KeyboardInterrupt as exc:
            result = ctx.failure(CliError("interrupted"), code=interrupt_code(exc))
        except NoRegionError as exc:
            result = ctx.failure(
                CliError(f"{exc} Pass --region or set AWS_DEFAULT_REGION."), code=1
            )
        except (SesflowError, CliError, OSError, BotoCoreError) as exc:
            result = ctx.failure(exc)
        except Exception as exc:
            # A bug: say so in one line; --debug shows where.
            if args.debug:
                traceback.print_exception(exc, file=sys.stderr)
            hint = "" if args.debug else " (run with --debug for the traceback)"
            result = ctx.failure(RuntimeError(f"unexpected {type(exc).__name__}: {exc}{hint}"))
        finally:
            ctx.close()
        _emit(ctx, result)
    return result.code


def key_value(text: str) -> tuple[str, str]:
    """An argparse type for `KEY=VALUE` (tags, CloudWatch dimensions).

    Examples:
        >>> key_value("team=growth")
        ('team', 'growth')
    """
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise argparse.ArgumentTypeError(f"expected KEY=VALUE, got {text!r}")
    return key, value


def seconds(text: str) -> float:
    """An argparse type for a positive number of seconds (or per second).

    Examples:
        >>> seconds("2.5")
        2.5
    """
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}")
    return value


def add_tags(parser: argparse.ArgumentParser) -> None:
    """Add a repeatable `--tag KEY=VALUE` option (collected as `args.tag`)."""
    parser.add_argument(
        "--tag",
        action="append",
        type=key_value,
        metavar="KEY=VALUE",
        help="a tag for the new resource (repeatable)",
    )


def tags_of(args: argparse.Namespace) -> dict[str, str] | None:
    """The `--tag` options as a dict, or None when none were given."""
    pairs: list[tuple[str, str]] | None = getattr(args, "tag", None)
    return dict(pairs) if pairs else None
