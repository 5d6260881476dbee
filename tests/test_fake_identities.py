"""FakeSES identities and configuration sets, driven through a real boto3 sesv2 client."""

from __future__ import annotations

import base64
import datetime as dt
import enum
import os
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest
from botocore.exceptions import ClientError

import sesflow
from conftest import needs_sesv2
from sesflow.testing import FakeClock, FakeIdentity, FakeSES

if TYPE_CHECKING:
    from types_boto3_sesv2 import SESV2Client

UTC = dt.UTC
WALL = 1_700_000_000.0
NOW = dt.datetime.fromtimestamp(WALL, UTC)
KEY = base64.b64encode(os.urandom(600)).decode()


class Status(enum.StrEnum):
    SUCCESS = "SUCCESS"
    FAILED = "FAILED"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(start=1000.0)


@pytest.fixture
def fake(clock: FakeClock) -> FakeSES:
    return FakeSES(clock=clock, wall_clock=lambda: WALL, seed=7)


@pytest.fixture
def client(fake: FakeSES) -> SESV2Client:
    return fake.client()


def _error(excinfo: pytest.ExceptionInfo[ClientError]) -> tuple[str, int]:
    response = excinfo.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]


def _polls(
    client: SESV2Client, name: str, count: int, key: str = "VerificationStatus"
) -> list[Any]:
    responses = [dict(client.get_email_identity(EmailIdentity=name)) for _ in range(count)]
    return [response[key] for response in responses]


def _keys(client: SESV2Client, name: str) -> set[str]:
    return set(client.get_email_identity(EmailIdentity=name))


# --- CreateEmailIdentity -----------------------------------------------------------------------


def test_email_identity_starts_pending_without_dkim(client: SESV2Client) -> None:
    created = client.create_email_identity(EmailIdentity="alice@example.com")
    assert created["IdentityType"] == "EMAIL_ADDRESS"
    assert created["VerifiedForSendingStatus"] is False
    assert created["DkimAttributes"] == {"SigningEnabled": False, "Status": "NOT_STARTED"}
    got = client.get_email_identity(EmailIdentity="alice@example.com")
    assert got["VerificationStatus"] == "PENDING"
    assert got["VerifiedForSendingStatus"] is False
    assert got["FeedbackForwardingStatus"] is True
    assert got["Policies"] == {}
    assert got["Tags"] == []
    assert "MailFromAttributes" not in set(got)
    assert "ConfigurationSetName" not in set(got)
    assert got["VerificationInfo"] == {"LastCheckedTimestamp": NOW}
    assert got["VerificationInfo"]["LastCheckedTimestamp"].tzinfo is not None


def test_domain_gets_easy_dkim_by_default(client: SESV2Client) -> None:
    created = client.create_email_identity(EmailIdentity="example.com")
    dkim = created["DkimAttributes"]
    assert created["IdentityType"] == "DOMAIN"
    assert created["VerifiedForSendingStatus"] is False
    assert len(dkim["Tokens"]) == 3
    assert len(set(dkim["Tokens"])) == 3
    assert all(re.fullmatch(r"[a-z0-9]{32}", token) for token in dkim["Tokens"])
    assert dkim["Status"] == "PENDING"
    assert dkim["SigningEnabled"] is True
    assert dkim["SigningHostedZone"] == "dkim.amazonses.com"
    assert dkim["SigningAttributesOrigin"] == "AWS_SES"
    assert dkim["CurrentSigningKeyLength"] == dkim["NextSigningKeyLength"] == "RSA_2048_BIT"
    assert dkim["LastKeyGenerationTimestamp"] == NOW
    got = client.get_email_identity(EmailIdentity="example.com")
    assert got["DkimAttributes"] == dkim
    assert got["VerificationStatus"] == "PENDING"


def test_easy_dkim_key_length_is_honoured(client: SESV2Client) -> None:
    created = client.create_email_identity(
        EmailIdentity="example.com", DkimSigningAttributes={"NextSigningKeyLength": "RSA_1024_BIT"}
    )
    assert created["DkimAttributes"]["CurrentSigningKeyLength"] == "RSA_1024_BIT"
    assert created["DkimAttributes"]["NextSigningKeyLength"] == "RSA_1024_BIT"


def test_invalid_key_length_is_a_bad_request(client: SESV2Client) -> None:
    with pytest.raises(ClientError) as excinfo:
        client.create_email_identity(
            EmailIdentity="example.com",
            DkimSigningAttributes={"NextSigningKeyLength": "RSA_4096_BIT"},  # type: ignore[typeddict-item]
        )
    assert _error(excinfo) == ("BadRequestException", 400)


def test_tokens_are_seeded_and_replay_after_reset() -> None:
    def tokens(fake: FakeSES) -> list[str]:
        created = fake.client().create_email_identity(EmailIdentity="example.com")
        return created["DkimAttributes"]["Tokens"]

    first = FakeSES(seed=3)
    a = tokens(first)
    assert tokens(FakeSES(seed=3)) == a
    assert tokens(FakeSES(seed=4)) != a
    first.reset()
    assert tokens(first) == a


def test_signing_hosted_zone_is_a_knob() -> None:
    fake = FakeSES(signing_hosted_zone="dkim.eu-central-2.amazonses.com")
    created = fake.client().create_email_identity(EmailIdentity="example.com")
    assert created["DkimAttributes"]["SigningHostedZone"] == "dkim.eu-central-2.amazonses.com"


def test_byodkim_domain(client: SESV2Client, fake: FakeSES) -> None:
    created = client.create_email_identity(
        EmailIdentity="example.com",
        DkimSigningAttributes={"DomainSigningSelector": "sel-1", "DomainSigningPrivateKey": KEY},
    )
    dkim = created["DkimAttributes"]
    assert dkim["SigningAttributesOrigin"] == "EXTERNAL"
    assert dkim["Tokens"] == ["sel-1"]
    assert dkim["Status"] == "PENDING"
    assert "SigningHostedZone" not in set(dkim)
    assert fake.identity_state("example.com").dkim_private_key == KEY


