"""Step 2: the secuencial and clave de acceso, allocated once per invoice and persisted before signing."""

from temporalio import activity

from activities.clock import today_in_ecuador
from activities.errors import to_application_error
from adapters.issuers import IssuerRegistry
from adapters.ledger.numbering import NumberAllocator, NumberRequest
from domain import names
from domain.ecuador.access_key import AccessKeyParts, build_access_key
from domain.ecuador.catalog import FACTURA_DOC_CODE
from domain.errors import ConfigurationError
from domain.invoice import Numbering
from domain.steps import NumberInput


class NumberActivities:
    def __init__(self, allocator: NumberAllocator, issuers: IssuerRegistry) -> None:
        self._allocator = allocator
        self._issuers = issuers

    @activity.defn(name=names.ALLOCATE_NUMBER)
    def allocate(self, inp: NumberInput) -> Numbering:
        sale = inp.sale
        issuer = self._issuers.get(sale.issuer.ruc)
        if issuer is None:
            raise to_application_error(ConfigurationError(f"issuer {sale.issuer.ruc} is not configured"))
        issue_date = sale.issue_date or today_in_ecuador()
        request = NumberRequest(
            invoice_key=inp.invoice_key, ruc=sale.issuer.ruc, doc_code=FACTURA_DOC_CODE,
            establishment=sale.issuer.establishment, emission_point=sale.issuer.emission_point,
            issue_date=issue_date,
        )

        def make_key(sequential: int, numeric_code: str) -> str:
            return build_access_key(AccessKeyParts(
                issue_date=issue_date, doc_code=FACTURA_DOC_CODE, ruc=sale.issuer.ruc,
                environment=issuer.environment, establishment=sale.issuer.establishment,
                emission_point=sale.issuer.emission_point, sequential=f"{sequential:09d}",
                numeric_code=numeric_code,
            ))

        allocated = self._allocator.allocate(request, make_key)
        return Numbering(
            establishment=sale.issuer.establishment, emission_point=sale.issuer.emission_point,
            sequential=f"{allocated.sequential:09d}", access_key=allocated.access_key,
            issue_date=allocated.issue_date,
        )
