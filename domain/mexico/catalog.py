"""SAT catalogs (c_*) for CFDI 4.0: lookups in satcfdi's bundled database plus our own rule tables.

satcfdi ships every catalog's keys and descriptions (reference §5.1: ``catalogs.db`` from the wheel)
but none of the compatibility columns the SAT validates against: física/moral per régimen, the
régimenes allowed for each UsoCFDI, the c_TasaOCuota rules. Those live here as small tables taken
from reference §5.2–§5.4. Descriptions always come from satcfdi so they follow its catalog refreshes.
"""

import threading
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Any

from satcfdi import catalogs as _sat  # type: ignore[import-untyped]

from domain.mexico.rfc import PersonaType, persona_type

_LOCK = threading.Lock()

# --- c_RegimenFiscal (reference §5.2): which persona types may hold each régimen -----------------
# 609 (Consolidación) ended 2019-12-31; it is still in the XSD but no longer valid, so not listed.
_FISICA, _MORAL, _BOTH = frozenset({"fisica"}), frozenset({"moral"}), frozenset({"fisica", "moral"})
REGIME_PERSONAS: dict[str, frozenset[str]] = {
    "601": _MORAL, "603": _MORAL, "605": _FISICA, "606": _FISICA, "607": _FISICA, "608": _FISICA,
    "610": _BOTH, "611": _FISICA, "612": _FISICA, "614": _FISICA, "615": _FISICA, "616": _FISICA,
    "620": _MORAL, "621": _FISICA, "622": _MORAL, "623": _MORAL, "624": _MORAL, "625": _FISICA,
    "626": _BOTH, "628": _MORAL, "629": _FISICA, "630": _FISICA,
}
SIN_OBLIGACIONES = "616"  # the régimen of generic RFCs (CFDI40159)
INCORPORACION_FISCAL = "621"  # the only régimen allowed a bimonthly global invoice (CFDI40132)

# --- c_UsoCFDI (reference §5.3): persona types and the receiver régimenes each use allows --------
_BUSINESS = frozenset({"601", "603", "606", "612", "620", "621", "622", "623", "624", "625", "626"})
_PERSONAL = frozenset({"605", "606", "607", "608", "611", "612", "614", "615", "625"})
_ANY = frozenset({"601", "603", "605", "606", "607", "608", "610", "611", "612", "614", "615", "616",
                  "620", "621", "622", "623", "624", "625", "626"})


@dataclass(frozen=True)
class UseRule:
    personas: frozenset[str]
    regimes: frozenset[str]


USE_RULES: dict[str, UseRule] = {
    **{use: UseRule(_BOTH, _BUSINESS) for use in ("G01", "G02", "G03", "I01", "I02", "I03", "I04", "I05",
                                                  "I06", "I07", "I08")},
    **{f"D{n:02d}": UseRule(_FISICA, _PERSONAL) for n in range(1, 11)},
    "S01": UseRule(_BOTH, _ANY),
}
# CP01 and CN01 exist only for payment (P) and payroll (N) documents; P01 is 3.3-only (reference §5.3).
USES_NOT_FOR_INVOICES = frozenset({"CP01", "CN01", "P01"})

# --- small catalogs whose keys matter to the rules -----------------------------------------------
PAYMENT_METHODS = {"PUE": "Pago en una sola exhibición", "PPD": "Pago en parcialidades o diferido"}
POR_DEFINIR = "99"  # FormaPago required with PPD (CFDI40105)
EXPORT_KEYS = frozenset({"01", "02", "03", "04"})
EXPORT_WITH_COMERCIO_EXTERIOR = "02"  # needs the Comercio Exterior complement (CFDI40122)
TAX_OBJECT_KEYS = frozenset({"01", "02", "03", "04", "05", "06", "07", "08"})
PERIODICITIES = frozenset({"01", "02", "03", "04", "05"})
BIMONTHLY = "05"
# Relations offered for Ingreso/Egreso; 08 and 09 are retired (reference §2.4).
RELATION_TYPES = frozenset({"01", "02", "03", "04", "05", "06", "07"})
GLOBAL_PRODUCT_KEY = "01010101"  # "No existe en el catálogo": global invoices only (reference §5.4)

