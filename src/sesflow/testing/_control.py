"""The control endpoints of a served fake (`/_sesflow/...`): what other processes may ask.

Tools in any language, and tests in another process, use them to look into the fake and move
it along, as a test in the same process would through `FakeSES`'s knobs. Every answer is
JSON (`{"message": ...}` for an error) except a message's MIME, served as `message/rfc822`.

- `GET /_sesflow/messages`: accepted messages, oldest first (newest last); filters
  `recipient=` (To, Cc or Bcc, any case) and `subject=` (a part of it, any case); `raw=1`
  adds the MIME.
- `GET /_sesflow/messages/{id}`: one message; `.../{id}/raw` its MIME as SES delivers it.
- `DELETE /_sesflow/messages`: forget the messages (`FakeSES.clear_outbox`).
- `POST /_sesflow/reset`: forget everything (`FakeSES.reset`).
- `POST /_sesflow/identities/{identity}/verify`: `FakeSES.verify` (creates it if missing).
- `POST /_sesflow/identities/{identity}/fail`: `FakeSES.fail_verification`; an optional
  JSON body `{"error_type": "HOST_NOT_FOUND"}`.
- `GET /_sesflow/stats`: `FakeSES.stats()`; `GET /_sesflow/outbox`: counts (`count`,
  `recipients`, `arrivals`, `per_recipient` unless `per_recipient=0`).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import parse_qs, unquote

from sesflow.testing._outbox import address_key

if TYPE_CHECKING:
    from sesflow.testing._identities import FakeIdentity
    from sesflow.testing._outbox import FakeMessage

__all__ = ["PREFIX", "Controlled", "Reply", "control", "identity_json", "message_json"]

PREFIX = "/_sesflow/"
_JSON = "application/json"
_TRUE = ("1", "true", "yes")


class Controlled(Protocol):
    """What the control endpoints need of a fake (`FakeSES` has all of it)."""

    @property
    def outbox(self) -> list[FakeMessage]:
        """Every accepted message, oldest first."""
        ...

    def clear_outbox(self) -> None:
        """Forget accepted messages."""
        ...

    def reset(self) -> None:
        """Forget everything."""
        ...

    def verify(self, *identities: str) -> None:
        """Create identities if missing and verify them."""
        ...

    def fail_verification(self, name: str, *, error_type: str | None = None) -> FakeIdentity:
        """Fail an identity's verification."""
        ...

    def identity_state(self, name: str) -> FakeIdentity:
        """The live record of an identity."""
        ...

    def _stats_json(self) -> dict[str, Any]:
        """What `/_sesflow/stats` serves."""
        ...

    def _outbox_summary(self, *, per_recipient: bool) -> dict[str, Any]:
        """What `/_sesflow/outbox` serves."""
        ...


@dataclass(frozen=True)
class Reply:
    """An answer of a control endpoint: status, content type and body."""

    status: int
    content_type: str
    body: bytes

    @classmethod
    def json(cls, status: int, document: Any) -> Reply:
        """A JSON answer."""
        return cls(status, _JSON, json.dumps(document).encode("utf-8"))

    @classmethod
    def error(cls, status: int, message: str) -> Reply:
        """A JSON error answer, `{"message": ...}`."""
        return cls.json(status, {"message": message})


def control(fake: Controlled, method: str, path: str, body: bytes) -> Reply:
    """Answer one request under `/_sesflow/`.

    Examples:
        ```python
        reply = control(fake, "GET", "/_sesflow/messages?recipient=bob@example.com", b"")
        assert reply.status == 200
        ```
    """
    route, _, query_string = path.partition("?")
    query = parse_qs(query_string, keep_blank_values=True)
    parts = [unquote(part) for part in route[len(PREFIX) :].split("/")]
    allowed: tuple[str, ...]
    if parts == ["stats"]:
        allowed = ("GET",)
        if method == "GET":
            return Reply.json(200, fake._stats_json())
    elif parts == ["outbox"]:
        allowed = ("GET",)
        if method == "GET":
            per_recipient = _flag(query, "per_recipient", default=True)
            return Reply.json(200, fake._outbox_summary(per_recipient=per_recipient))
    elif parts == ["messages"]:
        allowed = ("GET", "DELETE")
        if method == "GET":
            return _messages(fake, query)
        if method == "DELETE":
            cleared = len(_kept(fake) or ())
            fake.clear_outbox()
            return Reply.json(200, {"cleared": cleared})
    elif len(parts) in (2, 3) and parts[0] == "messages" and parts[-1] != "":
        allowed = ("GET",)
        if method == "GET":
            return _message(fake, parts[1], raw=len(parts) == 3 and parts[2] == "raw")
    elif parts == ["reset"]:
        allowed = ("POST",)
        if method == "POST":
            fake.reset()
            return Reply.json(200, {"reset": True})
    elif len(parts) == 3 and parts[0] == "identities" and parts[2] in ("verify", "fail"):
        allowed = ("POST",)
        if method == "POST":
            return _identity(fake, parts[1], parts[2], query, body)
    else:
        return Reply.error(404, f"nothing at {route}")
    return Reply.error(405, f"{route} answers {' and '.join(allowed)} only")


