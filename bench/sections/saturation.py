"""Sections 1 and 2: the seven-activity baseline and the full invoice pipeline, each at saturation with a
closed-loop driver (a fixed number of requests in flight), on the same dev server and worker settings."""

from collections.abc import Sequence
from typing import Any

import structlog

from bench.accounting import Window, mark, since
from bench.baseline_models import STEPS
from bench.context import BENCH_TIMINGS, WARM_UP, BenchContext
from bench.drivers import Job, Outcome, closed_loop
from bench.histories import evenly, sample_facts, summarize
from bench.jobs import baseline_job, invoice_job
from bench.report import Figure, at_least
from bench.sections.common import cpu_figures, noise_figure
from bench.stats import overall_rate, steady_rate
from starter.client import InvoiceClient

log = structlog.get_logger(__name__)
PIPELINE_WORKERS = ("worker-invoices", "worker-pdf")
RATE_METHOD = ("closed loop, {concurrency} in flight, {count} {item}s after {warm} warm-up ones; completions per "
               "second over the middle 80 % of completions (ramp-up and tail left out)")


async def _saturate(ctx: BenchContext, job: Job, warm_job: Job, count: int) -> tuple[list[Outcome], Window]:
    await closed_loop(warm_job, WARM_UP, min(WARM_UP, ctx.options.concurrency))
    start = mark(ctx.meter)
    outcomes = await closed_loop(job, count, ctx.options.concurrency)
    return outcomes, since(ctx.meter, start)


def _rates(outcomes: Sequence[Outcome]) -> tuple[float, float]:
    finished = [o.finished for o in outcomes if o.status == "COMPLETED"]
    return steady_rate(finished), overall_rate(len(finished), min(o.started for o in outcomes), max(finished))


async def history_summary(ctx: BenchContext, outcomes: Sequence[Outcome]) -> dict[str, Any]:
    keys = evenly([o.key for o in outcomes if o.status == "COMPLETED"], ctx.options.sizes.history_sample)
    return summarize(await sample_facts(ctx.stack.client, keys))


async def baseline(ctx: BenchContext) -> None:
    count = ctx.options.sizes.baseline
    log.info("bench.baseline_started", workflows=count, concurrency=ctx.options.concurrency)
    outcomes, window = await _saturate(
        ctx, baseline_job(ctx.stack.client, ctx.make_sale, ctx.run_id),
        baseline_job(ctx.stack.client, ctx.make_sale, ctx.run_id, "baseline-warm"), count)
    steady, overall = _rates(outcomes)
    histories = await history_summary(ctx, outcomes)
    method = RATE_METHOD.format(concurrency=ctx.options.concurrency, count=count, item="workflow", warm=WARM_UP)
    figures = [
        Figure("1 baseline", "7 no-op activities: throughput", steady, "wf/s", method),
        Figure("1 baseline", "activities per second", steady * len(STEPS), "act/s", "throughput × 7"),
        *cpu_figures("1 baseline", window, count, "wf", ("worker-baseline",)),
        Figure("1 baseline", "history events", histories.get("events_per_workflow"), "events/wf",
               f"mean over {histories.get('workflows')} histories sampled evenly from the run"),
        noise_figure("1 baseline", window),
    ]
    ctx.report.add(figures, "baseline", {"rate_steady": steady, "rate_overall": overall,
                                         "window": window.as_json(count), "histories": histories})


async def pipeline(ctx: BenchContext) -> None:
    count = ctx.options.sizes.pipeline
    log.info("bench.pipeline_started", invoices=count, concurrency=ctx.options.concurrency)
    client = InvoiceClient(ctx.stack.client, BENCH_TIMINGS)
    outcomes, window = await _saturate(
        ctx, invoice_job(client, ctx.make_sale, ctx.run_id, "pipeline"),
        invoice_job(client, ctx.make_sale, ctx.run_id, "pipeline-warm"), count)
    completed = sum(1 for o in outcomes if o.status == "COMPLETED")
    steady, overall = _rates(outcomes)
    baseline_rate = ctx.report.value("1 baseline", "7 no-op activities: throughput")
    ratio = steady / baseline_rate * 100 if baseline_rate else None
    histories = await history_summary(ctx, outcomes)
    section = f"2 pipeline {ctx.options.country}"
    method = RATE_METHOD.format(concurrency=ctx.options.concurrency, count=count, item="invoice", warm=WARM_UP)
    figures = [
        Figure(section, "full pipeline: throughput", steady, "inv/s", method),
        Figure(section, "pipeline / baseline", ratio, "%",
               "pipeline throughput over baseline throughput, both measured in this process run",
               "≥ 60 %", at_least(ratio, 60)),
        Figure(section, "invoices not COMPLETED", float(count - completed), "inv",
               "final status of every invoice of the run", "0", count == completed),
        *cpu_figures(section, window, completed, "inv", PIPELINE_WORKERS),
        Figure(section, "history events", histories.get("events_per_workflow"), "events/inv",
               f"mean over {histories.get('workflows')} histories sampled evenly from the run"),
        Figure(section, "history size", (histories.get("history_bytes_per_workflow") or 0) / 1024, "KiB/inv",
               "sum of the history events' protobuf sizes, same sample"),
        noise_figure(section, window),
    ]
    ctx.report.add(figures, "pipeline", {"rate_steady": steady, "rate_overall": overall, "completed": completed,
                                         "statuses": _statuses(outcomes), "window": window.as_json(completed),
                                         "histories": histories})


def _statuses(outcomes: Sequence[Outcome]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for outcome in outcomes:
        counts[outcome.status] = counts.get(outcome.status, 0) + 1
    return counts
