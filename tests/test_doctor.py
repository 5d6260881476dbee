"""`SES.doctor()`: the identity, account, configuration-set and bulk checks against FakeSES
(the identity part on moto too), the report's renderings, and AWS errors as findings.

The domain's DNS is served right by a `FakeDNS` on loopback throughout (test_doctor_dns.py
breaks it in every way); here SES's side is what changes.
"""

from __future__ import annotations

import ipaddress
import json
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

import sesflow
from sesflow import DoctorReport, Finding, Severity
from sesflow._doctor import _identity
from sesflow.testing import FakeClock, FakeDNS, FakeSES

TOPIC = "arn:aws:sns:us-east-1:123456789012:ses-feedback"


@pytest.fixture(autouse=True)
def _udp_stays_on_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    original = socket.socket.sendto

    def sendto(self: socket.socket, data: Any, *args: Any) -> int:
        host = str(args[-1][0])
        if host != "localhost" and not ipaddress.ip_address(host).is_loopback:
            raise AssertionError(f"a test sent a UDP datagram to {args[-1]!r}")
        return int(original(self, data, *args))

    monkeypatch.setattr(socket.socket, "sendto", sendto)


@pytest.fixture
def dns() -> Iterator[FakeDNS]:
    with FakeDNS() as server:
        yield server


def make(dns: FakeDNS, **options: Any) -> tuple[FakeSES, sesflow.SES]:
    """A FakeSES whose example.com is verified, with its DNS records served right."""
    fake = FakeSES(clock=FakeClock(), seed=7, **options)
    ses = sesflow.SES(client=fake.client())
    dom = ses.domain("example.com").create(mail_from="mail.example.com")
    fake.set_status("example.com", verification="SUCCESS", mail_from="SUCCESS")
    dns.publish(dom.dns_records())
    return fake, ses


def with_feedback(ses: sesflow.SES, name: str = "marketing") -> sesflow.ConfigurationSet:
    cs = ses.configuration_set(name).create()
    cs.add_event_destination("feedback", ["BOUNCE", "COMPLAINT"], sesflow.SnsDestination(TOPIC))
    return cs


def one(report: DoctorReport, code: str) -> Finding:
    [finding] = report.with_code(code)
    return finding


# --- the account ----------------------------------------------------------------------------


def test_a_healthy_production_account(dns: FakeDNS) -> None:
    _, ses = make(dns)
    report = ses.doctor("example.com", resolver=dns.resolver())
    assert [(f.code, f.severity) for f in report.with_code("account")] == [
        ("account.sandbox", Severity.OK),
        ("account.sending", Severity.OK),
        ("account.enforcement", Severity.OK),
    ]


def test_the_sandbox_warns_and_stops_bulk(dns: FakeDNS) -> None:
    _, ses = make(dns, sandbox=True)
    sandbox = one(ses.doctor("example.com", resolver=dns.resolver()), "account.sandbox")
    assert sandbox.severity is Severity.WARNING
    assert sandbox.found.startswith("the account is in the sandbox: mail goes only to verified")
    assert sandbox.fix.startswith("ask for production access: ses.account().request_production")
    bulk = one(ses.doctor("example.com", bulk=True, resolver=dns.resolver()), "account.sandbox")
    assert bulk.severity is Severity.ERROR


def test_a_pending_review_is_named(dns: FakeDNS) -> None:
    _, ses = make(dns, sandbox=True)
    ses.account().request_production_access("MARKETING", "https://example.com")
    sandbox = one(ses.doctor("example.com", resolver=dns.resolver()), "account.sandbox")
    assert "(a production-access review is PENDING, case " in sandbox.found


def test_paused_sending_and_enforcement(dns: FakeDNS) -> None:
    fake, ses = make(dns)
    fake.account.sending_enabled = False
    fake.account.enforcement_status = "PROBATION"
    report = ses.doctor("example.com", resolver=dns.resolver())
    sending, enforcement = one(report, "account.sending"), one(report, "account.enforcement")
    assert sending.severity is Severity.ERROR
    assert "put_account_sending_attributes(SendingEnabled=True)" in sending.fix
    assert enforcement.severity is Severity.WARNING
    assert enforcement.found.startswith("PROBATION: AWS is reviewing the account")
    fake.account.enforcement_status = "SHUTDOWN"
    shut = one(ses.doctor("example.com", resolver=dns.resolver()), "account.enforcement")
    assert (shut.severity, shut.found) == (
        Severity.ERROR,
        "SHUTDOWN: AWS stopped the account's sending",
    )


