"""Listing numbers page by page, retrieving one, and requesting termination."""

from __future__ import annotations

import asyncio
import gc
import time
from typing import Any

import pytest

from voxasync import (
    AsyncVox,
    ConflictError,
    NotFoundError,
    OrganizationTelephoneNumber,
    Provider,
    TelephoneNumberStatus,
    TelephoneNumberTermination,
    Vox,
)
from voxasync.testing import FakeVoxServer, RecordedRequest

PERIOD_MS = 30 * 24 * 60 * 60 * 1000


class Seeded:
    """230 pending vox numbers among active, expired and custom ones, in creation order."""

    def __init__(self, server: FakeVoxServer) -> None:
        self.pending: list[str] = []
        self.active: list[str] = []
        self.expired: list[str] = []
        self.custom: list[str] = []
        for i in range(230):
            self.pending.append(server.add_number(status="cancel_requested")["id"])
            if i % 5 == 0:
                self.active.append(server.add_number(status="active")["id"])
            if i % 20 == 0:
                self.expired.append(server.add_number(status="expired")["id"])
            if i % 23 == 0:
                self.custom.append(server.add_number(provider="custom")["id"])


def list_requests(server: FakeVoxServer) -> list[RecordedRequest]:
    return [r for r in server.requests if r.method == "GET" and r.number_id is None]


def query_values(request: RecordedRequest, key: str) -> list[str]:
    return [value for name, value in request.query if name == key]


def check_paging(server: FakeVoxServer, *, pages: int, limit: str) -> None:
    """``pages`` GETs; the first without a cursor, each next one with the previous cursor."""
    requests = list_requests(server)
    assert len(requests) == pages
    assert all(query_values(r, "limit") == [limit] for r in requests)
    assert query_values(requests[0], "cursor") == []
    cursors = [query_values(r, "cursor") for r in requests[1:]]
    assert all(len(c) == 1 for c in cursors)
    assert len({c[0] for c in cursors}) == pages - 1
    assert all(r.status == 200 for r in requests)


# -- following the cursor ----------------------------------------------------------------


@pytest.mark.anyio
async def test_async_list_returns_every_pending_number_once(
    server: FakeVoxServer, avox: AsyncVox
) -> None:
    seeded = Seeded(server)
    numbers = [
        n async for n in avox.organization_telephone_numbers.list(
            status="cancel_requested", limit=50
        )
    ]
    assert [n.id for n in numbers] == seeded.pending
    assert all(isinstance(n, OrganizationTelephoneNumber) for n in numbers)
    assert all(n.status == TelephoneNumberStatus.CANCEL_REQUESTED for n in numbers)
    assert all(n.end_at is not None for n in numbers)
    check_paging(server, pages=5, limit="50")
    assert all(query_values(r, "status") == ["cancel_requested"] for r in server.requests)


def test_sync_list_returns_every_pending_number_once(server: FakeVoxServer, vox: Vox) -> None:
    seeded = Seeded(server)
    numbers = list(vox.organization_telephone_numbers.list(status="cancel_requested", limit=50))
    assert [n.id for n in numbers] == seeded.pending
    check_paging(server, pages=5, limit="50")


@pytest.mark.anyio
async def test_a_page_size_that_divides_the_total_ends_cleanly(
    server: FakeVoxServer, avox: AsyncVox
) -> None:
    ids = server.seed_pending(100)
    pager = avox.organization_telephone_numbers.list(status="cancel_requested", limit=25)
    assert [n.id async for n in pager] == ids
    check_paging(server, pages=4, limit="25")


@pytest.mark.anyio
async def test_pages_expose_total_count(server: FakeVoxServer, avox: AsyncVox) -> None:
    Seeded(server)
    pager = avox.organization_telephone_numbers.list(status="cancel_requested", limit=50)
    pages = [page async for page in pager.pages()]
    assert [len(p.items) for p in pages] == [50, 50, 50, 50, 30]
    assert [p.total_count for p in pages] == [230] * 5
    assert all(p.next_cursor is not None for p in pages[:-1])
    assert pages[-1].next_cursor is None


