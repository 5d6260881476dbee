"""Every runtime dependency in pyproject.toml is one sesflow's code imports."""

from __future__ import annotations

import ast
import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: Distributions whose import name is not the distribution name with `_` for `-`.
_IMPORT_NAMES: dict[str, str] = {}


def _imported_top_level_modules() -> set[str]:
    found: set[str] = set()
    for path in (ROOT / "src" / "sesflow").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found.update(alias.name.partition(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module.partition(".")[0])
    return found


def test_every_runtime_dependency_is_imported() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    names = [re.split(r"[\s<>=!~;\[]", spec, maxsplit=1)[0] for spec in project["dependencies"]]
    imported = _imported_top_level_modules()
    unused = [
        name
        for name in names
        if _IMPORT_NAMES.get(name, name.lower().replace("-", "_")) not in imported
    ]
    assert unused == [], f"declared but never imported by src/sesflow: {unused}"


def test_the_tested_minimum_is_the_declared_floor() -> None:
    """`make unit-min` runs on MIN_BOTO; pip may install nothing older than that."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    floors = {
        name: version
        for spec in project["dependencies"]
        for name, version in re.findall(r"^(boto3|botocore)>=([\d.]+)$", spec)
    }
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    minimum = re.search(r"^MIN_BOTO := ([\d.]+)$", makefile, re.M)
    assert minimum is not None
    assert floors == {"boto3": minimum[1], "botocore": minimum[1]}
