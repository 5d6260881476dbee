"""Multi-region endpoints: lifecycle and waiter on FakeSES, sends through an endpoint id, SigV4a
on the wire (botocore's CRT extra), the clear error and no request without it; exact requests
pinned with Stubber."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import boto3
import botocore.compat
import pytest
from botocore.awsrequest import AWSPreparedRequest, AWSResponse
from botocore.compat import HTTPHeaders
from botocore.stub import ANY, Stubber

import sesflow
from conftest import CHILD_ENV, unavailable
from sesflow import EndpointStatus, MultiRegionEndpoint
from sesflow.events import MissingExtraError
from sesflow.testing import FakeClock, FakeSES

SRC = str(Path(__file__).resolve().parent.parent / "src")


@pytest.fixture
def crt() -> None:
    """botocore signs SigV4a only with awscrt: skip without it, except under CI=true."""
    if importlib.util.find_spec("awscrt") is None:
        reason = 'awscrt is not installed (pip install "sesflow[crt]"): SigV4a cannot be tested'
    elif botocore.compat.HAS_CRT:
        return
    else:
        reason = "botocore does not use awscrt here (BOTO_DISABLE_CRT): SigV4a cannot be tested"
    unavailable(reason)


def test_lifecycle_and_waiter(ses: sesflow.SES, fake: FakeSES, clock: FakeClock) -> None:
    endpoint = ses.multi_region_endpoint("global")
    assert not endpoint.exists()
    assert endpoint.create(secondary_region="eu-west-1", tags={"team": "mail"}) is endpoint
    assert endpoint.status.value == "CREATING"
    assert endpoint.regions == ("us-east-1", "eu-west-1")
    assert endpoint.endpoint_id == fake.endpoint_state("global").endpoint_id
    endpoint.create(secondary_region="eu-central-1")  # idempotent: kept as it was
    assert ses.multi_region_endpoint("global").regions == ("us-east-1", "eu-west-1")
    assert endpoint.wait_until_ready(poll_interval=10) is endpoint
    assert endpoint.status is EndpointStatus.READY
    assert clock.sleeps == [10.0, 20.0, 40.0]  # READY a minute after it was created
    assert endpoint.created is not None
    assert fake.endpoint_state("global").tags == ({"Key": "team", "Value": "mail"},)
    endpoint.delete()
    endpoint.delete()  # idempotent
    assert not endpoint.exists()


def test_a_failed_endpoint_fails_the_waiter_at_once(
    ses: sesflow.SES, fake: FakeSES, clock: FakeClock
) -> None:
    endpoint = ses.multi_region_endpoint("global").create(secondary_region="eu-west-1")
    fake.set_endpoint_status("global", "FAILED")
    with pytest.raises(sesflow.VerificationFailedError) as caught:
        endpoint.wait_until_ready()
    assert (caught.value.identity, caught.value.check, caught.value.status) == (
        "global",
        "multi_region_endpoint",
        "FAILED",
    )
    assert clock.sleeps == []


def test_the_waiter_times_out_with_the_last_status(
    ses: sesflow.SES, fake: FakeSES, clock: FakeClock
) -> None:
    endpoint = ses.multi_region_endpoint("global").create(secondary_region="eu-west-1")
    with pytest.raises(sesflow.WaiterTimeoutError) as caught:
        endpoint.wait_until_ready(timeout=30, poll_interval=10)
    assert caught.value.last_status == "CREATING"
    assert clock() <= 30


def test_listing_pages(ses: sesflow.SES, fake: FakeSES) -> None:
    for i, region in enumerate(("eu-west-1", "eu-central-1", "ap-south-1")):
        ses.multi_region_endpoint(f"global-{i}").create(secondary_region=region)
    listed = list(ses.multi_region_endpoints(page_size=2))
    assert [(e.name, e.regions[1]) for e in listed] == [
        ("global-0", "eu-west-1"),
        ("global-1", "eu-central-1"),
        ("global-2", "ap-south-1"),
    ]
    assert fake.call_count("ListMultiRegionEndpoints") == 2
    before = len(fake.calls)
    assert listed[0].status is EndpointStatus.CREATING  # from the listing, no other call
    assert len(fake.calls) == before


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda ses: ses.multi_region_endpoint("bad name"), "name"),
        (lambda ses: ses.multi_region_endpoint("g").create(secondary_region="us-east-1"),
         "secondary_region"),
        (lambda ses: ses.multi_region_endpoint("g").create(secondary_region="Europe"),
         "secondary_region"),
        (lambda ses: ses.multi_region_endpoint("g").create(secondary_region="eu-west-1",
                                                           tags=["x"]), "tags"),
        (lambda ses: ses.sender("news@example.com", endpoint_id="not an id"), "endpoint_id"),
        (lambda ses: ses.sender("news@example.com", endpoint_id="-bad.label"), "endpoint_id"),
        (lambda ses: ses.sender("news@example.com", endpoint_id=42), "endpoint_id"),
    ],
)  # fmt: skip
def test_bad_input_is_refused_before_any_call(
    ses: sesflow.SES, fake: FakeSES, call: Any, field: str
) -> None:
    with pytest.raises(sesflow.ValidationError) as caught:
        call(ses)
    assert caught.value.field == field
    assert fake.calls == []


def test_sends_through_a_ready_endpoint(
    crt: None, ses: sesflow.SES, fake: FakeSES, clock: FakeClock
) -> None:
    fake.verify("news@example.com")
    ses.template("welcome").create("Hi", text="Yo")
    endpoint = ses.multi_region_endpoint("global").create(secondary_region="eu-west-1")
    sender = ses.sender("news@example.com", endpoint_id=endpoint.endpoint_id)
    assert sender.endpoint_id == endpoint.endpoint_id
    with pytest.raises(sesflow.BadRequestError, match="CREATING, not READY"):
        sender.send("bob@example.com", "Hi", text="Yo")
    endpoint.wait_until_ready()
    sender.send("bob@example.com", "Hi", text="Yo")
    assert fake.calls[-1].params["EndpointId"] == endpoint.endpoint_id
    assert sender.send_bulk(["ann@example.com"], "welcome", concurrency=1).sent == 1
    assert fake.calls[-1].operation == "SendBulkEmail"
    assert fake.calls[-1].params["EndpointId"] == endpoint.endpoint_id
    endpoint.delete()
    with pytest.raises(sesflow.NotFoundError, match="No multi-region endpoint has the id"):
        sender.send("bob@example.com", "Hi", text="Yo")


def test_without_the_crt_extra_an_endpoint_id_is_refused_before_any_call(
    ses: sesflow.SES, fake: FakeSES, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(botocore.compat, "HAS_CRT", False)
    with pytest.raises(MissingExtraError, match=r'pip install "sesflow\[crt\]"') as caught:
        ses.sender("news@example.com", endpoint_id="abcd1234.wxyz")
    assert isinstance(caught.value, ImportError)
    assert isinstance(caught.value, sesflow.SesflowError)
    assert fake.calls == []
    # Without an endpoint id nothing needs SigV4a.
    assert ses.sender("news@example.com").endpoint_id is None


class _Recorder(FakeSES):
    """A served fake that also keeps the headers of every request, as they came over HTTP."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.headers: list[dict[str, str]] = []

    def dispatch(
        self, method: str, path: str, headers: Mapping[str, str], body: bytes
    ) -> tuple[int, dict[str, str], bytes]:
        self.headers.append({key.lower(): value for key, value in headers.items()})
        return super().dispatch(method, path, headers, body)


