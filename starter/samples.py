"""Realistic Ecuadorian sales for the demo: different buyers, IVA rates and payment forms.

Each sample says what it exercises, so a person reading the demo output knows what they are looking at.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from domain.colombia.sale import ColombiaSale
from domain.ecuador.sale import EcuadorSale
from domain.invoice import Sale
from domain.mexico.sale import MexicoSale
from starter.issuer_setup import DEMO_NIT, DEMO_RFC, DEMO_RUC


@dataclass(frozen=True)
class Sample:
    label: str
    sale: Sale


def _sale(order_id: str, buyer: dict[str, str], lines: list[dict[str, object]], payments: list[dict[str, object]],
          **extra: object) -> EcuadorSale:
    return EcuadorSale.model_validate({
        "order_id": order_id, "issuer": {"ruc": DEMO_RUC, "establishment": "001", "emission_point": "001"},
        "buyer": buyer, "lines": lines, "payments": payments, **extra,
    })


def sale_needing_a_fix(prefix: str) -> tuple[Sample, dict[str, object]]:
    """A sale typed with a wrong cédula (check digit), and the patch support applies to it."""
    buyer = {"id_type": "05", "identification": "1713328507", "name": "Jorge Luis Cevallos",
             "email": "jcevallos@correo.example"}
    sample = Sample("typo in the buyer's cédula: waits in NEEDS_FIX, fixed by support", _sale(
        f"{prefix}-06", buyer,
        [{"code": "SRV-10", "description": "Mantenimiento de computador", "quantity": "1", "unit_price": "45.00",
          "iva_code": "4"}],
        [{"method": "20", "amount": "51.75"}],
    ))
    return sample, {"buyer": {**buyer, "identification": "1713328506"}}


def demo_sales(prefix: str) -> list[Sample]:
    return [
        Sample("company buyer (RUC), 15 % and 0 %, transfer on 30 days credit", _sale(
            f"{prefix}-01",
            {"id_type": "04", "identification": "1790016919001", "name": "Distribuidora Los Andes C.A.",
             "address": "Av. General Enríquez 2140, Sangolquí", "email": "compras@losandes.example"},
            [{"code": "LAP-14", "description": "Laptop 14\" 16 GB RAM", "quantity": "2", "unit_price": "689.90",
              "discount": "40.00", "iva_code": "4", "unit": "unidad",
              "details": [{"name": "Garantía", "value": "12 meses"}]},
             {"code": "LIB-01", "description": "Manual técnico impreso", "quantity": "2", "unit_price": "18.50",
              "iva_code": "0"}],
            [{"method": "20", "amount": "1577.77", "term": 30, "time_unit": "dias"}],
            additional_info=[{"name": "Orden de compra", "value": "OC-2026-1187"}],
            expected_total="1577.77",
        )),
        Sample("person buyer (cédula), 15 % and 5 % construction material, credit card", _sale(
            f"{prefix}-02",
            {"id_type": "05", "identification": "1713328506", "name": "María José Andrade Vélez",
             "address": "Calle Los Cedros 45, Cumbayá", "email": "mjandrade@correo.example"},
            [{"code": "CEM-50", "auxiliary_code": "F010101", "description": "Cemento Portland 50 kg",
              "quantity": "12", "unit_price": "8.35", "iva_code": "5", "unit": "saco"},
             {"code": "HER-07", "description": "Juego de destornilladores", "quantity": "1",
              "unit_price": "23.99", "iva_code": "4"}],
            [{"method": "19", "amount": "132.80"}],
        )),
        Sample("consumidor final, 15 % and 0 %, cash", _sale(
            f"{prefix}-03",
            {"id_type": "07", "identification": "9999999999999", "name": "CONSUMIDOR FINAL"},
            [{"code": "CAF-01", "description": "Café pasado", "quantity": "2", "unit_price": "1.75",
              "iva_code": "4"},
             {"code": "PAN-02", "description": "Pan de yuca", "quantity": "6", "unit_price": "0.35",
              "iva_code": "0"}],
            [{"method": "01", "amount": "6.13"}],
        )),
        Sample("person buyer, exento and no objeto de IVA, debit card + cash", _sale(
            f"{prefix}-04",
            {"id_type": "05", "identification": "0926687856", "name": "Carlos Eduardo Zambrano Mera",
             "address": "Urdesa Central, Guayaquil", "email": "czambrano@correo.example"},
            [{"code": "EDU-01", "description": "Curso de contabilidad básica (exento)", "quantity": "1",
              "unit_price": "120.00", "iva_code": "7"},
             {"code": "REE-01", "description": "Reembolso de materiales (no objeto de IVA)", "quantity": "1",
              "unit_price": "15.40", "iva_code": "6"}],
            [{"method": "16", "amount": "100.00"}, {"method": "01", "amount": "35.40"}],
        )),
        Sample("foreign buyer (passport), 15 %, tip, credit card", _sale(
            f"{prefix}-05",
            {"id_type": "06", "identification": "X48213377", "name": "Emily Carter",
             "email": "emily.carter@mail.example"},
            [{"code": "TUR-GAL", "description": "Tour Isla Santa Cruz día completo", "quantity": "1",
              "unit_price": "95.00", "iva_code": "4"},
             {"code": "ALM-01", "description": "Almuerzo típico", "quantity": "1", "unit_price": "14.50",
              "iva_code": "4"}],
            [{"method": "19", "amount": "135.93"}],
            tip=Decimal("10.00"),
        )),
    ]


BOGOTA_ADDRESS = {"city_code": "11001", "city_name": "Bogotá, D.C.", "department_code": "11",
                  "department_name": "Bogotá", "line": "Calle 93 # 11-26"}
MEDELLIN_ADDRESS = {"city_code": "05001", "city_name": "Medellín", "department_code": "05",
                    "department_name": "Antioquia", "line": "Carrera 43A # 1-50"}


def _colombian_sale(order_id: str, buyer: dict[str, object], lines: list[dict[str, object]],
                    payment: dict[str, object]) -> ColombiaSale:
    return ColombiaSale.model_validate({"country": "CO", "order_id": order_id, "issuer": {"nit": DEMO_NIT},
                                        "buyer": buyer, "lines": lines, "payment": payment})


def colombia_sales(prefix: str) -> list[Sample]:
    return [
        Sample("Colombia: company buyer (NIT), IVA 19 % and 5 %, credit 30 days", _colombian_sale(
            f"{prefix}-CO-01",
            {"id_type": "31", "identification": "800197268", "check_digit": "4", "person_type": "1",
             "name": "Distribuidora del Valle S.A.S.", "tax_responsibilities": ["O-13"], "tax_regime": "48",
             "email": "compras@delvalle.example", "address": MEDELLIN_ADDRESS},
            [{"code": "MON-24", "description": "Monitor 24 pulgadas", "quantity": "3", "unit_price": "620000",
              "discount": "30000", "taxes": [{"scheme": "01", "percent": "19"}]},
             {"code": "CAF-01", "description": "Café de origen 500 g", "quantity": "10", "unit_price": "15000",
              "taxes": [{"scheme": "01", "percent": "5"}]}],
            {"form": "2", "means_code": "42", "due_date": (date.today() + timedelta(days=30)).isoformat()},
        )),
        Sample("Colombia: person (cédula), excluded book and INC 8 % restaurant, cash", _colombian_sale(
            f"{prefix}-CO-02",
            {"id_type": "13", "identification": "1020304050", "name": "Ana María Pérez",
             "email": "ana.perez@correo.example", "address": BOGOTA_ADDRESS},
            [{"code": "LIB-03", "description": "Libro (excluido de IVA)", "quantity": "1", "unit_price": "42000"},
             {"code": "ALM-04", "description": "Almuerzo ejecutivo", "quantity": "2", "unit_price": "18000",
              "taxes": [{"scheme": "04", "percent": "8"}]}],
            {"form": "1", "means_code": "10"},
        )),
    ]


def _mexican_sale(order_id: str, receiver: dict[str, object], lines: list[dict[str, object]],
                  **fields: object) -> MexicoSale:
    return MexicoSale.model_validate({"country": "MX", "order_id": order_id, "issuer": {"rfc": DEMO_RFC},
                                      "receiver": receiver, "lines": lines, **fields})


IVA_16 = [{"tax": "002", "factor": "Tasa", "rate": "0.160000"}]


def mexico_sales(prefix: str) -> list[Sample]:
    today = date.today()
    return [
        Sample("Mexico: persona moral receiver, IVA 16 %, PUE by transfer", _mexican_sale(
            f"{prefix}-MX-01",
            {"rfc": "URE180429TM6", "name": "UNIVERSIDAD ROBOTICA ESPAÑOLA", "postal_code": "86991",
             "tax_regime": "601", "cfdi_use": "G03", "email": "compras@robotica.example"},
            [{"product_key": "43211503", "sku": "LAP-14", "quantity": "2", "unit_key": "H87", "unit": "Pieza",
              "description": "Computadora portátil 14 pulgadas", "unit_price": "15999.00", "transferred": IVA_16}],
            payment_form="03", payment_method="PUE",
        )),
        Sample("Mexico: persona física receiver, PPD (paid later, forma 99)", _mexican_sale(
            f"{prefix}-MX-02",
            {"rfc": "XIQB891116QE4", "name": "PERSONA DE PRUEBA", "postal_code": "06600", "tax_regime": "605",
             "cfdi_use": "S01", "email": "persona@correo.example"},
            [{"product_key": "86121700", "quantity": "1", "unit_key": "E48", "unit": "Servicio",
              "description": "Curso de robótica en línea", "unit_price": "2500.00", "transferred": IVA_16}],
            payment_form="99", payment_method="PPD",
        )),
        Sample("Mexico: global invoice to público en general (XAXX010101000)", _mexican_sale(
            f"{prefix}-MX-03",
            {"rfc": "XAXX010101000", "name": "PUBLICO EN GENERAL", "postal_code": "42501", "tax_regime": "616",
             "cfdi_use": "S01"},
            [{"product_key": "01010101", "sku": "TICKETS", "quantity": "1", "unit_key": "ACT",
              "description": "Venta", "unit_price": "862.07", "transferred": IVA_16}],
            payment_form="01", payment_method="PUE",
            global_information={"periodicity": "01", "months": f"{today.month:02d}", "year": today.year},
        )),
    ]
