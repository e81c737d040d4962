"""Registry of the document types the simulator understands.

Each type says how to recognise it (root element, codDoc, versions), where its XSD lives,
its schema-less structure, which document-specific checks Autorización runs after the
common ones, and what the store indexes about it for later documents (``summarize``). New
types (or fuller credit-note rules) plug in here without touching the check pipelines.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from lxml import etree

from simulators.sri import arithmetic, checks_supporting, structure
from simulators.sri.messages import Mensaje, error
from simulators.sri.summary import DocumentSummary, decimal_or_zero

if TYPE_CHECKING:
    from simulators.sri.checks_authorization import DocumentContext

DocumentCheck = Callable[["DocumentContext"], Mensaje | None]

# Tabla 3 of the ficha (reference §6): every codDoc the SRI knows.
KNOWN_COD_DOCS = {
    "01": "factura",
    "03": "liquidación de compra",
    "04": "nota de crédito",
    "05": "nota de débito",
    "06": "guía de remisión",
    "07": "comprobante de retención",
}

# SRI roots the simulator does not model yet: answered with 36 rather than pretending.
UNSUPPORTED_ROOTS = {"liquidacionCompra", "notaDebito", "guiaRemision", "comprobanteRetencion"}


@dataclass(frozen=True, slots=True)
class DocumentType:
    root: str
    cod_doc: str
    info_element: str
    xsd_prefix: str
    versions: tuple[str, ...]
    structure: tuple[structure.Field, ...]
    checks: tuple[DocumentCheck, ...]
    id_required: bool  # factura's XSD makes @id optional, notaCredito's requires it
    total_element: str  # the amount later documents are checked against (DocumentSummary.total)

    def xsd_file(self, version: str) -> str:
        return f"{self.xsd_prefix}{version}.xsd"

    def fecha_emision(self, root: etree._Element) -> str:
        return (root.findtext(f"{self.info_element}/fechaEmision") or "").strip()


def _arithmetic(check: Callable[[etree._Element], str | None]) -> DocumentCheck:
    def run(context: DocumentContext) -> Mensaje | None:
        problem = check(context.root)
        return error("52", problem) if problem else None

    return run


FACTURA = DocumentType(
    root="factura",
    cod_doc="01",
    info_element="infoFactura",
    xsd_prefix="factura_V",
    # All versions the SRI accepts (reference §4.1); the XSD is used when present.
    versions=("1.0.0", "1.1.0", "2.0.0", "2.1.0"),
    structure=structure.FACTURA,
    checks=(_arithmetic(arithmetic.check_factura),),
    id_required=False,
    total_element="importeTotal",
)

NOTA_CREDITO = DocumentType(
    root="notaCredito",
    cod_doc="04",
    info_element="infoNotaCredito",
    xsd_prefix="NotaCredito_V",
    versions=("1.0.0", "1.1.0"),
    structure=structure.NOTA_CREDITO,
    # Ficha §11 step 5 (receiver id, then supporting documents) before step 6 (arithmetic,
    # 52); reference §13. The original-IVA-rate rule (§5.2) is not checked yet.
    checks=(
        checks_supporting.check_receiver,
        checks_supporting.check_modified_document,
        checks_supporting.check_fecha_sustento,
        checks_supporting.check_buyer,
        checks_supporting.check_cumulative_amount,
        _arithmetic(arithmetic.check_nota_credito),
    ),
    id_required=True,
    total_element="valorModificacion",
)

BY_ROOT: dict[str, DocumentType] = {doc.root: doc for doc in (FACTURA, NOTA_CREDITO)}


def parse_document(xml: bytes) -> etree._ElementTree:
    """Parse untrusted bytes: no DTD loading, no entity expansion, no network."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    return etree.ElementTree(etree.fromstring(xml, parser))


def summarize(root: etree._Element) -> DocumentSummary | None:
    """What the store indexes about a document (None for roots the simulator does not know)."""
    doc_type = BY_ROOT.get(str(root.tag))
    if doc_type is None:
        return None

    def text(path: str) -> str:
        return (root.findtext(path) or "").strip()

    def optional(path: str) -> str | None:
        value = root.findtext(path)
        return value.strip() if value is not None else None

    info = doc_type.info_element
    return DocumentSummary(
        clave=text("infoTributaria/claveAcceso"),
        cod_doc=text("infoTributaria/codDoc"),
        ambiente=text("infoTributaria/ambiente"),
        ruc=text("infoTributaria/ruc"),
        num_doc="-".join(text(f"infoTributaria/{name}") for name in ("estab", "ptoEmi", "secuencial")),
        fecha_emision=text(f"{info}/fechaEmision"),
        total=decimal_or_zero(root.findtext(f"{info}/{doc_type.total_element}")),
        buyer_type=text(f"{info}/tipoIdentificacionComprador"),
        buyer_id=text(f"{info}/identificacionComprador"),
        modified_cod_doc=optional(f"{info}/codDocModificado"),
        modified_num_doc=optional(f"{info}/numDocModificado"),
    )


def summarize_xml(xml: bytes) -> DocumentSummary | None:
    try:
        return summarize(parse_document(xml).getroot())
    except etree.XMLSyntaxError:
        return None
