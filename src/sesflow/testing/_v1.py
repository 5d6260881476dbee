"""SES v1 (the Query API) answered over the fake's SES v2 operations: one state, two APIs.

Each v1 action is translated into the v2 operation(s) that do the same thing, which run through
the fake's own dispatch (`FakeSES._serve_v2`): the same call log, injected faults, rules, rate
and quota enforcement, suppression list, events and outbox as a v2 request. The v2 answer is
then translated back: its result into the v1 output shape, its error into v1's code
(`NotFoundException` for a template becomes `TemplateDoesNotExist`, 429
`TooManyRequestsException` becomes 400 `Throttling`, ...). So an identity verified through v1
is verified for v2, a template made through one API sends through the other, and a v1 send
lands in the same outbox.

| v1 action | answered by the v2 operation |
| --- | --- |
| `SendEmail`, `SendRawEmail`, `SendTemplatedEmail` | `SendEmail` (`Simple`, `Raw`, `Template`) |
| `SendBulkTemplatedEmail` | `SendBulkEmail` |
| `VerifyEmailIdentity`, `VerifyDomainIdentity` | `CreateEmailIdentity` (again: nothing) |
| `VerifyDomainDkim` | `CreateEmailIdentity`, or `GetEmailIdentity` if it exists |
| `GetIdentityVerificationAttributes`, `GetIdentityDkimAttributes` | `GetEmailIdentity` each |
| `ListIdentities` | `ListEmailIdentities` (filtered by type) |
| `DeleteIdentity` | `DeleteEmailIdentity` (a missing one: nothing) |
| `GetSendQuota` | `GetAccount` |
| `GetSendStatistics` | none: counted from the outbox |
| `CreateTemplate`, `GetTemplate`, `UpdateTemplate`, ... | `CreateEmailTemplate`, ... |

Examples:
    >>> api = fake._query_api
    >>> fake.verify("news@example.com")
    >>> status, _, xml = api.answer(
    ...     b"Action=SendEmail&Source=news%40example.com"
    ...     b"&Destination.ToAddresses.member.1=ann%40example.com"
    ...     b"&Message.Subject.Data=Hi&Message.Body.Text.Data=Hello"
    ... )
    >>> status, b"<MessageId>" in xml, fake.outbox[-1].subject
    (200, True, 'Hi')
"""

from __future__ import annotations

import base64
import email.policy
import email.utils
import hashlib
import json
import math
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from email.parser import BytesHeaderParser
from typing import Any
from urllib.parse import parse_qsl

from botocore.parsers import create_parser

from sesflow.testing._context import Context
from sesflow.testing._events import EventStore
from sesflow.testing._fake import DroppedConnectionError, sesv2_model
from sesflow.testing._outbox import FakeMessage, Outbox, address_key
from sesflow.testing._suppression import SuppressionStore
from sesflow.testing._v1_codec import (
    QueryError,
    decode_query,
    encode_query_error,
    encode_query_response,
    ses_model,
)

__all__ = ["QueryApi", "V2Call", "implemented_actions", "send_data_points", "verification_token"]

#: Answers one SES v2 operation with decoded parameters: `(status, headers, JSON body)`.
V2Call = Callable[[str, dict[str, Any]], tuple[int, Mapping[str, str], bytes]]
Action = Callable[["QueryApi", dict[str, Any]], dict[str, Any]]

_ACTIONS: dict[str, Action] = {}

