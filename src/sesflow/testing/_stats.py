"""Counters a benchmark or a test reads at the end of a run: `FakeSES.stats()`.

`FakeSES.stats` gathers them from the stores that keep them (the call log, the account's
send-rate window, the outbox, the random faults), each through its public methods.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["FakeStats"]


@dataclass(frozen=True)
class FakeStats:
    """A snapshot of what the fake saw: calls, throttles, the busiest second, faults.

    Also served as JSON at `GET /_sesflow/stats` by `FakeSES.serve()`.

    Examples:
        >>> _ = sender.send_bulk(recipients, "welcome")
        >>> stats = fake.stats()
        >>> stats.calls["SendBulkEmail"], stats.recipients_accepted, stats.throttled_calls
        (1, 2, 0)
        >>> stats.peak_recipients_per_second <= fake.account.max_send_rate
        True

    Attributes:
        calls: Requests received per operation (dropped-before requests are not received).
        throttled_calls: Requests answered HTTP 429, whatever the cause.
        peak_recipients_per_second: The most recipients accepted within any one second
            (sliding, by arrival on the fake's `clock`).
        messages_accepted: Messages accepted (one per `SendEmail`, one per bulk entry).
        recipients_accepted: Their recipients, summed.
        rendering_failures: Accepted messages not delivered because the template data
            lacked a variable (SES's Rendering Failure).
        injected_faults: Random faults fired, by kind (see `FakeSES.inject_faults()`).
    """

    calls: Mapping[str, int]
    throttled_calls: int
    peak_recipients_per_second: int
    messages_accepted: int
    recipients_accepted: int
    rendering_failures: int
    injected_faults: Mapping[str, int]

    def to_json(self) -> dict[str, Any]:
        """Return the snapshot as JSON-ready data (what `/_sesflow/stats` serves).

        Examples:
            >>> fake.stats().to_json()
            {'calls': {'CreateEmailTemplate': 1}, 'throttled_calls': 0,
             'peak_recipients_per_second': 0, 'messages_accepted': 0, 'recipients_accepted': 0,
             'rendering_failures': 0, 'injected_faults': {}}
        """
        return {
            "calls": dict(self.calls),
            "throttled_calls": self.throttled_calls,
            "peak_recipients_per_second": self.peak_recipients_per_second,
            "messages_accepted": self.messages_accepted,
            "recipients_accepted": self.recipients_accepted,
            "rendering_failures": self.rendering_failures,
            "injected_faults": dict(self.injected_faults),
        }
