"""Fault injection settings (reference §18 "Fault injection").

The real SRI is often slow, refuses connections, answers 5xx or SOAP Faults, or returns 50
ERROR INTERNO GENERAL (§14, §19.5). Clients must survive all of it, so tests switch these
modes at runtime through the admin API.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from simulators.common import faults as common
from simulators.common.faults import InvalidFaults

__all__ = ["MODES", "FaultSettings", "InvalidFaults", "Mode"]

Mode = Literal["none", "refuse", "http_503", "malformed", "soap_fault", "error_50"]
MODES: tuple[Mode, ...] = ("none", "refuse", "http_503", "malformed", "soap_fault", "error_50")


@dataclass
class FaultSettings(common.FaultState):
    mode: Mode = field(default="none", metadata=common.one_of(MODES))
    latency_ms: int = field(default=0, metadata=common.NON_NEGATIVE_INTEGER)
    authorization_delay_s: float = field(default=1.0, metadata=common.NON_NEGATIVE_NUMBER)
    # Issuers the simulated taxpayer registry reports as NO ACTIVO (error 2).
    inactive_rucs: list[str] = field(default_factory=list, metadata=common.STRING_LIST)
