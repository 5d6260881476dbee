"""`SES.doctor()`'s live DNS checks against a real DNS server on loopback.

Each test writes the zone (zone-file text) that `FakeDNS` — an authoritative server speaking
the DNS wire protocol over UDP and TCP on 127.0.0.1 — serves; the doctor's resolver is pointed
at it, and it finds the zone's nameservers (this server again) through SOA and NS records as
it would on the internet. SES's side is a `FakeSES`. No packet leaves loopback.
"""

from __future__ import annotations

import ipaddress
import socket
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

import sesflow
import sesflow.events
from sesflow import DoctorReport, Finding, Severity
from sesflow._doctor_dns import DnspythonLookup, dns_findings, find_dmarc, require_dnspython
from sesflow.testing import FakeClock, FakeDNS, FakeSES

REGION_MX = "10 feedback-smtp.us-east-1.amazonses.com."


@pytest.fixture(autouse=True)
def _udp_stays_on_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    """DNS goes over UDP `sendto`, which the suite's connect guard does not see."""
    original = socket.socket.sendto

    def sendto(self: socket.socket, data: Any, *args: Any) -> int:
        host = str(args[-1][0])
        if host != "localhost" and not ipaddress.ip_address(host).is_loopback:
            raise AssertionError(f"a test sent a UDP datagram to {args[-1]!r}")
        return int(original(self, data, *args))

    monkeypatch.setattr(socket.socket, "sendto", sendto)


@dataclass
class World:
    """A domain set up right in FakeSES, and the DNS server its zone is on."""

    fake: FakeSES
    ses: sesflow.SES
    dns: FakeDNS
    tokens: list[str]
    lines: dict[str, str] = field(default_factory=dict)

    def write_zone(self, **changes: str | None) -> None:
        """Serve example.com: every record right, but for `changes` (None drops a line)."""
        lines = {**self.lines, **changes}
        self.dns.add_zone("example.com", "\n".join(v for v in lines.values() if v))

    def doctor(self, domain: str = "example.com", **options: Any) -> DoctorReport:
        return self.ses.doctor(
            domain, configuration_set="marketing", resolver=self.dns.resolver(), **options
        )


def one(report: DoctorReport, code: str) -> Finding:
    [finding] = report.with_code(code)
    return finding


@pytest.fixture
def world() -> Iterator[World]:
    clock = FakeClock()
    fake = FakeSES(clock=clock, seed=7)
    ses = sesflow.SES(client=fake.client())
    cs = ses.configuration_set("marketing").create()
    cs.add_event_destination(
        "feedback",
        ["BOUNCE", "COMPLAINT"],
        sesflow.SnsDestination("arn:aws:sns:us-east-1:123456789012:ses-feedback"),
    )
    ses.domain("example.com").create(mail_from="mail.example.com")
    fake.set_status("example.com", verification="SUCCESS", mail_from="SUCCESS")
    tokens = list(fake.identity_state("example.com").dkim_tokens)
    lines = {
        f"dkim{i}": f"{t}._domainkey CNAME {t}.dkim.amazonses.com." for i, t in enumerate(tokens)
    }
    lines["mx"] = f"mail MX {REGION_MX}"
    lines["spf"] = 'mail TXT "v=spf1 include:amazonses.com ~all"'
    lines["dmarc"] = '_dmarc TXT "v=DMARC1; p=none; rua=mailto:dmarc@example.com"'
    with FakeDNS() as dns:
        w = World(fake, ses, dns, tokens, lines)
        w.write_zone()
        yield w


# --- set up right ---------------------------------------------------------------------------


