"""`sesflow send-bulk --journal postgresql://... --campaign NAME` and `sesflow campaign
report`, in-process through the CLI's `main`, against a served fake and a real PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from sesflow._cli import main
from sesflow.testing import FakeSES


@dataclass
class Ran:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


Cli = Callable[..., Ran]


@pytest.fixture
def served() -> Iterator[FakeSES]:
    with FakeSES(seed=7, max_send_rate=1000) as fake:
        fake.serve()
        fake.verify("news@example.com")
        fake.client().create_email_template(
            TemplateName="spring",
            TemplateContent={"Subject": "Spring for {{name}}", "Text": "Hi {{name}}"},
        )
        yield fake


@pytest.fixture
def cli(served: FakeSES, capsys: pytest.CaptureFixture[str]) -> Cli:
    def run(*argv: str) -> Ran:
        assert served.endpoint_url is not None
        code = main(["--endpoint-url", served.endpoint_url, "--region", "us-east-1", *argv])
        out, err = capsys.readouterr()
        return Ran(code, out, err)

    return run


@pytest.fixture
def shared(postgres_dsn: str, pg_schema: str) -> list[str]:
    """The journal options of a campaign in this test's schema."""
    url = postgres_dsn.replace("postgresql://postgres@", "postgresql://postgres:pw@", 1)
    return ["--journal", url, "--campaign", "spring-2026", "--journal-schema", pg_schema]


def _csv(path: Path, count: int, *, bad: int = 0) -> str:
    rows = [f"reader{i:03d}@example.net,Reader {i}" for i in range(count)]
    rows += [f"bad{i}@@example.net,Bad {i}" for i in range(bad)]
    path.write_text("email,name\n" + "\n".join(rows) + "\n")
    return str(path)


def _bulk(recipients: str, *extra: str) -> list[str]:
    return [
        "send-bulk",
        "--from",
        "news@example.com",
        "--template",
        "spring",
        "--recipients",
        recipients,
        "--no-progress",
        *extra,
    ]


def test_send_bulk_with_a_postgresql_journal_resumes_and_reports_the_campaign(
    cli: Cli, served: FakeSES, shared: list[str], tmp_path: Path
) -> None:
    recipients = _csv(tmp_path / "list.csv", 40, bad=1)
    first = cli(*_bulk(recipients, *shared))
    assert first.code == 1, first.err  # the bad row failed
    assert first.out.startswith("Sent 40 of 41 recipients in ")
    again = cli(*_bulk(recipients, *shared))
    assert "sent 0   failed 1   skipped 40" in again.out
    label = "postgresql://postgres@127.0.0.1:5432/test (campaign spring-2026)"
    assert f"skipped: already sent (or failed for good) according to {label}" in again.out
    assert "pw" not in again.out + again.err
    counts = served.delivery_counts()
    assert len(counts) == 40
    assert set(counts.values()) == {1}

    report = cli("campaign", "report", *shared)
    assert report.code == 0, report.err
    lines = report.out.splitlines()
    assert lines[0].startswith("Campaign spring-2026 (postgresql://postgres@127.0.0.1:5432/test")
    assert lines[1].startswith("Sent 40 of 41 recipients in ")
    assert "sent 40   failed 1   unsent 0   ambiguous 0" in lines[2]
    assert "bad0@@example.net" in report.out
    data = cli("campaign", "report", *shared, "--json").json()
    assert data["campaign"] == "spring-2026"
    assert data["journal"] == "postgresql://postgres@127.0.0.1:5432/test"
    assert (data["report"]["total"], data["report"]["sent"], data["report"]["failed"]) == (
        41,
        40,
        1,
    )
    assert [f["status"] for f in data["report"]["failures"]] == ["INVALID_RECIPIENT"]


def test_a_dry_run_reads_the_postgresql_journal(
    cli: Cli, shared: list[str], tmp_path: Path
) -> None:
    recipients = _csv(tmp_path / "list.csv", 3)
    assert cli(*_bulk(recipients, *shared)).code == 0
    more = tmp_path / "more.csv"
    more.write_text(Path(recipients).read_text() + "new@example.net,New\n")
    dry = cli(*_bulk(str(more), *shared, "--dry-run"))
    assert dry.code == 0, dry.err
    assert "line 2: SKIP reader000@example.net: sent in an earlier run" in dry.out
    assert "would send to new@example.net" in dry.out
    assert "1 would be sent, 3 skipped" in dry.out


def test_the_journal_options_must_agree(cli: Cli, shared: list[str], tmp_path: Path) -> None:
    recipients = _csv(tmp_path / "list.csv", 2)
    no_name = cli(*_bulk(recipients, "--journal", shared[1]))
    assert no_name.code == 1
    assert "--journal postgresql://... needs --campaign NAME" in no_name.err
    file_named = cli(*_bulk(recipients, "--journal", str(tmp_path / "j"), "--campaign", "x"))
    assert file_named.code == 1
    assert "--campaign names a campaign in a PostgreSQL journal" in file_named.err
    report_of_file = cli("campaign", "report", "--journal", "j.journal", "--campaign", "x")
    assert report_of_file.code == 1
    assert "reads a PostgreSQL journal" in report_of_file.err


def test_a_campaign_nobody_ran_is_an_error(cli: Cli, shared: list[str]) -> None:
    ran = cli("campaign", "report", *shared)
    assert ran.code == 1
    assert "no run of campaign 'spring-2026' recorded anything" in ran.err
    assert ran.out == ""
