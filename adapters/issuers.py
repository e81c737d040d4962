"""Issuer configuration: the legal data and signing certificate of each company the worker serves.

Kept out of the request on purpose: backends say *which* issuer (RUC, establishment, point of
emission) and the worker supplies the legal name, addresses and the certificate, so a backend can
never issue in another company's name or ship a private key over the API.
"""

import json
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class EstablishmentConfig(BaseModel):
    model_config = ConfigDict(frozen=True)

    code: str
    address: str
    emission_points: list[str] = Field(default_factory=lambda: ["001"])


class IssuerProfile(BaseModel):
    model_config = ConfigDict(frozen=True)

    ruc: str
    legal_name: str
    trade_name: str | None = None
    head_office_address: str
    establishments: list[EstablishmentConfig]
    # ambiente (tabla 4): 1 pruebas (celcer.sri.gob.ec), 2 producción (cel.sri.gob.ec).
    environment: Literal["1", "2"] = "1"
    keeps_accounts: bool = True  # obligadoContabilidad
    special_taxpayer: str | None = None  # contribuyenteEspecial resolution number
    withholding_agent: str | None = None  # agenteRetencion resolution number (Anexo 21)
    rimpe_legend: str | None = None  # contribuyenteRimpe (Anexo 22)
    certificate_path: Path
    # The password is read from a file (a mounted secret) rather than living in the configuration.
    certificate_password_file: Path
    signature_algorithm: Literal["sha1", "sha256"] = "sha1"
    email_from: str = "facturacion@example.invalid"

    def establishment(self, code: str) -> EstablishmentConfig | None:
        return next((e for e in self.establishments if e.code == code), None)

    def certificate_password(self) -> str:
        return self.certificate_password_file.read_text(encoding="utf-8").strip()


class IssuerRegistry:
    def __init__(self, profiles: list[IssuerProfile]) -> None:
        self._by_ruc = {p.ruc: p for p in profiles}

    @classmethod
    def from_file(cls, path: Path) -> "IssuerRegistry":
        raw = json.loads(path.read_text(encoding="utf-8"))
        base = path.parent
        profiles = []
        for item in raw["issuers"]:
            profile = IssuerProfile.model_validate(item)
            # Relative certificate paths are relative to the issuers file, so a config folder moves as one.
            profiles.append(
                profile.model_copy(
                    update={
                        "certificate_path": base / profile.certificate_path,
                        "certificate_password_file": base / profile.certificate_password_file,
                    }
                )
            )
        return cls(profiles)

    def get(self, ruc: str) -> IssuerProfile | None:
        return self._by_ruc.get(ruc)

    def all(self) -> list[IssuerProfile]:
        return list(self._by_ruc.values())
