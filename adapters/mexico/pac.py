"""The PAC port: what every stamping provider offers, and the answers, independent of its wire format.

Reference §12.1 and §13. The answers keep the PAC's own codes: 307 ("already stamped") is a *success*
carrying the original timbre, CFDI40xxx and 30x/40x are terminal rejections, and anything that shows the
PAC may not have answered is raised as :class:`PacUnavailable` (an ``AuthorityUnavailable``) saying
whether the document can have been stamped, which is what decides failover to a second PAC.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal, Protocol

from domain.errors import AuthorityUnavailable, ConfigurationError
from domain.invoice import AuthorityMessage

ALREADY_STAMPED = "307"  # "El CFDI contiene un timbre previo": recover the original, never a new UUID
OUT_OF_WINDOW = "401"  # FechaTimbrado − Fecha > 72 h: re-issue with a new Fecha and sello
NOT_FOUND = "602"  # this PAC holds no stamp for the document asked about (simulator/Finkok-style query)
INVALID_USER = "300"
UNAVAILABLE_CODES = frozenset({"350", "351", "352"})  # PAC-side outages, nothing stamped (reference §4.6)

StampStatus = Literal["stamped", "already_stamped", "rejected"]
CancelState = Literal[
    "EnProceso",  # requested; waiting for the receiver to accept or reject (up to 3 business days)
    "Cancelado",  # cancelled with the receiver's acceptance
    "CanceladoSinAceptacion",  # cancelled at once: no acceptance needed (≤ $1,000, Egreso, global, 24 h…)
    "PlazoVencido",  # cancelled: the receiver did not answer in time
    "Rechazado",  # the receiver rejected: the CFDI stays valid
    "NoCancelable",  # related CFDIs still valid (e.g. a credit note): cancel those first
    "Vigente",  # no cancellation requested
    "Error",  # the request was refused (see code/message): unknown UUID, wrong RFC, motive rules
]
CANCELLED_STATES = frozenset({"Cancelado", "CanceladoSinAceptacion", "PlazoVencido"})
MOTIVES = frozenset({"01", "02", "03", "04"})


class PacUnavailable(AuthorityUnavailable):
    """The PAC could not be used. ``not_stamped`` is True only when the document certainly was not
    stamped (connection refused, 503, explicit 35x): only then may another PAC be tried at once."""

    def __init__(self, message: str, *, not_stamped: bool) -> None:
        super().__init__(message)
        self.not_stamped = not_stamped


class PacConfigurationError(ConfigurationError):
    """Wrong PAC user or password (300): an operator must fix the settings; retrying will not help."""


@dataclass(frozen=True)
class Incidence:
    code: str  # CodigoError: 301, 302, 401, CFDI40147…
    message: str
    extra: str | None = None

    def as_message(self) -> AuthorityMessage:
        return AuthorityMessage(identifier=self.code, message=self.message, additional_info=self.extra)


@dataclass(frozen=True)
class StampAnswer:
    status: StampStatus
    xml: bytes | None = None  # the stamped CFDI: the legal document (None if a 307 came without it)
    uuid: str | None = None
    stamped_at: datetime | None = None  # FechaTimbrado, Mexico central time
    no_certificado_sat: str | None = None
    pac: str = ""  # which PAC account answered
    incidences: tuple[Incidence, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        return self.status != "rejected"

    @property
    def codes(self) -> list[str]:
        return [i.code for i in self.incidences]

    @property
    def messages(self) -> list[AuthorityMessage]:
        return [i.as_message() for i in self.incidences]


@dataclass(frozen=True)
class CancelAnswer:
    uuid: str
    state: CancelState
    code: str = ""  # EstatusUUID: 201 requested, 202 already requested, 203 RFC mismatch, 205 unknown UUID…
    message: str = ""
    sat_status: str = ""  # Estado: Vigente / Cancelado / No Encontrado
    cancelable: str = ""  # EsCancelable: Cancelable sin aceptación / con aceptación / No cancelable
    acuse: bytes | None = None  # the cancellation receipt: store it

    @property
    def cancelled(self) -> bool:
        return self.state in CANCELLED_STATES

    @property
    def pending(self) -> bool:
        return self.state == "EnProceso"


class PacPort(Protocol):
    """What the workflow needs from a PAC; one implementation per provider protocol."""

    name: str

    async def stamp(self, xml: bytes) -> StampAnswer: ...

    async def stamped(self, key: str | bytes) -> StampAnswer | None: ...

    async def cancel(
        self, uuid: str, *, rfc_emisor: str, rfc_receptor: str, total: str, motive: str,
        substitute_uuid: str | None = None,
    ) -> CancelAnswer: ...

    async def cancellation_status(self, uuid: str) -> CancelAnswer: ...
