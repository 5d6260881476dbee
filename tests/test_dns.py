"""DNS records: exact names and values, in all three renderings."""

from __future__ import annotations

import pytest

import sesflow
from sesflow import DnsRecord, DnsRecords, RecordPurpose
from sesflow.testing import FakeSES


def test_easy_dkim_mail_from_and_dmarc_records_are_exact(ses: sesflow.SES, fake: FakeSES) -> None:
    dom = ses.domain("example.com").create(mail_from="mail.example.com")
    tokens = fake.identity_state("example.com").dkim_tokens
    assert len(tokens) == 3
    records = dom.dns_records()
    assert list(records) == [
        *(
            DnsRecord(f"{t}._domainkey.example.com", "CNAME", f"{t}.dkim.amazonses.com",
                      purpose=RecordPurpose.DKIM)
            for t in tokens
        ),
        DnsRecord("mail.example.com", "MX", "feedback-smtp.us-east-1.amazonses.com",
                  priority=10, purpose=RecordPurpose.MAIL_FROM_MX),
        DnsRecord("mail.example.com", "TXT", "v=spf1 include:amazonses.com ~all",
                  purpose=RecordPurpose.MAIL_FROM_SPF),
        DnsRecord("_dmarc.example.com", "TXT", "v=DMARC1; p=none;",
                  purpose=RecordPurpose.DMARC),
    ]  # fmt: skip
    t0 = tokens[0]
    assert records.to_bind().splitlines() == [
        *(f"{t}._domainkey.example.com. 1800 IN CNAME {t}.dkim.amazonses.com." for t in tokens),
        "mail.example.com. 1800 IN MX 10 feedback-smtp.us-east-1.amazonses.com.",
        'mail.example.com. 1800 IN TXT "v=spf1 include:amazonses.com ~all"',
        '_dmarc.example.com. 1800 IN TXT "v=DMARC1; p=none;"',
    ]
    changes = records.to_route53_changes()
    assert changes[0] == {
        "Action": "UPSERT",
        "ResourceRecordSet": {
            "Name": f"{t0}._domainkey.example.com.",
            "Type": "CNAME",
            "TTL": 1800,
            "ResourceRecords": [{"Value": f"{t0}.dkim.amazonses.com."}],
        },
    }
    assert changes[3]["ResourceRecordSet"] == {
        "Name": "mail.example.com.",
        "Type": "MX",
        "TTL": 1800,
        "ResourceRecords": [{"Value": "10 feedback-smtp.us-east-1.amazonses.com."}],
    }
    assert changes[4]["ResourceRecordSet"]["ResourceRecords"] == [
        {"Value": '"v=spf1 include:amazonses.com ~all"'}
    ]
    assert changes[5]["ResourceRecordSet"]["Name"] == "_dmarc.example.com."
    html = records._repr_html_()
    assert html.count("<tr>") == len(records) + 1
    assert "feedback-smtp.us-east-1.amazonses.com" in html


def test_the_mail_from_mx_names_the_client_region(fake: FakeSES) -> None:
    ses = sesflow.SES(client=fake.client(region_name="eu-west-1"))
    dom = ses.domain("example.com").create(mail_from="bounce.example.com")
    mx = dom.dns_records(dmarc=None).with_purpose("mail_from_mx")
    assert [r.value for r in mx] == ["feedback-smtp.eu-west-1.amazonses.com"]


def test_the_signing_hosted_zone_comes_from_ses(ses: sesflow.SES, fake: FakeSES) -> None:
    fake.signing_hosted_zone = "dkim.af-south-1.amazonses.com"
    dom = ses.domain("example.com").create()
    values = {r.value.split(".", 1)[1] for r in dom.dns_records(dmarc=None)}
    assert values == {"dkim.af-south-1.amazonses.com"}


def test_byodkim_record_is_a_txt_with_the_public_key(
    ses: sesflow.SES, fake: FakeSES, pkcs8_pem: str
) -> None:
    key = sesflow.Byodkim("sesflow1", pkcs8_pem)
    dom = ses.domain("example.com").create(dkim=key)
    assert fake.identity_state("example.com").dkim_origin == "EXTERNAL"
    records = dom.dns_records(dmarc=None)
    assert len(records) == 1
    record = records[0]
    assert record.name == "sesflow1._domainkey.example.com"
    assert record.type == "TXT"
    assert record.value == f"p={key.public_key_base64}"
    # A 2048-bit key is longer than one DNS string: split into 255-byte quoted strings.
    rdata = record.to_bind().split(" IN TXT ", 1)[1]
    strings = rdata.split('" "')
    assert len(strings) == 2
    assert "".join(s.strip('"') for s in strings) == record.value
    assert all(len(s.strip('"')) <= 255 for s in strings)
    r53 = records.to_route53_changes()[0]["ResourceRecordSet"]["ResourceRecords"][0]["Value"]
    assert r53 == rdata


