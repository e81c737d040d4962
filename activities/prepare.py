"""Steps 1 and 2: business validation, then the number, allocated once per invoice."""

from temporalio import activity

from activities.errors import translate_errors
from adapters.countries import CountryRegistry
from domain import names
from domain.invoice import Numbering
from domain.problems import errors_only
from domain.steps import NumberInput, ValidateInput, ValidateResult


class PrepareActivities:
    def __init__(self, countries: CountryRegistry) -> None:
        self._countries = countries

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
