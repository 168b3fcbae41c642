"""The one cattrs converter: JSON bodies in, attrs models out.

Rules it enforces, because the API documents them and a silent coercion would hide a broken
answer:

- ``int`` fields take JSON integers only (not strings, floats or booleans); ``str`` fields take
  strings only; ``bool`` fields take ``true``/``false`` only (not ``0``, ``1`` or ``"yes"``).
- An open enum field (``SomeStrEnum | str``, such as ``provider`` / ``status`` /
  ``line_type``) becomes the member when the value is known, else stays the string sent.
- Unknown keys are kept: the service adds fields without notice. A record (an attrs class
  with an ``extra`` field, see ``models.Record``) gets them in ``extra``, as sent.

Every structuring failure surfaces as ``APIResponseValidationError`` with one line per
offending field, from :func:`structure`, the single place that catches cattrs errors.

The way back, :func:`unstructure`, gives the API's JSON: enum members as their strings,
nested records as dicts, each record's ``extra`` fields merged in.
"""

from __future__ import annotations

import copy
import enum
import json
import types
from collections.abc import Callable
from typing import Any, Final, TypeVar, Union, get_args, get_origin

import attrs
import cattrs
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override
from cattrs.v import transform_error

try:  # the optional `speedups` extra: pip install 'voxasync[speedups]'
    import orjson  # type: ignore[import-not-found, unused-ignore]
except ImportError:  # pragma: no cover - depends on the environment
    orjson = None  # type: ignore[assignment, unused-ignore]

from ._extra import ExtraFields
from .errors import BODY_PREVIEW_CHARS, APIResponseValidationError, clip

__all__ = [
    "EXTRA_FIELD",
    "converter",
    "decode_json",
    "is_optional",
    "make_converter",
    "structure",
    "unstructure",
]

EXTRA_FIELD: Final = "extra"
"""The attrs field in which a record keeps the keys it has no field for."""

T = TypeVar("T")

_NONE_TYPE: Final = type(None)

# Every digit becomes b"0", every other byte b" ": a run of 19 zeros then marks a number
# literal that orjson might read differently from ``json`` (it makes a float of an integer
# past 64 bits, where ``json`` keeps the exact int).
_DIGITS_ONLY: Final = bytes(0x30 if 0x30 <= byte <= 0x39 else 0x20 for byte in range(256))
_LONG_NUMBER: Final = b"0" * 19


def decode_json(body: bytes) -> Any:
    """Decode a JSON body; raises ``ValueError`` if it is not JSON, whatever the body holds.

    With orjson installed (the ``speedups`` extra) it decodes about 4x faster, and always to
    exactly what ``json.loads`` gives: a body orjson refuses (a BOM, ``NaN``, a lone
    surrogate, ...) or might read otherwise (an integer of 19 digits or more) goes to
    ``json.loads``, whose result or error stands.
    """
    if orjson is not None and _LONG_NUMBER not in body.translate(_DIGITS_ONLY):
        try:
            return orjson.loads(body)
        except orjson.JSONDecodeError:
            pass
    try:
        return json.loads(body)
    except (RecursionError, MemoryError):
        # A hostile body (``[`` ten thousand deep) is "not JSON" like any other.
        raise ValueError("not JSON: nested too deeply or too large to decode") from None


def _strict_int(value: object, _: type) -> int:
    if type(value) is not int:
        raise TypeError(f"expected an integer, got {type(value).__name__} {value!r:.40}")
    return value


def _strict_str(value: object, _: type) -> str:
    if type(value) is not str:
        raise TypeError(f"expected a string, got {type(value).__name__} {value!r:.40}")
    return value


def _strict_bool(value: object, _: type) -> bool:
    if type(value) is not bool:
        raise TypeError(f"expected a boolean, got {type(value).__name__} {value!r:.40}")
    return value


def is_open_enum(type_: Any) -> bool:
    """``SomeStrEnum | str``: a member when the value is known, else the string as sent."""
    args = get_args(type_)
    return (
        get_origin(type_) in (Union, types.UnionType)
        and len(args) == 2
        and str in args
        and all(arg is str or (isinstance(arg, type) and issubclass(arg, enum.StrEnum))
                for arg in args)
    )


def _open_enum_hook(type_: Any) -> Any:
    (enum_type,) = (arg for arg in get_args(type_) if arg is not str)
    members: dict[str, enum.StrEnum] = {member.value: member for member in enum_type}

    def structure_open_enum(value: object, _: type) -> enum.StrEnum | str:
        if type(value) is not str:
            raise TypeError(f"expected a string, got {type(value).__name__} {value!r:.40}")
        return members.get(value, value)

    return structure_open_enum


