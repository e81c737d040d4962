"""DIAN code tables used by the sale model and the validation (reference §3).

Only the values a sale can carry are listed; each comment names the Anexo table it comes from.
"""

from decimal import Decimal
from enum import StrEnum
from typing import Final


class IdType(StrEnum):
    """Tipo de documento de identificación (Anexo table 13.2.1, reference §3.4)."""

    REGISTRO_CIVIL = "11"
    TARJETA_IDENTIDAD = "12"
    CEDULA_CIUDADANIA = "13"
    TARJETA_EXTRANJERIA = "21"
    CEDULA_EXTRANJERIA = "22"
    NIT = "31"
    PASAPORTE = "41"
    DOCUMENTO_EXTRANJERO = "42"
    PEP = "47"  # permiso especial de permanencia (new in 1.9)
    PPT = "48"  # permiso por protección temporal (new in 1.9)
    NIT_OTRO_PAIS = "50"
    NUIP = "91"


# Foreign documents may carry letters; Colombian ones are digits only.
ALPHANUMERIC_ID_TYPES: Final = frozenset(
    {IdType.PASAPORTE, IdType.DOCUMENTO_EXTRANJERO, IdType.NIT_OTRO_PAIS, IdType.PEP, IdType.PPT}
)

# Adquirente no identificado / consumidor final (reference §2.4).
CONSUMIDOR_FINAL_ID: Final = "222222222222"

# Tributos a sale line may carry (reference §3.6). ICA (03) is a municipal tax the issuer settles
# outside the invoice in the common case, so it is not offered; it still enters the CUFE as 0.00.
IVA: Final = "01"
INC: Final = "04"
ICA: Final = "03"
TAX_NAMES: Final = {IVA: "IVA", INC: "INC", ICA: "ICA"}
# Rates in force (reference §3.6): IVA 0 (exento), 5, 19 (16 only for old state contracts); INC 2, 4, 8, 16.
TAX_RATES: Final[dict[str, frozenset[Decimal]]] = {
    IVA: frozenset({Decimal("0"), Decimal("5"), Decimal("16"), Decimal("19")}),
    INC: frozenset({Decimal("2"), Decimal("4"), Decimal("8"), Decimal("16")}),
}

# Party-level tax scheme (PartyTaxScheme/TaxScheme/cbc:ID, reference §2.4).
PARTY_TAX_SCHEMES: Final = {"01": "IVA", "04": "INC", "ZA": "IVA e INC", "ZZ": "No aplica"}

# Responsabilidades fiscales, TaxLevelCode (Anexo table 13.2.6.1, reference §3.5).
RESPONSIBILITIES: Final = {
    "O-13": "Gran contribuyente",
    "O-15": "Autorretenedor",
    "O-23": "Agente de retención IVA",
    "O-47": "Régimen simple de tributación",
    "R-99-PN": "No aplica – Otros",
}

# Régimen fiscal, TaxLevelCode/@listName (reference §2.4).
TAX_REGIMES: Final = {"48": "Responsable de IVA", "49": "No responsable de IVA"}

# Tipo de organización jurídica, AdditionalAccountID.
PERSON_TYPES: Final = {"1": "Persona jurídica", "2": "Persona natural"}

# Forma de pago and the common medios de pago (MediosPago-2.1.gc, reference §3.7).
PAYMENT_FORMS: Final = {"1": "Contado", "2": "Crédito"}
PAYMENT_MEANS: Final = {
    "1": "Instrumento no definido",
    "10": "Efectivo",
    "20": "Cheque",
    "30": "Transferencia crédito",
    "31": "Transferencia débito",
    "42": "Consignación bancaria",
    "45": "Transferencia crédito bancario",
    "46": "Transferencia débito interbancario",
    "47": "Transferencia débito bancaria",
    "48": "Tarjeta crédito",
    "49": "Tarjeta débito",
    "ZZZ": "Acuerdo mutuo",
}

# Units (UN/ECE Rec 20) accepted by the sale model: the usual ones of retail and services. DIAN's own
# list is the full Rec 20 with corrupted entries (reference §3.9), so a short verified list is safer.
UNIT_CODES: Final = {
    "94": "unidad",
    "EA": "cada uno",
    "NIU": "número de unidades",
    "KGM": "kilogramo",
    "GRM": "gramo",
    "LTR": "litro",
    "MTR": "metro",
    "MTK": "metro cuadrado",
    "HUR": "hora",
    "DAY": "día",
    "MON": "mes",
    "ZZ": "mutuamente definido",
}

# Conceptos de corrección de la nota crédito (Anexo table 13.2.4, reference §3.8).
CREDIT_NOTE_CONCEPTS: Final = {
    "1": "Devolución parcial de los bienes y/o no aceptación parcial del servicio",
    "2": "Anulación de factura electrónica",
    "3": "Rebaja o descuento parcial o total",
    "4": "Ajuste de precio",
    "5": "Descuento comercial por pronto pago",
    "6": "Descuento comercial por volumen de ventas",
}
