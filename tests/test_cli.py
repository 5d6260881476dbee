"""The `sesflow` command line, driven in-process against a FakeSES served on loopback."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from sesflow._cli import main
from sesflow._cli._output import jsonable, render_table
from sesflow.testing import FakeSES


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
    # Served over HTTP, so the CLI reaches it the honest way: --endpoint-url.
    with FakeSES(seed=7, max_send_rate=1000) as fake:
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


def calls(fake: FakeSES, operation: str) -> int:
    return fake.call_count(operation)


# Global behaviour


def test_help_and_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    for command in (
        "identity",
        "domain",
        "config-set",
        "account",
        "template",
        "send-bulk",
        "events",
        "suppression",
        "demo",
        "local",
    ):
        assert f"    {command}" in out
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.startswith("sesflow ")


def test_no_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert "required: COMMAND" in capsys.readouterr().err


def test_unknown_option_is_a_usage_error(cli: Cli, served: FakeSES) -> None:
    ran = cli("identity", "create", "a@example.com", "--colour", "red")
    assert ran.code == 2
    assert "unrecognized arguments: --colour red" in ran.err
    assert calls(served, "CreateEmailIdentity") == 0


def test_global_options_may_follow_the_command(cli: Cli) -> None:
    ran = cli("account", "--json")
    assert ran.code == 0
    assert ran.json()["region"] == "us-east-1"


def test_an_api_error_is_one_line_on_stderr_and_exit_1(cli: Cli) -> None:
    ran = cli("identity", "status", "nobody@example.com")
    assert ran.code == 1
    assert ran.out == ""
    assert ran.err.splitlines() == [
        "sesflow: error: GetEmailIdentity: NotFoundException: Email identity "
        "<nobody@example.com> does not exist."
    ]


def test_an_error_with_json_is_also_a_document(cli: Cli) -> None:
    ran = cli("--json", "identity", "status", "nobody@example.com")
    assert ran.code == 1
    error = ran.json()["error"]
    assert error["type"] == "NotFoundError"
    assert error["code"] == "NotFoundException"
    assert error["operation"] == "GetEmailIdentity"
    assert ran.err.startswith("sesflow: error: ")


def test_debug_shows_the_traceback(cli: Cli) -> None:
    quiet = cli("identity", "status", "nobody@example.com")
    loud = cli("--debug", "identity", "status", "nobody@example.com")
    assert "Traceback" not in quiet.err
    assert "Traceback (most recent call last)" in loud.err
    assert loud.err.rstrip().splitlines()[-1].startswith("sesflow: error: GetEmailIdentity")
    assert "calling GetEmailIdentity" in loud.err  # sesflow's own log, at DEBUG


def test_a_missing_profile_is_one_line(cli: Cli) -> None:
    ran = cli("--profile", "no-such-profile", "account")
    assert ran.code == 1
    assert ran.err == "sesflow: error: The config profile (no-such-profile) could not be found\n"


def test_no_region_says_how_to_give_one(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    monkeypatch.delenv("AWS_REGION", raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    assert main(["account"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("sesflow: error: You must specify a region.")
    assert "--region" in err


def test_python_dash_m_runs_the_command_line() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "sesflow", "--version"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0
    assert done.stdout.startswith("sesflow ")


# identity


def test_identity_create_status_wait_delete(cli: Cli, served: FakeSES) -> None:
    created = cli("identity", "create", "news@example.com", "--tag", "team=growth")
    assert created.code == 0
    assert "verification_status   PENDING" in created.out
    assert "sesflow identity wait news@example.com" in created.out
    assert served.identity_state("news@example.com").tags == [{"Key": "team", "Value": "growth"}]

    status = cli("--json", "identity", "status", "news@example.com")
    assert status.json() == {
        "identity": "news@example.com",
        "type": "EMAIL_ADDRESS",
        "verification_status": "PENDING",
        "verified_for_sending": False,
        "configuration_set": None,
    }

    served.transition("news@example.com", "SUCCESS", after_polls=1)
    waited = cli("identity", "wait", "news@example.com", "--poll-interval", "0.05")
    assert waited.code == 0
    assert "news@example.com is verified." in waited.out
    assert "waiting for SES" in waited.err

    listed = cli("--json", "identity", "list")
    assert listed.json()["identities"] == [
        {"identity": "news@example.com", "type": "EMAIL_ADDRESS", "verification_status": "SUCCESS"}
    ]

    deleted = cli("identity", "delete", "news@example.com")
    assert deleted.code == 0
    assert cli("identity", "delete", "news@example.com").code == 0  # idempotent
    assert cli("identity", "status", "news@example.com").code == 1


def test_identity_create_with_a_configuration_set(cli: Cli, served: FakeSES) -> None:
    assert cli("config-set", "create", "marketing").code == 0
    ran = cli(
        "--json", "identity", "create", "news@example.com", "--configuration-set", "marketing"
    )
    assert ran.json()["configuration_set"] == "marketing"


def test_identity_wait_times_out_with_exit_1(cli: Cli) -> None:
    cli("identity", "create", "slow@example.com")
    ran = cli("identity", "wait", "slow@example.com", "--timeout", "0.2", "--poll-interval", "0.05")
    assert ran.code == 1
    assert ran.err.splitlines()[-1].startswith(
        "sesflow: error: verification of slow@example.com did not finish within 0.2 s "
        "(last status: PENDING"
    )


def test_identity_wait_on_a_failed_domain_prints_the_records_below_the_error(
    cli: Cli, served: FakeSES
) -> None:
    cli("domain", "setup", "example.com")
    served.set_status("example.com", verification="FAILED", error_type="TYPE_NOT_FOUND")
    ran = cli("identity", "wait", "example.com", "--poll-interval", "0.05")
    assert ran.code == 1
    first, *detail = ran.err.splitlines()[1:]
    assert first.startswith("sesflow: error: verification of example.com FAILED (TYPE_NOT_FOUND")
    assert any("._domainkey.example.com. 1800 IN CNAME" in line for line in detail)


def test_identity_create_rejects_a_bad_address_without_a_call(cli: Cli, served: FakeSES) -> None:
    ran = cli("identity", "create", "not-an-address")
    assert ran.code == 1
    assert ran.err == (
        "sesflow: error: address: 'not-an-address' is not an email address (expected "
        "local@domain)\n"
    )
    assert served.calls == []


# domain


def test_domain_setup_prints_records_that_fit_80_columns(cli: Cli, served: FakeSES) -> None:
    ran = cli("domain", "setup", "example.com", "--mail-from", "mail.example.com")
    assert ran.code == 0
    assert ran.out.startswith(
        "domain        example.com\n"
        "verification  PENDING\n"
        "DKIM          PENDING\n"
        "MAIL FROM     mail.example.com PENDING\n"
    )
    assert max(len(line) for line in ran.out.splitlines()) <= 80
    for token in served.identity_state("example.com").dkim_tokens:
        assert f"{token}._domainkey.example.com" in ran.out
        assert f"{token}.dkim.amazonses.com." in ran.out  # whole, not cut
    assert "10 feedback-smtp.us-east-1.amazonses.com." in ran.out
    assert "--format bind" in ran.out


def test_domain_setup_json(cli: Cli) -> None:
    ran = cli("--json", "domain", "setup", "example.com", "--dkim-key-length", "1024", "--no-dmarc")
    document = ran.json()
    assert document["identity"] == "example.com"
    assert document["dkim_status"] == "PENDING"
    assert [r["type"] for r in document["records"]] == ["CNAME", "CNAME", "CNAME"]
    assert {r["purpose"] for r in document["records"]} == {"dkim"}


def test_domain_setup_publishes_to_route53_and_waits(cli: Cli, served: FakeSES) -> None:
    with mock_aws():
        route53 = boto3.client("route53", region_name="us-east-1")
        zone = route53.create_hosted_zone(Name="example.com", CallerReference="cli-test")
        zone_id = zone["HostedZone"]["Id"]
        served.transition("example.com", "SUCCESS", after_polls=1)
        served.transition("example.com", "SUCCESS", aspect="mail_from", after_polls=0)
        ran = cli(
            "domain",
            "setup",
            "example.com",
            "--mail-from",
            "mail.example.com",
            "--route53",
            "--wait",
            "--poll-interval",
            "0.05",
            "--timeout",
            "10",
        )
        assert ran.code == 0, ran.err
        assert "Published 6 records to Route 53" in ran.out
        assert "example.com is verified." in ran.out
        names = {
            r["Name"]
            for r in route53.list_resource_record_sets(HostedZoneId=zone_id)["ResourceRecordSets"]
        }
    assert "mail.example.com." in names
    assert "_dmarc.example.com." in names
    assert sum(name.endswith("._domainkey.example.com.") for name in names) == 3


def test_domain_setup_with_byodkim(
    cli: Cli, served: FakeSES, tmp_path: Path, pkcs8_pem: str
) -> None:
    key = tmp_path / "dkim.pem"
    key.write_text(pkcs8_pem)
    ran = cli(
        "--json",
        "domain",
        "setup",
        "example.com",
        "--byodkim-selector",
        "sel1",
        "--byodkim-key",
        str(key),
    )
    assert ran.code == 0, ran.err
    (dkim,) = [r for r in ran.json()["records"] if r["purpose"] == "dkim"]
    assert dkim["name"] == "sel1._domainkey.example.com"
    assert dkim["value"].startswith("p=MII")
    again = cli(
        "domain",
        "records",
        "example.com",
        "--format",
        "bind",
        "--byodkim-selector",
        "sel1",
        "--byodkim-key",
        str(key),
    )
    assert 'sel1._domainkey.example.com. 1800 IN TXT "p=MII' in again.out


def test_domain_setup_with_an_unreadable_key_calls_nothing(
    cli: Cli, served: FakeSES, tmp_path: Path
) -> None:
    missing = tmp_path / "missing.pem"
    ran = cli(
        "domain",
        "setup",
        "example.com",
        "--byodkim-selector",
        "sel1",
        "--byodkim-key",
        str(missing),
    )
    assert ran.code == 1
    assert ran.err == (
        f"sesflow: error: --byodkim-key: cannot read '{missing}': No such file or directory\n"
    )
    assert served.calls == []


def test_domain_setup_with_a_key_that_is_not_pem_calls_nothing(
    cli: Cli, served: FakeSES, tmp_path: Path
) -> None:
    key = tmp_path / "key.txt"
    key.write_text("not a key")
    ran = cli(
        "domain", "setup", "example.com", "--byodkim-selector", "s", "--byodkim-key", str(key)
    )
    assert ran.code == 1
    assert ran.err.startswith("sesflow: error: private_key_pem: not a PEM private key")
    assert served.calls == []


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--byodkim-selector", "s"], "--byodkim-selector and --byodkim-key go together"),
        (["--hosted-zone-id", "Z1"], "--hosted-zone-id goes with --route53"),
        (["--timeout", "5"], "--timeout and --poll-interval go with --wait"),
        (["--dkim-key-length", "512"], "invalid choice: 512"),
        (["--dmarc", "v=DMARC1; p=none;", "--no-dmarc"], "not allowed with argument --dmarc"),
    ],
)
def test_domain_setup_usage_errors(
    cli: Cli, served: FakeSES, extra: list[str], message: str
) -> None:
    ran = cli("domain", "setup", "example.com", *extra)
    assert ran.code == 2
    assert message in ran.err
    assert served.calls == []


def test_domain_records_formats(cli: Cli) -> None:
    cli("domain", "setup", "example.com", "--mail-from", "mail.example.com")
    bind = cli("domain", "records", "example.com", "--format", "bind")
    assert "mail.example.com. 1800 IN MX 10 feedback-smtp.us-east-1.amazonses.com." in bind.out
    assert '_dmarc.example.com. 1800 IN TXT "v=DMARC1; p=none;"' in bind.out
    route53 = json.loads(cli("domain", "records", "example.com", "--format", "route53").out)
    assert {c["Action"] for c in route53["Changes"]} == {"UPSERT"}
    listed = json.loads(
        cli(
            "domain", "records", "example.com", "--format", "json", "--dmarc", "v=DMARC1; p=reject;"
        ).out
    )
    assert listed[-1]["value"] == "v=DMARC1; p=reject;"
    table = cli("domain", "records", "example.com", "--no-dmarc", "--ttl", "300")
    assert "_dmarc" not in table.out
    assert cli("--json", "domain", "records", "example.com").json()["domain"] == "example.com"


def test_domain_records_unknown_format_is_a_usage_error(cli: Cli, served: FakeSES) -> None:
    ran = cli("domain", "records", "example.com", "--format", "xml")
    assert ran.code == 2
    assert "argument --format: invalid choice: 'xml'" in ran.err
    assert served.calls == []


def test_domain_records_of_a_missing_domain(cli: Cli) -> None:
    ran = cli("domain", "records", "nowhere.example")
    assert ran.code == 1
    assert "does not exist" in ran.err


# config-set


def test_ip_pool_create_list_delete(cli: Cli, served: FakeSES) -> None:
    created = cli("--json", "ip-pool", "create", "marketing-ips", "--scaling-mode", "managed")
    assert created.json() == {"name": "marketing-ips", "scaling_mode": "MANAGED"}
    assert served.dedicated_ip_pool_state("marketing-ips").scaling_mode == "MANAGED"
    assert cli("ip-pool", "list").out == "marketing-ips\n"
    assert cli("ip-pool", "delete", "marketing-ips").code == 0
    assert cli("--json", "ip-pool", "list").json() == {"ip_pools": []}


def test_config_set_lifecycle(cli: Cli, served: FakeSES) -> None:
    assert cli("ip-pool", "create", "marketing-ips").code == 0
    created = cli(
        "--json",
        "config-set",
        "create",
        "marketing",
        "--sending-pool",
        "marketing-ips",
        "--tls-policy",
        "REQUIRE",
        "--suppressed-reasons",
        "BOUNCE",
        "--no-reputation-metrics",
        "--paused",
    )
    assert created.code == 0, created.err
    assert created.json() == {
        "name": "marketing",
        "sending_enabled": False,
        "sending_pool": "marketing-ips",
        "tls_policy": "REQUIRE",
        "tracking_domain": None,
        "reputation_metrics": False,
        "suppressed_reasons": ["BOUNCE"],
        "event_destinations": [],
    }
    topic = "arn:aws:sns:us-east-1:123456789012:ses-events"
    added = cli(
        "config-set",
        "add-destination",
        "marketing",
        "to-sns",
        "--events",
        "send,bounce,complaint",
        "--sns-topic",
        topic,
    )
    assert added.code == 0, added.err
    assert f"SNS {topic}" in added.out
    cw = cli(
        "--json",
        "config-set",
        "add-destination",
        "marketing",
        "to-cw",
        "--events",
        "OPEN",
        "--cloudwatch",
        "campaign=none,segment=all",
        "--disabled",
    )
    (_, second) = cw.json()["event_destinations"]
    assert second["kind"] == "CloudWatchDestination"
    assert second["enabled"] is False
    assert [d["name"] for d in second["destination"]["dimensions"]] == ["campaign", "segment"]
    fh = cli(
        "config-set",
        "add-destination",
        "marketing",
        "to-fh",
        "--events",
        "SEND",
        "--firehose",
        "arn:aws:firehose:us-east-1:123456789012:deliverystream/ses",
        "--firehose-role",
        "arn:aws:iam::123456789012:role/ses",
    )
    assert fh.code == 0, fh.err
    eb = cli(
        "config-set",
        "add-destination",
        "marketing",
        "to-eb",
        "--events",
        "SEND",
        "--eventbridge",
        "arn:aws:events:us-east-1:123456789012:event-bus/default",
    )
    assert "EventBridge arn:aws:events" in eb.out
    shown = cli("config-set", "show", "marketing")
    assert max(len(line) for line in shown.out.splitlines()) <= 80
    assert [d.name for d in served.configuration_set_state("marketing").event_destinations] == [
        "to-sns",
        "to-cw",
        "to-fh",
        "to-eb",
    ]
    removed = cli("--json", "config-set", "remove-destination", "marketing", "to-cw")
    assert [d["name"] for d in removed.json()["event_destinations"]] == ["to-sns", "to-fh", "to-eb"]
    assert cli("--json", "config-set", "list").json() == {"configuration_sets": ["marketing"]}
    assert cli("config-set", "delete", "marketing").code == 0
    assert cli("config-set", "show", "marketing").code == 1


def test_config_set_add_destination_to_sns_grants_publish(cli: Cli) -> None:
    cli("config-set", "create", "marketing")
    with mock_aws():
        sns = boto3.client("sns", region_name="us-east-1")
        topic = sns.create_topic(Name="ses-events")["TopicArn"]
        ran = cli(
            "config-set",
            "add-destination",
            "marketing",
            "to-sns",
            "--events",
            "BOUNCE",
            "--sns-topic",
            topic,
            "--allow-sns-publish",
        )
        assert ran.code == 0, ran.err
        policy = sns.get_topic_attributes(TopicArn=topic)["Attributes"]["Policy"]
    assert "ses.amazonaws.com" in policy


@pytest.mark.parametrize(
    ("extra", "code", "message"),
    [
        ([], 2, "give exactly one of --sns-topic, --cloudwatch, --firehose and --eventbridge"),
        (
            ["--sns-topic", "arn:aws:sns:us-east-1:123456789012:t", "--eventbridge", "x"],
            2,
            "give exactly one of",
        ),
        (
            ["--firehose", "arn:aws:firehose:us-east-1:123456789012:deliverystream/s"],
            2,
            "--firehose needs --firehose-role",
        ),
        (["--cloudwatch", "campaign"], 2, "expected DIMENSION=DEFAULT, got 'campaign'"),
        (
            ["--sns-topic", "arn:aws:sqs:us-east-1:123456789012:q"],
            1,
            "is not an ARN of the sns service",
        ),
    ],
)
def test_config_set_add_destination_bad_input(
    cli: Cli, served: FakeSES, extra: list[str], code: int, message: str
) -> None:
    ran = cli("config-set", "add-destination", "marketing", "d", "--events", "SEND", *extra)
    assert ran.code == code
    assert message in ran.err
    assert served.calls == []


def test_config_set_add_destination_unknown_event(cli: Cli, served: FakeSES) -> None:
    cli("config-set", "create", "marketing")
    ran = cli(
        "config-set",
        "add-destination",
        "marketing",
        "d",
        "--events",
        "SEND,SPAM",
        "--sns-topic",
        "arn:aws:sns:us-east-1:123456789012:t",
    )
    assert ran.code == 1
    assert "'SPAM' is not a valid EventType" in ran.err
    assert calls(served, "CreateConfigurationSetEventDestination") == 0


# account


def test_account_show(cli: Cli) -> None:
    shown = cli("account")
    assert shown.code == 0
    assert "max send rate    1000 recipients/s" in shown.out
    same = cli("--json", "account", "show").json()
    assert same["in_sandbox"] is False
    assert same["max_send_rate"] == 1000


def test_account_in_the_sandbox_requests_production_access(cli: Cli, served: FakeSES) -> None:
    served.account.production_access_enabled = False
    assert "request-production-access" in cli("account").out
    ran = cli(
        "--json",
        "account",
        "request-production-access",
        "--mail-type",
        "marketing",
        "--website-url",
        "https://example.com",
        "--use-case",
        "Monthly newsletter",
        "--contact",
        "ops@example.com",
        "legal@example.com",
        "--language",
        "ja",
    )
    assert ran.code == 0, ran.err
    assert ran.json()["review_status"] == "PENDING"
    details = served.account.details
    assert details is not None
    assert (details.mail_type, details.contact_language) == ("MARKETING", "JA")
    assert details.additional_contact_email_addresses == ["ops@example.com", "legal@example.com"]
    again = cli(
        "account",
        "request-production-access",
        "--mail-type",
        "MARKETING",
        "--website-url",
        "https://example.com",
    )
    assert again.code == 1
    assert "a production-access review is already open" in again.err


def test_account_request_checks_its_input(cli: Cli, served: FakeSES) -> None:
    ran = cli(
        "account",
        "request-production-access",
        "--mail-type",
        "MARKETING",
        "--website-url",
        "example.com",
    )
    assert ran.code == 1
    assert "website_url: 'example.com' is not an http(s) URL" in ran.err
    assert calls(served, "PutAccountDetails") == 0
    usage = cli(
        "account",
        "request-production-access",
        "--mail-type",
        "SPAM",
        "--website-url",
        "https://example.com",
    )
    assert usage.code == 2


# template


def test_template_put_show_render_list_delete(cli: Cli, tmp_path: Path) -> None:
    html = tmp_path / "spring.html"
    html.write_text("<p>Hi {{name}}</p>\n")
    text = tmp_path / "spring.txt"
    text.write_text("Hi {{name}}\n")
    put = cli(
        "template",
        "create",
        "spring",
        "--subject",
        "Spring for {{name}}",
        "--html",
        str(html),
        "--text",
        str(text),
    )
    assert put.out == "Stored template spring.\n"
    shown = cli("--json", "template", "show", "spring").json()
    assert shown == {
        "template": "spring",
        "subject": "Spring for {{name}}",
        "html": "<p>Hi {{name}}</p>\n",
        "text": "Hi {{name}}\n",
    }
    rendered = cli("template", "render", "spring", "--data", '{"name": "Ann"}')
    assert "Subject: Spring for Ann" in rendered.out
    data = tmp_path / "data.json"
    data.write_text('{"name": "Bob"}')
    from_file = cli("--json", "template", "render", "spring", "--data", f"@{data}")
    assert "Hi Bob" in from_file.json()["rendered"]
    assert cli("--json", "template", "list").json() == {"templates": ["spring"]}
    assert cli("template", "delete", "spring").code == 0
    assert cli("template", "show", "spring").code == 1


def test_template_render_with_a_missing_variable(cli: Cli, tmp_path: Path) -> None:
    body = tmp_path / "t.txt"
    body.write_text("Hi {{name}}")
    cli("template", "create", "t", "--subject", "Hi {{name}}", "--text", str(body))
    ran = cli("template", "render", "t", "--data", "{}")
    assert ran.code == 1
    assert ran.err.startswith("sesflow: error: data: SES could not render 't'")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ('{"name": ', "the JSON is not valid JSON"),
        ("[1, 2]", "must be a JSON object"),
        ("@/nonexistent/data.json", "cannot read '/nonexistent/data.json'"),
    ],
)
def test_template_render_bad_data_is_a_usage_error(
    cli: Cli, served: FakeSES, data: str, message: str
) -> None:
    ran = cli("template", "render", "t", "--data", data)
    assert ran.code == 2
    assert message in ran.err
    assert served.calls == []


def test_template_put_needs_a_body(cli: Cli, served: FakeSES) -> None:
    ran = cli("template", "create", "t", "--subject", "S")
    assert ran.code == 1
    assert "a template needs html or text" in ran.err
    assert served.calls == []


# send


def test_send_with_attachments(cli: Cli, served: FakeSES, tmp_path: Path) -> None:
    served.verify("news@example.com")
    body = tmp_path / "body.txt"
    body.write_text("The report is attached.")
    report = tmp_path / "report.csv"
    report.write_text("a,b\n1,2\n")
    ran = cli(
        "--json",
        "send",
        "--from",
        "News <news@example.com>",
        "--to",
        "ann@example.net",
        "bob@example.net",
        "--cc",
        "cc@example.net",
        "--subject",
        "Report",
        "--text",
        str(body),
        "--attach",
        str(report),
        "--header",
        "List-Unsubscribe: <https://example.com/u>",
        "--tag",
        "campaign=report",
    )
    assert ran.code == 0, ran.err
    document = ran.json()
    (message,) = served.outbox
    assert document == {"message_id": message.message_id, "recipients": 3}
    assert message.to == ("ann@example.net", "bob@example.net")
    assert message.cc == ("cc@example.net",)
    assert message.text == "The report is attached."
    assert [a.filename for a in message.attachments] == ["report.csv"]
    assert ("List-Unsubscribe", "<https://example.com/u>") in message.headers
    assert message.tags == {"campaign": "report"}


def test_send_reads_the_body_from_stdin(
    cli: Cli, served: FakeSES, monkeypatch: pytest.MonkeyPatch
) -> None:
    import io

    served.verify("news@example.com")
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"from stdin\n")))
    ran = cli(
        "send",
        "--from",
        "news@example.com",
        "--to",
        "a@example.net",
        "--subject",
        "S",
        "--text",
        "-",
    )
    assert ran.code == 0, ran.err
    assert ran.out.startswith("Sent to 1 recipient: message id ")
    assert served.outbox[0].text == "from stdin\n"


def test_send_with_a_missing_attachment_sends_nothing(
    cli: Cli, served: FakeSES, tmp_path: Path
) -> None:
    served.verify("news@example.com")
    ran = cli(
        "send",
        "--from",
        "news@example.com",
        "--to",
        "a@example.net",
        "--subject",
        "S",
        "--html",
        str(tmp_path),
        "--attach",
        str(tmp_path / "nope.pdf"),
    )
    assert ran.code == 1
    assert ran.err == f"sesflow: error: --html: cannot read '{tmp_path}': Is a directory\n"
    ran = cli(
        "send",
        "--from",
        "news@example.com",
        "--to",
        "a@example.net",
        "--subject",
        "S",
        "--attach",
        str(tmp_path / "nope.pdf"),
    )
    assert ran.code == 1
    assert ran.err == (
        f"sesflow: error: path: cannot read '{tmp_path / 'nope.pdf'}': No such file or directory\n"
    )
    assert served.outbox == []


def test_send_from_an_unverified_address_explains(
    cli: Cli, served: FakeSES, tmp_path: Path
) -> None:
    body = tmp_path / "b.txt"
    body.write_text("x")
    ran = cli(
        "send",
        "--from",
        "stranger@example.org",
        "--to",
        "a@example.net",
        "--subject",
        "S",
        "--text",
        str(body),
    )
    assert ran.code == 1
    assert "not a verified identity in us-east-1" in ran.err
    assert served.outbox == []


# suppression


def test_suppression_add_get_list_remove(cli: Cli) -> None:
    assert cli("suppression", "add", "gone@example.net", "--reason", "bounce").code == 0
    assert cli("suppression", "add", "angry@example.net", "--reason", "COMPLAINT").code == 0
    got = cli("--json", "suppression", "get", "gone@example.net").json()
    assert (got["suppressed"], got["reason"]) == (True, "BOUNCE")
    listed = cli("suppression", "list")
    assert "gone@example.net" in listed.out
    assert "angry@example.net" in listed.out
    only = cli("--json", "suppression", "list", "--reason", "complaint").json()
    assert [e["address"] for e in only["suppressed"]] == ["angry@example.net"]
    assert cli("suppression", "remove", "gone@example.net").code == 0
    assert cli("--json", "suppression", "get", "gone@example.net").json()["suppressed"] is False


def test_suppression_bad_reason_is_a_usage_error(cli: Cli, served: FakeSES) -> None:
    ran = cli("suppression", "add", "a@example.net", "--reason", "SPAM")
    assert ran.code == 2
    assert served.calls == []


def test_suppression_in_the_sandbox_explains(cli: Cli, served: FakeSES) -> None:
    served.account.production_access_enabled = False
    ran = cli("suppression", "add", "a@example.net", "--reason", "BOUNCE")
    assert ran.code == 1
    assert "sandbox" in ran.err


# Output helpers


def test_render_table_wraps_long_cells_within_the_width() -> None:
    token = "x" * 32
    rows = [("CNAME", f"{token}._domainkey.a-rather-long-domain-name.example.com", "dkim")]
    table = render_table(["TYPE", "NAME", "PURPOSE"], rows, width=60)
    lines = table.splitlines()
    assert max(len(line) for line in lines) <= 60
    start, end = lines[0].index("NAME"), lines[0].index("PURPOSE")
    assert len(lines) > 2  # wrapped...
    assert "".join(line[start:end].strip() for line in lines[1:]) == rows[0][1]  # ...not cut


def test_jsonable_handles_what_sesflow_returns() -> None:
    import datetime as dt
    from types import MappingProxyType

    from sesflow import DnsRecord, RecordPurpose, VerificationStatus

    record = DnsRecord("a.example.com", "TXT", "v", purpose=RecordPurpose.DMARC)
    assert jsonable(
        {
            "at": dt.datetime(2026, 1, 2, tzinfo=dt.UTC),
            "status": VerificationStatus.SUCCESS,
            "record": record,
            "view": MappingProxyType({"k": ("a",)}),
            "raw": b"\x00",
        }
    ) == {
        "at": "2026-01-02T00:00:00+00:00",
        "status": "SUCCESS",
        "record": {
            "name": "a.example.com",
            "type": "TXT",
            "value": "v",
            "ttl": 1800,
            "priority": None,
            "purpose": "dmarc",
        },
        "view": {"k": ["a"]},
        "raw": "AA==",
    }


def test_a_loopback_endpoint_needs_no_aws_set_up(
    served: FakeSES,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    # A fresh machine: no credentials, no region, no config files.
    for name in (
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_DEFAULT_REGION",
    ):
        monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    assert served.endpoint_url is not None
    assert main(["--endpoint-url", served.endpoint_url, "--json", "account"]) == 0
    assert json.loads(capsys.readouterr().out)["region"] == "us-east-1"
