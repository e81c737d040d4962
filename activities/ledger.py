"""Step 8 and the audit trail: book the authorized invoice and its receivable, record every transition."""

from datetime import timedelta

from temporalio import activity

from adapters.ledger.books import Books
from domain import names
from domain.ecuador.totals import compute_totals
from domain.steps import LedgerInput, LedgerResult, TransitionInput


class LedgerActivities:
    def __init__(self, books: Books) -> None:
        self._books = books

    @activity.defn(name=names.POST_LEDGER)
    def post_ledger(self, inp: LedgerInput) -> LedgerResult:
        sale, numbering = inp.sale, inp.numbering
        totals = compute_totals(sale)
        self._books.upsert_invoice(
            inp.invoice_key, country=sale.country, issuer_id=sale.issuer.ruc, order_id=sale.order_id,
            document_number=numbering.document_number,
            access_key=numbering.access_key, issue_date=numbering.issue_date,
            buyer_identification=sale.buyer.identification, buyer_name=sale.buyer.name,
            subtotal=totals.subtotal, tax=totals.iva, total=inp.total,
            authorization_number=inp.authorization.number, authorized_at=inp.authorization.authorized_at,
            signed_xml_key=_key(inp, "signed_xml"), authorized_xml_key=_key(inp, "authorized_xml"),
            pdf_key=_key(inp, "pdf"),
        )
        # The receivable falls due after the longest payment term stated in days (plazo/unidadTiempo).
        days = max((p.term or 0 for p in sale.payments if (p.time_unit or "dias").lower().startswith("d")),
                   default=0)
        posted = self._books.post_receivable(
            inp.invoice_key, issuer_id=sale.issuer.ruc, buyer_identification=sale.buyer.identification,
            buyer_name=sale.buyer.name, amount=inp.total, issue_date=numbering.issue_date,
            due_date=numbering.issue_date + timedelta(days=days),
        )
        return LedgerResult(receivable_posted_now=posted)

    @activity.defn(name=names.RECORD_TRANSITION)
    def record_transition(self, inp: TransitionInput) -> bool:
        """Runs as a local activity: cheap, idempotent by (invoice, sequence), and it keeps the ledger's
        status column current so operators can query the database too."""
        recorded = self._books.audit(inp.invoice_key, inp.sequence, status=inp.status, actor=inp.actor,
                                     note=inp.note, at=inp.at)
        if self._books.invoice(inp.invoice_key) is None:
            self._books.upsert_invoice(inp.invoice_key, country=inp.country, issuer_id=inp.issuer_id,
                                       order_id=inp.order_id, status=inp.status)
        else:
            self._books.upsert_invoice(inp.invoice_key, status=inp.status)
        return recorded


def _key(inp: LedgerInput, name: str) -> str | None:
    ref = inp.documents.get(name)
    return ref.key if ref else None
