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


#: Zones asked for per page. Zones of one name are few (a public one and some private
#: ones); more pages follow while the names still match.
_PAGE = "10"


def _zones_named(ses: SES, name: str) -> Iterator[Mapping[str, Any]]:
    """The hosted zones whose name is exactly `name`.

    ListHostedZonesByName returns zones in DNS name order (labels reversed), starting at
    `DNSName`: zones of that name come first, and the first other name ends the search.
    """
    params: dict[str, Any] = {"DNSName": name, "MaxItems": _PAGE}
    while True:
        response = ses._call_route53("ListHostedZonesByName", **params)
        for zone in response.get("HostedZones") or ():
            if str(zone["Name"]).rstrip(".").lower() != name:
                return
            yield zone
        if not response.get("IsTruncated"):
            return
        params = {
            "DNSName": response.get("NextDNSName"),
            "HostedZoneId": response.get("NextHostedZoneId"),
            "MaxItems": _PAGE,
        }


def find_hosted_zone(ses: SES, domain: str) -> tuple[str, str]:
    """Return `(zone id, zone name)` of the hosted zone that best holds `domain`.

    The best zone is the one whose name is the longest suffix of the domain (so a
    `mail.example.com` zone wins over `example.com` for names below it); at equal
    length a public zone wins over a private one.

    One lookup by name per label, longest name first, instead of listing every zone of
    the account.
    """
    labels = domain.rstrip(".").lower().split(".")
    for start in range(len(labels)):
        name = ".".join(labels[start:])
        best: Mapping[str, Any] | None = None
        for zone in _zones_named(ses, name):
            if not (zone.get("Config") or {}).get("PrivateZone"):
                best = zone
                break
            best = best or zone
        if best is not None:
            return str(best["Id"]).rsplit("/", 1)[-1], name
    raise NotFoundError(
        f"no Route 53 hosted zone holds {domain}; create one or pass hosted_zone_id=",
        operation="ListHostedZonesByName",
    )


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
