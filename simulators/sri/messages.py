"""The SRI's message catalogue (ficha técnica v2.32 §11; reference §14).

Every rejection the simulator produces goes through one of these constructors so that
identifiers and texts stay exactly as the SRI writes them (uppercase ``mensaje``, detail in
``informacionAdicional``). Clients dispatch on ``identificador``, so getting it right matters
more than the wording.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

ERROR = "ERROR"
ADVERTENCIA = "ADVERTENCIA"

# identificador -> mensaje, as the SRI writes it (ficha §11, reference §14). Accents follow
# what the SRI's web services actually return (they mostly omit them).
TEXTS: dict[str, str] = {
    "2": "RUC DEL EMISOR SE ENCUENTRA NO ACTIVO",
    "26": "TAMAÑO MAXIMO SUPERADO",
    "35": "ARCHIVO NO CUMPLE ESTRUCTURA XML",
    "36": "VERSION ESQUEMA DESCONTINUADA",
    "39": "FIRMA INVALIDA",
    "43": "CLAVE ACCESO REGISTRADA",
    "45": "SECUENCIAL REGISTRADO",
    "46": "RUC NO EXISTE",
    "47": "TIPO DE COMPROBANTE NO EXISTE",
    "49": "ARGUMENTOS QUE ENVIAN AL WS NULOS",
    "50": "ERROR INTERNO GENERAL",
    "52": "ERROR EN DIFERENCIAS",
    "58": "ERROR EN LA ESTRUCTURA DE CLAVE ACCESO",
    "60": "ESTE PROCESO FUE REALIZADO EN EL AMBIENTE DE PRUEBAS",
    # 64/68/69: the reference §14 names, uppercase without accents like the others. Which
    # credit-note refusals use them is explained in ``checks_supporting``.
    "64": "CODIGO DOCUMENTO SUSTENTO",
    "65": "FECHA EMISION EXTEMPORANEA",
    "68": "DOCUMENTO SUSTENTO",
    "69": "IDENTIFICACION DEL RECEPTOR",
    "70": "CLAVE DE ACCESO EN PROCESAMIENTO",
    # 80 is answered by the Autorización service for a malformed queried clave; the SRI's
    # text for it differs from 58 by the article "LA" (observed responses, reference §8.1).
    "80": "ERROR EN LA ESTRUCTURA DE LA CLAVE DE ACCESO",
}


@dataclass(frozen=True, slots=True)
class Mensaje:
    """One ``<mensaje>`` of a Recepción or Autorización answer."""

    identificador: str
    mensaje: str
    informacion_adicional: str | None = None
    tipo: str = ERROR

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Mensaje:
        return cls(
            identificador=str(data["identificador"]),
            mensaje=str(data["mensaje"]),
            informacion_adicional=data.get("informacion_adicional"),
            tipo=str(data.get("tipo", ERROR)),
        )


def error(identificador: str, informacion_adicional: str | None = None) -> Mensaje:
    """An ERROR message with the SRI's own text for ``identificador``."""
    return Mensaje(identificador, TEXTS[identificador], informacion_adicional, ERROR)


def warning(identificador: str, informacion_adicional: str | None = None) -> Mensaje:
    return Mensaje(identificador, TEXTS[identificador], informacion_adicional, ADVERTENCIA)


def structure_error(detail: str) -> Mensaje:
    """35 with the validator text, prefixed the way the SRI does (ficha §7.2.3 example)."""
    return error("35", f"Se encontró el siguiente error en la estructura del comprobante: {detail}")
