"""`LocalOutbox`: a client for the control endpoints of `sesflow local`, standard library only.

For tests that run in another process than the fake (a Django test run against
`sesflow local`, a test of a service in a container beside it, a Celery worker's mail):
they read what the fake accepted, start over between tests, and settle identities, over the
JSON endpoints under `/_sesflow/` (see `FakeSES.serve`).
"""

from __future__ import annotations

import datetime as dt
import json
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

__all__ = ["LocalAttachment", "LocalIdentity", "LocalMessage", "LocalOutbox"]

DEFAULT_URL = "http://127.0.0.1:7373"


@dataclass(frozen=True)
class LocalAttachment:
    """An attachment of a message in a served fake's outbox.

    Examples:
        >>> LocalAttachment("report.pdf", "application/pdf", 1024).filename
        'report.pdf'

    Attributes:
        filename: Its file name (empty if it has none).
        content_type: Its MIME type, if known.
        size: Its size in bytes (decoded).
    """

    filename: str
    content_type: str | None
    size: int


@dataclass(frozen=True)
class LocalMessage:
    """A message a served fake accepted, as `GET /_sesflow/messages` lists it.

    Examples:
        >>> message = LocalMessage.from_json({"id": "0100-a-000000", "from": "news@example.com",
        ...                                   "to": ["bob@example.com"], "subject": "Hi"})
        >>> message.recipients, message.subject
        (('bob@example.com',), 'Hi')

    Attributes:
        message_id: The `MessageId` SES answered.
        operation: `SendEmail` or `SendBulkEmail` (or a v1 operation, for v1 sends).
        time: When it was accepted (timezone-aware, UTC).
        from_address: The sender, as given.
        to: To addresses.
        cc: Cc addresses.
        bcc: Bcc addresses.
        reply_to: Reply-To addresses.
        subject: The (rendered) subject.
        text: The (rendered) text body.
        html: The (rendered) HTML body.
        headers: `(name, value)` pairs: custom headers, or a raw message's own.
        attachments: Its attachments.
        tags: Message tags, name to value.
        configuration_set: The configuration set it was sent with.
        template: The stored template's name, for a template send by name.
        template_content: An inline template's `Subject`/`Text`/`Html`.
        template_data: The data the template was rendered with.
        rendering_error: Why its template could not be rendered (then it was not delivered).
        raw: Its MIME, when asked for (`messages(raw=True)`; carried as text, so bytes that
            are not UTF-8 come back replaced: `LocalOutbox.raw()` gives the exact bytes).
    """

    message_id: str
    operation: str = "SendEmail"
    time: dt.datetime | None = None
    from_address: str = ""
    to: tuple[str, ...] = ()
    cc: tuple[str, ...] = ()
    bcc: tuple[str, ...] = ()
    reply_to: tuple[str, ...] = ()
    subject: str | None = None
    text: str | None = None
    html: str | None = None
    headers: tuple[tuple[str, str], ...] = ()
    attachments: tuple[LocalAttachment, ...] = ()
    tags: Mapping[str, str] | None = None
    configuration_set: str | None = None
    template: str | None = None
    template_content: Mapping[str, str] | None = None
    template_data: Any = None
    rendering_error: str | None = None
    raw: bytes | None = None

    @property
    def recipients(self) -> tuple[str, ...]:
        """To, Cc and Bcc together.

        Examples:
            >>> LocalMessage("x", to=("a@example.com",), bcc=("b@example.com",)).recipients
            ('a@example.com', 'b@example.com')
        """
        return self.to + self.cc + self.bcc

    @classmethod
    def from_json(cls, document: Mapping[str, Any]) -> LocalMessage:
        """Build one from an entry of `GET /_sesflow/messages`.

        Examples:
            >>> LocalMessage.from_json({"id": "0100-a-000000", "tags": {"kind": "welcome"}}).tags
            {'kind': 'welcome'}
        """
        stamp = document.get("time")
        raw = document.get("raw")
        return cls(
            message_id=str(document["id"]),
            operation=str(document.get("operation", "SendEmail")),
            time=None if stamp is None else dt.datetime.fromisoformat(stamp.replace("Z", "+00:00")),
            from_address=str(document.get("from", "")),
            to=tuple(document.get("to", ())),
            cc=tuple(document.get("cc", ())),
            bcc=tuple(document.get("bcc", ())),
            reply_to=tuple(document.get("reply_to", ())),
            subject=document.get("subject"),
            text=document.get("text"),
            html=document.get("html"),
            headers=tuple((h["name"], h["value"]) for h in document.get("headers", ())),
            attachments=tuple(
                LocalAttachment(a.get("filename") or "", a.get("content_type"), int(a["size"]))
                for a in document.get("attachments", ())
            ),
            tags=dict(document.get("tags") or {}),
            configuration_set=document.get("configuration_set"),
            template=document.get("template"),
            template_content=document.get("template_content"),
            template_data=document.get("template_data"),
            rendering_error=document.get("rendering_error"),
            raw=None if raw is None else raw.encode("utf-8"),
        )


