"""Verifying SNS messages, as AWS's own validators do, before believing a word of them.

A forged "bounce" or "complaint" makes an application drop a real customer, and a careless
certificate fetch is a server-side request forgery. So, in this order:

1. the envelope has every key its type needs, and a known type, and no line break in a
   field where SNS never writes one (the string to sign is `key\\nvalue\\n` pairs, so a line
   break would let text move from one field to another under the same signature);
2. `SignatureVersion` is "1" (RSA-SHA1) or "2" (RSA-SHA256);
3. the certificate URL is `https`, ends in `.pem`, and its whole authority is exactly
   `sns.<region>.amazonaws.com` (or `.amazonaws.com.cn`) — a regex on the whole host, no
   port, no user info — checked **before** anything is fetched;
4. the timestamp is not older than `max_age` nor in the future beyond a small skew;
5. the signature verifies, with the certificate's public key, over the canonical string;
6. the topic is one the caller allows (after the signature, so an attacker learns nothing).
   Without an allow-list any topic passes, including another AWS account's: the verifier
   logs a warning the first time it accepts one that way.

A verified message carries `signed_digest`, the SHA-256 of exactly the bytes that were
signed: `handle_sns` drops duplicates by it, not by the `MessageId` (which an attacker can
change without breaking the signature by moving text across the field boundaries).

Certificates are cached by URL (a bounded cache). The default fetcher speaks HTTPS only,
follows no redirects, times out quickly and reads at most 64 KiB.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import json
import logging
import re
import threading
import time
import urllib.request
from collections import OrderedDict
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from sesflow._errors import MissingExtraError, SesflowError

__all__ = [
    "InvalidSignatureError",
    "MissingExtraError",
    "RecentMessages",
    "SnsMessage",
    "SnsVerifier",
    "check_sns_url",
    "default_cert_fetcher",
]

logger = logging.getLogger("sesflow.events")

# Used with fullmatch; `\Z`, not `$`, which would also match before a trailing newline.
_HOST = re.compile(r"sns\.[a-z0-9]+(?:-[a-z0-9]+)+-\d+\.amazonaws\.com(?:\.cn)?\Z")
_TYPES = ("Notification", "SubscriptionConfirmation", "UnsubscribeConfirmation")
_COMMON = ("Message", "MessageId", "Timestamp", "TopicArn", "Type", "Signature",
           "SigningCertURL", "SignatureVersion")  # fmt: skip
_SIGNED = {
    "Notification": ("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"),
    "SubscriptionConfirmation": (
        "Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type",
    ),
    "UnsubscribeConfirmation": (
        "Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type",
    ),
}  # fmt: skip
# Fields in which SNS never writes a line break (Subject: "no line breaks or control
# characters"). `Message` may hold any text, so it is the one signed field left out.
_SINGLE_LINE = ("MessageId", "Subject", "Timestamp", "TopicArn", "Type", "SignatureVersion",
                "SigningCertURL", "SubscribeURL", "Token")  # fmt: skip
# Lambda's SNS events spell these differently.
_ALIASES = {
    "SigningCertUrl": "SigningCertURL",
    "UnsubscribeUrl": "UnsubscribeURL",
    "SubscribeUrl": "SubscribeURL",
}
_MAX_CERT_BYTES = 64 * 1024


class InvalidSignatureError(SesflowError):
    """An SNS message failed verification; `check` names the check that failed.

    `check` is one of `"format"`, `"type"`, `"signature_version"`, `"cert_url"`,
    `"timestamp"`, `"certificate"`, `"signature"`, `"topic"`.

    Examples:
        >>> try:
        ...     verifier.verify(request_body)
        ... except InvalidSignatureError as exc:
        ...     print(exc.check)   # answer 403
        cert_url
    """

    def __init__(self, message: str, *, check: str) -> None:
        super().__init__(message)
        self.check = check


def _require_cryptography() -> Any:
    try:
        from cryptography import x509
        from cryptography.exceptions import InvalidSignature
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import padding, rsa
    except ImportError as exc:  # pragma: no cover - exercised by a subprocess test
        raise MissingExtraError(
            "verifying SNS signatures needs the 'cryptography' package: "
            "pip install 'sesflow[events]'"
        ) from exc
    return x509, InvalidSignature, hashes, padding, rsa


@dataclass(frozen=True, slots=True)
class SnsMessage:
    """A verified SNS envelope.

    Attributes:
        type: `Notification`, `SubscriptionConfirmation` or `UnsubscribeConfirmation`.
        message_id: SNS's id, the same on every retry of one delivery (to dedupe, use
            `signed_digest`: the id can be changed under the same signature).
        topic_arn: the topic it came from.
        message: the payload, for SES events a JSON **string** (see `parse_sns`).
        timestamp: when SNS published it (timezone-aware).
        subject: the subject, if any.
        subscribe_url: for confirmations, the URL that confirms the subscription.
        token: for confirmations, the token.
        raw: the envelope as received.
        signed_digest: the SHA-256 (hex) of exactly the bytes the signature covers (the
            `key\\nvalue\\n` string to sign). SNS's retries of one delivery are the same
            envelope, so the same digest; unlike `message_id`, it cannot be changed without
            breaking the signature, so `handle_sns` drops duplicates by it. Left empty when
            the message is built by hand, it is computed from the signed fields.

    Examples:
        >>> envelope = verifier.verify(body)
        >>> envelope.type, envelope.topic_arn
        ('Notification', 'arn:aws:sns:us-east-1:123456789012:ses-events')
    """

    type: str
    message_id: str
    topic_arn: str
    message: str
    timestamp: dt.datetime
    signature_version: str
    signing_cert_url: str
    subject: str | None = None
    subscribe_url: str | None = None
    unsubscribe_url: str | None = None
    token: str | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)
    signed_digest: str = field(default="", repr=False)

    def __post_init__(self) -> None:
        if not self.signed_digest:
            fields: dict[str, object] = {
                "Message": self.message,
                "MessageId": self.message_id,
                "Subject": self.subject,
                "SubscribeURL": self.subscribe_url,
                "Timestamp": self.raw.get("Timestamp", self.timestamp.isoformat()),
                "Token": self.token,
                "TopicArn": self.topic_arn,
                "Type": self.type,
            }
            present = {key: value for key, value in fields.items() if value is not None}
            digest = _digest(_string_to_sign(self.type, present))
            object.__setattr__(self, "signed_digest", digest)


def _string_to_sign(kind: str, envelope: Mapping[str, object]) -> bytes:
    # `key\nvalue\n` for each signed key of `kind` present, in SNS's order.
    keys = _SIGNED.get(kind) or _SIGNED["Notification"] + ("SubscribeURL", "Token")
    return "".join(f"{key}\n{envelope[key]}\n" for key in keys if key in envelope).encode()


def _digest(signed: bytes) -> str:
    return hashlib.sha256(signed).hexdigest()


def check_sns_url(url: object, *, field: str, pem: bool) -> str:
    """Check that `url` is an https URL on exactly an SNS host; raise otherwise."""
    if not isinstance(url, str):
        raise InvalidSignatureError(f"{field}: not a URL", check="cert_url")
    # urlsplit silently drops tabs and line breaks, so the URL it checked would not be the
    # URL fetched: refuse any whitespace or control character outright.
    if any(ch.isspace() or not ch.isprintable() for ch in url):
        raise InvalidSignatureError(
            f"{field}: {url!r} contains whitespace or control characters", check="cert_url"
        )
    try:
        parts = urlsplit(url)
    except ValueError as exc:
        raise InvalidSignatureError(f"{field}: unparseable URL", check="cert_url") from exc
    if parts.scheme != "https":
        raise InvalidSignatureError(f"{field}: {url!r} is not https", check="cert_url")
    # The whole authority, not a suffix and not the parsed hostname: user info and ports
    # are how loose checks were fooled.
    if not _HOST.fullmatch(parts.netloc):
        raise InvalidSignatureError(
            f"{field}: {parts.netloc!r} is not an SNS host (sns.<region>.amazonaws.com)",
            check="cert_url",
        )
    if pem and (not parts.path.endswith(".pem") or parts.query or parts.fragment):
        raise InvalidSignatureError(
            f"{field}: {url!r} does not name a .pem certificate", check="cert_url"
        )
    return url


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        raise InvalidSignatureError("the certificate URL redirected", check="certificate")


def default_cert_fetcher(url: str, *, timeout: float = 5.0) -> bytes:
    """Fetch a PEM certificate over HTTPS: no redirects, a short timeout, ≤ 64 KiB.

    Only ever called with a URL that passed `check_sns_url`.

    Examples:
        >>> SnsVerifier(cert_fetcher=lambda url: default_cert_fetcher(url, timeout=2.0))
    """
    check_sns_url(url, field="SigningCertURL", pem=True)
    opener = urllib.request.build_opener(_NoRedirects())
    with opener.open(url, timeout=timeout) as response:
        data: bytes = response.read(_MAX_CERT_BYTES + 1)
    if len(data) > _MAX_CERT_BYTES:
        raise InvalidSignatureError("the certificate is implausibly large", check="certificate")
    return data


def _parse_timestamp(value: str) -> dt.datetime:
    text = value.strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    stamp = dt.datetime.fromisoformat(text)
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=dt.UTC)
    return stamp


def load_envelope(body: str | bytes | Mapping[str, Any]) -> dict[str, Any]:
    """Decode an SNS envelope (the HTTP body, or a dict) and normalise Lambda's spellings."""
    if isinstance(body, bytes | bytearray):
        try:
            body = bytes(body).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InvalidSignatureError("the body is not UTF-8", check="format") from exc
    if isinstance(body, str):
        try:
            body = json.loads(body)
        except ValueError as exc:
            raise InvalidSignatureError("the body is not JSON", check="format") from exc
    if not isinstance(body, Mapping):
        raise InvalidSignatureError("the body is not a JSON object", check="format")
    envelope = {_ALIASES.get(k, k): v for k, v in body.items()}
    if envelope.get("Subject") is None:
        envelope.pop("Subject", None)  # Lambda sends `Subject: null`
    return envelope


