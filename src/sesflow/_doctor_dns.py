"""The doctor's live DNS checks: DKIM, MAIL FROM (MX and SPF), DMARC, and alignment.

The checks read DNS through `Lookup`, a small protocol (`query(name, rdtype) -> DnsAnswer`),
so they can be fed anything; `DnspythonLookup` is the one implementation, over a
`dns.resolver.Resolver` (dnspython, the `sesflow[dns]` extra, imported only when a lookup is
made). It asks the domain's own nameservers — found through the resolver given (or the
system's) by the zone's SOA and NS records — so a record published a minute ago shows, not a
cached answer; when those cannot be reached it falls back to the resolver and says so.

DMARC policy discovery and the organisational domain follow the DNS tree walk of DMARCbis
(no public-suffix list): `_dmarc.<name>` is asked for the From domain and each parent down to
two labels (the top-level domain is never asked, so a public-suffix domain's `psd=y` record is
not seen); the policy is the first record found walking up; the organisational domain is the
one marked `psd=n`, or one label below a `psd=y` record, or else the record's domain with the
fewest labels; without any record, the last two labels (wrong for `example.co.uk`-style
names: publish a DMARC record and it is right).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from ._dns import DnsRecord, DnsRecords
from ._domain import DEFAULT_DMARC, SPF_VALUE
from ._enums import RecordPurpose
from ._findings import Finding, Severity

__all__ = [
    "Dmarc",
    "DnsAnswer",
    "DnspythonLookup",
    "DomainFacts",
    "Lookup",
    "dns_findings",
    "find_dmarc",
    "parse_dmarc",
    "require_dnspython",
]

SPF_INCLUDE = "include:amazonses.com"
#: How many DNS lookups an SPF check may make (RFC 7208, 4.6.4).
_SPF_LOOKUPS = 10
#: How many CNAMEs a lookup follows.
_MAX_HOPS = 8
_POLICIES = ("none", "quarantine", "reject")


def require_dnspython() -> Any:
    """Import dnspython's resolver, or raise `MissingExtraError` naming `sesflow[dns]`."""
    try:
        import dns.exception
        import dns.rdatatype
        import dns.resolver
    except ImportError as exc:
        from ._errors import MissingExtraError

        raise MissingExtraError(
            "checking live DNS needs the 'dnspython' package: pip install 'sesflow[dns]'"
        ) from exc
    return dns


# --- looking up ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DnsAnswer:
    """What one DNS question got: `ok` (records), `nxdomain`, `nodata` or `error`.

    Records are text: a CNAME's or NS's target (lower case, no trailing dot), an MX as
    `"10 host"`, a TXT record's strings joined, an address as written.
    """

    name: str
    rdtype: str
    status: str
    records: tuple[str, ...] = ()
    detail: str = ""
    server: str = ""

    @property
    def found(self) -> bool:
        return self.status == "ok"

    def absence(self) -> str:
        """Why there is no record, in words."""
        where = f" (asked {self.server})" if self.server else ""
        if self.status == "nxdomain":
            return f"{self.name} does not exist{where}"
        if self.status == "nodata":
            return f"{self.name} has no {self.rdtype} record{where}"
        return f"the {self.rdtype} query for {self.name} failed: {self.detail}{where}"


class Lookup(Protocol):
    """Where the DNS checks get their answers: `DnspythonLookup`, or a test's own."""

    def query(self, name: str, rdtype: str) -> DnsAnswer:
        """Ask for the `rdtype` records of `name` (fully qualified, no trailing dot)."""
        ...

    def describe(self) -> tuple[Severity, str]:
        """Which servers answered, and whether that is as it should be."""
        ...


class _Server:
    """A resolver for one set of nameservers, and how to name them."""

    def __init__(self, resolver: Any, label: str) -> None:
        self.resolver = resolver
        self.label = label