ISR, IVA, IEPS = "001", "002", "003"
TAX_NAMES = {ISR: "ISR", IVA: "IVA", IEPS: "IEPS"}
FACTOR_TYPES = frozenset({"Tasa", "Cuota", "Exento"})

# --- c_TasaOCuota (reference §5.4, [secondary]): fixed values and ranges ---------------------------
IVA_TRANSFER_RATES = frozenset({Decimal("0"), Decimal("0.16"), Decimal("0.08")})
IEPS_TRANSFER_RATES = frozenset(Decimal(v) for v in ("0.265", "0.30", "0.53", "0.50", "1.60", "0.304", "0.25",
                                                       "0.09", "0.08", "0.07", "0.06", "0.03", "0"))
IVA_WITHHOLDING_MAX = Decimal("0.16")
ISR_WITHHOLDING_MAX = Decimal("0.35")
MAX_CUOTA = Decimal("999999")  # IEPS cuota is a range; only its sign and precision are checked


@dataclass(frozen=True)
class PostalCode:
    state: str  # c_Estado
    municipality: str  # c_Municipio ("" when the catalog leaves it empty)
    border_incentive: bool  # the región fronteriza IVA 8 % stimulus flag
    time_zone: str  # the "huso horario" text of the catalog


@lru_cache(maxsize=4096)
def postal_code(code: str) -> PostalCode | None:
    """c_CodigoPostal row, or None when the code is not in the catalog."""
    row = _select("C756_c_CodigoPostal", code)
    if row is None:
        return None
    return PostalCode(state=row[0], municipality=row[1], border_incentive=row[3] == "1", time_zone=row[4])


@lru_cache(maxsize=8192)
def product_description(key: str) -> str | None:
    """c_ClaveProdServ description, None when the key does not exist (CFDI40162)."""
    return _text(_select("C756_c_ClaveProdServ", key))


@lru_cache(maxsize=4096)
def unit_description(key: str) -> str | None:
    """c_ClaveUnidad name, None when the key does not exist (CFDI40165)."""
    return _text(_select("C756_c_ClaveUnidad", key))


@lru_cache(maxsize=512)
def currency_decimals(code: str) -> int | None:
    """Decimals c_Moneda allows for a currency (MXN 2), None for an unknown currency (CFDI40113)."""
    row = _select("C756_c_Moneda", code)
    return int(row[1]) if row is not None else None


def describe(catalog: str, key: str) -> str | None:
    """Description of ``key`` in a small catalog such as ``c_RegimenFiscal`` or ``c_FormaPago``."""
    return _text(_select(f"C756_{catalog}", key))


def is_country(code: str) -> bool:
    return describe("c_Pais", code) is not None


def regimes_for(rfc: str) -> list[str]:
    """The régimenes a receiver with this RFC may declare: what the portal's dropdown offers."""
    persona = persona_type(rfc)
    return sorted(code for code, personas in REGIME_PERSONAS.items() if persona in personas)


def uses_for(rfc: str, regime: str) -> list[str]:
    """The UsoCFDI values allowed for this RFC's persona type and régimen (CFDI40161)."""
    persona: PersonaType | None = persona_type(rfc)
    return [use for use, rule in USE_RULES.items() if persona in rule.personas and regime in rule.regimes]


@lru_cache(maxsize=1024)
def _select(table: str, key: str) -> Any:
    # satcfdi's accessor pickles the key; a malformed key simply finds nothing. Its SQLite connection is
    # one module-global object shared by every thread (reference §16.1 gotcha 5): one lookup at a time.
    with _LOCK:
        return _sat.select(table, key)


def _text(row: Any) -> str | None:
    if row is None:
        return None
    return str(row[0]) if isinstance(row, list | tuple) else str(row)
