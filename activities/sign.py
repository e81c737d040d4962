"""Step 3: build the document, check it against the official schema, sign it, verify, store once.

The signed bytes are stored under a key per document revision before the activity returns. A retry (or
a worker that died after storing) finds them and returns the same reference: the authority sees each
revision signed exactly once, with one SigningTime.
"""

import structlog
from temporalio import activity

from activities.errors import translate_errors
from adapters.countries import CountryProfile, CountryRegistry
from adapters.documents import FolderDocumentStore
from domain import names
from domain.invoice import DocumentKind, Numbering, Sale
from domain.steps import CreditSpec, SignInput, SignResult

log = structlog.get_logger(__name__)
XML = "application/xml"


def signed_document_key(invoice_key: str, revision: int, kind: DocumentKind = "invoice") -> str:
    return f"{invoice_key}/{kind}-r{revision}-signed.xml"


def sign_revision(profile: CountryProfile, store: FolderDocumentStore, *, invoice_key: str, sale: Sale,
                  numbering: Numbering, revision: int, kind: DocumentKind, credit: CreditSpec | None = None,
                  contingency: bool = False) -> SignResult:
    """Sign one revision once: the stored bytes win over signing again."""
    key = signed_document_key(invoice_key, revision, kind)
    stored = store.find(key, XML)
    if stored is not None:
        log.info("sign.reused", invoice_key=invoice_key, revision=revision)
        return SignResult(document=stored, signed_at=profile.now(),
                          access_key=profile.document_key(store.get(stored)) or numbering.access_key)
    signing_time = profile.now()
    built = profile.build_signed(sale, numbering, kind, credit, signing_time=signing_time, contingency=contingency)
    document = store.put_once(key, built.xml, XML)
    log.info("sign.signed", invoice_key=invoice_key, revision=revision, sha256=document.sha256)
    return SignResult(document=document, signed_at=signing_time, access_key=built.access_key)


class SignActivities:
    def __init__(self, countries: CountryRegistry, store: FolderDocumentStore) -> None:
        self._countries = countries
        self._store = store

    @activity.defn(name=names.BUILD_AND_SIGN)
    @translate_errors
    def build_and_sign(self, inp: SignInput) -> SignResult:
        return sign_revision(self._countries.get(inp.sale.country), self._store, invoice_key=inp.invoice_key,
                             sale=inp.sale, numbering=inp.numbering, revision=inp.revision, kind=inp.kind,
                             credit=inp.credit, contingency=inp.contingency)
