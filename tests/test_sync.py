"""The sync ``Vox`` facade mirrors ``AsyncVox``; it works inside a running loop and across
threads, and its portal thread never outlives it."""

from __future__ import annotations

import asyncio
import gc
import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from voxasync import (
    APIConnectionError,
    APIStatusError,
    AsyncVox,
    BadRequestError,
    BatchAborted,
    ConflictError,
    InternalServerError,
    NotFoundError,
    OrganizationTelephoneNumber,
    Provider,
    TelephoneNumberStatus,
    TelephoneNumberTermination,
    Vox,
    VoxError,
)
from voxasync.testing import FakeVoxServer, Fault

from helpers import drop_and_collect, portal_threads


def seed_inventory(server: FakeVoxServer) -> dict[str, list[str]]:
    """5 active vox, 3 pending vox, 2 active custom numbers, 1 expired, by group."""
    return {
        "active_vox": [server.add_number(status="active")["id"] for _ in range(5)],
        "pending": server.seed_pending(3),
        "active_custom": [
            server.add_number(provider="custom", status="active")["id"] for _ in range(2)
        ],
        "expired": [server.add_number(status="expired")["id"]],
    }


# -- revoke_cancel ----------------------------------------------------------------------------


@pytest.mark.anyio
async def test_async_revoke_cancel(server: FakeVoxServer, avox: AsyncVox) -> None:
    (number_id,) = server.seed_pending(1)
    number = await avox.organization_telephone_numbers.revoke_cancel(number_id)
    check_revoked(server, number_id, number)


def test_sync_revoke_cancel(server: FakeVoxServer, vox: Vox) -> None:
    (number_id,) = server.seed_pending(1)
    number = vox.organization_telephone_numbers.revoke_cancel(number_id)
    check_revoked(server, number_id, number)


def check_revoked(server: FakeVoxServer, number_id: str, number: object) -> None:
    assert isinstance(number, OrganizationTelephoneNumber)
    assert number.id == number_id
    assert number.status is TelephoneNumberStatus.ACTIVE
    assert number.end_at is None
    assert number.cancel_requested_at is None
    assert server.number(number_id)["status"] == "active"
    (request,) = server.requests
    assert (request.method, request.number_id, request.action, request.status) == (
        "POST",
        number_id,
        "revoke-cancel",
        200,
    )


@pytest.mark.anyio
async def test_async_revoke_cancel_many(server: FakeVoxServer, avox: AsyncVox) -> None:
    pending = server.seed_pending(3)
    active = server.add_number(status="active")["id"]
    results = await avox.organization_telephone_numbers.revoke_cancel_many(
        [pending[0], "missing", active, "", pending[1], pending[2]], concurrency=2
    )
    check_many(server, pending, results)


def test_sync_revoke_cancel_many(server: FakeVoxServer, vox: Vox) -> None:
    pending = server.seed_pending(3)
    active = server.add_number(status="active")["id"]
    results = vox.organization_telephone_numbers.revoke_cancel_many(
        [pending[0], "missing", active, "", pending[1], pending[2]], concurrency=2
    )
    check_many(server, pending, results)


def check_many(server: FakeVoxServer, pending: list[str], results: list[Any]) -> None:
    assert len(results) == 6
    assert [type(r) for r in results] == [
        OrganizationTelephoneNumber,
        NotFoundError,
        ConflictError,
        ValueError,
        OrganizationTelephoneNumber,
        OrganizationTelephoneNumber,
    ]
    assert [results[i].id for i in (0, 4, 5)] == pending
    assert all(server.number(number_id)["status"] == "active" for number_id in pending)
    assert "" not in {r.number_id for r in server.requests}


# -- retrieve ---------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_async_retrieve(server: FakeVoxServer, avox: AsyncVox) -> None:
    record = server.add_number(memo="본사", status="cancel_requested")
    number = await avox.organization_telephone_numbers.retrieve(record["id"])
    check_retrieved(server, record, number)


