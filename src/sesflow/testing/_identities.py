"""Email identities: addresses and domains, their DKIM and MAIL FROM states.

Identities behave as in SES v2: they start `PENDING`; a domain gets Easy DKIM tokens (or a
BYODKIM selector) and its verification *is* its DKIM check; a custom MAIL FROM domain has its
own status. Nothing ever verifies by itself: a test moves states on command
(`FakeSES.set_status`), on a script (`FakeSES.transition`), or skips the wait altogether
with `FakeSES(auto_verify=True)`.
"""

from __future__ import annotations

import base64
import binascii
import copy
import datetime as dt
import math
import re
import string
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from sesflow.testing._configuration_sets import ConfigurationSetStore, filters
from sesflow.testing._context import Context
from sesflow.testing._countdown import settle_due
from sesflow.testing._fake import FakeError, Handlers, operation, sesv2_model
from sesflow.testing._paging import paginate
from sesflow.testing._plain import plain

__all__ = [
    "FakeIdentity",
    "IdentityHandlers",
    "IdentitySettings",
    "IdentityStore",
    "is_email_address",
]

Aspect = Literal["verification", "dkim", "mail_from"]

_STATUSES = frozenset({"PENDING", "SUCCESS", "FAILED", "TEMPORARY_FAILURE", "NOT_STARTED"})
_MAIL_FROM_STATUSES = _STATUSES - {"NOT_STARTED"}
_FAILURES = frozenset({"FAILED", "TEMPORARY_FAILURE"})
_DEFAULT_ERROR_TYPES = {"FAILED": "TYPE_NOT_FOUND", "TEMPORARY_FAILURE": "DNS_SERVER_ERROR"}
_ASPECTS: tuple[Aspect, ...] = ("verification", "dkim", "mail_from")
_KEY_LENGTHS = frozenset({"RSA_1024_BIT", "RSA_2048_BIT"})
_DEFAULT_KEY_LENGTH = "RSA_2048_BIT"
_TOKEN_ALPHABET = string.ascii_lowercase + string.digits
_MAX_PRIVATE_KEY_CHARS = 20_480

_DNS_LABEL = re.compile(r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)\Z")
_LOCAL_PART = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*\Z")
# The SES v2 model's pattern for Selector (1-63 characters).
_SELECTOR = re.compile(r"([a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9\-]*[a-zA-Z0-9])\Z")


