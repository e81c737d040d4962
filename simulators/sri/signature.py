"""Independent XAdES-BES verifier for SRI comprobantes (reference §10).

The product signs with xmlsec; the simulator must not, or a bug shared by signer and
verifier would pass unnoticed (§10.4 "test with an independent verifier"). This module uses
only lxml's C14N (``etree.tostring(el, method="c14n")``) and ``cryptography``.

What the SRI verifies at Autorización (ficha §6, reference §10.1-10.6), and so what this
checks: every ds:Reference digest (the comprobante with the enveloped signature removed,
SignedProperties and KeyInfo as they sit in the tree), that those three are actually
covered, the SignatureValue over C14N(SignedInfo), the X509Certificate in KeyInfo (dates at
``at``, digitalSignature usage, optional chain to a trusted CA), that KeyValue matches the
certificate (swapped modulus/exponent is a classic 39, §10.2), the XAdES SigningCertificate
digest/serial and that SigningTime is not after ``at`` ("fecha ... posterior a la actual").
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta, timezone

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.serialization import Encoding
from lxml import etree

from simulators.common.xmldsig import base64_value, detached, digest, elements_by_id

DS = "http://www.w3.org/2000/09/xmldsig#"
XADES = "http://uri.etsi.org/01903/v1.3.2#"
EC14N = "http://www.w3.org/2001/10/xml-exc-c14n#"

C14N_INCLUSIVE = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"
C14N_INCLUSIVE_COMMENTS = C14N_INCLUSIVE + "#WithComments"
C14N_EXCLUSIVE = EC14N
C14N_EXCLUSIVE_COMMENTS = EC14N + "WithComments"
ENVELOPED = DS + "enveloped-signature"
SIGNED_PROPERTIES_TYPE = "http://uri.etsi.org/01903#SignedProperties"

# algorithm URI -> (exclusive, with_comments)
_C14N: dict[str, tuple[bool, bool]] = {
    C14N_INCLUSIVE: (False, False),
    C14N_INCLUSIVE_COMMENTS: (False, True),
    C14N_EXCLUSIVE: (True, False),
    C14N_EXCLUSIVE_COMMENTS: (True, True),
}

_DIGESTS: dict[str, type[hashes.HashAlgorithm]] = {
    DS + "sha1": hashes.SHA1,
    "http://www.w3.org/2001/04/xmldsig-more#sha224": hashes.SHA224,
    "http://www.w3.org/2001/04/xmlenc#sha256": hashes.SHA256,
    "http://www.w3.org/2001/04/xmldsig-more#sha384": hashes.SHA384,
    "http://www.w3.org/2001/04/xmlenc#sha512": hashes.SHA512,
}

# The ficha mandates RSA-SHA1 (§10.1); SHA-256 is accepted as MITyC would (§10.5).
_SIGNATURES: dict[str, type[hashes.HashAlgorithm]] = {
    DS + "rsa-sha1": hashes.SHA1,
    "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256": hashes.SHA256,
    "http://www.w3.org/2001/04/xmldsig-more#rsa-sha384": hashes.SHA384,
    "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512": hashes.SHA512,
}

_ID_ATTRIBUTES = ("Id", "id", "ID")
_GUAYAQUIL = timezone(timedelta(hours=-5))


class _Invalid(Exception):
    """A problem that makes further checking pointless."""


def _ds(name: str) -> str:
    return f"{{{DS}}}{name}"


def _xades(name: str) -> str:
    return f"{{{XADES}}}{name}"


def _b64(text: str | None, what: str) -> bytes:
    return base64_value(text, what, _Invalid)


def _c14n(element: etree._Element, algorithm: str, prefixes: Sequence[str] | None = None) -> bytes:
    exclusive, with_comments = _C14N[algorithm]
    if exclusive:
        return etree.tostring(
            element,
            method="c14n",
            exclusive=True,
            with_comments=with_comments,
            inclusive_ns_prefixes=list(prefixes) if prefixes else None,
        )
    return etree.tostring(element, method="c14n", exclusive=False, with_comments=with_comments)


def _ids(root: etree._Element) -> dict[str, etree._Element]:
    return elements_by_id(
        root, _ID_ATTRIBUTES, lambda value: _Invalid(f"el identificador '{value}' está duplicado en el documento")
    )


def _reference_octets(
    reference: etree._Element,
    target: etree._Element,
    signature: etree._Element,
) -> bytes:
    transforms = reference.findall(f"{_ds('Transforms')}/{_ds('Transform')}")
    enveloped = False
    c14n_algorithm = C14N_INCLUSIVE  # node-set -> octets default (XMLDSig §4.3.3.2)
    prefixes: list[str] | None = None
    for transform in transforms:
        algorithm = transform.get("Algorithm", "")
        if algorithm == ENVELOPED:
            enveloped = True
        elif algorithm in _C14N:
            c14n_algorithm = algorithm
            inclusive = transform.find(f"{{{EC14N}}}InclusiveNamespaces")
            prefixes = (inclusive.get("PrefixList") or "").split() if inclusive is not None else None
        else:
            raise _Invalid(f"transformación no soportada: {algorithm}")
    contains_signature = any(ancestor is target for ancestor in signature.iterancestors())
    if enveloped and contains_signature:
        with detached(signature):
            return _c14n(target, c14n_algorithm, prefixes)
    return _c14n(target, c14n_algorithm, prefixes)


def _load_certificate(
    key_info: etree._Element | None, signed_cert_digest: tuple[str, bytes] | None
) -> x509.Certificate:
    if key_info is None:
        raise _Invalid("la firma no contiene ds:KeyInfo")
    blobs = key_info.findall(f"{_ds('X509Data')}/{_ds('X509Certificate')}")
    if not blobs:
        raise _Invalid("ds:KeyInfo no contiene el certificado (ds:X509Certificate)")
    certificates: list[tuple[bytes, x509.Certificate]] = []
    for blob in blobs:
        der = _b64(blob.text, "X509Certificate")
        try:
            certificates.append((der, x509.load_der_x509_certificate(der)))
        except ValueError as exc:
            raise _Invalid(f"el certificado X509 no se puede leer: {exc}") from exc
    if signed_cert_digest is not None and len(certificates) > 1:
        # A chain in KeyInfo: the signing certificate is the one XAdES points at.
        algorithm_uri, expected = signed_cert_digest
        algorithm = _DIGESTS.get(algorithm_uri)
        for der, certificate in certificates:
            if algorithm is not None and digest(algorithm, der) == expected:
                return certificate
    return certificates[0][1]


def _signed_cert_digest(signed_properties: etree._Element | None) -> tuple[str, bytes] | None:
    if signed_properties is None:
        return None
    cert_digest = signed_properties.find(
        f"{_xades('SignedSignatureProperties')}/{_xades('SigningCertificate')}/{_xades('Cert')}/{_xades('CertDigest')}"
    )
    if cert_digest is None:
        return None
    method = cert_digest.find(_ds("DigestMethod"))
    value = cert_digest.find(_ds("DigestValue"))
    if method is None or value is None:
        return None
    return method.get("Algorithm", ""), _b64(value.text, "CertDigest/DigestValue")


def _int_from_b64(text: str | None, what: str) -> int:
    return int.from_bytes(_b64(text, what), "big")


def _check_key_value(key_info: etree._Element, certificate: x509.Certificate) -> list[str]:
    rsa_value = key_info.find(f"{_ds('KeyValue')}/{_ds('RSAKeyValue')}")
    if rsa_value is None:
        return []
    public = certificate.public_key()
    if not isinstance(public, rsa.RSAPublicKey):
        return ["ds:RSAKeyValue presente pero el certificado no tiene clave RSA"]
    numbers = public.public_numbers()
    modulus = _int_from_b64(rsa_value.findtext(_ds("Modulus")), "Modulus")
    exponent = _int_from_b64(rsa_value.findtext(_ds("Exponent")), "Exponent")
    if modulus != numbers.n or exponent != numbers.e:
        return ["ds:RSAKeyValue (Modulus/Exponent) no corresponde a la clave pública del certificado"]
    return []


def _check_certificate(
    certificate: x509.Certificate, trusted_cas: Sequence[x509.Certificate], at: datetime
) -> list[str]:
    problems: list[str] = []
    if at < certificate.not_valid_before_utc:
        problems.append(
            f"el certificado aún no es válido (válido desde {certificate.not_valid_before_utc.isoformat()})"
        )
    if at > certificate.not_valid_after_utc:
        problems.append(f"el certificado está caducado (válido hasta {certificate.not_valid_after_utc.isoformat()})")
    try:
        usage = certificate.extensions.get_extension_for_class(x509.KeyUsage).value
        digital_signature = usage.digital_signature
    except x509.ExtensionNotFound:
        digital_signature = False
    if not digital_signature:
        # The SRI's wording for encryption-only certificates (reference §10.1).
        problems.append("el certificado no es del tipo firma digital (keyUsage digitalSignature)")
    if trusted_cas and not _issued_by_trusted(certificate, trusted_cas, at):
        problems.append(
            f"el certificado no fue emitido por una entidad de certificación de confianza "
            f"(emisor: {certificate.issuer.rfc4514_string()})"
        )
    return problems


def _issued_by_trusted(certificate: x509.Certificate, trusted_cas: Sequence[x509.Certificate], at: datetime) -> bool:
    for ca in trusted_cas:
        if ca.subject != certificate.issuer:
            continue
        if not ca.not_valid_before_utc <= at <= ca.not_valid_after_utc:
            continue
        try:
            certificate.verify_directly_issued_by(ca)
        except (ValueError, TypeError, InvalidSignature):
            continue
        return True
    return False


def _check_xades(
    signed_properties: etree._Element,
    signature: etree._Element,
    certificate_der: bytes,
    certificate: x509.Certificate,
    at: datetime,
) -> list[str]:
    problems: list[str] = []
    qualifying = signed_properties.getparent()
    signature_id = signature.get("Id")
    if qualifying is not None and signature_id and qualifying.get("Target") != f"#{signature_id}":
        problems.append(f"QualifyingProperties Target no apunta a la firma #{signature_id}")
    signed_signature = signed_properties.find(_xades("SignedSignatureProperties"))
    if signed_signature is None:
        return [*problems, "falta etsi:SignedSignatureProperties"]
    signing_time = signed_signature.findtext(_xades("SigningTime"))
    if signing_time:
        try:
            moment = datetime.fromisoformat(signing_time.strip())
        except ValueError:
            problems.append(f"SigningTime inválido: {signing_time}")
        else:
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=_GUAYAQUIL)
            if moment > at:
                problems.append(
                    f"la fecha de firma {signing_time} es posterior a la fecha actual "
                    f"{at.astimezone(_GUAYAQUIL).isoformat(timespec='seconds')}"
                )
    else:
        problems.append("falta etsi:SigningTime")
    cert = signed_signature.find(f"{_xades('SigningCertificate')}/{_xades('Cert')}")
    if cert is None:
        return [*problems, "falta etsi:SigningCertificate"]
    method = cert.find(f"{_xades('CertDigest')}/{_ds('DigestMethod')}")
    value = cert.find(f"{_xades('CertDigest')}/{_ds('DigestValue')}")
    algorithm = _DIGESTS.get(method.get("Algorithm", "") if method is not None else "")
    if algorithm is None or value is None:
        problems.append("etsi:CertDigest incompleto o con algoritmo no soportado")
    elif digest(algorithm, certificate_der) != _b64(value.text, "CertDigest"):
        problems.append("etsi:CertDigest no corresponde al certificado de ds:KeyInfo")
    serial = cert.findtext(f"{_xades('IssuerSerial')}/{_ds('X509SerialNumber')}")
    if serial is not None and serial.strip() != str(certificate.serial_number):
        problems.append("etsi:X509SerialNumber no corresponde al certificado de ds:KeyInfo")
    return problems


def _parse(xml: bytes) -> etree._Element:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        return etree.fromstring(xml, parser)
    except etree.XMLSyntaxError as exc:
        raise _Invalid(f"el documento no es XML bien formado: {exc}") from exc


def verify_xades_bes(xml: bytes, *, trusted_cas: Sequence[x509.Certificate], at: datetime) -> list[str]:
    """Verify the enveloped XAdES-BES signature of ``xml``; empty list when valid."""
    try:
        root = _parse(xml)
    except _Invalid as exc:
        return [str(exc)]
    return verify_tree(root, trusted_cas=trusted_cas, at=at)


def verify_tree(root: etree._Element, *, trusted_cas: Sequence[x509.Certificate], at: datetime) -> list[str]:
    """Same as :func:`verify_xades_bes` on an already parsed document (parse once per request).

    The enveloped-signature transform detaches ds:Signature while digesting and puts it
    back, so the tree is unchanged afterwards.
    """
    if at.tzinfo is None:
        raise ValueError("'at' must be timezone-aware")
    try:
        return _verify(root, trusted_cas, at)
    except _Invalid as exc:
        return [str(exc)]


def _the_signature(root: etree._Element) -> etree._Element:
    signatures = root.findall(_ds("Signature"))
    if not signatures:
        if root.find(f".//{_ds('Signature')}") is not None:
            raise _Invalid("ds:Signature debe ser hija directa del elemento raíz del comprobante")
        raise _Invalid("el comprobante no está firmado (no contiene ds:Signature)")
    if len(signatures) > 1:
        raise _Invalid("el comprobante contiene más de una ds:Signature")
    return signatures[0]


def _algorithm(parent: etree._Element, child: str) -> str:
    element = parent.find(_ds(child))
    return element.get("Algorithm", "") if element is not None else ""


def _check_references(
    root: etree._Element, signature: etree._Element, signed_info: etree._Element
) -> tuple[list[str], list[etree._Element]]:
    """Digest problems, and the elements the references cover.

    Elements (not ``id()`` of their proxies) are returned: lxml may hand out a new proxy
    object once the previous one is garbage-collected.
    """
    ids = _ids(root)
    problems: list[str] = []
    covered: list[etree._Element] = []
    references = signed_info.findall(_ds("Reference"))
    if not references:
        raise _Invalid("ds:SignedInfo no contiene ds:Reference")
    for reference in references:
        uri = reference.get("URI")
        if uri is None:
            raise _Invalid("ds:Reference sin atributo URI")
        if uri == "":
            target = root
        elif uri.startswith("#") and uri[1:] in ids:
            target = ids[uri[1:]]
        else:
            raise _Invalid(f"la referencia {uri} no apunta a ningún elemento del comprobante")
        algorithm = _DIGESTS.get(_algorithm(reference, "DigestMethod"))
        if algorithm is None:
            raise _Invalid(f"DigestMethod no soportado en la referencia {uri}")
        declared = _b64(reference.findtext(_ds("DigestValue")), f"DigestValue de {uri}")
        computed = digest(algorithm, _reference_octets(reference, target, signature))
        if computed != declared:
            problems.append(
                f"firma y/o certificados alterados: el digest de la referencia {uri or '(documento)'} no coincide"
            )
        covered.append(target)
    return problems, covered


def _check_signature_value(
    signature: etree._Element,
    signed_info: etree._Element,
    certificate: x509.Certificate,
    c14n_algorithm: str,
    signature_hash: type[hashes.HashAlgorithm],
) -> list[str]:
    signature_value = _b64(signature.findtext(_ds("SignatureValue")), "SignatureValue")
    public_key = certificate.public_key()
    if not isinstance(public_key, rsa.RSAPublicKey):
        raise _Invalid("el certificado no tiene clave RSA; el SRI solo admite firmas RSA")
    try:
        public_key.verify(signature_value, _c14n(signed_info, c14n_algorithm), padding.PKCS1v15(), signature_hash())
    except InvalidSignature:
        return ["firma y/o certificados alterados: SignatureValue no corresponde a ds:SignedInfo"]
    return []


def _verify(root: etree._Element, trusted_cas: Sequence[x509.Certificate], at: datetime) -> list[str]:
    signature = _the_signature(root)
    signed_info = signature.find(_ds("SignedInfo"))
    if signed_info is None:
        raise _Invalid("falta ds:SignedInfo")
    c14n_algorithm = _algorithm(signed_info, "CanonicalizationMethod")
    if c14n_algorithm not in _C14N:
        raise _Invalid(f"CanonicalizationMethod no soportado: {c14n_algorithm or '(ausente)'}")
    signature_algorithm = _algorithm(signed_info, "SignatureMethod")
    signature_hash = _SIGNATURES.get(signature_algorithm)
    if signature_hash is None:
        raise _Invalid(f"SignatureMethod no soportado: {signature_algorithm or '(ausente)'}")

    problems, covered = _check_references(root, signature, signed_info)
    key_info = signature.find(_ds("KeyInfo"))
    properties = signature.findall(f"{_ds('Object')}/{_xades('QualifyingProperties')}/{_xades('SignedProperties')}")
    signed_properties = properties[0] if properties else None

    # The ficha requires the comprobante, SignedProperties and KeyInfo to be signed (§10.1).
    def is_covered(element: etree._Element) -> bool:
        return any(element is target for target in covered)

    if not is_covered(root):
        problems.append("ninguna referencia firma el comprobante completo (#comprobante)")
    if signed_properties is None:
        problems.append("la firma no es XAdES-BES: falta etsi:SignedProperties")
    elif not is_covered(signed_properties):
        problems.append("etsi:SignedProperties no está firmado por ninguna referencia")
    if key_info is not None and not is_covered(key_info):
        problems.append("ds:KeyInfo no está firmado por ninguna referencia")

    certificate = _load_certificate(key_info, _signed_cert_digest(signed_properties))
    assert key_info is not None  # _load_certificate raised otherwise
    problems.extend(_check_signature_value(signature, signed_info, certificate, c14n_algorithm, signature_hash))
    problems.extend(_check_key_value(key_info, certificate))
    problems.extend(_check_certificate(certificate, trusted_cas, at))
    if signed_properties is not None:
        der = certificate.public_bytes(Encoding.DER)
        problems.extend(_check_xades(signed_properties, signature, der, certificate, at))
    return problems
