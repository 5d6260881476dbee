"""A campaign killed with SIGKILL part-way resumes without resending anyone sent."""

from __future__ import annotations

import signal
import textwrap
from pathlib import Path

import sesflow
from conftest import read_journal, spawn, wait_for_deliveries
from sesflow import InlineTemplate
from sesflow.testing import FakeSES

COUNT = 3000
CAMPAIGN = textwrap.dedent(
    """
    import sys
    import sesflow
    from sesflow import InlineTemplate

    endpoint, journal, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    ses = sesflow.SES("us-east-1", endpoint_url=endpoint)
    sender = ses.sender("news@example.com")
    template = InlineTemplate("Hi", text="Hello")
    recipients = (f"user{i}@example.com" for i in range(count))
    report = sender.send_bulk(recipients, template, journal=journal, concurrency=4)
    print(report)
    """
)


def test_sigkill_part_way_then_resume(tmp_path: Path) -> None:
    fake = FakeSES(max_send_rate=1500, max_24_hour_send=-1)
    fake.verify("news@example.com")
    journal = tmp_path / "campaign.journal"
    with fake:
        endpoint = fake.serve()
        process = spawn("-c", CAMPAIGN, endpoint, str(journal), str(COUNT))
        # Kill it once a good part, but not all, has been sent.
        wait_for_deliveries(fake, process, COUNT // 3, timeout=60)
        process.send_signal(signal.SIGKILL)
        process.communicate()
        assert process.returncode == -signal.SIGKILL

        before = fake.delivery_counts()
        assert 0 < sum(before.values()) < COUNT
        recorded_sent = {a for a, state in read_journal(journal).items() if state == "sent"}
        assert recorded_sent
        assert recorded_sent <= set(before)  # the journal never claims more than was sent

        ses = sesflow.SES("us-east-1", endpoint_url=endpoint)
        report = ses.sender("news@example.com").send_bulk(
            (f"user{i}@example.com" for i in range(COUNT)),
            InlineTemplate("Hi", text="Hello"),
            journal=journal,
        )
        after = fake.delivery_counts()
    assert len(after) == COUNT  # everyone got it
    assert all(after[a] == 1 for a in recorded_sent)  # nobody recorded as sent got it twice
    assert report.skipped == len(recorded_sent)
    # Only recipients whose request was in flight at the kill can have it twice.
    assert sum(n - 1 for n in after.values()) <= report.ambiguous
