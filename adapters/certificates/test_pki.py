"""Throw-away PKI for the demo and the tests: a private CA and BCE-shaped PKCS#12 files.

Never use real certificates in tests or demos. The files built here mimic what makes real
Banco Central del Ecuador files hard (reference §11): an encryption-only pair ("Decryption Key")
stored BEFORE the signing pair ("Signing Key"), legacy SHA-1/3DES PKCS#12 encryption, and an
issuer name with an emailAddress attribute (the ``E=`` trap of reference §10.2).

``cryptography`` only writes one key per PKCS#12 file, so multi-pair files are built by joining
the contents of single-pair files and recomputing the integrity MAC (RFC 7292 Appendix B).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import ClassVar, Literal

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from adapters.certificates.pkcs12 import (
    TAG_CONTEXT_0,
    TAG_INTEGER,
    TAG_OCTET_STRING,
    TAG_SEQUENCE,
    parse_ber,
)

__all__ = [
    "P12Entry",
    "TestCA",
    "ca_pem",
    "cached_rsa_key",
    "issue_certificate",
    "make_signing_p12",
    "make_test_ca",
    "pack_p12",
]

# Modelled on the BCE's private arc for holder data; only there so that RUC discovery in
# certificate extensions is exercised. Not an authoritative OID assignment.
RUC_EXTENSION_OID = x509.ObjectIdentifier("1.3.6.1.4.1.37947.3.11")

_CA_VALID_FROM = datetime(2000, 1, 1, tzinfo=UTC)
_CA_VALID_UNTIL = datetime(2099, 12, 31, tzinfo=UTC)
_KDF_ROUNDS = 2048  # enough for a realistic file, cheap enough for fast tests
_DER_OID_DATA = bytes.fromhex("06092a864886f70d010701")
_DER_SHA1_ALGORITHM = bytes.fromhex("300906052b0e03021a0500")
_SHA1_BLOCK = 64
_MAC_KEY_ID = 3  # RFC 7292 B.3: ID byte 3 derives MAC keys


@dataclass(frozen=True)
class TestCA:
    """A self-signed certification authority for tests."""

    __test__: ClassVar[bool] = False  # not a pytest test class despite the name

    key: rsa.RSAPrivateKey
    cert: x509.Certificate


@dataclass(frozen=True)
class P12Entry:
    """One key pair to store in a PKCS#12 file under ``friendly_name``."""

    friendly_name: str
    key: rsa.RSAPrivateKey
    cert: x509.Certificate


@cache
def cached_rsa_key(label: str) -> rsa.RSAPrivateKey:
    """A 2048-bit key generated once per process and label, to keep test suites fast."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def make_test_ca(name: str = "AC PRUEBAS COMPROBANTE", *, key: rsa.RSAPrivateKey | None = None) -> TestCA:
    ca_key = key or cached_rsa_key(f"ca:{name}")
    # The emailAddress attribute reproduces issuers that Java's X500Principal writes as E=,
    # which the SRI's verifier rejects (reference §10.2); the comma tests RFC 4514 escaping.
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "EC"),
            x509.NameAttribute(NameOID.LOCALITY_NAME, "QUITO"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "PRUEBAS COMPROBANTE, S.A."),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "ENTIDAD DE CERTIFICACION DE PRUEBAS"),
            x509.NameAttribute(NameOID.EMAIL_ADDRESS, "pki@pruebas.invalid"),
            x509.NameAttribute(NameOID.COMMON_NAME, name),
        ]
    )
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(_CA_VALID_FROM)
        .not_valid_after(_CA_VALID_UNTIL)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(cert_sign=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    return TestCA(key=ca_key, cert=cert)


def ca_pem(ca: TestCA) -> bytes:
    return ca.cert.public_bytes(serialization.Encoding.PEM)


def issue_certificate(
    ca: TestCA,
    *,
    key: rsa.RSAPrivateKey,
    ruc: str,
    holder: str,
    valid_from: datetime,
    valid_days: int = 730,
    purpose: Literal["signing", "encryption"] = "signing",
) -> x509.Certificate:
    """An end-entity certificate shaped like a BCE one: signing or encryption-only usage."""
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "EC"),
            x509.NameAttribute(NameOID.LOCALITY_NAME, "QUITO"),
            # A 10-digit serialNumber, as BCE subjects carry: must not be mistaken for the RUC.
            x509.NameAttribute(NameOID.SERIAL_NUMBER, ruc[:10]),
            x509.NameAttribute(NameOID.COMMON_NAME, holder),
        ]
    )
    usage = _key_usage(signing=True) if purpose == "signing" else _key_usage(encipherment=True)
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(ca.cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(valid_from)
        .not_valid_after(valid_from + timedelta(days=valid_days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(usage, critical=True)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.key.public_key()), critical=False
        )
        .add_extension(
            x509.UnrecognizedExtension(RUC_EXTENSION_OID, _der(0x0C, ruc.encode())), critical=False
        )
        .sign(ca.key, hashes.SHA256())
    )


def make_signing_p12(
    ca: TestCA,
    *,
    ruc: str,
    holder: str,
    password: str,
    valid_from: datetime,
    valid_days: int = 730,
    with_encryption_pair: bool = True,
    key_usage_signing: bool = True,
    signing_key: rsa.RSAPrivateKey | None = None,
    encryption_key: rsa.RSAPrivateKey | None = None,
) -> bytes:
    """A BCE-like PKCS#12: the encryption-only pair first, then the signing pair.

    ``key_usage_signing=False`` gives the "signing" pair keyEncipherment only, for testing the
    "no certificate allows digital signatures" rejection.
    """
    entries: list[P12Entry] = []
    if with_encryption_pair:
        enc_key = encryption_key or cached_rsa_key(f"encryption:{ruc}")
        enc_cert = issue_certificate(
            ca,
            key=enc_key,
            ruc=ruc,
            holder=holder,
            valid_from=valid_from,
            valid_days=valid_days,
            purpose="encryption",
        )
        entries.append(P12Entry("Decryption Key", enc_key, enc_cert))
    sig_key = signing_key or cached_rsa_key(f"signing:{ruc}")
    sig_cert = issue_certificate(
        ca,
        key=sig_key,
        ruc=ruc,
        holder=holder,
        valid_from=valid_from,
        valid_days=valid_days,
        purpose="signing" if key_usage_signing else "encryption",
    )
    entries.append(P12Entry("Signing Key", sig_key, sig_cert))
    return pack_p12(entries, password=password, cas=[ca.cert])


def pack_p12(entries: Sequence[P12Entry], *, password: str, cas: Sequence[x509.Certificate] = ()) -> bytes:
    """A PKCS#12 holding every entry, in order, plus ``cas``; SHA-1/3DES like BCE files."""
    encryption = (
        serialization.PrivateFormat.PKCS12.encryption_builder()
        .kdf_rounds(_KDF_ROUNDS)
        .key_cert_algorithm(pkcs12.PBES.PBESv1SHA1And3KeyTripleDESCBC)
        .hmac_hash(hashes.SHA1())
        .build(password.encode())
    )
    content_infos: list[bytes] = []
    for index, entry in enumerate(entries):
        extra = list(cas) if index == len(entries) - 1 else None
        single = pkcs12.serialize_key_and_certificates(
            entry.friendly_name.encode(), entry.key, entry.cert, extra, encryption
        )
        content_infos.extend(_authenticated_safe_parts(single))
    return _pfx(_der(TAG_SEQUENCE, b"".join(content_infos)), password)


