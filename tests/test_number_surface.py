"""The rest of the number surface: update, update_agents, update_sip, list_available, and
the fake server's rules for them. Each against a real FakeVoxServer on loopback."""

from __future__ import annotations

import json
import logging
import traceback
import uuid
from typing import Any

import aiohttp
import pytest

from voxasync import (
    AgentMapping,
    APIResponseValidationError,
    AsyncVox,
    AvailableTelephoneNumber,
    BadRequestError,
    ConflictError,
    LineType,
    OrganizationTelephoneNumber,
    SmsCapability,
    Vox,
)
from voxasync.testing import FakeVoxServer, Fault

pytestmark = pytest.mark.anyio

AGENT = str(uuid.UUID(int=1))
OTHER_AGENT = str(uuid.UUID(int=2))
PASSWORD = "s1p-PASSWORD-never-shown"


def custom_number(server: FakeVoxServer, **fields: Any) -> str:
    record = server.add_number(provider="custom", address="sip:old.example:5060", **fields)
    return str(record["id"])


def sent(server: FakeVoxServer, method: str = "PATCH") -> list[Any]:
    """The JSON bodies the server received, for ``method``."""
    return [r.json for r in server.requests if r.method == method]


# -- update: memo ----------------------------------------------------------------------------


async def test_update_sets_memo_and_answers_the_record(
    server: FakeVoxServer, avox: AsyncVox
) -> None:
    number_id = server.add_number(memo="old")["id"]
    record = await avox.organization_telephone_numbers.update(number_id, memo="새 메모")
    assert isinstance(record, OrganizationTelephoneNumber)
    assert record.memo == "새 메모" == server.number(number_id)["memo"]
    assert sent(server) == [{"memo": "새 메모"}]
    (request,) = server.requests
    assert (request.path, request.number_id, request.action) == (
        f"/v3/organization-telephone-numbers/{number_id}", number_id, "")
    assert request.headers["Content-Type"].startswith("application/json")


async def test_update_memo_none_is_sent_as_null_and_clears(
    server: FakeVoxServer, avox: AsyncVox
) -> None:
    number_id = server.add_number(memo="old")["id"]
    record = await avox.organization_telephone_numbers.update(number_id, memo=None)
    assert record.memo is None
    assert sent(server) == [{"memo": None}]


def test_sync_update(server: FakeVoxServer, vox: Vox) -> None:
    number_id = server.add_number()["id"]
    assert vox.organization_telephone_numbers.update(number_id, memo="m").memo == "m"


@pytest.mark.parametrize(
    ("kwargs", "error", "names"),
    [
        ({}, ValueError, "memo="),
        ({"memo": "x" * 201}, ValueError, "memo"),
        ({"memo": 5}, TypeError, "memo"),
        ({"memo": b"bytes"}, TypeError, "memo"),
    ],
)
async def test_update_bad_input_makes_no_request(
    server: FakeVoxServer, avox: AsyncVox, kwargs: dict[str, Any], error: type[Exception],
    names: str,
) -> None:
    number_id = server.add_number()["id"]
    with pytest.raises(error, match=names):
        await avox.organization_telephone_numbers.update(number_id, **kwargs)
    assert server.requests == []


async def test_update_memo_of_exactly_200_characters_is_fine(
    server: FakeVoxServer, avox: AsyncVox
) -> None:
    number_id = server.add_number()["id"]
    record = await avox.organization_telephone_numbers.update(number_id, memo="가" * 200)
    assert record.memo == "가" * 200


# -- update_agents ---------------------------------------------------------------------------


async def test_update_agents_sends_only_what_is_given(
    server: FakeVoxServer, avox: AsyncVox
) -> None:
    number_id = server.add_number(
        outbound_agent={"agent_id": OTHER_AGENT, "agent_version": "v3"}
    )["id"]
    before = server.number(number_id)
    record = await avox.organization_telephone_numbers.update_agents(
        number_id, inbound_agent=AgentMapping(agent_id=AGENT), sms_inbound_agent=None
    )
    assert sent(server) == [{
        "inbound_agent": {"agent_id": AGENT, "agent_version": "current"},
        "sms_inbound_agent": None,
    }]
    assert record.inbound_agent == AgentMapping(agent_id=AGENT, agent_version="current")
    assert record.outbound_agent == AgentMapping(**before["outbound_agent"])  # kept
    assert record.sms_inbound_agent is None
    assert server.requests[0].action == "agent"


