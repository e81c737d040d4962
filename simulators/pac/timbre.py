"""Adding the TimbreFiscalDigital 1.1 to a sealed CFDI (reference §2.9, §8.1, §14 "TFD generation").

FechaTimbrado is Mexico central time; SelloCFD copies the Comprobante's Sello; SelloSAT is RSA-SHA256 of
the TFD cadena (the SAT's cadenaoriginal_TFD_1_1.xslt) with the simulator's "SAT" key. The timbre goes
into ``cfdi:Complemento``, created after Impuestos and before any Addenda as the XSD sequence requires.
Nothing the CFDI's cadena covers is touched, so the original Sello still verifies.
"""

from __future__ import annotations

import base64
from datetime import datetime

from lxml import etree

from adapters.mexico.cadena import CadenaBuilder
from adapters.mexico.timbre import TFD_NS, TFD_TAG
from simulators.pac.identity import SatIdentity
from simulators.pac.rules import CFDI

XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
TFD_LOCATION = (
    "http://www.sat.gob.mx/TimbreFiscalDigital "
    "http://www.sat.gob.mx/sitio_internet/cfd/TimbreFiscalDigital/TimbreFiscalDigitalv11.xsd"
)
FECHA_FORMAT = "%Y-%m-%dT%H:%M:%S"


def add_timbre(
    root: etree._Element,
    *,
    identity: SatIdentity,
    cadenas: CadenaBuilder,
    uuid: str,
    fecha_timbrado: datetime,
    rfc_prov_certif: str,
) -> etree._Element:
    """Insert the signed timbre into ``root`` (modified in place) and return the timbre element."""
    complemento = root.find(f"{CFDI}Complemento")
    if complemento is None:
        complemento = etree.Element(f"{CFDI}Complemento")
        addenda = root.find(f"{CFDI}Addenda")
        if addenda is not None:
            addenda.addprevious(complemento)
        else:
            root.append(complemento)
    timbre = etree.SubElement(complemento, TFD_TAG, nsmap={"tfd": TFD_NS, "xsi": XSI_NS})
    timbre.set(f"{{{XSI_NS}}}schemaLocation", TFD_LOCATION)
    for name, value in (
        ("Version", "1.1"),
        ("UUID", uuid),
        ("FechaTimbrado", fecha_timbrado.strftime(FECHA_FORMAT)),
        ("RfcProvCertif", rfc_prov_certif),
        ("SelloCFD", root.get("Sello", "")),
        ("NoCertificadoSAT", identity.number),
        ("SelloSAT", ""),
    ):
        timbre.set(name, value)
    cadena = cadenas.tfd(timbre)
    timbre.set("SelloSAT", base64.b64encode(identity.sign(cadena.encode("utf-8"))).decode("ascii"))
    return timbre
