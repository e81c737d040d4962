"""XAdES-EPES signature of DIAN UBL documents (Política de firma v2; reference §5).

As for Ecuador (:mod:`adapters.ecuador.xades`), the whole ``ds:Signature`` — KeyInfo content and
XAdES SignedProperties included — is built here as a template, and python-xmlsec only computes the
three digests and the RSA value: KeyInfo is itself a signed reference, so it must be final before
digesting (reference §5.3). The signature goes into the EMPTY ExtensionContent of the second
UBLExtension (policy: ``UBLExtension[2]``). C14N is inclusive and in document context, so the
namespaces declared on the root are part of every digest: the bytes returned are serialized once and
must be stored and sent exactly as they are (§5.3 step 2). The result is verified before returning.
"""

from __future__ import annotations

import base64
import hashlib
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

import structlog
import xmlsec
from cryptography.hazmat.primitives import serialization
from lxml import etree

from adapters.certificates.pkcs12 import SigningIdentity
from adapters.colombia.namespaces import CBC, DS, EXT, XADES
from adapters.colombia.ubl_parts import local_time

__all__ = ["POLICY_URL", "SigningError", "sign_ubl"]

_log = structlog.get_logger(__name__)

_C14N = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"  # inclusive, NOT exclusive (§5.1)
_ENVELOPED = "http://www.w3.org/2000/09/xmldsig#enveloped-signature"
_SIGNED_PROPERTIES_TYPE = "http://uri.etsi.org/01903#SignedProperties"
POLICY_URL = "https://facturaelectronica.dian.gov.co/politicadefirma/v2/politicadefirmav2.pdf"
_POLICY_DESCRIPTION = "Política de firma para facturas electrónicas de la República de Colombia."

Algorithm = Literal["sha256", "sha384", "sha512"]


@dataclass(frozen=True)
class _Algorithms:
    signature_uri: str
    digest_uri: str
    hash_name: str
    # Digest of the policy PDF with the SAME algorithm as its DigestMethod (reference §5.1, [CHK]).
    policy_hash: str


_ALGORITHMS: dict[str, _Algorithms] = {
    "sha256": _Algorithms(
        "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256", "http://www.w3.org/2001/04/xmlenc#sha256",
        "sha256", "dMoMvtcG5aIzgYo0tIsSQeVJBDnUnfSOfBpxXrmor0Y=",
    ),
    "sha384": _Algorithms(
        "http://www.w3.org/2001/04/xmldsig-more#rsa-sha384", "http://www.w3.org/2001/04/xmldsig-more#sha384",
        "sha384", "EQC0kiWPaAME6IsEZ7WuaTWJ97Zmf6hIO69rMCVURmQxBB9ebgLrjhL5BArQ0a0l",
    ),
    "sha512": _Algorithms(
        "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512", "http://www.w3.org/2001/04/xmlenc#sha512",
        "sha512", "Zcjw1Z9nGQn2j6NyGx8kAaLbOfJGd/fJxRTCeirlqAg7zRG27piJkJOpflGu7XACpMj9hC6dVMcCyzqHxxPZeQ==",
    ),
}


class SigningError(Exception):
    """The document could not be signed, or the result did not verify."""


def _ds(tag: str) -> str:
    return f"{{{DS}}}{tag}"


def _xades(tag: str) -> str:
    return f"{{{XADES}}}{tag}"


