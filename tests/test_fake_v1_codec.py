"""The AWS Query codec of SES v1, checked against botocore itself (white-box).

Requests made by botocore's own `query` serialiser must decode to the parameters given, and the
XML the codec writes must parse back, through botocore's `query` parser, to the result.
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from typing import Any
from urllib.parse import urlencode

import botocore.parsers
import botocore.serialize
import pytest
from botocore.model import ServiceModel
from hypothesis import given, settings
from hypothesis import strategies as st

from sesflow.testing._v1 import implemented_actions
from sesflow.testing._v1_codec import (
    QueryError,
    decode_query,
    encode_query_error,
    encode_query_response,
    is_query_request,
    ses_model,
)

UTC = dt.UTC
NS = "{http://ses.amazonaws.com/doc/2010-12-01/}"

# One request per implemented action, using every kind of member it has.
REQUESTS: dict[str, dict[str, Any]] = {
    "SendEmail": {
        "Source": "News <news@example.com>",
        "Destination": {
            "ToAddresses": ["a@example.org", "b@example.org"],
            "CcAddresses": ["c@example.org"],
            "BccAddresses": ["d@example.org"],
        },
        "Message": {
            "Subject": {"Data": "Hi & welcome", "Charset": "UTF-8"},
            "Body": {"Text": {"Data": "a+b=c ü"}, "Html": {"Data": "<p>hi</p>"}},
        },
        "ReplyToAddresses": ["help@example.com"],
        "ReturnPath": "bounces@example.com",
        "SourceArn": "arn:aws:ses:us-east-1:123456789012:identity/example.com",
        "ReturnPathArn": "arn:aws:ses:us-east-1:123456789012:identity/example.com",
        "Tags": [{"Name": "campaign", "Value": "spring"}, {"Name": "kind", "Value": "news"}],
        "ConfigurationSetName": "marketing",
    },
    "SendRawEmail": {
        "Source": "news@example.com",
        "Destinations": ["a@example.org"],
        "RawMessage": {"Data": b"Subject: hi\r\n\r\n\xff\xfe binary+/="},
        "FromArn": "arn:aws:ses:us-east-1:123456789012:identity/example.com",
        "Tags": [{"Name": "k", "Value": "v"}],
    },
    "SendTemplatedEmail": {
        "Source": "news@example.com",
        "Destination": {"ToAddresses": ["a@example.org"]},
        "Template": "welcome",
        "TemplateData": '{"name": "Ann"}',
    },
    "SendBulkTemplatedEmail": {
        "Source": "news@example.com",
        "Template": "welcome",
        "DefaultTemplateData": "{}",
        "DefaultTags": [{"Name": "k", "Value": "v"}],
        "Destinations": [
            {
                "Destination": {"ToAddresses": ["a@example.org"]},
                "ReplacementTags": [{"Name": "k", "Value": "w"}],
                "ReplacementTemplateData": '{"name": "A"}',
            },
            {"Destination": {"CcAddresses": ["b@example.org"]}},
        ],
    },
    "VerifyEmailIdentity": {"EmailAddress": "a@example.com"},
    "VerifyDomainIdentity": {"Domain": "example.com"},
    "VerifyDomainDkim": {"Domain": "example.com"},
    "GetIdentityVerificationAttributes": {"Identities": ["example.com", "a@example.com"]},
    "GetIdentityDkimAttributes": {"Identities": ["example.com"]},
    "ListIdentities": {"IdentityType": "Domain", "MaxItems": 5, "NextToken": "abc"},
    "DeleteIdentity": {"Identity": "example.com"},
    "GetSendQuota": {},
    "GetSendStatistics": {},
    "CreateTemplate": {
        "Template": {"TemplateName": "t", "SubjectPart": "Hi {{name}}", "HtmlPart": "<b>x</b>"}
    },
    "GetTemplate": {"TemplateName": "t"},
    "UpdateTemplate": {"Template": {"TemplateName": "t", "TextPart": "x"}},
    "DeleteTemplate": {"TemplateName": "t"},
    "ListTemplates": {"MaxItems": 10},
}

WHEN = dt.datetime(2026, 5, 1, 12, 30, 15, 250000, tzinfo=UTC)
# One result per implemented action, with every member its output shape has.
RESULTS: dict[str, dict[str, Any]] = {
    "SendEmail": {"MessageId": "0100-abc-000000"},
    "SendRawEmail": {"MessageId": "0100-abc-000000"},
    "SendTemplatedEmail": {"MessageId": "0100-abc-000000"},
    "SendBulkTemplatedEmail": {
        "Status": [
            {"Status": "Success", "MessageId": "m-1"},
            {"Status": "InvalidParameterValue", "Error": "Illegal address <a&b>"},
        ]
    },
    "VerifyEmailIdentity": {},
    "VerifyDomainIdentity": {"VerificationToken": "abc+/="},
    "VerifyDomainDkim": {"DkimTokens": ["t1", "t2", "t3"]},
    "GetIdentityVerificationAttributes": {
        "VerificationAttributes": {
            "example.com": {"VerificationStatus": "Success", "VerificationToken": "tok"},
            "a@example.com": {"VerificationStatus": "Pending"},
        }
    },
    "GetIdentityDkimAttributes": {
        "DkimAttributes": {
            "example.com": {
                "DkimEnabled": True,
                "DkimVerificationStatus": "Success",
                "DkimTokens": ["t1"],
            },
            "a@example.com": {"DkimEnabled": False, "DkimVerificationStatus": "NotStarted"},
        }
    },
    "ListIdentities": {"Identities": ["example.com", "a@example.com"], "NextToken": "n"},
    "DeleteIdentity": {},
    "GetSendQuota": {"Max24HourSend": -1.0, "MaxSendRate": 14.5, "SentLast24Hours": 3.0},
    "GetSendStatistics": {
        "SendDataPoints": [
            {
                "Timestamp": WHEN,
                "DeliveryAttempts": 3,
                "Bounces": 1,
                "Complaints": 0,
                "Rejects": 0,
            }
        ]
    },
    "CreateTemplate": {},
    "GetTemplate": {
        "Template": {"TemplateName": "t", "SubjectPart": "Hi <{{name}}>", "TextPart": "a\r\nb\r"}
    },
    "UpdateTemplate": {},
    "DeleteTemplate": {},
    "ListTemplates": {
        "TemplatesMetadata": [{"Name": "t", "CreatedTimestamp": WHEN}],
        "NextToken": "n",
    },
}


@pytest.fixture(scope="module")
def model() -> ServiceModel:
    return ses_model()


def _form(model: ServiceModel, action: str, params: dict[str, Any]) -> bytes:
    """The body botocore's own serialiser sends for `params`."""
    request = botocore.serialize.create_serializer("query").serialize_to_request(
        params, model.operation_model(action)
    )
    return urlencode(request["body"]).encode("utf-8")


