"""What a `Sender` adds to every request it makes: sending on behalf of another account
(`FromEmailAddressIdentityArn`, the feedback-forwarding address and its identity) and per-send
tracking overrides (`ConfigurationOverrides`), checked once, when the sender is made."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._authorization import delegation_params
from ._errors import ValidationError
from ._vdm import tracking_overrides

if TYPE_CHECKING:
    from ._ses import SES

__all__ = ["sender_options"]


def _models(client: Any, operation: str, member: str) -> bool:
    """Whether the installed botocore's SES v2 model has `member` in `operation`'s input."""
    try:
        shape = client.meta.service_model.operation_model(operation).input_shape
    except Exception:  # a stand-in client without a model: let SES decide
        return True
    return member in shape.members


def sender_options(
    ses: SES,
    from_address: str,
    *,
    from_identity_arn: str | None,
    feedback_forwarding_address: str | None,
    feedback_identity_arn: str | None,
    open_tracking: bool | None,
    click_tracking: bool | None,
) -> dict[str, Any]:
    """The request members a sender adds to each `SendEmail` and `SendBulkEmail`.

    Raises:
        ValidationError: a bad ARN or address, a tracking switch that is not a bool, or
            tracking overrides with a botocore too old to send them (before any call).
    """
    options: dict[str, Any] = delegation_params(
        ses.region,
        from_address,
        from_identity_arn=from_identity_arn,
        feedback_forwarding_address=feedback_forwarding_address,
        feedback_identity_arn=feedback_identity_arn,
    )
    overrides = tracking_overrides(open_tracking, click_tracking)
    if overrides and not _models(ses.client, "SendEmail", "ConfigurationOverrides"):
        field = "open_tracking" if open_tracking is not None else "click_tracking"
        raise ValidationError(
            f"{field}: per-send tracking overrides (ConfigurationOverrides) need a botocore "
            "whose SES v2 model has them (1.43.103 or later); upgrade boto3/botocore",
            field=field,
        )
    options.update(overrides)
    return options
