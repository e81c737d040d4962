"""Client for the DIAN web services (WcfDianCustomerServices): SOAP 1.2 + WS-Security over httpx.

Raw envelopes, no runtime WSDL download (which fails exactly when DIAN is down). Transport errors,
HTTP 5xx, SOAP faults and answers that are not a DianResponse raise ``AuthorityUnavailable``: the
caller retries, then resolves the outcome with GetStatus(CUFE) before any resend (reference §7, §10.1).
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Final

import httpx
import structlog
from lxml import etree

from adapters.certificates.pkcs12 import SigningIdentity
from adapters.colombia.dian_answer import DIAN_RESPONSE_NS, DianAnswer, read_dian_response
from adapters.colombia.wssecurity import ACTION_BASE, SOAP, WCF, soap_request
from domain.errors import AuthorityUnavailable

_log = structlog.get_logger(__name__)

# Reference §6.1.
DIAN_URLS: Final = {
    "2": "https://vpfe-hab.dian.gov.co/WcfDianCustomerServices.svc",  # habilitación
    "1": "https://vpfe.dian.gov.co/WcfDianCustomerServices.svc",  # producción
}
UPLOAD_NS = "http://schemas.datacontract.org/2004/07/UploadDocumentResponse"


class DianClient:
    def __init__(
        self,
        http: httpx.AsyncClient,
        url: str,
        identity: SigningIdentity,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._http = http
        self._url = url
        self._identity = identity
        self._clock = clock

    async def send_bill_sync(self, file_name: str, zip_bytes: bytes) -> DianAnswer:
        """Send one document (a ZIP holding exactly one XML) and get DIAN's verdict at once."""
        result = await self._call("SendBillSync", [("fileName", file_name), ("contentFile", _b64(zip_bytes))])
        return read_dian_response(result)

    async def send_test_set_async(self, file_name: str, zip_bytes: bytes, test_set_id: str) -> str:
        """Habilitación: send a test-set document; returns the ZipKey to poll with GetStatusZip."""
        result = await self._call(
            "SendTestSetAsync",
            [("fileName", file_name), ("contentFile", _b64(zip_bytes)), ("testSetId", test_set_id)],
        )
        zip_key = result.findtext(f"{{{UPLOAD_NS}}}ZipKey")
        if not zip_key:
            problems = [" ".join((m.text or "").split()) for m in result.iter() if etree.QName(m).localname
                        == "ProcessedMessage"]
            raise AuthorityUnavailable(f"DIAN did not accept the test set: {'; '.join(problems) or 'no ZipKey'}")
        return zip_key.strip()

    async def get_status_zip(self, track_id: str) -> DianAnswer:
        """The first DianResponse of a batch (one document per ZIP here); empty code while in process."""
        result = await self._call("GetStatusZip", [("trackId", track_id)])
        responses = result.findall(f"{{{DIAN_RESPONSE_NS}}}DianResponse")
        if not responses:
            raise AuthorityUnavailable("GetStatusZip answered without any DianResponse")
        return read_dian_response(responses[0])

    async def get_status(self, uuid: str) -> DianAnswer:
        """Status by CUFE/CUDE: 00 with the ApplicationResponse once accepted (reference §7)."""
        return read_dian_response(await self._call("GetStatus", [("trackId", uuid)]))

    async def _call(self, operation: str, arguments: list[tuple[str, str]]) -> etree._Element:
        body = soap_request(operation, arguments, url=self._url, identity=self._identity, now=self._clock())
        headers = {"Content-Type": f'application/soap+xml; charset=utf-8; action="{ACTION_BASE}{operation}"'}
        try:
            response = await self._http.post(self._url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            raise AuthorityUnavailable(f"DIAN unreachable: {type(exc).__name__}: {exc}") from exc
        root = _parse(response)
        fault = root.find(f".//{{{SOAP}}}Fault")
        if fault is not None:
            reason = " ".join(" ".join(str(text) for text in fault.itertext()).split())
            raise AuthorityUnavailable(f"DIAN SOAP fault (HTTP {response.status_code}): {reason or 'no reason'}")
        if response.status_code >= 400:
            raise AuthorityUnavailable(f"DIAN answered HTTP {response.status_code}")
        result = root.find(f"{{{SOAP}}}Body/{{{WCF}}}{operation}Response/{{{WCF}}}{operation}Result")
        if result is None:
            raise AuthorityUnavailable(f"DIAN answer without {operation}Result")
        _log.debug("dian.answer", operation=operation, status=response.status_code)
        return result


def _parse(response: httpx.Response) -> etree._Element:
    if response.status_code >= 500 and b"Envelope" not in response.content:
        raise AuthorityUnavailable(f"DIAN answered HTTP {response.status_code}")
    try:
        return etree.fromstring(response.content, etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError as exc:
        raise AuthorityUnavailable(f"DIAN answered something that is not XML (HTTP {response.status_code}): "
                                   f"{exc}") from exc


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
