"""What builds on sesflow uses its public API only: the command line, the examples, the
benchmarks and the docs' code import nothing from a private `sesflow._*` module, so
everything they need is public (and kept as such)."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CODE_BLOCK = re.compile(r"```python[^\n]*\n(.*?)```", re.S)


def _private_imports(source: str, *, allowed: str | None = None) -> Iterator[str]:
    """Every `sesflow._*` module `source` imports (absolute imports; `allowed` is the one
    private package the code may import itself, by its own name)."""
    for node in ast.walk(ast.parse(source)):
        modules: list[str] = []
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules = [node.module]
            modules += [f"{node.module}.{a.name}" for a in node.names if node.module == "sesflow"]
        for module in modules:
            parts = module.split(".")
            if parts[0] != "sesflow" or not any(p.startswith("_") for p in parts[1:]):
                continue
            if parts[1:] == ["__version__"] or parts[1:] == ["__main__"]:
                continue
            if allowed is not None and module.startswith(allowed):
                continue
            yield module


def _python_files() -> Iterator[tuple[Path, str | None]]:
    for folder in ("examples", "benchmarks"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            yield path, None
    for path in sorted((ROOT / "src" / "sesflow" / "_cli").rglob("*.py")):
        yield path, "sesflow._cli"


def test_the_walk_covers_the_cli_examples_and_benchmarks() -> None:
    files = [path.relative_to(ROOT).parts[0] for path, _ in _python_files()]
    assert files.count("examples") >= 10
    assert files.count("benchmarks") >= 2
    assert files.count("src") >= 10


def test_nothing_outside_the_library_imports_a_private_module() -> None:
    found = {
        str(path.relative_to(ROOT)): sorted(set(_private_imports(path.read_text(), allowed=own)))
        for path, own in _python_files()
    }
    assert {path: modules for path, modules in found.items() if modules} == {}


def test_the_docs_code_imports_no_private_module() -> None:
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    blocks = 0
    offenders: list[str] = []
    for page in pages:
        for block in CODE_BLOCK.findall(page.read_text()):
            blocks += 1
            try:
                modules = list(_private_imports(block))
            except SyntaxError:
                modules = re.findall(r"\bsesflow\._\w+", block)  # a fragment: look for the name
            offenders += [f"{page.name}: {m}" for m in modules]
    assert blocks >= 30
    assert offenders == []


def test_the_check_itself_finds_private_imports() -> None:
    source = (
        "import sesflow._bulk\nfrom sesflow._message import Recipient\nfrom sesflow import SES\n"
    )
    assert list(_private_imports(source)) == ["sesflow._bulk", "sesflow._message"]
    assert list(_private_imports("from sesflow import _ses")) == ["sesflow._ses"]
    assert list(_private_imports("from sesflow._cli._app import x", allowed="sesflow._cli")) == []


def test_the_typed_user_script_needs_no_type_ignore() -> None:
    script = ROOT / "tests" / "typecheck" / "stopped_run.py"
    text = script.read_text()
    assert "partial_report" in text
    assert "failure.status" in text
    assert "type: ignore" not in text
