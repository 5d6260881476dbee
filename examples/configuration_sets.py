"""A configuration set: an IP pool, event destinations, and an identity's default set.

Run as a script it plays against the offline fake SES.
"""

from __future__ import annotations

import sesflow
from sesflow import CloudWatchDestination, CloudWatchDimension, EventType, SnsDestination
from sesflow.testing import FakeSES

TOPIC = "arn:aws:sns:us-east-1:123456789012:ses-events"


# --8<-- [start:setup]
def set_up_tracking(ses: sesflow.SES) -> sesflow.ConfigurationSet:
    pool = ses.ip_pool("marketing-ips").create()  # the console's "IP pool"
    marketing = ses.configuration_set("marketing").create(
        sending_pool=pool.name,
        tls_policy=sesflow.TlsPolicy.REQUIRE,
        reputation_metrics=True,
    )
    # Track send, delivery, open, click, bounce and complaint events.
    marketing.add_event_destination(
        "to-sns",
        [
            EventType.SEND,
            EventType.DELIVERY,
            EventType.OPEN,
            EventType.CLICK,
            EventType.BOUNCE,
            EventType.COMPLAINT,
        ],
        SnsDestination(TOPIC),  # add sns_client=boto3.client("sns") to grant SES publish
    )
    marketing.add_event_destination(
        "metrics",
        [EventType.BOUNCE, EventType.COMPLAINT],
        CloudWatchDestination([CloudWatchDimension("campaign", default_value="none")]),
    )
    # Mail from this address uses the set unless a send names another.
    ses.identity("news@example.com").create().set_configuration_set("marketing")
    for destination in marketing.event_destinations():
        print(destination.name, sorted(e.value for e in destination.events))
    return marketing


# --8<-- [end:setup]


if __name__ == "__main__":
    ses = sesflow.SES(client=FakeSES().client())
    marketing = set_up_tracking(ses)
    print(marketing, "sends through", marketing.sending_pool)
    marketing.update_sending(enabled=False)  # pause everything sent with it
    print("sending enabled:", ses.configuration_set("marketing").sending_enabled)
