"""The issuer's CSD (Certificado de Sello Digital): a DER ``.cer`` plus a password-protected ``.key``.

Reference §7.4: the ``.key`` is DER PKCS#8 EncryptedPrivateKeyInfo (PBES2/PBKDF2), which
``cryptography`` reads directly; NoCertificado is the certificate serial whose big-endian bytes are
ASCII digits; the RFC sits in ``x500UniqueIdentifier`` (2.5.4.45) as ``"<RFC> / <legal rep RFC>"``.
We load with ``cryptography`` rather than satcfdi's ``Signer`` to avoid its pyOpenSSL dependency in
the signing path and to turn every failure into a ConfigurationError an operator can act on.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from datetime import datetime

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import ExtensionOID, NameOID

from domain.errors import ConfigurationError

UNIQUE_IDENTIFIER_OID = x509.ObjectIdentifier("2.5.4.45")  # x500UniqueIdentifier: "RFC / RFC of the legal rep"
CERTIFICATE_NUMBER_LENGTH = 20
MIN_RSA_BITS = 2048


@dataclass(frozen=True)
class Csd:
    """A loaded, consistent CSD: the key matches the certificate."""

    certificate: x509.Certificate
    private_key: rsa.RSAPrivateKey = field(repr=False)

    @property
    def certificate_number(self) -> str:
        return certificate_number(self.certificate)

    @property
    def rfc(self) -> str | None:
        return certificate_rfc(self.certificate)

    @property
    def certificate_der(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.DER)

    @property
    def certificate_base64(self) -> str:
        return base64.b64encode(self.certificate_der).decode("ascii")

    def sign(self, data: bytes) -> bytes:
        """RSA PKCS#1 v1.5 with SHA-256: the sello algorithm of CFDI 4.0 (reference §7.1)."""
        return self.private_key.sign(data, padding.PKCS1v15(), hashes.SHA256())

    def valid_at(self, moment: datetime) -> bool:
        return self.certificate.not_valid_before_utc <= moment <= self.certificate.not_valid_after_utc


def load_csd(cer: bytes, key: bytes, password: str) -> Csd:
    """Load a CSD pair, checking that the key opens with the password and belongs to the certificate."""
    try:
        certificate = x509.load_der_x509_certificate(cer)
    except ValueError as exc:
        raise ConfigurationError(f"the CSD .cer is not a DER X.509 certificate: {exc}") from exc
    try:
        private_key = serialization.load_der_private_key(key, password=password.encode("utf-8"))
    except (ValueError, TypeError) as exc:
        raise ConfigurationError("the CSD .key cannot be opened: wrong password or not a DER PKCS#8 key") from exc
    if not isinstance(private_key, rsa.RSAPrivateKey) or private_key.key_size < MIN_RSA_BITS:
        raise ConfigurationError("the CSD .key must be an RSA key of at least 2048 bits")
    if _spki(private_key.public_key()) != _spki(certificate.public_key()):
        raise ConfigurationError("the CSD .key does not belong to the .cer (public keys differ)")
    if len(certificate_number(certificate)) != CERTIFICATE_NUMBER_LENGTH:
        raise ConfigurationError("the CSD serial number is not a 20-digit SAT certificate number")
    return Csd(certificate=certificate, private_key=private_key)


def certificate_number(certificate: x509.Certificate) -> str:
    """NoCertificado: the serial's bytes read as ASCII digits ("" when they are not digits)."""
    serial = certificate.serial_number
    raw = serial.to_bytes((serial.bit_length() + 7) // 8, "big")
    try:
        text = raw.decode("ascii")
    except UnicodeDecodeError:
        return ""
    return text if text.isdigit() else ""


def certificate_rfc(certificate: x509.Certificate) -> str | None:
    """The holder's RFC from x500UniqueIdentifier, the first of ``"RFC / RFC"``."""
    values = certificate.subject.get_attributes_for_oid(UNIQUE_IDENTIFIER_OID)
    if not values:
        return None
    value = values[0].value
    text = value.decode("utf-8", "replace") if isinstance(value, bytes) else value
    return text.split("/")[0].strip() or None


def certificate_legal_name(certificate: x509.Certificate) -> str | None:
    names = certificate.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)
    if not names:
        return None
    value = names[0].value
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else value


def is_fiel(certificate: x509.Certificate) -> bool:
    """A FIEL (e.firma) carries an extended key usage for e-mail/client auth; a CSD does not (PAC 306)."""
    try:
        certificate.extensions.get_extension_for_oid(ExtensionOID.EXTENDED_KEY_USAGE)
    except x509.ExtensionNotFound:
        return False
    return True


def verify_signature(certificate: x509.Certificate, signature: bytes, data: bytes) -> bool:
    """Check an RSA-SHA256 PKCS#1 v1.5 signature (sello or SelloSAT) with a certificate's key."""
    public_key = certificate.public_key()
    if not isinstance(public_key, rsa.RSAPublicKey):
        return False
    try:
        public_key.verify(signature, data, padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature:
        return False
    return True


def _spki(public_key: rsa.RSAPublicKey | object) -> bytes:
    if not isinstance(public_key, rsa.RSAPublicKey):
        return b""
    return public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
