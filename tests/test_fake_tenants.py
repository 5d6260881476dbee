"""FakeSES tenants through a raw boto3 client: shapes, SES's validation and error codes."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest
from botocore.exceptions import ClientError

from conftest import botocore_lacks
from sesflow.testing import FakeSES, FakeTenant

if TYPE_CHECKING:
    from types_boto3_sesv2 import SESV2Client

ARN = "arn:aws:ses:us-east-1:123456789012"
TEXT: Any = {"Simple": {"Subject": {"Data": "Hi"}, "Body": {"Text": {"Data": "Yo"}}}}


@pytest.fixture
def fake() -> FakeSES:
    fake = FakeSES(seed=3)
    fake.verify("example.com")
    return fake


@pytest.fixture
def client(fake: FakeSES) -> SESV2Client:
    return fake.client()


def _refused(call: Callable[..., Any], **params: Any) -> tuple[str, int, str]:
    with pytest.raises(ClientError) as excinfo:
        call(**params)
    response = excinfo.value.response
    return (
        response["Error"]["Code"],
        response["ResponseMetadata"]["HTTPStatusCode"],
        response["Error"]["Message"],
    )


def test_create_answers_the_tenant_and_get_shows_it(fake: FakeSES, client: SESV2Client) -> None:
    created = client.create_tenant(
        TenantName="acme",
        Tags=[{"Key": "plan", "Value": "pro"}],
        SuppressionAttributes={"SuppressionScope": "TENANT", "SuppressedReasons": ["BOUNCE"]},
    )
    assert created["TenantId"].startswith("tn-")
    assert created["TenantArn"] == f"{ARN}:tenant/acme/{created['TenantId']}"
    assert created["SendingStatus"] == "ENABLED"
    got = client.get_tenant(TenantName="acme")["Tenant"]
    assert got["Tags"] == [{"Key": "plan", "Value": "pro"}]
    assert got["SuppressionAttributes"] == {
        "SuppressionScope": "TENANT",
        "SuppressedReasons": ["BOUNCE"],
    }
    assert got["CreatedTimestamp"] == created["CreatedTimestamp"]
    state = fake.tenant_state("acme")
    assert isinstance(state, FakeTenant)
    assert (state.suppression_scope, state.suppressed_reasons) == ("TENANT", ("BOUNCE",))


def test_names_duplicates_and_missing_tenants(client: SESV2Client) -> None:
    client.create_tenant(TenantName="acme")
    assert _refused(client.create_tenant, TenantName="acme")[:2] == ("AlreadyExistsException", 400)
    assert _refused(client.create_tenant, TenantName="a b")[:2] == ("BadRequestException", 400)
    assert _refused(client.create_tenant, TenantName="x" * 65)[:2] == ("BadRequestException", 400)
    for call in (client.get_tenant, client.delete_tenant, client.list_tenant_resources):
        assert _refused(call, TenantName="ghost")[:2] == ("NotFoundException", 404)
    assert _refused(
        client.put_tenant_suppression_attributes, TenantName="ghost", SuppressedReasons=[]
    )[:2] == ("NotFoundException", 404)


def test_bad_suppression_attributes_and_tags(client: SESV2Client) -> None:
    tags: Any = [{"Key": f"k{i}", "Value": "v"} for i in range(51)]
    assert _refused(client.create_tenant, TenantName="acme", Tags=tags)[:2] == (
        "BadRequestException",
        400,
    )
    client.create_tenant(TenantName="acme")
    assert _refused(
        client.put_tenant_suppression_attributes, TenantName="acme", SuppressionScope="GLOBAL"
    )[:2] == ("BadRequestException", 400)


def test_associations(fake: FakeSES, client: SESV2Client) -> None:
    client.create_tenant(TenantName="acme")
    client.create_configuration_set(ConfigurationSetName="events")
    identity = f"{ARN}:identity/example.com"
    client.create_tenant_resource_association(TenantName="acme", ResourceArn=identity)
    assert _refused(
        client.create_tenant_resource_association, TenantName="acme", ResourceArn=identity
    )[:2] == ("AlreadyExistsException", 400)
    client.create_tenant_resource_association(
        TenantName="acme", ResourceArn=f"{ARN}:configuration-set/events"
    )
    only: Any = {"RESOURCE_TYPE": "EMAIL_IDENTITY"}
    listed = client.list_tenant_resources(TenantName="acme", Filter=only)["TenantResources"]
    assert listed == [{"ResourceType": "EMAIL_IDENTITY", "ResourceArn": identity}]
    tenants = client.list_resource_tenants(ResourceArn=identity)["ResourceTenants"]
    assert [(t["TenantName"], t["ResourceArn"]) for t in tenants] == [("acme", identity)]
    assert tenants[0]["TenantId"] == fake.tenant_state("acme").tenant_id
    client.delete_tenant_resource_association(TenantName="acme", ResourceArn=identity)
    assert _refused(
        client.delete_tenant_resource_association, TenantName="acme", ResourceArn=identity
    )[:2] == ("NotFoundException", 404)
    assert [r.resource_type for r in fake.tenant_state("acme").resources] == ["CONFIGURATION_SET"]


@pytest.mark.parametrize(
    ("arn", "code"),
    [
        (f"{ARN}:template/nope", "NotFoundException"),
        (f"{ARN}:identity/other.example", "NotFoundException"),
        (f"{ARN}:configuration-set/nope", "NotFoundException"),
        ("arn:aws:s3:::bucket", "BadRequestException"),
        (f"{ARN}:dedicated-ip-pool/ips", "BadRequestException"),
        ("arn:aws:ses:eu-west-1:123456789012:identity/example.com", "BadRequestException"),
        ("arn:aws:ses:us-east-1:999999999999:identity/example.com", "BadRequestException"),
    ],
)
def test_what_cannot_be_associated(client: SESV2Client, arn: str, code: str) -> None:
    client.create_tenant(TenantName="acme")
    assert (
        _refused(client.create_tenant_resource_association, TenantName="acme", ResourceArn=arn)[0]
        == code
    )


def test_deleting_a_tenant_drops_its_associations_not_the_resources(client: SESV2Client) -> None:
    client.create_tenant(TenantName="acme")
    identity = f"{ARN}:identity/example.com"
    client.create_tenant_resource_association(TenantName="acme", ResourceArn=identity)
    client.delete_tenant(TenantName="acme")
    assert client.list_resource_tenants(ResourceArn=identity)["ResourceTenants"] == []
    assert client.get_email_identity(EmailIdentity="example.com")["VerifiedForSendingStatus"]


@pytest.mark.skipif(
    bool(botocore_lacks("ListTenantsRequest", "Filter")),
    reason=str(botocore_lacks("ListTenantsRequest", "Filter")),
)
def test_list_filters_are_checked(client: SESV2Client) -> None:
    client.create_tenant(TenantName="acme")
    assert _refused(client.list_tenants, Filter={"SENDING_STATUS": "PAUSED"})[:2] == (
        "BadRequestException",
        400,
    )
    assert _refused(
        client.list_tenant_resources, TenantName="acme", Filter={"RESOURCE_TYPE": "BUCKET"}
    )[:2] == ("BadRequestException", 400)
    assert _refused(client.list_tenants, PageSize=0)[:2] == ("BadRequestException", 400)


def test_a_tenant_send_needs_every_resource_associated(fake: FakeSES, client: SESV2Client) -> None:
    client.create_tenant(TenantName="acme")
    client.create_configuration_set(ConfigurationSetName="events")
    client.create_email_template(
        TemplateName="welcome", TemplateContent={"Subject": "Hi", "Text": "Yo"}
    )
    send: Any = {
        "FromEmailAddress": "news@example.com",
        "Destination": {"ToAddresses": ["bob@example.com"]},
        "TenantName": "acme",
    }
    code, status, message = _refused(client.send_email, Content=TEXT, **send)
    assert (code, status) == ("BadRequestException", 400)
    assert message == "The identity <example.com> is not associated with tenant <acme>."
    client.create_tenant_resource_association(
        TenantName="acme", ResourceArn=f"{ARN}:identity/example.com"
    )
    client.send_email(Content=TEXT, **send)
    template: Any = {"Template": {"TemplateName": "welcome", "TemplateData": "{}"}}
    assert "template <welcome>" in _refused(client.send_email, Content=template, **send)[2]
    assert (
        "configuration set <events>"
        in _refused(client.send_email, Content=TEXT, ConfigurationSetName="events", **send)[2]
    )
    # Bulk: the whole call is refused, before any entry.
    assert (
        _refused(
            client.send_bulk_email,
            FromEmailAddress="news@example.com",
            TenantName="acme",
            DefaultContent=template,
            BulkEmailEntries=[{"Destination": {"ToAddresses": ["ann@example.com"]}}],
        )[0]
        == "BadRequestException"
    )
    assert fake.delivery_counts() == {"bob@example.com": 1}


def test_the_identitys_default_configuration_set_counts_too(client: SESV2Client) -> None:
    client.create_tenant(TenantName="acme")
    client.create_configuration_set(ConfigurationSetName="events")
    client.put_email_identity_configuration_set_attributes(
        EmailIdentity="example.com", ConfigurationSetName="events"
    )
    client.create_tenant_resource_association(
        TenantName="acme", ResourceArn=f"{ARN}:identity/example.com"
    )
    message = _refused(
        client.send_email,
        FromEmailAddress="news@example.com",
        Destination={"ToAddresses": ["bob@example.com"]},
        Content=TEXT,
        TenantName="acme",
    )[2]
    assert message == "The configuration set <events> is not associated with tenant <acme>."


@pytest.mark.skipif(
    bool(botocore_lacks("ListTenantsRequest", "Filter")),
    reason=str(botocore_lacks("ListTenantsRequest", "Filter")),
)
def test_a_disabled_tenant_cannot_send(fake: FakeSES, client: SESV2Client) -> None:
    client.create_tenant(TenantName="acme")
    client.create_tenant_resource_association(
        TenantName="acme", ResourceArn=f"{ARN}:identity/example.com"
    )
    fake.set_tenant_sending_status("acme", "DISABLED")
    assert (
        client.list_tenants(Filter={"SENDING_STATUS": "DISABLED"})["Tenants"][0]["TenantName"]
        == "acme"
    )
    assert _refused(
        client.send_email,
        FromEmailAddress="news@example.com",
        Destination={"ToAddresses": ["bob@example.com"]},
        Content=TEXT,
        TenantName="acme",
    )[:2] == ("SendingPausedException", 400)
    with pytest.raises(ValueError, match="status must be one of"):
        fake.set_tenant_sending_status("acme", "PAUSED")
    with pytest.raises(KeyError):
        fake.set_tenant_sending_status("ghost", "ENABLED")


def test_reset_forgets_tenants(fake: FakeSES, client: SESV2Client) -> None:
    client.create_tenant(TenantName="acme")
    assert "tenants=1" in repr(fake)
    fake.reset()
    with pytest.raises(KeyError):
        fake.tenant_state("acme")


def test_a_tenants_own_suppression_list(fake: FakeSES, client: SESV2Client) -> None:
    client.create_tenant(TenantName="acme")
    client.put_suppressed_destination(
        EmailAddress="gone@example.org", Reason="BOUNCE", TenantName="acme"
    )
    entry = client.get_suppressed_destination(EmailAddress="gone@example.org", TenantName="acme")
    assert entry["SuppressedDestination"]["Reason"] == "BOUNCE"
    assert _refused(client.get_suppressed_destination, EmailAddress="gone@example.org")[:2] == (
        "NotFoundException",
        404,
    )  # not on the account's list
    assert fake.suppressed_destinations() == []
    listed = client.list_suppressed_destinations(TenantName="acme")
    assert [e["EmailAddress"] for e in listed["SuppressedDestinationSummaries"]] == [
        "gone@example.org"
    ]
    client.delete_tenant(TenantName="acme")
    client.create_tenant(TenantName="acme")  # a new tenant of the same name: a new list
    assert (
        client.list_suppressed_destinations(TenantName="acme")["SuppressedDestinationSummaries"]
        == []
    )


def test_a_tenants_list_is_read_only_in_the_sandbox() -> None:
    fake = FakeSES(sandbox=True)
    client = fake.client()
    client.create_tenant(TenantName="acme")
    assert _refused(
        client.put_suppressed_destination,
        EmailAddress="gone@example.org",
        Reason="BOUNCE",
        TenantName="acme",
    )[:2] == ("BadRequestException", 400)
