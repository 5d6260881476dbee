"""The SES console walkthrough, in code, offline: what `sesflow demo` (and `make demo`) runs.

1. The account starts in the sandbox: its quota.
2. A configuration set that sends through an IP pool and publishes send, delivery, open,
   click, bounce and complaint events to SNS.
3. Verify an email address, with that configuration set as its default, and wait for the click.
4. Verify a domain: Easy DKIM 2048 and a custom MAIL FROM; the DNS records as a table and as
   zone-file lines; publish them to Route 53 and wait while SES checks them.
5. Request production access; the review is granted; the quota before and after.
6. Store a template and bulk-send it to 2,000 recipients at 200/s with a progress bar, then
   run the campaign again from its journal: everyone is skipped, nobody gets it twice.

SES is `sesflow.testing.FakeSES`, served over real HTTP on 127.0.0.1 (so botocore does a
real round trip); Route 53 and SNS are moto, when it is installed (`pip install
'sesflow[demo]'`; without it those two steps are skipped). No AWS account is needed.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import boto3

import sesflow
from sesflow import EventType, Recipient, SnsDestination

from ._app import Context, add_command
from ._output import Result

if TYPE_CHECKING:
    from sesflow.testing import FakeSES

__all__ = ["main", "register", "run", "walkthrough"]

RATE = 200.0
NO_MOTO = (
    "moto is not installed: the demo skips the SNS event destination and the Route 53 "
    "publish (pip install 'sesflow[demo]' to see them)"
)


def recipients_count() -> int:
    """The campaign's size: 2,000 times `SESFLOW_DEMO_SCALE` (the test suite scales it down)."""
    return int(2000 * float(os.environ.get("SESFLOW_DEMO_SCALE", "1")))


def heading(text: str) -> None:
    """Print a step's heading."""
    print(f"\n== {text} " + "=" * max(0, 74 - len(text)))


def subscribers(count: int) -> Iterator[Recipient]:
    """Stands in for a CSV file or a database cursor: read lazily, one at a time."""
    for i in range(count):
        yield Recipient(f"subscriber{i:05d}@example.net", data={"name": f"Subscriber {i}"})


# --8<-- [start:walkthrough]
def walkthrough(
    ses: sesflow.SES, fake: FakeSES, sns: Any | None, journal: Path, *, recipients: int
) -> None:
    """The console walkthrough, step by step (`sns` None: no SNS and no Route 53)."""
    # The fake answers at once, so the waits here poll every half second; against SES
    # you would use the defaults (seconds to minutes).
    heading("1. A new account is in the sandbox")
    before = ses.account()
    print(before)

    heading("2. A configuration set: an IP pool and event tracking to SNS")
    pool = ses.ip_pool("marketing-ips").create()
    marketing = ses.configuration_set("marketing").create(sending_pool=pool.name)
    if sns is not None:
        topic = sns.create_topic(Name="ses-events")["TopicArn"]
        tracked = [EventType.SEND, EventType.DELIVERY, EventType.OPEN,
                   EventType.CLICK, EventType.BOUNCE, EventType.COMPLAINT]  # fmt: skip
        marketing.add_event_destination(
            "to-sns",
            tracked,
            SnsDestination(topic),
            sns_client=sns,  # also grants SES publish
        )
        for destination in marketing.event_destinations():
            print(destination.name, "->", topic, sorted(e.value for e in destination.events))

    heading("3. Verify an email address, with a default configuration set")
    news = ses.identity("news@example.com").create(configuration_set="marketing")
    print(news)
    fake.transition("news@example.com", "SUCCESS", after_polls=2)  # the owner clicks the link
    news.wait_until_verified(timeout=600, poll_interval=0.5)
    print(news, "| default configuration set:", news.configuration_set)

    heading("4. Verify a domain: Easy DKIM 2048, a custom MAIL FROM, Route 53")
    dom = ses.domain("example.com").create(
        dkim=sesflow.EasyDkim(key_length=2048), mail_from="mail.example.com"
    )
    records = dom.dns_records(dmarc="v=DMARC1; p=none; rua=mailto:dmarc@example.com")
    print("\nThe DNS records to publish:\n")
    print(records)
    print("\nAs zone-file lines:\n")
    print(records.to_bind())
    if sns is not None:  # moto plays Route 53 too
        change_id = dom.publish_to_route53()
        print(f"\nRoute 53 change {change_id}: {len(records)} records UPSERTed")
    fake.transition("example.com", "SUCCESS", after_polls=3)  # SES finds the DKIM CNAMEs
    fake.transition("example.com", "SUCCESS", aspect="mail_from", after_polls=1)
    dom.wait_until_dkim_verified(timeout=3600, poll_interval=0.5)
    dom.wait_until_mail_from_verified(timeout=3600, poll_interval=0.5)
    print(dom)

    heading("5. Request production access")
    account = before.request_production_access(
        sesflow.MailType.MARKETING,
        "https://example.com",
        use_case_description="A monthly newsletter to customers who opted in.",
        additional_contacts=["ops@example.com"],
    )
    assert account.review is not None
    print(f"review {account.review.case_id}: {account.review.status.value}")
    fake.grant_production_access(max_send_rate=RATE, max_24_hour_send=50_000)  # AWS answers
    after = ses.account()
    print(f"review: {after.review.status.value if after.review else None}")
    for when, quota in (("before", before.quota), ("after", after.quota)):
        print(f"quota {when:>6}: {quota.max_24_hour_send:>8,.0f} per 24 h, "
              f"{quota.max_send_rate:>4g}/s")  # fmt: skip

    heading(f"6. A campaign: {recipients:,} recipients at {RATE:g}/s")
    ses.template("spring").create(
        "Spring news for {{name}}",
        html="<p>Hi {{name}}, here is what is new this spring.</p>",
        text="Hi {{name}}, here is what is new this spring.",
    )
    sender = ses.sender("News <news@example.com>", configuration_set="marketing")
    report = sender.send_bulk(subscribers(recipients), "spring", journal=journal, progress=True)
    print(report)
    again = sender.send_bulk(subscribers(recipients), "spring", journal=journal)
    print("Again, from the journal:", again)
    print(f"skipped {again.skipped:,} already sent; sent {again.sent} again")


