"""`sesflow.redis.RedisLimiter` against a real Redis: threads and processes that share a key
never put more than the rate into any sliding second (by Redis's clock, the one the grants
are made on), a throttle seen by one process slows the others, large batches are not starved
by small ones, and an unreachable Redis stops sends before they are made.

Every test uses a key of its own (`redis_key`), deleted afterwards. Without a Redis the tests
skip, saying how to start one (under CI=true they fail).
"""

from __future__ import annotations

import itertools
import json
import random
import sys
import textwrap
import threading
from collections.abc import Callable
from typing import Any

import pytest
import redis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sesflow
from conftest import CHILD_ENV, delete_keys, free_port, peak
from sesflow import InlineTemplate, LimiterUnavailableError, ValidationError
from sesflow._redis import RedisLimiter as WhiteBox
from sesflow.redis import RedisLimiter
from sesflow.testing import FakeClock, FakeSES


def test_peak_counts_a_sliding_window() -> None:
    grants = [(0.0, 5), (0.5, 5), (0.99, 1), (1.0, 5), (1.6, 5)]
    assert peak(grants, 1.0) == 11  # [0, 1): 5 + 5 + 1
    assert peak(grants, 0.5) == 6  # [0.5, 1.0): 5 + 1


class ShortSeconds(WhiteBox):
    """The same script on 20 ms "seconds": many windows per test, quickly."""

    _SECOND = 0.02


def _run_threads(workers: list[Callable[[], None]]) -> None:
    threads = [threading.Thread(target=work) for work in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not any(thread.is_alive() for thread in threads)


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    rate=st.integers(3, 120),
    plans=st.lists(
        st.lists(st.tuples(st.integers(1, 50), st.booleans()), min_size=1, max_size=12),
        min_size=1,
        max_size=4,
    ),
)
def test_threads_never_put_more_than_the_rate_into_a_window(
    redis_url: str, rate: int, plans: list[list[tuple[int, bool]]]
) -> None:
    """Each thread asks for random batches (and reports a throttle after some); every grant
    is recorded at its Redis time. No window of one (short) second holds more than the rate."""
    key = f"sesflow-test:hypothesis:{random.getrandbits(48):x}"
    limiter = ShortSeconds(redis_url, rate=rate, key=key)
    grants: list[tuple[float, int]] = []
    lock = threading.Lock()

    def worker(plan: list[tuple[int, bool]]) -> Callable[[], None]:
        def work() -> None:
            for size, throttle in plan:
                count = min(size, rate)
                stamp = limiter.grant(count)
                with lock:
                    grants.append((stamp, count))
                if throttle:
                    limiter.throttled()
                else:
                    limiter.succeeded()

        return work

    try:
        _run_threads([worker(plan) for plan in plans])
    finally:
        limiter.close()
        delete_keys(redis_url, key)
    assert len(grants) == sum(len(plan) for plan in plans)
    assert peak(grants, ShortSeconds._SECOND) <= rate


def test_grants_are_spaced_evenly_by_redis_time(redis_url: str, redis_key: str) -> None:
    limiter = RedisLimiter(redis_url, rate=10, key=redis_key)
    stamps = [limiter.grant(5) for _ in range(3)]
    # A batch of 5 at 10/s is followed by half a 1.02 s window.
    assert [round(b - a, 3) for a, b in itertools.pairwise(stamps)] == [0.51, 0.51]


def test_more_headroom_widens_the_window(redis_url: str, redis_key: str) -> None:
    limiter = ShortSeconds(redis_url, rate=10, key=redis_key, headroom=0.5)
    stamps = [limiter.grant(10) for _ in range(3)]
    # Each full batch waits out a window of 1.5 (short) seconds.
    assert [round(b - a, 4) for a, b in itertools.pairwise(stamps)] == [0.03, 0.03]


def test_a_message_larger_than_the_window_goes_alone(redis_url: str, redis_key: str) -> None:
    limiter = ShortSeconds(redis_url, rate=2, key=redis_key)
    first = limiter.grant(1)
    big = limiter.grant(5)  # more than a window holds: alone, into an empty window
    assert big - first == pytest.approx(0.0204, abs=1e-5)
    assert limiter.grant(1) - big == pytest.approx(5 * 0.0204 / 2, abs=1e-5)


def _child(code: str) -> list[str]:
    """`python -c code` in a child process (this sesflow); the lines it printed."""
    import subprocess

    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        env=CHILD_ENV,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()


