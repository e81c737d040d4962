"""Reading and verifying the PAC's TimbreFiscalDigital 1.1 (reference §2.9, §8.1, §8.2).

The stamped XML is the legal document; the timbre inside ``cfdi:Complemento`` gives it its UUID (the
folio fiscal). Verification recomputes the TFD cadena with the SAT's stylesheet and checks SelloSAT with
the certificate whose number is NoCertificadoSAT, taken from a caller-supplied trust list: the SAT's
certificates in production (downloadable by number from rdc.sat.gob.mx), the PAC simulator's in tests.
It also checks SelloCFD against the Comprobante's Sello, so a timbre cannot be moved to another CFDI.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote

from cryptography import x509
from lxml import etree

from adapters.mexico.cadena import CadenaBuilder, default_cadenas
from adapters.mexico.csd import certificate_number, verify_signature
from adapters.mexico.sealing import CFDI_NS, FECHA_FORMAT, parse_cfdi

TFD_NS = "http://www.sat.gob.mx/TimbreFiscalDigital"
TFD_TAG = f"{{{TFD_NS}}}TimbreFiscalDigital"
VERIFICA_CFDI = "https://verificacfdi.facturaelectronica.sat.gob.mx/default.aspx"


class TimbreMissing(ValueError):
    """The document carries no TimbreFiscalDigital: it has not been stamped."""


@dataclass(frozen=True)
class Timbre:
    version: str
    uuid: str
    fecha_timbrado: datetime  # naive, Mexico central time (reference §2.9)
    rfc_prov_certif: str
    sello_cfd: str
    no_certificado_sat: str
    sello_sat: str
    leyenda: str | None


def find_timbre(root: etree._Element) -> etree._Element | None:
    return root.find(f"{{{CFDI_NS}}}Complemento/{TFD_TAG}")


def read_timbre(document: bytes | etree._Element) -> Timbre:
    root = parse_cfdi(document) if isinstance(document, bytes) else document
    node = find_timbre(root)
    if node is None:
        raise TimbreMissing("the CFDI has no TimbreFiscalDigital (not stamped)")
    return Timbre(
        version=node.get("Version", ""),
        uuid=node.get("UUID", "").upper(),
        fecha_timbrado=datetime.strptime(node.get("FechaTimbrado", ""), FECHA_FORMAT),
        rfc_prov_certif=node.get("RfcProvCertif", ""),
        sello_cfd=node.get("SelloCFD", ""),
        no_certificado_sat=node.get("NoCertificadoSAT", ""),
        sello_sat=node.get("SelloSAT", ""),
        leyenda=node.get("Leyenda"),
    )


def stamped_uuid(xml: bytes) -> str:
    """The folio fiscal (UUID, upper case) of a stamped CFDI."""
    return read_timbre(xml).uuid


def timbre_problems(
    document: bytes | etree._Element,
    sat_certificates: Iterable[x509.Certificate],
    *,
    cadenas: CadenaBuilder | None = None,
) -> list[str]:
    """Why the timbre cannot be trusted; an empty list means it verified."""
    root = parse_cfdi(document) if isinstance(document, bytes) else document
    node = find_timbre(root)
    if node is None:
        return ["the CFDI has no TimbreFiscalDigital"]
    problems = []
    if node.get("Version") != "1.1":
        problems.append(f"TimbreFiscalDigital version {node.get('Version')!r} is not 1.1")
    if node.get("SelloCFD") != root.get("Sello"):
        problems.append("SelloCFD differs from the Comprobante's Sello: the timbre belongs to another document")
    number = node.get("NoCertificadoSAT", "")
    certificate = next((c for c in sat_certificates if certificate_number(c) == number), None)
    if certificate is None:
        return [*problems, f"no trusted SAT certificate with number {number!r}"]
    try:
        signature = base64.b64decode(node.get("SelloSAT", ""), validate=True)
    except (binascii.Error, ValueError):
        return [*problems, "SelloSAT is not base64"]
    cadena = (cadenas or default_cadenas()).tfd(node)
    if not verify_signature(certificate, signature, cadena.encode("utf-8")):
        problems.append("SelloSAT does not verify over the timbre's cadena original")
    return problems


def verify_timbre(
    document: bytes | etree._Element,
    sat_certificates: Iterable[x509.Certificate],
    *,
    cadenas: CadenaBuilder | None = None,
) -> bool:
    return not timbre_problems(document, sat_certificates, cadenas=cadenas)


def timbre_cadena(document: bytes | etree._Element, *, cadenas: CadenaBuilder | None = None) -> str:
    """The "cadena original del complemento de certificación digital del SAT" printed on the PDF."""
    root = parse_cfdi(document) if isinstance(document, bytes) else document
    node = find_timbre(root)
    if node is None:
        raise TimbreMissing("the CFDI has no TimbreFiscalDigital (not stamped)")
    return (cadenas or default_cadenas()).tfd(node)


def verification_url(document: bytes | etree._Element) -> str:
    """The SAT verification URL of the QR code (reference §8.2): id, re, rr, tt and the sello's last 8."""
    root = parse_cfdi(document) if isinstance(document, bytes) else document
    timbre = read_timbre(root)
    emisor, receptor = root.find(f"{{{CFDI_NS}}}Emisor"), root.find(f"{{{CFDI_NS}}}Receptor")
    query = {
        "id": timbre.uuid,
        "re": emisor.get("Rfc", "") if emisor is not None else "",
        "rr": receptor.get("Rfc", "") if receptor is not None else "",
        "tt": root.get("Total", ""),
        "fe": root.get("Sello", "")[-8:],
    }
    # The SAT's specimen URLs keep '=' and '/' of the sello as they are; '+' (read as a space) and the
    # '&' and 'Ñ' an RFC may contain must be percent-encoded to survive the query string.
    return VERIFICA_CFDI + "?" + "&".join(f"{k}={quote(v, safe='=/')}" for k, v in query.items())
