"""``python -m simulators <name> [options]``: start one of the local authority simulators.

Each simulator is a module exposing ``main(argv) -> int``; add new ones (smtp, dian, pac)
to ``SUBCOMMANDS``. Modules are imported lazily so one simulator's dependencies never slow
down or break another.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

SUBCOMMANDS: dict[str, str] = {
    "sri": "simulators.sri.cli",
    "smtp": "simulators.smtp_capture",
    "dian": "simulators.dian.cli",
    "pac": "simulators.pac.cli",
}


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(
        prog="python -m simulators",
        description="Local simulators of tax authorities and services.",
        epilog="Run 'python -m simulators <simulator> --help' for a simulator's options.",
    )
    parser.add_argument("simulator", choices=sorted(SUBCOMMANDS))
    # Only the first word is ours; the rest belongs to the simulator's own parser.
    namespace = parser.parse_args(arguments[:1])
    module = importlib.import_module(SUBCOMMANDS[namespace.simulator])
    result: int = module.main(arguments[1:])
    return result


if __name__ == "__main__":
    sys.exit(main())
