"""Dedicated IPs: the account's leased IPs, moving them between pools, warm-up, a pool's
scaling mode; on FakeSES, through a raw client, and as exact requests (Stubber)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from botocore.stub import Stubber

import sesflow
from sesflow import WarmupStatus
from sesflow.testing import FakeClock, FakeDedicatedIp, FakeSES


def test_ips_pools_and_warmup(ses: sesflow.SES, fake: FakeSES) -> None:
    marketing = ses.ip_pool("marketing-ips").create()
    fake.lease_dedicated_ip("198.51.100.7")
    fake.lease_dedicated_ip("198.51.100.8", pool="marketing-ips", warmup_percentage=100)
    fake.lease_dedicated_ip("198.51.100.9", warmup_percentage=30)
    assert [ip.ip for ip in ses.dedicated_ips(page_size=2)] == [
        "198.51.100.7",
        "198.51.100.8",
        "198.51.100.9",
    ]
    assert [ip.ip for ip in marketing.ips()] == ["198.51.100.8"]
    ip = ses.dedicated_ip("198.51.100.7")
    assert ip.exists()
    assert (ip.pool, ip.warmup_status, ip.warmup_percentage) == (
        None,
        WarmupStatus.IN_PROGRESS,
        0,
    )
    assert ip.move_to(marketing) is ip
    assert ip.pool == "marketing-ips"
    assert [i.ip for i in marketing.ips()] == ["198.51.100.7", "198.51.100.8"]
    assert ip.update_warmup(100).warmup_status is WarmupStatus.DONE
    assert fake.dedicated_ip_state("198.51.100.7") == FakeDedicatedIp(
        "198.51.100.7", "marketing-ips", 100
    )
    marketing.delete()  # its IPs go back to the default pool
    assert ses.dedicated_ip("198.51.100.7").refresh().pool is None
    assert not ses.dedicated_ip("203.0.113.1").exists()
    with pytest.raises(sesflow.NotFoundError):
        ses.dedicated_ip("203.0.113.1").refresh()


def test_a_listing_answers_without_another_call(ses: sesflow.SES, fake: FakeSES) -> None:
    fake.lease_dedicated_ip("198.51.100.7", warmup_percentage=55)
    [ip] = ses.dedicated_ips()
    before = len(fake.calls)
    assert (ip.warmup_percentage, ip.pool) == (55, None)
    assert len(fake.calls) == before


def test_scaling_mode_and_managed_pools(ses: sesflow.SES, fake: FakeSES) -> None:
    pool = ses.ip_pool("transactional-ips").create()
    assert pool.update_scaling_mode("MANAGED").scaling_mode == "MANAGED"
    assert ses.ip_pool("transactional-ips").refresh().scaling_mode == "MANAGED"
    with pytest.raises(sesflow.BadRequestError, match="cannot be converted"):
        pool.update_scaling_mode("STANDARD")
    fake.lease_dedicated_ip("198.51.100.7")
    with pytest.raises(sesflow.BadRequestError, match="MANAGED"):
        ses.dedicated_ip("198.51.100.7").move_to("transactional-ips")
    with pytest.raises(sesflow.NotFoundError):
        ses.dedicated_ip("198.51.100.7").move_to("no-such-pool")
    with pytest.raises(sesflow.NotFoundError):
        list(ses.ip_pool("no-such-pool").ips())


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda ses: ses.dedicated_ip("198.51.100.300"), "ip"),
        (lambda ses: ses.dedicated_ip("2001:db8::1"), "ip"),
        (lambda ses: ses.dedicated_ip("198.51.100.7").update_warmup(101), "percentage"),
        (lambda ses: ses.dedicated_ip("198.51.100.7").update_warmup(True), "percentage"),
        (lambda ses: ses.dedicated_ip("198.51.100.7").move_to("bad pool"), "pool"),
        (lambda ses: ses.ip_pool("ips").update_scaling_mode("AUTO"), "scaling_mode"),
    ],
)
def test_bad_input_is_refused_before_any_call(
    ses: sesflow.SES, fake: FakeSES, call: Any, field: str
) -> None:
    with pytest.raises(sesflow.ValidationError) as caught:
        call(ses)
    assert caught.value.field == field
    assert fake.calls == []


def _refused(call: Callable[..., Any], **params: Any) -> tuple[str, int]:
    with pytest.raises(ClientError) as excinfo:
        call(**params)
    response = excinfo.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]


def test_the_fakes_rules_through_a_raw_client(fake: FakeSES) -> None:
    client = fake.client()
    client.create_dedicated_ip_pool(PoolName="ips")
    fake.lease_dedicated_ip("198.51.100.7", pool="ips", warmup_percentage=10)
    got = client.get_dedicated_ip(Ip="198.51.100.7")["DedicatedIp"]
    assert got == {"Ip": "198.51.100.7", "WarmupStatus": "IN_PROGRESS",
                   "WarmupPercentage": 10, "PoolName": "ips"}  # fmt: skip
    assert _refused(client.get_dedicated_ip, Ip="203.0.113.1") == ("NotFoundException", 404)
    assert _refused(
        client.put_dedicated_ip_in_pool, Ip="203.0.113.1", DestinationPoolName="ips"
    ) == ("NotFoundException", 404)
    assert _refused(
        client.put_dedicated_ip_in_pool, Ip="198.51.100.7", DestinationPoolName="nope"
    ) == ("NotFoundException", 404)
    assert _refused(
        client.put_dedicated_ip_warmup_attributes, Ip="198.51.100.7", WarmupPercentage=101
    ) == ("BadRequestException", 400)
    assert _refused(
        client.put_dedicated_ip_warmup_attributes, Ip="203.0.113.1", WarmupPercentage=50
    ) == ("NotFoundException", 404)
    assert _refused(client.get_dedicated_ips, PoolName="nope") == ("NotFoundException", 404)
    client.put_account_dedicated_ip_warmup_attributes(AutoWarmupEnabled=True)
    assert client.get_account()["DedicatedIpAutoWarmupEnabled"] is True
    with pytest.raises(ValueError, match="0-100"):
        fake.lease_dedicated_ip("198.51.100.8", warmup_percentage=150)
    with pytest.raises(ValueError, match="IPv4"):
        fake.lease_dedicated_ip("not an ip")
    with pytest.raises(KeyError):
        fake.lease_dedicated_ip("198.51.100.8", pool="nope")
    with pytest.raises(KeyError):
        fake.dedicated_ip_state("203.0.113.1")


@pytest.fixture
def stubbed(clock: FakeClock) -> Iterator[tuple[sesflow.SES, Stubber]]:
    client = boto3.client("sesv2", region_name="us-east-1")
    with Stubber(client) as stub:
        yield sesflow.SES(client=client, sleep=clock.sleep, clock=clock), stub
        stub.assert_no_pending_responses()


def test_exact_requests(stubbed: tuple[sesflow.SES, Stubber]) -> None:
    ses, stub = stubbed
    ip = {"Ip": "198.51.100.7", "WarmupStatus": "IN_PROGRESS", "WarmupPercentage": 0}
    stub.add_response("get_dedicated_ips", {"DedicatedIps": [ip]}, {"PageSize": 100})
    stub.add_response(
        "get_dedicated_ips", {"DedicatedIps": []}, {"PoolName": "ips", "PageSize": 100}
    )
    stub.add_response("get_dedicated_ip", {"DedicatedIp": ip}, {"Ip": "198.51.100.7"})
    stub.add_response(
        "put_dedicated_ip_in_pool", {}, {"Ip": "198.51.100.7", "DestinationPoolName": "ips"}
    )
    stub.add_response(
        "get_dedicated_ip", {"DedicatedIp": {**ip, "PoolName": "ips"}}, {"Ip": "198.51.100.7"}
    )
    stub.add_response(
        "put_dedicated_ip_warmup_attributes", {}, {"Ip": "198.51.100.7", "WarmupPercentage": 50}
    )
    stub.add_response(
        "get_dedicated_ip",
        {"DedicatedIp": {**ip, "PoolName": "ips", "WarmupPercentage": 50}},
        {"Ip": "198.51.100.7"},
    )
    scaling = {"PoolName": "ips", "ScalingMode": "MANAGED"}
    stub.add_response("put_dedicated_ip_pool_scaling_attributes", {}, scaling)
    assert [i.ip for i in ses.dedicated_ips()] == ["198.51.100.7"]
    assert list(ses.ip_pool("ips").ips()) == []
    moved = ses.dedicated_ip("198.51.100.7").refresh().move_to("ips")
    assert moved.pool == "ips"
    assert moved.update_warmup(50).warmup_percentage == 50
    ses.ip_pool("ips").update_scaling_mode("MANAGED")
