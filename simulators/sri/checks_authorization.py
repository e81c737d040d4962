"""The Autorización decision (ficha §11; reference §13, §14, §18).

Runs once per received document, after the configured processing delay, in the SRI's
order (first failure wins): issuer (2/46) → clave de acceso vs document (58) → signature
(39) → fecha de emisión (65) → document-specific checks: for a nota de crédito the receiver
and its supporting factura (69/64/68, ``checks_supporting``), then the arithmetic (52).
An empty result means AUTORIZADO.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

from cryptography import x509
from lxml import etree

from simulators.sri import access_key, ruc
from simulators.sri.documents import BY_ROOT, DocumentType, parse_document
from simulators.sri.messages import Mensaje, error
from simulators.sri.signature import verify_tree
from simulators.sri.summary import SupportingDocuments

# Ecuador has no DST: America/Guayaquil is always UTC−05:00 (reference §10.1, §15).
GUAYAQUIL = timezone(timedelta(hours=-5), "America/Guayaquil")
DEFAULT_TOLERANCE_MINUTES = 43200  # 30 days, the tolerance observed in 2019 (reference §16.1)


@dataclass(frozen=True, slots=True)
class AuthorizationPolicy:
    trusted_cas: Sequence[x509.Certificate] = ()
    emission_tolerance: timedelta = timedelta(minutes=DEFAULT_TOLERANCE_MINUTES)
    # Issuers the simulated registry treats as NO ACTIVO (error 2); set through the admin API.
    inactive_rucs: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True, slots=True)
class DocumentContext:
    """What a document-specific check may look at."""

    root: etree._Element
    doc_type: DocumentType
    xml: bytes
    received_at: datetime
    processed_at: datetime
    policy: AuthorizationPolicy
    # The SRI's records as of processed_at; None skips the cross-document checks.
    supporting: SupportingDocuments | None = None


def decide(
    xml: bytes,
    *,
    received_at: datetime,
    processed_at: datetime,
    policy: AuthorizationPolicy,
    supporting: SupportingDocuments | None = None,
) -> list[Mensaje]:
    """Messages that make the document NO AUTORIZADO (empty: AUTORIZADO).

    ``supporting`` are the SRI's records as of ``processed_at`` (the service passes its
    store); without them the checks against other documents are skipped.
    """
    root = parse_document(xml).getroot()
    doc_type = BY_ROOT[str(root.tag)]
    context = DocumentContext(
        root=root,
        doc_type=doc_type,
        xml=xml,
        received_at=received_at,
        processed_at=processed_at,
        policy=policy,
        supporting=supporting,
    )
    for check in (*COMMON_CHECKS, *doc_type.checks):
        mensaje = check(context)
        if mensaje is not None:
            return [mensaje]
    return []


def _info(context: DocumentContext, name: str) -> str:
    return (context.root.findtext(f"infoTributaria/{name}") or "").strip()


def check_issuer(context: DocumentContext) -> Mensaje | None:
    """Step 2 of ficha §11: the issuer must exist and be active (46 / 2)."""
    issuer = _info(context, "ruc")
    problem = ruc.issuer_ruc_problem(issuer)
    if problem:
        return error("46", problem)
    if issuer in context.policy.inactive_rucs:
        return error("2", f"El RUC {issuer} del emisor se encuentra NO ACTIVO en el catastro")
    return None


def check_clave(context: DocumentContext) -> Mensaje | None:
    """Step 3: the clave de acceso must describe this document (58)."""
    info = context.root.find("infoTributaria")
    assert info is not None  # Recepción only stores documents that passed the structure check
    fecha = context.doc_type.fecha_emision(context.root)
    mismatch = clave_mismatch(_info(context, "claveAcceso"), fecha=fecha, info=info)
    return error("58", mismatch) if mismatch else None


def check_signature(context: DocumentContext) -> Mensaje | None:
    """Step 4: XAdES-BES signature, certificate and chain (39)."""
    problems = verify_tree(context.root, trusted_cas=context.policy.trusted_cas, at=context.processed_at)
    return error("39", f"La firma es inválida: {problems[0]}") if problems else None


def check_emission_date(context: DocumentContext) -> Mensaje | None:
    """Step 5: fechaEmision within the SRI's tolerance and not in the future (65)."""
    problem = emission_date_problem(
        context.doc_type.fecha_emision(context.root),
        received_at=context.received_at,
        tolerance=context.policy.emission_tolerance,
    )
    return error("65", problem) if problem else None


# Ficha §11 order (reference §13); document-specific checks (documents.py) run after these.
COMMON_CHECKS = (check_issuer, check_clave, check_signature, check_emission_date)


def clave_mismatch(clave: str, *, fecha: str, info: etree._Element) -> str | None:
    """First clave component that disagrees with the document (58, ficha Tabla 1)."""
    fields = access_key.AccessKeyFields.parse(clave)

    def text(name: str) -> str:
        return (info.findtext(name) or "").strip()

    comparisons = (
        ("fecha de emisión", fields.fecha, fecha.replace("/", "")),
        ("tipo de comprobante", fields.cod_doc, text("codDoc")),
        ("RUC", fields.ruc, text("ruc")),
        ("ambiente", fields.ambiente, text("ambiente")),
        ("serie (estab + ptoEmi)", fields.serie, text("estab") + text("ptoEmi")),
        ("secuencial", fields.secuencial, text("secuencial")),
        ("tipo de emisión", fields.tipo_emision, text("tipoEmision")),
    )
    for label, in_clave, in_document in comparisons:
        if in_clave != in_document:
            return (
                f"La clave de acceso {clave} no corresponde al comprobante: {label} es {in_clave} en la "
                f"clave y {in_document} en el comprobante"
            )
    return None


def parse_fecha(fecha: str) -> date:
    day, month, year = fecha.split("/")
    return date(int(year), int(month), int(day))


def emission_date_problem(fecha: str, *, received_at: datetime, tolerance: timedelta) -> str | None:
    """65 when fechaEmision is after the SRI's date or older than its tolerance (§14, §16.1)."""
    try:
        emitted = parse_fecha(fecha)
    except ValueError:
        return f"La fecha de emisión {fecha} no es una fecha válida"
    local_now = received_at.astimezone(GUAYAQUIL)
    start_of_day = datetime(emitted.year, emitted.month, emitted.day, tzinfo=GUAYAQUIL)
    minutes = int(tolerance.total_seconds() // 60)
    if emitted > local_now.date():
        return (
            f"La fecha de emisión {fecha} es mayor a la fecha del servidor "
            f"{local_now.strftime('%d/%m/%Y %H:%M:%S')} (America/Guayaquil)"
        )
    if local_now - start_of_day > tolerance:
        return (
            f"La fecha de emisión {fecha} está fuera del rango de tolerancia [{minutes} minutos], "
            f"o es mayor a la fecha del servidor"
        )
    return None