@pytest.mark.parametrize(
    "signing",
    [
        {"DomainSigningSelector": "-bad", "DomainSigningPrivateKey": KEY},
        {"DomainSigningSelector": "bad-", "DomainSigningPrivateKey": KEY},
        {"DomainSigningSelector": "under_score", "DomainSigningPrivateKey": KEY},
        {"DomainSigningSelector": "a" * 64, "DomainSigningPrivateKey": KEY},
        {"DomainSigningSelector": "sel", "DomainSigningPrivateKey": "not base64!"},
        {"DomainSigningSelector": "sel", "DomainSigningPrivateKey": "QUJD\nREVG"},
        {"DomainSigningSelector": "sel", "DomainSigningPrivateKey": "A" * 20_484},
        {"DomainSigningSelector": "sel"},
        {"DomainSigningPrivateKey": KEY},
        {"DomainSigningAttributesOrigin": "EXTERNAL"},
    ],
)
def test_byodkim_input_is_validated(client: SESV2Client, signing: dict[str, str]) -> None:
    with pytest.raises(ClientError) as excinfo:
        client.create_email_identity(EmailIdentity="example.com", DkimSigningAttributes=signing)  # type: ignore[arg-type]
    assert _error(excinfo) == ("BadRequestException", 400)
    assert client.list_email_identities()["EmailIdentities"] == []


def test_byodkim_accepts_the_longest_selector_and_key(client: SESV2Client) -> None:
    created = client.create_email_identity(
        EmailIdentity="example.com",
        DkimSigningAttributes={
            "DomainSigningSelector": "a" * 63,
            "DomainSigningPrivateKey": "A" * 20_480,
        },
    )
    assert created["DkimAttributes"]["Tokens"] == ["a" * 63]


@pytest.mark.parametrize(
    "name",
    [
        "not an identity",
        "example",
        "exa_mple.com",
        "-bad.example.com",
        "a..b.com",
        "example.com.",
        "1.2.3.4",
        "alice@",
        "@example.com",
        "alice@localhost",
        "al ice@example.com",
        "alice..x@example.com",
        "x" * 65 + "@example.com",
        ("a" * 60 + ".") * 5 + "com",
    ],
)
def test_junk_identities_are_bad_requests(client: SESV2Client, name: str) -> None:
    with pytest.raises(ClientError) as excinfo:
        client.create_email_identity(EmailIdentity=name)
    assert _error(excinfo) == ("BadRequestException", 400)


@pytest.mark.parametrize(
    "name",
    ["success+label@simulator.amazonses.com", "o'brien@example.co.uk", "xn--bcher-kva.example"],
)
def test_unusual_but_valid_identities_are_accepted(client: SESV2Client, name: str) -> None:
    client.create_email_identity(EmailIdentity=name)
    assert client.get_email_identity(EmailIdentity=name)["VerificationStatus"] == "PENDING"


def test_duplicate_identity_already_exists(client: SESV2Client) -> None:
    client.create_email_identity(EmailIdentity="alice@example.com")
    with pytest.raises(ClientError) as excinfo:
        client.create_email_identity(EmailIdentity="alice@example.com")
    assert _error(excinfo) == ("AlreadyExistsException", 400)


def test_create_with_configuration_set_and_tags(client: SESV2Client) -> None:
    with pytest.raises(ClientError) as excinfo:
        client.create_email_identity(EmailIdentity="example.com", ConfigurationSetName="nope")
    assert _error(excinfo) == ("NotFoundException", 404)
    client.create_configuration_set(ConfigurationSetName="marketing")
    tags = [{"Key": "team", "Value": "growth"}, {"Key": "env", "Value": "test"}]
    client.create_email_identity(
        EmailIdentity="example.com",
        ConfigurationSetName="marketing",
        Tags=tags,  # type: ignore[arg-type]
    )
    got = client.get_email_identity(EmailIdentity="example.com")
    assert got["ConfigurationSetName"] == "marketing"
    assert got["Tags"] == tags


def test_dkim_attributes_are_for_domains_only(client: SESV2Client) -> None:
    with pytest.raises(ClientError) as excinfo:
        client.create_email_identity(
            EmailIdentity="alice@example.com",
            DkimSigningAttributes={"NextSigningKeyLength": "RSA_2048_BIT"},
        )
    assert _error(excinfo) == ("BadRequestException", 400)


# --- Get / Delete / List ---------------------------------------------------------------------


def test_missing_identity_is_not_found(client: SESV2Client) -> None:
    with pytest.raises(ClientError) as excinfo:
        client.get_email_identity(EmailIdentity="ghost@example.com")
    assert _error(excinfo) == ("NotFoundException", 404)
    assert "ghost@example.com" in str(excinfo.value)
    with pytest.raises(ClientError) as excinfo:
        client.delete_email_identity(EmailIdentity="ghost@example.com")
    assert _error(excinfo) == ("NotFoundException", 404)


def test_delete_removes_the_identity(client: SESV2Client) -> None:
    client.create_email_identity(EmailIdentity="alice@example.com")
    client.create_email_identity(EmailIdentity="bob@example.com")
    client.delete_email_identity(EmailIdentity="alice@example.com")
    with pytest.raises(ClientError):
        client.get_email_identity(EmailIdentity="alice@example.com")
    names = [i["IdentityName"] for i in client.list_email_identities()["EmailIdentities"]]
    assert names == ["bob@example.com"]


def _all_identities(client: SESV2Client, **kwargs: Any) -> tuple[list[str], int]:
    names: list[str] = []
    pages = 0
    token: str | None = None
    while True:
        if token is not None:
            kwargs["NextToken"] = token
        page = client.list_email_identities(**kwargs)
        pages += 1
        names += [item["IdentityName"] for item in page["EmailIdentities"]]
        token = page.get("NextToken")
        if token is None:
            return names, pages


def test_list_pages_in_creation_order(client: SESV2Client) -> None:
    created = [f"user{i}@example.com" for i in range(5)]
    for name in created:
        client.create_email_identity(EmailIdentity=name)
    assert _all_identities(client, PageSize=2) == (created, 3)
    assert _all_identities(client, PageSize=5) == (created, 1)
    first = client.list_email_identities(PageSize=1)["EmailIdentities"][0]
    assert first == {
        "IdentityType": "EMAIL_ADDRESS",
        "IdentityName": "user0@example.com",
        "SendingEnabled": False,
        "VerificationStatus": "PENDING",
    }


def test_list_default_page_is_100(client: SESV2Client) -> None:
    for i in range(101):
        client.create_email_identity(EmailIdentity=f"u{i}@example.com")
    page = client.list_email_identities()
    assert len(page["EmailIdentities"]) == 100
    rest = client.list_email_identities(NextToken=page["NextToken"])
    assert [i["IdentityName"] for i in rest["EmailIdentities"]] == ["u100@example.com"]
    assert "NextToken" not in set(rest)


