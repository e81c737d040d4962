"""Which CSD certificates the simulated PAC accepts (PAC codes 304/306/308, reference §4.6).

The trust list holds CA certificates (tests issue their CSDs from a throw-away CA) and may also hold
end-entity certificates, which are then trusted as themselves. That is how the SAT's public test CSD
(EKU9003173C9 in the vectors) is accepted: its issuer, the SAT's "AC UAT", is not published with it,
so the test certificate itself is put in the list. With an empty list every well-formed CSD is
accepted (a permissive demo mode, logged at start-up).
"""

from __future__ import annotations

from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes


class TrustStore:
    def __init__(self, certificates: list[x509.Certificate]) -> None:
        self.certificates = certificates
        self._pinned = {c.fingerprint(hashes.SHA256()) for c in certificates}

    @classmethod
    def from_files(cls, paths: list[Path]) -> TrustStore:
        certificates: list[x509.Certificate] = []
        for path in paths:
            data = path.read_bytes()
            if b"-----BEGIN" in data:
                certificates.extend(x509.load_pem_x509_certificates(data))
            else:
                certificates.append(x509.load_der_x509_certificate(data))
        return cls(certificates)

    def problem(self, certificate: x509.Certificate) -> str | None:
        """None when trusted, else why not."""
        if not self.certificates or certificate.fingerprint(hashes.SHA256()) in self._pinned:
            return None
        for authority in self.certificates:
            if authority.subject != certificate.issuer:
                continue
            try:
                certificate.verify_directly_issued_by(authority)
            except (ValueError, TypeError, InvalidSignature):
                continue
            return None
        return "the certificate was not issued by a trusted certification authority"
