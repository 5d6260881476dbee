"""The exact requests sesflow sends, pinned with botocore's Stubber."""

from __future__ import annotations

import json
from collections.abc import Iterator
from email.message import EmailMessage
from typing import Any

import boto3
import pytest
from botocore.stub import ANY, Stubber

import sesflow
from sesflow import Attachment, InlineTemplate, Recipient
from sesflow.testing import FakeClock


@pytest.fixture
def stubbed(clock: FakeClock) -> Iterator[tuple[sesflow.SES, Stubber]]:
    client = boto3.client("sesv2", region_name="us-east-1")
    ses = sesflow.SES(client=client, sleep=clock.sleep, clock=clock)
    with Stubber(client) as stub:
        yield ses, stub
        stub.assert_no_pending_responses()


def _account(stub: Stubber) -> None:
    """The one GetAccount a first send makes: its limiter's rate (MaxSendRate)."""
    stub.add_response(
        "get_account",
        {
            "SendQuota": {"Max24HourSend": 1000, "MaxSendRate": 14, "SentLast24Hours": 0},
            "ProductionAccessEnabled": True,
        },
        {},
    )


def test_send_simple(stubbed: tuple[sesflow.SES, Stubber]) -> None:
    ses, stub = stubbed
    _account(stub)
    stub.add_response(
        "send_email",
        {"MessageId": "m-1"},
        {
            "FromEmailAddress": "News <news@example.com>",
            "ReplyToAddresses": ["help@example.com"],
            "ConfigurationSetName": "marketing",
            "EmailTags": [{"Name": "app", "Value": "web"}, {"Name": "kind", "Value": "promo"}],
            "Destination": {
                "ToAddresses": ["bob@example.com"],
                "CcAddresses": ["cc@example.com"],
                "BccAddresses": ["bcc@example.com"],
            },
            "Content": {
                "Simple": {
                    "Subject": {"Data": "Hello", "Charset": "UTF-8"},
                    "Body": {
                        "Text": {"Data": "Hi Bob", "Charset": "UTF-8"},
                        "Html": {"Data": "<p>Hi Bob</p>", "Charset": "UTF-8"},
                    },
                    "Headers": [{"Name": "List-Unsubscribe", "Value": "<https://e.com/u>"}],
                    "Attachments": [
                        {
                            "RawContent": b"a,b\n",
                            "FileName": "r.csv",
                            "ContentType": "text/csv",
                            "ContentDisposition": "ATTACHMENT",
                            "ContentTransferEncoding": "BASE64",
                        }
                    ],
                }
            },
        },
    )
    sender = ses.sender(
        "News <news@example.com>",
        configuration_set="marketing",
        reply_to="help@example.com",
        message_tags={"app": "web"},
    )
    result = sender.send(
        "bob@example.com",
        "Hello",
        text="Hi Bob",
        html="<p>Hi Bob</p>",
        cc="cc@example.com",
        bcc=["bcc@example.com"],
        attachments=[Attachment("r.csv", b"a,b\n")],
        headers={"List-Unsubscribe": "<https://e.com/u>"},
        message_tags={"kind": "promo"},
    )
    assert result == sesflow.SendResult("m-1")


def test_send_template_stored_and_inline(stubbed: tuple[sesflow.SES, Stubber]) -> None:
    ses, stub = stubbed
    _account(stub)
    stub.add_response(
        "send_email",
        {"MessageId": "m-2"},
        {
            "FromEmailAddress": "news@example.com",
            "Destination": {"ToAddresses": ["ann@example.com"]},
            "Content": {"Template": {"TemplateName": "welcome", "TemplateData": '{"name":"Ann"}'}},
        },
    )
    stub.add_response(
        "send_email",
        {"MessageId": "m-3"},
        {
            "FromEmailAddress": "news@example.com",
            "Destination": {"ToAddresses": ["ann@example.com"]},
            "Content": {
                "Template": {
                    "TemplateContent": {"Subject": "Hi {{name}}", "Text": "Welcome {{name}}"},
                    "TemplateData": '{"name":"Ann"}',
                    "Headers": [{"Name": "X-Campaign", "Value": "w1"}],
                }
            },
        },
    )
    sender = ses.sender("news@example.com")
    assert (
        sender.send_template("ann@example.com", "welcome", data={"name": "Ann"}).message_id == "m-2"
    )
    inline = InlineTemplate("Hi {{name}}", text="Welcome {{name}}")
    result = sender.send_template(
        "ann@example.com", inline, data={"name": "Ann"}, headers={"X-Campaign": "w1"}
    )
    assert result.message_id == "m-3"


