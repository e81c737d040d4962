"""The one table `python -m bench` prints: a figure per row, its target and whether it is met."""

from collections.abc import Sequence

from bench.report import Figure

HEADERS = ("section", "figure", "value", "unit", "target", "goal")


def format_value(value: float | None) -> str:
    if value is None:
        return "n/a"
    magnitude = abs(value)
    if magnitude >= 100:
        return f"{value:,.0f}"
    if magnitude >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def verdict(met: bool | None) -> str:
    return {True: "met", False: "MISSED", None: ""}[met]


def format_table(figures: Sequence[Figure]) -> str:
    rows = [HEADERS] + [(f.section, f.name, format_value(f.value), f.unit, f.target or "", verdict(f.met))
                        for f in figures]
    widths = [max(len(row[i]) for row in rows) for i in range(len(HEADERS))]
    # Numbers are right-aligned so magnitudes line up; text columns are left-aligned.
    def line(row: Sequence[str]) -> str:
        cells = [cell.rjust(width) if i == 2 else cell.ljust(width)
                 for i, (cell, width) in enumerate(zip(row, widths, strict=True))]
        return "  ".join(cells).rstrip()

    rule = "  ".join("-" * width for width in widths)
    return "\n".join([line(rows[0]), rule, *(line(row) for row in rows[1:])])
