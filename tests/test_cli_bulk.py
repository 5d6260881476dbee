"""`sesflow send-bulk`: CSV and JSON Lines campaigns, dry runs, journals, against a served fake."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from conftest import fill_disk
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
        client = fake.client()
        client.create_email_template(
            TemplateName="spring",
            TemplateContent={"Subject": "Spring for {{name}}", "Text": "Hi {{name}} ({{city}})"},
        )
        yield fake


@pytest.fixture
def cli(served: FakeSES, capsys: pytest.CaptureFixture[str]) -> Cli:
    def run(*argv: str) -> Ran:
        assert served.endpoint_url is not None
        base = ["--endpoint-url", served.endpoint_url, "--region", "us-east-1"]
        code = main([*base, *argv])
        out, err = capsys.readouterr()
        return Ran(code, out, err)

    return run


def bulk(*extra: str) -> list[str]:
    return ["send-bulk", "--from", "News <news@example.com>", "--template", "spring", *extra]


def write_csv(path: Path, count: int, *, bad: tuple[int, ...] = ()) -> Path:
    lines = ["email,name,city"]
    for i in range(count):
        address = f"bad{i}@@example.net" if i in bad else f"reader{i:03d}@example.net"
        lines.append(f"{address},Reader {i},Paris")
    path.write_text("\n".join(lines) + "\n")
    return path


def sends(fake: FakeSES) -> int:
    return fake.call_count("SendBulkEmail") + fake.call_count("SendEmail")


def test_csv_columns_become_template_data(cli: Cli, served: FakeSES, tmp_path: Path) -> None:
    ran = cli(*bulk("--recipients", str(write_csv(tmp_path / "list.csv", 30))))
    assert ran.code == 0, ran.err
    assert ran.out.startswith("Sent 30 of 30 recipients in ")
    assert "sent 30   failed 0   skipped 0   ambiguous 0   unsent 0" in ran.out
    assert "sesflow" in ran.err  # the progress bar, on stderr
    assert set(served.delivery_counts().values()) == {1}
    assert len(served.delivery_counts()) == 30
    first = next(m for m in served.outbox if m.to == ("reader000@example.net",))
    assert first.template_data == {"name": "Reader 0", "city": "Paris"}
    assert first.subject == "Spring for Reader 0"


def test_json_report(cli: Cli, tmp_path: Path) -> None:
    ran = cli(
        "--json", *bulk("--recipients", str(write_csv(tmp_path / "l.csv", 5)), "--no-progress")
    )
    assert ran.code == 0
    assert ran.err == ""
    report = ran.json()["report"]
    assert {
        k: report[k] for k in ("total", "sent", "failed", "skipped", "ambiguous", "unsent")
    } == {
        "total": 5,
        "sent": 5,
        "failed": 0,
        "skipped": 0,
        "ambiguous": 0,
        "unsent": 0,
    }
    assert report["failures"] == []
    assert report["rate"] > 0


def test_a_csv_without_an_email_column_sends_nothing(
    cli: Cli, served: FakeSES, tmp_path: Path
) -> None:
    path = tmp_path / "list.csv"
    path.write_text("name,address\nAnn,ann@example.net\n")
    ran = cli(*bulk("--recipients", str(path)))
    assert ran.code == 1
    assert ran.out == ""
    assert ran.err == f"sesflow: error: {path} has no 'email' column (columns: 'name', 'address')\n"
    assert sends(served) == 0
    assert served.outbox == []


def test_an_email_column_is_found_in_any_case(cli: Cli, served: FakeSES, tmp_path: Path) -> None:
    path = tmp_path / "list.csv"
    path.write_text("\ufeffName,Email\nAnn,ann@example.net\n")  # with a spreadsheet's BOM
    ran = cli(*bulk("--recipients", str(path), "--default-data", '{"city": "Oslo"}'))
    assert ran.code == 0, ran.err
    assert served.outbox[0].template_data == {"Name": "Ann", "city": "Oslo"}


def test_failed_recipients_are_reported_with_exit_1(
    cli: Cli, served: FakeSES, tmp_path: Path
) -> None:
    ran = cli(*bulk("--recipients", str(write_csv(tmp_path / "l.csv", 6, bad=(2, 4)))))
    assert ran.code == 1
    assert ran.err.splitlines()[-1] == "sesflow: error: 2 of 6 recipients failed"
    assert "bad2@@example.net  INVALID_RECIPIENT" in ran.out
    assert len(served.delivery_counts()) == 4


def test_a_second_run_with_the_journal_resumes(cli: Cli, served: FakeSES, tmp_path: Path) -> None:
    recipients = str(write_csv(tmp_path / "l.csv", 12))
    journal = str(tmp_path / "spring.journal")
    first = cli("--json", *bulk("--recipients", recipients, "--journal", journal))
    assert first.json()["report"]["sent"] == 12
    again = cli(*bulk("--recipients", recipients, "--journal", journal))
    assert again.code == 0
    assert "sent 0   failed 0   skipped 12" in again.out
    assert f"according to {journal}" in again.out
    assert set(served.delivery_counts().values()) == {1}
    assert (Path(journal).stat().st_mode & 0o777) == 0o600


def test_a_broken_row_stops_the_run_and_a_rerun_resumes(
    cli: Cli, served: FakeSES, tmp_path: Path
) -> None:
    path = tmp_path / "list.jsonl"
    good = [
        json.dumps({"email": f"r{i}@example.net", "data": {"name": f"R{i}", "city": "X"}})
        for i in range(8)
    ]
    path.write_text("\n".join([*good[:5], "{not json", *good[5:]]) + "\n")
    journal = str(tmp_path / "j")
    stopped = cli(*bulk("--recipients", str(path), "--journal", journal))
    assert stopped.code == 1
    assert stopped.err.splitlines()[-1] == (
        f"sesflow: error: {path}, line 6: not valid JSON (Expecting property name enclosed in "
        "double quotes) (--dry-run checks the whole file)"
    )
    assert "Sent 5 of 5 recipients" in stopped.out  # what was read before it went out
    path.write_text("\n".join(good) + "\n")
    resumed = cli("--json", *bulk("--recipients", str(path), "--journal", journal))
    assert resumed.code == 0
    report = resumed.json()["report"]
    assert (report["sent"], report["skipped"]) == (3, 5)
    assert len(served.delivery_counts()) == 8
    assert set(served.delivery_counts().values()) == {1}


def test_a_full_disk_stops_with_the_report_and_a_rerun_resends_nobody(
    cli: Cli, served: FakeSES, tmp_path: Path, small_disk: Path
) -> None:
    """The journal's disk fills up mid-run: one error line and the report, not a traceback."""
    recipients = str(write_csv(tmp_path / "l.csv", 3000))
    journal = str(small_disk / "spring.journal")
    filler = fill_disk(small_disk)
    with filler.open("r+b") as stream:  # room for the journal's start and reserve, not more
        stream.truncate(filler.stat().st_size - 720 * 1024)
    stopped = cli(*bulk("--recipients", recipients, "--journal", journal))
    assert stopped.code == 1
    last = stopped.err.splitlines()[-1]
    assert last.startswith("sesflow: error: journal ")
    assert "the disk is full" in last
    assert "unexpected" not in stopped.err
    assert "Sent " in stopped.out  # the partial report
    sent_before = sum(served.delivery_counts().values())
    assert 0 < sent_before < 3000
    filler.unlink()
    resumed = cli("--json", *bulk("--recipients", recipients, "--journal", journal))
    assert resumed.code == 0, resumed.err
    report = resumed.json()["report"]
    assert report["skipped"] == sent_before  # every answered outcome was recorded
    assert len(served.delivery_counts()) == 3000
    assert set(served.delivery_counts().values()) == {1}  # nobody twice


