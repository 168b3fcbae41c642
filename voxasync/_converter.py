"""The one cattrs converter: JSON bodies in, attrs models out.

Rules it enforces, because the API documents them and a silent coercion would hide a broken
answer:

- ``int`` fields take JSON integers only (not strings, floats or booleans); ``str`` fields take
  strings only.
- ``provider`` / ``status`` become enum members when known, else stay the string sent.
- Unknown keys are ignored: the service adds fields without notice.

Every structuring failure surfaces as ``APIResponseValidationError`` with one line per
offending field, from :func:`structure`, the single place that catches cattrs errors.
"""

from __future__ import annotations

import enum
import json
from typing import Any, TypeVar

import cattrs
from cattrs.v import transform_error

from .errors import BODY_PREVIEW_CHARS, APIResponseValidationError
from .models import Provider, TelephoneNumberStatus

__all__ = ["decode_json", "structure"]

T = TypeVar("T")

def decode_json(body: bytes) -> Any:
    """Decode a JSON body; raises ``ValueError`` if it is not JSON."""
    return json.loads(body)


def _strict_int(value: object, _: type) -> int:
    if type(value) is not int:
        raise TypeError(f"expected an integer, got {type(value).__name__} {value!r:.40}")
    return value


def _strict_str(value: object, _: type) -> str:
    if type(value) is not str:
        raise TypeError(f"expected a string, got {type(value).__name__} {value!r:.40}")
    return value


def _open_enum_hook(enum_type: type[enum.StrEnum]) -> Any:
    members = {member.value: member for member in enum_type}

    def structure_open_enum(value: object, _: type) -> enum.StrEnum | str:
        if type(value) is not str:
            raise TypeError(f"expected a string, got {type(value).__name__} {value!r:.40}")
        return members.get(value, value)

    return structure_open_enum


def _make_converter() -> cattrs.Converter:
    converter = cattrs.Converter(forbid_extra_keys=False)
    converter.register_structure_hook(int, _strict_int)
    converter.register_structure_hook(str, _strict_str)
    for open_enum in (Provider, TelephoneNumberStatus):
        converter.register_structure_hook(open_enum | str, _open_enum_hook(open_enum))
    return converter


_converter = _make_converter()


def structure(payload: Any, model: type[T], *, status_code: int, body: bytes) -> T:
    """Structure a decoded JSON payload into ``model``, or raise a readable validation error."""
    try:
        if not isinstance(payload, dict):
            raise TypeError(f"expected a JSON object, got {type(payload).__name__} @ $")
        return _converter.structure(payload, model)
    except Exception as exc:
        lines = transform_error(exc, path="$") if _is_cattrs_error(exc) else [str(exc)]
        raise APIResponseValidationError(
            f"the {status_code} answer does not fit {model.__name__}: " + "; ".join(lines),
            status_code=status_code,
            body=body[:BODY_PREVIEW_CHARS].decode("utf-8", errors="replace"),
            errors=lines,
        ) from exc


def _is_cattrs_error(exc: Exception) -> bool:
    return isinstance(exc, cattrs.BaseValidationError | cattrs.ForbiddenExtraKeysError)
