"""The compiled structure functions (``voxasync._compiled``) give exactly cattrs' answer.

Each payload is structured by the SDK's converter and by a reference one with
``compile_structure`` switched off (cattrs' function and the extra handling for every record):
the value (types, reprs, every ``extra``) or the error (type, message, ``transform_error``
lines) must be the same. Then: the compiled path is taken for well-formed payloads, anything
else goes to ``slow``, and field kinds it does not inline are refused."""

from __future__ import annotations

import enum
import functools
import math
import types
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, cast, get_args, get_origin
from unittest import mock

import attrs
import cattrs
import pytest
from cattrs.v import transform_error
from hypothesis import given, settings
from hypothesis import strategies as st

from voxasync import _converter
from voxasync._compiled import compile_structure, is_open_enum, is_optional, open_enum_members
from voxasync.errors import APIResponseValidationError
from voxasync.models import (
    AgentMapping,
    AvailableTelephoneNumber,
    AvailableTelephoneNumberPage,
    OrganizationTelephoneNumber,
    OrganizationTelephoneNumberPage,
    Provider,
    Record,
    SmsCapability,
    TelephoneNumberTermination,
)


@attrs.frozen(kw_only=True)
class Roster(Record):  # a list[Record] field, defaults not None: no SDK model has them
    agents: list[AgentMapping]
    lead: AgentMapping | None = None
    active: bool = False
    provider: Provider | str = Provider.VOX


@attrs.frozen(kw_only=True)
class Defaulted(Record):
    name: str
    provider: Provider | str = "vox"


@attrs.frozen(kw_only=True)
class Nested(Record):
    name: str
    child: Nested | None = None


AGENT: dict[str, Any] = {"agent_id": "0b8f3a4e", "agent_version": "production"}
SMS: dict[str, Any] = {"send": True, "recv": False}
RECORD: dict[str, Any] = {
    "id": "5f0c2a64", "number": "07011112222", "provider": "vox", "status": "active",
    "start_at": 1_726_000_000_000, "created_at": 1_726_000_000_000,
    "updated_at": 1_735_000_000_000, "monthly_fee": 3000, "address": "Seoul",
    "inbound_trunk_id": "t-in", "outbound_trunk_id": None, "inbound_agent": AGENT,
    "outbound_agent": None, "sms_inbound_agent": {"agent_id": "s"}, "memo": "메모",
    "end_at": None, "cancel_requested_at": None,
}  # fmt: skip
TERMINATION: dict[str, Any] = {"id": "a", "number": "1", "provider": "new", "effective_at": 1}
AVAILABLE: dict[str, Any] = {
    "id": "n1", "number": "07033334444", "line_type": "mobile", "monthly_fee": 1000,
    "provider": "custom", "sms_capable": SMS,
}  # fmt: skip
BASES: dict[type, dict[str, Any]] = {
    AgentMapping: AGENT,
    SmsCapability: SMS,
    OrganizationTelephoneNumber: RECORD,
    TelephoneNumberTermination: TERMINATION,
    AvailableTelephoneNumber: AVAILABLE,
    OrganizationTelephoneNumberPage: {"items": [RECORD] * 2, "total_count": 2, "next_cursor": "c"},
    AvailableTelephoneNumberPage: {"items": [AVAILABLE], "total_count": None},
    Roster: {"agents": [AGENT, {"agent_id": "b"}], "lead": AGENT, "active": True},
}  # fmt: skip
MODELS = list(BASES)
OTN = OrganizationTelephoneNumber
RECORDS = [model for model in MODELS if issubclass(model, Record)]


# Subclasses: the converter takes only str, int, dict themselves.
Text, Number = type("Text", (str,), {}), type("Number", (int,), {})
Loose, Level = type("Loose", (dict,), {}), cast(Any, enum.IntEnum("Level", "LOW"))


ODD_VALUES: list[object] = [
    None, 0, -1, 10**30, 2**63, 1.5, -0.0, math.nan, math.inf, True, False, "x", "", "vox",
    "active", "mobile", "current", Text("vox"), Number(5), Level(1), Provider.VOX, [], {}, (),
    b"x", AGENT, {"agent_id": "a"}, {"agent_id": "a", "new": [1]}, {"agent_id": 1},
    {"agent_id": "a", "agent_version": None}, Loose(AGENT), types.MappingProxyType(AGENT),
    SMS, {"send": 1, "recv": 0}, {"send": True}, [AGENT], [AGENT, {"agent_id": 2}],
    [RECORD], [RECORD, {**RECORD, "end_at": "soon"}], [AVAILABLE, 5], (RECORD,), [None],
    {**RECORD, "extra": {"k": 1}},
]  # fmt: skip
NOT_DICTS: list[object] = [
    None, [], [("id", "a")], "x", 5, Loose(RECORD), OrderedDict(AGENT),
    types.MappingProxyType(RECORD), types.MappingProxyType(AGENT), types.MappingProxyType(SMS),
]  # fmt: skip


