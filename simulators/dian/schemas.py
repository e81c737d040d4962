"""Schema check (ZB01) against the official UBL 2.1 maindoc XSDs when a vectors folder is configured.

DIAN validates the document against UBL 2.1; ExtensionContent is lax, so DianExtensions is left to the
content rules (the 2018 DIAN_UBL_Structures.xsd contradicts accepted documents, reference §2.3).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from pathlib import Path
from typing import cast

from lxml import etree

from simulators.dian.document import CREDIT_NOTE_NS, INVOICE_NS

FILES = {INVOICE_NS: "UBL-Invoice-2.1.xsd", CREDIT_NOTE_NS: "UBL-CreditNote-2.1.xsd"}


class SchemaSet:
    def __init__(self, vectors: Path | None) -> None:
        self.directory = vectors / "colombia" / "xsd-ubl21-dian" / "maindoc" if vectors else None
        self._schemas: dict[str, etree.XMLSchema] = {}
        self._lock = threading.Lock()  # XMLSchema objects are not safe to share across threads

    def missing(self) -> list[str]:
        if self.directory is None:
            return []
        return [str(self.directory / name) for name in FILES.values() if not (self.directory / name).is_file()]

    def errors(self, root: etree._Element) -> list[str]:
        if self.directory is None:
            return []
        namespace = etree.QName(root).namespace or ""
        if namespace not in FILES:
            return [f"elemento raíz no soportado: {root.tag}"]
        with self._lock:
            schema = self._schemas.get(namespace)
            if schema is None:
                parser = etree.XMLParser(no_network=True, resolve_entities=False)
                schema = etree.XMLSchema(etree.parse(str(self.directory / FILES[namespace]), parser))
                self._schemas[namespace] = schema
            if schema.validate(root):
                return []
            entries = cast(Iterable[etree._LogEntry], schema.error_log)
            return [f"línea {e.line}: {e.message}" for e in entries][:5]
