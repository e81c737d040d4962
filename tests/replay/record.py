"""Records the histories the replay tests check: `python -m tests.replay.record GENERATION`.

Runs representative scenarios on a fresh embedded stack and writes one JSON history per workflow to
tests/replay/histories/GENERATION/. Each generation is what running workflows of one version of the
workflow code look like; all of them must keep replaying (a change that cannot replay one needs
`workflow.patched`). Record a new generation when a patch changes what new workflows do, and keep the old
ones until no workflow of that version can still be running.
"""

import asyncio
import json
import sys
import tempfile
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import httpx

from domain.invoice import CreditLine, CreditRequest
from domain.names import authority_health_id
from starter.client import InvoiceClient
from starter.samples import colombia_sales, mexico_sales
from starter.stack import StackOptions, embedded_stack
from tests.integration.conftest import TEST_TIMINGS
from tests.support.sales import make_sale

HISTORIES = Path(__file__).parent / "histories"


async def record(folder_name: str) -> None:
    out = HISTORIES / folder_name
    with tempfile.TemporaryDirectory() as folder:
        options = StackOptions(data_dir=Path(folder), authorization_delay=0.2, probe_interval_seconds=0.5,
                               drain_per_second=5)
        async with embedded_stack(options) as stack:
            client = InvoiceClient(stack.client, TEST_TIMINGS)
            short = InvoiceClient(stack.client, TEST_TIMINGS.model_copy(update={
                "submit_window": timedelta(seconds=1), "delivery_window": timedelta(seconds=2)}))
            admin = httpx.AsyncClient(base_url=stack.sri_admin_url)
            saved: dict[str, str] = {}

            happy = await client.issue(make_sale("REPLAY-HAPPY"))
            await happy.result()
            saved["happy_path"] = happy.key

            fixed = await client.issue(make_sale("REPLAY-FIX", payments=[{"method": "01", "amount": "1.00"}]))
            await _wait_status(fixed, "NEEDS_FIX")
            await fixed.fix({"payments": [{"method": "01", "amount": "28.13"}]}, actor="support:replay",
                            reason="payment amount")
            await fixed.result()
            saved["fix"] = fixed.key

            await admin.post("/admin/faults", json={"mode": "refuse"})
            contingency = await short.issue(make_sale("REPLAY-CONTINGENCY"))
            voided = await short.issue(make_sale("REPLAY-VOID"))
            await _wait_status(contingency, "CONTINGENCY")
            await _wait_status(voided, "CONTINGENCY")
            await short.cancel(voided, actor="support:replay", reason="order cancelled")
            await voided.result()
            await admin.post("/admin/faults", json={"mode": "none"})
            await contingency.result()
            saved["contingency"] = contingency.key
            saved["void"] = voided.key
            saved["authority_health"] = authority_health_id("EC")

            stack.smtp.stop()
            credited = await short.issue(make_sale("REPLAY-CREDIT"))
            await _wait_status(credited, "NEEDS_FIX")
            await asyncio.to_thread(stack.smtp.start)
            await short.cancel(credited, actor="support:replay", reason="devolución")
            state = (await credited.result()).state
            saved["cancel_credit"] = credited.key
            saved["credit_note_child"] = state.credit_notes[0].key

            colombian = await client.issue(colombia_sales("REPLAY")[0].sale)
            await colombian.result()
            saved["colombia_happy_path"] = colombian.key

            mexican = await client.issue(mexico_sales("REPLAY")[1].sale)
            await mexican.result()
            saved["mexico_happy_path"] = mexican.key
            cancellation = await client.cancel_at_authority(mexican, motive="02", actor="support:replay",
                                                            reason="datos erróneos",
                                                            poll_interval=timedelta(milliseconds=300))
            await cancellation.workflow.result()
            saved["mexico_cancellation"] = cancellation.key

            partial = await client.credit(happy, CreditRequest(reason="una unidad", lines=[
                CreditLine(line=0, quantity=Decimal(1))]), credit_id="R1")
            await client.credit_result(partial)
            saved["partial_credit"] = partial.key

            out.mkdir(parents=True, exist_ok=True)
            # Workflows derive keys from their own id (a child credit note's id, say): replay needs it.
            (out / "index.json").write_text(json.dumps(saved, indent=2, sort_keys=True) + "\n")
            for name, workflow_id in saved.items():
                history = await stack.client.get_workflow_handle(workflow_id).fetch_history()
                (out / f"{name}.json").write_text(without_stack_traces(history.to_json()), encoding="utf-8")
                sys.stdout.write(f"recorded {name}: {len(history.events)} events\n")
            await admin.aclose()


def without_stack_traces(history_json: str) -> str:
    """Failure stack traces name this machine's paths and play no part in replay: blank them."""
    def scrub(node: object) -> object:
        if isinstance(node, dict):
            return {k: ("" if k == "stackTrace" else scrub(v)) for k, v in node.items()}
        if isinstance(node, list):
            return [scrub(v) for v in node]
        return node

    return json.dumps(scrub(json.loads(history_json)), indent=2)


async def _wait_status(handle, status: str) -> None:  # type: ignore[no-untyped-def]
    for _ in range(600):
        if (await handle.status()).status.value == status:
            return
        await asyncio.sleep(0.1)
    raise RuntimeError(f"{handle.key} never reached {status}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.stderr.write("usage: python -m tests.replay.record GENERATION  (a folder name under histories/)\n")
        sys.exit(2)
    asyncio.run(record(sys.argv[1]))
    sys.stdout.flush()
    import os

    os._exit(0)  # sdk-python issue 300: leave before interpreter finalization