def test_list_survives_deletes_between_pages(client: SESV2Client) -> None:
    for i in range(4):
        client.create_email_identity(EmailIdentity=f"u{i}@example.com")
    page = client.list_email_identities(PageSize=2)
    client.delete_email_identity(EmailIdentity="u1@example.com")
    client.delete_email_identity(EmailIdentity="u2@example.com")
    rest = client.list_email_identities(PageSize=2, NextToken=page["NextToken"])
    assert [i["IdentityName"] for i in rest["EmailIdentities"]] == ["u3@example.com"]


@pytest.mark.parametrize("kwargs", [{"PageSize": 0}, {"PageSize": 1001}, {"NextToken": "junk"}])
def test_list_rejects_bad_paging(client: SESV2Client, kwargs: dict[str, Any]) -> None:
    with pytest.raises(ClientError) as excinfo:
        client.list_email_identities(**kwargs)
    assert _error(excinfo) == ("BadRequestException", 400)


def test_a_token_from_another_listing_is_rejected(client: SESV2Client) -> None:
    for name in ("a", "b"):
        client.create_configuration_set(ConfigurationSetName=name)
    token = client.list_configuration_sets(PageSize=1)["NextToken"]
    with pytest.raises(ClientError) as excinfo:
        client.list_email_identities(NextToken=token)
    assert _error(excinfo) == ("BadRequestException", 400)


@needs_sesv2("ListEmailIdentitiesRequest.Filter")
def test_list_filters(client: SESV2Client, fake: FakeSES) -> None:
    client.create_email_identity(EmailIdentity="alice@example.com")
    client.create_email_identity(EmailIdentity="example.com")
    client.create_email_identity(EmailIdentity="other.org")
    fake.set_status("other.org", verification="SUCCESS")
    assert _all_identities(client, Filter={"IDENTITY_TYPE": "DOMAIN"})[0] == [
        "example.com",
        "other.org",
    ]
    assert _all_identities(client, Filter={"VERIFICATION_STATUS": "SUCCESS"})[0] == ["other.org"]
    assert _all_identities(client, Filter={"IDENTITY_NAME_CONTAINS": "EXAMPLE"})[0] == [
        "alice@example.com",
        "example.com",
    ]
    verified = client.list_email_identities(Filter={"VERIFICATION_STATUS": "SUCCESS"})
    assert verified["EmailIdentities"][0]["SendingEnabled"] is True
    with pytest.raises(ClientError) as excinfo:
        client.list_email_identities(Filter={"COLOUR": "blue"})  # type: ignore[dict-item]
    assert _error(excinfo) == ("BadRequestException", 400)


# --- MAIL FROM, DKIM and configuration-set attributes ----------------------------------------


def test_mail_from_set_and_cleared(client: SESV2Client) -> None:
    client.create_email_identity(EmailIdentity="example.com")
    client.put_email_identity_mail_from_attributes(
        EmailIdentity="example.com", MailFromDomain="mail.example.com"
    )
    got = client.get_email_identity(EmailIdentity="example.com")
    assert got["MailFromAttributes"] == {
        "MailFromDomain": "mail.example.com",
        "MailFromDomainStatus": "PENDING",
        "BehaviorOnMxFailure": "USE_DEFAULT_VALUE",
    }
    client.put_email_identity_mail_from_attributes(
        EmailIdentity="example.com",
        MailFromDomain="bounce.mail.example.com",
        BehaviorOnMxFailure="REJECT_MESSAGE",
    )
    attrs = client.get_email_identity(EmailIdentity="example.com")["MailFromAttributes"]
    assert attrs["BehaviorOnMxFailure"] == "REJECT_MESSAGE"
    assert attrs["MailFromDomain"] == "bounce.mail.example.com"
    client.put_email_identity_mail_from_attributes(EmailIdentity="example.com")
    assert "MailFromAttributes" not in _keys(client, "example.com")


def test_mail_from_for_an_address_is_under_its_domain(client: SESV2Client) -> None:
    client.create_email_identity(EmailIdentity="alice@example.com")
    client.put_email_identity_mail_from_attributes(
        EmailIdentity="alice@example.com", MailFromDomain="mail.example.com"
    )
    got = client.get_email_identity(EmailIdentity="alice@example.com")
    assert got["MailFromAttributes"]["MailFromDomain"] == "mail.example.com"


@pytest.mark.parametrize(
    "mail_from", ["example.com", "notexample.com", "mail.other.com", "bad_label.example.com"]
)
def test_mail_from_must_be_a_subdomain(client: SESV2Client, mail_from: str) -> None:
    client.create_email_identity(EmailIdentity="example.com")
    with pytest.raises(ClientError) as excinfo:
        client.put_email_identity_mail_from_attributes(
            EmailIdentity="example.com", MailFromDomain=mail_from
        )
    assert _error(excinfo) == ("BadRequestException", 400)
    assert "MailFromAttributes" not in _keys(client, "example.com")


def test_attribute_calls_on_missing_identities_are_not_found(client: SESV2Client) -> None:
    calls: list[Callable[[], object]] = [
        lambda: client.put_email_identity_mail_from_attributes(
            EmailIdentity="x.com", MailFromDomain="m.x.com"
        ),
        lambda: client.put_email_identity_dkim_signing_attributes(
            EmailIdentity="x.com", SigningAttributesOrigin="AWS_SES"
        ),
        lambda: client.put_email_identity_dkim_attributes(
            EmailIdentity="x.com", SigningEnabled=True
        ),
        lambda: client.put_email_identity_configuration_set_attributes(EmailIdentity="x.com"),
    ]
    for call in calls:
        with pytest.raises(ClientError) as excinfo:
            call()
        assert _error(excinfo) == ("NotFoundException", 404)


def test_switch_easy_dkim_to_byodkim_and_back(client: SESV2Client) -> None:
    easy = client.create_email_identity(EmailIdentity="example.com")["DkimAttributes"]["Tokens"]
    switched = client.put_email_identity_dkim_signing_attributes(
        EmailIdentity="example.com",
        SigningAttributesOrigin="EXTERNAL",
        SigningAttributes={"DomainSigningSelector": "s1", "DomainSigningPrivateKey": KEY},
    )
    assert switched["DkimStatus"] == "PENDING"
    assert switched["DkimTokens"] == ["s1"]
    assert "SigningHostedZone" not in set(switched)
    dkim = client.get_email_identity(EmailIdentity="example.com")["DkimAttributes"]
    assert dkim["SigningAttributesOrigin"] == "EXTERNAL"
    assert dkim["Tokens"] == ["s1"]
    back = client.put_email_identity_dkim_signing_attributes(
        EmailIdentity="example.com",
        SigningAttributesOrigin="AWS_SES",
        SigningAttributes={"NextSigningKeyLength": "RSA_1024_BIT"},
    )
    assert back["DkimStatus"] == "PENDING"
    assert back["SigningHostedZone"] == "dkim.amazonses.com"
    assert len(back["DkimTokens"]) == 3
    assert set(back["DkimTokens"]).isdisjoint(easy)
    dkim = client.get_email_identity(EmailIdentity="example.com")["DkimAttributes"]
    assert dkim["CurrentSigningKeyLength"] == "RSA_1024_BIT"


