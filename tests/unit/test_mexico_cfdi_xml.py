"""CFDI 4.0 builder and sealing: XSD, cadena original and sello, against the SAT's official files.

The official-file checks need COMPROBANTE_SCHEMAS (=../shared/vectors) and skip without it; the rest
runs against the SAT files bundled with satcfdi.
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree
from satcfdi.cfdi import CFDI  # type: ignore[import-untyped]

from adapters.mexico.cadena import CadenaBuilder, cadena_original
from adapters.mexico.cfdi_xml import CFDI_NS, build_cfdi, load_csd, seal_cfdi, verify_sello
from adapters.mexico.csd import verify_signature
from adapters.mexico.schemas import CfdiSchema, default_schema
from domain.errors import ConfigurationError
from domain.mexico.sale import GlobalInformation, Receiver, SaleLine, TransferredTax
from simulators.pac.testkit import IssuerKit, make_issuer, sample_sale, sealed_cfdi, vectors_dir

C = f"{{{CFDI_NS}}}"
NOW = datetime(2026, 11, 20, 18, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def kit(tmp_path_factory: pytest.TempPathFactory) -> IssuerKit:
    return make_issuer(tmp_path_factory.mktemp("csd"))


@pytest.fixture(scope="module")
def official() -> tuple[CfdiSchema, CadenaBuilder, Path]:
    vectors = vectors_dir()
    if vectors is None:
        pytest.skip("COMPROBANTE_SCHEMAS is not set: the SAT's official XSD/XSLT are not available")
    return CfdiSchema(vectors), CadenaBuilder(vectors), vectors


def _documents(kit: IssuerKit) -> dict[str, bytes]:
    public = Receiver(rfc="XAXX010101000", name="PUBLICO EN GENERAL", postal_code="42501", tax_regime="616",
                      cfdi_use="S01")
    foreign = Receiver(rfc="XEXX010101000", name="ACME INC", postal_code="42501", tax_regime="616", cfdi_use="S01",
                       foreign_residence="USA", foreign_tax_id="123456789")
    ticket = SaleLine(product_key="01010101", sku="T-0001", quantity=Decimal(1), unit_key="ACT", description="Venta",
                      unit_price=Decimal("86.21"), transferred=[TransferredTax()])
    spaced = sample_sale(lines=[SaleLine(product_key="43211503", quantity=Decimal(2), unit_key="H87",
                                         description="Two   spaces  kept as one", unit_price=Decimal("0.5"),
                                         transferred=[TransferredTax(rate=Decimal("0.08"))])])
    return {
        "ingreso": sealed_cfdi(kit, issued_at=NOW),
        "global": sealed_cfdi(kit, sample_sale(receiver=public, lines=[ticket], global_information=GlobalInformation(
            periodicity="01", months="11", year=2026)), issued_at=NOW),
        "foreign-usd": sealed_cfdi(kit, sample_sale(receiver=foreign, currency="USD",
                                                    exchange_rate=Decimal("17.2345")), issued_at=NOW),
        "egreso": sealed_cfdi(kit, sample_sale(), tipo="E", issued_at=NOW,
                              related=[("01", "a1b2c3d4-0000-4000-8000-000000000001")]),
        "substitution": sealed_cfdi(kit, issued_at=NOW, related=[("04", "A1B2C3D4-0000-4000-8000-000000000002")]),
        "spaces-and-8-percent": sealed_cfdi(kit, spaced, issued_at=NOW),
    }


def test_documents_are_valid_against_the_bundled_xsd(kit: IssuerKit) -> None:
    for name, xml in _documents(kit).items():
        assert default_schema().errors(xml) == [], name


def test_documents_are_valid_against_the_official_xsd(kit: IssuerKit,
                                                      official: tuple[CfdiSchema, CadenaBuilder, Path]) -> None:
    schema, _, _ = official
    for name, xml in _documents(kit).items():
        assert schema.errors(xml) == [], name


def test_cadena_is_exactly_what_the_official_stylesheet_produces(
    kit: IssuerKit, official: tuple[CfdiSchema, CadenaBuilder, Path]
) -> None:
    _, cadenas, _ = official
    for name, xml in _documents(kit).items():
        root = etree.fromstring(xml)
        ours = cadena_original(root)
        assert ours == cadenas.cfdi(root), name
        assert ours == CFDI.from_string(xml).cadena_original(), name  # satcfdi's own path agrees
        assert ours.startswith("||4.0|") and ours.endswith("||")


def test_cadena_collapses_spaces_like_normalize_space(kit: IssuerKit) -> None:
    cadena = cadena_original(etree.fromstring(_documents(kit)["spaces-and-8-percent"]))
    assert "|Two spaces kept as one|" in cadena
    assert "|0.080000|" in cadena


def test_sello_verifies_and_any_change_breaks_it(kit: IssuerKit) -> None:
    xml = sealed_cfdi(kit, issued_at=NOW)
    assert verify_sello(xml)
    tampered = xml.replace(b'Total="1172.72"', b'Total="1172.73"')
    assert tampered != xml and not verify_sello(tampered)


def test_seal_with_the_sat_public_test_csd(official: tuple[CfdiSchema, CadenaBuilder, Path], tmp_path: Path) -> None:
    schema, cadenas, vectors = official
    certs = vectors / "mexico" / "certs"
    csd = load_csd((certs / "EKU9003173C9.cer").read_bytes(), (certs / "EKU9003173C9.key").read_bytes(), "12345678a")
    assert csd.certificate_number == "30001000000500003416"
    assert csd.rfc == "EKU9003173C9"
    kit = make_issuer(tmp_path)
    # The SAT's CSD is valid 2023-05-18 to 2027-05-18: issue inside that window.
    xml = build_cfdi(sample_sale(), folio=7, issuer=kit.profile, issued_at=datetime(2026, 1, 10, 18, tzinfo=UTC))
    sealed = seal_cfdi(xml, csd, cadenas=cadenas)
    root = etree.fromstring(sealed)
    assert root.get("NoCertificado") == "30001000000500003416"
    assert base64.b64decode(root.get("Certificado", "")) == (certs / "EKU9003173C9.cer").read_bytes()
    signature = base64.b64decode(root.get("Sello", ""))
    assert len(signature) == 256  # RSA 2048
    assert verify_signature(csd.certificate, signature, cadenas.cfdi(root).encode("utf-8"))
    assert schema.errors(sealed) == []


def test_comprobante_attributes(kit: IssuerKit) -> None:
    root = etree.fromstring(sealed_cfdi(kit, folio=42, issued_at=NOW))
    names = [etree.QName(name).localname for name in root.attrib]
    assert names[:7] == ["schemaLocation", "Version", "Serie", "Folio", "Fecha", "Sello", "FormaPago"]
    assert (root.get("Serie"), root.get("Folio"), root.get("Fecha")) == ("A", "42", "2026-11-20T12:00:00")
    assert (root.get("SubTotal"), root.get("Descuento"), root.get("Total")) == ("1015.14", "1.00", "1172.72")
    assert root.get("TipoCambio") is None and root.get("Moneda") == "MXN"
    assert [child.tag for child in root] == [f"{C}Emisor", f"{C}Receptor", f"{C}Conceptos", f"{C}Impuestos"]
    exempt = root.find(f"{C}Conceptos/{C}Concepto[2]/{C}Impuestos/{C}Traslados/{C}Traslado")
    assert exempt is not None
    assert {str(k): str(v) for k, v in exempt.attrib.items()} == {"Base": "14.15", "Impuesto": "002",
                                                                   "TipoFactor": "Exento"}


def test_fecha_is_local_time_of_the_place_of_issue(kit: IssuerKit) -> None:
    root = etree.fromstring(build_cfdi(sample_sale(place_of_issue="22000"), folio=1, issuer=kit.profile,
                                       issued_at=NOW))
    assert root.get("Fecha") == "2026-11-20T10:00:00"  # Tijuana, UTC−8 in November
    assert root.get("LugarExpedicion") == "22000"


def test_egreso_relates_the_invoice(kit: IssuerKit) -> None:
    sale = sample_sale(payment_method="PPD", payment_form="99")
    root = etree.fromstring(build_cfdi(sale, folio=3, issuer=kit.profile, issued_at=NOW, tipo="E",
                                       related=[("01", "a1b2c3d4-0000-4000-8000-000000000001")]))
    assert (root.get("TipoDeComprobante"), root.get("Serie"), root.get("MetodoPago"), root.get("FormaPago")) == (
        "E", "NC", "PUE", "15")
    relacion = root.find(f"{C}CfdiRelacionados")
    assert relacion is not None and relacion.get("TipoRelacion") == "01"
    assert relacion[0].get("UUID") == "A1B2C3D4-0000-4000-8000-000000000001"
    receptor = root.find(f"{C}Receptor")
    assert receptor is not None and receptor.get("UsoCFDI") == "G02"


def test_load_csd_refuses_a_wrong_password_and_a_foreign_key(kit: IssuerKit, tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="password"):
        load_csd(kit.csd_files.cer, kit.csd_files.key, "wrong")
    other = make_issuer(tmp_path, rfc="XIQB891116QE4", name="OTRA PERSONA", regime="612")
    with pytest.raises(ConfigurationError, match="does not belong"):
        load_csd(kit.csd_files.cer, other.csd_files.key, other.csd_files.password)


def test_seal_refuses_another_rfcs_csd_and_a_fecha_outside_its_validity(kit: IssuerKit, tmp_path: Path) -> None:
    other = make_issuer(tmp_path, rfc="XIQB891116QE4", name="OTRA PERSONA", regime="612")
    xml = build_cfdi(sample_sale(), folio=1, issuer=kit.profile, issued_at=NOW)
    with pytest.raises(ConfigurationError, match="303"):
        seal_cfdi(xml, other.csd())
    old = build_cfdi(sample_sale(), folio=1, issuer=kit.profile, issued_at=datetime.now(UTC) - timedelta(days=90))
    with pytest.raises(ConfigurationError, match="305"):
        seal_cfdi(old, kit.csd())
