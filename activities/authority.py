"""Steps 4 and 5: submit the stored signed document and obtain the authority's decision.

"Already received" answers are the success path: the first attempt got through, so the next step is to
poll, never to send again. Before re-submitting, the authority is asked whether it already has the
document, because the attempt that timed out may have arrived.

`transmit_to_authority` submits and then waits a few seconds for the decision in the same activity: most
documents are decided within a second or two, and a wait inside the activity costs neither a round trip
through the server nor the retry timer's delay. A decision that takes longer is left to
`poll_authorization`, whose retry policy can wait for a day.
"""

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Literal

import structlog
from temporalio import activity

from activities.errors import to_application_error
from adapters.countries import AuthorityDecision, CountryProfile, CountryRegistry
from adapters.documents import FolderDocumentStore
from domain import names
from domain.errors import AuthorizationPending, ComprobanteError
from domain.invoice import DocumentKind, Numbering
from domain.steps import (
    AuthorityInput,
    AuthorityStatus,
    PollInput,
    PollResult,
    SubmitInput,
    SubmitResult,
    TransmitInput,
    TransmitResult,
)

log = structlog.get_logger(__name__)

HealthCheck = Callable[[str], Awaitable[AuthorityStatus]]


def authorized_document_key(invoice_key: str, revision: int, kind: DocumentKind = "invoice") -> str:
    return f"{invoice_key}/{kind}-r{revision}-authorized.xml"


async def _assume_up(country: str) -> AuthorityStatus:
    return AuthorityStatus(country=country, up=True)


class AuthorityActivities:
    def __init__(self, countries: CountryRegistry, store: FolderDocumentStore,
                 health: HealthCheck = _assume_up) -> None:
        self._countries = countries
        self._store = store
        self._health = health

    @activity.defn(name=names.SUBMIT)
    async def submit(self, inp: SubmitInput) -> SubmitResult:
        attempt = activity.info().attempt
        profile = self._countries.get(inp.country)
        try:
            outcome = await self._submit(profile, invoice_key=inp.invoice_key, numbering=inp.numbering,
                                         issuer_id=inp.issuer_id, signed=self._store.get(inp.document),
                                         attempt=attempt)
        except ComprobanteError as exc:
            raise to_application_error(exc) from exc
        return SubmitResult(outcome=outcome, attempt=attempt)

    @activity.defn(name=names.TRANSMIT)
    async def transmit(self, inp: TransmitInput) -> TransmitResult:
        attempt = activity.info().attempt
        if inp.check_health:
            health = await self._health(inp.country)
            if not health.up:
                # Known down: straight to contingency, without adding to the authority's load.
                return TransmitResult(outcome="AUTHORITY_DOWN", attempt=attempt, down_since=health.since)
        profile = self._countries.get(inp.country)
        activity.heartbeat("submitting")
        try:
            signed = self._store.get(inp.document)
            outcome = await self._submit(profile, invoice_key=inp.invoice_key, numbering=inp.numbering,
                                         issuer_id=inp.issuer_id, signed=signed, attempt=attempt)
        except ComprobanteError as exc:
            raise to_application_error(exc) from exc
        decision = await self._await_decision(profile, inp, signed)
        return TransmitResult(outcome=outcome, attempt=attempt, decision=decision)

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
        return self._result(inp.invoice_key, inp.revision, inp.kind, decision, attempt)

    @activity.defn(name=names.PROBE_AUTHORITY)
    async def probe_authority(self, inp: AuthorityInput) -> bool:
        """True when the authority answers; used by the authority-health workflow, not by invoices."""
        try:
            await self._countries.get(inp.country).probe()
        except ComprobanteError as exc:
            log.info("probe.down", country=inp.country, error=str(exc))
            return False
        return True

    # --- shared ---------------------------------------------------------------------------------
    async def _submit(self, profile: CountryProfile, *, invoice_key: str, numbering: Numbering, issuer_id: str,
                      signed: bytes, attempt: int) -> Literal["RECEIVED", "ALREADY_RECEIVED"]:
        try:
            if attempt > 1:
                decision = await profile.decision(numbering, "invoice", issuer_id, signed)
                if decision.state != "PENDING":
                    return "ALREADY_RECEIVED"
            outcome = await profile.submit(signed, numbering, issuer_id)
        except ComprobanteError as exc:
            log.warning("submit.failed", invoice_key=invoice_key, attempt=attempt, error=str(exc))
            raise
        log.info("submit.done", invoice_key=invoice_key, attempt=attempt, outcome=outcome)
        return outcome

    async def _await_decision(self, profile: CountryProfile, inp: TransmitInput, signed: bytes) -> PollResult | None:
        """Poll for up to decision_wait; None (leave it to the polling step) when undecided or unreachable."""
        deadline = time.monotonic() + inp.decision_wait.total_seconds()
        interval = inp.poll_interval.total_seconds()
        checks = 0
        while True:
            checks += 1
            activity.heartbeat(f"waiting for the decision, check {checks}")
            try:
                decision = await profile.decision(inp.numbering, inp.kind, inp.issuer_id, signed)
            except ComprobanteError as exc:
                # Received but the decision cannot be read now: the polling step retries for a day.
                log.info("transmit.decision_unavailable", invoice_key=inp.invoice_key, error=str(exc))
                return None
            if decision.state != "PENDING":
                return self._result(inp.invoice_key, inp.revision, inp.kind, decision, checks)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            await asyncio.sleep(min(interval, remaining))
            interval = min(interval * 1.5, inp.poll_max_interval.total_seconds())

    def _result(self, invoice_key: str, revision: int, kind: DocumentKind, decision: AuthorityDecision,
                attempt: int) -> PollResult:
        if decision.state == "NOT_AUTHORIZED":
            log.warning("poll.not_authorized", invoice_key=invoice_key, codes=[m.identifier for m in decision.messages])
            return PollResult(authorized=False, messages=decision.messages, attempt=attempt)
        assert decision.artefact is not None
        assert decision.authorization is not None
        document = self._store.put_once(authorized_document_key(invoice_key, revision, kind), decision.artefact,
                                        "application/xml")
        log.info("poll.authorized", invoice_key=invoice_key, attempt=attempt)
        return PollResult(authorized=True, authorization=decision.authorization, authorized_document=document,
                          messages=decision.messages, attempt=attempt)
