"""The DIAN client against httpx.MockTransport: the envelope it sends (checked by the simulator's own,
independent WS-Security verifier) and every kind of answer, broken ones included."""

from __future__ import annotations

import base64
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from lxml import etree

from adapters.colombia.dian_client import DIAN_URLS, DianClient
from domain.errors import AuthorityUnavailable
from simulators.dian.wssecurity import verify_request
from tests.unit.test_colombia_samples import SCHEMAS, identity, needs_schemas, sample_ca

URL = "https://vpfe-hab.dian.gov.co/WcfDianCustomerServices.svc"
NOW = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
CUFE = "ab" * 48
ENVELOPE = (
    '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://www.w3.org/2005/08/addressing">'
    '<s:Header><a:Action s:mustUnderstand="1">http://wcf.dian.colombia/IWcfDianCustomerServices/{op}Response'
    '</a:Action></s:Header><s:Body><{op}Response xmlns="http://wcf.dian.colombia"><{op}Result '
    'xmlns:b="http://schemas.datacontract.org/2004/07/DianResponse" '
    'xmlns:i="http://www.w3.org/2001/XMLSchema-instance">{inner}</{op}Result></{op}Response></s:Body></s:Envelope>'
)


def dian_response(code: str, valid: bool, errors: list[str], key: str | None = CUFE, ar: bytes | None = None) -> str:
    lines = "".join(f"<c:string>{e}</c:string>" for e in errors)
    encoded = f"<b:XmlBase64Bytes>{base64.b64encode(ar).decode()}</b:XmlBase64Bytes>" if ar else (
        '<b:XmlBase64Bytes i:nil="true"/>')
    return (f'<b:ErrorMessage xmlns:c="http://schemas.microsoft.com/2003/10/Serialization/Arrays">{lines}'
            f"</b:ErrorMessage><b:IsValid>{str(valid).lower()}</b:IsValid><b:StatusCode>{code}</b:StatusCode>"
            "<b:StatusDescription>Procesado Correctamente.</b:StatusDescription><b:StatusMessage i:nil=\"true\"/>"
            f'{encoded}<b:XmlBytes i:nil="true"/><b:XmlDocumentKey>{key or ""}</b:XmlDocumentKey>'
            "<b:XmlFileName>fv09003901260002600000001</b:XmlFileName>")


def client_answering(status: int, body: str | bytes, seen: list[httpx.Request] | None = None) -> DianClient:
    def handler(request: httpx.Request) -> httpx.Response:
        if seen is not None:
            seen.append(request)
        return httpx.Response(status, content=body.encode() if isinstance(body, str) else body)

    return DianClient(httpx.AsyncClient(transport=httpx.MockTransport(handler)), URL, identity(), clock=lambda: NOW)


async def test_send_bill_sync_sends_a_signed_soap12_request() -> None:
    seen: list[httpx.Request] = []
    answer_ar = b"<ApplicationResponse/>"
    client = client_answering(200, ENVELOPE.format(op="SendBillSync", inner=dian_response("00", True, [],
                                                                                          ar=answer_ar)), seen)
    answer = await client.send_bill_sync("z09003901260002600000001.zip", b"PK-zip-bytes")
    assert answer.accepted
    assert answer.accepted_as(CUFE)
    assert answer.application_response == answer_ar
    [request] = seen
    assert str(request.url) == URL
    assert request.headers["content-type"] == (
        'application/soap+xml; charset=utf-8; action="http://wcf.dian.colombia/IWcfDianCustomerServices/SendBillSync"')
    envelope = etree.fromstring(request.content)
    call = envelope.find(".//{http://wcf.dian.colombia}SendBillSync")
    assert call is not None
    assert [etree.QName(c).localname for c in call] == ["fileName", "contentFile"]
    assert base64.b64decode(call[1].text or "") == b"PK-zip-bytes"
    # The simulator's verifier is written without xmlsec: it must accept what xmlsec signed.
    certificate = verify_request(envelope, action="http://wcf.dian.colombia/IWcfDianCustomerServices/SendBillSync",
                                 trusted=[sample_ca().cert], now=NOW)
    assert certificate.serial_number == identity().serial_number
    to = envelope.find(".//{http://www.w3.org/2005/08/addressing}To")
    assert to is not None
    assert to.text == URL