async def test_update_agents_maps_sms_inbound_and_unmaps(
    server: FakeVoxServer, avox: AsyncVox
) -> None:
    number_id = server.add_number()["id"]
    numbers = avox.organization_telephone_numbers
    mapped = await numbers.update_agents(
        number_id, sms_inbound_agent=AgentMapping(agent_id=AGENT, agent_version="production")
    )
    assert mapped.sms_inbound_agent == AgentMapping(agent_id=AGENT, agent_version="production")
    unmapped = await numbers.update_agents(
        number_id, inbound_agent=None, outbound_agent=None, sms_inbound_agent=None
    )
    assert (unmapped.inbound_agent, unmapped.outbound_agent, unmapped.sms_inbound_agent) == (
        None, None, None)


def test_agent_mapping_defaults_to_current() -> None:
    assert AgentMapping(agent_id=AGENT) == AgentMapping(agent_id=AGENT, agent_version="current")


@pytest.mark.parametrize("version", ["current", "production", "v1", "v10", "v999"])
def test_sync_update_agents_accepts_every_documented_version(
    server: FakeVoxServer, vox: Vox, version: str
) -> None:
    number_id = server.add_number()["id"]
    record = vox.organization_telephone_numbers.update_agents(
        number_id, outbound_agent=AgentMapping(agent_id=AGENT, agent_version=version)
    )
    assert record.outbound_agent == AgentMapping(agent_id=AGENT, agent_version=version)


@pytest.mark.parametrize(
    ("kwargs", "error", "names"),
    [
        ({}, ValueError, "inbound_agent=, outbound_agent=, sms_inbound_agent="),
        ({"inbound_agent": AgentMapping(agent_id=AGENT, agent_version="v0")}, ValueError,
         "inbound_agent.agent_version"),
        ({"outbound_agent": AgentMapping(agent_id=AGENT, agent_version="latest")}, ValueError,
         "outbound_agent.agent_version"),
        ({"outbound_agent": AgentMapping(agent_id=AGENT, agent_version="V2")}, ValueError,
         "outbound_agent.agent_version"),
        ({"sms_inbound_agent": AgentMapping(agent_id=AGENT, agent_version="v01")}, ValueError,
         "sms_inbound_agent.agent_version"),
        ({"inbound_agent": AgentMapping(agent_id=" ")}, ValueError, "inbound_agent.agent_id"),
        ({"inbound_agent": AgentMapping(agent_id=7)}, TypeError,  # type: ignore[arg-type]
         "inbound_agent.agent_id"),
        ({"inbound_agent": AgentMapping(agent_id=AGENT, agent_version=None)},  # type: ignore[arg-type]
         TypeError, "inbound_agent.agent_version"),
        ({"inbound_agent": AGENT}, TypeError, "inbound_agent must be an AgentMapping"),
        ({"sms_inbound_agent": {"agent_id": AGENT}}, TypeError, "sms_inbound_agent"),
    ],
)
async def test_update_agents_bad_input_makes_no_request(
    server: FakeVoxServer, avox: AsyncVox, kwargs: dict[str, Any], error: type[Exception],
    names: str,
) -> None:
    number_id = server.add_number()["id"]
    with pytest.raises(error, match=names.replace(".", r"\.")):
        await avox.organization_telephone_numbers.update_agents(number_id, **kwargs)
    assert server.requests == []


async def test_an_expired_number_cannot_be_mapped(server: FakeVoxServer, avox: AsyncVox) -> None:
    number_id = server.add_number(status="expired")["id"]
    numbers = avox.organization_telephone_numbers
    with pytest.raises(ConflictError) as caught:
        await numbers.update_agents(number_id, inbound_agent=AgentMapping(agent_id=AGENT))
    assert caught.value.code == "INVALID_STATUS"
    assert (await numbers.update_agents(number_id, inbound_agent=None)).inbound_agent is None


async def test_an_agent_id_that_is_not_a_uuid_is_refused_by_the_server(
    server: FakeVoxServer, avox: AsyncVox
) -> None:
    number_id = server.add_number()["id"]
    with pytest.raises(BadRequestError) as caught:
        await avox.organization_telephone_numbers.update_agents(
            number_id, inbound_agent=AgentMapping(agent_id="agent-7")
        )
    assert caught.value.details["field"] == "inbound_agent.agent_id"


# -- update_sip ------------------------------------------------------------------------------


