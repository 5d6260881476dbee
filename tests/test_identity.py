"""Email identities, on moto and on FakeSES."""

from __future__ import annotations

import pytest
from botocore.stub import Stubber

import sesflow
from conftest import skip_listing_on_moto
from sesflow.testing import FakeSES


def test_create_refresh_exists_delete_round_trip(any_ses: sesflow.SES) -> None:
    """The same scenario on moto and FakeSES keeps the fake honest."""
    ident = any_ses.identity("alice@example.com")
    assert not ident.exists()
    assert ident.create() is ident
    assert ident.create().name == "alice@example.com"  # idempotent
    assert ident.exists()
    assert ident.identity_type is sesflow.IdentityType.EMAIL_ADDRESS
    skip_listing_on_moto(any_ses)
    assert [i.name for i in any_ses.identities()] == ["alice@example.com"]
    ident.delete()
    ident.delete()  # idempotent
    assert not ident.exists()
    with pytest.raises(sesflow.NotFoundError) as caught:
        ident.refresh()
    assert caught.value.operation == "GetEmailIdentity"
    assert isinstance(caught.value, LookupError)


def test_a_new_email_identity_is_pending_until_the_link_is_clicked(
    ses: sesflow.SES, fake: FakeSES
) -> None:
    ident = ses.identity("alice@example.com").create()
    assert ident.verification_status is sesflow.VerificationStatus.PENDING
    assert not ident.verified
    assert repr(ident) == "Identity('alice@example.com', verification_status=PENDING)"
    fake.set_status("alice@example.com", verification="SUCCESS")  # Alice clicks
    after = ident.refresh()
    assert after.verified
    assert after.verification_status == "SUCCESS"


def test_create_twice_calls_create_then_loads_the_existing_state(
    ses: sesflow.SES, fake: FakeSES
) -> None:
    ses.identity("alice@example.com").create()
    fake.set_status("alice@example.com", verification="SUCCESS")
    again = ses.identity("alice@example.com").create()
    assert again.verification_status is sesflow.VerificationStatus.SUCCESS
    assert fake.call_count("CreateEmailIdentity") == 2
    assert fake.call_count("GetEmailIdentity") == 1


def test_create_with_configuration_set_and_tags(ses: sesflow.SES, fake: FakeSES) -> None:
    ses.client.create_configuration_set(ConfigurationSetName="marketing")
    ses.client.create_configuration_set(ConfigurationSetName="transactional")
    ident = ses.identity("alice@example.com").create(
        configuration_set="marketing", tags={"team": "growth"}
    )
    assert ident.refresh().configuration_set == "marketing"
    assert ident.tags == {"team": "growth"}
    # Re-creating with another default configuration set changes it, and only that.
    ses.identity("alice@example.com").create(configuration_set="transactional")
    assert fake.call_count("PutEmailIdentityConfigurationSetAttributes") == 1
    assert ident.refresh().configuration_set == "transactional"
    ses.identity("alice@example.com").create(configuration_set="transactional")
    assert fake.call_count("PutEmailIdentityConfigurationSetAttributes") == 1


def test_create_sends_exactly_the_expected_request() -> None:
    import boto3

    client = boto3.client("sesv2", region_name="us-east-1")
    ses = sesflow.SES(client=client)
    with Stubber(client) as stub:
        stub.add_response(
            "create_email_identity",
            {"IdentityType": "EMAIL_ADDRESS", "VerifiedForSendingStatus": False},
            {
                "EmailIdentity": "alice@example.com",
                "ConfigurationSetName": "marketing",
                "Tags": [{"Key": "team", "Value": "growth"}],
            },
        )
        ses.identity("alice@example.com").create(
            configuration_set="marketing", tags={"team": "growth"}
        )
        stub.assert_no_pending_responses()


def test_listing_walks_every_page(ses: sesflow.SES, fake: FakeSES) -> None:
    names = [f"user{i:03d}@example.com" for i in range(7)] + ["example.org"]
    for name in names:
        if "@" in name:
            ses.identity(name).create()
        else:
            ses.domain(name).create()
    listed = list(ses.identities(page_size=3))
    assert [i.name for i in listed] == names
    assert fake.call_count("ListEmailIdentities") == 3
    assert isinstance(listed[-1], sesflow.Domain)
    assert type(listed[0]) is sesflow.Identity
    # The listing carries the status, so reading it costs no extra call.
    assert listed[0].verification_status is sesflow.VerificationStatus.PENDING
    assert fake.call_count("GetEmailIdentity") == 0


def test_listing_is_lazy(ses: sesflow.SES, fake: FakeSES) -> None:
    for i in range(5):
        ses.identity(f"u{i}@example.com").create()
    first = next(iter(ses.identities(page_size=2)))
    assert first.name == "u0@example.com"
    assert fake.call_count("ListEmailIdentities") == 1


def test_identities_compare_by_kind_and_name(ses: sesflow.SES) -> None:
    assert ses.identity("a@example.com") == ses.identity("a@example.com")
    assert ses.domain("example.com") != ses.identity("a@example.com")
    assert len({ses.identity("a@example.com"), ses.identity("a@example.com")}) == 1


def test_status_is_loaded_on_first_access(ses: sesflow.SES, fake: FakeSES) -> None:
    ses.identity("a@example.com").create()
    fresh = ses.identity("a@example.com")
    assert repr(fresh) == "Identity('a@example.com')"
    assert fresh.verification_status is sesflow.VerificationStatus.PENDING
    assert fake.call_count("GetEmailIdentity") == 1
