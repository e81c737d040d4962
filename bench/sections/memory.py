"""Section 6: worker memory with many invoices parked in contingency (the fault is left on: this section
runs last and the stack is torn down after it)."""

import structlog

from bench.context import BenchContext
from bench.outage import park
from bench.report import Figure, below

log = structlog.get_logger(__name__)
SECTION = "6 memory"
GOAL_PARKED = 5000
GOAL_MB = 400.0
MB = 1024 * 1024


async def memory(ctx: BenchContext) -> None:
    count = ctx.options.sizes.parked
    parked = await park(ctx, "memory", count)
    before, after = parked.before, parked.samples[-1]
    peak = max(parked.samples, key=lambda s: s.total)
    total_mb = after.total / MB
    per_invoice_kb = (after.total - before.total) / count / 1024
    method = "sum of VmRSS (/proc/<pid>/status) of the invoices and pdf worker processes, once all are parked"
    at_goal = count >= GOAL_PARKED
    figures = [
        Figure(SECTION, f"worker RSS, {count} parked", total_mb, "MB", method,
               f"< {GOAL_MB:g} MB at {GOAL_PARKED:,} parked" + ("" if at_goal else " (run --parked 5000)"),
               below(total_mb, GOAL_MB) if at_goal else None),
        *(Figure(SECTION, f"RSS {name}", value / MB, "MB", method.replace("sum of VmRSS", "VmRSS"))
          for name, value in sorted(after.rss_bytes.items())),
        Figure(SECTION, "worker RSS before parking", before.total / MB, "MB",
               "same processes, just before the first start of this section (after the earlier sections)"),
        Figure(SECTION, "worker RSS peak while parking", peak.total / MB, "MB", "sampled every second"),
        Figure(SECTION, "RSS growth per parked invoice", per_invoice_kb, "KiB/inv",
               "(RSS parked - RSS before) / parked; the workers cache at most 1,000 workflows (SDK default), so "
               "growth per invoice is an upper bound beyond that"),
        Figure(SECTION, f"parking time ({count})", parked.seconds, "s", "first start until all parked"),
    ]
    ctx.report.add(figures, "memory", {
        "parked": count, "seconds": parked.seconds, "window": parked.window.as_json(count),
        "samples": [{"elapsed_s": s.elapsed, "parked": s.parked, "rss_bytes": s.rss_bytes} for s in parked.samples],
        "health_when_parked": parked.health.model_dump(mode="json") if parked.health else None,
    })
