"""Spanish display names for the SRI code tables (ficha técnica, reference §6).

The XML carries codes only; the RIDE must show what they mean. Unknown codes
never raise: a document the SRI already authorized must always be printable, so
we fall back to a neutral label that still shows the code.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Final

# Tabla 3 — tipos de comprobante.
DOCUMENT_NAMES: Final[dict[str, str]] = {
    "01": "FACTURA",
    "03": "LIQUIDACIÓN DE COMPRA DE BIENES Y PRESTACIÓN DE SERVICIOS",
    "04": "NOTA DE CRÉDITO",
    "05": "NOTA DE DÉBITO",
    "06": "GUÍA DE REMISIÓN",
    "07": "COMPROBANTE DE RETENCIÓN",
}

# Tabla 4 — ambiente.
AMBIENTE_NAMES: Final[dict[str, str]] = {"1": "PRUEBAS", "2": "PRODUCCIÓN"}

# Tabla 2 — tipo de emisión (only "1" exists since ficha v2.0, 2015).
EMISION_NAMES: Final[dict[str, str]] = {"1": "NORMAL"}

# Tabla 6 — tipo de identificación del comprador.
BUYER_ID_TYPE_NAMES: Final[dict[str, str]] = {
    "04": "RUC",
    "05": "CÉDULA",
    "06": "PASAPORTE",
    "07": "CONSUMIDOR FINAL",
    "08": "IDENTIFICACIÓN DEL EXTERIOR",
}

# Tabla 24 — formas de pago currently in force.
FORMA_PAGO_NAMES: Final[dict[str, str]] = {
    "01": "SIN UTILIZACIÓN DEL SISTEMA FINANCIERO",
    "15": "COMPENSACIÓN DE DEUDAS",
    "16": "TARJETA DE DÉBITO",
    "17": "DINERO ELECTRÓNICO",
    "18": "TARJETA PREPAGO",
    "19": "TARJETA DE CRÉDITO",
    "20": "OTROS CON UTILIZACIÓN DEL SISTEMA FINANCIERO",
    "21": "ENDOSO DE TÍTULOS",
}

# Tabla 16 — impuestos.
IVA: Final = "2"
ICE: Final = "3"
IRBPNR: Final = "5"

# Tabla 17 — IVA codigoPorcentaje with a fixed rate. Codes 6 and 7 are not rates
# (see IVA_SPECIAL_NAMES); code 8 (IVA diferenciado) has no fixed rate: its
# tarifa must be read from the document itself.
IVA_RATES: Final[dict[str, Decimal]] = {
    "0": Decimal(0),
    "2": Decimal(12),
    "3": Decimal(14),
    "4": Decimal(15),
    "5": Decimal(5),
    "10": Decimal(13),
}
IVA_NO_OBJETO: Final = "6"
IVA_EXENTO: Final = "7"
IVA_DIFERENCIADO: Final = "8"
IVA_SPECIAL_NAMES: Final[dict[str, str]] = {
    IVA_NO_OBJETO: "NO OBJETO DE IVA",
    IVA_EXENTO: "EXENTO DE IVA",
}


def document_name(cod_doc: str) -> str:
    return DOCUMENT_NAMES.get(cod_doc, f"COMPROBANTE {cod_doc}")


def ambiente_name(code: str) -> str:
    return AMBIENTE_NAMES.get(code, code)


def emision_name(code: str) -> str:
    return EMISION_NAMES.get(code, code)


def buyer_id_type_name(code: str) -> str:
    return BUYER_ID_TYPE_NAMES.get(code, f"TIPO {code}")


def forma_pago_name(code: str) -> str:
    return FORMA_PAGO_NAMES.get(code, f"FORMA DE PAGO {code}")


def format_rate(rate: Decimal) -> str:
    """15.00 -> '15 %', 12.50 -> '12.5 %' (SRI models print the bare percentage)."""
    text = format(rate.normalize(), "f")
    return f"{text} %"
