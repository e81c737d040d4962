"""Load the signing identity (key + certificate) from an issuer's PKCS#12 file.

Why this is more than ``load_pkcs12``: Banco Central del Ecuador files hold two key pairs, a
"Decryption Key" (keyEncipherment only) and a "Signing Key" (digitalSignature), and
``cryptography``'s loader returns only one key, possibly the wrong one; renewed files may also
carry an old and a new certificate (reference §11). Signing with the wrong pair passes Recepción
and fails Autorización with error 39 (reference §10.6), so we read every key bag ourselves, pair
keys with certificates by public key, and pick the certificate that may sign, is valid now and
belongs to the issuer's RUC.

The PKCS#12 walk uses a small BER reader defined here instead of a new dependency: the file is
BER (Java and Windows tools emit indefinite lengths), ``cryptography.hazmat.asn1`` is DER-only
and documented as unstable, and only a handful of structures (RFC 7292 PFX, ContentInfo,
SafeBag) are needed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime

import structlog
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

__all__ = [
    "CertificateError",
    "SigningIdentity",
    "certificate_rucs",
    "load_signing_identity",
    "xades_issuer_name",
]

_log = structlog.get_logger(__name__)

# The SRI requires 2048-bit RSA keys (ficha §6, reference §10.1); shorter keys are refused here.
_MIN_RSA_BITS = 2048

# RFC 7292 / PKCS#7 object identifiers used while walking the file.
_OID_DATA = "1.2.840.113549.1.7.1"
_OID_KEY_BAG = "1.2.840.113549.1.12.10.1.1"
_OID_SHROUDED_KEY_BAG = "1.2.840.113549.1.12.10.1.2"
_OID_SAFE_CONTENTS_BAG = "1.2.840.113549.1.12.10.1.6"
_OID_FRIENDLY_NAME = "1.2.840.113549.1.9.20"

# Attribute types RFC 4514 §3 (and Java's X500Principal RFC 2253 output) write by keyword; every
# other type must be written as dotted OID = #hex(BER value).
_RFC4514_KEYWORDS = frozenset(
    {
        NameOID.COMMON_NAME,
        NameOID.LOCALITY_NAME,
        NameOID.STATE_OR_PROVINCE_NAME,
        NameOID.ORGANIZATION_NAME,
        NameOID.ORGANIZATIONAL_UNIT_NAME,
        NameOID.COUNTRY_NAME,
        NameOID.STREET_ADDRESS,
        NameOID.DOMAIN_COMPONENT,
        NameOID.USER_ID,
    }
)

# A RUC is 13 digits (reference §9.2); we look for any standalone run of exactly 13 digits.
_RUC_PATTERN = re.compile(r"(?<!\d)\d{13}(?!\d)")


class CertificateError(Exception):
    """The PKCS#12 file cannot provide a usable SRI signing identity; the message says why."""


@dataclass(frozen=True)
class SigningIdentity:
    """The private key and certificate chosen for XAdES-BES signing, plus the issuer chain."""

    private_key: rsa.RSAPrivateKey = field(repr=False)
    certificate: x509.Certificate
    chain: tuple[x509.Certificate, ...] = ()

    @property
    def not_valid_before(self) -> datetime:
        return self.certificate.not_valid_before_utc

    @property
    def not_valid_after(self) -> datetime:
        return self.certificate.not_valid_after_utc

    @property
    def serial_number(self) -> int:
        return self.certificate.serial_number

    @property
    def subject(self) -> str:
        return self.certificate.subject.rfc4514_string()

    @property
    def issuer_name(self) -> str:
        """Issuer DN as the SRI's verifier expects it in ``X509IssuerName`` (reference §10.2)."""
        return xades_issuer_name(self.certificate)

    @property
    def rucs(self) -> frozenset[str]:
        return certificate_rucs(self.certificate)

    @property
    def certificate_der(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.DER)

    def private_key_pem(self) -> bytes:
        """Unencrypted PKCS#8 PEM, for handing the key to xmlsec; never persist it."""
        return self.private_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )


# --------------------------------------------------------------------------------------------
# Public entry point
# --------------------------------------------------------------------------------------------


