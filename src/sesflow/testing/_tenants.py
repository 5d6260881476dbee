"""Tenants: named groups of identities, configuration sets and templates, and their sends.

What the fake checks, as SES does:

- names of at most 64 letters, digits, `-` and `_` (`BadRequestException`), unique
  (`AlreadyExistsException`); tags at most 50;
- a `ResourceArn` must be an SES identity, configuration set or template ARN of this
  region and account (`BadRequestException` otherwise) whose resource exists
  (`NotFoundException`); associating twice is `AlreadyExistsException`, taking away what
  is not associated `NotFoundException`;
- deleting a tenant removes its associations, not the resources;
- a send naming `TenantName` (`SendEmail`, `SendBulkEmail`) needs the tenant
  (`NotFoundException`), its sending not `DISABLED` (`SendingPausedException`), and
  every resource the send uses associated with it: the sender's identity (the address or
  its domain, whichever verifies it), the configuration set (named, or the identity's
  default) and a stored template (`BadRequestException` naming the first one missing).
  SES documents the rule, not these codes; they are the fake's choice.

`FakeSES.set_tenant_sending_status()` plays SES pausing a tenant on reputation findings.
A tenant's own suppression list answers the suppression-list operations that name it
(`TenantName`); a tenant send is still withheld by the account-level list only.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from sesflow.testing._configuration_sets import ConfigurationSetStore
from sesflow.testing._context import Context
from sesflow.testing._fake import FakeError, Handlers, operation
from sesflow.testing._identities import IdentityStore
from sesflow.testing._paging import paginate
from sesflow.testing._plain import plain
from sesflow.testing._suppression import SuppressionStore
from sesflow.testing._templates import TemplateStore

__all__ = [
    "FakeTenant",
    "FakeTenantResource",
    "TenantHandlers",
    "TenantStore",
    "partition_of",
]

_NAME = re.compile(r"[\w-]{1,64}\Z", re.ASCII)
_RESOURCE_ARN = re.compile(
    r"arn:(?P<partition>aws[a-z-]*):ses:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):"
    r"(?P<kind>identity|configuration-set|template)/(?P<name>.+)\Z"
)
_RESOURCE_TYPES = {
    "identity": "EMAIL_IDENTITY",
    "configuration-set": "CONFIGURATION_SET",
    "template": "EMAIL_TEMPLATE",
}
SENDING_STATUSES = ("ENABLED", "REINSTATED", "DISABLED")
_SCOPES = ("ACCOUNT", "TENANT")
_REASONS = ("BOUNCE", "COMPLAINT")
_MAX_TAGS = 50


def partition_of(region: str) -> str:
    """The ARN partition of a region.

    Examples:
        >>> partition_of("us-east-1"), partition_of("cn-north-1")
        ('aws', 'aws-cn')
    """
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


@dataclass(frozen=True)
class FakeTenantResource:
    """One resource associated with a tenant (see `FakeTenant.resources`).

    Examples:
        >>> _ = client.create_tenant(TenantName="acme")
        >>> _ = client.create_tenant_resource_association(
        ...     TenantName="acme",
        ...     ResourceArn="arn:aws:ses:us-east-1:123456789012:identity/news@example.com")
        >>> fake.tenant_state("acme").resources[0].resource_type
        'EMAIL_IDENTITY'

    Attributes:
        arn: `ResourceArn`.
        resource_type: `EMAIL_IDENTITY`, `CONFIGURATION_SET` or `EMAIL_TEMPLATE`.
        associated: When it was associated (the fake's `wall_clock`).
    """

    arn: str
    resource_type: str
    associated: dt.datetime


@dataclass(frozen=True)
class FakeTenant:
    """A snapshot of one tenant, from `FakeSES.tenant_state()`.

    Examples:
        >>> _ = client.create_tenant(TenantName="acme", Tags=[{"Key": "plan", "Value": "pro"}])
        >>> tenant = fake.tenant_state("acme")
        >>> tenant.sending_status, tenant.arn.startswith("arn:aws:ses:us-east-1:")
        ('ENABLED', True)

    Attributes:
        name: `TenantName`.
        tenant_id: `TenantId`.
        arn: `TenantArn`, `arn:aws:ses:<region>:<account>:tenant/<name>/<id>`.
        created: `CreatedTimestamp`.
        sending_status: `ENABLED`, `REINSTATED` or `DISABLED`.
        suppression_scope: `SuppressionAttributes.SuppressionScope`, if set.
        suppressed_reasons: `SuppressionAttributes.SuppressedReasons`, if set.
        tags: The tags, `{"Key": ..., "Value": ...}` each.
        resources: The associated resources, oldest first.
    """

    name: str
    tenant_id: str
    arn: str
    created: dt.datetime
    sending_status: str = "ENABLED"
    suppression_scope: str | None = None
    suppressed_reasons: tuple[str, ...] | None = None
    tags: tuple[Mapping[str, str], ...] = ()
    resources: tuple[FakeTenantResource, ...] = field(default=())

    def __repr__(self) -> str:
        return (
            f"FakeTenant({self.name!r}, sending_status={self.sending_status!r}, "
            f"resources={len(self.resources)})"
        )

    def _info(self) -> dict[str, Any]:
        return {
            "TenantName": self.name,
            "TenantId": self.tenant_id,
            "TenantArn": self.arn,
            "CreatedTimestamp": self.created,
            "SendingStatus": self.sending_status,
        }

    def _attributes(self) -> dict[str, Any]:
        attributes: dict[str, Any] = {}
        if self.suppressed_reasons is not None:
            attributes["SuppressedReasons"] = list(self.suppressed_reasons)
        if self.suppression_scope is not None:
            attributes["SuppressionScope"] = self.suppression_scope
        return attributes

    def _full(self) -> dict[str, Any]:
        answer = self._info()
        answer["Tags"] = [dict(tag) for tag in self.tags]
        attributes = self._attributes()
        if attributes:
            answer["SuppressionAttributes"] = attributes
        return answer


class TenantStore:
    """The tenants, in creation order, and the check a tenant send must pass.

    Examples:
        >>> context = Context("us-east-1", "123456789012", clock, clock, seed=7)
        >>> tenants = TenantStore(context)
        >>> tenants.get("acme")
        Traceback (most recent call last):
        sesflow.testing._fake.FakeError: NotFoundException: Tenant <acme> does not exist.
    """

    def __init__(self, context: Context) -> None:
        self._context = context
        self._ids = context.generator("tenant-ids")
        # Owned here; the tenant handlers below add, replace and remove entries.
        self.tenants: dict[str, tuple[int, FakeTenant]] = {}
        # Each tenant's own suppression list, made on first use.
        self._lists: dict[str, SuppressionStore] = {}

    def __len__(self) -> int:
        return len(self.tenants)

    def state(self, name: str) -> FakeTenant:
        """Tenant `name`, for a test; `KeyError` if missing."""
        entry = self.tenants.get(name)
        if entry is None:
            raise KeyError(f"FakeSES has no tenant {name!r}")
        return entry[1]

    def get(self, name: str) -> FakeTenant:
        """Tenant `name`, for a request; `NotFoundException` if missing."""
        entry = self.tenants.get(name)
        if entry is None:
            raise FakeError("NotFoundException", f"Tenant <{name}> does not exist.")
        return entry[1]

    def put(self, tenant: FakeTenant) -> None:
        """Keep a new tenant, or replace one in its place."""
        previous = self.tenants.get(tenant.name)
        sequence = previous[0] if previous is not None else self._context.sequence.next()
        self.tenants[tenant.name] = (sequence, tenant)

    def suppression_list(self, name: str) -> SuppressionStore:
        """Tenant `name`'s own suppression list; `NotFoundException` if no such tenant."""
        self.get(name)
        if name not in self._lists:
            self._lists[name] = SuppressionStore(self._context)
        return self._lists[name]

    def remove(self, name: str) -> None:
        """Forget tenant `name`, its associations and its suppression list."""
        del self.tenants[name]
        self._lists.pop(name, None)

    def new_id(self) -> str:
        """A fresh `TenantId`."""
        alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
        return "tn-" + "".join(self._ids.choice(alphabet) for _ in range(24))

    def set_sending_status(self, name: str, status: str) -> None:
        """Set a tenant's `SendingStatus`, for a test (`KeyError`, `ValueError`)."""
        tenant = self.state(name)
        checked = plain(status)
        if checked not in SENDING_STATUSES:
            raise ValueError(f"status must be one of {', '.join(SENDING_STATUSES)}, got {status!r}")
        self.put(replace(tenant, sending_status=checked))

    def check_send(
        self,
        params: Mapping[str, Any],
        *,
        identity: str,
        configuration_set: str | None,
        template: str | None,
    ) -> None:
        """Refuse a send naming a tenant that may not send with these resources."""
        name = params.get("TenantName")
        if name is None:
            return
        tenant = self.get(name)
        if tenant.sending_status == "DISABLED":
            raise FakeError(
                "SendingPausedException",
                f"Sending is paused for tenant <{name}>.",
            )
        context = self._context
        prefix = f"arn:{partition_of(context.region)}:ses:{context.region}:{context.account_id}:"
        held = {r.arn for r in tenant.resources}
        needed = [(f"identity/{identity}", "identity", identity)]
        if configuration_set is not None:
            needed.append(
                (f"configuration-set/{configuration_set}", "configuration set", configuration_set)
            )
        if template is not None:
            needed.append((f"template/{template}", "template", template))
        for path, what, shown in needed:
            if prefix + path not in held:
                raise FakeError(
                    "BadRequestException",
                    f"The {what} <{shown}> is not associated with tenant <{name}>.",
                )


class TenantHandlers(Handlers):
    """Tenant operations: the tenants, their resources and their suppression settings."""

    def __init__(
        self,
        tenants: TenantStore,
        context: Context,
        *,
        identities: IdentityStore,
        configuration_sets: ConfigurationSetStore,
        templates: TemplateStore,
    ) -> None:
        self._tenants = tenants
        self._context = context
        self._identities = identities
        self._configuration_sets = configuration_sets
        self._templates = templates

    # --- tenants -------------------------------------------------------------------------

    @operation("CreateTenant")
    def _create_tenant(self, params: Mapping[str, Any]) -> dict[str, Any]:
        name = _check_name(params["TenantName"])
        tags = tuple(copy.deepcopy(list(params.get("Tags") or [])))
        if len(tags) > _MAX_TAGS:
            raise FakeError("BadRequestException", f"At most {_MAX_TAGS} tags are allowed.")
        scope, reasons = _suppression(params.get("SuppressionAttributes") or {})
        if name in self._tenants.tenants:
            raise FakeError("AlreadyExistsException", f"Tenant <{name}> already exists.")
        context = self._context
        tenant_id = self._tenants.new_id()
        tenant = FakeTenant(
            name=name,
            tenant_id=tenant_id,
            arn=(
                f"arn:{partition_of(context.region)}:ses:{context.region}:{context.account_id}:"
                f"tenant/{name}/{tenant_id}"
            ),
            created=context.wall_now(),
            suppression_scope=scope,
            suppressed_reasons=reasons,
            tags=tags,
        )
        self._tenants.put(tenant)
        return tenant._full()

    @operation("GetTenant")
    def _get_tenant(self, params: Mapping[str, Any]) -> dict[str, Any]:
        return {"Tenant": self._tenants.get(params["TenantName"])._full()}

    @operation("DeleteTenant")
    def _delete_tenant(self, params: Mapping[str, Any]) -> None:
        name = params["TenantName"]
        self._tenants.get(name)
        self._tenants.remove(name)

    @operation("ListTenants")
    def _list_tenants(self, params: Mapping[str, Any]) -> dict[str, Any]:
        filters: Mapping[str, str] = params.get("Filter") or {}
        contains = filters.get("TENANT_NAME_CONTAINS")
        status = filters.get("SENDING_STATUS")
        if status is not None and status not in SENDING_STATUSES:
            raise FakeError(
                "BadRequestException",
                f"Invalid SENDING_STATUS filter <{status}>: use one of "
                f"{', '.join(SENDING_STATUSES)}.",
            )
        items = [
            (sequence, tenant._info())
            for sequence, tenant in self._tenants.tenants.values()
            if (contains is None or contains in tenant.name)
            and (status is None or tenant.sending_status == status)
        ]
        page, token = paginate("tenants", items, params)
        return {"Tenants": page, "NextToken": token}

    @operation("PutTenantSuppressionAttributes")
    def _put_suppression(self, params: Mapping[str, Any]) -> None:
        tenant = self._tenants.get(params["TenantName"])
        scope, reasons = _suppression(params)
        self._tenants.put(
            replace(
                tenant,
                suppression_scope=scope if scope is not None else tenant.suppression_scope,
                suppressed_reasons=reasons if reasons is not None else tenant.suppressed_reasons,
            )
        )

    # --- resources -----------------------------------------------------------------------

    @operation("CreateTenantResourceAssociation")
    def _associate(self, params: Mapping[str, Any]) -> None:
        tenant = self._tenants.get(params["TenantName"])
        arn, resource_type = self._existing_resource(params["ResourceArn"])
        if any(r.arn == arn for r in tenant.resources):
            raise FakeError(
                "AlreadyExistsException",
                f"Resource <{arn}> is already associated with tenant <{tenant.name}>.",
            )
        added = FakeTenantResource(arn, resource_type, self._context.wall_now())
        self._tenants.put(replace(tenant, resources=(*tenant.resources, added)))

    @operation("DeleteTenantResourceAssociation")
    def _disassociate(self, params: Mapping[str, Any]) -> None:
        tenant = self._tenants.get(params["TenantName"])
        arn = params["ResourceArn"]
        _parse_arn(arn, self._context)
        kept = tuple(r for r in tenant.resources if r.arn != arn)
        if len(kept) == len(tenant.resources):
            raise FakeError(
                "NotFoundException",
                f"Resource <{arn}> is not associated with tenant <{tenant.name}>.",
            )
        self._tenants.put(replace(tenant, resources=kept))

    @operation("ListTenantResources")
    def _list_tenant_resources(self, params: Mapping[str, Any]) -> dict[str, Any]:
        tenant = self._tenants.get(params["TenantName"])
        filters: Mapping[str, str] = params.get("Filter") or {}
        wanted = filters.get("RESOURCE_TYPE")
        if wanted is not None and wanted not in _RESOURCE_TYPES.values():
            raise FakeError(
                "BadRequestException",
                f"Invalid RESOURCE_TYPE filter <{wanted}>: use one of "
                f"{', '.join(_RESOURCE_TYPES.values())}.",
            )
        items = [
            (number, {"ResourceType": r.resource_type, "ResourceArn": r.arn})
            for number, r in enumerate(tenant.resources, start=1)
            if wanted is None or r.resource_type == wanted
        ]
        page, token = paginate(f"tenant-resources-{tenant.tenant_id}", items, params)
        return {"TenantResources": page, "NextToken": token}

    @operation("ListResourceTenants")
    def _list_resource_tenants(self, params: Mapping[str, Any]) -> dict[str, Any]:
        arn = params["ResourceArn"]
        _parse_arn(arn, self._context)
        items = [
            (
                sequence,
                {
                    "TenantName": tenant.name,
                    "TenantId": tenant.tenant_id,
                    "ResourceArn": arn,
                    "AssociatedTimestamp": resource.associated,
                },
            )
            for sequence, tenant in self._tenants.tenants.values()
            for resource in tenant.resources
            if resource.arn == arn
        ]
        page, token = paginate("resource-tenants", items, params)
        return {"ResourceTenants": page, "NextToken": token}

    def _existing_resource(self, arn: str) -> tuple[str, str]:
        """`(arn, resource type)` of a resource that exists; `FakeError` otherwise."""
        kind, name = _parse_arn(arn, self._context)
        if kind == "identity":
            exists = self._identities.lookup(name) is not None
        elif kind == "configuration-set":
            exists = self._configuration_sets.exists(name)
        else:
            exists = name in self._templates.templates
        if not exists:
            raise FakeError("NotFoundException", f"Resource <{arn}> does not exist.")
        return arn, _RESOURCE_TYPES[kind]


def _check_name(name: str) -> str:
    if not _NAME.match(name):
        raise FakeError(
            "BadRequestException",
            f"Invalid tenant name <{name}>: use at most 64 letters, digits, '-' and '_'.",
        )
    return name


def _parse_arn(arn: str, context: Context) -> tuple[str, str]:
    """`(kind, name)` of an SES resource ARN of this region and account."""
    match = _RESOURCE_ARN.match(arn)
    if match is None:
        raise FakeError(
            "BadRequestException",
            f"Invalid resource ARN <{arn}>: expected the ARN of an email identity, "
            "configuration set or template.",
        )
    if match["region"] != context.region or match["account"] != context.account_id:
        raise FakeError(
            "BadRequestException",
            f"Resource <{arn}> is not in this account ({context.account_id}) and region "
            f"({context.region}).",
        )
    return match["kind"], match["name"]


def _suppression(attributes: Mapping[str, Any]) -> tuple[str | None, tuple[str, ...] | None]:
    scope = attributes.get("SuppressionScope")
    if scope is not None and scope not in _SCOPES:
        raise FakeError(
            "BadRequestException",
            f"Invalid SuppressionScope <{scope}>: use one of {', '.join(_SCOPES)}.",
        )
    reasons: Sequence[str] | None = attributes.get("SuppressedReasons")
    if reasons is not None:
        bad = [r for r in reasons if r not in _REASONS]
        if bad:
            raise FakeError(
                "BadRequestException",
                f"Invalid SuppressedReasons <{bad[0]}>: use BOUNCE or COMPLAINT.",
            )
        return scope, tuple(dict.fromkeys(reasons))
    return scope, None
