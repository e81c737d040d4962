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

from dataclasses import asdict, dataclass
from typing import Any, Literal, cast

Mode = Literal["none", "refuse", "http_503", "error_350", "soap_fault", "malformed", "lost_reply"]
MODES: tuple[Mode, ...] = ("none", "refuse", "http_503", "error_350", "soap_fault", "malformed", "lost_reply")
DAY = 86_400.0


class InvalidSettings(ValueError):
    pass


@dataclass
class PacSettings:
    mode: Mode = "none"
    latency_ms: int = 0
    # Cancellation clock (reference §10, [secondary]): within this many seconds of stamping a
    # cancellation needs no acceptance; a pending request expires (Plazo vencido) after the window.
    immediate_cancel_window_s: float = DAY
    acceptance_window_s: float = 3 * DAY
    # Seconds after stamping during which cancel answers 205 (UUID not yet known to the SAT).
    cancel_not_found_s: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    def updated(self, payload: dict[str, Any]) -> PacSettings:
        unknown = set(payload) - set(asdict(self))
        if unknown:
            raise InvalidSettings(f"unknown fields: {sorted(unknown)}")
        result = PacSettings(**asdict(self))
        if "mode" in payload:
            if payload["mode"] not in MODES:
                raise InvalidSettings(f"mode must be one of {list(MODES)}")
            result.mode = cast(Mode, payload["mode"])
        if "latency_ms" in payload:
            result.latency_ms = int(_non_negative("latency_ms", payload["latency_ms"], integer=True))
        for name in ("immediate_cancel_window_s", "acceptance_window_s", "cancel_not_found_s"):
            if name in payload:
                setattr(result, name, _non_negative(name, payload[name]))
        return result


def _non_negative(name: str, value: object, *, integer: bool = False) -> float:
    kinds = (int,) if integer else (int, float)
    if isinstance(value, bool) or not isinstance(value, kinds) or value < 0:
        raise InvalidSettings(f"{name} must be a non-negative {'integer' if integer else 'number'}")
    return float(value)
