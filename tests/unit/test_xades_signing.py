"""XAdES-BES signing of SRI comprobantes (reference §10), checked by an independent verifier."""

from __future__ import annotations

import base64
import copy
import hashlib
import os
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import xmlsec
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from lxml import etree

from adapters.certificates.pkcs12 import SigningIdentity, load_signing_identity
from adapters.certificates.test_pki import cached_rsa_key, make_signing_p12, make_test_ca
from adapters.ecuador.xades import DS_NS, ETSI_NS, SigningError, sign_comprobante

RUC = "1792146739001"
PASSWORD = "clave-de-prueba"
SIGNING_TIME = datetime(2026, 1, 15, 15, 30, 5, 123456, tzinfo=UTC)
DS = f"{{{DS_NS}}}"
ETSI = f"{{{ETSI_NS}}}"

_DIGESTS: dict[str, Callable[[bytes], Any]] = {
    "http://www.w3.org/2000/09/xmldsig#sha1": hashlib.sha1,
    "http://www.w3.org/2001/04/xmlenc#sha256": hashlib.sha256,
}
_SIGNATURE_HASHES: dict[str, hashes.HashAlgorithm] = {
    "http://www.w3.org/2000/09/xmldsig#rsa-sha1": hashes.SHA1(),
    "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256": hashes.SHA256(),
}


def _find(element: etree._Element, path: str) -> etree._Element:
    found = element.find(path)
    assert found is not None, path
    return found


def _text(element: etree._Element, path: str) -> str:
    return _find(element, path).text or ""


def _attr(element: etree._Element, name: str) -> str:
    value = element.get(name)
    assert value is not None, name
    return value


@pytest.fixture(scope="module")
def identity() -> SigningIdentity:
    ca = make_test_ca()
    p12 = make_signing_p12(
        ca,
        ruc=RUC,
        holder="EMPRESA DE PRUEBA S.A.",
        password=PASSWORD,
        valid_from=datetime(2025, 1, 1, tzinfo=UTC),
    )
    return load_signing_identity(p12, PASSWORD, at=SIGNING_TIME, expected_ruc=RUC)


# --------------------------------------------------------------------------------------------
# Documents (after reference §4.3, as factura 1.1.0)
# --------------------------------------------------------------------------------------------

Node = tuple[str, "str | list[Node]"]


def _build(parent: etree._Element, children: list[Node]) -> None:
    for tag, content in children:
        element = etree.SubElement(parent, tag)
        if isinstance(content, str):
            element.text = content
        else:
            _build(element, content)


def _info_tributaria(cod_doc: str) -> Node:
    return (
        "infoTributaria",
        [
            ("ambiente", "1"),
            ("tipoEmision", "1"),
            ("razonSocial", "EMPRESA DE PRUEBA S.A."),
            ("nombreComercial", "PRUEBA"),
            ("ruc", RUC),
            ("claveAcceso", "1501202601179214673900110010010000001231234567813"),
            ("codDoc", cod_doc),
            ("estab", "001"),
            ("ptoEmi", "001"),
            ("secuencial", "000000123"),
            ("dirMatriz", "AV. AMAZONAS N1-23 Y COLON"),
        ],
    )


def _impuesto(codigo_porcentaje: str, tarifa: str, base: str, valor: str) -> Node:
    return (
        "impuesto",
        [
            ("codigo", "2"),
            ("codigoPorcentaje", codigo_porcentaje),
            ("tarifa", tarifa),
            ("baseImponible", base),
            ("valor", valor),
        ],
    )


def _total_impuesto(codigo_porcentaje: str, base: str, tarifa: str, valor: str) -> Node:
    return (
        "totalImpuesto",
        [
            ("codigo", "2"),
            ("codigoPorcentaje", codigo_porcentaje),
            ("baseImponible", base),
            ("tarifa", tarifa),
            ("valor", valor),
        ],
    )


def _detalle(
    codigo: str, descripcion: str, *, cantidad: str, precio: str, descuento: str, total: str, impuesto: Node
) -> Node:
    return (
        "detalle",
        [
            ("codigoPrincipal", codigo),
            ("descripcion", descripcion),
            ("cantidad", cantidad),
            ("precioUnitario", precio),
            ("descuento", descuento),
            ("precioTotalSinImpuesto", total),
            ("impuestos", [impuesto]),
        ],
    )


