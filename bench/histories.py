"""Where an invoice's time goes, read from workflow histories: per activity type, the wait in the task
queue (scheduled → started) and the run (started → closed); per workflow task, the same; events and bytes.

Local activities (prepare_document, send_email, post_ledger and the audit trail's record_transitions on
the fast path) leave only a marker: their time is inside the workflow task that ran them, so they are
counted, not timed.
"""

import asyncio
import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from temporalio.api.enums.v1 import EventType
from temporalio.api.history.v1 import HistoryEvent
from temporalio.client import Client

from bench.stats import mean, percentile

WORKFLOW_TASK = "(workflow task)"
_CLOSED = {EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED: "completed", EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED:
           "failed", EventType.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT: "timed_out",
           EventType.EVENT_TYPE_ACTIVITY_TASK_CANCELED: "canceled"}


@dataclass(frozen=True)
class StepTiming:
    kind: str  # activity type, or WORKFLOW_TASK
    queued_ms: float
    run_ms: float
    attempt: int = 1


@dataclass(frozen=True)
class HistoryFacts:
    events: int
    size_bytes: int
    steps: list[StepTiming]
    local_activities: dict[str, int]


def _time(event: HistoryEvent) -> datetime:
    return event.event_time.ToDatetime()


def _ms(start: HistoryEvent, end: HistoryEvent) -> float:
    return (_time(end) - _time(start)).total_seconds() * 1000.0


def _local_activity_type(event: HistoryEvent) -> str | None:
    attributes = event.marker_recorded_event_attributes
    if attributes.marker_name != "core_local_activity" or "data" not in attributes.details:
        return None
    payloads = attributes.details["data"].payloads
    if not payloads:
        return None
    data: dict[str, Any] = json.loads(payloads[0].data)
    return str(data.get("activity_type", "?"))


def history_facts(events: Sequence[HistoryEvent]) -> HistoryFacts:
    by_id = {event.event_id: event for event in events}
    steps: list[StepTiming] = []
    local: dict[str, int] = defaultdict(int)
    for event in events:
        if event.event_type in _CLOSED:
            attributes = getattr(event, f"activity_task_{_CLOSED[event.event_type]}_event_attributes")
            scheduled, started = by_id.get(attributes.scheduled_event_id), by_id.get(attributes.started_event_id)
            if scheduled is None or started is None:
                continue
            name = scheduled.activity_task_scheduled_event_attributes.activity_type.name
            steps.append(StepTiming(name, _ms(scheduled, started), _ms(started, event),
                                    started.activity_task_started_event_attributes.attempt))
        elif event.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
            task = event.workflow_task_completed_event_attributes
            scheduled, started = by_id.get(task.scheduled_event_id), by_id.get(task.started_event_id)
            if scheduled is not None and started is not None:
                steps.append(StepTiming(WORKFLOW_TASK, _ms(scheduled, started), _ms(started, event)))
        elif event.event_type == EventType.EVENT_TYPE_MARKER_RECORDED:
            kind = _local_activity_type(event)
            if kind is not None:
                local[kind] += 1
    return HistoryFacts(len(events), sum(event.ByteSize() for event in events), steps, dict(local))


def summarize(facts: Sequence[HistoryFacts]) -> dict[str, Any]:
    """Per step kind over a sample: how many per workflow, and the queue and run times in ms."""
    if not facts:
        return {}
    count = len(facts)
    grouped: dict[str, list[StepTiming]] = defaultdict(list)
    for fact in facts:
        for step in fact.steps:
            grouped[step.kind].append(step)
    local: dict[str, int] = defaultdict(int)
    for fact in facts:
        for kind, seen in fact.local_activities.items():
            local[kind] += seen
    return {
        "workflows": count,
        "events_per_workflow": mean([f.events for f in facts]),
        "history_bytes_per_workflow": mean([f.size_bytes for f in facts]),
        "steps": {kind: _step_summary(timings, count) for kind, timings in sorted(grouped.items())},
        "local_activities_per_workflow": {kind: seen / count for kind, seen in sorted(local.items())},
    }


def _step_summary(timings: Sequence[StepTiming], workflows: int) -> dict[str, float]:
    runs, queues = [t.run_ms for t in timings], [t.queued_ms for t in timings]
    return {
        "per_workflow": len(timings) / workflows,
        "run_ms_mean": mean(runs), "run_ms_p50": percentile(runs, 50), "run_ms_p95": percentile(runs, 95),
        "queued_ms_mean": mean(queues), "queued_ms_p95": percentile(queues, 95),
        "attempts_mean": mean([float(t.attempt) for t in timings]),
        # Time per workflow spent running this kind of step: what to shrink first.
        "run_ms_per_workflow": sum(runs) / workflows,
    }


async def sample_facts(client: Client, workflow_ids: Iterable[str], concurrency: int = 8) -> list[HistoryFacts]:
    gate = asyncio.Semaphore(concurrency)

    async def one(workflow_id: str) -> HistoryFacts:
        async with gate:
            history = await client.get_workflow_handle(workflow_id).fetch_history()
        return history_facts(history.events)

    return list(await asyncio.gather(*(one(w) for w in workflow_ids)))


def evenly(items: Sequence[str], count: int) -> list[str]:
    """`count` items spread evenly over the sequence (the whole run, not just its start)."""
    if count >= len(items):
        return list(items)
    step = len(items) / count
    return [items[int(i * step)] for i in range(count)]
