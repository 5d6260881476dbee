"""The rate-limited bulk sender.

A bulk send flows one way: recipients → check → dedupe → batches → limiter → call →
per-entry results → journal → report.

One thread reads the recipients lazily, checks them (a bad one fails alone, as
`INVALID_RECIPIENT`), drops repeats and recipients an earlier run finished, and hands
batches through a bounded queue (so memory stays flat however long the input) to worker
threads. Each worker waits for the shared `RateLimiter`, sends one `SendBulkEmail` call
and reads every entry's status, because SES answers HTTP 200 even when entries fail:

- `SUCCESS` → sent; permanent statuses (`MESSAGE_REJECTED`, `INVALID_PARAMETER`, ...)
  → failed, and the run goes on;
- `ACCOUNT_THROTTLED` / `TRANSIENT_FAILURE` → only those entries go round again, with
  backoff (the pace slows after throttles, then recovers); entries that only ever met
  transient errors are failed for this run but not final: a later run with the journal
  tries them again;
- campaign-fatal statuses and errors (template or configuration set missing, MAIL FROM
  not verified, account paused or suspended, daily quota) stop the run.

A whole-call 429 retries the call and slows the pace; 5xx and refused connections are
retried with backoff. A connection lost *after* the request was sent is ambiguous: the
recipients may have been sent. At-least-once (the default) sends them again and counts
them in `ambiguous`; at-most-once records them as failed with status `AMBIGUOUS`.
botocore never retries a send underneath (see `sesflow._ses.guard_sends`).

Repeats: each address is sent once per run, with or without a journal: the reader
records every address it admits in a run-local set (in memory up to a budget, then on
disk) at the moment it admits it, so no repeat can slip in however many workers finish
meanwhile.

Claims: with a journal, a worker claims its batch (`JournalStore.claim`) before sending
it: recipients an earlier run finished are skipped, and so are those another live run of
a shared campaign holds (`sesflow.postgres.PostgresJournal`). Claiming in the worker, not
the reader, keeps what a run holds at any time to what it is sending, so that concurrent
runs split a campaign evenly and a run that dies leaves little behind. Once its input is
read, a run takes over what runs that died left (`JournalStore.leftovers`), and ends when
no other live run holds any recipient of the campaign.

Calls in flight: as many as the measured latency and the rate need (`CallWindow`), up to
64 threads; a fixed number with `concurrency=`.

Stopping: an interrupt (Ctrl-C, or SIGTERM turned into one by `interrupt_on_sigterm`)
stops reading and sending; calls in flight finish and are journaled. A journal that
cannot write (a full disk, a damaged file) stops the run with `JournalError`, after the
outcomes SES already answered are written (the journal keeps a disk reserve for them).
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import queue
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from itertools import islice
from typing import TYPE_CHECKING, Any, Literal

from tenacity import (
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential,
    wait_random,
)

from ._account import Account
from ._enums import BulkEmailStatus
from ._errors import (
    AccountSuspendedError,
    ApiError,
    BadRequestError,
    DailyQuotaExceededError,
    JournalError,
    MailFromDomainNotVerifiedError,
    NotFoundError,
    SendingPausedError,
    ServiceError,
    SesflowError,
    ThrottledError,
    TransportError,
    ValidationError,
)
from ._journal import FINAL, JournalBackend, JournalStore, open_store
from ._logging import logger
from ._message import Recipient, header_list, tag_list, template_content, template_data
from ._progress import ProgressSink, make_progress
from ._ratelimit import Pace, RateLimiter, batch_size
from ._report import BulkFailure, BulkProgress, BulkReport, BulkResult, attach_report
from ._runtime import Worker, WorkQueue
from ._seen import SeenAddresses
from ._validate import is_plain_address, validate_address, validate_max_rate
from ._window import CallWindow

if TYPE_CHECKING:
    from ._sender import Sender
    from ._unsubscribe import BulkExtras

__all__ = ["BulkRun", "bulk_status", "campaign_of", "check_entry"]

#: Attempts per batch before its remaining entries are given up for this run.
MAX_ATTEMPTS = 10
#: The most worker threads (calls in flight) a run uses.
MAX_WORKERS = 64
_DELIVERY = ("at-least-once", "at-most-once")
_EARLIER_CALL_LOST = "a previous run's request got no answer"
_DIED_IN_FLIGHT = "the run sending it stopped with its request in flight (no answer)"

_RETRY_STATUSES = frozenset({"ACCOUNT_THROTTLED", "TRANSIENT_FAILURE"})
_FATAL_STATUSES: dict[str, type[ApiError]] = {
    "TEMPLATE_NOT_FOUND": NotFoundError,
    "CONFIGURATION_SET_NOT_FOUND": NotFoundError,
    "MAIL_FROM_DOMAIN_NOT_VERIFIED": MailFromDomainNotVerifiedError,
    "ACCOUNT_SUSPENDED": AccountSuspendedError,
    "ACCOUNT_SENDING_PAUSED": SendingPausedError,
    "CONFIGURATION_SET_SENDING_PAUSED": SendingPausedError,
    "ACCOUNT_DAILY_QUOTA_EXCEEDED": DailyQuotaExceededError,
    "INVALID_SENDING_POOL_NAME": BadRequestError,
}


class _Entry:
    """One recipient on its way: what its SES entry carries, and what happened to it.

    A plain slotted class with a hand-written `__init__`: a run makes one per recipient,
    and a plain address (the common case) must cost as little as possible.
    """

    __slots__ = (
        "address",
        "data",
        "error",
        "headers",
        "lost_calls",
        "reserved",
        "status",
        "tags",
        "taken",
    )

    def __init__(
        self,
        address: str,
        data: str | None = None,  # JSON, merged over the default data; None: the default
        tags: list[dict[str, str]] | None = None,
        headers: list[dict[str, str]] | None = None,
    ) -> None:
        self.address = address
        self.data = data
        self.tags = tags
        self.headers = headers
        self.reserved = False  # counted against the daily quota already
        self.taken = False  # claimed already (taken over from a run that died)
        # Journal ids of earlier calls carrying this entry whose answers were lost.
        self.lost_calls: tuple[int, ...] = ()
        self.status = ""
        self.error = ""

    def payload(self) -> str | None:
        """What the entry carries besides its address, for a shared journal (so that
        another run can send it if this one dies); None for a plain address."""
        if self.data is None and not self.tags and not self.headers:
            return None
        return json.dumps([self.data, self.tags, self.headers], separators=(",", ":"))

    @classmethod
    def from_payload(cls, address: str, payload: str | None) -> _Entry:
        if payload is None:
            return cls(address)
        data, tags, headers = json.loads(payload)
        return cls(address, data, tags, headers)

    def to_ses(self) -> dict[str, Any]:
        entry: dict[str, Any] = {"Destination": {"ToAddresses": [self.address]}}
        if self.data is not None:
            entry["ReplacementEmailContent"] = {
                "ReplacementTemplate": {"ReplacementTemplateData": self.data}
            }
        if self.tags:
            entry["ReplacementTags"] = self.tags
        if self.headers:
            entry["ReplacementHeaders"] = self.headers
        return entry


class _RetryError(Exception):
    """Some entries of a batch are worth another try."""


class _Tally:
    """The run's counts, shared by the threads."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self.lock = threading.Lock()
        self.read = 0
        self.sent = 0
        self.failed = 0
        self.skipped = 0
        self.repeats = 0
        self.opted_out = 0
        self.ambiguous = 0
        self.failures: list[BulkFailure] = []
        self.clock = clock
        self.start = clock()

    def progress(self) -> BulkProgress:
        return BulkProgress(
            read=self.read,
            sent=self.sent,
            failed=self.failed,
            skipped=self.skipped,
            elapsed=self.clock() - self.start,
        )

    def report(self) -> BulkReport:
        return BulkReport(
            total=self.read,
            sent=self.sent,
            failed=self.failed,
            skipped=self.skipped,
            ambiguous=self.ambiguous,
            failures=tuple(self.failures),
            duration=self.clock() - self.start,
            unsent=self.read - self.sent - self.failed - self.skipped,
            repeats=self.repeats,
            opted_out=self.opted_out,
        )


