"""Reads the SRI's <autorizacion> artefact back: the comprobante it carries in CDATA."""

from lxml import etree


def comprobante_from_authorization(authorization_xml: bytes) -> bytes:
    root = etree.fromstring(authorization_xml, etree.XMLParser(resolve_entities=False, no_network=True))
    text = root.findtext("comprobante")
    if not text:
        raise ValueError("the authorization carries no comprobante")
    return text.encode("utf-8")
