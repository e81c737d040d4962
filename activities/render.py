"""Step 6: the RIDE PDF, rendered from the authorized XML (never from the database), stored once."""

import structlog
from temporalio import activity

from adapters.documents import FolderDocumentStore
from adapters.ecuador.authorized_document import comprobante_from_authorization
from adapters.ecuador.ride_context import ride_context_from_xml
from adapters.pdf.ride import RideRenderer
from domain import names
from domain.documents import DocumentRef
from domain.steps import RenderInput

log = structlog.get_logger(__name__)


def pdf_key(invoice_key: str, revision: int, pending: bool) -> str:
    return f"{invoice_key}/factura-r{revision}{'-pendiente' if pending else ''}.pdf"


class RenderActivities:
    def __init__(self, store: FolderDocumentStore, renderer: RideRenderer) -> None:
        self._store = store
        self._renderer = renderer

    @activity.defn(name=names.RENDER_PDF)
    def render_pdf(self, inp: RenderInput) -> DocumentRef:
        pending = inp.authorization is None
        key = pdf_key(inp.invoice_key, inp.revision, pending)
        stored = self._store.find(key, "application/pdf")
        if stored is not None:
            return stored
        source = self._store.get(inp.authorized_document)
        comprobante = source if pending else comprobante_from_authorization(source)
        pdf = self._renderer.render(
            ride_context_from_xml(comprobante),
            authorization_number=None if pending else inp.authorization.number,  # type: ignore[union-attr]
            authorized_at=None if pending else inp.authorization.authorized_at,  # type: ignore[union-attr]
            pending_authorization=pending,
        )
        ref = self._store.put_once(key, pdf, "application/pdf")
        log.info("render.done", invoice_key=inp.invoice_key, size=ref.size)
        return ref
