"""SRI simulator: Recepción/Autorización state machine and the SOAP surface, in process."""

from __future__ import annotations

import os
import re
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from lxml import etree

from simulators.sri import soap, testkit, wsdl
from simulators.sri.app import AUTORIZACION_PATH, RECEPCION_PATH, create_soap_app
from simulators.sri.faults import FaultSettings, InvalidFaults
from simulators.sri.messages import error
from simulators.sri.schemas import SchemaSet
from simulators.sri.service import SriService
from simulators.sri.store import Store

VECTORS = os.environ.get("COMPROBANTE_SCHEMAS")


class Clock:
    """Manual clock: starts at the real time (fechaEmision is today) and moves when told."""

    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="module")
def ca() -> testkit.Identity:
    return testkit.make_ca()


@pytest.fixture(scope="module")
def signer(ca: testkit.Identity) -> testkit.Identity:
    return testkit.make_signer(ca)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def service(tmp_path: Path, clock: Clock, ca: testkit.Identity) -> Iterator[SriService]:
    store = Store(tmp_path)
    yield SriService(
        store,
        SchemaSet(Path(VECTORS) if VECTORS else None),
        FaultSettings(authorization_delay_s=1.0),
        trusted_cas=[ca.certificate],
        clock=clock,
    )
    store.close()


def _sign(signer: testkit.Identity, **kwargs: object) -> bytes:
    return testkit.sign(testkit.build_factura(**kwargs), signer)  # type: ignore[arg-type]


def test_lifecycle_recibida_en_proceso_autorizado_then_43(
    service: SriService, clock: Clock, signer: testkit.Identity
) -> None:
    xml = _sign(signer, secuencial=1)
    clave = testkit.clave_of(xml)
    assert service.receive(xml).estado == "RECIBIDA"
    assert service.authorize(clave).autorizaciones == ()  # EN PROCESO: numeroComprobantes 0
    again = service.receive(xml)
    assert (again.estado, again.mensajes[0].identificador) == ("DEVUELTA", "70")
    clock.now += 1.0
    (autorizacion,) = service.authorize(clave).autorizaciones
    assert autorizacion.estado == "AUTORIZADO"
    assert autorizacion.numero_autorizacion == clave
    assert autorizacion.ambiente == "PRUEBAS"
    assert autorizacion.comprobante == xml.decode("utf-8")
    assert [m.identificador for m in autorizacion.mensajes] == ["60"]
    assert autorizacion.mensajes[0].tipo == "ADVERTENCIA"
    resend = service.receive(xml)
    assert (resend.estado, resend.mensajes[0].identificador) == ("DEVUELTA", "43")
    assert resend.mensajes[0].mensaje == "CLAVE ACCESO REGISTRADA"
    report = service.store.document_report(clave)
    assert report is not None
    assert report["accepted_receptions"] == 1
    assert [r["estado"] for r in report["receptions"]] == ["RECIBIDA", "DEVUELTA", "DEVUELTA"]


def test_resend_after_due_time_settles_first_and_answers_43(
    service: SriService, clock: Clock, signer: testkit.Identity
) -> None:
    xml = _sign(signer, secuencial=2)
    service.receive(xml)
    clock.now += 5
    assert service.receive(xml).mensajes[0].identificador == "43"  # not 70: processing is over


def test_same_secuencial_other_clave_is_45(service: SriService, signer: testkit.Identity) -> None:
    first = _sign(signer, secuencial=3, codigo_numerico="11111111")
    second = _sign(signer, secuencial=3, codigo_numerico="22222222")
    assert service.receive(first).estado == "RECIBIDA"
    answer = service.receive(second)
    assert (answer.estado, answer.mensajes[0].identificador) == ("DEVUELTA", "45")
    assert answer.mensajes[0].mensaje == "SECUENCIAL REGISTRADO"


def test_devuelta_is_not_stored_so_a_fixed_resend_succeeds(service: SriService, signer: testkit.Identity) -> None:
    good = testkit.build_factura(secuencial=4)
    broken = good.replace(b"<razonSocialComprador>", b"<razonSocialComprador><b/>", 1)
    clave = testkit.clave_of(good)
    answer = service.receive(broken)
    assert (answer.estado, answer.clave, answer.mensajes[0].identificador) == ("DEVUELTA", clave, "35")
    assert service.authorize(clave).autorizaciones == ()
    assert service.receive(testkit.sign(good, signer)).estado == "RECIBIDA"


def test_no_autorizado_can_be_corrected_with_the_same_clave(
    service: SriService, clock: Clock, signer: testkit.Identity
) -> None:
    good = _sign(signer, secuencial=5)
    clave = testkit.clave_of(good)
    assert service.receive(testkit.tamper(good)).estado == "RECIBIDA"
    clock.now += 1
    (rejected,) = service.authorize(clave).autorizaciones
    assert rejected.estado == "NO AUTORIZADO"
    assert rejected.numero_autorizacion is None
    assert [(m.identificador, m.mensaje) for m in rejected.mensajes] == [("39", "FIRMA INVALIDA")]
    # Ficha §5.10: fix and re-send with the same clave and secuencial.
    assert service.receive(good).estado == "RECIBIDA"
    clock.now += 1
    assert [a.estado for a in service.authorize(clave).autorizaciones] == ["AUTORIZADO"]
    service.history = "all"
    assert [a.estado for a in service.authorize(clave).autorizaciones] == ["NO AUTORIZADO", "AUTORIZADO"]
    report = service.store.document_report(clave)
    assert report is not None
    assert report["accepted_receptions"] == 2


