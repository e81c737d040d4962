import os
from datetime import date
from pathlib import Path

import pytest
from lxml import etree

from adapters.ecuador.factura_xml import build_factura
from adapters.ecuador.schemas import schema_errors
from adapters.issuers import EstablishmentConfig, IssuerProfile
from domain.ecuador.access_key import AccessKeyParts, build_access_key
from domain.invoice import Numbering
from tests.support.sales import ISSUER_RUC, make_sale

SCHEMAS = os.environ.get("COMPROBANTE_SCHEMAS")
needs_schemas = pytest.mark.skipif(not SCHEMAS, reason="COMPROBANTE_SCHEMAS is not set (official XSDs)")

ISSUER = IssuerProfile(
    ruc=ISSUER_RUC, legal_name="COMERCIAL ANDINA DEL ECUADOR S.A.", trade_name="ANDINA",
    head_office_address="Av. Amazonas N34-451, Quito",
    establishments=[EstablishmentConfig(code="001", address="Av. Amazonas N34-451, Quito")],
    rimpe_legend="CONTRIBUYENTE RÉGIMEN RIMPE", withholding_agent="1",
    certificate_path=Path("unused.p12"), certificate_password_file=Path("unused"),
)


def numbering(day: date = date(2026, 11, 20)) -> Numbering:
    key = build_access_key(AccessKeyParts(day, "01", ISSUER_RUC, "1", "001", "001", "000000123", "12345678"))
    return Numbering(series="001-001", sequential=123, document_number="001-001-000000123", access_key=key,
                     issue_date=day)


def test_document_shape_and_values() -> None:
    root = etree.fromstring(build_factura(make_sale(), numbering(), ISSUER))
    assert root.tag == "factura"
    assert root.get("id") == "comprobante"
    assert [c.tag for c in root] == ["infoTributaria", "infoFactura", "detalles", "infoAdicional"]
    assert root.findtext("infoTributaria/claveAcceso") == numbering().access_key
    assert root.findtext("infoFactura/fechaEmision") == "20/11/2026"
    assert root.findtext("infoFactura/importeTotal") == "28.13"
    assert root.findtext("detalles/detalle/cantidad") == "2.000000"
    assert root.findtext("detalles/detalle/precioTotalSinImpuesto") == "20.11"
    # detalle/impuesto: tarifa BEFORE baseImponible; totalImpuesto: tarifa AFTER it.
    line_tax = root.find("detalles/detalle/impuestos/impuesto")
    total_tax = root.find("infoFactura/totalConImpuestos/totalImpuesto")
    assert line_tax is not None
    assert total_tax is not None
    assert [c.tag for c in line_tax] == [
        "codigo", "codigoPorcentaje", "tarifa", "baseImponible", "valor"]
    assert [c.tag for c in total_tax] == [
        "codigo", "codigoPorcentaje", "baseImponible", "tarifa", "valor"]
    assert root.findtext("detalles/detalle[2]/descripcion") == "Pan & leche <fresca>"
    emails = [c.text for c in root.iter("campoAdicional") if c.get("nombre") == "Email"]
    assert emails == ["ana.paredes@correo.example"]


def test_empty_optionals_are_omitted() -> None:
    sale = make_sale(buyer={"id_type": "05", "identification": "1713328506", "name": "Ana"},
                     additional_info=[])
    root = etree.fromstring(build_factura(sale, numbering(), ISSUER))
    assert root.find("infoFactura/direccionComprador") is None
    assert root.find("infoAdicional") is None
    assert all((el.text or "").strip() or len(el) for el in root.iter())


@needs_schemas
def test_builder_output_validates_against_the_official_xsd() -> None:
    xml = build_factura(make_sale(), numbering(), ISSUER)
    assert schema_errors(xml, Path(SCHEMAS or "")) == []


@needs_schemas
def test_schema_check_catches_a_broken_document() -> None:
    root = etree.fromstring(build_factura(make_sale(), numbering(), ISSUER))
    info = root.find("infoFactura")
    assert info is not None
    total = info.find("importeTotal")
    assert total is not None
    info.insert(0, total)  # wrong element order
    errors = schema_errors(etree.tostring(root), Path(SCHEMAS or ""))
    assert errors and "importeTotal" in errors[0]
