"""Runtime settings the admin API changes: fault injection and the cancellation clock.

Fault modes (reference §14 "Fault injection"):

* ``refuse``: the SOAP port is closed (connection refused: certainly not stamped).
* ``http_503``: a load balancer's 503 before anything is processed (not stamped).
* ``error_350``: the stamp service answers incidence 350, service unavailable (not stamped).
* ``soap_fault``: a SOAP Fault from a PAC-side crash (ambiguous for the client).
* ``malformed``: a truncated answer, nothing processed.
* ``lost_reply``: the request IS processed (stamped, cancelled) and the answer is then truncated:
  the dangerous "stamped but the reply was lost" case that recovery must handle (reference §13).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from simulators.common import faults as common

__all__ = ["DAY", "MODES", "InvalidSettings", "Mode", "PacSettings"]

Mode = Literal["none", "refuse", "http_503", "error_350", "soap_fault", "malformed", "lost_reply"]
MODES: tuple[Mode, ...] = ("none", "refuse", "http_503", "error_350", "soap_fault", "malformed", "lost_reply")
DAY = 86_400.0

InvalidSettings = common.InvalidFaults  # the PAC's name for a refused settings payload


@dataclass
class PacSettings(common.FaultState):
    mode: Mode = field(default="none", metadata=common.one_of(MODES))
    latency_ms: int = field(default=0, metadata=common.NON_NEGATIVE_INTEGER)
    # Cancellation clock (reference §10, [secondary]): within this many seconds of stamping a
    # cancellation needs no acceptance; a pending request expires (Plazo vencido) after the window.
    immediate_cancel_window_s: float = field(default=DAY, metadata=common.NON_NEGATIVE_NUMBER)
    acceptance_window_s: float = field(default=3 * DAY, metadata=common.NON_NEGATIVE_NUMBER)
    # Seconds after stamping during which cancel answers 205 (UUID not yet known to the SAT).
    cancel_not_found_s: float = field(default=0.0, metadata=common.NON_NEGATIVE_NUMBER)
