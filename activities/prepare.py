"""Steps 1–3: business validation, the number (allocated once per invoice), the signed document.

`prepare_document` does the three in one activity for invoices: none of them talks to anything outside
the worker's own database and document store, and each is idempotent on its own, so one round trip
through the server replaces three. The separate activities stay for credit notes (which reserve the
credited amount between validation and numbering) and for workflows started before the merge.
"""

from temporalio import activity

from activities.errors import translate_errors
from activities.sign import sign_revision
from adapters.countries import CountryRegistry
from adapters.documents import FolderDocumentStore
from domain import names
from domain.invoice import Numbering
from domain.problems import errors_only
from domain.steps import NumberInput, PrepareInput, PrepareResult, ValidateInput, ValidateResult


class PrepareActivities:
    def __init__(self, countries: CountryRegistry, store: FolderDocumentStore) -> None:
        self._countries = countries
        self._store = store

    @activity.defn(name=names.VALIDATE)
    @translate_errors
    def validate(self, inp: ValidateInput) -> ValidateResult:
        profile = self._countries.get(inp.sale.country)
        problems = profile.validate(inp.sale, inp.credit)
        total = None if errors_only(problems) else profile.total(inp.sale, inp.credit)
        return ValidateResult(problems=problems, total=total)

    @activity.defn(name=names.ALLOCATE_NUMBER)
    @translate_errors
    def allocate(self, inp: NumberInput) -> Numbering:
        return self._countries.get(inp.sale.country).allocate(inp.invoice_key, inp.sale, inp.kind)

    @activity.defn(name=names.PREPARE)
    @translate_errors
    def prepare(self, inp: PrepareInput) -> PrepareResult:
        profile = self._countries.get(inp.sale.country)
        problems = profile.validate(inp.sale, None)
        if errors_only(problems):
            # Nothing is numbered for a sale that cannot be issued: numbers are legal and consecutive.
            return PrepareResult(problems=problems)
        total = profile.total(inp.sale, None)
        # The workflow's numbering wins once it has one: it may already carry the authority's key.
        numbering = inp.numbering or profile.allocate(inp.invoice_key, inp.sale, inp.kind)
        signed = sign_revision(profile, self._store, invoice_key=inp.invoice_key, sale=inp.sale,
                               numbering=numbering, revision=inp.revision, kind=inp.kind)
        return PrepareResult(problems=problems, total=total, numbering=numbering, signed=signed)