def test_jsonl_data_and_tags(cli: Cli, served: FakeSES, tmp_path: Path) -> None:
    path = tmp_path / "list.ndjson"
    rows = [
        {
            "email": "ann@example.net",
            "data": {"name": "Ann", "city": "Rome"},
            "tags": {"seg": "vip"},
        },
        {"email": "bob@example.net"},
    ]
    path.write_text("".join(json.dumps(r) + "\n\n" for r in rows))
    ran = cli(*bulk("--recipients", str(path), "--default-data", '{"name": "friend", "city": "-"}'))
    assert ran.code == 0, ran.err
    by_address = {m.to[0]: m for m in served.outbox}
    assert by_address["ann@example.net"].tags == {"seg": "vip"}
    assert by_address["ann@example.net"].text == "Hi Ann (Rome)"
    assert by_address["bob@example.net"].text == "Hi friend (-)"


def test_dry_run_checks_every_row_and_sends_nothing(
    cli: Cli, served: FakeSES, tmp_path: Path
) -> None:
    ran = cli(*bulk("--recipients", str(write_csv(tmp_path / "l.csv", 4, bad=(1,))), "--dry-run"))
    assert ran.code == 1  # one row is invalid
    lines = ran.out.splitlines()
    assert lines[0] == 'would send to reader000@example.net  {"name": "Reader 0", "city": "Paris"}'
    # The library's own check (Sender.check_bulk), worded as a run's report words it.
    assert "line 3: INVALID bad1@@example.net: recipients: 'bad1@@example.net'" in ran.out
    assert lines[-1] == (
        "Dry run: 4 rows read, 3 would be sent, 1 invalid; template spring found. Nothing was sent."
    )
    assert sends(served) == 0
    clean = cli(*bulk("--recipients", str(write_csv(tmp_path / "ok.csv", 3)), "--dry-run"))
    assert clean.code == 0