def _sub(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    element = etree.SubElement(parent, tag, attrs)
    element.text = text
    return element


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def sign_ubl(
    xml: bytes,
    identity: SigningIdentity,
    *,
    signing_time: datetime,
    algorithm: Algorithm = "sha256",
    role: Literal["supplier", "third party"] = "supplier",
    signature_id: str | None = None,
) -> bytes:
    """Return the signed document (UTF-8 bytes, to be stored and sent as they are).

    ``signing_time`` must fall on the document's IssueDate in Bogotá (FAD09e/CAD09e); ``role`` is
    ``third party`` when a proveedor tecnológico signs. ``signature_id`` fixes the Id values (tests).
    """
    algorithms = _ALGORITHMS[algorithm]
    root = _parse(xml)
    _check_issue_date(root, signing_time)
    container = _signature_container(root)
    ids = signature_id or f"xmldsig-{uuid.uuid4()}"
    signature = _template(
        container, ids=ids, identity=identity, algorithms=algorithms, signing_time=signing_time, role=role
    )
    _compute(root, signature, identity)
    signed = b'<?xml version="1.0" encoding="UTF-8"?>' + etree.tostring(root, encoding="UTF-8")
    _verify(signed, identity)
    _log.info("ubl_signed", signature_id=ids, algorithm=algorithm, certificate_serial=str(identity.serial_number))
    return signed


def _parse(xml: bytes) -> etree._Element:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, remove_comments=False)
    try:
        root = etree.fromstring(xml, parser)
    except etree.XMLSyntaxError as exc:
        raise SigningError(f"the document is not well-formed XML: {exc}") from exc
    if root.find(f".//{_ds('Signature')}") is not None:
        raise SigningError("the document is already signed")
    return root


def _check_issue_date(root: etree._Element, signing_time: datetime) -> None:
    issue_date = root.findtext(f"{{{CBC}}}IssueDate")
    signed_on = local_time(signing_time).date().isoformat()
    if issue_date != signed_on:
        raise SigningError(
            f"IssueDate {issue_date} differs from the signing date {signed_on} in Bogotá; DIAN rejects it "
            "(FAD09e): rebuild the document with the signing moment"
        )


def _signature_container(root: etree._Element) -> etree._Element:
    # Invoices and notes: UBLExtension[2] (the first holds DianExtensions). The AttachedDocument has no
    # DianExtensions, so its single UBLExtension receives the signature.
    extensions = root.findall(f"{{{EXT}}}UBLExtensions/{{{EXT}}}UBLExtension")
    if not extensions:
        raise SigningError("the document needs an ext:UBLExtension for the signature (policy §5.1)")
    content = extensions[1 if len(extensions) > 1 else 0].find(f"{{{EXT}}}ExtensionContent")
    if content is None or len(content) or (content.text or "").strip():
        raise SigningError("the signature's ext:UBLExtension must hold an empty ext:ExtensionContent")
    return content


def _template(
    container: etree._Element,
    *,
    ids: str,
    identity: SigningIdentity,
    algorithms: _Algorithms,
    signing_time: datetime,
    role: str,
) -> etree._Element:
    signature = _sub(container, _ds("Signature"), Id=ids)
    signed_info = _sub(signature, _ds("SignedInfo"))
    _sub(signed_info, _ds("CanonicalizationMethod"), Algorithm=_C14N)
    _sub(signed_info, _ds("SignatureMethod"), Algorithm=algorithms.signature_uri)
    # Order of accepted production signatures (reference §5.2): document, KeyInfo, SignedProperties.
    document = _sub(signed_info, _ds("Reference"), Id=f"{ids}-ref0", URI="")
    _sub(_sub(document, _ds("Transforms")), _ds("Transform"), Algorithm=_ENVELOPED)
    _digest_slots(document, algorithms)
    _digest_slots(_sub(signed_info, _ds("Reference"), URI=f"#{ids}-keyinfo"), algorithms)
    _digest_slots(
        _sub(signed_info, _ds("Reference"), Type=_SIGNED_PROPERTIES_TYPE, URI=f"#{ids}-signedprops"), algorithms
    )
    _sub(signature, _ds("SignatureValue"), Id=f"{ids}-sigvalue")
    key_info = _sub(signature, _ds("KeyInfo"), Id=f"{ids}-keyinfo")
    _sub(_sub(key_info, _ds("X509Data")), _ds("X509Certificate"), _b64(identity.certificate_der))
    qualifying = _sub(_sub(signature, _ds("Object")), _xades("QualifyingProperties"), Target=f"#{ids}")
    signed_properties = _sub(qualifying, _xades("SignedProperties"), Id=f"{ids}-signedprops")
    _signed_signature_properties(
        signed_properties, identity=identity, algorithms=algorithms, signing_time=signing_time, role=role
    )
    return signature


def _digest_slots(reference: etree._Element, algorithms: _Algorithms) -> None:
    _sub(reference, _ds("DigestMethod"), Algorithm=algorithms.digest_uri)
    _sub(reference, _ds("DigestValue"))


