"""Records back to the API's JSON (``to_dict`` / ``to_json``), unknown fields kept in
``extra``; the CLI's ``--json`` output goes the same way."""

from __future__ import annotations

import copy
import json
import pickle
from typing import Any

import attrs
import pytest

from voxasync import (
    AgentMapping,
    AsyncVox,
    OrganizationTelephoneNumber,
    Provider,
    TelephoneNumberStatus,
    TelephoneNumberTermination,
    Vox,
)
from voxasync._converter import structure
from voxasync.cli import main
from voxasync.testing import FakeVoxServer, Fault

AGENT = {"agent_id": "agent-1", "agent_version": "production"}


def parse(payload: dict[str, Any], model: type[Any] = OrganizationTelephoneNumber) -> Any:
    return structure(payload, model, status_code=200, body=json.dumps(payload).encode())


def server_record(server: FakeVoxServer, **fields: Any) -> dict[str, Any]:
    return server.add_number(memo="대표번호", inbound_agent=AGENT, **fields)


@pytest.mark.anyio
async def test_to_dict_is_what_the_server_sent(server: FakeVoxServer, avox: AsyncVox) -> None:
    sent = server_record(server)
    number = await avox.organization_telephone_numbers.retrieve(sent["id"])
    as_dict = number.to_dict()
    assert as_dict == sent
    assert type(as_dict["provider"]) is str and type(as_dict["status"]) is str
    assert type(as_dict["inbound_agent"]) is dict
    assert json.loads(json.dumps(as_dict)) == sent
    assert json.loads(number.to_json()) == sent
    assert "대표번호" in number.to_json()  # kept readable, not \\u-escaped
    assert number.to_json(indent=2).startswith('{\n  "id"')
    assert parse(as_dict) == number  # and back again


def test_sync_records_and_terminations_serialize_too(server: FakeVoxServer, vox: Vox) -> None:
    number_id = server.add_number()["id"]
    ended = vox.organization_telephone_numbers.delete(number_id)
    assert isinstance(ended, TelephoneNumberTermination)
    assert set(ended.to_dict()) == {"id", "number", "provider", "effective_at"}
    assert ended.to_dict()["effective_at"] == ended.effective_at
    assert parse(ended.to_dict(), TelephoneNumberTermination) == ended


@pytest.mark.anyio
async def test_unknown_fields_are_kept_in_extra_and_in_to_dict(
    server: FakeVoxServer, avox: AsyncVox
) -> None:
    sent = server_record(server)
    new_agent = {**AGENT, "region": "kr-1"}
    server.inject(Fault.extra_fields(
        sms_capable=True, porting={"state": "done", "steps": [1, 2]}, inbound_agent=new_agent,
        status="suspended",
    ))
    number = await avox.organization_telephone_numbers.retrieve(sent["id"])
    assert number.extra == {"sms_capable": True, "porting": {"state": "done", "steps": [1, 2]}}
    assert number.inbound_agent is not None
    assert number.inbound_agent.extra == {"region": "kr-1"}
    assert number.status == "suspended" and type(number.status) is str
    assert number.to_dict() == {
        **sent, "status": "suspended", "inbound_agent": new_agent,
        "sms_capable": True, "porting": {"state": "done", "steps": [1, 2]},
    }
    assert parse(number.to_dict()).extra == number.extra  # a round trip keeps them


def test_extra_is_read_only_and_to_dict_is_a_copy() -> None:
    number = parse({**minimal(), "future": {"list": [1]}})
    with pytest.raises(TypeError):
        number.extra["future"] = 2  # type: ignore[index]
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        number.extra = {}  # type: ignore[misc]
    as_dict = number.to_dict()
    as_dict["future"]["list"].append(2)
    assert number.extra == {"future": {"list": [1]}}
    assert parse(minimal()).extra == {}


def minimal(**fields: Any) -> dict[str, Any]:
    return {
        "id": "n1", "number": "07000000001", "provider": "vox", "status": "active",
        "created_at": 1, "updated_at": 2, **fields,
    }


def test_equality_and_hashing_ignore_extra_as_before() -> None:
    plain = parse(minimal())
    with_extra = parse(minimal(later="x"))
    assert plain == with_extra
    assert hash(plain) == hash(with_extra)
    assert len({plain, with_extra}) == 1
    assert repr(plain) == repr(with_extra)  # repr shows the known fields only


def test_records_with_extra_pickle_and_copy() -> None:
    number = parse(minimal(inbound_agent={**AGENT, "tier": 2}, later=[1, {"a": None}]))
    for clone in (pickle.loads(pickle.dumps(number)), copy.deepcopy(number), copy.copy(number),
                  attrs.evolve(number, memo="changed")):
        assert clone.extra == {"later": [1, {"a": None}]}
        assert clone.inbound_agent is not None and clone.inbound_agent.extra == {"tier": 2}
    assert pickle.loads(pickle.dumps(parse(minimal()))).extra == {}


def test_records_built_by_hand_serialize() -> None:
    agent = AgentMapping(agent_id="a", agent_version="current")
    number = OrganizationTelephoneNumber(
        id="n1", number="07000000001", provider=Provider.CUSTOM,
        status=TelephoneNumberStatus.CANCEL_REQUESTED, created_at=1, updated_at=2,
        outbound_agent=agent,
    )
    as_dict = number.to_dict()
    assert as_dict["provider"] == "custom" and type(as_dict["provider"]) is str
    assert as_dict["status"] == "cancel_requested" and type(as_dict["status"]) is str
    assert as_dict["outbound_agent"] == {"agent_id": "a", "agent_version": "current"}
    assert agent.to_json() == '{"agent_id": "a", "agent_version": "current"}'


def test_cli_json_output_is_to_dict(
    server: FakeVoxServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("VOX_API_KEY", server.api_key)
    monkeypatch.setenv("VOX_BASE_URL", server.url)
    sent = server_record(server)
    server.inject(Fault.extra_fields(sms_capable=True))
    assert main(["numbers", "get", sent["id"], "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {**sent, "sms_capable": True}
    server.inject(Fault.extra_fields(sms_capable=False))
    assert main(["numbers", "get", sent["id"]]) == 0
    table = capsys.readouterr().out
    assert "sms_capable" in table and "false" in table
