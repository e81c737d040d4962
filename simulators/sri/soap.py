"""SOAP 1.1 envelopes exactly as the SRI web services speak them (reference §12).

Requests: document/literal, only the operation wrapper is namespaced (``elementFormDefault
="unqualified"``). Responses: ``soap:`` envelope prefix and ``ns2:`` operation prefix, as
the SRI's JAX-WS stack writes them (§12.4), so clients that (wrongly but commonly) match on
prefixes behave as they will in production. Responses are rendered from string templates:
they are tiny and this is the hot path of every benchmark.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from xml.sax.saxutils import escape

from simulators.common import soap as common
from simulators.sri.messages import Mensaje

SOAP_ENV = common.SOAP11_ENV
RECEPCION_NS = "http://ec.gob.sri.ws.recepcion"
AUTORIZACION_NS = "http://ec.gob.sri.ws.autorizacion"
CONTENT_TYPE = common.TEXT_XML

_ENVELOPE = common.Soap11Envelope("soap")
_HEAD = _ENVELOPE.head
_TAIL = _ENVELOPE.tail


class SoapRequestError(common.SoapRequestError):
    """The request cannot be processed as a SOAP call: answered with a SOAP Fault."""

    default_code = "soap:Client"


@dataclass(frozen=True, slots=True)
class Operation(common.Operation):
    def argument(self, name: str) -> str | None:
        """Text of an unqualified child (``<xml>``, ``<claveAccesoComprobante>``)."""
        child = self.element.find(name)
        return None if child is None else (child.text or "")


def parse_request(body: bytes) -> Operation:
    return Operation.of(common.soap11_operation(body, SoapRequestError))


def _mensajes(mensajes: Sequence[Mensaje]) -> str:
    parts = ["<mensajes>"]
    for m in mensajes:
        parts.append(
            f"<mensaje><identificador>{escape(m.identificador)}</identificador><mensaje>{escape(m.mensaje)}</mensaje>"
        )
        if m.informacion_adicional:
            parts.append(f"<informacionAdicional>{escape(m.informacion_adicional)}</informacionAdicional>")
        parts.append(f"<tipo>{escape(m.tipo)}</tipo></mensaje>")
    parts.append("</mensajes>")
    return "".join(parts)


def recepcion_response(estado: str, clave: str = "", mensajes: Sequence[Mensaje] = ()) -> bytes:
    """``validarComprobanteResponse``: RECIBIDA with empty comprobantes, or DEVUELTA (§12.4)."""
    if mensajes:
        comprobantes = (
            f"<comprobantes><comprobante><claveAcceso>{escape(clave)}</claveAcceso>"
            f"{_mensajes(mensajes)}</comprobante></comprobantes>"
        )
    else:
        comprobantes = "<comprobantes/>"
    return (
        f'{_HEAD}<ns2:validarComprobanteResponse xmlns:ns2="{RECEPCION_NS}">'
        f"<RespuestaRecepcionComprobante><estado>{escape(estado)}</estado>{comprobantes}"
        f"</RespuestaRecepcionComprobante></ns2:validarComprobanteResponse>{_TAIL}"
    ).encode()


@dataclass(frozen=True, slots=True)
class Autorizacion:
    """One ``<autorizacion>`` entry of an Autorización answer."""

    estado: str
    numero_autorizacion: str | None
    fecha_autorizacion: datetime | None
    ambiente: str | None
    comprobante: str | None
    mensajes: tuple[Mensaje, ...] = ()


def format_fecha_autorizacion(moment: datetime) -> str:
    """``2012-03-05T16:57:34.997-05:00``: offset always, milliseconds as the SRI sends them."""
    return moment.isoformat(timespec="milliseconds")


def cdata(text: str) -> str:
    # "]]>" cannot appear inside a CDATA section: split it across two sections.
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def _autorizacion(item: Autorizacion) -> str:
    parts = [f"<autorizacion><estado>{escape(item.estado)}</estado>"]
    if item.numero_autorizacion:
        parts.append(f"<numeroAutorizacion>{escape(item.numero_autorizacion)}</numeroAutorizacion>")
    if item.fecha_autorizacion:
        parts.append(f"<fechaAutorizacion>{format_fecha_autorizacion(item.fecha_autorizacion)}</fechaAutorizacion>")
    if item.ambiente:
        parts.append(f"<ambiente>{escape(item.ambiente)}</ambiente>")
    if item.comprobante is not None:
        parts.append(f"<comprobante>{cdata(item.comprobante)}</comprobante>")
    parts.append(_mensajes(item.mensajes) if item.mensajes else "<mensajes/>")
    parts.append("</autorizacion>")
    return "".join(parts)


def autorizacion_response(
    clave: str | None, autorizaciones: Sequence[Autorizacion], *, with_header: bool = True
) -> bytes:
    """``autorizacionComprobanteResponse`` (§12.4, §12.5).

    With no entries this is the "still processing / never received" shape: numeroComprobantes
    0 and an empty ``<autorizaciones/>``. ``with_header=False`` drops claveAccesoConsultada and
    numeroComprobantes, as the SRI does when it rejects the queried clave itself (80).
    """
    header = ""
    if with_header:
        header = (
            f"<claveAccesoConsultada>{escape(clave or '')}</claveAccesoConsultada>"
            f"<numeroComprobantes>{len(autorizaciones)}</numeroComprobantes>"
        )
    body = "".join(_autorizacion(a) for a in autorizaciones)
    autorizaciones_xml = f"<autorizaciones>{body}</autorizaciones>" if body else "<autorizaciones/>"
    return (
        f'{_HEAD}<ns2:autorizacionComprobanteResponse xmlns:ns2="{AUTORIZACION_NS}">'
        f"<RespuestaAutorizacionComprobante>{header}{autorizaciones_xml}</RespuestaAutorizacionComprobante>"
        f"</ns2:autorizacionComprobanteResponse>{_TAIL}"
    ).encode()


def fault(message: str, code: str = "soap:Server") -> bytes:
    return _ENVELOPE.fault(message, code)
