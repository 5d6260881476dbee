"""Contact lists and their contacts through the SDK: against FakeSES and, where moto covers
it (CRUD, unfiltered listings without paging), against moto too."""

from __future__ import annotations

from collections.abc import Callable

import pytest

import sesflow
from sesflow import ContactList, SubscriptionStatus, Topic, TopicPreference
from sesflow.testing import FakeSES

WEEKLY = Topic("weekly", "Weekly digest", description="Every Monday")
OFFERS = Topic("offers", "Special offers", default="OPT_OUT")


@pytest.fixture
def news(ses: sesflow.SES) -> ContactList:
    return ses.contact_list("newsletter").create(topics=[WEEKLY, OFFERS], description="Readers")


# --- the resource, on moto and on the fake ---------------------------------------------------


def test_lifecycle_on_moto_and_the_fake(any_ses: sesflow.SES) -> None:
    news = any_ses.contact_list("newsletter")
    assert not news.exists()
    assert news.create(topics=[WEEKLY], description="Readers") is news
    assert news.exists()
    assert news.refresh().topics == (WEEKLY,)
    assert news.description == "Readers"
    assert [c.name for c in any_ses.contact_lists()] == ["newsletter"]
    news.update(description="All readers")
    # update keeps the topics it was not given (SES replaces the whole list)
    assert (news.topics, news.description) == ((WEEKLY,), "All readers")
    news.update(topics=[WEEKLY, OFFERS])
    assert [t.name for t in news.topics] == ["weekly", "offers"]
    news.delete()
    news.delete()  # idempotent
    assert not news.exists()
    with pytest.raises(sesflow.NotFoundError):
        news.refresh()


def test_contacts_on_moto_and_the_fake(any_ses: sesflow.SES) -> None:
    contacts = any_ses.contact_list("newsletter").create(topics=[WEEKLY]).contacts
    contacts.add("ann@example.com", topics={"weekly": "OPT_IN"}, attributes={"plan": "pro"})
    contacts.add("bob@example.com")
    ann = contacts.get("ann@example.com")
    assert ann is not None
    assert ann.preferences == (TopicPreference("weekly", SubscriptionStatus.OPT_IN),)
    assert ann.attributes == '{"plan":"pro"}'
    assert contacts.get("nobody@example.com") is None
    contacts.update("ann@example.com", topics={"weekly": "OPT_OUT"})
    assert contacts.get("ann@example.com").status("weekly") is SubscriptionStatus.OPT_OUT  # type: ignore[union-attr]
    contacts.opt_out("bob@example.com")  # from every topic
    bob = contacts.get("bob@example.com")
    assert bob is not None
    assert bob.unsubscribe_all
    assert not bob.subscribed("weekly")
    assert sorted(c.address for c in contacts) == ["ann@example.com", "bob@example.com"]
    contacts.remove("ann@example.com")
    contacts.remove("ann@example.com")  # idempotent
    assert "ann@example.com" not in contacts
    assert "bob@example.com" in contacts


def test_contacts_of_a_missing_list_are_not_found(any_ses: sesflow.SES) -> None:
    contacts = any_ses.contact_list("nope").contacts
    with pytest.raises(sesflow.NotFoundError):
        contacts.get("ann@example.com")
    with pytest.raises(sesflow.NotFoundError):
        contacts.opt_out("ann@example.com", "weekly")


# --- what only the fake enforces ---------------------------------------------------------------


def test_create_is_idempotent_and_keeps_the_list(ses: sesflow.SES, news: ContactList) -> None:
    ses.contact_list("newsletter").create(topics=[])
    assert [t.name for t in ses.contact_list("newsletter").topics] == ["weekly", "offers"]


def test_one_contact_list_per_account(ses: sesflow.SES, news: ContactList) -> None:
    with pytest.raises(sesflow.LimitExceededError, match="one contact list per account"):
        ses.contact_list("another").create()


def test_bad_input_is_refused_before_any_call(ses: sesflow.SES, fake: FakeSES) -> None:
    too_many = [Topic(f"t{i}", f"Topic {i}") for i in range(21)]
    cases: list[Callable[[], object]] = [
        lambda: ses.contact_list("newsletter").create(topics=too_many),
        lambda: ses.contact_list("newsletter").create(topics=[WEEKLY, WEEKLY]),
        lambda: ses.contact_list("newsletter").create(topics=["weekly"]),  # type: ignore[list-item]
        lambda: ses.contact_list("news letter"),
        lambda: ses.contact_list("newsletter").contacts.add("not an address"),
        lambda: ses.contact_list("newsletter").contacts.add("a@example.com", topics={"w": "MAYBE"}),
        lambda: ses.contact_list("newsletter").contacts.add("a@example.com", attributes={1j: 1}),  # type: ignore[dict-item]
        lambda: list(ses.contact_list("newsletter").contacts.filter(status="SOMETIMES")),
        lambda: list(ses.contact_list("newsletter").contacts.filter(page_size=0)),
    ]
    for case in cases:
        with pytest.raises(sesflow.ValidationError):
            case()
    assert fake.calls == []
    with pytest.raises(sesflow.ValidationError, match="display_name"):
        Topic("weekly", "")
    with pytest.raises(sesflow.ValidationError, match=r"topic\.default"):
        Topic("weekly", "Weekly", default="MAYBE")


