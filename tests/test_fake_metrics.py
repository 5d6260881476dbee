"""FakeSES's Virtual Deliverability Manager: VdmAttributes on the account, and
BatchGetMetricData computed from the messages it accepted and what happened to them."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, cast

import pytest
from botocore.exceptions import ClientError

from sesflow.testing import FakeClock, FakeSES

if TYPE_CHECKING:
    from types_boto3_sesv2 import SESV2Client
    from types_boto3_sesv2.literals import MetricDimensionNameType, MetricType
    from types_boto3_sesv2.type_defs import BatchGetMetricDataQueryTypeDef

DAY = 86_400
START = 1_700_000_000.0  # 2023-11-14 22:13:20 UTC


class WallClock:
    """Epoch seconds that a test moves by hand."""

    def __init__(self, start: float = START) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now


def _send(client: SESV2Client, *to: str, configuration_set: str | None = None) -> None:
    extra: dict[str, Any] = {}
    if configuration_set is not None:
        extra["ConfigurationSetName"] = configuration_set
    client.send_email(
        FromEmailAddress="news@example.com",
        Destination={"ToAddresses": list(to)},
        Content={"Simple": {"Subject": {"Data": "Hi"}, "Body": {"Text": {"Data": "Hello"}}}},
        **extra,
    )


def _query(
    metric: MetricType, start: float, end: float, **dimensions: str
) -> BatchGetMetricDataQueryTypeDef:
    return {
        "Id": metric.lower(),
        "Namespace": "VDM",
        "Metric": metric,
        "Dimensions": cast(
            "dict[MetricDimensionNameType, str]", dimensions or {"EMAIL_IDENTITY": "example.com"}
        ),
        "StartDate": dt.datetime.fromtimestamp(start, dt.UTC),
        "EndDate": dt.datetime.fromtimestamp(end, dt.UTC),
    }


def _totals(client: SESV2Client, *metrics: MetricType, **dimensions: str) -> dict[str, int]:
    response = client.batch_get_metric_data(
        Queries=[_query(m, START - DAY, START + DAY, **dimensions) for m in metrics]
    )
    assert response["Errors"] == []
    return {r["Id"]: sum(r["Values"]) for r in response["Results"]}


@pytest.fixture
def wall() -> WallClock:
    return WallClock()


@pytest.fixture
def fake(wall: WallClock) -> FakeSES:
    fake = FakeSES(clock=FakeClock(), wall_clock=wall, seed=3, max_send_rate=1000)
    fake.verify("example.com")
    return fake


def test_vdm_attributes_are_kept_and_reported(fake: FakeSES) -> None:
    client = fake.client()
    assert "VdmAttributes" not in client.get_account()
    client.put_account_vdm_attributes(
        VdmAttributes={
            "VdmEnabled": "ENABLED",
            "DashboardAttributes": {"EngagementMetrics": "ENABLED"},
        }
    )
    assert client.get_account()["VdmAttributes"] == {
        "VdmEnabled": "ENABLED",
        "DashboardAttributes": {"EngagementMetrics": "ENABLED"},
    }
    assert fake.account.vdm_attributes == {
        "VdmEnabled": "ENABLED",
        "DashboardAttributes": {"EngagementMetrics": "ENABLED"},
    }


def test_metrics_count_what_vdm_counts(fake: FakeSES) -> None:
    client = fake.client()
    fake.recipient_outcome("angry@example.org", "COMPLAINT")
    fake.recipient_outcome("gone@example.org", "BOUNCE")
    fake.recipient_outcome("full@example.org", "BOUNCE", bounce_type="Transient")
    fake.suppress("suppressed@example.org", "BOUNCE")
    for address in (
        "bob@example.org",
        "angry@example.org",
        "gone@example.org",
        "full@example.org",
        "suppressed@example.org",  # sent, but the list's bounce is left out
        "complaint@simulator.amazonses.com",  # the mailbox simulator: left out
    ):
        _send(client, address)
    _send(client, "ann@example.org", "angry@example.org")  # two recipients: left out
    assert _totals(
        client,
        "SEND",
        "DELIVERY",
        "DELIVERY_COMPLAINT",
        "COMPLAINT",
        "PERMANENT_BOUNCE",
        "TRANSIENT_BOUNCE",
        "OPEN",
        "CLICK",
    ) == {
        "send": 5,
        "delivery": 2,
        "delivery_complaint": 2,
        "complaint": 1,
        "permanent_bounce": 1,
        "transient_bounce": 1,
        "open": 0,
        "click": 0,
    }


def test_one_value_per_utc_day(fake: FakeSES, wall: WallClock) -> None:
    client = fake.client()
    _send(client, "bob@example.org")
    wall.now += DAY
    _send(client, "bob@example.org")
    _send(client, "ann@example.org")
    response = client.batch_get_metric_data(Queries=[_query("SEND", START - DAY, START + 2 * DAY)])
    [result] = response["Results"]
    first_day = dt.datetime(2023, 11, 13, tzinfo=dt.UTC)
    assert result["Timestamps"] == [first_day + dt.timedelta(days=n) for n in range(4)]
    assert result["Values"] == [0, 1, 2, 0]


def test_dimensions_filter_by_identity_and_configuration_set(fake: FakeSES) -> None:
    client = fake.client()
    client.create_configuration_set(ConfigurationSetName="marketing")
    _send(client, "bob@example.org", configuration_set="marketing")
    _send(client, "ann@example.org")
    assert _totals(client, "SEND", CONFIGURATION_SET="marketing") == {"send": 1}
    assert _totals(client, "SEND", EMAIL_IDENTITY="example.com") == {"send": 2}
    assert _totals(client, "SEND", EMAIL_IDENTITY="other.example") == {"send": 0}
    # Counting does not need an event destination, and clearing the outbox keeps it.
    fake.clear_outbox()
    assert _totals(client, "SEND") == {"send": 2}
    fake.reset()
    assert _totals(fake.client(), "SEND") == {"send": 0}


def test_bad_queries_are_refused(fake: FakeSES) -> None:
    client = fake.client()
    backwards = _query("SEND", START, START - DAY)
    with pytest.raises(ClientError, match="StartDate must not be after EndDate"):
        client.batch_get_metric_data(Queries=[backwards])
    twice = [_query("SEND", START, START), _query("SEND", START, START)]
    with pytest.raises(ClientError, match="Ids must be unique"):
        client.batch_get_metric_data(Queries=twice)
    with pytest.raises(NotImplementedError, match="ISP"):
        client.batch_get_metric_data(Queries=[_query("SEND", START, START, ISP="Gmail")])
