"""WS-Security check of an incoming SOAP 1.2 request (reference §6.4).

The certificate in wsse:BinarySecurityToken is the caller's identity: the ds:Signature in the
Security header must cover wsa:To (exclusive C14N, RSA-SHA256) and verify with that certificate, the
Timestamp must not have expired, and the certificate must chain to the trust store and be valid now.
Anything wrong here is what DIAN answers with a bare SOAP fault and HTTP 500 (§6.4 [PROD]).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from cryptography import x509
from lxml import etree

from simulators.dian import xmlsig
from simulators.dian.certificates import certificate_problems
from simulators.dian.xmlsig import SignatureInvalid, ds

WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
WSU = xmlsig.WSU
WSA = "http://www.w3.org/2005/08/addressing"
SOAP12 = "http://www.w3.org/2003/05/soap-envelope"
_CLOCK_SKEW = timedelta(minutes=5)


class SecurityFault(Exception):
    """The request's security header is missing or does not verify."""


def _parse_time(text: str | None, what: str) -> datetime:
    try:
        return datetime.fromisoformat((text or "").strip().replace("Z", "+00:00"))
    except ValueError as exc:
        raise SecurityFault(f"wsu:{what} inválido") from exc


def verify_request(
    envelope: etree._Element, *, action: str, trusted: Sequence[x509.Certificate], now: datetime
) -> x509.Certificate:
    """The verified caller certificate, or :class:`SecurityFault`."""
    header = envelope.find(f"{{{SOAP12}}}Header")
    security = header.find(f"{{{WSSE}}}Security") if header is not None else None
    if header is None or security is None:
        raise SecurityFault("falta wsse:Security en el encabezado SOAP")
    timestamp = security.find(f"{{{WSU}}}Timestamp")
    if timestamp is None:
        raise SecurityFault("falta wsu:Timestamp")
    created = _parse_time(timestamp.findtext(f"{{{WSU}}}Created"), "Created")
    expires = _parse_time(timestamp.findtext(f"{{{WSU}}}Expires"), "Expires")
    if expires < now - _CLOCK_SKEW or created > now + _CLOCK_SKEW:
        raise SecurityFault("wsu:Timestamp vencido o en el futuro")
    declared_action = (header.findtext(f"{{{WSA}}}Action") or "").strip()
    if declared_action != action:
        raise SecurityFault(f"wsa:Action {declared_action!r} no corresponde a la operación")
    to = header.find(f"{{{WSA}}}To")
    if to is None:
        raise SecurityFault("falta wsa:To")
    signature = security.find(ds("Signature"))
    if signature is None:
        raise SecurityFault("falta ds:Signature en wsse:Security")
    certificate = _token_certificate(security, signature)
    try:
        problems, covered = xmlsig.check_references(envelope, signature)
        problems += xmlsig.check_signature_value(signature, certificate.public_key())
    except SignatureInvalid as exc:
        raise SecurityFault(str(exc)) from exc
    if not any(to is target for target in covered):
        problems.append("la firma no cubre wsa:To")
    if problems:
        raise SecurityFault("; ".join(problems))
    bad = certificate_problems(certificate, trusted, now)
    if bad:
        raise SecurityFault("; ".join(text for _, text in bad))
    return certificate


def _token_certificate(security: etree._Element, signature: etree._Element) -> x509.Certificate:
    reference = signature.find(f"{ds('KeyInfo')}/{{{WSSE}}}SecurityTokenReference/{{{WSSE}}}Reference")
    uri = reference.get("URI", "") if reference is not None else ""
    token = next((t for t in security.findall(f"{{{WSSE}}}BinarySecurityToken")
                  if f"#{t.get(f'{{{WSU}}}Id')}" == uri), None)
    if token is None:
        raise SecurityFault("ds:KeyInfo no referencia un wsse:BinarySecurityToken del encabezado")
    try:
        return x509.load_der_x509_certificate(xmlsig.b64decode(token.text, "BinarySecurityToken"))
    except (ValueError, SignatureInvalid) as exc:
        raise SecurityFault(f"certificado ilegible en BinarySecurityToken: {exc}") from exc
