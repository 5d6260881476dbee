"""What `SES.doctor()` returns: findings, each with a severity, and the report holding them.

Values only (frozen dataclasses, no AWS call): the checks that make them live in `_doctor.py`
(SES's side) and `_doctor_dns.py` (live DNS).
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, cast

from ._dns import DnsRecord, DnsRecords

__all__ = ["DoctorReport", "Finding", "Severity"]


class Severity(StrEnum):
    """How bad a finding is: `error` (mail fails or will be refused), `warning` (it goes,
    but worse than it could), `ok` (checked and fine).

    Examples:
        >>> Severity("error") is Severity.ERROR
        True
        >>> sorted([Severity.OK, Severity.ERROR, Severity.WARNING], key=Severity.rank)
        [<Severity.ERROR: 'error'>, <Severity.WARNING: 'warning'>, <Severity.OK: 'ok'>]
    """

    ERROR = "error"
    WARNING = "warning"
    OK = "ok"

    def rank(self) -> int:
        """0 for an error, 1 for a warning, 2 for ok: to sort the worst first.

        Examples:
            >>> Severity.WARNING.rank()
            1
        """
        return _RANKS[self]


_RANKS = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.OK: 2}


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing `SES.doctor()` checked: what, what it found, and the exact fix.

    Attributes:
        severity: `Severity.ERROR`, `WARNING` or `OK` (plain strings are accepted).
        check: what was checked, e.g. `"DKIM CNAME abc._domainkey.example.com"`.
        found: what the doctor found there.
        fix: what to do about it: the record to publish, the call to make; empty when ok.
        code: a stable identifier of the kind of check (`"dns.dkim"`, `"account.sandbox"`,
            ...), for scripts.
        records: the DNS records the fix publishes, as `DnsRecords` (empty when the fix
            is not a record).

    Examples:
        >>> finding = Finding("error", "DMARC record _dmarc.example.com", "no DMARC record",
        ...                   "publish the record below", code="dns.dmarc",
        ...                   records=DnsRecords([DnsRecord("_dmarc.example.com", "TXT",
        ...                                                 "v=DMARC1; p=none;")]))
        >>> finding.severity
        <Severity.ERROR: 'error'>
        >>> print(finding.records.to_bind())
        _dmarc.example.com. 1800 IN TXT "v=DMARC1; p=none;"
    """

    severity: Severity
    check: str
    found: str
    fix: str = ""
    code: str = ""
    records: DnsRecords = field(default_factory=DnsRecords)

    def __post_init__(self) -> None:
        object.__setattr__(self, "severity", Severity(self.severity))
        records: object = self.records
        if not isinstance(records, DnsRecords):
            # A plain sequence of records is taken too, as a frozen DnsRecords.
            object.__setattr__(self, "records", DnsRecords(cast("list[DnsRecord]", records)))

    def as_dict(self) -> dict[str, Any]:
        """This finding as plain JSON types.

        Examples:
            >>> Finding("ok", "account sending", "sending is enabled", code="account.sending"
            ...         ).as_dict()
            {'severity': 'ok', 'check': 'account sending', 'found': 'sending is enabled',
             'fix': '', 'code': 'account.sending', 'records': []}
        """
        return {
            "severity": self.severity.value,
            "check": self.check,
            "found": self.found,
            "fix": self.fix,
            "code": self.code,
            "records": [_record_dict(r) for r in self.records],
        }


def _record_dict(record: DnsRecord) -> dict[str, Any]:
    return {
        "name": record.name,
        "type": record.type,
        "value": record.value,
        "ttl": record.ttl,
        "priority": record.priority,
        "purpose": record.purpose.value if record.purpose else None,
        "bind": record.to_bind(),
    }


