"""Verify a domain: Easy DKIM, a custom MAIL FROM, DNS records, Route 53, waiting.

Run as a script it plays against the offline fake SES, with moto standing in for
Route 53; the two functions are what you would run against AWS.
"""

from __future__ import annotations

import boto3
from moto import mock_aws

import sesflow
from sesflow.testing import FakeClock, FakeSES


# --8<-- [start:setup]
def set_up_domain(ses: sesflow.SES, domain: str) -> sesflow.Domain:
    dom = ses.domain(domain).create(
        dkim=sesflow.EasyDkim(key_length=2048),
        mail_from=f"mail.{domain}",
        behavior_on_mx_failure=sesflow.BehaviorOnMxFailure.USE_DEFAULT_VALUE,
    )
    records = dom.dns_records(dmarc=f"v=DMARC1; p=none; rua=mailto:dmarc@{domain}")
    print(records)  # an aligned table
    print(records.to_bind())  # zone-file lines, for any DNS provider
    change_id = dom.publish_to_route53()  # or let sesflow write them to Route 53
    print(f"Route 53 change {change_id} submitted")
    return dom


# --8<-- [end:setup]


# --8<-- [start:wait]
def wait_for_domain(dom: sesflow.Domain) -> None:
    try:
        # DNS changes can take SES up to 72 hours to see; back off to one poll in 10 min.
        dom.wait_until_dkim_verified(timeout=72 * 3600, poll_interval=30, max_interval=600)
        dom.wait_until_mail_from_verified(timeout=72 * 3600, poll_interval=30, max_interval=600)
    except sesflow.VerificationFailedError as exc:
        print(f"{exc.check} failed ({exc.error_type}); these records must exist:")
        print(exc.records.to_bind() if exc.records else "(see the SES console)")
        raise
    print(f"{dom.name}: DKIM {dom.dkim_status.value}, MAIL FROM {dom.mail_from_status}")


# --8<-- [end:wait]


# --8<-- [start:offline]
def main() -> None:
    clock = FakeClock()  # waits run instantly on a virtual clock
    fake = FakeSES(clock=clock)
    with mock_aws():  # moto plays Route 53
        route53 = boto3.client("route53", region_name="us-east-1")
        route53.create_hosted_zone(Name="example.com", CallerReference="docs")
        ses = sesflow.SES(
            client=fake.client(), route53_client=route53, sleep=clock.sleep, clock=clock
        )
        dom = set_up_domain(ses, "example.com")
        # SES finds the records after a few polls.
        fake.transition("example.com", "SUCCESS", aspect="dkim", after_polls=3)
        fake.transition("example.com", "SUCCESS", aspect="mail_from", after_polls=2)
        wait_for_domain(dom)
        print(f"(waited {clock():.0f} simulated seconds)")


# --8<-- [end:offline]

if __name__ == "__main__":
    main()
