"""Line breaks and control characters never reach a header; every refusal names its field.

A value that ends up in a mail header (an address, the sender's display name, the subject,
an attachment's name or type, a custom header) with a CR or LF in it would start a new
header: header injection. These tests pin each of those paths, and the regex anchors
(`$` matches before a trailing newline; `\\Z` does not).
"""

from __future__ import annotations

import re
from email.header import decode_header, make_header
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import sesflow
from sesflow import Attachment, InlineTemplate, ValidationError
from sesflow._message import (
    MAX_HEADER_VALUE,
    format_from,
    header_list,
    subject_text,
    template_data,
)
from sesflow._validate import validate_address, validate_domain, validate_name
from sesflow.testing import FakeSES

CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


@pytest.fixture
def sender(ses: sesflow.SES) -> sesflow.Sender:
    return ses.sender("news@example.com")


def _refused(field: str, needle: str, call: Any, /, *args: Any, **kwargs: Any) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        call(*args, **kwargs)
    assert caught.value.field == field, caught.value
    assert needle in str(caught.value), caught.value
    assert str(caught.value).startswith(field.split("[", 1)[0]), caught.value
    return caught.value


def _decoded(value: str) -> str:
    return str(make_header(decode_header(value)))


# --- addresses ----------------------------------------------------------------------------

INJECTED_ADDRESSES = [
    "bob@example.org\n",  # the fast path's `$` matched before this newline
    "bob@example.org\r\n",
    "bob@example.org\r\nBcc: eve@evil.example",
    "\nbob@example.org",
    "bob\n@example.org",  # `_LOCAL`'s `$` matched the local part "bob\n"
    "bob@exa\nmple.org",
    "bob@example.org\x00",
    "bob@example.org\t",
    "\tbob@example.org",
    "bo\x7fb@example.org",
    "bob@example.org\x0b",
    "bob@example.org\x85",
]


@pytest.mark.parametrize("address", INJECTED_ADDRESSES)
def test_an_address_with_a_control_character_is_refused(address: str) -> None:
    _refused("to[0]", "control character", validate_address, address, field="to[0]")


@pytest.mark.parametrize("address", INJECTED_ADDRESSES)
def test_a_send_to_an_address_with_a_line_break_makes_no_call(
    sender: sesflow.Sender, fake: FakeSES, address: str
) -> None:
    _refused("to[1]", "control character", sender.send, ["ok@example.com", address], "Hi",
             text="x")  # fmt: skip
    _refused("bcc[0]", "control character", sender.send, "ok@example.com", "Hi", text="x",
             bcc=[address])  # fmt: skip
    assert fake.calls == []


def test_surrounding_spaces_are_still_stripped() -> None:
    assert validate_address("  bob@example.org  ") == "bob@example.org"
    assert validate_address(" Bob@Example.ORG") == "Bob@example.org"
    assert validate_address("bob@example.org") == "bob@example.org"


@settings(max_examples=300, deadline=None)
@given(
    st.from_regex(
        r"\A[ \x00-\x1f\x7f]{0,2}[a-z]{1,8}[\x00-\x1f\x7f]?@[a-z]{1,8}[\x00-\x1f\x7f]?"
        r"\.[a-z]{2,4}[ \x00-\x1f\x7f]{0,2}\Z",
        fullmatch=True,
    )
)
def test_no_accepted_address_holds_a_control_character(address: str) -> None:
    try:
        result = validate_address(address)
    except ValidationError:
        assert CONTROL.search(address)
    else:
        assert not CONTROL.search(address)
        assert result == address.strip(" ")


# --- every `^...$` pattern now ends in `\Z` -----------------------------------------------


def test_a_trailing_newline_does_not_pass_a_domain_label() -> None:
    # "example.co\n." loses its dot, and `_LABEL` matched "co\n".
    _refused("domain", "invalid label", validate_domain, "example.co\n.")
    _refused("domain", "invalid label", validate_domain, "exa\x00mple.com")


def test_a_trailing_newline_does_not_pass_a_resource_name(ses: sesflow.SES, fake: FakeSES) -> None:
    _refused("template", "not a valid name", validate_name, "welcome\n", field="template")
    _refused("configuration_set", "not a valid name", ses.sender, "news@example.com",
             configuration_set="marketing\n")  # fmt: skip
    _refused("template", "not a valid name", ses.sender("news@example.com").send_template,
             "bob@example.com", "welcome\n", data={})  # fmt: skip
    assert fake.calls == []


def test_a_trailing_newline_does_not_pass_a_header_name_or_tag(
    sender: sesflow.Sender, fake: FakeSES
) -> None:
    _refused("headers['X-A\\n']", "not a valid header name", sender.send, "a@example.com",
             "Hi", text="x", headers={"X-A\n": "v"})  # fmt: skip
    _refused("message_tags['campaign']", "must be 1-256", sender.send, "a@example.com", "Hi",
             text="x", message_tags={"campaign": "spring\n"})  # fmt: skip
    _refused("message_tags['spring\\n']", "must be 1-256", sender.send, "a@example.com", "Hi",
             text="x", message_tags={"spring\n": "x"})  # fmt: skip
    assert fake.calls == []


