"""Every docstring example (`>>>`) in the library runs, and shows what it really prints.

Each docstring is one doctest, run in the module's globals plus `example_namespace()` (a
`FakeSES`-backed `ses`, a `sender`, a stored template, `recipients`, ...), in a fresh
temporary working directory, with `ELLIPSIS` and `NORMALIZE_WHITESPACE`. An example that cannot
run offline says so with `# doctest: +SKIP` and a comment why.
"""

from __future__ import annotations

import doctest
import importlib
import pkgutil
import re
import signal
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

import sesflow
from conftest import botocore_lacks, example_counts, example_namespace, require_postgres

FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


def _modules() -> list[ModuleType]:
    names = ["sesflow"] + [
        info.name
        for info in pkgutil.walk_packages(sesflow.__path__, prefix="sesflow.")
        if info.name != "sesflow.__main__"  # runs the CLI on import; no docstring examples
    ]
    return [importlib.import_module(name) for name in sorted(names)]


MODULES = _modules()
FINDER = doctest.DocTestFinder(exclude_empty=True)
DOCTESTS = [
    (module, test)
    for module in MODULES
    for test in sorted(FINDER.find(module), key=lambda t: t.name)
    if test.examples
]


#: Docstrings whose examples cannot run yet: they must still fail (strict xfail), so each one
#: fixed is noticed and removed here.
PENDING: set[str] = set()


#: Examples of features that need a newer botocore than the oldest supported one (`make
#: unit-min`): the model field each needs. On an older botocore they are skipped, saying why.
NEEDS_MODEL = {"sesflow._ses.SES.tenants": ("ListTenantsRequest", "Filter")}


#: Examples of the async API need its extra; .venv-min cannot have it (aiobotocore pins a
#: botocore newer than the minimum), so there they are skipped, saying why.
NEEDS_ASYNC = ("sesflow.aio", "sesflow.testing._fake.FakeSESBase.async_client")


def _lacks_async() -> str | None:
    try:
        import aiobotocore  # noqa: F401
        import greenlet  # noqa: F401
    except ImportError:
        return "needs the async extra (aiobotocore, greenlet), which this botocore cannot have"
    return None


def _marks(name: str) -> list[Any]:
    if name in PENDING:
        return [pytest.mark.xfail(reason="not runnable yet", strict=True)]
    if name.startswith(NEEDS_ASYNC) and (lacks_async := _lacks_async()):
        return [pytest.mark.skip(reason=lacks_async)]
    lacks = botocore_lacks(*NEEDS_MODEL[name]) if name in NEEDS_MODEL else None
    return [pytest.mark.skip(reason=lacks)] if lacks else []


def _params() -> list[Any]:
    return [
        pytest.param(module, test, id=test.name, marks=_marks(test.name))
        for module, test in DOCTESTS
    ]


def _uses_report(test: doctest.DocTest) -> bool:
    """True when the docstring uses `report` before (or without) making it."""
    for example in test.examples:
        if re.match(r"\s*report\s*=", example.source):
            return False
        if re.search(r"\breport\b", example.source):
            return True
    return False


def _postgres_namespace(test: doctest.DocTest, request: pytest.FixtureRequest) -> dict[str, Any]:
    """For `sesflow.postgres`'s examples: `dsn`, the test PostgreSQL (skipped when it is
    unreachable, failed under CI), and journals in a schema of the example's own (dropped
    afterwards), whatever schema the example's `PostgresJournal`s would default to."""
    if not test.name.startswith(("sesflow.postgres", "sesflow._postgres")):
        return {}
    import uuid

    import psycopg

    from sesflow.postgres import PostgresJournal

    dsn = require_postgres()
    schema = f"sesflow_example_{uuid.uuid4().hex[:12]}"
    defaults = PostgresJournal.__init__.__kwdefaults__
    assert defaults is not None
    original = defaults["schema"]
    defaults["schema"] = schema

    def restore() -> None:
        defaults["schema"] = original
        with psycopg.connect(dsn, autocommit=True) as connection:
            connection.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')

    request.addfinalizer(restore)
    return {"dsn": dsn}


def _too_slow(signum: int, frame: object) -> None:
    raise TimeoutError("the example ran for 30 s: does it wait in real time?")


@pytest.mark.parametrize(("module", "test"), _params())
def test_docstring_example(
    module: ModuleType,
    test: doctest.DocTest,
    request: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.chdir(tmp_path)
    test.globs = {
        **vars(module),
        **example_namespace(with_report=_uses_report(test)),
        **_postgres_namespace(test, request),
    }
    out: list[str] = []
    signal.signal(signal.SIGALRM, _too_slow)
    signal.alarm(30)  # an example that waits in real time (not on `clock`) fails, not hangs
    request.addfinalizer(lambda: signal.alarm(0))
    runner = doctest.DocTestRunner(optionflags=FLAGS)
    result = runner.run(test, out=out.append, clear_globs=True)
    counts = example_counts(request.config)
    counts["examples"] += result.attempted
    counts["skipped"] += sum(1 for e in test.examples if e.options.get(doctest.SKIP))
    counts["modules"].add(test.filename)
    if result.failed:
        pytest.fail("".join(out), pytrace=False)


_EXAMPLE = re.compile(r"\s*>>>(?!\s*#)")  # a `>>> # comment` line is no example


def test_every_example_is_collected() -> None:
    """Every `>>>` line in the source belongs to a docstring the finder collects (an example
    in a comment, a `cached_property` or a nested function would silently never run)."""
    found: dict[str, int] = {}
    for _, test in DOCTESTS:
        assert test.filename is not None
        found[test.filename] = found.get(test.filename, 0) + len(test.examples)
    written = {}
    for path in Path(sesflow.__file__).parent.rglob("*.py"):
        n = sum(1 for line in path.read_text().splitlines() if _EXAMPLE.match(line))
        if n:
            written[str(path)] = n
    assert found == written
