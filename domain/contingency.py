"""Legal transmission deadlines for documents issued while the authority was unreachable (data per country).

An invoice in contingency raises an alert once `alert_after` has passed, well before the deadline.
"""

from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True)
class ContingencyRule:
    deadline: timedelta
    alert_after: timedelta
    source: str
    # Colombia: a document delivered while DIAN is down is issued as type 04 (contingencia DIAN) under
    # the same number, replacing the type 01 that never reached DIAN. Ecuador keeps the same document.
    reissue_as_contingency: bool = False
    # Whether the buyer gets the document before the authority has it. Not in Mexico: a CFDI without its
    # timbre is not a tax document, so nothing is delivered until a PAC stamps it.
    deliver_pending: bool = True
    # Whether each waiting invoice alerts on its own as its deadline nears. Not in Ecuador: with no grace
    # period the event to act on is the outage itself, which the authority-health workflow alerts once
    # (a thousand parked invoices must not raise a thousand alerts at the same minute). Colombia's and
    # Mexico's deadlines run per document, from its own issue time, so those alert per invoice.
    alert_per_invoice: bool = True


CONTINGENCY_RULES: dict[str, ContingencyRule] = {
    # Since 1 January 2026 transmission must be immediate (Res. NAC-DGERCGC25-00000014 as amended by
    # -00000017): there is no legal grace period, so the operator is alerted within minutes.
    "EC": ContingencyRule(timedelta(hours=1), timedelta(minutes=10), "SRI, transmisión inmediata desde 2026",
                          alert_per_invoice=False),
    # DIAN: a contingency invoice (type 04) must be transmitted within 48 hours after the service is back.
    "CO": ContingencyRule(timedelta(hours=48), timedelta(hours=36), "DIAN Res. 000165/2023, contingencia",
                          reissue_as_contingency=True),
    # SAT: a CFDI must be stamped within 72 hours of its Fecha.
    "MX": ContingencyRule(timedelta(hours=72), timedelta(hours=60), "SAT, Anexo 20: 72 horas para timbrar",
                          deliver_pending=False),
}


def contingency_rule(country: str) -> ContingencyRule:
    return CONTINGENCY_RULES[country]
