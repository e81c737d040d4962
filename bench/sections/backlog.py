"""Section 5: the backlog after an outage. N invoices park in contingency while the authority refuses
connections; then the fault clears, the authority-health workflow notices at its next probe and releases
them at the workers' drain rate, and the harness times the drain and checks nothing was lost or duplicated."""

from collections.abc import Sequence
from functools import partial

import structlog

from bench.accounting import mark, since
from bench.context import OUTAGE_SUBMIT_WINDOW, BenchContext
from bench.drivers import bounded, now
from bench.jobs import final_state
from bench.outage import park
from bench.report import Figure, at_least
from bench.sections.common import cpu_figures, noise_figure
from bench.stats import steady_rate
from domain.health import HealthSettings
from domain.invoice import InvoiceState
from domain.status import InvoiceStatus

log = structlog.get_logger(__name__)
SECTION = "5 backlog"
PRODUCTION_DRAIN_RATE = HealthSettings().drain_per_second
WORKERS = ("worker-invoices", "worker-pdf")


def _first(state: InvoiceState, status: InvoiceStatus) -> float | None:
    return next((c.at.timestamp() for c in state.history if c.status == status), None)


async def _receptions(ctx: BenchContext, states: Sequence[InvoiceState]) -> list[int]:
    calls = [partial(ctx.sri.accepted_receptions, s.numbering.access_key or "")
             for s in states if s.numbering is not None]
    return await bounded(calls, 16)


async def backlog(ctx: BenchContext) -> None:
    count = ctx.options.sizes.backlog
    parked = await park(ctx, "backlog", count)
    rss_parked = parked.samples[-1].total if parked.samples else None
    log.info("bench.fault_cleared", backlog=count)
    start = mark(ctx.meter)
    cleared_at = now()
    await ctx.sri.faults(mode="none")
    states = await bounded([partial(final_state, h) for h in parked.handles], 100)
    window = since(ctx.meter, start)
    done = [s for s in states if s.status == InvoiceStatus.COMPLETED]
    completed_at = [t for s in done if (t := _first(s, InvoiceStatus.COMPLETED)) is not None]
    submitted_at = sorted(t for s in done if (t := _first(s, InvoiceStatus.SUBMITTED)) is not None)
    drain_seconds = max(completed_at) - cleared_at if completed_at else None
    drain_rate = len(done) / drain_seconds if drain_seconds else None
    saturated = ctx.report.value(f"2 pipeline {ctx.options.country}", "full pipeline: throughput")
    share = drain_rate / saturated * 100 if drain_rate and saturated else None
    receptions = await _receptions(ctx, states)
    lost = count - len(done)
    duplicated = sum(1 for n in receptions if n != 1)
    rate_cfg = ctx.options.drain_rate
    figures = [
        Figure(SECTION, f"parked in contingency ({count})", parked.seconds, "s",
               f"fault 'refuse', submit_window {OUTAGE_SUBMIT_WINDOW.total_seconds():.0f} s; first start until every "
               "invoice's pending delivery (PDF, mail, receivable) was done, read from the ledger"),
        Figure(SECTION, f"drain time of {count}", drain_seconds, "s",
               f"from clearing the fault to the last invoice's COMPLETED entry in its history; includes up to one "
               f"probe interval ({ctx.stack.config.probe_interval_seconds:g} s) before the health workflow notices; "
               f"workers' drain rate {rate_cfg:g}/s"),
        Figure(SECTION, "drain rate", drain_rate, "inv/s", "completed invoices / drain time"),
        Figure(SECTION, "drain rate / saturated rate", share, "%", "drain rate over section 2's throughput",
               "≥ 80 %", at_least(share, 80)),
        Figure(SECTION, "lost (not COMPLETED)", float(lost), "inv", "final status of every parked invoice", "0",
               lost == 0),
        Figure(SECTION, "duplicated or missing at the SRI", float(duplicated), "inv",
               "GET /admin/documents/{clave}: accepted_receptions must be exactly 1 for each", "0", duplicated == 0),
        Figure(SECTION, f"release at production {PRODUCTION_DRAIN_RATE:g}/s (derived)",
               count / PRODUCTION_DRAIN_RATE, "s",
               f"{count} / {PRODUCTION_DRAIN_RATE:g} per second: the health workflow's release schedule alone; it "
               "limits the drain only when that exceeds the measured drain time (the machine is slower than the "
               "release rate otherwise)"),
        *cpu_figures(SECTION, window, len(done), "inv", WORKERS),
        noise_figure(SECTION, window),
    ]
    ctx.report.add(figures, "backlog", {
        "invoices": count, "parking_seconds": parked.seconds, "parking_window": parked.window.as_json(count),
        "worker_rss_bytes_parked": rss_parked, "health_when_parked": parked.health.model_dump(mode="json")
        if parked.health else None, "drain_seconds": drain_seconds, "drain_rate": drain_rate,
        "drain_rate_steady": steady_rate(completed_at) if len(completed_at) > 2 else None,
        "submissions_spread_s": (submitted_at[-1] - submitted_at[0]) if submitted_at else None,
        "first_submission_after_clear_s": (submitted_at[0] - cleared_at) if submitted_at else None,
        "drain_window": window.as_json(len(done)), "configured_drain_per_second": rate_cfg,
        "statuses": {str(k): sum(1 for s in states if s.status == k) for k in {s.status for s in states}},
    })