@pytest.fixture(scope="module")
def reference() -> cattrs.Converter:
    """``make_converter()`` with no compiled function: cattrs' own for every record (cattrs
    builds a nested record's hook when first asked: all are asked for with the switch off)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_converter, "compile_structure", lambda *_: None)
        reference = _converter.make_converter()
        for model in [*MODELS, Defaulted, Nested, list[OTN], list[AgentMapping]]:
            reference.get_structure_hook(model)
    return reference


def is_compiled(hook: Callable[..., Any]) -> bool:
    return hook.__code__.co_filename.startswith("<voxasync compiled structure")


def snapshot(value: Any) -> Any:
    """Types, reprs and each record's ``extra`` (not in its repr or equality), all the way."""
    if attrs.has(type(value)):
        fields = [(f.name, snapshot(getattr(value, f.name))) for f in attrs.fields(type(value))]
        return (type(value), repr(value), fields)
    if type(value) is list:
        return [snapshot(item) for item in value]
    return (type(value), repr(value))


def structured(converter: cattrs.Converter, payload: object, model: type) -> tuple[str, Any]:
    """What the model's hook gives (as ``structure()`` calls it): a value or an error."""
    try:
        return ("value", snapshot(converter.get_structure_hook(model)(payload, model)))
    except Exception as exc:
        cattrs_error = isinstance(exc, cattrs.BaseValidationError)
        lines = transform_error(exc, path="$") if cattrs_error else [str(exc)]
        return ("error", (type(exc), str(exc), lines))


def assert_same(reference: cattrs.Converter, payload: object, model: type) -> tuple[str, Any]:
    ours = structured(_converter.converter, payload, model)
    assert ours == structured(reference, payload, model), (model.__name__, payload)
    return ours


def names(model: type) -> list[str]:
    return [field.name for field in attrs.fields(model) if field.name != "extra"]


def test_the_reference_is_cattrs_and_ours_is_compiled(reference: cattrs.Converter) -> None:
    for model in RECORDS:
        assert not is_compiled(reference.get_structure_hook(model)), model
        assert is_compiled(_converter.converter.get_structure_hook(model)), model


FIELDS = [(model, name) for model in MODELS for name in names(model)]


@pytest.mark.parametrize(("model", "field"), FIELDS, ids=lambda c: getattr(c, "__name__", c))
def test_odd_or_missing_fields(reference: cattrs.Converter, model: type, field: str) -> None:
    base = BASES[model]
    assert assert_same(reference, base, model)[0] == "value"
    for value in ODD_VALUES:
        assert_same(reference, {**base, field: value}, model)
    assert_same(reference, {name: v for name, v in base.items() if name != field}, model)
    assert_same(reference, {field: base.get(field)}, model)


UNKNOWN_KEYS_AND_NOT_DICTS: list[tuple[object, type]] = [
    ({**RECORD, "new": 1, "extra": {"x": 2}, "": None}, OTN),
    ({**RECORD, "inbound_agent": {**AGENT, "model": "gpt"}} | {7: "int key"}, OTN),
    ({**RECORD, "outbound_agent": {"agent_id": "o", "extra": 1}, "memo": "m"}, OTN),
    ({**AVAILABLE, "sms_capable": {**SMS, "mms": True}, "region": "02"},
     AvailableTelephoneNumber),
    ({**TERMINATION, "reason": None}, TelephoneNumberTermination),
    ({"items": [{**RECORD, "a": 1}, RECORD, {**RECORD, "b": [RECORD]}], "page": 2},
     OrganizationTelephoneNumberPage),
    ({"items": [{**AVAILABLE, "sms_capable": {**SMS, "x": {}}}], "next_cursor": None, "z": 0},
     AvailableTelephoneNumberPage),
    ({"agents": [{**AGENT, "k": 1}], "lead": {"agent_id": "l", "q": None}, "r": []}, Roster),
    ({**RECORD, "new": 1, "created_at": "bad"}, OTN),
    ({**AGENT, "new": math.nan}, AgentMapping),
    *((payload, model) for model in MODELS for payload in NOT_DICTS),
]  # fmt: skip