def test_sync_retrieve(server: FakeVoxServer, vox: Vox) -> None:
    record = server.add_number(memo="본사", status="cancel_requested")
    number = vox.organization_telephone_numbers.retrieve(record["id"])
    check_retrieved(server, record, number)


def check_retrieved(server: FakeVoxServer, record: dict[str, Any], number: object) -> None:
    assert isinstance(number, OrganizationTelephoneNumber)
    assert number.id == record["id"]
    assert number.memo == "본사"
    assert number.status is TelephoneNumberStatus.CANCEL_REQUESTED
    assert number.end_at == record["end_at"]
    assert server.number(record["id"]) == record  # a GET changes nothing
    (request,) = server.requests
    assert (request.method, request.action) == ("GET", "")


# -- list -------------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_async_list(server: FakeVoxServer, avox: AsyncVox) -> None:
    groups = seed_inventory(server)
    numbers = avox.organization_telephone_numbers
    default = [n.id async for n in numbers.list()]
    server.clear_requests()
    several = [n async for n in numbers.list(status=["active", "cancel_requested"], limit=2)]
    paged_requests = server.requests
    custom = [n.id async for n in numbers.list(provider="custom")]
    pending_desc = [
        n.id async for n in numbers.list(status=TelephoneNumberStatus.CANCEL_REQUESTED,
                                         sort_by="created_at", sort_order="desc")
    ]
    check_listed(groups, default, several, paged_requests, custom, pending_desc)


def test_sync_list(server: FakeVoxServer, vox: Vox) -> None:
    groups = seed_inventory(server)
    numbers = vox.organization_telephone_numbers
    default = [n.id for n in numbers.list()]
    server.clear_requests()
    several = list(numbers.list(status=["active", "cancel_requested"], limit=2))
    paged_requests = server.requests
    custom = [n.id for n in numbers.list(provider="custom")]
    pending_desc = [
        n.id for n in numbers.list(status=TelephoneNumberStatus.CANCEL_REQUESTED,
                                   sort_by="created_at", sort_order="desc")
    ]
    check_listed(groups, default, several, paged_requests, custom, pending_desc)


def check_listed(
    groups: dict[str, list[str]],
    default: list[str],
    several: list[OrganizationTelephoneNumber],
    paged_requests: list[Any],
    custom: list[str],
    pending_desc: list[str],
) -> None:
    # The server's default is active only (pending terminations hidden), oldest first.
    assert default == groups["active_vox"] + groups["active_custom"]
    # Several statuses, 2 per page, cursor followed to the end: 10 numbers over 5 pages.
    assert {n.id for n in several} == set(
        groups["active_vox"] + groups["active_custom"] + groups["pending"]
    )
    assert len(several) == 10
    assert all(isinstance(n, OrganizationTelephoneNumber) for n in several)
    assert len(paged_requests) == 5
    first, *rest = paged_requests
    assert first.query == (("status", "active"), ("status", "cancel_requested"), ("limit", "2"))
    assert all(dict(r.query)["cursor"] for r in rest)  # every later page passes a cursor
    assert len({dict(r.query)["cursor"] for r in rest}) == 4
    assert custom == groups["active_custom"]
    assert pending_desc == groups["pending"][::-1]


@pytest.mark.anyio
async def test_async_list_bad_arguments_make_no_request(
    server: FakeVoxServer, avox: AsyncVox
) -> None:
    with pytest.raises(ValueError, match="limit"):
        avox.organization_telephone_numbers.list(limit=0)
    with pytest.raises(ValueError, match="status"):
        avox.organization_telephone_numbers.list(status=[])
    assert server.requests == []


def test_sync_list_bad_arguments_make_no_request(server: FakeVoxServer, vox: Vox) -> None:
    with pytest.raises(ValueError, match="limit"):
        vox.organization_telephone_numbers.list(limit=101)
    with pytest.raises(TypeError, match="limit"):
        vox.organization_telephone_numbers.list(limit="10")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="sort_order"):
        vox.organization_telephone_numbers.list(sort_order="up")  # type: ignore[arg-type]
    assert server.requests == []