class DnspythonLookup:
    """`Lookup` over dnspython, asking each name's authoritative nameservers.

    `resolver` (a `dns.resolver.Resolver`; None builds one from the system's configuration)
    finds each name's zone (SOA), the zone's nameservers (NS) and their addresses (A, AAAA);
    the question then goes to those addresses, on the resolver's port. With
    `authoritative=False`, or when the nameservers cannot be found or do not answer, the
    resolver itself is asked (and `describe()` says so).
    """

    def __init__(
        self, resolver: Any = None, *, authoritative: bool = True, lifetime: float = 5.0
    ) -> None:
        self._dns = require_dnspython()
        self._base = resolver if resolver is not None else self._dns.resolver.Resolver()
        self._lifetime = lifetime
        self._authoritative = authoritative
        self._zones: dict[str, str | None] = {}
        self._servers: dict[str, _Server | None] = {}
        self._used: dict[str, str] = {}
        self._missed: dict[str, str] = {}

    # Describing

    def _base_label(self) -> str:
        port = getattr(self._base, "port", 53)
        servers = [str(ns) for ns in getattr(self._base, "nameservers", ())]
        shown = ", ".join(servers) or "none configured"
        return f"the resolver {shown}" + (f" (port {port})" if port != 53 else "")

    def describe(self) -> tuple[Severity, str]:
        parts = []
        if self._used:
            zones = "; ".join(f"{zone}: {label}" for zone, label in sorted(self._used.items()))
            parts.append(f"asked each zone's authoritative nameservers ({zones})")
        if self._missed:
            missed = "; ".join(f"{name} ({why})" for name, why in sorted(self._missed.items()))
            parts.append(
                f"could not ask the authoritative nameservers for {missed}: "
                f"{self._base_label()} answered for those, and its answers may be cached"
            )
            return Severity.WARNING, "; ".join(parts)
        if not parts:
            return Severity.OK, f"answers from {self._base_label()}"
        return Severity.OK, parts[0]

    # Asking

    def query(self, name: str, rdtype: str) -> DnsAnswer:
        answer = self._ask(name, rdtype, hops=0)
        if answer.name != name:  # followed a CNAME: report it under the name asked
            return DnsAnswer(
                name, rdtype, answer.status, answer.records, answer.detail, answer.server
            )
        return answer

    def _ask(self, name: str, rdtype: str, *, hops: int) -> DnsAnswer:
        dns = self._dns
        server = self._server_for(name)
        resolver = server.resolver if server is not None else self._base
        label = server.label if server is not None else self._base_label()
        try:
            answer = resolver.resolve(name + ".", rdtype, raise_on_no_answer=False)
        except dns.resolver.NXDOMAIN:
            return DnsAnswer(name, rdtype, "nxdomain", server=label)
        except (dns.resolver.NoNameservers, dns.exception.Timeout) as exc:
            zone = self._zones.get(name)
            if server is not None and zone is not None:
                # Those nameservers do not answer: the resolver answers for their zone.
                self._servers[zone] = None
                self._used.pop(zone, None)
                self._missed[zone] = f"{label}: {_short(exc)}"
                return self._ask(name, rdtype, hops=hops)
            return DnsAnswer(name, rdtype, "error", detail=_short(exc), server=label)
        except dns.exception.DNSException as exc:
            return DnsAnswer(name, rdtype, "error", detail=_short(exc), server=label)
        if answer.rrset is None:
            canonical = str(answer.canonical_name).rstrip(".").lower()
            if rdtype != "CNAME" and canonical != name.lower() and hops < _MAX_HOPS:
                return self._ask(canonical, rdtype, hops=hops + 1)
            return DnsAnswer(name, rdtype, "nodata", server=label)
        records = tuple(_text(rdtype, rdata) for rdata in answer.rrset)
        return DnsAnswer(name, rdtype, "ok", records, server=label)

    def _server_for(self, name: str) -> _Server | None:
        """The authoritative nameservers of `name`'s zone, or None to ask the resolver."""
        if not self._authoritative:
            return None
        dns = self._dns
        if name not in self._zones:
            try:
                found = dns.resolver.zone_for_name(
                    name + ".", resolver=self._base, lifetime=self._lifetime
                )
            except dns.exception.DNSException as exc:
                self._zones[name] = None
                self._missed[name] = f"finding its zone: {_short(exc)}"
            else:
                self._zones[name] = str(found).rstrip(".").lower()
        zone = self._zones[name]
        if zone is None:
            return None
        if zone not in self._servers:
            try:
                self._servers[zone] = self._nameservers(zone)
            except dns.exception.DNSException as exc:
                self._servers[zone] = None
                self._missed[zone] = f"its NS records: {_short(exc)}"
            else:
                if self._servers[zone] is None:
                    self._missed[zone] = "no address for its nameservers"
        server = self._servers[zone]
        if server is not None:
            self._used[zone] = server.label
        return server

    def _nameservers(self, zone: str) -> _Server | None:
        dns = self._dns
        hosts = sorted(
            str(r.target).rstrip(".").lower() for r in self._base.resolve(zone + ".", "NS")
        )
        addresses: list[str] = []
        shown: list[str] = []
        for host in hosts:
            found: list[str] = []
            for rdtype in ("A", "AAAA"):
                try:
                    answer = self._base.resolve(host + ".", rdtype)
                except dns.exception.DNSException:
                    continue
                found += [str(r.address) for r in answer]
            if found:
                addresses += found
                shown.append(f"{host} ({', '.join(found)})")
        if not addresses:
            return None
        resolver = dns.resolver.Resolver(configure=False)
        resolver.nameservers = addresses
        resolver.port = getattr(self._base, "port", 53)
        resolver.lifetime = self._lifetime
        resolver.timeout = min(2.0, self._lifetime)
        resolver.use_edns(0, 0, 1232)
        return _Server(resolver, ", ".join(shown))


