"""The fake's own SES v2 model, and the routes botocores of every supported age send.

White-box: the fake answers from its copy of the newest `sesv2` model, plus the legacy
routes older botocores use and whatever the installed botocore routes differently. These tests
run on the newest botocore and, in `make unit-min`, on sesflow's supported minimum, where the
installed model really is older.
"""

from __future__ import annotations

import json
import re
from typing import Any

import botocore
import pytest
from botocore.model import ServiceModel

from sesflow.testing import FakeSES
from sesflow.testing._codec import RouteAlias, _route, aliases_between, decode_request
from sesflow.testing._mime import strip_headers
from sesflow.testing._model import (
    LEGACY_ROUTES,
    installed_sesv2_model,
    model_source,
    route_aliases,
    sesv2_model,
)


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split(".")[:3] if part.isdigit())


def _routes(model: ServiceModel) -> dict[str, tuple[str, str]]:
    return {
        name: (
            str(model.operation_model(name).http.get("method", "POST")),
            str(model.operation_model(name).http["requestUri"]),
        )
        for name in model.operation_names
    }


def test_the_fake_answers_from_its_own_copy_of_the_newest_model() -> None:
    ours = sesv2_model()
    installed = installed_sesv2_model()
    source = model_source()
    assert source["license"] == "Apache-2.0"
    # Never older than the botocore it runs beside... unless that botocore is newer than
    # the copy, in which case its routes are answered too (route_aliases()).
    newer = set(installed.operation_names) - set(ours.operation_names)
    assert not newer or _version(botocore.__version__) > _version(source["botocore"])
    assert {"UpdateConfigurationSet", "PutConfigurationSetArchivingOptions"} <= set(
        ours.operation_names
    )
    assert set(FakeSES.implemented_operations()) <= set(ours.operation_names)


def test_every_route_the_installed_botocore_sends_is_answered() -> None:
    """Whatever botocore runs these tests, each of its sesv2 routes reaches its operation."""
    installed = installed_sesv2_model()
    ours = sesv2_model()
    checked = 0
    for name, (method, uri) in _routes(installed).items():
        if name not in ours.operation_names:
            continue  # newer than the copy: answered 404, never as another operation
        template, _, static = uri.partition("?")
        path = re.sub(r"\{[^}]+\}", "x", template)
        query = {
            key: [value] for key, _, value in (p.partition("=") for p in static.split("&") if p)
        }
        operation, _, _ = _route(ours, method, path, query, route_aliases())
        assert operation.name == name, (method, uri)
        checked += 1
    assert checked >= 100


def test_the_legacy_table_agrees_with_the_installed_botocore() -> None:
    """On a botocore that routes an operation differently from the copy, the legacy table
    (hand-written from the models of botocore 1.34 to 1.44) says the same."""
    legacy = {(a.operation, a.method, a.request_uri): set(a.bindings) for a in LEGACY_ROUTES}
    for alias in aliases_between(sesv2_model(), installed_sesv2_model()):
        key = (alias.operation, alias.method, alias.request_uri)
        assert key in legacy, (
            f"botocore {botocore.__version__} sends {key}; add it to LEGACY_ROUTES"
        )
        bound = {binding for binding in alias.bindings if binding[1] is not None}
        assert legacy[key] == bound


_DKIM: Any = {"SigningAttributesOrigin": "AWS_SES"}
_OPT_IN: Any = {"Filter": {"FilteredStatus": "OPT_IN"}}
_OLD_AND_NEW: list[tuple[str, str, str, Any, str, dict[str, Any]]] = [
    # (method, path, query, JSON body, operation, parameters)
    ("GET", "/v2/email/identities", "PageSize=5&NextToken=t", None,
     "ListEmailIdentities", {"PageSize": 5, "NextToken": "t"}),
    ("POST", "/v2/email/list-identities", "", {"PageSize": 5},
     "ListEmailIdentities", {"PageSize": 5}),
    ("GET", "/v2/email/configuration-sets", "PageSize=2", None,
     "ListConfigurationSets", {"PageSize": 2}),
    ("POST", "/v2/email/list-configuration-sets", "", {}, "ListConfigurationSets", {}),
    ("PUT", "/v1/email/identities/example.com/dkim/signing", "", _DKIM,
     "PutEmailIdentityDkimSigningAttributes", {"EmailIdentity": "example.com", **_DKIM}),
    ("PUT", "/v2/email/identities/example.com/dkim/signing", "", _DKIM,
     "PutEmailIdentityDkimSigningAttributes", {"EmailIdentity": "example.com", **_DKIM}),
    ("GET", "/v2/email/contact-lists/news/contacts", "PageSize=3", _OPT_IN,
     "ListContacts", {"ContactListName": "news", "PageSize": 3, **_OPT_IN}),
]  # fmt: skip


@pytest.mark.parametrize(("method", "path", "query", "body", "operation", "params"), _OLD_AND_NEW)
def test_old_and_new_routes_decode_alike(
    method: str, path: str, query: str, body: Any, operation: str, params: dict[str, Any]
) -> None:
    raw = b"" if body is None else json.dumps(body).encode()
    decoded = decode_request(sesv2_model(), method, path, query, {}, raw, aliases=route_aliases())
    assert decoded == (operation, params)


def test_an_alias_answers_only_what_the_model_does_not() -> None:
    # An alias that claims a route of the model itself never wins.
    clash = RouteAlias("ListConfigurationSets", "GET", "/v2/email/identities/{EmailIdentity}")
    name, params = decode_request(
        sesv2_model(), "GET", "/v2/email/identities/a@b.c", "", {}, b"", aliases=(clash,)
    )
    assert (name, params) == ("GetEmailIdentity", {"EmailIdentity": "a@b.c"})


def test_the_fake_pages_over_both_listing_routes() -> None:
    fake = FakeSES()
    for name in ("a.example", "b.example", "c.example"):
        fake.verify(name)
    status, _, body = fake.dispatch("GET", "/v2/email/identities?PageSize=2", {}, b"")
    first = json.loads(body)
    status, _, body = fake.dispatch(
        "POST",
        "/v2/email/list-identities",
        {},
        json.dumps({"PageSize": 2, "NextToken": first["NextToken"]}).encode(),
    )
    rest = json.loads(body)
    assert status == 200
    names = [i["IdentityName"] for i in first["EmailIdentities"] + rest["EmailIdentities"]]
    assert names == ["a.example", "b.example", "c.example"]


@pytest.mark.parametrize(
    ("raw", "stripped"),
    [
        (b"X-SES-CONFIGURATION-SET: a\r\nSubject: Hi\r\n\r\nX-SES-MESSAGE-TAGS: body\r\n",
         b"Subject: Hi\r\n\r\nX-SES-MESSAGE-TAGS: body\r\n"),
        (b"Subject: Hi\nx-ses-message-tags: a=b,\n c=d\nTo: x@y.z\n\nbody",
         b"Subject: Hi\nTo: x@y.z\n\nbody"),
        (b"X-SES-FROM-ARN: arn\r\nX-Other: 1", b"X-Other: 1"),
    ],
)  # fmt: skip
def test_ses_headers_are_stripped_byte_for_byte(raw: bytes, stripped: bytes) -> None:
    assert strip_headers(raw) == stripped
