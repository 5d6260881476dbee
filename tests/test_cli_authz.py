"""The command line for custom verification emails, sending authorization and the sending
switches, driven in-process against a FakeSES served on loopback."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from sesflow._cli import main
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
    with FakeSES(seed=7, max_send_rate=1000) as fake:
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


def test_account_pause_and_resume(cli: Cli, served: FakeSES, tmp_path: Path) -> None:
    body = tmp_path / "body.txt"
    body.write_text("Hi", encoding="utf-8")
    paused = cli("account", "pause")
    assert paused.code == 0, paused.err
    assert "Paused sending" in paused.out
    assert served.account.sending_enabled is False
    refused = cli(
        "send",
        "--from",
        "news@example.com",
        "--to",
        "bob@example.org",
        "--subject",
        "Hi",
        "--text",
        str(body),
    )
    assert refused.code == 1
    assert "SendingPausedException" in refused.err
    resumed = cli("--json", "account", "resume")
    assert resumed.json()["sending_enabled"] is True
    assert served.account.sending_enabled is True


def test_config_set_pause_and_resume(cli: Cli, served: FakeSES) -> None:
    assert cli("config-set", "create", "marketing").code == 0
    paused = cli("--json", "config-set", "pause", "marketing")
    assert paused.json()["sending_enabled"] is False
    assert served.configuration_set_state("marketing").sending_enabled is False
    assert cli("--json", "config-set", "resume", "marketing").json()["sending_enabled"] is True
    missing = cli("config-set", "pause", "nope")
    assert missing.code == 1
    assert "NotFoundException" in missing.err


def test_verification_template_create_show_list_send_delete(
    cli: Cli, served: FakeSES, tmp_path: Path
) -> None:
    html = tmp_path / "welcome.html"
    html.write_text("<h1>Welcome!</h1><p>One click and you are in.</p>\n", encoding="utf-8")
    created = cli(
        "verification-template", "create", "welcome",
        "--from", "Example <verify@example.com>",
        "--subject", "Confirm your address",
        "--content", str(html),
        "--success-url", "https://example.com/ok",
        "--failure-url", "https://example.com/no",
        "--tag", "team=growth",
    )  # fmt: skip
    assert created.code == 0, created.err
    assert "verification-template send welcome ADDRESS" in created.out
    shown = cli("--json", "verification-template", "show", "welcome")
    assert shown.json()["content"] == html.read_text(encoding="utf-8")
    assert shown.json()["success_url"] == "https://example.com/ok"
    listed = cli("--json", "verification-template", "list").json()["verification_templates"]
    assert [t["template"] for t in listed] == ["welcome"]
    sent = cli("verification-template", "send", "welcome", "new.user@example.org")
    assert sent.code == 0, sent.err
    assert "sesflow identity wait new.user@example.org" in sent.out
    assert served.outbox[-1].operation == "SendCustomVerificationEmail"
    assert served.identity_state("new.user@example.org").verification_status == "PENDING"
    assert cli("verification-template", "delete", "welcome").code == 0
    assert cli("verification-template", "list").out.strip() == (
        "No custom verification email templates."
    )


def test_verification_template_bad_content_calls_nothing(
    cli: Cli, served: FakeSES, tmp_path: Path
) -> None:
    html = tmp_path / "welcome.html"
    html.write_text('<p>Click <a href="https://example.com">here</a></p>', encoding="utf-8")
    ran = cli(
        "verification-template", "create", "welcome",
        "--from", "verify@example.com", "--subject", "Confirm",
        "--content", str(html),
        "--success-url", "https://example.com/ok", "--failure-url", "https://example.com/no",
    )  # fmt: skip
    assert ran.code == 1
    assert "the tag <a> is not allowed" in ran.err
    assert served.call_count("CreateCustomVerificationEmailTemplate") == 0


def test_identity_policy_create_list_delete(cli: Cli, served: FakeSES, tmp_path: Path) -> None:
    created = cli(
        "identity-policy", "create", "example.com", "let-app-send",
        "--allow", "111122223333", "--from", "billing@example.com",
        "--account-id", served.account_id,
    )  # fmt: skip
    assert created.code == 0, created.err
    arn = "arn:aws:ses:us-east-1:123456789012:identity/example.com"
    assert f"FromEmailAddressIdentityArn={arn}" in created.out
    document = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Resource": arn,
                "Principal": {"AWS": ["*"]},
                "Action": ["ses:SendEmail"],
            }
        ],
    }
    path = tmp_path / "policy.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    assert cli("identity-policy", "create", "example.com", "custom", "--file", str(path)).code == 0
    policies = cli("--json", "identity-policy", "list", "example.com").json()["policies"]
    assert sorted(policies) == ["custom", "let-app-send"]
    assert policies["custom"] == document
    assert policies["let-app-send"]["Statement"][0]["Condition"] == {
        "StringLike": {"ses:FromAddress": ["billing@example.com"]}
    }
    assert cli("identity-policy", "delete", "example.com", "custom").code == 0
    assert list(served.identity_state("example.com").policies) == ["let-app-send"]


def test_identity_policy_usage_errors(cli: Cli, served: FakeSES) -> None:
    neither = cli("identity-policy", "create", "example.com", "p")
    assert neither.code == 2
    assert "exactly one of --file and --allow" in neither.err
    mixed = cli(
        "identity-policy",
        "create",
        "example.com",
        "p",
        "--file",
        "x.json",
        "--from",
        "a@example.com",
    )
    assert mixed.code == 2
    bad = cli(
        "identity-policy",
        "create",
        "example.com",
        "p",
        "--allow",
        "12345",
        "--account-id",
        served.account_id,
    )
    assert bad.code == 1
    assert "is not a principal" in bad.err
    assert served.call_count("CreateEmailIdentityPolicy") == 0
