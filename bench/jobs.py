"""One request of each kind the drivers issue: an invoice through the product's start API, or a baseline
workflow. Each returns its timing and final status."""

from temporalio.client import Client

from bench.baseline_models import BASELINE_QUEUE, BASELINE_WORKFLOW, BaselineInput, BaselineResult
from bench.drivers import Job, Outcome, now
from bench.samples import SaleFactory
from domain.status import InvoiceStatus
from starter.client import InvoiceClient


def order_id(run_id: str, section: str, index: int) -> str:
    return f"BENCH-{run_id}-{section}-{index:05d}"


def invoice_job(client: InvoiceClient, make_sale: SaleFactory, run_id: str, section: str) -> Job:
    async def issue(index: int) -> Outcome:
        sale = make_sale(order_id(run_id, section, index), index)
        started = now()
        handle = await client.issue(sale, requested_by="bench")
        state = (await handle.result()).state
        finished = now()
        # The first time each status was reached, from the workflow's own history (workflow time).
        marks: dict[str, float] = {}
        for change in state.history:
            marks.setdefault(change.status.value, change.at.timestamp())
        return Outcome(index, handle.key, started, finished, state.status.value,
                       state.numbering.access_key if state.numbering else None, marks)

    return issue


def baseline_job(client: Client, make_sale: SaleFactory, run_id: str) -> Job:
    async def run(index: int) -> Outcome:
        key = f"bench-baseline-{run_id}-{index:05d}"
        started = now()
        result = await client.execute_workflow(
            BASELINE_WORKFLOW, BaselineInput(sale=make_sale(order_id(run_id, "baseline", index), index)),
            id=key, task_queue=BASELINE_QUEUE, result_type=BaselineResult)
        return Outcome(index, key, started, now(), InvoiceStatus.COMPLETED.value if result.steps else "FAILED")

    return run
