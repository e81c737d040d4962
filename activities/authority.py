"""Steps 4 and 5: submit the stored signed XML to the SRI and poll for the authorization.

"Already received" answers are the success path (SRI 43 CLAVE ACCESO REGISTRADA and 70 EN
PROCESAMIENTO): the first attempt got through, so the next step is to poll, never to send again.
"""

import structlog
from temporalio import activity

from activities.errors import to_application_error
from adapters.documents import FolderDocumentStore
from adapters.ecuador.sri_client import AuthorizationAnswer, SriClient
from domain import names
from domain.errors import AuthorityRejected, AuthorityUnavailable, AuthorizationPending
from domain.invoice import Authorization
from domain.steps import PollInput, PollResult, SubmitInput, SubmitResult

log = structlog.get_logger(__name__)

# Ficha v2.32 §11: 43 = clave already registered, 70 = clave being processed. Both mean a previous
# submission of this same document arrived; poll for its decision.
ALREADY_RECEIVED_CODES = frozenset({"43", "70"})
# 50 = "Error interno general": the SRI's own failure, retry later.
SRI_INTERNAL_ERROR = "50"
# States the SRI answers with a decision other than authorized (RECHAZADO is the legacy spelling).
NOT_AUTHORIZED_STATES = frozenset({"NO AUTORIZADO", "RECHAZADO"})


def authorized_document_key(invoice_key: str, revision: int) -> str:
    return f"{invoice_key}/factura-r{revision}-autorizada.xml"


class AuthorityActivities:
    def __init__(self, sri: SriClient, store: FolderDocumentStore) -> None:
        self._sri = sri
        self._store = store

    @activity.defn(name=names.SUBMIT)
    async def submit(self, inp: SubmitInput) -> SubmitResult:
        attempt = activity.info().attempt
        try:
            return await self._submit(inp, attempt)
        except (AuthorityRejected, AuthorityUnavailable) as exc:
            log.warning("submit.failed", invoice_key=inp.invoice_key, attempt=attempt, error=str(exc))
            raise to_application_error(exc) from exc

    async def _submit(self, inp: SubmitInput, attempt: int) -> SubmitResult:
        if attempt > 1:
            # Query before re-submitting: the attempt that timed out may have been received.
            answer = await self._sri.authorization(inp.access_key)
            if answer.state != "PENDING":
                return SubmitResult(outcome="ALREADY_RECEIVED", attempt=attempt)
        reception = await self._sri.submit(self._store.get(inp.document))
        if reception.state == "RECIBIDA":
            log.info("submit.received", invoice_key=inp.invoice_key, attempt=attempt)
            return SubmitResult(outcome="RECEIVED", attempt=attempt)
        codes = {m.identifier for m in reception.messages}
        if codes & ALREADY_RECEIVED_CODES:
            log.info("submit.already_received", invoice_key=inp.invoice_key, codes=sorted(codes))
            return SubmitResult(outcome="ALREADY_RECEIVED", attempt=attempt)
        if SRI_INTERNAL_ERROR in codes:
            raise AuthorityUnavailable("SRI answered 50 ERROR INTERNO GENERAL")
        raise AuthorityRejected(reception.state or "DEVUELTA", reception.messages)

    @activity.defn(name=names.POLL_AUTHORIZATION)
    async def poll_authorization(self, inp: PollInput) -> PollResult:
        attempt = activity.info().attempt
        try:
            answer = await self._sri.authorization(inp.access_key)
        except AuthorityUnavailable as exc:
            raise to_application_error(exc) from exc
        if answer.state == "AUTORIZADO":
            return self._authorized(inp, answer, attempt)
        if answer.state in NOT_AUTHORIZED_STATES:
            log.warning("poll.not_authorized", invoice_key=inp.invoice_key,
                        codes=[m.identifier for m in answer.messages])
            return PollResult(authorized=False, messages=answer.messages, attempt=attempt)
        raise to_application_error(AuthorizationPending(f"SRI has not decided yet ({answer.state})"))

    def _authorized(self, inp: PollInput, answer: AuthorizationAnswer, attempt: int) -> PollResult:
        if answer.authorization_xml is None or answer.authorized_at is None:
            raise to_application_error(AuthorityUnavailable("AUTORIZADO without document or date"))
        document = self._store.put_once(authorized_document_key(inp.invoice_key, inp.revision),
                                        answer.authorization_xml, "application/xml")
        authorization = Authorization(
            number=answer.number or inp.access_key, authorized_at=answer.authorized_at,
            environment=answer.environment or "", messages=answer.messages,
        )
        log.info("poll.authorized", invoice_key=inp.invoice_key, attempt=attempt)
        return PollResult(authorized=True, authorization=authorization, authorized_document=document,
                          messages=answer.messages, attempt=attempt)
