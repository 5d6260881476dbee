"""The SES console walkthrough, in code, offline: what `make demo` runs.

1. Verify an email address (with a default configuration set) and wait for the click.
2. Verify a domain: Easy DKIM 2048, a custom MAIL FROM, the DNS records as a table and
   as zone-file lines, published to a Route 53 zone; wait while SES checks them.

Everything runs against `sesflow.testing.FakeSES` (SES) and moto (Route 53) on a
virtual clock, so it needs no AWS account and takes a second.
"""

from __future__ import annotations

import boto3
from moto import mock_aws

import sesflow
from sesflow.testing import FakeClock, FakeSES


def heading(text: str) -> None:
    print(f"\n== {text} " + "=" * max(0, 74 - len(text)))


# --8<-- [start:walkthrough]
def walkthrough(ses: sesflow.SES, fake: FakeSES) -> None:
    heading("1. Verify an email address")
    ses.client.create_configuration_set(ConfigurationSetName="marketing")
    alice = ses.identity("alice@example.com").create(configuration_set="marketing")
    print(alice)
    fake.transition("alice@example.com", "SUCCESS", after_polls=2)  # Alice clicks the link
    alice.wait_until_verified(timeout=600, poll_interval=5)
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
    # SES's DNS checks take a while; the fake moves them along after a few polls.
    fake.transition("example.com", "SUCCESS", after_polls=3)  # DKIM, hence the domain
    fake.transition("example.com", "SUCCESS", aspect="mail_from", after_polls=1)
    dom.wait_for_dkim(timeout=72 * 3600, poll_interval=15)
    print(f"DKIM: {dom.dkim_status.value} (after {ses.clock():.0f} s, simulated)")
    dom.wait_for_mail_from(timeout=72 * 3600, poll_interval=15)
    print(f"MAIL FROM: {dom.mail_from_status} (after {ses.clock():.0f} s, simulated)")

    heading("Final statuses")
    for identity in ses.identities():
        identity.refresh()
        print(identity)


# --8<-- [end:walkthrough]


def main() -> None:
    clock = FakeClock()
    fake = FakeSES(clock=clock)
    with mock_aws():
        route53 = boto3.client("route53", region_name="us-east-1")
        route53.create_hosted_zone(Name="example.com", CallerReference="sesflow-demo")
        ses = sesflow.SES(
            client=fake.client(), route53_client=route53, sleep=clock.sleep, clock=clock
        )
        walkthrough(ses, fake)
    print(f"\n(simulated time waited: {clock():.0f} s; GetEmailIdentity calls: "
          f"{fake.call_count('GetEmailIdentity')})")  # fmt: skip


if __name__ == "__main__":
    main()