# --8<-- [end:walkthrough]


def run() -> dict[str, Any]:
    """Serve a FakeSES, run the walkthrough against it, and return what the fake saw."""
    from sesflow.testing import FakeSES  # not at import: every command loads this module

    try:
        moto = importlib.import_module("moto")
    except ImportError:
        moto = None
    fake = FakeSES(sandbox=True)
    mocked = moto.mock_aws() if moto is not None else contextlib.nullcontext()
    with fake, mocked, tempfile.TemporaryDirectory() as tmp:
        endpoint = fake.serve()
        print(f"FakeSES serving on {endpoint}")
        # Any credentials do for the fake; these keep a machine without AWS set-up working.
        session = boto3.Session(
            aws_access_key_id="demo",
            aws_secret_access_key="demo",  # noqa: S106 - not a secret: the fake takes any
            region_name="us-east-1",
        )
        sns = route53 = None
        if moto is None:
            print(NO_MOTO)
        else:
            route53 = session.client("route53")
            route53.create_hosted_zone(Name="example.com", CallerReference="sesflow-demo")
            sns = session.client("sns")
        ses = sesflow.SES(
            "us-east-1", session=session, endpoint_url=endpoint, route53_client=route53
        )
        walkthrough(ses, fake, sns, Path(tmp) / "spring.journal", recipients=recipients_count())
        stats = fake.stats()
        counts = fake.delivery_counts()
        print(
            f"\nThe fake saw {sum(counts.values()):,} deliveries to {len(counts):,} addresses, "
            f"a peak of {stats.peak_recipients_per_second} recipients in one second, "
            f"{stats.throttled_calls} throttled calls."
        )
        return {
            "endpoint_url": endpoint,
            "moto": moto is not None,
            "deliveries": sum(counts.values()),
            "addresses": len(counts),
            "max_deliveries_per_address": max(counts.values(), default=0),
            "peak_recipients_per_second": stats.peak_recipients_per_second,
            "throttled_calls": stats.throttled_calls,
        }


def main() -> None:
    """Run the demo, printing the walkthrough (what `examples/demo.py` calls)."""
    run()


def _demo(ctx: Context) -> Result:
    if ctx.json:
        # The walkthrough narrates as it goes; with --json that goes to stderr and stdout
        # keeps one document.
        with contextlib.redirect_stdout(sys.stderr):
            summary = run()
        return Result(summary)
    run()
    return Result(None, printed=True)


def register(commands: Any) -> None:
    """Add `sesflow demo` to the command tree."""
    add_command(
        commands,
        "demo",
        _demo,
        help="the SES console walkthrough, offline on a fake SES",
        description=(
            "Run the SES console walkthrough in code, offline: the sandbox and its quota, a\n"
            "configuration set with an IP pool and SNS event tracking, an email identity,\n"
            "a domain with Easy DKIM, a custom MAIL FROM and Route 53, production access,\n"
            "and a campaign of 2,000 recipients at 200/s resumed from its journal.\n"
            "\n"
            "SES is a FakeSES served on 127.0.0.1; Route 53 and SNS are moto, if installed\n"
            "(pip install 'sesflow[demo]'). SESFLOW_DEMO_SCALE=0.1 runs a tenth of the\n"
            "campaign. The global AWS options are not used."
        ),
    )