def test_a_domain_set_up_right_is_all_ok(world: World) -> None:
    report = world.doctor()
    assert report.ok
    assert report.errors == ()
    assert report.warnings == ()
    dns_part = report.with_code("dns", "alignment")
    assert [f.code for f in dns_part] == [
        "dns.source",
        "dns.dkim",
        "dns.dkim",
        "dns.dkim",
        "dns.mail_from_mx",
        "dns.mail_from_spf",
        "dns.dmarc",
        "alignment.dkim",
        "alignment.spf",
    ]
    assert {f.severity for f in dns_part} == {Severity.OK}
    assert one(report, "dns.source").found == (
        "asked each zone's authoritative nameservers (example.com: ns1.example.com (127.0.0.1))"
    )
    assert one(report, "dns.mail_from_mx").found == (
        "one MX record, 10 feedback-smtp.us-east-1.amazonses.com"
    )
    assert "policy none" in one(report, "dns.dmarc").found
    assert "aggregate reports go to mailto:dmarc@example.com" in one(report, "dns.dmarc").found
    assert one(report, "alignment.dkim").found == (
        "SES signs as d=example.com: aligned (relaxed), aligned (strict); "
        "the DMARC policy asks relaxed."
    )
    # The queries went to the server, the zone's nameserver found through SOA and NS.
    asked = set(world.dns.queries)
    assert {("example.com", "NS"), ("ns1.example.com", "A"), ("_dmarc.example.com", "TXT")} <= asked


# --- each way it can be wrong: its own finding, and the exact record ----------------------


def test_a_missing_dkim_cname(world: World) -> None:
    world.write_zone(dkim1=None)
    report = world.doctor()
    token = world.tokens[1]
    [error] = report.errors
    assert error.code == "dns.dkim"
    assert error.check == f"DKIM CNAME {token}._domainkey.example.com"
    assert error.found == (
        f"no CNAME: {token}._domainkey.example.com does not exist "
        "(asked ns1.example.com (127.0.0.1))"
    )
    assert error.fix == "publish:"
    assert error.records.to_bind() == (
        f"{token}._domainkey.example.com. 1800 IN CNAME {token}.dkim.amazonses.com."
    )
    assert [f.severity for f in report.with_code("dns.dkim")] == [
        Severity.OK,
        Severity.ERROR,
        Severity.OK,
    ]


def test_a_cname_to_the_wrong_token(world: World) -> None:
    first, second = world.tokens[0], world.tokens[1]
    world.write_zone(dkim1=f"{second}._domainkey CNAME {first}.dkim.amazonses.com.")
    [error] = world.doctor().errors
    assert error.check == f"DKIM CNAME {second}._domainkey.example.com"
    assert error.found.startswith(
        f"points to {first}.dkim.amazonses.com; SES expects {second}.dkim.amazonses.com"
    )
    assert error.fix == "replace it with:"
    assert error.records.to_bind() == (
        f"{second}._domainkey.example.com. 1800 IN CNAME {second}.dkim.amazonses.com."
    )


def test_no_dmarc_record(world: World) -> None:
    world.write_zone(dmarc=None)
    report = world.doctor()
    dmarc = one(report, "dns.dmarc")
    assert dmarc.severity is Severity.WARNING  # an error for bulk senders, below
    assert dmarc.found.startswith("no DMARC record at _dmarc.example.com;")
    assert dmarc.records.to_bind() == '_dmarc.example.com. 1800 IN TXT "v=DMARC1; p=none;"'
    assert report.ok
    bulk = world.doctor(bulk=True)
    assert one(bulk, "dns.dmarc").severity is Severity.ERROR
    assert "Gmail, Yahoo and Outlook.com require DMARC" in one(bulk, "dns.dmarc").found


def test_a_dmarc_record_without_p(world: World) -> None:
    world.write_zone(dmarc='_dmarc TXT "v=DMARC1; rua=mailto:dmarc@example.com"')
    [error] = world.doctor().errors
    assert error.code == "dns.dmarc"
    assert error.found == (
        "the record at _dmarc.example.com ('v=DMARC1; rua=mailto:dmarc@example.com') is not "
        "a valid DMARC policy: no p= tag (the policy is required)"
    )
    assert error.records.to_bind() == (
        '_dmarc.example.com. 1800 IN TXT "v=DMARC1; p=none; rua=mailto:dmarc@example.com;"'
    )


