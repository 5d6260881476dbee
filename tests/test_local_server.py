"""The served fake as a local SES: safe to leave running, and its control endpoints.

Point 8 of the local-SES issue: only loopback hosts are answered (a web page's cross-site
POST and a DNS-rebinding page are refused), oversized bodies are refused unread, silent
connections are closed, and a malformed Content-Length is a plain 400. Then the JSON
endpoints other processes use: the outbox, reset, identities verified or failed on demand.
"""

from __future__ import annotations

import base64
import email
import http.client
import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import closing
from email.message import EmailMessage
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import pytest
from botocore.exceptions import ClientError

from conftest import LocalProcess
from sesflow.testing import FakeSES, LocalOutbox

if TYPE_CHECKING:
    from types_boto3_sesv2 import SESV2Client

SIMPLE: Any = {"Simple": {"Subject": {"Data": "Hi"}, "Body": {"Text": {"Data": "Hello"}}}}


@pytest.fixture
def fake() -> Iterator[FakeSES]:
    with FakeSES() as fake:
        fake.verify("news@example.com")
        fake.serve()
        yield fake


@pytest.fixture
def client(fake: FakeSES) -> Iterator[SESV2Client]:
    with closing(fake.http_client()) as client:
        yield client


def _address(fake: FakeSES) -> tuple[str, int]:
    parts = urlsplit(fake.endpoint_url or "")
    assert parts.hostname is not None
    assert parts.port is not None
    return parts.hostname, parts.port


def _request(
    fake: FakeSES,
    method: str,
    path: str,
    body: bytes = b"",
    headers: dict[str, str] | None = None,
) -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection(*_address(fake), timeout=10)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def _send_raw(client: SESV2Client, mime: EmailMessage, **params: Any) -> str:
    return client.send_email(Content={"Raw": {"Data": mime.as_bytes()}}, **params)["MessageId"]


# --- who may talk to it ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "host",
    ["attacker.example", "attacker.example:7373", "127.0.0.1.nip.io", "192.168.1.4", "[::2]:80"],
)
def test_a_foreign_host_is_refused_and_sends_nothing(fake: FakeSES, host: str) -> None:
    # What a DNS-rebinding page sends: the attacker's name, resolved to 127.0.0.1.
    body = json.dumps(
        {
            "FromEmailAddress": "news@example.com",
            "Destination": {"ToAddresses": ["victim@example.org"]},
            "Content": SIMPLE,
        }
    ).encode()
    status, headers, payload = _request(
        fake, "POST", "/v2/email/outbound-emails", body, {"Host": host}
    )
    assert (status, headers["x-amzn-ErrorType"]) == (403, "AccessDeniedException")
    assert "loopback" in json.loads(payload)["message"]
    status, _, _ = _request(fake, "GET", "/_sesflow/messages", headers={"Host": host})
    assert status == 403  # and the outbox cannot be read either
    assert fake.outbox == []
    assert fake.call_count("SendEmail") == 0


def test_a_cross_site_post_is_refused(fake: FakeSES) -> None:
    # A page on another site can POST text/plain to 127.0.0.1 without a CORS preflight; the
    # browser then sends an Origin header, which no SDK does.
    port = _address(fake)[1]
    body = json.dumps(
        {
            "FromEmailAddress": "news@example.com",
            "Destination": {"ToAddresses": ["victim@example.org"]},
            "Content": SIMPLE,
        }
    ).encode()
    headers = {
        "Host": f"127.0.0.1:{port}",
        "Origin": "https://attacker.example",
        "Content-Type": "text/plain",
    }
    status, _, _ = _request(fake, "POST", "/v2/email/outbound-emails", body, headers)
    assert status == 403
    status, _, _ = _request(fake, "POST", "/_sesflow/reset", b"", headers)
    assert status == 403
    assert fake.call_count("SendEmail") == 0


@pytest.mark.parametrize(
    "host", ["localhost", "LOCALHOST:1", "app.localhost", "127.0.0.2", "[::1]"]
)
def test_loopback_names_and_addresses_are_served(fake: FakeSES, host: str) -> None:
    status, _, payload = _request(fake, "GET", "/v2/email/account", headers={"Host": host})
    assert status == 200
    assert "SendQuota" in json.loads(payload)


