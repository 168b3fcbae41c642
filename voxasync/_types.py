"""Small types shared by the client, the resources and the sync facade."""

from __future__ import annotations

import enum
from typing import Final, TypeAlias

import aiohttp

__all__ = ["NOT_GIVEN", "NotGiven", "TimeoutTypes"]

TimeoutTypes: TypeAlias = float | aiohttp.ClientTimeout | None
"""Seconds per attempt (a number), an ``aiohttp.ClientTimeout``, or ``None`` for no limit."""


class NotGiven(enum.Enum):
    """Marks an argument left out, so that an explicit ``None`` can mean "no timeout"."""

    NOT_GIVEN = enum.auto()

    def __repr__(self) -> str:
        return "NOT_GIVEN"


NOT_GIVEN: Final = NotGiven.NOT_GIVEN
