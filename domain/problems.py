"""Problems: what is wrong with a request, said so that a person can fix it.

Validation never stops at the first error: it returns every problem at once, each naming the
field (a dotted path into the request, as a person would edit it) and the rule it breaks.
"""

from typing import Literal

from pydantic import BaseModel, ConfigDict, ValidationError


class Problem(BaseModel):
    """One thing to correct: ``field`` is a path such as ``lines[2].unit_price``."""

    model_config = ConfigDict(frozen=True)

    field: str
    code: str
    message: str
    # error blocks the invoice; warning is shown; alert is shown and also raised to operators (a numbering
    # range about to run out, say) without blocking anything.
    severity: Literal["error", "warning", "alert"] = "error"


def errors_only(problems: list[Problem]) -> list[Problem]:
    """Warnings are kept for the operator but never block an invoice."""
    return [p for p in problems if p.severity == "error"]


def problems_from_validation_error(error: ValidationError) -> list[Problem]:
    """Turn pydantic's type errors into problems with field paths in the request's own shape."""
    problems = []
    for detail in error.errors():
        path = ""
        for part in detail["loc"]:
            path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
        problems.append(
            Problem(field=path or "request", code=f"SCHEMA.{detail['type']}", message=detail["msg"])
        )
    return problems


def describe(problems: list[Problem]) -> str:
    """One line per problem, for CLIs, logs and error messages."""
    return "\n".join(f"{p.field}: {p.message} [{p.code}]" for p in problems)
