"""What the representación gráfica shows, read from the signed XML itself (reference §4.5).

Reading the document rather than the sale guarantees the PDF says exactly what DIAN validated.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from lxml import etree

from adapters.colombia.namespaces import CAC, CBC, CREDIT_NOTE, STS
from domain.colombia.catalog import (
    PAYMENT_FORMS,
    PAYMENT_MEANS,
    RESPONSIBILITIES,
    TAX_NAMES,
    TAX_REGIMES,
    UNIT_CODES,
    IdType,
)

NS = {"cac": CAC, "cbc": CBC, "sts": STS}
ID_TYPE_NAMES = {
    "11": "Registro civil", "12": "Tarjeta de identidad", "13": "C.C.", "21": "Tarjeta de extranjería",
    "22": "C.E.", "31": "NIT", "41": "Pasaporte", "42": "Doc. extranjero", "47": "PEP", "48": "PPT",
    "50": "NIT otro país", "91": "NUIP",
}


def plain(value: str) -> str:
    """``19.00`` → ``19``, ``2.50`` → ``2.5``: percentages and quantities as people write them."""
    return format(Decimal(value or "0").normalize(), "f")


def cop(value: Decimal | str) -> str:
    """Colombian notation: $ 1.234.567,89."""
    amount = Decimal(value)
    text = f"{amount:,.2f}".replace(",", "_").replace(".", ",").replace("_", ".")
    return f"$ {text}"


@dataclass(frozen=True)
class PartyView:
    name: str
    trade_name: str | None
    identification: str
    address: str | None
    responsibilities: str
    regime: str | None
    email: str | None
    phone: str | None


@dataclass(frozen=True)
class LineView:
    number: str
    code: str
    description: str
    quantity: str
    unit: str
    unit_price: str
    discount: str | None
    taxes: str
    total: str


@dataclass(frozen=True)
class DocumentView:
    title: str
    number: str
    issue_date: str
    issue_time: str
    due_date: str | None
    payment: str
    issuer: PartyView
    buyer: PartyView
    lines: list[LineView]
    taxes: list[tuple[str, str, str]]  # (label, base, amount)
    subtotal: str
    total_tax: str
    discounts: str | None
    total: str
    resolution: str | None
    reference: str | None
    notes: list[str] = field(default_factory=list)
    software: str = ""
    environment: str = "1"


def _text(element: etree._Element | None, path: str) -> str:
    if element is None:
        return ""
    return (element.findtext(path, "", NS) or "").strip()


def _party(root: etree._Element, role: str) -> PartyView:
    party = root.find(f"cac:{role}/cac:Party", NS)
    tax = party.find("cac:PartyTaxScheme", NS) if party is not None else None
    company = tax.find("cbc:CompanyID", NS) if tax is not None else None
    id_type = company.get("schemeName", "") if company is not None else ""
    number = (company.text or "").strip() if company is not None else ""
    dv = company.get("schemeID", "") if company is not None else ""
    identification = f"{ID_TYPE_NAMES.get(id_type, id_type)} {number}" + (f"-{dv}" if id_type == IdType.NIT and dv
                                                                          else "")
    address = party.find("cac:PhysicalLocation/cac:Address", NS) if party is not None else None
    where = None
    if address is not None:
        where = ", ".join(part for part in (_text(address, "cac:AddressLine/cbc:Line"), _text(address, "cbc:CityName"),
                                            _text(address, "cbc:CountrySubentity")) if part)
    level = tax.find("cbc:TaxLevelCode", NS) if tax is not None else None
    codes = (level.text or "").split(";") if level is not None and level.text else []
    responsibilities = "; ".join(f"{c} {RESPONSIBILITIES.get(c, '')}".strip() for c in codes)
    name = _text(tax, "cbc:RegistrationName")
    trade = _text(party, "cac:PartyName/cbc:Name")
    return PartyView(
        name=name, trade_name=trade if trade and trade != name else None, identification=identification,
        address=where, responsibilities=responsibilities,
        regime=TAX_REGIMES.get(level.get("listName", "")) if level is not None else None,
        email=_text(party, "cac:Contact/cbc:ElectronicMail") or None,
        phone=_text(party, "cac:Contact/cbc:Telephone") or None,
    )


def _lines(root: etree._Element, credit: bool) -> list[LineView]:
    tag, quantity_tag = ("cac:CreditNoteLine", "cbc:CreditedQuantity") if credit else ("cac:InvoiceLine",
                                                                                      "cbc:InvoicedQuantity")
    lines = []
    for line in root.findall(tag, NS):
        quantity = line.find(quantity_tag, NS)
        discount = _text(line, "cac:AllowanceCharge/cbc:Amount")
        taxes = ", ".join(
            f"{TAX_NAMES.get(_text(t, 'cac:TaxSubtotal/cac:TaxCategory/cac:TaxScheme/cbc:ID'), '')} "
            f"{plain(_text(t, 'cac:TaxSubtotal/cac:TaxCategory/cbc:Percent'))} %"
            for t in line.findall("cac:TaxTotal", NS)
        ) or "Excluido"
        lines.append(LineView(
            number=_text(line, "cbc:ID"),
            code=_text(line, "cac:Item/cac:StandardItemIdentification/cbc:ID"),
            description=_text(line, "cac:Item/cbc:Description"),
            quantity=plain(quantity.text or "0" if quantity is not None else "0"),
            unit=UNIT_CODES.get(unit, unit) if (unit := quantity.get("unitCode", "") if quantity is not None else "")
            else "",
            unit_price=cop(_text(line, "cac:Price/cbc:PriceAmount") or "0"),
            discount=cop(discount) if discount else None,
            taxes=taxes,
            total=cop(_text(line, "cbc:LineExtensionAmount") or "0"),
        ))
    return lines


def _resolution(root: etree._Element) -> str | None:
    control = root.find(".//sts:InvoiceControl", NS)
    if control is None:
        return None
    prefix = _text(control, "sts:AuthorizedInvoices/sts:Prefix")
    return (f"Autorización de numeración de facturación No. {_text(control, 'sts:InvoiceAuthorization')} del "
            f"{_text(control, 'sts:AuthorizationPeriod/cbc:StartDate')}, vigente hasta "
            f"{_text(control, 'sts:AuthorizationPeriod/cbc:EndDate')}. Rango {prefix}"
            f"{_text(control, 'sts:AuthorizedInvoices/sts:From')} al {prefix}"
            f"{_text(control, 'sts:AuthorizedInvoices/sts:To')}.")


def document_view(signed_xml: bytes) -> DocumentView:
    root = etree.fromstring(signed_xml, etree.XMLParser(resolve_entities=False, no_network=True))
    credit = etree.QName(root).namespace == CREDIT_NOTE
    type_code = _text(root, "cbc:InvoiceTypeCode")
    title = "NOTA CRÉDITO ELECTRÓNICA" if credit else "FACTURA ELECTRÓNICA DE VENTA"
    money = root.find("cac:LegalMonetaryTotal", NS)
    taxes = [
        (f"{TAX_NAMES.get(_text(s, 'cac:TaxCategory/cac:TaxScheme/cbc:ID'), '')} "
         f"{plain(_text(s, 'cac:TaxCategory/cbc:Percent'))} %",
         cop(_text(s, "cbc:TaxableAmount")), cop(_text(s, "cbc:TaxAmount")))
        for s in root.findall("cac:TaxTotal/cac:TaxSubtotal", NS)
    ]
    total_tax = sum((Decimal(_text(t, "cbc:TaxAmount") or "0") for t in root.findall("cac:TaxTotal", NS)),
                    Decimal("0"))
    discounts = sum((Decimal(a.text or "0") for a in root.iterfind(".//cac:AllowanceCharge/cbc:Amount", NS)),
                    Decimal("0"))
    reference = None
    billing = root.find("cac:BillingReference/cac:InvoiceDocumentReference", NS)
    if billing is not None:
        concept = _text(root, "cac:DiscrepancyResponse/cbc:Description")
        reference = (f"Factura {_text(billing, 'cbc:ID')} del {_text(billing, 'cbc:IssueDate')} · CUFE "
                     f"{_text(billing, 'cbc:UUID')} · Concepto: {concept}")
    means = root.find("cac:PaymentMeans", NS)
    return DocumentView(
        title=title + (" (CONTINGENCIA TIPO 04)" if type_code == "04" else ""),
        number=_text(root, "cbc:ID"),
        issue_date=_text(root, "cbc:IssueDate"),
        issue_time=_text(root, "cbc:IssueTime"),
        due_date=_text(root, "cbc:DueDate") or None,
        payment=f"{PAYMENT_FORMS.get(_text(means, 'cbc:ID'), '')} · "
                f"{PAYMENT_MEANS.get(_text(means, 'cbc:PaymentMeansCode'), _text(means, 'cbc:PaymentMeansCode'))}",
        issuer=_party(root, "AccountingSupplierParty"),
        buyer=_party(root, "AccountingCustomerParty"),
        lines=_lines(root, credit),
        taxes=taxes,
        subtotal=cop(_text(money, "cbc:LineExtensionAmount") or "0"),
        total_tax=cop(total_tax),
        discounts=cop(discounts) if discounts else None,
        total=cop(_text(money, "cbc:PayableAmount") or "0"),
        resolution=_resolution(root),
        reference=reference,
        notes=[(n.text or "").strip() for n in root.findall("cbc:Note", NS) if n.text],
        software=f"Software propio · NIT proveedor {_text(root, './/sts:SoftwareProvider/sts:ProviderID')}",
        environment=_text(root, "cbc:ProfileExecutionID") or "1",
    )
