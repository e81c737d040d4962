"""SRI simulator: nota de crédito checks against the stored factura (ficha §11 step 5; reference §5, §13, §14)."""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from simulators.sri import testkit
from simulators.sri.checks_authorization import AuthorizationPolicy, decide
from simulators.sri.faults import FaultSettings
from simulators.sri.schemas import SchemaSet
from simulators.sri.service import SriService
from simulators.sri.soap import Autorizacion
from simulators.sri.store import SCHEMA_VERSION, Store

VECTORS = os.environ.get("COMPROBANTE_SCHEMAS")
DELAY = 1.0


class Clock:
    """Manual clock: starts at the real time (fechaEmision is today) and moves when told."""

    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="module")
def ca() -> testkit.Identity:
    return testkit.make_ca()


@pytest.fixture(scope="module")
def signer(ca: testkit.Identity) -> testkit.Identity:
    return testkit.make_signer(ca)


@pytest.fixture
def clock() -> Clock:
    return Clock()


def _service(state_dir: Path, clock: Clock, ca: testkit.Identity) -> SriService:
    return SriService(
        Store(state_dir),
        SchemaSet(Path(VECTORS) if VECTORS else None),
        FaultSettings(authorization_delay_s=DELAY),
        trusted_cas=[ca.certificate],
        clock=clock,
    )


@pytest.fixture
def service(tmp_path: Path, clock: Clock, ca: testkit.Identity) -> Iterator[SriService]:
    sri = _service(tmp_path, clock, ca)
    yield sri
    sri.store.close()


class Sri:
    """Submit signed documents and read the decision, moving the manual clock past the delay."""

    def __init__(self, service: SriService, clock: Clock, signer: testkit.Identity) -> None:
        self.service, self.clock, self.signer = service, clock, signer

    def send(self, xml: bytes) -> str:
        outcome = self.service.receive(testkit.sign(xml, self.signer))
        assert outcome.estado == "RECIBIDA", outcome.mensajes
        return outcome.clave

    def decision(self, clave: str) -> Autorizacion:
        self.clock.now += DELAY + 1
        autorizaciones = self.service.authorize(clave).autorizaciones
        assert len(autorizaciones) == 1
        return autorizaciones[0]

    def issue(self, xml: bytes) -> Autorizacion:
        return self.decision(self.send(xml))

    def factura(self, **kwargs: object) -> Autorizacion:
        decided = self.issue(testkit.build_factura(**kwargs))  # type: ignore[arg-type]
        assert decided.estado == "AUTORIZADO"
        return decided


@pytest.fixture
def sri(service: SriService, clock: Clock, signer: testkit.Identity) -> Sri:
    return Sri(service, clock, signer)


def _nc(secuencial: int, **kwargs: object) -> bytes:
    return testkit.build_nota_credito(secuencial=secuencial, **kwargs)  # type: ignore[arg-type]


def _refusal(decided: Autorizacion) -> tuple[str, str]:
    assert decided.estado == "NO AUTORIZADO"
    assert decided.numero_autorizacion is None
    assert len(decided.mensajes) == 1 and decided.mensajes[0].tipo == "ERROR"
    return decided.mensajes[0].identificador, decided.mensajes[0].informacion_adicional or ""


# --- 1. the modified factura exists and is AUTORIZADO --------------------------------------------
def test_nota_credito_for_an_authorized_factura_is_authorized(sri: Sri) -> None:
    sri.factura()
    decided = sri.issue(_nc(45))
    assert decided.estado == "AUTORIZADO"
    assert [m.identificador for m in decided.mensajes] == ["60"]  # pruebas warning only


def test_nota_credito_for_an_unknown_factura_is_refused(sri: Sri) -> None:
    code, detail = _refusal(sri.issue(_nc(45)))
    assert code == "68"
    assert detail == (
        "La factura 001-001-000000123 (documento sustento de la nota de crédito) no existe en el SRI "
        "para el RUC 1792146739001 en el ambiente PRUEBAS"
    )


