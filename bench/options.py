"""Command-line options of `python -m bench` and the run sizes they imply."""

import argparse
from collections.abc import Sequence
from dataclasses import dataclass

from bench.samples import COUNTRIES
from domain.health import HealthSettings

SECTIONS = ("baseline", "pipeline", "latency", "backlog", "memory")


@dataclass(frozen=True)
class Sizes:
    baseline: int
    pipeline: int
    latency_seconds: float
    backlog: int
    parked: int
    history_sample: int


# Full run: sized for the 10-minute budget on a 2-core machine shared with other work.
FULL = Sizes(baseline=300, pipeline=300, latency_seconds=75.0, backlog=150, parked=400, history_sample=40)
# Smoke run: every section once, with figures too small to trust.
QUICK = Sizes(baseline=60, pipeline=30, latency_seconds=15.0, backlog=20, parked=30, history_sample=10)


@dataclass(frozen=True)
class BenchOptions:
    sections: tuple[str, ...]
    sizes: Sizes
    quick: bool
    country: str
    concurrency: int
    rate: float | None
    drain_rate: float
    pdf_workers: int
    authorization_delay: float
    keep_data: bool


def _sections(value: str) -> tuple[str, ...]:
    chosen = tuple(s.strip() for s in value.split(",") if s.strip())
    unknown = set(chosen) - set(SECTIONS)
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown sections {sorted(unknown)}; choose from {', '.join(SECTIONS)}")
    # Always in the canonical order: the outage sections come last so they cannot disturb the others.
    return tuple(s for s in SECTIONS if s in chosen)


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return number


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m bench", description=(
        "Throughput, latency, cost, backlog drain and memory of the invoice pipeline on this machine, "
        "next to a seven-activity baseline measured in the same run."))
    p.add_argument("--quick", action="store_true", help="small sizes for a 1–2 minute smoke run")
    p.add_argument("--only", type=_sections, default=SECTIONS, metavar="SECTION,...",
                   help=f"run only these sections ({', '.join(SECTIONS)})")
    p.add_argument("--backlog", type=_positive, help="invoices parked in the outage whose drain is timed")
    p.add_argument("--parked", type=_positive, help="invoices parked in contingency for the memory figure")
    p.add_argument("--pipeline", type=_positive, help="invoices issued at saturation")
    p.add_argument("--baseline", type=_positive, help="baseline workflows run at saturation")
    p.add_argument("--latency-seconds", type=float, help="how long the fixed-rate latency run lasts")
    p.add_argument("--rate", type=float, help="offered rate for the latency run (default: half the saturated rate)")
    p.add_argument("--concurrency", type=_positive, default=48, help="requests in flight at saturation")
    # The production default, not 1000/s: releasing about 100 or more parked invoices at once deadlocks the
    # invoices worker (see bench/outage.py), and on this machine 20/s is well above what it drains anyway.
    p.add_argument("--drain-rate", type=float, default=HealthSettings().drain_per_second,
                   help="COMPROBANTE_DRAIN_PER_SECOND of the workers (default: the production default, %(default)s)")
    p.add_argument("--pdf-workers", type=_positive, default=1, help="pdf worker processes")
    p.add_argument("--authorization-delay", type=float, default=0.05,
                   help="the SRI simulator's seconds between RECIBIDA and its decision")
    p.add_argument("--country", choices=sorted(COUNTRIES), default="EC")
    p.add_argument("--keep-data", action="store_true", help="keep documents, mail and ledger under var/bench/")
    return p


def parse(argv: Sequence[str] | None = None) -> BenchOptions:
    args = parser().parse_args(argv)
    base = QUICK if args.quick else FULL
    sizes = Sizes(
        baseline=args.baseline or base.baseline, pipeline=args.pipeline or base.pipeline,
        latency_seconds=args.latency_seconds or base.latency_seconds, backlog=args.backlog or base.backlog,
        parked=args.parked or base.parked, history_sample=base.history_sample)
    return BenchOptions(sections=args.only, sizes=sizes, quick=args.quick, country=args.country,
                        concurrency=args.concurrency, rate=args.rate, drain_rate=args.drain_rate,
                        pdf_workers=args.pdf_workers, authorization_delay=args.authorization_delay,
                        keep_data=args.keep_data)
