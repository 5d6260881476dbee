"""Configuration sets, event destinations and IP pools: moto, FakeSES and exact requests."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from moto import mock_aws

import sesflow
from conftest import skip_listing_on_moto
from sesflow import (
    CloudWatchDestination,
    CloudWatchDimension,
    EventBridgeDestination,
    EventType,
    FirehoseDestination,
    SnsDestination,
)
from sesflow.testing import FakeSES

TOPIC = "arn:aws:sns:us-east-1:123456789012:ses-events"
STREAM = "arn:aws:firehose:us-east-1:123456789012:deliverystream/ses"
ROLE = "arn:aws:iam::123456789012:role/ses-firehose"
BUS = "arn:aws:events:us-east-1:123456789012:event-bus/default"


def test_create_list_delete_on_moto(moto_ses: sesflow.SES) -> None:
    cs = moto_ses.configuration_set("marketing")
    assert not cs.exists()
    cs.create(tracking_domain="click.example.com", https_policy="REQUIRE", tls_policy="REQUIRE")
    cs.create()  # idempotent, despite moto's own error code for the duplicate
    assert cs.refresh().tracking_domain == "click.example.com"
    assert cs.tls_policy is sesflow.TlsPolicy.REQUIRE
    assert cs.suppressed_reasons == {sesflow.SuppressionReason.BOUNCE,
                                     sesflow.SuppressionReason.COMPLAINT}  # fmt: skip
    skip_listing_on_moto(moto_ses)
    assert [c.name for c in moto_ses.configuration_sets()] == ["marketing"]
    cs.delete()
    assert not cs.exists()


def test_ip_pools_on_moto(moto_ses: sesflow.SES) -> None:
    pool = moto_ses.ip_pool("marketing-ips").create()
    pool.create()
    assert pool.exists()
    assert pool.scaling_mode == "STANDARD"
    # Listing is tested on FakeSES: moto's ListDedicatedIpPools fails on any PageSize (its
    # paginator adds the query string's text to an int), and every listing sends one.
    pool.delete()
    assert not pool.exists()


def test_same_scenario_on_moto_and_fake(any_ses: sesflow.SES) -> None:
    cs = any_ses.configuration_set("transactional").create(reputation_metrics=True)
    assert cs.exists()
    assert cs.refresh().reputation_metrics
    skip_listing_on_moto(any_ses)
    assert {c.name for c in any_ses.configuration_sets()} == {"transactional"}
    cs.delete()
    assert not cs.exists()


def test_ip_pools_list_every_page_on_fake(ses: sesflow.SES, fake: FakeSES) -> None:
    for i in range(5):
        ses.ip_pool(f"pool-{i}").create()
    assert sorted(p.name for p in ses.ip_pools(page_size=2)) == [f"pool-{i}" for i in range(5)]
    assert fake.call_count("ListDedicatedIpPools") == 3
    assert [
        c.params.get("PageSize") for c in fake.calls if c.operation == "ListDedicatedIpPools"
    ] == [2, 2, 2]
    assert [p.name for p in ses.ip_pools()] == [f"pool-{i}" for i in range(5)]
    assert fake.calls[-1].params["PageSize"] == 100  # the one default of every listing


def test_options_and_updates_on_fake(ses: sesflow.SES) -> None:
    ses.ip_pool("marketing-ips").create(scaling_mode="MANAGED")
    cs = ses.configuration_set("marketing").create(
        sending_pool="marketing-ips", tls_policy="REQUIRE", suppressed_reasons=["BOUNCE"]
    )
    assert cs.sending_pool == "marketing-ips"
    assert cs.suppressed_reasons == {sesflow.SuppressionReason.BOUNCE}
    cs.update_tracking("click.example.com", https_policy=sesflow.HttpsPolicy.REQUIRE_OPEN_ONLY)
    cs.update_delivery(tls_policy="OPTIONAL")
    cs.update_reputation(enabled=False)
    cs.update_sending(enabled=False)
    cs.update_suppression([])
    after = ses.configuration_set("marketing")
    assert after.tracking_domain == "click.example.com"
    assert after.tls_policy is sesflow.TlsPolicy.OPTIONAL
    assert after.sending_pool is None
    assert not after.reputation_metrics
    assert not after.sending_enabled
    assert after.suppressed_reasons == frozenset()


def test_a_missing_sending_pool_is_not_found(ses: sesflow.SES) -> None:
    with pytest.raises(sesflow.NotFoundError):
        ses.configuration_set("marketing").create(sending_pool="no-such-pool")


def test_event_destinations_of_every_kind(ses: sesflow.SES) -> None:
    cs = ses.configuration_set("marketing").create()
    every = [EventType.SEND, EventType.DELIVERY, EventType.OPEN, EventType.CLICK,
             EventType.BOUNCE, EventType.COMPLAINT]  # fmt: skip
    cs.add_event_destination("sns", every, SnsDestination(TOPIC))
    cs.add_event_destination(
        "cloudwatch",
        ["SEND", "BOUNCE"],
        CloudWatchDestination([CloudWatchDimension("campaign", "none")]),
    )
    cs.add_event_destination("firehose", [EventType.DELIVERY], FirehoseDestination(STREAM, ROLE))
    cs.add_event_destination("bus", [EventType.REJECT], EventBridgeDestination(BUS), enabled=False)
    found = {d.name: d for d in cs.event_destinations()}
    assert set(found) == {"sns", "cloudwatch", "firehose", "bus"}
    assert found["sns"].events == frozenset(every)
    assert found["sns"].destination == SnsDestination(TOPIC)
    assert found["cloudwatch"].destination == CloudWatchDestination(
        [CloudWatchDimension("campaign", "none")]
    )
    assert found["firehose"].destination == FirehoseDestination(STREAM, ROLE)
    assert not found["bus"].enabled
    cs.update_event_destination("sns", [EventType.BOUNCE], SnsDestination(TOPIC), enabled=False)
    sns = next(d for d in cs.event_destinations() if d.name == "sns")
    assert sns.events == {EventType.BOUNCE}
    assert not sns.enabled
    cs.remove_event_destination("sns")
    cs.remove_event_destination("sns")  # idempotent
    assert {d.name for d in cs.event_destinations()} == {"cloudwatch", "firehose", "bus"}
    with pytest.raises(sesflow.AlreadyExistsError):
        cs.add_event_destination("bus", [EventType.SEND], EventBridgeDestination(BUS))


def test_at_most_ten_destinations(ses: sesflow.SES, fake: FakeSES) -> None:
    cs = ses.configuration_set("marketing").create()
    for i in range(10):
        cs.add_event_destination(f"d{i}", ["SEND"], SnsDestination(TOPIC))
    before = fake.call_count("CreateConfigurationSetEventDestination")
    with pytest.raises(sesflow.ValidationError, match="10 event destinations"):
        cs.add_event_destination("d10", ["SEND"], SnsDestination(TOPIC))
    assert fake.call_count("CreateConfigurationSetEventDestination") == before


@pytest.mark.parametrize(
    ("make", "field"),
    [
        (lambda: SnsDestination("arn:aws:sqs:us-east-1:123456789012:q"), "topic_arn"),
        (lambda: SnsDestination("not-an-arn"), "topic_arn"),
        (lambda: FirehoseDestination(STREAM, "arn:aws:sns:us-east-1:1:x"), "iam_role_arn"),
        (lambda: EventBridgeDestination(TOPIC), "event_bus_arn"),
        (lambda: CloudWatchDestination([]), "dimensions"),
        (lambda: CloudWatchDimension("bad name", "x"), "dimensions"),
        (lambda: CloudWatchDimension("n", "x", source="COOKIE"), "dimensions"),
    ],
)
def test_destinations_are_validated(make: Any, field: str) -> None:
    with pytest.raises(sesflow.ValidationError) as caught:
        make()
    assert caught.value.field == field


def test_bad_event_destination_input_is_refused_before_any_call(
    ses: sesflow.SES, fake: FakeSES
) -> None:
    cs = ses.configuration_set("marketing")
    with pytest.raises(sesflow.ValidationError, match="at least one EventType"):
        cs.add_event_destination("d", [], SnsDestination(TOPIC))
    with pytest.raises(sesflow.ValidationError, match=r"events\[1\]"):
        cs.add_event_destination("d", ["SEND", "OPENED"], SnsDestination(TOPIC))
    with pytest.raises(sesflow.ValidationError, match="name"):
        cs.add_event_destination("has space", ["SEND"], SnsDestination(TOPIC))
    with pytest.raises(sesflow.ValidationError, match="destination"):
        cs.add_event_destination("d", ["SEND"], TOPIC)  # type: ignore[arg-type]
    with pytest.raises(sesflow.ValidationError, match="name"):
        ses.configuration_set("x" * 65)
    with pytest.raises(sesflow.ValidationError, match="https_policy"):
        cs.create(https_policy="REQUIRE")
    with pytest.raises(sesflow.ValidationError, match="tls_policy"):
        cs.create(tls_policy="SOMETIMES")
    with pytest.raises(sesflow.ValidationError, match="suppressed_reasons"):
        cs.create(suppressed_reasons=["SPAM"])
    assert fake.calls == []


def test_sns_topic_policy_lets_ses_publish() -> None:
    with mock_aws():
        sns = boto3.client("sns", region_name="us-east-1")
        topic = sns.create_topic(Name="ses-events")["TopicArn"]
        fake = FakeSES()
        ses = sesflow.SES(client=fake.client())
        cs = ses.configuration_set("marketing").create()
        cs.add_event_destination("sns", ["BOUNCE"], SnsDestination(topic), sns_client=sns)
        cs.add_event_destination("sns2", ["SEND"], SnsDestination(topic), sns_client=sns)
        policy = json.loads(sns.get_topic_attributes(TopicArn=topic)["Attributes"]["Policy"])
    ours = [s for s in policy["Statement"] if s.get("Sid") == "sesflow-marketing"]
    assert len(ours) == 1  # added once, however often
    statement = ours[0]
    assert statement["Principal"] == {"Service": "ses.amazonaws.com"}
    assert statement["Action"] == "SNS:Publish"
    assert statement["Resource"] == topic
    assert statement["Condition"]["ArnLike"]["AWS:SourceArn"] == (
        "arn:aws:ses:us-east-1:123456789012:configuration-set/marketing"
    )
    assert len(policy["Statement"]) >= 2  # the topic's own statements are kept


@pytest.fixture
def stubbed() -> Iterator[tuple[sesflow.SES, Stubber]]:
    client = boto3.client("sesv2", region_name="us-east-1")
    with Stubber(client) as stub:
        yield sesflow.SES(client=client), stub
        stub.assert_no_pending_responses()


def test_exact_requests_for_each_verb(stubbed: tuple[sesflow.SES, Stubber]) -> None:
    ses, stub = stubbed
    name = {"ConfigurationSetName": "marketing"}
    stub.add_response(
        "create_configuration_set",
        {},
        {
            **name,
            "TrackingOptions": {"CustomRedirectDomain": "click.example.com",
                                "HttpsPolicy": "REQUIRE"},
            "DeliveryOptions": {"TlsPolicy": "REQUIRE", "SendingPoolName": "ips"},
            "ReputationOptions": {"ReputationMetricsEnabled": False},
            "SendingOptions": {"SendingEnabled": True},
            "SuppressionOptions": {"SuppressedReasons": ["COMPLAINT"]},
            "Tags": [{"Key": "team", "Value": "growth"}],
        },
    )  # fmt: skip
    stub.add_response("put_configuration_set_tracking_options", {},
                      {**name, "CustomRedirectDomain": "t.example.com"})  # fmt: skip
    stub.add_response("put_configuration_set_delivery_options", {},
                      {**name, "TlsPolicy": "OPTIONAL", "SendingPoolName": "ips2"})  # fmt: skip
    stub.add_response("put_configuration_set_reputation_options", {},
                      {**name, "ReputationMetricsEnabled": True})  # fmt: skip
    stub.add_response("put_configuration_set_sending_options", {},
                      {**name, "SendingEnabled": False})  # fmt: skip
    stub.add_response("put_configuration_set_suppression_options", {},
                      {**name, "SuppressedReasons": ["BOUNCE", "COMPLAINT"]})  # fmt: skip
    stub.add_response("get_configuration_set_event_destinations", {"EventDestinations": []}, name)
    stub.add_response(
        "create_configuration_set_event_destination",
        {},
        {**name, "EventDestinationName": "sns",
         "EventDestination": {"Enabled": True, "MatchingEventTypes": ["BOUNCE", "COMPLAINT"],
                              "SnsDestination": {"TopicArn": TOPIC}}},
    )  # fmt: skip
    stub.add_response(
        "update_configuration_set_event_destination",
        {},
        {**name, "EventDestinationName": "sns",
         "EventDestination": {"Enabled": False, "MatchingEventTypes": ["BOUNCE"],
                              "SnsDestination": {"TopicArn": TOPIC}}},
    )  # fmt: skip
    stub.add_response("delete_configuration_set_event_destination", {},
                      {**name, "EventDestinationName": "sns"})  # fmt: skip
    stub.add_response("delete_configuration_set", {}, name)
    stub.add_response("create_dedicated_ip_pool", {},
                      {"PoolName": "ips", "ScalingMode": "MANAGED"})  # fmt: skip
    stub.add_response(
        "put_email_identity_configuration_set_attributes",
        {},
        {"EmailIdentity": "a@example.com", "ConfigurationSetName": "marketing"},
    )
    stub.add_response("put_email_identity_configuration_set_attributes", {},
                      {"EmailIdentity": "a@example.com"})  # fmt: skip

    cs = ses.configuration_set("marketing")
    cs.create(tracking_domain="click.example.com", https_policy="REQUIRE", sending_pool="ips",
              tls_policy="REQUIRE", reputation_metrics=False, suppressed_reasons=["COMPLAINT"],
              tags={"team": "growth"})  # fmt: skip
    cs.update_tracking("t.example.com")
    cs.update_delivery(tls_policy="OPTIONAL", sending_pool="ips2")
    cs.update_reputation(enabled=True)
    cs.update_sending(enabled=False)
    cs.update_suppression(["COMPLAINT", "BOUNCE", "BOUNCE"])
    cs.add_event_destination("sns", ["BOUNCE", "COMPLAINT", "BOUNCE"], SnsDestination(TOPIC))
    cs.update_event_destination("sns", ["BOUNCE"], SnsDestination(TOPIC), enabled=False)
    cs.remove_event_destination("sns")
    cs.delete()
    ses.ip_pool("ips").create(scaling_mode="MANAGED")
    ses.identity("a@example.com").set_configuration_set("marketing")
    ses.identity("a@example.com").set_configuration_set(None)
