"""The SRI simulator as a real process: CLI, ready line, SOAP + admin ports, faults, restart.

Runs without Temporal. Set COMPROBANTE_SCHEMAS=../shared/vectors to exercise the XSD
path (it is passed through to the process); without it the built-in structure check runs.
"""

from __future__ import annotations

import json
import os
import selectors
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from simulators.sri import testkit

ROOT = Path(__file__).resolve().parents[2]
RECEPCION = "/comprobantes-electronicos-ws/RecepcionComprobantesOffline"
AUTORIZACION = "/comprobantes-electronicos-ws/AutorizacionComprobantesOffline"
SOAP_HEADERS = {"content-type": "text/xml; charset=utf-8", "SOAPAction": ""}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Simulator:
    process: subprocess.Popen[bytes]
    port: int
    admin_port: int
    ready: dict[str, object]

    @property
    def soap(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def admin(self) -> str:
        return f"http://127.0.0.1:{self.admin_port}"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start(state_dir: Path, trust_store: Path, port: int, admin_port: int, log: Path) -> Simulator:
    command = [
        sys.executable,
        "-m",
        "simulators",
        "sri",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--admin-port",
        str(admin_port),
        "--state-dir",
        str(state_dir),
        "--trust-store",
        str(trust_store),
        "--authorization-delay",
        "0.2",
    ]
    with log.open("ab") as stderr:
        process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=stderr, env=os.environ.copy())
    assert process.stdout is not None
    selector = selectors.DefaultSelector()
    selector.register(process.stdout, selectors.EVENT_READ)
    deadline = time.monotonic() + 20
    line = b""
    while not line.endswith(b"\n"):
        remaining = deadline - time.monotonic()
        if remaining <= 0 or process.poll() is not None:
            process.kill()
            raise AssertionError(f"simulator not ready; stderr:\n{log.read_text()[-3000:]}")
        if selector.select(timeout=remaining):
            chunk = os.read(process.stdout.fileno(), 4096)
            line += chunk
    selector.close()
    ready = json.loads(line.decode().splitlines()[0])
    return Simulator(process, port, admin_port, ready)


@dataclass
class Harness:
    simulator: Simulator
    state_dir: Path
    trust_store: Path
    log: Path
    ca: testkit.Identity
    signer: testkit.Identity
    client: httpx.Client


@pytest.fixture(scope="module")
def harness(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Harness]:
    base = tmp_path_factory.mktemp("sri-simulator")
    ca = testkit.make_ca()
    trust_store = base / "ca.pem"
    trust_store.write_bytes(ca.pem)
    log = base / "simulator.log"
    simulator = start(base / "state", trust_store, free_port(), free_port(), log)
    client = httpx.Client(timeout=5)
    harness = Harness(simulator, base / "state", trust_store, log, ca, testkit.make_signer(ca), client)
    try:
        yield harness
    finally:
        client.close()
        harness.simulator.stop()


