"""One-click unsubscribe tokens, links and headers, and `handle_unsubscribe`."""

from __future__ import annotations

import logging
import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

import sesflow
from sesflow import InvalidTokenError, Unsubscribe, UnsubscribeToken, handle_unsubscribe

SECRET = "a long random secret, 32+ bytes!"
OTHER = "another random secret, 32 bytes!"
URL = "https://example.com/u"
ONE_CLICK = b"List-Unsubscribe=One-Click"

addresses = st.builds(
    lambda local, domain: f"{local}@{domain}.example",
    st.text(string.ascii_letters + string.digits + "._+-", min_size=1, max_size=40).filter(
        lambda s: not s.startswith(".") and not s.endswith(".") and ".." not in s
    ),
    st.text(string.ascii_lowercase + string.digits, min_size=1, max_size=20),
)
topics = st.none() | st.from_regex(r"[A-Za-z0-9_-]{1,64}", fullmatch=True)
campaigns = st.none() | st.text(
    string.ascii_letters + string.digits + " -_./", min_size=1, max_size=60
)


# --- tokens -----------------------------------------------------------------------------------


@given(address=addresses, topic=topics, campaign=campaigns)
def test_a_token_round_trips(address: str, topic: str | None, campaign: str | None) -> None:
    unsub = Unsubscribe(SECRET, URL, topic=topic)
    token = unsub.token(address, campaign=campaign)
    assert unsub.verify(token) == UnsubscribeToken(address, topic, campaign, "1")
    assert all(c in string.ascii_letters + string.digits + "-_." for c in token)


@given(address=addresses, data=st.data())
def test_any_change_to_a_token_is_refused(address: str, data: st.DataObject) -> None:
    unsub = Unsubscribe(SECRET, URL, topic="weekly")
    token = unsub.token(address, campaign="spring")
    position = data.draw(st.integers(0, len(token) - 1))
    replacement = data.draw(st.sampled_from(string.ascii_letters + string.digits + "-_.="))
    tampered = token[:position] + replacement + token[position + 1 :]
    if tampered == token:
        return  # the same character drawn: nothing changed
    with pytest.raises(InvalidTokenError):
        unsub.verify(tampered)


@given(address=addresses, other=addresses)
def test_a_token_names_its_own_address_only(address: str, other: str) -> None:
    unsub = Unsubscribe(SECRET, URL)
    said = unsub.verify(unsub.token(address))
    assert said.address == address
    if other != address:
        assert unsub.token(other) != unsub.token(address)
        assert unsub.verify(unsub.token(other)).address == other


def test_another_secret_or_topic_is_refused() -> None:
    token = Unsubscribe(SECRET, URL, topic="weekly").token("ann@example.com")
    with pytest.raises(InvalidTokenError) as signature:
        Unsubscribe(OTHER, URL).verify(token)
    assert signature.value.reason == "signature"
    with pytest.raises(InvalidTokenError) as topic:
        Unsubscribe(SECRET, URL, topic="offers").verify(token)
    assert topic.value.reason == "topic"
    assert Unsubscribe(SECRET, URL).verify(token).topic == "weekly"  # no topic: any passes
    with pytest.raises(InvalidTokenError) as key:
        Unsubscribe({"2": SECRET}, URL).verify(token)
    assert key.value.reason == "key"


def test_secrets_rotate_by_key_id() -> None:
    old = Unsubscribe({"2026-01": SECRET}, URL)
    new = Unsubscribe({"2026-06": OTHER, "2026-01": SECRET}, URL)
    issued = old.token("ann@example.com")
    assert new.verify(issued).key_id == "2026-01"  # still honoured
    fresh = new.token("ann@example.com")
    assert fresh.startswith("2026-06.")  # the first secret signs
    with pytest.raises(InvalidTokenError):
        old.verify(fresh)
    # A single secret is key id "1": rotating away from it keeps it under that id.
    assert (
        Unsubscribe({"2": OTHER, "1": SECRET}, URL)
        .verify(Unsubscribe(SECRET, URL).token("ann@example.com"))
        .key_id
        == "1"
    )


@pytest.mark.parametrize(
    "token",
    ["", "x", "1.a", "1.a.b.c", "ü.a.b", "1.%%%.AAAA", "1." + "A" * 3000 + ".AAAA", None, 7],
)
def test_malformed_tokens_are_refused(token: object) -> None:
    with pytest.raises(InvalidTokenError) as excinfo:
        Unsubscribe(SECRET, URL).verify(token)  # type: ignore[arg-type]
    assert excinfo.value.reason == "format"


