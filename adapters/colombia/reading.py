"""Reads back what the profile needs from Colombian documents: the key, the QR text, the invoice type,
and the signed invoice inside an AttachedDocument."""

from lxml import etree

CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
STS = "dian:gov:co:facturaelectronica:Structures-2-1"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


def _root(xml: bytes) -> etree._Element:
    return etree.fromstring(xml, _PARSER)


def document_key(signed: bytes) -> str | None:
    """The CUFE or CUDE (cbc:UUID) of a signed invoice or credit note."""
    return _root(signed).findtext(f"{{{CBC}}}UUID")


def qr_text(signed: bytes) -> str:
    return _root(signed).findtext(f".//{{{STS}}}QRCode") or ""


def is_contingency(signed: bytes) -> bool:
    """Type 04: issued while DIAN was unavailable (reference §10)."""
    return _root(signed).findtext(f"{{{CBC}}}InvoiceTypeCode") == "04"


def is_credit_note(signed: bytes) -> bool:
    return etree.QName(_root(signed)).localname == "CreditNote"


def signed_document_of(attached: bytes) -> bytes:
    """The signed invoice an AttachedDocument carries in CDATA (cac:Attachment/…/cbc:Description)."""
    root = _root(attached)
    description = root.find(f"{{{CAC}}}Attachment/{{{CAC}}}ExternalReference/{{{CBC}}}Description")
    if description is None or not description.text:
        raise ValueError("the AttachedDocument carries no signed document")
    return description.text.encode("utf-8")
