"""Every ```python block of README.md and docs/*.md runs against FakeSES, or is marked as
needing AWS, with a note the reader sees.

A block that only includes a script of examples/ (`--8<-- "examples/..."`) is run by
test_examples.py, whole (the `sesflow demo` walkthrough by the CLI tests). A page's other
blocks run in order in one namespace (`example_namespace()`), in a temporary working
directory. A block needing real AWS is preceded by the line `<!-- needs-aws -->`, and by a
visible note saying "Needs AWS" (e.g. `!!! note "Needs AWS"`) a few lines above.

What the reader's code would fetch from AWS besides SES is played offline: the SNS signing
certificate (an `SnsVerifier` fetches it by default) is FakeSES's test certificate, and on the
pages of `MOTO_PAGES` moto plays every other AWS service (the reader's SNS topic).

A block that needs another tool installed (Django, anymail, django-ses, a pytest run of its
own) is preceded by `<!-- client: NAME/PART -->`: test_local_clients.py runs it, in the
environment that has the tool, against `sesflow local`. A page that talks to `sesflow local`
at its default address (`PAGE_SERVED`) runs its other blocks against a fake served on a free
port, the page's URL replaced by the fake's.
"""

from __future__ import annotations

import contextlib
import importlib.util
import re
from pathlib import Path
from typing import Any

import pytest
from moto import mock_aws

from conftest import botocore_lacks, example_counts, example_namespace
from sesflow.events import _sns
from sesflow.testing import FakeSES

ROOT = Path(__file__).parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
MARKER = "<!-- needs-aws -->"
CLIENT = re.compile(r"<!-- client: (?P<name>[\w./-]+) -->")
#: A block that only includes (a section of) a script of examples/ (test_examples.py runs
#: them) or of the `sesflow demo` walkthrough (the CLI tests run it).
INCLUDED = re.compile(r'--8<-- "(examples/[^"]+|src/sesflow/_cli/_demo\.py:[a-z]+)"\s*')
FENCE = re.compile(r"^(?P<indent> *)```python\s*\n(?P<code>.*?)^(?P=indent)```\s*$", re.M | re.S)

#: Pages whose blocks do not all run yet; each must still fail (strict xfail), so a page
#: fixed is noticed and removed here.
PENDING: set[str] = set()

#: Pages whose reader has AWS resources besides SES (an SNS topic): moto plays them.
MOTO_PAGES = {"docs/events.md"}

