"""One-click unsubscribe (RFC 8058): signed per-recipient links and the headers that carry them.

`Unsubscribe(secrets, url, ...)` makes, for one recipient, a token that names the address,
the topic and the campaign and is signed with HMAC-SHA256 (standard library), a link
`<url>/<token>`, and the two headers mailbox providers ask bulk senders for:

    List-Unsubscribe: <https://example.com/u/TOKEN>, <mailto:unsubscribe@example.com?subject=...>
    List-Unsubscribe-Post: List-Unsubscribe=One-Click

A token is `<key id>.<payload>.<mac>`, URL-safe base64 without padding: the payload is the
address, topic and campaign (readable, not secret: the link goes to the recipient), the MAC
is the first 16 bytes of HMAC-SHA256 over a fixed label, the key id and the payload, checked
with `hmac.compare_digest`. The key id names the secret that signed it, so secrets can be
rotated: the first of `secrets` signs, all of them verify. Only the canonical encoding of a
token verifies, so no two strings are the same token.

`BulkExtras` is what `send_bulk(unsubscribe=..., contact_list=..., topic=...)` adds to a run:
each recipient's headers and template data, and the skipping of contacts who left.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
import urllib.parse
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from ._errors import SesflowError, ValidationError
from ._logging import logger
from ._message import MAX_HEADER_VALUE, MAX_HEADERS, MAX_TEMPLATE_DATA
from ._validate import CONTROL_CHARACTER, validate_address, validate_name

if TYPE_CHECKING:
    from ._contact_list import ContactList
    from ._ses import SES

__all__ = [
    "ONE_CLICK",
    "BulkExtras",
    "InvalidTokenError",
    "Secrets",
    "Unsubscribe",
    "UnsubscribeToken",
    "read_token",
    "single_send_options",
]

#: The body of an RFC 8058 one-click POST, and the value of `List-Unsubscribe-Post`.
ONE_CLICK = "List-Unsubscribe=One-Click"
#: The fewest bytes a secret may have.
MIN_SECRET_BYTES = 16
_MAC_BYTES = 16
_LABEL = b"sesflow-unsubscribe/1\x00"
_SEPARATOR = "\x1f"
_KEY_ID = re.compile(r"[A-Za-z0-9_-]{1,16}\Z")
_TOKEN_PART = re.compile(r"[A-Za-z0-9_-]+\Z")
_MAX_TOKEN = 2048
_MAX_CAMPAIGN = 128
_DEFAULT_KEY_ID = "1"

#: One secret (`bytes` or `str`), or key id → secret: the first signs, all verify.
Secrets = bytes | str | Mapping[str, bytes | str]


class InvalidTokenError(SesflowError, ValueError):
    """An unsubscribe token that does not verify: malformed, signed with a key not
    given, tampered with, or for another topic. `reason` says which, for logs.

    Examples:
        >>> unsub = Unsubscribe("a long random secret, 32+ bytes!", "https://example.com/u")
        >>> try:
        ...     unsub.verify("1.bm9wZQ.AAAAAAAAAAAAAAAAAAAAAA")
        ... except InvalidTokenError as exc:
        ...     print(exc.reason)
        signature
    """

    def __init__(self, message: str, *, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class UnsubscribeToken:
    """What a verified unsubscribe token says.

    Attributes:
        address: the recipient the link was made for.
        topic: the topic it unsubscribes from; None: everything.
        campaign: the campaign it came with, if any.
        key_id: the id of the secret that signed it.

    Examples:
        >>> unsub = Unsubscribe("a long random secret, 32+ bytes!", "https://example.com/u",
        ...                     topic="weekly")
        >>> unsub.verify(unsub.token("ann@example.com", campaign="spring"))
        UnsubscribeToken(address='ann@example.com', topic='weekly', campaign='spring', key_id='1')
    """

    address: str
    topic: str | None
    campaign: str | None
    key_id: str


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    """Decode canonical URL-safe base64 without padding; ValueError otherwise."""
    if not _TOKEN_PART.match(text):
        raise ValueError("not URL-safe base64")
    data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    if _b64(data) != text:  # unused trailing bits set: another spelling of the same bytes
        raise ValueError("not canonical base64")
    return data


def _keys(secrets: object) -> tuple[tuple[str, bytes], ...]:
    """`secrets` as `(key id, secret)` pairs, the signing one first; ValidationError if bad."""
    if isinstance(secrets, bytes | str):
        pairs: list[tuple[object, object]] = [(_DEFAULT_KEY_ID, secrets)]
    elif isinstance(secrets, Mapping):
        pairs = list(secrets.items())
        if not pairs:
            raise ValidationError("secrets: at least one secret is required", field="secrets")
    else:
        raise ValidationError(
            "secrets: expected a secret (bytes or str) or a mapping of key ids to secrets, "
            f"got {type(secrets).__name__}",
            field="secrets",
        )
    keys: list[tuple[str, bytes]] = []
    for key_id, secret in pairs:
        if not isinstance(key_id, str) or not _KEY_ID.match(key_id):
            raise ValidationError(
                f"secrets: key id {key_id!r} must be 1-16 letters, digits, '-' or '_'",
                field="secrets",
            )
        if isinstance(secret, str):
            secret = secret.encode("utf-8")
        if not isinstance(secret, bytes) or len(secret) < MIN_SECRET_BYTES:
            raise ValidationError(
                f"secrets[{key_id!r}]: a secret must be bytes or str of at least "
                f"{MIN_SECRET_BYTES} bytes (e.g. secrets.token_urlsafe(32))",
                field="secrets",
            )
        keys.append((key_id, secret))
    return tuple(keys)


def _mac(secret: bytes, key_id: str, payload: bytes) -> bytes:
    message = _LABEL + key_id.encode("ascii") + b"\x00" + payload
    return hmac.new(secret, message, hashlib.sha256).digest()[:_MAC_BYTES]


def _check_topic(topic: object, *, field: str = "topic") -> str | None:
    return None if topic is None else validate_name(topic, field=field)


def _check_campaign(campaign: object) -> str | None:
    if campaign is None:
        return None
    if not isinstance(campaign, str) or not campaign:
        raise ValidationError(
            f"campaign: expected a non-empty str, got {campaign!r}", field="campaign"
        )
    if CONTROL_CHARACTER.search(campaign) or len(campaign) > _MAX_CAMPAIGN:
        raise ValidationError(
            f"campaign: at most {_MAX_CAMPAIGN} printable characters on one line",
            field="campaign",
            value=campaign,
        )
    return campaign


def sign(
    keys: Sequence[tuple[str, bytes]], address: str, topic: str | None, campaign: str | None
) -> str:
    """A token for `address`, `topic` and `campaign`, signed with the first key."""
    key_id, secret = keys[0]
    payload = _SEPARATOR.join((address, topic or "", campaign or "")).encode("utf-8")
    return f"{key_id}.{_b64(payload)}.{_b64(_mac(secret, key_id, payload))}"


def read_token(token: object, keys: Sequence[tuple[str, bytes]]) -> UnsubscribeToken:
    """Verify `token` against `keys`; return what it says, or raise `InvalidTokenError`."""
    if not isinstance(token, str) or not token or len(token) > _MAX_TOKEN:
        raise InvalidTokenError("the unsubscribe token is missing or too long", reason="format")
    parts = token.split(".")
    if len(parts) != 3:
        raise InvalidTokenError("the unsubscribe token is malformed", reason="format")
    key_id, payload_text, mac_text = parts
    if not _KEY_ID.match(key_id):
        raise InvalidTokenError("the unsubscribe token is malformed", reason="format")
    secret = next((s for k, s in keys if hmac.compare_digest(k, key_id)), None)
    if secret is None:
        raise InvalidTokenError(
            "the unsubscribe token was signed with a key that is not given", reason="key"
        )
    try:
        payload = _unb64(payload_text)
        mac = _unb64(mac_text)
    except (ValueError, binascii.Error):
        raise InvalidTokenError("the unsubscribe token is malformed", reason="format") from None
    if not hmac.compare_digest(mac, _mac(secret, key_id, payload)):
        raise InvalidTokenError("the unsubscribe token's signature is wrong", reason="signature")
    fields = payload.decode("utf-8").split(_SEPARATOR)
    if len(fields) != 3:  # pragma: no cover - a payload sesflow signed always has three
        raise InvalidTokenError("the unsubscribe token is malformed", reason="format")
    address, topic, campaign = fields
    return UnsubscribeToken(address, topic or None, campaign or None, key_id)


def _check_url(url: object) -> urllib.parse.SplitResult:
    if not isinstance(url, str) or not url.isascii() or CONTROL_CHARACTER.search(url):
        raise ValidationError(
            f"url: expected an https URL in ASCII (percent-encoded), got {url!r}", field="url"
        )
    parts = urllib.parse.urlsplit(url)
    if parts.scheme != "https" or not parts.hostname:
        raise ValidationError(
            f"url: {url!r} is not an https URL (RFC 8058 one-click links must be https)",
            field="url",
        )
    if parts.fragment or any(c in url for c in ' <>"'):
        raise ValidationError(
            f"url: {url!r} may have no fragment, space, '<', '>' or '\"'", field="url"
        )
    return parts


class Unsubscribe:
    """Signed one-click unsubscribe links and headers (RFC 8058), one per recipient.

    Give it to `send_bulk(..., unsubscribe=...)`, `send(..., unsubscribe=...)` or
    `send_template(..., unsubscribe=...)`: each recipient's message then carries
    `List-Unsubscribe: <url/TOKEN>[, <mailto:...>]` and `List-Unsubscribe-Post:
    List-Unsubscribe=One-Click`, and (with a template) the same link as the template
    variable `unsubscribe_url`, for the visible link in the body. `handle_unsubscribe()`
    answers the link.

    Args:
        secrets: one secret (`bytes` or `str`, 16 bytes at least; the key id is `"1"`), or
            a mapping key id → secret: the first signs, every one verifies (rotation).
        url: the https URL the token is appended to as a last path segment
            (`https://example.com/u` → `https://example.com/u/TOKEN`).
        mailto: an address for the `mailto:` variant (its subject carries the token).
        topic: the contact-list topic the links unsubscribe from; None: everything (a
            send's `topic=` fills it in).
        campaign: the campaign tokens name; None: the stored template's name in a
            template send, else none.
        data_key: the template variable that receives the link.

    Raises:
        ValidationError: a short or badly named secret, a URL that is not https, a bad
            mailto address or topic (before any call).

    Examples:
        >>> unsub = Unsubscribe({"2026-06": "a new random secret of 32 bytes!",
        ...                      "2026-01": "the old random secret, 32 bytes!"},
        ...                     "https://example.com/u", mailto="unsubscribe@example.com",
        ...                     topic="weekly")
        >>> headers = unsub.headers("ann@example.com")
        >>> headers["List-Unsubscribe-Post"]
        'List-Unsubscribe=One-Click'
        >>> headers["List-Unsubscribe"].startswith("<https://example.com/u/2026-06.")
        True
    """

    __slots__ = ("_keys", "_url", "campaign", "data_key", "mailto", "topic")
    _keys: tuple[tuple[str, bytes], ...]
    _url: urllib.parse.SplitResult
    campaign: str | None
    data_key: str
    mailto: str | None
    topic: str | None

    def __init__(
        self,
        secrets: Secrets,
        url: str,
        *,
        mailto: str | None = None,
        topic: str | None = None,
        campaign: str | None = None,
        data_key: str = "unsubscribe_url",
    ) -> None:
        if not isinstance(data_key, str) or not re.fullmatch(
            r"[A-Za-z_][A-Za-z0-9_]{0,63}", data_key
        ):
            raise ValidationError(
                f"data_key: {data_key!r} is not a template variable name", field="data_key"
            )
        # Immutable once made, as sesflow's values are.
        for name, value in (
            ("_keys", _keys(secrets)),
            ("_url", _check_url(url)),
            ("mailto", None if mailto is None else validate_address(mailto, field="mailto")),
            ("topic", _check_topic(topic)),
            ("campaign", _check_campaign(campaign)),
            ("data_key", data_key),
        ):
            object.__setattr__(self, name, value)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"Unsubscribe is immutable: make another to change {name}")

    @property
    def url(self) -> str:
        """The base URL tokens are appended to.

        Examples:
            >>> Unsubscribe("a long random secret, 32+ bytes!", "https://example.com/u").url
            'https://example.com/u'
        """
        return self._url.geturl()

    @property
    def key_ids(self) -> tuple[str, ...]:
        """The key ids, the signing one first.

        Examples:
            >>> Unsubscribe("a long random secret, 32+ bytes!", "https://example.com/u").key_ids
            ('1',)
        """
        return tuple(k for k, _ in self._keys)

    def __repr__(self) -> str:
        extra = f", topic={self.topic!r}" if self.topic else ""
        return f"Unsubscribe({self.url!r}, key_ids={list(self.key_ids)!r}{extra})"

    def _topic(self, topic: str | None) -> str | None:
        topic = _check_topic(topic)
        if topic is not None and self.topic is not None and topic != self.topic:
            raise ValidationError(
                f"topic: {topic!r} differs from the Unsubscribe's topic {self.topic!r}",
                field="topic",
            )
        return topic if topic is not None else self.topic

    def token(self, address: str, *, topic: str | None = None, campaign: str | None = None) -> str:
        """The signed token for `address` (the topic: `topic`, else the object's).

        Examples:
            >>> unsub = Unsubscribe("a long random secret, 32+ bytes!", "https://example.com/u")
            >>> unsub.verify(unsub.token("ann@example.com")).address
            'ann@example.com'
        """
        return sign(
            self._keys,
            validate_address(address),
            self._topic(topic),
            _check_campaign(campaign) or self.campaign,
        )

    def link(self, address: str, *, topic: str | None = None, campaign: str | None = None) -> str:
        """The one-click link for `address`: the URL with the token as last path segment.

        Examples:
            >>> unsub = Unsubscribe("a long random secret, 32+ bytes!", "https://example.com/u")
            >>> unsub.link("ann@example.com").startswith("https://example.com/u/1.")
            True
        """
        return self._link(self.token(address, topic=topic, campaign=campaign))

    def _link(self, token: str) -> str:
        parts = self._url
        path = parts.path.rstrip("/") + "/" + token
        return urllib.parse.urlunsplit((parts.scheme, parts.netloc, path, parts.query, ""))

    def headers(
        self, address: str, *, topic: str | None = None, campaign: str | None = None
    ) -> dict[str, str]:
        """`List-Unsubscribe` and `List-Unsubscribe-Post` for `address`'s message.

        Raises:
            ValidationError: the header would pass SES's 995 characters (a very long
                address, URL or campaign).

        Examples:
            >>> unsub = Unsubscribe("a long random secret, 32+ bytes!", "https://example.com/u",
            ...                     mailto="unsubscribe@example.com")
            >>> print(unsub.headers("ann@example.com")["List-Unsubscribe"])
            <https://example.com/u/1.YW5uQGV4YW1wbGUuY29tHx8...>,
            <mailto:unsubscribe@example.com?subject=unsubscribe%201.YW5uQGV4YW1wbGUuY29tHx8...>
        """
        token = self.token(address, topic=topic, campaign=campaign)
        value = f"<{self._link(token)}>"
        if self.mailto:
            subject = urllib.parse.quote(f"unsubscribe {token}")
            value += f", <mailto:{self.mailto}?subject={subject}>"
        if len(value) > MAX_HEADER_VALUE:
            raise ValidationError(
                f"address: the List-Unsubscribe header would be {len(value)} characters; SES "
                f"allows {MAX_HEADER_VALUE} (shorten the URL, the campaign or the address)",
                field="address",
            )
        return {"List-Unsubscribe": value, "List-Unsubscribe-Post": ONE_CLICK}

    def verify(self, token: str) -> UnsubscribeToken:
        """What `token` says, if one of the secrets signed it and it is for this object's
        topic (when it has one).

        Raises:
            InvalidTokenError: malformed, unknown key id, wrong signature (tampered, or
                another secret), or another topic.

        Examples:
            >>> weekly = Unsubscribe("a long random secret, 32+ bytes!", "https://example.com/u",
            ...                      topic="weekly")
            >>> offers = Unsubscribe("a long random secret, 32+ bytes!", "https://example.com/u",
            ...                      topic="offers")
            >>> try:
            ...     offers.verify(weekly.token("ann@example.com"))
            ... except InvalidTokenError as exc:
            ...     print(exc)
            the unsubscribe token is for topic 'weekly', not 'offers'
        """
        said = read_token(token, self._keys)
        if self.topic is not None and said.topic != self.topic:
            raise InvalidTokenError(
                f"the unsubscribe token is for topic {said.topic!r}, not {self.topic!r}",
                reason="topic",
            )
        return said

    def _keyring(self) -> tuple[tuple[str, bytes], ...]:
        return self._keys


def keys_of(secrets: object) -> tuple[tuple[str, bytes], ...]:
    """The verification keys of `secrets` (or of an `Unsubscribe`)."""
    if isinstance(secrets, Unsubscribe):
        return secrets._keyring()
    return _keys(secrets)


def require_model(ses: SES, shape: str, member: str, *, field: str) -> None:
    """Refuse, before any call, a feature the client's botocore cannot send.

    botocore serialises only the members its model knows: an older one would drop the
    unsubscribe headers silently and the mail would go out without them.
    """
    try:
        members = ses.client.meta.service_model.shape_for(shape).members  # type: ignore[attr-defined]
    except Exception:  # a client without a botocore model: nothing to check against
        return
    if member not in members:
        import botocore

        raise ValidationError(
            f"{field}: this botocore ({botocore.__version__}) has no {shape}.{member}, so the "
            "unsubscribe headers would be dropped from the request; upgrade boto3/botocore",
            field=field,
        )


def _contact_list(ses: SES, value: object) -> ContactList | None:
    from ._contact_list import ContactList

    if value is None or isinstance(value, ContactList):
        return value
    return ses.contact_list(validate_name(value, field="contact_list"))


def single_send_options(
    ses: SES,
    destination: Mapping[str, list[str]],
    *,
    contact_list: object,
    topic: object,
    unsubscribe: object,
    campaign: str | None,
    headers: Mapping[str, str] | None,
) -> tuple[dict[str, Any], dict[str, str] | None, tuple[str, str] | None]:
    """What `contact_list=`, `topic=` and `unsubscribe=` add to one `SendEmail`: request
    parameters (`ListManagementOptions`), the custom headers (merged over `headers`),
    and the `(template variable, link)` for a template's data. Checked before any call."""
    if contact_list is None and unsubscribe is None:
        if topic is not None:
            raise ValidationError(
                "topic: applies with contact_list= (SES's unsubscribe headers) or "
                "unsubscribe= (sesflow's)",
                field="topic",
            )
        return {}, None, None
    recipients = [a for field in destination.values() for a in field]
    what = "contact_list" if contact_list is not None else "unsubscribe"
    if len(recipients) != 1:
        raise ValidationError(
            f"{what}: unsubscribe links are per recipient: give exactly one address (To, no "
            f"Cc or Bcc), not {len(recipients)}; send_bulk() sends to many",
            field=what,
        )
    if contact_list is not None and unsubscribe is not None:
        raise ValidationError(
            "unsubscribe: with contact_list= SES adds its own unsubscribe headers; give one "
            "of contact_list= and unsubscribe=",
            field="unsubscribe",
        )
    if any(name.lower().startswith("list-unsubscribe") for name in headers or {}):
        raise ValidationError(
            f"headers: List-Unsubscribe headers come from {what}=; leave them out of headers=",
            field="headers",
        )
    if contact_list is not None:
        options = {"ContactListName": _contact_list(ses, contact_list).name}  # type: ignore[union-attr]
        name = _check_topic(topic)
        if name is not None:
            options["TopicName"] = name
        return {"ListManagementOptions": options}, None, None
    if not isinstance(unsubscribe, Unsubscribe):
        raise ValidationError(
            f"unsubscribe: expected an Unsubscribe, got {type(unsubscribe).__name__}",
            field="unsubscribe",
        )
    require_model(ses, "Message", "Headers", field="unsubscribe")
    require_model(ses, "Template", "Headers", field="unsubscribe")
    [address] = recipients
    name = unsubscribe._topic(_check_topic(topic))
    added = unsubscribe.headers(address, topic=name, campaign=campaign)
    link = added["List-Unsubscribe"].split(">", 1)[0][1:]
    merged = {**(headers or {}), **added}
    return {}, merged, (unsubscribe.data_key, link)


class _EntryLike(Protocol):
    address: str
    data: str | None
    headers: list[dict[str, str]] | None


class BulkExtras:
    """What `send_bulk(unsubscribe=..., contact_list=..., topic=...)` adds to a run.

    Built (and every argument checked) before any call. `apply()` runs in the reader
    thread, on each slice of checked recipients: the first call reads the contact list's
    opt-outs (one paged walk), every call drops the recipients who left and gives the
    others their unsubscribe headers and template data.
    """

    def __init__(
        self,
        ses: SES,
        *,
        unsubscribe: object,
        contact_list: object,
        topic: object,
        template: Mapping[str, Any],
        default_data: Mapping[str, Any],
    ) -> None:
        if unsubscribe is not None and not isinstance(unsubscribe, Unsubscribe):
            raise ValidationError(
                f"unsubscribe: expected an Unsubscribe, got {type(unsubscribe).__name__}",
                field="unsubscribe",
            )
        self._contact_list = _contact_list(ses, contact_list)
        name = _check_topic(topic)
        if name is not None and self._contact_list is None and unsubscribe is None:
            raise ValidationError(
                "topic: applies with contact_list= (skip who left it) or unsubscribe=",
                field="topic",
            )
        if unsubscribe is not None:
            require_model(ses, "BulkEmailEntry", "ReplacementHeaders", field="unsubscribe")
        self._unsubscribe = unsubscribe
        self._topic = unsubscribe._topic(name) if unsubscribe is not None else name
        self._campaign = None
        if unsubscribe is not None:
            self._campaign = unsubscribe.campaign or template.get("TemplateName")
        self._default = dict(default_data)
        self._left: dict[str, str] | None = None
        self.opted_out = 0

    @classmethod
    def make(
        cls,
        ses: SES,
        *,
        unsubscribe: object,
        contact_list: object,
        topic: object,
        template: Mapping[str, Any],
        default_data: Mapping[str, Any] | None,
    ) -> BulkExtras | None:
        """A `BulkExtras`, or None when the run asked for none of them."""
        if unsubscribe is None and contact_list is None and topic is None:
            return None
        return cls(
            ses,
            unsubscribe=unsubscribe,
            contact_list=contact_list,
            topic=topic,
            template=template,
            default_data=default_data or {},
        )

    def _opted_out(self) -> dict[str, str]:
        if self._left is None:
            self._left = {}
            if self._contact_list is not None:
                from ._contact_list import opted_out_addresses

                self._left = opted_out_addresses(self._contact_list, self._topic)
                logger.info(
                    "bulk send: %d contact(s) of %s left %s; they are skipped",
                    len(self._left),
                    self._contact_list.name,
                    f"topic {self._topic}" if self._topic else "every topic",
                )
        return self._left

    def apply(
        self, entries: list[Any]
    ) -> tuple[list[Any], list[tuple[str, str]], list[tuple[str, str]]]:
        """`(entries to send, [(address, why refused)], [(address, why skipped)])`."""
        left = self._opted_out()
        kept: list[Any] = []
        refused: list[tuple[str, str]] = []
        skipped: list[tuple[str, str]] = []
        for entry in entries:
            reason = left.get(entry.address.lower()) if left else None
            if reason is not None:
                skipped.append((entry.address, reason))
                continue
            if self._unsubscribe is not None:
                try:
                    self._decorate(entry)
                except ValidationError as exc:
                    refused.append((entry.address, str(exc)))
                    continue
            kept.append(entry)
        self.opted_out += len(skipped)
        return kept, refused, skipped

    def _decorate(self, entry: _EntryLike) -> None:
        unsubscribe = self._unsubscribe
        assert unsubscribe is not None
        added = unsubscribe.headers(entry.address, topic=self._topic, campaign=self._campaign)
        current = entry.headers or []
        if any(h["Name"].lower().startswith("list-unsubscribe") for h in current):
            raise ValidationError(
                "recipients.headers: List-Unsubscribe headers come from unsubscribe=; leave "
                "them out of the recipient's headers",
                field="recipients.headers",
            )
        if len(current) + len(added) > MAX_HEADERS:
            raise ValidationError(
                f"recipients.headers: {len(current)} headers and the 2 unsubscribe headers; "
                f"SES allows {MAX_HEADERS} per message",
                field="recipients.headers",
            )
        entry.headers = [*current, *({"Name": k, "Value": v} for k, v in added.items())]
        link = added["List-Unsubscribe"].split(">", 1)[0][1:]
        data = self._default if entry.data is None else json.loads(entry.data)
        text = json.dumps(
            {**data, unsubscribe.data_key: link},
            ensure_ascii=False,
            separators=(",", ":"),
            allow_nan=False,
        )
        if len(text) > MAX_TEMPLATE_DATA:
            raise ValidationError(
                f"recipients.data: {len(text)} characters of template data with the "
                f"unsubscribe link; SES allows {MAX_TEMPLATE_DATA}",
                field="recipients.data",
            )
        entry.data = text
