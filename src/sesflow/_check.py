"""What a bulk run would do with each recipient, without sending: `Sender.check_bulk`.

The same checks as `send_bulk` (the same function decides), in the same order: a
recipient sesflow cannot send is `INVALID` with the reason a run would report; a repeat
of an address listed earlier is `REPEAT`; one an earlier run with the journal finished is
`FINISHED`; one another live run of a shared campaign is sending is `TAKEN`; one whose
earlier call's answer was lost is `AMBIGUOUS` (a run sends it again under at-least-once);
everyone else is `SEND`. Nothing is sent and the journal is only read (no lock: a run
using it meanwhile is not disturbed).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._bulk import campaign_of, check_entry
from ._journal import FINAL, open_reader
from ._message import Recipient, template_data
from ._runtime import THREADS, Runtime
from ._seen import SeenAddresses

if TYPE_CHECKING:
    from ._journal import JournalBackend

__all__ = ["BulkCheck", "CheckVerdict", "check_recipients"]


class CheckVerdict(StrEnum):
    """What a bulk run would do with one recipient.

    Examples:
        >>> CheckVerdict.SEND.value
        'send'
    """

    SEND = "send"
    INVALID = "invalid"
    REPEAT = "repeat"
    FINISHED = "finished"
    TAKEN = "taken"
    AMBIGUOUS = "ambiguous"


@dataclass(frozen=True, slots=True)
class BulkCheck:
    """One recipient, checked (`Sender.check_bulk`).

    Attributes:
        address: the recipient's address as given (cut to 320 characters when unusable).
        verdict: what a run would do with it.
        reason: why it would not be sent (`INVALID`, `FINISHED`, `TAKEN`, `AMBIGUOUS`),
            else None.
        data: the template data it would be sent with (JSON), when it has its own.

    Examples:
        >>> BulkCheck("ann@example.com", CheckVerdict.SEND).will_send
        True
    """

    address: str
    verdict: CheckVerdict
    reason: str | None = None
    data: str | None = None

    @property
    def will_send(self) -> bool:
        """Whether a run would send to this recipient."""
        return self.verdict in (CheckVerdict.SEND, CheckVerdict.AMBIGUOUS)


def check_recipients(
    recipients: Iterable[str | Recipient],
    *,
    from_address: str,
    content: Mapping[str, Any],
    default_data: Mapping[str, Any] | None,
    journal: str | Path | JournalBackend | None,
    runtime: Runtime = THREADS,
) -> Iterator[BulkCheck]:
    """The checks, one per recipient, lazily (see the module's docstring); the journal
    read with `runtime` (on `sesflow.aio`'s event loop, PostgreSQL's asynchronously).

    Bad arguments and an unusable journal are refused here, before the first check.
    """
    template_data(default_data, field="default_data")
    campaign = campaign_of(from_address, content)
    if journal is not None:
        open_reader(journal, identity=campaign, runtime=runtime).close()
    return _checks(recipients, dict(default_data or {}), journal, campaign, runtime)


def _checks(
    recipients: Iterable[str | Recipient],
    default: Mapping[str, Any],
    journal: str | Path | JournalBackend | None,
    campaign: str,
    runtime: Runtime,
) -> Iterator[BulkCheck]:
    view = None
    if journal is not None:
        view = open_reader(journal, identity=campaign, runtime=runtime)
    seen = SeenAddresses()
    try:
        for item in recipients:
            entry, reason = check_entry(item, default)
            if entry is None:
                given = item.address if isinstance(item, Recipient) else item
                text = given if isinstance(given, str) else repr(given)
                yield BulkCheck(text[:320], CheckVerdict.INVALID, reason)
                continue
            address = entry.address
            if not seen.take([address])[0]:
                yield BulkCheck(address, CheckVerdict.REPEAT, "listed earlier in this run")
                continue
            state = view.state(address) if view is not None else None
            if state in FINAL:
                yield BulkCheck(address, CheckVerdict.FINISHED, f"{state} in an earlier run")
            elif state == "busy":
                reason = "another run of the campaign is sending it"
                yield BulkCheck(address, CheckVerdict.TAKEN, reason, entry.data)
            elif state == "ambiguous":
                reason = "an earlier run's call carrying it got no answer: it may have been sent"
                yield BulkCheck(address, CheckVerdict.AMBIGUOUS, reason, entry.data)
            else:
                yield BulkCheck(address, CheckVerdict.SEND, None, entry.data)
    finally:
        seen.close()
        if view is not None:
            view.close()
