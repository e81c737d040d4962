"""ResendWorkflow: send an invoice's documents again after its own workflow has completed.

Support uses it when a buyer says the e-mail never arrived; the message id comes from the request id,
so retrying the request never mails twice.
"""

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from domain import names
    from domain.steps import NotifyInput, NotifyResult


@workflow.defn(name="ResendInvoice")
class ResendWorkflow:
    @workflow.run
    async def run(self, inp: NotifyInput) -> NotifyResult:
        result: NotifyResult = await workflow.execute_activity(
            names.SEND_EMAIL, inp, result_type=NotifyResult, start_to_close_timeout=timedelta(seconds=60),
            schedule_to_close_timeout=timedelta(hours=1),
            retry_policy=RetryPolicy(maximum_interval=timedelta(minutes=1)))
        return result
