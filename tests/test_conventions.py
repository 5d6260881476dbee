"""The public API follows docs/conventions.md: a walk over `sesflow`, `sesflow.events`,
`sesflow.testing` and `sesflow.redis` that fails on a lifecycle verb, waiter name, argument
order, listing signature, tag name or mutable value that breaks them."""

from __future__ import annotations

import dataclasses
import inspect
import re
from collections.abc import Callable, Iterator
from types import ModuleType
from typing import Any

import pytest

import sesflow
import sesflow.events
import sesflow.redis
import sesflow.testing

MODULES = (sesflow, sesflow.events, sesflow.testing, sesflow.redis)
KEYWORD_ONLY = inspect.Parameter.KEYWORD_ONLY
POSITIONAL = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)


def _public_classes(module: ModuleType) -> list[type]:
    names = getattr(module, "__all__", [])
    return [obj for name in names if inspect.isclass(obj := getattr(module, name))]


def _public_methods() -> Iterator[tuple[str, Any]]:
    for module in MODULES:
        for cls in _public_classes(module):
            for name, member in inspect.getmembers(cls, inspect.isfunction):
                if not name.startswith("_"):
                    yield f"{module.__name__}.{cls.__name__}.{name}", member


def _positional(function: Any) -> list[str]:
    parameters = inspect.signature(function).parameters.values()
    return [p.name for p in parameters if p.kind in POSITIONAL and p.name != "self"]


RESOURCES: list[type[Any]] = [
    sesflow.Identity,
    sesflow.Domain,
    sesflow.ConfigurationSet,
    sesflow.DedicatedIpPool,
    sesflow.Tenant,
    sesflow.MultiRegionEndpoint,
    sesflow.ContactList,
    sesflow.Template,
    sesflow.VerificationTemplate,
    sesflow.IdentityPolicy,
]
#: Resources whose content is what they are for: `create()` takes it positionally.
CONTENT_FIRST: dict[type[Any], list[str]] = {
    sesflow.Template: ["subject"],
    sesflow.IdentityPolicy: ["policy"],
}


def test_the_walk_sees_the_whole_surface() -> None:
    methods = dict(_public_methods())
    assert len(methods) > 100
    assert "sesflow.Sender.send_bulk" in methods
    assert "sesflow.testing.FakeSES.client" in methods


@pytest.mark.parametrize("resource", RESOURCES, ids=lambda c: c.__name__)
def test_every_named_resource_has_the_four_verbs(resource: type[Any]) -> None:
    for verb in ("create", "refresh", "exists", "delete"):
        assert callable(getattr(resource, verb, None)), f"{resource.__name__}.{verb}"
    # refresh/exists/delete take nothing; create takes its options by keyword (a
    # template's subject and a policy are the positional exceptions: content is the point).
    for verb in ("refresh", "exists", "delete"):
        assert _positional(getattr(resource, verb)) == [], f"{resource.__name__}.{verb}"
    allowed = CONTENT_FIRST.get(resource, [])
    assert _positional(resource.create) == allowed, resource.__name__


def test_every_class_with_a_create_verb_is_a_listed_resource() -> None:
    creators = {
        cls
        for cls in _public_classes(sesflow)
        if callable(getattr(cls, "create", None)) and hasattr(cls, "name")
    }
    assert creators == set(RESOURCES)


def test_no_odd_lifecycle_verbs_remain() -> None:
    odd = {"put", "get", "load", "fetch", "remove_self", "destroy", "ensure"}
    found = [name for name, _ in _public_methods() if name.rsplit(".", 1)[1] in odd]
    # The suppression list and a contact list's contacts are collections, not named
    # resources: their get(address) is a look-up by key, as a mapping's is.
    assert found == ["sesflow.Contacts.get", "sesflow.SuppressionList.get"]


def test_waiters_are_named_wait_until_and_take_keywords() -> None:
    waiters = [(n, f) for n, f in _public_methods() if n.rsplit(".", 1)[1].startswith("wait")]
    assert len(waiters) >= 4  # Identity's and Domain's three (Domain inherits one)
    for name, function in waiters:
        assert re.fullmatch(r"wait_until_[a-z_]+", name.rsplit(".", 1)[1]), name
        parameters = inspect.signature(function).parameters
        assert _positional(function) == [], name
        for option in ("timeout", "poll_interval", "max_interval"):
            assert parameters[option].kind is KEYWORD_ONLY, (name, option)