def _parse(model: ServiceModel, action: str, status: int, body: bytes) -> dict[str, Any]:
    shape = model.operation_model(action).output_shape
    assert shape is not None
    parsed: dict[str, Any] = botocore.parsers.create_parser("query").parse(
        {"status_code": status, "headers": {}, "body": body}, shape
    )
    return parsed


def test_every_implemented_action_has_a_sample() -> None:
    assert sorted(REQUESTS) == implemented_actions() == sorted(RESULTS)
    assert len(implemented_actions()) == 18


@pytest.mark.parametrize("action", sorted(REQUESTS))
def test_botocore_requests_decode_to_their_parameters(model: ServiceModel, action: str) -> None:
    assert decode_query(model, _form(model, action, REQUESTS[action])) == (
        action,
        REQUESTS[action],
    )


@pytest.mark.parametrize("action", sorted(RESULTS))
def test_responses_parse_back_through_botocore(model: ServiceModel, action: str) -> None:
    status, headers, body = encode_query_response(
        model.operation_model(action), RESULTS[action], request_id="req-1"
    )
    parsed = _parse(model, action, status, body)
    assert parsed.pop("ResponseMetadata")["RequestId"] == "req-1"
    assert parsed == RESULTS[action]
    assert (status, headers["Content-Type"], headers["x-amzn-RequestId"]) == (
        200,
        "text/xml",
        "req-1",
    )
    assert headers["Content-Length"] == str(len(body))


