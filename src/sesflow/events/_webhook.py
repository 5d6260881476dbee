"""The code behind an SNS → HTTPS endpoint: verify, confirm, dedupe, parse, dispatch."""

from __future__ import annotations

import logging
import urllib.request
from collections.abc import Callable, Mapping
from typing import Any

from ._parse import parse_event
from ._records import EventParseError, SesEvent
from ._sns import (
    InvalidSignatureError,
    RecentMessages,
    SnsMessage,
    SnsVerifier,
    _NoRedirects,
    check_sns_url,
    load_envelope,
)

__all__ = ["confirm_subscription", "handle_sns", "parse_sns"]

logger = logging.getLogger("sesflow.events")


def parse_sns(envelope_or_body: SnsMessage | str | bytes | Mapping[str, Any]) -> SesEvent:
    """Parse the SES event inside an SNS envelope (its `Message` is JSON in a string).

    Give it a verified `SnsMessage`; a raw body or dict is parsed **without** checking
    its signature (use `SnsVerifier.verify` first for anything from the network).

    Examples:
        >>> event = parse_sns(verifier.verify(body))
        >>> type(event).__name__, event.is_permanent
        ('BounceEvent', True)
        >>> [r.email_address for r in event.bounced_recipients]
        ['bob@example.com']
    """
    if isinstance(envelope_or_body, SnsMessage):
        message = envelope_or_body.message
    else:
        try:
            envelope = load_envelope(envelope_or_body)
        except InvalidSignatureError as exc:
            raise EventParseError(f"not an SNS envelope: {exc}") from exc
        inner = envelope.get("Message")
        if not isinstance(inner, str):
            raise EventParseError("the SNS envelope has no Message string")
        message = inner
    return parse_event(message)


def confirm_subscription(url: str, *, timeout: float = 5.0) -> None:
    """Visit a `SubscribeURL` after the same host checks as certificates; no redirects.

    Examples:
        >>> envelope = verifier.verify(subscription_body)
        >>> envelope.type, envelope.subscribe_url
        ('SubscriptionConfirmation', 'https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&...')

        Confirming visits that URL on AWS, so it needs the internet:

        >>> confirm_subscription(envelope.subscribe_url)  # doctest: +SKIP

        A URL that is not on an SNS host is refused before any request is made:

        >>> confirm_subscription("https://sns.us-east-1.amazonaws.com.evil.example/?Token=1")
        Traceback (most recent call last):
        sesflow.events._sns.InvalidSignatureError: SubscribeURL: '...' is not an SNS host ...
    """
    check_sns_url(url, field="SubscribeURL", pem=False)
    opener = urllib.request.build_opener(_NoRedirects())
    with opener.open(url, timeout=timeout) as response:
        response.read(64 * 1024)


def _header(headers: Mapping[str, str] | None, name: str) -> str | None:
    if not headers:
        return None
    wanted = name.lower()
    for key, value in headers.items():
        if key.lower() == wanted:
            return value
    return None


def handle_sns(
    body: str | bytes | Mapping[str, Any],
    headers: Mapping[str, str] | None,
    *,
    verifier: SnsVerifier,
    on_event: Callable[[SesEvent], object],
    confirm_subscriptions: bool = False,
    seen: RecentMessages | None = None,
    confirm: Callable[[str], object] = confirm_subscription,
) -> int:
    """Handle one SNS HTTP(S) delivery; return the HTTP status to answer.

    - an envelope that fails verification → 403 (nothing else happens);
    - a `SubscriptionConfirmation` → confirmed only if `confirm_subscriptions` (the
      `SubscribeURL` passes the same host checks first) → 200;
    - a `SubscriptionConfirmation` with `confirm_subscriptions` but a verifier without
      `allowed_topic_arns` → 403, not confirmed, and an error logged: confirming needs an
      allow-list of topics, or any AWS account could subscribe this endpoint to its own
      topic and then deliver validly signed events to `on_event`;
    - a `Notification` already seen (SNS retries: the same signed content, compared by
      `SnsMessage.signed_digest`, not by the `MessageId` alone) → 200, ignored;
    - a `Notification` → `on_event(event)` with the typed `SesEvent` → 200; if
      `on_event` raises, 500 (SNS will retry) and the message is not marked seen;
    - a signed message that is not an SES event → 400.

    Duplicates are remembered in `seen` (default: the verifier's `recent`). Answer
    quickly: SNS waits about 15 s. Framework-agnostic: pass the raw body and the request
    headers.

    Examples:
        `body` and `headers` are an SNS delivery of a bounce; `verifier` allows its topic:

        >>> received = []
        >>> handle_sns(body, headers, verifier=verifier, on_event=received.append)
        200
        >>> [(event.event_type, event.destination) for event in received]
        [('Bounce', ('bob@example.com',))]

        SNS delivers it again (a retry): answered, not passed on. A forgery is refused:

        >>> handle_sns(body, headers, verifier=verifier, on_event=received.append)
        200
        >>> forged = body.replace(b"bob@example.com", b"ceo@example.com")
        >>> handle_sns(forged, headers, verifier=verifier, on_event=received.append)
        403
        >>> len(received)
        1

        A subscription confirmation is confirmed by `confirm` (`confirm_subscription`, which
        visits AWS; here a list keeps the URL instead):

        >>> visited = []
        >>> handle_sns(subscription_body, None, verifier=verifier, on_event=received.append,
        ...            confirm_subscriptions=True, confirm=visited.append)
        200
        >>> visited[0].split("&")[0]
        'https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription'
    """
    declared = _header(headers, "x-amz-sns-message-type")
    try:
        message = verifier.verify(body)
    except InvalidSignatureError as exc:
        logger.warning("rejected an SNS message (%s): %s", exc.check, exc)
        return 403
    if declared is not None and declared != message.type:
        logger.warning("x-amz-sns-message-type %r does not match %r", declared, message.type)
        return 400
    if message.type == "SubscriptionConfirmation":
        if confirm_subscriptions and verifier.allowed_topic_arns is None:
            logger.error(
                "refused to confirm the subscription to %s: confirming subscriptions needs an "
                "allow-list of topics (SnsVerifier(allowed_topic_arns={...})); without one, "
                "any AWS account's topic could subscribe this endpoint",
                message.topic_arn,
            )
            return 403
        if confirm_subscriptions and message.subscribe_url:
            try:
                confirm(message.subscribe_url)
            except InvalidSignatureError as exc:
                logger.warning("refused to confirm a subscription: %s", exc)
                return 403
            logger.info("confirmed the subscription to %s", message.topic_arn)
        else:
            logger.info("a subscription to %s awaits confirmation", message.topic_arn)
        return 200
    if message.type == "UnsubscribeConfirmation":
        logger.info("unsubscribed from %s", message.topic_arn)
        return 200
    recent = seen if seen is not None else verifier.recent
    # Keyed on what was signed: the MessageId alone can be changed under the same signature.
    key = message.signed_digest
    if not recent.add(key):
        logger.debug("ignored a redelivered SNS message %s", message.message_id)
        return 200
    try:
        event = parse_sns(message)
    except EventParseError as exc:
        logger.warning("a signed SNS message that is not an SES event: %s", exc)
        return 400
    try:
        on_event(event)
    except Exception:
        recent.discard(key)
        logger.exception("on_event failed for SNS message %s", message.message_id)
        return 500
    return 200
