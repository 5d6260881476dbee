"""Stored templates and the suppression list.

Run as a script it plays against the offline fake SES.
"""

from __future__ import annotations

import sesflow
from sesflow.testing import FakeSES


# --8<-- [start:templates]
def manage_templates(ses: sesflow.SES) -> None:
    welcome = ses.template("welcome").create(
        "Welcome, {{name}}!",
        html="<h1>Hi {{name}}</h1><p>Thanks for joining.</p>",
        text="Hi {{name}}, thanks for joining.",
    )
    print(welcome.render({"name": "Ann"}))  # SES renders it: check before a campaign
    try:
        welcome.render({})
    except sesflow.ValidationError as exc:
        print("incomplete data:", exc)
    print("templates:", [t.name for t in ses.templates()])


# --8<-- [end:templates]


# --8<-- [start:suppression]
def manage_suppression(ses: sesflow.SES) -> None:
    ses.suppression_list.add("bounced@example.com", sesflow.SuppressionReason.BOUNCE)
    entry = ses.suppression_list.get("bounced@example.com")
    print(entry)
    for suppressed in ses.suppression_list.filter(reasons=["BOUNCE"]):
        print("suppressed:", suppressed.address, suppressed.reason.value)
    ses.suppression_list.remove("bounced@example.com")  # they fixed their mailbox


# --8<-- [end:suppression]


if __name__ == "__main__":
    ses = sesflow.SES(client=FakeSES().client())
    manage_templates(ses)
    manage_suppression(ses)
