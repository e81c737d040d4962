"""The typed start API for backends and support tools: issue, look up, fix, retry, cancel, credit, resend.

Starting is idempotent. The workflow id is the invoice key (country, issuer, order), the conflict policy
USE_EXISTING returns the running invoice, and a completed invoice is never started again: a backend that
retries its request, even days later, gets the same invoice and never a second one.
"""

import secrets
from datetime import timedelta
from typing import Any

from temporalio.client import Client, WorkflowExecutionStatus, WorkflowHandle
from temporalio.common import (
    SearchAttributeKey,
    SearchAttributePair,
    TypedSearchAttributes,
    WorkflowIDConflictPolicy,
    WorkflowIDReusePolicy,
)
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.exceptions import WorkflowAlreadyStartedError

from domain import names
from domain.cancellation import CancelCfdiInput, Motive
from domain.invoice import (
    CancelRequest,
    CreditNoteInput,
    CreditNoteResult,
    CreditRequest,
    FixRequest,
    InvoiceState,
    IssueInvoiceInput,
    IssueInvoiceResult,
    PipelineTimings,
    ResendRequest,
    Sale,
    SupportRequest,
    credit_note_key,
    invoice_key,
    sale_key,
)
from domain.problems import Problem, describe, errors_only
from domain.rules import credit_problems
from domain.status import InvoiceStatus
from domain.steps import NotifyInput, NotifyResult
from workflows.cancel_cfdi import CancelCfdiWorkflow
from workflows.credit_note import CreditNoteWorkflow
from workflows.issue_invoice import IssueInvoiceWorkflow
from workflows.resend import ResendWorkflow

CREDITABLE = frozenset({InvoiceStatus.AUTHORIZED, InvoiceStatus.RENDERED, InvoiceStatus.NOTIFIED,
                        InvoiceStatus.COMPLETED})


class SupportError(Exception):
    """A support operation that cannot be done, with the problems that say why."""

    def __init__(self, message: str, problems: list[Problem] | None = None) -> None:
        super().__init__(message + (f"\n{describe(problems)}" if problems else ""))
        self.problems = problems or []


def _keyword(name: str) -> SearchAttributeKey[str]:
    return SearchAttributeKey.for_keyword(name)


class InvoiceHandle:
    def __init__(self, key: str, handle: WorkflowHandle[Any, Any]) -> None:
        self.key = key
        self._handle = handle

    @property
    def workflow(self) -> WorkflowHandle[Any, Any]:
        return self._handle

    async def status(self) -> InvoiceState:
        state: InvoiceState = await self._handle.query("status", result_type=InvoiceState)
        return state

    async def result(self) -> IssueInvoiceResult:
        result: IssueInvoiceResult = await self._handle.result()
        return result

    async def is_running(self) -> bool:
        return (await self._handle.describe()).status == WorkflowExecutionStatus.RUNNING

    async def fix(self, changes: dict[str, Any], *, actor: str, reason: str) -> str:
        """Apply a patch; refused, with every remaining problem, if the sale would still be wrong."""
        request = FixRequest(actor=actor, reason=reason, changes=changes)
        answer: str = await self._handle.execute_update(IssueInvoiceWorkflow.fix, request)
        return answer

    async def retry_now(self, *, actor: str, reason: str = "") -> str:
        answer: str = await self._handle.execute_update(
            "retry_now", SupportRequest(actor=actor, reason=reason), result_type=str)
        return answer


