"""SNS envelopes: what SNS would POST over HTTP(S) for the fake's SNS event destinations.

Every event record delivered to an `SnsDestination` becomes one SNS `Notification`,
signed as SNS signs: `key\\nvalue\\n` for `Message`, `MessageId`, `Subject` (only if
present), `Timestamp`, `TopicArn` and `Type`, in that order, signed RSA PKCS#1 v1.5 with
SHA1 (`SignatureVersion` "1") or SHA256 ("2"), base64-encoded. A `SubscriptionConfirmation`
signs `Message`, `MessageId`, `SubscribeURL`, `Timestamp`, `Token`, `TopicArn` and
`Type`.

The signing key belongs to a self-signed test certificate for `sns.amazonaws.com` (RSA 2048),
made at first use and shared by every fake in the process, since making a key is slow. Its
`SigningCertURL` is ``https://sns.<topic region>.amazonaws.com/SimpleNotificationService-
<hex>.pem`; `FakeSES.cert_fetcher`` hands the certificate out for those URLs only, so a
verifier under test can fetch it without a network.

This is the one part of the fake that needs the optional `cryptography` package (the
`sesflow[events]` extra); it is imported only when an envelope is signed or the certificate
asked for. Records are kept, and envelopes queued, without it.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import importlib
import re
import threading
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from sesflow.testing._configuration_sets import FakeEventDestination
from sesflow.testing._context import Context

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey

    from sesflow.testing._events import Published

__all__ = ["SES_EVENT_SUBJECT", "SIGNATURE_VERSIONS", "SnsStore", "check_version", "iso_millis"]

SES_EVENT_SUBJECT = "Amazon SES Email Event Notification"
SIGNATURE_VERSIONS = ("1", "2")
_SIGNED_KEYS = {
    "Notification": ("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"),
    "SubscriptionConfirmation": (
        "Message",
        "MessageId",
        "SubscribeURL",
        "Timestamp",
        "Token",
        "TopicArn",
        "Type",
    ),
}
_TOPIC_ARN = re.compile(r"arn:aws[a-z-]*:sns:(?P<region>[a-z0-9-]+):\d{12}:[\w-]{1,256}\Z")
_MISSING = (
    "FakeSES's SNS envelopes and test certificate need the 'cryptography' package; "
    "install the extra: pip install 'sesflow[events]'"
)
_CONFIRMATION_MESSAGE = (
    "You have chosen to subscribe to the topic {arn}.\n"
    "To confirm the subscription, visit the SubscribeURL included in this message."
)


def iso_millis(millis: int) -> str:
    """Format epoch milliseconds as SES and SNS do: ISO 8601 UTC, milliseconds, `Z`.

    Examples:
        >>> iso_millis(1_700_000_000_123)
        '2023-11-14T22:13:20.123Z'
    """
    seconds, rest = divmod(millis, 1000)
    moment = dt.datetime.fromtimestamp(seconds, dt.UTC)
    return f"{moment:%Y-%m-%dT%H:%M:%S}.{rest:03d}Z"


@dataclass(frozen=True, slots=True)
class _Material:
    """The process's test signing key, its certificate, and the name the certificate goes by."""

    key: RSAPrivateKey
    certificate_pem: bytes
    name: str


_material_lock = threading.Lock()
# One entry at most: the material, made once per process.
_material_cache: dict[str, _Material] = {}


def _require_cryptography() -> None:
    try:
        for module in (
            "cryptography.x509",
            "cryptography.hazmat.primitives.hashes",
            "cryptography.hazmat.primitives.asymmetric.padding",
            "cryptography.hazmat.primitives.asymmetric.rsa",
            "cryptography.hazmat.primitives.serialization",
        ):
            importlib.import_module(module)
    except ImportError as exc:
        raise ImportError(_MISSING, name="cryptography") from exc


def _material() -> _Material:
    _require_cryptography()
    with _material_lock:
        material = _material_cache.get("sns")
        if material is None:
            material = _material_cache["sns"] = _make_material()
        return material


def _make_material() -> _Material:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "sns.amazonaws.com")])
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        # Valid over any date a test's wall clock may play, so no verifier's clock rejects it.
        .not_valid_before(dt.datetime(2000, 1, 1, tzinfo=dt.UTC))
        .not_valid_after(dt.datetime(2100, 1, 1, tzinfo=dt.UTC))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("sns.amazonaws.com")]), False)
        .sign(key, hashes.SHA256())
    )
    der = certificate.public_bytes(serialization.Encoding.DER)
    return _Material(
        key=key,
        certificate_pem=certificate.public_bytes(serialization.Encoding.PEM),
        name=hashlib.sha256(der).hexdigest()[:32],
    )


def _signature(material: _Material, envelope: Mapping[str, str], version: str) -> str:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    text = "".join(
        f"{key}\n{envelope[key]}\n" for key in _SIGNED_KEYS[envelope["Type"]] if key in envelope
    )
    # SHA1 is what SignatureVersion 1 means; the fake must sign as SNS does to be checked.
    algorithm = hashes.SHA1() if version == "1" else hashes.SHA256()  # noqa: S303
    signed = material.key.sign(text.encode("utf-8"), padding.PKCS1v15(), algorithm)
    return base64.b64encode(signed).decode("ascii")


def check_version(version: object) -> str:
    plain = str(version)
    if isinstance(version, bool) or plain not in SIGNATURE_VERSIONS:
        raise ValueError(f"signature_version must be '1' (SHA1) or '2' (SHA256), got {version!r}")
    return plain


def _host(region: str) -> str:
    suffix = "amazonaws.com.cn" if region.startswith("cn-") else "amazonaws.com"
    return f"sns.{region}.{suffix}"


