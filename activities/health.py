"""Invoices and the authority-health workflow: ask whether the authority is up, report an outage.

The health workflow is the one place that knows an authority is down; invoices consult it (a query, so
no event in its history) and report to it with signal-with-start, so it exists from the first outage.
"""

import structlog
from temporalio import activity
from temporalio.client import Client, WorkflowQueryFailedError
from temporalio.common import WorkflowIDConflictPolicy
from temporalio.service import RPCError

from domain import names
from domain.health import AuthorityHealthInput, AuthorityHealthState, HealthSettings
from domain.steps import AuthorityInput, AuthorityStatus, OutageReport

log = structlog.get_logger(__name__)


class HealthActivities:
    def __init__(self, client: Client, settings: HealthSettings) -> None:
        self._client = client
        self._settings = settings

    @activity.defn(name=names.AUTHORITY_STATUS)
    async def authority_status(self, inp: AuthorityInput) -> AuthorityStatus:
        handle = self._client.get_workflow_handle(names.authority_health_id(inp.country))
        try:
            state = await handle.query("status", result_type=AuthorityHealthState)
        except (RPCError, WorkflowQueryFailedError):
            # No health workflow yet (no outage ever reported) or it is unavailable: assume up; the
            # invoice's own submission window still protects the sale.
            return AuthorityStatus(country=inp.country, up=True)
        return AuthorityStatus(country=inp.country, up=state.up, since=state.since)

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
