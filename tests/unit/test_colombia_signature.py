"""XAdES-EPES signing of DIAN documents (reference §5), verified here WITHOUT xmlsec: lxml C14N and
``cryptography`` only, following the policy step by step, so a signer bug cannot verify itself."""

from __future__ import annotations

import base64
import hashlib
from datetime import timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from lxml import etree

from adapters.colombia.namespaces import CBC, DS, EXT, XADES
from adapters.colombia.xades_epes import POLICY_URL, SigningError, sign_ubl
from tests.unit.test_colombia_samples import ISSUED_AT, identity, invoice, signed

C14N = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"
POLICY_SHA256 = "dMoMvtcG5aIzgYo0tIsSQeVJBDnUnfSOfBpxXrmor0Y="


def d(tag: str) -> str:
    return f"{{{DS}}}{tag}"


def x(tag: str) -> str:
    return f"{{{XADES}}}{tag}"


def by_id(root: etree._Element, value: str) -> etree._Element:
    [found] = [e for e in root.iter() if isinstance(e.tag, str) and e.get("Id") == value]
    return found


def verify(xml: bytes) -> x509.Certificate:
    """Independent XAdES-EPES verification; raises AssertionError on any mismatch."""
    root = etree.fromstring(xml)
    signature = root.find(f"{{{EXT}}}UBLExtensions/{{{EXT}}}UBLExtension[2]/{{{EXT}}}ExtensionContent/{d('Signature')}")
    assert signature is not None, "signature not in UBLExtension[2]"
    signed_info = signature.find(d("SignedInfo"))
    assert signed_info is not None
    assert signed_info.find(d("CanonicalizationMethod")).get("Algorithm") == C14N  # type: ignore[union-attr]
    certificate = x509.load_der_x509_certificate(
        base64.b64decode(signature.findtext(f"{d('KeyInfo')}/{d('X509Data')}/{d('X509Certificate')}") or ""))
    references = signed_info.findall(d("Reference"))
    assert references[0].get("URI") == ""
    for reference in references:
        uri = reference.get("URI") or ""
        assert reference.find(d("DigestMethod")).get("Algorithm") == (  # type: ignore[union-attr]
            "http://www.w3.org/2001/04/xmlenc#sha256")
        if uri == "":
            # Enveloped: the whole document without the ds:Signature element.
            parent = signature.getparent()
            assert parent is not None
            parent.remove(signature)
            octets = etree.tostring(root, method="c14n")
            parent.append(signature)
        else:
            octets = etree.tostring(by_id(root, uri[1:]), method="c14n")  # in context: inherited namespaces
        expected = base64.b64decode(reference.findtext(d("DigestValue")) or "")
        assert hashlib.sha256(octets).digest() == expected, f"digest of {uri or 'the document'}"
    public_key = certificate.public_key()
    assert isinstance(public_key, rsa.RSAPublicKey)
    public_key.verify(base64.b64decode(signature.findtext(d("SignatureValue")) or ""),
                      etree.tostring(signed_info, method="c14n"), padding.PKCS1v15(), hashes.SHA256())
    return certificate


def test_signature_verifies_independently_and_follows_the_policy() -> None:
    xml = signed(invoice())
    certificate = verify(xml)
    assert certificate.serial_number == identity().serial_number
    root = etree.fromstring(xml)
    signature = root.find(f".//{d('Signature')}")
    assert signature is not None
    ids = signature.get("Id")
    assert [r.get("URI") for r in signature.iter(d("Reference"))] == ["", f"#{ids}-keyinfo", f"#{ids}-signedprops"]
    assert signature.find(f"{d('SignedInfo')}/{d('SignatureMethod')}").get("Algorithm") == (  # type: ignore[union-attr]
        "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256")
    properties = signature.find(f".//{x('SignedSignatureProperties')}")
    assert properties is not None
    assert [etree.QName(c).localname for c in properties] == [
        "SigningTime", "SigningCertificate", "SignaturePolicyIdentifier", "SignerRole"]
    assert properties.findtext(x("SigningTime")) == "2026-03-10T10:00:00.000-05:00"
    policy = properties.find(f"{x('SignaturePolicyIdentifier')}/{x('SignaturePolicyId')}")
    assert policy is not None
    assert policy.findtext(f"{x('SigPolicyId')}/{x('Identifier')}") == POLICY_URL
    assert policy.findtext(f"{x('SigPolicyHash')}/{d('DigestValue')}") == POLICY_SHA256
    assert properties.findtext(f"{x('SignerRole')}/{x('ClaimedRoles')}/{x('ClaimedRole')}") == "supplier"
    cert_digest = properties.findtext(f".//{x('CertDigest')}/{d('DigestValue')}")
    assert cert_digest == base64.b64encode(hashlib.sha256(identity().certificate_der).digest()).decode()
    assert b"\n" not in xml.split(b"?>", 1)[1]  # no pretty-printing anywhere (policy §16)


@pytest.mark.parametrize("tamper", ["amount", "signed_property", "key_info"])
def test_tampering_breaks_the_signature(tamper: str) -> None:
    root = etree.fromstring(signed(invoice()))
    if tamper == "amount":
        payable = root.find(f".//{{{CBC}}}PayableAmount")
        assert payable is not None
        payable.text = "1.00"
    elif tamper == "signed_property":
        role = root.find(f".//{x('ClaimedRole')}")
        assert role is not None
        role.text = "third party"
    else:
        key_info = root.find(f".//{d('KeyInfo')}")
        assert key_info is not None
        key_info.set("Id", key_info.get("Id", "") + "x")
        signed_info = root.find(f".//{d('SignedInfo')}")
        assert signed_info is not None
        signed_info[3].set("URI", "#" + key_info.get("Id", ""))  # follow the reference, digest stays old
    with pytest.raises(AssertionError):
        verify(etree.tostring(root))


def test_issue_date_must_be_the_signing_date() -> None:
    with pytest.raises(SigningError, match="FAD09e"):
        sign_ubl(invoice().xml, identity(), signing_time=ISSUED_AT + timedelta(days=1))


def test_refuses_signed_or_placeholder_less_documents() -> None:
    xml = signed(invoice())
    with pytest.raises(SigningError, match="already signed"):
        sign_ubl(xml, identity(), signing_time=ISSUED_AT)
    root = etree.fromstring(invoice().xml)
    extensions = root.find(f"{{{EXT}}}UBLExtensions")
    assert extensions is not None
    extensions[1].find(f"{{{EXT}}}ExtensionContent").append(etree.Element("other"))  # type: ignore[union-attr]
    with pytest.raises(SigningError, match="empty"):
        sign_ubl(etree.tostring(root), identity(), signing_time=ISSUED_AT)


def test_sha512_variant_pairs_the_policy_hash_with_its_algorithm() -> None:
    xml = sign_ubl(invoice().xml, identity(), signing_time=ISSUED_AT, algorithm="sha512")
    root = etree.fromstring(xml)
    policy_hash = root.find(f".//{x('SigPolicyHash')}")
    assert policy_hash is not None
    assert policy_hash.find(d("DigestMethod")).get("Algorithm") == (  # type: ignore[union-attr]
        "http://www.w3.org/2001/04/xmlenc#sha512")
    assert policy_hash.findtext(d("DigestValue", )).startswith("Zcjw1Z9nGQn2j6")  # type: ignore[union-attr]
