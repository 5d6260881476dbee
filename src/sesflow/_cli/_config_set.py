"""`sesflow config-set`: configuration sets and their event destinations."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from ._app import Context, add_command, add_group, add_tags, tags_of
from ._output import Result, fields_text

if TYPE_CHECKING:
    from typing import TypeAlias

    from sesflow import (
        CloudWatchDestination,
        ConfigurationSet,
        EventBridgeDestination,
        EventDestination,
        FirehoseDestination,
        SnsDestination,
    )

    Destination: TypeAlias = (
        SnsDestination | CloudWatchDestination | FirehoseDestination | EventBridgeDestination
    )

__all__ = ["register"]

_EVENTS = (
    "SEND, REJECT, BOUNCE, COMPLAINT, DELIVERY, OPEN, CLICK,\n"
    "  RENDERING_FAILURE, DELIVERY_DELAY, SUBSCRIPTION"
)


def _csv(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def _destination_text(dest: Destination) -> str:
    from sesflow import (
        CloudWatchDestination,
        EventBridgeDestination,
        FirehoseDestination,
        SnsDestination,
    )

    if isinstance(dest, SnsDestination):
        return f"SNS {dest.topic_arn}"
    if isinstance(dest, CloudWatchDestination):
        return "CloudWatch " + ",".join(f"{d.name}={d.default_value}" for d in dest.dimensions)
    if isinstance(dest, FirehoseDestination):
        return f"Firehose {dest.delivery_stream_arn}\n  with role {dest.iam_role_arn}"
    assert isinstance(dest, EventBridgeDestination)
    return f"EventBridge {dest.event_bus_arn}"


def _destination_data(item: EventDestination) -> dict[str, Any]:
    return {
        "name": item.name,
        "enabled": item.enabled,
        "events": sorted(e.value for e in item.events),
        "kind": type(item.destination).__name__,
        "destination": item.destination,
        "summary": _destination_text(item.destination),
    }


def _describe(cs: ConfigurationSet) -> dict[str, Any]:
    cs.refresh()
    return {
        "name": cs.name,
        "sending_enabled": cs.sending_enabled,
        "sending_pool": cs.sending_pool,
        "tls_policy": cs.tls_policy.value,
        "tracking_domain": cs.tracking_domain,
        "reputation_metrics": cs.reputation_metrics,
        "suppressed_reasons": sorted(r.value for r in cs.suppressed_reasons),
        "event_destinations": [_destination_data(d) for d in cs.event_destinations()],
    }


def _show_text(info: dict[str, Any]) -> str:
    fields = fields_text((k, v) for k, v in info.items() if k != "event_destinations")
    dests = info["event_destinations"]
    if not dests:
        return fields + "\n\nNo event destinations."
    # A block per destination rather than a table: ARNs run to 70 characters and more.
    lines = [fields, "", "Event destinations:"]
    for d in dests:
        state = "" if d["enabled"] else " (disabled)"
        lines.append(f"  {d['name']}{state}: {', '.join(d['events'])}")
        first, *rest = d["summary"].splitlines()
        lines += [f"    -> {first}", *(f"    {line}" for line in rest)]
    return "\n".join(lines)


def _show_result(cs: ConfigurationSet) -> Result:
    info = _describe(cs)
    return Result(info, _show_text(info))


def _create(ctx: Context) -> Result:
    args = ctx.args
    options: dict[str, Any] = {
        "tracking_domain": args.tracking_domain,
        "https_policy": args.https_policy,
        "sending_pool": args.sending_pool,
        "tls_policy": args.tls_policy,
        "reputation_metrics": not args.no_reputation_metrics,
        "sending_enabled": not args.paused,
        "tags": tags_of(args),
    }
    if args.no_suppression:
        options["suppressed_reasons"] = ()
    elif args.suppressed_reasons is not None:
        options["suppressed_reasons"] = _csv(args.suppressed_reasons)
    cs = ctx.ses.configuration_set(args.name).create(**options)
    return _show_result(cs)


def _show(ctx: Context) -> Result:
    return _show_result(ctx.ses.configuration_set(ctx.args.name))


def _delete(ctx: Context) -> Result:
    cs = ctx.ses.configuration_set(ctx.args.name)
    cs.delete()
    return Result({"deleted": cs.name}, f"Deleted configuration set {cs.name} (if it existed).")


def _list(ctx: Context) -> Result:
    names = [cs.name for cs in ctx.ses.configuration_sets()]
    text = "\n".join(names) if names else "No configuration sets in this region."
    return Result({"configuration_sets": names}, text)


def _pause(ctx: Context) -> Result:
    return _show_result(ctx.ses.configuration_set(ctx.args.name).update_sending(enabled=False))


def _resume(ctx: Context) -> Result:
    return _show_result(ctx.ses.configuration_set(ctx.args.name).update_sending(enabled=True))


def _destination(ctx: Context) -> Destination:
    from sesflow import (
        CloudWatchDestination,
        CloudWatchDimension,
        EventBridgeDestination,
        FirehoseDestination,
        SnsDestination,
    )

    args = ctx.args
    given = [args.sns_topic, args.cloudwatch, args.firehose, args.eventbridge]
    if sum(value is not None for value in given) != 1:
        ctx.usage_error(
            "give exactly one of --sns-topic, --cloudwatch, --firehose and --eventbridge"
        )
    if args.firehose_role is not None and args.firehose is None:
        ctx.usage_error("--firehose-role goes with --firehose")
    if args.sns_topic is not None:
        return SnsDestination(args.sns_topic)
    if args.cloudwatch is not None:
        dimensions = []
        for part in _csv(args.cloudwatch):
            name, sep, default = part.partition("=")
            if not sep:
                ctx.usage_error(f"--cloudwatch: expected DIMENSION=DEFAULT, got {part!r}")
            dimensions.append(CloudWatchDimension(name, default, source=args.dimension_source))
        return CloudWatchDestination(dimensions)
    if args.firehose is not None:
        if args.firehose_role is None:
            ctx.usage_error("--firehose needs --firehose-role ROLE_ARN")
        return FirehoseDestination(args.firehose, args.firehose_role)
    return EventBridgeDestination(args.eventbridge)


def _add_destination(ctx: Context) -> Result:
    args = ctx.args
    destination = _destination(ctx)
    if args.allow_sns_publish and args.sns_topic is None:
        ctx.usage_error("--allow-sns-publish goes with --sns-topic")
    sns = ctx.client("sns") if args.allow_sns_publish else None
    cs = ctx.ses.configuration_set(args.name)
    cs.add_event_destination(
        args.destination,
        _csv(args.events.upper()),
        destination,
        enabled=not args.disabled,
        sns_client=sns,
    )
    return _show_result(cs)


def _remove_destination(ctx: Context) -> Result:
    args = ctx.args
    cs = ctx.ses.configuration_set(args.name)
    cs.remove_event_destination(args.destination)
    return _show_result(cs)


def _check_events(text: str) -> str:
    if not _csv(text):
        raise argparse.ArgumentTypeError("give at least one event type")
    return text


def register(commands: Any) -> None:
    """Add `sesflow config-set ...` to the command tree."""
    _, sub = add_group(
        commands,
        "config-set",
        help="configuration sets and their event destinations",
    )
    create = add_command(
        sub,
        "create",
        _create,
        help="create a configuration set (an existing one is left as it is)",
        epilog="example:\n  sesflow config-set create marketing --sending-pool marketing-ips",
    )
    create.add_argument("name", metavar="NAME")
    create.add_argument(
        "--tracking-domain", metavar="DOMAIN", help="a custom domain for open and click links"
    )
    create.add_argument(
        "--https-policy",
        choices=("REQUIRE", "REQUIRE_OPEN_ONLY", "OPTIONAL"),
        metavar="POLICY",
        help="REQUIRE, REQUIRE_OPEN_ONLY or OPTIONAL: HTTPS for tracking links",
    )
    create.add_argument(
        "--sending-pool", metavar="POOL", help="a dedicated IP pool to send through"
    )
    create.add_argument(
        "--tls-policy", choices=("REQUIRE", "OPTIONAL"), help="require TLS to the receiver"
    )
    create.add_argument(
        "--no-reputation-metrics",
        action="store_true",
        help="do not publish bounce and complaint rates",
    )
    create.add_argument("--paused", action="store_true", help="create it with sending disabled")
    suppression = create.add_mutually_exclusive_group()
    suppression.add_argument(
        "--suppressed-reasons",
        metavar="LIST",
        help="suppression-list reasons that apply: BOUNCE,COMPLAINT (the default)",
    )
    suppression.add_argument(
        "--no-suppression", action="store_true", help="ignore the account suppression list"
    )
    add_tags(create)

    show = add_command(sub, "show", _show, help="show a configuration set and its destinations")
    show.add_argument("name", metavar="NAME")

    delete = add_command(
        sub, "delete", _delete, help="delete a configuration set (no error if missing)"
    )
    delete.add_argument("name", metavar="NAME")

    add_command(sub, "list", _list, help="list the configuration sets in the region")

    pause = add_command(sub, "pause", _pause, help="pause sending with a configuration set")
    pause.add_argument("name", metavar="NAME")
    resume = add_command(sub, "resume", _resume, help="resume sending with a configuration set")
    resume.add_argument("name", metavar="NAME")

    add = add_command(
        sub,
        "add-destination",
        _add_destination,
        help="publish events to SNS, CloudWatch, Firehose, EventBridge",
        description=(
            "Add an event destination to a configuration set: the events listed in --events\n"
            "are published to exactly one of --sns-topic, --cloudwatch, --firehose or\n"
            f"--eventbridge.\n\nevent types:\n  {_EVENTS}"
        ),
        epilog=(
            "examples:\n"
            "  sesflow config-set add-destination marketing to-sns --events SEND,BOUNCE \\\n"
            "      --sns-topic arn:aws:sns:us-east-1:123456789012:ses-events \\\n"
            "      --allow-sns-publish\n"
            "  sesflow config-set add-destination marketing to-cw --events SEND,OPEN \\\n"
            "      --cloudwatch campaign=none"
        ),
    )
    add.add_argument("name", metavar="NAME", help="the configuration set")
    add.add_argument("destination", metavar="DEST", help="a name for the destination")
    add.add_argument(
        "--events",
        required=True,
        type=_check_events,
        metavar="TYPES",
        help="comma-separated event types, e.g. SEND,DELIVERY,BOUNCE,COMPLAINT",
    )
    # Exactly one of these four, checked in the handler: as an argparse group they would
    # make one usage line too long to wrap.
    add.add_argument("--sns-topic", metavar="ARN", help="an SNS topic")
    add.add_argument(
        "--cloudwatch",
        metavar="DIM=DEFAULT[,...]",
        help="CloudWatch metrics, split by these dimensions",
    )
    add.add_argument("--firehose", metavar="STREAM_ARN", help="a Firehose delivery stream")
    add.add_argument("--eventbridge", metavar="BUS_ARN", help="an EventBridge event bus")
    add.add_argument(
        "--firehose-role", metavar="ROLE_ARN", help="the IAM role SES assumes for --firehose"
    )
    add.add_argument(
        "--dimension-source",
        choices=("MESSAGE_TAG", "EMAIL_HEADER", "LINK_TAG"),
        default="MESSAGE_TAG",
        metavar="SOURCE",
        help="where --cloudwatch values come from: MESSAGE_TAG (the default), "
        "EMAIL_HEADER or LINK_TAG",
    )
    add.add_argument(
        "--allow-sns-publish",
        action="store_true",
        help="also add the SNS topic-policy statement that lets SES publish",
    )
    add.add_argument("--disabled", action="store_true", help="add it switched off")

    remove = add_command(
        sub, "remove-destination", _remove_destination, help="remove an event destination"
    )
    remove.add_argument("name", metavar="NAME", help="the configuration set")
    remove.add_argument("destination", metavar="DEST")
