"""Small types and argument checks shared by the client, the resources and the facade."""

from __future__ import annotations

import enum
import math
from typing import Final, TypeAlias

import aiohttp

__all__ = ["NOT_GIVEN", "NotGiven", "TimeoutTypes", "check_int", "check_positive"]

TimeoutTypes: TypeAlias = float | aiohttp.ClientTimeout | None
"""Seconds per attempt (a number), an ``aiohttp.ClientTimeout``, or ``None`` for no limit."""


class NotGiven(enum.Enum):
    """Marks an argument left out, so that an explicit ``None`` can mean "no timeout"."""

    NOT_GIVEN = enum.auto()

    def __repr__(self) -> str:
        return "NOT_GIVEN"


NOT_GIVEN: Final = NotGiven.NOT_GIVEN


def check_int(name: str, value: object, *, minimum: int, maximum: int | None = None) -> int:
    """An ``int`` argument within bounds, or a clear ``TypeError`` / ``ValueError``."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, got {value!r}")
    if value < minimum or (maximum is not None and value > maximum):
        bounds = f"between {minimum} and {maximum}" if maximum is not None else f">= {minimum}"
        raise ValueError(f"{name} must be {bounds}, got {value}")
    return value


def check_positive(name: str, value: object, *, unit: str = "seconds") -> float:
    """A finite number above zero (``unit`` names it in the error), as a ``float``."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"{name} must be a number of {unit}, got {value!r}")
    if not 0 < value < math.inf:
        raise ValueError(f"{name} must be a positive, finite number of {unit}, got {value!r}")
    return float(value)
