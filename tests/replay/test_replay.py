"""Committed histories of representative runs replay against the current workflow code.

A change that breaks determinism (an activity inserted, reordered or removed without
`workflow.patched`) fails here instead of in production, where it would stall running invoices.
Re-record with `python -m tests.replay.record` only when the change is deliberately incompatible.
"""

import asyncio
import json
from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Replayer

from worker import WORKFLOWS, sandbox_runner

FOLDER = Path(__file__).parent / "histories"
# One folder per generation of workflow code (step-per-activity, fewer-round-trips, ...): invoices of every
# generation may still be running, so every one must replay.
GENERATIONS = sorted(p for p in FOLDER.iterdir() if (p / "index.json").is_file())
HISTORIES = sorted(p for g in GENERATIONS for p in g.glob("*.json") if p.stem != "index")
SCENARIOS = {"happy_path", "fix", "contingency", "void", "cancel_credit", "credit_note_child", "partial_credit",
             "authority_health", "colombia_happy_path", "mexico_happy_path", "mexico_cancellation"}


def workflow_id(path: Path) -> str:
    ids: dict[str, str] = json.loads((path.parent / "index.json").read_text(encoding="utf-8"))
    return ids[path.stem]


@pytest.mark.parametrize("path", HISTORIES, ids=[f"{p.parent.name}/{p.stem}" for p in HISTORIES])
async def test_history_replays(path: Path) -> None:
    history = WorkflowHistory.from_json(workflow_id(path), await asyncio.to_thread(path.read_text, "utf-8"))
    replayer = Replayer(workflows=WORKFLOWS, data_converter=pydantic_data_converter,
                        workflow_runner=sandbox_runner())
    result = await replayer.replay_workflow(history, raise_on_replay_failure=False)
    assert result.replay_failure is None, f"{path.stem}: {result.replay_failure}"


@pytest.mark.parametrize("generation", GENERATIONS, ids=[g.name for g in GENERATIONS])
def test_every_scenario_is_recorded(generation: Path) -> None:
    assert {p.stem for p in generation.glob("*.json")} >= SCENARIOS


def test_the_current_generation_is_recorded() -> None:
    assert {g.name for g in GENERATIONS} >= {"step-per-activity", "fewer-round-trips"}
