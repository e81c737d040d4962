"""SOAP PAC client in the style of Finkok (reference §12.2, §12.3), the most common SOAP stamp API.

Wire format (SOAP 1.1, raw envelopes over one shared httpx.AsyncClient, no WSDL download at run time):

* ``{url}stamp``: ``stamp(xml=base64 of the sealed CFDI with its XML declaration, username, password)``
  and ``stamped(xml | uuid | sha256, username, password)``; the answer is ``stampResult`` with ``xml`` (the
  stamped CFDI as text), ``UUID``, ``Fecha``, ``CodEstatus``, ``NoCertificadoSAT`` and
  ``Incidencias/Incidencia{CodigoError, MensajeIncidencia, ExtraInfo}``.
* ``{url}cancel``: ``cancel(UUIDS/UUID[@UUID, @Motivo, @FolioSustitucion], username, password,
  taxpayer_id, rtaxpayer_id, total)`` answering ``Folios/Folio{UUID, EstatusUUID, EstatusCancelacion}`` and
  the ``Acuse``; ``get_sat_status(uuid, …)`` answering the SAT status fields of reference §8.3.

Unlike real Finkok, ``cancel`` does not carry the CSD: the PAC account is trusted to sign the SAT request
(the simulator does not check an XMLDSig Cancelacion yet).
"""

from __future__ import annotations

import base64
import hashlib
import re
from datetime import datetime
from xml.sax.saxutils import escape

import httpx
import structlog
from lxml import etree

from adapters.mexico.pac import (
    ALREADY_STAMPED,
    INVALID_USER,
    NOT_FOUND,
    UNAVAILABLE_CODES,
    CancelAnswer,
    CancelState,
    Incidence,
    PacConfigurationError,
    PacUnavailable,
    StampAnswer,
    StampStatus,
)
from adapters.mexico.sealing import FECHA_FORMAT, parse_cfdi

log = structlog.get_logger(__name__)

SOAP_NS = "http://schemas.xmlsoap.org/soap/envelope/"
STAMP_NS = "http://facturacion.finkok.com/stamp"
CANCEL_NS = "http://facturacion.finkok.com/cancel"
RESULT_NS = "apps.services.soap.core.views"
UUID_PATTERN = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
SHA256_PATTERN = re.compile(r"^[0-9a-f]{64}$")
# EstatusCancelacion as the SAT words it (reference §8.3) → our states.
SAT_CANCEL_STATES: dict[str, CancelState] = {
    "En proceso": "EnProceso",
    "Plazo vencido": "PlazoVencido",
    "Cancelado con aceptación": "Cancelado",
    "Cancelado sin aceptación": "CanceladoSinAceptacion",
    "Solicitud rechazada": "Rechazado",
}
_PARSER = etree.XMLParser(no_network=True, resolve_entities=False, huge_tree=True)


def _r(tag: str) -> str:
    return f"{{{RESULT_NS}}}{tag}"


