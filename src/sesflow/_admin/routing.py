"""Where a sender's mail goes besides its configuration set: its tenant and its
multi-region endpoint, the two request members every send of a `Sender` carries."""

from __future__ import annotations

from sesflow._validate import validate_name

from .endpoints import require_crt, validate_endpoint_id
from .tenants import Tenant

__all__ = ["routing_params"]


def routing_params(*, tenant: str | Tenant | None, endpoint_id: str | None) -> dict[str, str]:
    """`TenantName` and `EndpointId` for every send of a sender, checked (no AWS call).

    Raises:
        ValidationError: a bad tenant name or endpoint id.
        MissingExtraError: an endpoint id without botocore's CRT extra (SigV4a).

    Examples:
        >>> routing_params(tenant="acme", endpoint_id=None)
        {'TenantName': 'acme'}
    """
    params: dict[str, str] = {}
    if tenant is not None:
        name = tenant.name if isinstance(tenant, Tenant) else tenant
        params["TenantName"] = validate_name(name, field="tenant")
    if endpoint_id is not None:
        params["EndpointId"] = validate_endpoint_id(endpoint_id)
        require_crt()
    return params
