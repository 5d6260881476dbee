"""An in-memory SES v2 for tests: real boto3 clients, no network, scriptable state.

`FakeSES` answers a real boto3 `sesv2` client in-process through botocore's event
hooks, so botocore's parameter validation, REST-JSON serialisation and response parsing all run
exactly as against AWS; only the socket is missing. Identities start `PENDING` as in SES and
move when a test says so; `FakeClock` lets waits and timed transitions run instantly.

Examples:
    >>> from sesflow.testing import FakeClock, FakeSES
    >>> clock = FakeClock()
    >>> fake = FakeSES(clock=clock)
    >>> client = fake.client()
    >>> _ = client.create_email_identity(EmailIdentity="example.com")
    >>> fake.transition("example.com", "SUCCESS", after_seconds=300)
    >>> clock.advance(300)  # five minutes, at once
    >>> client.get_email_identity(EmailIdentity="example.com")["VerifiedForSendingStatus"]
    True
"""

from __future__ import annotations

from sesflow.testing._account import FakeAccount, FakeAccountDetails
from sesflow.testing._clock import FakeClock
from sesflow.testing._configuration_sets import FakeConfigurationSet, FakeEventDestination
from sesflow.testing._contacts import FakeContact, FakeContactList, FakeUnsubscribedRecipient
from sesflow.testing._dns import FakeDNS
from sesflow.testing._endpoints import FakeMultiRegionEndpoint
from sesflow.testing._events import FakeEventDelivery
from sesflow.testing._exports import FakeExportJob
from sesflow.testing._fake import FakeCall, FakeError
from sesflow.testing._fake_ses import FakeSES
from sesflow.testing._identities import FakeIdentity
from sesflow.testing._ip_pools import FakeDedicatedIp, FakeDedicatedIpPool
from sesflow.testing._local import LocalAttachment, LocalIdentity, LocalMessage, LocalOutbox
from sesflow.testing._outbox import FakeAttachment, FakeMessage
from sesflow.testing._stats import FakeStats
from sesflow.testing._suppression import FakeSuppressedDestination, FakeSuppressedRecipient
from sesflow.testing._tenants import FakeTenant, FakeTenantResource

__all__ = [
    "FakeAccount",
    "FakeAccountDetails",
    "FakeAttachment",
    "FakeCall",
    "FakeClock",
    "FakeConfigurationSet",
    "FakeContact",
    "FakeContactList",
    "FakeDNS",
    "FakeDedicatedIp",
    "FakeDedicatedIpPool",
    "FakeError",
    "FakeEventDelivery",
    "FakeEventDestination",
    "FakeExportJob",
    "FakeIdentity",
    "FakeMessage",
    "FakeMultiRegionEndpoint",
    "FakeSES",
    "FakeStats",
    "FakeSuppressedDestination",
    "FakeSuppressedRecipient",
    "FakeTenant",
    "FakeTenantResource",
    "FakeUnsubscribedRecipient",
    "LocalAttachment",
    "LocalIdentity",
    "LocalMessage",
    "LocalOutbox",
]
