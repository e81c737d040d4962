"""Throw-away SAT-shaped certificates for tests, the demo and the PAC simulator's own "SAT" identity.

Never use real CSDs in tests. What is reproduced from the SAT's (reference §7.4): the serial number
whose bytes are the 20 ASCII digits of NoCertificado, ``x500UniqueIdentifier = "RFC / RFC"``,
``serialNumber = " / CURP"``, the legal name with its régimen de capital in CN/O/name, the branch in
OU, only basicConstraints + keyUsage (a CSD, not a FIEL), and the ``.key`` as DER PKCS#8 encrypted
with a password (PBES2). Keys come from :func:`adapters.certificates.test_pki.cached_rsa_key` so a
test suite generates each RSA key once.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import ClassVar

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from adapters.certificates.test_pki import TestCA, cached_rsa_key
from adapters.mexico.csd import UNIQUE_IDENTIFIER_OID

__all__ = ["TestCsd", "make_sat_test_ca", "make_test_csd", "write_test_csd"]

_CA_VALID_FROM = datetime(2000, 1, 1, tzinfo=UTC)
_CA_VALID_UNTIL = datetime(2099, 12, 31, tzinfo=UTC)
_NAME_OID = x509.ObjectIdentifier("2.5.4.41")  # "name", which SAT certificates repeat next to CN
_serials = itertools.count(1)


@dataclass(frozen=True)
class TestCsd:
    """A generated CSD: the .cer (DER), the encrypted .key (DER PKCS#8) and its password."""

    __test__: ClassVar[bool] = False  # not a pytest test class despite the name

    cer: bytes
    key: bytes
    password: str
    certificate: x509.Certificate
    private_key: rsa.RSAPrivateKey

    @property
    def certificate_pem(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.PEM)


def make_sat_test_ca(name: str = "AC PRUEBAS COMPROBANTE MX", *, key: rsa.RSAPrivateKey | None = None) -> TestCA:
    """A self-signed CA standing in for the SAT's certification authority."""
    ca_key = key or cached_rsa_key(f"mx-ca:{name}")
    subject = x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "MX"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "PRUEBAS COMPROBANTE"),
        x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "AUTORIDAD CERTIFICADORA DE PRUEBAS"),
        x509.NameAttribute(NameOID.COMMON_NAME, name),
    ])
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(_CA_VALID_FROM)
        .not_valid_after(_CA_VALID_UNTIL)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(ca=True), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    return TestCA(key=ca_key, cert=cert)


def make_test_csd(
    ca: TestCA,
    *,
    rfc: str,
    legal_name: str,
    password: str = "12345678a",
    certificate_number: str | None = None,
    valid_from: datetime | None = None,
    valid_days: int = 4 * 365,
    branch: str = "Sucursal 1",
    key: rsa.RSAPrivateKey | None = None,
) -> TestCsd:
    """A CSD for ``rfc`` signed by ``ca``; ``certificate_number`` defaults to a fresh 20-digit number."""
    number = certificate_number or f"{30001000000700000000 + next(_serials):020d}"
    if len(number) != 20 or not number.isdigit():
        raise ValueError("a certificate number has 20 digits")
    private_key = key or cached_rsa_key(f"mx-csd:{rfc}:{branch}")
    start = valid_from or datetime.now(UTC) - timedelta(days=30)
    subject = x509.Name([
        x509.NameAttribute(NameOID.COMMON_NAME, legal_name),
        x509.NameAttribute(_NAME_OID, legal_name),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, legal_name),
        x509.NameAttribute(UNIQUE_IDENTIFIER_OID, f"{rfc} / XAXX010101000"),
        x509.NameAttribute(NameOID.SERIAL_NUMBER, " / XEXX010101HNEXXXA4"),
        x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, branch),
    ])
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(ca.cert.subject)
        .public_key(private_key.public_key())
        .serial_number(int.from_bytes(number.encode("ascii"), "big"))
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=valid_days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(ca=False), critical=True)
        .sign(ca.key, hashes.SHA256())
    )
    encrypted = private_key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(password.encode("utf-8")),
    )
    return TestCsd(
        cer=certificate.public_bytes(serialization.Encoding.DER),
        key=encrypted,
        password=password,
        certificate=certificate,
        private_key=private_key,
    )


def write_test_csd(csd: TestCsd, directory: Path, stem: str) -> tuple[Path, Path, Path]:
    """Write ``stem.cer``, ``stem.key`` and ``stem.password`` (the password file an issuer profile names)."""
    directory.mkdir(parents=True, exist_ok=True)
    cer, key, password = directory / f"{stem}.cer", directory / f"{stem}.key", directory / f"{stem}.password"
    cer.write_bytes(csd.cer)
    key.write_bytes(csd.key)
    password.write_text(csd.password + "\n", encoding="utf-8")
    return cer, key, password


def _key_usage(*, ca: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=not ca,
        content_commitment=not ca,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=ca,
        crl_sign=ca,
        encipher_only=False,
        decipher_only=False,
    )
