"""The ApplicationResponse the simulated DIAN returns in XmlBase64Bytes (reference §2.9), signed with the
simulator's own DIAN key (XAdES, inclusive C14N, RSA-SHA256) by :mod:`simulators.dian.xmlsig`.

ResponseCode 02 "Documento validado por la DIAN" for an accepted document, 04 "Documento rechazado" for
a rejected one; every rule (rejections and notifications) becomes one LineResponse.
"""

from __future__ import annotations

import base64
import hashlib
import uuid
from collections.abc import Sequence
from datetime import datetime

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from lxml import etree

from simulators.dian import xmlsig
from simulators.dian.checks import BOGOTA, DIAN_NIT
from simulators.dian.document import CAC, CBC, EXT, Document
from simulators.dian.recompute import nit_check_digit
from simulators.dian.rules import RuleMessage
from simulators.dian.xades_check import POLICY_HASHES, POLICY_URL, XADES

AR_NS = "urn:oasis:names:specification:ubl:schema:xsd:ApplicationResponse-2"
STS = "dian:gov:co:facturaelectronica:Structures-2-1"
DIAN_NAME = "Unidad Especial Dirección de Impuestos y Aduanas Nacionales"
SIMULATOR_SOFTWARE_ID = "00000000-0000-4000-8000-0000000d1a40"
SIMULATOR_PIN = "dian-simulator"
_SHA256 = "http://www.w3.org/2001/04/xmlenc#sha256"
_RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
_AGENCY = {"schemeAgencyID": "195",
           "schemeAgencyName": "CO, DIAN (Dirección de Impuestos y Aduanas Nacionales)"}


