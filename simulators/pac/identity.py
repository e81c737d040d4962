"""The simulator's own "SAT" certificate, which signs every timbre (SelloSAT) it issues.

Real timbres are sealed with a SAT certificate that our clients download by NoCertificadoSAT
(reference §8.1). The simulator cannot use the SAT's key, so it makes a SAT-shaped certificate of its
own on first start and keeps it in the state directory: timbres issued before a restart still verify
after it. Each instance (each PAC of a failover test) gets its own number. Clients fetch it from
``GET /admin/sat-certificate`` and add it to their trust list.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from adapters.certificates.test_pki import TestCA
from adapters.mexico.csd import certificate_number
from adapters.mexico.test_csd import make_sat_test_ca, make_test_csd

_KEY_FILE = "sat-timbre-key.pem"
_CERT_FILE = "sat-timbre.cer"


@dataclass(frozen=True)
class SatIdentity:
    certificate: x509.Certificate
    private_key: rsa.RSAPrivateKey

    @property
    def number(self) -> str:
        return certificate_number(self.certificate)

    @property
    def pem(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.PEM)

    def sign(self, data: bytes) -> bytes:
        return self.private_key.sign(data, padding.PKCS1v15(), hashes.SHA256())


def load_or_create(state_dir: Path, *, pac_rfc: str, key: rsa.RSAPrivateKey | None = None,
                   ca_key: rsa.RSAPrivateKey | None = None) -> SatIdentity:
    """The identity kept in ``state_dir``, created on first use (tests pass cached keys to save time)."""
    key_path, cert_path = state_dir / _KEY_FILE, state_dir / _CERT_FILE
    if key_path.exists() and cert_path.exists():
        stored = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
        if not isinstance(stored, rsa.RSAPrivateKey):
            raise ValueError(f"{key_path} is not an RSA key")
        return SatIdentity(x509.load_der_x509_certificate(cert_path.read_bytes()), stored)
    state_dir.mkdir(parents=True, exist_ok=True)
    key = key or rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca: TestCA = make_sat_test_ca("AC SIMULADOR SAT",
                                  key=ca_key or rsa.generate_private_key(public_exponent=65537, key_size=2048))
    number = f"3000100000050000{secrets.randbelow(10_000):04d}"
    csd = make_test_csd(ca, rfc=pac_rfc, legal_name="SAT SIMULADOR", certificate_number=number,
                        valid_days=20 * 365, branch=f"PAC{pac_rfc}", key=key)
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    key_path.chmod(0o600)
    cert_path.write_bytes(csd.cer)
    return SatIdentity(csd.certificate, key)
