"""The call window (calls in flight) and the run-local set of addresses taken."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from sesflow._seen import SeenAddresses
from sesflow._window import CallWindow, window_size

rates = st.floats(min_value=0.1, max_value=1_000_000)
seconds = st.floats(min_value=0.0, max_value=30.0)
maxima = st.integers(min_value=1, max_value=256)


@given(rates, seconds, maxima)
def test_the_window_stays_within_bounds(rate: float, round_trip: float, top: int) -> None:
    assert 1 <= window_size(rate, round_trip=round_trip, maximum=top) <= top


@given(st.floats(min_value=0.5, max_value=5000), st.floats(min_value=0.0, max_value=2.0))
def test_the_window_covers_the_pace(calls_per_second: float, round_trip: float) -> None:
    """Little's law: enough calls in flight to keep the pace through the latency, + 1."""
    size = window_size(calls_per_second, round_trip=round_trip, maximum=100_000)
    assert size >= calls_per_second * round_trip + 1 - 1e-6


def test_figures_for_the_benchmark_settings() -> None:
    assert window_size(20, round_trip=0.02, maximum=64) == 2  # 1,000/s at 20 ms
    assert window_size(2, round_trip=0.02, maximum=64) == 2  # 100/s at 20 ms
    assert window_size(40, round_trip=0.2, maximum=64) == 11  # 2,000/s at 200 ms


class _Calls:
    """Finished calls on a virtual clock, for a window with `in_flight` calls at once."""

    def __init__(self, window: CallWindow | None = None) -> None:
        self.now = 0.0
        self.window = window

    def run(self, count: int, *, wall: float, per_call: float) -> int:
        assert self.window is not None
        for _ in range(count):
            self.now += per_call
            self.window.observe(wall=wall)
        return self.window.size

    def round(self, *, wall: float, per_call: float) -> int:
        """Finished calls until the window's round ends; the window then."""
        assert self.window is not None
        while True:
            self.now += per_call
            self.window.observe(wall=wall)
            if self.window._round_calls == 0:
                return self.window.size


def _window(rate: float, calls: _Calls) -> CallWindow:
    window = CallWindow(rate=rate, batch=50, maximum=64, initial=2, clock=lambda: calls.now)
    calls.window = window
    return window


def test_a_reached_rate_sizes_the_window_by_littles_law() -> None:
    calls = _Calls()
    window = _window(2000, calls)  # 40 calls/s asked, 200 ms per call
    assert calls.run(40, wall=0.2, per_call=1 / 40) == 11
    assert window.size == 11


def test_latency_bound_windows_double_until_the_rate_is_reached() -> None:
    calls = _Calls()
    window = _window(2000, calls)
    sizes = []
    calls.run(1, wall=0.2, per_call=0.1)  # the first answer starts the first round
    for _ in range(6):
        # Each call takes 200 ms; the window's calls deliver size / 0.2 calls a second.
        size = window.size
        calls.round(wall=0.2, per_call=0.2 / size)
        sizes.append(window.size)
    assert sizes[:2] == [8, 11]  # slow start, then Little's law once the rate is reached
    assert sizes[-1] == 11


def _serial_server(window: CallWindow, calls: _Calls) -> int:
    """One round against a server that handles one call at a time, 3 ms each, with 1.9 ms
    of client work per call: one call in flight delivers 204 a second, two or more 333."""
    size = window.size
    per_call = 0.0049 if size == 1 else 0.003
    return calls.round(wall=0.0049 * max(1, size / 2), per_call=per_call)


def test_a_window_that_delivers_no_more_falls_back_and_holds_ever_longer() -> None:
    calls = _Calls()
    window = CallWindow(rate=100_000, batch=50, maximum=64, clock=lambda: calls.now)
    calls.window = window
    assert window.size == 2
    calls.run(1, wall=0.005, per_call=0.003)  # the first answer starts the first round
    # 8 deliver no more than 2 against a server that takes one call at a time.
    assert [_serial_server(window, calls) for _ in range(2)] == [8, 2]
    for _ in range(CallWindow.HOLD):
        assert _serial_server(window, calls) == 2  # held
    # Then it probes again; that probe does not help either, so the next hold is twice
    # as long: a run that is CPU-bound stops paying for probes.
    assert [_serial_server(window, calls) for _ in range(2)] == [8, 2]
    for _ in range(2 * CallWindow.HOLD):
        assert _serial_server(window, calls) == 2
    assert _serial_server(window, calls) == 8


def _latency_bound(window: CallWindow, calls: _Calls) -> int:
    """One round where each call takes 50 ms whatever the window: size / 0.05 calls/s."""
    size = window.size
    return calls.round(wall=0.05, per_call=0.05 / size)


def test_a_probe_that_helps_resets_the_hold() -> None:
    calls = _Calls()
    window = CallWindow(rate=100_000, batch=50, maximum=64, clock=lambda: calls.now)
    calls.window = window
    calls.run(1, wall=0.005, per_call=0.003)
    assert [_serial_server(window, calls) for _ in range(2)] == [8, 2]
    for _ in range(CallWindow.HOLD):
        _serial_server(window, calls)
    assert window._next_hold == 2 * CallWindow.HOLD
    # Latency becomes the bottleneck: the next probe (2 -> 8) delivers four times as much.
    assert _latency_bound(window, calls) == 8
    assert _latency_bound(window, calls) > 8
    assert window._next_hold == CallWindow.HOLD


def _cpu_bound(window: CallWindow, calls: _Calls, *, slow: bool = False) -> int:
    """One round against a client that is the bottleneck: 300 calls a second whatever the
    window (`slow`: 100 a second, as while the first connections are made)."""
    return calls.round(wall=window.size / 300, per_call=0.01 if slow else 1 / 300)


def test_a_growth_kept_on_a_slow_round_is_undone() -> None:
    calls = _Calls()
    window = CallWindow(rate=100_000, batch=50, maximum=64, clock=lambda: calls.now)
    calls.window = window
    calls.run(1, wall=2 / 300, per_call=1 / 300)
    # The first round warms up (slow): 8 seems to deliver three times as much, and is
    # kept; more (as many as 2,000 calls/s at 6.7 ms need) then delivers no more than 8.
    assert _cpu_bound(window, calls, slow=True) == 8
    assert _cpu_bound(window, calls) == 18
    # Back down: 8 is itself a growth, so the window it grew from is tried for a round,
    # delivers as much, and is held.
    assert _cpu_bound(window, calls) == 2
    assert _cpu_bound(window, calls) == 2
    assert window._hold == CallWindow.HOLD
    held = [_cpu_bound(window, calls) for _ in range(CallWindow.HOLD)]
    assert set(held) == {2}


def test_a_smaller_window_that_delivers_less_is_given_up() -> None:
    calls = _Calls()
    window = CallWindow(rate=100_000, batch=50, maximum=64, clock=lambda: calls.now)
    calls.window = window
    calls.run(1, wall=0.05, per_call=0.05)
    # Latency-bound (50 ms calls) up to 8 in flight, then the server is the bottleneck.

    def server(window: CallWindow, calls: _Calls) -> int:
        size = window.size
        return calls.round(wall=0.05, per_call=0.05 / min(size, 8))

    assert [server(window, calls) for _ in range(2)] == [8, 32]
    # 32 delivered no more than 8, and 8 is a growth from 2: 2 is tried for one round ...
    assert server(window, calls) == 2
    assert server(window, calls) == 8  # ... delivers a quarter: back to 8, held
    held = [server(window, calls) for _ in range(CallWindow.HOLD)]
    assert set(held) == {8}


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
