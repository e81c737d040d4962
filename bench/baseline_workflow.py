"""The baseline: seven no-op regular activities in sequence, the floor the invoice pipeline is compared to."""

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from bench.baseline_models import (
        BASELINE_WORKFLOW,
        STEPS,
        BaselineInput,
        BaselineResult,
        StepInput,
        StepResult,
        activity_name,
    )


@workflow.defn(name=BASELINE_WORKFLOW)
class BaselineWorkflow:
    @workflow.run
    async def run(self, inp: BaselineInput) -> BaselineResult:
        for step in STEPS:
            # Called by name with the same timeout and retry shape as the pipeline's steps.
            await workflow.execute_activity(
                activity_name(step), StepInput(sale=inp.sale, step=step), result_type=StepResult,
                start_to_close_timeout=timedelta(seconds=60),
                retry_policy=RetryPolicy(initial_interval=timedelta(seconds=1), maximum_interval=timedelta(seconds=30)))
        return BaselineResult(steps=len(STEPS))
