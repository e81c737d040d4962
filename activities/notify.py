"""Step 7: tell the buyer (e-mail with PDF + XML) and the backend (signed webhook); raise alerts.

The Message-ID is derived from the invoice key and the purpose, and the send log is checked before
sending, so a retried activity does not mail the buyer twice.
"""

import smtplib

import structlog
from temporalio import activity

from activities.errors import to_application_error, translate_errors
from adapters.countries import CountryRegistry
from adapters.documents import FolderDocumentStore
from adapters.ledger.books import Books
from adapters.mail.invoice_email import InvoiceEmail, compose
from adapters.mail.smtp import SmtpMailer
from adapters.webhooks import WebhookNotifier
from domain import names
from domain.errors import DeliveryFailed
from domain.steps import AlertInput, NotifyInput, NotifyResult, WebhookInput, WebhookResult

log = structlog.get_logger(__name__)
MESSAGE_DOMAIN = "comprobante.invalid"


def message_id(invoice_key: str, purpose: str) -> str:
    return f"<{invoice_key}.{purpose}@{MESSAGE_DOMAIN}>"


class NotifyActivities:
    def __init__(self, countries: CountryRegistry, store: FolderDocumentStore, books: Books, mailer: SmtpMailer,
                 webhook: WebhookNotifier | None) -> None:
        self._countries = countries
        self._store = store
        self._books = books
        self._mailer = mailer
        self._webhook = webhook

    @activity.defn(name=names.SEND_EMAIL)
    @translate_errors
    def send_email(self, inp: NotifyInput) -> NotifyResult:
        recipient = inp.recipient_override or inp.sale.buyer_email
        if not recipient:
            return NotifyResult(message_id=None, recipient=None, sent_now=False,
                                skipped_reason="the buyer has no e-mail address",
                                webhook_configured=self._webhook is not None)
        mid = message_id(inp.invoice_key, inp.purpose)
        if self._books.mail_sent(mid) is not None:
            return NotifyResult(message_id=mid, recipient=recipient, sent_now=False, skipped_reason="already sent",
                                webhook_configured=self._webhook is not None)
        profile = self._countries.get(inp.sale.country)
        sender_name, sender_address = profile.sender(inp.sale)
        message = compose(InvoiceEmail(
            message_id=mid, sender_name=sender_name, sender_address=sender_address, recipient=recipient,
            buyer_name=inp.sale.buyer_name, kind=inp.kind, document_number=inp.numbering.document_number,
            access_key=inp.numbering.access_key, total=inp.total,
            attachments=profile.attachments(inp.numbering, inp.kind, self._store.get(inp.pdf),
                                            self._store.get(inp.xml)),
            pending_authorization=inp.purpose.startswith("pending"),
        ))
        try:
            self._mailer.send(message, on_accepted=lambda: self._books.record_mail(mid, inp.invoice_key, recipient))
        except (OSError, smtplib.SMTPException) as exc:
            if self._books.mail_sent(mid) is None:
                raise DeliveryFailed(f"mail server refused the message: {exc}") from exc
            # Accepted and recorded; only the goodbye failed. The message is out.
        log.info("notify.mailed", invoice_key=inp.invoice_key, message_id=mid, purpose=inp.purpose)
        return NotifyResult(message_id=mid, recipient=recipient, sent_now=True,
                            webhook_configured=self._webhook is not None)

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

    @activity.defn(name=names.RAISE_ALERT)
    async def raise_alert(self, inp: AlertInput) -> bool:
        """An operator alert: a log event always, and a webhook when one is configured."""
        log.warning("invoice.alert", invoice_key=inp.invoice_key, alert=inp.kind, detail=inp.message)
        if self._webhook is None:
            return False
        delivery_id = f"{inp.invoice_key}.alert.{inp.kind}"
        if not self._books.webhook_delivered(delivery_id):
            try:
                status = await self._webhook.deliver(delivery_id, f"invoice.alert.{inp.kind}",
                                                     {"invoice_key": inp.invoice_key, "alert": inp.kind,
                                                      "message": inp.message})
            except DeliveryFailed as exc:
                raise to_application_error(exc) from exc
            self._books.record_webhook(delivery_id, inp.invoice_key, f"alert.{inp.kind}", status)
        return True
