"""IssueInvoiceWorkflow: one sale becomes one authorized, delivered and booked invoice.

validate → number → sign → submit → poll authorization → render → notify → ledger.

The workflow only sequences steps and keeps the status picture; every side effect is an activity,
called by name so that no I/O library is imported here. Nothing makes an invoice disappear: a step
that cannot succeed parks it in NEEDS_FIX with its problems, visible in the status query and in the
InvoiceStatus search attribute, until support acts (the `retry_now` signal).
"""

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any, TypeVar

from temporalio import workflow
from temporalio.common import RetryPolicy, SearchAttributeKey
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from domain import errors, names
    from domain.documents import DocumentRef
    from domain.invoice import (
        AuthorityMessage,
        Authorization,
        InvoiceState,
        IssueInvoiceInput,
        IssueInvoiceResult,
        Numbering,
        StatusChange,
    )
    from domain.problems import Problem, errors_only
    from domain.status import InvoiceStatus
    from domain.steps import (
        LedgerInput,
        LedgerResult,
        NotifyInput,
        NotifyResult,
        NumberInput,
        PollInput,
        PollResult,
        RenderInput,
        SignInput,
        SignResult,
        SubmitInput,
        SubmitResult,
        TransitionInput,
        ValidateInput,
        ValidateResult,
        WebhookInput,
        WebhookResult,
    )

STATUS = SearchAttributeKey.for_keyword(names.SA_STATUS)
NUMBER = SearchAttributeKey.for_keyword(names.SA_NUMBER)
T = TypeVar("T")


class StepFailed(Exception):
    """A step failed for good; carries what the operator needs to see."""

    def __init__(self, problems: list[Problem], messages: list[AuthorityMessage] | None = None) -> None:
        super().__init__(problems[0].message if problems else "step failed")
        self.problems = problems
        self.messages = messages or []


