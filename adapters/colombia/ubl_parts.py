"""Building blocks shared by the Invoice and the CreditNote (reference §2.3–§2.7).

Each function appends one UBL aggregate in the XSD's element order; optional elements are omitted
rather than written empty. Amounts are written with two decimals and ``currencyID="COP"``.
"""

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Final

from lxml import etree

from adapters.colombia.issuer import DianIssuerProfile
from adapters.colombia.namespaces import cac, cbc, sts
from domain.colombia.catalog import PARTY_TAX_SCHEMES, TAX_NAMES, IdType
from domain.colombia.resolution import NumberingResolution
from domain.colombia.sale import ColombiaAddress, ColombiaBuyer, ColombiaSale
from domain.colombia.totals import ColombiaTotals, LineTotals, TaxSchemeTotal
from domain.money import round2

# Colombia has kept UTC−05:00 without daylight saving since 1993: a fixed offset is exact.
BOGOTA: Final = timezone(timedelta(hours=-5), "America/Bogota")
CURRENCY: Final = "COP"
DIAN_NIT: Final = "800197268"  # AuthorizationProviderID, DV 4 (reference §2.3, §4.6)
# "+AG" attributes of DIAN identifiers (reference §2.3).
AGENCY: Final = {"schemeAgencyID": "195",
                 "schemeAgencyName": "CO, DIAN (Dirección de Impuestos y Aduanas Nacionales)"}


