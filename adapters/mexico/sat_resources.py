"""Where the SAT's XSD and XSLT files are read from: satcfdi's bundled copies or an official folder.

Both hold the SAT's ``www.sat.gob.mx/...`` tree with relative includes, so nothing is ever fetched
from the network at run time (reference §17: remote XSLT includes are a classic outage). Production
uses satcfdi's copies (an installed dependency); tests and the PAC simulator can point at the
official files under ``$COMPROBANTE_SCHEMAS/mexico/sat-xml-resources`` to check our output against them.
"""

from __future__ import annotations

from pathlib import Path

from satcfdi.transform import SCHEMA_ROOT  # type: ignore[import-untyped]

SAT_HOST = "www.sat.gob.mx"
CFD = f"{SAT_HOST}/sitio_internet/cfd"
CFDI_XSD = f"{CFD}/4/cfdv40.xsd"
TFD_XSD = f"{CFD}/TimbreFiscalDigital/TimbreFiscalDigitalv11.xsd"
CFDI_XSLT = f"{CFD}/4/cadenaoriginal_4_0/cadenaoriginal_4_0.xslt"
TFD_XSLT = f"{CFD}/TimbreFiscalDigital/cadenaoriginal_TFD_1_1.xslt"
REQUIRED = (CFDI_XSD, TFD_XSD, CFDI_XSLT, TFD_XSLT)


def bundled_root() -> Path:
    """satcfdi's copy of the SAT tree (inside the installed wheel)."""
    return Path(SCHEMA_ROOT)


def resolve_root(directory: Path | None) -> Path:
    """The folder holding ``www.sat.gob.mx``: ``directory`` itself, its ``mexico/sat-xml-resources``
    (the vectors layout of ``$COMPROBANTE_SCHEMAS``), or satcfdi's copy when ``directory`` is None."""
    if directory is None:
        return bundled_root()
    for candidate in (directory, directory / "mexico" / "sat-xml-resources", directory / "sat-xml-resources"):
        if (candidate / SAT_HOST).is_dir():
            return candidate
    raise FileNotFoundError(f"no {SAT_HOST} folder under {directory}")


def missing_files(root: Path) -> list[str]:
    return [name for name in REQUIRED if not (root / name).is_file()]
