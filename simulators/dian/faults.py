"""Fault injection (reference §10.1, §12 item 8): the real DIAN answers 500/503/507, refuses
connections, times out and sometimes returns garbage; clients must survive all of it, so tests switch
these modes at runtime through the admin API.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from simulators.common import faults as common
from simulators.common.faults import InvalidFaults

__all__ = ["MODES", "FaultSettings", "InvalidFaults", "Mode"]

Mode = Literal["none", "refuse", "http_500", "http_503", "http_507", "malformed", "soap_fault"]
MODES: tuple[Mode, ...] = ("none", "refuse", "http_500", "http_503", "http_507", "malformed", "soap_fault")


@dataclass
class FaultSettings(common.FaultState):
    mode: Mode = field(default="none", metadata=common.one_of(MODES))
    latency_ms: int = field(default=0, metadata=common.NON_NEGATIVE_INTEGER)
    # Seconds an accepted document stays "en proceso" (66 on SendBillSync, 98 on GetStatus).
    processing_delay_s: float = field(default=0.0, metadata=common.NON_NEGATIVE_NUMBER)