class SoapPacClient:
    """One PAC account. ``url`` is the service base, e.g. ``https://demo-facturacion.finkok.com/servicios/soap/``."""

    def __init__(self, http: httpx.AsyncClient, url: str, username: str, password: str, *, name: str = "") -> None:
        self._http = http
        self._base = url if url.endswith("/") else url + "/"
        self._username = username
        self._password = password
        self.name = name or self._base

    async def stamp(self, xml: bytes) -> StampAnswer:
        """Stamp a sealed CFDI. 307 comes back as ``already_stamped`` with the original stamped XML,
        recovered with ``stamped`` when the PAC's 307 does not include it."""
        sello = parse_cfdi(xml).get("Sello", "")
        body = self._envelope(STAMP_NS, "stamp", [("xml", base64.b64encode(xml).decode("ascii"))])
        answer = self._stamp_answer(await self._call("stamp", "stamp", body), "stampResult", sello)
        if answer.status == "already_stamped" and answer.xml is None:
            recovered = await self.stamped(xml)
            if recovered is not None:
                return recovered
        log.info("pac.stamp", pac=self.name, status=answer.status, uuid=answer.uuid, codes=answer.codes)
        return answer

    async def stamped(self, key: str | bytes) -> StampAnswer | None:
        """Did this PAC stamp the document? ``key``: the sealed XML, its UUID or the SHA-256 hex of the
        sealed XML. None means the PAC holds no stamp for it, the precondition for failing over."""
        sello = ""
        if isinstance(key, bytes):
            sello = parse_cfdi(key).get("Sello", "")
            argument = ("xml", base64.b64encode(key).decode("ascii"))
        elif UUID_PATTERN.match(key):
            argument = ("uuid", key.upper())
        elif SHA256_PATTERN.match(key):
            argument = ("sha256", key)
        else:
            raise ValueError("stamped() takes the sealed XML, a UUID or a SHA-256 hex digest")
        body = self._envelope(STAMP_NS, "stamped", [argument])
        answer = self._stamp_answer(await self._call("stamp", "stamped", body), "stampedResult", sello)
        if answer.status == "rejected" and NOT_FOUND in answer.codes:
            return None
        if answer.status != "rejected":
            return StampAnswer("already_stamped", answer.xml, answer.uuid, answer.stamped_at,
                               answer.no_certificado_sat, answer.pac, answer.incidences)
        return answer

    async def cancel(
        self, uuid: str, *, rfc_emisor: str, rfc_receptor: str, total: str, motive: str,
        substitute_uuid: str | None = None,
    ) -> CancelAnswer:
        folio = f'<can:UUID UUID="{escape(uuid.upper())}" Motivo="{escape(motive)}"'
        if substitute_uuid:
            folio += f' FolioSustitucion="{escape(substitute_uuid.upper())}"'
        body = self._envelope(CANCEL_NS, "cancel", [
            ("taxpayer_id", rfc_emisor), ("rtaxpayer_id", rfc_receptor), ("total", total),
        ], raw=f"<can:UUIDS>{folio}/></can:UUIDS>")
        result = _result(await self._call("cancel", "cancel", body), CANCEL_NS, "cancelResult")
        _raise_for_credentials(result)
        acuse = result.findtext(_r("Acuse"))
        folio_node = result.find(f"{_r('Folios')}/{_r('Folio')}")
        if folio_node is None:
            code = (result.findtext(_r("CodEstatus")) or "").strip()
            return CancelAnswer(uuid=uuid.upper(), state="Error", code=code.split(" ")[0], message=code)
        code = (folio_node.findtext(_r("EstatusUUID")) or "").strip()
        text = (folio_node.findtext(_r("EstatusCancelacion")) or "").strip()
        state: CancelState = "NoCancelable" if code == "no_cancelable" else SAT_CANCEL_STATES.get(text, "Error")
        answer = CancelAnswer(
            uuid=(folio_node.findtext(_r("UUID")) or uuid).upper(), state=state, code=code,
            message=(folio_node.findtext(_r("MensajeUUID")) or text).strip(),
            acuse=acuse.encode("utf-8") if acuse else None,
        )
        log.info("pac.cancel", pac=self.name, uuid=answer.uuid, state=answer.state, code=code, motive=motive)
        return answer

    async def cancellation_status(self, uuid: str) -> CancelAnswer:
        body = self._envelope(CANCEL_NS, "get_sat_status", [("uuid", uuid.upper())])
        result = _result(await self._call("cancel", "get_sat_status", body), CANCEL_NS, "get_sat_statusResult")
        _raise_for_credentials(result)
        sat = result.find(_r("sat"))
        if sat is None:
            raise PacUnavailable("PAC status answer without the sat element", not_stamped=False)
        estado = (sat.findtext(_r("Estado")) or "").strip()
        cancelable = (sat.findtext(_r("EsCancelable")) or "").strip()
        text = (sat.findtext(_r("EstatusCancelacion")) or "").strip()
        state: CancelState
        if estado == "No Encontrado":
            state = "Error"
        elif text:
            state = SAT_CANCEL_STATES.get(text, "Error")
        else:
            state = "NoCancelable" if cancelable == "No cancelable" else "Vigente"
        return CancelAnswer(uuid=uuid.upper(), state=state, code=(sat.findtext(_r("CodigoEstatus")) or "").strip(),
                            message=text or estado, sat_status=estado, cancelable=cancelable)

    # --- wire ------------------------------------------------------------------------------------
    def _envelope(self, namespace: str, operation: str, fields: list[tuple[str, str]], raw: str = "") -> bytes:
        prefix = "stamp" if namespace == STAMP_NS else "can"
        credentials = [("username", self._username), ("password", self._password)]
        children = "".join(f"<{prefix}:{tag}>{escape(value)}</{prefix}:{tag}>" for tag, value in fields + credentials)
        return (
            f'<soapenv:Envelope xmlns:soapenv="{SOAP_NS}" xmlns:{prefix}="{namespace}"><soapenv:Header/>'
            f"<soapenv:Body><{prefix}:{operation}>{raw}{children}</{prefix}:{operation}></soapenv:Body>"
            "</soapenv:Envelope>"
        ).encode()

    async def _call(self, service: str, action: str, body: bytes) -> etree._Element:
        try:
            response = await self._http.post(
                self._base + service, content=body,
                headers={"Content-Type": "text/xml; charset=utf-8", "SOAPAction": f'"{action}"'},
            )
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            # Nothing reached the PAC: failing over cannot create a second UUID.
            raise PacUnavailable(f"PAC {self.name} unreachable: {type(exc).__name__}: {exc}", not_stamped=True) from exc
        except httpx.HTTPError as exc:
            raise PacUnavailable(f"PAC {self.name} failed mid-call: {type(exc).__name__}: {exc}",
                                 not_stamped=False) from exc
        if response.status_code in (502, 503, 504) and b"Envelope" not in response.content:
            raise PacUnavailable(f"PAC {self.name} answered HTTP {response.status_code}", not_stamped=True)
        if response.status_code >= 500 and b"Fault" not in response.content:
            raise PacUnavailable(f"PAC {self.name} answered HTTP {response.status_code}", not_stamped=False)
        try:
            root = etree.fromstring(response.content, _PARSER)
        except etree.XMLSyntaxError as exc:
            raise PacUnavailable(f"PAC {self.name} answered something that is not XML: {exc}",
                                 not_stamped=False) from exc
        fault = root.find(f".//{{{SOAP_NS}}}Fault")
        if fault is not None:
            raise PacUnavailable(f"PAC {self.name} SOAP fault: {fault.findtext('faultstring') or 'no text'}",
                                 not_stamped=False)
        return root

    def _stamp_answer(self, root: etree._Element, result_tag: str, sent_sello: str) -> StampAnswer:
        result = _result(root, STAMP_NS, result_tag)
        incidences = tuple(
            Incidence(code=(node.findtext(_r("CodigoError")) or "").strip(),
                      message=(node.findtext(_r("MensajeIncidencia")) or "").strip(),
                      extra=(node.findtext(_r("ExtraInfo")) or "").strip() or None)
            for node in result.iterfind(f"{_r('Incidencias')}/{_r('Incidencia')}")
        )
        codes = {i.code for i in incidences}
        if INVALID_USER in codes:
            raise PacConfigurationError(f"PAC {self.name} refused the credentials (300)")
        if codes & UNAVAILABLE_CODES:
            raise PacUnavailable(f"PAC {self.name} is unavailable: {sorted(codes)}", not_stamped=True)
        text = result.findtext(_r("xml")) or ""
        stamped = text.encode("utf-8") if text.strip() else None
        # A stamp for another document would be worse than no answer (reference §13: verify the 307).
        if stamped is not None and sent_sello and _sello(stamped) != sent_sello:
            raise PacUnavailable(f"PAC {self.name} returned a different or unreadable document", not_stamped=False)
        uuid = (result.findtext(_r("UUID")) or "").strip().upper() or None
        fecha = (result.findtext(_r("Fecha")) or "").strip()
        status: StampStatus
        if ALREADY_STAMPED in codes:
            status = "already_stamped"
        elif stamped is not None and uuid and not incidences:
            status = "stamped"
        elif incidences:
            status = "rejected"
        else:
            raise PacUnavailable(f"PAC {self.name} answered neither a stamp nor an incidence", not_stamped=False)
        return StampAnswer(
            status=status, xml=stamped, uuid=uuid,
            stamped_at=datetime.strptime(fecha[:19], FECHA_FORMAT) if len(fecha) >= 19 else None,
            no_certificado_sat=(result.findtext(_r("NoCertificadoSAT")) or "").strip() or None,
            pac=self.name, incidences=incidences,
        )


def sealed_hash(xml: bytes) -> str:
    """The key ``stamped`` accepts besides the XML and the UUID: SHA-256 hex of the sealed bytes."""
    return hashlib.sha256(xml).hexdigest()


def _sello(xml: bytes) -> str | None:
    try:
        return parse_cfdi(xml).get("Sello")
    except (etree.XMLSyntaxError, ValueError):
        return None


def _result(root: etree._Element, namespace: str, tag: str) -> etree._Element:
    result = root.find(f".//{{{namespace}}}{tag}")
    if result is None:
        raise PacUnavailable(f"PAC answer without {tag}", not_stamped=False)
    return result


def _raise_for_credentials(result: etree._Element) -> None:
    status = (result.findtext(_r("CodEstatus")) or "").strip()
    codes = {(n.findtext(_r("CodigoError")) or "").strip() for n in result.iter(_r("Incidencia"))}
    if status.startswith(INVALID_USER) or INVALID_USER in codes:
        raise PacConfigurationError("the PAC refused the credentials (300)")
