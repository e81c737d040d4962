"""The embedded stack's issuer: a test company with a certificate from a throw-away test CA.

Real issuers configure their own .p12 (see README, "Production"); this one exists so the demo and the
tests sign real XAdES signatures that the simulator verifies against the test CA, with no real keys.
"""

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from adapters.certificates.test_pki import TestCA, ca_pem, make_signing_p12, make_test_ca
from adapters.colombia.issuer import DianIssuerProfile
from adapters.colombia.resolution import HABILITACION_RESOLUTION
from adapters.mexico.issuer import MexicoIssuerProfile, PacSettingsRef
from adapters.mexico.test_csd import make_test_csd, write_test_csd
from domain.colombia.sale import ColombiaAddress

DEMO_RUC = "1792146739001"  # the SRI ficha's own example RUC (a company, third digit 9)
DEMO_NIT = "900390126"  # check digit 6
DEMO_RFC = "EKU9003173C9"  # the SAT's public test taxpayer
DEMO_SOFTWARE_ID = "56f2ae4e-9812-4fad-9255-08fcfcd5ccb0"
DEMO_SOFTWARE_PIN = "12345"
DEMO_PASSWORD = "demo-only-password"


@dataclass(frozen=True)
class DemoIssuers:
    ecuador: Path  # issuers.json
    colombia: Path  # dian_issuers.json
    mexico: Path  # mx_issuers.json
    ca: Path  # the test CA every demo certificate chains to (the simulators' trust store)


def write_demo_issuers(folder: Path) -> DemoIssuers:
    """Create (once) the test CA, each issuer's .p12 and the issuer files."""
    folder.mkdir(parents=True, exist_ok=True)
    issuers = DemoIssuers(folder / "issuers.json", folder / "dian_issuers.json", folder / "mx_issuers.json",
                          folder / "test-ca.pem")
    if all(p.exists() for p in (issuers.ecuador, issuers.colombia, issuers.mexico, issuers.ca)):
        return issuers
    ca = make_test_ca()
    _write_colombian_issuer(ca, folder, issuers.colombia)
    _write_mexican_issuer(ca, folder, issuers.mexico)
    p12 = make_signing_p12(ca, ruc=DEMO_RUC, holder="COMERCIAL ANDINA DEL ECUADOR S.A.",
                           password=DEMO_PASSWORD, valid_from=datetime.now(UTC) - timedelta(days=1))
    (folder / "issuer.p12").write_bytes(p12)
    (folder / "issuer.p12.password").write_text(DEMO_PASSWORD, encoding="utf-8")
    issuers.ca.write_bytes(ca_pem(ca))
    config = {"issuers": [{
        "ruc": DEMO_RUC,
        "legal_name": "COMERCIAL ANDINA DEL ECUADOR S.A.",
        "trade_name": "ANDINA MARKET",
        "head_office_address": "Av. Amazonas N34-451 y Av. Atahualpa, Quito",
        "establishments": [
            {"code": "001", "address": "Av. Amazonas N34-451 y Av. Atahualpa, Quito",
             "emission_points": ["001", "002"]},
            {"code": "002", "address": "Av. 9 de Octubre 1212 y Av. Quito, Guayaquil", "emission_points": ["001"]},
        ],
        "environment": "1",
        "keeps_accounts": True,
        "special_taxpayer": None,
        "certificate_path": "issuer.p12",
        "certificate_password_file": "issuer.p12.password",
        "signature_algorithm": "sha1",
        "email_from": "facturacion@andina.example",
    }]}
    issuers.ecuador.write_text(json.dumps(config, indent=2), encoding="utf-8")
    return issuers


def _write_colombian_issuer(ca: TestCA, folder: Path, target: Path) -> None:
    p12 = make_signing_p12(ca, ruc=DEMO_NIT, holder="COMERCIALIZADORA ANDINA S.A.S.", password=DEMO_PASSWORD,
                           valid_from=datetime.now(UTC) - timedelta(days=1))
    (folder / "issuer-co.p12").write_bytes(p12)
    profile = DianIssuerProfile(
        nit=DEMO_NIT, check_digit="6", legal_name="COMERCIALIZADORA ANDINA S.A.S.", trade_name="ANDINA COLOMBIA",
        address=ColombiaAddress(city_code="11001", city_name="Bogotá, D.C.", department_code="11",
                                department_name="Bogotá", line="Carrera 7 # 32-16"),
        tax_responsibilities=["O-13", "O-15"], resolution=HABILITACION_RESOLUTION, software_id=DEMO_SOFTWARE_ID,
        software_pin=DEMO_SOFTWARE_PIN, environment="2", certificate_path=Path("issuer-co.p12"),
        certificate_password_file=Path("issuer.p12.password"), email="facturacion@andina.example",
        email_from="facturacion@andina.example")
    target.write_text(json.dumps({"issuers": [profile.model_dump(mode="json")]}, indent=2), encoding="utf-8")


def _write_mexican_issuer(ca: TestCA, folder: Path, target: Path) -> None:
    # The SAT's public test taxpayer, with a CSD from our own test CA (never the SAT's real key).
    csd = make_test_csd(ca, rfc=DEMO_RFC, legal_name="ESCUELA KEMPER URGATE SA DE CV")
    cer, key, password = write_test_csd(csd, folder, "csd-mx")
    profile = MexicoIssuerProfile(
        rfc=DEMO_RFC, name="ESCUELA KEMPER URGATE", tax_regime="601", postal_code="42501",
        csd_certificate_path=Path(cer.name), csd_key_path=Path(key.name), csd_password_file=Path(password.name),
        pac=PacSettingsRef(primary="pac-a", fallbacks=["pac-b"]), email_from="facturacion@kemper.example")
    target.write_text(json.dumps({"issuers": [profile.model_dump(mode="json")]}, indent=2), encoding="utf-8")


def write_demo_issuer(folder: Path) -> tuple[Path, Path]:
    """Ecuador's issuers file and the test CA, for callers that only issue Ecuadorian invoices."""
    issuers = write_demo_issuers(folder)
    return issuers.ecuador, issuers.ca