def test_sync_pages_expose_total_count(server: FakeVoxServer, vox: Vox) -> None:
    Seeded(server)
    pager = vox.organization_telephone_numbers.list(status="cancel_requested", limit=100)
    pages = list(pager.pages())
    assert [len(p.items) for p in pages] == [100, 100, 30]
    assert {p.total_count for p in pages} == {230}


@pytest.mark.anyio
async def test_default_limit_and_descending_order(
    server: FakeVoxServer, avox: AsyncVox
) -> None:
    seeded = Seeded(server)
    pager = avox.organization_telephone_numbers.list(
        status="cancel_requested", sort_by="created_at", sort_order="desc"
    )
    assert [n.id async for n in pager] == seeded.pending[::-1]
    requests = list_requests(server)
    assert len(requests) == 5  # the server's default page size, 50
    assert all(query_values(r, "limit") == [] for r in requests)
    assert all(query_values(r, "sort_order") == ["desc"] for r in requests)
    assert all(query_values(r, "sort_by") == ["created_at"] for r in requests)


# -- filters -----------------------------------------------------------------------------


@pytest.mark.anyio
@pytest.mark.parametrize(
    "status",
    [
        ["cancel_requested", "expired"],
        ("expired", "cancel_requested"),
        [TelephoneNumberStatus.CANCEL_REQUESTED, TelephoneNumberStatus.EXPIRED],
    ],
)
async def test_several_statuses_are_repeated_parameters(
    server: FakeVoxServer, avox: AsyncVox, status: Any
) -> None:
    seeded = Seeded(server)
    pager = avox.organization_telephone_numbers.list(status=status, limit=100)
    ids = [n.id async for n in pager]
    assert sorted(ids) == sorted(seeded.pending + seeded.expired)
    assert len(ids) == len(set(ids)) == 230 + len(seeded.expired)
    expected_pairs = [("status", str(s)) for s in status]
    for request in list_requests(server):
        assert [pair for pair in request.query if pair[0] == "status"] == expected_pairs
        assert all(type(value) is str for _, value in request.query)
        assert not any(name.startswith("status[") for name, _ in request.query)
        assert "status%5B" not in request.path and "status[" not in request.path


def test_sync_several_statuses(server: FakeVoxServer, vox: Vox) -> None:
    seeded = Seeded(server)
    pager = vox.organization_telephone_numbers.list(status=["active", "expired"], limit=10)
    ids = [n.id for n in pager]
    assert ids == [
        n["id"] for n in server.numbers if n["id"] in {*seeded.active, *seeded.expired,
                                                        *seeded.custom}
    ]
    for request in list_requests(server):
        assert query_values(request, "status") == ["active", "expired"]
        assert "status[]" not in {name for name, _ in request.query}


@pytest.mark.anyio
async def test_without_status_the_server_shows_active_numbers(
    server: FakeVoxServer, avox: AsyncVox
) -> None:
    seeded = Seeded(server)
    ids = [n.id async for n in avox.organization_telephone_numbers.list()]
    assert sorted(ids) == sorted(seeded.active + seeded.custom)
    assert all(query_values(r, "status") == [] for r in server.requests)


