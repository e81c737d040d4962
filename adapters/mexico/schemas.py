"""XSD validation of CFDI 4.0 (cfdv40 + catCFDI + tdCFDI) with the TimbreFiscalDigital 1.1 schema.

cfdv40.xsd admits any element inside Complemento but with strict processing, so a stamped CFDI only
validates when the TFD schema is loaded too: both are imported into one small wrapper schema.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import cast

from lxml import etree

from adapters.mexico.sat_resources import CFDI_XSD, TFD_XSD, resolve_root

XS = "http://www.w3.org/2001/XMLSchema"
CFDI_NS = "http://www.sat.gob.mx/cfd/4"
TFD_NS = "http://www.sat.gob.mx/TimbreFiscalDigital"


class CfdiSchema:
    def __init__(self, directory: Path | None = None) -> None:
        root = resolve_root(directory)
        wrapper = etree.Element(f"{{{XS}}}schema", nsmap={"xs": XS})
        for namespace, location in ((CFDI_NS, root / CFDI_XSD), (TFD_NS, root / TFD_XSD)):
            etree.SubElement(wrapper, f"{{{XS}}}import", namespace=namespace, schemaLocation=location.as_uri())
        self.root = root
        self._schema = etree.XMLSchema(etree.ElementTree(wrapper))
        self._lock = threading.Lock()  # the schema's error log is per object

    def errors(self, document: etree._Element | bytes) -> list[str]:
        """XSD errors as ``line N: message``; empty when the document is valid."""
        if isinstance(document, bytes):
            document = etree.fromstring(document, etree.XMLParser(no_network=True, resolve_entities=False))
        with self._lock:
            if self._schema.validate(document):
                return []
            entries = cast(Iterable[etree._LogEntry], self._schema.error_log)
            return [f"line {e.line}: {e.message}" for e in entries]


@cache
def default_schema() -> CfdiSchema:
    """Over satcfdi's bundled copies (compiling catCFDI.xsd takes a fraction of a second, once)."""
    return CfdiSchema()