@dataclass(eq=False)
class FakeIdentity:
    """The fake's live record of one email identity. Tests may read and edit it directly.

    Statuses are the plain SES strings. `FakeSES.identity_state()` returns this object
    itself, so an edit shows in the next response.

    Examples:
        >>> _ = client.create_email_identity(EmailIdentity="example.com")
        >>> state = fake.identity_state("example.com")
        >>> state.verification_status, len(state.dkim_tokens)
        ('PENDING', 3)
        >>> state.verification_status = state.dkim_status = "SUCCESS"  # shows at once
        >>> client.get_email_identity(EmailIdentity="example.com")["VerifiedForSendingStatus"]
        True

    Attributes:
        name: The identity: an email address or a domain.
        identity_type: `"EMAIL_ADDRESS"` or `"DOMAIN"`.
        verification_status: `VerificationStatus`.
        error_type: `VerificationInfo.ErrorType` while any status (verification, DKIM,
            MAIL FROM) is a failure; `None` shows the default for the failure.
        dkim_status: `DkimAttributes.Status`.
        dkim_signing_enabled: `DkimAttributes.SigningEnabled`.
        dkim_origin: `AWS_SES` (Easy DKIM), `EXTERNAL` (BYODKIM), or `None`.
        dkim_tokens: Easy DKIM tokens, or `[selector]` for BYODKIM.
        signing_hosted_zone: The zone Easy DKIM CNAMEs point into (`None` for BYODKIM).
        current_signing_key_length: `RSA_1024_BIT`/`RSA_2048_BIT` for Easy DKIM.
        next_signing_key_length: The key length of the next rotation.
        last_key_generation: When the current DKIM keys were made.
        dkim_private_key: The BYODKIM private key as sent (base64).
        mail_from_domain: The custom MAIL FROM domain, if any.
        mail_from_status: `MailFromDomainStatus` (`None` without a MAIL FROM domain).
        behavior_on_mx_failure: `USE_DEFAULT_VALUE` or `REJECT_MESSAGE`.
        configuration_set_name: The default configuration set, if any.
        feedback_forwarding: `FeedbackForwardingStatus`.
        tags: `[{"Key": ..., "Value": ...}]`.
        policies: Sending authorisation policies by name.
        last_checked: `VerificationInfo.LastCheckedTimestamp`.
        last_success: `VerificationInfo.LastSuccessTimestamp`.
    """

    name: str
    identity_type: str
    verification_status: str = "PENDING"
    error_type: str | None = None
    dkim_status: str = "NOT_STARTED"
    dkim_signing_enabled: bool = False
    dkim_origin: str | None = None
    dkim_tokens: list[str] = field(default_factory=list)
    signing_hosted_zone: str | None = None
    current_signing_key_length: str | None = None
    next_signing_key_length: str | None = None
    last_key_generation: dt.datetime | None = None
    dkim_private_key: str | None = field(default=None, repr=False)
    mail_from_domain: str | None = None
    mail_from_status: str | None = None
    behavior_on_mx_failure: str = "USE_DEFAULT_VALUE"
    configuration_set_name: str | None = None
    feedback_forwarding: bool = True
    tags: list[dict[str, str]] = field(default_factory=list)
    policies: dict[str, str] = field(default_factory=dict)
    last_checked: dt.datetime | None = None
    last_success: dt.datetime | None = None

    @property
    def is_domain(self) -> bool:
        """Whether this is a domain identity (not an email address).

        Examples:
            >>> fake.verify("example.com")
            >>> [fake.identity_state(n).is_domain for n in ("example.com", "news@example.com")]
            [True, False]
        """
        return self.identity_type == "DOMAIN"

    @property
    def domain(self) -> str:
        """The domain: the identity itself, or the part of an address after `@`.

        Examples:
            >>> fake.identity_state("news@example.com").domain
            'example.com'
        """
        return self.name.rpartition("@")[2]

    @property
    def dkim_key_length(self) -> str | None:
        """The Easy DKIM key length SES is set to use (`NextSigningKeyLength`).

        Examples:
            >>> _ = client.create_email_identity(
            ...     EmailIdentity="example.com",
            ...     DkimSigningAttributes={"NextSigningKeyLength": "RSA_1024_BIT"},
            ... )
            >>> fake.identity_state("example.com").dkim_key_length
            'RSA_1024_BIT'
        """
        return self.next_signing_key_length

    @property
    def verified_for_sending(self) -> bool:
        """`VerifiedForSendingStatus`: true exactly when verification succeeded.

        Examples:
            >>> _ = client.create_email_identity(EmailIdentity="alice@example.com")
            >>> fake.identity_state("alice@example.com").verified_for_sending
            False
            >>> fake.identity_state("news@example.com").verified_for_sending
            True
        """
        return plain(self.verification_status) == "SUCCESS"


@dataclass
class _Transition:
    """A queued status change and the countdown towards it."""

    aspects: tuple[Aspect, ...]
    to: str
    error_type: str | None
    after_polls: int | None
    after_seconds: float | None
    # The clock reading the countdown runs from: when it was queued (or, if queued before
    # the identity existed, when it was created), or when the transition before it took effect.
    start: float = 0.0
    polls: int = 0


@dataclass
class IdentitySettings:
    """The identity knobs a test may change at any time (`fake.auto_verify = True`).

    Owned by the fake and read by the identity store at every creation, so an edit applies
    to the next identity and survives `reset`.

    Attributes:
        auto_verify: New identities, DKIM set-ups and MAIL FROM domains succeed on their own.
        auto_verify_after: Seconds (of the fake's `clock`) before they do; 0 means at once.
        signing_hosted_zone: The zone Easy DKIM tokens point into.
    """

    auto_verify: bool = False
    auto_verify_after: float = 0.0
    signing_hosted_zone: str = "dkim.amazonses.com"


