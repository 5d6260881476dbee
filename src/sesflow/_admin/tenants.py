"""Tenants: one per customer a SaaS product sends for, each with its own resources,
reputation and sending status.

A tenant groups the identities, configuration sets and templates used to send for one
customer. A send names its tenant (`ses.sender(..., tenant="acme")`) and SES accepts it only
when every resource it uses is associated with that tenant; SES then tracks reputation, and
may pause sending, per tenant instead of for the whole account.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Self

from sesflow._enums import SuppressionReason, coerce_enum
from sesflow._errors import AlreadyExistsError, NotFoundError, ValidationError
from sesflow._logging import logger
from sesflow._paging import PAGE_SIZE, pages
from sesflow._resource import NamedResource
from sesflow._validate import validate_tags

from .arns import ARN, account_prefix, resource_arn, resource_kind

if TYPE_CHECKING:
    from sesflow._configuration_set import ConfigurationSet
    from sesflow._identity import Identity
    from sesflow._ses import SES
    from sesflow._suppression import SuppressionList
    from sesflow._template import Template

__all__ = [
    "SuppressionScope",
    "Tenant",
    "TenantResource",
    "TenantResourceType",
    "TenantSendingStatus",
    "TenantSuppression",
    "resource_tenants",
    "tenants",
]


class TenantSendingStatus(StrEnum):
    """Whether a tenant may send (`Tenant.SendingStatus`).

    `DISABLED`: SES (or you) paused it; `REINSTATED`: allowed to send despite reputation
    findings.

    Examples:
        >>> TenantSendingStatus("ENABLED") is TenantSendingStatus.ENABLED
        True
    """

    ENABLED = "ENABLED"
    REINSTATED = "REINSTATED"
    DISABLED = "DISABLED"


class SuppressionScope(StrEnum):
    """Which suppression list a tenant's sends use: the account's or its own.

    Examples:
        >>> SuppressionScope.TENANT == "TENANT"
        True
    """

    ACCOUNT = "ACCOUNT"
    TENANT = "TENANT"


class TenantResourceType(StrEnum):
    """The kinds of resource a tenant holds (`TenantResource.ResourceType`).

    Examples:
        >>> TenantResourceType("EMAIL_TEMPLATE").name
        'EMAIL_TEMPLATE'
    """

    EMAIL_IDENTITY = "EMAIL_IDENTITY"
    CONFIGURATION_SET = "CONFIGURATION_SET"
    EMAIL_TEMPLATE = "EMAIL_TEMPLATE"


@dataclass(frozen=True, slots=True)
class TenantSuppression:
    """A tenant's suppression settings: which list, and what puts an address on it.

    Examples:
        >>> tenant = ses.tenant("acme").create(suppression_scope="TENANT")
        >>> tenant.suppression.scope
        <SuppressionScope.TENANT: 'TENANT'>
    """

    scope: SuppressionScope | None
    reasons: frozenset[SuppressionReason]

    @classmethod
    def _from_ses(cls, attributes: Mapping[str, Any]) -> TenantSuppression:
        scope = attributes.get("SuppressionScope")
        return cls(
            scope=SuppressionScope(scope) if scope else None,
            reasons=frozenset(
                SuppressionReason(r) for r in attributes.get("SuppressedReasons", ())
            ),
        )


@dataclass(frozen=True, slots=True)
class TenantResource:
    """A resource associated with a tenant, from `Tenant.resources()`.

    Examples:
        >>> tenant = ses.tenant("acme").create()
        >>> tenant.associate(ses.identity("news@example.com"))
        >>> [(r.resource_type.value, r.name) for r in tenant.resources()]
        [('EMAIL_IDENTITY', 'news@example.com')]
    """

    resource_type: TenantResourceType
    arn: str

    @property
    def name(self) -> str:
        """The resource's name: the part of its ARN after `identity/`, `template/`, ...

        Examples:
            >>> TenantResource(TenantResourceType.EMAIL_TEMPLATE,
            ...                "arn:aws:ses:us-east-1:123456789012:template/welcome").name
            'welcome'
        """
        match = ARN.match(self.arn)
        return match["name"] if match else self.arn.rpartition("/")[2]


class Tenant(NamedResource):
    """A tenant: the resources, reputation and sending status of one of your customers.

    Get one from `ses.tenant(name)`; nothing is sent to AWS until a verb is called. Its
    verbs are every resource's (`create()`, `refresh()`, `exists()`, `delete()`), plus
    `associate()` / `disassociate()` for the identities, configuration sets and templates
    it may send with, and `update_suppression()`.

    Examples:
        >>> acme = ses.tenant("acme").create(tags={"plan": "pro"})
        >>> acme.associate(ses.identity("news@example.com"), ses.template("welcome"))
        >>> ses.sender("news@example.com", tenant="acme").send_template(
        ...     "bob@example.com", "welcome", data={"name": "Bob"})
        SendResult(message_id='...')
    """

    _state: Mapping[str, Any] | None = None
    _full = False  # the state is GetTenant's whole answer, not a summary

    def _load(self, state: Mapping[str, Any], *, full: bool = False) -> Self:
        self._state = dict(state)
        self._full = full
        return self

    # The four verbs

    def create(
        self,
        *,
        suppression_scope: SuppressionScope | str | None = None,
        suppressed_reasons: Iterable[SuppressionReason | str] | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> Self:
        """Create the tenant. Idempotent: an existing tenant is kept as it is (change its
        suppression settings with `update_suppression()`).

        Args:
            suppression_scope: `TENANT` for a suppression list of its own, `ACCOUNT` for
                the account's; None leaves SES's default (the account's).
            suppressed_reasons: what puts an address on the tenant's list (`BOUNCE`,
                `COMPLAINT`).
            tags: resource tags `{key: value}`.

        Raises:
            ValidationError: a bad name, scope, reason or tag (before any call).
            LimitExceededError: the account has as many tenants as it may.

        Examples:
            >>> ses.tenant("acme").create(suppression_scope="TENANT",
            ...                           suppressed_reasons=["BOUNCE", "COMPLAINT"])
            Tenant('acme')
        """
        params: dict[str, Any] = {"TenantName": self._name}
        attributes = _suppression_attributes(suppression_scope, suppressed_reasons)
        if attributes:
            params["SuppressionAttributes"] = attributes
        tag_list = validate_tags(tags)
        if tag_list:
            params["Tags"] = tag_list
        try:
            response = self._ses._call("CreateTenant", **params)
        except AlreadyExistsError:
            self._state = None  # the existing tenant's own state: loaded when asked
            return self
        self._load(response, full=True)  # CreateTenant answers what GetTenant would
        logger.info("created tenant %s", self._name)
        return self

    def refresh(self) -> Self:
        """Load the tenant's current state (`GetTenant`).

        Raises:
            NotFoundError: the tenant does not exist.

        Examples:
            >>> _ = ses.tenant("acme").create()
            >>> ses.tenant("acme").refresh().sending_status
            <TenantSendingStatus.ENABLED: 'ENABLED'>
        """
        response = self._ses._call("GetTenant", TenantName=self._name)
        return self._load(response.get("Tenant") or {}, full=True)

    def exists(self) -> bool:
        """Whether the tenant exists.

        Examples:
            >>> ses.tenant("nobody").exists()
            False
        """
        try:
            self._ses._call("GetTenant", TenantName=self._name)
        except NotFoundError:
            return False
        return True

    def delete(self) -> None:
        """Delete the tenant (its associations go with it; the resources stay). Idempotent.

        Examples:
            >>> ses.tenant("acme").delete()
        """
        try:
            self._ses._call("DeleteTenant", TenantName=self._name)
        except NotFoundError:
            return
        finally:
            self._state = None
        logger.info("deleted tenant %s", self._name)

    # State

    def _field(self, name: str) -> Any:
        if self._state is None or (not self._full and name not in self._state):
            self.refresh()
        assert self._state is not None
        return self._state.get(name)

    @property
    def tenant_id(self) -> str:
        """SES's id of the tenant (`TenantId`).

        Examples:
            >>> ses.tenant("acme").create().tenant_id.startswith("tn-")
            True
        """
        return str(self._field("TenantId"))

    @property
    def arn(self) -> str:
        """The tenant's ARN, `arn:aws:ses:<region>:<account>:tenant/<name>/<id>`.

        Examples:
            >>> ses.tenant("acme").create().arn
            'arn:aws:ses:us-east-1:123456789012:tenant/acme/tn-...'
        """
        return str(self._field("TenantArn"))

    @property
    def created(self) -> dt.datetime | None:
        """When the tenant was created.

        Examples:
            >>> ses.tenant("acme").create().created.tzinfo is not None
            True
        """
        value = self._field("CreatedTimestamp")
        return value if isinstance(value, dt.datetime) else None

    @property
    def sending_status(self) -> TenantSendingStatus:
        """Whether the tenant may send, as of the last `create()` or `refresh()`.

        Examples:
            >>> ses.tenant("acme").create().sending_status.value
            'ENABLED'
        """
        return TenantSendingStatus(self._field("SendingStatus") or "ENABLED")

    @property
    def suppression(self) -> TenantSuppression:
        """The tenant's suppression scope and reasons (`SuppressionAttributes`).

        Examples:
            >>> tenant = ses.tenant("acme").create(suppressed_reasons=["BOUNCE"])
            >>> sorted(tenant.suppression.reasons)
            [<SuppressionReason.BOUNCE: 'BOUNCE'>]
        """
        return TenantSuppression._from_ses(self._field("SuppressionAttributes") or {})

    @property
    def tags(self) -> dict[str, str]:
        """The tenant's resource tags.

        Examples:
            >>> ses.tenant("acme").create(tags={"plan": "pro"}).tags
            {'plan': 'pro'}
        """
        return {t["Key"]: t["Value"] for t in self._field("Tags") or ()}

    # Settings and resources

    @property
    def suppression_list(self) -> SuppressionList:
        """The tenant's own suppression list (used when its scope is `TENANT`): the same
        verbs as `ses.suppression_list`, every call naming the tenant.

        Examples:
            >>> acme = ses.tenant("acme").create(suppression_scope="TENANT")
            >>> acme.suppression_list.add("bounced@example.com", "BOUNCE")
            >>> [e.address for e in acme.suppression_list], ses.suppression_list.get(
            ...     "bounced@example.com")
            (['bounced@example.com'], None)
        """
        from sesflow._suppression import SuppressionList

        return SuppressionList(self._ses, tenant=self._name)

    def update_suppression(
        self,
        *,
        scope: SuppressionScope | str | None = None,
        reasons: Iterable[SuppressionReason | str] | None = None,
    ) -> Self:
        """Change the tenant's suppression settings (`PutTenantSuppressionAttributes`).

        Args:
            scope: `TENANT` (a list of its own) or `ACCOUNT`; None leaves it.
            reasons: what puts an address on the list; `[]` for nothing; None leaves them.

        Raises:
            ValidationError: a bad scope or reason, or nothing to change.
            NotFoundError: the tenant does not exist.

        Examples:
            >>> tenant = ses.tenant("acme").create()
            >>> tenant.update_suppression(scope="TENANT", reasons=["COMPLAINT"]).suppression
            TenantSuppression(scope=<SuppressionScope.TENANT: 'TENANT'>,
                              reasons=frozenset({<SuppressionReason.COMPLAINT: 'COMPLAINT'>}))
        """
        attributes = _suppression_attributes(scope, reasons)
        if not attributes:
            raise ValidationError(
                "scope: give a scope, reasons or both to change", field="scope", value=None
            )
        self._ses._call("PutTenantSuppressionAttributes", TenantName=self._name, **attributes)
        return self.refresh()

    def _prefix(self) -> str:
        return account_prefix(self.arn)

    def _arns(
        self, resources: tuple[Identity | ConfigurationSet | Template | str, ...]
    ) -> list[str]:
        if not resources:
            raise ValidationError(
                "resources: name at least one identity, configuration set or template",
                field="resources",
            )
        # Every resource is checked before any call; only objects need the account's prefix.
        objects = False
        for i, resource in enumerate(resources):
            if isinstance(resource, str):
                resource_arn(resource, prefix=None, field=f"resources[{i}]")
            else:
                resource_kind(resource, field=f"resources[{i}]")
                objects = True
        prefix = self._prefix() if objects else None
        return [
            resource_arn(resource, prefix=prefix, field=f"resources[{i}]")
            for i, resource in enumerate(resources)
        ]

    def associate(self, *resources: Identity | ConfigurationSet | Template | str) -> None:
        """Let the tenant send with these identities, configuration sets and templates.

        Each is a sesflow object or an ARN. Idempotent: an existing association is kept.

        Raises:
            ValidationError: no resources, or one that is neither (before any call).
            NotFoundError: the tenant or a resource does not exist.

        Examples:
            >>> tenant = ses.tenant("acme").create()
            >>> tenant.associate(ses.identity("news@example.com"),
            ...                  ses.configuration_set("marketing").create())
            >>> len(list(tenant.resources()))
            2
        """
        for arn in self._arns(resources):
            try:
                self._ses._call(
                    "CreateTenantResourceAssociation", TenantName=self._name, ResourceArn=arn
                )
            except AlreadyExistsError:
                continue
            logger.info("associated %s with tenant %s", arn, self._name)

    def disassociate(self, *resources: Identity | ConfigurationSet | Template | str) -> None:
        """Take these resources away from the tenant. Idempotent.

        Examples:
            >>> tenant = ses.tenant("acme").create()
            >>> tenant.associate(ses.template("welcome"))
            >>> tenant.disassociate(ses.template("welcome"))
            >>> list(tenant.resources())
            []
        """
        for arn in self._arns(resources):
            try:
                self._ses._call(
                    "DeleteTenantResourceAssociation", TenantName=self._name, ResourceArn=arn
                )
            except NotFoundError:
                continue
            logger.info("disassociated %s from tenant %s", arn, self._name)

    def resources(
        self,
        *,
        resource_type: TenantResourceType | str | None = None,
        page_size: int = PAGE_SIZE,
    ) -> Iterator[TenantResource]:
        """Every resource associated with the tenant, across all pages.

        Args:
            resource_type: only this kind (`EMAIL_IDENTITY`, `CONFIGURATION_SET`,
                `EMAIL_TEMPLATE`).
            page_size: resources per request.

        Raises:
            NotFoundError: the tenant does not exist.

        Examples:
            >>> tenant = ses.tenant("acme").create()
            >>> tenant.associate(ses.identity("news@example.com"), ses.template("welcome"))
            >>> [r.name for r in tenant.resources(resource_type="EMAIL_TEMPLATE")]
            ['welcome']
        """
        params: dict[str, Any] = {"TenantName": self._name}
        if resource_type is not None:
            kind = coerce_enum(TenantResourceType, resource_type, field="resource_type")
            params["Filter"] = {"RESOURCE_TYPE": kind.value}
        listing = pages(
            self._ses._lister("ListTenantResources"),
            "TenantResources",
            page_size=page_size,
            **params,
        )
        for item in listing:
            yield TenantResource(TenantResourceType(item["ResourceType"]), str(item["ResourceArn"]))


def tenants(
    ses: SES,
    *,
    name_contains: str | None = None,
    sending_status: TenantSendingStatus | str | None = None,
    page_size: int = PAGE_SIZE,
) -> Iterator[Tenant]:
    """Every tenant (`ListTenants`), optionally filtered; see `SES.tenants`."""
    params: dict[str, Any] = {}
    filters: dict[str, str] = {}
    if name_contains is not None:
        if not isinstance(name_contains, str) or not name_contains:
            raise ValidationError(
                "name_contains: expected a non-empty str",
                field="name_contains",
                value=name_contains,
            )
        filters["TENANT_NAME_CONTAINS"] = name_contains
    if sending_status is not None:
        status = coerce_enum(TenantSendingStatus, sending_status, field="sending_status")
        filters["SENDING_STATUS"] = status.value
    if filters:
        params["Filter"] = filters
    for item in pages(ses._lister("ListTenants"), "Tenants", page_size=page_size, **params):
        yield Tenant(ses, str(item["TenantName"]))._load(item)


def resource_tenants(
    ses: SES,
    resource: Identity | ConfigurationSet | Template | str,
    *,
    page_size: int = PAGE_SIZE,
) -> Iterator[Tenant]:
    """Every tenant a resource is associated with; see `SES.resource_tenants`."""
    if isinstance(resource, str):
        arn = resource_arn(resource, prefix=None)
    else:
        resource_kind(resource)  # refused before any call
        # SES never says the account id; any tenant's ARN carries it. No tenant at all:
        # the resource has none.
        first = next(iter(ses._call("ListTenants", PageSize=1).get("Tenants") or ()), None)
        if first is None:
            return
        arn = resource_arn(resource, prefix=account_prefix(str(first["TenantArn"])))
    listing = pages(
        ses._lister("ListResourceTenants"), "ResourceTenants", page_size=page_size, ResourceArn=arn
    )
    for item in listing:
        yield Tenant(ses, str(item["TenantName"]))._load(
            {"TenantName": item["TenantName"], "TenantId": item.get("TenantId")}
        )


def _suppression_attributes(
    scope: SuppressionScope | str | None,
    reasons: Iterable[SuppressionReason | str] | None,
) -> dict[str, Any]:
    attributes: dict[str, Any] = {}
    if scope is not None:
        attributes["SuppressionScope"] = coerce_enum(
            SuppressionScope, scope, field="suppression_scope"
        ).value
    if reasons is not None:
        if isinstance(reasons, str):
            raise ValidationError(
                "suppressed_reasons: expected a list of reasons, e.g. ['BOUNCE'], not a str",
                field="suppressed_reasons",
                value=reasons,
            )
        attributes["SuppressedReasons"] = sorted(
            {coerce_enum(SuppressionReason, r, field="suppressed_reasons").value for r in reasons}
        )
    return attributes
