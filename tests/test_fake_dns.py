"""FakeDNS: an authoritative DNS server on loopback, asked over the wire (UDP, and TCP after a
truncated answer) with dnspython's own query functions and resolver."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import dns.flags
import dns.message
import dns.query
import dns.rcode
import dns.resolver
import pytest

import sesflow
from sesflow.testing import FakeDNS

ZONE = """
abc._domainkey  CNAME  abc.dkim.amazonses.com.
alias           CNAME  mail
mail            MX     10 feedback-smtp.us-east-1.amazonses.com.
mail            TXT    "v=spf1 include:amazonses.com ~all"
_dmarc          TXT    "v=DMARC1; p=none;"
"""


@pytest.fixture
def server() -> Iterator[FakeDNS]:
    with FakeDNS() as dns_server:
        dns_server.add_zone("example.com", ZONE)
        yield dns_server


def ask(server: FakeDNS, name: str, rdtype: str, *, tcp: bool = False) -> Any:
    query = dns.message.make_query(name, rdtype)
    send = dns.query.tcp if tcp else dns.query.udp
    return send(query, server.host, port=server.port, timeout=2)


def test_it_answers_over_udp_with_authority(server: FakeDNS) -> None:
    response = ask(server, "_dmarc.example.com", "TXT")
    assert response.rcode() == dns.rcode.NOERROR
    assert response.flags & dns.flags.AA
    assert [rrset.to_text() for rrset in response.answer] == [
        '_dmarc.example.com. 300 IN TXT "v=DMARC1; p=none;"'
    ]
    assert server.queries == [("_dmarc.example.com", "TXT")]


def test_a_missing_name_is_nxdomain_with_the_zone_soa(server: FakeDNS) -> None:
    response = ask(server, "nope._domainkey.example.com", "CNAME")
    assert response.rcode() == dns.rcode.NXDOMAIN
    assert response.answer == []
    assert [(str(r.name), r.rdtype) for r in response.authority] == [
        ("example.com.", dns.rdatatype.SOA)
    ]


def test_a_name_without_the_type_is_nodata(server: FakeDNS) -> None:
    response = ask(server, "mail.example.com", "CNAME")
    assert response.rcode() == dns.rcode.NOERROR
    assert response.answer == []
    assert len(response.authority) == 1


def test_an_empty_non_terminal_exists(server: FakeDNS) -> None:
    response = ask(server, "_domainkey.example.com", "TXT")
    assert response.rcode() == dns.rcode.NOERROR
    assert response.answer == []


def test_cnames_in_the_zone_are_followed(server: FakeDNS) -> None:
    response = ask(server, "alias.example.com", "MX")
    assert [rrset.to_text() for rrset in response.answer] == [
        "alias.example.com. 300 IN CNAME mail.example.com.",
        "mail.example.com. 300 IN MX 10 feedback-smtp.us-east-1.amazonses.com.",
    ]


def test_a_name_in_no_zone_is_refused(server: FakeDNS) -> None:
    response = ask(server, "example.org", "A")
    assert response.rcode() == dns.rcode.REFUSED
    assert not response.flags & dns.flags.AA


def test_every_zone_names_this_server_as_its_nameserver(server: FakeDNS) -> None:
    resolver = server.resolver()
    assert [r.to_text() for r in resolver.resolve("example.com", "NS")] == ["ns1.example.com."]
    assert [r.to_text() for r in resolver.resolve("ns1.example.com", "A")] == ["127.0.0.1"]
    assert str(dns.resolver.zone_for_name("x.mail.example.com", resolver=resolver)) == (
        "example.com."
    )


def test_a_big_answer_is_truncated_over_udp_and_whole_over_tcp(server: FakeDNS) -> None:
    key = "p=" + "A" * 250
    server.publish([("big.example.com", "TXT", " ".join(f'"{key}"' for _ in range(3)))])
    assert ask(server, "big.example.com", "TXT").flags & dns.flags.TC
    whole = ask(server, "big.example.com", "TXT", tcp=True)
    assert not whole.flags & dns.flags.TC
    assert len(whole.answer[0][0].strings) == 3
    # The resolver retries over TCP on its own.
    answer = server.resolver().resolve("big.example.com", "TXT")
    assert b"".join(answer[0].strings).startswith(b"p=AAA")


def test_publish_takes_sesflow_records_and_makes_zones(server: FakeDNS) -> None:
    server.publish(
        sesflow.DnsRecords(
            [
                sesflow.DnsRecord("_dmarc.example.net", "TXT", "v=DMARC1; p=reject;"),
                sesflow.DnsRecord("mail.example.net", "MX", "feedback.example.net", priority=5),
            ]
        )
    )
    assert server.zones() == ["example.com", "example.net"]
    resolver = server.resolver()
    assert [r.to_text() for r in resolver.resolve("_dmarc.example.net", "TXT")] == [
        '"v=DMARC1; p=reject;"'
    ]
    assert [r.to_text() for r in resolver.resolve("mail.example.net", "MX")] == [
        "5 feedback.example.net."
    ]


def test_unpublish_removes_a_name_or_one_type(server: FakeDNS) -> None:
    server.unpublish("mail.example.com", "MX")
    assert ask(server, "mail.example.com", "MX").answer == []
    assert ask(server, "mail.example.com", "TXT").answer != []
    server.unpublish("_dmarc.example.com")
    assert ask(server, "_dmarc.example.com", "TXT").rcode() == dns.rcode.NXDOMAIN


def test_bad_zone_text_is_refused() -> None:
    with FakeDNS() as server, pytest.raises(ValueError, match="not valid zone-file text"):
        server.add_zone("example.com", "mail MX not-a-number host.")


def test_only_loopback() -> None:
    with pytest.raises(ValueError, match="loopback"):
        FakeDNS(host="0.0.0.0")


def test_stop_closes_the_port() -> None:
    server = FakeDNS()
    port = server.port
    assert "serving 127.0.0.1" in repr(server)
    server.stop()
    server.stop()  # idempotent
    assert repr(server).startswith("FakeDNS(stopped")
    probe = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        assert probe.connect_ex(("127.0.0.1", port)) != 0
    finally:
        probe.close()