# --- the configuration set ----------------------------------------------------------------


def test_no_configuration_set_at_all(dns: FakeDNS) -> None:
    _, ses = make(dns)
    report = ses.doctor("example.com", resolver=dns.resolver())
    missing = one(report, "configuration_set.exists")
    assert missing.severity is Severity.WARNING
    assert missing.found.startswith("none given, and the identity has no default one")
    assert "add_event_destination('bounces', ['BOUNCE', 'COMPLAINT']" in missing.fix
    # Suppression is then the account's.
    suppression = one(report, "suppression")
    assert suppression.found == "the account suppresses addresses that bounced or complained"
    assert [f.check for f in report.warnings] == ["configuration set"]
    bulk = ses.doctor("example.com", bulk=True, resolver=dns.resolver())
    assert one(bulk, "configuration_set.exists").severity is Severity.ERROR


def test_the_identitys_default_configuration_set_is_checked(dns: FakeDNS) -> None:
    _, ses = make(dns)
    with_feedback(ses)
    ses.domain("example.com").set_configuration_set("marketing")
    report = ses.doctor("example.com", resolver=dns.resolver())
    assert one(report, "configuration_set.exists").found == "exists (the identity's default)"
    assert one(report, "configuration_set.events").found == "published to feedback"
    assert one(report, "suppression").found == (
        "the configuration set marketing (it overrides the account) suppresses addresses "
        "that bounced or complained"
    )
    assert report.errors == ()
    assert report.warnings == ()


def test_a_configuration_set_that_does_not_exist(dns: FakeDNS) -> None:
    _, ses = make(dns)
    report = ses.doctor("example.com", configuration_set="nope", resolver=dns.resolver())
    [error] = report.errors
    assert error.code == "configuration_set.exists"
    assert error.found == "SES in us-east-1 has no configuration set nope: sending with it fails"
    assert error.fix == "create it: ses.configuration_set('nope').create()"


def test_bounce_and_complaint_events(dns: FakeDNS) -> None:
    _, ses = make(dns)
    cs = ses.configuration_set("marketing").create()
    events = one(
        ses.doctor("example.com", configuration_set="marketing", resolver=dns.resolver()),
        "configuration_set.events",
    )
    assert events.severity is Severity.WARNING
    assert events.found.startswith("no enabled event destination receives BOUNCE and COMPLAINT")
    cs.add_event_destination("bounces", ["BOUNCE"], sesflow.SnsDestination(TOPIC))
    cs.add_event_destination(
        "complaints", ["COMPLAINT"], sesflow.SnsDestination(TOPIC), enabled=False
    )
    report = ses.doctor(
        "example.com", configuration_set="marketing", bulk=True, resolver=dns.resolver()
    )
    events = one(report, "configuration_set.events")
    assert events.severity is Severity.ERROR  # bulk
    assert events.found.startswith(
        "no enabled event destination receives COMPLAINT (switched off: complaints)"
    )
    cs.update_event_destination("complaints", ["COMPLAINT"], sesflow.SnsDestination(TOPIC))
    fixed = ses.doctor("example.com", configuration_set="marketing", resolver=dns.resolver())
    assert one(fixed, "configuration_set.events").found == "published to bounces, complaints"


def test_a_paused_configuration_set(dns: FakeDNS) -> None:
    _, ses = make(dns)
    with_feedback(ses).update_sending(enabled=False)
    report = ses.doctor("example.com", configuration_set="marketing", resolver=dns.resolver())
    [error] = report.errors
    assert error.code == "configuration_set.sending"
    assert error.fix == "resume it: ses.configuration_set('marketing').update_sending(enabled=True)"


