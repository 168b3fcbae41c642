"""``revoke_cancel_iter``: outcomes streamed as they settle, fail-fast on a refused key, and a
failing id source, for both clients. Against a real FakeVoxServer on loopback."""

from __future__ import annotations

import asyncio
import gc
import threading
import time
import warnings
import weakref
from collections.abc import Iterator
from typing import Any

import pytest

from voxasync import (
    AsyncVox,
    AuthenticationError,
    BatchAborted,
    NotFoundError,
    OrganizationTelephoneNumber,
    PermissionDeniedError,
    RevokeCancelOutcome,
    Vox,
)
from voxasync.testing import FakeVoxServer, Fault

pytestmark = pytest.mark.anyio


def other_tasks() -> set[asyncio.Task[Any]]:
    return asyncio.all_tasks() - {asyncio.current_task()}  # type: ignore[arg-type]


def revoke_posts(server: FakeVoxServer) -> int:
    return sum(1 for r in server.requests if r.action == "revoke-cancel")


def reader_threads() -> set[threading.Thread]:
    return {t for t in threading.enumerate() if t.name == "voxasync-id-reader"}


# -- what the stream yields ----------------------------------------------------------------


async def test_one_outcome_per_position_failures_included(
    server: FakeVoxServer, avox: AsyncVox
) -> None:
    ids = server.seed_pending(40)
    given: list[Any] = [*ids, "ghost", "", ids[3]]
    outcomes = [o async for o in avox.organization_telephone_numbers.revoke_cancel_iter(given)]
    assert all(isinstance(o, RevokeCancelOutcome) for o in outcomes)
    assert sorted(o.index for o in outcomes) == list(range(len(given)))
    by_index = {o.index: o for o in outcomes}
    for index, number_id in enumerate(given):
        assert by_index[index].id == number_id
    assert all(by_index[i].ok and by_index[i].result.id == ids[i] for i in range(40))  # type: ignore[union-attr]
    assert isinstance(by_index[40].result, NotFoundError)
    assert isinstance(by_index[41].result, ValueError) and not by_index[41].ok
    repeat = by_index[42]
    assert repeat.repeat_of == 3 and isinstance(repeat.result, ValueError)
    assert revoke_posts(server) == 41  # the repeat and the blank id were never sent


async def test_outcomes_come_in_completion_order(server: FakeVoxServer, avox: AsyncVox) -> None:
    ids = server.seed_pending(4)
    server.inject(Fault.slow(0.3), id=ids[0], action="revoke-cancel")
    stream = avox.organization_telephone_numbers.revoke_cancel_iter(ids, concurrency=4)
    order = [o.index async for o in stream]
    assert order[-1] == 0 and sorted(order) == [0, 1, 2, 3]


async def test_the_stream_keeps_no_result(server: FakeVoxServer, avox: AsyncVox) -> None:
    ids = server.seed_pending(50)
    refs: list[weakref.ref[Any]] = []
    async for outcome in avox.organization_telephone_numbers.revoke_cancel_iter(ids):
        refs.append(weakref.ref(outcome.result))
        del outcome
    gc.collect()
    assert [r for r in refs if r() is not None] == []


async def test_revoke_cancel_many_is_the_stream_collected(
    server: FakeVoxServer, avox: AsyncVox
) -> None:
    ids = server.seed_pending(30)
    given = [ids[0], *ids, ids[5], "ghost"]
    seen: list[tuple[int, str, object]] = []
    results = await avox.organization_telephone_numbers.revoke_cancel_many(
        given, concurrency=4, on_result=lambda i, n, r: seen.append((i, n, r))
    )
    assert results[0] is results[1] and results[31] is results[6]  # repeats share a result
    assert [r.id for r in results[1:31]] == ids  # type: ignore[union-attr]
    assert isinstance(results[-1], NotFoundError)
    assert sorted((i, n) for i, n, _ in seen) == list(enumerate(given))
    assert revoke_posts(server) == 31


