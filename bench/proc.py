"""CPU time and resident memory of processes this harness started, read from /proc.

Only pids of our own children (and our own pid) are ever read; nothing here signals a process.
"""

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

PROC = Path("/proc")
# utime and stime are fields 14 and 15 of /proc/<pid>/stat; after the ")" closing the command name
# (which may itself contain spaces and parentheses) the first field is field 3, the state.
_UTIME_AFTER_COMM = 14 - 3
_STIME_AFTER_COMM = 15 - 3


def cpu_ticks_from_stat(stat_text: str) -> int:
    """utime + stime, in clock ticks, from the text of /proc/<pid>/stat (all threads of the process)."""
    fields = stat_text[stat_text.rindex(")") + 1:].split()
    return int(fields[_UTIME_AFTER_COMM]) + int(fields[_STIME_AFTER_COMM])


def vmrss_bytes_from_status(status_text: str) -> int:
    """VmRSS from the text of /proc/<pid>/status (reported in kB), in bytes; 0 for a zombie."""
    for line in status_text.splitlines():
        if line.startswith("VmRSS:"):
            value, unit = line.split()[1:3]
            if unit.lower() != "kb":
                raise ValueError(f"unexpected VmRSS unit {unit!r}")
            return int(value) * 1024
    return 0


def clock_ticks_per_second() -> int:
    return int(os.sysconf("SC_CLK_TCK"))


def cpu_seconds(pid: int) -> float:
    return cpu_ticks_from_stat((PROC / str(pid) / "stat").read_text()) / clock_ticks_per_second()


def rss_bytes(pid: int) -> int:
    return vmrss_bytes_from_status((PROC / str(pid) / "status").read_text())


@dataclass(frozen=True)
class CpuSnapshot:
    seconds: dict[str, float]

    def minus(self, earlier: "CpuSnapshot") -> dict[str, float]:
        """CPU seconds each process used since `earlier` (processes present in both)."""
        return {name: self.seconds[name] - earlier.seconds[name]
                for name in self.seconds if name in earlier.seconds}


class CpuMeter:
    """Snapshots of the CPU time of named processes, to charge a measured section per process."""

    def __init__(self, pids: Mapping[str, int]) -> None:
        self._pids = dict(pids)

    def snapshot(self) -> CpuSnapshot:
        seconds: dict[str, float] = {}
        for name, pid in self._pids.items():
            try:
                seconds[name] = cpu_seconds(pid)
            except (FileNotFoundError, ProcessLookupError):
                continue  # the process ended: its share cannot be measured, so it is left out
        return CpuSnapshot(seconds)


def per_item_ms(used: Mapping[str, float], items: int) -> dict[str, float]:
    """CPU milliseconds per item for each process."""
    if items <= 0:
        return {}
    return {name: seconds * 1000.0 / items for name, seconds in used.items()}


def machine_ticks_from_proc_stat(proc_stat_text: str) -> tuple[int, int]:
    """(busy, total) clock ticks of all CPUs from the text of /proc/stat's aggregate "cpu" line.

    Busy is everything but idle and iowait; guest time is already inside user time.
    """
    for line in proc_stat_text.splitlines():
        if line.startswith("cpu "):
            values = [int(v) for v in line.split()[1:]]
            user, nice, system, idle, iowait, irq, softirq, steal = (values + [0] * 8)[:8]
            busy = user + nice + system + irq + softirq + steal
            return busy, busy + idle + iowait
    raise ValueError("no aggregate cpu line in /proc/stat")


def machine_busy_seconds() -> float:
    """CPU seconds all processes on the machine have used since boot (every core summed)."""
    busy, _total = machine_ticks_from_proc_stat((PROC / "stat").read_text())
    return busy / clock_ticks_per_second()


def children_from_task_files(texts: list[str]) -> list[int]:
    """Child pids from the texts of /proc/<pid>/task/<tid>/children (space-separated, one file per thread)."""
    return sorted({int(pid) for text in texts for pid in text.split()})


def children(pid: int) -> list[int]:
    """Processes `pid` started (direct children), from every thread's children file."""
    texts = []
    for task in (PROC / str(pid) / "task").iterdir():
        try:
            texts.append((task / "children").read_text())
        except FileNotFoundError:
            continue  # the thread ended while we looked
    return children_from_task_files(texts)


def command_line(pid: int) -> list[str]:
    return [part for part in (PROC / str(pid) / "cmdline").read_bytes().decode().split("\0") if part]