def test_suppression_off_at_the_set_or_the_account(dns: FakeDNS) -> None:
    fake, ses = make(dns)
    with_feedback(ses).update_suppression([])
    at_set = one(
        ses.doctor("example.com", configuration_set="marketing", resolver=dns.resolver()),
        "suppression",
    )
    assert at_set.severity is Severity.WARNING
    assert at_set.found.startswith(
        "the configuration set marketing (it overrides the account) does not suppress BOUNCE "
        "or COMPLAINT"
    )
    assert at_set.fix == (
        "ses.configuration_set('marketing').update_suppression(['BOUNCE', 'COMPLAINT'])"
    )
    # A set that does not override it: the account's setting applies.
    fake.client().create_configuration_set(ConfigurationSetName="plain")
    fake.client().create_configuration_set_event_destination(
        ConfigurationSetName="plain",
        EventDestinationName="feedback",
        EventDestination={
            "Enabled": True,
            "MatchingEventTypes": ["BOUNCE", "COMPLAINT"],
            "SnsDestination": {"TopicArn": TOPIC},
        },
    )
    fake.client().put_account_suppression_attributes(SuppressedReasons=["BOUNCE"])
    at_account = one(
        ses.doctor("example.com", configuration_set="plain", resolver=dns.resolver()),
        "suppression",
    )
    assert at_account.found.startswith(
        "the account (plain does not override it) does not suppress COMPLAINT"
    )
    assert "put_account_suppression_attributes" in at_account.fix


# --- the identity ---------------------------------------------------------------------------


def test_a_domain_that_is_not_an_identity(dns: FakeDNS) -> None:
    _, ses = make(dns)
    report = ses.doctor("news.example.org", resolver=dns.resolver())
    error = report.errors[0]
    assert error.code == "identity.exists"
    assert error.found.startswith(
        "SES in us-east-1 has no domain identity news.example.org (nor for example.org)"
    )
    assert "ses.domain('news.example.org').create(mail_from='mail.news.example.org')" in error.fix


def test_failed_verification_carries_the_records(dns: FakeDNS) -> None:
    fake, ses = make(dns)
    fake.set_status("example.com", verification="FAILED", error_type="HOST_NOT_FOUND")
    report = ses.doctor("example.com", resolver=dns.resolver())
    verification, dkim = one(report, "identity.verification"), one(report, "identity.dkim")
    assert verification.found == "FAILED (HOST_NOT_FOUND): SES does not send from it yet"
    assert "after FAILED, SES looks again only when" in verification.fix
    assert [r.type for r in verification.records] == ["CNAME", "CNAME", "CNAME"]
    assert dkim.found == "FAILED (HOST_NOT_FOUND): SES does not sign as example.com"


def test_a_pending_mail_from_that_rejects(dns: FakeDNS) -> None:
    fake, ses = make(dns)
    ses.domain("example.com").set_mail_from(
        "mail.example.com", behavior_on_mx_failure="REJECT_MESSAGE"
    )
    mail_from = one(ses.doctor("example.com", resolver=dns.resolver()), "identity.mail_from")
    assert mail_from.severity is Severity.ERROR
    assert mail_from.found == (
        "mail.example.com: PENDING; meanwhile SES refuses to send (BehaviorOnMxFailure "
        "REJECT_MESSAGE)"
    )
    assert [r.type for r in mail_from.records] == ["MX", "TXT"]
    assert fake.identity_state("example.com").mail_from_domain == "mail.example.com"


def test_the_identity_checks_on_moto(moto_ses: sesflow.SES) -> None:
    # moto answers VerificationStatus SUCCESS with VerifiedForSendingStatus false, and DKIM
    # SUCCESS (without tokens) once signing attributes are given.
    moto_ses.domain("example.com").create()
    dom, findings = _identity(moto_ses, "example.com")
    assert dom is not None
    assert [(f.code, f.severity) for f in findings] == [
        ("identity.exists", Severity.OK),
        ("identity.verification", Severity.ERROR),
        ("identity.dkim", Severity.OK),
        ("identity.mail_from", Severity.WARNING),
    ]
    assert findings[1].found == (
        "SUCCESS, but not verified for sending (VerifiedForSendingStatus false): SES does not "
        "send from it"
    )
    missing, [finding] = _identity(moto_ses, "example.org")
    assert missing is None
    assert finding.code == "identity.exists"


