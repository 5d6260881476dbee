"""Where a configuration set publishes its events: SNS, CloudWatch, Firehose, EventBridge."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ._enums import EventType, coerce_enum
from ._errors import ValidationError

__all__ = [
    "CloudWatchDestination",
    "CloudWatchDimension",
    "Destination",
    "EventBridgeDestination",
    "EventDestination",
    "FirehoseDestination",
    "SnsDestination",
    "destination_from_ses",
    "event_types",
]

_ARN = re.compile(r"^arn:aws[a-z-]*:([a-z0-9-]+):([a-z0-9-]*):(\d{12})?:(.+)\Z")
_DIMENSION_NAME = re.compile(r"^[A-Za-z0-9_:-]{1,256}\Z")
_SOURCES = ("MESSAGE_TAG", "EMAIL_HEADER", "LINK_TAG")


def _check_arn(value: object, *, field: str, service: str) -> str:
    match = _ARN.match(value) if isinstance(value, str) else None
    if match is None or match.group(1) != service:
        raise ValidationError(
            f"{field}: {value!r} is not an ARN of the {service} service "
            f"(arn:aws:{service}:<region>:<account>:...)",
            field=field,
            value=value,
        )
    return str(value)


@dataclass(frozen=True, slots=True)
class SnsDestination:
    """Publish events to an SNS topic (e.g. for a webhook).

    Examples:
        >>> SnsDestination("arn:aws:sns:us-east-1:123456789012:ses-events")
        SnsDestination(topic_arn='arn:aws:sns:us-east-1:123456789012:ses-events')
    """

    topic_arn: str

    def __post_init__(self) -> None:
        _check_arn(self.topic_arn, field="topic_arn", service="sns")

    def _to_ses(self) -> dict[str, Any]:
        return {"SnsDestination": {"TopicArn": self.topic_arn}}


@dataclass(frozen=True, slots=True)
class CloudWatchDimension:
    """One CloudWatch dimension: where its value comes from, and its default.

    Args:
        name: the dimension name.
        default_value: used when a message has no value for it.
        source: `"MESSAGE_TAG"` (the default), `"EMAIL_HEADER"` or `"LINK_TAG"`.

    Examples:
        >>> CloudWatchDimension("campaign", default_value="none")
        CloudWatchDimension(name='campaign', default_value='none', source='MESSAGE_TAG')
    """

    name: str
    default_value: str
    source: str = "MESSAGE_TAG"

    def __post_init__(self) -> None:
        for what, value in (("name", self.name), ("default_value", self.default_value)):
            if not isinstance(value, str) or not _DIMENSION_NAME.match(value):
                raise ValidationError(
                    f"dimensions: {what} {value!r} must be 1-256 letters, digits, '_', '-' or ':'",
                    field="dimensions",
                    value=value,
                )
        if self.source not in _SOURCES:
            raise ValidationError(
                f"dimensions: source {self.source!r} is not one of {', '.join(_SOURCES)}",
                field="dimensions",
            )


@dataclass(frozen=True, slots=True)
class CloudWatchDestination:
    """Publish event counts to CloudWatch, split by dimensions.

    Examples:
        >>> CloudWatchDestination([CloudWatchDimension("campaign", "none")])
        CloudWatchDestination(dimensions=(CloudWatchDimension(name='campaign', default_value='none',
                                                              source='MESSAGE_TAG'),))
    """

    dimensions: tuple[CloudWatchDimension, ...]

    def __init__(self, dimensions: Iterable[CloudWatchDimension]) -> None:
        items = tuple(dimensions)
        if not items or not all(isinstance(d, CloudWatchDimension) for d in items):
            raise ValidationError(
                "dimensions: give at least one CloudWatchDimension(name, default_value)",
                field="dimensions",
            )
        object.__setattr__(self, "dimensions", items)

    def _to_ses(self) -> dict[str, Any]:
        return {
            "CloudWatchDestination": {
                "DimensionConfigurations": [
                    {
                        "DimensionName": d.name,
                        "DimensionValueSource": d.source,
                        "DefaultDimensionValue": d.default_value,
                    }
                    for d in self.dimensions
                ]
            }
        }


@dataclass(frozen=True, slots=True)
class FirehoseDestination:
    """Stream events to Amazon Data Firehose, through an IAM role SES assumes.

    Examples:
        >>> FirehoseDestination("arn:aws:firehose:us-east-1:123456789012:deliverystream/ses",
        ...                     "arn:aws:iam::123456789012:role/ses-firehose")
        FirehoseDestination(delivery_stream_arn='arn:aws:firehose:us-east-1:123456789012:deliverystream/ses',
                            iam_role_arn='arn:aws:iam::123456789012:role/ses-firehose')
    """

    delivery_stream_arn: str
    iam_role_arn: str

    def __post_init__(self) -> None:
        _check_arn(self.delivery_stream_arn, field="delivery_stream_arn", service="firehose")
        _check_arn(self.iam_role_arn, field="iam_role_arn", service="iam")

    def _to_ses(self) -> dict[str, Any]:
        return {
            "KinesisFirehoseDestination": {
                "DeliveryStreamArn": self.delivery_stream_arn,
                "IamRoleArn": self.iam_role_arn,
            }
        }


@dataclass(frozen=True, slots=True)
class EventBridgeDestination:
    """Send events to an EventBridge bus (the default bus of the account and region).

    Examples:
        >>> EventBridgeDestination("arn:aws:events:us-east-1:123456789012:event-bus/default")
        EventBridgeDestination(event_bus_arn='arn:aws:events:us-east-1:123456789012:event-bus/default')
    """

    event_bus_arn: str

    def __post_init__(self) -> None:
        _check_arn(self.event_bus_arn, field="event_bus_arn", service="events")

    def _to_ses(self) -> dict[str, Any]:
        return {"EventBridgeDestination": {"EventBusArn": self.event_bus_arn}}


Destination = SnsDestination | CloudWatchDestination | FirehoseDestination | EventBridgeDestination


@dataclass(frozen=True, slots=True)
class EventDestination:
    """An event destination of a configuration set, as SES reports it.

    Examples:
        >>> cs = ses.configuration_set("marketing").create()
        >>> _ = cs.add_event_destination(
        ...     "to-sns", ["BOUNCE"], SnsDestination("arn:aws:sns:us-east-1:123456789012:ses"))
        >>> [d.name for d in ses.configuration_set("marketing").event_destinations()]
        ['to-sns']
    """

    name: str
    events: frozenset[EventType]
    destination: Destination
    enabled: bool = True


def event_types(events: Iterable[EventType | str] | EventType | str) -> list[str]:
    """Validate a non-empty collection of event types into SES's strings, deduplicated."""
    if isinstance(events, str):
        events = [events]
    items = list(events)
    if not items:
        raise ValidationError("events: give at least one EventType", field="events")
    chosen: list[str] = []
    for i, event in enumerate(items):
        value = coerce_enum(EventType, event, field=f"events[{i}]").value
        if value not in chosen:
            chosen.append(value)
    return chosen


def destination_from_ses(item: Mapping[str, Any]) -> Destination:
    """Turn SES's description of a destination into one of sesflow's."""
    if "SnsDestination" in item:
        return SnsDestination(item["SnsDestination"]["TopicArn"])
    if "CloudWatchDestination" in item:
        return CloudWatchDestination(
            CloudWatchDimension(
                d["DimensionName"], d["DefaultDimensionValue"], d["DimensionValueSource"]
            )
            for d in item["CloudWatchDestination"]["DimensionConfigurations"]
        )
    if "KinesisFirehoseDestination" in item:
        firehose = item["KinesisFirehoseDestination"]
        return FirehoseDestination(firehose["DeliveryStreamArn"], firehose["IamRoleArn"])
    if "EventBridgeDestination" in item:
        return EventBridgeDestination(item["EventBridgeDestination"]["EventBusArn"])
    raise ValidationError(
        f"destination: SES reported a kind sesflow does not know: {sorted(item)}",
        field="destination",
    )