def factura_xml() -> bytes:
    root = etree.Element("factura", id="comprobante", version="1.1.0")
    info_factura: Node = (
        "infoFactura",
        [
            ("fechaEmision", "15/01/2026"),
            ("dirEstablecimiento", "AV. AMAZONAS N1-23 Y COLON"),
            ("obligadoContabilidad", "SI"),
            ("tipoIdentificacionComprador", "05"),
            ("razonSocialComprador", "PRUEBAS SERVICIO DE RENTAS INTERNAS"),
            ("identificacionComprador", "1713328506"),
            ("direccionComprador", "QUITO"),
            ("totalSinImpuestos", "25.11"),
            ("totalDescuento", "1.00"),
            (
                "totalConImpuestos",
                [
                    _total_impuesto("0", "5.00", "0.00", "0.00"),
                    _total_impuesto("4", "20.11", "15.00", "3.02"),
                ],
            ),
            ("propina", "0.00"),
            ("importeTotal", "28.13"),
            ("moneda", "DOLAR"),
            (
                "pagos",
                [
                    (
                        "pago",
                        [("formaPago", "20"), ("total", "28.13"), ("plazo", "30"), ("unidadTiempo", "dias")],
                    )
                ],
            ),
        ],
    )
    detalles: Node = (
        "detalles",
        [
            _detalle(
                "P001",
                "Servicio gravado 15% & más",
                cantidad="2.000000",
                precio="10.555555",
                descuento="1.00",
                total="20.11",
                impuesto=_impuesto("4", "15.00", "20.11", "3.02"),
            ),
            _detalle(
                "P002",
                "Producto tarifa 0%",
                cantidad="1.000000",
                precio="5.000000",
                descuento="0.00",
                total="5.00",
                impuesto=_impuesto("0", "0.00", "5.00", "0.00"),
            ),
        ],
    )
    _build(root, [_info_tributaria("01"), info_factura, detalles])
    adicional = etree.SubElement(root, "infoAdicional")
    etree.SubElement(adicional, "campoAdicional", nombre="Email").text = "cliente@example.invalid"
    etree.indent(root)  # an indented input document must survive signing unchanged
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def nota_credito_xml() -> bytes:
    root = etree.Element("notaCredito", id="comprobante", version="1.1.0")
    _build(
        root,
        [
            _info_tributaria("04"),
            ("infoNotaCredito", [("fechaEmision", "16/01/2026"), ("valorModificacion", "28.13")]),
        ],
    )
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


# --------------------------------------------------------------------------------------------
# Independent verifier: lxml C14N + cryptography only (reference §10.3, §10.4 last item)
# --------------------------------------------------------------------------------------------


def _c14n(element: etree._Element) -> bytes:
    return etree.tostring(element, method="c14n", exclusive=False, with_comments=False)


def _referenced_bytes(root: etree._Element, signature: etree._Element, uri: str) -> bytes:
    assert uri.startswith("#")
    target_id = uri[1:]
    if root.get("id") == target_id:
        # Enveloped-signature transform: the whole document minus the ds:Signature subtree.
        detached = copy.deepcopy(root)
        detached.remove(detached[-1])
        return _c14n(detached)
    targets = [el for el in signature.iter() if el.get("Id") == target_id]
    assert len(targets) == 1, uri
    # In-tree canonicalization: inherited ds/etsi declarations are part of the digest.
    return _c14n(targets[0])


def independent_verify(signed: bytes) -> None:
    """Raise AssertionError unless every digest and the RSA signature value check out."""
    root = etree.fromstring(signed)
    signature = root[-1]
    assert signature.tag == f"{DS}Signature"
    signed_info = _find(signature, f"{DS}SignedInfo")
    for reference in signed_info.findall(f"{DS}Reference"):
        digest = _DIGESTS[_attr(_find(reference, f"{DS}DigestMethod"), "Algorithm")]
        data = _referenced_bytes(root, signature, _attr(reference, "URI"))
        expected = _text(reference, f"{DS}DigestValue")
        assert base64.b64encode(digest(data).digest()).decode() == expected, reference.get("URI")
    cert_b64 = _text(signature, f"{DS}KeyInfo/{DS}X509Data/{DS}X509Certificate")
    public_key = x509.load_der_x509_certificate(base64.b64decode(cert_b64)).public_key()
    assert isinstance(public_key, rsa.RSAPublicKey)
    algorithm = _SIGNATURE_HASHES[_attr(_find(signed_info, f"{DS}SignatureMethod"), "Algorithm")]
    value = base64.b64decode(_text(signature, f"{DS}SignatureValue"))
    try:
        public_key.verify(value, _c14n(signed_info), padding.PKCS1v15(), algorithm)
    except Exception as exc:
        raise AssertionError("SignatureValue does not verify") from exc


# --------------------------------------------------------------------------------------------
# Tests
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def signed_factura(identity: SigningIdentity) -> bytes:
    return sign_comprobante(factura_xml(), identity, signing_time=SIGNING_TIME, id_seed="factura-1")


