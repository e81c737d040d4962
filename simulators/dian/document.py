"""Read a DIAN UBL document (Invoice or CreditNote) into the facts the validation rules need.

Anything missing or unparseable that the rules depend on raises :class:`StructureError`, which the
service reports as ZB01 ("Fallo en el esquema XML del archivo") like DIAN does for schema failures.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from lxml import etree

INVOICE_NS = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
CREDIT_NOTE_NS = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
EXT = "urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2"
NS = {"cac": CAC, "cbc": CBC, "ext": EXT}
KINDS = {INVOICE_NS: "Invoice", CREDIT_NOTE_NS: "CreditNote"}


class StructureError(Exception):
    pass


@dataclass(frozen=True)
class Subtotal:
    taxable: Decimal
    amount: Decimal
    percent: Decimal
    scheme: str


@dataclass(frozen=True)
class TaxTotal:
    amount: Decimal
    subtotals: tuple[Subtotal, ...]


@dataclass(frozen=True)
class Line:
    extension: Decimal
    quantity: Decimal
    taxes: tuple[TaxTotal, ...]


@dataclass(frozen=True)
class Control:
    authorization: str
    start: str
    end: str
    prefix: str
    range_from: int
    range_to: int


@dataclass(frozen=True)
class Reference:
    number: str
    uuid: str
    issue_date: str


@dataclass(frozen=True)
class Party:
    company_id: str
    dv: str
    id_type: str
    name: str


@dataclass
class Document:
    root: etree._Element
    kind: str  # Invoice | CreditNote
    number: str
    uuid: str
    uuid_scheme: str
    issue_date: str
    issue_time: str
    type_code: str  # InvoiceTypeCode, or 91 for credit notes
    customization: str
    environment: str  # ProfileExecutionID
    currency: str
    supplier: Party
    customer: Party
    monetary: dict[str, Decimal]
    tax_totals: tuple[TaxTotal, ...]
    lines: tuple[Line, ...]
    line_count: str
    extension: dict[str, str] = field(default_factory=dict)  # DianExtensions values
    control: Control | None = None
    reference: Reference | None = None
    discrepancy_code: str | None = None

    @property
    def letter(self) -> str:
        """Rule codes start with F for invoices and C for credit notes (reference §8)."""
        return "F" if self.kind == "Invoice" else "C"

    def header_tax(self, scheme: str) -> Decimal:
        return sum((t.amount for t in self.tax_totals if t.subtotals and t.subtotals[0].scheme == scheme),
                   Decimal("0"))


def _text(element: etree._Element, path: str, *, required: bool = True) -> str:
    found = element.find(path, NS)
    text = (found.text or "").strip() if found is not None else ""
    if required and not text:
        raise StructureError(f"falta {path}")
    return text


def _decimal(element: etree._Element, path: str) -> Decimal:
    text = _text(element, path)
    try:
        return Decimal(text)
    except InvalidOperation as exc:
        raise StructureError(f"{path} no es un número: {text!r}") from exc


def _tax_total(element: etree._Element) -> TaxTotal:
    subtotals = tuple(
        Subtotal(_decimal(s, "cbc:TaxableAmount"), _decimal(s, "cbc:TaxAmount"),
                 _decimal(s, "cac:TaxCategory/cbc:Percent") if s.find("cac:TaxCategory/cbc:Percent", NS) is not None
                 else Decimal("0"),
                 _text(s, "cac:TaxCategory/cac:TaxScheme/cbc:ID"))
        for s in element.findall("cac:TaxSubtotal", NS)
    )
    return TaxTotal(_decimal(element, "cbc:TaxAmount"), subtotals)


def _party(root: etree._Element, role: str) -> Party:
    company = root.find(f"cac:{role}/cac:Party/cac:PartyTaxScheme/cbc:CompanyID", NS)
    if company is None or not (company.text or "").strip():
        raise StructureError(f"falta {role}/Party/PartyTaxScheme/CompanyID")
    name = root.findtext(f"cac:{role}/cac:Party/cac:PartyTaxScheme/cbc:RegistrationName", "", NS)
    return Party((company.text or "").strip(), company.get("schemeID", ""), company.get("schemeName", ""), name)


def _extension(root: etree._Element) -> tuple[dict[str, str], Control | None]:
    dian = root.find("ext:UBLExtensions/ext:UBLExtension/ext:ExtensionContent/*", NS)
    if dian is None or etree.QName(dian).localname != "DianExtensions":
        raise StructureError("falta sts:DianExtensions en el primer ext:UBLExtension")
    values: dict[str, str] = {}
    for element in dian.iter():
        if isinstance(element.tag, str) and len(element) == 0:
            values[etree.QName(element).localname] = (element.text or "").strip()
            for attribute in ("schemeID",):
                if element.get(attribute) is not None:
                    values[f"{etree.QName(element).localname}@{attribute}"] = element.get(attribute, "")
    control = None
    if any(etree.QName(e).localname == "InvoiceControl" for e in dian if isinstance(e.tag, str)):
        try:
            control = Control(values.get("InvoiceAuthorization", ""), values.get("StartDate", ""),
                              values.get("EndDate", ""), values.get("Prefix", ""),
                              int(values.get("From", "")), int(values.get("To", "")))
        except ValueError as exc:
            raise StructureError("sts:AuthorizedInvoices From/To no son números") from exc
    return values, control


def read_document(root: etree._Element) -> Document:
    kind = KINDS.get(etree.QName(root).namespace or "")
    if kind is None or etree.QName(root).localname != kind:
        raise StructureError(f"elemento raíz no soportado: {root.tag}")
    uuid = root.find("cbc:UUID", NS)
    if uuid is None or not (uuid.text or "").strip():
        raise StructureError("falta cbc:UUID")
    line_tag = "InvoiceLine" if kind == "Invoice" else "CreditNoteLine"
    quantity_tag = "InvoicedQuantity" if kind == "Invoice" else "CreditedQuantity"
    lines = tuple(
        Line(_decimal(line, "cbc:LineExtensionAmount"), _decimal(line, f"cbc:{quantity_tag}"),
             tuple(_tax_total(t) for t in line.findall("cac:TaxTotal", NS)))
        for line in root.findall(f"cac:{line_tag}", NS)
    )
    if not lines:
        raise StructureError(f"el documento no tiene cac:{line_tag}")
    monetary_element = root.find("cac:LegalMonetaryTotal", NS)
    if monetary_element is None:
        raise StructureError("falta cac:LegalMonetaryTotal")
    monetary = {}
    for name in ("LineExtensionAmount", "TaxExclusiveAmount", "TaxInclusiveAmount", "AllowanceTotalAmount",
                 "ChargeTotalAmount", "PrepaidAmount", "PayableRoundingAmount", "PayableAmount"):
        if monetary_element.find(f"cbc:{name}", NS) is not None:
            monetary[name] = _decimal(monetary_element, f"cbc:{name}")
    for required in ("LineExtensionAmount", "PayableAmount"):
        if required not in monetary:
            raise StructureError(f"falta LegalMonetaryTotal/{required}")
    values, control = _extension(root)
    reference = None
    billing = root.find("cac:BillingReference/cac:InvoiceDocumentReference", NS)
    if billing is not None:
        reference = Reference(_text(billing, "cbc:ID"), _text(billing, "cbc:UUID", required=False),
                              _text(billing, "cbc:IssueDate", required=False))
    return Document(
        root=root,
        kind=kind,
        number=_text(root, "cbc:ID"),
        uuid=(uuid.text or "").strip(),
        uuid_scheme=uuid.get("schemeName", ""),
        issue_date=_text(root, "cbc:IssueDate"),
        issue_time=_text(root, "cbc:IssueTime"),
        type_code=_text(root, "cbc:InvoiceTypeCode") if kind == "Invoice" else _text(root, "cbc:CreditNoteTypeCode"),
        customization=_text(root, "cbc:CustomizationID"),
        environment=_text(root, "cbc:ProfileExecutionID"),
        currency=_text(root, "cbc:DocumentCurrencyCode"),
        supplier=_party(root, "AccountingSupplierParty"),
        customer=_party(root, "AccountingCustomerParty"),
        monetary=monetary,
        tax_totals=tuple(_tax_total(t) for t in root.findall("cac:TaxTotal", NS)),
        lines=lines,
        line_count=_text(root, "cbc:LineCountNumeric", required=False),
        extension=values,
        control=control,
        reference=reference,
        discrepancy_code=_text(root, "cac:DiscrepancyResponse/cbc:ResponseCode", required=False) or None,
    )
