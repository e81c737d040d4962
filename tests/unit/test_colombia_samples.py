"""Shared Colombian samples (issuer, sale, test PKI, signed documents) and a sanity test of them.

Other ``test_colombia_*`` modules import the factories from here; each test states only what it changes.
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from adapters.certificates.pkcs12 import SigningIdentity, load_signing_identity
from adapters.certificates.test_pki import TestCA, make_signing_p12, make_test_ca
from adapters.colombia.invoice_xml import BuiltDocument, InvoiceReference, build_credit_note, build_invoice
from adapters.colombia.issuer import DianIssuerProfile
from adapters.colombia.resolution import HABILITACION_RESOLUTION
from adapters.colombia.xades_epes import sign_ubl
from domain.colombia.sale import ColombiaSale
from domain.colombia.validation import validate_sale

SCHEMAS = os.environ.get("COMPROBANTE_SCHEMAS")
needs_schemas = pytest.mark.skipif(not SCHEMAS, reason="COMPROBANTE_SCHEMAS is not set (official UBL/DIAN XSDs)")

ISSUER_NIT = "900390126"  # DV 6 (reference §4.6)
SOFTWARE_ID = "56f2ae4e-9812-4fad-9255-08fcfcd5ccb0"
SOFTWARE_PIN = "12345"
PASSWORD = "clave-de-prueba"
# 10:00 in Bogotá; every sample document is issued and signed at this moment.
ISSUED_AT = datetime(2026, 3, 10, 15, 0, 0, tzinfo=UTC)
TODAY = date(2026, 3, 10)

ADDRESS = {"city_code": "11001", "city_name": "Bogotá, D.C.", "department_code": "11",
           "department_name": "Bogotá", "line": "Carrera 7 # 32-16"}


def issuer_profile(**overrides: Any) -> DianIssuerProfile:
    data: dict[str, Any] = {
        "nit": ISSUER_NIT, "check_digit": "6", "legal_name": "COMERCIALIZADORA ANDINA S.A.S.",
        "trade_name": "ANDINA", "address": ADDRESS, "tax_responsibilities": ["O-13", "O-15"],
        "resolution": HABILITACION_RESOLUTION, "software_id": SOFTWARE_ID, "software_pin": SOFTWARE_PIN,
        "certificate_path": "unused.p12", "certificate_password_file": "unused.txt",
        "email": "facturacion@andina.example", "phone": "6017654321",
    }
    data.update(overrides)
    return DianIssuerProfile.model_validate(data)


def sale_dict(order_id: str = "CO-1", **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "order_id": order_id,
        "issuer": {"nit": ISSUER_NIT},
        "buyer": {"id_type": "13", "identification": "1020304050", "name": "Ana María Pérez",
                  "email": "ana.perez@correo.example", "address": ADDRESS},
        "lines": [
            {"code": "CAF-01", "description": "Café de origen 500 g", "quantity": "2", "unit_price": "15000",
             "discount": "1000", "taxes": [{"scheme": "01", "percent": "19"}]},
            {"code": "PAN-02", "description": "Pan artesanal", "quantity": "3", "unit_price": "3500.50",
             "taxes": [{"scheme": "01", "percent": "5"}]},
            {"code": "LIB-03", "description": "Libro (excluido)", "quantity": "1", "unit_price": "42000"},
            {"code": "ALM-04", "description": "Almuerzo ejecutivo", "quantity": "1", "unit_price": "18000",
             "taxes": [{"scheme": "04", "percent": "8"}]},
        ],
        "payment": {"form": "1", "means_code": "10"},
    }
    data.update(overrides)
    return data


def make_sale(order_id: str = "CO-1", **overrides: Any) -> ColombiaSale:
    return ColombiaSale.model_validate(sale_dict(order_id, **overrides))


@cache
def sample_ca() -> TestCA:
    return make_test_ca("AC PRUEBAS DIAN COMPROBANTE")


@cache
def identity(nit: str = ISSUER_NIT) -> SigningIdentity:
    p12 = make_signing_p12(sample_ca(), ruc=nit, holder="COMERCIALIZADORA ANDINA SAS", password=PASSWORD,
                           valid_from=datetime(2025, 1, 1, tzinfo=UTC))
    return load_signing_identity(p12, PASSWORD, at=ISSUED_AT)


def invoice(number: int = 990000101, *, sale: ColombiaSale | None = None, at: datetime = ISSUED_AT,
            **kwargs: Any) -> BuiltDocument:
    return build_invoice(sale or make_sale(), number=number, issuer=kwargs.pop("issuer", issuer_profile()),
                         issued_at=at, **kwargs)


def signed(document: BuiltDocument, at: datetime = ISSUED_AT, signer: SigningIdentity | None = None) -> bytes:
    return sign_ubl(document.xml, signer or identity(), signing_time=at)


def credit_note(original: BuiltDocument, number: int = 1, *, at: datetime = ISSUED_AT + timedelta(hours=1),
                **kwargs: Any) -> BuiltDocument:
    assert original.issue_date is not None
    reference = InvoiceReference(original.document_number, original.uuid, original.issue_date)
    return build_credit_note(kwargs.pop("sale", make_sale()), number=number, issuer=issuer_profile(),
                             issued_at=at, original=reference, **kwargs)


def schemas_path() -> Path:
    return Path(SCHEMAS or "")


def test_the_sample_sale_is_valid() -> None:
    assert validate_sale(make_sale(), today=TODAY, resolution=HABILITACION_RESOLUTION) == []
