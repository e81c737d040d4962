"""IssueInvoiceWorkflow: one sale becomes one authorized, delivered and booked invoice.

validate → number → sign → submit (contingency while the authority is unreachable) → poll → render →
notify → ledger. Support repairs it with the `fix` update and acts with `retry_now`, `cancel` and
`resend_notification` (each an update, for a result, and a signal, for bulk actions). Cancelling voids
an invoice the authority never received and credits one it authorized (CreditNoteWorkflow child).
"""

from typing import Any

from pydantic import ValidationError
from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError, ChildWorkflowError

with workflow.unsafe.imports_passed_through():
    from domain import names
    from domain.contingency import contingency_rule
    from domain.documents import DocumentRef
    from domain.invoice import (
        Authorization,
        CancelRequest,
        CreditNoteInput,
        CreditNoteResult,
        CreditNoteSummary,
        CreditRequest,
        FixRequest,
        InvoiceState,
        IssueInvoiceInput,
        IssueInvoiceResult,
        Numbering,
        ResendRequest,
        SupportRequest,
        credit_note_key,
    )
    from domain.problems import describe, errors_only, problems_from_validation_error
    from domain.rules import sale_problems
    from domain.status import InvoiceStatus
    from domain.steps import LedgerInput, LedgerResult, VoidInput, WebhookInput, WebhookResult
    from workflows.pipeline import CancelRequested, Pipeline, StepFailed

# The invoice's identity: a different value is a different invoice, never a fix.
IDENTITY_FIELDS = frozenset({"country", "order_id", "issuer"})
FIXABLE = frozenset({InvoiceStatus.NEEDS_FIX})
RESENDABLE = frozenset({InvoiceStatus.CONTINGENCY, InvoiceStatus.AUTHORIZED, InvoiceStatus.RENDERED,
                        InvoiceStatus.NOTIFIED, InvoiceStatus.COMPLETED})


