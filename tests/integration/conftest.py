"""One embedded stack for all integration tests: a real Temporal dev server, the SRI simulator as its
own process, a real SMTP server writing .eml files, a SQLite ledger and the real worker."""

import hashlib
import hmac
import json
import threading
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
import pytest_asyncio

from domain.invoice import PipelineTimings
from simulators.smtp_capture import find_messages
from starter.client import InvoiceClient
from starter.processes import free_port
from starter.stack import EmbeddedStack, StackOptions, embedded_stack

WEBHOOK_SECRET = "test-webhook-secret"
DRAIN_PER_SECOND = 4.0
# Short durations so failures show within seconds; production keeps PipelineTimings' defaults.
TEST_TIMINGS = PipelineTimings(
    step_timeout=timedelta(seconds=20), retry_initial=timedelta(milliseconds=200),
    retry_max=timedelta(seconds=1), submit_window=timedelta(seconds=20),
    poll_interval=timedelta(milliseconds=200), poll_max_interval=timedelta(seconds=1),
    authorization_deadline=timedelta(seconds=30), delivery_window=timedelta(seconds=30),
    heartbeat_timeout=timedelta(seconds=3),
)


@dataclass
class WebhookCapture:
    url: str
    received: list[tuple[dict[str, str], bytes]] = field(default_factory=list)

    def for_invoice(self, invoice_key: str) -> list[dict[str, object]]:
        found = []
        for headers, body in self.received:
            payload = json.loads(body)
            if payload["data"]["invoice_key"] == invoice_key:
                expected = "sha256=" + hmac.new(WEBHOOK_SECRET.encode(), body, hashlib.sha256).hexdigest()
                payload["signature_valid"] = headers.get("x-comprobante-signature") == expected
                found.append(payload)
        return found


@pytest.fixture(scope="session")
def webhooks() -> Iterator[WebhookCapture]:
    capture = WebhookCapture(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            capture.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
    capture.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/invoices"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield capture
    server.shutdown()


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def stack(tmp_path_factory: pytest.TempPathFactory, webhooks: WebhookCapture) -> AsyncIterator[EmbeddedStack]:
    options = StackOptions(data_dir=tmp_path_factory.mktemp("stack"), authorization_delay=0.3,
                           webhook_url=webhooks.url, webhook_secret=WEBHOOK_SECRET,
                           probe_interval_seconds=0.5, drain_per_second=DRAIN_PER_SECOND)
    async with embedded_stack(options) as running:
        yield running


@pytest.fixture(scope="session")
def invoices(stack: EmbeddedStack) -> InvoiceClient:
    return InvoiceClient(stack.client, TEST_TIMINGS)


@pytest_asyncio.fixture(loop_scope="session")
async def sri_admin(stack: EmbeddedStack) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=stack.sri_admin_url, timeout=10) as client:
        yield client


def mail_files(maildir: Path, message_id: str) -> list[Path]:
    return find_messages(maildir, message_id)