class IdentityStore:
    """The email identities, the transitions scripted for them, and how they are created.

    Sending asks it for the verified identity that covers an address (`verified()`).

    Examples:
        >>> context = Context("us-east-1", "123456789012", clock, clock, seed=7)
        >>> identities = IdentityStore(context, ConfigurationSetStore(context), IdentitySettings())
        >>> _ = identities.create({"EmailIdentity": "example.com"})
        >>> identities.state("example.com").verification_status
        'PENDING'

    Args:
        context: The fake's clocks, seed and resource sequence.
        configuration_sets: Checked for an identity's default configuration set.
        settings: `auto_verify` and the signing zone, as the fake has them now.
    """

    def __init__(
        self,
        context: Context,
        configuration_sets: ConfigurationSetStore,
        settings: IdentitySettings | None = None,
    ) -> None:
        self._context = context
        self._configuration_sets = configuration_sets
        self.settings = IdentitySettings() if settings is None else settings
        self._random = context.generator()
        # Owned here; the identity handlers below read and edit entries.
        self.identities: dict[str, tuple[int, FakeIdentity]] = {}
        # Per identity, one queue per `aspect` argument: scripts for different aspects run
        # side by side, steps for the same aspect chain.
        self._transitions: dict[str, dict[tuple[Aspect, ...], deque[_Transition]]] = {}

    def __len__(self) -> int:
        return len(self.identities)

    def state(self, name: str) -> FakeIdentity:
        """Return the live state of identity `name` (edits show in later responses)."""
        identity = self._state(name)
        self.settle(identity, poll=False)
        return identity

    def set_status(
        self,
        name: str,
        *,
        verification: str | None = None,
        dkim: str | None = None,
        mail_from: str | None = None,
        error_type: str | None = None,
    ) -> None:
        """Change identity statuses now."""
        if verification is None and dkim is None and mail_from is None and error_type is None:
            raise ValueError("set_status needs at least one status to set")
        identity = self._state(name)
        changes: list[tuple[tuple[Aspect, ...], str]] = []
        if verification is not None:
            mirror_dkim = identity.is_domain and dkim is None
            aspects: tuple[Aspect, ...] = (
                ("verification", "dkim") if mirror_dkim else ("verification",)
            )
            changes.append((aspects, _status(verification, "verification")))
        if dkim is not None:
            changes.append((("dkim",), _status(dkim, "dkim")))
        if mail_from is not None:
            self._require_mail_from(identity)
            changes.append((("mail_from",), _status(mail_from, "mail_from")))
        if changes:
            failures = [status for _, status in changes if status in _FAILURES]
        else:
            failures = _failures(identity)
        checked_error = self._error_type(error_type, failures[0] if failures else "SUCCESS")
        for aspects, status in changes:
            self._apply(identity, aspects, status, checked_error)
        if not changes:
            identity.error_type = checked_error

    def transition(
        self,
        name: str,
        to: str,
        *,
        aspect: Aspect | None = None,
        after_polls: int | None = None,
        after_seconds: float | None = None,
        error_type: str | None = None,
    ) -> None:
        """Queue a status change that happens later, as SES's DNS checks would."""
        if after_polls is not None and after_seconds is not None:
            raise ValueError("give after_polls or after_seconds, not both")
        if after_polls is None and after_seconds is None:
            after_polls = 0
        if after_polls is not None and (
            isinstance(after_polls, bool) or not isinstance(after_polls, int) or after_polls < 0
        ):
            raise ValueError(f"after_polls must be a non-negative integer, got {after_polls!r}")
        if after_seconds is not None and not (math.isfinite(after_seconds) and after_seconds >= 0):
            raise ValueError(f"after_seconds must be a non-negative number, got {after_seconds!r}")
        if aspect is not None and aspect not in _ASPECTS:
            raise ValueError(f"aspect must be one of {_ASPECTS} or None, got {aspect!r}")
        status = _status(to, aspect or "verification")
        entry = self.identities.get(name)
        is_domain = "@" not in name if entry is None else entry[1].is_domain
        aspects: tuple[Aspect, ...]
        if aspect is None:
            aspects = ("verification", "dkim") if is_domain else ("verification",)
        else:
            aspects = (aspect,)
        if aspect == "mail_from" and entry is not None:
            self._require_mail_from(entry[1])
        checked_error = self._error_type(error_type, status)
        queues = self._transitions.setdefault(name, {})
        queue = queues.setdefault(aspects, deque())
        queue.append(
            _Transition(
                aspects=aspects,
                to=status,
                error_type=checked_error,
                after_polls=after_polls,
                after_seconds=None if after_seconds is None else float(after_seconds),
                start=self._context.clock(),
            )
        )

    def verify(self, *identities: str) -> None:
        """Create each identity if it does not exist, and make it `SUCCESS` now."""
        for name in identities:
            if name not in self.identities:
                try:
                    self.create({"EmailIdentity": name})
                except FakeError as err:
                    raise ValueError(err.message) from None
            identity = self.identities[name][1]
            self._apply(identity, _every_aspect(identity), "SUCCESS", None)

    def fail(self, name: str, *, error_type: str | None = None) -> FakeIdentity:
        """Make identity `name` `FAILED` now: verification, DKIM, and its MAIL FROM if any."""
        identity = self._state(name)
        checked = self._error_type(error_type, "FAILED")
        self._apply(identity, _every_aspect(identity), "FAILED", checked)
        return identity

    def auto_verify(self, identity: FakeIdentity, aspects: tuple[Aspect, ...]) -> None:
        """A check of `aspects` just started: with auto-verify it succeeds, now or later."""
        if not self.settings.auto_verify:
            return
        delay = float(self.settings.auto_verify_after)
        if delay <= 0:
            self._apply(identity, aspects, "SUCCESS", None)
            return
        queue = self._transitions.setdefault(identity.name, {}).setdefault(aspects, deque())
        queue.append(
            _Transition(
                aspects=aspects,
                to="SUCCESS",
                error_type=None,
                after_polls=None,
                after_seconds=delay,
                start=self._context.clock(),
            )
        )

    def verified(self, address: str) -> FakeIdentity | None:
        """The verified identity that covers `address`: the address itself, else its domain.

        SES treats domains case-insensitively, so the domain is also tried in lower case.
        """
        local, _, domain = address.rpartition("@")
        for name in dict.fromkeys((address, f"{local}@{domain.lower()}", domain, domain.lower())):
            entry = self.identities.get(name)
            if entry is None:
                continue
            self.settle(entry[1], poll=False)
            if entry[1].verified_for_sending:
                return entry[1]
        return None

    def _state(self, name: str) -> FakeIdentity:
        entry = self.identities.get(name)
        if entry is None:
            raise KeyError(f"FakeSES has no identity {name!r}")
        return entry[1]

    def _require_mail_from(self, identity: FakeIdentity) -> None:
        if identity.mail_from_domain is None:
            raise ValueError(f"{identity.name!r} has no MAIL FROM domain")

    def _error_type(self, error_type: str | None, status: str) -> str | None:
        if error_type is None:
            return None
        checked = plain(error_type)
        known = sesv2_model().shape_for("VerificationError").metadata.get("enum", [])
        if checked not in known:
            raise ValueError(f"error_type must be one of {known}, got {error_type!r}")
        if status not in _FAILURES:
            raise ValueError("error_type needs a FAILED or TEMPORARY_FAILURE status to explain")
        return checked

    def _apply(
        self,
        identity: FakeIdentity,
        aspects: tuple[Aspect, ...],
        status: str,
        error_type: str | None,
    ) -> None:
        now = self._context.wall_now()
        identity.last_checked = now
        for aspect in aspects:
            if aspect == "verification":
                identity.verification_status = status
                if status == "SUCCESS":
                    identity.last_success = now
            elif aspect == "dkim":
                identity.dkim_status = status
            elif identity.mail_from_domain is not None:
                # A MAIL FROM removed since the transition was queued has nothing to change.
                identity.mail_from_status = status
        if status in _FAILURES:
            identity.error_type = error_type
        elif not _failures(identity):
            identity.error_type = None

    def settle(self, identity: FakeIdentity, *, poll: bool) -> None:
        """Apply the queued transitions that are due; `poll` counts one GetEmailIdentity."""
        now = self._context.clock()
        for queue in self._transitions.get(identity.name, {}).values():
            self._settle_queue(identity, queue, now, poll=poll)

    def _settle_queue(
        self, identity: FakeIdentity, queue: deque[_Transition], now: float, *, poll: bool
    ) -> None:
        settle_due(
            queue,
            now,
            poll=poll,
            apply=lambda step: self._apply(identity, step.aspects, step.to, step.error_type),
        )

    def get(self, name: str, *, poll: bool = False) -> FakeIdentity:
        """Identity `name`, settled, for a request; `NotFoundException` if missing."""
        entry = self.identities.get(name)
        if entry is None:
            raise FakeError("NotFoundException", f"Email identity <{name}> does not exist.")
        self.settle(entry[1], poll=poll)
        return entry[1]

    def delete(self, name: str) -> None:
        """Forget identity `name` and the transitions scripted for it."""
        del self.identities[name]
        self._transitions.pop(name, None)

    def lookup(self, name: str) -> FakeIdentity | None:
        """Identity `name` as it stands (no transitions applied), or `None`."""
        entry = self.identities.get(name)
        return None if entry is None else entry[1]

    def create(self, params: Mapping[str, Any]) -> FakeIdentity:
        """Create the identity a `CreateEmailIdentity` request describes; `FakeError` if bad."""
        name = params["EmailIdentity"]
        if "@" in name:
            if not is_email_address(name):
                raise FakeError("BadRequestException", f"Invalid email address <{name}>.")
            identity_type = "EMAIL_ADDRESS"
        elif _is_domain(name):
            identity_type = "DOMAIN"
        else:
            raise FakeError("BadRequestException", f"Invalid domain name <{name}>.")
        if name in self.identities:
            raise FakeError("AlreadyExistsException", f"Email identity <{name}> already exists.")
        configuration_set = params.get("ConfigurationSetName")
        if configuration_set is not None:
            self._configuration_sets.get(configuration_set)
        signing = params.get("DkimSigningAttributes")
        if signing is not None and identity_type != "DOMAIN":
            raise FakeError(
                "BadRequestException", "DKIM signing attributes apply only to domain identities."
            )
        identity = FakeIdentity(
            name=name,
            identity_type=identity_type,
            configuration_set_name=configuration_set,
            tags=copy.deepcopy(list(params.get("Tags", []))),
            last_checked=self._context.wall_now(),
        )
        if identity_type == "DOMAIN":
            signing = signing or {}
            if _wants_byodkim(signing):
                self.use_byodkim(identity, signing)
            else:
                origin = signing.get("DomainSigningAttributesOrigin", "AWS_SES")
                self.use_easy_dkim(identity, origin, signing.get("NextSigningKeyLength"))
        self.identities[name] = (self._context.sequence.next(), identity)
        now = self._context.clock()
        for queue in self._transitions.get(name, {}).values():
            # Scripted before the identity existed: the countdown runs from its creation.
            if queue:
                queue[0].start = now
                queue[0].polls = 0
        self.auto_verify(identity, _every_aspect(identity))
        return identity

    def use_easy_dkim(self, identity: FakeIdentity, origin: str, key_length: str | None) -> None:
        """Give a domain new Easy DKIM tokens of `origin` (`AWS_SES...`)."""
        length = _key_length(key_length)
        identity.dkim_origin = origin
        identity.dkim_tokens = [self._dkim_token() for _ in range(3)]
        identity.signing_hosted_zone = self.settings.signing_hosted_zone
        identity.current_signing_key_length = length
        identity.next_signing_key_length = length
        identity.last_key_generation = self._context.wall_now()
        identity.dkim_private_key = None
        identity.dkim_signing_enabled = True
        identity.dkim_status = "PENDING"

    def use_byodkim(self, identity: FakeIdentity, signing: Mapping[str, Any]) -> None:
        """Make a domain sign with its own key (BYODKIM); `BadRequestException` if bad."""
        selector = signing.get("DomainSigningSelector")
        key = signing.get("DomainSigningPrivateKey")
        if not selector or not key:
            raise FakeError(
                "BadRequestException",
                "BYODKIM needs both DomainSigningSelector and DomainSigningPrivateKey.",
            )
        if not (len(selector) <= 63 and _SELECTOR.match(selector)):
            raise FakeError("BadRequestException", f"Invalid DKIM selector <{selector}>.")
        if len(key) > _MAX_PRIVATE_KEY_CHARS or not _is_base64(key):
            raise FakeError(
                "BadRequestException",
                "DomainSigningPrivateKey must be base64 text of at most "
                f"{_MAX_PRIVATE_KEY_CHARS} characters.",
            )
        identity.dkim_origin = "EXTERNAL"
        identity.dkim_tokens = [selector]
        identity.signing_hosted_zone = None
        identity.current_signing_key_length = None
        identity.next_signing_key_length = None
        identity.last_key_generation = self._context.wall_now()
        identity.dkim_private_key = key
        identity.dkim_signing_enabled = True
        identity.dkim_status = "PENDING"

    def _dkim_token(self) -> str:
        return "".join(self._random.choice(_TOKEN_ALPHABET) for _ in range(32))


