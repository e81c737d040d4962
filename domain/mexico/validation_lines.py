"""Concept (cfdi:Concepto) rules of CFDI 4.0: catalogs, amounts, ObjetoImp and concept taxes.

Codes are the SAT's (reference §4.4, Matriz de errores 2024-12-13) where one exists; ``MX.*`` codes
cover what the XSD alone rejects (patterns, decimals) so a person sees them before any PAC does.
"""

import re
from decimal import Decimal

from domain.mexico.catalog import (
    FACTOR_TYPES,
    GLOBAL_PRODUCT_KEY,
    IEPS,
    IEPS_TRANSFER_RATES,
    ISR,
    ISR_WITHHOLDING_MAX,
    IVA,
    IVA_TRANSFER_RATES,
    IVA_WITHHOLDING_MAX,
    MAX_CUOTA,
    TAX_NAMES,
    TAX_OBJECT_KEYS,
    product_description,
    unit_description,
)
from domain.mexico.sale import SaleLine, TransferredTax, WithheldTax
from domain.mexico.totals import round_to
from domain.money import decimal_places
from domain.problems import Problem

PRODUCT_KEY = re.compile(r"^[0-9]{8}$")
# t_Importe: [0-9]{1,18}(.[0-9]{1,6})? (reference §2.2).
MAX_AMOUNT = Decimal("999999999999999999.999999")
NO_TAXES = frozenset({"01", "03", "04", "05"})  # ObjetoImp values that forbid Impuestos (40172)


def text_problems(field: str, value: str | None, max_length: int, *, required: bool = True) -> list[Problem]:
    """The XSD's ``[^|]{1,n}``: the pipe separates cadena fields, so the SAT forbids it in text."""
    if value is None or value == "":
        if required:
            return [Problem(field=field, code="MX.TEXT.EMPTY", message="must not be empty")]
        return []
    if "|" in value:
        return [Problem(field=field, code="MX.TEXT.PIPE", message="must not contain the character '|'")]
    if len(value) > max_length:
        return [Problem(field=field, code="MX.TEXT.TOO_LONG", message=f"at most {max_length} characters")]
    return []


def decimals_problem(field: str, value: Decimal, places: int, code: str = "MX.AMOUNT.DECIMALS") -> list[Problem]:
    if decimal_places(value) > places:
        return [Problem(field=field, code=code, message=f"at most {places} decimals, got {value}")]
    if abs(value) > MAX_AMOUNT:
        return [Problem(field=field, code="MX.AMOUNT.TOO_LARGE", message=f"{value} is too large")]
    return []


def line_problems(field: str, line: SaleLine, *, decimals: int, global_invoice: bool) -> list[Problem]:
    problems = _catalog_problems(field, line, global_invoice)
    problems += text_problems(f"{field}.sku", line.sku, 100, required=False)
    problems += text_problems(f"{field}.unit", line.unit, 20, required=False)
    problems += text_problems(f"{field}.description", line.description, 1000)
    problems += _amount_problems(field, line, decimals)
    problems += _tax_object_problems(field, line)
    base = round_to(line.quantity * line.unit_price, decimals) - round_to(line.discount, decimals)
    for index, transfer in enumerate(line.transferred):
        problems += _transfer_problems(f"{field}.transferred[{index}]", transfer, base)
    for index, withholding in enumerate(line.withheld):
        problems += _withholding_problems(f"{field}.withheld[{index}]", withholding, base)
    return problems


def _catalog_problems(field: str, line: SaleLine, global_invoice: bool) -> list[Problem]:
    problems = []
    if not PRODUCT_KEY.match(line.product_key) or product_description(line.product_key) is None:
        problems.append(Problem(field=f"{field}.product_key", code="CFDI40162",
                                message=f"{line.product_key!r} is not a key of the SAT's c_ClaveProdServ catalog"))
    elif line.product_key == GLOBAL_PRODUCT_KEY and not global_invoice:
        problems.append(Problem(field=f"{field}.product_key", code="MX.LINE.GLOBAL_KEY", severity="warning",
                                message="01010101 is reserved for global invoices to PUBLICO EN GENERAL; "
                                "use the key that describes the product"))
    if unit_description(line.unit_key) is None:
        problems.append(Problem(field=f"{field}.unit_key", code="CFDI40165",
                                message=f"{line.unit_key!r} is not a key of the SAT's c_ClaveUnidad catalog"))
    return problems


def _amount_problems(field: str, line: SaleLine, decimals: int) -> list[Problem]:
    problems = []
    if line.quantity <= 0:
        problems.append(Problem(field=f"{field}.quantity", code="MX.LINE.QUANTITY", message="must be greater than 0"))
    problems += decimals_problem(f"{field}.quantity", line.quantity, 6)
    if line.unit_price <= 0:
        problems.append(Problem(field=f"{field}.unit_price", code="CFDI40166",
                                message="ValorUnitario must be greater than 0 on an Ingreso or Egreso"))
    problems += decimals_problem(f"{field}.unit_price", line.unit_price, 6)
    if line.discount < 0:
        problems.append(Problem(field=f"{field}.discount", code="MX.AMOUNT.NEGATIVE", message="must not be negative"))
    problems += decimals_problem(f"{field}.discount", line.discount, decimals, code="CFDI40168")
    if line.discount > round_to(line.quantity * line.unit_price, decimals):
        problems.append(Problem(field=f"{field}.discount", code="CFDI40169",
                                message="the discount exceeds the line amount (quantity × unit price)"))
    return problems


