"""SOAP plumbing the simulators share: a hardened parser, request errors, SOAP 1.1 envelopes and faults.

What each authority puts inside the envelope (operations, answers, fault texts, prefixes) stays
in its own ``soap`` module; this is only the frame around it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Self
from xml.sax.saxutils import escape

from lxml import etree

SOAP11_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
TEXT_XML = "text/xml; charset=utf-8"  # SOAP 1.1's content type (SOAP 1.2 uses application/soap+xml)


def xml_parser() -> etree.XMLParser:
    # Requests come from the network: no entity expansion, DTDs or network access (XXE, billion
    # laughs). huge_tree because a comprobante embedded as base64 can exceed libxml2's text limits.
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=True)


class SoapRequestError(Exception):
    """The request cannot be processed as a SOAP call: answered with a SOAP Fault.

    Subclasses set ``default_code`` to the fault code in their service's envelope prefix.
    """

    default_code: ClassVar[str] = "Client"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.code = self.default_code if code is None else code


@dataclass(frozen=True, slots=True)
class Operation:
    """The operation element of a SOAP Body (its wrapper element, document/literal style)."""

    namespace: str
    name: str
    element: etree._Element

    @classmethod
    def of(cls, element: etree._Element) -> Self:
        qname = etree.QName(element)
        return cls(namespace=qname.namespace or "", name=qname.localname, element=element)


def soap11_operation(
    body: bytes, error: type[SoapRequestError], *, without_body: str = "SOAP envelope without Body"
) -> etree._Element:
    """The first element of a SOAP 1.1 Body; ``error`` (with these JAX-WS-like texts) otherwise.

    ``without_body`` is the text for an envelope with no Body at all: the SRI's stack names it,
    a PAC reports it as an empty Body.
    """
    try:
        envelope = etree.fromstring(body, xml_parser())
    except etree.XMLSyntaxError as exc:
        raise error(f"Unmarshalling Error: {exc.msg}") from exc
    if envelope.tag != f"{{{SOAP11_ENV}}}Envelope":
        raise error(f"Not a SOAP 1.1 envelope: root element {envelope.tag}")
    body_element = envelope.find(f"{{{SOAP11_ENV}}}Body")
    if body_element is None:
        raise error(without_body)
    operations = [child for child in body_element if isinstance(child.tag, str)]
    if not operations:
        raise error("SOAP Body without an operation element")
    return operations[0]


@dataclass(frozen=True, slots=True)
class Soap11Envelope:
    """SOAP 1.1 answers written with one envelope prefix (``soap:``, ``senv:``), as the real stack does.

    Clients that (wrongly but commonly) match on prefixes then behave as they will in production.
    """

    prefix: str

    @property
    def head(self) -> str:
        p = self.prefix
        return f'<?xml version="1.0" encoding="UTF-8"?><{p}:Envelope xmlns:{p}="{SOAP11_ENV}"><{p}:Body>'

    @property
    def tail(self) -> str:
        return f"</{self.prefix}:Body></{self.prefix}:Envelope>"

    def fault(self, message: str, code: str | None = None) -> bytes:
        """A SOAP 1.1 Fault; the code defaults to ``<prefix>:Server``."""
        p = self.prefix
        code = f"{p}:Server" if code is None else code
        return (
            f"{self.head}<{p}:Fault><faultcode>{escape(code)}</faultcode>"
            f"<faultstring>{escape(message)}</faultstring></{p}:Fault>{self.tail}"
        ).encode()