def test_sync_list_abandoned_midway_is_quiet(server: FakeVoxServer) -> None:
    for _ in range(4):
        server.add_number()
    with Vox(server.api_key, base_url=server.url) as client:
        iterator = iter(client.organization_telephone_numbers.list(limit=2))
        next(iterator)
    holder: list[object] = [iterator]
    del iterator
    drop_and_collect(holder)  # closing it after close() raises nothing and warns nothing
    assert len(server.requests) == 1


# -- delete -----------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_async_delete(server: FakeVoxServer, avox: AsyncVox) -> None:
    vox_id = server.add_number(provider="vox")["id"]
    custom_id = server.add_number(provider="custom")["id"]
    vox_end = await avox.organization_telephone_numbers.delete(vox_id)
    custom_end = await avox.organization_telephone_numbers.delete(custom_id)
    with pytest.raises(ConflictError):
        await avox.organization_telephone_numbers.delete(vox_id)
    check_deleted(server, vox_id, vox_end, custom_id, custom_end)


def test_sync_delete(server: FakeVoxServer, vox: Vox) -> None:
    vox_id = server.add_number(provider="vox")["id"]
    custom_id = server.add_number(provider="custom")["id"]
    vox_end = vox.organization_telephone_numbers.delete(vox_id)
    custom_end = vox.organization_telephone_numbers.delete(custom_id)
    with pytest.raises(ConflictError):
        vox.organization_telephone_numbers.delete(vox_id)
    check_deleted(server, vox_id, vox_end, custom_id, custom_end)


def check_deleted(
    server: FakeVoxServer, vox_id: str, vox_end: object, custom_id: str, custom_end: object
) -> None:
    assert isinstance(vox_end, TelephoneNumberTermination)
    assert isinstance(custom_end, TelephoneNumberTermination)
    assert (vox_end.id, vox_end.provider) == (vox_id, Provider.VOX)
    assert vox_end.effective_at == server.number(vox_id)["end_at"]
    assert server.number(vox_id)["status"] == "cancel_requested"
    assert (custom_end.id, custom_end.provider) == (custom_id, Provider.CUSTOM)
    assert server.number(custom_id)["status"] == "expired"
    assert [r.method for r in server.requests] == ["DELETE"] * 3


# -- errors pass through the facade unchanged -------------------------------------------------


@pytest.mark.anyio
async def test_errors_are_the_same_from_both_clients(server: FakeVoxServer) -> None:
    active = server.add_number(status="active")["id"]
    custom = server.add_number(provider="custom", status="cancel_requested")["id"]

    async def async_error(number_id: str) -> BaseException:
        async with AsyncVox(server.api_key, base_url=server.url, max_retries=0) as client:
            try:
                await client.organization_telephone_numbers.revoke_cancel(number_id)
            except APIStatusError as error:
                return error
        raise AssertionError("no error")

    def sync_error(number_id: str) -> BaseException:
        with Vox(server.api_key, base_url=server.url, max_retries=0) as client:
            try:
                client.organization_telephone_numbers.revoke_cancel(number_id)
            except APIStatusError as error:
                return error
        raise AssertionError("no error")

    for number_id, cls in (("missing", NotFoundError), (active, ConflictError),
                           (custom, BadRequestError)):
        from_async = await async_error(number_id)
        from_sync = sync_error(number_id)  # a sync call inside a running loop, too
        assert type(from_async) is type(from_sync) is cls
        assert isinstance(from_async, APIStatusError)
        assert isinstance(from_sync, APIStatusError)
        for attribute in ("status_code", "code", "message", "details", "body"):
            assert getattr(from_sync, attribute) == getattr(from_async, attribute), attribute


