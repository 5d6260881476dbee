"""`sesflow domain`: set a domain up (DKIM, MAIL FROM, Route 53) and print its DNS records."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING, Any

from ._app import Context, add_command, add_group, add_tags, read_bytes, seconds, tags_of
from ._identity import describe
from ._output import Result, fields_text, jsonable, render_table

if TYPE_CHECKING:
    from sesflow import Byodkim, DnsRecords, EasyDkim

__all__ = ["records_table", "register"]

FORMATS = ("table", "bind", "route53", "json")


def records_table(records: DnsRecords) -> str:
    """The records as a table that fits 80 columns: each value under its name.

    A DKIM name and its target are each about 55 characters: side by side they would not
    fit, so the value goes on the line below the name (and any longer one wraps at a dot).

    Examples:
        >>> print(records_table(ses.domain("example.com").create().dns_records()))
        TYPE   NAME, then VALUE                                         PURPOSE
        CNAME  ..._domainkey.example.com  dkim
                 ....dkim.amazonses.com.
        CNAME  ..._domainkey.example.com  dkim
                 ....dkim.amazonses.com.
        CNAME  ..._domainkey.example.com  dkim
                 ....dkim.amazonses.com.
        TXT    _dmarc.example.com                                       dmarc
                 "v=DMARC1; p=none;"
    """
    rows = [
        (r.type, f"{r.name}\n  {r.rdata}", r.purpose.value if r.purpose else "") for r in records
    ]
    return render_table(["TYPE", "NAME, then VALUE", "PURPOSE"], rows)


def _byodkim(ctx: Context) -> Byodkim | None:
    from sesflow import Byodkim

    args = ctx.args
    if args.byodkim_selector is None and args.byodkim_key is None:
        return None
    if args.byodkim_selector is None or args.byodkim_key is None:
        ctx.usage_error("--byodkim-selector and --byodkim-key go together")
    return Byodkim(args.byodkim_selector, read_bytes(args.byodkim_key, option="--byodkim-key"))


def _dkim(ctx: Context) -> EasyDkim | Byodkim:
    from sesflow import EasyDkim

    byodkim = _byodkim(ctx)
    if byodkim is None:
        length = ctx.args.dkim_key_length
        return EasyDkim() if length is None else EasyDkim(key_length=length)
    if ctx.args.dkim_key_length is not None:
        ctx.usage_error("--dkim-key-length is for Easy DKIM; leave it out with --byodkim-*")
    return byodkim


def _dns_options(args: argparse.Namespace) -> dict[str, Any]:
    # Only what was given, so the library's defaults (its DMARC policy, TTL) apply otherwise.
    options: dict[str, Any] = {}
    if args.no_dmarc:
        options["dmarc"] = None
    elif args.dmarc is not None:
        options["dmarc"] = args.dmarc
    if args.ttl is not None:
        options["ttl"] = args.ttl
    return options


def _render(records: DnsRecords, fmt: str) -> str:
    if fmt == "bind":
        return records.to_bind()
    if fmt == "route53":
        return json.dumps({"Changes": records.to_route53_changes()}, indent=2)
    if fmt == "json":
        return json.dumps(jsonable(list(records)), indent=2)
    return records_table(records)


def _status_text(info: dict[str, Any]) -> str:
    mail_from = None
    if info.get("mail_from_domain"):
        mail_from = f"{info['mail_from_domain']} {info['mail_from_status']}"
    return fields_text(
        [
            ("domain", info["identity"]),
            ("verification", info["verification_status"]),
            ("DKIM", info["dkim_status"]),
            ("MAIL FROM", mail_from),
        ]
    )


def _setup(ctx: Context) -> Result:
    args = ctx.args
    if args.hosted_zone_id is not None and not args.route53:
        ctx.usage_error("--hosted-zone-id goes with --route53")
    if (args.timeout is not None or args.poll_interval is not None) and not args.wait:
        ctx.usage_error("--timeout and --poll-interval go with --wait")
    # Everything that can be refused locally (the key file, the key itself) is, before any call.
    dkim = _dkim(ctx)
    create: dict[str, Any] = {
        "dkim": dkim,
        "mail_from": args.mail_from,
        "configuration_set": args.configuration_set,
        "tags": tags_of(args),
    }
    if args.behavior_on_mx_failure is not None:
        create["behavior_on_mx_failure"] = args.behavior_on_mx_failure
    dom = ctx.ses.domain(args.domain).create(**create)
    dns = _dns_options(args)
    records = dom.dns_records(**dns)
    data: dict[str, Any] = {}
    lines: list[str] = []
    if args.route53:
        change_id = dom.publish_to_route53(args.hosted_zone_id, **dns)
        data["route53_change_id"] = change_id
        lines.append(f"Published {len(records)} records to Route 53 (change {change_id}).")
    if args.wait:
        waits = {
            key: value
            for key, value in (("timeout", args.timeout), ("poll_interval", args.poll_interval))
            if value is not None
        }
        ctx.note(f"waiting for SES to find the DKIM records of {dom.name} ...")
        dom.wait_until_dkim_verified(**waits)
        if dom.mail_from_domain is not None:
            ctx.note(f"waiting for SES to find the MAIL FROM MX record of {dom.name} ...")
            dom.wait_until_mail_from_verified(**waits)
    info = describe(dom.refresh() if args.wait else dom)
    data = {**info, "records": records, **data}
    head = _status_text(info)
    if args.route53:
        body = "\n".join(lines)
    else:
        body = (
            "Publish these DNS records (or run again with --route53):\n\n"
            + records_table(records)
            + f"\n\nAs zone-file lines: sesflow domain records {dom.name} --format bind"
        )
    if args.wait:
        body += f"\n\n{dom.name} is verified."
    elif not info["verified_for_sending"]:
        body += f"\nThen wait for verification: sesflow identity wait {dom.name}"
    return Result(data, f"{head}\n\n{body}")


def _records(ctx: Context) -> Result:
    args = ctx.args
    byodkim = _byodkim(ctx)
    dns = _dns_options(args)
    if byodkim is not None:
        dns["byodkim"] = byodkim
    records = ctx.ses.domain(args.domain).dns_records(**dns)
    return Result({"domain": args.domain, "records": records}, _render(records, args.format))


def _dns_arguments(parser: argparse.ArgumentParser) -> None:
    dmarc = parser.add_mutually_exclusive_group()
    dmarc.add_argument(
        "--dmarc",
        metavar="POLICY",
        help="the DMARC record to suggest (default 'v=DMARC1; p=none;')",
    )
    dmarc.add_argument("--no-dmarc", action="store_true", help="leave the DMARC record out")
    parser.add_argument(
        "--ttl", type=int, metavar="SECONDS", help="the records' TTL (default 1800)"
    )


def _byodkim_arguments(parser: argparse.ArgumentParser, *, why: str) -> None:
    parser.add_argument("--byodkim-selector", metavar="S", help=f"the DKIM selector {why}")
    parser.add_argument(
        "--byodkim-key",
        metavar="FILE",
        help="the RSA private key, PEM (PKCS#1 or PKCS#8, 1024-2048 bits)",
    )


def register(commands: Any) -> None:
    """Add `sesflow domain ...` to the command tree."""
    _, sub = add_group(
        commands,
        "domain",
        help="domains: DKIM, MAIL FROM, DNS records, Route 53",
    )
    setup = add_command(
        sub,
        "setup",
        _setup,
        help="create a domain identity; print the records to publish",
        description=(
            "Create the domain identity with Easy DKIM (RSA 2048 unless --dkim-key-length\n"
            "1024) or a DKIM key of your own (--byodkim-selector and --byodkim-key), and\n"
            "optionally a custom MAIL FROM subdomain. On an existing domain only what\n"
            "differs is changed. Prints the DNS records to publish; --route53 UPSERTs them\n"
            "into the hosted zone whose name is the longest suffix of the domain, and\n"
            "--wait waits until SES finds them (DKIM can take up to 72 hours)."
        ),
        epilog=(
            "examples:\n"
            "  sesflow domain setup example.com --mail-from mail.example.com\n"
            "  sesflow domain setup example.com --route53 --wait --timeout 3600\n"
            "  sesflow domain setup example.com --byodkim-selector sel1 \\\n"
            "      --byodkim-key key.pem"
        ),
    )
    setup.add_argument("domain", metavar="DOMAIN")
    setup.add_argument(
        "--dkim-key-length", type=int, choices=(1024, 2048), help="Easy DKIM's key length"
    )
    _byodkim_arguments(setup, why="of your own key (BYODKIM)")
    setup.add_argument(
        "--mail-from", metavar="SUBDOMAIN", help="a custom MAIL FROM domain, e.g. mail.example.com"
    )
    setup.add_argument(
        "--behavior-on-mx-failure",
        choices=("USE_DEFAULT_VALUE", "REJECT_MESSAGE"),
        metavar="B",
        help="what SES does while the MAIL FROM MX record is missing: USE_DEFAULT_VALUE "
        "(send with amazonses.com, the default) or REJECT_MESSAGE",
    )
    setup.add_argument(
        "--configuration-set", metavar="NAME", help="the default configuration set for its mail"
    )
    add_tags(setup)
    _dns_arguments(setup)
    setup.add_argument(
        "--route53", action="store_true", help="publish the records to Route 53 (UPSERT)"
    )
    setup.add_argument(
        "--hosted-zone-id", metavar="Z", help="the hosted zone (default: found by name)"
    )
    setup.add_argument(
        "--wait", action="store_true", help="wait until SES finds DKIM (and MAIL FROM)"
    )
    setup.add_argument("--timeout", type=seconds, metavar="S", help="with --wait: give up after S")
    setup.add_argument(
        "--poll-interval",
        type=seconds,
        metavar="S",
        help="with --wait: the first wait between polls",
    )

    records = add_command(
        sub,
        "records",
        _records,
        help="print the DNS records a domain identity needs",
        description=(
            "Print the DNS records of an existing domain identity: DKIM, the MAIL FROM MX\n"
            "and SPF records, and a suggested DMARC record. A BYODKIM domain needs its key\n"
            "again (SES never returns it)."
        ),
        epilog=(
            "formats:\n"
            "  table    aligned columns for reading (the default)\n"
            "  bind     zone-file lines, ready to paste into a zone\n"
            "  route53  a ChangeBatch for 'aws route53 change-resource-record-sets'\n"
            "  json     a list of records"
        ),
    )
    records.add_argument("domain", metavar="DOMAIN")
    records.add_argument("--format", choices=FORMATS, default="table", help="the output format")
    _dns_arguments(records)
    _byodkim_arguments(records, why="of the BYODKIM key")
