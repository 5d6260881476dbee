"""Single sends: simple, with attachments, from a template, and raw MIME.

Run as a script it plays against the offline fake SES.
"""

from __future__ import annotations

from email.message import EmailMessage

import sesflow
from sesflow import Attachment, InlineTemplate
from sesflow.testing import FakeSES


# --8<-- [start:send]
def send_examples(ses: sesflow.SES) -> None:
    sender = ses.sender("Example News <news@example.com>", reply_to="help@example.com")

    # Text and HTML, a header for one-click unsubscribe, an attachment.
    result = sender.send(
        ["bob@example.com"],
        "Your March report",
        text="Hi Bob, the report is attached.",
        html="<p>Hi Bob, the report is attached.</p>",
        attachments=[Attachment("report.csv", b"day,signups\n1,42\n")],
        headers={
            "List-Unsubscribe": "<https://example.com/unsubscribe?u=bob>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
        message_tags={"kind": "report"},
    )
    print("simple:", result.message_id)

    # A template sent inline: nothing to store beforehand.
    welcome = InlineTemplate("Welcome, {{name}}!", text="Hi {{name}}, glad you joined.")
    print("template:", sender.send_template("ann@example.com", welcome, data={"name": "Ann"}))

    # Full MIME control.
    message = EmailMessage()
    message["To"] = "carol@example.com"
    message["Subject"] = "Built by hand"
    message.set_content("Plain text part")
    message.add_alternative("<p>HTML part</p>", subtype="html")
    print("raw:", sender.send_raw(message).message_id)


# --8<-- [end:send]


if __name__ == "__main__":
    fake = FakeSES()
    fake.verify("news@example.com")  # the sender must be a verified identity
    ses = sesflow.SES(client=fake.client())
    send_examples(ses)
    print(f"{len(fake.outbox)} messages in the fake's outbox")
