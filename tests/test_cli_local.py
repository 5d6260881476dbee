"""`sesflow local` (a served FakeSES for other tools) and `sesflow demo` (the walkthrough)."""

from __future__ import annotations

import json
import sys
import threading
import time
import urllib.request
from contextlib import closing
from typing import Any

import boto3
import pytest

from sesflow._cli import _local, main
from sesflow._cli._app import Context
from sesflow.testing import FakeSES, LocalOutbox

SIMPLE: Any = {"Simple": {"Subject": {"Data": "Hello"}, "Body": {"Text": {"Data": "Hi"}}}}


def _get_json(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=5) as response:  # loopback only
        return json.load(response)


def test_local_serves_ses_to_boto3_and_shows_the_outbox(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    seen: dict[str, Any] = {}

    def drive(fake: FakeSES, ctx: Context) -> None:
        # Stands in for the wait until Ctrl-C: another tool talks to the printed endpoint.
        url = fake.endpoint_url
        assert url is not None
        seen["banner"] = capsys.readouterr().out
        client = boto3.client("sesv2", region_name="us-east-1", endpoint_url=url)
        seen["account"] = client.get_account()
        client.send_email(
            FromEmailAddress="news@example.com",
            Destination={"ToAddresses": ["bob@example.com"]},
            Content=SIMPLE,
        )
        client.close()
        seen["outbox"] = _get_json(f"{url}/_sesflow/outbox")
        seen["url"] = url

    monkeypatch.setattr(_local, "_wait", drive)
    code = main(
        [
            "local",
            "--port",
            "0",
            "--rate",
            "50",
            "--sandbox",
            "--verify",
            "news@example.com",
            "bob@example.com",
        ]
    )
    assert code == 0
    url = seen["url"]
    assert url.startswith("http://127.0.0.1:")
    banner = seen["banner"]
    assert f"serving SES v2 and v1 (the Query API) at {url}" in banner
    assert f'endpoint_url="{url}"' in banner
    assert 'aws_access_key_id="testing"' in banner
    assert (
        "AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing aws sesv2 "
        f"--endpoint-url {url} --region us-east-1 get-account"
    ) in banner
    assert f"export AWS_ENDPOINT_URL_SESV2={url}" in banner
    assert f"  curl {url}/_sesflow/messages\n" in banner
    assert f"  curl -X POST {url}/_sesflow/reset\n" in banner
    assert f"  curl -X POST {url}/_sesflow/identities/example.com/verify\n" in banner
    assert "in the sandbox, 50 recipients/s" in banner
    assert seen["account"]["SendQuota"]["MaxSendRate"] == 50
    assert seen["outbox"]["count"] == 1
    assert seen["outbox"]["per_recipient"] == {"bob@example.com": 1}
    assert "stopped; the fake accepted 1 recipients" in capsys.readouterr().err


def test_local_json_prints_one_document_first(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(_local, "_wait", lambda fake, ctx: None)
    assert main(["--json", "--region", "eu-west-1", "local", "--port", "0"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["region"] == "eu-west-1"
    assert document["outbox_url"] == document["endpoint_url"] + "/_sesflow/outbox"
    assert document["messages_url"] == document["endpoint_url"] + "/_sesflow/messages"
    assert document["environment"] == {
        "AWS_ENDPOINT_URL_SESV2": document["endpoint_url"],
        "AWS_DEFAULT_REGION": "eu-west-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
    }
    assert (document["auto_verify"], document["auto_verify_after"]) == (False, 0.0)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--host", "0.0.0.0"], "sesflow: error: --host: serve() binds only to a loopback address"),
        (["--verify", "not an identity"], "sesflow: error: --verify: "),
    ],
)
def test_local_bad_options(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    assert main(["local", "--port", "0", *argv]) == 1
    err = capsys.readouterr().err
    assert err.startswith(message)
    assert len(err.splitlines()) == 1


def test_local_logs_each_accepted_message(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_local, "POLL", 0.01)
    with FakeSES() as fake:
        fake.verify("news@example.com")
        client = fake.client()
        lines: list[str] = []
        stop = threading.Event()
        watcher = threading.Thread(target=_local.watch, args=(fake, stop, lines.append))
        watcher.start()
        client.send_email(
            FromEmailAddress="news@example.com",
            Destination={"ToAddresses": ["bob@example.com"]},
            Content=SIMPLE,
        )
        deadline = time.monotonic() + 5
        while not lines and time.monotonic() < deadline:
            time.sleep(0.01)
        stop.set()
        watcher.join()
    (line,) = lines
    assert line.endswith("SendEmail     news@example.com -> bob@example.com: 'Hello'")


def test_demo_runs_offline_and_json_summarises_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SESFLOW_DEMO_SCALE", "0.01")
    assert main(["--json", "demo"]) == 0
    out, err = capsys.readouterr()
    summary = json.loads(out)  # the walkthrough's narration went to stderr
    assert summary["moto"] is True
    assert summary["deliveries"] == summary["addresses"] == 20
    assert summary["max_deliveries_per_address"] == 1
    assert summary["throttled_calls"] == 0
    assert "== 4. Verify a domain" in err
    assert "Route 53 change" in err


def test_demo_without_moto_skips_sns_and_route53(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SESFLOW_DEMO_SCALE", "0.01")
    monkeypatch.setitem(sys.modules, "moto", None)  # as if not installed
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    notes = [line for line in out.splitlines() if "pip install 'sesflow[demo]'" in line]
    assert len(notes) == 1
    assert "to-sns ->" not in out
    assert "Route 53 change" not in out
    assert "Domain('example.com', verification_status=SUCCESS" in out
    assert "skipped 20 already sent; sent 0 again" in out


def test_auto_verify_lets_identity_wait_return_after_the_delay(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    seen: dict[str, Any] = {}

    def drive(fake: FakeSES, ctx: Context) -> None:
        url = fake.endpoint_url
        assert url is not None
        capsys.readouterr()
        assert main(["--endpoint-url", url, "--json", "identity", "create", "a@example.org"]) == 0
        created = json.loads(capsys.readouterr().out)
        started = time.monotonic()
        seen["wait"] = main(
            ["--endpoint-url", url, "--json", "identity", "wait", "a@example.org",
             "--timeout", "30", "--poll-interval", "0.1"]
        )  # fmt: skip
        seen["took"] = time.monotonic() - started
        seen["created"], seen["waited"] = created, json.loads(capsys.readouterr().out)

    monkeypatch.setattr(_local, "_wait", drive)
    assert main(["local", "--port", "0", "--auto-verify", "0.5"]) == 0
    assert seen["created"]["verification_status"] == "PENDING"
    assert seen["wait"] == 0
    assert seen["waited"]["verification_status"] == "SUCCESS"
    assert 0.3 <= seen["took"] < 20


def test_identities_stay_pending_without_auto_verify_until_verified_over_http(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: dict[str, Any] = {}

    def drive(fake: FakeSES, ctx: Context) -> None:
        url = fake.endpoint_url
        assert url is not None
        with closing(fake.http_client()) as client:
            client.create_email_identity(EmailIdentity="example.org")
            seen["before"] = client.get_email_identity(EmailIdentity="example.org")
            seen["verified"] = LocalOutbox(url).verify("example.org")
            seen["after"] = client.get_email_identity(EmailIdentity="example.org")

    monkeypatch.setattr(_local, "_wait", drive)
    assert main(["local", "--port", "0"]) == 0
    assert seen["before"]["VerificationStatus"] == "PENDING"
    assert seen["verified"].verified_for_sending
    assert seen["after"]["DkimAttributes"]["Status"] == "SUCCESS"


def test_reset_over_http_keeps_the_startup_identities_verified(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: dict[str, Any] = {}

    def drive(fake: FakeSES, ctx: Context) -> None:
        url = fake.endpoint_url
        assert url is not None
        with closing(fake.http_client()) as client:
            client.create_email_identity(EmailIdentity="other@example.org")
            client.send_email(
                FromEmailAddress="news@example.com",
                Destination={"ToAddresses": ["bob@example.com"]},
                Content=SIMPLE,
            )
            outbox = LocalOutbox(url)
            outbox.reset()
            seen["messages"] = outbox.messages()
            seen["identities"] = [
                (item["IdentityName"], item["VerificationStatus"])
                for item in client.list_email_identities()["EmailIdentities"]
            ]

    monkeypatch.setattr(_local, "_wait", drive)
    assert main(["local", "--port", "0", "--verify", "news@example.com"]) == 0
    assert seen["messages"] == []
    assert seen["identities"] == [("news@example.com", "SUCCESS")]


@pytest.mark.parametrize(
    ("argv", "after"), [(["--auto-verify"], 0.0), (["--auto-verify", "2.5"], 2.5)]
)
def test_auto_verify_takes_an_optional_delay(
    monkeypatch: pytest.MonkeyPatch, argv: list[str], after: float
) -> None:
    seen: dict[str, Any] = {}
    monkeypatch.setattr(
        _local,
        "_wait",
        lambda fake, ctx: seen.update(on=fake.auto_verify, after=fake.auto_verify_after),
    )
    assert main(["local", "--port", "0", *argv]) == 0
    assert seen == {"on": True, "after": after}


def test_auto_verify_refuses_a_negative_delay(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["local", "--port", "0", "--auto-verify", "-1"]) == 2
    assert "--auto-verify" in capsys.readouterr().err