@pytest.mark.parametrize(("payload", "model"), UNKNOWN_KEYS_AND_NOT_DICTS)
def test_extra_keys_and_not_dicts(reference: cattrs.Converter, payload: Any, model: type) -> None:
    assert_same(reference, payload, model)


def test_a_value_that_lies_about_its_class_is_refused(reference: cattrs.Converter) -> None:
    payload = {**TERMINATION, "effective_at": mock.Mock(spec=int)}
    assert_same(reference, payload, TelephoneNumberTermination)


@pytest.mark.parametrize(
    ("payload", "model"),
    [(RECORD, OTN), ({**RECORD, "status": 1, "x": 1}, OTN), ({"items": [AVAILABLE, {}]},
      AvailableTelephoneNumberPage), (BASES[AvailableTelephoneNumberPage],
      AvailableTelephoneNumberPage)],
)  # fmt: skip
def test_structure_is_the_reference(reference: cattrs.Converter, payload: Any, model: type) -> None:
    try:
        ours = ("value", snapshot(_converter.structure(payload, model, status_code=2, body=b"")))
    except APIResponseValidationError as exc:
        ours = ("error", exc.errors)
    kind, expected = structured(reference, payload, model)
    assert ours == (kind, expected if kind == "value" else expected[2])


# -- random payloads -----------------------------------------------------------------------

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=4),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner),
    max_leaves=6,
)


def valid(type_: Any) -> st.SearchStrategy[Any]:
    """Values the converter accepts for ``type_`` (and, for open enums, unknown strings)."""
    if type_ in (str, int, bool):
        return {str: st.text(max_size=4), int: st.integers(), bool: st.booleans()}[type_]
    if is_optional(type_):
        (inner,) = (arg for arg in get_args(type_) if arg is not type(None))
        return st.none() | valid(inner)
    if is_open_enum(type_):
        return st.sampled_from(sorted(open_enum_members(type_))) | st.text(max_size=4)
    if get_origin(type_) is list:
        return st.lists(valid(get_args(type_)[0]), max_size=2)
    return payloads(type_)


@functools.cache
def payloads(model: type) -> st.SearchStrategy[dict[Any, Any]]:
    """The model's payloads: valid ones, often with a key dropped, added or set to anything."""
    attrs.resolve_types(model)
    fields = [field for field in attrs.fields(model) if field.name != "extra"]
    required = {f.name: valid(f.type) for f in fields if f.default is attrs.NOTHING}
    optional = {f.name: valid(f.type) for f in fields if f.default is not attrs.NOTHING}
    keys = st.sampled_from([*names(model), "extra", "new"]) | st.text(max_size=3)
    changes = st.dictionaries(keys, JSON | st.sampled_from(ODD_VALUES), max_size=2)
    drops = st.sets(st.sampled_from(names(model)), max_size=1)
    return st.builds(
        lambda base, changed, dropped: {k: v for k, v in {**base, **changed}.items()
                                        if k not in dropped},
        st.fixed_dictionaries(required, optional=optional),
        st.just({}) | st.just({}) | changes,
        st.just(set()) | st.just(set()) | st.just(set()) | drops,
    )


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model.__name__)
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_random_payloads_give_what_cattrs_gives(
    reference: cattrs.Converter, model: type, data: st.DataObject
) -> None:
    payload = data.draw(payloads(model) | JSON, label="payload")
    assert_same(reference, payload, model)


# -- the compiled path itself --------------------------------------------------------------


def compile_with(cls: type, slow: Any, hook_for: Callable[[Any], Any] | None = None) -> Any:
    return compile_structure(cls, hook_for or _converter.converter.get_structure_hook, slow,
                             frozenset(names(cls)), _converter.keep_unknown)


def refuse(payload: Any, _: Any) -> Any:
    raise AssertionError(f"deferred to cattrs: {payload!r}")


def strict(model: type) -> Any:
    """``model``'s compiled function, and its nested records', none of which may defer."""
    hook = compile_with(model, refuse, strict)  # nested: all attrs classes
    assert hook is not None
    return hook