_STATUSES = {
    "PENDING": "Pending",
    "SUCCESS": "Success",
    "FAILED": "Failed",
    "TEMPORARY_FAILURE": "TemporaryFailure",
    "NOT_STARTED": "NotStarted",
}
_BULK_STATUSES = {
    "SUCCESS": "Success",
    "MESSAGE_REJECTED": "MessageRejected",
    "MAIL_FROM_DOMAIN_NOT_VERIFIED": "MailFromDomainNotVerified",
    "CONFIGURATION_SET_NOT_FOUND": "ConfigurationSetDoesNotExist",
    "TEMPLATE_NOT_FOUND": "TemplateDoesNotExist",
    "ACCOUNT_SUSPENDED": "AccountSuspended",
    "ACCOUNT_THROTTLED": "AccountThrottled",
    "ACCOUNT_DAILY_QUOTA_EXCEEDED": "AccountDailyQuotaExceeded",
    "INVALID_SENDING_POOL_NAME": "InvalidSendingPoolName",
    "ACCOUNT_SENDING_PAUSED": "AccountSendingPaused",
    "CONFIGURATION_SET_SENDING_PAUSED": "ConfigurationSetSendingPaused",
    "INVALID_PARAMETER": "InvalidParameterValue",
    "TRANSIENT_FAILURE": "TransientFailure",
    "FAILED": "Failed",
}
# v2 error codes whose v1 code does not depend on the action or the message.
_ERROR_CODES = {
    "BadRequestException": "InvalidParameterValue",
    "InvalidNextTokenException": "InvalidParameterValue",
    "AlreadyExistsException": "AlreadyExists",
    "TooManyRequestsException": "Throttling",
    "InternalServiceErrorException": "InternalFailure",
}
_SUSPENDED_MESSAGE = (
    "Sending suspended for this account. For more information, please check the inbox of the "
    "email address associated with your AWS account."
)
_MAX_IDENTITIES = 100
_MAX_LIST_IDENTITIES = 1000
_DEFAULT_LIST_TEMPLATES = 10
_MAX_LIST_TEMPLATES = 100
_STATISTICS_DAYS = 14
_INTERVAL = 15 * 60


def _action(name: str) -> Callable[[Action], Action]:
    def register(func: Action) -> Action:
        _ACTIONS[name] = func
        return func

    return register


def implemented_actions() -> list[str]:
    """The SES v1 actions the fake answers, sorted.

    Examples:
        >>> "SendRawEmail" in implemented_actions()
        True
    """
    return sorted(_ACTIONS)


class QueryApi:
    """Answers SES v1 Query requests by running the matching v2 operations.

    Built by `FakeSES._build()` with the fake's v2 dispatch and the stores that
    `GetSendStatistics`, which has no v2 counterpart, counts from. The caller holds the fake's
    lock around `answer()`, so an action made of several v2 calls sees one state.

    Examples:
        >>> status, _, xml = fake._query_api.answer(b"Action=GetSendQuota")
        >>> status, b"<MaxSendRate>14.0</MaxSendRate>" in xml
        (200, True)

    Args:
        context: The fake's region, account and clocks.
        call: Runs one v2 operation through the fake's dispatch.
        outbox: The accepted messages `GetSendStatistics` counts.
        suppression: The recipients the suppression list withheld (counted as bounces).
        events: What each recipient's mail does (bounce, complaint, reject).
    """

    def __init__(
        self,
        context: Context,
        *,
        call: V2Call,
        outbox: Outbox,
        suppression: SuppressionStore,
        events: EventStore,
    ) -> None:
        self._context = context
        self._call = call
        self._outbox = outbox
        self._suppression = suppression
        self._events = events
        self._model = ses_model()
        self._v2_model = sesv2_model()
        self._parser = create_parser("rest-json")

    def answer(self, body: bytes) -> tuple[int, dict[str, str], bytes]:
        """Answer one form-encoded v1 request body with v1's XML (errors included).

        Examples:
            >>> status, _, xml = fake._query_api.answer(b"Action=CreateReceiptRule")
            >>> status, b"<Code>NotImplemented</Code>" in xml
            (501, True)

        Raises:
            DroppedConnectionError: An injected fault breaks the connection instead.
        """
        try:
            # An action the fake lacks is named as such before its parameters are checked.
            named = dict(parse_qsl(body.decode("utf-8", "replace"))).get("Action", "")
            if named in self._model.operation_names and named not in _ACTIONS:
                raise QueryError(
                    "NotImplemented",
                    f"FakeSES does not implement the SES v1 action {named}. It answers SES v2 "
                    f"and these v1 actions: {', '.join(implemented_actions())}.",
                    501,
                )
            action, params = decode_query(self._model, body)
            result = _ACTIONS[action](self, params)
            return encode_query_response(self._model.operation_model(action), result)
        except QueryError as err:
            return encode_query_error(err.code, err.message, err.status, request_id=err.request_id)
        except DroppedConnectionError:
            raise
        except NotImplementedError as exc:
            return encode_query_error("NotImplemented", str(exc), 501)
        except Exception as exc:  # answer rather than hang the client; the test sees the text
            return encode_query_error("InternalFailure", repr(exc), 500)

    # --- the v2 side ---------------------------------------------------------------------

    def _v2(
        self, operation: str, params: dict[str, Any], *, sending: bool = False
    ) -> dict[str, Any]:
        """Run a v2 operation; return its result, or raise its error as v1's `QueryError`."""
        status, headers, body = self._call(operation, params)
        if status < 300:
            shape = self._v2_model.operation_model(operation).output_shape
            if shape is None:
                return {}
            parsed: dict[str, Any] = self._parser.parse(
                {"status_code": status, "headers": dict(headers), "body": body}, shape
            )
            parsed.pop("ResponseMetadata", None)
            return parsed
        code = next((v for k, v in headers.items() if k.lower() == "x-amzn-errortype"), "")
        try:
            message = str(json.loads(body).get("message", ""))
        except (ValueError, AttributeError):
            message = body.decode("utf-8", "replace")
        request_id = next((v for k, v in headers.items() if k.lower() == "x-amzn-requestid"), None)
        raise _v1_error(code, message, status, sending=sending, request_id=request_id)


