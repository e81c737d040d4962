"""Section 6: worker memory with many invoices parked in contingency (the fault is left on: this section
runs last and the stack is torn down after it)."""

import structlog

from adapters.settings import Settings
from bench.context import BenchContext
from bench.outage import STALL_SECONDS, park
from bench.report import Figure, below

log = structlog.get_logger(__name__)
SECTION = "6 memory"
GOAL_PARKED = 5000
GOAL_MB = 400.0
MB = 1_000_000  # decimal megabytes, as the goal is stated; VmRSS itself is reported in KiB


async def memory(ctx: BenchContext) -> None:
    count = ctx.options.sizes.parked
    parked = await park(ctx, "memory", count)
    reached = parked.parked
    before, after = parked.before, parked.samples[-1]
    peak = max(parked.samples, key=lambda s: s.total)
    total_mb = after.total / MB
    per_invoice_kb = (after.total - before.total) / max(reached, 1) / 1024
    if parked.stalled:
        ctx.report.notes.append(f"memory: parking stalled at {reached} of {count} (no progress for "
                                f"{STALL_SECONDS:g} s); the RSS figures are at {reached} parked")
    method = "sum of VmRSS (/proc/<pid>/status) of the invoices and pdf worker processes, once all are parked"
    at_goal = reached >= GOAL_PARKED
    figures = [
        Figure(SECTION, f"worker RSS, {reached} parked", total_mb, "MB", method,
               f"< {GOAL_MB:g} MB at {GOAL_PARKED:,} parked" + ("" if at_goal else " (run --parked 5000)"),
               below(total_mb, GOAL_MB) if at_goal else None),
        *(Figure(SECTION, f"RSS {name}", value / MB, "MB", method.replace("sum of VmRSS", "VmRSS"))
          for name, value in sorted(after.rss_bytes.items())),
        Figure(SECTION, "worker RSS before parking", before.total / MB, "MB",
               "same processes, just before the first start of this section (after the earlier sections)"),
        Figure(SECTION, "worker RSS peak while parking", peak.total / MB, "MB", "sampled every 0.5 s"),
        Figure(SECTION, "RSS growth per parked invoice", per_invoice_kb, "KiB/inv",
               "(RSS parked - RSS before) / parked; the invoices worker caches at most "
               f"{Settings().max_cached_workflows} workflows (COMPROBANTE_MAX_CACHED_WORKFLOWS), so beyond that "
               "parked invoices cost history on the server, not worker memory"),
        Figure(SECTION, f"parking time ({reached})", parked.seconds, "s",
               "first start until all parked, at most 48 on their way at once"),
        Figure(SECTION, "parking stalled", float(parked.stalled), "yes=1", "no parking progress for "
               f"{STALL_SECONDS:g} s", "0", not parked.stalled),
    ]
    ctx.report.add(figures, "memory", {
        "requested": count, "parked": reached, "stalled": parked.stalled, "seconds": parked.seconds,
        "window": parked.window.as_json(max(reached, 1)),
        # One sample in ten keeps the JSON small for 5,000-invoice runs (one sample per 0.5 s).
        "samples": [{"elapsed_s": s.elapsed, "parked": s.parked, "rss_bytes": s.rss_bytes}
                    for s in parked.samples[::10]],
        "health_when_parked": parked.health.model_dump(mode="json") if parked.health else None,
    })
