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
from collections.abc import Callable
from typing import Any, Final, TypeVar, get_args

import attrs
import cattrs
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override
from cattrs.v import transform_error

try:  # the optional `speedups` extra: pip install 'voxasync[speedups]'
    import orjson  # type: ignore[import-not-found, unused-ignore]
except ImportError:  # pragma: no cover - depends on the environment
    orjson = None  # type: ignore[assignment, unused-ignore]

from ._compiled import (
    EXTRA_FIELD,
    compile_structure,
    is_open_enum,
    is_optional,
    is_record,
    open_enum_members,
)
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

T = TypeVar("T")

_NONE_TYPE: Final = type(None)

# Every digit becomes b"0", every other byte b" ": a run of 19 zeros then marks a number
# literal that orjson might read differently from ``json`` (it makes a float of an integer
# past 64 bits, where ``json`` keeps the exact int).
_DIGITS_ONLY: Final = bytes(0x30 if 0x30 <= byte <= 0x39 else 0x20 for byte in range(256))
_LONG_NUMBER: Final = b"0" * 19


_scan_json: Final[Callable[[str, int], tuple[Any, int]]] = vars(json.JSONDecoder())["scan_once"]
"""json's own scanner (its C one where built), which ``json.loads`` ends in: one value from
an index, and the index after it."""
_JSON_SPACE: Final = " \t\n\r"


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
        if body[:1] == b"{" and body[1:2] != b"\x00":
            # What json.loads(body) would do, less its encoding guess (Python code that
            # can only say UTF-8 for a body that starts like this) and its two regex
            # passes for leading and trailing whitespace (none can lead here).
            text = body.decode("utf-8", "surrogatepass")
            try:
                value, end = _scan_json(text, 0)
            except StopIteration as missing:  # what json's raw_decode makes of it
                raise json.JSONDecodeError("Expecting value", text, missing.value) from None
            if end != len(text) and (extra := text[end:].lstrip(_JSON_SPACE)):
                raise json.JSONDecodeError("Extra data", text, len(text) - len(extra))
            return value
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


def _open_enum_hook(type_: Any) -> Any:
    members = open_enum_members(type_)

    def structure_open_enum(value: object, _: type) -> enum.StrEnum | str:
        if type(value) is not str:
            raise TypeError(f"expected a string, got {type(value).__name__} {value!r:.40}")
        return members.get(value, value)

    return structure_open_enum


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


def _record_structure_hook(cls: Any, converter: cattrs.Converter) -> Callable[[Any, Any], Any]:
    """The compiled function for ``cls`` (``_compiled``), or cattrs' own; both keep the
    unknown keys in ``extra``.

    cattrs' own function finds the unknown keys with one C-level ``issuperset`` check (the
    compiled one by counting the known keys it found absent).
    """
    known = frozenset(field.name for field in attrs.fields(cls) if field.name != EXTRA_FIELD)
    build = make_dict_structure_fn(cls, converter, extra=override(omit=True))

    def structure_record(payload: Any, _: Any) -> Any:
        record = build(payload, cls)
        if not known.issuperset(payload):
            keep_unknown(record, payload, known)
        return record

    compiled = compile_structure(
        cls, converter.get_structure_hook, structure_record, known, keep_unknown
    )
    return compiled or structure_record


def keep_unknown(record: Any, payload: dict[str, Any], known: frozenset[str]) -> None:
    """Put the keys of ``payload`` that ``record`` has no field for in its ``extra``."""
    unknown = {name: value for name, value in payload.items() if name not in known}
    object.__setattr__(record, EXTRA_FIELD, ExtraFields(unknown))  # frozen: set once


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


_HOOKS: dict[Any, Callable[[Any, Any], Any]] = {}
"""Each model's structure hook, looked up once: ``converter.structure`` is one Python call
more per answer."""


def structure(payload: Any, model: type[T], *, status_code: int, body: bytes) -> T:
    """Structure a decoded JSON payload into ``model``, or raise a readable validation error."""
    try:
        if not isinstance(payload, dict):
            raise TypeError(f"expected a JSON object, got {type(payload).__name__} @ $")
        hook = _HOOKS.get(model)
        if hook is None:
            hook = _HOOKS[model] = converter.get_structure_hook(model)
        result: T = hook(payload, model)
        return result
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