def test_production_documents_have_no_warning(service: SriService, clock: Clock, signer: testkit.Identity) -> None:
    xml = _sign(signer, secuencial=6, ambiente="2")
    service.receive(xml)
    clock.now += 1
    (autorizacion,) = service.authorize(testkit.clave_of(xml)).autorizaciones
    assert (autorizacion.ambiente, autorizacion.mensajes) == ("PRODUCCIÓN", ())


def test_malformed_queried_clave_is_80(service: SriService) -> None:
    outcome = service.authorize("12345")
    assert outcome.rejected_clave is not None
    assert outcome.rejected_clave.mensajes[0].identificador == "80"


def test_state_survives_a_new_store(tmp_path: Path, clock: Clock, signer: testkit.Identity) -> None:
    xml = _sign(signer, secuencial=7)
    first = SriService(Store(tmp_path), SchemaSet(None), FaultSettings(authorization_delay_s=0), clock=clock)
    first.receive(xml)
    first.store.close()
    second = SriService(Store(tmp_path), SchemaSet(None), FaultSettings(authorization_delay_s=0), clock=clock)
    assert second.receive(xml).mensajes[0].identificador == "43"
    assert second.authorize(testkit.clave_of(xml)).autorizaciones[0].estado == "AUTORIZADO"
    second.store.close()


def test_fault_settings_validation() -> None:
    settings = FaultSettings()
    assert settings.updated({"mode": "refuse", "latency_ms": 5}).to_json()["mode"] == "refuse"
    with pytest.raises(InvalidFaults):
        settings.updated({"mode": "explode"})
    with pytest.raises(InvalidFaults):
        settings.updated({"latency_ms": -1})
    with pytest.raises(InvalidFaults):
        settings.updated({"colour": "red"})


# --- SOAP surface -------------------------------------------------------------------------
@pytest.fixture
async def client(service: SriService) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=create_soap_app(service))
    async with httpx.AsyncClient(transport=transport, base_url="http://sri.test") as client:
        yield client


async def _post(client: httpx.AsyncClient, path: str, body: bytes) -> tuple[int, bytes, str]:
    response = await client.post(
        path, content=body, headers={"content-type": "text/xml; charset=utf-8", "SOAPAction": ""}
    )
    return response.status_code, response.content, response.headers["content-type"]


async def test_soap_recepcion_envelope(client: httpx.AsyncClient, signer: testkit.Identity) -> None:
    status, body, content_type = await _post(
        client, RECEPCION_PATH, testkit.recepcion_envelope(_sign(signer, secuencial=10))
    )
    assert (status, content_type) == (200, "text/xml; charset=utf-8")
    assert body.startswith(b'<?xml version="1.0" encoding="UTF-8"?><soap:Envelope xmlns:soap=')
    assert b'<ns2:validarComprobanteResponse xmlns:ns2="http://ec.gob.sri.ws.recepcion">' in body
    assert b"<estado>RECIBIDA</estado><comprobantes/>" in body


async def test_soap_devuelta_shape(client: httpx.AsyncClient) -> None:
    _, body, _ = await _post(client, RECEPCION_PATH, testkit.recepcion_envelope(b"<factura"))
    answer = testkit.parse_recepcion(body)
    assert answer.estado == "DEVUELTA"
    (mensaje,) = answer.mensajes
    assert (mensaje.identificador, mensaje.mensaje, mensaje.tipo) == ("35", "ARCHIVO NO CUMPLE ESTRUCTURA XML", "ERROR")
    assert mensaje.informacion_adicional


async def test_soap_null_argument_is_49(client: httpx.AsyncClient) -> None:
    envelope = testkit.recepcion_envelope(b"").replace(b"<xml></xml>", b"<xml/>")
    _, body, _ = await _post(client, RECEPCION_PATH, envelope)
    assert testkit.parse_recepcion(body).mensajes[0].identificador == "49"


async def test_soap_autorizacion_shapes(
    client: httpx.AsyncClient, service: SriService, clock: Clock, signer: testkit.Identity
) -> None:
    xml = _sign(signer, secuencial=11)
    clave = testkit.clave_of(xml)
    await _post(client, RECEPCION_PATH, testkit.recepcion_envelope(xml))
    _, body, _ = await _post(client, AUTORIZACION_PATH, testkit.autorizacion_envelope(clave))
    assert b"<numeroComprobantes>0</numeroComprobantes><autorizaciones/>" in body
    assert f"<claveAccesoConsultada>{clave}</claveAccesoConsultada>".encode() in body
    clock.now += 1
    _, body, _ = await _post(client, AUTORIZACION_PATH, testkit.autorizacion_envelope(clave))
    assert b'<ns2:autorizacionComprobanteResponse xmlns:ns2="http://ec.gob.sri.ws.autorizacion">' in body
    numero, (autorizacion,) = testkit.parse_autorizacion(body)
    assert numero == "1"
    assert autorizacion.estado == "AUTORIZADO"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}-05:00", autorizacion.fecha_autorizacion or "")
    assert autorizacion.comprobante == xml.decode("utf-8")
    assert b"<comprobante><![CDATA[<?xml" in body