def test_sends_take_who_then_what_and_the_rest_by_keyword() -> None:
    sender = sesflow.Sender
    assert _positional(sender.send) == ["to", "subject"]
    assert _positional(sender.send_template) == ["to", "template"]
    assert _positional(sender.send_raw) == ["message"]
    assert _positional(sender.send_bulk) == ["recipients", "template"]
    assert _positional(sender.check_bulk) == ["recipients", "template"]


def test_listings_share_one_keyword_page_size() -> None:
    listings: dict[str, Callable[..., Any]] = {
        "identities": sesflow.SES.identities,
        "configuration_sets": sesflow.SES.configuration_sets,
        "templates": sesflow.SES.templates,
        "ip_pools": sesflow.SES.ip_pools,
        "suppression_list.filter": sesflow.SuppressionList.filter,
        "verification_templates": sesflow.SES.verification_templates,
        "tenants": sesflow.SES.tenants,
        "resource_tenants": sesflow.SES.resource_tenants,
        "Tenant.resources": sesflow.Tenant.resources,
        "multi_region_endpoints": sesflow.SES.multi_region_endpoints,
        "dedicated_ips": sesflow.SES.dedicated_ips,
        "DedicatedIpPool.ips": sesflow.DedicatedIpPool.ips,
        "export_jobs": sesflow.SES.export_jobs,
        "contact_lists": sesflow.SES.contact_lists,
        "contacts.filter": sesflow.Contacts.filter,
    }
    for name, function in listings.items():
        page_size = inspect.signature(function).parameters["page_size"]
        assert page_size.kind is KEYWORD_ONLY, name
        # ListCustomVerificationEmailTemplates accepts no more than 50.
        assert page_size.default == (50 if name == "verification_templates" else 100), name


def test_message_tags_and_resource_tags_have_different_names() -> None:
    sending: list[Callable[..., Any]] = [
        sesflow.SES.sender,
        sesflow.Sender.__init__,
        sesflow.Sender.send,
        sesflow.Sender.send_template,
        sesflow.Sender.send_raw,
    ]
    for function in sending:
        parameters = inspect.signature(function).parameters
        assert "message_tags" in parameters, function.__qualname__
        assert "tags" not in parameters, function.__qualname__
    assert [f.name for f in dataclasses.fields(sesflow.Recipient)] == [
        "address",
        "data",
        "message_tags",
        "headers",
    ]
    tagged = [r for r in RESOURCES if r not in CONTENT_FIRST]  # templates, policies: no tags
    for resource in tagged:
        assert "tags" in inspect.signature(resource.create).parameters, resource.__name__
    # Nothing else in the public surface takes a parameter called plain `tags`.
    takers = {
        name
        for name, function in _public_methods()
        if "tags" in inspect.signature(function).parameters
    }
    assert takers == {f"sesflow.{c.__name__}.create" for c in tagged}


def test_public_values_are_immutable_all_the_way_down() -> None:
    mutable = re.compile(r"^(list|dict|set|bytearray)\b")
    checked = 0
    for module in MODULES:
        for cls in _public_classes(module):
            if not dataclasses.is_dataclass(cls):
                continue
            params = getattr(cls, "__dataclass_params__", None)
            if params is None or not params.frozen:
                continue
            checked += 1
            for field in dataclasses.fields(cls):
                annotation = field.type if isinstance(field.type, str) else str(field.type)
                assert not mutable.match(annotation), f"{cls.__name__}.{field.name}: {annotation}"
    assert checked >= 10


def test_bulk_statuses_are_one_enum() -> None:
    status = sesflow.BulkEmailStatus
    assert status("INVALID_RECIPIENT").is_sesflows
    assert status("AMBIGUOUS").is_sesflows
    assert not status("MESSAGE_REJECTED").is_sesflows
    annotation = {f.name: f.type for f in dataclasses.fields(sesflow.BulkFailure)}["status"]
    assert annotation == "BulkEmailStatus"
    annotation = {f.name: f.type for f in dataclasses.fields(sesflow.BulkResult)}["status"]
    assert annotation == "BulkEmailStatus"