def test_easy_dkim_key_length_change_keeps_tokens_and_status(
    client: SESV2Client, fake: FakeSES
) -> None:
    tokens = client.create_email_identity(EmailIdentity="example.com")["DkimAttributes"]["Tokens"]
    fake.set_status("example.com", dkim="SUCCESS")
    out = client.put_email_identity_dkim_signing_attributes(
        EmailIdentity="example.com",
        SigningAttributesOrigin="AWS_SES",
        SigningAttributes={"NextSigningKeyLength": "RSA_1024_BIT"},
    )
    assert (out["DkimStatus"], out["DkimTokens"]) == ("SUCCESS", tokens)
    dkim = client.get_email_identity(EmailIdentity="example.com")["DkimAttributes"]
    assert (dkim["CurrentSigningKeyLength"], dkim["NextSigningKeyLength"]) == (
        "RSA_2048_BIT",
        "RSA_1024_BIT",
    )


def test_dkim_signing_change_is_validated(client: SESV2Client) -> None:
    client.create_email_identity(EmailIdentity="alice@example.com")
    client.create_email_identity(EmailIdentity="example.com")
    bad = [
        {"EmailIdentity": "alice@example.com", "SigningAttributesOrigin": "AWS_SES"},
        {"EmailIdentity": "example.com", "SigningAttributesOrigin": "EXTERNAL"},
        {"EmailIdentity": "example.com", "SigningAttributesOrigin": "SOMEONE_ELSE"},
    ]
    for kwargs in bad:
        with pytest.raises(ClientError) as excinfo:
            client.put_email_identity_dkim_signing_attributes(**kwargs)  # type: ignore[arg-type]
        assert _error(excinfo) == ("BadRequestException", 400)


def test_dkim_signing_can_be_turned_off_and_on(client: SESV2Client) -> None:
    client.create_email_identity(EmailIdentity="example.com")
    client.put_email_identity_dkim_attributes(EmailIdentity="example.com", SigningEnabled=False)
    dkim = client.get_email_identity(EmailIdentity="example.com")["DkimAttributes"]
    assert dkim["SigningEnabled"] is False
    client.put_email_identity_dkim_attributes(EmailIdentity="example.com", SigningEnabled=True)
    dkim = client.get_email_identity(EmailIdentity="example.com")["DkimAttributes"]
    assert dkim["SigningEnabled"] is True


def test_identity_configuration_set_is_set_checked_and_cleared(client: SESV2Client) -> None:
    client.create_email_identity(EmailIdentity="example.com")
    with pytest.raises(ClientError) as excinfo:
        client.put_email_identity_configuration_set_attributes(
            EmailIdentity="example.com", ConfigurationSetName="missing"
        )
    assert _error(excinfo) == ("NotFoundException", 404)
    client.create_configuration_set(ConfigurationSetName="cs1")
    client.put_email_identity_configuration_set_attributes(
        EmailIdentity="example.com", ConfigurationSetName="cs1"
    )
    got = client.get_email_identity(EmailIdentity="example.com")
    assert got["ConfigurationSetName"] == "cs1"
    client.put_email_identity_configuration_set_attributes(EmailIdentity="example.com")
    assert "ConfigurationSetName" not in _keys(client, "example.com")


# --- configuration sets ----------------------------------------------------------------------


def test_configuration_set_keeps_every_field(client: SESV2Client) -> None:
    fresh = dt.datetime(2024, 2, 3, 4, 5, 6, tzinfo=UTC)
    options: dict[str, Any] = {
        "TrackingOptions": {"CustomRedirectDomain": "track.example.com", "HttpsPolicy": "REQUIRE"},
        "DeliveryOptions": {"TlsPolicy": "REQUIRE", "MaxDeliverySeconds": 3600},
        "ReputationOptions": {"ReputationMetricsEnabled": True, "LastFreshStart": fresh},
        "SendingOptions": {"SendingEnabled": False},
        "Tags": [{"Key": "k", "Value": "v"}],
        "SuppressionOptions": {"SuppressedReasons": ["BOUNCE", "COMPLAINT"]},
    }
    client.create_configuration_set(ConfigurationSetName="marketing", **options)
    got = client.get_configuration_set(ConfigurationSetName="marketing")
    got.pop("ResponseMetadata")  # type: ignore[misc]
    assert got == {"ConfigurationSetName": "marketing", **options}
    assert got["ReputationOptions"]["LastFreshStart"].tzinfo is not None


def test_configuration_set_defaults(client: SESV2Client) -> None:
    client.create_configuration_set(ConfigurationSetName="plain")
    got = client.get_configuration_set(ConfigurationSetName="plain")
    assert got["SendingOptions"] == {"SendingEnabled": True}
    assert got["ReputationOptions"] == {"ReputationMetricsEnabled": False}
    assert got["DeliveryOptions"] == {"TlsPolicy": "OPTIONAL"}
    assert got["Tags"] == []


def test_configuration_set_defaults_fill_in_partial_options(client: SESV2Client) -> None:
    client.create_dedicated_ip_pool(PoolName="dedicated")
    client.create_configuration_set(
        ConfigurationSetName="pool", DeliveryOptions={"SendingPoolName": "dedicated"}
    )
    got = client.get_configuration_set(ConfigurationSetName="pool")
    assert got["DeliveryOptions"] == {"TlsPolicy": "OPTIONAL", "SendingPoolName": "dedicated"}


def test_configuration_set_errors(client: SESV2Client) -> None:
    client.create_configuration_set(ConfigurationSetName="cs")
    with pytest.raises(ClientError) as excinfo:
        client.create_configuration_set(ConfigurationSetName="cs")
    assert _error(excinfo) == ("AlreadyExistsException", 400)
    for bad in ("has space", "x" * 65, "dot.ted"):
        with pytest.raises(ClientError) as excinfo:
            client.create_configuration_set(ConfigurationSetName=bad)
        assert _error(excinfo) == ("BadRequestException", 400)
    for call in (client.get_configuration_set, client.delete_configuration_set):
        with pytest.raises(ClientError) as excinfo:
            call(ConfigurationSetName="missing")
        assert _error(excinfo) == ("NotFoundException", 404)


