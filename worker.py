"""Composition root: settings → adapters → country profiles → activity objects → Temporal workers.

Roles let production split work across processes: `invoices` runs the workflows and the I/O steps,
`pdf` runs only rendering (CPU-bound, on its own task queue), `all` runs both in one process for the
demo and development.
"""

import asyncio
import contextlib
import json
import sys
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta

import httpx
import structlog
from cryptography import x509
from temporalio import workflow
from temporalio.client import Client
from temporalio.worker import Worker
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

from activities.authority import AuthorityActivities
from activities.cancellation import CancellationActivities
from activities.health import AuthorityHealthView, HealthActivities
from activities.ledger import LedgerActivities
from activities.notify import NotifyActivities
from activities.prepare import PrepareActivities
from activities.render import RenderActivities
from activities.sign import SignActivities
from adapters.certificates.signing_keys import SigningKeys
from adapters.countries import CountryProfile, CountryRegistry
from adapters.documents import FolderDocumentStore
from adapters.ecuador.profile import EcuadorProfile
from adapters.ecuador.sri_client import SriClient
from adapters.issuers import IssuerRegistry
from adapters.ledger.books import Books
from adapters.ledger.credits import Credits
from adapters.ledger.database import make_engine
from adapters.ledger.numbering import NumberAllocator
from adapters.mail.smtp import SmtpMailer, SmtpSettings
from adapters.printing import print_document
from adapters.service import connect, run_service
from adapters.settings import Settings
from adapters.webhooks import WebhookNotifier
from domain import names
from domain.health import HealthSettings
from workflows.authority_health import AuthorityHealthWorkflow
from workflows.cancel_cfdi import CancelCfdiWorkflow
from workflows.credit_note import CreditNoteWorkflow
from workflows.issue_invoice import IssueInvoiceWorkflow
from workflows.resend import ResendWorkflow

log = structlog.get_logger(__name__)
WORKFLOWS = [IssueInvoiceWorkflow, CreditNoteWorkflow, AuthorityHealthWorkflow, ResendWorkflow, CancelCfdiWorkflow]
INVOICE_WORKFLOWS = [w for w in WORKFLOWS if w is not AuthorityHealthWorkflow]


def sandbox_runner() -> SandboxedWorkflowRunner:
    """The sandbox every worker uses. Importing an I/O library from workflow code fails worker start-up,
    which keeps workflows deterministic by construction rather than by review."""
    return SandboxedWorkflowRunner(
        restrictions=SandboxRestrictions.default.with_passthrough_modules("domain", "stdnum")
        .with_import_notification_policy(
            workflow.SandboxImportNotificationPolicy.WARN_ON_DYNAMIC_IMPORT
            | workflow.SandboxImportNotificationPolicy.RAISE_ON_UNINTENTIONAL_PASSTHROUGH
        )
    )


@dataclass
class Adapters:
    countries: CountryRegistry
    store: FolderDocumentStore
    books: Books
    credits: Credits
    http: httpx.AsyncClient


def _countries(settings: Settings, allocator: NumberAllocator, http: httpx.AsyncClient) -> CountryRegistry:
    keys = SigningKeys()
    ecuador = EcuadorProfile(IssuerRegistry.from_file(settings.issuers_file), allocator, keys,
                             sri=SriClient(http, settings.sri_url), schemas=settings.schemas)
    profiles: list[CountryProfile] = [ecuador]
    if settings.dian_issuers_file is not None:
        from adapters.colombia.issuer import load_dian_issuers
        from adapters.colombia.profile import ColombiaProfile

        profiles.append(ColombiaProfile(load_dian_issuers(settings.dian_issuers_file), allocator, keys, http=http,
                                        dian_url=settings.dian_url, schemas=settings.schemas))
    if settings.mexico_issuers_file is not None:
        profiles.append(_mexico(settings, allocator, http))
    return CountryRegistry(profiles)


def _mexico(settings: Settings, allocator: NumberAllocator, http: httpx.AsyncClient) -> CountryProfile:
    from adapters.mexico.issuer import load_mexico_issuers
    from adapters.mexico.pac_client import SoapPacClient
    from adapters.mexico.profile import MexicoProfile

    assert settings.mexico_issuers_file is not None
    pacs = {name: SoapPacClient(http, account.url, account.username, account.password, name=name)
            for name, account in settings.pacs.items()}
    sat = [x509.load_der_x509_certificate(p.read_bytes()) if p.suffix == ".cer"
           else x509.load_pem_x509_certificate(p.read_bytes()) for p in settings.sat_certificates]
    return MexicoProfile(load_mexico_issuers(settings.mexico_issuers_file), allocator, pacs,  # type: ignore[arg-type]
                         schemas=settings.schemas, sat_certificates=sat)