@dataclass(frozen=True, slots=True)
class DoctorReport:
    """What `SES.doctor()` found for a domain: its findings, in the order checked.

    Iterating gives the findings; `ok` is true when none is an error. `str(report)` is a
    text report, `to_json()` a JSON document, and a notebook shows a table.

    Attributes:
        domain: the From domain that was checked.
        region: the SES region that was asked.
        findings: every finding, in the order the checks ran.

    Examples:
        >>> report = DoctorReport("example.com", "us-east-1", (
        ...     Finding("ok", "identity example.com", "exists, verified"),
        ...     Finding("warning", "account sandbox", "in the sandbox",
        ...             "ses.account().request_production_access(...)"),
        ... ))
        >>> report.ok, len(report.errors), len(report.warnings)
        (True, 0, 1)
        >>> [f.severity.value for f in report]
        ['ok', 'warning']
    """

    domain: str
    region: str
    findings: tuple[Finding, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "findings", tuple(self.findings))

    def __iter__(self) -> Iterator[Finding]:
        return iter(self.findings)

    def __len__(self) -> int:
        return len(self.findings)

    @property
    def errors(self) -> tuple[Finding, ...]:
        """The findings of severity `error`.

        Examples:
            >>> DoctorReport("example.com", "us-east-1",
            ...              (Finding("error", "identity", "missing"),)).errors[0].found
            'missing'
        """
        return tuple(f for f in self.findings if f.severity is Severity.ERROR)

    @property
    def warnings(self) -> tuple[Finding, ...]:
        """The findings of severity `warning`.

        Examples:
            >>> DoctorReport("example.com", "us-east-1", ()).warnings
            ()
        """
        return tuple(f for f in self.findings if f.severity is Severity.WARNING)

    @property
    def ok(self) -> bool:
        """True when no finding is an error (warnings allowed).

        Examples:
            >>> DoctorReport("example.com", "us-east-1", (Finding("warning", "a", "b"),)).ok
            True
        """
        return not self.errors

    def with_code(self, *prefixes: str) -> tuple[Finding, ...]:
        """The findings whose `code` is one of `prefixes` or starts with `prefix.`.

        Examples:
            >>> report = DoctorReport("example.com", "us-east-1", (
            ...     Finding("ok", "a", "b", code="dns.dkim"),
            ...     Finding("ok", "c", "d", code="account.sandbox")))
            >>> [f.code for f in report.with_code("dns")]
            ['dns.dkim']
        """
        return tuple(
            f
            for f in self.findings
            if any(f.code == p or f.code.startswith(p + ".") for p in prefixes)
        )

    def summary(self) -> str:
        """One line: the domain and how many errors, warnings and ok findings.

        Examples:
            >>> DoctorReport("example.com", "us-east-1",
            ...              (Finding("error", "a", "b"), Finding("ok", "c", "d"))).summary()
            'example.com (us-east-1): 1 error, 0 warnings, 1 ok'
        """
        errors, warnings = len(self.errors), len(self.warnings)
        fine = len(self.findings) - errors - warnings
        return (
            f"{self.domain} ({self.region}): {errors} error{'s' * (errors != 1)}, "
            f"{warnings} warning{'s' * (warnings != 1)}, {fine} ok"
        )

    def as_dict(self) -> dict[str, Any]:
        """The report as plain JSON types (what `to_json()` writes).

        Examples:
            >>> DoctorReport("example.com", "us-east-1", ()).as_dict()
            {'domain': 'example.com', 'region': 'us-east-1', 'ok': True, 'errors': 0,
             'warnings': 0, 'findings': []}
        """
        return {
            "domain": self.domain,
            "region": self.region,
            "ok": self.ok,
            "errors": len(self.errors),
            "warnings": len(self.warnings),
            "findings": [f.as_dict() for f in self.findings],
        }

    def to_json(self, *, indent: int | None = 2) -> str:
        """The report as a JSON document.

        Examples:
            >>> print(DoctorReport("example.com", "us-east-1", ()).to_json(indent=None))
            {"domain": "example.com", "region": "us-east-1", "ok": true, "errors": 0,
             "warnings": 0, "findings": []}
        """
        return json.dumps(self.as_dict(), indent=indent, ensure_ascii=False)

    def __str__(self) -> str:
        return self.to_text()

    def __repr__(self) -> str:
        return (
            f"DoctorReport({self.domain!r}, region={self.region!r}, ok={self.ok}, "
            f"errors={len(self.errors)}, warnings={len(self.warnings)}, "
            f"findings={len(self.findings)})"
        )

    def to_text(self) -> str:
        """A plain-text report: the summary, then each finding with what was found and the
        fix (records as zone-file lines).

        Examples:
            >>> print(DoctorReport("example.com", "us-east-1", (
            ...     Finding("error", "DMARC record _dmarc.example.com", "no DMARC record",
            ...             "publish:", records=[DnsRecord("_dmarc.example.com", "TXT",
            ...                                            "v=DMARC1; p=none;")]),
            ...     Finding("ok", "account sending", "sending is enabled"),
            ... )).to_text())
            example.com (us-east-1): 1 error, 0 warnings, 1 ok
            <BLANKLINE>
            error    DMARC record _dmarc.example.com
                     found: no DMARC record
                     fix:   publish:
                            _dmarc.example.com. 1800 IN TXT "v=DMARC1; p=none;"
            ok       account sending
                     found: sending is enabled
        """
        lines = [self.summary(), ""]
        pad = " " * 9
        for finding in self.findings:
            lines.append(f"{finding.severity.value:<8} {finding.check}")
            lines += _labelled(pad, "found: ", finding.found)
            fix = finding.fix
            if finding.records:
                fix = "\n".join(filter(None, [fix, finding.records.to_bind()]))
            if fix:
                lines += _labelled(pad, "fix:   ", fix)
        return "\n".join(lines)

    def _repr_markdown_(self) -> str:
        """A Markdown table, for notebooks and Markdown reports.

        Examples:
            >>> print(DoctorReport("example.com", "us-east-1", (
            ...     Finding("warning", "account sandbox", "in the sandbox", "request | access"),
            ... ))._repr_markdown_())
            **example.com (us-east-1): 0 errors, 1 warning, 0 ok**
            <BLANKLINE>
            | Severity | Check | Found | Fix |
            | --- | --- | --- | --- |
            | warning | account sandbox | in the sandbox | request \\| access |
        """
        rows = [
            f"**{self.summary()}**",
            "",
            "| Severity | Check | Found | Fix |",
            "| --- | --- | --- | --- |",
        ]
        for f in self.findings:
            fix = _md(f.fix)
            if f.records:
                bind = "<br>".join(f"`{r.to_bind()}`" for r in f.records)
                fix = f"{fix}<br>{bind}" if fix else bind
            rows.append(f"| {f.severity.value} | {_md(f.check)} | {_md(f.found)} | {fix} |")
        return "\n".join(rows)

    def _repr_html_(self) -> str:
        """An HTML table, for notebooks (cells left-aligned, as `DnsRecords` renders).

        Examples:
            >>> page = DoctorReport("example.com", "us-east-1",
            ...                     (Finding("error", "identity", "missing"),))._repr_html_()
            >>> page.startswith("<p><b>example.com"), "<td" in page
            (True, True)
        """
        left = 'style="text-align:left"'
        head = "".join(f"<th {left}>{h}</th>" for h in ("Severity", "Check", "Found", "Fix"))
        body = []
        for f in self.findings:
            colour = _COLOURS[f.severity]
            fix = html.escape(f.fix).replace("\n", "<br>")
            if f.records:
                codes = "<br>".join(f"<code>{html.escape(r.to_bind())}</code>" for r in f.records)
                fix = f"{fix}<br>{codes}" if fix else codes
            body.append(
                f'<tr><td {left}><b style="color:{colour}">{f.severity.value}</b></td>'
                f"<td {left}>{html.escape(f.check)}</td>"
                f"<td {left}>{html.escape(f.found)}</td><td {left}>{fix}</td></tr>"
            )
        return (
            f"<p><b>{html.escape(self.summary())}</b></p>"
            f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
        )


_COLOURS = {Severity.ERROR: "#c62828", Severity.WARNING: "#ef6c00", Severity.OK: "#2e7d32"}


def _labelled(pad: str, label: str, text: str) -> list[str]:
    first, *rest = text.splitlines() or [""]
    return [f"{pad}{label}{first}", *(f"{pad}{' ' * len(label)}{line}" for line in rest)]


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", "<br>")
