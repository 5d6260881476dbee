"""One-click unsubscribe links answered by Django.

The same view as in the Flask example, as a Django view: `csrf_exempt`, because a mail
client's RFC 8058 POST carries no CSRF token (the signed token in the URL is the proof). Run
as a script it configures a minimal Django, sends a campaign on the offline fake SES, plays
the mail client through Django's test client, and sends again: the reader who left is skipped.
"""

from __future__ import annotations

import os
from collections.abc import Callable

import django
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import URLPattern, path
from django.views.decorators.csrf import csrf_exempt

import sesflow
from sesflow.testing import FakeSES

# In production: a secret of your own (secrets.token_urlsafe(32)), kept out of the code.
SECRET = os.environ.get("UNSUBSCRIBE_SECRET", "demo secret, not for production!")
UNSUB = sesflow.Unsubscribe(SECRET, "https://example.com/u", topic="weekly")


# --8<-- [start:app]
def unsubscribe_urls(
    unsub: sesflow.Unsubscribe, on_unsubscribe: Callable[[str, str | None, str | None], object]
) -> list[URLPattern]:
    @csrf_exempt  # mail clients POST without a CSRF token; the signed token is the proof
    def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
        status, headers, body = sesflow.handle_unsubscribe(
            request.method or "GET",
            request.build_absolute_uri(),
            request.body,
            secrets=unsub,
            on_unsubscribe=on_unsubscribe,
            headers=dict(request.headers),
        )
        return HttpResponse(body, status=status, headers=headers)

    return [path("u/<str:token>", unsubscribe)]


# urlpatterns = [..., *unsubscribe_urls(UNSUB, sesflow.OptOut(ses.contact_list("newsletter")))]
# --8<-- [end:app]

urlpatterns: list[URLPattern] = []  # this script's URL configuration, filled by main()


def configure_django() -> None:
    if not settings.configured:
        settings.configure(
            DEBUG=False,
            SECRET_KEY="demo only",
            ALLOWED_HOSTS=["example.com"],
            ROOT_URLCONF=__name__,
            MIDDLEWARE=[
                "django.middleware.common.CommonMiddleware",
                "django.middleware.csrf.CsrfViewMiddleware",
            ],
        )
        django.setup()


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
    configure_django()
    urlpatterns[:] = unsubscribe_urls(UNSUB, sesflow.OptOut(news))
    # CSRF checks on, as a real request meets them; the site is example.com, over https.
    client = Client(enforce_csrf_checks=True, HTTP_HOST="example.com")
    answer = client.get(link, secure=True)  # a person, or a mail scanner: a page only
    print(f"GET {answer.status_code}: subscribed to weekly: {subscribed(news)}")
    answer = client.post(  # the mail client's one-click POST (RFC 8058)
        link,
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
        secure=True,
    )
    print(f"POST {answer.status_code}: subscribed to weekly: {subscribed(news)}")

    print(sender.send_bulk(readers, "weekly", unsubscribe=UNSUB, contact_list=news, topic="weekly"))


if __name__ == "__main__":
    main()
