"""Insights and exports through sesflow: a message's events, an address's checks, leaving
risky addresses out of a bulk run, export jobs and their waiter; exact requests pinned with
Stubber."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import boto3
import pytest
from botocore.stub import Stubber

import sesflow
from sesflow import ConfidenceVerdict, EventType, ExportSource, ExportStatus, MessageFilter
from sesflow.testing import FakeClock, FakeSES

START = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
END = dt.datetime(2026, 3, 8, tzinfo=dt.UTC)


@pytest.fixture
def sender(ses: sesflow.SES, fake: FakeSES) -> sesflow.Sender:
    fake.verify("news@example.com")
    ses.template("welcome").create("Hi", text="Welcome")
    return ses.sender("news@example.com", message_tags={"campaign": "spring"})


def test_message_insights_per_recipient(
    ses: sesflow.SES, fake: FakeSES, sender: sesflow.Sender
) -> None:
    fake.suppress("gone@example.org", "BOUNCE")
    fake.recipient_outcome("full@example.org", "BOUNCE", bounce_type="Transient",
                           bounce_subtype="MailboxFull")  # fmt: skip
    result = sender.send(
        ["bob@gmail.com", "complaint@simulator.amazonses.com"],
        "Spring news",
        text="Yo",
        bcc=["gone@example.org", "full@example.org"],
    )
    insights = ses.message(result.message_id).insights()
    assert (insights.message_id, insights.from_address, insights.subject) == (
        result.message_id,
        "news@example.com",
        "Spring news",
    )
    assert dict(insights.message_tags) == {"campaign": "spring"}
    by_address = {r.address: r for r in insights.recipients}
    assert list(by_address) == [
        "bob@gmail.com",
        "complaint@simulator.amazonses.com",
        "gone@example.org",
        "full@example.org",
    ]
    bob = by_address["bob@gmail.com"]
    assert bob.isp == "Gmail"
    assert [e.type for e in bob.events] == [EventType.SEND, EventType.DELIVERY]
    assert bob.events[0].timestamp is not None
    assert bob.events[1].timestamp is not None
    assert bob.events[0].timestamp < bob.events[1].timestamp
    complaint = by_address["complaint@simulator.amazonses.com"].events
    assert [e.type.value for e in complaint] == ["SEND", "DELIVERY", "COMPLAINT"]
    assert complaint[-1].complaint_feedback_type == "abuse"
    gone = by_address["gone@example.org"].events[-1]
    assert (gone.type, gone.bounce_type, gone.bounce_subtype) == (
        EventType.BOUNCE,
        "PERMANENT",
        "OnAccountSuppressionList",
    )
    full = by_address["full@example.org"]
    assert full.last_event is EventType.BOUNCE
    assert (full.events[-1].bounce_type, full.events[-1].bounce_subtype) == (
        "TRANSIENT",
        "MailboxFull",
    )


def test_a_rendering_failure_and_an_unknown_message(
    ses: sesflow.SES, sender: sesflow.Sender
) -> None:
    ses.template("named").create("Hi {{name}}", text="Welcome, {{name}}")
    result = sender.send_template("ann@example.com", "named", data={})  # no name
    [ann] = ses.message(result.message_id).insights().recipients
    assert [e.type.value for e in ann.events] == ["SEND", "RENDERING_FAILURE"]
    with pytest.raises(sesflow.NotFoundError):
        ses.message("0100-nope").insights()
    with pytest.raises(sesflow.ValidationError) as caught:
        ses.message(" ")
    assert caught.value.field == "message_id"


def test_address_insights(ses: sesflow.SES, fake: FakeSES) -> None:
    fine = ses.address_insights("ann@example.com")
    assert fine.valid is ConfidenceVerdict.HIGH
    assert not fine.risky
    role = ses.address_insights("support@example.com")
    assert (role.is_role_address, role.risky) == (ConfidenceVerdict.HIGH, False)
    throwaway = ses.address_insights("x@mailinator.com")
    assert (throwaway.is_disposable, throwaway.valid, throwaway.risky) == (
        ConfidenceVerdict.HIGH,
        ConfidenceVerdict.LOW,
        True,
    )
    nowhere = ses.address_insights("ann@host.invalid")
    assert nowhere.has_valid_dns_records is ConfidenceVerdict.LOW
    fake.address_insights("bob@example.com", is_random_input="HIGH")
    scripted = ses.address_insights("bob@example.com")
    assert (scripted.valid, scripted.is_random_input, scripted.risky) == (
        ConfidenceVerdict.HIGH,
        ConfidenceVerdict.HIGH,
        True,
    )
    with pytest.raises(sesflow.ValidationError):
        ses.address_insights("not an address")
    assert [c.params["EmailAddress"] for c in fake.calls][-1] == "bob@example.com"


def test_skip_risky_leaves_out_what_ses_rates_risky(
    ses: sesflow.SES, fake: FakeSES, sender: sesflow.Sender, tmp_path: object
) -> None:
    recipients = ["ann@example.com", "x@mailinator.com", "bounce@simulator.amazonses.com",
                  "bob@example.com", "ann@example.com"]  # fmt: skip
    report = sender.send_bulk(recipients, "welcome", concurrency=1, skip_risky=True)
    assert (report.total, report.sent, report.failed, report.skipped) == (5, 2, 2, 1)
    assert {f.address: f.status for f in report.failures} == {
        "x@mailinator.com": sesflow.BulkEmailStatus.INVALID_RECIPIENT,
        "bounce@simulator.amazonses.com": sesflow.BulkEmailStatus.INVALID_RECIPIENT,
    }
    reasons = {f.address: f.error for f in report.failures}
    assert reasons["x@mailinator.com"] == (
        "SES rates this address risky (valid: LOW, is_disposable: HIGH); left out by skip_risky"
    )
    # One check per new address: the repeat is dropped before it is checked.
    assert fake.call_count("GetEmailAddressInsights") == 4
    assert fake.delivery_counts() == {"ann@example.com": 1, "bob@example.com": 1}


def test_skip_risky_with_a_rule_of_ones_own_and_a_journal(
    ses: sesflow.SES, fake: FakeSES, sender: sesflow.Sender, tmp_path: object
) -> None:
    from pathlib import Path

    journal = Path(str(tmp_path)) / "run.journal"

    def no_roles(insights: sesflow.EmailAddressInsights) -> bool:
        return insights.is_role_address is ConfidenceVerdict.HIGH

    recipients = ["info@example.com", "ann@example.com"]
    first = sender.send_bulk(recipients, "welcome", concurrency=1, skip_risky=no_roles,
                             journal=journal)  # fmt: skip
    assert (first.sent, first.failed) == (1, 1)
    assert first.failures[0].error.startswith("SES rates this address risky")
    checks = fake.call_count("GetEmailAddressInsights")
    again = sender.send_bulk(recipients, "welcome", concurrency=1, skip_risky=no_roles,
                             journal=journal)  # fmt: skip
    assert (again.sent, again.skipped) == (0, 2)  # both finished: neither checked again
    assert fake.call_count("GetEmailAddressInsights") == checks


def test_skip_risky_is_off_by_default_and_checked(fake: FakeSES, sender: sesflow.Sender) -> None:
    assert sender.send_bulk(["x@mailinator.com"], "welcome", concurrency=1).sent == 1
    assert fake.call_count("GetEmailAddressInsights") == 0
    with pytest.raises(sesflow.ValidationError) as caught:
        sender.send_bulk(["ann@example.com"], "welcome", skip_risky="yes")  # type: ignore[arg-type]
    assert caught.value.field == "skip_risky"


def test_message_export_runs_to_completion(
    ses: sesflow.SES, fake: FakeSES, sender: sesflow.Sender, clock: FakeClock
) -> None:
    sender.send("bob@example.com", "Spring news", text="Yo")
    sender.send("ann@example.com", "Spring news", text="Yo")
    sender.send("bob@example.com", "Other", text="Yo")
    now = dt.datetime.now(dt.UTC)
    job = ses.export_messages(
        now - dt.timedelta(hours=1),
        now + dt.timedelta(hours=1),
        include=MessageFilter(destinations=["bob@example.com"]),
        exclude=MessageFilter(subjects=["Other"]),
        data_format="JSON",
    )
    assert job.status.value == "CREATED"
    assert job.source is ExportSource.MESSAGE_INSIGHTS
    assert job.refresh().download_url is None
    before = len(clock.sleeps)  # the three sends' pacing is not the waiter's
    assert job.wait_until_completed(poll_interval=10) is job
    assert clock.sleeps[before:] == [10.0, 20.0]
    assert job.status is ExportStatus.COMPLETED
    assert job.exported_records == 1
    assert job.download_url is not None
    assert job.download_url.endswith(f"{job.job_id}.json?X-Amz-Expires=300")
    assert job.failure is None
    assert [j.job_id for j in ses.export_jobs(status="COMPLETED")] == [job.job_id]
    assert list(ses.export_jobs(source=ExportSource.METRICS_DATA)) == []


def test_a_failed_or_cancelled_export_fails_the_waiter(
    ses: sesflow.SES, fake: FakeSES, clock: FakeClock
) -> None:
    failed = ses.export_messages(START, END)
    fake.set_export_job_status(failed.job_id, "FAILED", error_message="No VDM data.")
    with pytest.raises(sesflow.VerificationFailedError) as caught:
        failed.wait_until_completed()
    assert (caught.value.check, caught.value.status, caught.value.error_type) == (
        "export_job",
        "FAILED",
        "No VDM data.",
    )
    assert "No VDM data." in str(caught.value)
    cancelled = ses.export_metrics(START, END, metrics=["SEND"], dimensions={"ISP": "Gmail"})
    assert cancelled.cancel().status is ExportStatus.CANCELLED
    assert cancelled.cancel().status is ExportStatus.CANCELLED  # a finished job is left as is
    with pytest.raises(sesflow.VerificationFailedError, match="CANCELLED"):
        cancelled.wait_until_completed()
    assert clock.sleeps == []


def test_the_export_waiter_times_out(ses: sesflow.SES, clock: FakeClock) -> None:
    job = ses.export_messages(START, END)
    with pytest.raises(sesflow.WaiterTimeoutError) as caught:
        job.wait_until_completed(timeout=20, poll_interval=10)
    assert caught.value.last_status == "PROCESSING"
    assert caught.value.check == "export_job"


def test_export_listing_pages_and_summaries(ses: sesflow.SES, fake: FakeSES) -> None:
    jobs = [ses.export_messages(START, END) for _ in range(3)]
    listed = list(ses.export_jobs(page_size=2))
    assert listed == jobs
    assert fake.call_count("ListExportJobs") == 2
    before = len(fake.calls)
    assert listed[0].status is ExportStatus.CREATED  # from the listing's summary
    assert len(fake.calls) == before
    assert listed[0].download_url is None  # not in a summary: one GetExportJob
    assert fake.calls[-1].operation == "GetExportJob"


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda ses: ses.export_messages(END, START), "end"),
        (lambda ses: ses.export_messages("2026-03-01", END), "start"),
        (lambda ses: ses.export_messages(START, END, data_format="XML"), "data_format"),
        (lambda ses: ses.export_messages(START, END, max_results=0), "max_results"),
        (lambda ses: ses.export_messages(START, END, max_results=10_001), "max_results"),
        (lambda ses: ses.export_messages(START, END, include={"Isp": ["Gmail"]}), "include"),
        (lambda ses: MessageFilter(isps=["a", "b", "c", "d", "e", "f"]), "isps"),
        (lambda ses: MessageFilter(subjects=["a", "b"]), "subjects"),
        (lambda ses: MessageFilter(last_engagement_events=["READ"]), "last_engagement_events"),
        (lambda ses: ses.export_metrics(START, END, metrics=[], dimensions={"ISP": "x"}),
         "metrics"),
        (lambda ses: ses.export_metrics(START, END, metrics=["OPENS"], dimensions={"ISP": "x"}),
         "metrics"),
        (lambda ses: ses.export_metrics(START, END, metrics=[("SEND", "SUM")],
                                        dimensions={"ISP": "x"}), "metrics"),
        (lambda ses: ses.export_metrics(START, END, metrics=["SEND"], dimensions={}),
         "dimensions"),
        (lambda ses: ses.export_metrics(START, END, metrics=["SEND"], dimensions={"HOST": "x"}),
         "dimensions"),
        (lambda ses: ses.export_metrics(START, END, metrics=["SEND"], dimensions={"ISP": []}),
         "dimensions['ISP']"),
        (lambda ses: list(ses.export_jobs(status="DONE")), "status"),
        (lambda ses: ses.export_job(""), "job_id"),
    ],
)  # fmt: skip
def test_bad_export_input_is_refused_before_any_call(
    ses: sesflow.SES, fake: FakeSES, call: object, field: str
) -> None:
    with pytest.raises(sesflow.ValidationError) as caught:
        call(ses)  # type: ignore[operator]
    assert caught.value.field == field
    assert fake.calls == []


@pytest.fixture
def stubbed(clock: FakeClock) -> Iterator[tuple[sesflow.SES, Stubber]]:
    client = boto3.client("sesv2", region_name="us-east-1")
    with Stubber(client) as stub:
        yield sesflow.SES(client=client, sleep=clock.sleep, clock=clock), stub
        stub.assert_no_pending_responses()


def test_exact_requests(stubbed: tuple[sesflow.SES, Stubber]) -> None:
    ses, stub = stubbed
    stub.add_response(
        "get_message_insights",
        {"MessageId": "m-1", "Insights": [{"Destination": "bob@example.com", "Events": []}]},
        {"MessageId": "m-1"},
    )
    stub.add_response(
        "get_email_address_insights",
        {"MailboxValidation": {"IsValid": {"ConfidenceVerdict": "MEDIUM"}}},
        {"EmailAddress": "bob@example.com"},
    )
    stub.add_response(
        "create_export_job",
        {"JobId": "job-1"},
        {
            "ExportDataSource": {
                "MessageInsightsDataSource": {
                    "StartDate": START,
                    "EndDate": END,
                    "Include": {"Isp": ["Gmail"], "LastDeliveryEvent": ["PERMANENT_BOUNCE"]},
                    "Exclude": {"TenantName": ["acme"]},
                    "MaxResults": 500,
                }
            },
            "ExportDestination": {"DataFormat": "JSON"},
        },
    )
    stub.add_response(
        "create_export_job",
        {"JobId": "job-2"},
        {
            "ExportDataSource": {
                "MetricsDataSource": {
                    "Dimensions": {"EMAIL_IDENTITY": ["example.com"], "ISP": ["Gmail", "Yahoo"]},
                    "Namespace": "VDM",
                    "Metrics": [
                        {"Name": "SEND", "Aggregation": "VOLUME"},
                        {"Name": "PERMANENT_BOUNCE", "Aggregation": "RATE"},
                    ],
                    "StartDate": START,
                    "EndDate": END,
                }
            },
            "ExportDestination": {"DataFormat": "CSV"},
        },
    )
    url = "https://s3.example/f.csv"
    done = {"JobId": "job-2", "JobStatus": "COMPLETED", "ExportSourceType": "METRICS_DATA",
            "ExportDestination": {"DataFormat": "CSV", "S3Url": url}}  # fmt: skip
    stub.add_response("get_export_job", done, {"JobId": "job-2"})
    stub.add_response("cancel_export_job", {}, {"JobId": "job-1"})
    stub.add_response(
        "get_export_job", {"JobId": "job-1", "JobStatus": "CANCELLED"}, {"JobId": "job-1"}
    )
    stub.add_response(
        "list_export_jobs",
        {"ExportJobs": []},
        {"PageSize": 100, "ExportSourceType": "MESSAGE_INSIGHTS", "JobStatus": "FAILED"},
    )

    [bob] = ses.message("m-1").insights().recipients
    assert (bob.address, bob.events) == ("bob@example.com", ())
    assert ses.address_insights("bob@example.com").valid is ConfidenceVerdict.MEDIUM
    messages = ses.export_messages(
        START,
        END,
        include=MessageFilter(isps=["Gmail"], last_delivery_events=["PERMANENT_BOUNCE"]),
        exclude=MessageFilter(tenants=["acme"]),
        max_results=500,
        data_format="JSON",
    )
    metrics = ses.export_metrics(
        START,
        END,
        metrics=["SEND", ("PERMANENT_BOUNCE", "RATE")],
        dimensions={"EMAIL_IDENTITY": "example.com", "ISP": ["Gmail", "Yahoo"]},
    )
    assert metrics.wait_until_completed().download_url == url
    assert messages.cancel().status is ExportStatus.CANCELLED
    assert list(ses.export_jobs(source="MESSAGE_INSIGHTS", status="FAILED")) == []
