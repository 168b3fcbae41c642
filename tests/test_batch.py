"""Many terminations undone at once: ``asyncio.gather`` on one client, and ``revoke_cancel_many``.

Everything runs against a real :class:`~voxasync.testing.FakeVoxServer` on loopback.
"""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from voxasync import (
    APIConnectionError,
    AsyncVox,
    BadRequestError,
    BatchAborted,
    ConflictError,
    InternalServerError,
    NotFoundError,
    OrganizationTelephoneNumber,
    Vox,
)
from voxasync.testing import FakeVoxServer, Fault, RecordedRequest

from helpers import REPO, run_python

pytestmark = pytest.mark.anyio


Outcome = type[OrganizationTelephoneNumber] | type[BaseException]


def revoke_posts(server: FakeVoxServer) -> list[RecordedRequest]:
    return [r for r in server.requests if r.method == "POST" and r.action == "revoke-cancel"]


def posts_per_id(server: FakeVoxServer) -> Counter[str | None]:
    return Counter(r.number_id for r in revoke_posts(server))


def other_tasks() -> set[asyncio.Task[Any]]:
    return {task for task in asyncio.all_tasks() if task is not asyncio.current_task()}


def assert_outcomes(
    ids: list[Any], results: list[Any], expected: list[Outcome]
) -> None:
    """Each position holds the restored record of its own id, or exactly the expected error."""
    assert len(results) == len(ids) == len(expected)
    for position, (number_id, result, outcome) in enumerate(
        zip(ids, results, expected, strict=True)
    ):
        where = (position, number_id, result)
        if outcome is OrganizationTelephoneNumber:
            assert isinstance(result, OrganizationTelephoneNumber), where
            assert result.id == number_id, where
            assert result.status == "active", where
            assert result.end_at is None and result.cancel_requested_at is None, where
        else:
            assert type(result) is outcome, where


