"""Tenants through sesflow: lifecycle, resources, listings, tenant sends (single and bulk) on
FakeSES; bad input refused before any call; the exact requests, pinned with Stubber."""

from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest
from botocore.stub import ANY, Stubber

import sesflow
from sesflow import SuppressionReason, SuppressionScope, TenantResourceType, TenantSendingStatus
from sesflow.testing import FakeClock, FakeSES

ARN = "arn:aws:ses:us-east-1:123456789012"


@pytest.fixture
def ready(ses: sesflow.SES, fake: FakeSES) -> sesflow.SES:
    """A verified sender, a configuration set and a stored template: a tenant's kit."""
    fake.verify("example.com")
    ses.configuration_set("acme-events").create()
    ses.template("welcome").create("Hi {{name}}", text="Welcome, {{name}}")
    return ses


def test_lifecycle(ses: sesflow.SES, fake: FakeSES) -> None:
    acme = ses.tenant("acme")
    assert not acme.exists()
    assert acme.create(tags={"plan": "pro"}) is acme
    acme.create(tags={"plan": "free"})  # idempotent: the tenant is kept as it was
    assert fake.call_count("CreateTenant") == 2
    fresh = ses.tenant("acme").refresh()
    assert fresh.tags == {"plan": "pro"}
    assert fresh.sending_status is TenantSendingStatus.ENABLED
    assert fresh.tenant_id == fake.tenant_state("acme").tenant_id
    assert fresh.arn == f"{ARN}:tenant/acme/{fresh.tenant_id}"
    assert fresh.created == fake.tenant_state("acme").created
    assert acme.exists()
    acme.delete()
    acme.delete()  # idempotent
    assert not acme.exists()
    with pytest.raises(sesflow.NotFoundError):
        acme.refresh()


def test_create_with_suppression_settings_then_update_them(ses: sesflow.SES) -> None:
    acme = ses.tenant("acme").create(
        suppression_scope="TENANT", suppressed_reasons=["COMPLAINT", "BOUNCE", "BOUNCE"]
    )
    assert acme.suppression == sesflow.TenantSuppression(
        SuppressionScope.TENANT, frozenset({SuppressionReason.BOUNCE, SuppressionReason.COMPLAINT})
    )
    acme.update_suppression(reasons=[])
    after = ses.tenant("acme").suppression
    assert after.scope is SuppressionScope.TENANT  # untouched
    assert after.reasons == frozenset()
    acme.update_suppression(scope=SuppressionScope.ACCOUNT)
    assert ses.tenant("acme").suppression.scope is SuppressionScope.ACCOUNT


def test_associate_objects_and_arns_then_list_and_filter(ready: sesflow.SES) -> None:
    ses = ready
    acme = ses.tenant("acme").create()
    acme.associate(
        ses.domain("example.com"),
        ses.configuration_set("acme-events"),
        f"{ARN}:template/welcome",
    )
    acme.associate(ses.template("welcome"))  # already associated: kept
    resources = list(acme.resources())
    assert [(r.resource_type, r.name) for r in resources] == [
        (TenantResourceType.EMAIL_IDENTITY, "example.com"),
        (TenantResourceType.CONFIGURATION_SET, "acme-events"),
        (TenantResourceType.EMAIL_TEMPLATE, "welcome"),
    ]
    assert resources[1].arn == f"{ARN}:configuration-set/acme-events"
    templates = list(acme.resources(resource_type="EMAIL_TEMPLATE"))
    assert [r.arn for r in templates] == [f"{ARN}:template/welcome"]
    paged = [r.name for r in acme.resources(page_size=1)]
    assert paged == ["example.com", "acme-events", "welcome"]
    acme.disassociate(ses.configuration_set("acme-events"))
    acme.disassociate(ses.configuration_set("acme-events"))  # idempotent
    assert [r.name for r in acme.resources()] == ["example.com", "welcome"]


def test_a_missing_resource_or_tenant_is_not_found(ready: sesflow.SES) -> None:
    ses = ready
    acme = ses.tenant("acme").create()
    with pytest.raises(sesflow.NotFoundError):
        acme.associate(ses.template("nope"))
    with pytest.raises(sesflow.NotFoundError):
        ses.tenant("ghost").associate(f"{ARN}:template/welcome")
    with pytest.raises(sesflow.NotFoundError):
        list(ses.tenant("ghost").resources())


