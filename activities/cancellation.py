"""Cancelling a document at the authority (Mexico: through the PAC), and following the cancellation.

Ecuador annuls on the SRI portal and Colombia only corrects with credit notes, so only countries whose
profile can cancel offer it; the others answer with a configuration error that says what to do instead.
"""

import structlog
from temporalio import activity

from activities.errors import to_application_error
from adapters.countries import CountryRegistry
from adapters.documents import FolderDocumentStore
from domain import names
from domain.errors import ComprobanteError, ConfigurationError
from domain.steps import CancelAtAuthority, CancellationStatus

log = structlog.get_logger(__name__)


class CancellationActivities:
    def __init__(self, countries: CountryRegistry, store: FolderDocumentStore) -> None:
        self._countries = countries
        self._store = store

    @activity.defn(name=names.CANCEL_AT_AUTHORITY)
    async def cancel_at_authority(self, inp: CancelAtAuthority) -> CancellationStatus:
        return await self._ask(inp, "cancel")

    @activity.defn(name=names.CANCELLATION_STATUS)
    async def cancellation_status(self, inp: CancelAtAuthority) -> CancellationStatus:
        return await self._ask(inp, "cancellation_status")

    async def _ask(self, inp: CancelAtAuthority, operation: str) -> CancellationStatus:
        profile = self._countries.get(inp.country)
        method = getattr(profile, operation, None)
        try:
            if method is None:
                raise ConfigurationError(f"{profile.authority} documents are not cancelled this way; "
                                         "issue a credit note instead")
            answer = await method(inp)
        except ComprobanteError as exc:
            raise to_application_error(exc) from exc
        acuse = None
        if answer.acuse:
            acuse = self._store.put_once(f"{inp.invoice_key}/cancellation-acuse.xml", answer.acuse, "application/xml")
        log.info("cancellation.state", invoice_key=inp.invoice_key, state=answer.state, code=answer.code)
        return CancellationStatus(state=answer.state, code=answer.code, message=answer.message, acuse=acuse)
