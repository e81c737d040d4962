"""Command-line plumbing of ``python -m simulators <name>``: the options every simulator takes,
the readiness line launchers wait for, and the ``main`` that runs a simulator.

stdout carries exactly one line, the readiness line; logs go to stderr (see ``logs``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from collections.abc import Callable, Coroutine, Sequence
from pathlib import Path
from typing import Any

from simulators.common import logs

READY_EVENT = "simulator.ready"
SCHEMAS_ENV = "COMPROBANTE_SCHEMAS"


def simulator_parser(
    name: str, description: str, *, state_dir_help: str, options: Callable[[argparse.ArgumentParser], None]
) -> argparse.ArgumentParser:
    """The parser of a SOAP + admin simulator: the shared options around ``options``' own ones.

    The shared ones come first and ``--log-level`` last, so every simulator's ``--help`` reads alike.
    """
    parser = argparse.ArgumentParser(prog=f"python -m simulators {name}", description=description)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="SOAP port (0: pick a free one, see the ready line)")
    parser.add_argument("--admin-port", type=int, default=0, help="admin JSON port (0: pick a free one)")
    parser.add_argument("--state-dir", type=Path, required=True, help=state_dir_help)
    options(parser)
    parser.add_argument("--log-level", default="info")
    return parser


def add_schemas_option(parser: argparse.ArgumentParser, *, help_text: str) -> None:
    """``--schemas``: the vectors directory, by default the one the product's tests and demo use."""
    configured = os.environ.get(SCHEMAS_ENV)
    parser.add_argument("--schemas", type=Path, default=Path(configured) if configured else None, help=help_text)


def announce_ready(service: str, **ports: int) -> None:
    """Write the one stdout line launchers wait for; call it only once every port accepts connections."""
    sys.stdout.write(json.dumps({"event": READY_EVENT, "service": service, **ports}) + "\n")
    sys.stdout.flush()


def run(
    parser: argparse.ArgumentParser,
    argv: Sequence[str],
    serve: Callable[[argparse.Namespace], Coroutine[Any, Any, int]],
) -> int:
    """Parse ``argv``, set up the JSON logs, and run ``serve`` until it returns the exit status."""
    args = parser.parse_args(list(argv))
    logs.configure(args.log_level)
    return asyncio.run(serve(args))
