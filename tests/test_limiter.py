"""One limiter per `SES` (issue 11): every send takes its recipients from it.

Single sends take To + Cc + Bcc before each attempt, bulk runs every entry of every call,
and `send_bulk(max_rate=...)` caps a run below the shared rate. The default is an in-process
limiter at the account's `MaxSendRate`, read once. All on a virtual clock: nothing sleeps.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from email.message import EmailMessage

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import sesflow
from sesflow import InlineTemplate, Limiter, ValidationError
from sesflow._ratelimit import Pace, RateLimiter
from sesflow.testing import FakeClock, FakeSES

TEMPLATE = InlineTemplate("Hi", text="Hello")


class Recording:
    """A `Limiter` that lets everything through and records what it was told."""

    def __init__(self, rate: float = 1000.0) -> None:
        self.rate = rate
        self.acquired: list[int] = []
        self.events: list[str] = []
        self.lock = threading.Lock()

    def acquire(self, count: int, *, cancel: Callable[[], bool] | None = None) -> bool:
        with self.lock:
            self.acquired.append(count)
            self.events.append(f"acquire {count}")
        return True

    def throttled(self) -> None:
        self.events.append("throttled")

    def succeeded(self) -> None:
        self.events.append("succeeded")


def _ses(limiter: Limiter | None = None, **fake_options: object) -> tuple[sesflow.SES, FakeSES]:
    clock = FakeClock()
    fake = FakeSES(clock=clock, max_24_hour_send=-1, **fake_options)  # type: ignore[arg-type]
    fake.verify("news@example.com")
    return sesflow.SES(client=fake.client(), limiter=limiter), fake


def test_the_protocol_is_public_and_checkable() -> None:
    assert isinstance(Recording(), Limiter)
    clock = FakeClock()
    assert isinstance(RateLimiter(5, clock=clock, sleep=clock.sleep), Limiter)
    assert "Limiter" in sesflow.__all__


def test_an_object_that_is_no_limiter_is_refused() -> None:
    with pytest.raises(ValidationError, match=r"not a sesflow\.Limiter") as caught:
        sesflow.SES(client=FakeSES().client(), limiter=object())  # type: ignore[arg-type]
    assert caught.value.field == "limiter"


def _raw() -> EmailMessage:
    message = EmailMessage()
    message["To"] = "a@example.com, b@example.com"
    message["Cc"] = "c@example.com"
    message["Bcc"] = "d@example.com"
    message["Subject"] = "Raw"
    message.set_content("x")
    return message


def test_single_sends_take_to_cc_and_bcc_from_the_limiter() -> None:
    limiter = Recording()
    ses, fake = _ses(limiter)
    sender = ses.sender("news@example.com")
    sender.send("a@example.com", "Hi", text="x", cc=["b@example.com"], bcc="c@example.com")
    sender.send_template(["a@example.com", "b@example.com"], TEMPLATE)
    sender.send_raw(_raw())  # the Bcc header is removed, but SES counts that destination
    assert limiter.acquired == [3, 2, 4]
    assert limiter.events.count("succeeded") == 3
    assert fake.stats().recipients_accepted == 9


def test_each_attempt_of_a_throttled_send_takes_again_and_reports_the_throttle() -> None:
    limiter = Recording()
    ses, fake = _ses(limiter)
    fake.fail_next("SendEmail", "TooManyRequestsException", "Maximum sending rate exceeded.")
    ses.sender("news@example.com").send(["a@example.com", "b@example.com"], "Hi", text="x")
    assert limiter.events == ["acquire 2", "throttled", "acquire 2", "succeeded"]
    assert fake.deliveries("a@example.com") == 1


def test_the_default_limiter_reads_max_send_rate_once() -> None:
    ses, fake = _ses(max_send_rate=14)
    sender = ses.sender("news@example.com")
    for i in range(3):
        sender.send(f"r{i}@example.com", "Hi", text="x")
    assert isinstance(ses.limiter, RateLimiter)
    assert ses.limiter.rate == 14
    assert fake.stats().calls["GetAccount"] == 1
    sender.send_bulk(["x@example.net", "y@example.net"], TEMPLATE)
    assert ses.limiter.rate == 14
    # The bulk run reads the account for its quotas; the limiter keeps its rate.
    assert fake.stats().calls["GetAccount"] == 2


def test_single_sends_keep_the_rate_on_the_virtual_clock() -> None:
    ses, fake = _ses(max_send_rate=5)
    sender = ses.sender("news@example.com")
    for i in range(12):
        sender.send(f"r{i}@example.com", "Hi", text="x", cc=f"c{i}@example.com")
    stats = fake.stats()
    assert stats.throttled_calls == 0
    assert stats.peak_recipients_per_second <= 5
    assert ses.clock() >= (24 - 5) / 5  # 24 recipients at 5/s, less the first second's


def test_a_paused_account_sends_nothing() -> None:
    ses, fake = _ses(max_send_rate=0)
    with pytest.raises(sesflow.SendingPausedError, match="MaxSendRate"):
        ses.sender("news@example.com").send("a@example.com", "Hi", text="x")
    assert fake.outbox == []


def test_a_bulk_run_takes_every_entry_from_the_ses_limiter() -> None:
    limiter = Recording(rate=120)
    ses, _ = _ses(limiter, max_send_rate=100_000)  # the recording limiter never waits
    addresses = [f"r{i}@example.net" for i in range(250)]
    report = ses.sender("news@example.com").send_bulk(addresses, TEMPLATE, concurrency=1)
    assert report.sent == 250
    assert sum(limiter.acquired) == 250
    assert max(limiter.acquired) <= 50  # batches sized for 120/s: 40 a call
    assert limiter.events.count("succeeded") == len(limiter.acquired)


def test_two_runs_and_single_sends_share_the_default_limiter() -> None:
    """Whatever sends through one SES, one after another, the account's rate holds across
    all of it (the concurrent case, in real time over HTTP, is in test_shared_rate.py)."""
    ses, fake = _ses(max_send_rate=20)
    sender = ses.sender("news@example.com")
    sender.send_bulk([f"a{i}@example.net" for i in range(30)], TEMPLATE, concurrency=1)
    sender.send(["s1@example.com", "s2@example.com"], "Hi", text="x")
    sender.send_bulk([f"b{i}@example.net" for i in range(30)], TEMPLATE, concurrency=1)
    stats = fake.stats()
    assert stats.recipients_accepted == 62
    assert stats.throttled_calls == 0
    assert stats.peak_recipients_per_second <= 20


def test_max_rate_caps_a_run_below_the_shared_rate() -> None:
    ses, fake = _ses(max_send_rate=100)
    addresses = [f"r{i}@example.net" for i in range(40)]
    report = ses.sender("news@example.com").send_bulk(
        addresses, TEMPLATE, max_rate=10, concurrency=1
    )
    assert report.sent == 40
    assert fake.stats().peak_recipients_per_second <= 10
    assert report.duration >= 3.0  # 40 at 10/s: the cap, not the account's 100/s, paced it


def test_max_rate_above_the_shared_rate_is_held_to_it(caplog: pytest.LogCaptureFixture) -> None:
    ses, fake = _ses(max_send_rate=10)
    addresses = [f"r{i}@example.net" for i in range(30)]
    ses.sender("news@example.com").send_bulk(addresses, TEMPLATE, max_rate=50, concurrency=1)
    assert fake.stats().peak_recipients_per_second <= 10
    assert "max_rate 50 is above the rate of the SES's limiter (10" in caplog.text


def test_the_cap_hands_over_to_the_shared_limiter_in_its_turn() -> None:
    """The campaign's cap counts a send only once the shared limiter granted it, at the time
    it did: a wait for the shared limiter holds no budget of the cap's, and the cap's waits
    take none of the shared one's."""
    clock = FakeClock()
    shared = RateLimiter(10, clock=clock, sleep=clock.sleep)
    cap = RateLimiter(5, clock=clock, sleep=clock.sleep)
    pace = Pace(shared, cap)
    assert (pace.rate, pace.capacity) == (5, 5)
    shared.grant(10)  # someone else filled the shared window: the next send waits 1.02 s
    never: Callable[[], bool] = lambda: False  # noqa: E731
    assert pace.acquire(5, cancel=never)
    assert clock() == pytest.approx(1.02)
    # The cap recorded it when the shared limiter let it go, so its next window starts
    # then, not at 0.
    assert cap.grant(1) == pytest.approx(2.04)