def test_the_response_document_has_v1s_shape(model: ServiceModel) -> None:
    _, _, body = encode_query_response(
        model.operation_model("SendEmail"), {"MessageId": "m-1"}, request_id="r"
    )
    root = ET.fromstring(body)
    assert root.tag == f"{NS}SendEmailResponse"
    assert [child.tag for child in root] == [f"{NS}SendEmailResult", f"{NS}ResponseMetadata"]
    assert root.findtext(f"{NS}SendEmailResult/{NS}MessageId") == "m-1"
    assert root.findtext(f"{NS}ResponseMetadata/{NS}RequestId") == "r"


def test_an_empty_result_still_has_its_result_element(model: ServiceModel) -> None:
    _, _, body = encode_query_response(model.operation_model("DeleteIdentity"), {})
    assert [child.tag for child in ET.fromstring(body)] == [
        f"{NS}DeleteIdentityResult",
        f"{NS}ResponseMetadata",
    ]


def test_timestamps_are_iso8601_in_utc_from_datetimes_or_epochs(model: ServiceModel) -> None:
    op = model.operation_model("ListTemplates")
    local = WHEN.astimezone(dt.timezone(dt.timedelta(hours=2)))
    for value in (WHEN, local, WHEN.timestamp()):
        _, _, body = encode_query_response(
            op, {"TemplatesMetadata": [{"Name": "t", "CreatedTimestamp": value}]}
        )
        assert b"<CreatedTimestamp>2026-05-01T12:30:15.250Z</CreatedTimestamp>" in body


def test_characters_xml_cannot_carry_are_replaced(model: ServiceModel) -> None:
    status, _, body = encode_query_error("InternalFailure", "bad \x00 byte <&>", 500)
    parsed = _parse(model, "SendEmail", status, body)
    assert parsed["Error"] == {
        "Type": "Receiver",
        "Code": "InternalFailure",
        "Message": "bad \ufffd byte <&>",
    }


def test_errors_are_what_botocore_reads(model: ServiceModel) -> None:
    status, headers, body = encode_query_error(
        "MessageRejected", "Email address is not verified.", 400, request_id="r-9"
    )
    parsed = _parse(model, "SendEmail", status, body)
    assert parsed["Error"] == {
        "Type": "Sender",
        "Code": "MessageRejected",
        "Message": "Email address is not verified.",
    }
    assert parsed["ResponseMetadata"]["RequestId"] == "r-9"
    assert (status, headers["Content-Type"]) == (400, "text/xml")


def test_bad_results_are_reported_not_sent(model: ServiceModel) -> None:
    op = model.operation_model("GetSendQuota")
    with pytest.raises(ValueError, match="no member"):
        encode_query_response(op, {"Max24HourSend": 1.0, "Bogus": 1})
    with pytest.raises(TypeError, match="number"):
        encode_query_response(op, {"Max24HourSend": "lots"})
    with pytest.raises(TypeError, match="list"):
        encode_query_response(model.operation_model("ListIdentities"), {"Identities": "a"})


def test_empty_lists_travel_as_an_empty_field(model: ServiceModel) -> None:
    body = _form(model, "GetIdentityVerificationAttributes", {"Identities": []})
    assert b"Identities=&" in body + b"&"
    assert decode_query(model, body) == ("GetIdentityVerificationAttributes", {"Identities": []})


