"""The step machinery shared by the invoice and credit-note workflows.

It only sequences activities (called by name, so no I/O library enters the sandbox) and keeps the status
picture current everywhere operators look: the `status` query, the InvoiceStatus search attribute, the
Web UI's details line and the ledger's audit trail. A step that cannot succeed parks the document in
NEEDS_FIX with its problems until support acts; nothing ever disappears.
"""

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any, TypeVar

from temporalio import workflow
from temporalio.common import RetryPolicy, SearchAttributeKey, SearchAttributeUpdate

# Temporal's TimeoutError describes an activity that timed out; the builtin TimeoutError is what
# workflow.wait_condition raises when its own timeout passes. Both are used below.
from temporalio.exceptions import ActivityError, ApplicationError, CancelledError, FailureError
from temporalio.exceptions import TimeoutError as ActivityTimeoutError

with workflow.unsafe.imports_passed_through():
    from domain import errors, names
    from domain.contingency import contingency_rule
    from domain.documents import DocumentRef
    from domain.invoice import (
        AuthorityMessage,
        Authorization,
        DocumentKind,
        InvoiceState,
        Numbering,
        PipelineTimings,
        Sale,
        StatusChange,
    )
    from domain.problems import Problem, errors_only
    from domain.status import InvoiceStatus
    from domain.steps import (
        AlertInput,
        AuthorityInput,
        AuthorityStatus,
        CreditSpec,
        NotifyInput,
        NotifyResult,
        NumberInput,
        OutageReport,
        PollInput,
        PollResult,
        PrepareInput,
        PrepareResult,
        RenderInput,
        SignInput,
        SignResult,
        SubmitInput,
        SubmitResult,
        TransitionInput,
        TransitionsInput,
        TransmitInput,
        TransmitResult,
        ValidateInput,
        ValidateResult,
    )

STATUS = SearchAttributeKey.for_keyword(names.SA_STATUS)
EXPIRED = "expired"  # _try_submit's answer for a document too old to send
UPDATED_AT = SearchAttributeKey.for_datetime(names.SA_UPDATED_AT)
NUMBER = SearchAttributeKey.for_keyword(names.SA_NUMBER)
T = TypeVar("T")
# Invoices started from this change on take fewer round trips through the server (see Pipeline.fast);
# older ones replay exactly as recorded.
FEWER_ROUND_TRIPS = "fewer-round-trips"


class StepFailed(Exception):
    """A step failed for good; carries what the operator needs to see."""

    def __init__(self, problems: list[Problem], messages: list[AuthorityMessage] | None = None) -> None:
        super().__init__(problems[0].message if problems else "step failed")
        self.problems = problems
        self.messages = messages or []


class CancelRequested(Exception):
    """Support asked to cancel; raised at the next safe point so the workflow can compensate."""


