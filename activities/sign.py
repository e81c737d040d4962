"""Step 3: build the document, check it against the official schema, sign it, verify, store once.

The signed bytes are stored under a key per document revision before the activity returns. A retry (or
a worker that died after storing) finds them and returns the same reference: the authority sees each
revision signed exactly once, with one SigningTime.
"""

import structlog
from temporalio import activity

from activities.errors import translate_errors
from adapters.countries import CountryRegistry
from adapters.documents import FolderDocumentStore
from domain import names
from domain.invoice import DocumentKind
from domain.steps import SignInput, SignResult

log = structlog.get_logger(__name__)
XML = "application/xml"


def signed_document_key(invoice_key: str, revision: int, kind: DocumentKind = "invoice") -> str:
    return f"{invoice_key}/{kind}-r{revision}-signed.xml"


class SignActivities:
    def __init__(self, countries: CountryRegistry, store: FolderDocumentStore) -> None:
        self._countries = countries
        self._store = store

    @activity.defn(name=names.BUILD_AND_SIGN)
    @translate_errors
    def build_and_sign(self, inp: SignInput) -> SignResult:
        profile = self._countries.get(inp.sale.country)
        key = signed_document_key(inp.invoice_key, inp.revision, inp.kind)
        stored = self._store.find(key, XML)
        if stored is not None:
            log.info("sign.reused", invoice_key=inp.invoice_key, revision=inp.revision)
            return SignResult(document=stored, signed_at=profile.now(),
                              access_key=profile.document_key(self._store.get(stored)) or inp.numbering.access_key)
        signing_time = profile.now()
        built = profile.build_signed(inp.sale, inp.numbering, inp.kind, inp.credit, signing_time=signing_time,
                                     contingency=inp.contingency)
        document = self._store.put_once(key, built.xml, XML)
        log.info("sign.signed", invoice_key=inp.invoice_key, revision=inp.revision, sha256=document.sha256)
        return SignResult(document=document, signed_at=signing_time, access_key=built.access_key)
