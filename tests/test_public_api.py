"""The public surface: `__all__` is complete, sorted, documented with examples."""

from __future__ import annotations

import inspect
import types
from typing import Any

import pytest

import sesflow
import sesflow.events
import sesflow.postgres
import sesflow.redis
import sesflow.testing


@pytest.mark.parametrize(
    "module",
    [sesflow, sesflow.testing, sesflow.events, sesflow.redis, sesflow.postgres],
    ids=lambda m: m.__name__,
)
def test_all_is_sorted_and_unique(module: types.ModuleType) -> None:
    names = list(module.__all__)
    assert names == sorted(names)
    assert len(names) == len(set(names))


@pytest.mark.parametrize(
    "module",
    [sesflow, sesflow.testing, sesflow.events, sesflow.redis, sesflow.postgres],
    ids=lambda m: m.__name__,
)
def test_all_lists_every_public_name(module: types.ModuleType) -> None:
    public = {
        name
        for name, value in vars(module).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType)
    }
    public.discard("annotations")
    assert public == set(module.__all__) - {"__version__"}
    for name in module.__all__:
        assert hasattr(module, name)


def _public_objects() -> list[tuple[str, object]]:
    found = []
    for module in (sesflow, sesflow.testing, sesflow.events, sesflow.redis, sesflow.postgres):
        for name in module.__all__:
            if name != "__version__":
                found.append((f"{module.__name__}.{name}", getattr(module, name)))
    return found


@pytest.mark.parametrize(("name", "obj"), _public_objects(), ids=lambda v: str(v)[:40])
def test_every_public_name_has_a_docstring_with_an_example(name: str, obj: object) -> None:
    if isinstance(obj, str):
        return  # a constant: documented by its `#:` comment in the reference
    doc = inspect.getdoc(obj) or ""
    assert doc, f"{name} has no docstring"
    assert "Example" in doc or ">>>" in doc, f"{name}'s docstring has no example"


def _public_members() -> list[tuple[str, object]]:
    members = []
    for cls in (
        sesflow.SES,
        sesflow.Identity,
        sesflow.Domain,
        sesflow.DnsRecords,
        sesflow.Sender,
        sesflow.Account,
        sesflow.BulkReport,
        sesflow.redis.RedisLimiter,
    ):
        for attr, value in vars(cls).items():
            if attr.startswith("_") or isinstance(value, types.MemberDescriptorType):
                continue  # dataclass fields are documented in the class's Attributes
            if isinstance(value, int | float | str):
                continue  # a constant: documented by its `#:` comment in the reference
            members.append((f"{cls.__name__}.{attr}", value))
    return members


@pytest.mark.parametrize(("name", "member"), _public_members(), ids=lambda v: str(v)[:40])
def test_every_public_method_is_documented_with_an_example(name: str, member: object) -> None:
    target = member.fget if isinstance(member, property) else member
    doc = inspect.getdoc(target) or ""
    assert ">>>" in doc, f"{name} needs a docstring with an example"


def test_version_matches_the_package_metadata() -> None:
    from importlib.metadata import version

    assert sesflow.__version__ == version("sesflow")


def test_errors_form_one_tree() -> None:
    for name in sesflow.__all__:
        obj = getattr(sesflow, name)
        if isinstance(obj, type) and issubclass(obj, BaseException):
            assert issubclass(obj, sesflow.SesflowError), name
    assert issubclass(sesflow.ValidationError, ValueError)
    assert issubclass(sesflow.NotFoundError, LookupError)
    assert issubclass(sesflow.WaiterTimeoutError, TimeoutError)


def test_enums_equal_their_ses_strings() -> None:
    assert sesflow.VerificationStatus.SUCCESS == "SUCCESS"
    assert sesflow.DkimStatus("TEMPORARY_FAILURE") is sesflow.DkimStatus.TEMPORARY_FAILURE
    assert "NOT_STARTED" not in {m.value for m in sesflow.MailFromDomainStatus}
    assert {m.value for m in sesflow.EventType} == {
        "SEND", "REJECT", "BOUNCE", "COMPLAINT", "DELIVERY", "OPEN", "CLICK",
        "RENDERING_FAILURE", "DELIVERY_DELAY", "SUBSCRIPTION",
    }  # fmt: skip


def test_enums_match_the_botocore_model() -> None:
    import botocore.session

    model = botocore.session.get_session().get_service_model("sesv2")
    pairs = {
        "VerificationStatus": sesflow.VerificationStatus,
        "DkimStatus": sesflow.DkimStatus,
        "MailFromDomainStatus": sesflow.MailFromDomainStatus,
        "BehaviorOnMxFailure": sesflow.BehaviorOnMxFailure,
        "EventType": sesflow.EventType,
        "MailType": sesflow.MailType,
        "ContactLanguage": sesflow.ContactLanguage,
        "SuppressionListReason": sesflow.SuppressionReason,
        "TlsPolicy": sesflow.TlsPolicy,
        "ReviewStatus": sesflow.ReviewStatus,
        "BulkEmailStatus": sesflow.BulkEmailStatus,
        "IdentityType": sesflow.IdentityType,
    }
    for shape_name, enum in pairs.items():
        shape: Any = model.shape_for(shape_name)
        # sesflow's own bulk statuses (INVALID_RECIPIENT, AMBIGUOUS) are not SES's.
        ses_values = {m.value for m in enum if not getattr(m, "is_sesflows", False)}
        assert set(shape.enum) == ses_values, shape_name


@pytest.mark.parametrize(
    ("module", "page"),
    [
        (sesflow, "sesflow.md"),
        (sesflow.testing, "testing.md"),
        (sesflow.events, "events.md"),
        (sesflow.redis, "redis.md"),
        (sesflow.postgres, "postgres.md"),
    ],
    ids=["sesflow", "sesflow.testing", "sesflow.events", "sesflow.redis", "sesflow.postgres"],
)
def test_the_api_reference_lists_every_public_name(module: types.ModuleType, page: str) -> None:
    from pathlib import Path

    text = (Path(__file__).parent.parent / "docs" / "reference" / page).read_text()
    listed = {line.strip()[2:] for line in text.splitlines() if line.strip().startswith("- ")}
    assert listed == set(module.__all__) - {"__version__"}