async def test_update_sip_with_password(server: FakeVoxServer, avox: AsyncVox) -> None:
    number_id = custom_number(server)
    record = await avox.organization_telephone_numbers.update_sip(
        number_id, address="sip:new.example:5060", auth_username="trunk", auth_password=PASSWORD
    )
    assert record.address == "sip:new.example:5060"
    assert sent(server) == [{
        "address": "sip:new.example:5060", "auth_username": "trunk", "auth_password": PASSWORD,
    }]
    assert server.sip_credentials(number_id) == {"auth_username": "trunk",
                                                 "auth_password": PASSWORD}
    assert PASSWORD not in json.dumps(server.number(number_id))
    assert server.requests[0].action == "sip"


async def test_update_sip_memo_alone_needs_no_password(
    server: FakeVoxServer, avox: AsyncVox
) -> None:
    number_id = custom_number(server)
    record = await avox.organization_telephone_numbers.update_sip(number_id, memo="trunk B")
    assert (record.memo, record.address) == ("trunk B", "sip:old.example:5060")
    assert sent(server) == [{"memo": "trunk B"}]


async def test_update_sip_clears_credentials_with_none(
    server: FakeVoxServer, avox: AsyncVox
) -> None:
    number_id = custom_number(server)
    await avox.organization_telephone_numbers.update_sip(
        number_id, auth_username=None, auth_password=None
    )
    assert sent(server) == [{"auth_username": None, "auth_password": None}]
    assert server.sip_credentials(number_id) == {"auth_username": None, "auth_password": None}


@pytest.mark.parametrize(
    ("kwargs", "error", "names"),
    [
        ({}, ValueError, "address=, auth_username=, auth_password=, memo="),
        ({"address": "sip:x"}, ValueError, "auth_password is required when address changes"),
        ({"auth_username": "u"}, ValueError,
         "auth_password is required when auth_username changes"),
        ({"auth_username": None}, ValueError, "auth_password is required"),
        ({"address": "  ", "auth_password": "p"}, ValueError, "address must not be blank"),
        ({"address": None, "auth_password": "p"}, TypeError, "address must be a str"),
        ({"address": 5060, "auth_password": "p"}, TypeError, "address"),
        ({"auth_password": ""}, ValueError, "auth_password must not be empty"),
        ({"memo": "m" * 201}, ValueError, "memo must be at most 200"),
    ],
)
async def test_update_sip_bad_input_makes_no_request(
    server: FakeVoxServer, avox: AsyncVox, kwargs: dict[str, Any], error: type[Exception],
    names: str,
) -> None:
    number_id = custom_number(server)
    with pytest.raises(error, match=names):
        await avox.organization_telephone_numbers.update_sip(number_id, **kwargs)
    assert server.requests == []


async def test_a_wrongly_typed_password_is_refused_without_quoting_it(
    server: FakeVoxServer, avox: AsyncVox
) -> None:
    number_id = custom_number(server)
    secret = PASSWORD.encode()
    with pytest.raises(TypeError, match="auth_password") as caught:
        await avox.organization_telephone_numbers.update_sip(
            number_id, auth_password=secret  # type: ignore[arg-type]
        )
    assert PASSWORD not in str(caught.value)


async def test_sip_settings_of_a_vox_number_are_refused(
    server: FakeVoxServer, avox: AsyncVox
) -> None:
    number_id = server.add_number(provider="vox")["id"]
    with pytest.raises(BadRequestError) as caught:
        await avox.organization_telephone_numbers.update_sip(number_id, memo="x")
    assert caught.value.details["reason"] == "not_custom_number"


def test_sync_update_sip(server: FakeVoxServer, vox: Vox) -> None:
    number_id = custom_number(server)
    record = vox.organization_telephone_numbers.update_sip(
        number_id, address="sip:b", auth_password=PASSWORD
    )
    assert record.address == "sip:b"


# -- the password is a secret ----------------------------------------------------------------


async def test_the_sip_password_is_in_no_log_line_repr_or_error(
    server: FakeVoxServer, caplog: pytest.LogCaptureFixture, no_wait: None
) -> None:
    number_id = server.add_number(provider="vox")["id"]  # refused: SIP on a vox number
    server.inject(Fault.status(503), action="sip")
    caplog.set_level(logging.DEBUG, logger="voxasync")
    async with AsyncVox(server.api_key, base_url=server.url) as avox:
        with pytest.raises(BadRequestError) as caught:
            await avox.organization_telephone_numbers.update_sip(
                number_id, address="sip:x", auth_username="user", auth_password=PASSWORD
            )
    texts = [
        caplog.text, str(caught.value), repr(caught.value), repr(caught.value.body),
        "".join(traceback.format_exception(caught.value)), repr(server.requests),
    ]
    for text in texts:
        assert PASSWORD not in text
    bodies = [r.getMessage() for r in caplog.records if "body=" in r.getMessage()]
    assert len(bodies) == 2  # the 503, then the retry
    assert all('"auth_password": "***"' in line and '"auth_username": "user"' in line
               for line in bodies)