def test_a_trailing_newline_does_not_pass_a_dkim_selector() -> None:
    _refused("selector", "not a DKIM selector", sesflow.Byodkim, "sel1\n", "unused")


def test_a_trailing_newline_does_not_pass_an_arn_or_dimension() -> None:
    _refused("topic_arn", "not an ARN", sesflow.SnsDestination,
             "arn:aws:sns:us-east-1:123456789012:events\n")  # fmt: skip
    _refused("dimensions", "must be 1-256", sesflow.CloudWatchDimension, "campaign\n", "none")
    _refused("dimensions", "must be 1-256", sesflow.CloudWatchDimension, "campaign", "none\n")


def test_a_trailing_newline_does_not_pass_the_website_url(ses: sesflow.SES, fake: FakeSES) -> None:
    _refused("website_url", "not an http(s) URL", ses.account().request_production_access,
             "MARKETING", "https://example.com\n", use_case_description="Newsletter.")  # fmt: skip
    assert fake.call_count("PutAccountDetails") == 0


# --- the sender and its display name ------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "News\r\nBcc: eve@evil.example <news@example.com>",  # parseaddr kept only eve's address
        "News\n <news@example.com>",
        "Ne\x00ws <news@example.com>",
        "News\t<news@example.com>",
        "News <news@example.com>\n",
        "news@example.com\r\n",
    ],
)
def test_a_sender_with_a_control_character_is_refused(
    ses: sesflow.SES, fake: FakeSES, value: str
) -> None:
    _refused("from_address", "control character", ses.sender, value)
    assert fake.calls == []


def test_a_long_non_ascii_display_name_stays_on_one_line() -> None:
    name = "Ünïcödé Nëwslëttër Dëpärtmënt " * 3
    sender = format_from(f"{name.strip()} <news@example.com>")
    assert not CONTROL.search(sender)
    assert sender.isascii()
    assert sender.endswith(" <news@example.com>")
    assert _decoded(sender.removesuffix(" <news@example.com>")) == name.strip()


# --- the subject --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "needle"),
    [
        (42, "expected the subject as str"),
        (None, "expected the subject as str"),
        ("", "subject is required"),
        ("   ", "subject is required"),
        ("Hi\r\nBcc: eve@evil.example", "control character"),
        ("Hi\n", "control character"),
        ("Hi\rthere", "control character"),
        ("Hi\tthere", "control character"),
        ("Hi\x00", "control character"),
        ("Hi\x1b[31m", "control character"),
    ],
)
def test_subject_text_refuses_what_is_not_one_line(value: object, needle: str) -> None:
    _refused("subject", needle, subject_text, value)


def test_subject_text_keeps_a_good_subject() -> None:
    assert subject_text("Your March report") == "Your March report"
    assert subject_text("Café ✓ — 50 % off") == "Café ✓ — 50 % off"


def test_an_inline_template_subject_must_be_one_line(sender: sesflow.Sender, fake: FakeSES) -> None:
    _refused("subject", "control character", InlineTemplate,
             "Hi {{name}}\r\nBcc: eve@evil.example", text="x")  # fmt: skip
    _refused("subject", "subject is required", InlineTemplate, " ", text="x")
    assert InlineTemplate("Hi {{name}}", text="x").subject == "Hi {{name}}"


def test_send_refuses_a_subject_with_a_line_break(sender: sesflow.Sender, fake: FakeSES) -> None:
    _refused("subject", "control character", sender.send, "a@example.com",
             "Hi\r\nBcc: eve@evil.example", text="x")  # fmt: skip
    assert fake.calls == []


# --- attachments --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "field", "needle"),
    [
        ({"filename": "a.pdf\r\nX-Evil: 1"}, "filename", "control character"),
        ({"filename": "a\x00.pdf"}, "filename", "control character"),
        ({"filename": "a\t.pdf"}, "filename", "control character"),
        ({"filename": "a" * 252 + ".pdf"}, "filename", "SES allows 255"),
        ({"content_type": "text/plain\r\nBcc: x@y.example"}, "content_type", "control character"),
        ({"content_type": "text/plain\n"}, "content_type", "control character"),
        ({"content_type": "nonsense"}, "content_type", "not a MIME type"),
        ({"content_type": "text/"}, "content_type", "not a MIME type"),
        ({"content_type": "text/plain;"}, "content_type", "not a MIME type"),
        ({"content_type": "text/plain; charset"}, "content_type", "not a MIME type"),
        ({"content_type": "text/pl ain"}, "content_type", "not a MIME type"),
        ({"content_type": "text/plain; x=" + "y" * 70}, "content_type", "not a MIME type"),
        ({"content_type": 42}, "content_type", "expected a MIME type as str"),
        ({"content_id": "<logo>\r\nX-Evil: 1"}, "content_id", "control character"),
        ({"content_id": "logo\x00"}, "content_id", "control character"),
        ({"content_id": "x" * 79}, "content_id", "SES allows 78"),
        ({"content_id": 7}, "content_id", "expected a str"),
    ],
)
def test_attachment_header_fields_are_checked(
    kwargs: dict[str, Any], field: str, needle: str
) -> None:
    args: dict[str, Any] = {"filename": "a.pdf", "content": b"x", **kwargs}
    _refused(field, needle, Attachment, **args)


