"""Real clients that sesflow did not write drive `sesflow local` over HTTP.

Each client runs in its own environment, built once per machine by `make clients` (and
`make min-env` for boto3 at sesflow's supported minimum): the AWS CLI v1 (which carries an
older botocore, so it lists with the old `GET` routes), boto3 at the minimum and at the
newest, django-anymail and django-ses. What they sent is checked through the HTTP outbox
(`LocalOutbox`), as a test in another process would. The Django clients run the very blocks of
docs/local.md, so the page is checked too.

Outside CI a missing environment skips these tests, saying how to build it; under `CI=true`
it fails them.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from conftest import CLIENTS, SRC, LocalProcess, unavailable
from sesflow.testing import LocalMessage, LocalOutbox
from test_docs_examples import client_blocks

ROOT = Path(__file__).resolve().parent.parent
MIN_VENV = Path(os.environ.get("SESFLOW_MIN_VENV", ROOT / ".venv-min"))
HERE = Path(__file__).resolve().parent / "clients"
PAGE = ROOT / "docs" / "local.md"
DOCS_URL = "http://127.0.0.1:7373"
#: botocore moved ListEmailIdentities and ListConfigurationSets to POST routes here.
POST_LISTINGS = (1, 43, 107)


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split(".")[:3])


def _installed(path: Path, what: str) -> Path:
    if not path.exists():
        unavailable(f"{what} is not built ({path} is missing): run `make clients`")
    return path


def _bare_env(home: Path, **extra: str) -> dict[str, str]:
    """A machine with no AWS set-up: no config files, no credentials, no region."""
    return {"PATH": "/usr/bin:/bin", "HOME": str(home), "LANG": "C.UTF-8", **extra}


def _run(args: list[str], env: dict[str, str], *, timeout: float = 120) -> str:
    done = subprocess.run(args, env=env, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"{args} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def local() -> Iterator[LocalProcess]:
    server = LocalProcess("--verify", "news@example.com")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def outbox(local: LocalProcess) -> LocalOutbox:
    outbox = LocalOutbox(local.url)
    outbox.reset()  # news@example.com stays verified
    return outbox


def _admin(url: str) -> Any:
    """The test's own client, for set-up only (configuration sets, templates)."""
    return boto3.client(
        "sesv2",
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def _by_subject(messages: list[LocalMessage]) -> dict[str | None, LocalMessage]:
    return {message.subject: message for message in messages}


# --- the AWS CLI -----------------------------------------------------------------------------


def test_the_aws_cli_drives_local(local: LocalProcess, outbox: LocalOutbox, tmp_path: Path) -> None:
    aws = _installed(CLIENTS / "awscli" / "bin" / "aws", "the AWS CLI v1 environment")
    env = _bare_env(tmp_path, AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing")
    base = [str(aws), "sesv2", "--endpoint-url", local.url, "--region", "us-east-1"]

    def cli(*args: str) -> Any:
        out = _run([*base, *args], env)
        return json.loads(out) if out.strip() else None

    version = re.search(r"botocore/([\d.]+)", _run([str(aws), "--version"], env))
    assert version is not None
    botocore_version = _version(version[1])
    assert cli("create-email-identity", "--email-identity", "example.org")["IdentityType"] == (
        "DOMAIN"
    )
    cli("create-configuration-set", "--configuration-set-name", "cli-set")
    # --debug shows the request botocore made: the route depends on its age.
    listing = subprocess.run(
        [*base, "list-email-identities", "--debug"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    names = {item["IdentityName"] for item in json.loads(listing.stdout)["EmailIdentities"]}
    assert names == {"news@example.com", "example.org"}
    if botocore_version < POST_LISTINGS:
        assert "'url_path': '/v2/email/identities'" in listing.stderr
        assert "'method': 'GET'" in listing.stderr
    else:
        assert "'url_path': '/v2/email/list-identities'" in listing.stderr
    assert cli("list-configuration-sets")["ConfigurationSets"] == ["cli-set"]
    cli(
        "create-email-template",
        "--template-name",
        "cli-welcome",
        "--template-content",
        '{"Subject": "Welcome, {{name}}!", "Text": "Hi {{name}}"}',
    )
    plain = cli(
        "send-email",
        "--from-email-address",
        "news@example.com",
        "--destination",
        "ToAddresses=bob@example.net,CcAddresses=carol@example.net",
        "--content",
        '{"Simple": {"Subject": {"Data": "Hello"}, "Body": {"Text": {"Data": "Hi Bob"}}}}',
        "--configuration-set-name",
        "cli-set",
        "--email-tags",
        "Name=sent-by,Value=aws-cli",
    )
    cli(
        "send-email",
        "--from-email-address",
        "news@example.com",
        "--destination",
        "ToAddresses=ann@example.net",
        "--content",
        json.dumps(
            {"Template": {"TemplateName": "cli-welcome", "TemplateData": '{"name": "Ann"}'}}
        ),
    )
    hello, welcome = outbox.messages()
    assert hello.message_id == plain["MessageId"]
    assert (hello.to, hello.cc, hello.subject, hello.text) == (
        ("bob@example.net",),
        ("carol@example.net",),
        "Hello",
        "Hi Bob",
    )
    assert (hello.configuration_set, hello.tags) == ("cli-set", {"sent-by": "aws-cli"})
    assert (welcome.to, welcome.subject, welcome.text) == (
        ("ann@example.net",),
        "Welcome, Ann!",
        "Hi Ann",
    )
    assert (welcome.template, welcome.template_data) == ("cli-welcome", {"name": "Ann"})


# --- boto3, oldest and newest ----------------------------------------------------------------


@pytest.mark.parametrize("which", ["minimum", "newest"])
def test_boto3_drives_local(
    local: LocalProcess, outbox: LocalOutbox, tmp_path: Path, which: str
) -> None:
    if which == "minimum":
        python = _installed(MIN_VENV / "bin" / "python", "the minimum-boto3 environment")
    else:
        python = _installed(CLIENTS / "latest" / "bin" / "python", "the newest-boto3 environment")
    report = json.loads(
        _run([str(python), str(HERE / "boto3_client.py"), local.url, which], _bare_env(tmp_path))
    )
    botocore_version = _version(report["botocore"])
    if which == "minimum":
        floor = _floor()
        assert report["botocore"] == report["boto3"] == floor, "rebuild it: make min-env"
    listings = [(method, path) for op, method, path in report["requests"] if op.startswith("List")]
    if botocore_version < POST_LISTINGS:
        assert listings[0] == ("GET", "/v2/email/identities")
        assert listings[-1] == ("GET", "/v2/email/configuration-sets")
    else:
        assert listings[0] == ("POST", "/v2/email/list-identities")
        assert listings[-1] == ("POST", "/v2/email/list-configuration-sets")
    assert len(listings) == 3  # two pages of identities (PageSize=1), one of sets
    assert report["identities"] == ["news@example.com", f"{which}.example.org"]
    assert report["configuration_sets"] == [f"set-{which}"]
    assert report["bulk"] == ["SUCCESS", "SUCCESS"]
    messages = outbox.messages()
    assert [m.operation for m in messages] == ["SendEmail"] * 3 + ["SendBulkEmail"] * 2
    plain, attached, ann, bob, cy = messages
    assert (plain.to, plain.subject, plain.text, plain.html) == (
        (f"plain-{which}@example.net",),
        "Plain",
        "Just text",
        None,
    )
    assert (attached.to, attached.cc, attached.html) == (
        (f"html-{which}@example.net",),
        ("cc@example.net",),
        "<p>See <b>it</b></p>",
    )
    assert [(a.filename, a.content_type, a.size) for a in attached.attachments] == [
        ("data.csv", "text/csv", 8)
    ]
    assert (attached.configuration_set, attached.tags) == (f"set-{which}", {"client": which})
    assert (ann.subject, ann.text, ann.template) == ("Welcome, Ann!", "Hi Ann", f"welcome-{which}")
    assert [(m.to, m.subject, m.configuration_set) for m in (bob, cy)] == [
        ((f"Bob-{which}@example.net",), "Welcome, Bob!", f"set-{which}"),
        ((f"Cy-{which}@example.net",), "Welcome, Cy!", f"set-{which}"),
    ]


def _floor() -> str:
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    match = re.search(r'"botocore>=([\d.]+)"', text)
    assert match is not None
    return match[1]


# --- Django: django-anymail and django-ses, with the docs' own blocks ----------------------------


def _django(local: LocalProcess, tmp_path: Path, client: str) -> None:
    python = _installed(CLIENTS / "latest" / "bin" / "python", "the Django clients' environment")
    settings = tmp_path / "settings.py"
    send = tmp_path / "send.py"
    settings.write_text(client_blocks(PAGE, f"{client}/settings").replace(DOCS_URL, local.url))
    send.write_text(client_blocks(PAGE, f"{client}/send").replace(DOCS_URL, local.url))
    out = _run([str(python), str(HERE / "django_client.py"), str(settings), str(send)],
               _bare_env(tmp_path))  # fmt: skip
    assert out.strip() == "sent"


def test_django_anymail_sends_plain_html_attachments_and_templates(
    local: LocalProcess, outbox: LocalOutbox, tmp_path: Path
) -> None:
    admin = _admin(local.url)
    admin.create_configuration_set(ConfigurationSetName="transactional")
    admin.create_email_template(
        TemplateName="welcome",
        TemplateContent={"Subject": "Welcome, {{name}}!", "Text": "Hi {{name}}"},
    )
    _django(local, tmp_path, "anymail")
    messages = outbox.messages()
    assert {m.configuration_set for m in messages} == {"transactional"}
    hello, report, ann, bob = messages
    assert (hello.operation, hello.to, hello.subject, hello.text) == (
        "SendEmail",
        ("bob@example.com",),
        "Hello",
        "Hi Bob",
    )
    assert (report.to, report.cc, report.subject) == (
        ("ann@example.com",),
        ("boss@example.com",),
        "Your report",
    )
    assert report.text is not None
    assert report.text.strip() == "See the attachment."
    assert report.html == "<p>See the <b>attachment</b>.</p>"
    assert [(a.filename, a.content_type, a.size) for a in report.attachments] == [
        ("report.csv", "text/csv", 20)
    ]
    for message, name in ((ann, "Ann"), (bob, "Bob")):
        assert message.operation == "SendBulkEmail"
        assert (message.template, message.template_data) == ("welcome", {"name": name})
        assert (message.subject, message.text) == (f"Welcome, {name}!", f"Hi {name}")
        assert ("X-Tag", "onboarding") in message.headers
    assert [m.to for m in (ann, bob)] == [("ann@example.com",), ("bob@example.com",)]


def test_django_ses_v2_sends_plain_html_attachments_and_templated_mail(
    local: LocalProcess, outbox: LocalOutbox, tmp_path: Path
) -> None:
    _admin(local.url).create_configuration_set(ConfigurationSetName="transactional")
    _django(local, tmp_path, "django-ses")
    messages = _by_subject(outbox.messages(raw=True))
    assert set(messages) == {"Hello", "Your report", "Welcome"}
    hello, report, welcome = messages["Hello"], messages["Your report"], messages["Welcome"]
    assert hello.to == ("bob@example.com",)
    assert hello.text is not None
    assert hello.text.strip() == "Hi Bob"
    # django-ses names every recipient in Destination.ToAddresses; the outbox shows them as
    # the message's own headers do, and the Bcc that no header names as Bcc.
    assert (report.to, report.cc, report.bcc) == (
        ("ann@example.com",),
        ("boss@example.com",),
        ("archive@example.com",),
    )
    assert report.html == "<p>See the <b>attachment</b>.</p>"
    assert [(a.filename, a.content_type) for a in report.attachments] == [
        ("report.csv", "text/csv")
    ]
    assert welcome.text is not None
    assert welcome.text.strip() == "Welcome, Carl!"
    for message in messages.values():
        # Chosen by the X-SES-CONFIGURATION-SET header, which SES (and the fake) removes.
        assert message.configuration_set == "transactional"
        assert message.operation == "SendEmail"
        assert message.raw is not None
        assert b"x-ses-configuration-set" not in message.raw.lower()
        assert all(name.lower() != "x-ses-configuration-set" for name, _ in message.headers)


# --- the docs' pytest fixture, and the banner's hints ----------------------------------------


def test_the_docs_pytest_fixture_starts_it_and_resets_between_tests(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "conftest.py").write_text(client_blocks(PAGE, "pytest/conftest"))
    (project / "test_signup.py").write_text(client_blocks(PAGE, "pytest/test"))
    env = _bare_env(tmp_path, PYTHONPATH=SRC, PATH=f"{Path(sys.executable).parent}:/usr/bin:/bin")
    out = _run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--rootdir",
         str(project), str(project)],
        env,
    )  # fmt: skip
    assert re.search(r"\b2 passed\b", out), out


def test_the_printed_hints_work_on_a_bare_machine(tmp_path: Path) -> None:
    aws_bin = _installed(CLIENTS / "awscli" / "bin", "the AWS CLI v1 environment")
    python = _installed(CLIENTS / "latest" / "bin" / "python", "the newest-boto3 environment")
    home = tmp_path / "home"
    home.mkdir()
    path = f"{aws_bin}:{Path(sys.executable).parent}:/usr/bin:/bin"
    server = subprocess.Popen(
        [sys.executable, "-m", "sesflow", "local", "--port", "0", "--verify", "news@example.com"],
        env=_bare_env(home, PYTHONPATH=SRC, PATH=path),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        banner: list[str] = []
        for line in server.stdout:
            banner.append(line.rstrip("\n"))
            if "Press Ctrl-C" in line:
                break
        hints = {line.split()[0]: line.strip() for line in banner if line.startswith("  ")}
        env = _bare_env(home, PATH=path)
        # The AWS CLI line, pasted into a shell.
        cli = hints["AWS"].removeprefix("AWS CLI").strip()
        assert json.loads(_run(["sh", "-c", cli], env))["SendingEnabled"] is True
        # The "any SDK" exports, then a client that reads them (the AWS CLI, no options).
        exports = next(line for line in banner if "export AWS_ENDPOINT_URL_SESV2" in line)
        script = f"{exports.split('any SDK', 1)[1].strip()}; aws sesv2 get-account"
        assert json.loads(_run(["sh", "-c", script], env))["SendingEnabled"] is True
        # The boto3 line, in a Python that has boto3 (and nothing of sesflow).
        expression = hints["boto3"].removeprefix("boto3").strip()
        code = f"import boto3; print({expression}.get_account()['SendingEnabled'])"
        assert _run([str(python), "-c", code], env).strip() == "True"
        # The sesflow line.
        command = hints["sesflow"].removeprefix("sesflow").strip()
        out = _run(["sh", "-c", command], {**env, "PYTHONPATH": SRC})
        assert "sandbox" in out.lower()
        # The curl lines, pasted into a shell (when this machine has curl).
        curls = [line.strip() for line in banner if line.startswith("  curl ")]
        assert len(curls) == 3
        if shutil.which("curl", path=path) is not None:
            assert json.loads(_run(["sh", "-c", curls[0]], env)) == []
            assert json.loads(_run(["sh", "-c", curls[1]], env)) == {"reset": True}
            verified = json.loads(_run(["sh", "-c", curls[2]], env))
            assert (verified["identity"], verified["verified_for_sending"]) == ("example.com", True)
    finally:
        server.terminate()
        server.communicate(timeout=30)
