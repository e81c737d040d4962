"""The simulated PAC: stamping, recovery and cancellation on top of the checks and the store.

Idempotency (reference §13, §14): a document is identified by its Sello. Sending it again returns
307 with the original timbre (or the code alone, ``--duplicate-answer code``, like a quick_stamp),
whatever the time, so a client that lost a reply always gets its UUID back and never a second one.
"""

from __future__ import annotations

import hashlib
import time
import uuid as uuid_module
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, Literal
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

import structlog
from lxml import etree

from simulators.pac import cancellation as rules
from simulators.pac.checks import DocumentChecks
from simulators.pac.faults import PacSettings
from simulators.pac.identity import SatIdentity
from simulators.pac.rules import CFDI, Finding
from simulators.pac.soap import FolioOut, IncidenceOut, StampResult
from simulators.pac.store import Store, StoredDocument
from simulators.pac.timbre import FECHA_FORMAT, add_timbre

log = structlog.get_logger("simulators.pac")

CENTRAL = ZoneInfo("America/Mexico_City")  # FechaTimbrado's zone (reference §2.9)
STAMPED_TEXT = "Comprobante timbrado satisfactoriamente"
DuplicateAnswer = Literal["xml", "code"]


class PacService:
    def __init__(
        self,
        store: Store,
        checks: DocumentChecks,
        identity: SatIdentity,
        settings: PacSettings,
        *,
        pac_rfc: str,
        username: str,
        password: str,
        duplicate_answer: DuplicateAnswer = "xml",
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self.checks = checks
        self.identity = identity
        self.settings = settings
        self.pac_rfc = pac_rfc
        self.duplicate_answer: DuplicateAnswer = duplicate_answer
        self._credentials = (username, password)
        self._clock = clock

    def authenticated(self, username: str | None, password: str | None) -> bool:
        return (username, password) == self._credentials

    def now(self) -> datetime:
        return datetime.fromtimestamp(self._clock(), UTC)

    # --- stamping ---------------------------------------------------------------------------
    def stamp(self, xml: bytes) -> StampResult:
        xml_hash = hashlib.sha256(xml).hexdigest()
        parsed = self.checks.parse(xml)
        if parsed.root is None:
            return self._rejected("", parsed.findings)
        root = parsed.root
        sello_hash = hashlib.sha256(root.get("Sello", "").encode()).hexdigest()
        previous = self.store.by_sello(sello_hash) if root.get("Sello") else None
        if previous is not None:
            return self._duplicate(previous, xml_hash)
        now = self.now()
        findings = self.checks.check(root, now=now)
        if findings:
            return self._rejected("", findings)
        document = self._new_document(root, sello_hash, now)
        stored = self.store.insert(document, xml_hash)
        if stored.uuid != document.uuid:  # a concurrent request stored the same sello first
            return self._duplicate(stored, xml_hash)
        self.store.log(at=now.timestamp(), operation="stamp", uuid=stored.uuid, outcome="stamped", codes=[])
        log.info("pac.stamped", uuid=stored.uuid, emisor=stored.rfc_emisor, serie=stored.serie, folio=stored.folio)
        return self._result(stored)

    def stamped(self, *, xml: bytes | None, uuid: str | None, sha256: str | None) -> StampResult:
        """Recovery by sealed XML, UUID or SHA-256 of the bytes; 602 when this PAC never stamped it."""
        document: StoredDocument | None = None
        if xml is not None:
            parsed = self.checks.parse(xml)
            if parsed.root is not None and parsed.root.get("Sello"):
                sello = parsed.root.get("Sello", "")
                document = self.store.by_sello(hashlib.sha256(sello.encode()).hexdigest())
        elif uuid is not None:
            document = self.store.by_uuid(uuid)
        elif sha256 is not None:
            document = self.store.by_xml_hash(sha256.lower())
        if document is None:
            missing = IncidenceOut("602", "El comprobante no se encuentra registrado en este PAC")
            return StampResult(incidences=[missing])
        self.store.log(at=self._clock(), operation="stamped", uuid=document.uuid, outcome="found", codes=[])
        return self._result(document)

    def _new_document(self, root: etree._Element, sello_hash: str, now: datetime) -> StoredDocument:
        fecha_timbrado = now.astimezone(CENTRAL).replace(tzinfo=None, microsecond=0)
        new_uuid = str(uuid_module.uuid4()).upper()
        add_timbre(root, identity=self.identity, cadenas=self.checks.cadenas, uuid=new_uuid,
                   fecha_timbrado=fecha_timbrado, rfc_prov_certif=self.pac_rfc)
        emisor, receptor = root.find(f"{CFDI}Emisor"), root.find(f"{CFDI}Receptor")
        total = root.get("Total", "0")
        rate = Decimal(root.get("TipoCambio", "1")) if root.get("Moneda") not in ("MXN", "XXX") else Decimal(1)
        related = tuple(
            (group.get("TipoRelacion", ""), node.get("UUID", "").upper())
            for group in root.iterfind(f"{CFDI}CfdiRelacionados")
            for node in group.iterfind(f"{CFDI}CfdiRelacionado")
        )
        return StoredDocument(
            uuid=new_uuid, sello_hash=sello_hash,
            rfc_emisor=emisor.get("Rfc", "") if emisor is not None else "",
            rfc_receptor=receptor.get("Rfc", "") if receptor is not None else "",
            total=total, total_mxn=str(Decimal(total) * rate), tipo=root.get("TipoDeComprobante", ""),
            serie=root.get("Serie", ""), folio=root.get("Folio", ""), fecha=root.get("Fecha", ""), related=related,
            stamped_xml=etree.tostring(root, xml_declaration=True, encoding="UTF-8"),
            fecha_timbrado=fecha_timbrado.strftime(FECHA_FORMAT), stamped_at=now.timestamp(), stamp_requests=1,
            cancel_state="", cancel_motive="", cancel_substitute="", cancel_requested_at=None,
            cancel_decided_at=None, acuse="",
        )

    def _duplicate(self, document: StoredDocument, xml_hash: str) -> StampResult:
        self.store.count_stamp_request(document.uuid, xml_hash)
        self.store.log(at=self._clock(), operation="stamp", uuid=document.uuid, outcome="duplicate", codes=["307"])
        incidence = IncidenceOut("307", "El CFDI contiene un timbre previo", uuid=document.uuid)
        if self.duplicate_answer == "code":
            return StampResult(status="", incidences=[incidence])
        return replace(self._result(document), incidences=[incidence])

    def _result(self, document: StoredDocument) -> StampResult:
        timbre = etree.fromstring(document.stamped_xml).find(f"{CFDI}Complemento/{{*}}TimbreFiscalDigital")
        return StampResult(
            xml=document.stamped_xml.decode("utf-8"), uuid=document.uuid, fecha=document.fecha_timbrado,
            status=STAMPED_TEXT, sat_seal=timbre.get("SelloSAT", "") if timbre is not None else "",
            no_certificado_sat=self.identity.number,
        )

    def _rejected(self, uuid: str, findings: list[Finding]) -> StampResult:
        codes = [f.code for f in findings]
        self.store.log(at=self._clock(), operation="stamp", uuid=uuid, outcome="rejected", codes=codes)
        log.info("pac.rejected", codes=codes)
        return StampResult(incidences=[IncidenceOut(f.code, f.message) for f in findings])

    # --- cancellation -----------------------------------------------------------------------
    def cancel(self, rfc_emisor: str, folios: list[dict[str, str]]) -> list[FolioOut]:
        self.settle_due()
        return [self._cancel_one(rfc_emisor, folio) for folio in folios]

    def _cancel_one(self, rfc_emisor: str, folio: dict[str, str]) -> FolioOut:
        uuid = folio.get("UUID", "").upper()
        motive, substitute_uuid = folio.get("Motivo", ""), folio.get("FolioSustitucion", "").upper()
        now = self._clock()
        document = self.store.by_uuid(uuid)
        refusal: rules.Refusal | None = None
        if document is None or now - document.stamped_at < self.settings.cancel_not_found_s:
            refusal = rules.Refusal("205", "UUID no existe (o aún no se encuentra en el SAT)")
        elif document.rfc_emisor != rfc_emisor:
            refusal = rules.Refusal("203", "UUID no corresponde al RFC del emisor")
        else:
            substitute = self.store.by_uuid(substitute_uuid) if substitute_uuid else None
            refusal = rules.motive_refusal(document, motive, substitute, substitute_uuid)
        if refusal is not None or document is None:
            assert refusal is not None
            self.store.log(at=now, operation="cancel", uuid=uuid, outcome="refused", codes=[refusal.code])
            return FolioOut(uuid=uuid, code=refusal.code, state="", message=refusal.message)
        if not rules.is_cancellable_state(document.cancel_state):
            return FolioOut(uuid=uuid, code="202", state=document.cancel_state, message="Previamente solicitado")
        blockers = rules.blocking_relations(document, self.store.relating_to(uuid))
        if blockers:
            self.store.log(at=now, operation="cancel", uuid=uuid, outcome="no_cancelable", codes=["no_cancelable"])
            return FolioOut(uuid=uuid, code="no_cancelable", state="",
                            message=f"Tiene CFDI relacionados vigentes: {', '.join(blockers)}")
        pending = rules.needs_acceptance(document, now=now, immediate_window_s=self.settings.immediate_cancel_window_s)
        state = rules.EN_PROCESO if pending else rules.SIN_ACEPTACION
        self.store.set_cancellation(uuid, state=state, motive=motive, substitute=substitute_uuid, requested_at=now,
                                    decided_at=None if pending else now, acuse=_acuse(uuid, rfc_emisor, now))
        self.store.log(at=now, operation="cancel", uuid=uuid, outcome=state, codes=["201"])
        log.info("pac.cancel_requested", uuid=uuid, motive=motive, state=state)
        return FolioOut(uuid=uuid, code="201", state=state, message="Solicitud de cancelación recibida")

    def acuse(self, uuid: str) -> str:
        document = self.store.by_uuid(uuid)
        return document.acuse if document is not None else ""

    def status(self, uuid: str) -> dict[str, str]:
        self.settle_due()
        document = self.store.by_uuid(uuid)
        if document is None:
            return {"code": "N - 602: Comprobante no encontrado.", "estado": "No Encontrado", "cancelable": "",
                    "cancel_state": ""}
        blockers = rules.blocking_relations(document, self.store.relating_to(document.uuid))
        pending = rules.needs_acceptance(document, now=self._clock(),
                                         immediate_window_s=self.settings.immediate_cancel_window_s)
        cancelable = ("No cancelable" if blockers else
                      "Cancelable con aceptación" if pending else "Cancelable sin aceptación")
        return {
            "code": "S - Comprobante obtenido satisfactoriamente.",
            "estado": "Cancelado" if document.cancel_state in rules.CANCELLED else "Vigente",
            "cancelable": cancelable,
            "cancel_state": document.cancel_state,
        }

    def decide(self, uuid: str, *, accept: bool) -> str | None:
        """The receiver's answer (admin back door for the Buzón Tributario); None if nothing is pending."""
        self.settle_due()
        document = self.store.by_uuid(uuid)
        if document is None or document.cancel_state != rules.EN_PROCESO:
            return None
        state = rules.CON_ACEPTACION if accept else rules.RECHAZADA
        self.store.set_cancellation(uuid, state=state, decided_at=self._clock())
        return state

    def settle_due(self) -> None:
        """Pending requests whose acceptance window passed become "Plazo vencido" (cancelled)."""
        now = self._clock()
        for document in self.store.pending_cancellations():
            if document.cancel_requested_at is not None and \
                    now - document.cancel_requested_at >= self.settings.acceptance_window_s:
                self.store.set_cancellation(document.uuid, state=rules.PLAZO_VENCIDO, decided_at=now)

    def document_report(self, uuid: str) -> dict[str, Any] | None:
        self.settle_due()
        document = self.store.by_uuid(uuid)
        if document is None:
            return None
        return {
            "uuid": document.uuid, "rfc_emisor": document.rfc_emisor, "rfc_receptor": document.rfc_receptor,
            "serie": document.serie, "folio": document.folio, "fecha": document.fecha, "total": document.total,
            "tipo": document.tipo, "related": [list(pair) for pair in document.related],
            "fecha_timbrado": document.fecha_timbrado, "stamp_count": document.stamp_requests,
            "cancellation": {"state": document.cancel_state, "motive": document.cancel_motive,
                             "substitute": document.cancel_substitute,
                             "requested_at": document.cancel_requested_at, "decided_at": document.cancel_decided_at},
            "requests": self.store.requests_for(document.uuid),
        }


def _acuse(uuid: str, rfc: str, at: float) -> str:
    fecha = datetime.fromtimestamp(at, CENTRAL).strftime(FECHA_FORMAT)
    return (f'<Acuse xmlns="http://cancelacfd.sat.gob.mx" Fecha="{fecha}" RfcEmisor="{escape(rfc)}">'
            f"<Folios><UUID>{uuid}</UUID><EstatusUUID>201</EstatusUUID></Folios></Acuse>")