def test_sync_errors_keep_their_class_and_attributes(server: FakeVoxServer, vox: Vox) -> None:
    server.inject(Fault.status(502, body="html"))
    with pytest.raises(InternalServerError) as caught:
        vox.organization_telephone_numbers.retrieve("n-1", max_retries=0)
    assert caught.value.status_code == 502
    assert "Bad Gateway" in str(caught.value.body)
    with pytest.raises(ValueError, match="blank"):
        vox.organization_telephone_numbers.revoke_cancel("  ")
    with pytest.raises(TypeError):
        vox.organization_telephone_numbers.retrieve(7)  # type: ignore[arg-type]
    assert len(server.requests) == 1


def test_sync_connection_error(server: FakeVoxServer) -> None:
    url = server.url
    server.stop()  # nothing listens there any more
    with Vox("k", base_url=url, max_retries=0) as client, pytest.raises(APIConnectionError):
        client.organization_telephone_numbers.retrieve("n-1")


# -- inside a running event loop (a Jupyter cell) ---------------------------------------------


@pytest.mark.anyio
async def test_sync_client_called_inside_a_running_loop(server: FakeVoxServer, vox: Vox) -> None:
    asyncio.get_running_loop()  # there is a loop running in this very thread
    pending = server.seed_pending(3)
    number = vox.organization_telephone_numbers.revoke_cancel(pending[0])
    assert number.status == "active"
    assert vox.organization_telephone_numbers.retrieve(pending[0]).status == "active"
    listed = [n.id for n in vox.organization_telephone_numbers.list(status="cancel_requested")]
    assert listed == pending[1:]
    results = vox.organization_telephone_numbers.revoke_cancel_many(pending[1:])
    assert [r.id for r in results if isinstance(r, OrganizationTelephoneNumber)] == pending[1:]
    with pytest.raises(NotFoundError):
        vox.organization_telephone_numbers.delete("missing")


@pytest.mark.anyio
async def test_sync_client_made_and_closed_inside_a_running_loop(server: FakeVoxServer) -> None:
    (number_id,) = server.seed_pending(1)
    before = portal_threads()
    with Vox(server.api_key, base_url=server.url) as client:
        assert client.organization_telephone_numbers.revoke_cancel(number_id).id == number_id
    assert portal_threads() == before
    await asyncio.sleep(0)  # the test's own loop is unharmed


# -- threads ----------------------------------------------------------------------------------


def test_one_vox_shared_by_8_threads(server: FakeVoxServer, vox: Vox) -> None:
    ids = server.seed_pending(96)
    chunks = [ids[i::8] for i in range(8)]
    start = threading.Barrier(8)

    def work(chunk: list[str]) -> list[tuple[str, str, str, str]]:
        start.wait(timeout=30)
        seen = []
        for number_id in chunk:
            restored = vox.organization_telephone_numbers.revoke_cancel(number_id)
            fetched = vox.organization_telephone_numbers.retrieve(number_id)
            try:
                vox.organization_telephone_numbers.revoke_cancel(number_id)
            except ConflictError as error:
                refused = error.code or ""
            seen.append((number_id, restored.id, fetched.status, refused))
        return seen

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(work, chunks))

    for chunk, seen in zip(chunks, results, strict=True):
        assert seen == [(n, n, "active", "INVALID_STATUS") for n in chunk]
    assert all(server.number(number_id)["status"] == "active" for number_id in ids)
    assert len(server.requests) == 3 * len(ids)
    assert all(r.authorized for r in server.requests)


# -- the portal thread's life -----------------------------------------------------------------


def test_close_leaves_no_portal_thread(server: FakeVoxServer) -> None:
    before = portal_threads()
    client = Vox(server.api_key, base_url=server.url)
    started = portal_threads() - before
    assert len(started) == 1
    (thread,) = started
    assert thread.daemon  # an unclosed Vox never keeps the interpreter alive
    client.organization_telephone_numbers.list().pages()  # lazy: no request, nothing held
    client.close()
    assert not thread.is_alive()
    assert portal_threads() == before
    client.close()  # idempotent
    with pytest.raises(VoxError, match="closed"):
        client.organization_telephone_numbers.retrieve("n-1")


