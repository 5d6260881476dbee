"""Dedicated IP pools, named, with a scaling mode; and the dedicated IPs the account leases.

AWS leases dedicated IPs outside the API: a test leases them with
`FakeSES.lease_dedicated_ip()`. Until it does, every pool is empty: `GetDedicatedIps`
answers an empty list and `GetDedicatedIp` `NotFoundException`, as SES does for an account
that has pools but no leased addresses. Pools exist so that configuration sets can name them
(`DeliveryOptions.SendingPoolName`), which SES checks: `IpPoolStore.get()` is what the
configuration-set handlers ask.

IPs: `PutDedicatedIpInPool` needs the IP and the pool (`NotFoundException`), and refuses a
`MANAGED` pool, whose IPs SES chooses (`BadRequestException`); `PutDedicatedIpWarmupAttributes`
takes 0-100 (`BadRequestException`), 100 ending the warm-up (`DONE`, else `IN_PROGRESS`).
An IP outside any pool (the account's default pool) has no `PoolName`; deleting a pool
moves its IPs there.
"""

from __future__ import annotations

import copy
import ipaddress
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sesflow.testing._context import Context
from sesflow.testing._fake import FakeError, Handlers, operation
from sesflow.testing._paging import paginate

__all__ = ["FakeDedicatedIp", "FakeDedicatedIpPool", "IpPoolHandlers", "IpPoolStore"]

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


@dataclass(frozen=True)
class FakeDedicatedIp:
    """A snapshot of one leased dedicated IP, from `FakeSES.dedicated_ip_state()`.

    Examples:
        >>> fake.lease_dedicated_ip("198.51.100.7", warmup_percentage=100)
        >>> fake.dedicated_ip_state("198.51.100.7")
        FakeDedicatedIp('198.51.100.7', pool=None, warmup_status='DONE', warmup_percentage=100)

    Attributes:
        ip: The address.
        pool: `PoolName`, or `None` for the account's default pool.
        warmup_percentage: `WarmupPercentage`, 0-100.
    """

    ip: str
    pool: str | None = None
    warmup_percentage: int = 0

    @property
    def warmup_status(self) -> str:
        """`DONE` at 100 %, else `IN_PROGRESS`.

        Examples:
            >>> FakeDedicatedIp("198.51.100.7", warmup_percentage=40).warmup_status
            'IN_PROGRESS'
        """
        return "DONE" if self.warmup_percentage >= 100 else "IN_PROGRESS"

    def __repr__(self) -> str:
        return (
            f"FakeDedicatedIp({self.ip!r}, pool={self.pool!r}, warmup_status="
            f"{self.warmup_status!r}, warmup_percentage={self.warmup_percentage})"
        )

    def _to_response(self) -> dict[str, Any]:
        answer: dict[str, Any] = {
            "Ip": self.ip,
            "WarmupStatus": self.warmup_status,
            "WarmupPercentage": self.warmup_percentage,
        }
        if self.pool is not None:
            answer["PoolName"] = self.pool
        return answer


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
        self.ips: dict[str, tuple[int, FakeDedicatedIp]] = {}

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

    def lease(self, ip: str, *, pool: str | None, warmup_percentage: int) -> None:
        """Lease `ip` to the account, for a test (`ValueError`, `KeyError`)."""
        try:
            address = str(ipaddress.IPv4Address(ip))
        except ValueError:
            raise ValueError(f"not an IPv4 address: {ip!r}") from None
        if pool is not None:
            self.state(pool)
        if isinstance(warmup_percentage, bool) or not 0 <= int(warmup_percentage) <= 100:
            raise ValueError(f"warmup_percentage must be 0-100, got {warmup_percentage!r}")
        sequence = self.ips[address][0] if address in self.ips else self._context.sequence.next()
        self.ips[address] = (sequence, FakeDedicatedIp(address, pool, int(warmup_percentage)))

    def ip_state(self, ip: str) -> FakeDedicatedIp:
        """The leased IP `ip`, for a test; `KeyError` if not leased."""
        entry = self.ips.get(ip)
        if entry is None:
            raise KeyError(f"FakeSES leases no dedicated IP {ip!r}")
        return entry[1]

    def get_ip(self, ip: str) -> tuple[int, FakeDedicatedIp]:
        """The leased IP `ip`, for a request; `NotFoundException` if not leased."""
        entry = self.ips.get(ip)
        if entry is None:
            raise FakeError("NotFoundException", f"Dedicated IP <{ip}> does not exist.")
        return entry


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
        # Its IPs go back to the account's default pool.
        for ip, (sequence, leased) in list(self._pools.ips.items()):
            if leased.pool == name:
                self._pools.ips[ip] = (
                    sequence,
                    FakeDedicatedIp(ip, None, leased.warmup_percentage),
                )

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
        leased = [
            (sequence, ip._to_response())
            for sequence, ip in self._pools.ips.values()
            if name is None or ip.pool == name
        ]
        page, token = paginate("dedicated-ips", leased, params)
        return {"DedicatedIps": page, "NextToken": token}

    @operation("GetDedicatedIp")
    def _get_dedicated_ip(self, params: Mapping[str, Any]) -> dict[str, Any]:
        _, ip = self._pools.get_ip(params["Ip"])
        return {"DedicatedIp": ip._to_response()}

    @operation("PutDedicatedIpInPool")
    def _put_in_pool(self, params: Mapping[str, Any]) -> None:
        sequence, ip = self._pools.get_ip(params["Ip"])
        pool = self._pools.get(params["DestinationPoolName"])
        if pool.scaling_mode == "MANAGED":
            raise FakeError(
                "BadRequestException",
                f"Dedicated IP pool <{pool.name}> is MANAGED: SES chooses its IPs; move IPs "
                "only into STANDARD pools.",
            )
        self._pools.ips[ip.ip] = (sequence, FakeDedicatedIp(ip.ip, pool.name, ip.warmup_percentage))

    @operation("PutDedicatedIpWarmupAttributes")
    def _put_warmup(self, params: Mapping[str, Any]) -> None:
        sequence, ip = self._pools.get_ip(params["Ip"])
        percentage = params["WarmupPercentage"]
        if not 0 <= percentage <= 100:
            raise FakeError(
                "BadRequestException",
                f"WarmupPercentage must be between 0 and 100, got {percentage}.",
            )
        self._pools.ips[ip.ip] = (sequence, FakeDedicatedIp(ip.ip, ip.pool, percentage))


def _scaling_mode(value: str) -> str:
    if value not in SCALING_MODES:
        raise FakeError(
            "BadRequestException",
            f"Invalid ScalingMode <{value}>: use one of {', '.join(SCALING_MODES)}.",
        )
    return value
