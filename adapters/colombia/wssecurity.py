"""SOAP 1.2 request envelopes with WS-Security for WcfDianCustomerServices (reference §6.1, §6.4).

The caller is authenticated by its certificate only: wsse:BinarySecurityToken carries it, and a
ds:Signature (exclusive C14N with the InclusiveNamespaces lists DIAN-accepted clients send, RSA-SHA256)
covers wsa:To and the wsu:Timestamp; the body is not signed. python-xmlsec computes the digests and the
signature value over a complete template, as for the document signature.
"""

from __future__ import annotations

import base64
import uuid
from datetime import UTC, datetime, timedelta

import xmlsec
from lxml import etree

from adapters.certificates.pkcs12 import SigningIdentity

SOAP = "http://www.w3.org/2003/05/soap-envelope"
WCF = "http://wcf.dian.colombia"
WSA = "http://www.w3.org/2005/08/addressing"
WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
WSU = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
DS = "http://www.w3.org/2000/09/xmldsig#"
EXC_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#"
ACTION_BASE = "http://wcf.dian.colombia/IWcfDianCustomerServices/"
_X509 = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3"
_BASE64 = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary"
# Lifetimes of 60 s and 60000 s are both accepted (reference §6.4); a minute covers clock skew.
TIMESTAMP_LIFETIME = timedelta(seconds=60)


def _sub(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    element = etree.SubElement(parent, tag, attrs)
    element.text = text
    return element


def soap_request(
    operation: str,
    arguments: list[tuple[str, str]],
    *,
    url: str,
    identity: SigningIdentity,
    now: datetime,
) -> bytes:
    """The signed envelope for ``operation`` with ``arguments`` (wcf-qualified, in order)."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    suffix = uuid.uuid4().hex.upper()
    envelope = etree.Element(f"{{{SOAP}}}Envelope", nsmap={"soap": SOAP, "wcf": WCF})
    header = etree.SubElement(envelope, f"{{{SOAP}}}Header", nsmap={"wsa": WSA})
    security = _sub(header, f"{{{WSSE}}}Security")
    security.set(f"{{{SOAP}}}mustUnderstand", "true")
    timestamp = _sub(security, f"{{{WSU}}}Timestamp", **{f"{{{WSU}}}Id": f"TS-{suffix}"})
    _sub(timestamp, f"{{{WSU}}}Created", _zulu(now))
    _sub(timestamp, f"{{{WSU}}}Expires", _zulu(now + TIMESTAMP_LIFETIME))
    token = _sub(security, f"{{{WSSE}}}BinarySecurityToken", base64.b64encode(identity.certificate_der).decode(),
                 EncodingType=_BASE64, ValueType=_X509, **{f"{{{WSU}}}Id": f"X509-{suffix}"})
    signature = _signature_template(security, suffix)
    _sub(header, f"{{{WSA}}}Action", ACTION_BASE + operation)
    to = _sub(header, f"{{{WSA}}}To", url, **{f"{{{WSU}}}Id": f"id-{suffix}"})
    body = _sub(envelope, f"{{{SOAP}}}Body")
    call = _sub(body, f"{{{WCF}}}{operation}")
    for name, value in arguments:
        _sub(call, f"{{{WCF}}}{name}", value)
    ctx = xmlsec.SignatureContext()
    for element in (timestamp, to, token):
        ctx.register_id(element, "Id", WSU)
    ctx.key = xmlsec.Key.from_memory(identity.private_key_pem(), xmlsec.constants.KeyDataFormatPem)
    ctx.sign(signature)
    return etree.tostring(envelope, xml_declaration=False, encoding="UTF-8")


def _zulu(moment: datetime) -> str:
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def _signature_template(security: etree._Element, suffix: str) -> etree._Element:
    signature = _sub(security, f"{{{DS}}}Signature", Id=f"SIG-{suffix}")
    signed_info = _sub(signature, f"{{{DS}}}SignedInfo")
    c14n = _sub(signed_info, f"{{{DS}}}CanonicalizationMethod", Algorithm=EXC_C14N)
    _inclusive(c14n, "wsa soap wcf")
    _sub(signed_info, f"{{{DS}}}SignatureMethod", Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256")
    for target, prefixes in ((f"TS-{suffix}", "wsse wsa soap wcf"), (f"id-{suffix}", "soap wcf")):
        reference = _sub(signed_info, f"{{{DS}}}Reference", URI=f"#{target}")
        transform = _sub(_sub(reference, f"{{{DS}}}Transforms"), f"{{{DS}}}Transform", Algorithm=EXC_C14N)
        _inclusive(transform, prefixes)
        _sub(reference, f"{{{DS}}}DigestMethod", Algorithm="http://www.w3.org/2001/04/xmlenc#sha256")
        _sub(reference, f"{{{DS}}}DigestValue")
    _sub(signature, f"{{{DS}}}SignatureValue")
    key_info = _sub(signature, f"{{{DS}}}KeyInfo", Id=f"KI-{suffix}")
    token_reference = _sub(key_info, f"{{{WSSE}}}SecurityTokenReference", **{f"{{{WSU}}}Id": f"STR-{suffix}"})
    _sub(token_reference, f"{{{WSSE}}}Reference", URI=f"#X509-{suffix}", ValueType=_X509)
    return signature


def _inclusive(parent: etree._Element, prefixes: str) -> None:
    etree.SubElement(parent, f"{{{EXC_C14N}}}InclusiveNamespaces", {"PrefixList": prefixes}, nsmap={"ec": EXC_C14N})
