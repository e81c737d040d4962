"""XAdES-BES enveloped signature for SRI comprobantes (reference §10, ficha §6 and Anexo 14).

The whole ``ds:Signature`` (KeyInfo content and XAdES SignedProperties included) is built here
as a template, because python-xmlsec knows nothing about XAdES and its KeyInfo writing differs
between versions (reference §10.4); xmlsec then only computes the three digests and the RSA
value. The result is verified with xmlsec before it is returned, and serialized exactly once:
any byte changed afterwards invalidates the signature (reference §10.3 step 7, §10.6).
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Literal

import structlog
import xmlsec
from cryptography.hazmat.primitives import serialization
from lxml import etree

from adapters.certificates.pkcs12 import SigningIdentity

__all__ = ["DS_NS", "ETSI_NS", "SigningError", "sign_comprobante"]

_log = structlog.get_logger(__name__)

DS_NS = "http://www.w3.org/2000/09/xmldsig#"
ETSI_NS = "http://uri.etsi.org/01903/v1.3.2#"  # XAdES v1.3.2 (ficha §6)

# Inclusive C14N 1.0, as in the ficha's example (reference §10.2, §10.3).
_C14N = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"
_ENVELOPED = "http://www.w3.org/2000/09/xmldsig#enveloped-signature"
# No version in this Type URI: the SRI example and all working signers use it (reference §10.2).
_SIGNED_PROPERTIES_TYPE = "http://uri.etsi.org/01903#SignedProperties"
# The root of every SRI comprobante carries id="comprobante" (lowercase, fixed; reference §1.4).
_COMPROBANTE_ID = "comprobante"

# Ecuador has kept UTC-05:00 without daylight saving since 1993, so a fixed offset is exact and
# works on hosts without tz data; SigningTime must be in this offset (reference §10.1).
_GUAYAQUIL = timezone(timedelta(hours=-5), "America/Guayaquil")

Algorithm = Literal["sha1", "sha256"]


@dataclass(frozen=True)
class _AlgorithmSet:
    signature_uri: str
    digest_uri: str
    hash_name: str


# The ficha mandates RSA-SHA1 with SHA-1 digests; SHA-256 is unconfirmed by the SRI and offered
# for hosts whose crypto policy blocks SHA-1 (reference §10.5).
_ALGORITHMS: dict[str, _AlgorithmSet] = {
    "sha1": _AlgorithmSet(
        signature_uri="http://www.w3.org/2000/09/xmldsig#rsa-sha1",
        digest_uri="http://www.w3.org/2000/09/xmldsig#sha1",
        hash_name="sha1",
    ),
    "sha256": _AlgorithmSet(
        signature_uri="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
        digest_uri="http://www.w3.org/2001/04/xmlenc#sha256",
        hash_name="sha256",
    ),
}


class SigningError(Exception):
    """The comprobante could not be signed, or the result did not verify."""


@dataclass(frozen=True)
class _Ids:
    """Id values: arbitrary but consistent (reference §10.2), shaped like the ficha's example."""

    signature: str
    signed_info: str
    signed_properties_ref: str
    signed_properties: str
    key_info: str
    comprobante_ref: str
    signature_value: str
    object: str


def sign_comprobante(
    xml: bytes,
    identity: SigningIdentity,
    *,
    signing_time: datetime,
    algorithm: Algorithm = "sha1",
    id_seed: str | None = None,
) -> bytes:
    """Return the XAdES-BES enveloped signed document (UTF-8 bytes, to be stored as they are).

    ``id_seed`` makes the Id attributes deterministic (tests); otherwise they are random.
    """
    if signing_time.tzinfo is None:
        raise ValueError("signing_time must be timezone-aware")
    algorithms = _ALGORITHMS[algorithm]
    root = _parse_unsigned(xml)
    ids = _make_ids(id_seed)
    signature = _build_signature(root, identity, ids, algorithms, signing_time)
    _compute_signature(root, signature, identity, algorithm)
    # Serialize once (reference §10.3 step 7). The declaration is written by hand because lxml
    # writes it with single quotes; the ficha shows <?xml version="1.0" encoding="UTF-8"?>.
    signed = b'<?xml version="1.0" encoding="UTF-8"?>\n' + etree.tostring(root, encoding="UTF-8")
    _verify(signed, identity)
    _log.info(
        "comprobante_signed",
        algorithm=algorithm,
        signature_id=ids.signature,
        certificate_serial=str(identity.serial_number),
    )
    return signed


# --------------------------------------------------------------------------------------------
# Input
# --------------------------------------------------------------------------------------------


def _parse_unsigned(xml: bytes) -> etree._Element:
    # No entity expansion or network access for documents that may come from callers' data.
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        root = etree.fromstring(xml, parser)
    except etree.XMLSyntaxError as exc:
        raise SigningError(f"the comprobante is not well-formed XML: {exc}") from exc
    if root.get("id") != _COMPROBANTE_ID:
        raise SigningError('the root element must carry id="comprobante" (reference §1.4)')
    if root.find(f"{{{DS_NS}}}Signature") is not None:
        raise SigningError("the comprobante is already signed")
    return root


