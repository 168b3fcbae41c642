"""``with_raw_response``: the answer behind a record (status, headers, request id, retries,
elapsed time), on both clients, and ``APIStatusError.request_id``."""

from __future__ import annotations

import asyncio
import datetime as dt
import inspect
import typing
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from aiohttp import web
from multidict import CIMultiDict

from voxasync import (
    AsyncVox,
    ConflictError,
    NotFoundError,
    OrganizationTelephoneNumber,
    RawResponse,
    TelephoneNumberStatus,
    TelephoneNumberTermination,
    Vox,
)
from voxasync._sync._resources import OrganizationTelephoneNumbersWithRawResponse
from voxasync.errors import request_id_of
from voxasync.resources.organization_telephone_numbers import (
    AsyncOrganizationTelephoneNumbers,
    AsyncOrganizationTelephoneNumbersWithRawResponse,
)
from voxasync.testing import FakeVoxServer, Fault


def assert_fresh_answer(raw: RawResponse[Any], status_code: int = 200) -> None:
    assert raw.status_code == status_code
    assert raw.request_id is not None and raw.request_id.startswith("req_")
    assert raw.request_id == raw.headers["X-Request-Id"]  # headers are case-insensitive
    assert raw.headers["content-type"].startswith("application/json")
    assert raw.retries_taken == 0
    assert isinstance(raw.elapsed, dt.timedelta) and raw.elapsed > dt.timedelta(0)


@pytest.mark.anyio
async def test_async_raw_responses_for_every_record_operation(
    server: FakeVoxServer, avox: AsyncVox
) -> None:
    pending = server.seed_pending(1)
    active = server.add_number()["id"]
    raw_numbers = avox.organization_telephone_numbers.with_raw_response

    restored = await raw_numbers.revoke_cancel(pending[0])
    assert_fresh_answer(restored)
    assert isinstance(restored.parse(), OrganizationTelephoneNumber)
    assert restored.parse().status == TelephoneNumberStatus.ACTIVE

    fetched = await raw_numbers.retrieve(pending[0])
    assert_fresh_answer(fetched)
    assert fetched.parse() == await avox.organization_telephone_numbers.retrieve(pending[0])
    assert fetched.request_id != restored.request_id

    ended = await raw_numbers.delete(active)
    assert_fresh_answer(ended)
    assert isinstance(ended.parse(), TelephoneNumberTermination)
    assert [r.method for r in server.requests] == ["POST", "GET", "GET", "DELETE"]


def test_sync_raw_responses_for_every_record_operation(server: FakeVoxServer, vox: Vox) -> None:
    pending = server.seed_pending(1)
    active = server.add_number()["id"]
    raw_numbers = vox.organization_telephone_numbers.with_raw_response

    restored = raw_numbers.revoke_cancel(pending[0], max_retries=0)
    assert_fresh_answer(restored)
    assert restored.parse().status == TelephoneNumberStatus.ACTIVE
    fetched = raw_numbers.retrieve(pending[0], timeout=5.0)
    assert_fresh_answer(fetched)
    assert fetched.parse() == vox.organization_telephone_numbers.retrieve(pending[0])
    ended = raw_numbers.delete(active)
    assert_fresh_answer(ended)
    assert ended.parse().id == active


@pytest.mark.anyio
async def test_retries_taken_counts_the_attempts_after_the_first(
    server: FakeVoxServer, avox: AsyncVox, no_wait: None
) -> None:
    number_id = server.add_number()["id"]
    server.inject(Fault.status(503), Fault.reset(), id=number_id)
    raw = await avox.organization_telephone_numbers.with_raw_response.retrieve(number_id)
    assert raw.status_code == 200
    assert raw.retries_taken == 2
    assert raw.parse().id == number_id


@pytest.mark.anyio
async def test_a_converged_call_describes_the_answer_its_record_came_from(
    server: FakeVoxServer, avox: AsyncVox, no_wait: None
) -> None:
    """The POST takes effect but answers 503; the retry is refused (409); the GET that shows
    the revoke took effect answers 200 and makes the record: the raw response is the GET's."""
    (number_id,) = server.seed_pending(1)
    server.inject(Fault.status(503, after_effect=True), id=number_id, method="POST")
    server.inject(Fault.extra_fields(answered_by="get"), id=number_id, method="GET")
    raw = await avox.organization_telephone_numbers.with_raw_response.revoke_cancel(number_id)
    assert [(r.method, r.status) for r in server.requests] == [
        ("POST", 503), ("POST", 409), ("GET", 200),
    ]
    assert raw.status_code == 200
    assert raw.retries_taken == 2  # two more requests after the first POST
    assert raw.parse().extra == {"answered_by": "get"}
    assert raw.parse().status == TelephoneNumberStatus.ACTIVE


@pytest.mark.anyio
async def test_concurrent_raw_calls_each_get_their_own_answer(
    server: FakeVoxServer, avox: AsyncVox
) -> None:
    ids = [server.add_number()["id"] for _ in range(20)]
    raw_numbers = avox.organization_telephone_numbers.with_raw_response
    raws = await asyncio.gather(*(raw_numbers.retrieve(number_id) for number_id in ids))
    assert [raw.parse().id for raw in raws] == ids
    assert len({raw.request_id for raw in raws}) == len(ids)
    assert all(raw.retries_taken == 0 for raw in raws)


