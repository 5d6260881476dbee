"""The test knobs of `FakeSES` for tenants, multi-region endpoints, insights, exports and
dedicated IPs: a mixin, so that the stores' knobs live beside the stores they ask.

Each knob takes the fake's lock and asks one store, as `FakeSES`'s own knobs do.
"""

from __future__ import annotations

import threading

from sesflow.testing._endpoints import EndpointStore, FakeMultiRegionEndpoint
from sesflow.testing._exports import ExportStore, FakeExportJob
from sesflow.testing._insights import AddressInsightsStore
from sesflow.testing._ip_pools import FakeDedicatedIp, IpPoolStore
from sesflow.testing._tenants import FakeTenant, TenantStore

__all__ = ["AdminKnobs"]


class AdminKnobs:
    """Knobs for tenants, endpoints, insights, exports and dedicated IPs (mixed into
    `FakeSES`, which builds the stores)."""

    _lock: threading.RLock
    _pools: IpPoolStore
    _tenants: TenantStore
    _endpoints: EndpointStore
    _exports: ExportStore
    _address_insights: AddressInsightsStore

    # --- tenants -------------------------------------------------------------------------

    def tenant_state(self, name: str) -> FakeTenant:
        """Return a snapshot of tenant `name`: status, suppression settings, resources.

        Examples:
            >>> _ = ses.tenant("acme").create()
            >>> ses.tenant("acme").associate(ses.template("welcome"))
            >>> [r.arn for r in fake.tenant_state("acme").resources]
            ['arn:aws:ses:us-east-1:123456789012:template/welcome']

        Raises:
            KeyError: No such tenant.
        """
        with self._lock:
            return self._tenants.state(name)

    def set_tenant_sending_status(self, name: str, status: str) -> None:
        """Set a tenant's `SendingStatus` now, as SES does when it pauses a tenant on
        reputation findings (`DISABLED`) or a person reinstates it (`REINSTATED`).

        Examples:
            >>> _ = ses.tenant("acme").create().associate(ses.identity("news@example.com"))
            >>> fake.set_tenant_sending_status("acme", "DISABLED")
            >>> ses.sender("news@example.com", tenant="acme").send("bob@example.com", "Hi",
            ...                                                    text="Yo")
            Traceback (most recent call last):
            sesflow._errors.SendingPausedError: SendEmail: SendingPausedException: ...

        Raises:
            KeyError: No such tenant.
            ValueError: Not `ENABLED`, `REINSTATED` or `DISABLED`.
        """
        with self._lock:
            self._tenants.set_sending_status(name, status)

    # --- multi-region endpoints ----------------------------------------------------------

    def endpoint_state(self, name: str) -> FakeMultiRegionEndpoint:
        """Return a snapshot of the multi-region endpoint `name`.

        Examples:
            >>> _ = ses.multi_region_endpoint("global").create(secondary_region="eu-west-1")
            >>> clock.advance(60)  # endpoints take a minute to be READY
            >>> fake.endpoint_state("global").status
            'READY'

        Raises:
            KeyError: No such endpoint.
        """
        with self._lock:
            return self._endpoints.state(name)

    def set_endpoint_status(self, name: str, status: str) -> None:
        """Set the status of the multi-region endpoint `name` now (`READY`, `FAILED`, ...).

        Examples:
            >>> _ = ses.multi_region_endpoint("global").create(secondary_region="eu-west-1")
            >>> fake.set_endpoint_status("global", "FAILED")
            >>> ses.multi_region_endpoint("global").wait_until_ready()
            Traceback (most recent call last):
            sesflow._errors.VerificationFailedError: multi-region endpoint global is FAILED, ...

        Raises:
            KeyError: No such endpoint.
            ValueError: Not `CREATING`, `READY`, `FAILED` or `DELETING`.
        """
        with self._lock:
            self._endpoints.set_status(name, status)

    # --- insights and exports ------------------------------------------------------------

    def address_insights(self, address: str, **verdicts: str) -> None:
        """Script what `GetEmailAddressInsights` answers for `address` (other checks keep
        the fake's rules).

        Keyword arguments are the checks of `sesflow.EmailAddressInsights`: `valid`,
        `has_valid_syntax`, `has_valid_dns_records`, `mailbox_exists`,
        `is_role_address`, `is_disposable`, `is_random_input`; values `LOW`, `MEDIUM`
        or `HIGH`.

        Examples:
            >>> fake.address_insights("ann@example.com", valid="LOW", mailbox_exists="LOW")
            >>> ses.address_insights("ann@example.com").risky
            True

        Raises:
            ValueError: An unknown check or verdict.
        """
        with self._lock:
            self._address_insights.script(address, verdicts)

    def export_job_state(self, job_id: str) -> FakeExportJob:
        """Return a snapshot of export job `job_id`.

        Examples:
            >>> import datetime as dt
            >>> job = ses.export_messages(dt.datetime(2026, 1, 1), dt.datetime(2026, 1, 2))
            >>> clock.advance(30)  # exports take half a minute
            >>> fake.export_job_state(job.job_id).status
            'COMPLETED'

        Raises:
            KeyError: No such job.
        """
        with self._lock:
            return self._exports.state(job_id)

    def set_export_job_status(
        self, job_id: str, status: str, *, error_message: str | None = None
    ) -> None:
        """Set the status of export job `job_id` now (`FAILED` with `error_message`, say).

        Examples:
            >>> import datetime as dt
            >>> job = ses.export_messages(dt.datetime(2026, 1, 1), dt.datetime(2026, 1, 2))
            >>> fake.set_export_job_status(job.job_id, "FAILED", error_message="No data.")
            >>> job.refresh().failure
            'No data.'

        Raises:
            KeyError: No such job.
            ValueError: An unknown status.
        """
        with self._lock:
            self._exports.finish(job_id, status, error_message=error_message)

    # --- dedicated IPs -------------------------------------------------------------------

    def lease_dedicated_ip(
        self, ip: str, *, pool: str | None = None, warmup_percentage: int = 0
    ) -> None:
        """Lease the dedicated IP `ip` to the account, as AWS does on request.

        Examples:
            >>> _ = ses.ip_pool("marketing-ips").create()
            >>> fake.lease_dedicated_ip("198.51.100.7", pool="marketing-ips")
            >>> ses.dedicated_ip("198.51.100.7").pool
            'marketing-ips'

        Args:
            ip: An IPv4 address.
            pool: The pool it starts in (it must exist); `None` for the default pool.
            warmup_percentage: How far its warm-up has gone, 0-100.

        Raises:
            ValueError: Not an IPv4 address, or a percentage outside 0-100.
            KeyError: No such pool.
        """
        with self._lock:
            self._pools.lease(ip, pool=pool, warmup_percentage=warmup_percentage)

    def dedicated_ip_state(self, ip: str) -> FakeDedicatedIp:
        """Return a snapshot of the leased dedicated IP `ip`.

        Examples:
            >>> fake.lease_dedicated_ip("198.51.100.7")
            >>> _ = ses.dedicated_ip("198.51.100.7").update_warmup(60)
            >>> fake.dedicated_ip_state("198.51.100.7").warmup_percentage
            60

        Raises:
            KeyError: The account leases no such IP.
        """
        with self._lock:
            return self._pools.ip_state(ip)

    def _admin_repr_parts(self) -> list[str]:
        parts: list[str] = []
        for name, store in (
            ("tenants", self._tenants),
            ("multi_region_endpoints", self._endpoints),
            ("export_jobs", self._exports),
        ):
            if len(store):
                parts.append(f"{name}={len(store)}")
        return parts