def test_the_factura_must_be_of_the_same_issuer_and_ambiente(sri: Sri) -> None:
    sri.factura()
    code, detail = _refusal(sri.issue(_nc(45, ruc="1760013210001")))
    assert code == "68" and "no existe" in detail and "1760013210001" in detail
    code, detail = _refusal(sri.issue(_nc(46, ambiente="2")))
    assert code == "68" and "ambiente PRODUCCION" in detail


def test_nota_credito_for_a_no_autorizado_factura_is_refused(sri: Sri) -> None:
    factura = testkit.tamper(testkit.sign(testkit.build_factura(), sri.signer))
    clave = sri.service.receive(factura).clave
    assert sri.decision(clave).mensajes[0].identificador == "39"
    code, detail = _refusal(sri.issue(_nc(45)))
    assert code == "68"
    assert f"clave de acceso {clave}) se encuentra en estado NO AUTORIZADO" in detail
    assert "solo se puede modificar un comprobante AUTORIZADO" in detail


def test_a_factura_fixed_after_no_autorizado_can_be_credited(sri: Sri) -> None:
    xml = testkit.build_factura()
    sri.service.receive(testkit.tamper(testkit.sign(xml, sri.signer)))
    clave = testkit.clave_of(xml)
    assert sri.decision(clave).estado == "NO AUTORIZADO"
    assert sri.issue(xml).estado == "AUTORIZADO"  # same clave, corrected (ficha §5.10)
    assert sri.issue(_nc(45)).estado == "AUTORIZADO"


def test_codDocModificado_must_be_a_factura(sri: Sri) -> None:
    sri.factura()
    code, detail = _refusal(sri.issue(_nc(45, cod_doc_modificado="05")))
    assert code == "64" and "05" in detail and "no es una factura (01)" in detail
    code, detail = _refusal(sri.issue(_nc(46, cod_doc_modificado="99")))
    assert code == "64" and "no existe en el catálogo" in detail


def test_the_factura_is_decided_first_when_it_was_due_no_later(sri: Sri) -> None:
    factura = sri.send(testkit.build_factura())
    nota = sri.send(_nc(45))
    assert sri.decision(nota).estado == "AUTORIZADO"  # nobody asked for the factura yet
    assert sri.decision(factura).estado == "AUTORIZADO"


def test_a_factura_received_after_the_nota_de_credito_was_processed_does_not_count(sri: Sri) -> None:
    nota = sri.send(_nc(45))
    sri.clock.now += DELAY + 5  # the nota de crédito's processing time passes
    sri.factura()  # authorized afterwards...
    code, detail = _refusal(sri.decision(nota))  # ...but decided as of its own due time
    assert code == "68" and "no existe" in detail


# --- 2. fechaEmisionDocSustento ------------------------------------------------------------------
def test_wrong_fecha_emision_doc_sustento_is_refused(sri: Sri) -> None:
    today = testkit.today_in_ecuador()
    sri.factura(fecha=today)
    wrong = today - timedelta(days=1)
    code, detail = _refusal(sri.issue(_nc(45, fecha=today, fecha_sustento=wrong)))
    assert code == "68"
    assert detail == (
        f"La fechaEmisionDocSustento {wrong:%d/%m/%Y} no corresponde a la fecha de emisión "
        f"{today:%d/%m/%Y} de la factura 001-001-000000123"
    )


def test_fecha_sustento_is_the_factura_date_not_the_nota_date(sri: Sri) -> None:
    today = testkit.today_in_ecuador()
    earlier = today - timedelta(days=3)
    sri.factura(fecha=earlier)
    assert sri.issue(_nc(45, fecha=today, fecha_sustento=earlier)).estado == "AUTORIZADO"