def test_processes_and_threads_share_one_rate(redis_url: str, redis_key: str) -> None:
    """Three processes of three threads each ask for random batches for about two seconds of
    real time; together they keep every sliding second (Redis time) under the rate, and
    together they reach it."""
    import subprocess

    rate = 300
    code = f"""
        import json, random, sys, threading
        from sesflow.redis import RedisLimiter
        limiter = RedisLimiter({redis_url!r}, rate={rate}, key={redis_key!r})
        rng = random.Random(int(sys.argv[1]))
        grants, lock = [], threading.Lock()
        def work():
            for _ in range(12):
                count = rng.randint(1, 30)
                stamp = limiter.grant(count)
                with lock:
                    grants.append((stamp, count))
        threads = [threading.Thread(target=work) for _ in range(3)]
        for t in threads: t.start()
        for t in threads: t.join()
        print(json.dumps(grants))
    """
    children = [
        subprocess.Popen(
            [sys.executable, "-c", textwrap.dedent(code), str(seed)],
            env=CHILD_ENV,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for seed in range(3)
    ]
    grants: list[tuple[float, int]] = []
    for child in children:
        out, err = child.communicate(timeout=120)
        assert child.returncode == 0, err
        grants += [(t, n) for t, n in json.loads(out)]
    assert len(grants) == 3 * 3 * 12
    assert peak(grants, 1.0) <= rate
    # They overlapped and shared the budget: the busiest second was nearly full (the
    # 1.02 s window and the spacing keep it a little under).
    assert peak(grants, 1.0) >= 0.8 * rate


def test_a_throttle_in_one_process_slows_the_others_then_the_pace_recovers(
    redis_url: str, redis_key: str
) -> None:
    limiter = RedisLimiter(redis_url, rate=100, key=redis_key)
    before = [limiter.grant(10) for _ in range(2)]
    assert before[1] - before[0] == pytest.approx(10 * 1.02 / 100, abs=1e-5)
    _child(
        f"""
        from sesflow.redis import RedisLimiter
        other = RedisLimiter({redis_url!r}, rate=100, key={redis_key!r})
        for _ in range(3):
            other.throttled()
        """
    )
    slowed = [limiter.grant(10) for _ in range(2)]
    assert limiter.factor == pytest.approx(0.512)
    assert limiter.capacity == 51
    assert slowed[1] - slowed[0] == pytest.approx(10 * 1.02 / 51, abs=1e-5)
    for _ in range(10):  # every success, in any process, brings back 5 % of the rate
        limiter.succeeded()
    assert limiter.factor == 1.0
    recovered = [limiter.grant(10) for _ in range(2)]
    assert recovered[1] - recovered[0] == pytest.approx(10 * 1.02 / 100, abs=1e-5)


def test_throttles_never_slow_below_a_quarter(redis_url: str, redis_key: str) -> None:
    limiter = RedisLimiter(redis_url, rate=100, key=redis_key)
    for _ in range(20):
        limiter.throttled()
    assert limiter.factor == 0.25
    assert limiter.capacity == 25


def test_a_large_batch_is_not_overtaken_by_small_ones(redis_url: str, redis_key: str) -> None:
    """First come, first served: once a batch of 50 has asked (and waits for room), a batch of
    1 asked after it is granted after it, however much sooner it would fit."""
    limiter = WhiteBox(redis_url, rate=50, key=redis_key)
    limiter.grant(25)  # half the window is taken: 50 must wait for it to empty
    asleep = threading.Event()

    def sleep(seconds: float) -> None:
        asleep.set()
        threading.Event().wait(seconds)

    limiter._sleep = sleep  # white box: see when the big batch has its slot and sleeps
    stamps: dict[str, float] = {}
    big = threading.Thread(target=lambda: stamps.update(big=limiter.grant(50)))
    big.start()
    assert asleep.wait(10)
    stamps["small"] = limiter.grant(1)
    big.join(10)
    assert stamps["small"] > stamps["big"]


def test_a_cancelled_wait_gives_its_slot_back(redis_url: str, redis_key: str) -> None:
    limiter = WhiteBox(redis_url, rate=10, key=redis_key)
    slept: list[float] = []
    limiter._sleep = slept.append  # white box: waits are recorded, not slept
    first = limiter.grant(10)
    assert limiter.grant(10, cancel=lambda: len(slept) > 0) is None
    assert slept == [pytest.approx(limiter.CANCEL_POLL)]
    # The cancelled grant no longer counts: its reservation (which had moved the first out
    # of the window ending at it) left the log, and the running total.
    client = redis.Redis.from_url(redis_url)
    assert client.zcard(f"{{{redis_key}}}:log") == 0
    assert int(client.hget(f"{{{redis_key}}}:state", "total") or 0) == 0
    client.close()
    # The spacing after it stays: giving budget back never makes a gap shorter than one
    # already promised to a grant that may be waiting for it.
    limiter._sleep = lambda seconds: None
    third = limiter.grant(10)
    assert third - first == pytest.approx(2 * 1.02, abs=1e-5)


def test_the_state_expires_after_a_minute_idle(redis_url: str, redis_key: str) -> None:
    limiter = RedisLimiter(redis_url, rate=10, key=redis_key)
    limiter.grant(1)
    client = redis.Redis.from_url(redis_url)
    ttl = client.pttl(f"{{{redis_key}}}:state")
    client.close()
    assert 60_000 <= ttl <= 62_000


def test_an_unreachable_redis_is_a_clear_error_before_any_send(redis_key: str) -> None:
    port = free_port()
    limiter = RedisLimiter(f"redis://127.0.0.1:{port}/0", rate=10, key=redis_key)
    with pytest.raises(LimiterUnavailableError) as caught:
        limiter.acquire(1)
    assert f"127.0.0.1:{port}" in str(caught.value)
    assert "Nothing was sent past it" in str(caught.value)
    assert caught.value.key == redis_key
    assert isinstance(caught.value.__cause__, redis.ConnectionError)
    # Throttle reports are best effort: they never raise.
    limiter.throttled()
    assert limiter.factor == 1.0


def test_a_send_with_an_unreachable_limiter_is_not_made() -> None:
    clock = FakeClock()
    fake = FakeSES(clock=clock, max_24_hour_send=-1)
    fake.verify("news@example.com")
    limiter = RedisLimiter(f"redis://127.0.0.1:{free_port()}/0")
    ses = sesflow.SES(client=fake.client(), limiter=limiter)
    sender = ses.sender("news@example.com")
    with pytest.raises(LimiterUnavailableError):
        sender.send("bob@example.com", "Hi", text="x")
    with pytest.raises(LimiterUnavailableError) as caught:
        sender.send_bulk(["a@example.net", "b@example.net"], InlineTemplate("Hi", text="x"))
    report = sesflow.partial_report(caught.value)
    assert report is not None
    assert (report.sent, report.unsent) == (0, 2)
    calls = fake.stats().calls
    assert calls.get("SendEmail", 0) == calls.get("SendBulkEmail", 0) == 0
    assert fake.outbox == []


def test_rate_and_key_come_from_the_ses_it_is_given_to(redis_url: str) -> None:
    limiter = RedisLimiter(redis_url)
    with pytest.raises(ValidationError, match="serves no SES yet") as unbound:
        _ = limiter.rate
    assert unbound.value.field == "rate"
    with pytest.raises(ValidationError, match="per region"):
        _ = limiter.key
    fake = FakeSES(region="eu-west-1", max_send_rate=200)
    ses = sesflow.SES(client=fake.client(), limiter=limiter)
    assert ses.limiter is limiter
    assert limiter.key == "sesflow:limiter:eu-west-1"
    assert limiter.rate == 200.0
    assert fake.stats().calls["GetAccount"] == 1
    assert limiter.rate == 200.0
    assert fake.stats().calls["GetAccount"] == 1  # read once
    sesflow.SES(client=FakeSES(region="eu-west-1").client(), limiter=limiter)  # same region
    with pytest.raises(ValidationError, match="own limiter") as other_region:
        sesflow.SES(client=FakeSES(region="us-west-2").client(), limiter=limiter)
    assert other_region.value.field == "limiter"
    limiter.close()


BAD_OPTIONS: list[tuple[dict[str, Any], str]] = [
    ({"redis": 42}, "redis"),
    ({"redis": "http://example.com"}, "redis"),
    ({"key": ""}, "key"),
    ({"rate": 0}, "max_rate"),
    ({"rate": float("nan")}, "max_rate"),
    ({"headroom": 1.0}, "headroom"),
    ({"headroom": -0.01}, "headroom"),
]


@pytest.mark.parametrize(("options", "field"), BAD_OPTIONS, ids=[f for _, f in BAD_OPTIONS])
def test_bad_options_are_refused(options: dict[str, Any], field: str) -> None:
    arguments: dict[str, Any] = {"redis": "redis://127.0.0.1:6379/0", **options}
    with pytest.raises(ValidationError) as caught:
        RedisLimiter(arguments.pop("redis"), **arguments)
    assert caught.value.field == field


def test_a_client_given_is_used_as_is_and_left_open(redis_url: str, redis_key: str) -> None:
    client = redis.Redis.from_url(redis_url)
    limiter = RedisLimiter(client, rate=10, key=redis_key)
    assert limiter.acquire(3)
    limiter.close()
    assert client.ping()
    with pytest.raises(ValidationError) as caught:
        limiter.acquire(0)
    assert caught.value.field == "count"
    client.close()


def test_without_redis_py_the_error_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "redis", None)  # `import redis` now fails
    with pytest.raises(sesflow.MissingExtraError, match=r"sesflow\[redis\]") as caught:
        RedisLimiter("redis://127.0.0.1:6379/0")
    assert isinstance(caught.value, ImportError)


def test_the_repr_says_key_rate_and_pace(redis_url: str, redis_key: str) -> None:
    limiter = RedisLimiter(redis_url, rate=50, key=redis_key)
    assert repr(limiter) == f"RedisLimiter(key='{redis_key}', rate=50, factor=1.00)"
    assert repr(RedisLimiter(redis_url)) == (
        "RedisLimiter(key='sesflow:limiter:?', rate=the account's, factor=1.00)"
    )


def test_redis_py_is_imported_only_when_a_limiter_is_made() -> None:
    lines = _child(
        """
        import sys
        import sesflow
        from sesflow.redis import RedisLimiter
        print("redis" in sys.modules)
        RedisLimiter("redis://127.0.0.1:6379/0", rate=1, key="unused")
        print("redis" in sys.modules)
        """
    )
    assert lines == ["False", "True"]