def load_signing_identity(
    p12: bytes, password: str, *, at: datetime, expected_ruc: str | None = None
) -> SigningIdentity:
    """Pick the key pair that may sign SRI documents at ``at`` (reference §11 "robust rule").

    Raises ``CertificateError`` with a message meant for the person uploading the file.
    """
    if at.tzinfo is None:
        raise ValueError("'at' must be timezone-aware")
    secret = password.encode("utf-8")
    bundle = _open_pkcs12(p12, secret)
    certificates = _bundle_certificates(bundle)
    keys = _collect_private_keys(p12, secret, bundle)
    pairs = _pair_keys_with_certificates(keys, certificates)
    key, cert = _select_pair(pairs, at=at, expected_ruc=expected_ruc)
    identity = SigningIdentity(private_key=key, certificate=cert, chain=_issuer_chain(cert, certificates))
    _log.info(
        "signing_identity_selected",
        subject=identity.subject,
        serial=str(identity.serial_number),
        not_valid_after=identity.not_valid_after.isoformat(),
        pairs_in_file=len(pairs),
    )
    return identity


# --------------------------------------------------------------------------------------------
# Reading the file
# --------------------------------------------------------------------------------------------


def _open_pkcs12(p12: bytes, secret: bytes) -> pkcs12.PKCS12KeyAndCertificates:
    # cryptography checks the MAC first, so a wrong password and a non-PKCS#12 file both end here
    # with the same generic error (reference §11): say both possibilities.
    try:
        return pkcs12.load_pkcs12(p12, secret or None)
    except (ValueError, TypeError) as exc:
        raise CertificateError("wrong password or not a PKCS#12 file") from exc


def _bundle_certificates(bundle: pkcs12.PKCS12KeyAndCertificates) -> list[x509.Certificate]:
    found = [bundle.cert.certificate] if bundle.cert is not None else []
    found.extend(extra.certificate for extra in bundle.additional_certs)
    if not found:
        raise CertificateError("the file contains no certificate")
    return _unique_certificates(found)


def _unique_certificates(certs: list[x509.Certificate]) -> list[x509.Certificate]:
    seen: set[bytes] = set()
    unique: list[x509.Certificate] = []
    for cert in certs:
        der = cert.public_bytes(serialization.Encoding.DER)
        if der not in seen:
            seen.add(der)
            unique.append(cert)
    return unique


def _collect_private_keys(
    p12: bytes, secret: bytes, bundle: pkcs12.PKCS12KeyAndCertificates
) -> list[PrivateKeyTypes]:
    """Every private key in the file: the one ``load_pkcs12`` chose plus all key bags we can read."""
    keys: list[PrivateKeyTypes] = [bundle.key] if bundle.key is not None else []
    try:
        keys.extend(_keys_from_bags(p12, secret))
    except (ValueError, IndexError) as exc:
        # The MAC already verified, so the file is sound; an encoding our reader does not handle
        # only costs us the extra keys, and selection below still works with the main one.
        _log.warning("pkcs12_bag_walk_failed", error=str(exc))
    return _unique_keys(keys)


def _unique_keys(keys: list[PrivateKeyTypes]) -> list[PrivateKeyTypes]:
    seen: set[bytes] = set()
    unique: list[PrivateKeyTypes] = []
    for key in keys:
        spki = _spki(key.public_key())
        if spki not in seen:
            seen.add(spki)
            unique.append(key)
    return unique


def _keys_from_bags(p12: bytes, secret: bytes) -> Iterator[PrivateKeyTypes]:
    for bag in _iter_safe_bags(p12):
        key = _decode_key_bag(bag, secret)
        if key is not None:
            yield key


def _decode_key_bag(bag: _SafeBag, secret: bytes) -> PrivateKeyTypes | None:
    try:
        if bag.bag_type == _OID_SHROUDED_KEY_BAG:
            return serialization.load_der_private_key(bag.value, secret or None)
        if bag.bag_type == _OID_KEY_BAG:
            return serialization.load_der_private_key(bag.value, None)
    except (ValueError, TypeError, NotImplementedError) as exc:
        _log.warning("pkcs12_key_bag_unreadable", friendly_name=bag.friendly_name, error=str(exc))
    return None


