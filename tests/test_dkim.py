"""BYODKIM keys: checked locally, public half derived exactly as openssl does."""

from __future__ import annotations

import base64

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

import sesflow


def _expected_public(pem: str) -> str:
    key = serialization.load_pem_private_key(pem.encode(), password=None)
    der = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return base64.b64encode(der).decode()


@pytest.mark.parametrize("fixture", ["pkcs8_pem", "pkcs1_pem"])
def test_public_key_matches_the_key_pair(request: pytest.FixtureRequest, fixture: str) -> None:
    pem: str = request.getfixturevalue(fixture)
    key = sesflow.Byodkim("sel1", pem)
    assert key.public_key_base64 == _expected_public(pem)
    # SES wants the PEM body only: no armour, no newlines.
    body = "".join(line for line in pem.splitlines() if not line.startswith("-----"))
    assert key.private_key_base64 == body
    assert key.key_bits == (2048 if fixture == "pkcs8_pem" else 1024)


def test_bytes_pem_is_accepted_and_never_shown(pkcs8_pem: str) -> None:
    key = sesflow.Byodkim("sel1", pkcs8_pem.encode())
    assert "PRIVATE" not in repr(key)
    assert key.private_key_base64 not in repr(key)
    assert repr(key) == "Byodkim(selector='sel1', key_bits=2048)"


@pytest.mark.parametrize(
    ("pem", "needle"),
    [
        ("not a key", "not a PEM private key"),
        ("-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----", "not a PEM private key"),
        ("-----BEGIN PRIVATE KEY-----\n!!!!\n-----END PRIVATE KEY-----", "not valid base64"),
        ("-----BEGIN PRIVATE KEY-----\nMAMCAQA=\n-----END PRIVATE KEY-----", "PKCS#8"),
        ("-----BEGIN RSA PRIVATE KEY-----\nMAMCAQA=\n-----END RSA PRIVATE KEY-----", "PKCS#1"),
        ("-----BEGIN RSA PRIVATE KEY-----\nMIIBOgIBAAJBAKw=\n-----END RSA PRIVATE KEY-----",
         "truncated"),
        ("-----BEGIN ENCRYPTED PRIVATE KEY-----\nMAMCAQA=\n-----END ENCRYPTED PRIVATE KEY-----",
         "encrypted"),
        (b"\xff\xfe", "not ASCII"),
        (42, "expected PEM"),
    ],
)  # fmt: skip
def test_malformed_keys_are_refused(pem: object, needle: str) -> None:
    with pytest.raises(sesflow.ValidationError) as caught:
        sesflow.Byodkim("sel1", pem)  # type: ignore[arg-type]
    assert caught.value.field == "private_key_pem"
    assert needle in str(caught.value)


def test_non_rsa_and_wrong_size_keys_are_refused() -> None:
    ec_pem = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    with pytest.raises(sesflow.ValidationError, match="not RSA"):
        sesflow.Byodkim("sel1", ec_pem)
    big = rsa.generate_private_key(public_exponent=65537, key_size=3072).private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    with pytest.raises(sesflow.ValidationError, match="3072 bits"):
        sesflow.Byodkim("sel1", big)


@pytest.mark.parametrize("selector", ["", "-sel", "sel-", "se_l", "a" * 64, "s.l"])
def test_bad_selectors_are_refused(pkcs1_pem: str, selector: str) -> None:
    with pytest.raises(sesflow.ValidationError) as caught:
        sesflow.Byodkim(selector, pkcs1_pem)
    assert caught.value.field == "selector"


def test_easy_dkim_maps_to_ses_key_lengths() -> None:
    assert sesflow.EasyDkim().signing_key_length == "RSA_2048_BIT"
    assert sesflow.EasyDkim(key_length=1024).signing_key_length == "RSA_1024_BIT"
