"""The simulated DIAN: SendBillSync, SendBillAsync/SendTestSetAsync, GetStatus and GetStatusZip on top of
the checks and the store (reference §6.2, §7, §12).

Transport-free and synchronous; the HTTP layer runs it in worker threads. Only accepted documents are
registered (duplicate identity: sender NIT + type + number), so a rejected number can be corrected and
resent, and resending an accepted one answers rule 90 with the original ApplicationResponse (§4.7).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import time
import uuid as uuidlib
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import structlog
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa
from lxml import etree

from simulators.dian.application_response import build_application_response
from simulators.dian.certificates import certificate_numbers, speaks_for
from simulators.dian.checks import Context, check_document
from simulators.dian.document import Document, StructureError, read_document
from simulators.dian.faults import FaultSettings
from simulators.dian.rules import RuleMessage, rule
from simulators.dian.schemas import SchemaSet
from simulators.dian.soap import DianResult, UploadResult
from simulators.dian.store import Accepted, Store
from simulators.dian.xades_check import verify_document

log = structlog.get_logger("simulators.dian")

HABILITACION_TECHNICAL_KEY = "fc8eac422eba16e22ffd8c6f94b3f40a6e38162c"  # reference §2.3
MAX_BATCH = 50
_REJECTED = "Validación contiene errores en campos mandatorios."
_NAMES = {"Invoice": "La Factura electrónica", "CreditNote": "La Nota Crédito electrónica"}


@dataclass(frozen=True)
class Signer:
    key: rsa.RSAPrivateKey
    certificate: x509.Certificate


def _status(code: str, description: str, *, message: str | None = None) -> DianResult:
    return DianResult(status_code=code, is_valid=False, status_description=description, status_message=message)


def _identity(document: Document) -> str:
    # DIAN collapses 01/02/04 into 01: an 01 and an 04 with one number are the same document (§4.7, §10.1).
    doc_type = "91" if document.kind == "CreditNote" else ("01" if document.type_code in ("01", "02", "04")
                                                          else document.type_code)
    number = document.number.lstrip("0")
    return hashlib.sha256(f"{document.supplier.company_id}{doc_type}{number}".encode()).hexdigest()


class DianService:
    def __init__(
        self,
        store: Store,
        schemas: SchemaSet,
        faults: FaultSettings,
        *,
        signer: Signer,
        trusted: Sequence[x509.Certificate] = (),
        test_technical_key: str = HABILITACION_TECHNICAL_KEY,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self.schemas = schemas
        self.faults = faults
        self.signer = signer
        self.trusted = tuple(trusted)
        self.test_technical_key = test_technical_key
        self.clock = clock

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.clock(), UTC)

    # --- uploads ---------------------------------------------------------------------------
    def send_bill_sync(self, file_name: str, content: str, caller: x509.Certificate) -> DianResult:
        files = self._unzip(content)
        if isinstance(files, DianResult):
            self._log("SendBillSync", None, file_name, files, registered=False)
            return files
        if len(files) != 1:
            result = _status("89", "El método síncrono solo puede recibir un documento.")
            self._log("SendBillSync", None, file_name, result, registered=False)
            return result
        name, xml = files[0]
        result, document_key, registered = self._process(name, xml, caller)
        self._log("SendBillSync", document_key, file_name, result, registered=registered)
        return result

    def send_async(self, operation: str, file_name: str, content: str, caller: x509.Certificate,
                   test_set_id: str | None = None) -> UploadResult:
        files = self._unzip(content)
        if isinstance(files, DianResult):
            return UploadResult(None, [("", files.status_description, file_name)])
        if len(files) > MAX_BATCH:
            return UploadResult(None, [("", f"Cantidad de documentos dentro del lote ZIP excede máximo "
                                            f"permitido: {MAX_BATCH}", file_name)])
        keys = []
        for name, xml in files:
            result, document_key, registered = self._process(name, xml, caller)
            self._log(operation, document_key, file_name, result, registered=registered)
            keys.append(document_key or result.file_name or name)
        zip_key = str(uuidlib.uuid4())
        now = self.clock()
        self.store.save_batch(zip_key, created_at=now, ready_at=now + self.faults.processing_delay_s,
                              test_set_id=test_set_id, uuids=keys)
        return UploadResult(zip_key)

    # --- queries -----------------------------------------------------------------------------
    def get_status(self, track_id: str) -> DianResult:
        track_id = track_id.strip().lower()
        if not track_id:
            return _status("89", "TrackId es nulo o vacío.")
        accepted = self.store.by_uuid(track_id)
        if accepted is not None and accepted.ready_at > self.clock():
            return _status("98", "En Proceso")
        stored = self.store.outcome(track_id)
        if stored is None:
            return _status("66", "TrackId no encontrado.")
        answer, application_response = stored
        return DianResult.from_json(answer, application_response)

    def get_status_zip(self, zip_key: str) -> list[DianResult]:
        batch = self.store.batch(zip_key.strip())
        if batch is None:
            return [_status("66", "TrackId no existe en los registros de la DIAN.")]
        ready_at, _test_set, keys = batch
        if ready_at > self.clock():
            return [_status("", "Batch en proceso de validación.")]
        return [self.get_status(key) for key in keys]

    # --- one document ----------------------------------------------------------------------------
    def _unzip(self, content: str) -> list[tuple[str, bytes]] | DianResult:
        if not content:
            return _status("89", "Archivo no enviado.")
        try:
            raw = base64.b64decode("".join(content.split()), validate=True)
            with zipfile.ZipFile(io.BytesIO(raw)) as archive:
                names = [n for n in archive.namelist()
                         if n.lower().endswith(".xml") and not n.startswith("__MACOSX")]
                files = [(n, archive.read(n)) for n in names]
        except (binascii.Error, ValueError, zipfile.BadZipFile) as exc:
            return _status("89", f"Error descomprimiendo el archivo ZIP: {exc}")
        if not files:
            return _status("89", "Error descomprimiendo el archivo ZIP: No fue encontrado ningun documento XML "
                                 "válido.")
        return files

    def _process(self, name: str, xml: bytes, caller: x509.Certificate) -> tuple[DianResult, str | None, bool]:
        file_name = name.rsplit("/", 1)[-1].removesuffix(".xml")
        read = self._read(xml, file_name)
        if isinstance(read, DianResult):
            return read, None, False
        root, document = read
        refused = self._authorization(document, caller)
        if refused is not None:
            return refused, document.uuid, False
        duplicate = self.store.by_identity(_identity(document))
        if duplicate is not None:
            return self._duplicate(duplicate), document.uuid, False
        report = verify_document(root, trusted=self.trusted, at=self.now())
        context = Context(self.store.software_pins(), self.store.resolutions(), self.test_technical_key,
                          self.store.accepted_invoice)
        messages = report.problems + check_document(document, context, report.signing_time)
        if any(m.level == "Rechazo" for m in messages):
            return self._reject(document, file_name, messages), document.uuid, False
        return self._accept(document, file_name, messages, xml)

    def _read(self, xml: bytes, file_name: str) -> tuple[etree._Element, Document] | DianResult:
        """Parse, schema-check and read the document; a failure is a ZB01 rejection."""
        try:
            root = etree.fromstring(xml, etree.XMLParser(resolve_entities=False, no_network=True))
        except etree.XMLSyntaxError as exc:
            return self._reject_unread(file_name, f"Error al parsear xml. {exc}")
        errors = self.schemas.errors(root)
        if errors:
            return self._reject_unread(file_name, "; ".join(errors))
        try:
            document = read_document(root)
        except StructureError as exc:
            return self._reject_unread(file_name, str(exc))
        document.uuid = document.uuid.lower()
        return root, document

    def _authorization(self, document: Document, caller: x509.Certificate) -> DianResult | None:
        if not certificate_numbers(caller):
            return _status("89", "NIT de la empresa no informado en el certificado.")
        provider = document.extension.get("ProviderID", "")
        if speaks_for(caller, document.supplier.company_id) or (provider and speaks_for(caller, provider)):
            return None
        return _status("89", f"NIT {sorted(certificate_numbers(caller))[0]} no autorizado a enviar documentos "
                             f"para emisor con NIT {document.supplier.company_id}")

    def _reject_unread(self, file_name: str, detail: str) -> DianResult:
        return DianResult(status_code="99", is_valid=False, status_description=_REJECTED,
                          status_message="Documento con errores en campos mandatorios.",
                          errors=[rule("ZB01", detail=detail).render()], file_name=file_name)

    def _duplicate(self, original: Accepted) -> DianResult:
        if original.ready_at > self.clock():
            return _status("98", "En Proceso")
        return DianResult(status_code="99", is_valid=False, status_description=_REJECTED,
                          status_message="Documento con errores en campos mandatorios.",
                          errors=[rule("90").render()], application_response=original.application_response,
                          document_key=original.uuid, file_name=original.file_name)

    def _application_response(self, document: Document, accepted: bool, messages: list[RuleMessage]) -> bytes:
        return build_application_response(
            document, accepted=accepted, rules=messages, sequence=self.store.next_sequence("application_response"),
            now=self.now(), key=self.signer.key, certificate=self.signer.certificate,
        )

    def _reject(self, document: Document, file_name: str, messages: list[RuleMessage]) -> DianResult:
        result = DianResult(status_code="99", is_valid=False, status_description=_REJECTED,
                            status_message="Documento con errores en campos mandatorios.",
                            errors=[m.render() for m in messages],
                            application_response=self._application_response(document, False, messages),
                            document_key=document.uuid, file_name=file_name)
        self.store.save_outcome(document.uuid, result.to_json(), result.application_response, self.clock())
        log.info("dian.rejected", number=document.number, rules=[m.code for m in messages])
        return result

    def _accept(self, document: Document, file_name: str, messages: list[RuleMessage],
                xml: bytes) -> tuple[DianResult, str | None, bool]:
        now = self.clock()
        application_response = self._application_response(document, True, messages)
        accepted = Accepted(uuid=document.uuid, identity=_identity(document), nit=document.supplier.company_id,
                            kind=document.kind, number=document.number, issue_date=document.issue_date,
                            file_name=file_name, application_response=application_response,
                            ready_at=now + self.faults.processing_delay_s)
        earlier = self.store.register(accepted, xml, now)
        if earlier is not None:  # a concurrent resend won the race
            return self._duplicate(earlier), document.uuid, False
        result = DianResult(status_code="00", is_valid=True, status_description="Procesado Correctamente.",
                            status_message=f"{_NAMES[document.kind]} {document.number}, ha sido autorizada.",
                            errors=[m.render() for m in messages], application_response=application_response,
                            document_key=document.uuid, file_name=file_name)
        self.store.save_outcome(document.uuid, result.to_json(), application_response, now)
        log.info("dian.accepted", number=document.number, uuid=document.uuid, pending=accepted.ready_at > now)
        if accepted.ready_at > now:
            # Accepted but its ApplicationResponse is "not ready": 66 now, 98 on GetStatus until ready_at.
            pending = _status("66", "Error al generar ApplicationResponse. Inténtelo más tarde.")
            pending.document_key, pending.file_name = document.uuid, file_name
            return pending, document.uuid, True
        return result, document.uuid, True

    def _log(self, operation: str, document_key: str | None, file_name: str, result: DianResult,
             *, registered: bool) -> None:
        self.store.log_submission(operation=operation, uuid=document_key, file_name=file_name,
                                  status_code=result.status_code, errors=result.errors, registered=registered,
                                  at=self.clock())
