"""Contact lists, their topics and contacts (SES list management), and what they do to sends.

The rules SES documents: one contact list per account and region (a second
`CreateContactList` answers `LimitExceededException`), at most 20 topics per list, topic
names unique, a contact's preferences only for topics of its list. Listings page through
`NextToken` like every other list operation of the fake.

`ListContacts` filters as the fake reads SES's (sparse) documentation: with a
`TopicFilter`, a contact's status for the topic is its own preference, else the topic's
default when `UseDefaultIfPreferenceUnavailable`, else it has none (and is left out); a
contact unsubscribed from everything has `OPT_OUT` for every topic. `FilteredStatus` keeps
the contacts with that status; without a `TopicFilter` it compares the unsubscribe-all
flag (`OPT_OUT` = unsubscribed from everything).

A `SendEmail` with `ListManagementOptions` (one recipient: SES adds its headers per
recipient) names an existing list and, if given, one of its topics; the fake then adds the
`List-Unsubscribe` and `List-Unsubscribe-Post: List-Unsubscribe=One-Click` headers SES adds,
and fills `{{amazonSESUnsubscribeUrl}}` in the body with the same link. The link is the
fake's own (`https://unsubscribe.<region>.amazonses.com/...`, not SES's real format);
`FakeSES.follow_unsubscribe_link()` plays the recipient who clicks it. A message to a contact
who opted out of the topic (or of everything) is accepted, as SES accepts it, but not
delivered: `FakeSES.unsubscribed_recipients` records it.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sesflow.testing._context import Context
from sesflow.testing._fake import FakeError, Handlers, operation
from sesflow.testing._identities import is_email_address
from sesflow.testing._paging import paginate

if TYPE_CHECKING:
    import threading

__all__ = [
    "UNSUBSCRIBE_PLACEHOLDER",
    "ContactListHandlers",
    "ContactListKnobs",
    "ContactListStore",
    "FakeContact",
    "FakeContactList",
    "FakeUnsubscribedRecipient",
]

MAX_TOPICS = 20
MAX_CONTACT_LISTS = 1
UNSUBSCRIBE_PLACEHOLDER = "{{amazonSESUnsubscribeUrl}}"
_STATUSES = ("OPT_IN", "OPT_OUT")
_NAME = re.compile(r"[A-Za-z0-9_-]{1,64}\Z")
_LISTS = "contact-lists"
_CONTACTS = "contacts"


@dataclass(frozen=True)
class FakeContact:
    """One contact, as the fake keeps it.

    Examples:
        >>> news = ses.contact_list("newsletter").create(topics=[Topic("weekly", "Weekly")])
        >>> news.contacts.add("ann@example.com", topics={"weekly": "OPT_OUT"})
        >>> [contact] = fake.contact_list_state("newsletter").contacts
        >>> contact.email_address, contact.preferences, contact.unsubscribe_all
        ('ann@example.com', {'weekly': 'OPT_OUT'}, False)

    Attributes:
        email_address: `EmailAddress`, as added.
        preferences: Topic name → `OPT_IN` / `OPT_OUT`, as the contact chose.
        unsubscribe_all: `UnsubscribeAll`.
        attributes: `AttributesData`, if any.
        created: `CreatedTimestamp` (aware UTC).
        last_updated: `LastUpdatedTimestamp`.
    """

    email_address: str
    preferences: Mapping[str, str] = field(default_factory=dict)
    unsubscribe_all: bool = False
    attributes: str | None = None
    created: dt.datetime | None = None
    last_updated: dt.datetime | None = None


@dataclass(frozen=True)
class FakeContactList:
    """A snapshot of the contact list: topics (as SES shapes them) and contacts.

    Examples:
        >>> _ = ses.contact_list("newsletter").create(topics=[Topic("weekly", "Weekly")])
        >>> state = fake.contact_list_state("newsletter")
        >>> [t["TopicName"] for t in state.topics], state.contacts
        (['weekly'], ())

    Attributes:
        name: `ContactListName`.
        topics: The `Topics`, each `TopicName`, `DisplayName`, `Description`,
            `DefaultSubscriptionStatus`.
        description: `Description`, if any.
        contacts: Every contact, oldest first.
        tags: `Tags`.
    """

    name: str
    topics: tuple[Mapping[str, str], ...]
    description: str | None
    contacts: tuple[FakeContact, ...]
    tags: tuple[Mapping[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class FakeUnsubscribedRecipient:
    """A recipient of an accepted `SendEmail` with list management who was not delivered:
    the contact had opted out of its topic, or of every topic.

    Examples:
        >>> news = ses.contact_list("newsletter").create(topics=[Topic("weekly", "Weekly")])
        >>> news.contacts.opt_out("ann@example.com", "weekly")
        >>> _ = sender.send("ann@example.com", "Hi", text="Yo", contact_list=news, topic="weekly")
        >>> [held] = fake.unsubscribed_recipients
        >>> held.address, held.contact_list, held.topic
        ('ann@example.com', 'newsletter', 'weekly')
        >>> fake.deliveries("ann@example.com")
        0

    Attributes:
        message_id: The `MessageId` SES answered.
        address: The recipient (display name removed).
        contact_list: The `ContactListName` the message named.
        topic: The `TopicName` it named, if any.
        arrived: The fake's `clock()` when the request arrived.
    """

    message_id: str
    address: str
    contact_list: str
    topic: str | None
    arrived: float


@dataclass
class _Contact:
    email_address: str
    preferences: dict[str, str]
    unsubscribe_all: bool
    attributes: str | None
    created: dt.datetime
    last_updated: dt.datetime
    sequence: int

    def status(self, topic: str, default: str | None) -> str | None:
        if self.unsubscribe_all:
            return "OPT_OUT"
        return self.preferences.get(topic, default)

    def snapshot(self) -> FakeContact:
        return FakeContact(
            self.email_address,
            dict(self.preferences),
            self.unsubscribe_all,
            self.attributes,
            self.created,
            self.last_updated,
        )


@dataclass
class _List:
    name: str
    topics: list[dict[str, str]]
    description: str | None
    tags: list[dict[str, str]]
    created: dt.datetime
    last_updated: dt.datetime
    sequence: int
    contacts: dict[str, _Contact] = field(default_factory=dict)

    def topic(self, name: str) -> dict[str, str] | None:
        return next((t for t in self.topics if t["TopicName"] == name), None)

    def defaults(self, contact: _Contact) -> list[dict[str, str]]:
        return [
            {"TopicName": t["TopicName"], "SubscriptionStatus": t["DefaultSubscriptionStatus"]}
            for t in self.topics
            if t["TopicName"] not in contact.preferences
        ]


class ContactListStore:
    """The account's contact lists and the recipients list management withheld.

    Examples:
        >>> store = ContactListStore(Context("us-east-1", "123456789012", clock, clock, 7))
        >>> store.create({"ContactListName": "newsletter", "Topics": []})
        >>> store.state("newsletter").topics
        ()
    """

    def __init__(self, context: Context) -> None:
        self._context = context
        self.lists: dict[str, _List] = {}
        self.withheld: list[FakeUnsubscribedRecipient] = []

    def __len__(self) -> int:
        return len(self.lists)

    # --- lists ---------------------------------------------------------------------------

    def get(self, name: str) -> _List:
        found = self.lists.get(name)
        if found is None:
            raise FakeError("NotFoundException", f"List with name: {name} doesn't exist.")
        return found

    def create(self, params: Mapping[str, Any]) -> None:
        name = params["ContactListName"]
        _check_name(name, "ContactListName")
        if name in self.lists:
            raise FakeError("AlreadyExistsException", f"List with name: {name} already exists.")
        if len(self.lists) >= MAX_CONTACT_LISTS:
            raise FakeError(
                "LimitExceededException",
                "Maximum number of contact lists reached: an account may have "
                f"{MAX_CONTACT_LISTS} contact list per region.",
            )
        now = self._context.wall_now()
        self.lists[name] = _List(
            name=name,
            topics=_topics(params.get("Topics") or []),
            description=params.get("Description"),
            tags=[dict(tag) for tag in params.get("Tags") or []],
            created=now,
            last_updated=now,
            sequence=self._context.sequence.next(),
        )

    def state(self, name: str) -> FakeContactList:
        """A snapshot of list `name`; `KeyError` if there is none."""
        found = self.lists.get(name)
        if found is None:
            raise KeyError(name)
        contacts = sorted(found.contacts.values(), key=lambda c: c.sequence)
        return FakeContactList(
            name=found.name,
            topics=tuple(dict(t) for t in found.topics),
            description=found.description,
            contacts=tuple(c.snapshot() for c in contacts),
            tags=tuple(dict(t) for t in found.tags),
        )

    # --- contacts ------------------------------------------------------------------------

    def contact(self, contact_list: _List, address: str) -> _Contact:
        found = contact_list.contacts.get(address.lower())
        if found is None:
            raise FakeError("NotFoundException", f"{address} doesn't exist in List.")
        return found

    def put_contact(self, contact_list: _List, params: Mapping[str, Any], *, create: bool) -> None:
        address = params["EmailAddress"]
        if not is_email_address(address):
            raise FakeError("BadRequestException", f"Invalid email address <{address}>.")
        key = address.lower()
        existing = contact_list.contacts.get(key)
        if create and existing is not None:
            raise FakeError(
                "AlreadyExistsException", f"Contact already exists in list {contact_list.name}."
            )
        if not create and existing is None:
            raise FakeError("NotFoundException", f"{address} doesn't exist in List.")
        preferences = _preferences(contact_list, params.get("TopicPreferences"))
        now = self._context.wall_now()
        if existing is None:
            contact_list.contacts[key] = _Contact(
                email_address=address,
                preferences=preferences or {},
                unsubscribe_all=bool(params.get("UnsubscribeAll", False)),
                attributes=params.get("AttributesData"),
                created=now,
                last_updated=now,
                sequence=self._context.sequence.next(),
            )
            return
        if preferences is not None:
            existing.preferences = preferences
        if "UnsubscribeAll" in params:
            existing.unsubscribe_all = bool(params["UnsubscribeAll"])
        if "AttributesData" in params:
            existing.attributes = params["AttributesData"]
        existing.last_updated = now

    # --- sending ---------------------------------------------------------------------------

    def manage(
        self, options: Mapping[str, Any], keys: Sequence[str]
    ) -> tuple[str, list[tuple[str, str]], list[str]]:
        """Check `ListManagementOptions` for a message to `keys`; return the unsubscribe
        link, the headers SES adds, and the recipients it must not deliver to."""
        contact_list = self.get(options["ContactListName"])
        topic = options.get("TopicName")
        default: str | None = None
        if topic is not None:
            found = contact_list.topic(topic)
            if found is None:
                raise FakeError(
                    "NotFoundException",
                    f"Topic {topic} does not exist in list {contact_list.name}.",
                )
            default = found["DefaultSubscriptionStatus"]
        if len(keys) != 1:
            raise FakeError(
                "BadRequestException",
                "ListManagementOptions need exactly one recipient: SES adds unsubscribe "
                f"headers for one contact, and the message has {len(keys)}.",
            )
        [key] = keys
        link = self._link(contact_list.name, topic, key)
        headers = [
            (
                "List-Unsubscribe",
                f"<{link}>, <mailto:unsubscribe+{_b64(key)}@unsubscribe."
                f"{self._context.region}.amazonses.com>",
            ),
            ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
        ]
        contact = contact_list.contacts.get(key.lower())
        opted_out = contact is not None and (
            contact.unsubscribe_all
            or (topic is not None and contact.status(topic, default) == "OPT_OUT")
        )
        return link, headers, [key] if opted_out else []

    def withhold(
        self, message_id: str, keys: Sequence[str], options: Mapping[str, Any], arrived: float
    ) -> None:
        for key in keys:
            self.withheld.append(
                FakeUnsubscribedRecipient(
                    message_id=message_id,
                    address=key,
                    contact_list=options["ContactListName"],
                    topic=options.get("TopicName"),
                    arrived=arrived,
                )
            )

    def _link(self, contact_list: str, topic: str | None, address: str) -> str:
        payload = json.dumps([contact_list, topic, address], separators=(",", ":"))
        return f"https://unsubscribe.{self._context.region}.amazonses.com/v1/{_b64(payload)}"

    def follow_link(self, url: str) -> None:
        """Opt the contact a link names out of its topic (or of everything)."""
        prefix = f"https://unsubscribe.{self._context.region}.amazonses.com/v1/"
        if not url.startswith(prefix):
            raise ValueError(f"not an unsubscribe link of this fake: {url!r}")
        try:
            token = url[len(prefix) :]
            name, topic, address = json.loads(
                base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
            )
        except (ValueError, binascii.Error) as exc:
            raise ValueError(f"not an unsubscribe link of this fake: {url!r}") from exc
        contact_list = self.lists.get(name)
        if contact_list is None:
            return  # the list is gone: nothing to record
        contact = contact_list.contacts.get(address.lower())
        now = self._context.wall_now()
        if contact is None:
            contact = _Contact(address, {}, False, None, now, now, self._context.sequence.next())
            contact_list.contacts[address.lower()] = contact
        if topic is None:
            contact.unsubscribe_all = True
        else:
            contact.preferences[topic] = "OPT_OUT"
        contact.last_updated = now


def _b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode("ascii").rstrip("=")


def _check_name(name: str, where: str) -> None:
    if not _NAME.match(name):
        raise FakeError(
            "BadRequestException",
            f"Invalid {where} <{name}>: 1-64 letters, digits, '-' or '_'.",
        )


def _topics(topics: Sequence[Mapping[str, Any]]) -> list[dict[str, str]]:
    if len(topics) > MAX_TOPICS:
        raise FakeError(
            "BadRequestException",
            f"{len(topics)} topics; a contact list may have at most {MAX_TOPICS}.",
        )
    checked: list[dict[str, str]] = []
    for topic in topics:
        name = topic["TopicName"]
        _check_name(name, "TopicName")
        if any(t["TopicName"] == name for t in checked):
            raise FakeError("BadRequestException", f"Topic {name} is listed twice.")
        if topic["DefaultSubscriptionStatus"] not in _STATUSES:
            raise FakeError(
                "BadRequestException",
                f"Invalid DefaultSubscriptionStatus <{topic['DefaultSubscriptionStatus']}>.",
            )
        item = {
            "TopicName": name,
            "DisplayName": topic["DisplayName"],
            "DefaultSubscriptionStatus": topic["DefaultSubscriptionStatus"],
        }
        if topic.get("Description") is not None:
            item["Description"] = topic["Description"]
        checked.append(item)
    return checked


def _preferences(contact_list: _List, items: object) -> dict[str, str] | None:
    if items is None:
        return None
    assert isinstance(items, list)
    preferences: dict[str, str] = {}
    for item in items:
        name, status = item["TopicName"], item["SubscriptionStatus"]
        if contact_list.topic(name) is None:
            raise FakeError(
                "BadRequestException", f"Topic {name} does not exist in list {contact_list.name}."
            )
        if status not in _STATUSES:
            raise FakeError("BadRequestException", f"Invalid SubscriptionStatus <{status}>.")
        preferences[name] = status
    return preferences


def _contact_item(contact_list: _List, contact: _Contact) -> dict[str, Any]:
    return {
        "EmailAddress": contact.email_address,
        "TopicPreferences": [
            {"TopicName": topic, "SubscriptionStatus": status}
            for topic, status in contact.preferences.items()
        ],
        "TopicDefaultPreferences": contact_list.defaults(contact),
        "UnsubscribeAll": contact.unsubscribe_all,
        "LastUpdatedTimestamp": contact.last_updated,
    }


class ContactListHandlers(Handlers):
    """The contact-list and contact operations."""

    def __init__(self, contacts: ContactListStore) -> None:
        self._store = contacts

    @operation("CreateContactList")
    def _create_contact_list(self, params: Mapping[str, Any]) -> None:
        self._store.create(params)

    @operation("GetContactList")
    def _get_contact_list(self, params: Mapping[str, Any]) -> dict[str, Any]:
        found = self._store.get(params["ContactListName"])
        answer: dict[str, Any] = {
            "ContactListName": found.name,
            "Topics": [dict(t) for t in found.topics],
            "CreatedTimestamp": found.created,
            "LastUpdatedTimestamp": found.last_updated,
            "Tags": [dict(t) for t in found.tags],
        }
        if found.description is not None:
            answer["Description"] = found.description
        return answer

    @operation("ListContactLists")
    def _list_contact_lists(self, params: Mapping[str, Any]) -> dict[str, Any]:
        items = sorted(
            (
                (
                    found.sequence,
                    {
                        "ContactListName": found.name,
                        "LastUpdatedTimestamp": found.last_updated,
                    },
                )
                for found in self._store.lists.values()
            ),
            key=lambda item: item[0],
        )
        page, token = paginate(_LISTS, items, params)
        return {"ContactLists": page, "NextToken": token}

    @operation("UpdateContactList")
    def _update_contact_list(self, params: Mapping[str, Any]) -> None:
        found = self._store.get(params["ContactListName"])
        if "Topics" in params:
            topics = _topics(params["Topics"])
            names = {t["TopicName"] for t in topics}
            for contact in found.contacts.values():
                # Preferences for topics the list no longer has go with them.
                contact.preferences = {k: v for k, v in contact.preferences.items() if k in names}
            found.topics = topics
        if "Description" in params:
            found.description = params["Description"]
        found.last_updated = self._store._context.wall_now()

    @operation("DeleteContactList")
    def _delete_contact_list(self, params: Mapping[str, Any]) -> None:
        found = self._store.get(params["ContactListName"])
        del self._store.lists[found.name]

    @operation("CreateContact")
    def _create_contact(self, params: Mapping[str, Any]) -> None:
        found = self._store.get(params["ContactListName"])
        self._store.put_contact(found, params, create=True)

    @operation("UpdateContact")
    def _update_contact(self, params: Mapping[str, Any]) -> None:
        found = self._store.get(params["ContactListName"])
        self._store.put_contact(found, params, create=False)

    @operation("GetContact")
    def _get_contact(self, params: Mapping[str, Any]) -> dict[str, Any]:
        found = self._store.get(params["ContactListName"])
        contact = self._store.contact(found, params["EmailAddress"])
        answer = _contact_item(found, contact)
        answer.update(ContactListName=found.name, CreatedTimestamp=contact.created)
        if contact.attributes is not None:
            answer["AttributesData"] = contact.attributes
        return answer

    @operation("DeleteContact")
    def _delete_contact(self, params: Mapping[str, Any]) -> None:
        found = self._store.get(params["ContactListName"])
        contact = self._store.contact(found, params["EmailAddress"])
        del found.contacts[contact.email_address.lower()]

    @operation("ListContacts")
    def _list_contacts(self, params: Mapping[str, Any]) -> dict[str, Any]:
        found = self._store.get(params["ContactListName"])
        where = params.get("Filter") or {}
        status = where.get("FilteredStatus")
        topic_filter = where.get("TopicFilter")
        topic = default = None
        if topic_filter is not None:
            topic = topic_filter.get("TopicName")
            if topic is None or found.topic(topic) is None:
                raise FakeError(
                    "BadRequestException", f"Topic {topic} does not exist in list {found.name}."
                )
            if topic_filter.get("UseDefaultIfPreferenceUnavailable"):
                default = found.topic(topic)["DefaultSubscriptionStatus"]  # type: ignore[index]
        items = []
        for contact in found.contacts.values():
            if topic is not None:
                own = contact.status(topic, default)
                if own is None or (status is not None and own != status):
                    continue
            elif status is not None and (status == "OPT_OUT") != contact.unsubscribe_all:
                continue
            items.append((contact.sequence, _contact_item(found, contact)))
        items.sort(key=lambda item: item[0])
        page, token = paginate(_CONTACTS, items, params)
        return {"Contacts": page, "NextToken": token}


class ContactListKnobs:
    """`FakeSES`'s test knobs for list management (mixed into it).

    Examples:
        >>> _ = client.create_contact_list(ContactListName="newsletter")
        >>> fake.contact_list_state("newsletter").contacts
        ()
    """

    _lock: threading.RLock
    _contacts: ContactListStore

    def contact_list_state(self, name: str) -> FakeContactList:
        """Return a snapshot of the contact list `name`: topics and contacts.

        Examples:
            >>> _ = client.create_contact_list(ContactListName="newsletter")
            >>> _ = client.create_contact(ContactListName="newsletter",
            ...                           EmailAddress="a@example.com")
            >>> [c.email_address for c in fake.contact_list_state("newsletter").contacts]
            ['a@example.com']

        Raises:
            KeyError: No such contact list.
        """
        with self._lock:
            return self._contacts.state(name)

    @property
    def unsubscribed_recipients(self) -> list[FakeUnsubscribedRecipient]:
        """Recipients of accepted list-management sends not delivered: they had opted out.

        Examples:
            >>> _ = client.create_contact_list(ContactListName="newsletter")
            >>> _ = client.create_contact(ContactListName="newsletter",
            ...                           EmailAddress="gone@example.com", UnsubscribeAll=True)
            >>> _ = sender.send("gone@example.com", "Hi", text="Yo", contact_list="newsletter")
            >>> [held] = fake.unsubscribed_recipients
            >>> held.address, fake.deliveries(held.address)
            ('gone@example.com', 0)
        """
        with self._lock:
            return list(self._contacts.withheld)

    def follow_unsubscribe_link(self, url: str) -> None:
        """Play the recipient who clicks the unsubscribe link of a list-management send
        (the `List-Unsubscribe` URL, or the `{{amazonSESUnsubscribeUrl}}` in the body):
        the contact is opted out of the message's topic, or of everything if it named none.

        Examples:
            >>> news = ses.contact_list("newsletter").create(topics=[Topic("weekly", "Weekly")])
            >>> _ = sender.send("ann@example.com", "Hi", text="Leave: {{amazonSESUnsubscribeUrl}}",
            ...                 contact_list=news, topic="weekly")
            >>> link = fake.outbox[-1].text.removeprefix("Leave: ")
            >>> link.startswith("https://unsubscribe.us-east-1.amazonses.com/")
            True
            >>> fake.follow_unsubscribe_link(link)
            >>> news.contacts.get("ann@example.com").subscribed("weekly")
            False

        Raises:
            ValueError: Not an unsubscribe link of this fake.
        """
        with self._lock:
            self._contacts.follow_link(url)
