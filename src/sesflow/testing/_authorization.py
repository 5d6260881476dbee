"""Sending authorization: identity policies, and sends on behalf of another account.

Policies are checked as SES checks them (SES Developer Guide, "policy anatomy"): a JSON
object of at most 4 KB with at least one statement; each statement has `Effect` `Allow` or
`Deny`, a valid principal (an account id, an IAM ARN, `*`, or an AWS service), SES actions,
and one resource, the ARN of the identity the policy is attached to; conditions use IAM's
operators on the keys SES implements. A name is 1-64 letters, digits, `-` or `_`; an identity
has at most 20 policies. The policy operations answer only for a verified identity.

A send that names an identity by ARN (`FromEmailAddressIdentityArn`) of another account is
allowed when that identity is verified and its policies allow the sending account: an explicit
`Deny` wins, else any matching `Allow` grants, else SES answers HTTP 403
`AccessDeniedException`. The other account is another `FakeSES` in the same region, joined
with `FakeSES.link()`. The fake does not model IAM users or roles: a request comes from the
sending account as a whole, which matches its account id, its root ARN, and any IAM ARN of
that account; it comes from 127.0.0.1 over HTTPS (`aws:SourceIp`, `aws:SecureTransport`) and
never from a VPC. `SendEmail` needs `ses:SendEmail` (Simple content), `ses:SendRawEmail` (Raw)
or `ses:SendTemplatedEmail` (Template); `SendBulkEmail` needs `ses:SendBulkTemplatedEmail`.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sesflow.testing._context import Context
from sesflow.testing._fake import FakeError, Handlers, operation
from sesflow.testing._identities import FakeIdentity, IdentityStore

__all__ = [
    "Authorizer",
    "IdentityPolicyHandlers",
    "SendRequest",
    "check_policy",
    "evaluate",
    "parse_identity_arn",
]

MAX_POLICIES = 20
MAX_POLICY_BYTES = 4096
_POLICY_NAME = re.compile(r"[A-Za-z0-9_-]{1,64}\Z")
_IDENTITY_ARN = re.compile(
    r"arn:aws[\w-]*:ses:(?P<region>[\w-]+):(?P<account>\d{12}):identity/(?P<name>.+)\Z"
)
_ACCOUNT = re.compile(r"\d{12}\Z")
_IAM_ARN = re.compile(r"arn:aws[\w-]*:(?:iam|sts)::(?P<account>\d{12}):\S+\Z")
_SERVICE = re.compile(r"[a-z0-9.-]+\.amazonaws\.com(\.cn)?\Z")
SEND_ACTIONS = frozenset(
    {"ses:SendEmail", "ses:SendRawEmail", "ses:SendTemplatedEmail", "ses:SendBulkTemplatedEmail"}
)
# What an identity policy's Action may name (SES Developer Guide), SES v2's bulk action too.
_ACTIONS = SEND_ACTIONS | {
    "ses:SendBulkEmail",
    "ses:BatchGetMetricData",
    "ses:CancelExportJob",
    "ses:CreateDeliverabilityTestReport",
    "ses:CreateEmailIdentityPolicy",
    "ses:CreateExportJob",
    "ses:DeleteEmailIdentity",
    "ses:DeleteEmailIdentityPolicy",
    "ses:GetDomainStatisticsReport",
    "ses:GetEmailIdentity",
    "ses:GetEmailIdentityPolicies",
    "ses:GetExportJob",
    "ses:ListExportJobs",
    "ses:ListRecommendations",
    "ses:PutEmailIdentityConfigurationSetAttributes",
    "ses:PutEmailIdentityDkimAttributes",
    "ses:PutEmailIdentityDkimSigningAttributes",
    "ses:PutEmailIdentityFeedbackAttributes",
    "ses:PutEmailIdentityMailFromAttributes",
    "ses:TagResource",
    "ses:UntagResource",
    "ses:UpdateEmailIdentityPolicy",
}
# The condition keys SES implements: its own, and these AWS-wide ones.
_KEYS = frozenset(
    {
        "ses:recipients",
        "ses:fromaddress",
        "ses:fromdisplayname",
        "ses:feedbackaddress",
        "aws:currenttime",
        "aws:epochtime",
        "aws:securetransport",
        "aws:sourceip",
        "aws:sourcevpc",
        "aws:sourcevpce",
        "aws:useragent",
        "aws:vpcsourceip",
    }
)
_STRING = {
    "StringEquals": (False, False, False),
    "StringNotEquals": (True, False, False),
    "StringEqualsIgnoreCase": (False, True, False),
    "StringNotEqualsIgnoreCase": (True, True, False),
    "StringLike": (False, False, True),
    "StringNotLike": (True, False, True),
}
_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "Equals": lambda a, b: a == b,
    "NotEquals": lambda a, b: a != b,
    "LessThan": lambda a, b: a < b,
    "LessThanEquals": lambda a, b: a <= b,
    "GreaterThan": lambda a, b: a > b,
    "GreaterThanEquals": lambda a, b: a >= b,
}
_OPERATORS = frozenset(
    {*_STRING, "Bool", "IpAddress", "NotIpAddress", "Null"}
    | {f"Date{name}" for name in _COMPARE}
    | {f"Numeric{name}" for name in _COMPARE}
)
_SOURCE_IP = "127.0.0.1"


def parse_identity_arn(arn: str, where: str) -> tuple[str, str, str]:
    """`(region, account, identity)` of an identity ARN; `BadRequestException` if not one."""
    match = _IDENTITY_ARN.match(arn)
    if match is None:
        raise FakeError("BadRequestException", f"{where} is not a valid identity ARN: {arn}")
    return match["region"], match["account"], match["name"]


def _listed(value: object) -> list[Any]:
    return list(value) if isinstance(value, list) else [value]


def _bad(message: str) -> FakeError:
    return FakeError("BadRequestException", f"Invalid policy: {message}")


def _check_principal(principal: object) -> None:
    if principal == "*":
        return
    if not isinstance(principal, dict) or not principal:
        raise _bad('Principal must be "*" or an object with AWS or Service.')
    for kind, values in principal.items():
        for value in _listed(values):
            if not isinstance(value, str):
                raise _bad(f"invalid principal {value!r}.")
            if kind == "AWS" and (value == "*" or _ACCOUNT.match(value) or _IAM_ARN.match(value)):
                continue
            if kind == "Service" and _SERVICE.match(value):
                continue
            raise _bad(f"invalid principal {kind}: {value}.")


def _check_actions(actions: object) -> None:
    listed = _listed(actions)
    if not listed:
        raise _bad("Action must not be empty.")
    for action in listed:
        if not isinstance(action, str) or not any(
            _like(known.lower(), action.lower()) for known in _ACTIONS
        ):
            raise _bad(f"unsupported action {action!r}.")


def _check_condition(condition: object) -> None:
    if not isinstance(condition, dict):
        raise _bad("Condition must be an object.")
    for operator_name, block in condition.items():
        base = _base_operator(str(operator_name))
        if base not in _OPERATORS:
            raise _bad(f"unsupported condition operator {operator_name}.")
        if not isinstance(block, dict) or not block:
            raise _bad(f"the {operator_name} condition must map keys to values.")
        for key, values in block.items():
            if str(key).lower() not in _KEYS:
                raise _bad(f"unsupported condition key {key}.")
            for value in _listed(values):
                if not isinstance(value, str | int | float | bool):
                    raise _bad(f"invalid value for {key}.")


def _base_operator(name: str) -> str:
    _, _, base = name.rpartition(":")
    return base.removesuffix("IfExists")


def check_policy(text: str, identity_arn: str) -> dict[str, Any]:
    """Parse and check a policy as SES does; `BadRequestException` naming what is wrong.

    Examples:
        >>> arn = "arn:aws:ses:us-east-1:123456789012:identity/example.com"
        >>> check_policy(json.dumps({"Statement": [{"Effect": "Allow", "Resource": arn,
        ...     "Principal": {"AWS": "111122223333"}, "Action": "ses:SendEmail"}]}), arn)[
        ...     "Statement"][0]["Effect"]
        'Allow'
    """
    size = len(text.encode("utf-8"))
    if size > MAX_POLICY_BYTES:
        raise _bad(f"the policy is {size} bytes; policies may be at most {MAX_POLICY_BYTES}.")
    try:
        document = json.loads(text)
    except ValueError:
        raise _bad("the policy is not valid JSON.") from None
    if not isinstance(document, dict):
        raise _bad("the policy must be a JSON object.")
    statements = _listed(document.get("Statement"))
    if not statements or statements == [None]:
        raise _bad("the policy must have at least one statement.")
    for statement in statements:
        if not isinstance(statement, dict):
            raise _bad("each statement must be an object.")
        if statement.get("Effect") not in ("Allow", "Deny"):
            raise _bad("Effect must be Allow or Deny.")
        if "Principal" not in statement:
            raise _bad("each statement must have a Principal.")
        _check_principal(statement["Principal"])
        resources = _listed(statement.get("Resource"))
        if resources != [identity_arn]:
            raise _bad(
                f"Resource must be the ARN of the identity the policy is attached to "
                f"({identity_arn})."
            )
        _check_actions(statement.get("Action"))
        if "Condition" in statement:
            _check_condition(statement["Condition"])
    return document


@dataclass(frozen=True)
class SendRequest:
    """What a policy is evaluated against: one send, by one account."""

    account: str
    action: str
    from_address: str
    from_display_name: str | None
    recipients: tuple[str, ...]
    feedback_address: str | None
    now: dt.datetime

    def context(self) -> dict[str, list[str]]:
        """The condition keys this request has, lower-cased, each with its values."""
        values: dict[str, list[str]] = {
            "ses:fromaddress": [self.from_address],
            "ses:recipients": list(self.recipients),
            "aws:currenttime": [self.now.strftime("%Y-%m-%dT%H:%M:%SZ")],
            "aws:epochtime": [str(int(self.now.timestamp()))],
            "aws:securetransport": ["true"],
            "aws:sourceip": [_SOURCE_IP],
        }
        if self.from_display_name:
            values["ses:fromdisplayname"] = [self.from_display_name]
        if self.feedback_address:
            values["ses:feedbackaddress"] = [self.feedback_address]
        return values


def _like(value: str, pattern: str) -> bool:
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, value, re.DOTALL) is not None


def _time(value: str) -> dt.datetime | None:
    try:
        if re.fullmatch(r"\d+(\.\d+)?", value):
            return dt.datetime.fromtimestamp(float(value), dt.UTC)
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def _number(value: str) -> float | None:
    try:
        return float(value)
    except ValueError:
        return None


def _one(base: str, actual: str, expected: str) -> bool:
    """Whether one request value satisfies one policy value under a positive `base`."""
    if base in _STRING:
        _, fold, like = _STRING[base]
        if fold:
            actual, expected = actual.lower(), expected.lower()
        return _like(actual, expected) if like else actual == expected
    if base == "Bool":
        return actual.lower() == expected.lower()
    if base == "IpAddress":
        try:
            return ipaddress.ip_address(actual) in ipaddress.ip_network(expected, strict=False)
        except ValueError:
            return False
    for prefix, convert in (("Date", _time), ("Numeric", _number)):
        if base.startswith(prefix):
            left, right = convert(actual), convert(expected)
            if left is None or right is None:
                return False
            return _COMPARE[base[len(prefix) :]](left, right)
    return False  # pragma: no cover - check_policy admits no other operator


def _negated(base: str) -> str | None:
    """The positive operator a negated one inverts (`StringNotLike` -> `StringLike`)."""
    if base in _STRING and _STRING[base][0]:
        return base.replace("Not", "", 1)
    if base == "NotIpAddress":
        return "IpAddress"
    return None


def _condition_holds(
    operator_name: str, key: str, expected: list[str], request: SendRequest
) -> bool:
    """IAM's rules for one key of one condition operator."""
    qualifier, _, rest = operator_name.rpartition(":")
    if_exists = rest.endswith("IfExists")
    base = rest.removesuffix("IfExists")
    actual = request.context().get(key.lower())
    if base == "Null":
        return (actual is None) == (str(expected[0]).lower() == "true")
    positive = _negated(base)
    test = positive or base

    def matches(value: str) -> bool:
        return any(_one(test, value, e) for e in expected)

    if actual is None:
        # A key the request lacks: ForAllValues, ...IfExists and negated operators hold.
        if qualifier == "ForAllValues":
            return True
        if qualifier == "ForAnyValue":
            return False
        return if_exists or positive is not None
    if qualifier == "ForAllValues":
        return all(matches(v) != bool(positive) for v in actual)
    if qualifier == "ForAnyValue":
        return any(matches(v) != bool(positive) for v in actual)
    found = any(matches(v) for v in actual)
    return not found if positive else found