def test_a_stopped_run_takes_nothing_from_either_limiter() -> None:
    clock = FakeClock()
    shared = RateLimiter(10, clock=clock, sleep=clock.sleep)
    cap = RateLimiter(5, clock=clock, sleep=clock.sleep)
    shared.grant(10)
    stop = threading.Event()
    pace = Pace(shared, cap)
    clock_sleep = clock.sleep

    def sleep(seconds: float) -> None:  # the run is stopped while it waits
        stop.set()
        clock_sleep(seconds)

    shared._sleep = sleep
    assert not pace.acquire(5, cancel=stop.is_set)
    assert cap.grant(5) == clock()  # the cap recorded nothing: it lets 5 go at once


def test_throttles_reach_the_shared_limiter_and_the_cap() -> None:
    clock = FakeClock()
    shared = RateLimiter(100, clock=clock, sleep=clock.sleep)
    cap = RateLimiter(50, clock=clock, sleep=clock.sleep)
    pace = Pace(shared, cap)
    pace.throttled()
    assert (shared.capacity, cap.capacity, pace.capacity) == (80, 40, 40)
    pace.succeeded()
    assert (shared.capacity, cap.capacity) == (85, 42)
    assert "cap=RateLimiter(rate=50" in repr(pace)


def _peak(sends: list[tuple[float, int]]) -> int:
    """The most recipients in any window [t, t + 1 s); its maximum starts at a send."""
    return max(sum(n for u, n in sends if t <= u < t + 1.0) for t, _ in sends)


