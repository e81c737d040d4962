"""Certificates: trust-store checks (ZD04–ZD07), the NIT a certificate speaks for, and the simulator's
own "DIAN" signing identity for ApplicationResponses.

Real DIAN reads the sender's NIT from the WS-Security certificate ("NIT de la empresa no informado en
el certificado" → 89, reference §6.4). Colombian ECDs put it in the subject (serialNumber, CN or UID,
sometimes with the DV appended), so every digit run of those attributes is a candidate.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

_DIGITS = re.compile(r"[0-9]{6,16}")
_NIT_ATTRIBUTES = (NameOID.SERIAL_NUMBER, NameOID.COMMON_NAME, NameOID.USER_ID, NameOID.ORGANIZATIONAL_UNIT_NAME)


def certificate_numbers(certificate: x509.Certificate) -> set[str]:
    numbers: set[str] = set()
    for oid in _NIT_ATTRIBUTES:
        for attribute in certificate.subject.get_attributes_for_oid(oid):
            value = attribute.value if isinstance(attribute.value, str) else attribute.value.decode(errors="ignore")
            numbers.update(_DIGITS.findall(value))
    return numbers


def speaks_for(certificate: x509.Certificate, nit: str) -> bool:
    """Whether the certificate identifies ``nit`` (alone or followed by its DV)."""
    return any(number == nit or (number.startswith(nit) and len(number) == len(nit) + 1)
               for number in certificate_numbers(certificate))


def certificate_problems(
    certificate: x509.Certificate, trusted: Sequence[x509.Certificate], at: datetime
) -> list[tuple[str, str]]:
    """(rule, text) pairs: ZD07 outside the validity period, ZD05 not issued by a trusted CA."""
    problems = []
    if not certificate.not_valid_before_utc <= at <= certificate.not_valid_after_utc:
        problems.append(("ZD07", "Certificado aún no vigente o expirado."))
    if trusted and not any(_issued_by(certificate, ca, at) for ca in trusted):
        problems.append(("ZD05", "Cadena de confianza del certificado no pudo ser validada."))
    return problems


def _issued_by(certificate: x509.Certificate, ca: x509.Certificate, at: datetime) -> bool:
    if ca.subject != certificate.issuer or not ca.not_valid_before_utc <= at <= ca.not_valid_after_utc:
        return False
    try:
        certificate.verify_directly_issued_by(ca)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


def load_trust_store(path: Path | None) -> list[x509.Certificate]:
    return [] if path is None else x509.load_pem_x509_certificates(path.read_bytes())


def simulator_identity(state_dir: Path) -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
    """The key that signs this simulator's ApplicationResponses, created once and kept with the state,
    so answers stored before a restart still verify against the same certificate."""
    key_path, cert_path = state_dir / "dian-simulator-key.pem", state_dir / "dian-simulator-cert.pem"
    if key_path.exists() and cert_path.exists():
        key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
        if not isinstance(key, rsa.RSAPrivateKey):
            raise ValueError(f"{key_path} does not hold an RSA key")
        return key, x509.load_pem_x509_certificate(cert_path.read_bytes())
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "CO"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Unidad Especial Dirección de Impuestos y Aduanas Nacionales"),
        x509.NameAttribute(NameOID.SERIAL_NUMBER, "800197268"),
        x509.NameAttribute(NameOID.COMMON_NAME, "DIAN SIMULADOR COMPROBANTE"),
    ])
    # A wide validity: tests run the simulator on fake clocks, and its answers must verify at any of them.
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(datetime(2000, 1, 1, tzinfo=UTC)).not_valid_after(datetime(2100, 1, 1, tzinfo=UTC))
        .sign(key, hashes.SHA256())
    )
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    key_path.chmod(0o600)
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return key, cert