async def test_debug_log_shows_bodies_without_secrets_as_json(
    server: FakeVoxServer, avox: AsyncVox, caplog: pytest.LogCaptureFixture
) -> None:
    number_id = server.add_number()["id"]
    caplog.set_level(logging.DEBUG, logger="voxasync")
    await avox.organization_telephone_numbers.update(number_id, memo="메모")
    await avox.organization_telephone_numbers.retrieve(number_id)
    lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("request ")]
    assert lines[0].endswith('body={"memo": "메모"}')
    assert lines[1].endswith("body=-")


# -- PATCH retries ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fault", [Fault.reset(after_effect=True), Fault.status(503), Fault.status(502, body="html")]
)
async def test_patches_are_retried_like_gets(
    server: FakeVoxServer, avox: AsyncVox, no_wait: None, fault: Fault
) -> None:
    number_id = custom_number(server)
    server.inject(fault, method="PATCH")
    numbers = avox.organization_telephone_numbers
    assert (await numbers.update(number_id, memo="a")).memo == "a"
    server.inject(fault, method="PATCH", action="agent")
    agents = await numbers.update_agents(number_id, inbound_agent=AgentMapping(agent_id=AGENT))
    assert agents.inbound_agent == AgentMapping(agent_id=AGENT)
    server.inject(fault, id=number_id, action="sip")
    assert (await numbers.update_sip(number_id, memo="b")).memo == "b"
    assert [r.status for r in server.requests] == [
        fault.status_code if fault.kind == "status" else None, 200] * 3


async def test_patch_with_max_retries_0_is_not_retried(
    server: FakeVoxServer, avox: AsyncVox
) -> None:
    number_id = server.add_number()["id"]
    server.inject(Fault.status(503), method="PATCH")
    with pytest.raises(Exception, match="503"):
        await avox.organization_telephone_numbers.update(number_id, memo="a", max_retries=0)
    assert len(server.requests) == 1


# -- list_available --------------------------------------------------------------------------


async def test_list_available_follows_every_page(server: FakeVoxServer, avox: AsyncVox) -> None:
    seeded = server.available_numbers
    found = [n async for n in avox.telephone_numbers.list_available(limit=5)]
    assert len(found) == len(seeded) >= 10
    assert [n.number for n in found] == sorted(n["number"] for n in seeded)
    assert all(isinstance(n, AvailableTelephoneNumber) for n in found)
    assert all(isinstance(n.sms_capable, SmsCapability) for n in found)
    assert {n.line_type for n in found} == set(LineType)
    assert len(server.requests) == 3
    assert all(r.action == "available" and r.number_id is None for r in server.requests)


async def test_list_available_filters_and_sorts(server: FakeVoxServer, avox: AsyncVox) -> None:
    pager = avox.telephone_numbers.list_available(
        line_type=LineType.VOIP, sort_by="monthly_fee", sort_order="desc"
    )
    found = [n async for n in pager]
    assert found and all(n.line_type is LineType.VOIP for n in found)
    assert server.requests[0].query == (
        ("line_type", "voip"), ("sort_by", "monthly_fee"), ("sort_order", "desc"))


def test_sync_list_available(server: FakeVoxServer, vox: Vox) -> None:
    server.add_available_number("07099990000", line_type="satellite", monthly_fee=9000,
                                sms_capable={"send": False, "recv": True})
    pages = list(vox.telephone_numbers.list_available(limit=100).pages())
    (page,) = pages
    new = next(n for n in page.items if n.number == "07099990000")
    assert new.line_type == "satellite" and not isinstance(new.line_type, LineType)  # open enum
    assert new.sms_capable == SmsCapability(send=False, recv=True)
    assert page.total_count == len(server.available_numbers)


@pytest.mark.parametrize(
    ("kwargs", "error", "names"),
    [
        ({"limit": 0}, ValueError, "limit"),
        ({"limit": 101}, ValueError, "limit"),
        ({"limit": "10"}, TypeError, "limit"),
        ({"limit": True}, TypeError, "limit"),
        ({"line_type": ""}, ValueError, "line_type"),
        ({"line_type": 3}, TypeError, "line_type"),
        ({"sort_order": "up"}, ValueError, "sort_order"),
        ({"sort_by": ""}, ValueError, "sort_by"),
    ],
)
async def test_list_available_bad_input_raises_at_the_call(
    server: FakeVoxServer, avox: AsyncVox, kwargs: dict[str, Any], error: type[Exception],
    names: str,
) -> None:
    with pytest.raises(error, match=names):
        avox.telephone_numbers.list_available(**kwargs)
    assert server.requests == []


