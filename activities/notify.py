"""Step 7: tell the buyer (e-mail with PDF + XML) and the backend (signed webhook).

The Message-ID is derived from the invoice key and the purpose, and the send log is checked before
sending, so a retried activity does not mail the buyer twice.
"""

import smtplib

import structlog
from temporalio import activity

from activities.errors import to_application_error
from adapters.documents import FolderDocumentStore
from adapters.issuers import IssuerRegistry
from adapters.ledger.books import Books
from adapters.mail.invoice_email import InvoiceEmail, compose
from adapters.mail.smtp import SmtpMailer
from adapters.webhooks import WebhookNotifier
from domain import names
from domain.errors import ConfigurationError, DeliveryFailed
from domain.steps import NotifyInput, NotifyResult, WebhookInput, WebhookResult

log = structlog.get_logger(__name__)
MESSAGE_DOMAIN = "comprobante.invalid"


def message_id(invoice_key: str, purpose: str) -> str:
    return f"<{invoice_key}.{purpose}@{MESSAGE_DOMAIN}>"


class NotifyActivities:
    def __init__(self, store: FolderDocumentStore, books: Books, issuers: IssuerRegistry,
                 mailer: SmtpMailer, webhook: WebhookNotifier | None) -> None:
        self._store = store
        self._books = books
        self._issuers = issuers
        self._mailer = mailer
        self._webhook = webhook

    @activity.defn(name=names.SEND_EMAIL)
    def send_email(self, inp: NotifyInput) -> NotifyResult:
        recipient = inp.recipient_override or inp.sale.buyer.email
        if not recipient:
            return NotifyResult(message_id=None, recipient=None, sent_now=False,
                                skipped_reason="the buyer has no e-mail address")
        mid = message_id(inp.invoice_key, inp.purpose)
        if self._books.mail_sent(mid) is not None:
            return NotifyResult(message_id=mid, recipient=recipient, sent_now=False,
                                skipped_reason="already sent")
        issuer = self._issuers.get(inp.sale.issuer.ruc)
        if issuer is None:
            raise to_application_error(ConfigurationError(f"issuer {inp.sale.issuer.ruc} is not configured"))
        message = compose(InvoiceEmail(
            message_id=mid, sender_name=issuer.trade_name or issuer.legal_name,
            sender_address=issuer.email_from, recipient=recipient, buyer_name=inp.sale.buyer.name,
            document_number=inp.numbering.document_number, access_key=inp.numbering.access_key,
            total=inp.total, pdf=self._store.get(inp.pdf), xml=self._store.get(inp.authorized_document),
            pending_authorization=inp.purpose.startswith("pending"),
        ))
        try:
            self._mailer.send(message)
        except (OSError, smtplib.SMTPException) as exc:
            raise to_application_error(DeliveryFailed(f"mail server refused the message: {exc}")) from exc
        self._books.record_mail(mid, inp.invoice_key, recipient)
        log.info("notify.mailed", invoice_key=inp.invoice_key, message_id=mid)
        return NotifyResult(message_id=mid, recipient=recipient, sent_now=True)

    @activity.defn(name=names.SEND_WEBHOOK)
    async def send_webhook(self, inp: WebhookInput) -> WebhookResult:
        if self._webhook is None:
            return WebhookResult(delivered=False)
        delivery_id = f"{inp.invoice_key}.{inp.event}"
        if self._books.webhook_delivered(delivery_id):
            return WebhookResult(delivered=True)
        try:
            status = await self._webhook.deliver(delivery_id, inp.event, inp.payload)
        except DeliveryFailed as exc:
            raise to_application_error(exc) from exc
        self._books.record_webhook(delivery_id, inp.invoice_key, inp.event, status)
        return WebhookResult(delivered=True, status_code=status)