def test_listing_filters_and_pages(ses: sesflow.SES, fake: FakeSES) -> None:
    for name in ("acme", "acme-eu", "globex", "initech"):
        ses.tenant(name).create()
    fake.set_tenant_sending_status("globex", "DISABLED")
    assert [t.name for t in ses.tenants(page_size=3)] == ["acme", "acme-eu", "globex", "initech"]
    assert [c.params.get("PageSize") for c in fake.calls if c.operation == "ListTenants"] == [3, 3]
    assert [t.name for t in ses.tenants(name_contains="acme")] == ["acme", "acme-eu"]
    disabled = list(ses.tenants(sending_status=TenantSendingStatus.DISABLED))
    assert [t.name for t in disabled] == ["globex"]
    # The listing's summary answers without another call.
    before = fake.call_count("GetTenant")
    assert disabled[0].sending_status is TenantSendingStatus.DISABLED
    assert disabled[0].tenant_id.startswith("tn-")
    assert fake.call_count("GetTenant") == before


def test_a_resources_tenants(ready: sesflow.SES, fake: FakeSES) -> None:
    ses = ready
    template = ses.template("welcome")
    assert list(ses.resource_tenants(template)) == []  # no tenants at all: no listing needed
    assert fake.call_count("ListResourceTenants") == 0
    for name in ("acme", "globex", "initech"):
        ses.tenant(name).create()
    ses.tenant("acme").associate(template)
    ses.tenant("initech").associate(template)
    assert [t.name for t in ses.resource_tenants(template)] == ["acme", "initech"]
    by_arn = list(ses.resource_tenants(f"{ARN}:template/welcome", page_size=1))
    assert [t.name for t in by_arn] == ["acme", "initech"]
    assert by_arn[1].tenant_id == fake.tenant_state("initech").tenant_id


def test_single_and_bulk_sends_carry_the_tenant(ready: sesflow.SES, fake: FakeSES) -> None:
    ses = ready
    acme = ses.tenant("acme").create()
    acme.associate(
        ses.domain("example.com"), ses.configuration_set("acme-events"), ses.template("welcome")
    )
    sender = ses.sender("news@example.com", configuration_set="acme-events", tenant=acme)
    assert sender.tenant == "acme"
    sender.send("bob@example.com", "Hi", text="Yo")
    assert fake.calls[-1].params["TenantName"] == "acme"
    sender.send_template("ann@example.com", "welcome", data={"name": "Ann"})
    assert fake.calls[-1].params["TenantName"] == "acme"
    report = sender.send_bulk(
        [sesflow.Recipient(f"r{i}@example.net", data={"name": str(i)}) for i in range(3)],
        "welcome",
        concurrency=1,
    )
    assert report.sent == 3
    bulk = [c for c in fake.calls if c.operation == "SendBulkEmail"]
    assert [c.params["TenantName"] for c in bulk] == ["acme"]
    assert fake.deliveries("r2@example.net") == 1


def test_a_send_with_a_resource_outside_the_tenant_is_refused(
    ready: sesflow.SES, fake: FakeSES
) -> None:
    ses = ready
    ses.tenant("acme").create().associate(ses.domain("example.com"))
    sender = ses.sender("news@example.com", tenant="acme")
    sender.send("bob@example.com", "Hi", text="Yo")  # the identity is the tenant's
    with pytest.raises(sesflow.BadRequestError, match="template <welcome> is not associated"):
        sender.send_template("bob@example.com", "welcome", data={"name": "Bob"})
    with pytest.raises(sesflow.BadRequestError, match="configuration set <acme-events>"):
        ses.sender("news@example.com", configuration_set="acme-events", tenant="acme").send(
            "bob@example.com", "Hi", text="Yo"
        )
    with pytest.raises(sesflow.NotFoundError, match="Tenant <globex>"):
        ses.sender("news@example.com", tenant="globex").send("bob@example.com", "Hi", text="Yo")
    assert fake.deliveries("bob@example.com") == 1