def test_list_items_are_taken_in_numeric_order(model: ServiceModel) -> None:
    body = b"Action=GetIdentityDkimAttributes" + b"".join(
        f"&Identities.member.{i}=d{i}.example".encode() for i in (10, 2, 1)
    )
    assert decode_query(model, body)[1] == {
        "Identities": ["d1.example", "d2.example", "d10.example"]
    }


def test_unknown_fields_are_ignored(model: ServiceModel) -> None:
    body = b"Action=DeleteIdentity&Version=2010-12-01&Identity=a.example&Colour=blue"
    assert decode_query(model, body) == ("DeleteIdentity", {"Identity": "a.example"})


@pytest.mark.parametrize(
    ("body", "code", "words"),
    [
        (b"Identity=a.example", "MissingAction", "Action"),
        (b"Action=", "MissingAction", "Action"),
        (b"Action=LaunchRockets", "InvalidAction", "LaunchRockets"),
        (b"Action=DeleteIdentity", "MissingParameter", "Identity"),
        (
            b"Action=SendEmail&Source=a%40b.c&Message.Subject.Data=x&Message.Body.Text.Data=y",
            "MissingParameter",
            "Destination",
        ),
        (
            b"Action=CreateTemplate&Template.SubjectPart=x",
            "MissingParameter",
            "Template.TemplateName",
        ),
        (b"Action=ListIdentities&MaxItems=many", "InvalidParameterValue", "MaxItems"),
        (
            b"Action=GetIdentityDkimAttributes&Identities.member.x=a",
            "InvalidParameterValue",
            "Identities.member.x",
        ),
        (
            b"Action=GetIdentityDkimAttributes&Identities.item.1=a",
            "InvalidParameterValue",
            "Identities.item",
        ),
        (
            b"Action=GetIdentityDkimAttributes&Identities=a",
            "InvalidParameterValue",
            "must be a list",
        ),
        (b"Action=SendRawEmail&RawMessage.Data=%25%25", "InvalidParameterValue", "base64"),
        (b"Action=DeleteIdentity&Identity.x=1", "InvalidParameterValue", "single value"),
        (b"Action=DeleteIdentity&Identity=\xff", "InvalidParameterValue", "UTF-8"),
    ],
)
def test_malformed_requests_raise_query_errors(
    model: ServiceModel, body: bytes, code: str, words: str
) -> None:
    with pytest.raises(QueryError) as caught:
        decode_query(model, body)
    assert caught.value.code == code
    assert words in caught.value.message
    assert caught.value.status == 400


@pytest.mark.parametrize(
    ("method", "path", "content_type", "expected"),
    [
        ("POST", "/", "application/x-www-form-urlencoded; charset=utf-8", True),
        ("post", "/?x=1", "Application/X-WWW-Form-Urlencoded", True),
        ("POST", "/", "application/json", False),
        ("GET", "/", "application/x-www-form-urlencoded", False),
        ("POST", "/v2/email/outbound-emails", "application/x-www-form-urlencoded", False),
        ("POST", "/", None, False),
    ],
)
def test_query_requests_are_form_posts_to_the_root(
    method: str, path: str, content_type: str | None, expected: bool
) -> None:
    headers = {} if content_type is None else {"content-type": content_type}
    assert is_query_request(method, path, headers) is expected


