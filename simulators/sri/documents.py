"""Registry of the document types the simulator understands.

Each type says how to recognise it (root element, codDoc, versions), where its XSD lives,
its schema-less structure, and which document-specific checks Autorización runs after the
common ones. New types (or fuller credit-note rules) plug in here without touching the
check pipelines.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from lxml import etree

from simulators.sri import arithmetic, structure
from simulators.sri.messages import Mensaje, error

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
)

NOTA_CREDITO = DocumentType(
    root="notaCredito",
    cod_doc="04",
    info_element="infoNotaCredito",
    xsd_prefix="NotaCredito_V",
    versions=("1.0.0", "1.1.0"),
    structure=structure.NOTA_CREDITO,
    # Credit-note business rules (§5.2: original IVA rate, no consumidor final, cumulative
    # amount) will be added here.
    checks=(_arithmetic(arithmetic.check_nota_credito),),
    id_required=True,
)

BY_ROOT: dict[str, DocumentType] = {doc.root: doc for doc in (FACTURA, NOTA_CREDITO)}