@contextlib.asynccontextmanager
async def open_adapters(settings: Settings) -> AsyncIterator[Adapters]:
    engine = make_engine(settings.ledger_url)
    # One pooled client for every authority call; its timeout stays below the activity timeout so a
    # hung connection surfaces as a retryable error, not an activity timeout.
    http = httpx.AsyncClient(timeout=httpx.Timeout(settings.sri_timeout_seconds),
                             limits=httpx.Limits(max_connections=50))
    try:
        yield Adapters(countries=_countries(settings, NumberAllocator(engine), http),
                       store=FolderDocumentStore(settings.documents_path), books=Books(engine),
                       credits=Credits(engine), http=http)
    finally:
        await http.aclose()
        engine.dispose()


def build_workers(client: Client, settings: Settings, adapters: Adapters,
                  executor: ThreadPoolExecutor) -> list[Worker]:
    workers = []
    if settings.worker_role in ("all", "invoices"):
        workers.append(_invoice_worker(client, settings, adapters, executor))
        workers.append(_health_worker(client, adapters))
    if settings.worker_role in ("all", "pdf"):
        workers.append(_pdf_worker(client, settings, adapters, executor))
    return workers


def _invoice_worker(client: Client, settings: Settings, a: Adapters, executor: ThreadPoolExecutor) -> Worker:
    webhook = (WebhookNotifier(a.http, settings.webhook_url, settings.webhook_secret or "")
               if settings.webhook_url else None)
    mailer = SmtpMailer(SmtpSettings(host=settings.smtp_host, port=settings.smtp_port,
                                     starttls=settings.smtp_starttls, username=settings.smtp_username,
                                     password=settings.smtp_password))
    prepare = PrepareActivities(a.countries, a.store)
    sign = SignActivities(a.countries, a.store)
    health_view = AuthorityHealthView(client, settings.health_cache_seconds)
    authority = AuthorityActivities(a.countries, a.store, health_view.status)
    notify = NotifyActivities(a.countries, a.store, a.books, mailer, webhook)
    ledger = LedgerActivities(a.books, a.credits, a.countries)
    cancellation = CancellationActivities(a.countries, a.store)
    health = HealthActivities(client, health_settings(settings), health_view)
    return Worker(
        client, task_queue=names.INVOICE_QUEUE, workflows=INVOICE_WORKFLOWS,
        activities=[prepare.validate, prepare.allocate, prepare.prepare, sign.build_and_sign, authority.submit,
                    authority.transmit, authority.poll_authorization, authority.probe_authority, notify.send_email,
                    notify.send_webhook, notify.raise_alert, ledger.post_ledger, ledger.reserve_credit,
                    ledger.post_credit, ledger.void_invoice, ledger.record_transition, ledger.record_transitions,
                    health.authority_status,
                    health.report_outage, cancellation.cancel_at_authority, cancellation.cancellation_status],
        activity_executor=executor, max_concurrent_activities=settings.max_concurrent_activities,
        max_cached_workflows=settings.max_cached_workflows, workflow_runner=sandbox_runner(),
    )


def health_settings(settings: Settings) -> HealthSettings:
    alert_after = settings.outage_alert_after_seconds
    return HealthSettings(probe_interval=timedelta(seconds=settings.probe_interval_seconds),
                          drain_per_second=settings.drain_per_second,
                          outage_alert_after=timedelta(seconds=alert_after) if alert_after is not None else None)


def _health_worker(client: Client, a: Adapters) -> Worker:
    """The authority-health workflows and their probes, on slots of their own (see names.HEALTH_QUEUE)."""
    authority = AuthorityActivities(a.countries, a.store)
    return Worker(client, task_queue=names.HEALTH_QUEUE, workflows=[AuthorityHealthWorkflow],
                  activities=[authority.probe_authority], workflow_runner=sandbox_runner())


def _pdf_worker(client: Client, settings: Settings, a: Adapters, executor: ThreadPoolExecutor) -> Worker:
    render = RenderActivities(print_document, a.store)
    return Worker(client, task_queue=names.PDF_QUEUE, activities=[render.render_pdf],
                  activity_executor=executor, max_concurrent_activities=settings.pdf_concurrency)


@contextlib.asynccontextmanager
async def running_workers(client: Client, settings: Settings) -> AsyncIterator[None]:
    """Run the workers of this process's role until the context exits."""
    with ThreadPoolExecutor(max_workers=settings.max_concurrent_activities + settings.pdf_concurrency) as pool:
        async with open_adapters(settings) as adapters:
            workers = build_workers(client, settings, adapters, pool)
            async with contextlib.AsyncExitStack() as stack:
                for w in workers:
                    await stack.enter_async_context(w)
                log.info("worker.started", role=settings.worker_role, task_queues=[w.task_queue for w in workers])
                yield


async def serve(settings: Settings, *, announce: bool = False) -> None:
    client = await connect(settings)
    async with running_workers(client, settings):
        if announce:
            # One JSON line on stdout when polling has started, so a supervisor (or a test) knows.
            sys.stdout.write(json.dumps({"event": "worker.ready", "role": settings.worker_role}) + "\n")
            sys.stdout.flush()
        await asyncio.Event().wait()


def main() -> None:
    run_service("worker", lambda settings: serve(settings, announce=True))


if __name__ == "__main__":
    main()
