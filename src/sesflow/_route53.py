"""Publishing a domain's DNS records to Route 53."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from ._dns import DnsRecords
from ._errors import NotFoundError, ValidationError
from ._logging import logger

if TYPE_CHECKING:
    from ._ses import SES

__all__ = ["find_hosted_zone", "publish_records"]


def _zones(ses: SES) -> Iterator[Mapping[str, Any]]:
    marker: str | None = None
    while True:
        params: dict[str, Any] = {"MaxItems": "100"}
        if marker:
            params["Marker"] = marker
        response = ses._call_route53("ListHostedZones", **params)
        yield from response.get("HostedZones") or ()
        if not response.get("IsTruncated"):
            return
        marker = response.get("NextMarker")


def find_hosted_zone(ses: SES, domain: str) -> tuple[str, str]:
    """Return `(zone id, zone name)` of the hosted zone that best holds `domain`.

    The best zone is the one whose name is the longest suffix of the domain (so a
    `mail.example.com` zone wins over `example.com` for names below it); at equal
    length a public zone wins over a private one.
    """
    best: tuple[int, int, str, str] | None = None
    for zone in _zones(ses):
        zone_name = str(zone["Name"]).rstrip(".").lower()
        if domain != zone_name and not domain.endswith("." + zone_name):
            continue
        public = 0 if (zone.get("Config") or {}).get("PrivateZone") else 1
        rank = (len(zone_name), public, str(zone["Id"]), zone_name)
        if best is None or rank[:2] > best[:2]:
            best = rank
    if best is None:
        raise NotFoundError(
            f"no Route 53 hosted zone holds {domain}; create one or pass hosted_zone_id=",
            operation="ListHostedZones",
        )
    zone_id = best[2].rsplit("/", 1)[-1]
    return zone_id, best[3]


def publish_records(
    ses: SES, domain: str, records: DnsRecords, *, hosted_zone_id: str | None
) -> str:
    """UPSERT `records` into the domain's hosted zone; return the change id."""
    if not records:
        raise ValidationError(
            f"records: {domain} has no DNS records to publish yet (SES returned no DKIM "
            "tokens); refresh() once SES has generated them",
            field="records",
        )
    if hosted_zone_id is None:
        hosted_zone_id, zone_name = find_hosted_zone(ses, domain)
        logger.info("publishing %d records for %s to zone %s", len(records), domain, zone_name)
    response = ses._call_route53(
        "ChangeResourceRecordSets",
        HostedZoneId=hosted_zone_id,
        ChangeBatch={
            "Comment": f"sesflow: DNS records for the SES identity {domain}",
            "Changes": records.to_route53_changes(),
        },
    )
    change_id = str(response["ChangeInfo"]["Id"])
    return change_id.rsplit("/", 1)[-1]
