"""Dedicated IP addresses: the leased IPs of the account, the pool each sends for, and
their warm-up.

IPs are leased and released through the console or AWS Support, not the API: sesflow reads
them (`ses.dedicated_ips()`, `pool.ips()`, `ses.dedicated_ip(ip)`), moves them between
pools and sets their warm-up.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator, Mapping
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Self

from sesflow._errors import NotFoundError, ValidationError
from sesflow._logging import logger
from sesflow._paging import PAGE_SIZE, pages
from sesflow._validate import validate_name

if TYPE_CHECKING:
    from sesflow._ip_pool import DedicatedIpPool
    from sesflow._ses import SES

__all__ = ["DedicatedIp", "WarmupStatus", "dedicated_ips", "validate_ip"]


class WarmupStatus(StrEnum):
    """Where a dedicated IP is in its warm-up (`WarmupStatus`).

    Examples:
        >>> WarmupStatus("DONE") is WarmupStatus.DONE
        True
    """

    IN_PROGRESS = "IN_PROGRESS"
    DONE = "DONE"
    NOT_APPLICABLE = "NOT_APPLICABLE"


def validate_ip(value: object, *, field: str = "ip") -> str:
    """Return `value` as a dotted IPv4 address, or raise `ValidationError`.

    Examples:
        >>> validate_ip("198.51.100.7")
        '198.51.100.7'
    """
    try:
        address = ipaddress.IPv4Address(value if isinstance(value, str) else "")
    except ValueError:
        raise ValidationError(
            f"{field}: {value!r} is not an IPv4 address such as '198.51.100.7'",
            field=field,
            value=value,
        ) from None
    return str(address)


class DedicatedIp:
    """One dedicated IP address of the account (`ses.dedicated_ip(ip)`).

    Not a resource you create: AWS leases it. Read its `pool` and warm-up, move it to
    another pool (`move_to()`), set its warm-up (`update_warmup()`).

    Examples:
        >>> fake.lease_dedicated_ip("198.51.100.7")  # AWS leased it to the account
        >>> _ = ses.ip_pool("marketing-ips").create()
        >>> ip = ses.dedicated_ip("198.51.100.7").move_to("marketing-ips")
        >>> ip.pool, ip.warmup_status.value
        ('marketing-ips', 'IN_PROGRESS')
    """

    def __init__(self, ses: SES, ip: str) -> None:
        self._ses = ses
        self._ip = validate_ip(ip)
        self._state: Mapping[str, Any] | None = None

    @property
    def ip(self) -> str:
        """The address.

        Examples:
            >>> ses.dedicated_ip("198.51.100.7").ip
            '198.51.100.7'
        """
        return self._ip

    def __repr__(self) -> str:
        return f"DedicatedIp({self._ip!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, DedicatedIp) and other._ip == self._ip

    def __hash__(self) -> int:
        return hash(("DedicatedIp", self._ip))

    def _take(self, state: Mapping[str, Any]) -> Self:
        self._state = dict(state)
        return self

    def refresh(self) -> Self:
        """Load the IP's pool and warm-up (`GetDedicatedIp`).

        Raises:
            NotFoundError: the account has no such dedicated IP.

        Examples:
            >>> fake.lease_dedicated_ip("198.51.100.7", warmup_percentage=40)
            >>> ses.dedicated_ip("198.51.100.7").refresh().warmup_percentage
            40
        """
        response = self._ses._call("GetDedicatedIp", Ip=self._ip)
        return self._take(response.get("DedicatedIp") or {})

    def exists(self) -> bool:
        """Whether the account leases this IP.

        Examples:
            >>> ses.dedicated_ip("203.0.113.9").exists()
            False
        """
        try:
            self._ses._call("GetDedicatedIp", Ip=self._ip)
        except NotFoundError:
            return False
        return True

    def _field(self, name: str) -> Any:
        if self._state is None:
            self.refresh()
        assert self._state is not None
        return self._state.get(name)

    @property
    def pool(self) -> str | None:
        """The pool the IP sends for, or None (the account's default pool).

        Examples:
            >>> fake.lease_dedicated_ip("198.51.100.7")
            >>> print(ses.dedicated_ip("198.51.100.7").pool)
            None
        """
        name = self._field("PoolName")
        return None if name is None else str(name)

    @property
    def warmup_status(self) -> WarmupStatus:
        """`IN_PROGRESS`, `DONE` or `NOT_APPLICABLE`.

        Examples:
            >>> fake.lease_dedicated_ip("198.51.100.7", warmup_percentage=100)
            >>> ses.dedicated_ip("198.51.100.7").warmup_status
            <WarmupStatus.DONE: 'DONE'>
        """
        return WarmupStatus(self._field("WarmupStatus"))

    @property
    def warmup_percentage(self) -> int:
        """How far the warm-up has gone, 0-100 (SES sends this share of the IP's full
        volume through it).

        Examples:
            >>> fake.lease_dedicated_ip("198.51.100.7")
            >>> ses.dedicated_ip("198.51.100.7").warmup_percentage
            0
        """
        return int(self._field("WarmupPercentage") or 0)

    def move_to(self, pool: str | DedicatedIpPool) -> Self:
        """Move the IP into `pool` (`PutDedicatedIpInPool`); the pool must exist.

        Raises:
            ValidationError: a bad pool name (before any call).
            NotFoundError: no such IP or pool.
            BadRequestError: SES refused, e.g. a `MANAGED` pool (SES picks its IPs).

        Examples:
            >>> fake.lease_dedicated_ip("198.51.100.7")
            >>> pool = ses.ip_pool("transactional-ips").create()
            >>> ses.dedicated_ip("198.51.100.7").move_to(pool).pool
            'transactional-ips'
        """
        name = pool if isinstance(pool, str) else pool.name
        name = validate_name(name, field="pool")
        self._ses._call("PutDedicatedIpInPool", Ip=self._ip, DestinationPoolName=name)
        logger.info("moved dedicated IP %s to pool %s", self._ip, name)
        return self.refresh()

    def update_warmup(self, percentage: int) -> Self:
        """Set how far the IP's warm-up has gone, 0-100 (`PutDedicatedIpWarmupAttributes`):
        100 ends it; a lower value sends less through the IP while it warms up.

        Raises:
            ValidationError: not an int from 0 to 100 (before any call).
            NotFoundError: no such IP.

        Examples:
            >>> fake.lease_dedicated_ip("198.51.100.7")
            >>> ses.dedicated_ip("198.51.100.7").update_warmup(100).warmup_status.value
            'DONE'
        """
        if (
            isinstance(percentage, bool)
            or not isinstance(percentage, int)
            or not (0 <= percentage <= 100)
        ):
            raise ValidationError(
                f"percentage: expected an int from 0 to 100, got {percentage!r}",
                field="percentage",
                value=percentage,
            )
        self._ses._call("PutDedicatedIpWarmupAttributes", Ip=self._ip, WarmupPercentage=percentage)
        return self.refresh()


def dedicated_ips(
    ses: SES, *, pool: str | None = None, page_size: int = PAGE_SIZE
) -> Iterator[DedicatedIp]:
    """Every dedicated IP of the account, or of one pool (`GetDedicatedIps`)."""
    params: dict[str, Any] = {}
    if pool is not None:
        params["PoolName"] = validate_name(pool, field="pool")
    for item in pages(
        ses._lister("GetDedicatedIps"), "DedicatedIps", page_size=page_size, **params
    ):
        yield DedicatedIp(ses, str(item["Ip"]))._take(item)
