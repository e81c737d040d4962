"""`python -m bench.baseline_worker`: the baseline's worker, a process of its own like the invoice worker,
with the product's sandbox and activity slots, so its CPU is attributed to it alone."""

import asyncio
import json
import signal
import sys

import structlog
from temporalio.worker import Worker

from adapters.service import connect, run_service
from adapters.settings import Settings
from bench.baseline_activities import baseline_activities
from bench.baseline_models import BASELINE_QUEUE
from bench.baseline_workflow import BaselineWorkflow
from worker import sandbox_runner

log = structlog.get_logger(__name__)


async def serve(settings: Settings) -> None:
    client = await connect(settings)
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
    run_service("baseline", serve)


if __name__ == "__main__":
    main()
