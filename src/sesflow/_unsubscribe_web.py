"""The other end of a one-click unsubscribe link: `handle_unsubscribe()`, framework-agnostic.

A mail client that honours RFC 8058 POSTs `List-Unsubscribe=One-Click` to the link; a person
who clicks the link in the body GETs it. Mail scanners and link previews GET links too, so a
GET never unsubscribes: it answers a small page whose button POSTs the same body. A token
that does not verify answers 400 and calls nothing; a verified POST calls
`on_unsubscribe(address, topic, campaign)` and answers 200, however often it comes.
"""

from __future__ import annotations

import html
import logging
import re
import urllib.parse
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ._logging import mask
from ._unsubscribe import ONE_CLICK, InvalidTokenError, Secrets, Unsubscribe, keys_of, read_token

if TYPE_CHECKING:
    from ._contact_list import ContactList

__all__ = ["OptOut", "handle_unsubscribe"]

logger = logging.getLogger("sesflow.unsubscribe")

#: The most body bytes read from an unsubscribe request (a one-click body is 26).
MAX_BODY = 8 * 1024
_MULTIPART_ONE_CLICK = re.compile(
    rb'name="?List-Unsubscribe"?\s*(?:\r?\n[^\r\n]*)*?\r?\n\r?\nOne-Click\r?\n', re.I
)
_HEADERS = {
    "Content-Type": "text/html; charset=utf-8",
    "Cache-Control": "no-store",
    # The token is in the URL: keep it out of Referer headers, search indexes and frames.
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex, nofollow",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'"
    ),
}
_STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;"
    "line-height:1.5}button{font-size:1rem;padding:.5rem 1.25rem;cursor:pointer}"
)


def _page(title: str, body: str) -> bytes:
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta name="robots" content="noindex"><title>{html.escape(title)}</title>'
        f"<style>{_STYLE}</style></head><body><h1>{html.escape(title)}</h1>{body}</body></html>\n"
    ).encode()


def _what(topic: str | None) -> str:
    return f"the topic <strong>{html.escape(topic)}</strong>" if topic else "all our mail"


def _token_from(url: str) -> str:
    path = urllib.parse.urlsplit(url).path
    segments = [s for s in path.split("/") if s]
    return urllib.parse.unquote(segments[-1]) if segments else ""


def _one_click(body: bytes, content_type: str | None) -> bool:
    """Whether `body` is RFC 8058's `List-Unsubscribe=One-Click` (form-urlencoded, or a
    multipart/form-data field)."""
    if content_type is not None and "multipart/form-data" in content_type.lower():
        return bool(_MULTIPART_ONE_CLICK.search(body))
    try:
        fields = urllib.parse.parse_qs(body.decode("utf-8").strip(), strict_parsing=False)
    except UnicodeDecodeError:
        return False
    if fields.get("List-Unsubscribe") == ["One-Click"]:
        return True
    return bool(_MULTIPART_ONE_CLICK.search(body))


def _header(headers: Mapping[str, str] | None, name: str) -> str | None:
    for key, value in (headers or {}).items():
        if key.lower() == name:
            return value
    return None


