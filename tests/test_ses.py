"""The SES root: client construction, injection, region, logging."""

from __future__ import annotations

import logging
from typing import Any

import boto3
import pytest
from botocore.config import Config

import sesflow
from sesflow._logging import mask
from sesflow.testing import FakeSES


def test_own_clients_have_botocore_retries_off_and_a_user_agent() -> None:
    ses = sesflow.SES("eu-west-1")
    config: Any = ses.client.meta.config
    assert config.retries["total_max_attempts"] == 1
    assert f"sesflow/{sesflow.__version__}" in (config.user_agent_extra or "")
    assert ses.region == "eu-west-1"
    route53 = ses.route53_client
    route53_config: Any = route53.meta.config
    assert route53_config.retries["total_max_attempts"] == 1
    assert ses.route53_client is route53  # built once
    assert repr(ses) == "SES(region='eu-west-1')"


def test_a_session_is_used_to_build_clients() -> None:
    session = boto3.Session(region_name="ap-northeast-2")
    ses = sesflow.SES(session=session)
    assert ses.region == "ap-northeast-2"


def test_botocore_config_is_merged_over_the_defaults() -> None:
    ses = sesflow.SES(
        "us-west-2", botocore_config=Config(connect_timeout=3, retries={"total_max_attempts": 4})
    )
    config: Any = ses.client.meta.config
    assert config.connect_timeout == 3
    assert config.retries["total_max_attempts"] == 4  # a deliberate choice is respected
    assert f"sesflow/{sesflow.__version__}" in (config.user_agent_extra or "")


def test_an_injected_client_is_used_as_given() -> None:
    fake = FakeSES()
    client = fake.client(region_name="eu-central-1")
    ses = sesflow.SES(client=client)
    assert ses.client is client
    assert ses.region == "eu-central-1"


def test_bad_region_is_refused() -> None:
    with pytest.raises(sesflow.ValidationError, match="region_name"):
        sesflow.SES("")


def test_factories_make_no_calls(ses: sesflow.SES, fake: FakeSES) -> None:
    ses.identity("a@example.com")
    ses.domain("example.com")
    assert fake.calls == []


def test_the_package_logger_is_silent_by_default() -> None:
    logger = logging.getLogger("sesflow")
    assert any(isinstance(h, logging.NullHandler) for h in logger.handlers)


def test_addresses_are_masked_in_logs_above_debug(
    ses: sesflow.SES, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="sesflow"):
        assert mask("alice@example.com") == "a***@example.com"
        ses.identity("alice@example.com").create()
    assert "alice@example.com" not in caplog.text
    assert "a***@example.com" in caplog.text
    with caplog.at_level(logging.DEBUG, logger="sesflow"):
        assert mask("alice@example.com") == "alice@example.com"


def test_close_closes_the_clients() -> None:
    closed: list[str] = []
    fake = FakeSES()
    client = fake.client()
    client.close = lambda: closed.append("sesv2")  # type: ignore[method-assign]
    with sesflow.SES(client=client) as ses:
        assert ses.identity("a@example.com").create()
    assert closed == ["sesv2"]
