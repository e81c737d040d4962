"""Nota de crédito checks against the SRI's own records (ficha §11 step 5; reference §5, §13, §16.3–§16.4).

Step 5 of the SRI's order ("additional": fecha de emisión, receiver id, supporting documents)
comes after the signature (4) and before the arithmetic (6, error 52). The fecha de emisión
(65) is a common check; these follow it, first failure wins:

1. receiver — a nota de crédito must identify its buyer: consumidor final (07) is refused
   (ficha §5.7, reference §5.1/§5.2/§6).
2. modified document — codDocModificado must be 01 and the factura numDocModificado of the
   same issuer RUC (and ambiente) must be held by the SRI and AUTORIZADO.
3. fechaEmisionDocSustento — equal to that factura's fechaEmision.
4. buyer — tipoIdentificacionComprador / identificacionComprador equal to the factura's.
5. cumulative amount — Σ valorModificacion of the AUTORIZADO notas de crédito of that
   factura plus this one ≤ its importeTotal (Decimal, 2 decimals).

Identifiers. The reference (§14, ficha v2.32 §11) gives ids and names but documents no
identifier for any of these refusals, so the choices below are ASSUMPTIONS except where
marked:

* 69 IDENTIFICACION DEL RECEPTOR (ERROR) for a consumidor-final nota de crédito: the
  catalogue's receiver-identification error; the refusal itself is OFFICIAL (ficha §5.7),
  the identifier is an assumption.
* 64 CODIGO DOCUMENTO SUSTENTO (ERROR) for a codDocModificado other than 01: OFFICIAL for
  codes outside the catalogue (§14 "not in catalogue"); using it for the other Tabla 3
  codes is an assumption (the simulator holds no other sales documents).
* 68 DOCUMENTO SUSTENTO (ERROR) for every other failure (factura unknown, NO AUTORIZADO,
  date, buyer, cumulative amount). The reference documents 68 only as a WARNING for a
  supporting document that is not electronic (§5.2, §14): the real SRI then authorizes the
  nota de crédito. The simulator has no register of pre-printed series, so it treats every
  numDocModificado as an electronic factura it must hold, and answers 68 as an ERROR
  (NO AUTORIZADO): an assumption, chosen because 68 is the only identifier about the
  supporting document and clients dispatch on it (§14). The cumulative rule is a business
  control in the reference (§5.2 [PRACTICE]); enforcing it here is deliberate.

Without ``DocumentContext.supporting`` (pure decisions with no simulator state) the
checks that need the records (2–5) cannot run and are skipped; the service always passes
its store, bound to the moment the document is processed.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from simulators.sri.arithmetic import round2
from simulators.sri.messages import Mensaje, error
from simulators.sri.summary import IndexedDocument, decimal_or_zero

if TYPE_CHECKING:
    from simulators.sri.checks_authorization import DocumentContext

FACTURA = "01"
CONSUMIDOR_FINAL = "07"  # Tabla 6 (reference §6)


def _field(context: DocumentContext, name: str) -> str:
    return (context.root.findtext(f"{context.doc_type.info_element}/{name}") or "").strip()


def _issuer(context: DocumentContext, name: str) -> str:
    return (context.root.findtext(f"infoTributaria/{name}") or "").strip()


def _ambiente_label(ambiente: str) -> str:
    return "PRUEBAS" if ambiente == "1" else "PRODUCCION"


def _modified(context: DocumentContext) -> IndexedDocument | None:
    if context.supporting is None:
        return None
    return context.supporting.find(
        ambiente=_issuer(context, "ambiente"),
        ruc=_issuer(context, "ruc"),
        cod_doc=_field(context, "codDocModificado"),
        num_doc=_field(context, "numDocModificado"),
    )


def _authorized_factura(context: DocumentContext) -> IndexedDocument | None:
    """The modified factura when check 2 passed (later checks compare against it)."""
    if _field(context, "codDocModificado") != FACTURA:
        return None
    found = _modified(context)
    return found if found is not None and found.authorized else None


def check_receiver(context: DocumentContext) -> Mensaje | None:
    """1. No nota de crédito to consumidor final (ficha §5.7)."""
    if _field(context, "tipoIdentificacionComprador") == CONSUMIDOR_FINAL:
        return error(
            "69",
            "Una nota de crédito no puede emitirse a consumidor final (tipoIdentificacionComprador 07, "
            f"identificacionComprador {_field(context, 'identificacionComprador')}): el comprador debe "
            "estar identificado",
        )
    return None


def check_modified_document(context: DocumentContext) -> Mensaje | None:
    """2. The modified factura exists at the SRI (same RUC, same ambiente) and is AUTORIZADO."""
    from simulators.sri.documents import KNOWN_COD_DOCS  # documents registers these checks

    if context.supporting is None:
        return None
    cod_doc = _field(context, "codDocModificado")
    num_doc = _field(context, "numDocModificado")
    if cod_doc != FACTURA:
        reason = "no existe en el catálogo" if cod_doc not in KNOWN_COD_DOCS else "no es una factura (01)"
        return error(
            "64",
            f"El codDocModificado {cod_doc} del documento sustento {num_doc} {reason}; "
            "una nota de crédito electrónica modifica una factura (codDocModificado 01)",
        )
    found = _modified(context)
    ruc = _issuer(context, "ruc")
    ambiente = _ambiente_label(_issuer(context, "ambiente"))
    if found is None:
        return error(
            "68",
            f"La factura {num_doc} (documento sustento de la nota de crédito) no existe en el SRI para el "
            f"RUC {ruc} en el ambiente {ambiente}",
        )
    if not found.authorized:
        return error(
            "68",
            f"La factura {num_doc} (documento sustento de la nota de crédito, clave de acceso "
            f"{found.summary.clave}) se encuentra en estado {found.status}; solo se puede modificar un "
            "comprobante AUTORIZADO",
        )
    return None


def check_fecha_sustento(context: DocumentContext) -> Mensaje | None:
    """3. fechaEmisionDocSustento is the modified factura's fechaEmision."""
    factura = _authorized_factura(context)
    if factura is None:
        return None
    declared = _field(context, "fechaEmisionDocSustento")
    if _as_date(declared) != _as_date(factura.summary.fecha_emision):
        return error(
            "68",
            f"La fechaEmisionDocSustento {declared} no corresponde a la fecha de emisión "
            f"{factura.summary.fecha_emision} de la factura {factura.summary.num_doc}",
        )
    return None


