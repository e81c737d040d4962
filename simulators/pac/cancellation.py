"""Cancellation rules of the simulated SAT (reference §10, [secondary]; re-check each year's RMF).

* Motives 01–04; 01 needs FolioSustitucion: a CFDI stamped here that relates to this one with
  TipoRelacion 04 (else 208); other motives must not carry one (209); anything else is 207.
* No acceptance needed (cancelled at once, "Cancelado sin aceptación") for: non-Ingreso documents
  (Egresos…), generic receivers (público en general, extranjeros), totals ≤ $1,000 MXN, and cancellation
  within the immediate window after stamping (24 h by default).
* Otherwise "En proceso" until the receiver accepts ("Cancelado con aceptación") or rejects ("Solicitud
  rechazada"), or the window passes ("Plazo vencido", counted in seconds, not business days).
* *No cancelable* while another valid CFDI relates to it (a credit note, an anticipo…); substitution
  (04) relations do not block, since motive 01 requires them.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from domain.mexico.rfc import GENERIC_RFCS
from simulators.pac.store import StoredDocument

EN_PROCESO = "En proceso"
SIN_ACEPTACION = "Cancelado sin aceptación"
CON_ACEPTACION = "Cancelado con aceptación"
PLAZO_VENCIDO = "Plazo vencido"
RECHAZADA = "Solicitud rechazada"
CANCELLED = frozenset({SIN_ACEPTACION, CON_ACEPTACION, PLAZO_VENCIDO})
ACCEPTANCE_LIMIT_MXN = Decimal("1000")
SUBSTITUTION = "04"
MOTIVES = frozenset({"01", "02", "03", "04"})


@dataclass(frozen=True)
class Refusal:
    code: str  # EstatusUUID
    message: str


def needs_acceptance(document: StoredDocument, *, now: float, immediate_window_s: float) -> bool:
    if document.tipo != "I" or document.rfc_receptor in GENERIC_RFCS:
        return False
    if Decimal(document.total_mxn) <= ACCEPTANCE_LIMIT_MXN:
        return False
    return now - document.stamped_at > immediate_window_s


def blocking_relations(document: StoredDocument, relating: list[StoredDocument]) -> list[str]:
    """UUIDs of valid documents that relate to ``document`` in a way that blocks its cancellation."""
    return [
        other.uuid
        for other in relating
        if other.uuid != document.uuid
        and other.cancel_state not in CANCELLED
        and any(uuid == document.uuid and relation != SUBSTITUTION for relation, uuid in other.related)
    ]


def motive_refusal(document: StoredDocument, motive: str, substitute: StoredDocument | None,
                   substitute_uuid: str) -> Refusal | None:
    if motive not in MOTIVES:
        return Refusal("207", "No se especificó el motivo de cancelación o el motivo no es válido")
    if motive != "01":
        if substitute_uuid:
            return Refusal("209", "Folio Sustitución no requerido: sólo aplica con el motivo 01")
        return None
    if not substitute_uuid:
        return Refusal("208", "Folio Sustitución inválido: el motivo 01 requiere el UUID que sustituye")
    if substitute is None or (SUBSTITUTION, document.uuid) not in substitute.related:
        return Refusal("208", "Folio Sustitución inválido: el CFDI sustituto debe relacionar a este "
                              "con TipoRelacion 04")
    return None


def is_cancellable_state(state: str) -> bool:
    """A new request is possible when none was made or the last one was rejected."""
    return state in ("", RECHAZADA)
