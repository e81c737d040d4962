"""Steps 4 and 5: submit the stored signed document and poll for the authority's decision.

"Already received" answers are the success path: the first attempt got through, so the next step is to
poll, never to send again. Before re-submitting, the authority is asked whether it already has the
document, because the attempt that timed out may have arrived.
"""

import structlog
from temporalio import activity

from activities.errors import to_application_error
from adapters.countries import CountryRegistry
from adapters.documents import FolderDocumentStore
from domain import names
from domain.errors import AuthorizationPending, ComprobanteError
from domain.invoice import DocumentKind
from domain.steps import AuthorityInput, PollInput, PollResult, SubmitInput, SubmitResult

log = structlog.get_logger(__name__)


def authorized_document_key(invoice_key: str, revision: int, kind: DocumentKind = "invoice") -> str:
    return f"{invoice_key}/{kind}-r{revision}-authorized.xml"


class AuthorityActivities:
    def __init__(self, countries: CountryRegistry, store: FolderDocumentStore) -> None:
        self._countries = countries
        self._store = store

    @activity.defn(name=names.SUBMIT)
    async def submit(self, inp: SubmitInput) -> SubmitResult:
        attempt = activity.info().attempt
        profile = self._countries.get(inp.country)
        try:
            signed = self._store.get(inp.document)
            if attempt > 1:
                decision = await profile.decision(inp.numbering, "invoice", inp.issuer_id, signed)
                if decision.state != "PENDING":
                    return SubmitResult(outcome="ALREADY_RECEIVED", attempt=attempt)
            outcome = await profile.submit(signed, inp.numbering, inp.issuer_id)
        except ComprobanteError as exc:
            log.warning("submit.failed", invoice_key=inp.invoice_key, attempt=attempt, error=str(exc))
            raise to_application_error(exc) from exc
        log.info("submit.done", invoice_key=inp.invoice_key, attempt=attempt, outcome=outcome)
        return SubmitResult(outcome=outcome, attempt=attempt)

    @activity.defn(name=names.POLL_AUTHORIZATION)
    async def poll_authorization(self, inp: PollInput) -> PollResult:
        attempt = activity.info().attempt
        profile = self._countries.get(inp.country)
        try:
            signed = self._store.get(inp.document) if inp.document else b""
            decision = await profile.decision(inp.numbering, inp.kind, inp.issuer_id, signed)
            if decision.state == "PENDING":
                raise AuthorizationPending(f"{profile.authority} has not decided yet")
        except ComprobanteError as exc:
            raise to_application_error(exc) from exc
        if decision.state == "NOT_AUTHORIZED":
            log.warning("poll.not_authorized", invoice_key=inp.invoice_key,
                        codes=[m.identifier for m in decision.messages])
            return PollResult(authorized=False, messages=decision.messages, attempt=attempt)
        assert decision.artefact is not None
        assert decision.authorization is not None
        document = self._store.put_once(authorized_document_key(inp.invoice_key, inp.revision, inp.kind),
                                        decision.artefact, "application/xml")
        log.info("poll.authorized", invoice_key=inp.invoice_key, attempt=attempt)
        return PollResult(authorized=True, authorization=decision.authorization, authorized_document=document,
                          messages=decision.messages, attempt=attempt)

    @activity.defn(name=names.PROBE_AUTHORITY)
    async def probe_authority(self, inp: AuthorityInput) -> bool:
        """True when the authority answers; used by the authority-health workflow, not by invoices."""
        try:
            await self._countries.get(inp.country).probe()
        except ComprobanteError as exc:
            log.info("probe.down", country=inp.country, error=str(exc))
            return False
        return True