def _make_ids(seed: str | None) -> _Ids:
    number = _seeded_numbers(seed) if seed is not None else _random_number
    signature = f"Signature{number('signature')}"
    return _Ids(
        signature=signature,
        signed_info=f"Signature-SignedInfo{number('signed-info')}",
        signed_properties_ref=f"SignedPropertiesID{number('signed-properties-ref')}",
        signed_properties=f"{signature}-SignedProperties{number('signed-properties')}",
        key_info=f"Certificate{number('key-info')}",
        comprobante_ref=f"Reference-ID-{number('comprobante-ref')}",
        signature_value=f"SignatureValue{number('signature-value')}",
        object=f"{signature}-Object{number('object')}",
    )


def _random_number(_label: str) -> int:
    return 100000 + secrets.randbelow(900000)


def _seeded_numbers(seed: str) -> Callable[[str], int]:
    def number(label: str) -> int:
        digest = hashlib.sha256(f"{seed}:{label}".encode()).digest()
        return 100000 + int.from_bytes(digest[:8], "big") % 900000

    return number


# --------------------------------------------------------------------------------------------
# Template (reference §10.2, in document order)
# --------------------------------------------------------------------------------------------


def _ds(tag: str) -> str:
    return f"{{{DS_NS}}}{tag}"


def _etsi(tag: str) -> str:
    return f"{{{ETSI_NS}}}{tag}"