# -- stopping early --------------------------------------------------------------------------


async def test_breaking_out_stops_taking_ids_and_cancels_in_flight(
    server: FakeVoxServer, avox: AsyncVox
) -> None:
    server.latency = 0.05
    ids = server.seed_pending(200)
    taken = 0

    def generate() -> Iterator[str]:
        nonlocal taken
        for number_id in ids:
            taken += 1
            yield number_id

    before = other_tasks()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        async for outcome in avox.organization_telephone_numbers.revoke_cancel_iter(
            generate(), concurrency=4
        ):
            assert outcome.ok
            break
        for _ in range(5):  # the loop's finalizer closes the abandoned stream
            await asyncio.sleep(0)
    assert other_tasks() - before == set()
    taken_at_break = taken
    await asyncio.sleep(0.2)
    assert taken == taken_at_break <= 4 + 4 + 1  # the pool, the queue, the one yielded
    assert revoke_posts(server) <= taken_at_break


async def test_async_with_closes_at_once(server: FakeVoxServer, avox: AsyncVox) -> None:
    server.latency = 0.05
    ids = server.seed_pending(100)
    before = other_tasks()
    async with avox.organization_telephone_numbers.revoke_cancel_iter(ids) as stream:
        async for _outcome in stream:
            break
    assert other_tasks() - before == set()
    await asyncio.sleep(0.1)
    assert server.in_flight == 0


# -- a refused key ----------------------------------------------------------------------------


@pytest.mark.parametrize("concurrency", [1, 8])
async def test_a_bad_key_costs_at_most_concurrency_requests(
    server: FakeVoxServer, concurrency: int
) -> None:
    ids = server.seed_pending(300)
    async with AsyncVox("not-the-key", base_url=server.url) as bad:
        outcomes = [
            o async for o in bad.organization_telephone_numbers.revoke_cancel_iter(
                ids, concurrency=concurrency
            )
        ]
    assert len(outcomes) == 300
    assert all(isinstance(o.result, AuthenticationError) for o in outcomes)
    assert len({id(o.result) for o in outcomes}) == 300  # one exception object per id
    assert revoke_posts(server) <= concurrency
    assert all(n["status"] == "cancel_requested" for n in server.numbers)


async def test_a_403_stops_the_batch_too(server: FakeVoxServer, avox: AsyncVox) -> None:
    ids = server.seed_pending(50)
    server.inject(Fault.status(403, code="FORBIDDEN"), action="revoke-cancel")
    results = await avox.organization_telephone_numbers.revoke_cancel_many(ids, concurrency=1)
    assert all(isinstance(r, PermissionDeniedError) for r in results)
    assert revoke_posts(server) == 1
    copy = results[1]
    assert isinstance(copy, PermissionDeniedError) and copy.__traceback__ is None


async def test_invalid_ids_keep_their_own_error_after_a_refusal(server: FakeVoxServer) -> None:
    ids = server.seed_pending(3)
    async with AsyncVox("wrong", base_url=server.url) as bad:
        results = await bad.organization_telephone_numbers.revoke_cancel_many(
            [ids[0], "", ids[1]], concurrency=1
        )
    assert [type(r) for r in results] == [AuthenticationError, ValueError, AuthenticationError]


# -- an id source that fails --------------------------------------------------------------


def _ids_then_fail(ids: list[str]) -> Iterator[str]:
    yield from ids
    raise OSError("the id file went away")


async def test_a_failing_source_reports_what_was_in_flight(
    server: FakeVoxServer, avox: AsyncVox
) -> None:
    server.latency = 0.3  # the four requests are still in flight when the source fails
    ids = server.seed_pending(6)
    got: list[RevokeCancelOutcome] = []
    stream = avox.organization_telephone_numbers.revoke_cancel_iter(
        _ids_then_fail(ids[:4]), concurrency=8
    )

    async def read_all() -> None:
        async for outcome in stream:
            got.append(outcome)  # noqa: PERF401 - kept as they come, before the raise

    started = time.monotonic()
    with pytest.raises(BatchAborted) as raised:
        await read_all()
    assert time.monotonic() - started >= 0.3  # it waited for them
    assert isinstance(raised.value.__cause__, OSError)
    assert sorted(o.id for o in got) == sorted(ids[:4]) and all(o.ok for o in got)
    assert [n["status"] for n in server.numbers] == ["active"] * 4 + ["cancel_requested"] * 2
    assert raised.value.outcomes == ()  # the stream already gave them


