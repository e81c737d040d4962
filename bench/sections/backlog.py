"""Section 5: the backlog after an outage. N invoices park in contingency while the authority refuses
connections; then the fault clears, the authority-health workflow notices at its next probe and releases
them at the workers' drain rate, and the harness times the drain and checks nothing was lost or duplicated."""

import asyncio
import time
from datetime import datetime
from functools import partial

import structlog
from temporalio.client import Client

from bench.accounting import mark, since
from bench.context import OUTAGE_SUBMIT_WINDOW, BenchContext
from bench.drivers import bounded, now
from bench.jobs import final_state
from bench.outage import STALL_SECONDS, park
from bench.report import Figure, at_least
from bench.sections.common import cpu_figures, noise_figure
from bench.stats import steady_rate
from starter.client import InvoiceHandle

log = structlog.get_logger(__name__)
SECTION = "5 backlog"
WORKERS = ("worker-invoices", "worker-pdf")


def _completed_query(key_prefix: str) -> str:
    return f'WorkflowId STARTS_WITH "{key_prefix}" AND ExecutionStatus = "Completed"'


async def _wait_for_drain(client: Client, key_prefix: str, count: int) -> int:
    """Completed invoices of the batch, once all completed or when none completed for STALL_SECONDS."""
    progress_at, last = time.monotonic(), -1
    while True:
        done = (await client.count_workflows(_completed_query(key_prefix))).count
        if done >= count:
            return done
        if done != last:
            progress_at, last = time.monotonic(), done
        elif time.monotonic() - progress_at > STALL_SECONDS:
            log.error("bench.drain_stalled", completed=done, backlog=count)
            return done
        await asyncio.sleep(1.0)


async def _close_times(client: Client, key_prefix: str) -> dict[str, datetime]:
    return {e.id: e.close_time async for e in client.list_workflows(_completed_query(key_prefix))
            if e.close_time is not None}


async def _receptions(ctx: BenchContext, handles: list[InvoiceHandle]) -> list[int]:
    """Accepted receptions at the SRI of each completed invoice (its result is immediate once closed)."""
    states = await bounded([partial(final_state, h, 30.0) for h in handles], 32)
    keys = [s.numbering.access_key or "" if s.numbering else "" for s in states]
    return await bounded([partial(ctx.sri.accepted_receptions, key) for key in keys], 16)


async def backlog(ctx: BenchContext) -> None:
    count, rate_cfg = ctx.options.sizes.backlog, ctx.options.drain_rate
    parked = await park(ctx, "backlog", count)
    if parked.stalled:
        ctx.report.notes.append(f"backlog: parking stalled at {parked.parked} of {count}; no drain was measured")
        ctx.report.add([Figure(SECTION, "parking stalled", 1.0, "yes=1", f"parked {parked.parked} of {count}",
                               "0", False)], "backlog", {"invoices": count, "parked": parked.parked})
        return
    log.info("bench.fault_cleared", backlog=count, drain_per_second=rate_cfg)
    start = mark(ctx.meter)
    cleared_at = now()
    await ctx.sri.faults(mode="none")
    done = await _wait_for_drain(ctx.stack.client, parked.key_prefix, count)
    window = since(ctx.meter, start)
    closed = await _close_times(ctx.stack.client, parked.key_prefix)
    completed_at = sorted(t.timestamp() for t in closed.values())
    stalled = done < count
    drain_seconds = None if stalled or not completed_at else completed_at[-1] - cleared_at
    drain_rate = count / drain_seconds if drain_seconds else None
    saturated = ctx.report.value(f"2 pipeline {ctx.options.country}", "full pipeline: throughput")
    share = drain_rate / saturated * 100 if drain_rate and saturated else None
    receptions = await _receptions(ctx, [h for h in parked.handles if h.key in closed])
    duplicated = sum(1 for n in receptions if n != 1)
    release_seconds = count / rate_cfg
    if stalled:
        ctx.report.notes.append(
            f"backlog: the drain stalled with {done} of {count} COMPLETED (no progress for {STALL_SECONDS:g} s) "
            f"at a release rate of {rate_cfg:g}/s: about 100 invoices released together deadlock the invoices "
            "worker (authority_status local activities query the health workflow on the same worker)")
    elif drain_rate is not None and drain_rate >= 0.9 * rate_cfg:
        ctx.report.notes.append(f"backlog: the drain ran at the release rate ({rate_cfg:g}/s): it measured the "
                                "release schedule, not the machine; pass a higher --drain-rate")
    figures = [
        Figure(SECTION, f"parking {count} in contingency", parked.seconds, "s",
               f"fault 'refuse', submit_window {OUTAGE_SUBMIT_WINDOW.total_seconds():g} s, at most 48 on their way "
               "at once; until every invoice's pending delivery (PDF, mail, receivable) is in the ledger"),
        Figure(SECTION, f"drain time of {count}", drain_seconds, "s",
               f"from clearing the fault to the last invoice's close time; includes up to one probe interval "
               f"({ctx.stack.config.probe_interval_seconds:g} s); release rate {rate_cfg:g}/s "
               "(COMPROBANTE_DRAIN_PER_SECOND)"),
        Figure(SECTION, "drain rate", drain_rate, "inv/s", "backlog / drain time"),
        Figure(SECTION, "drain rate / saturated rate", share, "%", "drain rate over section 2's throughput",
               "≥ 80 %", at_least(share, 80)),
        Figure(SECTION, f"release schedule at {rate_cfg:g}/s", release_seconds, "s",
               f"{count} / {rate_cfg:g}: the health workflow's release alone; it limits the drain only when longer "
               "than the drain time the machine needs"),
        Figure(SECTION, "not COMPLETED (lost or stuck)", float(count - done), "inv",
               "parked invoices not closed as Completed by the end of the drain", "0", done == count),
        Figure(SECTION, "duplicated or missing at the SRI", float(duplicated), "inv",
               "GET /admin/documents/{clave} of every completed one: accepted_receptions must be exactly 1", "0",
               duplicated == 0),
        *(cpu_figures(SECTION, window, done, "inv", WORKERS)[:2] if done else []),
        noise_figure(SECTION, window),
    ]
    ctx.report.add(figures, "backlog", {
        "invoices": count, "completed": done, "stalled": stalled, "release_per_second": rate_cfg,
        "parking_seconds": parked.seconds, "parking_window": parked.window.as_json(count),
        "worker_rss_bytes_parked": parked.samples[-1].total if parked.samples else None,
        "health_when_parked": parked.health.model_dump(mode="json") if parked.health else None,
        "drain_seconds": drain_seconds, "drain_rate": drain_rate,
        "drain_rate_steady": steady_rate(completed_at) if len(completed_at) > 2 else None,
        "first_completion_after_clear_s": completed_at[0] - cleared_at if completed_at else None,
        "drain_window": window.as_json(max(done, 1)), "receptions_checked": len(receptions),
    })
