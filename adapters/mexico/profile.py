"""Mexico behind the country protocol: CFDI 4.0 sealed with the issuer's CSD and stamped by a PAC.

Stamping is synchronous at the PAC, so `submit` stamps and `decision` asks the PACs for the stamp of this
very document (a 307 "previously stamped" is the success path). Failover to the next PAC happens only
after the failing PAC has said it did not stamp the document, so a timeout never produces two UUIDs for
one sale.
"""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

import structlog
from cryptography import x509

from adapters.countries import Attachment, AuthorityDecision, BuiltDocument
from adapters.ledger.numbering import NumberAllocator, NumberRequest
from adapters.mexico.cfdi_xml import build_cfdi
from adapters.mexico.csd import Csd
from adapters.mexico.issuer import MexicoIssuerProfile
from adapters.mexico.pac import CancelAnswer, PacPort, PacUnavailable, StampAnswer
from adapters.mexico.sealing import fecha_of, parse_cfdi, seal_cfdi
from adapters.mexico.timbre import read_timbre, timbre_problems
from adapters.printing import print_mexico
from domain.errors import AuthorityRejected, AuthorityUnavailable, ConfigurationError, DocumentExpired
from domain.invoice import AuthorityMessage, Authorization, DocumentKind, Numbering, Sale
from domain.mexico.credit import credit_problems, credited_sale
from domain.mexico.sale import MexicoSale
from domain.mexico.totals import compute_totals
from domain.mexico.validation import validate_sale
from domain.problems import Problem
from domain.steps import CancelAtAuthority, CreditSpec

log = structlog.get_logger(__name__)
DOC_CODES: dict[DocumentKind, str] = {"invoice": "I", "credit_note": "E"}
# The SAT refuses a CFDI stamped more than 72 hours after its Fecha (PAC code 401). Re-date with a margin
# so a document never reaches the PAC stale.
STAMP_WINDOW = timedelta(hours=72)
REDATE_MARGIN = timedelta(hours=1)
MEXICO_CITY = ZoneInfo("America/Mexico_City")


def _mexican(sale: Sale) -> MexicoSale:
    """The registry routes by country; a sale of another country here is a wiring bug, said plainly."""
    if not isinstance(sale, MexicoSale):
        raise ConfigurationError(f"the Mexico profile received a {sale.country} sale")
    return sale


