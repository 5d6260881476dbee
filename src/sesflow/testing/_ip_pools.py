"""Dedicated IP pools: named, with a scaling mode, and never holding an address.

The fake leases no dedicated IP addresses, so every pool is empty: `GetDedicatedIps` answers
an empty list and `GetDedicatedIp` `NotFoundException`, as SES does for an account that has
pools but no leased addresses. Pools exist so that configuration sets can name them
(`DeliveryOptions.SendingPoolName`), which SES checks: `IpPoolStore.get()` is what the
configuration-set handlers ask.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sesflow.testing._context import Context
from sesflow.testing._fake import FakeError, Handlers, operation
from sesflow.testing._paging import paginate

__all__ = ["FakeDedicatedIpPool", "IpPoolHandlers", "IpPoolStore"]

# CloudFormation's AWS::SES::DedicatedIpPool pattern, the only published one: lower case only.
_POOL_NAME = re.compile(r"[a-z0-9_-]{1,64}\Z")
SCALING_MODES = ("STANDARD", "MANAGED")


@dataclass(frozen=True)
class FakeDedicatedIpPool:
    """A snapshot of one dedicated IP pool, from `FakeSES.dedicated_ip_pool_state()`.

    Examples:
        >>> _ = client.create_dedicated_ip_pool(PoolName="marketing", ScalingMode="MANAGED")
        >>> fake.dedicated_ip_pool_state("marketing")
        FakeDedicatedIpPool('marketing', scaling_mode='MANAGED')

    Attributes:
        name: `PoolName`.
        scaling_mode: `STANDARD` (the default) or `MANAGED`.
        tags: The tags given at creation, `{"Key": ..., "Value": ...}` each.
    """

    name: str
    scaling_mode: str = "STANDARD"
    tags: tuple[Mapping[str, str], ...] = field(default=())

    def __repr__(self) -> str:
        return f"FakeDedicatedIpPool({self.name!r}, scaling_mode={self.scaling_mode!r})"


class IpPoolStore:
    """The dedicated IP pools, in creation order.

    Examples:
        >>> pools = IpPoolStore(Context("us-east-1", "123456789012", clock, clock, seed=7))
        >>> pools.get("marketing")
        Traceback (most recent call last):
        sesflow.testing._fake.FakeError: NotFoundException: ...
    """

    def __init__(self, context: Context) -> None:
        self._context = context
        # Owned here; the pool handlers below add, replace and remove entries.
        self.pools: dict[str, tuple[int, FakeDedicatedIpPool]] = {}

    def __len__(self) -> int:
        return len(self.pools)

    def state(self, name: str) -> FakeDedicatedIpPool:
        """The pool `name`, for a test; `KeyError` if missing."""
        entry = self.pools.get(name)
        if entry is None:
            raise KeyError(f"FakeSES has no dedicated IP pool {name!r}")
        return entry[1]

    def get(self, name: str) -> FakeDedicatedIpPool:
        """The pool `name`, for a request; `NotFoundException` if missing."""
        entry = self.pools.get(name)
        if entry is None:
            raise FakeError("NotFoundException", f"Dedicated IP pool <{name}> does not exist.")
        return entry[1]

    def add(self, pool: FakeDedicatedIpPool) -> None:
        """Keep a new pool, numbered after every resource so far."""
        self.pools[pool.name] = (self._context.sequence.next(), pool)


class IpPoolHandlers(Handlers):
    """Dedicated IP pool operations."""

    def __init__(self, pools: IpPoolStore) -> None:
        self._pools = pools

    # --- operations ----------------------------------------------------------------------

    @operation("CreateDedicatedIpPool")
    def _create_dedicated_ip_pool(self, params: Mapping[str, Any]) -> None:
        name = params["PoolName"]
        if not _POOL_NAME.match(name):
            raise FakeError(
                "BadRequestException",
                f"Invalid dedicated IP pool name <{name}>: use at most 64 lower-case letters, "
                "digits, underscores and dashes.",
            )
        mode = _scaling_mode(params.get("ScalingMode", "STANDARD"))
        if name in self._pools.pools:
            raise FakeError("AlreadyExistsException", f"Dedicated IP pool <{name}> already exists.")
        tags = tuple(copy.deepcopy(list(params.get("Tags") or [])))
        self._pools.add(FakeDedicatedIpPool(name, mode, tags))

    @operation("GetDedicatedIpPool")
    def _get_dedicated_ip_pool(self, params: Mapping[str, Any]) -> dict[str, Any]:
        pool = self._pools.get(params["PoolName"])
        return {"DedicatedIpPool": {"PoolName": pool.name, "ScalingMode": pool.scaling_mode}}

    @operation("ListDedicatedIpPools")
    def _list_dedicated_ip_pools(self, params: Mapping[str, Any]) -> dict[str, Any]:
        items = [(sequence, name) for name, (sequence, _) in self._pools.pools.items()]
        page, token = paginate("dedicated-ip-pools", items, params)
        return {"DedicatedIpPools": page, "NextToken": token}

    @operation("DeleteDedicatedIpPool")
    def _delete_dedicated_ip_pool(self, params: Mapping[str, Any]) -> None:
        name = params["PoolName"]
        self._pools.get(name)
        # Configuration sets naming the pool keep the name, as identities keep a deleted
        # default configuration set; the fake sends nothing through pools either way.
        del self._pools.pools[name]

    @operation("PutDedicatedIpPoolScalingAttributes")
    def _put_scaling(self, params: Mapping[str, Any]) -> None:
        pool = self._pools.get(params["PoolName"])
        mode = _scaling_mode(params["ScalingMode"])
        if pool.scaling_mode == "MANAGED" and mode == "STANDARD":
            raise FakeError(
                "BadRequestException",
                f"Dedicated IP pool <{pool.name}> is MANAGED; a MANAGED pool cannot be converted "
                "to STANDARD.",
            )
        sequence = self._pools.pools[pool.name][0]
        self._pools.pools[pool.name] = (sequence, FakeDedicatedIpPool(pool.name, mode, pool.tags))

    @operation("GetDedicatedIps")
    def _get_dedicated_ips(self, params: Mapping[str, Any]) -> dict[str, Any]:
        name = params.get("PoolName")
        if name is not None:
            self._pools.get(name)
        # No addresses are ever leased; paging still checks PageSize and NextToken.
        leased: list[tuple[int, dict[str, Any]]] = []
        page, token = paginate("dedicated-ips", leased, params)
        return {"DedicatedIps": page, "NextToken": token}

    @operation("GetDedicatedIp")
    def _get_dedicated_ip(self, params: Mapping[str, Any]) -> dict[str, Any]:
        raise FakeError("NotFoundException", f"Dedicated IP <{params['Ip']}> does not exist.")


def _scaling_mode(value: str) -> str:
    if value not in SCALING_MODES:
        raise FakeError(
            "BadRequestException",
            f"Invalid ScalingMode <{value}>: use one of {', '.join(SCALING_MODES)}.",
        )
    return value