def check_buyer(context: DocumentContext) -> Mensaje | None:
    """4. Same buyer as the modified factura (a consumidor-final factura has none to match)."""
    factura = _authorized_factura(context)
    if factura is None:
        return None
    invoiced = (factura.summary.buyer_type, factura.summary.buyer_id)
    if invoiced[0] == CONSUMIDOR_FINAL:
        return error(
            "68",
            f"La factura {factura.summary.num_doc} fue emitida a consumidor final (07 {invoiced[1]}); "
            "no admite nota de crédito",
        )
    credited = (_field(context, "tipoIdentificacionComprador"), _field(context, "identificacionComprador"))
    if credited != invoiced:
        return error(
            "68",
            f"El comprador de la nota de crédito (tipoIdentificacionComprador {credited[0]}, "
            f"identificacionComprador {credited[1]}) no corresponde al comprador de la factura "
            f"{factura.summary.num_doc} (tipoIdentificacionComprador {invoiced[0]}, "
            f"identificacionComprador {invoiced[1]})",
        )
    return None


def check_cumulative_amount(context: DocumentContext) -> Mensaje | None:
    """5. Σ valorModificacion of the authorized notas de crédito + this one ≤ importeTotal."""
    factura = _authorized_factura(context)
    if factura is None or context.supporting is None:
        return None
    previous = context.supporting.authorized_modifications(
        ambiente=factura.summary.ambiente,
        ruc=factura.summary.ruc,
        cod_doc=FACTURA,
        num_doc=factura.summary.num_doc,
        excluding=_issuer(context, "claveAcceso"),
    )
    already = sum((round2(p.summary.total) for p in previous), Decimal("0.00"))
    this = round2(decimal_or_zero(_field(context, "valorModificacion")))
    limit = round2(factura.summary.total)
    if already + this > limit:
        return error(
            "68",
            f"La suma de valorModificacion de las notas de crédito de la factura {factura.summary.num_doc} "
            f"supera su importeTotal {limit:.2f}: {already:.2f} en {len(previous)} nota(s) de crédito "
            f"autorizada(s) + {this:.2f} de esta nota de crédito = {already + this:.2f} "
            f"(saldo disponible {max(limit - already, Decimal('0')):.2f})",
        )
    return None


def _as_date(fecha: str) -> tuple[int, int, int] | str:
    """dd/mm/aaaa as (year, month, day), so 1/2/2025 and 01/02/2025 compare equal; else the text."""
    parts = fecha.split("/")
    if len(parts) == 3 and all(p.isdigit() for p in parts):
        return int(parts[2]), int(parts[1]), int(parts[0])
    return fecha
