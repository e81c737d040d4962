"""One request of each kind the drivers issue: an invoice through the product's start API, or a baseline
workflow. Each returns its timing and final status."""

import asyncio

from temporalio.client import Client

from bench.baseline_models import BASELINE_QUEUE, BASELINE_WORKFLOW, BaselineInput, BaselineResult
from bench.drivers import Job, Outcome, now
from bench.samples import SaleFactory
from domain.invoice import InvoiceState
from starter.client import InvoiceClient, InvoiceHandle

# An invoice that has not finished after this long is reported with the status it is stuck in (for
# example NEEDS_FIX, which waits for support forever) instead of hanging the run.
INVOICE_TIMEOUT_SECONDS = 600.0


def order_prefix(run_id: str, section: str) -> str:
    return f"BENCH-{run_id}-{section}-"


def order_id(run_id: str, section: str, index: int) -> str:
    return f"{order_prefix(run_id, section)}{index:05d}"


async def final_state(handle: InvoiceHandle, seconds: float = INVOICE_TIMEOUT_SECONDS) -> InvoiceState:
    try:
        async with asyncio.timeout(seconds):
            return (await handle.result()).state
    except TimeoutError:
        return await handle.status()


def outcome_of(index: int, key: str, started: float, finished: float, state: InvoiceState) -> Outcome:
    # The first time each status was reached, from the workflow's own history (workflow time).
    marks: dict[str, float] = {}
    for change in state.history:
        marks.setdefault(change.status.value, change.at.timestamp())
    return Outcome(index, key, started, finished, state.status.value,
                   state.numbering.access_key if state.numbering else None, marks)


def invoice_job(client: InvoiceClient, make_sale: SaleFactory, run_id: str, section: str) -> Job:
    async def issue(index: int) -> Outcome:
        sale = make_sale(order_id(run_id, section, index), index)
        started = now()
        handle = await client.issue(sale, requested_by="bench")
        state = await final_state(handle)
        return outcome_of(index, handle.key, started, now(), state)

    return issue


def baseline_job(client: Client, make_sale: SaleFactory, run_id: str, section: str = "baseline") -> Job:
    async def run(index: int) -> Outcome:
        key = f"bench-{section}-{run_id}-{index:05d}"
        started = now()
        result = await client.execute_workflow(
            BASELINE_WORKFLOW, BaselineInput(sale=make_sale(order_id(run_id, section, index), index)),
            id=key, task_queue=BASELINE_QUEUE, result_type=BaselineResult)
        return Outcome(index, key, started, now(), "COMPLETED" if result.steps else "FAILED")

    return run
