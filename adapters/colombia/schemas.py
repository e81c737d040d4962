"""Optional validation against the official UBL 2.1 + DIAN schemas, read from COMPROBANTE_SCHEMAS.

The maindoc XSDs accept anything inside ext:ExtensionContent *laxly*: an element is validated only if
some schema in the set declares it. ds:Signature and the XAdES properties are declared (UBL imports
them); sts:DianExtensions is not. ``dian_structures=True`` adds DIAN_UBL_Structures.xsd to the set so
its element order is checked too, but that 2018 schema restricts ``ProviderID/@schemeID`` to id types
while every DIAN-accepted document puts the DV there and the type in ``@schemeName`` (reference §2.3,
PROD): DIAN itself does not apply it, and callers must expect exactly those two attribute errors.
"""

from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import cast

from lxml import etree

from adapters.colombia.namespaces import APPLICATION_RESPONSE, ATTACHED_DOCUMENT, CREDIT_NOTE, INVOICE, STS

SCHEMA_FILES = {
    INVOICE: "UBL-Invoice-2.1.xsd",
    CREDIT_NOTE: "UBL-CreditNote-2.1.xsd",
    APPLICATION_RESPONSE: "UBL-ApplicationResponse-2.1.xsd",
    ATTACHED_DOCUMENT: "UBL-AttachedDocument-2.1.xsd",
}


def maindoc_dir(vectors: Path) -> Path:
    return vectors / "colombia" / "xsd-ubl21-dian" / "maindoc"


@cache
def _schema(folder: str, namespace: str, dian_structures: bool) -> etree.XMLSchema:
    maindoc = maindoc_dir(Path(folder)).resolve()
    structures = (
        f'<xsd:import namespace="{STS}" schemaLocation="{(maindoc / "DIAN_UBL_Structures.xsd").as_uri()}"/>'
        if dian_structures
        else ""
    )
    wrapper = (
        '<xsd:schema xmlns:xsd="http://www.w3.org/2001/XMLSchema">'
        f'<xsd:import namespace="{namespace}" schemaLocation="{(maindoc / SCHEMA_FILES[namespace]).as_uri()}"/>'
        f"{structures}</xsd:schema>"
    )
    # no_network: every import is a local file; nothing may be fetched.
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    return etree.XMLSchema(etree.fromstring(wrapper.encode(), parser, base_url=(maindoc / "wrapper.xsd").as_uri()))


def schema_errors(xml: bytes, vectors: Path | None, *, dian_structures: bool = False) -> list[str]:
    """XSD errors of a DIAN document; empty when valid or when no schema folder is configured."""
    if vectors is None:
        return []
    root = etree.fromstring(xml, etree.XMLParser(resolve_entities=False, no_network=True))
    namespace = etree.QName(root).namespace
    if namespace not in SCHEMA_FILES:
        return [f"unknown document root {root.tag}"]
    schema = _schema(str(vectors), namespace, dian_structures)
    if schema.validate(root):
        return []
    entries = cast(Iterable[etree._LogEntry], schema.error_log)
    return [f"line {e.line}: {e.message}" for e in entries]
