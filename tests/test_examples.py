"""Every example in examples/ runs and does what it says (the docs include them).

Each example is run as a script; its check reads what it printed (stdout, line by line) and,
where the script keeps its fake SES in a global, the fake's outbox and state.
"""

from __future__ import annotations

import base64
import importlib.util
import re
import runpy
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import load_der_public_key

from conftest import require_postgres
from sesflow.testing import FakeSES

EXAMPLES = sorted((Path(__file__).parent.parent / "examples").glob("*.py"))
#: Examples on `sesflow.aio.AsyncSES`.
NEEDS_ASYNC_EXTRA = {"webhook_fastapi.py", "webhook_starlette.py"}

MESSAGE_ID = r"0100[0-9a-f]{12}-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}-000000"
RATE = r"rate=\d+(\.\d+)?/s"
DKIM_TOKEN = r"[a-z0-9]{32}"

Check = Callable[[list[str], dict[str, Any]], None]


def _fullmatch(pattern: str, line: str) -> None:
    assert re.fullmatch(pattern, line), f"{line!r} does not match {pattern!r}"


def _fake(scope: dict[str, Any]) -> FakeSES:
    fake = scope["fake"]
    assert isinstance(fake, FakeSES)
    return fake


def _bulk_campaign(lines: list[str], scope: dict[str, Any]) -> None:
    assert len(lines) == 3, lines
    _fullmatch(
        rf"BulkReport\(total=500, sent=500, failed=0, skipped=0, repeats=0, ambiguous=0, "
        rf"unsent=0, {RATE}\)",
        lines[0],
    )
    # The rerun from the journal sends nobody.
    _fullmatch(
        rf"BulkReport\(total=500, sent=0, failed=0, skipped=500, repeats=0, ambiguous=0, "
        rf"unsent=0, {RATE}\)",
        lines[1],
    )
    assert lines[2] == "deliveries: 500 recipients, once each"
    fake = _fake(scope)
    assert fake.delivery_counts() == Counter({f"user{i}@example.com": 1 for i in range(500)})
    outbox = fake.outbox
    assert len(outbox) == 500
    assert {m.operation for m in outbox} == {"SendBulkEmail"}
    assert {m.from_address for m in outbox} == {"news@example.com"}
    assert all(m.tags == {"campaign": "spring"} for m in outbox)
    first = next(m for m in outbox if m.to == ("user7@example.com",))
    assert first.subject == "Spring news for User 7"
    assert first.text == "Hi User 7, here is what is new."
    assert first.html == "<p>Hi User 7, here is what is new.</p>"


def _byodkim(lines: list[str], scope: dict[str, Any]) -> None:
    [line] = lines
    match = re.fullmatch(r'sesflow1\._domainkey\.example\.com\. 1800 IN TXT ((?:"[^"]+" ?)+)', line)
    assert match, line
    # The TXT record is the public half of the 2048-bit key, split into quoted strings.
    value = "".join(re.findall(r'"([^"]+)"', match.group(1)))
    assert value.startswith("p=")
    public_key = load_der_public_key(base64.b64decode(value[2:]))
    assert isinstance(public_key, rsa.RSAPublicKey)
    assert public_key.key_size == 2048


def _configuration_sets(lines: list[str], scope: dict[str, Any]) -> None:
    assert lines == [
        "to-sns ['BOUNCE', 'CLICK', 'COMPLAINT', 'DELIVERY', 'OPEN', 'SEND']",
        "metrics ['BOUNCE', 'COMPLAINT']",
        "ConfigurationSet('marketing') sends through marketing-ips",
        "sending enabled: False",
    ]
    ses = scope["ses"]
    assert ses.identity("news@example.com").configuration_set == "marketing"