class Pipeline:
    def __init__(self, state: InvoiceState, sale: Sale, timings: PipelineTimings, kind: DocumentKind,
                 credit: CreditSpec | None = None) -> None:
        self.state = state
        state.sale = sale
        self.timings = timings
        self.kind = kind
        self.credit = credit
        self.wake = False  # set by retry_now / fix / cancel to end a wait early
        self.cancel_requested = False
        self.authority_back = False  # set by the authority-health workflow's release signal
        self.submitted = False  # the authority has received this document at least once
        self.refused = False  # the authority's last decision on it was a refusal
        self._fast: bool | None = None
        # Fast path: what changed since the workflow last came to rest, made visible in one go (see settle).
        self._unrecorded: list[TransitionInput] = []
        self._unpublished_status: InvoiceStatus | None = None
        self._unpublished_number: str | None = None
        self._published_status: str | None = None

    @property
    def fast(self) -> bool:
        """Whether this run takes the short road: validate, number and sign in one activity; submit and
        await the decision in one; the search attributes upserted once per workflow task instead of once
        per status; the audit entries written in one local activity whenever the workflow comes to rest.

        Each activity costs the server a schedule, a dispatch and a completion, and each local activity
        and upsert an event; the benchmark showed orchestration outweighing the real work. Decided once
        per run with a patch marker, so invoices started before the change replay as recorded."""
        if self._fast is None:
            self._fast = workflow.patched(FEWER_ROUND_TRIPS)
        return self._fast

    @property
    def sale(self) -> Sale:
        assert self.state.sale is not None
        return self.state.sale

    @sale.setter
    def sale(self, sale: Sale) -> None:
        self.state.sale = sale

    # --- steps ----------------------------------------------------------------------------------
    async def validate(self) -> None:
        result = await self.activity(names.VALIDATE, ValidateInput(sale=self.sale, credit=self.credit),
                                     ValidateResult)
        await self._accept(result.problems)
        self.state.total = result.total

    async def _accept(self, problems: list[Problem]) -> None:
        """Keep the problems visible (warnings too); errors stop the step; alerts are raised once."""
        self.state.problems = problems
        if errors_only(problems):
            raise StepFailed(problems)
        for problem in problems:
            if problem.severity == "alert" and problem.code not in self.state.alerts:
                await self.alert(problem.code, problem.message)

    async def prepare(self) -> DocumentRef:
        """Fast path: validate, number (once) and sign the current revision in one activity."""
        self.state.step = "validate"
        result = await self.activity(
            names.PREPARE, PrepareInput(invoice_key=self.state.invoice_key, sale=self.sale,
                                        revision=self.state.revision, kind=self.kind, numbering=self.state.numbering),
            PrepareResult, quick=True)
        await self._accept(result.problems)
        assert result.numbering is not None
        assert result.signed is not None
        self.state.total = result.total
        self.state.step = "authorize"
        if self.state.numbering is None:
            self.state.numbering = result.numbering
            self._unpublished_number = result.numbering.document_number
            await self.move(InvoiceStatus.NUMBERED, "worker", f"number {result.numbering.document_number}")
        return await self._signed(result.signed, self.current_numbering, contingency=False)

    async def number(self) -> Numbering:
        if self.state.numbering is not None:
            return self.state.numbering
        numbering = await self.activity(
            names.ALLOCATE_NUMBER, NumberInput(invoice_key=self.state.invoice_key, sale=self.sale, kind=self.kind),
            Numbering)
        self.state.numbering = numbering
        workflow.upsert_search_attributes([NUMBER.value_set(numbering.document_number)])
        await self.move(InvoiceStatus.NUMBERED, "worker", f"number {numbering.document_number}")
        return numbering

    async def sign(self, numbering: Numbering, *, contingency: bool = False) -> DocumentRef:
        signed = await self.activity(
            names.BUILD_AND_SIGN,
            SignInput(invoice_key=self.state.invoice_key, sale=self.sale, numbering=numbering,
                      revision=self.state.revision, kind=self.kind, credit=self.credit, contingency=contingency),
            SignResult)
        return await self._signed(signed, numbering, contingency=contingency)

    async def _signed(self, signed: SignResult, numbering: Numbering, *, contingency: bool) -> DocumentRef:
        if signed.access_key and signed.access_key != numbering.access_key:
            # Countries whose key is computed from the document (CUFE) learn it here.
            self.state.numbering = numbering.model_copy(update={"access_key": signed.access_key})
        self.state.documents["signed_xml"] = signed.document
        if contingency:
            # Still waiting for the authority: the status stays CONTINGENCY; the history says what changed.
            await self.record("worker", f"contingency document signed, revision {self.state.revision}")
        else:
            await self.move(InvoiceStatus.SIGNED, "worker", f"revision {self.state.revision}")
        return signed.document

    async def transmit(
        self, numbering: Numbering, signed: DocumentRef, on_contingency: Callable[[], Awaitable[DocumentRef | None]]
    ) -> tuple[Authorization, DocumentRef]:
        """Submit (riding out outages in contingency) and wait for the authority's decision."""
        if self.fast:
            return await self._transmit(signed, on_contingency)
        await self._submit(signed, on_contingency)
        return await self.poll()

    @property
    def current_numbering(self) -> Numbering:
        assert self.state.numbering is not None
        return self.state.numbering

    async def poll(self) -> tuple[Authorization, DocumentRef]:
        numbering = self.current_numbering
        polled = await self.activity(
            names.POLL_AUTHORIZATION,
            PollInput(invoice_key=self.state.invoice_key, country=self.sale.country, issuer_id=self.sale.issuer_id,
                      numbering=numbering, revision=self.state.revision, kind=self.kind,
                      document=self.state.documents.get("signed_xml")),
            PollResult, schedule_to_close=self.timings.authorization_deadline,
            retry=RetryPolicy(initial_interval=self.timings.poll_interval, backoff_coefficient=1.5,
                              maximum_interval=self.timings.poll_max_interval))
        return await self._decided(polled)

    async def _decided(self, polled: PollResult) -> tuple[Authorization, DocumentRef]:
        numbering = self.current_numbering
        self.state.attempts["poll"] = polled.attempt
        if not polled.authorized or polled.authorization is None or polled.authorized_document is None:
            # NO AUTORIZADO: the authority kept it; the next attempt needs a new signature (fixed data or
            # a fixed certificate) under the same number.
            await self._rejected(polled.messages)
        assert polled.authorization is not None
        assert polled.authorized_document is not None
        if numbering.access_key is None:
            # Mexico's UUID exists only once a PAC stamped the document; credit notes refer to it.
            self.state.numbering = numbering.model_copy(update={"access_key": polled.authorization.number})
        self.state.authorization = polled.authorization
        self.state.authority_messages = polled.messages
        self.state.documents["authorized_xml"] = polled.authorized_document
        await self.move(InvoiceStatus.AUTHORIZED, "authority", f"authorization {polled.authorization.number}")
        return polled.authorization, polled.authorized_document

    async def _transmit(self, signed: DocumentRef, on_contingency: Callable[[], Awaitable[DocumentRef | None]]
                        ) -> tuple[Authorization, DocumentRef]:
        """Fast path of submit + poll: one activity submits and waits briefly for the decision; it also
        asks the authority-health workflow first, so no local activity per invoice is needed."""
        while True:
            self.check_cancel()
            # Released by the health workflow or by support: the authority is back, or we try anyway.
            released = self.authority_back or self.wake
            self.authority_back = self.wake = False
            outcome = await self._try_transmit(signed, check_health=not released)
            if isinstance(outcome, TransmitResult):
                if outcome.outcome != "AUTHORITY_DOWN":
                    return await (self._decided(outcome.decision) if outcome.decision else self.poll())
                error = f"{self.sale.country} authority known to be down since {outcome.down_since}"
            elif outcome == EXPIRED:
                # Too old for the authority: re-date and re-sign under the same number, then send.
                self.state.revision += 1
                signed = await self.sign(self.current_numbering, contingency=self.state.contingency_since is not None)
                continue
            else:
                error = outcome
            signed = await self._into_contingency(error, signed, on_contingency)
            await self._wait_for_authority()

    async def _try_transmit(self, signed: DocumentRef, *, check_health: bool) -> TransmitResult | str:
        """The activity's result, or (as _try_submit) EXPIRED or the outage's description."""
        timings = self.timings
        try:
            result = await self.activity(
                names.TRANSMIT,
                TransmitInput(invoice_key=self.state.invoice_key, country=self.sale.country,
                              issuer_id=self.sale.issuer_id, numbering=self.current_numbering, document=signed,
                              revision=self.state.revision, kind=self.kind, check_health=check_health,
                              poll_interval=timings.poll_interval, poll_max_interval=timings.poll_max_interval,
                              decision_wait=timings.decision_wait),
                TransmitResult, schedule_to_close=timings.submit_window, heartbeat=timings.heartbeat_timeout)
        except ActivityError as error:
            return await self._submit_failed(error)
        if result.outcome != "AUTHORITY_DOWN":
            self.submitted, self.refused = True, False
            self.state.attempts["submit"] = self.state.attempts.get("submit", 0) + result.attempt
            await self.move(InvoiceStatus.SUBMITTED, "worker", result.outcome)
        return result

    async def _into_contingency(self, error: str, signed: DocumentRef,
                                on_contingency: Callable[[], Awaitable[DocumentRef | None]]) -> DocumentRef:
        """Report the outage; the first time, enter contingency (deliver pending, maybe reissue)."""
        await self.activity(names.REPORT_OUTAGE, OutageReport(country=self.sale.country,
                                                              invoice_key=self.state.invoice_key, error=error), bool)
        if self.state.contingency_since is None:
            self.state.contingency_since = workflow.now()
            await self.move(InvoiceStatus.CONTINGENCY, "worker", f"authority unreachable: {error[:200]}")
            # Some countries reissue the document as a contingency document (Colombia's type 04).
            signed = await on_contingency() or signed
        return signed

    async def _submit(self, signed: DocumentRef, on_contingency: Callable[[], Awaitable[DocumentRef | None]]) -> None:
        while True:
            self.check_cancel()
            # Outages are shared knowledge: while the authority is known to be down, go to contingency at
            # once instead of waiting out the online window again for every invoice.
            # Told to go: no need to ask. Patched so invoices started before this change replay as recorded.
            released = (self.authority_back or self.wake) and workflow.patched("skip-health-query-when-released")
            health = None if released else await workflow.execute_local_activity(
                names.AUTHORITY_STATUS, AuthorityInput(country=self.sale.country), result_type=AuthorityStatus,
                start_to_close_timeout=timedelta(seconds=5))
            if health is None or health.up:
                self.authority_back = self.wake = False
                error = await self._try_submit(signed)
                if error is None:
                    return
                if error == EXPIRED:
                    # Too old for the authority: re-date and re-sign under the same number, then send.
                    self.state.revision += 1
                    signed = await self.sign(self.current_numbering,
                                             contingency=self.state.contingency_since is not None)
                    continue
            else:
                error = f"{self.sale.country} authority known to be down since {health.since}"
            signed = await self._into_contingency(error, signed, on_contingency)
            await self._wait_for_authority()

    async def _try_submit(self, signed: DocumentRef) -> str | None:
        """None when the authority received the document; the outage's description when it is unreachable."""
        try:
            submitted = await self.activity(
                names.SUBMIT, SubmitInput(invoice_key=self.state.invoice_key, country=self.sale.country,
                                          issuer_id=self.sale.issuer_id, numbering=self.current_numbering,
                                          document=signed),
                SubmitResult, schedule_to_close=self.timings.submit_window)
        except ActivityError as error:
            return await self._submit_failed(error)
        self.submitted, self.refused = True, False
        self.state.attempts["submit"] = self.state.attempts.get("submit", 0) + submitted.attempt
        await self.move(InvoiceStatus.SUBMITTED, "worker", submitted.outcome)
        return None

    async def _submit_failed(self, error: ActivityError) -> str:
        """EXPIRED, or the outage's description; raises StepFailed for a refusal or any other failure."""
        if isinstance(error.cause, ApplicationError) and error.cause.type == errors.DOCUMENT_EXPIRED:
            return EXPIRED
        failure = failure_from("submit", error)
        if failure.messages:  # rejected on content (SRI DEVUELTA): not kept; a fixed resend keeps the key
            await self._rejected(failure.messages)
        if _is_outage(error):
            return failure.problems[0].message if failure.problems else "unreachable"
        raise failure from error

    async def _wait_for_authority(self) -> None:
        """Wait to be released by the authority-health workflow; a safety-net timeout retries anyway."""
        rule = contingency_rule(self.sale.country)
        since = self.state.contingency_since or workflow.now()
        alert_at = since + (self.timings.contingency_alert_after or rule.alert_after)
        alert_due = "contingency_deadline" not in self.state.alerts
        if self.fast and self.timings.contingency_alert_after is None and not rule.alert_per_invoice:
            alert_due = False  # the authority-health workflow alerts once for the whole outage
        if alert_due and workflow.now() >= alert_at:
            await self._deadline_alert(since, rule.deadline, rule.source)
            alert_due = False
        timeout = self.timings.contingency_retry
        if alert_due:
            timeout = min(timeout, alert_at - workflow.now())
        await self.settle()
        try:
            await workflow.wait_condition(lambda: self.authority_back or self.wake or self.cancel_requested,
                                          timeout=timeout)
        except TimeoutError:
            if alert_due and workflow.now() >= alert_at:
                await self._deadline_alert(since, rule.deadline, rule.source)
            elif not self.fast:
                self.wake = True  # the safety net: try on our own
            # Fast path: the safety net only asks again (the transmit step checks the authority's health
            # first), so thousands of parked invoices never hammer an authority that is still down.
        self.check_cancel()

    async def _deadline_alert(self, since: datetime, deadline: timedelta, source: str) -> None:
        await self.alert("contingency_deadline",
                         f"in contingency since {since.isoformat()}; legal limit {deadline} ({source})")

    async def _rejected(self, messages: list[AuthorityMessage]) -> None:
        self.refused = True
        self.state.revision += 1
        await self.move(InvoiceStatus.REJECTED, "authority", codes(messages))
        raise StepFailed([Problem(field="document", code=f"AUTHORITY.{m.identifier}",
                                  message=f"{m.message} {m.additional_info or ''}".strip()) for m in messages],
                         messages)

    async def render(self, document: DocumentRef, authorization: Authorization | None) -> DocumentRef:
        return await self.activity(
            names.RENDER_PDF,
            RenderInput(invoice_key=self.state.invoice_key, country=self.sale.country, kind=self.kind,
                        document=document, authorization=authorization, revision=self.state.revision),
            DocumentRef, task_queue=names.PDF_QUEUE, schedule_to_close=self.timings.delivery_window)

    async def notify(self, pdf: DocumentRef, xml: DocumentRef, purpose: str, to: str | None = None) -> NotifyResult:
        numbering, total = self.state.numbering, self.state.total
        assert numbering is not None
        assert total is not None
        result = await self.activity(
            names.SEND_EMAIL,
            NotifyInput(invoice_key=self.state.invoice_key, sale=self.sale, kind=self.kind, numbering=numbering,
                        total=total, pdf=pdf, xml=xml, purpose=purpose, recipient_override=to),
            NotifyResult, schedule_to_close=self.timings.delivery_window, quick=True)
        if to is None:
            self.state.email_message_id = result.message_id
        return result

    async def alert(self, kind: str, message: str) -> None:
        self.state.alerts.append(kind)
        await self.record("worker", f"alert {kind}: {message}")
        await self.activity(names.RAISE_ALERT, AlertInput(invoice_key=self.state.invoice_key, kind=kind,
                                                          message=message), bool)

    # --- parking and support ----------------------------------------------------------------------
    async def until_done(self, step: str, run_step: Callable[[], Awaitable[T]]) -> T:
        """Run a step; when it fails for good, park in NEEDS_FIX and run it again once support acts."""
        while True:
            self.state.step = step
            self.check_cancel()
            try:
                return await run_step()
            except StepFailed as failure:
                await self.park(self.state.step, failure)
            except ActivityError as error:
                await self.park(self.state.step, failure_from(self.state.step, error))

    async def park(self, step: str, failure: StepFailed) -> None:
        self.state.problems = failure.problems
        self.state.authority_messages = failure.messages
        await self.move(InvoiceStatus.NEEDS_FIX, "worker", f"{step}: {failure}")
        if failure.messages and self.state.contingency_since is not None:
            # The buyer already holds this document, marked pending: a refusal needs a person now.
            await self.alert("contingency_refused", f"refused after contingency: {codes(failure.messages)}")
        self.wake = False
        await self.settle()
        try:
            await workflow.wait_condition(lambda: self.wake or self.cancel_requested,
                                          timeout=self.timings.needs_fix_alert_after)
        except TimeoutError:
            # Nobody acted in time: say so loudly, then keep waiting; the invoice never disappears.
            await self.alert("needs_fix_overdue", f"waiting for a fix since step {step}: {failure}")
            await self.settle()
            await workflow.wait_condition(lambda: self.wake or self.cancel_requested)
        self.check_cancel()
        self.wake = False
        self.state.problems = []

    def check_cancel(self) -> None:
        if self.cancel_requested:
            raise CancelRequested

    # --- machinery ------------------------------------------------------------------------------
    async def activity(
        self, name: str, arg: Any, result_type: type[T], *, task_queue: str | None = None,
        schedule_to_close: timedelta | None = None, retry: RetryPolicy | None = None,
        heartbeat: timedelta | None = None, quick: bool = False,
    ) -> T:
        """Run a step. `quick` steps (fast path only) are tried first as a local activity: short, local
        work (the worker's own database, document store and mail relay) that needs no routing, so it
        runs inside the workflow task that reached it, without a schedule, dispatch and completion on
        the server nor a workflow task of its own. Only the first attempt runs locally: if it fails, the
        same (idempotent) step runs as a regular activity, whose retries cost the history nothing while a
        database or mail server is down for hours, and which a worker shutting down simply abandons
        (local retries would hold the shutdown: sdk-core issue 709)."""
        timings = self.timings
        retry_policy = retry or RetryPolicy(initial_interval=timings.retry_initial, maximum_interval=timings.retry_max)
        if quick and self.fast:
            budget = min(timings.step_timeout, schedule_to_close or timings.delivery_window)
            try:
                local: T = await workflow.execute_local_activity(
                    name, arg, result_type=result_type, start_to_close_timeout=budget,
                    retry_policy=RetryPolicy(maximum_attempts=1), summary=name)
                return local
            except CancelledError:
                raise
            except FailureError as error:
                # Any failure, even one that will not pass on retry, continues as the regular activity: it
                # fails the same way, wrapped in the ActivityError the callers handle (a local activity's
                # failure may arrive bare), and its retries are the server's.
                cause = error.cause if isinstance(error, ActivityError) else error
                workflow.logger.warning("%s did not succeed locally, continuing as an activity: %s", name, cause)
        if self.fast:
            self.publish()
        result: T = await workflow.execute_activity(
            name, arg, result_type=result_type, task_queue=task_queue,
            start_to_close_timeout=timings.step_timeout,
            schedule_to_close_timeout=schedule_to_close or timings.delivery_window,
            retry_policy=retry_policy, heartbeat_timeout=heartbeat, summary=name,
        )
        return result

    async def move(self, status: InvoiceStatus, actor: str, note: str) -> None:
        """Record a status change everywhere operators look: query, search attribute, UI, audit trail."""
        self.state.status = status
        if self.fast:
            self._unpublished_status = status  # upserted with the next activity or wait (publish)
        else:
            workflow.upsert_search_attributes([STATUS.value_set(status.value),
                                               UPDATED_AT.value_set(workflow.now())])
        await self.record(actor, note)

    async def record(self, actor: str, note: str) -> None:
        """An entry in the history and the audit trail (status changes and support actions alike)."""
        change = StatusChange(status=self.state.status, at=workflow.now(), actor=actor, note=note)
        self.state.history.append(change)
        workflow.set_current_details(f"**{self.state.status.value}**: {note}")
        transition = TransitionInput(invoice_key=self.state.invoice_key, country=self.state.country,
                                     issuer_id=self.state.issuer_id, order_id=self.state.order_id,
                                     sequence=len(self.state.history), status=self.state.status.value,
                                     actor=actor, note=note[:500], at=change.at)
        if self.fast:
            self._unrecorded.append(transition)  # written when the workflow comes to rest (settle)
            return
        await workflow.execute_local_activity(names.RECORD_TRANSITION, transition, result_type=bool,
                                              start_to_close_timeout=timedelta(seconds=10))

    def publish(self) -> None:
        """Fast path: one upsert for everything that changed in this workflow task (the status and when it
        changed, the number): the Web UI and operators' queries see the status the invoice waits in."""
        if self._published_status is None:
            self._published_status = workflow.info().typed_search_attributes.get(STATUS) or ""
        updates: list[SearchAttributeUpdate[Any]] = []
        status = self._unpublished_status
        if status is not None and status.value != self._published_status:
            updates += [STATUS.value_set(status.value), UPDATED_AT.value_set(workflow.now())]
            self._published_status = status.value
        if self._unpublished_number is not None:
            updates.append(NUMBER.value_set(self._unpublished_number))
        self._unpublished_status = self._unpublished_number = None
        if updates:
            workflow.upsert_search_attributes(updates)

    @property
    def settled(self) -> bool:
        return not self._unrecorded and self._unpublished_status is None and self._unpublished_number is None

    async def settle(self) -> None:
        """Fast path, before the workflow waits or ends: publish the status, and write the audit entries
        of the steps since the last rest in one local activity (one transaction in the ledger).

        While steps run back to back the ledger's audit trail trails the workflow by at most those steps;
        the status query and the search attributes are always current, and nothing is lost: the entries
        are workflow state until written."""
        if not self.fast:
            return
        self.publish()
        while self._unrecorded:
            batch, self._unrecorded = self._unrecorded, []
            await workflow.execute_local_activity(names.RECORD_TRANSITIONS, TransitionsInput(transitions=batch),
                                                  result_type=int, start_to_close_timeout=timedelta(seconds=10))


def codes(messages: list[AuthorityMessage]) -> str:
    return ", ".join(f"{m.identifier} {m.message}" for m in messages) or "no messages"


def _is_outage(error: ActivityError) -> bool:
    cause = error.cause
    if isinstance(cause, ActivityTimeoutError):
        return True
    return isinstance(cause, ApplicationError) and cause.type == errors.AUTHORITY_UNAVAILABLE


def failure_from(step: str, error: ActivityError) -> StepFailed:
    cause = error.cause
    if isinstance(cause, ApplicationError):
        details = list(cause.details) if cause.details else []
        if cause.type == errors.INVALID_INVOICE and details:
            return StepFailed([Problem.model_validate(p) for p in details[0]])
        if cause.type == errors.REJECTED and details:
            messages = [AuthorityMessage.model_validate(m) for m in details[0]]
            return StepFailed([Problem(field="document", code=f"AUTHORITY.{m.identifier}",
                                       message=f"{m.message} {m.additional_info or ''}".strip())
                               for m in messages], messages)
        return StepFailed([Problem(field=step, code=cause.type or "ERROR", message=cause.message)])
    return StepFailed([Problem(field=step, code="TIMEOUT",
                               message=f"{step} did not succeed within its time budget: {cause}")])
