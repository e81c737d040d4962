"""The embedded stack's issuer: a test company with a certificate from a throw-away test CA.

Real issuers configure their own .p12 (see README, "Production"); this one exists so the demo and the
tests sign real XAdES signatures that the simulator verifies against the test CA, with no real keys.
"""

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from adapters.certificates.test_pki import ca_pem, make_signing_p12, make_test_ca

DEMO_RUC = "1792146739001"  # the SRI ficha's own example RUC (a company, third digit 9)
DEMO_PASSWORD = "demo-only-password"


def write_demo_issuer(folder: Path) -> tuple[Path, Path]:
    """Create (once) the test CA, the issuer's .p12 and issuers.json; return (issuers.json, ca.pem)."""
    folder.mkdir(parents=True, exist_ok=True)
    issuers_file, ca_file = folder / "issuers.json", folder / "test-ca.pem"
    if issuers_file.exists() and ca_file.exists():
        return issuers_file, ca_file
    ca = make_test_ca()
    p12 = make_signing_p12(ca, ruc=DEMO_RUC, holder="COMERCIAL ANDINA DEL ECUADOR S.A.",
                           password=DEMO_PASSWORD, valid_from=datetime.now(UTC) - timedelta(days=1))
    (folder / "issuer.p12").write_bytes(p12)
    (folder / "issuer.p12.password").write_text(DEMO_PASSWORD, encoding="utf-8")
    ca_file.write_bytes(ca_pem(ca))
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
    issuers_file.write_text(json.dumps(config, indent=2), encoding="utf-8")
    return issuers_file, ca_file