def _demo(lines: list[str], scope: dict[str, Any]) -> None:
    _fullmatch(r"FakeSES serving on http://127\.0\.0\.1:\d+", lines[0])
    headings = [line for line in lines if line.startswith("== ")]
    assert [re.sub(r" =+\Z", "", h) for h in headings] == [
        "== 1. A new account is in the sandbox",
        "== 2. A configuration set: an IP pool and event tracking to SNS",
        "== 3. Verify an email address, with a default configuration set",
        "== 4. Verify a domain: Easy DKIM 2048, a custom MAIL FROM, Route 53",
        "== 5. Request production access",
        "== 6. A campaign: 200 recipients at 200/s",
    ]
    assert all(len(h) == 78 for h in headings)
    expected = [
        "Account(region='us-east-1', in_sandbox=True, max_send_rate=1, max_24_hour_send=200, "
        "sent_last_24_hours=0)",
        "to-sns -> arn:aws:sns:us-east-1:123456789012:ses-events "
        "['BOUNCE', 'CLICK', 'COMPLAINT', 'DELIVERY', 'OPEN', 'SEND']",
        "Identity('news@example.com', verification_status=PENDING)",
        "Identity('news@example.com', verification_status=SUCCESS) "
        "| default configuration set: marketing",
        "Domain('example.com', verification_status=SUCCESS, dkim_status=SUCCESS, "
        "mail_from_status=SUCCESS)",
        "review: GRANTED",
        "quota before:      200 per 24 h,    1/s",
        "quota  after:   50,000 per 24 h,  200/s",
        "skipped 200 already sent; sent 0 again",
    ]
    # In this order, each exactly once.
    positions = [lines.index(line) for line in expected]
    assert positions == sorted(positions)
    assert all(lines.count(line) == 1 for line in expected)
    assert sum(1 for line in lines if re.match(rf"CNAME  {DKIM_TOKEN}\._domainkey", line)) == 3
    assert sum(1 for line in lines if re.search(r"\. 1800 IN (CNAME|MX|TXT) ", line)) == 6
    _fullmatch(r"Route 53 change C[0-9A-Z]+: 6 records UPSERTed", _after(lines, "Route 53 "))
    _fullmatch(r"review \d+: PENDING", _after(lines, "review "))
    _fullmatch(
        rf"BulkReport\(total=200, sent=200, failed=0, skipped=0, repeats=0, ambiguous=0, "
        rf"unsent=0, {RATE}\)",
        _after(lines, "BulkReport("),
    )
    # The peak depends on real time (the demo serves the fake over HTTP): at most the rate.
    summary = re.fullmatch(
        r"The fake saw 200 deliveries to 200 addresses, a peak of (\d+) recipients in one "
        r"second, 0 throttled calls\.",
        lines[-1],
    )
    assert summary, lines[-1]
    assert 0 < int(summary[1]) <= 200
    _fullmatch(
        rf"Again, from the journal: BulkReport\(total=200, sent=0, failed=0, skipped=200, "
        rf"repeats=0, ambiguous=0, unsent=0, {RATE}\)",
        _after(lines, "Again, "),
    )


def _after(lines: list[str], prefix: str) -> str:
    [line] = [line for line in lines if line.startswith(prefix)]
    return line


def _domain_setup(lines: list[str], scope: dict[str, Any]) -> None:
    assert len(lines) == 16, lines
    _fullmatch(r"TYPE +NAME +VALUE +PURPOSE", lines[0])
    table = [line.split() for line in lines[1:7]]
    assert [(row[0], row[-1]) for row in table] == [
        ("CNAME", "dkim"),
        ("CNAME", "dkim"),
        ("CNAME", "dkim"),
        ("MX", "mail_from_mx"),
        ("TXT", "mail_from_spf"),
        ("TXT", "dmarc"),
    ]
    for row in table[:3]:
        _fullmatch(rf"({DKIM_TOKEN})\._domainkey\.example\.com", row[1])
        assert row[2] == row[1].split(".")[0] + ".dkim.amazonses.com."
    tokens = [row[1].split(".")[0] for row in table[:3]]
    assert lines[7:13] == [
        *[f"{t}._domainkey.example.com. 1800 IN CNAME {t}.dkim.amazonses.com." for t in tokens],
        "mail.example.com. 1800 IN MX 10 feedback-smtp.us-east-1.amazonses.com.",
        'mail.example.com. 1800 IN TXT "v=spf1 include:amazonses.com ~all"',
        '_dmarc.example.com. 1800 IN TXT "v=DMARC1; p=none; rua=mailto:dmarc@example.com"',
    ]
    _fullmatch(r"Route 53 change C[0-9A-Z]+ submitted", lines[13])
    # The fake answers SUCCESS after 3 DKIM polls and 2 MAIL FROM polls, on a virtual clock.
    assert lines[14:] == [
        "example.com: DKIM SUCCESS, MAIL FROM SUCCESS",
        "(waited 210 simulated seconds)",
    ]


def _handle_errors(lines: list[str], scope: dict[str, Any]) -> None:
    assert lines == [
        "bad input in address: address: 'not-an-address' is not an email address "
        "(expected local@domain)",
        "nobody@example.com is not an identity in us-east-1; create it first",
        "still PENDING after 5 polls",
        "done@example.com is verified",
    ]