def test_dry_run_json_is_one_document(cli: Cli, served: FakeSES, tmp_path: Path) -> None:
    path = tmp_path / "list.jsonl"
    path.write_text(
        '{"email": "ann@example.net", "data": {"name": "Ann"}}\n'
        "[1, 2]\n"
        '{"mail": "x@example.net"}\n'
        '{"email": "bob@example.net", "tags": {"bad tag": "x"}}\n'
        '{"email": "cy@example.net", "data": "not an object"}\n'
    )
    ran = cli("--json", *bulk("--recipients", str(path), "--dry-run"))
    document = ran.json()
    assert document["dry_run"] is True
    assert document["recipients"] == [
        {"line": 1, "email": "ann@example.net", "data": {"name": "Ann"}, "tags": None}
    ]
    assert [(i["line"], i["problem"]) for i in document["invalid"]] == [
        (2, "not a JSON object"),
        (3, "unknown keys ['mail'] (expected email, data, tags, headers)"),
        (
            4,
            "recipients.message_tags['bad tag']: tag name 'bad tag' must be 1-256 ASCII "
            "letters, digits, '_' or '-'",
        ),
        (5, "'data' must be a JSON object"),
    ]
    assert document["summary"]["would_send"] == 1
    assert document["summary"]["template_found"] is True
    assert sends(served) == 0


def test_dry_run_with_a_missing_template(cli: Cli, served: FakeSES, tmp_path: Path) -> None:
    recipients = str(write_csv(tmp_path / "l.csv", 2))
    ran = cli(
        "send-bulk",
        "--from",
        "news@example.com",
        "--template",
        "nope",
        "--recipients",
        recipients,
        "--dry-run",
    )
    assert ran.code == 1
    assert "template nope NOT FOUND in us-east-1" in ran.out
    assert ran.err == "sesflow: error: template 'nope' does not exist in us-east-1\n"
    assert sends(served) == 0


