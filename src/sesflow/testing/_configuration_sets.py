"""Configuration sets, their options and their event destinations.

Options are stored per group, as the `PutConfigurationSet*Options` operations set them: each
`Put` replaces its whole group, so a member left out of the request goes back to its default
(`PutConfigurationSetDeliveryOptions` without `SendingPoolName` leaves the shared pool).
`GetConfigurationSet` answers with the effective value of the groups SES always reports
(delivery, reputation, sending, tags), defaults filled in, and with the other groups only once
set. A send naming a configuration set that does not exist is refused with
`NotFoundException`, and one whose `SendingOptions.SendingEnabled` is false with
`SendingPausedException`; a configuration set's `SuppressionOptions.SuppressedReasons`, once
set, overrides the account's for its mail.

Rules kept as SES keeps them, all `BadRequestException` (HTTP 400) unless said otherwise:
names of at most 64 letters, digits, `_` and `-`; enum values (TLS and HTTPS policies,
suppression reasons, event types, feature statuses); `MaxDeliverySeconds` within 300-50,400;
a `SendingPoolName` must name an existing dedicated IP pool (404 `NotFoundException`, on
`CreateConfigurationSet` and `PutConfigurationSetDeliveryOptions`); at most 10 event
destinations per set (400 `LimitExceededException`); an event destination needs at least one
event type and exactly one destination, whose ARN must be of the right service (EventBridge:
the default bus only).
Deleting a configuration set deletes its event destinations; identities whose default it was
keep its name, which sends then ignore (SES allows the delete too).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sesflow.testing._context import Context
from sesflow.testing._fake import FakeError, Handlers, operation
from sesflow.testing._ip_pools import IpPoolStore
from sesflow.testing._paging import paginate

__all__ = [
    "ConfigurationSetHandlers",
    "ConfigurationSetStore",
    "FakeConfigurationSet",
    "FakeEventDestination",
    "check_suppression_validation",
    "filters",
]

MAX_EVENT_DESTINATIONS = 10
_NAME = re.compile(r"[A-Za-z0-9_-]{1,64}\Z")
_DOMAIN = re.compile(r"(?=.{1,253}\Z)((?!-)[A-Za-z0-9-]{1,63}(?<!-)\.)+[A-Za-z]{2,63}\Z")
_DIMENSION_NAME = re.compile(r"[A-Za-z0-9_-]{1,255}\Z")
_DIMENSION_VALUE = re.compile(r"[A-Za-z0-9_.@-]{1,255}\Z")
# The SES v2 model's pattern for ArchiveArn (botocore checks no patterns).
_ARCHIVE_ARN = re.compile(
    r"arn:(aws|aws-[a-z-]+):ses:[a-z]{2,4}-[a-z-]+-[0-9]:[0-9]{1,20}:mailmanager-archive/"
    r"a-[a-z0-9]{24,62}\Z"
)
_ARN = r"arn:aws[a-z-]*:{service}:[a-z0-9-]*:(\d{{12}})?:{resource}\Z"
# Per destination member: the member's ARN fields and the (service, resource) each must have.
_DESTINATIONS: dict[str, dict[str, re.Pattern[str]]] = {
    "SnsDestination": {"TopicArn": re.compile(_ARN.format(service="sns", resource=r"[\w-]+"))},
    "KinesisFirehoseDestination": {
        "DeliveryStreamArn": re.compile(
            _ARN.format(service="firehose", resource=r"deliverystream/[\w.-]+")
        ),
        "IamRoleArn": re.compile(_ARN.format(service="iam", resource=r"role/[\w+=,.@/-]+")),
    },
    "EventBridgeDestination": {
        # "Only the default bus is supported" (the SES v2 model's EventBusArn documentation).
        "EventBusArn": re.compile(_ARN.format(service="events", resource="event-bus/default"))
    },
    "PinpointDestination": {
        "ApplicationArn": re.compile(
            _ARN.format(service="mobiletargeting", resource=r"apps/[\w-]+")
        )
    },
    "CloudWatchDestination": {},
}
_EVENT_TYPES = (
    "SEND",
    "REJECT",
    "BOUNCE",
    "COMPLAINT",
    "DELIVERY",
    "OPEN",
    "CLICK",
    "RENDERING_FAILURE",
    "DELIVERY_DELAY",
    "SUBSCRIPTION",
)
_TLS_POLICIES = ("REQUIRE", "OPTIONAL")
_HTTPS_POLICIES = ("REQUIRE", "REQUIRE_OPEN_ONLY", "OPTIONAL")
_SHARED_POOL_MODES = ("GLOBAL", "REGIONAL", "ACCOUNT")
_SUPPRESSION_REASONS = ("BOUNCE", "COMPLAINT")
_SUPPRESSION_SCOPES = ("ACCOUNT", "TENANT")
_FEATURE_STATUSES = ("ENABLED", "DISABLED")
_VERDICT_THRESHOLDS = ("MEDIUM", "HIGH", "MANAGED")
_DIMENSION_SOURCES = ("MESSAGE_TAG", "EMAIL_HEADER", "LINK_TAG")
_MAX_DELIVERY_SECONDS = (300, 50_400)
# The request members of each Put*Options operation that make up its group.
_GROUP_MEMBERS = {
    "TrackingOptions": {"CustomRedirectDomain", "HttpsPolicy"},
    "DeliveryOptions": {
        "TlsPolicy",
        "SendingPoolName",
        "MaxDeliverySeconds",
        "SharedPoolDeliveryMode",
    },
    "SuppressionOptions": {"SuppressedReasons", "SuppressionScope", "ValidationOptions"},
    "ArchivingOptions": {"ArchiveArn"},
}
# What GetConfigurationSet reports for a group never set.
_ALWAYS_REPORTED: dict[str, dict[str, Any]] = {
    "DeliveryOptions": {"TlsPolicy": "OPTIONAL"},
    "ReputationOptions": {"ReputationMetricsEnabled": False},
    "SendingOptions": {"SendingEnabled": True},
}
_OPTION_GROUPS = (
    "TrackingOptions",
    "DeliveryOptions",
    "ReputationOptions",
    "SendingOptions",
    "SuppressionOptions",
    "VdmOptions",
    "ArchivingOptions",
    "MessageSecurityOptions",
)


@dataclass(frozen=True)
class FakeEventDestination:
    """A snapshot of one event destination of a configuration set.

    Examples:
        >>> _ = ses.configuration_set("marketing").create().add_event_destination(
        ...     "to-sns", ["BOUNCE", "COMPLAINT"], SnsDestination(topic_arn))
        >>> [destination] = fake.configuration_set_state("marketing").event_destinations
        >>> destination
        FakeEventDestination('to-sns', SnsDestination, events=['BOUNCE', 'COMPLAINT'], enabled=True)
        >>> destination.destination["TopicArn"]
        'arn:aws:sns:us-east-1:123456789012:ses-events'

    Attributes:
        name: `Name`.
        enabled: `Enabled` (false when the request left it out, as in SES).
        matching_event_types: `MatchingEventTypes`, in the order given.
        destination_type: The destination member: `SnsDestination`,
            `CloudWatchDestination`, `KinesisFirehoseDestination`,
            `EventBridgeDestination` or `PinpointDestination`.
        destination: That member's value, e.g. `{"TopicArn": ...}`.
    """

    name: str
    enabled: bool
    matching_event_types: tuple[str, ...]
    destination_type: str
    destination: Mapping[str, Any]

    def to_response(self) -> dict[str, Any]:
        """Render as one entry of `GetConfigurationSetEventDestinations`.

        Examples:
            >>> destination = FakeEventDestination(
            ...     "to-sns", True, ("BOUNCE",), "SnsDestination", {"TopicArn": topic_arn})
            >>> destination.to_response()
            {'Name': 'to-sns', 'Enabled': True, 'MatchingEventTypes': ['BOUNCE'],
             'SnsDestination': {'TopicArn': 'arn:aws:sns:us-east-1:123456789012:ses-events'}}
        """
        return {
            "Name": self.name,
            "Enabled": self.enabled,
            "MatchingEventTypes": list(self.matching_event_types),
            self.destination_type: copy.deepcopy(dict(self.destination)),
        }

    def __repr__(self) -> str:
        return (
            f"FakeEventDestination({self.name!r}, {self.destination_type}, "
            f"events={list(self.matching_event_types)!r}, enabled={self.enabled})"
        )


@dataclass(frozen=True)
class FakeConfigurationSet:
    """A snapshot of a configuration set, from `FakeSES.configuration_set_state()`.

    Each options group is what `GetConfigurationSet` reports for it (defaults filled in), or
    `None` for a group never set that SES does not report then.

    Examples:
        >>> _ = client.create_configuration_set(ConfigurationSetName="marketing")
        >>> _ = client.put_configuration_set_sending_options(
        ...     ConfigurationSetName="marketing", SendingEnabled=False
        ... )
        >>> fake.configuration_set_state("marketing")
        FakeConfigurationSet('marketing', sending_enabled=False, sending_pool_name=None,
                             event_destinations=[])

    Attributes:
        name: `ConfigurationSetName`.
        tracking_options: `TrackingOptions`.
        delivery_options: `DeliveryOptions`.
        reputation_options: `ReputationOptions`.
        sending_options: `SendingOptions`.
        suppression_options: `SuppressionOptions`.
        vdm_options: `VdmOptions`.
        archiving_options: `ArchivingOptions`.
        message_security_options: `MessageSecurityOptions`.
        tags: `Tags`.
        event_destinations: Its event destinations, oldest first.
    """

    name: str
    tracking_options: Mapping[str, Any] | None = None
    delivery_options: Mapping[str, Any] | None = None
    reputation_options: Mapping[str, Any] | None = None
    sending_options: Mapping[str, Any] | None = None
    suppression_options: Mapping[str, Any] | None = None
    vdm_options: Mapping[str, Any] | None = None
    archiving_options: Mapping[str, Any] | None = None
    message_security_options: Mapping[str, Any] | None = None
    tags: tuple[Mapping[str, str], ...] = ()
    event_destinations: tuple[FakeEventDestination, ...] = field(default=())

    @property
    def sending_enabled(self) -> bool:
        """`SendingOptions.SendingEnabled`: false makes sends with the set fail.

        Examples:
            >>> _ = ses.configuration_set("marketing").create()
            >>> fake.configuration_set_state("marketing").sending_enabled
            True
        """
        return bool((self.sending_options or {}).get("SendingEnabled", True))

    @property
    def sending_pool_name(self) -> str | None:
        """`DeliveryOptions.SendingPoolName`: the dedicated IP pool, or `None` (shared).

        Examples:
            >>> _ = ses.ip_pool("marketing-ips").create()
            >>> _ = ses.configuration_set("marketing").create(sending_pool="marketing-ips")
            >>> fake.configuration_set_state("marketing").sending_pool_name
            'marketing-ips'
        """
        pool = (self.delivery_options or {}).get("SendingPoolName")
        return None if pool is None else str(pool)

    @property
    def suppressed_reasons(self) -> tuple[str, ...] | None:
        """The set's own suppressed reasons, or `None` when the account's apply.

        Examples:
            >>> _ = client.create_configuration_set(ConfigurationSetName="marketing")
            >>> print(fake.configuration_set_state("marketing").suppressed_reasons)
            None
            >>> _ = client.put_configuration_set_suppression_options(
            ...     ConfigurationSetName="marketing", SuppressedReasons=[]
            ... )
            >>> fake.configuration_set_state("marketing").suppressed_reasons
            ()
        """
        reasons = (self.suppression_options or {}).get("SuppressedReasons")
        return None if reasons is None else tuple(reasons)

    def __repr__(self) -> str:
        names = [destination.name for destination in self.event_destinations]
        return (
            f"FakeConfigurationSet({self.name!r}, sending_enabled={self.sending_enabled}, "
            f"sending_pool_name={self.sending_pool_name!r}, event_destinations={names!r})"
        )


@dataclass
class _StoredConfigurationSet:
    sequence: int
    # Option groups by their GetConfigurationSet member name, plus "Tags"; as last set.
    options: dict[str, Any]
    destinations: dict[str, FakeEventDestination] = field(default_factory=dict)


class ConfigurationSetStore:
    """The configuration sets, their options and event destinations, in creation order.

    Other concepts ask it through its methods: identities whether a set exists, sending
    whether a set may send and which suppression reasons it sets, events where its records go.

    Examples:
        >>> sets = ConfigurationSetStore(Context("us-east-1", "123456789012", clock, clock, seed=7))
        >>> print(sets.suppressed_reasons("marketing"))  # no such set: the account's apply
        None
    """

    def __init__(self, context: Context) -> None:
        self._context = context
        # Owned here; the configuration-set handlers below add, edit and remove entries.
        self.sets: dict[str, _StoredConfigurationSet] = {}

    def __len__(self) -> int:
        return len(self.sets)

    def exists(self, name: str) -> bool:
        """Whether configuration set `name` exists."""
        return name in self.sets

    def add(self, name: str, options: dict[str, Any]) -> None:
        """Keep a new configuration set, numbered after every resource so far."""
        self.sets[name] = _StoredConfigurationSet(self._context.sequence.next(), options)

    def state(self, name: str) -> FakeConfigurationSet:
        """A snapshot of configuration set `name`, for a test; `KeyError` if missing."""
        stored = self.sets.get(name)
        if stored is None:
            raise KeyError(f"FakeSES has no configuration set {name!r}")
        answer = self.answer(name, stored)
        return FakeConfigurationSet(
            name=name,
            tracking_options=answer.get("TrackingOptions"),
            delivery_options=answer.get("DeliveryOptions"),
            reputation_options=answer.get("ReputationOptions"),
            sending_options=answer.get("SendingOptions"),
            suppression_options=answer.get("SuppressionOptions"),
            vdm_options=answer.get("VdmOptions"),
            archiving_options=answer.get("ArchivingOptions"),
            message_security_options=answer.get("MessageSecurityOptions"),
            tags=tuple(answer.get("Tags") or ()),
            event_destinations=tuple(stored.destinations.values()),
        )

    def get(self, name: str) -> _StoredConfigurationSet:
        """Configuration set `name`, for a request; `NotFoundException` if missing."""
        stored = self.sets.get(name)
        if stored is None:
            raise FakeError("NotFoundException", f"Configuration set <{name}> does not exist.")
        return stored

    def sending_enabled(self, name: str) -> bool:
        """`SendingOptions.SendingEnabled` of set `name`; `NotFoundException` if missing."""
        options = self.get(name).options
        return bool((options.get("SendingOptions") or {}).get("SendingEnabled", True))

    def suppressed_reasons(self, name: str | None) -> list[str] | None:
        """The set's own suppressed reasons, or `None` when the account's apply."""
        stored = self.sets.get(name) if name is not None else None
        if stored is None:
            return None
        reasons = (stored.options.get("SuppressionOptions") or {}).get("SuppressedReasons")
        return None if reasons is None else list(reasons)

    def enabled_destinations(self, name: str) -> list[FakeEventDestination]:
        """The enabled event destinations of set `name` (none if it does not exist)."""
        stored = self.sets.get(name)
        if stored is None:
            return []
        return [d for d in stored.destinations.values() if d.enabled]

    def max_delivery_seconds(self, name: str) -> int | None:
        """`DeliveryOptions.MaxDeliverySeconds` of set `name`, if set."""
        stored = self.sets.get(name)
        options = {} if stored is None else stored.options
        seconds = (options.get("DeliveryOptions") or {}).get("MaxDeliverySeconds")
        return None if seconds is None else int(seconds)

    def answer(self, name: str, stored: _StoredConfigurationSet) -> dict[str, Any]:
        """`GetConfigurationSet`'s answer for a stored set."""
        # SES answers with the effective value of options never set, so code reading e.g.
        # SendingOptions.SendingEnabled sees what applies.
        result: dict[str, Any] = {"ConfigurationSetName": name, "Tags": []}
        result.update(copy.deepcopy(_ALWAYS_REPORTED))
        for key, value in copy.deepcopy(stored.options).items():
            default = result.get(key)
            if isinstance(default, dict) and isinstance(value, dict):
                value = {**default, **value}
            result[key] = value
        return result