def _send(api: QueryApi, params: Mapping[str, Any], v2: dict[str, Any]) -> dict[str, Any]:
    """Run a v1 send as v2 `SendEmail`, its shared members added."""
    _common_send_members(params, v2)
    result = api._v2("SendEmail", v2, sending=True)
    return {"MessageId": result["MessageId"]}


@_action("SendEmail")
def _send_email(api: QueryApi, params: dict[str, Any]) -> dict[str, Any]:
    message = params["Message"]
    simple = {"Subject": message["Subject"], "Body": message["Body"]}
    v2 = {
        "FromEmailAddress": params["Source"],
        "Destination": params["Destination"],
        "Content": {"Simple": simple},
    }
    return _send(api, params, v2)


@_action("SendRawEmail")
def _send_raw_email(api: QueryApi, params: dict[str, Any]) -> dict[str, Any]:
    data: bytes = params["RawMessage"]["Data"]
    headers = _raw_headers(data)
    v2: dict[str, Any] = {"Content": {"Raw": {"Data": data}}}
    if params.get("Source"):
        v2["FromEmailAddress"] = params["Source"]
    if params.get("FromArn"):
        v2["FromEmailAddressIdentityArn"] = params["FromArn"]
    destinations = params.get("Destinations")
    if destinations:
        v2["Destination"] = _envelope(destinations, headers)
    # SES reads these two headers of a raw message; the request's own members win.
    if not params.get("ConfigurationSetName") and headers.get("X-SES-CONFIGURATION-SET"):
        params = {**params, "ConfigurationSetName": headers["X-SES-CONFIGURATION-SET"].strip()}
    header_tags = _header_tags(headers.get("X-SES-MESSAGE-TAGS"))
    if header_tags:
        given = {tag["Name"] for tag in params.get("Tags") or []}
        extra = [tag for tag in header_tags if tag["Name"] not in given]
        params = {**params, "Tags": [*(params.get("Tags") or []), *extra]}
    return _send(api, params, v2)


@_action("SendTemplatedEmail")
def _send_templated_email(api: QueryApi, params: dict[str, Any]) -> dict[str, Any]:
    template = _template_reference(params)
    template["TemplateData"] = params["TemplateData"]
    v2 = {
        "FromEmailAddress": params["Source"],
        "Destination": params["Destination"],
        "Content": {"Template": template},
    }
    return _send(api, params, v2)


@_action("SendBulkTemplatedEmail")
def _send_bulk_templated_email(api: QueryApi, params: dict[str, Any]) -> dict[str, Any]:
    template = _template_reference(params)
    template["TemplateData"] = params["DefaultTemplateData"]
    entries = []
    for destination in params["Destinations"]:
        entry: dict[str, Any] = {"Destination": destination["Destination"]}
        if destination.get("ReplacementTags"):
            entry["ReplacementTags"] = destination["ReplacementTags"]
        if destination.get("ReplacementTemplateData") is not None:
            entry["ReplacementEmailContent"] = {
                "ReplacementTemplate": {
                    "ReplacementTemplateData": destination["ReplacementTemplateData"]
                }
            }
        entries.append(entry)
    v2: dict[str, Any] = {
        "FromEmailAddress": params["Source"],
        "DefaultContent": {"Template": template},
        "BulkEmailEntries": entries,
    }
    if params.get("DefaultTags"):
        v2["DefaultEmailTags"] = params["DefaultTags"]
    _common_send_members({k: v for k, v in params.items() if k != "Tags"}, v2)
    result = api._v2("SendBulkEmail", v2, sending=True)
    statuses = []
    for item in result["BulkEmailEntryResults"]:
        status = {"Status": _BULK_STATUSES.get(item.get("Status", ""), "Failed")}
        for key in ("Error", "MessageId"):
            if item.get(key) is not None:
                status[key] = item[key]
        statuses.append(status)
    return {"Status": statuses}


