"""An SES on a FakeSES shares the fake's clock: the easy wiring is the right one, and two
different clocks are refused before anything runs (sesflow would pace on one while the
fake enforces SES's rate on the other: hundreds of throttled recipients)."""

from __future__ import annotations

import time

import pytest

import sesflow
from sesflow.testing import FakeClock, FakeSES


def test_an_ses_on_a_fake_shares_its_clock_and_paces_on_it() -> None:
    clock = FakeClock()
    fake = FakeSES(clock=clock, max_send_rate=14)
    fake.verify("news@example.com")
    ses = sesflow.SES(client=fake.client())
    assert ses.clock is clock
    report = ses.sender("news@example.com").send_bulk(
        [f"r{i}@example.com" for i in range(300)],
        sesflow.InlineTemplate("Hi", text="Hello"),
        concurrency=1,
    )
    assert (report.sent, report.failed) == (300, 0)
    counts = fake.delivery_counts()
    assert len(counts) == 300
    assert set(counts.values()) == {1}
    assert fake.stats().throttled_calls == 0
    # 300 recipients at 14/s (less 2 % headroom) take about 21 virtual seconds.
    assert 20 <= clock() <= 24
    assert clock.slept > 0


def test_a_fake_on_real_time_and_an_ses_on_real_time_agree() -> None:
    ses = sesflow.SES(client=FakeSES().client())
    assert (ses.clock, ses.sleep) == (time.monotonic, time.sleep)


def test_a_clock_given_to_ses_but_not_to_the_fake_is_refused() -> None:
    clock = FakeClock()
    with pytest.raises(sesflow.ValidationError, match="runs on real time") as caught:
        sesflow.SES(client=FakeSES().client(), sleep=clock.sleep, clock=clock)
    assert caught.value.field == "clock"


def test_two_different_fake_clocks_are_refused() -> None:
    mine, theirs = FakeClock(), FakeClock()
    with pytest.raises(sesflow.ValidationError, match="another clock"):
        sesflow.SES(client=FakeSES(clock=theirs).client(), sleep=mine.sleep, clock=mine)


def test_the_fakes_clock_with_a_real_sleep_is_refused() -> None:
    clock = FakeClock()
    with pytest.raises(sesflow.ValidationError, match="wait forever") as caught:
        sesflow.SES(client=FakeSES(clock=clock).client(), clock=clock)
    assert caught.value.field == "sleep"


def test_the_fakes_clock_with_a_wrapped_sleep_is_fine() -> None:
    clock = FakeClock()
    slept: list[float] = []

    def traced(seconds: float) -> None:
        slept.append(seconds)
        clock.sleep(seconds)

    ses = sesflow.SES(client=FakeSES(clock=clock).client(), sleep=traced, clock=clock)
    assert ses.sleep is traced