@pytest.mark.anyio
async def test_provider_filter(server: FakeVoxServer, avox: AsyncVox) -> None:
    seeded = Seeded(server)
    custom_pending = server.seed_pending(3, provider="custom")
    numbers = avox.organization_telephone_numbers
    custom = [n async for n in numbers.list(provider="custom", status=["active"])]
    assert [n.id for n in custom] == seeded.custom
    assert all(n.provider == Provider.CUSTOM and n.monthly_fee is None for n in custom)
    vox_pending = [
        n.id async for n in numbers.list(provider=Provider.VOX, status="cancel_requested")
    ]
    assert vox_pending == seeded.pending
    all_pending = [n.id async for n in numbers.list(status="cancel_requested", limit=100)]
    assert all_pending == seeded.pending + custom_pending
    assert {tuple(query_values(r, "provider")) for r in list_requests(server)} == {
        ("custom",), ("vox",), ()
    }


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"limit": 0}, ValueError),
        ({"limit": 101}, ValueError),
        ({"limit": -5}, ValueError),
        ({"limit": "50"}, TypeError),
        ({"limit": 50.0}, TypeError),
        ({"limit": True}, TypeError),
        ({"sort_order": "ascending"}, ValueError),
        ({"sort_order": "ASC"}, ValueError),
        ({"status": []}, ValueError),
        ({"status": ""}, ValueError),
        ({"status": 3}, TypeError),
        ({"status": ["active", None]}, TypeError),
        ({"provider": " "}, ValueError),
        ({"provider": 1}, TypeError),
    ],
)
async def test_bad_list_arguments_fail_before_any_request(
    server: FakeVoxServer, avox: AsyncVox, vox: Vox, kwargs: dict[str, Any], error: type
) -> None:
    with pytest.raises(error):
        avox.organization_telephone_numbers.list(**kwargs)
    with pytest.raises(error):
        vox.organization_telephone_numbers.list(**kwargs)
    assert server.requests == []


@pytest.mark.anyio
@pytest.mark.parametrize("limit", [1, 100])
async def test_limit_bounds_are_accepted(
    server: FakeVoxServer, avox: AsyncVox, limit: int
) -> None:
    ids = server.seed_pending(3)
    pager = avox.organization_telephone_numbers.list(status="cancel_requested", limit=limit)
    assert [n.id async for n in pager] == ids
    assert len(list_requests(server)) == (3 if limit == 1 else 1)


# -- stopping early ----------------------------------------------------------------------


def test_breaking_out_of_a_sync_list_early_is_clean(server: FakeVoxServer, vox: Vox) -> None:
    seeded = Seeded(server)
    seen = []
    for number in vox.organization_telephone_numbers.list(status="cancel_requested", limit=10):
        seen.append(number.id)
        if len(seen) == 15:
            break
    gc.collect()
    assert seen == seeded.pending[:15]
    assert len(list_requests(server)) == 2  # no page fetched beyond the one being read
    # The client is fine afterwards: a new listing starts from the beginning.
    again = vox.organization_telephone_numbers.list(status="cancel_requested", limit=100)
    assert next(iter(again)).id == seeded.pending[0]
    gc.collect()


@pytest.mark.anyio
async def test_breaking_out_of_an_async_list_early(
    server: FakeVoxServer, avox: AsyncVox
) -> None:
    seeded = Seeded(server)
    seen = []
    pages = avox.organization_telephone_numbers.list(status="cancel_requested", limit=10).pages()
    async for page in pages:
        seen += [n.id for n in page.items]
        if len(seen) >= 20:
            break
    await pages.aclose()
    assert seen == seeded.pending[:20]
    assert len(list_requests(server)) == 2


@pytest.mark.anyio
async def test_breaking_out_of_async_for_without_closing(
    server: FakeVoxServer, avox: AsyncVox
) -> None:
    seeded = Seeded(server)
    seen = []
    async for number in avox.organization_telephone_numbers.list(
        status="cancel_requested", limit=10
    ):
        seen.append(number.id)
        if len(seen) == 12:
            break
    gc.collect()
    await asyncio.sleep(0.01)  # let the loop finalize the abandoned generators
    assert seen == seeded.pending[:12]
    assert len(list_requests(server)) == 2


# -- retrieve ----------------------------------------------------------------------------


def as_record(number: OrganizationTelephoneNumber) -> dict[str, Any]:
    return number.to_dict()