class ConfigurationSetHandlers(Handlers):
    """Configuration sets, their options and event destinations; pool names are checked."""

    def __init__(self, configuration_sets: ConfigurationSetStore, pools: IpPoolStore) -> None:
        self._sets = configuration_sets
        self._pools = pools

    # --- configuration sets --------------------------------------------------------------

    @operation("CreateConfigurationSet")
    def _create_configuration_set(self, params: Mapping[str, Any]) -> None:
        name = params["ConfigurationSetName"]
        _check_name(name, "configuration set")
        if name in self._sets.sets:
            raise FakeError("AlreadyExistsException", f"Configuration set <{name}> already exists.")
        options: dict[str, Any] = {}
        for group in _OPTION_GROUPS:
            if group in params:
                options[group] = _checked_group(group, params[group])
        pool = (options.get("DeliveryOptions") or {}).get("SendingPoolName")
        if pool is not None:
            self._pools.get(pool)
        if "Tags" in params:
            options["Tags"] = copy.deepcopy(list(params["Tags"]))
        self._sets.add(name, options)

    @operation("GetConfigurationSet")
    def _get_configuration_set(self, params: Mapping[str, Any]) -> dict[str, Any]:
        name = params["ConfigurationSetName"]
        return self._sets.answer(name, self._sets.get(name))

    @operation("ListConfigurationSets")
    def _list_configuration_sets(self, params: Mapping[str, Any]) -> dict[str, Any]:
        wanted = filters(params, {"CONFIGURATION_SET_NAME_CONTAINS"})
        needle = wanted.get("CONFIGURATION_SET_NAME_CONTAINS", "").lower()
        items = [
            (stored.sequence, name)
            for name, stored in self._sets.sets.items()
            if needle in name.lower()
        ]
        page, token = paginate("configuration-sets", items, params)
        return {"ConfigurationSets": page, "NextToken": token}

    @operation("DeleteConfigurationSet")
    def _delete_configuration_set(self, params: Mapping[str, Any]) -> None:
        name = params["ConfigurationSetName"]
        self._sets.get(name)
        # Its event destinations go with it. Identities whose default it was keep the name
        # (SES allows the delete); sends ignore a default that no longer exists.
        del self._sets.sets[name]

    @operation("UpdateConfigurationSet")
    def _update_configuration_set(self, params: Mapping[str, Any]) -> None:
        stored = self._sets.get(params["ConfigurationSetName"])
        # A partial update: only the groups in the request change.
        if "MessageSecurityOptions" in params:
            stored.options["MessageSecurityOptions"] = _checked_group(
                "MessageSecurityOptions", params["MessageSecurityOptions"]
            )

    # --- PutConfigurationSet*Options -----------------------------------------------------

    def _put_group(self, params: Mapping[str, Any], group: str, value: dict[str, Any]) -> None:
        stored = self._sets.get(params["ConfigurationSetName"])
        if value:
            stored.options[group] = _checked_group(group, value)
        else:
            stored.options.pop(group, None)

    @operation("PutConfigurationSetTrackingOptions")
    def _put_tracking(self, params: Mapping[str, Any]) -> None:
        if "CustomRedirectDomain" not in params and "HttpsPolicy" in params:
            # TrackingOptions cannot exist without its (required) CustomRedirectDomain.
            raise FakeError("BadRequestException", "HttpsPolicy needs a CustomRedirectDomain.")
        self._put_group(params, "TrackingOptions", _members(params, "TrackingOptions"))

    @operation("PutConfigurationSetDeliveryOptions")
    def _put_delivery(self, params: Mapping[str, Any]) -> None:
        self._sets.get(params["ConfigurationSetName"])
        pool = params.get("SendingPoolName")
        if pool is not None:
            self._pools.get(pool)
        self._put_group(params, "DeliveryOptions", _members(params, "DeliveryOptions"))

    @operation("PutConfigurationSetReputationOptions")
    def _put_reputation(self, params: Mapping[str, Any]) -> None:
        stored = self._sets.get(params["ConfigurationSetName"])
        value = {"ReputationMetricsEnabled": bool(params.get("ReputationMetricsEnabled", False))}
        # LastFreshStart is SES's record of a reputation reset, not a setting: it stays.
        fresh = (stored.options.get("ReputationOptions") or {}).get("LastFreshStart")
        if fresh is not None:
            value["LastFreshStart"] = fresh
        stored.options["ReputationOptions"] = value

    @operation("PutConfigurationSetSendingOptions")
    def _put_sending(self, params: Mapping[str, Any]) -> None:
        stored = self._sets.get(params["ConfigurationSetName"])
        stored.options["SendingOptions"] = {
            "SendingEnabled": bool(params.get("SendingEnabled", False))
        }

    @operation("PutConfigurationSetSuppressionOptions")
    def _put_suppression(self, params: Mapping[str, Any]) -> None:
        self._put_group(params, "SuppressionOptions", _members(params, "SuppressionOptions"))

    @operation("PutConfigurationSetVdmOptions")
    def _put_vdm(self, params: Mapping[str, Any]) -> None:
        self._put_group(params, "VdmOptions", dict(params.get("VdmOptions") or {}))

    @operation("PutConfigurationSetArchivingOptions")
    def _put_archiving(self, params: Mapping[str, Any]) -> None:
        self._put_group(params, "ArchivingOptions", _members(params, "ArchivingOptions"))

    # --- event destinations --------------------------------------------------------------

    @operation("CreateConfigurationSetEventDestination")
    def _create_event_destination(self, params: Mapping[str, Any]) -> None:
        stored = self._sets.get(params["ConfigurationSetName"])
        name = params["EventDestinationName"]
        _check_name(name, "event destination")
        destination = _event_destination(name, params["EventDestination"])
        if name in stored.destinations:
            raise FakeError(
                "AlreadyExistsException",
                f"Event destination <{name}> already exists in configuration set "
                f"<{params['ConfigurationSetName']}>.",
            )
        if len(stored.destinations) >= MAX_EVENT_DESTINATIONS:
            raise FakeError(
                "LimitExceededException",
                f"Configuration set <{params['ConfigurationSetName']}> already has "
                f"{MAX_EVENT_DESTINATIONS} event destinations, the most allowed.",
            )
        stored.destinations[name] = destination

    @operation("GetConfigurationSetEventDestinations")
    def _get_event_destinations(self, params: Mapping[str, Any]) -> dict[str, Any]:
        stored = self._sets.get(params["ConfigurationSetName"])
        return {"EventDestinations": [d.to_response() for d in stored.destinations.values()]}

    @operation("UpdateConfigurationSetEventDestination")
    def _update_event_destination(self, params: Mapping[str, Any]) -> None:
        stored = self._sets.get(params["ConfigurationSetName"])
        name = params["EventDestinationName"]
        self._event_destination(stored, params)
        # Replaced in place, so it keeps its position among the set's destinations.
        stored.destinations[name] = _event_destination(name, params["EventDestination"])

    @operation("DeleteConfigurationSetEventDestination")
    def _delete_event_destination(self, params: Mapping[str, Any]) -> None:
        stored = self._sets.get(params["ConfigurationSetName"])
        self._event_destination(stored, params)
        del stored.destinations[params["EventDestinationName"]]

    def _event_destination(
        self, stored: _StoredConfigurationSet, params: Mapping[str, Any]
    ) -> FakeEventDestination:
        name = params["EventDestinationName"]
        destination = stored.destinations.get(name)
        if destination is None:
            raise FakeError(
                "NotFoundException",
                f"Event destination <{name}> does not exist in configuration set "
                f"<{params['ConfigurationSetName']}>.",
            )
        return destination


