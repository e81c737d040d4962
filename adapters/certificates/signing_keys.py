"""Loads each issuer's signing identity from its .p12 once and keeps it while the file is unchanged.

Parsing a PKCS#12 and choosing the right pair costs milliseconds of CPU per call; a worker signs
thousands of documents with the same certificate, and a renewed certificate is picked up by
replacing the file, without a restart. Shared by every country.
"""

import threading
from datetime import datetime
from pathlib import Path
from typing import Protocol

from adapters.certificates.pkcs12 import CertificateError, SigningIdentity, load_signing_identity
from domain.errors import ConfigurationError


class HasCertificate(Protocol):
    @property
    def certificate_path(self) -> Path: ...

    def certificate_password(self) -> str: ...


class SigningKeys:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._cache: dict[str, tuple[float, SigningIdentity]] = {}

    def identity(self, issuer: HasCertificate, tax_id: str, at: datetime, *,
                 expected_ruc: str | None = None) -> SigningIdentity:
        """``expected_ruc``: Ecuador checks the certificate carries the issuer's RUC."""
        try:
            mtime = issuer.certificate_path.stat().st_mtime
        except OSError as exc:
            raise ConfigurationError(f"certificate of {tax_id} not readable: {exc}") from exc
        with self._lock:
            cached = self._cache.get(tax_id)
            if cached is not None and cached[0] == mtime and cached[1].certificate.not_valid_after_utc > at:
                return cached[1]
            try:
                identity = load_signing_identity(issuer.certificate_path.read_bytes(), issuer.certificate_password(),
                                                 at=at, expected_ruc=expected_ruc)
            except (CertificateError, OSError) as exc:
                raise ConfigurationError(f"certificate of {tax_id}: {exc}") from exc
            self._cache[tax_id] = (mtime, identity)
            return identity
