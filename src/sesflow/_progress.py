"""Showing a bulk run's progress, in the form that fits where it runs.

- a terminal: a tqdm bar when tqdm is installed, else one updating line on stderr;
- a notebook (an IPython kernel): tqdm's widget bar when ipywidgets is installed too,
  else one line of cell output replaced in place.

Without ipywidgets, tqdm's notebook mode warns (TqdmWarning) and its text bar leaves one
output line per refresh in a saved notebook, which is why the choice is made here rather
than by `tqdm.auto`.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from collections.abc import Callable
from typing import Any, Protocol

from ._report import BulkProgress

__all__ = ["ProgressSink", "make_progress"]


class ProgressSink(Protocol):
    """Receives progress updates; `close()` ends the display."""

    def update(self, progress: BulkProgress) -> None: ...

    def close(self) -> None: ...


class _Callback:
    def __init__(self, callback: Callable[[BulkProgress], object]) -> None:
        self._callback = callback

    def update(self, progress: BulkProgress) -> None:
        self._callback(progress)

    def close(self) -> None:
        pass


class _Silent:
    def update(self, progress: BulkProgress) -> None:
        pass

    def close(self) -> None:
        pass


class _Tqdm:
    def __init__(self, tqdm: Any, total: int | None) -> None:
        self._bar = tqdm(total=total, unit="rcpt", desc="sesflow", dynamic_ncols=True)
        self._shown = 0

    def update(self, progress: BulkProgress) -> None:
        self._bar.update(progress.done - self._shown)
        self._shown = progress.done
        self._bar.set_postfix(
            sent=progress.sent, failed=progress.failed, skipped=progress.skipped, refresh=False
        )

    def close(self) -> None:
        self._bar.close()


class _Line:
    """One updating line on stderr, at most every `interval` seconds of progress time."""

    def __init__(self, total: int | None, interval: float = 0.5) -> None:
        self._total = total
        self._interval = interval
        self._last = -interval
        self._latest: BulkProgress | None = None

    def _text(self, progress: BulkProgress) -> str:
        of = f"/{self._total:,}" if self._total is not None else ""
        return (
            f"sesflow: {progress.done:,}{of} done, {progress.sent:,} sent, "
            f"{progress.failed:,} failed, {progress.skipped:,} skipped, {progress.rate:,.1f}/s "
        )

    def _show(self, progress: BulkProgress) -> None:
        sys.stderr.write("\r" + self._text(progress))
        sys.stderr.flush()

    def update(self, progress: BulkProgress) -> None:
        self._latest = progress
        if progress.elapsed - self._last >= self._interval:
            self._last = progress.elapsed
            self._show(progress)

    def close(self) -> None:
        if self._latest is not None:
            self._show(self._latest)
            sys.stderr.write("\n")
            sys.stderr.flush()


class _NotebookLine(_Line):
    """One line of cell output, replaced in place (an IPython display id).

    Needs no ipywidgets, and a saved notebook keeps only the last state of the line.
    """

    def __init__(self, total: int | None, display: Callable[..., Any]) -> None:
        super().__init__(total)
        self._display = display
        self._handle: Any = None

    def _show(self, progress: BulkProgress) -> None:
        data = {"text/plain": self._text(progress).rstrip()}
        if self._handle is None:
            self._handle = self._display(data, raw=True, display_id=True)
        else:
            self._handle.update(data, raw=True)

    def close(self) -> None:
        if self._latest is not None:
            self._show(self._latest)


def _notebook_display() -> Callable[..., Any] | None:
    """IPython's `display` when running in a notebook kernel, else None.

    The test tqdm uses: an IPython shell whose config has an `IPKernelApp`. IPython is
    only looked for when already imported (a kernel always has it): a script never pays
    for importing it.
    """
    ipython = sys.modules.get("IPython")
    if ipython is None:
        return None
    try:
        shell = ipython.get_ipython()
        if shell is None or "IPKernelApp" not in shell.config:
            return None
        display: Callable[..., Any] = importlib.import_module("IPython.display").display
    except Exception:  # an IPython too unusual to tell: the terminal display is safe
        return None
    return display


def _importable(name: str) -> bool:
    if name in sys.modules:
        return sys.modules[name] is not None
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def make_progress(
    progress: bool | Callable[[BulkProgress], object], total: int | None
) -> ProgressSink:
    """The display `progress=` asks for: a callable, a bar or line that fits (True), or none."""
    if callable(progress):
        return _Callback(progress)
    if not progress:
        return _Silent()
    display = _notebook_display()
    if display is not None:
        if _importable("ipywidgets"):
            try:
                from tqdm.notebook import tqdm as widget_bar  # type: ignore[import-untyped,unused-ignore]

                return _Tqdm(widget_bar, total)
            except ImportError:  # no tqdm, or an ipywidgets tqdm cannot use
                pass
        return _NotebookLine(total, display)
    try:
        from tqdm.std import tqdm  # type: ignore[import-untyped,unused-ignore]
    except ImportError:
        return _Line(total)
    return _Tqdm(tqdm, total)
