"""Section 3: how long a buyer waits, at a fixed offered rate (half the saturated rate by default)."""

import structlog

from bench.accounting import mark, since
from bench.context import BENCH_TIMINGS, BenchContext
from bench.drivers import open_loop
from bench.jobs import invoice_job
from bench.report import Figure, below
from bench.sections.breakdown import step_figures
from bench.sections.common import cpu_figures, noise_figure
from bench.sections.saturation import PIPELINE_WORKERS, history_summary
from bench.stats import percentile
from starter.client import InvoiceClient

log = structlog.get_logger(__name__)
SECTION = "3 latency"
MIN_INVOICES = 20


def offered_rate(ctx: BenchContext) -> float | None:
    if ctx.options.rate is not None:
        return ctx.options.rate
    saturated = ctx.report.value(f"2 pipeline {ctx.options.country}", "full pipeline: throughput")
    return saturated / 2 if saturated else None


async def latency(ctx: BenchContext) -> None:
    rate = offered_rate(ctx)
    if rate is None:
        ctx.report.notes.append("latency skipped: no saturated rate measured; pass --rate or include pipeline")
        return
    count = max(MIN_INVOICES, round(rate * ctx.options.sizes.latency_seconds))
    log.info("bench.latency_started", rate=rate, invoices=count)
    client = InvoiceClient(ctx.stack.client, BENCH_TIMINGS)
    start = mark(ctx.meter)
    outcomes = await open_loop(invoice_job(client, ctx.make_sale, ctx.run_id, "latency"), count, rate)
    window = since(ctx.meter, start)
    done = [o for o in outcomes if o.status == "COMPLETED"]
    to_completed = [o.finished - o.started for o in done]
    to_authorized = [o.marks["AUTHORIZED"] - o.started for o in done if "AUTHORIZED" in o.marks]
    completed_method = (f"open loop at {rate:.2f} inv/s for {count} invoices: wall clock from just before the start "
                        "request to the workflow result arriving at the client")
    authorized_method = ("from just before the start request to the AUTHORIZED entry's timestamp in the workflow's "
                         "status history (workflow time of the task that recorded the decision; same host clock)")
    targets = {50: ("< 1 s", 1.0), 99: ("< 3 s", 3.0)}
    figures = [Figure(SECTION, "offered rate", rate, "inv/s", "half the saturated rate unless --rate is given")]
    for p in (50, 95, 99):
        value = percentile(to_completed, p) if to_completed else None
        target, goal = targets.get(p, (None, None))
        figures.append(Figure(SECTION, f"start → COMPLETED p{p}", value, "s", completed_method, target,
                              below(value, goal) if goal is not None else None))
    for p in (50, 95, 99):
        value = percentile(to_authorized, p) if to_authorized else None
        figures.append(Figure(SECTION, f"start → AUTHORIZED p{p}", value, "s", authorized_method))
    lag = max((o.start_lag for o in outcomes), default=0.0)
    histories = await history_summary(ctx, outcomes)
    figures += [
        Figure(SECTION, "invoices not COMPLETED", float(count - len(done)), "inv", "final status of each",
               "0", count == len(done)),
        Figure(SECTION, "driver start lag (max)", lag, "s",
               "how late the open loop started a request against its schedule; large values mean the driver, "
               "not the pipeline, limited the offered rate"),
        *cpu_figures(SECTION, window, len(done), "inv", PIPELINE_WORKERS)[:2],
        *step_figures(SECTION, histories),
        noise_figure(SECTION, window),
    ]
    ctx.report.add(figures, "latency", {
        "rate": rate, "invoices": count, "completed": len(done), "window": window.as_json(len(done)),
        "start_to_completed_s": sorted(to_completed), "start_to_authorized_s": sorted(to_authorized),
        "histories": histories})