@settings(max_examples=150, deadline=None)
@given(
    rate=st.integers(5, 200),
    caps=st.tuples(st.floats(1, 250), st.floats(1, 250)),
    steps=st.lists(
        st.tuples(st.integers(0, 1), st.integers(1, 50), st.floats(0, 0.5), st.booleans()),
        min_size=1,
        max_size=60,
    ),
)
def test_two_capped_runs_on_one_limiter_keep_every_rate(
    rate: int, caps: tuple[float, float], steps: list[tuple[int, int, float, bool]]
) -> None:
    """Two runs, each under its own cap, take turns on one shared limiter (random batches,
    pauses and throttles): no second holds more than the shared rate, nor more than a run's
    cap of that run's sends."""
    clock = FakeClock()
    shared = RateLimiter(rate, clock=clock, sleep=clock.sleep)
    paces = [
        Pace(shared, RateLimiter(cap, clock=clock, sleep=clock.sleep) if cap < rate else None)
        for cap in caps
    ]
    sends: list[list[tuple[float, int]]] = [[], []]
    for run, size, pause, throttled in steps:
        clock.advance(pause)
        count = min(size, paces[run].capacity)
        assert paces[run].acquire(count, cancel=lambda: False)
        sends[run].append((clock(), count))
        if throttled:
            paces[run].throttled()
        else:
            paces[run].succeeded()
    both = sends[0] + sends[1]
    assert _peak(both) <= rate
    for run in (0, 1):
        if sends[run]:
            assert _peak(sends[run]) <= max(1, int(min(caps[run], rate)))
