"""Receiving SES events and unsubscribe requests on an event loop (`sesflow.aio`).

`handle_sns`, `handle_unsubscribe` and `OptOut` here are the sync ones
(`sesflow.events.handle_sns`, `sesflow.handle_unsubscribe`, `sesflow.OptOut`) run by
`sesflow._bridge.run`: the checks, the statuses and the logging exist once. What differs
is only where they wait:

- the SNS signing certificate is fetched (on a cache miss) by the verifier's own sync
  fetcher in a worker thread, so a slow AWS never stalls the loop;
- a subscription is confirmed in a worker thread too (or by an async `confirm`);
- `on_event` and `on_unsubscribe` may be `async def` (or return any awaitable): it is
  awaited on the loop.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from sesflow import _unsubscribe_web
from sesflow._bridge import await_only, resolve, run
from sesflow.events import _webhook
from sesflow.events._records import SesEvent
from sesflow.events._sns import RecentMessages, SnsVerifier

if TYPE_CHECKING:
    from sesflow._contact_list import ContactList
    from sesflow._unsubscribe import Secrets, Unsubscribe

__all__ = ["OptOut", "handle_sns", "handle_unsubscribe"]


class _OffLoopFetch:
    """Mixed in before a verifier's own class: the same verifier, except that it fetches
    certificates in a worker thread.

    Every attribute is read from and written to the wrapped verifier (its certificate
    cache, lock, `recent` and once-only warning are the caller's, shared with any sync
    use of it), and its class's methods run unchanged; only `_fetch`, which
    `SnsVerifier._public_key` calls on a cache miss, is this class's. The caller's
    verifier is not touched, so a thread verifying with it at the same moment still
    fetches the plain, blocking way.
    """

    _inner: SnsVerifier

    def __init__(self, inner: SnsVerifier) -> None:
        object.__setattr__(self, "_inner", inner)

    def __getattr__(self, name: str) -> Any:
        if name == "_inner":  # not set yet (copy, pickle): no endless recursion
            raise AttributeError(name)
        return getattr(self._inner, name)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self._inner, name, value)

    def _fetch(self, url: str) -> bytes:
        # Called inside `run` (handle_sns is its greenlet): the thread's wait is awaited
        # on the loop, which runs other tasks meanwhile.
        fetch: Callable[[str], bytes] = self._inner._fetch
        pem: bytes = await_only(asyncio.to_thread(fetch, url))
        return pem


#: The off-loop class made for each verifier class, kept for the process's life (verifier
#: classes are few; two threads racing to make one make two equivalent ones, harmlessly).
_OFF_LOOP_CLASSES: dict[type, Callable[[SnsVerifier], SnsVerifier]] = {}


def _off_loop(verifier: SnsVerifier) -> SnsVerifier:
    """`verifier`, fetching certificates in a worker thread (see `_OffLoopFetch`)."""
    cls: type = type(verifier)
    if not issubclass(cls, SnsVerifier):
        return verifier  # a stand-in of the caller's own: it fetches however it fetches
    make = _OFF_LOOP_CLASSES.get(cls)
    if make is None:
        # A subclass of the verifier's own class, so that a subclass's overrides still
        # run and `isinstance` still holds.
        make = _OFF_LOOP_CLASSES[cls] = type(f"OffLoop{cls.__name__}", (_OffLoopFetch, cls), {})
    return make(verifier)


async def _confirm_in_thread(url: str) -> None:
    # `confirm_subscription` is a blocking HTTPS GET, with its host checks.
    await asyncio.to_thread(_webhook.confirm_subscription, url)


async def handle_sns(
    body: str | bytes | Mapping[str, Any],
    headers: Mapping[str, str] | None,
    *,
    verifier: SnsVerifier,
    on_event: Callable[[SesEvent], object],
    confirm_subscriptions: bool = False,
    seen: RecentMessages | None = None,
    confirm: Callable[[str], object] = _confirm_in_thread,
) -> int:
    """Handle one SNS HTTP(S) delivery without blocking the loop; return the HTTP status.

    The same checks and answers as `sesflow.events.handle_sns` (403 for a forgery, 200
    for a duplicate, 500 when `on_event` raises, ...), run by it. A certificate not yet in
    `verifier`'s cache is fetched by its `cert_fetcher` in a worker thread, and the
    default `confirm` visits the `SubscribeURL` in one; the verifier itself is left as it
    is (sync code may share it). `on_event` may be a plain function or an `async def`
    (awaited); so may `confirm`.

    Examples:
        `body` and `headers` are an SNS delivery of a bounce; `verifier` allows its topic:

        >>> import asyncio
        >>> from sesflow import aio
        >>> received = []
        >>> async def on_event(event):
        ...     received.append(event)   # e.g. await a database write
        >>> asyncio.run(aio.handle_sns(body, headers, verifier=verifier, on_event=on_event))
        200
        >>> [(event.event_type, event.destination) for event in received]
        [('Bounce', ('bob@example.com',))]

        A retry of the same delivery is answered and ignored; a forgery is refused:

        >>> asyncio.run(aio.handle_sns(body, headers, verifier=verifier, on_event=on_event))
        200
        >>> forged = body.replace(b"bob@example.com", b"ceo@example.com")
        >>> asyncio.run(aio.handle_sns(forged, headers, verifier=verifier, on_event=on_event))
        403
        >>> len(received)
        1

        A subscription confirmation, confirmed by an async `confirm` (the default visits
        AWS in a worker thread):

        >>> visited = []
        >>> async def confirm(url):
        ...     visited.append(url)
        >>> asyncio.run(aio.handle_sns(subscription_body, None, verifier=verifier,
        ...     on_event=on_event, confirm_subscriptions=True, confirm=confirm))
        200
        >>> visited[0].split("&")[0]
        'https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription'
    """
    return await run(
        _webhook.handle_sns,
        body,
        headers,
        verifier=_off_loop(verifier),
        on_event=lambda event: resolve(on_event(event)),
        confirm_subscriptions=confirm_subscriptions,
        seen=seen,
        confirm=lambda url: resolve(confirm(url)),
    )


async def handle_unsubscribe(
    method: str,
    url: str,
    body: bytes | str | None,
    *,
    secrets: Secrets | Unsubscribe,
    on_unsubscribe: Callable[[str, str | None, str | None], object],
    headers: Mapping[str, str] | None = None,
    topics: Iterable[str] | None = None,
) -> tuple[int, dict[str, str], bytes]:
    """Answer one request to an unsubscribe link; return `(status, headers, body)`.

    `sesflow.handle_unsubscribe`, run on the loop: a GET answers a page and changes
    nothing, a verified one-click POST calls `on_unsubscribe(address, topic, campaign)`,
    a bad token answers 400. `on_unsubscribe` may be an `async def` (awaited), such as
    `sesflow.aio.OptOut`; a plain function is called on the loop, so it must not block.

    Examples:
        >>> import asyncio
        >>> from sesflow import aio
        >>> unsub = Unsubscribe("a long random secret, 32+ bytes!", "https://example.com/u",
        ...                     topic="weekly")
        >>> link = unsub.link("ann@example.com")
        >>> async def bye(address, topic, campaign):
        ...     print("bye", address, topic)
        >>> status, headers, page = asyncio.run(aio.handle_unsubscribe(
        ...     "POST", link, b"List-Unsubscribe=One-Click", secrets=unsub, on_unsubscribe=bye))
        bye ann@example.com weekly
        >>> status
        200
        >>> asyncio.run(aio.handle_unsubscribe("GET", link, b"", secrets=unsub,
        ...                                    on_unsubscribe=bye))[0]
        200
    """
    return await run(
        _unsubscribe_web.handle_unsubscribe,
        method,
        url,
        body,
        secrets=secrets,
        on_unsubscribe=lambda address, topic, campaign: resolve(
            on_unsubscribe(address, topic, campaign)
        ),
        headers=headers,
        topics=topics,
    )


class _AsyncContactList(Protocol):
    """What `OptOut` needs of an async contact list: the sync one it wraps."""

    @property
    def _sync(self) -> ContactList: ...


@dataclass(frozen=True, slots=True)
class OptOut:
    """A ready-made async `on_unsubscribe`: opt the contact out of the token's topic (or,
    for a token without one, of every topic) on an SES contact list.

    `sesflow.OptOut` on the async contact list's sync twin, run on the loop: idempotent,
    and a contact not yet on the list is added, opted out.

    Examples:
        `aio_news` stands for an async contact list (here a stand-in holding the sync
        one, as `sesflow.aio`'s resources do):

        >>> import asyncio, types
        >>> from sesflow import aio
        >>> news = ses.contact_list("newsletter").create(topics=[Topic("weekly", "Weekly")])
        >>> aio_news = types.SimpleNamespace(_sync=news)
        >>> opt_out = aio.OptOut(aio_news)
        >>> asyncio.run(opt_out("ann@example.com", "weekly", "spring"))
        >>> news.contacts.get("ann@example.com").subscribed("weekly")
        False
    """

    contact_list: _AsyncContactList

    async def __call__(self, address: str, topic: str | None, campaign: str | None = None) -> None:
        await run(_unsubscribe_web.OptOut(self.contact_list._sync), address, topic, campaign)