def test_a_loopback_origin_is_served(fake: FakeSES) -> None:
    status, _, _ = _request(
        fake, "GET", "/_sesflow/messages", headers={"Origin": "http://localhost:3000"}
    )
    assert status == 200


# --- what it reads ---------------------------------------------------------------------------


@pytest.mark.parametrize("length", ["abc", "-5", "1e3", "12, 13", "0x10", " "])
def test_a_malformed_content_length_is_a_400_without_a_traceback(
    fake: FakeSES, client: SESV2Client, capfd: pytest.CaptureFixture[str], length: str
) -> None:
    with closing(socket.create_connection(_address(fake), 10)) as raw:
        raw.sendall(
            b"POST /v2/email/identities HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            + f"Content-Length: {length}\r\n\r\n".encode()
        )
        answer = raw.makefile("rb").read()  # the server answers and closes
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400 ")
    assert b"x-amzn-ErrorType: BadRequestException" in head
    assert b"Content-Length header is malformed" in body
    assert "Traceback" not in capfd.readouterr().err
    assert client.get_account()["SendingEnabled"]  # it carries on


def test_two_different_content_lengths_are_refused(fake: FakeSES) -> None:
    with closing(socket.create_connection(_address(fake), 10)) as raw:
        raw.sendall(
            b"POST /v2/email/identities HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Length: 2\r\nContent-Length: 30\r\n\r\n{}"
        )
        assert raw.makefile("rb").read().startswith(b"HTTP/1.1 400 ")


def test_a_body_over_the_limit_is_refused_unread_and_the_memory_stays_flat() -> None:
    local = LocalProcess("--verify", "news@example.com")
    try:
        parts = urlsplit(local.url)
        assert parts.hostname is not None
        assert parts.port is not None
        # Warm up: the first request loads what the server needs, then measure.
        with closing(http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)) as c:
            c.request("GET", "/v2/email/account")
            assert c.getresponse().status == 200
        before = local.proc_status("VmRSS")
        declared = 400 * 1024 * 1024
        sent = 0
        chunk = b"x" * (1024 * 1024)
        raw = socket.create_connection((parts.hostname, parts.port), 10)
        with closing(raw):
            raw.sendall(
                b"POST /v2/email/outbound-emails HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                b"Content-Type: application/json\r\n"
                + f"Content-Length: {declared}\r\n\r\n".encode()
            )
            try:
                while sent < 64 * len(chunk):  # keep sending until the server hangs up
                    raw.sendall(chunk)
                    sent += len(chunk)
            except (BrokenPipeError, ConnectionResetError):
                pass
            answer = raw.makefile("rb").read()
        after = local.proc_status("VmRSS")
        head, _, body = answer.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 400 ")
        assert b"x-amzn-ErrorType: MessageRejected" in head
        assert json.loads(body)["message"] == "Message length is more than 41943040 bytes long."
        assert after - before < 16 * 1024, f"RSS grew from {before} kB to {after} kB"
        # A legitimate large message still goes through.
        outbox = LocalOutbox(local.url)
        with closing(http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)) as c:
            mime = EmailMessage()
            mime["From"], mime["To"], mime["Subject"] = "news@example.com", "a@example.org", "Big"
            mime.set_content("see attached")
            mime.add_attachment(b"\0" * (5 * 1024 * 1024), "application", "octet-stream",
                                filename="big.bin")  # fmt: skip
            data = base64.b64encode(mime.as_bytes()).decode()
            c.request(
                "POST",
                "/v2/email/outbound-emails",
                body=json.dumps({"Content": {"Raw": {"Data": data}}}),
                headers={"Content-Type": "application/json"},
            )
            assert c.getresponse().status == 200
        [big] = outbox.messages()
        assert [(a.filename, a.size) for a in big.attachments] == [("big.bin", 5 * 1024 * 1024)]
    finally:
        local.stop()


def test_a_client_that_asks_first_is_refused_before_it_sends(fake: FakeSES) -> None:
    with closing(socket.create_connection(_address(fake), 10)) as raw:
        raw.sendall(
            b"POST /v2/email/outbound-emails HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Expect: 100-continue\r\nContent-Length: 419430400\r\n\r\n"
        )
        answer = raw.makefile("rb").read()
    assert answer.startswith(b"HTTP/1.1 400 ")  # not "100 Continue"
    assert b"MessageRejected" in answer