def test_signature_is_the_last_child_with_its_own_namespaces(signed_factura: bytes) -> None:
    assert signed_factura.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<factura id="comprobante"')
    root = etree.fromstring(signed_factura)
    assert root[-1].tag == f"{DS}Signature"
    assert "ds" not in root.nsmap
    assert root[-1].nsmap == {"ds": DS_NS, "etsi": ETSI_NS}
    assert len(root.findall(f".//{DS}Signature")) == 1


def test_business_content_is_unchanged(signed_factura: bytes) -> None:
    original = etree.fromstring(factura_xml())
    signed = etree.fromstring(signed_factura)
    signed.remove(signed[-1])
    assert _c14n(signed) == _c14n(original)


@pytest.mark.parametrize("algorithm", ["sha1", "sha256"])
def test_independent_verifier_accepts_both_algorithms(identity: SigningIdentity, algorithm: str) -> None:
    signed = sign_comprobante(factura_xml(), identity, signing_time=SIGNING_TIME, algorithm=algorithm)  # type: ignore[arg-type]
    independent_verify(signed)
    signature = etree.fromstring(signed)[-1]
    suffix = {"sha1": "#rsa-sha1", "sha256": "#rsa-sha256"}[algorithm]
    assert _attr(_find(signature, f"{DS}SignedInfo/{DS}SignatureMethod"), "Algorithm").endswith(suffix)
    digest_methods = {_attr(m, "Algorithm") for m in signature.iter(f"{DS}DigestMethod")}
    assert len(digest_methods) == 1
    assert digest_methods.pop().endswith(f"#{algorithm}")


def test_nota_credito_is_signed_too(identity: SigningIdentity) -> None:
    signed = sign_comprobante(nota_credito_xml(), identity, signing_time=SIGNING_TIME)
    assert etree.fromstring(signed).tag == "notaCredito"
    independent_verify(signed)


@pytest.mark.parametrize(
    ("original", "tampered"),
    [
        (b"<importeTotal>28.13</importeTotal>", b"<importeTotal>28.14</importeTotal>"),
        (b"2026-01-15T10:30:05-05:00", b"2026-01-15T10:30:06-05:00"),  # SignedProperties
        (b"<ds:Exponent>AQAB</ds:Exponent>", b"<ds:Exponent>AQAA</ds:Exponent>"),  # KeyInfo
    ],
)
def test_tampering_breaks_independent_verification(
    signed_factura: bytes, original: bytes, tampered: bytes
) -> None:
    assert signed_factura.count(original) == 1
    with pytest.raises(AssertionError):
        independent_verify(signed_factura.replace(original, tampered))


def test_structure_follows_the_ficha(signed_factura: bytes, identity: SigningIdentity) -> None:
    signature = etree.fromstring(signed_factura)[-1]
    assert [child.tag for child in signature] == [
        f"{DS}SignedInfo",
        f"{DS}SignatureValue",
        f"{DS}KeyInfo",
        f"{DS}Object",
    ]
    props_ref, key_info_ref, doc_ref = signature.findall(f"{DS}SignedInfo/{DS}Reference")
    signed_props = _find(signature, f".//{ETSI}SignedProperties")
    key_info = _find(signature, f"{DS}KeyInfo")

    assert _attr(props_ref, "Type") == "http://uri.etsi.org/01903#SignedProperties"
    assert _attr(props_ref, "URI") == "#" + _attr(signed_props, "Id")
    assert _attr(key_info_ref, "URI") == "#" + _attr(key_info, "Id")
    assert _attr(doc_ref, "URI") == "#comprobante"
    assert [t.get("Algorithm") for t in doc_ref.iter(f"{DS}Transform")] == [
        "http://www.w3.org/2000/09/xmldsig#enveloped-signature"
    ]
    assert props_ref.find(f"{DS}Transforms") is None
    assert key_info_ref.find(f"{DS}Transforms") is None
    assert [child.tag for child in key_info] == [f"{DS}X509Data", f"{DS}KeyValue"]

    qualifying = _find(signature, f"{DS}Object/{ETSI}QualifyingProperties")
    assert _attr(qualifying, "Target") == "#" + _attr(signature, "Id")
    assert _text(signed_props, f".//{ETSI}SigningTime") == "2026-01-15T10:30:05-05:00"
    cert_digest = base64.b64encode(hashlib.sha1(identity.certificate_der).digest()).decode()
    assert _text(signed_props, f".//{ETSI}CertDigest/{DS}DigestValue") == cert_digest
    issuer_name = _text(signed_props, f".//{ETSI}IssuerSerial/{DS}X509IssuerName")
    assert issuer_name == identity.issuer_name
    assert "1.2.840.113549.1.9.1=#16" in issuer_name
    assert not any(part.startswith("E=") for part in issuer_name.split(","))
    serial = _text(signed_props, f".//{ETSI}IssuerSerial/{DS}X509SerialNumber")
    assert serial == str(identity.certificate.serial_number)
    data_format = _find(signed_props, f".//{ETSI}DataObjectFormat")
    assert _attr(data_format, "ObjectReference") == "#" + _attr(doc_ref, "Id")
    assert _text(data_format, f"{ETSI}Description") == "contenido comprobante"
    assert _text(data_format, f"{ETSI}MimeType") == "text/xml"


