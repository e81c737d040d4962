"""Colombia behind the country protocol: DIAN factura electrónica de venta (UBL 2.1) and nota crédito.

Numbers come from the issuer's numbering resolution (prefix and range), the CUFE/CUDE is computed when the
document is built, DIAN's verdict comes with SendBillSync and is confirmed with GetStatus, and the buyer
receives the AttachedDocument (signed invoice plus DIAN's ApplicationResponse) with the PDF.
"""

import io
import zipfile
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Literal

import httpx

from adapters.certificates.pkcs12 import SigningIdentity
from adapters.certificates.signing_keys import SigningKeys
from adapters.colombia import reading
from adapters.colombia.credit_note_xml import InvoiceReference, build_credit_note
from adapters.colombia.dian_client import DianClient
from adapters.colombia.invoice_xml import build_invoice
from adapters.colombia.issuer import DianIssuerProfile
from adapters.colombia.packaging import build_attached_document, xml_file_name, zip_document, zip_file_name
from adapters.colombia.schemas import schema_errors
from adapters.colombia.xades_epes import sign_ubl
from adapters.countries import Attachment, AuthorityDecision, BuiltDocument
from adapters.ledger.numbering import NumberAllocator, NumberRequest
from adapters.printing import print_colombia
from domain.colombia.credit import credit_problems, credited_sale
from domain.colombia.numbering import WarningThreshold, number_problems, resolution_warnings
from domain.colombia.resolution import NumberingResolution
from domain.colombia.sale import ColombiaSale
from domain.colombia.totals import compute_totals
from domain.colombia.validation import validate_sale
from domain.ecuador.clock import GUAYAQUIL
from domain.errors import AuthorityRejected, AuthorityUnavailable, ConfigurationError, InvalidInvoice
from domain.invoice import Authorization, DocumentKind, Numbering, Sale
from domain.problems import Problem
from domain.steps import CreditSpec

DOC_CODES: dict[DocumentKind, str] = {"invoice": "01", "credit_note": "91"}
FULL_ANNULMENT, PARTIAL_RETURN = "2", "1"
# Bogotá keeps UTC−05:00 all year, like Guayaquil.
BOGOTA = GUAYAQUIL
ENVIRONMENTS = {"1": "PRODUCCION", "2": "HABILITACION"}


def _colombian(sale: Sale) -> ColombiaSale:
    """The registry routes by country; a sale of another country here is a wiring bug, said plainly."""
    if not isinstance(sale, ColombiaSale):
        raise ConfigurationError(f"the Colombia profile received a {sale.country} sale")
    return sale


