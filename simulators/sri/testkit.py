"""Test and benchmark support: sample comprobantes, throw-away PKI and a XAdES-BES signer.

Not used by the simulator itself. The signer is written from §10.2/§10.3 of the reference
with lxml + cryptography and shares no code with ``signature.py`` (the verifier), so the
two check each other; the product's own xmlsec signer is checked against the verifier
separately.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID
from lxml import etree

from simulators.sri import access_key

DS = "http://www.w3.org/2000/09/xmldsig#"
ETSI = "http://uri.etsi.org/01903/v1.3.2#"
SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
_ECUADOR = timezone(timedelta(hours=-5))

_ALGORITHMS = {
    "sha1": (DS + "rsa-sha1", DS + "sha1", hashes.SHA1),
    "sha256": (
        "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
        "http://www.w3.org/2001/04/xmlenc#sha256",
        hashes.SHA256,
    ),
}


# --- PKI ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Identity:
    key: rsa.RSAPrivateKey
    certificate: x509.Certificate

    @property
    def pem(self) -> bytes:
        return self.certificate.public_bytes(Encoding.PEM)


def make_ca(common_name: str = "AC SIMULADA DE PRUEBAS", *, days: int = 3650) -> Identity:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "EC"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "COMPROBANTE TEST"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    return Identity(key, certificate)


def make_signer(
    ca: Identity,
    *,
    common_name: str = "EMPRESA DE PRUEBA S.A.",
    digital_signature: bool = True,
    not_before: datetime | None = None,
    not_after: datetime | None = None,
    key: rsa.RSAPrivateKey | None = None,
) -> Identity:
    """An end-entity signing certificate issued by ``ca`` (valid for a year by default)."""
    key = key or rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(
            x509.Name(
                [
                    x509.NameAttribute(NameOID.COUNTRY_NAME, "EC"),
                    x509.NameAttribute(NameOID.COMMON_NAME, common_name),
                ]
            )
        )
        .issuer_name(ca.certificate.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before or now - timedelta(days=1))
        .not_valid_after(not_after or now + timedelta(days=365))
        .add_extension(
            x509.KeyUsage(
                digital_signature=digital_signature,
                content_commitment=digital_signature,
                key_encipherment=not digital_signature,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(ca.key, hashes.SHA256())
    )
    return Identity(key, certificate)


# --- Documents ---------------------------------------------------------------------------
def today_in_ecuador() -> date:
    return datetime.now(_ECUADOR).date()


def random_codigo_numerico() -> str:
    return f"{secrets.randbelow(99_999_999) + 1:08d}"


def _sub(parent: etree._Element, tag: str, text: str | None = None, **attributes: str) -> etree._Element:
    element = etree.SubElement(parent, tag, attributes)
    if text is not None:
        element.text = text
    return element


def _info_tributaria(
    root: etree._Element,
    *,
    ambiente: str,
    ruc: str,
    clave: str,
    cod_doc: str,
    estab: str,
    pto_emi: str,
    secuencial: str,
) -> None:
    info = _sub(root, "infoTributaria")
    _sub(info, "ambiente", ambiente)
    _sub(info, "tipoEmision", "1")
    _sub(info, "razonSocial", "EMPRESA DE PRUEBA S.A.")
    _sub(info, "nombreComercial", "PRUEBA")
    _sub(info, "ruc", ruc)
    _sub(info, "claveAcceso", clave)
    _sub(info, "codDoc", cod_doc)
    _sub(info, "estab", estab)
    _sub(info, "ptoEmi", pto_emi)
    _sub(info, "secuencial", secuencial)
    _sub(info, "dirMatriz", "AV. AMAZONAS N1-23 Y COLON")


def _serialize(root: etree._Element) -> bytes:
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + etree.tostring(root, encoding="UTF-8", xml_declaration=False)


def build_factura(
    *,
    ruc: str = "1792146739001",
    secuencial: int = 123,
    fecha: date | None = None,
    ambiente: str = "1",
    estab: str = "001",
    pto_emi: str = "001",
    codigo_numerico: str | None = None,
    clave: str | None = None,
    version: str = "1.1.0",
    buyer: tuple[str, str] = ("05", "1713328506"),
) -> bytes:
    """The reference §4.3 minimal factura (two lines: 15 % and 0 %, total 28.13), unsigned.

    ``buyer`` is (tipoIdentificacionComprador, identificacionComprador).
    """
    fecha = fecha or today_in_ecuador()
    fecha_text = fecha.strftime("%d/%m/%Y")
    secuencial_text = f"{secuencial:09d}"
    clave = clave or access_key.build(
        fecha_emision=fecha_text,
        cod_doc="01",
        ruc=ruc,
        ambiente=ambiente,
        estab=estab,
        pto_emi=pto_emi,
        secuencial=secuencial_text,
        codigo_numerico=codigo_numerico or random_codigo_numerico(),
    )
    root = etree.Element("factura", id="comprobante", version=version)
    _info_tributaria(
        root,
        ambiente=ambiente,
        ruc=ruc,
        clave=clave,
        cod_doc="01",
        estab=estab,
        pto_emi=pto_emi,
        secuencial=secuencial_text,
    )
    info = _sub(root, "infoFactura")
    for tag, text in (
        ("fechaEmision", fecha_text),
        ("dirEstablecimiento", "AV. AMAZONAS N1-23 Y COLON"),
        ("obligadoContabilidad", "SI"),
        ("tipoIdentificacionComprador", buyer[0]),
        ("razonSocialComprador", "PRUEBAS SERVICIO DE RENTAS INTERNAS"),
        ("identificacionComprador", buyer[1]),
        ("direccionComprador", "QUITO"),
        ("totalSinImpuestos", "25.11"),
        ("totalDescuento", "1.00"),
    ):
        _sub(info, tag, text)
    totals = _sub(info, "totalConImpuestos")
    for porcentaje, base, tarifa, valor in (("0", "5.00", "0.00", "0.00"), ("4", "20.11", "15.00", "3.02")):
        total = _sub(totals, "totalImpuesto")
        _sub(total, "codigo", "2")
        _sub(total, "codigoPorcentaje", porcentaje)
        _sub(total, "baseImponible", base)
        _sub(total, "tarifa", tarifa)
        _sub(total, "valor", valor)
    _sub(info, "propina", "0.00")
    _sub(info, "importeTotal", "28.13")
    _sub(info, "moneda", "DOLAR")
    pago = _sub(_sub(info, "pagos"), "pago")
    _sub(pago, "formaPago", "20")
    _sub(pago, "total", "28.13")
    _sub(pago, "plazo", "30")
    _sub(pago, "unidadTiempo", "dias")
    detalles = _sub(root, "detalles")
    for code, description, cantidad, precio, descuento, total_line, porcentaje, tarifa, valor in (
        ("P001", "Servicio gravado 15%", "2.000000", "10.555555", "1.00", "20.11", "4", "15.00", "3.02"),
        ("P002", "Producto tarifa 0%", "1.000000", "5.000000", "0.00", "5.00", "0", "0.00", "0.00"),
    ):
        detalle = _sub(detalles, "detalle")
        _sub(detalle, "codigoPrincipal", code)
        _sub(detalle, "descripcion", description)
        _sub(detalle, "cantidad", cantidad)
        _sub(detalle, "precioUnitario", precio)
        _sub(detalle, "descuento", descuento)
        _sub(detalle, "precioTotalSinImpuesto", total_line)
        impuesto = _sub(_sub(detalle, "impuestos"), "impuesto")
        _sub(impuesto, "codigo", "2")
        _sub(impuesto, "codigoPorcentaje", porcentaje)
        _sub(impuesto, "tarifa", tarifa)
        _sub(impuesto, "baseImponible", total_line)
        _sub(impuesto, "valor", valor)
    adicional = _sub(root, "infoAdicional")
    _sub(adicional, "campoAdicional", "cliente@example.invalid", nombre="Email")
    return _serialize(root)


def build_nota_credito(
    *,
    ruc: str = "1792146739001",
    secuencial: int = 45,
    fecha: date | None = None,
    ambiente: str = "1",
    codigo_numerico: str | None = None,
    num_doc_modificado: str = "001-001-000000123",
    cod_doc_modificado: str = "01",
    fecha_sustento: date | None = None,
    buyer: tuple[str, str] = ("05", "1713328506"),
    base: str = "10.00",
    iva_code: str = "4",
) -> bytes:
    """A nota de crédito 1.1.0 returning one line of factura 001-001-000000123 (default: 10.00 + 15 % = 11.50).

    ``fecha_sustento`` (fechaEmisionDocSustento) defaults to ``fecha``, matching a
    ``build_factura`` issued the same day; ``buyer`` is (tipo, identificación); ``base`` and
    ``iva_code`` (0, 2, 4, 5) set the single line, so valorModificacion = base + IVA.
    """
    fecha = fecha or today_in_ecuador()
    fecha_text = fecha.strftime("%d/%m/%Y")
    sustento_text = (fecha_sustento or fecha).strftime("%d/%m/%Y")
    rate = {"0": Decimal("0"), "2": Decimal("12"), "4": Decimal("15"), "5": Decimal("5")}[iva_code]
    amount = Decimal(base)
    iva = (amount * rate / 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    base_text, iva_text, total_text, rate_text = f"{amount:.2f}", f"{iva:.2f}", f"{amount + iva:.2f}", f"{rate:.2f}"
    secuencial_text = f"{secuencial:09d}"
    clave = access_key.build(
        fecha_emision=fecha_text,
        cod_doc="04",
        ruc=ruc,
        ambiente=ambiente,
        estab="001",
        pto_emi="001",
        secuencial=secuencial_text,
        codigo_numerico=codigo_numerico or random_codigo_numerico(),
    )
    root = etree.Element("notaCredito", id="comprobante", version="1.1.0")
    _info_tributaria(
        root,
        ambiente=ambiente,
        ruc=ruc,
        clave=clave,
        cod_doc="04",
        estab="001",
        pto_emi="001",
        secuencial=secuencial_text,
    )
    info = _sub(root, "infoNotaCredito")
    for tag, text in (
        ("fechaEmision", fecha_text),
        ("dirEstablecimiento", "AV. AMAZONAS N1-23 Y COLON"),
        ("tipoIdentificacionComprador", buyer[0]),
        ("razonSocialComprador", "PRUEBAS SERVICIO DE RENTAS INTERNAS"),
        ("identificacionComprador", buyer[1]),
        ("obligadoContabilidad", "SI"),
        ("codDocModificado", cod_doc_modificado),
        ("numDocModificado", num_doc_modificado),
        ("fechaEmisionDocSustento", sustento_text),
        ("totalSinImpuestos", base_text),
        ("valorModificacion", total_text),
        ("moneda", "DOLAR"),
    ):
        _sub(info, tag, text)
    total = _sub(_sub(info, "totalConImpuestos"), "totalImpuesto")
    _sub(total, "codigo", "2")
    _sub(total, "codigoPorcentaje", iva_code)
    _sub(total, "baseImponible", base_text)
    _sub(total, "valor", iva_text)
    _sub(info, "motivo", "DEVOLUCION DE MERCADERIA")
    detalle = _sub(_sub(root, "detalles"), "detalle")
    _sub(detalle, "codigoInterno", "P001")
    _sub(detalle, "descripcion", "Servicio gravado 15%")
    _sub(detalle, "cantidad", "1.000000")
    _sub(detalle, "precioUnitario", f"{amount:.6f}")
    _sub(detalle, "descuento", "0.00")
    _sub(detalle, "precioTotalSinImpuesto", base_text)
    impuesto = _sub(_sub(detalle, "impuestos"), "impuesto")
    _sub(impuesto, "codigo", "2")
    _sub(impuesto, "codigoPorcentaje", iva_code)
    _sub(impuesto, "tarifa", rate_text)
    _sub(impuesto, "baseImponible", base_text)
    _sub(impuesto, "valor", iva_text)
    return _serialize(root)


def set_text(xml: bytes, path: str, value: str) -> bytes:
    """Change one element's text (for building broken variants of a sample)."""
    root = etree.fromstring(xml)
    element = root.find(path)
    if element is None:
        raise KeyError(path)
    element.text = value
    return _serialize(root)


