"""Recepción checks that need no state (ficha §11 step 1; reference §13, §18).

The SRI answers Recepción synchronously and only with structural verdicts; everything
cryptographic or legal waits for Autorización (§13: "RECIBIDA ≠ valid"). Order, first
failure wins: size (26) → well-formed/XSD (35) → schema version (36) → codDoc (47) → clave
de acceso format and check digit (35). Uniqueness (43/45/70) needs the store and is checked
by the service afterwards.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree

from simulators.sri import access_key, structure
from simulators.sri.documents import BY_ROOT, KNOWN_COD_DOCS, UNSUPPORTED_ROOTS, DocumentType, parse_document, summarize
from simulators.sri.messages import Mensaje, error, structure_error
from simulators.sri.schemas import SchemaSet

MAX_BYTES = 320 * 1024  # ficha: comprobante ≤ 320 KB → 26 (reference §2)
_CLAVE_IN_BYTES = re.compile(rb"<claveAcceso>\s*([0-9]{1,60})\s*</claveAcceso>")


@dataclass(frozen=True, slots=True)
class ReceivedDocument:
    """A document that passed the stateless checks."""

    clave: str
    ruc: str
    cod_doc: str
    estab: str
    pto_emi: str
    secuencial: str
    ambiente: str
    version: str
    doc_type: DocumentType
    # Secuencial scope of the document this one modifies (numDocModificado), if any: the
    # service decides that document first when both are due (cross-document checks).
    refers_to: str | None = None

    @property
    def sequence_key(self) -> str:
        """Uniqueness scope of a secuencial (error 45, reference §8.3)."""
        return f"{self.ruc}|{self.cod_doc}|{self.estab}|{self.pto_emi}|{self.secuencial}"


@dataclass(frozen=True, slots=True)
class ReceptionCheck:
    clave: str  # best effort, echoed in DEVUELTA answers
    document: ReceivedDocument | None
    error: Mensaje | None


def guess_clave(xml: bytes) -> str:
    found = _CLAVE_IN_BYTES.search(xml)
    return found.group(1).decode("ascii") if found else ""


def _reject(xml: bytes, mensaje: Mensaje, clave: str | None = None) -> ReceptionCheck:
    return ReceptionCheck(clave if clave is not None else guess_clave(xml), None, mensaje)


def check_reception(xml: bytes, schemas: SchemaSet) -> ReceptionCheck:  # noqa: PLR0911 - one exit per SRI check
    if len(xml) > MAX_BYTES:
        return _reject(xml, error("26", f"El comprobante tiene {len(xml)} bytes; el máximo es {MAX_BYTES} bytes"))
    try:
        # The ficha requires UTF-8 (reference §2); the authorized CDATA echoes these bytes.
        xml.decode("utf-8")
    except UnicodeDecodeError as exc:
        return _reject(xml, structure_error(f"Invalid byte sequence for UTF-8 at position {exc.start}"))
    try:
        tree = parse_document(xml)
    except etree.XMLSyntaxError as exc:
        return _reject(xml, structure_error(f"El archivo XML está mal estructurado: {exc.msg}"))
    root = tree.getroot()

    root_name = str(root.tag)
    doc_type = BY_ROOT.get(root_name)
    version = root.get("version")
    if doc_type is None:
        detail = (
            f"El simulador no soporta comprobantes '{root_name}'"
            if root_name in UNSUPPORTED_ROOTS
            else f"No existe un esquema para el elemento raíz '{root_name}'"
        )
        return _reject(xml, error("36", detail))
    if version not in doc_type.versions:
        return _reject(
            xml,
            error(
                "36",
                f"La versión '{version or ''}' del comprobante {root_name} no es válida; "
                f"versiones vigentes: {', '.join(doc_type.versions)}",
            ),
        )

    problem = _validate(tree, doc_type, version, schemas)
    if problem:
        return _reject(xml, structure_error(problem))

    info = root.find("infoTributaria")
    assert info is not None  # guaranteed by the schema / structure check

    def field(name: str) -> str:
        return (info.findtext(name) or "").strip()

    clave = field("claveAcceso")
    cod_doc = field("codDoc")
    if cod_doc not in KNOWN_COD_DOCS:
        return _reject(xml, error("47", f"El tipo de comprobante {cod_doc} no existe"), clave)
    if cod_doc != doc_type.cod_doc:
        return _reject(
            xml,
            error(
                "47",
                f"El codDoc {cod_doc} ({KNOWN_COD_DOCS[cod_doc]}) no corresponde a un comprobante {root_name}",
            ),
            clave,
        )
    malformed = access_key.malformation(clave)
    if malformed:
        # The clave is a document field: a malformed one is a structure error (ficha §11).
        return _reject(xml, structure_error(malformed), clave)
    summary = summarize(root)
    document = ReceivedDocument(
        clave=clave,
        ruc=field("ruc"),
        cod_doc=cod_doc,
        estab=field("estab"),
        pto_emi=field("ptoEmi"),
        secuencial=field("secuencial"),
        ambiente=field("ambiente"),
        version=version,
        doc_type=doc_type,
        refers_to=summary.modified_sequence_key if summary else None,
    )
    return ReceptionCheck(clave, document, None)


def _validate(tree: etree._ElementTree, doc_type: DocumentType, version: str, schemas: SchemaSet) -> str | None:
    filename = doc_type.xsd_file(version)
    if schemas.available(filename):
        return schemas.validate(filename, tree)
    root = tree.getroot()
    identifier = root.get("id")
    if identifier is None and doc_type.id_required:
        return f"cvc-complex-type.4: Attribute 'id' must appear on element '{doc_type.root}'."
    if identifier is not None and identifier != "comprobante":
        # The XSDs fix the root id to "comprobante" (reference §1.4, §10.4: lowercase "id").
        return (
            f"cvc-enumeration-valid: Value '{identifier}' is not facet-valid with respect to "
            f"enumeration '[comprobante]'. It must be a value from the enumeration."
        )
    return structure.check_sequence(root, doc_type.structure)
