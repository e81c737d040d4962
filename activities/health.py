"""Invoices and the authority-health workflow: ask whether the authority is up, report an outage.

The health workflow is the one place that knows an authority is down; invoices consult it (a query, so
no event in its history) and report to it with signal-with-start, so it exists from the first outage.
"""

import asyncio
import time
from collections.abc import Callable

import structlog
from temporalio import activity
from temporalio.client import Client, WorkflowQueryFailedError
from temporalio.common import WorkflowIDConflictPolicy
from temporalio.service import RPCError

from domain import names
from domain.health import AuthorityHealthInput, AuthorityHealthState, HealthSettings
from domain.steps import AuthorityInput, AuthorityStatus, OutageReport

log = structlog.get_logger(__name__)


class AuthorityHealthView:
    """What the authority-health workflows say, remembered for `ttl` seconds per authority.

    A query runs a workflow task on the health worker; at hundreds of invoices a minute most of them would
    ask the same question within the same second. An answer at most `ttl` old is as good: an invoice that
    still finds the authority up rides the outage out in its own submission window, one that still finds
    it down is released by the health workflow like every other waiting invoice."""

    def __init__(self, client: Client, ttl_seconds: float = 1.0, clock: Callable[[], float] = time.monotonic) -> None:
        self._client = client
        self._ttl = ttl_seconds
        self._clock = clock
        self._answers: dict[str, tuple[float, AuthorityStatus]] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    async def status(self, country: str) -> AuthorityStatus:
        cached = self._fresh(country)
        if cached is not None:
            return cached
        # One question in flight per authority; the invoices arriving meanwhile share its answer.
        async with self._locks.setdefault(country, asyncio.Lock()):
            cached = self._fresh(country)
            if cached is not None:
                return cached
            answer = await self._ask(country)
            self._answers[country] = (self._clock(), answer)
            return answer

    def _fresh(self, country: str) -> AuthorityStatus | None:
        entry = self._answers.get(country)
        if entry is not None and self._clock() - entry[0] < self._ttl:
            return entry[1]
        return None

    async def _ask(self, country: str) -> AuthorityStatus:
        handle = self._client.get_workflow_handle(names.authority_health_id(country))
        try:
            state = await handle.query("status", result_type=AuthorityHealthState)
        except (RPCError, WorkflowQueryFailedError):
            # No health workflow yet (no outage ever reported) or it is unavailable: assume up; the
            # invoice's own submission window still protects the sale.
            return AuthorityStatus(country=country, up=True)
        return AuthorityStatus(country=country, up=state.up, since=state.since)


class HealthActivities:
    def __init__(self, client: Client, settings: HealthSettings, view: AuthorityHealthView) -> None:
        self._client = client
        self._settings = settings
        self._view = view

    @activity.defn(name=names.AUTHORITY_STATUS)
    async def authority_status(self, inp: AuthorityInput) -> AuthorityStatus:
        return await self._view.status(inp.country)

    @activity.defn(name=names.REPORT_OUTAGE)
    async def report_outage(self, inp: OutageReport) -> bool:
        """Tell the health workflow the authority failed this invoice, and queue the invoice for release."""
        await self._client.start_workflow(
            names.AUTHORITY_HEALTH_WORKFLOW,
            AuthorityHealthInput(country=inp.country, settings=self._settings),
            id=names.authority_health_id(inp.country), task_queue=names.HEALTH_QUEUE,
            id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
            start_signal="report_down", start_signal_args=[inp],
        )
        log.warning("authority.outage_reported", country=inp.country, invoice_key=inp.invoice_key, error=inp.error)
        return True