def test_send_raw_takes_recipients_from_headers_and_drops_bcc(
    stubbed: tuple[sesflow.SES, Stubber],
) -> None:
    ses, stub = stubbed
    _account(stub)
    captured: dict[str, Any] = {}

    def capture(params: dict[str, Any], **_: Any) -> None:
        captured.update(params)

    ses.client.meta.events.register("provide-client-params.sesv2.SendEmail", capture)
    stub.add_response(
        "send_email",
        {"MessageId": "m-4"},
        {
            "FromEmailAddress": "news@example.com",
            "Destination": {
                "ToAddresses": ["bob@example.com"],
                "BccAddresses": ["hidden@example.com"],
            },
            "Content": {"Raw": {"Data": ANY}},
        },
    )
    message = EmailMessage()
    message["To"] = "Bob <bob@example.com>"
    message["Bcc"] = "hidden@example.com"
    message["Subject"] = "Raw"
    message.set_content("Full MIME control")
    assert ses.sender("news@example.com").send_raw(message).message_id == "m-4"
    data = captured["Content"]["Raw"]["Data"]
    assert b"Bcc:" not in data
    assert b"From: news@example.com" in data
    assert message["Bcc"] == "hidden@example.com"  # the caller's message is untouched


def test_send_bulk_request_shape(stubbed: tuple[sesflow.SES, Stubber]) -> None:
    ses, stub = stubbed
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
        {
            "BulkEmailEntryResults": [
                {"Status": "SUCCESS", "MessageId": "m-a"},
                {"Status": "MESSAGE_REJECTED", "Error": "Email address is on the list"},
            ]
        },
        {
            "FromEmailAddress": "news@example.com",
            "ConfigurationSetName": "marketing",
            "DefaultEmailTags": [{"Name": "campaign", "Value": "spring"}],
            "DefaultContent": {
                "Template": {"TemplateName": "promo", "TemplateData": '{"greeting":"Hi"}'}
            },
            "BulkEmailEntries": [
                {"Destination": {"ToAddresses": ["a@example.com"]}},
                {
                    "Destination": {"ToAddresses": ["b@example.com"]},
                    "ReplacementEmailContent": {
                        "ReplacementTemplate": {
                            "ReplacementTemplateData": json.dumps(
                                {"greeting": "Hi", "name": "B"}, separators=(",", ":")
                            )
                        }
                    },
                    "ReplacementTags": [{"Name": "segment", "Value": "vip"}],
                    "ReplacementHeaders": [{"Name": "X-Seg", "Value": "vip"}],
                },
            ],
        },
    )
    sender = ses.sender("news@example.com", configuration_set="marketing",
                        message_tags={"campaign": "spring"})  # fmt: skip
    report = sender.send_bulk(
        [
            "a@example.com",
            Recipient("b@example.com", data={"name": "B"}, message_tags={"segment": "vip"},
                      headers={"X-Seg": "vip"}),
        ],
        "promo",
        default_data={"greeting": "Hi"},
        concurrency=1,
    )  # fmt: skip
    assert (report.total, report.sent, report.failed) == (2, 1, 1)
    assert report.failures == (
        sesflow.BulkFailure(
            "b@example.com",
            sesflow.BulkEmailStatus.MESSAGE_REJECTED,
            "Email address is on the list",
        ),
    )
