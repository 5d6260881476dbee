"""A bulk campaign: a template, a streamed recipient list, pacing, a journal, resume.

Run as a script it plays against the offline fake SES on a virtual clock.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import sesflow
from sesflow import InlineTemplate, Recipient
from sesflow.testing import FakeClock, FakeSES


def recipients(count: int) -> Iterator[Recipient]:
    """Stands in for a CSV reader or a database cursor: read lazily, never all at once."""
    for i in range(count):
        yield Recipient(f"user{i}@example.com", data={"name": f"User {i}"})


# --8<-- [start:bulk]
def run_campaign(ses: sesflow.SES, journal: Path) -> sesflow.BulkReport:
    sender = ses.sender("news@example.com", message_tags={"campaign": "spring"})
    template = InlineTemplate(
        "Spring news for {{name}}",
        html="<p>Hi {{name}}, here is what is new.</p>",
        text="Hi {{name}}, here is what is new.",
    )
    report = sender.send_bulk(
        recipients(500),
        template,
        journal=journal,  # a stopped run resumes from here without resending
        progress=False,  # True shows a progress bar
    )
    print(report)
    for failure in report.failures:
        print("failed:", failure.address, failure.status, failure.error)
    return report


# --8<-- [end:bulk]


if __name__ == "__main__":
    clock = FakeClock()
    fake = FakeSES(clock=clock, max_send_rate=50)
    fake.verify("news@example.com")
    ses = sesflow.SES(client=fake.client(), sleep=clock.sleep, clock=clock)
    with tempfile.TemporaryDirectory() as tmp:
        journal = Path(tmp) / "spring.journal"
        run_campaign(ses, journal)
        again = run_campaign(ses, journal)  # everyone is skipped: nobody gets it twice
        assert again.skipped == 500
    print(f"deliveries: {len(fake.delivery_counts())} recipients, once each")
