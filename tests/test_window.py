"""The call window (calls in flight) and the run-local set of addresses taken."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from sesflow._seen import SeenAddresses
from sesflow._window import CallWindow, window_size

rates = st.floats(min_value=0.1, max_value=1_000_000)
seconds = st.floats(min_value=0.0, max_value=30.0)
maxima = st.integers(min_value=1, max_value=256)


@given(rates, seconds, seconds, maxima)
def test_the_window_stays_within_bounds(rate: float, cpu: float, wait: float, top: int) -> None:
    size = window_size(rate, cpu=cpu, wait=wait, maximum=top)
    assert 1 <= size <= top


@given(rates, st.floats(min_value=1e-4, max_value=1.0), seconds, seconds, maxima)
def test_more_latency_never_shrinks_the_window(
    rate: float, cpu: float, wait: float, more: float, top: int
) -> None:
    assert window_size(rate, cpu=cpu, wait=wait + more, maximum=top) >= window_size(
        rate, cpu=cpu, wait=wait, maximum=top
    )


@given(st.floats(min_value=0.5, max_value=5000), st.floats(min_value=1e-4, max_value=0.01))
def test_a_rate_bound_window_covers_the_pace(calls_per_second: float, cpu: float) -> None:
    """Little's law: enough calls in flight to keep the pace through the latency."""
    wait = 0.2
    if 1 / cpu < calls_per_second:
        return  # the client, not the rate, sets the pace here
    size = window_size(calls_per_second, cpu=cpu, wait=wait, maximum=10_000)
    assert size >= calls_per_second * (cpu + wait)
    assert size >= 2  # one call of slack for jitter


def test_figures_for_the_benchmark_settings() -> None:
    assert window_size(20, cpu=0.002, wait=0.018, maximum=64) == 2  # 1,000/s at 20 ms
    assert window_size(2, cpu=0.002, wait=0.018, maximum=64) == 2  # 100/s at 20 ms
    assert window_size(40, cpu=0.003, wait=0.197, maximum=64) == 11  # 2,000/s at 200 ms
    # No rate limit, no latency: the client is the bottleneck; overlap it with SES only.
    assert window_size(2000, cpu=0.0015, wait=0.0013, maximum=64) == 2


def test_queueing_for_the_interpreter_does_not_grow_the_window() -> None:
    """The smallest recent off-CPU wait counts, as BBR's minimum round trip."""
    window = CallWindow(rate=100_000, batch=50, maximum=64)
    window.observe(wall=0.003, cpu=0.0015)  # one call that did not queue
    for _ in range(20):  # calls that queued behind other threads for the interpreter
        window.observe(wall=0.030, cpu=0.0015)
    assert window.size == 2


def test_the_pool_shrinks_only_after_a_while() -> None:
    window = CallWindow(rate=2000, batch=50, maximum=64)
    for _ in range(5):
        window.observe(wall=0.2, cpu=0.003)
    assert window.size == 11
    window._waits.clear()  # the latency fell
    window.observe(wall=0.02, cpu=0.003)
    assert window.size == 2
    assert window.retire_below() == 11  # recent windows were larger: keep the workers
    for _ in range(CallWindow.HISTORY):
        window.observe(wall=0.02, cpu=0.003)
    assert window.retire_below() == 2


@settings(max_examples=50)
@given(st.lists(st.integers(min_value=0, max_value=40), max_size=400), st.integers(1, 30))
def test_seen_addresses_are_exact_in_memory_and_on_disk(numbers: list[int], limit: int) -> None:
    seen = SeenAddresses(memory_limit=limit)
    try:
        taken: set[str] = set()
        for start in range(0, len(numbers), 7):
            batch = [f"u{n}@example.com" for n in numbers[start : start + 7]]
            first = seen.take(batch)
            expected = []
            for address in batch:
                expected.append(address not in taken)
                taken.add(address)
            assert first == expected
        assert len(seen) == len(taken)
    finally:
        seen.close()


def test_memory_stays_bounded() -> None:
    seen = SeenAddresses(memory_limit=1000)
    try:
        for start in range(0, 5000, 50):
            seen.take([f"user{i}@example.com" for i in range(start, start + 50)])
        assert len(seen._recent) <= 1000
        assert len(seen) == 5000
        assert seen.take(["user1@example.com", "user4999@example.com", "new@example.com"]) == [
            False,
            False,
            True,
        ]
    finally:
        seen.close()