#: What a reader of a page already has, made before its blocks run: the page names these
#: as its reader's own (their configuration set, their template, their order object).
PAGE_SETUP = {
    "README.md": (
        'ses.configuration_set("marketing").create()\n'
        'ses.template("spring-news").create("Spring news for {{name}}", text="Hi {{name}}")\n'
        # The reader's topic; `body` and `headers` (in the namespace) are SNS's POST of a
        # bounce to their webhook.
        "topic = topic_arn\n"
    ),
    "docs/events.md": (
        "import boto3\n"
        "from web_stand_ins import HttpResponse, Request, Response, WebFrameworks\n"
        "from web_stand_ins import run_in_threadpool\n"
        'ses.configuration_set("marketing").create()\n'
        'topic_arn = boto3.client("sns").create_topic(Name="ses-events")["TopicArn"]\n'
        # The reader's Flask, Django and FastAPI, and their on_event (the page shows
        # examples/webhook_wsgi.py's): it keeps what it is given.
        "web = WebFrameworks()\n"
        "app, request, csrf_exempt = web, web.request, web.csrf_exempt\n"
        "received = []\n"
        "on_event = received.append\n"
    ),
    "docs/bulk.md": (
        'ses.template("spring-news").create("Spring news for {{name}}", text="Hi {{name}}")\n'
        'addresses = [f"reader{i}@example.net" for i in range(500)]\n'
    ),
    "docs/testing.md": 'template = "welcome"\n',
    # The IP AWS leased to the reader's account.
    "docs/configuration-sets.md": 'fake.lease_dedicated_ip("198.51.100.7")\n',
    # The reader's own report, from the page's first block (which needs AWS): here one with
    # an error, the MAIL FROM MX missing, on a FakeDNS.
    "docs/deliverability.md": (
        'unsubscribe_secret = "the secret from your secret store"\n'
        'new_secret = "the next secret, from the same store"\n'
        'readers = [Recipient(f"reader{i}@example.net", data={"name": f"Reader {i}"})'
        " for i in range(5)]\n"
        'dom = ses.domain("example.com").create(mail_from="mail.example.com")\n'
        'fake.set_status("example.com", verification="SUCCESS", mail_from="SUCCESS")\n'
        "with FakeDNS() as _dns:\n"
        '    _dns.publish(r for r in dom.dns_records() if r.type != "MX")\n'
        '    checkup = ses.doctor("example.com", resolver=_dns.resolver())\n'
    ),
    # The reader has verified their domain; the delegate's account is another fake, linked.
    "docs/verification-emails.md": 'fake.verify("example.com")\n',
    "docs/sending-authorization.md": (
        'fake.verify("example.com")\n'
        'delegate_fake = FakeSES(account_id="111122223333")\n'
        "fake.link(delegate_fake)\n"
        "delegate_ses = sesflow.SES(client=delegate_fake.client())\n"
    ),
    "docs/sending.md": (
        "from types import SimpleNamespace\n"
        'order = SimpleNamespace(email="bob@example.com", id="order-1042")\n'
        'receipt = "Thank you for your order."\n'
    ),
}


#: Run after a page's blocks: what they made works as the page says.
PAGE_CHECK = {
    "README.md": "assert status == 200, status\n",
    # Mail through the configuration set the page set up: SES publishes the events to the
    # page's topic, and SNS POSTs one to each of the page's views (Flask, Django, FastAPI).
    "docs/events.md": (
        "import json\n"
        'marketing = ses.sender("news@example.com", configuration_set="marketing")\n'
        'marketing.send("bounce@simulator.amazonses.com", "Hi", text="Hi")\n'
        'marketing.send("complaint@simulator.amazonses.com", "Hi", text="Hi")\n'
        "posts = [(json.dumps(envelope).encode(), {'x-amz-sns-message-type': envelope['Type']})\n"
        "         for envelope in fake.sns_messages(topic_arn)]\n"
        "assert web.deliver(posts) == [200, 200, 200]\n"
        'assert [e.event_type for e in received] == ["Bounce", "Delivery", "Complaint"]\n'
    ),
    # The page's tests pass (a reader runs them with pytest); the stopped campaign, resumed,
    # sent each reader once; the webhook kept the bounce.
    "docs/async.md": (
        "test_receipt()\n"
        "import tempfile\n"
        "with tempfile.TemporaryDirectory() as tmp:\n"
        "    test_newsletter_paces_under_the_rate(Path(tmp))\n"
        "sent = [m.to[0] for m in served.outbox]\n"
        "assert sorted(sent) == sorted(f'reader{i}@example.net' for i in range(40)), sent\n"
        "assert status == 200 and [e.event_type for e in received] == ['Bounce']\n"
    ),
}
#: Pages whose blocks talk to `sesflow local` at this URL; they run against a served fake.
PAGE_SERVED = {"docs/local.md": "http://127.0.0.1:7373"}


def blocks(page: Path) -> list[tuple[int, str, bool]]:
    """(line, code, needs AWS) for each ```python block of `page` (client blocks left out)."""
    return [
        (line, code, needs_aws) for line, code, needs_aws, client in _blocks(page) if not client
    ]


def client_blocks(page: Path, name: str) -> str:
    """The code of every block of `page` marked `<!-- client: NAME -->`, joined in order."""
    found = [code for _, code, _, client in _blocks(page) if client == name]
    assert found, f"{page.name} has no block marked <!-- client: {name} -->"
    return "\n\n".join(found)


