"""What the simulated SRI remembers about each decided comprobante, for cross-document checks.

A nota de crédito is judged against the factura it modifies (reference §5, §16.4): that the
factura exists and is AUTORIZADO, its fechaEmision, its buyer, its importeTotal and the
notas de crédito already authorized against it. The store indexes a ``DocumentSummary`` of
every document when it is decided (same transaction as the decision) and answers the
``SupportingDocuments`` queries from that index, so the checks survive restarts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Protocol

_NUM_DOC = re.compile(r"([0-9]{3})-([0-9]{3})-([0-9]{9})")


@dataclass(frozen=True, slots=True)
class DocumentSummary:
    """The fields other documents are checked against (texts as written, stripped)."""

    clave: str
    cod_doc: str
    ambiente: str
    ruc: str
    num_doc: str  # EEE-PPP-SSSSSSSSS, the form numDocModificado uses
    fecha_emision: str  # dd/mm/aaaa
    total: Decimal  # importeTotal of a factura, valorModificacion of a nota de crédito
    buyer_type: str  # tipoIdentificacionComprador
    buyer_id: str  # identificacionComprador
    modified_cod_doc: str | None = None  # codDocModificado (notas de crédito)
    modified_num_doc: str | None = None  # numDocModificado (notas de crédito)

    @property
    def modified_sequence_key(self) -> str | None:
        """The secuencial scope (``ruc|codDoc|estab|ptoEmi|secuencial``) of the modified document."""
        if not self.modified_cod_doc or not self.modified_num_doc:
            return None
        match = _NUM_DOC.fullmatch(self.modified_num_doc)
        if match is None:
            return None
        return "|".join((self.ruc, self.modified_cod_doc, *match.groups()))


@dataclass(frozen=True, slots=True)
class IndexedDocument:
    summary: DocumentSummary
    status: str  # AUTORIZADO | NO AUTORIZADO
    decided_at: float

    @property
    def authorized(self) -> bool:
        return self.status == "AUTORIZADO"


class SupportingDocuments(Protocol):
    """The SRI's own records as of the moment a document is processed."""

    def find(self, *, ambiente: str, ruc: str, cod_doc: str, num_doc: str) -> IndexedDocument | None:
        """The AUTORIZADO document with that number, else the latest decided one, else None."""
        ...

    def authorized_modifications(
        self, *, ambiente: str, ruc: str, cod_doc: str, num_doc: str, excluding: str
    ) -> list[IndexedDocument]:
        """AUTORIZADO notas de crédito modifying that document, except the clave ``excluding``."""
        ...


def decimal_or_zero(raw: str | None) -> Decimal:
    if raw is None or not raw.strip():
        return Decimal("0")
    try:
        return Decimal(raw.strip())
    except InvalidOperation:
        return Decimal("0")  # the structure check (35) rejects non-decimals before this
