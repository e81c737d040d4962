"""Inputs and results of the baseline workflow (passed through the sandbox, like domain models)."""

from pydantic import BaseModel

from domain.invoice import Sale

BASELINE_QUEUE = "bench-baseline"
BASELINE_WORKFLOW = "BenchBaseline"
# Seven steps, as many regular activities as the orchestration floor in the reference figures; each
# carries the sale so payload conversion costs what the invoice's steps cost.
STEPS = ("validate", "number", "sign", "submit", "poll", "render", "notify")


def activity_name(step: str) -> str:
    return f"bench_noop_{step}"


class BaselineInput(BaseModel):
    sale: Sale


class StepInput(BaseModel):
    sale: Sale
    step: str


class StepResult(BaseModel):
    step: str


class BaselineResult(BaseModel):
    steps: int