def test_listing_pages_through_every_contact(news: ContactList, fake: FakeSES) -> None:
    addresses = [f"reader{i:03}@example.com" for i in range(23)]
    for address in addresses:
        news.contacts.add(address)
    before = fake.call_count("ListContacts")
    assert [c.address for c in news.contacts.filter(page_size=5)] == addresses
    assert fake.call_count("ListContacts") - before == 5  # 23 contacts, 5 a page


def test_filters_by_topic_and_status(news: ContactList) -> None:
    contacts = news.contacts
    contacts.add("in@example.com", topics={"weekly": "OPT_IN", "offers": "OPT_IN"})
    contacts.add("out@example.com", topics={"weekly": "OPT_OUT"})
    contacts.add("quiet@example.com")  # chose nothing: the topics' defaults
    contacts.add("gone@example.com", unsubscribe_all=True)

    def listed(**where: object) -> list[str]:
        return [c.address for c in contacts.filter(**where)]  # type: ignore[arg-type]

    assert listed(topic="weekly", status="OPT_IN") == ["in@example.com", "quiet@example.com"]
    assert listed(topic="weekly", status="OPT_OUT") == ["out@example.com", "gone@example.com"]
    assert listed(topic="offers", status="OPT_OUT") == [
        "out@example.com",
        "quiet@example.com",
        "gone@example.com",
    ]
    # Without the defaults, only the contacts that chose (or left everything) have a status.
    assert listed(topic="offers", use_default=False) == ["in@example.com", "gone@example.com"]
    assert listed(status=SubscriptionStatus.OPT_OUT) == ["gone@example.com"]


def test_get_reports_the_defaults_that_apply(news: ContactList) -> None:
    news.contacts.add("quiet@example.com", topics={"weekly": "OPT_OUT"})
    quiet = news.contacts.get("quiet@example.com")
    assert quiet is not None
    assert quiet.defaults == (TopicPreference("offers", SubscriptionStatus.OPT_OUT),)
    assert quiet.status("weekly") is SubscriptionStatus.OPT_OUT
    assert quiet.status("offers") is SubscriptionStatus.OPT_OUT
    assert quiet.status("unknown") is None
    assert quiet.subscribed("unknown")


def test_add_leaves_an_existing_contact_and_update_merges(news: ContactList) -> None:
    contacts = news.contacts
    contacts.add("ann@example.com", topics={"weekly": "OPT_IN"})
    contacts.add("ann@example.com", topics={"weekly": "OPT_OUT"})  # already there: unchanged
    assert contacts.get("ann@example.com").status("weekly") == "OPT_IN"  # type: ignore[union-attr]
    contacts.update("ann@example.com", topics={"offers": "OPT_IN"})
    ann = contacts.get("ann@example.com")
    assert ann is not None
    assert {p.topic: p.status.value for p in ann.preferences} == {
        "weekly": "OPT_IN",
        "offers": "OPT_IN",
    }
    with pytest.raises(sesflow.NotFoundError):
        contacts.update("nobody@example.com", topics={"weekly": "OPT_IN"})


def test_opt_out_adds_a_contact_not_yet_on_the_list(news: ContactList, fake: FakeSES) -> None:
    news.contacts.opt_out("new@example.com", "weekly")
    news.contacts.opt_out("new@example.com", "weekly")  # repeated: harmless
    [contact] = fake.contact_list_state("newsletter").contacts
    assert (contact.email_address, dict(contact.preferences)) == (
        "new@example.com",
        {"weekly": "OPT_OUT"},
    )
    assert not contact.unsubscribe_all


def test_an_unknown_topic_is_refused_by_ses(news: ContactList) -> None:
    with pytest.raises(sesflow.BadRequestError, match="Topic nope does not exist"):
        news.contacts.add("ann@example.com", topics={"nope": "OPT_IN"})
    with pytest.raises(sesflow.NotFoundError, match="no topic 'nope'"):
        news.topic("nope")


def test_removing_a_topic_drops_its_preferences(news: ContactList) -> None:
    news.contacts.add("ann@example.com", topics={"weekly": "OPT_IN", "offers": "OPT_IN"})
    news.update(topics=[WEEKLY])
    ann = news.contacts.get("ann@example.com")
    assert ann is not None
    assert [p.topic for p in ann.preferences] == ["weekly"]


def test_contact_lists_page(ses: sesflow.SES, news: ContactList, fake: FakeSES) -> None:
    assert list(ses.contact_lists(page_size=1)) == [news]
    assert fake.call_count("ListContactLists") == 1
