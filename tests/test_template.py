"""Stored templates on FakeSES, and the exact requests."""

from __future__ import annotations

import boto3
import pytest
from botocore.stub import Stubber

import sesflow
from sesflow.testing import FakeSES


def test_create_is_create_or_update(ses: sesflow.SES, fake: FakeSES) -> None:
    tpl = ses.template("welcome")
    assert not tpl.exists()
    assert tpl.create("Welcome, {{name}}!", text="Hi {{name}}") is tpl
    assert tpl.exists()
    tpl.create("Welcome back, {{name}}!", html="<p>Hi {{name}}</p>")
    stored = ses.template("welcome").refresh().content
    assert stored.subject == "Welcome back, {{name}}!"
    assert stored.html == "<p>Hi {{name}}</p>"
    assert stored.text is None
    assert tpl.content == stored  # what create() stored, known without a call
    assert fake.call_count("CreateEmailTemplate") == 2
    assert fake.call_count("UpdateEmailTemplate") == 1


def test_render_and_missing_variables(ses: sesflow.SES) -> None:
    tpl = ses.template("welcome").create("Welcome, {{name}}!", text="Hi {{name}}")
    rendered = tpl.render({"name": "Ann"})
    assert "Welcome, Ann!" in rendered
    assert "Hi Ann" in rendered
    with pytest.raises(sesflow.ValidationError, match="name") as caught:
        tpl.render({})
    assert caught.value.field == "data"


def test_delete_is_idempotent_and_listing_pages(ses: sesflow.SES, fake: FakeSES) -> None:
    for i in range(5):
        ses.template(f"t{i}").create("S", text="T")
    assert sorted(t.name for t in ses.templates(page_size=2)) == [f"t{i}" for i in range(5)]
    assert fake.call_count("ListEmailTemplates") == 3
    ses.template("t0").delete()
    ses.template("t0").delete()
    assert not ses.template("t0").exists()
    with pytest.raises(sesflow.NotFoundError):
        ses.template("t0").refresh()


def test_bad_template_input_is_refused(ses: sesflow.SES, fake: FakeSES) -> None:
    with pytest.raises(sesflow.ValidationError, match="name"):
        ses.template("has space")
    with pytest.raises(sesflow.ValidationError, match="subject"):
        ses.template("t").create("", text="x")
    with pytest.raises(sesflow.ValidationError, match="html or text"):
        ses.template("t").create("S")
    with pytest.raises(sesflow.ValidationError, match="500 KB"):
        ses.template("t").create("S", html="x" * 600_000)
    assert fake.calls == []


def test_create_request_is_exact() -> None:
    client = boto3.client("sesv2", region_name="us-east-1")
    ses = sesflow.SES(client=client)
    with Stubber(client) as stub:
        stub.add_response(
            "create_email_template",
            {},
            {
                "TemplateName": "welcome",
                "TemplateContent": {"Subject": "Hi {{name}}", "Html": "<b>x</b>", "Text": "x"},
            },
        )
        ses.template("welcome").create("Hi {{name}}", html="<b>x</b>", text="x")
        stub.assert_no_pending_responses()
