"""Business validation of a Mexican sale (CFDI 4.0 Ingreso) before it is numbered, sealed and stamped.

Every rule returns problems instead of raising, keyed by the field a person corrects and carrying the
SAT's code from the Matriz de errores (reference §4) where one exists. It is pure and fast (catalog
lookups are cached reads of satcfdi's local database), so the self-invoicing portal can run it on
every keystroke, and the PAC simulator runs it on the XML it receives.

What cannot be checked here: whether the receiver's name, postal code and régimen match the SAT's
register (40143–40148). Only the PAC knows; its answer maps back to the same fields.
"""

import re
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Protocol

from domain.mexico.catalog import (
    BIMONTHLY,
    EXPORT_KEYS,
    EXPORT_WITH_COMERCIO_EXTERIOR,
    INCORPORACION_FISCAL,
    PAYMENT_METHODS,
    PERIODICITIES,
    POR_DEFINIR,
    REGIME_PERSONAS,
    SIN_OBLIGACIONES,
    USE_RULES,
    USES_NOT_FOR_INVOICES,
    currency_decimals,
    describe,
    is_country,
    postal_code,
)
from domain.mexico.rfc import (
    GENERIC_FOREIGN,
    GENERIC_NATIONAL,
    GENERIC_RFCS,
    PUBLICO_EN_GENERAL,
    persona_type,
    rfc_problems,
)
from domain.mexico.sale import GlobalInformation, MexicoSale, Receiver
from domain.mexico.totals import compute_totals, sale_decimals
from domain.mexico.validation_lines import decimals_problem, line_problems, text_problems
from domain.problems import Problem