def test_only_the_canonical_encoding_verifies() -> None:
    unsub = Unsubscribe(SECRET, URL)
    token = unsub.token("ann@example.com")
    key_id, payload, mac = token.split(".")
    # The last base64 character of the MAC carries 4 unused bits; setting one spells the
    # same bytes differently.
    alphabet = string.ascii_uppercase + string.ascii_lowercase + string.digits + "-_"
    twin = alphabet[alphabet.index(mac[-1]) ^ 1]
    with pytest.raises(InvalidTokenError):
        unsub.verify(f"{key_id}.{payload}.{mac[:-1]}{twin}")


def test_links_and_headers() -> None:
    unsub = Unsubscribe(SECRET, "https://example.com/u/?list=news", mailto="leave@example.com")
    token = unsub.token("ann@example.com", campaign="spring")
    assert unsub.link("ann@example.com", campaign="spring") == (
        f"https://example.com/u/{token}?list=news"
    )
    headers = unsub.headers("ann@example.com", campaign="spring")
    assert headers == {
        "List-Unsubscribe": (
            f"<https://example.com/u/{token}?list=news>, "
            f"<mailto:leave@example.com?subject=unsubscribe%20{token}>"
        ),
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    long_url = Unsubscribe(SECRET, "https://example.com/" + "u" * 960)
    with pytest.raises(sesflow.ValidationError, match="995"):
        long_url.headers("ann@example.com")


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"secrets": "short"}, "secrets"),
        ({"secrets": {}}, "secrets"),
        ({"secrets": {"bad id!": SECRET}}, "secrets"),
        ({"secrets": 42}, "secrets"),
        ({"url": "http://example.com/u"}, "url"),
        ({"url": "https://example.com/u#frag"}, "url"),
        ({"url": "https://exämple.com/u"}, "url"),
        ({"url": "https://example.com/<u>"}, "url"),
        ({"mailto": "not an address"}, "mailto"),
        ({"topic": "two words"}, "topic"),
        ({"campaign": "line\nbreak"}, "campaign"),
        ({"data_key": "not-a-variable"}, "data_key"),
    ],
)
def test_bad_arguments_are_refused(kwargs: dict[str, object], field: str) -> None:
    arguments: dict[str, object] = {"secrets": SECRET, "url": URL, **kwargs}
    with pytest.raises(sesflow.ValidationError) as excinfo:
        Unsubscribe(**arguments)  # type: ignore[arg-type]
    assert excinfo.value.field == field


def test_the_repr_shows_no_secret_and_it_cannot_change() -> None:
    unsub = Unsubscribe({"k1": SECRET}, URL, topic="weekly")
    assert repr(unsub) == "Unsubscribe('https://example.com/u', key_ids=['k1'], topic='weekly')"
    assert SECRET not in repr(unsub)
    with pytest.raises(AttributeError, match="immutable"):
        unsub.topic = "offers"
    assert unsub.topic == "weekly"


# --- handle_unsubscribe -----------------------------------------------------------------------


class Recorder:
    def __init__(self) -> None:
        self.calls: list[tuple[str, str | None, str | None]] = []

    def __call__(self, address: str, topic: str | None, campaign: str | None) -> None:
        self.calls.append((address, topic, campaign))


@pytest.fixture
def unsub() -> Unsubscribe:
    return Unsubscribe(SECRET, URL, topic="weekly", campaign="spring")