@needs_sesv2("ListConfigurationSetsRequest.Filter")
def test_configuration_sets_list_and_delete(client: SESV2Client) -> None:
    for name in ("a", "b-x", "c_x"):
        client.create_configuration_set(ConfigurationSetName=name)
    page = client.list_configuration_sets(PageSize=2)
    assert page["ConfigurationSets"] == ["a", "b-x"]
    rest = client.list_configuration_sets(PageSize=2, NextToken=page["NextToken"])
    assert rest["ConfigurationSets"] == ["c_x"]
    assert "NextToken" not in set(rest)
    assert client.list_configuration_sets(Filter={"CONFIGURATION_SET_NAME_CONTAINS": "_X"})[
        "ConfigurationSets"
    ] == ["c_x"]
    client.delete_configuration_set(ConfigurationSetName="b-x")
    assert client.list_configuration_sets()["ConfigurationSets"] == ["a", "c_x"]
    with pytest.raises(ClientError) as excinfo:
        client.list_configuration_sets(NextToken="bm9wZQ==")
    assert _error(excinfo) == ("BadRequestException", 400)


# --- auto_verify and state knobs ---------------------------------------------------------------


def test_auto_verify_makes_everything_succeed() -> None:
    fake = FakeSES(auto_verify=True, wall_clock=lambda: WALL)
    client = fake.client()
    email = client.create_email_identity(EmailIdentity="alice@example.com")
    assert email["VerifiedForSendingStatus"] is True
    domain = client.create_email_identity(EmailIdentity="example.com")
    assert domain["VerifiedForSendingStatus"] is True
    assert domain["DkimAttributes"]["Status"] == "SUCCESS"
    client.put_email_identity_mail_from_attributes(
        EmailIdentity="example.com", MailFromDomain="mail.example.com"
    )
    got = client.get_email_identity(EmailIdentity="example.com")
    assert got["VerificationStatus"] == "SUCCESS"
    assert got["MailFromAttributes"]["MailFromDomainStatus"] == "SUCCESS"
    assert got["VerificationInfo"]["LastSuccessTimestamp"] == NOW


def test_auto_verify_after_a_delay_shows_pending_first() -> None:
    clock = FakeClock()
    fake = FakeSES(clock=clock, auto_verify=True, auto_verify_after=30)
    client = fake.client()
    domain = client.create_email_identity(EmailIdentity="example.com")
    assert domain["VerifiedForSendingStatus"] is False
    assert domain["DkimAttributes"]["Status"] == "PENDING"
    client.put_email_identity_mail_from_attributes(
        EmailIdentity="example.com", MailFromDomain="mail.example.com"
    )
    clock.advance(29)
    got = client.get_email_identity(EmailIdentity="example.com")
    assert (got["VerificationStatus"], got["DkimAttributes"]["Status"]) == ("PENDING", "PENDING")
    assert got["MailFromAttributes"]["MailFromDomainStatus"] == "PENDING"
    clock.advance(1)
    got = client.get_email_identity(EmailIdentity="example.com")
    assert (got["VerificationStatus"], got["DkimAttributes"]["Status"]) == ("SUCCESS", "SUCCESS")
    # The MAIL FROM check started 0 s later on the clock, so it is due now too.
    assert got["MailFromAttributes"]["MailFromDomainStatus"] == "SUCCESS"


def test_auto_verify_after_counts_from_each_check_start() -> None:
    clock = FakeClock()
    fake = FakeSES(clock=clock, auto_verify=True, auto_verify_after=10)
    client = fake.client()
    client.create_email_identity(EmailIdentity="example.com")
    clock.advance(10)
    client.put_email_identity_mail_from_attributes(
        EmailIdentity="example.com", MailFromDomain="mail.example.com"
    )
    clock.advance(5)
    got = client.get_email_identity(EmailIdentity="example.com")
    assert got["VerifiedForSendingStatus"] is True
    assert got["MailFromAttributes"]["MailFromDomainStatus"] == "PENDING"
    clock.advance(5)
    got = client.get_email_identity(EmailIdentity="example.com")
    assert got["MailFromAttributes"]["MailFromDomainStatus"] == "SUCCESS"


@pytest.mark.parametrize("delay", [-1, float("nan"), float("inf"), True])
def test_auto_verify_after_must_be_a_delay(delay: float) -> None:
    with pytest.raises(ValueError, match="auto_verify_after"):
        FakeSES(auto_verify_after=delay)
    fake = FakeSES()
    with pytest.raises(ValueError, match="auto_verify_after"):
        fake.auto_verify_after = delay
    fake.auto_verify_after = 2
    assert fake.auto_verify_after == 2.0


def test_verify_includes_the_mail_from_domain(client: SESV2Client, fake: FakeSES) -> None:
    client.create_email_identity(EmailIdentity="example.com")
    client.put_email_identity_mail_from_attributes(
        EmailIdentity="example.com", MailFromDomain="mail.example.com"
    )
    fake.verify("example.com")
    got = client.get_email_identity(EmailIdentity="example.com")
    assert got["MailFromAttributes"]["MailFromDomainStatus"] == "SUCCESS"
    assert got["VerifiedForSendingStatus"] is True


def test_fail_verification_fails_every_check_with_its_reason(
    client: SESV2Client, fake: FakeSES
) -> None:
    client.create_email_identity(EmailIdentity="example.com")
    client.put_email_identity_mail_from_attributes(
        EmailIdentity="example.com", MailFromDomain="mail.example.com"
    )
    state = fake.fail_verification("example.com", error_type="HOST_NOT_FOUND")
    assert state is fake.identity_state("example.com")
    got = client.get_email_identity(EmailIdentity="example.com")
    assert (got["VerificationStatus"], got["DkimAttributes"]["Status"]) == ("FAILED", "FAILED")
    assert got["MailFromAttributes"]["MailFromDomainStatus"] == "FAILED"
    assert got["VerificationInfo"]["ErrorType"] == "HOST_NOT_FOUND"
    fake.fail_verification("example.com")
    info = client.get_email_identity(EmailIdentity="example.com")["VerificationInfo"]
    assert info["ErrorType"] == "TYPE_NOT_FOUND"
    with pytest.raises(KeyError):
        fake.fail_verification("missing.example")
    with pytest.raises(ValueError, match="error_type"):
        fake.fail_verification("example.com", error_type="BAD_LUCK")


