"""docs/cli.md is every command's `--help`, verbatim: regenerated here and compared."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from sesflow._cli._app import build_parser, command_parsers
from sesflow._cli._reference import render

PAGE = Path(__file__).parent.parent / "docs" / "cli.md"
FIX = "run: python -m sesflow._cli._reference"


def _generated_with() -> tuple[int, int]:
    match = re.search(r"\(Python (\d+)\.(\d+)\)", PAGE.read_text(encoding="utf-8").splitlines()[0])
    assert match, f"docs/cli.md lacks its generator marker; {FIX}"
    return int(match.group(1)), int(match.group(2))


def test_the_reference_page_matches_the_help() -> None:
    if sys.version_info[:2] != _generated_with():
        # argparse's help layout changes between Python versions (3.13 reworded usage).
        pytest.skip(f"docs/cli.md was generated with Python {_generated_with()}")
    assert PAGE.read_text(encoding="utf-8") == render(), f"docs/cli.md is out of date; {FIX}"


def test_every_command_has_a_section() -> None:
    page = PAGE.read_text(encoding="utf-8")
    paths = [" ".join(path) for path, _ in command_parsers(build_parser())]
    assert len(paths) > 30
    for path in paths:
        assert f"`{path}`" in page, f"no section for {path}; {FIX}"
