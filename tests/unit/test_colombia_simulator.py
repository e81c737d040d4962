"""The DIAN simulator's service in-process: what it accepts, what it rejects and with which rule."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from lxml import etree

from adapters.certificates.pkcs12 import load_signing_identity
from adapters.certificates.test_pki import make_signing_p12, make_test_ca
from adapters.colombia.dian_answer import parse_rules
from adapters.colombia.namespaces import CBC
from adapters.colombia.packaging import zip_document
from adapters.colombia.resolution import NumberingResolution
from adapters.colombia.schemas import schema_errors
from adapters.colombia.xades_epes import sign_ubl
from simulators.dian.certificates import simulator_identity
from simulators.dian.faults import FaultSettings
from simulators.dian.schemas import SchemaSet
from simulators.dian.service import DianService, Signer
from simulators.dian.soap import DianResult
from simulators.dian.store import Store
from simulators.dian.xades_check import verify_document
from tests.unit.test_colombia_samples import (
    ISSUED_AT,
    SCHEMAS,
    SOFTWARE_ID,
    SOFTWARE_PIN,
    credit_note,
    identity,
    invoice,
    issuer_profile,
    make_sale,
    needs_schemas,
    sample_ca,
    schemas_path,
    signed,
)


class Clock:
    def __init__(self) -> None:
        self.now = ISSUED_AT.timestamp() + 10

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


def make_service(state: Path, clock: Clock, delay: float = 0.0) -> DianService:
    store = Store(state)
    store.add_software(SOFTWARE_ID, SOFTWARE_PIN)
    key, certificate = simulator_identity(state)
    return DianService(store, SchemaSet(Path(SCHEMAS) if SCHEMAS else None), FaultSettings(processing_delay_s=delay),
                       signer=Signer(key, certificate), trusted=[sample_ca().cert], clock=clock)


@pytest.fixture
def service(tmp_path: Path, clock: Clock) -> Iterator[DianService]:
    running = make_service(tmp_path, clock)
    yield running
    running.store.close()


def send(service: DianService, xml: bytes, caller_nit: str = "900390126") -> DianResult:
    content = base64.b64encode(zip_document("fv.xml", xml)).decode()
    return service.send_bill_sync("z.zip", content, identity(caller_nit).certificate)


def codes(result: DianResult) -> list[str]:
    errors, notifications = parse_rules(result.errors)
    return [r.code for r in errors + notifications]


def with_uuid(xml: bytes, value: str) -> bytes:
    root = etree.fromstring(xml)
    uuid = root.find(f"{{{CBC}}}UUID")
    assert uuid is not None
    uuid.text = value
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def test_accepts_with_a_signed_application_response(service: DianService) -> None:
    built = invoice()
    result = send(service, signed(built))
    assert (result.status_code, result.is_valid, result.errors) == ("00", True, [])
    assert result.document_key == built.uuid
    assert result.status_message == "La Factura electrónica SETP990000101, ha sido autorizada."
    assert result.application_response is not None
    response = etree.fromstring(result.application_response)
    assert response.findtext(f".//{{{CBC}}}ResponseCode") == "02"
    report = verify_document(response, trusted=[service.signer.certificate], at=datetime.now(UTC))
    assert report.problems == []
    if SCHEMAS:
        assert schema_errors(result.application_response, schemas_path()) == []
    status = service.get_status(built.uuid)
    assert (status.status_code, status.application_response) == ("00", result.application_response)


def test_wrong_cufe_is_fad06(service: DianService) -> None:
    built = invoice()
    xml = sign_ubl(with_uuid(built.xml, "0" * 96), identity(), signing_time=ISSUED_AT)
    result = send(service, xml)
    assert result.status_code == "99"
    assert codes(result) == ["FAD06"]
    assert "Regla: FAD06, Rechazo: Valor del CUFE no está calculado correctamente." in result.errors
    assert service.get_status("0" * 96).status_code == "99"  # the outcome is kept for GetStatus


def test_duplicates_answer_rule_90_with_the_original(service: DianService) -> None:
    first = send(service, signed(invoice()))
    again = send(service, signed(invoice()))  # same document, signed again
    assert again.status_code == "99"
    assert codes(again) == ["90"]
    assert again.application_response == first.application_response
    assert again.document_key == first.document_key
    other = send(service, signed(invoice(sale=make_sale(lines=[{"description": "Otro", "quantity": "1",
                                                                 "unit_price": "10"}]))))
    assert codes(other) == ["90"]
    assert other.document_key == first.document_key  # a number conflict: someone else's CUFE


def test_a_rejected_number_can_be_fixed_and_resent(service: DianService) -> None:
    bad = sign_ubl(with_uuid(invoice().xml, "1" * 96), identity(), signing_time=ISSUED_AT)
    assert send(service, bad).status_code == "99"
    assert send(service, signed(invoice())).status_code == "00"


def test_check_digits_software_and_range(service: DianService) -> None:
    sale = make_sale(buyer={"id_type": "31", "identification": "800197268", "check_digit": "5", "name": "DIAN",
                            "person_type": "1"})
    assert codes(send(service, signed(invoice(sale=sale)))) == ["FAK24"]
    unknown = issuer_profile(software_id="11111111-2222-3333-4444-555555555555")
    assert codes(send(service, signed(invoice(issuer=unknown)))) == ["FAB27b"]
    assert codes(send(service, signed(invoice(996000000)))) == ["FAD05d"]
    expired = NumberingResolution(authorization="18760000002", prefix="OLD", range_from=1, range_to=10,
                                  valid_from=date(2020, 1, 1), valid_to=date(2025, 12, 31),
                                  technical_key="fc8eac422eba16e22ffd8c6f94b3f40a6e38162c")
    assert codes(send(service, signed(invoice(5, issuer=issuer_profile(resolution=expired))))) == ["FAB08b"]


def test_arithmetic_rules(service: DianService) -> None:
    root = etree.fromstring(invoice().xml)
    payable = root.find(f".//{{{CBC}}}PayableAmount")
    assert payable is not None
    payable.text = "1.00"
    result = send(service, sign_ubl(etree.tostring(root), identity(), signing_time=ISSUED_AT))
    assert codes(result) == ["FAD06", "FAU14"]


def test_signatures_and_certificates(service: DianService) -> None:
    root = etree.fromstring(signed(invoice()))
    description = root.find(f".//{{{CBC}}}Description")
    assert description is not None
    description.text = "cambiada después de firmar"
    assert codes(send(service, etree.tostring(root))) == ["ZE02"]
    stranger = load_signing_identity(
        make_signing_p12(make_test_ca("OTRA AC"), ruc="900390126", holder="X", password="p",
                         valid_from=datetime(2025, 1, 1, tzinfo=UTC)), "p", at=ISSUED_AT)
    assert codes(send(service, signed(invoice(), signer=stranger))) == ["ZD05"]
    refused = send(service, signed(invoice()), caller_nit="830000001")
    assert refused.status_code == "89"
    assert "no autorizado a enviar documentos para emisor con NIT 900390126" in refused.status_description


def test_credit_notes_need_an_accepted_invoice(service: DianService) -> None:
    original = invoice()
    note = credit_note(original)
    note_xml = signed(note, ISSUED_AT + timedelta(hours=1))
    assert codes(send(service, note_xml)) == ["CBG04a"]
    assert send(service, signed(original)).status_code == "00"
    accepted = send(service, note_xml)
    assert accepted.status_code == "00"
    assert accepted.status_message == "La Nota Crédito electrónica NC1, ha sido autorizada."
    wrong = sign_ubl(with_uuid(credit_note(original, 2).xml, "2" * 96), identity(),
                     signing_time=ISSUED_AT + timedelta(hours=1))
    assert codes(send(service, wrong)) == ["CAD06"]


def test_processing_delay_answers_66_then_98_then_00(tmp_path: Path, clock: Clock) -> None:
    service = make_service(tmp_path, clock, delay=5)
    built = invoice()
    first = send(service, signed(built))
    assert (first.status_code, first.document_key) == ("66", built.uuid)
    assert service.get_status(built.uuid).status_code == "98"
    assert send(service, signed(built)).status_code == "98"
    clock.now += 6
    assert service.get_status(built.uuid).status_code == "00"
    assert codes(send(service, signed(built))) == ["90"]
    service.store.close()


def test_packaging_and_unknown_track_ids(service: DianService) -> None:
    empty = service.send_bill_sync("z.zip", "", identity().certificate)
    assert (empty.status_code, empty.status_description) == ("89", "Archivo no enviado.")
    garbage = service.send_bill_sync("z.zip", base64.b64encode(b"not a zip").decode(), identity().certificate)
    assert garbage.status_code == "89"
    assert service.get_status("f" * 96).status_code == "66"
    assert service.get_status_zip("nope")[0].status_code == "66"


def test_structure_errors_are_zb01(service: DianService) -> None:
    result = send(service, b"<Invoice/>")
    assert codes(result) == ["ZB01"]
    assert send(service, b"<not xml").status_code == "99"


@needs_schemas
def test_schema_errors_are_zb01(service: DianService) -> None:
    root = etree.fromstring(invoice().xml)
    issue_date = root.find(f"{{{CBC}}}IssueDate")
    assert issue_date is not None
    root.remove(issue_date)
    root.insert(1, issue_date)
    assert codes(send(service, sign_ubl(etree.tostring(root), identity(), signing_time=ISSUED_AT))) == ["ZB01"]


def test_async_batches_and_state_survive_a_restart(tmp_path: Path, clock: Clock) -> None:
    service = make_service(tmp_path, clock, delay=2)
    content = base64.b64encode(zip_document("fv.xml", signed(invoice()))).decode()
    upload = service.send_async("SendTestSetAsync", "z.zip", content, identity().certificate, "test-set-1")
    assert upload.zip_key
    assert service.get_status_zip(upload.zip_key)[0].status_description == "Batch en proceso de validación."
    service.store.close()
    clock.now += 3
    restarted = make_service(tmp_path, clock)
    [result] = restarted.get_status_zip(upload.zip_key)
    assert result.status_code == "00"
    assert restarted.store.document_report(invoice().uuid)["accepted_submissions"] == 1  # type: ignore[index]
    restarted.store.close()
