"""FakeSES's identity policies through a raw boto3 client (SES's rules and error codes), and
the policy evaluation behind sends on behalf (white-box: IAM's condition semantics)."""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING, Any

import pytest
from botocore.exceptions import ClientError

from sesflow.testing import FakeSES
from sesflow.testing._authorization import SendRequest, evaluate

if TYPE_CHECKING:
    from types_boto3_sesv2 import SESV2Client

ARN = "arn:aws:ses:us-east-1:123456789012:identity/example.com"
DELEGATE = "111122223333"


def _policy(**statement: Any) -> str:
    base: dict[str, Any] = {
        "Effect": "Allow",
        "Resource": ARN,
        "Principal": {"AWS": [DELEGATE]},
        "Action": ["ses:SendEmail"],
    }
    base.update(statement)
    return json.dumps({"Version": "2012-10-17", "Statement": [base]})


@pytest.fixture
def client(fake: FakeSES) -> SESV2Client:
    fake.verify("example.com")
    return fake.client()


def _error(call: Any, **params: Any) -> tuple[str, int, str]:
    with pytest.raises(ClientError) as caught:
        call(**params)
    response = caught.value.response
    return (
        response["Error"]["Code"],
        response["ResponseMetadata"]["HTTPStatusCode"],
        response["Error"]["Message"],
    )


def test_create_get_update_delete(client: SESV2Client, fake: FakeSES) -> None:
    client.create_email_identity_policy(
        EmailIdentity="example.com", PolicyName="a", Policy=_policy()
    )
    code, status, _ = _error(
        client.create_email_identity_policy,
        EmailIdentity="example.com",
        PolicyName="a",
        Policy=_policy(),
    )
    assert (code, status) == ("AlreadyExistsException", 400)
    updated = _policy(Action="ses:SendRawEmail")
    client.update_email_identity_policy(EmailIdentity="example.com", PolicyName="a", Policy=updated)
    # SES answers success for an update or delete of a policy that does not exist.
    client.update_email_identity_policy(EmailIdentity="example.com", PolicyName="b", Policy=updated)
    assert client.get_email_identity_policies(EmailIdentity="example.com")["Policies"] == {
        "a": updated,
        "b": updated,
    }
    assert client.get_email_identity(EmailIdentity="example.com")["Policies"] == {
        "a": updated,
        "b": updated,
    }
    client.delete_email_identity_policy(EmailIdentity="example.com", PolicyName="b")
    client.delete_email_identity_policy(EmailIdentity="example.com", PolicyName="b")
    assert list(fake.identity_state("example.com").policies) == ["a"]


@pytest.mark.parametrize(
    ("name", "policy", "words"),
    [
        ("has space", _policy(), "Invalid policy name"),
        ("x" * 65, _policy(), "Invalid policy name"),
        ("a", "{nope", "not valid JSON"),
        ("a", "[]", "JSON object"),
        ("a", json.dumps({"Statement": []}), "at least one statement"),
        ("a", _policy(Effect="Permit"), "Effect"),
        ("a", json.dumps({"Statement": [{"Effect": "Allow", "Resource": ARN}]}), "Principal"),
        ("a", _policy(Principal={"AWS": "12345"}), "invalid principal"),
        ("a", _policy(Principal={"Service": "not a service"}), "invalid principal"),
        (
            "a",
            _policy(Resource="arn:aws:ses:us-east-1:123456789012:identity/x.example"),
            "Resource",
        ),
        ("a", _policy(Resource=[ARN, ARN]), "Resource"),
        ("a", _policy(Action="ses:DeleteConfigurationSet"), "unsupported action"),
        ("a", _policy(Action=[]), "Action must not be empty"),
        ("a", _policy(Condition={"StringSounds": {"ses:FromAddress": "a"}}), "operator"),
        ("a", _policy(Condition={"StringLike": {"ses:Subject": "a"}}), "condition key"),
        ("a", _policy(Sid="x" * 4100), "4096"),
    ],
)
def test_invalid_policies_are_bad_requests(
    client: SESV2Client, name: str, policy: str, words: str
) -> None:
    code, status, message = _error(
        client.create_email_identity_policy,
        EmailIdentity="example.com",
        PolicyName=name,
        Policy=policy,
    )
    assert (code, status) == ("BadRequestException", 400)
    assert words in message


def test_wildcard_actions_and_services_are_valid(client: SESV2Client) -> None:
    client.create_email_identity_policy(
        EmailIdentity="example.com",
        PolicyName="a",
        Policy=_policy(Action="ses:Send*", Principal={"Service": "cognito-idp.amazonaws.com"}),
    )
    assert client.get_email_identity_policies(EmailIdentity="example.com")["Policies"]["a"]


