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
# At most this many invoices on their way to contingency at once: a closed loop like the saturation run,
# so the figure is about parked invoices, not about how fast the driver can start workflows. (Bursts of
# hundreds used to deadlock the invoices worker on its health query; the health workflows now have their
# own queue and worker, and invoices ask through the transmit step, so that no longer happens.)
PARKING_AHEAD = 48
POLL_SECONDS = 0.5
# Parking gives up when no invoice finished parking for this long, rather than hanging the run.
STALL_SECONDS = 90.0
# Production timings but a short online window. Ecuador alerts once per outage from the authority-health
# workflow (domain/contingency.py), not from each parked invoice, so parking thousands for longer than the
# 10-minute alert time costs one alert, not a herd of wake-ups.
PARKED_TIMINGS = BENCH_TIMINGS.model_copy(update={"submit_window": OUTAGE_SUBMIT_WINDOW})


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
    key_prefix: str
    seconds: float
    window: Window
    before: RssSample
    samples: list[RssSample] = field(default_factory=list)
    health: AuthorityHealthState | None = None
    # Parking stopped making progress: only `parked` of the invoices reached contingency.
    stalled: bool = False

    @property
    def parked(self) -> int:
        return self.samples[-1].parked if self.samples else 0


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
        async with asyncio.timeout(10):
            state: AuthorityHealthState = await handle.query("status", result_type=AuthorityHealthState)
    except (RPCError, WorkflowQueryFailedError, TimeoutError):
        return None  # not started yet (no outage reported so far), or not answering
    return state


class _Parking:
    def __init__(self, ctx: BenchContext, section: str, count: int) -> None:
        self.ctx, self.section, self.count = ctx, section, count
        self.client = InvoiceClient(ctx.stack.client, PARKED_TIMINGS)
        self.key_prefix = sale_key(ctx.make_sale(order_id(ctx.run_id, section, 0), 0))[: -len("00000")]
        self.handles: list[InvoiceHandle] = []
        self.stalled = False

    async def start_more(self, parked: int) -> None:
        room = min(self.count - len(self.handles), PARKING_AHEAD - (len(self.handles) - parked))
        first = len(self.handles)
        sale = self.ctx.make_sale
        self.handles += await bounded(
            [partial(self.client.issue, sale(order_id(self.ctx.run_id, self.section, i), i), requested_by="bench")
             for i in range(first, first + max(0, room))], START_CONCURRENCY)

    async def run(self, engine: Engine, began: float) -> list[RssSample]:
        samples: list[RssSample] = []
        progress_at, last = began, -1
        while True:
            parked = await asyncio.to_thread(parked_count, engine, self.key_prefix)
            samples.append(RssSample(time.monotonic() - began, parked, worker_rss(self.ctx)))
            if parked >= self.count:
                return samples
            if parked != last:
                progress_at, last = time.monotonic(), parked
            elif time.monotonic() - progress_at > STALL_SECONDS:
                log.error("bench.parking_stalled", parked=parked, invoices=self.count,
                          logs=str(self.ctx.stack.settings.data_dir / "logs"))
                self.stalled = True
                return samples
            await self.start_more(parked)
            await asyncio.sleep(POLL_SECONDS)


async def park(ctx: BenchContext, section: str, count: int) -> Parked:
    await ctx.sri.faults(mode="refuse")
    parking = _Parking(ctx, section, count)
    engine = make_engine(ctx.stack.settings.ledger_url)
    log.info("bench.parking", section=section, invoices=count, ahead=PARKING_AHEAD)
    before = RssSample(0.0, 0, worker_rss(ctx))
    start = mark(ctx.meter)
    began = time.monotonic()
    try:
        samples = await parking.run(engine, began)
    finally:
        engine.dispose()
    seconds = time.monotonic() - began
    window = since(ctx.meter, start)
    log.info("bench.parked", section=section, invoices=count, seconds=round(seconds, 1))
    return Parked(parking.handles, parking.key_prefix, seconds, window, before, samples, await health_state(ctx),
                  parking.stalled)
