"""Custom verification emails: `VerificationTemplate`, `Identity.create(verification_template=)`,
on FakeSES and with the exact requests pinned by botocore's Stubber."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

import sesflow
from sesflow.testing import FakeClock, FakeSES

OK = "https://example.com/verified"
NO = "https://example.com/verify-failed"
BODY = "<h1>Welcome!</h1><p>One click and you are in.</p>"


def _create(
    ses: sesflow.SES, name: str = "welcome", **changes: Any
) -> sesflow.VerificationTemplate:
    options: dict[str, Any] = {
        "from_address": "Example <verify@example.com>",
        "subject": "Confirm your address",
        "content": BODY,
        "success_url": OK,
        "failure_url": NO,
    }
    options.update(changes)
    return ses.verification_template(name).create(**options)


@pytest.fixture
def verified(fake: FakeSES) -> FakeSES:
    fake.verify("example.com")
    return fake


# --- the template's lifecycle ------------------------------------------------------------------


def test_create_is_create_or_update_and_refresh_reads_it_back(
    ses: sesflow.SES, verified: FakeSES
) -> None:
    tpl = ses.verification_template("welcome")
    assert not tpl.exists()
    assert _create(ses, tags={"team": "growth"}) == tpl
    _create(ses, subject="Please confirm", content="<p>Almost there.</p>")
    again = ses.verification_template("welcome").refresh()
    assert (again.from_address, again.subject, again.content) == (
        "Example <verify@example.com>",
        "Please confirm",
        "<p>Almost there.</p>",
    )
    assert (again.success_url, again.failure_url) == (OK, NO)
    assert again.tags == {"team": "growth"}
    assert verified.call_count("CreateCustomVerificationEmailTemplate") == 2
    assert verified.call_count("UpdateCustomVerificationEmailTemplate") == 1


def test_delete_is_idempotent(ses: sesflow.SES, verified: FakeSES) -> None:
    tpl = _create(ses)
    tpl.delete()
    tpl.delete()
    assert not tpl.exists()
    with pytest.raises(sesflow.NotFoundError) as caught:
        tpl.refresh()
    assert caught.value.code == "NotFoundException"


def test_the_listing_pages_through_every_template(ses: sesflow.SES, verified: FakeSES) -> None:
    names = [f"t{i}" for i in range(5)]
    for name in names:
        _create(ses, name)
    listed = list(ses.verification_templates(page_size=2))
    assert [t.name for t in listed] == names
    assert verified.call_count("ListCustomVerificationEmailTemplates") == 3
    # The listing carries the summary: no Get call for the sender.
    assert listed[0].subject == "Confirm your address"
    assert verified.call_count("GetCustomVerificationEmailTemplate") == 0
    assert listed[0].content == BODY  # the body is not in the listing: one Get
    assert verified.call_count("GetCustomVerificationEmailTemplate") == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"success_url": "example.com/ok"}, "success_url"),
        ({"failure_url": "ftp://example.com/no"}, "failure_url"),
        ({"subject": "Line\nbreak"}, "subject"),
        ({"subject": " "}, "subject"),
        ({"from_address": "not an address"}, "from_address"),
        ({"content": ""}, "content"),
        ({"content": '<p>Click <a href="https://x.example">here</a></p>'}, "content"),
        ({"content": "<p onclick='x()'>Hi</p>"}, "content"),
        ({"content": "<p>Hi</p><!-- a note -->"}, "content"),
        ({"content": "<script>alert(1)</script>"}, "content"),
        ({"content": "x" * (10 * 1024 * 1024)}, "content"),
        ({"tags": {"": "x"}}, "tags['']"),
    ],
)
def test_bad_content_is_refused_before_any_call(
    ses: sesflow.SES, fake: FakeSES, changes: dict[str, Any], field: str
) -> None:
    with pytest.raises(sesflow.ValidationError) as caught:
        _create(ses, **changes)
    assert caught.value.field == field
    assert fake.calls == []


def test_allowed_html_passes(ses: sesflow.SES, verified: FakeSES) -> None:
    html = (
        '<html><body style="font-family:sans-serif"><table width="100%"><tr>'
        '<td colspan="2"><img src="data:image/png;base64,iVBORw0KGgo=" alt="logo"/></td>'
        "</tr></table><p>Hi</p></body></html>"
    )
    assert _create(ses, content=html).content == html


def test_a_template_needs_a_verified_sender(ses: sesflow.SES, fake: FakeSES) -> None:
    with pytest.raises(sesflow.BadRequestError, match="not verified"):
        _create(ses)


def test_the_fifty_first_template_is_refused(ses: sesflow.SES, verified: FakeSES) -> None:
    for i in range(50):
        _create(ses, f"t{i}")
    with pytest.raises(sesflow.LimitExceededError) as caught:
        _create(ses, "t50")
    assert "50" in caught.value.message


# --- sending ---------------------------------------------------------------------------------


def test_send_creates_the_identity_and_mails_the_template_with_the_link(
    ses: sesflow.SES, verified: FakeSES
) -> None:
    tpl = _create(ses)
    result = tpl.send("new.user@example.org", configuration_set=None)
    message = verified.outbox[-1]
    assert message.message_id == result.message_id
    assert message.operation == "SendCustomVerificationEmail"
    assert (message.from_address, message.to, message.subject) == (
        "Example <verify@example.com>",
        ("new.user@example.org",),
        "Confirm your address",
    )
    assert message.html is not None
    assert message.html.startswith(BODY)
    assert "https://email-verification.us-east-1.amazonaws.com/" in message.html
    assert "please disregard this message" in message.html
    ident = ses.identity("new.user@example.org").refresh()
    assert ident.verification_status is sesflow.VerificationStatus.PENDING
    verified.verify("new.user@example.org")  # the user clicks
    assert ident.refresh().verified


def test_send_with_a_configuration_set(ses: sesflow.SES, verified: FakeSES) -> None:
    ses.configuration_set("onboarding").create()
    _create(ses).send("new.user@example.org", configuration_set="onboarding")
    assert verified.outbox[-1].configuration_set == "onboarding"
    ses.configuration_set("onboarding").update_sending(enabled=False)
    with pytest.raises(sesflow.SendingPausedError):
        _create(ses).send("other@example.org", configuration_set="onboarding")
    with pytest.raises(sesflow.NotFoundError):
        _create(ses).send("other@example.org", configuration_set="missing")


def test_send_from_the_sandbox_explains_production_access(clock: FakeClock) -> None:
    fake = FakeSES(clock=clock, sandbox=True)
    fake.verify("example.com")
    ses = sesflow.SES(client=fake.client())
    tpl = _create(ses)
    with pytest.raises(sesflow.MessageRejectedError) as caught:
        tpl.send("new.user@example.org")
    assert "request_production_access" in caught.value.message
    assert fake.outbox == []


def test_send_while_the_account_is_paused(ses: sesflow.SES, verified: FakeSES) -> None:
    tpl = _create(ses)
    ses.account().update_sending(enabled=False)
    with pytest.raises(sesflow.SendingPausedError):
        tpl.send("new.user@example.org")
    assert verified.outbox == []


def test_send_of_a_missing_template_and_a_bad_address(ses: sesflow.SES, fake: FakeSES) -> None:
    with pytest.raises(sesflow.NotFoundError):
        ses.verification_template("missing").send("new.user@example.org")
    with pytest.raises(sesflow.ValidationError) as caught:
        ses.verification_template("missing").send("not-an-address")
    assert caught.value.field == "address"
    assert fake.call_count("SendCustomVerificationEmail") == 1


# --- Identity.create(verification_template=...) ----------------------------------------------


def test_identity_create_with_a_template_sends_it_once(ses: sesflow.SES, verified: FakeSES) -> None:
    ses.configuration_set("users").create()
    _create(ses)
    ident = ses.identity("new.user@example.org").create(
        verification_template="welcome", configuration_set="users"
    )
    assert ident.verification_status is sesflow.VerificationStatus.PENDING
    assert ident.configuration_set == "users"
    assert [m.operation for m in verified.outbox] == ["SendCustomVerificationEmail"]
    # Idempotent: the identity exists, so nothing is sent again.
    ses.identity("new.user@example.org").create(verification_template="welcome")
    assert len(verified.outbox) == 1
    assert verified.call_count("CreateEmailIdentity") == 0


def test_identity_create_with_a_template_refuses_tags_and_domains(
    ses: sesflow.SES, fake: FakeSES
) -> None:
    with pytest.raises(sesflow.ValidationError) as caught:
        ses.identity("a@example.org").create(verification_template="welcome", tags={"a": "b"})
    assert caught.value.field == "tags"
    with pytest.raises(sesflow.ValidationError) as caught:
        ses.identity("a@example.org").create(verification_template="bad name")
    assert caught.value.field == "verification_template"
    with pytest.raises(sesflow.ValidationError) as caught:
        ses.domain("example.org").create(verification_template="welcome")
    assert caught.value.field == "verification_template"
    assert fake.calls == []


# --- the exact requests ----------------------------------------------------------------------


@pytest.fixture
def stubbed(clock: FakeClock) -> Iterator[tuple[sesflow.SES, Stubber]]:
    client = boto3.client("sesv2", region_name="us-east-1")
    ses = sesflow.SES(client=client, sleep=clock.sleep, clock=clock)
    with Stubber(client) as stub:
        yield ses, stub
        stub.assert_no_pending_responses()


CONTENT = {
    "FromEmailAddress": "Example <verify@example.com>",
    "TemplateSubject": "Confirm your address",
    "TemplateContent": BODY,
    "SuccessRedirectionURL": OK,
    "FailureRedirectionURL": NO,
}


def test_create_request_is_exact(stubbed: tuple[sesflow.SES, Stubber]) -> None:
    ses, stub = stubbed
    stub.add_response(
        "create_custom_verification_email_template",
        {},
        {"TemplateName": "welcome", **CONTENT, "Tags": [{"Key": "team", "Value": "growth"}]},
    )
    _create(ses, tags={"team": "growth"})


def test_update_request_is_exact(stubbed: tuple[sesflow.SES, Stubber]) -> None:
    ses, stub = stubbed
    stub.add_client_error(
        "create_custom_verification_email_template",
        "AlreadyExistsException",
        "exists",
        expected_params={"TemplateName": "welcome", **CONTENT},
    )
    stub.add_response(
        "update_custom_verification_email_template", {}, {"TemplateName": "welcome", **CONTENT}
    )
    _create(ses)


def test_get_list_delete_requests_are_exact(stubbed: tuple[sesflow.SES, Stubber]) -> None:
    ses, stub = stubbed
    stub.add_response(
        "get_custom_verification_email_template",
        {"TemplateName": "welcome", **CONTENT},
        {"TemplateName": "welcome"},
    )
    stub.add_response(
        "list_custom_verification_email_templates",
        {
            "CustomVerificationEmailTemplates": [{"TemplateName": "welcome"}],
            "NextToken": "page-2",
        },
        {"PageSize": 50},
    )
    stub.add_response(
        "list_custom_verification_email_templates",
        {"CustomVerificationEmailTemplates": [{"TemplateName": "reset"}]},
        {"PageSize": 50, "NextToken": "page-2"},
    )
    stub.add_response("delete_custom_verification_email_template", {}, {"TemplateName": "welcome"})
    assert ses.verification_template("welcome").refresh().subject == "Confirm your address"
    assert [t.name for t in ses.verification_templates()] == ["welcome", "reset"]
    ses.verification_template("welcome").delete()


def test_send_request_is_exact(stubbed: tuple[sesflow.SES, Stubber]) -> None:
    ses, stub = stubbed
    stub.add_response(
        "send_custom_verification_email",
        {"MessageId": "m-1"},
        {
            "EmailAddress": "new.user@example.org",
            "TemplateName": "welcome",
            "ConfigurationSetName": "onboarding",
        },
    )
    result = ses.verification_template("welcome").send(
        "new.user@example.org", configuration_set="onboarding"
    )
    assert result == sesflow.SendResult("m-1")


def test_identity_create_with_a_template_requests_are_exact(
    stubbed: tuple[sesflow.SES, Stubber],
) -> None:
    ses, stub = stubbed
    identity = {"EmailIdentity": "new.user@example.org"}
    stub.add_client_error(
        "get_email_identity", "NotFoundException", "no such identity", 404, expected_params=identity
    )
    stub.add_response(
        "send_custom_verification_email",
        {"MessageId": "m-1"},
        {"EmailAddress": "new.user@example.org", "TemplateName": "welcome"},
    )
    stub.add_response(
        "get_email_identity",
        {"IdentityType": "EMAIL_ADDRESS", "VerificationStatus": "PENDING"},
        identity,
    )
    ident = ses.identity("new.user@example.org").create(verification_template="welcome")
    assert ident.verification_status is sesflow.VerificationStatus.PENDING