# --------------------------------------------------------------------------------------------
# Pairing and selection
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Pair:
    key: PrivateKeyTypes
    cert: x509.Certificate


def _spki(public_key: object) -> bytes:
    if not hasattr(public_key, "public_bytes"):
        return b""
    encoded: bytes = public_key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return encoded


def _pair_keys_with_certificates(keys: list[PrivateKeyTypes], certs: list[x509.Certificate]) -> list[_Pair]:
    # Public-key equality is the pairing that survives files whose localKeyId attributes are
    # missing or reused (reference §11).
    by_spki = {_spki(key.public_key()): key for key in keys}
    pairs = [_Pair(by_spki[spki], cert) for cert in certs if (spki := _spki(cert.public_key())) in by_spki]
    if not pairs:
        raise CertificateError("the file holds no private key matching any of its certificates")
    return pairs


def _allows_signing(cert: x509.Certificate) -> bool:
    # SRI answers 39 "no es del tipo firma digital" for certificates without digitalSignature
    # (reference §10.1); nonRepudiation (contentCommitment) marks a signing certificate too.
    try:
        usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return False
    return usage.digital_signature or usage.content_commitment


def _is_valid_at(cert: x509.Certificate, at: datetime) -> bool:
    return cert.not_valid_before_utc <= at <= cert.not_valid_after_utc


def _select_pair(
    pairs: list[_Pair], *, at: datetime, expected_ruc: str | None
) -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
    # Filters run in the order a person fixes problems: wrong kind of certificate, then expiry,
    # then whose certificate it is. Each empty stage gets its own message.
    signing = [pair for pair in pairs if _allows_signing(pair.cert)]
    if not signing:
        raise CertificateError("no certificate in the file allows digital signatures")
    current = [pair for pair in signing if _is_valid_at(pair.cert, at)]
    if not current:
        raise CertificateError(_validity_message(signing, at))
    if expected_ruc is not None:
        current = _matching_ruc(current, expected_ruc)
    # Renewed files may hold the old and the new certificate (OCA PR #84): the newest wins.
    chosen = max(current, key=lambda p: (p.cert.not_valid_before_utc, p.cert.not_valid_after_utc))
    return _require_rsa(chosen.key), chosen.cert


def _validity_message(pairs: list[_Pair], at: datetime) -> str:
    newest = max(pairs, key=lambda p: p.cert.not_valid_after_utc).cert
    if newest.not_valid_after_utc < at:
        return f"certificate expired on {newest.not_valid_after_utc.date().isoformat()}"
    earliest = min(pairs, key=lambda p: p.cert.not_valid_before_utc).cert
    return f"certificate is not valid before {earliest.not_valid_before_utc.date().isoformat()}"


def _matching_ruc(pairs: list[_Pair], expected_ruc: str) -> list[_Pair]:
    # The RUC in the certificate must be the issuer's (SRI FAQ, reference §10.1). CAs put it in
    # different places, and personal certificates may carry only a cédula, so we only enforce
    # when the certificate visibly carries some 13-digit RUC.
    matching = [pair for pair in pairs if not (rucs := certificate_rucs(pair.cert)) or expected_ruc in rucs]
    if not matching:
        found = sorted(certificate_rucs(pairs[0].cert))[0]
        raise CertificateError(f"certificate RUC {found} does not match issuer {expected_ruc}")
    return matching


def _require_rsa(key: PrivateKeyTypes) -> rsa.RSAPrivateKey:
    if not isinstance(key, rsa.RSAPrivateKey):
        raise CertificateError("the signing key is not RSA; the SRI requires RSA 2048")
    if key.key_size < _MIN_RSA_BITS:
        raise CertificateError(f"the signing key has {key.key_size} bits; the SRI requires 2048")
    return key


def _issuer_chain(cert: x509.Certificate, certs: list[x509.Certificate]) -> tuple[x509.Certificate, ...]:
    """Follow issuer → subject links through the file's certificates, leaf excluded."""
    chain: list[x509.Certificate] = []
    current = cert
    while current.issuer != current.subject:
        parent = next(
            (c for c in certs if c.subject == current.issuer and c not in chain and c != cert),
            None,
        )
        if parent is None:
            break
        chain.append(parent)
        current = parent
    return tuple(chain)


