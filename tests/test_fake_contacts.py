"""FakeSES list management: contact lists, topics and contacts with SES's rules, and what
`ListManagementOptions` does to a `SendEmail`."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest
from botocore.exceptions import ClientError

from sesflow.testing import FakeClock, FakeSES, FakeUnsubscribedRecipient

if TYPE_CHECKING:
    from types_boto3_sesv2 import SESV2Client

SENDER = "news@example.com"
TOPICS: Any = [
    {"TopicName": "weekly", "DisplayName": "Weekly", "DefaultSubscriptionStatus": "OPT_IN"},
    {"TopicName": "offers", "DisplayName": "Offers", "DefaultSubscriptionStatus": "OPT_OUT"},
]


@pytest.fixture
def fake(clock: FakeClock) -> FakeSES:
    fake = FakeSES(clock=clock, seed=3, max_send_rate=1000)
    fake.verify("example.com")
    return fake


@pytest.fixture
def client(fake: FakeSES) -> SESV2Client:
    client = fake.client()
    client.create_contact_list(ContactListName="newsletter", Topics=TOPICS)
    return client


def _refused(call: Callable[..., Any], **params: Any) -> tuple[str, str]:
    with pytest.raises(ClientError) as excinfo:
        call(**params)
    return excinfo.value.response["Error"]["Code"], excinfo.value.response["Error"]["Message"]


def _send(
    client: SESV2Client, to: str, text: str = "Bye: {{amazonSESUnsubscribeUrl}}", **params: Any
) -> str:
    return client.send_email(
        FromEmailAddress=SENDER,
        Destination={"ToAddresses": [to]},
        Content={"Simple": {"Subject": {"Data": "Hi"}, "Body": {"Text": {"Data": text}}}},
        **params,
    )["MessageId"]


MANAGED: Any = {"ListManagementOptions": {"ContactListName": "newsletter", "TopicName": "weekly"}}


def test_one_contact_list_per_account(client: SESV2Client) -> None:
    assert _refused(client.create_contact_list, ContactListName="newsletter")[0] == (
        "AlreadyExistsException"
    )
    code, message = _refused(client.create_contact_list, ContactListName="another")
    assert code == "LimitExceededException"
    assert "1 contact list" in message
    client.delete_contact_list(ContactListName="newsletter")
    client.create_contact_list(ContactListName="another")  # room again
    assert [c["ContactListName"] for c in client.list_contact_lists()["ContactLists"]] == [
        "another"
    ]


def test_at_most_20_distinct_topics(fake: FakeSES) -> None:
    client = fake.client()
    topics: Any = [
        {"TopicName": f"t{i}", "DisplayName": f"T{i}", "DefaultSubscriptionStatus": "OPT_IN"}
        for i in range(21)
    ]
    assert _refused(client.create_contact_list, ContactListName="a", Topics=topics)[0] == (
        "BadRequestException"
    )
    assert _refused(
        client.create_contact_list, ContactListName="a", Topics=[topics[0], topics[0]]
    ) == ("BadRequestException", "Topic t0 is listed twice.")
    client.create_contact_list(ContactListName="a", Topics=topics[:20])
    assert len(fake.contact_list_state("a").topics) == 20
    assert _refused(client.update_contact_list, ContactListName="a", Topics=topics)[0] == (
        "BadRequestException"
    )


def test_contacts_follow_the_lists_topics(client: SESV2Client, fake: FakeSES) -> None:
    client.create_contact(
        ContactListName="newsletter",
        EmailAddress="Ann@example.com",
        TopicPreferences=[{"TopicName": "weekly", "SubscriptionStatus": "OPT_OUT"}],
        AttributesData='{"plan":"pro"}',
    )
    assert _refused(
        client.create_contact, ContactListName="newsletter", EmailAddress="ann@EXAMPLE.com"
    )[0] == ("AlreadyExistsException")
    assert _refused(
        client.create_contact,
        ContactListName="newsletter",
        EmailAddress="bob@example.com",
        TopicPreferences=[{"TopicName": "nope", "SubscriptionStatus": "OPT_IN"}],
    )[0] == ("BadRequestException")
    got = client.get_contact(ContactListName="newsletter", EmailAddress="ann@example.com")
    assert got["EmailAddress"] == "Ann@example.com"
    assert got["TopicPreferences"] == [{"TopicName": "weekly", "SubscriptionStatus": "OPT_OUT"}]
    assert got["TopicDefaultPreferences"] == [
        {"TopicName": "offers", "SubscriptionStatus": "OPT_OUT"}
    ]
    assert got["AttributesData"] == '{"plan":"pro"}'
    client.update_contact(
        ContactListName="newsletter", EmailAddress="ann@example.com", UnsubscribeAll=True
    )
    [ann] = fake.contact_list_state("newsletter").contacts
    assert ann.unsubscribe_all
    assert dict(ann.preferences) == {"weekly": "OPT_OUT"}  # kept: not given in the update
    client.delete_contact(ContactListName="newsletter", EmailAddress="ann@example.com")
    assert _refused(
        client.get_contact, ContactListName="newsletter", EmailAddress="ann@example.com"
    )[0] == ("NotFoundException")
    assert _refused(client.get_contact_list, ContactListName="nope")[0] == "NotFoundException"


def test_list_contacts_pages_and_refuses_a_bad_token(client: SESV2Client) -> None:
    for i in range(5):
        client.create_contact(ContactListName="newsletter", EmailAddress=f"r{i}@example.com")
    first = client.list_contacts(ContactListName="newsletter", PageSize=2)
    assert [c["EmailAddress"] for c in first["Contacts"]] == ["r0@example.com", "r1@example.com"]
    second = client.list_contacts(
        ContactListName="newsletter", PageSize=2, NextToken=first["NextToken"]
    )
    assert [c["EmailAddress"] for c in second["Contacts"]] == ["r2@example.com", "r3@example.com"]
    assert _refused(client.list_contacts, ContactListName="newsletter", NextToken="bogus")[0] == (
        "BadRequestException"
    )
    assert _refused(
        client.list_contacts,
        ContactListName="newsletter",
        Filter={"TopicFilter": {"TopicName": "nope"}},
    )[0] == ("BadRequestException")


# --- ListManagementOptions -------------------------------------------------------------------


def test_list_management_adds_ses_headers_and_fills_the_placeholder(
    client: SESV2Client, fake: FakeSES
) -> None:
    _send(client, "ann@example.com", **MANAGED)
    message = fake.outbox[-1]
    headers = dict(message.headers)
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = headers["List-Unsubscribe"].split(">")[0][1:]
    assert link.startswith("https://unsubscribe.us-east-1.amazonses.com/")
    assert message.text == f"Bye: {link}"
    assert fake.deliveries("ann@example.com") == 1


def test_list_management_fills_a_templates_placeholder(client: SESV2Client, fake: FakeSES) -> None:
    client.send_email(
        FromEmailAddress=SENDER,
        Destination={"ToAddresses": ["ann@example.com"]},
        Content={
            "Template": {
                "TemplateContent": {
                    "Subject": "Hi",
                    "Html": "<a href='{{amazonSESUnsubscribeUrl}}'>x</a>",
                },
                "TemplateData": "{}",
            }
        },
        **MANAGED,
    )
    message = fake.outbox[-1]
    link = dict(message.headers)["List-Unsubscribe"].split(">")[0][1:]
    assert message.html == f"<a href='{link}'>x</a>"
    assert message.rendering_error is None


def test_list_management_is_refused_for_a_missing_list_or_topic_or_many_recipients(
    client: SESV2Client, fake: FakeSES
) -> None:
    missing_list: Any = {"ListManagementOptions": {"ContactListName": "nope"}}
    assert _refused(_send, client=client, to="ann@example.com", **missing_list)[0] == (
        "NotFoundException"
    )
    missing_topic: Any = {
        "ListManagementOptions": {"ContactListName": "newsletter", "TopicName": "x"}
    }
    assert _refused(_send, client=client, to="ann@example.com", **missing_topic)[0] == (
        "NotFoundException"
    )
    code, message = _refused(
        client.send_email,
        FromEmailAddress=SENDER,
        Destination={"ToAddresses": ["a@example.com", "b@example.com"]},
        Content={"Simple": {"Subject": {"Data": "Hi"}, "Body": {"Text": {"Data": "x"}}}},
        **MANAGED,
    )
    assert (code, "exactly one recipient" in message) == ("BadRequestException", True)
    assert fake.outbox == []


def test_an_opted_out_contact_is_accepted_but_not_delivered(
    client: SESV2Client, fake: FakeSES
) -> None:
    client.create_contact(
        ContactListName="newsletter",
        EmailAddress="ann@example.com",
        TopicPreferences=[{"TopicName": "weekly", "SubscriptionStatus": "OPT_OUT"}],
    )
    client.create_contact(
        ContactListName="newsletter", EmailAddress="gone@example.com", UnsubscribeAll=True
    )
    client.create_contact(ContactListName="newsletter", EmailAddress="quiet@example.com")
    ann_id = _send(client, "ann@example.com", **MANAGED)
    _send(client, "gone@example.com", **MANAGED)
    _send(client, "quiet@example.com", **MANAGED)
    offers: Any = {
        "ListManagementOptions": {"ContactListName": "newsletter", "TopicName": "offers"}
    }
    _send(client, "quiet@example.com", **offers)  # chose nothing: the default OPT_OUT applies
    assert fake.delivery_counts() == {"quiet@example.com": 1}
    assert [(r.address, r.topic) for r in fake.unsubscribed_recipients] == [
        ("ann@example.com", "weekly"),
        ("gone@example.com", "weekly"),
        ("quiet@example.com", "offers"),
    ]
    assert fake.unsubscribed_recipients[0] == FakeUnsubscribedRecipient(
        ann_id, "ann@example.com", "newsletter", "weekly", fake.outbox[0].arrived
    )
    assert len(fake.outbox) == 4  # all accepted, as SES accepts them
    _send(client, "ann@example.com")  # without list management: delivered
    assert fake.deliveries("ann@example.com") == 1


def test_following_the_link_opts_the_contact_out(client: SESV2Client, fake: FakeSES) -> None:
    _send(client, "ann@example.com", **MANAGED)
    link = dict(fake.outbox[-1].headers)["List-Unsubscribe"].split(">")[0][1:]
    fake.follow_unsubscribe_link(link)
    [ann] = fake.contact_list_state("newsletter").contacts
    assert (ann.email_address, dict(ann.preferences)) == ("ann@example.com", {"weekly": "OPT_OUT"})
    _send(client, "ann@example.com", **MANAGED)
    assert fake.deliveries("ann@example.com") == 1  # the first message only
    with pytest.raises(ValueError, match="not an unsubscribe link"):
        fake.follow_unsubscribe_link("https://example.com/u/1.x.y")


def test_reset_forgets_contact_lists(client: SESV2Client, fake: FakeSES) -> None:
    fake.reset()
    with pytest.raises(KeyError):
        fake.contact_list_state("newsletter")
    assert fake.unsubscribed_recipients == []
    assert "ListContacts" in fake.implemented_operations()
