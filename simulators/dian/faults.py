"""Fault injection (reference §10.1, §12 item 8): the real DIAN answers 500/503/507, refuses
connections, times out and sometimes returns garbage; clients must survive all of it, so tests switch
these modes at runtime through the admin API.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal, cast

Mode = Literal["none", "refuse", "http_500", "http_503", "http_507", "malformed", "soap_fault"]
MODES: tuple[Mode, ...] = ("none", "refuse", "http_500", "http_503", "http_507", "malformed", "soap_fault")


class InvalidFaults(ValueError):
    pass


@dataclass
class FaultSettings:
    mode: Mode = "none"
    latency_ms: int = 0
    # Seconds an accepted document stays "en proceso" (66 on SendBillSync, 98 on GetStatus).
    processing_delay_s: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    def updated(self, payload: dict[str, Any]) -> FaultSettings:
        unknown = set(payload) - {"mode", "latency_ms", "processing_delay_s"}
        if unknown:
            raise InvalidFaults(f"unknown fields: {sorted(unknown)}")
        result = FaultSettings(**asdict(self))
        if "mode" in payload:
            if payload["mode"] not in MODES:
                raise InvalidFaults(f"mode must be one of {list(MODES)}")
            result.mode = cast(Mode, payload["mode"])
        if "latency_ms" in payload:
            latency = payload["latency_ms"]
            if not isinstance(latency, int) or isinstance(latency, bool) or latency < 0:
                raise InvalidFaults("latency_ms must be a non-negative integer")
            result.latency_ms = latency
        if "processing_delay_s" in payload:
            delay = payload["processing_delay_s"]
            if not isinstance(delay, int | float) or isinstance(delay, bool) or delay < 0:
                raise InvalidFaults("processing_delay_s must be a non-negative number")
            result.processing_delay_s = float(delay)
        return result