# --------------------------------------------------------------------------------------------
# Certificate introspection
# --------------------------------------------------------------------------------------------


def certificate_rucs(cert: x509.Certificate) -> frozenset[str]:
    """13-digit numbers found in the subject, the SAN and CA-private extensions.

    Ecuadorian CAs disagree on where the RUC goes (subject serialNumber/UID, or private
    extensions such as the BCE's under 1.3.6.1.4.1.37947), so this scans leniently.
    """
    texts = [attr.value for attr in cert.subject if isinstance(attr.value, str)]
    for ext in cert.extensions:
        value = ext.value
        if isinstance(value, x509.SubjectAlternativeName):
            texts.extend(_general_name_texts(value))
        elif isinstance(value, x509.UnrecognizedExtension):
            texts.append(value.value.decode("latin-1"))
    return frozenset(match for text in texts for match in _RUC_PATTERN.findall(text))


def _general_name_texts(san: x509.SubjectAlternativeName) -> Iterator[str]:
    for name in san:
        if isinstance(name, x509.OtherName):
            yield name.value.decode("latin-1")
        elif isinstance(name, x509.DirectoryName):
            yield from (a.value for a in name.value if isinstance(a.value, str))
        elif isinstance(name.value, str):
            yield name.value


def xades_issuer_name(cert: x509.Certificate) -> str:
    """Issuer DN in RFC 4514 form, as Java's ``X500Principal.getName(RFC2253)`` writes it.

    The SRI verifies with MITyC on Java, whose parser rejects ``E=`` (reference §10.2). RFC 4514
    §2.4 says attribute types without a keyword are written ``dotted.oid=#hex`` of the BER value;
    ``rfc4514_string()`` writes the plain string for them instead, so those are done here.
    """
    raw_rdns = _raw_name_rdns(cert.issuer.public_bytes())
    parts: list[str] = []
    for rdn, raw in reversed(list(zip(cert.issuer.rdns, raw_rdns, strict=True))):
        parts.append("+".join(_format_attribute(attr, raw) for attr in rdn))
    return ",".join(parts)


def _format_attribute(attr: x509.NameAttribute[str | bytes], raw: list[tuple[str, bytes]]) -> str:
    if attr.oid in _RFC4514_KEYWORDS:
        return attr.rfc4514_string()
    value_ber = next(ber for dotted, ber in raw if dotted == attr.oid.dotted_string)
    return f"{attr.oid.dotted_string}=#{value_ber.hex()}"


def _raw_name_rdns(name_der: bytes) -> list[list[tuple[str, bytes]]]:
    """(dotted OID, full BER of the value) for each attribute, RDN by RDN, in DER order."""
    rdns: list[list[tuple[str, bytes]]] = []
    for rdn in parse_ber(name_der).children():
        atvs: list[tuple[str, bytes]] = []
        for atv in rdn.children():
            oid_node, value_node = atv.children()[:2]
            atvs.append((oid_node.oid(), value_node.raw))
        rdns.append(atvs)
    return rdns


# --------------------------------------------------------------------------------------------
# Minimal BER reader (RFC 7292 structures only)
# --------------------------------------------------------------------------------------------

TAG_INTEGER = 0x02
TAG_OCTET_STRING = 0x04
TAG_OID = 0x06
TAG_SEQUENCE = 0x30
TAG_SET = 0x31
TAG_CONTEXT_0 = 0xA0
_CONSTRUCTED = 0x20
_HIGH_TAG = 0x1F


class _BerError(ValueError):
    pass