def _principal_matches(principal: object, account: str) -> bool:
    if principal == "*":
        return True
    if not isinstance(principal, dict):
        return False
    for value in _listed(principal.get("AWS", [])):
        if value in ("*", account):
            return True
        match = _IAM_ARN.match(str(value))
        if match is not None and match["account"] == account:
            return True
    return False


def _statement_applies(statement: Mapping[str, Any], request: SendRequest) -> bool:
    if not _principal_matches(statement.get("Principal"), request.account):
        return False
    if not any(
        _like(request.action.lower(), str(a).lower()) for a in _listed(statement.get("Action"))
    ):
        return False
    condition: Mapping[str, Mapping[str, Any]] = statement.get("Condition") or {}
    return all(
        _condition_holds(operator_name, key, [str(v) for v in _listed(values)], request)
        for operator_name, block in condition.items()
        for key, values in block.items()
    )


def evaluate(policies: Iterable[str], request: SendRequest) -> bool:
    """Whether `policies` (JSON texts) let `request` through: any `Deny` that applies wins,
    else any `Allow` that applies grants.

    Examples:
        >>> allow = json.dumps({"Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"},
        ...     "Action": "ses:Send*", "Resource": "arn"}]})
        >>> now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
        >>> evaluate([allow], SendRequest("111122223333", "ses:SendEmail", "a@example.com",
        ...                               None, ("b@example.org",), None, now))
        True
    """
    allowed = False
    for text in policies:
        document = json.loads(text)
        for statement in _listed(document.get("Statement")):
            if not _statement_applies(statement, request):
                continue
            if statement.get("Effect") == "Deny":
                return False
            allowed = True
    return allowed


