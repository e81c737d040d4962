"""File names, ZIP and AttachedDocument (reference §2.10, §6.5)."""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta

import pytest
from lxml import etree

from adapters.colombia.namespaces import ATTACHED_DOCUMENT, CAC, CBC
from adapters.colombia.packaging import build_attached_document, xml_file_name, zip_document, zip_file_name
from adapters.colombia.schemas import schema_errors
from adapters.colombia.xades_epes import sign_ubl
from tests.unit.test_colombia_samples import ISSUED_AT, identity, invoice, needs_schemas, schemas_path, signed

NS = {"cac": CAC, "cbc": CBC}
# An ApplicationResponse shaped like DIAN's (reference §2.9), enough for the container.
APPLICATION_RESPONSE = (
    '<?xml version="1.0" encoding="UTF-8"?><ApplicationResponse '
    'xmlns="urn:oasis:names:specification:ubl:schema:xsd:ApplicationResponse-2" '
    f'xmlns:cac="{CAC}" xmlns:cbc="{CBC}"><cbc:UBLVersionID>UBL 2.1</cbc:UBLVersionID>'
    "<cbc:ID>1001</cbc:ID><cbc:IssueDate>2026-03-10</cbc:IssueDate><cbc:IssueTime>10:00:05-05:00</cbc:IssueTime>"
    "<cac:DocumentResponse><cac:Response><cbc:ResponseCode>02</cbc:ResponseCode>"
    "<cbc:Description>Documento validado por la DIAN</cbc:Description></cac:Response></cac:DocumentResponse>"
    "</ApplicationResponse>"
).encode()


def test_file_names_follow_the_anexo_pattern() -> None:
    assert xml_file_name("fv", "900390126", 2026, 1) == "fv09003901260002600000001.xml"
    # The consecutive is hexadecimal (Anexo 1.9): 26 → 0000001a.
    assert xml_file_name("nc", "900390126", 2026, 26, provider_code="001") == "nc0900390126001260000001a.xml"
    assert zip_file_name("800197268", 2019, 17) == "z08001972680001900000011.zip"
    assert len(xml_file_name("ad", "900390126", 2026, 0xFFFFFFFF)) == len("fv09003901260002600000001.xml")
    with pytest.raises(ValueError, match="consecutive"):
        zip_file_name("900390126", 2026, 0)
    with pytest.raises(ValueError, match="10 digits"):
        zip_file_name("90039012600", 2026, 1)


def test_zip_holds_exactly_the_signed_bytes_and_is_reproducible() -> None:
    xml = signed(invoice())
    name = xml_file_name("fv", "900390126", 2026, 1)
    first = zip_document(name, xml)
    assert first == zip_document(name, xml)  # a resend carries identical bytes
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        assert archive.namelist() == [name]
        assert archive.read(name) == xml
        assert archive.getinfo(name).compress_type == zipfile.ZIP_DEFLATED


def test_attached_document_embeds_invoice_and_response_verbatim() -> None:
    xml = signed(invoice())
    container = build_attached_document(xml, APPLICATION_RESPONSE, issued_at=ISSUED_AT + timedelta(minutes=5))
    root = etree.fromstring(container, etree.XMLParser(strip_cdata=False))
    assert etree.QName(root).namespace == ATTACHED_DOCUMENT
    assert root.findtext("cbc:ParentDocumentID", namespaces=NS) == "SETP990000101"
    assert root.findtext("cac:Attachment/cac:ExternalReference/cbc:Description", namespaces=NS) == xml.decode()
    assert b"<![CDATA[<?xml" in container
    reference = root.find("cac:ParentDocumentLineReference/cac:DocumentReference", NS)
    assert reference is not None
    assert reference.findtext("cac:Attachment/cac:ExternalReference/cbc:Description", namespaces=NS) == (
        APPLICATION_RESPONSE.decode())
    assert reference.findtext("cac:ResultOfVerification/cbc:ValidationResultCode", namespaces=NS) == "02"
    assert root.findtext("cac:SenderParty/cac:PartyTaxScheme/cbc:CompanyID", namespaces=NS) == "900390126"
    assert root.findtext("cac:ReceiverParty/cac:PartyTaxScheme/cbc:CompanyID", namespaces=NS) == "1020304050"


def test_contingency_container_has_no_application_response() -> None:
    container = build_attached_document(signed(invoice(invoice_type="04")), None, issued_at=ISSUED_AT)
    assert etree.fromstring(container).find("cac:ParentDocumentLineReference", NS) is None


@needs_schemas
def test_attached_document_validates_unsigned_placeholder_aside_and_signed() -> None:
    container = build_attached_document(signed(invoice()), APPLICATION_RESPONSE, issued_at=ISSUED_AT)
    errors = schema_errors(container, schemas_path())
    assert len(errors) == 1
    assert "ExtensionContent" in errors[0]
    signed_container = sign_ubl(container, identity(), signing_time=ISSUED_AT)
    assert schema_errors(signed_container, schemas_path()) == []
