"""FakeSES SNS envelopes: SNS's keys and formats, signatures checked with `cryptography` itself."""

from __future__ import annotations

import base64
import json
import re
import subprocess
import sys
import textwrap
from typing import TYPE_CHECKING, Any

import pytest
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

from sesflow.testing import FakeClock, FakeSES

if TYPE_CHECKING:
    from types_boto3_sesv2 import SESV2Client

WALL = 1_700_000_000.0
TOPIC = "arn:aws:sns:us-east-1:123456789012:ses-events"
OTHER_TOPIC = "arn:aws:sns:us-east-1:123456789012:ses-bounces"
NOTIFICATION_KEYS = ("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type")
CONFIRMATION_KEYS = (
    "Message",
    "MessageId",
    "SubscribeURL",
    "Timestamp",
    "Token",
    "TopicArn",
    "Type",
)
ISO_MILLIS = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\Z")
CERT_URL = re.compile(
    r"https://sns\.us-east-1\.amazonaws\.com/SimpleNotificationService-[0-9a-f]+\.pem\Z"
)
UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
SIMPLE: Any = {"Simple": {"Subject": {"Data": "Hi"}, "Body": {"Text": {"Data": "Hello"}}}}


def _fake(**options: Any) -> FakeSES:
    fake = FakeSES(clock=FakeClock(), wall_clock=lambda: WALL, seed=9, **options)
    fake.verify("example.com")
    client = fake.client()
    client.create_configuration_set(ConfigurationSetName="marketing")
    destinations: list[tuple[str, str, Any]] = [
        ("all", TOPIC, ["SEND", "DELIVERY", "BOUNCE"]),
        ("bounces", OTHER_TOPIC, ["BOUNCE"]),
    ]
    for name, topic, types in destinations:
        client.create_configuration_set_event_destination(
            ConfigurationSetName="marketing",
            EventDestinationName=name,
            EventDestination={
                "Enabled": True,
                "MatchingEventTypes": types,
                "SnsDestination": {"TopicArn": topic},
            },
        )
    return fake


def _send(client: SESV2Client, *to: str) -> str:
    return client.send_email(
        FromEmailAddress="news@example.com",
        Destination={"ToAddresses": list(to)},
        Content=SIMPLE,
        ConfigurationSetName="marketing",
    )["MessageId"]


@pytest.fixture
def fake() -> FakeSES:
    return _fake()


@pytest.fixture
def client(fake: FakeSES) -> SESV2Client:
    return fake.client()


def _string_to_sign(envelope: dict[str, str], keys: tuple[str, ...]) -> bytes:
    # Written out here from SNS's documented rule, not shared with the code under test.
    return "".join(f"{k}\n{envelope[k]}\n" for k in keys if k in envelope).encode("utf-8")


def _verify(
    fake: FakeSES, envelope: dict[str, str], keys: tuple[str, ...] = NOTIFICATION_KEYS
) -> None:
    certificate = x509.load_pem_x509_certificate(fake.cert_fetcher(envelope["SigningCertURL"]))
    public_key = certificate.public_key()
    assert isinstance(public_key, rsa.RSAPublicKey)
    algorithm = {"1": hashes.SHA1(), "2": hashes.SHA256()}[envelope["SignatureVersion"]]
    public_key.verify(
        base64.b64decode(envelope["Signature"]),
        _string_to_sign(envelope, keys),
        padding.PKCS1v15(),
        algorithm,
    )


# --- notifications ---------------------------------------------------------------------------


def test_notifications_carry_snss_keys_and_formats(fake: FakeSES, client: SESV2Client) -> None:
    _send(client, "a@example.org")
    send, delivery = fake.sns_messages()
    assert list(send) == [
        "Type",
        "MessageId",
        "TopicArn",
        "Subject",
        "Message",
        "Timestamp",
        "SignatureVersion",
        "Signature",
        "SigningCertURL",
        "UnsubscribeURL",
    ]
    assert send["Type"] == "Notification"
    assert re.fullmatch(UUID, send["MessageId"])
    assert send["MessageId"] != delivery["MessageId"]
    assert send["TopicArn"] == TOPIC
    assert send["Subject"] == "Amazon SES Email Event Notification"
    assert send["Timestamp"] == "2023-11-14T22:13:20.000Z"
    assert ISO_MILLIS.match(delivery["Timestamp"])
    assert send["SignatureVersion"] == "1"
    assert CERT_URL.match(send["SigningCertURL"])
    assert re.fullmatch(
        rf"https://sns\.us-east-1\.amazonaws\.com/\?Action=Unsubscribe&SubscriptionArn="
        rf"{re.escape(TOPIC)}:{UUID}",
        send["UnsubscribeURL"],
    )
    assert all(isinstance(value, str) for value in send.values())


