"""What every DIAN builder returns, and the parts every DIAN document shares at its top."""

from dataclasses import dataclass
from datetime import date, datetime

from lxml import etree

from adapters.colombia import ubl_parts as parts
from adapters.colombia.issuer import DianIssuerProfile
from adapters.colombia.namespaces import ext
from domain.colombia.catalog import ICA, INC, IVA
from domain.colombia.keys import KeyFields
from domain.colombia.sale import ColombiaSale
from domain.colombia.totals import ColombiaTotals


@dataclass(frozen=True)
class BuiltDocument:
    xml: bytes  # unsigned; sign with adapters.colombia.xades_epes.sign_ubl
    uuid: str  # CUFE or CUDE
    document_number: str  # cbc:ID, prefix included
    scheme_name: str = "CUFE-SHA384"
    qr_text: str = ""  # what the printed QR code carries (reference §4.5)
    issue_date: date | None = None


def ubl_extensions(root: etree._Element) -> etree._Element:
    """Two UBLExtensions: returns the first ExtensionContent; the second stays empty for the signature."""
    extensions = parts.sub(root, ext("UBLExtensions"))
    first = parts.sub(parts.sub(extensions, ext("UBLExtension")), ext("ExtensionContent"))
    parts.sub(parts.sub(extensions, ext("UBLExtension")), ext("ExtensionContent"))
    return first


def key_fields(
    sale: ColombiaSale,
    totals: ColombiaTotals,
    issuer: DianIssuerProfile,
    document_number: str,
    local: datetime,
) -> KeyFields:
    """The CUFE/CUDE inputs, taken from the same values the document carries (reference §4.1)."""
    return KeyFields(
        number=document_number,
        issue_date=local.date().isoformat(),
        issue_time=parts.issue_time_text(local),
        line_extension=totals.line_extension,
        iva=totals.tax_amount(IVA),
        inc=totals.tax_amount(INC),
        ica=totals.tax_amount(ICA),
        payable=totals.payable,
        issuer_nit=issuer.nit,
        buyer_id=sale.buyer.identification,
        environment=issuer.environment,
    )
