"""FakeSES.serve: the same fake over real HTTP/1.1 on loopback."""

from __future__ import annotations

import http.client
import json
import queue
import socket
import statistics
import struct
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import closing
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import pytest
from botocore.exceptions import ClientError, ConnectionClosedError, EndpointConnectionError

from sesflow.testing import FakeClock, FakeSES
from sesflow.testing._serve import _Server

if TYPE_CHECKING:
    from types_boto3_sesv2 import SESV2Client

SIMPLE: Any = {"Simple": {"Subject": {"Data": "Hi"}, "Body": {"Text": {"Data": "Hello"}}}}


@pytest.fixture
def fake() -> Iterator[FakeSES]:
    with FakeSES(max_send_rate=10_000, max_24_hour_send=-1) as fake:
        fake.verify("example.com")
        yield fake


@pytest.fixture
def client(fake: FakeSES) -> Iterator[SESV2Client]:
    fake.serve()
    client = fake.http_client()
    yield client
    client.close()  # its pooled sockets, else they are reported unclosed


def _send(client: SESV2Client, *to: str) -> str:
    return client.send_email(
        FromEmailAddress="news@example.com",
        Destination={"ToAddresses": list(to)},
        Content=SIMPLE,
    )["MessageId"]


def _get_json(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=5) as response:  # loopback only
        assert response.headers["Content-Type"] == "application/json"
        return json.load(response)


def _timed(call: Any, times: int) -> list[float]:
    took = []
    for _ in range(times):
        start = time.perf_counter()
        call()
        took.append(time.perf_counter() - start)
    return took


# --- round trips -----------------------------------------------------------------------------


def test_a_round_trip_over_http_shares_the_fakes_state(fake: FakeSES, client: SESV2Client) -> None:
    assert fake.endpoint_url is not None
    assert fake.endpoint_url.startswith("http://127.0.0.1:")
    client.create_email_identity(EmailIdentity="alice@example.org")
    assert fake.identity_state("alice@example.org").verification_status == "PENDING"
    message_id = _send(client, "bob@example.org")
    assert fake.outbox[0].message_id == message_id
    assert fake.deliveries("bob@example.org") == 1
    # The in-process client sees what the HTTP one did.
    identities = fake.client().list_email_identities()["EmailIdentities"]
    assert "alice@example.org" in {item["IdentityName"] for item in identities}


def test_errors_travel_with_their_codes_and_statuses(client: SESV2Client) -> None:
    with pytest.raises(ClientError) as caught:
        client.get_email_identity(EmailIdentity="nobody@example.org")
    assert caught.value.response["Error"]["Code"] == "NotFoundException"
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_a_bulk_send_over_http(fake: FakeSES, client: SESV2Client) -> None:
    answer = client.send_bulk_email(
        FromEmailAddress="news@example.com",
        DefaultContent={"Template": {"TemplateContent": {"Subject": "Hi {{n}}", "Text": "x"}}},
        BulkEmailEntries=[
            {
                "Destination": {"ToAddresses": [f"u{i}@example.org"]},
                "ReplacementEmailContent": {
                    "ReplacementTemplate": {"ReplacementTemplateData": f'{{"n": {i}}}'}
                },
            }
            for i in range(50)
        ],
    )
    assert {entry["Status"] for entry in answer["BulkEmailEntryResults"]} == {"SUCCESS"}
    assert [message.subject for message in fake.outbox[:3]] == ["Hi 0", "Hi 1", "Hi 2"]


def test_the_rate_is_enforced_over_http(fake: FakeSES, client: SESV2Client) -> None:
    fake.account.max_send_rate = 2
    _send(client, "a@example.org", "b@example.org")
    with pytest.raises(ClientError) as caught:
        _send(client, "c@example.org")
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 429
    assert caught.value.response["Error"]["Message"] == "Maximum sending rate exceeded."
    assert fake.throttled_calls == 1


def test_an_unimplemented_operation_is_a_501(client: SESV2Client) -> None:
    with pytest.raises(ClientError) as caught:
        client.list_import_jobs()
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 501
    assert "ListImportJobs" in caught.value.response["Error"]["Message"]


def test_many_threads_share_one_client(fake: FakeSES, client: SESV2Client) -> None:
    errors: list[BaseException] = []

    def work(worker: int) -> None:
        try:
            for i in range(10):
                _send(client, f"w{worker}-{i}@example.org")
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    counts = fake.delivery_counts()
    assert len(counts) == 160
    assert set(counts.values()) == {1}


