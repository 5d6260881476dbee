"""Contact lists, their topics, and the contacts on them (SES list management).

SES keeps one contact list per account and region, with at most 20 topics; each contact
has a subscription status per topic (or the topic's default) and may unsubscribe from
everything. `ses.contact_list(name)` is the resource (the four verbs, plus `update`);
`contact_list.contacts` is the collection of its contacts (add, update, opt out, get,
remove, filter), in the manner of the suppression list.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Self

from ._enums import coerce_enum
from ._errors import AlreadyExistsError, LimitExceededError, NotFoundError, ValidationError
from ._logging import logger, mask
from ._paging import PAGE_SIZE, pages
from ._resource import NamedResource
from ._validate import CONTROL_CHARACTER, validate_address, validate_name, validate_tags

if TYPE_CHECKING:
    from ._ses import SES

__all__ = [
    "MAX_TOPICS",
    "Contact",
    "ContactList",
    "Contacts",
    "SubscriptionStatus",
    "Topic",
    "TopicPreference",
    "opted_out_addresses",
]

#: Topics SES allows in one contact list.
MAX_TOPICS = 20
_MAX_DISPLAY_NAME = 128
_MAX_DESCRIPTION = 500


class SubscriptionStatus(StrEnum):
    """A contact's status for a topic: `OPT_IN` or `OPT_OUT` (SES's strings).

    Examples:
        >>> SubscriptionStatus("OPT_OUT") is SubscriptionStatus.OPT_OUT
        True
    """

    OPT_IN = "OPT_IN"
    OPT_OUT = "OPT_OUT"


def _text(value: object, *, field: str, limit: int, required: bool) -> str | None:
    if value is None and not required:
        return None
    if not isinstance(value, str) or (required and not value.strip()):
        raise ValidationError(f"{field}: expected a non-empty str, got {value!r}", field=field)
    control = CONTROL_CHARACTER.search(value)
    if control:
        raise ValidationError(
            f"{field}: contains a control character ({control.group()!r}); one line of text",
            field=field,
            value=value,
        )
    if len(value) > limit:
        raise ValidationError(f"{field}: {len(value)} characters; at most {limit}", field=field)
    return value


@dataclass(frozen=True, slots=True)
class Topic:
    """A topic of a contact list: an interest group contacts subscribe to or leave.

    Attributes:
        name: the topic's name (1-64 letters, digits, `-`, `_`), what sends name.
        display_name: the name contacts see (on SES's unsubscribe page, for one).
        description: what the topic is about, for contacts.
        default: the status of a contact who has said nothing about this topic (a
            `SubscriptionStatus` once made; its plain string is accepted).

    Examples:
        >>> Topic("weekly", "The weekly digest", default="OPT_OUT").default
        <SubscriptionStatus.OPT_OUT: 'OPT_OUT'>
    """

    name: str
    display_name: str
    description: str | None = None
    default: SubscriptionStatus | str = SubscriptionStatus.OPT_IN

    def __post_init__(self) -> None:
        validate_name(self.name, field="topic.name")
        _text(self.display_name, field="topic.display_name", limit=_MAX_DISPLAY_NAME, required=True)
        _text(self.description, field="topic.description", limit=_MAX_DESCRIPTION, required=False)
        object.__setattr__(
            self, "default", coerce_enum(SubscriptionStatus, self.default, field="topic.default")
        )

    def _to_ses(self) -> dict[str, str]:
        topic = {
            "TopicName": self.name,
            "DisplayName": self.display_name,
            "DefaultSubscriptionStatus": SubscriptionStatus(self.default).value,
        }
        if self.description:
            topic["Description"] = self.description
        return topic

    @classmethod
    def _from_ses(cls, item: Mapping[str, Any]) -> Topic:
        return cls(
            str(item["TopicName"]),
            str(item.get("DisplayName") or item["TopicName"]),
            item.get("Description") or None,
            SubscriptionStatus(item.get("DefaultSubscriptionStatus") or "OPT_IN"),
        )


@dataclass(frozen=True, slots=True)
class TopicPreference:
    """A contact's status for one topic.

    Examples:
        >>> TopicPreference("weekly", SubscriptionStatus.OPT_OUT).status.value
        'OPT_OUT'
    """

    topic: str
    status: SubscriptionStatus


def _preferences(items: object) -> tuple[TopicPreference, ...]:
    if not isinstance(items, list | tuple):
        return ()
    return tuple(
        TopicPreference(str(item["TopicName"]), SubscriptionStatus(item["SubscriptionStatus"]))
        for item in items
    )


@dataclass(frozen=True, slots=True)
class Contact:
    """A contact on a contact list, as SES last answered.

    Attributes:
        address: the contact's email address.
        preferences: the statuses the contact chose, per topic.
        defaults: the topics' default statuses that apply where the contact chose
            nothing (SES answers these on `get`, not in listings).
        unsubscribe_all: the contact left every topic of the list.
        attributes: the JSON attributes stored with the contact, or None.
        last_updated: when the contact last changed.

    Examples:
        >>> contacts = ses.contact_list("newsletter").create(
        ...     topics=[Topic("weekly", "Weekly digest")]).contacts
        >>> contacts.add("ann@example.com", topics={"weekly": "OPT_OUT"})
        >>> contacts.get("ann@example.com").subscribed("weekly")
        False
    """

    address: str
    preferences: tuple[TopicPreference, ...] = ()
    defaults: tuple[TopicPreference, ...] = ()
    unsubscribe_all: bool = False
    attributes: str | None = None
    last_updated: dt.datetime | None = None

    @classmethod
    def _from_ses(cls, item: Mapping[str, Any]) -> Contact:
        return cls(
            address=str(item["EmailAddress"]),
            preferences=_preferences(item.get("TopicPreferences")),
            defaults=_preferences(item.get("TopicDefaultPreferences")),
            unsubscribe_all=bool(item.get("UnsubscribeAll")),
            attributes=item.get("AttributesData") or None,
            last_updated=item.get("LastUpdatedTimestamp"),
        )

    def status(self, topic: str) -> SubscriptionStatus | None:
        """The contact's status for `topic`: `OPT_OUT` after unsubscribing from all, else
        their own choice, else the topic's default (if known), else None.

        Examples:
            >>> Contact("ann@example.com", unsubscribe_all=True).status("weekly")
            <SubscriptionStatus.OPT_OUT: 'OPT_OUT'>
        """
        if self.unsubscribe_all:
            return SubscriptionStatus.OPT_OUT
        for group in (self.preferences, self.defaults):
            for preference in group:
                if preference.topic == topic:
                    return preference.status
        return None

    def subscribed(self, topic: str) -> bool:
        """Whether mail on `topic` may go to this contact (not opted out of it, nor of
        everything; a topic it said nothing about and whose default is unknown counts as
        subscribed).

        Examples:
            >>> Contact("ann@example.com").subscribed("weekly")
            True
        """
        return self.status(topic) is not SubscriptionStatus.OPT_OUT


def _topic_preferences(value: object, *, field: str = "topics") -> list[dict[str, str]]:
    """`{topic: status}` as SES's `TopicPreferences` list."""
    if value is None:
        return []
    if not isinstance(value, Mapping):
        raise ValidationError(
            f"{field}: expected a mapping of topic names to OPT_IN or OPT_OUT", field=field
        )
    return [
        {
            "TopicName": validate_name(topic, field=f"{field}[{topic!r}]"),
            "SubscriptionStatus": coerce_enum(
                SubscriptionStatus, status, field=f"{field}[{topic!r}]"
            ).value,
        }
        for topic, status in value.items()
    ]


def _attributes(value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise ValidationError(
            "attributes: expected a mapping (stored as a JSON object)", field="attributes"
        )
    try:
        return json.dumps(dict(value), separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise ValidationError(
            f"attributes: not JSON-serialisable: {exc}", field="attributes"
        ) from None


class Contacts:
    """The contacts of one contact list: `ses.contact_list(name).contacts`.

    Iterating walks every page; `filter()` asks SES for the contacts of one status for a
    topic. Addresses are checked before any call.

    Examples:
        >>> contacts = ses.contact_list("newsletter").create(
        ...     topics=[Topic("weekly", "Weekly digest")]).contacts
        >>> contacts.add("ann@example.com")
        >>> contacts.opt_out("ann@example.com", "weekly")
        >>> [c.address for c in contacts.filter(topic="weekly", status="OPT_OUT")]
        ['ann@example.com']
    """

    def __init__(self, contact_list: ContactList) -> None:
        self._list = contact_list
        self._ses = contact_list._ses

    def __repr__(self) -> str:
        return f"Contacts({self._list.name!r})"

    def _call(self, operation: str, **params: Any) -> dict[str, Any]:
        return self._ses._call(operation, ContactListName=self._list.name, **params)

    def add(
        self,
        address: str,
        *,
        topics: Mapping[str, SubscriptionStatus | str] | None = None,
        unsubscribe_all: bool = False,
        attributes: Mapping[str, Any] | None = None,
    ) -> None:
        """Add a contact. Idempotent: a contact already on the list is left as it is
        (`update()` changes one).

        Args:
            address: the contact's email address.
            topics: `{topic: "OPT_IN" | "OPT_OUT"}`; topics left out follow their default.
            unsubscribe_all: add the contact as unsubscribed from every topic.
            attributes: data stored with the contact (a JSON object).

        Raises:
            ValidationError: a bad address, topic name, status or attributes.
            NotFoundError: no such contact list.

        Examples:
            >>> contacts = ses.contact_list("newsletter").create(
            ...     topics=[Topic("weekly", "Weekly digest")]).contacts
            >>> contacts.add("bob@example.com", topics={"weekly": "OPT_IN"},
            ...              attributes={"plan": "pro"})
            >>> contacts.get("bob@example.com").attributes
            '{"plan":"pro"}'
        """
        params = self._params(address, topics, unsubscribe_all, attributes)
        try:
            self._call("CreateContact", **params)
        except AlreadyExistsError:
            logger.info(
                "contact %s is on %s already", mask(params["EmailAddress"]), self._list.name
            )
            return
        logger.info("added contact %s to %s", mask(params["EmailAddress"]), self._list.name)

    @staticmethod
    def _params(
        address: str,
        topics: Mapping[str, SubscriptionStatus | str] | None,
        unsubscribe_all: bool | None,
        attributes: Mapping[str, Any] | None,
    ) -> dict[str, Any]:
        params: dict[str, Any] = {"EmailAddress": validate_address(address)}
        preferences = _topic_preferences(topics)
        if preferences:
            params["TopicPreferences"] = preferences
        if unsubscribe_all is not None:
            params["UnsubscribeAll"] = bool(unsubscribe_all)
        data = _attributes(attributes)
        if data is not None:
            params["AttributesData"] = data
        return params

    def update(
        self,
        address: str,
        *,
        topics: Mapping[str, SubscriptionStatus | str] | None = None,
        unsubscribe_all: bool | None = None,
        attributes: Mapping[str, Any] | None = None,
    ) -> None:
        """Change a contact's topic preferences, unsubscribe-all flag or attributes.

        `topics` is merged over the contact's present preferences (SES replaces the whole
        list, so sesflow reads it first); None leaves each part as it is.

        Raises:
            NotFoundError: no such contact or contact list.

        Examples:
            >>> contacts = ses.contact_list("newsletter").create(
            ...     topics=[Topic("weekly", "Weekly digest")]).contacts
            >>> contacts.add("bob@example.com")
            >>> contacts.update("bob@example.com", topics={"weekly": "OPT_OUT"})
            >>> contacts.get("bob@example.com").status("weekly")
            <SubscriptionStatus.OPT_OUT: 'OPT_OUT'>
        """
        params = self._params(address, topics, unsubscribe_all, attributes)
        current = self._get(params["EmailAddress"])
        merged = {p.topic: p.status.value for p in current.preferences}
        merged.update(
            {p["TopicName"]: p["SubscriptionStatus"] for p in params.get("TopicPreferences", [])}
        )
        params["TopicPreferences"] = [
            {"TopicName": topic, "SubscriptionStatus": status} for topic, status in merged.items()
        ]
        params.setdefault("UnsubscribeAll", current.unsubscribe_all)
        if "AttributesData" not in params and current.attributes is not None:
            params["AttributesData"] = current.attributes
        self._call("UpdateContact", **params)
        logger.info("updated contact %s on %s", mask(params["EmailAddress"]), self._list.name)

    def opt_out(self, address: str, topic: str | None = None) -> None:
        """Opt `address` out of `topic`, or out of every topic when `topic` is None.

        A contact not yet on the list is added, opted out: the choice is recorded
        either way. Idempotent, so a repeated unsubscribe request is harmless.

        Examples:
            >>> contacts = ses.contact_list("newsletter").create(
            ...     topics=[Topic("weekly", "Weekly digest")]).contacts
            >>> contacts.opt_out("carol@example.com", "weekly")
            >>> contacts.get("carol@example.com").subscribed("weekly")
            False
            >>> contacts.opt_out("carol@example.com")  # every topic
            >>> contacts.get("carol@example.com").unsubscribe_all
            True
        """
        email = validate_address(address)
        topics = None if topic is None else {validate_name(topic, field="topic"): "OPT_OUT"}
        everything = True if topic is None else None
        try:
            self.update(email, topics=topics, unsubscribe_all=everything)
        except NotFoundError:
            if not self._list.exists():
                raise
            self.add(email, topics=topics, unsubscribe_all=bool(everything))
        logger.info(
            "opted %s out of %s on %s", mask(email), topic or "every topic", self._list.name
        )

    def _get(self, email: str) -> Contact:
        return Contact._from_ses(self._call("GetContact", EmailAddress=email))

    def get(self, address: str) -> Contact | None:
        """The contact `address`, or None if it is not on the list.

        Raises:
            NotFoundError: no such contact list.

        Examples:
            >>> contacts = ses.contact_list("newsletter").create().contacts
            >>> contacts.get("nobody@example.com") is None
            True
        """
        email = validate_address(address)
        try:
            return self._get(email)
        except NotFoundError:
            if not self._list.exists():
                raise
            return None

    def __contains__(self, address: object) -> bool:
        return isinstance(address, str) and self.get(address) is not None

    def remove(self, address: str) -> None:
        """Take `address` off the list. Idempotent.

        Examples:
            >>> contacts = ses.contact_list("newsletter").create().contacts
            >>> contacts.add("bob@example.com")
            >>> contacts.remove("bob@example.com")
            >>> "bob@example.com" in contacts
            False
        """
        email = validate_address(address)
        try:
            self._call("DeleteContact", EmailAddress=email)
        except NotFoundError:
            return
        logger.info("removed contact %s from %s", mask(email), self._list.name)

    def __iter__(self) -> Iterator[Contact]:
        return self.filter()

    def filter(
        self,
        *,
        topic: str | None = None,
        status: SubscriptionStatus | str | None = None,
        use_default: bool = True,
        page_size: int = PAGE_SIZE,
    ) -> Iterator[Contact]:
        """Every contact, or those with `status` for `topic` (SES's `ListContacts` filter).

        Args:
            topic: only contacts with a status for this topic.
            status: `OPT_IN` or `OPT_OUT`.
            use_default: count the topic's default status for contacts that chose none.
            page_size: contacts per request.

        Examples:
            >>> contacts = ses.contact_list("newsletter").create(
            ...     topics=[Topic("weekly", "Weekly digest")]).contacts
            >>> contacts.add("ann@example.com", topics={"weekly": "OPT_IN"})
            >>> contacts.add("bob@example.com", topics={"weekly": "OPT_OUT"})
            >>> [c.address for c in contacts.filter(topic="weekly", status="OPT_IN")]
            ['ann@example.com']
            >>> [c.address for c in contacts]
            ['ann@example.com', 'bob@example.com']
        """
        params: dict[str, Any] = {}
        where: dict[str, Any] = {}
        if status is not None:
            where["FilteredStatus"] = coerce_enum(SubscriptionStatus, status, field="status").value
        if topic is not None:
            where["TopicFilter"] = {
                "TopicName": validate_name(topic, field="topic"),
                "UseDefaultIfPreferenceUnavailable": bool(use_default),
            }
        if where:
            params["Filter"] = where
        if isinstance(page_size, bool) or not isinstance(page_size, int) or page_size < 1:
            raise ValidationError(
                f"page_size: expected a positive int, got {page_size!r}", field="page_size"
            )
        listing = pages(
            self._ses._lister("ListContacts"),
            "Contacts",
            page_size=page_size,
            ContactListName=self._list.name,
            **params,
        )
        for item in listing:
            yield Contact._from_ses(item)


class ContactList(NamedResource):
    """A contact list and its topics (SES allows one list per account and region, with
    at most 20 topics).

    Get one from `ses.contact_list(name)`; nothing is sent to AWS until a verb is called.
    Its contacts are `contact_list.contacts`. Single sends name it with
    `send(..., contact_list=..., topic=...)` so that SES adds its own unsubscribe headers;
    `send_bulk(..., contact_list=..., topic=...)` skips the contacts who left.

    Examples:
        >>> news = ses.contact_list("newsletter").create(
        ...     topics=[Topic("weekly", "Weekly digest", description="Every Monday"),
        ...             Topic("offers", "Special offers", default="OPT_OUT")],
        ...     description="Readers of example.com")
        >>> [t.name for t in news.topics]
        ['weekly', 'offers']
    """

    def __init__(self, ses: SES, name: str) -> None:
        super().__init__(ses, name)
        self._state: dict[str, Any] | None = None

    @property
    def contacts(self) -> Contacts:
        """The contacts on this list.

        Examples:
            >>> ses.contact_list("newsletter").contacts
            Contacts('newsletter')
        """
        return Contacts(self)

    @staticmethod
    def _topics(topics: Iterable[Topic]) -> list[dict[str, str]]:
        if isinstance(topics, Topic):
            topics = [topics]
        items = list(topics)
        for i, topic in enumerate(items):
            if not isinstance(topic, Topic):
                raise ValidationError(
                    f"topics[{i}]: expected a Topic, got {type(topic).__name__}",
                    field=f"topics[{i}]",
                )
        if len(items) > MAX_TOPICS:
            raise ValidationError(
                f"topics: {len(items)} topics; SES allows {MAX_TOPICS} per contact list",
                field="topics",
            )
        names = [t.name for t in items]
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            raise ValidationError(f"topics: {repeated[0]!r} is listed twice", field="topics")
        return [t._to_ses() for t in items]

    def create(
        self,
        *,
        topics: Iterable[Topic] = (),
        description: str | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> Self:
        """Create the contact list. Idempotent: an existing one is left as it is
        (`update()` changes its topics).

        Raises:
            ValidationError: more than 20 topics, a topic listed twice, bad tags.
            LimitExceededError: the account has another contact list (SES allows one).

        Examples:
            >>> ses.contact_list("newsletter").create(topics=[Topic("weekly", "Weekly digest")])
            ContactList('newsletter')
        """
        params: dict[str, Any] = {"ContactListName": self._name, "Topics": self._topics(topics)}
        text = _text(description, field="description", limit=_MAX_DESCRIPTION, required=False)
        if text:
            params["Description"] = text
        tag_list = validate_tags(tags)
        if tag_list:
            params["Tags"] = tag_list
        try:
            self._ses._call("CreateContactList", **params)
        except AlreadyExistsError:
            logger.info("contact list %s exists already", self._name)
            return self
        except LimitExceededError as exc:
            raise exc.with_message(
                f"{exc.message} SES allows one contact list per account and region "
                f"({self._ses.region}); ses.contact_lists() shows the one there is."
            ) from exc
        logger.info("created contact list %s", self._name)
        self._state = None
        return self

    def refresh(self) -> Self:
        """Load the list's topics and description (`GetContactList`).

        Raises:
            NotFoundError: no such contact list.

        Examples:
            >>> _ = ses.contact_list("newsletter").create(topics=[Topic("weekly", "Weekly digest")])
            >>> ses.contact_list("newsletter").refresh().topics[0].display_name
            'Weekly digest'
        """
        response = self._ses._call("GetContactList", ContactListName=self._name)
        self._state = {k: v for k, v in response.items() if k != "ResponseMetadata"}
        return self

    def exists(self) -> bool:
        """Whether SES has this contact list.

        Examples:
            >>> ses.contact_list("nope").exists()
            False
        """
        try:
            self._ses._call("GetContactList", ContactListName=self._name)
        except NotFoundError:
            return False
        return True

    def delete(self) -> None:
        """Delete the contact list and every contact on it. Idempotent.

        Examples:
            >>> ses.contact_list("newsletter").delete()
        """
        try:
            self._ses._call("DeleteContactList", ContactListName=self._name)
        except NotFoundError:
            return
        finally:
            self._state = None
        logger.info("deleted contact list %s", self._name)

    def update(
        self, *, topics: Iterable[Topic] | None = None, description: str | None = None
    ) -> Self:
        """Replace the list's topics and/or description; None keeps what is there.

        A topic left out of `topics` is removed from the list.

        Examples:
            >>> news = ses.contact_list("newsletter").create(topics=[Topic("weekly", "Weekly")])
            >>> news.update(topics=[*news.topics, Topic("events", "Events near you")])
            ContactList('newsletter')
            >>> [t.name for t in news.topics]
            ['weekly', 'events']
        """
        new_topics = None if topics is None else self._topics(topics)
        text = _text(description, field="description", limit=_MAX_DESCRIPTION, required=False)
        current = self.refresh()
        params: dict[str, Any] = {
            "ContactListName": self._name,
            "Topics": new_topics
            if new_topics is not None
            else [t._to_ses() for t in current.topics],
        }
        text = text if text is not None else current.description
        if text:
            params["Description"] = text
        self._ses._call("UpdateContactList", **params)
        logger.info("updated contact list %s", self._name)
        self._state = None
        return self

    def _value(self, key: str) -> Any:
        if self._state is None:
            self.refresh()
        assert self._state is not None
        return self._state.get(key)

    @property
    def topics(self) -> tuple[Topic, ...]:
        """The list's topics, as of the last `create()`-then-use or `refresh()`.

        Examples:
            >>> news = ses.contact_list("newsletter").create(
            ...     topics=[Topic("weekly", "Weekly"),
            ...             Topic("offers", "Offers", default="OPT_OUT")])
            >>> [t.default.value for t in news.topics]
            ['OPT_IN', 'OPT_OUT']
        """
        return tuple(Topic._from_ses(item) for item in self._value("Topics") or ())

    def topic(self, name: str) -> Topic:
        """The topic `name`.

        Raises:
            NotFoundError: the list has no such topic.

        Examples:
            >>> news = ses.contact_list("newsletter").create(
            ...     topics=[Topic("weekly", "Weekly digest")])
            >>> news.topic("weekly").display_name
            'Weekly digest'
        """
        for topic in self.topics:
            if topic.name == name:
                return topic
        raise NotFoundError(
            f"contact list {self._name!r} has no topic {name!r} "
            f"(its topics: {', '.join(t.name for t in self.topics) or 'none'})",
            operation="GetContactList",
        )

    @property
    def description(self) -> str | None:
        """The list's description, if any.

        Examples:
            >>> news = ses.contact_list("newsletter").create(description="Readers of example.com")
            >>> news.description
            'Readers of example.com'
        """
        value = self._value("Description")
        return str(value) if value else None


def opted_out_addresses(contact_list: ContactList, topic: str | None) -> dict[str, str]:
    """Who on `contact_list` may not get mail on `topic`: lower-cased address → the reason.

    One paged `ListContacts` walk (not one call per recipient): contacts who unsubscribed
    from every topic, and, with a topic, those opted out of it (their own choice, or the
    topic's default `OPT_OUT` when they chose nothing).

    Raises:
        NotFoundError: no such contact list, or it has no such topic.
    """
    default = SubscriptionStatus.OPT_IN
    if topic is not None:
        default = SubscriptionStatus(contact_list.refresh().topic(topic).default)
    left: dict[str, str] = {}
    for contact in contact_list.contacts:
        if contact.unsubscribe_all:
            left[contact.address.lower()] = (
                f"unsubscribed from every topic of contact list {contact_list.name}"
            )
            continue
        if topic is None:
            continue
        status = contact.status(topic) or default
        if status is SubscriptionStatus.OPT_OUT:
            own = any(p.topic == topic for p in contact.preferences)
            left[contact.address.lower()] = (
                f"opted out of topic {topic} of contact list {contact_list.name}"
                if own
                else f"not opted in to topic {topic} of contact list {contact_list.name} "
                "(its default is OPT_OUT)"
            )
    return left