# --- 3. cumulative amount ------------------------------------------------------------------------
def test_notas_de_credito_cannot_exceed_the_factura(sri: Sri) -> None:
    sri.factura()  # importeTotal 28.13
    assert sri.issue(_nc(45)).estado == "AUTORIZADO"  # 11.50
    code, detail = _refusal(sri.issue(_nc(46, base="20.00", iva_code="0")))
    assert code == "68"
    assert detail == (
        "La suma de valorModificacion de las notas de crédito de la factura 001-001-000000123 supera su "
        "importeTotal 28.13: 11.50 en 1 nota(s) de crédito autorizada(s) + 20.00 de esta nota de crédito "
        "= 31.50 (saldo disponible 16.63)"
    )
    # The refused one does not count; one reaching the total exactly is accepted.
    assert sri.issue(_nc(47, base="16.63", iva_code="0")).estado == "AUTORIZADO"
    code, detail = _refusal(sri.issue(_nc(48, base="0.01", iva_code="0")))
    assert code == "68" and "28.13 en 2 nota(s)" in detail and "saldo disponible 0.00" in detail


def test_a_single_nota_de_credito_above_the_factura_is_refused(sri: Sri) -> None:
    sri.factura()
    code, detail = _refusal(sri.issue(_nc(45, base="28.14", iva_code="0")))
    assert code == "68" and "0.00 en 0 nota(s)" in detail and "= 28.14" in detail


def test_concurrent_notas_de_credito_are_judged_in_arrival_order(sri: Sri) -> None:
    sri.factura()
    first = sri.send(_nc(45, base="20.00", iva_code="0"))
    second = sri.send(_nc(46, base="20.00", iva_code="0"))
    sri.clock.now += DELAY + 1
    # Asking for the later one first still decides the earlier one first.
    assert _refusal(sri.decision(second))[0] == "68"
    assert sri.decision(first).estado == "AUTORIZADO"


