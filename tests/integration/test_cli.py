"""The support CLI as an operator runs it: separate processes against the running stack."""

import asyncio
import json
import os
import sys
from pathlib import Path

import pytest

from domain.status import InvoiceStatus
from starter.client import InvoiceClient
from starter.stack import EmbeddedStack
from tests.support.sales import ISSUER_RUC, make_sale
from tests.support.waiting import unique, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.asyncio(loop_scope="session")]
COMPROBANTE = str(Path(sys.executable).parent / "comprobante")


async def run_cli(stack: EmbeddedStack, *args: str) -> tuple[int, str, str]:
    env = {**os.environ, "COMPROBANTE_TEMPORAL_ADDRESS": stack.settings.temporal_address}
    process = await asyncio.create_subprocess_exec(COMPROBANTE, *args, env=env, stdout=asyncio.subprocess.PIPE,
                                                   stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


async def test_status_fix_and_ops_from_the_command_line(
    stack: EmbeddedStack, invoices: InvoiceClient, tmp_path: Path,
) -> None:
    sale = make_sale(unique("CLI"), lines=[{"description": "Servicio", "quantity": "1", "unit_price": "10",
                                            "iva_code": "2"}], payments=[{"method": "01", "amount": "11.50"}])
    handle = await invoices.issue(sale)
    await wait_for(handle, InvoiceStatus.NEEDS_FIX)

    code, out, _ = await run_cli(stack, "status", sale.order_id)
    assert code == 0
    assert "NEEDS_FIX" in out and "lines[0].iva_code" in out and "EC.IVA.NOT_IN_FORCE" in out

    code, out, _ = await run_cli(stack, "ops", "--json")
    assert code == 0
    assert handle.key in [row["invoice_key"] for row in json.loads(out)["needs_fix"]]

    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"lines": [{"description": "Servicio", "quantity": "1", "unit_price": "10",
                                          "iva_code": "99"}]}))
    code, _, err = await run_cli(stack, "fix", sale.order_id, str(bad), "--reason", "try", "--actor", "support:cli")
    assert code == 1 and "EC.IVA.UNKNOWN" in err

    good = tmp_path / "good.json"
    good.write_text(json.dumps({"lines": [{"description": "Servicio", "quantity": "1", "unit_price": "10",
                                           "iva_code": "4"}]}))
    code, out, _ = await run_cli(stack, "fix", sale.order_id, str(good), "--issuer", ISSUER_RUC,
                                 "--reason", "IVA 15 %", "--actor", "support:cli")
    assert code == 0 and "accepted" in out
    state = (await asyncio.wait_for(handle.result(), 60)).state
    assert state.status == InvoiceStatus.COMPLETED
    assert any(c.actor == "support:cli" and "IVA 15 %" in c.note for c in state.history)


async def test_a_malformed_sale_file_names_the_field(stack: EmbeddedStack, tmp_path: Path) -> None:
    path = tmp_path / "sale.json"
    path.write_text(json.dumps({"order_id": "X-1", "issuer": {"ruc": ISSUER_RUC}, "buyer": {"id_type": "05"},
                                "lines": [{"description": "a", "quantity": "abc", "unit_price": "1",
                                           "iva_code": "4"}], "payments": []}))
    code, _, err = await run_cli(stack, "issue", str(path))
    assert code == 2
    assert "buyer.identification" in err and "lines[0].quantity" in err
    assert "Traceback" not in err
