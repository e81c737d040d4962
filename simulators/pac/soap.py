"""SOAP 1.1 envelopes of the Finkok-style stamp and cancel services (reference §12.3).

Requests are the ones :class:`adapters.mexico.pac_client.SoapPacClient` sends: an operation element in
the service namespace whose children (``xml``, ``username``…) are qualified in the same namespace.
Children are matched by local name, as lenient SOAP stacks do. Answers are rendered from string
templates with every value escaped; result fields live in the ``apps.services.soap.core.views``
namespace as Finkok's stack writes them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

from lxml import etree

from adapters.mexico.pac_client import CANCEL_NS, RESULT_NS, STAMP_NS
from simulators.common import soap as common

__all__ = ["CANCEL_NS", "CONTENT_TYPE", "STAMP_NS", "Operation", "SoapRequestError", "parse_request"]

CONTENT_TYPE = common.TEXT_XML
_ENVELOPE = common.Soap11Envelope("senv")
_HEAD = _ENVELOPE.head
_TAIL = _ENVELOPE.tail


class SoapRequestError(common.SoapRequestError):
    """The request is not a SOAP call we understand: answered with a SOAP Fault."""

    default_code = "senv:Client"


@dataclass(frozen=True, slots=True)
class Operation(common.Operation):
    def argument(self, name: str) -> str | None:
        for child in self.element:
            if isinstance(child.tag, str) and etree.QName(child).localname == name:
                return child.text or ""
        return None

    def folios(self) -> list[dict[str, str]]:
        """``UUIDS/UUID`` entries of a cancel call, as attribute dictionaries."""
        return [
            {str(k): str(v) for k, v in node.attrib.items()}
            for node in self.element.iter()
            if isinstance(node.tag, str) and etree.QName(node).localname == "UUID" and node.get("UUID")
        ]


def parse_request(body: bytes) -> Operation:
    # A missing Body is reported as an empty one, as the PAC's stack does.
    element = common.soap11_operation(body, SoapRequestError, without_body="SOAP Body without an operation element")
    return Operation.of(element)


@dataclass(frozen=True, slots=True)
class IncidenceOut:
    code: str
    message: str
    extra: str = ""
    uuid: str = ""


@dataclass(frozen=True, slots=True)
class StampResult:
    xml: str = ""
    uuid: str = ""
    fecha: str = ""
    status: str = ""
    sat_seal: str = ""
    no_certificado_sat: str = ""
    incidences: Sequence[IncidenceOut] = ()


def _field(tag: str, value: str) -> str:
    return f"<s0:{tag}>{escape(value)}</s0:{tag}>" if value else f"<s0:{tag}/>"


def stamp_response(operation: str, result: StampResult, *, no_certificado_pac: str, fecha_registro: str) -> bytes:
    incidences = "".join(
        "<s0:Incidencia>"
        + _field("IdIncidencia", str(index + 1)) + _field("Uuid", i.uuid) + _field("CodigoError", i.code)
        + _field("WorkProcessId", "") + _field("MensajeIncidencia", i.message) + _field("ExtraInfo", i.extra)
        + _field("NoCertificadoPac", no_certificado_pac) + _field("FechaRegistro", fecha_registro)
        + "</s0:Incidencia>"
        for index, i in enumerate(result.incidences)
    )
    return (
        f'{_HEAD}<tns:{operation}Response xmlns:tns="{STAMP_NS}" xmlns:s0="{RESULT_NS}"><tns:{operation}Result>'
        + _field("xml", result.xml) + _field("UUID", result.uuid) + _field("Fecha", result.fecha)
        + _field("CodEstatus", result.status) + _field("SatSeal", result.sat_seal)
        + _field("NoCertificadoSAT", result.no_certificado_sat)
        + (f"<s0:Incidencias>{incidences}</s0:Incidencias>" if incidences else "<s0:Incidencias/>")
        + f"</tns:{operation}Result></tns:{operation}Response>{_TAIL}"
    ).encode()


@dataclass(frozen=True, slots=True)
class FolioOut:
    uuid: str
    code: str  # EstatusUUID
    state: str  # EstatusCancelacion in the SAT's words
    message: str = ""


def cancel_response(folios: Sequence[FolioOut], *, acuse: str, fecha: str, rfc: str, status: str) -> bytes:
    body = "".join(
        "<s0:Folio>" + _field("EstatusUUID", f.code) + _field("EstatusCancelacion", f.state)
        + _field("MensajeUUID", f.message) + _field("UUID", f.uuid) + "</s0:Folio>"
        for f in folios
    )
    return (
        f'{_HEAD}<tns:cancelResponse xmlns:tns="{CANCEL_NS}" xmlns:s0="{RESULT_NS}"><tns:cancelResult>'
        + (f"<s0:Folios>{body}</s0:Folios>" if body else "")
        + _field("Acuse", acuse) + _field("Fecha", fecha) + _field("RfcEmisor", rfc) + _field("CodEstatus", status)
        + f"</tns:cancelResult></tns:cancelResponse>{_TAIL}"
    ).encode()


def status_response(*, code: str, estado: str, cancelable: str, cancel_state: str) -> bytes:
    return (
        f'{_HEAD}<tns:get_sat_statusResponse xmlns:tns="{CANCEL_NS}" xmlns:s0="{RESULT_NS}">'
        "<tns:get_sat_statusResult><s0:sat>"
        + _field("CodigoEstatus", code) + _field("Estado", estado) + _field("EsCancelable", cancelable)
        + _field("EstatusCancelacion", cancel_state) + _field("ValidacionEFOS", "200")
        + f"</s0:sat></tns:get_sat_statusResult></tns:get_sat_statusResponse>{_TAIL}"
    ).encode()


def credentials_error(operation: str, namespace: str) -> bytes:
    """Finkok answers a bad user inside a normal result, with code 300."""
    if namespace == STAMP_NS:
        refused = StampResult(incidences=[IncidenceOut("300", "Usuario o contraseña inválidos")])
        return stamp_response(operation, refused, no_certificado_pac="", fecha_registro="")
    return (
        f'{_HEAD}<tns:{operation}Response xmlns:tns="{CANCEL_NS}" xmlns:s0="{RESULT_NS}"><tns:{operation}Result>'
        + _field("CodEstatus", "300 - Usuario o contraseña inválidos")
        + f"</tns:{operation}Result></tns:{operation}Response>{_TAIL}"
    ).encode()


def fault(message: str, code: str = "senv:Server") -> bytes:
    return _ENVELOPE.fault(message, code)
