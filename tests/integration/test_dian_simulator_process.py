"""The DIAN simulator as a real process, driven by the product's own DianClient: accept, FAD06,
duplicate recovered through rule 90, fault injection, and state kept across a restart.

Runs without Temporal. With COMPROBANTE_SCHEMAS set the simulator also checks the official XSDs.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import pytest_asyncio
from lxml import etree

from adapters.certificates.test_pki import ca_pem
from adapters.colombia.dian_client import DianClient
from adapters.colombia.namespaces import CBC
from adapters.colombia.packaging import xml_file_name, zip_document, zip_file_name
from adapters.colombia.xades_epes import sign_ubl
from domain.errors import AuthorityUnavailable
from starter.processes import ChildProcess, free_port, python_module
from tests.unit.test_colombia_samples import (
    ISSUED_AT,
    SOFTWARE_ID,
    SOFTWARE_PIN,
    identity,
    invoice,
    sample_ca,
    signed,
)

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Simulator:
    state_dir: Path
    trust_store: Path
    log: Path
    port: int = 0
    admin_port: int = 0
    child: ChildProcess | None = None

    def start(self) -> None:
        self.port, self.admin_port = free_port(), free_port()
        self.child = ChildProcess(
            "dian-simulator",
            python_module("simulators", "dian", "--port", str(self.port), "--admin-port", str(self.admin_port),
                          "--state-dir", str(self.state_dir), "--trust-store", str(self.trust_store),
                          "--software", f"{SOFTWARE_ID}={SOFTWARE_PIN}"),
            self.log,
        )
        ready = self.child.start(ready_timeout=20)
        assert ready == {"event": "simulator.ready", "service": "dian", "port": self.port,
                         "admin_port": self.admin_port}

    def stop(self) -> None:
        if self.child is not None:
            self.child.stop()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/WcfDianCustomerServices.svc"

    @property
    def admin(self) -> str:
        return f"http://127.0.0.1:{self.admin_port}/admin"


@pytest.fixture(scope="module")
def simulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Simulator]:
    base = tmp_path_factory.mktemp("dian-simulator")
    trust_store = base / "ca.pem"
    trust_store.write_bytes(ca_pem(sample_ca()))
    running = Simulator(base / "state", trust_store, base / "simulator.log")
    running.start()
    yield running
    running.stop()


@pytest_asyncio.fixture(loop_scope="session")
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=10) as client:
        yield client


def client(http: httpx.AsyncClient, simulator: Simulator) -> DianClient:
    return DianClient(http, simulator.url, identity())


def package(xml: bytes, consecutive: int) -> tuple[str, bytes]:
    name = xml_file_name("fv", "900390126", 2026, consecutive)
    return zip_file_name("900390126", 2026, consecutive), zip_document(name, xml)


async def test_accepts_and_returns_the_application_response(http: httpx.AsyncClient, simulator: Simulator) -> None:
    built = invoice(990000201)
    answer = await client(http, simulator).send_bill_sync(*package(signed(built), 1))
    assert answer.accepted
    assert answer.accepted_as(built.uuid)
    assert answer.application_response is not None
    response = etree.fromstring(answer.application_response)
    assert etree.QName(response).localname == "ApplicationResponse"
    assert response.findtext(f".//{{{CBC}}}ResponseCode") == "02"
    assert answer.xml_file_name == "fv09003901260002600000001"
    status = await client(http, simulator).get_status(built.uuid)
    assert status.accepted
    report = (await http.get(f"{simulator.admin}/documents/{built.uuid}")).json()
    assert (report["status"], report["accepted_submissions"]) == ("accepted", 1)


async def test_wrong_cufe_is_rejected_with_fad06(http: httpx.AsyncClient, simulator: Simulator) -> None:
    root = etree.fromstring(invoice(990000202).xml)
    uuid = root.find(f"{{{CBC}}}UUID")
    assert uuid is not None
    uuid.text = "f" * 96
    xml = sign_ubl(etree.tostring(root), identity(), signing_time=ISSUED_AT)
    answer = await client(http, simulator).send_bill_sync(*package(xml, 2))
    assert answer.rejected
    assert [rule.code for rule in answer.errors] == ["FAD06"]
    assert answer.errors[0].text == "Valor del CUFE no está calculado correctamente."


async def test_duplicate_is_recovered_through_rule_90(http: httpx.AsyncClient, simulator: Simulator) -> None:
    built = invoice(990000203)
    first = await client(http, simulator).send_bill_sync(*package(signed(built), 3))
    assert first.accepted
    again = await client(http, simulator).send_bill_sync(*package(signed(built), 3))
    assert again.already_processed
    assert again.accepted_as(built.uuid)
    assert again.application_response == first.application_response
    report = (await http.get(f"{simulator.admin}/documents/{built.uuid}")).json()
    assert report["accepted_submissions"] == 1
    assert [s["status_code"] for s in report["submissions"]] == ["00", "99"]


async def test_faults_refuse_and_503(http: httpx.AsyncClient, simulator: Simulator) -> None:
    dian = client(http, simulator)
    try:
        for mode, message in (("refuse", "unreachable"), ("http_503", "HTTP 503"), ("soap_fault", "SOAP fault"),
                              ("malformed", "not XML")):
            switched = await http.post(f"{simulator.admin}/faults", json={"mode": mode})
            assert switched.json()["mode"] == mode
            with pytest.raises(AuthorityUnavailable, match=message):
                await dian.get_status("a" * 96)
            assert (await http.get(f"{simulator.admin}/health")).json()["status"] == "ok"
    finally:
        await http.post(f"{simulator.admin}/faults", json={"mode": "none"})
    assert (await dian.get_status("a" * 96)).status_code == "66"


async def test_restart_keeps_state(http: httpx.AsyncClient, simulator: Simulator) -> None:
    built = invoice(990000204)
    first = await client(http, simulator).send_bill_sync(*package(signed(built), 4))
    assert first.accepted
    simulator.stop()
    simulator.start()
    status = await client(http, simulator).get_status(built.uuid)
    assert status.accepted
    assert status.application_response == first.application_response
    again = await client(http, simulator).send_bill_sync(*package(signed(built), 4))
    assert again.already_processed
    assert again.accepted_as(built.uuid)
    stats = (await http.get(f"{simulator.admin}/stats")).json()
    assert stats["documents"]["Invoice"] >= 3
    assert (await http.get(f"{simulator.admin}/documents/{built.uuid}")).json()["accepted_submissions"] == 1
