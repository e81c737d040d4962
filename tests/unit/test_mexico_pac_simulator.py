"""The PAC simulator in process: what it rejects and with which code, timbres, 307, recovery, cancellation."""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from cryptography import x509
from lxml import etree
from satcfdi.transform import get_timezone  # type: ignore[import-untyped]

from adapters.mexico.cadena import CadenaBuilder, default_cadenas
from adapters.mexico.cfdi_xml import build_cfdi, load_csd, seal_cfdi
from adapters.mexico.csd import Csd
from adapters.mexico.schemas import CfdiSchema
from adapters.mexico.test_csd import make_sat_test_ca
from adapters.mexico.timbre import find_timbre, read_timbre, timbre_problems
from domain.mexico.sale import Receiver
from simulators.pac.faults import PacSettings
from simulators.pac.register import TaxpayerRegister
from simulators.pac.service import PacService
from simulators.pac.soap import StampResult
from simulators.pac.testkit import IssuerKit, make_issuer, make_service, sample_sale, sealed_cfdi, vectors_dir
from simulators.pac.trust import TrustStore

C = "{http://www.sat.gob.mx/cfd/4}"


@pytest.fixture(scope="module")
def kit(tmp_path_factory: pytest.TempPathFactory) -> IssuerKit:
    return make_issuer(tmp_path_factory.mktemp("csd"))


@pytest.fixture
def pac(tmp_path: Path, kit: IssuerKit) -> PacService:
    return make_service(tmp_path / "state", [kit.ca])


def codes(result: StampResult) -> list[str]:
    return [i.code for i in result.incidences]


def reseal(xml: bytes, old: bytes, new: bytes, csd: Csd) -> bytes:
    """Change a value and seal again: a valid sello over wrong content, as a buggy builder would send."""
    assert old in xml
    return seal_cfdi(xml.replace(old, new), csd)


def sign_by_hand(xml: bytes, csd: Csd) -> bytes:
    """Seal without seal_cfdi's own checks (RFC and validity), to see what the PAC says."""
    root = etree.fromstring(xml)
    root.set("NoCertificado", csd.certificate_number)
    root.set("Certificado", csd.certificate_base64)
    root.set("Sello", base64.b64encode(csd.sign(default_cadenas().cfdi(root).encode())).decode())
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def test_stamp_adds_a_verifiable_timbre(pac: PacService, kit: IssuerKit) -> None:
    sealed = sealed_cfdi(kit)
    result = pac.stamp(sealed)
    assert codes(result) == [] and result.uuid
    stamped = result.xml.encode()
    timbre = read_timbre(stamped)
    root = etree.fromstring(stamped)
    assert (timbre.uuid, timbre.version, timbre.rfc_prov_certif) == (result.uuid, "1.1", "SPR190613I52")
    assert timbre.sello_cfd == root.get("Sello") and timbre.no_certificado_sat == pac.identity.number
    assert timbre_problems(stamped, [pac.identity.certificate]) == []
    # The timbre lives in Complemento, outside the CFDI cadena: the original sello is untouched.
    assert pac.checks.check(root, now=pac.now()) == []


def test_timbre_against_the_official_tfd_files(pac: PacService, kit: IssuerKit) -> None:
    vectors = vectors_dir()
    if vectors is None:
        pytest.skip("COMPROBANTE_SCHEMAS is not set: the SAT's official TFD XSD/XSLT are not available")
    stamped = pac.stamp(sealed_cfdi(kit)).xml.encode()
    assert CfdiSchema(vectors).errors(stamped) == []
    node = find_timbre(etree.fromstring(stamped))
    assert node is not None
    cadena = CadenaBuilder(vectors).tfd(node)
    assert cadena == default_cadenas().tfd(node)
    assert cadena.startswith(f"||1.1|{node.get('UUID')}|{node.get('FechaTimbrado')}|SPR190613I52|")


