"""DNS records a domain identity needs, and their renderings.

Names and CNAME/MX targets are kept fully qualified *without* a trailing dot, TXT values
as plain unquoted text; each rendering adds what its format needs (trailing dots and
quoted, 255-byte-split TXT strings for zone files and Route 53). Getting these details
wrong — a missing trailing dot makes a zone file append the origin twice — is the most
common DNS mistake in the peers' trackers.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, overload

from ._enums import RecordPurpose
from ._errors import ValidationError

__all__ = ["DnsRecord", "DnsRecords"]

_TYPES = ("CNAME", "MX", "TXT")
# One DNS character-string holds at most 255 bytes; longer TXT data is split.
_TXT_CHUNK = 255


def _txt_strings(value: str) -> str:
    raw = value.encode("utf-8")
    chunks = [raw[i : i + _TXT_CHUNK] for i in range(0, len(raw), _TXT_CHUNK)] or [b""]
    quoted = []
    for chunk in chunks:
        text = chunk.decode("utf-8", errors="replace")
        quoted.append('"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"')
    return " ".join(quoted)


@dataclass(frozen=True, slots=True)
class DnsRecord:
    """One DNS record to publish.

    Attributes:
        name: fully qualified, no trailing dot (`abc._domainkey.example.com`).
        type: `"CNAME"`, `"MX"` or `"TXT"`.
        value: the target (CNAME, MX; fully qualified, no trailing dot) or the unquoted
            TXT text.
        ttl: time to live in seconds.
        priority: the MX preference; None for other types.
        purpose: why the record exists (`RecordPurpose`), or None.

    Examples:
        >>> rec = DnsRecord("_dmarc.example.com", "TXT", "v=DMARC1; p=none;",
        ...                 purpose=RecordPurpose.DMARC)
        >>> rec.to_bind()
        '_dmarc.example.com. 1800 IN TXT "v=DMARC1; p=none;"'
    """

    name: str
    type: str
    value: str
    ttl: int = 1800
    priority: int | None = None
    purpose: RecordPurpose | None = None

    def __post_init__(self) -> None:
        if self.type not in _TYPES:
            raise ValidationError(
                f"type: {self.type!r} is not one of {', '.join(_TYPES)}",
                field="type",
                value=self.type,
            )
        if not self.name or self.name.endswith("."):
            raise ValidationError(
                f"name: {self.name!r} must be fully qualified without a trailing dot",
                field="name",
                value=self.name,
            )
        if self.type == "MX" and self.priority is None:
            raise ValidationError("priority: an MX record needs a priority", field="priority")
        if self.type != "MX" and self.priority is not None:
            raise ValidationError(
                f"priority: only MX records have a priority, not {self.type}", field="priority"
            )
        if self.ttl < 0:
            raise ValidationError(f"ttl: must be non-negative, got {self.ttl}", field="ttl")
        purpose: object = self.purpose
        if isinstance(purpose, str) and not isinstance(purpose, RecordPurpose):
            # Accept the plain string, as everywhere an enum is taken.
            object.__setattr__(self, "purpose", RecordPurpose(purpose))

    @property
    def rdata(self) -> str:
        """The record data as a zone file or Route 53 writes it.

        Examples:
            >>> DnsRecord("mail.example.com", "MX", "feedback-smtp.us-east-1.amazonses.com",
            ...           priority=10).rdata
            '10 feedback-smtp.us-east-1.amazonses.com.'
        """
        if self.type == "TXT":
            return _txt_strings(self.value)
        if self.type == "MX":
            return f"{self.priority} {self.value}."
        return f"{self.value}."

    def to_bind(self) -> str:
        """This record as one zone-file line (trailing dots, quoted TXT).

        Examples:
            >>> DnsRecord("a._domainkey.example.com", "CNAME", "a.dkim.amazonses.com").to_bind()
            'a._domainkey.example.com. 1800 IN CNAME a.dkim.amazonses.com.'
        """
        return f"{self.name}. {self.ttl} IN {self.type} {self.rdata}"


class DnsRecords(Sequence[DnsRecord]):
    """An ordered, immutable sequence of `DnsRecord`s with renderings.

    Examples:
        >>> records = ses.domain("example.com").create().dns_records()
        >>> [r.purpose.value for r in records]
        ['dkim', 'dkim', 'dkim', 'dmarc']
        >>> dmarc = records.with_purpose("dmarc")
        >>> print(dmarc)                  # an aligned text table
        TYPE  NAME                VALUE                PURPOSE
        TXT   _dmarc.example.com  "v=DMARC1; p=none;"  dmarc
        >>> print(dmarc.to_bind())        # zone-file lines
        _dmarc.example.com. 1800 IN TXT "v=DMARC1; p=none;"
        >>> dmarc.to_route53_changes()    # a Route 53 ChangeBatch["Changes"] list
        [{'Action': 'UPSERT', 'ResourceRecordSet': {'Name': '_dmarc.example.com.', 'Type': 'TXT',
          'TTL': 1800, 'ResourceRecords': [{'Value': '"v=DMARC1; p=none;"'}]}}]
    """

    __slots__ = ("_records",)

    def __init__(self, records: Iterable[DnsRecord] = ()) -> None:
        self._records: tuple[DnsRecord, ...] = tuple(records)

    @overload
    def __getitem__(self, index: int) -> DnsRecord: ...
    @overload
    def __getitem__(self, index: slice) -> DnsRecords: ...
    def __getitem__(self, index: int | slice) -> DnsRecord | DnsRecords:
        if isinstance(index, slice):
            return DnsRecords(self._records[index])
        return self._records[index]

    def __len__(self) -> int:
        return len(self._records)

    def __iter__(self) -> Iterator[DnsRecord]:
        return iter(self._records)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, DnsRecords):
            return self._records == other._records
        if isinstance(other, Sequence) and not isinstance(other, str):
            return self._records == tuple(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._records)

    def __repr__(self) -> str:
        # One record per line: a domain's six records on one line were unreadable.
        if not self._records:
            return "DnsRecords([])"
        lines = "".join(f"    {r!r},\n" for r in self._records)
        return f"DnsRecords([\n{lines}])"

    def __str__(self) -> str:
        return self.to_table()

    def with_purpose(self, *purposes: RecordPurpose | str) -> DnsRecords:
        """Only the records whose purpose is one of `purposes`.

        Examples:
            >>> dom = ses.domain("example.com").create()
            >>> len(dom.dns_records().with_purpose("dkim"))  # the three DKIM CNAMEs
            3
        """
        wanted = {RecordPurpose(p) for p in purposes}
        return DnsRecords(r for r in self._records if r.purpose in wanted)

    def to_bind(self) -> str:
        """Zone-file lines, one per record, with trailing dots and quoted TXT strings.

        Examples:
            >>> records = DnsRecords([
            ...     DnsRecord("abc._domainkey.example.com", "CNAME", "abc.dkim.amazonses.com"),
            ...     DnsRecord("_dmarc.example.com", "TXT", "v=DMARC1; p=none;"),
            ... ])
            >>> print(records.to_bind())
            abc._domainkey.example.com. 1800 IN CNAME abc.dkim.amazonses.com.
            _dmarc.example.com. 1800 IN TXT "v=DMARC1; p=none;"
        """
        return "\n".join(r.to_bind() for r in self._records)

    def to_route53_changes(self) -> list[dict[str, Any]]:
        """A Route 53 `ChangeBatch["Changes"]` list that UPSERTs every record.

        Records of the same name and type are merged into one record set, as Route 53
        requires.

        Examples:
            >>> records = DnsRecords([DnsRecord("_dmarc.example.com", "TXT", "v=DMARC1; p=none;")])
            >>> records.to_route53_changes()
            [{'Action': 'UPSERT', 'ResourceRecordSet': {'Name': '_dmarc.example.com.',
              'Type': 'TXT', 'TTL': 1800, 'ResourceRecords': [{'Value': '"v=DMARC1; p=none;"'}]}}]
            >>> # needs AWS: a Route 53 hosted zone (`Domain.publish_to_route53` does all this)
            >>> route53.change_resource_record_sets(  # doctest: +SKIP
            ...     HostedZoneId=zone_id,
            ...     ChangeBatch={"Changes": records.to_route53_changes()},
            ... )
        """
        groups: dict[tuple[str, str], list[DnsRecord]] = {}
        for record in self._records:
            groups.setdefault((record.name, record.type), []).append(record)
        changes = []
        for (name, rtype), records in groups.items():
            values: list[str] = []
            for record in records:
                if record.rdata not in values:
                    values.append(record.rdata)
            changes.append(
                {
                    "Action": "UPSERT",
                    "ResourceRecordSet": {
                        "Name": f"{name}.",
                        "Type": rtype,
                        "TTL": min(r.ttl for r in records),
                        "ResourceRecords": [{"Value": v} for v in values],
                    },
                }
            )
        return changes

    def _rows(self) -> list[tuple[str, str, str, str]]:
        return [(r.type, r.name, r.rdata, r.purpose.value if r.purpose else "") for r in self]

    def to_table(self) -> str:
        """An aligned plain-text table (what `str(records)` prints).

        Examples:
            >>> records = DnsRecords([
            ...     DnsRecord("abc._domainkey.example.com", "CNAME", "abc.dkim.amazonses.com",
            ...               purpose=RecordPurpose.DKIM),
            ... ])
            >>> print(records.to_table())
            TYPE   NAME                        VALUE                    PURPOSE
            CNAME  abc._domainkey.example.com  abc.dkim.amazonses.com.  dkim
        """
        rows = [("TYPE", "NAME", "VALUE", "PURPOSE"), *self._rows()]
        widths = [max(len(row[i]) for row in rows) for i in range(3)]
        return "\n".join(
            f"{t:<{widths[0]}}  {n:<{widths[1]}}  {v:<{widths[2]}}  {p}".rstrip()
            for t, n, v, p in rows
        )

    def _repr_html_(self) -> str:
        """An HTML table, for notebooks.

        Examples:
            >>> records = DnsRecords([DnsRecord("_dmarc.example.com", "TXT", "v=DMARC1; p=none;")])
            >>> html = records._repr_html_()  # what `records` shows in Jupyter
            >>> html.startswith("<table>"), "<code>_dmarc.example.com</code>" in html
            (True, True)
        """
        # Notebooks right-align table cells by default; names and values read (and compare)
        # from their start, so every cell says left.
        head = "".join(
            f'<th style="text-align:left">{h}</th>'
            for h in ("Type", "Name", "Value", "TTL", "Purpose")
        )
        body = "".join(
            "<tr>"
            + "".join(
                f'<td style="text-align:left"><code>{html.escape(str(cell))}</code></td>'
                for cell in (r.type, r.name, r.rdata, r.ttl, r.purpose.value if r.purpose else "")
            )
            + "</tr>"
            for r in self._records
        )
        return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
