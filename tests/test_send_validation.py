"""Every bad input to a send is refused before any AWS call, naming field and position."""

from __future__ import annotations

from email.message import EmailMessage
from typing import Any

import pytest

import sesflow
from sesflow import Attachment, InlineTemplate, ValidationError
from sesflow.testing import FakeSES


@pytest.fixture
def sender(ses: sesflow.SES) -> sesflow.Sender:
    return ses.sender("news@example.com")


def _refused(fake: FakeSES, field: str, needle: str, call: Any, *args: Any, **kwargs: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        call(*args, **kwargs)
    assert caught.value.field == field, caught.value
    assert needle in str(caught.value)
    assert fake.calls == []


def test_malformed_addresses_name_their_position(sender: sesflow.Sender, fake: FakeSES) -> None:
    _refused(fake, "to[1]", "not an email address", sender.send,
             ["ok@example.com", "nope"], "Hi", text="x")  # fmt: skip
    _refused(fake, "cc[0]", "invalid domain", sender.send, "ok@example.com", "Hi",
             text="x", cc=["a@"])  # fmt: skip
    _refused(fake, "bcc[2]", "invalid", sender.send, "ok@example.com", "Hi", text="x",
             bcc=["a@example.com", "b@example.com", "c@@example.com"])  # fmt: skip


def test_line_breaks_never_reach_a_header(sender: sesflow.Sender, fake: FakeSES) -> None:
    _refused(fake, "to[0]", "control character", sender.send, ["bob@example.org\n"], "Hi",
             text="x")  # fmt: skip
    _refused(fake, "cc[0]", "control character", sender.send, "ok@example.com", "Hi",
             text="x", cc=["bob@example.org\r\nBcc: eve@evil.example"])  # fmt: skip
    _refused(fake, "headers['X-A']", "control character", sender.send, "a@example.com", "Hi",
             text="x", headers={"X-A": "a\x00b"})  # fmt: skip
    with pytest.raises(ValidationError) as caught:
        InlineTemplate("Hi\r\nBcc: eve@evil.example", text="x")
    assert caught.value.field == "subject"
    with pytest.raises(ValidationError) as caught:
        Attachment("a.txt", b"x", "text/plain\r\nBcc: eve@evil.example")
    assert caught.value.field == "content_type"


def test_non_ascii_local_parts_and_domains(sender: sesflow.Sender, fake: FakeSES) -> None:
    _refused(fake, "to[0]", "7-bit ASCII", sender.send, ["jürgen@example.com"], "Hi", text="x")
    # A non-punycode domain is refused, and the punycode form is offered.
    _refused(fake, "to[0]", "ann@xn--bcher-kva.example", sender.send,
             ["ann@bücher.example"], "Hi", text="x")  # fmt: skip


def test_more_than_fifty_recipients(sender: sesflow.Sender, fake: FakeSES) -> None:
    to = [f"u{i}@example.com" for i in range(30)]
    cc = [f"c{i}@example.com" for i in range(21)]
    _refused(fake, "to", "51 recipients", sender.send, to, "Hi", text="x", cc=cc)


def test_more_than_fifteen_headers(sender: sesflow.Sender, fake: FakeSES) -> None:
    headers = {f"X-H{i}": "v" for i in range(16)}
    _refused(fake, "headers", "16 headers", sender.send, "a@example.com", "Hi", text="x",
             headers=headers)  # fmt: skip
    _refused(fake, "headers['X-A']", "line breaks", sender.send, "a@example.com", "Hi",
             text="x", headers={"X-A": "a\r\nBcc: evil@example.com"})  # fmt: skip
    _refused(fake, "headers['Bad Name']", "not a valid header name", sender.send,
             "a@example.com", "Hi", text="x", headers={"Bad Name": "v"})  # fmt: skip


def test_template_data_must_be_json_and_small(sender: sesflow.Sender, fake: FakeSES) -> None:
    _refused(fake, "data", "not JSON-serialisable", sender.send_template, "a@example.com",
             "welcome", data={"when": object()})  # fmt: skip
    _refused(fake, "data", "262144", sender.send_template, "a@example.com", "welcome",
             data={"blob": "x" * 262_144})  # fmt: skip
    _refused(fake, "data", "must be a mapping", sender.send_template, "a@example.com",
             "welcome", data=["not", "a", "dict"])  # fmt: skip
    _refused(fake, "data", "not JSON-serialisable", sender.send_template, "a@example.com",
             "welcome", data={"x": float("nan")})  # fmt: skip


def test_a_message_over_forty_megabytes(sender: sesflow.Sender, fake: FakeSES) -> None:
    big = Attachment("big.bin", b"\0" * (31 * 1024 * 1024))  # 41.3 MB after base64
    _refused(fake, "attachments", "40 MB", sender.send, "a@example.com", "Hi", text="x",
             attachments=[big])  # fmt: skip
    raw = EmailMessage()
    raw["To"] = "a@example.com"
    raw["Subject"] = "big"
    raw.set_content("x" * (41 * 1024 * 1024))
    _refused(fake, "message", "40 MB", sender.send_raw, raw)


def test_an_empty_subject_or_body(sender: sesflow.Sender, fake: FakeSES) -> None:
    _refused(fake, "subject", "subject is required", sender.send, "a@example.com", " ", text="x")
    _refused(fake, "text", "no body", sender.send, "a@example.com", "Hi")
    _refused(fake, "text", "no body", sender.send, "a@example.com", "Hi", text="", html="")
    with pytest.raises(ValidationError, match="subject"):
        InlineTemplate("", text="x")
    with pytest.raises(ValidationError, match="html or text"):
        InlineTemplate("Hi")


def test_no_recipients_and_bad_tags(sender: sesflow.Sender, fake: FakeSES) -> None:
    _refused(fake, "to", "at least one recipient", sender.send, [], "Hi", text="x")
    _refused(fake, "message_tags['campaign']", "must be 1-256", sender.send, "a@example.com", "Hi",
             text="x", message_tags={"campaign": "spring sale!"})  # fmt: skip


def test_bad_attachments(sender: sesflow.Sender, fake: FakeSES, tmp_path: Any) -> None:
    _refused(fake, "attachments[0]", "expected an Attachment", sender.send, "a@example.com",
             "Hi", text="x", attachments=[b"raw bytes"])  # fmt: skip
    with pytest.raises(ValidationError, match="cannot read"):
        Attachment.from_path(tmp_path / "missing.pdf")
    with pytest.raises(ValidationError, match="file name"):
        Attachment("", b"x")


def test_bad_sender_settings(ses: sesflow.SES, fake: FakeSES) -> None:
    with pytest.raises(ValidationError) as caught:
        ses.sender("not an address")
    assert caught.value.field == "from_address"
    with pytest.raises(ValidationError, match="max_rate"):
        ses.sender("a@example.com", max_rate=0)
    with pytest.raises(ValidationError) as caught:
        ses.sender("a@example.com", reply_to=["ok@example.com", "bad"])
    assert caught.value.field == "reply_to[1]"
    with pytest.raises(ValidationError, match="template"):
        ses.sender("a@example.com").send_template("b@example.com", 42, data={})  # type: ignore[arg-type]
    assert fake.calls == []


def test_display_names_are_kept_and_encoded(ses: sesflow.SES) -> None:
    assert ses.sender("Example News <news@example.com>").from_address == (
        "Example News <news@example.com>"
    )
    encoded = ses.sender("Café Ünïcode <news@example.com>").from_address
    assert encoded.startswith("=?utf-8?")
    assert encoded.endswith(" <news@example.com>")
