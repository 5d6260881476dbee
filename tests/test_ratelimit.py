"""The limiter: no sliding one-second window ever holds more than the rate."""

from __future__ import annotations

import threading

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sesflow import ValidationError
from sesflow._ratelimit import RateLimiter
from sesflow.testing import FakeClock


def _peak_one_second(sends: list[tuple[float, int]]) -> int:
    """The most recipients in any window [t, t + 1 s); its maximum starts at a send."""
    peak = 0
    for start, _ in sends:
        peak = max(peak, sum(n for t, n in sends if start <= t < start + 1.0))
    return peak


@settings(max_examples=300, deadline=None)
@given(
    rate=st.floats(1, 200),
    steps=st.lists(
        st.tuples(
            st.integers(1, 50),  # batch size
            st.floats(0, 1.5),  # clock advance before asking
            st.booleans(),  # a throttle answer after this batch
        ),
        min_size=1,
        max_size=80,
    ),
)
def test_no_window_exceeds_the_rate(rate: float, steps: list[tuple[int, float, bool]]) -> None:
    clock = FakeClock()
    limiter = RateLimiter(rate, clock=clock, sleep=clock.sleep)
    sends: list[tuple[float, int]] = []
    for size, advance, throttled in steps:
        clock.advance(advance)
        count = min(size, limiter.capacity)
        sends.append((limiter.acquire(count), count))
        if throttled:
            limiter.throttled()
        else:
            limiter.succeeded()
    assert _peak_one_second(sends) <= rate
    assert all(s >= 0 for s in clock.sleeps)


@settings(max_examples=200, deadline=None)
@given(rate=st.floats(1, 500), sizes=st.lists(st.integers(1, 50), min_size=1, max_size=60))
def test_every_wait_was_necessary(rate: float, sizes: list[int]) -> None:
    """The limiter never waits longer than the window requires: pacing reaches the rate."""
    clock = FakeClock()
    limiter = RateLimiter(rate, clock=clock, sleep=clock.sleep)
    sends: list[tuple[float, int]] = []
    for size in sizes:
        count = min(size, limiter.capacity)
        before = clock()
        stamp = limiter.acquire(count)
        if stamp > before:
            # Going any earlier would have put too many in the window ending then.
            earlier = sum(n for t, n in sends if stamp - limiter.window - 1e-9 <= t < stamp)
            assert earlier + count > limiter.capacity
        sends.append((stamp, count))


def test_a_burst_fills_one_window_then_waits() -> None:
    clock = FakeClock()
    limiter = RateLimiter(10, clock=clock, sleep=clock.sleep)
    assert limiter.acquire(10) == 0.0
    assert limiter.acquire(5) == pytest.approx(1.02)
    assert limiter.acquire(5) == pytest.approx(1.02)
    assert limiter.acquire(1) == pytest.approx(2.04)


def test_throttles_slow_the_pace_and_successes_restore_it() -> None:
    clock = FakeClock()
    limiter = RateLimiter(100, clock=clock, sleep=clock.sleep)
    limiter.throttled()
    assert limiter.capacity == 80
    for _ in range(10):
        limiter.throttled()
    assert limiter.capacity == 25  # never below a quarter
    for _ in range(30):
        limiter.succeeded()
    assert limiter.capacity == 100


def test_threads_sharing_a_limiter_keep_the_rate() -> None:
    clock = FakeClock()
    limiter = RateLimiter(20, clock=clock, sleep=clock.sleep)
    sends: list[tuple[float, int]] = []
    lock = threading.Lock()

    def worker() -> None:
        for _ in range(25):
            stamp = limiter.acquire(4)
            with lock:
                sends.append((stamp, 4))

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(n for _, n in sends) == 400
    assert _peak_one_second(sorted(sends)) <= 20


def test_bad_rates_are_refused() -> None:
    clock = FakeClock()
    for rate in (0, -1, True):
        with pytest.raises(ValidationError, match="max_rate"):
            RateLimiter(rate, clock=clock, sleep=clock.sleep)
    limiter = RateLimiter(5, clock=clock, sleep=clock.sleep)
    with pytest.raises(ValueError, match="larger than the window"):
        limiter.acquire(6)