def _production_access(lines: list[str], scope: dict[str, Any]) -> None:
    assert len(lines) == 4, lines
    assert lines[0] == (
        "Account(region='us-east-1', in_sandbox=True, max_send_rate=1, max_24_hour_send=200, "
        "sent_last_24_hours=0)"
    )
    _fullmatch(r"review \d+ PENDING", lines[1])
    assert lines[2:] == ["quota before: 200/24 h at 1/s", "quota after:  50000/24 h at 14/s"]
    fake = _fake(scope)
    assert not fake.account.in_sandbox
    assert scope["before"].in_sandbox
    assert not scope["after"].in_sandbox


def _send_email(lines: list[str], scope: dict[str, Any]) -> None:
    assert len(lines) == 4, lines
    simple = re.fullmatch(rf"simple: ({MESSAGE_ID})", lines[0])
    template = re.fullmatch(rf"template: SendResult\(message_id='({MESSAGE_ID})'\)", lines[1])
    raw = re.fullmatch(rf"raw: ({MESSAGE_ID})", lines[2])
    assert simple, lines[0]
    assert template, lines[1]
    assert raw, lines[2]
    assert lines[3] == "3 messages in the fake's outbox"
    outbox = _fake(scope).outbox
    assert [m.message_id for m in outbox] == [simple[1], template[1], raw[1]]
    assert {m.from_address for m in outbox} == {"Example News <news@example.com>"}
    assert {m.reply_to for m in outbox} == {("help@example.com",)}
    report, welcome, by_hand = outbox
    assert (report.to, report.subject) == (("bob@example.com",), "Your March report")
    assert report.text == "Hi Bob, the report is attached."
    assert report.html == "<p>Hi Bob, the report is attached.</p>"
    assert [(a.filename, a.content) for a in report.attachments] == [
        ("report.csv", b"day,signups\n1,42\n")
    ]
    assert dict(report.headers)["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert report.tags == {"kind": "report"}
    assert (welcome.to, welcome.subject) == (("ann@example.com",), "Welcome, Ann!")
    assert welcome.text == "Hi Ann, glad you joined."
    assert (by_hand.to, by_hand.subject) == (("carol@example.com",), "Built by hand")
    assert by_hand.raw is not None
    assert b"<p>HTML part</p>" in by_hand.raw


def _templates_and_suppression(lines: list[str], scope: dict[str, Any]) -> None:
    # The rendered MIME message ...
    assert "Subject: Welcome, Ann!" in lines
    assert "Hi Ann, thanks for joining." in lines
    assert "<h1>Hi Ann</h1><p>Thanks for joining.</p>" in lines
    # ... then what the rest prints, in order.
    rest = lines[lines.index("<h1>Hi Ann</h1><p>Thanks for joining.</p>") + 1 :]
    rest = [line for line in rest if line and not line.startswith("--=")]
    assert len(rest) == 4, rest
    assert rest[0].startswith("incomplete data: ")
    assert "Attribute 'name' is not present in the rendering data." in rest[0]
    assert rest[1] == "templates: ['welcome']"
    assert rest[2].startswith(
        "SuppressedDestination(address='bounced@example.com', "
        "reason=<SuppressionReason.BOUNCE: 'BOUNCE'>"
    )
    assert rest[3] == "suppressed: bounced@example.com BOUNCE"
    ses = scope["ses"]
    assert [t.name for t in ses.templates()] == ["welcome"]
    assert list(ses.suppression_list.filter()) == []  # removed again at the end


def _testing_with_fake(lines: list[str], scope: dict[str, Any]) -> None:
    tests = sorted(name for name in scope if name.startswith("test_"))
    assert len(tests) == 5
    assert lines == [f"passed: {name}" for name in tests]


def _verify_email(lines: list[str], scope: dict[str, Any]) -> None:
    assert lines == [
        "alice@example.com: PENDING; check the inbox",
        "alice@example.com: verified for sending: True",
    ]
    assert _fake(scope).identity_state("alice@example.com").verification_status == "SUCCESS"
    # Verified at 90 s; seen at the poll after that (0, 10, 30, 70, 130 s).
    assert scope["clock"]() == 130


def _webhook_wsgi(lines: list[str], scope: dict[str, Any]) -> None:
    # One signed bounce envelope, delivered to the webhook, verified and handled.
    assert lines == [
        "stop mailing (hard bounce): bounce@simulator.amazonses.com",
        "webhook answered 200",
    ]


def _unsubscribe_web(lines: list[str], scope: dict[str, Any]) -> None:
    """Flask, Django or FastAPI: the view answers the link of a delivered message."""
    assert len(lines) == 4, lines
    _fullmatch(
        rf"BulkReport\(total=2, sent=2, failed=0, skipped=0, repeats=0, ambiguous=0, "
        rf"unsent=0, {RATE}\)",
        lines[0],
    )
    # A GET (a person, or a mail scanner) leaves the reader subscribed; the one-click POST
    # opts her out in the contact list; the next campaign skips her.
    assert lines[1:3] == [
        "GET 200: subscribed to weekly: True",
        "POST 200: subscribed to weekly: False",
    ]
    _fullmatch(
        rf"BulkReport\(total=2, sent=1, failed=0, skipped=1, repeats=0, opted_out=1, "
        rf"ambiguous=0, unsent=0, {RATE}\)",
        lines[3],
    )


def _scale_out(lines: list[str], scope: dict[str, Any]) -> None:
    shares = [line for line in lines if line.startswith("worker ")]
    assert len(shares) == 3, lines
    sent = [int(re.search(r"'sent': (\d+)", line)[1]) for line in shares]  # type: ignore[index]
    assert sum(sent) == 2_000  # split between the workers, each recipient once
    [campaign] = [line for line in lines if line.startswith("campaign: ")]
    assert campaign.startswith("campaign: BulkReport(total=2000, sent=2000, failed=0"), campaign
    assert "deliveries: 2000 recipients, at most 1 each" in lines
    [rate] = [line for line in lines if line.startswith("throttled calls: ")]
    throttled, busiest = map(int, re.findall(r"\d+", rate)[:2])
    # The workers' grants never pass the rate; a call that arrives late on a busy machine can
    # cross into the next second and be throttled (then retried: still each recipient once).
    assert throttled <= 3
    assert busiest <= 500  # the account's rate, shared by the three workers


def _webhook_async(lines: list[str], scope: dict[str, Any]) -> None:
    """FastAPI or Starlette: the SNS webhook and the unsubscribe link, played offline."""
    assert len(lines) == 7, lines
    assert re.fullmatch(
        r"BulkReport\(total=2, sent=2, failed=0, skipped=0, repeats=0, ambiguous=0, "
        r"unsent=0, rate=\d+(\.\d+)?/s\)",
        lines[0],
    ), lines[0]
    assert lines[1:] == [
        "stop mailing (hard bounce): bounce@simulator.amazonses.com",
        "SNS delivery answered 200",
        "SNS redelivery answered 200",
        "forged delivery answered 403",
        "GET 200: subscribed to weekly: True",
        "POST 200: subscribed to weekly: False",
    ]


CHECKS: dict[str, Check] = {
    "bulk_campaign.py": _bulk_campaign,
    "byodkim.py": _byodkim,
    "configuration_sets.py": _configuration_sets,
    "demo.py": _demo,
    "domain_setup.py": _domain_setup,
    "handle_errors.py": _handle_errors,
    "production_access.py": _production_access,
    "scale_out.py": _scale_out,
    "send_email.py": _send_email,
    "templates_and_suppression.py": _templates_and_suppression,
    "testing_with_fake.py": _testing_with_fake,
    "unsubscribe_django.py": _unsubscribe_web,
    "unsubscribe_fastapi.py": _unsubscribe_web,
    "unsubscribe_flask.py": _unsubscribe_web,
    "verify_email.py": _verify_email,
    "webhook_fastapi.py": _webhook_async,
    "webhook_starlette.py": _webhook_async,
    "webhook_wsgi.py": _webhook_wsgi,
}


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_example_runs_and_does_what_it_says(
    path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
) -> None:
    if path.name in NEEDS_ASYNC_EXTRA and importlib.util.find_spec("aiobotocore") is None:
        # .venv-min: aiobotocore pins a botocore newer than the minimum, so it cannot be there.
        pytest.skip("needs the async extra (aiobotocore), which this botocore cannot have")
    monkeypatch.setenv("SESFLOW_DEMO_SCALE", "0.1")  # the demo's campaign, a tenth the size
    if path.name == "scale_out.py":  # the test Redis and PostgreSQL (skip, or fail under CI)
        monkeypatch.setenv("REDIS_URL", request.getfixturevalue("redis_url"))
        monkeypatch.setenv("DATABASE_URL", require_postgres())
    scope = runpy.run_path(str(path), run_name="__main__")
    lines = capsys.readouterr().out.splitlines()
    CHECKS[path.name](lines, scope)


def test_every_example_has_a_check() -> None:
    assert len(EXAMPLES) >= 3
    assert sorted(CHECKS) == [path.name for path in EXAMPLES]
