"""`python -m bench`: run the benchmark, print one table, write bench/results/latest.json (and a copy)."""

import asyncio
import os
import sys

from adapters.logging_setup import configure_logging
from bench.machine import one_line
from bench.options import parse
from bench.report import write_report
from bench.run import run
from bench.table import format_table


def main() -> None:
    options = parse()
    configure_logging(os.environ.get("COMPROBANTE_LOG_LEVEL", "INFO"))
    status = 1
    try:
        report, ok = asyncio.run(run(options))
        latest, stamped = write_report(report)
        print(f"Machine: {one_line(report.machine)}")
        print(format_table(report.figures))
        for note in report.notes:
            print(f"note: {note}")
        print(f"figures and how each was measured: {latest} (copy: {stamped})")
        status = 0 if ok else 1
    except KeyboardInterrupt:
        status = 130
    finally:
        # sdk-python issue 300: a process that used a Temporal client can abort in interpreter finalization,
        # turning a finished run into exit code 134; leave explicitly after flushing.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(status)


if __name__ == "__main__":
    main()
