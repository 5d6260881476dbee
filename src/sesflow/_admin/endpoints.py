"""Multi-region endpoints (SES's "global endpoints"): one endpoint id, two regions.

Mail sent with an endpoint id (`ses.sender(..., endpoint_id=...)`) is split between the
endpoint's primary region (where it was created) and its secondary region, and moves away
from a region that fails. Those requests go to `https://<id>.endpoints.email.amazonaws.com`
and must be signed with SigV4a, which botocore does only with its CRT extra
(`pip install "sesflow[crt]"`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Mapping
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Self

from sesflow._errors import (
    AlreadyExistsError,
    NotFoundError,
    ValidationError,
    VerificationFailedError,
)
from sesflow._logging import logger
from sesflow._paging import PAGE_SIZE, pages
from sesflow._resource import NamedResource
from sesflow._validate import validate_tags
from sesflow._waiting import Poll, wait_for

if TYPE_CHECKING:
    from sesflow._ses import SES

__all__ = [
    "EndpointStatus",
    "MultiRegionEndpoint",
    "multi_region_endpoints",
    "require_crt",
    "validate_endpoint_id",
]

_REGION = re.compile(r"[a-z]{2}(-[a-z]+)+-\d{1,2}\Z")
# botocore's `isValidHostLabel(EndpointId, true)`: dot-separated RFC 1123 labels.
_HOST_LABEL = re.compile(r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)\Z")


class EndpointStatus(StrEnum):
    """Where a multi-region endpoint is in its life (`Status`).

    Examples:
        >>> EndpointStatus("READY") is EndpointStatus.READY
        True
    """

    CREATING = "CREATING"
    READY = "READY"
    FAILED = "FAILED"
    DELETING = "DELETING"


def require_crt() -> None:
    """Raise `MissingExtraError` unless botocore can sign with SigV4a (its CRT extra).

    Examples:
        >>> require_crt()  # awscrt is installed here
    """
    import botocore.compat

    if getattr(botocore.compat, "HAS_CRT", False):
        return
    from sesflow._errors import MissingExtraError

    raise MissingExtraError(
        "endpoint_id: sending through a multi-region endpoint needs SigV4a signing, which "
        'botocore does only with its CRT extra: pip install "sesflow[crt]" (or '
        '"botocore[crt]"). Nothing was sent.'
    )


def validate_endpoint_id(value: object) -> str:
    """Return `value` if it can be a multi-region endpoint id (`abcd1234.wxyz`).

    Examples:
        >>> validate_endpoint_id("abcd1234.wxyz")
        'abcd1234.wxyz'
    """
    if not isinstance(value, str) or not all(_HOST_LABEL.match(p) for p in value.split(".")):
        raise ValidationError(
            f"endpoint_id: {value!r} is not a multi-region endpoint id (host labels of "
            "letters, digits and inner hyphens, joined by dots, e.g. 'abcd1234.wxyz'); take "
            "it from ses.multi_region_endpoint(name).endpoint_id",
            field="endpoint_id",
            value=value,
        )
    return value


class MultiRegionEndpoint(NamedResource):
    """A multi-region endpoint (the console's "global endpoint").

    Created in the `SES` object's region, the primary, with one secondary region; SES
    splits the mail sent through it between the two, and moves it away from a region in
    trouble. It takes a few minutes to become `READY` (`wait_until_ready()`). Both
    regions need the sending identities verified and production access.

    Examples:
        >>> endpoint = ses.multi_region_endpoint("global").create(secondary_region="eu-west-1")
        >>> endpoint.wait_until_ready().status
        <EndpointStatus.READY: 'READY'>
        >>> endpoint.regions
        ('us-east-1', 'eu-west-1')
    """

    _state: Mapping[str, Any] | None = None
    _full = False  # the state is GetMultiRegionEndpoint's whole answer

    def create(self, *, secondary_region: str, tags: Mapping[str, str] | None = None) -> Self:
        """Create the endpoint, in this region, with `secondary_region`. Idempotent: an
        existing endpoint is kept as it is.

        Raises:
            ValidationError: a bad name or region, the secondary region the same as this
                one, bad tags (before any call).
            LimitExceededError: the account has as many endpoints as it may.

        Examples:
            >>> ses.multi_region_endpoint("global").create(secondary_region="eu-west-1")
            MultiRegionEndpoint('global')
        """
        if not isinstance(secondary_region, str) or not _REGION.match(secondary_region):
            raise ValidationError(
                f"secondary_region: {secondary_region!r} is not a region name such as 'eu-west-1'",
                field="secondary_region",
                value=secondary_region,
            )
        if secondary_region == self._ses.region:
            raise ValidationError(
                f"secondary_region: {secondary_region!r} is this SES object's region, the "
                "endpoint's primary; choose another region",
                field="secondary_region",
                value=secondary_region,
            )
        params: dict[str, Any] = {
            "EndpointName": self._name,
            "Details": {"RoutesDetails": [{"Region": secondary_region}]},
        }
        tag_list = validate_tags(tags)
        if tag_list:
            params["Tags"] = tag_list
        try:
            response = self._ses._call("CreateMultiRegionEndpoint", **params)
        except AlreadyExistsError:
            self._state = None
            return self
        self._full = False
        self._state = {
            "EndpointName": self._name,
            "EndpointId": response.get("EndpointId"),
            "Status": response.get("Status"),
            "Routes": [{"Region": self._ses.region}, {"Region": secondary_region}],
        }
        logger.info("created multi-region endpoint %s", self._name)
        return self

    def refresh(self) -> Self:
        """Load the endpoint's current state (`GetMultiRegionEndpoint`).

        Raises:
            NotFoundError: no such endpoint (in this region, its primary).

        Examples:
            >>> _ = ses.multi_region_endpoint("global").create(secondary_region="eu-west-1")
            >>> ses.multi_region_endpoint("global").refresh().status.value
            'CREATING'
        """
        return self._take(self._get(retry=True))

    def _get(self, *, retry: bool) -> dict[str, Any]:
        return self._ses._call("GetMultiRegionEndpoint", retry=retry, EndpointName=self._name)

    def _take(self, response: Mapping[str, Any], *, full: bool = True) -> Self:
        self._state = dict(response)
        self._full = full
        return self

    def exists(self) -> bool:
        """Whether the endpoint exists.

        Examples:
            >>> ses.multi_region_endpoint("nowhere").exists()
            False
        """
        try:
            self._get(retry=True)
        except NotFoundError:
            return False
        return True

    def delete(self) -> None:
        """Delete the endpoint (SES answers `DELETING`; sends naming it then fail).
        Idempotent.

        Examples:
            >>> ses.multi_region_endpoint("global").delete()
        """
        try:
            self._ses._call("DeleteMultiRegionEndpoint", EndpointName=self._name)
        except NotFoundError:
            return
        finally:
            self._state = None
        logger.info("deleted multi-region endpoint %s", self._name)

    def _field(self, name: str) -> Any:
        if self._state is None or (not self._full and name not in self._state):
            self.refresh()
        assert self._state is not None
        return self._state.get(name)

    @property
    def endpoint_id(self) -> str:
        """The id sends name (`ses.sender(..., endpoint_id=...)`).

        Examples:
            >>> endpoint = ses.multi_region_endpoint("global").create(secondary_region="eu-west-1")
            >>> "." in endpoint.endpoint_id
            True
        """
        return str(self._field("EndpointId"))

    @property
    def status(self) -> EndpointStatus:
        """`CREATING`, `READY`, `FAILED` or `DELETING`, as of the last `create()` or
        `refresh()`.

        Examples:
            >>> ses.multi_region_endpoint("global").create(secondary_region="eu-west-1").status
            <EndpointStatus.CREATING: 'CREATING'>
        """
        return EndpointStatus(self._field("Status"))

    @property
    def regions(self) -> tuple[str, ...]:
        """The regions the endpoint sends from: the primary, then the secondary.

        Examples:
            >>> ses.multi_region_endpoint("global").create(secondary_region="eu-west-1").regions
            ('us-east-1', 'eu-west-1')
        """
        if self._state is not None and "Regions" in self._state:  # a listing's summary
            return tuple(str(region) for region in self._state["Regions"] or ())
        return tuple(str(route["Region"]) for route in self._field("Routes") or ())

    @property
    def created(self) -> dt.datetime | None:
        """When the endpoint was created.

        Examples:
            >>> ses.multi_region_endpoint("global").create(
            ...     secondary_region="eu-west-1").created.tzinfo is not None
            True
        """
        value = self._field("CreatedTimestamp")
        return value if isinstance(value, dt.datetime) else None

    def wait_until_ready(
        self,
        *,
        timeout: float = 1800.0,
        poll_interval: float = 10.0,
        max_interval: float = 60.0,
    ) -> Self:
        """Poll until the endpoint is `READY`.

        Waits through `CREATING` and through throttled polls; the first wait is
        `poll_interval`, later ones double up to `max_interval`.

        Raises:
            VerificationFailedError: SES reported `FAILED` (or `DELETING`), at once;
                `check` is `"multi_region_endpoint"`.
            WaiterTimeoutError: `timeout` seconds passed; carries the last status.
            NotFoundError: the endpoint does not exist.

        Examples:
            >>> endpoint = ses.multi_region_endpoint("global").create(secondary_region="eu-west-1")
            >>> endpoint.wait_until_ready(timeout=600).status.value
            'READY'
        """

        def poll() -> Poll:
            response = self._get(retry=False)
            self._take(response)
            return Poll(str(response.get("Status")), response)

        result = wait_for(
            poll,
            identity=self._name,
            check="multi_region_endpoint",
            timeout=timeout,
            poll_interval=poll_interval,
            max_interval=max_interval,
            sleep=self._ses.sleep,
            clock=self._ses.clock,
            settled=frozenset({"READY", "FAILED", "DELETING"}),
        )
        if result.status != "READY":
            raise VerificationFailedError(
                f"multi-region endpoint {self._name} is {result.status}, not READY: create "
                "it again (check that both regions have the account's production access "
                "and verified identities)",
                identity=self._name,
                check="multi_region_endpoint",
                status=str(result.status),
                details=result.response,
            )
        return self


def multi_region_endpoints(
    ses: SES, *, page_size: int = PAGE_SIZE
) -> Iterator[MultiRegionEndpoint]:
    """Every multi-region endpoint whose primary is `ses`'s region; see `SES`."""
    listing = pages(
        ses._lister("ListMultiRegionEndpoints"), "MultiRegionEndpoints", page_size=page_size
    )
    for item in listing:
        yield MultiRegionEndpoint(ses, str(item["EndpointName"]))._take(item, full=False)
