"""The SES console walkthrough, in code, offline: what `make demo` runs.

1. Verify an email address (with a default configuration set) and wait for the click.
2. Verify a domain: Easy DKIM 2048 and a custom MAIL FROM; the DNS records as a table and as
   zone-file lines.
3. Publish them to a Route 53 zone and wait while SES checks them.
4. Store a template and bulk-send it to 2,000 recipients at 200/s with a progress bar, then
   run the campaign again from its journal: everyone is skipped, nobody gets it twice.

SES is `sesflow.testing.FakeSES`, served over real HTTP on 127.0.0.1 (so botocore does a
real round trip); Route 53 is moto. No AWS account is needed.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import boto3
from moto import mock_aws

import sesflow
from sesflow import Recipient
from sesflow.testing import FakeSES

# `make demo` runs it at full size; the test suite scales it down.
SCALE = float(os.environ.get("SESFLOW_DEMO_SCALE", "1"))
RECIPIENTS = int(2000 * SCALE)
RATE = 200.0


def heading(text: str) -> None:
    print(f"\n== {text} " + "=" * max(0, 74 - len(text)))


def subscribers(count: int) -> Iterator[Recipient]:
    """Stands in for a CSV file or a database cursor: read lazily, one at a time."""
    for i in range(count):
        yield Recipient(f"subscriber{i:05d}@example.net", data={"name": f"Subscriber {i}"})


# --8<-- [start:walkthrough]
def walkthrough(ses: sesflow.SES, fake: FakeSES, journal: Path) -> None:
    # The fake answers at once, so the waits here poll every half second; against SES
    # you would use the defaults (seconds to minutes).
    heading("1. Verify an email address")
    ses.client.create_configuration_set(ConfigurationSetName="marketing")
    alice = ses.identity("alice@example.com").create(configuration_set="marketing")
    print(alice)
    fake.transition("alice@example.com", "SUCCESS", after_polls=2)  # Alice clicks the link
    alice.wait_until_verified(timeout=600, poll_interval=0.5)
    print(alice, "| verified for sending:", alice.verified)

    heading("2. Verify a domain: Easy DKIM 2048 and a custom MAIL FROM")
    dom = ses.domain("example.com").create(
        dkim=sesflow.EasyDkim(key_length=2048), mail_from="mail.example.com"
    )
    print(dom)
    records = dom.dns_records(dmarc="v=DMARC1; p=none; rua=mailto:dmarc@example.com")
    print("\nThe DNS records to publish:\n")
    print(records)
    print("\nAs zone-file lines:\n")
    print(records.to_bind())

    heading("3. Publish them to Route 53 and wait for SES to find them")
    change_id = dom.publish_to_route53()
    print(f"Route 53 change {change_id}: {len(records)} records UPSERTed")
    fake.transition("example.com", "SUCCESS", after_polls=3)  # SES finds the DKIM CNAMEs
    fake.transition("example.com", "SUCCESS", aspect="mail_from", after_polls=1)
    dom.wait_for_dkim(timeout=3600, poll_interval=0.5)
    dom.wait_for_mail_from(timeout=3600, poll_interval=0.5)
    print(dom)

    heading(f"4. A campaign: {RECIPIENTS:,} recipients at {RATE:g}/s")
    account = ses.account()
    print(account)
    ses.template("spring").put(
        "Spring news for {{name}}",
        html="<p>Hi {{name}}, here is what is new this spring.</p>",
        text="Hi {{name}}, here is what is new this spring.",
    )
    sender = ses.sender("News <news@example.com>", configuration_set="marketing", max_rate=RATE)
    report = sender.send_bulk("spring", subscribers(RECIPIENTS), journal=journal, progress=True)
    print(report)

    heading("5. The same campaign again, from its journal")
    again = sender.send_bulk("spring", subscribers(RECIPIENTS), journal=journal)
    print(again)
    print(f"skipped {again.skipped:,} already sent; sent {again.sent} again")


# --8<-- [end:walkthrough]


def main() -> None:
    fake = FakeSES(max_send_rate=RATE, max_24_hour_send=50_000)
    with fake, mock_aws(), tempfile.TemporaryDirectory() as tmp:
        endpoint = fake.serve()
        print(f"FakeSES serving on {endpoint}")
        route53 = boto3.client("route53", region_name="us-east-1")
        route53.create_hosted_zone(Name="example.com", CallerReference="sesflow-demo")
        ses = sesflow.SES("us-east-1", endpoint_url=endpoint, route53_client=route53)
        walkthrough(ses, fake, Path(tmp) / "spring.journal")
        stats = fake.stats()
        counts = fake.delivery_counts()
        print(
            f"\nThe fake saw {sum(counts.values()):,} deliveries to {len(counts):,} addresses, "
            f"a peak of {stats.peak_recipients_per_second} recipients in one second, "
            f"{stats.throttled_calls} throttled calls."
        )


if __name__ == "__main__":
    main()
