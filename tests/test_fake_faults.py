"""FakeSES seeded faults: what each does, that they replay with their seed, their rates."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

import pytest
from botocore.exceptions import ClientError, ConnectionClosedError, EndpointConnectionError

from sesflow.testing import FakeClock, FakeSES

if TYPE_CHECKING:
    from types_boto3_sesv2 import SESV2Client

SIMPLE: Any = {"Simple": {"Subject": {"Data": "Hi"}, "Body": {"Text": {"Data": "Hello"}}}}


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def fake(clock: FakeClock) -> FakeSES:
    fake = FakeSES(clock=clock, max_send_rate=10_000, max_24_hour_send=-1)
    fake.verify("example.com")
    return fake


@pytest.fixture
def client(fake: FakeSES) -> SESV2Client:
    return fake.client()


def _send(client: SESV2Client, to: str = "a@example.org") -> str:
    return client.send_email(
        FromEmailAddress="news@example.com",
        Destination={"ToAddresses": [to]},
        Content=SIMPLE,
    )["MessageId"]


def _bulk(client: SESV2Client, count: int) -> list[str]:
    answer = client.send_bulk_email(
        FromEmailAddress="news@example.com",
        DefaultContent={"Template": {"TemplateContent": {"Subject": "Hi", "Text": "x"}}},
        BulkEmailEntries=[
            {"Destination": {"ToAddresses": [f"u{i}@example.org"]}} for i in range(count)
        ],
    )
    return [entry["Status"] for entry in answer["BulkEmailEntryResults"]]


def _outcome(client: SESV2Client, to: str) -> str:
    """What one SendEmail came to: ok, an error code with its status, or a broken connection."""
    try:
        _send(client, to)
    except ClientError as exc:
        meta = exc.response["ResponseMetadata"]
        return f"{exc.response['Error']['Code']}/{meta['HTTPStatusCode']}"
    except (EndpointConnectionError, ConnectionClosedError) as exc:
        return type(exc).__name__
    return "ok"


def _run(seed: int, calls: int = 200, **faults: Any) -> list[str]:
    fake = FakeSES(clock=FakeClock(), max_send_rate=10_000, max_24_hour_send=-1)
    fake.verify("example.com")
    fake.inject_faults(seed=seed, **faults)
    client = fake.client()
    return [_outcome(client, f"r{i}@example.org") for i in range(calls)]


# --- each fault ------------------------------------------------------------------------------


def test_throttle_answers_429_and_sends_nothing(fake: FakeSES, client: SESV2Client) -> None:
    fake.inject_faults(throttle=1.0)
    with pytest.raises(ClientError) as caught:
        _send(client)
    error = caught.value.response
    assert error["Error"] == {
        "Code": "TooManyRequestsException",
        "Message": "Maximum sending rate exceeded.",
    }
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 429
    assert fake.outbox == []
    assert fake.call_count("SendEmail") == 1  # the request did reach SES
    assert fake.throttled_calls == 1
    assert fake.injected_faults == Counter({"throttle": 1})


def test_server_errors_are_500s_and_503s(client: SESV2Client, fake: FakeSES) -> None:
    fake.inject_faults(seed=2, server_error=1.0)
    outcomes = Counter(_outcome(client, f"r{i}@example.org") for i in range(60))
    assert set(outcomes) == {"InternalServiceErrorException/500", "ServiceUnavailable/503"}
    assert min(outcomes.values()) > 10
    assert fake.outbox == []


def test_drop_before_breaks_the_connection_and_records_nothing(
    fake: FakeSES, client: SESV2Client
) -> None:
    fake.inject_faults(drop_before=1.0)
    with pytest.raises(EndpointConnectionError):
        _send(client)
    assert fake.outbox == []
    assert fake.calls == []
    assert fake.call_count("SendEmail") == 0
    assert fake.sent_last_24_hours() == 0


def test_drop_after_sends_the_mail_and_loses_the_answer(fake: FakeSES, client: SESV2Client) -> None:
    fake.inject_faults(drop_after=1.0)
    with pytest.raises(ConnectionClosedError):
        _send(client, "lost-answer@example.org")
    assert fake.deliveries("lost-answer@example.org") == 1
    assert len(fake.outbox) == 1
    assert fake.call_count("SendEmail") == 1
    assert fake.sent_last_24_hours() == 1


def test_drop_after_a_bulk_call_sends_every_entry(fake: FakeSES, client: SESV2Client) -> None:
    fake.inject_faults(drop_after=1.0)
    with pytest.raises(ConnectionClosedError):
        _bulk(client, 5)
    assert sum(fake.delivery_counts().values()) == 5


def test_transient_entries_fail_alone(fake: FakeSES, client: SESV2Client) -> None:
    fake.inject_faults(seed=4, transient_entry=0.5)
    statuses = _bulk(client, 50)
    assert set(statuses) == {"SUCCESS", "TRANSIENT_FAILURE"}
    assert len(fake.outbox) == statuses.count("SUCCESS")
    assert fake.injected_faults["transient_entry"] == statuses.count("TRANSIENT_FAILURE")


def test_every_entry_can_fail_transiently(fake: FakeSES, client: SESV2Client) -> None:
    fake.inject_faults(transient_entry=1.0)
    assert _bulk(client, 3) == ["TRANSIENT_FAILURE"] * 3
    assert fake.outbox == []


def test_faults_touch_only_the_chosen_operations(fake: FakeSES, client: SESV2Client) -> None:
    fake.inject_faults(throttle=1.0)
    client.get_account()  # not a send: untouched
    fake.inject_faults(throttle=1.0, operations=("GetAccount",))
    _send(client)
    with pytest.raises(ClientError):
        client.get_account()


def test_a_single_operation_name_is_accepted(fake: FakeSES, client: SESV2Client) -> None:
    fake.inject_faults(throttle=1.0, operations="SendBulkEmail")
    _send(client)
    with pytest.raises(ClientError):
        _bulk(client, 1)


def test_fail_next_answers_before_injected_faults(fake: FakeSES, client: SESV2Client) -> None:
    fake.inject_faults(drop_before=1.0)
    fake.fail_next("SendEmail", "MessageRejected", "scripted")
    with pytest.raises(ClientError, match="scripted"):
        _send(client)
    with pytest.raises(EndpointConnectionError):
        _send(client)


def test_clear_faults_stops_them_and_reset_forgets_them(fake: FakeSES, client: SESV2Client) -> None:
    fake.inject_faults(throttle=1.0)
    with pytest.raises(ClientError):
        _send(client)
    fake.clear_faults()
    _send(client)
    assert fake.injected_faults["throttle"] == 1
    fake.inject_faults(throttle=1.0)
    fake.reset()
    fake.verify("example.com")
    _send(client)
    assert fake.injected_faults == Counter()


@pytest.mark.parametrize(
    ("faults", "match"),
    [
        ({"throttle": 1.5}, "throttle"),
        ({"drop_after": -0.1}, "drop_after"),
        ({"transient_entry": float("nan")}, "transient_entry"),
        ({"throttle": 0.6, "server_error": 0.5}, "must not exceed 1"),
        ({"operations": ("SendRawEmail",)}, "not an SES v2 operation"),
    ],
)
def test_bad_fault_plans_are_refused(fake: FakeSES, faults: dict[str, Any], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        fake.inject_faults(**faults)


# --- reproducibility and rates ---------------------------------------------------------------


def test_the_same_seed_and_calls_give_the_same_faults() -> None:
    faults: dict[str, Any] = {
        "throttle": 0.2,
        "server_error": 0.1,
        "drop_before": 0.1,
        "drop_after": 0.1,
    }
    first = _run(seed=42, **faults)
    assert _run(seed=42, **faults) == first
    assert _run(seed=43, **faults) != first
    assert len(set(first)) == 6  # ok and all five kinds of failure showed up


def test_bulk_entry_faults_replay_too() -> None:
    def statuses(seed: int) -> list[str]:
        fake = FakeSES(clock=FakeClock(), max_send_rate=10_000)
        fake.verify("example.com")
        fake.inject_faults(seed=seed, transient_entry=0.3)
        client = fake.client()
        return [status for _ in range(5) for status in _bulk(client, 20)]

    assert statuses(1) == statuses(1)
    assert statuses(1) != statuses(2)


def test_faults_fire_at_about_their_probabilities() -> None:
    calls = 2000
    probabilities: dict[str, Any] = {
        "throttle": 0.1,
        "server_error": 0.05,
        "drop_before": 0.05,
        "drop_after": 0.1,
    }
    outcomes = Counter(_run(seed=7, calls=calls, **probabilities))
    observed = {
        "throttle": outcomes["TooManyRequestsException/429"],
        "server_error": outcomes["InternalServiceErrorException/500"]
        + outcomes["ServiceUnavailable/503"],
        "drop_before": outcomes["EndpointConnectionError"],
        "drop_after": outcomes["ConnectionClosedError"],
    }
    for kind, probability in probabilities.items():
        expected = calls * probability
        spread = 4 * (calls * probability * (1 - probability)) ** 0.5
        assert abs(observed[kind] - expected) < spread, (kind, observed[kind], expected)
    assert outcomes["ok"] == calls - sum(observed.values())


def test_drop_after_counts_match_the_outbox_under_faults() -> None:
    fake = FakeSES(clock=FakeClock(), max_send_rate=10_000, max_24_hour_send=-1)
    fake.verify("example.com")
    fake.inject_faults(seed=9, throttle=0.2, drop_before=0.2, drop_after=0.2)
    client = fake.client()
    outcomes = [_outcome(client, f"r{i}@example.org") for i in range(300)]
    accepted = outcomes.count("ok") + outcomes.count("ConnectionClosedError")
    assert len(fake.outbox) == accepted
    assert fake.call_count("SendEmail") == 300 - outcomes.count("EndpointConnectionError")
    assert fake.throttled_calls == outcomes.count("TooManyRequestsException/429")
    assert fake.injected_faults["drop_after"] == outcomes.count("ConnectionClosedError")