# --- identities --------------------------------------------------------------------------------


@_action("VerifyEmailIdentity")
def _verify_email_identity(api: QueryApi, params: dict[str, Any]) -> dict[str, Any]:
    address = params["EmailAddress"]
    if "@" not in address:
        raise QueryError("InvalidParameterValue", f"Invalid email address <{address}>.")
    _create_identity(api, address)
    return {}


@_action("VerifyDomainIdentity")
def _verify_domain_identity(api: QueryApi, params: dict[str, Any]) -> dict[str, Any]:
    domain = params["Domain"]
    if "@" in domain:
        raise QueryError("InvalidParameterValue", f"Invalid domain name <{domain}>.")
    _create_identity(api, domain)
    return {"VerificationToken": _token(api, domain)}


@_action("VerifyDomainDkim")
def _verify_domain_dkim(api: QueryApi, params: dict[str, Any]) -> dict[str, Any]:
    domain = params["Domain"]
    if "@" in domain:
        raise QueryError("InvalidParameterValue", f"Invalid domain name <{domain}>.")
    created = _create_identity(api, domain)
    found = (
        created if created is not None else api._v2("GetEmailIdentity", {"EmailIdentity": domain})
    )
    return {"DkimTokens": list((found.get("DkimAttributes") or {}).get("Tokens") or [])}


@_action("GetIdentityVerificationAttributes")
def _get_identity_verification_attributes(api: QueryApi, params: dict[str, Any]) -> dict[str, Any]:
    attributes: dict[str, Any] = {}
    for name, found in _identities(api, params["Identities"]):
        entry = {"VerificationStatus": _status(found.get("VerificationStatus"))}
        if found.get("IdentityType") != "EMAIL_ADDRESS":
            entry["VerificationToken"] = _token(api, name)
        attributes[name] = entry
    return {"VerificationAttributes": attributes}


@_action("GetIdentityDkimAttributes")
def _get_identity_dkim_attributes(api: QueryApi, params: dict[str, Any]) -> dict[str, Any]:
    attributes: dict[str, Any] = {}
    for name, found in _identities(api, params["Identities"]):
        dkim = found.get("DkimAttributes") or {}
        entry: dict[str, Any] = {
            "DkimEnabled": bool(dkim.get("SigningEnabled", False)),
            "DkimVerificationStatus": _status(dkim.get("Status") or "NOT_STARTED"),
        }
        if found.get("IdentityType") != "EMAIL_ADDRESS" and dkim.get("Tokens"):
            entry["DkimTokens"] = list(dkim["Tokens"])
        attributes[name] = entry
    return {"DkimAttributes": attributes}


@_action("ListIdentities")
def _list_identities(api: QueryApi, params: dict[str, Any]) -> dict[str, Any]:
    v2: dict[str, Any] = {
        "PageSize": _page_size(params, default=_MAX_LIST_IDENTITIES, most=_MAX_LIST_IDENTITIES)
    }
    kind = params.get("IdentityType")
    if kind is not None:
        types = {"EmailAddress": "EMAIL_ADDRESS", "Domain": "DOMAIN"}
        if kind not in types:
            raise QueryError(
                "InvalidParameterValue", f"IdentityType must be EmailAddress or Domain, not {kind}."
            )
        v2["Filter"] = {"IDENTITY_TYPE": types[kind]}
    if params.get("NextToken"):
        v2["NextToken"] = params["NextToken"]
    result = api._v2("ListEmailIdentities", v2)
    names = [item["IdentityName"] for item in result.get("EmailIdentities") or []]
    return {"Identities": names, "NextToken": result.get("NextToken")}