def _authenticated_safe_parts(p12: bytes) -> list[bytes]:
    auth_safe_info = parse_ber(p12).children()[1]
    auth_safe = auth_safe_info.children()[1].children()[0].octets()
    return [part.raw for part in parse_ber(auth_safe).children()]


def _pfx(auth_safe: bytes, password: str) -> bytes:
    content_info = _DER_OID_DATA + _der(TAG_CONTEXT_0, _der(TAG_OCTET_STRING, auth_safe))
    salt = secrets.token_bytes(8)
    mac_key = _pkcs12_kdf(password, salt, _KDF_ROUNDS, hashlib.sha1().digest_size)
    digest = hmac.new(mac_key, auth_safe, hashlib.sha1).digest()
    mac_data = _der(
        TAG_SEQUENCE,
        _der(TAG_SEQUENCE, _DER_SHA1_ALGORITHM + _der(TAG_OCTET_STRING, digest))
        + _der(TAG_OCTET_STRING, salt)
        + _der_int(_KDF_ROUNDS),
    )
    return _der(TAG_SEQUENCE, _der_int(3) + _der(TAG_SEQUENCE, content_info) + mac_data)


def _pkcs12_kdf(password: str, salt: bytes, iterations: int, length: int) -> bytes:
    """RFC 7292 Appendix B.2 key derivation with SHA-1, as used for PKCS#12 MAC keys."""
    block = _SHA1_BLOCK
    diversifier = bytes([_MAC_KEY_ID]) * block
    secret = password.encode("utf-16-be") + b"\x00\x00"  # BMPString with terminator
    state = bytearray(_fill(salt, block) + _fill(secret, block))
    output = b""
    while len(output) < length:
        digest = diversifier + bytes(state)
        for _ in range(iterations):
            digest = hashlib.sha1(digest).digest()
        output += digest
        increment = int.from_bytes(_fill(digest, block)[:block], "big") + 1
        for start in range(0, len(state), block):
            value = (int.from_bytes(state[start : start + block], "big") + increment) % (1 << (8 * block))
            state[start : start + block] = value.to_bytes(block, "big")
    return output[:length]


def _fill(data: bytes, block: int) -> bytes:
    """Repeat ``data`` up to the next multiple of ``block`` bytes (empty stays empty)."""
    if not data:
        return b""
    size = block * -(-len(data) // block)
    return (data * (size // len(data) + 1))[:size]


def _der(tag: int, content: bytes) -> bytes:
    length = len(content)
    if length < 0x80:
        return bytes([tag, length]) + content
    size = (length.bit_length() + 7) // 8
    return bytes([tag, 0x80 | size]) + length.to_bytes(size, "big") + content


def _der_int(value: int) -> bytes:
    return _der(TAG_INTEGER, value.to_bytes(value.bit_length() // 8 + 1, "big"))


def _key_usage(
    *, signing: bool = False, encipherment: bool = False, cert_sign: bool = False
) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=signing,
        content_commitment=signing,
        key_encipherment=encipherment,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=cert_sign,
        crl_sign=cert_sign,
        encipher_only=False,
        decipher_only=False,
    )