def test_the_mail_from_mx_missing(world: World) -> None:
    world.write_zone(mx=None)
    [error] = world.doctor().errors
    assert error.code == "dns.mail_from_mx"
    assert error.check == "MAIL FROM MX mail.example.com"
    assert error.found.startswith("no MX record: mail.example.com has no MX record")
    assert error.records.to_bind() == f"mail.example.com. 1800 IN MX {REGION_MX}"


def test_spf_without_amazonses(world: World) -> None:
    world.write_zone(spf='mail TXT "v=spf1 include:spf.example.net ~all"')
    world.dns.add_zone("example.net", 'spf TXT "v=spf1 ip4:192.0.2.0/24 -all"')
    [error] = world.doctor().errors
    assert error.code == "dns.mail_from_spf"
    assert error.found == (
        "'v=spf1 include:spf.example.net ~all' does not include amazonses.com: SPF fails for "
        "mail SES sends"
    )
    assert error.records.to_bind() == (
        'mail.example.com. 1800 IN TXT "v=spf1 include:amazonses.com include:spf.example.net ~all"'
    )


def test_a_misaligned_from_domain(world: World) -> None:
    # news.example.com sends under example.com's identity; the policy asks strict alignment.
    world.write_zone(dmarc='_dmarc TXT "v=DMARC1; p=reject; adkim=s; aspf=s"')
    report = world.doctor("news.example.com")
    assert "sends under the parent domain's identity" in one(report, "identity.exists").found
    dkim, spf = one(report, "alignment.dkim"), one(report, "alignment.spf")
    assert (dkim.severity, spf.severity) == (Severity.ERROR, Severity.ERROR)
    assert dkim.found == (
        "SES signs as d=example.com: aligned (relaxed), not aligned (strict); the DMARC policy "
        "asks strict. Neither DKIM nor SPF aligns: DMARC fails for this mail."
    )
    assert "ses.domain('news.example.com').create()" in dkim.fix
    assert dkim.records.to_bind() == (
        '_dmarc.example.com. 1800 IN TXT "v=DMARC1; p=reject; adkim=r; aspf=s;"'
    )
    assert spf.found.startswith("MAIL FROM mail.example.com: aligned (relaxed), not aligned")
    assert spf.records.to_bind() == (
        '_dmarc.example.com. 1800 IN TXT "v=DMARC1; p=reject; adkim=s; aspf=r;"'
    )
    assert [f.code for f in report.errors] == ["alignment.dkim", "alignment.spf"]


def test_spf_alignment_needs_a_custom_mail_from(world: World) -> None:
    world.ses.domain("example.com").set_mail_from(None)
    report = world.doctor()
    spf = one(report, "alignment.spf")
    assert spf.severity is Severity.WARNING  # DKIM still aligns, so DMARC passes
    assert spf.found.startswith("no custom MAIL FROM domain")
    assert "ses.domain('example.com').set_mail_from('mail.example.com')" in spf.fix
    assert spf.records.to_bind() == (
        f"mail.example.com. 1800 IN MX {REGION_MX}\n"
        'mail.example.com. 1800 IN TXT "v=spf1 include:amazonses.com ~all"'
    )
    assert one(report, "identity.mail_from").severity is Severity.WARNING
    assert report.with_code("dns.mail_from_mx") == ()


def test_nothing_aligns_while_dkim_is_pending(world: World) -> None:
    world.fake.set_status("example.com", verification="PENDING", mail_from="PENDING")
    report = world.doctor()
    dkim = one(report, "alignment.dkim")
    assert dkim.severity is Severity.ERROR
    assert dkim.found.startswith("SES signs only as amazonses.com")
    assert len(dkim.records) == 3  # the DKIM CNAMEs
    assert one(report, "alignment.spf").severity is Severity.ERROR
    assert one(report, "identity.verification").severity is Severity.ERROR