class IdentityHandlers(Handlers):
    """Email identity operations; configuration set names are checked."""

    def __init__(
        self, identities: IdentityStore, configuration_sets: ConfigurationSetStore
    ) -> None:
        self._identities = identities
        self._configuration_sets = configuration_sets

    # --- operations ----------------------------------------------------------------------

    @operation("CreateEmailIdentity")
    def _create_email_identity(self, params: Mapping[str, Any]) -> dict[str, Any]:
        identity = self._identities.create(params)
        return {
            "IdentityType": identity.identity_type,
            "VerifiedForSendingStatus": identity.verified_for_sending,
            "DkimAttributes": _dkim_attributes(identity),
        }

    @operation("GetEmailIdentity")
    def _get_email_identity(self, params: Mapping[str, Any]) -> dict[str, Any]:
        identity = self._identities.get(params["EmailIdentity"], poll=True)
        status = plain(identity.verification_status)
        info: dict[str, Any] = {
            "LastCheckedTimestamp": identity.last_checked,
            "LastSuccessTimestamp": identity.last_success,
        }
        failures = _failures(identity)
        if failures:
            # One reason for the identity; a hard failure outranks a temporary one.
            worst = "FAILED" if "FAILED" in failures else "TEMPORARY_FAILURE"
            info["ErrorType"] = plain(identity.error_type or _DEFAULT_ERROR_TYPES[worst])
            info["SOARecord"] = _soa_record(identity.domain, identity.last_checked)
        result: dict[str, Any] = {
            "IdentityType": identity.identity_type,
            "FeedbackForwardingStatus": identity.feedback_forwarding,
            "VerifiedForSendingStatus": identity.verified_for_sending,
            "DkimAttributes": _dkim_attributes(identity),
            "Policies": dict(identity.policies),
            "Tags": copy.deepcopy(identity.tags),
            "ConfigurationSetName": identity.configuration_set_name,
            "VerificationStatus": status,
            "VerificationInfo": info,
        }
        if identity.mail_from_domain is not None:
            result["MailFromAttributes"] = {
                "MailFromDomain": identity.mail_from_domain,
                "MailFromDomainStatus": identity.mail_from_status or "PENDING",
                "BehaviorOnMxFailure": identity.behavior_on_mx_failure,
            }
        return result

    @operation("ListEmailIdentities")
    def _list_email_identities(self, params: Mapping[str, Any]) -> dict[str, Any]:
        wanted = filters(params, {"IDENTITY_NAME_CONTAINS", "IDENTITY_TYPE", "VERIFICATION_STATUS"})
        items: list[tuple[int, dict[str, Any]]] = []
        for sequence, identity in self._identities.identities.values():
            self._identities.settle(identity, poll=False)
            status = plain(identity.verification_status)
            if (
                wanted.get("IDENTITY_NAME_CONTAINS", "").lower() not in identity.name.lower()
                or wanted.get("IDENTITY_TYPE", identity.identity_type) != identity.identity_type
                or wanted.get("VERIFICATION_STATUS", status) != status
            ):
                continue
            items.append(
                (
                    sequence,
                    {
                        "IdentityType": identity.identity_type,
                        "IdentityName": identity.name,
                        "SendingEnabled": identity.verified_for_sending,
                        "VerificationStatus": status,
                    },
                )
            )
        page, token = paginate("identities", items, params)
        return {"EmailIdentities": page, "NextToken": token}

    @operation("DeleteEmailIdentity")
    def _delete_email_identity(self, params: Mapping[str, Any]) -> None:
        name = params["EmailIdentity"]
        self._identities.get(name)
        self._identities.delete(name)

    @operation("PutEmailIdentityMailFromAttributes")
    def _put_mail_from(self, params: Mapping[str, Any]) -> None:
        identity = self._identities.get(params["EmailIdentity"])
        behavior = params.get("BehaviorOnMxFailure") or "USE_DEFAULT_VALUE"
        if behavior not in ("USE_DEFAULT_VALUE", "REJECT_MESSAGE"):
            raise FakeError("BadRequestException", f"Invalid BehaviorOnMxFailure <{behavior}>.")
        mail_from = params.get("MailFromDomain")
        if not mail_from:
            identity.mail_from_domain = None
            identity.mail_from_status = None
            identity.behavior_on_mx_failure = "USE_DEFAULT_VALUE"
            return
        parent = identity.domain.lower()
        if not (_is_domain(mail_from) and mail_from.lower().endswith("." + parent)):
            raise FakeError(
                "BadRequestException",
                f"MAIL FROM domain <{mail_from}> must be a subdomain of <{identity.domain}>.",
            )
        identity.mail_from_domain = mail_from
        identity.behavior_on_mx_failure = behavior
        identity.mail_from_status = "PENDING"
        self._identities.auto_verify(identity, ("mail_from",))

    @operation("PutEmailIdentityDkimSigningAttributes")
    def _put_dkim_signing(self, params: Mapping[str, Any]) -> dict[str, Any]:
        identity = self._identities.get(params["EmailIdentity"])
        if not identity.is_domain:
            raise FakeError(
                "BadRequestException", "DKIM signing attributes apply only to domain identities."
            )
        origin = params["SigningAttributesOrigin"]
        signing = params.get("SigningAttributes") or {}
        if origin == "EXTERNAL":
            self._identities.use_byodkim(identity, signing)
            self._identities.auto_verify(identity, ("dkim",))
        elif origin.startswith("AWS_SES"):
            if identity.dkim_origin == origin:
                # Same Easy DKIM set-up: only the next rotation's key length changes; the
                # published CNAMEs (and so the status) stay valid.
                identity.next_signing_key_length = _key_length(
                    signing.get("NextSigningKeyLength") or identity.next_signing_key_length
                )
            else:
                self._identities.use_easy_dkim(
                    identity, origin, signing.get("NextSigningKeyLength")
                )
                self._identities.auto_verify(identity, ("dkim",))
        else:
            raise FakeError("BadRequestException", f"Invalid SigningAttributesOrigin <{origin}>.")
        return {
            "DkimStatus": identity.dkim_status,
            "DkimTokens": list(identity.dkim_tokens),
            "SigningHostedZone": identity.signing_hosted_zone,
        }

    @operation("PutEmailIdentityDkimAttributes")
    def _put_dkim(self, params: Mapping[str, Any]) -> None:
        identity = self._identities.get(params["EmailIdentity"])
        identity.dkim_signing_enabled = bool(params.get("SigningEnabled", False))

    @operation("PutEmailIdentityConfigurationSetAttributes")
    def _put_identity_configuration_set(self, params: Mapping[str, Any]) -> None:
        identity = self._identities.get(params["EmailIdentity"])
        name = params.get("ConfigurationSetName")
        if name:
            self._configuration_sets.get(name)
        identity.configuration_set_name = name or None