def _short(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return text.splitlines()[0][:200]


def _text(rdtype: str, rdata: Any) -> str:
    if rdtype in ("CNAME", "NS"):
        return str(rdata.target).rstrip(".").lower()
    if rdtype == "MX":
        return f"{rdata.preference} {str(rdata.exchange).rstrip('.').lower()}"
    if rdtype == "TXT":
        return b"".join(rdata.strings).decode("utf-8", errors="replace")
    if rdtype in ("A", "AAAA"):
        return str(rdata.address)
    return str(rdata.to_text())


# --- what SES says the domain needs ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DomainFacts:
    """What SES reports about the identity a From domain sends as: the DNS checks' input.

    Attributes:
        domain: the From domain checked.
        identity: the domain identity that covers it (the domain or a parent of it).
        region: the SES region.
        dkim_records: the Easy DKIM CNAMEs SES expects (empty for BYODKIM).
        byodkim_selector: the BYODKIM selector, if the identity signs with its own key.
        dkim_signing: whether SES signs as the identity (DKIM `SUCCESS`, signing on).
        mail_from: the custom MAIL FROM domain, if set.
        mail_from_active: whether SES uses it (MAIL FROM `SUCCESS`).
        mail_from_records: the MX and SPF records it needs.
    """

    domain: str
    identity: str
    region: str
    dkim_records: tuple[DnsRecord, ...] = ()
    byodkim_selector: str | None = None
    dkim_signing: bool = False
    mail_from: str | None = None
    mail_from_active: bool = False
    mail_from_records: tuple[DnsRecord, ...] = ()

    @property
    def feedback_host(self) -> str:
        return f"feedback-smtp.{self.region}.amazonses.com"


# --- DMARC ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Dmarc:
    """The DMARC policy that applies to a From domain, found by the tree walk.

    Attributes:
        domain: the From domain.
        policy_domain: where the record that applies was found (None: no record).
        record: that record's text.
        tags: its tags, names in lower case.
        problems: what is wrong with it (no `p=`, a bad value, several records...).
        org_domain: the organisational domain (see the module's docstring).
        failures: DNS questions that failed, in words.
        asked: the `_dmarc` names asked, in order.
        duplicates: the records, when one name holds several.
    """

    domain: str
    policy_domain: str | None = None
    record: str | None = None
    tags: Mapping[str, str] = field(default_factory=dict)
    problems: tuple[str, ...] = ()
    org_domain: str | None = None
    failures: tuple[str, ...] = ()
    asked: tuple[str, ...] = ()
    duplicates: tuple[str, ...] = ()

    @property
    def valid(self) -> bool:
        return self.record is not None and not self.problems and not self.duplicates

    def mode(self, tag: str) -> str:
        """`adkim`/`aspf`: `"s"` (strict) or `"r"` (relaxed, also the default)."""
        return "s" if self.valid and self.tags.get(tag, "r").lower() == "s" else "r"

    def policy(self) -> str | None:
        """The policy that applies to the From domain: `sp=` for a subdomain, else `p=`."""
        if not self.valid:
            return None
        if self.policy_domain != self.domain and "sp" in self.tags:
            return self.tags["sp"].lower()
        return self.tags.get("p", "").lower() or None

    def organisational(self, name: str) -> str:
        """The organisational domain of `name` by this walk's result (see the module)."""
        org = self.org_domain
        if org is not None and (name == org or name.endswith("." + org)):
            return org
        return ".".join(name.split(".")[-2:])


def parse_dmarc(text: str) -> tuple[dict[str, str], list[str]]:
    """The tags of a DMARC record and what is wrong with it (RFC 7489, DMARCbis).

    Examples:
        >>> parse_dmarc("v=DMARC1; p=none; rua=mailto:d@example.com")
        ({'v': 'DMARC1', 'p': 'none', 'rua': 'mailto:d@example.com'}, [])
        >>> parse_dmarc("v=DMARC1; rua=mailto:d@example.com")[1]
        ['no p= tag (the policy is required)']
    """
    tags: dict[str, str] = {}
    problems: list[str] = []
    parts = [p.strip() for p in text.split(";")]
    for part in parts:
        if not part:
            continue
        key, sep, value = part.partition("=")
        if not sep or not key.strip():
            problems.append(f"{part!r} is not a tag=value pair")
            continue
        tags.setdefault(key.strip().lower(), value.strip())
    if not parts or parts[0].replace(" ", "") != "v=DMARC1":
        problems.append("it does not start with v=DMARC1")
    policy = tags.get("p")
    if policy is None:
        problems.append("no p= tag (the policy is required)")
    elif policy.lower() not in _POLICIES:
        problems.append(f"p={policy} is not none, quarantine or reject")
    if "sp" in tags and tags["sp"].lower() not in _POLICIES:
        problems.append(f"sp={tags['sp']} is not none, quarantine or reject")
    for tag in ("adkim", "aspf"):
        if tag in tags and tags[tag].lower() not in ("r", "s"):
            problems.append(f"{tag}={tags[tag]} is not r or s")
    if "pct" in tags and not (tags["pct"].isdigit() and 0 <= int(tags["pct"]) <= 100):
        problems.append(f"pct={tags['pct']} is not a number from 0 to 100")
    return tags, problems


def _is_dmarc(text: str) -> bool:
    return text.replace(" ", "").startswith("v=DMARC1")


def _walk(domain: str) -> list[str]:
    """The names whose `_dmarc` record the tree walk asks for, the From domain first."""
    labels = domain.split(".")
    names = [".".join(labels[i:]) for i in range(len(labels) - 1)]
    if len(names) > 8:  # DMARCbis: from a long name, jump to the shorter ones
        names = [names[0], *names[-7:]]
    return names


def find_dmarc(domain: str, lookup: Lookup) -> Dmarc:
    """Walk up from `domain` for `_dmarc` records: the policy and the organisational domain."""
    found: dict[str, list[str]] = {}
    failures: list[str] = []
    asked: list[str] = []
    for name in _walk(domain):
        asked.append(f"_dmarc.{name}")
        answer = lookup.query(f"_dmarc.{name}", "TXT")
        if answer.status == "error":
            failures.append(answer.absence())
            continue
        records = [r for r in answer.records if _is_dmarc(r)]
        if records:
            found[name] = records
    org = _org_domain(domain, found)
    if not found:
        return Dmarc(domain, org_domain=org, failures=tuple(failures), asked=tuple(asked))
    policy_domain = next(iter(found))  # the first found walking up
    records = found[policy_domain]
    tags, problems = parse_dmarc(records[0])
    return Dmarc(
        domain,
        policy_domain=policy_domain,
        record=records[0],
        tags=tags,
        problems=tuple(problems),
        org_domain=org,
        failures=tuple(failures),
        asked=tuple(asked),
        duplicates=tuple(records) if len(records) > 1 else (),
    )


def _org_domain(domain: str, found: Mapping[str, Sequence[str]]) -> str | None:
    """DMARCbis: `psd=n` marks it; one label below a `psd=y` record; else the fewest labels."""
    if not found:
        return None
    labels = domain.split(".")
    for name, records in found.items():  # the From domain's side first
        psd = parse_dmarc(records[0])[0].get("psd", "").lower()
        if psd == "n":
            return name
        if psd == "y" and name != domain:
            return ".".join(labels[-(name.count(".") + 2) :])
    return min(found, key=lambda n: n.count("."))


def _dmarc_with(record: str, **tags: str) -> str:
    """`record` with `tags` set (added after `v=DMARC1`, or replaced)."""
    parts = [p.strip() for p in record.split(";") if p.strip()]
    out: list[str] = []
    for part in parts:
        key = part.partition("=")[0].strip().lower()
        if key in tags:
            out.append(f"{key}={tags.pop(key)}")
        else:
            out.append(part)
    if not out or out[0].replace(" ", "") != "v=DMARC1":
        out.insert(0, "v=DMARC1")
    for offset, (key, value) in enumerate(tags.items(), start=1):
        out.insert(offset, f"{key}={value}")
    return "; ".join(out) + ";"


def _dmarc_record(name: str, value: str) -> DnsRecord:
    return DnsRecord(f"_dmarc.{name}", "TXT", value, purpose=RecordPurpose.DMARC)


def _dmarc_findings(facts: DomainFacts | None, dmarc: Dmarc, *, bulk: bool) -> list[Finding]:
    domain = dmarc.domain
    check = f"DMARC policy for {domain}"
    home = facts.identity if facts is not None else domain
    asked = " and ".join(dmarc.asked)
    if dmarc.record is None:
        if dmarc.failures and len(dmarc.failures) == len(dmarc.asked):
            return [
                Finding(
                    Severity.ERROR,
                    check,
                    "could not look it up: " + "; ".join(dmarc.failures),
                    "make sure the domain's nameservers answer, then run the doctor again",
                    code="dns.dmarc",
                )
            ]
        need = (
            "Gmail, Yahoo and Outlook.com require DMARC (at least p=none) of bulk senders"
            if bulk
            else "mailbox providers want one (Gmail, Yahoo and Outlook.com require it of "
            "bulk senders)"
        )
        return [
            Finding(
                Severity.ERROR if bulk else Severity.WARNING,
                check,
                f"no DMARC record at {asked}; {need}",
                f"publish a DMARC record at the organisational domain ({home}); p=none "
                "to start, and add rua=mailto:... to receive aggregate reports",
                code="dns.dmarc",
                records=DnsRecords([_dmarc_record(home, DEFAULT_DMARC)]),
            )
        ]
    where = f"_dmarc.{dmarc.policy_domain}"
    assert dmarc.policy_domain is not None
    if dmarc.duplicates:
        return [
            Finding(
                Severity.ERROR,
                check,
                f"{len(dmarc.duplicates)} DMARC records at {where}: receivers then apply none "
                f"({' | '.join(dmarc.duplicates)})",
                f"keep exactly one DMARC record at {where}, e.g.:",
                code="dns.dmarc",
                records=DnsRecords([_dmarc_record(dmarc.policy_domain, dmarc.duplicates[0])]),
            )
        ]
    if dmarc.problems:
        fixed = dmarc.record
        if any(p.startswith(("no p=", "p=")) for p in dmarc.problems):
            fixed = _dmarc_with(fixed, p="none")
        return [
            Finding(
                Severity.ERROR,
                check,
                f"the record at {where} ({dmarc.record!r}) is not a valid DMARC policy: "
                + "; ".join(dmarc.problems),
                f"replace the record at {where} with a valid one:",
                code="dns.dmarc",
                records=DnsRecords([_dmarc_record(dmarc.policy_domain, fixed)]),
            )
        ]
    policy = dmarc.policy() or "none"
    meaning = {
        "none": "monitoring only: receivers deliver mail that fails DMARC (enough for the "
        "mailbox providers' rules; tighten to quarantine or reject once reports are clean)",
        "quarantine": "mail that fails DMARC goes to spam",
        "reject": "mail that fails DMARC is refused",
    }[policy]
    applies = (
        f" (for {domain}, a subdomain: {'sp=' if 'sp' in dmarc.tags else 'p='}{policy})"
        if dmarc.policy_domain != domain
        else ""
    )
    reports = (
        f"aggregate reports go to {dmarc.tags['rua']}"
        if "rua" in dmarc.tags
        else "no rua=, so nobody receives aggregate reports"
    )
    return [
        Finding(
            Severity.OK,
            check,
            f"{dmarc.record!r} at {where}{applies}: policy {policy}, {meaning}; alignment "
            f"DKIM {_MODE[dmarc.mode('adkim')]}, SPF {_MODE[dmarc.mode('aspf')]}; {reports}",
            code="dns.dmarc",
        )
    ]


_MODE = {"r": "relaxed", "s": "strict"}


# --- alignment ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Alignment:
    signer: str | None
    strict: bool
    relaxed: bool
    mode: str

    @property
    def aligned(self) -> bool:
        return self.strict if self.mode == "s" else self.relaxed


def _align(name: str | None, facts: DomainFacts, dmarc: Dmarc, tag: str) -> _Alignment:
    mode = dmarc.mode(tag)
    if name is None:
        return _Alignment(None, False, False, mode)
    domain = facts.domain
    strict = name == domain
    relaxed = dmarc.organisational(name) == dmarc.organisational(domain)
    return _Alignment(name, strict, relaxed, mode)


def _yes(value: bool) -> str:
    return "aligned" if value else "not aligned"


def _alignment_findings(facts: DomainFacts, dmarc: Dmarc) -> list[Finding]:
    domain = facts.domain
    dkim = _align(facts.identity if facts.dkim_signing else None, facts, dmarc, "adkim")
    mail_from = facts.mail_from if facts.mail_from and facts.mail_from_active else None
    spf = _align(mail_from, facts, dmarc, "aspf")

    def severity(this: _Alignment, other: _Alignment) -> Severity:
        if this.aligned:
            return Severity.OK
        return Severity.WARNING if other.aligned else Severity.ERROR

    both_fail = (
        " Neither DKIM nor SPF aligns: DMARC fails for this mail."
        if not (dkim.aligned or spf.aligned)
        else ""
    )
    policy_home = dmarc.policy_domain or facts.identity
    findings: list[Finding] = []

    # DKIM
    check = f"DKIM alignment with the From domain {domain}"
    if dkim.signer is None:
        found = (
            f"SES signs only as amazonses.com: DKIM of {facts.identity} is not in use yet, "
            f"so DKIM does not align with {domain}."
        )
        fix = (
            f"publish the DKIM records and wait for SES to find them "
            f"(ses.domain({facts.identity!r}).wait_until_dkim_verified())"
        )
        records = DnsRecords(facts.dkim_records)
    else:
        found = (
            f"SES signs as d={dkim.signer}: {_yes(dkim.relaxed)} (relaxed), "
            f"{_yes(dkim.strict)} (strict); the DMARC policy asks {_MODE[dkim.mode]}."
        )
        fix = ""
        records = DnsRecords()
        if not dkim.aligned:
            fix = (
                f"sign as {domain} itself: verify it as its own identity "
                f"(ses.domain({domain!r}).create(), then publish its DNS records), or relax "
                "DKIM alignment (adkim=r) in the DMARC record:"
            )
            if dmarc.record is not None and dmarc.policy_domain is not None:
                records = DnsRecords(
                    [_dmarc_record(dmarc.policy_domain, _dmarc_with(dmarc.record, adkim="r"))]
                )
    findings.append(
        Finding(
            severity(dkim, spf),
            check,
            found + (both_fail if not dkim.aligned else ""),
            fix,
            code="alignment.dkim",
            records=records,
        )
    )

    # SPF, through the MAIL FROM domain
    check = f"SPF alignment with the From domain {domain}"
    records = DnsRecords()
    fix = ""
    if spf.signer is None:
        if facts.mail_from is None:
            suggested = f"mail.{facts.identity}"
            found = (
                "no custom MAIL FROM domain: SES sends with a MAIL FROM under amazonses.com, "
                f"so SPF passes for amazonses.com but does not align with {domain}."
            )
            fix = (
                "set a custom MAIL FROM domain (a subdomain used for nothing else): "
                f"ses.domain({facts.identity!r}).set_mail_from({suggested!r}), and publish:"
            )
            records = DnsRecords(
                [
                    DnsRecord(
                        suggested,
                        "MX",
                        facts.feedback_host,
                        priority=10,
                        purpose=RecordPurpose.MAIL_FROM_MX,
                    ),
                    DnsRecord(
                        suggested,
                        "TXT",
                        SPF_VALUE,
                        purpose=RecordPurpose.MAIL_FROM_SPF,
                    ),
                ]
            )
        else:
            found = (
                f"the MAIL FROM domain {facts.mail_from} is not in use yet (SES has not "
                "found its MX record), so SES falls back to amazonses.com and SPF does not "
                f"align with {domain}."
            )
            fix = "publish the MAIL FROM records:"
            records = DnsRecords(facts.mail_from_records)
    else:
        found = (
            f"MAIL FROM {spf.signer}: {_yes(spf.relaxed)} (relaxed), {_yes(spf.strict)} "
            f"(strict); the DMARC policy asks {_MODE[spf.mode]}."
        )
        if not spf.aligned:
            fix = (
                "a custom MAIL FROM is a subdomain, so it never aligns strictly: relax SPF "
                "alignment (aspf=r) in the DMARC record, or rely on DKIM alignment:"
            )
            if dmarc.record is not None:
                records = DnsRecords(
                    [_dmarc_record(policy_home, _dmarc_with(dmarc.record, aspf="r"))]
                )
    findings.append(
        Finding(
            severity(spf, dkim),
            check,
            found + (both_fail if not spf.aligned else ""),
            fix,
            code="alignment.spf",
            records=records,
        )
    )
    return findings


# --- DKIM ---------------------------------------------------------------------------------


def _dkim_findings(facts: DomainFacts, lookup: Lookup) -> list[Finding]:
    if facts.byodkim_selector is not None:
        return [_byodkim_finding(facts, facts.byodkim_selector, lookup)]
    if not facts.dkim_records:
        return [
            Finding(
                Severity.ERROR,
                f"DKIM records of {facts.identity}",
                "SES reports no Easy DKIM tokens for this identity, so there is nothing to "
                "publish yet",
                f"set up Easy DKIM: ses.domain({facts.identity!r}).create(dkim=EasyDkim())",
                code="dns.dkim",
            )
        ]
    findings = []
    for record in facts.dkim_records:
        answer = lookup.query(record.name, "CNAME")
        check = f"DKIM CNAME {record.name}"
        expected = record.value.lower()
        if answer.found and expected in answer.records:
            findings.append(
                Finding(Severity.OK, check, f"points to {record.value}", code="dns.dkim")
            )
            continue
        if answer.found:
            found = (
                f"points to {', '.join(answer.records)}; SES expects {record.value} "
                "(a token from another set-up or another region?)"
            )
            fix = "replace it with:"
        elif answer.status == "error":
            found, fix = answer.absence(), "make sure the nameservers answer; the record is:"
        else:
            found, fix = f"no CNAME: {answer.absence()}", "publish:"
        findings.append(
            Finding(
                Severity.ERROR, check, found, fix, code="dns.dkim", records=DnsRecords([record])
            )
        )
    return findings


def _byodkim_finding(facts: DomainFacts, selector: str, lookup: Lookup) -> Finding:
    name = f"{selector}._domainkey.{facts.identity}"
    check = f"DKIM key (BYODKIM) {name}"
    fix = (
        f"publish TXT {name} = p=<your public key>: sesflow prints it with "
        f"ses.domain({facts.identity!r}).dns_records(byodkim=Byodkim({selector!r}, pem))"
    )
    answer = lookup.query(name, "TXT")
    if not answer.found:
        return Finding(Severity.ERROR, check, answer.absence(), fix, code="dns.dkim")
    keys = [r for r in answer.records if re.search(r"(^|;)\s*p=", r)]
    if not keys:
        return Finding(
            Severity.ERROR,
            check,
            f"TXT records without a p= key: {answer.records}",
            fix,
            code="dns.dkim",
        )
    key = re.search(r"(?:^|;)\s*p=([^;]*)", keys[0])
    value = "".join(key.group(1).split()) if key else ""
    if not value:
        return Finding(
            Severity.ERROR, check, "the key is empty (p=): a revoked key", fix, code="dns.dkim"
        )
    return Finding(
        Severity.OK,
        check,
        f"a DKIM key is published (p={value[:12]}..., {len(value)} base64 characters); "
        "SES never returns your key, so the doctor cannot compare it: SES's DKIM status "
        "says whether it matches",
        code="dns.dkim",
    )


# --- MAIL FROM ------------------------------------------------------------------------------


def _expected(records: Iterable[DnsRecord], purpose: RecordPurpose) -> DnsRecord | None:
    return next((r for r in records if r.purpose is purpose), None)


def _mail_from_findings(facts: DomainFacts, lookup: Lookup) -> list[Finding]:
    mail_from = facts.mail_from
    if mail_from is None:
        return []
    mx = _expected(facts.mail_from_records, RecordPurpose.MAIL_FROM_MX) or DnsRecord(
        mail_from, "MX", facts.feedback_host, priority=10, purpose=RecordPurpose.MAIL_FROM_MX
    )
    spf = _expected(facts.mail_from_records, RecordPurpose.MAIL_FROM_SPF) or DnsRecord(
        mail_from, "TXT", SPF_VALUE, purpose=RecordPurpose.MAIL_FROM_SPF
    )
    return [_mx_finding(facts, mx, lookup), _spf_finding(mail_from, spf, lookup)]


def _mx_finding(facts: DomainFacts, mx: DnsRecord, lookup: Lookup) -> Finding:
    name = mx.name
    check = f"MAIL FROM MX {name}"
    answer = lookup.query(name, "MX")
    hosts = [r.partition(" ")[2] for r in answer.records]
    expected = facts.feedback_host
    if answer.found and hosts == [expected]:
        return Finding(
            Severity.OK, check, f"one MX record, {answer.records[0]}", code="dns.mail_from_mx"
        )
    if not answer.found:
        found = f"no MX record: {answer.absence()}; bounces and complaints cannot come back"
        fix = "publish:"
    elif len(hosts) > 1:
        found = (
            f"{len(hosts)} MX records ({', '.join(answer.records)}); SES needs exactly one, "
            f"to {expected}"
        )
        fix = "keep only this MX record:"
    else:
        other = re.fullmatch(r"feedback-smtp\.([a-z0-9-]+)\.amazonses\.com", hosts[0])
        hint = (
            f" (the feedback endpoint of {other.group(1)}, not of {facts.region})" if other else ""
        )
        found = f"the MX points to {hosts[0]}{hint}; SES expects {expected}"
        fix = "replace it with:"
    return Finding(
        Severity.ERROR, check, found, fix, code="dns.mail_from_mx", records=DnsRecords([mx])
    )


def _is_spf(text: str) -> bool:
    lower = text.lower()
    return lower == "v=spf1" or lower.startswith("v=spf1 ")


def _spf_finding(name: str, spf: DnsRecord, lookup: Lookup) -> Finding:
    check = f"MAIL FROM SPF {name}"
    answer = lookup.query(name, "TXT")
    records = [r for r in answer.records if _is_spf(r)] if answer.found else []
    if not records:
        found = (
            answer.absence()
            if not answer.found
            else f"TXT records, but none is SPF (v=spf1): {list(answer.records)}"
        )
        return Finding(
            Severity.ERROR,
            check,
            f"no SPF record: {found}",
            "publish:",
            code="dns.mail_from_spf",
            records=DnsRecords([spf]),
        )
    if len(records) > 1:
        return Finding(
            Severity.ERROR,
            check,
            f"{len(records)} SPF records ({' | '.join(records)}): receivers then fail SPF "
            "(permerror)",
            "merge them into one SPF record that includes amazonses.com, e.g.:",
            code="dns.mail_from_spf",
            records=DnsRecords([spf]),
        )
    record = records[0]
    path = _spf_includes(record, lookup)
    if path is not None:
        through = f" (through {' → '.join(path)})" if path else ""
        return Finding(
            Severity.OK,
            check,
            f"{record!r} includes amazonses.com{through}",
            code="dns.mail_from_spf",
        )
    fixed = DnsRecord(
        name, "TXT", _with_amazonses(record), spf.ttl, purpose=RecordPurpose.MAIL_FROM_SPF
    )
    return Finding(
        Severity.ERROR,
        check,
        f"{record!r} does not include amazonses.com: SPF fails for mail SES sends",
        "add include:amazonses.com:",
        code="dns.mail_from_spf",
        records=DnsRecords([fixed]),
    )


def _spf_terms(record: str) -> list[str]:
    return record.split()[1:]


def _spf_includes(record: str, lookup: Lookup) -> list[str] | None:
    """The include/redirect path to amazonses.com ([] when direct), or None."""
    budget = [_SPF_LOOKUPS]

    def walk(text: str, seen: frozenset[str]) -> list[str] | None:
        for term in _spf_terms(text):
            lower = term.lower().lstrip("+?~-")
            target = None
            if lower.startswith("include:"):
                target = lower.partition(":")[2]
            elif lower.startswith("redirect="):
                target = lower.partition("=")[2]
            if target is None:
                continue
            if target == "amazonses.com":
                return []
            if target in seen or budget[0] <= 0 or "%" in target:
                continue
            budget[0] -= 1
            answer = lookup.query(target.rstrip("."), "TXT")
            for child in (r for r in answer.records if _is_spf(r)):
                path = walk(child, seen | {target})
                if path is not None:
                    return [term, *path]
        return None

    return walk(record, frozenset())


def _with_amazonses(record: str) -> str:
    parts = record.split()
    return " ".join([parts[0], SPF_INCLUDE, *parts[1:]])


# --- all of it ------------------------------------------------------------------------------


def dns_findings(
    domain: str,
    facts: DomainFacts | None,
    lookup: Lookup,
    *,
    bulk: bool,
) -> list[Finding]:
    """Every live-DNS finding for `domain` (DKIM and MAIL FROM only when SES knows the
    identity), preceded by one saying which servers answered."""
    findings: list[Finding] = []
    if facts is not None:
        findings += _dkim_findings(facts, lookup)
        findings += _mail_from_findings(facts, lookup)
    dmarc = find_dmarc(domain, lookup)
    findings += _dmarc_findings(facts, dmarc, bulk=bulk)
    if facts is not None:
        findings += _alignment_findings(facts, dmarc)
    severity, where = lookup.describe()
    fix = (
        "check that the domain's NS records name nameservers that answer, and that this "
        "machine may reach them (UDP and TCP port 53)"
        if severity is not Severity.OK
        else ""
    )
    source = Finding(severity, "where the DNS answers came from", where, fix, code="dns.source")
    return [source, *findings]
