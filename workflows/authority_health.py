"""AuthorityHealthWorkflow: one per authority, the shared knowledge of whether it is reachable.

Invoices that cannot reach the authority report it here (signal-with-start) and wait. While the authority
is down, only this workflow probes it, every `probe_interval`: a thousand waiting invoices cost one probe,
not a thousand submissions. When a probe succeeds the waiting invoices are released at `drain_per_second`,
so the backlog does not hit the authority in the same second. Invoices ask whether the authority is up
with the `status` query before submitting, so new sales go to contingency at once during an outage.
"""

import asyncio
from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from domain import names
    from domain.contingency import CONTINGENCY_RULES
    from domain.health import AuthorityHealthInput, AuthorityHealthState
    from domain.steps import AlertInput, AuthorityInput, OutageReport

# Keep the history short: the list of waiting invoices travels to the next run.
MAX_EVENTS_BEFORE_CONTINUE = 5_000


@workflow.defn(name=names.AUTHORITY_HEALTH_WORKFLOW)
class AuthorityHealthWorkflow:
    @workflow.init
    def __init__(self, inp: AuthorityHealthInput) -> None:
        self._inp = inp
        self._up = inp.up
        self._since = inp.since
        self._waiting: list[str] = list(inp.waiting)
        self._waiting_set = set(self._waiting)
        self._outages = inp.outages
        self._probes = 0
        self._released = 0
        self._down_reported = False
        self._outage_alerted = inp.outage_alerted

    @workflow.query
    def status(self) -> AuthorityHealthState:
        return AuthorityHealthState(country=self._inp.country, up=self._up, since=self._since,
                                    waiting=len(self._waiting), probes=self._probes, outages=self._outages,
                                    released=self._released, outage_alerted=self._outage_alerted)

    @workflow.signal
    def report_down(self, report: OutageReport) -> None:
        if report.invoice_key and report.invoice_key not in self._waiting_set:
            self._waiting.append(report.invoice_key)
            self._waiting_set.add(report.invoice_key)
        self._down_reported = True

    @workflow.run
    async def run(self, inp: AuthorityHealthInput) -> None:
        while not self._should_continue_as_new():
            await workflow.wait_condition(lambda: self._down_reported or (bool(self._waiting) and self._up),
                                          timeout=timedelta(hours=1))
            if self._down_reported and self._up:
                self._up, self._since = False, workflow.now()
                self._outages += 1
                self._outage_alerted = False
                workflow.logger.warning("authority %s reported down", inp.country)
            self._down_reported = False
            if not self._up:
                await self._probe_until_up()
            await self._drain()
        await workflow.wait_condition(workflow.all_handlers_finished)
        workflow.continue_as_new(AuthorityHealthInput(
            country=inp.country, settings=inp.settings, up=self._up, since=self._since,
            waiting=self._waiting, outages=self._outages, outage_alerted=self._outage_alerted))

    async def _probe_until_up(self) -> None:
        while not self._up:
            await workflow.sleep(self._inp.settings.probe_interval, summary="wait before probing")
            self._probes += 1
            try:
                up = await workflow.execute_activity(
                    names.PROBE_AUTHORITY, AuthorityInput(country=self._inp.country), result_type=bool,
                    start_to_close_timeout=timedelta(seconds=30),
                    retry_policy=RetryPolicy(maximum_attempts=1), summary="probe")
            except ActivityError as error:
                # A probe that cannot even run (no worker knows the country, a bug) is a failed probe:
                # the outage knowledge must outlive it, or every waiting invoice loses its release.
                workflow.logger.warning("probe for %s failed: %s", self._inp.country, error.cause or error)
                up = False
            if up:
                # Reports that arrived while probing describe the outage that just ended.
                self._up, self._since, self._down_reported = True, workflow.now(), False
                workflow.logger.info("authority %s is back", self._inp.country)
            elif workflow.patched("one-alert-per-outage"):
                await self._alert_if_long()

    async def _alert_if_long(self) -> None:
        """One operator alert per outage once it lasts the country's alert lead time."""
        rule = CONTINGENCY_RULES.get(self._inp.country)
        after = self._inp.settings.outage_alert_after or (rule.alert_after if rule else None)
        if self._outage_alerted or after is None or self._since is None or workflow.now() - self._since < after:
            return
        self._outage_alerted = True
        limit = f"; legal limit {rule.deadline} ({rule.source})" if rule else ""
        message = (f"{self._inp.country} authority unreachable since {self._since.isoformat()}; "
                   f"{len(self._waiting)} invoices waiting in contingency{limit}")
        workflow.logger.warning(message)
        # The alert step lives on the invoices worker (it holds the webhook); keyed per outage.
        await workflow.execute_activity(
            names.RAISE_ALERT, AlertInput(invoice_key=f"{workflow.info().workflow_id}-outage-{self._outages}",
                                          kind="authority_outage", message=message),
            result_type=bool, task_queue=names.INVOICE_QUEUE, start_to_close_timeout=timedelta(seconds=30),
            retry_policy=RetryPolicy(maximum_interval=timedelta(minutes=1)), summary="outage alert")

    async def _drain(self) -> None:
        """Release waiting invoices in batches, one batch per second, while the authority stays up."""
        batch_size = max(1, int(self._inp.settings.drain_per_second))
        while self._waiting and self._up and not self._down_reported:
            batch, self._waiting = self._waiting[:batch_size], self._waiting[batch_size:]
            self._waiting_set.difference_update(batch)
            # One batch in parallel: a signal whose invoice finished or was terminated meanwhile fails
            # alone and is simply dropped.
            results = await asyncio.gather(
                *(workflow.get_external_workflow_handle(key).signal("authority_back") for key in batch),
                return_exceptions=True)
            self._released += sum(1 for r in results if not isinstance(r, BaseException))
            if self._waiting:
                await workflow.sleep(timedelta(seconds=1), summary="drain rate")

    def _should_continue_as_new(self) -> bool:
        info = workflow.info()
        return info.is_continue_as_new_suggested() or info.get_current_history_length() > MAX_EVENTS_BEFORE_CONTINUE
