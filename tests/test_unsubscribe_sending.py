"""One-click unsubscribe end to end: bulk and single sends carry each recipient's signed
headers, `handle_unsubscribe` honours them, and the next campaign skips who left."""

from __future__ import annotations

import logging
from typing import Any

import pytest

import sesflow
from sesflow import (
    BulkEmailStatus,
    ContactList,
    OptOut,
    Recipient,
    Topic,
    Unsubscribe,
    handle_unsubscribe,
)
from sesflow.testing import FakeMessage, FakeSES

SECRET = "a long random secret, 32+ bytes!"
ONE_CLICK = b"List-Unsubscribe=One-Click"
READERS = [f"reader{i}@example.com" for i in range(7)]


@pytest.fixture
def sender(ses: sesflow.SES, fake: FakeSES) -> sesflow.Sender:
    fake.verify("news@example.com")
    ses.template("spring").create(
        "Spring news for {{name}}", text="Hi {{name}}. Unsubscribe: {{unsubscribe_url}}"
    )
    return ses.sender("news@example.com")


@pytest.fixture
def news(ses: sesflow.SES) -> ContactList:
    return ses.contact_list("newsletter").create(
        topics=[Topic("weekly", "Weekly"), Topic("offers", "Offers", default="OPT_OUT")]
    )


@pytest.fixture
def unsub() -> Unsubscribe:
    return Unsubscribe(
        SECRET, "https://example.com/u", mailto="unsubscribe@example.com", topic="weekly"
    )


def _link(message: FakeMessage) -> str:
    return dict(message.headers)["List-Unsubscribe"].split(">", 1)[0][1:]


def _token(message: FakeMessage) -> str:
    return _link(message).rsplit("/", 1)[1]


def test_each_bulk_message_carries_its_recipients_headers(
    sender: sesflow.Sender, fake: FakeSES, unsub: Unsubscribe
) -> None:
    report = sender.send_bulk(
        [*READERS[:3], Recipient(READERS[3], data={"name": "Dee"}, headers={"X-Tier": "vip"})],
        "spring",
        default_data={"name": "reader"},
        unsubscribe=unsub,
    )
    assert (report.sent, report.failed) == (4, 0)
    messages = {m.to[0]: m for m in fake.outbox}
    assert sorted(messages) == sorted(READERS[:4])
    for address, message in messages.items():
        headers = dict(message.headers)
        token = _token(message)
        assert headers["List-Unsubscribe"] == (
            f"<https://example.com/u/{token}>, "
            f"<mailto:unsubscribe@example.com?subject=unsubscribe%20{token}>"
        )
        assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        # The token is this recipient's, for the topic and the campaign (the template).
        said = unsub.verify(token)
        assert (said.address, said.topic, said.campaign) == (address, "weekly", "spring")
        # The visible link in the body is the same URL.
        assert message.text is not None
        assert message.text.endswith(f"Unsubscribe: {_link(message)}")
    assert dict(messages[READERS[3]].headers)["X-Tier"] == "vip"
    assert messages[READERS[3]].subject == "Spring news for Dee"
    assert len({_token(m) for m in messages.values()}) == 4


def test_a_token_is_refused_when_tampered_with_or_for_another_secret_or_topic(
    sender: sesflow.Sender, fake: FakeSES, unsub: Unsubscribe
) -> None:
    sender.send_bulk(READERS[:2], "spring", default_data={"name": "x"}, unsubscribe=unsub)
    first, second = (_token(m) for m in fake.outbox)
    key, payload, mac = first.split(".")
    _, other_payload, other_mac = second.split(".")
    # Another recipient's address under this recipient's signature:
    for forged in (f"{key}.{other_payload}.{mac}", f"{key}.{payload}.{other_mac}"):
        with pytest.raises(sesflow.InvalidTokenError):
            unsub.verify(forged)
    with pytest.raises(sesflow.InvalidTokenError):
        Unsubscribe("another random secret, 32 bytes!", "https://example.com/u").verify(first)
    with pytest.raises(sesflow.InvalidTokenError):
        Unsubscribe(SECRET, "https://example.com/u", topic="offers").verify(first)


