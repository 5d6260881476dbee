"""Finding a domain's hosted zone among many: by name, never listing every zone."""

from __future__ import annotations

import types
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

import sesflow
from sesflow._route53 import find_hosted_zone
from sesflow.testing import FakeClock, FakeSES


def _order(name: str) -> str:
    # Route 53's order for ListHostedZonesByName: labels reversed, with the trailing dot.
    return ".".join(reversed(name.rstrip(".").split("."))) + "."


class AwsLikeRoute53:
    """ListHostedZonesByName as Route 53 answers it: from DNSName on, in that order, paged.

    (moto answers only the zones named exactly DNSName.) Records every call.
    """

    def __init__(self, zones: list[tuple[str, str, bool]]) -> None:
        self.zones = sorted(zones, key=lambda z: (_order(z[1]), z[0]))
        self.calls: list[dict[str, Any]] = []
        self.meta = types.SimpleNamespace(region_name="us-east-1")

    def list_hosted_zones_by_name(self, **params: Any) -> dict[str, Any]:
        self.calls.append(params)
        key = (_order(params["DNSName"]), params.get("HostedZoneId", ""))
        rest = [z for z in self.zones if (_order(z[1]), z[0]) >= key]
        size = int(params.get("MaxItems", "100"))
        page, more = rest[:size], rest[size:]
        answer: dict[str, Any] = {
            "HostedZones": [
                {
                    "Id": f"/hostedzone/{zone_id}",
                    "Name": name.rstrip(".") + ".",
                    "CallerReference": zone_id,
                    "Config": {"PrivateZone": private},
                }
                for zone_id, name, private in page
            ],
            "IsTruncated": bool(more),
            "MaxItems": str(size),
        }
        if more:
            answer["NextDNSName"] = more[0][1].rstrip(".") + "."
            answer["NextHostedZoneId"] = more[0][0]
        return answer

    def list_hosted_zones(self, **params: Any) -> dict[str, Any]:
        raise AssertionError("every zone of the account was listed")


def _ses(route53: Any) -> sesflow.SES:
    clock = FakeClock()
    return sesflow.SES(
        client=FakeSES(clock=clock).client(),
        route53_client=route53,
        sleep=clock.sleep,
        clock=clock,
    )


def _many() -> list[tuple[str, str, bool]]:
    zones = [(f"ZN{i:04d}", f"site{i:04d}.example.net", False) for i in range(2000)]
    zones += [(f"ZC{i:04d}", f"shop{i:04d}.example.com", False) for i in range(300)]
    zones += [
        ("ZPARENT", "example.com", False),
        ("ZSHOPPRIV", "shop.example.com", True),
        ("ZSHOP", "shop.example.com", False),
        ("ZSHOPPRIV2", "shop.example.com", True),
        ("ZBELOW", "eu.mail.shop.example.com", False),  # below the domain: holds none of it
        ("ZLOOKALIKE", "hop.example.com", False),
        ("ZDASH", "shop-example.com", False),
    ]
    zones += [(f"ZP{i:02d}", "private.example.com", True) for i in range(25)]
    return zones


@pytest.mark.parametrize(
    ("domain", "zone"),
    [
        ("mail.shop.example.com", ("ZSHOP", "shop.example.com")),
        ("shop.example.com", ("ZSHOP", "shop.example.com")),
        ("news.example.com", ("ZPARENT", "example.com")),
        ("example.com", ("ZPARENT", "example.com")),
        ("site1234.example.net", ("ZN1234", "site1234.example.net")),
        ("a.private.example.com", ("ZP00", "private.example.com")),  # only private ones
    ],
)
def test_the_longest_suffix_zone_is_found_among_thousands(
    domain: str, zone: tuple[str, str]
) -> None:
    route53 = AwsLikeRoute53(_many())
    assert find_hosted_zone(_ses(route53), domain) == zone
    labels = domain.count(".") + 1
    assert len(route53.calls) <= labels + 2  # a few small pages, never the whole account
    assert all(int(call["MaxItems"]) <= 10 for call in route53.calls)


def test_no_zone_among_thousands_is_not_found() -> None:
    route53 = AwsLikeRoute53(_many())
    with pytest.raises(sesflow.NotFoundError, match=r"holds example\.org"):
        find_hosted_zone(_ses(route53), "example.org")
    assert [call["DNSName"] for call in route53.calls] == ["example.org", "org"]


@pytest.fixture
def moto_route53() -> Iterator[Any]:
    with mock_aws():
        yield boto3.client("route53", region_name="us-east-1")


def test_many_zones_on_moto(moto_route53: Any) -> None:
    ids = {}
    for name in [f"zone{i:03d}.example.org" for i in range(150)] + [
        "example.com",
        "shop.example.com",
        "ample.com",
    ]:
        response = moto_route53.create_hosted_zone(Name=name, CallerReference=name)
        ids[name] = str(response["HostedZone"]["Id"]).rsplit("/", 1)[-1]
    ses = _ses(moto_route53)
    assert find_hosted_zone(ses, "mail.shop.example.com") == (
        ids["shop.example.com"],
        "shop.example.com",
    )
    assert find_hosted_zone(ses, "zone042.example.org") == (
        ids["zone042.example.org"],
        "zone042.example.org",
    )
    with pytest.raises(sesflow.NotFoundError):
        find_hosted_zone(ses, "xample.com")