def test_a_failed_identity_stops_its_waiter(fake: FakeSES, clock: FakeClock) -> None:
    ses = sesflow.SES(client=fake.client(), sleep=clock.sleep, clock=clock)
    ident = ses.identity("alice@example.com").create()
    fake.fail_verification("alice@example.com")
    with pytest.raises(sesflow.VerificationFailedError):
        ident.wait_until_verified(timeout=60)


def test_identity_state_is_live_and_editable(client: SESV2Client, fake: FakeSES) -> None:
    client.create_email_identity(EmailIdentity="alice@example.com")
    state = fake.identity_state("alice@example.com")
    assert isinstance(state, FakeIdentity)
    assert (state.is_domain, state.domain, state.verified_for_sending) == (
        False,
        "example.com",
        False,
    )
    state.verification_status = Status.SUCCESS
    got = client.get_email_identity(EmailIdentity="alice@example.com")
    assert (got["VerificationStatus"], got["VerifiedForSendingStatus"]) == ("SUCCESS", True)
    state.verification_status = "FAILED"
    info = client.get_email_identity(EmailIdentity="alice@example.com")["VerificationInfo"]
    assert info["ErrorType"] == "TYPE_NOT_FOUND"
    with pytest.raises(KeyError):
        fake.identity_state("nobody@example.com")


def test_identity_state_repr_hides_the_private_key(client: SESV2Client, fake: FakeSES) -> None:
    client.create_email_identity(
        EmailIdentity="example.com",
        DkimSigningAttributes={"DomainSigningSelector": "s", "DomainSigningPrivateKey": KEY},
    )
    text = repr(fake.identity_state("example.com"))
    assert text.startswith("FakeIdentity(name='example.com', identity_type='DOMAIN'")
    assert KEY not in text


def test_set_status_on_a_domain_moves_dkim_too(client: SESV2Client, fake: FakeSES) -> None:
    client.create_email_identity(EmailIdentity="example.com")
    fake.set_status("example.com", verification="SUCCESS")
    got = client.get_email_identity(EmailIdentity="example.com")
    assert got["VerificationStatus"] == "SUCCESS"
    assert got["DkimAttributes"]["Status"] == "SUCCESS"
    assert got["VerifiedForSendingStatus"] is True
    assert got["VerificationInfo"]["LastSuccessTimestamp"] == NOW
    fake.set_status("example.com", verification="PENDING", dkim="FAILED")
    got = client.get_email_identity(EmailIdentity="example.com")
    assert (got["VerificationStatus"], got["DkimAttributes"]["Status"]) == ("PENDING", "FAILED")


def test_set_status_failure_explains_itself(client: SESV2Client, fake: FakeSES) -> None:
    client.create_email_identity(EmailIdentity="example.com")
    fake.set_status("example.com", verification=Status.FAILED, error_type="HOST_NOT_FOUND")
    got = client.get_email_identity(EmailIdentity="example.com")
    assert got["VerifiedForSendingStatus"] is False
    info = got["VerificationInfo"]
    assert info["ErrorType"] == "HOST_NOT_FOUND"
    assert info["SOARecord"]["PrimaryNameServer"] == "ns1.example.com"
    assert info["SOARecord"]["AdminEmail"] == "hostmaster.example.com"
    assert isinstance(info["SOARecord"]["SerialNumber"], int)
    fake.set_status("example.com", verification="TEMPORARY_FAILURE")
    info = client.get_email_identity(EmailIdentity="example.com")["VerificationInfo"]
    assert info["ErrorType"] == "DNS_SERVER_ERROR"
    fake.set_status("example.com", error_type="SERVICE_ERROR")
    info = client.get_email_identity(EmailIdentity="example.com")["VerificationInfo"]
    assert info["ErrorType"] == "SERVICE_ERROR"
    fake.set_status("example.com", verification="SUCCESS")
    info = client.get_email_identity(EmailIdentity="example.com")["VerificationInfo"]
    assert "ErrorType" not in set(info)
    assert "SOARecord" not in set(info)


def test_set_status_mail_from(client: SESV2Client, fake: FakeSES) -> None:
    client.create_email_identity(EmailIdentity="example.com")
    with pytest.raises(ValueError, match="MAIL FROM"):
        fake.set_status("example.com", mail_from="SUCCESS")
    client.put_email_identity_mail_from_attributes(
        EmailIdentity="example.com", MailFromDomain="mail.example.com"
    )
    fake.set_status("example.com", mail_from="TEMPORARY_FAILURE")
    attrs = client.get_email_identity(EmailIdentity="example.com")["MailFromAttributes"]
    assert attrs["MailFromDomainStatus"] == "TEMPORARY_FAILURE"


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"verification": "VERIFIED"},
        {"dkim": "success"},
        {"verification": "SUCCESS", "error_type": "HOST_NOT_FOUND"},
        {"verification": "FAILED", "error_type": "NO_SUCH_ERROR"},
        {"error_type": "HOST_NOT_FOUND"},
    ],
)
def test_set_status_rejects_bad_input(
    client: SESV2Client, fake: FakeSES, kwargs: dict[str, Any]
) -> None:
    client.create_email_identity(EmailIdentity="example.com")
    with pytest.raises(ValueError, match=r"status|error_type"):
        fake.set_status("example.com", **kwargs)
    assert fake.identity_state("example.com").verification_status == "PENDING"


def test_mail_from_status_cannot_be_not_started(client: SESV2Client, fake: FakeSES) -> None:
    client.create_email_identity(EmailIdentity="example.com")
    client.put_email_identity_mail_from_attributes(
        EmailIdentity="example.com", MailFromDomain="mail.example.com"
    )
    with pytest.raises(ValueError, match="mail_from"):
        fake.set_status("example.com", mail_from="NOT_STARTED")


def test_set_status_needs_an_identity(fake: FakeSES) -> None:
    with pytest.raises(KeyError):
        fake.set_status("nobody.example.com", verification="SUCCESS")


# --- transitions -----------------------------------------------------------------------------


def test_transition_after_polls(client: SESV2Client, fake: FakeSES) -> None:
    client.create_email_identity(EmailIdentity="alice@example.com")
    fake.transition("alice@example.com", "SUCCESS", after_polls=2)
    assert _polls(client, "alice@example.com", 4) == ["PENDING", "PENDING", "SUCCESS", "SUCCESS"]
    assert _polls(client, "alice@example.com", 1, "VerifiedForSendingStatus") == [True]


def test_transition_without_countdown_shows_on_next_poll(
    client: SESV2Client, fake: FakeSES
) -> None:
    client.create_email_identity(EmailIdentity="alice@example.com")
    fake.transition("alice@example.com", Status.SUCCESS)
    assert _polls(client, "alice@example.com", 1) == ["SUCCESS"]


