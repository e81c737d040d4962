"""DIAN issuer configuration: legal data, numbering, software registration and certificate.

Kept out of the request for the same reason as Ecuador's :class:`adapters.issuers.IssuerProfile`:
a backend names the issuer (NIT) and the worker supplies everything that makes the document legally
theirs, the software PIN and the private key included.
"""

import json
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from domain.colombia.nit import check_digit
from domain.colombia.resolution import NumberingResolution
from domain.colombia.sale import ColombiaAddress


class DianIssuerProfile(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    nit: str = Field(description="NIT without the check digit")
    check_digit: str
    legal_name: str = Field(description="razón social exactly as in the RUT (else FAJ43b)")
    trade_name: str | None = None
    person_type: Literal["1", "2"] = "1"
    address: ColombiaAddress
    tax_responsibilities: list[str] = Field(default_factory=lambda: ["R-99-PN"])
    tax_regime: Literal["48", "49"] = "48"
    tax_scheme: Literal["01", "04", "ZA", "ZZ"] = "01"
    commercial_registration: str | None = Field(default=None, description="matrícula mercantil")
    phone: str | None = None
    email: str | None = None
    resolution: NumberingResolution
    # Tipo 03 (issuer-side contingency) uses a separate range authorised in advance (reference §10.2).
    contingency_resolution: NumberingResolution | None = None
    credit_note_prefix: str = "NC"
    software_id: str = Field(description="software GUID from the DIAN portal")
    software_pin: str = Field(repr=False, description="PIN set when registering the software")
    # Own software by default; a proveedor tecnológico puts its NIT and 3-digit code here (§2.3, §6.5).
    software_provider_nit: str | None = None
    provider_code: str = Field(default="000", pattern=r"^[0-9]{3}$")
    # ProfileExecutionID (reference §3.3): 1 producción (vpfe), 2 habilitación/pruebas (vpfe-hab).
    environment: Literal["1", "2"] = "2"
    certificate_path: Path
    # The password is read from a file (a mounted secret) rather than living in the configuration.
    certificate_password_file: Path
    test_set_id: str | None = None
    # Alert operators when fewer numbers than this remain in the resolution's range, or fewer days of
    # validity, so a new resolution is requested before invoices would be refused.
    warn_numbers_left: int = 500
    warn_days_left: int = 30
    email_from: str = "facturacion@example.invalid"

    @model_validator(mode="after")
    def _check_digits(self) -> "DianIssuerProfile":
        if check_digit(self.nit) != self.check_digit:
            raise ValueError(f"check_digit of NIT {self.nit} is {check_digit(self.nit)}, not {self.check_digit}")
        if self.software_provider_nit is not None:
            check_digit(self.software_provider_nit)  # raises on a malformed NIT
        return self

    @property
    def provider_nit(self) -> str:
        return self.software_provider_nit or self.nit

    @property
    def provider_check_digit(self) -> str:
        return check_digit(self.provider_nit)

    def certificate_password(self) -> str:
        return self.certificate_password_file.read_text(encoding="utf-8").strip()


def load_dian_issuers(path: Path) -> dict[str, DianIssuerProfile]:
    """``{"issuers": [...]}`` keyed by NIT; relative certificate paths are relative to the file."""
    raw = json.loads(path.read_text(encoding="utf-8"))
    profiles = {}
    for item in raw["issuers"]:
        profile = DianIssuerProfile.model_validate(item)
        profiles[profile.nit] = profile.model_copy(
            update={
                "certificate_path": path.parent / profile.certificate_path,
                "certificate_password_file": path.parent / profile.certificate_password_file,
            }
        )
    return profiles