# --- latency and keep-alive ------------------------------------------------------------------


def test_latency_is_added_to_every_round_trip() -> None:
    with FakeSES() as slow, FakeSES() as quick:
        slow.serve(latency=0.06)
        quick.serve()
        with (
            closing(slow.http_client()) as slow_client,
            closing(quick.http_client()) as quick_client,
        ):
            slow_client.get_account()  # the first call also opens the connection
            quick_client.get_account()
            slow_times = _timed(slow_client.get_account, 5)
            quick_times = _timed(quick_client.get_account, 5)
    assert min(slow_times) >= 0.058
    assert statistics.median(quick_times) < 0.04


def test_jitter_spreads_the_latency() -> None:
    with FakeSES() as fake:
        fake.serve(latency=0.04, jitter=0.03)
        with closing(fake.http_client()) as client:
            client.get_account()
            times = _timed(client.get_account, 12)
    assert min(times) >= 0.009
    assert max(times) - min(times) > 0.01


def test_connections_are_kept_alive(fake: FakeSES) -> None:
    url = fake.serve()
    parts = urlsplit(url)
    assert parts.hostname is not None
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=5)
    try:
        socks = []
        for _ in range(3):
            connection.request("GET", "/v2/email/account")
            response = connection.getresponse()
            body = json.loads(response.read())
            assert response.status == 200
            assert response.version == 11
            assert not response.will_close
            assert "SendQuota" in body
            socks.append(connection.sock)
        assert socks[0] is not None
        assert socks[0] is socks[1] is socks[2]
    finally:
        connection.close()
    assert fake.call_count("GetAccount") == 3