def test_byodkim_records_need_the_key_in_a_new_process(ses: sesflow.SES, pkcs1_pem: str) -> None:
    key = sesflow.Byodkim("sel1", pkcs1_pem)
    ses.domain("example.com").create(dkim=key)
    again = ses.domain("example.com")  # as a later process would see it
    with pytest.raises(sesflow.ValidationError, match="byodkim"):
        again.dns_records()
    assert again.dns_records(byodkim=key)[0].value == f"p={key.public_key_base64}"


def test_dmarc_none_leaves_dmarc_out_and_custom_policy_is_kept(ses: sesflow.SES) -> None:
    dom = ses.domain("example.com").create()
    assert not dom.dns_records(dmarc=None).with_purpose("dmarc")
    policy = "v=DMARC1; p=quarantine; rua=mailto:dmarc@example.com"
    (dmarc,) = dom.dns_records(policy).with_purpose(RecordPurpose.DMARC)
    assert dmarc.value == policy
    assert dmarc.to_bind() == f'_dmarc.example.com. 1800 IN TXT "{policy}"'


def test_ttl_is_applied_everywhere(ses: sesflow.SES) -> None:
    records = ses.domain("example.com").create().dns_records(ttl=300)
    assert {r.ttl for r in records} == {300}
    assert {c["ResourceRecordSet"]["TTL"] for c in records.to_route53_changes()} == {300}


def test_record_values_are_validated() -> None:
    with pytest.raises(sesflow.ValidationError, match="type"):
        DnsRecord("example.com", "A", "192.0.2.1")
    with pytest.raises(sesflow.ValidationError, match="trailing dot"):
        DnsRecord("example.com.", "TXT", "x")
    with pytest.raises(sesflow.ValidationError, match="priority"):
        DnsRecord("example.com", "MX", "mx.example.com")
    with pytest.raises(sesflow.ValidationError, match="priority"):
        DnsRecord("example.com", "TXT", "x", priority=5)
    assert DnsRecord("a.com", "TXT", "x", purpose="dmarc").purpose is RecordPurpose.DMARC  # type: ignore[arg-type]


def test_txt_quotes_and_backslashes_are_escaped() -> None:
    record = DnsRecord("a.example.com", "TXT", 'say "hi" \\ bye')
    assert record.to_bind() == 'a.example.com. 1800 IN TXT "say \\"hi\\" \\\\ bye"'


def test_records_with_the_same_name_and_type_merge_into_one_record_set() -> None:
    records = DnsRecords(
        [DnsRecord("example.com", "TXT", "one"), DnsRecord("example.com", "TXT", "two")]
    )
    (change,) = records.to_route53_changes()
    assert change["ResourceRecordSet"]["ResourceRecords"] == [
        {"Value": '"one"'},
        {"Value": '"two"'},
    ]


def test_dns_records_is_an_immutable_sequence() -> None:
    a = DnsRecord("x.example.com", "TXT", "a")
    b = DnsRecord("y.example.com", "CNAME", "z.example.com")
    records = DnsRecords([a, b])
    assert len(records) == 2
    assert records[1] == b
    assert records[-1:] == DnsRecords([b])
    assert records == [a, b]
    assert hash(records) == hash(DnsRecords([a, b]))
    assert "x.example.com" in str(records)
    assert str(records).splitlines()[0].split() == ["TYPE", "NAME", "VALUE", "PURPOSE"]
    assert repr(records) == (
        "DnsRecords([\n"
        "    DnsRecord(name='x.example.com', type='TXT', value='a', ttl=1800, priority=None, "
        "purpose=None),\n"
        "    DnsRecord(name='y.example.com', type='CNAME', value='z.example.com', ttl=1800, "
        "priority=None, purpose=None),\n"
        "])"
    )
    assert repr(DnsRecords([])) == "DnsRecords([])"
    with pytest.raises(AttributeError):
        a.name = "other"  # type: ignore[misc]


def test_the_notebook_table_left_aligns_every_cell() -> None:
    records = DnsRecords(
        [DnsRecord("_dmarc.example.com", "TXT", "v=DMARC1; p=none;", purpose=RecordPurpose.DMARC)]
    )
    left = 'style="text-align:left"'
    assert records._repr_html_() == (
        "<table><thead><tr>"
        f"<th {left}>Type</th><th {left}>Name</th><th {left}>Value</th>"
        f"<th {left}>TTL</th><th {left}>Purpose</th>"
        "</tr></thead><tbody><tr>"
        f"<td {left}><code>TXT</code></td>"
        f"<td {left}><code>_dmarc.example.com</code></td>"
        f"<td {left}><code>&quot;v=DMARC1; p=none;&quot;</code></td>"
        f"<td {left}><code>1800</code></td>"
        f"<td {left}><code>dmarc</code></td>"
        "</tr></tbody></table>"
    )