@_action("DeleteIdentity")
def _delete_identity(api: QueryApi, params: dict[str, Any]) -> dict[str, Any]:
    try:
        api._v2("DeleteEmailIdentity", {"EmailIdentity": params["Identity"]})
    except QueryError as err:
        # v1 deletes idempotently: deleting what does not exist succeeds.
        if err.code != "NotFoundException":
            raise
    return {}


# --- account ---------------------------------------------------------------------------------


@_action("GetSendQuota")
def _get_send_quota(api: QueryApi, params: dict[str, Any]) -> dict[str, Any]:
    quota = api._v2("GetAccount", {}).get("SendQuota") or {}
    return {
        "Max24HourSend": float(quota.get("Max24HourSend", 0.0)),
        "MaxSendRate": float(quota.get("MaxSendRate", 0.0)),
        "SentLast24Hours": float(quota.get("SentLast24Hours", 0.0)),
    }


@_action("GetSendStatistics")
def _get_send_statistics(api: QueryApi, params: dict[str, Any]) -> dict[str, Any]:
    withheld = Counter(
        (recipient.message_id, recipient.address) for recipient in api._suppression.recipients
    )
    points = send_data_points(
        api._outbox.messages,
        withheld=withheld,
        outcome=api._events.outcome,
        now=api._context.wall_clock(),
    )
    return {"SendDataPoints": points}


def send_data_points(
    messages: Sequence[FakeMessage],
    *,
    withheld: Mapping[tuple[str, str], int],
    outcome: Callable[[str], str],
    now: float,
) -> list[dict[str, Any]]:
    """`GetSendStatistics`' data points: the last 14 days of sending in 15-minute intervals.

    Counted per recipient of each accepted message, by its `wall_time`: `DeliveryAttempts`
    for every recipient of a message that rendered, `Rejects` for those of a message a
    recipient scripted `REJECT` stopped, `Bounces` for recipients withheld by the suppression
    list or bouncing (`bounce@`, `suppressionlist@` of the simulator, or scripted),
    `Complaints` for those complaining. Intervals with no sending are left out.

    Examples:
        >>> message = FakeMessage("id-1", "SendEmail", "a@example.com", ("b@example.com",),
        ...                       wall_time=1_800_000_100.0)
        >>> send_data_points([message], withheld={}, outcome=lambda address: "DELIVERY",
        ...                  now=1_800_000_200.0)  # doctest: +NORMALIZE_WHITESPACE
        [{'Timestamp': 1800000000.0, 'DeliveryAttempts': 1, 'Bounces': 0, 'Complaints': 0,
          'Rejects': 0}]
    """
    since = now - _STATISTICS_DAYS * 24 * 3600
    points: dict[float, Counter[str]] = {}
    for message in messages:
        if message.wall_time < since or message.rendering_error is not None:
            continue
        bucket = math.floor(message.wall_time / _INTERVAL) * _INTERVAL * 1.0
        counts = points.setdefault(bucket, Counter())
        keys = [address_key(address) for address in message.recipients]
        kinds = [outcome(key) for key in keys]
        if "REJECT" in kinds:
            counts["Rejects"] += len(keys)
            continue
        for key, kind in zip(keys, kinds, strict=True):
            counts["DeliveryAttempts"] += 1
            if withheld.get((message.message_id, key), 0) or kind in ("BOUNCE", "SUPPRESSED"):
                counts["Bounces"] += 1
            elif kind == "COMPLAINT":
                counts["Complaints"] += 1
    names = ("DeliveryAttempts", "Bounces", "Complaints", "Rejects")
    return [
        {"Timestamp": bucket, **{name: counts[name] for name in names}}
        for bucket, counts in sorted(points.items())
    ]


# --- templates -------------------------------------------------------------------------------


@_action("CreateTemplate")
def _create_template(api: QueryApi, params: dict[str, Any]) -> dict[str, Any]:
    name, content = _template_content(params["Template"])
    try:
        api._v2("CreateEmailTemplate", {"TemplateName": name, "TemplateContent": content})
    except QueryError as err:
        raise _invalid_template(err) from None
    return {}


@_action("GetTemplate")
def _get_template(api: QueryApi, params: dict[str, Any]) -> dict[str, Any]:
    result = api._v2("GetEmailTemplate", {"TemplateName": params["TemplateName"]})
    content = result.get("TemplateContent") or {}
    template = {"TemplateName": result["TemplateName"]}
    for v1, v2 in (("SubjectPart", "Subject"), ("TextPart", "Text"), ("HtmlPart", "Html")):
        if content.get(v2) is not None:
            template[v1] = content[v2]
    return {"Template": template}


