"""A compiled fast path for structuring records, which defers to cattrs whenever unsure.

cattrs' generated function for a record calls one hook per field, each wrapped to collect
detailed errors: about 3.5 µs for an ``OrganizationTelephoneNumber``, more than decoding
its JSON. Almost every answer is well formed, so for each record class this module writes
one plain function with the converter's rules inlined: an exact type check per field
(``type(v) is int``, never a coercion), the open enums' member lookup, nested records and
lists through their own hooks.

It only ever says *yes*. At the first value it does not accept exactly as the converter
would (a wrong type, a missing key, a field kind it does not know, any exception at all), it
hands the whole payload to cattrs' own function, whose result or detailed error stands. So
the answer is always cattrs' answer; ``tests/test_hot_path.py`` checks that over odd and
random payloads.

The type shapes the converter's hook factories dispatch on live here too, so that both
sides read a type the same way.
"""

from __future__ import annotations

import enum
import threading
import types
from collections.abc import Callable
from typing import Any, Final, Union, get_args, get_origin

import attrs

__all__ = [
    "EXTRA_FIELD",
    "compile_structure",
    "is_open_enum",
    "is_optional",
    "is_record",
    "open_enum_members",
]

EXTRA_FIELD: Final = "extra"
"""The attrs field in which a record keeps the keys it has no field for."""

_NONE_TYPE: Final = type(None)
_EXACT: Final = (str, int, bool)
"""Types the converter takes only as themselves (no subclass, no coercion)."""

Hook = Callable[[Any, Any], Any]


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


def open_enum_members(type_: Any) -> dict[str, enum.StrEnum]:
    """The members of an open enum, by value."""
    (enum_type,) = (arg for arg in get_args(type_) if arg is not str)
    return {member.value: member for member in enum_type}


def is_optional(type_: Any) -> bool:
    """``X | None`` (or ``Optional[X]``) for one type ``X``."""
    args = get_args(type_)
    return (
        get_origin(type_) in (Union, types.UnionType) and len(args) == 2 and _NONE_TYPE in args
    )


def is_record(type_: Any) -> bool:
    """An attrs class with an ``extra`` field: it keeps the keys it has no field for."""
    return attrs.has(type_) and EXTRA_FIELD in attrs.fields_dict(type_)


_LOCAL = threading.local()


def _compiling() -> set[type]:
    """The classes being compiled in this thread: a nested one among them refers back."""
    classes: set[type] | None = getattr(_LOCAL, "classes", None)
    if classes is None:
        classes = _LOCAL.classes = set()
    return classes


class _Unsupported(Exception):
    """A field kind the compiler does not inline: the class keeps cattrs' function alone."""


class _Writer:
    """Writes the checks of one class's fields; names what the code needs in ``scope``."""

    def __init__(self, hook_for: Callable[[Any], Hook]) -> None:
        self.hook_for = hook_for
        self.scope: dict[str, Any] = {}
        self.lines: list[str] = []

    def bind(self, name: str, value: Any) -> str:
        self.scope[name] = value
        return name

    def field(self, field: attrs.Attribute[Any]) -> str:
        """Lines that leave the field's value in ``f_<name>``; its keyword argument."""
        name = field.name
        if not field.init or field.alias != name or field.converter is not None:
            raise _Unsupported(name)
        if isinstance(field.default, attrs.Factory):  # type: ignore[arg-type]
            raise _Unsupported(name)
        # Each known key found absent is counted (``absent``): the payload has a key no
        # field takes exactly when it has more keys than the known ones it holds.
        if field.default is attrs.NOTHING:
            self.lines.append(f"    v = o[{name!r}]")  # absent: KeyError, cattrs decides
            self.check(field.type, name, "    ")
            self.lines.append(f"    f_{name} = v")
        elif field.default is None and is_optional(field.type):
            self.lines.append(f"    v = o.get({name!r}, _absent)")
            self.lines.append("    if v is _absent:")
            self.lines.append("        absent += 1")
            self.lines.append("        v = None")  # None passes its check untouched
            self.check(field.type, name, "    ")
            self.lines.append(f"    f_{name} = v")
        else:  # an absent key takes the default as it is, unchecked, as cattrs does
            default = self.bind(f"_default_{name}", field.default)
            self.lines.append(f"    if {name!r} in o:")
            self.lines.append(f"        v = o[{name!r}]")
            self.check(field.type, name, "        ")
            self.lines.append(f"        f_{name} = v")
            self.lines.append("    else:")
            self.lines.append("        absent += 1")
            self.lines.append(f"        f_{name} = {default}")
        return f"{name}=f_{name}"

    def construction(self, cls: type, arguments: list[str]) -> list[str]:
        """Lines that make the record. Where ``__init__`` would do nothing but store the
        fields, they are stored directly, in an instance of :func:`_filler` turned into
        ``cls`` once full; else ``__init__`` itself."""
        cls_name = self.bind("_cls", cls)
        fields = attrs.fields(cls)
        slots = {name for klass in cls.__mro__ for name in getattr(klass, "__slots__", ())}
        plain = (
            slots - {"__weakref__"} == {field.name for field in fields}
            and all(field.validator is None and field.on_setattr is None for field in fields)
            and not hasattr(cls, "__attrs_pre_init__")
            and not hasattr(cls, "__attrs_post_init__")
        )
        extra = attrs.fields_dict(cls).get(EXTRA_FIELD)  # not structured: its default
        if extra is not None and isinstance(extra.default, attrs.Factory):  # type: ignore[arg-type]
            plain = False
        filler = _filler(cls) if plain else None
        if filler is None:
            return [f"        record = {cls_name}({', '.join(arguments)})"]
        lines = [f"        record = _new({self.bind('_filler', filler)})"]
        for field in fields:
            extra_default = field.name == EXTRA_FIELD
            value = self.bind("_no_extra", field.default) if extra_default else f"f_{field.name}"
            lines.append(f"        record.{field.name} = {value}")
        lines.append(f"        record.__class__ = {cls_name}")
        return lines

    def check(self, type_: Any, name: str, indent: str) -> None:
        """Lines that leave the structured value in ``v``, or raise to defer to cattrs."""
        if type_ in _EXACT:
            exact = self.bind(f"_{type_.__name__}", type_)
            self.lines.append(f"{indent}if _type(v) is not {exact}: raise _Defer")
        elif is_optional(type_):
            (inner,) = (arg for arg in get_args(type_) if arg is not _NONE_TYPE)
            self.lines.append(f"{indent}if v is not None:")
            self.check(inner, name, indent + "    ")
        elif is_open_enum(type_):
            members = self.bind(f"_members_{name}", open_enum_members(type_))
            self.lines.append(f"{indent}if _type(v) is not str: raise _Defer")
            self.lines.append(f"{indent}v = {members}.get(v, v)")
        elif attrs.has(type_):
            if type_ in _compiling():  # it refers to itself: cattrs builds that lazily
                raise _Unsupported(type_)
            hook = self.bind(f"_hook_{name}", self.hook_for(type_))
            self.lines.append(f"{indent}v = {hook}(v, {self.bind(f'_type_{name}', type_)})")
        elif get_origin(type_) is list and len(get_args(type_)) == 1 and attrs.has(
            get_args(type_)[0]
        ):
            (item,) = get_args(type_)
            if item in _compiling():
                raise _Unsupported(type_)
            hook = self.bind(f"_hook_{name}", self.hook_for(item))
            item_type = self.bind(f"_type_{name}", item)
            self.lines.append(f"{indent}if _type(v) is not list: raise _Defer")
            self.lines.append(f"{indent}v = [{hook}(x, {item_type}) for x in v]")
        else:
            raise _Unsupported(type_)