def _signed_signature_properties(
    parent: etree._Element, *, identity: SigningIdentity, algorithms: _Algorithms, signing_time: datetime, role: str
) -> None:
    # XSD order: SigningTime, SigningCertificate, SignaturePolicyIdentifier, SignerRole (§5.2).
    properties = _sub(parent, _xades("SignedSignatureProperties"))
    _sub(properties, _xades("SigningTime"), local_time(signing_time).isoformat(timespec="milliseconds"))
    cert = _sub(_sub(properties, _xades("SigningCertificate")), _xades("Cert"))
    cert_digest = _sub(cert, _xades("CertDigest"))
    _sub(cert_digest, _ds("DigestMethod"), Algorithm=algorithms.digest_uri)
    _sub(cert_digest, _ds("DigestValue"), _b64(hashlib.new(algorithms.hash_name, identity.certificate_der).digest()))
    issuer_serial = _sub(cert, _xades("IssuerSerial"))
    _sub(issuer_serial, _ds("X509IssuerName"), identity.issuer_name)
    _sub(issuer_serial, _ds("X509SerialNumber"), str(identity.serial_number))
    policy = _sub(_sub(properties, _xades("SignaturePolicyIdentifier")), _xades("SignaturePolicyId"))
    policy_id = _sub(policy, _xades("SigPolicyId"))
    _sub(policy_id, _xades("Identifier"), POLICY_URL)
    _sub(policy_id, _xades("Description"), _POLICY_DESCRIPTION)
    policy_hash = _sub(policy, _xades("SigPolicyHash"))
    _sub(policy_hash, _ds("DigestMethod"), Algorithm=algorithms.digest_uri)
    _sub(policy_hash, _ds("DigestValue"), algorithms.policy_hash)
    # ClaimedRoles/ClaimedRole, not text directly in SignerRole: that fails the XSD (ZB01, §5.1).
    _sub(_sub(_sub(properties, _xades("SignerRole")), _xades("ClaimedRoles")), _xades("ClaimedRole"), role)


def _register_ids(ctx: xmlsec.SignatureContext, root: etree._Element) -> None:
    # Id attributes are no DTD/XSD IDs for libxml2, so "#…" references resolve only once registered.
    for path in (f".//{_xades('SignedProperties')}", f".//{_ds('Signature')}/{_ds('KeyInfo')}"):
        element = root.find(path)
        if element is not None:
            ctx.register_id(element, "Id")


def _compute(root: etree._Element, signature: etree._Element, identity: SigningIdentity) -> None:
    ctx = xmlsec.SignatureContext()
    _register_ids(ctx, root)
    try:
        ctx.key = xmlsec.Key.from_memory(identity.private_key_pem(), xmlsec.constants.KeyDataFormatPem)
        ctx.sign(signature)
    except xmlsec.Error as exc:
        raise SigningError(f"xmlsec could not sign the document: {exc}") from exc
    # xmlsec wraps base64 every 64 characters; the policy wants no CR/LF in the signed document (§2.1).
    # SignatureValue is covered by no reference (the enveloped transform removes the whole Signature),
    # so unwrapping it here changes no digest; the process-wide xmlsec setting is left alone.
    value = signature.find(_ds("SignatureValue"))
    if value is not None and value.text:
        value.text = "".join(value.text.split())


def _verify(signed: bytes, identity: SigningIdentity) -> None:
    """Re-parse the bytes we return and verify them with the certificate's public key."""
    root = etree.fromstring(signed, etree.XMLParser(resolve_entities=False, no_network=True))
    signature = root.find(f".//{_ds('Signature')}")
    if signature is None:
        raise SigningError("the signature disappeared while serializing")
    ctx = xmlsec.SignatureContext()
    _register_ids(ctx, root)
    certificate_pem = identity.certificate.public_bytes(serialization.Encoding.PEM)
    ctx.key = xmlsec.Key.from_memory(certificate_pem, xmlsec.constants.KeyDataFormatCertPem)
    try:
        ctx.verify(signature)
    except xmlsec.Error as exc:
        raise SigningError(f"the signed document does not verify: {exc}") from exc
