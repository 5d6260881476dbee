"""An endpoint whose host name does not resolve fails at once, naming the region and endpoint.

A misspelt region or a wrong endpoint_url used to sit through half a minute of retries
(sesflow's backoff, and botocore's when configured) before one line of error.
"""

from __future__ import annotations

import socket
import time
from typing import Any

import pytest
from botocore.config import Config
from botocore.exceptions import EndpointConnectionError
from urllib3.exceptions import NameResolutionError, NewConnectionError

import sesflow
from sesflow._errors import translate

RETRYING = Config(retries={"mode": "standard", "total_max_attempts": 5})


@pytest.fixture
def lookups(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """No name resolves (as with a misspelt host, or no network); the lookups made."""
    made: list[str] = []

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        made.append(str(host))
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return made


def test_a_misspelt_region_fails_at_once_naming_it(lookups: list[str]) -> None:
    ses = sesflow.SES("eu-wset-1")  # the real sleep: a retry would show in the time
    started = time.monotonic()
    with pytest.raises(sesflow.TransportError) as caught:
        ses.identity("alice@example.com").create()
    assert time.monotonic() - started < 5
    error = caught.value
    assert "'eu-wset-1'" in error.message
    assert "email.eu-wset-1.amazonaws.com" in error.message
    assert "did you mean 'eu-west-1'?" in error.message
    assert error.retryable is False
    assert error.ambiguous is False
    assert isinstance(error.__cause__, EndpointConnectionError)
    assert len(lookups) == 1


@pytest.mark.parametrize("config", [None, RETRYING], ids=["default", "botocore-retries"])
def test_a_wrong_endpoint_url_fails_a_send_at_once(
    lookups: list[str], config: Config | None
) -> None:
    ses = sesflow.SES(
        "us-east-1", endpoint_url="https://nonexistent.invalid", botocore_config=config
    )
    started = time.monotonic()
    with pytest.raises(sesflow.TransportError) as caught:
        ses.sender("news@example.com").send("bob@example.com", "Hi", text="x")
    assert time.monotonic() - started < 5
    assert not isinstance(caught.value, sesflow.MaybeSentError)  # certainly not sent
    assert "nonexistent.invalid" in caught.value.message
    assert "'us-east-1'" in caught.value.message
    assert "not a region" not in caught.value.message  # the region is fine
    assert lookups == ["nonexistent.invalid"]  # neither sesflow nor botocore tried again


def test_management_calls_with_botocore_retries_fail_at_once(lookups: list[str]) -> None:
    ses = sesflow.SES("eu-wset-1", botocore_config=RETRYING)
    started = time.monotonic()
    with pytest.raises(sesflow.TransportError, match="eu-wset-1"):
        ses.account()
    assert time.monotonic() - started < 5
    assert lookups == ["email.eu-wset-1.amazonaws.com"]


def test_bulk_fails_at_once(lookups: list[str]) -> None:
    ses = sesflow.SES("eu-wset-1")
    started = time.monotonic()
    with pytest.raises(sesflow.TransportError, match="eu-wset-1"):
        ses.sender("news@example.com").send_bulk(
            ["bob@example.com"], sesflow.InlineTemplate("Hi", text="x")
        )
    assert time.monotonic() - started < 5


def _unresolved() -> EndpointConnectionError:
    try:
        try:
            raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")
        except socket.gaierror as exc:
            raise NameResolutionError("x.invalid", None, exc) from exc  # type: ignore[arg-type]
    except NameResolutionError as exc:
        return EndpointConnectionError(endpoint_url="https://x.invalid/v2", error=exc)


def test_translate_tells_name_resolution_from_a_refused_connection() -> None:
    unresolved = translate(_unresolved(), "GetAccount", region="eu-west-1")
    assert isinstance(unresolved, sesflow.TransportError)
    assert not unresolved.retryable
    assert "x.invalid" in unresolved.message
    assert "'eu-west-1'" in unresolved.message
    assert not unresolved.with_message("y").retryable

    refused = EndpointConnectionError(
        endpoint_url="https://x/v2",
        error=NewConnectionError(None, "[Errno 111] Connection refused"),  # type: ignore[arg-type]
    )
    transient = translate(refused, "GetAccount", region="eu-west-1")
    assert isinstance(transient, sesflow.TransportError)
    assert transient.retryable
    assert transient.ambiguous is False