@dataclass(frozen=True)
class BerNode:
    """One BER element: identifier octet, content octets and the full encoding (``raw``)."""

    tag: int
    content: bytes
    raw: bytes

    @property
    def constructed(self) -> bool:
        return bool(self.tag & _CONSTRUCTED)

    def children(self) -> list[BerNode]:
        if not self.constructed:
            raise _BerError(f"element with tag {self.tag:#x} has no children")
        return _read_all(self.content)

    def octets(self) -> bytes:
        """OCTET STRING value, joining the segments of a constructed (BER) encoding."""
        if not self.constructed:
            return self.content
        return b"".join(child.octets() for child in self.children())

    def oid(self) -> str:
        if self.tag != TAG_OID or not self.content:
            raise _BerError("expected an OBJECT IDENTIFIER")
        arcs: list[int] = []
        value = 0
        for byte in self.content:
            value = (value << 7) | (byte & 0x7F)
            if not byte & 0x80:
                arcs.append(value)
                value = 0
        first = min(arcs[0] // 40, 2)
        return ".".join(str(arc) for arc in [first, arcs[0] - 40 * first, *arcs[1:]])


def parse_ber(data: bytes) -> BerNode:
    node, end = _read_node(data, 0)
    if end != len(data):
        raise _BerError("trailing bytes after the BER element")
    return node


def _read_all(data: bytes) -> list[BerNode]:
    nodes: list[BerNode] = []
    pos = 0
    while pos < len(data):
        node, pos = _read_node(data, pos)
        nodes.append(node)
    return nodes


def _read_node(data: bytes, pos: int) -> tuple[BerNode, int]:
    start = pos
    if pos + 2 > len(data):
        raise _BerError("truncated BER element")
    tag = data[pos]
    if tag & _HIGH_TAG == _HIGH_TAG:
        raise _BerError("high tag numbers are not used by PKCS#12")
    first_length = data[pos + 1]
    pos += 2
    if first_length == 0x80:
        return _read_indefinite(data, start, pos, tag)
    length = first_length
    if first_length & 0x80:
        count = first_length & 0x7F
        length = int.from_bytes(data[pos : pos + count], "big")
        pos += count
    end = pos + length
    if end > len(data):
        raise _BerError("BER length runs past the end of the data")
    return BerNode(tag, data[pos:end], data[start:end]), end


def _read_indefinite(data: bytes, start: int, pos: int, tag: int) -> tuple[BerNode, int]:
    if not tag & _CONSTRUCTED:
        raise _BerError("indefinite length on a primitive element")
    content_start = pos
    while data[pos : pos + 2] != b"\x00\x00":
        _, pos = _read_node(data, pos)
    # Children keep their own (possibly indefinite) encodings; content excludes end-of-contents.
    return BerNode(tag, data[content_start:pos], data[start : pos + 2]), pos + 2


# --------------------------------------------------------------------------------------------
# PKCS#12 safe bags
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _SafeBag:
    bag_type: str
    value: bytes  # full BER of the bag value (e.g. an EncryptedPrivateKeyInfo)
    friendly_name: str | None


def _iter_safe_bags(p12: bytes) -> Iterator[_SafeBag]:
    """Bags in the unencrypted ("data") parts of the file, where key bags live.

    Bags inside encryptedData parts (usually the certificates) are skipped: ``load_pkcs12``
    already returns every certificate, and decrypting them would mean reimplementing PBE.
    """
    pfx = parse_ber(p12).children()
    auth_safe = _content_info_data(pfx[1])
    if auth_safe is None:
        return  # public-key integrity mode: nothing we can read without the signer's keys
    for content_info in parse_ber(auth_safe).children():
        safe_contents = _content_info_data(content_info)
        if safe_contents is not None:
            yield from _bags_in(parse_ber(safe_contents))


def _content_info_data(content_info: BerNode) -> bytes | None:
    parts = content_info.children()
    if parts[0].oid() != _OID_DATA or len(parts) < 2:
        return None
    return parts[1].children()[0].octets()


def _bags_in(safe_contents: BerNode) -> Iterator[_SafeBag]:
    for bag in safe_contents.children():
        parts = bag.children()
        bag_type = parts[0].oid()
        value = parts[1].children()[0]
        if bag_type == _OID_SAFE_CONTENTS_BAG:
            yield from _bags_in(value)
            continue
        attributes = parts[2] if len(parts) > 2 else None
        yield _SafeBag(bag_type, value.raw, _friendly_name(attributes))


def _friendly_name(attributes: BerNode | None) -> str | None:
    if attributes is None:
        return None
    for attribute in attributes.children():
        attr_type, values = attribute.children()[:2]
        if attr_type.oid() == _OID_FRIENDLY_NAME and values.children():
            return values.children()[0].content.decode("utf-16-be", errors="replace")
    return None
