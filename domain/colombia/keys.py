"""CUFE, CUDE, SoftwareSecurityCode and QR content (Anexo Técnico 1.9; reference §4.1–§4.5).

CUFE = SHA-384 hex of NumFac + FecFac + HorFac + ValFac + "01" + ValImp1 + "04" + ValImp2 + "03" +
ValImp3 + ValTot + NitOFE + NumAdq + ClTec + TipoAmbiente; the CUDE puts the software PIN where the
CUFE has the technical key. Amounts are TRUNCATED to two decimals, never rounded: rounding is the
classic cause of FAD06 (reference §4.1, lopezsoft changelog). The tax codes are fixed literals in
that order and always present; other tributos never enter the hash.
"""

import hashlib
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_DOWN, Decimal
from typing import Literal

from domain.money import CENT, ZERO

Environment = Literal["1", "2"]  # ProfileExecutionID: 1 producción, 2 pruebas (reference §3.3)

# Consulta pública of a document by its key (reference §4.5).
SEARCH_URLS: dict[str, str] = {
    "1": "https://catalogo-vpfe.dian.gov.co/document/searchqr?documentkey=",
    "2": "https://catalogo-vpfe-hab.dian.gov.co/document/searchqr?documentkey=",
}


@dataclass(frozen=True)
class KeyFields:
    """The document values the CUFE/CUDE covers, as they appear in the XML."""

    number: str  # cbc:ID, prefix included
    issue_date: str  # cbc:IssueDate, YYYY-MM-DD
    issue_time: str  # cbc:IssueTime, HH:MM:SS-05:00
    line_extension: Decimal  # LegalMonetaryTotal/LineExtensionAmount (ValFac)
    iva: Decimal  # header TaxTotal/TaxAmount of tributo 01
    inc: Decimal  # ... of tributo 04
    ica: Decimal  # ... of tributo 03
    payable: Decimal  # LegalMonetaryTotal/PayableAmount (ValTot)
    issuer_nit: str  # supplier PartyTaxScheme/CompanyID, no DV
    buyer_id: str  # customer PartyTaxScheme/CompanyID, no DV
    environment: Environment  # cbc:ProfileExecutionID

    @classmethod
    def of(
        cls,
        *,
        number: str,
        issue_date: date | str,
        issue_time: str,
        line_extension: Decimal,
        payable: Decimal,
        issuer_nit: str,
        buyer_id: str,
        environment: Environment,
        iva: Decimal = ZERO,
        inc: Decimal = ZERO,
        ica: Decimal = ZERO,
    ) -> "KeyFields":
        day = issue_date.isoformat() if isinstance(issue_date, date) else issue_date
        return cls(number, day, issue_time, line_extension, iva, inc, ica, payable, issuer_nit, buyer_id,
                   environment)


def amount_text(value: Decimal) -> str:
    """Two decimals, truncated, "." separator, no thousands separator (reference §4.1)."""
    return f"{value.quantize(CENT, rounding=ROUND_DOWN):.2f}"


def key_string(fields: KeyFields, secret: str) -> str:
    """The concatenation that is hashed; ``secret`` is the ClTec (CUFE) or the software PIN (CUDE)."""
    return "".join(
        (
            fields.number,
            fields.issue_date,
            fields.issue_time,
            amount_text(fields.line_extension),
            "01",
            amount_text(fields.iva),
            "04",
            amount_text(fields.inc),
            "03",
            amount_text(fields.ica),
            amount_text(fields.payable),
            fields.issuer_nit,
            fields.buyer_id,
            secret,
            fields.environment,
        )
    )


def _sha384(text: str) -> str:
    return hashlib.sha384(text.encode("utf-8")).hexdigest()


def cufe(fields: KeyFields, *, technical_key: str) -> str:
    """CUFE of invoices 01, 02 and 04 (reference §3.1, §4.1): lowercase hex, 96 characters."""
    return _sha384(key_string(fields, technical_key))


def cude(fields: KeyFields, *, software_pin: str) -> str:
    """CUDE of credit/debit notes and of the tipo 03 transmission instrument (reference §4.2)."""
    return _sha384(key_string(fields, software_pin))


def software_security_code(software_id: str, pin: str, number: str) -> str:
    """sts:SoftwareSecurityCode = SHA-384(SoftwareID + PIN + cbc:ID) (reference §4.4)."""
    return _sha384(f"{software_id}{pin}{number}")


def qr_url(document_key: str, environment: Environment) -> str:
    """The sts:QRCode value: DIAN's public search for the document (reference §4.5)."""
    return SEARCH_URLS[environment] + document_key


def qr_content(
    fields: KeyFields,
    *,
    document_key: str,
    other_taxes: Decimal | None = None,
    key_label: Literal["CUFE", "CUDE"] = "CUFE",
) -> str:
    """The printed QR text (reference §4.5): one ``Label: value`` per line, then the search URL.

    ``ValOtroIm`` is the sum of every tributo other than IVA; by default INC + ICA.
    """
    others = fields.inc + fields.ica if other_taxes is None else other_taxes
    lines = (
        f"NumFac: {fields.number}",
        f"FecFac: {fields.issue_date}",
        f"HorFac: {fields.issue_time}",
        f"NitFac: {fields.issuer_nit}",
        f"DocAdq: {fields.buyer_id}",
        f"ValFac: {amount_text(fields.line_extension)}",
        f"ValIva: {amount_text(fields.iva)}",
        f"ValOtroIm: {amount_text(others)}",
        f"ValTolFac: {amount_text(fields.payable)}",
        f"{key_label}: {document_key}",
        f"QRCode: {qr_url(document_key, fields.environment)}",
    )
    return "\n".join(lines)
