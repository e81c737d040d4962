"""Workflow code stays deterministic by construction: the worker's strict sandbox refuses a workflow
module that imports I/O libraries, and accepts the product's own workflows."""

import uuid

import pytest
from temporalio.worker import Worker

from starter.stack import EmbeddedStack
from worker import WORKFLOWS, sandbox_runner

pytestmark = [pytest.mark.integration, pytest.mark.asyncio(loop_scope="session")]


async def test_a_workflow_importing_lxml_fails_worker_start_up(stack: EmbeddedStack) -> None:
    from tests.support.io_importing_workflow import IoImportingWorkflow

    with pytest.raises(RuntimeError, match="Failed validating workflow"):
        Worker(stack.client, task_queue=f"sandbox-{uuid.uuid4()}", workflows=[IoImportingWorkflow],
               workflow_runner=sandbox_runner())


async def test_the_product_workflows_pass_the_strict_sandbox(stack: EmbeddedStack) -> None:
    worker = Worker(stack.client, task_queue=f"sandbox-{uuid.uuid4()}", workflows=WORKFLOWS,
                    workflow_runner=sandbox_runner())
    assert worker.task_queue.startswith("sandbox-")
