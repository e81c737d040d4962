"""Sales used across tests, built from plain dicts so each test states only what it changes."""

from typing import Any

from domain.ecuador.sale import EcuadorSale

ISSUER_RUC = "1792146739001"


def sale_dict(order_id: str = "T-1", **overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "order_id": order_id,
        "issuer": {"ruc": ISSUER_RUC, "establishment": "001", "emission_point": "001"},
        "buyer": {"id_type": "05", "identification": "1713328506", "name": "Ana Lucía Paredes",
                  "address": "Av. 10 de Agosto N21-12, Quito", "email": "ana.paredes@correo.example"},
        "lines": [
            {"code": "P001", "description": "Servicio gravado 15%", "quantity": "2", "unit_price": "10.555555",
             "discount": "1.00", "iva_code": "4"},
            {"code": "P002", "description": "Pan & leche <fresca>", "quantity": "1", "unit_price": "5",
             "iva_code": "0"},
        ],
        "payments": [{"method": "20", "amount": "28.13", "term": 30, "time_unit": "dias"}],
        "additional_info": [{"name": "Vendedor", "value": "Pedro"}],
    }
    base.update(overrides)
    return base


def make_sale(order_id: str = "T-1", **overrides: Any) -> EcuadorSale:
    return EcuadorSale.model_validate(sale_dict(order_id, **overrides))