def _covers(identity: str, address: str) -> bool:
    if "@" in identity:
        local, _, domain = identity.rpartition("@")
        return address == f"{local}@{domain.lower()}"
    domain = address.rpartition("@")[2].lower()
    return domain == identity.lower() or domain.endswith("." + identity.lower())


class Authorizer:
    """Which identity a send may use when it names one by ARN, and whether it may.

    Args:
        context: The fake's region, account and clocks.
        identities: This account's identities.
        owners: The identity store of another account linked with this one (`FakeSES.link`),
            or `None` for an account the fake does not know.
    """

    def __init__(
        self,
        context: Context,
        identities: IdentityStore,
        owners: Callable[[str], IdentityStore | None],
    ) -> None:
        self._context = context
        self._identities = identities
        self._owners = owners

    def identity(
        self,
        arn: str,
        address: str,
        *,
        where: str,
        request: SendRequest,
    ) -> tuple[FakeIdentity | None, IdentityStore]:
        """The verified identity `arn` names for `address` (None if it is not verified), and
        the store it lives in; `AccessDeniedException` when its policies refuse `request`."""
        region, account, name = parse_identity_arn(arn, where)
        if region != self._context.region:
            raise FakeError(
                "BadRequestException",
                f"{where} names an identity in {region}; this request was made in "
                f"{self._context.region}.",
            )
        if not _covers(name, address):
            # An identity that does not cover the address verifies nothing for it.
            return None, self._identities
        if account == self._context.account_id:
            return self._identities.verified(name), self._identities
        store = self._owners(account)
        identity = None if store is None else store.lookup(name)
        if store is None or identity is None:
            raise _denied(request, arn)
        store.settle(identity, poll=False)
        if not evaluate(identity.policies.values(), request):
            raise _denied(request, arn)
        return (identity if identity.verified_for_sending else None), store


