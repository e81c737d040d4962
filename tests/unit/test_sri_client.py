"""The SRI client's handling of the answers the real service gives, including the broken ones."""

import base64

import httpx
import pytest
from lxml import etree

from adapters.ecuador.sri_client import SriClient
from domain.errors import AuthorityUnavailable

CLAVE = "0503201201176001321000110010030009900641234567814"
ENVELOPE = ('<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>{}</soap:Body>'
            "</soap:Envelope>")


def reception(inner: str) -> str:
    return ENVELOPE.format('<ns2:validarComprobanteResponse xmlns:ns2="http://ec.gob.sri.ws.recepcion">'
                           f"<RespuestaRecepcionComprobante>{inner}</RespuestaRecepcionComprobante>"
                           "</ns2:validarComprobanteResponse>")


def authorization(inner: str) -> str:
    return ENVELOPE.format('<ns2:autorizacionComprobanteResponse xmlns:ns2="http://ec.gob.sri.ws.autorizacion">'
                           f"<RespuestaAutorizacionComprobante>{inner}</RespuestaAutorizacionComprobante>"
                           "</ns2:autorizacionComprobanteResponse>")


def client_answering(status: int, body: str, seen: list[httpx.Request] | None = None) -> SriClient:
    def handler(request: httpx.Request) -> httpx.Response:
        if seen is not None:
            seen.append(request)
        return httpx.Response(status, content=body.encode())

    return SriClient(httpx.AsyncClient(transport=httpx.MockTransport(handler)), "https://sri.test/ws")


async def test_submit_sends_the_real_envelope_and_reads_recibida() -> None:
    seen: list[httpx.Request] = []
    client = client_answering(200, reception("<estado>RECIBIDA</estado><comprobantes/>"), seen)
    answer = await client.submit(b"<factura/>")
    assert answer.state == "RECIBIDA"
    request = seen[0]
    assert str(request.url) == "https://sri.test/ws/RecepcionComprobantesOffline"
    assert request.headers["SOAPAction"] == '""'
    body = etree.fromstring(request.content)
    operation = body.find(".//{http://ec.gob.sri.ws.recepcion}validarComprobante")
    assert operation is not None
    assert base64.b64decode(operation.findtext("xml") or "") == b"<factura/>"  # unqualified child


async def test_devuelta_messages_are_read_with_their_codes() -> None:
    client = client_answering(200, reception(
        "<estado>DEVUELTA</estado><comprobantes><comprobante><claveAcceso>" + CLAVE + "</claveAcceso><mensajes>"
        "<mensaje><identificador>43</identificador><mensaje>CLAVE ACCESO REGISTRADA</mensaje>"
        "<informacionAdicional>ya existe</informacionAdicional><tipo>ERROR</tipo></mensaje>"
        "</mensajes></comprobante></comprobantes>"))
    answer = await client.submit(b"<factura/>")
    assert answer.state == "DEVUELTA"
    assert [(m.identifier, m.message, m.additional_info) for m in answer.messages] == [
        ("43", "CLAVE ACCESO REGISTRADA", "ya existe")]


async def test_zero_comprobantes_means_pending() -> None:
    client = client_answering(200, authorization(
        f"<claveAccesoConsultada>{CLAVE}</claveAccesoConsultada><numeroComprobantes>0</numeroComprobantes>"
        "<autorizaciones/>"))
    assert (await client.authorization(CLAVE)).state == "PENDING"


async def test_an_authorized_entry_wins_over_earlier_refusals() -> None:
    client = client_answering(200, authorization(
        f"<claveAccesoConsultada>{CLAVE}</claveAccesoConsultada><numeroComprobantes>2</numeroComprobantes>"
        "<autorizaciones>"
        "<autorizacion><estado>NO AUTORIZADO</estado><fechaAutorizacion>2026-11-20T10:00:00-05:00"
        "</fechaAutorizacion><ambiente>PRUEBAS</ambiente><comprobante><![CDATA[<factura/>]]></comprobante>"
        "<mensajes><mensaje><identificador>39</identificador><mensaje>FIRMA INVALIDA</mensaje>"
        "<tipo>ERROR</tipo></mensaje></mensajes></autorizacion>"
        f"<autorizacion><estado>AUTORIZADO</estado><numeroAutorizacion>{CLAVE}</numeroAutorizacion>"
        "<fechaAutorizacion>2026-11-20T10:05:00.123-05:00</fechaAutorizacion><ambiente>PRUEBAS</ambiente>"
        '<comprobante><![CDATA[<?xml version="1.0" encoding="UTF-8"?><factura id="comprobante"/>]]></comprobante>'
        "<mensajes/></autorizacion></autorizaciones>"))
    answer = await client.authorization(CLAVE)
    assert answer.state == "AUTORIZADO"
    assert answer.number == CLAVE
    assert answer.authorized_at is not None and answer.authorized_at.utcoffset() is not None
    assert answer.document is not None and answer.document.endswith(b'<factura id="comprobante"/>')
    # The stored artefact keeps the comprobante in CDATA, as the SRI sends it.
    assert answer.authorization_xml is not None and b"<![CDATA[" in answer.authorization_xml


@pytest.mark.parametrize(("status", "body"), [
    (503, "Service Unavailable"),
    (200, "<soap:Envelope><soap:Body><ns2:valid"),  # truncated answer
    (500, ENVELOPE.format('<soap:Fault xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">'
                          "<faultcode>soap:Server</faultcode><faultstring>boom</faultstring></soap:Fault>")),
    (200, ENVELOPE.format("<unexpected/>")),
])
async def test_broken_answers_are_retryable_unavailability(status: int, body: str) -> None:
    with pytest.raises(AuthorityUnavailable):
        await client_answering(status, body).submit(b"<factura/>")


async def test_refused_connection_is_retryable_unavailability() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    client = SriClient(httpx.AsyncClient(transport=httpx.MockTransport(refuse)), "https://sri.test/ws/")
    with pytest.raises(AuthorityUnavailable, match="unreachable"):
        await client.authorization(CLAVE)