@pytest.mark.anyio
async def test_a_failed_raw_call_raises_as_the_plain_call_does(
    server: FakeVoxServer, avox: AsyncVox
) -> None:
    with pytest.raises(NotFoundError) as raised:
        await avox.organization_telephone_numbers.with_raw_response.retrieve("missing")
    assert raised.value.request_id is not None
    assert raised.value.request_id == raised.value.headers["x-request-id"]
    with pytest.raises(ValueError, match="organization_telephone_number_id"):
        await avox.organization_telephone_numbers.with_raw_response.retrieve("")
    assert len(server.requests) == 1


def test_sync_status_errors_carry_the_request_id(server: FakeVoxServer, vox: Vox) -> None:
    server.inject(Fault.status(409, headers={"x-request-id": "req_from_fault"}))
    with pytest.raises(ConflictError) as raised:
        vox.organization_telephone_numbers.retrieve("any")
    assert raised.value.request_id == "req_from_fault"


# -- a server that sends no request id, or names it request-id -------------------------------

RECORD = {
    "id": "n1", "number": "07000000001", "provider": "vox", "status": "active",
    "created_at": 1, "updated_at": 2,
}


@pytest.fixture
async def plain_server() -> AsyncIterator[str]:
    """An aiohttp server that answers ``/v3/.../<id>`` with RECORD (404 for ``missing``),
    with no request id header, except for id ``named``: ``request-id: rid-123``."""

    async def handle(request: web.Request) -> web.Response:
        number_id = request.match_info["id"]
        headers = {"request-id": "rid-123"} if number_id == "named" else {}
        if number_id == "missing":
            return web.json_response({"error": {"code": "NOT_FOUND", "message": "없음"}},
                                     status=404, headers=headers)
        return web.json_response(RECORD, headers=headers)

    app = web.Application()
    app.router.add_get("/v3/organization-telephone-numbers/{id}", handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        yield f"http://127.0.0.1:{runner.addresses[0][1]}"
    finally:
        await runner.cleanup()


@pytest.mark.anyio
async def test_request_id_is_none_when_the_server_sends_none(plain_server: str) -> None:
    async with AsyncVox("key", base_url=plain_server) as avox:
        raw = await avox.organization_telephone_numbers.with_raw_response.retrieve("n1")
        assert raw.request_id is None
        assert raw.parse().id == "n1"
        with pytest.raises(NotFoundError) as raised:
            await avox.organization_telephone_numbers.retrieve("missing")
        assert raised.value.request_id is None


@pytest.mark.anyio
async def test_a_request_id_header_is_read_too(plain_server: str) -> None:
    async with AsyncVox("key", base_url=plain_server) as avox:
        raw = await avox.organization_telephone_numbers.with_raw_response.retrieve("named")
        assert raw.request_id == "rid-123"


def test_x_request_id_wins_and_header_names_are_case_insensitive() -> None:
    assert request_id_of(CIMultiDict({"Request-Id": "b", "X-Request-ID": "a"})) == "a"
    assert request_id_of(CIMultiDict({"REQUEST-ID": "b"})) == "b"
    assert request_id_of(CIMultiDict({"x-request-id": ""})) is None
    assert request_id_of(CIMultiDict()) is None


# -- every record operation has its raw twin, with the same arguments ------------------------


def record_operations(cls: type) -> dict[str, Callable[..., Any]]:
    """Public async methods whose (awaited) result is a record, by their annotations."""
    found = {}
    for name, method in inspect.getmembers(cls, inspect.iscoroutinefunction):
        if name.startswith("_"):
            continue
        returns = typing.get_type_hints(method)["return"]
        if isinstance(returns, type) and hasattr(returns, "to_dict"):
            found[name] = method
    return found


def parameters(func: Callable[..., Any]) -> list[tuple[str, Any, Any]]:
    return [
        (p.name, p.kind, p.default)
        for p in inspect.signature(func).parameters.values()
        if p.name != "self"
    ]


def test_every_record_operation_has_a_raw_twin_on_both_clients() -> None:
    operations = record_operations(AsyncOrganizationTelephoneNumbers)
    assert {"revoke_cancel", "retrieve", "delete"} <= set(operations)
    for raw_class in (
        AsyncOrganizationTelephoneNumbersWithRawResponse,
        OrganizationTelephoneNumbersWithRawResponse,
    ):
        missing = [name for name in operations if name not in vars(raw_class)]
        assert missing == [], f"{raw_class.__name__} lacks {missing}: add one line each"


def test_raw_twins_take_the_same_arguments(server: FakeVoxServer, vox: Vox) -> None:
    raw_numbers = vox.organization_telephone_numbers.with_raw_response
    for name, method in record_operations(AsyncOrganizationTelephoneNumbers).items():
        assert parameters(getattr(raw_numbers, name)) == parameters(method), name
        assert getattr(raw_numbers, name).__doc__ == method.__doc__
