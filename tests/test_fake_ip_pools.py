"""FakeSES dedicated IP pools: create, get, list (paged), delete, scaling mode, empty pools."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest
from botocore.exceptions import ClientError

from sesflow.testing import FakeDedicatedIpPool, FakeSES

if TYPE_CHECKING:
    from types_boto3_sesv2 import SESV2Client


@pytest.fixture
def fake() -> FakeSES:
    return FakeSES(seed=1)


@pytest.fixture
def client(fake: FakeSES) -> SESV2Client:
    return fake.client()


def _refused(call: Callable[..., Any], **params: Any) -> tuple[str, int]:
    with pytest.raises(ClientError) as excinfo:
        call(**params)
    response = excinfo.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]


def test_a_pool_is_standard_unless_asked(fake: FakeSES, client: SESV2Client) -> None:
    client.create_dedicated_ip_pool(PoolName="transactional")
    tags: Any = [{"Key": "team", "Value": "mail"}]
    client.create_dedicated_ip_pool(PoolName="marketing", ScalingMode="MANAGED", Tags=tags)
    got = client.get_dedicated_ip_pool(PoolName="transactional")["DedicatedIpPool"]
    assert got == {"PoolName": "transactional", "ScalingMode": "STANDARD"}
    managed = client.get_dedicated_ip_pool(PoolName="marketing")["DedicatedIpPool"]
    assert managed["ScalingMode"] == "MANAGED"
    assert fake.dedicated_ip_pool_state("marketing") == FakeDedicatedIpPool(
        "marketing", "MANAGED", ({"Key": "team", "Value": "mail"},)
    )


def test_a_duplicate_pool_already_exists(client: SESV2Client) -> None:
    client.create_dedicated_ip_pool(PoolName="ips", ScalingMode="MANAGED")
    assert _refused(client.create_dedicated_ip_pool, PoolName="ips") == (
        "AlreadyExistsException",
        400,
    )
    # The first pool is untouched.
    assert client.get_dedicated_ip_pool(PoolName="ips")["DedicatedIpPool"]["ScalingMode"] == (
        "MANAGED"
    )


@pytest.mark.parametrize("name", ["Upper", "has space", "dot.ted", "x" * 65])
def test_bad_pool_names_are_refused(client: SESV2Client, name: str) -> None:
    assert _refused(client.create_dedicated_ip_pool, PoolName=name) == ("BadRequestException", 400)
    assert client.list_dedicated_ip_pools()["DedicatedIpPools"] == []


def test_a_bad_scaling_mode_is_refused(client: SESV2Client) -> None:
    call: Any = client.create_dedicated_ip_pool  # the stubs type ScalingMode as a Literal
    assert _refused(call, PoolName="ips", ScalingMode="AUTO") == ("BadRequestException", 400)


def test_list_pages_through_every_pool(client: SESV2Client) -> None:
    for name in ("a", "b", "c", "d", "e"):
        client.create_dedicated_ip_pool(PoolName=name)
    client.delete_dedicated_ip_pool(PoolName="c")
    first = client.list_dedicated_ip_pools(PageSize=2)
    assert first["DedicatedIpPools"] == ["a", "b"]
    second = client.list_dedicated_ip_pools(PageSize=2, NextToken=first["NextToken"])
    assert second["DedicatedIpPools"] == ["d", "e"]
    assert "NextToken" not in second
    assert _refused(client.list_dedicated_ip_pools, NextToken="garbage") == (
        "BadRequestException",
        400,
    )


def test_delete_and_missing_pools(fake: FakeSES, client: SESV2Client) -> None:
    client.create_dedicated_ip_pool(PoolName="ips")
    client.delete_dedicated_ip_pool(PoolName="ips")
    for call in (client.get_dedicated_ip_pool, client.delete_dedicated_ip_pool):
        assert _refused(call, PoolName="ips") == ("NotFoundException", 404)
    with pytest.raises(KeyError, match="ips"):
        fake.dedicated_ip_pool_state("ips")


def test_deleting_a_pool_a_configuration_set_names_leaves_the_name(
    fake: FakeSES, client: SESV2Client
) -> None:
    client.create_dedicated_ip_pool(PoolName="ips")
    client.create_configuration_set(
        ConfigurationSetName="cs", DeliveryOptions={"SendingPoolName": "ips"}
    )
    client.delete_dedicated_ip_pool(PoolName="ips")
    assert fake.configuration_set_state("cs").sending_pool_name == "ips"
    # ...but it can no longer be chosen.
    assert _refused(
        client.put_configuration_set_delivery_options,
        ConfigurationSetName="cs",
        SendingPoolName="ips",
    ) == ("NotFoundException", 404)


def test_scaling_mode_goes_from_standard_to_managed_only(client: SESV2Client) -> None:
    client.create_dedicated_ip_pool(PoolName="ips")
    client.put_dedicated_ip_pool_scaling_attributes(PoolName="ips", ScalingMode="STANDARD")
    client.put_dedicated_ip_pool_scaling_attributes(PoolName="ips", ScalingMode="MANAGED")
    assert client.get_dedicated_ip_pool(PoolName="ips")["DedicatedIpPool"]["ScalingMode"] == (
        "MANAGED"
    )
    put = client.put_dedicated_ip_pool_scaling_attributes
    assert _refused(put, PoolName="ips", ScalingMode="STANDARD") == ("BadRequestException", 400)
    assert _refused(put, PoolName="nope", ScalingMode="MANAGED") == ("NotFoundException", 404)
    assert client.list_dedicated_ip_pools()["DedicatedIpPools"] == ["ips"]


def test_pools_hold_no_addresses(client: SESV2Client) -> None:
    client.create_dedicated_ip_pool(PoolName="ips")
    assert client.get_dedicated_ips(PoolName="ips")["DedicatedIps"] == []
    assert client.get_dedicated_ips()["DedicatedIps"] == []
    assert _refused(client.get_dedicated_ips, PoolName="nope") == ("NotFoundException", 404)
    assert _refused(client.get_dedicated_ips, PageSize=0) == ("BadRequestException", 400)
    assert _refused(client.get_dedicated_ip, Ip="192.0.2.1") == ("NotFoundException", 404)


def test_repr_and_reset(fake: FakeSES, client: SESV2Client) -> None:
    assert "dedicated_ip_pools" not in repr(fake)
    client.create_dedicated_ip_pool(PoolName="ips", ScalingMode="MANAGED")
    assert "dedicated_ip_pools=1" in repr(fake)
    assert repr(fake.dedicated_ip_pool_state("ips")) == (
        "FakeDedicatedIpPool('ips', scaling_mode='MANAGED')"
    )
    fake.reset()
    assert client.list_dedicated_ip_pools()["DedicatedIpPools"] == []
