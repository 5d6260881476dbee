"""Real SES v1 clients we did not write, against the served fake: the AWS CLI v1 (`aws ses`)
and django-ses in its default (v1) mode, each run as its own process from the clients
environment, each message checked through the fake's outbox.

The clients live in the environments `make clients` builds under `SESFLOW_CLIENTS` (default
`<repo>/.venv-clients`, see tests/clients/): `awscli/bin/aws` (the `awscli` package from
PyPI) and `latest/bin/python` with `django` and `django-ses` importable. Missing, the tests
skip and say why; under `CI=true` they fail instead, so CI cannot pass without running them.
"""

from __future__ import annotations

import email.policy
import json
import os
import subprocess
from collections.abc import Iterator
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any

import pytest

from conftest import CLIENTS, unavailable
from sesflow.testing import FakeMessage, FakeSES

ROOT = Path(__file__).resolve().parent.parent
SENDER = "news@example.com"
TIMEOUT = 120


def _env(home: Path) -> dict[str, str]:
    """A clean environment: dummy credentials, no AWS config or profile, no proxies."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_PAGER": "",
        "NO_PROXY": "*",
        "no_proxy": "*",
    }


@pytest.fixture(scope="module")
def aws() -> Path:
    path = CLIENTS / "awscli" / "bin" / "aws"
    if not path.exists():
        unavailable(f"the AWS CLI is not installed at {path} (run `make clients`)")
    return path


@pytest.fixture(scope="module")
def django_python() -> Path:
    python = CLIENTS / "latest" / "bin" / "python"
    if not python.exists():
        unavailable(f"no Python at {python} (run `make clients`)")
    found = subprocess.run(
        [str(python), "-c", "import django, django_ses"],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    if found.returncode != 0:
        unavailable(f"django and django-ses are not importable by {python}: {found.stderr[-300:]}")
    return python


@pytest.fixture
def fake() -> Iterator[FakeSES]:
    with FakeSES(seed=3) as fake:
        fake.verify("example.com")
        fake.serve()
        yield fake


class Cli:
    """`aws ses ...` against the served fake."""

    def __init__(self, aws: Path, url: str, home: Path) -> None:
        self._base = [str(aws), "--endpoint-url", url, "--region", "us-east-1", "--output", "json"]
        self._env = _env(home)

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*self._base, "ses", *args],
            capture_output=True,
            text=True,
            env=self._env,
            timeout=TIMEOUT,
            check=False,
        )

    def __call__(self, *args: str) -> Any:
        done = self.run(*args)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout) if done.stdout.strip() else None


@pytest.fixture
def cli(aws: Path, fake: FakeSES, tmp_path: Path) -> Cli:
    assert fake.endpoint_url is not None
    return Cli(aws, fake.endpoint_url, tmp_path)


def _attachment_names(message: FakeMessage) -> list[str | None]:
    assert message.raw is not None
    parsed = BytesParser(policy=email.policy.default).parsebytes(message.raw)
    assert isinstance(parsed, EmailMessage)
    return [part.get_filename() for part in parsed.iter_attachments()]


def _by_subject(fake: FakeSES) -> dict[str | None, FakeMessage]:
    return {message.subject: message for message in fake.outbox}


# --- the AWS CLI v1 ----------------------------------------------------------------------------


def test_aws_cli_manages_identities_and_reads_the_quota(
    cli: Cli, fake: FakeSES, tmp_path: Path
) -> None:
    token = cli("verify-domain-identity", "--domain", "news.example")["VerificationToken"]
    cli("verify-email-identity", "--email-address", "ann@example.org")
    dkim = cli("verify-domain-dkim", "--domain", "news.example")["DkimTokens"]
    assert dkim == fake.identity_state("news.example").dkim_tokens
    fake.set_status("ann@example.org", verification="SUCCESS")
    attributes = cli(
        "get-identity-verification-attributes",
        "--identities",
        "news.example",
        "ann@example.org",
    )["VerificationAttributes"]
    assert attributes == {
        "news.example": {"VerificationStatus": "Pending", "VerificationToken": token},
        "ann@example.org": {"VerificationStatus": "Success"},
    }
    assert cli("list-identities", "--identity-type", "Domain")["Identities"] == [
        "example.com",
        "news.example",
    ]
    cli("delete-identity", "--identity", "news.example")
    v2 = fake.http_client()
    names = [i["IdentityName"] for i in v2.list_email_identities()["EmailIdentities"]]
    v2.close()
    assert names == ["example.com", "ann@example.org"]
    quota = cli("get-send-quota")
    assert (quota["MaxSendRate"], quota["SentLast24Hours"]) == (14.0, 0.0)


def test_aws_cli_sends_plain_html_attachment_and_template_mail(
    cli: Cli, fake: FakeSES, tmp_path: Path
) -> None:
    cli(
        "send-email",
        "--from",
        SENDER,
        "--to",
        "ann@example.org",
        "--subject",
        "Plain",
        "--text",
        "Hello Ann",
    )
    message_file = tmp_path / "message.json"
    message_file.write_text(
        json.dumps(
            {
                "Subject": {"Data": "Html"},
                "Body": {"Html": {"Data": "<p>Hello Bob</p>"}, "Text": {"Data": "Hello Bob"}},
            }
        )
    )
    cli(
        "send-email",
        "--from",
        SENDER,
        "--destination",
        "ToAddresses=bob@example.org,CcAddresses=cy@example.org",
        "--message",
        f"file://{message_file}",
        "--tags",
        "Name=campaign,Value=spring",
    )
    raw = EmailMessage()
    raw["From"], raw["To"], raw["Subject"] = SENDER, "dee@example.org", "Attached"
    raw.set_content("See the report.")
    raw.add_alternative("<p>See the report.</p>", subtype="html")
    raw.add_attachment(b"a,b\n1,2\n", maintype="text", subtype="csv", filename="report.csv")
    raw.add_attachment(b"%PDF-1.4", maintype="application", subtype="pdf", filename="q1.pdf")
    raw_file = tmp_path / "raw.json"
    raw_file.write_text(json.dumps({"Data": raw.as_string()}))
    cli("send-raw-email", "--raw-message", f"file://{raw_file}")
    cli(
        "create-template",
        "--template",
        json.dumps(
            {
                "TemplateName": "welcome",
                "SubjectPart": "Welcome {{name}}",
                "TextPart": "Hi {{name}}",
                "HtmlPart": "<p>Hi {{name}}</p>",
            }
        ),
    )
    cli(
        "send-templated-email",
        "--source",
        SENDER,
        "--destination",
        "ToAddresses=eve@example.org",
        "--template",
        "welcome",
        "--template-data",
        '{"name": "Eve"}',
    )
    bulk = tmp_path / "bulk.json"
    bulk.write_text(
        json.dumps(
            {
                "Source": SENDER,
                "Template": "welcome",
                "DefaultTemplateData": '{"name": "friend"}',
                "Destinations": [
                    {
                        "Destination": {"ToAddresses": ["fay@example.org"]},
                        "ReplacementTemplateData": '{"name": "Fay"}',
                    },
                    {"Destination": {"ToAddresses": ["gus@example.org"]}},
                ],
            }
        )
    )
    statuses = cli("send-bulk-templated-email", "--cli-input-json", f"file://{bulk}")["Status"]
    assert [s["Status"] for s in statuses] == ["Success", "Success"]

    sent = _by_subject(fake)
    assert sorted(sent, key=str) == sorted(
        ["Plain", "Html", "Attached", "Welcome Eve", "Welcome Fay", "Welcome friend"]
    )
    assert (sent["Plain"].to, sent["Plain"].text, sent["Plain"].html) == (
        ("ann@example.org",),
        "Hello Ann",
        None,
    )
    assert (sent["Html"].to, sent["Html"].cc, sent["Html"].html, sent["Html"].tags) == (
        ("bob@example.org",),
        ("cy@example.org",),
        "<p>Hello Bob</p>",
        {"campaign": "spring"},
    )
    attached = sent["Attached"]
    assert (attached.to, attached.text, attached.html) == (
        ("dee@example.org",),
        "See the report.\n",
        "<p>See the report.</p>\n",
    )
    assert _attachment_names(attached) == ["report.csv", "q1.pdf"]
    assert (sent["Welcome Eve"].text, sent["Welcome Eve"].html) == ("Hi Eve", "<p>Hi Eve</p>")
    assert sent["Welcome friend"].to == ("gus@example.org",)
    everyone = ["ann", "bob", "cy", "dee", "eve", "fay", "gus"]
    assert fake.delivery_counts() == {f"{name}@example.org": 1 for name in everyone}
    assert cli("get-send-statistics")["SendDataPoints"][0]["DeliveryAttempts"] == 7
    assert [t["Name"] for t in cli("list-templates")["TemplatesMetadata"]] == ["welcome"]


def test_aws_cli_shows_v1_errors_by_code(cli: Cli, fake: FakeSES) -> None:
    missing = cli.run(
        "send-templated-email",
        "--source",
        SENDER,
        "--destination",
        "ToAddresses=ann@example.org",
        "--template",
        "nowhere",
        "--template-data",
        "{}",
    )
    assert missing.returncode != 0
    assert "(TemplateDoesNotExist)" in missing.stderr
    assert "Template nowhere does not exist." in missing.stderr
    unverified = cli.run(
        "send-email", "--from", "x@elsewhere.example", "--to", "a@example.org", "--subject", "s",
        "--text", "t",
    )  # fmt: skip
    assert "(MessageRejected)" in unverified.stderr
    assert fake.outbox == []


def test_aws_cli_reports_an_action_the_fake_lacks_readably(cli: Cli) -> None:
    done = cli.run("list-receipt-rule-sets")
    assert done.returncode != 0
    assert "An error occurred (NotImplemented) when calling the ListReceiptRuleSets" in done.stderr
    assert "FakeSES does not implement the SES v1 action ListReceiptRuleSets" in done.stderr
    assert "SendRawEmail" in done.stderr
    assert "invalid XML" not in done.stderr


# --- django-ses, v1 mode (its default) ---------------------------------------------------------

_DJANGO_SCRIPT = """
import json
import sys