def test_modulus_and_exponent_are_the_certificate_numbers(
    signed_factura: bytes, identity: SigningIdentity
) -> None:
    signature = etree.fromstring(signed_factura)[-1]
    public_key = identity.certificate.public_key()
    assert isinstance(public_key, rsa.RSAPublicKey)
    numbers = public_key.public_numbers()
    modulus_text = _text(signature, f".//{DS}RSAKeyValue/{DS}Modulus")
    # Still our single-line template text: xmlsec did not rewrite the signed KeyInfo (§10.4).
    assert "\n" not in modulus_text
    modulus = base64.b64decode(modulus_text)
    exponent = base64.b64decode(_text(signature, f".//{DS}RSAKeyValue/{DS}Exponent"))
    assert int.from_bytes(modulus, "big") == numbers.n
    assert int.from_bytes(exponent, "big") == numbers.e == 65537
    assert modulus[0] != 0  # unsigned, no leading zero octet


def test_ids_are_deterministic_only_with_a_seed(identity: SigningIdentity) -> None:
    def sign(seed: str | None) -> bytes:
        return sign_comprobante(factura_xml(), identity, signing_time=SIGNING_TIME, id_seed=seed)

    assert sign("same") == sign("same")
    first, second = sign(None), sign(None)
    assert first != second
    ids = [etree.fromstring(doc)[-1].get("Id") for doc in (first, second)]
    assert ids[0] != ids[1]


def test_mismatched_key_and_certificate_fail_the_built_in_verification(identity: SigningIdentity) -> None:
    wrong = SigningIdentity(private_key=cached_rsa_key("unrelated"), certificate=identity.certificate)
    with pytest.raises(SigningError, match="does not verify"):
        sign_comprobante(factura_xml(), wrong, signing_time=SIGNING_TIME)


def test_rsa_sha1_refusal_suggests_sha256(identity: SigningIdentity, monkeypatch: pytest.MonkeyPatch) -> None:
    class RefusingContext:
        key: object = None

        def register_id(self, *_args: object) -> None:
            pass

        def sign(self, _node: object) -> None:
            raise xmlsec.Error(1, "xmlSecTransformIdListFindByHref failed: rsa-sha1")

    monkeypatch.setattr(xmlsec, "SignatureContext", RefusingContext)
    with pytest.raises(SigningError, match=r'algorithm="sha256"'):
        sign_comprobante(factura_xml(), identity, signing_time=SIGNING_TIME)


@pytest.mark.parametrize(
    ("document", "message"),
    [
        (b'<factura version="1.1.0"><a>1</a></factura>', 'id="comprobante"'),
        (b'<factura id="comprobante"><a>1</a>', "not well-formed"),
    ],
)
def test_invalid_inputs_are_rejected(identity: SigningIdentity, document: bytes, message: str) -> None:
    with pytest.raises(SigningError, match=message):
        sign_comprobante(document, identity, signing_time=SIGNING_TIME)


def test_already_signed_document_is_rejected(signed_factura: bytes, identity: SigningIdentity) -> None:
    with pytest.raises(SigningError, match="already signed"):
        sign_comprobante(signed_factura, identity, signing_time=SIGNING_TIME)


def test_naive_signing_time_is_rejected(identity: SigningIdentity) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        sign_comprobante(factura_xml(), identity, signing_time=datetime(2026, 1, 15))


@pytest.mark.skipif("COMPROBANTE_SCHEMAS" not in os.environ, reason="COMPROBANTE_SCHEMAS not set")
def test_signed_factura_validates_against_the_official_xsd(signed_factura: bytes) -> None:
    xsd_path = Path(os.environ["COMPROBANTE_SCHEMAS"]) / "ecuador" / "xsd" / "factura_V1.1.0.xsd"
    # The XSD imports xmldsig-core-schema.xsd from its own folder; never fetch anything.
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    schema = etree.XMLSchema(etree.parse(str(xsd_path), parser))
    document = etree.fromstring(signed_factura)
    assert schema.validate(document), schema.error_log
