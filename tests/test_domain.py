"""Domain identities: DKIM, MAIL FROM, reconciliation, Route 53 publishing."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.stub import ANY, Stubber
from moto import mock_aws

import sesflow
from sesflow.testing import FakeClock, FakeSES


def test_create_with_easy_dkim_and_mail_from(ses: sesflow.SES, fake: FakeSES) -> None:
    dom = ses.domain("example.com").create(
        dkim=sesflow.EasyDkim(key_length=1024),
        mail_from="mail.example.com",
        behavior_on_mx_failure=sesflow.BehaviorOnMxFailure.REJECT_MESSAGE,
    )
    assert dom.dkim_status is sesflow.DkimStatus.PENDING
    assert dom.mail_from_status is sesflow.MailFromDomainStatus.PENDING
    assert dom.mail_from_domain == "mail.example.com"
    state = fake.identity_state("example.com")
    assert state.next_signing_key_length == "RSA_1024_BIT"
    assert state.mail_from_domain == "mail.example.com"
    assert state.behavior_on_mx_failure == "REJECT_MESSAGE"
    assert repr(dom).startswith("Domain('example.com', verification_status=PENDING")


def test_create_sends_exactly_these_requests(pkcs1_pem: str) -> None:
    client = boto3.client("sesv2", region_name="us-east-1")
    ses = sesflow.SES(client=client)
    key = sesflow.Byodkim("sel1", pkcs1_pem)
    with Stubber(client) as stub:
        stub.add_response(
            "create_email_identity",
            {"IdentityType": "DOMAIN", "VerifiedForSendingStatus": False},
            {
                "EmailIdentity": "example.com",
                "DkimSigningAttributes": {
                    "DomainSigningSelector": "sel1",
                    "DomainSigningPrivateKey": key.private_key_base64,
                },
            },
        )
        stub.add_response(
            "put_email_identity_mail_from_attributes",
            {},
            {
                "EmailIdentity": "example.com",
                "MailFromDomain": "bounce.example.com",
                "BehaviorOnMxFailure": "USE_DEFAULT_VALUE",
            },
        )
        ses.domain("example.com").create(dkim=key, mail_from="bounce.example.com")
        stub.assert_no_pending_responses()


def test_create_is_declarative_on_an_existing_domain(ses: sesflow.SES, fake: FakeSES) -> None:
    ses.domain("example.com").create()
    ses.domain("example.com").create()  # nothing differs: nothing changes
    assert fake.call_count("PutEmailIdentityDkimSigningAttributes") == 0
    assert fake.call_count("PutEmailIdentityMailFromAttributes") == 0

    ses.domain("example.com").create(dkim=sesflow.EasyDkim(1024), mail_from="m.example.com")
    assert fake.call_count("PutEmailIdentityDkimSigningAttributes") == 1
    assert fake.call_count("PutEmailIdentityMailFromAttributes") == 1
    assert fake.identity_state("example.com").next_signing_key_length == "RSA_1024_BIT"

    again = ses.domain("example.com").create(dkim=sesflow.EasyDkim(1024), mail_from="m.example.com")
    assert fake.call_count("PutEmailIdentityDkimSigningAttributes") == 1
    assert fake.call_count("PutEmailIdentityMailFromAttributes") == 1
    assert again.mail_from_domain == "m.example.com"


def test_switching_to_byodkim_on_an_existing_domain(
    ses: sesflow.SES, fake: FakeSES, pkcs1_pem: str
) -> None:
    ses.domain("example.com").create()
    key = sesflow.Byodkim("sel9", pkcs1_pem)
    dom = ses.domain("example.com").create(dkim=key)
    assert fake.identity_state("example.com").dkim_origin == "EXTERNAL"
    assert [r.name for r in dom.dns_records(dmarc=None)] == ["sel9._domainkey.example.com"]
    ses.domain("example.com").create(dkim=key)
    assert fake.call_count("PutEmailIdentityDkimSigningAttributes") == 1


def test_set_and_clear_mail_from(ses: sesflow.SES, fake: FakeSES) -> None:
    dom = ses.domain("example.com").create()
    assert dom.mail_from_status is None
    dom.set_mail_from("mail.example.com", behavior_on_mx_failure="REJECT_MESSAGE")
    assert dom.refresh().mail_from_domain == "mail.example.com"
    assert len(dom.dns_records(dmarc=None).with_purpose("mail_from_mx", "mail_from_spf")) == 2
    dom.set_mail_from(None)
    assert dom.refresh().mail_from_domain is None
    assert dom.mail_from_status is None
    assert not dom.dns_records(dmarc=None).with_purpose("mail_from_mx")
    with pytest.raises(sesflow.ValidationError, match="subdomain"):
        dom.set_mail_from("mail.example.org")


def test_domain_on_moto(moto_ses: sesflow.SES) -> None:
    dom = moto_ses.domain("example.com").create(dkim=sesflow.EasyDkim(2048))
    assert dom.refresh().identity_type is sesflow.IdentityType.DOMAIN
    assert dom.exists()
    dom.delete()
    assert not dom.exists()


# Route 53, on moto


@pytest.fixture
def route53() -> Iterator[Any]:
    with mock_aws():
        yield boto3.client("route53", region_name="us-east-1")


def _zone(route53: Any, name: str) -> str:
    response = route53.create_hosted_zone(Name=name, CallerReference=name)
    return str(response["HostedZone"]["Id"]).rsplit("/", 1)[-1]


def _records(route53: Any, zone_id: str) -> list[tuple[str, str, list[str]]]:
    sets = route53.list_resource_record_sets(HostedZoneId=zone_id)["ResourceRecordSets"]
    return sorted(
        (s["Name"], s["Type"], [r["Value"] for r in s.get("ResourceRecords", [])])
        for s in sets
        if s["Type"] not in ("NS", "SOA")
    )


def _ses(fake: FakeSES, route53: Any, clock: FakeClock) -> sesflow.SES:
    return sesflow.SES(client=fake.client(), route53_client=route53, sleep=clock.sleep, clock=clock)


def test_publish_then_republish_creates_no_duplicates(
    fake: FakeSES, route53: Any, clock: FakeClock
) -> None:
    zone_id = _zone(route53, "example.com")
    ses = _ses(fake, route53, clock)
    dom = ses.domain("example.com").create(mail_from="mail.example.com")
    change_id = dom.publish_to_route53()
    assert change_id
    published = _records(route53, zone_id)
    expected = sorted(
        (f"{c['ResourceRecordSet']['Name']}", c["ResourceRecordSet"]["Type"],
         [r["Value"] for r in c["ResourceRecordSet"]["ResourceRecords"]])
        for c in dom.dns_records().to_route53_changes()
    )  # fmt: skip
    assert published == expected
    assert len(published) == 6  # 3 DKIM CNAMEs, MX, SPF TXT, DMARC TXT
    dom.publish_to_route53()
    assert _records(route53, zone_id) == published


def test_the_longest_matching_zone_wins(fake: FakeSES, route53: Any, clock: FakeClock) -> None:
    parent = _zone(route53, "example.com")
    child = _zone(route53, "shop.example.com")
    _zone(route53, "other.com")
    ses = _ses(fake, route53, clock)
    ses.domain("shop.example.com").create().publish_to_route53(dmarc=None)
    assert len(_records(route53, child)) == 3
    assert _records(route53, parent) == []


def test_an_explicit_zone_id_is_used_as_given(
    fake: FakeSES, route53: Any, clock: FakeClock
) -> None:
    zone_id = _zone(route53, "example.com")
    ses = _ses(fake, route53, clock)
    ses.domain("example.com").create().publish_to_route53(zone_id, dmarc=None)
    assert len(_records(route53, zone_id)) == 3


def test_no_matching_zone_is_not_found(fake: FakeSES, route53: Any, clock: FakeClock) -> None:
    _zone(route53, "example.org")
    _zone(route53, "ample.com")  # a suffix of the text, not of the domain
    ses = _ses(fake, route53, clock)
    dom = ses.domain("example.com").create()
    with pytest.raises(sesflow.NotFoundError, match=r"no Route 53 hosted zone holds example\.com"):
        dom.publish_to_route53()


def test_publish_request_is_exact(fake: FakeSES, clock: FakeClock) -> None:
    route53 = boto3.client("route53", region_name="us-east-1")
    ses = _ses(fake, route53, clock)
    dom = ses.domain("example.com").create()
    with Stubber(route53) as stub:
        # Zones of one name come page by page: the private one, then the public one.
        stub.add_response(
            "list_hosted_zones_by_name",
            {
                "HostedZones": [
                    {"Id": "/hostedzone/ZPRIV", "Name": "example.com.", "CallerReference": "a",
                     "Config": {"PrivateZone": True}},
                ],
                "IsTruncated": True,
                "NextDNSName": "example.com.",
                "NextHostedZoneId": "ZPUB",
                "MaxItems": "10",
            },
            {"DNSName": "example.com", "MaxItems": "10"},
        )  # fmt: skip
        stub.add_response(
            "list_hosted_zones_by_name",
            {
                "HostedZones": [
                    {"Id": "/hostedzone/ZPUB", "Name": "example.com.", "CallerReference": "b",
                     "Config": {"PrivateZone": False}},
                ],
                "IsTruncated": False,
                "MaxItems": "10",
            },
            {"DNSName": "example.com.", "HostedZoneId": "ZPUB", "MaxItems": "10"},
        )  # fmt: skip
        stub.add_response(
            "change_resource_record_sets",
            {"ChangeInfo": {"Id": "/change/C123", "Status": "PENDING",
                            "SubmittedAt": "2026-01-01T00:00:00Z"}},
            {"HostedZoneId": "ZPUB",
             "ChangeBatch": {"Comment": ANY, "Changes": dom.dns_records().to_route53_changes()}},
        )  # fmt: skip
        assert dom.publish_to_route53() == "C123"
        stub.assert_no_pending_responses()
