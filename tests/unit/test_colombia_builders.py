"""UBL 2.1 Invoice and CreditNote builders, checked against the official XSDs and DIAN's own arithmetic."""

from __future__ import annotations

import copy
from datetime import date, timedelta
from decimal import Decimal

import pytest
from lxml import etree

from adapters.colombia.invoice_xml import PaperInvoiceReference
from adapters.colombia.namespaces import CAC, CBC, EXT, STS
from adapters.colombia.resolution import NumberingResolution
from adapters.colombia.schemas import schema_errors
from domain.colombia.keys import KeyFields, cufe, software_security_code
from tests.unit.test_colombia_samples import (
    ISSUED_AT,
    SOFTWARE_ID,
    SOFTWARE_PIN,
    credit_note,
    invoice,
    issuer_profile,
    make_sale,
    needs_schemas,
    schemas_path,
    signed,
)

NS = {"cac": CAC, "cbc": CBC, "ext": EXT, "sts": STS}
PLACEHOLDER = "ExtensionContent': Missing child element(s)"
# DIAN_UBL_Structures.xsd (2018) enumerates id types in @schemeID, where accepted documents put the DV.
STRUCTURES_DEVIATION = "attribute 'schemeID': [facet 'enumeration']"


def text(root: etree._Element, path: str) -> str:
    return root.findtext(path, namespaces=NS) or ""


def test_invoice_header_in_xsd_order_and_values() -> None:
    built = invoice()
    root = etree.fromstring(built.xml)
    assert [etree.QName(child).localname for child in root][:13] == [
        "UBLExtensions", "UBLVersionID", "CustomizationID", "ProfileID", "ProfileExecutionID", "ID", "UUID",
        "IssueDate", "IssueTime", "InvoiceTypeCode", "DocumentCurrencyCode", "LineCountNumeric",
        "AccountingSupplierParty",
    ]
    assert text(root, "cbc:ID") == built.document_number == "SETP990000101"
    assert text(root, "cbc:IssueDate") == "2026-03-10"
    assert text(root, "cbc:IssueTime") == "10:00:00-05:00"  # Bogotá, UTC−05:00
    uuid = root.find("cbc:UUID", NS)
    assert uuid is not None
    assert (uuid.text, uuid.get("schemeID"), uuid.get("schemeName")) == (built.uuid, "2", "CUFE-SHA384")
    assert text(root, "cbc:LineCountNumeric") == "4"
    company = root.find("cac:AccountingSupplierParty/cac:Party/cac:PartyTaxScheme/cbc:CompanyID", NS)
    assert company is not None
    assert (company.text, company.get("schemeID"), company.get("schemeName")) == ("900390126", "6", "31")
    extensions = root.findall("ext:UBLExtensions/ext:UBLExtension", NS)
    assert len(extensions) == 2
    assert len(extensions[1].find("ext:ExtensionContent", NS)) == 0  # type: ignore[arg-type]
    dian = extensions[0].find("ext:ExtensionContent/sts:DianExtensions", NS)
    assert dian is not None
    assert [etree.QName(c).localname for c in dian] == [
        "InvoiceControl", "InvoiceSource", "SoftwareProvider", "SoftwareSecurityCode", "AuthorizationProvider",
        "QRCode"]
    assert text(dian, "sts:InvoiceControl/sts:AuthorizedInvoices/sts:Prefix") == "SETP"
    assert text(dian, "sts:SoftwareSecurityCode") == software_security_code(SOFTWARE_ID, SOFTWARE_PIN,
                                                                            "SETP990000101")
    assert text(dian, "sts:QRCode").endswith(built.uuid)
    assert built.qr_text.startswith("NumFac: SETP990000101\n")


def test_the_cufe_is_what_dian_recomputes_from_the_document() -> None:
    root = etree.fromstring(invoice().xml)
    taxes = {text(t, "cac:TaxSubtotal/cac:TaxCategory/cac:TaxScheme/cbc:ID"): Decimal(text(t, "cbc:TaxAmount"))
             for t in root.findall("cac:TaxTotal", NS)}
    fields = KeyFields.of(
        number=text(root, "cbc:ID"), issue_date=text(root, "cbc:IssueDate"), issue_time=text(root, "cbc:IssueTime"),
        line_extension=Decimal(text(root, "cac:LegalMonetaryTotal/cbc:LineExtensionAmount")),
        iva=taxes.get("01", Decimal(0)), inc=taxes.get("04", Decimal(0)),
        payable=Decimal(text(root, "cac:LegalMonetaryTotal/cbc:PayableAmount")),
        issuer_nit=text(root, "cac:AccountingSupplierParty/cac:Party/cac:PartyTaxScheme/cbc:CompanyID"),
        buyer_id=text(root, "cac:AccountingCustomerParty/cac:Party/cac:PartyTaxScheme/cbc:CompanyID"),
        environment="2",
    )
    assert cufe(fields, technical_key="fc8eac422eba16e22ffd8c6f94b3f40a6e38162c") == text(root, "cbc:UUID")
    assert text(root, "cac:LegalMonetaryTotal/cbc:PayableAmount") == "106976.58"
    assert [text(t, "cbc:TaxAmount") for t in root.findall("cac:TaxTotal", NS)] == ["6035.08", "1440.00"]