async def test_soap_malformed_clave_is_80(client: httpx.AsyncClient) -> None:
    _, body, _ = await _post(client, AUTORIZACION_PATH, testkit.autorizacion_envelope("123"))
    _, (autorizacion,) = testkit.parse_autorizacion(body)
    assert autorizacion.estado == "RECHAZADA"
    assert autorizacion.mensajes[0].identificador == "80"


@pytest.mark.parametrize(
    "body",
    [
        b"not xml",
        b'<Envelope xmlns="http://www.w3.org/2003/05/soap-envelope"><Body/></Envelope>',
        testkit.autorizacion_envelope("1" * 49),  # wrong operation for the Recepción port
        testkit.recepcion_envelope(b"x").replace(b"<xml>eA==</xml>", b"<xml>***</xml>"),
    ],
)
async def test_soap_faults(client: httpx.AsyncClient, body: bytes) -> None:
    status, answer, _ = await _post(client, RECEPCION_PATH, body)
    assert status == 500
    fault = etree.fromstring(answer).find(f".//{{{soap.SOAP_ENV}}}Fault")
    assert fault is not None
    assert fault.findtext("faultcode") == "soap:Client"


@pytest.mark.parametrize("path", [RECEPCION_PATH, AUTORIZACION_PATH])
async def test_wsdl(client: httpx.AsyncClient, path: str) -> None:
    response = await client.get(path + "?wsdl")
    assert response.status_code == 200
    definitions = etree.fromstring(response.content)
    expected = soap.RECEPCION_NS if path == RECEPCION_PATH else soap.AUTORIZACION_NS
    assert definitions.get("targetNamespace") == expected
    address = definitions.find(".//{http://schemas.xmlsoap.org/wsdl/soap/}address")
    assert address is not None
    assert address.get("location", "").endswith(path)


async def test_fault_modes(client: httpx.AsyncClient, service: SriService, signer: testkit.Identity) -> None:
    envelope = testkit.recepcion_envelope(_sign(signer, secuencial=12))
    service.faults = service.faults.updated({"mode": "http_503"})
    assert (await _post(client, RECEPCION_PATH, envelope))[0] == 503
    service.faults = service.faults.updated({"mode": "malformed"})
    status, body, _ = await _post(client, RECEPCION_PATH, envelope)
    assert status == 200
    with pytest.raises(etree.XMLSyntaxError):
        etree.fromstring(body)
    service.faults = service.faults.updated({"mode": "soap_fault"})
    assert (await _post(client, AUTORIZACION_PATH, testkit.autorizacion_envelope("1" * 49)))[0] == 500
    service.faults = service.faults.updated({"mode": "error_50"})
    _, body, _ = await _post(client, RECEPCION_PATH, envelope)
    answer = testkit.parse_recepcion(body)
    assert (answer.estado, answer.mensajes[0].identificador) == ("DEVUELTA", "50")
    service.faults = service.faults.updated({"mode": "none"})
    _, body, _ = await _post(client, RECEPCION_PATH, envelope)
    assert testkit.parse_recepcion(body).estado == "RECIBIDA"  # 50 stored nothing


def _wsdl_schema(document: bytes) -> etree.XMLSchema:
    schema = etree.fromstring(document).find(".//{http://www.w3.org/2001/XMLSchema}schema")
    assert schema is not None
    return etree.XMLSchema(schema)


def _operation(body: bytes) -> etree._Element:
    envelope = etree.fromstring(body)
    return envelope[0][0]  # soap:Envelope/soap:Body/ns2:...Response


def test_responses_match_the_published_wsdl(service: SriService, clock: Clock, signer: testkit.Identity) -> None:
    """What the simulator sends is what its own WSDL describes (unqualified children, §12.2)."""
    recepcion = _wsdl_schema(wsdl.recepcion_wsdl("http://sri.test/x"))
    assert recepcion.validate(_operation(soap.recepcion_response("RECIBIDA")))
    devuelta = soap.recepcion_response("DEVUELTA", "1" * 49, [error("43", "detalle"), error("45")])
    assert recepcion.validate(_operation(devuelta)), recepcion.error_log

    autorizacion = _wsdl_schema(wsdl.autorizacion_wsdl("http://sri.test/x"))
    xml = _sign(signer, secuencial=20)
    service.receive(xml)
    clave = testkit.clave_of(xml)
    assert autorizacion.validate(_operation(soap.autorizacion_response(clave, [])))
    clock.now += 1
    answer = soap.autorizacion_response(clave, service.authorize(clave).autorizaciones)
    assert autorizacion.validate(_operation(answer)), autorizacion.error_log