POSTAL_CODE = re.compile(r"^[0-9]{5}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# Siglas of the régimen de capital, which the SAT's register omits from a company's name (reference §6).
_CAPITAL_REGIMES = re.compile(
    r"\s(S\.?\s?A\.?(\s?P\.?\s?I\.?)?(\s?B\.?)?|S\.?\s?(DE|EN)\s?R\.?\s?L\.?|S\.?\s?C\.?|A\.?\s?C\.?|S\.?\s?A\.?\s?S\.?|"
    r"S\.?\s?EN\s?N?\.?\s?C\.?(\s?POR\s?A\.?)?)(\s?DE\s?C\.?\s?V\.?)?\.?$"
)
MAX_NAME = 300


class IssuerFacts(Protocol):
    """What validation needs to know about the issuer (``MexicoIssuerProfile`` has all of it)."""

    @property
    def rfc(self) -> str: ...

    @property
    def name(self) -> str: ...

    @property
    def tax_regime(self) -> str: ...

    @property
    def postal_code(self) -> str: ...


def validate_sale(sale: MexicoSale, *, issuer: IssuerFacts, today: date) -> list[Problem]:
    """All problems of a sale; an empty list (or warnings only) means it may be numbered and sealed."""
    place = sale.place_of_issue or issuer.postal_code
    global_invoice = sale.global_information is not None
    problems = _issuer_problems(sale, issuer)
    problems += _receiver_problems(sale.receiver, place_of_issue=place)
    problems += _global_problems(sale, issuer, today)
    problems += _document_problems(sale)
    if not sale.lines:
        problems.append(Problem(field="lines", code="MX.LINES.EMPTY", message="an invoice needs at least one line"))
    decimals = sale_decimals(sale)
    for index, line in enumerate(sale.lines):
        problems += line_problems(f"lines[{index}]", line, decimals=decimals, global_invoice=global_invoice)
    if not has_errors(problems):
        problems += _totals_problems(sale)
    return problems


def receiver_problems(receiver: Receiver, *, place_of_issue: str) -> list[Problem]:
    """The receiver's rules alone: what the self-invoicing form checks while the buyer types."""
    return _receiver_problems(receiver, place_of_issue=place_of_issue)


def has_errors(problems: Iterable[Problem]) -> bool:
    return any(p.severity == "error" for p in problems)


def _issuer_problems(sale: MexicoSale, issuer: IssuerFacts) -> list[Problem]:
    problems = rfc_problems("issuer.rfc", sale.issuer.rfc)
    if sale.issuer.rfc != issuer.rfc:
        problems.append(Problem(field="issuer.rfc", code="MX.ISSUER.MISMATCH",
                                message=f"the sale names issuer {sale.issuer.rfc} but the profile is {issuer.rfc}"))
    problems += text_problems("issuer.serie", sale.issuer.serie, 25)
    regime, persona = issuer.tax_regime, persona_type(issuer.rfc)
    if describe("c_RegimenFiscal", regime) is None:
        problems.append(Problem(field="issuer.tax_regime", code="CFDI40140",
                                message=f"{regime!r} is not a régimen of the SAT's c_RegimenFiscal catalog"))
    elif persona is not None and persona not in REGIME_PERSONAS.get(regime, frozenset()):
        problems.append(Problem(field="issuer.tax_regime", code="CFDI40141",
                                message=f"régimen {regime} is not available to a persona {persona} (RFC {issuer.rfc})"))
    field = "place_of_issue" if sale.place_of_issue else "issuer.postal_code"
    if not POSTAL_CODE.match(sale.place_of_issue or issuer.postal_code) or postal_code(
        sale.place_of_issue or issuer.postal_code
    ) is None:
        problems.append(Problem(field=field, code="CFDI40126",
                                message="LugarExpedicion must be a postal code of the SAT's c_CodigoPostal catalog"))
    return problems


def _receiver_problems(receiver: Receiver, *, place_of_issue: str) -> list[Problem]:
    rfc = receiver.rfc
    problems = rfc_problems("receiver.rfc", rfc)
    persona = persona_type(rfc)
    problems += _name_problems(receiver, persona)
    if not POSTAL_CODE.match(receiver.postal_code) or postal_code(receiver.postal_code) is None:
        problems.append(Problem(field="receiver.postal_code", code="CFDI40147",
                                message="must be the 5-digit postal code of the receiver's fiscal address "
                                "(as on the Constancia de Situación Fiscal)"))
    elif rfc in GENERIC_RFCS and receiver.postal_code != place_of_issue:
        problems.append(Problem(field="receiver.postal_code", code="CFDI40149",
                                message=f"with the generic RFC {rfc} the postal code must be the place of issue "
                                f"({place_of_issue})"))
    problems += _regime_and_use_problems(receiver, persona)
    if receiver.email is not None and not EMAIL.match(receiver.email):
        problems.append(Problem(field="receiver.email", code="MX.RECEIVER.EMAIL", message="not an e-mail address"))
    problems += _foreign_problems(receiver)
    return problems


def _name_problems(receiver: Receiver, persona: str | None) -> list[Problem]:
    problems = text_problems("receiver.name", receiver.name, MAX_NAME)
    name = receiver.name.upper()
    if name == PUBLICO_EN_GENERAL and receiver.rfc != GENERIC_NATIONAL:
        problems.append(Problem(field="receiver.name", code="CFDI40146",
                                message=f"PUBLICO EN GENERAL is only for the generic RFC {GENERIC_NATIONAL}"))
    if persona == "moral" and _CAPITAL_REGIMES.search(name):
        stripped = _CAPITAL_REGIMES.sub("", name).strip()
        problems.append(Problem(field="receiver.name", code="CFDI40145", severity="warning",
                                message=f"the SAT registers company names without the régimen de capital: "
                                f"probably {stripped!r}"))
    return problems


def _regime_and_use_problems(receiver: Receiver, persona: str | None) -> list[Problem]:
    problems = []
    regime, use = receiver.tax_regime, receiver.cfdi_use
    regime_ok = False
    if describe("c_RegimenFiscal", regime) is None or regime not in REGIME_PERSONAS:
        problems.append(Problem(field="receiver.tax_regime", code="CFDI40157",
                                message=f"{regime!r} is not a current régimen of the SAT's c_RegimenFiscal catalog"))
    elif receiver.rfc in GENERIC_RFCS and regime != SIN_OBLIGACIONES:
        problems.append(Problem(field="receiver.tax_regime", code="CFDI40159",
                                message=f"the generic RFC {receiver.rfc} takes régimen 616 "
                                "(sin obligaciones fiscales)"))
    elif persona is not None and persona not in REGIME_PERSONAS[regime]:
        kind = "a person (13-character RFC)" if persona == "fisica" else "a company (12-character RFC)"
        problems.append(Problem(field="receiver.tax_regime", code="CFDI40158",
                                message=f"régimen {regime} is not available to {kind}"))
    else:
        regime_ok = True
    rule = USE_RULES.get(use)
    if describe("c_UsoCFDI", use) is None:
        problems.append(Problem(field="receiver.cfdi_use", code="CFDI40160",
                                message=f"{use!r} is not a use of the SAT's c_UsoCFDI catalog"))
    elif use in USES_NOT_FOR_INVOICES or rule is None:
        problems.append(Problem(field="receiver.cfdi_use", code="CFDI40161",
                                message=f"UsoCFDI {use} is not used on invoices (only on payment or payroll CFDI)"))
    elif regime_ok and (regime not in rule.regimes or (persona is not None and persona not in rule.personas)):
        problems.append(Problem(field="receiver.cfdi_use", code="CFDI40161",
                                message=f"UsoCFDI {use} is not allowed for régimen {regime}"
                                + (" (generic RFCs use S01)" if receiver.rfc in GENERIC_RFCS else "")))
    return problems


def _foreign_problems(receiver: Receiver) -> list[Problem]:
    problems = []
    residence, tax_id = receiver.foreign_residence, receiver.foreign_tax_id
    if receiver.rfc != GENERIC_FOREIGN:
        if residence is not None:
            problems.append(Problem(field="receiver.foreign_residence", code="CFDI40151",
                                    message=f"a fiscal residence abroad is only for {GENERIC_FOREIGN}"))
        if tax_id is not None:
            problems.append(Problem(field="receiver.foreign_tax_id", code="CFDI40154",
                                    message=f"a foreign tax id is only for {GENERIC_FOREIGN}"))
        return problems
    if residence is not None and residence == "MEX":
        problems.append(Problem(field="receiver.foreign_residence", code="CFDI40152",
                                message="the fiscal residence of a foreign receiver cannot be MEX"))
    elif residence is not None and not is_country(residence):
        problems.append(Problem(field="receiver.foreign_residence", code="CFDI40150",
                                message=f"{residence!r} is not a country of the SAT's c_Pais catalog (e.g. USA)"))
    if tax_id is not None:
        problems += text_problems("receiver.foreign_tax_id", tax_id, 40)
        if residence is None:
            problems.append(Problem(field="receiver.foreign_residence", code="CFDI40153",
                                    message="required when a foreign tax id is given"))
    return problems


def _global_problems(sale: MexicoSale, issuer: IssuerFacts, today: date) -> list[Problem]:
    receiver, info = sale.receiver, sale.global_information
    public = receiver.rfc == GENERIC_NATIONAL and receiver.name.upper() == PUBLICO_EN_GENERAL
    if info is None:
        if public:
            return [Problem(field="global_information", code="CFDI40130",
                            message="an invoice to PUBLICO EN GENERAL is a global invoice: give its periodicity, "
                            "months and year")]
        return []
    if not public:
        return [Problem(field="global_information", code="MX.GLOBAL.NOT_PUBLIC",
                        message=f"global information is only for {GENERIC_NATIONAL} / {PUBLICO_EN_GENERAL}")]
    return _global_fields_problems(info, issuer, today)


def _global_fields_problems(info: GlobalInformation, issuer: IssuerFacts, today: date) -> list[Problem]:
    problems = []
    if info.periodicity not in PERIODICITIES:
        problems.append(Problem(field="global_information.periodicity", code="CFDI40131",
                                message="use 01 (daily), 02 (weekly), 03 (fortnightly), 04 (monthly) "
                                "or 05 (bimonthly)"))
    elif info.periodicity == BIMONTHLY and issuer.tax_regime != INCORPORACION_FISCAL:
        problems.append(Problem(field="global_information.periodicity", code="CFDI40132",
                                message="bimonthly (05) global invoices are only for issuers in régimen 621"))
    month = int(info.months) if info.months.isdigit() and len(info.months) == 2 else 0
    if not 1 <= month <= 18:
        problems.append(Problem(field="global_information.months", code="CFDI40133",
                                message="use 01–12, or 13–18 for two-month periods"))
    elif info.periodicity == BIMONTHLY and month <= 12:
        problems.append(Problem(field="global_information.months", code="CFDI40135",
                                message="a bimonthly period is written 13 (Jan–Feb) to 18 (Nov–Dec)"))
    elif info.periodicity != BIMONTHLY and month > 12:
        problems.append(Problem(field="global_information.months", code="CFDI40134",
                                message="use the month 01–12 for this periodicity"))
    # The 2024 matrix accepts five previous years, the older Guía only the previous one; the
    # stricter rule is safe either way (reference §2.3, [unconfirmed]).
    if info.year not in (today.year, today.year - 1):
        problems.append(Problem(field="global_information.year", code="CFDI40136",
                                message=f"the year must be {today.year} or {today.year - 1}"))
    return problems


def _document_problems(sale: MexicoSale) -> list[Problem]:
    problems = []
    if describe("c_FormaPago", sale.payment_form) is None:
        problems.append(Problem(field="payment_form", code="CFDI40104",
                                message=f"{sale.payment_form!r} is not a FormaPago (01 cash, 03 transfer, 04 card…)"))
    if sale.payment_method not in PAYMENT_METHODS:
        problems.append(Problem(field="payment_method", code="CFDI40124", message="use PUE or PPD"))
    elif sale.payment_method == "PPD" and sale.payment_form != POR_DEFINIR:
        problems.append(Problem(field="payment_form", code="CFDI40105",
                                message="a PPD invoice (paid later) takes FormaPago 99 (por definir)"))
    elif sale.payment_method == "PUE" and sale.payment_form == POR_DEFINIR:
        problems.append(Problem(field="payment_form", code="MX.PAYMENT_FORM.POR_DEFINIR", severity="warning",
                                message="a PUE invoice is already paid: state how (99 is for PPD)"))
    problems += _currency_problems(sale)
    if sale.export not in EXPORT_KEYS:
        problems.append(Problem(field="export", code="CFDI40123", message="use 01 (no aplica), 02, 03 or 04"))
    elif sale.export == EXPORT_WITH_COMERCIO_EXTERIOR:
        problems.append(Problem(field="export", code="CFDI40122",
                                message="Exportación 02 needs the Comercio Exterior complement, not supported yet"))
    problems += text_problems("payment_conditions", sale.payment_conditions, 1000, required=False)
    return problems


def _currency_problems(sale: MexicoSale) -> list[Problem]:
    rate = sale.exchange_rate
    if currency_decimals(sale.currency) is None or sale.currency == "XXX":
        return [Problem(field="currency", code="CFDI40113",
                        message=f"{sale.currency!r} is not an invoice currency of the SAT's c_Moneda catalog")]
    if sale.currency == "MXN":
        if rate is not None and rate != 1:
            return [Problem(field="exchange_rate", code="CFDI40114", message="with MXN leave it empty or use 1")]
        return []
    if rate is None:
        return [Problem(field="exchange_rate", code="CFDI40115", message=f"required for {sale.currency}")]
    if rate < Decimal("0.000001"):
        return [Problem(field="exchange_rate", code="CFDI40117", message="must be at least 0.000001")]
    return decimals_problem("exchange_rate", rate, 6, code="CFDI40117")


def _totals_problems(sale: MexicoSale) -> list[Problem]:
    totals = compute_totals(sale)
    problems = []
    if totals.total < 0:
        problems.append(Problem(field="lines", code="MX.TOTAL.NEGATIVE",
                                message=f"the withholdings exceed the amount: total {totals.total}"))
    if sale.expected_total is not None and sale.expected_total != totals.total:
        problems.append(Problem(field="expected_total", code="MX.TOTAL.MISMATCH",
                                message=f"the lines give a total of {totals.total}, not {sale.expected_total}"))
    return problems