class InvoiceClient:
    def __init__(self, client: Client, timings: PipelineTimings | None = None) -> None:
        self._client = client
        self._timings = timings or PipelineTimings()

    @classmethod
    async def connect(cls, address: str, namespace: str = "default",
                      timings: PipelineTimings | None = None) -> "InvoiceClient":
        client = await Client.connect(address, namespace=namespace, data_converter=pydantic_data_converter)
        return cls(client, timings)

    @property
    def temporal(self) -> Client:
        return self._client

    # --- issuing --------------------------------------------------------------------------------
    async def issue(self, sale: Sale, *, requested_by: str = "api") -> InvoiceHandle:
        key = sale_key(sale)
        attributes = TypedSearchAttributes([
            SearchAttributePair(_keyword(names.SA_COUNTRY), sale.country),
            SearchAttributePair(_keyword(names.SA_ISSUER), sale.issuer_id),
            SearchAttributePair(_keyword(names.SA_ORDER), sale.order_id),
            SearchAttributePair(_keyword(names.SA_STATUS), InvoiceStatus.RECEIVED.value),
        ])
        try:
            handle = await self._client.start_workflow(
                IssueInvoiceWorkflow.run,
                IssueInvoiceInput(sale=sale, timings=self._timings, requested_by=requested_by),
                id=key, task_queue=names.INVOICE_QUEUE,
                id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
                # A failed run may be started again by an operator; a completed invoice never.
                id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
                search_attributes=attributes,
                static_summary=f"Invoice {sale.country} {sale.issuer_id} order {sale.order_id}",
            )
        except WorkflowAlreadyStartedError:
            handle = self._client.get_workflow_handle_for(IssueInvoiceWorkflow.run, key)
        return InvoiceHandle(key, handle)

    def invoice(self, country: str, issuer_id: str, order_id: str) -> InvoiceHandle:
        key = invoice_key(country, issuer_id, order_id)
        return InvoiceHandle(key, self._client.get_workflow_handle_for(IssueInvoiceWorkflow.run, key))

    async def find_by_order(self, order_id: str) -> list[InvoiceHandle]:
        """Invoices for an order id across issuers, through the OrderId search attribute."""
        query = f'{names.SA_ORDER} = "{order_id}" AND WorkflowType = "IssueInvoice"'
        return [InvoiceHandle(e.id, self._client.get_workflow_handle_for(IssueInvoiceWorkflow.run, e.id))
                async for e in self._client.list_workflows(query)]

    # --- support --------------------------------------------------------------------------------
    async def cancel(self, handle: InvoiceHandle, *, actor: str, reason: str) -> str:
        """Void an invoice the authority never received; credit one it authorized."""
        if await handle.is_running():
            answer: str = await handle.workflow.execute_update(
                "cancel", CancelRequest(actor=actor, reason=reason), result_type=str)
            return answer
        credit = await self.credit(handle, CreditRequest(reason=reason, requested_by=actor), credit_id="cancel")
        return f"credit note {credit.key} started for the full amount"

    async def credit(self, handle: InvoiceHandle, request: CreditRequest, *,
                     credit_id: str | None = None) -> InvoiceHandle:
        """Credit all or part of an authorized invoice. ``credit_id`` (the backend's return or RMA id) makes
        the request idempotent: the same id is the same credit note."""
        state = await handle.status()
        if state.status not in CREDITABLE or state.numbering is None or state.total is None:
            raise SupportError(f"invoice {handle.key} is {state.status.value}; only authorized invoices are credited")
        sale = await self._sale_of(handle)
        problems = errors_only(credit_problems(sale, request.lines, request.reason))
        if problems:
            raise SupportError(f"credit note for {handle.key} refused", problems)
        key = credit_note_key(handle.key, 0).removesuffix("-0") + f"-{credit_id or secrets.token_hex(4)}"
        inp = CreditNoteInput(original_key=handle.key, original_sale=sale, original_numbering=state.numbering,
                              original_total=state.total, request=request, timings=self._timings)
        attributes = TypedSearchAttributes([
            SearchAttributePair(_keyword(names.SA_COUNTRY), sale.country),
            SearchAttributePair(_keyword(names.SA_ISSUER), sale.issuer_id),
            SearchAttributePair(_keyword(names.SA_ORDER), sale.order_id),
            SearchAttributePair(_keyword(names.SA_STATUS), InvoiceStatus.RECEIVED.value),
        ])
        try:
            credit = await self._client.start_workflow(
                CreditNoteWorkflow.run, inp, id=key, task_queue=names.INVOICE_QUEUE,
                id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
                id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY, search_attributes=attributes,
                static_summary=f"Credit note for {handle.key}")
        except WorkflowAlreadyStartedError:
            credit = self._client.get_workflow_handle_for(CreditNoteWorkflow.run, key)
        return InvoiceHandle(key, credit)

    async def credit_result(self, credit: InvoiceHandle) -> CreditNoteResult:
        result: CreditNoteResult = await credit.workflow.result()
        return result

    async def resend(self, handle: InvoiceHandle, *, actor: str, reason: str, to: str | None = None) -> str | None:
        """Send the invoice's documents again, to the buyer or to another address."""
        request = ResendRequest(actor=actor, reason=reason, to=to)
        if await handle.is_running():
            message: str = await handle.workflow.execute_update("resend_notification", request, result_type=str)
            return message
        state = await handle.status()
        documents = state.documents
        xml = documents.get("authorized_xml") or documents.get("signed_xml")
        if "pdf" not in documents or xml is None or state.numbering is None or state.total is None:
            raise SupportError(f"invoice {handle.key} has no documents to resend")
        inp = NotifyInput(invoice_key=handle.key, sale=await self._sale_of(handle), numbering=state.numbering,
                          total=state.total, pdf=documents["pdf"], xml=xml,
                          purpose=f"resend-{secrets.token_hex(4)}", recipient_override=to)
        result: NotifyResult = await self._client.execute_workflow(
            ResendWorkflow.run, inp, id=f"resend-{handle.key}-{inp.purpose}", task_queue=names.INVOICE_QUEUE,
            execution_timeout=timedelta(hours=2))
        return result.message_id

    async def cancel_at_authority(self, handle: InvoiceHandle, *, motive: Motive, actor: str, reason: str,
                                  substitute_uuid: str | None = None,
                                  poll_interval: timedelta = timedelta(minutes=10)) -> InvoiceHandle:
        """Mexico: cancel a stamped CFDI through the PAC with the SAT's motive. Motive 01 needs the UUID of
        the substitute CFDI, issued first with `replaces_uuid` set to the cancelled one."""
        state = await handle.status()
        if state.authorization is None or state.numbering is None or state.total is None or state.sale is None:
            raise SupportError(f"invoice {handle.key} is {state.status.value}: only stamped CFDIs are cancelled")
        if motive == "01" and not substitute_uuid:
            raise SupportError("motive 01 needs the substitute CFDI's UUID (issue it first, replacing this one)")
        inp = CancelCfdiInput(original_key=handle.key, sale=state.sale, numbering=state.numbering,
                              uuid=state.authorization.number, total=state.total, motive=motive,
                              substitute_uuid=substitute_uuid, reason=reason, requested_by=actor,
                              poll_interval=poll_interval)
        key = f"cancel-{handle.key.removeprefix('invoice-')}"
        try:
            started = await self._client.start_workflow(
                CancelCfdiWorkflow.run, inp, id=key, task_queue=names.INVOICE_QUEUE,
                id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
                id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
                static_summary=f"Cancellation of {handle.key}, motive {motive}")
        except WorkflowAlreadyStartedError:
            started = self._client.get_workflow_handle_for(CancelCfdiWorkflow.run, key)
        return InvoiceHandle(key, started)

    async def _sale_of(self, handle: InvoiceHandle) -> Sale:
        """The sale as the invoice holds it now, after any fix."""
        state = await handle.status()
        if state.sale is None:
            raise SupportError(f"invoice {handle.key} does not report its sale")
        return state.sale
