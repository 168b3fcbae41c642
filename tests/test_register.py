"""``telephone_numbers.register``: the body, its checks, and retries that converge."""

from __future__ import annotations

from typing import Any

import pytest

from voxasync import (
    AsyncVox,
    BadRequestError,
    ConflictError,
    OrganizationTelephoneNumber,
    Provider,
    TelephoneNumberStatus,
    Vox,
)
from voxasync.testing import FakeVoxServer, Fault

pytestmark = pytest.mark.anyio

ADDRESS = "sip:trunk.example.com:5060"
PASSWORD = "reg-PASSWORD-do-not-print"


async def test_register_sends_every_field_and_answers_the_custom_number(
    server: FakeVoxServer, avox: AsyncVox
) -> None:
    record = await avox.telephone_numbers.register(
        number="07011112222", address=ADDRESS, auth_username="pbx", auth_password=PASSWORD,
        memo="본사",
    )
    assert isinstance(record, OrganizationTelephoneNumber)
    assert (record.number, record.provider, record.status, record.address, record.memo) == (
        "07011112222", Provider.CUSTOM, TelephoneNumberStatus.ACTIVE, ADDRESS, "본사")
    assert record.monthly_fee is None and record.inbound_agent is None
    (request,) = server.requests
    assert (request.method, request.path, request.number_id, request.action) == (
        "POST", "/v3/telephone-numbers/register", None, "register")
    assert request.json == {"number": "07011112222", "address": ADDRESS,
                            "auth_username": "pbx", "auth_password": PASSWORD, "memo": "본사"}
    assert server.number(record.id)["provider"] == "custom"
    assert server.sip_credentials(record.id)["auth_password"] == PASSWORD


async def test_register_sends_null_for_what_is_not_set(
    server: FakeVoxServer, avox: AsyncVox
) -> None:
    await avox.telephone_numbers.register(number="1", address=ADDRESS)
    assert server.requests[0].json == {"number": "1", "address": ADDRESS,
                                       "auth_username": None, "auth_password": None,
                                       "memo": None}


def test_sync_register(server: FakeVoxServer, vox: Vox) -> None:
    record = vox.telephone_numbers.register(number="0212345678", address=ADDRESS)
    assert record.provider == "custom"
    listed = list(vox.organization_telephone_numbers.list(provider="custom"))
    assert [n.id for n in listed] == [record.id]


@pytest.mark.parametrize(
    ("kwargs", "error", "names"),
    [
        ({"number": "070-1111-2222"}, ValueError, "number must be 1 to 20 digits.*without hyphens"),
        ({"number": ""}, ValueError, "number must be 1 to 20 digits"),
        ({"number": "1" * 21}, ValueError, "number must be 1 to 20 digits"),
        ({"number": "0701111222a"}, ValueError, "number"),
        ({"number": "+827011112222"}, ValueError, "number"),
        ({"number": "\u0660\u0667\u0660"}, ValueError, "number"),  # Arabic-Indic digits
        ({"number": 7011112222}, TypeError, "number must be a str"),
        ({"address": ""}, ValueError, "address must not be blank"),
        ({"address": "   "}, ValueError, "address must not be blank"),
        ({"address": None}, TypeError, "address"),
        ({"memo": "m" * 201}, ValueError, "memo must be at most 200"),
        ({"auth_username": 5}, TypeError, "auth_username"),
        ({"auth_password": ""}, ValueError, "auth_password"),
    ],
)
async def test_register_bad_input_makes_no_request(
    server: FakeVoxServer, avox: AsyncVox, kwargs: dict[str, Any], error: type[Exception],
    names: str,
) -> None:
    arguments: dict[str, Any] = {"number": "07011112222", "address": ADDRESS, **kwargs}
    with pytest.raises(error, match=names):
        await avox.telephone_numbers.register(**arguments)
    assert server.requests == []


async def test_register_needs_keyword_arguments(avox: AsyncVox) -> None:
    with pytest.raises(TypeError):
        await avox.telephone_numbers.register("07011112222", ADDRESS)  # type: ignore[misc]


async def test_registering_an_existing_number_is_409(
    server: FakeVoxServer, avox: AsyncVox
) -> None:
    server.add_number(number="07011112222", provider="custom", address="sip:other")
    with pytest.raises(ConflictError) as caught:
        await avox.telephone_numbers.register(number="07011112222", address=ADDRESS)
    assert caught.value.code == "ALREADY_EXISTS"
    assert len(server.requests) == 1  # a refusal without an earlier attempt is final


async def test_an_expired_number_can_be_registered_again(
    server: FakeVoxServer, avox: AsyncVox
) -> None:
    old = server.add_number(number="07011112222", provider="custom", status="expired",
                            address=ADDRESS)
    record = await avox.telephone_numbers.register(number="07011112222", address=ADDRESS)
    assert record.id != old["id"] and record.status == "active"