def test_a_disabled_tenant_pauses_its_bulk_run(ready: sesflow.SES, fake: FakeSES) -> None:
    ses = ready
    ses.tenant("acme").create().associate(ses.domain("example.com"), ses.template("welcome"))
    fake.set_tenant_sending_status("acme", TenantSendingStatus.DISABLED)
    sender = ses.sender("news@example.com", tenant="acme")
    with pytest.raises(sesflow.SendingPausedError, match="tenant <acme>"):
        sender.send_bulk(["a@example.net"], "welcome", concurrency=1)
    assert fake.delivery_counts() == {}
    fake.set_tenant_sending_status("acme", "REINSTATED")
    assert sender.send_bulk(["a@example.net"], "welcome", concurrency=1).sent == 1


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda ses: ses.tenant("bad name"), "name"),
        (lambda ses: ses.tenant("acme").create(suppression_scope="GLOBAL"), "suppression_scope"),
        (lambda ses: ses.tenant("acme").create(suppressed_reasons="BOUNCE"), "suppressed_reasons"),
        (lambda ses: ses.tenant("acme").create(tags={"k": 1}), "tags['k']"),
        (lambda ses: ses.tenant("acme").update_suppression(), "scope"),
        (lambda ses: ses.tenant("acme").associate(), "resources"),
        (lambda ses: ses.tenant("acme").associate("arn:aws:s3:::bucket"), "resources[0]"),
        (lambda ses: ses.tenant("acme").associate(ses.ip_pool("ips")), "resources[0]"),
        (lambda ses: list(ses.tenant("acme").resources(resource_type="BUCKET")), "resource_type"),
        (lambda ses: list(ses.tenants(sending_status="PAUSED")), "sending_status"),
        (lambda ses: list(ses.tenants(name_contains="")), "name_contains"),
        (lambda ses: list(ses.resource_tenants(42)), "resource"),
        (lambda ses: ses.sender("news@example.com", tenant="a b"), "tenant"),
    ],
)
def test_bad_input_is_refused_before_any_call(
    ses: sesflow.SES, fake: FakeSES, call: object, field: str
) -> None:
    with pytest.raises(sesflow.ValidationError) as caught:
        call(ses)  # type: ignore[operator]
    assert caught.value.field == field
    assert fake.calls == []


@pytest.fixture
def stubbed(clock: FakeClock) -> Iterator[tuple[sesflow.SES, Stubber]]:
    client = boto3.client("sesv2", region_name="us-east-1")
    with Stubber(client) as stub:
        yield sesflow.SES(client=client, sleep=clock.sleep, clock=clock), stub
        stub.assert_no_pending_responses()


def test_exact_requests_for_each_verb(stubbed: tuple[sesflow.SES, Stubber]) -> None:
    ses, stub = stubbed
    tenant = {
        "TenantName": "acme",
        "TenantId": "tn-1",
        "TenantArn": f"{ARN}:tenant/acme/tn-1",
        "SendingStatus": "ENABLED",
    }
    stub.add_response(
        "create_tenant",
        tenant,
        {
            "TenantName": "acme",
            "SuppressionAttributes": {
                "SuppressionScope": "TENANT",
                "SuppressedReasons": ["BOUNCE", "COMPLAINT"],
            },
            "Tags": [{"Key": "plan", "Value": "pro"}],
        },
    )
    stub.add_response("get_tenant", {"Tenant": tenant}, {"TenantName": "acme"})
    stub.add_response(
        "put_tenant_suppression_attributes",
        {},
        {"TenantName": "acme", "SuppressedReasons": ["BOUNCE"]},
    )
    stub.add_response("get_tenant", {"Tenant": tenant}, {"TenantName": "acme"})
    stub.add_response(
        "create_tenant_resource_association",
        {},
        {"TenantName": "acme", "ResourceArn": f"{ARN}:identity/example.com"},
    )
    stub.add_response(
        "create_tenant_resource_association",
        {},
        {"TenantName": "acme", "ResourceArn": f"{ARN}:configuration-set/acme-events"},
    )
    stub.add_response(
        "delete_tenant_resource_association",
        {},
        {"TenantName": "acme", "ResourceArn": f"{ARN}:template/welcome"},
    )
    stub.add_response(
        "list_tenant_resources",
        {"TenantResources": []},
        {"TenantName": "acme", "Filter": {"RESOURCE_TYPE": "EMAIL_TEMPLATE"}, "PageSize": 100},
    )
    stub.add_response(
        "list_tenants",
        {"Tenants": [tenant]},
        {"Filter": {"TENANT_NAME_CONTAINS": "ac", "SENDING_STATUS": "ENABLED"}, "PageSize": 100},
    )
    stub.add_response(
        "list_resource_tenants",
        {"ResourceTenants": []},
        {"ResourceArn": f"{ARN}:template/welcome", "PageSize": 100},
    )
    stub.add_response("delete_tenant", {}, {"TenantName": "acme"})

    acme = ses.tenant("acme").create(
        suppression_scope="TENANT", suppressed_reasons=["COMPLAINT", "BOUNCE"], tags={"plan": "pro"}
    )
    acme.refresh()
    acme.update_suppression(reasons=["BOUNCE"])
    acme.associate(ses.domain("example.com"), ses.configuration_set("acme-events"))
    acme.disassociate(f"{ARN}:template/welcome")
    assert list(acme.resources(resource_type="EMAIL_TEMPLATE")) == []
    assert [t.name for t in ses.tenants(name_contains="ac", sending_status="ENABLED")] == ["acme"]
    assert list(ses.resource_tenants(f"{ARN}:template/welcome")) == []
    acme.delete()


