"""Configuration of a Mexican issuer: legal data, the CSD files and which PACs stamp for it.

As in Ecuador, the request only names the issuer's RFC; the legal name, régimen, place of issue and the
signing material stay in the worker's configuration, so a backend can never seal in another company's
name. The CSD password is read from a file (a mounted secret), never stored in the configuration.
"""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from adapters.mexico.csd import Csd, load_csd


class PacSettingsRef(BaseModel):
    """Which configured PAC account to use; URLs and credentials live in the worker's settings."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    primary: str = Field(description="name of the PAC account stamping first, e.g. 'pac-a'")
    fallbacks: list[str] = Field(default_factory=list, description="accounts tried, in order, after a "
                                 "PAC proved it did not stamp (reference §13: recover before failing over)")


class MexicoIssuerProfile(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    rfc: str
    name: str = Field(description="Emisor Nombre: as registered with the SAT, without the régimen de capital")
    tax_regime: str = Field(description="Emisor RegimenFiscal (c_RegimenFiscal), e.g. 601")
    postal_code: str = Field(description="LugarExpedicion of the issuing branch; also sets Fecha's time zone")
    csd_certificate_path: Path = Field(description="the CSD .cer (DER)")
    csd_key_path: Path = Field(description="the CSD .key (DER PKCS#8, encrypted)")
    csd_password_file: Path
    pac: PacSettingsRef
    email_from: str = "facturacion@example.invalid"
    serie: str = Field(default="A", description="the issuer's default Ingreso serie (a sale may name another)")
    credit_note_serie: str = Field(default="NC", description="serie of the Egresos (credit notes) it issues")

    def csd_password(self) -> str:
        return self.csd_password_file.read_text(encoding="utf-8").strip()

    def load_csd(self) -> Csd:
        """Read and check the CSD files (raises ConfigurationError with the reason)."""
        return load_csd(self.csd_certificate_path.read_bytes(), self.csd_key_path.read_bytes(), self.csd_password())

    def relative_to(self, base: Path) -> MexicoIssuerProfile:
        """Resolve relative file paths against the folder of the issuers file, as Ecuador's registry does."""
        return self.model_copy(update={
            "csd_certificate_path": base / self.csd_certificate_path,
            "csd_key_path": base / self.csd_key_path,
            "csd_password_file": base / self.csd_password_file,
        })


def load_mexico_issuers(path: Path) -> dict[str, MexicoIssuerProfile]:
    """``{"issuers": [...]}`` keyed by RFC; relative CSD paths are relative to the file."""
    raw = json.loads(path.read_text(encoding="utf-8"))
    profiles = (MexicoIssuerProfile.model_validate(item).relative_to(path.parent) for item in raw["issuers"])
    return {p.rfc: p for p in profiles}