@pytest.fixture
def served() -> Iterator[_Recorder]:
    with _Recorder() as fake:  # real time: it is served
        fake.verify("news@example.com")
        fake.serve()
        yield fake


def test_sigv4a_on_the_wire_with_the_crt_extra(crt: None, served: _Recorder) -> None:
    assert served.endpoint_url is not None
    ses = sesflow.SES("us-east-1", endpoint_url=served.endpoint_url)
    endpoint = ses.multi_region_endpoint("global").create(secondary_region="eu-west-1")
    served.set_endpoint_status("global", "READY")
    ses.sender("news@example.com").send("bob@example.com", "Hi", text="Yo")
    plain = served.headers[-1]
    assert plain["authorization"].startswith("AWS4-HMAC-SHA256 ")
    ses.template("welcome").create("Hi", text="Yo")
    sender = ses.sender("news@example.com", endpoint_id=endpoint.endpoint_id)
    sender.send("bob@example.com", "Hi", text="Yo")
    signed = served.headers[-1]
    # SigV4a: ECDSA P-256, the signing name "ses", and every region.
    assert signed["authorization"].startswith("AWS4-ECDSA-P256-SHA256 Credential=testing/")
    assert "/ses/aws4_request" in signed["authorization"]
    assert signed["x-amz-region-set"] == "*"
    assert served.calls[-1].params["EndpointId"] == endpoint.endpoint_id
    assert sender.send_bulk(["ann@example.com"], "welcome", concurrency=1).sent == 1
    assert served.calls[-1].operation == "SendBulkEmail"
    assert served.headers[-1]["authorization"].startswith("AWS4-ECDSA-P256-SHA256 ")
    ses.close()


