"""The "importe con letra" printed on Mexican invoices: ``MIL CIENTO SETENTA Y DOS PESOS 72/100 M.N.``

Not required by Anexo 20, but customary on a representación impresa and expected by readers.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

_UNITS = ["", "UN", "DOS", "TRES", "CUATRO", "CINCO", "SEIS", "SIETE", "OCHO", "NUEVE", "DIEZ", "ONCE", "DOCE",
          "TRECE", "CATORCE", "QUINCE", "DIECISÉIS", "DIECISIETE", "DIECIOCHO", "DIECINUEVE", "VEINTE",
          "VEINTIÚN", "VEINTIDÓS", "VEINTITRÉS", "VEINTICUATRO", "VEINTICINCO", "VEINTISÉIS", "VEINTISIETE",
          "VEINTIOCHO", "VEINTINUEVE"]
_TENS = ["", "", "", "TREINTA", "CUARENTA", "CINCUENTA", "SESENTA", "SETENTA", "OCHENTA", "NOVENTA"]
_HUNDREDS = ["", "CIENTO", "DOSCIENTOS", "TRESCIENTOS", "CUATROCIENTOS", "QUINIENTOS", "SEISCIENTOS",
             "SETECIENTOS", "OCHOCIENTOS", "NOVECIENTOS"]
CURRENCY_NAMES = {"MXN": ("PESO", "PESOS", "M.N."), "USD": ("DÓLAR", "DÓLARES", "USD"), "EUR": ("EURO", "EUROS", "EUR")}


def _below_thousand(n: int) -> str:
    if n == 100:
        return "CIEN"
    hundreds, rest = divmod(n, 100)
    words = [_HUNDREDS[hundreds]] if hundreds else []
    if rest < 30:
        words.append(_UNITS[rest])
    else:
        tens, units = divmod(rest, 10)
        words.append(_TENS[tens] + (f" Y {_UNITS[units]}" if units else ""))
    return " ".join(w for w in words if w)


def integer_words(n: int) -> str:
    if n == 0:
        return "CERO"
    parts = []
    millions, rest = divmod(n, 1_000_000)
    thousands, units = divmod(rest, 1000)
    if millions:
        parts.append("UN MILLÓN" if millions == 1 else f"{integer_words(millions)} MILLONES")
    if thousands:
        parts.append("MIL" if thousands == 1 else f"{_below_thousand(thousands)} MIL")
    if units:
        parts.append(_below_thousand(units))
    return " ".join(parts)


def amount_in_words(amount: Decimal, currency: str) -> str:
    cents = int(amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) * 100)
    whole, fraction = divmod(cents, 100)
    singular, plural, suffix = CURRENCY_NAMES.get(currency, (currency, currency, currency))
    words = integer_words(whole)
    # "UN MILLÓN DE PESOS": a round million takes "DE" before the currency.
    joiner = " DE " if whole >= 1_000_000 and whole % 1_000_000 == 0 else " "
    name = singular if whole == 1 else plural
    return f"{words}{joiner}{name} {fraction:02d}/100 {suffix}"
