"""Sending authorization: identity policies, a typed policy builder, sends on behalf.

An identity owner attaches *sending authorization policies* to a verified identity to let
other AWS accounts (or IAM users and roles, or AWS services) send from it. A delegate sender
then names the owner's identity by its ARN in every send (`FromEmailAddressIdentityArn`).

SES's rules, checked here before any call: a policy has at least one statement, each with a
principal and the identity's ARN as its one resource; a policy is at most 4 KB; a policy name
is 1-64 letters, digits, `-` or `_`; an identity has at most 20 policies (SES counts those).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import ipaddress
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, Self

from ._errors import AlreadyExistsError, NotFoundError, ValidationError
from ._logging import logger, mask
from ._validate import CONTROL_CHARACTER, validate_address, validate_name

if TYPE_CHECKING:
    from ._identity import Identity
    from ._ses import SES

__all__ = [
    "MAX_POLICIES",
    "MAX_POLICY_BYTES",
    "SEND_ACTIONS",
    "IdentityPolicy",
    "PolicyStatement",
    "SendingPolicy",
    "delegation_params",
    "identity_arn",
    "identity_policies",
    "parse_identity_arn",
    "policy_text",
]

#: The actions SES's sending authorization covers (`SendEmail` with Simple, Raw and
#: Template content, and `SendBulkEmail`, in SES's own action names).
SEND_ACTIONS = (
    "ses:SendEmail",
    "ses:SendRawEmail",
    "ses:SendTemplatedEmail",
    "ses:SendBulkTemplatedEmail",
)
#: The most policies SES keeps per identity.
MAX_POLICIES = 20
#: The largest policy document SES accepts, in bytes.
MAX_POLICY_BYTES = 4096
_VERSION = "2012-10-17"

_ACCOUNT = re.compile(r"\d{12}\Z")
_IAM_ARN = re.compile(r"arn:aws[a-z-]*:(iam|sts)::\d{12}:[!-~]+\Z")
_SERVICE = re.compile(r"[a-z0-9.-]+\.amazonaws\.com(\.cn)?\Z")
_ACTION = re.compile(r"ses:[A-Za-z*?]+\Z")
_IDENTITY_ARN = re.compile(
    r"arn:(?P<partition>aws[a-z-]*):ses:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):"
    r"identity/(?P<identity>[!-~]+)\Z"
)


def _partition(region: str) -> str:
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    if region.startswith("us-isob-"):
        return "aws-iso-b"
    if region.startswith("us-iso-"):
        return "aws-iso"
    return "aws"


def identity_arn(region: str, account_id: str, identity: str) -> str:
    """The ARN SES gives an identity: `arn:aws:ses:<region>:<account>:identity/<identity>`.

    Examples:
        >>> identity_arn("eu-west-1", "444455556666", "example.com")
        'arn:aws:ses:eu-west-1:444455556666:identity/example.com'
    """
    return f"arn:{_partition(region)}:ses:{region}:{account_id}:identity/{identity}"


def parse_identity_arn(value: object, *, field: str) -> tuple[str, str, str]:
    """`(region, account id, identity)` of an SES identity ARN, or `ValidationError`.

    Examples:
        >>> parse_identity_arn("arn:aws:ses:us-east-1:444455556666:identity/example.com",
        ...                    field="from_identity_arn")
        ('us-east-1', '444455556666', 'example.com')
    """
    match = _IDENTITY_ARN.match(value) if isinstance(value, str) else None
    if match is None:
        raise ValidationError(
            f"{field}: {value!r} is not an SES identity ARN "
            "(arn:aws:ses:REGION:ACCOUNT:identity/ADDRESS-OR-DOMAIN)",
            field=field,
            value=value,
        )
    return match["region"], match["account"], match["identity"]


def _covers(identity: str, address: str) -> bool:
    """Whether sending from `address` may use the identity `identity` (itself, its domain or
    a parent domain of it)."""
    if "@" in identity:
        local, _, domain = identity.rpartition("@")
        return address == f"{local}@{domain.lower()}"
    domain = address.rpartition("@")[2].lower()
    parent = identity.lower()
    return domain == parent or domain.endswith("." + parent)


def delegation_params(
    region: str,
    from_address: str,
    *,
    from_identity_arn: str | None,
    feedback_forwarding_address: str | None,
    feedback_identity_arn: str | None,
) -> dict[str, str]:
    """The request members of a send on behalf of an identity owner (sending authorization).

    Checked before any call: the ARNs are SES identity ARNs of the client's region, and each
    identity covers its address (the address itself, its domain or a parent domain).

    Examples:
        >>> delegation_params(
        ...     "us-east-1", "billing@example.com",
        ...     from_identity_arn="arn:aws:ses:us-east-1:444455556666:identity/example.com",
        ...     feedback_forwarding_address=None, feedback_identity_arn=None)
        {'FromEmailAddressIdentityArn': 'arn:aws:ses:us-east-1:444455556666:identity/example.com'}
    """
    params: dict[str, str] = {}
    bare = from_address.rpartition("<")[2].rstrip(">")
    if from_identity_arn is not None:
        _check_arn(region, bare, from_identity_arn, field="from_identity_arn")
        params["FromEmailAddressIdentityArn"] = from_identity_arn
    if feedback_forwarding_address is not None:
        params["FeedbackForwardingEmailAddress"] = validate_address(
            feedback_forwarding_address, field="feedback_forwarding_address"
        )
    if feedback_identity_arn is not None:
        feedback = params.get("FeedbackForwardingEmailAddress")
        if feedback is None:
            raise ValidationError(
                "feedback_identity_arn: names the identity of a feedback_forwarding_address; "
                "give that address too",
                field="feedback_identity_arn",
            )
        _check_arn(region, feedback, feedback_identity_arn, field="feedback_identity_arn")
        params["FeedbackForwardingEmailAddressIdentityArn"] = feedback_identity_arn
    return params


def _check_arn(region: str, address: str, arn: str, *, field: str) -> None:
    arn_region, _, identity = parse_identity_arn(arn, field=field)
    if arn_region != region:
        raise ValidationError(
            f"{field}: the identity is in {arn_region}, this client sends in {region}; an "
            "identity can be used only in its own region",
            field=field,
            value=arn,
        )
    if not _covers(identity, address):
        raise ValidationError(
            f"{field}: the identity {identity!r} does not cover the address {address!r} "
            "(it must be the address, its domain or a parent domain)",
            field=field,
            value=arn,
        )


def _strings(value: str | Iterable[str], *, field: str, spaces: bool = False) -> tuple[str, ...]:
    items = [value] if isinstance(value, str) else list(value)
    for i, item in enumerate(items):
        where = f"{field}[{i}]"
        if not isinstance(item, str) or not item.strip():
            raise ValidationError(f"{where}: expected a non-empty str", field=where, value=item)
        if CONTROL_CHARACTER.search(item) or (" " in item.strip() and not spaces):
            raise ValidationError(
                f"{where}: {item!r} has a space or control character", field=where, value=item
            )
    return tuple(items)


def _principal(value: str, where: str) -> tuple[str, str]:
    if _ACCOUNT.match(value) or _IAM_ARN.match(value) or value == "*":
        return "AWS", value
    if _SERVICE.match(value):
        return "Service", value
    raise ValidationError(
        f"{where}: {value!r} is not a principal: give a 12-digit account id, an IAM ARN "
        "(arn:aws:iam::ACCOUNT:role/NAME) or an AWS service (e.g. 'cognito-idp.amazonaws.com')",
        field=where,
        value=value,
    )


def _timestamp(value: dt.datetime | None, where: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, dt.datetime) or value.utcoffset() is None:
        raise ValidationError(
            f"{where}: expected a timezone-aware datetime, got {value!r}", field=where
        )
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True, slots=True)
class PolicyStatement:
    """One statement of a sending authorization policy: who may send, and on what terms.

    Every condition given must hold; each tuple condition matches any of its patterns
    (`*` and `?` are wildcards, compared case-sensitively as SES's `StringLike` does).

    Attributes:
        principals: who: 12-digit account ids, IAM user or role ARNs, `"*"`, or AWS
            services (e.g. `"cognito-idp.amazonaws.com"`).
        actions: the send actions granted (default: all four of `SEND_ACTIONS`).
        from_addresses: the From addresses allowed (`ses:FromAddress`), e.g.
            `("billing@example.com", "*@news.example.com")`.
        from_display_names: the From display names allowed (`ses:FromDisplayName`).
        recipients: every recipient must match one of these (`ses:Recipients`).
        feedback_addresses: the feedback-forwarding (Return-Path) addresses allowed
            (`ses:FeedbackAddress`).
        source_ips: the caller's IP addresses or CIDR ranges (`aws:SourceIp`).
        not_before: the grant starts then (`aws:CurrentTime`, timezone-aware).
        not_after: the grant ends then.
        effect: `"Allow"` (the default) or `"Deny"` (an explicit deny wins over any allow).
        sid: the statement's id.

    Examples:
        >>> statement = PolicyStatement(("111122223333",), from_addresses=("*@example.com",))
        >>> statement.document("arn:aws:ses:us-east-1:444455556666:identity/example.com")[
        ...     "Condition"]
        {'StringLike': {'ses:FromAddress': ['*@example.com']}}
    """

    principals: tuple[str, ...]
    actions: tuple[str, ...] = SEND_ACTIONS
    from_addresses: tuple[str, ...] = ()
    from_display_names: tuple[str, ...] = ()
    recipients: tuple[str, ...] = ()
    feedback_addresses: tuple[str, ...] = ()
    source_ips: tuple[str, ...] = ()
    not_before: dt.datetime | None = None
    not_after: dt.datetime | None = None
    effect: Literal["Allow", "Deny"] = "Allow"
    sid: str | None = None

    def __post_init__(self) -> None:
        principals = _strings(self.principals, field="principals")
        if not principals:
            raise ValidationError("principals: a statement needs at least one", field="principals")
        for i, principal in enumerate(principals):
            _principal(principal, f"principals[{i}]")
        actions = _strings(self.actions, field="actions")
        if not actions:
            raise ValidationError("actions: a statement needs at least one", field="actions")
        for i, action in enumerate(actions):
            if not _ACTION.match(action):
                raise ValidationError(
                    f"actions[{i}]: {action!r} is not an SES action (e.g. 'ses:SendEmail')",
                    field=f"actions[{i}]",
                    value=action,
                )
        object.__setattr__(self, "principals", principals)
        object.__setattr__(self, "actions", actions)
        for name in ("from_addresses", "from_display_names", "recipients", "feedback_addresses"):
            value = _strings(getattr(self, name), field=name, spaces=name == "from_display_names")
            object.__setattr__(self, name, value)
        ips = _strings(self.source_ips, field="source_ips")
        for i, ip in enumerate(ips):
            try:
                ipaddress.ip_network(ip, strict=False)
            except ValueError:
                raise ValidationError(
                    f"source_ips[{i}]: {ip!r} is not an IP address or CIDR range",
                    field=f"source_ips[{i}]",
                    value=ip,
                ) from None
        object.__setattr__(self, "source_ips", ips)
        start = _timestamp(self.not_before, "not_before")
        end = _timestamp(self.not_after, "not_after")
        if start is not None and end is not None and end <= start:
            raise ValidationError("not_after: must be later than not_before", field="not_after")
        if self.effect not in ("Allow", "Deny"):
            raise ValidationError(
                f"effect: expected 'Allow' or 'Deny', got {self.effect!r}", field="effect"
            )
        if self.sid is not None and not re.fullmatch(r"[A-Za-z0-9]{1,100}", str(self.sid)):
            raise ValidationError(
                f"sid: {self.sid!r} must be 1-100 letters and digits", field="sid", value=self.sid
            )

    def document(self, resource: str) -> dict[str, Any]:
        """The statement as SES's JSON policy language has it, for the identity `resource`."""
        principal: dict[str, list[str]] = {}
        for value in self.principals:
            kind, name = _principal(value, "principals")
            principal.setdefault(kind, []).append(name)
        statement: dict[str, Any] = {}
        if self.sid:
            statement["Sid"] = self.sid
        statement.update(
            {
                "Effect": self.effect,
                "Resource": resource,
                "Principal": principal,
                "Action": list(self.actions),
            }
        )
        condition: dict[str, dict[str, Any]] = {}
        for key, values in (
            ("ses:FromAddress", self.from_addresses),
            ("ses:FromDisplayName", self.from_display_names),
            ("ses:FeedbackAddress", self.feedback_addresses),
        ):
            if values:
                condition.setdefault("StringLike", {})[key] = list(values)
        if self.recipients:
            condition["ForAllValues:StringLike"] = {"ses:Recipients": list(self.recipients)}
        if self.source_ips:
            condition["IpAddress"] = {"aws:SourceIp": list(self.source_ips)}
        start = _timestamp(self.not_before, "not_before")
        if start is not None:
            condition["DateGreaterThan"] = {"aws:CurrentTime": start}
        end = _timestamp(self.not_after, "not_after")
        if end is not None:
            condition["DateLessThan"] = {"aws:CurrentTime": end}
        if condition:
            statement["Condition"] = condition
        return statement


@dataclass(frozen=True, slots=True)
class SendingPolicy:
    """A sending authorization policy: statements SES evaluates for a delegate's sends.

    Build one with `SendingPolicy.allow(...)` (and `.deny(...)`), combine policies with `+`,
    and attach it with `ses.identity(...).policy(name).create(policy)`, which fills in the
    identity's ARN as each statement's resource.

    Examples:
        >>> policy = SendingPolicy.allow("111122223333", from_addresses=["billing@example.com"])
        >>> policy += SendingPolicy.deny("111122223333", recipients=["*@competitor.example"])
        >>> doc = policy.document("arn:aws:ses:us-east-1:444455556666:identity/example.com")
        >>> [(s["Effect"], s["Principal"]) for s in doc["Statement"]]
        [('Allow', {'AWS': ['111122223333']}), ('Deny', {'AWS': ['111122223333']})]
    """

    statements: tuple[PolicyStatement, ...]
    policy_id: str | None = field(default=None)

    def __post_init__(self) -> None:
        statements = tuple(self.statements)
        if not statements:
            raise ValidationError("statements: a policy needs at least one", field="statements")
        for i, statement in enumerate(statements):
            if not isinstance(statement, PolicyStatement):
                raise ValidationError(
                    f"statements[{i}]: expected a PolicyStatement, got {type(statement).__name__}",
                    field=f"statements[{i}]",
                )
        object.__setattr__(self, "statements", statements)

    @classmethod
    def allow(
        cls,
        principals: str | Iterable[str],
        *,
        from_addresses: str | Iterable[str] = (),
        from_display_names: str | Iterable[str] = (),
        recipients: str | Iterable[str] = (),
        feedback_addresses: str | Iterable[str] = (),
        source_ips: str | Iterable[str] = (),
        not_before: dt.datetime | None = None,
        not_after: dt.datetime | None = None,
        actions: str | Iterable[str] = SEND_ACTIONS,
        sid: str | None = None,
    ) -> SendingPolicy:
        """A policy of one statement letting `principals` send, on the conditions given.

        Examples:
            >>> SendingPolicy.allow("111122223333").statements[0].actions
            ('ses:SendEmail', 'ses:SendRawEmail', 'ses:SendTemplatedEmail', \
'ses:SendBulkTemplatedEmail')
        """
        return cls(
            (
                _statement(
                    "Allow",
                    principals,
                    from_addresses=from_addresses,
                    from_display_names=from_display_names,
                    recipients=recipients,
                    feedback_addresses=feedback_addresses,
                    source_ips=source_ips,
                    not_before=not_before,
                    not_after=not_after,
                    actions=actions,
                    sid=sid,
                ),
            )
        )

    @classmethod
    def deny(
        cls,
        principals: str | Iterable[str],
        *,
        from_addresses: str | Iterable[str] = (),
        from_display_names: str | Iterable[str] = (),
        recipients: str | Iterable[str] = (),
        feedback_addresses: str | Iterable[str] = (),
        source_ips: str | Iterable[str] = (),
        not_before: dt.datetime | None = None,
        not_after: dt.datetime | None = None,
        actions: str | Iterable[str] = SEND_ACTIONS,
        sid: str | None = None,
    ) -> SendingPolicy:
        """A policy of one statement refusing `principals` what its conditions describe.

        An explicit deny wins over any allow; combine it with an allowing policy (`+`).

        Examples:
            >>> SendingPolicy.deny("111122223333", recipients="*@example.org").statements[0].effect
            'Deny'
        """
        return cls(
            (
                _statement(
                    "Deny",
                    principals,
                    from_addresses=from_addresses,
                    from_display_names=from_display_names,
                    recipients=recipients,
                    feedback_addresses=feedback_addresses,
                    source_ips=source_ips,
                    not_before=not_before,
                    not_after=not_after,
                    actions=actions,
                    sid=sid,
                ),
            )
        )

    def __add__(self, other: SendingPolicy) -> SendingPolicy:
        if not isinstance(other, SendingPolicy):
            return NotImplemented
        return SendingPolicy(self.statements + other.statements, policy_id=self.policy_id)

    def document(self, resource: str) -> dict[str, Any]:
        """The policy as a JSON-ready dict, every statement's `Resource` being `resource`.

        Examples:
            >>> arn = "arn:aws:ses:us-east-1:444455556666:identity/example.com"
            >>> SendingPolicy.allow("111122223333").document(arn)["Version"]
            '2012-10-17'
        """
        doc: dict[str, Any] = {"Version": _VERSION}
        if self.policy_id:
            doc["Id"] = self.policy_id
        doc["Statement"] = [s.document(resource) for s in self.statements]
        return doc

    def to_json(self, resource: str) -> str:
        """The policy as the JSON text SES stores (compact).

        Examples:
            >>> arn = "arn:aws:ses:us-east-1:444455556666:identity/example.com"
            >>> len(SendingPolicy.allow("111122223333").to_json(arn)) < 4096
            True
        """
        return json.dumps(self.document(resource), separators=(",", ":"))


def _statement(
    effect: Literal["Allow", "Deny"],
    principals: str | Iterable[str],
    *,
    from_addresses: str | Iterable[str],
    from_display_names: str | Iterable[str],
    recipients: str | Iterable[str],
    feedback_addresses: str | Iterable[str],
    source_ips: str | Iterable[str],
    not_before: dt.datetime | None,
    not_after: dt.datetime | None,
    actions: str | Iterable[str],
    sid: str | None,
) -> PolicyStatement:
    return PolicyStatement(
        _strings(principals, field="principals"),
        actions=_strings(actions, field="actions"),
        from_addresses=_strings(from_addresses, field="from_addresses"),
        from_display_names=_strings(from_display_names, field="from_display_names", spaces=True),
        recipients=_strings(recipients, field="recipients"),
        feedback_addresses=_strings(feedback_addresses, field="feedback_addresses"),
        source_ips=_strings(source_ips, field="source_ips"),
        not_before=not_before,
        not_after=not_after,
        effect=effect,
        sid=sid,
    )


def policy_text(policy: object, resource: str | None) -> str:
    """The JSON text to store for `policy` (a `SendingPolicy`, a mapping or JSON text),
    checked as SES checks it (a JSON object, at most 4 KB)."""
    if isinstance(policy, SendingPolicy):
        if resource is None:  # pragma: no cover - IdentityPolicy always passes its ARN
            raise ValidationError("policy: no identity ARN to fill in", field="policy")
        text = policy.to_json(resource)
    elif isinstance(policy, Mapping):
        try:
            text = json.dumps(policy, separators=(",", ":"))
        except (TypeError, ValueError) as exc:
            raise ValidationError(f"policy: not JSON-serialisable: {exc}", field="policy") from None
    elif isinstance(policy, str):
        text = policy
    else:
        raise ValidationError(
            "policy: expected a SendingPolicy, a mapping or JSON text, got "
            f"{type(policy).__name__}",
            field="policy",
        )
    try:
        parsed = json.loads(text)
    except ValueError:
        parsed = None
    if not isinstance(parsed, dict):
        raise ValidationError("policy: not a JSON object", field="policy")
    statements = parsed.get("Statement")
    if not statements:
        raise ValidationError("policy: a policy needs at least one Statement", field="policy")
    size = len(text.encode("utf-8"))
    if size > MAX_POLICY_BYTES:
        raise ValidationError(
            f"policy: {size} bytes; SES accepts policies of at most {MAX_POLICY_BYTES}",
            field="policy",
        )
    return text


class IdentityPolicy:
    """A sending authorization policy attached to an identity, by name.

    Get one from `identity.policy(name)`; nothing is sent to AWS until a verb is called.
    Its verbs are every resource's: `create()`, `refresh()`, `exists()`, `delete()`. A
    policy's content is what it is for, so `create(policy)` makes the stored policy hold the
    content given, creating it or updating it (as `Template.create` does).

    Examples:
        >>> fake.verify("example.com")
        >>> ident = ses.domain("example.com")
        >>> app = ident.policy("let-app-send").create(
        ...     SendingPolicy.allow("111122223333", from_addresses=["*@example.com"]))
        >>> app.document["Statement"][0]["Resource"]
        'arn:aws:ses:us-east-1:123456789012:identity/example.com'
        >>> [p.name for p in ident.policies()]
        ['let-app-send']
    """

    def __init__(self, identity: Identity, name: str) -> None:
        self._identity = identity
        self._name = validate_name(name, field="name")
        self._text: str | None = None

    @property
    def name(self) -> str:
        """The policy's name.

        Examples:
            >>> ses.identity("alice@example.com").policy("app").name
            'app'
        """
        return self._name

    @property
    def identity(self) -> Identity:
        """The identity the policy is attached to.

        Examples:
            >>> ses.identity("alice@example.com").policy("app").identity
            Identity('alice@example.com')
        """
        return self._identity

    @property
    def _ses(self) -> SES:
        return self._identity._ses

    def __repr__(self) -> str:
        return f"IdentityPolicy({self._identity.name!r}, {self._name!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, IdentityPolicy):
            return NotImplemented
        return (other._identity, other._name) == (self._identity, self._name)

    def __hash__(self) -> int:
        return hash(("IdentityPolicy", self._identity, self._name))

    def create(self, policy: SendingPolicy | Mapping[str, Any] | str) -> Self:
        """Attach the policy with this content: create it, or update it if it exists.

        Args:
            policy: a `SendingPolicy` (each statement's resource becomes this identity's
                ARN, from `ses.account_id`), or a whole policy document as a mapping or
                JSON text.

        Raises:
            ValidationError: not a JSON object, no statement, or over 4 KB (no call made).
            NotFoundError: the identity does not exist.
            LimitExceededError: the identity has 20 policies already.
            BadRequestError: SES refused the policy (e.g. a resource that is not the
                identity's ARN, an invalid principal, an identity not yet verified).

        Examples:
            >>> fake.verify("example.com")
            >>> ses.domain("example.com").policy("app").create(SendingPolicy.allow("111122223333"))
            IdentityPolicy('example.com', 'app')
        """
        resource = self._identity.arn if isinstance(policy, SendingPolicy) else None
        text = policy_text(policy, resource)
        params: dict[str, Any] = {
            "EmailIdentity": self._identity.name,
            "PolicyName": self._name,
            "Policy": text,
        }
        try:
            self._ses._call("CreateEmailIdentityPolicy", **params)
            logger.info("created policy %s on %s", self._name, mask(self._identity.name))
        except AlreadyExistsError:
            self._ses._call("UpdateEmailIdentityPolicy", **params)
            logger.info("updated policy %s on %s", self._name, mask(self._identity.name))
        self._text = text
        return self

    def refresh(self) -> Self:
        """Load the stored policy (`GetEmailIdentityPolicies`).

        Raises:
            NotFoundError: no such identity, or no policy of this name on it.

        Examples:
            >>> fake.verify("example.com")
            >>> _ = ses.domain("example.com").policy("app").create(
            ...     SendingPolicy.allow("111122223333"))
            >>> ses.domain("example.com").policy("app").refresh().document["Version"]
            '2012-10-17'
        """
        policies = _policies(self._ses, self._identity.name)
        if self._name not in policies:
            raise NotFoundError(
                f"GetEmailIdentityPolicies: {self._identity.name} has no policy {self._name!r}",
                code="NotFoundException",
                operation="GetEmailIdentityPolicies",
            )
        self._text = policies[self._name]
        return self

    def exists(self) -> bool:
        """Whether the identity has a policy of this name.

        Examples:
            >>> fake.verify("example.com")
            >>> ses.domain("example.com").policy("nope").exists()
            False
        """
        try:
            self.refresh()
        except NotFoundError:
            return False
        return True

    def delete(self) -> None:
        """Detach the policy. Idempotent (a missing policy or identity is not an error).

        Examples:
            >>> fake.verify("example.com")
            >>> ses.domain("example.com").policy("app").delete()
        """
        # SES answers success for a missing policy; a missing identity is gone already.
        with contextlib.suppress(NotFoundError):
            self._ses._call(
                "DeleteEmailIdentityPolicy",
                EmailIdentity=self._identity.name,
                PolicyName=self._name,
            )
        self._text = None

    @property
    def text(self) -> str:
        """The policy's JSON text as stored (loaded on first use).

        Examples:
            >>> fake.verify("example.com")
            >>> app = ses.domain("example.com").policy("app").create(
            ...     {"Version": "2012-10-17", "Statement": [{
            ...         "Effect": "Allow", "Principal": {"AWS": ["111122223333"]},
            ...         "Action": ["ses:SendEmail"],
            ...         "Resource": "arn:aws:ses:us-east-1:123456789012:identity/example.com"}]})
            >>> app.text.startswith('{"Version":"2012-10-17"')
            True
        """
        if self._text is None:
            self.refresh()
        assert self._text is not None
        return self._text

    @property
    def document(self) -> dict[str, Any]:
        """The policy document, parsed (a new dict on every access).

        Examples:
            >>> fake.verify("example.com")
            >>> app = ses.domain("example.com").policy("app").create(
            ...     SendingPolicy.allow("111122223333"))
            >>> app.document["Statement"][0]["Principal"]
            {'AWS': ['111122223333']}
        """
        parsed: dict[str, Any] = json.loads(self.text)
        return parsed


def _policies(ses: SES, identity: str) -> dict[str, str]:
    response = ses._call("GetEmailIdentityPolicies", EmailIdentity=identity)
    return {str(k): str(v) for k, v in (response.get("Policies") or {}).items()}


def identity_policies(identity: Identity) -> list[IdentityPolicy]:
    """Every policy attached to `identity`, each with its text loaded, by name."""
    found = []
    for name, text in sorted(_policies(identity._ses, identity.name).items()):
        policy = IdentityPolicy(identity, name)
        policy._text = text
        found.append(policy)
    return found
