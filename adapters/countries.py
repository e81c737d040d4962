"""The country protocol: everything the country-neutral activities need from a tax authority's country.

Each country package (Ecuador today; Colombia and Mexico next) implements it once; activities look the
profile up by the sale's country, so the workflow never knows which authority it is talking to.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Literal, Protocol

from domain.invoice import AuthorityMessage, Authorization, DocumentKind, Numbering, Sale
from domain.problems import Problem
from domain.steps import CreditSpec


@dataclass(frozen=True)
class BuiltDocument:
    xml: bytes
    access_key: str | None = None  # the authority's key, when the document defines it (CUFE)


@dataclass(frozen=True)
class AuthorityDecision:
    state: Literal["AUTHORIZED", "NOT_AUTHORIZED", "PENDING"]
    authorization: Authorization | None = None
    artefact: bytes | None = None  # what the authority returns as the legal document (stored, mailed)
    messages: list[AuthorityMessage] = field(default_factory=list)


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    maintype: str
    subtype: str


class CountryProfile(Protocol):
    country: str
    authority: str
    # How long the law allows a document issued in contingency to wait before it reaches the authority.
    contingency_deadline: timedelta

    def now(self) -> datetime: ...

    def validate(self, sale: Sale, credit: CreditSpec | None) -> list[Problem]: ...

    def total(self, sale: Sale, credit: CreditSpec | None) -> Decimal: ...

    def allocate(self, invoice_key: str, sale: Sale, kind: DocumentKind) -> Numbering: ...

    def build_signed(self, sale: Sale, numbering: Numbering, kind: DocumentKind, credit: CreditSpec | None, *,
                     signing_time: datetime, contingency: bool) -> BuiltDocument:
        """``contingency``: the authority is down and the country issues a contingency document."""
        ...

    async def submit(self, xml: bytes, numbering: Numbering,
                     issuer_id: str) -> Literal["RECEIVED", "ALREADY_RECEIVED"]: ...

    async def decision(self, numbering: Numbering, kind: DocumentKind, issuer_id: str,
                       signed: bytes) -> AuthorityDecision:
        """The authority's verdict on the signed document it received (PENDING until it decides)."""
        ...

    async def probe(self) -> None: ...

    def render(self, document: bytes, authorization: Authorization | None, kind: DocumentKind) -> bytes: ...

    def attachments(self, numbering: Numbering, kind: DocumentKind, pdf: bytes, xml: bytes) -> list[Attachment]: ...

    def due_date(self, sale: Sale, issue_date: date) -> date:
        """When the buyer's receivable falls due."""
        ...

    def document_key(self, signed: bytes) -> str | None:
        """The authority's key as written in a signed document (Colombia's CUFE), if the country has one."""
        ...

    def sender(self, sale: Sale) -> tuple[str, str]:
        """The name and address buyer e-mails come from."""
        ...


class UnknownCountry(LookupError):
    pass


class CountryRegistry:
    def __init__(self, profiles: list[CountryProfile]) -> None:
        self._profiles = {p.country: p for p in profiles}

    def get(self, country: str) -> CountryProfile:
        try:
            return self._profiles[country]
        except KeyError:
            raise UnknownCountry(f"no country profile for {country!r} in this worker") from None

    def countries(self) -> list[str]:
        return sorted(self._profiles)
