"""`python -m bench.baseline_worker`: the baseline's worker, a process of its own like the invoice worker,
with the product's sandbox and activity slots, so its CPU is attributed to it alone."""

import asyncio
import contextlib
import json
import os
import signal
import sys

import structlog
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Worker

from adapters.logging_setup import configure_logging
from adapters.settings import Settings
from bench.baseline_activities import baseline_activities
from bench.baseline_models import BASELINE_QUEUE
from bench.baseline_workflow import BaselineWorkflow
from worker import sandbox_runner

log = structlog.get_logger(__name__)


async def serve(settings: Settings) -> None:
    client = await Client.connect(settings.temporal_address, namespace=settings.temporal_namespace,
                                  data_converter=pydantic_data_converter)
    stop = asyncio.Event()
    # SIGTERM from the harness ends the worker through its context manager instead of killing it mid-task.
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    worker = Worker(client, task_queue=BASELINE_QUEUE, workflows=[BaselineWorkflow],
                    activities=baseline_activities(), workflow_runner=sandbox_runner(),
                    max_concurrent_activities=settings.max_concurrent_activities)
    async with worker:
        sys.stdout.write(json.dumps({"event": "baseline.ready", "task_queue": BASELINE_QUEUE}) + "\n")
        sys.stdout.flush()
        await stop.wait()
    log.info("baseline.stopped")


def main() -> None:
    settings = Settings()
    configure_logging(settings.log_level)
    status = 0
    with contextlib.suppress(KeyboardInterrupt):
        try:
            asyncio.run(serve(settings))
        except Exception:
            log.exception("baseline.crashed")
            status = 1
    # sdk-python issue 300: a process that used a Temporal client may abort in interpreter finalization.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)


if __name__ == "__main__":
    main()