@pytest.mark.parametrize(
    "content_type",
    [
        "application/pdf",
        "image/svg+xml",
        "text/plain; charset=utf-8",
        'text/plain; name="a b.txt"',
        "text/csv;charset=utf-8;header=present",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ],
)
def test_good_mime_types_are_kept(content_type: str) -> None:
    assert Attachment("a.bin", b"x", content_type).content_type == content_type


def test_good_file_names_and_content_ids_are_kept() -> None:
    item = Attachment("Überblick 2024.pdf", b"x", inline=True, content_id="<logo@example.com>")
    assert item.filename == "Überblick 2024.pdf"
    assert item.content_id == "<logo@example.com>"
    assert item.content_type == "application/pdf"


# --- custom headers -----------------------------------------------------------------------


def test_a_non_ascii_header_value_is_rfc2047_encoded() -> None:
    [header] = header_list({"X-Customer": "Jürgen Müller"})
    assert header["Name"] == "X-Customer"
    assert header["Value"].startswith("=?utf-8?")
    assert header["Value"].isascii()
    assert _decoded(header["Value"]) == "Jürgen Müller"


def test_a_long_non_ascii_header_value_stays_on_one_line() -> None:
    value = "Grüße aus Köln, " * 20
    [header] = header_list({"X-Greeting": value})
    encoded = header["Value"]
    assert not CONTROL.search(encoded)
    assert encoded.isascii()
    assert len(encoded) <= MAX_HEADER_VALUE
    assert _decoded(encoded) == value


def test_an_ascii_header_value_is_sent_as_given() -> None:
    value = "<https://example.com/u?id=1>, <mailto:u@example.com>"
    assert header_list({"List-Unsubscribe": value}) == [
        {"Name": "List-Unsubscribe", "Value": value}
    ]


def test_header_values_over_995_characters_are_refused() -> None:
    assert header_list({"X-A": "a" * 995})[0]["Value"] == "a" * 995
    _refused("headers['X-A']", "996 characters; SES allows 995", header_list, {"X-A": "a" * 996})
    # 400 characters, but 1,400+ once encoded.
    _refused("headers['X-A']", "once RFC 2047-encoded", header_list, {"X-A": "é" * 400})


@pytest.mark.parametrize("value", ["a\x00b", "a\tb", "a\x7f", "\x1b[2J", "a\x85b", "a\x0cb"])
def test_header_values_with_control_characters_are_refused(value: str) -> None:
    _refused("headers['X-A']", "control character", header_list, {"X-A": value})


def test_an_empty_header_value_is_refused() -> None:
    _refused("headers['X-A']", "empty", header_list, {"X-A": ""})


def test_a_send_encodes_non_ascii_headers_and_refuses_control_characters(
    sender: sesflow.Sender, fake: FakeSES
) -> None:
    _refused("headers['X-A']", "control character", sender.send, "a@example.com", "Hi",
             text="x", headers={"X-A": "v\x00"})  # fmt: skip
    _refused("headers['X-A']", "control character", sender.send_template, "a@example.com",
             "welcome", data={}, headers={"X-A": "v\x00"})  # fmt: skip
    assert fake.calls == []
    fake.verify("news@example.com")
    fake.verify("a@example.com")
    sender.send("a@example.com", "Hi", text="x", headers={"X-Customer": "Jürgen"})
    [sent] = fake.calls[-1].params["Content"]["Simple"]["Headers"]
    assert sent["Value"].isascii()
    assert _decoded(sent["Value"]) == "Jürgen"


# --- template data ------------------------------------------------------------------------


def _deep(levels: int) -> dict[str, Any]:
    root: dict[str, Any] = {}
    node = root
    for _ in range(levels):
        child: dict[str, Any] = {}
        node["a"] = child
        node = child
    return root


def test_deeply_nested_template_data_is_refused() -> None:
    _refused("data", "nested too deeply", template_data, {"a": _deep(5000)})
    _refused("default_data", "nested too deeply", template_data, _deep(5000),
             field="default_data")  # fmt: skip
    # Ordinary nesting is fine.
    assert template_data(_deep(3)) == '{"a":{"a":{"a":{}}}}'


@pytest.mark.parametrize("value", [["a", "b"], "text", 42, ("a",), b"{}"])
def test_template_data_that_is_not_a_mapping_is_refused(value: object) -> None:
    _refused("data", "must be a mapping", template_data, value)


def test_send_template_with_deep_data_makes_no_call() -> None:
    fake = FakeSES()
    ses = sesflow.SES(client=fake.client())
    sender = ses.sender("news@example.com")
    _refused("data", "nested too deeply", sender.send_template, "bob@example.com", "welcome",
             data={"a": _deep(5000)})  # fmt: skip
    _refused("data", "must be a mapping", sender.send_template, "bob@example.com", "welcome",
             data=["not", "a", "mapping"])  # fmt: skip
    assert fake.call_count("SendEmail") == 0
