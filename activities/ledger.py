"""Step 8 and compensation: book invoices, receivables, credits and voids; record every transition."""

from temporalio import activity

from activities.errors import translate_errors
from adapters.countries import CountryRegistry
from adapters.ledger.books import Books, TransitionEntry
from adapters.ledger.credits import Credits
from domain import names
from domain.steps import (
    CreditLedgerInput,
    LedgerInput,
    LedgerResult,
    ReserveCreditInput,
    ReserveCreditResult,
    TransitionInput,
    TransitionsInput,
    VoidInput,
)


class LedgerActivities:
    def __init__(self, books: Books, credits: Credits, countries: CountryRegistry) -> None:
        self._books = books
        self._credits = credits
        self._countries = countries

    @activity.defn(name=names.POST_LEDGER)
    @translate_errors
    def post_ledger(self, inp: LedgerInput) -> LedgerResult:
        """Book the invoice and the receivable. Runs at authorization, and earlier for contingency
        invoices, which the buyer already holds and owes."""
        sale, numbering = inp.sale, inp.numbering
        self._books.upsert_invoice(
            inp.invoice_key, country=sale.country, issuer_id=sale.issuer_id, order_id=sale.order_id,
            document_number=numbering.document_number, access_key=numbering.access_key,
            issue_date=numbering.issue_date, buyer_identification=sale.buyer_identification,
            buyer_name=sale.buyer_name, total=inp.total,
            authorization_number=inp.authorization.number if inp.authorization else None,
            authorized_at=inp.authorization.authorized_at if inp.authorization else None,
            signed_xml_key=_key(inp, "signed_xml"), authorized_xml_key=_key(inp, "authorized_xml"),
            pdf_key=_key(inp, "pdf"),
        )
        posted = self._books.post_receivable(
            inp.invoice_key, issuer_id=sale.issuer_id, buyer_identification=sale.buyer_identification,
            buyer_name=sale.buyer_name, amount=inp.total, issue_date=numbering.issue_date,
            due_date=self._countries.get(sale.country).due_date(sale, numbering.issue_date),
        )
        return LedgerResult(receivable_posted_now=posted)

    @activity.defn(name=names.RESERVE_CREDIT)
    @translate_errors
    def reserve_credit(self, inp: ReserveCreditInput) -> ReserveCreditResult:
        reservation = self._credits.reserve(inp.original_key, inp.credit_key, inp.amount)
        return ReserveCreditResult(reserved=reservation.reserved, invoice_total=reservation.invoice_total,
                                   already_credited=reservation.already_credited)

    @activity.defn(name=names.POST_CREDIT)
    @translate_errors
    def post_credit(self, inp: CreditLedgerInput) -> bool:
        self._books.upsert_invoice(
            inp.credit_key, country=inp.sale.country, issuer_id=inp.sale.issuer_id, order_id=inp.sale.order_id,
            document_number=inp.numbering.document_number, access_key=inp.numbering.access_key,
            issue_date=inp.numbering.issue_date, buyer_identification=inp.sale.buyer_identification,
            buyer_name=inp.sale.buyer_name, total=-inp.amount,
            authorization_number=inp.authorization.number, authorized_at=inp.authorization.authorized_at,
            signed_xml_key=_credit_key(inp, "signed_xml"), authorized_xml_key=_credit_key(inp, "authorized_xml"),
            pdf_key=_credit_key(inp, "pdf"),
        )
        return self._credits.post(inp.credit_key, inp.numbering.document_number)

    @activity.defn(name=names.VOID_INVOICE)
    @translate_errors
    def void_invoice(self, inp: VoidInput) -> bool:
        self._credits.void(inp.invoice_key, f"{inp.actor}: {inp.reason}")
        return True

    @activity.defn(name=names.RECORD_TRANSITION)
    def record_transition(self, inp: TransitionInput) -> bool:
        """Runs as a local activity: cheap, idempotent by (invoice, sequence), and it keeps the ledger's
        status column current so operators can query the database too."""
        return self._books.record_transition(inp.invoice_key, inp.sequence, status=inp.status, actor=inp.actor,
                                             note=inp.note, at=inp.at, country=inp.country,
                                             issuer_id=inp.issuer_id, order_id=inp.order_id)

    @activity.defn(name=names.RECORD_TRANSITIONS)
    def record_transitions(self, inp: TransitionsInput) -> int:
        """Runs as a local activity when an invoice comes to rest (waits or ends): the audit entries of the
        steps since the last rest, in one transaction, idempotent by (invoice, sequence)."""
        if not inp.transitions:
            return 0
        first = inp.transitions[0]  # one invoice's transitions (Pipeline.settle)
        return self._books.record_transitions(
            first.invoice_key, [TransitionEntry(t.sequence, t.status, t.actor, t.note, t.at) for t in inp.transitions],
            country=first.country, issuer_id=first.issuer_id, order_id=first.order_id)


def _key(inp: LedgerInput, name: str) -> str | None:
    ref = inp.documents.get(name)
    return ref.key if ref else None


def _credit_key(inp: CreditLedgerInput, name: str) -> str | None:
    ref = inp.documents.get(name)
    return ref.key if ref else None
