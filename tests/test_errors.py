"""botocore errors become sesflow errors in one place, by code and message."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.exceptions import (
    ClientError,
    ConnectionClosedError,
    EndpointConnectionError,
    NoCredentialsError,
    ParamValidationError,
    ReadTimeoutError,
)
from botocore.stub import Stubber

import sesflow
from sesflow._errors import translate
from sesflow.testing import FakeClock


def _client_error(code: str, message: str, status: int) -> ClientError:
    response: Any = {
        "Error": {"Code": code, "Message": message},
        "ResponseMetadata": {"HTTPStatusCode": status, "RequestId": "req-123"},
    }
    return ClientError(response, "SendEmail")


@pytest.mark.parametrize(
    ("code", "message", "status", "expected"),
    [
        ("NotFoundException", "Email identity a@b.com does not exist.", 404, sesflow.NotFoundError),
        ("AlreadyExistsException", "exists", 400, sesflow.AlreadyExistsError),
        # moto's spelling
        ("ConfigurationSetAlreadyExistsException", "Configuration set <x> already exists",
         400, sesflow.AlreadyExistsError),
        ("ConfigurationSetDoesNotExist", "nope", 400, sesflow.NotFoundError),
        # an HTTP-404 page with no code of its own (moto server mode)
        ("404", "Not Found", 404, sesflow.NotFoundError),
        ("TooManyRequestsException", "Maximum sending rate exceeded.", 429,
         sesflow.ThrottledError),
        ("Throttling", "Rate exceeded", 400, sesflow.ThrottledError),
        # the message decides: the same code means two different things
        ("LimitExceededException", "Daily message quota exceeded.", 400,
         sesflow.DailyQuotaExceededError),
        ("TooManyRequestsException", "Daily message quota exceeded.", 429,
         sesflow.DailyQuotaExceededError),
        ("LimitExceededException", "Maximum sending rate exceeded.", 400,
         sesflow.ThrottledError),
        ("LimitExceededException", "You have reached the identity limit", 400,
         sesflow.LimitExceededError),
        ("MessageRejected", "Email address is not verified.", 400, sesflow.MessageRejectedError),
        ("MailFromDomainNotVerifiedException", "not verified", 400,
         sesflow.MailFromDomainNotVerifiedError),
        ("SendingPausedException", "paused", 400, sesflow.SendingPausedError),
        ("AccountSuspendedException", "suspended", 400, sesflow.AccountSuspendedError),
        ("BadRequestException", "bad", 400, sesflow.BadRequestError),
        ("ConflictException", "review open", 409, sesflow.ConflictError),
        ("ConcurrentModificationException", "busy", 500, sesflow.ServiceError),
        ("InternalServiceErrorException", "oops", 500, sesflow.ServiceError),
        ("SomethingNew", "oops", 503, sesflow.ServiceError),
        ("SomethingNew", "what", 400, sesflow.ApiError),
    ],
)  # fmt: skip
def test_client_errors_are_classified_by_code_and_message(
    code: str, message: str, status: int, expected: type[sesflow.ApiError]
) -> None:
    error = translate(_client_error(code, message, status), "SendEmail")
    assert type(error) is expected
    assert isinstance(error, sesflow.ApiError)
    assert error.code == code
    assert error.message.endswith(message)
    assert error.operation == "SendEmail"
    assert error.request_id == "req-123"
    assert error.status_code == status


def test_retryable_errors_are_exactly_the_transient_ones() -> None:
    assert translate(_client_error("TooManyRequestsException", "x", 429), "X").retryable
    assert translate(_client_error("InternalServiceErrorException", "x", 500), "X").retryable
    for code in ("MessageRejected", "BadRequestException", "NotFoundException",
                 "AlreadyExistsException", "ConflictException", "AccountSuspendedException",
                 "SendingPausedException", "MailFromDomainNotVerifiedException"):  # fmt: skip
        assert not translate(_client_error(code, "x", 400), "X").retryable, code
    daily = translate(
        _client_error("LimitExceededException", "Daily message quota exceeded.", 400), "X"
    )
    assert not daily.retryable


def test_connection_errors_say_whether_the_request_may_have_been_sent() -> None:
    before = translate(EndpointConnectionError(endpoint_url="https://x"), "SendBulkEmail")
    assert isinstance(before, sesflow.TransportError)
    assert before.retryable
    assert not before.ambiguous
    after = translate(ConnectionClosedError(endpoint_url="https://x"), "SendBulkEmail")
    assert isinstance(after, sesflow.TransportError)
    assert after.ambiguous
    timeout = translate(ReadTimeoutError(endpoint_url="https://x"), "SendBulkEmail")
    assert isinstance(timeout, sesflow.TransportError)
    assert timeout.ambiguous


def test_configuration_problems_are_not_retried() -> None:
    error = translate(NoCredentialsError(), "GetAccount")
    assert type(error) is sesflow.ApiError
    assert not error.retryable
    assert "credentials" in str(error).lower()
    invalid = translate(ParamValidationError(report="bad param"), "GetAccount")
    assert isinstance(invalid, sesflow.ValidationError)


def test_the_call_path_chains_the_botocore_error(clock: FakeClock) -> None:
    client = boto3.client("sesv2", region_name="us-east-1")
    ses = sesflow.SES(client=client, sleep=clock.sleep, clock=clock)
    with Stubber(client) as stub:
        stub.add_client_error(
            "get_email_identity",
            service_error_code="NotFoundException",
            service_message="Email identity nobody@example.com does not exist.",
            http_status_code=404,
        )
        with pytest.raises(sesflow.NotFoundError) as caught:
            ses.identity("nobody@example.com").refresh()
    assert isinstance(caught.value.__cause__, ClientError)
    assert caught.value.operation == "GetEmailIdentity"
    assert "does not exist" in str(caught.value)


def test_a_throttled_management_call_is_retried_with_backoff(clock: FakeClock) -> None:
    client = boto3.client("sesv2", region_name="us-east-1")
    ses = sesflow.SES(client=client, sleep=clock.sleep, clock=clock)
    with Stubber(client) as stub:
        for _ in range(2):
            stub.add_client_error(
                "delete_email_identity",
                service_error_code="TooManyRequestsException",
                service_message="Too many requests",
                http_status_code=429,
            )
        stub.add_response("delete_email_identity", {}, {"EmailIdentity": "a@example.com"})
        ses.identity("a@example.com").delete()
        stub.assert_no_pending_responses()
    assert len(clock.sleeps) == 2
    assert all(0 < s <= 20 for s in clock.sleeps)


def test_a_persistently_throttled_call_gives_up_with_the_throttle(clock: FakeClock) -> None:
    client = boto3.client("sesv2", region_name="us-east-1")
    ses = sesflow.SES(client=client, sleep=clock.sleep, clock=clock)
    with Stubber(client) as stub:
        for _ in range(6):
            stub.add_client_error(
                "get_email_identity",
                service_error_code="TooManyRequestsException",
                service_message="Too many requests",
                http_status_code=429,
            )
        with pytest.raises(sesflow.ThrottledError):
            ses.identity("a@example.com").refresh()
        stub.assert_no_pending_responses()
    assert len(clock.sleeps) == 5


def test_with_message_keeps_class_and_attributes_for_every_api_error() -> None:
    import inspect

    classes = [
        c for c in vars(sesflow).values() if inspect.isclass(c) and issubclass(c, sesflow.ApiError)
    ]
    assert len(classes) >= 12
    for cls in classes:
        original = cls.__new__(cls, "before")
        original.__dict__.update(
            message="before", code="Code", operation="SendEmail", request_id="r-1", status_code=400
        )
        original.args = ("before",)
        if issubclass(cls, sesflow.TransportError):
            setattr(original, "ambiguous", True)  # noqa: B010 - typed per class
        if issubclass(cls, sesflow.MaybeSentError):
            setattr(original, "recipients", ("a@example.com",))  # noqa: B010
        clearer = original.with_message("after")
        assert type(clearer) is cls
        assert (str(clearer), clearer.message) == ("after", "after")
        assert (clearer.code, clearer.operation, clearer.request_id) == ("Code", "SendEmail", "r-1")
        assert clearer.status_code == 400
        assert getattr(clearer, "ambiguous", None) == getattr(original, "ambiguous", None)
        assert getattr(clearer, "recipients", None) == getattr(original, "recipients", None)
        assert str(original) == "before"  # the original is untouched