@dataclass(frozen=True, slots=True)
class _Queued:
    """A notification made for one delivery, waiting to be signed when someone asks for it."""

    topic_arn: str
    region: str
    # Every member but the signature's, in the order SNS writes them.
    fields: Mapping[str, str]


class SnsStore:
    """The notifications queued for SNS event destinations, signed when asked for.

    Examples:
        >>> sns = SnsStore(Context("us-east-1", "123456789012", clock, clock, seed=7),
        ...                signature_version="2")
        >>> sns.messages()
        []

    Args:
        context: The fake's region, clocks and seed.
        signature_version: The default `SignatureVersion`, `"1"` or `"2"`.
        subject: The `Subject` of notifications, or `None` to leave it out.
    """

    def __init__(
        self,
        context: Context,
        *,
        signature_version: str = "1",
        subject: str | None = SES_EVENT_SUBJECT,
    ) -> None:
        self._context = context
        self._signature_version = check_version(signature_version)
        self._subject = subject
        self._queue: list[_Queued] = []
        self._regions: set[str] = set()
        self._random = context.generator("sns")

    def clear(self) -> None:
        """Forget the queued notifications (the regions named stay served)."""
        self._queue = []

    def delivered(self, destination: FakeEventDestination, published: Published) -> None:
        """Queue the notification for a record that went to `destination`, if it is SNS."""
        if destination.destination_type != "SnsDestination":
            return
        topic_arn = str(destination.destination["TopicArn"])
        region = topic_arn.split(":")[3] or self._context.region
        fields = {"Type": "Notification", "MessageId": self._sns_uuid(), "TopicArn": topic_arn}
        if self._subject is not None:
            fields["Subject"] = self._subject
        fields["Message"] = published.text
        fields["Timestamp"] = iso_millis(published.millis)
        fields["UnsubscribeURL"] = (
            f"https://{_host(region)}/?Action=Unsubscribe&SubscriptionArn={topic_arn}:"
            f"{self._subscription_id(topic_arn)}"
        )
        self._queue.append(_Queued(topic_arn, region, fields))
        self._regions.add(region)

    # --- knobs ---------------------------------------------------------------------------

    def messages(
        self, topic_arn: str | None = None, *, signature_version: str | None = None
    ) -> list[dict[str, str]]:
        """The SNS `Notification` envelopes for every record sent to an SNS destination."""
        version = check_version(signature_version or self._signature_version)
        material = _material()
        queued = [q for q in self._queue if topic_arn is None or q.topic_arn == topic_arn]
        return [self._signed(q.fields, q.region, version, material) for q in queued]

    def subscription_confirmation(
        self, topic_arn: str, endpoint: str, *, signature_version: str | None = None
    ) -> dict[str, str]:
        """Build the signed `SubscriptionConfirmation` SNS sends `endpoint` on subscribing."""
        version = check_version(signature_version or self._signature_version)
        match = _TOPIC_ARN.match(topic_arn)
        if match is None:
            raise ValueError(f"not an SNS topic ARN: {topic_arn!r}")
        parts = urlsplit(endpoint)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"endpoint must be an http or https URL, got {endpoint!r}")
        material = _material()
        region = match["region"]
        token = "".join(f"{self._random.getrandbits(8):02x}" for _ in range(128))
        fields = {
            "Type": "SubscriptionConfirmation",
            "MessageId": self._sns_uuid(),
            "Token": token,
            "TopicArn": topic_arn,
            "Message": _CONFIRMATION_MESSAGE.format(arn=topic_arn),
            "SubscribeURL": (
                f"https://{_host(region)}/?Action=ConfirmSubscription&TopicArn={topic_arn}"
                f"&Token={token}"
            ),
            "Timestamp": iso_millis(round(self._context.wall_clock() * 1000)),
        }
        self._regions.add(region)
        return self._signed(fields, region, version, material)

    @property
    def certificate_pem(self) -> bytes:
        """The PEM of the test certificate whose key signs every envelope of this process."""
        return _material().certificate_pem

    def cert_fetcher(self, url: str) -> bytes:
        """Return the test certificate for this fake's `SigningCertURL`; refuse other URLs."""
        material = _material()
        regions = {self._context.region, *self._regions}
        if url not in {_cert_url(region, material) for region in regions}:
            raise ValueError(f"FakeSES serves no SNS signing certificate at {url!r}")
        return material.certificate_pem

    # --- helpers -------------------------------------------------------------------------

    def _signed(
        self, fields: Mapping[str, str], region: str, version: str, material: _Material
    ) -> dict[str, str]:
        envelope = dict(fields)
        unsubscribe = envelope.pop("UnsubscribeURL", None)
        envelope["SignatureVersion"] = version
        envelope["Signature"] = _signature(material, fields, version)
        envelope["SigningCertURL"] = _cert_url(region, material)
        if unsubscribe is not None:
            envelope["UnsubscribeURL"] = unsubscribe
        return envelope

    def _sns_uuid(self) -> str:
        return str(uuid.UUID(int=self._random.getrandbits(128), version=4))

    def _subscription_id(self, topic_arn: str) -> str:
        # One subscription per topic, named the same way each time, so that every
        # notification of a topic offers the same UnsubscribeURL, as for one subscriber.
        digest = hashlib.sha256(f"{self._context.seed}:{topic_arn}".encode()).hexdigest()
        return str(uuid.UUID(digest[:32], version=4))


def _cert_url(region: str, material: _Material) -> str:
    return f"https://{_host(region)}/SimpleNotificationService-{material.name}.pem"