@workflow.defn(name="IssueInvoice")
class IssueInvoiceWorkflow:
    @workflow.init
    def __init__(self, inp: IssueInvoiceInput) -> None:
        sale = inp.sale
        self._sale = sale
        self._timings = inp.timings
        self._state = InvoiceState(
            invoice_key=workflow.info().workflow_id, country=sale.country,
            issuer_id=sale.issuer.ruc, order_id=sale.order_id,
        )
        self._retry_requested = False
        self._revision = 1

    @workflow.query
    def status(self) -> InvoiceState:
        return self._state

    @workflow.signal
    def retry_now(self, actor: str = "support") -> None:
        """Resume a parked invoice (after a configuration or certificate fix) without waiting."""
        self._retry_requested = True
        self._state.history.append(StatusChange(status=self._state.status, at=workflow.now(),
                                                actor=actor, note="retry requested"))

    @workflow.run
    async def run(self, inp: IssueInvoiceInput) -> IssueInvoiceResult:
        await self._move(InvoiceStatus.RECEIVED, inp.requested_by, "sale received")
        await self._until_done("validate", self._validate)
        numbering = await self._until_done("number", self._number)
        authorization, authorized_document = await self._until_done(
            "authorize", lambda: self._authorize(numbering))
        documents = self._state.documents
        documents["pdf"] = await self._until_done("render", lambda: self._render(authorized_document,
                                                                                  authorization))
        await self._move(InvoiceStatus.RENDERED, "worker", "RIDE rendered")
        await self._until_done("notify", lambda: self._notify(numbering, documents))
        await self._move(InvoiceStatus.NOTIFIED, "worker", "buyer notified")
        await self._until_done("ledger", lambda: self._post_ledger(numbering, authorization))
        await self._move(InvoiceStatus.COMPLETED, "worker", "booked in the ledger")
        await workflow.wait_condition(workflow.all_handlers_finished)
        return IssueInvoiceResult(state=self._state)

    # --- steps ----------------------------------------------------------------------------------
    async def _validate(self) -> None:
        result = await self._activity(names.VALIDATE, ValidateInput(sale=self._sale), ValidateResult)
        self._state.problems = result.problems  # warnings stay visible
        if errors_only(result.problems):
            raise StepFailed(result.problems)
        self._state.total = result.total

    async def _number(self) -> Numbering:
        numbering = await self._activity(
            names.ALLOCATE_NUMBER, NumberInput(invoice_key=self._state.invoice_key, sale=self._sale), Numbering)
        self._state.numbering = numbering
        workflow.upsert_search_attributes([NUMBER.value_set(numbering.document_number)])
        await self._move(InvoiceStatus.NUMBERED, "worker", f"número {numbering.document_number}")
        return numbering

    async def _authorize(self, numbering: Numbering) -> tuple[Authorization, DocumentRef]:
        """Sign, submit and poll: the cycle repeated under a new revision after a rejection."""
        signed = await self._activity(
            names.BUILD_AND_SIGN,
            SignInput(invoice_key=self._state.invoice_key, sale=self._sale, numbering=numbering,
                      revision=self._revision),
            SignResult)
        self._state.documents["signed_xml"] = signed.document
        await self._move(InvoiceStatus.SIGNED, "worker", f"revision {self._revision}")
        try:
            submitted = await self._activity(
                names.SUBMIT,
                SubmitInput(invoice_key=self._state.invoice_key, access_key=numbering.access_key,
                            document=signed.document),
                SubmitResult, schedule_to_close=self._timings.submit_window)
        except ActivityError as error:
            failure = _failure_from("submit", error)
            if failure.messages:  # DEVUELTA: the SRI did not keep it; a corrected resend reuses the clave
                self._revision += 1
                await self._move(InvoiceStatus.REJECTED, "SRI", _codes(failure.messages))
            raise failure from error
        self._state.attempts["submit"] = submitted.attempt
        await self._move(InvoiceStatus.SUBMITTED, "worker", submitted.outcome)
        polled = await self._activity(
            names.POLL_AUTHORIZATION,
            PollInput(invoice_key=self._state.invoice_key, access_key=numbering.access_key,
                      revision=self._revision),
            PollResult, schedule_to_close=self._timings.authorization_deadline,
            retry=RetryPolicy(initial_interval=self._timings.poll_interval, backoff_coefficient=1.5,
                              maximum_interval=self._timings.poll_max_interval))
        self._state.attempts["poll"] = polled.attempt
        if not polled.authorized or polled.authorization is None or polled.authorized_document is None:
            # NO AUTORIZADO: the next cycle needs a new signature (a fixed certificate or fixed data).
            self._revision += 1
            await self._move(InvoiceStatus.REJECTED, "SRI", _codes(polled.messages))
            raise StepFailed([Problem(field="document", code=f"SRI.{m.identifier}", message=m.message)
                              for m in polled.messages], polled.messages)
        self._state.authorization = polled.authorization
        self._state.authority_messages = polled.messages
        self._state.documents["authorized_xml"] = polled.authorized_document
        await self._move(InvoiceStatus.AUTHORIZED, "SRI", f"autorización {polled.authorization.number}")
        return polled.authorization, polled.authorized_document

    async def _render(self, authorized_document: DocumentRef, authorization: Authorization) -> DocumentRef:
        return await self._activity(
            names.RENDER_PDF,
            RenderInput(invoice_key=self._state.invoice_key, authorized_document=authorized_document,
                        authorization=authorization, revision=self._revision),
            DocumentRef, task_queue=names.PDF_QUEUE, schedule_to_close=self._timings.delivery_window)

    async def _notify(self, numbering: Numbering, documents: dict[str, DocumentRef]) -> None:
        total = self._state.total
        assert total is not None  # set by a successful validation
        mail = await self._activity(
            names.SEND_EMAIL,
            NotifyInput(invoice_key=self._state.invoice_key, sale=self._sale, numbering=numbering, total=total,
                        pdf=documents["pdf"], authorized_document=documents["authorized_xml"]),
            NotifyResult, schedule_to_close=self._timings.delivery_window)
        self._state.email_message_id = mail.message_id
        payload = {"invoice_key": self._state.invoice_key, "order_id": self._sale.order_id,
                   "status": InvoiceStatus.AUTHORIZED.value, "document_number": numbering.document_number,
                   "access_key": numbering.access_key, "total": str(total)}
        await self._activity(
            names.SEND_WEBHOOK,
            WebhookInput(invoice_key=self._state.invoice_key, event="invoice.authorized", payload=payload),
            WebhookResult, schedule_to_close=self._timings.delivery_window)

    async def _post_ledger(self, numbering: Numbering, authorization: Authorization) -> None:
        total = self._state.total
        assert total is not None
        await self._activity(
            names.POST_LEDGER,
            LedgerInput(invoice_key=self._state.invoice_key, sale=self._sale, numbering=numbering,
                        authorization=authorization, total=total, documents=self._state.documents),
            LedgerResult, schedule_to_close=self._timings.delivery_window)

    # --- machinery ------------------------------------------------------------------------------
    async def _until_done(self, step: str, run_step: Callable[[], Awaitable[T]]) -> T:
        """Run a step; when it fails for good, park in NEEDS_FIX and run it again once support acts."""
        while True:
            self._state.step = step
            try:
                return await run_step()
            except StepFailed as failure:
                await self._park(step, failure)
            except ActivityError as error:
                await self._park(step, _failure_from(step, error))

    async def _park(self, step: str, failure: StepFailed) -> None:
        self._state.problems = failure.problems
        self._state.authority_messages = failure.messages
        await self._move(InvoiceStatus.NEEDS_FIX, "worker", f"{step}: {failure}")
        self._retry_requested = False
        await workflow.wait_condition(lambda: self._retry_requested)
        self._state.problems = []

    async def _activity(
        self, name: str, arg: Any, result_type: type[T], *, task_queue: str | None = None,
        schedule_to_close: timedelta | None = None, retry: RetryPolicy | None = None,
    ) -> T:
        timings = self._timings
        result: T = await workflow.execute_activity(
            name, arg, result_type=result_type, task_queue=task_queue,
            start_to_close_timeout=timings.step_timeout,
            schedule_to_close_timeout=schedule_to_close or timings.delivery_window,
            retry_policy=retry or RetryPolicy(initial_interval=timings.retry_initial,
                                              maximum_interval=timings.retry_max),
            summary=name,
        )
        return result

    async def _move(self, status: InvoiceStatus, actor: str, note: str) -> None:
        """Record a status change everywhere operators look: query, search attribute, UI, audit trail."""
        change = StatusChange(status=status, at=workflow.now(), actor=actor, note=note)
        self._state.status = status
        self._state.history.append(change)
        workflow.upsert_search_attributes([STATUS.value_set(status.value)])
        workflow.set_current_details(f"**{status.value}** — {note}")
        await workflow.execute_local_activity(
            names.RECORD_TRANSITION,
            TransitionInput(invoice_key=self._state.invoice_key, country=self._state.country,
                            issuer_id=self._state.issuer_id, order_id=self._state.order_id,
                            sequence=len(self._state.history), status=status.value, actor=actor,
                            note=note[:500], at=change.at),
            result_type=bool, start_to_close_timeout=timedelta(seconds=10),
        )


def _codes(messages: list[AuthorityMessage]) -> str:
    return ", ".join(f"{m.identifier} {m.message}" for m in messages) or "no messages"


def _failure_from(step: str, error: ActivityError) -> StepFailed:
    cause = error.cause
    if isinstance(cause, ApplicationError):
        details = list(cause.details) if cause.details else []
        if cause.type == errors.INVALID_INVOICE and details:
            return StepFailed([Problem.model_validate(p) for p in details[0]])
        if cause.type == errors.REJECTED and details:
            messages = [AuthorityMessage.model_validate(m) for m in details[0]]
            return StepFailed([Problem(field="document", code=f"SRI.{m.identifier}",
                                       message=f"{m.message} {m.additional_info or ''}".strip())
                               for m in messages], messages)
        return StepFailed([Problem(field=step, code=cause.type or "ERROR", message=cause.message)])
    return StepFailed([Problem(field=step, code="TIMEOUT",
                               message=f"{step} did not succeed within its time budget: {cause}")])
