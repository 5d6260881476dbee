"""`sesflow doctor`, in-process against a FakeSES served on loopback and a FakeDNS."""

from __future__ import annotations

import argparse
import ipaddress
import json
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

import sesflow
from sesflow._cli import main
from sesflow._cli._doctor import nameserver
from sesflow.testing import FakeDNS, FakeSES

TOPIC = "arn:aws:sns:us-east-1:123456789012:ses-feedback"


@pytest.fixture(autouse=True)
def _udp_stays_on_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    original = socket.socket.sendto

    def sendto(self: socket.socket, data: Any, *args: Any) -> int:
        host = str(args[-1][0])
        if host != "localhost" and not ipaddress.ip_address(host).is_loopback:
            raise AssertionError(f"a test sent a UDP datagram to {args[-1]!r}")
        return int(original(self, data, *args))

    monkeypatch.setattr(socket.socket, "sendto", sendto)


@dataclass
class Ran:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


@dataclass
class Setup:
    fake: FakeSES
    dns: FakeDNS
    capsys: pytest.CaptureFixture[str]

    def run(self, *argv: str) -> Ran:
        assert self.fake.endpoint_url is not None
        code = main(
            [
                "--endpoint-url",
                self.fake.endpoint_url,
                "--region",
                "us-east-1",
                "doctor",
                *argv,
                "--nameserver",
                f"127.0.0.1:{self.dns.port}",
            ]
        )
        out, err = self.capsys.readouterr()
        return Ran(code, out, err)


@pytest.fixture
def setup(capsys: pytest.CaptureFixture[str]) -> Iterator[Setup]:
    with FakeSES(seed=7) as fake, FakeDNS() as dns:
        fake.serve()
        ses = sesflow.SES(client=fake.client())
        dom = ses.domain("example.com").create(mail_from="mail.example.com")
        fake.set_status("example.com", verification="SUCCESS", mail_from="SUCCESS")
        cs = ses.configuration_set("marketing").create()
        cs.add_event_destination("feedback", ["BOUNCE", "COMPLAINT"], sesflow.SnsDestination(TOPIC))
        dns.publish(dom.dns_records())
        yield Setup(fake, dns, capsys)


def test_a_healthy_domain_exits_0(setup: Setup) -> None:
    ran = setup.run("example.com", "--configuration-set", "marketing")
    assert ran.code == 0
    assert ran.err == ""
    assert ran.out.startswith("example.com (us-east-1): 0 errors, 0 warnings, ")
    assert "ok       DMARC policy for example.com" in ran.out


def test_errors_exit_1_with_the_fix(setup: Setup) -> None:
    setup.dns.unpublish("mail.example.com", "MX")
    ran = setup.run("example.com", "--configuration-set", "marketing")
    assert ran.code == 1
    assert ran.err.splitlines() == ["sesflow: error: 1 error found for example.com"]
    assert "error    MAIL FROM MX mail.example.com" in ran.out
    assert (
        "fix:   publish:\n"
        "                mail.example.com. 1800 IN MX 10 feedback-smtp.us-east-1.amazonses.com."
    ) in ran.out


def test_json_is_the_report(setup: Setup) -> None:
    setup.dns.unpublish("_dmarc.example.com")
    ran = setup.run("example.com", "--json", "--configuration-set", "marketing", "--bulk")
    assert ran.code == 1
    document = ran.json()
    assert (document["domain"], document["ok"]) == ("example.com", False)
    errors = [f for f in document["findings"] if f["severity"] == "error"]
    assert [f["code"] for f in errors] == ["dns.dmarc"]
    assert errors[0]["records"][0]["bind"] == (
        '_dmarc.example.com. 1800 IN TXT "v=DMARC1; p=none;"'
    )
    codes = {f["code"] for f in document["findings"]}
    assert {"bulk.unsubscribe", "bulk.vdm", "account.sandbox"} <= codes
    assert ran.err == "sesflow: error: 1 error found for example.com\n"


def test_the_unsubscribe_url_is_checked(setup: Setup) -> None:
    ran = setup.run(
        "example.com",
        "--json",
        "--bulk",
        "--configuration-set",
        "marketing",
        "--unsubscribe-url",
        "http://example.com/u",
    )
    [unsubscribe] = [f for f in ran.json()["findings"] if f["code"] == "bulk.unsubscribe"]
    assert unsubscribe["severity"] == "error"
    assert ran.code == 1


def test_usage_errors(setup: Setup) -> None:
    ran = setup.run("example.com", "--unsubscribe-mailto", "u@example.com")
    assert ran.code == 2
    assert "--unsubscribe-mailto goes with --unsubscribe-url" in ran.err
    bad = main(["doctor", "example.com", "--nameserver", "ns1.example.com"])
    assert bad == 2
    assert "expected an IP address" in setup.capsys.readouterr().err


def test_nameserver_values() -> None:
    assert nameserver("[2001:db8::1]:5300") == ("2001:db8::1", 5300)
    with pytest.raises(argparse.ArgumentTypeError, match="port from 1 to 65535"):
        nameserver("127.0.0.1:0")