def test_timbre_verification_fails_for_a_tampered_or_foreign_timbre(pac: PacService, kit: IssuerKit,
                                                                     tmp_path: Path) -> None:
    stamped = pac.stamp(sealed_cfdi(kit)).xml.encode()
    other = make_service(tmp_path / "other", [kit.ca])
    assert "no trusted SAT certificate" in timbre_problems(stamped, [other.identity.certificate])[0]
    node_text = f'FechaTimbrado="{read_timbre(stamped).fecha_timbrado:%Y-%m-%dT%H:%M:%S}"'.encode()
    tampered = stamped.replace(node_text, b'FechaTimbrado="2020-01-01T00:00:00"')
    assert timbre_problems(tampered, [pac.identity.certificate]) == [
        "SelloSAT does not verify over the timbre's cadena original"]
    vectors = vectors_dir()
    if vectors is not None:  # the SAT's real timbre certificate has another number
        sat = x509.load_der_x509_certificate((vectors / "mexico/certs/30001000000500003456.cer").read_bytes())
        assert "30001000000500003456" not in timbre_problems(stamped, [sat])[0]


def test_resending_returns_307_with_the_original_timbre(pac: PacService, kit: IssuerKit) -> None:
    sealed = sealed_cfdi(kit)
    first = pac.stamp(sealed)
    pretty = etree.tostring(etree.fromstring(sealed), pretty_print=True, xml_declaration=True, encoding="UTF-8")
    for again in (sealed, pretty):  # same sello, whatever the bytes
        answer = pac.stamp(again)
        assert codes(answer) == ["307"]
        assert (answer.uuid, answer.xml) == (first.uuid, first.xml)
    report = pac.document_report(first.uuid)
    assert report is not None and report["stamp_count"] == 3


def test_recovery_by_xml_uuid_and_hash(pac: PacService, kit: IssuerKit) -> None:
    sealed = sealed_cfdi(kit)
    uuid = pac.stamp(sealed).uuid
    for query in ({"xml": sealed, "uuid": None, "sha256": None}, {"xml": None, "uuid": uuid.lower(), "sha256": None},
                  {"xml": None, "uuid": None, "sha256": hashlib.sha256(sealed).hexdigest()}):
        assert pac.stamped(**query).uuid == uuid
    assert codes(pac.stamped(xml=sealed_cfdi(kit, folio=2), uuid=None, sha256=None)) == ["602"]


def test_state_survives_a_new_service_over_the_same_directory(tmp_path: Path, kit: IssuerKit) -> None:
    first = make_service(tmp_path / "state", [kit.ca])
    sealed = sealed_cfdi(kit)
    uuid = first.stamp(sealed).uuid
    first.store.close()
    second = make_service(tmp_path / "state", [kit.ca])
    assert second.identity.number == first.identity.number
    assert codes(second.stamp(sealed)) == ["307"]
    assert second.stamp(sealed).uuid == uuid


def test_malformed_and_schema_invalid_documents_are_301(pac: PacService, kit: IssuerKit) -> None:
    assert codes(pac.stamp(b"<cfdi:Comprobante")) == ["301"]
    invalid = sealed_cfdi(kit).replace(b'Exportacion="01"', b'Exportacion="1"')
    assert codes(pac.stamp(invalid)) == ["301"]


def test_a_changed_document_is_302(pac: PacService, kit: IssuerKit) -> None:
    tampered = sealed_cfdi(kit).replace(b'Folio="1"', b'Folio="2"')
    assert codes(pac.stamp(tampered)) == ["302"]


