"""UBL 2.1 Invoice for the DIAN (Anexo Técnico 1.9; reference §2.2–§2.7, §3.1, §4).

The element order is the XSD's (a misplaced element is ZB01). The CUFE, the SoftwareSecurityCode and
the QR are computed here from the very values written into the document, so they cannot disagree
(FAD06). The first UBLExtension holds sts:DianExtensions; the second is left with an empty
ExtensionContent that :func:`adapters.colombia.xades_epes.sign_ubl` fills with the signature.
"""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from lxml import etree

from adapters.colombia import ubl_parts as parts
from adapters.colombia.credit_note_xml import InvoiceReference, build_credit_note
from adapters.colombia.document import BuiltDocument, key_fields, ubl_extensions
from adapters.colombia.issuer import DianIssuerProfile
from adapters.colombia.namespaces import INVOICE, SCHEMA_LOCATIONS, XSI, cac, cbc, root_nsmap
from domain.colombia.keys import cude, cufe, qr_content, qr_url, software_security_code
from domain.colombia.resolution import NumberingResolution
from domain.colombia.sale import ColombiaSale
from domain.colombia.totals import ColombiaTotals, compute_totals

__all__ = ["BuiltDocument", "InvoiceReference", "PaperInvoiceReference", "build_credit_note", "build_invoice"]

InvoiceType = Literal["01", "03", "04"]
INVOICE_PROFILE = "DIAN 2.1: Factura Electrónica de Venta"
# Tipo de operación 10 Estándar (reference §3.2). Contingency does not change it: tipo 03/04 is said
# by InvoiceTypeCode, not by CustomizationID.
STANDARD_OPERATION = "10"


@dataclass(frozen=True)
class PaperInvoiceReference:
    """Tipo 03: the paper invoice being transcribed (AdditionalDocumentReference, reference §10.2).

    ``type_code`` (cbc:DocumentTypeCode) is not confirmed by a primary source; check the Anexo.
    """

    number: str
    issue_date: date
    type_code: str = "03"


def build_invoice(
    sale: ColombiaSale,
    *,
    number: int,
    issuer: DianIssuerProfile,
    issued_at: datetime,
    invoice_type: InvoiceType = "01",
    paper_invoice: PaperInvoiceReference | None = None,
) -> BuiltDocument:
    """The unsigned invoice. ``issued_at`` must be the signing moment: IssueDate = SigningTime date (FAD09e).

    Tipo 04 (DIAN unavailable) keeps the normal range, prefix and number and a CUFE with the ClTec; tipo 03
    (issuer contingency) uses the contingency range and a CUDE with the software PIN (reference §3.1, §10).
    """
    resolution = _resolution_for(issuer, invoice_type)
    if invoice_type == "03" and paper_invoice is None:
        raise ValueError("a tipo 03 invoice transcribes a paper invoice: pass paper_invoice")
    local = parts.local_time(issued_at)
    totals = compute_totals(sale)
    document_number = resolution.document_number(number)
    fields = key_fields(sale, totals, issuer, document_number, local)
    label: Literal["CUFE", "CUDE"] = "CUDE" if invoice_type == "03" else "CUFE"
    if label == "CUDE":
        key = cude(fields, software_pin=issuer.software_pin)
    else:
        key = cufe(fields, technical_key=resolution.technical_key)
    scheme_name = f"{label}-SHA384"

    root = etree.Element(etree.QName(INVOICE, "Invoice"), nsmap=root_nsmap(INVOICE))
    root.set(f"{{{XSI}}}schemaLocation", f"{INVOICE} {SCHEMA_LOCATIONS[INVOICE]}")
    content = ubl_extensions(root)
    parts.dian_extensions(
        content, issuer, resolution=resolution,
        security_code=software_security_code(issuer.software_id, issuer.software_pin, document_number),
        qr_code=qr_url(key, issuer.environment),
    )
    parts.sub(root, cbc("UBLVersionID"), "UBL 2.1")
    parts.sub(root, cbc("CustomizationID"), STANDARD_OPERATION)
    parts.sub(root, cbc("ProfileID"), INVOICE_PROFILE)
    parts.sub(root, cbc("ProfileExecutionID"), issuer.environment)
    parts.sub(root, cbc("ID"), document_number)
    parts.sub(root, cbc("UUID"), key, schemeID=issuer.environment, schemeName=scheme_name)
    parts.sub(root, cbc("IssueDate"), fields.issue_date)
    parts.sub(root, cbc("IssueTime"), fields.issue_time)
    if sale.payment.due_date is not None:
        parts.sub(root, cbc("DueDate"), sale.payment.due_date.isoformat())
    parts.sub(root, cbc("InvoiceTypeCode"), invoice_type)
    for note in sale.notes:
        parts.sub(root, cbc("Note"), note)
    parts.sub(root, cbc("DocumentCurrencyCode"), parts.CURRENCY)
    parts.sub(root, cbc("LineCountNumeric"), str(len(sale.lines)))
    if paper_invoice is not None:
        reference = parts.sub(root, cac("AdditionalDocumentReference"))
        parts.sub(reference, cbc("ID"), paper_invoice.number)
        parts.sub(reference, cbc("IssueDate"), paper_invoice.issue_date.isoformat())
        parts.sub(reference, cbc("DocumentTypeCode"), paper_invoice.type_code)
    parts.supplier_party(root, issuer, prefix=resolution.prefix_text)
    parts.customer_party(root, sale.buyer)
    parts.payment_means(root, sale, local.date())
    for total in totals.tax_totals:
        parts.tax_total(root, total)
    parts.monetary_total(root, totals)
    _invoice_lines(root, sale, totals)
    return BuiltDocument(
        xml=etree.tostring(root, xml_declaration=True, encoding="UTF-8"),
        uuid=key,
        document_number=document_number,
        scheme_name=scheme_name,
        qr_text=qr_content(fields, document_key=key, key_label=label),
        issue_date=local.date(),
    )


def _resolution_for(issuer: DianIssuerProfile, invoice_type: InvoiceType) -> NumberingResolution:
    if invoice_type != "03":
        return issuer.resolution
    if issuer.contingency_resolution is None:
        raise ValueError(f"issuer {issuer.nit} has no contingency numbering range for tipo 03 invoices")
    return issuer.contingency_resolution


def _invoice_lines(root: etree._Element, sale: ColombiaSale, totals: ColombiaTotals) -> None:
    for index, (line, amounts) in enumerate(zip(sale.lines, totals.lines, strict=True), start=1):
        element = parts.sub(root, cac("InvoiceLine"))
        parts.sub(element, cbc("ID"), str(index))
        parts.sub(element, cbc("InvoicedQuantity"), parts.quantity_text(line.quantity), unitCode=line.unit_code)
        parts.amount(element, "LineExtensionAmount", amounts.line_extension)
        parts.line_allowance(element, amounts)
        parts.line_taxes(element, amounts)
        parts.line_item(element, line.description, line.code, index)
        parts.line_price(element, line.unit_price, line.unit_code)

