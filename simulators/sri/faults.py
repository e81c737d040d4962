"""Fault injection settings (reference §18 "Fault injection").

The real SRI is often slow, refuses connections, answers 5xx or SOAP Faults, or returns 50
ERROR INTERNO GENERAL (§14, §19.5). Clients must survive all of it, so tests switch these
modes at runtime through the admin API.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal, cast

Mode = Literal["none", "refuse", "http_503", "malformed", "soap_fault", "error_50"]
MODES: tuple[Mode, ...] = ("none", "refuse", "http_503", "malformed", "soap_fault", "error_50")


class InvalidFaults(ValueError):
    pass


@dataclass
class FaultSettings:
    mode: Mode = "none"
    latency_ms: int = 0
    authorization_delay_s: float = 1.0
    # Issuers the simulated taxpayer registry reports as NO ACTIVO (error 2).
    inactive_rucs: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    def updated(self, payload: dict[str, Any]) -> FaultSettings:
        """A copy with the fields present in ``payload`` replaced (validated)."""
        unknown = set(payload) - {"mode", "latency_ms", "authorization_delay_s", "inactive_rucs"}
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
        if "authorization_delay_s" in payload:
            delay = payload["authorization_delay_s"]
            if not isinstance(delay, int | float) or isinstance(delay, bool) or delay < 0:
                raise InvalidFaults("authorization_delay_s must be a non-negative number")
            result.authorization_delay_s = float(delay)
        if "inactive_rucs" in payload:
            rucs = payload["inactive_rucs"]
            if not isinstance(rucs, list) or not all(isinstance(r, str) for r in rucs):
                raise InvalidFaults("inactive_rucs must be a list of strings")
            result.inactive_rucs = list(rucs)
        return result
