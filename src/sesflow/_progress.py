"""Showing a bulk run's progress: tqdm when installed, a plain stderr line otherwise."""

from __future__ import annotations

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

    def _show(self, progress: BulkProgress) -> None:
        of = f"/{self._total:,}" if self._total is not None else ""
        sys.stderr.write(
            f"\rsesflow: {progress.done:,}{of} done, {progress.sent:,} sent, "
            f"{progress.failed:,} failed, {progress.skipped:,} skipped, {progress.rate:,.1f}/s "
        )
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


def make_progress(
    progress: bool | Callable[[BulkProgress], object], total: int | None
) -> ProgressSink:
    """The display `progress=` asks for: a callable, tqdm/a stderr line (True), or none."""
    if callable(progress):
        return _Callback(progress)
    if not progress:
        return _Silent()
    try:
        from tqdm.auto import tqdm  # type: ignore[import-untyped,unused-ignore]
    except ImportError:
        return _Line(total)
    return _Tqdm(tqdm, total)