def test_silent_connections_are_closed_and_their_threads_end() -> None:
    with FakeSES() as fake:
        fake.serve(timeout=0.5)
        before = threading.active_count()
        sockets = [socket.create_connection(_address(fake), 10) for _ in range(40)]
        # One more that starts a request and never finishes it.
        sockets[0].sendall(b"GET /v2/email/account HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        try:
            deadline = time.monotonic() + 5
            while threading.active_count() < before + 40 and time.monotonic() < deadline:
                time.sleep(0.02)
            assert threading.active_count() >= before + 40  # one thread each, while open
            deadline = time.monotonic() + 10
            while threading.active_count() > before and time.monotonic() < deadline:
                time.sleep(0.05)
            assert threading.active_count() <= before
            for sock in sockets:
                sock.settimeout(5)
                assert sock.recv(1) == b""  # closed by the server
        finally:
            for sock in sockets:
                sock.close()
        with closing(fake.http_client()) as client:  # and it still serves
            assert client.get_account()["SendingEnabled"]


def test_the_timeout_is_checked() -> None:
    with pytest.raises(ValueError, match="timeout"):
        FakeSES().serve(timeout=0)


# --- the control endpoints -------------------------------------------------------------------


def test_messages_lists_every_field_newest_last(fake: FakeSES, client: SESV2Client) -> None:
    client.create_configuration_set(ConfigurationSetName="marketing")
    client.create_email_template(
        TemplateName="welcome",
        TemplateContent={"Subject": "Welcome {{name}}", "Text": "Hi {{name}}", "Html": "<b>Hi</b>"},
    )
    client.send_email(
        FromEmailAddress="News <news@example.com>",
        Destination={
            "ToAddresses": ["ann@example.org"],
            "CcAddresses": ["cc@example.org"],
            "BccAddresses": ["bcc@example.org"],
        },
        ReplyToAddresses=["help@example.com"],
        Content={
            "Simple": {
                "Subject": {"Data": "Report"},
                "Body": {"Text": {"Data": "See attached"}, "Html": {"Data": "<p>See</p>"}},
                "Headers": [{"Name": "X-Campaign", "Value": "spring"}],
                "Attachments": [
                    {"FileName": "r.csv", "RawContent": b"a,b\n", "ContentType": "text/csv"}
                ],
            }
        },
        EmailTags=[{"Name": "kind", "Value": "report"}],
        ConfigurationSetName="marketing",
    )
    client.send_email(
        FromEmailAddress="news@example.com",
        Destination={"ToAddresses": ["bob@example.org"]},
        Content={"Template": {"TemplateName": "welcome", "TemplateData": '{"name": "Bob"}'}},
    )
    status, headers, body = _request(fake, "GET", "/_sesflow/messages")
    assert (status, headers["Content-Type"]) == (200, "application/json")
    first, second = json.loads(body)
    assert first["id"] == fake.outbox[0].message_id
    assert first["time"].endswith("Z")
    assert {k: first[k] for k in ("from", "to", "cc", "bcc", "reply_to", "subject")} == {
        "from": "News <news@example.com>",
        "to": ["ann@example.org"],
        "cc": ["cc@example.org"],
        "bcc": ["bcc@example.org"],
        "reply_to": ["help@example.com"],
        "subject": "Report",
    }
    assert (first["text"], first["html"]) == ("See attached", "<p>See</p>")
    assert first["headers"] == [{"name": "X-Campaign", "value": "spring"}]
    assert first["attachments"] == [{"filename": "r.csv", "content_type": "text/csv", "size": 4}]
    assert (first["tags"], first["configuration_set"]) == ({"kind": "report"}, "marketing")
    assert (first["template"], first["template_data"]) == (None, None)
    assert "raw" not in first
    assert (second["template"], second["template_data"]) == ("welcome", {"name": "Bob"})
    assert (second["subject"], second["text"]) == ("Welcome Bob", "Hi Bob")


def test_messages_filter_by_recipient_and_subject(fake: FakeSES, client: SESV2Client) -> None:
    for to, cc, subject in [
        ("ann@example.org", "bob@example.org", "Spring news"),
        ("bob@example.org", None, "Your receipt"),
        ("carl@example.org", None, "More spring NEWS"),
    ]:
        destination: Any = {"ToAddresses": [to], **({"CcAddresses": [cc]} if cc else {})}
        content: Any = {"Simple": {"Subject": {"Data": subject}, "Body": {"Text": {"Data": "x"}}}}
        client.send_email(
            FromEmailAddress="news@example.com", Destination=destination, Content=content
        )
    outbox = LocalOutbox(fake.endpoint_url or "")
    assert [m.subject for m in outbox.messages(recipient="bob@EXAMPLE.org")] == [
        "Spring news",
        "Your receipt",
    ]
    assert [m.to for m in outbox.messages(subject="spring news")] == [
        ("ann@example.org",),
        ("carl@example.org",),
    ]
    assert [m.subject for m in outbox.messages(recipient="carl@example.org", subject="news")] == [
        "More spring NEWS"
    ]
    assert outbox.messages(recipient="nobody@example.org") == []


def test_the_raw_mime_on_request(fake: FakeSES, client: SESV2Client) -> None:
    message_id = client.send_email(
        FromEmailAddress="news@example.com",
        Destination={"ToAddresses": ["ann@example.org"]},
        Content={
            "Simple": {
                "Subject": {"Data": "Report"},
                "Body": {"Text": {"Data": "See attached"}, "Html": {"Data": "<p>See</p>"}},
                "Attachments": [{"FileName": "r.csv", "RawContent": b"a,b\n"}],
            }
        },
    )["MessageId"]
    outbox = LocalOutbox(fake.endpoint_url or "")
    mime = email.message_from_bytes(outbox.raw(message_id), policy=email.policy.default)
    assert isinstance(mime, EmailMessage)
    assert (mime["From"], mime["To"], mime["Subject"]) == (
        "news@example.com",
        "ann@example.org",
        "Report",
    )
    assert mime["Message-ID"] == f"<{message_id}@email.amazonses.com>"
    body = mime.get_body(("plain",))
    assert body is not None
    assert body.get_content().strip() == "See attached"
    assert [part.get_filename() for part in mime.iter_attachments()] == ["r.csv"]
    [listed] = outbox.messages(raw=True)
    assert listed.raw is not None
    assert b"Subject: Report" in listed.raw
    with pytest.raises(KeyError, match="no message"):
        outbox.raw("0100-nope-000000")


def test_clear_and_reset(fake: FakeSES, client: SESV2Client) -> None:
    client.create_configuration_set(ConfigurationSetName="marketing")
    client.send_email(
        FromEmailAddress="news@example.com",
        Destination={"ToAddresses": ["ann@example.org"]},
        Content=SIMPLE,
    )
    outbox = LocalOutbox(fake.endpoint_url or "")
    assert outbox.clear() == 1
    assert outbox.messages() == []
    assert client.list_configuration_sets()["ConfigurationSets"] == ["marketing"]  # kept
    outbox.reset()
    assert client.list_configuration_sets()["ConfigurationSets"] == []
    assert client.list_email_identities()["EmailIdentities"] == []
    assert fake.endpoint_url is not None  # still serving


def test_identities_are_verified_and_failed_on_demand(fake: FakeSES, client: SESV2Client) -> None:
    client.create_email_identity(EmailIdentity="example.org")
    client.put_email_identity_mail_from_attributes(
        EmailIdentity="example.org", MailFromDomain="mail.example.org"
    )
    outbox = LocalOutbox(fake.endpoint_url or "")
    verified = outbox.verify("example.org")
    assert (verified.verification_status, verified.dkim_status, verified.mail_from_status) == (
        "SUCCESS",
        "SUCCESS",
        "SUCCESS",
    )
    got = client.get_email_identity(EmailIdentity="example.org")
    assert got["VerifiedForSendingStatus"] is True
    assert got["MailFromAttributes"]["MailFromDomainStatus"] == "SUCCESS"
    # Created when missing, as FakeSES.verify does.
    assert outbox.verify("new@example.net").verified_for_sending
    failed = outbox.fail("example.org", error_type="HOST_NOT_FOUND")
    assert (failed.verification_status, failed.dkim_status, failed.error_type) == (
        "FAILED",
        "FAILED",
        "HOST_NOT_FOUND",
    )
    got = client.get_email_identity(EmailIdentity="example.org")
    assert got["VerificationStatus"] == "FAILED"
    assert got["VerificationInfo"]["ErrorType"] == "HOST_NOT_FOUND"
    assert outbox.fail("new@example.net").error_type is None
    assert fake.identity_state("new@example.net").verification_status == "FAILED"
    with pytest.raises(KeyError, match="no identity"):
        outbox.fail("missing.example")
    with pytest.raises(ValueError, match="error_type"):
        outbox.fail("example.org", error_type="BAD_LUCK")
    with pytest.raises(ValueError, match=r"not an identity|Invalid"):
        outbox.verify("not an identity")


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("POST", "/_sesflow/messages", 405),
        ("GET", "/_sesflow/reset", 405),
        ("GET", "/_sesflow/identities/a@b.c/verify", 405),
        ("POST", "/_sesflow/identities/a@b.c/approve", 404),
        ("GET", "/_sesflow/nothing", 404),
        ("DELETE", "/_sesflow/stats", 405),
    ],
)
def test_control_routes_refuse_other_methods_and_paths(
    fake: FakeSES, method: str, path: str, status: int
) -> None:
    answer, headers, body = _request(fake, method, path)
    assert answer == status
    assert headers["Content-Type"] == "application/json"
    assert json.loads(body)["message"]


