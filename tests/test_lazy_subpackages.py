"""`import sesflow` then `sesflow.testing` / `sesflow.events`: loaded on first use, not before."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import sesflow

# The child imports the same sesflow as this test run, wherever that comes from.
_SRC = str(Path(sesflow.__file__).resolve().parent.parent)

_SCRIPT = """
import sys
import sesflow

assert "sesflow.testing" not in sys.modules, "import sesflow loaded sesflow.testing"
assert "sesflow.events" not in sys.modules, "import sesflow loaded sesflow.events"
assert {"events", "testing"} <= set(dir(sesflow))

fake = sesflow.testing.FakeSES()
assert type(fake).__module__.startswith("sesflow.testing")
assert callable(sesflow.events.parse_sns)
assert sys.modules["sesflow.testing"] is sesflow.testing

try:
    sesflow.no_such_thing
except AttributeError as error:
    assert "no_such_thing" in str(error)
else:
    raise AssertionError("a misspelt attribute did not raise AttributeError")
print("ok")
"""


def test_subpackages_load_lazily_on_attribute_access() -> None:
    env = {**os.environ, "PYTHONPATH": _SRC}
    done = subprocess.run(
        [sys.executable, "-c", _SCRIPT], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"
