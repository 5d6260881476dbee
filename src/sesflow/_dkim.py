"""DKIM signing choices: Easy DKIM (SES makes the keys) or bring your own key.

For BYODKIM, SES wants the private key's base64 body (PEM armour and newlines removed)
and the domain must publish `p=<public key>` in a TXT record. The public key is derived
here from the private key with a small DER reader — sesflow has no cryptography
dependency — which also lets a malformed key be refused before any AWS call.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass, field

from ._errors import ValidationError

__all__ = ["Byodkim", "EasyDkim"]

_KEY_LENGTHS = {1024: "RSA_1024_BIT", 2048: "RSA_2048_BIT"}
_SELECTOR = re.compile(r"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)\Z")
_PEM = re.compile(r"-----BEGIN (RSA PRIVATE KEY|PRIVATE KEY)-----(.*?)-----END \1-----", re.DOTALL)
# rsaEncryption, 1.2.840.113549.1.1.1, with its NULL parameters.
_RSA_OID = bytes.fromhex("2a864886f70d010101")
_RSA_ALGORITHM = bytes.fromhex("300d0609") + _RSA_OID + bytes.fromhex("0500")
_MAX_PRIVATE_KEY_CHARS = 20_480


@dataclass(frozen=True, slots=True)
class EasyDkim:
    """Easy DKIM: SES generates and rotates the key pair; you publish three CNAMEs.

    Args:
        key_length: 2048 (the default, stronger) or 1024 bits.

    Examples:
        >>> ses.domain("example.com").create(dkim=EasyDkim(key_length=1024))
        Domain('example.com', verification_status=PENDING, dkim_status=PENDING)
    """

    key_length: int = 2048

    def __post_init__(self) -> None:
        if isinstance(self.key_length, bool) or self.key_length not in _KEY_LENGTHS:
            raise ValidationError(
                f"key_length: {self.key_length!r} is not a DKIM key length SES offers "
                "(1024 or 2048)",
                field="key_length",
                value=self.key_length,
            )

    @property
    def signing_key_length(self) -> str:
        """The SES enum string, e.g. `"RSA_2048_BIT"`.

        Examples:
            >>> EasyDkim(1024).signing_key_length
            'RSA_1024_BIT'
        """
        return _KEY_LENGTHS[self.key_length]


@dataclass(frozen=True, slots=True)
class Byodkim:
    """Bring your own DKIM key: an RSA private key in PEM (PKCS#1 or PKCS#8).

    The key is checked and its public half derived at construction; it never appears
    in `repr()` or logs.

    Args:
        selector: the DKIM selector (`<selector>._domainkey.<domain>`), 1-63 letters,
            digits or inner hyphens.
        private_key_pem: the PEM text (`-----BEGIN PRIVATE KEY-----` or
            `-----BEGIN RSA PRIVATE KEY-----`), as str or bytes.

    Examples:
        >>> from pathlib import Path
        >>> from cryptography.hazmat.primitives import serialization as ser
        >>> from cryptography.hazmat.primitives.asymmetric import rsa
        >>> pem = rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
        ...     ser.Encoding.PEM, ser.PrivateFormat.PKCS8, ser.NoEncryption())
        >>> _ = Path("dkim-private.pem").write_bytes(pem)  # or: openssl genrsa 2048
        >>> key = Byodkim("sel1", Path("dkim-private.pem").read_text())
        >>> ses.domain("example.com").create(dkim=key)
        Domain('example.com', verification_status=PENDING, dkim_status=PENDING)
        >>> key.public_key_base64[:12]
        'MIIBIjANBgkq'
    """

    selector: str
    private_key_pem: str | bytes = field(repr=False)
    private_key_base64: str = field(init=False, repr=False)
    public_key_base64: str = field(init=False, repr=False)
    key_bits: int = field(init=False)

    def __post_init__(self) -> None:
        if not isinstance(self.selector, str) or not _SELECTOR.match(self.selector):
            raise ValidationError(
                f"selector: {self.selector!r} is not a DKIM selector (1-63 letters, digits "
                "or inner hyphens)",
                field="selector",
                value=self.selector,
            )
        body, der = _read_pem(self.private_key_pem)
        modulus, exponent = _rsa_public_numbers(der)
        bits = modulus.bit_length()
        if not 1024 <= bits <= 2048:
            raise ValidationError(
                f"private_key_pem: an RSA key of {bits} bits; SES accepts 1024 to 2048 bits",
                field="private_key_pem",
            )
        object.__setattr__(self, "private_key_base64", body)
        object.__setattr__(self, "public_key_base64", _public_key_info(modulus, exponent))
        object.__setattr__(self, "key_bits", bits)


def _read_pem(pem: object) -> tuple[str, bytes]:
    if isinstance(pem, bytes):
        try:
            pem = pem.decode("ascii")
        except UnicodeDecodeError:
            raise ValidationError(
                "private_key_pem: not PEM text (not ASCII)", field="private_key_pem"
            ) from None
    if not isinstance(pem, str):
        raise ValidationError(
            f"private_key_pem: expected PEM as str or bytes, got {type(pem).__name__}",
            field="private_key_pem",
        )
    if "ENCRYPTED" in pem:
        raise ValidationError(
            "private_key_pem: the key is encrypted; SES needs an unencrypted private key",
            field="private_key_pem",
        )
    match = _PEM.search(pem)
    if not match:
        raise ValidationError(
            "private_key_pem: not a PEM private key (expected '-----BEGIN PRIVATE KEY-----' "
            "or '-----BEGIN RSA PRIVATE KEY-----')",
            field="private_key_pem",
        )
    body = "".join(match.group(2).split())
    if len(body) > _MAX_PRIVATE_KEY_CHARS:
        raise ValidationError(
            f"private_key_pem: {len(body)} base64 characters; SES accepts at most "
            f"{_MAX_PRIVATE_KEY_CHARS}",
            field="private_key_pem",
        )
    try:
        der = base64.b64decode(body, validate=True)
    except (binascii.Error, ValueError):
        raise ValidationError(
            "private_key_pem: the PEM body is not valid base64", field="private_key_pem"
        ) from None
    if match.group(1) == "PRIVATE KEY":
        der = _unwrap_pkcs8(der)
    return body, der


# A minimal DER reader: just what RSA private keys need.


def _bad_key(detail: str) -> ValidationError:
    return ValidationError(
        f"private_key_pem: not a valid RSA private key ({detail})", field="private_key_pem"
    )


def _read_tlv(data: bytes, pos: int) -> tuple[int, bytes, int]:
    """Read one DER element at `pos`; return (tag, contents, position after it)."""
    if pos + 2 > len(data):
        raise _bad_key("truncated")
    tag = data[pos]
    length = data[pos + 1]
    pos += 2
    if length & 0x80:
        count = length & 0x7F
        if count == 0 or count > 4 or pos + count > len(data):
            raise _bad_key("bad length")
        length = int.from_bytes(data[pos : pos + count], "big")
        pos += count
    end = pos + length
    if end > len(data):
        raise _bad_key("truncated")
    return tag, data[pos:end], end


def _sequence(data: bytes) -> list[tuple[int, bytes]]:
    tag, contents, end = _read_tlv(data, 0)
    if tag != 0x30 or end != len(data):
        raise _bad_key("expected a DER SEQUENCE")
    items = []
    pos = 0
    while pos < len(contents):
        item_tag, item, pos = _read_tlv(contents, pos)
        items.append((item_tag, item))
    return items


def _unwrap_pkcs8(der: bytes) -> bytes:
    items = _sequence(der)
    if len(items) < 3 or items[1][0] != 0x30 or items[2][0] != 0x04:
        raise _bad_key("not a PKCS#8 PrivateKeyInfo")
    algorithm = _sequence(_encode(0x30, items[1][1]))
    if not algorithm or algorithm[0] != (0x06, _RSA_OID):
        raise _bad_key("the key is not RSA")
    return items[2][1]


def _rsa_public_numbers(der: bytes) -> tuple[int, int]:
    items = _sequence(der)
    # RSAPrivateKey: version, n, e, d, p, q, dP, dQ, qInv — all INTEGERs.
    if len(items) < 9 or any(tag != 0x02 for tag, _ in items[:9]):
        raise _bad_key("not a PKCS#1 RSAPrivateKey")
    modulus = int.from_bytes(items[1][1], "big", signed=True)
    exponent = int.from_bytes(items[2][1], "big", signed=True)
    if modulus <= 0 or exponent <= 0:
        raise _bad_key("non-positive modulus or exponent")
    return modulus, exponent


def _encode(tag: int, contents: bytes) -> bytes:
    length = len(contents)
    if length < 0x80:
        header = bytes([tag, length])
    else:
        size = length.to_bytes((length.bit_length() + 7) // 8, "big")
        header = bytes([tag, 0x80 | len(size)]) + size
    return header + contents


def _integer(value: int) -> bytes:
    return _encode(0x02, value.to_bytes(value.bit_length() // 8 + 1, "big"))


def _public_key_info(modulus: int, exponent: int) -> str:
    """The base64 SubjectPublicKeyInfo, as `openssl rsa -pubout` prints it."""
    rsa_public_key = _encode(0x30, _integer(modulus) + _integer(exponent))
    spki = _encode(0x30, _RSA_ALGORITHM + _encode(0x03, b"\x00" + rsa_public_key))
    return base64.b64encode(spki).decode("ascii")
