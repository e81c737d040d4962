"""Cadenas originales: the exact strings the sello (CFDI) and the SelloSAT (timbre) sign.

Computed by the SAT's own stylesheets (``cadenaoriginal_4_0.xslt`` and ``cadenaoriginal_TFD_1_1.xslt``,
reference §7.2 and §8.1) through lxml/libxslt: they declare XSLT 2.0 but use only XPath 1.0. This is
satcfdi's approach too (``CFDI.cadena_original``), but we compile the files ourselves so the same code
can run over the official files (tests, simulator) and so the transform runs with every file and
network access denied — the includes are resolved once, at compile time, from local copies.
"""

from __future__ import annotations

import copy
import threading
from functools import cache
from pathlib import Path

from lxml import etree

from adapters.mexico.sat_resources import CFDI_XSLT, TFD_XSLT, resolve_root

_PARSER = etree.XMLParser(no_network=True, resolve_entities=False)
# No file or network access while transforming (lxml-stubs lack this constant).
_DENY_ALL = etree.XSLTAccessControl.DENY_ALL  # type: ignore[attr-defined]


class CadenaBuilder:
    """Compiled SAT stylesheets from one resources folder (None: satcfdi's bundled copies)."""

    def __init__(self, directory: Path | None = None) -> None:
        root = resolve_root(directory)
        self.root = root
        self._cfdi = _compile(root / CFDI_XSLT)
        self._tfd = _compile(root / TFD_XSLT)
        # libxslt transforms keep per-call state in the XSLT object; one call at a time is cheap (~1 ms).
        self._lock = threading.Lock()

    def cfdi(self, comprobante: etree._Element) -> str:
        """``||4.0|Serie|…||`` for a cfdi:Comprobante (the timbre inside Complemento adds nothing)."""
        return self._apply(self._cfdi, comprobante)

    def tfd(self, timbre: etree._Element) -> str:
        """``||1.1|UUID|FechaTimbrado|RfcProvCertif|[Leyenda|]SelloCFD|NoCertificadoSAT||``."""
        return self._apply(self._tfd, timbre)

    def _apply(self, transform: etree.XSLT, element: etree._Element) -> str:
        # The stylesheets match from the document root, so the element must be the root of its tree.
        if element.getparent() is not None:
            element = copy.deepcopy(element)
        with self._lock:
            return str(transform(etree.ElementTree(element)))


@cache
def default_cadenas() -> CadenaBuilder:
    """Process-wide builder over satcfdi's bundled stylesheets (compiled once, ~0.1 s)."""
    return CadenaBuilder()


def cadena_original(comprobante: etree._Element) -> str:
    return default_cadenas().cfdi(comprobante)


def tfd_cadena(timbre: etree._Element) -> str:
    return default_cadenas().tfd(timbre)


def _compile(path: Path) -> etree.XSLT:
    return etree.XSLT(etree.parse(str(path), _PARSER), access_control=_DENY_ALL)
