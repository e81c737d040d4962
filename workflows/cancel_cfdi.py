"""CancelCfdiWorkflow: cancel a stamped CFDI through the PAC and follow it until the SAT settles it.

Cancellations that need the receiver's acceptance wait in the SAT's "EnProceso" state; the workflow
shows that state in its `status` query and details line, asks again every `poll_interval`, and books the
void in the ledger only once the SAT says the CFDI is cancelled (or the receiver let the window pass).
"""

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy, SearchAttributeKey

with workflow.unsafe.imports_passed_through():
    from domain import names
    from domain.cancellation import CANCELLED_STATES, FINAL_STATES, CancelCfdiInput, CancellationStep, CancellationView
    from domain.status import InvoiceStatus
    from domain.steps import CancelAtAuthority, CancellationStatus, VoidInput

STATUS = SearchAttributeKey.for_keyword(names.SA_STATUS)


@workflow.defn(name=names.CANCEL_CFDI_WORKFLOW)
class CancelCfdiWorkflow:
    @workflow.init
    def __init__(self, inp: CancelCfdiInput) -> None:
        self._view = CancellationView(original_key=inp.original_key, motive=inp.motive)

    @workflow.query
    def status(self) -> CancellationView:
        return self._view

    @workflow.run
    async def run(self, inp: CancelCfdiInput) -> CancellationView:
        request = CancelAtAuthority(invoice_key=inp.original_key, country=inp.sale.country,
                                    issuer_id=inp.sale.issuer_id, receiver_id=inp.sale.buyer_identification,
                                    uuid=inp.uuid, total=inp.total,
                                    motive=inp.motive, substitute_uuid=inp.substitute_uuid)
        answer = await self._ask(names.CANCEL_AT_AUTHORITY, request, f"{inp.requested_by}: {inp.reason}")
        deadline = workflow.now() + inp.follow_for
        while answer.state not in FINAL_STATES and workflow.now() < deadline:
            await workflow.sleep(inp.poll_interval, summary="waiting for the receiver's answer")
            answer = await self._ask(names.CANCELLATION_STATUS, request, "")
        if answer.state in CANCELLED_STATES:
            await workflow.execute_activity(
                names.VOID_INVOICE, VoidInput(invoice_key=inp.original_key, sale=inp.sale, numbering=inp.numbering,
                                              reason=f"CFDI cancelled, motive {inp.motive}: {inp.reason}",
                                              actor=inp.requested_by),
                result_type=bool, start_to_close_timeout=timedelta(seconds=60),
                schedule_to_close_timeout=timedelta(hours=6))
            self._view.voided = True
            workflow.upsert_search_attributes([STATUS.value_set(InvoiceStatus.VOIDED.value)])
        return self._view

    async def _ask(self, activity: str, request: CancelAtAuthority, note: str) -> CancellationStatus:
        answer: CancellationStatus = await workflow.execute_activity(
            activity, request, result_type=CancellationStatus, start_to_close_timeout=timedelta(seconds=60),
            schedule_to_close_timeout=timedelta(hours=6),
            retry_policy=RetryPolicy(maximum_interval=timedelta(minutes=1)), summary=activity)
        if answer.state != self._view.state:
            self._view.history.append(CancellationStep(state=answer.state, at=workflow.now(),
                                                       note=note or answer.message))
            workflow.set_current_details(f"**{answer.state}** {answer.message}")
        self._view.state, self._view.code, self._view.message = answer.state, answer.code, answer.message
        return answer
