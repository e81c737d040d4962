"""Parking invoices in contingency: the authority refuses connections, invoices start, and each one is
parked once its pending document is delivered (pending PDF mailed, receivable booked) and it waits for the
authority-health workflow to release it."""

import asyncio
import time
from dataclasses import dataclass, field
from functools import partial

import structlog
from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select
from temporalio.client import WorkflowQueryFailedError
from temporalio.service import RPCError

from adapters.ledger.database import make_engine
from adapters.ledger.tables import Receivable
from bench.accounting import Window, mark, since
from bench.context import BENCH_TIMINGS, OUTAGE_SUBMIT_WINDOW, BenchContext
from bench.drivers import bounded
from bench.jobs import order_id
from bench.proc import rss_bytes
from domain.health import AuthorityHealthState
from domain.invoice import sale_key
from domain.names import authority_health_id
from starter.client import InvoiceClient, InvoiceHandle

log = structlog.get_logger(__name__)
START_CONCURRENCY = 16
SAMPLE_EVERY_SECONDS = 1.0
# Parking gives up when no invoice finished parking for this long (a broken worker, a stuck step), rather
# than waiting out a limit sized for thousands of invoices.
STALL_SECONDS = 90.0


@dataclass(frozen=True)
class RssSample:
    elapsed: float
    parked: int
    rss_bytes: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.rss_bytes.values())


@dataclass
class Parked:
    handles: list[InvoiceHandle]
    seconds: float
    window: Window
    before: RssSample
    samples: list[RssSample] = field(default_factory=list)
    health: AuthorityHealthState | None = None


def worker_rss(ctx: BenchContext) -> dict[str, int]:
    return {name: rss_bytes(pid) for name, pid in ctx.stack.worker_pids("worker-invoices", "worker-pdf").items()}


def parked_count(engine: Engine, key_prefix: str) -> int:
    """Invoices of this batch whose pending delivery is done: the receivable is its last step."""
    with Session(engine) as session:
        return int(session.exec(select(func.count()).select_from(Receivable)
                                .where(col(Receivable.invoice_key).startswith(key_prefix))).one())


async def health_state(ctx: BenchContext) -> AuthorityHealthState | None:
    handle = ctx.stack.client.get_workflow_handle(authority_health_id(ctx.options.country))
    try:
        state: AuthorityHealthState = await handle.query("status", result_type=AuthorityHealthState)
    except (RPCError, WorkflowQueryFailedError):
        return None  # not started yet: no outage reported so far
    return state


async def park(ctx: BenchContext, section: str, count: int) -> Parked:
    await ctx.sri.faults(mode="refuse")
    client = InvoiceClient(ctx.stack.client, BENCH_TIMINGS.model_copy(update={"submit_window": OUTAGE_SUBMIT_WINDOW}))
    first = ctx.make_sale(order_id(ctx.run_id, section, 0), 0)
    key_prefix = sale_key(first)[: -len("00000")]
    engine = make_engine(ctx.stack.settings.ledger_url)
    calls = [partial(client.issue, ctx.make_sale(order_id(ctx.run_id, section, i), i), requested_by="bench")
             for i in range(count)]
    log.info("bench.parking", section=section, invoices=count)
    before = RssSample(0.0, 0, worker_rss(ctx))
    start = mark(ctx.meter)
    began = time.monotonic()
    starting = asyncio.create_task(bounded(calls, START_CONCURRENCY))
    samples: list[RssSample] = []
    progress_at, last = began, -1
    try:
        while True:
            parked = await asyncio.to_thread(parked_count, engine, key_prefix)
            samples.append(RssSample(time.monotonic() - began, parked, worker_rss(ctx)))
            if starting.done() and starting.exception() is not None:
                raise RuntimeError("starting the invoices failed") from starting.exception()
            if parked >= count and starting.done():
                break
            if parked != last:
                progress_at, last = time.monotonic(), parked
            elif time.monotonic() - progress_at > STALL_SECONDS:
                raise RuntimeError(f"parking stalled at {parked} of {count} invoices; see the worker logs under "
                                   f"{ctx.stack.settings.data_dir / 'logs'}")
            await asyncio.sleep(SAMPLE_EVERY_SECONDS)
        handles = await starting
    finally:
        starting.cancel()  # a no-op once it finished; stops the starts when parking failed
        engine.dispose()
    seconds = time.monotonic() - began
    window = since(ctx.meter, start)
    log.info("bench.parked", section=section, invoices=count, seconds=round(seconds, 1))
    return Parked(handles, seconds, window, before, samples, await health_state(ctx))
