"""Sending authorization: the `SendingPolicy` builder, identity policies (FakeSES and moto), sends
on behalf of another account between linked FakeSES accounts, and the exact requests."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from email.message import EmailMessage
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

import sesflow
from sesflow import PolicyStatement, SendingPolicy
from sesflow.testing import FakeClock, FakeSES

OWNER = "444455556666"
DELEGATE = "111122223333"
DOMAIN_ARN = f"arn:aws:ses:us-east-1:{OWNER}:identity/example.com"
SEND_ACTIONS = [
    "ses:SendEmail",
    "ses:SendRawEmail",
    "ses:SendTemplatedEmail",
    "ses:SendBulkTemplatedEmail",
]

# --- the builder -----------------------------------------------------------------------------


def test_allow_builds_ses_policy_language() -> None:
    policy = SendingPolicy.allow(
        DELEGATE,
        from_addresses=["billing@example.com", "*@news.example.com"],
        from_display_names="Example Billing",
        recipients=["*@example.org"],
        feedback_addresses=["bounces@example.com"],
        source_ips=["203.0.113.0/24"],
        not_before=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
        not_after=dt.datetime(2026, 12, 31, 23, 0, tzinfo=dt.timezone(dt.timedelta(hours=1))),
        sid="AppSends",
    )
    assert policy.document(DOMAIN_ARN) == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "AppSends",
                "Effect": "Allow",
                "Resource": DOMAIN_ARN,
                "Principal": {"AWS": [DELEGATE]},
                "Action": SEND_ACTIONS,
                "Condition": {
                    "StringLike": {
                        "ses:FromAddress": ["billing@example.com", "*@news.example.com"],
                        "ses:FromDisplayName": ["Example Billing"],
                        "ses:FeedbackAddress": ["bounces@example.com"],
                    },
                    "ForAllValues:StringLike": {"ses:Recipients": ["*@example.org"]},
                    "IpAddress": {"aws:SourceIp": ["203.0.113.0/24"]},
                    "DateGreaterThan": {"aws:CurrentTime": "2026-01-01T00:00:00Z"},
                    "DateLessThan": {"aws:CurrentTime": "2026-12-31T22:00:00Z"},
                },
            }
        ],
    }


def test_principals_of_each_kind_and_combined_policies() -> None:
    role = f"arn:aws:iam::{DELEGATE}:role/mailer"
    policy = SendingPolicy.allow([DELEGATE, role, "cognito-idp.amazonaws.com"]) + (
        SendingPolicy.deny("*", recipients="*@competitor.example", actions="ses:SendRawEmail")
    )
    statements = policy.document(DOMAIN_ARN)["Statement"]
    assert statements[0]["Principal"] == {
        "AWS": [DELEGATE, role],
        "Service": ["cognito-idp.amazonaws.com"],
    }
    assert "Condition" not in statements[0]
    assert (statements[1]["Effect"], statements[1]["Principal"], statements[1]["Action"]) == (
        "Deny",
        {"AWS": ["*"]},
        ["ses:SendRawEmail"],
    )
    assert json.loads(policy.to_json(DOMAIN_ARN)) == policy.document(DOMAIN_ARN)


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (lambda: SendingPolicy.allow([]), "principals"),
        (lambda: SendingPolicy.allow("12345"), "principals[0]"),
        (lambda: SendingPolicy.allow("arn:aws:s3:::bucket"), "principals[0]"),
        (lambda: SendingPolicy.allow(DELEGATE, actions="SendEmail"), "actions[0]"),
        (lambda: SendingPolicy.allow(DELEGATE, actions=()), "actions"),
        (
            lambda: SendingPolicy.allow(DELEGATE, from_addresses=["a b@example.com"]),
            "from_addresses[0]",
        ),
        (lambda: SendingPolicy.allow(DELEGATE, source_ips="300.1.1.1"), "source_ips[0]"),
        (
            lambda: SendingPolicy.allow(DELEGATE, not_before=dt.datetime(2026, 1, 1)),
            "not_before",
        ),
        (
            lambda: SendingPolicy.allow(
                DELEGATE,
                not_before=dt.datetime(2026, 2, 1, tzinfo=dt.UTC),
                not_after=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
            ),
            "not_after",
        ),
        (lambda: SendingPolicy.allow(DELEGATE, sid="no spaces"), "sid"),
        (lambda: SendingPolicy(()), "statements"),
        (lambda: PolicyStatement((DELEGATE,), effect="Maybe"), "effect"),  # type: ignore[arg-type]
    ],
)
def test_bad_policies_are_refused_as_they_are_built(build: Any, field: str) -> None:
    with pytest.raises(sesflow.ValidationError) as caught:
        build()
    assert caught.value.field == field


# --- identity policies on FakeSES ------------------------------------------------------------


@pytest.fixture
def owner(clock: FakeClock) -> FakeSES:
    fake = FakeSES(clock=clock, account_id=OWNER, seed=3, max_send_rate=100)
    fake.verify("example.com")
    return fake


@pytest.fixture
def owner_ses(owner: FakeSES, clock: FakeClock) -> sesflow.SES:
    return sesflow.SES(client=owner.client(), sleep=clock.sleep, clock=clock)


def test_policy_lifecycle(owner_ses: sesflow.SES, owner: FakeSES) -> None:
    domain = owner_ses.domain("example.com")
    assert domain.arn == DOMAIN_ARN
    app = domain.policy("app")
    assert not app.exists()
    assert app.create(SendingPolicy.allow(DELEGATE)) is app
    assert app.document["Statement"][0]["Resource"] == DOMAIN_ARN
    app.create(SendingPolicy.allow(DELEGATE, from_addresses="billing@example.com"))
    stored = domain.policy("app").refresh().document
    assert stored["Statement"][0]["Condition"] == {
        "StringLike": {"ses:FromAddress": ["billing@example.com"]}
    }
    domain.policy("raw").create(json.dumps(SendingPolicy.allow("*").document(DOMAIN_ARN)))
    assert [p.name for p in domain.policies()] == ["app", "raw"]
    assert owner.call_count("CreateEmailIdentityPolicy") == 3
    assert owner.call_count("UpdateEmailIdentityPolicy") == 1
    app.delete()
    app.delete()
    assert domain.policies() == [domain.policy("raw")]
    with pytest.raises(sesflow.NotFoundError):
        app.refresh()


@pytest.mark.parametrize(
    ("policy", "words"),
    [
        ({"Statement": []}, "at least one Statement"),
        ("[1, 2]", "not a JSON object"),
        ("{nope", "not a JSON object"),
        ({"Statement": [{"Effect": "Allow", "Padding": "x" * 4100}]}, "at most 4096"),
        (42, "expected a SendingPolicy"),
    ],
)
def test_bad_documents_are_refused_before_any_call(
    owner_ses: sesflow.SES, owner: FakeSES, policy: Any, words: str
) -> None:
    calls = len(owner.calls)
    with pytest.raises(sesflow.ValidationError, match=words) as caught:
        owner_ses.domain("example.com").policy("app").create(policy)
    assert caught.value.field == "policy"
    assert len(owner.calls) == calls


def test_ses_refuses_a_policy_on_another_resource(owner_ses: sesflow.SES) -> None:
    other = SendingPolicy.allow(DELEGATE).document(
        f"arn:aws:ses:us-east-1:{OWNER}:identity/other.example"
    )
    with pytest.raises(sesflow.BadRequestError, match="Resource must be the ARN"):
        owner_ses.domain("example.com").policy("app").create(other)


def test_policies_need_a_verified_identity_and_stop_at_twenty(
    owner_ses: sesflow.SES, owner: FakeSES
) -> None:
    owner_ses.identity("pending@example.org").create()
    with pytest.raises(sesflow.BadRequestError, match="not verified"):
        owner_ses.identity("pending@example.org").policy("app").create(SendingPolicy.allow("*"))
    with pytest.raises(sesflow.NotFoundError):
        owner_ses.identity("missing@example.org").policies()
    domain = owner_ses.domain("example.com")
    for i in range(20):
        domain.policy(f"p{i}").create(SendingPolicy.allow(DELEGATE))
    with pytest.raises(sesflow.LimitExceededError):
        domain.policy("p20").create(SendingPolicy.allow(DELEGATE))
    with pytest.raises(sesflow.ValidationError) as caught:
        domain.policy("bad name")
    assert caught.value.field == "name"


def test_policies_on_moto(moto_ses: sesflow.SES) -> None:
    moto_ses.domain("example.com").create()
    domain = moto_ses.domain("example.com")
    arn = f"arn:aws:ses:us-east-1:{moto_ses.account_id}:identity/example.com"
    assert domain.arn == arn  # moto's STS answers GetCallerIdentity
    domain.policy("app").create(SendingPolicy.allow(DELEGATE))
    domain.policy("app").create(SendingPolicy.allow(DELEGATE, from_addresses="a@example.com"))
    assert [p.name for p in domain.policies()] == ["app"]
    assert domain.policy("app").document["Statement"][0]["Resource"] == arn
    domain.policy("app").delete()
    assert not domain.policy("app").exists()


def test_account_id_can_be_set_and_is_checked(ses: sesflow.SES) -> None:
    assert ses.account_id == "123456789012"
    ses.account_id = OWNER
    assert (
        ses.identity("a@example.com").arn == f"arn:aws:ses:us-east-1:{OWNER}:identity/a@example.com"
    )
    with pytest.raises(sesflow.ValidationError) as caught:
        ses.account_id = "42"
    assert caught.value.field == "account_id"


# --- sending on behalf of another account -----------------------------------------------------


@pytest.fixture
def delegate(owner: FakeSES, clock: FakeClock) -> FakeSES:
    fake = FakeSES(clock=clock, account_id=DELEGATE, seed=4, max_send_rate=100)
    owner.link(fake)
    return fake


@pytest.fixture
def delegate_ses(delegate: FakeSES, clock: FakeClock) -> sesflow.SES:
    return sesflow.SES(client=delegate.client(), sleep=clock.sleep, clock=clock)


def _billing(ses: sesflow.SES, **options: Any) -> sesflow.Sender:
    return ses.sender("Billing <billing@example.com>", from_identity_arn=DOMAIN_ARN, **options)


def test_a_delegate_sends_what_the_policy_allows(
    owner_ses: sesflow.SES, delegate_ses: sesflow.SES, delegate: FakeSES, owner: FakeSES
) -> None:
    owner_ses.domain("example.com").policy("app").create(
        SendingPolicy.allow(DELEGATE, from_addresses="billing@example.com")
        + SendingPolicy.deny(DELEGATE, recipients="*@competitor.example")
    )
    sender = _billing(delegate_ses)
    sender.send("bob@example.org", "Your invoice", text="Attached.")
    message = delegate.outbox[-1]
    assert message.from_identity_arn == DOMAIN_ARN
    assert message.to == ("bob@example.org",)
    assert owner.outbox == []  # the delegate's account sends, and pays the quota
    assert delegate.sent_last_24_hours() == 1
    with pytest.raises(sesflow.AccessDeniedError) as denied:
        sender.send("spy@competitor.example", "Your invoice", text="Attached.")
    assert denied.value.status_code == 403
    assert "ses:SendEmail" in denied.value.message
    with pytest.raises(sesflow.AccessDeniedError):
        delegate_ses.sender("news@example.com", from_identity_arn=DOMAIN_ARN).send(
            "bob@example.org", "Hi", text="Not from billing@."
        )
    assert len(delegate.outbox) == 1


def test_the_action_follows_the_content(
    owner_ses: sesflow.SES, delegate_ses: sesflow.SES, delegate: FakeSES
) -> None:
    owner_ses.domain("example.com").policy("simple-only").create(
        SendingPolicy.allow(DELEGATE, actions="ses:SendEmail")
    )
    sender = _billing(delegate_ses)
    sender.send("bob@example.org", "Hi", text="Simple content is ses:SendEmail.")
    raw = EmailMessage()
    raw["To"] = "bob@example.org"
    raw["Subject"] = "Raw"
    raw.set_content("Raw content is ses:SendRawEmail.")
    with pytest.raises(sesflow.AccessDeniedError, match="ses:SendRawEmail"):
        sender.send_raw(raw)
    inline = sesflow.InlineTemplate("Hi {{name}}", text="Hello {{name}}")
    with pytest.raises(sesflow.AccessDeniedError, match="ses:SendTemplatedEmail"):
        sender.send_template("bob@example.org", inline, data={"name": "Bob"})
    with pytest.raises(sesflow.AccessDeniedError, match="ses:SendBulkTemplatedEmail"):
        sender.send_bulk(["bob@example.org"], inline, concurrency=1)
    assert len(delegate.outbox) == 1


def test_a_delegate_bulk_send(
    owner_ses: sesflow.SES, delegate_ses: sesflow.SES, delegate: FakeSES
) -> None:
    owner_ses.domain("example.com").policy("app").create(SendingPolicy.allow(DELEGATE))
    inline = sesflow.InlineTemplate("Hi {{name}}", text="Hello {{name}}")
    report = _billing(delegate_ses).send_bulk(
        [sesflow.Recipient("ann@example.org", data={"name": "Ann"})], inline, concurrency=1
    )
    assert report.sent == 1
    assert delegate.outbox[-1].operation == "SendBulkEmail"
    assert delegate.outbox[-1].from_identity_arn == DOMAIN_ARN


def test_without_a_policy_or_a_link_the_send_is_denied(
    owner_ses: sesflow.SES, owner: FakeSES, clock: FakeClock
) -> None:
    stranger = FakeSES(clock=clock, account_id="999988887777")
    with pytest.raises(sesflow.AccessDeniedError):  # not linked: the owner is unknown
        _billing(sesflow.SES(client=stranger.client())).send("a@example.org", "Hi", text="x")
    owner.link(stranger)
    with pytest.raises(sesflow.AccessDeniedError):  # linked, but no policy lets it
        _billing(sesflow.SES(client=stranger.client())).send("a@example.org", "Hi", text="x")
    owner_ses.domain("example.com").policy("everyone").create(SendingPolicy.allow("*"))
    _billing(sesflow.SES(client=stranger.client())).send("a@example.org", "Hi", text="x")
    assert [m.to for m in stranger.outbox] == [("a@example.org",)]


def test_a_time_window_and_an_unverified_owner_identity(
    owner_ses: sesflow.SES, owner: FakeSES, delegate_ses: sesflow.SES
) -> None:
    now = dt.datetime.fromtimestamp(owner.wall_clock(), dt.UTC)
    owner_ses.domain("example.com").policy("window").create(
        SendingPolicy.allow(DELEGATE, not_after=now - dt.timedelta(days=1))
    )
    with pytest.raises(sesflow.AccessDeniedError):
        _billing(delegate_ses).send("a@example.org", "Hi", text="x")
    owner_ses.domain("example.com").policy("window").create(
        SendingPolicy.allow(DELEGATE, not_after=now + dt.timedelta(days=1))
    )
    _billing(delegate_ses).send("a@example.org", "Hi", text="x")
    owner.set_status("example.com", verification="FAILED")
    with pytest.raises(sesflow.MessageRejectedError, match="not verified"):
        _billing(delegate_ses).send("a@example.org", "Hi", text="x")


def test_feedback_forwarding_through_another_accounts_identity(
    owner_ses: sesflow.SES, delegate_ses: sesflow.SES, delegate: FakeSES
) -> None:
    owner_ses.domain("example.com").policy("app").create(
        SendingPolicy.allow(DELEGATE, feedback_addresses="bounces@example.com")
    )
    sender = _billing(
        delegate_ses,
        feedback_forwarding_address="bounces@example.com",
        feedback_identity_arn=DOMAIN_ARN,
    )
    sender.send("a@example.org", "Hi", text="x")
    assert delegate.outbox[-1].feedback_forwarding_address == "bounces@example.com"
    other = _billing(
        delegate_ses,
        feedback_forwarding_address="other@example.com",
        feedback_identity_arn=DOMAIN_ARN,
    )
    with pytest.raises(sesflow.AccessDeniedError):
        other.send("a@example.org", "Hi", text="x")
    # Without an ARN, the feedback address must be verified in the sending account.
    delegate.verify("me@delegate.example")
    own = delegate_ses.sender(
        "me@delegate.example", feedback_forwarding_address="bounces@delegate.example"
    )
    with pytest.raises(sesflow.MessageRejectedError, match=r"bounces@delegate\.example"):
        own.send("a@example.org", "Hi", text="x")
    delegate.verify("bounces@delegate.example")
    own.send("a@example.org", "Hi", text="x")
    assert delegate.outbox[-1].feedback_forwarding_address == "bounces@delegate.example"


@pytest.mark.parametrize(
    ("options", "field"),
    [
        (
            {"from_identity_arn": "arn:aws:ses:us-east-1:444455556666:example.com"},
            "from_identity_arn",
        ),
        (
            {"from_identity_arn": "arn:aws:ses:eu-west-1:444455556666:identity/example.com"},
            "from_identity_arn",
        ),
        (
            {"from_identity_arn": "arn:aws:ses:us-east-1:444455556666:identity/other.example"},
            "from_identity_arn",
        ),
        (
            {"from_identity_arn": "arn:aws:ses:us-east-1:444455556666:identity/b@example.com"},
            "from_identity_arn",
        ),
        ({"feedback_identity_arn": DOMAIN_ARN}, "feedback_identity_arn"),
        ({"feedback_forwarding_address": "not-an-address"}, "feedback_forwarding_address"),
        (
            {"feedback_forwarding_address": "x@other.example", "feedback_identity_arn": DOMAIN_ARN},
            "feedback_identity_arn",
        ),
    ],
)
def test_bad_delegation_is_refused_when_the_sender_is_made(
    ses: sesflow.SES, fake: FakeSES, options: dict[str, Any], field: str
) -> None:
    with pytest.raises(sesflow.ValidationError) as caught:
        ses.sender("billing@example.com", **options)
    assert caught.value.field == field
    assert fake.calls == []


def test_a_subdomain_address_may_use_its_parent_domain_identity(ses: sesflow.SES) -> None:
    arn = "arn:aws:ses:us-east-1:123456789012:identity/example.com"
    sender = ses.sender("billing@mail.example.com", from_identity_arn=arn)
    assert sender.from_address == "billing@mail.example.com"


def test_link_refuses_another_region_and_a_second_fake_of_an_account(owner: FakeSES) -> None:
    with pytest.raises(ValueError, match="eu-west-1"):
        owner.link(FakeSES(region="eu-west-1", account_id=DELEGATE))
    with pytest.raises(ValueError, match=OWNER):
        owner.link(FakeSES(account_id=OWNER))


# --- the exact requests ----------------------------------------------------------------------


@pytest.fixture
def stubbed(clock: FakeClock) -> Iterator[tuple[sesflow.SES, Stubber]]:
    client = boto3.client("sesv2", region_name="us-east-1")
    ses = sesflow.SES(client=client, sleep=clock.sleep, clock=clock)
    ses.account_id = OWNER
    with Stubber(client) as stub:
        yield ses, stub
        stub.assert_no_pending_responses()


def test_policy_requests_are_exact(stubbed: tuple[sesflow.SES, Stubber]) -> None:
    ses, stub = stubbed
    policy = SendingPolicy.allow(DELEGATE)
    text = policy.to_json(DOMAIN_ARN)
    params = {"EmailIdentity": "example.com", "PolicyName": "app", "Policy": text}
    stub.add_response("create_email_identity_policy", {}, params)
    stub.add_client_error(
        "create_email_identity_policy", "AlreadyExistsException", "exists", expected_params=params
    )
    stub.add_response("update_email_identity_policy", {}, params)
    stub.add_response(
        "get_email_identity_policies", {"Policies": {"app": text}}, {"EmailIdentity": "example.com"}
    )
    stub.add_response(
        "delete_email_identity_policy", {}, {"EmailIdentity": "example.com", "PolicyName": "app"}
    )
    app = ses.domain("example.com").policy("app")
    app.create(policy)
    app.create(policy)
    assert ses.domain("example.com").policies() == [app]
    app.delete()


def test_delegate_send_requests_are_exact(stubbed: tuple[sesflow.SES, Stubber]) -> None:
    ses, stub = stubbed
    delegation = {
        "FromEmailAddressIdentityArn": DOMAIN_ARN,
        "FeedbackForwardingEmailAddress": "bounces@example.com",
        "FeedbackForwardingEmailAddressIdentityArn": DOMAIN_ARN,
    }
    stub.add_response(  # the SES's limiter reads MaxSendRate once, before the first send
        "get_account",
        {"SendQuota": {"Max24HourSend": 1000, "MaxSendRate": 10, "SentLast24Hours": 0}},
        {},
    )
    stub.add_response(
        "send_email",
        {"MessageId": "m-1"},
        {
            "FromEmailAddress": "billing@example.com",
            "Destination": {"ToAddresses": ["bob@example.org"]},
            "Content": {
                "Simple": {
                    "Subject": {"Data": "Invoice", "Charset": "UTF-8"},
                    "Body": {"Text": {"Data": "Attached.", "Charset": "UTF-8"}},
                }
            },
            **delegation,
        },
    )
    stub.add_response(
        "get_account",
        {
            "SendQuota": {"Max24HourSend": 1000, "MaxSendRate": 10, "SentLast24Hours": 0},
            "ProductionAccessEnabled": True,
        },
        {},
    )
    stub.add_response(
        "send_bulk_email",
        {"BulkEmailEntryResults": [{"Status": "SUCCESS", "MessageId": "m-2"}]},
        {
            "FromEmailAddress": "billing@example.com",
            "DefaultContent": {"Template": {"TemplateName": "welcome", "TemplateData": "{}"}},
            "BulkEmailEntries": [{"Destination": {"ToAddresses": ["ann@example.org"]}}],
            **delegation,
        },
    )
    sender = ses.sender(
        "billing@example.com",
        from_identity_arn=DOMAIN_ARN,
        feedback_forwarding_address="bounces@example.com",
        feedback_identity_arn=DOMAIN_ARN,
        max_rate=10,
    )
    assert sender.send("bob@example.org", "Invoice", text="Attached.").message_id == "m-1"
    report = sender.send_bulk(["ann@example.org"], "welcome", concurrency=1)
    assert report.sent == 1
