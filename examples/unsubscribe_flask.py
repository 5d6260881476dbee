"""One-click unsubscribe links answered by Flask.

A campaign sent with `unsubscribe=` carries, per recipient, a signed link in the
`List-Unsubscribe` header (and in the body); this view answers it. A mail client's RFC 8058
POST opts the reader out of the topic in the SES contact list; a GET (a person, or a mail
scanner) only shows a page whose button POSTs. Run as a script it sends a campaign on the
offline fake SES, plays the mail client through Flask's test client, and sends again: the
reader who left is skipped.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from flask import Flask, Response, request

import sesflow
from sesflow.testing import FakeSES

# In production: a secret of your own (secrets.token_urlsafe(32)), kept out of the code.
SECRET = os.environ.get("UNSUBSCRIBE_SECRET", "demo secret, not for production!")
UNSUB = sesflow.Unsubscribe(SECRET, "https://example.com/u", topic="weekly")


# --8<-- [start:app]
def make_app(
    unsub: sesflow.Unsubscribe, on_unsubscribe: Callable[[str, str | None, str | None], object]
) -> Flask:
    app = Flask(__name__)

    @app.route("/u/<token>", methods=["GET", "POST"])
    def unsubscribe(token: str) -> Response:
        status, headers, body = sesflow.handle_unsubscribe(
            request.method,
            request.url,
            request.get_data(),
            secrets=unsub,
            on_unsubscribe=on_unsubscribe,
            headers=dict(request.headers),
        )
        return Response(body, status=status, headers=headers)

    return app


# app = make_app(UNSUB, sesflow.OptOut(ses.contact_list("newsletter")))
# --8<-- [end:app]


def subscribed(news: sesflow.ContactList) -> bool:
    contact = news.contacts.get("ann@example.com")
    return contact is None or contact.subscribed("weekly")


def main() -> None:
    fake = FakeSES()
    fake.verify("news@example.com")
    ses = sesflow.SES(client=fake.client())
    news = ses.contact_list("newsletter").create(topics=[sesflow.Topic("weekly", "Weekly")])
    ses.template("weekly").create("This week", text="News. Unsubscribe: {{unsubscribe_url}}")
    sender = ses.sender("news@example.com")
    readers = ["ann@example.com", "bob@example.com"]
    print(sender.send_bulk(readers, "weekly", unsubscribe=UNSUB))

    # The link in Ann's message, as her mail client reads it from the header.
    message = next(m for m in fake.outbox if m.to == ("ann@example.com",))
    link = dict(message.headers)["List-Unsubscribe"].strip("<>")
    client = make_app(UNSUB, sesflow.OptOut(news)).test_client()
    answer = client.get(link)  # a person, or a mail scanner: a page, nothing changes
    print(f"GET {answer.status_code}: subscribed to weekly: {subscribed(news)}")
    answer = client.post(  # the mail client's one-click POST (RFC 8058)
        link, data="List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    print(f"POST {answer.status_code}: subscribed to weekly: {subscribed(news)}")

    print(sender.send_bulk(readers, "weekly", unsubscribe=UNSUB, contact_list=news, topic="weekly"))


if __name__ == "__main__":
    main()
