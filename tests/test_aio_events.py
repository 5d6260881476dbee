"""sesflow.aio's events: async handle_sns / handle_unsubscribe / OptOut, and the FastAPI and
Starlette examples that use them, driven with real signed SNS deliveries.

The sync functions they run are tested in test_webhook.py and test_unsubscribe.py; here: the
same answers come back through the bridge, async callbacks are awaited, and nothing waits
on the event loop's thread (the certificate fetch and the subscription confirmation run in
worker threads, the caller's verifier untouched).
"""

from __future__ import annotations

import asyncio
import importlib.util
import threading
import time
import types
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

import sesflow
from example_events import TOPIC_ARN, SnsDeliveries, sns_deliveries
from sesflow import aio
from sesflow.events import (
    BounceEvent,
    InvalidSignatureError,
    SesEvent,
    SnsVerifier,
    _webhook,
    handle_sns,
)
from sesflow.testing import FakeSES

pytest.importorskip(
    "greenlet", reason="the async extra is not installed here: pip install 'sesflow[async]'"
)

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
APPS = ["webhook_fastapi", "webhook_starlette"]
SECRET = "a test secret that is long enough!"
ONE_CLICK = b"List-Unsubscribe=One-Click"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def _load(name: str) -> types.ModuleType:
    spec = importlib.util.spec_from_file_location(f"_example_{name}", EXAMPLES / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def deliveries() -> SnsDeliveries:
    return sns_deliveries()


def _verifier(fetch: Callable[[str], bytes] | None = None) -> SnsVerifier:
    return SnsVerifier(allowed_topic_arns={TOPIC_ARN}, cert_fetcher=fetch or FakeSES().cert_fetcher)


def _forged(body: bytes) -> bytes:
    forged = body.replace(b"bob@example.com", b"ceo@example.com")
    assert forged != body
    return forged


def _ignore(event: SesEvent) -> None:
    pass


class _Recorder:
    """An async on_event / on_unsubscribe that records what it was awaited with."""

    def __init__(self) -> None:
        self.calls: list[tuple[Any, ...]] = []

    async def __call__(self, *args: Any) -> None:
        await asyncio.sleep(0)  # really suspends: only an awaited call gets past this
        self.calls.append(args)


# --- the example apps, through the frameworks' test client -------------------------------------


class _App:
    def __init__(self, name: str) -> None:
        self.events = _Recorder()
        self.unsubscribes = _Recorder()
        self.unsub = sesflow.Unsubscribe(SECRET, "https://example.com/u", topic="weekly")
        self.fetched: list[str] = []
        fake = FakeSES()

        def fetch(url: str) -> bytes:
            self.fetched.append(url)
            return fake.cert_fetcher(url)

        app = _load(name).make_app(_verifier(fetch), self.events, self.unsub, self.unsubscribes)
        self.client = TestClient(app, base_url="https://example.com")


@pytest.fixture(params=APPS)
def app(request: pytest.FixtureRequest) -> Iterator[_App]:
    made = _App(request.param)
    with made.client:
        yield made


def test_the_app_passes_a_signed_notification_on_once(app: _App, deliveries: SnsDeliveries) -> None:
    answer = app.client.post("/ses-events", content=deliveries.body, headers=deliveries.headers)
    assert answer.status_code == 200
    [(event,)] = app.events.calls
    assert isinstance(event, BounceEvent)
    assert event.is_permanent
    assert [r.email_address for r in event.bounced_recipients] == ["bob@example.com"]
    # SNS retries the same delivery: answered 200, not passed on; the certificate is cached.
    answer = app.client.post("/ses-events", content=deliveries.body, headers=deliveries.headers)
    assert answer.status_code == 200
    assert len(app.events.calls) == 1
    assert len(app.fetched) == 1


def test_the_app_refuses_a_forgery(app: _App, deliveries: SnsDeliveries) -> None:
    forged = _forged(deliveries.body)
    answer = app.client.post("/ses-events", content=forged, headers=deliveries.headers)
    assert answer.status_code == 403
    assert app.events.calls == []
    # A message type header that contradicts the signed envelope: 400.
    headers = {**deliveries.headers, "x-amz-sns-message-type": "SubscriptionConfirmation"}
    answer = app.client.post("/ses-events", content=deliveries.body, headers=headers)
    assert answer.status_code == 400
    assert app.events.calls == []


def test_the_app_refuses_an_oversized_body(app: _App, deliveries: SnsDeliveries) -> None:
    answer = app.client.post("/ses-events", content=b" " * (300 * 1024) + deliveries.body)
    assert answer.status_code == 413
    assert app.events.calls == []
    assert app.fetched == []


def test_the_app_confirms_a_subscription_in_a_worker_thread(
    app: _App, deliveries: SnsDeliveries, monkeypatch: pytest.MonkeyPatch
) -> None:
    confirmed: list[tuple[str, bool]] = []

    def confirm_subscription(url: str, *, timeout: float = 5.0) -> None:
        confirmed.append((url, threading.current_thread() is threading.main_thread()))

    # The default `confirm` calls the sync confirm_subscription (a blocking GET on AWS).
    monkeypatch.setattr(_webhook, "confirm_subscription", confirm_subscription)
    headers = {"x-amz-sns-message-type": "SubscriptionConfirmation"}
    answer = app.client.post("/ses-events", content=deliveries.subscription_body, headers=headers)
    assert answer.status_code == 200
    [(url, on_main_thread)] = confirmed
    assert url.startswith("https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&")
    assert app.events.calls == []
    # The test client runs the app's loop in a thread of its own; neither is the main one.
    assert not on_main_thread


def test_the_app_unsubscribes_on_the_one_click_post_only(app: _App) -> None:
    link = app.unsub.link("ann@example.com", campaign="spring")
    page = app.client.get(link)  # a person, or a mail scanner
    assert page.status_code == 200
    assert b'name="List-Unsubscribe" value="One-Click"' in page.content
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert app.unsubscribes.calls == []
    answer = app.client.post(link, content=ONE_CLICK, headers=FORM)
    assert answer.status_code == 200
    assert app.unsubscribes.calls == [("ann@example.com", "weekly", "spring")]
    # A POST without the RFC 8058 body: 400, nothing called.
    assert app.client.post(link, content=b"x=1", headers=FORM).status_code == 400
    assert len(app.unsubscribes.calls) == 1


def test_the_app_refuses_a_bad_token(app: _App) -> None:
    link = app.unsub.link("ann@example.com")
    tampered = link[:-2] + ("AA" if not link.endswith("AA") else "BB")
    other = sesflow.Unsubscribe("another secret, also long enough!!", "https://example.com/u")
    for bad in (tampered, other.link("ann@example.com"), "https://example.com/u/garbage"):
        assert app.client.get(bad).status_code == 400
        assert app.client.post(bad, content=ONE_CLICK, headers=FORM).status_code == 400
    assert app.unsubscribes.calls == []


# --- handle_sns: callbacks, and never blocking the loop ----------------------------------------


def test_an_async_on_event_is_awaited_and_a_plain_one_called(deliveries: SnsDeliveries) -> None:
    recorder = _Recorder()
    verifier = _verifier()
    status = asyncio.run(
        aio.handle_sns(deliveries.body, deliveries.headers, verifier=verifier, on_event=recorder)
    )
    assert status == 200
    [(event,)] = recorder.calls
    assert isinstance(event, BounceEvent)
    plain: list[SesEvent] = []
    status = asyncio.run(
        aio.handle_sns(
            deliveries.body, deliveries.headers, verifier=_verifier(), on_event=plain.append
        )
    )
    assert status == 200
    assert [type(e) for e in plain] == [BounceEvent]


def test_a_failing_async_on_event_answers_500_and_the_retry_is_handled(
    deliveries: SnsDeliveries,
) -> None:
    verifier = _verifier()
    attempts: list[SesEvent] = []

    async def flaky(event: SesEvent) -> None:
        await asyncio.sleep(0)
        attempts.append(event)
        if len(attempts) == 1:
            raise RuntimeError("the database is down")

    def deliver() -> int:
        return asyncio.run(
            aio.handle_sns(deliveries.body, deliveries.headers, verifier=verifier, on_event=flaky)
        )

    assert deliver() == 500  # raised after its await: not marked seen, so SNS retries
    assert deliver() == 200
    assert deliver() == 200  # now a duplicate
    assert len(attempts) == 2


async def _max_gap(work: Awaitable[Any]) -> tuple[Any, float, int]:
    """Run `work` beside a coroutine ticking every 10 ms; its result, the longest time
    between two ticks, and how many ticks there were."""
    done = asyncio.Event()
    gaps: list[float] = []

    async def tick() -> None:
        last = time.monotonic()
        while not done.is_set():
            await asyncio.sleep(0.01)
            now = time.monotonic()
            gaps.append(now - last)
            last = now

    async def run_work() -> Any:
        try:
            return await work
        finally:
            done.set()

    ticker = asyncio.create_task(tick())
    await asyncio.sleep(0)  # the ticker is ticking before the work starts
    result = await run_work()
    await ticker
    return result, max(gaps), len(gaps)


def _slow(fetch: Callable[[str], bytes], calls: list[str]) -> Callable[[str], bytes]:
    def slow_fetch(url: str) -> bytes:
        calls.append(threading.current_thread().name)
        time.sleep(0.3)  # AWS taking its time: a blocking fetcher, as the default one is
        return fetch(url)

    return slow_fetch


def _warm_up(deliveries: SnsDeliveries) -> None:
    # The first verification imports cryptography, and the first run imports greenlet: once
    # per process, not what is measured.
    asyncio.run(
        aio.handle_sns(deliveries.body, deliveries.headers, verifier=_verifier(), on_event=_ignore)
    )


def test_a_slow_certificate_fetch_does_not_block_the_loop(deliveries: SnsDeliveries) -> None:
    _warm_up(deliveries)
    calls: list[str] = []
    verifier = _verifier(_slow(FakeSES().cert_fetcher, calls))
    received: list[SesEvent] = []
    started = time.monotonic()
    status, gap, ticks = asyncio.run(
        _max_gap(
            aio.handle_sns(
                deliveries.body, deliveries.headers, verifier=verifier, on_event=received.append
            )
        )
    )
    assert status == 200
    assert len(received) == 1
    assert time.monotonic() - started >= 0.3  # it did wait for the slow fetch...
    assert len(calls) == 1
    assert calls[0] != threading.main_thread().name  # ...in a worker thread
    assert ticks >= 10  # ...while the loop ran the ticker
    assert gap < 0.05, f"the loop stalled for {gap * 1000:.0f} ms"


def test_the_gap_measure_sees_a_blocking_fetch(deliveries: SnsDeliveries) -> None:
    """The check above can fail: the sync handle_sns, called on the loop, stalls it."""
    _warm_up(deliveries)
    verifier = _verifier(_slow(FakeSES().cert_fetcher, []))

    async def blocking() -> int:
        return handle_sns(deliveries.body, deliveries.headers, verifier=verifier, on_event=_ignore)

    status, gap, _ = asyncio.run(_max_gap(blocking()))
    assert status == 200
    assert gap >= 0.25


def test_a_slow_fetch_can_be_cancelled(deliveries: SnsDeliveries) -> None:
    calls: list[str] = []
    verifier = _verifier(_slow(FakeSES().cert_fetcher, calls))
    received: list[SesEvent] = []

    async def impatient() -> None:
        await asyncio.wait_for(
            aio.handle_sns(
                deliveries.body, deliveries.headers, verifier=verifier, on_event=received.append
            ),
            timeout=0.05,
        )

    started = time.monotonic()
    with pytest.raises(TimeoutError):
        asyncio.run(impatient())
    # The cancellation reached the waiting greenlet at once; asyncio.run then waited for the
    # worker thread to finish its sleep, but nothing was handled.
    assert calls
    assert received == []
    assert time.monotonic() - started < 1.0


def test_the_callers_verifier_keeps_fetching_the_sync_way(deliveries: SnsDeliveries) -> None:
    """A thread verifying with the same verifier while the async call waits on its fetch
    fetches by itself, blocking, as sync code does (the verifier was not swapped out); the
    certificate cache is shared."""
    fetched_on: list[str] = []
    verifier = _verifier(_slow(FakeSES().cert_fetcher, fetched_on))

    async def both() -> tuple[int, str]:
        handling = asyncio.create_task(
            aio.handle_sns(deliveries.body, deliveries.headers, verifier=verifier, on_event=_ignore)
        )
        await asyncio.sleep(0.05)  # the async call is inside its slow fetch
        assert fetched_on
        message = await asyncio.to_thread(verifier.verify, deliveries.body)
        return await handling, message.type

    status, kind = asyncio.run(both())
    assert (status, kind) == (200, "Notification")
    assert len(fetched_on) == 2  # the async call's and the thread's, both in threads
    # Now cached for every user of the verifier: sync code verifies without a fetch.
    assert verifier.verify(deliveries.body).type == "Notification"
    assert len(fetched_on) == 2


def test_a_verifier_subclass_keeps_its_overrides(deliveries: SnsDeliveries) -> None:
    seen: list[str] = []
    fake = FakeSES()

    class Logging(SnsVerifier):
        def verify(self, body: str | bytes | Any) -> Any:
            seen.append(type(self).__name__)
            return super().verify(body)

    verifier = Logging(allowed_topic_arns={TOPIC_ARN}, cert_fetcher=fake.cert_fetcher)
    status = asyncio.run(
        aio.handle_sns(deliveries.body, deliveries.headers, verifier=verifier, on_event=_ignore)
    )
    assert status == 200
    assert len(seen) == 1
    assert len(verifier.recent) == 1  # the caller's own `recent`, not a copy's


def test_subscriptions_are_confirmed_by_an_async_confirm_or_in_a_thread(
    deliveries: SnsDeliveries, monkeypatch: pytest.MonkeyPatch
) -> None:
    visited: list[str] = []

    async def confirm(url: str) -> None:
        await asyncio.sleep(0)
        visited.append(url)

    def subscribe(**kw: Any) -> int:
        return asyncio.run(
            aio.handle_sns(
                deliveries.subscription_body,
                None,
                verifier=_verifier(),
                on_event=_ignore,
                confirm_subscriptions=True,
                **kw,
            )
        )

    assert subscribe(confirm=confirm) == 200
    assert len(visited) == 1
    assert visited[0].startswith("https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription")

    async def refuse(url: str) -> None:
        raise InvalidSignatureError("not an SNS host", check="cert_url")

    assert subscribe(confirm=refuse) == 403  # raised from the awaited confirm

    # The default runs the blocking confirm_subscription in a worker thread.
    threads: list[bool] = []

    def blocking_confirm(url: str, *, timeout: float = 5.0) -> None:
        threads.append(threading.current_thread() is threading.main_thread())

    monkeypatch.setattr(_webhook, "confirm_subscription", blocking_confirm)
    assert subscribe() == 200
    assert threads == [False]


# --- handle_unsubscribe and OptOut -------------------------------------------------------------


def test_handle_unsubscribe_awaits_an_async_on_unsubscribe() -> None:
    unsub = sesflow.Unsubscribe(SECRET, "https://example.com/u", topic="weekly")
    link = unsub.link("ann@example.com", campaign="spring")
    recorder = _Recorder()

    def answer(method: str, url: str, body: bytes, **kw: Any) -> tuple[int, dict[str, str], bytes]:
        return asyncio.run(
            aio.handle_unsubscribe(
                method, url, body, secrets=unsub, on_unsubscribe=recorder, headers=FORM, **kw
            )
        )

    status, headers, page = answer("GET", link, b"")
    assert status == 200
    assert headers["Cache-Control"] == "no-store"
    assert b"ann@example.com" in page
    assert recorder.calls == []
    assert answer("POST", link, ONE_CLICK)[0] == 200
    assert recorder.calls == [("ann@example.com", "weekly", "spring")]
    assert answer("POST", link, ONE_CLICK, topics=["monthly"])[0] == 400
    assert answer("DELETE", link, ONE_CLICK)[0] == 405
    assert len(recorder.calls) == 1

    async def broken(address: str, topic: str | None, campaign: str | None) -> None:
        await asyncio.sleep(0)
        raise RuntimeError("the database is down")

    status, _, _ = asyncio.run(
        aio.handle_unsubscribe("POST", link, ONE_CLICK, secrets=unsub, on_unsubscribe=broken)
    )
    assert status == 500


@pytest.fixture
def newsletter() -> sesflow.ContactList:
    fake = FakeSES()
    ses = sesflow.SES(client=fake.client())
    return ses.contact_list("newsletter").create(
        topics=[sesflow.Topic("weekly", "Weekly"), sesflow.Topic("offers", "Offers")]
    )


def test_opt_out_opts_the_contact_out_on_the_list(newsletter: sesflow.ContactList) -> None:
    # A stand-in for an async contact list: sesflow.aio's resources hold their sync twin.
    opt_out = aio.OptOut(types.SimpleNamespace(_sync=newsletter))
    assert asyncio.run(opt_out("ann@example.com", "weekly", "spring")) is None
    ann = newsletter.contacts.get("ann@example.com")
    assert ann is not None
    assert not ann.subscribed("weekly")
    assert ann.subscribed("offers")
    asyncio.run(opt_out("ann@example.com", "weekly"))  # idempotent
    assert not newsletter.contacts.get("ann@example.com").subscribed("weekly")  # type: ignore[union-attr]


def test_opt_out_as_the_on_unsubscribe_of_handle_unsubscribe(
    newsletter: sesflow.ContactList,
) -> None:
    unsub = sesflow.Unsubscribe(SECRET, "https://example.com/u")  # no topic: everything
    opt_out = aio.OptOut(types.SimpleNamespace(_sync=newsletter))
    status, _, _ = asyncio.run(
        aio.handle_unsubscribe(
            "POST",
            unsub.link("bob@example.com"),
            ONE_CLICK,
            secrets=unsub,
            on_unsubscribe=opt_out,
            headers=FORM,
        )
    )
    assert status == 200
    bob = newsletter.contacts.get("bob@example.com")
    assert bob is not None
    assert not bob.subscribed("weekly")
    assert not bob.subscribed("offers")