def test_an_mx_of_another_region(world: World) -> None:
    world.write_zone(mx="mail MX 10 feedback-smtp.eu-west-1.amazonses.com.")
    [error] = world.doctor().errors
    assert error.found == (
        "the MX points to feedback-smtp.eu-west-1.amazonses.com (the feedback endpoint of "
        "eu-west-1, not of us-east-1); SES expects feedback-smtp.us-east-1.amazonses.com"
    )


def test_two_mx_records(world: World) -> None:
    world.write_zone(mx=f"mail MX {REGION_MX}\nmail MX 20 backup.example.com.")
    [error] = world.doctor().errors
    assert error.found.startswith("2 MX records")
    assert error.fix == "keep only this MX record:"


def test_two_spf_records(world: World) -> None:
    world.write_zone(spf='mail TXT "v=spf1 include:amazonses.com ~all"\nmail TXT "v=spf1 -all"')
    [error] = world.doctor().errors
    assert error.code == "dns.mail_from_spf"
    assert "(permerror)" in error.found


def test_spf_through_an_include(world: World) -> None:
    world.write_zone(spf='mail TXT "v=spf1 include:spf.example.net ~all"')
    world.dns.add_zone("example.net", 'spf TXT "v=spf1 include:amazonses.com -all"')
    finding = one(world.doctor(), "dns.mail_from_spf")
    assert finding.severity is Severity.OK
    assert finding.found.endswith("includes amazonses.com (through include:spf.example.net)")


def test_a_subdomain_under_the_parents_policy(world: World) -> None:
    world.write_zone(dmarc='_dmarc TXT "v=DMARC1; p=reject; sp=quarantine"')
    report = world.doctor("news.example.com")
    dmarc = one(report, "dns.dmarc")
    assert dmarc.severity is Severity.OK
    assert dmarc.found.startswith(
        "'v=DMARC1; p=reject; sp=quarantine' at _dmarc.example.com (for news.example.com, a "
        "subdomain: sp=quarantine): policy quarantine"
    )
    assert one(report, "alignment.dkim").severity is Severity.OK  # relaxed: same org domain


def test_dmarc_through_a_cname_to_another_zone(world: World) -> None:
    world.write_zone(dmarc="_dmarc CNAME example-com.dmarc.example.net.")
    world.dns.add_zone("example.net", 'example-com.dmarc TXT "v=DMARC1; p=quarantine"')
    dmarc = one(world.doctor(), "dns.dmarc")
    assert dmarc.severity is Severity.OK
    assert "policy quarantine" in dmarc.found


def test_byodkim_key_published_or_not(world: World) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    byodkim = sesflow.Byodkim("sel1", pem)
    world.ses.domain("example.com").create(dkim=byodkim, mail_from="mail.example.com")
    world.fake.set_status("example.com", verification="SUCCESS")
    [missing] = world.doctor().errors
    assert missing.check == "DKIM key (BYODKIM) sel1._domainkey.example.com"
    assert "sel1._domainkey.example.com does not exist" in missing.found
    assert "dns_records(byodkim=Byodkim('sel1', pem))" in missing.fix
    world.dns.publish(world.ses.domain("example.com").dns_records(byodkim=byodkim))
    published = one(world.doctor(), "dns.dkim")
    assert published.severity is Severity.OK
    prefix = byodkim.public_key_base64[:12]
    assert published.found.startswith(f"a DKIM key is published (p={prefix}")


def test_an_unknown_domain_gets_its_dmarc_checked_only(world: World) -> None:
    report = world.doctor("example.org")
    assert [f.code for f in report.errors][:1] == ["identity.exists"]
    assert report.with_code("dns.dkim") == ()
    dmarc = one(report, "dns.dmarc")
    # example.org is in no zone the server holds: the resolver answers REFUSED.
    assert dmarc.severity is Severity.ERROR
    assert dmarc.found.startswith("could not look it up:")
    assert one(report, "dns.source").severity is Severity.WARNING