# --- bulk -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class StandIn:
    """Stands in for `sesflow.Unsubscribe`: the doctor reads its url and mailto."""

    url: str
    mailto: str | None = None


def test_one_click_unsubscribe(dns: FakeDNS) -> None:
    _, ses = make(dns)
    with_feedback(ses)

    def check(unsubscribe: object) -> Finding:
        report = ses.doctor(
            "example.com",
            configuration_set="marketing",
            bulk=True,
            unsubscribe=unsubscribe,
            resolver=dns.resolver(),
        )
        return one(report, "bulk.unsubscribe")

    not_given = check(None)
    assert (not_given.severity, not_given.found) == (
        Severity.WARNING,
        "not checked: the doctor cannot see your campaign's headers",
    )
    assert not_given.fix.startswith("pass unsubscribe=sesflow.Unsubscribe(...)")
    plain_http = check(StandIn("http://example.com/u"))
    assert plain_http.severity is Severity.ERROR
    assert "needs an https URL" in plain_http.found
    fine = check(StandIn("https://example.com/u", mailto="unsubscribe@example.com"))
    assert fine.severity is Severity.OK
    assert fine.found.startswith(
        "each message carries List-Unsubscribe <https://example.com/u...>, with "
        "mailto:unsubscribe@example.com as well"
    )
    assert check(object()).found == "object has no unsubscribe url"


def test_vdm_off_is_a_warning(dns: FakeDNS) -> None:
    _, ses = make(dns)
    vdm = one(ses.doctor("example.com", bulk=True, resolver=dns.resolver()), "bulk.vdm")
    assert vdm.severity is Severity.WARNING
    assert vdm.found.startswith("not checked: Virtual Deliverability Manager is off")
    assert vdm.fix.endswith("put_account_vdm_attributes(VdmAttributes={'VdmEnabled': 'ENABLED'})")


def _campaign(fake: FakeSES, ses: sesflow.SES, *, complaints: int, bounces: int) -> None:
    """400 single-recipient messages, some of which complain or bounce."""
    fake.client().put_account_vdm_attributes(VdmAttributes={"VdmEnabled": "ENABLED"})
    addresses = [f"reader{i}@example.net" for i in range(400)]
    for address in addresses[:complaints]:
        fake.recipient_outcome(address, "COMPLAINT")
    for address in addresses[complaints : complaints + bounces]:
        fake.recipient_outcome(address, "BOUNCE")
    template = sesflow.InlineTemplate("News", text="Hello")
    report = ses.sender("news@example.com").send_bulk(addresses, template)
    assert report.sent == 400


@pytest.mark.parametrize(
    ("complaints", "bounces", "complaint_rate", "bounce_rate"),
    [
        (0, 4, (Severity.OK, "0.00% (0 complaints / 396 deliveries"), (Severity.OK, "1.00%")),
        (1, 10, (Severity.WARNING, "0.26% (1 complaints / 390"), (Severity.WARNING, "2.50%")),
        (2, 24, (Severity.ERROR, "0.53% (2 complaints / 376"), (Severity.ERROR, "6.00%")),
    ],
)
def test_vdm_rates_against_the_thresholds(
    dns: FakeDNS,
    complaints: int,
    bounces: int,
    complaint_rate: tuple[Severity, str],
    bounce_rate: tuple[Severity, str],
) -> None:
    fake, ses = make(dns, max_send_rate=1000)
    _campaign(fake, ses, complaints=complaints, bounces=bounces)
    report = ses.doctor("example.com", bulk=True, resolver=dns.resolver())
    complaint, bounce = one(report, "bulk.complaint_rate"), one(report, "bulk.bounce_rate")
    assert complaint.severity is complaint_rate[0]
    assert complaint.found.startswith(complaint_rate[1])
    assert bounce.severity is bounce_rate[0]
    assert bounce.found.startswith(f"{bounce_rate[1]} ({bounces} permanent bounces / 400 sends")
    assert "identity example.com" in bounce.found
    assert bool(complaint.fix) is (complaint.severity is not Severity.OK)


