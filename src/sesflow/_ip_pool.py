"""Dedicated IP pools: named groups of sending addresses a configuration set can use."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any, Self

from ._errors import AlreadyExistsError, NotFoundError, ValidationError
from ._logging import logger
from ._paging import PAGE_SIZE
from ._resource import NamedResource
from ._validate import validate_tags

if TYPE_CHECKING:
    from ._admin.dedicated_ips import DedicatedIp

__all__ = ["DedicatedIpPool"]

_SCALING_MODES = ("STANDARD", "MANAGED")


class DedicatedIpPool(NamedResource):
    """A dedicated IP pool (the console's "IP pool").

    `STANDARD` pools hold the dedicated IPs you lease; `MANAGED` pools are sized and
    warmed up by SES. Use a pool with `ConfigurationSet.create(sending_pool=...)`.

    Examples:
        >>> pool = ses.ip_pool("marketing-ips").create(scaling_mode="MANAGED")
        >>> ses.configuration_set("marketing").create(sending_pool=pool.name)
        ConfigurationSet('marketing')
    """

    _scaling_mode: str | None = None

    def create(
        self, *, scaling_mode: str = "STANDARD", tags: Mapping[str, str] | None = None
    ) -> Self:
        """Create the pool. Idempotent.

        Examples:
            >>> ses.ip_pool("marketing-ips").create()
            DedicatedIpPool('marketing-ips')
        """
        if scaling_mode not in _SCALING_MODES:
            raise ValidationError(
                f"scaling_mode: {scaling_mode!r} is not one of {', '.join(_SCALING_MODES)}",
                field="scaling_mode",
            )
        params: dict[str, Any] = {"PoolName": self._name, "ScalingMode": scaling_mode}
        tag_list = validate_tags(tags)
        if tag_list:
            params["Tags"] = tag_list
        try:
            self._ses._call("CreateDedicatedIpPool", **params)
        except AlreadyExistsError:
            self._scaling_mode = None  # the existing pool's own mode: loaded when asked
            return self
        self._scaling_mode = scaling_mode
        logger.info("created dedicated IP pool %s", self._name)
        return self

    def exists(self) -> bool:
        """Whether the pool exists.

        Examples:
            >>> ses.ip_pool("nope").exists()
            False
        """
        try:
            self._ses._call("GetDedicatedIpPool", PoolName=self._name)
        except NotFoundError:
            return False
        return True

    def refresh(self) -> Self:
        """Load the pool's current state (`GetDedicatedIpPool`).

        Raises:
            NotFoundError: the pool does not exist.

        Examples:
            >>> _ = ses.ip_pool("marketing-ips").create()
            >>> ses.ip_pool("marketing-ips").refresh().scaling_mode
            'STANDARD'
        """
        response = self._ses._call("GetDedicatedIpPool", PoolName=self._name)
        self._scaling_mode = str(
            (response.get("DedicatedIpPool") or {}).get("ScalingMode") or "STANDARD"
        )
        return self

    @property
    def scaling_mode(self) -> str:
        """`STANDARD` or `MANAGED`, as of the last `create()` or `refresh()` (loaded on
        first use).

        Examples:
            >>> _ = ses.ip_pool("marketing-ips").create()
            >>> ses.ip_pool("marketing-ips").scaling_mode
            'STANDARD'
        """
        if self._scaling_mode is None:
            self.refresh()
        assert self._scaling_mode is not None
        return self._scaling_mode

    def delete(self) -> None:
        """Delete the pool. Idempotent.

        Examples:
            >>> ses.ip_pool("marketing-ips").delete()
        """
        try:
            self._ses._call("DeleteDedicatedIpPool", PoolName=self._name)
        except NotFoundError:
            return
        finally:
            self._scaling_mode = None
        logger.info("deleted dedicated IP pool %s", self._name)

    def update_scaling_mode(self, scaling_mode: str) -> Self:
        """Change the pool's scaling mode (`PutDedicatedIpPoolScalingAttributes`): a
        `STANDARD` pool becomes `MANAGED` (SES then leases, sizes and warms up its IPs);
        SES refuses to turn a `MANAGED` pool back into `STANDARD`.

        Raises:
            ValidationError: not `STANDARD` or `MANAGED` (before any call).
            NotFoundError: no such pool.
            BadRequestError: SES refused (`MANAGED` to `STANDARD`).

        Examples:
            >>> pool = ses.ip_pool("marketing-ips").create()
            >>> pool.update_scaling_mode("MANAGED").scaling_mode
            'MANAGED'
        """
        if scaling_mode not in _SCALING_MODES:
            raise ValidationError(
                f"scaling_mode: {scaling_mode!r} is not one of {', '.join(_SCALING_MODES)}",
                field="scaling_mode",
            )
        self._ses._call(
            "PutDedicatedIpPoolScalingAttributes", PoolName=self._name, ScalingMode=scaling_mode
        )
        self._scaling_mode = scaling_mode
        logger.info("dedicated IP pool %s is now %s", self._name, scaling_mode)
        return self

    def ips(self, *, page_size: int = PAGE_SIZE) -> Iterator[DedicatedIp]:
        """The dedicated IPs in the pool (`GetDedicatedIps`), across all pages.

        Raises:
            NotFoundError: no such pool.

        Examples:
            >>> pool = ses.ip_pool("marketing-ips").create()
            >>> fake.lease_dedicated_ip("198.51.100.7", pool="marketing-ips")
            >>> [ip.ip for ip in pool.ips()]
            ['198.51.100.7']
        """
        from ._admin.dedicated_ips import dedicated_ips

        return dedicated_ips(self._ses, pool=self._name, page_size=page_size)
