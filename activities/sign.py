"""Step 3: build the XML, check it against the official schema, sign it, verify, store once.

The signed bytes are stored under a key per invoice revision before the activity returns. A retry (or a
worker that died after storing) finds them and returns the same reference: the document the SRI sees is
signed exactly once per revision, with one SigningTime.
"""

from pathlib import Path

import structlog
from temporalio import activity

from activities.clock import now_in_ecuador
from activities.errors import to_application_error
from adapters.documents import FolderDocumentStore
from adapters.ecuador.factura_xml import build_factura
from adapters.ecuador.schemas import schema_errors
from adapters.ecuador.signing_keys import SigningKeys
from adapters.ecuador.xades import SigningError, sign_comprobante
from adapters.issuers import IssuerRegistry
from domain import names
from domain.errors import ConfigurationError, InvalidInvoice
from domain.problems import Problem
from domain.steps import SignInput, SignResult

log = structlog.get_logger(__name__)
XML = "application/xml"


def signed_document_key(invoice_key: str, revision: int) -> str:
    return f"{invoice_key}/factura-r{revision}-firmada.xml"


class SignActivities:
    def __init__(self, issuers: IssuerRegistry, store: FolderDocumentStore, keys: SigningKeys,
                 schemas_folder: Path | None) -> None:
        self._issuers = issuers
        self._store = store
        self._keys = keys
        self._schemas = schemas_folder

    @activity.defn(name=names.BUILD_AND_SIGN)
    def build_and_sign(self, inp: SignInput) -> SignResult:
        key = signed_document_key(inp.invoice_key, inp.revision)
        stored = self._store.find(key, XML)
        if stored is not None:
            log.info("sign.reused", invoice_key=inp.invoice_key, revision=inp.revision)
            return SignResult(document=stored, signed_at=now_in_ecuador())
        issuer = self._issuers.get(inp.sale.issuer.ruc)
        if issuer is None:
            raise to_application_error(ConfigurationError(f"issuer {inp.sale.issuer.ruc} is not configured"))
        unsigned = build_factura(inp.sale, inp.numbering, issuer)
        errors = schema_errors(unsigned, self._schemas)
        if errors:
            problems = [Problem(field="document", code="EC.XSD", message=e) for e in errors]
            raise to_application_error(InvalidInvoice(problems))
        signing_time = now_in_ecuador()
        try:
            identity = self._keys.identity(issuer, signing_time)
            signed = sign_comprobante(unsigned, identity, signing_time=signing_time,
                                      algorithm=issuer.signature_algorithm)
        except ConfigurationError as exc:
            raise to_application_error(exc) from exc
        except SigningError as exc:
            raise to_application_error(ConfigurationError(f"signing failed: {exc}")) from exc
        document = self._store.put_once(key, signed, XML)
        log.info("sign.signed", invoice_key=inp.invoice_key, revision=inp.revision, sha256=document.sha256)
        return SignResult(document=document, signed_at=signing_time)
