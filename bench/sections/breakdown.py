"""Where an invoice's time goes, per step, from the histories of the fixed-rate run (at saturation the
steps mostly measure queueing for the worker's GIL; those figures stay in the JSON details)."""

from typing import Any

from bench.histories import WORKFLOW_TASK
from bench.report import Figure

ACTIVITY_METHOD = ("ActivityTaskStarted → Completed (last attempt) per activity type, mean over the sampled histories "
                   "× its count per invoice; queue waits and p95 in the JSON details")
WORKFLOW_TASK_METHOD = ("WorkflowTaskStarted → Completed summed per invoice: workflow code in the sandbox plus the "
                        "local activities it runs inline (record_transition per status change, authority_status)")


def step_figures(section: str, histories: dict[str, Any]) -> list[Figure]:
    """Run time per invoice of each step kind, largest first."""
    steps: dict[str, dict[str, float]] = histories.get("steps", {})
    ranked = sorted(steps.items(), key=lambda item: -item[1]["run_ms_per_workflow"])
    figures = []
    for kind, summary in ranked:
        label = "workflow tasks" if kind == WORKFLOW_TASK else kind
        figures.append(Figure(section, f"step time: {label} ×{summary['per_workflow']:.1f}",
                              summary["run_ms_per_workflow"], "ms/inv",
                              WORKFLOW_TASK_METHOD if kind == WORKFLOW_TASK else ACTIVITY_METHOD))
    local = histories.get("local_activities_per_workflow", {})
    if local:
        figures.append(Figure(section, "local activities per invoice", sum(local.values()), "LA/inv",
                              "core_local_activity markers in the sampled histories: "
                              + ", ".join(f"{k} ×{v:.1f}" for k, v in local.items())))
    return figures
