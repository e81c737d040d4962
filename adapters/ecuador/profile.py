"""Ecuador behind the country protocol: SRI offline scheme, factura 1.1.0 and notaCredito 1.1.0."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Literal

from adapters.certificates.signing_keys import SigningKeys
from adapters.countries import Attachment, AuthorityDecision, BuiltDocument
from adapters.ecuador.credit_note_xml import build_nota_credito
from adapters.ecuador.factura_xml import build_factura
from adapters.ecuador.schemas import schema_errors
from adapters.ecuador.sri_client import SriClient
from adapters.ecuador.xades import SigningError, sign_comprobante
from adapters.issuers import IssuerProfile, IssuerRegistry
from adapters.ledger.numbering import NumberAllocator, NumberRequest
from adapters.printing import print_ecuador
from domain.ecuador.access_key import AccessKeyParts, build_access_key
from domain.ecuador.catalog import CREDIT_NOTE_DOC_CODE, FACTURA_DOC_CODE
from domain.ecuador.clock import now_in_ecuador
from domain.ecuador.credit import credit_problems, credited_sale
from domain.ecuador.sale import EcuadorSale
from domain.ecuador.totals import compute_totals
from domain.ecuador.validation import validate_sale
from domain.errors import AuthorityRejected, AuthorityUnavailable, ConfigurationError, InvalidInvoice
from domain.invoice import Authorization, DocumentKind, Numbering, Sale
from domain.problems import Problem
from domain.steps import CreditSpec

# Ficha v2.32 §11: 43 = clave already registered, 70 = clave being processed. Both mean a previous
# submission of this same document arrived; poll for its decision instead of sending again.
ALREADY_RECEIVED_CODES = frozenset({"43", "70"})
# 50 = "Error interno general": the SRI's own failure, retry later.
SRI_INTERNAL_ERROR = "50"
# States with a decision other than authorized (RECHAZADO is the legacy spelling, reference §12.5).
NOT_AUTHORIZED_STATES = frozenset({"NO AUTORIZADO", "RECHAZADO"})
DOC_CODES: dict[DocumentKind, str] = {"invoice": FACTURA_DOC_CODE, "credit_note": CREDIT_NOTE_DOC_CODE}
FILE_PREFIX: dict[DocumentKind, str] = {"invoice": "FACTURA", "credit_note": "NOTA-CREDITO"}
# Since 1 January 2026 documents must reach the SRI "en el momento mismo de su emisión"
# (Res. NAC-DGERCGC25-00000014): there is no grace period, so the alert fires quickly.
DEFAULT_CONTINGENCY_DEADLINE = timedelta(hours=1)


def _ecuadorian(sale: Sale) -> EcuadorSale:
    """The registry routes by country; a sale of another country here is a wiring bug, said plainly."""
    if not isinstance(sale, EcuadorSale):
        raise ConfigurationError(f"the Ecuador profile received a {sale.country} sale")
    return sale


class EcuadorProfile:
    country = "EC"
    authority = "SRI"

    def __init__(self, issuers: IssuerRegistry, allocator: NumberAllocator, keys: SigningKeys, *,
                 sri: SriClient | None, schemas: Path | None,
                 contingency_deadline: timedelta = DEFAULT_CONTINGENCY_DEADLINE) -> None:
        self._issuers = issuers
        self._allocator = allocator
        self._keys = keys
        self._sri = sri
        self._schemas = schemas
        self.contingency_deadline = contingency_deadline

    def now(self) -> datetime:
        return now_in_ecuador()

    # --- validation ---------------------------------------------------------------------------
    def validate(self, sale: Sale, credit: CreditSpec | None) -> list[Problem]:
        sale = _ecuadorian(sale)
        problems = self._issuer_problems(sale)
        if credit is None:
            return validate_sale(sale, today=self.now().date()) + problems
        return credit_problems(sale, credit.lines, credit.reason) + problems

    def total(self, sale: Sale, credit: CreditSpec | None) -> Decimal:
        sale = _ecuadorian(sale)
        if credit is None:
            return compute_totals(sale).total
        totals = compute_totals(credited_sale(sale, credit.lines))
        return totals.subtotal + totals.iva

    def _issuer_problems(self, sale: Sale) -> list[Problem]:
        sale = _ecuadorian(sale)
        issuer = self._issuers.get(sale.issuer.ruc)
        if issuer is None:
            return [Problem(field="issuer.ruc", code="ISSUER.UNKNOWN",
                            message=f"RUC {sale.issuer.ruc} is not an issuer configured in this worker")]
        establishment = issuer.establishment(sale.issuer.establishment)
        if establishment is None:
            return [Problem(field="issuer.establishment", code="ISSUER.ESTABLISHMENT",
                            message=f"establishment {sale.issuer.establishment} is not configured for {issuer.ruc}")]
        if sale.issuer.emission_point not in establishment.emission_points:
            return [Problem(field="issuer.emission_point", code="ISSUER.EMISSION_POINT",
                            message=f"emission point {sale.issuer.emission_point} is not configured "
                            f"for establishment {establishment.code}")]
        return []

    def _issuer(self, sale: Sale) -> IssuerProfile:
        sale = _ecuadorian(sale)
        issuer = self._issuers.get(sale.issuer.ruc)
        if issuer is None:
            raise ConfigurationError(f"issuer {sale.issuer.ruc} is not configured")
        return issuer

    # --- numbering ----------------------------------------------------------------------------
    def allocate(self, invoice_key: str, sale: Sale, kind: DocumentKind) -> Numbering:
        sale = _ecuadorian(sale)
        issuer = self._issuer(sale)
        doc_code = DOC_CODES[kind]
        # A credit note is dated the day it is issued; an invoice on its sale date (default today).
        issue_date = (sale.issue_date if kind == "invoice" else None) or self.now().date()
        estab, point = sale.issuer.establishment, sale.issuer.emission_point
        request = NumberRequest(invoice_key=invoice_key, ruc=issuer.ruc, doc_code=doc_code, establishment=estab,
                                emission_point=point, issue_date=issue_date)

        def make_key(sequential: int, numeric_code: str) -> str:
            return build_access_key(AccessKeyParts(
                issue_date=issue_date, doc_code=doc_code, ruc=issuer.ruc, environment=issuer.environment,
                establishment=estab, emission_point=point, sequential=f"{sequential:09d}",
                numeric_code=numeric_code))

        allocated = self._allocator.allocate(request, make_key)
        return Numbering(series=f"{estab}-{point}", sequential=allocated.sequential,
                         document_number=f"{estab}-{point}-{allocated.sequential:09d}",
                         issue_date=allocated.issue_date, access_key=allocated.access_key)

    # --- document -----------------------------------------------------------------------------
    def build_signed(self, sale: Sale, numbering: Numbering, kind: DocumentKind, credit: CreditSpec | None, *,
                     signing_time: datetime, contingency: bool = False) -> BuiltDocument:
        # The SRI's offline scheme is its own contingency: the same document, clave included, waits for
        # the SRI (tipoEmision 2 was abolished in 2015), so `contingency` changes nothing here.
        sale = _ecuadorian(sale)
        issuer = self._issuer(sale)
        if credit is None:
            unsigned = build_factura(sale, numbering, issuer)
        else:
            unsigned = build_nota_credito(credited_sale(sale, credit.lines), numbering, issuer,
                                          credit.original_numbering, credit.reason)
        errors = schema_errors(unsigned, self._schemas)
        if errors:
            raise InvalidInvoice([Problem(field="document", code="EC.XSD", message=e) for e in errors])
        identity = self._keys.identity(issuer, issuer.ruc, signing_time, expected_ruc=issuer.ruc)
        try:
            signed = sign_comprobante(unsigned, identity, signing_time=signing_time,
                                      algorithm=issuer.signature_algorithm)
        except SigningError as exc:
            raise ConfigurationError(f"signing failed: {exc}") from exc
        return BuiltDocument(xml=signed, access_key=numbering.access_key)

    # --- the SRI ------------------------------------------------------------------------------
    def _client(self) -> SriClient:
        if self._sri is None:
            raise ConfigurationError("this worker has no SRI client configured")
        return self._sri

    async def submit(self, xml: bytes, numbering: Numbering,
                     issuer_id: str = "") -> Literal["RECEIVED", "ALREADY_RECEIVED"]:
        reception = await self._client().submit(xml)
        if reception.state == "RECIBIDA":
            return "RECEIVED"
        codes = {m.identifier for m in reception.messages}
        if codes & ALREADY_RECEIVED_CODES:
            return "ALREADY_RECEIVED"
        if SRI_INTERNAL_ERROR in codes:
            raise AuthorityUnavailable("SRI answered 50 ERROR INTERNO GENERAL")
        raise AuthorityRejected(reception.state or "DEVUELTA", reception.messages)

    async def decision(self, numbering: Numbering, kind: DocumentKind, issuer_id: str = "",
                       signed: bytes = b"") -> AuthorityDecision:
        assert numbering.access_key is not None  # Ecuador's key exists from numbering on
        answer = await self._client().authorization(numbering.access_key)
        if answer.state == "AUTORIZADO":
            if answer.authorization_xml is None or answer.authorized_at is None:
                raise AuthorityUnavailable("AUTORIZADO without document or date")
            authorization = Authorization(number=answer.number or numbering.access_key,
                                          authorized_at=answer.authorized_at,
                                          environment=answer.environment or "", messages=answer.messages)
            return AuthorityDecision("AUTHORIZED", authorization, answer.authorization_xml, answer.messages)
        if answer.state in NOT_AUTHORIZED_STATES:
            return AuthorityDecision("NOT_AUTHORIZED", messages=answer.messages)
        return AuthorityDecision("PENDING", messages=answer.messages)

    async def probe(self) -> None:
        # An authorization query for a well-formed key that cannot exist: any SOAP answer means the
        # service is up; nothing is submitted.
        await self._client().authorization("0" * 49)

    # --- delivery -----------------------------------------------------------------------------
    def render(self, document: bytes, authorization: Authorization | None, kind: DocumentKind) -> bytes:
        return print_ecuador(document, authorization, kind)

    def attachments(self, numbering: Numbering, kind: DocumentKind, pdf: bytes, xml: bytes) -> list[Attachment]:
        base = f"{FILE_PREFIX[kind]}-{numbering.document_number}"
        return [Attachment(f"{base}.pdf", pdf, "application", "pdf"),
                Attachment(f"{base}.xml", xml, "application", "xml")]

    def due_date(self, sale: Sale, issue_date: date) -> date:
        sale = _ecuadorian(sale)
        # The longest payment term stated in days (pago/plazo with unidadTiempo "dias").
        days = max((p.term or 0 for p in sale.payments if (p.time_unit or "dias").lower().startswith("d")),
                   default=0)
        return issue_date + timedelta(days=days)

    def document_key(self, signed: bytes) -> str | None:
        return None  # the clave de acceso is allocated with the number, before the document exists

    def sender(self, sale: Sale) -> tuple[str, str]:
        sale = _ecuadorian(sale)
        issuer = self._issuer(sale)
        return issuer.trade_name or issuer.legal_name, issuer.email_from