@_action("UpdateTemplate")
def _update_template(api: QueryApi, params: dict[str, Any]) -> dict[str, Any]:
    name, content = _template_content(params["Template"])
    try:
        api._v2("UpdateEmailTemplate", {"TemplateName": name, "TemplateContent": content})
    except QueryError as err:
        raise _invalid_template(err) from None
    return {}


@_action("DeleteTemplate")
def _delete_template(api: QueryApi, params: dict[str, Any]) -> dict[str, Any]:
    try:
        api._v2("DeleteEmailTemplate", {"TemplateName": params["TemplateName"]})
    except QueryError as err:
        # The v1 model gives DeleteTemplate no errors: deleting a missing template succeeds.
        if err.code != "TemplateDoesNotExist":
            raise
    return {}


@_action("ListTemplates")
def _list_templates(api: QueryApi, params: dict[str, Any]) -> dict[str, Any]:
    size = min(_page_size(params, default=_DEFAULT_LIST_TEMPLATES, most=None), _MAX_LIST_TEMPLATES)
    v2: dict[str, Any] = {"PageSize": size}
    if params.get("NextToken"):
        v2["NextToken"] = params["NextToken"]
    result = api._v2("ListEmailTemplates", v2)
    metadata = [
        {"Name": item["TemplateName"], "CreatedTimestamp": item.get("CreatedTimestamp")}
        for item in result.get("TemplatesMetadata") or []
    ]
    return {"TemplatesMetadata": metadata, "NextToken": result.get("NextToken")}


# --- helpers ---------------------------------------------------------------------------------


def verification_token(account_id: str, region: str, domain: str) -> str:
    """The `_amazonses` TXT token of a domain: SES's shape (44 base64 characters), stable.

    Derived from the account, region and domain, so every call (and every fake of that
    account) answers the same token.

    Examples:
        >>> token = verification_token("123456789012", "us-east-1", "example.com")
        >>> len(token), token == verification_token("123456789012", "us-east-1", "EXAMPLE.com")
        (44, True)
    """
    seed = f"{account_id}:{region}:{domain.lower()}".encode()
    return base64.b64encode(hashlib.sha256(seed).digest()).decode("ascii")


def _token(api: QueryApi, domain: str) -> str:
    return verification_token(api._context.account_id, api._context.region, domain)


def _create_identity(api: QueryApi, name: str) -> dict[str, Any] | None:
    """Create identity `name` through v2; `None` when it existed already (v1 does not mind)."""
    try:
        return api._v2("CreateEmailIdentity", {"EmailIdentity": name})
    except QueryError as err:
        if err.code == "AlreadyExists":
            return None
        raise


def _identities(api: QueryApi, names: Sequence[str]) -> list[tuple[str, dict[str, Any]]]:
    """`GetEmailIdentity` of each name that exists (v1 leaves the others out of its map)."""
    if len(names) > _MAX_IDENTITIES:
        raise QueryError(
            "InvalidParameterValue",
            f"{len(names)} identities; at most {_MAX_IDENTITIES} may be asked for at once.",
        )
    found = []
    for name in dict.fromkeys(names):
        try:
            found.append((name, api._v2("GetEmailIdentity", {"EmailIdentity": name})))
        except QueryError as err:
            if err.code != "NotFoundException":
                raise
    return found


def _status(value: object) -> str:
    return _STATUSES.get(str(value), "NotStarted")


def _page_size(params: Mapping[str, Any], *, default: int, most: int | None) -> int:
    size = params.get("MaxItems")
    if size is None:
        return default
    if size < 1 or (most is not None and size > most):
        bound = f" and {most}" if most is not None else ""
        raise QueryError("InvalidParameterValue", f"MaxItems must be between 1{bound}.")
    return int(size)


def _common_send_members(params: Mapping[str, Any], v2: dict[str, Any]) -> None:
    """The members every v1 send shares, under their v2 names."""
    renames = {
        "ReplyToAddresses": "ReplyToAddresses",
        "ReturnPath": "FeedbackForwardingEmailAddress",
        "ReturnPathArn": "FeedbackForwardingEmailAddressIdentityArn",
        "ConfigurationSetName": "ConfigurationSetName",
        "Tags": "EmailTags",
    }
    for v1, v2_name in renames.items():
        if params.get(v1):
            v2[v2_name] = params[v1]
    if params.get("SourceArn") and "FromEmailAddressIdentityArn" not in v2:
        v2["FromEmailAddressIdentityArn"] = params["SourceArn"]