def test_the_message_is_the_record_as_a_json_string(fake: FakeSES, client: SESV2Client) -> None:
    message_id = _send(client, "a@example.org")
    envelopes = fake.sns_messages()
    assert len(envelopes) == 2  # Send and Delivery, to the "all" topic only
    decoded = [json.loads(envelope["Message"]) for envelope in envelopes]
    assert [record["eventType"] for record in decoded] == ["Send", "Delivery"]
    assert decoded == fake.events()
    assert [record["mail"]["messageId"] for record in decoded] == [message_id, message_id]


def test_a_v1_signature_verifies_with_sha1_over_the_documented_string(
    fake: FakeSES, client: SESV2Client
) -> None:
    _send(client, "a@example.org")
    envelopes = fake.sns_messages()
    assert [json.loads(e["Message"])["eventType"] for e in envelopes] == ["Send", "Delivery"]
    for envelope in envelopes:
        assert envelope["SignatureVersion"] == "1"
        _verify(fake, envelope)
        # SHA1 indeed: read as SHA256 the same signature fails.
        with pytest.raises(InvalidSignature):
            _verify(fake, {**envelope, "SignatureVersion": "2"})


def test_a_tampered_envelope_no_longer_verifies(fake: FakeSES, client: SESV2Client) -> None:
    _send(client, "a@example.org")
    envelope = fake.sns_messages()[0]
    for key, value in (("Message", envelope["Message"] + " "), ("TopicArn", OTHER_TOPIC)):
        with pytest.raises(InvalidSignature):
            _verify(fake, {**envelope, key: value})
    # The subject is signed too: dropping it breaks the signature.
    without_subject = {k: v for k, v in envelope.items() if k != "Subject"}
    with pytest.raises(InvalidSignature):
        _verify(fake, without_subject)


@pytest.mark.parametrize("how", ["constructor", "per call"])
def test_signature_version_2_signs_with_sha256(how: str) -> None:
    fake = _fake(sns_signature_version="2") if how == "constructor" else _fake()
    _send(fake.client(), "a@example.org")
    [envelope, _] = (
        fake.sns_messages() if how == "constructor" else fake.sns_messages(signature_version="2")
    )
    assert envelope["SignatureVersion"] == "2"
    _verify(fake, envelope)
    # It is SHA256 indeed: read as SHA1 the same signature fails.
    with pytest.raises(InvalidSignature):
        _verify(fake, {**envelope, "SignatureVersion": "1"})


def test_a_v1_request_overrides_a_v2_fake() -> None:
    fake = _fake(sns_signature_version="2")
    _send(fake.client(), "a@example.org")
    envelope = fake.sns_messages(signature_version="1")[0]
    assert envelope["SignatureVersion"] == "1"
    _verify(fake, envelope)


@pytest.mark.parametrize("version", ["3", "", "sha1"])
def test_an_unknown_signature_version_is_refused(fake: FakeSES, version: str) -> None:
    with pytest.raises(ValueError, match="signature_version"):
        fake.sns_messages(signature_version=version or "0")
    with pytest.raises(ValueError, match="signature_version"):
        FakeSES(sns_signature_version=version)


def test_without_a_subject_the_key_is_absent_and_unsigned() -> None:
    fake = _fake(sns_subject=None)
    _send(fake.client(), "a@example.org")
    envelope = fake.sns_messages()[0]
    assert "Subject" not in envelope
    _verify(fake, envelope)