def is_optional(type_: Any) -> bool:
    """``X | None`` (or ``Optional[X]``) for one type ``X``."""
    args = get_args(type_)
    return (
        get_origin(type_) in (Union, types.UnionType) and len(args) == 2 and _NONE_TYPE in args
    )


def _optional_hook(type_: Any, converter: cattrs.Converter) -> Any:
    """``X | None``: ``None`` stays ``None``, anything else goes to ``X``'s own hook.

    What cattrs does itself, but with ``X``'s hook looked up once, when this hook is built,
    instead of on every value: a record has ten optional fields.
    """
    (inner_type,) = (arg for arg in get_args(type_) if arg is not _NONE_TYPE)
    inner = converter.get_structure_hook(inner_type)

    def structure_optional(value: object, _: type) -> Any:
        return None if value is None else inner(value, inner_type)

    return structure_optional


def is_record(type_: Any) -> bool:
    """An attrs class with an ``extra`` field: it keeps the keys it has no field for."""
    return attrs.has(type_) and EXTRA_FIELD in attrs.fields_dict(type_)


def _record_structure_hook(cls: Any, converter: cattrs.Converter) -> Callable[[Any, Any], Any]:
    """cattrs' generated function for ``cls``, then the unknown keys into ``extra``.

    The common answer has no unknown key: that costs one C-level ``issuperset`` check.
    """
    known = frozenset(field.name for field in attrs.fields(cls) if field.name != EXTRA_FIELD)
    build = make_dict_structure_fn(cls, converter, extra=override(omit=True))

    def structure_record(payload: Any, _: Any) -> Any:
        record = build(payload, cls)
        if not known.issuperset(payload):
            unknown = {name: value for name, value in payload.items() if name not in known}
            object.__setattr__(record, EXTRA_FIELD, ExtraFields(unknown))  # frozen: set once
        return record

    return structure_record


def _record_unstructure_hook(cls: type[Any], converter: cattrs.Converter) -> Any:
    """The known fields by cattrs' generated function, then a copy of ``extra`` merged in."""
    unbuild = make_dict_unstructure_fn(cls, converter, extra=override(omit=True))

    def unstructure_record(record: Any) -> dict[str, Any]:
        result = unbuild(record)
        extra = getattr(record, EXTRA_FIELD)
        if extra:
            result.update(copy.deepcopy(dict(extra)))
        return result

    return unstructure_record


def make_converter() -> cattrs.Converter:
    """The converter's rules, built anew (the module builds :data:`converter` once)."""
    converter = cattrs.Converter(forbid_extra_keys=False)
    converter.register_structure_hook(int, _strict_int)
    converter.register_structure_hook(str, _strict_str)
    converter.register_structure_hook(bool, _strict_bool)
    converter.register_structure_hook_factory(is_open_enum, _open_enum_hook)
    converter.register_structure_hook_factory(is_optional, _optional_hook)
    converter.register_structure_hook_factory(is_record, _record_structure_hook)
    converter.register_unstructure_hook_factory(is_open_enum, lambda _: str)
    converter.register_unstructure_hook_factory(is_record, _record_unstructure_hook)
    return converter


converter = make_converter()


def unstructure(record: Any) -> Any:
    """A record as the API's JSON: plain dicts, lists, strings, numbers."""
    return converter.unstructure(record)


def structure(payload: Any, model: type[T], *, status_code: int, body: bytes) -> T:
    """Structure a decoded JSON payload into ``model``, or raise a readable validation error."""
    try:
        if not isinstance(payload, dict):
            raise TypeError(f"expected a JSON object, got {type(payload).__name__} @ $")
        return converter.structure(payload, model)
    except Exception as exc:
        lines = transform_error(exc, path="$") if _is_cattrs_error(exc) else [str(exc)]
        raise APIResponseValidationError(
            clip(f"the {status_code} answer does not fit {model.__name__}: " + "; ".join(lines)),
            status_code=status_code,
            body=body[:BODY_PREVIEW_CHARS].decode("utf-8", errors="replace"),
            errors=lines,
        ) from exc


def _is_cattrs_error(exc: Exception) -> bool:
    return isinstance(exc, cattrs.BaseValidationError | cattrs.ForbiddenExtraKeysError)
