"""FakeSES insights and export jobs through a raw boto3 client: shapes, timing, SES's
validation and error codes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest
from botocore.exceptions import ClientError

from sesflow.testing import FakeClock, FakeExportJob, FakeSES

if TYPE_CHECKING:
    from types_boto3_sesv2 import SESV2Client

START = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
END = dt.datetime(2040, 1, 1, tzinfo=dt.UTC)
CSV: Any = {"DataFormat": "CSV"}


@pytest.fixture
def client(fake: FakeSES) -> SESV2Client:
    fake.verify("news@example.com")
    return fake.client()


def _refused(call: Callable[..., Any], **params: Any) -> tuple[str, int]:
    with pytest.raises(ClientError) as excinfo:
        call(**params)
    response = excinfo.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]


def _send(client: SESV2Client, to: str, subject: str = "Hi") -> str:
    return client.send_email(
        FromEmailAddress="News <news@example.com>",
        Destination={"ToAddresses": [to]},
        Content={"Simple": {"Subject": {"Data": subject}, "Body": {"Text": {"Data": "Yo"}}}},
        EmailTags=[{"Name": "campaign", "Value": "spring"}],
    )["MessageId"]


def test_message_insights_shape(client: SESV2Client) -> None:
    message_id = _send(client, "bob@yahoo.com")
    got = client.get_message_insights(MessageId=message_id)
    assert got["MessageId"] == message_id
    assert got["FromEmailAddress"] == "news@example.com"
    assert got["Subject"] == "Hi"
    assert got["EmailTags"] == [{"Name": "campaign", "Value": "spring"}]
    [bob] = got["Insights"]
    assert (bob["Destination"], bob["Isp"]) == ("bob@yahoo.com", "Yahoo")
    assert [e["Type"] for e in bob["Events"]] == ["SEND", "DELIVERY"]
    assert _refused(client.get_message_insights, MessageId="nope") == ("NotFoundException", 404)


def test_message_insights_need_kept_messages() -> None:
    fake = FakeSES(keep_messages=False)
    fake.verify("news@example.com")
    client = fake.client()
    message_id = _send(client, "bob@example.com")
    assert _refused(client.get_message_insights, MessageId=message_id) == (
        "NotFoundException",
        404,
    )


def test_address_insights_shape_and_script(fake: FakeSES, client: SESV2Client) -> None:
    got = client.get_email_address_insights(EmailAddress="ann@example.com")["MailboxValidation"]
    assert got["IsValid"] == {"ConfidenceVerdict": "HIGH"}
    assert got["Evaluations"] == {
        "HasValidSyntax": {"ConfidenceVerdict": "HIGH"},
        "HasValidDnsRecords": {"ConfidenceVerdict": "HIGH"},
        "MailboxExists": {"ConfidenceVerdict": "HIGH"},
        "IsRoleAddress": {"ConfidenceVerdict": "LOW"},
        "IsDisposable": {"ConfidenceVerdict": "LOW"},
        "IsRandomInput": {"ConfidenceVerdict": "LOW"},
    }
    bad = client.get_email_address_insights(EmailAddress="no at sign")["MailboxValidation"]
    assert bad["IsValid"]["ConfidenceVerdict"] == "LOW"
    assert bad["Evaluations"]["HasValidSyntax"]["ConfidenceVerdict"] == "LOW"
    fake.address_insights("ann@example.com", mailbox_exists="MEDIUM")
    again = client.get_email_address_insights(EmailAddress="ANN@example.com")["MailboxValidation"]
    assert again["Evaluations"]["MailboxExists"] == {"ConfidenceVerdict": "MEDIUM"}
    assert again["IsValid"] == {"ConfidenceVerdict": "HIGH"}  # the rest stays
    assert _refused(client.get_email_address_insights, EmailAddress="") == (
        "BadRequestException",
        400,
    )
    with pytest.raises(ValueError, match="unknown check"):
        fake.address_insights("ann@example.com", friendly="HIGH")
    with pytest.raises(ValueError, match="LOW, MEDIUM or HIGH"):
        fake.address_insights("ann@example.com", valid="SURE")


def _insights_job(client: SESV2Client, **source: Any) -> str:
    data: Any = {"MessageInsightsDataSource": {"StartDate": START, "EndDate": END, **source}}
    return client.create_export_job(ExportDataSource=data, ExportDestination=CSV)["JobId"]


def test_an_export_job_runs_on_the_clock(
    fake: FakeSES, client: SESV2Client, clock: FakeClock
) -> None:
    _send(client, "bob@example.com")
    _send(client, "ann@example.com", subject="Other")
    job_id = _insights_job(client, Include={"Destination": ["BOB@example.com"]})
    got = client.get_export_job(JobId=job_id)
    assert (got["JobStatus"], got["ExportSourceType"]) == ("CREATED", "MESSAGE_INSIGHTS")
    assert got["ExportDestination"] == {"DataFormat": "CSV"}
    assert got["ExportDataSource"]["MessageInsightsDataSource"]["Include"] == {
        "Destination": ["BOB@example.com"]
    }
    clock.advance(5)
    assert client.get_export_job(JobId=job_id)["JobStatus"] == "PROCESSING"
    clock.advance(25)
    done = client.get_export_job(JobId=job_id)
    assert done["JobStatus"] == "COMPLETED"
    assert done["Statistics"] == {"ProcessedRecordsCount": 1, "ExportedRecordsCount": 1}
    assert done["ExportDestination"]["S3Url"].startswith("https://ses-exports.us-east-1.")
    assert done["CompletedTimestamp"] >= done["CreatedTimestamp"]
    state = fake.export_job_state(job_id)
    assert isinstance(state, FakeExportJob)
    assert (state.status, state.exported) == ("COMPLETED", 1)
    assert _refused(client.cancel_export_job, JobId=job_id) == ("BadRequestException", 400)


def test_max_results_caps_the_count(client: SESV2Client, clock: FakeClock) -> None:
    for i in range(3):
        _send(client, f"r{i}@example.com")
    job_id = _insights_job(client, MaxResults=2, Exclude={"Subject": ["nothing like it"]})
    clock.advance(30)
    assert client.get_export_job(JobId=job_id)["Statistics"]["ExportedRecordsCount"] == 2


def test_export_validation_and_error_codes(client: SESV2Client) -> None:
    both: Any = {
        "MessageInsightsDataSource": {"StartDate": START, "EndDate": END},
        "MetricsDataSource": {
            "Dimensions": {"ISP": ["Gmail"]},
            "Namespace": "VDM",
            "Metrics": [{"Name": "SEND", "Aggregation": "VOLUME"}],
            "StartDate": START,
            "EndDate": END,
        },
    }
    assert _refused(client.create_export_job, ExportDataSource=both, ExportDestination=CSV) == (
        "BadRequestException",
        400,
    )
    backwards: Any = {"MessageInsightsDataSource": {"StartDate": END, "EndDate": START}}
    assert _refused(
        client.create_export_job, ExportDataSource=backwards, ExportDestination=CSV
    ) == ("BadRequestException", 400)
    ok: Any = {"MessageInsightsDataSource": {"StartDate": START, "EndDate": END}}
    with_url: Any = {"DataFormat": "CSV", "S3Url": "s3://bucket/key"}
    assert _refused(client.create_export_job, ExportDataSource=ok, ExportDestination=with_url) == (
        "BadRequestException",
        400,
    )
    too_many: Any = {
        "MessageInsightsDataSource": {"StartDate": START, "EndDate": END, "MaxResults": 10_001}
    }
    assert _refused(client.create_export_job, ExportDataSource=too_many, ExportDestination=CSV) == (
        "BadRequestException",
        400,
    )
    subjects: Any = {
        "MessageInsightsDataSource": {
            "StartDate": START,
            "EndDate": END,
            "Include": {"Subject": ["a", "b"]},
        }
    }
    assert _refused(client.create_export_job, ExportDataSource=subjects, ExportDestination=CSV) == (
        "BadRequestException",
        400,
    )
    metrics: Any = {
        "MetricsDataSource": {
            "Dimensions": {"ISP": ["Gmail"], "EMAIL_IDENTITY": ["a"], "CONFIGURATION_SET": ["b"],
                           "TENANT_NAME": ["c"]},
            "Namespace": "VDM",
            "Metrics": [{"Name": "SEND", "Aggregation": "VOLUME"}],
            "StartDate": START,
            "EndDate": END,
        }
    }  # fmt: skip
    assert _refused(client.create_export_job, ExportDataSource=metrics, ExportDestination=CSV) == (
        "BadRequestException",
        400,
    )
    assert _refused(client.get_export_job, JobId="nope") == ("NotFoundException", 404)
    assert _refused(client.cancel_export_job, JobId="nope") == ("NotFoundException", 404)


def test_list_filters_and_cancel(fake: FakeSES, client: SESV2Client) -> None:
    first = _insights_job(client)
    second = _insights_job(client)
    client.cancel_export_job(JobId=first)
    cancelled = client.list_export_jobs(JobStatus="CANCELLED")["ExportJobs"]
    assert [j["JobId"] for j in cancelled] == [first]
    assert "CompletedTimestamp" in cancelled[0]
    page = client.list_export_jobs(PageSize=1)
    rest = client.list_export_jobs(PageSize=1, NextToken=page["NextToken"])
    assert [j["JobId"] for j in page["ExportJobs"] + rest["ExportJobs"]] == [first, second]
    assert client.list_export_jobs(ExportSourceType="METRICS_DATA")["ExportJobs"] == []
    fake.set_export_job_status(second, "FAILED", error_message="broken")
    assert client.get_export_job(JobId=second)["FailureInfo"] == {"ErrorMessage": "broken"}
    with pytest.raises(ValueError, match="status must be one of"):
        fake.set_export_job_status(second, "LOST")
    with pytest.raises(KeyError):
        fake.export_job_state("nope")