def _template_reference(params: Mapping[str, Any]) -> dict[str, Any]:
    if params.get("TemplateArn"):
        return {"TemplateArn": params["TemplateArn"]}
    return {"TemplateName": params["Template"]}


def _template_content(template: Mapping[str, Any]) -> tuple[str, dict[str, str]]:
    parts = (("SubjectPart", "Subject"), ("TextPart", "Text"), ("HtmlPart", "Html"))
    content = {v2: template[v1] for v1, v2 in parts if template.get(v1) is not None}
    return template["TemplateName"], content


def _invalid_template(err: QueryError) -> QueryError:
    """v1 names a template whose syntax is wrong `InvalidTemplate`."""
    if err.code == "InvalidParameterValue" and "template is not valid" in err.message:
        return QueryError("InvalidTemplate", err.message, err.status, request_id=err.request_id)
    return err


def _raw_headers(data: bytes) -> Mapping[str, str]:
    """The header fields of a raw message, keyed in upper case (the first of each name wins)."""
    try:
        parsed = BytesHeaderParser(policy=email.policy.compat32).parsebytes(data)
    except (ValueError, LookupError, TypeError):
        return {}
    return {name.upper(): str(value) for name, value in reversed(parsed.items())} | {
        # `get_all` keeps every To and Cc line, which a message may repeat.
        name.upper(): ", ".join(str(v) for v in parsed.get_all(name, []))
        for name in ("To", "Cc")
        if parsed.get_all(name)
    }


def _envelope(destinations: Sequence[str], headers: Mapping[str, str]) -> dict[str, list[str]]:
    """Sort `Destinations` into To, Cc and Bcc by the headers that name them.

    A recipient the To and Cc headers do not name is a blind copy.
    """
    named = {
        field: {
            address.lower() for _, address in email.utils.getaddresses([headers.get(field, "")])
        }
        for field in ("TO", "CC")
    }
    sorted_into: dict[str, list[str]] = {"ToAddresses": [], "CcAddresses": [], "BccAddresses": []}
    for destination in destinations:
        bare = (email.utils.parseaddr(destination)[1] or destination).lower()
        key = (
            "ToAddresses"
            if bare in named["TO"]
            else "CcAddresses"
            if bare in named["CC"]
            else "BccAddresses"
        )
        sorted_into[key].append(destination)
    return {key: value for key, value in sorted_into.items() if value}


def _header_tags(value: str | None) -> list[dict[str, str]]:
    """`X-SES-MESSAGE-TAGS: name=value, name2=value2` as message tags."""
    if not value:
        return []
    tags = []
    for part in value.split(","):
        name, sep, tag_value = part.strip().partition("=")
        if not sep or not name.strip():
            raise QueryError(
                "InvalidParameterValue",
                f"X-SES-MESSAGE-TAGS must be name=value pairs, got {value!r}.",
            )
        tags.append({"Name": name.strip(), "Value": tag_value.strip()})
    return tags


def _v1_error(
    code: str, message: str, status: int, *, sending: bool, request_id: str | None
) -> QueryError:
    """The v1 error for a v2 error answer."""
    v1 = _ERROR_CODES.get(code, code)
    if code == "NotFoundException":
        if message.startswith("Template "):
            v1 = "TemplateDoesNotExist"
        elif message.lower().startswith("configuration set"):
            v1 = "ConfigurationSetDoesNotExist"
    elif code == "LimitExceededException":
        # Over the daily quota a v1 send is throttled; elsewhere it is a resource limit.
        v1 = "Throttling" if sending else "LimitExceeded"
    elif code == "SendingPausedException":
        paused_set = "configuration set" in message.lower()
        v1 = (
            "ConfigurationSetSendingPausedException"
            if paused_set
            else "AccountSendingPausedException"
        )
    elif code == "AccountSuspendedException":
        v1, message = "MessageRejected", _SUSPENDED_MESSAGE
    # v1 answers every client error with HTTP 400, throttling included.
    return QueryError(v1, message, status if status >= 500 else 400, request_id=request_id)