def test_a_fail_body_must_be_a_json_object(fake: FakeSES, client: SESV2Client) -> None:
    client.create_email_identity(EmailIdentity="a@example.org")
    status, _, body = _request(fake, "POST", "/_sesflow/identities/a@example.org/fail", b"[1]")
    assert (status, json.loads(body)["message"]) == (400, "the body must be a JSON object")


def test_local_outbox_refuses_urls_it_cannot_talk_to() -> None:
    with pytest.raises(ValueError, match="http://"):
        LocalOutbox("file:///etc/passwd")
    assert repr(LocalOutbox()) == "LocalOutbox('http://127.0.0.1:7373')"


def test_a_fake_keeping_no_messages_says_so(client: SESV2Client) -> None:
    with FakeSES(keep_messages=False) as lean:
        lean.serve()
        with pytest.raises(RuntimeError, match="keeps no messages"):
            LocalOutbox(lean.endpoint_url or "").messages()


# --- X-SES-* headers on raw sends ------------------------------------------------------------


def _mime(**headers: str) -> EmailMessage:
    mime = EmailMessage()
    mime["From"] = "news@example.com"
    mime["To"] = "ann@example.org"
    mime["Subject"] = "Raw"
    for name, value in headers.items():
        mime[name.replace("_", "-")] = value
    mime.set_content("Hello")
    mime.add_attachment(b"%PDF-1.4", "application", "pdf", filename="invoice.pdf")
    return mime