def test_handle_unsubscribe_round_trip_and_the_next_campaign_skips(
    sender: sesflow.Sender, fake: FakeSES, news: ContactList, unsub: Unsubscribe
) -> None:
    sender.send_bulk(
        READERS, "spring", default_data={"name": "x"}, unsubscribe=unsub, contact_list=news
    )
    message = next(m for m in fake.outbox if m.to == (READERS[2],))
    url = _link(message)
    action = OptOut(news)
    # A scanner (or the reader) opening the link: a page, nothing changes.
    status, _, page = handle_unsubscribe("GET", url, b"", secrets=SECRET, on_unsubscribe=action)
    assert (status, b'name="List-Unsubscribe" value="One-Click"' in page) == (200, True)
    assert news.contacts.get(READERS[2]) is None
    # The mail client's RFC 8058 POST.
    status, _, _ = handle_unsubscribe(
        "POST",
        url,
        ONE_CLICK,
        secrets=SECRET,
        on_unsubscribe=action,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert status == 200
    contact = news.contacts.get(READERS[2])
    assert contact is not None
    assert not contact.subscribed("weekly")
    assert contact.subscribed("offers") is False  # its default; untouched by the opt-out
    assert [(p.topic, p.status.value) for p in contact.preferences] == [("weekly", "OPT_OUT")]

    fake.clear_outbox()
    report = sender.send_bulk(
        READERS,
        "spring",
        default_data={"name": "x"},
        unsubscribe=unsub,
        contact_list=news,
        topic="weekly",
    )
    assert (report.total, report.sent, report.skipped, report.opted_out) == (7, 6, 1, 1)
    assert "opted_out=1" in repr(report)
    assert READERS[2] not in {m.to[0] for m in fake.outbox}
    assert len(fake.outbox) == 6


def test_skips_are_read_once_per_run_paged(
    sender: sesflow.Sender, fake: FakeSES, news: ContactList
) -> None:
    for i in range(150):
        news.contacts.add(f"contact{i}@example.com", topics={"weekly": "OPT_IN"})
    news.contacts.add("left@example.com", topics={"weekly": "OPT_OUT"})
    news.contacts.add("gone@example.com", unsubscribe_all=True)
    news.contacts.add("never@example.com")  # no choice: the topic's default
    recipients = [f"contact{i}@example.com" for i in range(150)]
    recipients += ["left@example.com", "gone@example.com", "never@example.com", "new@example.com"]
    before = {op: fake.call_count(op) for op in ("ListContacts", "GetContact")}
    report = sender.send_bulk(
        recipients, "spring", default_data={"name": "x"}, contact_list=news, topic="offers"
    )
    assert fake.call_count("ListContacts") - before["ListContacts"] == 2  # 153 contacts, 100 a page
    assert fake.call_count("GetContact") == before["GetContact"]
    # offers defaults to OPT_OUT: only those who opted in... and nobody did.
    assert (report.sent, report.opted_out) == (1, 153)
    assert [m.to[0] for m in fake.outbox] == ["new@example.com"]
    fake.clear_outbox()
    report = sender.send_bulk(
        recipients, "spring", default_data={"name": "x"}, contact_list=news, topic="weekly"
    )
    assert (report.sent, report.opted_out) == (152, 2)
    assert {"left@example.com", "gone@example.com"}.isdisjoint(m.to[0] for m in fake.outbox)
    # Without a topic, only who left everything is skipped.
    fake.clear_outbox()
    report = sender.send_bulk(
        recipients, "spring", default_data={"name": "x"}, contact_list="newsletter"
    )
    assert (report.sent, report.opted_out) == (153, 1)


def test_skip_logs_count_not_addresses(
    sender: sesflow.Sender, news: ContactList, caplog: pytest.LogCaptureFixture
) -> None:
    news.contacts.add("left@example.com", topics={"weekly": "OPT_OUT"})
    caplog.set_level(logging.INFO, logger="sesflow")
    report = sender.send_bulk(
        ["left@example.com", "stay@example.com"],
        "spring",
        default_data={"name": "x"},
        contact_list=news,
        topic="weekly",
    )
    assert report.opted_out == 1
    assert "1 contact(s) of newsletter left topic weekly" in caplog.text
    assert "left@example.com" not in caplog.text


def test_a_recipient_that_cannot_carry_the_headers_fails_alone(
    sender: sesflow.Sender, fake: FakeSES, unsub: Unsubscribe
) -> None:
    crowded = {f"X-H{i}": "v" for i in range(14)}
    report = sender.send_bulk(
        [
            "ok@example.com",
            Recipient("own@example.com", headers={"List-Unsubscribe": "<https://x.example/u>"}),
            Recipient("crowded@example.com", headers=crowded),
        ],
        "spring",
        default_data={"name": "x"},
        unsubscribe=unsub,
    )
    assert (report.sent, report.failed) == (1, 2)
    assert {(f.address, f.status) for f in report.failures} == {
        ("own@example.com", BulkEmailStatus.INVALID_RECIPIENT),
        ("crowded@example.com", BulkEmailStatus.INVALID_RECIPIENT),
    }
    assert [m.to for m in fake.outbox] == [("ok@example.com",)]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"unsubscribe": "yes"}, "unsubscribe"),
        ({"topic": "weekly"}, "topic"),
        (
            {"unsubscribe": Unsubscribe(SECRET, "https://example.com/u", topic="a"), "topic": "b"},
            "topic",
        ),
        ({"contact_list": "news letter"}, "contact_list"),
        ({"contact_list": "newsletter", "topic": "two words"}, "topic"),
    ],
)
def test_bad_bulk_arguments_are_refused_before_any_call(
    sender: sesflow.Sender, fake: FakeSES, kwargs: dict[str, Any], field: str
) -> None:
    calls = len(fake.calls)
    with pytest.raises(sesflow.ValidationError) as excinfo:
        sender.send_bulk(READERS, "spring", **kwargs)
    assert excinfo.value.field == field
    assert len(fake.calls) == calls


