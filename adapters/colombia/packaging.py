"""File names, ZIP packaging and the AttachedDocument (reference §2.10, §6.5).

Names follow Anexo 1.9 §6.5.7–6.5.8 exactly, because the asynchronous test-set worker parses them by
position (a wrong length leaves a batch "en proceso de validación" forever, reference §6.5):
``{tag}{NIT:010}{ppp}{yy}{consecutive:08x}.xml`` and ``z{NIT:010}{ppp}{yy}{consecutive:08x}.zip``.
The consecutive counts files sent by the issuer, in hexadecimal, and restarts every 1 January; the
caller allocates it (once per document, so a resend reuses the same names and bytes).
"""

from __future__ import annotations

import copy
import io
import zipfile
from datetime import datetime
from typing import Literal

from lxml import etree

from adapters.colombia.namespaces import (
    ATTACHED_DOCUMENT,
    CAC,
    CBC,
    SCHEMA_LOCATIONS,
    XSI,
    cac,
    cbc,
    ext,
    root_nsmap,
)
from adapters.colombia.ubl_parts import issue_time_text, local_time, sub

DocumentTag = Literal["fv", "nc", "nd", "ar", "ad"]
MAX_CONSECUTIVE = 0xFFFFFFFF
DIAN_NAME = "Unidad Especial Dirección de Impuestos y Aduanas Nacionales"
# The ZIP entry's timestamp is fixed so that packaging the same XML twice gives the same bytes.
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def _stem(nit: str, year: int, consecutive: int, provider_code: str) -> str:
    if not nit.isdigit() or len(nit) > 10:
        raise ValueError(f"the NIT in file names has at most 10 digits, got {nit!r}")
    if not (len(provider_code) == 3 and provider_code.isdigit()):
        raise ValueError("the provider code is 3 digits: 000 own software, 001 DIAN's free software")
    if not 1 <= consecutive <= MAX_CONSECUTIVE:
        raise ValueError(f"the file consecutive must be 1..{MAX_CONSECUTIVE}")
    return f"{int(nit):010d}{provider_code}{year % 100:02d}{consecutive:08x}"


def xml_file_name(tag: DocumentTag, nit: str, year: int, consecutive: int, provider_code: str = "000") -> str:
    """e.g. ``fv09003901260002600000001.xml`` (reference §6.5)."""
    return f"{tag}{_stem(nit, year, consecutive, provider_code)}.xml"


def zip_file_name(nit: str, year: int, consecutive: int, provider_code: str = "000") -> str:
    return f"z{_stem(nit, year, consecutive, provider_code)}.zip"