# --- validation ----------------------------------------------------------------------------


def filters(params: Mapping[str, Any], known: set[str]) -> dict[str, str]:
    """A list operation's `Filter`, its keys checked against `known` (`BadRequest`)."""
    wanted = dict(params.get("Filter") or {})
    unknown = sorted(set(wanted) - known)
    if unknown:
        raise FakeError("BadRequestException", f"Unknown filter key(s) {unknown}.")
    return wanted


def _check_name(name: str, what: str) -> None:
    if not _NAME.match(name):
        raise FakeError(
            "BadRequestException",
            f"Invalid {what} name <{name}>: use at most 64 letters, digits, underscores and "
            "dashes.",
        )


def _members(params: Mapping[str, Any], group: str) -> dict[str, Any]:
    """The request members of a `Put*Options` call that belong to `group`."""
    wanted = _GROUP_MEMBERS[group]
    return {key: copy.deepcopy(value) for key, value in params.items() if key in wanted}


def _one_of(value: object, allowed: Sequence[str], where: str) -> None:
    if value not in allowed:
        raise FakeError(
            "BadRequestException", f"Invalid {where} <{value}>: use one of {', '.join(allowed)}."
        )


def _all_of(values: Iterable[object], allowed: Sequence[str], where: str) -> None:
    for value in values:
        _one_of(value, allowed, where)