def clave_of(xml: bytes) -> str:
    return etree.fromstring(xml).findtext("infoTributaria/claveAcceso") or ""


# --- XAdES-BES signer (reference §10.2, §10.3) --------------------------------------------
def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _int_b64(value: int) -> str:
    return _b64(value.to_bytes((value.bit_length() + 7) // 8, "big"))


def _ds(parent: etree._Element, name: str, text: str | None = None, **attributes: str) -> etree._Element:
    return _sub(parent, f"{{{DS}}}{name}", text, **attributes)


def _etsi(parent: etree._Element, name: str, text: str | None = None, **attributes: str) -> etree._Element:
    return _sub(parent, f"{{{ETSI}}}{name}", text, **attributes)


def _add_key_info(signature: etree._Element, certificate_id: str, signer: Identity, *, swap: bool) -> etree._Element:
    key_info = _ds(signature, "KeyInfo", Id=certificate_id)
    der = signer.certificate.public_bytes(Encoding.DER)
    _ds(_ds(key_info, "X509Data"), "X509Certificate", _b64(der))
    numbers = signer.key.public_key().public_numbers()
    modulus, exponent = (numbers.e, numbers.n) if swap else (numbers.n, numbers.e)
    rsa_value = _ds(_ds(key_info, "KeyValue"), "RSAKeyValue")
    _ds(rsa_value, "Modulus", _int_b64(modulus))
    _ds(rsa_value, "Exponent", _int_b64(exponent))
    return key_info


def _add_signed_properties(
    signature: etree._Element,
    *,
    signature_id: str,
    properties_id: str,
    reference_id: str,
    suffix: int,
    certificate: x509.Certificate,
    when: datetime,
) -> etree._Element:
    obj = _ds(signature, "Object", Id=f"{signature_id}-Object{suffix}")
    qualifying = _etsi(obj, "QualifyingProperties", Target=f"#{signature_id}")
    signed_properties = _etsi(qualifying, "SignedProperties", Id=properties_id)
    signed_signature = _etsi(signed_properties, "SignedSignatureProperties")
    # SigningTime in Ecuador's offset, as the SRI's own signer writes it (§10.1).
    _etsi(signed_signature, "SigningTime", when.astimezone(_ECUADOR).isoformat(timespec="seconds"))
    cert = _etsi(_etsi(signed_signature, "SigningCertificate"), "Cert")
    cert_digest = _etsi(cert, "CertDigest")
    _ds(cert_digest, "DigestMethod", Algorithm=DS + "sha1")
    der = certificate.public_bytes(Encoding.DER)
    _ds(cert_digest, "DigestValue", _b64(hashlib.sha1(der).digest()))
    issuer_serial = _etsi(cert, "IssuerSerial")
    _ds(issuer_serial, "X509IssuerName", certificate.issuer.rfc4514_string())
    _ds(issuer_serial, "X509SerialNumber", str(certificate.serial_number))
    data_object = _etsi(
        _etsi(signed_properties, "SignedDataObjectProperties"),
        "DataObjectFormat",
        ObjectReference=f"#{reference_id}",
    )
    _etsi(data_object, "Description", "contenido comprobante")
    _etsi(data_object, "MimeType", "text/xml")
    return signed_properties


def _reference(signed_info: etree._Element, uri: str, digest_method: str, **attributes: str) -> etree._Element:
    """A ds:Reference; returns its (empty) DigestValue element."""
    reference = _ds(signed_info, "Reference", **attributes, URI=uri)
    if uri == "#comprobante":
        _ds(_ds(reference, "Transforms"), "Transform", Algorithm=DS + "enveloped-signature")
    _ds(reference, "DigestMethod", Algorithm=digest_method)
    return _ds(reference, "DigestValue")


def sign(
    xml: bytes,
    signer: Identity,
    *,
    signing_time: datetime | None = None,
    algorithm: str = "sha1",
    swap_modulus_exponent: bool = False,
) -> bytes:
    """Enveloped XAdES-BES signature as the ficha's Anexo 14 describes it (§10.2, §10.3)."""
    signature_method, digest_method, hash_class = _ALGORITHMS[algorithm]

    def digest(element: etree._Element) -> str:
        hasher = hashes.Hash(hash_class())
        hasher.update(etree.tostring(element, method="c14n"))
        return _b64(hasher.finalize())

    root = etree.fromstring(xml)
    # Step 5 first: the comprobante digest is over the root without the signature, which
    # is exactly the root before the signature is appended.
    comprobante_digest = digest(root)

    suffix = secrets.randbelow(900_000) + 100_000
    signature_id = f"Signature{suffix}"
    properties_id = f"{signature_id}-SignedProperties{suffix}"
    certificate_id = f"Certificate{suffix}"
    reference_id = f"Reference-ID-{suffix}"

    signature = etree.SubElement(root, f"{{{DS}}}Signature", {"Id": signature_id}, nsmap={"ds": DS, "etsi": ETSI})
    signed_info = _ds(signature, "SignedInfo", Id=f"Signature-SignedInfo{suffix}")
    _ds(signed_info, "CanonicalizationMethod", Algorithm="http://www.w3.org/TR/2001/REC-xml-c14n-20010315")
    _ds(signed_info, "SignatureMethod", Algorithm=signature_method)
    properties_digest = _reference(
        signed_info,
        f"#{properties_id}",
        digest_method,
        Id=f"SignedPropertiesID{suffix}",
        Type="http://uri.etsi.org/01903#SignedProperties",
    )
    key_info_digest = _reference(signed_info, f"#{certificate_id}", digest_method)
    _reference(signed_info, "#comprobante", digest_method, Id=reference_id).text = comprobante_digest
    signature_value = _ds(signature, "SignatureValue", Id=f"SignatureValue{suffix}")
    key_info = _add_key_info(signature, certificate_id, signer, swap=swap_modulus_exponent)
    signed_properties = _add_signed_properties(
        signature,
        signature_id=signature_id,
        properties_id=properties_id,
        reference_id=reference_id,
        suffix=suffix,
        certificate=signer.certificate,
        when=signing_time or datetime.now(UTC),
    )

    # Steps 3, 4, 6 on the elements as they sit in the final tree (inclusive C14N keeps
    # the ds/etsi declarations in scope).
    properties_digest.text = digest(signed_properties)
    key_info_digest.text = digest(key_info)
    signed = signer.key.sign(etree.tostring(signed_info, method="c14n"), padding.PKCS1v15(), hash_class())
    signature_value.text = _b64(signed)
    return _serialize(root)


def tamper(xml: bytes) -> bytes:
    """Change the buyer's name after signing (the classic "editing after signing", §10.6)."""
    return xml.replace(b"PRUEBAS SERVICIO DE RENTAS INTERNAS", b"PRUEBAS SERVICIO DE RENTAS EXTERNAS", 1)


# --- SOAP client side ----------------------------------------------------------------------
def recepcion_envelope(xml: bytes) -> bytes:
    return (
        f'<soapenv:Envelope xmlns:soapenv="{SOAP_ENV}" xmlns:ec="http://ec.gob.sri.ws.recepcion">'
        f"<soapenv:Header/><soapenv:Body><ec:validarComprobante><xml>{_b64(xml)}</xml>"
        f"</ec:validarComprobante></soapenv:Body></soapenv:Envelope>"
    ).encode()


def autorizacion_envelope(clave: str) -> bytes:
    return (
        f'<soapenv:Envelope xmlns:soapenv="{SOAP_ENV}" xmlns:ec="http://ec.gob.sri.ws.autorizacion">'
        f"<soapenv:Header/><soapenv:Body><ec:autorizacionComprobante>"
        f"<claveAccesoComprobante>{clave}</claveAccesoComprobante>"
        f"</ec:autorizacionComprobante></soapenv:Body></soapenv:Envelope>"
    ).encode()


@dataclass(frozen=True)
class ParsedMensaje:
    identificador: str
    mensaje: str
    informacion_adicional: str | None
    tipo: str


@dataclass(frozen=True)
class ParsedRecepcion:
    estado: str
    clave: str | None
    mensajes: tuple[ParsedMensaje, ...]


@dataclass(frozen=True)
class ParsedAutorizacion:
    estado: str
    numero_autorizacion: str | None
    fecha_autorizacion: str | None
    ambiente: str | None
    comprobante: str | None
    mensajes: tuple[ParsedMensaje, ...]


def _mensajes(parent: etree._Element | None) -> tuple[ParsedMensaje, ...]:
    if parent is None:
        return ()
    return tuple(
        ParsedMensaje(
            identificador=m.findtext("identificador") or "",
            mensaje=m.findtext("mensaje") or "",
            informacion_adicional=m.findtext("informacionAdicional"),
            tipo=m.findtext("tipo") or "",
        )
        for m in parent.findall("mensajes/mensaje")
    )


def parse_recepcion(body: bytes) -> ParsedRecepcion:
    respuesta = etree.fromstring(body).find(".//RespuestaRecepcionComprobante")
    if respuesta is None:
        raise ValueError("no RespuestaRecepcionComprobante in the answer")
    comprobante = respuesta.find("comprobantes/comprobante")
    return ParsedRecepcion(
        estado=respuesta.findtext("estado") or "",
        clave=comprobante.findtext("claveAcceso") if comprobante is not None else None,
        mensajes=_mensajes(comprobante),
    )


def parse_autorizacion(body: bytes) -> tuple[str | None, list[ParsedAutorizacion]]:
    """(numeroComprobantes, autorizaciones) of an autorizacionComprobante answer."""
    respuesta = etree.fromstring(body).find(".//RespuestaAutorizacionComprobante")
    if respuesta is None:
        raise ValueError("no RespuestaAutorizacionComprobante in the answer")
    return respuesta.findtext("numeroComprobantes"), [
        ParsedAutorizacion(
            estado=a.findtext("estado") or "",
            numero_autorizacion=a.findtext("numeroAutorizacion"),
            fecha_autorizacion=a.findtext("fechaAutorizacion"),
            ambiente=a.findtext("ambiente"),
            comprobante=a.findtext("comprobante"),
            mensajes=_mensajes(a),
        )
        for a in respuesta.findall("autorizaciones/autorizacion")
    ]


__all__ = [
    "Identity",
    "autorizacion_envelope",
    "build_factura",
    "build_nota_credito",
    "clave_of",
    "make_ca",
    "make_signer",
    "parse_autorizacion",
    "parse_recepcion",
    "recepcion_envelope",
    "set_text",
    "sign",
    "tamper",
]