import django
from django.conf import settings

url, templates = sys.argv[1], sys.argv[2]
settings.configure(
    EMAIL_BACKEND="django_ses.SESBackend",  # its default: the SES v1 API
    AWS_SES_REGION_NAME="us-east-1",
    AWS_SES_REGION_ENDPOINT_URL=url,
    AWS_SES_ACCESS_KEY_ID="testing",
    AWS_SES_SECRET_ACCESS_KEY="testing",
    AWS_SES_CONFIGURATION_SET="marketing",
    DEFAULT_FROM_EMAIL="News <news@example.com>",
    TEMPLATES=[{"BACKEND": "django.template.backends.django.DjangoTemplates", "DIRS": [templates]}],
)
django.setup()

from django.core import mail
from django.template.loader import render_to_string

sent = []
sent.append(mail.send_mail("Plain", "Hello Ann", None, ["ann@example.org"]))

html = mail.EmailMultiAlternatives(
    "Html and attachment", "Hello Bob", None, ["bob@example.org"], cc=["cy@example.org"],
    bcc=["hidden@example.org"],
)
html.attach_alternative("<p>Hello <b>Bob</b></p>", "text/html")
html.attach("invoice.pdf", b"%PDF-1.4 fake", "application/pdf")
html.attach("notes.txt", "plain notes", "text/plain")
sent.append(html.send())