def test_x_ses_configuration_set_selects_the_set_and_its_events_flow(
    fake: FakeSES, client: SESV2Client
) -> None:
    client.create_configuration_set(ConfigurationSetName="tracked")
    client.create_configuration_set_event_destination(
        ConfigurationSetName="tracked",
        EventDestinationName="bus",
        EventDestination={
            "Enabled": True,
            "MatchingEventTypes": ["SEND", "DELIVERY"],
            "EventBridgeDestination": {
                "EventBusArn": "arn:aws:events:us-east-1:123456789012:event-bus/default"
            },
        },
    )
    message_id = _send_raw(
        client,
        _mime(X_SES_CONFIGURATION_SET="tracked", X_SES_MESSAGE_TAGS="campaign=spring, ab=b"),
    )
    [message] = fake.outbox
    assert message.configuration_set == "tracked"
    assert dict(message.tags or {}) == {"campaign": "spring", "ab": "b"}
    assert [a.filename for a in message.attachments] == ["invoice.pdf"]
    events = fake.events(configuration_set="tracked")
    assert [e["eventType"] for e in events] == ["Send", "Delivery"]
    assert events[0]["mail"]["messageId"] == message_id
    assert events[0]["mail"]["tags"]["campaign"] == ["spring"]
    # SES removes its own headers before delivering.
    assert message.raw is not None
    assert b"X-SES" not in message.raw.upper()
    assert b"Subject: Raw" in message.raw
    assert all(not name.upper().startswith("X-SES") for name, _ in message.headers)
    [listed] = LocalOutbox(fake.endpoint_url or "").messages(raw=True)
    assert listed.raw is not None
    assert b"X-SES" not in listed.raw.upper()
    assert listed.configuration_set == "tracked"


