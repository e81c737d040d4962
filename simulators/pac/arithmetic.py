"""The SAT's arithmetic checks on the amounts actually written in a CFDI (reference §3, §4.4, §4.5).

A PAC must accept any value inside the SAT's tolerance, not only what our builder writes, so the
limits are computed from the document itself (Apéndice 7 Q41; formulas as in ptorres/sat
``semantica_cfdi.php``): lower limits truncated and upper limits rounded up to the decimals of the value
being checked. Summary rows must equal the rounded sums of the concept values.
"""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation

from lxml import etree

from domain.mexico.catalog import currency_decimals
from domain.money import decimal_places
from simulators.pac.rules import CFDI, Finding

_TINY = Decimal("1e-12")


def arithmetic_findings(root: etree._Element) -> list[Finding]:
    try:
        return _findings(root)
    except InvalidOperation as exc:
        return [Finding("CFDI40999", f"An amount is not a number: {exc}")]


def _findings(root: etree._Element) -> list[Finding]:
    decimals = currency_decimals(root.get("Moneda", "")) or 2
    findings = [
        Finding(code, f"{name} has more decimals than {root.get('Moneda')} allows ({decimals})")
        for name, code in (("SubTotal", "CFDI40107"), ("Descuento", "CFDI40112"))
        if root.get(name) is not None and decimal_places(_d(root.get(name))) > decimals
    ]
    conceptos = root.findall(f"{CFDI}Conceptos/{CFDI}Concepto")
    findings += [f for node in conceptos for f in _concept_findings(node)]
    subtotal = _round(sum((_d(n.get("Importe")) for n in conceptos), Decimal(0)), decimals)
    if _d(root.get("SubTotal")) != subtotal:
        findings.append(Finding("CFDI40108", f"SubTotal must be the sum of the concept amounts: {subtotal}"))
    discounts = [_d(n.get("Descuento")) for n in conceptos if n.get("Descuento") is not None]
    if discounts and _d(root.get("Descuento")) != _round(sum(discounts, Decimal(0)), decimals):
        findings.append(Finding("CFDI40111", "Descuento must be the sum of the concept discounts"))
    if root.get("Descuento") is not None and _d(root.get("Descuento")) > _d(root.get("SubTotal")):
        findings.append(Finding("CFDI40110", "Descuento exceeds SubTotal"))
    findings += _summary_findings(root, conceptos, decimals)
    impuestos = root.find(f"{CFDI}Impuestos")
    transferred = _d(impuestos.get("TotalImpuestosTrasladados")) if impuestos is not None else Decimal(0)
    withheld = _d(impuestos.get("TotalImpuestosRetenidos")) if impuestos is not None else Decimal(0)
    expected = _d(root.get("SubTotal")) - _d(root.get("Descuento")) + transferred - withheld
    if _d(root.get("Total")) != _round(expected, decimals):
        findings.append(Finding("CFDI40119", "Total must be SubTotal − Descuento + transferred − withheld taxes"))
    return findings


def _concept_findings(node: etree._Element) -> list[Finding]:
    findings = []
    quantity, price, amount = (node.get(name, "0") for name in ("Cantidad", "ValorUnitario", "Importe"))
    low = (_d(quantity) - _half(quantity)) * (_d(price) - _half(price))
    high = (_d(quantity) + _half(quantity) - _TINY) * (_d(price) + _half(price)) - _TINY
    if not _within(_d(amount), low, high, _written(amount)):
        findings.append(Finding("CFDI40167", f"concept Importe {amount} is outside the limits of Cantidad × "
                                             "ValorUnitario"))
    if node.get("Descuento") is not None and _d(node.get("Descuento")) > _d(amount):
        findings.append(Finding("CFDI40169", "concept Descuento exceeds its Importe"))
    for tag, code in (("Traslados/{c}Traslado", "CFDI40180"), ("Retenciones/{c}Retencion", "CFDI40186")):
        for tax in node.iterfind(f"{CFDI}Impuestos/{CFDI}{tag.format(c=CFDI)}"):
            if tax.get("Importe") is None or tax.get("TasaOCuota") is None or tax.get("TipoFactor") == "Cuota":
                continue
            base, rate, text = tax.get("Base", "0"), _d(tax.get("TasaOCuota")), tax.get("Importe", "0")
            value = _d(text)
            low, high = (_d(base) - _half(base)) * rate, (_d(base) + _half(base) - _TINY) * rate
            if not _within(value, low, high, _written(text)):
                findings.append(Finding(code, f"tax Importe {value} is outside the limits of Base × TasaOCuota"))
    return findings


