"""SRI simulator: the independent XAdES-BES verifier (reference §10)."""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime, timedelta, timezone

import pytest
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from lxml import etree

from simulators.sri import testkit
from simulators.sri.signature import verify_xades_bes

DS = testkit.DS
ETSI = testkit.ETSI


@pytest.fixture(scope="module")
def ca() -> testkit.Identity:
    return testkit.make_ca()


@pytest.fixture(scope="module")
def signer(ca: testkit.Identity) -> testkit.Identity:
    return testkit.make_signer(ca)


@pytest.fixture(scope="module")
def signed(signer: testkit.Identity) -> bytes:
    return testkit.sign(testkit.build_factura(), signer)


def _verify(xml: bytes, ca: testkit.Identity | None = None, at: datetime | None = None) -> list[str]:
    return verify_xades_bes(xml, trusted_cas=[ca.certificate] if ca else [], at=at or datetime.now(UTC))


def test_valid_signature(signed: bytes, ca: testkit.Identity) -> None:
    assert _verify(signed, ca) == []
    assert _verify(signed) == []  # no trust store: chain not required


def test_sha256_variant_is_accepted(signer: testkit.Identity, ca: testkit.Identity) -> None:
    assert _verify(testkit.sign(testkit.build_factura(), signer, algorithm="sha256"), ca) == []


def test_nota_credito_signature(signer: testkit.Identity, ca: testkit.Identity) -> None:
    assert _verify(testkit.sign(testkit.build_nota_credito(), signer), ca) == []


def test_tampered_content_fails_the_comprobante_digest(signed: bytes) -> None:
    problems = _verify(testkit.tamper(signed))
    assert problems
    assert "#comprobante" in problems[0]


def test_whitespace_after_signing_breaks_it(signed: bytes) -> None:
    # Pretty-printing after signing is a classic cause of 39 (§10.6).
    assert _verify(signed.replace(b"<infoFactura>", b"<infoFactura>\n  ", 1))


def test_tampered_signed_properties(signed: bytes) -> None:
    root = etree.fromstring(signed)
    signing_time = root.find(f".//{{{ETSI}}}SigningTime")
    assert signing_time is not None
    signing_time.text = "2020-01-01T00:00:00-05:00"
    problems = _verify(etree.tostring(root))
    assert any("SignedProperties" in p for p in problems)


def test_tampered_signature_value(signed: bytes) -> None:
    root = etree.fromstring(signed)
    value = root.find(f".//{{{DS}}}SignatureValue")
    assert value is not None
    raw = bytearray(base64.b64decode(value.text or ""))
    raw[10] ^= 0xFF
    value.text = base64.b64encode(bytes(raw)).decode()
    assert any("SignatureValue" in p for p in _verify(etree.tostring(root)))


def test_certificate_not_yet_valid_and_expired(ca: testkit.Identity) -> None:
    now = datetime.now(UTC)
    future = testkit.make_signer(ca, not_before=now + timedelta(days=2), not_after=now + timedelta(days=30))
    problems = _verify(testkit.sign(testkit.build_factura(), future, signing_time=now), ca)
    assert any("aún no es válido" in p for p in problems)
    old = testkit.make_signer(ca, not_before=now - timedelta(days=30), not_after=now - timedelta(days=1))
    problems = _verify(testkit.sign(testkit.build_factura(), old), ca)
    assert any("caducado" in p for p in problems)


def test_certificate_without_digital_signature_usage(ca: testkit.Identity) -> None:
    encryption_only = testkit.make_signer(ca, digital_signature=False)
    problems = _verify(testkit.sign(testkit.build_factura(), encryption_only), ca)
    assert any("firma digital" in p for p in problems)


def test_untrusted_issuer(signed: bytes) -> None:
    problems = _verify(signed, testkit.make_ca("OTRA AC"))
    assert any("entidad de certificación" in p for p in problems)


def test_same_name_different_key_ca_is_not_trusted(signed: bytes) -> None:
    # An impostor CA with the same subject name: the certificate's signature must not verify.
    impostor = testkit.make_ca("AC SIMULADA DE PRUEBAS")
    assert any("entidad de certificación" in p for p in _verify(signed, impostor))


def test_swapped_modulus_and_exponent(signer: testkit.Identity) -> None:
    # Passes Recepción at the SRI but fails Autorización with 39 (§10.2).
    xml = testkit.sign(testkit.build_factura(), signer, swap_modulus_exponent=True)
    assert any("RSAKeyValue" in p for p in _verify(xml))


def test_signing_time_after_now(signer: testkit.Identity) -> None:
    later = datetime.now(UTC) + timedelta(hours=1)
    problems = _verify(testkit.sign(testkit.build_factura(), signer, signing_time=later))
    assert any("posterior a la fecha actual" in p for p in problems)


def test_unsigned_document() -> None:
    assert "no está firmado" in _verify(testkit.build_factura())[0]


