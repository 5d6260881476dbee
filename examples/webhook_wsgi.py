"""An SNS → HTTPS webhook for SES events with the standard library's wsgiref.

Point a configuration set's SNS event destination at a topic, subscribe this endpoint
(HTTPS, behind your load balancer) to the topic, and every bounce, complaint, delivery...
arrives here verified and typed. Run as a script it serves on 127.0.0.1, delivers one
signed bounce from the offline fake SES to itself, and stops.
"""

from __future__ import annotations

import json
import threading
import urllib.request
from collections.abc import Callable, Iterable
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, make_server

from sesflow.events import BounceEvent, ComplaintEvent, SesEvent, SnsVerifier, handle_sns

TOPIC = "arn:aws:sns:us-east-1:123456789012:ses-events"


# --8<-- [start:app]
def on_event(event: SesEvent) -> None:
    if isinstance(event, BounceEvent) and event.is_permanent:
        for recipient in event.bounced_recipients:
            print("stop mailing (hard bounce):", recipient.email_address)
    elif isinstance(event, ComplaintEvent):
        print("stop mailing (complaint):", ", ".join(event.complained_recipients))
    else:
        print(event.event_type, event.message_id)


def make_app(verifier: SnsVerifier) -> Callable[..., Iterable[bytes]]:
    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(min(length, 256 * 1024))  # SNS bodies are small
        headers = {
            key[5:].replace("_", "-").lower(): value
            for key, value in environ.items()
            if key.startswith("HTTP_")
        }
        status = handle_sns(
            body, headers, verifier=verifier, on_event=on_event, confirm_subscriptions=True
        )
        start_response(f"{status} {'OK' if status == 200 else 'Error'}", [])
        return [b""]

    return app


# The verifier must name your topics, or handle_sns refuses to confirm subscriptions:
# verifier = SnsVerifier(allowed_topic_arns={TOPIC})
# --8<-- [end:app]


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def main() -> None:
    import sesflow
    from sesflow.testing import FakeSES

    fake = FakeSES()
    fake.verify("news@example.com")
    ses = sesflow.SES(client=fake.client())
    cs = ses.configuration_set("events").create()
    cs.add_event_destination("to-sns", ["BOUNCE", "COMPLAINT"], sesflow.SnsDestination(TOPIC))
    sender = ses.sender("news@example.com", configuration_set="events")
    sender.send("bounce@simulator.amazonses.com", "Hello", text="This one bounces.")

    verifier = SnsVerifier(allowed_topic_arns={TOPIC}, cert_fetcher=fake.cert_fetcher)
    server = make_server("127.0.0.1", 0, make_app(verifier), handler_class=_Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        for envelope in fake.sns_messages(topic_arn=TOPIC):
            request = urllib.request.Request(
                f"http://127.0.0.1:{server.server_port}/ses-events",
                data=json.dumps(envelope).encode(),
                headers={"x-amz-sns-message-type": envelope["Type"]},
            )
            with urllib.request.urlopen(request) as response:
                print("webhook answered", response.status)
    finally:
        server.shutdown()
        server.server_close()


if __name__ == "__main__":
    main()
