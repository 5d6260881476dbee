"""`max_rate` is checked once, the same way, wherever it is given."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pytest

import sesflow
from sesflow import InlineTemplate, ValidationError
from sesflow._ratelimit import RateLimiter
from sesflow._validate import validate_max_rate
from sesflow.testing import FakeClock, FakeSES

BAD = [0, -1, -0.5, math.nan, math.inf, -math.inf, True, "5"]
GOOD = [1, 0.5, 14, 1e6]


def _ses() -> sesflow.SES:
    clock = FakeClock()
    fake = FakeSES(clock=clock, max_send_rate=1000, max_24_hour_send=-1)
    fake.verify("news@example.com")
    return sesflow.SES(client=fake.client(), sleep=clock.sleep, clock=clock)


def _sender_option(value: Any) -> object:
    return _ses().sender("news@example.com", max_rate=value)


def _send_bulk(value: Any) -> object:
    sender = _ses().sender("news@example.com")
    return sender.send_bulk(["a@example.net"], InlineTemplate("Hi", text="x"), max_rate=value)


def _limiter(value: Any) -> object:
    clock = FakeClock()
    return RateLimiter(value, clock=clock, sleep=clock.sleep)


ENTRY_POINTS: dict[str, Callable[[Any], object]] = {
    "Sender(max_rate=)": _sender_option,
    "send_bulk(max_rate=)": _send_bulk,
    "RateLimiter": _limiter,
}


def _message(value: object) -> str:
    with pytest.raises(ValidationError) as caught:
        validate_max_rate(value)
    return str(caught.value)


@pytest.mark.parametrize("entry", ENTRY_POINTS)
@pytest.mark.parametrize("value", BAD, ids=repr)
def test_every_entry_point_refuses_the_same_values_the_same_way(entry: str, value: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        ENTRY_POINTS[entry](value)
    assert caught.value.field == "max_rate"
    assert str(caught.value) == _message(value)
    assert "positive finite number" in str(caught.value)


@pytest.mark.parametrize("entry", ENTRY_POINTS)
@pytest.mark.parametrize("value", GOOD, ids=repr)
def test_every_entry_point_takes_a_positive_finite_rate(entry: str, value: float) -> None:
    ENTRY_POINTS[entry](value)


def test_the_rate_is_a_float() -> None:
    assert validate_max_rate(14) == 14.0
    assert isinstance(validate_max_rate(14), float)
