"""Stopping cleanly on SIGTERM, the way systemd, Kubernetes and Docker stop a process.

Python turns SIGINT (Ctrl-C) into `KeyboardInterrupt`, which a bulk run handles cleanly:
it stops reading, lets the calls in flight finish, journals their outcomes and raises with
the partial report. SIGTERM's default is to end the process at once, leaving those calls
in flight: a resumed run must then treat their recipients as ambiguous and, under
at-least-once, send them again. `interrupt_on_sigterm()` makes SIGTERM behave as SIGINT.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

__all__ = ["interrupt_on_sigterm"]


@contextmanager
def interrupt_on_sigterm() -> Iterator[None]:
    """Within the block, SIGTERM raises `KeyboardInterrupt` in the main thread, as Ctrl-C.

    Wrap a bulk send in it in any process that may be stopped with SIGTERM (a systemd
    service, a Kubernetes pod, a container, a job queue worker): the run then stops as
    on Ctrl-C — calls in flight finish and are journaled, so a rerun with the journal
    resends nobody. The previous handler is restored on exit. Signals are handled by the
    main thread only: elsewhere this does nothing. `sesflow send-bulk` does this itself.
    The interrupt's `args` are `("SIGTERM",)`.

    Examples:
        >>> import os
        >>> def stop_me(progress):  # as `kill PID` (or a container stop) would
        ...     os.kill(os.getpid(), signal.SIGTERM)
        >>> with sesflow.interrupt_on_sigterm():
        ...     try:
        ...         report = sender.send_bulk(recipients, "welcome", journal="news.journal",
        ...                                   progress=stop_me)
        ...     except KeyboardInterrupt as stop:
        ...         print("stopped; resume with the same journal:", sesflow.partial_report(stop))
        stopped; resume with the same journal: BulkReport(total=2, sent=2, failed=0, skipped=0,
        repeats=0, ambiguous=0, unsent=0, rate=...)
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt("SIGTERM")

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