@dataclass(frozen=True)
class LocalIdentity:
    """An identity's statuses, as the verify and fail endpoints answer them.

    Examples:
        >>> LocalIdentity("example.com", "DOMAIN", True, "SUCCESS", "SUCCESS").verified_for_sending
        True

    Attributes:
        identity: The address or domain.
        identity_type: `EMAIL_ADDRESS` or `DOMAIN`.
        verified_for_sending: Whether it may send.
        verification_status: Its `VerificationStatus`.
        dkim_status: Its DKIM status.
        mail_from_domain: Its custom MAIL FROM domain, if any.
        mail_from_status: That domain's status.
        error_type: Why it failed, when it did.
    """

    identity: str
    identity_type: str
    verified_for_sending: bool
    verification_status: str
    dkim_status: str
    mail_from_domain: str | None = None
    mail_from_status: str | None = None
    error_type: str | None = None


class LocalOutbox:
    """What a served fake (`sesflow local`, `FakeSES.serve()`) accepted, from any process.

    A small client of its control endpoints, with the standard library only, so a test
    suite can check the mail its code sent through the fake without sharing the fake's
    process: list and filter messages, read one's MIME, start over between tests, verify or
    fail an identity. It talks to loopback only.

    Examples:
        >>> served = FakeSES()
        >>> served.verify("news@example.com")
        >>> url = served.serve()
        >>> _ = served.http_client().send_email(
        ...     FromEmailAddress="news@example.com",
        ...     Destination={"ToAddresses": ["bob@example.com"]},
        ...     Content={"Simple": {"Subject": {"Data": "Hello"},
        ...                         "Body": {"Text": {"Data": "Hi Bob"}}}},
        ... )
        >>> outbox = LocalOutbox(url)
        >>> [(m.to, m.subject, m.text) for m in outbox.messages(recipient="bob@example.com")]
        [(('bob@example.com',), 'Hello', 'Hi Bob')]
        >>> outbox.clear()
        1
        >>> outbox.messages()
        []
        >>> served.stop()

    Args:
        url: The fake's endpoint, as `sesflow local` printed it (default
            `http://127.0.0.1:7373`).
        timeout: Seconds to wait for each answer.
    """

    def __init__(self, url: str = DEFAULT_URL, *, timeout: float = 10.0) -> None:
        parts = urlsplit(url)
        if parts.scheme != "http" or not parts.hostname:
            raise ValueError(f"url must be the http:// endpoint of a served fake, got {url!r}")
        self.url = url.rstrip("/")
        """The fake's endpoint."""
        self.timeout = timeout
        """Seconds to wait for each answer."""

    def __repr__(self) -> str:
        return f"LocalOutbox({self.url!r})"

    # --- messages ---------------------------------------------------------------------------

    def messages(
        self, *, recipient: str | None = None, subject: str | None = None, raw: bool = False
    ) -> list[LocalMessage]:
        """Every message the fake accepted, oldest first (newest last).

        Examples:
            >>> with FakeSES() as served:
            ...     outbox = LocalOutbox(served.serve())
            ...     served.verify("news@example.com")
            ...     client = served.http_client()
            ...     for to in ("ann@example.com", "bob@example.com"):
            ...         _ = client.send_email(
            ...             FromEmailAddress="news@example.com",
            ...             Destination={"ToAddresses": [to]},
            ...             Content={"Simple": {"Subject": {"Data": f"Welcome, {to}"},
            ...                                 "Body": {"Text": {"Data": "Hi"}}}},
            ...         )
            ...     [m.subject for m in outbox.messages(recipient="BOB@example.com")]
            ...     [m.to for m in outbox.messages(subject="welcome")]
            ['Welcome, bob@example.com']
            [('ann@example.com',), ('bob@example.com',)]

        Args:
            recipient: Only messages with this address in To, Cc or Bcc.
            subject: Only messages whose subject contains this, in any case.
            raw: Also fetch each message's MIME (`LocalMessage.raw`).
        """
        query: dict[str, str] = {}
        if recipient is not None:
            query["recipient"] = recipient
        if subject is not None:
            query["subject"] = subject
        if raw:
            query["raw"] = "1"
        suffix = f"?{urlencode(query)}" if query else ""
        found = self._json("GET", f"/_sesflow/messages{suffix}")
        return [LocalMessage.from_json(item) for item in found]

    def raw(self, message_id: str) -> bytes:
        """One message's MIME, as SES would deliver it.

        Examples:
            >>> with FakeSES() as served:
            ...     outbox = LocalOutbox(served.serve())
            ...     served.verify("news@example.com")
            ...     sent = served.http_client().send_email(
            ...         FromEmailAddress="news@example.com",
            ...         Destination={"ToAddresses": ["bob@example.com"]},
            ...         Content={"Simple": {"Subject": {"Data": "Hello"},
            ...                             "Body": {"Text": {"Data": "Hi"}}}},
            ...     )
            ...     mime = outbox.raw(sent["MessageId"])
            >>> mime.decode().splitlines()[:3]
            ['From: news@example.com', 'To: bob@example.com', 'Subject: Hello']

        Raises:
            KeyError: No such message.
        """
        return self._request("GET", f"/_sesflow/messages/{quote(message_id, safe='')}/raw")

    def clear(self) -> int:
        """Forget the messages (not identities, templates or quotas); return how many.

        Examples:
            >>> with FakeSES() as served:
            ...     outbox = LocalOutbox(served.serve())
            ...     outbox.clear()
            0
        """
        return int(self._json("DELETE", "/_sesflow/messages")["cleared"])

    def wait_until_messages(
        self,
        *,
        count: int = 1,
        recipient: str | None = None,
        subject: str | None = None,
        timeout: float = 10.0,
        poll_interval: float = 0.05,
        max_interval: float = 1.0,
    ) -> list[LocalMessage]:
        """Wait until at least `count` messages match, for mail sent in the background.

        Examples:
            >>> with FakeSES() as served:
            ...     outbox = LocalOutbox(served.serve())
            ...     outbox.wait_until_messages(timeout=0.2)
            Traceback (most recent call last):
            TimeoutError: 0 matching message(s) after 0.2 s; wanted 1

        Raises:
            TimeoutError: Fewer matched after `timeout` seconds.
        """
        deadline = time.monotonic() + timeout
        interval = poll_interval
        while True:
            found = self.messages(recipient=recipient, subject=subject)
            if len(found) >= count:
                return found
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(
                    f"{len(found)} matching message(s) after {timeout:g} s; wanted {count}"
                )
            time.sleep(min(interval, left))
            interval = min(max(interval * 2, poll_interval), max_interval)

    # --- state ------------------------------------------------------------------------------

    def reset(self) -> None:
        """Start over: forget every identity, template, message and counter.

        `sesflow local` then verifies its `--verify` identities again.

        Examples:
            >>> with FakeSES() as served:
            ...     outbox = LocalOutbox(served.serve())
            ...     served.verify("news@example.com")
            ...     outbox.reset()
            ...     served.client().list_email_identities()["EmailIdentities"]
            []
        """
        self._json("POST", "/_sesflow/reset")

    def verify(self, identity: str) -> LocalIdentity:
        """Make an identity (created if missing) verified now, DKIM and MAIL FROM too.

        Examples:
            >>> with FakeSES() as served:
            ...     LocalOutbox(served.serve()).verify("example.com")
            LocalIdentity(identity='example.com', identity_type='DOMAIN', verified_for_sending=True,
                          verification_status='SUCCESS', dkim_status='SUCCESS',
                          mail_from_domain=None, mail_from_status=None, error_type=None)

        Raises:
            ValueError: Not an address or a domain.
        """
        return self._identity(identity, "verify", {})

    def fail(self, identity: str, *, error_type: str | None = None) -> LocalIdentity:
        """Make an identity fail verification now (its waiters stop with the failure).

        Examples:
            >>> with FakeSES() as served:
            ...     served.client().create_email_identity(EmailIdentity="example.com")
            ...     failed = LocalOutbox(served.serve()).fail("example.com",
            ...                                              error_type="HOST_NOT_FOUND")
            {...}
            >>> failed.verification_status, failed.error_type
            ('FAILED', 'HOST_NOT_FOUND')

        Raises:
            KeyError: No such identity.
            ValueError: An unknown error type.
        """
        return self._identity(
            identity, "fail", {} if error_type is None else {"error_type": error_type}
        )

    # --- the wire ---------------------------------------------------------------------------

    def _identity(self, identity: str, action: str, options: Mapping[str, str]) -> LocalIdentity:
        path = f"/_sesflow/identities/{quote(identity, safe='')}/{action}"
        document = self._json("POST", path, options)
        return LocalIdentity(
            identity=document["identity"],
            identity_type=document["identity_type"],
            verified_for_sending=bool(document["verified_for_sending"]),
            verification_status=document["verification_status"],
            dkim_status=document["dkim_status"],
            mail_from_domain=document.get("mail_from_domain"),
            mail_from_status=document.get("mail_from_status"),
            error_type=document.get("error_type"),
        )

    def _json(self, method: str, path: str, body: Mapping[str, Any] | None = None) -> Any:
        data = None if body is None else json.dumps(body).encode("utf-8")
        return json.loads(self._request(method, path, data))

    def _request(self, method: str, path: str, data: bytes | None = None) -> bytes:
        # The scheme was checked to be http in __init__.
        request = urllib.request.Request(self.url + path, data=data, method=method)  # noqa: S310
        if data is not None:
            request.add_header("Content-Type", "application/json")
        # A direct connection: a proxy from the environment must not see local traffic.
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        try:
            with opener.open(request, timeout=self.timeout) as response:
                payload: bytes = response.read()
                return payload
        except urllib.error.HTTPError as error:
            with error:
                message = _message(error.read()) or error.reason
            if error.code == 404:
                raise KeyError(message) from None
            if error.code == 400:
                raise ValueError(message) from None
            raise RuntimeError(f"{method} {path}: HTTP {error.code}: {message}") from None


def _message(body: bytes) -> str:
    try:
        document = json.loads(body)
    except ValueError:
        return body.decode("utf-8", errors="replace")
    return str(document.get("message", "")) if isinstance(document, dict) else str(document)
