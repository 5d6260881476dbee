"""`progress=True` picks the display that fits: terminal, notebook with or without widgets.

The environments are simulated through what the detection looks at: `sys.modules`
(IPython, ipywidgets, tqdm). Warnings are errors here, so a TqdmWarning fails a test.
"""

from __future__ import annotations

import importlib.machinery
import sys
import types
from typing import Any

import pytest

import sesflow
from sesflow import _progress

UPDATES = [
    sesflow.BulkProgress(read=3, sent=n, failed=0, skipped=0, elapsed=float(n)) for n in (1, 2, 3)
]


class _Handle:
    def __init__(self, shown: list[Any]) -> None:
        self.shown = shown

    def update(self, data: Any, **kwargs: Any) -> None:
        self.shown.append(data)


def _kernel(monkeypatch: pytest.MonkeyPatch, *, kernel: bool = True) -> list[Any]:
    """IPython as in a notebook kernel (or a terminal IPython); what it displayed."""
    shown: list[Any] = []

    def display(data: Any, **kwargs: Any) -> _Handle:
        assert kwargs == {"raw": True, "display_id": True}
        shown.append(data)
        return _Handle(shown)

    shell = types.SimpleNamespace(config={"IPKernelApp": {}} if kernel else {})
    ipython = types.ModuleType("IPython")
    ipython.get_ipython = lambda: shell  # type: ignore[attr-defined]
    ipython_display = types.ModuleType("IPython.display")
    ipython_display.display = display  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "IPython", ipython)
    monkeypatch.setitem(sys.modules, "IPython.display", ipython_display)
    return shown


def _widgets(monkeypatch: pytest.MonkeyPatch, *, installed: bool) -> None:
    if installed:
        module = types.ModuleType("ipywidgets")
        module.__spec__ = importlib.machinery.ModuleSpec("ipywidgets", None)
        monkeypatch.setitem(sys.modules, "ipywidgets", module)
    else:
        monkeypatch.setitem(sys.modules, "ipywidgets", None)


def _run(sink: _progress.ProgressSink) -> None:
    for update in UPDATES:
        sink.update(update)
    sink.close()


def test_notebook_without_ipywidgets_replaces_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    shown = _kernel(monkeypatch)
    _widgets(monkeypatch, installed=False)
    _run(_progress.make_progress(True, total=3))
    assert shown[-1] == {"text/plain": "sesflow: 3/3 done, 3 sent, 0 failed, 0 skipped, 1.0/s"}
    # One display, updated in place: nothing on stdout or stderr to pile up in the notebook.
    assert capsys.readouterr() == ("", "")


def test_notebook_with_ipywidgets_uses_tqdms_widget_bar(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("tqdm")
    _kernel(monkeypatch)
    _widgets(monkeypatch, installed=True)
    bars: list[dict[str, Any]] = []

    class WidgetBar:
        def __init__(self, **kwargs: Any) -> None:
            bars.append(kwargs)
            self.n = 0

        def update(self, n: int) -> None:
            self.n += n

        def set_postfix(self, **kwargs: Any) -> None:
            pass

        def close(self) -> None:
            pass

    notebook = types.ModuleType("tqdm.notebook")
    notebook.tqdm = WidgetBar  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "tqdm.notebook", notebook)
    sink = _progress.make_progress(True, total=3)
    _run(sink)
    assert bars == [{"total": 3, "unit": "rcpt", "desc": "sesflow", "dynamic_ncols": True}]


@pytest.mark.parametrize("ipython", ["absent", "terminal"])
def test_a_terminal_gets_the_plain_tqdm_bar(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], ipython: str
) -> None:
    tqdm_std = pytest.importorskip("tqdm.std")
    if ipython == "absent":
        monkeypatch.delitem(sys.modules, "IPython", raising=False)
    else:
        _kernel(monkeypatch, kernel=False)
    sink = _progress.make_progress(True, total=3)
    assert isinstance(sink, _progress._Tqdm)
    assert type(sink._bar) is tqdm_std.tqdm
    _run(sink)
    assert "3/3" in capsys.readouterr().err


def test_without_tqdm_a_terminal_gets_one_stderr_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delitem(sys.modules, "IPython", raising=False)
    monkeypatch.setitem(sys.modules, "tqdm", None)
    monkeypatch.setitem(sys.modules, "tqdm.std", None)
    sink = _progress.make_progress(True, total=3)
    assert type(sink) is _progress._Line
    _run(sink)
    assert capsys.readouterr().err.endswith("3/3 done, 3 sent, 0 failed, 0 skipped, 1.0/s \n")
