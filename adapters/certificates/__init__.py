"""Signing certificates: PKCS#12 loading and identity selection (reference §11)."""

from adapters.certificates.pkcs12 import CertificateError, SigningIdentity, load_signing_identity

__all__ = ["CertificateError", "SigningIdentity", "load_signing_identity"]