def test_duplicate_ids_are_refused(signed: bytes) -> None:
    # Signature wrapping: a second element carrying id="comprobante".
    xml = signed.replace(
        b"<infoAdicional>", b'<infoAdicional><campoAdicional id="comprobante" nombre="x">y</campoAdicional>', 1
    )
    assert "duplicado" in _verify(xml)[0]


def test_missing_key_info_reference(signer: testkit.Identity) -> None:
    root = etree.fromstring(testkit.sign(testkit.build_factura(), signer))
    signed_info = root.find(f".//{{{DS}}}SignedInfo")
    assert signed_info is not None
    references = signed_info.findall(f"{{{DS}}}Reference")
    signed_info.remove(references[1])  # the KeyInfo reference
    problems = _verify(etree.tostring(root))
    assert any("ds:KeyInfo no está firmado" in p for p in problems)


def test_enveloped_transform_keeps_text_after_the_signature(signer: testkit.Identity) -> None:
    # Text after ds:Signature belongs to the root's content and stays in the digest.
    xml = testkit.sign(testkit.build_factura(), signer).replace(
        b"</ds:Signature></factura>", b"</ds:Signature>\n</factura>"
    )
    assert _verify(xml)  # the newline was not there when signing: digest must differ
    root = etree.fromstring(testkit.build_factura())
    root[-1].tail = "\n"
    signed = testkit.sign(etree.tostring(root), signer)
    assert _verify(signed) == []


def test_document_signed_by_xmlsec_verifies(ca: testkit.Identity, signer: testkit.Identity) -> None:
    """Interoperability with the product's signing library (xmlsec), per §10.4 template."""
    xmlsec = pytest.importorskip("xmlsec")
    root = etree.fromstring(testkit.build_factura())
    signature = etree.SubElement(root, f"{{{DS}}}Signature", {"Id": "Signature1"}, nsmap={"ds": DS, "etsi": ETSI})
    signed_info = etree.SubElement(signature, f"{{{DS}}}SignedInfo")
    etree.SubElement(
        signed_info, f"{{{DS}}}CanonicalizationMethod", Algorithm="http://www.w3.org/TR/2001/REC-xml-c14n-20010315"
    )
    etree.SubElement(signed_info, f"{{{DS}}}SignatureMethod", Algorithm=DS + "rsa-sha1")
    for uri, attributes, enveloped in (
        ("#SignedProperties1", {"Type": "http://uri.etsi.org/01903#SignedProperties"}, False),
        ("#Certificate1", {}, False),
        ("#comprobante", {"Id": "Reference1"}, True),
    ):
        reference = etree.SubElement(signed_info, f"{{{DS}}}Reference", attributes, URI=uri)
        if enveloped:
            transforms = etree.SubElement(reference, f"{{{DS}}}Transforms")
            etree.SubElement(transforms, f"{{{DS}}}Transform", Algorithm=DS + "enveloped-signature")
        etree.SubElement(reference, f"{{{DS}}}DigestMethod", Algorithm=DS + "sha1")
        etree.SubElement(reference, f"{{{DS}}}DigestValue")
    etree.SubElement(signature, f"{{{DS}}}SignatureValue")
    key_info = etree.SubElement(signature, f"{{{DS}}}KeyInfo", Id="Certificate1")
    der = signer.certificate.public_bytes(Encoding.DER)
    x509_data = etree.SubElement(key_info, f"{{{DS}}}X509Data")
    etree.SubElement(x509_data, f"{{{DS}}}X509Certificate").text = base64.b64encode(der).decode()
    qualifying = etree.SubElement(
        etree.SubElement(signature, f"{{{DS}}}Object"), f"{{{ETSI}}}QualifyingProperties", Target="#Signature1"
    )
    properties = etree.SubElement(qualifying, f"{{{ETSI}}}SignedProperties", Id="SignedProperties1")
    signature_properties = etree.SubElement(properties, f"{{{ETSI}}}SignedSignatureProperties")
    etree.SubElement(signature_properties, f"{{{ETSI}}}SigningTime").text = datetime.now(
        timezone(timedelta(hours=-5))
    ).isoformat(timespec="seconds")
    cert = etree.SubElement(etree.SubElement(signature_properties, f"{{{ETSI}}}SigningCertificate"), f"{{{ETSI}}}Cert")
    digest = etree.SubElement(cert, f"{{{ETSI}}}CertDigest")
    etree.SubElement(digest, f"{{{DS}}}DigestMethod", Algorithm=DS + "sha1")
    etree.SubElement(digest, f"{{{DS}}}DigestValue").text = base64.b64encode(hashlib.sha1(der).digest()).decode()

    context = xmlsec.SignatureContext()
    pem = signer.key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
    context.key = xmlsec.Key.from_memory(pem, xmlsec.constants.KeyDataFormatPem)
    context.register_id(root, "id")
    context.register_id(properties, "Id")
    context.register_id(key_info, "Id")
    context.sign(signature)
    xml = b'<?xml version="1.0" encoding="UTF-8"?>\n' + etree.tostring(root, encoding="UTF-8", xml_declaration=False)

    assert _verify(xml, ca) == []
    assert _verify(testkit.tamper(xml), ca)
