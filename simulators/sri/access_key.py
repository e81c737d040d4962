"""Clave de acceso: layout and módulo-11 check digit (ficha Tabla 1; reference §8)."""

from __future__ import annotations

from dataclasses import dataclass

LENGTH = 49


def check_digit(first48: str) -> int:
    """Módulo 11 over the first 48 digits (reference §8.2).

    Weights 2..7 repeat from the rightmost digit leftwards; ``dv = 11 - (sum mod 11)``
    with the two special cases the ficha spells out: 11 -> 0 and 10 -> 1.
    """
    if len(first48) != LENGTH - 1 or not first48.isascii() or not first48.isdigit():
        raise ValueError("a clave de acceso body is exactly 48 ASCII digits")
    total = 0
    for position, char in enumerate(reversed(first48)):
        total += int(char) * (2 + position % 6)
    dv = 11 - total % 11
    if dv == 11:
        return 0
    if dv == 10:
        return 1
    return dv


def is_well_formed(clave: str) -> bool:
    """49 ASCII digits (what the Autorización service checks before answering 80)."""
    return len(clave) == LENGTH and clave.isascii() and clave.isdigit()


def malformation(clave: str) -> str | None:
    """Why ``clave`` is not a valid clave de acceso, or None (Recepción, answered with 35)."""
    if not is_well_formed(clave):
        return f"La clave de acceso '{clave}' debe tener {LENGTH} dígitos numéricos (tiene {len(clave)})"
    expected = check_digit(clave[:48])
    if int(clave[48]) != expected:
        return (
            f"La clave de acceso {clave} tiene un dígito verificador incorrecto: "
            f"es {clave[48]} y según el módulo 11 debe ser {expected}"
        )
    return None


@dataclass(frozen=True, slots=True)
class AccessKeyFields:
    """The fields packed into a clave de acceso (ficha Tabla 1)."""

    fecha: str  # ddmmaaaa
    cod_doc: str
    ruc: str
    ambiente: str
    serie: str  # estab + ptoEmi
    secuencial: str
    codigo_numerico: str
    tipo_emision: str
    digito_verificador: str

    @classmethod
    def parse(cls, clave: str) -> AccessKeyFields:
        if not is_well_formed(clave):
            raise ValueError(f"not a 49-digit clave de acceso: {clave!r}")
        return cls(
            fecha=clave[0:8],
            cod_doc=clave[8:10],
            ruc=clave[10:23],
            ambiente=clave[23:24],
            serie=clave[24:30],
            secuencial=clave[30:39],
            codigo_numerico=clave[39:47],
            tipo_emision=clave[47:48],
            digito_verificador=clave[48:49],
        )


def build(
    *,
    fecha_emision: str,
    cod_doc: str,
    ruc: str,
    ambiente: str,
    estab: str,
    pto_emi: str,
    secuencial: str,
    codigo_numerico: str,
    tipo_emision: str = "1",
) -> str:
    """Assemble a clave from document fields (``fecha_emision`` as dd/mm/aaaa)."""
    body = (
        fecha_emision.replace("/", "")
        + cod_doc
        + ruc
        + ambiente
        + estab
        + pto_emi
        + secuencial
        + codigo_numerico
        + tipo_emision
    )
    return body + str(check_digit(body))
