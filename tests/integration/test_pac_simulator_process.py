"""The PAC simulator as a real process: CLI, ready line, SOAP + admin ports, faults, restart, failover.

Runs without Temporal, through the real client (SoapPacClient). With COMPROBANTE_SCHEMAS set, the
simulator checks against the SAT's official XSD/XSLT and also trusts the SAT's public test CSD.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
import pytest_asyncio
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from adapters.mexico.cfdi_xml import build_cfdi, load_csd, seal_cfdi
from adapters.mexico.pac import PacUnavailable
from adapters.mexico.pac_client import SoapPacClient
from adapters.mexico.timbre import timbre_problems
from simulators.pac.testkit import IssuerKit, make_issuer, sample_sale, sealed_cfdi, vectors_dir
from starter.processes import ChildProcess, free_port, python_module

pytestmark = pytest.mark.timeout(60)


@dataclass
class Pac:
    process: ChildProcess
    port: int
    admin_port: int

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/servicios/soap/"

    @property
    def admin(self) -> str:
        return f"http://127.0.0.1:{self.admin_port}/admin"


def start_pac(state: Path, trust: list[Path], name: str) -> Pac:
    port, admin_port = free_port(), free_port()
    argv = python_module("simulators", "pac", "--port", str(port), "--admin-port", str(admin_port),
                         "--state-dir", str(state), "--pac-name", name, "--trust-store", *map(str, trust))
    process = ChildProcess(name=name, argv=argv, log_path=state / f"{name}.log")
    ready = process.start(ready_timeout=30)
    assert ready == {"event": "simulator.ready", "service": "pac", "port": port, "admin_port": admin_port}
    return Pac(process, port, admin_port)


@pytest.fixture(scope="module")
def kit(tmp_path_factory: pytest.TempPathFactory) -> IssuerKit:
    return make_issuer(tmp_path_factory.mktemp("csd"))


@pytest.fixture(scope="module")
def trust(tmp_path_factory: pytest.TempPathFactory, kit: IssuerKit) -> list[Path]:
    directory = tmp_path_factory.mktemp("trust")
    (directory / "ca.pem").write_bytes(kit.ca_pem)
    files = [directory / "ca.pem"]
    vectors = vectors_dir()
    if vectors is not None:  # pin the SAT's public test CSD (its issuer, AC UAT, is not published with it)
        files.append(vectors / "mexico" / "certs" / "EKU9003173C9.cer")
    return files


@pytest.fixture(scope="module")
def pac(tmp_path_factory: pytest.TempPathFactory, trust: list[Path]) -> Iterator[Pac]:
    running = start_pac(tmp_path_factory.mktemp("pac-a"), trust, "pac-a")
    yield running
    running.process.stop()


@pytest_asyncio.fixture(loop_scope="session")
async def http(pac: Pac) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=10) as client:
        await client.post(f"{pac.admin}/faults", json={"mode": "none", "immediate_cancel_window_s": 86400,
                                                        "acceptance_window_s": 259200})
        yield client


async def sat_certificates(http: httpx.AsyncClient, pac: Pac) -> list[x509.Certificate]:
    return x509.load_pem_x509_certificates((await http.get(f"{pac.admin}/sat-certificate")).content)


async def test_stamp_then_resend_gives_307_with_the_same_timbre(http: httpx.AsyncClient, pac: Pac,
                                                                kit: IssuerKit) -> None:
    client = SoapPacClient(http, pac.url, "demo", "demo", name="pac-a")
    sealed = sealed_cfdi(kit, folio=1)
    first = await client.stamp(sealed)
    assert first.status == "stamped" and first.xml is not None and first.uuid
    assert timbre_problems(first.xml, await sat_certificates(http, pac)) == []
    again = await client.stamp(sealed)
    assert (again.status, again.uuid, again.xml, again.codes) == ("already_stamped", first.uuid, first.xml, ["307"])
    report = (await http.get(f"{pac.admin}/documents/{first.uuid}")).json()
    assert report["stamp_count"] == 2 and report["folio"] == "1"
    assert (await http.get(f"{pac.admin}/documents/{first.uuid}/xml")).content == first.xml


async def test_rejections_older_than_72_hours_and_wrong_sello(http: httpx.AsyncClient, pac: Pac,
                                                              kit: IssuerKit) -> None:
    client = SoapPacClient(http, pac.url, "demo", "demo")
    old = await client.stamp(sealed_cfdi(kit, folio=2, issued_at=datetime.now(UTC) - timedelta(hours=73)))
    assert (old.status, old.codes) == ("rejected", ["401"])
    tampered = await client.stamp(sealed_cfdi(kit, folio=3).replace(b'Folio="3"', b'Folio="4"'))
    assert (tampered.status, tampered.codes) == ("rejected", ["302"])
    stats = (await http.get(f"{pac.admin}/stats")).json()
    assert stats["codes"]["401"] >= 1 and stats["codes"]["302"] >= 1


async def test_the_sat_public_test_csd_is_accepted(http: httpx.AsyncClient, pac: Pac, kit: IssuerKit) -> None:
    vectors = vectors_dir()
    if vectors is None:
        pytest.skip("COMPROBANTE_SCHEMAS is not set: the SAT's public test CSD is not available")
    certs = vectors / "mexico" / "certs"
    csd = load_csd((certs / "EKU9003173C9.cer").read_bytes(), (certs / "EKU9003173C9.key").read_bytes(), "12345678a")
    sealed = seal_cfdi(build_cfdi(sample_sale(), folio=5, issuer=kit.profile, issued_at=datetime.now(UTC)), csd)
    answer = await SoapPacClient(http, pac.url, "demo", "demo").stamp(sealed)
    assert answer.status == "stamped", answer.codes


async def test_cancellation_states(http: httpx.AsyncClient, pac: Pac, kit: IssuerKit) -> None:
    client = SoapPacClient(http, pac.url, "demo", "demo")
    uuids = [(await client.stamp(sealed_cfdi(kit, folio=n))).uuid or "" for n in (10, 11, 12)]
    immediate = await client.cancel(uuids[0], rfc_emisor="EKU9003173C9", rfc_receptor="URE180429TM6",
                                    total="1172.72", motive="02")
    assert immediate.state == "CanceladoSinAceptacion"  # within 24 hours of stamping
    await http.post(f"{pac.admin}/faults", json={"immediate_cancel_window_s": 0})
    for uuid in uuids[1:]:
        answer = await client.cancel(uuid, rfc_emisor="EKU9003173C9", rfc_receptor="URE180429TM6",
                                     total="1172.72", motive="03")
        assert (answer.state, answer.code) == ("EnProceso", "201")
    decided = await http.post(f"{pac.admin}/documents/{uuids[1]}/cancellation", json={"decision": "reject"})
    assert decided.json()["state"] == "Solicitud rechazada"
    assert (await client.cancellation_status(uuids[1])).state == "Rechazado"
    await http.post(f"{pac.admin}/documents/{uuids[2]}/cancellation", json={"decision": "accept"})
    assert (await client.cancellation_status(uuids[2])).state == "Cancelado"
    await client.cancel(uuids[1], rfc_emisor="EKU9003173C9", rfc_receptor="URE180429TM6", total="1172.72",
                        motive="03")
    await http.post(f"{pac.admin}/faults", json={"acceptance_window_s": 0})
    expired = await client.cancellation_status(uuids[1])
    assert (expired.state, expired.cancelled, expired.sat_status) == ("PlazoVencido", True, "Cancelado")
    await http.post(f"{pac.admin}/faults", json={"immediate_cancel_window_s": 86400, "acceptance_window_s": 259200})


async def test_faults_refuse_503_and_a_lost_reply(http: httpx.AsyncClient, pac: Pac, kit: IssuerKit) -> None:
    client = SoapPacClient(http, pac.url, "demo", "demo")
    for mode in ("refuse", "http_503", "error_350"):
        assert (await http.post(f"{pac.admin}/faults", json={"mode": mode})).status_code == 200
        if mode == "refuse":
            assert (await http.get(f"{pac.admin}/health")).json()["soap_listening"] is False
        with pytest.raises(PacUnavailable) as raised:
            await client.stamp(sealed_cfdi(kit, folio=20))
        assert raised.value.not_stamped, mode
    await http.post(f"{pac.admin}/faults", json={"mode": "lost_reply"})
    sealed = sealed_cfdi(kit, folio=21)
    with pytest.raises(PacUnavailable) as lost:
        await client.stamp(sealed)
    assert not lost.value.not_stamped  # ambiguous: recover from this PAC before trying another
    await http.post(f"{pac.admin}/faults", json={"mode": "none"})
    recovered = await client.stamped(sealed)
    assert recovered is not None and recovered.uuid
    assert (await client.stamp(sealed)).uuid == recovered.uuid


async def test_failover_to_a_second_pac_and_restart_keeps_state(
    http: httpx.AsyncClient, kit: IssuerKit, trust: list[Path], tmp_path: Path
) -> None:
    state_a, state_b = tmp_path / "a", tmp_path / "b"
    pac_a, pac_b = start_pac(state_a, trust, "pac-a2"), start_pac(state_b, trust, "pac-b")
    try:
        first, second = SoapPacClient(http, pac_a.url, "demo", "demo"), SoapPacClient(http, pac_b.url, "demo", "demo")
        await http.post(f"{pac_a.admin}/faults", json={"mode": "refuse"})
        sealed = sealed_cfdi(kit, folio=30)
        with pytest.raises(PacUnavailable) as refused:
            await first.stamp(sealed)
        assert refused.value.not_stamped
        stamped = await second.stamp(sealed)
        assert stamped.status == "stamped"
        await http.post(f"{pac_a.admin}/faults", json={"mode": "none"})
        assert await first.stamped(sealed) is None  # PAC A never had it
        b_cert = await sat_certificates(http, pac_b)
        assert timbre_problems(stamped.xml or b"", await sat_certificates(http, pac_a))  # signed by B, not A
        pac_b.process.stop()
        restarted = start_pac(state_b, trust, "pac-b")
        try:
            again = await SoapPacClient(http, restarted.url, "demo", "demo").stamp(sealed)
            assert (again.status, again.uuid) == ("already_stamped", stamped.uuid)
            restarted_cert = await sat_certificates(http, restarted)
            assert [c.public_bytes(serialization.Encoding.DER) for c in restarted_cert] == [
                c.public_bytes(serialization.Encoding.DER) for c in b_cert]
            assert (await http.get(f"{restarted.admin}/documents/{stamped.uuid}")).json()["stamp_count"] == 2
        finally:
            restarted.process.stop()
    finally:
        pac_a.process.stop()
        pac_b.process.stop()