def _denied(request: SendRequest, arn: str) -> FakeError:
    return FakeError(
        "AccessDeniedException",
        f"User `arn:aws:iam::{request.account}:root' is not authorized to perform "
        f"`{request.action}' on resource `{arn}'",
        403,
    )


class IdentityPolicyHandlers(Handlers):
    """`CreateEmailIdentityPolicy`, `GetEmailIdentityPolicies`, `UpdateEmailIdentityPolicy`,
    `DeleteEmailIdentityPolicy`: the policies live on each `FakeIdentity` (`policies`)."""

    def __init__(self, identities: IdentityStore, context: Context) -> None:
        self._identities = identities
        self._context = context

    def _identity(self, params: Mapping[str, Any]) -> FakeIdentity:
        name = params["EmailIdentity"]
        identity = self._identities.get(name)
        if not identity.verified_for_sending:
            raise FakeError(
                "BadRequestException",
                f"Identity <{name}> is not verified; policies can be managed only for "
                "verified identities.",
            )
        return identity

    def _checked(self, params: Mapping[str, Any], identity: FakeIdentity) -> str:
        name = params["PolicyName"]
        if not _POLICY_NAME.match(name):
            raise FakeError(
                "BadRequestException",
                f"Invalid policy name <{name}>: use at most 64 letters, digits, underscores "
                "and dashes.",
            )
        text: str = params["Policy"]
        arn = (
            f"arn:aws:ses:{self._context.region}:{self._context.account_id}:"
            f"identity/{identity.name}"
        )
        check_policy(text, arn)
        return text

    @operation("CreateEmailIdentityPolicy")
    def _create(self, params: Mapping[str, Any]) -> None:
        identity = self._identity(params)
        text = self._checked(params, identity)
        name = params["PolicyName"]
        if name in identity.policies:
            raise FakeError(
                "AlreadyExistsException", f"Policy {name} already exists for {identity.name}."
            )
        if len(identity.policies) >= MAX_POLICIES:
            raise FakeError(
                "LimitExceededException",
                f"{identity.name} has {MAX_POLICIES} policies, the most an identity may have.",
            )
        identity.policies[name] = text

    @operation("UpdateEmailIdentityPolicy")
    def _update(self, params: Mapping[str, Any]) -> None:
        identity = self._identity(params)
        text = self._checked(params, identity)
        name = params["PolicyName"]
        if name not in identity.policies and len(identity.policies) >= MAX_POLICIES:
            raise FakeError(
                "LimitExceededException",
                f"{identity.name} has {MAX_POLICIES} policies, the most an identity may have.",
            )
        identity.policies[name] = text

    @operation("GetEmailIdentityPolicies")
    def _get(self, params: Mapping[str, Any]) -> dict[str, Any]:
        return {"Policies": dict(self._identity(params).policies)}

    @operation("DeleteEmailIdentityPolicy")
    def _delete(self, params: Mapping[str, Any]) -> None:
        identity = self._identity(params)
        name = params["PolicyName"]
        if not _POLICY_NAME.match(name):
            raise FakeError("BadRequestException", f"Invalid policy name <{name}>.")
        # SES answers success when there is no such policy.
        identity.policies.pop(name, None)


def display_name(address: str) -> str | None:
    """The display name of `Name <addr>`, if any."""
    import email.utils

    name, _ = email.utils.parseaddr(address)
    return name or None


def recipients_of(entries: Sequence[Mapping[str, Any]]) -> tuple[str, ...]:
    """Every bare recipient of bulk entries (for policy conditions), leniently."""
    found: list[str] = []
    for entry in entries:
        destination = entry.get("Destination") or {}
        for key in ("ToAddresses", "CcAddresses", "BccAddresses"):
            found += [str(a) for a in destination.get(key) or ()]
    return tuple(found)