@pytest.mark.anyio
async def test_retrieve_returns_the_record(server: FakeVoxServer, avox: AsyncVox) -> None:
    (number_id,) = server.seed_pending(1)
    number = await avox.organization_telephone_numbers.retrieve(number_id)
    assert as_record(number) == server.number(number_id)
    assert number.status == TelephoneNumberStatus.CANCEL_REQUESTED
    (request,) = server.requests
    assert (request.method, request.number_id, request.action) == ("GET", number_id, "")


def test_sync_retrieve_returns_the_record(server: FakeVoxServer, vox: Vox) -> None:
    number_id = server.add_number(status="active", memo="대표번호")["id"]
    number = vox.organization_telephone_numbers.retrieve(number_id)
    assert as_record(number) == server.number(number_id)
    assert number.memo == "대표번호"


@pytest.mark.anyio
async def test_retrieve_unknown_number(server: FakeVoxServer, avox: AsyncVox) -> None:
    with pytest.raises(NotFoundError):
        await avox.organization_telephone_numbers.retrieve("no-such-number")
    with pytest.raises(ValueError, match="non-blank"):
        await avox.organization_telephone_numbers.retrieve(" ")
    assert len(server.requests) == 1


# -- delete ------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_delete_a_vox_number_schedules_termination_at_the_end_of_the_period(
    server: FakeVoxServer, avox: AsyncVox
) -> None:
    record = server.add_number(status="active")
    before = int(time.time() * 1000)
    termination = await avox.organization_telephone_numbers.delete(record["id"])
    after = int(time.time() * 1000)
    assert isinstance(termination, TelephoneNumberTermination)
    assert (termination.id, termination.number) == (record["id"], record["number"])
    assert termination.provider == Provider.VOX
    # The end of the paid period: a whole number of monthly periods after start_at, and the
    # first such moment after the request.
    assert (termination.effective_at - record["start_at"]) % PERIOD_MS == 0
    assert termination.effective_at - PERIOD_MS <= after
    assert termination.effective_at > before
    number = await avox.organization_telephone_numbers.retrieve(record["id"])
    assert number.status == TelephoneNumberStatus.CANCEL_REQUESTED
    assert number.end_at == termination.effective_at
    assert number.cancel_requested_at is not None
    assert before <= number.cancel_requested_at <= after
    # ... and the termination can be undone.
    restored = await avox.organization_telephone_numbers.revoke_cancel(record["id"])
    assert restored.status == "active" and restored.end_at is None


@pytest.mark.anyio
async def test_delete_a_custom_number_expires_it_at_once(
    server: FakeVoxServer, avox: AsyncVox
) -> None:
    record = server.add_number(provider="custom", status="active")
    before = int(time.time() * 1000)
    termination = await avox.organization_telephone_numbers.delete(record["id"])
    after = int(time.time() * 1000)
    assert termination.provider == Provider.CUSTOM
    assert before <= termination.effective_at <= after
    number = await avox.organization_telephone_numbers.retrieve(record["id"])
    assert number.status == TelephoneNumberStatus.EXPIRED
    assert number.end_at == termination.effective_at


@pytest.mark.anyio
@pytest.mark.parametrize("status", ["cancel_requested", "expired"])
async def test_delete_a_number_already_ending_is_a_conflict(
    server: FakeVoxServer, avox: AsyncVox, status: str
) -> None:
    record = server.add_number(status=status)
    with pytest.raises(ConflictError) as raised:
        await avox.organization_telephone_numbers.delete(record["id"])
    assert raised.value.status_code == 409
    assert server.number(record["id"]) == record
    assert [(r.method, r.status) for r in server.requests] == [("DELETE", 409)]


def test_sync_delete(server: FakeVoxServer, vox: Vox) -> None:
    record = server.add_number(status="active")
    termination = vox.organization_telephone_numbers.delete(record["id"])
    assert termination.effective_at == server.number(record["id"])["end_at"]
    assert server.number(record["id"])["status"] == "cancel_requested"
    with pytest.raises(ConflictError):
        vox.organization_telephone_numbers.delete(record["id"])
    with pytest.raises(NotFoundError):
        vox.organization_telephone_numbers.delete("no-such-number")
