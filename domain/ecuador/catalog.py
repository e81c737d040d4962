"""SRI code tables (ficha técnica v2.32, tablas 6, 16, 17 and 24) as data.

IVA rates depend on the emission date: the general rate moved from 12 % (code 2) to 15 % (code 4)
on 1 April 2024, and the 5 % construction rate (code 5) started the same day. An invoice dated
before a change must use the rate in force on its date.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

IVA_TAX_CODE = "2"  # tabla 16: 2 = IVA (3 = ICE, 5 = IRBPNR)
FACTURA_DOC_CODE = "01"
CREDIT_NOTE_DOC_CODE = "04"
CONSUMIDOR_FINAL_ID = "9999999999999"
# Ficha §9.10: a consumidor final invoice may not exceed USD 50.
CONSUMIDOR_FINAL_LIMIT = Decimal("50.00")


class BuyerIdType(StrEnum):
    """Tabla 6: tipo de identificación del comprador."""

    RUC = "04"
    CEDULA = "05"
    PASAPORTE = "06"
    CONSUMIDOR_FINAL = "07"
    EXTERIOR = "08"


@dataclass(frozen=True)
class IvaRate:
    code: str
    percent: Decimal
    label: str
    valid_from: date | None = None
    valid_to: date | None = None

    def in_force(self, on: date) -> bool:
        return (self.valid_from is None or on >= self.valid_from) and (
            self.valid_to is None or on <= self.valid_to
        )


# Tabla 17. Code 8 (IVA diferenciado, decreed tourism days) and 10 (13 %, set by decree) only apply
# when a decree says so, so they are not offered until an issuer configures them.
IVA_RATES: dict[str, IvaRate] = {
    rate.code: rate
    for rate in (
        IvaRate("0", Decimal("0"), "IVA 0 %"),
        IvaRate("2", Decimal("12"), "IVA 12 %", valid_to=date(2024, 3, 31)),
        IvaRate("3", Decimal("14"), "IVA 14 %", date(2016, 6, 1), date(2017, 5, 31)),
        IvaRate("4", Decimal("15"), "IVA 15 %", valid_from=date(2024, 4, 1)),
        IvaRate("5", Decimal("5"), "IVA 5 %", valid_from=date(2024, 4, 1)),
        IvaRate("6", Decimal("0"), "No objeto de IVA"),
        IvaRate("7", Decimal("0"), "Exento de IVA"),
    )
}

# Tabla 24: formas de pago accepted by the current XSD (01 and 15–21; 02–14 were retired).
PAYMENT_METHODS: dict[str, str] = {
    "01": "Sin utilización del sistema financiero",
    "15": "Compensación de deudas",
    "16": "Tarjeta de débito",
    "17": "Dinero electrónico",
    "18": "Tarjeta prepago",
    "19": "Tarjeta de crédito",
    "20": "Otros con utilización del sistema financiero",
    "21": "Endoso de títulos",
}