def test_a_missing_contact_list_stops_the_run_before_any_send(
    sender: sesflow.Sender, fake: FakeSES
) -> None:
    with pytest.raises(sesflow.NotFoundError) as excinfo:
        sender.send_bulk(READERS, "spring", default_data={"name": "x"}, contact_list="nope")
    report = sesflow.partial_report(excinfo.value)
    assert report is not None
    assert report.sent == 0
    assert fake.outbox == []


def test_a_botocore_without_replacement_headers_is_refused(
    sender: sesflow.Sender,
    ses: sesflow.SES,
    fake: FakeSES,
    monkeypatch: pytest.MonkeyPatch,
    unsub: Unsubscribe,
) -> None:
    model = ses.client.meta.service_model
    real = model.shape_for

    def older(name: str, member_traits: Any = None) -> Any:
        shape: Any = real(name)
        if name == "BulkEmailEntry":
            shape = type(
                "Shape",
                (),
                {"members": {k: v for k, v in shape.members.items() if k != "ReplacementHeaders"}},
            )()
        return shape

    monkeypatch.setattr(model, "shape_for", older)
    calls = len(fake.calls)
    with pytest.raises(sesflow.ValidationError, match=r"BulkEmailEntry\.ReplacementHeaders"):
        sender.send_bulk(READERS, "spring", unsubscribe=unsub)
    assert len(fake.calls) == calls


# --- single sends -----------------------------------------------------------------------------


def test_a_single_send_with_unsubscribe(
    sender: sesflow.Sender, fake: FakeSES, unsub: Unsubscribe
) -> None:
    sender.send(
        "ann@example.com", "Hello", text="Hi", headers={"X-Campaign": "hello"}, unsubscribe=unsub
    )
    message = fake.outbox[-1]
    said = unsub.verify(_token(message))
    assert (said.address, said.topic, said.campaign) == ("ann@example.com", "weekly", None)
    assert dict(message.headers)["X-Campaign"] == "hello"
    sender.send_template("bob@example.com", "spring", data={"name": "Bob"}, unsubscribe=unsub)
    message = fake.outbox[-1]
    assert unsub.verify(_token(message)).campaign == "spring"
    assert message.text == f"Hi Bob. Unsubscribe: {_link(message)}"


def test_a_single_send_with_list_management(
    sender: sesflow.Sender, fake: FakeSES, news: ContactList
) -> None:
    sender.send(
        "ann@example.com",
        "Hello",
        text="Leave: {{amazonSESUnsubscribeUrl}}",
        contact_list=news,
        topic="weekly",
    )
    message = fake.outbox[-1]
    assert dict(message.headers)["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message.text == f"Leave: {_link(message)}"
    news.contacts.opt_out("ann@example.com", "weekly")
    sender.send_template(
        "ann@example.com", "spring", data={"name": "Ann"}, contact_list="newsletter", topic="weekly"
    )
    assert fake.deliveries("ann@example.com") == 1  # SES does not deliver the second
    assert [r.address for r in fake.unsubscribed_recipients] == ["ann@example.com"]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"to": ["a@example.com", "b@example.com"], "unsubscribe": "u"}, "unsubscribe"),
        (
            {"to": "a@example.com", "cc": "b@example.com", "contact_list": "newsletter"},
            "contact_list",
        ),
        ({"to": "a@example.com", "contact_list": "newsletter", "unsubscribe": "u"}, "unsubscribe"),
        ({"to": "a@example.com", "topic": "weekly"}, "topic"),
        (
            {"to": "a@example.com", "unsubscribe": "u", "headers": {"list-unsubscribe": "<x>"}},
            "headers",
        ),
        ({"to": "a@example.com", "unsubscribe": object()}, "unsubscribe"),
    ],
)
def test_bad_single_send_arguments_are_refused_before_any_call(
    sender: sesflow.Sender, fake: FakeSES, unsub: Unsubscribe, kwargs: dict[str, Any], field: str
) -> None:
    if kwargs.get("unsubscribe") == "u":
        kwargs["unsubscribe"] = unsub
    calls = len(fake.calls)
    with pytest.raises(sesflow.ValidationError) as excinfo:
        sender.send(subject="Hi", text="x", **kwargs)
    assert excinfo.value.field == field
    assert len(fake.calls) == calls
