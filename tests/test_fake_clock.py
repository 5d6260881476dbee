"""FakeClock: a virtual monotonic clock whose sleeps return at once."""

from __future__ import annotations

import math
import threading
import time

import pytest

from sesflow.testing import FakeClock, FakeSES


def test_starts_where_told_and_reads_by_call() -> None:
    assert FakeClock()() == 0.0
    clock = FakeClock(start=42.5)
    assert clock() == 42.5
    assert clock.now == 42.5


def test_sleep_advances_at_once_and_is_recorded() -> None:
    clock = FakeClock(start=10.0)
    began = time.monotonic()
    clock.sleep(3600)
    clock.sleep(0.25)
    clock.sleep(0)
    assert time.monotonic() - began < 1.0  # nothing really slept
    assert clock() == 3610.25
    assert clock.sleeps == [3600.0, 0.25, 0.0]
    assert clock.slept == 3600.25


def test_sleeps_is_a_copy() -> None:
    clock = FakeClock()
    clock.sleep(1)
    clock.sleeps.append(99.0)
    assert clock.sleeps == [1.0]


@pytest.mark.parametrize("bad", [-0.001, -5, math.nan, math.inf, -math.inf])
def test_sleep_rejects_negative_and_non_finite(bad: float) -> None:
    clock = FakeClock(start=1.0)
    with pytest.raises(ValueError, match="sleep"):
        clock.sleep(bad)
    assert clock() == 1.0
    assert clock.sleeps == []


def test_advance_moves_time_without_recording_a_sleep() -> None:
    clock = FakeClock()
    clock.advance(5)
    clock.sleep(1)
    assert clock() == 6.0
    assert clock.sleeps == [1.0]
    with pytest.raises(ValueError, match="advance"):
        clock.advance(-1)
    assert clock() == 6.0


def test_start_must_be_finite() -> None:
    with pytest.raises(ValueError, match="start"):
        FakeClock(start=math.nan)


def test_concurrent_sleeps_all_count() -> None:
    clock = FakeClock()

    def nap() -> None:
        for _ in range(1000):
            clock.sleep(0.5)

    threads = [threading.Thread(target=nap) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert clock() == 4000.0
    assert len(clock.sleeps) == 8000


def test_repr_shows_reading_and_sleep_count() -> None:
    clock = FakeClock(start=2.0)
    clock.sleep(1.5)
    assert repr(clock) == "FakeClock(now=3.5, sleeps=1)"


def test_a_poll_loop_driven_by_the_clock_never_sleeps() -> None:
    """The use the clock exists for: a waiter polling SES with injected sleep and clock."""
    clock = FakeClock()
    fake = FakeSES(clock=clock)
    client = fake.client()
    client.create_email_identity(EmailIdentity="example.com")
    fake.transition("example.com", "SUCCESS", after_seconds=30)
    deadline = clock() + 600
    status = ""
    while clock() < deadline:
        status = client.get_email_identity(EmailIdentity="example.com")["VerificationStatus"]
        if status == "SUCCESS":
            break
        clock.sleep(5)
    assert status == "SUCCESS"
    assert clock.sleeps == [5.0] * 6
    assert fake.call_count("GetEmailIdentity") == 7
