"""The contract of cancelling a stamped CFDI through the PAC (SAT motives 01–04, receiver acceptance)."""

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, Field

from domain.invoice import Numbering, Sale

# Motives (Anexo 20, cancelación 2022): 01 with a substitute CFDI that relates the cancelled one with
# TipoRelacion 04 and is issued first; 02 errors without relation; 03 the operation did not happen;
# 04 a global invoice's nominative operation.
Motive = Literal["01", "02", "03", "04"]
# The SAT's answers that end a cancellation as cancelled. "PlazoVencido": the receiver did not answer
# within the acceptance window, which the SAT treats as acceptance.
CANCELLED_STATES = frozenset({"Cancelado", "CanceladoSinAceptacion", "PlazoVencido"})
FINAL_STATES = CANCELLED_STATES | {"Rechazado", "NoCancelable", "Error"}


class CancelCfdiInput(BaseModel):
    original_key: str
    sale: Sale
    numbering: Numbering
    uuid: str
    total: Decimal
    motive: Motive
    substitute_uuid: str | None = None
    reason: str
    requested_by: str
    poll_interval: timedelta = timedelta(minutes=10)
    # The SAT gives the receiver 3 business days; follow a little longer before handing it to a person.
    follow_for: timedelta = timedelta(days=6)


class CancellationStep(BaseModel):
    state: str
    at: datetime
    note: str = ""


class CancellationView(BaseModel):
    original_key: str
    motive: Motive
    state: str = "REQUESTED"
    code: str = ""
    message: str = ""
    voided: bool = False
    history: list[CancellationStep] = Field(default_factory=list)