async def test_tampered_request_fails_the_independent_verifier() -> None:
    from simulators.dian.wssecurity import SecurityFault

    seen: list[httpx.Request] = []
    client = client_answering(200, ENVELOPE.format(op="GetStatus", inner=dian_response("00", True, [])), seen)
    await client.get_status(CUFE)
    envelope = etree.fromstring(seen[0].content)
    to = envelope.find(".//{http://www.w3.org/2005/08/addressing}To")
    assert to is not None
    to.text = "https://attacker.example/"
    with pytest.raises(SecurityFault):
        verify_request(envelope, action="http://wcf.dian.colombia/IWcfDianCustomerServices/GetStatus",
                       trusted=[sample_ca().cert], now=NOW)


async def test_rule_90_is_success_only_with_our_own_key() -> None:
    body = ENVELOPE.format(op="SendBillSync", inner=dian_response(
        "99", False, ["Regla: 90, Rechazo: Documento procesado anteriormente."], ar=b"<AR/>"))
    answer = await client_answering(200, body).send_bill_sync("z.zip", b"zip")
    assert answer.already_processed
    assert not answer.rejected
    assert answer.accepted_as(CUFE)
    assert not answer.accepted_as("cd" * 48)  # the number belongs to another document
    assert answer.errors[0].code == "90"


async def test_rejection_lists_rules_and_notifications() -> None:
    body = ENVELOPE.format(op="SendBillSync", inner=dian_response("99", False, [
        "Regla: FAD06, Rechazo: Valor del CUFE no está calculado correctamente.",
        "Regla: FAJ43b, Notificación: Nombre informado no corresponde al registrado en el RUT",
    ]))
    answer = await client_answering(200, body).send_bill_sync("z.zip", b"zip")
    assert answer.rejected
    assert [(r.code, r.text) for r in answer.errors] == [("FAD06", "Valor del CUFE no está calculado correctamente.")]
    assert [r.code for r in answer.notifications] == ["FAJ43b"]
    assert [(m.identifier, m.kind) for m in answer.messages()] == [("FAD06", "ERROR"), ("FAJ43b", "ADVERTENCIA")]


@needs_schemas
async def test_reads_dians_real_get_status_zip_answer() -> None:
    vector = Path(SCHEMAS or "") / "colombia" / "responses" / "response_getstatusZip_with_errors.xml"
    answer = await client_answering(200, vector.read_bytes()).get_status_zip("ef9998bd-8081-4882-9762-3d7cc53ac497")
    assert answer.status_code == "99"
    assert not answer.is_valid
    codes = [rule.code for rule in answer.errors]
    assert "FAD06" in codes
    assert "FAU14" in codes
    assert len(codes) == 21
    assert answer.xml_document_key is not None
    assert answer.xml_document_key.startswith("840ca7a4")
    assert answer.xml_file_name == "face_f07300448580000000003"


async def test_batch_in_process_is_pending() -> None:
    inner = ('<b:DianResponse><b:ErrorMessage xmlns:c="http://schemas.microsoft.com/2003/10/Serialization/Arrays"/>'
             "<b:IsValid>false</b:IsValid><b:StatusCode/><b:StatusDescription>Batch en proceso de validación."
             "</b:StatusDescription></b:DianResponse>")
    answer = await client_answering(200, ENVELOPE.format(op="GetStatusZip", inner=inner)).get_status_zip("k")
    assert answer.pending
    assert answer.status_description == "Batch en proceso de validación."


def _raise_connect(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("connection refused", request=request)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: client_answering(503, "<html>Service Unavailable</html>"), "HTTP 503"),
        (lambda: client_answering(500, '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body>'
                                       "<s:Fault><s:Reason><s:Text>The creator of this fault did not specify a "
                                       "Reason.</s:Text></s:Reason></s:Fault></s:Body></s:Envelope>"), "SOAP fault"),
        (lambda: client_answering(200, "<s:Envelope><truncated"), "not XML"),
        (lambda: client_answering(200, '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body/>'
                                       "</s:Envelope>"), "without SendBillSyncResult"),
        (lambda: DianClient(httpx.AsyncClient(transport=httpx.MockTransport(_raise_connect)), URL, identity()),
         "unreachable"),
    ],
)
async def test_transport_trouble_is_authority_unavailable(make: Callable[[], DianClient], message: str) -> None:
    with pytest.raises(AuthorityUnavailable, match=message):
        await make().send_bill_sync("z.zip", b"zip")


def test_endpoints() -> None:
    assert DIAN_URLS == {"2": "https://vpfe-hab.dian.gov.co/WcfDianCustomerServices.svc",
                         "1": "https://vpfe.dian.gov.co/WcfDianCustomerServices.svc"}