def _checked_group(group: str, value: Mapping[str, Any]) -> dict[str, Any]:
    """Check one options group as SES does and return a private copy of it."""
    checked = copy.deepcopy(dict(value))
    if group == "TrackingOptions":
        domain = checked.get("CustomRedirectDomain")
        if not isinstance(domain, str) or not _DOMAIN.match(domain):
            raise FakeError("BadRequestException", f"Invalid CustomRedirectDomain <{domain}>.")
        if "HttpsPolicy" in checked:
            _one_of(checked["HttpsPolicy"], _HTTPS_POLICIES, "HttpsPolicy")
    elif group == "DeliveryOptions":
        if "TlsPolicy" in checked:
            _one_of(checked["TlsPolicy"], _TLS_POLICIES, "TlsPolicy")
        if "SharedPoolDeliveryMode" in checked:
            _one_of(checked["SharedPoolDeliveryMode"], _SHARED_POOL_MODES, "SharedPoolDeliveryMode")
        seconds = checked.get("MaxDeliverySeconds")
        low, high = _MAX_DELIVERY_SECONDS
        if seconds is not None and not low <= seconds <= high:
            raise FakeError(
                "BadRequestException",
                f"MaxDeliverySeconds must be between {low} and {high}, got {seconds}.",
            )
    elif group == "SuppressionOptions":
        _all_of(checked.get("SuppressedReasons") or (), _SUPPRESSION_REASONS, "SuppressedReasons")
        if "SuppressionScope" in checked:
            _one_of(checked["SuppressionScope"], _SUPPRESSION_SCOPES, "SuppressionScope")
        check_suppression_validation(checked.get("ValidationOptions"))
    elif group == "VdmOptions":
        for part, key in (
            ("DashboardOptions", "EngagementMetrics"),
            ("GuardianOptions", "OptimizedSharedDelivery"),
        ):
            status = (checked.get(part) or {}).get(key)
            if status is not None:
                _one_of(status, _FEATURE_STATUSES, f"{part}.{key}")
    elif group == "ArchivingOptions":
        arn = checked.get("ArchiveArn")
        if arn is not None and not _ARCHIVE_ARN.match(arn):
            raise FakeError("BadRequestException", f"Invalid ArchiveArn <{arn}>.")
    return checked


