"""The async API: `AsyncSES` and its resources, method for method the sync API, awaited.

Needs the `async` extra (`pip install "sesflow[async]"`: aiobotocore and greenlet).
Every class is the async twin of the sync one of the same name without `Async` (the same
arguments, results and errors); verbs are awaited, listings are async iterators, and
factories that make no AWS call (`ses.identity(...)`, `ses.sender(...)`) stay plain calls.
The logic is sesflow's one implementation, run on the event loop (docs/design/async.md).

Examples:
    >>> import asyncio
    >>> from sesflow.aio import AsyncSES
    >>> from sesflow.testing import FakeSES
    >>> async def main():
    ...     async with FakeSES(auto_verify=True).async_client() as client:
    ...         ses = AsyncSES(client=client)
    ...         ident = await ses.identity("ann@example.com").create()
    ...         result = await ses.sender("ann@example.com").send(
    ...             to="bob@example.com", subject="Hi", text="Hello")
    ...         return ident, len(result.message_id) > 0
    >>> asyncio.run(main())
    (Identity('ann@example.com', verification_status=SUCCESS), True)
"""

from sesflow._bridge import AwaitRequiredError
from sesflow.aio._api import (
    AsyncAccount,
    AsyncConfigurationSet,
    AsyncContactList,
    AsyncContacts,
    AsyncDedicatedIp,
    AsyncDedicatedIpPool,
    AsyncDomain,
    AsyncExportJob,
    AsyncIdentity,
    AsyncIdentityPolicy,
    AsyncMultiRegionEndpoint,
    AsyncSender,
    AsyncSentMessage,
    AsyncSES,
    AsyncSuppressionList,
    AsyncTemplate,
    AsyncTenant,
    AsyncVerificationTemplate,
)
from sesflow.aio._events import OptOut, handle_sns, handle_unsubscribe

__all__ = [
    "AsyncAccount",
    "AsyncConfigurationSet",
    "AsyncContactList",
    "AsyncContacts",
    "AsyncDedicatedIp",
    "AsyncDedicatedIpPool",
    "AsyncDomain",
    "AsyncExportJob",
    "AsyncIdentity",
    "AsyncIdentityPolicy",
    "AsyncMultiRegionEndpoint",
    "AsyncSES",
    "AsyncSender",
    "AsyncSentMessage",
    "AsyncSuppressionList",
    "AsyncTemplate",
    "AsyncTenant",
    "AsyncVerificationTemplate",
    "AwaitRequiredError",
    "OptOut",
    "handle_sns",
    "handle_unsubscribe",
]