def zip_document(name: str, xml: bytes) -> bytes:
    """A DEFLATE ZIP holding exactly one XML, as SendBillSync requires (reference §6.2, §6.5)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
        info.compress_type = zipfile.ZIP_DEFLATED
        archive.writestr(info, xml)
    return buffer.getvalue()


def _cdata(document: bytes) -> etree.CDATA:
    text = document.decode("utf-8")
    if "]]>" in text:
        raise ValueError("the document contains ']]>' and cannot travel in a CDATA section")
    return etree.CDATA(text)


def _attachment(parent: etree._Element, document: bytes) -> None:
    reference = sub(sub(parent, cac("Attachment")), cac("ExternalReference"))
    sub(reference, cbc("MimeCode"), "text/xml")
    sub(reference, cbc("EncodingCode"), "UTF-8")
    sub(reference, cbc("Description")).text = _cdata(document)


def build_attached_document(
    signed_invoice: bytes,
    application_response: bytes | None,
    *,
    issued_at: datetime,
) -> bytes:
    """The container the buyer receives (Anexo §8.5, reference §2.10), unsigned.

    ``signed_invoice`` goes byte-for-byte into a CDATA section; ``application_response`` is DIAN's
    decoded XmlBase64Bytes, ``None`` for a tipo 04 invoice delivered before DIAN validated it. The
    container has one empty UBLExtension: sign it with :func:`adapters.colombia.xades_epes.sign_ubl`
    at ``issued_at`` if the delivery should carry the issuer's signature (DIAN does not validate it).
    """
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    invoice = etree.fromstring(signed_invoice, parser)
    number = invoice.findtext(f"{{{CBC}}}ID") or ""
    uuid = invoice.find(f"{{{CBC}}}UUID")
    local = local_time(issued_at)

    root = etree.Element(etree.QName(ATTACHED_DOCUMENT, "AttachedDocument"), nsmap=root_nsmap(ATTACHED_DOCUMENT))
    root.set(f"{{{XSI}}}schemaLocation", f"{ATTACHED_DOCUMENT} {SCHEMA_LOCATIONS[ATTACHED_DOCUMENT]}")
    sub(sub(sub(root, ext("UBLExtensions")), ext("UBLExtension")), ext("ExtensionContent"))
    sub(root, cbc("UBLVersionID"), "UBL 2.1")
    sub(root, cbc("CustomizationID"), "Documentos adjuntos")
    sub(root, cbc("ProfileID"), "Factura Electrónica de Venta")
    sub(root, cbc("ProfileExecutionID"), invoice.findtext(f"{{{CBC}}}ProfileExecutionID") or "2")
    sub(root, cbc("ID"), uuid.text if uuid is not None and uuid.text else number)
    sub(root, cbc("IssueDate"), local.date().isoformat())
    sub(root, cbc("IssueTime"), issue_time_text(local))
    sub(root, cbc("DocumentType"), "Contenedor de Factura Electrónica")
    sub(root, cbc("ParentDocumentID"), number)
    for role, tag in (("AccountingSupplierParty", "SenderParty"), ("AccountingCustomerParty", "ReceiverParty")):
        party = sub(root, cac(tag))
        _copy_party_tax_scheme(party, invoice, role)
    _attachment(root, signed_invoice)
    if application_response is not None:
        _response_reference(root, invoice, application_response)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _copy_party_tax_scheme(party: etree._Element, invoice: etree._Element, role: str) -> None:
    found = invoice.find(f"{{{CAC}}}{role}/{{{CAC}}}Party/{{{CAC}}}PartyTaxScheme")
    if found is None:
        raise ValueError(f"the signed document has no {role}/Party/PartyTaxScheme")
    scheme = copy.deepcopy(found)
    address = scheme.find(f"{{{CAC}}}RegistrationAddress")
    if address is not None:  # the containers DIAN's own tools produce carry no address here
        scheme.remove(address)
    party.append(scheme)


def _response_reference(root: etree._Element, invoice: etree._Element, response: bytes) -> None:
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    answer = etree.fromstring(response, parser)
    uuid = invoice.find(f"{{{CBC}}}UUID")
    line = sub(root, cac("ParentDocumentLineReference"))
    sub(line, cbc("LineID"), "1")
    reference = sub(line, cac("DocumentReference"))
    sub(reference, cbc("ID"), invoice.findtext(f"{{{CBC}}}ID") or "")
    if uuid is not None:
        sub(reference, cbc("UUID"), uuid.text, schemeName=uuid.get("schemeName", "CUFE-SHA384"))
    sub(reference, cbc("IssueDate"), invoice.findtext(f"{{{CBC}}}IssueDate") or "")
    sub(reference, cbc("DocumentType"), "ApplicationResponse")
    _attachment(reference, response)
    verification = sub(reference, cac("ResultOfVerification"))
    sub(verification, cbc("ValidatorID"), DIAN_NAME)
    code = answer.findtext(f".//{{{CAC}}}DocumentResponse/{{{CAC}}}Response/{{{CBC}}}ResponseCode")
    sub(verification, cbc("ValidationResultCode"), code or "02")
    sub(verification, cbc("ValidationDate"), answer.findtext(f"{{{CBC}}}IssueDate") or "")
    sub(verification, cbc("ValidationTime"), answer.findtext(f"{{{CBC}}}IssueTime") or "")