def _every_aspect(identity: FakeIdentity) -> tuple[Aspect, ...]:
    """What a check of the whole identity covers: DKIM for a domain, its MAIL FROM if any."""
    aspects: tuple[Aspect, ...] = (
        ("verification", "dkim") if identity.is_domain else ("verification",)
    )
    if identity.mail_from_domain is not None:
        aspects += ("mail_from",)
    return aspects


def _failures(identity: FakeIdentity) -> list[str]:
    """Return the FAILED/TEMPORARY_FAILURE statuses the identity shows, in aspect order."""
    statuses = [identity.verification_status, identity.dkim_status]
    if identity.mail_from_domain is not None and identity.mail_from_status is not None:
        statuses.append(identity.mail_from_status)
    return [status for status in map(plain, statuses) if status in _FAILURES]


def _status(value: object, aspect: Aspect) -> str:
    checked = plain(value)
    allowed = _MAIL_FROM_STATUSES if aspect == "mail_from" else _STATUSES
    if checked not in allowed:
        raise ValueError(f"{aspect} status must be one of {sorted(allowed)}, got {value!r}")
    return checked


def _key_length(value: str | None) -> str:
    length = _DEFAULT_KEY_LENGTH if value is None else plain(value)
    if length not in _KEY_LENGTHS:
        raise FakeError("BadRequestException", f"Invalid NextSigningKeyLength <{length}>.")
    return length


