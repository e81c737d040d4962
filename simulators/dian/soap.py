"""SOAP 1.2 envelopes of WcfDianCustomerServices: request parsing and the real answer shapes
(reference §6.1, §6.6; vectors ``colombia/responses/*.xml``).

Answers copy DIAN's WCF serialization: ``a:Action`` and a ``u:Timestamp`` in the header, the result
element in the default ``http://wcf.dian.colombia`` namespace, DianResponse fields with prefix ``b``
in their exact order, ``c:string`` error lines and ``i:nil`` for absent values.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from xml.sax.saxutils import escape

from lxml import etree

from simulators.common import soap as common

SOAP12 = "http://www.w3.org/2003/05/soap-envelope"
WCF = "http://wcf.dian.colombia"
ACTION_BASE = "http://wcf.dian.colombia/IWcfDianCustomerServices/"
CONTENT_TYPE = "application/soap+xml; charset=utf-8"
_DIAN_RESPONSE = "http://schemas.datacontract.org/2004/07/DianResponse"
_UPLOAD = "http://schemas.datacontract.org/2004/07/UploadDocumentResponse"
_TRACK = "http://schemas.datacontract.org/2004/07/XmlParamsResponseTrackId"
_ARRAYS = "http://schemas.microsoft.com/2003/10/Serialization/Arrays"
_XSI = "http://www.w3.org/2001/XMLSchema-instance"
_WSA = "http://www.w3.org/2005/08/addressing"
_WSU = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
_WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"


class SoapRequestError(common.SoapRequestError):
    """Not a request this service understands: answered with a SOAP fault (the sender's)."""

    default_code = "s:Sender"


@dataclass(frozen=True)
class Request:
    envelope: etree._Element
    operation: str
    arguments: dict[str, str]

    @property
    def action(self) -> str:
        return ACTION_BASE + self.operation


@dataclass
class DianResult:
    status_code: str
    is_valid: bool
    status_description: str
    status_message: str | None = None
    errors: list[str] = field(default_factory=list)
    application_response: bytes | None = None
    document_key: str | None = None
    file_name: str | None = None

    def to_json(self) -> dict[str, object]:
        return {"status_code": self.status_code, "is_valid": self.is_valid,
                "status_description": self.status_description, "status_message": self.status_message,
                "errors": self.errors, "document_key": self.document_key, "file_name": self.file_name}

    @classmethod
    def from_json(cls, data: dict[str, object], application_response: bytes | None) -> DianResult:
        errors = data.get("errors")
        return cls(status_code=str(data["status_code"]), is_valid=bool(data["is_valid"]),
                   status_description=str(data["status_description"]),
                   status_message=str(data["status_message"]) if data.get("status_message") else None,
                   errors=[str(e) for e in errors] if isinstance(errors, list) else [],
                   application_response=application_response,
                   document_key=str(data["document_key"]) if data.get("document_key") else None,
                   file_name=str(data["file_name"]) if data.get("file_name") else None)


@dataclass(frozen=True)
class UploadResult:
    zip_key: str | None
    errors: list[tuple[str, str, str]] = field(default_factory=list)  # (document key, message, file name)


def parse_request(body: bytes) -> Request:
    try:
        envelope = etree.fromstring(body, common.xml_parser())
    except etree.XMLSyntaxError as exc:
        raise SoapRequestError(f"Error al parsear el mensaje SOAP: {exc}") from exc
    if envelope.tag != f"{{{SOAP12}}}Envelope":
        raise SoapRequestError("Se esperaba un sobre SOAP 1.2 (http://www.w3.org/2003/05/soap-envelope)")
    body_element = envelope.find(f"{{{SOAP12}}}Body")
    operation = body_element[0] if body_element is not None and len(body_element) else None
    if operation is None or etree.QName(operation).namespace != WCF:
        raise SoapRequestError("El cuerpo SOAP no contiene una operación de http://wcf.dian.colombia")
    arguments = {etree.QName(child).localname: (child.text or "").strip() for child in operation
                 if isinstance(child.tag, str)}
    return Request(envelope, etree.QName(operation).localname, arguments)


def _nil(tag: str) -> str:
    return f'<b:{tag} i:nil="true"/>'


def _value(tag: str, value: str | None) -> str:
    return _nil(tag) if value is None else f"<b:{tag}>{escape(value)}</b:{tag}>"


def dian_response_fields(result: DianResult) -> str:
    errors = "".join(f"<c:string>{escape(text)}</c:string>" for text in result.errors)
    encoded = base64.b64encode(result.application_response).decode() if result.application_response else None
    return (
        f'<b:ErrorMessage xmlns:c="{_ARRAYS}">{errors}</b:ErrorMessage>'
        f"<b:IsValid>{'true' if result.is_valid else 'false'}</b:IsValid>"
        f"{_value('StatusCode', result.status_code)}"
        f"{_value('StatusDescription', result.status_description)}"
        f"{_value('StatusMessage', result.status_message)}"
        f"{_value('XmlBase64Bytes', encoded)}"
        f"{_nil('XmlBytes')}"
        f"{_value('XmlDocumentKey', result.document_key)}"
        f"{_value('XmlFileName', result.file_name)}"
    )


def _envelope(operation: str, result: str, now: datetime) -> bytes:
    created = now.astimezone(UTC)
    stamp = "%Y-%m-%dT%H:%M:%S.%f"
    return (
        f'<s:Envelope xmlns:s="{SOAP12}" xmlns:a="{_WSA}" xmlns:u="{_WSU}"><s:Header>'
        f'<a:Action s:mustUnderstand="1">{ACTION_BASE}{operation}Response</a:Action>'
        f'<o:Security xmlns:o="{_WSSE}" s:mustUnderstand="1"><u:Timestamp u:Id="_0">'
        f"<u:Created>{created.strftime(stamp)[:-3]}Z</u:Created>"
        f"<u:Expires>{(created + timedelta(minutes=5)).strftime(stamp)[:-3]}Z</u:Expires>"
        f"</u:Timestamp></o:Security></s:Header><s:Body>"
        f'<{operation}Response xmlns="{WCF}">{result}</{operation}Response></s:Body></s:Envelope>'
    ).encode()


def dian_response(operation: str, result: DianResult, now: datetime) -> bytes:
    inner = (f'<{operation}Result xmlns:b="{_DIAN_RESPONSE}" xmlns:i="{_XSI}">'
             f"{dian_response_fields(result)}</{operation}Result>")
    return _envelope(operation, inner, now)


def dian_response_list(operation: str, results: list[DianResult], now: datetime) -> bytes:
    items = "".join(f"<b:DianResponse>{dian_response_fields(r)}</b:DianResponse>" for r in results)
    return _envelope(operation, f'<{operation}Result xmlns:b="{_DIAN_RESPONSE}" xmlns:i="{_XSI}">{items}'
                                f"</{operation}Result>", now)


def upload_response(operation: str, result: UploadResult, now: datetime) -> bytes:
    if result.errors:
        entries = "".join(
            f"<c:XmlParamsResponseTrackId><c:DocumentKey>{escape(key)}</c:DocumentKey>"
            f"<c:ProcessedMessage>{escape(message)}</c:ProcessedMessage><c:SenderCode i:nil=\"true\"/>"
            f"<c:Success>false</c:Success><c:XmlFileName>{escape(name)}</c:XmlFileName></c:XmlParamsResponseTrackId>"
            for key, message, name in result.errors
        )
        errors = f'<b:ErrorMessageList xmlns:c="{_TRACK}">{entries}</b:ErrorMessageList>'
    else:
        errors = f'<b:ErrorMessageList xmlns:c="{_TRACK}" i:nil="true"/>'
    zip_key = f"<b:ZipKey>{escape(result.zip_key)}</b:ZipKey>" if result.zip_key else '<b:ZipKey i:nil="true"/>'
    return _envelope(operation, f'<{operation}Result xmlns:b="{_UPLOAD}" xmlns:i="{_XSI}">{errors}{zip_key}'
                                f"</{operation}Result>", now)


def fault(reason: str = "The creator of this fault did not specify a Reason.", code: str = "s:Receiver") -> bytes:
    """A SOAP 1.2 fault; DIAN sends the generic reason for certificate problems (reference §6.4)."""
    return (
        f'<s:Envelope xmlns:s="{SOAP12}"><s:Body><s:Fault><s:Code><s:Value>{code}</s:Value></s:Code>'
        f'<s:Reason><s:Text xml:lang="en-US">{escape(reason)}</s:Text></s:Reason></s:Fault></s:Body></s:Envelope>'
    ).encode()