def test_lines_carry_discounts_taxes_items_and_prices() -> None:
    root = etree.fromstring(invoice().xml)
    first, _, book, _ = root.findall("cac:InvoiceLine", NS)
    assert [etree.QName(c).localname for c in first] == [
        "ID", "InvoicedQuantity", "LineExtensionAmount", "AllowanceCharge", "TaxTotal", "Item", "Price"]
    assert text(first, "cac:AllowanceCharge/cbc:Amount") == "1000.00"
    assert text(first, "cac:AllowanceCharge/cbc:BaseAmount") == "30000.00"
    assert text(first, "cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory/cbc:Percent") == "19.00"
    assert book.find("cac:TaxTotal", NS) is None  # excluido: no TaxTotal at all
    quantity = first.find("cbc:InvoicedQuantity", NS)
    assert quantity is not None
    assert quantity.get("unitCode") == "94"


def test_contingency_types() -> None:
    tipo04 = etree.fromstring(invoice(invoice_type="04").xml)
    assert text(tipo04, "cbc:InvoiceTypeCode") == "04"
    assert text(tipo04, "cbc:CustomizationID") == "10"
    assert text(tipo04, "cbc:ID") == "SETP990000101"  # same range and number (reference §10.1)
    contingency = NumberingResolution(authorization="18764000009999", prefix="CT", range_from=1, range_to=500,
                                      valid_from=date(2026, 1, 1), valid_to=date(2027, 1, 1), technical_key="k")
    issuer = issuer_profile(contingency_resolution=contingency)
    with pytest.raises(ValueError, match="paper_invoice"):
        invoice(7, issuer=issuer, invoice_type="03")
    built = invoice(7, issuer=issuer, invoice_type="03",
                    paper_invoice=PaperInvoiceReference("CT7", date(2026, 3, 9)))
    root = etree.fromstring(built.xml)
    assert built.document_number == "CT7"
    assert root.find("cbc:UUID", NS).get("schemeName") == "CUDE-SHA384"  # type: ignore[union-attr]
    assert text(root, "cac:AdditionalDocumentReference/cbc:ID") == "CT7"


def test_credit_note_references_the_invoice() -> None:
    original = invoice()
    built = credit_note(original)
    root = etree.fromstring(built.xml)
    assert text(root, "cbc:CustomizationID") == "20"
    assert text(root, "cbc:CreditNoteTypeCode") == "91"
    assert root.find("cbc:UUID", NS).get("schemeName") == "CUDE-SHA384"  # type: ignore[union-attr]
    assert text(root, "cac:DiscrepancyResponse/cbc:ResponseCode") == "2"
    assert text(root, "cac:BillingReference/cac:InvoiceDocumentReference/cbc:UUID") == original.uuid
    assert text(root, "cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID") == "SETP990000101"
    assert root.find(".//sts:InvoiceControl", NS) is None
    first = root.find("cac:CreditNoteLine", NS)
    assert first is not None
    assert [etree.QName(c).localname for c in first] == [
        "ID", "CreditedQuantity", "LineExtensionAmount", "TaxTotal", "AllowanceCharge", "Item", "Price"]
    with pytest.raises(ValueError, match="CBG06"):
        credit_note(original, at=ISSUED_AT - timedelta(days=1))


@needs_schemas
def test_unsigned_documents_validate_but_for_the_signature_placeholder() -> None:
    for xml in (invoice().xml, credit_note(invoice()).xml, invoice(invoice_type="04").xml):
        errors = schema_errors(xml, schemas_path())
        assert len(errors) == 1, errors
        assert PLACEHOLDER in errors[0]


@needs_schemas
def test_signed_documents_validate_against_the_official_xsds() -> None:
    for built in (invoice(), credit_note(invoice())):
        at = ISSUED_AT if built.document_number.startswith("SETP") else ISSUED_AT + timedelta(hours=1)
        assert schema_errors(signed(built, at), schemas_path()) == []


@needs_schemas
def test_dian_extensions_follow_the_dian_structures_schema() -> None:
    errors = schema_errors(signed(invoice()), schemas_path(), dian_structures=True)
    assert errors
    assert all(STRUCTURES_DEVIATION in error for error in errors), errors


@needs_schemas
def test_schema_check_catches_a_misplaced_element() -> None:
    root = etree.fromstring(invoice().xml)
    issue_date = root.find("cbc:IssueDate", NS)
    assert issue_date is not None
    root.insert(1, copy.deepcopy(issue_date))
    errors = schema_errors(etree.tostring(root), schemas_path())
    assert any("IssueDate" in error for error in errors)


def test_sale_without_buyer_address_still_builds() -> None:
    sale = make_sale(buyer={"id_type": "31", "identification": "800197268", "check_digit": "4",
                            "name": "DIAN", "person_type": "1", "tax_responsibilities": ["O-13"]})
    root = etree.fromstring(invoice(sale=sale).xml)
    customer = root.find("cac:AccountingCustomerParty/cac:Party", NS)
    assert customer is not None
    assert customer.find("cac:PartyIdentification", NS) is None  # only natural persons need it
    company = customer.find("cac:PartyTaxScheme/cbc:CompanyID", NS)
    assert company is not None
    assert company.get("schemeID") == "4"