def local_time(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("timestamps must be timezone-aware")
    return moment.astimezone(BOGOTA)


def issue_time_text(moment: datetime) -> str:
    """cbc:IssueTime as the Anexo writes it: ``HH:MM:SS-05:00``."""
    return local_time(moment).strftime("%H:%M:%S") + "-05:00"


def money(value: Decimal) -> str:
    return f"{round2(value):.2f}"


def price_text(value: Decimal) -> str:
    """Unit prices keep their own decimals (up to six), never fewer than two."""
    text = format(value.normalize(), "f")
    whole, _, decimals = text.partition(".")
    return f"{whole}.{decimals.ljust(2, '0')}"


def quantity_text(value: Decimal) -> str:
    return price_text(value)


def sub(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    element = etree.SubElement(parent, tag, attrs)
    if text is not None:
        element.text = text
    return element


def amount(parent: etree._Element, tag: str, value: Decimal) -> etree._Element:
    return sub(parent, cbc(tag), money(value), currencyID=CURRENCY)


# --- DianExtensions (reference §2.3) ---------------------------------------------------------


def dian_extensions(
    content: etree._Element,
    issuer: DianIssuerProfile,
    *,
    resolution: NumberingResolution | None,
    security_code: str,
    qr_code: str,
) -> None:
    extensions = sub(content, sts("DianExtensions"))
    if resolution is not None:  # invoices only; notes carry no InvoiceControl (§2.8)
        control = sub(extensions, sts("InvoiceControl"))
        sub(control, sts("InvoiceAuthorization"), resolution.authorization)
        period = sub(control, sts("AuthorizationPeriod"))
        sub(period, cbc("StartDate"), resolution.valid_from.isoformat())
        sub(period, cbc("EndDate"), resolution.valid_to.isoformat())
        invoices = sub(control, sts("AuthorizedInvoices"))
        if resolution.prefix:
            sub(invoices, sts("Prefix"), resolution.prefix)
        sub(invoices, sts("From"), str(resolution.range_from))
        sub(invoices, sts("To"), str(resolution.range_to))
    source = sub(extensions, sts("InvoiceSource"))
    sub(source, cbc("IdentificationCode"), "CO", listAgencyID="6",
        listAgencyName="United Nations Economic Commission for Europe",
        listSchemeURI="urn:oasis:names:specification:ubl:codelist:gc:CountryIdentificationCode-2.1")
    provider = sub(extensions, sts("SoftwareProvider"))
    sub(provider, sts("ProviderID"), issuer.provider_nit, **AGENCY, schemeID=issuer.provider_check_digit,
        schemeName="31")
    sub(provider, sts("SoftwareID"), issuer.software_id, **AGENCY)
    sub(extensions, sts("SoftwareSecurityCode"), security_code, **AGENCY)
    authorization = sub(extensions, sts("AuthorizationProvider"))
    sub(authorization, sts("AuthorizationProviderID"), DIAN_NIT, **AGENCY, schemeID="4", schemeName="31")
    sub(extensions, sts("QRCode"), qr_code)


# --- Parties (reference §2.4) ------------------------------------------------------------------


def _address(parent: etree._Element, tag: str, address: ColombiaAddress) -> None:
    element = sub(parent, cac(tag))
    sub(element, cbc("ID"), address.city_code)
    sub(element, cbc("CityName"), address.city_name)
    if address.postal_code:
        sub(element, cbc("PostalZone"), address.postal_code)
    sub(element, cbc("CountrySubentity"), address.department_name)
    sub(element, cbc("CountrySubentityCode"), address.department_code)
    sub(sub(element, cac("AddressLine")), cbc("Line"), address.line)
    country = sub(element, cac("Country"))
    sub(country, cbc("IdentificationCode"), address.country_code)
    sub(country, cbc("Name"), address.country_name, languageID="es")


def _company_id(parent: etree._Element, number: str, id_type: str, dv: str | None) -> None:
    # The DV travels only in @schemeID, never concatenated (FAJ24 reads it there); accepted documents
    # send schemeID="" for non-NIT documents (reference §2.4).
    sub(parent, cbc("CompanyID"), number, **AGENCY, schemeID=dv or "", schemeName=id_type)


def _tax_scheme(parent: etree._Element, scheme: str) -> None:
    element = sub(parent, cac("TaxScheme"))
    sub(element, cbc("ID"), scheme)
    sub(element, cbc("Name"), PARTY_TAX_SCHEMES[scheme])


def supplier_party(root: etree._Element, issuer: DianIssuerProfile, *, prefix: str) -> None:
    supplier = sub(root, cac("AccountingSupplierParty"))
    sub(supplier, cbc("AdditionalAccountID"), issuer.person_type)
    party = sub(supplier, cac("Party"))
    sub(sub(party, cac("PartyName")), cbc("Name"), issuer.trade_name or issuer.legal_name)
    _address(sub(party, cac("PhysicalLocation")), "Address", issuer.address)
    tax = sub(party, cac("PartyTaxScheme"))
    sub(tax, cbc("RegistrationName"), issuer.legal_name)
    _company_id(tax, issuer.nit, IdType.NIT.value, issuer.check_digit)
    sub(tax, cbc("TaxLevelCode"), ";".join(issuer.tax_responsibilities), listName=issuer.tax_regime)
    _address(tax, "RegistrationAddress", issuer.address)
    _tax_scheme(tax, issuer.tax_scheme)
    legal = sub(party, cac("PartyLegalEntity"))
    sub(legal, cbc("RegistrationName"), issuer.legal_name)
    _company_id(legal, issuer.nit, IdType.NIT.value, issuer.check_digit)
    # CorporateRegistrationScheme/ID = the invoice prefix (FAJ49/FAJ50), Name = matrícula mercantil.
    registration = sub(legal, cac("CorporateRegistrationScheme"))
    if prefix:
        sub(registration, cbc("ID"), prefix)
    if issuer.commercial_registration:
        sub(registration, cbc("Name"), issuer.commercial_registration)
    _contact(party, issuer.phone, issuer.email)


def customer_party(root: etree._Element, buyer: ColombiaBuyer) -> None:
    customer = sub(root, cac("AccountingCustomerParty"))
    sub(customer, cbc("AdditionalAccountID"), buyer.person_type)
    party = sub(customer, cac("Party"))
    dv = buyer.check_digit if buyer.id_type == IdType.NIT else None
    if buyer.person_type == "2":  # required for natural persons (FAK61/62)
        sub(sub(party, cac("PartyIdentification")), cbc("ID"), buyer.identification,
            **AGENCY, schemeID=dv or "", schemeName=buyer.id_type.value)
    sub(sub(party, cac("PartyName")), cbc("Name"), buyer.trade_name or buyer.name)
    if buyer.address is not None:
        _address(sub(party, cac("PhysicalLocation")), "Address", buyer.address)
    tax = sub(party, cac("PartyTaxScheme"))
    sub(tax, cbc("RegistrationName"), buyer.name)
    _company_id(tax, buyer.identification, buyer.id_type.value, dv)
    sub(tax, cbc("TaxLevelCode"), ";".join(buyer.tax_responsibilities), listName=buyer.tax_regime)
    if buyer.address is not None:
        _address(tax, "RegistrationAddress", buyer.address)
    _tax_scheme(tax, buyer.tax_scheme)
    legal = sub(party, cac("PartyLegalEntity"))
    sub(legal, cbc("RegistrationName"), buyer.name)
    _company_id(legal, buyer.identification, buyer.id_type.value, dv)
    _contact(party, buyer.phone, buyer.email)


def _contact(party: etree._Element, phone: str | None, email: str | None) -> None:
    if phone or email:
        contact = sub(party, cac("Contact"))
        if phone:
            sub(contact, cbc("Telephone"), phone)
        if email:
            sub(contact, cbc("ElectronicMail"), email)


# --- Payment, taxes and totals (reference §2.5, §2.6) -----------------------------------------


def payment_means(root: etree._Element, sale: ColombiaSale, issue_date: date) -> None:
    means = sub(root, cac("PaymentMeans"))
    sub(means, cbc("ID"), sale.payment.form)
    sub(means, cbc("PaymentMeansCode"), sale.payment.means_code)
    sub(means, cbc("PaymentDueDate"), (sale.payment.due_date or issue_date).isoformat())


def tax_total(parent: etree._Element, total: TaxSchemeTotal) -> None:
    element = sub(parent, cac("TaxTotal"))
    amount(element, "TaxAmount", total.amount)
    for group in total.subtotals:
        subtotal = sub(element, cac("TaxSubtotal"))
        amount(subtotal, "TaxableAmount", group.taxable)
        amount(subtotal, "TaxAmount", group.amount)
        _tax_category(subtotal, group.scheme, group.percent)


def _tax_category(parent: etree._Element, scheme: str, percent: Decimal) -> None:
    category = sub(parent, cac("TaxCategory"))
    sub(category, cbc("Percent"), f"{percent:.2f}")
    tax_scheme = sub(category, cac("TaxScheme"))
    sub(tax_scheme, cbc("ID"), scheme)
    sub(tax_scheme, cbc("Name"), TAX_NAMES[scheme])


def monetary_total(root: etree._Element, totals: ColombiaTotals) -> None:
    element = sub(root, cac("LegalMonetaryTotal"))
    amount(element, "LineExtensionAmount", totals.line_extension)
    amount(element, "TaxExclusiveAmount", totals.tax_exclusive)
    amount(element, "TaxInclusiveAmount", totals.tax_inclusive)
    amount(element, "AllowanceTotalAmount", totals.allowance_total)
    amount(element, "ChargeTotalAmount", totals.charge_total)
    amount(element, "PayableAmount", totals.payable)


def line_allowance(parent: etree._Element, totals: LineTotals) -> None:
    if totals.discount <= 0:
        return
    allowance = sub(parent, cac("AllowanceCharge"))
    sub(allowance, cbc("ID"), "1")
    sub(allowance, cbc("ChargeIndicator"), "false")
    sub(allowance, cbc("AllowanceChargeReason"), "Descuento")
    factor = totals.discount * 100 / totals.gross if totals.gross else Decimal(0)
    sub(allowance, cbc("MultiplierFactorNumeric"), f"{round2(factor):.2f}")
    amount(allowance, "Amount", totals.discount)
    amount(allowance, "BaseAmount", totals.gross)


def line_taxes(parent: etree._Element, totals: LineTotals) -> None:
    # One TaxTotal per tributo of the line; an excluded line has none (reference §2.6).
    for tax in totals.taxes:
        element = sub(parent, cac("TaxTotal"))
        amount(element, "TaxAmount", tax.amount)
        subtotal = sub(element, cac("TaxSubtotal"))
        amount(subtotal, "TaxableAmount", tax.taxable)
        amount(subtotal, "TaxAmount", tax.amount)
        _tax_category(subtotal, tax.scheme, tax.percent)


def line_item(parent: etree._Element, description: str, code: str | None, line_number: int) -> None:
    item = sub(parent, cac("Item"))
    sub(item, cbc("Description"), description)
    # "999" = the taxpayer's own coding (reference §3.9); without it DIAN notifies FAZ09.
    standard = sub(item, cac("StandardItemIdentification"))
    sub(standard, cbc("ID"), code or str(line_number), schemeID="999",
        schemeName="Estándar de adopción del contribuyente", schemeAgencyID="195")


def line_price(parent: etree._Element, unit_price: Decimal, unit_code: str) -> None:
    # BaseQuantity 1: PriceAmount is per unit, so quantity × price / base = quantity × price (§2.7).
    price = sub(parent, cac("Price"))
    sub(price, cbc("PriceAmount"), price_text(unit_price), currencyID=CURRENCY)
    sub(price, cbc("BaseQuantity"), "1", unitCode=unit_code)