def test_untrusted_csd_is_308_and_other_rfc_is_303(pac: PacService, kit: IssuerKit, tmp_path: Path) -> None:
    stranger = make_issuer(tmp_path / "x", ca=make_sat_test_ca("AC DESCONOCIDA"))
    assert codes(pac.stamp(sealed_cfdi(stranger))) == ["308"]
    # A CSD of another RFC from the trusted CA, sealed by hand (seal_cfdi itself refuses it).
    other = make_issuer(tmp_path / "y", rfc="XIQB891116QE4", name="OTRA PERSONA", regime="612", ca=kit.ca)
    xml = build_cfdi(sample_sale(), folio=1, issuer=kit.profile, issued_at=datetime.now(UTC))
    assert codes(pac.stamp(sign_by_hand(xml, other.csd()))) == ["303"]


def test_fecha_outside_the_csd_validity_is_305(pac: PacService, kit: IssuerKit, tmp_path: Path) -> None:
    fresh = make_issuer(tmp_path, ca=kit.ca, valid_from=datetime.now(UTC) - timedelta(hours=1))
    xml = build_cfdi(sample_sale(), folio=1, issuer=fresh.profile, issued_at=datetime.now(UTC) - timedelta(hours=5))
    assert codes(pac.stamp(sign_by_hand(xml, fresh.csd()))) == ["305"]


def test_older_than_72_hours_or_in_the_future_is_401(pac: PacService, kit: IssuerKit) -> None:
    old = sealed_cfdi(kit, issued_at=datetime.now(UTC) - timedelta(hours=72, minutes=1))
    assert codes(pac.stamp(old)) == ["401"]
    assert codes(pac.stamp(sealed_cfdi(kit, folio=2, issued_at=datetime.now(UTC) - timedelta(hours=71)))) == []
    # Tijuana with satcfdi's zone map (America/Matamoros): two hours in the future (reference §5.5).
    sale = sample_sale(place_of_issue="22000")
    xml = build_cfdi(sale, folio=3, issuer=kit.profile, issued_at=datetime.now(UTC))
    wrong = datetime.now(get_timezone("22000")).strftime("%Y-%m-%dT%H:%M:%S")
    root = etree.fromstring(xml)
    root.set("Fecha", wrong)
    result = pac.stamp(seal_cfdi(etree.tostring(root), kit.csd()))
    assert codes(result) == ["401"] and "futuro" in result.incidences[0].message


def test_business_rules_come_back_as_cfdi40_codes(pac: PacService, kit: IssuerKit) -> None:
    person = Receiver(rfc="XIQB891116QE4", name="PERSONA DE PRUEBA", postal_code="06600", tax_regime="605",
                      cfdi_use="G03")
    assert codes(pac.stamp(sealed_cfdi(kit, sample_sale(receiver=person)))) == ["CFDI40161"]
    public = Receiver(rfc="XAXX010101000", name="PUBLICO EN GENERAL", postal_code="42501", tax_regime="616",
                      cfdi_use="S01")
    assert "CFDI40130" in codes(pac.stamp(sealed_cfdi(kit, sample_sale(receiver=public))))


def test_arithmetic_is_checked_with_the_sat_tolerances(pac: PacService, kit: IssuerKit) -> None:
    csd = kit.csd()
    sealed = sealed_cfdi(kit)
    assert codes(pac.stamp(reseal(sealed, b'Total="1172.72"', b'Total="1172.73"', csd))) == ["CFDI40119"]
    assert "CFDI40108" in codes(pac.stamp(reseal(sealed, b'SubTotal="1015.14"', b'SubTotal="1015.15"', csd)))
    # Summary row and totals consistent with each other, but not with the concept it sums.
    root = etree.fromstring(sealed.replace(b'TotalImpuestosTrasladados="160.00"',
                                           b'TotalImpuestosTrasladados="160.01"'))
    row = root.find(f"{C}Impuestos/{C}Traslados/{C}Traslado")
    assert row is not None
    row.set("Importe", "160.01")
    root.set("Total", "1172.73")
    found = codes(pac.stamp(seal_cfdi(etree.tostring(root), csd)))
    assert found == ["CFDI40221"]
    # Concept Importe limits depend on the decimals written (Q41): 3.500000 × 123.456 = 432.096 tolerates
    # [432.09, 432.10]; with Cantidad written "3.5" the tolerance would be ±6 pesos.
    for importe, rejected in (("432.09", False), ("432.10", False), ("432.11", True), ("999.99", True)):
        line = etree.fromstring(sealed)
        concept = line.find(f"{C}Conceptos/{C}Concepto")
        assert concept is not None
        concept.set("Cantidad", "3.500000")
        concept.set("ValorUnitario", "123.456")
        concept.set("Importe", importe)
        assert ("CFDI40167" in codes(pac.stamp(seal_cfdi(etree.tostring(line), csd)))) is rejected, importe