@workflow.defn(name="IssueInvoice")
class IssueInvoiceWorkflow:
    @workflow.init
    def __init__(self, inp: IssueInvoiceInput) -> None:
        sale = inp.sale
        state = InvoiceState(invoice_key=workflow.info().workflow_id, country=sale.country,
                             issuer_id=sale.issuer_id, order_id=sale.order_id)
        self._p = Pipeline(state, sale, inp.timings, "invoice")
        self._resends = 0
        self._cancel_reason: SupportRequest | None = None

    # --- queries, updates, signals --------------------------------------------------------------
    @workflow.query
    def status(self) -> InvoiceState:
        return self._p.state

    @workflow.update
    async def fix(self, request: FixRequest) -> str:
        self._p.sale = self._patched(request)
        if self._p.state.numbering is not None:
            self._p.state.revision += 1  # rebuilt and re-signed under the same number
        await self._p.record(request.actor, f"fix ({', '.join(sorted(request.changes))}): {request.reason}")
        self._p.wake = True
        return "accepted"

    @fix.validator
    def _validate_fix(self, request: FixRequest) -> None:
        if self._p.state.status not in FIXABLE:
            raise ValueError(f"invoice is {self._p.state.status.value}; only NEEDS_FIX invoices take a fix")
        self._patched(request)

    def _patched(self, request: FixRequest) -> Any:
        """The sale with the patch applied; raises with every remaining problem if it is still wrong."""
        touched = IDENTITY_FIELDS & set(request.changes)
        if touched:
            raise ValueError(f"{', '.join(sorted(touched))} identify the invoice and cannot be changed")
        if "issue_date" in request.changes and self._p.state.numbering is not None:
            # The number (and Ecuador's clave de acceso) already encodes the issue date.
            raise ValueError("issue_date is part of the allocated number; cancel and issue a new invoice")
        data = {**self._p.sale.model_dump(mode="json"), **request.changes}
        try:
            patched = type(self._p.sale).model_validate(data)
        except ValidationError as exc:
            raise ValueError(describe(problems_from_validation_error(exc))) from None
        problems = errors_only(sale_problems(patched, workflow.now()))
        if problems:
            raise ValueError(describe(problems))
        return patched

    @workflow.signal
    def authority_back(self) -> None:
        """From the authority-health workflow: the authority answers again; submit now."""
        self._p.authority_back = True

    @workflow.update(name="retry_now")
    async def retry_now_update(self, request: SupportRequest) -> str:
        await self._retry(request)
        return f"retrying from {self._p.state.status.value}"

    @workflow.signal(name="retry_now")
    async def retry_now(self, request: SupportRequest) -> None:
        await self._retry(request)

    async def _retry(self, request: SupportRequest) -> None:
        await self._p.record(request.actor, f"retry now: {request.reason}")
        self._p.wake = True

    @workflow.update(name="cancel")
    async def cancel_update(self, request: CancelRequest) -> str:
        await self._cancel(request)
        return "cancellation requested"

    @cancel_update.validator
    def _validate_cancel(self, request: CancelRequest) -> None:
        if self._p.state.status in (InvoiceStatus.VOIDED, InvoiceStatus.CREDITED):
            raise ValueError(f"invoice is already {self._p.state.status.value}")
        if not request.reason.strip():
            raise ValueError("a cancellation needs a reason")

    @workflow.signal(name="cancel")
    async def cancel(self, request: CancelRequest) -> None:
        await self._cancel(request)

    async def _cancel(self, request: CancelRequest) -> None:
        if self._cancel_reason is not None:
            return  # signals are delivered at least once; one cancellation is enough
        self._cancel_reason = request
        await self._p.record(request.actor, f"cancel requested: {request.reason}")
        self._p.cancel_requested = True

    @workflow.update(name="resend_notification")
    async def resend_update(self, request: ResendRequest) -> str:
        message = await self._resend(request)
        return message or "nothing to resend yet"

    @resend_update.validator
    def _validate_resend(self, request: ResendRequest) -> None:
        if "pdf" not in self._p.state.documents:
            raise ValueError(f"invoice is {self._p.state.status.value}; there is no document to resend yet")

    @workflow.signal(name="resend_notification")
    async def resend_notification(self, request: ResendRequest) -> None:
        await self._resend(request)

    async def _resend(self, request: ResendRequest) -> str | None:
        documents = self._p.state.documents
        xml = documents.get("authorized_xml") or documents.get("signed_xml")
        if "pdf" not in documents or xml is None:
            return None
        self._resends += 1
        await self._p.record(request.actor, f"resend to {request.to or 'the buyer'}: {request.reason}")
        result = await self._p.notify(documents["pdf"], xml, f"resend-{self._resends}", to=request.to)
        return result.message_id

    # --- the run --------------------------------------------------------------------------------
    @workflow.run
    async def run(self, inp: IssueInvoiceInput) -> IssueInvoiceResult:
        p = self._p
        await p.move(InvoiceStatus.RECEIVED, inp.requested_by, "sale received")
        try:
            await self._issue()
        except CancelRequested:
            await self._compensate()
        await workflow.wait_condition(workflow.all_handlers_finished)
        while p.fast and not p.settled:
            await p.settle()
            await workflow.wait_condition(workflow.all_handlers_finished)
        return IssueInvoiceResult(state=p.state)

    async def _issue(self) -> None:
        p = self._p
        if p.fast:
            # Validation, numbering and signing in one step (Pipeline.prepare); parks as "validate" or
            # "authorize" depending on where it stopped.
            authorization, authorized = await p.until_done("validate", self._prepare_and_authorize)
        else:
            await p.until_done("validate", p.validate)
            await p.until_done("number", p.number)
            authorization, authorized = await p.until_done("authorize",
                                                           lambda: self._authorize(p.current_numbering))
        numbering = p.current_numbering  # now with the authority's key
        pdf = await p.until_done("render", lambda: p.render(authorized, authorization))
        p.state.documents["pdf"] = pdf
        await p.move(InvoiceStatus.RENDERED, "worker", "PDF rendered")
        await p.until_done("notify", lambda: self._notify_authorized(numbering, pdf, authorized))
        await p.move(InvoiceStatus.NOTIFIED, "worker", "buyer notified")
        try:
            await self._post_ledger(numbering, authorization, InvoiceStatus.COMPLETED)
        except ActivityError as error:
            # The invoice is legally issued but the books refuse it: compensate with a credit note
            # rather than leave it half-done, and tell an operator.
            await p.alert("ledger_refused", f"ledger posting failed for good: {error.cause or error}")
            await self._credit_fully("ledger refused the posting", "worker", book=False)
            return
        p.state.step = "done"
        await p.move(InvoiceStatus.COMPLETED, "worker", "booked in the ledger")

    async def _prepare_and_authorize(self) -> tuple[Authorization, DocumentRef]:
        p = self._p
        signed = await p.prepare()
        return await p.transmit(p.current_numbering, signed, lambda: self._deliver_in_contingency(signed))

    async def _authorize(self, numbering: Numbering) -> tuple[Authorization, DocumentRef]:
        p = self._p
        signed = await p.sign(numbering)
        return await p.transmit(numbering, signed, lambda: self._deliver_in_contingency(signed))

    async def _deliver_in_contingency(self, signed: DocumentRef) -> DocumentRef:
        """The sale goes on: the buyer gets the document marked pending and the receivable is booked.

        Where the country issues a distinct contingency document (Colombia's type 04), it is signed now,
        under the same number, and that is the document delivered and later transmitted."""
        p = self._p
        rule = contingency_rule(p.sale.country)
        if not rule.deliver_pending:
            return signed
        if rule.reissue_as_contingency:
            p.state.revision += 1
            signed = await p.sign(p.current_numbering, contingency=True)
        try:
            pdf = await p.render(signed, None)
            p.state.documents["pending_pdf"] = pdf
            await p.notify(pdf, signed, "pending")
            await self._post_ledger(p.current_numbering, None, InvoiceStatus.CONTINGENCY)
        except ActivityError as error:
            await p.alert("contingency_delivery", f"could not deliver the pending document: {error.cause or error}")
        return signed

    async def _notify_authorized(self, numbering: Numbering, pdf: DocumentRef, authorized: DocumentRef) -> None:
        p = self._p
        mailed = await p.notify(pdf, authorized, "authorized")
        if p.fast and not mailed.webhook_configured:
            return  # no endpoint to tell: no step (an activity round trip) for nothing
        total = p.state.total
        payload = {"invoice_key": p.state.invoice_key, "order_id": p.sale.order_id,
                   "status": InvoiceStatus.AUTHORIZED.value, "document_number": numbering.document_number,
                   "access_key": numbering.access_key or "", "total": str(total)}
        await p.activity(names.SEND_WEBHOOK, WebhookInput(invoice_key=p.state.invoice_key,
                                                          event="invoice.authorized", payload=payload),
                         WebhookResult)

    async def _post_ledger(self, numbering: Numbering, authorization: Authorization | None,
                           status: InvoiceStatus) -> None:
        p = self._p
        assert p.state.total is not None
        await p.activity(names.POST_LEDGER,
                         LedgerInput(invoice_key=p.state.invoice_key, sale=p.sale, numbering=numbering,
                                     authorization=authorization, total=p.state.total,
                                     documents=dict(p.state.documents), status=status.value),
                         LedgerResult, schedule_to_close=p.timings.delivery_window, quick=True)

    # --- compensation ---------------------------------------------------------------------------
    async def _compensate(self) -> None:
        p, request = self._p, self._cancel_reason
        assert request is not None
        p.cancel_requested = False
        if p.state.authorization is None and p.submitted and not p.refused:
            # Received but not decided: its decision chooses between void and credit. Poll only; a
            # cancelled document is never sent again.
            await self._last_decision()
        if p.state.authorization is None:
            # The authority never received it, or refused it: void. The number stays spent, marked voided.
            await self._compensate_void(request)
            return
        numbering = p.state.numbering
        assert numbering is not None
        await self._post_ledger(numbering, p.state.authorization, p.state.status)
        await self._credit_fully(request.reason, request.actor, book=True)

    async def _last_decision(self) -> None:
        p = self._p
        try:
            await p.poll()
        except (StepFailed, ActivityError):
            return  # not authorized in the end: the caller voids instead

    async def _compensate_void(self, request: SupportRequest) -> None:
        p = self._p
        await p.activity(names.VOID_INVOICE, VoidInput(invoice_key=p.state.invoice_key, sale=p.sale,
                                                      numbering=p.state.numbering, reason=request.reason,
                                                      actor=request.actor), bool)
        await p.move(InvoiceStatus.VOIDED, request.actor, request.reason)

    async def _credit_fully(self, reason: str, actor: str, *, book: bool) -> None:
        p = self._p
        numbering, total = p.state.numbering, p.state.total
        assert numbering is not None
        assert total is not None
        key = credit_note_key(p.state.invoice_key, len(p.state.credit_notes) + 1)
        p.state.credit_notes.append(CreditNoteSummary(key=key, status=InvoiceStatus.RECEIVED))
        await p.record(actor, f"credit note {key} for the full amount: {reason}")
        await p.settle()  # the child may take as long as its authority does
        try:
            result = await workflow.execute_child_workflow(
                names.CREDIT_NOTE_WORKFLOW,
                CreditNoteInput(original_key=p.state.invoice_key, original_sale=p.sale, original_numbering=numbering,
                                original_total=total, request=CreditRequest(reason=reason, requested_by=actor),
                                timings=p.timings, sequence=len(p.state.credit_notes), book_in_ledger=book),
                id=key, task_queue=names.INVOICE_QUEUE, result_type=CreditNoteResult,
                execution_timeout=None,
            )
        except ChildWorkflowError as error:
            # Leave the invoice where an operator sees it; the child's own history says what failed.
            await p.alert("credit_note_failed", f"{key}: {error.cause or error}")
            raise ApplicationError(f"credit note {key} failed: {error.cause or error}") from error
        p.state.credit_notes[-1] = CreditNoteSummary(
            key=key, status=result.state.status, amount=result.amount,
            document_number=result.state.numbering.document_number if result.state.numbering else None)
        await p.move(InvoiceStatus.CREDITED, actor, f"credited by {key}: {reason}")