def test_a_one_click_post_unsubscribes(unsub: Unsubscribe) -> None:
    record = Recorder()
    link = unsub.link("ann@example.com")
    status, headers, body = handle_unsubscribe(
        "POST",
        link,
        ONE_CLICK,
        secrets=SECRET,
        on_unsubscribe=record,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert (status, record.calls) == (200, [("ann@example.com", "weekly", "spring")])
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert headers["Referrer-Policy"] == "no-referrer"
    assert headers["Cache-Control"] == "no-store"
    assert b"Unsubscribed" in body
    # Repeated: harmless, the same call again (the action is idempotent).
    assert (
        handle_unsubscribe("post", link, ONE_CLICK, secrets=SECRET, on_unsubscribe=record)[0] == 200
    )
    assert record.calls == [("ann@example.com", "weekly", "spring")] * 2


def test_a_path_only_url_and_a_multipart_body_work(unsub: Unsubscribe) -> None:
    record = Recorder()
    path = "/u/" + unsub.token("ann@example.com") + "?utm=x"
    multipart = (
        b'--XyZ\r\nContent-Disposition: form-data; name="List-Unsubscribe"\r\n\r\n'
        b"One-Click\r\n--XyZ--\r\n"
    )
    status, _, _ = handle_unsubscribe(
        "POST",
        path,
        multipart,
        secrets=unsub,
        on_unsubscribe=record,
        headers={"content-type": "multipart/form-data; boundary=XyZ"},
    )
    assert (status, record.calls) == (200, [("ann@example.com", "weekly", "spring")])


def test_a_get_never_unsubscribes_but_offers_a_button(unsub: Unsubscribe) -> None:
    record = Recorder()
    link = unsub.link("ann@example.com")
    status, headers, page = handle_unsubscribe(
        "GET", link, None, secrets=SECRET, on_unsubscribe=record
    )
    assert (status, record.calls) == (200, [])
    text = page.decode()
    assert '<form method="post">' in text
    assert '<input type="hidden" name="List-Unsubscribe" value="One-Click">' in text
    assert "ann@example.com" in text
    assert "weekly" in text
    assert "noindex" in headers["X-Robots-Tag"]
    head = handle_unsubscribe("HEAD", link, None, secrets=SECRET, on_unsubscribe=record)
    assert (head[0], head[2], record.calls) == (200, b"", [])


@pytest.mark.parametrize(
    "make_url",
    [
        lambda u: (
            u.link("ann@example.com")[:-1] + ("A" if u.link("ann@example.com")[-1] != "A" else "B")
        ),
        lambda u: Unsubscribe(OTHER, URL).link("ann@example.com"),
        lambda u: "https://example.com/u/",
        lambda u: "https://example.com/u/nonsense",
    ],
    ids=["tampered", "other-secret", "no-token", "nonsense"],
)
def test_a_bad_token_answers_400_and_calls_nothing(unsub: Unsubscribe, make_url: object) -> None:
    record = Recorder()
    url = make_url(unsub)  # type: ignore[operator]
    for method in ("GET", "POST"):
        status, _, page = handle_unsubscribe(
            method, url, ONE_CLICK, secrets=SECRET, on_unsubscribe=record
        )
        assert (status, b"not valid" in page) == (400, True)
    assert record.calls == []


def test_topics_restrict_what_passes(unsub: Unsubscribe) -> None:
    record = Recorder()
    link = unsub.link("ann@example.com")
    status = handle_unsubscribe(
        "POST", link, ONE_CLICK, secrets=SECRET, on_unsubscribe=record, topics=["offers"]
    )[0]
    assert (status, record.calls) == (400, [])
    offers = Unsubscribe(SECRET, URL, topic="offers")
    assert (
        handle_unsubscribe("POST", link, ONE_CLICK, secrets=offers, on_unsubscribe=record)[0] == 400
    )
    assert record.calls == []


@pytest.mark.parametrize(
    "body", [b"", b"List-Unsubscribe=Yes", b"\xff\xfe", "List-Unsubscribe=Two-Clicks"]
)
def test_a_post_without_the_one_click_body_answers_400(
    unsub: Unsubscribe, body: bytes | str
) -> None:
    record = Recorder()
    link = unsub.link("ann@example.com")
    assert handle_unsubscribe("POST", link, body, secrets=SECRET, on_unsubscribe=record)[0] == 400
    assert record.calls == []
    # The same body as str works too.
    assert (
        handle_unsubscribe("POST", link, ONE_CLICK.decode(), secrets=SECRET, on_unsubscribe=record)[
            0
        ]
        == 200
    )


def test_other_methods_answer_405(unsub: Unsubscribe) -> None:
    status, headers, _ = handle_unsubscribe(
        "DELETE", unsub.link("ann@example.com"), b"", secrets=SECRET, on_unsubscribe=Recorder()
    )
    assert (status, headers["Allow"]) == (405, "GET, HEAD, POST")


def test_a_failing_action_answers_500_and_logs_no_address(
    unsub: Unsubscribe, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(address: str, topic: str | None, campaign: str | None) -> None:
        raise RuntimeError("database down")

    caplog.set_level(logging.INFO, logger="sesflow")
    link = unsub.link("ann@example.com")
    assert (
        handle_unsubscribe("POST", link, ONE_CLICK, secrets=SECRET, on_unsubscribe=broken)[0] == 500
    )
    assert (
        handle_unsubscribe("POST", link, ONE_CLICK, secrets=SECRET, on_unsubscribe=Recorder())[0]
        == 200
    )
    assert "database down" in caplog.text
    assert "a***@example.com" in caplog.text
    assert "ann@example.com" not in caplog.text


def test_at_debug_the_address_may_be_logged(
    unsub: Unsubscribe, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="sesflow")
    link = unsub.link("ann@example.com")
    handle_unsubscribe("POST", link, ONE_CLICK, secrets=SECRET, on_unsubscribe=Recorder())
    assert "unsubscribed ann@example.com from weekly" in caplog.text
