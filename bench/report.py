"""Figures, targets and the JSON report: every figure says how it was measured and which goal it meets."""

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

RESULTS_DIR = Path(__file__).parent / "results"


@dataclass(frozen=True)
class Figure:
    section: str
    name: str
    value: float | None
    unit: str
    method: str
    target: str | None = None
    # True/False when the figure has a target and a value; None otherwise. A goal, never an assertion.
    met: bool | None = None


def at_least(value: float | None, goal: float) -> bool | None:
    return None if value is None else value >= goal


def below(value: float | None, goal: float) -> bool | None:
    return None if value is None else value < goal


@dataclass
class Report:
    started_at: datetime
    command: list[str]
    machine: dict[str, Any]
    settings: dict[str, Any]
    figures: list[Figure] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def add(self, figures: Sequence[Figure], section: str, details: dict[str, Any]) -> None:
        self.figures.extend(figures)
        self.details[section] = details

    def value(self, section: str, name: str) -> float | None:
        for figure in self.figures:
            if figure.section == section and figure.name == name:
                return figure.value
        return None

    def to_json(self) -> dict[str, Any]:
        return {
            "started_at": self.started_at.isoformat(),
            "finished_at": datetime.now(UTC).isoformat(),
            "command": self.command,
            "machine": self.machine,
            "settings": self.settings,
            "figures": [asdict(f) for f in self.figures],
            "details": self.details,
            "notes": self.notes,
        }


def write_report(report: Report, folder: Path = RESULTS_DIR) -> tuple[Path, Path]:
    """Write latest.json and a timestamped copy; returns both paths."""
    folder.mkdir(parents=True, exist_ok=True)
    text = json.dumps(report.to_json(), indent=2, default=str) + "\n"
    stamped = folder / f"{report.started_at:%Y%m%d-%H%M%S}.json"
    latest = folder / "latest.json"
    stamped.write_text(text, encoding="utf-8")
    latest.write_text(text, encoding="utf-8")
    return latest, stamped
