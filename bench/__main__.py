"""`python -m bench`: run the benchmark, print one table, write bench/results/latest.json (and a copy)."""

import asyncio
import os
import sys

import structlog

from adapters.logging_setup import configure_logging
from bench.machine import one_line
from bench.options import parse
from bench.report import Report, write_report
from bench.run import new_report, run
from bench.table import format_table


def publish(report: Report) -> None:
    latest, stamped = write_report(report)
    print(f"Machine: {one_line(report.machine)}")
    print(format_table(report.figures))
    for note in report.notes:
        print(f"note: {note}")
    print(f"figures and how each was measured: {latest} (copy: {stamped})")


def main() -> None:
    options = parse()
    configure_logging(os.environ.get("COMPROBANTE_LOG_LEVEL", "INFO"))
    report = new_report(options)
    status = 1
    try:
        status = 0 if asyncio.run(run(options, report)) else 1
    except KeyboardInterrupt:
        report.notes.append("interrupted: the figures above are those of the sections that finished")
        status = 130
    except Exception:
        structlog.get_logger("bench").exception("bench.failed")
        report.notes.append("the run failed: see the error logged on stderr")
    finally:
        # Whatever finished is published, even after a failure or Ctrl-C.
        publish(report)
        # sdk-python issue 300: a process that used a Temporal client can abort in interpreter finalization,
        # turning a finished run into exit code 134; leave explicitly after flushing.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(status)


if __name__ == "__main__":
    main()