def test_transitions_chain(client: SESV2Client, fake: FakeSES) -> None:
    client.create_email_identity(EmailIdentity="example.com")
    fake.transition("example.com", "TEMPORARY_FAILURE", after_polls=2)
    fake.transition("example.com", "SUCCESS", after_polls=2)
    responses = [client.get_email_identity(EmailIdentity="example.com") for _ in range(6)]
    # Each step is seen for exactly its N polls: the response that first shows a step is the
    # first of the next step's count.
    assert [r["VerificationStatus"] for r in responses] == [
        "PENDING",
        "PENDING",
        "TEMPORARY_FAILURE",
        "TEMPORARY_FAILURE",
        "SUCCESS",
        "SUCCESS",
    ]
    # A domain's verification is its DKIM check: both move together.
    assert [r["DkimAttributes"]["Status"] for r in responses] == [
        r["VerificationStatus"] for r in responses
    ]
    assert responses[2]["VerificationInfo"]["ErrorType"] == "DNS_SERVER_ERROR"
    assert "ErrorType" not in responses[4]["VerificationInfo"]


def test_polls_count_per_identity_and_only_get_counts(client: SESV2Client, fake: FakeSES) -> None:
    client.create_email_identity(EmailIdentity="a@example.com")
    client.create_email_identity(EmailIdentity="b@example.com")
    fake.transition("a@example.com", "SUCCESS", after_polls=1)
    client.get_email_identity(EmailIdentity="b@example.com")
    client.list_email_identities()
    fake.identity_state("a@example.com")
    assert _polls(client, "a@example.com", 2) == ["PENDING", "SUCCESS"]


def test_transition_after_seconds(client: SESV2Client, fake: FakeSES, clock: FakeClock) -> None:
    client.create_email_identity(EmailIdentity="example.com")
    fake.transition("example.com", "SUCCESS", after_seconds=60)
    clock.advance(59.9)
    assert _polls(client, "example.com", 3) == ["PENDING"] * 3
    clock.advance(0.1)
    assert _polls(client, "example.com", 1) == ["SUCCESS"]


def test_timed_transitions_chain_from_when_each_took_effect(
    client: SESV2Client, fake: FakeSES, clock: FakeClock
) -> None:
    client.create_email_identity(EmailIdentity="example.com")
    fake.transition("example.com", "TEMPORARY_FAILURE", after_seconds=10)
    fake.transition("example.com", "SUCCESS", after_seconds=10)
    clock.advance(15)
    assert _polls(client, "example.com", 1) == ["TEMPORARY_FAILURE"]
    clock.advance(4.9)
    assert _polls(client, "example.com", 1) == ["TEMPORARY_FAILURE"]
    clock.advance(0.1)
    assert _polls(client, "example.com", 1) == ["SUCCESS"]


def test_a_long_wait_passes_through_several_timed_transitions(
    client: SESV2Client, fake: FakeSES, clock: FakeClock
) -> None:
    client.create_email_identity(EmailIdentity="example.com")
    fake.transition("example.com", "TEMPORARY_FAILURE", after_seconds=10)
    fake.transition("example.com", "SUCCESS", after_seconds=10)
    clock.advance(25)
    names = [i["VerificationStatus"] for i in client.list_email_identities()["EmailIdentities"]]
    assert names == ["SUCCESS"]


def test_mixed_timed_then_polled_transition(
    client: SESV2Client, fake: FakeSES, clock: FakeClock
) -> None:
    client.create_email_identity(EmailIdentity="example.com")
    fake.transition("example.com", "TEMPORARY_FAILURE", after_seconds=30)
    fake.transition("example.com", "FAILED", after_polls=1, error_type="INVALID_VALUE")
    # Polls before the timed change do not count towards the polled one.
    assert _polls(client, "example.com", 2) == ["PENDING", "PENDING"]
    clock.advance(30)
    # The poll that first sees the timed step is the first of the polled step's one.
    assert _polls(client, "example.com", 3) == ["TEMPORARY_FAILURE", "FAILED", "FAILED"]
    info = client.get_email_identity(EmailIdentity="example.com")["VerificationInfo"]
    assert info["ErrorType"] == "INVALID_VALUE"


def test_transition_of_one_aspect(client: SESV2Client, fake: FakeSES) -> None:
    client.create_email_identity(EmailIdentity="example.com")
    client.put_email_identity_mail_from_attributes(
        EmailIdentity="example.com", MailFromDomain="mail.example.com"
    )
    fake.transition("example.com", "SUCCESS", aspect="dkim", after_polls=0)
    fake.transition("example.com", "FAILED", aspect="mail_from", after_polls=0)
    first = client.get_email_identity(EmailIdentity="example.com")
    assert first["DkimAttributes"]["Status"] == "SUCCESS"
    assert first["MailFromAttributes"]["MailFromDomainStatus"] == "FAILED"
    assert first["VerificationStatus"] == "PENDING"
    assert first["VerifiedForSendingStatus"] is False
    fake.transition("example.com", "SUCCESS", aspect="verification")
    second = client.get_email_identity(EmailIdentity="example.com")
    assert second["VerificationStatus"] == "SUCCESS"
    assert second["MailFromAttributes"]["MailFromDomainStatus"] == "FAILED"


def test_chained_step_with_zero_polls_is_never_seen(client: SESV2Client, fake: FakeSES) -> None:
    client.create_email_identity(EmailIdentity="alice@example.com")
    fake.transition("alice@example.com", "TEMPORARY_FAILURE", after_polls=1)
    fake.transition("alice@example.com", "SUCCESS", after_polls=0)
    assert _polls(client, "alice@example.com", 2) == ["PENDING", "SUCCESS"]


def test_transitions_of_different_aspects_run_side_by_side(
    client: SESV2Client, fake: FakeSES
) -> None:
    client.create_email_identity(EmailIdentity="example.com")
    client.put_email_identity_mail_from_attributes(
        EmailIdentity="example.com", MailFromDomain="mail.example.com"
    )
    fake.transition("example.com", "SUCCESS", aspect="dkim", after_polls=3)
    fake.transition("example.com", "SUCCESS", aspect="verification", after_polls=3)
    fake.transition("example.com", "SUCCESS", aspect="mail_from", after_polls=1)
    responses = [client.get_email_identity(EmailIdentity="example.com") for _ in range(4)]
    assert [r["MailFromAttributes"]["MailFromDomainStatus"] for r in responses] == [
        "PENDING",
        "SUCCESS",
        "SUCCESS",
        "SUCCESS",
    ]
    assert [r["DkimAttributes"]["Status"] for r in responses] == ["PENDING"] * 3 + ["SUCCESS"]
    assert [r["VerificationStatus"] for r in responses] == ["PENDING"] * 3 + ["SUCCESS"]


