"""How a compiled structure function makes its record: slots filled in directly only where
attrs' ``__init__`` would do nothing more (in a filler subclass that then becomes the record's
own class); a validator or an ``__attrs_post_init__`` still runs, through ``__init__``."""

from __future__ import annotations

import copy
import pickle
import weakref
from typing import Any

import attrs
import pytest

from voxasync import _converter
from voxasync._compiled import compile_structure
from voxasync._extra import NO_EXTRA_FIELDS
from voxasync.models import AgentMapping, OrganizationTelephoneNumber


def compiled(cls: type) -> Any:
    def slow(payload: Any, _: Any) -> Any:
        raise AssertionError(f"deferred to cattrs: {payload!r}")

    known = frozenset(field.name for field in attrs.fields(cls) if field.name != "extra")
    hook = compile_structure(
        cls, _converter.converter.get_structure_hook, slow, known, _converter.keep_unknown
    )
    assert hook is not None
    return hook


def test_a_record_made_without_init_equals_one_made_by_init() -> None:
    agent = compiled(AgentMapping)({"agent_id": "a"}, AgentMapping)
    assert agent == AgentMapping(agent_id="a")
    assert agent.agent_version == "current"
    assert agent.extra is NO_EXTRA_FIELDS
    assert hash(agent) == hash(AgentMapping(agent_id="a"))
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        agent.agent_id = "b"  # type: ignore[misc]


def test_a_filled_record_is_exactly_its_own_class() -> None:
    payload = {
        "id": "n1", "number": "07011112222", "provider": "vox", "status": "active",
        "created_at": 1, "updated_at": 2, "inbound_agent": {"agent_id": "a"},
    }
    number = compiled(OrganizationTelephoneNumber)(payload, OrganizationTelephoneNumber)
    assert type(number) is OrganizationTelephoneNumber
    assert type(number.inbound_agent) is AgentMapping
    assert number == _converter.converter.structure(payload, OrganizationTelephoneNumber)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        number.memo = "changed"  # type: ignore[misc]
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        del number.memo  # type: ignore[misc]
    assert pickle.loads(pickle.dumps(number)) == number
    assert copy.deepcopy(number) == number
    assert weakref.ref(number)() is number
    assert attrs.evolve(number, memo="m").memo == "m"
    assert repr(number).startswith("OrganizationTelephoneNumber(")


def test_the_source_fills_slots_only_for_a_plain_class() -> None:
    assert "_new" in compiled(OrganizationTelephoneNumber).__code__.co_names
    assert "_new" not in compiled(Checked).__code__.co_names  # a validator: __init__


@attrs.frozen(kw_only=True)
class Checked:
    extra: Any = attrs.field(default=NO_EXTRA_FIELDS, eq=False)
    name: str = attrs.field(validator=attrs.validators.min_len(2))


def test_a_validator_still_runs() -> None:
    hook = compile_structure(
        Checked, _converter.converter.get_structure_hook,
        lambda payload, _: "deferred", frozenset({"name"}), _converter.keep_unknown,
    )
    assert hook is not None
    assert hook({"name": "ok"}, Checked) == Checked(name="ok")
    assert hook({"name": "x"}, Checked) == "deferred"  # the validator refused: cattrs decides


def test_a_post_init_still_runs() -> None:
    @attrs.frozen(kw_only=True)
    class Tagged:
        extra: Any = attrs.field(default=NO_EXTRA_FIELDS, eq=False)
        name: str

        def __attrs_post_init__(self) -> None:
            object.__setattr__(self, "extra", {"seen": self.name})

    hook = compiled(Tagged)
    assert hook({"name": "a"}, Tagged).extra == {"seen": "a"}