# A small Query service with what SES v1 happens not to use: flattened lists, renamed list
# members and map entries, booleans, timestamps, integers and nested maps.
_WIDGETS: dict[str, Any] = {
    "version": "2.0",
    "metadata": {
        "apiVersion": "2020-01-01",
        "endpointPrefix": "widgets",
        "protocol": "query",
        "serviceId": "Widgets",
        "signatureVersion": "v4",
        "xmlNamespace": "https://widgets.example/doc/2020-01-01/",
        "uid": "widgets-2020-01-01",
    },
    "operations": {
        "PutWidget": {
            "name": "PutWidget",
            "http": {"method": "POST", "requestUri": "/"},
            "input": {"shape": "Widget"},
            "output": {"shape": "Widget", "resultWrapper": "PutWidgetResult"},
        }
    },
    "shapes": {
        "Widget": {
            "type": "structure",
            "required": ["Name"],
            "members": {
                "Name": {"shape": "String"},
                "Count": {"shape": "Integer"},
                "Enabled": {"shape": "Boolean"},
                "Weight": {"shape": "Double"},
                "Made": {"shape": "Timestamp"},
                "Flat": {"shape": "FlatList"},
                "Named": {"shape": "NamedList", "locationName": "Items"},
                "Labels": {"shape": "Labels"},
                "FlatLabels": {"shape": "FlatLabels"},
            },
        },
        "String": {"type": "string"},
        "Integer": {"type": "integer"},
        "Boolean": {"type": "boolean"},
        "Double": {"type": "double"},
        "Timestamp": {"type": "timestamp"},
        "FlatList": {"type": "list", "member": {"shape": "String"}, "flattened": True},
        "NamedList": {"type": "list", "member": {"shape": "String", "locationName": "item"}},
        "Labels": {
            "type": "map",
            "key": {"shape": "String", "locationName": "k"},
            "value": {"shape": "String", "locationName": "v"},
        },
        "FlatLabels": {
            "type": "map",
            "key": {"shape": "String"},
            "value": {"shape": "String"},
            "flattened": True,
        },
    },
}


@pytest.fixture(scope="module")
def widgets() -> ServiceModel:
    return ServiceModel(_WIDGETS, "widgets")


WIDGET: dict[str, Any] = {
    "Name": "w",
    "Count": 3,
    "Enabled": False,
    "Weight": 0.5,
    "Made": WHEN,
    "Flat": ["a", "b"],
    "Named": ["c"],
    "Labels": {"x": "1", "y": "2"},
    "FlatLabels": {"z": "3"},
}


def test_every_binding_round_trips_both_ways(widgets: ServiceModel) -> None:
    assert decode_query(widgets, _form(widgets, "PutWidget", WIDGET)) == ("PutWidget", WIDGET)
    op = widgets.operation_model("PutWidget")
    _, _, body = encode_query_response(op, WIDGET)
    assert b'xmlns="https://widgets.example/doc/2020-01-01/"' in body
    parsed = _parse(widgets, "PutWidget", 200, body)
    parsed.pop("ResponseMetadata")
    assert parsed == WIDGET


def test_a_map_entry_needs_its_key_and_value(widgets: ServiceModel) -> None:
    with pytest.raises(QueryError, match=r"Labels\.entry\.1\.k"):
        decode_query(widgets, b"Action=PutWidget&Name=w&Labels.entry.1.k=x")


_TEXT = st.text(
    alphabet=st.characters(codec="utf-8", exclude_characters="\x00"),
    max_size=30,
)


@settings(max_examples=60, deadline=None)
@given(
    name=_TEXT.filter(bool),
    flat=st.lists(_TEXT, max_size=4),
    labels=st.dictionaries(_TEXT, _TEXT, max_size=3),
    count=st.integers(-(2**31), 2**31 - 1),
    enabled=st.booleans(),
)
def test_round_trip_property(
    name: str, flat: list[str], labels: dict[str, str], count: int, enabled: bool
) -> None:
    widgets = ServiceModel(_WIDGETS, "widgets")
    params = {"Name": name, "Count": count, "Enabled": enabled, "Flat": flat, "Labels": labels}
    # botocore sends nothing for an empty map (an empty list it sends as `Flat=`).
    expected = {key: value for key, value in params.items() if value != {}}
    assert decode_query(widgets, _form(widgets, "PutWidget", params)) == ("PutWidget", expected)
