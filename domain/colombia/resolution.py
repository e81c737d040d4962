"""The numbering resolution (autorización de numeración) an invoice number must fall within.

Defined in the domain because validation needs it; :mod:`adapters.colombia.resolution` re-exports it
next to the habilitación values. DIAN checks the InvoiceControl block against its own record of the
range (reference §2.3, rules FAB05a–FAB12, FAD05d, FAD09a), and the CUFE uses the range's technical
key (ClTec), which never appears in the XML (§4.1).
"""

from datetime import date

from pydantic import BaseModel, ConfigDict, Field, model_validator


class NumberingResolution(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    authorization: str = Field(description="número de resolución (sts:InvoiceAuthorization), digits")
    prefix: str | None = Field(default=None, description="0–4 characters (FAB10)")
    range_from: int = Field(ge=0)
    range_to: int = Field(ge=0)
    valid_from: date
    valid_to: date
    technical_key: str = Field(repr=False, description="clave técnica (ClTec) from GetNumberingRange")

    @model_validator(mode="after")
    def _ordered(self) -> "NumberingResolution":
        if self.range_to < self.range_from:
            raise ValueError("range_to must not be lower than range_from")
        if self.valid_to < self.valid_from:
            raise ValueError("valid_to must not be earlier than valid_from")
        return self

    @property
    def prefix_text(self) -> str:
        return self.prefix or ""

    def contains(self, number: int) -> bool:
        return self.range_from <= number <= self.range_to

    def in_force(self, on: date) -> bool:
        return self.valid_from <= on <= self.valid_to

    def document_number(self, number: int) -> str:
        """cbc:ID: prefix and number run together, no separators (FAD05a; reference §13 Odoo case)."""
        return f"{self.prefix_text}{number}"

    def remaining(self, next_number: int) -> int:
        """How many numbers are left, ``next_number`` included."""
        return max(0, self.range_to - max(next_number, self.range_from) + 1)
