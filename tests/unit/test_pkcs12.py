"""Selecting the SRI signing identity from BCE-shaped PKCS#12 files (reference §11)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12

from adapters.certificates.pkcs12 import (
    CertificateError,
    SigningIdentity,
    certificate_rucs,
    load_signing_identity,
    parse_ber,
)
from adapters.certificates.test_pki import (
    P12Entry,
    TestCA,
    cached_rsa_key,
    issue_certificate,
    make_signing_p12,
    make_test_ca,
    pack_p12,
)

RUC = "1792146739001"
PASSWORD = "clave-de-prueba"
VALID_FROM = datetime(2025, 1, 1, tzinfo=UTC)  # + 730 days = 2027-01-01
NOW = datetime(2026, 1, 15, 15, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def ca() -> TestCA:
    return make_test_ca()


@pytest.fixture(scope="module")
def bce_like_p12(ca: TestCA) -> bytes:
    return make_signing_p12(
        ca, ruc=RUC, holder="EMPRESA DE PRUEBA S.A.", password=PASSWORD, valid_from=VALID_FROM
    )


def _spki(public_key: object) -> bytes:
    assert hasattr(public_key, "public_bytes")
    encoded: bytes = public_key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return encoded


def _key_usage(cert: x509.Certificate) -> x509.KeyUsage:
    return cert.extensions.get_extension_for_class(x509.KeyUsage).value


def test_plain_load_pkcs12_returns_the_decryption_key_first(bce_like_p12: bytes) -> None:
    # The trap this module exists for: cryptography hands back the first key, the wrong one.
    bundle = pkcs12.load_pkcs12(bce_like_p12, PASSWORD.encode())
    assert bundle.cert is not None
    assert bundle.cert.friendly_name == b"Decryption Key"
    assert not _key_usage(bundle.cert.certificate).digital_signature


def test_selects_the_signing_pair_from_a_two_pair_file(bce_like_p12: bytes, ca: TestCA) -> None:
    identity = load_signing_identity(bce_like_p12, PASSWORD, at=NOW, expected_ruc=RUC)

    usage = _key_usage(identity.certificate)
    assert usage.digital_signature
    assert usage.content_commitment
    assert not usage.key_encipherment
    assert _spki(identity.private_key.public_key()) == _spki(identity.certificate.public_key())
    assert _spki(identity.private_key.public_key()) == _spki(cached_rsa_key(f"signing:{RUC}").public_key())
    assert identity.chain == (ca.cert,)
    assert identity.not_valid_after == datetime(2027, 1, 1, tzinfo=UTC)
    assert "private_key" not in repr(identity)


def test_single_pair_file_without_encryption_pair(ca: TestCA) -> None:
    p12 = make_signing_p12(
        ca, ruc=RUC, holder="X", password=PASSWORD, valid_from=VALID_FROM, with_encryption_pair=False
    )
    identity = load_signing_identity(p12, PASSWORD, at=NOW)
    assert _key_usage(identity.certificate).digital_signature


@pytest.mark.parametrize("password", ["otra-clave", ""])
def test_wrong_password_is_reported_clearly(bce_like_p12: bytes, password: str) -> None:
    with pytest.raises(CertificateError, match="wrong password or not a PKCS#12 file"):
        load_signing_identity(bce_like_p12, password, at=NOW)


def test_not_a_pkcs12_file(ca: TestCA) -> None:
    with pytest.raises(CertificateError, match="wrong password or not a PKCS#12 file"):
        load_signing_identity(ca.cert.public_bytes(serialization.Encoding.DER), PASSWORD, at=NOW)


def test_expired_certificate(bce_like_p12: bytes) -> None:
    with pytest.raises(CertificateError, match="certificate expired on 2027-01-01"):
        load_signing_identity(bce_like_p12, PASSWORD, at=datetime(2027, 6, 1, tzinfo=UTC))


def test_certificate_not_yet_valid(bce_like_p12: bytes) -> None:
    with pytest.raises(CertificateError, match="not valid before 2025-01-01"):
        load_signing_identity(bce_like_p12, PASSWORD, at=datetime(2024, 6, 1, tzinfo=UTC))


def test_ruc_mismatch(bce_like_p12: bytes) -> None:
    with pytest.raises(
        CertificateError, match="certificate RUC 1792146739001 does not match issuer 1790000000001"
    ):
        load_signing_identity(bce_like_p12, PASSWORD, at=NOW, expected_ruc="1790000000001")


def test_no_certificate_allows_signing(ca: TestCA) -> None:
    p12 = make_signing_p12(
        ca, ruc=RUC, holder="X", password=PASSWORD, valid_from=VALID_FROM, key_usage_signing=False
    )
    with pytest.raises(CertificateError, match="no certificate in the file allows digital signatures"):
        load_signing_identity(p12, PASSWORD, at=NOW)


def test_renewed_file_picks_the_newest_valid_certificate(ca: TestCA) -> None:
    old_key, new_key = cached_rsa_key("renewal:old"), cached_rsa_key("renewal:new")
    old = issue_certificate(ca, key=old_key, ruc=RUC, holder="X", valid_from=datetime(2024, 3, 1, tzinfo=UTC))
    new = issue_certificate(
        ca, key=new_key, ruc=RUC, holder="X", valid_from=datetime(2025, 11, 1, tzinfo=UTC)
    )
    p12 = pack_p12(
        [P12Entry("Signing Key", old_key, old), P12Entry("Signing Key", new_key, new)],
        password=PASSWORD,
        cas=[ca.cert],
    )
    assert load_signing_identity(p12, PASSWORD, at=NOW).certificate == new
    # Before the renewal only the old one is valid.
    assert load_signing_identity(p12, PASSWORD, at=datetime(2025, 6, 1, tzinfo=UTC)).certificate == old


def test_ruc_found_in_extension_and_ten_digit_serial_ignored(bce_like_p12: bytes) -> None:
    identity = load_signing_identity(bce_like_p12, PASSWORD, at=NOW)
    assert certificate_rucs(identity.certificate) == frozenset({RUC})
    assert identity.rucs == frozenset({RUC})


def test_issuer_name_is_rfc4514_without_e_equals(bce_like_p12: bytes) -> None:
    identity: SigningIdentity = load_signing_identity(bce_like_p12, PASSWORD, at=NOW)
    email_ia5 = bytes([0x16, len(b"pki@pruebas.invalid")]) + b"pki@pruebas.invalid"
    assert identity.issuer_name == (
        "CN=AC PRUEBAS COMPROBANTE,"
        f"1.2.840.113549.1.9.1=#{email_ia5.hex()},"
        "OU=ENTIDAD DE CERTIFICACION DE PRUEBAS,"
        r"O=PRUEBAS COMPROBANTE\, S.A.,"
        "L=QUITO,C=EC"
    )
    assert not any(part.startswith("E=") for part in identity.issuer_name.split(","))


def test_naive_time_is_rejected(bce_like_p12: bytes) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        load_signing_identity(bce_like_p12, PASSWORD, at=datetime(2026, 1, 15))


def test_ber_reader_handles_indefinite_and_constructed_encodings() -> None:
    # Java and Windows write PKCS#12 with indefinite lengths and segmented OCTET STRINGs.
    node = parse_ber(bytes.fromhex("3080" + "2480" + "040161" + "040162" + "0000" + "0000"))
    (octets,) = node.children()
    assert octets.octets() == b"ab"
    assert parse_ber(bytes.fromhex("06092a864886f70d010701")).oid() == "1.2.840.113549.1.7.1"