def test_twenty_policies_per_identity(client: SESV2Client) -> None:
    for i in range(20):
        client.create_email_identity_policy(
            EmailIdentity="example.com", PolicyName=f"p{i}", Policy=_policy()
        )
    code, _, _ = _error(
        client.create_email_identity_policy,
        EmailIdentity="example.com",
        PolicyName="p20",
        Policy=_policy(),
    )
    assert code == "LimitExceededException"


def test_only_a_verified_identity_has_policies(client: SESV2Client) -> None:
    code, status, _ = _error(client.get_email_identity_policies, EmailIdentity="nobody.example")
    assert (code, status) == ("NotFoundException", 404)
    client.create_email_identity(EmailIdentity="pending@example.org")
    code, status, message = _error(
        client.get_email_identity_policies, EmailIdentity="pending@example.org"
    )
    assert (code, status) == ("BadRequestException", 400)
    assert "not verified" in message


# --- evaluation ------------------------------------------------------------------------------

NOW = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)


def _request(**changes: Any) -> SendRequest:
    values: dict[str, Any] = {
        "account": DELEGATE,
        "action": "ses:SendEmail",
        "from_address": "billing@example.com",
        "from_display_name": "Example Billing",
        "recipients": ("ann@example.org", "bob@example.org"),
        "feedback_address": None,
        "now": NOW,
    }
    values.update(changes)
    return SendRequest(**values)


@pytest.mark.parametrize(
    ("statement", "request_changes", "allowed"),
    [
        ({}, {}, True),
        ({}, {"account": "999988887777"}, False),
        ({"Principal": {"AWS": f"arn:aws:iam::{DELEGATE}:role/mailer"}}, {}, True),
        ({"Principal": "*"}, {"account": "999988887777"}, True),
        ({"Principal": {"Service": "cognito-idp.amazonaws.com"}}, {}, False),
        ({"Action": "ses:SendRawEmail"}, {}, False),
        ({"Action": "SES:send*"}, {}, True),
        ({"Condition": {"StringEquals": {"ses:FromAddress": "billing@example.com"}}}, {}, True),
        ({"Condition": {"StringEquals": {"ses:FromAddress": "BILLING@example.com"}}}, {}, False),
        (
            {"Condition": {"StringEqualsIgnoreCase": {"ses:FromAddress": "BILLING@example.com"}}},
            {},
            True,
        ),
        ({"Condition": {"StringLike": {"ses:fromaddress": "*@example.com"}}}, {}, True),
        ({"Condition": {"StringNotLike": {"ses:FromAddress": "*@example.com"}}}, {}, False),
        ({"Condition": {"StringLike": {"ses:FromDisplayName": "Example ?illing"}}}, {}, True),
        (
            {"Condition": {"StringLike": {"ses:FromDisplayName": "x"}}},
            {"from_display_name": None},
            False,
        ),
        (
            {"Condition": {"StringLikeIfExists": {"ses:FromDisplayName": "x"}}},
            {"from_display_name": None},
            True,
        ),
        (
            {"Condition": {"ForAllValues:StringLike": {"ses:Recipients": "*@example.org"}}},
            {},
            True,
        ),
        (
            {"Condition": {"ForAllValues:StringLike": {"ses:Recipients": "ann@*"}}},
            {},
            False,
        ),
        (
            {"Condition": {"ForAnyValue:StringLike": {"ses:Recipients": "ann@*"}}},
            {},
            True,
        ),
        ({"Condition": {"StringLike": {"ses:FeedbackAddress": "*"}}}, {}, False),
        ({"Condition": {"Null": {"ses:FeedbackAddress": "true"}}}, {}, True),
        ({"Condition": {"DateLessThan": {"aws:CurrentTime": "2026-07-01T00:00:00Z"}}}, {}, True),
        (
            {"Condition": {"DateGreaterThan": {"aws:CurrentTime": "2026-07-01T00:00:00Z"}}},
            {},
            False,
        ),
        ({"Condition": {"NumericLessThan": {"aws:EpochTime": "1000"}}}, {}, False),
        ({"Condition": {"Bool": {"aws:SecureTransport": "true"}}}, {}, True),
        ({"Condition": {"IpAddress": {"aws:SourceIp": "127.0.0.0/8"}}}, {}, True),
        ({"Condition": {"NotIpAddress": {"aws:SourceIp": "127.0.0.0/8"}}}, {}, False),
        ({"Condition": {"StringEquals": {"aws:SourceVpc": "vpc-1"}}}, {}, False),
    ],
)
def test_evaluation(
    statement: dict[str, Any], request_changes: dict[str, Any], allowed: bool
) -> None:
    assert evaluate([_policy(**statement)], _request(**request_changes)) is allowed


def test_an_explicit_deny_wins_and_no_statement_denies() -> None:
    allow = _policy()
    deny = _policy(Effect="Deny", Condition={"StringLike": {"ses:Recipients": "bob@*"}})
    assert evaluate([allow, deny], _request()) is False
    assert evaluate([allow, deny], _request(recipients=("ann@example.org",))) is True
    assert evaluate([], _request()) is False
