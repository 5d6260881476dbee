"""The bulk sender on FakeSES: pacing, retries, faults, quotas, journal, progress."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sesflow
from sesflow import InlineTemplate, Recipient
from sesflow.testing import FakeClock, FakeSES

TEMPLATE = InlineTemplate("Spring news", text="Hello, here is what is new.")


def _setup(rate: float = 1000, **fake_options: Any) -> tuple[FakeSES, FakeClock, sesflow.SES]:
    clock = FakeClock()
    fake = FakeSES(clock=clock, max_send_rate=rate, max_24_hour_send=-1, **fake_options)
    fake.verify("news@example.com")
    ses = sesflow.SES(client=fake.client(), sleep=clock.sleep, clock=clock)
    return fake, clock, ses


def _addresses(n: int, start: int = 0) -> list[str]:
    return [f"user{i}@example.com" for i in range(start, start + n)]


def _bulk_calls(fake: FakeSES) -> list[Any]:
    return [c for c in fake.calls if c.operation == "SendBulkEmail"]


def test_everyone_is_sent_once_in_batches_of_at_most_fifty() -> None:
    fake, _, ses = _setup(rate=1000)
    report = ses.sender("news@example.com").send_bulk(
        _addresses(1234), TEMPLATE, default_data={"name": "x"}, concurrency=1
    )
    assert (report.total, report.sent, report.failed, report.skipped) == (1234, 1234, 0, 0)
    assert report.ok
    counts = fake.delivery_counts()
    assert len(counts) == 1234
    assert set(counts.values()) == {1}
    sizes = [len(c.params["BulkEmailEntries"]) for c in _bulk_calls(fake)]
    assert max(sizes) == 50
    assert sum(sizes) == 1234


def test_batches_never_exceed_the_per_second_rate() -> None:
    fake, clock, ses = _setup(rate=14)
    report = ses.sender("news@example.com").send_bulk(_addresses(100), TEMPLATE, concurrency=1)
    assert report.sent == 100
    sizes = [len(c.params["BulkEmailEntries"]) for c in _bulk_calls(fake)]
    assert max(sizes) <= 14
    assert fake.throttled_calls == 0
    # 100 recipients at 14/s (with 2 % headroom) take a little over 7 windows.
    assert 7 * 1.02 - 1e-6 <= clock() <= 8 * 1.02
    assert report.rate == pytest.approx(100 / report.duration)


def test_a_sandbox_account_sends_one_recipient_per_call() -> None:
    clock = FakeClock()
    fake = FakeSES(clock=clock, sandbox=True)
    fake.verify("news@example.com", *_addresses(5))
    ses = sesflow.SES(client=fake.client(), sleep=clock.sleep, clock=clock)
    report = ses.sender("news@example.com").send_bulk(_addresses(5), TEMPLATE)
    assert report.sent == 5
    assert [len(c.params["BulkEmailEntries"]) for c in _bulk_calls(fake)] == [1] * 5
    assert fake.throttled_calls == 0


def test_the_recipients_are_read_lazily() -> None:
    fake, _, ses = _setup(rate=1000)
    consumed = 0

    def endless() -> Iterator[str]:
        nonlocal consumed
        for i in itertools.count():
            consumed += 1
            if i == 500:
                raise RuntimeError("the source broke")
            yield f"u{i}@example.com"

    with pytest.raises(RuntimeError, match="the source broke") as caught:
        ses.sender("news@example.com").send_bulk(endless(), TEMPLATE, concurrency=1)
    report = sesflow.partial_report(caught.value)
    assert isinstance(report, sesflow.BulkReport)
    # Everything read before the failure was sent; nothing more was read.
    assert report.total == report.sent == 500
    assert consumed == 501
    assert sum(fake.delivery_counts().values()) == 500


def test_invalid_recipients_are_failures_and_the_run_goes_on() -> None:
    _fake, _, ses = _setup()
    recipients: list[str | Recipient] = [
        "ok1@example.com",
        "not-an-address",
        Recipient("ok2@example.com", data={"x": object()}),
        Recipient("jürgen@example.com"),
        "ok3@example.com",
    ]
    results: list[sesflow.BulkResult] = []
    report = ses.sender("news@example.com").send_bulk(
        recipients, TEMPLATE, on_result=results.append
    )
    assert (report.total, report.sent, report.failed) == (5, 2, 3)
    assert {f.status for f in report.failures} == {sesflow.BulkEmailStatus.INVALID_RECIPIENT}
    assert {f.address for f in report.failures} == {
        "not-an-address",
        "ok2@example.com",
        "jürgen@example.com",
    }
    assert not report.ok
    with pytest.raises(sesflow.BulkSendError) as caught:
        report.raise_for_failures()
    assert caught.value.report is report
    assert sorted(r.address for r in results) == sorted(
        str(getattr(r, "address", r)) for r in recipients
    )
    assert [r.sent for r in results].count(True) == 2
    assert all(r.message_id and r.error is None for r in results if r.sent)
    failed = [r for r in results if not r.sent]
    assert {r.status for r in failed} == {sesflow.BulkEmailStatus.INVALID_RECIPIENT}
    assert all(r.message_id is None and r.error for r in failed)


def test_permanent_entry_failures_are_recorded() -> None:
    clock = FakeClock()
    fake = FakeSES(clock=clock, sandbox=True, max_send_rate=100, max_24_hour_send=1000)
    fake.verify("news@example.com", "ok@example.com")
    ses = sesflow.SES(client=fake.client(), sleep=clock.sleep, clock=clock)
    report = ses.sender("news@example.com").send_bulk(
        ["ok@example.com", "stranger@example.com", "success@simulator.amazonses.com"], TEMPLATE
    )
    assert (report.sent, report.failed) == (2, 1)
    (failure,) = report.failures
    assert failure.address == "stranger@example.com"
    assert failure.status == "MESSAGE_REJECTED"


def test_fault_injection_delivers_everyone_exactly_once() -> None:
    """10,000 recipients, 10 % throttles, 5 % 5xx, 5 % transient entries, 1 % drops before."""
    fake, _, ses = _setup(rate=2000)
    fake.inject_faults(
        seed=42, throttle=0.10, server_error=0.05, transient_entry=0.05, drop_before=0.01
    )
    report = ses.sender("news@example.com").send_bulk(_addresses(10_000), TEMPLATE, concurrency=1)
    assert (report.total, report.sent, report.failed, report.ambiguous) == (10_000, 10_000, 0, 0)
    counts = fake.delivery_counts()
    assert len(counts) == 10_000
    assert set(counts.values()) == {1}


@pytest.mark.parametrize("delivery", ["at-least-once", "at-most-once"])
def test_drops_after_sending_are_ambiguous(delivery: str) -> None:
    fake, _, ses = _setup(rate=2000)
    fake.inject_faults(seed=7, drop_after=0.05)
    report = ses.sender("news@example.com").send_bulk(
        _addresses(10_000),
        TEMPLATE,
        concurrency=1,
        delivery=delivery,  # type: ignore[arg-type]
    )
    counts = fake.delivery_counts()
    duplicates = sum(n - 1 for n in counts.values())
    assert report.ambiguous > 0
    assert report.total == 10_000
    if delivery == "at-least-once":
        assert report.sent == 10_000
        assert len(counts) == 10_000
        assert duplicates == report.ambiguous
    else:
        assert duplicates == 0
        assert report.failed == report.ambiguous
        assert {f.status for f in report.failures} == {sesflow.BulkEmailStatus.AMBIGUOUS}
        # Every ambiguous recipient was in fact delivered once by the fake.
        assert len(counts) == 10_000
    assert report.sent + report.failed + report.skipped == 10_000


def test_whole_call_throttles_slow_the_pace_and_recover() -> None:
    fake, _, ses = _setup(rate=50)
    fake.fail_next("SendBulkEmail", "TooManyRequestsException", "Maximum sending rate exceeded.",
                   times=3)  # fmt: skip
    report = ses.sender("news@example.com").send_bulk(_addresses(1000), TEMPLATE, concurrency=1)
    assert report.sent == 1000
    sizes = [len(c.params["BulkEmailEntries"]) for c in _bulk_calls(fake)]
    # Each throttle cuts the pace by a fifth: the retried batch is re-cut to 40, then to
    # 25 (51 % of 50) ...
    assert sizes[:4] == [50, 40, 10, 25]
    # ... and recovers by 5 % a successful call.
    assert sizes[-2] == 50
    assert set(fake.delivery_counts().values()) == {1}


def test_per_entry_throttling_mode_is_retried() -> None:
    clock = FakeClock()
    fake = FakeSES(clock=clock, max_send_rate=20, max_24_hour_send=-1)
    fake.account.throttle_entries = True
    fake.verify("news@example.com")
    ses = sesflow.SES(client=fake.client(), sleep=clock.sleep, clock=clock)
    # Ask for more than the account allows: max_rate is capped at the account's rate.
    report = ses.sender("news@example.com").send_bulk(
        _addresses(200), TEMPLATE, max_rate=1000, concurrency=1
    )
    assert report.sent == 200
    assert set(fake.delivery_counts().values()) == {1}


def test_the_daily_quota_is_never_passed() -> None:
    clock = FakeClock()
    fake = FakeSES(clock=clock, max_send_rate=100, max_24_hour_send=500)
    fake.account.sent_offset = 380  # 120 left today
    fake.verify("news@example.com")
    ses = sesflow.SES(client=fake.client(), sleep=clock.sleep, clock=clock)
    with pytest.raises(sesflow.DailyQuotaExceededError) as caught:
        ses.sender("news@example.com").send_bulk(_addresses(300), TEMPLATE, concurrency=1)
    report = sesflow.partial_report(caught.value)
    assert report is not None
    assert report.sent == 120
    assert sum(fake.delivery_counts().values()) == 120
    assert report.unsent == report.total - 120
    assert "Max24HourSend" in str(caught.value)


@pytest.mark.parametrize(
    ("setup", "error"),
    [
        ("missing-template", sesflow.NotFoundError),
        ("missing-configuration-set", sesflow.NotFoundError),
        ("unverified-sender", sesflow.MessageRejectedError),
        ("paused", sesflow.SendingPausedError),
    ],
)
def test_campaign_fatal_conditions_stop_at_once(setup: str, error: type[Exception]) -> None:
    fake, _, ses = _setup()
    sender = ses.sender("news@example.com")
    template: str | InlineTemplate = TEMPLATE
    if setup == "missing-template":
        template = "no-such-template"
    elif setup == "missing-configuration-set":
        sender = ses.sender("news@example.com", configuration_set="nope")
    elif setup == "unverified-sender":
        sender = ses.sender("other@elsewhere.com")
    else:
        fake.account.sending_enabled = False
    with pytest.raises(error) as caught:
        sender.send_bulk(_addresses(500), template, concurrency=2)
    report = sesflow.partial_report(caught.value)
    assert report is not None
    assert report.sent == 0
    assert len(_bulk_calls(fake)) <= 2  # stopped at once, not after every batch


def test_journal_resume_skips_everyone_sent(tmp_path: Path) -> None:
    fake, _, ses = _setup()
    journal = tmp_path / "c.journal"
    sender = ses.sender("news@example.com")
    first = sender.send_bulk(_addresses(300), TEMPLATE, journal=journal)
    assert first.sent == 300
    again = sender.send_bulk(_addresses(350), TEMPLATE, journal=journal)
    assert (again.total, again.skipped, again.sent) == (350, 300, 50)
    assert set(fake.delivery_counts().values()) == {1}
    assert oct(journal.stat().st_mode & 0o777) == "0o600"


def test_a_journal_for_another_campaign_is_refused_before_any_call(tmp_path: Path) -> None:
    fake, _, ses = _setup()
    journal = tmp_path / "c.journal"
    ses.sender("news@example.com").send_bulk(_addresses(3), TEMPLATE, journal=journal)
    calls = len(fake.calls)
    other = InlineTemplate("Other", text="Another campaign")
    with pytest.raises(sesflow.ValidationError, match="another campaign"):
        ses.sender("news@example.com").send_bulk(_addresses(3), other, journal=journal)
    fake.verify("promo@example.com")
    with pytest.raises(sesflow.ValidationError, match="another campaign"):
        ses.sender("promo@example.com").send_bulk(_addresses(3), TEMPLATE, journal=journal)
    assert len(fake.calls) == calls


def test_duplicates_in_one_run_are_sent_once_with_a_journal(tmp_path: Path) -> None:
    fake, _, ses = _setup()
    addresses = _addresses(60) + _addresses(60)
    report = ses.sender("news@example.com").send_bulk(addresses, TEMPLATE, journal=tmp_path / "j")
    assert (report.sent, report.skipped) == (60, 60)
    assert set(fake.delivery_counts().values()) == {1}


def test_a_source_failure_leaves_the_journal_consistent(tmp_path: Path) -> None:
    fake, _, ses = _setup()
    journal = tmp_path / "j"

    def broken() -> Iterator[str]:
        yield from _addresses(120)
        raise OSError("the CSV file went away")

    with pytest.raises(OSError, match="went away") as caught:
        ses.sender("news@example.com").send_bulk(broken(), TEMPLATE, journal=journal)
    stopped = sesflow.partial_report(caught.value)
    assert stopped is not None
    assert stopped.sent == 120
    assert caught.value.args == ("the CSV file went away",)  # re-raised unchanged
    resumed = ses.sender("news@example.com").send_bulk(_addresses(200), TEMPLATE, journal=journal)
    assert (resumed.skipped, resumed.sent) == (120, 80)
    assert set(fake.delivery_counts().values()) == {1}


def test_progress_callable_and_stderr_line(capsys: pytest.CaptureFixture[str]) -> None:
    _fake, _, ses = _setup()
    updates: list[sesflow.BulkProgress] = []
    ses.sender("news@example.com").send_bulk(_addresses(120), TEMPLATE, progress=updates.append)
    assert updates
    assert updates[-1].sent == 120
    assert [u.done for u in updates] == sorted(u.done for u in updates)
    import sesflow._progress as progress_module

    sink = progress_module._Line(total=3, interval=0)
    sink.update(sesflow.BulkProgress(read=3, sent=2, failed=1, skipped=0, elapsed=1.0))
    sink.close()
    err = capsys.readouterr().err
    assert "3/3 done, 2 sent, 1 failed" in err


def test_progress_true_uses_tqdm_when_installed(capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("tqdm")
    _fake, _, ses = _setup()
    ses.sender("news@example.com").send_bulk(_addresses(60), TEMPLATE, progress=True)
    assert "rcpt" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"concurrency": 0}, "concurrency"),
        ({"max_rate": -1}, "max_rate"),
        ({"delivery": "exactly-once"}, "delivery"),
        ({"journal": 42}, "journal"),
        ({"default_data": ["x"]}, "default_data"),
    ],
)
def test_bad_bulk_arguments_are_refused_before_any_call(kwargs: dict[str, Any], field: str) -> None:
    fake, _, ses = _setup()
    with pytest.raises(sesflow.ValidationError) as caught:
        ses.sender("news@example.com").send_bulk(_addresses(3), TEMPLATE, **kwargs)
    assert caught.value.field == field
    with pytest.raises(sesflow.ValidationError, match="recipients"):
        ses.sender("news@example.com").send_bulk("a@example.com", TEMPLATE)
    assert fake.calls == []


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    count=st.integers(0, 400),
    rate=st.integers(1, 120),
    transient=st.floats(0, 0.3),
    seed=st.integers(0, 10_000),
)
def test_batching_delivers_every_recipient_exactly_once(
    count: int, rate: int, transient: float, seed: int
) -> None:
    fake, _, ses = _setup(rate=rate)
    fake.inject_faults(seed=seed, transient_entry=transient)
    report = ses.sender("news@example.com").send_bulk(_addresses(count), TEMPLATE, concurrency=1)
    assert report.sent == count
    counts = fake.delivery_counts()
    assert len(counts) == count
    assert all(n == 1 for n in counts.values())
    assert all(len(c.params["BulkEmailEntries"]) <= min(50, rate) for c in _bulk_calls(fake))
    assert fake.throttled_calls == 0
