"""Account and configuration-set switches (sending, suppression, VDM) and per-send tracking
overrides: on FakeSES, and the exact requests."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import boto3
import pytest
from botocore.exceptions import ClientError
from botocore.stub import Stubber

import sesflow
from sesflow.testing import FakeClock, FakeSES

if TYPE_CHECKING:
    from types_boto3_sesv2 import SESV2Client


@pytest.fixture
def verified(fake: FakeSES) -> FakeSES:
    fake.verify("news@example.com")
    return fake


# --- pausing ---------------------------------------------------------------------------------


def test_pausing_the_account_stops_every_send_until_resumed(
    ses: sesflow.SES, verified: FakeSES
) -> None:
    sender = ses.sender("news@example.com")
    acct = ses.account().update_sending(enabled=False)
    assert acct.sending_enabled is False
    assert ses.account().sending_enabled is False  # what SES now answers
    with pytest.raises(sesflow.SendingPausedError) as caught:
        sender.send("bob@example.com", "Hi", text="Paused.")
    assert caught.value.code == "SendingPausedException"
    with pytest.raises(sesflow.SendingPausedError):
        sender.send_bulk(["ann@example.com"], sesflow.InlineTemplate("Hi", text="x"), concurrency=1)
    assert verified.outbox == []
    assert ses.account().update_sending(enabled=True).sending_enabled is True
    sender.send("bob@example.com", "Hi", text="Resumed.")
    assert [m.text for m in verified.outbox] == ["Resumed."]


def test_pausing_a_configuration_set_stops_only_its_mail(
    ses: sesflow.SES, verified: FakeSES
) -> None:
    marketing = ses.configuration_set("marketing").create()
    marketing.update_sending(enabled=False)
    assert ses.configuration_set("marketing").sending_enabled is False
    with pytest.raises(sesflow.SendingPausedError):
        ses.sender("news@example.com", configuration_set="marketing").send(
            "bob@example.com", "Hi", text="x"
        )
    ses.sender("news@example.com").send("bob@example.com", "Hi", text="Transactional.")
    marketing.update_sending(enabled=True)
    ses.sender("news@example.com", configuration_set="marketing").send(
        "bob@example.com", "Hi", text="Marketing."
    )
    assert [m.text for m in verified.outbox] == ["Transactional.", "Marketing."]


# --- account suppression -----------------------------------------------------------------------


def test_account_suppression_reasons(ses: sesflow.SES, verified: FakeSES) -> None:
    acct = ses.account()
    assert acct.suppressed_reasons == {
        sesflow.SuppressionReason.BOUNCE,
        sesflow.SuppressionReason.COMPLAINT,
    }
    assert acct.update_suppression(["COMPLAINT"]).suppressed_reasons == {
        sesflow.SuppressionReason.COMPLAINT
    }
    assert verified.account.suppressed_reasons == ["COMPLAINT"]
    # A bounce-listed address now receives mail: bounces no longer suppress it.
    ses.suppression_list.add("bounced@example.com", "BOUNCE")
    ses.sender("news@example.com").send("bounced@example.com", "Hi", text="x")
    assert verified.deliveries("bounced@example.com") == 1
    assert ses.account().update_suppression([]).suppressed_reasons == frozenset()
    assert ses.account().suppressed_reasons == frozenset()


def test_bad_switches_are_refused_before_any_call(ses: sesflow.SES, fake: FakeSES) -> None:
    acct = ses.account()
    calls = len(fake.calls)
    with pytest.raises(sesflow.ValidationError) as caught:
        acct.update_suppression(["SPAM"])
    assert caught.value.field == "reasons[0]"
    with pytest.raises(sesflow.ValidationError) as caught:
        acct.update_sending(enabled="no")  # type: ignore[arg-type]
    assert caught.value.field == "enabled"
    with pytest.raises(sesflow.ValidationError) as caught:
        acct.update_vdm(enabled=True, engagement_metrics=1)  # type: ignore[arg-type]
    assert caught.value.field == "engagement_metrics"
    with pytest.raises(sesflow.ValidationError) as caught:
        ses.configuration_set("cs").update_vdm(optimized_shared_delivery="yes")  # type: ignore[arg-type]
    assert caught.value.field == "optimized_shared_delivery"
    with pytest.raises(sesflow.ValidationError) as caught:
        ses.sender("news@example.com", open_tracking="off")  # type: ignore[arg-type]
    assert caught.value.field == "open_tracking"
    assert len(fake.calls) == calls


# --- VDM -------------------------------------------------------------------------------------


def test_account_vdm(ses: sesflow.SES, fake: FakeSES) -> None:
    assert ses.account().vdm == sesflow.VdmSettings()
    ses.account().update_vdm(enabled=True, engagement_metrics=True)
    assert ses.account().vdm == sesflow.VdmSettings(enabled=True, engagement_metrics=True)
    assert fake.account.vdm_attributes == {
        "VdmEnabled": "ENABLED",
        "DashboardAttributes": {"EngagementMetrics": "ENABLED"},
    }
    off = ses.account().update_vdm(enabled=False, optimized_shared_delivery=False)
    assert off.vdm == sesflow.VdmSettings(enabled=False, optimized_shared_delivery=False)


def test_configuration_set_vdm(ses: sesflow.SES) -> None:
    cs = ses.configuration_set("transactional").create()
    assert cs.vdm == sesflow.VdmSettings()
    cs.update_vdm(engagement_metrics=False, optimized_shared_delivery=True)
    assert ses.configuration_set("transactional").vdm == sesflow.VdmSettings(
        engagement_metrics=False, optimized_shared_delivery=True
    )
    cs.update_vdm()  # neither: follow the account again
    assert ses.configuration_set("transactional").vdm == sesflow.VdmSettings()
    with pytest.raises(sesflow.NotFoundError):
        ses.configuration_set("missing").update_vdm(engagement_metrics=True)


def test_the_fake_checks_vdm_values(fake: FakeSES) -> None:
    client: SESV2Client = fake.client()
    with pytest.raises(ClientError) as caught:
        client.put_account_vdm_attributes(VdmAttributes={"VdmEnabled": "ON"})  # type: ignore[typeddict-item]
    assert caught.value.response["Error"]["Code"] == "BadRequestException"
    with pytest.raises(ClientError) as caught:
        client.put_account_vdm_attributes(
            VdmAttributes={
                "VdmEnabled": "ENABLED",
                "GuardianAttributes": {"OptimizedSharedDelivery": "ON"},  # type: ignore[typeddict-item]
            }
        )
    assert "OptimizedSharedDelivery" in caught.value.response["Error"]["Message"]
    assert fake.account.vdm_attributes is None


# --- per-send tracking overrides -------------------------------------------------------------


def test_tracking_overrides_reach_every_send(ses: sesflow.SES, verified: FakeSES) -> None:
    sender = ses.sender("news@example.com", open_tracking=False, click_tracking=True)
    sender.send("bob@example.com", "Receipt", text="x")
    sender.send_bulk(["ann@example.com"], sesflow.InlineTemplate("Hi", text="x"), concurrency=1)
    expected = {"Tracking": {"OpenTrackingEnabled": "DISABLED", "ClickTrackingEnabled": "ENABLED"}}
    assert [m.configuration_overrides for m in verified.outbox] == [expected, expected]
    ses.sender("news@example.com").send("bob@example.com", "Plain", text="x")
    assert verified.outbox[-1].configuration_overrides is None


def test_the_fake_checks_override_values(verified: FakeSES) -> None:
    client: SESV2Client = verified.client()
    with pytest.raises(ClientError) as caught:
        client.send_email(
            FromEmailAddress="news@example.com",
            Destination={"ToAddresses": ["bob@example.com"]},
            Content={"Simple": {"Subject": {"Data": "Hi"}, "Body": {"Text": {"Data": "x"}}}},
            ConfigurationOverrides={"Tracking": {"OpenTrackingEnabled": "OFF"}},  # type: ignore[typeddict-item]
        )
    assert caught.value.response["Error"]["Code"] == "BadRequestException"
    assert verified.outbox == []


def test_tracking_overrides_need_a_botocore_that_models_them(
    ses: sesflow.SES, monkeypatch: pytest.MonkeyPatch
) -> None:
    model = ses.client.meta.service_model.operation_model("SendEmail").input_shape
    assert model is not None
    members = {k: v for k, v in model.members.items() if k != "ConfigurationOverrides"}
    monkeypatch.setattr(type(model), "members", property(lambda _: members))
    with pytest.raises(sesflow.ValidationError, match="botocore") as caught:
        ses.sender("news@example.com", click_tracking=False)
    assert caught.value.field == "click_tracking"
    assert ses.sender("news@example.com").from_address == "news@example.com"


# --- the exact requests ----------------------------------------------------------------------


@pytest.fixture
def stubbed(clock: FakeClock) -> Iterator[tuple[sesflow.SES, Stubber]]:
    client = boto3.client("sesv2", region_name="us-east-1")
    ses = sesflow.SES(client=client, sleep=clock.sleep, clock=clock)
    with Stubber(client) as stub:
        yield ses, stub
        stub.assert_no_pending_responses()


ACCOUNT: dict[str, Any] = {
    "SendQuota": {"Max24HourSend": 1000, "MaxSendRate": 10, "SentLast24Hours": 0},
    "ProductionAccessEnabled": True,
    "SendingEnabled": True,
}


def test_account_switch_requests_are_exact(stubbed: tuple[sesflow.SES, Stubber]) -> None:
    ses, stub = stubbed
    stub.add_response("get_account", ACCOUNT, {})
    stub.add_response("put_account_sending_attributes", {}, {"SendingEnabled": False})
    stub.add_response("put_account_sending_attributes", {}, {"SendingEnabled": True})
    stub.add_response(
        "put_account_suppression_attributes", {}, {"SuppressedReasons": ["BOUNCE", "COMPLAINT"]}
    )
    stub.add_response(
        "put_account_vdm_attributes",
        {},
        {
            "VdmAttributes": {
                "VdmEnabled": "ENABLED",
                "DashboardAttributes": {"EngagementMetrics": "DISABLED"},
                "GuardianAttributes": {"OptimizedSharedDelivery": "ENABLED"},
            }
        },
    )
    acct = ses.account()
    acct.update_sending(enabled=False)
    acct.update_sending(enabled=True)
    acct.update_suppression(["COMPLAINT", "BOUNCE", "COMPLAINT"])
    acct.update_vdm(enabled=True, engagement_metrics=False, optimized_shared_delivery=True)


def test_configuration_set_switch_requests_are_exact(stubbed: tuple[sesflow.SES, Stubber]) -> None:
    ses, stub = stubbed
    stub.add_response(
        "put_configuration_set_sending_options",
        {},
        {"ConfigurationSetName": "marketing", "SendingEnabled": False},
    )
    stub.add_response(
        "put_configuration_set_vdm_options",
        {},
        {
            "ConfigurationSetName": "marketing",
            "VdmOptions": {"DashboardOptions": {"EngagementMetrics": "ENABLED"}},
        },
    )
    stub.add_response(
        "put_configuration_set_vdm_options",
        {},
        {"ConfigurationSetName": "marketing", "VdmOptions": {}},
    )
    cs = ses.configuration_set("marketing")
    cs.update_sending(enabled=False)
    cs.update_vdm(engagement_metrics=True)
    cs.update_vdm()


def test_tracking_override_requests_are_exact(stubbed: tuple[sesflow.SES, Stubber]) -> None:
    ses, stub = stubbed
    overrides = {"ConfigurationOverrides": {"Tracking": {"OpenTrackingEnabled": "DISABLED"}}}
    stub.add_response("get_account", ACCOUNT, {})  # the SES's limiter reads MaxSendRate once
    stub.add_response(
        "send_email",
        {"MessageId": "m-1"},
        {
            "FromEmailAddress": "news@example.com",
            "Destination": {"ToAddresses": ["bob@example.com"]},
            "Content": {"Template": {"TemplateName": "receipt", "TemplateData": "{}"}},
            **overrides,
        },
    )
    stub.add_response("get_account", ACCOUNT, {})
    stub.add_response(
        "send_bulk_email",
        {"BulkEmailEntryResults": [{"Status": "SUCCESS", "MessageId": "m-2"}]},
        {
            "FromEmailAddress": "news@example.com",
            "DefaultContent": {"Template": {"TemplateName": "receipt", "TemplateData": "{}"}},
            "BulkEmailEntries": [{"Destination": {"ToAddresses": ["ann@example.com"]}}],
            **overrides,
        },
    )
    sender = ses.sender("news@example.com", open_tracking=False)
    sender.send_template("bob@example.com", "receipt")
    assert sender.send_bulk(["ann@example.com"], "receipt", concurrency=1).sent == 1