class BulkRun:
    """One `send_bulk()` call: validated up front, executed by `execute()`."""

    def __init__(
        self,
        sender: Sender,
        template: object,
        recipients: Iterable[str | Recipient],
        *,
        default_data: Mapping[str, Any] | None,
        journal: str | os.PathLike[str] | JournalBackend | None,
        progress: bool | Callable[[BulkProgress], object],
        concurrency: int | Literal["auto"],
        max_rate: float | None,
        delivery: str,
        on_result: Callable[[BulkResult], object] | None,
        extras: BulkExtras | None = None,
        screen: Callable[[list[str]], Mapping[str, str]] | None = None,
    ) -> None:
        self._extras = extras  # unsubscribe headers, and skipping who left a topic
        self._screen = screen  # addresses -> {address: why to leave it out}
        self._sender = sender
        self._ses = sender._ses
        self._content = template_content(template)
        self._default = template_data(default_data, field="default_data")
        self._default_map: dict[str, Any] = dict(default_data or {})
        if isinstance(recipients, str | bytes) or not isinstance(recipients, Iterable):
            raise ValidationError(
                "recipients: expected an iterable of addresses or Recipient objects",
                field="recipients",
            )
        self._recipients = recipients
        if delivery not in _DELIVERY:
            raise ValidationError(
                f"delivery: {delivery!r} is not one of {', '.join(_DELIVERY)}", field="delivery"
            )
        self._at_most_once = delivery == "at-most-once"
        if concurrency != "auto" and (
            isinstance(concurrency, bool)
            or not isinstance(concurrency, int)
            or not 1 <= concurrency <= 256
        ):
            raise ValidationError(
                f'concurrency: must be "auto" or an int from 1 to 256, got {concurrency!r}',
                field="concurrency",
            )
        self._concurrency = concurrency
        self._max_rate = None if max_rate is None else validate_max_rate(max_rate)
        if journal is not None and not isinstance(journal, str | os.PathLike | JournalBackend):
            raise ValidationError(
                f"journal: expected a file path or a PostgresJournal, got {type(journal).__name__}",
                field="journal",
            )
        if isinstance(journal, str) and journal.startswith(("postgresql://", "postgres://")):
            # Not a file name anyone means: say what a PostgreSQL journal needs.
            raise ValidationError(
                "journal: a PostgreSQL journal needs its campaign's name: "
                'journal=sesflow.postgres.PostgresJournal(url, campaign="...")',
                field="journal",
            )
        self._journal_source = journal
        self._progress = progress
        self._on_result = on_result
        self._tally = _Tally(self._ses.clock)
        # Threads for the sync API, event-loop tasks for sesflow.aio: the same engine.
        self._runtime = self._ses._runtime
        self._stop = threading.Event()
        self._fatal: BaseException | None = None
        self._fatal_lock = threading.Lock()
        self._journal: JournalStore | None = None
        self._seen: SeenAddresses | None = None
        self._quota_left: float | None = None
        self._quota_lock = threading.Lock()
        self._sink: ProgressSink = make_progress(False, None)
        # The worker pool.
        self._window: CallWindow | None = None
        self._pool_lock = threading.Lock()
        self._threads: list[Worker] = []
        self._live = 0
        self._closing = False
        # Batches queued and not yet done by a worker (see `_wait_for_workers`).
        self._outstanding = 0
        self._done = self._runtime.condition()

    # Set-up

    def _campaign(self) -> str:
        return campaign_of(self._sender.from_address, self._content)

    def _plan(self) -> tuple[Pace, int, int]:
        """The pace (the SES's limiter, under this run's cap), the batch size, and the
        workers to start with."""
        account = Account._load(self._ses)  # the quotas as of now, for this run
        quota = account.quota
        if quota.max_send_rate <= 0:
            raise SendingPausedError(
                f"the account's MaxSendRate in {self._ses.region} is "
                f"{quota.max_send_rate:g}; nothing can be sent",
                operation="GetAccount",
            )
        if not quota.unlimited:
            self._quota_left = quota.remaining_24h
        self._ses._seed_account_rate(quota.max_send_rate)
        # Every send through this SES shares its limiter: concurrent runs and single sends
        # together stay under its rate. `max_rate` caps this run below it.
        shared = self._ses.limiter
        rate = shared.rate
        cap: RateLimiter | None = None
        if self._max_rate is not None:
            if self._max_rate > rate:
                logger.warning(
                    "max_rate %g is above the rate of the SES's limiter (%g; by default the "
                    "account's MaxSendRate); using %g",
                    self._max_rate,
                    rate,
                    rate,
                )
            elif self._max_rate < rate:
                rate = self._max_rate
                cap = RateLimiter(
                    rate, clock=self._ses.clock, sleep=self._ses.sleep, runtime=self._runtime
                )
        pace = Pace(shared, cap)
        batch = batch_size(max(1, math.floor(rate + 1e-9)))
        if self._concurrency != "auto":
            return pace, batch, self._concurrency
        # As many calls in flight as the measured latency and the rate need.
        self._window = CallWindow(rate=rate, batch=batch, maximum=MAX_WORKERS)
        return pace, batch, self._window.size

    # Running

    def execute(self) -> BulkReport:
        # The journal is opened (locked, for a file) and checked before any call is made.
        if self._journal_source is not None:
            # Under sesflow.aio, a file's work runs in worker threads, PostgreSQL's on the
            # loop (an async connection): never on the loop's thread, blocking it.
            self._journal = open_store(
                self._journal_source, identity=self._campaign(), runtime=self._runtime
            )
        self._seen = SeenAddresses()
        try:
            return self._execute()
        finally:
            if self._seen is not None:
                self._seen.close()
            if self._journal is not None:
                try:
                    self._journal.close()
                except JournalError as exc:  # only after another error: keep that one
                    logger.error("%s", exc)

    def _execute(self) -> BulkReport:
        pace, size, workers = self._plan()
        self._limiter = pace
        self._client = self._ses._sending_client()
        self._request = self._fixed_request()
        # One policy for every batch; tenacity keeps each call's state per thread.
        self._retrying = Retrying(
            retry=retry_if_exception_type(_RetryError),
            stop=stop_after_attempt(MAX_ATTEMPTS),
            wait=wait_exponential(multiplier=0.5, max=30.0) + wait_random(0, 0.5),
            sleep=self._ses.sleep,
            reraise=True,
        )
        total = len(self._recipients) if isinstance(self._recipients, list | tuple) else None
        sink = make_progress(self._progress, total)
        self._sink = sink
        maximum = self._window.maximum if self._window is not None else workers
        work: WorkQueue[list[_Entry] | None] = self._runtime.queue(max(2, maximum * 2))
        self._work_queue = work
        logger.info(
            "bulk send: rate %g/s, batches of %d, %s workers",
            pace.rate,
            size,
            f"{workers} (adaptive, up to {maximum})" if self._window is not None else workers,
        )
        self._grow(workers)
        interrupted: BaseException | None = None
        try:
            for batch in self._batches(size):
                if not self._put(work, batch):
                    break
        except Exception as exc:
            # The recipients iterable failed: finish what was read, then re-raise.
            interrupted = exc
        except BaseException as exc:  # KeyboardInterrupt (or SIGTERM): stop quickly.
            interrupted = exc
            self._stop.set()
        interrupted = self._drain(interrupted)
        sink.close()
        logger.info("bulk send: done; %d worker(s) used", len(self._threads))
        if self._journal is not None:
            try:
                self._journal.close()  # writes anything still pending
            except JournalError as exc:
                self._fail(exc)
        report = self._tally.report()
        error = self._fatal or interrupted
        if error is not None:
            # Every error that stops a run carries the partial report, sesflow's or not.
            attach_report(error, report)  # read with `sesflow.partial_report(error)`
            error.add_note(f"sesflow: the bulk run stopped; partial report: {report!r}")
            raise error
        return report

    def _drain(self, interrupted: BaseException | None) -> BaseException | None:
        """Tell every worker to finish and wait for them, whatever interrupts the wait.

        Calls in flight always finish and are journaled: a second interrupt while
        waiting only stops the work still queued.
        """
        with self._pool_lock:
            self._closing = True  # no worker starts or retires from now on
            sentinels = self._live
            threads = list(self._threads)
        while True:
            try:
                while sentinels:
                    self._work_queue.put(None)
                    sentinels -= 1
                for thread in threads:
                    thread.join()
                return interrupted
            except BaseException as exc:
                self._stop.set()
                interrupted = interrupted or exc

    def _grow(self, target: int) -> None:
        """Start workers until `target` are running (none once the run is closing)."""
        with self._pool_lock:  # started under it, so `_drain` joins every one
            while not self._closing and self._live < target:
                name = f"sesflow-bulk-{len(self._threads)}"
                self._threads.append(self._runtime.start(self._work, name))
                self._live += 1

    def _retire(self) -> bool:
        """Whether this worker should stop because the window shrank."""
        window = self._window
        if window is None:
            return False
        with self._pool_lock:
            if self._closing or self._live <= window.size:
                return False
            self._live -= 1
            return True

    def _fixed_request(self) -> dict[str, Any]:
        """What every SendBulkEmail call of the run carries besides its entries."""
        sender = self._sender
        request: dict[str, Any] = {
            "FromEmailAddress": sender.from_address,
            "DefaultContent": {"Template": {**self._content, "TemplateData": self._default}},
        }
        if sender.reply_to:
            request["ReplyToAddresses"] = list(sender.reply_to)
        if sender.configuration_set:
            request["ConfigurationSetName"] = sender.configuration_set
        if sender._tags:
            request["DefaultEmailTags"] = sender._tags
        request.update(sender._request_options)
        request.update(sender._routing)  # TenantName, EndpointId
        return request

    def _put(self, work: WorkQueue[list[_Entry] | None], batch: list[_Entry]) -> bool:
        with self._done:
            self._outstanding += 1
        while not self._stop.is_set():
            try:
                work.put(batch, timeout=0.05)
            except queue.Full:
                continue
            return True
        self._batch_done()
        return False

    def _batch_done(self) -> None:
        with self._done:
            self._outstanding -= 1
            if not self._outstanding:
                self._done.notify_all()

    def _wait_for_workers(self) -> None:
        """Until every batch queued so far is done (or the run stops)."""
        with self._done:
            while self._outstanding and not self._stop.is_set():
                self._done.wait(0.05)

    def _batches(self, size: int) -> Iterator[list[_Entry]]:
        source = iter(self._recipients)
        tally = self._tally
        stop = self._stop
        buffer: list[_Entry] = []
        while not stop.is_set():
            items: list[object] = []
            failure: Exception | None = None
            try:
                # A slice at a time: the per-recipient loop below is the run's hottest.
                items.extend(islice(source, size - len(buffer)))
            except Exception as exc:
                # The source failed: what was read before it still goes out. (`extend`
                # keeps the items it took before the error.)
                failure = exc
            # Only this thread writes `read`; the others only read it.
            tally.read += len(items)
            buffer += self._entries(items)
            if failure is not None:
                if buffer and (batch := self._admit(buffer)):
                    yield batch
                raise failure
            if not items:
                break
            if len(buffer) >= size:
                batch = self._admit(buffer)
                buffer = []
                if batch:
                    yield batch
        if buffer and not stop.is_set() and (batch := self._admit(buffer)):
            yield batch
        if self._journal is not None and not stop.is_set():
            yield from self._leftovers(size)

    def _leftovers(self, size: int) -> Iterator[list[_Entry]]:
        """Take over, batch by batch, what runs of the campaign that died left, until no
        other live run holds any recipient (a file journal has none: one run at a time)."""
        journal = self._journal
        assert journal is not None
        if journal.shared:
            # This run's own batches are claimed by its workers: once they are all done,
            # whatever another run still holds is not in one of them.
            self._wait_for_workers()
        while not self._stop.is_set():
            try:
                taken = journal.leftovers(size)
            except JournalError as exc:
                self._fail(exc)
                return
            if taken is None:
                continue  # another live run still holds some; the store waited a little
            if not taken:
                return
            batch: list[_Entry] = []
            ambiguous: list[tuple[str, str, str]] = []
            for address, payload, maybe_sent in taken:
                entry = _Entry.from_payload(address, payload)
                entry.taken = True
                if maybe_sent and self._at_most_once:
                    ambiguous.append((address, BulkEmailStatus.AMBIGUOUS.value, _DIED_IN_FLIGHT))
                    continue
                batch.append(entry)
            # Recipients taken over join this run's total (it may have counted them as
            # skipped when it read them: another run was sending them then).
            self._tally.read += len(taken)
            lost = sum(1 for t in taken if t.maybe_sent)
            if lost:
                with self._tally.lock:
                    self._tally.ambiguous += lost
            if ambiguous:
                self._finish([], ambiguous)
            if batch:
                yield batch

    def _entries(self, items: list[object]) -> list[_Entry]:
        """Check recipients; the plain addresses in one pass, the rest one by one."""
        entries: list[_Entry] = []
        append = entries.append
        for item in items:
            if type(item) is str and is_plain_address(item):
                append(_Entry(item))
            elif (entry := self._entry(item)) is not None:
                append(entry)
        if self._extras is not None and entries:
            entries = self._with_extras(entries, self._extras)
        return entries

    def _with_extras(self, entries: list[_Entry], extras: BulkExtras) -> list[_Entry]:
        """Drop who left the run's contact-list topic (skipped); give the others their
        unsubscribe headers and data (one that cannot have them fails alone)."""
        kept, refused, skipped = extras.apply(entries)
        if refused:
            invalid = BulkEmailStatus.INVALID_RECIPIENT.value
            self._finish([], [(address, invalid, reason) for address, reason in refused])
        if skipped:
            with self._tally.lock:
                self._tally.skipped += len(skipped)
                self._tally.opted_out += len(skipped)
        return kept

    def _entry(self, item: object) -> _Entry | None:
        """Check one recipient; record an unusable one as failed and return None.

        Whatever is wrong with a recipient (a bad address, data that is not a JSON
        object or nests too deeply, bad tags), it fails alone: the campaign goes on.
        """
        entry, reason = check_entry(item, self._default_map)
        if entry is None:
            bad = item.address if isinstance(item, Recipient) else item
            self._finish([], [(_shown(bad), BulkEmailStatus.INVALID_RECIPIENT.value, reason)])
        return entry

    def _admit(self, buffer: list[_Entry]) -> list[_Entry]:
        """Drop repeats of this run (the journal is asked by the worker, see `_claim`)."""
        assert self._seen is not None
        first = self._seen.take([e.address for e in buffer])
        fresh = buffer
        if False in first:
            fresh = [e for e, new in zip(buffer, first, strict=True) if new]
            repeats = len(buffer) - len(fresh)
            with self._tally.lock:
                self._tally.skipped += repeats
                self._tally.repeats += repeats
        return fresh

    def _screened(self, fresh: list[_Entry]) -> list[_Entry]:
        """Leave out what `skip_risky` refuses: failed, final (one check per address)."""
        if self._screen is None or not fresh:
            return fresh
        refused = self._screen([e.address for e in fresh])
        if not refused:
            return fresh
        status = BulkEmailStatus.INVALID_RECIPIENT.value
        self._finish(
            [], [(e.address, status, refused[e.address]) for e in fresh if e.address in refused]
        )
        return [e for e in fresh if e.address not in refused]

    def _claim(self, batch: list[_Entry], journal: JournalStore) -> list[_Entry]:
        """Take the batch's recipients in the journal: drop those an earlier run finished
        or another live run holds; treat those a call may have sent by the policy."""
        payloads = [e.payload() for e in batch] if journal.shared else None
        try:
            verdicts = journal.claim([e.address for e in batch], payloads)
        except JournalError as exc:
            self._fail(exc)
            return []
        if not verdicts:
            return batch
        admitted: list[_Entry] = []
        skipped = ambiguous = 0
        ambiguous_failures: list[tuple[str, str, str]] = []
        for entry in batch:
            verdict = verdicts.get(entry.address)
            if verdict is None:
                admitted.append(entry)
            elif verdict in FINAL or verdict == "busy":
                skipped += 1
            else:
                # "ambiguous": an earlier call carrying it never got an answer.
                ambiguous += 1
                if self._at_most_once:
                    ambiguous_failures.append(
                        (entry.address, BulkEmailStatus.AMBIGUOUS.value, _EARLIER_CALL_LOST)
                    )
                else:
                    admitted.append(entry)
        if skipped or ambiguous:
            with self._tally.lock:
                self._tally.skipped += skipped
                self._tally.ambiguous += ambiguous
        if ambiguous_failures:
            self._finish([], ambiguous_failures)
        return admitted

    def _work(self) -> None:
        work = self._work_queue
        while True:
            batch = work.get()
            if batch is None:
                return
            try:
                if not self._stop.is_set():  # else never journaled as sent: a later run sends them
                    self._send_batch(batch)
            except BaseException as exc:  # a bug or an interrupt: stop the run, keep it
                self._fail(exc)
            finally:
                self._batch_done()
            if self._retire():
                return

    def _fail(self, exc: BaseException) -> None:
        with self._fatal_lock:
            if self._fatal is None:
                self._fatal = exc
        self._stop.set()

    def _send_batch(self, batch: list[_Entry]) -> None:
        journal = self._journal
        if journal is not None and not batch[0].taken:
            batch = self._claim(batch, journal)
        batch = self._screened(batch)  # after the journal: only what this run will send
        if not batch:
            return
        pending = batch

        def attempt() -> None:
            nonlocal pending
            retry: list[_Entry] = []
            while pending and not self._stop.is_set():
                size = self._limiter.capacity
                chunk, pending = pending[:size], pending[size:]
                retry += self._send_chunk(chunk)
            pending = retry + pending
            # After a stop, what is left keeps its journal state for a later run.
            if retry and not self._stop.is_set():
                raise _RetryError

        try:
            self._retrying(attempt)
        except _RetryError:
            # Out of attempts: these met only transient errors (or lost answers) — failed
            # in this run, and tried again by a later run with the journal.
            lost = sorted({c for e in pending for c in e.lost_calls})
            self._finish([], [], calls=lost, gave_up=pending)

    def _reserve(self, chunk: list[_Entry]) -> tuple[list[_Entry], bool]:
        """Count the chunk against the daily quota; cut it to what fits.

        Returns the entries that fit and whether the quota is used up (the run stops
        after sending them).
        """
        fresh = [e for e in chunk if not e.reserved]
        with self._quota_lock:
            if self._quota_left is None or len(fresh) <= self._quota_left:
                if self._quota_left is not None:
                    self._quota_left -= len(fresh)
                for e in fresh:
                    e.reserved = True
                return chunk, False
            room = max(0, int(self._quota_left))
            self._quota_left -= room
        allowed = [e for e in chunk if e.reserved] + fresh[:room]
        for e in fresh[:room]:
            e.reserved = True
        return allowed, True

    def _send_chunk(self, chunk: list[_Entry]) -> list[_Entry]:
        """Send one call's worth; return the entries to retry."""
        chunk, quota_used_up = self._reserve(chunk)
        try:
            return self._send_reserved(chunk)
        finally:
            if quota_used_up:
                self._fail(
                    DailyQuotaExceededError(
                        f"the daily sending quota in {self._ses.region} would be exceeded: the "
                        "run stopped before passing it (Max24HourSend - SentLast24Hours). "
                        "Resume after the quota frees up, with the same journal.",
                        operation="SendBulkEmail",
                    )
                )

    def _send_reserved(self, chunk: list[_Entry]) -> list[_Entry]:
        if not chunk:
            return []
        # A limiter that cannot be reached raises here (LimiterUnavailableError), before
        # the call: the run stops, and nothing goes out unthrottled.
        if not self._limiter.acquire(len(chunk), cancel=self._stop.is_set):
            return []  # the run stopped while this call waited for its turn: not sent
        journal = self._journal
        call = journal.begin([e.address for e in chunk]) if journal is not None else 0
        params = {**self._request, "BulkEmailEntries": [e.to_ses() for e in chunk]}
        started = time.perf_counter()
        try:
            response = self._ses._invoke(self._client, "SendBulkEmail", params, retry=False)
        except ThrottledError as exc:
            self._limiter.throttled()
            return self._again(chunk, call, "ACCOUNT_THROTTLED", exc)
        except TransportError as exc:
            if not exc.ambiguous:
                return self._again(chunk, call, "TRANSIENT_FAILURE", exc)
            with self._tally.lock:
                self._tally.ambiguous += len(chunk)
            if journal is not None:
                try:
                    journal.lost(call)
                except JournalError as error:
                    self._fail(error)  # the call stays in flight there: ambiguous
            if self._at_most_once:
                failures = [(e.address, BulkEmailStatus.AMBIGUOUS.value, str(exc)) for e in chunk]
                self._finish([], failures, calls=self._calls(chunk, call))
                return []
            # The call stays in flight in the journal until an answer settles these.
            for e in chunk:
                e.status, e.error = "TRANSIENT_FAILURE", str(exc)
                e.lost_calls += (call,)
            return chunk
        except ServiceError as exc:
            return self._again(chunk, call, "TRANSIENT_FAILURE", exc)
        except SesflowError as exc:
            if journal is not None:
                journal.abandon([call])
            self._fail(exc)
            return []
        finally:
            self._observe(time.perf_counter() - started)
        return self._results(chunk, call, response)

    def _observe(self, wall: float) -> None:
        """Feed one call's time to the window; start the workers a growth needs.

        All at once: the window's next round must measure the new size, not a pool
        still filling up (growth is at most fourfold, and rare once a run settles).
        """
        window = self._window
        if window is None:
            return
        size = window.observe(wall=wall)
        if size > self._live:
            self._grow(size)

    def _again(self, chunk: list[_Entry], call: int, status: str, exc: Exception) -> list[_Entry]:
        """The call certainly did not send: the chunk goes round again."""
        if self._journal is not None:
            self._journal.abandon([call])
        for e in chunk:
            e.status, e.error = status, str(exc)
        return chunk

    @staticmethod
    def _calls(chunk: list[_Entry], call: int) -> list[int]:
        """This call and the earlier, unanswered ones that carried the same entries."""
        lost = [c for e in chunk if e.lost_calls for c in e.lost_calls]
        return sorted({call, *lost}) if lost else [call]

    def _results(self, chunk: list[_Entry], call: int, response: Mapping[str, Any]) -> list[_Entry]:
        results = response.get("BulkEmailEntryResults") or []
        if len(results) != len(chunk):
            self._fail(
                ApiError(
                    f"SendBulkEmail answered {len(results)} results for {len(chunk)} entries",
                    operation="SendBulkEmail",
                )
            )
            return []
        if [result.get("Status") for result in results].count("SUCCESS") == len(chunk):
            # The common case, without the per-entry bookkeeping below.
            self._limiter.succeeded()
            sent = [
                (entry.address, result.get("MessageId") or "")
                for entry, result in zip(chunk, results, strict=True)
            ]
            self._finish(sent, [], calls=self._calls(chunk, call))
            return []
        sent = []
        failed: list[tuple[str, str, str]] = []
        retry: list[_Entry] = []
        throttled = False
        for entry, result in zip(chunk, results, strict=True):
            status = str(result.get("Status") or "FAILED")
            if status == "SUCCESS":
                sent.append((entry.address, str(result.get("MessageId") or "")))
                continue
            entry.status, entry.error = status, str(result.get("Error") or status)
            if status in _RETRY_STATUSES:
                throttled |= status == "ACCOUNT_THROTTLED"
                retry.append(entry)
            elif status in _FATAL_STATUSES:
                self._fail(
                    _FATAL_STATUSES[status](
                        f"SendBulkEmail: {status}: {entry.error}",
                        code=status,
                        operation="SendBulkEmail",
                    )
                )
            else:
                failed.append((entry.address, status, entry.error))
        if throttled:
            self._limiter.throttled()
        else:
            self._limiter.succeeded()
        # Entries left to retry or unsent by a fatal status were not sent by this call.
        self._finish(sent, failed, calls=self._calls(chunk, call))
        return retry

    def _finish(
        self,
        sent: list[tuple[str, str]],
        failed: list[tuple[str, str, str]],
        *,
        calls: list[int] | None = None,
        gave_up: Sequence[_Entry] = (),
    ) -> None:
        """Record final outcomes: journal first (durable), then counts and callbacks.

        `gave_up`: entries that met only transient errors or lost answers until the
        attempts ran out — failed in this run, not final in the journal.
        """
        given_up = [(e.address, e.status, e.error) for e in gave_up]
        journal = self._journal
        if journal is not None and (sent or failed or calls or given_up):
            try:
                journal.finish(
                    calls or (),
                    sent,
                    failed,
                    deferred=[(e.address, e.status, e.error) for e in gave_up if not e.lost_calls],
                    ambiguous=[e.address for e in gave_up if e.lost_calls],
                )
            except JournalError as exc:
                self._fail(exc)  # the journal keeps the outcomes until it can write them
        failed = failed + given_up
        if not sent and not failed:
            return
        with self._tally.lock:
            self._tally.sent += len(sent)
            self._tally.failed += len(failed)
            self._tally.failures.extend(BulkFailure(a, *bulk_status(s, e)) for a, s, e in failed)
            self._sink.update(self._tally.progress())
        on_result = self._on_result
        if on_result is not None:
            for address, message_id in sent:
                on_result(BulkResult(address, BulkEmailStatus.SUCCESS, message_id=message_id))
            for address, status, error in failed:
                code, text = bulk_status(status, error)
                on_result(BulkResult(address, code, error=text))


