"""Sealing a CFDI (Anexo 20, reference §7.1) and checking a sello.

1. NoCertificado is written *before* the cadena is computed: the cadena includes it.
2. cadena = the SAT's cadenaoriginal_4_0.xslt applied to the XML (UTF-8).
3. Sello = base64(RSA PKCS#1 v1.5 / SHA-256 over the cadena) with the CSD key.
4. Certificado = base64 of the DER certificate (outside the cadena, like Sello).

Before signing we refuse what a PAC would reject for the certificate itself (reference §4.6): a CSD of
another RFC (303) or a Fecha outside the CSD's validity (305). Both are configuration problems.
"""

from __future__ import annotations

import base64
import binascii
from datetime import datetime

from cryptography import x509
from lxml import etree

from adapters.mexico.cadena import CadenaBuilder, default_cadenas
from adapters.mexico.csd import Csd, verify_signature
from domain.errors import ConfigurationError
from domain.mexico.timezones import aware_fecha

CFDI_NS = "http://www.sat.gob.mx/cfd/4"
FECHA_FORMAT = "%Y-%m-%dT%H:%M:%S"
PARSER = etree.XMLParser(no_network=True, resolve_entities=False, huge_tree=False)


def parse_cfdi(xml: bytes) -> etree._Element:
    root = etree.fromstring(xml, PARSER)
    if root.tag != f"{{{CFDI_NS}}}Comprobante":
        raise ValueError(f"not a CFDI 4.0 Comprobante: {root.tag}")
    return root


def fecha_of(root: etree._Element) -> datetime:
    """The document's Fecha as an aware datetime in its LugarExpedicion's zone."""
    fecha = datetime.strptime(root.get("Fecha", ""), FECHA_FORMAT)
    return aware_fecha(fecha, root.get("LugarExpedicion", ""))


def seal_cfdi(xml: bytes, csd: Csd, *, cadenas: CadenaBuilder | None = None) -> bytes:
    """Set NoCertificado, Sello and Certificado; the rest of the document is left untouched."""
    root = parse_cfdi(xml)
    emisor = root.find(f"{{{CFDI_NS}}}Emisor")
    rfc = emisor.get("Rfc") if emisor is not None else None
    if csd.rfc != rfc:
        raise ConfigurationError(f"the CSD belongs to {csd.rfc}, not to the issuer {rfc} (a PAC answers 303)")
    fecha = fecha_of(root)
    if not csd.valid_at(fecha):
        raise ConfigurationError(
            f"Fecha {root.get('Fecha')} is outside the CSD's validity {csd.certificate.not_valid_before_utc:%Y-%m-%d}"
            f"–{csd.certificate.not_valid_after_utc:%Y-%m-%d} (a PAC answers 305): renew the CSD"
        )
    root.set("NoCertificado", csd.certificate_number)
    cadena = (cadenas or default_cadenas()).cfdi(root)
    root.set("Sello", base64.b64encode(csd.sign(cadena.encode("utf-8"))).decode("ascii"))
    root.set("Certificado", csd.certificate_base64)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def embedded_certificate(root: etree._Element) -> x509.Certificate | None:
    """The certificate in the Certificado attribute, or None when it is missing or not a certificate."""
    try:
        return x509.load_der_x509_certificate(base64.b64decode(root.get("Certificado", ""), validate=True))
    except (binascii.Error, ValueError):
        return None


def verify_sello(document: bytes | etree._Element, *, cadenas: CadenaBuilder | None = None) -> bool:
    """Does Sello verify, with the embedded Certificado, over the cadena recomputed from the XML?"""
    root = parse_cfdi(document) if isinstance(document, bytes) else document
    certificate = embedded_certificate(root)
    if certificate is None:
        return False
    try:
        signature = base64.b64decode(root.get("Sello", ""), validate=True)
    except (binascii.Error, ValueError):
        return False
    cadena = (cadenas or default_cadenas()).cfdi(root)
    return verify_signature(certificate, signature, cadena.encode("utf-8"))
