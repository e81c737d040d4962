"""The simulated SRI: Recepción and Autorización on top of the checks and the store.

Transport-free and synchronous: the HTTP layer runs these methods in worker threads
(parsing, XSD validation and signature verification are CPU work).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal

import structlog
from cryptography import x509

from simulators.sri import access_key
from simulators.sri.checks_authorization import GUAYAQUIL, AuthorizationPolicy, decide
from simulators.sri.checks_reception import check_reception, guess_clave
from simulators.sri.documents import summarize_xml
from simulators.sri.faults import FaultSettings
from simulators.sri.messages import Mensaje, error, warning
from simulators.sri.schemas import SchemaSet
from simulators.sri.soap import Autorizacion
from simulators.sri.store import AUTORIZADO, DEVUELTA, EN_PROCESO, NO_AUTORIZADO, RECIBIDA, Attempt, Store

log = structlog.get_logger("simulators.sri")

History = Literal["last", "all"]


@dataclass(frozen=True, slots=True)
class ReceptionOutcome:
    estado: str
    clave: str
    mensajes: tuple[Mensaje, ...] = ()


@dataclass(frozen=True, slots=True)
class AuthorizationOutcome:
    """``autorizaciones`` to answer with; ``rejected_clave`` for the 80 shape."""

    autorizaciones: tuple[Autorizacion, ...] = ()
    rejected_clave: Autorizacion | None = None


@dataclass
class Counters:
    authorization_queries: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


class SriService:
    def __init__(
        self,
        store: Store,
        schemas: SchemaSet,
        faults: FaultSettings,
        *,
        trusted_cas: Sequence[x509.Certificate] = (),
        emission_tolerance: timedelta = timedelta(minutes=43200),
        history: History = "last",
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self.schemas = schemas
        self.faults = faults
        self.trusted_cas = tuple(trusted_cas)
        self.emission_tolerance = emission_tolerance
        self.history = history
        self.clock = clock
        self.counters = Counters()
        # Decisions that read other documents' records (notas de crédito) are serialized, so
        # two notas de crédito of one factura cannot both pass the cumulative-amount check.
        self._cross_document = threading.RLock()

    # --- Recepción ---------------------------------------------------------------------
    def receive(self, xml: bytes) -> ReceptionOutcome:
        now = self.clock()
        check = check_reception(xml, self.schemas)
        if check.document is None:
            assert check.error is not None
            return self._devuelta(check.clave, check.error, len(xml), now)
        document = check.document
        # A due-but-undecided attempt must be decided before judging a re-send (43 vs 70).
        self._settle_if_due(document.clave, now)
        problem = self.store.register(
            clave=document.clave,
            sequence_key=document.sequence_key,
            xml=xml,
            ambiente=document.ambiente,
            received_at=now,
            due_at=now + self.faults.authorization_delay_s,
            refers_to=document.refers_to,
        )
        if problem is not None:
            return self._devuelta(document.clave, problem, len(xml), now)
        log.info("sri.recepcion", estado=RECIBIDA, clave=document.clave, size=len(xml))
        return ReceptionOutcome(RECIBIDA, document.clave)

    def internal_error(self, xml: bytes) -> ReceptionOutcome:
        """Fault mode error_50: DEVUELTA 50 without storing anything (reference §14: RETRY)."""
        return self._devuelta(
            guess_clave(xml), error("50", "Error interno general del servicio"), len(xml), self.clock()
        )

    def null_arguments(self) -> ReceptionOutcome:
        return self._devuelta(
            "", error("49", "El parámetro xml del método validarComprobante es nulo o vacío"), 0, self.clock()
        )

    def _devuelta(self, clave: str, mensaje: Mensaje, size: int, now: float) -> ReceptionOutcome:
        # DEVUELTA documents are not stored (reference §14); only the request log keeps them.
        self.store.log_reception(clave=clave, estado=DEVUELTA, messages=[mensaje], size=size, at=now)
        log.info("sri.recepcion", estado=DEVUELTA, clave=clave, identificador=mensaje.identificador)
        return ReceptionOutcome(DEVUELTA, clave, (mensaje,))

    # --- Autorización ------------------------------------------------------------------
    def authorize(self, clave: str) -> AuthorizationOutcome:
        with self.counters.lock:
            self.counters.authorization_queries += 1
        clave = clave.strip()
        if not access_key.is_well_formed(clave):
            detail = f"La clave de acceso consultada '{clave}' debe tener 49 dígitos numéricos"
            return AuthorizationOutcome(
                rejected_clave=Autorizacion("RECHAZADA", None, None, None, None, (error("80", detail),))
            )
        now = self.clock()
        latest = self._settle_if_due(clave, now)
        if latest is None:
            return AuthorizationOutcome()  # never received: indistinguishable from pending (§12.5)
        if self.history == "all":
            attempts = self.store.decided_attempts(clave)
        else:
            attempts = [] if latest.status == EN_PROCESO else [latest]
        return AuthorizationOutcome(tuple(_view(a) for a in attempts))

    def settle_due(self) -> int:
        """Decide every attempt whose processing time has come (admin views, housekeeping)."""
        decided = 0
        for attempt_id in self.store.due_attempts(self.clock()):
            attempt = self.store.attempt(attempt_id)
            if attempt is not None and attempt.status == EN_PROCESO:
                self._decide(attempt)
                decided += 1
        return decided

    def _settle_if_due(self, clave: str, now: float) -> Attempt | None:
        latest = self.store.latest_attempt(clave)
        if latest is not None and latest.status == EN_PROCESO and now >= latest.due_at:
            return self._decide(latest)
        return latest

    def _policy(self) -> AuthorizationPolicy:
        return AuthorizationPolicy(
            trusted_cas=self.trusted_cas,
            emission_tolerance=self.emission_tolerance,
            inactive_rucs=frozenset(self.faults.inactive_rucs),
        )

    def _decide(self, attempt: Attempt) -> Attempt:
        if attempt.refers_to is None:
            return self._decide_now(attempt)
        with self._cross_document:
            # The documents this one is checked against are decided first when their
            # processing was due no later (store.pending_dependencies), whoever asks first.
            for dependency_id in self.store.pending_dependencies(attempt):
                dependency = self.store.attempt(dependency_id)
                if dependency is not None and dependency.status == EN_PROCESO:
                    self._decide(dependency)
            return self._decide_now(attempt)

    def _decide_now(self, attempt: Attempt) -> Attempt:
        # The decision is taken "as of" the moment processing was due, whenever it is
        # computed, so answers do not depend on when (or whether) anyone asked.
        processed_at = datetime.fromtimestamp(attempt.due_at, GUAYAQUIL)
        received_at = datetime.fromtimestamp(attempt.received_at, GUAYAQUIL)
        mensajes = decide(
            attempt.xml,
            received_at=received_at,
            processed_at=processed_at,
            policy=self._policy(),
            supporting=self.store.records_as_of(attempt.due_at),
        )
        if mensajes:
            status = NO_AUTORIZADO
        else:
            status = AUTORIZADO
            if attempt.ambiente == "1":
                mensajes = [warning("60")]  # always present in pruebas (reference §12.4)
        summary = summarize_xml(attempt.xml)  # indexed with the decision, for later notas de crédito
        if self.store.settle(attempt.id, status=status, decided_at=attempt.due_at, messages=mensajes, summary=summary):
            log.info(
                "sri.autorizacion",
                clave=attempt.clave,
                estado=status,
                identificador=mensajes[0].identificador if status == NO_AUTORIZADO else None,
            )
        decided = self.store.attempt(attempt.id)
        assert decided is not None
        return decided


def ambiente_label(ambiente: str) -> str:
    # Production spelling is unconfirmed (reference §12.4); the observed value is "PRODUCCIÓN".
    return "PRUEBAS" if ambiente == "1" else "PRODUCCIÓN"


def _view(attempt: Attempt) -> Autorizacion:
    decided_at = datetime.fromtimestamp(attempt.decided_at or attempt.due_at, GUAYAQUIL)
    return Autorizacion(
        estado=attempt.status,
        # numeroAutorizacion = clave only when authorized (§12.5).
        numero_autorizacion=attempt.clave if attempt.status == AUTORIZADO else None,
        fecha_autorizacion=decided_at,
        ambiente=ambiente_label(attempt.ambiente),
        comprobante=attempt.xml.decode("utf-8"),
        mensajes=attempt.messages,
    )