async def test_an_sms_flag_that_is_not_a_boolean_is_a_validation_error(
    server: FakeVoxServer, avox: AsyncVox
) -> None:
    server.add_available_number("0000", sms_capable={"send": 1, "recv": "yes"})
    with pytest.raises(APIResponseValidationError, match="sms_capable"):
        [n async for n in avox.telephone_numbers.list_available(limit=100)]


async def test_a_server_answer_with_an_unknown_agent_version_is_kept(
    server: FakeVoxServer, avox: AsyncVox
) -> None:
    number_id = server.add_number(sms_inbound_agent={"agent_id": AGENT, "agent_version": "beta"})
    record = await avox.organization_telephone_numbers.retrieve(number_id["id"])
    assert record.sms_inbound_agent == AgentMapping(agent_id=AGENT, agent_version="beta")


# -- the fake's rules, seen on the wire ------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "body", "field", "reason"),
    [
        ("", b"{}", "body", "empty_body"),
        ("", b"", "body", "not_an_object"),
        ("", b"[1]", "body", "not_an_object"),
        ("", b"{not json", "body", "invalid_json"),
        ("", b'{"memo": "a", "color": "red"}', "color", "unknown_field"),
        ("", b'{"memo": 5}', "memo", "invalid_type"),
        ("/agent", b"{}", "body", "empty_body"),
        ("/agent", b'{"inbound_agent": {"agent_id": "%s", "x": 1}}' % AGENT.encode(), "x",
         "unknown_field"),
        ("/agent", b'{"inbound_agent": {"agent_id": "%s", "agent_version": null}}'
         % AGENT.encode(), "inbound_agent.agent_version", "invalid_pattern"),
        ("/agent", b'{"memo": "a"}', "memo", "unknown_field"),
        ("/sip", b"{}", "body", "empty_body"),
        ("/sip", b'{"address": "sip:a"}', "auth_password", "required"),
        ("/sip", b'{"address": null, "auth_password": "p"}', "address", "invalid_type"),
        ("/sip", b'{"trunk": "a"}', "trunk", "unknown_field"),
    ],
)
async def test_fake_refuses_bad_patch_bodies_with_400(
    server: FakeVoxServer, action: str, body: bytes, field: str, reason: str
) -> None:
    number_id = custom_number(server)
    url = f"{server.url}/v3/organization-telephone-numbers/{number_id}{action}"
    headers = {"Authorization": f"Bearer {server.api_key}", "Content-Type": "application/json"}
    async with aiohttp.ClientSession() as session, session.patch(
        url, data=body, headers=headers
    ) as response:
        assert response.status == 400
        error = (await response.json())["error"]
    assert error["code"] == "VALIDATION_ERROR"
    assert (error["details"]["field"], error["details"]["reason"]) == (field, reason)


async def test_fake_defaults_agent_version_to_current(server: FakeVoxServer) -> None:
    number_id = server.add_number()["id"]
    url = f"{server.url}/v3/organization-telephone-numbers/{number_id}/agent"
    async with aiohttp.ClientSession() as session, session.patch(
        url, json={"outbound_agent": {"agent_id": AGENT}},
        headers={"Authorization": f"Bearer {server.api_key}"},
    ) as response:
        assert response.status == 200
        record = await response.json()
    assert record["outbound_agent"] == {"agent_id": AGENT, "agent_version": "current"}


async def test_fake_answers_404_and_401_on_the_new_routes(
    server: FakeVoxServer, avox: AsyncVox
) -> None:
    with pytest.raises(Exception, match="404"):
        await avox.organization_telephone_numbers.update("missing", memo="a")
    async with AsyncVox("wrong-key", base_url=server.url) as wrong:
        with pytest.raises(Exception, match="401"):
            [n async for n in wrong.telephone_numbers.list_available()]


async def test_faults_match_the_catalog_routes_by_action(
    server: FakeVoxServer, avox: AsyncVox, no_wait: None
) -> None:
    server.inject(Fault.status(500), action="available")
    server.inject(Fault.status(503), action="register")
    found = [n async for n in avox.telephone_numbers.list_available(limit=100)]
    assert found
    assert [(r.action, r.status) for r in server.requests] == [("available", 500),
                                                               ("available", 200)]
