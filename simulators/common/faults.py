"""Fault-injection state every simulator keeps: a mode, a latency and its own clock settings.

Each simulator declares its settings as a dataclass deriving from :class:`FaultState`, one
``field`` per setting whose metadata names the check that validates it (``one_of(MODES)``,
``NON_NEGATIVE_INTEGER``, ...). The admin API changes them with :meth:`FaultState.updated`,
which validates a JSON payload the same way for every simulator: unknown fields first, then
each given field in declaration order, so the error reported is predictable.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import Field, asdict, fields
from types import MappingProxyType
from typing import Any, ClassVar, Protocol, Self

Check = Callable[[str, object], object]
"""Validate one setting: (field name, JSON value) -> the value to store, or raise InvalidFaults."""

_CHECK = "simulators.check"


class InvalidFaults(ValueError):
    """A settings payload the admin API refuses (answered with HTTP 400 and this message)."""


class FaultModes(Protocol):
    """What the SOAP side reads on every request, whatever else a simulator's settings hold."""

    @property
    def mode(self) -> str: ...

    @property
    def latency_ms(self) -> int: ...


class FaultState:
    """Base of the simulators' settings dataclasses; subclasses declare the fields.

    Subclasses must be ``@dataclass`` classes whose every field carries a check in its
    metadata (see :func:`checked`), starting with ``mode`` and ``latency_ms``.
    """

    # Declared for the type checker: the subclass's @dataclass provides them.
    __dataclass_fields__: ClassVar[dict[str, Field[Any]]]
    mode: str
    latency_ms: int

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    def updated(self, payload: Mapping[str, Any]) -> Self:
        """A copy with the fields present in ``payload`` replaced (validated)."""
        known = fields(self)
        unknown = set(payload) - {item.name for item in known}
        if unknown:
            raise InvalidFaults(f"unknown fields: {sorted(unknown)}")
        # asdict copies lists too, so the new settings never share mutable state with the old.
        values = asdict(self)
        for item in known:
            if item.name in payload:
                check: Check = item.metadata[_CHECK]
                values[item.name] = check(item.name, payload[item.name])
        return type(self)(**values)


def checked(check: Check) -> Mapping[str, Check]:
    """``field(metadata=...)`` that attaches the check :meth:`FaultState.updated` applies."""
    return MappingProxyType({_CHECK: check})


def one_of(choices: tuple[str, ...]) -> Mapping[str, Check]:
    """``field(metadata=...)`` of a setting that takes one of ``choices`` (the fault modes)."""

    def check(name: str, value: object) -> str:
        if value not in choices:
            raise InvalidFaults(f"{name} must be one of {list(choices)}")
        return str(value)

    return checked(check)


def non_negative_integer(name: str, value: object) -> int:
    # bool is an int subclass, but "latency_ms": true is a client bug, not 1 ms.
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidFaults(f"{name} must be a non-negative integer")
    return value


def non_negative_number(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise InvalidFaults(f"{name} must be a non-negative number")
    return float(value)


def string_list(name: str, value: object) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise InvalidFaults(f"{name} must be a list of strings")
    return list(value)


NON_NEGATIVE_INTEGER = checked(non_negative_integer)
NON_NEGATIVE_NUMBER = checked(non_negative_number)
STRING_LIST = checked(string_list)