class MexicoProfile:
    country = "MX"
    authority = "PAC"
    contingency_deadline = STAMP_WINDOW

    def __init__(self, issuers: dict[str, MexicoIssuerProfile], allocator: NumberAllocator,
                 pacs: dict[str, PacPort], *, schemas: Path | None = None,
                 sat_certificates: list[x509.Certificate] | None = None) -> None:
        self._issuers = issuers
        self._allocator = allocator
        self._pacs = pacs
        self._schemas = schemas
        self._sat_certificates = sat_certificates or []
        self._csds: dict[str, Csd] = {}

    def now(self) -> datetime:
        return datetime.now(MEXICO_CITY)

    def _issuer(self, rfc: str) -> MexicoIssuerProfile:
        issuer = self._issuers.get(rfc)
        if issuer is None:
            raise ConfigurationError(f"RFC {rfc} is not an issuer configured in this worker")
        return issuer

    # --- validation and numbering ---------------------------------------------------------------
    def validate(self, sale: Sale, credit: CreditSpec | None) -> list[Problem]:
        sale = _mexican(sale)
        issuer = self._issuers.get(sale.issuer_id)
        if issuer is None:
            return [Problem(field="issuer.rfc", code="ISSUER.UNKNOWN",
                            message=f"RFC {sale.issuer_id} is not an issuer configured in this worker")]
        if credit is not None:
            return credit_problems(sale, credit.lines, credit.reason)
        return validate_sale(sale, issuer=issuer, today=self.now().date())

    def total(self, sale: Sale, credit: CreditSpec | None) -> Decimal:
        sale = _mexican(sale)
        credited = sale if credit is None else credited_sale(sale, credit.lines)
        return compute_totals(credited).total

    def allocate(self, invoice_key: str, sale: Sale, kind: DocumentKind) -> Numbering:
        sale = _mexican(sale)
        issuer = self._issuer(sale.issuer_id)
        serie = (sale.issuer.serie or issuer.serie) if kind == "invoice" else issuer.credit_note_serie
        doc_code = DOC_CODES[kind]
        request = NumberRequest(invoice_key=invoice_key, ruc=issuer.rfc, doc_code=doc_code, establishment=serie,
                                emission_point="", issue_date=self.now().date())
        # The UUID comes from the PAC's timbre; the allocation only needs a unique placeholder.
        allocated = self._allocator.allocate(request, lambda n, _code: f"MX-{issuer.rfc}-{doc_code}-{serie}-{n}")
        return Numbering(series=serie, sequential=allocated.sequential,
                         document_number=f"{serie}-{allocated.sequential}", issue_date=allocated.issue_date)

    # --- documents ------------------------------------------------------------------------------
    def build_signed(self, sale: Sale, numbering: Numbering, kind: DocumentKind, credit: CreditSpec | None, *,
                     signing_time: datetime, contingency: bool = False) -> BuiltDocument:
        sale = _mexican(sale)
        issuer = self._issuer(sale.issuer_id)
        if credit is None:
            related = [("04", sale.replaces_uuid)] if sale.replaces_uuid else []
            xml = build_cfdi(sale, folio=numbering.sequential, issuer=issuer, issued_at=signing_time,
                             related=related)
        else:
            original = credit.original_numbering.access_key
            if original is None:
                raise ConfigurationError("the credited CFDI has no UUID")
            xml = build_cfdi(credited_sale(sale, credit.lines), folio=numbering.sequential,
                             issuer=issuer, issued_at=signing_time, tipo="E", related=[("01", original)])
        return BuiltDocument(xml=seal_cfdi(xml, self._csd(issuer)))

    def _csd(self, issuer: MexicoIssuerProfile) -> Csd:
        if issuer.rfc not in self._csds:
            self._csds[issuer.rfc] = issuer.load_csd()
        return self._csds[issuer.rfc]

    def document_key(self, signed: bytes) -> str | None:
        return None  # the UUID is in the PAC's timbre, not in the sealed document

    # --- the PACs -------------------------------------------------------------------------------
    def _accounts(self, issuer: MexicoIssuerProfile) -> list[PacPort]:
        names = [issuer.pac.primary, *issuer.pac.fallbacks]
        missing = [n for n in names if n not in self._pacs]
        if missing:
            raise ConfigurationError(f"PAC account(s) {', '.join(missing)} not configured (COMPROBANTE_PACS)")
        return [self._pacs[n] for n in names]

    async def submit(self, xml: bytes, numbering: Numbering,
                     issuer_id: str = "") -> Literal["RECEIVED", "ALREADY_RECEIVED"]:
        issuer = self._issuer(issuer_id)
        self._check_stamp_window(xml, issuer)
        accounts = self._accounts(issuer)
        for index, pac in enumerate(accounts):
            try:
                return self._outcome(await pac.stamp(xml))
            except PacUnavailable as exc:
                if index == len(accounts) - 1:
                    raise
                if not exc.not_stamped:
                    # The PAC may have stamped it before failing: ask before going elsewhere.
                    found = await pac.stamped(xml)  # raises if it cannot tell: then we do not fail over
                    if found is not None and found.ok:
                        return "ALREADY_RECEIVED"
                log.warning("pac.failover", failed=getattr(pac, "name", index), error=str(exc))
        raise AuthorityUnavailable("no PAC configured")  # pragma: no cover - the loop returns or raises

    def _outcome(self, answer: StampAnswer) -> Literal["RECEIVED", "ALREADY_RECEIVED"]:
        if answer.status == "stamped":
            return "RECEIVED"
        if answer.status == "already_stamped":
            return "ALREADY_RECEIVED"  # 307: this very document was stamped before; its timbre is the answer
        if "401" in answer.codes:
            raise DocumentExpired("the PAC refused a CFDI older than 72 hours (401)")
        raise AuthorityRejected("PAC rejected", answer.messages)

    def _check_stamp_window(self, xml: bytes, issuer: MexicoIssuerProfile) -> None:
        fecha = fecha_of(parse_cfdi(xml))  # aware, in the zone of the place of issue
        if datetime.now(UTC) - fecha > STAMP_WINDOW - REDATE_MARGIN:
            raise DocumentExpired(f"Fecha {fecha.isoformat()} is about to leave the 72-hour stamping window")

    async def decision(self, numbering: Numbering, kind: DocumentKind, issuer_id: str = "",
                       signed: bytes = b"") -> AuthorityDecision:
        issuer = self._issuer(issuer_id)
        for pac in self._accounts(issuer):
            try:
                found = await pac.stamped(signed)
            except AuthorityUnavailable:
                continue
            if found is not None and found.ok and found.xml is not None:
                problems = timbre_problems(found.xml, self._sat_certificates) if self._sat_certificates else []
                if problems:
                    # A timbre whose SelloSAT does not verify is not the SAT's: never deliver it.
                    return AuthorityDecision("NOT_AUTHORIZED", messages=[AuthorityMessage(
                        identifier="TIMBRE", message="el timbre no verifica contra el certificado del SAT",
                        additional_info="; ".join(problems))])
                timbre = read_timbre(found.xml)
                authorization = Authorization(number=timbre.uuid,
                                              authorized_at=timbre.fecha_timbrado.replace(tzinfo=MEXICO_CITY),
                                              environment=f"PAC {found.pac or 'primary'}")
                return AuthorityDecision("AUTHORIZED", authorization, found.xml)
        return AuthorityDecision("PENDING")

    async def probe(self) -> None:
        if not self._pacs:
            raise ConfigurationError("no PAC configured")
        # Any answer, stamped or not, means the PAC is serving; an unknown UUID changes nothing.
        await next(iter(self._pacs.values())).stamped("00000000-0000-0000-0000-000000000000")

    # --- cancellation ---------------------------------------------------------------------------
    async def cancel(self, request: "CancelAtAuthority") -> CancelAnswer:
        issuer = self._issuer(request.issuer_id)
        last: AuthorityUnavailable | None = None
        for pac in self._accounts(issuer):
            try:
                return await pac.cancel(request.uuid, rfc_emisor=issuer.rfc, rfc_receptor=request.receiver_id,
                                        total=str(request.total), motive=request.motive,
                                        substitute_uuid=request.substitute_uuid)
            except AuthorityUnavailable as exc:
                last = exc
        raise last or AuthorityUnavailable("no PAC configured")

    async def cancellation_status(self, request: "CancelAtAuthority") -> CancelAnswer:
        issuer = self._issuer(request.issuer_id)
        last: AuthorityUnavailable | None = None
        for pac in self._accounts(issuer):
            try:
                return await pac.cancellation_status(request.uuid)
            except AuthorityUnavailable as exc:
                last = exc
        raise last or AuthorityUnavailable("no PAC configured")

    # --- delivery -------------------------------------------------------------------------------
    def render(self, document: bytes, authorization: Authorization | None, kind: DocumentKind) -> bytes:
        return print_mexico(document, authorization, kind)

    def attachments(self, numbering: Numbering, kind: DocumentKind, pdf: bytes, xml: bytes) -> list[Attachment]:
        base = f"CFDI-{numbering.document_number}"
        return [Attachment(f"{base}.pdf", pdf, "application", "pdf"),
                Attachment(f"{base}.xml", xml, "application", "xml")]

    def due_date(self, sale: Sale, issue_date: date) -> date:
        return issue_date  # PUE is paid on issue; PPD's dates live in the payment complement, not here

    def sender(self, sale: Sale) -> tuple[str, str]:
        issuer = self._issuer(sale.issuer_id)
        return issuer.name, issuer.email_from
