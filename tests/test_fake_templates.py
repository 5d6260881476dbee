"""FakeSES templates: CRUD, listing, validation, and rendering like SES's Handlebars."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import json
from collections.abc import Callable
from email.message import EmailMessage
from typing import TYPE_CHECKING, Any

import pytest
from botocore.exceptions import ClientError

from conftest import needs_sesv2
from sesflow.testing import FakeClock, FakeSES
from sesflow.testing import _templates as templates_module
from sesflow.testing._render import TemplateRenderError, TemplateSyntaxError, check, render

if TYPE_CHECKING:
    from types_boto3_sesv2 import SESV2Client

WALL = 1_700_000_000.0


@pytest.fixture
def fake() -> FakeSES:
    return FakeSES(clock=FakeClock(), wall_clock=lambda: WALL, seed=3)


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


def _create(client: SESV2Client, name: str = "welcome", **content: str) -> None:
    body = content or {
        "Subject": "Hi {{name}}",
        "Text": "Hello {{name}}",
        "Html": "<p>Hello {{name}}</p>",
    }
    client.create_email_template(TemplateName=name, TemplateContent=body)  # type: ignore[arg-type]


def _rendered(client: SESV2Client, name: str, data: dict[str, Any]) -> EmailMessage:
    text = client.test_render_email_template(TemplateName=name, TemplateData=json.dumps(data))
    message = email.message_from_string(text["RenderedTemplate"], policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


def _part(message: EmailMessage, subtype: str) -> str:
    part = message.get_body((subtype,))
    assert part is not None
    content = part.get_content()
    assert isinstance(content, str)
    # MIME lines end in CRLF, as in SES's answer.
    return content.replace("\r\n", "\n").rstrip("\n")


# --- create, get, update, delete -----------------------------------------------------------


@needs_sesv2("CreateEmailTemplateRequest.Tags")
def test_a_template_round_trips(client: SESV2Client) -> None:
    client.create_email_template(
        TemplateName="welcome",
        TemplateContent={"Subject": "Hi", "Text": "Hello", "Html": "<p>Hello</p>"},
        Tags=[{"Key": "team", "Value": "growth"}],
    )
    got = client.get_email_template(TemplateName="welcome")
    assert got["TemplateName"] == "welcome"
    assert got["TemplateContent"] == {"Subject": "Hi", "Text": "Hello", "Html": "<p>Hello</p>"}
    assert got["Tags"] == [{"Key": "team", "Value": "growth"}]


def test_a_part_never_given_is_absent(client: SESV2Client) -> None:
    _create(client, Subject="Hi", Text="Hello")
    assert client.get_email_template(TemplateName="welcome")["TemplateContent"] == {
        "Subject": "Hi",
        "Text": "Hello",
    }


def test_creating_twice_is_already_exists(client: SESV2Client) -> None:
    _create(client)
    with pytest.raises(ClientError) as caught:
        _create(client)
    assert _error(caught)[:2] == ("AlreadyExistsException", 400)


def test_update_replaces_the_content(client: SESV2Client) -> None:
    _create(client)
    client.update_email_template(
        TemplateName="welcome", TemplateContent={"Subject": "New", "Text": "Body"}
    )
    assert client.get_email_template(TemplateName="welcome")["TemplateContent"] == {
        "Subject": "New",
        "Text": "Body",
    }


def test_delete_then_every_verb_is_not_found(client: SESV2Client) -> None:
    _create(client)
    client.delete_email_template(TemplateName="welcome")
    calls: list[Callable[[], object]] = [
        lambda: client.get_email_template(TemplateName="welcome"),
        lambda: client.delete_email_template(TemplateName="welcome"),
        lambda: client.update_email_template(
            TemplateName="welcome", TemplateContent={"Subject": "x"}
        ),
        lambda: client.test_render_email_template(TemplateName="welcome", TemplateData="{}"),
    ]
    for call in calls:
        with pytest.raises(ClientError) as caught:
            call()
        code, status, message = _error(caught)
        assert (code, status) == ("NotFoundException", 404)
        assert "welcome" in message


# --- validation ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["x" * 65, "has space", "dot.ted", "ünï"])
def test_template_names_are_checked(client: SESV2Client, name: str) -> None:
    with pytest.raises(ClientError) as caught:
        _create(client, name, Subject="Hi")
    assert _error(caught)[:2] == ("BadRequestException", 400)


def test_a_64_character_name_of_every_allowed_kind_is_fine(client: SESV2Client) -> None:
    name = ("Ab9-_" * 13)[:64]
    _create(client, name, Subject="Hi")
    assert client.get_email_template(TemplateName=name)["TemplateName"] == name


def test_a_subject_is_required(client: SESV2Client) -> None:
    with pytest.raises(ClientError) as caught:
        _create(client, Text="Body only")
    code, status, message = _error(caught)
    assert (code, status) == ("BadRequestException", 400)
    assert "subject" in message


def test_templates_are_at_most_500_kb(client: SESV2Client) -> None:
    budget = 500 * 1024 - len("Hi")
    _create(client, "fits", Subject="Hi", Html="x" * budget)
    with pytest.raises(ClientError) as caught:
        _create(client, "too-big", Subject="Hi", Html="x" * (budget + 1))
    assert _error(caught)[:2] == ("BadRequestException", 400)


def test_a_malformed_template_is_refused(client: SESV2Client) -> None:
    with pytest.raises(ClientError) as caught:
        _create(client, Subject="Hi", Text="{{#if vip}}never closed")
    code, _, message = _error(caught)
    assert code == "BadRequestException"
    assert "never closed" in message


def test_the_region_holds_at_most_so_many_templates(
    client: SESV2Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(templates_module, "_MAX_TEMPLATES", 2)
    _create(client, "one", Subject="x")
    _create(client, "two", Subject="x")
    with pytest.raises(ClientError) as caught:
        _create(client, "three", Subject="x")
    assert _error(caught)[:2] == ("LimitExceededException", 400)


# --- listing -------------------------------------------------------------------------------


def test_listing_pages_through_every_template_with_its_creation_time(
    client: SESV2Client,
) -> None:
    names = [f"t{i}" for i in range(5)]
    for name in names:
        _create(client, name, Subject="x")
    seen: list[str] = []
    kwargs: dict[str, Any] = {"PageSize": 2}
    pages = 0
    while True:
        page = client.list_email_templates(**kwargs)
        pages += 1
        for item in page["TemplatesMetadata"]:
            seen.append(item["TemplateName"])
            assert item["CreatedTimestamp"] == dt.datetime.fromtimestamp(WALL, dt.UTC)
        if "NextToken" not in page:
            break
        kwargs["NextToken"] = page["NextToken"]
    assert seen == names
    assert pages == 3


def test_an_empty_listing(client: SESV2Client) -> None:
    page = client.list_email_templates()
    assert page["TemplatesMetadata"] == []
    assert "NextToken" not in page


def test_a_foreign_next_token_is_refused(client: SESV2Client) -> None:
    with pytest.raises(ClientError) as caught:
        client.list_email_templates(NextToken="bm9wZQ==")
    assert _error(caught)[:2] == ("BadRequestException", 400)


# --- TestRenderEmailTemplate ---------------------------------------------------------------


def test_rendering_gives_a_mime_message_with_subject_and_parts(client: SESV2Client) -> None:
    _create(client)
    message = _rendered(client, "welcome", {"name": "Ana"})
    assert message["Subject"] == "Hi Ana"
    assert message["Date"] is not None
    assert message["MIME-Version"] == "1.0"
    assert message.get_content_type() == "multipart/alternative"
    assert _part(message, "plain") == "Hello Ana"
    assert _part(message, "html") == "<p>Hello Ana</p>"


def test_html_parts_escape_values_and_triple_braces_do_not(client: SESV2Client) -> None:
    _create(
        client,
        Subject="{{who}}",
        Text="{{who}}",
        Html="<p>{{who}}</p>{{{banner}}}",
    )
    message = _rendered(client, "welcome", {"who": "<Tom & 'Jerry'>", "banner": "<b>sale</b>"})
    assert message["Subject"] == "<Tom & 'Jerry'>"
    assert _part(message, "plain") == "<Tom & 'Jerry'>"
    assert _part(message, "html") == "<p>&lt;Tom &amp; &#x27;Jerry&#x27;&gt;</p><b>sale</b>"


def test_dotted_names_reach_into_objects(client: SESV2Client) -> None:
    _create(client, Subject="Order {{order.id}}", Text="for {{ order.customer.name }}")
    message = _rendered(client, "welcome", {"order": {"id": 7, "customer": {"name": "Li"}}})
    assert message["Subject"] == "Order 7"
    assert _part(message, "plain") == "for Li"


def test_a_text_only_template_renders_a_single_part(client: SESV2Client) -> None:
    _create(client, Subject="Hi", Text="Grüße {{name}}")
    message = _rendered(client, "welcome", {"name": "Jörg"})
    assert message.get_content_type() == "text/plain"
    assert _part(message, "plain") == "Grüße Jörg"


@pytest.mark.parametrize(
    ("text", "data", "missing"),
    [
        ("Hi {{name}}", {}, "name"),
        ("{{order.id}}", {"order": {}}, "order.id"),
        ("{{order.id}}", {"order": "flat"}, "order.id"),
        ("{{{raw}}}", {"name": "x"}, "raw"),
    ],
)
def test_a_missing_variable_is_a_bad_request_naming_it(
    client: SESV2Client, text: str, data: dict[str, Any], missing: str
) -> None:
    _create(client, Subject="Hi", Text=text)
    with pytest.raises(ClientError) as caught:
        client.test_render_email_template(TemplateName="welcome", TemplateData=json.dumps(data))
    code, status, message = _error(caught)
    assert (code, status) == ("BadRequestException", 400)
    assert message == f"Attribute '{missing}' is not present in the rendering data."


@pytest.mark.parametrize("data", ["not json", "[1, 2]", '"text"', "null"])
def test_template_data_must_be_a_json_object(client: SESV2Client, data: str) -> None:
    _create(client)
    with pytest.raises(ClientError) as caught:
        client.test_render_email_template(TemplateName="welcome", TemplateData=data)
    code, status, message = _error(caught)
    assert (code, status) == ("BadRequestException", 400)
    assert "template data is invalid" in message


def test_blocks_render_through_the_api(client: SESV2Client) -> None:
    _create(
        client,
        Subject="{{#if vip}}VIP {{/if}}news",
        Text="{{#each items}}{{@index}}:{{name}};{{else}}none{{/each}}{{! a note }}",
    )
    message = _rendered(client, "welcome", {"vip": True, "items": [{"name": "a"}, {"name": "b"}]})
    assert message["Subject"] == "VIP news"
    assert _part(message, "plain") == "0:a;1:b;"
    message = _rendered(client, "welcome", {"items": []})
    assert message["Subject"] == "news"
    assert _part(message, "plain") == "none"


def test_an_unsupported_helper_is_refused_loudly(client: SESV2Client) -> None:
    _create(client, Subject="Hi", Text="{{> footer}}")
    with pytest.raises(NotImplementedError, match="footer"):
        client.test_render_email_template(TemplateName="welcome", TemplateData="{}")


# --- the renderer itself -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("template", "data", "expected"),
    [
        ("{{a}}", {"a": None}, ""),
        ("{{a}}/{{b}}/{{c}}", {"a": True, "b": 1.5, "c": 3}, "true/1.5/3"),
        ("{{a}}", {"a": [1, "x"]}, '[1,"x"]'),
        ("{{#unless a}}no{{else}}yes{{/unless}}", {"a": 0}, "no"),
        ("{{#unless a}}no{{else}}yes{{/unless}}", {"a": "x"}, "yes"),
        ("{{#if a}}y{{else}}n{{/if}}", {"a": ""}, "n"),
        ("{{#if a}}y{{else}}n{{/if}}", {}, "n"),
        ("{{#if a}}y{{else}}n{{/if}}", {"a": []}, "n"),
        ("{{#if a}}y{{else}}n{{/if}}", {"a": [0]}, "y"),
        ("{{#each a}}{{@key}}={{this}},{{/each}}", {"a": {"x": 1, "y": 2}}, "x=1,y=2,"),
        ("{{#each a}}{{this.n}}{{/each}}", {"a": [{"n": 1}, {"n": 2}]}, "12"),
        ("a{{!-- {{nope}} --}}b", {}, "ab"),
        ("{{#each a}}{{#if this}}[{{this}}]{{/if}}{{/each}}", {"a": [0, 1, 2]}, "[1][2]"),
    ],
)
def test_the_handlebars_subset(template: str, data: dict[str, Any], expected: str) -> None:
    assert render(template, data, html=False) == expected


def test_html_escaping_covers_what_handlebars_escapes() -> None:
    assert render("{{x}}", {"x": "&<>\"'`="}, html=True) == "&amp;&lt;&gt;&quot;&#x27;&#x60;&#x3D;"
    assert render("{{x}}", {"x": "&<>"}, html=False) == "&<>"


def test_a_missing_name_inside_each_names_it() -> None:
    with pytest.raises(TemplateRenderError, match="'price'"):
        render("{{#each items}}{{price}}{{/each}}", {"items": [{"name": "a"}]}, html=False)


@pytest.mark.parametrize("template", ["{{/if}}", "{{#if a}}x{{/each}}", "{{else}}", "{{#each a}}"])
def test_malformed_templates_are_syntax_errors(template: str) -> None:
    with pytest.raises(TemplateSyntaxError):
        check(template)


def test_an_unsupported_block_still_nests_but_cannot_render() -> None:
    check("{{#with a}}{{b}}{{/with}}")
    with pytest.raises(NotImplementedError, match="#with"):
        render("x{{#with a}}{{b}}{{/with}}", {"a": {"b": 1}}, html=False)
