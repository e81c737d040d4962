"""The baseline's activities: each returns at once, so only orchestration and payload costs remain."""

from collections.abc import Awaitable, Callable

from temporalio import activity

from bench.baseline_models import STEPS, StepInput, StepResult, activity_name


def _noop(name: str) -> Callable[[StepInput], Awaitable[StepResult]]:
    @activity.defn(name=name)
    async def noop(inp: StepInput) -> StepResult:
        return StepResult(step=inp.step)

    return noop


def baseline_activities() -> list[Callable[[StepInput], Awaitable[StepResult]]]:
    return [_noop(activity_name(step)) for step in STEPS]
