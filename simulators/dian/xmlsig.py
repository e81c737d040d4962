"""A small XMLDSig engine on lxml C14N + ``cryptography``: verify references and signature values, and
sign (the simulator's own ApplicationResponses).

Deliberately independent of python-xmlsec, which the product signs with: a bug shared by signer and
verifier would otherwise pass unnoticed. Covers what DIAN traffic uses: inclusive C14N 1.0 for
XAdES-EPES documents (reference §5.1), exclusive C14N with InclusiveNamespaces for WS-Security
(§6.4), the enveloped-signature transform, SHA-256/384/512 digests and RSA PKCS#1 v1.5.
"""

from __future__ import annotations

import base64

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from lxml import etree

from simulators.common.xmldsig import base64_value, detached, digest, elements_by_id

DS = "http://www.w3.org/2000/09/xmldsig#"
WSU = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
C14N = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"
EXC_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#"
ENVELOPED = "http://www.w3.org/2000/09/xmldsig#enveloped-signature"

DIGESTS: dict[str, type[hashes.HashAlgorithm]] = {
    "http://www.w3.org/2001/04/xmlenc#sha256": hashes.SHA256,
    "http://www.w3.org/2001/04/xmldsig-more#sha384": hashes.SHA384,
    "http://www.w3.org/2001/04/xmlenc#sha512": hashes.SHA512,
}
SIGNATURES: dict[str, type[hashes.HashAlgorithm]] = {
    "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256": hashes.SHA256,
    "http://www.w3.org/2001/04/xmldsig-more#rsa-sha384": hashes.SHA384,
    "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512": hashes.SHA512,
}
_ID_ATTRIBUTES = ("Id", "ID", "id", f"{{{WSU}}}Id")


class SignatureInvalid(Exception):
    """The signature cannot be checked at all (structure, algorithms, encodings)."""


def ds(tag: str) -> str:
    return f"{{{DS}}}{tag}"


def b64decode(text: str | None, what: str) -> bytes:
    return base64_value(text, what, SignatureInvalid)


def canonicalize(element: etree._Element, algorithm: str, prefixes: list[str] | None = None) -> bytes:
    """C14N of ``element`` where it sits in its tree (in-scope namespaces included)."""
    if algorithm == C14N:
        return etree.tostring(element, method="c14n", exclusive=False, with_comments=False)
    if algorithm == EXC_C14N:
        return etree.tostring(element, method="c14n", exclusive=True, with_comments=False,
                              inclusive_ns_prefixes=prefixes or None)
    raise SignatureInvalid(f"algoritmo de canonicalización no soportado: {algorithm or '(ausente)'}")


def inclusive_prefixes(parent: etree._Element) -> list[str] | None:
    found = parent.find(f"{{{EXC_C14N}}}InclusiveNamespaces")
    return (found.get("PrefixList") or "").split() if found is not None else None


def ids(root: etree._Element) -> dict[str, etree._Element]:
    return elements_by_id(
        root, _ID_ATTRIBUTES, lambda value: SignatureInvalid(f"el identificador '{value}' está duplicado")
    )


def reference_digest(reference: etree._Element, target: etree._Element, signature: etree._Element) -> bytes:
    """Apply the reference's transforms to ``target`` and return the octets to digest."""
    algorithm, prefixes, enveloped = C14N, None, False  # node-set → octets default: inclusive C14N
    for transform in reference.findall(f"{ds('Transforms')}/{ds('Transform')}"):
        uri = transform.get("Algorithm", "")
        if uri == ENVELOPED:
            enveloped = True
        elif uri in (C14N, EXC_C14N):
            algorithm, prefixes = uri, inclusive_prefixes(transform)
        else:
            raise SignatureInvalid(f"transformación no soportada: {uri}")
    if enveloped and any(ancestor is target for ancestor in signature.iterancestors()):
        with detached(signature):
            return canonicalize(target, algorithm, prefixes)
    return canonicalize(target, algorithm, prefixes)