def test_an_unknown_set_in_the_header_is_ses_s_error(fake: FakeSES, client: SESV2Client) -> None:
    with pytest.raises(ClientError) as caught:
        _send_raw(client, _mime(X_SES_CONFIGURATION_SET="nope"))
    error = caught.value.response["Error"]
    assert error["Code"] == "NotFoundException"
    assert "nope" in error["Message"]
    assert fake.outbox == []


def test_request_parameters_win_over_the_headers(fake: FakeSES, client: SESV2Client) -> None:
    for name in ("from-header", "from-request"):
        client.create_configuration_set(ConfigurationSetName=name)
    _send_raw(
        client,
        _mime(X_SES_CONFIGURATION_SET="from-header", X_SES_MESSAGE_TAGS="source=header"),
        ConfigurationSetName="from-request",
        EmailTags=[{"Name": "origin", "Value": "request"}],
    )
    [message] = fake.outbox
    assert message.configuration_set == "from-request"
    assert dict(message.tags or {}) == {"origin": "request"}  # not merged, as in SES


def test_bad_tags_in_the_header_are_refused(client: SESV2Client) -> None:
    with pytest.raises(ClientError) as caught:
        _send_raw(client, _mime(X_SES_MESSAGE_TAGS="bad tag=value!"))
    assert caught.value.response["Error"]["Code"] == "BadRequestException"


# --- routes of every botocore age ------------------------------------------------------------


def test_old_get_and_new_post_listings_are_both_answered(
    fake: FakeSES, client: SESV2Client
) -> None:
    for name in ("a.example", "b.example", "c.example"):
        client.create_email_identity(EmailIdentity=name)
        client.create_configuration_set(ConfigurationSetName=name.replace(".", "-"))
    # botocore < 1.43.107: GET with paging in the query string.
    status, _, body = _request(fake, "GET", "/v2/email/identities?PageSize=2")
    old = json.loads(body)
    assert status == 200
    status, _, body = _request(
        fake, "GET", f"/v2/email/identities?PageSize=2&NextToken={old['NextToken']}"
    )
    rest = json.loads(body)
    names = [item["IdentityName"] for item in old["EmailIdentities"] + rest["EmailIdentities"]]
    assert names[:1] == ["news@example.com"]
    assert len(names) == 4
    # botocore >= 1.43.107: POST with a JSON body.
    status, _, body = _request(
        fake,
        "POST",
        "/v2/email/list-identities",
        json.dumps({"PageSize": 2}).encode(),
        {"Content-Type": "application/json"},
    )
    assert json.loads(body) == old
    status, _, body = _request(fake, "GET", "/v2/email/configuration-sets")
    assert json.loads(body)["ConfigurationSets"] == ["a-example", "b-example", "c-example"]
    status, _, body = _request(fake, "POST", "/v2/email/list-configuration-sets", b"{}")
    assert json.loads(body)["ConfigurationSets"] == ["a-example", "b-example", "c-example"]


def test_an_operation_newer_than_the_installed_botocore_is_answered(fake: FakeSES) -> None:
    # UpdateConfigurationSet (2025) is in the fake's own model whatever botocore is installed.
    assert "UpdateConfigurationSet" in FakeSES.implemented_operations()
    _request(fake, "POST", "/v2/email/configuration-sets", b'{"ConfigurationSetName": "cs"}')
    security = {"SigningScheme": {"SmimeScheme": {"SignatureFormat": "DETACHED"}}}
    status, _, _ = _request(
        fake,
        "POST",
        "/v2/email/update-configuration-sets",
        json.dumps({"ConfigurationSetName": "cs", "MessageSecurityOptions": security}).encode(),
    )
    assert status == 200
    status, _, body = _request(fake, "GET", "/v2/email/configuration-sets/cs")
    assert json.loads(body)["MessageSecurityOptions"] == security
