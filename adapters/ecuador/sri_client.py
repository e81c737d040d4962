"""Client for the SRI offline web services (RecepcionComprobantesOffline, AutorizacionComprobantesOffline).

Raw SOAP 1.1 envelopes over one shared httpx.AsyncClient: no runtime WSDL download, which fails
exactly when the SRI is down (reference §12.2). Only the operation wrapper is namespaced; children are
unqualified (elementFormDefault="unqualified").
"""

import base64
from dataclasses import dataclass, field
from datetime import datetime

import httpx
from lxml import etree

from domain.errors import AuthorityUnavailable
from domain.invoice import AuthorityMessage

SOAP_NS = "http://schemas.xmlsoap.org/soap/envelope/"
RECEPTION_NS = "http://ec.gob.sri.ws.recepcion"
AUTHORIZATION_NS = "http://ec.gob.sri.ws.autorizacion"
RECEPTION_PATH = "RecepcionComprobantesOffline"
AUTHORIZATION_PATH = "AutorizacionComprobantesOffline"
SRI_URLS = {
    "pruebas": "https://celcer.sri.gob.ec/comprobantes-electronicos-ws/",
    "produccion": "https://cel.sri.gob.ec/comprobantes-electronicos-ws/",
}


@dataclass(frozen=True)
class ReceptionAnswer:
    state: str  # RECIBIDA | DEVUELTA
    messages: list[AuthorityMessage] = field(default_factory=list)


@dataclass(frozen=True)
class AuthorizationAnswer:
    state: str  # AUTORIZADO | NO AUTORIZADO | EN PROCESO | PENDING (no result yet)
    number: str | None = None
    authorized_at: datetime | None = None
    environment: str | None = None
    document: bytes | None = None  # the comprobante as the SRI holds it (CDATA)
    authorization_xml: bytes | None = None  # the whole <autorizacion> element: the legal artefact
    messages: list[AuthorityMessage] = field(default_factory=list)


def _envelope(namespace: str, operation: str, child: str, value: str) -> bytes:
    return (
        f'<soapenv:Envelope xmlns:soapenv="{SOAP_NS}" xmlns:ec="{namespace}"><soapenv:Header/>'
        f"<soapenv:Body><ec:{operation}><{child}>{value}</{child}></ec:{operation}></soapenv:Body>"
        "</soapenv:Envelope>"
    ).encode()


class SriClient:
    def __init__(self, http: httpx.AsyncClient, base_url: str) -> None:
        self._http = http
        self._base = base_url if base_url.endswith("/") else base_url + "/"

    async def submit(self, signed_xml: bytes) -> ReceptionAnswer:
        body = _envelope(RECEPTION_NS, "validarComprobante", "xml", base64.b64encode(signed_xml).decode())
        root = await self._call(RECEPTION_PATH, body)
        answer = root.find(".//RespuestaRecepcionComprobante")
        if answer is None:
            raise AuthorityUnavailable("SRI reception answer without RespuestaRecepcionComprobante")
        return ReceptionAnswer(state=_text(answer, "estado"), messages=_messages(answer))

    async def authorization(self, access_key: str) -> AuthorizationAnswer:
        body = _envelope(AUTHORIZATION_NS, "autorizacionComprobante", "claveAccesoComprobante", access_key)
        root = await self._call(AUTHORIZATION_PATH, body)
        answer = root.find(".//RespuestaAutorizacionComprobante")
        if answer is None:
            raise AuthorityUnavailable("SRI authorization answer without RespuestaAutorizacionComprobante")
        entries = answer.findall("autorizaciones/autorizacion")
        if not entries:
            # "Processing" and "never received" look the same: zero comprobantes (reference §12.5).
            return AuthorizationAnswer(state="PENDING")
        # Several entries (earlier attempts): an AUTORIZADO one wins (reference §12.5, as OCA does).
        chosen = next((e for e in entries if _text(e, "estado") == "AUTORIZADO"), entries[-1])
        return _authorization(chosen)

    async def _call(self, path: str, body: bytes) -> etree._Element:
        try:
            response = await self._http.post(
                self._base + path, content=body,
                headers={"Content-Type": "text/xml; charset=utf-8", "SOAPAction": '""'},
            )
        except httpx.HTTPError as exc:
            raise AuthorityUnavailable(f"SRI unreachable: {type(exc).__name__}: {exc}") from exc
        if response.status_code >= 500 and b"Fault" not in response.content:
            raise AuthorityUnavailable(f"SRI answered HTTP {response.status_code}")
        try:
            root = etree.fromstring(response.content, etree.XMLParser(resolve_entities=False, no_network=True))
        except etree.XMLSyntaxError as exc:
            raise AuthorityUnavailable(f"SRI answered something that is not XML: {exc}") from exc
        fault = root.find(f".//{{{SOAP_NS}}}Fault")
        if fault is not None:
            raise AuthorityUnavailable(f"SRI SOAP fault: {fault.findtext('faultstring') or 'no text'}")
        return root


def _authorization(entry: etree._Element) -> AuthorizationAnswer:
    date_text = entry.findtext("fechaAutorizacion")
    document = entry.findtext("comprobante")
    return AuthorizationAnswer(
        state=_text(entry, "estado"),
        number=entry.findtext("numeroAutorizacion"),
        authorized_at=datetime.fromisoformat(date_text) if date_text else None,
        environment=entry.findtext("ambiente"),
        document=document.encode("utf-8") if document else None,
        authorization_xml=_standalone(entry),
        messages=_messages(entry),
    )


def _standalone(entry: etree._Element) -> bytes:
    """The <autorizacion> element as its own document, the comprobante kept in CDATA as the SRI sends it."""
    copy = etree.Element("autorizacion")
    for child in entry:
        clone = etree.SubElement(copy, child.tag)
        if child.tag == "comprobante":
            clone.text = etree.CDATA(child.text or "")
        elif child.tag == "mensajes":
            clone.extend(etree.fromstring(etree.tostring(child)))
        else:
            clone.text = child.text
    return etree.tostring(copy, xml_declaration=True, encoding="UTF-8")


def _text(parent: etree._Element, tag: str) -> str:
    return (parent.findtext(tag) or "").strip()


def _messages(parent: etree._Element) -> list[AuthorityMessage]:
    return [
        AuthorityMessage(
            identifier=_text(m, "identificador"), message=_text(m, "mensaje"),
            additional_info=m.findtext("informacionAdicional"), kind=_text(m, "tipo") or "ERROR",
        )
        for m in parent.iter("mensaje")
        if m.find("identificador") is not None
    ]
