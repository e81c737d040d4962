"""`python -m pdf_worker`: a process that only renders PDFs (the `comprobante-pdf` task queue).

Rendering is the most CPU-hungry step, so it runs in processes of its own, as many as the cores allow.
This entry point imports only what rendering needs (Temporal, the document store, the printed
representations): no workflows, signing keys, authority clients, ledger or mail. That keeps each render
process about 70 MB lighter than `COMPROBANTE_WORKER_ROLE=pdf python -m worker`, which also works.
"""

import asyncio
import json
import signal
import sys
from concurrent.futures import ThreadPoolExecutor

import structlog
from temporalio.client import Client
from temporalio.worker import Worker

from activities.render import RenderActivities
from adapters.documents import FolderDocumentStore
from adapters.printing import print_document
from adapters.service import connect, run_service
from adapters.settings import Settings
from domain import names

log = structlog.get_logger(__name__)


def pdf_worker(client: Client, settings: Settings, executor: ThreadPoolExecutor) -> Worker:
    render = RenderActivities(print_document, FolderDocumentStore(settings.documents_path))
    return Worker(client, task_queue=names.PDF_QUEUE, activities=[render.render_pdf], activity_executor=executor,
                  max_concurrent_activities=settings.pdf_concurrency)


async def serve(settings: Settings) -> None:
    client = await connect(settings)
    stop = asyncio.Event()
    # SIGTERM (a supervisor, the benchmark) ends polling and lets renders in flight finish.
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    with ThreadPoolExecutor(max_workers=settings.pdf_concurrency) as pool:
        async with pdf_worker(client, settings, pool):
            # One JSON line on stdout when polling has started, as `python -m worker` announces itself.
            sys.stdout.write(json.dumps({"event": "worker.ready", "role": "pdf"}) + "\n")
            sys.stdout.flush()
            log.info("worker.started", role="pdf", task_queues=[names.PDF_QUEUE])
            await stop.wait()


def main() -> None:
    run_service("pdf_worker", serve)


if __name__ == "__main__":
    main()
