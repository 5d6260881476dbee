"""Sending: single, templated and raw messages, and bulk campaigns."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from email.message import EmailMessage
from email.utils import getaddresses
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from ._admin.insights import risk_screen
from ._admin.routing import routing_params
from ._bulk import BulkRun
from ._check import check_recipients
from ._errors import (
    MailFromDomainNotVerifiedError,
    MaybeSentError,
    MessageRejectedError,
    SesflowError,
    TransportError,
    ValidationError,
)
from ._logging import logger, mask
from ._message import (
    MAX_MESSAGE_BYTES,
    MAX_RECIPIENTS,
    Attachment,
    InlineTemplate,
    Recipient,
    SendResult,
    address_list,
    format_from,
    header_list,
    subject_text,
    tag_list,
    template_content,
    template_data,
)
from ._options import sender_options
from ._unsubscribe import BulkExtras, Unsubscribe, single_send_options
from ._validate import validate_max_rate, validate_name

if TYPE_CHECKING:
    from ._admin.insights import EmailAddressInsights
    from ._admin.tenants import Tenant
    from ._check import BulkCheck
    from ._contact_list import ContactList
    from ._journal import JournalBackend
    from ._report import BulkProgress, BulkReport, BulkResult
    from ._ses import SES

__all__ = ["Sender"]

_FAILED_CHECK = re.compile(r"failed the check in region ([A-Z0-9-]+):\s*(.+)$", re.IGNORECASE)


class Sender:
    """Sends mail from one address: single, templated, raw and bulk.

    Get one from `ses.sender(from_address, ...)`; nothing is sent until you call a verb.

    Args:
        from_address: `"news@example.com"` or `"Example News <news@example.com>"`.
        configuration_set: the configuration set for every message (events, IP pool).
        reply_to: Reply-To addresses.
        message_tags: message tags `{name: value}` for every message (visible in events;
            not resource tags, which are `tags=` on resources).
        max_rate: recipients per second for bulk sends, below the rate of the `SES`'s
            limiter (which every send shares; the account's `MaxSendRate` by default).
        from_identity_arn: send on behalf of another account: the ARN of its identity
            (the address or its domain) whose sending authorization policy lets you
            (`FromEmailAddressIdentityArn`).
        feedback_forwarding_address: where bounces and complaints are forwarded by email
            (the Return-Path), `FeedbackForwardingEmailAddress`.
        feedback_identity_arn: the ARN of the identity, owned by another account, that
            authorises `feedback_forwarding_address`.
        open_tracking: turn open tracking on or off for every message, over the account's
            and configuration set's settings (`ConfigurationOverrides`); None: as set.
        click_tracking: the same for click tracking.
        tenant: the tenant every message is sent for (`TenantName`; see
            `ses.tenant()`): SES accepts it only if the sender's identity, the
            configuration set and the template are associated with the tenant.
        endpoint_id: a multi-region endpoint's id (`EndpointId`) to send every message
            through; needs botocore's CRT extra (`pip install "sesflow[crt]"`), else
            `MissingExtraError` here, before any call.

    Examples:
        >>> _ = ses.configuration_set("marketing").create()
        >>> sender = ses.sender("news@example.com", configuration_set="marketing")
        >>> sender.send("bob@example.com", "Hello", text="Hi Bob!")
        SendResult(message_id='010001...')
    """

    def __init__(
        self,
        ses: SES,
        from_address: str,
        *,
        configuration_set: str | None = None,
        reply_to: str | Iterable[str] = (),
        message_tags: Mapping[str, str] | None = None,
        max_rate: float | None = None,
        from_identity_arn: str | None = None,
        feedback_forwarding_address: str | None = None,
        feedback_identity_arn: str | None = None,
        open_tracking: bool | None = None,
        click_tracking: bool | None = None,
        tenant: str | Tenant | None = None,
        endpoint_id: str | None = None,
    ) -> None:
        self._ses = ses
        self.from_address = format_from(from_address)
        self.configuration_set = (
            validate_name(configuration_set, field="configuration_set")
            if configuration_set is not None
            else None
        )
        self.reply_to = tuple(address_list(reply_to, field="reply_to"))
        self._tags = tag_list(message_tags, field="message_tags")
        self.max_rate = None if max_rate is None else validate_max_rate(max_rate)
        # What every request of this sender carries besides its own members (on behalf of
        # another account; tracking overrides), checked here, before any call.
        self._request_options = sender_options(
            ses,
            self.from_address,
            from_identity_arn=from_identity_arn,
            feedback_forwarding_address=feedback_forwarding_address,
            feedback_identity_arn=feedback_identity_arn,
            open_tracking=open_tracking,
            click_tracking=click_tracking,
        )
        self._routing = routing_params(tenant=tenant, endpoint_id=endpoint_id)
        self.tenant: str | None = self._routing.get("TenantName")
        self.endpoint_id: str | None = self._routing.get("EndpointId")

    def __repr__(self) -> str:
        extra = f", configuration_set={self.configuration_set!r}" if self.configuration_set else ""
        return f"Sender({mask(self.from_address)!r}{extra})"

    # Request building

    def _base(self, message_tags: Mapping[str, str] | None) -> dict[str, Any]:
        params: dict[str, Any] = {"FromEmailAddress": self.from_address}
        if self.reply_to:
            params["ReplyToAddresses"] = list(self.reply_to)
        if self.configuration_set:
            params["ConfigurationSetName"] = self.configuration_set
        merged = {t["Name"]: t["Value"] for t in self._tags}
        merged.update({t["Name"]: t["Value"] for t in tag_list(message_tags, field="message_tags")})
        if merged:
            params["EmailTags"] = [{"Name": k, "Value": v} for k, v in merged.items()]
        params.update(self._request_options)
        params.update(self._routing)
        return params

    @staticmethod
    def _destination(to: object, cc: object = (), bcc: object = ()) -> dict[str, list[str]]:
        to_list = address_list(to, field="to")
        cc_list = address_list(cc, field="cc")
        bcc_list = address_list(bcc, field="bcc")
        count = len(to_list) + len(cc_list) + len(bcc_list)
        if count == 0:
            raise ValidationError("to: at least one recipient is required", field="to")
        if count > MAX_RECIPIENTS:
            raise ValidationError(
                f"to: {count} recipients (To + Cc + Bcc); SES allows {MAX_RECIPIENTS} per "
                "message — use send_bulk() for more",
                field="to",
            )
        destination: dict[str, list[str]] = {}
        if to_list:
            destination["ToAddresses"] = to_list
        if cc_list:
            destination["CcAddresses"] = cc_list
        if bcc_list:
            destination["BccAddresses"] = bcc_list
        return destination

    # Single sends

    def send(
        self,
        to: str | Iterable[str],
        subject: str,
        *,
        text: str | None = None,
        html: str | None = None,
        cc: str | Iterable[str] = (),
        bcc: str | Iterable[str] = (),
        attachments: Iterable[Attachment] = (),
        headers: Mapping[str, str] | None = None,
        message_tags: Mapping[str, str] | None = None,
        contact_list: str | ContactList | None = None,
        topic: str | None = None,
        unsubscribe: Unsubscribe | None = None,
    ) -> SendResult:
        """Send one message (SES v2 `Simple` content).

        Args:
            to: one address or several (To + Cc + Bcc at most 50).
            subject: the subject line (required).
            text: the plain-text body.
            html: the HTML body (at least one of `text` and `html`).
            cc: Cc addresses.
            bcc: Bcc addresses.
            attachments: `Attachment`s, sent with SES's native attachment support.
            headers: custom headers (at most 15), e.g. `List-Unsubscribe`.
            message_tags: message tags `{name: value}`, merged over the sender's.
            contact_list: SES list management (one recipient): SES adds its own
                unsubscribe headers and fills `{{amazonSESUnsubscribeUrl}}` in the body,
                and does not deliver to a contact who left `topic` (needs Easy DKIM).
            topic: the contact list's topic (or `unsubscribe`'s topic).
            unsubscribe: sesflow's one-click headers for the one recipient
                (`Unsubscribe`); put `unsubscribe.link(to)` in the body yourself.

        Raises:
            ValidationError: bad input (before any call).
            MessageRejectedError: SES refused it; the message says why (sandbox, an
                unverified sender or recipient, which region).
            MaybeSentError: the answer was lost after the request may have reached SES;
                the message may have been sent and is not sent again. Throttles, 5xx
                answers and refused connections are retried with backoff first.

        Examples:
            >>> _ = Path("report.pdf").write_bytes(b"%PDF-1.7 ...")
            >>> sender.send(["bob@example.com"], "Your report", text="Attached.",
            ...             attachments=[Attachment.from_path("report.pdf")],
            ...             headers={"List-Unsubscribe": "<https://example.com/u>"})
            SendResult(message_id='...')
        """
        subject = subject_text(subject)
        if not (text or html):
            raise ValidationError(
                "text: the message has no body; give text, html or both", field="text"
            )
        destination = self._destination(to, cc, bcc)
        extra, with_unsubscribe, _ = single_send_options(
            self._ses,
            destination,
            contact_list=contact_list,
            topic=topic,
            unsubscribe=unsubscribe,
            campaign=None,
            headers=headers,
        )
        headers = with_unsubscribe if with_unsubscribe is not None else headers
        files = list(attachments)
        for i, item in enumerate(files):
            if not isinstance(item, Attachment):
                raise ValidationError(
                    f"attachments[{i}]: expected an Attachment, got {type(item).__name__}",
                    field=f"attachments[{i}]",
                )
        size = sum(len(s.encode("utf-8")) for s in (subject, text or "", html or ""))
        size += sum((len(a.content) + 2) // 3 * 4 for a in files)
        if size > MAX_MESSAGE_BYTES:
            raise ValidationError(
                f"attachments: the message is about {size / 2**20:.1f} MB after encoding; "
                "SES v2 allows 40 MB",
                field="attachments",
            )
        message: dict[str, Any] = {
            "Subject": {"Data": subject, "Charset": "UTF-8"},
            "Body": {},
        }
        if text:
            message["Body"]["Text"] = {"Data": text, "Charset": "UTF-8"}
        if html:
            message["Body"]["Html"] = {"Data": html, "Charset": "UTF-8"}
        custom = header_list(headers)
        if custom:
            message["Headers"] = custom
        if files:
            message["Attachments"] = [a._to_ses() for a in files]
        params = self._base(message_tags)
        params["Destination"] = destination
        params["Content"] = {"Simple": message}
        params.update(extra)
        return self._send(params, destination)

    def send_template(
        self,
        to: str | Iterable[str],
        template: str | InlineTemplate,
        *,
        data: Mapping[str, Any] | None = None,
        cc: str | Iterable[str] = (),
        bcc: str | Iterable[str] = (),
        headers: Mapping[str, str] | None = None,
        message_tags: Mapping[str, str] | None = None,
        contact_list: str | ContactList | None = None,
        topic: str | None = None,
        unsubscribe: Unsubscribe | None = None,
    ) -> SendResult:
        """Send one message from a template: a stored template's name or an `InlineTemplate`.

        Args:
            to: one address or several (To + Cc + Bcc at most 50).
            template: a stored template's name, or an `InlineTemplate`.
            data: the template's variables (a JSON object).
            cc: Cc addresses.
            bcc: Bcc addresses.
            headers: custom headers (at most 15).
            message_tags: message tags `{name: value}`, merged over the sender's.
            contact_list: SES list management (one recipient; see `send()`).
            topic: the contact list's topic (or `unsubscribe`'s topic).
            unsubscribe: sesflow's one-click headers for the one recipient, and the
                link as the template variable `unsubscribe.data_key` (`unsubscribe_url`).

        Raises:
            ValidationError: bad input, e.g. `data` that is not a JSON object (before
                any call).
            NotFoundError: no stored template of that name.
            MessageRejectedError: SES refused it.
            MaybeSentError: the answer was lost after the request may have reached SES.

        Examples:
            >>> sender.send_template("ann@example.com", "welcome", data={"name": "Ann"})
            SendResult(message_id='...')
            >>> sender.send_template(
            ...     "ann@example.com",
            ...     InlineTemplate("Hi {{name}}", text="Welcome, {{name}}"),
            ...     data={"name": "Ann"},
            ... )
            SendResult(message_id='...')
        """
        destination = self._destination(to, cc, bcc)
        content = template_content(template)
        extra, with_unsubscribe, link = single_send_options(
            self._ses,
            destination,
            contact_list=contact_list,
            topic=topic,
            unsubscribe=unsubscribe,
            campaign=content.get("TemplateName"),
            headers=headers,
        )
        headers = with_unsubscribe if with_unsubscribe is not None else headers
        if link is not None:
            template_data(data)  # its own errors first, as without unsubscribe=
            data = {**(data or {}), link[0]: link[1]}
        content["TemplateData"] = template_data(data)
        custom = header_list(headers)
        if custom:
            content["Headers"] = custom
        params = self._base(message_tags)
        params["Destination"] = destination
        params["Content"] = {"Template": content}
        params.update(extra)
        return self._send(params, destination)

    def send_raw(
        self, message: EmailMessage, *, message_tags: Mapping[str, str] | None = None
    ) -> SendResult:
        """Send a MIME message you built yourself (`email.message.EmailMessage`).

        Recipients come from its To, Cc and Bcc headers; the Bcc header is removed
        before sending. The From header defaults to the sender's address.

        Examples:
            >>> msg = EmailMessage()
            >>> msg["To"] = "bob@example.com"
            >>> msg["Subject"] = "Raw"
            >>> msg.set_content("Full MIME control.")
            >>> sender.send_raw(msg)
            SendResult(message_id='...')
        """
        if not isinstance(message, EmailMessage):
            raise ValidationError(
                f"message: expected an email.message.EmailMessage, got {type(message).__name__}",
                field="message",
            )
        message = _copy(message)
        if message["From"] is None:
            message["From"] = self.from_address
        to = [a for _, a in getaddresses(message.get_all("To", []))]
        cc = [a for _, a in getaddresses(message.get_all("Cc", []))]
        bcc = [a for _, a in getaddresses(message.get_all("Bcc", []))]
        destination = self._destination(to, cc, bcc)
        del message["Bcc"]
        data = message.as_bytes()
        if len(data) > MAX_MESSAGE_BYTES:
            raise ValidationError(
                f"message: {len(data) / 2**20:.1f} MB; SES v2 allows 40 MB", field="message"
            )
        params = self._base(message_tags)
        params["Destination"] = destination
        params["Content"] = {"Raw": {"Data": data}}
        return self._send(params, destination)

    def _send(self, params: dict[str, Any], destination: Mapping[str, list[str]]) -> SendResult:
        # Retried only while SES certainly did not take the message (a throttle, a 5xx
        # answer, a refused connection); never once the request may have reached SES.
        # Every recipient counts against the rate: To + Cc + Bcc (a raw message's
        # destinations, Bcc included, are what SES counts).
        count = sum(len(v) for v in destination.values())
        try:
            response = self._ses._send_call("SendEmail", params, recipients=count)
        except MessageRejectedError as exc:
            raise self._explain(exc) from exc
        except TransportError as exc:
            if not exc.ambiguous:
                raise
            recipients = tuple(a for field in destination.values() for a in field)
            raise MaybeSentError(
                f"SendEmail: the connection failed after the request was sent, so the message "
                f"to {len(recipients)} recipient(s) may or may not have been sent; sesflow "
                "did not send it again (SES has no idempotency token). Check your SES events "
                f"before sending again. Cause: {exc.message}",
                operation="SendEmail",
                recipients=recipients,
            ) from exc.__cause__
        logger.info("sent a message to %d recipient(s)", count)
        return SendResult(str(response["MessageId"]))

    def _explain(self, exc: MessageRejectedError) -> MessageRejectedError:
        """Say why SES refused: the sandbox, an unverified identity, the region."""
        region = self._ses.region
        base = exc.message
        if isinstance(exc, MailFromDomainNotVerifiedError):
            domain = self.from_address.rpartition("@")[2].rstrip(">")
            hint = (
                f" The custom MAIL FROM domain of {domain} is not verified in {region}: publish "
                f"its MX record (ses.domain({domain!r}).dns_records()) or set "
                "behavior_on_mx_failure='USE_DEFAULT_VALUE'."
            )
        elif "not verified" in base.lower():
            match = _FAILED_CHECK.search(base)
            failed = [a.strip() for a in match.group(2).split(",")] if match else []
            try:
                from ._account import Account

                in_sandbox: bool | None = Account._load(self._ses).in_sandbox
            except SesflowError:
                in_sandbox = None
            sender = self.from_address.rpartition("<")[2].rstrip(">")
            unverified_sender = not failed or sender in failed
            names = ", ".join(failed) if failed else sender
            if in_sandbox:
                hint = (
                    f" The account is in the SES sandbox in {region}: it may send only to "
                    "verified identities and the mailbox simulator. Verify "
                    f"{names} in {region} (ses.identity(...).create()) or request production "
                    "access (ses.account().request_production_access(...))."
                )
            elif unverified_sender:
                hint = (
                    f" The sender {sender} (or its domain) is not a verified identity in "
                    f"{region}; identities are per region. Verify it with "
                    f"ses.identity({sender!r}).create() or ses.domain(...).create()."
                )
            else:
                hint = f" Verify {names} in {region}."
        else:
            return exc
        return exc.with_message(base + hint)

    # Bulk

    def send_bulk(
        self,
        recipients: Iterable[str | Recipient],
        template: str | InlineTemplate,
        *,
        default_data: Mapping[str, Any] | None = None,
        journal: str | Path | JournalBackend | None = None,
        progress: bool | Callable[[BulkProgress], object] = False,
        concurrency: int | Literal["auto"] = "auto",
        max_rate: float | None = None,
        delivery: Literal["at-least-once", "at-most-once"] = "at-least-once",
        on_result: Callable[[BulkResult], object] | None = None,
        unsubscribe: Unsubscribe | None = None,
        contact_list: str | ContactList | None = None,
        topic: str | None = None,
        skip_risky: bool | Callable[[EmailAddressInsights], bool] = False,
    ) -> BulkReport:
        """Send a template to any number of recipients, paced under the account's quotas.

        Recipients are read lazily (a generator of millions runs in constant memory),
        sent with `SendBulkEmail` (one destination per entry, at most 50 entries per
        call and never more than the per-second rate), paced so that no sliding
        one-second window holds more than `max_rate` recipients, retried where SES says
        retrying can work, and journaled so a stopped run resumes without resending.

        Whatever stops a run (an error below, or an exception from `recipients`) is
        re-raised unchanged; `sesflow.partial_report(exc)` gives what the run did before
        it stopped.

        Args:
            recipients: addresses or `Recipient(address, data=..., message_tags=...,
                headers=...)`s, any iterable (read lazily).
            template: a stored template's name, or an `InlineTemplate`.
            default_data: template data for recipients that bring none (merged under
                theirs).
            journal: a file path (SQLite, mode 0600, one run at a time), or a
                `sesflow.postgres.PostgresJournal` (any number of concurrent runs of the
                same campaign split it between them); recipients it records as sent or
                permanently failed are skipped on a later run, those that met only
                transient errors are tried again. Without a journal, repeats within the
                run are still sent once.
            progress: True for a progress bar (tqdm if installed, else a line on
                stderr); a callable receives `BulkProgress` updates.
            concurrency: calls in flight at once (threads): `"auto"` (the default)
                sizes it from the measured latency and the rate (up to 64); an int
                fixes it (1 for a virtual clock, e.g. `sesflow.testing.FakeClock`:
                threads sleeping on one virtual clock move it for each other).
            max_rate: recipients per second for this run; default the sender's. Every send
                through the `SES` takes its recipients from its limiter (`ses.limiter`: the
                account's `MaxSendRate` by default), concurrent runs and single sends
                included; `max_rate` caps this run below that (never above it).
            delivery: `"at-least-once"` (default) resends recipients whose request's
                answer was lost; `"at-most-once"` records them as `AMBIGUOUS` instead.
            on_result: called with a `BulkResult` for every recipient's final
                outcome (from the worker threads: keep it quick and thread-safe).
            unsubscribe: an `Unsubscribe`: each recipient's message carries its own
                signed one-click `List-Unsubscribe` and `List-Unsubscribe-Post` headers,
                and its link as the template variable `unsubscribe_url`.
            contact_list: a contact list (name or `ContactList`): its contacts who
                unsubscribed from everything, or left `topic`, are skipped (read once,
                paged, before the first send; `BulkReport.opted_out` counts them).
            topic: the contact-list topic of the campaign (and of the unsubscribe links).
            skip_risky: True to ask SES about each new recipient first
                (`GetEmailAddressInsights`, one paid call per address) and leave out
                those it rates risky (`EmailAddressInsights.risky`), or a function of
                the `EmailAddressInsights` that says which to leave out. Left out:
                failed as `INVALID_RECIPIENT` with SES's verdicts, final in the journal.
                Off by default.

        Returns:
            a `BulkReport`.

        Raises:
            ValidationError: bad arguments or a journal of another campaign (before
                any call).
            JournalInUseError: another run holds the journal file (before any call).
            JournalError: the journal is not a sesflow journal, damaged or read-only, or
                PostgreSQL cannot be reached (before any call); or the journal stopped
                recording mid-run (a full disk, a lost connection): every outcome SES
                answered is recorded first where it can be.
            DailyQuotaExceededError: the daily quota would be passed.
            NotFoundError: the template or configuration set does not exist.
            MessageRejectedError: SES refused the campaign (e.g. MAIL FROM not verified).
            SendingPausedError: sending is paused for the account or configuration set.
            AccountSuspendedError: the account may not send.
            KeyboardInterrupt: Ctrl-C, or SIGTERM inside `interrupt_on_sigterm()`: calls
                in flight finished and were journaled.

        Examples:
            >>> import csv
            >>> _ = Path("list.csv").write_text("email,name\\nann@example.com,Ann\\n")
            >>> with open("list.csv", newline="") as f:
            ...     report = sender.send_bulk(
            ...         (Recipient(row["email"], data=row) for row in csv.DictReader(f)),
            ...         "welcome",
            ...         journal="welcome.journal",
            ...         progress=False,  # True: a progress bar
            ...     )
            >>> report.raise_for_failures()
            >>> report.sent
            1
        """
        run = BulkRun(
            self,
            template,
            recipients,
            default_data=default_data,
            journal=journal,
            progress=progress,
            concurrency=concurrency,
            max_rate=max_rate if max_rate is not None else self.max_rate,
            delivery=delivery,
            on_result=on_result,
            extras=BulkExtras.make(
                self._ses,
                unsubscribe=unsubscribe,
                contact_list=contact_list,
                topic=topic,
                template=template_content(template),
                default_data=default_data,
            ),
            screen=risk_screen(self._ses, skip_risky),
        )
        return run.execute()

    def check_bulk(
        self,
        recipients: Iterable[str | Recipient],
        template: str | InlineTemplate,
        *,
        default_data: Mapping[str, Any] | None = None,
        journal: str | Path | JournalBackend | None = None,
    ) -> Iterator[BulkCheck]:
        """What `send_bulk()` with the same arguments would do with each recipient,
        without sending anything: one `BulkCheck` per recipient, in order, lazily.

        The same checks as a run (the same code decides): `INVALID` with the reason the
        report would give, `REPEAT`, `FINISHED` (an earlier run with `journal` sent it,
        or it failed for good), `TAKEN` (another live run of a shared campaign, with a
        `PostgresJournal`, is sending it), `AMBIGUOUS` (an earlier call's answer was
        lost: sent again under at-least-once), else `SEND`. The journal is only read,
        without its lock; the template is not looked up (`ses.template(name).exists()`
        does that).

        Raises:
            ValidationError: bad `template` or `default_data`, or a journal of another
                campaign.
            JournalError: the journal is not a sesflow journal, or is damaged.

        Examples:
            >>> checks = list(sender.check_bulk(["ann@example.com", "bad@@x", "ann@example.com"],
            ...                                 "welcome"))
            >>> [c.verdict.value for c in checks]
            ['send', 'invalid', 'repeat']
        """
        content = template_content(template)
        return check_recipients(
            recipients,
            from_address=self.from_address,
            content=content,
            default_data=default_data,
            journal=journal,
            runtime=self._ses._runtime,
        )


def _copy(message: EmailMessage) -> EmailMessage:
    from email import message_from_bytes
    from email.policy import SMTP

    copied = message_from_bytes(message.as_bytes(policy=SMTP), policy=SMTP)
    assert isinstance(copied, EmailMessage)
    return copied