def check_suppression_validation(value: Mapping[str, Any] | None) -> None:
    """Check a `SuppressionValidationOptions` (or `...Attributes`) value's enums.

    Examples:
        >>> check_suppression_validation(
        ...     {"ConditionThreshold": {"ConditionThresholdEnabled": "DISABLED"}}
        ... )
        >>> check_suppression_validation(
        ...     {"ConditionThreshold": {"ConditionThresholdEnabled": "OFF"}}
        ... )
        Traceback (most recent call last):
        sesflow.testing._fake.FakeError: BadRequestException: ...
    """
    threshold = (value or {}).get("ConditionThreshold") or {}
    if "ConditionThresholdEnabled" in threshold:
        _one_of(
            threshold["ConditionThresholdEnabled"], _FEATURE_STATUSES, "ConditionThresholdEnabled"
        )
    verdict = (threshold.get("OverallConfidenceThreshold") or {}).get("ConfidenceVerdictThreshold")
    if verdict is not None:
        _one_of(verdict, _VERDICT_THRESHOLDS, "ConfidenceVerdictThreshold")


def _event_destination(name: str, definition: Mapping[str, Any]) -> FakeEventDestination:
    events = list(dict.fromkeys(definition.get("MatchingEventTypes") or ()))
    if not events:
        raise FakeError(
            "BadRequestException", "MatchingEventTypes must name at least one event type."
        )
    _all_of(events, _EVENT_TYPES, "MatchingEventTypes")
    kinds = [kind for kind in _DESTINATIONS if definition.get(kind) is not None]
    if len(kinds) != 1:
        raise FakeError(
            "BadRequestException",
            "An event destination needs exactly one of "
            f"{', '.join(sorted(_DESTINATIONS))}; got {len(kinds)}.",
        )
    kind = kinds[0]
    target = copy.deepcopy(dict(definition[kind]))
    for key, pattern in _DESTINATIONS[kind].items():
        arn = target.get(key)
        if not isinstance(arn, str) or not pattern.match(arn):
            raise FakeError("BadRequestException", f"Invalid {kind}.{key} <{arn}>.")
    if kind == "CloudWatchDestination":
        _check_dimensions(target.get("DimensionConfigurations") or [])
    return FakeEventDestination(
        name=name,
        enabled=bool(definition.get("Enabled", False)),
        matching_event_types=tuple(events),
        destination_type=kind,
        destination=target,
    )


def _check_dimensions(dimensions: Sequence[Mapping[str, Any]]) -> None:
    if not dimensions:
        raise FakeError(
            "BadRequestException", "CloudWatchDestination needs at least one dimension."
        )
    for dimension in dimensions:
        name = dimension.get("DimensionName")
        default = dimension.get("DefaultDimensionValue")
        if not isinstance(name, str) or not _DIMENSION_NAME.match(name):
            raise FakeError("BadRequestException", f"Invalid DimensionName <{name}>.")
        if not isinstance(default, str) or not _DIMENSION_VALUE.match(default):
            raise FakeError("BadRequestException", f"Invalid DefaultDimensionValue <{default}>.")
        _one_of(dimension.get("DimensionValueSource"), _DIMENSION_SOURCES, "DimensionValueSource")
