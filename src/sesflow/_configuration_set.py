"""Configuration sets: tracking, delivery, reputation, suppression, event destinations."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, Self

from ._destinations import (
    Destination,
    EventDestination,
    SnsDestination,
    destination_from_ses,
    event_types,
)
from ._enums import EventType, HttpsPolicy, SuppressionReason, TlsPolicy, coerce_enum
from ._errors import AlreadyExistsError, NotFoundError, ValidationError
from ._logging import logger
from ._resource import NamedResource
from ._validate import validate_domain, validate_name, validate_tags
from ._vdm import VdmSettings, configuration_set_vdm_params, vdm_of_configuration_set

if TYPE_CHECKING:
    from ._ses import SES

__all__ = ["ConfigurationSet"]

#: Event destinations SES allows per configuration set.
MAX_DESTINATIONS = 10
_ALL_REASONS = (SuppressionReason.BOUNCE, SuppressionReason.COMPLAINT)


def _reasons(value: Iterable[SuppressionReason | str]) -> list[str]:
    if isinstance(value, str):
        value = [value]
    return sorted(
        {coerce_enum(SuppressionReason, r, field="suppressed_reasons").value for r in value}
    )


class ConfigurationSet(NamedResource):
    """A configuration set: rules applied to the mail sent with it.

    It tracks send, delivery, open, click, bounce and complaint events (through event
    destinations), sends through a dedicated IP pool, and sets TLS, reputation metrics
    and suppression for its mail. Get one from `ses.configuration_set(name)`.

    Examples:
        >>> pool = ses.ip_pool("marketing-ips").create()
        >>> cs = ses.configuration_set("marketing").create(sending_pool="marketing-ips")
        >>> cs.add_event_destination(
        ...     "to-sns",
        ...     [EventType.SEND, EventType.DELIVERY, EventType.BOUNCE, EventType.COMPLAINT],
        ...     SnsDestination("arn:aws:sns:us-east-1:123456789012:ses-events"),
        ... )
        ConfigurationSet('marketing')
    """

    def __init__(self, ses: SES, name: str) -> None:
        super().__init__(ses, name)
        self._state: dict[str, Any] | None = None

    # Lifecycle

    def create(
        self,
        *,
        tracking_domain: str | None = None,
        https_policy: HttpsPolicy | str | None = None,
        sending_pool: str | None = None,
        tls_policy: TlsPolicy | str | None = None,
        reputation_metrics: bool = True,
        sending_enabled: bool = True,
        suppressed_reasons: Iterable[SuppressionReason | str] = _ALL_REASONS,
        tags: Mapping[str, str] | None = None,
    ) -> Self:
        """Create the configuration set. Idempotent: an existing one is left as it is.

        Args:
            tracking_domain: a custom domain for open and click tracking links.
            https_policy: whether tracking links use HTTPS (`HttpsPolicy`).
            sending_pool: a dedicated IP pool to send through.
            tls_policy: `REQUIRE` TLS to the receiving server, or `OPTIONAL`.
            reputation_metrics: publish bounce and complaint rates to CloudWatch.
            sending_enabled: False creates it paused.
            suppressed_reasons: which account suppression-list reasons apply to its mail;
                empty turns suppression off for it.
            tags: `{key: value}` tags.

        Examples:
            >>> ses.configuration_set("marketing").create(tls_policy="REQUIRE")
            ConfigurationSet('marketing')
        """
        params: dict[str, Any] = {"ConfigurationSetName": self._name}
        params.update(self._tracking(tracking_domain, https_policy))
        delivery = self._delivery(tls_policy, sending_pool)
        if delivery:
            params["DeliveryOptions"] = delivery
        params["ReputationOptions"] = {"ReputationMetricsEnabled": bool(reputation_metrics)}
        params["SendingOptions"] = {"SendingEnabled": bool(sending_enabled)}
        params["SuppressionOptions"] = {"SuppressedReasons": _reasons(suppressed_reasons)}
        tag_list = validate_tags(tags)
        if tag_list:
            params["Tags"] = tag_list
        try:
            self._ses._call("CreateConfigurationSet", **params)
        except AlreadyExistsError:
            logger.info("configuration set %s exists already", self._name)
            return self
        logger.info("created configuration set %s", self._name)
        self._state = None
        return self

    @staticmethod
    def _tracking(domain: str | None, https_policy: HttpsPolicy | str | None) -> dict[str, Any]:
        if domain is None:
            if https_policy is not None:
                raise ValidationError(
                    "https_policy: applies only with a tracking_domain", field="https_policy"
                )
            return {}
        options: dict[str, Any] = {
            "CustomRedirectDomain": validate_domain(domain, field="tracking_domain")
        }
        if https_policy is not None:
            options["HttpsPolicy"] = coerce_enum(HttpsPolicy, https_policy, field="https_policy")
        return {"TrackingOptions": options}

    @staticmethod
    def _delivery(tls_policy: TlsPolicy | str | None, sending_pool: str | None) -> dict[str, Any]:
        options: dict[str, Any] = {}
        if tls_policy is not None:
            options["TlsPolicy"] = coerce_enum(TlsPolicy, tls_policy, field="tls_policy").value
        if sending_pool is not None:
            options["SendingPoolName"] = validate_name(sending_pool, field="sending_pool")
        return options

    def exists(self) -> bool:
        """Whether SES has this configuration set.

        Examples:
            >>> ses.configuration_set("nope").exists()
            False
        """
        try:
            self.refresh()
        except NotFoundError:
            return False
        return True

    def refresh(self) -> Self:
        """Load the current options (`GetConfigurationSet`).

        Raises:
            NotFoundError: no such configuration set.

        Examples:
            >>> _ = ses.configuration_set("marketing").create()
            >>> ses.configuration_set("marketing").refresh().tls_policy
            <TlsPolicy.OPTIONAL: 'OPTIONAL'>
        """
        response = self._ses._call("GetConfigurationSet", ConfigurationSetName=self._name)
        self._state = {k: v for k, v in response.items() if k != "ResponseMetadata"}
        return self

    def delete(self) -> None:
        """Delete the configuration set and its event destinations. Idempotent.

        Examples:
            >>> ses.configuration_set("marketing").delete()
        """
        try:
            self._ses._call("DeleteConfigurationSet", ConfigurationSetName=self._name)
        except NotFoundError:
            return
        logger.info("deleted configuration set %s", self._name)
        self._state = None

    # Options, as of the last refresh (loaded on first access)

    def _options(self, key: str) -> Mapping[str, Any]:
        if self._state is None:
            self.refresh()
        assert self._state is not None
        value: Mapping[str, Any] = self._state.get(key) or {}
        return value

    @property
    def tracking_domain(self) -> str | None:
        """The custom tracking domain, if any.

        Examples:
            >>> cs = ses.configuration_set("marketing").create(tracking_domain="click.example.com")
            >>> cs.tracking_domain
            'click.example.com'
        """
        value = self._options("TrackingOptions").get("CustomRedirectDomain")
        return str(value) if value else None

    @property
    def tls_policy(self) -> TlsPolicy:
        """`REQUIRE` or `OPTIONAL`.

        Examples:
            >>> cs = ses.configuration_set("marketing").create(tls_policy="REQUIRE")
            >>> cs.tls_policy
            <TlsPolicy.REQUIRE: 'REQUIRE'>
        """
        return TlsPolicy(self._options("DeliveryOptions").get("TlsPolicy") or "OPTIONAL")

    @property
    def sending_pool(self) -> str | None:
        """The dedicated IP pool mail is sent through, if any.

        Examples:
            >>> pool = ses.ip_pool("marketing-ips").create()
            >>> cs = ses.configuration_set("marketing").create(sending_pool=pool.name)
            >>> cs.sending_pool
            'marketing-ips'
        """
        value = self._options("DeliveryOptions").get("SendingPoolName")
        return str(value) if value else None

    @property
    def reputation_metrics(self) -> bool:
        """Whether reputation metrics are published.

        Examples:
            >>> cs = ses.configuration_set("marketing").create()
            >>> cs.reputation_metrics
            True
        """
        return bool(self._options("ReputationOptions").get("ReputationMetricsEnabled"))

    @property
    def sending_enabled(self) -> bool:
        """Whether mail may be sent with it.

        Examples:
            >>> cs = ses.configuration_set("marketing").create()
            >>> cs.sending_enabled
            True
        """
        return bool(self._options("SendingOptions").get("SendingEnabled", True))

    @property
    def suppressed_reasons(self) -> frozenset[SuppressionReason]:
        """Which suppression-list reasons apply to its mail.

        Examples:
            >>> cs = ses.configuration_set("marketing").create()
            >>> sorted(cs.suppressed_reasons)
            [<SuppressionReason.BOUNCE: 'BOUNCE'>, <SuppressionReason.COMPLAINT: 'COMPLAINT'>]
        """
        reasons = self._options("SuppressionOptions").get("SuppressedReasons") or ()
        return frozenset(SuppressionReason(r) for r in reasons)

    # Changing one option group

    def _put(self, operation: str, **params: Any) -> Self:
        self._ses._call(operation, ConfigurationSetName=self._name, **params)
        self._state = None
        return self

    def update_tracking(
        self, tracking_domain: str | None, *, https_policy: HttpsPolicy | str | None = None
    ) -> Self:
        """Set (or, with None, remove) the custom tracking domain.

        Examples:
            >>> cs = ses.configuration_set("marketing").create()
            >>> cs.update_tracking("click.example.com", https_policy="REQUIRE")
            ConfigurationSet('marketing')
        """
        options = self._tracking(tracking_domain, https_policy).get("TrackingOptions", {})
        return self._put("PutConfigurationSetTrackingOptions", **options)

    def update_delivery(
        self,
        *,
        tls_policy: TlsPolicy | str | None = None,
        sending_pool: str | None = None,
    ) -> Self:
        """Set the TLS policy and the dedicated IP pool (None: the shared pool).

        Examples:
            >>> pool = ses.ip_pool("marketing-ips").create()
            >>> cs = ses.configuration_set("marketing").create()
            >>> cs.update_delivery(tls_policy="REQUIRE", sending_pool="marketing-ips")
            ConfigurationSet('marketing')
        """
        return self._put(
            "PutConfigurationSetDeliveryOptions", **self._delivery(tls_policy, sending_pool)
        )

    def update_reputation(self, *, enabled: bool) -> Self:
        """Turn reputation metrics on or off.

        Examples:
            >>> cs = ses.configuration_set("marketing").create()
            >>> cs.update_reputation(enabled=False)
            ConfigurationSet('marketing')
        """
        return self._put("PutConfigurationSetReputationOptions", ReputationMetricsEnabled=enabled)

    def update_sending(self, *, enabled: bool) -> Self:
        """Pause (False) or resume (True) sending with this configuration set.

        Examples:
            >>> cs = ses.configuration_set("marketing").create()
            >>> cs.update_sending(enabled=False)  # pause a campaign's configuration set
            ConfigurationSet('marketing')
        """
        return self._put("PutConfigurationSetSendingOptions", SendingEnabled=enabled)

    def update_suppression(self, reasons: Iterable[SuppressionReason | str]) -> Self:
        """Which suppression-list reasons apply (empty: none).

        Examples:
            >>> cs = ses.configuration_set("marketing").create()
            >>> cs.update_suppression(["BOUNCE"])
            ConfigurationSet('marketing')
        """
        return self._put(
            "PutConfigurationSetSuppressionOptions", SuppressedReasons=_reasons(reasons)
        )

    @property
    def vdm(self) -> VdmSettings:
        """The set's Virtual Deliverability Manager options (`VdmOptions`); a switch that is
        None follows the account's (`Account.vdm`).

        Examples:
            >>> cs = ses.configuration_set("marketing").create()
            >>> cs.update_vdm(engagement_metrics=False).vdm.engagement_metrics
            False
        """
        return vdm_of_configuration_set(self._options("VdmOptions"))

    def update_vdm(
        self,
        *,
        engagement_metrics: bool | None = None,
        optimized_shared_delivery: bool | None = None,
    ) -> Self:
        """Set the set's VDM options (`PutConfigurationSetVdmOptions`): engagement metrics
        and optimized shared delivery for its mail; None follows the account's setting
        (calling it with neither clears both overrides).

        Raises:
            ValidationError: a switch that is not a bool (no call made).
            NotFoundError: no such configuration set.

        Examples:
            >>> cs = ses.configuration_set("transactional").create()
            >>> cs.update_vdm(engagement_metrics=False, optimized_shared_delivery=True)
            ConfigurationSet('transactional')
        """
        options = configuration_set_vdm_params(engagement_metrics, optimized_shared_delivery)
        return self._put("PutConfigurationSetVdmOptions", VdmOptions=options)

    # Event destinations

    def add_event_destination(
        self,
        name: str,
        events: Iterable[EventType | str],
        destination: Destination,
        *,
        enabled: bool = True,
        sns_client: Any = None,
    ) -> Self:
        """Publish `events` to `destination`.

        Args:
            name: the destination's name (≤ 64 letters, digits, `-`, `_`).
            events: at least one `EventType`.
            destination: `SnsDestination`, `CloudWatchDestination`,
                `FirehoseDestination` or `EventBridgeDestination`.
            enabled: False adds it switched off.
            sns_client: for an `SnsDestination`, a boto3 `sns` client: sesflow then adds
                the topic-policy statement that lets SES publish to the topic (as CDK
                does). Opt-in, because it changes the topic's policy.

        Raises:
            ValidationError: no events, a bad name, an ARN of the wrong service, or
                already 10 destinations.
            AlreadyExistsError: a destination of that name exists.

        Examples:
            >>> cs = ses.configuration_set("marketing").create()
            >>> topic_arn = "arn:aws:sns:us-east-1:123456789012:ses-events"
            >>> cs.add_event_destination(
            ...     "to-sns", [EventType.BOUNCE, EventType.COMPLAINT], SnsDestination(topic_arn))
            ConfigurationSet('marketing')

            Letting sesflow add the topic-policy statement needs a real SNS topic (AWS):

            >>> cs.add_event_destination(  # doctest: +SKIP
            ...     "to-sns", [EventType.BOUNCE, EventType.COMPLAINT],
            ...     SnsDestination(topic_arn), sns_client=boto3.client("sns"))
        """
        params = self._destination_params(name, events, destination, enabled)
        if len(self.event_destinations()) >= MAX_DESTINATIONS:
            raise ValidationError(
                f"name: {self._name} has {MAX_DESTINATIONS} event destinations already, the "
                "most SES allows",
                field="name",
            )
        if sns_client is not None and isinstance(destination, SnsDestination):
            self._allow_ses_to_publish(sns_client, destination.topic_arn)
        self._ses._call("CreateConfigurationSetEventDestination", **params)
        logger.info("added event destination %s to %s", name, self._name)
        return self

    def _destination_params(
        self,
        name: str,
        events: Iterable[EventType | str],
        destination: Destination,
        enabled: bool,
    ) -> dict[str, Any]:
        validate_name(name, field="name")
        if not hasattr(destination, "_to_ses"):
            raise ValidationError(
                "destination: expected SnsDestination, CloudWatchDestination, "
                f"FirehoseDestination or EventBridgeDestination, got {destination!r}",
                field="destination",
            )
        body = {"Enabled": bool(enabled), "MatchingEventTypes": event_types(events)}
        body.update(destination._to_ses())
        return {
            "ConfigurationSetName": self._name,
            "EventDestinationName": name,
            "EventDestination": body,
        }

    def update_event_destination(
        self,
        name: str,
        events: Iterable[EventType | str],
        destination: Destination,
        *,
        enabled: bool = True,
    ) -> Self:
        """Replace an event destination's events, target and switch.

        Examples:
            >>> cs = ses.configuration_set("marketing").create()
            >>> arn = "arn:aws:sns:us-east-1:123456789012:ses-events"
            >>> _ = cs.add_event_destination("to-sns", ["BOUNCE", "COMPLAINT"], SnsDestination(arn))
            >>> cs.update_event_destination("to-sns", [EventType.BOUNCE], SnsDestination(arn),
            ...                             enabled=False)
            ConfigurationSet('marketing')
            >>> [(d.name, d.enabled) for d in cs.event_destinations()]
            [('to-sns', False)]
        """
        params = self._destination_params(name, events, destination, enabled)
        self._ses._call("UpdateConfigurationSetEventDestination", **params)
        return self

    def event_destinations(self) -> list[EventDestination]:
        """Every event destination of the configuration set.

        Examples:
            >>> cs = ses.configuration_set("marketing").create()
            >>> arn = "arn:aws:sns:us-east-1:123456789012:ses-events"
            >>> _ = cs.add_event_destination("to-sns", ["BOUNCE", "COMPLAINT"], SnsDestination(arn))
            >>> [(d.name, sorted(d.events)) for d in cs.event_destinations()]
            [('to-sns', [<EventType.BOUNCE: 'BOUNCE'>, <EventType.COMPLAINT: 'COMPLAINT'>])]
        """
        response = self._ses._call(
            "GetConfigurationSetEventDestinations", ConfigurationSetName=self._name
        )
        return [
            EventDestination(
                name=str(item["Name"]),
                events=frozenset(EventType(e) for e in item.get("MatchingEventTypes") or ()),
                destination=destination_from_ses(item),
                enabled=bool(item.get("Enabled", False)),
            )
            for item in response.get("EventDestinations") or ()
        ]

    def remove_event_destination(self, name: str) -> None:
        """Remove an event destination. Idempotent.

        Examples:
            >>> cs = ses.configuration_set("marketing").create()
            >>> cs.remove_event_destination("to-sns")
        """
        try:
            self._ses._call(
                "DeleteConfigurationSetEventDestination",
                ConfigurationSetName=self._name,
                EventDestinationName=validate_name(name, field="name"),
            )
        except NotFoundError:
            return

    def _allow_ses_to_publish(self, sns: Any, topic_arn: str) -> None:
        """Add the topic-policy statement that lets SES publish this set's events."""
        account = topic_arn.split(":")[4]
        source = f"arn:aws:ses:{self._ses.region}:{account}:configuration-set/{self._name}"
        sid = f"sesflow-{self._name}"
        response = self._ses._invoke(sns, "GetTopicAttributes", {"TopicArn": topic_arn}, retry=True)
        attributes = response["Attributes"]
        policy = json.loads(attributes.get("Policy") or '{"Version": "2012-10-17"}')
        statements = [s for s in policy.get("Statement", []) if s.get("Sid") != sid]
        statements.append(
            {
                "Sid": sid,
                "Effect": "Allow",
                "Principal": {"Service": "ses.amazonaws.com"},
                "Action": "SNS:Publish",
                "Resource": topic_arn,
                "Condition": {
                    "StringEquals": {"AWS:SourceAccount": account},
                    "ArnLike": {"AWS:SourceArn": source},
                },
            }
        )
        policy["Statement"] = statements
        self._ses._invoke(
            sns,
            "SetTopicAttributes",
            {
                "TopicArn": topic_arn,
                "AttributeName": "Policy",
                "AttributeValue": json.dumps(policy),
            },
            retry=True,
        )
