"""Verification of the XAdES-EPES signature of a DIAN document (reference §5, rules ZE02/ZD0x/ZB01).

DIAN's failures in the field (§13) are exactly what this checks: each reference digest (document with
the enveloped signature removed, KeyInfo and SignedProperties canonicalized *in context*), inclusive
C14N, the SignatureValue, the signing-certificate digest, and the DIAN policy identifier with the
hash that matches its DigestMethod.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from cryptography import x509
from lxml import etree

from simulators.common.xmldsig import digest
from simulators.dian import xmlsig
from simulators.dian.certificates import certificate_problems
from simulators.dian.rules import RuleMessage, rule
from simulators.dian.xmlsig import DIGESTS, SignatureInvalid, b64decode, ds

XADES = "http://uri.etsi.org/01903/v1.3.2#"
EXT = "urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2"
POLICY_URL = "https://facturaelectronica.dian.gov.co/politicadefirma/v2/politicadefirmav2.pdf"
# Digests of the policy PDF per DigestMethod (reference §5.1, [CHK]).
POLICY_HASHES = {
    "http://www.w3.org/2001/04/xmlenc#sha256": "dMoMvtcG5aIzgYo0tIsSQeVJBDnUnfSOfBpxXrmor0Y=",
    "http://www.w3.org/2001/04/xmldsig-more#sha384":
        "EQC0kiWPaAME6IsEZ7WuaTWJ97Zmf6hIO69rMCVURmQxBB9ebgLrjhL5BArQ0a0l",
    "http://www.w3.org/2001/04/xmlenc#sha512":
        "Zcjw1Z9nGQn2j6NyGx8kAaLbOfJGd/fJxRTCeirlqAg7zRG27piJkJOpflGu7XACpMj9hC6dVMcCyzqHxxPZeQ==",
}


def _x(tag: str) -> str:
    return f"{{{XADES}}}{tag}"


@dataclass
class SignatureReport:
    problems: list[RuleMessage] = field(default_factory=list)
    signing_time: datetime | None = None
    certificate: x509.Certificate | None = None


def _located(root: etree._Element) -> etree._Element:
    signatures = root.findall(f".//{ds('Signature')}")
    if not signatures:
        raise SignatureInvalid("el documento no está firmado")
    if len(signatures) > 1:
        raise SignatureInvalid("el documento contiene más de una ds:Signature")
    extensions = root.findall(f"{{{EXT}}}UBLExtensions/{{{EXT}}}UBLExtension")
    holder = signatures[0].getparent()
    parent = holder.getparent() if holder is not None else None
    if parent is None or not extensions or parent is not extensions[min(1, len(extensions) - 1)]:
        raise SignatureInvalid("ds:Signature debe estar en UBLExtension[2]/ExtensionContent")
    return signatures[0]


def verify_document(root: etree._Element, *, trusted: Sequence[x509.Certificate], at: datetime) -> SignatureReport:
    report = SignatureReport()
    try:
        _verify(root, trusted, at, report)
    except SignatureInvalid as exc:
        report.problems.append(rule("ZE02", detail=str(exc)))
    return report


def _verify(root: etree._Element, trusted: Sequence[x509.Certificate], at: datetime, report: SignatureReport) -> None:
    signature = _located(root)
    signed_info = signature.find(ds("SignedInfo"))
    c14n = signed_info.find(ds("CanonicalizationMethod")) if signed_info is not None else None
    if c14n is None or c14n.get("Algorithm") != xmlsig.C14N:
        raise SignatureInvalid("CanonicalizationMethod debe ser C14N inclusivo (REC-xml-c14n-20010315)")
    key_info = signature.find(ds("KeyInfo"))
    blob = key_info.find(f"{ds('X509Data')}/{ds('X509Certificate')}") if key_info is not None else None
    if blob is None:
        report.problems.append(rule("ZD06"))
        return
    der = b64decode(blob.text, "X509Certificate")
    try:
        certificate = x509.load_der_x509_certificate(der)
    except ValueError as exc:
        raise SignatureInvalid(f"el certificado no se puede leer: {exc}") from exc
    report.certificate = certificate
    digest_problems, covered = xmlsig.check_references(root, signature)
    properties = signature.find(f"{ds('Object')}/{_x('QualifyingProperties')}/{_x('SignedProperties')}")
    needed = {"el documento": root, "ds:KeyInfo": key_info, "xades:SignedProperties": properties}
    for name, element in needed.items():
        if element is None or not any(element is target for target in covered):
            digest_problems.append(f"{name} no está firmado por ninguna referencia")
    digest_problems += xmlsig.check_signature_value(signature, certificate.public_key())
    report.problems += [rule("ZE02", detail=text) for text in digest_problems]
    if properties is None:
        return
    report.problems += _check_properties(properties, der, certificate, report)
    moment = report.signing_time or at
    report.problems += [rule(code) for code, _ in certificate_problems(certificate, trusted, moment)]


def _check_properties(
    properties: etree._Element, der: bytes, certificate: x509.Certificate, report: SignatureReport
) -> list[RuleMessage]:
    problems: list[RuleMessage] = []
    signed = properties.find(_x("SignedSignatureProperties"))
    if signed is None:
        return [rule("ZE02", detail="falta xades:SignedSignatureProperties")]
    signing_time = signed.findtext(_x("SigningTime"))
    try:
        report.signing_time = datetime.fromisoformat((signing_time or "").strip())
    except ValueError:
        problems.append(rule("ZE02", detail=f"SigningTime inválido: {signing_time!r}"))
    cert_digest = signed.find(f"{_x('SigningCertificate')}/{_x('Cert')}/{_x('CertDigest')}")
    method = cert_digest.find(ds("DigestMethod")) if cert_digest is not None else None
    algorithm = DIGESTS.get(method.get("Algorithm", "") if method is not None else "")
    if cert_digest is None or algorithm is None or digest(algorithm, der) != b64decode(
        cert_digest.findtext(ds("DigestValue")), "CertDigest"
    ):
        problems.append(rule("ZE02", detail="xades:CertDigest no corresponde al certificado de ds:KeyInfo"))
    serial = signed.findtext(f"{_x('SigningCertificate')}/{_x('Cert')}/{_x('IssuerSerial')}/{ds('X509SerialNumber')}")
    if (serial or "").strip() != str(certificate.serial_number):
        problems.append(rule("ZE02", detail="xades:X509SerialNumber no corresponde al certificado"))
    policy = signed.find(f"{_x('SignaturePolicyIdentifier')}/{_x('SignaturePolicyId')}")
    identifier = policy.findtext(f"{_x('SigPolicyId')}/{_x('Identifier')}") if policy is not None else None
    hash_method = policy.find(f"{_x('SigPolicyHash')}/{ds('DigestMethod')}") if policy is not None else None
    hash_value = policy.findtext(f"{_x('SigPolicyHash')}/{ds('DigestValue')}") if policy is not None else None
    expected = POLICY_HASHES.get(hash_method.get("Algorithm", "") if hash_method is not None else "")
    if (identifier or "").strip() != POLICY_URL or expected is None or (hash_value or "").strip() != expected:
        problems.append(rule("ZE02-POLICY"))
    role = signed.findtext(f"{_x('SignerRole')}/{_x('ClaimedRoles')}/{_x('ClaimedRole')}")
    if (role or "").strip() not in ("supplier", "third party"):
        problems.append(rule("ZB01", detail="ClaimedRole debe ser supplier o third party"))
    return problems
