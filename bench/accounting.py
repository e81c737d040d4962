"""Charging a measured window: wall time, CPU per process we started, and what everything else on the
machine used meanwhile (other engineers' tests share these two cores, so the noise is reported, not hidden)."""

import time
from dataclasses import dataclass

from bench.proc import CpuMeter, CpuSnapshot, machine_busy_seconds, per_item_ms


@dataclass(frozen=True)
class Mark:
    monotonic: float
    cpu: CpuSnapshot
    machine_busy: float


@dataclass(frozen=True)
class Window:
    seconds: float
    cpu: dict[str, float]  # CPU seconds per process we started
    machine_busy: float  # CPU seconds used by every process on the machine

    @property
    def ours(self) -> float:
        return sum(self.cpu.values())

    @property
    def other_cores(self) -> float:
        """Average cores busy with processes this harness did not start (the noise of a shared machine)."""
        return max(0.0, self.machine_busy - self.ours) / self.seconds if self.seconds > 0 else 0.0

    def ms_per(self, items: int) -> dict[str, float]:
        return per_item_ms(self.cpu, items)

    def as_json(self, items: int) -> dict[str, object]:
        return {"seconds": self.seconds, "cpu_seconds": self.cpu, "cpu_ms_per_item": self.ms_per(items),
                "machine_busy_seconds": self.machine_busy, "other_processes_cores": self.other_cores}


def mark(meter: CpuMeter) -> Mark:
    return Mark(time.monotonic(), meter.snapshot(), machine_busy_seconds())


def since(meter: CpuMeter, start: Mark) -> Window:
    end = mark(meter)
    return Window(end.monotonic - start.monotonic, end.cpu.minus(start.cpu), end.machine_busy - start.machine_busy)