def test_vdm_with_no_sends(dns: FakeDNS) -> None:
    fake, ses = make(dns)
    fake.client().put_account_vdm_attributes(VdmAttributes={"VdmEnabled": "ENABLED"})
    vdm = one(ses.doctor("example.com", bulk=True, resolver=dns.resolver()), "bulk.vdm")
    assert vdm.severity is Severity.OK
    assert vdm.found.startswith("no sends VDM counts in the last 14 days")


def test_an_aws_error_becomes_a_finding(dns: FakeDNS) -> None:
    fake, ses = make(dns)
    fake.client().put_account_vdm_attributes(VdmAttributes={"VdmEnabled": "ENABLED"})
    fake.fail_next("BatchGetMetricData", "AccessDeniedException", "not authorized", status=403)
    fake.fail_next("GetAccount", "AccessDeniedException", "not authorized", status=403)
    report = ses.doctor("example.com", bulk=True, resolver=dns.resolver())
    account = one(report, "account")
    assert account.found == (
        "could not check it: GetAccount: AccessDeniedException: not authorized"
    )
    assert account.fix == "allow the IAM action ses:GetAccount to whoever runs the doctor"
    # Without the account, the VDM check has nothing to go on; the rest still ran.
    assert report.with_code("bulk.vdm") == ()
    assert one(report, "dns.dmarc").severity is Severity.OK
    vdm_report = ses.doctor("example.com", bulk=True, resolver=dns.resolver())
    assert one(vdm_report, "bulk.vdm").fix == (
        "allow the IAM action ses:BatchGetMetricData to whoever runs the doctor"
    )


def test_bad_arguments_are_refused_before_any_call(dns: FakeDNS) -> None:
    fake, ses = make(dns)
    before = len(fake.calls)
    with pytest.raises(sesflow.ValidationError) as domain:
        ses.doctor("not a domain", resolver=dns.resolver())
    assert domain.value.field == "domain"
    with pytest.raises(sesflow.ValidationError) as name:
        ses.doctor("example.com", configuration_set="bad name!", resolver=dns.resolver())
    assert name.value.field == "configuration_set"
    assert len(fake.calls) == before


# --- the report -----------------------------------------------------------------------------


def test_the_report_renders(dns: FakeDNS) -> None:
    fake, ses = make(dns)
    with_feedback(ses)
    dns.unpublish("_dmarc.example.com")
    report = ses.doctor(
        "example.com", configuration_set="marketing", bulk=True, resolver=dns.resolver()
    )
    assert not report.ok
    assert repr(report).startswith("DoctorReport('example.com', region='us-east-1', ok=False")
    assert list(report) == list(report.findings)
    assert len(report) == len(report.findings)
    document = json.loads(report.to_json())
    assert document["ok"] is False
    assert document["errors"] == len(report.errors) == 1
    [dmarc] = [f for f in document["findings"] if f["code"] == "dns.dmarc"]
    assert dmarc["severity"] == "error"
    assert dmarc["records"] == [
        {
            "name": "_dmarc.example.com",
            "type": "TXT",
            "value": "v=DMARC1; p=none;",
            "ttl": 1800,
            "priority": None,
            "purpose": "dmarc",
            "bind": '_dmarc.example.com. 1800 IN TXT "v=DMARC1; p=none;"',
        }
    ]
    text = str(report)
    assert text.startswith("example.com (us-east-1): 1 error, 2 warnings, ")
    assert '                _dmarc.example.com. 1800 IN TXT "v=DMARC1; p=none;"' in text
    html = report._repr_html_()
    assert '<b style="color:#c62828">error</b>' in html
    assert "<code>_dmarc.example.com. 1800 IN TXT &quot;v=DMARC1; p=none;&quot;</code>" in html
    markdown = report._repr_markdown_()
    assert markdown.splitlines()[2] == "| Severity | Check | Found | Fix |"
    assert '`_dmarc.example.com. 1800 IN TXT "v=DMARC1; p=none;"`' in markdown
    assert fake.account.vdm_attributes is None