class ColombiaProfile:
    country = "CO"
    authority = "DIAN"
    contingency_deadline = timedelta(hours=48)

    def __init__(self, issuers: dict[str, DianIssuerProfile], allocator: NumberAllocator, keys: SigningKeys, *,
                 http: httpx.AsyncClient | None, dian_url: str, schemas: Path | None) -> None:
        self._issuers = issuers
        self._allocator = allocator
        self._keys = keys
        self._http = http
        self._url = dian_url
        self._schemas = schemas

    def now(self) -> datetime:
        return datetime.now(BOGOTA)

    # --- validation and numbering ---------------------------------------------------------------
    def _issuer(self, nit: str) -> DianIssuerProfile:
        issuer = self._issuers.get(nit)
        if issuer is None:
            raise ConfigurationError(f"NIT {nit} is not an issuer configured in this worker")
        return issuer

    def validate(self, sale: Sale, credit: CreditSpec | None) -> list[Problem]:
        sale = _colombian(sale)
        issuer = self._issuers.get(sale.issuer_id)
        if issuer is None:
            return [Problem(field="issuer.nit", code="ISSUER.UNKNOWN",
                            message=f"NIT {sale.issuer_id} is not an issuer configured in this worker")]
        if credit is not None:
            return credit_problems(sale, credit.lines, credit.reason)
        resolution, today = issuer.resolution, self.now().date()
        used = self._allocator.peek(issuer.nit, DOC_CODES["invoice"], resolution.prefix_text, "")
        next_number = resolution.range_from + used
        # Before it happens: a range about to run out or a resolution about to expire alerts operators.
        alerts = [p.model_copy(update={"severity": "alert"}) for p in resolution_warnings(
            resolution, next_number, today, WarningThreshold(numbers=issuer.warn_numbers_left,
                                                             days=issuer.warn_days_left))]
        return validate_sale(sale, today=today, resolution=resolution, next_number=next_number) + alerts

    def total(self, sale: Sale, credit: CreditSpec | None) -> Decimal:
        sale = _colombian(sale)
        credited = sale if credit is None else credited_sale(sale, credit.lines)
        return compute_totals(credited).payable

    def allocate(self, invoice_key: str, sale: Sale, kind: DocumentKind) -> Numbering:
        issuer = self._issuer(sale.issuer_id)
        doc_code = DOC_CODES[kind]
        series = issuer.resolution.prefix_text if kind == "invoice" else issuer.credit_note_prefix
        today = self.now().date()
        request = NumberRequest(invoice_key=invoice_key, ruc=issuer.nit, doc_code=doc_code, establishment=series,
                                emission_point="", issue_date=today)
        # The CUFE is computed from the finished document; the allocation only needs a unique placeholder.
        allocated = self._allocator.allocate(request, lambda n, _code: f"CO-{issuer.nit}-{doc_code}-{series}-{n}")
        if kind == "invoice":
            number = _in_range(issuer.resolution, allocated.sequential)
            document_number = issuer.resolution.document_number(number)
        else:
            number, document_number = allocated.sequential, f"{series}{allocated.sequential}"
        return Numbering(series=series, sequential=number, document_number=document_number,
                         issue_date=allocated.issue_date)

    # --- documents ------------------------------------------------------------------------------
    def build_signed(self, sale: Sale, numbering: Numbering, kind: DocumentKind, credit: CreditSpec | None, *,
                     signing_time: datetime, contingency: bool = False) -> BuiltDocument:
        sale = _colombian(sale)
        issuer = self._issuer(sale.issuer_id)
        if credit is None:
            built = build_invoice(sale, number=numbering.sequential, issuer=issuer,
                                  issued_at=signing_time, invoice_type="04" if contingency else "01")
        else:
            original = credit.original_numbering
            if original.access_key is None:
                raise ConfigurationError("the credited invoice has no CUFE")
            built = build_credit_note(
                credited_sale(sale, credit.lines), number=numbering.sequential, issuer=issuer,
                issued_at=signing_time,
                original=InvoiceReference(number=original.document_number, uuid=original.access_key,
                                          issue_date=original.issue_date),
                concept=PARTIAL_RETURN if credit.lines else FULL_ANNULMENT, reason=credit.reason)
        signed = sign_ubl(built.xml, self._identity(issuer, signing_time), signing_time=signing_time)
        errors = schema_errors(signed, self._schemas) if self._schemas else []
        if errors:
            raise InvalidInvoice([Problem(field="document", code="CO.XSD", message=e) for e in errors])
        return BuiltDocument(xml=signed, access_key=built.uuid)

    def due_date(self, sale: Sale, issue_date: date) -> date:
        sale = _colombian(sale)
        return sale.payment.due_date or issue_date

    def document_key(self, signed: bytes) -> str | None:
        return reading.document_key(signed)

    def _identity(self, issuer: DianIssuerProfile, at: datetime) -> SigningIdentity:
        return self._keys.identity(issuer, issuer.nit, at)

    # --- DIAN -----------------------------------------------------------------------------------
    def _client(self, nit: str) -> DianClient:
        if self._http is None:
            raise ConfigurationError("this worker has no DIAN client configured")
        issuer = self._issuer(nit)
        # WS-Security signs every call with the issuer's own certificate.
        return DianClient(self._http, self._url, self._identity(issuer, self.now()))

    async def submit(self, xml: bytes, numbering: Numbering,
                     issuer_id: str = "") -> Literal["RECEIVED", "ALREADY_RECEIVED"]:
        issuer = self._issuer(issuer_id)
        tag: Literal["fv", "nc"] = "nc" if reading.is_credit_note(xml) else "fv"
        year, consecutive = numbering.issue_date.year, numbering.sequential
        inner = xml_file_name(tag, issuer.nit, year, consecutive, issuer.provider_code)
        name = zip_file_name(issuer.nit, year, consecutive, issuer.provider_code)
        answer = await self._client(issuer_id).send_bill_sync(name, zip_document(inner, xml))
        if answer.already_processed:
            return "ALREADY_RECEIVED"  # rule 90: this very document was accepted before
        if answer.accepted or answer.pending:
            return "RECEIVED"
        if answer.rejected:
            raise AuthorityRejected(f"DIAN {answer.status_code}", answer.messages())
        raise AuthorityUnavailable(f"DIAN answered {answer.status_code} {answer.status_description}")

    async def decision(self, numbering: Numbering, kind: DocumentKind, issuer_id: str = "",
                       signed: bytes = b"") -> AuthorityDecision:
        if numbering.access_key is None:
            return AuthorityDecision("PENDING")
        answer = await self._client(issuer_id).get_status(numbering.access_key)
        if answer.accepted and answer.application_response:
            issuer = self._issuer(issuer_id)
            now = self.now()
            attached = build_attached_document(signed, answer.application_response, issued_at=now)
            authorization = Authorization(number=numbering.access_key, authorized_at=now,
                                          environment=ENVIRONMENTS[issuer.environment], messages=answer.messages())
            return AuthorityDecision("AUTHORIZED", authorization, attached, answer.messages())
        if answer.rejected:
            return AuthorityDecision("NOT_AUTHORIZED", messages=answer.messages())
        return AuthorityDecision("PENDING", messages=answer.messages())

    async def probe(self) -> None:
        if not self._issuers:
            raise ConfigurationError("no Colombian issuer configured")
        # A status query for a key that cannot exist: any DianResponse means the service answers.
        await self._client(next(iter(self._issuers))).get_status("0" * 96)

    # --- delivery -------------------------------------------------------------------------------
    def render(self, document: bytes, authorization: Authorization | None, kind: DocumentKind) -> bytes:
        return print_colombia(document, authorization, kind)

    def attachments(self, numbering: Numbering, kind: DocumentKind, pdf: bytes, xml: bytes) -> list[Attachment]:
        # The buyer receives one ZIP with the AttachedDocument and the PDF (Anexo técnico §8.5).
        name = numbering.document_number
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(f"{name}.xml", xml)
            archive.writestr(f"{name}.pdf", pdf)
        return [Attachment(f"{name}.zip", buffer.getvalue(), "application", "zip")]

    def sender(self, sale: Sale) -> tuple[str, str]:
        issuer = self._issuer(sale.issuer_id)
        return issuer.trade_name or issuer.legal_name, issuer.email_from


def _in_range(resolution: NumberingResolution, counter: int) -> int:
    """The n-th number of the resolution's range; past its end is a configuration problem, not a rejection."""
    number = resolution.range_from + counter - 1
    problems = number_problems(resolution, number)
    if problems:
        raise ConfigurationError("; ".join(p.message for p in problems))
    return number