def test_the_taxpayer_register_checks_the_receiver(tmp_path: Path, kit: IssuerKit) -> None:
    register = tmp_path / "taxpayers.json"
    register.write_text('{"URE180429TM6": {"name": "UNIVERSIDAD ROBOTICA ESPAÑOLA", "postal_code": "86991", '
                        '"regimes": ["601"]}}', encoding="utf-8")
    pac = make_service(tmp_path / "state", [kit.ca], register=TaxpayerRegister.from_file(register))
    assert codes(pac.stamp(sealed_cfdi(kit))) == []
    wrong = Receiver(rfc="URE180429TM6", name="UNIVERSIDAD ROBOTICA ESPANOLA", postal_code="86990", tax_regime="603",
                     cfdi_use="G03")
    assert codes(pac.stamp(sealed_cfdi(kit, sample_sale(receiver=wrong), folio=2))) == [
        "CFDI40145", "CFDI40148", "CFDI40158"]
    unknown = wrong.model_copy(update={"rfc": "AAA010101AAA"})
    assert codes(pac.stamp(sealed_cfdi(kit, sample_sale(receiver=unknown), folio=3)))[0] == "CFDI40143"


def test_the_sat_public_test_csd_is_accepted_when_pinned(tmp_path: Path) -> None:
    vectors = vectors_dir()
    if vectors is None:
        pytest.skip("COMPROBANTE_SCHEMAS is not set: the SAT's public test CSD is not available")
    certs = vectors / "mexico" / "certs"
    csd = load_csd((certs / "EKU9003173C9.cer").read_bytes(), (certs / "EKU9003173C9.key").read_bytes(), "12345678a")
    kit = make_issuer(tmp_path / "kit")
    sealed = seal_cfdi(build_cfdi(sample_sale(), folio=9, issuer=kit.profile, issued_at=datetime.now(UTC)), csd)
    untrusted = make_service(tmp_path / "a", [kit.ca])
    assert codes(untrusted.stamp(sealed)) == ["308"]
    pinned = make_service(tmp_path / "b", trust=TrustStore.from_files([certs / "EKU9003173C9.cer"]),
                          schema=CfdiSchema(vectors), cadenas=CadenaBuilder(vectors))
    assert codes(pinned.stamp(sealed)) == []


# --- cancellation -------------------------------------------------------------------------------------
def cancel(pac: PacService, uuid: str, motive: str = "02", substitute: str = "", rfc: str = "EKU9003173C9") -> tuple[
        str, str]:
    folio = pac.cancel(rfc, [{"UUID": uuid, "Motivo": motive, "FolioSustitucion": substitute}])[0]
    return folio.code, folio.state


def test_recent_or_small_documents_cancel_without_acceptance(pac: PacService, kit: IssuerKit) -> None:
    uuid = pac.stamp(sealed_cfdi(kit)).uuid
    assert cancel(pac, uuid) == ("201", "Cancelado sin aceptación")
    assert pac.status(uuid)["estado"] == "Cancelado"
    assert cancel(pac, uuid) == ("202", "Cancelado sin aceptación")
    pac.settings = PacSettings(immediate_cancel_window_s=0)
    small = pac.stamp(sealed_cfdi(kit, folio=2)).uuid  # total 1,172.72 > 1,000 ...
    cheap = pac.stamp(sealed_cfdi(kit, sample_sale(unit_price="500"), folio=3)).uuid  # ... 672.74 ≤ 1,000
    assert cancel(pac, cheap) == ("201", "Cancelado sin aceptación")
    assert cancel(pac, small) == ("201", "En proceso")


