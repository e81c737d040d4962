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
WORKFLOW_IDS: dict[str, str] = json.loads((FOLDER / "index.json").read_text(encoding="utf-8"))
HISTORIES = sorted(p for p in FOLDER.glob("*.json") if p.stem != "index")


@pytest.mark.parametrize("path", HISTORIES, ids=[p.stem for p in HISTORIES])
async def test_history_replays(path: Path) -> None:
    history = WorkflowHistory.from_json(WORKFLOW_IDS[path.stem], await asyncio.to_thread(path.read_text, "utf-8"))
    replayer = Replayer(workflows=WORKFLOWS, data_converter=pydantic_data_converter,
                        workflow_runner=sandbox_runner())
    result = await replayer.replay_workflow(history, raise_on_replay_failure=False)
    assert result.replay_failure is None, f"{path.stem}: {result.replay_failure}"


def test_every_scenario_is_recorded() -> None:
    assert {p.stem for p in HISTORIES} >= {"happy_path", "fix", "contingency", "void", "cancel_credit",
                                           "credit_note_child", "partial_credit", "authority_health",
                                           "colombia_happy_path", "mexico_happy_path", "mexico_cancellation"}