TIMES = {"created_at": 1, "updated_at": 2}
WELL_FORMED: list[tuple[dict[Any, Any], type]] = [
    *((BASES[model], model) for model in RECORDS if model is not Roster),
    ({**BASES[Roster], "provider": "vox"}, Roster),
    ({"agent_id": "a"}, AgentMapping),
    ({**RECORD, "new": {"nested": [1]}, "inbound_agent": {**AGENT, "k": 1}}, OTN),
    ({k: RECORD[k] for k in ("id", "number", "provider", "status")} | TIMES, OTN),
    ({**AVAILABLE, "monthly_fee": None, "line_type": "fax", "sms_capable": {**SMS, "m": 1}},
     AvailableTelephoneNumber),
    ({"agents": [], "provider": "custom", "lead": None, "x": 1}, Roster),
    # As many keys as the fields, one of them unknown: a known one is absent.
    ({k: v for k, v in RECORD.items() if k != "memo"} | {"new": 1}, OTN),
    ({"agents": [], "lead": None, "active": True, "x": 1}, Roster),  # provider absent
]  # fmt: skip


@pytest.mark.parametrize(("payload", "model"), WELL_FORMED)
def test_well_formed_is_compiled(reference: cattrs.Converter, payload: Any, model: type) -> None:
    record = strict(model)(payload, model)
    assert ("value", snapshot(record)) == structured(reference, payload, model)
    assert dict(record.extra) == {k: v for k, v in payload.items() if k not in names(model)}


def test_a_missing_key_with_a_member_default_takes_the_compiled_path() -> None:
    strict(Roster)(BASES[Roster], Roster)


def test_a_missing_key_keeps_its_default_as_it_is(reference: cattrs.Converter) -> None:
    assert_same(reference, {"name": "a"}, Defaulted)


def test_a_record_that_contains_itself_is_structured(reference: cattrs.Converter) -> None:
    payload = {"name": "a", "child": {"name": "b", "x": 1}}
    ours = structured(_converter.make_converter(), payload, Nested)
    assert ours == structured(reference, payload, Nested)


DEFERRED: list[dict[Any, Any]] = [
    {**RECORD, "created_at": "1"}, {**RECORD, "monthly_fee": True}, {**RECORD, "memo": Text()},
    {**RECORD, "provider": Provider.VOX}, {**RECORD, "inbound_agent": {"agent_id": 1}},
    {**RECORD, "outbound_agent": []}, {k: v for k, v in RECORD.items() if k != "id"},
    Loose(RECORD), OrderedDict(RECORD),
]  # fmt: skip


@pytest.mark.parametrize("payload", DEFERRED)
def test_anything_else_is_handed_to_slow(payload: Any) -> None:
    calls: list[tuple[Any, Any]] = []

    def slow(o: Any, t: Any) -> str:
        calls.append((o, t))
        return "from slow"

    assert compile_with(OTN, slow)(payload, OTN) == "from slow"
    assert calls == [(payload, OTN)]
    assert calls[0][0] is payload


# -- field kinds it does not inline --------------------------------------------------------


UNSUPPORTED_TYPES: list[Any] = [dict[str, int], float, Any, int | str, list[int], set[str],
    tuple[AgentMapping, ...], Level | str, Provider | str | None, AgentMapping | SmsCapability,
    list[AgentMapping | None]]  # fmt: skip
UNSUPPORTED_FIELDS: dict[str, Any] = {
    "factory": attrs.field(type=str, default=attrs.Factory(str)),
    "converter": attrs.field(type=int, converter=int),
    "_private": attrs.field(type=str),  # its alias (the __init__ argument) is "private"
    "aliased": attrs.field(type=str, alias="other"),
    "not_init": attrs.field(type=int, init=False, default=0),
    **{f"type_{i}": attrs.field(type=t) for i, t in enumerate(UNSUPPORTED_TYPES)},
}


def one_field_class(name: str, field: Any) -> type:
    return attrs.make_class(f"With_{name}", {"ok": attrs.field(type=int), name: field})


@pytest.mark.parametrize("name", UNSUPPORTED_FIELDS)
def test_unsupported_field_kinds_are_refused(name: str) -> None:
    assert compile_with(one_field_class(name, UNSUPPORTED_FIELDS[name]), refuse) is None
    supported = compile_with(one_field_class("n", attrs.field(type=int, default=0)), refuse)
    assert repr(supported({"ok": 1}, None)) == "With_n(ok=1, n=0)"  # the control


def test_a_record_it_does_not_compile_keeps_cattrs_function() -> None:
    @attrs.frozen(kw_only=True)
    class Scored(Record):
        score: float

    hook = _converter.make_converter().get_structure_hook(Scored)
    record = hook({"score": 1.5, "k": 1}, Scored)
    assert (is_compiled(hook), record.score, dict(record.extra)) == (False, 1.5, {"k": 1})