def _blocks(page: Path) -> list[tuple[int, str, bool, str | None]]:
    text = page.read_text(encoding="utf-8")
    found = []
    for match in FENCE.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        before = text[: match.start()].rstrip("\n").splitlines()
        needs_aws = bool(before) and before[-1].strip() == MARKER
        client = CLIENT.fullmatch(before[-1].strip()) if before else None
        indent = len(match["indent"])
        code = "\n".join(row[indent:] for row in match["code"].splitlines())
        found.append((line, code, needs_aws, client["name"] if client else None))
    return found


#: Pages using features that need a newer botocore than the oldest supported one (`make
#: unit-min`): the model field each needs. On an older botocore the page is skipped.
PAGE_NEEDS = {
    "docs/tenants.md": ("ListTenantsRequest", "Filter"),
    "docs/configuration-sets.md": ("SendEmailRequest", "ConfigurationOverrides"),
}


#: Pages whose blocks need an optional extra (not in `make unit-min`'s environment): the
#: modules each imports. Without them the page is skipped.
PAGE_MODULES = {"docs/async.md": ("aiobotocore", "greenlet", "fastapi", "httpx")}


def _page_marks(name: str) -> list[Any]:
    if name in PENDING:
        return [pytest.mark.xfail(reason="blocks not runnable yet", strict=True)]
    missing = [m for m in PAGE_MODULES.get(name, ()) if importlib.util.find_spec(m) is None]
    if missing:
        return [pytest.mark.skip(reason=f"needs {', '.join(missing)} (the async extra)")]
    lacks = botocore_lacks(*PAGE_NEEDS[name]) if name in PAGE_NEEDS else None
    return [pytest.mark.skip(reason=lacks)] if lacks else []


def _params() -> list[object]:
    return [
        pytest.param(
            page,
            id=str(page.relative_to(ROOT)),
            marks=_page_marks(str(page.relative_to(ROOT))),
        )
        for page in PAGES
        if blocks(page)
    ]


@pytest.mark.parametrize("page", _params())
def test_docs_code_blocks_run(
    page: Path, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    name = str(page.relative_to(ROOT))
    aws = mock_aws() if name in MOTO_PAGES else contextlib.nullcontext()
    with aws:
        namespace = example_namespace()
        # AWS's SigningCertURL, answered offline with the certificate FakeSES signs with.
        monkeypatch.setattr(_sns, "default_cert_fetcher", namespace["fake"].cert_fetcher)
        exec(PAGE_SETUP.get(name, ""), namespace)
        counts = example_counts(request.config)
        counts["clients"] += sum(1 for *_, client in _blocks(page) if client)
        served = PAGE_SERVED.get(name)
        if served is not None:
            local = FakeSES()
            local.verify("news@example.com")
            request.addfinalizer(local.stop)
            url = local.serve()
        for line, code, needs_aws in blocks(page):
            if served is not None:
                code = code.replace(served, url)
            if needs_aws:
                counts["needs_aws"] += 1
                continue
            if INCLUDED.fullmatch(code):
                counts["included"] += 1
                continue
            counts["blocks"] += 1
            try:
                exec(compile(code, f"{page.name}:{line}", "exec"), namespace)
            except Exception as exc:
                raise AssertionError(f"{page.name}, the block at line {line}: {exc!r}") from exc
        exec(PAGE_CHECK.get(name, ""), namespace)


@pytest.mark.parametrize("page", PAGES, ids=[str(p.relative_to(ROOT)) for p in PAGES])
def test_needs_aws_blocks_say_so(page: Path) -> None:
    """A block marked as needing AWS has a visible note just above its marker."""
    lines = page.read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines):
        if line.strip() == MARKER:
            above = "\n".join(lines[max(0, number - 6) : number])
            assert "Needs AWS" in above, f"{page.name}:{number + 1}: no visible 'Needs AWS' note"
