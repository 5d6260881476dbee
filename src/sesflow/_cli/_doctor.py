"""`sesflow doctor DOMAIN`: everything between a domain and delivered mail, checked."""

from __future__ import annotations

import argparse
import ipaddress
from types import SimpleNamespace
from typing import Any

from ._app import CliError, Context, add_command, cli_hints
from ._output import Result

__all__ = ["nameserver", "register"]


def nameserver(text: str) -> tuple[str, int]:
    """An argparse type for `IP`, `IP:PORT` or `[IPv6]:PORT`.

    Examples:
        >>> nameserver("127.0.0.1:5353"), nameserver("9.9.9.9"), nameserver("[::1]:53")
        (('127.0.0.1', 5353), ('9.9.9.9', 53), ('::1', 53))
    """
    host, port = text, "53"
    if text.startswith("["):
        host, _, rest = text[1:].partition("]")
        port = rest.removeprefix(":") or "53"
    elif text.count(":") == 1:
        host, _, port = text.partition(":")
    try:
        ipaddress.ip_address(host)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an IP address, got {text!r}") from None
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise argparse.ArgumentTypeError(f"expected a port from 1 to 65535 in {text!r}")
    return host, int(port)


def _resolver(servers: list[tuple[str, int]] | None) -> Any:
    if not servers:
        return None
    try:
        import dns.resolver
    except ImportError:
        raise CliError(
            "--nameserver needs the 'dnspython' package: pip install 'sesflow[dns]'"
        ) from None
    ports = {port for _, port in servers}
    if len(ports) > 1:
        raise CliError("--nameserver: give every nameserver the same port")
    resolver = dns.resolver.Resolver(configure=False)
    resolver.nameservers = [host for host, _ in servers]
    resolver.port = ports.pop()
    return resolver


def _doctor(ctx: Context) -> Result:
    args = ctx.args
    unsubscribe = None
    if args.unsubscribe_url:
        # The doctor reads the unsubscribe URL and mailto address only.
        unsubscribe = SimpleNamespace(url=args.unsubscribe_url, mailto=args.unsubscribe_mailto)
    elif args.unsubscribe_mailto:
        ctx.usage_error("--unsubscribe-mailto goes with --unsubscribe-url")
    report = ctx.ses.doctor(
        args.domain,
        configuration_set=args.configuration_set,
        bulk=args.bulk,
        resolver=_resolver(args.nameserver),
        unsubscribe=unsubscribe,
    )
    errors = len(report.errors)
    lines = (
        [f"sesflow: error: {errors} error{'s' * (errors != 1)} found for {report.domain}"]
        if errors
        else []
    )
    return Result(report.as_dict(), cli_hints(report.to_text()), 1 if errors else 0, errors=lines)


def register(commands: Any) -> None:
    """Add `sesflow doctor DOMAIN`."""
    parser = add_command(
        commands,
        "doctor",
        _doctor,
        help="diagnose a domain: identity, DNS, account, config set",
        description=(
            "Check everything between a domain and delivered mail, and print each finding\n"
            "(error, warning or ok) with the exact fix: the SES identity (verified, DKIM,\n"
            "MAIL FROM), live DNS asked of the domain's own nameservers (DKIM records, MAIL\n"
            "FROM MX and SPF, DMARC, DKIM and SPF alignment), the account (sandbox, sending,\n"
            "enforcement), the configuration set (bounce and complaint events, suppression)\n"
            "and, with --bulk, what bulk senders need (one-click unsubscribe, bounce and\n"
            "complaint rates from VDM). Exit code 1 when any finding is an error.\n"
            "Live DNS needs dnspython: pip install 'sesflow[dns]'."
        ),
        epilog=(
            "examples:\n"
            "  sesflow doctor example.com --configuration-set marketing\n"
            "  sesflow doctor example.com --bulk --unsubscribe-url https://example.com/u\n"
            "  sesflow doctor example.com --json --nameserver 9.9.9.9"
        ),
    )
    parser.add_argument("domain", metavar="DOMAIN", help="the From domain")
    parser.add_argument(
        "--configuration-set",
        metavar="NAME",
        help="the configuration set the mail is sent with (default: the identity's)",
    )
    parser.add_argument(
        "--bulk", action="store_true", help="also check what bulk senders need (Gmail, Yahoo)"
    )
    parser.add_argument(
        "--unsubscribe-url",
        metavar="URL",
        help="with --bulk: the one-click unsubscribe URL the campaign uses",
    )
    parser.add_argument(
        "--unsubscribe-mailto", metavar="ADDR", help="with --bulk: its mailto: address, if any"
    )
    parser.add_argument(
        "--nameserver",
        action="append",
        type=nameserver,
        metavar="IP[:PORT]",
        help="find the domain's nameservers through this DNS server (repeatable; default: "
        "the system's resolver)",
    )
