"""SES events from SNS and one-click unsubscribe links, answered by async FastAPI routes.

`sesflow.aio.handle_sns` verifies each SNS delivery on the event loop: a signing certificate
it has not cached yet is fetched in a worker thread, and `on_event` may be an `async def`.
`sesflow.aio.handle_unsubscribe` answers the links `sesflow.Unsubscribe` puts in a campaign;
its `on_unsubscribe` may be async too (`sesflow.aio.OptOut` on an async contact list). Run
as a script it sends a bounce and a campaign on the offline fake SES, then plays SNS and
a mail client against the app through httpx's ASGI transport.
"""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Awaitable, Callable

import httpx
from fastapi import FastAPI, Request, Response

import sesflow
from sesflow import aio
from sesflow.aio import AsyncContactList, AsyncSES
from sesflow.events import BounceEvent, ComplaintEvent, SesEvent, SnsVerifier
from sesflow.testing import FakeSES

TOPIC = "arn:aws:sns:us-east-1:123456789012:ses-events"
# In production: a secret of your own (secrets.token_urlsafe(32)), kept out of the code.
SECRET = os.environ.get("UNSUBSCRIBE_SECRET", "demo secret, not for production!")
UNSUB = sesflow.Unsubscribe(SECRET, "https://example.com/u", topic="weekly")
MAX_SNS_BODY = 256 * 1024  # SNS bodies are small: refuse to buffer anything bigger


# --8<-- [start:app]
async def on_event(event: SesEvent) -> None:
    # An async handler may await its own I/O (a database, a queue) here.
    if isinstance(event, BounceEvent) and event.is_permanent:
        for recipient in event.bounced_recipients:
            print("stop mailing (hard bounce):", recipient.email_address)
    elif isinstance(event, ComplaintEvent):
        print("stop mailing (complaint):", ", ".join(event.complained_recipients))
    else:
        print(event.event_type, event.message_id)


def make_app(
    verifier: SnsVerifier,
    on_event: Callable[[SesEvent], Awaitable[object] | object],
    unsub: sesflow.Unsubscribe,
    on_unsubscribe: Callable[[str, str | None, str | None], Awaitable[object] | object],
) -> FastAPI:
    app = FastAPI()

    @app.post("/ses-events")
    async def ses_events(request: Request) -> Response:
        body = b""
        async for chunk in request.stream():
            body += chunk
            if len(body) > MAX_SNS_BODY:
                return Response(status_code=413)
        status = await aio.handle_sns(
            body,
            dict(request.headers),
            verifier=verifier,
            on_event=on_event,
            confirm_subscriptions=True,
        )
        return Response(status_code=status)

    @app.api_route("/u/{token}", methods=["GET", "HEAD", "POST"])
    async def unsubscribe(request: Request, token: str) -> Response:
        status, headers, body = await aio.handle_unsubscribe(
            request.method,
            str(request.url),
            await request.body(),
            secrets=unsub,
            on_unsubscribe=on_unsubscribe,
            headers=dict(request.headers),
        )
        return Response(body, status_code=status, headers=headers)

    return app


# The verifier must name your topics, or handle_sns refuses to confirm subscriptions:
# app = make_app(SnsVerifier(allowed_topic_arns={TOPIC}), on_event, UNSUB,
#                aio.OptOut(newsletter))  # newsletter: an async contact list
# --8<-- [end:app]


async def subscribed(news: AsyncContactList) -> bool:
    contact = await news.contacts.get("ann@example.com")
    return contact is None or contact.subscribed("weekly")


async def play(app: FastAPI, fake: FakeSES, news: AsyncContactList) -> None:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="https://example.com") as http:
        # SNS delivers the bounce (signed by the fake), then retries it; then a forgery.
        [envelope] = fake.sns_messages(topic_arn=TOPIC)
        body = json.dumps(envelope).encode()
        headers = {"x-amz-sns-message-type": envelope["Type"]}
        answer = await http.post("/ses-events", content=body, headers=headers)
        print("SNS delivery answered", answer.status_code)
        answer = await http.post("/ses-events", content=body, headers=headers)
        print("SNS redelivery answered", answer.status_code)
        forged = body.replace(b"bounce@simulator", b"ceo@simulator")
        answer = await http.post("/ses-events", content=forged, headers=headers)
        print("forged delivery answered", answer.status_code)

        # Ann's mail client reads her unsubscribe link from the campaign's header.
        message = next(m for m in fake.outbox if m.to == ("ann@example.com",))
        link = dict(message.headers)["List-Unsubscribe"].strip("<>")
        answer = await http.get(link)  # a person, or a mail scanner: a page, nothing changes
        print(f"GET {answer.status_code}: subscribed to weekly: {await subscribed(news)}")
        answer = await http.post(  # the mail client's one-click POST (RFC 8058)
            link,
            content=b"List-Unsubscribe=One-Click",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        print(f"POST {answer.status_code}: subscribed to weekly: {await subscribed(news)}")


async def demo() -> None:
    fake = FakeSES()
    fake.verify("news@example.com")
    async with fake.async_client() as client:  # in production: AsyncSES("eu-west-1")
        ses = AsyncSES(client=client)
        events = await ses.configuration_set("events").create()
        await events.add_event_destination(
            "to-sns", ["BOUNCE", "COMPLAINT"], sesflow.SnsDestination(TOPIC)
        )
        news = await ses.contact_list("newsletter").create(
            topics=[sesflow.Topic("weekly", "Weekly")]
        )
        await ses.template("weekly").create(
            "This week", text="News. Unsubscribe: {{unsubscribe_url}}"
        )
        sender = ses.sender("news@example.com", configuration_set="events")
        await sender.send("bounce@simulator.amazonses.com", "Hello", text="This one bounces.")
        print(
            await sender.send_bulk(
                ["ann@example.com", "bob@example.com"], "weekly", unsubscribe=UNSUB
            )
        )
        verifier = SnsVerifier(allowed_topic_arns={TOPIC}, cert_fetcher=fake.cert_fetcher)
        await play(make_app(verifier, on_event, UNSUB, aio.OptOut(news)), fake, news)


def main() -> None:
    asyncio.run(demo())


if __name__ == "__main__":
    main()
