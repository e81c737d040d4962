"""Sample sales, throw-away CSDs, sealed CFDIs and an in-process PAC for tests, the demo and benchmarks.

Never used by the simulator itself. Everything here is test material: the CA and CSDs are generated,
the RFCs are the SAT's public test RFCs (EKU9003173C9 "ESCUELA KEMPER URGATE", URE180429TM6).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from adapters.certificates.test_pki import TestCA, ca_pem, cached_rsa_key
from adapters.mexico.cadena import CadenaBuilder, default_cadenas
from adapters.mexico.cfdi_xml import build_cfdi, seal_cfdi
from adapters.mexico.csd import Csd, load_csd
from adapters.mexico.issuer import MexicoIssuerProfile, PacSettingsRef
from adapters.mexico.schemas import CfdiSchema, default_schema
from adapters.mexico.test_csd import TestCsd, make_sat_test_ca, make_test_csd, write_test_csd
from domain.mexico.sale import (
    MexicoIssuerRef,
    MexicoSale,
    Receiver,
    SaleLine,
    TransferredTax,
    WithheldTax,
)
from simulators.pac.checks import DocumentChecks
from simulators.pac.faults import PacSettings
from simulators.pac.identity import load_or_create
from simulators.pac.register import TaxpayerRegister
from simulators.pac.service import PacService
from simulators.pac.store import Store
from simulators.pac.trust import TrustStore

ISSUER_RFC = "EKU9003173C9"
ISSUER_NAME = "ESCUELA KEMPER URGATE"
RECEIVER_RFC = "URE180429TM6"
PAC_RFC = "SPR190613I52"
USERNAME, PASSWORD = "demo", "demo"


def vectors_dir() -> Path | None:
    """``$COMPROBANTE_SCHEMAS`` when it is set (the official SAT files and test CSD), else None."""
    value = os.environ.get("COMPROBANTE_SCHEMAS")
    return Path(value) if value else None


@dataclass(frozen=True)
class IssuerKit:
    """A CA, a CSD issued by it and the issuer profile pointing at the CSD files."""

    ca: TestCA
    csd_files: TestCsd
    profile: MexicoIssuerProfile

    @property
    def ca_pem(self) -> bytes:
        return ca_pem(self.ca)

    def csd(self) -> Csd:
        return load_csd(self.csd_files.cer, self.csd_files.key, self.csd_files.password)


def make_issuer(directory: Path, *, rfc: str = ISSUER_RFC, name: str = ISSUER_NAME, regime: str = "601",
                postal_code: str = "42501", ca: TestCA | None = None, valid_from: datetime | None = None,
                valid_days: int = 4 * 365) -> IssuerKit:
    authority = ca or make_sat_test_ca()
    files = make_test_csd(authority, rfc=rfc, legal_name=f"{name} SA DE CV", valid_from=valid_from,
                          valid_days=valid_days)
    cer, key, password = write_test_csd(files, directory, rfc.lower())
    profile = MexicoIssuerProfile(
        rfc=rfc, name=name, tax_regime=regime, postal_code=postal_code, csd_certificate_path=cer, csd_key_path=key,
        csd_password_file=password, pac=PacSettingsRef(primary="pac-a", fallbacks=["pac-b"]),
    )
    return IssuerKit(authority, files, profile)


def sample_sale(order_id: str = "order-1", *, quantity: str = "1", unit_price: str = "999.99",
                receiver: Receiver | None = None, lines: list[SaleLine] | None = None, **fields: object) -> MexicoSale:
    """A two-line Ingreso: IVA 16 % goods, and an exempt service with an ISR withholding and a discount."""
    return MexicoSale.model_validate({
        "order_id": order_id,
        "issuer": MexicoIssuerRef(rfc=ISSUER_RFC),
        "receiver": receiver or Receiver(rfc=RECEIVER_RFC, name="UNIVERSIDAD ROBOTICA ESPAÑOLA", postal_code="86991",
                                         tax_regime="601", cfdi_use="G03", email="compras@example.invalid"),
        "lines": lines if lines is not None else [
            SaleLine(product_key="43211503", sku="SKU-1", quantity=Decimal(quantity), unit_key="H87", unit="Pieza",
                     description="Computadora portátil", unit_price=Decimal(unit_price),
                     transferred=[TransferredTax()]),
            SaleLine(product_key="86121700", quantity=Decimal("1.5"), unit_key="E48", description="Curso de robótica",
                     unit_price=Decimal("10.10"), discount=Decimal("1.00"),
                     transferred=[TransferredTax(factor="Exento", rate=None)],
                     withheld=[WithheldTax(tax="001", rate=Decimal("0.10"))]),
        ],
        "payment_form": "03",
        **fields,
    })


def sealed_cfdi(kit: IssuerKit, sale: MexicoSale | None = None, *, folio: int = 1, issued_at: datetime | None = None,
                tipo: str = "I", related: list[tuple[str, str]] | None = None) -> bytes:
    xml = build_cfdi(sale or sample_sale(), folio=folio, issuer=kit.profile, issued_at=issued_at or datetime.now(UTC),
                     tipo="E" if tipo == "E" else "I", related=related or [])
    return seal_cfdi(xml, kit.csd())


def make_service(state_dir: Path, trusted: list[TestCA] | None = None, *, schema: CfdiSchema | None = None,
                 cadenas: CadenaBuilder | None = None, trust: TrustStore | None = None,
                 settings: PacSettings | None = None, register: TaxpayerRegister | None = None) -> PacService:
    """An in-process PAC over ``state_dir`` trusting the given CAs (bundled SAT files by default)."""
    store = Store(state_dir)
    checks = DocumentChecks(schema or default_schema(), cadenas or default_cadenas(),
                            trust or TrustStore([ca.cert for ca in trusted or []]), register)
    identity = load_or_create(state_dir, pac_rfc=PAC_RFC, key=cached_rsa_key(f"pac-sat:{state_dir.name}"),
                              ca_key=cached_rsa_key("pac-sat-ca"))
    return PacService(store, checks, identity, settings or PacSettings(), pac_rfc=PAC_RFC, username=USERNAME,
                      password=PASSWORD)