def test_acceptance_rejection_and_expiry(pac: PacService, kit: IssuerKit) -> None:
    pac.settings = PacSettings(immediate_cancel_window_s=0)
    uuids = [pac.stamp(sealed_cfdi(kit, folio=n)).uuid for n in (1, 2, 3)]
    for uuid in uuids:
        assert cancel(pac, uuid) == ("201", "En proceso")
    assert pac.status(uuids[0])["cancelable"] == "Cancelable con aceptación"
    assert pac.decide(uuids[0], accept=True) == "Cancelado con aceptación"
    assert pac.decide(uuids[1], accept=False) == "Solicitud rechazada"
    assert pac.status(uuids[1])["estado"] == "Vigente"
    assert cancel(pac, uuids[1]) == ("201", "En proceso")  # a rejected request may be repeated
    pac.settings = PacSettings(immediate_cancel_window_s=0, acceptance_window_s=0)
    assert pac.status(uuids[2])["cancel_state"] == "Plazo vencido"
    assert pac.decide(uuids[2], accept=True) is None


def test_a_credit_note_makes_its_invoice_not_cancellable_until_cancelled(pac: PacService, kit: IssuerKit) -> None:
    invoice = pac.stamp(sealed_cfdi(kit)).uuid
    note = pac.stamp(sealed_cfdi(kit, tipo="E", folio=2, related=[("01", invoice)])).uuid
    assert pac.status(invoice)["cancelable"] == "No cancelable"
    assert cancel(pac, invoice)[0] == "no_cancelable"
    pac.settings = PacSettings(immediate_cancel_window_s=0)
    assert cancel(pac, note) == ("201", "Cancelado sin aceptación")  # an Egreso needs no acceptance
    assert cancel(pac, invoice) == ("201", "En proceso")


def test_motive_rules(pac: PacService, kit: IssuerKit) -> None:
    original = pac.stamp(sealed_cfdi(kit)).uuid
    unrelated = pac.stamp(sealed_cfdi(kit, folio=2)).uuid
    replacement = pac.stamp(sealed_cfdi(kit, folio=3, related=[("04", original)])).uuid
    assert cancel(pac, original, "05")[0] == "207"
    assert cancel(pac, original, "01")[0] == "208"
    assert cancel(pac, original, "01", unrelated)[0] == "208"
    assert cancel(pac, original, "02", replacement)[0] == "209"
    assert cancel(pac, "A1B2C3D4-0000-4000-8000-000000000009")[0] == "205"
    assert cancel(pac, original, rfc="XIQB891116QE4")[0] == "203"
    assert cancel(pac, original, "01", replacement) == ("201", "Cancelado sin aceptación")
    assert pac.status(replacement)["estado"] == "Vigente"


def test_cancel_right_after_stamping_can_be_205(pac: PacService, kit: IssuerKit) -> None:
    pac.settings = PacSettings(cancel_not_found_s=3600)
    uuid = pac.stamp(sealed_cfdi(kit)).uuid
    assert cancel(pac, uuid)[0] == "205"


def test_foreign_currency_totals_count_in_pesos(pac: PacService, kit: IssuerKit) -> None:
    pac.settings = PacSettings(immediate_cancel_window_s=0)
    sale = sample_sale(unit_price="100", currency="USD", exchange_rate=Decimal("18.5"))
    uuid = pac.stamp(sealed_cfdi(kit, sale)).uuid
    assert cancel(pac, uuid) == ("201", "En proceso")  # 117.xx USD ≈ 2,100 MXN