context = {"name": "Dee", "items": ["tea", "cake"]}
rendered = mail.EmailMultiAlternatives(
    render_to_string("subject.txt", context).strip(),
    render_to_string("body.txt", context),
    None,
    ["dee@example.org"],
)
rendered.attach_alternative(render_to_string("body.html", context), "text/html")
sent.append(rendered.send())

ids = [m.extra_headers["message_id"] for m in (html, rendered)]
backend = mail.get_connection()
backend.open()
service = backend.connection.meta.service_model.service_name
print(json.dumps({"sent": sent, "ids": ids, "service": service}))
"""


def test_django_ses_v1_sends_plain_html_with_attachments_and_templated_mail(
    django_python: Path, fake: FakeSES, tmp_path: Path
) -> None:
    v2 = fake.http_client()
    v2.create_configuration_set(ConfigurationSetName="marketing")
    v2.close()
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "subject.txt").write_text("Your order, {{ name }}")
    (templates / "body.txt").write_text("Hi {{ name }}:{% for i in items %} {{ i }}{% endfor %}")
    (templates / "body.html").write_text(
        "<p>Hi {{ name }}</p>{% for i in items %}<li>{{ i }}</li>{% endfor %}"
    )
    script = tmp_path / "send.py"
    script.write_text(_DJANGO_SCRIPT)
    assert fake.endpoint_url is not None
    done = subprocess.run(
        [str(django_python), str(script), fake.endpoint_url, str(templates)],
        capture_output=True,
        text=True,
        env=_env(tmp_path),
        timeout=TIMEOUT,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert (report["service"], report["sent"]) == ("ses", [1, 1, 1])  # the v1 API

    sent = _by_subject(fake)
    assert sorted(sent, key=str) == ["Html and attachment", "Plain", "Your order, Dee"]
    plain = sent["Plain"]
    assert (plain.from_address, plain.to, plain.text, plain.html) == (
        "News <news@example.com>",
        ("ann@example.org",),
        "Hello Ann",
        None,
    )
    html = sent["Html and attachment"]
    assert (html.to, html.cc, html.bcc) == (
        ("bob@example.org",),
        ("cy@example.org",),
        ("hidden@example.org",),
    )
    assert (html.text, html.html) == ("Hello Bob", "<p>Hello <b>Bob</b></p>")
    assert _attachment_names(html) == ["invoice.pdf", "notes.txt"]
    rendered = sent["Your order, Dee"]
    assert (rendered.to, rendered.text, rendered.html) == (
        ("dee@example.org",),
        "Hi Dee: tea cake",
        "<p>Hi Dee</p><li>tea</li><li>cake</li>",
    )
    # The set comes from django-ses's X-SES-CONFIGURATION-SET header.
    assert {m.configuration_set for m in fake.outbox} == {"marketing"}
    assert report["ids"] == [html.message_id, rendered.message_id]
    assert fake.delivery_counts()["hidden@example.org"] == 1
    # django-ses paces itself by the v1 quota (AWS_SES_AUTO_THROTTLE).
    assert fake.call_count("GetAccount") >= 1
