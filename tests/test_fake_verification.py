"""FakeSES's custom verification email templates and `SendCustomVerificationEmail`, through a
raw boto3 client: SES's validation, limits and error codes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from botocore.exceptions import ClientError

from sesflow.testing import FakeClock, FakeSES

if TYPE_CHECKING:
    from types_boto3_sesv2 import SESV2Client

TEMPLATE: dict[str, Any] = {
    "FromEmailAddress": "verify@example.com",
    "TemplateSubject": "Confirm your address",
    "TemplateContent": "<p>One click and you are in.</p>",
    "SuccessRedirectionURL": "https://example.com/ok",
    "FailureRedirectionURL": "https://example.com/no",
}


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


def _create(client: SESV2Client, name: str = "welcome", **changes: Any) -> None:
    client.create_custom_verification_email_template(TemplateName=name, **{**TEMPLATE, **changes})


def test_create_get_update_list_delete(client: SESV2Client) -> None:
    _create(client, Tags=[{"Key": "team", "Value": "growth"}])
    got = client.get_custom_verification_email_template(TemplateName="welcome")
    assert got["TemplateContent"] == TEMPLATE["TemplateContent"]
    assert got["Tags"] == [{"Key": "team", "Value": "growth"}]
    client.update_custom_verification_email_template(
        TemplateName="welcome", **{**TEMPLATE, "TemplateSubject": "Please confirm"}
    )
    listed = client.list_custom_verification_email_templates()
    assert listed["CustomVerificationEmailTemplates"] == [
        {
            "TemplateName": "welcome",
            "FromEmailAddress": "verify@example.com",
            "TemplateSubject": "Please confirm",
            "SuccessRedirectionURL": "https://example.com/ok",
            "FailureRedirectionURL": "https://example.com/no",
        }
    ]
    assert "NextToken" not in listed
    client.delete_custom_verification_email_template(TemplateName="welcome")
    assert (
        client.list_custom_verification_email_templates()["CustomVerificationEmailTemplates"] == []
    )


def test_a_template_name_in_use_is_already_exists(client: SESV2Client) -> None:
    _create(client)
    code, status, _ = _error(
        client.create_custom_verification_email_template, TemplateName="welcome", **TEMPLATE
    )
    assert (code, status) == ("AlreadyExistsException", 400)


@pytest.mark.parametrize(
    "operation",
    [
        "get_custom_verification_email_template",
        "delete_custom_verification_email_template",
    ],
)
def test_a_missing_template_is_not_found(client: SESV2Client, operation: str) -> None:
    code, status, message = _error(getattr(client, operation), TemplateName="nope")
    assert (code, status) == ("NotFoundException", 404)
    assert "nope" in message


def test_updating_a_missing_template_is_not_found(client: SESV2Client) -> None:
    code, status, _ = _error(
        client.update_custom_verification_email_template, TemplateName="nope", **TEMPLATE
    )
    assert (code, status) == ("NotFoundException", 404)


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"TemplateName": "has space"}, "Invalid template name"),
        ({"TemplateName": "x" * 65}, "Invalid template name"),
        ({"FromEmailAddress": "someone@unverified.example"}, "not verified"),
        ({"FromEmailAddress": "not an address"}, "Invalid FromEmailAddress"),
        ({"TemplateSubject": " "}, "TemplateSubject"),
        ({"TemplateContent": "<p>Hi <a href='x'>y</a></p>"}, "<a>"),
        ({"TemplateContent": "<p style='x' onclick='y'>Hi</p>"}, "onclick"),
        ({"TemplateContent": "<p>Hi</p><!-- note -->"}, "comments"),
        ({"TemplateContent": "x" * (10 * 1024 * 1024)}, "10 MB"),
        ({"SuccessRedirectionURL": "example.com/ok"}, "SuccessRedirectionURL"),
    ],
)
def test_invalid_templates_are_bad_requests(
    client: SESV2Client, changes: dict[str, Any], words: str
) -> None:
    params = {"TemplateName": "welcome", **TEMPLATE, **changes}
    code, status, message = _error(client.create_custom_verification_email_template, **params)
    assert (code, status) == ("BadRequestException", 400)
    assert words in message


def test_fifty_templates_per_region(client: SESV2Client) -> None:
    for i in range(50):
        _create(client, f"t{i}")
    code, _, _ = _error(
        client.create_custom_verification_email_template, TemplateName="t50", **TEMPLATE
    )
    assert code == "LimitExceededException"
    pages = client.list_custom_verification_email_templates(PageSize=20)
    assert len(pages["CustomVerificationEmailTemplates"]) == 20
    rest = client.list_custom_verification_email_templates(NextToken=pages["NextToken"])
    assert len(rest["CustomVerificationEmailTemplates"]) == 30
    code, _, message = _error(client.list_custom_verification_email_templates, PageSize=51)
    assert code == "BadRequestException"
    assert "50" in message


def test_send_counts_against_the_quotas(clock: FakeClock) -> None:
    fake = FakeSES(clock=clock, max_send_rate=1, max_24_hour_send=2)
    fake.verify("example.com")
    client = fake.client()
    _create(client)
    client.send_custom_verification_email(EmailAddress="a@example.org", TemplateName="welcome")
    code, status, _ = _error(
        client.send_custom_verification_email, EmailAddress="b@example.org", TemplateName="welcome"
    )
    assert (code, status) == ("TooManyRequestsException", 429)
    clock.advance(1)
    client.send_custom_verification_email(EmailAddress="b@example.org", TemplateName="welcome")
    clock.advance(1)
    code, _, message = _error(
        client.send_custom_verification_email, EmailAddress="c@example.org", TemplateName="welcome"
    )
    assert (code, message) == ("LimitExceededException", "Daily message quota exceeded.")
    assert fake.sent_last_24_hours() == 2


@pytest.mark.parametrize(
    ("set_up", "expected"),
    [
        ("sandbox", ("MessageRejected", 400)),
        ("paused", ("SendingPausedException", 400)),
        ("suspended", ("AccountSuspendedException", 400)),
        ("sender unverified", ("MessageRejected", 400)),
    ],
)
def test_send_is_refused_as_ses_refuses_it(
    fake: FakeSES, client: SESV2Client, set_up: str, expected: tuple[str, int]
) -> None:
    _create(client)
    if set_up == "sandbox":
        fake.account.production_access_enabled = False
    elif set_up == "paused":
        fake.account.sending_enabled = False
    elif set_up == "suspended":
        fake.account.suspended = True
    else:
        client.delete_email_identity(EmailIdentity="example.com")
    code, status, _ = _error(
        client.send_custom_verification_email, EmailAddress="a@example.org", TemplateName="welcome"
    )
    assert (code, status) == expected
    assert fake.outbox == []
    assert fake.sent_last_24_hours() == 0


def test_send_leaves_an_existing_identity_as_it_is(fake: FakeSES, client: SESV2Client) -> None:
    _create(client)
    fake.verify("known@example.org")
    client.send_custom_verification_email(EmailAddress="known@example.org", TemplateName="welcome")
    assert fake.identity_state("known@example.org").verification_status == "SUCCESS"
    auto = FakeSES(auto_verify=True)
    auto_client = auto.client()
    auto_client.create_email_identity(EmailIdentity="example.com")
    _create(auto_client)
    auto_client.send_custom_verification_email(EmailAddress="a@example.org", TemplateName="welcome")
    assert auto.identity_state("a@example.org").verification_status == "SUCCESS"
