"""FakeSES configuration sets: every options group, event destinations, identity defaults."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest
from botocore.exceptions import ClientError

from conftest import needs_sesv2
from sesflow.testing import FakeClock, FakeConfigurationSet, FakeEventDestination, FakeSES
from sesflow.testing._fake import sesv2_model

if TYPE_CHECKING:
    from types_boto3_sesv2 import SESV2Client

TOPIC = "arn:aws:sns:us-east-1:123456789012:ses-events"
STREAM = "arn:aws:firehose:us-east-1:123456789012:deliverystream/ses"
ROLE = "arn:aws:iam::123456789012:role/ses-firehose"
BUS = "arn:aws:events:us-east-1:123456789012:event-bus/default"
APP = "arn:aws:mobiletargeting:us-east-1:123456789012:apps/0123456789abcdef"
ARCHIVE = "arn:aws:ses:us-east-1:123456789012:mailmanager-archive/a-abcdefghijklmnopqrstuvwx"
SIMPLE: Any = {"Simple": {"Subject": {"Data": "Hi"}, "Body": {"Text": {"Data": "Hello"}}}}
SNS: Any = {"SnsDestination": {"TopicArn": TOPIC}}
QUIET: Any = {"MatchingEventTypes": ["OPEN"], **SNS}  # Enabled left out


@pytest.fixture
def fake(clock: FakeClock) -> FakeSES:
    return FakeSES(clock=clock, seed=3)


@pytest.fixture
def client(fake: FakeSES) -> SESV2Client:
    client = fake.client()
    client.create_configuration_set(ConfigurationSetName="cs")
    return client


def _error(excinfo: pytest.ExceptionInfo[ClientError]) -> tuple[str, int]:
    response = excinfo.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]


def _refused(call: Callable[..., Any], **params: Any) -> tuple[str, int]:
    with pytest.raises(ClientError) as excinfo:
        call(**params)
    return _error(excinfo)


def _get(client: SESV2Client, name: str = "cs") -> dict[str, Any]:
    got = dict(client.get_configuration_set(ConfigurationSetName=name))
    got.pop("ResponseMetadata")
    return got


def _destination(events: list[str] | None = None, **kind: Any) -> Any:
    return {"Enabled": True, "MatchingEventTypes": events or ["SEND"], **(kind or SNS)}


def _add(client: SESV2Client, name: str, definition: Any = None) -> None:
    client.create_configuration_set_event_destination(
        ConfigurationSetName="cs",
        EventDestinationName=name,
        EventDestination=definition or _destination(),
    )


# --- create and get ------------------------------------------------------------------------------


@needs_sesv2(
    "CreateConfigurationSetRequest.MessageSecurityOptions",
    "DeliveryOptions.SharedPoolDeliveryMode",
    "SuppressionOptions.SuppressionScope",
)
def test_create_keeps_every_options_group(fake: FakeSES, client: SESV2Client) -> None:
    client.create_dedicated_ip_pool(PoolName="ips")
    options: dict[str, Any] = {
        "TrackingOptions": {"CustomRedirectDomain": "t.example.com", "HttpsPolicy": "OPTIONAL"},
        "DeliveryOptions": {
            "TlsPolicy": "REQUIRE",
            "SendingPoolName": "ips",
            "MaxDeliverySeconds": 600,
            "SharedPoolDeliveryMode": "REGIONAL",
        },
        "ReputationOptions": {"ReputationMetricsEnabled": True},
        "SendingOptions": {"SendingEnabled": False},
        "SuppressionOptions": {"SuppressedReasons": ["COMPLAINT"], "SuppressionScope": "ACCOUNT"},
        "VdmOptions": {"DashboardOptions": {"EngagementMetrics": "ENABLED"}},
        "ArchivingOptions": {"ArchiveArn": ARCHIVE},
        "MessageSecurityOptions": {
            "SigningScheme": {"SmimeScheme": {"SignatureFormat": "DETACHED"}}
        },
        "Tags": [{"Key": "team", "Value": "growth"}],
    }
    client.create_configuration_set(ConfigurationSetName="full", **options)
    assert _get(client, "full") == {"ConfigurationSetName": "full", **options}
    state = fake.configuration_set_state("full")
    assert state.sending_pool_name == "ips"
    assert state.suppressed_reasons == ("COMPLAINT",)
    assert not state.sending_enabled
    assert state.archiving_options == {"ArchiveArn": ARCHIVE}
    assert state.tags == ({"Key": "team", "Value": "growth"},)


def test_groups_never_set_are_reported_with_defaults_or_not_at_all(fake: FakeSES) -> None:
    client = fake.client()
    client.create_configuration_set(ConfigurationSetName="plain")
    assert _get(client, "plain") == {
        "ConfigurationSetName": "plain",
        "DeliveryOptions": {"TlsPolicy": "OPTIONAL"},
        "ReputationOptions": {"ReputationMetricsEnabled": False},
        "SendingOptions": {"SendingEnabled": True},
        "Tags": [],
    }
    state = fake.configuration_set_state("plain")
    assert state.tracking_options is None
    assert state.suppression_options is None
    assert state.suppressed_reasons is None  # the account's reasons apply
    assert state.sending_enabled
    assert state.sending_pool_name is None


def test_create_with_a_missing_sending_pool_is_not_found(fake: FakeSES) -> None:
    client = fake.client()
    assert _refused(
        client.create_configuration_set,
        ConfigurationSetName="pooled",
        DeliveryOptions={"SendingPoolName": "nope"},
    ) == ("NotFoundException", 404)
    assert client.list_configuration_sets()["ConfigurationSets"] == []


@pytest.mark.parametrize(
    "options",
    [
        {"DeliveryOptions": {"TlsPolicy": "SOMETIMES"}},
        {"DeliveryOptions": {"MaxDeliverySeconds": 50_401}},
        pytest.param(
            {"DeliveryOptions": {"SharedPoolDeliveryMode": "EVERYWHERE"}},
            marks=needs_sesv2("DeliveryOptions.SharedPoolDeliveryMode"),
        ),
        {"TrackingOptions": {"CustomRedirectDomain": "not a domain"}},
        {"TrackingOptions": {"CustomRedirectDomain": "t.example.com", "HttpsPolicy": "NEVER"}},
        {"SuppressionOptions": {"SuppressedReasons": ["SPAM"]}},
        pytest.param(
            {"SuppressionOptions": {"SuppressionScope": "GLOBAL"}},
            marks=needs_sesv2("SuppressionOptions.SuppressionScope"),
        ),
        {"VdmOptions": {"GuardianOptions": {"OptimizedSharedDelivery": "ON"}}},
        {"ArchivingOptions": {"ArchiveArn": "arn:aws:s3:::bucket/archive-of-mail"}},
    ],
)
def test_create_checks_options_as_ses_does(fake: FakeSES, options: dict[str, Any]) -> None:
    client = fake.client()
    assert _refused(client.create_configuration_set, ConfigurationSetName="bad", **options) == (
        "BadRequestException",
        400,
    )
    with pytest.raises(KeyError):
        fake.configuration_set_state("bad")


def test_max_delivery_seconds_below_300_is_refused_server_side_too(fake: FakeSES) -> None:
    # botocore refuses it client-side; a client without botocore's checks reaches the fake.
    body = json.dumps(
        {"ConfigurationSetName": "raw", "DeliveryOptions": {"MaxDeliverySeconds": 299}}
    ).encode()
    status, headers, _ = fake.dispatch("POST", "/v2/email/configuration-sets", {}, body)
    assert (status, headers["x-amzn-ErrorType"]) == (400, "BadRequestException")


# --- PutConfigurationSet*Options ---------------------------------------------------------------


def test_every_put_options_operation_of_the_model_is_implemented() -> None:
    wanted = {
        name
        for name in sesv2_model().operation_names
        if (name.startswith("PutConfigurationSet") and name.endswith("Options"))
        or "ConfigurationSetEventDestination" in name
        or name == "UpdateConfigurationSet"
    }
    assert len(wanted) >= 12
    assert wanted <= set(FakeSES.implemented_operations())


def test_tracking_options_are_replaced_and_removed(client: SESV2Client) -> None:
    client.put_configuration_set_tracking_options(
        ConfigurationSetName="cs", CustomRedirectDomain="t.example.com", HttpsPolicy="REQUIRE"
    )
    assert _get(client)["TrackingOptions"] == {
        "CustomRedirectDomain": "t.example.com",
        "HttpsPolicy": "REQUIRE",
    }
    client.put_configuration_set_tracking_options(
        ConfigurationSetName="cs", CustomRedirectDomain="click.example.com"
    )
    assert _get(client)["TrackingOptions"] == {"CustomRedirectDomain": "click.example.com"}
    client.put_configuration_set_tracking_options(ConfigurationSetName="cs")
    assert "TrackingOptions" not in _get(client)


@pytest.mark.parametrize(
    "params",
    [
        {"HttpsPolicy": "REQUIRE"},
        {"CustomRedirectDomain": "t.example.com", "HttpsPolicy": "ALWAYS"},
        {"CustomRedirectDomain": "-bad-.example.com"},
    ],
)
def test_bad_tracking_options_are_refused(client: SESV2Client, params: dict[str, Any]) -> None:
    call = client.put_configuration_set_tracking_options
    assert _refused(call, ConfigurationSetName="cs", **params) == ("BadRequestException", 400)
    assert "TrackingOptions" not in _get(client)


@needs_sesv2("PutConfigurationSetDeliveryOptionsRequest.SharedPoolDeliveryMode")
def test_delivery_options_need_an_existing_pool_and_replace_the_group(
    fake: FakeSES, client: SESV2Client
) -> None:
    # The stubs predate SharedPoolDeliveryMode, which the botocore model has.
    put: Any = client.put_configuration_set_delivery_options
    assert _refused(put, ConfigurationSetName="cs", SendingPoolName="ips") == (
        "NotFoundException",
        404,
    )
    client.create_dedicated_ip_pool(PoolName="ips")
    put(ConfigurationSetName="cs", TlsPolicy="REQUIRE", SendingPoolName="ips",
        MaxDeliverySeconds=300, SharedPoolDeliveryMode="GLOBAL")  # fmt: skip
    assert _get(client)["DeliveryOptions"] == {
        "TlsPolicy": "REQUIRE",
        "SendingPoolName": "ips",
        "MaxDeliverySeconds": 300,
        "SharedPoolDeliveryMode": "GLOBAL",
    }
    assert fake.configuration_set_state("cs").sending_pool_name == "ips"
    put(ConfigurationSetName="cs", MaxDeliverySeconds=50_400)
    # A Put replaces the whole group: no pool (the shared one) and the default TLS policy.
    assert _get(client)["DeliveryOptions"] == {
        "TlsPolicy": "OPTIONAL",
        "MaxDeliverySeconds": 50_400,
    }
    assert _refused(put, ConfigurationSetName="cs", MaxDeliverySeconds=50_401) == (
        "BadRequestException",
        400,
    )
    assert _refused(put, ConfigurationSetName="cs", TlsPolicy="MAYBE") == (
        "BadRequestException",
        400,
    )


def test_reputation_options_keep_the_last_fresh_start(fake: FakeSES) -> None:
    client = fake.client()
    fresh = dt.datetime(2024, 5, 6, 7, 8, 9, tzinfo=dt.UTC)
    client.create_configuration_set(
        ConfigurationSetName="rep",
        ReputationOptions={"ReputationMetricsEnabled": False, "LastFreshStart": fresh},
    )
    client.put_configuration_set_reputation_options(
        ConfigurationSetName="rep", ReputationMetricsEnabled=True
    )
    assert _get(client, "rep")["ReputationOptions"] == {
        "ReputationMetricsEnabled": True,
        "LastFreshStart": fresh,
    }
    client.put_configuration_set_reputation_options(ConfigurationSetName="rep")
    assert _get(client, "rep")["ReputationOptions"]["ReputationMetricsEnabled"] is False


def test_sending_options_pause_and_resume_sends(fake: FakeSES, client: SESV2Client) -> None:
    fake.verify("example.com")

    def send() -> str:
        return client.send_email(
            FromEmailAddress="news@example.com",
            Destination={"ToAddresses": ["bob@example.org"]},
            Content=SIMPLE,
            ConfigurationSetName="cs",
        )["MessageId"]

    client.put_configuration_set_sending_options(ConfigurationSetName="cs", SendingEnabled=False)
    assert _get(client)["SendingOptions"] == {"SendingEnabled": False}
    assert _refused(send) == ("SendingPausedException", 400)
    client.put_configuration_set_sending_options(ConfigurationSetName="cs", SendingEnabled=True)
    assert send()
    assert fake.outbox[-1].configuration_set == "cs"


@needs_sesv2(
    "PutConfigurationSetSuppressionOptionsRequest.SuppressionScope",
    "PutConfigurationSetSuppressionOptionsRequest.ValidationOptions",
)
def test_suppression_options_override_then_fall_back(fake: FakeSES, client: SESV2Client) -> None:
    put = client.put_configuration_set_suppression_options
    put(ConfigurationSetName="cs", SuppressedReasons=[])
    assert _get(client)["SuppressionOptions"] == {"SuppressedReasons": []}
    assert fake.configuration_set_state("cs").suppressed_reasons == ()
    validation: Any = {
        "ConditionThreshold": {
            "ConditionThresholdEnabled": "ENABLED",
            "OverallConfidenceThreshold": {"ConfidenceVerdictThreshold": "HIGH"},
        }
    }
    put(ConfigurationSetName="cs", SuppressedReasons=["BOUNCE"], SuppressionScope="ACCOUNT",
        ValidationOptions=validation)  # fmt: skip
    assert _get(client)["SuppressionOptions"] == {
        "SuppressedReasons": ["BOUNCE"],
        "SuppressionScope": "ACCOUNT",
        "ValidationOptions": validation,
    }
    put(ConfigurationSetName="cs")
    assert "SuppressionOptions" not in _get(client)
    assert fake.configuration_set_state("cs").suppressed_reasons is None
    assert _refused(put, ConfigurationSetName="cs", SuppressedReasons=["SPAM"]) == (
        "BadRequestException",
        400,
    )
    bad_threshold = {"ConditionThreshold": {"ConditionThresholdEnabled": "MAYBE"}}
    assert _refused(put, ConfigurationSetName="cs", ValidationOptions=bad_threshold) == (
        "BadRequestException",
        400,
    )


def test_vdm_and_archiving_options(client: SESV2Client) -> None:
    vdm: Any = {
        "DashboardOptions": {"EngagementMetrics": "ENABLED"},
        "GuardianOptions": {"OptimizedSharedDelivery": "DISABLED"},
    }
    client.put_configuration_set_vdm_options(ConfigurationSetName="cs", VdmOptions=vdm)
    client.put_configuration_set_archiving_options(ConfigurationSetName="cs", ArchiveArn=ARCHIVE)
    got = _get(client)
    assert (got["VdmOptions"], got["ArchivingOptions"]) == (vdm, {"ArchiveArn": ARCHIVE})
    bad_vdm: Any = {"DashboardOptions": {"EngagementMetrics": "YES"}}
    assert _refused(
        client.put_configuration_set_vdm_options, ConfigurationSetName="cs", VdmOptions=bad_vdm
    ) == ("BadRequestException", 400)
    assert _refused(
        client.put_configuration_set_archiving_options,
        ConfigurationSetName="cs",
        ArchiveArn="arn:aws:ses:us-east-1:123456789012:mailmanager-archive/nope",
    ) == ("BadRequestException", 400)
    client.put_configuration_set_vdm_options(ConfigurationSetName="cs")
    client.put_configuration_set_archiving_options(ConfigurationSetName="cs")
    got = _get(client)
    assert "VdmOptions" not in got
    assert "ArchivingOptions" not in got


@needs_sesv2("UpdateConfigurationSet")
def test_update_configuration_set_changes_only_what_it_names(client: SESV2Client) -> None:
    client.put_configuration_set_sending_options(ConfigurationSetName="cs", SendingEnabled=False)
    security: Any = {"SigningScheme": {"SmimeScheme": {"SignatureFormat": "DETACHED"}}}
    client.update_configuration_set(ConfigurationSetName="cs", MessageSecurityOptions=security)
    client.update_configuration_set(ConfigurationSetName="cs")
    got = _get(client)
    assert got["MessageSecurityOptions"] == security
    assert got["SendingOptions"] == {"SendingEnabled": False}


_ON_MISSING_SET: list[tuple[str, dict[str, Any]]] = [
    ("put_configuration_set_tracking_options", {"CustomRedirectDomain": "t.example.com"}),
    ("put_configuration_set_delivery_options", {"TlsPolicy": "REQUIRE"}),
    ("put_configuration_set_reputation_options", {"ReputationMetricsEnabled": True}),
    ("put_configuration_set_sending_options", {"SendingEnabled": True}),
    ("put_configuration_set_suppression_options", {"SuppressedReasons": ["BOUNCE"]}),
    ("put_configuration_set_vdm_options", {}),
    ("put_configuration_set_archiving_options", {}),
    ("update_configuration_set", {}),
    ("get_configuration_set_event_destinations", {}),
    ("create_configuration_set_event_destination",
     {"EventDestinationName": "d", "EventDestination": _destination()}),
    ("update_configuration_set_event_destination",
     {"EventDestinationName": "d", "EventDestination": _destination()}),
    ("delete_configuration_set_event_destination", {"EventDestinationName": "d"}),
]  # fmt: skip


@pytest.mark.parametrize(
    ("method", "params"),
    [
        pytest.param(
            method,
            params,
            id=method,
            marks=needs_sesv2("UpdateConfigurationSet")
            if method == "update_configuration_set"
            else (),
        )
        for method, params in _ON_MISSING_SET
    ],
)
def test_every_operation_on_a_missing_set_is_not_found(
    client: SESV2Client, method: str, params: dict[str, Any]
) -> None:
    call = getattr(client, method)
    assert _refused(call, ConfigurationSetName="missing", **params) == ("NotFoundException", 404)


# --- event destinations --------------------------------------------------------------------------


def test_every_destination_kind_round_trips_in_order(fake: FakeSES, client: SESV2Client) -> None:
    dimension = {
        "DimensionName": "campaign",
        "DimensionValueSource": "MESSAGE_TAG",
        "DefaultDimensionValue": "none@x.y",
    }
    kinds: dict[str, dict[str, Any]] = {
        "sns": SNS,
        "cloudwatch": {"CloudWatchDestination": {"DimensionConfigurations": [dimension]}},
        "firehose": {
            "KinesisFirehoseDestination": {"DeliveryStreamArn": STREAM, "IamRoleArn": ROLE}
        },
        "bus": {"EventBridgeDestination": {"EventBusArn": BUS}},
        "pinpoint": {"PinpointDestination": {"ApplicationArn": APP}},
    }
    for name, kind in kinds.items():
        _add(client, name, _destination(["BOUNCE", "COMPLAINT", "BOUNCE"], **kind))
    # Enabled left out is false, as in SES.
    client.create_configuration_set_event_destination(
        ConfigurationSetName="cs",
        EventDestinationName="quiet",
        EventDestination=QUIET,
    )
    got = client.get_configuration_set_event_destinations(ConfigurationSetName="cs")
    destinations = got["EventDestinations"]
    assert [d["Name"] for d in destinations] == [*kinds, "quiet"]
    for entry, (name, kind) in zip(destinations, kinds.items(), strict=False):
        assert entry == {
            "Name": name,
            "Enabled": True,
            "MatchingEventTypes": ["BOUNCE", "COMPLAINT"],
            **kind,
        }
    assert destinations[-1]["Enabled"] is False
    state = fake.configuration_set_state("cs")
    assert [d.destination_type for d in state.event_destinations] == [
        "SnsDestination",
        "CloudWatchDestination",
        "KinesisFirehoseDestination",
        "EventBridgeDestination",
        "PinpointDestination",
        "SnsDestination",
    ]
    assert isinstance(state.event_destinations[0], FakeEventDestination)
    assert state.event_destinations[0].to_response() == destinations[0]


def test_a_duplicate_destination_name_already_exists(client: SESV2Client) -> None:
    _add(client, "d")
    with pytest.raises(ClientError) as excinfo:
        _add(client, "d", _destination(["OPEN"]))
    assert _error(excinfo) == ("AlreadyExistsException", 400)
    got = client.get_configuration_set_event_destinations(ConfigurationSetName="cs")
    assert got["EventDestinations"][0]["MatchingEventTypes"] == ["SEND"]


def test_at_most_ten_destinations_per_set(fake: FakeSES, client: SESV2Client) -> None:
    for i in range(10):
        _add(client, f"d{i}")
    with pytest.raises(ClientError) as excinfo:
        _add(client, "d10")
    assert _error(excinfo) == ("LimitExceededException", 400)
    assert len(fake.configuration_set_state("cs").event_destinations) == 10
    # The limit is per set.
    client.create_configuration_set(ConfigurationSetName="other")
    client.create_configuration_set_event_destination(
        ConfigurationSetName="other", EventDestinationName="d10", EventDestination=_destination()
    )


_BAD_DEFINITIONS: dict[str, Any] = {
    "no events": {"MatchingEventTypes": [], **SNS},
    "unknown event": {"MatchingEventTypes": ["SEND", "OPENED"], **SNS},
    "no destination": {"MatchingEventTypes": ["SEND"]},
    "two destinations": {"MatchingEventTypes": ["SEND"], **SNS,
                         "EventBridgeDestination": {"EventBusArn": BUS}},
    "sqs as sns": {"MatchingEventTypes": ["SEND"],
                   "SnsDestination": {"TopicArn": "arn:aws:sqs:us-east-1:123456789012:q"}},
    "not an arn": {"MatchingEventTypes": ["SEND"], "SnsDestination": {"TopicArn": "topic"}},
    "custom bus": {"MatchingEventTypes": ["SEND"], "EventBridgeDestination": {
        "EventBusArn": "arn:aws:events:us-east-1:123456789012:event-bus/mine"}},
    "role not iam": {"MatchingEventTypes": ["SEND"], "KinesisFirehoseDestination": {
        "DeliveryStreamArn": STREAM, "IamRoleArn": TOPIC}},
    "pinpoint without app": {"MatchingEventTypes": ["SEND"], "PinpointDestination": {}},
    "no dimensions": {"MatchingEventTypes": ["SEND"],
                      "CloudWatchDestination": {"DimensionConfigurations": []}},
    "bad dimension name": {"MatchingEventTypes": ["SEND"], "CloudWatchDestination": {
        "DimensionConfigurations": [{"DimensionName": "has space",
                                     "DimensionValueSource": "MESSAGE_TAG",
                                     "DefaultDimensionValue": "x"}]}},
    "bad dimension source": {"MatchingEventTypes": ["SEND"], "CloudWatchDestination": {
        "DimensionConfigurations": [{"DimensionName": "n", "DimensionValueSource": "COOKIE",
                                     "DefaultDimensionValue": "x"}]}},
    "bad default value": {"MatchingEventTypes": ["SEND"], "CloudWatchDestination": {
        "DimensionConfigurations": [{"DimensionName": "n", "DimensionValueSource": "EMAIL_HEADER",
                                     "DefaultDimensionValue": "a b"}]}},
}  # fmt: skip


@pytest.mark.parametrize("definition", _BAD_DEFINITIONS.values(), ids=list(_BAD_DEFINITIONS))
def test_bad_destinations_are_refused(fake: FakeSES, client: SESV2Client, definition: Any) -> None:
    with pytest.raises(ClientError) as excinfo:
        _add(client, "d", definition)
    assert _error(excinfo) == ("BadRequestException", 400)
    _add(client, "d")
    with pytest.raises(ClientError) as excinfo:
        client.update_configuration_set_event_destination(
            ConfigurationSetName="cs", EventDestinationName="d", EventDestination=definition
        )
    assert _error(excinfo) == ("BadRequestException", 400)
    assert fake.configuration_set_state("cs").event_destinations[0].matching_event_types == (
        "SEND",
    )


@pytest.mark.parametrize("name", ["has space", "x" * 65, "dot.ted"])
def test_bad_destination_names_are_refused(client: SESV2Client, name: str) -> None:
    with pytest.raises(ClientError) as excinfo:
        _add(client, name)
    assert _error(excinfo) == ("BadRequestException", 400)


def test_update_replaces_a_destination_in_place(client: SESV2Client) -> None:
    _add(client, "a")
    _add(client, "b")
    replacement: Any = {"Enabled": False, "MatchingEventTypes": ["CLICK"],
                        "EventBridgeDestination": {"EventBusArn": BUS}}  # fmt: skip
    client.update_configuration_set_event_destination(
        ConfigurationSetName="cs", EventDestinationName="a", EventDestination=replacement
    )
    got = client.get_configuration_set_event_destinations(ConfigurationSetName="cs")
    assert got["EventDestinations"][0] == {
        "Name": "a",
        "Enabled": False,
        "MatchingEventTypes": ["CLICK"],
        "EventBridgeDestination": {"EventBusArn": BUS},
    }
    assert [d["Name"] for d in got["EventDestinations"]] == ["a", "b"]
    with pytest.raises(ClientError) as excinfo:
        client.update_configuration_set_event_destination(
            ConfigurationSetName="cs", EventDestinationName="c", EventDestination=_destination()
        )
    assert _error(excinfo) == ("NotFoundException", 404)


def test_delete_removes_one_destination(fake: FakeSES, client: SESV2Client) -> None:
    _add(client, "a")
    _add(client, "b")
    client.delete_configuration_set_event_destination(
        ConfigurationSetName="cs", EventDestinationName="a"
    )
    got = client.get_configuration_set_event_destinations(ConfigurationSetName="cs")
    assert [d["Name"] for d in got["EventDestinations"]] == ["b"]
    with pytest.raises(ClientError) as excinfo:
        client.delete_configuration_set_event_destination(
            ConfigurationSetName="cs", EventDestinationName="a"
        )
    assert _error(excinfo) == ("NotFoundException", 404)
    _add(client, "a")  # the name is free again
    assert [d.name for d in fake.configuration_set_state("cs").event_destinations] == ["b", "a"]


def test_deleting_a_set_deletes_its_destinations(fake: FakeSES, client: SESV2Client) -> None:
    _add(client, "a")
    client.delete_configuration_set(ConfigurationSetName="cs")
    assert _refused(client.get_configuration_set_event_destinations, ConfigurationSetName="cs") == (
        "NotFoundException",
        404,
    )
    client.create_configuration_set(ConfigurationSetName="cs")
    got = client.get_configuration_set_event_destinations(ConfigurationSetName="cs")
    assert got["EventDestinations"] == []
    assert fake.configuration_set_state("cs").event_destinations == ()


# --- identities and their default set --------------------------------------------------------


def test_deleting_an_identitys_default_set_leaves_the_stale_name(
    fake: FakeSES, client: SESV2Client
) -> None:
    fake.verify("example.com")
    client.put_email_identity_configuration_set_attributes(
        EmailIdentity="example.com", ConfigurationSetName="cs"
    )
    send = {
        "FromEmailAddress": "news@example.com",
        "Destination": {"ToAddresses": ["bob@example.org"]},
        "Content": SIMPLE,
    }
    client.send_email(**send)
    assert fake.outbox[-1].configuration_set == "cs"
    client.delete_configuration_set(ConfigurationSetName="cs")
    # SES allows the delete; the identity keeps naming the set, and sends go out without it.
    got = client.get_email_identity(EmailIdentity="example.com")
    assert got["ConfigurationSetName"] == "cs"
    client.send_email(**send)
    assert _last_set(fake) is None
    # A new set of the same name is the identity's default again.
    client.create_configuration_set(ConfigurationSetName="cs")
    client.send_email(**send)
    assert _last_set(fake) == "cs"


def _last_set(fake: FakeSES) -> str | None:
    return fake.outbox[-1].configuration_set


# --- the read-only view ----------------------------------------------------------------------


def test_the_state_is_a_snapshot_not_the_live_record(fake: FakeSES, client: SESV2Client) -> None:
    state = fake.configuration_set_state("cs")
    assert isinstance(state, FakeConfigurationSet)
    assert state.delivery_options is not None
    state.delivery_options["TlsPolicy"] = "REQUIRE"  # type: ignore[index]
    assert _get(client)["DeliveryOptions"] == {"TlsPolicy": "OPTIONAL"}
    with pytest.raises(AttributeError):
        state.name = "other"  # type: ignore[misc]
    with pytest.raises(KeyError, match="missing"):
        fake.configuration_set_state("missing")


def test_reprs_are_short_and_readable(fake: FakeSES, client: SESV2Client) -> None:
    _add(client, "to-sns")
    state = fake.configuration_set_state("cs")
    assert repr(state) == (
        "FakeConfigurationSet('cs', sending_enabled=True, sending_pool_name=None, "
        "event_destinations=['to-sns'])"
    )
    assert repr(state.event_destinations[0]) == (
        "FakeEventDestination('to-sns', SnsDestination, events=['SEND'], enabled=True)"
    )
    assert "configuration_sets=1" in repr(fake)


def test_reset_forgets_sets_and_destinations(fake: FakeSES, client: SESV2Client) -> None:
    _add(client, "a")
    fake.reset()
    with pytest.raises(KeyError):
        fake.configuration_set_state("cs")
    assert fake.client().list_configuration_sets()["ConfigurationSets"] == []
