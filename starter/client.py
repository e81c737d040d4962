"""The typed start API for backends: issue an invoice from a sale, get a handle, ask its status.

Starting is idempotent. The workflow id is the invoice key (country, issuer, order), the conflict
policy USE_EXISTING returns the running invoice, and a completed invoice is never started again: a
backend that retries its request, even days later, gets the same invoice and never a second one.
"""

from temporalio.client import Client, WorkflowHandle
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
from domain.invoice import (
    InvoiceState,
    IssueInvoiceInput,
    IssueInvoiceResult,
    PipelineTimings,
    Sale,
    invoice_key,
    sale_key,
)
from domain.status import InvoiceStatus
from workflows.issue_invoice import IssueInvoiceWorkflow


def _keyword(name: str) -> SearchAttributeKey[str]:
    return SearchAttributeKey.for_keyword(name)


class InvoiceHandle:
    def __init__(self, key: str, handle: WorkflowHandle[IssueInvoiceWorkflow, IssueInvoiceResult]) -> None:
        self.key = key
        self._handle = handle

    async def status(self) -> InvoiceState:
        return await self._handle.query(IssueInvoiceWorkflow.status)

    async def result(self) -> IssueInvoiceResult:
        return await self._handle.result()

    async def retry_now(self, actor: str) -> None:
        await self._handle.signal(IssueInvoiceWorkflow.retry_now, actor)

    @property
    def workflow(self) -> WorkflowHandle[IssueInvoiceWorkflow, IssueInvoiceResult]:
        return self._handle


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

    async def issue(self, sale: Sale, *, requested_by: str = "api") -> InvoiceHandle:
        key = sale_key(sale)
        attributes = TypedSearchAttributes([
            SearchAttributePair(_keyword(names.SA_COUNTRY), sale.country),
            SearchAttributePair(_keyword(names.SA_ISSUER), sale.issuer.ruc),
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
                static_summary=f"Invoice {sale.country} {sale.issuer.ruc} order {sale.order_id}",
            )
        except WorkflowAlreadyStartedError:
            handle = self._client.get_workflow_handle_for(IssueInvoiceWorkflow.run, key)
        return InvoiceHandle(key, handle)

    def invoice(self, country: str, issuer_id: str, order_id: str) -> InvoiceHandle:
        key = invoice_key(country, issuer_id, order_id)
        return InvoiceHandle(key, self._client.get_workflow_handle_for(IssueInvoiceWorkflow.run, key))

    async def find_by_order(self, order_id: str) -> list[InvoiceHandle]:
        """Invoices for an order id across issuers, through the OrderId search attribute."""
        found = []
        async for execution in self._client.list_workflows(f'{names.SA_ORDER} = "{order_id}"'):
            handle = self._client.get_workflow_handle_for(IssueInvoiceWorkflow.run, execution.id)
            found.append(InvoiceHandle(execution.id, handle))
        return found