def recepcion(h: Harness, xml: bytes) -> testkit.ParsedRecepcion:
    response = h.client.post(
        h.simulator.soap + RECEPCION, content=testkit.recepcion_envelope(xml), headers=SOAP_HEADERS
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/xml; charset=utf-8"
    return testkit.parse_recepcion(response.content)


def autorizacion(h: Harness, clave: str) -> tuple[str | None, list[testkit.ParsedAutorizacion]]:
    response = h.client.post(
        h.simulator.soap + AUTORIZACION, content=testkit.autorizacion_envelope(clave), headers=SOAP_HEADERS
    )
    assert response.status_code == 200
    return testkit.parse_autorizacion(response.content)


def decided(h: Harness, clave: str, timeout: float = 5.0) -> testkit.ParsedAutorizacion:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        numero, autorizaciones = autorizacion(h, clave)
        if autorizaciones:
            assert numero == "1"
            return autorizaciones[0]
        assert numero == "0"  # EN PROCESO: empty <autorizaciones/>
        time.sleep(0.05)
    raise AssertionError(f"{clave} still EN PROCESO after {timeout}s")


def admin(h: Harness, method: str, path: str, payload: dict[str, object] | None = None) -> httpx.Response:
    return h.client.request(method, h.simulator.admin + path, json=payload)


def test_ready_line_health_and_wsdl(harness: Harness) -> None:
    sim = harness.simulator
    assert sim.ready == {"event": "simulator.ready", "service": "sri", "port": sim.port, "admin_port": sim.admin_port}
    assert admin(harness, "GET", "/admin/health").json()["status"] == "ok"
    wsdl = harness.client.get(sim.soap + RECEPCION + "?wsdl")
    assert wsdl.status_code == 200
    assert b'targetNamespace="http://ec.gob.sri.ws.recepcion"' in wsdl.content


def test_valid_document_is_authorized_and_resend_is_43(harness: Harness) -> None:
    xml = testkit.sign(testkit.build_factura(secuencial=101), harness.signer)
    clave = testkit.clave_of(xml)
    answer = recepcion(harness, xml)
    assert (answer.estado, answer.mensajes) == ("RECIBIDA", ())
    result = decided(harness, clave)
    assert result.estado == "AUTORIZADO"
    assert result.numero_autorizacion == clave
    assert result.ambiente == "PRUEBAS"
    assert result.comprobante == xml.decode("utf-8")
    assert [(m.identificador, m.tipo) for m in result.mensajes] == [("60", "ADVERTENCIA")]

    again = recepcion(harness, xml)
    assert (again.estado, again.clave, again.mensajes[0].identificador) == ("DEVUELTA", clave, "43")
    report = admin(harness, "GET", f"/admin/documents/{clave}").json()
    assert report["status"] == "AUTORIZADO"
    assert report["accepted_receptions"] == 1
    assert [r["estado"] for r in report["receptions"]] == ["RECIBIDA", "DEVUELTA"]


def test_same_secuencial_with_another_clave_is_45(harness: Harness) -> None:
    first = testkit.sign(testkit.build_factura(secuencial=102, codigo_numerico="10000001"), harness.signer)
    second = testkit.sign(testkit.build_factura(secuencial=102, codigo_numerico="10000002"), harness.signer)
    assert recepcion(harness, first).estado == "RECIBIDA"
    answer = recepcion(harness, second)
    assert (answer.estado, answer.mensajes[0].identificador) == ("DEVUELTA", "45")


def test_broken_document_is_35_and_not_stored(harness: Harness) -> None:
    good = testkit.build_factura(secuencial=103)
    broken = testkit.set_text(good, "infoFactura/totalSinImpuestos", "25.111")
    answer = recepcion(harness, testkit.sign(broken, harness.signer))
    assert (answer.estado, answer.mensajes[0].identificador) == ("DEVUELTA", "35")
    assert "cvc-" in (answer.mensajes[0].informacion_adicional or "")
    # DEVUELTA documents are not stored: the corrected one goes in with the same clave.
    assert recepcion(harness, testkit.sign(good, harness.signer)).estado == "RECIBIDA"


def test_tampered_signature_is_no_autorizado_39(harness: Harness) -> None:
    xml = testkit.tamper(testkit.sign(testkit.build_factura(secuencial=104), harness.signer))
    assert recepcion(harness, xml).estado == "RECIBIDA"  # RECIBIDA ≠ valid (§13)
    result = decided(harness, testkit.clave_of(xml))
    assert result.estado == "NO AUTORIZADO"
    assert result.numero_autorizacion is None
    assert [(m.identificador, m.mensaje) for m in result.mensajes] == [("39", "FIRMA INVALIDA")]


def test_signer_outside_the_trust_store_is_39(harness: Harness) -> None:
    stranger = testkit.make_signer(testkit.make_ca("AC DESCONOCIDA"))
    xml = testkit.sign(testkit.build_factura(secuencial=105), stranger)
    recepcion(harness, xml)
    result = decided(harness, testkit.clave_of(xml))
    assert result.mensajes[0].identificador == "39"
    assert "entidad de certificación" in (result.mensajes[0].informacion_adicional or "")


def test_refuse_closes_the_port_and_none_reopens_it(harness: Harness) -> None:
    assert admin(harness, "POST", "/admin/faults", {"mode": "refuse"}).json()["mode"] == "refuse"
    with pytest.raises(httpx.ConnectError):
        httpx.post(harness.simulator.soap + AUTORIZACION, content=testkit.autorizacion_envelope("1" * 49), timeout=2)
    assert admin(harness, "GET", "/admin/health").json()["soap_listening"] is False
    assert admin(harness, "POST", "/admin/faults", {"mode": "none"}).status_code == 200
    numero, _ = autorizacion(harness, "1" * 49)
    assert numero == "0"


def test_fault_modes_over_http(harness: Harness) -> None:
    url = harness.simulator.soap + AUTORIZACION
    body = testkit.autorizacion_envelope("1" * 49)
    admin(harness, "POST", "/admin/faults", {"mode": "http_503", "latency_ms": 50})
    started = time.monotonic()
    assert harness.client.post(url, content=body, headers=SOAP_HEADERS).status_code == 503
    assert time.monotonic() - started >= 0.05
    admin(harness, "POST", "/admin/faults", {"mode": "soap_fault", "latency_ms": 0})
    assert harness.client.post(url, content=body, headers=SOAP_HEADERS).status_code == 500
    settings = admin(harness, "POST", "/admin/faults", {"mode": "none"}).json()
    assert settings == {"mode": "none", "latency_ms": 0, "authorization_delay_s": 0.2, "inactive_rucs": []}
    assert admin(harness, "POST", "/admin/faults", {"mode": "bogus"}).status_code == 400


def test_restart_keeps_state(harness: Harness) -> None:
    xml = testkit.sign(testkit.build_factura(secuencial=106), harness.signer)
    clave = testkit.clave_of(xml)
    assert recepcion(harness, xml).estado == "RECIBIDA"
    assert decided(harness, clave).estado == "AUTORIZADO"
    old = harness.simulator
    old.stop()
    harness.simulator = start(harness.state_dir, harness.trust_store, old.port, old.admin_port, harness.log)
    assert decided(harness, clave).estado == "AUTORIZADO"
    assert recepcion(harness, xml).mensajes[0].identificador == "43"
    stats = admin(harness, "GET", "/admin/stats").json()
    assert stats["documents"]["AUTORIZADO"] >= 2
    assert stats["receptions"]["RECIBIDA"] >= 5
