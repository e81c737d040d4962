"""What a PAC checks before stamping, in the order a PAC does (reference §14 "Validation").

1. Well-formed CFDI 4.0 and valid against cfdv40.xsd (301): the official files when ``--schemas`` is
   given, otherwise the copies bundled with satcfdi (so the XSD check always runs).
2. The CSD in ``Certificado``: readable and matching NoCertificado (CFDI40106), a CSD not a FIEL (306),
   from a trusted authority (308), of the Emisor's RFC (303), valid at Fecha (305).
3. The sello over the recomputed cadena original (302).
4. Fecha: not in the future and at most 72 hours before the timbre (401).
5. The taxpayer register when one is given (:mod:`simulators.pac.register`), the Anexo 20 rules
   (:mod:`simulators.pac.rules`) and arithmetic (:mod:`simulators.pac.arithmetic`).

Steps 1–4 stop at the first failure, like real PACs; step 5 reports every CFDI40xxx found.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from cryptography import x509
from lxml import etree

from adapters.mexico.cadena import CadenaBuilder
from adapters.mexico.csd import certificate_number, certificate_rfc, is_fiel
from adapters.mexico.schemas import CfdiSchema
from adapters.mexico.sealing import embedded_certificate, fecha_of, verify_sello
from simulators.pac.arithmetic import arithmetic_findings
from simulators.pac.register import TaxpayerRegister
from simulators.pac.rules import CFDI, Finding, business_findings
from simulators.pac.trust import TrustStore

STAMP_WINDOW = timedelta(hours=72)  # reference §13: FechaTimbrado − Fecha ≤ 72 h, else 401
FUTURE_TOLERANCE = timedelta(seconds=60)  # clock skew we forgive before calling a Fecha "future"
_PARSER = etree.XMLParser(no_network=True, resolve_entities=False, load_dtd=False, huge_tree=False)


@dataclass(frozen=True)
class Checked:
    root: etree._Element | None
    findings: list[Finding]


class DocumentChecks:
    def __init__(self, schema: CfdiSchema, cadenas: CadenaBuilder, trust: TrustStore,
                 register: TaxpayerRegister | None = None) -> None:
        self.schema = schema
        self.cadenas = cadenas
        self.trust = trust
        self.register = register

    def parse(self, xml: bytes) -> Checked:
        try:
            root = etree.fromstring(xml, _PARSER)
        except etree.XMLSyntaxError as exc:
            return Checked(None, [Finding("301", f"XML mal formado: {exc.msg}")])
        if root.tag != f"{CFDI}Comprobante" or root.get("Version") != "4.0":
            return Checked(None, [Finding("301", "El documento no es un CFDI versión 4.0")])
        return Checked(root, [])

    def check(self, root: etree._Element, *, now: datetime) -> list[Finding]:
        for step in (self._schema, self._certificate, self._sello):
            findings = step(root)
            if findings:
                return findings
        findings = self._dates(root, now)
        if findings:
            return findings
        registered = self.register.findings(root) if self.register is not None else []
        return registered + business_findings(root, today=now.date()) + arithmetic_findings(root)

    def _schema(self, root: etree._Element) -> list[Finding]:
        errors = self.schema.errors(root)
        if errors:
            return [Finding("301", "XML mal formado o no válido contra el esquema: " + "; ".join(errors[:3]))]
        return []

    def _certificate(self, root: etree._Element) -> list[Finding]:
        certificate = embedded_certificate(root)
        if certificate is None:
            return [Finding("CFDI40106", "El certificado no es un certificado X.509 válido")]
        finding = self._certificate_kind(root, certificate) or self._certificate_use(root, certificate)
        return [finding] if finding else []

    def _certificate_kind(self, root: etree._Element, certificate: x509.Certificate) -> Finding | None:
        if certificate_number(certificate) != root.get("NoCertificado"):
            return Finding("CFDI40106", "NoCertificado no corresponde al certificado del atributo Certificado")
        if is_fiel(certificate):
            return Finding("306", "El certificado es una FIEL (e.firma), no un CSD")
        reason = self.trust.problem(certificate)
        return Finding("308", f"Certificado no expedido por el SAT: {reason}") if reason else None

    def _certificate_use(self, root: etree._Element, certificate: x509.Certificate) -> Finding | None:
        emisor = root.find(f"{CFDI}Emisor")
        rfc = emisor.get("Rfc") if emisor is not None else None
        if certificate_rfc(certificate) != rfc:
            return Finding("303", f"Sello no corresponde al emisor: el CSD es de {certificate_rfc(certificate)}")
        try:
            fecha = fecha_of(root)
        except ValueError:
            return Finding("CFDI40101", "Fecha no cumple con el patrón aaaa-mm-ddThh:mm:ss")
        if not certificate.not_valid_before_utc <= fecha <= certificate.not_valid_after_utc:
            return Finding("305", "La fecha de emisión no está dentro de la vigencia del CSD del emisor")
        return None

    def _sello(self, root: etree._Element) -> list[Finding]:
        if not verify_sello(root, cadenas=self.cadenas):
            return [Finding("302", "Sello mal formado o inválido: no corresponde a la cadena original")]
        return []

    def _dates(self, root: etree._Element, now: datetime) -> list[Finding]:
        fecha = fecha_of(root)
        if fecha > now + FUTURE_TOLERANCE:
            return [Finding("401", "Fecha y hora de generación fuera de rango: la Fecha está en el futuro "
                            f"para el código postal {root.get('LugarExpedicion')}")]
        if now - fecha > STAMP_WINDOW:
            return [Finding("401", "Fecha y hora de generación fuera de rango: más de 72 horas antes del timbrado")]
        return []
