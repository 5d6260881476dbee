"""`SES.doctor()`: everything between a domain and mail that arrives, checked in one go.

SES's side (the identity, the account, the configuration set, VDM's rates) is read here,
with the calls `GetEmailIdentity`, `GetAccount`, `GetConfigurationSet`,
`GetConfigurationSetEventDestinations` and, for `bulk=True` with Virtual Deliverability
Manager on, `BatchGetMetricData`; the live DNS checks are `_doctor_dns.py`'s. Each part that
cannot be checked (an AWS error, dnspython missing) becomes an error finding saying why,
rather than stopping the others.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from ._doctor_dns import DnspythonLookup, DomainFacts, Lookup, dns_findings
from ._enums import RecordPurpose
from ._errors import ApiError, NotFoundError, SesflowError, ValidationError
from ._findings import DoctorReport, Finding, Severity
from ._validate import validate_domain, validate_name

if TYPE_CHECKING:
    from ._account import Account
    from ._destinations import EventDestination
    from ._domain import Domain
    from ._ses import SES

__all__ = [
    "BOUNCE_ERROR",
    "BOUNCE_WARNING",
    "COMPLAINT_ERROR",
    "COMPLAINT_WARNING",
    "METRIC_DAYS",
    "run_doctor",
]

#: Bounce rate (permanent bounces / sends): AWS asks for less than 2 %, reviews an account
#: at 5 % and may pause its sending at 10 %.
BOUNCE_WARNING = 0.02
BOUNCE_ERROR = 0.05
#: Complaint rate: Gmail asks bulk senders to stay under 0.1 % and never reach 0.3 % (SES
#: reviews an account at 0.1 % and may pause it at 0.5 %).
COMPLAINT_WARNING = 0.001
COMPLAINT_ERROR = 0.003
#: How many days of VDM metrics the rates cover.
METRIC_DAYS = 14


def run_doctor(
    ses: SES,
    domain: str,
    *,
    configuration_set: str | None,
    bulk: bool,
    resolver: Any,
    unsubscribe: object,
    lookup: Lookup | None = None,
    now: Callable[[], dt.datetime] | None = None,
) -> DoctorReport:
    """Run every check for `domain`; see `SES.doctor`."""
    name = validate_domain(domain, field="domain")
    if configuration_set is not None:
        configuration_set = validate_name(configuration_set, field="configuration_set")
    findings: list[Finding] = []

    dom, identity_findings = _guard("identity", f"the identity of {name}", _identity, ses, name)
    findings += identity_findings
    facts = _facts(ses, name, dom) if dom is not None else None

    findings += _dns(name, facts, resolver, lookup, bulk=bulk)

    account, account_findings = _guard("account", "the account", _account, ses, bulk)
    findings += account_findings

    default_set = _default_set(dom)
    _, set_findings = _guard(
        "configuration_set",
        "the configuration set",
        _configuration_set,
        ses,
        configuration_set or default_set,
        account,
        bulk,
        configuration_set is None,
    )
    findings += set_findings

    if bulk:
        findings.append(_unsubscribe(unsubscribe))
        identity = dom.name if dom is not None else name
        _, vdm_findings = _guard(
            "bulk.vdm", "VDM rates", _vdm, ses, account, identity, now or _utc_now
        )
        findings += vdm_findings
    return DoctorReport(name, ses.region, tuple(findings))


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _guard(code: str, what: str, check: Callable[..., Any], *args: Any) -> Any:
    """Run `check`; an AWS error becomes an error finding saying what could not be checked."""
    try:
        return check(*args)
    except ApiError as exc:
        operation = exc.operation or "the call"
        access = exc.code in ("AccessDeniedException", "AccessDenied") or exc.status_code == 403
        fix = (
            f"allow the IAM action ses:{operation} to whoever runs the doctor"
            if access
            else "see the error; run the doctor again when SES answers"
        )
        return None, [
            Finding(
                Severity.ERROR,
                what,
                f"could not check it: {exc.message}",
                fix,
                code=code,
            )
        ]


# --- the identity ---------------------------------------------------------------------------


def _candidates(name: str) -> list[str]:
    labels = name.split(".")
    return [".".join(labels[i:]) for i in range(len(labels) - 1)]


def _identity(ses: SES, name: str) -> tuple[Domain | None, list[Finding]]:
    candidates = _candidates(name)
    for candidate in candidates:
        dom = ses.domain(candidate)
        if dom.exists():
            return dom, _identity_findings(ses, name, dom)
    parents = candidates[1:]
    also = f" (nor for {', '.join(parents)})" if parents else ""
    return None, [
        Finding(
            Severity.ERROR,
            f"the identity of {name}",
            f"SES in {ses.region} has no domain identity {name}{also}: it cannot send as "
            f"{name}. Identities are per region: was it set up in another one?",
            f"create it and publish its records: dom = ses.domain({name!r}).create("
            f"mail_from='mail.{name}'); print(dom.dns_records().to_bind())",
            code="identity.exists",
        )
    ]


def _identity_findings(ses: SES, name: str, dom: Domain) -> list[Finding]:
    ident = dom.name
    region = ses.region
    state = dom._full_state()
    findings: list[Finding] = []
    via = (
        f"; {name} sends under the parent domain's identity (SES lets a verified domain's "
        "subdomains send)"
        if ident != name
        else ""
    )
    findings.append(
        Finding(
            Severity.OK,
            f"the identity of {name}",
            f"the domain identity {ident} exists in {region}{via}",
            code="identity.exists",
        )
    )
    dkim_records = _records(dom, RecordPurpose.DKIM)
    status = dom.verification_status.value
    verified = bool(state.get("VerifiedForSendingStatus"))
    if verified:
        findings.append(
            Finding(
                Severity.OK,
                f"verification of {ident}",
                f"{status}: SES lets you send from it",
                code="identity.verification",
            )
        )
    else:
        findings.append(
            Finding(
                Severity.ERROR,
                f"verification of {ident}",
                f"{status}, but not verified for sending (VerifiedForSendingStatus false): "
                "SES does not send from it"
                if status == "SUCCESS"
                else f"{status}{_reason(state)}: SES does not send from it yet",
                _publish_then(ident, status, "verified"),
                code="identity.verification",
                records=dkim_records,
            )
        )
    dkim: Mapping[str, Any] = state.get("DkimAttributes") or {}
    dkim_status = str(dkim.get("Status") or "NOT_STARTED")
    if dkim_status != "SUCCESS":
        findings.append(
            Finding(
                Severity.ERROR,
                f"DKIM of {ident}",
                f"{dkim_status}{_reason(state)}: SES does not sign as {ident}",
                _publish_then(ident, dkim_status, "dkim_verified"),
                code="identity.dkim",
                records=dkim_records,
            )
        )
    elif dkim.get("SigningEnabled") is False:
        findings.append(
            Finding(
                Severity.ERROR,
                f"DKIM of {ident}",
                "SUCCESS, but DKIM signing is turned off: SES signs only as amazonses.com",
                "turn it on: ses.client.put_email_identity_dkim_attributes("
                f"EmailIdentity={ident!r}, SigningEnabled=True)",
                code="identity.dkim",
            )
        )
    else:
        origin = (
            "your own key (BYODKIM)"
            if dkim.get("SigningAttributesOrigin") == ("EXTERNAL")
            else "Easy DKIM"
        )
        findings.append(
            Finding(
                Severity.OK,
                f"DKIM of {ident}",
                f"SUCCESS: SES signs as {ident} with {origin}",
                code="identity.dkim",
            )
        )
    findings.append(_mail_from(dom, state))
    return findings


def _reason(state: Mapping[str, Any]) -> str:
    info: Mapping[str, Any] = state.get("VerificationInfo") or {}
    error = info.get("ErrorType")
    return f" ({error})" if error else ""


def _publish_then(ident: str, status: str, waiter: str) -> str:
    if status == "FAILED":
        return (
            "publish the records below; after FAILED, SES looks again only when the identity "
            "is re-created or its DKIM signing attributes are put again (new Easy DKIM tokens "
            f"then need their own records): ses.domain({ident!r}).delete(), then create() it"
        )
    return (
        "publish the records below (SES keeps looking for up to 72 hours), then wait: "
        f"ses.domain({ident!r}).wait_until_{waiter}()"
    )


def _records(dom: Domain, *purposes: RecordPurpose) -> Any:
    from ._dns import DnsRecords

    try:
        return dom.dns_records(dmarc=None).with_purpose(*purposes)
    except ValidationError:  # BYODKIM: SES never returns the key
        return DnsRecords()


def _mail_from(dom: Domain, state: Mapping[str, Any]) -> Finding:
    ident = dom.name
    attrs: Mapping[str, Any] = state.get("MailFromAttributes") or {}
    mail_from = attrs.get("MailFromDomain")
    check = f"MAIL FROM domain of {ident}"
    if not mail_from:
        return Finding(
            Severity.WARNING,
            check,
            "none: SES sends with a MAIL FROM under amazonses.com, so SPF does not align "
            "with your domain and DMARC rests on DKIM alone",
            f"set one (a subdomain used for nothing else): ses.domain({ident!r})"
            f".set_mail_from('mail.{ident}'), then publish its MX and SPF records",
            code="identity.mail_from",
        )
    status = str(attrs.get("MailFromDomainStatus") or "PENDING")
    behaviour = str(attrs.get("BehaviorOnMxFailure") or "USE_DEFAULT_VALUE")
    if status == "SUCCESS":
        return Finding(Severity.OK, check, f"{mail_from}: SUCCESS", code="identity.mail_from")
    records = _records(dom, RecordPurpose.MAIL_FROM_MX, RecordPurpose.MAIL_FROM_SPF)
    rejecting = behaviour == "REJECT_MESSAGE"
    meanwhile = (
        "SES refuses to send (BehaviorOnMxFailure REJECT_MESSAGE)"
        if rejecting
        else "SES falls back to a MAIL FROM under amazonses.com"
    )
    fix = (
        "publish the records below, then restart the check: "
        f"ses.domain({ident!r}).set_mail_from({mail_from!r})"
        if status == "FAILED"
        else "publish the records below, then wait: "
        f"ses.domain({ident!r}).wait_until_mail_from_verified()"
    )
    return Finding(
        Severity.ERROR if status == "FAILED" or rejecting else Severity.WARNING,
        check,
        f"{mail_from}: {status}; meanwhile {meanwhile}",
        fix,
        code="identity.mail_from",
        records=records,
    )


def _facts(ses: SES, name: str, dom: Domain) -> DomainFacts:
    state = dom._full_state()
    dkim: Mapping[str, Any] = state.get("DkimAttributes") or {}
    mail_from: Mapping[str, Any] = state.get("MailFromAttributes") or {}
    external = dkim.get("SigningAttributesOrigin") == "EXTERNAL"
    tokens = [str(t) for t in dkim.get("Tokens") or ()]
    return DomainFacts(
        domain=name,
        identity=dom.name,
        region=ses.region,
        dkim_records=() if external else tuple(_records(dom, RecordPurpose.DKIM)),
        byodkim_selector=(tokens[0] if tokens else "") if external else None,
        dkim_signing=dkim.get("Status") == "SUCCESS" and dkim.get("SigningEnabled") is not False,
        mail_from=str(mail_from["MailFromDomain"]) if mail_from.get("MailFromDomain") else None,
        mail_from_active=mail_from.get("MailFromDomainStatus") == "SUCCESS",
        mail_from_records=tuple(
            _records(dom, RecordPurpose.MAIL_FROM_MX, RecordPurpose.MAIL_FROM_SPF)
        ),
    )


def _default_set(dom: Domain | None) -> str | None:
    if dom is None:
        return None
    value = dom._full_state().get("ConfigurationSetName")
    return str(value) if value else None


# --- live DNS -------------------------------------------------------------------------------


def _dns(
    name: str, facts: DomainFacts | None, resolver: Any, lookup: Lookup | None, *, bulk: bool
) -> list[Finding]:
    if lookup is None:
        try:
            lookup = DnspythonLookup(resolver)
        except SesflowError as exc:  # MissingExtraError
            return [
                Finding(
                    Severity.ERROR,
                    "live DNS",
                    f"not checked: {exc}",
                    "pip install 'sesflow[dns]' (dnspython), then run the doctor again",
                    code="dns.source",
                )
            ]
        except Exception as exc:  # dnspython found no resolver configuration, and the like
            return [
                Finding(
                    Severity.ERROR,
                    "live DNS",
                    f"not checked: no resolver to ask ({type(exc).__name__}: {exc})",
                    "pass resolver=dns.resolver.Resolver(configure=False) with its nameservers set",
                    code="dns.source",
                )
            ]
    return dns_findings(name, facts, lookup, bulk=bulk)


# --- the account ----------------------------------------------------------------------------


def _account(ses: SES, bulk: bool) -> tuple[Account, list[Finding]]:
    account = ses.account()
    findings: list[Finding] = []
    review = account.review
    if account.in_sandbox:
        pending = (
            f" (a production-access review is {review.status.value}"
            + (f", case {review.case_id}" if review.case_id else "")
            + ")"
            if review is not None
            else ""
        )
        findings.append(
            Finding(
                Severity.ERROR if bulk else Severity.WARNING,
                "sandbox",
                f"the account is in the sandbox{pending}: mail goes only to verified "
                "identities and the mailbox simulator, 200 recipients a day, 1 a second",
                "ask for production access: ses.account().request_production_access("
                "'MARKETING' or 'TRANSACTIONAL', 'https://your.site', "
                "use_case_description='...')",
                code="account.sandbox",
            )
        )
    else:
        findings.append(
            Finding(
                Severity.OK,
                "sandbox",
                "the account has production access (out of the sandbox)",
                code="account.sandbox",
            )
        )
    if account.sending_enabled:
        findings.append(
            Finding(Severity.OK, "account sending", "sending is enabled", code="account.sending")
        )
    else:
        findings.append(
            Finding(
                Severity.ERROR,
                "account sending",
                "sending is paused for the whole account in this region",
                "if AWS paused it, answer its case (the reputation page of the SES console "
                "says why); if you did: ses.client.put_account_sending_attributes("
                "SendingEnabled=True)",
                code="account.sending",
            )
        )
    status = account.enforcement_status
    if status == "HEALTHY":
        findings.append(
            Finding(Severity.OK, "enforcement status", "HEALTHY", code="account.enforcement")
        )
    else:
        findings.append(
            Finding(
                Severity.ERROR if status == "SHUTDOWN" else Severity.WARNING,
                "enforcement status",
                f"{status}: AWS is reviewing the account (bounce or complaint rate too high, "
                "or another issue)"
                if status != "SHUTDOWN"
                else "SHUTDOWN: AWS stopped the account's sending",
                "bring bounces and complaints down (clean the list, honour unsubscribes, "
                "keep suppression on) and answer AWS's case in the Support Center",
                code="account.enforcement",
            )
        )
    return account, findings


# --- the configuration set ------------------------------------------------------------------

_BOUNCE_COMPLAINT = ("BOUNCE", "COMPLAINT")


def _configuration_set(
    ses: SES, name: str | None, account: Account | None, bulk: bool, defaulted: bool
) -> tuple[None, list[Finding]]:
    check = "configuration set"
    if name is None:
        findings = [
            Finding(
                Severity.ERROR if bulk else Severity.WARNING,
                check,
                "none given, and the identity has no default one: SES publishes no bounce "
                "or complaint events for this mail (only the email feedback it forwards)",
                "make one with an event destination for bounces and complaints: "
                "cs = ses.configuration_set('NAME').create(); cs.add_event_destination("
                "'bounces', ['BOUNCE', 'COMPLAINT'], SnsDestination(TOPIC_ARN)); send with it "
                "(ses.sender(..., configuration_set='NAME')) and pass "
                "configuration_set='NAME' to the doctor",
                code="configuration_set.exists",
            )
        ]
        findings.append(_suppression(None, account, None))
        return None, findings
    cs = ses.configuration_set(name)
    try:
        cs.refresh()
    except NotFoundError:
        return None, [
            Finding(
                Severity.ERROR,
                f"configuration set {name}",
                f"SES in {ses.region} has no configuration set {name}"
                + (" (the identity's default one)" if defaulted else "")
                + ": sending with it fails",
                f"create it: ses.configuration_set({name!r}).create()",
                code="configuration_set.exists",
            )
        ]
    check = f"configuration set {name}"
    source = " (the identity's default)" if defaulted else ""
    findings = [
        Finding(
            Severity.OK,
            check,
            f"exists{source}",
            code="configuration_set.exists",
        )
    ]
    if not cs.sending_enabled:
        findings.append(
            Finding(
                Severity.ERROR,
                f"sending with {name}",
                "paused: every send with this configuration set fails",
                f"resume it: ses.configuration_set({name!r}).update_sending(enabled=True)",
                code="configuration_set.sending",
            )
        )
    destinations = cs.event_destinations()
    enabled = [d for d in destinations if d.enabled]
    covered = {e.value for d in enabled for e in d.events}
    missing = [e for e in _BOUNCE_COMPLAINT if e not in covered]
    if not missing:
        names = ", ".join(sorted(d.name for d in enabled if _receives(d, _BOUNCE_COMPLAINT)))
        findings.append(
            Finding(
                Severity.OK,
                f"bounce and complaint events of {name}",
                f"published to {names}",
                code="configuration_set.events",
            )
        )
    else:
        off = [d.name for d in destinations if not d.enabled and _receives(d, missing)]
        disabled = f" (switched off: {', '.join(off)})" if off else ""
        findings.append(
            Finding(
                Severity.ERROR if bulk else Severity.WARNING,
                f"bounce and complaint events of {name}",
                f"no enabled event destination receives {' and '.join(missing)}{disabled}: "
                "nothing tells your application to stop mailing those addresses",
                f"ses.configuration_set({name!r}).add_event_destination('bounces', "
                "['BOUNCE', 'COMPLAINT'], SnsDestination(TOPIC_ARN))",
                code="configuration_set.events",
            )
        )
    findings.append(_suppression(name, account, cs._options("SuppressionOptions")))
    return None, findings


def _receives(destination: EventDestination, events: Iterable[str]) -> bool:
    return bool({e.value for e in destination.events} & set(events))


def _suppression(
    name: str | None, account: Account | None, options: Mapping[str, Any] | None
) -> Finding:
    check = "suppression of bounces and complaints"
    if options is not None and "SuppressedReasons" in options:
        reasons = {str(r) for r in options.get("SuppressedReasons") or ()}
        level = f"the configuration set {name} (it overrides the account)"
        fix = f"ses.configuration_set({name!r}).update_suppression(['BOUNCE', 'COMPLAINT'])"
    elif account is not None:
        attrs: Mapping[str, Any] = account.raw.get("SuppressionAttributes") or {}
        reasons = {str(r) for r in attrs.get("SuppressedReasons") or ()}
        level = "the account" + (f" ({name} does not override it)" if name else "")
        fix = (
            "ses.client.put_account_suppression_attributes("
            "SuppressedReasons=['BOUNCE', 'COMPLAINT'])"
        )
    else:
        return Finding(
            Severity.WARNING,
            check,
            "not checked: the account could not be read",
            "",
            code="suppression",
        )
    missing = [r for r in _BOUNCE_COMPLAINT if r not in reasons]
    if not missing:
        return Finding(
            Severity.OK,
            check,
            f"{level} suppresses addresses that bounced or complained",
            code="suppression",
        )
    return Finding(
        Severity.WARNING,
        check,
        f"{level} does not suppress {' or '.join(missing)}: SES keeps sending to addresses "
        "that bounced or complained, unless your application stops it",
        fix,
        code="suppression",
    )


# --- bulk -----------------------------------------------------------------------------------


def _unsubscribe(unsubscribe: object) -> Finding:
    check = "one-click unsubscribe (RFC 8058)"
    if unsubscribe is None:
        return Finding(
            Severity.WARNING,
            check,
            "not checked: the doctor cannot see your campaign's headers",
            "pass unsubscribe=sesflow.Unsubscribe(...) (the one you give send_bulk) to have "
            "it checked; Gmail, Yahoo and Outlook.com require one-click unsubscribe on bulk "
            "marketing mail",
            code="bulk.unsubscribe",
        )
    url = getattr(unsubscribe, "url", None)
    if not isinstance(url, str):
        return Finding(
            Severity.ERROR,
            check,
            f"{type(unsubscribe).__name__} has no unsubscribe url",
            "pass the sesflow.Unsubscribe(secrets, url=...) you give send_bulk",
            code="bulk.unsubscribe",
        )
    if not url.lower().startswith("https://"):
        return Finding(
            Severity.ERROR,
            check,
            f"the unsubscribe URL {url} is not https: one-click unsubscribe (List-Unsubscribe-"
            "Post) needs an https URL",
            "serve the unsubscribe endpoint over https and give that URL",
            code="bulk.unsubscribe",
        )
    mailto = getattr(unsubscribe, "mailto", None)
    fallback = f", with mailto:{mailto} as well" if mailto else ""
    return Finding(
        Severity.OK,
        check,
        f"each message carries List-Unsubscribe <{url}...>{fallback} and List-Unsubscribe-Post: "
        "List-Unsubscribe=One-Click (both DKIM-signed by SES); honour requests within 2 days",
        code="bulk.unsubscribe",
    )


_METRICS = ("SEND", "PERMANENT_BOUNCE", "COMPLAINT", "DELIVERY_COMPLAINT")


def _vdm(
    ses: SES,
    account: Account | None,
    identity: str,
    now: Callable[[], dt.datetime],
) -> tuple[None, list[Finding]]:
    check = "bounce and complaint rates (VDM)"
    if account is None:
        return None, []
    vdm: Mapping[str, Any] = account.raw.get("VdmAttributes") or {}
    if vdm.get("VdmEnabled") != "ENABLED":
        return None, [
            Finding(
                Severity.WARNING,
                check,
                "not checked: Virtual Deliverability Manager is off, so SES keeps no metrics "
                "the doctor can read (the account-wide rates are on the reputation page of the "
                "SES console)",
                "turn VDM on (a paid feature): ses.client.put_account_vdm_attributes("
                "VdmAttributes={'VdmEnabled': 'ENABLED'})",
                code="bulk.vdm",
            )
        ]
    end = now()
    start = end - dt.timedelta(days=METRIC_DAYS)
    response = ses._call(
        "BatchGetMetricData",
        Queries=[
            {
                "Id": metric.lower(),
                "Namespace": "VDM",
                "Metric": metric,
                "Dimensions": {"EMAIL_IDENTITY": identity},
                "StartDate": start,
                "EndDate": end,
            }
            for metric in _METRICS
        ],
    )
    errors = response.get("Errors") or []
    if errors:
        detail = "; ".join(f"{e.get('Id')}: {e.get('Code')} {e.get('Message', '')}" for e in errors)
        return None, [
            Finding(
                Severity.WARNING,
                check,
                f"VDM did not answer every query: {detail}",
                "allow ses:BatchGetMetricData and run the doctor again",
                code="bulk.vdm",
            )
        ]
    totals = {
        str(r.get("Id")): sum(int(v) for v in r.get("Values") or ())
        for r in response.get("Results") or ()
    }
    sends = totals.get("send", 0)
    bounces = totals.get("permanent_bounce", 0)
    complaints = totals.get("complaint", 0)
    reachable = totals.get("delivery_complaint", 0) or sends
    period = f"the last {METRIC_DAYS} days, identity {identity}"
    if sends == 0:
        return None, [
            Finding(
                Severity.OK,
                check,
                f"no sends VDM counts in {period} (it leaves out the mailbox simulator and "
                "messages to several recipients): nothing to rate",
                code="bulk.vdm",
            )
        ]
    return None, [
        _rate_finding(
            "bounce rate",
            bounces,
            sends,
            "permanent bounces",
            "sends",
            period,
            BOUNCE_WARNING,
            BOUNCE_ERROR,
            "AWS asks for less than 2 %, reviews the account at 5 % and may pause it at 10 %",
            "stop mailing addresses that bounced (keep BOUNCE suppression on), remove old "
            "and bought addresses, confirm new sign-ups (double opt-in)",
            code="bulk.bounce_rate",
        ),
        _rate_finding(
            "complaint rate",
            complaints,
            reachable,
            "complaints",
            "deliveries to providers with a feedback loop",
            period,
            COMPLAINT_WARNING,
            COMPLAINT_ERROR,
            "Gmail asks for less than 0.1 % and rejects bulk senders at 0.3 %; SES reviews at "
            "0.1 %",
            "mail only people who asked for it, make unsubscribing one click and honour it "
            "within 2 days, keep COMPLAINT suppression on (Gmail sends no complaints to SES: "
            "watch Google Postmaster Tools too)",
            code="bulk.complaint_rate",
        ),
    ]


def _rate_finding(
    what: str,
    count: int,
    total: int,
    counted: str,
    of: str,
    period: str,
    warning: float,
    error: float,
    limits: str,
    fix: str,
    *,
    code: str,
) -> Finding:
    rate = count / total if total else 0.0
    severity = (
        Severity.ERROR if rate >= error else Severity.WARNING if rate >= warning else Severity.OK
    )
    return Finding(
        severity,
        what,
        f"{rate:.2%} ({count:,} {counted} / {total:,} {of}, {period}); {limits}",
        fix if severity is not Severity.OK else "",
        code=code,
    )
