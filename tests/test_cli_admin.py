"""`sesflow tenant`, `sesflow endpoint`, `sesflow insights` and the dedicated-IP commands of
`sesflow ip-pool`, against a FakeSES served on loopback."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

import sesflow
from sesflow._cli import main
from sesflow.testing import FakeSES

ARN = "arn:aws:ses:us-east-1:123456789012"


@dataclass
class Ran:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


Cli = Callable[..., Ran]


@pytest.fixture
def served() -> Iterator[FakeSES]:
    with FakeSES(seed=7) as fake:
        fake.verify("example.com")
        fake.serve()
        yield fake


@pytest.fixture
def cli(served: FakeSES, capsys: pytest.CaptureFixture[str]) -> Cli:
    def run(*argv: str) -> Ran:
        assert served.endpoint_url is not None
        code = main(["--endpoint-url", served.endpoint_url, "--region", "us-east-1", *argv])
        out, err = capsys.readouterr()
        return Ran(code, out, err)

    return run


def test_tenant_lifecycle(cli: Cli, served: FakeSES) -> None:
    created = cli("--json", "tenant", "create", "acme", "--suppression-scope", "tenant",
                  "--suppressed-reasons", "bounce,complaint", "--tag", "plan=pro")  # fmt: skip
    assert created.code == 0, created.err
    info = created.json()
    assert (info["name"], info["sending_status"], info["suppression_scope"]) == (
        "acme",
        "ENABLED",
        "TENANT",
    )
    assert info["suppressed_reasons"] == ["BOUNCE", "COMPLAINT"]
    assert info["tags"] == {"plan": "pro"}
    assert info["resources"] == []
    assert cli("config-set", "create", "events").code == 0
    associated = cli("tenant", "associate", "acme", "identity:example.com", "config-set:events",
                     f"{ARN}:identity/example.com")  # fmt: skip
    assert associated.code == 0, associated.err
    assert "EMAIL_IDENTITY     example.com" in associated.out
    assert "CONFIGURATION_SET  events" in associated.out
    assert [r.resource_type for r in served.tenant_state("acme").resources] == [
        "EMAIL_IDENTITY",
        "CONFIGURATION_SET",
    ]
    removed = cli("--json", "tenant", "disassociate", "acme", "config-set:events")
    assert [r["name"] for r in removed.json()["resources"]] == ["example.com"]
    assert cli("tenant", "create", "globex").code == 0
    served.set_tenant_sending_status("globex", "DISABLED")
    listed = cli("--json", "tenant", "list", "--sending-status", "disabled")
    assert listed.json() == {"tenants": [{"name": "globex", "sending_status": "DISABLED"}]}
    assert "acme" in cli("tenant", "list", "--contains", "ac").out
    assert cli("tenant", "show", "acme").out.startswith("name ")
    assert cli("tenant", "delete", "acme").code == 0
    assert cli("--json", "tenant", "list", "--contains", "acme").json() == {"tenants": []}
    assert cli("tenant", "list", "--contains", "acme").out == "No tenants.\n"


def test_a_bad_resource_is_a_usage_error_without_a_call(cli: Cli, served: FakeSES) -> None:
    assert cli("tenant", "create", "acme").code == 0
    before = len(served.calls)
    ran = cli("tenant", "associate", "acme", "bucket:logs")
    assert ran.code == 2
    assert "identity:NAME, config-set:NAME, template:NAME" in ran.err
    assert len(served.calls) == before


def test_endpoint_lifecycle(cli: Cli, served: FakeSES) -> None:
    created = cli("--json", "endpoint", "create", "global", "--secondary-region", "eu-west-1")
    assert created.code == 0, created.err
    assert created.json()["status"] == "CREATING"
    assert created.json()["regions"] == ["us-east-1", "eu-west-1"]
    served.set_endpoint_status("global", "READY")  # a served fake runs in real time
    waited = cli("endpoint", "wait", "global", "--timeout", "60")
    assert waited.code == 0, waited.err
    assert "endpoint_id=" in waited.out
    listed = cli("--json", "endpoint", "list").json()["endpoints"]
    assert [(e["name"], e["status"]) for e in listed] == [("global", "READY")]
    assert cli("endpoint", "show", "global").out.startswith("name ")
    same = cli("endpoint", "create", "global", "--secondary-region", "us-east-1")
    assert same.code == 1
    assert "secondary_region" in same.err
    assert cli("endpoint", "delete", "global").code == 0
    assert "No multi-region endpoints" in cli("endpoint", "list").out


def test_a_failed_endpoint_fails_the_wait(cli: Cli, served: FakeSES) -> None:
    assert cli("endpoint", "create", "global", "--secondary-region", "eu-west-1").code == 0
    served.set_endpoint_status("global", "FAILED")
    ran = cli("endpoint", "create", "global", "--secondary-region", "eu-west-1", "--wait")
    assert ran.code == 1
    assert "FAILED" in ran.err


def test_insights(cli: Cli, served: FakeSES) -> None:
    ses = sesflow.SES(client=served.http_client())
    served.recipient_outcome("bob@example.com", "BOUNCE")
    ses.sender("news@example.com").send("bob@example.com", "Hi", text="Yo")
    [message] = served.outbox
    ran = cli("insights", "message", message.message_id)
    assert ran.code == 0, ran.err
    assert "bob@example.com  SEND" in ran.out
    assert "PERMANENT General" in ran.out
    document = cli("--json", "insights", "message", message.message_id).json()
    assert [e["type"] for e in document["recipients"][0]["events"]] == ["SEND", "BOUNCE"]
    address = cli("--json", "insights", "address", "x@mailinator.com").json()
    assert (address["is_disposable"], address["risky"]) == ("HIGH", True)
    assert "risky" in cli("insights", "address", "ann@example.com").out


def test_dedicated_ip_commands(cli: Cli, served: FakeSES) -> None:
    assert cli("ip-pool", "create", "marketing-ips").code == 0
    assert cli("ip-pool", "ips").out == "No dedicated IPs.\n"
    served.lease_dedicated_ip("198.51.100.7", warmup_percentage=20)
    moved = cli("--json", "ip-pool", "move-ip", "198.51.100.7", "marketing-ips")
    assert moved.json() == {
        "dedicated_ips": [
            {"ip": "198.51.100.7", "pool": "marketing-ips", "warmup_status": "IN_PROGRESS",
             "warmup_percentage": 20}
        ]
    }  # fmt: skip
    assert (
        "198.51.100.7  marketing-ips  DONE" in cli("ip-pool", "warmup", "198.51.100.7", "100").out
    )
    assert "198.51.100.7" in cli("ip-pool", "ips", "marketing-ips").out
    scaled = cli("--json", "ip-pool", "scaling", "marketing-ips", "managed").json()
    assert scaled == {"name": "marketing-ips", "scaling_mode": "MANAGED"}
    back = cli("ip-pool", "scaling", "marketing-ips", "standard")
    assert back.code == 1
    assert "MANAGED" in back.err
