"""SRI simulator: pure checks (clave de acceso, RUC, arithmetic, structure, decisions)."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree

from simulators.sri import access_key, arithmetic, ruc, testkit
from simulators.sri.checks_authorization import GUAYAQUIL, AuthorizationPolicy, decide, emission_date_problem
from simulators.sri.checks_reception import MAX_BYTES, check_reception
from simulators.sri.schemas import SchemaSet, xerces_message

VECTORS = os.environ.get("COMPROBANTE_SCHEMAS")


@pytest.fixture(
    params=[
        "structural",
        pytest.param(
            "xsd", marks=pytest.mark.skipif(not VECTORS, reason="COMPROBANTE_SCHEMAS not set: XSD path not exercised")
        ),
    ]
)
def schemas(request: pytest.FixtureRequest) -> SchemaSet:
    """Every reception test runs with the built-in structure check and, when available, the XSDs."""
    return SchemaSet(Path(VECTORS) if request.param == "xsd" and VECTORS else None)


@pytest.fixture(scope="module")
def ca() -> testkit.Identity:
    return testkit.make_ca()


@pytest.fixture(scope="module")
def signer(ca: testkit.Identity) -> testkit.Identity:
    return testkit.make_signer(ca)


# --- clave de acceso (reference §8.2) ----------------------------------------------------
@pytest.mark.parametrize(
    "clave",
    [
        "0503201201176001321000110010030009900641234567814",  # ficha WS example (Σ 447, dv 4)
        "2110201101179214673900110020010000000011234567813",
        "1702201205176001321000110010030001000011234567816",
        "0312202201019007200200120029020004874985766297216",  # real authorized invoice
        "0702202201171074442400110020020000000018765432111",  # signed by SRI's own signer
    ],
)
def test_check_digit_reproduces_the_ficha_and_real_claves(clave: str) -> None:
    assert access_key.check_digit(clave[:48]) == int(clave[48])
    assert access_key.malformation(clave) is None


def _weighted_sum(body: str) -> int:
    # Independent restatement of the rule: weights 2..7 from the rightmost digit.
    weights = [2, 3, 4, 5, 6, 7] * 8
    return sum(int(d) * w for d, w in zip(reversed(body), weights, strict=True))


def test_check_digit_eleven_becomes_zero() -> None:
    body = "050320120117600132100011001003000990064123456881"
    assert _weighted_sum(body) % 11 == 0  # 11 − 0 = 11 → 0
    assert access_key.check_digit(body) == 0


def test_check_digit_ten_becomes_one() -> None:
    body = "050320120117600132100011001003000990064123456811"
    assert _weighted_sum(body) % 11 == 1  # 11 − 1 = 10 → 1
    assert access_key.check_digit(body) == 1


def test_ficha_eight_digit_example() -> None:
    # Ficha: 41261533 → Σ 104, 104 mod 11 = 5, dv 6 (same weights, shorter input).
    assert _weighted_sum("0" * 40 + "41261533") == 104


def test_malformed_claves_are_explained() -> None:
    assert "49 dígitos" in (access_key.malformation("123") or "")
    wrong = "0503201201176001321000110010030009900641234567815"
    assert "dígito verificador" in (access_key.malformation(wrong) or "")
    assert not access_key.is_well_formed("05032012011760013210001100100300099006412345678a")


def test_clave_fields_round_trip() -> None:
    clave = access_key.build(
        fecha_emision="05/03/2012",
        cod_doc="01",
        ruc="1760013210001",
        ambiente="1",
        estab="001",
        pto_emi="003",
        secuencial="000990064",
        codigo_numerico="12345678",
    )
    assert clave == "0503201201176001321000110010030009900641234567814"
    fields = access_key.AccessKeyFields.parse(clave)
    assert (fields.fecha, fields.ruc, fields.serie, fields.secuencial) == (
        "05032012",
        "1760013210001",
        "001003",
        "000990064",
    )


# --- RUC (reference §9) ------------------------------------------------------------------
@pytest.mark.parametrize(
    "value",
    [
        "1713328506001",  # natural person, valid cédula
        "1792146739001",  # company, checksum ok
        "1793189549001",  # company failing the checksum: valid at the SRI (§9.2)
        "1760013210001",  # public entity
    ],
)
def test_plausible_issuer_rucs(value: str) -> None:
    assert ruc.issuer_ruc_problem(value) is None


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("1713328507001", "cédula"),  # wrong cédula check digit
        ("9913328506001", "provincia"),
        ("1713328506002", "001"),
        ("1783328506001", "tercer dígito"),
        ("171332850600", "13 dígitos"),
    ],
)
def test_impossible_issuer_rucs(value: str, fragment: str) -> None:
    assert fragment in (ruc.issuer_ruc_problem(value) or "")


# --- arithmetic (reference §7) ------------------------------------------------------------
def _factura_root(**changes: str) -> etree._Element:
    xml = testkit.build_factura()
    for path, value in changes.items():
        xml = testkit.set_text(xml, path.replace("__", "/"), value)
    return etree.fromstring(xml)


def test_reference_example_is_consistent() -> None:
    # §4.3: 2 × 10.555555 − 1.00 = 20.11111 → 20.11; IVA 3.0165 → 3.02; total 28.13.
    assert arithmetic.check_factura(_factura_root()) is None
    assert arithmetic.round2(Decimal("3.0165")) == Decimal("3.02")


@pytest.mark.parametrize(
    ("path", "value", "fragment"),
    [
        ("detalles/detalle/precioTotalSinImpuesto", "20.13", "precioTotalSinImpuesto 20.13"),
        ("infoFactura/totalSinImpuestos", "25.20", "totalSinImpuestos 25.20"),
        ("infoFactura/totalDescuento", "2.00", "totalDescuento 2.00"),
        ("infoFactura/importeTotal", "28.20", "importeTotal 28.20"),
        ("infoFactura/pagos/pago/total", "28.00", "pagos 28.00"),
        ("detalles/detalle/impuestos/impuesto/valor", "3.10", "detalle 1"),
    ],
)
def test_arithmetic_mismatches_are_reported(path: str, value: str, fragment: str) -> None:
    root = etree.fromstring(testkit.set_text(testkit.build_factura(), path, value))
    problem = arithmetic.check_factura(root)
    assert problem is not None
    assert fragment in problem


def test_group_value_mismatch() -> None:
    root = _factura_root()
    group = root.findall("infoFactura/totalConImpuestos/totalImpuesto")[1]
    group.find("valor").text = "3.05"  # type: ignore[union-attr]
    root.find("detalles/detalle/impuestos/impuesto/valor").text = "3.02"  # type: ignore[union-attr]
    problem = arithmetic.check_factura(root)
    assert problem is not None
    assert "totalImpuesto IVA codigoPorcentaje 4" in problem


def test_one_cent_tolerance() -> None:
    root = etree.fromstring(testkit.set_text(testkit.build_factura(), "infoFactura/importeTotal", "28.14"))
    assert arithmetic.check_factura(root) is None  # 0.01 off: tolerated


def test_nota_credito_arithmetic() -> None:
    root = etree.fromstring(testkit.build_nota_credito())
    assert arithmetic.check_nota_credito(root) is None
    root.find("infoNotaCredito/valorModificacion").text = "12.00"  # type: ignore[union-attr]
    assert "valorModificacion" in (arithmetic.check_nota_credito(root) or "")


# --- Recepción (reference §13, §18) ------------------------------------------------------
def test_valid_documents_pass_reception(schemas: SchemaSet, signer: testkit.Identity) -> None:
    for xml in (testkit.build_factura(), testkit.build_nota_credito()):
        result = check_reception(testkit.sign(xml, signer), schemas)
        assert result.error is None, result.error
        assert result.document is not None


def test_size_limit_is_26(schemas: SchemaSet) -> None:
    original = testkit.build_factura()
    xml = original.replace(b"</factura>", b"<!--" + b"x" * MAX_BYTES + b"--></factura>")
    result = check_reception(xml, schemas)
    assert result.error is not None
    assert (result.error.identificador, result.error.mensaje) == ("26", "TAMAÑO MAXIMO SUPERADO")
    assert result.clave == testkit.clave_of(original)


def test_not_well_formed_is_35(schemas: SchemaSet) -> None:
    xml = testkit.build_factura().replace(b"</detalles>", b"</detalle>", 1)
    result = check_reception(xml, schemas)
    assert result.error is not None
    assert (result.error.identificador, result.error.mensaje) == ("35", "ARCHIVO NO CUMPLE ESTRUCTURA XML")


def test_element_order_is_35_with_xerces_text(schemas: SchemaSet) -> None:
    root = etree.fromstring(testkit.build_factura())
    info = root.find("infoTributaria")
    assert info is not None
    clave = info.find("claveAcceso")
    assert clave is not None
    info.remove(clave)
    info.insert(2, clave)  # before razonSocial
    result = check_reception(etree.tostring(root), schemas)
    assert result.error is not None
    assert result.error.identificador == "35"
    assert "cvc-complex-type.2.4.a" in (result.error.informacion_adicional or "")
    assert "'claveAcceso'" in (result.error.informacion_adicional or "")


def test_nota_credito_order_matches_the_ficha_example(schemas: SchemaSet) -> None:
    # Ficha DEVUELTA example: totalSinImpuestos before fechaEmisionDocSustento.
    root = etree.fromstring(testkit.build_nota_credito())
    info = root.find("infoNotaCredito")
    assert info is not None
    sustento = info.find("fechaEmisionDocSustento")
    assert sustento is not None
    info.remove(sustento)
    info.insert(list(info).index(info.find("valorModificacion")), sustento)  # type: ignore[arg-type]
    result = check_reception(etree.tostring(root), schemas)
    assert result.error is not None
    assert result.error.informacion_adicional == (
        "Se encontró el siguiente error en la estructura del comprobante: cvc-complex-type.2.4.a: Invalid "
        "content was found starting with element 'totalSinImpuestos'. One of '{fechaEmisionDocSustento}' "
        "is expected."
    )


def test_too_many_decimals_is_35(schemas: SchemaSet) -> None:
    xml = testkit.set_text(testkit.build_factura(), "infoFactura/totalSinImpuestos", "25.111")
    result = check_reception(xml, schemas)
    assert result.error is not None
    assert "cvc-fractionDigits-valid" in (result.error.informacion_adicional or "")


def test_bad_ruc_pattern_is_35(schemas: SchemaSet) -> None:
    xml = testkit.set_text(testkit.build_factura(), "infoTributaria/ruc", "1792146739002")
    result = check_reception(xml, schemas)
    assert result.error is not None
    assert "cvc-pattern-valid" in (result.error.informacion_adicional or "")


def test_unknown_version_is_36(schemas: SchemaSet) -> None:
    xml = testkit.build_factura().replace(b'version="1.1.0"', b'version="9.9.9"', 1)
    result = check_reception(xml, schemas)
    assert result.error is not None
    assert (result.error.identificador, result.error.mensaje) == ("36", "VERSION ESQUEMA DESCONTINUADA")


def test_unknown_root_is_36(schemas: SchemaSet) -> None:
    result = check_reception(b'<?xml version="1.0" encoding="UTF-8"?><recibo version="1.0.0"/>', schemas)
    assert result.error is not None
    assert result.error.identificador == "36"


@pytest.mark.parametrize("cod_doc", ["99", "04"])
def test_cod_doc_is_47(schemas: SchemaSet, cod_doc: str) -> None:
    xml = testkit.set_text(testkit.build_factura(), "infoTributaria/codDoc", cod_doc)
    result = check_reception(xml, schemas)
    assert result.error is not None
    assert (result.error.identificador, result.error.mensaje) == ("47", "TIPO DE COMPROBANTE NO EXISTE")


def test_wrong_check_digit_is_35(schemas: SchemaSet) -> None:
    xml = testkit.build_factura()
    clave = testkit.clave_of(xml)
    broken = clave[:48] + str((int(clave[48]) + 1) % 10)
    result = check_reception(xml.replace(clave.encode(), broken.encode()), schemas)
    assert result.error is not None
    assert result.error.identificador == "35"
    assert "dígito verificador" in (result.error.informacion_adicional or "")
    assert result.clave == broken


def test_xerces_translation_of_libxml2_messages() -> None:
    message = xerces_message(
        [
            ("Element 'ruc': [facet 'pattern'] The value '1' is not accepted by the pattern '[0-9]{10}001'.", 3),
            ("Element 'ruc': '1' is not a valid value of the atomic type 'numeroRuc'.", 3),
        ]
    )
    assert message == (
        "cvc-pattern-valid: Value '1' is not facet-valid with respect to pattern '[0-9]{10}001' for type 'numeroRuc'."
    )


# --- Autorización decision (reference §13, §14) --------------------------------------------
def _decide(xml: bytes, ca: testkit.Identity, **policy: object) -> list[str]:
    now = datetime.now(UTC)
    mensajes = decide(
        xml,
        received_at=now,
        processed_at=now,
        policy=AuthorizationPolicy(trusted_cas=[ca.certificate], **policy),  # type: ignore[arg-type]
    )
    return [m.identificador for m in mensajes]


def test_valid_document_is_authorized(ca: testkit.Identity, signer: testkit.Identity) -> None:
    assert _decide(testkit.sign(testkit.build_factura(), signer), ca) == []
    assert _decide(testkit.sign(testkit.build_nota_credito(), signer), ca) == []


def test_tampered_document_is_39(ca: testkit.Identity, signer: testkit.Identity) -> None:
    assert _decide(testkit.tamper(testkit.sign(testkit.build_factura(), signer)), ca) == ["39"]


def test_clave_inconsistent_with_document_is_58(ca: testkit.Identity, signer: testkit.Identity) -> None:
    xml = testkit.build_factura(secuencial=7)
    other = testkit.clave_of(testkit.build_factura(secuencial=8))
    xml = testkit.set_text(xml, "infoTributaria/claveAcceso", other)
    assert _decide(testkit.sign(xml, signer), ca) == ["58"]


def test_impossible_ruc_is_46_and_inactive_is_2(ca: testkit.Identity, signer: testkit.Identity) -> None:
    bad = testkit.sign(testkit.build_factura(ruc="1713328507001"), signer)
    assert _decide(bad, ca) == ["46"]
    good = testkit.sign(testkit.build_factura(), signer)
    assert _decide(good, ca, inactive_rucs=frozenset({"1792146739001"})) == ["2"]


def test_arithmetic_error_is_52(ca: testkit.Identity, signer: testkit.Identity) -> None:
    xml = testkit.set_text(testkit.build_factura(), "infoFactura/importeTotal", "30.00")
    assert _decide(testkit.sign(xml, signer), ca) == ["52"]


def test_future_and_stale_dates_are_65(ca: testkit.Identity, signer: testkit.Identity) -> None:
    today = testkit.today_in_ecuador()
    future = testkit.sign(testkit.build_factura(fecha=today + timedelta(days=1)), signer)
    assert _decide(future, ca) == ["65"]
    stale = testkit.sign(testkit.build_factura(fecha=today - timedelta(days=40)), signer)
    assert _decide(stale, ca) == ["65"]
    assert _decide(stale, ca, emission_tolerance=timedelta(days=60)) == []


def test_emission_date_uses_guayaquil_time() -> None:
    # 02:00 UTC on 16 Jan is still 15 Jan in Ecuador: a 16/01 document is future-dated.
    received = datetime(2026, 1, 16, 2, 0, tzinfo=UTC)
    assert emission_date_problem("16/01/2026", received_at=received, tolerance=timedelta(days=30))
    assert emission_date_problem("15/01/2026", received_at=received, tolerance=timedelta(days=30)) is None
    assert received.astimezone(GUAYAQUIL).date() == date(2026, 1, 15)


@pytest.mark.skipif(not VECTORS, reason="COMPROBANTE_SCHEMAS not set: XSD path not exercised")
def test_schemas_compile_safely_from_many_threads(signer: testkit.Identity) -> None:
    # libxml2 schema compilation is not thread-safe: each worker thread compiles its own copy.
    from concurrent.futures import ThreadPoolExecutor

    schemas = SchemaSet(Path(VECTORS or ""))
    xml = testkit.sign(testkit.build_factura(), signer)
    with ThreadPoolExecutor(max_workers=32) as pool:
        results = list(pool.map(lambda _: check_reception(xml, schemas).error, range(64)))
    assert results == [None] * 64