class RecentMessages:
    """Keys of SNS messages seen recently, to drop redelivered duplicates (SNS retries).

    `handle_sns` keys each message on its `SnsMessage.signed_digest` (what was signed),
    not on its `MessageId`. Bounded in count and age. Thread-safe.

    Examples:
        >>> seen = RecentMessages(window=3600, max_size=10_000)
        >>> seen.add("m-1"), seen.add("m-1")
        (True, False)
    """

    def __init__(
        self,
        *,
        window: float = 3600.0,
        max_size: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.window = window
        self.max_size = max_size
        self._clock = clock
        self._seen: OrderedDict[str, float] = OrderedDict()
        self._lock = threading.Lock()

    def add(self, message_id: str) -> bool:
        """Record the key `message_id`; True if it is new, False if seen within the window."""
        now = self._clock()
        with self._lock:
            while self._seen:
                oldest, stamp = next(iter(self._seen.items()))
                if now - stamp <= self.window and len(self._seen) < self.max_size:
                    break
                del self._seen[oldest]
            if message_id in self._seen:
                return False
            self._seen[message_id] = now
            return True

    def discard(self, message_id: str) -> None:
        """Forget the key `message_id` (so a failed delivery is processed when retried)."""
        with self._lock:
            self._seen.pop(message_id, None)

    def __len__(self) -> int:
        return len(self._seen)


class SnsVerifier:
    """Verifies SNS envelopes (signature, certificate URL, age, topic).

    Needs the optional `cryptography` package: `pip install "sesflow[events]"`.

    Args:
        allowed_topic_arns: accept only these topics. None accepts any topic, including
            another AWS account's: the verifier then logs a warning (logger
            `sesflow.events`) the first time it accepts a message, and `handle_sns`
            refuses to confirm subscriptions with it.
        cert_fetcher: `fetch(url) -> PEM bytes`; called only for a URL that passed the
            checks. Default: `default_cert_fetcher` (HTTPS, no redirects, 5 s).
        max_age: reject messages older than this many seconds.
        max_future_skew: reject timestamps more than this far in the future.
        clock: wall-clock seconds (`time.time`), injectable for tests.
        cache_size: certificates kept, by URL.

    Examples:
        >>> verifier = SnsVerifier(
        ...     allowed_topic_arns={"arn:aws:sns:us-east-1:123456789012:ses-events"})
        >>> envelope = verifier.verify(request.body)
        >>> event = parse_sns(envelope)
    """

    def __init__(
        self,
        allowed_topic_arns: Collection[str] | None = None,
        cert_fetcher: Callable[[str], bytes] | None = None,
        max_age: float = 3600.0,
        *,
        max_future_skew: float = 300.0,
        clock: Callable[[], float] = time.time,
        cache_size: int = 32,
    ) -> None:
        self.allowed_topic_arns = (
            frozenset(allowed_topic_arns) if allowed_topic_arns is not None else None
        )
        self._fetch = cert_fetcher or default_cert_fetcher
        self.max_age = float(max_age)
        self.max_future_skew = float(max_future_skew)
        self._clock = clock
        self._cache: OrderedDict[str, Any] = OrderedDict()
        self._cache_size = max(1, cache_size)
        self._lock = threading.Lock()
        self._warned_any_topic = False
        #: Messages seen recently (by `signed_digest`), for `handle_sns` to drop
        #: SNS's redeliveries.
        self.recent = RecentMessages()

    def __repr__(self) -> str:
        topics = "any" if self.allowed_topic_arns is None else len(self.allowed_topic_arns)
        return f"SnsVerifier(topics={topics}, max_age={self.max_age:g})"

    def verify(self, body: str | bytes | Mapping[str, Any]) -> SnsMessage:
        """Verify an SNS envelope; return it parsed, or raise `InvalidSignatureError`.

        Examples:
            >>> msg = verifier.verify(b'{"Type": "Notification", ...}')
            >>> msg.message_id
            'f3f2a6e0-...'
        """
        crypto = _require_cryptography()
        envelope = load_envelope(body)
        kind = envelope.get("Type")
        if kind not in _TYPES:
            raise InvalidSignatureError(f"unknown message Type {kind!r}", check="type")
        needed = _COMMON + (("SubscribeURL", "Token") if kind != "Notification" else ())
        missing = [k for k in needed if not isinstance(envelope.get(k), str)]
        if missing:
            raise InvalidSignatureError(f"the envelope lacks {', '.join(missing)}", check="format")
        if "Subject" in envelope and not isinstance(envelope["Subject"], str):
            raise InvalidSignatureError("the Subject is not a string", check="format")
        broken = [
            key
            for key in _SINGLE_LINE
            if isinstance(envelope.get(key), str)
            and ("\n" in envelope[key] or "\r" in envelope[key])
        ]
        if broken:
            raise InvalidSignatureError(
                f"a line break in {', '.join(broken)}, where SNS never writes one",
                check="format",
            )
        version = envelope["SignatureVersion"]
        if version not in ("1", "2"):
            raise InvalidSignatureError(
                f"SignatureVersion {version!r} is not 1 or 2", check="signature_version"
            )
        cert_url = check_sns_url(envelope["SigningCertURL"], field="SigningCertURL", pem=True)
        try:
            stamp = _parse_timestamp(envelope["Timestamp"])
        except ValueError as exc:
            raise InvalidSignatureError("the Timestamp is not ISO 8601", check="timestamp") from exc
        now = self._clock()
        age = now - stamp.timestamp()
        if age > self.max_age:
            raise InvalidSignatureError(
                f"the message is {age:.0f} s old (max_age {self.max_age:g} s)", check="timestamp"
            )
        if -age > self.max_future_skew:
            raise InvalidSignatureError(
                f"the message is dated {-age:.0f} s in the future", check="timestamp"
            )
        signed = self._check_signature(crypto, envelope, kind, version, cert_url)
        if self.allowed_topic_arns is None:
            self._warn_any_topic(envelope["TopicArn"])
        elif envelope["TopicArn"] not in self.allowed_topic_arns:
            raise InvalidSignatureError(
                f"topic {envelope['TopicArn']} is not allowed", check="topic"
            )
        return SnsMessage(
            type=kind,
            message_id=envelope["MessageId"],
            topic_arn=envelope["TopicArn"],
            message=envelope["Message"],
            timestamp=stamp,
            signature_version=version,
            signing_cert_url=cert_url,
            subject=envelope.get("Subject"),
            subscribe_url=envelope.get("SubscribeURL"),
            unsubscribe_url=envelope.get("UnsubscribeURL"),
            token=envelope.get("Token"),
            raw=envelope,
            signed_digest=_digest(signed),
        )

    def _warn_any_topic(self, topic_arn: str) -> None:
        # Once per verifier: loud enough to be noticed, not a line per message.
        with self._lock:
            if self._warned_any_topic:
                return
            self._warned_any_topic = True
        logger.warning(
            "SnsVerifier accepted a message from topic %s without checking the topic: it has "
            "no allow-list, so any AWS account's topic is accepted; pass "
            "SnsVerifier(allowed_topic_arns={...}) with the ARNs of your topics",
            topic_arn,
        )

    def _check_signature(
        self, crypto: Any, envelope: Mapping[str, Any], kind: str, version: str, url: str
    ) -> bytes:
        """Check the signature; return the bytes it covers."""
        x509, invalid_signature, hashes, padding, rsa = crypto
        to_sign = _string_to_sign(kind, envelope)
        try:
            signature = base64.b64decode(envelope["Signature"], validate=True)
        except (binascii.Error, ValueError) as exc:
            raise InvalidSignatureError("the Signature is not base64", check="signature") from exc
        public_key = self._public_key(x509, url)
        if not isinstance(public_key, rsa.RSAPublicKey):
            raise InvalidSignatureError("the certificate's key is not RSA", check="certificate")
        digest = hashes.SHA1() if version == "1" else hashes.SHA256()
        try:
            public_key.verify(signature, to_sign, padding.PKCS1v15(), digest)
        except invalid_signature as exc:
            raise InvalidSignatureError("the signature does not verify", check="signature") from exc
        return to_sign

    def _public_key(self, x509: Any, url: str) -> Any:
        with self._lock:
            if url in self._cache:
                self._cache.move_to_end(url)
                return self._cache[url]
        try:
            pem = self._fetch(url)
            certificate = x509.load_pem_x509_certificate(pem)
        except InvalidSignatureError:
            raise
        except Exception as exc:
            raise InvalidSignatureError(
                f"could not get the signing certificate: {exc}", check="certificate"
            ) from exc
        key = certificate.public_key()
        with self._lock:
            self._cache[url] = key
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return key
