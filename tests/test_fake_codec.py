"""The REST-JSON codec and the FakeSES transport: hook, dispatch, call log and faults.

The codec is checked against botocore itself: requests made by botocore's own serialiser must
decode to the parameters given, and responses the codec encodes must parse back to the result.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
import socket
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

import botocore.parsers
import botocore.serialize
import pytest
from botocore.awsrequest import HeadersDict
from botocore.config import Config
from botocore.exceptions import ClientError, ParamValidationError
from botocore.model import OperationModel, ServiceModel
from botocore.utils import percent_encode_sequence
from hypothesis import given, settings
from hypothesis import strategies as st
from moto import mock_aws

from sesflow.testing import FakeCall, FakeClock, FakeError, FakeSES
from sesflow.testing._codec import (
    RequestDecodeError,
    RouteNotFoundError,
    decode_request,
    encode_error,
    encode_response,
)
from sesflow.testing._fake import operation, sesv2_model

if TYPE_CHECKING:
    from types_boto3_sesv2 import SESV2Client

UTC = dt.UTC

# A small REST-JSON service exercising every binding the codec supports, so the codec is tested
# beyond what SES v2 happens to use (greedy labels, headers, payloads, querystring maps).
_THINGS: dict[str, Any] = {
    "version": "2.0",
    "metadata": {
        "apiVersion": "2020-01-01",
        "endpointPrefix": "things",
        "protocol": "rest-json",
        "serviceId": "Things",
        "signatureVersion": "v4",
        "jsonVersion": "1.1",
        "uid": "things-2020-01-01",
    },
    "operations": {
        "GetThing": {
            "name": "GetThing",
            "http": {"method": "GET", "requestUri": "/things/{Id}"},
            "input": {"shape": "IdInput"},
            "output": {"shape": "ThingOutput"},
        },
        "GetSpecialThing": {
            "name": "GetSpecialThing",
            "http": {"method": "GET", "requestUri": "/things/special"},
            "output": {"shape": "ThingOutput"},
        },
        "DeleteThing": {
            "name": "DeleteThing",
            "http": {"method": "DELETE", "requestUri": "/things/{Id}", "responseCode": 204},
            "input": {"shape": "IdInput"},
        },
        "GetFile": {
            "name": "GetFile",
            "http": {"method": "GET", "requestUri": "/files/{Key+}"},
            "input": {"shape": "FileInput"},
        },
        "PutThing": {
            "name": "PutThing",
            "http": {"method": "PUT", "requestUri": "/things/{Id}"},
            "input": {"shape": "PutThingInput"},
            "output": {"shape": "ThingOutput"},
        },
        "Upload": {
            "name": "Upload",
            "http": {"method": "POST", "requestUri": "/uploads/{Id}?upload"},
            "input": {"shape": "UploadInput"},
        },
    },
    "shapes": {
        "String": {"type": "string"},
        "Integer": {"type": "integer"},
        "Long": {"type": "long"},
        "Double": {"type": "double"},
        "Boolean": {"type": "boolean"},
        "Timestamp": {"type": "timestamp"},
        "Blob": {"type": "blob"},
        "StringList": {"type": "list", "member": {"shape": "String"}},
        "IntegerList": {"type": "list", "member": {"shape": "Integer"}},
        "StringMap": {"type": "map", "key": {"shape": "String"}, "value": {"shape": "String"}},
        "Color": {"type": "string", "enum": ["RED", "GREEN"]},
        "IdInput": {
            "type": "structure",
            "required": ["Id"],
            "members": {"Id": {"shape": "String", "location": "uri", "locationName": "Id"}},
        },
        "FileInput": {
            "type": "structure",
            "required": ["Key"],
            "members": {"Key": {"shape": "String", "location": "uri", "locationName": "Key"}},
        },
        "Nested": {
            "type": "structure",
            "members": {
                "Items": {"shape": "IntegerList"},
                "Ratio": {"shape": "Double"},
                "Seen": {"shape": "Timestamp"},
            },
        },
        "PutThingInput": {
            "type": "structure",
            "required": ["Id"],
            "members": {
                "Id": {"shape": "String", "location": "uri", "locationName": "Id"},
                "Count": {"shape": "Integer", "location": "querystring", "locationName": "count"},
                "Flag": {"shape": "Boolean", "location": "querystring", "locationName": "flag"},
                "Tags": {"shape": "StringList", "location": "querystring", "locationName": "tag"},
                "Since": {"shape": "Timestamp", "location": "querystring", "locationName": "since"},
                "Extra": {"shape": "StringMap", "location": "querystring"},
                "Trace": {"shape": "String", "location": "header", "locationName": "X-Trace"},
                "Size": {"shape": "Long", "location": "header", "locationName": "X-Size"},
                "Meta": {"shape": "StringMap", "location": "headers", "locationName": "x-meta-"},
                "Name": {"shape": "String"},
                "Display": {"shape": "String", "locationName": "display_name"},
                "When": {"shape": "Timestamp"},
                "Data": {"shape": "Blob"},
                "Nested": {"shape": "Nested"},
                "Labels": {"shape": "StringMap"},
                "Color": {"shape": "Color"},
            },
        },
        "UploadInput": {
            "type": "structure",
            "required": ["Id"],
            "payload": "Body",
            "members": {
                "Id": {"shape": "String", "location": "uri", "locationName": "Id"},
                "Body": {"shape": "Blob"},
            },
        },
        "ThingOutput": {
            "type": "structure",
            "members": {
                "Etag": {"shape": "String", "location": "header", "locationName": "ETag"},
                "Modified": {
                    "shape": "Timestamp",
                    "location": "header",
                    "locationName": "Last-Modified",
                },
                "Name": {"shape": "String"},
                "Display": {"shape": "String", "locationName": "display_name"},
                "When": {"shape": "Timestamp"},
                "Data": {"shape": "Blob"},
                "Nested": {"shape": "Nested"},
                "Labels": {"shape": "StringMap"},
                "Color": {"shape": "Color"},
                "Count": {"shape": "Integer"},
                "Flag": {"shape": "Boolean"},
            },
        },
    },
}


@pytest.fixture(scope="module")
def things() -> ServiceModel:
    return ServiceModel(_THINGS, service_name="things")


def _request(
    model: ServiceModel, operation_name: str, params: Mapping[str, Any]
) -> tuple[str, str, str, dict[str, str], bytes]:
    """Serialise ``params`` exactly as a botocore client would."""
    op = model.operation_model(operation_name)
    serializer = botocore.serialize.create_serializer("rest-json", include_validation=True)
    request = serializer.serialize_to_request(dict(params), op)
    path, _, static_query = request["url_path"].partition("?")
    query = percent_encode_sequence(request["query_string"])
    query = "&".join(part for part in (static_query, query) if part)
    body = request["body"]
    if isinstance(body, str):
        body = body.encode()
    return request["method"], path, query, dict(request["headers"]), body or b""


def _decode(model: ServiceModel, operation_name: str, params: Mapping[str, Any]) -> Any:
    name, decoded = decode_request(model, *_request(model, operation_name, params))
    assert name == operation_name
    return decoded


def _parse(op: OperationModel, status: int, headers: dict[str, str], body: bytes) -> Any:
    parser = botocore.parsers.create_parser("rest-json")
    response = {"status_code": status, "headers": HeadersDict(headers), "body": body}
    assert op.output_shape is not None
    parsed = parser.parse(response, op.output_shape)
    parsed.pop("ResponseMetadata", None)
    return parsed


# --- routing ---------------------------------------------------------------------------------


def test_routes_by_method_and_template_and_decodes_labels(things: ServiceModel) -> None:
    assert decode_request(things, "GET", "/things/a%2Fb%40c", "", {}, b"") == (
        "GetThing",
        {"Id": "a/b@c"},
    )
    assert decode_request(things, "DELETE", "/things/x", "", {}, b"")[0] == "DeleteThing"


def test_a_literal_template_beats_a_label(things: ServiceModel) -> None:
    assert decode_request(things, "GET", "/things/special", "", {}, b"") == (
        "GetSpecialThing",
        {},
    )
    assert decode_request(things, "GET", "/things/specials", "", {}, b"")[0] == "GetThing"


def test_greedy_label_takes_slashes(things: ServiceModel) -> None:
    params = _decode(things, "GetFile", {"Key": "dir/sub dir/file+1.txt"})
    assert params == {"Key": "dir/sub dir/file+1.txt"}


def test_static_query_in_template_is_required(things: ServiceModel) -> None:
    assert decode_request(things, "POST", "/uploads/u1", "upload", {}, b"") == (
        "Upload",
        {"Id": "u1"},
    )
    with pytest.raises(RouteNotFoundError):
        decode_request(things, "POST", "/uploads/u1", "", {}, b"")


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/nowhere"), ("POST", "/things/x"), ("GET", "/things/"), ("GET", "/things/a/b")],
)
def test_unknown_routes_raise(things: ServiceModel, method: str, path: str) -> None:
    with pytest.raises(RouteNotFoundError):
        decode_request(things, method, path, "", {}, b"")


# --- requests built by botocore decode to the parameters given --------------------------------


def test_every_binding_round_trips(things: ServiceModel) -> None:
    when = dt.datetime(2024, 5, 6, 7, 8, 9, 500000, tzinfo=UTC)
    params = {
        "Id": "thing one",
        "Count": 7,
        "Flag": False,
        "Tags": ["a", "b c", "ü"],
        "Since": dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC),
        "Extra": {"free": "form", "x": "y"},
        "Trace": "trace-1",
        "Size": 2**40,
        "Meta": {"owner": "me"},
        "Name": "n",
        "Display": "shown",
        "When": when,
        "Data": b"\x00\xffbinary",
        "Nested": {"Items": [1, 2, 3], "Ratio": 0.25, "Seen": when},
        "Labels": {"k": "v"},
        "Color": "GREEN",
    }
    # botocore before 1.43 sends whole seconds in JSON bodies; the codec decodes what was sent.
    sent = _decode(things, "PutThing", {"Id": "x", "When": when})["When"]
    assert sent in (when, when.replace(microsecond=0))
    nested: dict[str, Any] = {"Items": [1, 2, 3], "Ratio": 0.25, "Seen": sent}
    expected = {**params, "When": sent, "Nested": nested}
    assert _decode(things, "PutThing", params) == expected


def test_body_timestamps_become_aware_datetimes(things: ServiceModel) -> None:
    params = _decode(things, "PutThing", {"Id": "x", "When": dt.datetime(2030, 1, 1)})
    assert params["When"] == dt.datetime(2030, 1, 1, tzinfo=UTC)
    assert params["When"].tzinfo is not None


def test_payload_blob_is_the_raw_body(things: ServiceModel) -> None:
    assert _decode(things, "Upload", {"Id": "u", "Body": b"\x01\x02raw"}) == {
        "Id": "u",
        "Body": b"\x01\x02raw",
    }


_text = st.text(st.characters(codec="utf-8"), min_size=1, max_size=20)


@settings(max_examples=60, deadline=None)
@given(
    thing_id=_text,
    count=st.integers(-(2**31), 2**31 - 1),
    flag=st.booleans(),
    tags=st.lists(_text, max_size=4),
    data=st.binary(max_size=40),
    items=st.lists(st.integers(-1000, 1000), max_size=5),
    labels=st.dictionaries(_text, _text, max_size=3),
)
def test_round_trip_property(
    things: ServiceModel,
    thing_id: str,
    count: int,
    flag: bool,
    tags: list[str],
    data: bytes,
    items: list[int],
    labels: dict[str, str],
) -> None:
    params: dict[str, Any] = {"Id": thing_id, "Count": count, "Flag": flag, "Data": data}
    if tags:
        params["Tags"] = tags
    params["Nested"] = {"Items": items}
    params["Labels"] = labels
    assert _decode(things, "PutThing", params) == params


def test_sesv2_querystring_paging_is_typed() -> None:
    model = sesv2_model()
    assert _decode(model, "ListEmailTemplates", {"PageSize": 5, "NextToken": "t/+="}) == {
        "PageSize": 5,
        "NextToken": "t/+=",
    }
    start = dt.datetime(2024, 3, 1, 12, 0, tzinfo=UTC)
    assert _decode(
        model,
        "ListSuppressedDestinations",
        {"Reasons": ["BOUNCE", "COMPLAINT"], "StartDate": start, "PageSize": 20},
    ) == {"Reasons": ["BOUNCE", "COMPLAINT"], "StartDate": start, "PageSize": 20}


@pytest.mark.parametrize(
    ("query", "body"),
    [
        ("", b"{not json"),
        ("", b"[1, 2]"),
        ("", b'{"Name": 5}'),
        ("", b'{"Nested": {"Items": ["one"]}}'),
        ("", b'{"Data": "not base64!"}'),
        ("", b'{"When": true}'),
        ("count=seven", b""),
        ("flag=maybe", b""),
        ("since=yesterday", b""),
    ],
)
def test_malformed_requests_raise_decode_errors(
    things: ServiceModel, query: str, body: bytes
) -> None:
    with pytest.raises(RequestDecodeError):
        decode_request(things, "PUT", "/things/x", query, {}, body)


# --- responses encoded here parse back in botocore -------------------------------------------


class _Color(enum.Enum):
    GREEN = "GREEN"


def test_response_round_trips_through_botocores_parser(things: ServiceModel) -> None:
    op = things.operation_model("PutThing")
    when = dt.datetime(2024, 5, 6, 7, 8, 9, 250000, tzinfo=UTC)
    result = {
        "Etag": '"abc"',
        "Modified": dt.datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC),
        "Name": "n",
        "Display": "shown",
        "When": when,
        "Data": b"\x00bytes",
        "Nested": {"Items": [1, 2], "Ratio": 1.5, "Seen": when},
        "Labels": {"a": "b"},
        "Color": _Color.GREEN,
        "Count": 3,
        "Flag": True,
    }
    status, headers, body = encode_response(op, result, request_id="rid-1")
    assert status == 200
    assert headers["x-amzn-RequestId"] == "rid-1"
    assert headers["ETag"] == '"abc"'
    document = json.loads(body)
    assert document["display_name"] == "shown"
    assert document["When"] == when.timestamp()
    assert document["Color"] == "GREEN"
    parsed = _parse(op, status, headers, body)
    assert parsed == {**result, "Color": "GREEN"}
    assert parsed["When"].tzinfo is not None


def test_response_omits_none_and_uses_modeled_status(things: ServiceModel) -> None:
    op = things.operation_model("GetThing")
    _, headers, body = encode_response(op, {"Name": None, "Count": 0})
    assert json.loads(body) == {"Count": 0}
    assert headers["x-amzn-RequestId"]  # always present, generated when not given
    status, _, body = encode_response(things.operation_model("DeleteThing"), {})
    assert (status, body) == (204, b"{}")


@pytest.mark.parametrize(
    ("result", "error"),
    [
        ({"Nme": "typo"}, ValueError),
        ({"Nested": {"Itemz": []}}, ValueError),
        ({"Count": "3"}, TypeError),
        ({"Count": True}, TypeError),
        ({"Flag": "yes"}, TypeError),
        ({"Nested": {"Items": "1,2"}}, TypeError),
        ({"When": "2024-01-01"}, TypeError),
        ({"Name": 5}, TypeError),
    ],
)
def test_bad_results_are_reported_not_sent(
    things: ServiceModel, result: dict[str, Any], error: type[Exception]
) -> None:
    with pytest.raises(error):
        encode_response(things.operation_model("GetThing"), result)


def test_encode_error_is_what_botocore_reads() -> None:
    status, headers, body = encode_error("NotFoundException", "gone", 404, request_id="r")
    assert status == 404
    assert headers["x-amzn-ErrorType"] == "NotFoundException"
    assert json.loads(body) == {"message": "gone"}
    parser = botocore.parsers.create_parser("rest-json")
    op = sesv2_model().operation_model("GetEmailIdentity")
    assert op.output_shape is not None
    parsed = parser.parse(
        {"status_code": status, "headers": HeadersDict(headers), "body": body}, op.output_shape
    )
    assert parsed["Error"] == {"Code": "NotFoundException", "Message": "gone"}
    assert parsed["ResponseMetadata"]["RequestId"] == "r"


# --- the client hook and the dispatcher -------------------------------------------------------


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(start=100.0)


@pytest.fixture
def fake(clock: FakeClock) -> FakeSES:
    return FakeSES(clock=clock, seed=1)


@pytest.fixture
def client(fake: FakeSES) -> SESV2Client:
    return fake.client()


def _error(excinfo: pytest.ExceptionInfo[ClientError]) -> tuple[str, int, str]:
    response = excinfo.value.response
    return (
        response["Error"]["Code"],
        response["ResponseMetadata"]["HTTPStatusCode"],
        response["Error"]["Message"],
    )


def test_client_is_a_real_sesv2_client_without_retries(fake: FakeSES) -> None:
    client = fake.client(region_name="eu-west-1", config=Config(connect_timeout=3))
    assert client.meta.service_model.service_name == "sesv2"
    assert client.meta.region_name == "eu-west-1"
    config: Any = client.meta.config  # the stubs declare none of Config's attributes
    assert config.connect_timeout == 3
    assert config.retries["total_max_attempts"] == 1
    assert fake.client().meta.region_name == "us-east-1"


def test_the_endpoint_can_never_resolve(fake: FakeSES) -> None:
    client = fake.client(region_name="eu-west-1")
    assert client.meta.endpoint_url == "https://email.eu-west-1.fake-ses.invalid"


def test_moto_does_not_answer_in_the_fakes_place(fake: FakeSES) -> None:
    with mock_aws():
        client = fake.client()
        client.create_email_identity(EmailIdentity="example.com")
        # moto implements no PutEmailIdentity* operation: reaching it would raise.
        client.put_email_identity_mail_from_attributes(
            EmailIdentity="example.com", MailFromDomain="mail.example.com"
        )
    attrs = fake.client().get_email_identity(EmailIdentity="example.com")["MailFromAttributes"]
    assert attrs["MailFromDomain"] == "mail.example.com"


def test_no_socket_is_ever_opened(fake: FakeSES, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("FakeSES tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    client = fake.client()
    client.create_email_identity(EmailIdentity="example.com")
    client.get_email_identity(EmailIdentity="example.com")
    client.list_email_identities(PageSize=1)
    with pytest.raises(ClientError):
        client.get_email_identity(EmailIdentity="missing.example.com")
    assert fake.call_count("GetEmailIdentity") == 2


def test_botocore_validation_runs_before_the_fake(fake: FakeSES, client: SESV2Client) -> None:
    with pytest.raises(ParamValidationError):
        client.create_email_identity()  # type: ignore[call-arg]
    with pytest.raises(ParamValidationError):
        client.list_email_identities(PageSize="ten")  # type: ignore[arg-type]
    assert fake.calls == []


def test_implemented_operations_are_listed() -> None:
    names = FakeSES.implemented_operations()
    assert names == sorted(names)
    assert {"CreateEmailIdentity", "GetEmailIdentity", "ListConfigurationSets"} <= set(names)
    assert "ListImportJobs" not in names
    assert "GetAccount" in _WithAccount.implemented_operations()


def test_unhandled_operation_raises_not_implemented(fake: FakeSES, client: SESV2Client) -> None:
    with pytest.raises(NotImplementedError, match="ListImportJobs"):
        client.list_import_jobs()
    assert fake.call_count("ListImportJobs") == 1


def test_unhandled_operation_still_logs_decoded_querystring(
    fake: FakeSES, client: SESV2Client
) -> None:
    start = dt.datetime(2024, 3, 1, tzinfo=UTC)
    end = dt.datetime(2024, 3, 2, tzinfo=UTC)
    with pytest.raises(NotImplementedError, match="GetDomainStatisticsReport"):
        client.get_domain_statistics_report(Domain="example.com", StartDate=start, EndDate=end)
    assert fake.calls[-1].params == {"Domain": "example.com", "StartDate": start, "EndDate": end}


def test_call_log_records_operation_params_and_clock(
    fake: FakeSES, client: SESV2Client, clock: FakeClock
) -> None:
    client.create_email_identity(
        EmailIdentity="alice@example.com", Tags=[{"Key": "k", "Value": "v"}]
    )
    clock.advance(2.5)
    client.get_email_identity(EmailIdentity="alice@example.com")
    assert fake.calls == [
        FakeCall(
            "CreateEmailIdentity",
            {"EmailIdentity": "alice@example.com", "Tags": [{"Key": "k", "Value": "v"}]},
            100.0,
        ),
        FakeCall("GetEmailIdentity", {"EmailIdentity": "alice@example.com"}, 102.5),
    ]
    assert fake.call_count("CreateEmailIdentity") == 1
    assert fake.call_count("DeleteEmailIdentity") == 0
    with pytest.raises(ValueError, match="GetEmailIdentity"):
        fake.call_count("GetEmailIdentty")


def test_logged_params_are_private_copies(fake: FakeSES, client: SESV2Client) -> None:
    client.create_email_identity(EmailIdentity="example.com", Tags=[{"Key": "k", "Value": "v"}])
    fake.calls[0].params["Tags"][0]["Value"] = "tampered"
    fake.calls.clear()
    tags = client.get_email_identity(EmailIdentity="example.com")["Tags"]
    assert tags == [{"Key": "k", "Value": "v"}]
    assert len(fake.calls) == 2


def test_fail_next_uses_the_modeled_status(fake: FakeSES, client: SESV2Client) -> None:
    fake.fail_next("CreateEmailIdentity", "TooManyRequestsException", "Too many requests")
    with pytest.raises(ClientError) as excinfo:
        client.create_email_identity(EmailIdentity="example.com")
    assert _error(excinfo) == ("TooManyRequestsException", 429, "Too many requests")
    # The faulted request changed nothing, and the fault is used up.
    assert client.list_email_identities()["EmailIdentities"] == []
    client.create_email_identity(EmailIdentity="example.com")
    assert fake.call_count("CreateEmailIdentity") == 2


def test_fail_next_times_and_order(fake: FakeSES, client: SESV2Client) -> None:
    client.create_email_identity(EmailIdentity="example.com")
    fake.fail_next("GetEmailIdentity", "InternalServiceErrorException", "boom", times=2)
    fake.fail_next("GetEmailIdentity", "Throttling", "slow down", status=400)
    seen = []
    for _ in range(3):
        with pytest.raises(ClientError) as excinfo:
            client.get_email_identity(EmailIdentity="example.com")
        seen.append(_error(excinfo))
    assert seen == [
        ("InternalServiceErrorException", 500, "boom"),
        ("InternalServiceErrorException", 500, "boom"),
        ("Throttling", 400, "slow down"),
    ]
    assert client.get_email_identity(EmailIdentity="example.com")["IdentityType"] == "DOMAIN"
    # Faults are per operation: other operations were never affected.
    assert client.list_email_identities()["EmailIdentities"][0]["IdentityName"] == "example.com"


def test_fail_next_rejects_typos_and_bad_counts(fake: FakeSES) -> None:
    with pytest.raises(ValueError, match="did you mean 'SendEmail'"):
        fake.fail_next("SendEmails", "X", "y")
    with pytest.raises(ValueError, match="times"):
        fake.fail_next("SendEmail", "X", "y", times=0)


def test_fake_error_status_defaults_to_the_model() -> None:
    assert FakeError("NotFoundException", "m").status == 404
    assert FakeError("ConflictException", "m").status == 409
    assert FakeError("SomethingUnmodeled", "m").status == 400
    assert FakeError("NotFoundException", "m", status=410).status == 410
    assert repr(FakeError("BadRequestException", "no")) == (
        "FakeError('BadRequestException', 'no', status=400)"
    )


def test_reset_forgets_state_calls_and_faults(fake: FakeSES, client: SESV2Client) -> None:
    client.create_email_identity(EmailIdentity="example.com")
    client.create_configuration_set(ConfigurationSetName="cs")
    fake.fail_next("ListEmailIdentities", "TooManyRequestsException", "slow")
    fake.reset()
    assert fake.calls == []
    assert client.list_email_identities()["EmailIdentities"] == []
    assert client.list_configuration_sets()["ConfigurationSets"] == []


def test_dispatch_is_the_http_entry_point(fake: FakeSES) -> None:
    status, headers, body = fake.dispatch(
        "POST",
        "/v2/email/identities",
        {"Content-Type": "application/json"},
        b'{"EmailIdentity": "bob@example.com"}',
    )
    assert status == 200
    assert headers["Content-Type"] == "application/json"
    assert json.loads(body)["IdentityType"] == "EMAIL_ADDRESS"
    status, _, body = fake.dispatch("GET", "/v2/email/identities/bob%40example.com", {}, b"")
    assert (status, json.loads(body)["VerificationStatus"]) == (200, "PENDING")
    status, headers, _ = fake.dispatch("GET", "/v2/email/identities/nobody%40x.com", {}, b"")
    assert (status, headers["x-amzn-ErrorType"]) == (404, "NotFoundException")


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "code"),
    [
        ("GET", "/v2/nowhere", b"", 404, "UnknownOperationException"),
        ("PATCH", "/v2/email/identities", b"", 404, "UnknownOperationException"),
        ("POST", "/v2/email/identities", b"{oops", 400, "SerializationException"),
        ("POST", "/v2/email/list-identities", b'{"PageSize": "x"}', 400, "SerializationException"),
    ],
)
def test_dispatch_answers_bad_requests_with_errors(
    fake: FakeSES, method: str, path: str, body: bytes, status: int, code: str
) -> None:
    got_status, headers, _ = fake.dispatch(method, path, {}, body)
    assert (got_status, headers["x-amzn-ErrorType"]) == (status, code)
    assert fake.calls == []


def test_concurrent_clients_smoke(fake: FakeSES) -> None:
    client = fake.client()

    def work(worker: int) -> None:
        for i in range(25):
            name = f"user{i}@w{worker}.example.com"
            client.create_email_identity(EmailIdentity=name)
            client.get_email_identity(EmailIdentity=name)

    with ThreadPoolExecutor(max_workers=8) as pool:
        for future in [pool.submit(work, worker) for worker in range(8)]:
            future.result()  # re-raises anything a worker hit
    assert fake.call_count("CreateEmailIdentity") == 200
    assert fake.call_count("GetEmailIdentity") == 200
    listed = client.list_email_identities(PageSize=1000)["EmailIdentities"]
    names = [item["IdentityName"] for item in listed]
    assert len(names) == len(set(names)) == 200


def test_repr_summarises_state(fake: FakeSES, client: SESV2Client) -> None:
    client.create_email_identity(EmailIdentity="example.com")
    assert repr(fake) == (
        "FakeSES(region='us-east-1', account_id='123456789012', configuration_sets=0, "
        "identities=1, sandbox=False, max_send_rate=14, max_24_hour_send=50000, templates=0, "
        "outbox=0, calls=1)"
    )


def test_constructor_validates_account_and_region() -> None:
    with pytest.raises(ValueError, match="account_id"):
        FakeSES(account_id="12345")
    with pytest.raises(ValueError, match="region"):
        FakeSES(region="")


# --- extending the fake with a mixin ---------------------------------------------------------


class _WithAccount(FakeSES):
    @operation("GetAccount")
    def _get_account(self, params: Mapping[str, Any]) -> dict[str, Any]:
        if self.account_id.startswith("0"):
            raise FakeError("AccountSuspendedException", "suspended")
        return {"ProductionAccessEnabled": True, "SendQuota": {"Max24HourSend": 200.0}}


def test_a_mixin_adds_an_operation() -> None:
    client = _WithAccount().client()
    account = client.get_account()
    assert account["ProductionAccessEnabled"] is True
    assert account["SendQuota"]["Max24HourSend"] == 200.0
    # The base class is untouched.
    assert FakeSES().client().get_account()["SendQuota"]["Max24HourSend"] == 50_000.0


def test_fake_errors_from_handlers_become_client_errors() -> None:
    client = _WithAccount(account_id="012345678901").client()
    with pytest.raises(ClientError) as excinfo:
        client.get_account()
    assert _error(excinfo) == ("AccountSuspendedException", 400, "suspended")


def test_handler_registration_is_checked() -> None:
    with pytest.raises(TypeError, match="not SES v2 operations"):

        class _Typo(FakeSES):
            @operation("GetAcount")
            def _x(self, params: Mapping[str, Any]) -> None: ...

    with pytest.raises(TypeError, match="both"):

        class _Twice(FakeSES):
            @operation("GetAccount")
            def _a(self, params: Mapping[str, Any]) -> None: ...

            @operation("GetAccount")
            def _b(self, params: Mapping[str, Any]) -> None: ...
