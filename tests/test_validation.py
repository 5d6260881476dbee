"""Bad input raises ValidationError naming the field, before any AWS call."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import sesflow
from sesflow.testing import FakeSES


@pytest.mark.parametrize(
    ("address", "needle"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("alice", "not an email address"),
        ("@example.com", "not an email address"),
        ("alice@", "invalid domain"),
        ("alice@localhost", "no dot"),
        ("alice@exa_mple.com", "invalid label"),
        ("alice@-example.com", "invalid label"),
        ("al ice@example.com", "invalid local part"),
        ("alice..b@example.com", "invalid local part"),
        ("Alice <alice@example.com>", "display name"),
        ("jürgen@example.com", "non-ASCII local part"),
        ("alice@bücher.example", "xn--bcher-kva.example"),
        ("a" * 65 + "@example.com", "invalid local part"),
        ("alice@example.com\n", "control character"),
        ("alice@example.com\r\nBcc: eve@evil.example", "control character"),
        ("ali\x00ce@example.com", "control character"),
    ],
)
def test_bad_addresses_are_refused_with_the_field_named(
    ses: sesflow.SES, fake: FakeSES, address: str, needle: str
) -> None:
    with pytest.raises(sesflow.ValidationError) as caught:
        ses.identity(address)
    assert caught.value.field == "address"
    assert needle in str(caught.value)
    assert str(caught.value).startswith("address:")
    assert fake.calls == []


def test_a_domain_given_as_an_identity_points_to_ses_domain(ses: sesflow.SES) -> None:
    with pytest.raises(sesflow.ValidationError, match=r"use ses\.domain\('example\.com'\)"):
        ses.identity("example.com")


def test_non_string_input_is_refused(ses: sesflow.SES) -> None:
    with pytest.raises(sesflow.ValidationError, match="expected an email address as str"):
        ses.identity(42)  # type: ignore[arg-type]
    with pytest.raises(sesflow.ValidationError, match="expected a domain name as str"):
        ses.domain(None)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("domain", "needle"),
    [
        ("", "empty"),
        ("com", "no dot"),
        ("exa mple.com", "invalid label"),
        ("example..com", "invalid label"),
        ("a" * 64 + ".com", "invalid label"),
        ("bücher.example", "xn--bcher-kva.example"),
        ("example.123", "numeric top-level"),
        (("a" * 60 + ".") * 5 + "com", "longer than 253"),
    ],
)
def test_bad_domains_are_refused(ses: sesflow.SES, domain: str, needle: str) -> None:
    with pytest.raises(sesflow.ValidationError) as caught:
        ses.domain(domain)
    assert caught.value.field == "domain"
    assert needle in str(caught.value)


def test_names_are_normalised(ses: sesflow.SES) -> None:
    assert ses.domain("Example.COM.").name == "example.com"
    # The local part keeps its case; the domain does not.
    assert ses.identity(" Alice@Example.COM ").name == "Alice@example.com"


@pytest.mark.parametrize("mail_from", ["example.com", "mail.other.com", "mailexample.com", "x"])
def test_mail_from_must_be_a_subdomain(ses: sesflow.SES, fake: FakeSES, mail_from: str) -> None:
    with pytest.raises(sesflow.ValidationError) as caught:
        ses.domain("example.com").create(mail_from=mail_from)
    assert caught.value.field == "mail_from"
    assert fake.calls == []


@pytest.mark.parametrize("key_length", [512, 1023, 4096, 0, True, "2048"])
def test_easy_dkim_key_length_is_1024_or_2048(key_length: object) -> None:
    with pytest.raises(sesflow.ValidationError) as caught:
        sesflow.EasyDkim(key_length=key_length)  # type: ignore[arg-type]
    assert caught.value.field == "key_length"
    assert "1024 or 2048" in str(caught.value)


def test_bad_create_options_are_refused_before_any_call(ses: sesflow.SES, fake: FakeSES) -> None:
    dom = ses.domain("example.com")
    with pytest.raises(sesflow.ValidationError, match="behavior_on_mx_failure"):
        dom.create(mail_from="mail.example.com", behavior_on_mx_failure="BOUNCE")
    with pytest.raises(sesflow.ValidationError, match="configuration_set"):
        dom.create(configuration_set="has spaces")
    with pytest.raises(sesflow.ValidationError, match="tags"):
        dom.create(tags={"": "x"})
    with pytest.raises(sesflow.ValidationError, match="dkim"):
        dom.create(dkim="easy")  # type: ignore[arg-type]
    with pytest.raises(sesflow.ValidationError, match="dmarc"):
        dom.dns_records(dmarc="p=none")
    assert fake.calls == []


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"timeout": -1}, "timeout"),
        ({"poll_interval": 0}, "poll_interval"),
        ({"poll_interval": float("nan")}, "poll_interval"),
        ({"max_interval": -5}, "max_interval"),
        ({"timeout": "10"}, "timeout"),
    ],
)
def test_waiter_arguments_are_checked(
    ses: sesflow.SES, fake: FakeSES, kwargs: dict[str, object], field: str
) -> None:
    with pytest.raises(sesflow.ValidationError) as caught:
        ses.identity("a@example.com").wait_until_verified(**kwargs)  # type: ignore[arg-type]
    assert caught.value.field == field
    assert fake.calls == []


@settings(max_examples=500, deadline=None)
@given(
    st.from_regex(
        r"\A[ \n\r\t]{0,1}[A-Za-z0-9%+_.\n\r\t-]{1,70}@[a-z0-9.\n\r\t-]{1,40}\.[a-z]{2,5}"
        r"[ \n\r\t]{0,1}\Z",
        fullmatch=True,
    )
)
def test_the_fast_path_accepts_only_what_the_full_checks_accept(address: str) -> None:
    """The one-regex fast path for plain addresses must never accept more than the rest.

    The alphabet includes line breaks and tabs, inside and around the address: `$` once
    let the fast path accept `"bob@example.org\\n"` unchanged.
    """
    from sesflow import _validate

    try:
        fast = _validate.validate_address(address)
    except sesflow.ValidationError:
        fast = None
    slow_pattern = _validate._PLAIN_ADDRESS
    try:
        _validate._PLAIN_ADDRESS = re.compile(r"(?!)")  # never matches: the full checks only
        try:
            slow: str | None = _validate.validate_address(address)
        except sesflow.ValidationError:
            slow = None
    finally:
        _validate._PLAIN_ADDRESS = slow_pattern
    assert fast == slow
