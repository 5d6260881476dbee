"""FakeSES multi-region endpoints through a raw boto3 client: shapes, timed readiness, SES's
validation and error codes. (Sends with an `EndpointId` need SigV4a: test_multi_region.py.)"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest
from botocore.exceptions import ClientError

from sesflow.testing import FakeClock, FakeMultiRegionEndpoint, FakeSES

if TYPE_CHECKING:
    from types_boto3_sesv2 import SESV2Client

ROUTE: Any = {"RoutesDetails": [{"Region": "eu-west-1"}]}


@pytest.fixture
def client(fake: FakeSES) -> SESV2Client:
    return fake.client()


def _refused(call: Callable[..., Any], **params: Any) -> tuple[str, int]:
    with pytest.raises(ClientError) as excinfo:
        call(**params)
    response = excinfo.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]


def test_created_then_ready_a_minute_later(
    fake: FakeSES, client: SESV2Client, clock: FakeClock
) -> None:
    created = client.create_multi_region_endpoint(EndpointName="global", Details=ROUTE)
    assert created["Status"] == "CREATING"
    labels = created["EndpointId"].split(".")
    assert [len(label) for label in labels] == [8, 4]
    got = client.get_multi_region_endpoint(EndpointName="global")
    assert got["Routes"] == [{"Region": "us-east-1"}, {"Region": "eu-west-1"}]
    assert (got["Status"], got["EndpointId"]) == ("CREATING", created["EndpointId"])
    clock.advance(59.9)
    assert client.get_multi_region_endpoint(EndpointName="global")["Status"] == "CREATING"
    clock.advance(0.1)
    ready = client.get_multi_region_endpoint(EndpointName="global")
    assert ready["Status"] == "READY"
    assert ready["LastUpdatedTimestamp"] >= ready["CreatedTimestamp"]
    state = fake.endpoint_state("global")
    assert isinstance(state, FakeMultiRegionEndpoint)
    assert (state.status, state.regions) == ("READY", ("us-east-1", "eu-west-1"))


def test_validation_and_error_codes(client: SESV2Client) -> None:
    assert _refused(
        client.create_multi_region_endpoint, EndpointName="bad name", Details=ROUTE
    ) == ("BadRequestException", 400)
    two: Any = {"RoutesDetails": [{"Region": "eu-west-1"}, {"Region": "eu-central-1"}]}
    assert _refused(client.create_multi_region_endpoint, EndpointName="g", Details=two) == (
        "BadRequestException",
        400,
    )
    none: Any = {"RoutesDetails": []}
    assert _refused(client.create_multi_region_endpoint, EndpointName="g", Details=none) == (
        "BadRequestException",
        400,
    )
    primary: Any = {"RoutesDetails": [{"Region": "us-east-1"}]}
    assert _refused(client.create_multi_region_endpoint, EndpointName="g", Details=primary) == (
        "BadRequestException",
        400,
    )
    nowhere: Any = {"RoutesDetails": [{"Region": "Europe"}]}
    assert _refused(client.create_multi_region_endpoint, EndpointName="g", Details=nowhere) == (
        "BadRequestException",
        400,
    )
    client.create_multi_region_endpoint(EndpointName="g", Details=ROUTE)
    assert _refused(client.create_multi_region_endpoint, EndpointName="g", Details=ROUTE) == (
        "AlreadyExistsException",
        400,
    )
    assert _refused(client.get_multi_region_endpoint, EndpointName="nope") == (
        "NotFoundException",
        404,
    )
    assert _refused(client.delete_multi_region_endpoint, EndpointName="nope") == (
        "NotFoundException",
        404,
    )
    assert _refused(client.list_multi_region_endpoints, PageSize=1001) == (
        "BadRequestException",
        400,
    )


def test_delete_answers_deleting_and_the_endpoint_is_gone(client: SESV2Client) -> None:
    client.create_multi_region_endpoint(EndpointName="g", Details=ROUTE)
    assert client.delete_multi_region_endpoint(EndpointName="g")["Status"] == "DELETING"
    assert client.list_multi_region_endpoints()["MultiRegionEndpoints"] == []


def test_listing_pages_with_regions(client: SESV2Client, fake: FakeSES) -> None:
    for i in range(3):
        client.create_multi_region_endpoint(EndpointName=f"g{i}", Details=ROUTE)
    fake.set_endpoint_status("g1", "FAILED")
    first = client.list_multi_region_endpoints(PageSize=2)
    second = client.list_multi_region_endpoints(PageSize=2, NextToken=first["NextToken"])
    assert "NextToken" not in second
    listed = first["MultiRegionEndpoints"] + second["MultiRegionEndpoints"]
    assert [(e["EndpointName"], e["Status"]) for e in listed] == [
        ("g0", "CREATING"),
        ("g1", "FAILED"),
        ("g2", "CREATING"),
    ]
    assert listed[0]["Regions"] == ["us-east-1", "eu-west-1"]


def test_the_status_knob(fake: FakeSES, client: SESV2Client, clock: FakeClock) -> None:
    client.create_multi_region_endpoint(EndpointName="g", Details=ROUTE)
    fake.set_endpoint_status("g", "FAILED")
    clock.advance(120)  # a scripted status is not overtaken by the timed READY
    assert client.get_multi_region_endpoint(EndpointName="g")["Status"] == "FAILED"
    with pytest.raises(ValueError, match="status must be one of"):
        fake.set_endpoint_status("g", "GONE")
    with pytest.raises(KeyError):
        fake.set_endpoint_status("nope", "READY")
    with pytest.raises(KeyError):
        fake.endpoint_state("nope")
