"""CreditNoteWorkflow: credit all or part of an authorized invoice through the same pipeline.

reserve the amount (the sum of credits never exceeds the invoice) → number → sign → submit → poll →
render → notify → post the credit. It runs as a child of the invoice it cancels, or on its own for a
partial credit of an invoice that already completed.
"""

from decimal import Decimal

from temporalio import workflow
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from domain import names
    from domain.documents import DocumentRef
    from domain.invoice import Authorization, CreditNoteInput, CreditNoteResult, InvoiceState
    from domain.status import InvoiceStatus
    from domain.steps import CreditLedgerInput, CreditSpec, ReserveCreditInput, ReserveCreditResult
    from workflows.pipeline import Pipeline


@workflow.defn(name=names.CREDIT_NOTE_WORKFLOW)
class CreditNoteWorkflow:
    @workflow.init
    def __init__(self, inp: CreditNoteInput) -> None:
        sale = inp.original_sale
        state = InvoiceState(invoice_key=workflow.info().workflow_id, kind="credit_note", country=sale.country,
                             issuer_id=sale.issuer_id, order_id=sale.order_id)
        credit = CreditSpec(original_numbering=inp.original_numbering, lines=inp.request.lines,
                            reason=inp.request.reason)
        self._p = Pipeline(state, sale, inp.timings, "credit_note", credit)

    @workflow.query
    def status(self) -> InvoiceState:
        return self._p.state

    @workflow.signal
    def authority_back(self) -> None:
        self._p.authority_back = True

    @workflow.signal(name="retry_now")
    async def retry_now(self, actor: str = "support") -> None:
        await self._p.record(actor, "retry now")
        self._p.wake = True

    @workflow.run
    async def run(self, inp: CreditNoteInput) -> CreditNoteResult:
        p = self._p
        await p.move(InvoiceStatus.RECEIVED, inp.request.requested_by, f"credit of {inp.original_key}: "
                     f"{inp.request.reason}")
        await p.until_done("validate", p.validate)
        amount = p.state.total
        assert amount is not None
        if inp.book_in_ledger:
            await self._reserve(inp, amount)
        await p.until_done("number", p.number)

        async def authorize() -> tuple[Authorization, DocumentRef]:
            signed = await p.sign(p.current_numbering)
            return await p.transmit(p.current_numbering, signed, _nothing)

        authorization, authorized = await p.until_done("authorize", authorize)
        numbering = p.current_numbering
        pdf = await p.until_done("render", lambda: p.render(authorized, authorization))
        p.state.documents["pdf"] = pdf
        await p.move(InvoiceStatus.RENDERED, "worker", "PDF rendered")
        await p.until_done("notify", lambda: p.notify(pdf, authorized, "credit"))
        await p.move(InvoiceStatus.NOTIFIED, "worker", "buyer notified")
        if inp.book_in_ledger:
            await p.until_done("ledger", lambda: p.activity(
                names.POST_CREDIT,
                CreditLedgerInput(credit_key=p.state.invoice_key, original_key=inp.original_key, sale=p.sale,
                                  numbering=numbering, authorization=authorization, amount=amount,
                                  documents=dict(p.state.documents)), bool))
        p.state.step = "done"
        await p.move(InvoiceStatus.COMPLETED, "worker", f"credited {amount}")
        await p.settle()
        return CreditNoteResult(state=p.state, amount=amount)

    async def _reserve(self, inp: CreditNoteInput, amount: Decimal) -> None:
        p = self._p
        reservation = await p.activity(
            names.RESERVE_CREDIT,
            ReserveCreditInput(original_key=inp.original_key, credit_key=p.state.invoice_key, amount=amount),
            ReserveCreditResult)
        if not reservation.reserved:
            # Checked before anything is numbered or sent: a credit note over the invoice never exists.
            message = (f"credit of {amount} would exceed invoice {inp.original_key}: total "
                       f"{reservation.invoice_total}, already credited {reservation.already_credited}")
            await p.move(InvoiceStatus.REJECTED, "worker", message)
            await p.settle()
            raise ApplicationError(message, type="CreditExceedsInvoice", non_retryable=True)


async def _nothing() -> None:
    """Credit notes have no contingency delivery of their own: they wait for the authority."""
    return
