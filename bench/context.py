"""What every section needs: the running stack, the options, the sale factory, the report to add to."""

from dataclasses import dataclass
from datetime import timedelta

from bench.options import BenchOptions
from bench.proc import CpuMeter
from bench.report import Report
from bench.samples import SaleFactory
from bench.sri_admin import SriAdmin
from bench.stack import BenchStack
from domain.invoice import PipelineTimings

# Production timings except the poll interval: the simulator decides after `authorization_delay`
# (0.05 s), so the production 2 s first retry would measure our own back-off, not the pipeline.
BENCH_TIMINGS = PipelineTimings(poll_interval=timedelta(milliseconds=200), poll_max_interval=timedelta(seconds=1))
# The outage sections' online window: invoices go to contingency after 2 s of refused connections.
OUTAGE_SUBMIT_WINDOW = timedelta(seconds=2)
# Warm-up before every timed run (imports, WeasyPrint fonts, SQLite counters, sticky caches); not measured.
WARM_UP = 10


@dataclass
class BenchContext:
    options: BenchOptions
    stack: BenchStack
    run_id: str
    make_sale: SaleFactory
    sri: SriAdmin
    meter: CpuMeter
    report: Report
