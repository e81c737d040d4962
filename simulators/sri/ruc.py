"""Issuer RUC plausibility (reference §9).

The SRI checks the issuer against its taxpayer registry; the simulator has no registry, so
it applies the algorithmic rules that a real registry would never contradict:
length/digits/province/establishment suffix always, and the cédula check digit only for
natural persons (third digit 0-5). Company (9) and public-entity (6) check digits are not
algorithmic at the SRI (§9.2: many valid RUCs fail them), so they are not enforced.
"""

from __future__ import annotations

# Provinces 01-24, plus 30 for Ecuadorians registered abroad (§9.1).
_PROVINCES = {f"{n:02d}" for n in range(1, 25)} | {"30"}


def cedula_problem(cedula: str) -> str | None:
    """Why a 10-digit cédula is invalid, or None (coefficients 2,1,2,1,... §9.1)."""
    if len(cedula) != 10 or not cedula.isascii() or not cedula.isdigit():
        return "la cédula debe tener 10 dígitos"
    if cedula[:2] not in _PROVINCES:
        return f"código de provincia {cedula[:2]} inexistente"
    if int(cedula[2]) >= 6:
        return "el tercer dígito de una cédula debe ser menor que 6"
    total = 0
    for index, char in enumerate(cedula[:9]):
        product = int(char) * (2 if index % 2 == 0 else 1)
        total += product - 9 if product > 9 else product
    expected = (10 - total % 10) % 10
    if int(cedula[9]) != expected:
        return f"dígito verificador de la cédula {cedula[9]} incorrecto (debe ser {expected})"
    return None


def issuer_ruc_problem(ruc: str) -> str | None:  # noqa: PLR0911 - one exit per rule
    """Why ``ruc`` cannot be an existing issuer RUC, or None (answered with 46 RUC NO EXISTE)."""
    if len(ruc) != 13 or not ruc.isascii() or not ruc.isdigit():
        return f"El RUC {ruc} debe tener 13 dígitos"
    if ruc[:2] not in _PROVINCES:
        return f"El RUC {ruc} tiene un código de provincia inexistente ({ruc[:2]})"
    if not ruc.endswith("001"):
        # The issuer's RUC is always the matriz one (XSD numeroRuc: [0-9]{10}001).
        return f"El RUC {ruc} del emisor debe terminar en 001"
    third = int(ruc[2])
    if third <= 5:
        problem = cedula_problem(ruc[:10])
        if problem:
            return f"El RUC {ruc} no corresponde a una cédula válida: {problem}"
        return None
    if third in (6, 9):
        return None  # not algorithmic at the SRI (§9.2): never block on the checksum
    return f"El RUC {ruc} tiene un tercer dígito inválido ({third})"
