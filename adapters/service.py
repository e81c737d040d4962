"""What every worker process shares: its Temporal connection and how it runs and exits.

Kept free of the product's heavier imports, so the lean render process (`pdf_worker.py`) can use it.
"""

import asyncio
import contextlib
import os
import sys
from collections.abc import Callable, Coroutine
from typing import Any, NoReturn

import structlog
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter

from adapters.logging_setup import configure_logging
from adapters.settings import Settings

log = structlog.get_logger(__name__)


async def connect(settings: Settings) -> Client:
    return await Client.connect(settings.temporal_address, namespace=settings.temporal_namespace,
                                data_converter=pydantic_data_converter)


def run_service(name: str, serve: Callable[[Settings], Coroutine[Any, Any, None]]) -> NoReturn:
    """Run `serve` until it returns or Ctrl-C, log a crash, and exit with the real status.

    The exit is explicit: a process that used a Temporal client may abort in interpreter finalization
    (sdk-python issue 300) and turn a clean stop into exit code 134."""
    settings = Settings()
    configure_logging(settings.log_level)
    status = 0
    with contextlib.suppress(KeyboardInterrupt):
        try:
            asyncio.run(serve(settings))
        except Exception:
            log.exception(f"{name}.crashed")
            status = 1
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)