def test_without_the_crt_extra_no_request_leaves(served: _Recorder) -> None:
    """A process whose botocore has no CRT (BOTO_DISABLE_CRT): the clear error, no request."""
    script = (
        "import sesflow, sys\n"
        f"ses = sesflow.SES('us-east-1', endpoint_url={served.endpoint_url!r})\n"
        "try:\n"
        "    ses.sender('news@example.com', endpoint_id='abcd1234.wxyz')\n"
        "except ImportError as exc:\n"
        "    print(type(exc).__name__, '|', exc)\n"
        "else:\n"
        "    print('no error')\n"
        "sender = ses.sender('news@example.com')\n"
        "sender.send('bob@example.com', 'Hi', text='Yo')\n"
        "print('sent without an endpoint')\n"
    )
    env = {**CHILD_ENV, "BOTO_DISABLE_CRT": "true", "PYTHONPATH": SRC}
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    error, _, rest = done.stdout.partition("\n")
    assert error.startswith("MissingExtraError | endpoint_id: sending through a multi-region")
    assert 'pip install "sesflow[crt]"' in error
    assert rest.strip() == "sent without an endpoint"
    # The limiter's one GetAccount, then the send without an endpoint: nothing else left.
    assert [call.operation for call in served.calls] == ["GetAccount", "SendEmail"]
    assert "EndpointId" not in served.calls[0].params


class _OwnRate:
    """A `sesflow.Limiter` with its own rate that lets every send go at once."""

    rate = 14.0

    def acquire(self, count: int, *, cancel: Callable[[], bool] | None = None) -> bool:
        return True

    def throttled(self) -> None:
        pass

    def succeeded(self) -> None:
        pass


def test_botocore_sends_an_endpoint_id_to_the_global_host(crt: None) -> None:
    """Without endpoint_url, the request goes to https://<id>.endpoints.email.amazonaws.com."""
    client = boto3.client("sesv2", region_name="eu-west-1")
    seen: list[AWSPreparedRequest] = []

    def answer(request: AWSPreparedRequest, **_: Any) -> AWSResponse:
        seen.append(request)
        body = json.dumps({"MessageId": "m-1"}).encode()
        headers = HTTPHeaders.from_dict({"Content-Type": "application/json"})
        return AWSResponse(request.url, 200, headers, _Raw(body))

    client.meta.events.register_first("before-send.sesv2.SendEmail", answer)  # type: ignore[arg-type]
    ses = sesflow.SES(client=client, limiter=_OwnRate())  # no GetAccount to answer
    ses.sender("news@example.com", endpoint_id="abcd1234.wxyz").send(
        "bob@example.com", "Hi", text="Yo"
    )
    [request] = seen
    assert (
        request.url
        == "https://abcd1234.wxyz.endpoints.email.amazonaws.com/v2/email/outbound-emails"
    )
    authorization = request.headers["Authorization"]
    text = authorization.decode() if isinstance(authorization, bytes) else authorization
    assert text.startswith("AWS4-ECDSA-P256-SHA256 ")