def _wants_byodkim(signing: Mapping[str, Any]) -> bool:
    return bool(
        signing.get("DomainSigningSelector")
        or signing.get("DomainSigningPrivateKey")
        or signing.get("DomainSigningAttributesOrigin") == "EXTERNAL"
    )


def _is_domain(name: str) -> bool:
    labels = name.split(".")
    return (
        len(name) <= 253
        and len(labels) >= 2
        and all(_DNS_LABEL.match(label) for label in labels)
        and not labels[-1].isdigit()
    )


def is_email_address(name: str) -> bool:
    local, _, domain = name.rpartition("@")
    return 0 < len(local) <= 64 and bool(_LOCAL_PART.match(local)) and _is_domain(domain)


def _is_base64(text: str) -> bool:
    try:
        base64.b64decode(text, validate=True)
    except (ValueError, binascii.Error):
        return False
    return True


def _dkim_attributes(identity: FakeIdentity) -> dict[str, Any]:
    return {
        "SigningEnabled": identity.dkim_signing_enabled,
        "Status": plain(identity.dkim_status),
        "Tokens": list(identity.dkim_tokens) if identity.dkim_tokens else None,
        "SigningHostedZone": identity.signing_hosted_zone,
        "SigningAttributesOrigin": identity.dkim_origin,
        "NextSigningKeyLength": identity.next_signing_key_length,
        "CurrentSigningKeyLength": identity.current_signing_key_length,
        "LastKeyGenerationTimestamp": identity.last_key_generation,
    }


def _soa_record(domain: str, checked: dt.datetime | None) -> dict[str, Any]:
    # A plausible SOA for the zone SES looked in; the serial follows the YYYYMMDDnn convention.
    day = checked or dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    return {
        "PrimaryNameServer": f"ns1.{domain}",
        "AdminEmail": f"hostmaster.{domain}",
        "SerialNumber": int(day.strftime("%Y%m%d")) * 100 + 1,
    }
