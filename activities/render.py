"""Step 6: the PDF, rendered from the authorized document (or the signed one, marked pending, while the
authority is unreachable), stored once."""

from collections.abc import Callable

import structlog
from temporalio import activity

from activities.errors import translate_errors
from adapters.documents import FolderDocumentStore
from domain import names
from domain.documents import DocumentRef
from domain.invoice import Authorization, DocumentKind
from domain.steps import RenderInput

# adapters.printing.print_document: country, document, authorization (None while pending), kind → PDF.
PrintDocument = Callable[[str, bytes, Authorization | None, DocumentKind], bytes]

log = structlog.get_logger(__name__)


def pdf_key(inp: RenderInput) -> str:
    pending = "-pending" if inp.authorization is None else ""
    return f"{inp.invoice_key}/{inp.kind}-r{inp.revision}{pending}.pdf"


class RenderActivities:
    def __init__(self, print_document: PrintDocument, store: FolderDocumentStore) -> None:
        self._print = print_document
        self._store = store

    @activity.defn(name=names.RENDER_PDF)
    @translate_errors
    def render_pdf(self, inp: RenderInput) -> DocumentRef:
        key = pdf_key(inp)
        stored = self._store.find(key, "application/pdf")
        if stored is not None:
            return stored
        pdf = self._print(inp.country, self._store.get(inp.document), inp.authorization, inp.kind)
        ref = self._store.put_once(key, pdf, "application/pdf")
        log.info("render.done", invoice_key=inp.invoice_key, size=ref.size)
        return ref
