"""Minimal WSDL 1.1 documents for the two services (served on ``GET ...?wsdl``, §12.1).

Written from scratch (not copied from the SRI's files): same target namespaces, operation
and element names, document/literal SOAP 1.1 binding and unqualified children, which is all
a WSDL-driven client (zeep, JAX-WS) needs to produce the requests the SRI expects.
"""

from __future__ import annotations

from xml.sax.saxutils import quoteattr

from simulators.sri.soap import AUTORIZACION_NS, RECEPCION_NS

_MENSAJE_TYPE = """
      <xs:complexType name="mensaje"><xs:sequence>
        <xs:element minOccurs="0" name="identificador" type="xs:string"/>
        <xs:element minOccurs="0" name="mensaje" type="xs:string"/>
        <xs:element minOccurs="0" name="informacionAdicional" type="xs:string"/>
        <xs:element minOccurs="0" name="tipo" type="xs:string"/>
      </xs:sequence></xs:complexType>"""


def _document(
    *,
    namespace: str,
    service: str,
    operation: str,
    types: str,
    location: str,
) -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<wsdl:definitions xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/" xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/"
    xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:tns="{namespace}"
    name="{service}Service" targetNamespace="{namespace}">
  <wsdl:types>
    <xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:tns="{namespace}"
        targetNamespace="{namespace}" elementFormDefault="unqualified" version="1.0">
      {types}{_MENSAJE_TYPE}
    </xs:schema>
  </wsdl:types>
  <wsdl:message name="{operation}"><wsdl:part name="parameters" element="tns:{operation}"/></wsdl:message>
  <wsdl:message name="{operation}Response">
    <wsdl:part name="parameters" element="tns:{operation}Response"/>
  </wsdl:message>
  <wsdl:portType name="{service}">
    <wsdl:operation name="{operation}">
      <wsdl:input name="{operation}" message="tns:{operation}"/>
      <wsdl:output name="{operation}Response" message="tns:{operation}Response"/>
    </wsdl:operation>
  </wsdl:portType>
  <wsdl:binding name="{service}ServiceSoapBinding" type="tns:{service}">
    <soap:binding style="document" transport="http://schemas.xmlsoap.org/soap/http"/>
    <wsdl:operation name="{operation}">
      <soap:operation soapAction="" style="document"/>
      <wsdl:input name="{operation}"><soap:body use="literal"/></wsdl:input>
      <wsdl:output name="{operation}Response"><soap:body use="literal"/></wsdl:output>
    </wsdl:operation>
  </wsdl:binding>
  <wsdl:service name="{service}Service">
    <wsdl:port name="{service}Port" binding="tns:{service}ServiceSoapBinding">
      <soap:address location={quoteattr(location)}/>
    </wsdl:port>
  </wsdl:service>
</wsdl:definitions>
""".encode()


def recepcion_wsdl(location: str) -> bytes:
    types = """
      <xs:element name="validarComprobante" type="tns:validarComprobante"/>
      <xs:element name="validarComprobanteResponse" type="tns:validarComprobanteResponse"/>
      <xs:complexType name="validarComprobante"><xs:sequence>
        <xs:element minOccurs="0" name="xml" type="xs:base64Binary"/>
      </xs:sequence></xs:complexType>
      <xs:complexType name="validarComprobanteResponse"><xs:sequence>
        <xs:element minOccurs="0" name="RespuestaRecepcionComprobante" type="tns:respuestaSolicitud"/>
      </xs:sequence></xs:complexType>
      <xs:complexType name="respuestaSolicitud"><xs:sequence>
        <xs:element minOccurs="0" name="estado" type="xs:string"/>
        <xs:element minOccurs="0" name="comprobantes"><xs:complexType><xs:sequence>
          <xs:element maxOccurs="unbounded" minOccurs="0" name="comprobante" type="tns:comprobante"/>
        </xs:sequence></xs:complexType></xs:element>
      </xs:sequence></xs:complexType>
      <xs:complexType name="comprobante"><xs:sequence>
        <xs:element minOccurs="0" name="claveAcceso" type="xs:string"/>
        <xs:element minOccurs="0" name="mensajes"><xs:complexType><xs:sequence>
          <xs:element maxOccurs="unbounded" minOccurs="0" name="mensaje" type="tns:mensaje"/>
        </xs:sequence></xs:complexType></xs:element>
      </xs:sequence></xs:complexType>"""
    return _document(
        namespace=RECEPCION_NS,
        service="RecepcionComprobantesOffline",
        operation="validarComprobante",
        types=types,
        location=location,
    )


def autorizacion_wsdl(location: str) -> bytes:
    types = """
      <xs:element name="autorizacionComprobante" type="tns:autorizacionComprobante"/>
      <xs:element name="autorizacionComprobanteResponse" type="tns:autorizacionComprobanteResponse"/>
      <xs:complexType name="autorizacionComprobante"><xs:sequence>
        <xs:element minOccurs="0" name="claveAccesoComprobante" type="xs:string"/>
      </xs:sequence></xs:complexType>
      <xs:complexType name="autorizacionComprobanteResponse"><xs:sequence>
        <xs:element minOccurs="0" name="RespuestaAutorizacionComprobante" type="tns:respuestaComprobante"/>
      </xs:sequence></xs:complexType>
      <xs:complexType name="respuestaComprobante"><xs:sequence>
        <xs:element minOccurs="0" name="claveAccesoConsultada" type="xs:string"/>
        <xs:element minOccurs="0" name="numeroComprobantes" type="xs:string"/>
        <xs:element minOccurs="0" name="autorizaciones"><xs:complexType><xs:sequence>
          <xs:element maxOccurs="unbounded" minOccurs="0" name="autorizacion" type="tns:autorizacion"/>
        </xs:sequence></xs:complexType></xs:element>
      </xs:sequence></xs:complexType>
      <xs:complexType name="autorizacion"><xs:sequence>
        <xs:element minOccurs="0" name="estado" type="xs:string"/>
        <xs:element minOccurs="0" name="numeroAutorizacion" type="xs:string"/>
        <xs:element minOccurs="0" name="fechaAutorizacion" type="xs:dateTime"/>
        <xs:element minOccurs="0" name="ambiente" type="xs:string"/>
        <xs:element minOccurs="0" name="comprobante" type="xs:string"/>
        <xs:element minOccurs="0" name="mensajes"><xs:complexType><xs:sequence>
          <xs:element maxOccurs="unbounded" minOccurs="0" name="mensaje" type="tns:mensaje"/>
        </xs:sequence></xs:complexType></xs:element>
      </xs:sequence></xs:complexType>"""
    return _document(
        namespace=AUTORIZACION_NS,
        service="AutorizacionComprobantesOffline",
        operation="autorizacionComprobante",
        types=types,
        location=location,
    )