def test_envelopes_filter_by_topic(fake: FakeSES, client: SESV2Client) -> None:
    _send(client, "bounce@simulator.amazonses.com")
    assert [json.loads(e["Message"])["eventType"] for e in fake.sns_messages(TOPIC)] == [
        "Send",
        "Bounce",
    ]
    [bounce] = fake.sns_messages(OTHER_TOPIC)
    assert bounce["TopicArn"] == OTHER_TOPIC
    assert json.loads(bounce["Message"])["eventType"] == "Bounce"
    assert len(fake.sns_messages()) == 3
    assert fake.sns_messages("arn:aws:sns:us-east-1:123456789012:nobody") == []


def test_envelopes_are_stable_across_calls(fake: FakeSES, client: SESV2Client) -> None:
    _send(client, "a@example.org")
    assert fake.sns_messages() == fake.sns_messages()


def test_only_sns_destinations_make_envelopes() -> None:
    fake = FakeSES(clock=FakeClock(), seed=1)
    fake.verify("example.com")
    client = fake.client()
    client.create_configuration_set(ConfigurationSetName="marketing")
    client.create_configuration_set_event_destination(
        ConfigurationSetName="marketing",
        EventDestinationName="bus",
        EventDestination={
            "Enabled": True,
            "MatchingEventTypes": ["SEND"],
            "EventBridgeDestination": {
                "EventBusArn": "arn:aws:events:us-east-1:123456789012:event-bus/default"
            },
        },
    )
    _send(client, "a@example.org")
    assert len(fake.events()) == 1
    assert fake.sns_messages() == []


def test_clearing_events_clears_their_envelopes(fake: FakeSES, client: SESV2Client) -> None:
    _send(client, "a@example.org")
    fake.clear_events()
    assert fake.sns_messages() == []


# --- subscription confirmations --------------------------------------------------------------


def test_a_subscription_confirmation_is_signed_over_its_own_keys(fake: FakeSES) -> None:
    envelope = fake.sns_subscription_confirmation(TOPIC, "https://example.com/sns")
    assert list(envelope) == [
        "Type",
        "MessageId",
        "Token",
        "TopicArn",
        "Message",
        "SubscribeURL",
        "Timestamp",
        "SignatureVersion",
        "Signature",
        "SigningCertURL",
    ]
    assert envelope["Type"] == "SubscriptionConfirmation"
    assert envelope["TopicArn"] == TOPIC
    assert re.fullmatch(r"[0-9a-f]{64,}", envelope["Token"])
    assert envelope["SubscribeURL"] == (
        "https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription"
        f"&TopicArn={TOPIC}&Token={envelope['Token']}"
    )
    assert envelope["Message"].startswith(f"You have chosen to subscribe to the topic {TOPIC}.")
    assert envelope["Timestamp"] == "2023-11-14T22:13:20.000Z"
    _verify(fake, envelope, CONFIRMATION_KEYS)
    with pytest.raises(InvalidSignature):
        _verify(fake, {**envelope, "Token": "0" * 64}, CONFIRMATION_KEYS)
    v2 = fake.sns_subscription_confirmation(TOPIC, "http://example.com/", signature_version="2")
    _verify(fake, v2, CONFIRMATION_KEYS)
    assert v2["Token"] != envelope["Token"]


@pytest.mark.parametrize(
    ("topic", "endpoint"),
    [
        ("arn:aws:sqs:us-east-1:123456789012:queue", "https://example.com/"),
        ("not an arn", "https://example.com/"),
        (TOPIC, "ftp://example.com/"),
        (TOPIC, "example.com/sns"),
    ],
)
def test_a_confirmation_needs_a_topic_and_a_web_endpoint(
    fake: FakeSES, topic: str, endpoint: str
) -> None:
    with pytest.raises(ValueError, match=r"topic ARN|endpoint"):
        fake.sns_subscription_confirmation(topic, endpoint)


# --- the certificate -------------------------------------------------------------------------


def test_the_certificate_is_a_self_signed_rsa_2048_one_for_sns(fake: FakeSES) -> None:
    certificate = x509.load_pem_x509_certificate(fake.sns_certificate_pem)
    public_key = certificate.public_key()
    assert isinstance(public_key, rsa.RSAPublicKey)
    assert public_key.key_size == 2048
    [common_name] = certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    assert common_name.value == "sns.amazonaws.com"
    assert certificate.issuer == certificate.subject
    assert certificate.signature_hash_algorithm is not None
    public_key.verify(
        certificate.signature,
        certificate.tbs_certificate_bytes,
        padding.PKCS1v15(),
        certificate.signature_hash_algorithm,
    )