def _sub(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    element = etree.SubElement(parent, tag, attrs)
    element.text = text
    return element


def _build_signature(
    root: etree._Element,
    identity: SigningIdentity,
    ids: _Ids,
    algorithms: _AlgorithmSet,
    signing_time: datetime,
) -> etree._Element:
    # Appended as the root's last child with ds/etsi declared on it, not on the root, so that
    # the in-tree C14N of each signed part carries those declarations (reference §10.3 step 2).
    signature = etree.SubElement(
        root, _ds("Signature"), {"Id": ids.signature}, nsmap={"ds": DS_NS, "etsi": ETSI_NS}
    )
    _add_signed_info(signature, ids, algorithms)
    _sub(signature, _ds("SignatureValue"), Id=ids.signature_value)
    _add_key_info(signature, identity, ids)
    _add_qualifying_properties(signature, identity, ids, algorithms, signing_time)
    return signature


def _add_signed_info(signature: etree._Element, ids: _Ids, algorithms: _AlgorithmSet) -> None:
    signed_info = _sub(signature, _ds("SignedInfo"), Id=ids.signed_info)
    _sub(signed_info, _ds("CanonicalizationMethod"), Algorithm=_C14N)
    _sub(signed_info, _ds("SignatureMethod"), Algorithm=algorithms.signature_uri)
    # Order SignedProperties, KeyInfo, comprobante: what every accepted signer emits (§10.2).
    _add_reference(
        signed_info,
        algorithms,
        uri=f"#{ids.signed_properties}",
        Id=ids.signed_properties_ref,
        Type=_SIGNED_PROPERTIES_TYPE,
    )
    _add_reference(signed_info, algorithms, uri=f"#{ids.key_info}")
    comprobante = _add_reference(signed_info, algorithms, uri=f"#{_COMPROBANTE_ID}", Id=ids.comprobante_ref)
    transforms = etree.Element(_ds("Transforms"))
    _sub(transforms, _ds("Transform"), Algorithm=_ENVELOPED)
    comprobante.insert(0, transforms)  # Transforms precede DigestMethod in a Reference


def _add_reference(
    signed_info: etree._Element, algorithms: _AlgorithmSet, *, uri: str, **attrs: str
) -> etree._Element:
    reference = _sub(signed_info, _ds("Reference"), **attrs, URI=uri)
    _sub(reference, _ds("DigestMethod"), Algorithm=algorithms.digest_uri)
    _sub(reference, _ds("DigestValue"))
    return reference


def _add_key_info(signature: etree._Element, identity: SigningIdentity, ids: _Ids) -> None:
    # KeyInfo is signed, so its content is final before digests are computed (§10.3 step 4);
    # the ficha requires at least the certificate in it (§10.1) and the example adds the key.
    key_info = _sub(signature, _ds("KeyInfo"), Id=ids.key_info)
    x509_data = _sub(key_info, _ds("X509Data"))
    _sub(x509_data, _ds("X509Certificate"), _b64(identity.certificate_der))
    rsa_value = _sub(_sub(key_info, _ds("KeyValue")), _ds("RSAKeyValue"))
    numbers = identity.private_key.public_key().public_numbers()
    # Modulus first, Exponent second: swapped values fail Autorización with 39 (§10.2).
    _sub(rsa_value, _ds("Modulus"), _b64(_unsigned_big_endian(numbers.n)))
    _sub(rsa_value, _ds("Exponent"), _b64(_unsigned_big_endian(numbers.e)))


def _add_qualifying_properties(
    signature: etree._Element,
    identity: SigningIdentity,
    ids: _Ids,
    algorithms: _AlgorithmSet,
    signing_time: datetime,
) -> None:
    ds_object = _sub(signature, _ds("Object"), Id=ids.object)
    qualifying = _sub(ds_object, _etsi("QualifyingProperties"), Target=f"#{ids.signature}")
    signed_properties = _sub(qualifying, _etsi("SignedProperties"), Id=ids.signed_properties)
    signature_properties = _sub(signed_properties, _etsi("SignedSignatureProperties"))
    _sub(signature_properties, _etsi("SigningTime"), _signing_time_text(signing_time))
    _add_signing_certificate(signature_properties, identity, algorithms)
    data_object_properties = _sub(signed_properties, _etsi("SignedDataObjectProperties"))
    data_format = _sub(
        data_object_properties, _etsi("DataObjectFormat"), ObjectReference=f"#{ids.comprobante_ref}"
    )
    _sub(data_format, _etsi("Description"), "contenido comprobante")
    _sub(data_format, _etsi("MimeType"), "text/xml")


def _add_signing_certificate(
    parent: etree._Element, identity: SigningIdentity, algorithms: _AlgorithmSet
) -> None:
    cert = _sub(_sub(parent, _etsi("SigningCertificate")), _etsi("Cert"))
    cert_digest = _sub(cert, _etsi("CertDigest"))
    _sub(cert_digest, _ds("DigestMethod"), Algorithm=algorithms.digest_uri)
    digest = hashlib.new(algorithms.hash_name, identity.certificate_der).digest()
    _sub(cert_digest, _ds("DigestValue"), _b64(digest))
    issuer_serial = _sub(cert, _etsi("IssuerSerial"))
    # RFC 4514 without E= (Java's X500Principal rejects it) and a decimal serial (§10.2).
    _sub(issuer_serial, _ds("X509IssuerName"), identity.issuer_name)
    _sub(issuer_serial, _ds("X509SerialNumber"), str(identity.serial_number))


def _signing_time_text(signing_time: datetime) -> str:
    return signing_time.astimezone(_GUAYAQUIL).replace(microsecond=0).isoformat()


def _unsigned_big_endian(value: int) -> bytes:
    return value.to_bytes((value.bit_length() + 7) // 8 or 1, "big")


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


# --------------------------------------------------------------------------------------------
# xmlsec
# --------------------------------------------------------------------------------------------


def _register_ids(ctx: xmlsec.SignatureContext, root: etree._Element) -> None:
    # The lowercase id="comprobante" is no DTD/XSD ID, so xmlsec cannot resolve "#comprobante"
    # unless told (reference §10.4). xmlsec 1.3 registers Id attributes inside ds:Signature by
    # itself, but whether every version does is an open question (reference §21.8), so the two
    # signed Signature parts are registered explicitly too.
    ctx.register_id(root, "id")
    for path in (f".//{_etsi('SignedProperties')}", f"{_ds('Signature')}/{_ds('KeyInfo')}"):
        element = root.find(path)
        if element is not None:
            ctx.register_id(element, "Id")


def _compute_signature(
    root: etree._Element, signature: etree._Element, identity: SigningIdentity, algorithm: str
) -> None:
    ctx = xmlsec.SignatureContext()
    _register_ids(ctx, root)
    try:
        ctx.key = xmlsec.Key.from_memory(identity.private_key_pem(), xmlsec.constants.KeyDataFormatPem)
    except xmlsec.Error as exc:
        raise SigningError(f"xmlsec could not load the signing key: {exc}") from exc
    try:
        ctx.sign(signature)
    except xmlsec.Error as exc:
        if algorithm == "sha1":
            raise SigningError(
                f"xmlsec could not sign with rsa-sha1 ({exc}); the system crypto policy may "
                'block SHA-1 (reference §10.4): fix the policy or use algorithm="sha256"'
            ) from exc
        raise SigningError(f"xmlsec could not sign the comprobante: {exc}") from exc


def _verify(signed: bytes, identity: SigningIdentity) -> None:
    """Re-parse the bytes we return and verify them with the certificate's public key."""
    root = etree.fromstring(signed, etree.XMLParser(resolve_entities=False, no_network=True))
    signature = root.find(_ds("Signature"))
    if signature is None or root[-1] is not signature:
        raise SigningError("the signature is not the last child of the root")
    ctx = xmlsec.SignatureContext()
    _register_ids(ctx, root)
    certificate_pem = identity.certificate.public_bytes(serialization.Encoding.PEM)
    ctx.key = xmlsec.Key.from_memory(certificate_pem, xmlsec.constants.KeyDataFormatCertPem)
    try:
        ctx.verify(signature)
    except xmlsec.Error as exc:
        raise SigningError(f"the signed comprobante does not verify: {exc}") from exc