async def test_the_fake_refuses_a_register_body_it_does_not_know(server: FakeVoxServer) -> None:
    import aiohttp

    async with aiohttp.ClientSession() as session, session.post(
        f"{server.url}/v3/telephone-numbers/register",
        json={"number": "0701", "address": ADDRESS, "provider": "custom"},
        headers={"Authorization": f"Bearer {server.api_key}"},
    ) as response:
        assert response.status == 400
        assert (await response.json())["error"]["details"]["field"] == "provider"


# -- retries ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fault",
    [
        pytest.param(Fault.reset(after_effect=True), id="reset-after-effect"),
        pytest.param(Fault.status(503, after_effect=True), id="503-after-effect"),
        pytest.param(Fault.reset_mid_body(), id="reset-mid-body"),
    ],
)
async def test_a_lost_answer_converges_on_the_number_registered(
    server: FakeVoxServer, avox: AsyncVox, no_wait: None, fault: Fault
) -> None:
    server.add_number(number="07099998888", provider="custom", address=ADDRESS)  # another
    server.inject(fault, action="register")
    record = await avox.telephone_numbers.register(
        number="07011112222", address=ADDRESS, auth_password=PASSWORD
    )
    (registered,) = [n for n in server.numbers if n["number"] == "07011112222"]
    assert record.id == registered["id"] and record.address == ADDRESS
    methods = [(r.method, r.action, r.status) for r in server.requests]
    assert methods[1:] == [("POST", "register", 409), ("GET", None, 200)]
    listing = server.requests[2]
    assert ("provider", "custom") in listing.query
    assert {v for k, v in listing.query if k == "status"} == {
        "active", "scheduled", "cancel_requested", "expired"}


def test_sync_register_converges_too(server: FakeVoxServer, vox: Vox) -> None:
    server.inject(Fault.reset(after_effect=True), action="register")
    from voxasync.testing import instant_retries

    with instant_retries():
        record = vox.telephone_numbers.register(number="0311112222", address=ADDRESS)
    assert record.number == "0311112222"


async def test_a_refusal_stands_when_the_number_exists_at_another_address(
    server: FakeVoxServer, avox: AsyncVox, no_wait: None
) -> None:
    # Someone else holds the number. A 503 may have taken effect, so the refused retry
    # makes the client look: the number it finds has another address, so the 409 stands.
    server.add_number(number="07011112222", provider="custom", address="sip:someone-else")
    server.inject(Fault.status(503), action="register")
    with pytest.raises(ConflictError):
        await avox.telephone_numbers.register(number="07011112222", address=ADDRESS)
    assert [(r.method, r.status) for r in server.requests] == [
        ("POST", 503), ("POST", 409), ("GET", 200)]


async def test_a_refusal_without_a_lost_attempt_is_not_looked_up(
    server: FakeVoxServer, avox: AsyncVox, no_wait: None
) -> None:
    server.add_number(number="07011112222", provider="custom", address=ADDRESS)
    server.inject(Fault.rate_limited(retry_after="0"), action="register")
    with pytest.raises(ConflictError):
        await avox.telephone_numbers.register(number="07011112222", address=ADDRESS)
    assert [r.method for r in server.requests] == ["POST", "POST"]  # a 429 had no effect


async def test_an_expired_registration_does_not_count_as_the_new_one(
    server: FakeVoxServer, avox: AsyncVox, no_wait: None
) -> None:
    # The store would accept the number again (its record expired), so the refusal of the
    # retry is injected: the lookup finds only the expired record, and the 409 stands.
    server.add_number(number="07011112222", provider="custom", status="expired",
                      address=ADDRESS)
    server.inject(Fault.status(503), Fault.status(409, code="ALREADY_EXISTS"),
                  action="register")
    with pytest.raises(ConflictError):
        await avox.telephone_numbers.register(number="07011112222", address=ADDRESS)
    assert [r.status for r in server.requests] == [503, 409, 200]


async def test_register_with_max_retries_0_is_not_retried(
    server: FakeVoxServer, avox: AsyncVox
) -> None:
    server.inject(Fault.reset(after_effect=True), action="register")
    with pytest.raises(Exception, match="register"):
        await avox.telephone_numbers.register(number="0701", address=ADDRESS, max_retries=0)
    assert len(server.requests) == 1


async def test_a_400_after_a_lost_answer_stands_when_nothing_matches(
    server: FakeVoxServer, avox: AsyncVox, no_wait: None
) -> None:
    server.inject(Fault.status(502, body="html"),
                  Fault.status(400, code="VALIDATION_ERROR"), action="register")
    with pytest.raises(BadRequestError):
        await avox.telephone_numbers.register(number="0701", address=ADDRESS)
    assert server.numbers == []
