"""UBL 2.1 CreditNote (tipo 91) against an accepted DIAN invoice (reference §2.8, §3.8, §11).

The note always references its invoice (CustomizationID 20, BillingReference with number, CUFE and
date), since a note without reference (22) needs an InvoicePeriod and cannot compensate an invoice.
Its UUID is a CUDE (software PIN instead of ClTec), its SoftwareSecurityCode uses the note number,
and DianExtensions carry no InvoiceControl: DIAN authorises no numbering for notes.
"""

from dataclasses import dataclass
from datetime import date, datetime

from lxml import etree

from adapters.colombia import ubl_parts as parts
from adapters.colombia.document import BuiltDocument, key_fields, ubl_extensions
from adapters.colombia.issuer import DianIssuerProfile
from adapters.colombia.namespaces import CREDIT_NOTE, SCHEMA_LOCATIONS, XSI, cac, cbc, root_nsmap
from domain.colombia.catalog import CREDIT_NOTE_CONCEPTS
from domain.colombia.keys import cude, qr_content, qr_url, software_security_code
from domain.colombia.sale import ColombiaSale
from domain.colombia.totals import ColombiaTotals, compute_totals

CREDIT_NOTE_PROFILE = "DIAN 2.1: Nota Crédito de Factura Electrónica de Venta"
WITH_REFERENCE = "20"  # CustomizationID: nota crédito que referencia una factura electrónica (§3.2)
CREDIT_NOTE_TYPE = "91"
FULL_ANNULMENT = "2"  # concept 2 requires CustomizationID 20 (CAD02a)


@dataclass(frozen=True)
class InvoiceReference:
    """The accepted invoice a note corrects (BillingReference/InvoiceDocumentReference)."""

    number: str  # its cbc:ID
    uuid: str  # its CUFE
    issue_date: date
    scheme_name: str = "CUFE-SHA384"


def build_credit_note(
    sale: ColombiaSale,
    *,
    number: int,
    issuer: DianIssuerProfile,
    issued_at: datetime,
    original: InvoiceReference,
    concept: str = FULL_ANNULMENT,
    reason: str | None = None,
) -> BuiltDocument:
    """The unsigned credit note for ``sale`` (the lines being credited; the whole sale to annul).

    ``number`` is the issuer's own note sequence, printed with ``issuer.credit_note_prefix``.
    """
    if concept not in CREDIT_NOTE_CONCEPTS:
        raise ValueError(f"unknown credit-note concept {concept!r}; use one of {', '.join(CREDIT_NOTE_CONCEPTS)}")
    local = parts.local_time(issued_at)
    if local.date() < original.issue_date:
        raise ValueError("a credit note cannot be dated before the invoice it corrects (CBG06)")
    totals = compute_totals(sale)
    document_number = f"{issuer.credit_note_prefix}{number}"
    fields = key_fields(sale, totals, issuer, document_number, local)
    key = cude(fields, software_pin=issuer.software_pin)

    root = etree.Element(etree.QName(CREDIT_NOTE, "CreditNote"), nsmap=root_nsmap(CREDIT_NOTE))
    root.set(f"{{{XSI}}}schemaLocation", f"{CREDIT_NOTE} {SCHEMA_LOCATIONS[CREDIT_NOTE]}")
    parts.dian_extensions(
        ubl_extensions(root), issuer, resolution=None,
        security_code=software_security_code(issuer.software_id, issuer.software_pin, document_number),
        qr_code=qr_url(key, issuer.environment),
    )
    parts.sub(root, cbc("UBLVersionID"), "UBL 2.1")
    parts.sub(root, cbc("CustomizationID"), WITH_REFERENCE)
    parts.sub(root, cbc("ProfileID"), CREDIT_NOTE_PROFILE)
    parts.sub(root, cbc("ProfileExecutionID"), issuer.environment)
    parts.sub(root, cbc("ID"), document_number)
    parts.sub(root, cbc("UUID"), key, schemeID=issuer.environment, schemeName="CUDE-SHA384")
    parts.sub(root, cbc("IssueDate"), fields.issue_date)
    parts.sub(root, cbc("IssueTime"), fields.issue_time)
    parts.sub(root, cbc("CreditNoteTypeCode"), CREDIT_NOTE_TYPE)
    for note in sale.notes:
        parts.sub(root, cbc("Note"), note)
    parts.sub(root, cbc("DocumentCurrencyCode"), parts.CURRENCY)
    parts.sub(root, cbc("LineCountNumeric"), str(len(sale.lines)))
    discrepancy = parts.sub(root, cac("DiscrepancyResponse"))
    parts.sub(discrepancy, cbc("ReferenceID"), original.number)
    parts.sub(discrepancy, cbc("ResponseCode"), concept)
    parts.sub(discrepancy, cbc("Description"), reason or CREDIT_NOTE_CONCEPTS[concept])
    reference = parts.sub(parts.sub(root, cac("BillingReference")), cac("InvoiceDocumentReference"))
    parts.sub(reference, cbc("ID"), original.number)
    parts.sub(reference, cbc("UUID"), original.uuid, schemeName=original.scheme_name)
    parts.sub(reference, cbc("IssueDate"), original.issue_date.isoformat())
    parts.supplier_party(root, issuer, prefix=issuer.resolution.prefix_text)
    parts.customer_party(root, sale.buyer)
    parts.payment_means(root, sale, local.date())
    for total in totals.tax_totals:
        parts.tax_total(root, total)
    parts.monetary_total(root, totals)
    _credit_note_lines(root, sale, totals)
    return BuiltDocument(
        xml=etree.tostring(root, xml_declaration=True, encoding="UTF-8"),
        uuid=key,
        document_number=document_number,
        scheme_name="CUDE-SHA384",
        qr_text=qr_content(fields, document_key=key, key_label="CUDE"),
        issue_date=local.date(),
    )


def _credit_note_lines(root: etree._Element, sale: ColombiaSale, totals: ColombiaTotals) -> None:
    for index, (line, amounts) in enumerate(zip(sale.lines, totals.lines, strict=True), start=1):
        element = parts.sub(root, cac("CreditNoteLine"))
        parts.sub(element, cbc("ID"), str(index))
        parts.sub(element, cbc("CreditedQuantity"), parts.quantity_text(line.quantity), unitCode=line.unit_code)
        parts.amount(element, "LineExtensionAmount", amounts.line_extension)
        # CreditNoteLine puts TaxTotal BEFORE AllowanceCharge, unlike InvoiceLine (UBL 2.1 XSD).
        parts.line_taxes(element, amounts)
        parts.line_allowance(element, amounts)
        parts.line_item(element, line.description, line.code, index)
        parts.line_price(element, line.unit_price, line.unit_code)