def handle_unsubscribe(
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

    - a token that does not verify (malformed, signed with no secret given, tampered
      with, or for a topic not in `topics`) → 400, nothing called;
    - `GET` (or `HEAD`) → 200 and a small page whose button POSTs the one-click body: a
      GET never unsubscribes, since mail scanners and previews fetch links;
    - `POST` with the RFC 8058 body `List-Unsubscribe=One-Click` (form-urlencoded or
      multipart) → `on_unsubscribe(address, topic, campaign)`, then 200; if it raises,
      500 (the client may retry), logged without the address;
    - a `POST` without that body → 400; any other method → 405.

    Repeated requests repeat the call: `on_unsubscribe` should be idempotent, as
    `OptOut` is. Framework-agnostic: pass the method, the request URL (absolute, or the
    path and query) and the raw body. The answer's headers keep the page out of caches,
    indexes and `Referer`s (the token is in its URL).

    Args:
        method: the request method.
        url: the request URL; the token is its last path segment.
        body: the raw request body (read at most `MAX_BODY` bytes of it).
        secrets: the secrets the links were signed with (as for `Unsubscribe`), or the
            `Unsubscribe` itself (then only tokens for its topic, if it has one, pass).
        on_unsubscribe: called with the address, topic (None: everything) and campaign.
        headers: the request headers, for the body's `Content-Type`.
        topics: if given, only tokens for these topics pass.

    Examples:
        >>> unsub = Unsubscribe("a long random secret, 32+ bytes!", "https://example.com/u",
        ...                     topic="weekly")
        >>> link = unsub.link("ann@example.com")
        >>> status, headers, page = handle_unsubscribe(
        ...     "POST", link, b"List-Unsubscribe=One-Click", secrets=unsub,
        ...     on_unsubscribe=lambda address, topic, campaign: print("bye", address, topic))
        bye ann@example.com weekly
        >>> status
        200
        >>> handle_unsubscribe("GET", link, b"", secrets=unsub, on_unsubscribe=print)[0]
        200
    """
    verb = method.upper() if isinstance(method, str) else ""
    if verb not in ("GET", "HEAD", "POST"):
        answer = dict(_HEADERS, Allow="GET, HEAD, POST")
        return 405, answer, _page("Not allowed", "<p>Use the link in the message.</p>")
    keys = keys_of(secrets)
    allowed = None if topics is None else set(topics)
    try:
        said = read_token(_token_from(url), keys)
        if isinstance(secrets, Unsubscribe) and secrets.topic is not None:
            said = secrets.verify(_token_from(url))
        if allowed is not None and said.topic not in allowed:
            raise InvalidTokenError("the token's topic is not handled here", reason="topic")
    except InvalidTokenError as exc:
        logger.warning("refused an unsubscribe request: %s (%s)", exc, exc.reason)
        page = _page(
            "Link not valid",
            "<p>This unsubscribe link is not valid. Use the link in the latest message, "
            "or reply to it.</p>",
        )
        return 400, dict(_HEADERS), page
    if verb in ("GET", "HEAD"):
        page = _page(
            "Unsubscribe",
            f"<p>Stop sending {_what(said.topic)} to <strong>{html.escape(said.address)}"
            "</strong>?</p>"
            '<form method="post"><input type="hidden" name="List-Unsubscribe" '
            'value="One-Click"><button type="submit">Unsubscribe</button></form>',
        )
        return 200, dict(_HEADERS), b"" if verb == "HEAD" else page
    raw = body.encode("utf-8") if isinstance(body, str) else (body or b"")
    if not _one_click(raw[:MAX_BODY], _header(headers, "content-type")):
        logger.warning("refused an unsubscribe POST without the %s body", ONE_CLICK)
        page = _page("Not unsubscribed", f"<p>The request did not say {ONE_CLICK}.</p>")
        return 400, dict(_HEADERS), page
    try:
        on_unsubscribe(said.address, said.topic, said.campaign)
    except Exception:
        logger.exception("on_unsubscribe failed for %s", mask(said.address))
        page = _page("Please try again", "<p>Something went wrong; please try again later.</p>")
        return 500, dict(_HEADERS), page
    logger.info("unsubscribed %s from %s", mask(said.address), said.topic or "everything")
    page = _page("Unsubscribed", f"<p>You will get no more of {_what(said.topic)}.</p>")
    return 200, dict(_HEADERS), page


@dataclass(frozen=True, slots=True)
class OptOut:
    """A ready-made `on_unsubscribe`: opt the contact out of the token's topic (or, for a
    token without one, of every topic) on an SES contact list.

    Idempotent, and a contact not yet on the list is added, opted out. Use it so that
    `send_bulk(..., contact_list=..., topic=...)` and SES's own list-management sends skip
    whoever unsubscribed.

    Examples:
        >>> from sesflow import Topic
        >>> news = ses.contact_list("newsletter").create(topics=[Topic("weekly", "Weekly")])
        >>> opt_out = OptOut(news)
        >>> opt_out("ann@example.com", "weekly", "spring")
        >>> news.contacts.get("ann@example.com").subscribed("weekly")
        False
    """

    contact_list: ContactList

    def __call__(self, address: str, topic: str | None, campaign: str | None = None) -> None:
        self.contact_list.contacts.opt_out(address, topic)
