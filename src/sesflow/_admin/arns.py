"""The ARNs of SES resources, which tenants and their associations are named by.

SES's API never tells a caller its own account id, but every tenant's ARN carries it
(`arn:aws:ses:us-east-1:123456789012:tenant/acme/tn-...`): a resource's ARN is built from
the partition, region and account of such an ARN.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from sesflow._errors import ValidationError

if TYPE_CHECKING:
    from sesflow._configuration_set import ConfigurationSet
    from sesflow._identity import Identity
    from sesflow._template import Template

__all__ = ["ARN", "account_prefix", "resource_arn", "resource_kind"]

#: An SES ARN: `arn:<partition>:ses:<region>:<account>:<kind>/<name...>`.
ARN = re.compile(
    r"arn:(?P<partition>aws[a-z-]*):ses:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):"
    r"(?P<kind>[a-z-]+)/(?P<name>[^\s]+)\Z"
)

_KINDS = ("identity", "configuration-set", "template")


def account_prefix(arn: str) -> str:
    """`arn:<partition>:ses:<region>:<account>:` of an SES ARN.

    Examples:
        >>> account_prefix("arn:aws:ses:us-east-1:123456789012:tenant/acme/tn-1")
        'arn:aws:ses:us-east-1:123456789012:'
    """
    match = ARN.match(arn)
    if match is None:
        raise ValueError(f"not an SES ARN: {arn!r}")
    return f"arn:{match['partition']}:ses:{match['region']}:{match['account']}:"


def resource_arn(
    resource: Identity | ConfigurationSet | Template | str,
    *,
    prefix: str | None,
    field: str = "resource",
) -> str:
    """The ARN of `resource`: an ARN as given (checked), or built from `prefix`.

    `prefix` is `account_prefix()` of an ARN of the same account and region; None is
    enough for an ARN.

    Examples:
        >>> resource_arn(ses.template("welcome"), prefix="arn:aws:ses:us-east-1:123456789012:")
        'arn:aws:ses:us-east-1:123456789012:template/welcome'
    """
    if isinstance(resource, str):
        match = ARN.match(resource)
        if match is None or match["kind"] not in _KINDS:
            raise ValidationError(
                f"{field}: {resource!r} is not the ARN of an SES identity, configuration set "
                "or template (arn:aws:ses:<region>:<account>:identity/<name>, "
                "configuration-set/<name> or template/<name>)",
                field=field,
                value=resource,
            )
        return resource
    kind = resource_kind(resource, field=field)
    assert prefix is not None, "an object's ARN needs the account's prefix"
    return f"{prefix}{kind}/{resource.name}"


def resource_kind(resource: object, *, field: str = "resource") -> str:
    """The ARN resource type of a sesflow object a tenant can hold (`identity`, ...).

    Examples:
        >>> resource_kind(ses.domain("example.com"))
        'identity'
    """
    from sesflow._configuration_set import ConfigurationSet
    from sesflow._identity import Identity
    from sesflow._template import Template

    if isinstance(resource, Identity):
        return "identity"
    if isinstance(resource, ConfigurationSet):
        return "configuration-set"
    if isinstance(resource, Template):
        return "template"
    raise ValidationError(
        f"{field}: expected an Identity, Domain, ConfigurationSet, Template or an ARN, "
        f"got {type(resource).__name__}",
        field=field,
        value=resource,
    )
