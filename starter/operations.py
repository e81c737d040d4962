"""What operators ask: which invoices need people, which wait for an authority, which are stuck, and
whether each authority is up. Answered from Temporal's visibility store, so it costs the workers nothing."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from temporalio.client import Client
from temporalio.common import SearchAttributeKey
from temporalio.service import RPCError

from domain import names
from domain.health import AuthorityHealthState

# Statuses of invoices still on their way; COMPLETED, VOIDED and CREDITED are done.
IN_FLIGHT = ("RECEIVED", "NUMBERED", "SIGNED", "SUBMITTED", "AUTHORIZED", "RENDERED", "NOTIFIED")


@dataclass(frozen=True)
class Listed:
    invoice_key: str
    status: str
    updated_at: datetime | None


@dataclass(frozen=True)
class OperationsReport:
    needs_fix: list[Listed]
    contingency: list[Listed]
    stuck: list[Listed]
    authorities: list[AuthorityHealthState]


STATUS = SearchAttributeKey.for_keyword(names.SA_STATUS)
UPDATED_AT = SearchAttributeKey.for_datetime(names.SA_UPDATED_AT)


async def _list(client: Client, query: str, limit: int) -> list[Listed]:
    return [Listed(e.id, e.typed_search_attributes.get(STATUS) or "?", e.typed_search_attributes.get(UPDATED_AT))
            async for e in client.list_workflows(query, limit=limit)]


async def operations_report(client: Client, *, stuck_after: timedelta, countries: list[str],
                            limit: int = 200) -> OperationsReport:
    running = 'ExecutionStatus = "Running"'
    threshold = (datetime.now(UTC) - stuck_after).strftime("%Y-%m-%dT%H:%M:%SZ")
    in_flight = ", ".join(f'"{s}"' for s in IN_FLIGHT)
    stuck_query = (f"{running} AND {names.SA_STATUS} IN ({in_flight}) AND {names.SA_UPDATED_AT} < \"{threshold}\"")
    authorities = []
    for country in countries:
        try:
            state = await client.get_workflow_handle(names.authority_health_id(country)).query(
                "status", result_type=AuthorityHealthState)
        except RPCError:
            state = AuthorityHealthState(country=country, up=True, since=None, waiting=0, probes=0, outages=0,
                                         released=0)
        authorities.append(state)
    return OperationsReport(
        needs_fix=await _list(client, f'{running} AND {names.SA_STATUS} = "NEEDS_FIX"', limit),
        contingency=await _list(client, f'{running} AND {names.SA_STATUS} = "CONTINGENCY"', limit),
        stuck=await _list(client, stuck_query, limit),
        authorities=authorities,
    )