def _tax_object_problems(field: str, line: SaleLine) -> list[Problem]:
    where = f"{field}.tax_object"
    code, has_taxes = line.tax_object, bool(line.transferred or line.withheld)
    if code not in TAX_OBJECT_KEYS:
        return [Problem(field=where, code="CFDI40170", message=f"{code!r} is not an ObjetoImp key (01 to 08)")]
    if code == "02" and not has_taxes:
        return [Problem(field=where, code="CFDI40171",
                        message="ObjetoImp 02 (subject to tax) needs at least one transferred or withheld tax")]
    if code in NO_TAXES and has_taxes:
        return [Problem(field=where, code="CFDI40172",
                        message=f"ObjetoImp {code} means no tax breakdown: remove the line's taxes or use 02")]
    taxes = {t.tax for t in line.transferred} | {w.tax for w in line.withheld}
    if code in {"06", "08"} and (taxes & {IVA, IEPS} or line.transferred):
        return [Problem(field=where, code="CFDI140226",
                        message=f"ObjetoImp {code} allows only an ISR withholding, no IVA or IEPS")]
    if code == "07" and (IVA in taxes or not any(t.tax == IEPS for t in line.transferred)):
        return [Problem(field=where, code="CFDI140227",
                        message="ObjetoImp 07 needs an IEPS transferred tax and allows no IVA")]
    return []


def _transfer_problems(field: str, transfer: TransferredTax, base: Decimal) -> list[Problem]:
    problems = []
    if base <= 0:
        problems.append(Problem(field=field, code="CFDI40174",
                                message="the tax base (amount minus discount) must be greater than 0"))
    if transfer.tax not in {IVA, IEPS}:
        problems.append(Problem(field=f"{field}.tax", code="CFDI40175",
                                message=f"{transfer.tax!r} cannot be transferred: use 002 (IVA) or 003 (IEPS)"))
        return problems
    if transfer.factor not in FACTOR_TYPES:
        problems.append(Problem(field=f"{field}.factor", code="CFDI40176", message="use Tasa, Cuota or Exento"))
        return problems
    if transfer.factor == "Exento":
        if transfer.rate is not None:
            problems.append(Problem(field=f"{field}.rate", code="CFDI40177",
                                    message="an exempt (Exento) tax has no rate: leave it empty"))
        return problems
    if transfer.rate is None:
        problems.append(Problem(field=f"{field}.rate", code="CFDI40178",
                                message=f"TipoFactor {transfer.factor} needs a rate"))
        return problems
    if not _transfer_rate_allowed(transfer.tax, transfer.factor, transfer.rate):
        problems.append(Problem(field=f"{field}.rate", code="CFDI40179",
                                message=f"{transfer.rate} is not a {TAX_NAMES[transfer.tax]} {transfer.factor} "
                                "of the SAT's c_TasaOCuota catalog (IVA: 0.16, 0.08 or 0)"))
    return problems


def _transfer_rate_allowed(tax: str, factor: str, rate: Decimal) -> bool:
    if decimal_places(rate) > 6:
        return False
    if tax == IVA:
        return factor == "Tasa" and rate in IVA_TRANSFER_RATES
    if factor == "Cuota":
        return Decimal(0) <= rate <= MAX_CUOTA
    return rate in IEPS_TRANSFER_RATES


def _withholding_problems(field: str, withholding: WithheldTax, base: Decimal) -> list[Problem]:
    problems = []
    if base <= 0:
        problems.append(Problem(field=field, code="CFDI40181",
                                message="the tax base (amount minus discount) must be greater than 0"))
    if withholding.tax not in TAX_NAMES:
        problems.append(Problem(field=f"{field}.tax", code="CFDI40182",
                                message=f"{withholding.tax!r} is not a tax: use 001 (ISR), 002 (IVA) or 003 (IEPS)"))
        return problems
    if withholding.factor == "Exento":
        problems.append(Problem(field=f"{field}.factor", code="CFDI40184", message="a withholding cannot be Exento"))
        return problems
    if withholding.factor not in FACTOR_TYPES:
        problems.append(Problem(field=f"{field}.factor", code="CFDI40183", message="use Tasa or Cuota"))
        return problems
    limit = {ISR: ISR_WITHHOLDING_MAX, IVA: IVA_WITHHOLDING_MAX}.get(withholding.tax, MAX_CUOTA)
    allowed = (withholding.factor == "Tasa" or withholding.tax == IEPS) and 0 <= withholding.rate <= limit
    if not allowed or decimal_places(withholding.rate) > 6:
        problems.append(Problem(field=f"{field}.rate", code="CFDI40185",
                                message=f"{withholding.rate} is outside the c_TasaOCuota range for withholding "
                                f"{TAX_NAMES[withholding.tax]} (ISR 0–0.35, IVA 0–0.16 as a Tasa)"))
    return problems