def test_exact_send_requests_with_a_tenant(stubbed: tuple[sesflow.SES, Stubber]) -> None:
    ses, stub = stubbed
    stub.add_response(  # the SES's limiter reads MaxSendRate once, before the first send
        "get_account",
        {"SendQuota": {"Max24HourSend": 1000, "MaxSendRate": 10, "SentLast24Hours": 0}},
        {},
    )
    stub.add_response(
        "send_email",
        {"MessageId": "m-1"},
        {
            "FromEmailAddress": "news@example.com",
            "TenantName": "acme",
            "Destination": {"ToAddresses": ["bob@example.com"]},
            "Content": ANY,
        },
    )
    stub.add_response(
        "get_account",
        {
            "SendQuota": {"Max24HourSend": 1000, "MaxSendRate": 2, "SentLast24Hours": 0},
            "ProductionAccessEnabled": True,
        },
        {},
    )
    stub.add_response(
        "send_bulk_email",
        {"BulkEmailEntryResults": [{"Status": "SUCCESS", "MessageId": "m-2"}]},
        {
            "FromEmailAddress": "news@example.com",
            "TenantName": "acme",
            "DefaultContent": {"Template": {"TemplateName": "welcome", "TemplateData": "{}"}},
            "BulkEmailEntries": [{"Destination": {"ToAddresses": ["a@example.com"]}}],
        },
    )
    sender = ses.sender("news@example.com", tenant="acme")
    assert sender.send("bob@example.com", "Hi", text="Yo").message_id == "m-1"
    assert sender.send_bulk(["a@example.com"], "welcome", concurrency=1).sent == 1


def test_on_moto_a_tenant_send_goes_out_but_tenants_are_not_modelled(
    moto_ses: sesflow.SES,
) -> None:
    moto_ses.identity("news@example.com").create()
    sender = moto_ses.sender("news@example.com", tenant="acme")
    assert sender.send("bob@example.com", "Hi", text="Yo").message_id
    # moto 5.2 implements no tenant, endpoint, insights, export or dedicated-IP operation
    # (FakeSES does): this notices when it starts to.
    with pytest.raises(NotImplementedError, match="create_tenant"):
        moto_ses.tenant("acme").create()
    with pytest.raises(NotImplementedError, match="get_dedicated_ips"):
        list(moto_ses.dedicated_ips())


def test_a_tenants_own_suppression_list(ses: sesflow.SES, fake: FakeSES) -> None:
    acme = ses.tenant("acme").create(suppression_scope="TENANT", suppressed_reasons=["BOUNCE"])
    tenant_list = acme.suppression_list
    tenant_list.add("gone@example.org", "BOUNCE")
    tenant_list.add("angry@example.org", SuppressionReason.COMPLAINT)
    assert "gone@example.org" in tenant_list
    assert "gone@example.org" not in ses.suppression_list  # the account's list is another
    assert [e.address for e in tenant_list.filter(reasons=["COMPLAINT"])] == ["angry@example.org"]
    tenant_list.remove("gone@example.org")
    tenant_list.remove("gone@example.org")  # idempotent
    assert [e.address for e in tenant_list] == ["angry@example.org"]
    assert [c.params.get("TenantName") for c in fake.calls[-3:]] == ["acme"] * 3
    assert repr(tenant_list) == "SuppressionList(region='us-east-1', tenant='acme')"
    acme.delete()
    with pytest.raises(sesflow.NotFoundError, match="Tenant <acme>"):
        list(tenant_list)


def test_exact_tenant_suppression_requests(stubbed: tuple[sesflow.SES, Stubber]) -> None:
    ses, stub = stubbed
    who = {"EmailAddress": "gone@example.org", "TenantName": "acme"}
    stub.add_response("put_suppressed_destination", {}, {**who, "Reason": "BOUNCE"})
    stub.add_response("delete_suppressed_destination", {}, who)
    stub.add_response(
        "list_suppressed_destinations",
        {"SuppressedDestinationSummaries": []},
        {"TenantName": "acme", "Reasons": ["BOUNCE"], "PageSize": 100},
    )
    tenant_list = ses.tenant("acme").suppression_list
    tenant_list.add("gone@example.org", "BOUNCE")
    tenant_list.remove("gone@example.org")
    assert list(tenant_list.filter(reasons=["BOUNCE"])) == []
