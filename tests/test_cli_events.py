"""`sesflow events verify|parse`: SNS envelopes signed in the test by a key made in the test."""

from __future__ import annotations

import base64
import datetime as dt
import io
import json
import sys
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

from sesflow._cli import main

TOPIC = "arn:aws:sns:us-east-1:123456789012:ses-events"
CERT_URL = "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc123.pem"
RECORD: dict[str, Any] = {
    "eventType": "Bounce",
    "mail": {
        "timestamp": "2026-11-29T12:00:00.000Z",
        "messageId": "0100018f-abc",
        "source": "news@example.com",
        "destination": ["bob@example.net"],
        "tags": {"campaign": ["spring"]},
    },
    "bounce": {
        "bounceType": "Permanent",
        "bounceSubType": "General",
        "bouncedRecipients": [{"emailAddress": "bob@example.net", "status": "5.1.1"}],
        "timestamp": "2026-11-29T12:00:01.000Z",
        "feedbackId": "fb-1",
    },
}
_SIGNED = ("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type")


@pytest.fixture(scope="module")
def signer(tmp_path_factory: pytest.TempPathFactory) -> tuple[rsa.RSAPrivateKey, Path]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = dt.datetime.now(dt.UTC)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "sns.amazonaws.com")])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    path = tmp_path_factory.mktemp("sns") / "cert.pem"
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return key, path


def envelope(key: rsa.RSAPrivateKey, *, message: str | None = None) -> dict[str, Any]:
    stamp = dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    body = {
        "Type": "Notification",
        "MessageId": "22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324",
        "TopicArn": TOPIC,
        "Subject": "Amazon SES Email Event Notification",
        "Message": json.dumps(RECORD) if message is None else message,
        "Timestamp": stamp,
        "SignatureVersion": "2",
        "SigningCertURL": CERT_URL,
        "UnsubscribeURL": "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe",
    }
    text = "".join(f"{k}\n{body[k]}\n" for k in _SIGNED).encode()
    signature = key.sign(text, padding.PKCS1v15(), hashes.SHA256())
    return {**body, "Signature": base64.b64encode(signature).decode()}


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def write(tmp_path: Path, name: str, document: Any) -> str:
    path = tmp_path / name
    path.write_text(json.dumps(document))
    return str(path)


def test_verify_prints_the_envelope_and_its_event(
    signer: tuple[rsa.RSAPrivateKey, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    key, cert = signer
    body = write(tmp_path, "body.json", envelope(key))
    code, out, err = run(capsys, "events", "verify", body, "--cert", str(cert), "--topic", TOPIC)
    assert (code, err) == (0, "")
    assert "verified           yes" in out
    assert f"topic_arn          {TOPIC}" in out
    assert "event              Bounce of 0100018f-abc" in out
    code, out, _ = run(capsys, "--json", "events", "verify", body, "--cert", str(cert))
    document = json.loads(out)
    assert document["verified"] is True
    assert document["type"] == "Notification"
    assert document["signature_version"] == "2"
    assert document["event"]["class"] == "BounceEvent"
    assert document["event"]["bounce_type"] == "Permanent"


def test_verify_reads_stdin(
    signer: tuple[rsa.RSAPrivateKey, Path],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    key, cert = signer
    data = json.dumps(envelope(key)).encode()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    code, out, _ = run(capsys, "events", "verify", "--cert", str(cert))
    assert code == 0
    assert "Bounce of 0100018f-abc" in out


@pytest.mark.parametrize(
    ("change", "extra", "check"),
    [
        ({"Message": json.dumps({**RECORD, "eventType": "Delivery"})}, [], "signature"),
        ({"SigningCertURL": "https://evil.example.com/cert.pem"}, [], "cert_url"),
        ({"Timestamp": "2020-01-01T00:00:00.000Z"}, [], "timestamp"),
        ({}, ["--topic", "arn:aws:sns:us-east-1:123456789012:other"], "topic"),
    ],
)
def test_verify_refuses_with_exit_1(
    signer: tuple[rsa.RSAPrivateKey, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    change: dict[str, str],
    extra: list[str],
    check: str,
) -> None:
    key, cert = signer
    body = write(tmp_path, "body.json", {**envelope(key), **change})
    code, out, err = run(capsys, "--json", "events", "verify", body, "--cert", str(cert), *extra)
    assert code == 1
    assert err.startswith("sesflow: error: SNS message not verified: ")
    assert len(err.splitlines()) == 1
    document = json.loads(out)
    assert document["verified"] is False
    assert document["error"]["type"] == "InvalidSignatureError"
    assert document["error"]["check"] == check


def test_verify_a_signed_message_that_is_not_an_ses_event(
    signer: tuple[rsa.RSAPrivateKey, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    key, cert = signer
    body = write(tmp_path, "body.json", envelope(key, message="hello"))
    code, out, _ = run(capsys, "events", "verify", body, "--cert", str(cert))
    assert code == 0
    assert "event              not an SES event" in out


def test_verify_with_an_unreadable_certificate(
    signer: tuple[rsa.RSAPrivateKey, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    key, _ = signer
    body = write(tmp_path, "body.json", envelope(key))
    code, _, err = run(capsys, "events", "verify", body, "--cert", str(tmp_path / "none.pem"))
    assert code == 1
    assert err.startswith("sesflow: error: --cert: cannot read ")


def test_parse_a_record_and_an_envelope(
    signer: tuple[rsa.RSAPrivateKey, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    record = write(tmp_path, "record.json", RECORD)
    code, out, _ = run(capsys, "events", "parse", record)
    assert code == 0
    assert out.splitlines()[:3] == [
        "class               BounceEvent",
        "event_type          Bounce",
        "message_id          0100018f-abc",
    ]
    assert "bounce_type         Permanent" in out
    code, out, _ = run(capsys, "--json", "events", "parse", record)
    document = json.loads(out)
    assert document["class"] == "BounceEvent"
    assert document["timestamp"] == "2026-11-29T12:00:00+00:00"
    assert document["tags"] == {"campaign": ["spring"]}
    assert document["bounced_recipients"][0]["email_address"] == "bob@example.net"
    assert document["raw"] == RECORD
    key, _ = signer
    wrapped = write(tmp_path, "env.json", envelope(key))
    code, out, _ = run(capsys, "--json", "events", "parse", wrapped)
    assert json.loads(out)["message_id"] == "0100018f-abc"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json", "sesflow: error: the input is not JSON"),
        ('{"eventType": "Bounce"}', "sesflow: error: the record has no 'mail' object"),
    ],
)
def test_parse_bad_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, message: str
) -> None:
    path = tmp_path / "in.json"
    path.write_text(content)
    code, _, err = run(capsys, "events", "parse", str(path))
    assert code == 1
    assert err.startswith(message)
    assert len(err.splitlines()) == 1
