"""At the command line, advice is a `sesflow` command, not a Python call."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from sesflow._cli import main
from sesflow.testing import FakeSES

#: A Python-API hint such as `ses.identity(...).create()`.
PYTHON_CALL = re.compile(r"\bses\.[a-z_]+\(")


@dataclass
class Ran:
    code: int
    out: str
    err: str


Cli = Callable[..., Ran]


@pytest.fixture
def served() -> Iterator[FakeSES]:
    with FakeSES(seed=7, max_send_rate=1000) as fake:
        fake.serve()
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
def body(tmp_path: Path) -> str:
    path = tmp_path / "b.txt"
    path.write_text("x")
    return str(path)


def _send(cli: Cli, body: str, sender: str, to: str = "a@example.net") -> Ran:
    return cli("send", "--from", sender, "--to", to, "--subject", "S", "--text", body)


def test_an_unverified_sender_is_told_the_sesflow_commands(cli: Cli, body: str) -> None:
    ran = _send(cli, body, "stranger@example.org")
    assert ran.code == 1
    assert (
        "Verify it with sesflow identity create stranger@example.org "
        "or sesflow domain setup example.org." in ran.err
    )
    assert not PYTHON_CALL.search(ran.err)


def test_the_sandbox_is_explained_with_sesflow_commands(
    cli: Cli, served: FakeSES, body: str
) -> None:
    served.verify("news@example.com")
    served.account.production_access_enabled = False
    ran = _send(cli, body, "news@example.com", to="stranger@example.net")
    assert ran.code == 1
    assert "(sesflow identity create ADDRESS)" in ran.err
    assert "sesflow account request-production-access --mail-type" in ran.err
    assert not PYTHON_CALL.search(ran.err)


def test_an_unverified_mail_from_is_explained_with_sesflow_commands(
    cli: Cli, served: FakeSES, body: str
) -> None:
    setup = cli(
        "domain",
        "setup",
        "example.com",
        "--mail-from",
        "mail.example.com",
        "--behavior-on-mx-failure",
        "REJECT_MESSAGE",
    )
    assert setup.code == 0, setup.err
    served.verify("news@example.com")
    ran = _send(cli, body, "news@example.com")
    assert ran.code == 1
    assert "(sesflow domain records example.com)" in ran.err
    assert "sesflow domain setup example.com --mail-from SUBDOMAIN" in ran.err
    assert "--behavior-on-mx-failure USE_DEFAULT_VALUE" in ran.err
    assert not PYTHON_CALL.search(ran.err)
    assert "behavior_on_mx_failure" not in ran.err


def _recipients(tmp_path: Path, count: int) -> str:
    path = tmp_path / "l.csv"
    path.write_text("email\n" + "".join(f"r{i}@example.net\n" for i in range(count)))
    return str(path)


@pytest.mark.parametrize("journal", [False, True])
def test_a_missing_template_says_how_to_create_it_not_just_rerun(
    cli: Cli, served: FakeSES, tmp_path: Path, journal: bool
) -> None:
    served.verify("news@example.com")
    extra = ["--journal", str(tmp_path / "j")] if journal else []
    ran = cli(
        "send-bulk",
        "--from",
        "news@example.com",
        "--template",
        "nope",
        "--recipients",
        _recipients(tmp_path, 3),
        "--no-progress",
        *extra,
    )
    assert ran.code == 1
    assert "nope" in ran.err
    assert ran.out.endswith(
        "The template 'nope' does not exist in us-east-1. Create it:\n"
        "  sesflow template create nope --subject S --html FILE --text FILE\n"
        "(or name an existing one with --template; 'sesflow template list' lists them)\n"
        + (
            "Then run the same command again (same --journal) to send the other 3.\n"
            if journal
            else "Then run the same command again.\n"
        )
    )
    assert ran.out.count("Run the same command again") == 0
    assert served.outbox == []


def test_a_missing_configuration_set_says_how_to_create_it(
    cli: Cli, served: FakeSES, tmp_path: Path
) -> None:
    served.verify("news@example.com")
    served.client().create_email_template(
        TemplateName="spring", TemplateContent={"Subject": "Hi", "Text": "x"}
    )
    ran = cli(
        "send-bulk",
        "--from",
        "news@example.com",
        "--template",
        "spring",
        "--configuration-set",
        "missing",
        "--recipients",
        _recipients(tmp_path, 2),
        "--journal",
        str(tmp_path / "j"),
        "--no-progress",
    )
    assert ran.code == 1
    assert "  sesflow config-set create missing\n" in ran.out
    assert "Run the same command again" not in ran.out