class _Raw:
    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self._body


@pytest.fixture
def stubbed(clock: FakeClock) -> Iterator[tuple[sesflow.SES, Stubber]]:
    client = boto3.client("sesv2", region_name="us-east-1")
    with Stubber(client) as stub:
        yield sesflow.SES(client=client, sleep=clock.sleep, clock=clock), stub
        stub.assert_no_pending_responses()


def test_exact_requests_for_each_verb(stubbed: tuple[sesflow.SES, Stubber]) -> None:
    ses, stub = stubbed
    name = {"EndpointName": "global"}
    stub.add_response(
        "create_multi_region_endpoint",
        {"Status": "CREATING", "EndpointId": "abcd1234.wxyz"},
        {
            **name,
            "Details": {"RoutesDetails": [{"Region": "eu-west-1"}]},
            "Tags": [{"Key": "team", "Value": "mail"}],
        },
    )
    ready = {**name, "EndpointId": "abcd1234.wxyz", "Status": "READY",
             "Routes": [{"Region": "us-east-1"}, {"Region": "eu-west-1"}]}  # fmt: skip
    stub.add_response("get_multi_region_endpoint", ready, name)
    summary = {**name, "EndpointId": "abcd1234.wxyz", "Status": "READY",
               "Regions": ["us-east-1", "eu-west-1"]}  # fmt: skip
    stub.add_response(
        "list_multi_region_endpoints", {"MultiRegionEndpoints": [summary]}, {"PageSize": 100}
    )
    stub.add_response("delete_multi_region_endpoint", {"Status": "DELETING"}, name)
    endpoint = ses.multi_region_endpoint("global")
    endpoint.create(secondary_region="eu-west-1", tags={"team": "mail"})
    assert endpoint.wait_until_ready() is endpoint
    assert [e.name for e in ses.multi_region_endpoints()] == ["global"]
    endpoint.delete()


def test_exact_send_requests_with_an_endpoint_id(
    crt: None, stubbed: tuple[sesflow.SES, Stubber]
) -> None:
    ses, stub = stubbed
    stub.add_response(  # the SES's limiter reads MaxSendRate once, before the first send
        "get_account",
        {"SendQuota": {"Max24HourSend": 1000, "MaxSendRate": 10, "SentLast24Hours": 0}},
        {},
    )
    stub.add_response(
        "send_email",
        {"MessageId": "m-1"},
        {
            "FromEmailAddress": "news@example.com",
            "TenantName": "acme",
            "EndpointId": "abcd1234.wxyz",
            "Destination": {"ToAddresses": ["bob@example.com"]},
            "Content": ANY,
        },
    )
    stub.add_response(
        "get_account",
        {
            "SendQuota": {"Max24HourSend": 1000, "MaxSendRate": 2, "SentLast24Hours": 0},
            "ProductionAccessEnabled": True,
        },
        {},
    )
    stub.add_response(
        "send_bulk_email",
        {"BulkEmailEntryResults": [{"Status": "SUCCESS", "MessageId": "m-2"}]},
        {
            "FromEmailAddress": "news@example.com",
            "TenantName": "acme",
            "EndpointId": "abcd1234.wxyz",
            "DefaultContent": {"Template": {"TemplateName": "welcome", "TemplateData": "{}"}},
            "BulkEmailEntries": [{"Destination": {"ToAddresses": ["a@example.com"]}}],
        },
    )
    sender = ses.sender("news@example.com", tenant="acme", endpoint_id="abcd1234.wxyz")
    assert sender.send("bob@example.com", "Hi", text="Yo").message_id == "m-1"
    assert sender.send_bulk(["a@example.com"], "welcome", concurrency=1).sent == 1


def test_an_endpoint_is_a_named_resource(ses: sesflow.SES) -> None:
    assert ses.multi_region_endpoint("global") == MultiRegionEndpoint(ses, "global")
    assert repr(ses.multi_region_endpoint("global")) == "MultiRegionEndpoint('global')"