def test_one_certificate_serves_every_fake_of_the_process(fake: FakeSES) -> None:
    other = _fake()
    _send(other.client(), "a@example.org")
    assert other.sns_certificate_pem == fake.sns_certificate_pem
    _verify(fake, other.sns_messages()[0])


def test_the_cert_fetcher_serves_only_the_fakes_own_url(fake: FakeSES, client: SESV2Client) -> None:
    _send(client, "a@example.org")
    url = fake.sns_messages()[0]["SigningCertURL"]
    assert fake.cert_fetcher(url) == fake.sns_certificate_pem
    for wrong in (
        url.replace("https://", "http://"),
        url.replace("sns.us-east-1.amazonaws.com", "sns.us-east-1.amazonaws.com.evil.example"),
        url.replace("SimpleNotificationService-", "SimpleNotificationService-0"),
        url + "?x=1",
        "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem",
    ):
        with pytest.raises(ValueError, match="serves no SNS signing certificate"):
            fake.cert_fetcher(wrong)


def test_a_topic_in_another_region_is_signed_for_that_region() -> None:
    fake = _fake()
    client = fake.client()
    west = "arn:aws:sns:eu-west-1:123456789012:ses-events"
    client.create_configuration_set_event_destination(
        ConfigurationSetName="marketing",
        EventDestinationName="west",
        EventDestination={
            "Enabled": True,
            "MatchingEventTypes": ["SEND"],
            "SnsDestination": {"TopicArn": west},
        },
    )
    _send(client, "a@example.org")
    [envelope] = fake.sns_messages(west)
    assert envelope["SigningCertURL"].startswith("https://sns.eu-west-1.amazonaws.com/")
    assert envelope["UnsubscribeURL"].startswith("https://sns.eu-west-1.amazonaws.com/")
    _verify(fake, envelope)


# --- without cryptography --------------------------------------------------------------------


def test_a_missing_cryptography_names_the_extra(
    fake: FakeSES, client: SESV2Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    _send(client, "a@example.org")
    loaded = [name for name in sys.modules if name.split(".")[0] == "cryptography"]
    assert "cryptography" in loaded  # this module imports it, so there is something to hide
    for name in loaded:
        monkeypatch.setitem(sys.modules, name, None)
    for attempt in (
        fake.sns_messages,
        lambda: fake.sns_certificate_pem,
        lambda: fake.cert_fetcher("https://sns.us-east-1.amazonaws.com/x.pem"),
        lambda: fake.sns_subscription_confirmation(TOPIC, "https://example.com/"),
    ):
        with pytest.raises(ImportError, match=r"sesflow\[events\]"):
            attempt()
    # Records do not need it.
    assert len(fake.events()) == 2


def test_the_fake_imports_and_publishes_without_cryptography() -> None:
    script = textwrap.dedent(
        """
        import sys
        sys.modules["cryptography"] = None  # as if it were not installed
        from sesflow.testing import FakeSES
        fake = FakeSES(seed=1)
        fake.verify("example.com")
        client = fake.client()
        client.create_configuration_set(ConfigurationSetName="cs")
        client.create_configuration_set_event_destination(
            ConfigurationSetName="cs", EventDestinationName="sns",
            EventDestination={
                "Enabled": True, "MatchingEventTypes": ["SEND"],
                "SnsDestination": {"TopicArn": "arn:aws:sns:us-east-1:123456789012:t"},
            })
        client.send_email(FromEmailAddress="a@example.com",
                          Destination={"ToAddresses": ["b@example.org"]},
                          Content={"Simple": {"Subject": {"Data": "s"},
                                              "Body": {"Text": {"Data": "t"}}}},
                          ConfigurationSetName="cs")
        print(len(fake.events()))
        try:
            fake.sns_messages()
        except ImportError as exc:
            print(type(exc).__name__, exc)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "1"
    assert lines[1].startswith("ImportError")
    assert "pip install 'sesflow[events]'" in lines[1]