async def test_a_failing_source_passes_in_flight_results_to_on_result(
    server: FakeVoxServer, avox: AsyncVox
) -> None:
    server.latency = 0.3
    ids = server.seed_pending(4)
    heard: list[int] = []
    with pytest.raises(BatchAborted) as raised:
        await avox.organization_telephone_numbers.revoke_cancel_many(
            _ids_then_fail(ids), on_result=lambda i, n, r: heard.append(i)
        )
    assert sorted(heard) == [0, 1, 2, 3]
    assert [o.id for o in raised.value.outcomes] == ids


def test_sync_failing_source_reports_what_was_in_flight(server: FakeVoxServer, vox: Vox) -> None:
    server.latency = 0.3
    ids = server.seed_pending(4)
    got: list[RevokeCancelOutcome] = []
    outcomes = vox.organization_telephone_numbers.revoke_cancel_iter(
        _ids_then_fail(ids), concurrency=8
    )
    with pytest.raises(BatchAborted, match="the id file went away"):
        got.extend(outcomes)
    assert sorted(o.id for o in got) == sorted(ids)


# -- the sync client ---------------------------------------------------------------------------


def test_sync_iter_from_a_generator(server: FakeVoxServer, vox: Vox) -> None:
    ids = server.seed_pending(300)
    outcomes = list(
        vox.organization_telephone_numbers.revoke_cancel_iter(
            (i for i in ids), concurrency=16
        )
    )
    assert sorted(o.index for o in outcomes) == list(range(300))
    assert all(o.ok for o in outcomes)
    assert [o.result.id for o in sorted(outcomes, key=lambda o: o.index)] == ids  # type: ignore[union-attr]


def test_sync_iter_checks_arguments_before_any_request(server: FakeVoxServer, vox: Vox) -> None:
    with pytest.raises(ValueError, match="concurrency"):
        vox.organization_telephone_numbers.revoke_cancel_iter(["a"], concurrency=0)
    with pytest.raises(TypeError, match="not a single string"):
        vox.organization_telephone_numbers.revoke_cancel_iter("abc")
    assert server.requests == []


def test_sync_break_cancels_and_leaves_no_thread(server: FakeVoxServer, vox: Vox) -> None:
    server.latency = 0.05
    ids = server.seed_pending(300)
    readers = reader_threads()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for outcome in vox.organization_telephone_numbers.revoke_cancel_iter(
            (i for i in ids), concurrency=4
        ):
            assert isinstance(outcome.result, OrganizationTelephoneNumber)
            break
    # Closing the iterator cancelled the workers: nothing more is sent.
    time.sleep(0.3)  # what was in flight on the server's side ends
    sent = revoke_posts(server)
    time.sleep(0.2)
    assert revoke_posts(server) == sent <= 4 + 4 + 1
    for thread in reader_threads() - readers:
        thread.join(5)
    assert reader_threads() - readers == set()
    assert vox.organization_telephone_numbers.retrieve(ids[-1]).status == "cancel_requested"


def test_sync_bad_key_fails_fast(server: FakeVoxServer) -> None:
    ids = server.seed_pending(200)
    with Vox("wrong", base_url=server.url) as bad:
        outcomes = list(bad.organization_telephone_numbers.revoke_cancel_iter(ids))
    assert len(outcomes) == 200 and all(isinstance(o.result, AuthenticationError) for o in outcomes)
    assert revoke_posts(server) <= 8