def _sub(parent: etree._Element, namespace: str, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    element = etree.SubElement(parent, f"{{{namespace}}}{tag}", attrs)
    element.text = text
    return element


def _party(parent: etree._Element, tag: str, name: str, nit: str) -> None:
    scheme = _sub(_sub(parent, CAC, tag), CAC, "PartyTaxScheme")
    _sub(scheme, CBC, "RegistrationName", name)
    _sub(scheme, CBC, "CompanyID", nit, **_AGENCY, schemeID=nit_check_digit(nit), schemeName="31")
    tax = _sub(scheme, CAC, "TaxScheme")
    _sub(tax, CBC, "ID", "01")
    _sub(tax, CBC, "Name", "IVA")


def build_application_response(
    document: Document,
    *,
    accepted: bool,
    rules: Sequence[RuleMessage],
    sequence: int,
    now: datetime,
    key: rsa.RSAPrivateKey,
    certificate: x509.Certificate,
) -> bytes:
    local = now.astimezone(BOGOTA)
    nsmap = {None: AR_NS, "cac": CAC, "cbc": CBC, "ext": EXT, "sts": STS, "ds": xmlsig.DS, "xades": XADES}
    root = etree.Element(f"{{{AR_NS}}}ApplicationResponse", nsmap=nsmap)  # type: ignore[arg-type]
    extensions = _sub(root, EXT, "UBLExtensions")
    dian = _sub(_sub(_sub(extensions, EXT, "UBLExtension"), EXT, "ExtensionContent"), STS, "DianExtensions")
    source = _sub(dian, STS, "InvoiceSource")
    _sub(source, CBC, "IdentificationCode", "CO", listAgencyID="6",
         listAgencyName="United Nations Economic Commission for Europe",
         listSchemeURI="urn:oasis:names:specification:ubl:codelist:gc:CountryIdentificationCode-2.1")
    provider = _sub(dian, STS, "SoftwareProvider")
    _sub(provider, STS, "ProviderID", DIAN_NIT, **_AGENCY, schemeID="4", schemeName="31")
    _sub(provider, STS, "SoftwareID", SIMULATOR_SOFTWARE_ID, **_AGENCY)
    number = str(sequence)
    _sub(dian, STS, "SoftwareSecurityCode",
         hashlib.sha384(f"{SIMULATOR_SOFTWARE_ID}{SIMULATOR_PIN}{number}".encode()).hexdigest(), **_AGENCY)
    _sub(_sub(dian, STS, "AuthorizationProvider"), STS, "AuthorizationProviderID", DIAN_NIT, **_AGENCY,
         schemeID="4", schemeName="31")
    _sub(dian, STS, "QRCode", f"https://catalogo-vpfe-hab.dian.gov.co/document/searchqr?documentkey={document.uuid}")
    signature_slot = _sub(_sub(extensions, EXT, "UBLExtension"), EXT, "ExtensionContent")

    code = "02" if accepted else "04"
    issue_date, issue_time = local.date().isoformat(), local.strftime("%H:%M:%S") + "-05:00"
    # Event CUDE shape of reference §4.3, with the simulator's own PIN.
    cude = hashlib.sha384(
        f"{number}{issue_date}{issue_time}{DIAN_NIT}{document.supplier.company_id}{code}{document.number}"
        f"{document.type_code}{SIMULATOR_PIN}".encode()
    ).hexdigest()
    _sub(root, CBC, "UBLVersionID", "UBL 2.1")
    _sub(root, CBC, "CustomizationID", "1")
    _sub(root, CBC, "ProfileID", "DIAN 2.1")
    _sub(root, CBC, "ProfileExecutionID", document.environment)
    _sub(root, CBC, "ID", number)
    _sub(root, CBC, "UUID", cude, schemeID=document.environment, schemeName="CUDE-SHA384")
    _sub(root, CBC, "IssueDate", issue_date)
    _sub(root, CBC, "IssueTime", issue_time)
    _party(root, "SenderParty", DIAN_NAME, DIAN_NIT)
    _party(root, "ReceiverParty", document.supplier.name or document.supplier.company_id, document.supplier.company_id)
    response = _sub(root, CAC, "DocumentResponse")
    status = _sub(response, CAC, "Response")
    _sub(status, CBC, "ResponseCode", code)
    _sub(status, CBC, "Description", f"Documento {'validado' if accepted else 'rechazado'} por la DIAN")
    reference = _sub(response, CAC, "DocumentReference")
    _sub(reference, CBC, "ID", document.number)
    _sub(reference, CBC, "UUID", document.uuid, schemeName=document.uuid_scheme or "CUFE-SHA384")
    for index, message in enumerate(rules, start=1):
        line = _sub(response, CAC, "LineResponse")
        _sub(_sub(line, CAC, "LineReference"), CBC, "LineID", str(index))
        answer = _sub(line, CAC, "Response")
        _sub(answer, CBC, "ResponseCode", message.code)
        _sub(answer, CBC, "Description", message.text)
    _sign(root, signature_slot, key, certificate, local)
    return b'<?xml version="1.0" encoding="UTF-8"?>' + etree.tostring(root, encoding="UTF-8")


def _sign(
    root: etree._Element, slot: etree._Element, key: rsa.RSAPrivateKey, certificate: x509.Certificate, now: datetime
) -> None:
    ids = f"xmldsig-{uuid.uuid4()}"
    der = certificate.public_bytes(serialization.Encoding.DER)
    signature = _sub(slot, xmlsig.DS, "Signature", Id=ids)
    info = _sub(signature, xmlsig.DS, "SignedInfo")
    _sub(info, xmlsig.DS, "CanonicalizationMethod", Algorithm=xmlsig.C14N)
    _sub(info, xmlsig.DS, "SignatureMethod", Algorithm=_RSA_SHA256)
    for uri, transform, kind in (("", True, None), (f"#{ids}-keyinfo", False, None),
                                 (f"#{ids}-signedprops", False, "http://uri.etsi.org/01903#SignedProperties")):
        reference = _sub(info, xmlsig.DS, "Reference", URI=uri, **({"Type": kind} if kind else {}))
        if transform:
            _sub(_sub(reference, xmlsig.DS, "Transforms"), xmlsig.DS, "Transform", Algorithm=xmlsig.ENVELOPED)
        _sub(reference, xmlsig.DS, "DigestMethod", Algorithm=_SHA256)
        _sub(reference, xmlsig.DS, "DigestValue")
    _sub(signature, xmlsig.DS, "SignatureValue")
    key_info = _sub(signature, xmlsig.DS, "KeyInfo", Id=f"{ids}-keyinfo")
    _sub(_sub(key_info, xmlsig.DS, "X509Data"), xmlsig.DS, "X509Certificate", base64.b64encode(der).decode())
    qualifying = _sub(_sub(signature, xmlsig.DS, "Object"), XADES, "QualifyingProperties", Target=f"#{ids}")
    properties = _sub(qualifying, XADES, "SignedProperties", Id=f"{ids}-signedprops")
    signed = _sub(properties, XADES, "SignedSignatureProperties")
    _sub(signed, XADES, "SigningTime", now.isoformat(timespec="milliseconds"))
    cert = _sub(_sub(signed, XADES, "SigningCertificate"), XADES, "Cert")
    cert_digest = _sub(cert, XADES, "CertDigest")
    _sub(cert_digest, xmlsig.DS, "DigestMethod", Algorithm=_SHA256)
    _sub(cert_digest, xmlsig.DS, "DigestValue", base64.b64encode(hashlib.sha256(der).digest()).decode())
    issuer_serial = _sub(cert, XADES, "IssuerSerial")
    _sub(issuer_serial, xmlsig.DS, "X509IssuerName", certificate.issuer.rfc4514_string())
    _sub(issuer_serial, xmlsig.DS, "X509SerialNumber", str(certificate.serial_number))
    policy = _sub(_sub(signed, XADES, "SignaturePolicyIdentifier"), XADES, "SignaturePolicyId")
    _sub(_sub(policy, XADES, "SigPolicyId"), XADES, "Identifier", POLICY_URL)
    policy_hash = _sub(policy, XADES, "SigPolicyHash")
    _sub(policy_hash, xmlsig.DS, "DigestMethod", Algorithm=_SHA256)
    _sub(policy_hash, xmlsig.DS, "DigestValue", POLICY_HASHES[_SHA256])
    _sub(_sub(_sub(signed, XADES, "SignerRole"), XADES, "ClaimedRoles"), XADES, "ClaimedRole", "supplier")
    xmlsig.sign(signature, root, key)