class Scenario:
    """2,000-ish positions mixing every way an id can succeed or fail, in shuffled order."""

    def __init__(
        self, server: FakeVoxServer, *, scale: int = 1, seed: int = 4, tag: str = "a"
    ) -> None:
        self.server = server
        self.entries: list[tuple[Any, Outcome, int]] = []  # (id, outcome, POSTs expected)

        def add(ids: list[Any], outcome: Outcome, posts: int) -> None:
            self.entries += [(number_id, outcome, posts) for number_id in ids]

        ok = OrganizationTelephoneNumber
        add(server.seed_pending(1490 // scale), ok, 1)
        add([f"unknown-{tag}-{i}" for i in range(100 // scale)], NotFoundError, 1)
        add([server.add_number(status="active")["id"] for _ in range(100 // scale)],
            ConflictError, 1)
        add([server.add_number(status="expired")["id"] for _ in range(20 // scale)],
            ConflictError, 1)
        add(server.seed_pending(50 // scale, provider="custom"), BadRequestError, 1)
        add(["", "   ", ".", ".."] * max(1, 5 // scale), ValueError, 0)
        add([None, 5, 3.5, b"bytes"] * max(1, 5 // scale), TypeError, 0)

        # Transient trouble: the retry (max_retries=2 by default) restores the number.
        for number_id in server.seed_pending(50 // scale):
            server.inject(Fault.status(503), id=number_id, action="revoke-cancel")
            add([number_id], ok, 2)
        for number_id in server.seed_pending(20 // scale):
            server.inject(Fault.status(502, body="html"), Fault.status(504, body="empty"),
                          id=number_id, action="revoke-cancel")
            add([number_id], ok, 3)
        for number_id in server.seed_pending(50 // scale):
            server.inject(Fault.reset(), id=number_id, action="revoke-cancel")
            add([number_id], ok, 2)
        # The first attempt takes effect but its answer is lost: the refused retry converges.
        for number_id in server.seed_pending(20 // scale):
            server.inject(Fault.reset(after_effect=True), id=number_id, action="revoke-cancel")
            add([number_id], ok, 2)
        # Persistent trouble: every attempt fails, the error of the last one is the result.
        for number_id in server.seed_pending(30 // scale):
            server.inject(Fault.status(500), id=number_id, action="revoke-cancel", times=3)
            add([number_id], InternalServerError, 3)
        # (Not a reset: one on a reused connection is resent for free, as a stale one is.)
        for number_id in server.seed_pending(30 // scale):
            server.inject(Fault.malformed("status_line"), id=number_id,
                          action="revoke-cancel", times=3)
            add([number_id], APIConnectionError, 3)

        random.Random(seed).shuffle(self.entries)
        self.ids = [number_id for number_id, _, _ in self.entries]
        self.expected = [outcome for _, outcome, _ in self.entries]

    def check(self, results: list[Any], calls: list[tuple[int, Any, Any]]) -> None:
        assert_outcomes(self.ids, results, self.expected)
        # on_result: once per position, with that position's id and result object.
        assert sorted(index for index, _, _ in calls) == list(range(len(self.ids)))
        for index, number_id, result in calls:
            assert number_id is self.ids[index]
            assert result is results[index]
        # The server saw exactly the attempts each id called for, and its state agrees.
        sent = posts_per_id(self.server)
        sent_here = 0
        for number_id, outcome, posts in self.entries:
            count = sent.pop(number_id, 0) if isinstance(number_id, str) else 0
            assert count == posts, (number_id, outcome)
            sent_here += count
            if outcome is OrganizationTelephoneNumber:
                assert self.server.number(number_id)["status"] == "active"
            elif outcome in (InternalServerError, APIConnectionError):
                assert self.server.number(number_id)["status"] == "cancel_requested"
        assert sent_here == sum(posts for _, _, posts in self.entries)


# -- gather on one client ----------------------------------------------------------------


async def test_gather_of_3000_revoke_cancels_on_one_client(server: FakeVoxServer) -> None:
    server.latency = 0.002
    ids = server.seed_pending(3000)
    async with AsyncVox(server.api_key, base_url=server.url, max_retries=0) as vox:
        numbers = vox.organization_telephone_numbers
        results = await asyncio.gather(*(numbers.revoke_cancel(i) for i in ids))
    assert [r.id for r in results] == ids
    assert all(r.status == "active" for r in results)
    # One attempt each (nothing failed and was retried), through one bounded pool.
    assert len(revoke_posts(server)) == 3000
    assert all(r.status == 200 for r in server.requests)
    assert server.max_in_flight <= 100
    assert all(n["status"] == "active" for n in server.numbers)


async def test_waiting_for_a_connection_does_not_count_against_the_attempt_timeout(
    server: FakeVoxServer,
) -> None:
    # 100 calls through 5 connections at 50 ms each need at least 1 s in all, more than the
    # 0.4 s each attempt may take: queueing for the pool must not eat into that budget.
    server.latency = 0.05
    ids = server.seed_pending(100)
    async with AsyncVox(
        server.api_key, base_url=server.url, max_connections=5, timeout=0.4, max_retries=0
    ) as vox:
        numbers = vox.organization_telephone_numbers
        results = await asyncio.gather(
            *(numbers.revoke_cancel(i) for i in ids), return_exceptions=True
        )
    assert [type(r) for r in results] == [OrganizationTelephoneNumber] * 100
    assert server.max_in_flight <= 5
    received = [r.received_at for r in server.requests]
    assert max(received) - min(received) >= (100 / 5 - 1) * 0.05 - 0.05


# -- revoke_cancel_many: every position accounted for ------------------------------------


async def test_2000_ids_with_failures_mixed_in(
    server: FakeVoxServer, avox: AsyncVox, no_wait: None
) -> None:
    scenario = Scenario(server)
    assert len(scenario.ids) == 2000
    calls: list[tuple[int, Any, Any]] = []
    results = await avox.organization_telephone_numbers.revoke_cancel_many(
        scenario.ids, concurrency=32, on_result=lambda *call: calls.append(call)
    )
    scenario.check(results, calls)
    not_found = results[scenario.expected.index(NotFoundError)]
    assert isinstance(not_found, NotFoundError)
    assert (not_found.status_code, not_found.code) == (404, "NOT_FOUND")
    conflict = results[scenario.expected.index(ConflictError)]
    assert isinstance(conflict, ConflictError) and conflict.code == "INVALID_STATUS"
    assert server.max_in_flight <= 32


async def test_sync_revoke_cancel_many_mirrors_async(
    server: FakeVoxServer, avox: AsyncVox, vox: Vox, no_wait: None
) -> None:
    first = Scenario(server, scale=10, seed=7)
    second = Scenario(server, scale=10, seed=7, tag="b")  # the same shape, on fresh numbers
    assert first.expected == second.expected
    assert len(first.ids) == 204
    async_calls: list[tuple[int, Any, Any]] = []
    async_results = await avox.organization_telephone_numbers.revoke_cancel_many(
        first.ids, concurrency=8, on_result=lambda *call: async_calls.append(call)
    )
    sync_calls: list[tuple[int, Any, Any]] = []
    # A blocking call from inside the test's loop is fine: Vox runs on its own thread.
    sync_results = vox.organization_telephone_numbers.revoke_cancel_many(
        iter(second.ids), concurrency=8, on_result=lambda *call: sync_calls.append(call)
    )
    assert [type(r) for r in sync_results] == [type(r) for r in async_results]
    first.check(async_results, async_calls)
    second.check(sync_results, sync_calls)


async def test_an_empty_batch_makes_no_request(server: FakeVoxServer, avox: AsyncVox) -> None:
    assert await avox.organization_telephone_numbers.revoke_cancel_many([]) == []
    assert server.requests == []


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"concurrency": 0}, ValueError),
        ({"concurrency": 2.5}, TypeError),
        ({"concurrency": True}, TypeError),
        ({"rate_limit": 0}, ValueError),
        ({"rate_limit": -3.0}, ValueError),
        ({"on_result": "print"}, TypeError),
    ],
)
async def test_bad_batch_arguments_fail_before_any_request(
    server: FakeVoxServer, avox: AsyncVox, kwargs: dict[str, Any], error: type[Exception]
) -> None:
    ids = server.seed_pending(3)
    with pytest.raises(error):
        await avox.organization_telephone_numbers.revoke_cancel_many(ids, **kwargs)
    assert server.requests == []


async def test_a_single_string_is_not_taken_for_many_ids(
    server: FakeVoxServer, avox: AsyncVox
) -> None:
    (number_id,) = server.seed_pending(1)
    with pytest.raises(TypeError, match="not a single string"):
        await avox.organization_telephone_numbers.revoke_cancel_many(number_id)
    assert server.requests == []


# -- concurrency, rate, 429 --------------------------------------------------------------


@pytest.mark.parametrize("concurrency", [1, 8, 64])
async def test_never_more_than_concurrency_in_flight(
    server: FakeVoxServer, avox: AsyncVox, concurrency: int
) -> None:
    server.latency = 0.02
    ids = server.seed_pending(4 * concurrency + 3)
    results = await avox.organization_telephone_numbers.revoke_cancel_many(
        ids, concurrency=concurrency
    )
    assert [r.id for r in results if isinstance(r, OrganizationTelephoneNumber)] == ids
    assert server.max_in_flight <= concurrency
    # ... and the pool is actually used, not run one at a time.
    assert server.max_in_flight > concurrency // 2


async def test_concurrency_above_the_pool_size_is_bounded_by_the_pool(
    server: FakeVoxServer,
) -> None:
    server.latency = 0.01
    ids = server.seed_pending(60)
    async with AsyncVox(server.api_key, base_url=server.url, max_connections=4) as vox:
        results = await vox.organization_telephone_numbers.revoke_cancel_many(
            ids, concurrency=50
        )
    assert all(isinstance(r, OrganizationTelephoneNumber) for r in results)
    assert server.max_in_flight <= 4


async def test_rate_limit_spaces_requests(server: FakeVoxServer, avox: AsyncVox) -> None:
    ids = server.seed_pending(40)
    results = await avox.organization_telephone_numbers.revoke_cancel_many(
        ids, concurrency=8, rate_limit=100
    )
    assert all(isinstance(r, OrganizationTelephoneNumber) for r in results)
    received = sorted(r.received_at for r in server.requests)
    assert len(received) == 40
    assert received[-1] - received[0] >= 39 / 100 - 0.03


async def test_rate_limit_counts_retries(
    server: FakeVoxServer, avox: AsyncVox, no_wait: None
) -> None:
    ids = server.seed_pending(10)
    server.inject(Fault.status(503), action="revoke-cancel", times=10)
    results = await avox.organization_telephone_numbers.revoke_cancel_many(
        ids, concurrency=10, rate_limit=50
    )
    assert all(isinstance(r, OrganizationTelephoneNumber) for r in results)
    received = sorted(r.received_at for r in server.requests)
    assert len(received) == 20
    assert received[-1] - received[0] >= 19 / 50 - 0.03


async def test_the_clients_own_rate_limit_holds_in_a_batch(server: FakeVoxServer) -> None:
    # AsyncVox(rate_limit=...) caps everything the client sends, batches included, even
    # when the batch asks for a faster rate of its own.
    ids = server.seed_pending(20)
    async with AsyncVox(server.api_key, base_url=server.url, rate_limit=50) as vox:
        results = await vox.organization_telephone_numbers.revoke_cancel_many(
            ids, concurrency=8, rate_limit=1000
        )
    assert all(isinstance(r, OrganizationTelephoneNumber) for r in results)
    received = sorted(r.received_at for r in server.requests)
    assert received[-1] - received[0] >= 19 / 50 - 0.03


async def test_a_429_pauses_the_whole_batch(server: FakeVoxServer, avox: AsyncVox) -> None:
    # A few 429s for whichever requests come first; the rest of the first wave succeeds.
    # With a shared pause, nobody starts a new request until the pause is over; workers
    # retrying on their own would run the whole batch while the 429'd ones wait.
    pause = 0.3
    concurrency = 16
    server.latency = 0.002
    ids = server.seed_pending(300)
    server.inject(Fault.rate_limited(retry_after_ms=int(pause * 1000)), times=3)
    results = await avox.organization_telephone_numbers.revoke_cancel_many(
        ids, concurrency=concurrency
    )
    assert [r.id for r in results if isinstance(r, OrganizationTelephoneNumber)] == ids
    assert all(n["status"] == "active" for n in server.numbers)

    requests = sorted(server.requests, key=lambda r: r.received_at)
    limited = [r for r in requests if r.status == 429]
    assert len(limited) == 3
    assert len(requests) == 303
    first_429 = limited[0].received_at
    # Only requests already under way when the client saw the 429 may arrive in the pause.
    in_pause = [r for r in requests if first_429 < r.received_at < first_429 + pause - 0.01]
    assert len(in_pause) <= 2 * concurrency
    # Each 429'd number was retried, after the pause the server asked for.
    for denied in limited:
        retry = next(
            r for r in requests
            if r.number_id == denied.number_id and r.received_at > denied.received_at
        )
        assert retry.status == 200
        assert retry.received_at >= denied.received_at + pause - 0.01


async def test_a_429_storm_is_ridden_out(server: FakeVoxServer) -> None:
    # Every request of three successive waves is refused: the batch pauses together each
    # time and still restores every number.
    pause = 0.1
    server.latency = 0.001
    ids = server.seed_pending(100)
    server.inject(Fault.rate_limited(retry_after_ms=int(pause * 1000)), times=24)
    async with AsyncVox(server.api_key, base_url=server.url, max_retries=5) as vox:
        results = await vox.organization_telephone_numbers.revoke_cancel_many(
            ids, concurrency=8
        )
    assert [r.id for r in results if isinstance(r, OrganizationTelephoneNumber)] == ids
    assert all(n["status"] == "active" for n in server.numbers)
    requests = sorted(server.requests, key=lambda r: r.received_at)
    assert [r.status for r in requests] == [429] * 24 + [200] * 100
    # Every request after a 429 that the client had already seen waits out the pause: the
    # first success comes only after the last 429 plus the pause.
    last_429 = requests[23].received_at
    assert requests[24].received_at >= last_429 + pause - 0.01
    assert requests[24].received_at - requests[0].received_at >= 3 * pause - 0.03


async def test_a_429_asking_too_long_a_wait_is_the_result(
    server: FakeVoxServer, avox: AsyncVox
) -> None:
    ids = server.seed_pending(3)
    server.inject(Fault.rate_limited(retry_after="3600"), id=ids[1])
    results = await avox.organization_telephone_numbers.revoke_cancel_many(ids)
    assert isinstance(results[0], OrganizationTelephoneNumber)
    assert isinstance(results[2], OrganizationTelephoneNumber)
    error = results[1]
    assert type(error).__name__ == "RateLimitError"
    assert getattr(error, "retry_after", None) == 3600


async def test_a_429_beyond_the_cap_fails_the_rest_without_sending(
    server: FakeVoxServer, avox: AsyncVox
) -> None:
    ids = server.seed_pending(200)
    server.inject(Fault.rate_limited(retry_after="120"), times=200)
    results = await avox.organization_telephone_numbers.revoke_cancel_many(ids, concurrency=8)
    assert all(type(r).__name__ == "RateLimitError" for r in results)
    assert all(100 < r.retry_after <= 120 for r in results)  # type: ignore[union-attr]
    assert len(set(map(id, results))) == 200  # one exception object per id
    # Only the first wave reached the server; the rest were refused locally.
    assert 1 <= len(server.requests) <= 8


async def test_a_429_that_is_not_retried_still_pauses_the_batch(
    server: FakeVoxServer, avox: AsyncVox
) -> None:
    ids = server.seed_pending(30)
    server.inject(Fault.rate_limited(retry_after_ms=400), id=ids[0])
    results = await avox.organization_telephone_numbers.revoke_cancel_many(
        ids, concurrency=1, max_retries=0
    )
    assert type(results[0]).__name__ == "RateLimitError"
    assert all(isinstance(r, OrganizationTelephoneNumber) for r in results[1:])
    first, second = sorted(server.requests, key=lambda r: r.received_at)[:2]
    assert first.status == 429
    assert second.received_at - first.received_at >= 0.4 - 0.02


async def test_a_429_voids_the_rate_slots_already_claimed(server: FakeVoxServer) -> None:
    ids = server.seed_pending(8)
    server.inject(Fault.rate_limited(retry_after="3600"), id=ids[0])
    async with AsyncVox(server.api_key, base_url=server.url) as vox:
        results = await vox.organization_telephone_numbers.revoke_cancel_many(
            ids, concurrency=8, rate_limit=4
        )
    # The other seven had claimed later slots before the 429 came; none may be sent.
    assert [r.status for r in server.requests] == [429]
    assert all(type(r).__name__ == "RateLimitError" for r in results)


async def test_a_429_pause_holds_waiters_with_claimed_slots(server: FakeVoxServer) -> None:
    ids = server.seed_pending(6)
    server.inject(Fault.rate_limited(retry_after_ms=1000), id=ids[0])
    async with AsyncVox(server.api_key, base_url=server.url) as vox:
        results = await vox.organization_telephone_numbers.revoke_cancel_many(
            ids, concurrency=6, rate_limit=4
        )
    assert all(isinstance(r, OrganizationTelephoneNumber) for r in results)
    first, *rest = sorted(server.requests, key=lambda r: r.received_at)
    assert first.status == 429
    assert all(r.received_at - first.received_at >= 1.0 - 0.02 for r in rest)


# -- repeated ids, on_result -------------------------------------------------------------


async def test_repeated_ids_are_sent_once(server: FakeVoxServer, avox: AsyncVox) -> None:
    a, b, c = server.seed_pending(3)
    ids: list[Any] = [a, b, a, "ghost", c, a, "ghost", b, "", "", None]
    calls: list[tuple[int, Any, Any]] = []
    results = await avox.organization_telephone_numbers.revoke_cancel_many(
        ids, concurrency=4, on_result=lambda *call: calls.append(call)
    )
    assert posts_per_id(server) == {a: 1, b: 1, c: 1, "ghost": 1}
    assert results[0] is results[2] is results[5]
    assert results[1] is results[7]
    assert results[3] is results[6]
    assert isinstance(results[0], OrganizationTelephoneNumber) and results[0].id == a
    assert isinstance(results[4], OrganizationTelephoneNumber) and results[4].id == c
    assert isinstance(results[3], NotFoundError)
    assert [type(r) for r in results[8:]] == [ValueError, ValueError, TypeError]
    assert sorted(index for index, _, _ in calls) == list(range(len(ids)))
    for index, number_id, result in calls:
        assert number_id is ids[index]
        assert result is results[index]


@pytest.mark.parametrize("concurrency", [1, 16])
async def test_repeats_near_and_far(
    server: FakeVoxServer, avox: AsyncVox, concurrency: int
) -> None:
    # Some repeats come while the first request is in flight, some long after it finished.
    server.latency = 0.002
    unique = server.seed_pending(100)
    ids = unique * 3
    random.Random(concurrency).shuffle(ids)
    calls: list[tuple[int, Any, Any]] = []
    results = await avox.organization_telephone_numbers.revoke_cancel_many(
        ids, concurrency=concurrency, on_result=lambda *call: calls.append(call)
    )
    assert posts_per_id(server) == dict.fromkeys(unique, 1)
    by_id: dict[str, Any] = {}
    for number_id, result in zip(ids, results, strict=True):
        assert isinstance(result, OrganizationTelephoneNumber) and result.id == number_id
        assert by_id.setdefault(number_id, result) is result
    assert Counter(index for index, _, _ in calls) == Counter(range(300))
    assert all(result is results[index] for index, _, result in calls)


# -- lazy consumption --------------------------------------------------------------------


@pytest.mark.parametrize("concurrency", [1, 8])
async def test_a_generator_is_consumed_lazily(
    server: FakeVoxServer, avox: AsyncVox, concurrency: int
) -> None:
    server.latency = 0.001
    ids = server.seed_pending(200)
    advanced = 0

    def generate() -> Iterator[str]:
        nonlocal advanced
        for number_id in ids:
            advanced += 1
            yield number_id

    ahead: list[int] = []  # ids taken from the generator beyond those already settled

    def on_result(index: int, number_id: str, result: object) -> None:
        ahead.append(advanced - len(ahead))

    results = await avox.organization_telephone_numbers.revoke_cancel_many(
        generate(), concurrency=concurrency, on_result=on_result
    )
    assert [r.id for r in results if isinstance(r, OrganizationTelephoneNumber)] == ids
    assert len(ahead) == 200
    # Each worker holds one id, and at most `concurrency` settled outcomes wait to be read:
    # nothing more was taken from the generator.
    assert concurrency <= ahead[0] <= 2 * concurrency
    assert max(ahead) <= 2 * concurrency


async def test_an_async_generator_of_ids(server: FakeVoxServer, avox: AsyncVox) -> None:
    ids = server.seed_pending(150)
    advanced = 0

    async def generate() -> AsyncIterator[Any]:
        nonlocal advanced
        for number_id in [*ids, "", "ghost"]:
            advanced += 1
            await asyncio.sleep(0)
            yield number_id

    ahead: list[int] = []

    def on_result(index: int, number_id: str, result: object) -> None:
        ahead.append(advanced - len(ahead))

    results = await avox.organization_telephone_numbers.revoke_cancel_many(
        generate(), concurrency=8, on_result=on_result
    )
    assert_outcomes(
        [*ids, "", "ghost"],
        results,
        [OrganizationTelephoneNumber] * 150 + [ValueError, NotFoundError],
    )
    assert max(ahead) <= 16  # the pool, and the outcomes waiting to be read
    assert all(n["status"] == "active" for n in server.numbers)


# -- stopping a batch --------------------------------------------------------------------


async def test_cancelling_a_batch_leaves_nothing_pending(server: FakeVoxServer) -> None:
    server.latency = 0.02
    ids = server.seed_pending(400)
    advanced = 0

    def generate() -> Iterator[str]:
        nonlocal advanced
        for number_id in ids:
            advanced += 1
            yield number_id

    settled: list[int] = []
    async with AsyncVox(server.api_key, base_url=server.url) as vox:
        before = other_tasks()
        batch = asyncio.create_task(
            vox.organization_telephone_numbers.revoke_cancel_many(
                generate(), concurrency=8, on_result=lambda i, *_: settled.append(i)
            )
        )
        for _ in range(500):
            if len(settled) >= 20:
                break
            await asyncio.sleep(0.01)
        assert len(settled) >= 20
        batch.cancel()
        with pytest.raises(asyncio.CancelledError):
            await batch
        assert other_tasks() - before == set()
        taken, done = advanced, len(settled)
        assert taken <= done + 8
        # Requests the server was already handling end; nothing new is sent.
        await asyncio.sleep(0.1)
        seen = len(server.requests)
        await asyncio.sleep(0.1)
        assert len(server.requests) == seen <= taken
        assert advanced == taken and len(settled) == done
        # The client is still usable after the cancelled batch.
        again = await vox.organization_telephone_numbers.revoke_cancel_many(ids[-3:])
        assert all(isinstance(r, OrganizationTelephoneNumber) for r in again)


class Boom(Exception):
    pass


async def test_an_on_result_that_raises_stops_the_batch(
    server: FakeVoxServer, avox: AsyncVox
) -> None:
    server.latency = 0.005
    ids = server.seed_pending(300)
    calls = 0

    def on_result(index: int, number_id: str, result: object) -> None:
        nonlocal calls
        calls += 1
        if calls == 10:
            raise Boom(index)

    before = other_tasks()
    with pytest.raises(Boom) as raised:
        await avox.organization_telephone_numbers.revoke_cancel_many(
            ids, concurrency=8, on_result=on_result
        )
    assert type(raised.value) is Boom  # the error itself, not an ExceptionGroup
    assert calls == 10
    assert other_tasks() - before == set()
    await asyncio.sleep(0.05)
    assert len(server.requests) < 300


async def test_an_id_iterable_that_raises_stops_the_batch(
    server: FakeVoxServer, avox: AsyncVox
) -> None:
    ids = server.seed_pending(10)

    def generate() -> Iterator[str]:
        yield from ids[:5]
        raise Boom("the source broke")

    before = other_tasks()
    with pytest.raises(BatchAborted, match="the source broke") as raised:
        await avox.organization_telephone_numbers.revoke_cancel_many(generate(), concurrency=2)
    assert type(raised.value.__cause__) is Boom
    assert raised.value.error is raised.value.__cause__
    assert other_tasks() - before == set()
    assert {r.number_id for r in server.requests} == set(ids[:5])
    # Every id read before the failure was sent, and its outcome is in the exception.
    assert [(o.index, o.id) for o in raised.value.outcomes] == list(enumerate(ids[:5]))
    assert all(o.ok for o in raised.value.outcomes)


def test_sync_on_result_that_raises_propagates(server: FakeVoxServer, vox: Vox) -> None:
    ids = server.seed_pending(50)

    def on_result(index: int, number_id: str, result: object) -> None:
        raise Boom(number_id)

    with pytest.raises(Boom):
        vox.organization_telephone_numbers.revoke_cancel_many(ids, on_result=on_result)
    # The client survives and keeps working.
    record = vox.organization_telephone_numbers.revoke_cancel(ids[-1])
    assert record.status == "active"


def test_sync_revoke_cancel_many_with_a_generator(server: FakeVoxServer, vox: Vox) -> None:
    ids = server.seed_pending(120)
    progress: list[int] = []
    results = vox.organization_telephone_numbers.revoke_cancel_many(
        (number_id for number_id in ids),
        concurrency=16,
        on_result=lambda index, number_id, result: progress.append(index),
    )
    assert [r.id for r in results if isinstance(r, OrganizationTelephoneNumber)] == ids
    assert sorted(progress) == list(range(120))


# -- the example -------------------------------------------------------------------------


def test_batch_revoke_example_runs_in_the_sandbox() -> None:
    completed = run_python(str(REPO / "examples" / "batch_revoke.py"), "--sandbox", cwd=REPO)
    assert completed.returncode == 0, completed.stderr
    out = completed.stdout
    assert "250 numbers pending termination" in out
    assert "250/250 done, 0 failed" in out
    assert "restored 250 of 250, 0 failed; 0 still pending" in out


def test_throughput_bench_smoke_run() -> None:
    completed = run_python(
        str(REPO / "bench" / "batch_throughput.py"), "--quick", cwd=REPO, timeout=120
    )
    assert completed.returncode == 0, completed.stderr
    assert "concurrency" in completed.stdout and "tracemalloc" in completed.stdout