def campaign_of(from_address: str, content: Mapping[str, Any]) -> str:
    """What identifies the campaign a journal belongs to: sender and template."""
    if "TemplateName" in content:
        what = f"template={content['TemplateName']}"
    else:
        body = json.dumps(content["TemplateContent"], sort_keys=True)
        what = "inline-template=" + hashlib.sha256(body.encode()).hexdigest()[:16]
    return f"from={from_address};{what}"


def check_entry(item: object, default: Mapping[str, Any]) -> tuple[_Entry | None, str]:
    """One recipient as the bulk sender takes it: `(entry, "")`, or `(None, reason)` when
    it cannot be sent (the reason a report gives for `INVALID_RECIPIENT`)."""
    try:
        if isinstance(item, Recipient):
            address = validate_address(item.address, field="recipients")
            data = None
            if item.data is not None:
                if not isinstance(item.data, Mapping):
                    raise ValidationError(
                        "recipients.data: template data must be a mapping (a JSON "
                        f"object), got {type(item.data).__name__}",
                        field="recipients.data",
                    )
                data = template_data({**default, **item.data}, field="recipients.data")
            entry = _Entry(
                address,
                data,
                tag_list(item.message_tags, field="recipients.message_tags"),
                header_list(item.headers),
            )
            return entry, ""
        return _Entry(validate_address(item, field="recipients")), ""
    except Exception as exc:
        reason = (
            str(exc)
            if isinstance(exc, ValidationError)
            else f"recipients: unusable recipient ({type(exc).__name__}: {exc})"
        )
        return None, reason


def bulk_status(status: str, error: str) -> tuple[BulkEmailStatus, str]:
    """A status as the report gives it: the enum member; a status this sesflow does not
    know (SES added one) is reported as `FAILED`, its name kept in the error text."""
    try:
        return BulkEmailStatus(status), error
    except ValueError:
        return BulkEmailStatus.FAILED, f"{status}: {error}"


def _shown(value: object) -> str:
    """A refused recipient as the report shows it: its text, cut to a sane length."""
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= 320 else text[:317] + "..."