def test_with_block_leaves_no_portal_thread(server: FakeVoxServer) -> None:
    number_id = server.add_number()["id"]
    before = portal_threads()
    with Vox(server.api_key, base_url=server.url) as client:
        client.organization_telephone_numbers.retrieve(number_id)
    assert portal_threads() == before


def test_close_after_an_error_leaves_no_portal_thread(server: FakeVoxServer) -> None:
    before = portal_threads()
    with (
        pytest.raises(NotFoundError),
        Vox(server.api_key, base_url=server.url) as client,
    ):
        client.organization_telephone_numbers.retrieve("missing")
    assert portal_threads() == before


@pytest.mark.parametrize("used", [True, False])
def test_unclosed_vox_warns_and_its_thread_ends_by_itself(
    server: FakeVoxServer, used: bool, caplog: pytest.LogCaptureFixture
) -> None:
    number_id = server.add_number()["id"]
    before = portal_threads()
    client = Vox(server.api_key, base_url=server.url)
    (thread,) = portal_threads() - before
    if used:
        client.organization_telephone_numbers.retrieve(number_id)
    holder: list[object] = [client]
    del client
    with pytest.warns(ResourceWarning) as caught:
        drop_and_collect(holder)
    # Only our warning: the session is closed on its own loop, never finalized by the
    # collector from this thread (aiohttp's "Unclosed client session/connector").
    assert [str(w.message).split("(")[0] for w in caught] == ["unclosed Vox"]
    thread.join(timeout=10)
    assert not thread.is_alive()
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []


def test_a_batch_fed_by_a_generator_over_the_same_client(server: FakeVoxServer, vox: Vox) -> None:
    ids = server.seed_pending(30)
    numbers = vox.organization_telephone_numbers
    # The generator pages through `list` on this very client while the batch runs.
    results = numbers.revoke_cancel_many(
        (n.id for n in numbers.list(status="cancel_requested", limit=100)), concurrency=4
    )
    assert sorted(r.id for r in results) == sorted(ids)  # type: ignore[union-attr]
    assert all(server.number(i)["status"] == "active" for i in ids)


def test_a_generator_that_blocks_does_not_stall_the_clients_loop(
    server: FakeVoxServer, vox: Vox
) -> None:
    ids = server.seed_pending(6)
    other_call_done = threading.Event()
    waited: list[bool] = []

    def ids_that_wait_for_another_call():
        yield ids[0]
        # Blocks until a call from another thread completes on the client's loop: read on
        # that loop, this generator would stall it and the wait would time out.
        waited.append(other_call_done.wait(10))
        yield from ids[1:]

    def meanwhile() -> None:
        vox.organization_telephone_numbers.retrieve(ids[-1])
        other_call_done.set()

    thread = threading.Thread(target=meanwhile)
    thread.start()
    results = vox.organization_telephone_numbers.revoke_cancel_many(
        ids_that_wait_for_another_call(), concurrency=2
    )
    thread.join(10)
    assert waited == [True]
    assert [r.id for r in results] == ids  # type: ignore[union-attr]


def test_dropping_an_unclosed_vox_warns_at_once_and_stops_its_thread(
    server: FakeVoxServer,
) -> None:
    before = portal_threads()
    client = Vox(server.api_key, base_url=server.url)
    (number_id,) = server.seed_pending(1)
    client.organization_telephone_numbers.revoke_cancel(number_id)
    with pytest.warns(ResourceWarning, match="unclosed Vox"):
        del client  # no gc.collect(): no reference cycle keeps it alive
    for thread in portal_threads() - before:
        thread.join(5)
    assert portal_threads() == before


def test_a_sync_copy_keeps_its_original_alive(server: FakeVoxServer) -> None:
    copy = Vox(server.api_key, base_url=server.url).with_options(max_retries=0)
    gc.collect()
    (number_id,) = server.seed_pending(1)
    assert copy.organization_telephone_numbers.revoke_cancel(number_id).status == "active"
    with pytest.warns(ResourceWarning, match="unclosed Vox"):
        del copy  # the last holder of the dropped original's thread and pool


