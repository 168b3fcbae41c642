"""The read-only mapping in which a record keeps the fields this SDK does not know."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Final

__all__ = ["NO_EXTRA_FIELDS", "ExtraFields"]


class ExtraFields(Mapping[str, Any]):
    """The fields of an answer that this SDK does not know, as sent: a read-only mapping."""

    __slots__ = ("_fields",)

    def __init__(self, fields: Mapping[str, Any] | None = None) -> None:
        self._fields = dict(fields or {})

    def __getitem__(self, name: str) -> Any:
        return self._fields[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._fields)

    def __len__(self) -> int:
        return len(self._fields)

    def __repr__(self) -> str:
        return f"ExtraFields({self._fields!r})"

    def __reduce__(self) -> tuple[type[ExtraFields], tuple[dict[str, Any]]]:
        return ExtraFields, (self._fields,)


NO_EXTRA_FIELDS: Final = ExtraFields()
