"""Polling helpers for integration tests: wait for a state, with a deadline and a useful failure message."""

import asyncio
from datetime import UTC, datetime

from domain.invoice import InvoiceState
from domain.status import InvoiceStatus
from starter.client import InvoiceHandle


async def wait_for(handle: InvoiceHandle, *statuses: InvoiceStatus, seconds: float = 45) -> InvoiceState:
    deadline = asyncio.get_running_loop().time() + seconds
    while True:
        state = await handle.status()
        if state.status in statuses:
            return state
        assert asyncio.get_running_loop().time() < deadline, f"still {state.status}: {state.model_dump_json()}"
        await asyncio.sleep(0.1)


def unique(prefix: str) -> str:
    return f"{prefix}-{datetime.now(UTC):%H%M%S%f}"