def _summary_findings(root: etree._Element, conceptos: list[etree._Element], decimals: int) -> list[Finding]:
    impuestos = root.find(f"{CFDI}Impuestos")
    rows = impuestos.findall(f"{CFDI}Traslados/{CFDI}Traslado") if impuestos is not None else []
    withholdings = impuestos.findall(f"{CFDI}Retenciones/{CFDI}Retencion") if impuestos is not None else []
    findings = _transfer_rows(rows, conceptos, decimals) + _withholding_rows(withholdings, conceptos, decimals)
    if impuestos is not None:
        taxed = [_d(r.get("Importe")) for r in rows if r.get("TipoFactor") != "Exento"]
        if taxed and impuestos.get("TotalImpuestosTrasladados") is None:
            findings.append(Finding("CFDI40212", "TotalImpuestosTrasladados is required"))
        elif taxed and _d(impuestos.get("TotalImpuestosTrasladados")) != sum(taxed, Decimal(0)):
            findings.append(Finding("CFDI40205", "TotalImpuestosTrasladados is not the sum of the Traslado rows"))
        held = [_d(r.get("Importe")) for r in withholdings]
        if held and _d(impuestos.get("TotalImpuestosRetenidos")) != sum(held, Decimal(0)):
            findings.append(Finding("CFDI40203", "TotalImpuestosRetenidos is not the sum of the Retencion rows"))
    return findings


def _transfer_rows(rows: list[etree._Element], conceptos: list[etree._Element], decimals: int) -> list[Finding]:
    """One row per (Impuesto, TipoFactor, TasaOCuota) equal to the rounded sums of its concepts."""
    groups: dict[tuple[str, str, str], list[etree._Element]] = {}
    for node in conceptos:
        for t in node.iterfind(f"{CFDI}Impuestos/{CFDI}Traslados/{CFDI}Traslado"):
            groups.setdefault(_group(t), []).append(t)
    findings: list[Finding] = []
    seen: set[tuple[str, str, str]] = set()
    for row in rows:
        key = _group(row)
        if key in seen:
            findings.append(Finding("CFDI40218", f"more than one summary row for {key}"))
        seen.add(key)
        members = groups.get(key, [])
        if _d(row.get("Base")) != _sum(members, "Base", decimals):
            findings.append(Finding("CFDI40215", f"summary Base of {key} is not the sum of the concept bases"))
        if row.get("Importe") is not None and _d(row.get("Importe")) != _sum(members, "Importe", decimals):
            findings.append(Finding("CFDI40221", f"summary Importe of {key} is not the sum of the concept amounts"))
    if set(groups) - seen:
        findings.append(Finding("CFDI40212", "concept traslados are missing from the summary"))
    return findings


def _withholding_rows(rows: list[etree._Element], conceptos: list[etree._Element], decimals: int) -> list[Finding]:
    by_tax: dict[str, list[etree._Element]] = {}
    for node in conceptos:
        for r in node.iterfind(f"{CFDI}Impuestos/{CFDI}Retenciones/{CFDI}Retencion"):
            by_tax.setdefault(r.get("Impuesto", ""), []).append(r)
    findings = [
        Finding("CFDI40211", f"withholding {row.get('Impuesto')} is not the sum of the concepts")
        for row in rows
        if _d(row.get("Importe")) != _sum(by_tax.get(row.get("Impuesto", ""), []), "Importe", decimals)
    ]
    if set(by_tax) - {r.get("Impuesto", "") for r in rows}:
        findings.append(Finding("CFDI40206", "concept withholdings are missing from the summary"))
    return findings


def _group(node: etree._Element) -> tuple[str, str, str]:
    rate = node.get("TasaOCuota")
    return node.get("Impuesto", ""), node.get("TipoFactor", ""), "" if rate is None else f"{Decimal(rate):.6f}"


def _sum(nodes: list[etree._Element], attribute: str, decimals: int) -> Decimal:
    return _round(sum((_d(n.get(attribute)) for n in nodes), Decimal(0)), decimals)


def _d(value: str | None) -> Decimal:
    return Decimal(value) if value is not None else Decimal(0)


def _written(text: str) -> int:
    """d(x): the decimals as written in the XML ("1.50" has 2), which the SAT's limits use."""
    return len(text.split(".", 1)[1]) if "." in text else 0


def _half(text: str) -> Decimal:
    """Half a unit in the last written decimal place: 10^−d / 2."""
    return Decimal(1).scaleb(-_written(text)) / 2


def _within(value: Decimal, low: Decimal, high: Decimal, places: int) -> bool:
    unit = Decimal(1).scaleb(-places)
    return low.quantize(unit, rounding=ROUND_DOWN) <= value <= high.quantize(unit, rounding=ROUND_CEILING)


def _round(value: Decimal, decimals: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