# --- the lookup itself (white-box) --------------------------------------------------------


def test_unreachable_nameservers_fall_back_to_the_resolver(world: World) -> None:
    world.dns.add_zone(
        "example.com",
        '@ NS ns9\nns9 A 127.0.0.2\n_dmarc TXT "v=DMARC1; p=none;"',
    )
    lookup = DnspythonLookup(world.dns.resolver(), lifetime=0.5)
    findings = dns_findings("example.com", None, lookup, bulk=False)
    source, dmarc = findings
    assert source.severity is Severity.WARNING
    assert source.found.startswith(
        "could not ask the authoritative nameservers for example.com (ns9.example.com (127.0.0.2): "
    )
    assert "answered for those, and its answers may be cached" in source.found
    assert dmarc.severity is Severity.OK  # the resolver answered


def test_the_resolver_alone_when_not_authoritative(world: World) -> None:
    lookup = DnspythonLookup(world.dns.resolver(), authoritative=False)
    assert lookup.query("_dmarc.example.com", "TXT").records == (
        "v=DMARC1; p=none; rua=mailto:dmarc@example.com",
    )
    assert lookup.describe() == (
        Severity.OK,
        f"answers from the resolver 127.0.0.1 (port {world.dns.port})",
    )
    assert ("example.com", "NS") not in world.dns.queries


@pytest.mark.parametrize(
    ("zones", "org", "policy_domain"),
    [
        # No record: the last two labels (the documented heuristic).
        ({}, None, None),
        # The record with the fewest labels is the organisational domain.
        (
            {"example.co.uk": '_dmarc TXT "v=DMARC1; p=none"', "co.uk": ""},
            "example.co.uk",
            "example.co.uk",
        ),
        # A public-suffix record (psd=y): the organisational domain is one label below it.
        (
            {"co.uk": '_dmarc TXT "v=DMARC1; p=reject; psd=y"', "example.co.uk": ""},
            "example.co.uk",
            "co.uk",
        ),
        # psd=n marks the organisational domain itself.
        (
            {
                "mail.example.co.uk": '_dmarc TXT "v=DMARC1; p=none; psd=n"',
                "example.co.uk": '_dmarc TXT "v=DMARC1; p=reject"',
                "co.uk": "",
            },
            "mail.example.co.uk",
            "mail.example.co.uk",
        ),
    ],
)
def test_the_dmarc_tree_walk(
    zones: dict[str, str], org: str | None, policy_domain: str | None
) -> None:
    with FakeDNS() as server:
        server.add_zone("co.uk")
        for origin, text in zones.items():
            server.add_zone(origin, text)
        dmarc = find_dmarc("news.mail.example.co.uk", DnspythonLookup(server.resolver()))
    assert dmarc.asked == (
        "_dmarc.news.mail.example.co.uk",
        "_dmarc.mail.example.co.uk",
        "_dmarc.example.co.uk",
        "_dmarc.co.uk",
    )
    assert (dmarc.org_domain, dmarc.policy_domain) == (org, policy_domain)


def test_without_dnspython_the_dns_part_is_one_error(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "dns.resolver", None)
    with pytest.raises(sesflow.events.MissingExtraError, match=r"sesflow\[dns\]"):
        require_dnspython()
    report = world.ses.doctor("example.com", configuration_set="marketing")
    source = one(report, "dns.source")
    assert source.severity is Severity.ERROR
    assert source.found.startswith("not checked: checking live DNS needs the 'dnspython'")
    assert source.fix.startswith("pip install 'sesflow[dns]'")
    assert report.with_code("dns.dkim", "dns.dmarc", "alignment") == ()
    assert one(report, "identity.dkim").severity is Severity.OK  # SES's side still ran