def check_references(root: etree._Element, signature: etree._Element) -> tuple[list[str], list[etree._Element]]:
    """Digest mismatches (texts) and the elements the SignedInfo references cover."""
    signed_info = signature.find(ds("SignedInfo"))
    if signed_info is None:
        raise SignatureInvalid("falta ds:SignedInfo")
    by_id = ids(root)
    problems: list[str] = []
    covered: list[etree._Element] = []
    for reference in signed_info.findall(ds("Reference")):
        uri = reference.get("URI")
        if uri == "":
            target = root
        elif uri is not None and uri.startswith("#") and uri[1:] in by_id:
            target = by_id[uri[1:]]
        else:
            raise SignatureInvalid(f"la referencia {uri!r} no apunta a ningún elemento")
        method = reference.find(ds("DigestMethod"))
        algorithm = DIGESTS.get(method.get("Algorithm", "") if method is not None else "")
        if algorithm is None:
            raise SignatureInvalid(f"DigestMethod no soportado en la referencia {uri}")
        expected = b64decode(reference.findtext(ds("DigestValue")), f"DigestValue de {uri}")
        if digest(algorithm, reference_digest(reference, target, signature)) != expected:
            problems.append(f"el digest de la referencia {uri or '(documento)'} no coincide")
        covered.append(target)
    return problems, covered


def check_signature_value(signature: etree._Element, public_key: object) -> list[str]:
    signed_info = signature.find(ds("SignedInfo"))
    if signed_info is None:
        raise SignatureInvalid("falta ds:SignedInfo")
    c14n = signed_info.find(ds("CanonicalizationMethod"))
    method = signed_info.find(ds("SignatureMethod"))
    c14n_uri = c14n.get("Algorithm", "") if c14n is not None else ""
    hash_type = SIGNATURES.get(method.get("Algorithm", "") if method is not None else "")
    if hash_type is None:
        raise SignatureInvalid("SignatureMethod no soportado (se espera RSA-SHA256/384/512)")
    if not isinstance(public_key, rsa.RSAPublicKey):
        raise SignatureInvalid("la clave del certificado no es RSA")
    octets = canonicalize(signed_info, c14n_uri, inclusive_prefixes(c14n) if c14n is not None else None)
    value = b64decode(signature.findtext(ds("SignatureValue")), "SignatureValue")
    try:
        public_key.verify(value, octets, padding.PKCS1v15(), hash_type())
    except InvalidSignature:
        return ["SignatureValue no corresponde a ds:SignedInfo"]
    return []


def sign(signature: etree._Element, root: etree._Element, key: rsa.RSAPrivateKey) -> None:
    """Fill every DigestValue, then SignatureValue, of a complete template already in ``root``.

    References are digested in document order, so a reference to an element that itself holds a digest
    (none in our templates) would need ordering; KeyInfo and SignedProperties are final beforehand.
    """
    signed_info = signature.find(ds("SignedInfo"))
    if signed_info is None:
        raise SignatureInvalid("falta ds:SignedInfo")
    by_id = ids(root)
    for reference in signed_info.findall(ds("Reference")):
        uri = reference.get("URI", "")
        target = root if uri == "" else by_id[uri[1:]]
        method = reference.find(ds("DigestMethod"))
        algorithm = DIGESTS[method.get("Algorithm", "") if method is not None else ""]
        slot = reference.find(ds("DigestValue"))
        if slot is None:
            raise SignatureInvalid(f"falta DigestValue en la referencia {uri}")
        slot.text = base64.b64encode(digest(algorithm, reference_digest(reference, target, signature))).decode()
    c14n = signed_info.find(ds("CanonicalizationMethod"))
    method = signed_info.find(ds("SignatureMethod"))
    signature_value = signature.find(ds("SignatureValue"))
    if c14n is None or method is None or signature_value is None:
        raise SignatureInvalid("plantilla de firma incompleta")
    octets = canonicalize(signed_info, c14n.get("Algorithm", ""), inclusive_prefixes(c14n))
    value = key.sign(octets, padding.PKCS1v15(), SIGNATURES[method.get("Algorithm", "")]())
    signature_value.text = base64.b64encode(value).decode()
