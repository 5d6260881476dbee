"""The limiter: no sliding one-second window ever holds more than the rate."""

from __future__ import annotations

import threading

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sesflow import ValidationError
from sesflow._ratelimit import RateLimiter, batch_size
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
        sends.append((limiter.grant(count), count))
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
        stamp = limiter.grant(count)
        if stamp > before:
            # Going any earlier would have put too many in the window ending then, or
            # come sooner than the previous batch's share of the window.
            earlier = sum(n for t, n in sends if stamp - limiter.window - 1e-9 <= t < stamp)
            last_time, last_count = sends[-1]
            spaced = last_time + last_count * limiter.window / limiter.capacity
            # A send that started up to CATCH_UP late lets the next keep the schedule.
            caught_up = limiter.CATCH_UP + 1e-9
            assert earlier + count > limiter.capacity or spaced - caught_up <= stamp <= (
                spaced + 1e-6
            )
        sends.append((stamp, count))


def test_sends_are_spread_evenly_over_the_window() -> None:
    clock = FakeClock()
    limiter = RateLimiter(10, clock=clock, sleep=clock.sleep)
    assert limiter.grant(10) == 0.0
    assert limiter.grant(5) == pytest.approx(1.02)
    assert limiter.grant(5) == pytest.approx(1.53)
    assert limiter.grant(1) == pytest.approx(2.04)
    clock.advance(10)  # idle time earns no burst
    start = clock()
    assert limiter.grant(2) == start
    assert limiter.grant(2) == pytest.approx(start + 0.204)


@settings(max_examples=200, deadline=None)
@given(rate=st.floats(1, 3000), count=st.integers(200, 3000))
def test_a_steady_run_reaches_the_rate_less_the_headroom(rate: float, count: int) -> None:
    clock = FakeClock()
    limiter = RateLimiter(rate, clock=clock, sleep=clock.sleep)
    batch = batch_size(limiter.capacity)
    sent = 0
    while sent < count:
        limiter.acquire(batch)
        sent += batch
    # The last batch's share of the window completes the run.
    elapsed = clock() + batch * limiter.window / limiter.capacity
    packed = (limiter.capacity // batch) * batch  # whole batches that fit a window
    assert sent / elapsed >= packed / limiter.window * (1 - 1e-9)
    if rate >= 1:
        assert sent / elapsed >= 0.96 * min(rate, limiter.capacity)


def test_batch_sizes_pack_the_window() -> None:
    assert [batch_size(c) for c in (1, 14, 50, 51, 99, 100, 101, 1000)] == [
        1, 14, 50, 25, 49, 50, 33, 50,
    ]  # fmt: skip


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
            stamp = limiter.grant(4)
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
    with pytest.raises(ValueError, match="a batch of 0"):
        limiter.acquire(0)


def test_a_message_larger_than_the_window_goes_alone_into_an_empty_one() -> None:
    """A 3-recipient message at 1/s cannot be split: it waits until the window is empty,
    and what follows waits for its share of the pace."""
    clock = FakeClock()
    limiter = RateLimiter(1, clock=clock, sleep=clock.sleep)
    assert limiter.grant(1) == 0.0
    assert limiter.grant(3) == pytest.approx(1.02)
    assert limiter.grant(1) == pytest.approx(1.02 + 3 * 1.02)


def test_a_throttle_takes_effect_while_another_thread_waits() -> None:
    """The limiter never sleeps holding the lock that `throttled()` needs."""
    clock = FakeClock()
    asleep = threading.Event()
    wake = threading.Event()

    def sleep(seconds: float) -> None:
        asleep.set()
        assert wake.wait(10)
        clock.sleep(seconds)

    limiter = RateLimiter(10, clock=clock, sleep=sleep)
    limiter.acquire(10)  # the window is full: the next acquire must wait
    waiter = threading.Thread(target=limiter.acquire, args=(5,))
    waiter.start()
    assert asleep.wait(10)  # the other thread is inside sleep() now
    done = threading.Event()

    def report_throttle() -> None:
        limiter.throttled()
        done.set()

    reporter = threading.Thread(target=report_throttle)
    reporter.start()
    # throttled() returns at once, while the waiter still sleeps.
    assert done.wait(2), "throttled() blocked behind a sleeping acquire()"
    assert limiter.factor == pytest.approx(0.8)
    assert limiter.capacity == 8
    wake.set()
    waiter.join(10)
    reporter.join(10)
    assert not waiter.is_alive()


def test_sleep_overshoot_does_not_slow_the_pace() -> None:
    """Each sleep overshoots by 1 ms (a busy machine): the pace keeps its schedule."""
    clock = FakeClock()
    limiter = RateLimiter(2000, clock=clock, sleep=lambda s: clock.sleep(s + 0.001))
    stamps = [limiter.grant(50) for _ in range(400)]
    achieved = 50 * (len(stamps) - 1) / (stamps[-1] - stamps[0])
    assert achieved >= 0.975 * 2000  # 1/1.02 of the rate, less a little; 0.94 without
    for t, first in enumerate(stamps):  # and never more than the rate in any window
        inside = sum(50 for later in stamps[t:] if later < first + 1.0)
        assert inside <= 2000