def test_a_dkim_or_mail_from_failure_is_explained_too(client: SESV2Client, fake: FakeSES) -> None:
    client.create_email_identity(EmailIdentity="example.com")
    client.put_email_identity_mail_from_attributes(
        EmailIdentity="example.com", MailFromDomain="mail.example.com"
    )
    fake.transition("example.com", "FAILED", aspect="dkim")
    got = client.get_email_identity(EmailIdentity="example.com")
    assert (got["VerificationStatus"], got["DkimAttributes"]["Status"]) == ("PENDING", "FAILED")
    assert got["VerificationInfo"]["ErrorType"] == "TYPE_NOT_FOUND"
    fake.set_status("example.com", dkim="SUCCESS", mail_from="FAILED", error_type="HOST_NOT_FOUND")
    info = client.get_email_identity(EmailIdentity="example.com")["VerificationInfo"]
    assert info["ErrorType"] == "HOST_NOT_FOUND"
    fake.set_status("example.com", mail_from="SUCCESS")
    info = client.get_email_identity(EmailIdentity="example.com")["VerificationInfo"]
    assert "ErrorType" not in set(info)
    assert "SOARecord" not in set(info)


def test_the_reason_stays_while_any_failure_remains(client: SESV2Client, fake: FakeSES) -> None:
    client.create_email_identity(EmailIdentity="example.com")
    fake.set_status("example.com", verification="FAILED", error_type="HOST_NOT_FOUND")
    fake.set_status("example.com", dkim="SUCCESS")
    got = client.get_email_identity(EmailIdentity="example.com")
    assert (got["VerificationStatus"], got["DkimAttributes"]["Status"]) == ("FAILED", "SUCCESS")
    assert got["VerificationInfo"]["ErrorType"] == "HOST_NOT_FOUND"


def test_dkim_key_length_is_the_configured_length(client: SESV2Client, fake: FakeSES) -> None:
    client.create_email_identity(EmailIdentity="example.com")
    assert fake.identity_state("example.com").dkim_key_length == "RSA_2048_BIT"
    client.put_email_identity_dkim_signing_attributes(
        EmailIdentity="example.com",
        SigningAttributesOrigin="AWS_SES",
        SigningAttributes={"NextSigningKeyLength": "RSA_1024_BIT"},
    )
    assert fake.identity_state("example.com").dkim_key_length == "RSA_1024_BIT"


def test_transition_on_command_between_polls(client: SESV2Client, fake: FakeSES) -> None:
    client.create_email_identity(EmailIdentity="alice@example.com")
    fake.transition("alice@example.com", "SUCCESS", after_polls=5)
    assert _polls(client, "alice@example.com", 1) == ["PENDING"]
    fake.set_status("alice@example.com", verification="TEMPORARY_FAILURE")
    assert _polls(client, "alice@example.com", 1) == ["TEMPORARY_FAILURE"]
    assert _polls(client, "alice@example.com", 4) == ["TEMPORARY_FAILURE"] * 3 + ["SUCCESS"]


def test_deleting_an_identity_drops_its_transitions(client: SESV2Client, fake: FakeSES) -> None:
    client.create_email_identity(EmailIdentity="alice@example.com")
    fake.transition("alice@example.com", "SUCCESS", after_polls=0)
    client.delete_email_identity(EmailIdentity="alice@example.com")
    client.create_email_identity(EmailIdentity="alice@example.com")
    assert _polls(client, "alice@example.com", 2) == ["PENDING", "PENDING"]


@pytest.mark.parametrize(
    ("to", "kwargs", "match"),
    [
        ("SUCCESS", {"after_polls": 1, "after_seconds": 1.0}, "not both"),
        ("SUCCESS", {"after_polls": -1}, "after_polls"),
        ("SUCCESS", {"after_polls": True}, "after_polls"),
        ("SUCCESS", {"after_seconds": -0.5}, "after_seconds"),
        ("SUCCESS", {"after_seconds": float("nan")}, "after_seconds"),
        ("SUCCESS", {"aspect": "spf"}, "aspect"),
        ("DONE", {}, "status"),
        ("FAILED", {"error_type": "NOT_AN_ERROR"}, "error_type"),
        ("SUCCESS", {"error_type": "HOST_NOT_FOUND"}, "error_type"),
        ("SUCCESS", {"aspect": "mail_from"}, "MAIL FROM"),
    ],
)
def test_transition_rejects_bad_input(
    client: SESV2Client, fake: FakeSES, to: str, kwargs: dict[str, Any], match: str
) -> None:
    client.create_email_identity(EmailIdentity="example.com")
    with pytest.raises(ValueError, match=match):
        fake.transition("example.com", to, **kwargs)
    assert _polls(client, "example.com", 2) == ["PENDING", "PENDING"]


def test_a_transition_can_be_scripted_before_the_identity_exists(
    fake: FakeSES, client: SESV2Client, clock: FakeClock
) -> None:
    fake.transition("alice@example.com", "SUCCESS", after_seconds=90)
    fake.transition("example.com", "TEMPORARY_FAILURE", after_polls=1)
    clock.advance(1000)  # time before creation does not count
    client.create_email_identity(EmailIdentity="alice@example.com")
    client.create_email_identity(EmailIdentity="example.com")
    assert _polls(client, "alice@example.com", 1) == ["PENDING"]
    clock.advance(90)
    assert _polls(client, "alice@example.com", 1) == ["SUCCESS"]
    domain = [client.get_email_identity(EmailIdentity="example.com") for _ in range(2)]
    assert [d["VerificationStatus"] for d in domain] == ["PENDING", "TEMPORARY_FAILURE"]
    assert [d["DkimAttributes"]["Status"] for d in domain] == ["PENDING", "TEMPORARY_FAILURE"]


def test_failed_transition_defaults_error_type(client: SESV2Client, fake: FakeSES) -> None:
    client.create_email_identity(EmailIdentity="example.com")
    fake.transition("example.com", "FAILED")
    info = client.get_email_identity(EmailIdentity="example.com")["VerificationInfo"]
    assert info["ErrorType"] == "TYPE_NOT_FOUND"
    assert info["SOARecord"]["PrimaryNameServer"] == "ns1.example.com"
