"""A user's script, type-checked by `make test` (`mypy --strict` covers tests/): it reads a
stopped run's partial report and switches on each failure's status with no suppressed
type error (tests/test_layout.py checks there is none). Not run; only checked."""

from __future__ import annotations

import sesflow


def summarise(sender: sesflow.Sender, recipients: list[str]) -> dict[str, int]:
    counts = {"sent": 0, "invalid": 0, "rejected": 0, "maybe": 0, "other": 0}
    try:
        report = sender.send_bulk(recipients, "news", journal="news.journal")
    except (sesflow.SesflowError, KeyboardInterrupt) as exc:
        stopped = sesflow.partial_report(exc)
        if stopped is None:
            raise
        report = stopped
    counts["sent"] = report.sent
    for failure in report.failures:
        match failure.status:
            case sesflow.BulkEmailStatus.INVALID_RECIPIENT:
                counts["invalid"] += 1
            case sesflow.BulkEmailStatus.MESSAGE_REJECTED:
                counts["rejected"] += 1
            case sesflow.BulkEmailStatus.AMBIGUOUS:
                counts["maybe"] += 1
            case _:
                counts["other"] += 1
    return counts


def on_result(result: sesflow.BulkResult) -> None:
    if result.sent:
        print(result.address, result.message_id)
    elif result.status.is_sesflows:
        print(result.address, "refused by sesflow:", result.error)
