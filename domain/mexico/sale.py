"""What a backend (or the self-invoicing portal) sends to invoice a sale made in Mexico: a CFDI 4.0.

Like Ecuador's sale, the model is strict about types and lenient about business rules: SAT codes
are plain strings so a wrong régimen or unit key is still accepted here and reported by
:mod:`domain.mexico.validation` with the SAT's CFDI40xxx code, all problems at once.

Field names are English; each says which CFDI attribute it becomes (reference §2).
"""

from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from domain.ecuador.sale import ORDER_ID_PATTERN
from domain.mexico.catalog import IVA
from domain.text import CleanText


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class MexicoIssuerRef(_Model):
    """Which company issues: only its RFC travels, the CSD and legal data stay in the worker."""

    rfc: str
    serie: str = Field(default="A", description="Serie: internal series of the folio, [^|]{1,25}")


class Receiver(_Model):
    """cfdi:Receptor. The SAT checks name, postal code and régimen against its register (40143–40161)."""

    rfc: str
    name: CleanText = Field(description="Nombre: exactly as registered, without the régimen de capital")
    postal_code: str = Field(description="DomicilioFiscalReceptor: the receiver's fiscal postal code")
    tax_regime: str = Field(description="RegimenFiscalReceptor (c_RegimenFiscal), e.g. 601, 612, 616")
    cfdi_use: str = Field(description="UsoCFDI (c_UsoCFDI), e.g. G03, S01")
    email: str | None = None
    foreign_residence: str | None = Field(default=None, description="ResidenciaFiscal (c_Pais) for XEXX010101000")
    foreign_tax_id: CleanText | None = Field(default=None, description="NumRegIdTrib for XEXX010101000")


class TransferredTax(_Model):
    """A concept's Traslado: IVA 16 %, 8 % (border), 0 %, Exento, or IEPS."""

    tax: str = Field(default=IVA, description="Impuesto (c_Impuesto): 002 IVA, 003 IEPS")
    factor: str = Field(default="Tasa", description="TipoFactor: Tasa, Cuota or Exento")
    rate: Decimal | None = Field(default=Decimal("0.16"), description="TasaOCuota, e.g. 0.16; None for Exento")


class WithheldTax(_Model):
    """A concept's Retención: ISR (e.g. 0.10 on fees and rent) or IVA (e.g. 0.106667, two thirds of 16 %)."""

    tax: str = Field(description="Impuesto (c_Impuesto): 001 ISR, 002 IVA, 003 IEPS")
    factor: str = Field(default="Tasa", description="TipoFactor: Tasa or Cuota")
    rate: Decimal


class SaleLine(_Model):
    """cfdi:Concepto."""

    product_key: str = Field(description="ClaveProdServ (c_ClaveProdServ, 8 digits)")
    sku: CleanText | None = Field(default=None, description="NoIdentificacion; the ticket number in a global invoice")
    quantity: Decimal = Field(description="Cantidad, up to 6 decimals")
    unit_key: str = Field(description="ClaveUnidad (c_ClaveUnidad), e.g. H87 pieza, E48 servicio")
    unit: CleanText | None = Field(default=None, description="Unidad: the unit as the issuer names it")
    description: CleanText
    unit_price: Decimal = Field(description="ValorUnitario before taxes, up to 6 decimals")
    discount: Decimal = Field(default=Decimal("0"), description="Descuento of the line, in the currency's decimals")
    tax_object: str = Field(default="02", description="ObjetoImp (c_ObjetoImp): 02 = taxes broken down below")
    transferred: list[TransferredTax] = Field(default_factory=list)
    withheld: list[WithheldTax] = Field(default_factory=list)


class GlobalInformation(_Model):
    """cfdi:InformacionGlobal, required for a global invoice to PUBLICO EN GENERAL (CFDI40130)."""

    periodicity: str = Field(description="Periodicidad: 01 diaria, 02 semanal, 03 quincenal, 04 mensual, 05 bimestral")
    months: str = Field(description="Meses: 01–12, or 13–18 for two-month periods")
    year: int = Field(description="Año")


class MexicoSale(_Model):
    country: Literal["MX"] = "MX"
    order_id: str = Field(pattern=ORDER_ID_PATTERN, description="the backend's own order id; the idempotency key")
    issuer: MexicoIssuerRef
    receiver: Receiver
    lines: list[SaleLine]
    payment_form: str = Field(description="FormaPago (c_FormaPago), e.g. 01 cash, 03 transfer, 04 card, 99 PPD")
    payment_method: str = Field(default="PUE", description="MetodoPago: PUE paid now, PPD paid later")
    currency: str = Field(default="MXN", description="Moneda (c_Moneda)")
    exchange_rate: Decimal | None = Field(default=None, description="TipoCambio, required unless MXN")
    export: str = Field(default="01", description="Exportacion: 01 no aplica")
    global_information: GlobalInformation | None = None
    place_of_issue: str | None = Field(default=None, description="LugarExpedicion; default: the issuer's postal code")
    payment_conditions: CleanText | None = Field(default=None, description="CondicionesDePago")
    # A substitute CFDI (cancellation motive 01) relates to the one it replaces with TipoRelacion 04.
    replaces_uuid: str | None = None
    expected_total: Decimal | None = Field(
        default=None, description="the total the backend charged; checked against the lines"
    )

    @property
    def issuer_id(self) -> str:
        return self.issuer.rfc

    @property
    def buyer_email(self) -> str | None:
        return self.receiver.email

    @property
    def buyer_name(self) -> str:
        return self.receiver.name

    @property
    def buyer_identification(self) -> str:
        return self.receiver.rfc