def test_a_client_that_resets_mid_request_is_not_reported(
    fake: FakeSES, capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The server thread's own signal that it is done with the reset connection: its
    # handle_error has returned (having printed a traceback, or not).
    handled: queue.Queue[BaseException | None] = queue.Queue()
    original = _Server.handle_error

    def handle_error(server: _Server, request: Any, client_address: Any) -> None:
        error = sys.exc_info()[1]
        try:
            original(server, request, client_address)
        finally:
            handled.put(error)

    monkeypatch.setattr(_Server, "handle_error", handle_error)
    parts = urlsplit(fake.serve())
    assert parts.hostname is not None
    raw = socket.create_connection((parts.hostname, parts.port), 5)
    raw.sendall(b"GET /v2/email/account HTTP/1.1\r\nHost: fake\r\n")  # headers unfinished
    raw.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    raw.close()  # with a zero linger: a reset, as when a client process is killed
    assert isinstance(handled.get(timeout=10), ConnectionResetError)
    assert "Traceback" not in capfd.readouterr().err
    with closing(fake.http_client()) as client:
        assert client.get_account()["SendingEnabled"]  # the server carries on
    assert fake.call_count("GetAccount") == 1  # the reset request was never answered
    assert handled.empty()
    assert "Traceback" not in capfd.readouterr().err


# --- faults over HTTP ------------------------------------------------------------------------


def test_drop_after_over_http_closes_unanswered_after_sending(
    fake: FakeSES, client: SESV2Client
) -> None:
    fake.inject_faults(drop_after=1.0)
    with pytest.raises(ConnectionClosedError):
        _send(client, "lost@example.org")
    assert fake.deliveries("lost@example.org") == 1
    fake.clear_faults()
    _send(client, "next@example.org")  # the client reconnects by itself


def test_drop_before_over_http_closes_unanswered_without_sending(
    fake: FakeSES, client: SESV2Client
) -> None:
    fake.inject_faults(drop_before=1.0)
    with pytest.raises(ConnectionClosedError):
        _send(client, "never@example.org")
    assert fake.deliveries("never@example.org") == 0
    assert fake.call_count("SendEmail") == 0


def test_injected_throttles_over_http(fake: FakeSES, client: SESV2Client) -> None:
    fake.inject_faults(throttle=1.0)
    with pytest.raises(ClientError) as caught:
        _send(client, "a@example.org")
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 429


# --- the summary endpoints -------------------------------------------------------------------


def test_the_stats_endpoint(fake: FakeSES, client: SESV2Client) -> None:
    fake.account.max_send_rate = 3
    _send(client, "a@example.org", "b@example.org")
    with pytest.raises(ClientError):
        _send(client, "c@example.org", "d@example.org")
    stats = _get_json(f"{fake.endpoint_url}/_sesflow/stats")
    assert stats["calls"] == {"SendEmail": 2}
    assert stats["throttled_calls"] == 1
    assert stats["peak_recipients_per_second"] == 2
    assert stats["messages_accepted"] == 1
    assert stats["recipients_accepted"] == 2
    assert stats == fake.stats().to_json()


def test_the_outbox_endpoint(fake: FakeSES, client: SESV2Client) -> None:
    _send(client, "a@example.org", "b@example.org")
    _send(client, "a@example.org")
    outbox = _get_json(f"{fake.endpoint_url}/_sesflow/outbox")
    assert outbox["count"] == 2
    assert outbox["recipients"] == 3
    assert outbox["per_recipient"] == {"a@example.org": 2, "b@example.org": 1}
    assert [size for _, size in outbox["arrivals"]] == [2, 1]
    assert outbox["arrivals"][0][0] <= outbox["arrivals"][1][0] <= time.monotonic()
    lean = _get_json(f"{fake.endpoint_url}/_sesflow/outbox?per_recipient=0")
    assert "per_recipient" not in lean
    assert lean["count"] == 2


def test_the_summary_endpoints_refuse_other_paths_and_methods(fake: FakeSES) -> None:
    url = fake.serve()
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(f"{url}/_sesflow/nothing", timeout=5)
    caught.value.close()  # an HTTPError holds the response and its socket
    assert caught.value.code == 404
    post = urllib.request.Request(f"{url}/_sesflow/stats", data=b"{}", method="POST")
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(post, timeout=5)
    caught.value.close()
    assert caught.value.code == 405


# --- binding and lifecycle -------------------------------------------------------------------


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.10", "::", "example.com", ""])
def test_only_loopback_addresses_are_served(host: str) -> None:
    with pytest.raises(ValueError, match="loopback"):
        FakeSES().serve(host=host)


def test_localhost_is_served_on_ipv4() -> None:
    with FakeSES() as fake:
        url = fake.serve(host="localhost")
        assert url.startswith("http://127.0.0.1:")
        with closing(fake.http_client()) as client:
            assert client.get_account()["SendingEnabled"]


def test_ipv6_loopback_is_served() -> None:
    if not socket.has_ipv6:
        pytest.skip("no IPv6 here")
    with FakeSES() as fake:
        try:
            url = fake.serve(host="::1")
        except OSError:
            pytest.skip("cannot bind ::1 here")
        assert url.startswith("http://[::1]:")
        with closing(fake.http_client()) as client:
            assert client.get_account()["SendingEnabled"]


def test_a_virtual_clock_cannot_be_served() -> None:
    with pytest.raises(ValueError, match="real time"):
        FakeSES(clock=FakeClock()).serve()


@pytest.mark.parametrize("options", [{"latency": -1.0}, {"jitter": float("inf")}])
def test_bad_latencies_are_refused(options: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="non-negative"):
        FakeSES().serve(**options)


def test_serving_twice_is_an_error(fake: FakeSES) -> None:
    url = fake.serve()
    with pytest.raises(RuntimeError, match=url):
        fake.serve()


def test_an_http_client_needs_a_server() -> None:
    with pytest.raises(RuntimeError, match="serve"):
        FakeSES().http_client()


def test_the_http_client_is_configured_for_many_threads(client: SESV2Client) -> None:
    config: Any = client.meta.config  # botocore sets its options as dynamic attributes
    assert config.max_pool_connections >= 64
    assert config.retries is not None
    assert config.retries["total_max_attempts"] == 1


def test_stop_closes_the_server_and_open_connections(fake: FakeSES, client: SESV2Client) -> None:
    client.get_account()  # leaves a kept-alive connection open
    fake.stop()
    assert fake.endpoint_url is None
    with pytest.raises((EndpointConnectionError, ConnectionClosedError)):
        client.get_account()
    fake.stop()  # a second stop is harmless
    assert fake.serve().startswith("http://")  # and it can serve again


def test_leaving_the_with_block_stops_serving() -> None:
    with FakeSES() as fake:
        url = fake.serve()
        assert f"serving={url!r}" in repr(fake)
    assert fake.endpoint_url is None
    parts = urlsplit(url)
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection((parts.hostname, parts.port), 1).close()
