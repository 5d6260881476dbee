"""Virtual Deliverability Manager (VDM) switches, and per-send tracking overrides.

VDM is an account-level SES feature (`PutAccountVdmAttributes`): its dashboard collects
engagement metrics (opens and clicks), and its guardian can route through *optimized shared
delivery*. A configuration set may override either for its mail (`PutConfigurationSetVdmOptions`;
unset means the account's), and one send may override open and click tracking for its own
message (`ConfigurationOverrides.Tracking`, botocore 1.44 and later).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ._errors import ValidationError

__all__ = [
    "VdmSettings",
    "account_vdm_params",
    "configuration_set_vdm_params",
    "flag",
    "tracking_overrides",
    "vdm_of_account",
    "vdm_of_configuration_set",
]


@dataclass(frozen=True, slots=True)
class VdmSettings:
    """VDM settings: the account's (`Account.vdm`) or a configuration set's
    (`ConfigurationSet.vdm`).

    Attributes:
        enabled: whether VDM is on for the account; `None` for a configuration set (the
            switch is the account's) and for an account that never set it.
        engagement_metrics: the dashboard's open and click metrics; `None`: not set (a
            configuration set then follows the account).
        optimized_shared_delivery: the guardian's optimized shared delivery; `None`: not
            set.

    Examples:
        >>> acct = ses.account().update_vdm(enabled=True, engagement_metrics=True)
        >>> acct.vdm
        VdmSettings(enabled=True, engagement_metrics=True, optimized_shared_delivery=None)
    """

    enabled: bool | None = None
    engagement_metrics: bool | None = None
    optimized_shared_delivery: bool | None = None


def flag(value: object, *, field: str) -> bool:
    """`value` if it is a bool, else `ValidationError` (a truthy string is not a switch)."""
    if not isinstance(value, bool):
        raise ValidationError(
            f"{field}: expected True or False, got {value!r}", field=field, value=value
        )
    return value


def _status(value: object, field: str) -> str:
    return "ENABLED" if flag(value, field=field) else "DISABLED"


def _parse(value: object) -> bool | None:
    if value is None:
        return None
    return str(value) == "ENABLED"


def account_vdm_params(
    enabled: bool, engagement_metrics: bool | None, optimized_shared_delivery: bool | None
) -> dict[str, Any]:
    """`PutAccountVdmAttributes`'s `VdmAttributes`."""
    attributes: dict[str, Any] = {"VdmEnabled": _status(enabled, "enabled")}
    if engagement_metrics is not None:
        attributes["DashboardAttributes"] = {
            "EngagementMetrics": _status(engagement_metrics, "engagement_metrics")
        }
    if optimized_shared_delivery is not None:
        attributes["GuardianAttributes"] = {
            "OptimizedSharedDelivery": _status(
                optimized_shared_delivery, "optimized_shared_delivery"
            )
        }
    return attributes


def configuration_set_vdm_params(
    engagement_metrics: bool | None, optimized_shared_delivery: bool | None
) -> dict[str, Any]:
    """`PutConfigurationSetVdmOptions`'s `VdmOptions` (empty: follow the account)."""
    options: dict[str, Any] = {}
    if engagement_metrics is not None:
        options["DashboardOptions"] = {
            "EngagementMetrics": _status(engagement_metrics, "engagement_metrics")
        }
    if optimized_shared_delivery is not None:
        options["GuardianOptions"] = {
            "OptimizedSharedDelivery": _status(
                optimized_shared_delivery, "optimized_shared_delivery"
            )
        }
    return options


def vdm_of_account(attributes: Mapping[str, Any] | None) -> VdmSettings:
    """`GetAccount`'s `VdmAttributes` as `VdmSettings`."""
    attributes = attributes or {}
    return VdmSettings(
        enabled=_parse(attributes.get("VdmEnabled")),
        engagement_metrics=_parse(
            (attributes.get("DashboardAttributes") or {}).get("EngagementMetrics")
        ),
        optimized_shared_delivery=_parse(
            (attributes.get("GuardianAttributes") or {}).get("OptimizedSharedDelivery")
        ),
    )


def vdm_of_configuration_set(options: Mapping[str, Any] | None) -> VdmSettings:
    """`GetConfigurationSet`'s `VdmOptions` as `VdmSettings` (`enabled` is None)."""
    options = options or {}
    return VdmSettings(
        enabled=None,
        engagement_metrics=_parse((options.get("DashboardOptions") or {}).get("EngagementMetrics")),
        optimized_shared_delivery=_parse(
            (options.get("GuardianOptions") or {}).get("OptimizedSharedDelivery")
        ),
    )


def tracking_overrides(open_tracking: bool | None, click_tracking: bool | None) -> dict[str, Any]:
    """A send's `ConfigurationOverrides` member for open and click tracking (empty if none).

    Examples:
        >>> tracking_overrides(False, None)
        {'ConfigurationOverrides': {'Tracking': {'OpenTrackingEnabled': 'DISABLED'}}}
    """
    tracking: dict[str, str] = {}
    if open_tracking is not None:
        tracking["OpenTrackingEnabled"] = _status(open_tracking, "open_tracking")
    if click_tracking is not None:
        tracking["ClickTrackingEnabled"] = _status(click_tracking, "click_tracking")
    if not tracking:
        return {}
    return {"ConfigurationOverrides": {"Tracking": tracking}}