def _flag(query: Mapping[str, list[str]], name: str, *, default: bool) -> bool:
    values = query.get(name)
    if not values:
        return default
    return values[-1].lower() in _TRUE or values[-1] == ""


def _kept(fake: Controlled) -> list[FakeMessage] | None:
    try:
        return fake.outbox
    except RuntimeError:  # a fake that keeps no messages
        return None


def _messages(fake: Controlled, query: Mapping[str, list[str]]) -> Reply:
    messages = _kept(fake)
    if messages is None:
        return Reply.error(409, "this FakeSES keeps no messages (keep_messages=False)")
    recipients = {address_key(value).lower() for value in query.get("recipient", []) if value}
    subjects = [value.lower() for value in query.get("subject", []) if value]
    raw = _flag(query, "raw", default=False)
    found = [
        message_json(message, raw=raw)
        for message in messages
        if (not recipients or recipients & {address_key(r).lower() for r in message.recipients})
        and all(part in (message.subject or "").lower() for part in subjects)
    ]
    return Reply.json(200, found)


def _message(fake: Controlled, message_id: str, *, raw: bool) -> Reply:
    messages = _kept(fake)
    if messages is None:
        return Reply.error(409, "this FakeSES keeps no messages (keep_messages=False)")
    for message in messages:
        if message.message_id == message_id:
            if raw:
                return Reply(200, "message/rfc822", message.as_bytes())
            return Reply.json(200, message_json(message, raw=False))
    return Reply.error(404, f"no message {message_id!r} in the outbox")


def _identity(
    fake: Controlled, name: str, action: str, query: Mapping[str, list[str]], body: bytes
) -> Reply:
    if action == "verify":
        try:
            fake.verify(name)
        except ValueError as exc:
            return Reply.error(400, str(exc))
        return Reply.json(200, identity_json(fake.identity_state(name)))
    options: Any = {}
    if body.strip():
        try:
            options = json.loads(body)
        except ValueError:
            return Reply.error(400, "the body must be a JSON object")
        if not isinstance(options, dict):
            return Reply.error(400, "the body must be a JSON object")
    error_type = options.get("error_type") or next(reversed(query.get("error_type", [])), None)
    try:
        identity = fake.fail_verification(name, error_type=error_type)
    except KeyError:
        return Reply.error(404, f"no identity {name!r}")
    except ValueError as exc:
        return Reply.error(400, str(exc))
    return Reply.json(200, identity_json(identity))


def identity_json(identity: FakeIdentity) -> dict[str, Any]:
    """An identity's statuses as the control endpoints report them.

    Examples:
        ```python
        assert identity_json(fake.identity_state("example.com"))["dkim_status"] == "SUCCESS"
        ```
    """
    return {
        "identity": identity.name,
        "identity_type": identity.identity_type,
        "verified_for_sending": identity.verified_for_sending,
        "verification_status": str(identity.verification_status),
        "dkim_status": str(identity.dkim_status),
        "mail_from_domain": identity.mail_from_domain,
        "mail_from_status": identity.mail_from_status,
        "error_type": identity.error_type,
    }


def message_json(message: FakeMessage, *, raw: bool = False) -> dict[str, Any]:
    """One accepted message as `GET /_sesflow/messages` lists it.

    Examples:
        ```python
        document = message_json(fake.outbox[-1])
        assert document["to"] == ["bob@example.com"]
        ```
    """
    document: dict[str, Any] = {
        "id": message.message_id,
        "operation": message.operation,
        "time": _iso(message.wall_time),
        "from": message.from_address,
        "to": list(message.to),
        "cc": list(message.cc),
        "bcc": list(message.bcc),
        "reply_to": list(message.reply_to),
        "subject": message.subject,
        "text": message.text,
        "html": message.html,
        "headers": [{"name": name, "value": value} for name, value in message.headers],
        "attachments": [
            {
                "filename": item.filename,
                "content_type": item.content_type,
                "size": len(item.content),
            }
            for item in message.attachments
        ],
        "tags": dict(message.tags or {}),
        "configuration_set": message.configuration_set,
        "template": message.template_name,
        "template_content": _plain(message.template_content),
        "template_data": _plain(message.template_data),
        "rendering_error": message.rendering_error,
    }
    if raw:
        document["raw"] = message.as_bytes().decode("utf-8", errors="replace")
    return document


def _plain(value: Any) -> Any:
    """A JSON-ready copy (template data may hold any JSON value)."""
    if isinstance(value, Mapping):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, Sequence) and not isinstance(value, str | bytes):
        return [_plain(item) for item in value]
    return value


def _iso(epoch: float) -> str:
    when = dt.datetime.fromtimestamp(epoch, dt.UTC)
    return when.isoformat(timespec="milliseconds").replace("+00:00", "Z")