def compile_structure(
    cls: type,
    hook_for: Callable[[Any], Hook],
    slow: Hook,
    known: frozenset[str],
    keep_unknown: Callable[[Any, dict[str, Any], frozenset[str]], None],
) -> Hook | None:
    """The fast function for record class ``cls``, falling back on ``slow`` (cattrs' own,
    which fills ``extra`` in too); None when a field is of a kind this does not inline.

    ``hook_for(type)`` gives the converter's hook for a nested record or list item;
    ``keep_unknown(record, payload, known)`` puts the payload's other keys in ``extra``.
    """
    attrs.resolve_types(cls)
    writer = _Writer(hook_for)
    in_progress = _compiling()
    in_progress.add(cls)
    try:
        fields = [field for field in attrs.fields(cls) if field.name != EXTRA_FIELD]
        arguments = [writer.field(field) for field in fields]
    except _Unsupported:
        return None
    finally:
        in_progress.discard(cls)
    if known != {field.name for field in fields}:  # the count of absent keys relies on it
        return None
    source = "\n".join([
        "def structure(o, t):",
        "    if _type(o) is not dict: return _slow(o, t)",
        "    absent = 0",
        "    try:",
        *("    " + line for line in writer.lines),
        *writer.construction(cls, arguments),
        "    except Exception:",
        "        return _slow(o, t)",
        f"    if len(o) != {len(known)} - absent: _keep_unknown(record, o, _known)",
        "    return record",
    ])
    namespace: dict[str, Any] = {**writer.scope, "_slow": slow, "_known": known,
                              "_keep_unknown": keep_unknown, "_Defer": _Defer, "_type": type,
                              "_absent": _ABSENT,
                              "_new": object.__new__}
    # The source is built above from the class's own field names only, never from data.
    code = compile(source, f"<voxasync compiled structure {cls.__qualname__}>", "exec")
    exec(code, namespace)  # noqa: S102
    function: Hook = namespace["structure"]
    return function


def _filler(cls: type) -> type | None:
    """A subclass of ``cls`` with its very layout whose slots take plain assignment.

    A frozen class's slots can only be filled through their descriptors, a call each (about
    700 CPU instructions a field). One of these takes a slot store per field instead, and
    then becomes a ``cls`` by ``__class__`` assignment, which Python allows between classes
    of one layout: an ``OrganizationTelephoneNumber`` costs 4,000 instructions, not 16,000.
    None if the class cannot be subclassed so, or this Python refuses the assignment (the
    record is then made by ``__init__``). A filler is listed in ``cls.__subclasses__()``;
    none is ever handed out.
    """
    namespace = {
        "__slots__": (),
        "__module__": cls.__module__,
        "__qualname__": f"{cls.__qualname__}._Filling",
        # Both: one type slot serves setting and deleting, and stays generic only if both are.
        "__setattr__": object.__setattr__,
        "__delattr__": object.__delattr__,
    }
    try:
        filler = type("_Filling", (cls,), namespace)
        probe: Any = object.__new__(filler)
        probe.__class__ = cls
    except Exception:  # an __init_subclass__ that refuses, a layout Python will not swap
        return None
    return filler


_ABSENT: Final = object()
"""What a compiled function's ``o.get`` gives for a key the payload does not have."""


class _Defer(Exception):
    """Raised inside a compiled function: this payload goes to cattrs."""