def test_parallel_decisions_never_over_credit(sri: Sri) -> None:
    sri.factura()
    claves = [sri.send(_nc(45 + n, base="20.00", iva_code="0")) for n in range(6)]
    sri.clock.now += DELAY + 1
    results: dict[str, str] = {}

    def ask(clave: str) -> None:
        results[clave] = sri.service.authorize(clave).autorizaciones[0].estado

    threads = [threading.Thread(target=ask, args=(clave,)) for clave in reversed(claves)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [results[clave] for clave in claves] == ["AUTORIZADO"] + ["NO AUTORIZADO"] * 5


# --- 4. buyer ------------------------------------------------------------------------------------
def test_consumidor_final_nota_de_credito_is_refused(sri: Sri) -> None:
    sri.factura()
    code, detail = _refusal(sri.issue(_nc(45, buyer=("07", "9999999999999"))))
    assert code == "69"
    assert "no puede emitirse a consumidor final" in detail


def test_a_consumidor_final_factura_cannot_be_credited(sri: Sri) -> None:
    sri.factura(buyer=("07", "9999999999999"))
    code, detail = _refusal(sri.issue(_nc(45)))
    assert code == "68" and "fue emitida a consumidor final" in detail


def test_the_buyer_must_be_the_factura_buyer(sri: Sri) -> None:
    sri.factura()
    code, detail = _refusal(sri.issue(_nc(45, buyer=("04", "1792146739001"))))
    assert code == "68"
    assert detail == (
        "El comprador de la nota de crédito (tipoIdentificacionComprador 04, identificacionComprador "
        "1792146739001) no corresponde al comprador de la factura 001-001-000000123 "
        "(tipoIdentificacionComprador 05, identificacionComprador 1713328506)"
    )


# --- order (ficha §11) ---------------------------------------------------------------------------
def test_signature_comes_before_the_supporting_document_and_arithmetic_after(sri: Sri) -> None:
    tampered = testkit.tamper(testkit.sign(_nc(45), sri.signer))  # no factura either
    assert sri.decision(sri.service.receive(tampered).clave).mensajes[0].identificador == "39"
    sri.factura()
    broken = testkit.set_text(_nc(46, base="30.00", iva_code="0"), "infoNotaCredito/valorModificacion", "31.00")
    assert _refusal(sri.issue(broken))[0] == "68"  # exceeds the factura: step 5 before 52
    wrong_sum = testkit.set_text(_nc(47), "infoNotaCredito/valorModificacion", "11.60")
    assert _refusal(sri.issue(wrong_sum))[0] == "52"


# --- durability ----------------------------------------------------------------------------------
def test_records_survive_a_restart(
    tmp_path: Path, clock: Clock, ca: testkit.Identity, signer: testkit.Identity
) -> None:
    first = _service(tmp_path, clock, ca)
    Sri(first, clock, signer).factura()
    assert Sri(first, clock, signer).issue(_nc(45)).estado == "AUTORIZADO"
    first.store.close()

    second = _service(tmp_path, clock, ca)
    again = Sri(second, clock, signer)
    assert _refusal(again.issue(_nc(46, base="20.00", iva_code="0")))[0] == "68"
    assert again.issue(_nc(47, base="16.63", iva_code="0")).estado == "AUTORIZADO"
    assert _refusal(again.issue(_nc(48, num_doc_modificado="001-001-000000999")))[0] == "68"
    second.store.close()


def test_pending_nota_de_credito_survives_a_restart(
    tmp_path: Path, clock: Clock, ca: testkit.Identity, signer: testkit.Identity
) -> None:
    first = _service(tmp_path, clock, ca)
    sender = Sri(first, clock, signer)
    factura = sender.send(testkit.build_factura())
    nota = sender.send(_nc(45))
    first.store.close()

    second = _service(tmp_path, clock, ca)
    assert Sri(second, clock, signer).decision(nota).estado == "AUTORIZADO"
    assert second.authorize(factura).autorizaciones[0].estado == "AUTORIZADO"
    second.store.close()


def test_state_files_from_before_the_index_are_migrated(
    tmp_path: Path, clock: Clock, ca: testkit.Identity, signer: testkit.Identity
) -> None:
    first = _service(tmp_path, clock, ca)
    sender = Sri(first, clock, signer)
    sender.factura()
    assert sender.issue(_nc(45)).estado == "AUTORIZADO"
    pending = sender.send(_nc(46, base="20.00", iva_code="0"))
    path = first.store.path
    first.store.close()
    # Turn it into a version-0 file: no index, no attempts.refers_to.
    legacy = sqlite3.connect(path)
    legacy.executescript(
        "DROP TABLE document_index; DROP INDEX attempts_refers_to; ALTER TABLE attempts DROP COLUMN refers_to; "
        "PRAGMA user_version = 0;"
    )
    legacy.close()

    second = _service(tmp_path, clock, ca)
    check = sqlite3.connect(path)
    assert check.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    check.close()
    again = Sri(second, clock, signer)
    assert _refusal(again.decision(pending))[0] == "68"  # 11.50 + 20.00 > 28.13: the index was backfilled
    assert again.issue(_nc(47, base="16.63", iva_code="0")).estado == "AUTORIZADO"
    second.store.close()
    Store(tmp_path).close()  # reopening a current file is a no-op


def test_reset_forgets_the_records(sri: Sri) -> None:
    sri.factura()
    sri.service.store.reset()
    assert _refusal(sri.issue(_nc(45)))[0] == "68"


# --- pure decisions ------------------------------------------------------------------------------
def test_without_records_only_the_stateless_receiver_rule_applies(
    ca: testkit.Identity, signer: testkit.Identity
) -> None:
    now = datetime.now(UTC)
    policy = AuthorizationPolicy(trusted_cas=[ca.certificate])

    def codes(xml: bytes) -> list[str]:
        signed = testkit.sign(xml, signer)
        return [m.identificador for m in decide(signed, received_at=now, processed_at=now, policy=policy)]

    assert codes(_nc(45)) == []
    assert codes(_nc(45, buyer=("07", "9999999999999"))) == ["69"]
