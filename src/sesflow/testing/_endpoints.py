"""Multi-region endpoints (SES's "global endpoints"): two regions behind one endpoint id.

An endpoint is created `CREATING` in the fake's region (the primary) with one secondary
region, and becomes `READY` once `creation_seconds` (60 by default) have passed on the fake's
`clock`: on a `FakeClock`, a waiter's sleeps get it there at once. `FakeSES.set_endpoint_status()`
sets a status now (`FAILED`, say).

What the fake checks, as SES does: names of at most 64 letters, digits, `-` and `_`
(`BadRequestException`), unique (`AlreadyExistsException`); exactly one route, to a region
that is not the primary (`BadRequestException`); tags at most 50. Deleting answers
`DELETING` and the endpoint is gone. A send naming an `EndpointId` needs an endpoint with that
id (`NotFoundException`) that is `READY` (`BadRequestException`); the message is sent from
the fake's one region.

Requests with an `EndpointId` are signed with SigV4a (`AWS4-ECDSA-P256-SHA256`) by botocore
(with its CRT extra); the fake, which checks no signature, answers them like any other.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from sesflow.testing._context import Context
from sesflow.testing._fake import FakeError, Handlers, operation
from sesflow.testing._paging import paginate
from sesflow.testing._plain import plain

__all__ = ["ENDPOINT_STATUSES", "EndpointHandlers", "EndpointStore", "FakeMultiRegionEndpoint"]

_NAME = re.compile(r"[\w-]{1,64}\Z", re.ASCII)
_REGION = re.compile(r"[a-z]{2}(-[a-z]+)+-\d{1,2}\Z")
ENDPOINT_STATUSES = ("CREATING", "READY", "FAILED", "DELETING")
_MAX_TAGS = 50
#: How long a new endpoint stays `CREATING`, in seconds of the fake's clock.
CREATION_SECONDS = 60.0


@dataclass(frozen=True)
class FakeMultiRegionEndpoint:
    """A snapshot of one multi-region endpoint, from `FakeSES.endpoint_state()`.

    Examples:
        >>> _ = client.create_multi_region_endpoint(
        ...     EndpointName="global", Details={"RoutesDetails": [{"Region": "eu-west-1"}]})
        >>> endpoint = fake.endpoint_state("global")
        >>> endpoint.status, endpoint.regions
        ('CREATING', ('us-east-1', 'eu-west-1'))

    Attributes:
        name: `EndpointName`.
        endpoint_id: `EndpointId`, what sends name.
        regions: The primary region (the fake's) and the secondary one.
        status: `CREATING`, `READY`, `FAILED` or `DELETING`.
        created: `CreatedTimestamp`.
        updated: `LastUpdatedTimestamp`.
        tags: The tags given at creation.
    """

    name: str
    endpoint_id: str
    regions: tuple[str, ...]
    status: str
    created: dt.datetime
    updated: dt.datetime
    tags: tuple[Mapping[str, str], ...] = field(default=())

    def __repr__(self) -> str:
        return (
            f"FakeMultiRegionEndpoint({self.name!r}, status={self.status!r}, "
            f"endpoint_id={self.endpoint_id!r})"
        )


class EndpointStore:
    """The multi-region endpoints, in creation order, with their timed readiness.

    Examples:
        >>> endpoints = EndpointStore(Context("us-east-1", "123456789012", clock, clock, seed=7))
        >>> endpoints.get("global")
        Traceback (most recent call last):
        sesflow.testing._fake.FakeError: NotFoundException: ...
    """

    def __init__(self, context: Context) -> None:
        self._context = context
        self._ids = context.generator("endpoint-ids")
        self.creation_seconds = CREATION_SECONDS
        # name -> (sequence, endpoint); name -> clock reading when it becomes READY.
        self.endpoints: dict[str, tuple[int, FakeMultiRegionEndpoint]] = {}
        self._ready_at: dict[str, float] = {}

    def __len__(self) -> int:
        return len(self.endpoints)

    def _settle(self, name: str) -> FakeMultiRegionEndpoint:
        sequence, endpoint = self.endpoints[name]
        due = self._ready_at.get(name)
        if due is not None and endpoint.status == "CREATING" and self._context.clock() >= due:
            endpoint = replace(endpoint, status="READY", updated=self._context.wall_now())
            self.endpoints[name] = (sequence, endpoint)
            del self._ready_at[name]
        return endpoint

    def state(self, name: str) -> FakeMultiRegionEndpoint:
        """Endpoint `name`, for a test; `KeyError` if missing."""
        if name not in self.endpoints:
            raise KeyError(f"FakeSES has no multi-region endpoint {name!r}")
        return self._settle(name)

    def get(self, name: str) -> FakeMultiRegionEndpoint:
        """Endpoint `name`, for a request; `NotFoundException` if missing."""
        if name not in self.endpoints:
            raise FakeError("NotFoundException", f"Multi-region endpoint <{name}> does not exist.")
        return self._settle(name)

    def all(self) -> list[tuple[int, FakeMultiRegionEndpoint]]:
        """Every endpoint with its sequence number, settled."""
        return [(self.endpoints[name][0], self._settle(name)) for name in list(self.endpoints)]

    def add(self, endpoint: FakeMultiRegionEndpoint) -> None:
        """Keep a new endpoint, `READY` after `creation_seconds`."""
        self.endpoints[endpoint.name] = (self._context.sequence.next(), endpoint)
        self._ready_at[endpoint.name] = self._context.clock() + self.creation_seconds

    def remove(self, name: str) -> None:
        """Forget endpoint `name`."""
        del self.endpoints[name]
        self._ready_at.pop(name, None)

    def new_id(self) -> str:
        """A fresh `EndpointId`: two host labels, as SES's are."""
        alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"

        def label(length: int) -> str:
            return "".join(self._ids.choice(alphabet) for _ in range(length))

        return f"{label(8)}.{label(4)}"

    def set_status(self, name: str, status: str) -> None:
        """Set an endpoint's status now, for a test (`KeyError`, `ValueError`)."""
        checked = plain(status)
        if checked not in ENDPOINT_STATUSES:
            raise ValueError(
                f"status must be one of {', '.join(ENDPOINT_STATUSES)}, got {status!r}"
            )
        if name not in self.endpoints:
            raise KeyError(f"FakeSES has no multi-region endpoint {name!r}")
        sequence, endpoint = self.endpoints[name]
        self._ready_at.pop(name, None)
        self.endpoints[name] = (
            sequence,
            replace(endpoint, status=checked, updated=self._context.wall_now()),
        )

    def check_send(self, params: Mapping[str, Any], **context: Any) -> None:
        """Refuse a send naming an endpoint that does not exist or is not `READY`."""
        endpoint_id = params.get("EndpointId")
        if endpoint_id is None:
            return
        for _sequence, endpoint in self.all():
            if endpoint.endpoint_id == endpoint_id:
                if endpoint.status != "READY":
                    raise FakeError(
                        "BadRequestException",
                        f"Multi-region endpoint <{endpoint.name}> is {endpoint.status}, not READY.",
                    )
                return
        raise FakeError(
            "NotFoundException", f"No multi-region endpoint has the id <{endpoint_id}>."
        )


class EndpointHandlers(Handlers):
    """Multi-region endpoint operations."""

    def __init__(self, endpoints: EndpointStore, context: Context) -> None:
        self._endpoints = endpoints
        self._context = context

    @operation("CreateMultiRegionEndpoint")
    def _create(self, params: Mapping[str, Any]) -> dict[str, Any]:
        name = params["EndpointName"]
        if not _NAME.match(name):
            raise FakeError(
                "BadRequestException",
                f"Invalid endpoint name <{name}>: use at most 64 letters, digits, '-' and '_'.",
            )
        routes: Sequence[Mapping[str, str]] = params["Details"]["RoutesDetails"]
        if len(routes) != 1:
            raise FakeError(
                "BadRequestException",
                f"RoutesDetails must hold exactly one route (the secondary region), got "
                f"{len(routes)}.",
            )
        region = routes[0]["Region"]
        primary = self._context.region
        if not _REGION.match(region):
            raise FakeError("BadRequestException", f"Invalid region <{region}>.")
        if region == primary:
            raise FakeError(
                "BadRequestException",
                f"The secondary region <{region}> must differ from the primary region "
                f"<{primary}>, where the endpoint is created.",
            )
        tags = tuple(copy.deepcopy(list(params.get("Tags") or [])))
        if len(tags) > _MAX_TAGS:
            raise FakeError("BadRequestException", f"At most {_MAX_TAGS} tags are allowed.")
        if name in self._endpoints.endpoints:
            raise FakeError(
                "AlreadyExistsException", f"Multi-region endpoint <{name}> already exists."
            )
        now = self._context.wall_now()
        endpoint = FakeMultiRegionEndpoint(
            name=name,
            endpoint_id=self._endpoints.new_id(),
            regions=(primary, region),
            status="CREATING",
            created=now,
            updated=now,
            tags=tags,
        )
        self._endpoints.add(endpoint)
        return {"Status": endpoint.status, "EndpointId": endpoint.endpoint_id}

    @operation("GetMultiRegionEndpoint")
    def _get(self, params: Mapping[str, Any]) -> dict[str, Any]:
        endpoint = self._endpoints.get(params["EndpointName"])
        return {
            "EndpointName": endpoint.name,
            "EndpointId": endpoint.endpoint_id,
            "Routes": [{"Region": region} for region in endpoint.regions],
            "Status": endpoint.status,
            "CreatedTimestamp": endpoint.created,
            "LastUpdatedTimestamp": endpoint.updated,
        }

    @operation("DeleteMultiRegionEndpoint")
    def _delete(self, params: Mapping[str, Any]) -> dict[str, Any]:
        name = params["EndpointName"]
        self._endpoints.get(name)
        self._endpoints.remove(name)
        return {"Status": "DELETING"}

    @operation("ListMultiRegionEndpoints")
    def _list(self, params: Mapping[str, Any]) -> dict[str, Any]:
        items: list[tuple[int, dict[str, Any]]] = [
            (
                sequence,
                {
                    "EndpointName": endpoint.name,
                    "Status": endpoint.status,
                    "EndpointId": endpoint.endpoint_id,
                    "Regions": list(endpoint.regions),
                    "CreatedTimestamp": endpoint.created,
                    "LastUpdatedTimestamp": endpoint.updated,
                },
            )
            for sequence, endpoint in self._endpoints.all()
        ]
        page, token = paginate("multi-region-endpoints", items, params)
        return {"MultiRegionEndpoints": page, "NextToken": token}
