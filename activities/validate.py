"""Step 1: business validation of the sale, before anything is numbered or sent."""

from temporalio import activity

from activities.clock import today_in_ecuador
from adapters.issuers import IssuerRegistry
from domain import names
from domain.ecuador.totals import compute_totals
from domain.ecuador.validation import has_errors, validate_sale
from domain.problems import Problem
from domain.steps import ValidateInput, ValidateResult


class ValidateActivities:
    def __init__(self, issuers: IssuerRegistry) -> None:
        self._issuers = issuers

    @activity.defn(name=names.VALIDATE)
    def validate(self, inp: ValidateInput) -> ValidateResult:
        sale = inp.sale
        problems = validate_sale(sale, today=today_in_ecuador())
        problems += self._issuer_problems(inp)
        total = None if has_errors(problems) else compute_totals(sale).total
        return ValidateResult(problems=problems, total=total)

    def _issuer_problems(self, inp: ValidateInput) -> list[Problem]:
        issuer = self._issuers.get(inp.sale.issuer.ruc)
        if issuer is None:
            return [Problem(field="issuer.ruc", code="ISSUER.UNKNOWN",
                            message=f"RUC {inp.sale.issuer.ruc} is not an issuer configured in this worker")]
        establishment = issuer.establishment(inp.sale.issuer.establishment)
        if establishment is None:
            return [Problem(field="issuer.establishment", code="ISSUER.ESTABLISHMENT",
                            message=f"establishment {inp.sale.issuer.establishment} is not configured "
                            f"for {issuer.ruc}")]
        if inp.sale.issuer.emission_point not in establishment.emission_points:
            return [Problem(field="issuer.emission_point", code="ISSUER.EMISSION_POINT",
                            message=f"emission point {inp.sale.issuer.emission_point} is not configured "
                            f"for establishment {establishment.code}")]
        return []
