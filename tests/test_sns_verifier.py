"""SnsVerifier: messages signed in the test by a key made in the test."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import logging
from collections.abc import Callable
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

from sesflow.events._sns import InvalidSignatureError, SnsMessage, SnsVerifier, check_sns_url

CERT_URL = "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc123.pem"
TOPIC = "arn:aws:sns:us-east-1:123456789012:ses-events"
NOW = dt.datetime(2026, 11, 29, 12, 0, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def key_and_cert() -> tuple[rsa.RSAPrivateKey, bytes]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "sns.amazonaws.com")])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(NOW - dt.timedelta(days=1))
        .not_valid_after(NOW + dt.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    return key, cert.public_bytes(serialization.Encoding.PEM)


SIGNED = {
    "Notification": ["Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"],
    "SubscriptionConfirmation": ["Message", "MessageId", "SubscribeURL", "Timestamp", "Token",
                                 "TopicArn", "Type"],
}  # fmt: skip


def signed_text(envelope: dict[str, Any]) -> bytes:
    keys = SIGNED[envelope["Type"]]
    return "".join(f"{k}\n{envelope[k]}\n" for k in keys if k in envelope).encode()


def sign(envelope: dict[str, Any], key: rsa.RSAPrivateKey) -> dict[str, Any]:
    text = signed_text(envelope)
    digest = hashes.SHA1() if envelope["SignatureVersion"] == "1" else hashes.SHA256()
    signature = key.sign(text, padding.PKCS1v15(), digest)
    return {**envelope, "Signature": base64.b64encode(signature).decode()}


def notification(version: str = "1", **overrides: Any) -> dict[str, Any]:
    envelope = {
        "Type": "Notification",
        "MessageId": "22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324",
        "TopicArn": TOPIC,
        "Message": json.dumps({"eventType": "Send", "mail": {"messageId": "m"}}),
        "Timestamp": "2026-11-29T11:59:30.123Z",
        "SignatureVersion": version,
        "SigningCertURL": CERT_URL,
        "UnsubscribeURL": "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe",
    }
    envelope.update(overrides)
    return envelope


def confirmation(version: str = "1") -> dict[str, Any]:
    return {
        "Type": "SubscriptionConfirmation",
        "MessageId": "165545c9-2a5c-472c-8df2-7ff2be2b3b1b",
        "Token": "2336412f37fb687f5d51e6e2425f004aed6a6a5e",
        "TopicArn": TOPIC,
        "Message": "You have chosen to subscribe to the topic ...",
        "SubscribeURL": "https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&Token=x",
        "Timestamp": "2026-11-29T11:59:00.000Z",
        "SignatureVersion": version,
        "SigningCertURL": CERT_URL,
    }


class Fetcher:
    def __init__(self, pem: bytes) -> None:
        self.pem = pem
        self.urls: list[str] = []

    def __call__(self, url: str) -> bytes:
        self.urls.append(url)
        return self.pem


@pytest.fixture
def fetcher(key_and_cert: tuple[rsa.RSAPrivateKey, bytes]) -> Fetcher:
    return Fetcher(key_and_cert[1])


@pytest.fixture
def key(key_and_cert: tuple[rsa.RSAPrivateKey, bytes]) -> rsa.RSAPrivateKey:
    return key_and_cert[0]


def verifier(fetcher: Fetcher, **kwargs: Any) -> SnsVerifier:
    return SnsVerifier(cert_fetcher=fetcher, clock=lambda: NOW.timestamp(), **kwargs)


@pytest.mark.parametrize("version", ["1", "2"])
@pytest.mark.parametrize("make", [notification, confirmation], ids=["notification", "confirm"])
def test_valid_messages_pass(
    key: rsa.RSAPrivateKey, fetcher: Fetcher, version: str, make: Callable[[str], dict[str, Any]]
) -> None:
    envelope = sign(make(version), key)
    message = verifier(fetcher).verify(json.dumps(envelope).encode())
    assert message.type == envelope["Type"]
    assert message.message_id == envelope["MessageId"]
    assert message.timestamp.tzinfo is not None
    assert fetcher.urls == [CERT_URL]


def test_subject_is_signed_when_present(key: rsa.RSAPrivateKey, fetcher: Fetcher) -> None:
    envelope = sign(notification(Subject="Amazon SES Email Event Notification"), key)
    assert verifier(fetcher).verify(envelope).subject == "Amazon SES Email Event Notification"
    tampered = {**envelope, "Subject": "Something else"}
    with pytest.raises(InvalidSignatureError) as caught:
        verifier(fetcher).verify(tampered)
    assert caught.value.check == "signature"


def test_lambda_spellings_and_null_subject(key: rsa.RSAPrivateKey, fetcher: Fetcher) -> None:
    envelope = sign(notification(), key)
    lambda_style = dict(envelope)
    lambda_style["SigningCertUrl"] = lambda_style.pop("SigningCertURL")
    lambda_style["UnsubscribeUrl"] = lambda_style.pop("UnsubscribeURL")
    lambda_style["Subject"] = None
    assert verifier(fetcher).verify(lambda_style).message_id == envelope["MessageId"]


@pytest.mark.parametrize("field", SIGNED["Notification"])
def test_tampering_with_any_signed_field_fails(
    key: rsa.RSAPrivateKey, fetcher: Fetcher, field: str
) -> None:
    envelope = sign(notification(Subject="s"), key)
    value = envelope[field]
    if field == "Timestamp":
        tampered_value = "2026-11-29T11:59:31.123Z"
    elif field == "Type":
        tampered_value = "SubscriptionConfirmation"
    else:
        tampered_value = value + "x"
    with pytest.raises(InvalidSignatureError) as caught:
        verifier(fetcher).verify({**envelope, field: tampered_value})
    assert caught.value.check in ("signature", "format")


@pytest.mark.parametrize("field", SIGNED["SubscriptionConfirmation"])
def test_tampering_with_a_confirmation_fails(
    key: rsa.RSAPrivateKey, fetcher: Fetcher, field: str
) -> None:
    envelope = sign(confirmation("2"), key)
    if field == "Type":
        tampered = {**envelope, "Type": "UnsubscribeConfirmation"}
    elif field == "Timestamp":
        tampered = {**envelope, "Timestamp": "2026-11-29T11:59:01.000Z"}
    else:
        tampered = {**envelope, field: envelope[field] + "x"}
    with pytest.raises(InvalidSignatureError) as caught:
        verifier(fetcher).verify(tampered)
    assert caught.value.check == "signature"


def test_a_signature_by_another_key_fails(fetcher: Fetcher) -> None:
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    with pytest.raises(InvalidSignatureError, match="does not verify"):
        verifier(fetcher).verify(sign(notification(), other))


def test_v1_signature_presented_as_v2_fails(key: rsa.RSAPrivateKey, fetcher: Fetcher) -> None:
    envelope = sign(notification("1"), key)
    with pytest.raises(InvalidSignatureError) as caught:
        verifier(fetcher).verify({**envelope, "SignatureVersion": "2"})
    assert caught.value.check == "signature"


@pytest.mark.parametrize("version", ["3", "0", "", "1.0", 1])
def test_unknown_signature_versions_are_rejected(
    key: rsa.RSAPrivateKey, fetcher: Fetcher, version: Any
) -> None:
    envelope = {**sign(notification(), key), "SignatureVersion": version}
    with pytest.raises(InvalidSignatureError) as caught:
        verifier(fetcher).verify(envelope)
    assert caught.value.check in ("signature_version", "format")
    assert fetcher.urls == []


@pytest.mark.parametrize(
    "url",
    [
        "http://sns.us-east-1.amazonaws.com/cert.pem",
        "https://sns.us-east-1.amazonaws.com/cert.txt",
        "https://sns.us-east-1.amazonaws.com/cert.pem?x=1",
        "https://sns.us-east-1.amazonaws.com.evil.example/cert.pem",
        "https://evil.example/sns.us-east-1.amazonaws.com/x.pem",
        "https://evil.example/?sns.us-east-1.amazonaws.com.pem",
        "https://s3.amazonaws.com/sns.us-east-1.amazonaws.com/x.pem",
        "https://my-bucket.s3.us-east-1.amazonaws.com/SimpleNotificationService.pem",
        "https://sns.us-east-1.amazonaws.com@evil.example/x.pem",
        "https://user:pw@sns.us-east-1.amazonaws.com/x.pem",
        "https://sns.us-east-1.amazonaws.com:8443/x.pem",
        "https://SNS.us-east-1.amazonaws.com/x.pem",
        "https://sns.amazonaws.com/x.pem",
        "https://xsns.us-east-1.amazonaws.com/x.pem",
        "https://sns.us-east-1.amazonaws.com\\@evil.example/x.pem",
        "file:///etc/passwd.pem",
        "https:///x.pem",
    ],
)
def test_bad_certificate_urls_are_rejected_without_fetching(
    key: rsa.RSAPrivateKey, fetcher: Fetcher, url: str
) -> None:
    envelope = sign(notification(SigningCertURL=url), key)
    with pytest.raises(InvalidSignatureError) as caught:
        verifier(fetcher).verify(envelope)
    assert caught.value.check == "cert_url"
    assert fetcher.urls == []


def test_china_regions_are_accepted(key: rsa.RSAPrivateKey, fetcher: Fetcher) -> None:
    url = "https://sns.cn-north-1.amazonaws.com.cn/SimpleNotificationService-x.pem"
    assert verifier(fetcher).verify(sign(notification(SigningCertURL=url), key))
    assert fetcher.urls == [url]


def test_topic_allow_list(key: rsa.RSAPrivateKey, fetcher: Fetcher) -> None:
    envelope = sign(notification(), key)
    assert verifier(fetcher, allowed_topic_arns={TOPIC}).verify(envelope)
    with pytest.raises(InvalidSignatureError) as caught:
        verifier(fetcher, allowed_topic_arns={TOPIC + "-other"}).verify(envelope)
    assert caught.value.check == "topic"


@pytest.mark.parametrize(
    ("stamp", "ok"),
    [
        ("2026-11-29T11:00:01.000Z", True),  # 59 min old
        ("2026-11-29T10:59:59.000Z", False),  # just over an hour
        ("2026-11-29T12:04:00.000Z", True),  # 4 min ahead: clock skew
        ("2026-11-29T12:06:00.000Z", False),  # 6 min ahead
        ("yesterday", False),
    ],
)
def test_stale_and_future_timestamps(
    key: rsa.RSAPrivateKey, fetcher: Fetcher, stamp: str, ok: bool
) -> None:
    envelope = sign(notification(Timestamp=stamp), key)
    if ok:
        assert verifier(fetcher).verify(envelope)
    else:
        with pytest.raises(InvalidSignatureError) as caught:
            verifier(fetcher).verify(envelope)
        assert caught.value.check == "timestamp"
        assert fetcher.urls == []


@pytest.mark.parametrize(
    ("body", "check"),
    [
        (b"\xff\xfe", "format"),
        ("not json", "format"),
        ("[1, 2]", "format"),
        (json.dumps({"Type": "Weird"}), "type"),
        (json.dumps({"Type": "Notification"}), "format"),
    ],
)
def test_malformed_bodies(fetcher: Fetcher, body: Any, check: str) -> None:
    with pytest.raises(InvalidSignatureError) as caught:
        verifier(fetcher).verify(body)
    assert caught.value.check == check


def test_confirmation_without_token_is_rejected(key: rsa.RSAPrivateKey, fetcher: Fetcher) -> None:
    envelope = sign(confirmation(), key)
    del envelope["Token"]
    with pytest.raises(InvalidSignatureError, match="Token"):
        verifier(fetcher).verify(envelope)


def test_certificates_are_cached_by_url(key: rsa.RSAPrivateKey, fetcher: Fetcher) -> None:
    v = verifier(fetcher, cache_size=1)
    v.verify(sign(notification(), key))
    v.verify(sign(notification(MessageId="other"), key))
    assert fetcher.urls == [CERT_URL]
    url2 = CERT_URL.replace("abc123", "def456")
    v.verify(sign(notification(SigningCertURL=url2), key))
    v.verify(sign(notification(), key))  # evicted by the bound, fetched again
    assert fetcher.urls == [CERT_URL, url2, CERT_URL]


def test_a_fetcher_failure_or_garbage_certificate_is_rejected(key: rsa.RSAPrivateKey) -> None:
    def broken(url: str) -> bytes:
        raise OSError("connection refused")

    with pytest.raises(InvalidSignatureError) as caught:
        SnsVerifier(cert_fetcher=broken, clock=lambda: NOW.timestamp()).verify(
            sign(notification(), key)
        )
    assert caught.value.check == "certificate"
    with pytest.raises(InvalidSignatureError) as caught:
        SnsVerifier(cert_fetcher=lambda url: b"not a pem", clock=lambda: NOW.timestamp()).verify(
            sign(notification(), key)
        )
    assert caught.value.check == "certificate"


def test_the_default_fetcher_refuses_what_the_checks_refuse() -> None:
    from sesflow.events._sns import default_cert_fetcher

    with pytest.raises(InvalidSignatureError):
        default_cert_fetcher("http://sns.us-east-1.amazonaws.com/x.pem")
    with pytest.raises(InvalidSignatureError):
        default_cert_fetcher("https://evil.example/x.pem")


def test_without_cryptography_verify_names_the_extra() -> None:
    import subprocess
    import sys

    script = (
        "import sys; sys.modules['cryptography'] = None\n"
        "from sesflow.events import SnsVerifier, MissingExtraError, parse_event\n"
        "try:\n"
        "    SnsVerifier().verify('{}')\n"
        "except MissingExtraError as exc:\n"
        "    print('missing:', exc)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert "pip install 'sesflow[events]'" in result.stdout


def moved_subject(envelope: dict[str, Any]) -> dict[str, Any]:
    """The same signed bytes with another MessageId: the Subject moved into the MessageId."""
    moved = {k: v for k, v in envelope.items() if k != "Subject"}
    moved["MessageId"] = f"{envelope['MessageId']}\nSubject\n{envelope['Subject']}"
    assert signed_text(moved) == signed_text(envelope)  # so the signature still fits
    return moved


def test_a_field_moved_across_a_line_break_is_refused(
    key: rsa.RSAPrivateKey, fetcher: Fetcher
) -> None:
    envelope = sign(notification(Subject="Amazon SES Email Event Notification"), key)
    with pytest.raises(InvalidSignatureError) as caught:
        verifier(fetcher).verify(moved_subject(envelope))
    assert caught.value.check == "format"
    assert "MessageId" in str(caught.value)
    assert fetcher.urls == []


@pytest.mark.parametrize(
    "field",
    ["MessageId", "Subject", "TopicArn", "Timestamp", "SigningCertURL", "SignatureVersion"],
)
@pytest.mark.parametrize("brk", ["\n", "\r"])
def test_line_breaks_where_sns_writes_none_are_refused(
    key: rsa.RSAPrivateKey, fetcher: Fetcher, field: str, brk: str
) -> None:
    envelope = notification(Subject="s")
    envelope[field] += brk
    with pytest.raises(InvalidSignatureError) as caught:
        verifier(fetcher).verify(sign(envelope, key))
    assert caught.value.check == "format"
    assert fetcher.urls == []


@pytest.mark.parametrize("field", ["SubscribeURL", "Token"])
def test_line_breaks_in_a_confirmation_are_refused(
    key: rsa.RSAPrivateKey, fetcher: Fetcher, field: str
) -> None:
    envelope = confirmation()
    envelope[field] = "x\n" + envelope[field]
    with pytest.raises(InvalidSignatureError) as caught:
        verifier(fetcher).verify(sign(envelope, key))
    assert caught.value.check == "format"


def test_a_message_may_hold_line_breaks(key: rsa.RSAPrivateKey, fetcher: Fetcher) -> None:
    envelope = sign(notification(Message="line one\nline two\r\n"), key)
    assert verifier(fetcher).verify(envelope).message == "line one\nline two\r\n"
    confirming = confirmation()
    confirming["Message"] = "You have chosen to subscribe.\nTo confirm, visit the SubscribeURL."
    assert verifier(fetcher).verify(sign(confirming, key)).type == "SubscriptionConfirmation"


def test_a_subject_that_is_not_a_string_is_refused(
    key: rsa.RSAPrivateKey, fetcher: Fetcher
) -> None:
    envelope = {**sign(notification(), key), "Subject": 7}
    with pytest.raises(InvalidSignatureError) as caught:
        verifier(fetcher).verify(envelope)
    assert caught.value.check == "format"


def test_signed_digest_is_the_digest_of_what_was_signed(
    key: rsa.RSAPrivateKey, fetcher: Fetcher
) -> None:
    envelope = sign(notification(Subject="s"), key)
    message = verifier(fetcher).verify(json.dumps(envelope))
    assert message.signed_digest == hashlib.sha256(signed_text(envelope)).hexdigest()
    # The same content signed either way is the same message; other content is not.
    again = verifier(fetcher).verify(sign(notification("2", Subject="s"), key))
    assert again.signed_digest == message.signed_digest
    other = verifier(fetcher).verify(sign(notification(Subject="s", MessageId="m-2"), key))
    assert other.signed_digest != message.signed_digest
    confirmed = sign(confirmation(), key)
    assert (
        verifier(fetcher).verify(confirmed).signed_digest
        == hashlib.sha256(signed_text(confirmed)).hexdigest()
    )


def test_a_hand_built_message_gets_its_digest(key: rsa.RSAPrivateKey, fetcher: Fetcher) -> None:
    verified = verifier(fetcher).verify(sign(notification(Subject="s"), key))
    by_hand = SnsMessage(
        type=verified.type,
        message_id=verified.message_id,
        topic_arn=verified.topic_arn,
        message=verified.message,
        timestamp=verified.timestamp,
        signature_version=verified.signature_version,
        signing_cert_url=verified.signing_cert_url,
        subject=verified.subject,
        raw=verified.raw,
    )
    assert by_hand.signed_digest == verified.signed_digest
    bare = SnsMessage("Notification", "m-1", TOPIC, "{}", NOW, "1", CERT_URL)
    assert len(bare.signed_digest) == 64
    assert SnsMessage("Notification", "m-2", TOPIC, "{}", NOW, "1", CERT_URL).signed_digest != (
        bare.signed_digest
    )


def _any_topic_warnings(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [
        r
        for r in caplog.records
        if r.name == "sesflow.events"
        and r.levelno == logging.WARNING
        and "allowed_topic_arns" in r.getMessage()
    ]


def test_verifying_without_an_allow_list_warns_once_per_verifier(
    key: rsa.RSAPrivateKey, fetcher: Fetcher, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="sesflow.events")
    open_verifier = verifier(fetcher)
    open_verifier.verify(sign(notification(), key))
    open_verifier.verify(sign(notification(MessageId="m-2"), key))
    [record] = _any_topic_warnings(caplog)
    assert TOPIC in record.getMessage()
    verifier(fetcher).verify(sign(notification(), key))  # another verifier: warns again
    assert len(_any_topic_warnings(caplog)) == 2


def test_verifying_with_an_allow_list_does_not_warn(
    key: rsa.RSAPrivateKey, fetcher: Fetcher, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="sesflow.events")
    closed = verifier(fetcher, allowed_topic_arns={TOPIC})
    closed.verify(sign(notification(), key))
    closed.verify(sign(notification(MessageId="m-2"), key))
    with pytest.raises(InvalidSignatureError):
        verifier(fetcher, allowed_topic_arns={TOPIC + "-x"}).verify(sign(notification(), key))
    assert _any_topic_warnings(caplog) == []


@pytest.mark.parametrize(
    "url",
    [
        "https://sns.us-east-1.amazonaws.com/x.pem\n",
        "https://sns.us-east-1.amazonaws.com\n/x.pem",
        "https://sns.us-east-1.amazonaws.com.\nevil.example/x.pem",
        "https://sns.us-east-1.amaz\nonaws.com/x.pem",
        "https://sns.us-east-1.amazonaws.com/x.pem\t",
        "https://sns.us-east-1.amazonaws.com /x.pem",
        "https://sns.us-east-1.amazonaws.com\x00/x.pem",
    ],
)
def test_urls_with_line_breaks_or_control_characters_are_rejected(
    key: rsa.RSAPrivateKey, fetcher: Fetcher, url: str
) -> None:
    with pytest.raises(InvalidSignatureError) as caught:
        check_sns_url(url, field="SigningCertURL", pem=True)
    assert caught.value.check == "cert_url"
    with pytest.raises(InvalidSignatureError) as caught:
        verifier(fetcher).verify(sign(notification(SigningCertURL=url), key))
    assert caught.value.check in ("format", "cert_url")
    assert fetcher.urls == []


def test_the_host_pattern_does_not_stop_before_a_trailing_newline() -> None:
    from sesflow.events import _sns

    host = "sns.us-east-1.amazonaws.com"
    assert _sns._HOST.fullmatch(host)
    assert not _sns._HOST.fullmatch(host + "\n")
    assert not _sns._HOST.match(host + "\n")
