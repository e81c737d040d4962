"""Optional validation against the SRI's official XSDs, read from COMPROBANTE_SCHEMAS.

The schemas are the SRI's published files and are not redistributed with the product; when the folder
is configured, every document is checked locally before signing so that a builder bug surfaces as a
clear error here instead of an SRI error 35.
"""

from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import cast

from lxml import etree

SCHEMA_FILES = {"factura": "factura_V1.1.0.xsd", "notaCredito": "NotaCredito_V1.1.0.xsd"}


@cache
def _schema(folder: str, root_tag: str) -> etree.XMLSchema:
    path = Path(folder) / "ecuador" / "xsd" / SCHEMA_FILES[root_tag]
    # no_network: the official XSDs import xmldsig by a URL; the file beside them is used instead.
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    return etree.XMLSchema(etree.parse(str(path), parser))


def schema_errors(xml: bytes, schemas_folder: Path | None) -> list[str]:
    """XSD errors of a document; empty when valid or when no schema folder is configured."""
    if schemas_folder is None:
        return []
    root = etree.fromstring(xml)
    schema = _schema(str(schemas_folder), root.tag)
    if schema.validate(root):
        return []
    # lxml-stubs does not declare the error log iterable, though it is.
    entries = cast(Iterable[etree._LogEntry], schema.error_log)
    return [f"line {e.line}: {e.message}" for e in entries]