def test_a_missing_template_stops_a_real_run_with_its_report(
    cli: Cli, served: FakeSES, tmp_path: Path
) -> None:
    recipients = str(write_csv(tmp_path / "l.csv", 3))
    ran = cli(
        "send-bulk",
        "--from",
        "news@example.com",
        "--template",
        "nope",
        "--recipients",
        recipients,
        "--no-progress",
    )
    assert ran.code == 1
    assert ran.out.startswith("Sent 0 of ")
    assert ran.err.startswith("sesflow: error: ")
    assert "nope" in ran.err
    assert served.outbox == []


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("list.txt", "cannot tell the format of"),
        ("missing.csv", "cannot read"),
    ],
)
def test_bad_recipients_files(
    cli: Cli, served: FakeSES, tmp_path: Path, name: str, message: str
) -> None:
    path = tmp_path / name
    if name.endswith(".txt"):
        path.write_text("email\nann@example.net\n")
    ran = cli(*bulk("--recipients", str(path)))
    assert ran.code == 1
    assert message in ran.err
    assert len(ran.err.splitlines()) == 1
    assert [c.operation for c in served.calls] == ["CreateEmailTemplate"]  # the set-up's only


def test_bad_options_are_usage_errors(cli: Cli, served: FakeSES, tmp_path: Path) -> None:
    recipients = str(write_csv(tmp_path / "l.csv", 1))
    # (A rate that is a number but not a usable one is the library's to refuse: see
    # test_a_bad_rate_is_refused_by_the_library_before_any_call.)
    for extra in (["--rate", "fast"], ["--default-data", "[]"]):
        ran = cli(*bulk("--recipients", recipients, *extra))
        assert ran.code == 2, extra
    assert sends(served) == 0


def test_more_fields_than_columns_is_a_row_problem(
    cli: Cli, served: FakeSES, tmp_path: Path
) -> None:
    path = tmp_path / "l.csv"
    path.write_text("email,name\nann@example.net,Ann\nbob@example.net,Bob,extra\n")
    ran = cli(*bulk("--recipients", str(path), "--dry-run"))
    assert "line 3: INVALID : more fields than columns" in ran.out
    assert sends(served) == 0


def test_a_file_that_is_not_utf8_is_one_line(cli: Cli, served: FakeSES, tmp_path: Path) -> None:
    path = tmp_path / "l.csv"
    # Past the first buffer of text, so the header and early rows decode and stream.
    good = b"".join(b"r%d@example.net,R\n" % i for i in range(2000))
    path.write_bytes(b"email,name\n" + good + b"bob@example.net,\xff\xfe\n")
    ran = cli(*bulk("--recipients", str(path), "--dry-run"))
    assert ran.code == 1
    assert ran.err.startswith(f"sesflow: error: {path}: unreadable after the last good row (")
    assert len(ran.err.splitlines()) == 1
    assert "would send to r0@example.net" in ran.out
    assert sends(served) == 0


def test_a_dry_run_stopped_by_the_file_still_prints_one_document(
    cli: Cli, served: FakeSES, tmp_path: Path
) -> None:
    path = tmp_path / "l.jsonl"
    good = b"".join(b'{"email": "r%d@example.net"}\n' % i for i in range(500))
    path.write_bytes(good + b'{"email": "\xff"}\n')
    ran = cli("--json", *bulk("--recipients", str(path), "--dry-run"))
    assert ran.code == 1
    document = ran.json()
    # Text is decoded a buffer at a time: the rows before the bad buffer were checked.
    assert 0 < len(document["recipients"]) == document["summary"]["read"] < 500
    assert document["summary"]["stopped"].startswith(f"{path}: unreadable after the last good")
    assert ran.err.startswith("sesflow: error: ")
    assert sends(served) == 0


@pytest.mark.parametrize("text", ["0", "-3", "nan", "inf"])
def test_a_bad_rate_is_refused_by_the_library_before_any_call(
    cli: Cli, served: FakeSES, tmp_path: Path, text: str
) -> None:
    ran = cli(*bulk("--recipients", str(write_csv(tmp_path / "l.csv", 3)), "--rate", text))
    assert ran.code == 1
    message = (
        f"max_rate: must be a positive finite number of recipients per second, got {float(text)!r}"
    )
    assert ran.err.splitlines()[-1] == f"sesflow: error: {message}"
    assert sends(served) == 0