def test_the_sync_facade_mirrors_every_async_signature() -> None:
    import inspect

    from voxasync import AsyncVox

    def parameters(func: Any) -> list[tuple[str, Any, Any]]:
        return [
            (p.name, p.kind, p.default) for p in inspect.signature(func).parameters.values()
        ]

    async_init = [p for p in parameters(AsyncVox.__init__) if p[0] != "session"]
    assert parameters(Vox.__init__) == async_init
    assert parameters(Vox.with_options) == parameters(AsyncVox.with_options)
    async_client = AsyncVox("k", base_url="http://127.0.0.1:9")
    with Vox("k", base_url="http://127.0.0.1:9") as sync_client:
        resources = [n for n in vars(async_client) if not n.startswith("_") and n != "base_url"]
        assert resources, "no resources found"
        pairs = [(getattr(async_client, n), getattr(sync_client, n)) for n in resources]
        for async_resource, sync_resource in pairs:  # grows with views: with_raw_response
            public = [n for n in dir(async_resource) if not n.startswith("_")]
            assert public == [n for n in dir(sync_resource) if not n.startswith("_")]
            for name in public:
                sync_method = getattr(sync_resource, name)
                async_method = getattr(async_resource, name)
                if not callable(async_method):
                    pairs.append((async_method, sync_method))
                    continue
                assert parameters(sync_method) == parameters(async_method), name
        assert len(pairs) > len(resources), "with_raw_response was not compared"


def test_a_one_liner_on_a_temporary_vox_works(server: FakeVoxServer) -> None:
    (number_id,) = server.seed_pending(1)
    with pytest.warns(ResourceWarning, match="unclosed Vox"):  # once the call is done
        record = Vox(server.api_key, base_url=server.url).organization_telephone_numbers.retrieve(
            number_id
        )
    assert record.id == number_id
    numbers = Vox(server.api_key, base_url=server.url).organization_telephone_numbers
    assert numbers.revoke_cancel(number_id).status == "active"
    with pytest.warns(ResourceWarning, match="unclosed Vox"):
        del numbers


def test_closing_while_a_generator_of_ids_blocks_does_not_hang(server: FakeVoxServer) -> None:
    ids = server.seed_pending(1)
    release = threading.Event()
    client = Vox(server.api_key, base_url=server.url)

    blocked = threading.Event()

    def ids_then_block():
        yield ids[0]
        blocked.set()
        release.wait(30)  # a source that never answers

    outcome: list[BaseException] = []

    def batch() -> None:
        try:
            client.organization_telephone_numbers.revoke_cancel_many(ids_then_block())
        except BaseException as exc:
            outcome.append(exc)

    runner = threading.Thread(target=batch)
    runner.start()
    assert blocked.wait(10)
    closer = threading.Thread(target=client.close)
    closer.start()
    closer.join(10)
    try:
        assert not closer.is_alive(), "close() hung on the blocked generator"
        runner.join(10)
        assert not runner.is_alive()
        assert len(outcome) == 1
        assert isinstance(outcome[0], VoxError), outcome
    finally:
        release.set()


def test_a_failing_generator_of_ids_raises_its_own_error(server: FakeVoxServer, vox: Vox) -> None:
    ids = server.seed_pending(2)

    def ids_then_fail():
        yield from ids
        raise OSError("the id file went away")

    with pytest.raises(BatchAborted, match="the id file went away") as raised:
        vox.organization_telephone_numbers.revoke_cancel_many(ids_then_fail(), concurrency=8)
    assert isinstance(raised.value.__cause__, OSError)
    assert sorted(o.id for o in raised.value.outcomes) == sorted(ids)
    # The client still works afterwards.
    assert vox.organization_telephone_numbers.retrieve(ids[0]).id == ids[0]
